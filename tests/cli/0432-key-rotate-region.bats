#!/usr/bin/env bats
# key rotate --region / --all-regions: a kecamatan's key pair, store key and
# blind key get their next version; data keys and inbox entries are sealed
# again, the NIK index made again and the store copied under the new key; the
# old versions' grants are dropped. Every user still reaches what their scope
# holds, the old store key opens nothing, and killed at any fsync the vault
# opens for everyone and running it again finishes. With --reencrypt every
# value of the kecamatan is sealed again under a fresh data key and the old
# data keys are dropped; killed, the same command continues.

load helper

setup_file() {
	fault_template
}

setup() {
	fresh_vault
}

# region_grants KEC: "user:key" of every grant of the kecamatan's keys, sorted
region_grants() {
	head -n 1 "$VAULT/keyring" | jq -r --arg k "$1" \
		'[.grants[] | select(.key | test(":" + $k + ":")) | "\(.user):\(.key)"] | sort | join(" ")'
}

# versions KEC: the versions of the kecamatan's keys granted, as "v1" or "v1,v2"
versions() {
	head -n 1 "$VAULT/keyring" | jq -r --arg k "$1" \
		'[.grants[] | select(.key | test(":" + $k + ":")) | .key | sub(".*:"; "")] | unique | join(",")'
}

# opens DB KEYFILE: the count of sqlite_master through sqlcipher with that key
opens() {
	{ cat "$2"; echo "SELECT count(*) FROM sqlite_master;"; } | "$SQLCIPHER" "$1" 2>&1 | tail -n 1
}

# rows_in USER KEC: the warga rows of the kecamatan USER reads
rows_in() {
	as "$1" query --format csv --file "$(sql_file "SELECT count(*) FROM warga WHERE kecamatan = '$2'")" |
		tail -n 1 | tr -d '\r'
}

# finds_siti: citra finds oki's row by its NIK, through the blind index
finds_siti() {
	bk -C "$VAULT" -u citra --passphrase-fd 3 find --nik - --purpose "cek" 3<<<"$(pass_of citra)" <<<3505104202850002
}

# names_in KEC: the names of the kecamatan's warga, revealed by ada, in row order
names_in() {
	as ada query --purpose "uji" --format csv \
		--file "$(sql_file "SELECT reveal(nama) FROM warga WHERE kecamatan = '$1' ORDER BY id")" 2>/dev/null | tr -d '\r'
}

# batches_of KEC: "key_id:rows" of each batch the rows of the kecamatan's store refer to
batches_of() {
	local ids
	ids=$(store_sql "$1" "SELECT group_concat(DISTINCT batch) FROM ds_warga") || return 1
	db_key && db_sql "SELECT group_concat(key_id, ' ') FROM batches WHERE id IN ($ids)"
}

# nine people in Kanigoro, Wonodadi and Sanankulon, and one row oki (operator,
# Kanigoro) added through the inbox
with_rows() {
	{ echo "$HEADER"; people 0 9; } >p.csv
	as ada import warga p.csv >/dev/null || return 1
	bk -C "$VAULT" -u oki --passphrase-fd 3 record add warga 3<<<"$(pass_of oki)" <<<"$HEADER
3505104202850002,Siti,,1985-02-02,P,35.05.10.2002,SMP,guru,tidak" >/dev/null
}

@test "key rotate --region Kanigoro: v2 for the same holders, the old store key opens nothing, the inbox row moves in, NIKs are found" {
	with_rows
	before=$(region_grants 35.05.10 | sed 's/:v1//g')
	as ada key export-db-key --store 35.05.10 -o old.key >/dev/null 2>&1
	run as ada key rotate --region Kanigoro
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	has "kecamatan Kanigoro is under kecamatan:35.05.10:v2 and new store and blind keys; the older versions are retired"
	has "data keys and inbox entries sealed again"
	# the same holders (admin, custodian: all three; analyst: the store key), of v2 only
	[ "$(region_grants 35.05.10 | sed 's/:v2//g')" = "$before" ]
	[ "$(versions 35.05.10)" = v2 ]
	[ "$(versions 35.05.01)" = v1 ]
	[ ! -e "$VAULT/kec/35.05.10.db.rotating" ]
	run opens "$VAULT/kec/35.05.10.db" old.key
	[[ "$output" == *"file is not a database"* ]]
	as ada key export-db-key --store 35.05.10 -o new.key >/dev/null 2>&1
	[ "$(opens "$VAULT/kec/35.05.10.db" new.key)" -gt 3 ]
	everyone_in
	# every batch of Kanigoro is sealed to the new pair
	db_key
	[ "$(db_sql "SELECT group_concat(DISTINCT key_id) FROM batches WHERE kecamatan = '35.05.10'")" = kecamatan:35.05.10:v2 ]
	# the custodian's unlock moved oki's row in: it opens with the new pair only
	[ "$(rows_in citra 35.05.10)" = 4 ]
	[ "$(rows_in ani 35.05.10)" = 4 ]
	run finds_siti
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	has "Siti"
	run as ada check
	[ "$status" -eq 0 ]
	run as aud audit verify --full
	[ "$status" -eq 0 ]
	[ "$(jq -r 'select(.action == "key-rotate") | .target' "$VAULT/audit.log" | sort -u)" = region:35.05.10 ]
}

@test "key rotate --all-regions: every kecamatan at v2, every row still there, a second rotation makes v3" {
	with_rows
	run as ada key rotate --all-regions
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	has "22 kecamatan are under new key pairs, store and blind keys"
	[ "$(head -n 1 "$VAULT/keyring" | jq -r '[.grants[] | select(.key | test("^(kecamatan|store|blind):")) | .key | sub(".*:"; "")] | unique | join(",")')" = v2 ]
	everyone_in
	[ "$(rows_in ada 35.05.10)" = 4 ]
	[ "$(rows_in ada 35.05.01)" = 3 ]
	[ "$(rows_in ada 35.05.05)" = 3 ]
	run as ada key rotate --region 35.05.01
	[ "$status" -eq 0 ]
	[ "$(versions 35.05.01)" = v3 ]
	[ "$(rows_in ada 35.05.01)" = 3 ]
	run as ada check
	[ "$status" -eq 0 ]
}

@test "key rotate --region Kanigoro --reencrypt: every value under one fresh data key, the old ones dropped, names and NIKs as before" {
	with_rows
	before=$(names_in 35.05.10)
	[ "$(wc -l <<<"$before")" = 5 ]
	run as ada key rotate --region Kanigoro --reencrypt
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	has "rows sealed again under fresh data keys in 1 kecamatan"
	[ "$(versions 35.05.10)" = v2 ]
	# every row of the store under one batch, sealed to the new pair; no older batch of Kanigoro left
	[ "$(batches_of 35.05.10)" = kecamatan:35.05.10:v2 ]
	[ "$(db_sql "SELECT count(*) FROM batches WHERE kecamatan = '35.05.10'")" = 1 ]
	[ "$(db_sql "SELECT count(*) FROM meta WHERE key LIKE 'reseal:%'")" = 0 ]
	# Wonodadi untouched
	[ "$(db_sql "SELECT group_concat(DISTINCT key_id) FROM batches WHERE kecamatan = '35.05.01'")" = kecamatan:35.05.01:v1 ]
	[ "$(names_in 35.05.10)" = "$before" ]
	run finds_siti
	has "Siti"
	run as ada status
	lacks "under way" "still to be sealed"
	everyone_in
	run as ada check
	[ "$status" -eq 0 ]
	run as aud audit verify --full
	[ "$status" -eq 0 ]
	[ "$(jq -s '[.[] | select(.action == "reseal")] | length' "$VAULT/audit.log")" = 2 ]
	# --reencrypt alone names no kecamatan: a usage error
	run as ada key rotate --reencrypt
	[ "$status" -eq 2 ]
}

@test "a batch that names another kecamatan's key pair is tampering (3), for a reveal and for a rotation" {
	with_rows
	db_key
	db_sql "UPDATE batches SET key_id = 'kecamatan:35.05.01:v1' WHERE kecamatan = '35.05.10'"
	run as ada query --purpose uji --format csv --file "$(sql_file "SELECT reveal(nama) FROM warga WHERE kecamatan = '35.05.10'")"
	[ "$status" -eq 3 ]
	has "a sealed value does not open: the vault was altered"
	run as ada key rotate --region Kanigoro
	[ "$status" -eq 3 ]
	has "names the key 'kecamatan:35.05.01:v1' of another"
}

@test "key rotate --region: only an admin (4, audited); an unknown kecamatan or two keys at once is a usage error (2)" {
	local u
	for u in citra oki ani aud; do
		run as "$u" key rotate --region Kanigoro
		[ "$status" -eq 4 ] || { echo "$u: exit $status"; return 1; }
	done
	[ "$(versions 35.05.10)" = v1 ]
	run as ada key rotate --region Atlantis
	[ "$status" -eq 2 ]
	has "'Atlantis' is not a kecamatan of this vault"
	run as ada key rotate --region Kanigoro --db
	[ "$status" -eq 2 ]
	[ "$(versions 35.05.10)" = v1 ]
}

@test "key rotate --region killed at any fsync: everyone unlocks, check passes, no row is lost, running it again finishes" {
	local n u reached
	with_rows
	cp -a "$VAULT" start
	for n in $(seq 1 120 | sampled); do
		reached=0
		inject_at "$n" fsync,fdatasync signal=SIGKILL key rotate --region Kanigoro && reached=1
		for u in ada citra oki; do
			run as "$u" status
			[ "$status" -eq 0 ] || { echo "after a kill at fsync $n: $u: exit $status: $output"; return 1; }
		done
		run as ada check
		[ "$status" -eq 0 ] || { echo "fsync $n: check: $output"; return 1; }
		[ "$(rows_in citra 35.05.10)" = 4 ] || { echo "fsync $n: rows lost"; return 1; }
		if [ "$(versions 35.05.10)" != v2 ]; then
			run as ada key rotate --region Kanigoro
			[ "$status" -eq 0 ] || { echo "fsync $n: the rerun: $output"; return 1; }
		fi
		[ "$(versions 35.05.10)" = v2 ] || { echo "fsync $n: versions $(versions 35.05.10) after the rerun"; return 1; }
		[ ! -e "$VAULT/kec/35.05.10.db.rotating" ] || { echo "fsync $n: a .rotating file left"; return 1; }
		[ "$(rows_in citra 35.05.10)" = 4 ] || { echo "fsync $n: rows lost after the rerun"; return 1; }
		run finds_siti
		[[ "$output" == *Siti* ]] || { echo "fsync $n: the NIK is not found: $output"; return 1; }
		run as aud audit verify --full
		[ "$status" -eq 0 ] || { echo "fsync $n: audit verify: $output"; return 1; }
		rm -rf "$VAULT"
		cp -a start "$VAULT"
		[ "$reached" = 1 ] || return 0
	done
	echo "the rotation never finished"
	return 1
}

@test "key rotate --region --reencrypt killed at any fsync: the same command continues, v2 only, every value under the fresh key" {
	local n u reached before
	with_rows
	before=$(names_in 35.05.10)
	rm -f "$BATS_TEST_TMPDIR"/*.key
	cp -a "$VAULT" start
	for n in $(seq 1 160 | sampled); do
		reached=0
		inject_at "$n" fsync,fdatasync signal=SIGKILL key rotate --region Kanigoro --reencrypt && reached=1
		for u in ada citra oki; do
			run as "$u" status
			[ "$status" -eq 0 ] || { echo "after a kill at fsync $n: $u: exit $status: $output"; return 1; }
		done
		[ "$(names_in 35.05.10)" = "$before" ] || { echo "fsync $n: the values changed"; return 1; }
		run as ada status
		if [ "$(versions 35.05.10)" != v2 ] || [[ "$output" == *"still to be sealed"* ]]; then
			run as ada key rotate --region Kanigoro --reencrypt
			[ "$status" -eq 0 ] || { echo "fsync $n: the rerun: $output"; return 1; }
		fi
		[ "$(versions 35.05.10)" = v2 ] || { echo "fsync $n: versions $(versions 35.05.10) after the rerun"; return 1; }
		[ "$(batches_of 35.05.10)" = kecamatan:35.05.10:v2 ] || { echo "fsync $n: batches $(batches_of 35.05.10)"; return 1; }
		[ "$(db_sql "SELECT count(*) FROM meta WHERE key LIKE 'reseal:%'")" = 0 ] || { echo "fsync $n: a marker left"; return 1; }
		[ "$(names_in 35.05.10)" = "$before" ] || { echo "fsync $n: the values changed after the rerun"; return 1; }
		run as ada check
		[ "$status" -eq 0 ] || { echo "fsync $n: check: $output"; return 1; }
		run as aud audit verify --full
		[ "$status" -eq 0 ] || { echo "fsync $n: audit verify: $output"; return 1; }
		rm -rf "$VAULT" "$BATS_TEST_TMPDIR"/*.key
		cp -a start "$VAULT"
		[ "$reached" = 1 ] || return 0
	done
	echo "the rotation never finished"
	return 1
}
