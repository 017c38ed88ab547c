#!/usr/bin/env bats
# 0140-record-edit.bats - `brankas record edit DATASET ID --purpose TEXT`:
# corrections come on stdin as COLUMN=VALUE lines, are validated exactly as
# import validates them (<stdin>:LINE:COLUMN, never the value), need the row's
# kecamatan (and the one it moves to) in a custodian's scope, seal the row
# anew under a fresh data key when its sealed values change, and are audited
# with the columns' names only.

load helper

# rows 1 and 2 in Kanigoro (citra's and oki's scope), row 3 in Wonodadi;
# rows 1 and 2 of pemanfaatan belong to Siti (row 2 of warga), row 3 to Dewi.
setup_file() {
	pemanfaatan_csv "$BATS_FILE_TMPDIR/pemanfaatan.csv"
	printf '%s\n' "kode,nama,opd,jenis,bentuk,tahapan" \
		"INO-01,Lapor Mas Bupati,Diskominfo,digital,pelayanan publik,penerapan" >"$BATS_FILE_TMPDIR/inovasi.csv"
	template_imports warga "$FIXTURES/records.csv" pemanfaatan "$BATS_FILE_TMPDIR/pemanfaatan.csv" \
		inovasi "$BATS_FILE_TMPDIR/inovasi.csv"
}

setup() {
	fresh_vault
}

A_TEL=+6281234567890
NEW_NAMA="Budi Santosa Wibowo" NEW_TEL=+6285733334444

# edit USER ARGS...: record edit as USER, the corrections on stdin, the
# passphrase on fd 3; stdout and stderr apart.
edit() {
	local user=$1
	shift
	run --separate-stderr bk -C "$VAULT" -u "$user" --passphrase-fd 3 record edit "$@" 3<<<"$(pass_of "$user")"
}

# show USER ID: the revealed row as JSON (exit status kept in $status).
show() {
	run --separate-stderr as "$1" record show warga "$2" --reveal --purpose "cek koreksi"
}

# edit_rejected USER ID N: record edit warga ID as USER (stdin from the caller)
# exits 1 with N problem lines and the summary, nothing on stdout, no value on
# stderr, and leaves every file of the vault as it was (not even an entry).
edit_rejected() {
	local user=$1 id=$2 n=$3 s=s before
	[ "$n" -eq 1 ] && s=
	before=$(snapshot "$VAULT")
	edit "$user" warga "$id" --purpose "koreksi data"
	[ "$status" -eq 1 ] || { echo "exit $status, expected 1"; return 1; }
	[ -z "$output" ]
	stderr_line "brankas: error: <stdin>: $n problem$s; nothing was changed"
	[ "$(grep -c '^<stdin>:[0-9]*:[0-9]*: ' <<<"$stderr")" -eq "$n" ] || { echo "expected $n problem lines"; return 1; }
	[ "$(snapshot "$VAULT")" = "$before" ] || { echo "the failed edit changed the vault"; return 1; }
}

# scalar USER SQL: the one value a query returns (CSV output ends lines with CRLF)
scalar() { as "$1" query --format csv --file "$(sql_file "$2")" | tail -n 1 | tr -d '\r'; }

# sealed_hex ID: row ID's sealed blob, and its batch
# ID [KECAMATAN]: rows 1 and 2 are Kanigoro's (35.05.10), row 3 Wonodadi's (35.05.01), each in its store
sealed_hex() { store_sql "${2:-35.05.10}" "SELECT hex(sealed) FROM ds_warga WHERE id = $1"; }
batch_of() { store_sql "${2:-35.05.10}" "SELECT batch FROM ds_warga WHERE id = $1"; }
kanigoro() { store_sql 35.05.10 "$1"; }

@test "record edit: -h, a missing value, an extra argument, no purpose, the passphrase on stdin (exit 2, nothing logged)" {
	run bk record edit -h
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "usage: brankas record edit DATASET ID --purpose TEXT"* ]]
	n=$(audit_count)
	edit citra warga --purpose x <<<"nama=X"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"DATASET and ID are required"* ]]
	edit citra warga 1 "$NEW_NAMA" --purpose x <<<""
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"unexpected argument"*"values come on stdin, never the command line"* ]]
	edit citra warga 1 --purpose <<<"nama=X"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"option '--purpose' needs a value"* ]]
	edit citra warga 1 <<<"nama=X"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"--purpose TEXT is required"* ]]
	edit citra warga 1 --purpose "" <<<"nama=X"
	[ "$status" -eq 2 ]
	edit citra warga satu --purpose x <<<"nama=X"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"ID must be a row number"* ]]
	run bk -C "$VAULT" -u citra --passphrase-fd 0 record edit warga 1 --purpose x <<<"$(pass_of citra)"
	[ "$status" -eq 2 ]
	[[ "$output" == *"give the passphrase on another descriptor"* ]]
	[ "$(audit_count)" -eq "$n" ]
}

@test "a custodian corrects a name and a phone number in scope; record show --reveal shows them" {
	edit citra warga 1 --purpose "koreksi nama (surat 12/2024)" <<<"nama=$NEW_NAMA
telepon = 0857-3333-4444"
	[ "$status" -eq 0 ]
	[ "$output" = "edited row 1 of 'warga': nama,telepon" ]
	[ -z "$stderr" ]
	show citra 1
	[ "$status" -eq 0 ]
	jq -e --arg nik "$A_NIK" --arg nama "$NEW_NAMA" --arg tel "$NEW_TEL" \
		'.nik == $nik and .nama == $nama and .telepon == $tel and .tanggal_lahir == "1990-01-01"
		and .desa == "35.05.10.2001" and .kecamatan == "Kanigoro" and .pekerjaan == "petani"' <<<"$output"
	# the other rows are untouched
	show citra 2
	jq -e --arg nik "$B_NIK" --arg nama "$B_NAMA" '.nik == $nik and .nama == $nama' <<<"$output"
}

@test "an edit is audited with the dataset, the row, the purpose and the columns' names, never a value" {
	n=$(audit_count)
	edit citra warga 1 --purpose "koreksi nama" <<<"nama=$NEW_NAMA
telepon=0857 3333 4444"
	[ "$status" -eq 0 ]
	[ "$(audit_count)" -eq $((n + 1)) ]
	audit_last | jq -e '.actor == "citra" and .role == "custodian" and .command == "record edit"
		and .action == "record-edit" and .dataset == "warga" and .target == "row 1" and .rows == 1
		and .purpose == "koreksi nama" and .detail == "changed nama,telepon" and .outcome == "ok"
		and ((.revealed // -1) < 0) and has("sig")'
	for v in "$NEW_NAMA" Wibowo "$NEW_TEL" 085733334444 "0857 3333 4444" "$A_NIK" "$A_NAMA" "$A_TEL"; do
		run grep -c -F -- "$v" "$VAULT/audit.log"
		[ "$output" = 0 ] || { echo "audit.log holds '$v'"; return 1; }
	done
}

@test "every value is validated as import validates it: <stdin>:LINE:COLUMN, nothing changed, no value echoed" {
	edit_rejected citra 1 7 <<<"nama=
telepon=08xx
tanggal_lahir=31/04/1990

pendidikan=SMAA
namaa=Budi Santosa
Budi Santosa
pekerjaan=petani
pekerjaan=guru"
	stderr_line "<stdin>:1:6: nama: a value is required"
	[[ "$stderr" == *"<stdin>:2:9: telepon: "* ]]
	[[ "$stderr" == *"<stdin>:3:15: tanggal_lahir: "* ]]
	[[ "$stderr" == *"<stdin>:5:12: pendidikan: "*"did you mean 'SMA'?"* ]]
	stderr_line "<stdin>:6:1: not a column of dataset 'warga'; did you mean 'nama'?"
	stderr_line "<stdin>:7:1: expected COLUMN=VALUE"
	stderr_line "<stdin>:9:1: pekerjaan: given twice (first on line 8)"
	lacks "Budi Santosa" 08xx SMAA 31/04/1990
}

@test "a NIK must agree with the row's sex and birth date, as on import" {
	edit_rejected citra 1 1 <<<"tanggal_lahir=1991-01-01"
	[[ "$stderr" == *"<stdin>:1:15: nik: "* ]]
	edit_rejected citra 1 1 <<<"nik=3505104101900001"
	[[ "$stderr" == *"<stdin>:1:5: nik: sex L does not match the NIK"* ]]
	lacks 3505104101900001
	# both together are a consistent correction
	edit citra warga 1 --purpose "koreksi jenis kelamin" <<<"nik=3505104101900001
jenis_kelamin=P"
	[ "$status" -eq 0 ]
	[ "$output" = "edited row 1 of 'warga': nik,jenis_kelamin" ]
}

@test "a NIK that another registration holds is refused, as on import" {
	run bk -C "$VAULT" -u citra --passphrase-fd 3 record add warga 3<<<"$(pass_of citra)" <<<"nik,nama,tanggal_lahir,jenis_kelamin,desa
3505100101900002,Bambang,1990-01-01,L,Minggirsari"
	[ "$status" -eq 0 ]
	edit_rejected citra 4 1 <<<"nik=$A_NIK"
	stderr_line "<stdin>:1:5: nik: this person is already registered (row 1)"
	lacks "$A_NIK"
}

@test "an empty value clears an optional column; a required one stays" {
	edit citra warga 1 --purpose "hapus telepon" <<<"telepon="
	[ "$status" -eq 0 ]
	show citra 1
	jq -e '.telepon == "" and .nama == "Budi Santoso"' <<<"$output"
	edit_rejected citra 1 1 <<<"desa="
	stderr_line "<stdin>:1:6: desa: a value is required"
}

@test "a correction that changes nothing says so and is audited with rows 0" {
	edit citra warga 1 --purpose "cek ulang" <<<"nama=$A_NAMA
telepon=$A_TEL"
	[ "$status" -eq 0 ]
	[ "$output" = "row 1 of 'warga' unchanged: it already holds those values" ]
	audit_last | jq -e '.action == "record-edit" and .rows == 0 and .detail == "no change"'
	edit_rejected citra 1 1 <<<""
	stderr_line "<stdin>:1:1: no corrections: give one COLUMN=VALUE per line (an empty VALUE clears an optional column)"
}

@test "a custodian may not edit a row of another kecamatan (4, audited); an admin may" {
	db_key
	before=$(sealed_hex 3 35.05.01)
	edit citra warga 3 --purpose "koreksi" <<<"nama=Dewi L"
	[ "$status" -eq 4 ]
	[ -z "$output" ]
	# citra holds no key of Wonodadi's store: the row is beyond her reach
	[[ "$stderr" == *"row 3 of 'warga' is not in a kecamatan whose store key you hold"* ]]
	lacks "$D_NIK" "$D_NAMA" "Dewi L"
	audit_last | jq -e '.actor == "citra" and .action == "record-edit" and .dataset == "warga" and .outcome == "denied"'
	[ "$(sealed_hex 3 35.05.01)" = "$before" ]
	edit ada warga 3 --purpose "koreksi" <<<"nama=Dewi L"
	[ "$status" -eq 0 ]
	show ada 3
	jq -e '.nama == "Dewi L" and .kecamatan == "Wonodadi"' <<<"$output"
}

@test "operators, analysts and auditors may not edit (4, audited), even in scope" {
	for u in oki ani aud; do
		edit "$u" warga 1 --purpose "koreksi" <<<"nama=$NEW_NAMA"
		[ "$status" -eq 4 ] || { echo "$u: exit $status"; return 1; }
		[ -z "$output" ]
		[[ "$stderr" == *"may not record-edit"* ]]
		audit_last | jq -e --arg u "$u" '.actor == $u and .action == "record-edit" and .outcome == "denied"'
	done
	show ada 1
	jq -e --arg nama "$A_NAMA" '.nama == $nama' <<<"$output"
	run grep -c -F -- "$NEW_NAMA" "$VAULT/audit.log"
	[ "$output" = 0 ]
}

@test "a row moved to another kecamatan: out of a custodian's scope (4, audited); an admin moves it under that kecamatan's key" {
	db_key
	before=$(sealed_hex 1)
	edit citra warga 1 --purpose "pindah domisili" <<<"desa=Jaten"
	[ "$status" -eq 4 ]
	stderr_line "brankas: error: row 1 would move to kecamatan Wonodadi, outside your scope; nothing was changed"
	audit_last | jq -e '.actor == "citra" and .action == "record-edit" and .target == "row 1" and .outcome == "denied"
		and (.detail | contains("outside the user'"'"'s scope"))'
	[ "$(sealed_hex 1)" = "$before" ]
	[ "$(kanigoro 'SELECT kecamatan FROM ds_warga WHERE id = 1')" = 35.05.10 ]
	store_key 35.05.01
	edit ada warga 1 --purpose "pindah domisili" <<<"desa=Jaten"
	[ "$status" -eq 0 ]
	[ "$output" = "edited row 1 of 'warga': desa" ]
	# indexed by the edit itself under Wonodadi's blind key: nothing is left to index
	[ "$(store_sql 35.05.01 'SELECT nik_bi IS NOT NULL FROM ds_warga WHERE id = 1')" = 1 ]
	run bk -C "$VAULT" -u ada --passphrase-fd 3 find --nik - --purpose "cek" 3<<<"$(pass_of ada)" <<<"$A_NIK"
	[ "$status" -eq 0 ]
	[ "$(jq -r '.[0].desa' <<<"$output")" = 35.05.01.2001 ]
	[ "$(grep -c '"action":"index"' "$VAULT/audit.log")" = 0 ]
	# the row moved from Kanigoro's store into Wonodadi's
	[ "$(kanigoro 'SELECT count(*) FROM ds_warga WHERE id = 1')" = 0 ]
	[ "$(store_sql 35.05.01 'SELECT kecamatan FROM ds_warga WHERE id = 1')" = 35.05.01 ]
	batch=$(batch_of 1 35.05.01)
	[ "$(db_sql "SELECT kecamatan, key_id, actor FROM batches WHERE id = $batch")" = "35.05.01|kecamatan:35.05.01:v1|ada" ]
	show ada 1
	jq -e --arg nik "$A_NIK" --arg nama "$A_NAMA" \
		'.kecamatan == "Wonodadi" and .desa == "35.05.01.2001" and .nik == $nik and .nama == $nama' <<<"$output"
	# the Kanigoro custodian no longer reaches it
	show citra 1
	[ "$status" -eq 4 ]
	lacks "$A_NIK" "$A_NAMA"
}

@test "a changed row is sealed under a new batch; the old or a swapped ciphertext no longer opens (3)" {
	db_key
	old=$(sealed_hex 1)
	old_batch=$(batch_of 1)
	batches=$(db_sql 'SELECT count(*) FROM batches')
	edit citra warga 1 --purpose "koreksi nama" <<<"nama=$NEW_NAMA"
	[ "$status" -eq 0 ]
	new=$(sealed_hex 1)
	new_batch=$(batch_of 1)
	[ "$new_batch" -ne "$old_batch" ]
	[ "$(db_sql 'SELECT count(*) FROM batches')" -eq $((batches + 1)) ]
	[ "$(db_sql "SELECT kecamatan, actor FROM batches WHERE id = $new_batch")" = "35.05.10|citra" ]
	# format 2: the nonce is not stored (it follows from the new batch's key and the row id),
	# and nothing of the old ciphertext is left
	[ "${new:0:2}" = "02" ]
	[ "${new:2:32}" != "${old:2:32}" ]
	# row 2 keeps the old batch: the batch key still opens it
	[ "$(batch_of 2)" -eq "$old_batch" ]
	show citra 2
	[ "$status" -eq 0 ]
	# the old ciphertext put back does not open under the row's new batch
	kanigoro "UPDATE ds_warga SET sealed = x'$old' WHERE id = 1"
	show citra 1
	[ "$status" -eq 3 ]
	stderr_line "brankas: error: warga row 1: sealed values do not open: they were altered or moved from another row"
	lacks "$A_NAMA" "$NEW_NAMA" "$A_NIK"
	# its own ciphertext back opens again
	kanigoro "UPDATE ds_warga SET sealed = x'$new' WHERE id = 1"
	show citra 1
	[ "$status" -eq 0 ]
	jq -e --arg nama "$NEW_NAMA" '.nama == $nama' <<<"$output"
	# swapped with row 2: neither opens
	two=$(sealed_hex 2)
	kanigoro "UPDATE ds_warga SET sealed = x'$two' WHERE id = 1; UPDATE ds_warga SET sealed = x'$new' WHERE id = 2"
	for id in 1 2; do
		show citra "$id"
		[ "$status" -eq 3 ] || { echo "row $id: exit $status"; return 1; }
		lacks "$A_NAMA" "$NEW_NAMA" "$B_NAMA"
	done
}

@test "a change to plain columns only keeps the row's ciphertext and batch" {
	db_key
	old=$(sealed_hex 1)
	old_batch=$(batch_of 1)
	edit citra warga 1 --purpose "koreksi pendidikan" <<<"pendidikan=s1
pekerjaan=guru"
	[ "$status" -eq 0 ]
	[ "$output" = "edited row 1 of 'warga': pendidikan,pekerjaan" ]
	[ "$(sealed_hex 1)" = "$old" ]
	[ "$(batch_of 1)" -eq "$old_batch" ]
	run as ani record show warga 1
	jq -e '.pendidikan == "S1" and .pekerjaan == "guru"' <<<"$output"
}

@test "a new NIK updates the blind index; rows elsewhere that held the old NIK lose their link" {
	new_nik=3505104202850009
	[ "$(scalar ada 'SELECT count(*) FROM pemanfaatan WHERE subject = 2')" = 2 ]
	edit citra warga 2 --purpose "koreksi NIK" <<<"nik=$new_nik"
	[ "$status" -eq 0 ]
	[ "$output" = "edited row 2 of 'warga': nik" ]
	stderr_line "brankas: note: 2 rows in other datasets held the old NIK and no longer link to this person"
	lacks "$new_nik" "$B_NIK"
	audit_last | jq -e '.detail == "changed nik; 2 rows unlinked from the old NIK"'
	run bk -C "$VAULT" -u citra --passphrase-fd 3 find --nik - --purpose cek 3<<<"$(pass_of citra)" <<<"$new_nik"
	[ "$status" -eq 0 ]
	jq -e --arg nama "$B_NAMA" 'length == 1 and .[0].id == 2 and .[0].nama == $nama' <<<"$output"
	run --separate-stderr bk -C "$VAULT" -u citra --passphrase-fd 3 find --nik - --purpose cek 3<<<"$(pass_of citra)" <<<"$B_NIK"
	[ "$status" -eq 0 ]
	[ "$output" = "[]" ]
	[ "$(scalar ada 'SELECT count(*) FROM pemanfaatan WHERE subject IS NULL AND id IN (1, 2)')" = 2 ]
	# Dewi's row keeps its link
	[ "$(scalar ada 'SELECT subject FROM pemanfaatan WHERE id = 3')" = 3 ]
}

@test "rows of a dataset without sealed columns are edited too (an admin's registry of innovations)" {
	edit ada inovasi 1 --purpose "perbaikan registri" <<<"tahapan=uji coba
urusan=komunikasi dan informatika"
	[ "$status" -eq 0 ]
	[ "$output" = "edited row 1 of 'inovasi': tahapan,urusan" ]
	[ "$(scalar ani 'SELECT tahapan, urusan FROM inovasi WHERE id = 1')" = "uji coba,komunikasi dan informatika" ]
	edit ada inovasi 9 --purpose "x" <<<"tahapan=uji coba"
	[ "$status" -eq 1 ]
	stderr_line "brankas: error: no row 9 in 'inovasi'"
}
