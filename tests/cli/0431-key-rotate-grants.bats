#!/usr/bin/env bats
# key rotate --signing and --audit: the next version of the release key (and
# a new vault.pub) or of the audit key, granted to the same holders, the old
# version's grants dropped in one signed change; what the old release key
# signed still verifies (checkpoints through audit verify --since, backups
# with the old vault.pub); a vault.pub a stopped rotation left is written
# again by the next unlock, a foreign one is still tampering.

load helper

setup_file() {
	fault_template
}

setup() {
	fresh_vault
}

# grants_of KEYPREFIX: "user:key" of every grant of keys starting so, sorted
grants_of() {
	head -n 1 "$VAULT/keyring" | jq -r --arg p "$1" '[.grants[] | select(.key | startswith($p)) | "\(.user):\(.key)"] | sort | join(" ")'
}

# release_state: after an unlock (which writes a stale vault.pub again), the
# release versions granted and the one vault.pub names, as "release:vN"
# when they agree (else what they are)
release_state() {
	local granted pub named
	as aud status >/dev/null || { echo "aud cannot unlock"; return 0; }
	granted=$(head -n 1 "$VAULT/keyring" | jq -r '[.grants[] | select(.key | startswith("release:")) | .key] | unique | join(",")')
	# vault.pub's second line: "Ed", the key id (8 bytes), the public key (32)
	pub=$(sed -n 2p "$VAULT/vault.pub" | base64 -d | tail -c 32 | base64)
	named=$(head -n 1 "$VAULT/keyring" | jq -r --arg pub "$pub" '.keys[] | select(.pub == $pub) | .id')
	if [ "$granted" = "$named" ]; then echo "$granted"; else echo "granted $granted, vault.pub $named"; fi
}

@test "key rotate --signing: release:v2 for the same holders, v1's grants gone, a new vault.pub; old checkpoints still extend" {
	run as aud audit head -o cp1
	[ "$status" -eq 0 ]
	cp "$VAULT/vault.pub" old.pub
	before=$(grants_of release: | sed 's/:release:v1//g')
	[ -n "$before" ]
	run as ada key rotate --signing
	[ "$status" -eq 0 ]
	has "release:v2 signs extracts, checkpoints and backups from now on; release:v1 is retired"
	has "vault.pub is new"
	# the same users hold the new version, nobody the old
	[ "$(grants_of release: | sed 's/:release:v2//g')" = "$before" ]
	[ "$(grants_of release:v1)" = "" ]
	! cmp -s old.pub "$VAULT/vault.pub" || return 1
	jq -e 'select(.action == "key-rotate") | .target == "signing"' <<<"$(tail -n 1 "$VAULT/audit.log")"
	everyone_in
	# status names the retired key, so a witness knows which vault.pub was the old one
	run as aud status
	has "retired by rotation: $(head -n 1 old.pub | awk '{ print $NF }')"
	# a checkpoint signed by release:v1 still proves the log extends it
	run as aud audit verify --since cp1
	[ "$status" -eq 0 ]
	has "extends the checkpoint in 'cp1'"
	# new checkpoints: the new vault.pub verifies them, the old one does not
	run as aud audit head -o cp2
	[ "$status" -eq 0 ]
	run minisign -Vqm cp2 -p "$VAULT/vault.pub"
	[ "$status" -eq 0 ]
	run minisign -Vqm cp2 -p old.pub
	[ "$status" -ne 0 ]
	run as ada check
	[ "$status" -eq 0 ]
	run as aud audit verify
	[ "$status" -eq 0 ]
}

@test "a backup made before key rotate --signing verifies with the vault.pub of its time, and says so without it" {
	run as ada backup -o before.bk
	[ "$status" -eq 0 ]
	cp "$VAULT/vault.pub" old.pub
	as ada key rotate --signing >/dev/null 2>&1
	run "$BRANKAS" backup verify before.bk -C "$VAULT"
	[ "$status" -eq 3 ]
	has "--vault-pub FILE"
	run "$BRANKAS" backup verify before.bk --vault-pub old.pub
	[ "$status" -eq 0 ]
	# a backup made after it verifies with the new one
	run as ada backup -o after.bk
	[ "$status" -eq 0 ]
	run "$BRANKAS" backup verify after.bk -C "$VAULT"
	[ "$status" -eq 0 ]
}

@test "a vault.pub naming a retired release key is written again by the next unlock; a foreign one is tampering (3)" {
	cp "$VAULT/vault.pub" old.pub
	as ada key rotate --signing >/dev/null 2>&1
	cp "$VAULT/vault.pub" new.pub
	# as a rotation killed between its keyring change and vault.pub leaves it
	cp old.pub "$VAULT/vault.pub"
	run as aud status
	[ "$status" -eq 0 ]
	cmp new.pub "$VAULT/vault.pub"
	# a key the keyring never held
	minisign -G -W -f -p foreign.pub -s foreign.key >/dev/null
	cp foreign.pub "$VAULT/vault.pub"
	run as aud status
	[ "$status" -eq 3 ]
	has "vault.pub names another release key"
}

@test "key rotate --audit: audit:v2 for the same holders, v1's grants gone; the same statement hashes otherwise after it" {
	before=$(grants_of audit: | sed 's/:audit:v1//g')
	[ -n "$before" ]
	as ani query "SELECT count(*) FROM warga" >/dev/null
	mac1=$(tail -n 1 "$VAULT/audit.log" | jq -r .sql_mac)
	run as ada key rotate --audit
	[ "$status" -eq 0 ]
	has "audit:v2 keys the audit log's hashes from now on; audit:v1 is retired"
	[ "$(grants_of audit: | sed 's/:audit:v2//g')" = "$before" ]
	[ "$(grants_of audit:v1)" = "" ]
	jq -e 'select(.action == "key-rotate") | .target == "audit"' <<<"$(tail -n 1 "$VAULT/audit.log")"
	as ani query "SELECT count(*) FROM warga" >/dev/null
	mac2=$(tail -n 1 "$VAULT/audit.log" | jq -r .sql_mac)
	[ "${#mac1}" -eq 32 ] && [ "${#mac2}" -eq 32 ]
	[ "$mac1" != "$mac2" ]
	everyone_in
	run as aud audit verify
	[ "$status" -eq 0 ]
}

@test "key rotate names one key: none or two is a usage error (2); only an admin rotates (4, audited)" {
	run as ada key rotate
	[ "$status" -eq 2 ]
	has "--signing"
	run as ada key rotate --signing --audit
	[ "$status" -eq 2 ]
	run as citra key rotate --signing
	[ "$status" -eq 4 ]
	jq -e '.actor == "citra" and .outcome == "denied"' <<<"$(tail -n 1 "$VAULT/audit.log")"
	[ "$(grants_of release:v2)" = "" ]
}

@test "key rotate --signing killed at any fsync: release:v1 or v2 alone, vault.pub agreeing, the log saying which" {
	STATE_FN=release_state STATE_BEFORE=release:v1 STATE_AFTER=release:v2 FAULT_ACTION=key-rotate
	each_fault fsync,fdatasync signal=SIGKILL every key rotate --signing
	[ "$FAULTS" -ge 2 ]
}
