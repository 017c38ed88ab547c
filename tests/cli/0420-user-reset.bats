#!/usr/bin/env bats
# user reset / user enable: a user locked out by a forgotten passphrase, or
# disabled, is back through an admin; the one-time passphrase opens only
# `user passwd`; old keys open no new grant; old audit entries still verify.

load helper

setup_file() {
	build_template
}

setup() {
	fresh_vault
}

ONCE="sekali-Rahasia-7731"
OWN="milik-Rahasia-3390"

@test "a forgotten passphrase: user reset gives a one-time one that opens only user passwd, then the user's own" {
	# citra signs entries with her first key
	run as citra status
	[ "$status" -eq 0 ]
	run bk -C "$VAULT" -u ada --passphrase-fd 3 --new-passphrase-fd 4 user reset citra --kdf interactive \
		3<<<"$(pass_of ada)" 4<<<"$ONCE"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[ "$(tail -n 1 "$VAULT/audit.log" | jq -r '.action + " " + .target + " " + .actor')" = "user-reset citra ada" ]
	# the old passphrase is gone with the old keys
	run as citra status
	[ "$status" -eq 3 ]
	# the one-time passphrase opens nothing else (exit 4, logged), and says what to do
	run as_in "$VAULT" "$ONCE" citra status
	[ "$status" -eq 4 ]
	[[ "$output" == *"was set by an admin and works only to change it"* ]]
	[[ "$output" == *"hint: choose your own first: brankas -u citra user passwd"* ]]
	[ "$(tail -n 1 "$VAULT/audit.log" | jq -r '.action + " " + .outcome + " " + .detail')" = "unlock denied one-time passphrase not changed yet" ]
	run bk -C "$VAULT" -u citra --passphrase-fd 3 --new-passphrase-fd 4 user passwd --kdf interactive \
		3<<<"$ONCE" 4<<<"$OWN"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	run as_in "$VAULT" "$ONCE" citra status
	[ "$status" -eq 3 ]
	# her own passphrase: her scope's rows, as before
	run as_in "$VAULT" "$OWN" citra query --format csv "SELECT count(*) FROM warga"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	# her entries under the old key and the new one all verify; the old key may not sign new ones
	run as aud audit verify --full
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[ "$(head -n 1 "$VAULT/keyring" | jq -r '.users[] | select(.name == "citra") | "\(.past_sign | length) \(.past_sign[0].until > 0)"')" = "1 true" ]
}

@test "the one-time flag cannot be stripped from the slot: the slot then fails (3)" {
	bk -C "$VAULT" -u ada --passphrase-fd 3 --new-passphrase-fd 4 user reset oki --kdf interactive \
		3<<<"$(pass_of ada)" 4<<<"$ONCE" >/dev/null
	grep -q '"once":true' <(tail -n 1 "$VAULT/keyring")
	sed -i '3s/,"once":true//; 3s/"once":true,//' "$VAULT/keyring"
	run grep -c '"once"' "$VAULT/keyring"
	[ "$output" = 0 ]
	run as_in "$VAULT" "$ONCE" oki status
	[ "$status" -eq 3 ]
}

@test "a disabled user is enabled again with new keys; enable refuses an active user; reset refuses evaluators and oneself" {
	as ada user disable oki >/dev/null
	run as oki status
	[ "$status" -eq 4 ]
	run bk -C "$VAULT" -u ada --passphrase-fd 3 --new-passphrase-fd 4 user enable oki --kdf interactive \
		3<<<"$(pass_of ada)" 4<<<"$ONCE"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	[ "$(tail -n 1 "$VAULT/audit.log" | jq -r '.action + " " + .detail')" = "user-enable new keys and a one-time passphrase; enabled again" ]
	bk -C "$VAULT" -u oki --passphrase-fd 3 --new-passphrase-fd 4 user passwd --kdf interactive 3<<<"$ONCE" 4<<<"$OWN" >/dev/null
	run bk -C "$VAULT" -u oki --passphrase-fd 3 record add warga 3<<<"$OWN" <<<"$HEADER
3505104505950007,Rina,,1995-05-05,P,35.05.10.2001,S1,guru,tidak"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
	# an old copy of oki's slot opens keys that no grant is sealed to any more
	run bk -C "$VAULT" -u ada --passphrase-fd 3 --new-passphrase-fd 4 user enable citra 3<<<"$(pass_of ada)" 4<<<"$ONCE"
	[ "$status" -eq 1 ]
	[[ "$output" == *"user 'citra' is not disabled"* ]]
	run bk -C "$VAULT" -u ada --passphrase-fd 3 --new-passphrase-fd 4 user reset eva 3<<<"$(pass_of ada)" 4<<<"$ONCE"
	[ "$status" -eq 2 ]
	[[ "$output" == *"'eva' is an evaluator"* ]]
	run bk -C "$VAULT" -u ada --passphrase-fd 3 --new-passphrase-fd 4 user reset ada 3<<<"$(pass_of ada)" 4<<<"$ONCE"
	[ "$status" -eq 2 ]
	[[ "$output" == *"'brankas user passwd' changes your own"* ]]
	run bk -C "$VAULT" -u citra --passphrase-fd 3 --new-passphrase-fd 4 user reset oki 3<<<"$(pass_of citra)" 4<<<"$ONCE"
	[ "$status" -eq 4 ]
	run as aud audit verify --full
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
}

@test "an old copy of the keyring slot no longer opens the vault's keys after a reset" {
	cp "$VAULT/keyring" old-keyring
	bk -C "$VAULT" -u ada --passphrase-fd 3 --new-passphrase-fd 4 user reset citra --kdf interactive \
		3<<<"$(pass_of ada)" 4<<<"$ONCE" >/dev/null
	# citra's old slot line put back: its keys are not the signed ones any more
	python3 - "$VAULT/keyring" old-keyring <<'PY'
import json, sys
cur, old = (open(p).read().split("\n") for p in sys.argv[1:3])
slots = json.loads(cur[2]); slots["slots"]["citra"] = json.loads(old[2])["slots"]["citra"]
cur[2] = json.dumps(slots, separators=(",", ":"), sort_keys=True)
open(sys.argv[1], "w").write("\n".join(cur))
PY
	run as citra status
	[ "$status" -eq 3 ]
	[[ "$output" == *"key slot of 'citra' does not match the signed keyring"* ]]
}
