#!/usr/bin/env bats
# 0310-extract.bats - the evaluator's workflow end to end: request new (signed,
# no vault), request add (signature and registration checked), show (a dry
# run), approve (an age-encrypted, minisign-signed extract), extract open; the
# released classes counted again by sqlite3, apart from the engine; age and
# minisign opening the files without brankas; tampering exits 3; another
# evaluator, an unregistered key, identifiers, operators and scoped
# custodians are refused with exit 4.

load helper

# A demo vault of 2000 citizens (evaluator eva registered by the demo), and
# mallory's identity, which is not registered.
setup_file() {
	export DEMO="$BATS_FILE_TMPDIR/demo"
	bk demo "$DEMO" --citizens 2000 --kdf interactive >/dev/null || {
		echo "setup_file: brankas demo failed" >&2
		return 1
	}
	# the demo registers evaluator eva and writes her identity beside the vault
	export EVA_IDENTITY="$DEMO.eva-identity" MAL_IDENTITY="$BATS_FILE_TMPDIR/mallory.identity"
	EVA_ID=$(bk identity show "$EVA_IDENTITY") &&
		MAL_ID=$(bk identity new -o "$MAL_IDENTITY" --kdf interactive --passphrase-fd 0 <<<"mal-Rahasia-8841") || {
		echo "setup_file: the identities failed" >&2
		return 1
	}
	export EVA_ID MAL_ID
}

setup() {
	export VAULT="$BATS_TEST_TMPDIR/vault"
	cp -a "$DEMO" "$VAULT"
	cd "$BATS_TEST_TMPDIR" || return 1
}

# demo_as USER ARGS...: brankas on this test's copy of the demo vault as USER.
demo_as() {
	as_in "$VAULT" "$(demo_pass "$1")" "$@"
}

# new_request OUT [IDENTITY] ARGS...: a warga extract request.
new_request() {
	local out=$1 id=$EVA_IDENTITY pass=demo-evaluator-eva
	shift
	if [ "${1:-}" = mallory ]; then
		id=$MAL_IDENTITY pass=mal-Rahasia-8841
		shift
	fi
	bk request new --identity "$id" --passphrase-fd 0 --dataset warga \
		--purpose "evaluasi cakupan layanan" -o "$out" "$@" <<<"$pass"
}

has_err() {
	if [[ "$stderr" != *"$1"* ]]; then
		printf 'expected stderr to contain: %s\n' "$1" >&2
		return 1
	fi
}

WARGA_QUASI="tanggal_lahir,jenis_kelamin,desa,pendidikan"

# csv_sql FILE SQL: SQL over the CSV file read by sqlite3's RFC 4180 reader as table t.
csv_sql() {
	sqlite3 :memory: -cmd '.mode csv' -cmd ".import '$1' t" -cmd '.mode list' "$2"
}

open_extract() {
	bk extract open "$1" --identity "${3:-$EVA_IDENTITY}" --vault-pub "$VAULT/vault.pub" -o "$2" \
		--passphrase-fd 0 <<<"${4:-demo-evaluator-eva}"
}

@test "request new writes a signed two-line request that jq reads" {
	new_request req.json --columns "$WARGA_QUASI" --k 5 --suppression 2.5 --period 2020-01-01..2020-12-31 \
		--legal-basis "Permendagri 104/2018"
	[ "$(wc -l <req.json)" -eq 2 ]
	jq -se '.[0].format == "brankas-request" and .[0].dataset == "warga" and .[0].model.k == 5
		and .[0].model.suppression == "2.5" and .[0].evaluator == env.EVA_ID
		and .[0].period == "2020-01-01..2020-12-31" and (.[1].signature | length) == 88' req.json
	# the identity's passphrase is needed
	run bk request new --identity "$EVA_IDENTITY" --passphrase-fd 0 --dataset warga --purpose x \
		--columns desa --k 5 -o other.json <<<"wrong-passphrase"
	[ "$status" -eq 3 ]
	[ ! -e other.json ]
}

@test "request new: usage errors for missing and contradictory options" {
	run new_request r1.json --k 5
	[ "$status" -eq 2 ]
	run new_request r2.json --columns desa
	[ "$status" -eq 2 ]
	run new_request r3.json --columns desa --k 1
	[ "$status" -eq 2 ]
	run new_request r4.json --columns desa --k 5 --l 2
	[ "$status" -eq 2 ]
	run new_request r5.json --columns desa --k 5 --suppression 60
	[ "$status" -eq 2 ]
	run new_request r6.json --columns desa --k 5 --period 2020-12-31..2020-01-01
	[ "$status" -eq 2 ]
	run new_request r7.json --columns "desa,NIK" --k 5
	[ "$status" -eq 2 ]
	run new_request r8.json --columns desa --k 5 extra
	[ "$status" -eq 2 ]
	run new_request r9.json --table --by desa --epsilon 11
	[ "$status" -eq 2 ]
	run new_request r10.json --table --by desa --epsilon 0
	[ "$status" -eq 2 ]
	run new_request r11.json --columns desa --k 5 --epsilon 1
	[ "$status" -eq 2 ]
	[ ! -e r1.json ] && [ ! -e r8.json ]
}

@test "the whole workflow: add, dry run, approve, open; classes of at least k rows, counted apart" {
	new_request req.json --columns "$WARGA_QUASI,disabilitas" --k 5 --suppression 5
	run --separate-stderr demo_as citra request add req.json
	[ "$status" -eq 0 ]
	[ "$output" = 1 ]
	run --separate-stderr demo_as citra request list
	[ "$status" -eq 0 ]
	[[ "$output" == *"pending"*"eva"*"warga"*"microdata"* ]]

	run --separate-stderr demo_as ada request show 1
	[ "$status" -eq 0 ]
	has "dry run: nothing has left the vault"
	has "rows in dataset      2000"
	has "classes"
	[ -z "$(find . -name "data.csv*" -o -name "manifest.json*")" ]

	run --separate-stderr demo_as ada request approve 1 -o out
	[ "$status" -eq 0 ]
	has "extract written to 'out'"
	[ -f out/data.csv.age ] && [ -f out/manifest.json ] && [ -f out/manifest.json.minisig ]
	[ -z "$(ls -A out | grep -v -e '^data.csv.age$' -e '^manifest.json$' -e '^manifest.json.minisig$')" ]

	run --separate-stderr open_extract out got.csv
	[ "$status" -eq 0 ]
	[ "$(stat -c %a got.csv)" = 600 ]
	head -1 got.csv | grep -qx $'pseudonym,tanggal_lahir,jenis_kelamin,desa,pendidikan,disabilitas\r'
	# identifiers never leave
	run grep -qiE 'nik|nama|telepon' <(head -1 got.csv)
	[ "$status" -eq 1 ]
	rows=$(csv_sql got.csv 'SELECT count(*) FROM t')
	jq -e --argjson rows "$rows" '.figures.rows_released == $rows and .files["data.csv"].rows == $rows
		and .figures.rows_released + .figures.rows_suppressed == 2000
		and .figures.rows_suppressed <= 100 and .evaluator.user == "eva" and .approvers == ["ada"]
		and .request.body.model.k == 5' out/manifest.json
	# every released class has at least k = 5 rows: counted by sqlite3, not by brankas
	smallest=$(csv_sql got.csv 'SELECT min(n) FROM (SELECT count(*) n FROM t
		GROUP BY tanggal_lahir, jenis_kelamin, desa, pendidikan)')
	[ "$smallest" -ge 5 ]
	jq -e --argjson s "$smallest" '.figures.smallest_class == $s' out/manifest.json
	# pseudonyms: 16 hex digits, one per person
	[ "$(csv_sql got.csv "SELECT count(*) FROM t WHERE length(pseudonym) <> 16")" -eq 0 ]
	[ "$(csv_sql got.csv 'SELECT count(DISTINCT pseudonym) FROM t')" -eq "$rows" ]

	# the request is closed, and the audit log names approval, hashes and figures
	run --separate-stderr demo_as ada request approve 1 -o again
	[ "$status" -eq 1 ]
	has_err "already approved"
	manifest_sha=$(sha256sum out/manifest.json | cut -d' ' -f1)
	data_sha=$(sha256sum out/data.csv.age | cut -d' ' -f1)
	tail -n 3 "$VAULT/audit.log" | jq -se --arg m "$manifest_sha" --arg d "$data_sha" \
		'map(select(.action == "request-approve")) | length == 1 and
		 (.[0].detail | contains("manifest sha256:" + $m) and contains("data sha256:" + $d))
		 and .[0].purpose == "evaluasi cakupan layanan"'
}

@test "age and minisign open the extract without brankas" {
	new_request req.json --columns "$WARGA_QUASI" --k 5 --suppression 5
	demo_as ada request add req.json >/dev/null
	demo_as ada request approve 1 -o out >/dev/null
	minisign -Vm out/manifest.json -p "$VAULT/vault.pub"
	bk identity export-age "$EVA_IDENTITY" -o eva.age.key --passphrase-fd 0 <<<"demo-evaluator-eva"
	[ "$(stat -c %a eva.age.key)" = 600 ]
	grep -q '^AGE-SECRET-KEY-1' eva.age.key
	[ "$(age-keygen -y eva.age.key)" = "$EVA_ID" ]
	age -d -i eva.age.key out/data.csv.age >by-age.csv
	open_extract out by-brankas.csv
	cmp by-age.csv by-brankas.csv
	[ "$(sha256sum <by-age.csv | cut -d' ' -f1)" = "$(jq -r '.files["data.csv"].sha256' out/manifest.json)" ]
	[ "$(sha256sum <out/data.csv.age | cut -d' ' -f1)" = "$(jq -r '.files["data.csv.age"].sha256' out/manifest.json)" ]
}

@test "l-diversity: every released class holds at least l values of the sensitive column" {
	new_request req.json --columns "$WARGA_QUASI,disabilitas" --k 5 --l 2 --sensitive disabilitas --suppression 5
	demo_as ada request add req.json >/dev/null
	run --separate-stderr demo_as ada request approve 1 -o out
	[ "$status" -eq 0 ]
	open_extract out got.csv
	least=$(csv_sql got.csv 'SELECT min(d) FROM (SELECT count(DISTINCT disabilitas) d FROM t
		GROUP BY tanggal_lahir, jenis_kelamin, desa, pendidikan)')
	[ "$least" -ge 2 ]
}

@test "a tampered request is refused with exit 3 and audited" {
	new_request req.json --columns "$WARGA_QUASI" --k 5
	sed -i '1s/"k":5/"k":2/' req.json
	before=$(audit_count)
	run --separate-stderr demo_as ada request add req.json
	[ "$status" -eq 3 ]
	has_err "signature does not verify"
	[ "$(audit_count)" -eq $((before + 1)) ]
	tail -n 1 "$VAULT/audit.log" | jq -e '.action == "request-add" and .outcome == "failed"'
	run --separate-stderr demo_as ada request list
	[[ "$output" != *"pending"* ]]
}

@test "a request signed by an unregistered key is refused with exit 4 and audited" {
	new_request req.json mallory --columns "$WARGA_QUASI" --k 5
	run --separate-stderr demo_as ada request add req.json
	[ "$status" -eq 4 ]
	has_err "not a registered evaluator"
	tail -n 1 "$VAULT/audit.log" | jq -e '.action == "request-add" and .outcome == "denied"'
}

@test "identifiers and secrets never leave: a request for nik is refused with exit 4" {
	new_request req.json --columns "desa,nik" --k 5
	run --separate-stderr demo_as ada request add req.json
	[ "$status" -eq 4 ]
	has_err "cannot be released"
	new_request req2.json --columns "desa,nomor" --k 5
	run --separate-stderr demo_as ada request add req2.json
	[ "$status" -eq 1 ]
	has_err "no column 'nomor'"
}

@test "the same request cannot be added twice" {
	new_request req.json --columns "$WARGA_QUASI" --k 5
	demo_as ada request add req.json >/dev/null
	run --separate-stderr demo_as ada request add req.json
	[ "$status" -eq 1 ]
	has_err "added before"
}

@test "a tampered manifest or ciphertext is refused with exit 3, and nothing is written" {
	new_request req.json --columns "$WARGA_QUASI" --k 5 --suppression 5
	demo_as ada request add req.json >/dev/null
	demo_as ada request approve 1 -o out >/dev/null
	cp -a out out2
	sed -i 's/"rows_suppressed": /"rows_suppressed": 1/' out/manifest.json
	run --separate-stderr open_extract out got.csv
	[ "$status" -eq 3 ]
	[ ! -e got.csv ] && [ ! -e got.csv.partial ]
	flip out2/data.csv.age -100
	run --separate-stderr open_extract out2 got.csv
	[ "$status" -eq 3 ]
	[ ! -e got.csv ] && [ ! -e got.csv.partial ]
	# a manifest signed by another vault's key
	run --separate-stderr bk extract open out2 --identity "$EVA_IDENTITY" --vault-pub "$BATS_FILE_TMPDIR/demo/../eva.identity" \
		-o got.csv --passphrase-fd 0 <<<"demo-evaluator-eva"
	[ "$status" -ne 0 ]
	[ ! -e got.csv ]
}

@test "another evaluator cannot open an extract made for eva (exit 4)" {
	new_request req.json --columns "$WARGA_QUASI" --k 5 --suppression 5
	demo_as ada request add req.json >/dev/null
	demo_as ada request approve 1 -o out >/dev/null
	run --separate-stderr open_extract out got.csv "$MAL_IDENTITY" mal-Rahasia-8841
	[ "$status" -eq 4 ]
	has_err "made for another evaluator"
	[ ! -e got.csv ]
	# age agrees: mallory's key opens nothing
	bk identity export-age "$MAL_IDENTITY" -o mal.key --passphrase-fd 0 <<<"mal-Rahasia-8841"
	run age -d -i mal.key out/data.csv.age
	[ "$status" -ne 0 ]
}

@test "deny closes a request; its reason stays out of the audit log" {
	new_request req.json --columns "$WARGA_QUASI" --k 5
	demo_as ada request add req.json >/dev/null
	run --separate-stderr demo_as citra request deny 1 --reason "tujuan tidak jelas untuk Budi"
	[ "$status" -eq 0 ]
	run grep -q Budi "$VAULT/audit.log"
	[ "$status" -eq 1 ]
	tail -n 1 "$VAULT/audit.log" | jq -e '.action == "request-deny" and (.sql_mac | length) == 32'
	approve_writes_no_extract 1 out 1
	has_err "already denied"
}

@test "who may: operators and analysts cannot manage requests, scoped custodians cannot approve (exit 4)" {
	new_request req.json --columns "$WARGA_QUASI" --k 5 --suppression 5
	run --separate-stderr demo_as oki request add req.json
	[ "$status" -eq 4 ]
	run --separate-stderr demo_as ani request list
	[ "$status" -eq 4 ]
	demo_as citra request add req.json >/dev/null
	run --separate-stderr demo_as citra request approve 1 -o out
	[ "$status" -eq 4 ]
	[ ! -e out/data.csv.age ]
	tail -n 1 "$VAULT/audit.log" | jq -e '.action == "request-approve" and .outcome == "denied"'
}

# shown_then_refused TEXT: request 1's dry run succeeds saying TEXT, and its
# approval fails (exit 1).
# approve_writes_no_extract N OUT STATUS: ada's request approve N -o OUT exits
# STATUS and writes no data.csv.age into OUT.
approve_writes_no_extract() {
	run --separate-stderr demo_as ada request approve "$1" -o "$2"
	[ "$status" -eq "$3" ]
	[ ! -e "$2/data.csv.age" ]
}

shown_then_refused() {
	run --separate-stderr demo_as ada request show 1
	[ "$status" -eq 0 ]
	has "$1"
	run --separate-stderr demo_as ada request approve 1 -o out
	[ "$status" -eq 1 ]
}

@test "no generalization satisfies an impossible model: show says so, approve fails and writes nothing" {
	# disabilitas has 6 values: no class can hold 7
	new_request req.json --columns "$WARGA_QUASI,disabilitas" --k 5 --l 7 --sensitive disabilitas
	demo_as ada request add req.json >/dev/null
	shown_then_refused "no generalization satisfies"
	has_err "no generalization"
	[ -z "$(ls -A out 2>/dev/null)" ]
	run --separate-stderr demo_as ada request list
	has "pending"
}

# new_table OUT ARGS...: an skm table request by eva.
new_table() {
	local out=$1
	shift
	bk request new --identity "$EVA_IDENTITY" --passphrase-fd 0 --dataset skm --purpose "evaluasi IKM" \
		--table -o "$out" "$@" <<<demo-evaluator-eva
}

@test "a table of IKM by kecamatan: small cells hidden with their complements, the rest as report ikm computes" {
	new_table t.json --by kecamatan --measure ikm --min-cell 10
	demo_as ada request add t.json >/dev/null
	run --separate-stderr demo_as ada request show 1
	[ "$status" -eq 0 ]
	has "cells"
	demo_as ada request approve 1 -o out >/dev/null
	open_extract out got.csv
	head -1 got.csv | grep -qx $'kecamatan,count,ikm,mutu,kinerja\r'
	# 22 kecamatan and the total
	[ "$(csv_sql got.csv 'SELECT count(*) FROM t')" -eq 23 ]
	# a shown count is at least 10; a hidden one shows neither count nor index
	[ "$(csv_sql got.csv "SELECT count(*) FROM t WHERE count <> 'x' AND CAST(count AS INT) BETWEEN 1 AND 9")" -eq 0 ]
	[ "$(csv_sql got.csv "SELECT count(*) FROM t WHERE count = 'x' AND ikm <> 'x'")" -eq 0 ]
	# one hidden cell alone would be the total minus the others: never exactly one
	[ "$(csv_sql got.csv "SELECT count(*) FROM t WHERE count = 'x'")" -ne 1 ]
	# the shown cells agree with report ikm run by a vault user
	demo_as ada report ikm --by kecamatan --min-cell 1 --format csv >report.csv
	csv_sql got.csv "SELECT kecamatan || ':' || ikm FROM t WHERE ikm <> 'x' AND kecamatan <> 'Total'" >shown
	[ -s shown ]
	while IFS=: read -r kec ikm; do
		grep -q "$kec" report.csv
		grep "$kec" report.csv | grep -q "$ikm"
	done <shown
	jq -e '.request.body.model.kind == "table" and .figures.cells == 23' out/manifest.json
}

@test "differentially private tables: ε is charged per evaluator and dataset, and a request over budget is refused and audited (exit 4)" {
	new_table e1.json --by kecamatan,jenis_kelamin --epsilon 0.5
	new_table e2.json --by kecamatan --epsilon 0.6
	new_table e3.json --by kecamatan --epsilon 0.4
	demo_as ada request add e1.json >/dev/null
	demo_as ada request add e2.json >/dev/null
	run --separate-stderr demo_as ada request approve 1 -o out1
	[ "$status" -eq 0 ]
	open_extract out1 got.csv
	# every kecamatan and sex is a cell, even an empty one: the cells were fixed before the data
	[ "$(csv_sql got.csv "SELECT count(*) FROM t WHERE kecamatan <> 'Total' AND jenis_kelamin <> 'Total'")" -eq 44 ]
	jq -e '.request.body.model.epsilon == "0.5"' out1/manifest.json
	# 0.5 + 0.6 > 1: refused at approval, nothing written, the ledger unchanged
	approve_writes_no_extract 2 out2 4
	has_err "privacy budget"
	tail -n 1 "$VAULT/audit.log" | jq -e '.action == "request-approve" and .outcome == "denied"
		and (.detail | contains("budget"))'
	# and refused when added, too
	new_table e4.json --by kecamatan --epsilon 0.6
	run --separate-stderr demo_as ada request add e4.json
	[ "$status" -eq 4 ]
	tail -n 1 "$VAULT/audit.log" | jq -e '.action == "request-add" and .outcome == "denied"'
	# what is left fits: 0.5 + 0.4 <= 1
	demo_as ada request add e3.json >/dev/null
	run --separate-stderr demo_as ada request approve 3 -o out3
	[ "$status" -eq 0 ]
}

@test "differential privacy needs a fixed set of labels: a free-text column is refused" {
	new_table e.json --by pekerjaan --epsilon 0.5
	demo_as ada request add e.json >/dev/null
	approve_writes_no_extract 1 out 1
	has_err "fixed set of values"
}

@test "a request that matches no rows: show says so, approve releases nothing" {
	bk request new --identity "$EVA_IDENTITY" --passphrase-fd 0 --dataset pengaduan --purpose "uji" \
		--columns tanggal,kategori --k 5 --period 1990-01-01..1990-12-31 -o req.json <<<demo-evaluator-eva
	demo_as ada request add req.json >/dev/null
	shown_then_refused "no rows match the request"
	[ ! -e out/data.csv.age ]
}

@test "a dataset that asks for two approvers releases only after two different ones approve" {
	cat >survei.ini <<'INI'
[dataset]
name = survei
scope = desa
approvals = 2
[column.umur]
type = int
class = quasi
min = 0
max = 99
hierarchy = 10,20
[column.desa]
type = region
level = desa
class = quasi
required = yes
hierarchy = kecamatan,kabupaten
INI
	demo_as ada dataset add survei.ini >/dev/null
	{
		echo umur,desa
		for i in $(seq 1 60); do echo "$((20 + i % 7)),35.05.10.2001"; done
	} >survei.csv
	demo_as ada import survei survei.csv >/dev/null
	printf 'demo-admin-ada\ndewi-Rahasia-8841\n' |
		bk -C "$VAULT" -u ada --passphrase-fd 0 --new-passphrase-fd 0 user add dewi --role custodian \
			--kdf interactive >/dev/null
	bk request new --identity "$EVA_IDENTITY" --passphrase-fd 0 --dataset survei --purpose "uji" \
		--columns umur,desa --k 5 -o req.json <<<demo-evaluator-eva
	demo_as ada request add req.json >/dev/null
	approve_writes_no_extract 1 out 0
	has "needs another approver"
	tail -n 1 "$VAULT/audit.log" | jq -e '.action == "request-approve" and .outcome == "ok"
		and (.detail | startswith("approval 1 of 2"))'
	# the same approver twice is still one approval
	approve_writes_no_extract 1 out 0
	has "needs another approver"
	run --separate-stderr bk -C "$VAULT" -u dewi --passphrase-fd 0 request approve 1 -o out <<<dewi-Rahasia-8841
	[ "$status" -eq 0 ]
	[ -f out/data.csv.age ]
	jq -e '.approvers == ["ada", "dewi"]' out/manifest.json
}

@test "dataset add refuses a hierarchy that is not a tree and reserved column names" {
	printf '[dataset]\nname = x\n[column.umur]\ntype = int\nclass = quasi\nhierarchy = 5,7\n' >bad.ini
	run --separate-stderr demo_as ada dataset add bad.ini
	[ "$status" -eq 1 ]
	has_err "not a multiple"
	printf '[dataset]\nname = y\n[column.kecamatan]\ntype = text\nclass = public\n' >reserved.ini
	run --separate-stderr demo_as ada dataset add reserved.ini
	[ "$status" -eq 1 ]
	has_err "reserved"
}

@test "request and extract commands: usage errors" {
	for c in "request add" "request show" "request approve" "request deny"; do
		# shellcheck disable=SC2086
		run bk $c
		[ "$status" -eq 2 ]
	done
	run bk request show 1 2
	[ "$status" -eq 2 ]
	run bk request show x
	[ "$status" -eq 2 ]
	run bk request approve 1
	[ "$status" -eq 2 ]
	run bk request deny 1
	[ "$status" -eq 2 ]
	run bk extract open out
	[ "$status" -eq 2 ]
	run bk identity export-age
	[ "$status" -eq 2 ]
}
