# helper.bash - what every tests/cli/*.bats file shares (`load helper`): the
# binary, a template vault with one user per role built once per file and
# copied per test, passphrase feeding, byte flipping and file snapshots.
#
#   bk ARGS...                 run brankas ($BRANKAS_WRAPPER, e.g. valgrind, first)
#   as USER ARGS...            run brankas on $VAULT as USER, passphrase on fd 0
#   as_new USER NEWPASS ARGS.. same, with a new passphrase as the second line of fd 0
#   pass_of USER               the passphrase of a template user
#   build_template             (setup_file) the template vault in $TEMPLATE
#   fresh_vault                (setup) a copy of it in $VAULT, cwd $BATS_TEST_TMPDIR
#   flip FILE OFFSET [MASK]    XOR one byte (negative OFFSET counts from the end)
#   snapshot DIR               names, modes and sha256 of everything under DIR
#   has TEXT                   assert that $output contains TEXT

bats_require_minimum_version 1.5.0

if [ -z "${BRANKAS:-}" ]; then
	BRANKAS="$BATS_TEST_DIRNAME/../../build/brankas"
fi
case $BRANKAS in
/*) ;;
*) BRANKAS="$PWD/$BRANKAS" ;;
esac
export BRANKAS
# the suite must not pick up a vault or a user from the environment
unset BRANKAS_VAULT BRANKAS_USER

# The users of the template vault: name, role, scope.
TEMPLATE_USERS="citra:custodian:Kanigoro oki:operator:Kanigoro ani:analyst: aud:auditor:"

bk() {
	# the wrapper is a command line ("valgrind -q ..."): split on purpose
	# shellcheck disable=SC2086
	${BRANKAS_WRAPPER:-} "$BRANKAS" "$@"
}

pass_of() {
	case $1 in
	ada | citra | oki | ani | aud | eva) printf '%s-Rahasia-8841\n' "$1" ;;
	*) printf 'nobody-Rahasia-0000\n' ;;
	esac
}

as() {
	local user=$1
	shift
	bk -C "$VAULT" -u "$user" --passphrase-fd 0 "$@" <<<"$(pass_of "$user")"
}

as_new() {
	local user=$1 new=$2
	shift 2
	printf '%s\n%s\n' "$(pass_of "$user")" "$new" |
		bk -C "$VAULT" -u "$user" --passphrase-fd 0 --new-passphrase-fd 0 "$@"
}

# Builds $TEMPLATE: admin ada, custodian citra and operator oki scoped to
# Kanigoro, analyst ani, auditor aud, and evaluator eva whose identity file
# is $EVA_IDENTITY (public id $EVA_ID). Everything with --kdf interactive.
build_template() {
	local spec name role scope
	local -a scope_opt

	if [ ! -x "$BRANKAS" ]; then
		echo "no brankas binary at '$BRANKAS': run make" >&2
		return 1
	fi
	export TEMPLATE="$BATS_FILE_TMPDIR/template"
	export EVA_IDENTITY="$BATS_FILE_TMPDIR/eva.identity"
	bk init "$TEMPLATE" --admin ada --kdf interactive --passphrase-fd 0 <<<"$(pass_of ada)" >/dev/null || {
		echo "build_template: init failed" >&2
		return 1
	}
	VAULT=$TEMPLATE
	for spec in $TEMPLATE_USERS; do
		IFS=: read -r name role scope <<<"$spec"
		scope_opt=()
		[ -z "$scope" ] || scope_opt=(--scope "$scope")
		as_new ada "$(pass_of "$name")" user add "$name" --role "$role" "${scope_opt[@]}" --kdf interactive \
			>/dev/null || {
			echo "build_template: adding $role $name failed" >&2
			return 1
		}
	done
	if ! EVA_ID=$(bk identity new -o "$EVA_IDENTITY" --kdf interactive --passphrase-fd 0 <<<"$(pass_of eva)" 2>/dev/null) ||
		! as ada user add eva --role evaluator --pubkey "$EVA_ID" >/dev/null; then
		echo "build_template: adding evaluator eva failed" >&2
		return 1
	fi
	export EVA_ID
	unset VAULT
}

fresh_vault() {
	export VAULT="$BATS_TEST_TMPDIR/vault"
	cp -a "$TEMPLATE" "$VAULT"
	cd "$BATS_TEST_TMPDIR" || return 1
}

flip() {
	local file=$1 off=$2 mask=${3:-1} size byte after

	size=$(stat -c %s -- "$file") || return 1
	if [ "$off" -lt 0 ]; then
		off=$((size + off))
	fi
	if [ "$off" -lt 0 ] || [ "$off" -ge "$size" ]; then
		echo "flip: offset $2 is outside '$file' ($size bytes)" >&2
		return 1
	fi
	byte=$(od -An -tu1 -j "$off" -N1 -- "$file" | tr -d ' \n')
	# shellcheck disable=SC2059
	printf "\\$(printf '%03o' $((byte ^ mask)))" | dd of="$file" bs=1 seek="$off" count=1 conv=notrunc status=none
	after=$(od -An -tu1 -j "$off" -N1 -- "$file" | tr -d ' \n')
	if [ "$after" -ne $((byte ^ mask)) ] || [ "$(stat -c %s -- "$file")" -ne "$size" ]; then
		echo "flip: could not change byte $off of '$file'" >&2
		return 1
	fi
}

snapshot() {
	(
		cd "$1" || exit 1
		find . -printf '%p %M\n' | LC_ALL=C sort
		find . -type f -exec sha256sum {} + | LC_ALL=C sort
	)
}

has() {
	if [[ "$output" != *"$1"* ]]; then
		printf 'expected the output to contain: %s\n' "$1" >&2
		return 1
	fi
}

# The number of entries in $VAULT's audit log, and its last entry.
audit_count() {
	wc -l <"$VAULT/audit.log" | tr -d ' '
}

audit_last() {
	tail -n 1 "$VAULT/audit.log"
}

# A failing test shows the last `run`'s status and output.
teardown() {
	if [ -n "${output+set}" ]; then
		printf 'last run: status %s, output:\n%s\n' "${status-}" "$output" | sed 's/^/# /'
	fi
}
