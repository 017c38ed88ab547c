#!/usr/bin/env bats
# crash: a command killed at any of its fsyncs (strace delivers SIGKILL on
# the Nth call) leaves the vault as before it or as after it, never half: its
# rows all in or all out over every kecamatan store, check passes, the log
# verifies and claims the change only when it is there, and the next command
# works. The loop and its checks are helper.bash's each_fault and
# fault_verify, shared with 0037 (errors instead of kills).

load helper

setup_file() {
	fault_template
}

setup() {
	fresh_vault
}

# every_kill ARGS...: brankas ARGS killed at its 1st, 2nd, ... fsync until it
# finishes (each_fault); at least 3 kills, one of them after the commit.
every_kill() {
	each_fault fsync,fdatasync signal=SIGKILL every "$@" || return 1
	[ "$FAULTS" -ge 3 ] || { echo "only $FAULTS kills"; return 1; }
	[ "$FAULTS_AFTER" -ge 1 ] || { echo "no kill came after the commit"; return 1; }
}

@test "an import over three kecamatan killed at any fsync: all its rows or none" {
	printf '%s\n%s\n%s\n%s\n' "$HEADER" \
		"3505104202850002,Siti,,1985-02-02,P,35.05.10.2002,SMP,guru,tidak" \
		"3505010404750004,Dewi,,1975-04-04,L,35.05.01.2001,SMA,pedagang,tidak" \
		"3505050606650006,Fajar,,1965-06-06,L,35.05.05.2001,SD,nelayan,tidak" >three.csv
	STATE_SQL="SELECT count(*) FROM warga" STATE_BEFORE=0 STATE_AFTER=3 FAULT_ACTION=import
	every_kill import warga three.csv
}

@test "a record add killed at any fsync: the row or nothing" {
	printf '%s\n%s\n' "$HEADER" "3505104202850002,Siti,,1985-02-02,P,35.05.10.2002,SMP,guru,tidak" >one.csv
	STATE_SQL="SELECT count(*) FROM warga" STATE_BEFORE=0 STATE_AFTER=1 FAULT_ACTION=record-add
	INPUT=one.csv every_kill record add warga
}

@test "a record edit that moves a row to another kecamatan, killed at any fsync: in one store, never both or none" {
	printf '%s\n%s\n' "$HEADER" "3505104202850002,Siti,,1985-02-02,P,35.05.10.2002,SMP,guru,tidak" >one.csv
	as ada import warga one.csv >/dev/null
	echo desa=Jaten >move.txt
	STATE_SQL="SELECT count(*), group_concat(kecamatan), group_concat(desa) FROM warga"
	STATE_BEFORE=1,35.05.10,35.05.10.2002 STATE_AFTER=1,35.05.01,35.05.01.2001 FAULT_ACTION=record-edit
	INPUT=move.txt every_kill record edit warga 1 --purpose "pindah"
}

# pending_request: 30 people in warga and eva's request 1 over them, pending
pending_request() {
	{ echo "$HEADER"; people 0 30; } >people.csv
	as ada import warga people.csv >/dev/null
	bk request new --identity "$EVA_IDENTITY" --passphrase-fd 0 --dataset warga --purpose "evaluasi" \
		--columns jenis_kelamin,desa --k 2 -o req.json <<<"$(pass_of eva)" >/dev/null 2>&1
	as ada request add req.json >/dev/null 2>&1
}

@test "a request approve killed after its commit, before its extract is all in place: approving again puts it in place" {
	local n
	pending_request
	cp -a "$VAULT" start
	# killed at its 1st, 2nd or 3rd rename: approved, its files staged or some in place
	for n in 1 2 3; do
		rm -rf "$VAULT" extract
		cp -a start "$VAULT"
		inject_at "$n" rename signal=SIGKILL request approve 1 -o extract || true
		[ "$status" -eq 137 ]
		[ "$(find extract -name '.staged-*' | wc -l)" -eq $((4 - n)) ]
		run as ada request list
		[[ "$output" == *" approved "* ]]
		run as ada request approve 1 -o extract
		[ "$status" -eq 0 ]
		[ "$output" = "request 1 was approved already: its extract is now in place in 'extract'" ]
		run ls -A extract
		[ "$output" = "$(printf 'data.csv.age\nmanifest.json\nmanifest.json.minisig')" ]
		run bk extract open extract --identity "$EVA_IDENTITY" --vault-pub "$VAULT/vault.pub" -o "data.$n.csv" \
			--passphrase-fd 0 <<<"$(pass_of eva)"
		[ "$status" -eq 0 ]
		[ "$(jq -s '[.[] | select(.action == "request-publish" and .outcome == "ok")] | length' "$VAULT/audit.log")" = 1 ]
		# in place: nothing more to finish
		run as ada request approve 1 -o extract
		[ "$status" -eq 1 ]
		has "request 1 is already approved"
		vault_sound
	done
}

@test "an approved request's extract staged in place of another is not put in place (exit 3)" {
	pending_request
	inject_at 1 rename signal=SIGKILL request approve 1 -o extract || true
	[ "$status" -eq 137 ]
	echo '{}' >extract/.staged-manifest.json
	run as ada request approve 1 -o extract
	[ "$status" -eq 3 ]
	has "is not the manifest of the approved extract"
	# nothing put in place
	run ls -A extract
	[ "$output" = "$(printf '.staged-data.csv.age\n.staged-manifest.json\n.staged-manifest.json.minisig')" ]
}

@test "request approve syncs the extract's directory after putting its files in place" {
	pending_request
	traced -f -y -qq -o trace.log -e trace=rename,fsync "$BRANKAS" -C "$VAULT" -u ada --passphrase-fd 3 \
		request approve 1 -o extract 3<<<"$(pass_of ada)" >/dev/null
	# the renames are in extract/: syncing only the directory above it left them to chance
	awk '/rename\(/ { r = NR } /fsync\([0-9]+<[^>]*\/extract>\)/ { f = NR } END { exit !(r && f > r) }' trace.log
}

@test "a backup killed at any fsync: the vault stays whole, no copy exists unaudited, one in place only when done" {
	local n reached claims starts
	{ echo "$HEADER"; people 0 30; } >people.csv
	as ada import warga people.csv >/dev/null
	cp -a "$VAULT" start
	for n in $(seq 1 60 | sampled); do
		reached=0
		inject_at "$n" fsync,fdatasync signal=SIGKILL backup -o b && reached=1
		claims=$(jq -s '[.[] | select(.action == "backup" and .outcome == "ok")] | length' "$VAULT/audit.log")
		starts=$(jq -s '[.[] | select(.action == "backup-start" and .outcome == "ok")] | length' "$VAULT/audit.log")
		vault_sound || { echo "after a kill at fsync $n"; return 1; }
		# no copy, whole or cut short, without its entry
		if [ -e b.part ] || [ -e b ]; then
			[ "$starts" = 1 ] || { echo "fsync $n: a copy on disk and $starts backup-start entries"; return 1; }
		fi
		if [ -e b ]; then
			[ "$claims" = 1 ] || { echo "fsync $n: a backup in place, $claims entries"; return 1; }
			run bk backup verify b --vault-pub "$VAULT/vault.pub"
			[ "$status" -eq 0 ] || { echo "fsync $n: $output"; return 1; }
		elif [ "$claims" = 1 ]; then
			# killed between its entry and its renames: what it left is whole
			run bk backup verify b.part --vault-pub "$VAULT/vault.pub"
			[ "$status" -eq 0 ] || { echo "fsync $n, b.part: $output"; return 1; }
		else
			[ "$claims" = 0 ]
		fi
		rm -rf "$VAULT" b b.minisig b.part b.part.minisig
		cp -a start "$VAULT"
		[ "$reached" = 1 ] || return 0
	done
	echo "the backup never finished"
	return 1
}
