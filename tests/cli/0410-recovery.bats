#!/usr/bin/env bats
# recovery split / combine: when every admin passphrase is lost, K of N
# shares (Shamir, libgfshare) set the admin who split them a new passphrase;
# fewer, mistyped, foreign or retired shares are named and change nothing.

load helper

setup_file() {
	build_template
}

setup() {
	fresh_vault
}

NEW_PASS="pulih-Rahasia-5521"

combine() { # SHARE...: recovery combine with NEW_PASS
	bk -C "$VAULT" recovery combine "$@" --new-passphrase-fd 3 3<<<"$NEW_PASS"
}

split() { # DIR N K
	as ada recovery split -o "$1" --shares "$2" --threshold "$3"
}

@test "3 of 5 shares give a forgotten admin passphrase back; the log says so; the old one no longer opens" {
	run split s 5 3
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[ "$(ls s | tr '\n' ' ')" = "share-1-of-5.txt share-2-of-5.txt share-3-of-5.txt share-4-of-5.txt share-5-of-5.txt " ]
	[ "$(stat -c %a s) $(stat -c %a s/share-2-of-5.txt) $(stat -c %a "$VAULT/recovery")" = "700 600 600" ]
	grep -q '^brankas recovery share 2 of 5: any 3 of them set a new passphrase for admin ada$' s/share-2-of-5.txt
	# the recovery key appears nowhere but in the shares: no share is in the vault
	for f in s/*; do
		code=$(sed -n '/^code:$/,$p' "$f" | tail -n +2 | tr -d ' \n')
		[ "${#code}" = 128 ]
		run grep -rl "${code:56:64}" "$VAULT"
		[ "$status" -eq 1 ]
	done
	[ "$(tail -n 1 "$VAULT/audit.log" | jq -r '.action + " " + .target')" = "recovery-split ada" ]
	# any three, in any order
	run combine s/share-5-of-5.txt s/share-2-of-5.txt s/share-4-of-5.txt
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[[ "$output" == *"the passphrase of admin 'ada' is set again"* ]]
	run as_in "$VAULT" "$NEW_PASS" ada status
	[ "$status" -eq 0 ]
	run as ada status
	[ "$status" -eq 3 ]
	[ "$(jq -r 'select(.action == "recovery-combine" or .action == "passwd") | .action + " " + .actor' "$VAULT/audit.log" | tr '\n' ',')" = "recovery-combine ada,passwd ada," ]
	run as aud audit verify
	[ "$status" -eq 0 ]
	# the shares still work after the passphrase changed (the keys did not)
	run combine s/share-1-of-5.txt s/share-3-of-5.txt s/share-2-of-5.txt
	[ "$status" -eq 0 ]
}

@test "two of three needed shares, a share twice, or one mistyped digit: refused, named, nothing changed" {
	split s 4 3 >/dev/null 2>&1
	run combine s/share-1-of-4.txt s/share-2-of-4.txt
	[ "$status" -eq 3 ]
	[[ "$output" == *"3 different shares are needed, 2 given: fewer reveal nothing"* ]]
	run combine s/share-1-of-4.txt s/share-2-of-4.txt s/share-2-of-4.txt
	[ "$status" -eq 3 ]
	[[ "$output" == *"3 different shares are needed, 2 given"* ]]
	# one digit of share 3's code changed: its checksum names it
	awk '/^code:$/ { on = 1; print; next } on && !done { $3 = ($3 == "0000" ? "0001" : "0000"); done = 1 } { print }' \
		s/share-3-of-4.txt >typo.txt
	! cmp -s typo.txt s/share-3-of-4.txt || return 1
	run combine s/share-1-of-4.txt s/share-2-of-4.txt typo.txt
	[ "$status" -eq 1 ]
	[[ "$output" == *"typo.txt: the code's checksum does not match: a digit was mistyped or changed"* ]]
	# a code cut short
	head -n 9 s/share-3-of-4.txt >short.txt
	run combine s/share-1-of-4.txt s/share-2-of-4.txt short.txt
	[ "$status" -eq 1 ]
	[[ "$output" == *"short.txt: the code has 96 hex digits, not 128"* ]]
	# nothing changed: the old passphrase works, no passwd entry
	run as ada status
	[ "$status" -eq 0 ]
	[ "$(grep -c '"action":"passwd"' "$VAULT/audit.log")" = 0 ]
}

@test "a new split retires the old shares; shares of another vault are named" {
	split old 3 2 >/dev/null 2>&1
	split new 3 2 >/dev/null 2>&1
	run combine old/share-1-of-3.txt old/share-2-of-3.txt
	[ "$status" -eq 3 ]
	[[ "$output" == *"old/share-1-of-3.txt is a share of another split"* ]]
	run combine new/share-1-of-3.txt new/share-3-of-3.txt
	[ "$status" -eq 0 ]
	cp -a "$TEMPLATE" other
	VAULT=other split foreign 3 2 >/dev/null 2>&1
	bk init third --admin ada --kdf interactive --passphrase-fd 0 <<<"$(pass_of ada)" >/dev/null
	VAULT=third split third-shares 3 2 >/dev/null 2>&1
	run combine new/share-1-of-3.txt third-shares/share-2-of-3.txt
	[ "$status" -eq 3 ]
	[[ "$output" == *"third-shares/share-2-of-3.txt is a share of another vault"* ]]
}

@test "only admins split; a vault without a split says how to make one" {
	local u
	for u in citra oki ani aud; do
		run as "$u" recovery split -o "s.$u" --shares 3 --threshold 2
		[ "$status" -eq 4 ] || { echo "$u: exit $status"; return 1; }
		[ ! -e "s.$u" ]
	done
	[ ! -e "$VAULT/recovery" ]
	split s 3 2 >/dev/null 2>&1
	rm "$VAULT/recovery"
	run combine s/share-1-of-3.txt s/share-2-of-3.txt
	[ "$status" -eq 1 ]
	[[ "$output" == *"has no recovery file"* ]]
	[[ "$output" == *"hint: an admin makes shares with 'brankas recovery split'"* ]]
	run as ada recovery split -o t --shares 2 --threshold 3
	[ "$status" -eq 2 ]
}

@test "the recovery file altered: the shares open nothing (3), and a backup carries the file" {
	split s 3 2 >/dev/null 2>&1
	as ada backup -o b >/dev/null 2>&1
	grep -q '"name":"recovery"' <(tail -n 2 b | head -n 1)
	cp "$VAULT/recovery" keep
	jq -c '.ct |= (.[0:10] + (if .[10:11] == "A" then "B" else "A" end) + .[11:])' keep >"$VAULT/recovery"
	run combine s/share-1-of-3.txt s/share-2-of-3.txt
	[ "$status" -eq 3 ]
	[[ "$output" == *"the shares do not open the recovery"* ]]
	run as ada status
	[ "$status" -eq 0 ]
	# the restored vault recovers with the same shares
	bk -u ada --passphrase-fd 3 restore b r --vault-pub "$VAULT/vault.pub" 3<<<"$(pass_of ada)" >/dev/null 2>&1
	VAULT=r run combine s/share-1-of-3.txt s/share-3-of-3.txt
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
}
