#!/usr/bin/env bats
# key rotate --db: vault.db under a new key; the old one opens nothing new;
# every user still unlocks; killed at any fsync the vault opens for everyone,
# and running it again finishes the rotation.

load helper

setup_file() {
	fault_template
}

setup() {
	fresh_vault
}

# opens DB KEYFILE: the count of sqlite_master through sqlcipher with that key
opens() {
	{ cat "$2"; echo "SELECT count(*) FROM sqlite_master;"; } | "$SQLCIPHER" "$1" 2>&1 | tail -n 1
}

db_grants() {
	head -n 1 "$VAULT/keyring" | jq -r '[.grants[] | select(.key | startswith("db:")) | .key] | unique | join(",")'
}

@test "key rotate --db: vault.db under db:v2, the old key opens nothing, everyone unlocks, check and the log pass" {
	{ echo "$HEADER"; people 0 9; } >p.csv
	as ada import warga p.csv >/dev/null
	as ada key export-db-key -o old.key >/dev/null 2>&1
	[ "$(opens "$VAULT/vault.db" old.key)" -gt 5 ]
	run as ada key rotate --db
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[[ "$output" == *"vault.db is under db:v2 now; db:v1 is retired"* ]]
	[ "$(db_grants)" = "db:v2" ]
	[ ! -e "$VAULT/vault.db.rotating" ]
	run opens "$VAULT/vault.db" old.key
	[[ "$output" == *"file is not a database"* ]]
	as ada key export-db-key -o new.key >/dev/null 2>&1
	[ "$(opens "$VAULT/vault.db" new.key)" -gt 5 ]
	everyone_in
	[ "$(as ada query --format csv "SELECT count(*) FROM warga" | tail -n 1 | tr -d '\r')" = 9 ]
	run as ada check
	[ "$status" -eq 0 ]
	run as aud audit verify --full
	[ "$status" -eq 0 ]
	[ "$(jq -r 'select(.action == "key-rotate") | .detail' "$VAULT/audit.log" | tr '\n' '|')" = \
		"db:v2 made and granted; vault.db to be copied under it|vault.db under db:v2; db:v1 retired|" ]
	# a user added after holds only the new key; a second rotation makes v3
	run as ada key rotate --db
	[ "$status" -eq 0 ]
	[ "$(db_grants)" = "db:v3" ]
	everyone_in
}

@test "only an admin rotates (4, audited)" {
	local u
	for u in citra oki ani aud; do
		run as "$u" key rotate --db
		[ "$status" -eq 4 ] || { echo "$u: exit $status"; return 1; }
	done
	[ "$(db_grants)" = "db:v1" ]
	run as ada key rotate
	[ "$status" -eq 2 ]
}

@test "key rotate --db killed at any fsync: everyone unlocks, check passes, running it again finishes" {
	local n u reached
	{ echo "$HEADER"; people 0 9; } >p.csv
	as ada import warga p.csv >/dev/null
	cp -a "$VAULT" start
	for n in $(seq 1 80 | sampled); do
		reached=0
		inject_at "$n" fsync,fdatasync signal=SIGKILL key rotate --db && reached=1
		# an admin and the least of the roles: every user opens vault.db alike
		for u in ada oki; do
			run as "$u" status
			[ "$status" -eq 0 ] || { echo "after a kill at fsync $n: $u: exit $status: $output"; return 1; }
		done
		run as ada check
		[ "$status" -eq 0 ] || { echo "fsync $n: check: $output"; return 1; }
		[ "$(as ada query --format csv "SELECT count(*) FROM warga" | tail -n 1 | tr -d '\r')" = 9 ] ||
			{ echo "fsync $n: rows lost"; return 1; }
		if [ "$(db_grants)" != db:v2 ]; then
			run as ada key rotate --db
			[ "$status" -eq 0 ] || { echo "fsync $n: the rerun: $output"; return 1; }
		fi
		[ "$(db_grants)" = db:v2 ] || { echo "fsync $n: grants $(db_grants) after the rerun"; return 1; }
		[ ! -e "$VAULT/vault.db.rotating" ] || { echo "fsync $n: vault.db.rotating left"; return 1; }
		run as aud audit verify --full
		[ "$status" -eq 0 ] || { echo "fsync $n: audit verify: $output"; return 1; }
		rm -rf "$VAULT"
		cp -a start "$VAULT"
		[ "$reached" = 1 ] || return 0
	done
	echo "the rotation never finished"
	return 1
}
