#!/usr/bin/env bats
# record add: one validated, sealed row from stdin; import from stdin.

load helper

setup_file() { build_template; }
setup() { fresh_vault; }

# HEADER: helper.bash

add() { # USER: the record on stdin, the passphrase on fd 3
	local user=$1
	shift
	bk -C "$VAULT" -u "$user" --passphrase-fd 3 record add warga "$@" 3<<<"$(pass_of "$user")"
}

@test "record add takes one row from stdin and audits it without the values" {
	run add citra <<<"$HEADER
3505104505950007,Rina Wulandari,,1995-05-05,P,35.05.10.2001,S1,guru,tidak"
	[ "$status" -eq 0 ]
	run jq -r '[.action, .dataset, .rows] | @tsv' <<<"$(tail -1 "$VAULT/audit.log")"
	[ "$output" = "$(printf 'record-add\twarga\t1')" ]
	run grep -q Wulandari "$VAULT/audit.log"
	[ "$status" -eq 1 ]
	[ "$(dataset_rows warga)" = 1 ]
}

@test "record add refuses two rows, no row, and a passphrase on stdin" {
	run add citra <<<"$HEADER
3505104505950007,Rina,,1995-05-05,P,35.05.10.2001,S1,guru,tidak
3505104505950008,Rini,,1995-05-05,P,35.05.10.2001,S1,guru,tidak"
	[ "$status" -eq 1 ]
	[[ "$output" == *"expected at most 1 row"* ]]
	run add citra <<<"$HEADER"
	[ "$status" -eq 1 ]
	run bk -C "$VAULT" -u citra --passphrase-fd 0 record add warga <<<"$(pass_of citra)"
	[ "$status" -eq 2 ]
	[ "$(dataset_rows warga)" = 0 ]
}

@test "a record add still waiting for its stdin holds no other writer up" {
	mkfifo slow
	# citra's record add unlocks, then waits for its row (a clerk still typing)
	add citra <slow >first.out 2>&1 &
	exec 5>slow
	sleep 1
	# meanwhile ada adds another row, waiting at most 3 s for the write lock
	run bk -C "$VAULT" -u ada --passphrase-fd 3 --wait 3 record add warga 3<<<"$(pass_of ada)" <<<"$HEADER
3505100303800003,Agus,,1980-03-03,L,35.05.10.2003,SD,petani,tidak"
	[ "$status" -eq 0 ] || { exec 5>&-; wait; echo "$output"; return 1; }
	printf '%s\n%s\n' "$HEADER" "3505104202850002,Siti,,1985-02-02,P,35.05.10.2002,SMP,guru,tidak" >&5
	exec 5>&-
	wait
	grep -q "added 1 row" first.out
	[ "$(dataset_rows warga)" = 2 ]
	# what it holds in memory is bounded: a record is not a file
	run add ada < <(printf '%s\n' "$HEADER"; head -c 1100000 /dev/zero | tr '\0' 'a')
	[ "$status" -eq 2 ]
	has "stdin holds more than 1 MiB: import a file instead"
}

@test "an operator adds in scope; outside scope is denied and audited" {
	run add oki <<<"$HEADER
3505104505950007,Rina,,1995-05-05,P,35.05.10.2001,S1,guru,tidak"
	[ "$status" -eq 0 ]
	run add oki <<<"$HEADER
3505014505950007,Rina,,1995-05-05,P,35.05.01.2001,S1,guru,tidak"
	[ "$status" -eq 4 ]
	[ "$(tail -1 "$VAULT/audit.log" | jq -r .outcome)" = denied ]
	[ "$(dataset_rows warga)" = 1 ]
}

@test "import reads stdin with -" {
	run bk -C "$VAULT" -u ada --passphrase-fd 3 import warga - 3<<<"$(pass_of ada)" <<<"$HEADER
3505104505950007,Rina,,1995-05-05,P,35.05.10.2001,S1,guru,tidak
3505104505950008,Rini,,1995-05-05,P,35.05.10.2001,S1,guru,tidak"
	[ "$status" -eq 0 ]
	[ "$(dataset_rows warga)" = 2 ]
}

@test "an operator's rows carry no blind index (operators hold no blind key); the custodian's unlock moves them in and indexes them" {
	db_key
	run add oki <<<"$HEADER
3505104505950007,Rina Wulandari,,1995-05-05,P,35.05.10.2001,S1,guru,tidak"
	[ "$status" -eq 0 ]
	# oki holds no store key: the row waits in vault.db's inbox, sealed whole to Kanigoro's key;
	# nothing of it is readable with the database key, not even its plain columns
	[ "$(db_sql "SELECT count(*) FROM ds_warga")" = 0 ]
	[ "$(db_sql "SELECT dataset, kecamatan FROM inbox")" = "warga|35.05.10" ]
	db_sql .dump >dump.sql
	for v in 1995-05-05 Wulandari 3505104505950007; do
		run grep -c -F -- "$v" dump.sql
		[ "$output" = 0 ] || { echo "'$v' is readable in vault.db"; return 1; }
	done
	run jq -r '[.grants[] | select(.user == "oki") | .key] | join(" ")' <<<"$(head -1 "$VAULT/keyring")"
	[[ "$output" != *blind* && "$output" != *store* ]]
	# the next unlock by Kanigoro's custodian moves it into Kanigoro's store, audited
	run bk -C "$VAULT" -u citra --passphrase-fd 3 find --nik - --purpose "cek" 3<<<"$(pass_of citra)" <<<3505104505950007
	[ "$status" -eq 0 ]
	[ "$(jq -r '.[0].nama' <<<"$output")" = "Rina Wulandari" ]
	[ "$(db_sql 'SELECT count(*) FROM inbox')" = 0 ]
	[ "$(store_sql 35.05.10 "SELECT count(*) FROM ds_warga WHERE nik_bi IS NULL")" = 0 ]
	[ "$(jq -s -c '[.[] | select(.action == "store-move")] | map([.actor, .rows, .outcome])' "$VAULT/audit.log")" = '[["citra",1,"ok"]]' ]
	[ "$(jq -s -c '[.[] | select(.action == "index")] | map([.actor, .target, .rows, .outcome])' "$VAULT/audit.log")" = '[["citra","35.05.10",1,"ok"]]' ]
}

@test "an altered inbox entry is tampering (3) for the custodian who would move it in; nothing moves" {
	db_key
	run add oki <<<"$HEADER
3505104505950007,Rina Wulandari,,1995-05-05,P,35.05.10.2001,S1,guru,tidak"
	[ "$status" -eq 0 ]
	hex=$(db_sql "SELECT hex(box) FROM inbox")
	i=$((${#hex} / 2 - ${#hex} / 2 % 2))
	db_sql "UPDATE inbox SET box = x'${hex:0:i}$(printf '%02X' $((16#${hex:i:2} ^ 1)))${hex:i+2}'"
	run --separate-stderr as citra status
	[ "$status" -eq 3 ]
	stderr_line "brankas: error: an inbox entry of kecamatan 35.05.10 does not open with its key: it was altered"
	[ "$(db_sql 'SELECT count(*) FROM inbox')" = 1 ]
	# an admin would move it too: the same refusal; others unlock as before
	run as ada status
	[ "$status" -eq 3 ]
	run as ani status
	[ "$status" -eq 0 ]
}

@test "find names a malformed NIK's problem once, without the NIK (2)" {
	run --separate-stderr bk -C "$VAULT" -u citra --passphrase-fd 3 find --nik - --purpose "cek" 3<<<"$(pass_of citra)" <<<35051045059500
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	stderr_line "brankas: error: not a valid NIK: NIK must have 16 digits, not 14"
	lacks 35051045059500
}
