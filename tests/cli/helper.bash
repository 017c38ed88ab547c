# helper.bash - what every tests/cli/*.bats file shares (`load helper`): the
# binary, a template vault with one user per role built once per file and
# copied per test, passphrase feeding, byte flipping and file snapshots.
#
#   bk ARGS...                 run brankas ($BRANKAS_WRAPPER, e.g. valgrind, first)
#   as_in DIR PASS USER ARGS.. run brankas on the vault DIR as USER, PASS on fd 0
#   as USER ARGS...            as_in on $VAULT with USER's passphrase
#   as_new USER NEWPASS ARGS.. same, with a new passphrase as the second line of fd 0
#   pass_of USER               the passphrase of a template user
#   demo_pass USER             the passphrase of a `brankas demo` user
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
# The sqlcipher shell the tests open vault.db with: it must speak the format of
# the SQLCipher brankas links (a 3.x shell cannot read a SQLCipher 4 file).
: "${SQLCIPHER:=sqlcipher}"
export SQLCIPHER
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

# demo_pass USER: the fixed passphrase `brankas demo` gives a demo user.
demo_pass() {
	case $1 in
	ada) echo demo-admin-ada ;;
	citra) echo demo-custodian-citra ;;
	oki) echo demo-operator-oki ;;
	ani) echo demo-analyst-ani ;;
	aud) echo demo-auditor-aud ;;
	eva) echo demo-evaluator-eva ;;
	*) echo nobody-demo-pass ;;
	esac
}

# as_in DIR PASSPHRASE USER ARGS...: brankas on the vault DIR as USER,
# PASSPHRASE on fd 0.
as_in() {
	local dir=$1 pass=$2 user=$3
	shift 3
	bk -C "$dir" -u "$user" --passphrase-fd 0 "$@" <<<"$pass"
}

as() {
	as_in "$VAULT" "$(pass_of "$1")" "$@"
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
# With BK_TEMPLATE_CACHE (a directory tests/run makes for its run), the first
# bats file builds it there and every file copies it: a dozen key derivations
# less per file.
build_template() {
	local cache=${BK_TEMPLATE_CACHE:-}

	if [ ! -x "$BRANKAS" ]; then
		echo "no brankas binary at '$BRANKAS': run make" >&2
		return 1
	fi
	export TEMPLATE="$BATS_FILE_TMPDIR/template"
	export EVA_IDENTITY="$BATS_FILE_TMPDIR/eva.identity"
	if [ -z "$cache" ] || [ ! -d "$cache" ]; then
		build_template_in "$TEMPLATE" "$EVA_IDENTITY"
		return
	fi
	# one builder at a time (bats runs files in parallel); the others wait and copy
	(
		flock 9 || exit 1
		[ -e "$cache/built" ] && exit 0
		rm -rf "$cache/template" "$cache/eva.identity"
		build_template_in "$cache/template" "$cache/eva.identity" && echo "$EVA_ID" >"$cache/eva.id" &&
			touch "$cache/built"
	) 9>"$cache/lock" || return 1
	cp -a "$cache/template" "$TEMPLATE" && cp -a "$cache/eva.identity" "$EVA_IDENTITY" || return 1
	EVA_ID=$(cat "$cache/eva.id")
	export EVA_ID
}

# build_template_in DIR IDENTITY: build_template's vault in DIR, eva's identity file at IDENTITY
build_template_in() {
	local spec name role scope TEMPLATE=$1 EVA_IDENTITY=$2
	local -a scope_opt

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

# everyone_in: every template user but the evaluator unlocks (status), else says who did not
everyone_in() {
	local u
	for u in ada citra oki ani aud; do
		run as "$u" status
		[ "$status" -eq 0 ] || { echo "$u: exit $status: $output"; return 1; }
	done
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

# --- datasets, import and records (0100-0120) ---
#   FIXTURES                   tests/fixtures/import
#   fixture NAME...            copy fixture files into the cwd (messages then name them short)
#   db_key                     export vault.db's key to $BATS_TEST_TMPDIR/db.key once (as ada, audited)
#   db_sql SQL                 run SQL (or one .command) on $VAULT/vault.db with the $SQLCIPHER shell (db_key first)
#   store_key KEC              export the store key of kecamatan KEC to $BATS_TEST_TMPDIR/store-KEC.key once (as ada)
#   store_sql KEC SQL          run SQL on $VAULT/kec/KEC.db (its citizen rows) with the $SQLCIPHER shell
#   store_move ID FROM TO      move row ID of ds_warga from store FROM to store TO, as one holding both raw keys could
#   vault_rows                 the row count of every dataset table and of batches (db_key first)
#   vault_state                vault_rows plus the sha256 of audit.log and keyring
#   dataset_rows DATASET       the ROWS column of `dataset list` (as ada, audited)
#   stderr_line TEXT           assert that one line of $stderr (run --separate-stderr) is exactly TEXT
#   lacks TEXT...              assert that neither $output nor $stderr contains any TEXT
#   template_imports DATASET FILE...  (setup_file) build_template, then import each FILE into its DATASET as ada
#   people N M                 warga rows of people N..M-1 over three kecamatan, valid NIKs (0035, crash trials)
#   pemanfaatan_csv FILE       write three service uses: two of Siti (B, Kanigoro), one of Dewi (D, Wonodadi)
#   A_NIK A_NAMA, B_NIK B_NAMA, D_NIK D_NAMA   people of records.csv: rows 1 and 2 in Kanigoro, row 3 in Wonodadi

FIXTURES="$BATS_TEST_DIRNAME/../fixtures/import"

A_NIK=3505100101900001 A_NAMA="Budi Santoso"
B_NIK=3505104202850002 B_NAMA="Siti Aminah"
D_NIK=3505015203880004 D_NAMA="Dewi Lestari"

template_imports() {
	build_template || return 1
	VAULT=$TEMPLATE
	while [ $# -ge 2 ]; do
		as ada import "$1" "$2" >/dev/null || {
			echo "setup_file: importing '$2' into $1 failed" >&2
			unset VAULT
			return 1
		}
		shift 2
	done
	unset VAULT
}

pemanfaatan_csv() {
	printf '%s\n' "nik,kode_inovasi,tanggal,kanal,desa" \
		"$B_NIK,INO-01,2024-03-01,daring,35.05.10.2002" \
		"$B_NIK,INO-02,2024-04-01,luring,35.05.10.2002" \
		"$D_NIK,INO-01,2024-03-02,luring,Jaten" >"$1"
}

# people N M: the warga rows (no header) of people N..M-1, over Kanigoro, Wonodadi and
# Sanankulon in turn: each a valid NIK of its own, named "Orang N"
people() {
	awk -v from="$1" -v to="$2" 'BEGIN {
		split("10 01 05", kec, " ")
		for (i = from; i < to; i++) {
			k = kec[i % 3 + 1]; j = int(i / 3)
			d = 1 + j % 28; m = 1 + int(j / 28) % 12; y = 50 + int(j / 336) % 40; s = 1 + int(j / 13440)
			printf "3505%s%02d%02d%02d%04d,Orang %d,,19%02d-%02d-%02d,L,35.05.%s.2001,SMA,petani,tidak\n",
				k, d, m, y, s, i, y, m, d, k
		}
	}'
}

fixture() {
	local f
	for f in "$@"; do
		cp -- "$FIXTURES/$f" . || return 1
	done
}

db_key() {
	[ -s "$BATS_TEST_TMPDIR/db.key" ] && return 0
	as ada key export-db-key -o "$BATS_TEST_TMPDIR/db.key" >/dev/null 2>&1 || {
		echo "db_key: key export-db-key failed" >&2
		return 1
	}
}

keyed_sql() { # KEYFILE DBFILE SQL
	local out
	out=$({
		cat "$1"
		case $3 in
		.*) printf '%s\n' "$3" ;;
		*) printf '%s;\n' "$3" ;;
		esac
	} | "$SQLCIPHER" -bail "$2" 2>&1) || {
		printf 'sql on %s: %s\n%s\n' "$2" "$3" "$out" >&2
		return 1
	}
	# newer sqlcipher shells answer PRAGMA key with "ok"
	printf '%s\n' "$out" | sed '/^ok$/d'
}

db_sql() {
	keyed_sql "$BATS_TEST_TMPDIR/db.key" "$VAULT/vault.db" "$1"
}

store_key() {
	[ -s "$BATS_TEST_TMPDIR/store-$1.key" ] && return 0
	as ada key export-db-key --store "$1" -o "$BATS_TEST_TMPDIR/store-$1.key" >/dev/null 2>&1 || {
		echo "store_key: key export-db-key --store $1 failed" >&2
		return 1
	}
}

store_sql() {
	store_key "$1" && keyed_sql "$BATS_TEST_TMPDIR/store-$1.key" "$VAULT/kec/$1.db" "$2"
}

store_move() {
	local key
	store_key "$2" || return 1
	key=$(sed -n "s/^PRAGMA key = \"x'\([0-9A-Fa-f]*\)'\";\$/\1/p" "$BATS_TEST_TMPDIR/store-$2.key")
	[ ${#key} = 64 ] || { echo "store_move: no key in store-$2.key" >&2; return 1; }
	store_sql "$3" "PRAGMA cipher_default_hmac_algorithm = HMAC_SHA256;
		ATTACH '$VAULT/kec/$2.db' AS src KEY 'x''$key''';
		INSERT INTO ds_warga SELECT * FROM src.ds_warga WHERE id = $1;
		DELETE FROM src.ds_warga WHERE id = $1"
}

vault_rows() {
	local tables t sql=""
	tables=$(db_sql "SELECT name FROM sqlite_master WHERE type = 'table' AND (name LIKE 'ds\_%' ESCAPE '\\' OR name = 'batches') ORDER BY name") || return 1
	[ -n "$tables" ] || { echo "vault_rows: no tables" >&2; return 1; }
	for t in $tables; do
		sql="$sql${sql:+ UNION ALL }SELECT '$t', count(*) FROM \"$t\""
	done
	db_sql "$sql"
}

vault_state() {
	vault_rows || return 1
	(cd "$VAULT" && sha256sum audit.log keyring)
}

dataset_rows() {
	as ada dataset list 2>/dev/null | awk -v ds="$1" '$1 == ds { print $2; found = 1 } END { exit !found }'
}

stderr_line() {
	local l
	# stderr_lines is set by bats' run --separate-stderr
	# shellcheck disable=SC2154
	for l in "${stderr_lines[@]}"; do
		[ "$l" = "$1" ] && return 0
	done
	printf 'expected a line of stderr to be: %s\nstderr:\n%s\n' "$1" "${stderr-}" >&2
	return 1
}

lacks() {
	local t
	for t in "$@"; do
		if [[ "${output-}" == *"$t"* || "${stderr-}" == *"$t"* ]]; then
			printf 'the output holds what it must not: %s\nstdout:\n%s\nstderr:\n%s\n' "$t" "${output-}" "${stderr-}" >&2
			return 1
		fi
	done
}

# sql_file SQL: writes SQL to a new file in the test's directory and prints its
# path, for `query --file`: SQL with literals never goes on the command line.
sql_file() {
	local f
	f=$(mktemp "$BATS_TEST_TMPDIR/query.XXXXXX")
	printf '%s\n' "$1" >"$f"
	printf '%s\n' "$f"
}

# sampled: the lines of stdin, every TRIAL_STRIDE-th of them from a random
# start, the first and the last always. make check samples a tenth
# (TRIAL_STRIDE 10: each run tries another tenth, so runs over time try every
# point); make check-crash sets TRIAL_STRIDE=1 and tries them all. SAMPLED
# names the sample for a failure message.
sampled() {
	local stride=${TRIAL_STRIDE:-10}
	awk -v s="$stride" -v o=$((RANDOM % stride)) '
		{ a[NR] = $0 }
		END { for (i = 1; i <= NR; i++) if (i == 1 || i == NR || (i - 1) % s == o) print a[i] }'
}

# --- faults (0036, 0037): a command run under strace, one of its system calls failed or killed ---
#   fault_template             (setup_file) build_template, once strace is there
#   HEADER                     the header of a warga CSV file (0130 uses it too)
#   vault_sound                check (which verifies the log as audit verify does) passes and a record add as ada
#                              goes through; else says which did not
#   inject_at N SYSCALL ACTION ARGS...  brankas ARGS as ada on $VAULT (stdin: the file $INPUT, or nothing)
#                              under strace, which does ACTION (signal=SIGKILL, error=EIO, ...) at its Nth
#                              SYSCALL; sets status and output as run does; returns 0 when the Nth call came,
#                              1 when the command ended before it
#   write_points SYSCALL ARGS...  the N of each write point of SYSCALL in a clean run of brankas ARGS (the
#                              first call of each run of calls on one kind of file), then 1 + the number of calls
#   each_fault SYSCALL ACTION POINTS ARGS...  from a copy of $VAULT as it is, brankas ARGS with ACTION at
#                              each of its POINTS ("every": 1, 2, ... until it ends first; "writes":
#                              write_points), sampled, and once past its last call, fault_verify after each run and
#                              the copy put back; FAULTS counts the runs that met the fault
#   fault_verify N REACHED     what every run must leave (STATE_SQL, STATE_BEFORE, STATE_AFTER and
#                              FAULT_ACTION: see there); FAULTS_AFTER counts the faulted runs that left the change
#   log_claims                 the entries after FAULT_SEQ that say FAULT_ACTION was done (0035 too)
#   fault_state                "before" or "after" (or what the vault holds instead): the line that
#                              the function STATE_FN prints, by default state_sql: STATE_SQL's last line

HEADER="nik,nama,telepon,tanggal_lahir,jenis_kelamin,desa,pendidikan,pekerjaan,disabilitas"

fault_template() {
	command -v strace >/dev/null || {
		echo "strace is needed (make deps installs it)" >&2
		return 1
	}
	build_template
}

vault_sound() {
	# check verifies the log as audit verify does (verify_log: chain, signatures,
	# pinned head), besides every page and the keyring: one unlock for both
	run as ada check
	[ "$status" -eq 0 ] || { echo "check exit $status: $output"; return 1; }
	[[ "$output" == *"audit.log  ok: "*"chain intact"* ]] || { echo "check did not verify the log: $output"; return 1; }
	run bk -C "$VAULT" -u ada --passphrase-fd 3 record add warga 3<<<"$(pass_of ada)" <<<"$HEADER
3505100303800003,Agus,,1980-03-03,L,35.05.10.2003,SD,petani,tidak"
	[ "$status" -eq 0 ] || { echo "the next record add: exit $status: $output"; return 1; }
}

# traced ARGS...: strace ARGS... with LeakSanitizer off, which cannot run
# under ptrace and would fail the command (make asan sets detect_leaks=1).
traced() {
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace "$@"
}

# --seccomp-bpf stops the command at the traced calls only (twice as fast),
# but strace 6.1 then never delivers an injected signal: kills go without it.
inject_at() {
	local n=$1 sc=$2 action=$3 log="$BATS_TEST_TMPDIR/strace.log" bpf=--seccomp-bpf
	shift 3
	[[ "$action" != signal=* ]] || bpf=
	output=$(traced $bpf -f -qq -o "$log" -e trace="$sc" -e inject="$sc:$action:when=$n" \
		"$BRANKAS" -C "$VAULT" -u ada --passphrase-fd 3 "$@" 3<<<"$(pass_of ada)" <"${INPUT:-/dev/null}" 2>&1)
	status=$?
	[ "$status" -eq 137 ] || grep -q '(INJECTED' "$log"
}

# A write point is a call on another kind of file than the call before it
# (digits and the super-journal's name do not count): the 2nd to the 10th
# page written to one journal in a row take the same path as the 1st. Opens
# count when they create or append (reads are not write points).
write_points() {
	local sc=$1 log="$BATS_TEST_TMPDIR/points.log" copy="$BATS_TEST_TMPDIR/points"
	shift
	rm -rf "$copy"
	cp -a "$VAULT" "$copy"
	traced --seccomp-bpf -f -y -qq -o "$log" -e trace="$sc" "$BRANKAS" -C "$copy" -u ada --passphrase-fd 3 "$@" \
		3<<<"$(pass_of ada)" <"${INPUT:-/dev/null}" >/dev/null 2>&1 || {
		echo "write_points: the command failed without a fault" >&2
		return 1
	}
	rm -rf "$copy"
	awk -v sc="$sc" '
		/resumed>/ || !match($0, /^[0-9]+ +[a-z0-9_]+\(/) { next }
		{
			split(substr($0, 1, RLENGTH - 1), h, / +/)
			if (h[2] != sc) next
			rest = substr($0, RLENGTH + 1)
			calls++
			if (sc ~ /^open/ && rest !~ /O_CREAT|O_APPEND/) { prev = ""; next }
			if (sc ~ /^(open|unlink|rename|creat|truncate)/ && rest ~ /"/) {
				key = rest; sub(/^[^"]*"/, "", key); sub(/".*/, "", key)
			} else if (match(rest, /<[^>]*>/)) {
				key = substr(rest, RSTART, RLENGTH)
			} else {
				key = rest
			}
			gsub(/[0-9]+/, "#", key)
			gsub(/-mj[0-9A-F#]+/, "-mj", key)
			if (key != prev) print calls
			prev = key
		}
		END { print calls + 1 }' "$log"
}

# verify_left N REACHED: fault_verify, but when the run met its fault and
# left $VAULT byte for byte as $start (a sound vault as before the command:
# no file, no log entry changed), it checks only what is left to check, that
# the command was killed or failed with a message. Most early faults end so,
# and this saves fault_verify's five unlocks for them.
verify_left() {
	if [ "$2" = 1 ] && diff -rq "$start" "$VAULT" >/dev/null 2>&1; then
		[ "$status" -eq 137 ] && return 0
		[ "$status" -ne 0 ] && [ "$status" -lt 128 ] && [[ "$output" == *"brankas: "* ]] && return 0
		echo "exit $status, the vault untouched: $output"
		return 1
	fi
	fault_verify "$@"
}

# each_point_again SYSCALL ACTION ARGS...: each_fault's run over $points until
# one is past the command's last call, from the copy in $start
each_point_again() {
	local sc=$1 action=$2 n rc reached
	shift 2
	for n in $points; do
		reached=0
		inject_at "$n" "$sc" "$action" "$@" && reached=1
		rc=$status
		verify_left "$n" "$reached" || { echo "  after $action at $sc $n (exit $rc)"; return 1; }
		rm -rf "$VAULT"
		cp -a "$start" "$VAULT"
		[ "$reached" = 1 ] || return 0
		FAULTS=$((FAULTS + 1))
	done
}

each_fault() {
	local sc=$1 action=$2 mode=$3 start="$BATS_TEST_TMPDIR/start" n last reached points rc prev=0 tail_done=
	shift 3
	rm -rf "$start"
	cp -a "$VAULT" "$start"
	FAULT_SEQ=$(tail -n 1 "$VAULT/audit.log" | jq .seq)
	FAULTS=0 FAULTS_AFTER=0
	if [ "$mode" = writes ]; then
		points=$(write_points "$sc" "$@") || return 1
		last=$(tail -n 1 <<<"$points")
		points=$(sampled <<<"$points")
	else
		points=$(seq 1 200 | sampled)
		last=
	fi
	for n in $points; do
		reached=0
		inject_at "$n" "$sc" "$action" "$@" && reached=1
		if [ -n "$last" ] && [ "$reached" != $((n != last)) ]; then
			echo "$sc $n ($action): reached $reached, but the clean run made $((last - 1)) calls"
			return 1
		fi
		rc=$status
		verify_left "$n" "$reached" || { echo "  after $action at $sc $n (exit $rc)"; return 1; }
		rm -rf "$VAULT"
		cp -a "$start" "$VAULT"
		if [ "$reached" = 0 ] && [ "$mode" = every ] && [ -z "${tail_done:-}" ]; then
			# past the end of a sampled sweep: the calls skipped just before it too,
			# where the commit's last syncs and the steps after it lie
			tail_done=1 points=$(seq $((prev + 1)) $((n - 1)))
			each_point_again "$sc" "$action" "$@" || return 1
		fi
		[ "$reached" = 1 ] || return 0
		FAULTS=$((FAULTS + 1))
		prev=$n
	done
	echo "$sc: the command never finished"
	return 1
}

fault_state() {
	local line
	line=$("${STATE_FN:-state_sql}") || return 1
	if [ "$line" = "$STATE_BEFORE" ]; then
		echo before
	elif [ "$line" = "$STATE_AFTER" ]; then
		echo after
	else
		echo "'$line' ($STATE_SQL), neither '$STATE_BEFORE' nor '$STATE_AFTER'"
	fi
}

state_sql() {
	as ada query --format csv "$STATE_SQL" | tail -n 1 | tr -d '\r'
}

# log_claims: how many entries of $VAULT's log after seq FAULT_SEQ say that
# FAULT_ACTION was done (outcome ok; with CLAIM_PURPOSE, for that purpose),
# less those a later reconcile entry says did not take effect (their commit
# never happened)
log_claims() {
	jq -s --argjson after "$FAULT_SEQ" --arg action "$FAULT_ACTION" --arg purpose "${CLAIM_PURPOSE:-}" '
		[.[] | select(.action == "reconcile" and .outcome == "failed") | .target |
			capture("entries (?<a>[0-9]+)-(?<b>[0-9]+)") | {a: (.a | tonumber), b: (.b | tonumber)}] as $undone |
		[.[] | select(.seq > $after and .action == $action and .outcome == "ok" and
			($purpose == "" or .purpose == $purpose)) | .seq as $s |
			select(all($undone[]; $s < .a or $s > .b))] | length' "$VAULT/audit.log"
}

# fault_verify N REACHED: after a run that was killed or failed at its Nth
# call (REACHED 1) or ended before it (0), with its status and output: the
# query STATE_SQL (as ada) ends in the line STATE_BEFORE or STATE_AFTER, or
# the function STATE_FN prints one of them (the vault as before the command or
# as after it, nothing else; the unlock also reconciles the log with what a
# failed commit left), the command failed with a message
# or left "after", the log holds an entry of FAULT_ACTION with outcome ok
# after the first run's start exactly when the change is there (one that a
# later reconcile entry says did not take effect does not count), and the
# vault is sound (vault_sound).
fault_verify() {
	local n=$1 reached=$2 rc=$status out=$output state claims
	state=$(fault_state) || { echo "the query of the state failed: $state"; return 1; }
	case $state in
	before | after) ;;
	*) echo "the vault is neither as before nor as after: $state"; return 1 ;;
	esac
	if [ "$reached" = 0 ] || [ "$rc" -eq 0 ]; then
		if [ "$rc" -ne 0 ] || [ "$state" != after ]; then
			echo "exit $rc and the vault $state the command: $out"
			return 1
		fi
	elif [ "$rc" -ne 137 ] && [[ "$out" != *"brankas: "* ]]; then
		echo "exit $rc without a message: $out"
		return 1
	elif [ "$rc" -ne 137 ] && [ "$state" = after ] && [[ "$out" != *"the command was done, but"* ]]; then
		# a failure must have changed nothing, or say that the change was made (an error
		# past the commit point, as a directory sync after it, is no failure at all)
		echo "exit $rc, but the change is there: $out"
		return 1
	fi
	[ "$reached" = 0 ] || [ "$state" = before ] || FAULTS_AFTER=$((FAULTS_AFTER + 1))
	claims=$(log_claims) || { echo "audit.log does not read as JSON"; return 1; }
	if [ "$state" = after ] && [ "$claims" != 1 ]; then
		echo "the change is there, but $claims entries of $FAULT_ACTION say ok"
		return 1
	elif [ "$state" = before ] && [ "$claims" != 0 ]; then
		echo "the change is not there, but $claims entries of $FAULT_ACTION say ok"
		return 1
	fi
	vault_sound
}
