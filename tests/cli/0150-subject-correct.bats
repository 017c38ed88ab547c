#!/usr/bin/env bats
# 0150-subject-correct.bats - `brankas subject correct --purpose TEXT`: the
# person's NIK on the first line of stdin, then COLUMN=VALUE lines naming the
# registry's columns; every row of that person (found through the blind index)
# in every dataset that has the column is corrected in one transaction,
# validated as import validates, scoped, sealed anew and audited without a
# value.

load helper

# Siti (warga row 2, Kanigoro) has two service uses, a complaint (kecamatan
# from her NIK) and a survey answer; Dewi (row 3, Wonodadi) one service use.
setup_file() {
	pemanfaatan_csv "$BATS_FILE_TMPDIR/pemanfaatan.csv"
	printf '%s\n' "nik,kode_inovasi,tanggal,kategori,isi,status" \
		"3505104202850002,INO-01,2024-03-05,petugas,Petugas tidak ramah di loket,baru" >"$BATS_FILE_TMPDIR/pengaduan.csv"
	printf '%s\n' "kode_inovasi,tanggal,u1,u2,u3,u4,u5,u6,u7,u8,u9,u10,saran,umur,jenis_kelamin,pendidikan,pekerjaan,desa,nik" \
		"INO-01,2024-03-06,4,3,3,4,3,3,4,4,3,4,Antrian lebih cepat,39,P,S1,guru,35.05.10.2002,3505104202850002" \
		>"$BATS_FILE_TMPDIR/skm.csv"
	template_imports warga "$FIXTURES/records.csv" pemanfaatan "$BATS_FILE_TMPDIR/pemanfaatan.csv" \
		pengaduan "$BATS_FILE_TMPDIR/pengaduan.csv" skm "$BATS_FILE_TMPDIR/skm.csv"
}

setup() {
	fresh_vault
}

NEW_NIK=3505104202850007 NEW_NAMA="Siti Aminah Rahayu"

# correct USER [ARGS...]: subject correct as USER with the caller's stdin,
# the passphrase on fd 3; stdout and stderr apart.
correct() {
	local user=$1
	shift
	run --separate-stderr bk -C "$VAULT" -u "$user" --passphrase-fd 3 subject correct "$@" 3<<<"$(pass_of "$user")"
}

# export_of USER NIK: subject export as USER (stdout and stderr apart).
export_of() {
	run --separate-stderr bk -C "$VAULT" -u "$1" --passphrase-fd 3 subject export --purpose "cek koreksi" \
		3<<<"$(pass_of "$1")" <<<"$2"
}

scalar() { as "$1" query --format csv --file "$(sql_file "$2")" | tail -n 1 | tr -d '\r'; }

# correct_rejected USER N: exits 1 with N problem lines and the summary,
# changes no file of the vault, echoes no value.
correct_rejected() {
	local user=$1 n=$2 s=s before
	[ "$n" -eq 1 ] && s=
	before=$(snapshot "$VAULT")
	correct "$user" --purpose "koreksi data"
	[ "$status" -eq 1 ] || { echo "exit $status, expected 1"; return 1; }
	[ -z "$output" ]
	stderr_line "brankas: error: <stdin>: $n problem$s; nothing was changed"
	[ "$(grep -c '^<stdin>:[0-9]*:[0-9]*: ' <<<"$stderr")" -eq "$n" ] || { echo "expected $n problem lines"; return 1; }
	[ "$(snapshot "$VAULT")" = "$before" ] || { echo "the failed correction changed the vault"; return 1; }
	lacks "$B_NIK" "$NEW_NIK"
}

@test "subject correct: -h, an extra argument, a missing value, no purpose, the passphrase on stdin (exit 2, nothing logged)" {
	run bk subject correct -h
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "usage: brankas subject correct --purpose TEXT"* ]]
	n=$(audit_count)
	correct citra "$B_NIK" --purpose x <<<"nama=X"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"unexpected argument: the NIK and the values are read from stdin, never the command line"* ]]
	lacks "$B_NIK"
	correct citra --purpose <<<"$B_NIK"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"option '--purpose' needs a value"* ]]
	correct citra <<<"$B_NIK"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"--purpose TEXT is required"* ]]
	correct citra --force --purpose x <<<"$B_NIK"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"option '--force' does not apply here"* ]]
	run bk -C "$VAULT" -u citra --passphrase-fd 0 subject correct --purpose x <<<"$(pass_of citra)"
	[ "$status" -eq 2 ]
	[[ "$output" == *"give the passphrase on another descriptor"* ]]
	[ "$(audit_count)" -eq "$n" ]
}

@test "a custodian corrects a person's NIK and name in every row of theirs; export under the new NIK shows them" {
	correct citra --purpose "koreksi NIK (surat Dukcapil 7/2024)" <<<"$B_NIK
nik=$NEW_NIK
nama = $NEW_NAMA"
	[ "$status" -eq 0 ]
	[ "$output" = "corrected 5 rows: nik,nama
warga: 1 of 1 row changed
pemanfaatan: 2 of 2 rows changed
pengaduan: 1 of 1 row changed
skm: 1 of 1 row changed" ]
	[ -z "$stderr" ]
	export_of citra "$NEW_NIK"
	[ "$status" -eq 0 ]
	jq -e --arg nik "$NEW_NIK" --arg nama "$NEW_NAMA" '.rows == 5
		and .datasets.warga[0].id == 2 and .datasets.warga[0].nik == $nik and .datasets.warga[0].nama == $nama
		and .datasets.warga[0].tanggal_lahir == "1985-02-02"
		and ([.datasets.pemanfaatan[].nik] == [$nik, $nik]) and .datasets.pengaduan[0].nik == $nik
		and .datasets.pengaduan[0].isi == "Petugas tidak ramah di loket"
		and .datasets.skm[0].nik == $nik and .datasets.skm[0].saran == "Antrian lebih cepat"' <<<"$output"
	export_of citra "$B_NIK"
	[ "$status" -eq 0 ]
	jq -e '.rows == 0' <<<"$output"
	run --separate-stderr as citra record show warga 2 --reveal --purpose "cek koreksi"
	[ "$status" -eq 0 ]
	jq -e --arg nik "$NEW_NIK" --arg nama "$NEW_NAMA" '.nik == $nik and .nama == $nama' <<<"$output"
	run --separate-stderr as citra record show pengaduan 1 --reveal --purpose "cek koreksi"
	jq -e --arg nik "$NEW_NIK" '.nik == $nik and .isi == "Petugas tidak ramah di loket"' <<<"$output"
	# the service uses still link to the registration, which holds the new NIK
	[ "$(scalar ada 'SELECT count(*) FROM pemanfaatan WHERE subject = 2')" = 2 ]
	run --separate-stderr bk -C "$VAULT" -u citra --passphrase-fd 3 find --nik - --purpose cek 3<<<"$(pass_of citra)" <<<"$NEW_NIK"
	jq -e --arg nama "$NEW_NAMA" 'length == 1 and .[0].nama == $nama' <<<"$output"
}

@test "a correction is audited once, with the person's keyed hash, the purpose and the columns' names, never a value" {
	export_of citra "$B_NIK"
	subject=$(audit_last | jq -r .subject)
	[ "${#subject}" -eq 32 ]
	n=$(audit_count)
	correct citra --purpose "koreksi NIK" <<<"$B_NIK
nik=$NEW_NIK
nama=$NEW_NAMA"
	[ "$status" -eq 0 ]
	[ "$(audit_count)" -eq $((n + 1)) ]
	audit_last | jq -e --arg s "$subject" '.actor == "citra" and .command == "subject correct"
		and .action == "subject-correct" and .subject == $s and .rows == 5 and .purpose == "koreksi NIK"
		and .detail == "changed nik,nama; rows: warga 1 of 1, pemanfaatan 2 of 2, pengaduan 1 of 1, skm 1 of 1"
		and .outcome == "ok" and has("sig")'
	for v in "$B_NIK" "$NEW_NIK" "$B_NAMA" "$NEW_NAMA" Rahayu; do
		run grep -c -F -- "$v" "$VAULT/audit.log"
		[ "$output" = 0 ] || { echo "audit.log holds '$v'"; return 1; }
	done
}

@test "every value is validated as import validates it; lines count the NIK as line 1; nothing changes" {
	correct_rejected citra 5 <<<"$B_NIK
nama=
telepon=0812
tanggal=2024-01-01
alamat=Jl. Merdeka 1
nik=3505104202850000"
	stderr_line "<stdin>:2:6: nama: a value is required"
	[[ "$stderr" == *"<stdin>:3:9: telepon: "* ]]
	stderr_line "<stdin>:4:1: not a column of the registry of persons ('warga'); a column of one row is corrected with record edit"
	stderr_line "<stdin>:5:1: not a column of the registry of persons ('warga'); a column of one row is corrected with record edit"
	[[ "$stderr" == *"<stdin>:6:5: nik: "* ]]
	lacks "Jl. Merdeka" 3505104202850000
}

@test "a value that fails in several rows is reported once; a NIK must agree with sex and birth date" {
	correct_rejected citra 1 <<<"$B_NIK
jenis_kelamin=L"
	[[ "$stderr" == *"<stdin>:2:15: nik: sex L does not match the NIK"* ]]
}

@test "a malformed NIK on the first line is a usage error (2); no NIK at all too" {
	correct citra --purpose "koreksi" <<<"35051042028500
nama=X"
	[ "$status" -eq 2 ]
	stderr_line "brankas: error: not a valid NIK: NIK must have 16 digits, not 14"
	lacks 35051042028500
	correct citra --purpose "koreksi" </dev/null
	[ "$status" -eq 2 ]
}

@test "a NUL byte on the NIK line is a usage error (2): what follows it is no correction, and nothing changes" {
	# it used to end the NIK there, and the rest of the line was taken as line 2
	printf '%s\0nama=X\n' "$B_NIK" >"$BATS_TEST_TMPDIR/in"
	before=$(snapshot "$VAULT")
	correct citra --purpose "koreksi" <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 2 ]
	stderr_line "brankas: error: the NIK line holds a NUL byte: give the NIK as 16 digits"
	lacks "$B_NIK"
	[ "$(snapshot "$VAULT")" = "$before" ]
}

@test "a NIK correction that moves a complaint out of a custodian's scope is denied (4, audited); an admin may" {
	moved=3505014202850007
	correct citra --purpose "koreksi NIK" <<<"$B_NIK
nik=$moved"
	[ "$status" -eq 4 ]
	[ -z "$output" ]
	stderr_line "brankas: error: row 1 would move to kecamatan Wonodadi, outside your scope; nothing was changed"
	lacks "$moved" "$B_NIK"
	audit_last | jq -e '.actor == "citra" and .action == "subject-correct" and .outcome == "denied"
		and .detail == "1 row would move to a kecamatan outside the user'"'"'s scope"'
	export_of ada "$B_NIK"
	jq -e '.rows == 5' <<<"$output"
	correct ada --purpose "koreksi NIK" <<<"$B_NIK
nik=$moved"
	[ "$status" -eq 0 ]
	# the complaint's kecamatan follows its NIK; the others follow their desa
	[ "$(scalar ada 'SELECT kecamatan FROM pengaduan WHERE id = 1')" = 35.05.01 ]
	[ "$(scalar ada 'SELECT kecamatan FROM warga WHERE id = 2')" = 35.05.10 ]
	export_of ada "$moved"
	jq -e '.rows == 5 and .datasets.pengaduan[0].isi == "Petugas tidak ramah di loket"' <<<"$output"
	# a scoped custodian reaches what stayed in Kanigoro, not the moved complaint
	export_of citra "$moved"
	jq -e '.rows == 4 and (.datasets | has("pengaduan") | not)' <<<"$output"
}

@test "operators and analysts may not correct (4, audited)" {
	for u in oki ani; do
		correct "$u" --purpose "koreksi" <<<"$B_NIK
nama=$NEW_NAMA"
		[ "$status" -eq 4 ] || { echo "$u: exit $status"; return 1; }
		[ -z "$output" ]
		lacks "$B_NIK" "$NEW_NAMA"
		audit_last | jq -e --arg u "$u" '.actor == $u and .outcome == "denied"'
	done
	export_of ada "$B_NIK"
	jq -e --arg nama "$B_NAMA" '.datasets.warga[0].nama == $nama' <<<"$output"
}

@test "a person whose rows lie outside the custodian's keys is not found, and nothing changes" {
	correct citra --purpose "koreksi" <<<"$D_NIK
nama=Dewi L"
	[ "$status" -eq 0 ]
	[ "$output" = "corrected 0 rows" ]
	stderr_line "brankas: no rows hold that NIK in the kecamatan whose keys you hold"
	# Wonodadi's rows are not on citra's connection at all: nothing of them is counted
	stderr_line "brankas: note: rows in other kecamatan are beyond your keys; an admin can finish"
	lacks "$D_NIK" "$D_NAMA"
	export_of ada "$D_NIK"
	jq -e --arg nama "$D_NAMA" '.datasets.warga[0].nama == $nama' <<<"$output"
}

@test "a correction to the values already held changes nothing and says so" {
	correct citra --purpose "cek" <<<"$B_NIK
nama=$B_NAMA"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "corrected 0 rows" ]
	[[ "$output" == *"warga: 0 of 1 row changed"* ]]
	audit_last | jq -e '.action == "subject-correct" and .rows == 0'
}
