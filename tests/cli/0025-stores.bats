#!/usr/bin/env bats
# stores: one SQLCipher store per kecamatan under its own key; each user's
# unlock attaches only the stores of their keys; a removed or swapped store is
# tampering for those who hold it; a vault made before the stores gets them
# at its first admin unlock.

load helper

setup_file() {
	build_template
}

setup() {
	fresh_vault
}

attached() { # USER: how many stores the user's connection attached
	as "$1" status --format json | jq -r '.stores.attached'
}

@test "init makes one store per kecamatan: private, encrypted, none plain SQLite" {
	[ "$(stat -c %a "$VAULT/kec")" = 700 ]
	run bash -c "ls '$VAULT/kec' | wc -l"
	[ "$output" = 22 ]
	for f in "$VAULT"/kec/*.db; do
		[ "$(stat -c %a "$f")" = 600 ]
		[ "$(head -c 15 "$f")" != "SQLite format 3" ]
	done
	[ -e "$VAULT/kec/35.05.10.db" ] # Kanigoro
}

@test "each role attaches the stores of its keys and no other" {
	[ "$(attached ada)" = 22 ]
	[ "$(attached citra)" = 1 ] # custodian of Kanigoro
	[ "$(attached ani)" = 22 ]  # an unscoped analyst reads every kecamatan's plain columns
	[ "$(attached oki)" = 0 ]   # operators write only
	[ "$(attached aud)" = 0 ]   # auditors: audit, check and status only
	run as citra status
	[ "$status" -eq 0 ]
	has "1 of 22 kecamatan stores attached"
}

@test "a removed store is tampering for its holders (exit 3), not for users without its key" {
	rm "$VAULT/kec/35.05.10.db"
	run as citra status
	[ "$status" -eq 3 ]
	has "the store of kecamatan 35.05.10 was removed"
	run as ada status
	[ "$status" -eq 3 ]
	run as aud audit verify
	[ "$status" -eq 0 ]
}

@test "a store swapped for another kecamatan's does not open (exit 3)" {
	cp "$VAULT/kec/35.05.01.db" "$VAULT/kec/35.05.10.db"
	run as citra status
	[ "$status" -eq 3 ]
	has "does not open with its key"
	# a page flipped inside a store is seen too
	fresh_vault
	flip "$VAULT/kec/35.05.10.db" 100
	run as citra status
	[ "$status" -eq 3 ]
}

@test "a vault made before the stores gets a store per kecamatan at its first admin unlock, rows kept" {
	cp -a "$BATS_TEST_DIRNAME/../fixtures/vault-before-stores" "$BATS_TEST_TMPDIR/old"
	rm "$BATS_TEST_TMPDIR/old/README.md"
	VAULT=$BATS_TEST_TMPDIR/old
	[ ! -e "$VAULT/kec" ]
	rows=$(jq -s '[.[] | select(.action == "import" or .action == "record-add") | .rows] | add' "$VAULT/audit.log")
	# before the admin, nobody holds a store key: users unlock as before
	[ "$(attached citra)" = 0 ]
	[ "$(attached ada)" = 22 ]
	run bash -c "ls '$VAULT/kec' | wc -l"
	[ "$output" = 22 ]
	[ "$(attached citra)" = 1 ]
	[ "$(attached ani)" = 1 ] # analyst of Wonodadi
	[ "$(attached oki)" = 0 ]
	[ "$(attached aud)" = 0 ]
	[ "$(as aud audit show --action store-keys | jq -r .outcome)" = ok ]
	# the first admin unlock moved every citizen row into its kecamatan's store, audited
	[ "$(as aud audit show --action store-move | jq -r '[.actor, .rows, .outcome] | join(" ")')" = "ada $rows ok" ]
	db_key
	[ "$(db_sql "SELECT count(*) FROM ds_warga")" = 0 ]
	[ "$(( $(store_sql 35.05.10 'SELECT count(*) FROM ds_warga') + $(store_sql 35.05.01 'SELECT count(*) FROM ds_warga') ))" = 2 ]
	# vault.db's rows were indexed under the vault-wide key: they came in without an
	# index, and the admin's unlock made it under each kecamatan's own key
	[ "$(store_sql 35.05.10 'SELECT count(*) FROM ds_warga WHERE nik_bi IS NULL')" = 0 ]
	[ "$(store_sql 35.05.01 'SELECT count(*) FROM ds_warga WHERE nik_bi IS NULL')" = 0 ]
	[ "$(as aud audit show --action index | jq -s -r 'map(.rows) | add')" = 2 ]
	run as ada audit verify
	[ "$status" -eq 0 ]
	run --separate-stderr as ada query --format csv "SELECT count(*) FROM warga"
	[ "$status" -eq 0 ]
	[ "$(tr -d '\r' <<<"${lines[1]}")" = 2 ]
	# a second admin unlock changes nothing more
	before=$(wc -l <"$VAULT/audit.log")
	[ "$(attached ada)" = 22 ]
	[ "$(grep -c '"action":"store-keys"' "$VAULT/audit.log")" = 1 ]
	[ "$(wc -l <"$VAULT/audit.log")" -gt "$before" ]
}

@test "each store is indexed under its kecamatan's own blind key; one under an older key is indexed again by the next unlock of its custodian" {
	printf '%s\n%s\n%s\n' "nik,nama,telepon,tanggal_lahir,jenis_kelamin,desa,pendidikan,pekerjaan,disabilitas" \
		"3505104202850002,Siti,,1985-02-02,P,35.05.10.2002,SMP,guru,tidak" \
		"3505010404750004,Dewi,,1975-04-04,L,35.05.01.2001,SMA,pedagang,tidak" >two.csv
	run as ada import warga two.csv
	[ "$status" -eq 0 ]
	[ "$(store_sql 35.05.10 "SELECT value FROM store_meta WHERE key = 'blind'")" = "blind:35.05.10:v1" ]
	[ "$(store_sql 35.05.01 "SELECT value FROM store_meta WHERE key = 'blind'")" = "blind:35.05.01:v1" ]
	run jq -r '[.grants[] | select(.user == "citra") | .key | select(startswith("blind"))] | join(" ")' <<<"$(head -1 "$VAULT/keyring")"
	[ "$output" = "blind:35.05.10:v1" ]
	# as a vault made before the kecamatan blind keys left it: the store says the
	# vault-wide key indexes it, and its index values are not this key's
	store_sql 35.05.10 "UPDATE store_meta SET value = 'blind:v1' WHERE key = 'blind';
		UPDATE ds_warga SET nik_bi = (nik_bi + 1) % 1048576" >/dev/null
	run --separate-stderr bk -C "$VAULT" -u citra --passphrase-fd 3 find --nik - --purpose "cek" 3<<<"$(pass_of citra)" <<<3505104202850002
	[ "$status" -eq 0 ]
	[ "$(jq -r '.[0].nama' <<<"$output")" = "Siti" ]
	[ "$(store_sql 35.05.10 "SELECT value FROM store_meta WHERE key = 'blind'")" = "blind:35.05.10:v1" ]
	[ "$(jq -s -c '[.[] | select(.action == "index")] | map([.actor, .target, .rows, .outcome])' "$VAULT/audit.log")" = '[["citra","35.05.10",1,"ok"]]' ]
	# the next unlock has nothing to index
	run as citra status
	[ "$status" -eq 0 ]
	[ "$(grep -c '"action":"index"' "$VAULT/audit.log")" = 1 ]
	run as ada check
	[ "$status" -eq 0 ]
}

@test "a store put back from an earlier copy is tampering (3) for its holders; every write moves its serial" {
	cp -a "$VAULT/kec/35.05.10.db" "$BATS_TEST_TMPDIR/kanigoro-before.db"
	fixture_csv() { printf '%s\n%s\n' "nik,nama,telepon,tanggal_lahir,jenis_kelamin,desa,pendidikan,pekerjaan,disabilitas" "$1"; }
	fixture_csv "3505104202850002,Siti,,1985-02-02,P,35.05.10.2002,SMP,guru,tidak" >one.csv
	run as ada import warga one.csv
	[ "$status" -eq 0 ]
	db_key
	[ "$(store_sql 35.05.10 "SELECT value FROM store_meta WHERE key = 'serial'")" = 1 ]
	[ "$(db_sql "SELECT value FROM meta WHERE key = 'store:35.05.10'")" = 1 ]
	# untouched stores keep their serial: nothing of them moved
	[ "$(db_sql "SELECT value FROM meta WHERE key = 'store:35.05.01'")" = made ]
	cp "$BATS_TEST_TMPDIR/kanigoro-before.db" "$VAULT/kec/35.05.10.db"
	run --separate-stderr as citra status
	[ "$status" -eq 3 ]
	stderr_line "brankas: error: the store of kecamatan 35.05.10 is older than vault.db expects (serial 0, pinned 1): it was put back from an earlier copy"
	run as ada status
	[ "$status" -eq 3 ]
	# those without its key are not stopped
	run as aud status
	[ "$status" -eq 0 ]
}
