#!/usr/bin/env bats
# 0001-help.bats - the command table: help, per-command usage, usage errors
# (exit 2) and version. None of these needs a vault or a passphrase.

load helper

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
}

# The command table in cli/main.c, in its order: what `brankas help` is generated from.
table_commands() {
	sed -n 's/^[[:space:]]*{"\([a-z][a-z -]*\)", cmd_[a-z_]*,.*/\1/p' "$BATS_TEST_DIRNAME/../../cli/main.c"
}

# The command names in `brankas help`: the lines of the "commands:" block
# start with a name of one word, or two when the first is a group.
help_commands() {
	local w1 w2 rest
	bk help | awk '/^commands:$/ { on = 1; next } on && /^$/ { exit } on' | while read -r w1 w2 rest; do
		if bk help "$w1" 2>/dev/null | grep -q '^commands:$' ||
			bk help "$w1" "$w2" 2>/dev/null | grep -q "^usage: brankas $w1 $w2\b"; then
			echo "$w1 $w2"
		else
			echo "$w1"
		fi
	done
}

# each_exits_2_saying "ARGS|TEXT"...: for each case, brankas ARGS (split on
# spaces, no passphrase on stdin) exits 2 with TEXT in its output.
each_exits_2_saying() {
	local c args
	for c in "$@"; do
		read -ra args <<<"${c%|*}"
		run bk "${args[@]}" </dev/null
		[ "$status" -eq 2 ] || { echo "'${c%|*}' exited $status"; return 1; }
		[[ "$output" == *"${c#*|}"* ]] || { echo "'${c%|*}': $output"; return 1; }
	done
}

@test "help lists every command of the command table, sorted, and the exit codes" {
	run bk help
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "usage: brankas "* ]]
	has "commands:"
	has "exit codes: 0 ok, 1 failed, 2 usage, 3 wrong passphrase or integrity violation, 4 denied by policy, 5 vault busy (try again)"
	mapfile -t table < <(table_commands)
	mapfile -t listed < <(help_commands)
	printf 'table:  %s\n' "${table[@]}"
	printf 'listed: %s\n' "${listed[@]}"
	[ "${#table[@]}" -ge 14 ]
	[ "${#listed[@]}" -eq "${#table[@]}" ]
	for i in "${!table[@]}"; do
		[ "${listed[$i]}" = "${table[$i]}" ]
	done
	[ "$(printf '%s\n' "${listed[@]}" | LC_ALL=C sort)" = "$(printf '%s\n' "${listed[@]}")" ]
	# the ones this suite is about are there
	for c in "audit head" "audit show" "audit verify" check help "identity new" "identity show" init status \
		"user add" "user disable" "user list" "user passwd" version; do
		printf '%s\n' "${listed[@]}" | grep -qx "$c"
	done
}

@test "help keeps every command name and its summary apart by two spaces" {
	block=$(bk help | awk '/^commands:$/ { on = 1; next } on && /^$/ { exit } on')
	[ "$(wc -l <<<"$block")" -ge 14 ]
	run grep -vE '^  [a-z][a-z-]*( [a-z][a-z-]*)? {2,}[a-z]' <<<"$block"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
}

@test "-h and --help work for every command in 'brankas help', without a vault" {
	mapfile -t listed < <(help_commands)
	[ "${#listed[@]}" -ge 14 ]
	for name in "${listed[@]}"; do
		read -ra words <<<"$name"
		for flag in -h --help; do
			run bk "${words[@]}" "$flag" </dev/null
			[ "$status" -eq 0 ] || { echo "'$name $flag' exited $status"; return 1; }
			[[ "${lines[0]}" == "usage: brankas $name"* ]] || { echo "'$name $flag': ${lines[0]}"; return 1; }
		done
		usage=$output
		run bk help "${words[@]}"
		[ "$status" -eq 0 ] || { echo "'help $name' exited $status"; return 1; }
		[ "$output" = "$usage" ] || { echo "'help $name' differs from '$name -h'"; return 1; }
	done
}

@test "every command's -h shows its usage, an example and who may run it, from the table" {
	mapfile -t table < <(table_commands)
	[ "${#table[@]}" -ge 14 ]
	for name in "${table[@]}"; do
		read -ra words <<<"$name"
		run bk "${words[@]}" -h </dev/null
		[ "$status" -eq 0 ] || { echo "'$name -h' exited $status"; return 1; }
		[[ "${lines[0]}" == "usage: brankas $name"* ]] || { echo "'$name -h': ${lines[0]}"; return 1; }
		# an "examples:" heading, then at least one line "  brankas ..." right under it
		ex=$(awk '/^examples:$/ { on = 1; next } on && /^$/ { exit } on' <<<"$output")
		grep -q '^  brankas ' <<<"$ex" || { echo "'$name -h' shows no example: $output"; return 1; }
		who=$(awk '/^who:$/ { on = 1; next } on' <<<"$output")
		[[ "$who" == "  "[a-z]* ]] || { echo "'$name -h' shows no 'who:': $output"; return 1; }
	done
	# a command that unlocks says so, one that needs no vault does not
	run bk status -h
	has "it unlocks the vault"
	run bk identity new -h
	[[ "$output" != *"unlocks the vault"* ]]
}

@test "help on a group lists only its subcommands" {
	run bk help user
	[ "$status" -eq 0 ]
	has "user add"
	has "user passwd"
	[[ "$output" != *"audit verify"* ]]
}

@test "no command at all is a usage error" {
	run bk
	[ "$status" -eq 2 ]
	has "usage: brankas"
}

@test "an unknown command exits 2 and points at 'brankas help'" {
	run bk frobnicate
	[ "$status" -eq 2 ]
	has "no command 'frobnicate'"
	has "hint: 'brankas help' lists the commands"

	run bk help frobnicate
	[ "$status" -eq 2 ]
	has "no command 'frobnicate'"
}

@test "a group without its subcommand exits 2 and lists the subcommands" {
	run bk user
	[ "$status" -eq 2 ]
	has "'user' needs a subcommand"
	has "user disable"

	run bk audit frobnicate
	[ "$status" -eq 2 ]
	has "audit verify"
}

@test "an unknown option exits 2, before or after the command" {
	run bk status --frobnicate
	[ "$status" -eq 2 ]
	has "unknown option '--frobnicate'"
	has "usage: brankas status"

	run bk --frobnicate status
	[ "$status" -eq 2 ]
	has "unknown option '--frobnicate'"

	run bk user add x --role analyst -Z
	[ "$status" -eq 2 ]
	has "unknown option"
	has "usage: brankas user add"
}

@test "an option without its value exits 2 naming the option" {
	local cases=(
		"user add x --role|--role"
		"status --format|--format"
		"user list --format|--format"
		"audit head -o|-o"
		"audit verify --since|--since"
		"audit show --actor|--actor"
		"audit show --action|--action"
		"init somewhere --admin|--admin"
		"init somewhere --admin ada --regions|--regions"
		"identity new -o|-o"
		"key export-db-key -o|-o"
		"user passwd --kdf|--kdf"
		"status -C|-C"
		"-C|-C"
		"status --passphrase-fd|--passphrase-fd"
		"-u|-u"
	)
	local c said=()
	for c in "${cases[@]}"; do
		said+=("${c%|*}|option '${c#*|}' needs a value")
	done
	each_exits_2_saying "${said[@]}"
	[ ! -e somewhere ]
}

@test "an invalid option value exits 2" {
	local cases=(
		"status --format xml|--format takes table or json"
		"status --format csv|--format takes table or json"
		"status --passphrase-fd abc|not a file descriptor: 'abc'"
		"--passphrase-fd -1 status|not a file descriptor"
		"init somewhere --admin ada --kdf slow|unknown --kdf level 'slow'"
		"user add x --role wizard|unknown role 'wizard'"
		"user add x --role analyst --kdf 3|unknown --kdf level '3'"
		"identity new -o somewhere --kdf fast|unknown --kdf level 'fast'"
	)
	each_exits_2_saying "${cases[@]}"
	[ ! -e somewhere ]
}

@test "an extra argument exits 2 for every command, before asking for a passphrase" {
	local cases=(
		"status extra"
		"check extra"
		"user list extra"
		"user passwd extra"
		"user disable someone extra"
		"user add someone extra --role analyst"
		"audit verify extra"
		"audit show extra"
		"audit head -o somewhere extra"
		"identity new -o somewhere extra"
		"identity show somewhere extra"
		"init somewhere extra --admin ada"
		"key export-db-key -o somewhere extra"
		"version extra"
	)
	for c in "${cases[@]}"; do
		read -ra args <<<"$c"
		run bk -C "$BATS_TEST_TMPDIR/novault" -u ada "${args[@]}" </dev/null
		[ "$status" -eq 2 ] || { echo "'$c' exited $status"; return 1; }
		[[ "$output" == *"unexpected argument"* ]] || { echo "'$c': $output"; return 1; }
	done
	run bk help status extra
	[ "$status" -eq 2 ]
	[ ! -e somewhere ]
	[ ! -e "$BATS_TEST_TMPDIR/novault" ]
}

@test "version prints the brankas, libsodium, SQLCipher and SQLite versions" {
	run bk version
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^brankas\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
	[[ "${lines[1]}" =~ ^libsodium\ [0-9]+\.[0-9]+ ]]
	[[ "${lines[2]}" =~ ^SQLCipher\ [3-9]\.[0-9]+\.[0-9]+ ]]
	[[ "${lines[3]}" =~ ^SQLite\ 3\.[0-9]+\.[0-9]+$ ]]
	version=$output

	run bk --version
	[ "$status" -eq 0 ]
	[ "$output" = "$version" ]
}
