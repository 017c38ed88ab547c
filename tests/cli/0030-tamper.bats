#!/usr/bin/env bats
# 0030-tamper.bats - every altered, swapped or rolled-back vault file must stop
# the command with exit 3 and a message naming what is wrong, and the failing
# command must not change any file (the passphrases here are right, so not
# even a failed-unlock line may be added).

load helper

setup_file() {
	build_template
	# a second vault with the same admin name and passphrase
	export OTHER="$BATS_FILE_TMPDIR/other"
	bk init "$OTHER" --admin ada --kdf interactive --passphrase-fd 0 <<<"$(pass_of ada)" >/dev/null
}

setup() {
	fresh_vault
}

# expect_tampered REGEX USER ARGS...: as USER, ARGS exits 3, the output
# matches REGEX, and the vault directory is byte for byte as it was.
expect_tampered() {
	local regex=$1 user=$2 before after
	shift 2
	before=$(snapshot "$VAULT")
	run as "$user" "$@" </dev/null
	if [ "$status" -ne 3 ]; then
		echo "'$*' as $user: exit $status, expected 3"
		return 1
	fi
	if ! [[ "$output" =~ $regex ]]; then
		echo "'$*' as $user: the message does not match /$regex/"
		return 1
	fi
	after=$(snapshot "$VAULT")
	if [ "$after" != "$before" ]; then
		echo "'$*' as $user changed the vault:"
		diff <(echo "$before") <(echo "$after")
		return 1
	fi
}

# Byte offset in $VAULT/keyring of the middle of USER's slot ciphertext (last line).
slot_offset() {
	local at
	at=$(grep -bo "\"$1\":{\"ct\":\"" "$VAULT/keyring" | cut -d: -f1)
	[ -n "$at" ] || return 1
	echo $((at + 30))
}

@test "the untampered template passes status and check" {
	run as ada check
	[ "$status" -eq 0 ]
	has "vault.db   ok"
	has "keyring    ok"
	has "audit.log  ok"
}

# flipped_db OFFSET PATTERN USER: a byte of vault.db flipped at OFFSET makes
# ada's status and check and USER's status exit 3 with PATTERN, in one line
# from brankas and none from the library (SQLCipher 4.7 and later log a failed
# page HMAC to stderr unless told not to).
flipped_db() {
	local off=$1 pattern=$2 user=$3
	flip "$VAULT/vault.db" "$off"
	expect_tampered "$pattern" ada status
	expect_tampered "$pattern" ada check
	expect_tampered "$pattern" "$user" status
	run --separate-stderr as ada status </dev/null
	[ "$status" -eq 3 ]
	[ "${#stderr_lines[@]}" -eq 1 ] || { printf '%s\n' "$stderr"; return 1; }
}

@test "a flipped byte in page 2 of vault.db: status and check exit 3" {
	flipped_db 5000 "vault\.db.*altered or damaged" aud
}

@test "a flipped byte in page 1 of vault.db: status and check exit 3" {
	flipped_db 100 "vault\.db' does not decrypt with the vault key" citra
}

# each_page_flipped FILE FIRST CHECK: for every 4 KiB page of FILE (relative to
# the vault) from page FIRST (0-based), sampled (helper.bash), a fresh vault
# with one byte of that page flipped, then CHECK PAGE (a function) must succeed.
each_page_flipped() {
	local file=$1 first=$2 check=$3 pages p
	pages=$(($(stat -c %s "$TEMPLATE/$file") / 4096))
	[ "$pages" -ge 2 ] || { echo "$file has $pages pages"; return 1; }
	for p in $(seq "$first" $((pages - 1)) | sampled); do
		rm -rf "$VAULT"
		cp -a "$TEMPLATE" "$VAULT"
		flip "$VAULT/$file" $((p * 4096 + 500))
		"$check" $((p + 1)) || return 1
	done
}

vault_db_page_stops_everyone() {
	expect_tampered "vault\.db" ada check || { echo "page $1"; return 1; }
	# a page this command would not read is checked too: vault.db holds no citizen row
	expect_tampered "vault\.db" aud status || { echo "status, page $1"; return 1; }
	run bk -C "$VAULT" -u oki --passphrase-fd 3 record add warga 3<<<"$(pass_of oki)" <<<"nik,nama,telepon,tanggal_lahir,jenis_kelamin,desa,pendidikan,pekerjaan,disabilitas
3505104505950007,Rina,,1995-05-05,P,35.05.10.2001,S1,guru,tidak"
	[ "$status" -eq 3 ] || { echo "record add, page $1: exit $status"; return 1; }
}

store_page_stops_check() {
	expect_tampered "store (kec_35_05_10|of kecamatan 35\.05\.10)" ada check || { echo "page $1"; return 1; }
}

@test "a flipped byte in any page of vault.db: check, and every unlock (status, record add), exit 3" {
	each_page_flipped vault.db 0 vault_db_page_stops_everyone
}

@test "a flipped byte in any page of a kecamatan's store: check exits 3 naming the store" {
	each_page_flipped kec/35.05.10.db 1 store_page_stops_check
}

@test "a flipped byte anywhere in the keyring: exit 3 naming the keyring" {
	size=$(stat -c %s "$TEMPLATE/keyring")
	line1=$(head -n 1 "$TEMPLATE/keyring" | wc -c)
	line2=$(head -n 2 "$TEMPLATE/keyring" | wc -c)
	[ "$(wc -l <"$TEMPLATE/keyring")" -eq 3 ]
	# start, the signed body, its middle, the signature line, another
	# user's key slot in the last line, the final newline
	for off in 0 1 $((size / 4)) $((size / 2)) $((line1 - 2)) $((line1 + 10)) $((line2 + 2)) \
		"$(slot_offset oki)" "$(slot_offset aud)" -2 -1; do
		rm -rf "$VAULT"
		cp -a "$TEMPLATE" "$VAULT"
		flip "$VAULT/keyring" "$off"
		expect_tampered "keyring" ada status || { echo "offset $off"; return 1; }
	done
}

@test "a flipped byte in another user's key slot is caught by the pinned keyring digest" {
	# the flipped base64 character may still decode (the digest catches it) or not (the parser does)
	local caught="the keyring is not the one vault.db pinned|keyring: field 'ct' is malformed"

	flip "$VAULT/keyring" "$(slot_offset citra)"
	expect_tampered "$caught" ada status
	expect_tampered "$caught" oki status
	expect_tampered "$caught" ada check
}

@test "a flipped byte in one's own key slot exits 3 (it cannot be told from a wrong passphrase)" {
	flip "$VAULT/keyring" "$(slot_offset ada)"
	run as ada status
	[ "$status" -eq 3 ]
	# anyone else sees the keyring is not the pinned one (or, when the flipped character no
	# longer decodes, that the slot is malformed)
	expect_tampered "the keyring is not the one vault.db pinned|keyring: field 'ct' is malformed" citra status
}

@test "a flipped byte in the middle of audit.log: audit verify and check exit 3 naming the entry" {
	n=$(audit_count)
	[ "$n" -ge 3 ]
	k=$(((n + 1) / 2))
	start=$(head -n $((k - 1)) "$VAULT/audit.log" | wc -c)
	len=$(sed -n "${k}p" "$VAULT/audit.log" | wc -c)
	for off in $((start + len / 2)) $((start + 30)) $((start + len - 40)); do
		rm -rf "$VAULT"
		cp -a "$TEMPLATE" "$VAULT"
		flip "$VAULT/audit.log" "$off"
		expect_tampered "audit\.log: entry $k: " ada audit verify || { echo "offset $off"; return 1; }
		expect_tampered "audit\.log: entry $k: " aud check || { echo "offset $off"; return 1; }
	done
}

@test "a deleted last audit entry: every command exits 3" {
	sed -i '$d' "$VAULT/audit.log"
	n=$(audit_count)
	re="audit\.log ends at entry $n but the vault pinned entry $((n + 1)): the log was truncated or rolled back"
	expect_tampered "$re" ada status
	expect_tampered "$re" ada check
	expect_tampered "$re" ada audit verify
	expect_tampered "$re" ada user list
	expect_tampered "$re" ada user disable oki
	expect_tampered "$re" citra status
	expect_tampered "$re" oki status
	expect_tampered "$re" ani status
	expect_tampered "$re" aud audit show
	expect_tampered "$re" aud audit head -o "$BATS_TEST_TMPDIR/cp.json"
	expect_tampered "$re" ada user passwd
	[ ! -e "$BATS_TEST_TMPDIR/cp.json" ]
}

@test "a deleted audit entry in the middle: audit verify exits 3" {
	sed -i '3d' "$VAULT/audit.log"
	expect_tampered "audit\.log: entry" ada audit verify
}

@test "a removed audit.log, vault.db or vault.pub: exit 3 naming the file" {
	for f in audit.log vault.db vault.pub; do
		rm -rf "$VAULT"
		cp -a "$TEMPLATE" "$VAULT"
		rm "$VAULT/$f"
		expect_tampered "'$VAULT/$f' is missing" ada status || { echo "without $f"; return 1; }
	done
}

@test "an emptied audit.log: exit 3" {
	: >"$VAULT/audit.log"
	expect_tampered "audit\.log is empty but the vault pinned entry" ada status
}

@test "an older copy of audit.log swapped in: exit 3" {
	cp "$VAULT/audit.log" old.log
	run as ada status
	[ "$status" -eq 0 ]
	run as citra status
	[ "$status" -eq 0 ]
	cp old.log "$VAULT/audit.log"
	expect_tampered "the log was truncated or rolled back" ada status
	expect_tampered "the log was truncated or rolled back" aud audit verify
}

@test "an audit.log from a diverging copy of the vault, same length: exit 3" {
	cp -a "$VAULT" fork
	run as ada status
	[ "$status" -eq 0 ]
	VAULT=$PWD/fork
	run as citra status
	[ "$status" -eq 0 ]
	VAULT=$BATS_TEST_TMPDIR/vault
	[ "$(wc -l <fork/audit.log)" -eq "$(audit_count)" ]
	cp fork/audit.log "$VAULT/audit.log"
	expect_tampered "audit\.log: entry $(audit_count) differs from the one the vault pinned" ada status
}

@test "a keyring from another vault (same admin, same passphrase): exit 3" {
	cp "$OTHER/keyring" "$VAULT/keyring"
	expect_tampered "the keyring does not belong to this vault" ada status
	expect_tampered "the keyring does not belong to this vault" ada check
}

@test "a keyring and vault.pub from another vault: exit 3" {
	cp "$OTHER/keyring" "$OTHER/vault.pub" "$VAULT/"
	expect_tampered "vault\.db' does not decrypt with the vault key" ada status
}

@test "a vault.pub from another vault: exit 3" {
	cp "$OTHER/vault.pub" "$VAULT/vault.pub"
	expect_tampered "vault\.pub names another release key" ada status
	expect_tampered "vault\.pub names another release key" aud audit verify
}

@test "a vault.pub that is not a minisign key: exit 3" {
	echo "untrusted comment: nothing to see" >"$VAULT/vault.pub"
	expect_tampered "vault\.pub' is not a minisign public key" ada status
}

@test "a vault.db from another vault: exit 3" {
	cp "$OTHER/vault.db" "$VAULT/vault.db"
	expect_tampered "vault\.db' does not decrypt with the vault key" ada status
}

@test "an audit.log from another vault: exit 3" {
	cp "$OTHER/audit.log" "$VAULT/audit.log"
	expect_tampered "the log was truncated or rolled back" ada status
}

@test "an emptied vault.db or keyring: exit 3 and the file is left alone" {
	: >"$VAULT/vault.db"
	expect_tampered "vault\.db' is empty" ada status
	rm -rf "$VAULT"
	cp -a "$TEMPLATE" "$VAULT"
	: >"$VAULT/keyring"
	expect_tampered "keyring: truncated" ada status
}
