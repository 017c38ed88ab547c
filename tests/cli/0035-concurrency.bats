#!/usr/bin/env bats
# concurrency: commands of several clerks at once never look like tampering.

load helper

setup_file() {
	build_template
}

setup() {
	fresh_vault
}

@test "40 commands at once: none sees a rolled-back vault, the log verifies" {
	local i
	for i in $(seq 1 40); do
		(
			set +e # bats runs tests under set -e: the exit code must reach rc.*
			as ada status >/dev/null 2>"$BATS_TEST_TMPDIR/err.$i"
			echo $? >"$BATS_TEST_TMPDIR/rc.$i"
		) &
	done
	wait
	run bash -c "cat '$BATS_TEST_TMPDIR'/rc.* | sort | uniq -c"
	[ "$output" = "$(printf '%7d 0' 40)" ] || { cat "$BATS_TEST_TMPDIR"/err.*; return 1; }
	run as aud audit verify
	[ "$status" -eq 0 ]
}

@test "clerks at once: an import, record adds, NIK lookups, queries and statuses all go through, nothing lost" {
	local i
	{ echo "$HEADER"; people 0 30; } >first.csv
	run as ada import warga first.csv
	[ "$status" -eq 0 ]
	{ echo "$HEADER"; people 30 10030; } >big.csv
	{
		set +e
		as ada import warga big.csv >/dev/null 2>err.import
		echo $? >rc.import
	} &
	for i in $(seq 1 8); do
		{
			set +e # bats runs tests under set -e: the exit code must reach rc.*
			bk -C "$VAULT" -u citra --passphrase-fd 3 record add warga 3<<<"$(pass_of citra)" \
				<<<"$HEADER
$(people $((39999 + 3 * i)) $((40000 + 3 * i)))" >/dev/null 2>"err.add.$i"
			echo $? >"rc.add.$i"
		} &
		{
			set +e # bats runs tests under set -e: the exit code must reach rc.*
			bk -C "$VAULT" -u citra --passphrase-fd 3 find --nik - --purpose "cek" 3<<<"$(pass_of citra)" \
				<<<"$(people $((3 * i)) $((3 * i + 1)) | cut -d, -f1)" >"out.find.$i" 2>"err.find.$i"
			echo $? >"rc.find.$i"
		} &
		{
			set +e # bats runs tests under set -e: the exit code must reach rc.*
			as ani query --format csv "SELECT count(*) FROM warga" >/dev/null 2>"err.query.$i"
			echo $? >"rc.query.$i"
		} &
		{
			set +e # bats runs tests under set -e: the exit code must reach rc.*
			as aud status >/dev/null 2>"err.status.$i"
			echo $? >"rc.status.$i"
		} &
	done
	wait
	run bash -c "cat rc.* | sort | uniq -c"
	[ "$output" = "$(printf '%7d 0' 33)" ] || { head err.*; return 1; }
	for i in $(seq 1 8); do
		[ "$(jq -r '.[0].nama' "out.find.$i")" = "Orang $((3 * i))" ] || { echo "find $i: $(cat "out.find.$i")"; return 1; }
	done
	[ "$(as ada query --format csv "SELECT count(*) FROM warga" | tail -n 1 | tr -d '\r')" = $((30 + 10000 + 8)) ]
	run as aud audit verify
	[ "$status" -eq 0 ]
	run as ada check
	[ "$status" -eq 0 ]
}

# writer I: record add of person I (people), as citra when in Kanigoro (I a
# multiple of 3), else as ada; its exit code in rc.I, its stderr in err.I, how
# long it ran (ms) in ms.I
writer() {
	local rc=0 user=ada t0=${EPOCHREALTIME/./} # bats runs tests under set -e
	[ $(($1 % 3)) != 0 ] || user=citra
	bk -C "$VAULT" -u "$user" --passphrase-fd 3 record add warga 3<<<"$(pass_of "$user")" \
		<<<"$HEADER
$(people "$1" $(($1 + 1)))" >/dev/null 2>"err.$1" || rc=$?
	echo $(((${EPOCHREALTIME/./} - t0) / 1000)) >"ms.$1"
	echo "$rc" >"rc.$1"
}

# TRIAL_WRITERS: 400 in make check-crash, 100 in make check
@test "hundreds of writers (record add as citra and ada, 100 at once): every row counted, none exits 3, the log agrees" {
	local i seq0 busy n=${TRIAL_WRITERS:-100}
	seq0=$(audit_last | jq .seq)
	# each unlock's Argon2 holds 64 MiB: 400 at once would need 25 GiB
	for i in $(seq 0 $((n - 1))); do
		while [ "$(jobs -rp | wc -l)" -ge 100 ]; do
			wait -n || true
		done
		writer "$i" &
	done
	wait
	# exit 0, or 5 with the plain words when the vault stayed busy past the 60 s wait
	run bash -c "cat rc.* | sort -u | tr '\n' ' '"
	[[ "$output" == "0 " || "$output" == "0 5 " ]] || { grep . err.* | head -20; return 1; }
	busy=$(grep -l 'is busy' err.* | wc -l)
	[ "$busy" = "$(grep -c '^5$' rc.*| awk -F: '{ s += $2 } END { print s }')" ]
	# nothing else on stderr but the notice of waiting
	run bash -c "cat err.* | grep -v '^brankas: waiting for another command to finish (at most 60 s)...$' | grep -v 'is busy\|hint: brankas waited 60 s'"
	[ "$output" = "" ]
	# busy only after waiting the whole 60 s (SQLite gives up at once on a read
	# transaction that turns into a write one while another writes: no such thing here)
	for i in $(grep -l '^5$' rc.* | sed 's/^rc\.//'); do
		grep -qx "brankas: error: the vault is busy (another command holds vault.db): try again" "err.$i" ||
			{ echo "writer $i: $(cat "err.$i")"; return 1; }
		[ "$(cat "ms.$i")" -ge 60000 ] || { echo "writer $i was busy after $(cat "ms.$i") ms"; return 1; }
	done
	echo "# $busy of $n writers found the vault busy past the wait" >&3
	# the rows are exactly those of the writers that exited 0
	grep -l '^0$' rc.* | sed 's/^rc\./Orang /' | sort >expected
	as ada query --purpose "uji" --format csv "SELECT reveal(nama) FROM warga" | tail -n +2 | tr -d '\r' | sort >got
	run diff expected got
	[ "$status" -eq 0 ]
	[ "$(wc -l <got)" -eq $((n - busy)) ]
	# and the log says so: one record-add ok each, none of them reconciled away
	FAULT_SEQ=$seq0 FAULT_ACTION=record-add
	[ "$(log_claims)" = $((n - busy)) ]
	run as aud audit verify
	[ "$status" -eq 0 ]
	run as ada check
	[ "$status" -eq 0 ]
}

until_released() {
	local i
	for i in $(seq 1 300); do
		[ ! -e release ] || return 0
		sleep 0.1
	done
}

# busy_probe DIR NAME: `status` as ada on the vault DIR in the background,
# waiting 2 s, its exit code and stderr in NAME.rc and NAME.err
busy_probe() {
	{
		local rc=0 # bats runs tests under set -e
		as_in "$1" "$(pass_of ada)" ada --wait 2 status >/dev/null 2>"$2.err" || rc=$?
		echo "$rc" >"$2.rc"
	} &
}

@test "a command kept waiting past the busy timeout says the vault is busy (exit 5), never SQLite's words" {
	local holders=() probes=()
	db_key
	cp -a "$VAULT" held-log
	# vault.db held by a writer in its commit (sqlcipher's shell), audit.log by another's
	# flock, each until the file "release" is there (30 s at most, should the test fail)
	{
		cat "$BATS_TEST_TMPDIR/db.key"
		echo "BEGIN EXCLUSIVE; SELECT 'held';"
		until_released
		echo "COMMIT;"
	} | "$SQLCIPHER" "$VAULT/vault.db" >held.out 2>&1 &
	holders+=($!)
	flock -x held-log/audit.log bash -c "echo held >held-log.out; $(declare -f until_released); until_released" &
	holders+=($!)
	for _ in $(seq 1 100); do
		grep -q held held.out 2>/dev/null && grep -q held held-log.out 2>/dev/null && break
		sleep 0.1
	done
	grep -q held held.out && grep -q held held-log.out
	busy_probe "$VAULT" db
	probes+=($!)
	busy_probe held-log log
	probes+=($!)
	wait "${probes[@]}"
	touch release
	wait "${holders[@]}"
	run cat db.rc log.rc db.err log.err
	[ "$(cat db.rc log.rc)" = "$(printf '5\n5')" ]
	# told once that it waits, then that the vault is busy, and how to wait longer
	[ "$(cat db.err)" = "brankas: waiting for another command to finish (at most 2 s)...
brankas: error: the vault is busy (another command holds vault.db): try again
brankas: hint: brankas waited 2 s for another command to finish (a long import can take longer): try again later, or wait longer with 'brankas --wait SECONDS ...'" ]
	[ "$(sed -n 2p log.err)" = "brankas: error: the vault is busy (another command holds audit.log): try again" ]
	run grep -il "locked\|database" db.err log.err
	[ "$status" -eq 1 ]
	# nothing was held against them: both vaults are whole
	run as ada check
	[ "$status" -eq 0 ]
	run as_in held-log "$(pass_of aud)" aud audit verify
	[ "$status" -eq 0 ]
}
