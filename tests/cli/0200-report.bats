#!/usr/bin/env bats
# 0200-report.bats - `brankas report ikm|coverage`: the worked example of
# tests/fixtures/report (figures computed by hand, golden CSV files), small
# cells hidden with their complements, scope (a custodian of Kanigoro sees
# Kanigoro), denial for operators and auditors (exit 4, audited), the audit
# entry of a report, and every format parsed back (jq; sqlite3 as the CSV
# reader) on a demo vault as well.

load helper

REPORT_FIXTURES="$BATS_TEST_DIRNAME/../fixtures/report"

# The template vault (helper.bash: ada, citra and oki in Kanigoro, ani,
# aud) with the report fixtures imported; and a demo vault of 2000 citizens.
setup_file() {
	local f
	build_template
	VAULT=$TEMPLATE
	for f in inovasi warga pemanfaatan skm; do
		as ada import "$f" "$REPORT_FIXTURES/$f$([ "$f" = skm ] && echo -worked).csv" >/dev/null || {
			echo "setup_file: importing $f failed" >&2
			return 1
		}
	done
	unset VAULT
	export DEMO="$BATS_FILE_TMPDIR/demo"
	bk demo "$DEMO" --citizens 2000 --kdf interactive >/dev/null || {
		echo "setup_file: brankas demo failed" >&2
		return 1
	}
}

setup() {
	fresh_vault
}

# demo_as USER ARGS...: brankas on the demo vault as one of its users.
demo_as() {
	as_in "$DEMO" "$(demo_pass "$1")" "$@"
}

# csv_json FILE: the CSV file read back by sqlite3's RFC 4180 reader, as a
# JSON array of objects keyed by the header (empty cells are "").
csv_json() {
	sqlite3 :memory: -cmd '.mode csv' -cmd ".import '$1' t" -cmd '.mode json' 'SELECT * FROM t'
}

@test "report ikm --by kecamatan: the worked example, as the golden CSV" {
	as ani report ikm --by kecamatan --format csv >got.csv 2>err
	[ ! -s err ]
	diff -u "$REPORT_FIXTURES/ikm-kecamatan.csv" got.csv
	as ani report ikm --by inovasi --format csv >got.csv
	diff -u "$REPORT_FIXTURES/ikm-inovasi.csv" got.csv
}

@test "report ikm: NRR, IKM, converted score, mutu and kinerja as worked by hand" {
	run --separate-stderr as ani report ikm --by kecamatan --format json
	[ "$status" -eq 0 ]
	jq -e '.report == "ikm" and .by == "kecamatan" and .min_cell == 5 and .year == null
		and (.groups | length) == 22 and .suppressed_groups == 2' <<<"$output"
	# Wonodadi: every u1..u9 sums to 21 of 7: 3.000; IKM 3.0000, 75.00, C
	jq -e '.groups[] | select(.kode == "35.05.01")
		| .respondents == 7 and .nrr.u1 == 3 and .ikm.ikm == 3 and .ikm.converted == 75
		and .ikm.mutu == "C" and .ikm.kinerja == "kurang baik" and .ikm.nationally_comparable == true
		and .ikm_inovasi.nrr_u10 == 2.857 and .ikm_inovasi.ikm == 2.9857 and .ikm_inovasi.converted == 74.64
		and .ikm_inovasi.nationally_comparable == false
		and .sample.population == 6 and .sample.required == 6 and .sample.enough == true' <<<"$output"
	# Bakung (2 answers) is a small cell; Kanigoro (6) goes with it
	jq -e '[.groups[] | select(.suppressed) | .kode] == ["35.05.05", "35.05.10"]' <<<"$output"
	jq -e '.groups[] | select(.kode == "35.05.10")
		| .respondents == null and .nrr == null and .ikm == null and .ikm_inovasi == null
		and .sample.population == 12 and .sample.enough == null' <<<"$output"
	# the total: 391 / 135 = 2.8963, 72.41, C; U10 6059 / 2100 = 2.8852, 72.13
	jq -e '.total | .suppressed == false and .respondents == 15
		and .nrr == {"u1": 2.933, "u2": 2.933, "u3": 2.733, "u4": 3.067, "u5": 2.933, "u6": 2.933,
			     "u7": 3, "u8": 2.733, "u9": 2.8}
		and .ikm.ikm == 2.8963 and .ikm.converted == 72.41 and .ikm.mutu == "C"
		and .ikm_inovasi.respondents_u10 == 14 and .ikm_inovasi.ikm == 2.8852 and .ikm_inovasi.converted == 72.13
		and .sample.population == 18 and .sample.required == 18 and .sample.enough == false' <<<"$output"
	# every zero-answer kecamatan is shown as such, not hidden
	jq -e '[.groups[] | select(.respondents == 0)] | length == 19' <<<"$output"
}

@test "report ikm --year and --min-cell change what is shown" {
	# 2025 only: Bakung's answers are from 2024, so Kanigoro shows: 81.02, B
	run --separate-stderr as ani report ikm --by kecamatan --year 2025 --format json
	[ "$status" -eq 0 ]
	jq -e '.year == 2025 and .suppressed_groups == 0' <<<"$output"
	jq -e '.groups[] | select(.kode == "35.05.10")
		| .respondents == 6 and .ikm.ikm == 3.2407 and .ikm.converted == 81.02 and .ikm.mutu == "B"
		and .ikm.kinerja == "baik" and .ikm_inovasi.respondents_u10 == 5 and .ikm_inovasi.converted == 80.92' <<<"$output"
	jq -e '.total.respondents == 13 and .total.ikm.converted == 77.78' <<<"$output"
	# INO-B's 5 respondents are under 6: hidden, and INO-A with them
	run --separate-stderr as ani report ikm --min-cell 6 --format json
	[ "$status" -eq 0 ]
	jq -e '[.groups[] | select(.suppressed) | .kode] == ["INO-A", "INO-B"] and .total.respondents == 15' <<<"$output"
	# a limit of 1 hides nothing: Bakung's two answers show (1.5000, 37.50, D)
	run --separate-stderr as ada report ikm --by kecamatan --min-cell 1 --format json
	[ "$status" -eq 0 ]
	jq -e '.suppressed_groups == 0 and (.groups[] | select(.kode == "35.05.05")
		| .respondents == 2 and .ikm.converted == 37.5 and .ikm.mutu == "D")' <<<"$output"
}

@test "report ikm --by unit groups by the innovation's OPD" {
	run --separate-stderr as ani report ikm --by unit --format json
	[ "$status" -eq 0 ]
	jq -e '[.groups[] | [.kode, .respondents]] == [["+62 Dinas Sepi", 0], ["-Kecamatan Kanigoro", 5],
		["@Dinas Uji Coba", 10]]' <<<"$output"
	jq -e '.groups[2].ikm.converted == 81.11 and .groups[1].ikm.converted == 55 and .groups[1].ikm.mutu == "D"' \
		<<<"$output"
}

@test "a custodian of Kanigoro sees Kanigoro only" {
	run --separate-stderr as citra report ikm --by kecamatan --format json
	[ "$status" -eq 0 ]
	jq -e '[.groups[].kode] == ["35.05.10"] and .groups[0].suppressed == false
		and .groups[0].ikm.converted == 81.02 and .total.respondents == 6' <<<"$output"
	run --separate-stderr as citra report ikm --format json
	[ "$status" -eq 0 ]
	jq -e '.total.respondents == 6 and (.groups[] | select(.kode == "INO-B") | .respondents == 0)' <<<"$output"
	run --separate-stderr as citra report coverage --format json
	[ "$status" -eq 0 ]
	jq -e '.kecamatan_total == 1 and .desa_total == 12 and [.kecamatan[].kode] == ["35.05.10"]
		and .total.residents == 12 and .total.users == 8 and .total.uses == 11' <<<"$output"
	# and the table says nothing of Wonodadi or Bakung
	run --separate-stderr as citra report ikm --by kecamatan
	[ "$status" -eq 0 ]
	has "Kanigoro"
	lacks "Wonodadi" "Bakung"
}

@test "operators and auditors may not see reports: exit 4, nothing on stdout, audited" {
	local user cmd before role
	for user in oki aud; do
		for cmd in ikm coverage; do
			before=$(audit_count)
			run --separate-stderr as "$user" report "$cmd"
			[ "$status" -eq 4 ]
			[ -z "$output" ]
			role=operator
			[ "$user" = aud ] && role=auditor
			stderr_line "brankas: error: role '$role' may not report"
			[ "$(audit_count)" -eq $((before + 1)) ]
			audit_last | jq -e --arg u "$user" '.actor == $u and .action == "report" and .outcome == "denied"'
		done
	done
}

@test "a report is audited before it is shown: action report, the rows read, no personal value" {
	run --separate-stderr as ani report ikm --by kecamatan --year 2025
	[ "$status" -eq 0 ]
	audit_last | jq -e '.actor == "ani" and .command == "report ikm" and .action == "report" and .dataset == "skm"
		and .rows == 13 and .target == "ikm by kecamatan year 2025 min-cell 5" and .outcome == "ok"'
	run --separate-stderr as ani report coverage
	[ "$status" -eq 0 ]
	audit_last | jq -e '.action == "report" and .dataset == "pemanfaatan" and .rows == 18
		and .target == "coverage min-cell 5"'
	# no NIK of the fixtures, no name
	run grep -cE '35051001019000|35050101019000|Warga ' "$VAULT/audit.log"
	[ "$output" = 0 ]
}

@test "report coverage: users, reach and the daring/luring gap, as worked by hand" {
	run --separate-stderr as ani report coverage --format json
	[ "$status" -eq 0 ]
	jq -e '.kecamatan_total == 22 and .desa_total == 248' <<<"$output"
	# INO-B's 4 users are a small cell; INO-A (14) is hidden with them; areas stay
	jq -e '[.inovasi[] | [.kode, .suppressed, .users, .kecamatan_reached, .desa_reached]]
		== [["INO-A", true, null, 2, 3], ["INO-B", true, null, 2, 2], ["INO-C", false, 0, 0, 0]]' <<<"$output"
	jq -e '.kecamatan[] | select(.kode == "35.05.10") | .residents == 12 and .users == 8
		and .users_per_1000 == 666.7 and .daring == null and .luring == null and .uses == 11 and .daring_pct == null
		and .desa_reached == 2 and .desa_total == 12' <<<"$output"
	jq -e '.total | .residents == 18 and .users == 14 and .users_per_1000 == 777.8 and .daring == 7
		and .luring == 11 and .uses == 18 and .daring_pct == 38.9 and .desa_reached == 3' <<<"$output"
	as ani report coverage --by kecamatan --format csv >got.csv
	diff -u "$REPORT_FIXTURES/coverage-kecamatan.csv" got.csv
	as ani report coverage --by inovasi --format csv >got.csv
	diff -u "$REPORT_FIXTURES/coverage-inovasi.csv" got.csv
	# --by keeps one section of the JSON
	run --separate-stderr as ani report coverage --by inovasi --format json
	jq -e 'has("inovasi") and (has("kecamatan") | not)' <<<"$output"
}

@test "report coverage --unreached: the planned desa not reached, per innovation, against its cakupan" {
	# a custodian of Kanigoro: INO-A reached 2001 and 2002 of its 12 desa, INO-B 2001, INO-C none
	as citra report coverage --unreached --format csv >got.csv
	diff -u "$REPORT_FIXTURES/coverage-unreached-kanigoro.csv" got.csv
	run --separate-stderr as citra report coverage --unreached
	[ "$status" -eq 0 ]
	has "planned: 1 kecamatan, 12 desa/kelurahan; reached 2 of those desa (17%), not reached 10"
	has "kecamatan not reached at all (1):"
	# the whole kabupaten: INO-B's use in Wonodadi lies outside its plan (Kanigoro)
	run --separate-stderr as ani report coverage --unreached --format json
	[ "$status" -eq 0 ]
	jq -e '[.inovasi[] | [.kode, .planned.kecamatan, .planned.kecamatan_reached, .planned.desa, .planned.desa_reached,
		.planned.desa_outside_plan, (.planned.unreached | length)]]
		== [["INO-A", 22, 2, 248, 3, 0, 245], ["INO-B", 1, 1, 12, 1, 1, 11], ["INO-C", 22, 0, 248, 0, 0, 248]]' <<<"$output"
	# cakupan: a desa and a kecamatan, any separator, a code that is no region; none: the whole area
	printf '%s\n' "kode,nama,opd,jenis,bentuk,tahapan,urusan,inisiator,tanggal_uji_coba,tanggal_penerapan,cakupan,deskripsi" \
		"INO-D,Desa dan kecamatan,Dinas D,digital,lainnya,inisiatif,,,,,\"35.05.10.2001, 35.05.01;99.99\"," \
		"INO-E,Tanpa cakupan,Dinas E,digital,lainnya,inisiatif,,,,,," >more.csv
	as ada import inovasi more.csv >/dev/null
	run --separate-stderr as ani report coverage --unreached --format json
	jq -e '.inovasi[] | select(.kode == "INO-D") | .planned | .cakupan_given and .cakupan_unknown == 1
		and .kecamatan == 2 and .desa == 12 and .desa_reached == 0' <<<"$output"
	jq -e '.inovasi[] | select(.kode == "INO-E") | .planned | (.cakupan_given | not) and .desa == 248' <<<"$output"
	# the plain report lists no desa; --unreached takes no --by
	run --separate-stderr as ani report coverage --format json
	jq -e '.inovasi[0].planned.desa == 248 and (.inovasi[0].planned | has("unreached") | not)' <<<"$output"
	run --separate-stderr as ani report coverage --unreached --by kecamatan
	[ "$status" -eq 2 ]
}

@test "report ikm --period: a score per semester or year, each period suppressed on its own, and the change" {
	# 2024 holds Bakung's 2 answers only: small, hidden with the total; 2025 is the README's "2025 only"
	run --separate-stderr as ani report ikm --by kecamatan --period year --format json
	[ "$status" -eq 0 ]
	jq -e '[.periods[] | .period] == ["2024", "2025"]' <<<"$output"
	jq -e '.periods[0] | .total.suppressed and ([.groups[] | select(.suppressed) | .kode] == ["35.05.05"])' <<<"$output"
	jq -e '.periods[1].total | .respondents == 13 and .ikm.converted == 77.78 and .ikm.mutu == "B"' <<<"$output"
	jq -e '.periods[1].groups[] | select(.kode == "35.05.10") | .ikm.converted == 81.02' <<<"$output"
	# by semester: the answers fall in 2024-S2 and 2025-S1
	run --separate-stderr as ani report ikm --by kecamatan --period semester --format csv
	[ "$(cut -d, -f1 <<<"$output" | tr -d '\r' | sort -u | tr '\n' ' ')" = "2024-S2 2025-S1 period " ]
	grep -q $'^2025-S1,35.05.01,Wonodadi,false,7,3.0000,75.00,C,2.9857,74.64\r$' <<<"$output"
	# the table: INO-B 37.50 D in 2024 (Bakung), 66.67 C in 2025 (Wonodadi's 3): +29.17
	run --separate-stderr as ani report ikm --by inovasi --period year --min-cell 1
	[ "$status" -eq 0 ]
	has "37.50 D  66.67 C  +29.17"
	# one audit entry for the series
	audit_last | jq -e '.action == "report" and .target == "ikm by inovasi per year min-cell 1" and .rows == 15'
	run --separate-stderr as ani report ikm --period decade
	[ "$status" -eq 2 ]
}

@test "report pengaduan: complaints by category and status, the median days to resolve, as worked by hand" {
	# INO-A: 4 layanan lambat, 2 petugas; 5 resolved after 2, 4, 4, 10 and 30 days, 1 new;
	# INO-B: 2 aplikasi error, in process
	printf '%s\n' "nik,kode_inovasi,tanggal,kategori,isi,status,tanggal_selesai" \
		"3505100101900001,INO-A,2025-03-01,layanan lambat,Antre lama,selesai,2025-03-03" \
		"3505100101900002,INO-A,2025-03-01,layanan lambat,Antre lama,selesai,2025-03-05" \
		"3505100101900003,INO-A,2025-03-02,layanan lambat,Antre lama,selesai,2025-03-06" \
		"3505100101900004,INO-A,2025-03-02,petugas,Tidak ramah,selesai,2025-03-12" \
		"3505100101900005,INO-A,2025-03-03,petugas,Tidak ramah,selesai,2025-04-02" \
		"3505100101900006,INO-A,2025-03-04,layanan lambat,Antre lama,baru," \
		"3505010101900001,INO-B,2025-05-01,aplikasi error,Tidak bisa masuk,diproses," \
		"3505010101900002,INO-B,2025-05-02,aplikasi error,Tidak bisa masuk,diproses," >aduan.csv
	as ada import pengaduan aduan.csv >/dev/null
	run --separate-stderr as ani report pengaduan --min-cell 1 --format json
	[ "$status" -eq 0 ]
	jq -e '.inovasi[0] | .kode == "INO-A" and .complaints == 6 and .kategori["layanan lambat"] == 4
		and .kategori.petugas == 2 and .status.baru == 1 and .status.selesai == 5 and .median_days_to_resolve == 4' <<<"$output"
	jq -e '.inovasi[1] | .complaints == 2 and .kategori["aplikasi error"] == 2 and .status.diproses == 2
		and .median_days_to_resolve == null' <<<"$output"
	jq -e '.total | .complaints == 8 and .median_days_to_resolve == 4' <<<"$output"
	# min-cell 5: no count of 1 to 4 complaints shows; INO-B's 2 are hidden, and INO-A's 6 with
	# them (8 - 6 would give them away), its median too; the total's 8 and median (5 resolved) stay
	run --separate-stderr as ani report pengaduan --format json
	jq -e '[.inovasi[], .total | .complaints, .kategori[], .status[] | select(. != null and . > 0 and . < 5)] == []' \
		<<<"$output"
	jq -e '.inovasi[0].complaints == null and .inovasi[0].median_days_to_resolve == null
		and .inovasi[1].complaints == null and .total.complaints == 8 and .total.median_days_to_resolve == 4' <<<"$output"
	run --separate-stderr as ani report pengaduan --min-cell 6 --format json
	jq -e '.total.median_days_to_resolve == null' <<<"$output"
	as ani report pengaduan --min-cell 1 --format csv >aduan-report.csv
	[ "$(head -n 1 aduan-report.csv | tr -d '\r')" = "kode,nama,complaints,layanan lambat,petugas,aplikasi error,informasi tidak jelas,biaya,lainnya,baru,diproses,selesai,median_days" ]
	grep -q $'^total,,8,4,2,2,0,0,0,1,2,5,4.0\r$' aduan-report.csv
	run --separate-stderr as ani report pengaduan --by kecamatan
	[ "$status" -eq 2 ]
	run --separate-stderr as oki report pengaduan
	[ "$status" -eq 4 ]
}

@test "report adoption: uses, users and planned desa reached per month and quarter, as worked by hand" {
	# min-cell 1 shows every count: INO-A in March (8 uses, 6 daring, Kanigoro 2001 and 2002) and May
	# (6 luring in Wonodadi 2001); INO-B in April (3, Kanigoro 2001) and June (1 daring in Wonodadi,
	# outside its plan); INO-C registered, never used
	run --separate-stderr as ani report adoption --min-cell 1 --format json
	[ "$status" -eq 0 ]
	jq -e '[.inovasi[] | [.kode, .uses, .daring, .luring, .users, .desa_planned,
		[.points[] | [.period, .uses, .daring, .luring, .users, .desa_new, .desa_reached]]]]
		== [["INO-A", 14, 6, 8, 14, 248, [["2025-03", 8, 6, 2, 8, 2, 2], ["2025-04", 0, 0, 0, 0, 0, 2],
			["2025-05", 6, 0, 6, 6, 1, 3]]],
		["INO-B", 4, 1, 3, 4, 12, [["2025-04", 3, 0, 3, 3, 1, 1], ["2025-05", 0, 0, 0, 0, 0, 1],
			["2025-06", 1, 1, 0, 1, 0, 1]]],
		["INO-C", 0, 0, 0, 0, 248, []]]' <<<"$output"
	# min-cell 5: no count of 1 to 4 people shows, nor a use count of a period whose people are hidden
	run --separate-stderr as ani report adoption --format json
	jq -e '[.inovasi[] | .points[] | .users | select(. != null and . > 0 and . < 5)] == []' <<<"$output"
	jq -e '[.inovasi[] | .points[] | select(.users == null and .uses != null and .uses > 0)] == []' <<<"$output"
	jq -e '.inovasi[0].points[0].users == 8 and .inovasi[1].users == null' <<<"$output"
	run --separate-stderr as ani report adoption --period quarter --min-cell 1 --format csv
	[ "$output" = $'kode_inovasi,period,since_penerapan,uses,daring,luring,users,desa_new,desa_reached,desa_planned\r
INO-A,2025-Q1,,8,6,2,8,2,2,248\r
INO-A,2025-Q2,,6,0,6,6,1,3,248\r
INO-B,2025-Q2,,4,1,3,4,1,1,12\r' ]
	# a custodian of Kanigoro: Wonodadi's uses are not read
	run --separate-stderr as citra report adoption --min-cell 1 --format json
	jq -e '[.inovasi[] | [.kode, .uses]] == [["INO-A", 8], ["INO-B", 3], ["INO-C", 0]]' <<<"$output"
	# penerapan in January, two planned desa, the first reached in March: half of them 2 months after
	printf '%s\n' "kode,nama,opd,jenis,bentuk,tahapan,urusan,inisiator,tanggal_uji_coba,tanggal_penerapan,cakupan,deskripsi" \
		"INO-H,Separuh,Dinas H,digital,lainnya,penerapan,,,,2025-01-15,35.05.10.2001 35.05.10.2002," >h.csv
	printf '%s\n' "nik,kode_inovasi,tanggal,kanal,desa" "3505100101900001,INO-H,2025-03-10,daring,35.05.10.2001" \
		"3505100101900002,INO-H,2025-05-02,luring,35.05.10.2002" >hp.csv
	as ada import inovasi h.csv >/dev/null
	as ada import pemanfaatan hp.csv >/dev/null
	run --separate-stderr as ani report adoption --min-cell 1 --format json
	jq -e '.inovasi[] | select(.kode == "INO-H") | .penerapan == "2025-01-15" and .half_reached == "2025-03"
		and .half_since_penerapan == 2 and [.points[] | [.period, .since_penerapan, .uses, .desa_reached]]
		== [["2025-01", 0, 0, 0], ["2025-02", 1, 0, 0], ["2025-03", 2, 1, 1], ["2025-04", 3, 0, 1], ["2025-05", 4, 1, 2]]' <<<"$output"
	run --separate-stderr as ani report adoption --period quarter --format json
	jq -e '.inovasi[] | select(.kode == "INO-H") | .half_reached == "2025-Q1" and .half_since_penerapan == 0' <<<"$output"
	run --separate-stderr as ani report adoption
	has "half of them reached: 2025-03, 2 months after penerapan"
	# ranges: --from/--to bound the dates, both inclusive; nonsense is a usage error before any unlock
	run --separate-stderr as ani report adoption --min-cell 1 --from 2025-04-01 --to 2025-05-31 --format json
	jq -e '[.inovasi[] | [.kode, .uses]] == [["INO-A", 6], ["INO-B", 3], ["INO-C", 0], ["INO-H", 1]]' <<<"$output"
	run --separate-stderr bk -C "$VAULT" -u ani report adoption --year 2025 --from 2025-01-01 </dev/null
	[ "$status" -eq 2 ]
	run --separate-stderr as ani report adoption --from 2025-02-30
	[ "$status" -eq 2 ]
	run --separate-stderr as ani report adoption --from 2025-06-01 --to 2025-01-01
	[ "$status" -eq 2 ]
	run --separate-stderr as ani report adoption --period week
	[ "$status" -eq 2 ]
	run --separate-stderr as oki report adoption
	[ "$status" -eq 4 ]
}

@test "CSV is RFC 4180 with CRLF, and formula-like cells are neutralized inside quotes" {
	as ani report coverage --by inovasi --format csv >cov.csv
	as ani report ikm --by unit --format csv >unit.csv
	# every line ends in CRLF
	[ "$(grep -c $'\r$' cov.csv)" -eq "$(wc -l <cov.csv)" ]
	grep -qF '"'"'"'=HYPERLINK(""http://x.example/"",""klik"")"' cov.csv
	grep -qF '"'"'"'@Dinas Uji Coba"' cov.csv
	grep -qF '"'"'"'-Kecamatan Kanigoro"' cov.csv
	grep -qF '"Layanan, dengan koma"' cov.csv
	# a CSV reader gets the text back with one leading quote mark
	run csv_json cov.csv
	[ "$status" -eq 0 ]
	jq -e '[.[] | .nama] == ["'"'"'=HYPERLINK(\"http://x.example/\",\"klik\")", "Layanan, dengan koma", "Tanpa Jawaban"]
		and [.[] | .opd] == ["'"'"'@Dinas Uji Coba", "'"'"'-Kecamatan Kanigoro", "'"'"'+62 Dinas Sepi"]
		and [.[] | .users] == ["", "", "0"]' <<<"$output"
	run csv_json unit.csv
	[ "$status" -eq 0 ]
	jq -e '[.[] | .unit] == ["'"'"'+62 Dinas Sepi", "'"'"'-Kecamatan Kanigoro", "'"'"'@Dinas Uji Coba", "total"]' <<<"$output"
}

# col_end HEADER NAME: the index just past NAME in the header line.
col_end() {
	local before=${1%%"$2"*}
	echo $((${#before} + ${#2}))
}

@test "the table is aligned: every row ends its numbers where the header does" {
	local line hdr end_u1 end_ikm
	run --separate-stderr as ani report ikm --by kecamatan
	[ "$status" -eq 0 ]
	hdr=${lines[1]}
	[[ "$hdr" == "KODE"*"KECAMATAN"*"RESP"*"U1"*"IKM"*"SCORE"*"MUTU"*"N"*"ENOUGH" ]]
	end_u1=$(col_end "$hdr" " U1 ")
	end_ikm=$(col_end "$hdr" "  IKM ")
	for line in "${lines[@]:2:23}"; do
		# the last character of the U1 and IKM columns is a digit, x or -
		[[ "${line:end_u1-2:1}" =~ [0-9x-] ]] || { echo "U1 misaligned: $line"; return 1; }
		[[ "${line:end_u1-1:1}" == " " ]]
		[[ "${line:end_ikm-2:1}" =~ [0-9x-] ]] || { echo "IKM misaligned: $line"; return 1; }
	done
	[[ "${lines[24]}" == "TOTAL "* ]]
	has "x: hidden (fewer than 5 respondents, or protecting such a cell)"
	has "not comparable nationally"
	# no line has trailing blanks
	run grep -c ' $' <<<"$output"
	[ "$output" = 0 ]
}

@test "report usage errors exit 2 before any passphrase is asked" {
	run --separate-stderr bk -C "$VAULT" -u ani report ikm --by </dev/null
	[ "$status" -eq 2 ]
	stderr_line "brankas: error: option '--by' needs a value"
	run --separate-stderr bk -C "$VAULT" -u ani report ikm --by desa </dev/null
	[ "$status" -eq 2 ]
	stderr_line "brankas: error: unknown --by 'desa'"
	run --separate-stderr bk -C "$VAULT" -u ani report ikm extra </dev/null
	[ "$status" -eq 2 ]
	stderr_line "brankas: error: unexpected argument 'extra'"
	run --separate-stderr bk -C "$VAULT" -u ani report ikm --year 25 </dev/null
	[ "$status" -eq 2 ]
	run --separate-stderr bk -C "$VAULT" -u ani report ikm --min-cell 0 </dev/null
	[ "$status" -eq 2 ]
	run --separate-stderr bk -C "$VAULT" -u ani report ikm --format xml </dev/null
	[ "$status" -eq 2 ]
	run --separate-stderr bk -C "$VAULT" -u ani report coverage --by unit </dev/null
	[ "$status" -eq 2 ]
	run --separate-stderr bk -C "$VAULT" -u ani report coverage --format csv </dev/null
	[ "$status" -eq 2 ]
	stderr_line "brankas: error: a CSV file holds one table: add --by inovasi or --by kecamatan"
	run --separate-stderr bk -C "$VAULT" -u ani report coverage extra </dev/null
	[ "$status" -eq 2 ]
	run bk report ikm -h
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "usage: brankas report ikm "* ]]
}

@test "demo vault: every format of every report parses, and no small cell shows" {
	local by
	for by in inovasi kecamatan unit; do
		run --separate-stderr demo_as ani report ikm --by "$by" --format json
		[ "$status" -eq 0 ]
		# a shown group has no respondents or at least 5; one hidden group never stands alone
		jq -e '[.groups[] | select(.suppressed | not) | .respondents | select(. > 0 and . < 5)] == []' <<<"$output"
		jq -e '.total.suppressed or .suppressed_groups == 0 or .suppressed_groups >= 2' <<<"$output"
		jq -e '[.groups[] | select(.ikm != null) | .ikm.mutu | select(test("^[ABCD]$") | not)] == []' <<<"$output"
		demo_as ani report ikm --by "$by" --format csv >ikm.csv
		run csv_json ikm.csv
		[ "$status" -eq 0 ]
		jq -e 'length >= 2 and ((.[-1].kode // .[-1].unit) == "total")' <<<"$output"
		# as many rows as the JSON has groups, plus the total
		[ "$(jq length <<<"$output")" -eq "$(demo_as ani report ikm --by "$by" --format json | jq '.groups | length + 1')" ]
		demo_as ani report ikm --by "$by" >/dev/null
	done
	run --separate-stderr demo_as ani report coverage --format json
	[ "$status" -eq 0 ]
	jq -e '(.inovasi | length) > 0 and (.kecamatan | length) == 22' <<<"$output"
	jq -e '[.inovasi[] | .users | select(. != null and . > 0 and . < 5)] == []' <<<"$output"
	jq -e '[.kecamatan[] | .daring, .luring, .users | select(. != null and . > 0 and . < 5)] == []' <<<"$output"
	for by in inovasi kecamatan; do
		demo_as ani report coverage --by "$by" --format csv >cov.csv
		run csv_json cov.csv
		[ "$status" -eq 0 ]
		jq -e 'length > 0' <<<"$output"
	done
	# complaints: no count of 1 to 4 shows
	run --separate-stderr demo_as ani report pengaduan --format json
	[ "$status" -eq 0 ]
	jq -e '[.inovasi[], .total | .complaints, .kategori[], .status[] | select(. != null and . > 0 and . < 5)] == []' \
		<<<"$output"
	demo_as ani report pengaduan --format csv >aduan.csv
	run csv_json aduan.csv
	[ "$status" -eq 0 ]
	# the IKM per semester: every period a report of its own, no small group shown in any
	run --separate-stderr demo_as ani report ikm --by kecamatan --period semester --format json
	[ "$status" -eq 0 ]
	jq -e '(.periods | length) > 1' <<<"$output"
	jq -e '[.periods[] | .groups[] | select(.suppressed | not) | .respondents | select(. > 0 and . < 5)] == []' \
		<<<"$output"
	demo_as ani report ikm --by inovasi --period year >/dev/null
	# adoption: a series per innovation, half the planned desa the first period that reaches it
	run --separate-stderr demo_as ani report adoption --format json
	[ "$status" -eq 0 ]
	jq -e '[.inovasi[] | select(.points | length > 0)] | length > 0' <<<"$output"
	jq -e '[.inovasi[] | .points[] | .users, .uses, .daring, .luring | select(. != null and . > 0 and . < 5)] == []' \
		<<<"$output"
	jq -e '[.inovasi[] | select(.half_reached != null) | . as $x
		| ([.points[] | select(2 * .desa_reached >= $x.desa_planned)][0].period == $x.half_reached)] | all' <<<"$output"
	demo_as ani report adoption --period quarter --format csv >adopt.csv
	run csv_json adopt.csv
	[ "$status" -eq 0 ]
	jq -e 'length > 0 and (.[0] | has("since_penerapan"))' <<<"$output"
}

@test "demo vault: a custodian's reports cover Kanigoro, operators and auditors get exit 4" {
	run --separate-stderr demo_as citra report ikm --by kecamatan --format json
	[ "$status" -eq 0 ]
	jq -e '[.groups[].nama] == ["Kanigoro"]' <<<"$output"
	kanigoro=$(jq '.total.respondents' <<<"$output")
	run --separate-stderr demo_as ani report ikm --by kecamatan --format json
	jq -e --argjson n "$kanigoro" '.groups[] | select(.nama == "Kanigoro") | .respondents == $n' <<<"$output"
	run --separate-stderr demo_as citra report coverage --by kecamatan --format json
	[ "$status" -eq 0 ]
	jq -e '[.kecamatan[].nama] == ["Kanigoro"] and .kecamatan_total == 1' <<<"$output"
	for user in oki aud; do
		run --separate-stderr demo_as "$user" report ikm
		[ "$status" -eq 4 ]
		[ -z "$output" ]
	done
}
