#!/usr/bin/env bats
# query: read-only SQL through scoped views; every escape attempt is denied
# (exit 4) and audited; reveal() opens identifiers only for key holders in scope.

load helper

setup_file() {
	build_template
	# three people: two in Kanigoro (35.05.10), one in Wonodadi (35.05.01)
	cat >"$BATS_FILE_TMPDIR/warga.csv" <<'CSV'
nik,nama,telepon,tanggal_lahir,jenis_kelamin,desa,pendidikan,pekerjaan,disabilitas
3505100101900001,Budi Santoso,081234567890,1990-01-01,L,35.05.10.2001,SMA,petani,tidak
3505104202850002,Siti Aminah,,1985-02-02,P,35.05.10.2002,SD,=1+2,tidak
3505010303800003,Joko Widagdo,,1980-03-03,L,35.05.01.2001,S1,guru,fisik
CSV
	VAULT=$TEMPLATE
	as ada import warga "$BATS_FILE_TMPDIR/warga.csv" >/dev/null
	unset VAULT
}

setup() {
	fresh_vault
}

q() { # USER SQL [OPTS…]: the SQL from a file, as SQL with literals must come
	local user=$1 sql=$2
	shift 2
	as "$user" query --format csv "$@" --file "$(sql_file "$sql")" | tr -d '\r'
	return "${PIPESTATUS[0]}"
}

last_audit() { tail -1 "$VAULT/audit.log"; }

@test "an analyst aggregates quasi and sensitive columns over the whole kabupaten" {
	run --separate-stderr q ani "SELECT jenis_kelamin, count(*) AS n FROM warga GROUP BY 1 ORDER BY 1"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "jenis_kelamin,n" ]
	[ "${lines[1]}" = "L,2" ]
	[ "${lines[2]}" = "P,1" ]
}

@test "a custodian of Kanigoro sees only Kanigoro rows" {
	run --separate-stderr q citra "SELECT count(*) FROM warga"
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "2" ]
}

@test "identifier columns hold handles, not values or ciphertext" {
	run --separate-stderr q ani "SELECT nik, nama FROM warga ORDER BY id LIMIT 1"
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "warga:1:nik,warga:1:nama" ]
	lacks 3505100101900001 Budi
}

@test "a custodian reveals in scope with a purpose; the audit entry has no value" {
	run --separate-stderr q citra "SELECT reveal(nama) FROM warga WHERE desa = '35.05.10.2001'" --purpose "verifikasi"
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "Budi Santoso" ]
	run jq -r '[.action, .sql, .rows, .revealed, .purpose, (.sql_mac | length)] | @tsv' <<<"$(last_audit)"
	[ "$output" = "$(printf 'query\tSELECT reveal(nama) FROM warga WHERE desa = ?\t1\t1\tverifikasi\t32')" ]
	run grep -q "35.05.10.2001'" "$VAULT/audit.log"
	[ "$status" -eq 1 ]
	run grep -q Budi "$VAULT/audit.log"
	[ "$status" -eq 1 ]
}

@test "reveal without a purpose is a usage error" {
	run q citra "SELECT reveal(nama) FROM warga"
	[ "$status" -eq 2 ]
	[[ "$output" == *"needs --purpose"* ]]
}

deny() { # USER SQL [OPTS…]: exit 4, an audit entry with outcome denied
	local before
	before=$(wc -l <"$VAULT/audit.log")
	run q "$@"
	[ "$status" -eq 4 ] || { echo "expected exit 4, got $status: $output"; return 1; }
	[ "$(wc -l <"$VAULT/audit.log")" -gt "$before" ] || { echo "no audit entry"; return 1; }
	[ "$(last_audit | jq -r .outcome)" = denied ] || { echo "last entry: $(last_audit)"; return 1; }
}

@test "writing is denied and audited" {
	deny ani "DELETE FROM warga"
	deny ani "INSERT INTO warga (id) VALUES (9)"
	deny ani "UPDATE warga SET pekerjaan = 'x'"
	deny ani "CREATE TABLE t (x)"
	deny ani "DROP VIEW warga"
}

@test "PRAGMA, ATTACH and load_extension are denied" {
	deny ani "PRAGMA key"
	# no table-valued pragmas on SQLite 3.15 (a usage error there); denied where they exist
	run q ani "SELECT * FROM pragma_table_info('warga')"
	[ "$status" -eq 2 ] || [ "$status" -eq 4 ]
	deny ani "ATTACH DATABASE '/tmp/x.db' AS x"
	# SQLCipher is built without load_extension: no such function (a usage error), or denied
	run q ani "SELECT load_extension('/tmp/x.so')"
	[ "$status" -eq 2 ] || [ "$status" -eq 4 ]
	[ "$(last_audit | jq -r .outcome)" != ok ]
}

@test "the schema and the base tables are out of reach" {
	deny ani "SELECT * FROM sqlite_master"
	deny ani "SELECT name FROM sqlite_temp_master"
	deny ani "SELECT count(*) FROM ds_warga"
	deny ani "SELECT value FROM meta"
	deny ani "SELECT sealed_key FROM batches"
	deny citra "SELECT count(*) FROM main.ds_warga"
}

@test "ciphertext and blind-index columns cannot be read, even through subqueries and CTEs" {
	deny ani "SELECT sealed FROM ds_warga"
	deny ani "SELECT (SELECT nik_bi FROM ds_warga LIMIT 1)"
	deny ani "WITH t AS (SELECT sealed FROM ds_warga) SELECT * FROM t"
	deny ani "SELECT * FROM warga WHERE id IN (SELECT id FROM ds_warga WHERE kecamatan = '35.05.01')"
}

@test "an analyst or operator cannot reveal; a custodian cannot reveal outside scope" {
	deny ani "SELECT reveal(nama) FROM warga" --purpose x
	deny oki "SELECT reveal(nik) FROM warga" --purpose x
	# a forged handle of the Wonodadi row (id 3)
	deny citra "SELECT reveal('warga:3:nama')" --purpose x
}

@test "a formula-like value comes out of CSV as text" {
	run --separate-stderr q citra "SELECT pekerjaan FROM warga WHERE jenis_kelamin = 'P'"
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "\"'=1+2\"" ]
	run --separate-stderr as citra query --format json --file "$(sql_file "SELECT pekerjaan FROM warga WHERE jenis_kelamin = 'P'")"
	[ "$(jq -r '.[0].pekerjaan' <<<"$output")" = "=1+2" ]
}

@test "one statement per query (4, audited); a bad statement is a usage error" {
	deny ani "SELECT 1; SELECT 2"
	deny ani "SELECT count(*) FROM warga; DELETE FROM warga"
	run q ani "SELEKT 1"
	[ "$status" -eq 4 ]
	run q ani "SELECT FROM"
	[ "$status" -eq 2 ]
}

# --- the escapes of issue "Scope by keys" (each failed before its fix) ---

@test "a base table in single quotes, or in any other quoting, is refused and audited" {
	# SQLite reads 'ds_warga' as a table name where one is expected
	deny citra "SELECT count(*) FROM 'ds_warga'"
	deny citra "SELECT count(*) FROM main.'ds_warga'"
	deny citra "SELECT count(*) FROM 'DS_WARGA'"
	deny citra 'SELECT count(*) FROM "ds_warga"'
	deny citra 'SELECT count(*) FROM `ds_warga`'
	deny citra "SELECT count(*) FROM [ds_warga]"
	deny citra "SELECT count(*) FROM 'sqlite_master'"
	deny citra "SELECT * FROM sqlite_schema"
	deny citra "SELECT count(*) FROM/**/'ds_warga'"
	[ "$(last_audit | jq -r .detail)" = "reading 'ds_warga' directly is not allowed: query the dataset views" ]
}

@test "a CTE never stands in for a dataset view" {
	deny citra "WITH warga AS (SELECT desa FROM main.'ds_warga') SELECT count(*) FROM warga"
	deny citra "WITH warga AS (SELECT 1 AS n) SELECT n FROM warga"
	deny citra 'WITH "Warga"(n) AS (SELECT 1) SELECT n FROM warga'
	deny citra "WITH x AS (SELECT 1), wilayah AS MATERIALIZED (SELECT 2) SELECT 1"
	[ "$(last_audit | jq -r .detail)" = "a WITH clause cannot take the name of a dataset view" ]
	# an ordinary CTE over the views still works
	run --separate-stderr q citra "WITH w AS (SELECT desa FROM warga) SELECT count(*) FROM w"
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = 2 ]
}

@test "a reveal() nested in another is audited with what it opened, and no error echoes the value" {
	local before
	before=$(wc -l <"$VAULT/audit.log")
	run q citra "SELECT reveal('warga:' || reveal(nik) || ':nik') FROM warga WHERE id = 1" --purpose verifikasi
	[ "$status" -eq 4 ]
	[[ "$output" == *"reveal() refused"* ]]
	lacks 3505100101900001 Budi
	[ "$(wc -l <"$VAULT/audit.log")" -eq $((before + 1)) ]
	run jq -r '[.action, .outcome, .revealed, .purpose] | @tsv' <<<"$(last_audit)"
	[ "$output" = "$(printf 'query\tdenied\t1\tverifikasi')" ]
	run grep -c 3505100101900001 "$VAULT/audit.log"
	[ "$output" = 0 ]
}

@test "a statement that reveals and then fails is audited with the values it opened" {
	run q citra "SELECT reveal(nama), abs(-9223372036854775807 - 1) FROM warga WHERE id = 1" --purpose verifikasi
	[ "$status" -eq 1 ]
	lacks Budi
	run jq -r '[.outcome, .revealed] | @tsv' <<<"$(last_audit)"
	[ "$output" = "$(printf 'failed\t1')" ]
}

@test "a query that does not parse is audited and its message does not echo the SQL" {
	run q citra "SELECT nama FROM warga WHERE telepon = 3505100101900001abc"
	[ "$status" -eq 2 ]
	[[ "$output" == *"does not parse"* ]]
	lacks 3505100101900001
	[ "$(last_audit | jq -r .outcome)" = failed ]
	[ "$(last_audit | jq -r .sql)" = "SELECT nama FROM warga WHERE telepon = ?" ]
	run q citra "SELECT nama FROM warga WHERE nik = 3505100101900001 AND"
	[ "$status" -eq 2 ]
	lacks 3505100101900001
	run q citra "SELECT Budi_Santoso FROM warga"
	[ "$status" -eq 2 ]
	[[ "$output" == *"no such column"* ]]
	lacks Budi_Santoso
	run grep -c 3505100101900001 "$VAULT/audit.log"
	[ "$output" = 0 ]
}

@test "a query without end is stopped at its time bound, refused and audited" {
	deny ani "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c" --timeout 1
	[[ "$(last_audit | jq -r .detail)" == *"past its limit of 1 s"* ]]
	run as ani query --timeout 0 "SELECT 1"
	[ "$status" -eq 2 ]
	run as ani query --timeout 3601 "SELECT 1"
	[ "$status" -eq 2 ]
}

@test "SQL with a literal never goes on the command line; it comes on stdin or from a file" {
	local before
	before=$(wc -l <"$VAULT/audit.log")
	for sql in "SELECT count(*) FROM warga WHERE desa = '35.05.10.2001'" \
		"SELECT count(*) FROM warga WHERE id = 35051" "SELECT x'00'"; do
		run as citra query "$sql"
		[ "$status" -eq 2 ] || { echo "accepted: $sql"; return 1; }
		[[ "$output" == *"holds a literal value"* ]]
	done
	# refused before the unlock: nothing ran, nothing to audit
	[ "$(wc -l <"$VAULT/audit.log")" -eq "$before" ]
	# small numbers are no personal value
	run --separate-stderr as citra query --format csv "SELECT count(*) FROM warga LIMIT 10"
	[ "$status" -eq 0 ]
	# the passphrase and then the SQL on stdin
	run --separate-stderr bk -C "$VAULT" -u citra --passphrase-fd 0 query --format csv - \
		<<<"$(pass_of citra)
SELECT count(*) FROM warga WHERE desa = '35.05.10.2001'"
	[ "$status" -eq 0 ]
	[ "$(tr -d '\r' <<<"${lines[1]}")" = 1 ]
	run as citra query --file "$BATS_TEST_TMPDIR/missing.sql"
	[ "$status" -eq 1 ]
	run as citra query --file "$(sql_file "SELECT 1")" "SELECT 2"
	[ "$status" -eq 2 ]
	run as citra query --help
	[ "$status" -eq 0 ]
	has "--file FILE"
}

@test "shell refuses the same escapes and audits them" {
	run bk -C "$VAULT" -u citra --passphrase-fd 0 shell --format csv <<<"$(pass_of citra)
SELECT count(*) FROM 'ds_warga'
WITH warga AS (SELECT 1 AS n) SELECT n FROM warga
SELECT count(*) FROM warga"
	[ "$status" -eq 0 ]
	has "reading 'ds_warga' directly is not allowed"
	has "a WITH clause cannot take the name"
	[ "$(tail -3 "$VAULT/audit.log" | jq -r .outcome | tr '\n' ' ')" = "denied denied ok " ]
}
