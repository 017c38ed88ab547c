#!/usr/bin/env bats
# 0120-records.bats - `brankas record show DATASET ID [--reveal --purpose]`:
# sealed columns stay "(sealed)" unless revealed; revealing needs the role
# (admin, custodian), the row's kecamatan in scope and that kecamatan's key,
# is audited with its purpose, and a sealed value that was altered or moved
# to another row fails with exit 3.

load helper

# The template vault holds tests/fixtures/import/records.csv, imported by ada:
# rows 1 and 2 in Kanigoro (citra's and oki's scope), row 3 in Wonodadi.
setup_file() {
	template_imports warga "$FIXTURES/records.csv"
}

setup() {
	fresh_vault
}

A_TEL=+6281234567890

# reveal USER ID: record show warga ID --reveal as USER, stdout and stderr apart.
reveal() {
	run --separate-stderr as "$1" record show warga "$2" --reveal --purpose "verifikasi bansos 2024"
}

# expect_altered ID: revealing row ID fails with 3 for the custodian and the
# admin, names the row, and shows no identifier of any row.
expect_altered() {
	local u
	for u in citra ada; do
		reveal "$u" "$1"
		if [ "$status" -ne 3 ]; then
			printf 'reveal row %s as %s: exit %s, expected 3\n%s\n%s\n' "$1" "$u" "$status" "$output" "$stderr"
			return 1
		fi
		[ -z "$output" ]
		stderr_line "brankas: error: warga row $1: sealed values do not open: they were altered or moved from another row"
		lacks "$A_NIK" "$A_NAMA" "$B_NIK" "$B_NAMA"
	done
}

kanigoro() { store_sql 35.05.10 "$1"; }

# flip_sealed ID: XOR one byte in the middle of row ID's sealed blob (a row
# of Kanigoro, in its store), through the sqlcipher shell.
flip_sealed() {
	local hex new i byte
	hex=$(kanigoro "SELECT hex(sealed) FROM ds_warga WHERE id = $1")
	[ "${#hex}" -gt 100 ] || { echo "flip_sealed: row $1 has no sealed blob"; return 1; }
	i=$((${#hex} / 2))
	i=$((i - i % 2))
	byte=$((16#${hex:i:2} ^ 1))
	new="${hex:0:i}$(printf '%02X' "$byte")${hex:i+2}"
	kanigoro "UPDATE ds_warga SET sealed = x'$new' WHERE id = $1"
	[ "$(kanigoro "SELECT hex(sealed) FROM ds_warga WHERE id = $1")" = "$new" ]
}

@test "an analyst sees identifiers as (sealed) and the quasi columns plainly" {
	run --separate-stderr as ani record show warga 1
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	jq -e '.id == 1 and .kecamatan == "Kanigoro"
		and .nik == "(sealed)" and .nama == "(sealed)" and .telepon == "(sealed)"
		and .tanggal_lahir == "1990-01-01" and .jenis_kelamin == "L" and .desa == "35.05.10.2001"
		and .pendidikan == "SMA" and .pekerjaan == "petani" and .disabilitas == "tidak"' <<<"$output"
	# no hidden extra field (the blind index stays inside)
	[ "$(jq -c 'keys' <<<"$output")" = \
		'["desa","disabilitas","id","jenis_kelamin","kecamatan","nama","nik","pekerjaan","pendidikan","tanggal_lahir","telepon"]' ]
	lacks "$A_NIK" "$A_NAMA" "$A_TEL" 081234567890
	audit_last | jq -e '.actor == "ani" and .action == "record-show" and .target == "row 1"
		and .outcome == "ok" and ((.revealed // 0) == 0)'
}

@test "an analyst may not reveal (4), and the refusal is audited" {
	reveal ani 1
	[ "$status" -eq 4 ]
	[ -z "$output" ]
	stderr_line "brankas: error: role 'analyst' may not reveal identifier columns"
	lacks "$A_NIK" "$A_NAMA"
	audit_last | jq -e '.actor == "ani" and .action == "reveal" and .dataset == "warga" and .outcome == "denied"'
}

@test "an operator may not read rows back (4), not even plain columns of their own kecamatan" {
	# the row is in oki's scope, but operators write only: they hold no store key
	run --separate-stderr as oki record show warga 1
	[ "$status" -eq 4 ]
	[ -z "$output" ]
	stderr_line "brankas: error: role 'operator' may not read quasi columns"
	audit_last | jq -e '.actor == "oki" and .action == "read" and .outcome == "denied"'
	reveal oki 1
	[ "$status" -eq 4 ]
	[ -z "$output" ]
	stderr_line "brankas: error: role 'operator' may not read quasi columns"
	lacks "$A_NIK" "$A_NAMA"
	audit_last | jq -e '.actor == "oki" and .action == "read" and .outcome == "denied"'
	# and outside that scope not even the plain columns
	run as oki record show warga 3
	[ "$status" -eq 4 ]
	[[ "$output" != *Jaten* && "$output" != *35.05.01.2001* ]]
}

@test "a custodian reveals a row of their kecamatan" {
	reveal citra 1
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	jq -e --arg nik "$A_NIK" --arg nama "$A_NAMA" --arg tel "$A_TEL" \
		'.nik == $nik and .nama == $nama and .telepon == $tel and .tanggal_lahir == "1990-01-01"' <<<"$output"
	reveal citra 2
	[ "$status" -eq 0 ]
	jq -e --arg nik "$B_NIK" --arg nama "$B_NAMA" '.nik == $nik and .nama == $nama' <<<"$output"
}

@test "a custodian may not reveal a row of another kecamatan (4); an admin may" {
	reveal citra 3
	[ "$status" -eq 4 ]
	[ -z "$output" ]
	# citra's connection does not hold Wonodadi's store: the row is beyond her keys
	stderr_line "brankas: error: row 3 of 'warga' is not in a kecamatan whose store key you hold"
	# nor does she learn whether a row exists there
	run --separate-stderr as citra record show warga 999 --reveal --purpose x
	[ "$status" -eq 4 ]
	stderr_line "brankas: error: row 999 of 'warga' is not in a kecamatan whose store key you hold"
	run --separate-stderr as ada record show warga 999
	[ "$status" -eq 1 ]
	reveal citra 3
	lacks "$D_NIK" "$D_NAMA" Jaten
	audit_last | jq -e '.actor == "citra" and .outcome == "denied"'
	# the row itself opens: the refusal is citra's
	reveal ada 3
	[ "$status" -eq 0 ]
	jq -e --arg nik "$D_NIK" --arg nama "$D_NAMA" '.nik == $nik and .nama == $nama and .kecamatan == "Wonodadi"' <<<"$output"
}

@test "--reveal without a purpose is a usage error (2) and logs nothing" {
	n=$(audit_count)
	run --separate-stderr as citra record show warga 1 --reveal
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[[ "$stderr" == *"--reveal needs --purpose TEXT"* ]]
	run --separate-stderr as citra record show warga 1 --reveal --purpose ""
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	lacks "$A_NIK" "$A_NAMA"
	[ "$(audit_count)" -eq "$n" ]
}

@test "a reveal is logged first: record-show, revealed 3, the purpose, no personal value" {
	n=$(audit_count)
	reveal citra 1
	[ "$status" -eq 0 ]
	[ "$(audit_count)" -eq $((n + 1)) ]
	audit_last | jq -e '.actor == "citra" and .role == "custodian" and .command == "record show"
		and .action == "record-show" and .dataset == "warga" and .target == "row 1" and .rows == 1
		and .revealed == 3 and .purpose == "verifikasi bansos 2024" and .outcome == "ok" and has("sig")'
	for v in "$A_NIK" "$A_NAMA" "$A_TEL" 081234567890 "$B_NIK" "$D_NIK"; do
		run grep -c -F -- "$v" "$VAULT/audit.log"
		[ "$output" = 0 ] || { echo "audit.log holds '$v'"; return 1; }
	done
}

@test "sealed values swapped between two rows fail with 3" {
	[ "$(kanigoro 'SELECT count(*) FROM ds_warga WHERE id IN (1, 2) AND batch = (SELECT batch FROM ds_warga WHERE id = 1)')" -eq 2 ]
	one=$(kanigoro 'SELECT hex(sealed) FROM ds_warga WHERE id = 1')
	two=$(kanigoro 'SELECT hex(sealed) FROM ds_warga WHERE id = 2')
	kanigoro "UPDATE ds_warga SET sealed = x'$two' WHERE id = 1; UPDATE ds_warga SET sealed = x'$one' WHERE id = 2"
	[ "$(kanigoro 'SELECT hex(sealed) FROM ds_warga WHERE id = 1')" = "$two" ]
	[ "$(kanigoro 'SELECT hex(sealed) FROM ds_warga WHERE id = 2')" = "$one" ]
	expect_altered 1
	expect_altered 2
	# the untouched row still opens
	reveal ada 3
	[ "$status" -eq 0 ]
}

@test "one flipped byte in a sealed blob fails with 3" {
	flip_sealed 1
	expect_altered 1
	# the plain columns are not sealed and still show
	run as ani record show warga 1
	[ "$status" -eq 0 ]
	[ "$(jq -r .tanggal_lahir <<<"$output")" = 1990-01-01 ]
	reveal citra 2
	[ "$status" -eq 0 ]
}

@test "a truncated or emptied sealed blob fails with 3" {
	kanigoro 'UPDATE ds_warga SET sealed = substr(sealed, 1, length(sealed) - 1) WHERE id = 1'
	expect_altered 1
	kanigoro "UPDATE ds_warga SET sealed = x'' WHERE id = 2"
	reveal citra 2
	[ "$status" -eq 3 ]
	lacks "$B_NIK" "$B_NAMA"
}

@test "a Wonodadi row relabelled as Kanigoro stays closed to the Kanigoro custodian" {
	db_key
	batch=$(store_sql 35.05.01 'SELECT batch FROM ds_warga WHERE id = 3')
	[ "$(db_sql "SELECT kecamatan, key_id FROM batches WHERE id = $batch")" = "35.05.01|kecamatan:35.05.01:v1" ]
	# moving only the row (by one holding both stores' raw keys): its batch still says Wonodadi
	store_move 3 35.05.01 35.05.10
	kanigoro "UPDATE ds_warga SET kecamatan = '35.05.10' WHERE id = 3"
	reveal citra 3
	[ "$status" -eq 3 ]
	stderr_line "brankas: error: batch $batch belongs to another kecamatan than its row"
	lacks "$D_NIK" "$D_NAMA"
	# moving the batch too: it still names Wonodadi's key pair, which a Kanigoro batch never does
	db_sql "UPDATE batches SET kecamatan = '35.05.10' WHERE id = $batch"
	reveal citra 3
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"batch $batch names the key of another kecamatan: it was altered"* ]]
	lacks "$D_NIK" "$D_NAMA"
	# and naming Kanigoro's key for it: the data key does not open
	db_sql "UPDATE batches SET key_id = 'kecamatan:35.05.10:v1' WHERE id = $batch"
	reveal citra 3
	[ "$status" -eq 3 ]
	[[ "$stderr" == *"does not open"* ]]
	lacks "$D_NIK" "$D_NAMA"
}
