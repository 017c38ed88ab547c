#!/usr/bin/env bats
# 0002-options.bats - the one option parser (cli/options.c): numeric ranges,
# values refused where they do not apply, operands counted, all before any
# passphrase is asked; and no command writes its own getopt loop.

load helper

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
}

# usage_cases PREFIX USAGE "ARGS|MESSAGE"...: each ARGS exits 2 before any
# unlock and prints PREFIX MESSAGE (and, when USAGE is "usage", the usage of
# the command named first).
usage_cases() {
	local prefix=$1 usage=$2 c
	local -a args
	shift 2
	for c in "$@"; do
		read -ra args <<<"${c%|*}"
		run bk -C "$BATS_TEST_TMPDIR/novault" -u ada "${args[@]}" </dev/null
		[ "$status" -eq 2 ] || { echo "'${c%|*}' exited $status"; return 1; }
		[[ "$output" == *"$prefix${c#*|}"* ]] || { echo "'${c%|*}': $output"; return 1; }
		[ "$usage" != usage ] || [[ "$output" == *"usage: brankas ${args[0]}"* ]] ||
			{ echo "'${c%|*}' shows no usage: $output"; return 1; }
	done
}

@test "a number out of its range exits 2 with the option's own message, before unlocking" {
	local cases=(
		"query --timeout 0 SELECT|--timeout takes 1 to 3600 seconds"
		"query --timeout 3601 SELECT|--timeout takes 1 to 3600 seconds"
		"query --timeout -5 SELECT|--timeout takes 1 to 3600 seconds"
		"shell --idle 86401|--idle takes 0 to 86400 seconds (0: never)"
		"shell --idle soon|--idle takes 0 to 86400 seconds (0: never)"
		"report ikm --year 1800|--year takes a number from 1900 to 9999, not '1800'"
		"report coverage --min-cell 0|--min-cell takes a number from 1 to 1000000, not '0'"
		"demo somewhere --citizens 0|--citizens takes 1 to 10000000"
		"request new --k 1|--k must be a whole number from 2 to 1000"
		"request new --min-cell 1001|--min-cell must be a whole number from 1 to 1000"
		"status --wait 86401|--wait takes a number of seconds from 0 to 86400, not '86401'"
		"status --wait -1|--wait takes a number of seconds from 0 to 86400, not '-1'"
		"status --wait 5s|--wait takes a number of seconds from 0 to 86400, not '5s'"
	)
	usage_cases "error: " usage "${cases[@]}"
	[ ! -e novault ]
	[ ! -e somewhere ]
}

@test "a value in range is taken (the parser stops only at the missing vault)" {
	run bk -C "$BATS_TEST_TMPDIR/novault" -u ada --passphrase-fd 0 report ikm --year 2026 --min-cell 3 \
		--format csv <<<"$(pass_of ada)"
	[ "$status" -eq 1 ] || { echo "$output"; return 1; }
	[[ "$output" != *"usage:"* ]]
	[ ! -e novault ]
}

@test "an option of the family that does not apply to this command exits 2" {
	local cases=(
		"retention apply --purpose x|option '--purpose' does not apply here"
		"subject export --purpose x --force|option '--force' does not apply here"
		"record erase warga 1 --purpose x --dry-run|option '--dry-run' does not apply here"
	)
	usage_cases "" - "${cases[@]}"
}

@test "too few or too many operands exit 2 with the command's message" {
	local cases=(
		"dataset show|no dataset named"
		"dataset show a b|unexpected argument"
		"import warga|DATASET and FILE.csv are required"
		"import warga a.csv b.csv|unexpected argument 'b.csv'"
		"record show warga|DATASET and ID are required"
		"record show warga 1 2|DATASET and ID are required"
		"record show warga x|ID must be a row number"
		"request show|no request number given"
		"request show 0|'0' is not a request number"
		"request deny 3 4 --reason r|unexpected argument"
		"retention apply now|unexpected argument 'now'"
		"query|no SQL given"
		"query a b|give the SQL as one argument (quote it)"
		"find --purpose x 123|use --nik -"
		"extract open|no extract directory given"
		"identity export-age|no identity file given"
	)
	usage_cases "" - "${cases[@]}"
	[ ! -e "$BATS_TEST_TMPDIR/novault" ]
}

@test "-h wins over a bad option value that comes after it, as getopt reads in order" {
	run bk status -h --format xml
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "usage: brankas status"* ]]
}

@test "no command writes its own option loop: getopt_long is called in cli/options.c only" {
	run grep -ln 'getopt_long *(' "$BATS_TEST_DIRNAME"/../../cli/*.c
	[ "$status" -eq 0 ]
	[[ "$output" == */cli/options.c ]]
	[ "${#lines[@]}" -eq 1 ]
}

@test "an option with a value given twice exits 2 instead of keeping the last (--scope A --scope B)" {
	local cases=(
		"user add ani --role analyst --scope Kanigoro --scope Wonodadi|--scope given twice"
		"query --purpose a --purpose b SELECT|--purpose given twice"
		"audit head -o a.json -o b.json|--output given twice"
	)
	usage_cases "error: " - "${cases[@]}"
	[ ! -e a.json ]
}
