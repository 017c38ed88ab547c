#!/usr/bin/env bats
# 0100-datasets.bats - the dataset registry: the built-in profile, `dataset
# show` and its CSV template, `dataset add` of a schema file, schema errors as
# FILE:LINE:COLUMN, and who may list and add.

load helper

setup_file() {
	build_template
}

setup() {
	fresh_vault
}

# A valid custom schema: a public count per desa and day.
write_kunjungan() {
	cat >kunjungan.ini <<-'EOF'
		[dataset]
		name = kunjungan
		title = Kunjungan posyandu
		retention = 2y
		scope = desa

		[column.desa]
		type = region
		level = desa
		class = quasi
		required = yes

		[column.tanggal]
		type = date
		class = quasi
		required = yes

		[column.jumlah]
		type = int
		class = public
		min = 0
		max = 500
	EOF
}

# schema_rejected FILE TEXT: `dataset add FILE` as ada exits 1 with
# "brankas: error: TEXT", asks for nothing and changes no file of the vault
# (the schema is checked before the vault is unlocked).
schema_rejected() {
	local file=$1 text=$2 before
	before=$(snapshot "$VAULT")
	run as ada dataset add "$file"
	[ "$status" -eq 1 ] || { echo "dataset add $file: exit $status, expected 1"; return 1; }
	has "brankas: error: $text"
	[[ "$output" != *"added dataset"* ]]
	[ "$(snapshot "$VAULT")" = "$before" ] || { echo "dataset add $file changed the vault"; return 1; }
}

@test "dataset list shows the five built-in datasets, all empty" {
	run as ada dataset list
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(printf '%-14s %10s %8s %7s  %s' DATASET ROWS COLUMNS SEALED TITLE)" ]
	[ "${#lines[@]}" -eq 6 ]
	# name, rows, columns, sealed columns
	[ "$(printf '%s\n' "${lines[@]:1}" | awk '{ print $1, $2, $3, $4 }')" = "$(printf '%s\n' \
		'inovasi 0 12 0' 'pemanfaatan 0 5 1' 'pengaduan 0 7 2' 'skm 0 19 2' 'warga 0 9 3')" ]
	has "Warga (data subjects)"
	# every role that works with data may list
	for u in citra oki ani; do
		run as "$u" dataset list
		[ "$status" -eq 0 ]
		[ "${#lines[@]}" -eq 6 ]
	done
}

@test "dataset show warga --template prints exactly the CSV header" {
	run --separate-stderr as ada dataset show warga --template
	[ "$status" -eq 0 ]
	[ "$output" = "nik,nama,telepon,tanggal_lahir,jenis_kelamin,desa,pendidikan,pekerjaan,disabilitas" ]
	[ -z "$stderr" ]
	run as ani dataset show pemanfaatan --template
	[ "$status" -eq 0 ]
	[ "$output" = "nik,kode_inovasi,tanggal,kanal,desa" ]
}

@test "dataset show warga lists columns, classes and what is sealed" {
	run as ada dataset show warga
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "dataset    warga (Warga (data subjects))" ]
	[ "${lines[1]}" = "rows       0" ]
	has "retention  3650 days"
	has "scope      the kecamatan of column 'desa'"
	[[ "$output" =~ nik\ +nik\ +identifier\ +yes\ +sealed\;\ blind\ index ]]
	[[ "$output" =~ nama\ +text\ +identifier\ +yes\ +sealed ]]
	[[ "$output" =~ tanggal_lahir\ +date\ +quasi\ +yes\ +hierarchy\ month,quarter,year ]]
	[[ "$output" =~ disabilitas\ +enum\ +sensitive\ +no\ +values\ tidak\|fisik ]]
	run as ada dataset show nosuch
	[ "$status" -eq 1 ]
	has "no dataset 'nosuch'"
}

@test "dataset add registers a valid schema: list, show and import see it" {
	write_kunjungan
	run as ada dataset add kunjungan.ini
	[ "$status" -eq 0 ]
	[ "$output" = "added dataset 'kunjungan'" ]
	audit_last | jq -e '.actor == "ada" and .action == "dataset-add" and .dataset == "kunjungan" and .outcome == "ok"'
	run as ada dataset list
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 7 ]
	[[ "$output" =~ kunjungan\ +0\ +3\ +0\ +Kunjungan\ posyandu ]]
	run as ada dataset show kunjungan --template
	[ "$output" = "desa,tanggal,jumlah" ]
	run as ada dataset show kunjungan
	has "retention  730 days"
	# the new table takes rows
	printf 'desa,tanggal,jumlah\nMinggirsari,17/08/2024,12\nJaten,2024-08-18,0\n' >k.csv
	run as ada import kunjungan k.csv
	[ "$status" -eq 0 ]
	[ "$output" = "imported 2 rows into 'kunjungan'" ]
	[ "$(dataset_rows kunjungan)" -eq 2 ]
	# its int range holds
	printf 'desa,tanggal,jumlah\nMinggirsari,17/08/2024,501\n' >k2.csv
	run as ada import kunjungan k2.csv
	[ "$status" -eq 1 ]
	has "k2.csv:2:3: jumlah: "
	[ "$(dataset_rows kunjungan)" -eq 2 ]
}

@test "dataset add of a name already taken fails and keeps the dataset" {
	write_kunjungan
	run as ada dataset add kunjungan.ini
	[ "$status" -eq 0 ]
	sed 's/^title = .*/title = Lain/' kunjungan.ini >again.ini
	n=$(audit_count)
	run as ada dataset add again.ini
	[ "$status" -eq 1 ]
	has "dataset 'kunjungan' already exists"
	run as ada dataset list
	[[ "$output" =~ kunjungan\ +0\ +3\ +0\ +Kunjungan\ posyandu ]]
	# a built-in name is taken too
	sed 's/^name = .*/name = warga/' kunjungan.ini >warga.ini
	run as ada dataset add warga.ini
	[ "$status" -eq 1 ]
	has "dataset 'warga' already exists"
	[ "$(audit_count)" -gt "$n" ]
}

@test "schema: an unknown type is refused at its line and column" {
	write_kunjungan
	sed -i 's/^type = date$/type = datetime/' kunjungan.ini
	[ "$(sed -n 14p kunjungan.ini)" = "type = datetime" ]
	schema_rejected kunjungan.ini \
		"kunjungan.ini:14:8: unknown type 'datetime' (text, int, date, enum, region, nik, phone, score1to4)"
}

@test "schema: an unknown key is refused at its line" {
	write_kunjungan
	printf 'colour = red\n' >>kunjungan.ini
	# the column points at the value, as for every key error
	schema_rejected kunjungan.ini "kunjungan.ini:23:10: unknown key 'colour' in a column"
	write_kunjungan
	sed -i 's/^retention = 2y$/owner = bappeda/' kunjungan.ini
	schema_rejected kunjungan.ini "kunjungan.ini:4:9: unknown key 'owner' in [dataset]"
}

@test "schema: future is for dates, references and unique for plain text columns" {
	write_kunjungan
	printf 'future = yes\n' >>kunjungan.ini
	schema_rejected kunjungan.ini "kunjungan.ini:23:10: column 'jumlah': future is for date columns"
	write_kunjungan
	printf 'references = inovasi.kode\n' >>kunjungan.ini
	schema_rejected kunjungan.ini "kunjungan.ini:23:14: column 'jumlah': references is for plain text columns"
	write_kunjungan
	printf '[column.kode]\ntype = text\nclass = public\nmax_length = 40\nreferences = inovasi\n' >>kunjungan.ini
	schema_rejected kunjungan.ini "kunjungan.ini:27:14: references must be DATASET.COLUMN (a-z, 0-9, '_')"
	write_kunjungan
	printf 'unique = yes\n' >>kunjungan.ini
	schema_rejected kunjungan.ini "kunjungan.ini:23:10: column 'jumlah': unique is for plain text columns"
}

@test "schema: a column declared twice is refused" {
	write_kunjungan
	printf '\n[column.tanggal]\ntype = text\nclass = public\n' >>kunjungan.ini
	[ "$(sed -n 24p kunjungan.ini)" = "[column.tanggal]" ]
	# reported at the section's first key (inih reports keys, not headers)
	schema_rejected kunjungan.ini "kunjungan.ini:25:8: column 'tanggal' declared twice"
}

@test "schema: a column declared twice in a row is refused" {
	write_kunjungan
	printf '[column.jumlah]\ntype = text\nclass = identifier\n' >>kunjungan.ini
	schema_rejected kunjungan.ini "kunjungan.ini:24:8: 'type' is given twice for column 'jumlah'"
}

@test "schema: a key given twice in one column is refused" {
	write_kunjungan
	sed -i 's/^class = public$/class = public\nclass = identifier/' kunjungan.ini
	[ "$(sed -n 21p kunjungan.ini)" = "class = identifier" ]
	schema_rejected kunjungan.ini "kunjungan.ini:21:9: "
}

@test "schema: an identifier column without a scope is refused at its class, FILE:LINE:COLUMN" {
	cat >catatan.ini <<-'EOF'
		[dataset]
		name = catatan
		title = Catatan

		[column.nama]
		type = text
		class = identifier
		required = yes
	EOF
	schema_rejected catatan.ini "catatan.ini:7:9: "
	has "identifier and secret columns are sealed per kecamatan: the dataset needs a scope column"
}

@test "schema: errors found only at the end still name the key's line and column" {
	cat >angka.ini <<-'EOF'
		[dataset]
		name = angka
		title = Angka
		scope = desa

		[column.desa]
		type = region
		class = quasi
		required = yes

		[column.jumlah]
		type = int
		class = public
		min = 10
		max = 5
	EOF
	schema_rejected angka.ini "angka.ini:15:7: column 'jumlah': min is above max"
	sed -i -e 's/^required = yes$/required = no/' -e 's/^max = 5$/max = 50/' angka.ini
	schema_rejected angka.ini "angka.ini:4:9: scope must name a required region or nik column"
}

@test "schema: a NUL byte is refused at its line and column" {
	write_kunjungan
	printf '[dataset]\nname = kunjungan\nti\0tle = x\n' | dd of=kunjungan.ini conv=notrunc status=none
	[ "$(head -c 40 kunjungan.ini | tr -d -c '\0' | wc -c)" -eq 1 ]
	schema_rejected kunjungan.ini "kunjungan.ini:3:3: NUL byte"
}

@test "schema: a 300-character line is refused at column 191" {
	write_kunjungan
	sed -i "s/^title = .*/title = $(head -c 292 /dev/zero | tr '\0' x)/" kunjungan.ini
	[ "$(sed -n 3p kunjungan.ini | wc -c)" -eq 301 ]
	schema_rejected kunjungan.ini "kunjungan.ini:3:191: line longer than 190 characters"
}

@test "schema: a file without a [dataset] section is refused at 1:1" {
	write_kunjungan
	sed -i '1,6d' kunjungan.ini
	[ "$(head -n 1 kunjungan.ini)" = "[column.desa]" ]
	schema_rejected kunjungan.ini "kunjungan.ini:1:1: a [dataset] section with a name is required"
	: >empty.ini
	schema_rejected empty.ini "empty.ini:1:1: a [dataset] section with a name is required"
}

@test "schema: a bad dataset name is refused at its value" {
	write_kunjungan
	sed -i 's/^name = kunjungan$/name = Kunjungan-2024/' kunjungan.ini
	schema_rejected kunjungan.ini "kunjungan.ini:2:8: dataset name must be a-z, 0-9, '_' (starting with a letter)"
}

@test "an analyst may not add a dataset (4), and nothing is added" {
	write_kunjungan
	run as ani dataset add kunjungan.ini
	[ "$status" -eq 4 ]
	has "role 'analyst' may not dataset-admin"
	[[ "$output" != *"added dataset"* ]]
	audit_last | jq -e '.actor == "ani" and .action == "dataset-admin" and .outcome == "denied"'
	run as ada dataset list
	[[ "$output" != *kunjungan* ]]
	[ "${#lines[@]}" -eq 6 ]
	# nor may a custodian or an operator
	for u in citra oki; do
		run as "$u" dataset add kunjungan.ini
		[ "$status" -eq 4 ]
	done
}

@test "an auditor may not list datasets (4), and the refusal is audited" {
	n=$(audit_count)
	run as aud dataset list
	[ "$status" -eq 4 ]
	has "role 'auditor' may not dataset-read"
	[[ "$output" != *warga* ]]
	[ "$(audit_count)" -eq $((n + 1)) ]
	audit_last | jq -e '.actor == "aud" and .action == "dataset-read" and .outcome == "denied"'
	run as aud dataset show warga --template
	[ "$status" -eq 4 ]
	[[ "$output" != *nik,nama* ]]
}
