#!/usr/bin/env bats
# backup, backup verify, restore: one signed file holding the whole vault,
# restored into a new directory that equals it row by row and says in its log
# that it was restored; any altered byte refused with exit 3.

load helper

DATASETS="inovasi warga pemanfaatan skm pengaduan"

setup_file() {
	cd "$BATS_FILE_TMPDIR" || return 1
	bk demo demo --citizens 150 >/dev/null 2>&1 || { echo "demo failed" >&2; return 1; }
	export DEMO="$BATS_FILE_TMPDIR/demo"
}

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	cp -a "$DEMO" v
}

on() { # DIR USER ARGS...: brankas on DIR as the demo USER
	local dir=$1 user=$2
	shift 2
	bk -C "$dir" -u "$user" --passphrase-fd 3 "$@" 3<<<"$(demo_pass "$user")"
}

# dump DIR: every row of every dataset, sealed values revealed, in id order
dump() {
	local ds cols
	for ds in $DATASETS; do
		cols=$(on "$1" ada dataset show "$ds" | awk '/sealed/ { printf ", reveal(%s)", $1 }')
		echo "== $ds"
		on "$1" ada query --purpose "uji pulih" --format csv "SELECT *$cols FROM $ds ORDER BY id" 2>/dev/null || return 1
	done
}

@test "restore(backup(v)) equals v row by row; check and audit verify pass; the log records backup and restore" {
	dump v >before
	[ "$(grep -c . before)" -gt 500 ]
	run on v ada backup -o v.backup
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[ -s v.backup ] && [ -s v.backup.minisig ]
	[ ! -e v.backup.part ] && [ ! -e v.backup.part.minisig ]
	[ "$(tail -n 1 v/audit.log | jq -r '.action + " " + .outcome')" = "backup ok" ]
	# minisign, the tool people trust, verifies it with the vault's public key
	run minisign -Vm v.backup -p v/vault.pub
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	run on v ada backup verify v.backup
	[ "$status" -eq 0 ]
	[[ "$output" == "ok: backup of vault "*", up to audit entry "*"; 26 files; signed by key "* ]] || { echo "$output"; return 1; }
	# the vault goes on after the backup: the restore must not have that row
	on v citra record add warga <<<"nik,nama,telepon,tanggal_lahir,jenis_kelamin,desa,pendidikan,pekerjaan,disabilitas
3505104505950007,Rina Setelah,,1995-05-05,P,35.05.10.2001,S1,guru,tidak" >/dev/null
	run bk -u ada --passphrase-fd 3 restore v.backup r --vault-pub v/vault.pub 3<<<"$(demo_pass ada)"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[ ! -e r.restoring ]
	[ "$(stat -c %a r)" = 700 ]
	# the restored log ends with the signed restore entry naming the backup's entry
	seq=$(jq -r .audit.seq < <(tail -n 2 v.backup | head -n 1))
	[ "$(grep -c '"action":"restore"' r/audit.log)" = 1 ]
	# the backup holds the entry that announced it, and not the one that ended it
	[ "$(jq -r --argjson s "$seq" 'select(.seq == $s) | .action' r/audit.log)" = backup-start ]
	jq -e --argjson s "$seq" 'select(.action == "restore") | .outcome == "ok" and .rows == $s and .actor == "ada"' r/audit.log
	run on r ada check
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	run on r aud audit verify
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	dump r >after
	run diff before after
	[ "$status" -eq 0 ] || { echo "$output" | head -20; return 1; }
	# every file of the backup is the one restored, byte for byte (the log then
	# grew by the restore, vault.db by its pin)
	cmp r/keyring v/keyring
	cmp r/vault.pub v/vault.pub
	for f in v/kec/*.db; do cmp "$f" "r/kec/${f##*/}" || [ "${f##*/}" = 35.05.10.db ]; done
	# the restored vault works: the row added after the backup can be added again
	run on r citra record add warga <<<"nik,nama,telepon,tanggal_lahir,jenis_kelamin,desa,pendidikan,pekerjaan,disabilitas
3505104505950007,Rina Setelah,,1995-05-05,P,35.05.10.2001,S1,guru,tidak"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
}

@test "a backup altered in any byte, or its signature, is refused with exit 3 and restores nothing" {
	local size off idx
	on v ada backup -o b >/dev/null 2>&1
	size=$(stat -c %s b)
	idx=$((16#$(tail -n 1 b | cut -d' ' -f2)))
	# the header, vault.db's first page and a later one, a store, the keyring, the
	# log, the index, the trailer, the last byte
	for off in 0 17 100 5000 $((idx / 2)) $((idx - 200)) $((idx - 20)) $((idx + 30)) $((size - 10)) -1; do
		cp b c
		cp b.minisig c.minisig
		flip c "$off"
		run bk backup verify c --vault-pub v/vault.pub
		[ "$status" -eq 3 ] || { echo "offset $off: exit $status: $output"; return 1; }
		run bk -u ada --passphrase-fd 3 restore c r --vault-pub v/vault.pub 3<<<"$(demo_pass ada)"
		[ "$status" -eq 3 ] || { echo "restore, offset $off: exit $status: $output"; return 1; }
		[ ! -e r ] && [ ! -e r.restoring ]
	done
	# a byte of the signature, or none at all
	cp b c
	cp b.minisig c.minisig
	flip c.minisig 60
	run bk backup verify c --vault-pub v/vault.pub
	[ "$status" -eq 3 ]
	rm c.minisig
	run bk backup verify c --vault-pub v/vault.pub
	[ "$status" -eq 3 ]
	[[ "$output" == *"has no readable signature"* ]]
	# cut short, or grown by a byte
	head -c $((size - 1)) b >c && cp b.minisig c.minisig
	run bk backup verify c --vault-pub v/vault.pub
	[ "$status" -eq 3 ]
	{ cat b; printf x; } >c
	run bk backup verify c --vault-pub v/vault.pub
	[ "$status" -eq 3 ]
	# whole again: verifies
	run bk backup verify b --vault-pub v/vault.pub
	[ "$status" -eq 0 ]
}

@test "a backup is checked against the vault.pub one trusts: another vault's key refuses it (3)" {
	on v ada backup -o b >/dev/null 2>&1
	bk init other --admin ada --kdf interactive --passphrase-fd 0 <<<"$(pass_of ada)" >/dev/null
	run bk backup verify b --vault-pub other/vault.pub
	[ "$status" -eq 3 ]
	[[ "$output" == *"the signature does not verify under key"* ]]
	run bk -C other backup verify b
	[ "$status" -eq 3 ]
	# a whole backup re-signed by someone else's key and carrying their vault.pub is
	# whole by its own key: said plainly, never as trusted
	run bk backup verify b
	[ "$status" -eq 0 ]
	[[ "$output" == *"checked against its own vault.pub"* ]]
}

@test "only admins and unscoped custodians back up (4, audited); a restore needs an admin of the backup" {
	local u
	for u in citra oki ani aud; do
		run on v "$u" backup -o "b.$u"
		[ "$status" -eq 4 ] || { echo "$u: exit $status: $output"; return 1; }
		[ ! -e "b.$u" ] && [ ! -e "b.$u.part" ]
	done
	[ "$(jq -r 'select(.action == "backup" and .outcome == "denied") | .actor' v/audit.log | sort | tr '\n' ' ')" = "ani aud citra oki " ]
	on v ada backup -o b >/dev/null 2>&1
	# a custodian holds a passphrase of the backup but is no admin: nothing stays behind
	run bk -u citra --passphrase-fd 3 restore b r 3<<<"$(demo_pass citra)"
	[ "$status" -eq 4 ]
	[ ! -e r ] && [ ! -e r.restoring ]
	# a wrong passphrase: exit 3, nothing stays behind
	run bk -u ada --passphrase-fd 3 restore b r 3<<<"wrong-passphrase"
	[ "$status" -eq 3 ]
	[ ! -e r ] && [ ! -e r.restoring ]
}

@test "backup and restore refuse to write over anything, before unlocking" {
	touch taken
	run on v ada backup -o taken
	[ "$status" -eq 1 ]
	[[ "$output" == *"'taken' already exists"* ]]
	[ "$(grep -c '"action":"backup"' v/audit.log)" = 0 ]
	# what a stopped backup left is named, and nothing is logged
	touch stopped.part.minisig
	run on v ada backup -o stopped
	[ "$status" -eq 1 ]
	[[ "$output" == *"'stopped.part' or 'stopped.part.minisig' already exists"* ]]
	[[ "$output" == *"hint: a backup that was stopped left it"* ]]
	[ "$(grep -c '"action":"backup' v/audit.log)" = 0 ]
	on v ada backup -o b >/dev/null 2>&1
	mkdir there
	run bk -u ada --passphrase-fd 3 restore b there 3<<<"$(demo_pass ada)"
	[ "$status" -eq 1 ]
	[[ "$output" == *"'there' already exists"* ]]
	[ -z "$(ls there)" ]
}

@test "a backup taken while clerks add records holds one committed state: the restore passes check" {
	local i
	for i in 1 2 3 4 5 6; do
		{
			set +e # bats runs tests under set -e: the exit code must reach rc.*
			on v citra record add warga <<<"nik,nama,telepon,tanggal_lahir,jenis_kelamin,desa,pendidikan,pekerjaan,disabilitas
35051045059500$((10 + i)),Rina $i,,1995-05-05,P,35.05.10.2001,S1,guru,tidak" >/dev/null 2>"err.$i"
			echo $? >"rc.$i"
		} &
	done
	run on v ada backup -o b
	wait
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[ "$(cat rc.* | sort -u)" = 0 ] || { cat err.*; return 1; }
	run bk -u ada --passphrase-fd 3 restore b r --vault-pub v/vault.pub 3<<<"$(demo_pass ada)"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	run on r ada check
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	run on r aud audit verify
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	# the restore holds exactly the records its log says were added
	added=$(jq -s --argjson s "$(jq -r .audit.seq < <(tail -n 2 b | head -n 1))" \
		'[.[] | select(.seq <= $s and .action == "record-add" and .outcome == "ok")] | length' r/audit.log)
	sql="SELECT count(*) FROM warga WHERE desa = '35.05.10.2001' AND pendidikan = 'S1' AND tanggal_lahir = '1995-05-05'"
	rows=$(on r ada query --format csv - <<<"$sql" | tail -n 1 | tr -d '\r')
	base=$(on "$DEMO" ada query --format csv - <<<"$sql" | tail -n 1 | tr -d '\r')
	[ "$rows" = $((base + added)) ] || { echo "rows $rows, base $base, added $added"; return 1; }
}

@test "an outside checkpoint made after the backup meets the restore: said plainly (1), not as tampering (3)" {
	on v ada backup -o b >/dev/null 2>&1
	on v citra status >/dev/null
	on v aud audit head -o cp.json >/dev/null 2>&1
	bk -u ada --passphrase-fd 3 restore b r --vault-pub v/vault.pub 3<<<"$(demo_pass ada)" >/dev/null 2>&1
	on r citra status >/dev/null
	run on r aud audit verify --since cp.json
	[ "$status" -eq 1 ] || { echo "exit $status: $output"; return 1; }
	[[ "$output" == *"the vault was restored at entry "*" (by ada, "*") from a backup made at entry "*", so the history after that entry was rewound by the restore, not altered"* ]] ||
		{ echo "$output"; return 1; }
	# the same log edited by hand instead of restored is tampering, as before
	run on v aud audit verify --since cp.json
	[ "$status" -eq 0 ]
	sed -i '$d' v/audit.log
	run on v aud audit verify --since cp.json
	[ "$status" -eq 3 ]
}
