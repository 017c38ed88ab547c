#!/usr/bin/env bats
# 0110-import.bats - `brankas import DATASET FILE.csv [--dry-run]`: CSV as
# spreadsheets write it, every cell validated, problems as FILE:LINE:COLUMN
# without the value, all or nothing, scope checks, and nothing personal in
# clear at rest. The files are in tests/fixtures/import (see its README).

load helper

setup_file() {
	build_template
}

setup() {
	fresh_vault
}

# import_rejected FILE N: as ada, `import warga FILE` exits 1 with nothing
# on stdout, N problems each as "FILE:LINE:COLUMN: ..." on stderr and the
# summary line, and every table's row count, audit.log and keyring stay as
# they were (not even an audit entry).
import_rejected() {
	local file=$1 n=$2 s=s before
	[ "$n" -eq 1 ] && s=
	db_key
	before=$(vault_state)
	run --separate-stderr as ada import warga "$file"
	if [ "$status" -ne 1 ]; then
		printf 'import %s: exit %s, expected 1\nstderr:\n%s\n' "$file" "$status" "$stderr"
		return 1
	fi
	[ -z "$output" ] || { echo "stdout not empty: $output"; return 1; }
	stderr_line "brankas: error: $file: $n problem$s; nothing was imported"
	if [ "$(grep -c -F -- "$file:" <<<"$stderr")" -ne $((n + 1)) ]; then
		printf 'expected %s problem lines:\n%s\n' "$n" "$stderr"
		return 1
	fi
	[ "$(vault_state)" = "$before" ] || { echo "the failed import changed the vault"; return 1; }
}

# The personal values of the fixture rows (none may ever show in a message).
A_NIK=3505100101900001 A_NAMA="Budi Santoso" A_TEL=081234567890
B_NIK=3505104202850002 B_NAMA="Siti Aminah"
D_NIK=3505015203880004 D_NAMA="Dewi Lestari"

@test "a valid warga file imports all rows, counted, and dataset list shows them" {
	fixture valid.csv
	run --separate-stderr as ada import warga valid.csv
	[ "$status" -eq 0 ]
	[ "$output" = "imported 3 rows into 'warga'" ]
	[ -z "$stderr" ]
	[ "$(dataset_rows warga)" -eq 3 ]
	db_key
	# the rows are in Kanigoro's store, none in vault.db
	[ "$(store_sql 35.05.10 'SELECT count(*) FROM ds_warga')" -eq 3 ]
	[ "$(db_sql 'SELECT count(*) FROM ds_warga')" -eq 0 ]
	# one batch (one data key) for the one kecamatan
	[ "$(db_sql 'SELECT count(*), kecamatan FROM batches')" = "1|35.05.10" ]
	# quasi values are normalized: ISO dates, desa codes, canonical enums
	[ "$(store_sql 35.05.10 'SELECT id, kecamatan, tanggal_lahir, jenis_kelamin, desa, pendidikan, pekerjaan, disabilitas FROM ds_warga ORDER BY id')" = \
		"$(printf '%s\n' '1|35.05.10|1990-01-01|L|35.05.10.2001|SMA|petani|tidak' \
			'2|35.05.10|1985-02-02|P|35.05.10.2002|S1|guru|' \
			'3|35.05.10|1975-08-17|L|35.05.10.2003|SMP|pedagang|fisik')" ]
	# the other datasets are untouched
	[ "$(dataset_rows pemanfaatan)" -eq 0 ]
}

@test "the import audit entry has the row count and no personal value" {
	fixture valid.csv
	run as ada import warga valid.csv
	[ "$status" -eq 0 ]
	audit_last | jq -e '.actor == "ada" and .command == "import" and .action == "import"
		and .dataset == "warga" and .rows == 3 and .outcome == "ok" and has("sig")'
	for v in "$A_NIK" "$A_NAMA" "$A_TEL" 6281234567890 "$B_NIK" "$B_NAMA" Wahyu 3505101708750003 valid.csv; do
		run grep -c -F -- "$v" "$VAULT/audit.log"
		[ "$output" = 0 ] || { echo "audit.log holds '$v'"; return 1; }
	done
}

@test "after an import no name, NIK or phone number is in clear in vault.db, audit.log or keyring" {
	fixture valid.csv
	# the values are in the file: the same grep would find them
	[ "$(grep -c -F -e "$A_NIK" -e "$B_NAMA" valid.csv)" -eq 2 ]
	run as ada import warga valid.csv
	[ "$status" -eq 0 ]
	for v in "$A_NIK" "$A_NAMA" Budi "$A_TEL" 6281234567890 "$B_NIK" "$B_NAMA" Aminah 3505101708750003 Prasetyo; do
		for f in "$VAULT"/* "$VAULT"/kec/*; do
			[ -f "$f" ] || continue
			run grep -c -a -F -- "$v" "$f"
			[ "$output" = 0 ] || { echo "'$v' is in clear in $f"; return 1; }
		done
	done
	# nor inside the decrypted store: identifiers are sealed under the kecamatan key
	store_sql 35.05.10 '.dump' >dump.sql
	# newer shells (SQLCipher 4.9's) dump CREATE TABLE IF NOT EXISTS "name"
	grep -q -E 'CREATE TABLE (IF NOT EXISTS )?"ds_warga"' dump.sql
	grep -q -F "1990-01-01" dump.sql
	for v in "$A_NIK" "$A_NAMA" "$A_TEL" 6281234567890 "$B_NIK" "$B_NAMA" 3505101708750003 Prasetyo; do
		run grep -c -a -F -- "$v" dump.sql
		[ "$output" = 0 ] || { echo "'$v' is in clear inside the store"; return 1; }
	done
}

# imports FILE N: the fixture FILE imports into warga as ada, N rows.
imports() {
	fixture "$1"
	run as ada import warga "$1"
	[ "$status" -eq 0 ]
	[ "$output" = "imported $2 rows into 'warga'" ]
}

@test "the school levels Dukcapil records import, madrasah and SMK among them, in their own spelling" {
	printf '%s\n' "$HEADER" \
		"3505100101900001,Budi,,1990-01-01,L,35.05.10.2001,smk,petani,tidak" \
		"3505104202850002,Siti,,1985-02-02,P,35.05.10.2002,MA,guru,tidak" \
		"3505100303800003,Agus,,1980-03-03,L,35.05.10.2003,mts,petani,tidak" \
		"3505100404800004,Dedi,,1980-04-04,L,35.05.10.2003,MI,petani,tidak" \
		"3505100505800005,Eko,,1980-05-05,L,35.05.10.2003,Belum Tamat SD,petani,tidak" \
		"3505100606800006,Fajar,,1980-06-06,L,35.05.10.2003,D4,petani,tidak" >sekolah.csv
	run --separate-stderr as ada import warga sekolah.csv
	[ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
	run --separate-stderr as ani query --format csv "SELECT pendidikan FROM warga ORDER BY id"
	[ "$output" = $'pendidikan\r\nSMK\r\nMA\r\nMTs\r\nMI\r\nbelum tamat SD\r\nD4\r' ]
	# a level that is none of them is still refused, with the nearest one
	printf '%s\n' "$HEADER" "3505100707800007,Gani,,1980-07-07,L,35.05.10.2003,SMKK,petani,tidak" >typo.csv
	run --separate-stderr as ada import warga typo.csv
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"typo.csv:2:7: pendidikan: "*"did you mean 'SMK'?"* ]]
}

@test "a date after today is refused, but a planned penerapan in the registry is not" {
	printf '%s\n' "$HEADER" "3505100101900001,Budi,,1990-01-01,L,35.05.10.2001,SMA,petani,tidak" \
		"3505104202850002,Siti,,2099-02-02,P,35.05.10.2002,SMP,guru,tidak" >future.csv
	import_rejected future.csv 1
	stderr_line "future.csv:3:4: tanggal_lahir: the date lies after today ($(date -u -d '+7 hours' +%F))"
	printf '%s\n' "kode,nama,opd,jenis,bentuk,tahapan,urusan,inisiator,tanggal_uji_coba,tanggal_penerapan,cakupan,deskripsi" \
		"INO-P,Rencana,Dinas P,digital,lainnya,inisiatif,,,2099-01-01,2099-06-01,35.05," >plan.csv
	run --separate-stderr as ada import inovasi plan.csv
	[ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
}

@test "kode_inovasi must be a kode of the registry once it holds rows: all or nothing, the nearest one hinted" {
	# no registry yet: nothing to hold the codes to
	printf '%s\n' "nik,kode_inovasi,tanggal,kanal,desa" "3505100101900001,INO-X,2025-03-01,daring,35.05.10.2001" >early.csv
	run --separate-stderr as ada import pemanfaatan early.csv
	[ "$status" -eq 0 ]
	as ada import inovasi "$BATS_TEST_DIRNAME/../fixtures/report/inovasi.csv" >/dev/null
	printf '%s\n' "nik,kode_inovasi,tanggal,kanal,desa" "3505100101900001,INO-A,2025-03-01,daring,35.05.10.2001" \
		"3505100101900002,INO-AA,2025-03-02,daring,35.05.10.2001" "3505100101900003,LAIN-99,2025-03-03,luring,35.05.10.2001" \
		>uses.csv
	db_key
	before=$(vault_state)
	run --separate-stderr as ada import pemanfaatan uses.csv
	[ "$status" -eq 1 ]
	stderr_line "uses.csv:3:2: kode_inovasi: not one of the values of inovasi.kode; did you mean 'INO-A'?"
	stderr_line "uses.csv:4:2: kode_inovasi: not one of the values of inovasi.kode (import that dataset's row first)"
	[ "$(vault_state)" = "$before" ]
	# a correction is held to the registry too
	run --separate-stderr bk -C "$VAULT" -u ada --passphrase-fd 3 record edit pemanfaatan 1 --purpose koreksi 3<<<"$(pass_of ada)" <<<"kode_inovasi=INO-Q"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"kode_inovasi: not one of the values of inovasi.kode"* ]]
}

@test "the registry is keyed by kode: a second import of it, or a kode twice in one file, is refused" {
	as ada import inovasi "$BATS_TEST_DIRNAME/../fixtures/report/inovasi.csv" >/dev/null
	db_key
	before=$(vault_state)
	run --separate-stderr as ada import inovasi "$BATS_TEST_DIRNAME/../fixtures/report/inovasi.csv"
	[ "$status" -eq 1 ]
	stderr_line "$BATS_TEST_DIRNAME/../fixtures/report/inovasi.csv:2:1: kode: a row with this value is in the dataset already (one row per kode)"
	[ "$(vault_state)" = "$before" ]
	printf '%s\n' "kode,nama,opd,jenis,bentuk,tahapan,urusan,inisiator,tanggal_uji_coba,tanggal_penerapan,cakupan,deskripsi" \
		"INO-N,Baru,Dinas N,digital,lainnya,inisiatif,,,,,35.05," "INO-N,Baru lagi,Dinas N,digital,lainnya,inisiatif,,,,,35.05," >twice.csv
	run --separate-stderr as ada import inovasi twice.csv
	[ "$status" -eq 1 ]
	stderr_line "twice.csv:3:1: kode: the same value as an earlier row of this file"
	[ "$(vault_state)" = "$before" ]
}

@test "a ';'-separated file imports, a ',' inside a cell stays text" {
	imports semicolon.csv 2
	run as ada record show warga 1 --reveal --purpose "test: delimiter"
	[ "$status" -eq 0 ]
	[ "$(jq -r .nama <<<"$output")" = "Budi Santoso, S.Pd." ]
	[ "$(jq -r .nik <<<"$output")" = "$A_NIK" ]
	[ "$(jq -r .disabilitas <<<"$output")" = tidak ]
}

@test "CRLF line ends import and leave no CR in any value" {
	fixture crlf.csv
	grep -q $'\r$' crlf.csv
	run as ada import warga crlf.csv
	[ "$status" -eq 0 ]
	[ "$output" = "imported 3 rows into 'warga'" ]
	run as ada record show warga 3 --reveal --purpose "test: crlf"
	[ "$status" -eq 0 ]
	[ "$(jq -r .disabilitas <<<"$output")" = fisik ]
	[ "$(jq -r .nama <<<"$output")" = "Wahyu Prasetyo" ]
	[ "$(jq -r .telepon <<<"$output")" = "+62342801234" ]
	[[ "$output" != *'\r'* ]]
}

@test "a UTF-8 byte order mark before the header is skipped" {
	fixture bom.csv excel.csv
	[ "$(head -c 3 bom.csv | od -An -tx1 | tr -d ' ')" = efbbbf ]
	run as ada import warga bom.csv
	[ "$status" -eq 0 ]
	[ "$output" = "imported 2 rows into 'warga'" ]
	# what Excel writes in an Indonesian locale: BOM, ';' and CRLF at once (into a new vault:
	# the same people are registered already in this one)
	rm -rf "$VAULT"
	fresh_vault
	run as ada import warga excel.csv
	[ "$status" -eq 0 ]
	[ "$output" = "imported 3 rows into 'warga'" ]
	run as ada record show warga 1
	[ "$(jq -r .tanggal_lahir <<<"$output")" = 1990-01-01 ]
}

@test "quoted cells keep embedded newlines, commas and quotes" {
	imports multiline.csv 3
	run as ada record show warga 1 --reveal --purpose "test: quoting"
	[ "$(jq -r .nama <<<"$output")" = $'Santoso,\nBudi' ]
	[ "$(jq -r .pekerjaan <<<"$output")" = "petani, peternak" ]
	run as ada record show warga 2 --reveal --purpose "test: quoting"
	[ "$(jq -r .nama <<<"$output")" = 'Siti "Ani" Aminah' ]
	[ "$(jq -r .pekerjaan <<<"$output")" = $'guru,\n\nles privat' ]
	run as ada record show warga 3
	[ "$(jq -r .desa <<<"$output")" = 35.05.10.2003 ]
}

@test "problems after multi-line cells are reported at their real lines" {
	fixture multiline-bad.csv
	# line 8 has the impossible date, line 12 the bad sex (see the README)
	[ "$(sed -n 8p multiline-bad.csv | cut -d, -f4)" = 31/02/1990 ]
	[ "$(sed -n 12p multiline-bad.csv | cut -d, -f5)" = X ]
	import_rejected multiline-bad.csv 2
	stderr_line "multiline-bad.csv:8:4: tanggal_lahir: date is not a real date (no such day in that month)"
	stderr_line "multiline-bad.csv:12:5: jenis_kelamin: value is not one of the 2 allowed values; did you mean 'L'?"
	lacks 3505100101900005 "Rudi" "Eko Saputro" Wulandari
}

@test "problems after multi-line cells with CRLF are reported at their real lines" {
	fixture multiline-crlf-bad.csv
	import_rejected multiline-crlf-bad.csv 2
	stderr_line "multiline-crlf-bad.csv:8:4: tanggal_lahir: date is not a real date (no such day in that month)"
	stderr_line "multiline-crlf-bad.csv:12:5: jenis_kelamin: value is not one of the 2 allowed values; did you mean 'L'?"
}

@test "dates in the Indonesian forms are read and stored as ISO dates" {
	imports dates.csv 17
	# 17/08/1990, 17 Agustus 1990, 17-Agu-1990, 17 Ags. 1990 ... (rows 1-13)
	[ "$(store_sql 35.05.10 "SELECT count(*) FROM ds_warga WHERE id <= 13 AND tanggal_lahir = '1990-08-17'")" -eq 13 ]
	[ "$(store_sql 35.05.10 'SELECT tanggal_lahir FROM ds_warga WHERE id > 13 ORDER BY id')" = \
		"$(printf '%s\n' 2000-05-01 1975-10-05 1980-12-25 1999-11-03)" ]
	# a two-digit year is ambiguous
	printf '%s\n%s\n' "$(head -n 1 dates.csv)" "3505101708900001,Warga,,17/08/90,L,Minggirsari,,," >short.csv
	import_rejected short.csv 1
	[[ "$stderr" == *"short.csv:2:4: tanggal_lahir: "* ]]
}

@test "--dry-run checks everything and writes nothing, not even an audit entry" {
	fixture valid.csv impossible-date.csv
	db_key
	before=$(vault_state)
	run --separate-stderr as ada import warga valid.csv --dry-run
	[ "$status" -eq 0 ]
	[ "$output" = "checked 3 rows into 'warga' (dry run: nothing written)" ]
	[ "$(vault_state)" = "$before" ]
	# a dry run finds the same problems
	run --separate-stderr as ada import --dry-run warga impossible-date.csv
	[ "$status" -eq 1 ]
	stderr_line "impossible-date.csv:3:4: tanggal_lahir: date is not a real date (no such day in that month)"
	[ "$(vault_state)" = "$before" ]
	# and the real import still takes every row
	run as ada import warga valid.csv
	[ "$status" -eq 0 ]
	[ "$(dataset_rows warga)" -eq 3 ]
}

@test "an unclosed quote is refused at the line where the cell opens" {
	fixture unclosed-quote.csv
	import_rejected unclosed-quote.csv 1
	stderr_line "unclosed-quote.csv:3:1: malformed CSV: a quoted cell is never closed"
	lacks "$B_NIK" "$B_NAMA" Siti Wahyu
}

# long_name_csv OUT MIB [QUOTE]: the first two lines of valid.csv, then a row
# whose nama is MIB MiB of S, enclosed in QUOTE when one is given.
long_name_csv() {
	local out=$1 mib=$2 quote=${3:-}
	{
		sed -n 1,2p valid.csv
		printf '%s,%s' "$B_NIK" "$quote"
		head -c $((mib << 20)) /dev/zero | tr '\0' S
		printf '%s,,02/02/1985,P,Jatinom,,,\n' "$quote"
	} >"$out"
}

@test "a stray quote, or an unquoted cell above 10 MB, is one problem at its line" {
	fixture stray-quote.csv valid.csv
	import_rejected stray-quote.csv 1
	stderr_line "stray-quote.csv:3:1: malformed CSV (a stray or unclosed quote)"
	lacks "$B_NIK" Siti Aminah
	long_name_csv huge.csv 11
	import_rejected huge.csv 1
	stderr_line "huge.csv:3:1: a cell is larger than 10 MB"
}

@test "a row with too few or too many columns is refused at the first missing or extra column" {
	fixture column-count.csv
	import_rejected column-count.csv 2
	stderr_line "column-count.csv:3:9: expected 9 columns, found 8"
	stderr_line "column-count.csv:4:10: expected 9 columns, found 10"
	lacks "$B_NIK" "$B_NAMA" extra
}

@test "a name that is not UTF-8 is refused at its cell, without the name" {
	fixture invalid-utf8.csv
	import_rejected invalid-utf8.csv 1
	stderr_line 'invalid-utf8.csv:3:2: nama: text is not valid UTF-8 (byte 4); save the file as UTF-8 (in Excel: "CSV UTF-8")'
	lacks Ren Susanti "$B_NIK"
}

@test "a NUL byte in a cell is refused at its cell" {
	fixture nul-byte.csv
	[ "$(tr -d -c '\0' <nul-byte.csv | wc -c)" -eq 1 ]
	import_rejected nul-byte.csv 1
	stderr_line "nul-byte.csv:3:2: nama: text contains a NUL byte (byte 5)"
	lacks Siti Aminah "$B_NIK"
}

@test "a 10 MB cell is refused by its length, a larger one before it is buffered" {
	fixture valid.csv
	long_name_csv big.csv 10 '"'
	[ "$(stat -c %s big.csv)" -gt $((10 << 20)) ]
	import_rejected big.csv 1
	stderr_line "big.csv:3:2: nama: text is longer than 200 bytes"
	lacks SSSS "$B_NIK"
	# above the 10 MB a cell may take, the parser gives up on the line
	long_name_csv huge.csv 11 '"'
	import_rejected huge.csv 1
	stderr_line "huge.csv:3:1: a cell is larger than 10 MB"
	lacks SSSS "$B_NIK"
}

@test "formula-like cells are stored as text and come back verbatim" {
	imports formula.csv 4
	run as ani record show warga 1
	[ "$status" -eq 0 ]
	[ "$(jq -r .pekerjaan <<<"$output")" = "=cmd|' /C calc'!A0" ]
	run as ani record show warga 2
	[ "$(jq -r .pekerjaan <<<"$output")" = "@SUM(A1:A9)" ]
	run as ani record show warga 3
	[ "$(jq -r .pekerjaan <<<"$output")" = "+62 812 3456" ]
	run as ani record show warga 4
	[ "$(jq -r .pekerjaan <<<"$output")" = "-1+1" ]
	run as ada record show warga 2 --reveal --purpose "test: formula"
	[ "$(jq -r .nama <<<"$output")" = '=HYPERLINK("http://x.example/","klik")' ]
	run as ada record show warga 4 --reveal --purpose "test: formula"
	[ "$(jq -r .nama <<<"$output")" = "-Wahyu" ]
}

@test "a column named twice in the header is refused at its second place" {
	fixture duplicate-header.csv
	import_rejected duplicate-header.csv 1
	stderr_line "duplicate-header.csv:1:8: column 'nama' appears twice in the header"
	lacks "$A_NIK" "$A_NAMA" petani
}

@test "an unknown header column is refused at its place, with a hint" {
	fixture unknown-header.csv
	import_rejected unknown-header.csv 1
	stderr_line "unknown-header.csv:1:10: header cell 10 is not a column of dataset 'warga'"
	stderr_line "brankas: hint: 'brankas dataset show warga --template' prints the expected header"
	lacks "$A_NIK" "$A_NAMA" islam kristen
}

@test "a header without a required column is refused" {
	fixture missing-column.csv
	import_rejected missing-column.csv 1
	stderr_line "missing-column.csv:1:1: the header lacks the required column 'nama'"
	lacks "$A_NIK" "$B_NIK"
}

@test "an empty file is refused" {
	fixture empty.csv
	[ ! -s empty.csv ]
	import_rejected empty.csv 1
	stderr_line "empty.csv:1:1: the file is empty: a header line is required"
	printf '\n\n' >blank.csv
	import_rejected blank.csv 1
	stderr_line "blank.csv:1:1: the file is empty: a header line is required"
}

@test "a header without rows is a valid empty import: 0 rows, audited" {
	# import.c: problems are counted per cell and an empty body has none
	fixture header-only.csv
	db_key
	rows=$(vault_rows)
	run --separate-stderr as ada import warga header-only.csv
	[ "$status" -eq 0 ]
	[ "$output" = "imported 0 rows into 'warga'" ]
	[ -z "$stderr" ]
	[ "$(vault_rows)" = "$rows" ]
	audit_last | jq -e '.action == "import" and .dataset == "warga" and .rows == 0 and .outcome == "ok"'
}

@test "a NIK of the wrong length is refused at its cell, without its digits" {
	fixture nik-length.csv
	import_rejected nik-length.csv 1
	stderr_line "nik-length.csv:3:1: nik: NIK must have 16 digits, not 15"
	lacks 350510420285002 "$B_NAMA"
}

@test "a NIK whose day (+40 for women) contradicts jenis_kelamin is refused" {
	fixture nik-sex.csv
	import_rejected nik-sex.csv 2
	stderr_line "nik-sex.csv:3:1: nik: sex L does not match the NIK (day + 40 means P)"
	stderr_line "nik-sex.csv:4:1: nik: sex P does not match the NIK (a day without + 40 means L)"
	lacks "$B_NIK" "$B_NAMA" 3505101708750003 Wahyu
}

@test "an impossible date is refused at its cell" {
	fixture impossible-date.csv
	import_rejected impossible-date.csv 1
	stderr_line "impossible-date.csv:3:4: tanggal_lahir: date is not a real date (no such day in that month)"
	lacks 31/02/1990 3505100101900005 Rudi
}

@test "an unknown desa is refused with a did-you-mean hint" {
	fixture unknown-desa.csv
	import_rejected unknown-desa.csv 1
	stderr_line "unknown-desa.csv:3:6: desa: unknown desa name; did you mean 'Minggirsari'?"
	lacks Minggirsary "$B_NIK" "$B_NAMA"
}

@test "the same NIK twice in one file is refused at the second line" {
	fixture duplicate-nik.csv
	import_rejected duplicate-nik.csv 1
	stderr_line "duplicate-nik.csv:4:1: nik: the same NIK is on an earlier line of this file"
	lacks "$A_NIK" "Budi Santosa" "$A_NAMA"
}

@test "a file that does not exist or an unknown dataset fails before anything is written" {
	fixture valid.csv
	db_key
	before=$(vault_state)
	run as ada import warga nosuch.csv
	[ "$status" -eq 1 ]
	has "cannot read 'nosuch.csv'"
	run as ada import nosuch valid.csv
	[ "$status" -eq 1 ]
	has "no dataset 'nosuch'"
	run as ada import warga
	[ "$status" -eq 2 ]
	[ "$(vault_state)" = "$before" ]
}

@test "analysts and auditors may not import (4)" {
	fixture valid.csv
	db_key
	rows=$(vault_rows)
	for u in ani aud; do
		run as "$u" import warga valid.csv
		[ "$status" -eq 4 ]
		audit_last | jq -e --arg u "$u" '.actor == $u and .outcome == "denied"'
	done
	[ "$(vault_rows)" = "$rows" ]
}

@test "an operator imports rows of their own kecamatan, a custodian too" {
	fixture valid.csv dates.csv
	run as oki import warga valid.csv
	[ "$status" -eq 0 ]
	[ "$output" = "imported 3 rows into 'warga'" ]
	audit_last | jq -e '.actor == "oki" and .action == "import" and .rows == 3 and .outcome == "ok"'
	run as citra import warga dates.csv
	[ "$status" -eq 0 ]
	[ "$(dataset_rows warga)" -eq 20 ]
}

@test "an operator importing a row in another kecamatan is denied (4), audited, and nothing is imported" {
	fixture out-of-scope.csv
	# line 3 is in Wonodadi, lines 2 and 4 in the operator's Kanigoro
	[ "$(sed -n 3p out-of-scope.csv | cut -d, -f6)" = Jaten ]
	db_key
	rows=$(vault_rows)
	n=$(audit_count)
	run --separate-stderr as oki import warga out-of-scope.csv
	[ "$status" -eq 4 ]
	[ -z "$output" ]
	[ "$(vault_rows)" = "$rows" ]
	[ "$(audit_count)" -gt "$n" ]
	audit_last | jq -e '.actor == "oki" and .role == "operator" and .command == "import"
		and .dataset == "warga" and .outcome == "denied"'
	lacks "$D_NIK" "$D_NAMA" "$A_NIK" "$A_NAMA" "$B_NIK"
	for v in "$D_NIK" "$D_NAMA" "$A_NIK"; do
		run grep -c -F -- "$v" "$VAULT/audit.log"
		[ "$output" = 0 ]
	done
}

@test "an out-of-scope import names the line and logs an import denial" {
	fixture out-of-scope.csv
	run --separate-stderr as oki import warga out-of-scope.csv
	[ "$status" -eq 4 ]
	stderr_line "out-of-scope.csv:3:1: the row is in kecamatan Wonodadi, outside your scope"
	stderr_line "brankas: error: out-of-scope.csv: 1 row is outside your scope; nothing was imported"
	audit_last | jq -e '.actor == "oki" and .action == "import" and .outcome == "denied"
		and .detail == "1 rows outside the user'"'"'s scope"'
	[ "$(dataset_rows warga)" -eq 0 ]
}

@test "the same person in a second import is refused for a key holder, and usage rows link to the person" {
	cat >w.csv <<-'CSV'
		nik,nama,telepon,tanggal_lahir,jenis_kelamin,desa,pendidikan,pekerjaan,disabilitas
		3505100101900001,Budi Santoso,,1990-01-01,L,35.05.10.2001,SMA,petani,tidak
	CSV
	cat >p.csv <<-'CSV'
		nik,kode_inovasi,tanggal,kanal,desa
		3505100101900001,INO-1,2025-01-02,daring,35.05.10.2001
		3505100202900002,INO-1,2025-01-03,luring,35.05.10.2001
	CSV
	run as ada import warga w.csv
	[ "$status" -eq 0 ]
	run as citra import warga w.csv
	[ "$status" -eq 1 ]
	[[ "$output" == *"w.csv:2:1: nik: this person is already registered (row 1)"* ]]
	[[ "$output" != *"Budi"* && "$output" != *"3505100101900001"* ]]
	run as ada import pemanfaatan p.csv
	[ "$status" -eq 0 ]
	run --separate-stderr as ani query --format csv "SELECT subject FROM pemanfaatan ORDER BY id"
	[ "$(tr -d '\r' <<<"$output" | paste -sd' ')" = "subject 1 " ]
}
