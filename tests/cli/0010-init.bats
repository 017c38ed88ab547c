#!/usr/bin/env bats
# 0010-init.bats - `brankas init`: the vault directory and its four files,
# refusals that leave nothing behind, regions, and nothing readable at rest.

load helper

setup_file() {
	build_template
}

setup() {
	fresh_vault
}

init_vault() {
	bk init "$@" --kdf interactive --passphrase-fd 0 <<<"$(pass_of ada)"
}

@test "init creates a 0700 directory with exactly vault.db, keyring, audit.log, vault.pub and kec/" {
	run init_vault new --admin ada
	[ "$status" -eq 0 ]
	has "initialized vault 'new' with admin 'ada'"
	# a lone admin is told how not to lock the vault for good
	has "'ada' is the only admin: if that passphrase is forgotten, nobody can add, reset or"
	has "recovery shares ('brankas recovery split --shares 5 --threshold 3 -o DIR')"
	[ "$(stat -c %a new)" = 700 ]
	[ "$(cd new && ls -A | LC_ALL=C sort | tr '\n' ' ')" = "audit.log kec keyring vault.db vault.pub " ]
	[ "$(stat -c %a new/kec)" = 700 ] # one store per kecamatan: tests/cli/0025-stores.bats
	# the secrets are the owner's alone; vault.pub is for outside witnesses
	[ "$(stat -c %a new/keyring)" = 600 ]
	[ "$(stat -c %a new/vault.db)" = 600 ]
	[ "$(stat -c %a new/audit.log)" = 600 ]
	[ "$(stat -c %a new/vault.pub)" = 644 ]
	head -n 1 new/vault.pub | grep -q '^untrusted comment: minisign public key'
	# the first audit entry records the init
	[ "$(wc -l <new/audit.log)" -eq 1 ]
	[ "$(jq -r '[.seq, .actor, .action, .outcome] | join(" ")' new/audit.log)" = "1 ada init ok" ]
}

@test "init into an existing empty directory makes it 0700" {
	mkdir -m 0755 empty
	run init_vault empty --admin ada
	[ "$status" -eq 0 ]
	[ "$(stat -c %a empty)" = 700 ]
	[ -s empty/keyring ]
}

@test "init into an existing non-empty directory fails and changes nothing" {
	before=$(snapshot "$VAULT")
	run init_vault "$VAULT" --admin ada
	[ "$status" -eq 1 ]
	has "'$VAULT' exists and is not empty"
	[ "$(snapshot "$VAULT")" = "$before" ]

	mkdir other
	echo notes >other/notes.txt
	before=$(snapshot other)
	run init_vault other --admin ada
	[ "$status" -eq 1 ]
	has "exists and is not empty"
	[ "$(snapshot other)" = "$before" ]

	echo plain >afile
	run init_vault afile --admin ada
	[ "$status" -eq 1 ]
	has "'afile' exists and is not a directory"
	[ "$(cat afile)" = plain ]
}

@test "an invalid admin name is a usage error and creates nothing" {
	for name in Ada 'a b' ../x 'a/b' '' "$(printf 'a%.0s' {1..33})" 'ada;rm'; do
		run init_vault new --admin "$name"
		[ "$status" -eq 2 ] || { echo "admin '$name' exited $status"; return 1; }
		has "invalid admin name"
		[ ! -e new ]
	done
	run bk init new --kdf interactive --passphrase-fd 0 <<<"$(pass_of ada)"
	[ "$status" -eq 2 ]
	has "--admin NAME is required"
	[ ! -e new ]
}

@test "a passphrase shorter than 8 characters is a usage error and creates nothing" {
	run bk init new --admin ada --kdf interactive --passphrase-fd 0 <<<"seven77"
	[ "$status" -eq 2 ]
	has "a new passphrase needs at least 8 characters"
	[ ! -e new ]

	run bk init new --admin ada --kdf interactive --passphrase-fd 0 </dev/null
	[ "$status" -eq 2 ]
	has "empty passphrase"
	[ ! -e new ]

	# exactly 8 is enough
	run bk init new --admin ada --kdf interactive --passphrase-fd 0 <<<"eight888"
	[ "$status" -eq 0 ]
	[ -d new ]
}

# regions_csv FILE: FILE is the header of a --regions file, then the rows on stdin.
regions_csv() {
	{
		echo kode,nama,tingkat,kode_induk
		cat
	} >"$1"
}

# init_refuses_regions FILE TEXT: init with --regions FILE fails (exit 1)
# saying TEXT and leaves no directory.
init_refuses_regions() {
	run init_vault new --admin ada --regions "$1"
	[ "$status" -eq 1 ]
	has "$2"
	[ ! -e new ]
}

@test "a malformed --regions file fails naming FILE:LINE:COL and leaves no directory" {
	regions_csv bad.csv <<-'EOF'
		35.05,Kabupaten Blitar,kabupaten,35
		35.05.01,Wonodadi,kecamatan,35.05
		35.05.01.2001,Jaten,desa,35.05.99
	EOF
	init_refuses_regions bad.csv "bad.csv:4:4: kode_induk is not the kecamatan above this region"

	regions_csv bad.csv <<-'EOF'
		35.05,Kabupaten Blitar,kabupaten,35
		35.05.01,Wonodadi,kota kecil,35.05
	EOF
	init_refuses_regions bad.csv "bad.csv:3:3:"

	printf 'kode,nama,tingkat\n35.05,Kabupaten Blitar,kabupaten\n' >bad.csv
	init_refuses_regions bad.csv "bad.csv:1:"

	init_refuses_regions missing.csv "missing.csv"
}

@test "a valid --regions file replaces the built-in regions" {
	regions_csv kota.csv <<-'EOF'
		35.72,Kota Blitar,kota,35
		35.72.01,Sukorejo,kecamatan,35.72
		35.72.01.1001,Sukorejo,kelurahan,35.72.01
		35.72.01.1002,Tanjungsari,kelurahan,35.72.01
	EOF
	run init_vault new --admin ada --regions kota.csv
	[ "$status" -eq 0 ]
	VAULT=$PWD/new
	run as ada status
	[ "$status" -eq 0 ]
	has "Kota Blitar: 1 kecamatan, 2 desa/kelurahan"
}

@test "status shows the built-in regions: 22 kecamatan and 248 desa" {
	run as ada status
	[ "$status" -eq 0 ]
	has "regions        Kabupaten Blitar: 22 kecamatan, 248 desa/kelurahan"
	has "22 kecamatan keys"
	has "admin 1, custodian 1, operator 1, analyst 1, auditor 1, evaluator 1; disabled 0"
}

@test "status --format json carries the vault id and the region counts" {
	run as ada status
	[ "$status" -eq 0 ]
	table_id=$(sed -n 's/^vault id *//p' <<<"$output")

	run as ada status --format json
	[ "$status" -eq 0 ]
	jq -e . <<<"$output" >/dev/null
	[[ "$(jq -r .vault_id <<<"$output")" =~ ^[0-9a-f]{32}$ ]]
	[ "$(jq -r .vault_id <<<"$output")" = "$table_id" ]
	[ "$(jq -r '.regions.kecamatan, .regions.desa, .users.custodian, .integrity' <<<"$output" | tr '\n' ' ')" = \
		"22 248 1 ok " ]
}

@test "vault.db is not readable as plain SQLite" {
	[ "$(head -c 15 "$VAULT/vault.db")" != "SQLite format 3" ]
	cp "$VAULT/vault.db" probe.db
	run "$SQLCIPHER" probe.db 'SELECT count(*) FROM sqlite_master;'
	[ "$status" -ne 0 ]
	has "not a database"
}

@test "no passphrase appears in any vault file or in the output" {
	run as_new ada "newcomer-Rahasia-3190" user add newcomer --role analyst --kdf interactive
	[ "$status" -eq 0 ]
	run as_new citra "citra-Baru-Rahasia-77" user passwd --kdf interactive
	[ "$status" -eq 0 ]
	run bk -C "$VAULT" -u oki --passphrase-fd 0 status <<<"oki-Salah-Rahasia-404"
	[ "$status" -eq 3 ]
	for p in "$(pass_of ada)" "$(pass_of citra)" "$(pass_of oki)" "$(pass_of ani)" "$(pass_of aud)" \
		"$(pass_of eva)" newcomer-Rahasia-3190 citra-Baru-Rahasia-77 oki-Salah-Rahasia-404; do
		[[ "$output" != *"$p"* ]]
		if grep -rlaF -- "$p" "$VAULT" "$EVA_IDENTITY"; then
			echo "passphrase '$p' found in the files above"
			return 1
		fi
		# nor hex-encoded
		hex=$(printf '%s' "$p" | od -An -tx1 | tr -d ' \n')
		! grep -rlaiF -- "$hex" "$VAULT" || return 1
	done
}
