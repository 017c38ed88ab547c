#!/usr/bin/env bats
# 0040-audit.bats - the audit log as JSON Lines and a hash chain, signed
# checkpoints for an outside witness (minisign), verification, and show.

load helper

setup_file() {
	build_template
}

setup() {
	fresh_vault
}

# A mix of entries: signed ones by several users, a denied one, and an
# unsigned failed unlock.
some_activity() {
	as citra status >/dev/null
	as oki status >/dev/null
	bk -C "$VAULT" -u citra --passphrase-fd 0 status <<<"citra-Keliru-2024" >/dev/null 2>&1 || true
	as ani audit show >/dev/null 2>&1 || true
	as aud status >/dev/null
}

@test "every line of audit.log is one JSON object with the documented fields" {
	some_activity
	n=$(audit_count)
	[ "$n" -ge 10 ]
	[ "$(jq -c . "$VAULT/audit.log" | wc -l)" -eq "$n" ]
	# no blank lines, each line parses alone
	while IFS= read -r line; do
		jq -e 'type == "object"' <<<"$line" >/dev/null || { echo "not an object: $line"; return 1; }
	done <"$VAULT/audit.log"
	run jq -rs 'map(select(
		(.seq | type) != "number" or (.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$") | not)
		or (.actor | type) != "string" or (.command | type) != "string" or (.action | type) != "string"
		or (.outcome | IN("ok", "denied", "failed") | not)
		or (.prev | test("^[0-9a-f]{64}$") | not) or (.hash | test("^[0-9a-f]{64}$") | not)
		or (has("sig") and (.sig | test("^[A-Za-z0-9+/]{86}==$") | not)))) | length' "$VAULT/audit.log"
	[ "$status" -eq 0 ]
	[ "$output" = 0 ]
	# the failed unlock is the only unsigned entry; everything else is signed
	[ "$(jq -s 'map(select(has("sig") | not)) | map(.action + "/" + .outcome) | join(",")' "$VAULT/audit.log")" = \
		'"unlock/failed"' ]
	[ "$(jq -s 'map(select(.outcome == "denied")) | length' "$VAULT/audit.log")" -eq 1 ]
}

@test "the entries form a chain: seq counts from 1 and each prev is the previous hash" {
	some_activity
	run jq -s '(.[0].prev == ("0" * 64))
		and ([range(length) as $i | .[$i].seq == $i + 1] | all)
		and ([range(1; length) as $i | .[$i].prev == .[$i - 1].hash] | all)
		and (map(.hash) | unique | length) == length' "$VAULT/audit.log"
	[ "$status" -eq 0 ]
	[ "$output" = true ]
	# the pinned head is the last entry: the status command's own
	run as ada status --format json
	[ "$status" -eq 0 ]
	[ "$(jq -r '.audit_head.seq' <<<"$output")" -eq "$(audit_count)" ]
	[ "$(jq -r '.audit_head.hash' <<<"$output")" = "$(audit_last | jq -r .hash)" ]
}

@test "audit head writes a checkpoint that minisign verifies with vault.pub" {
	run as aud audit head -o cp.json
	[ "$status" -eq 0 ]
	[ -s cp.json ]
	[ -s cp.json.minisig ]
	[ "$output" = "$(cat cp.json)" ]
	run minisign -Vm cp.json -p "$VAULT/vault.pub"
	[ "$status" -eq 0 ]
	has "Signature and comment signature verified"
	# the checkpoint names this vault and the head at the time
	vault_id=$(as aud status --format json | jq -r .vault_id)
	last=$(sed -n "$(jq -r .seq cp.json)p" "$VAULT/audit.log")
	jq -e --arg id "$vault_id" --arg hash "$(jq -r .hash <<<"$last")" \
		'.format == "brankas-audit-checkpoint" and .vault == $id and .hash == $hash' cp.json
	[ "$(jq -r .action <<<"$last")" = audit-checkpoint ]
	has "brankas audit checkpoint seq:$(jq -r .seq cp.json)"
	# an admin may write one too
	run as ada audit head -o cp2.json
	[ "$status" -eq 0 ]
	run minisign -Vm cp2.json -p "$VAULT/vault.pub"
	[ "$status" -eq 0 ]
}

@test "audit head -o never replaces a file, the vault's own audit.log least of all" {
	local log_before
	log_before=$(sha256sum <"$VAULT/audit.log")
	run as ada audit head -o "$VAULT/audit.log"
	[ "$status" -eq 1 ]
	has "already exists: it is not replaced"
	[ "$(sha256sum <"$VAULT/audit.log")" = "$log_before" ]
	run as ada audit verify
	[ "$status" -eq 0 ]
	# a checkpoint, or only its signature, already there: neither is touched
	echo keep >cp.json
	run as aud audit head -o cp.json
	[ "$status" -eq 1 ]
	[ "$(cat cp.json)" = keep ]
	[ ! -e cp.json.minisig ]
	echo keep >cp2.json.minisig
	run as aud audit head -o cp2.json
	[ "$status" -eq 1 ]
	[ ! -e cp2.json ]
	[ "$(cat cp2.json.minisig)" = keep ]
	ln -s nowhere cp3.json
	run as aud audit head -o cp3.json
	[ "$status" -eq 1 ]
	[ -L cp3.json ]
	[ ! -e nowhere ]
}

@test "minisign rejects an altered checkpoint" {
	run as aud audit head -o cp.json
	[ "$status" -eq 0 ]
	sed -i 's/"seq":\([0-9]*\)/"seq":1\1/' cp.json
	run minisign -Vm cp.json -p "$VAULT/vault.pub"
	[ "$status" -ne 0 ]
}

@test "audit verify --since a checkpoint succeeds after more commands" {
	run as aud audit head -o cp.json
	[ "$status" -eq 0 ]
	some_activity
	run as aud audit verify --since cp.json
	[ "$status" -eq 0 ]
	has "chain intact"
	has "extends the checkpoint in 'cp.json'"
	audit_last | jq -e '.actor == "aud" and .action == "audit-verify" and .outcome == "ok"'
	# custodians may verify too
	run as citra audit verify --since cp.json
	[ "$status" -eq 0 ]
}

@test "a checkpoint with an edited seq fails with 3" {
	run as aud audit head -o cp.json
	[ "$status" -eq 0 ]
	seq=$(jq -r .seq cp.json)
	sed -i "s/\"seq\":$seq,/\"seq\":$((seq - 1)),/" cp.json
	[ "$(jq -r .seq cp.json)" -eq $((seq - 1)) ]
	run as aud audit verify --since cp.json
	[ "$status" -eq 3 ]
	has "the checkpoint's signature does not verify with vault.pub"
}

@test "a checkpoint without its signature file is refused" {
	run as aud audit head -o cp.json
	[ "$status" -eq 0 ]
	rm cp.json.minisig
	run as aud audit verify --since cp.json
	[ "$status" -ne 0 ]
	has "cp.json.minisig"
}

@test "an old audit.log swapped in after the checkpoint fails with 3" {
	run as ada status
	cp "$VAULT/audit.log" old.log
	run as aud audit head -o cp.json
	[ "$status" -eq 0 ]
	some_activity
	cp old.log "$VAULT/audit.log"
	run as aud audit verify --since cp.json
	[ "$status" -eq 3 ]
	has "the log was truncated or rolled back"
}

@test "a whole vault rolled back to before the checkpoint fails --since with 3" {
	cp -a "$VAULT" before
	run as aud audit head -o cp.json
	[ "$status" -eq 0 ]
	some_activity
	# everything replaced by the consistent older copy: only the checkpoint knows
	rm -rf "$VAULT"
	cp -a before "$VAULT"
	run as aud audit verify --since cp.json
	[ "$status" -eq 3 ]
	has "checkpoint"
}

@test "a checkpoint of another vault is refused with 3" {
	bk init other --admin ada --kdf interactive --passphrase-fd 0 <<<"$(pass_of ada)"
	VAULT=$PWD/other
	run as ada audit head -o other.json
	[ "$status" -eq 0 ]
	VAULT=$BATS_TEST_TMPDIR/vault
	run as aud audit verify --since other.json
	[ "$status" -eq 3 ]
	has "the checkpoint's signature does not verify with vault.pub"
}

@test "audit show --actor citra shows only citra's entries" {
	some_activity
	expected=$(jq -c 'select(.actor == "citra")' "$VAULT/audit.log")
	[ "$(wc -l <<<"$expected")" -ge 2 ]
	run as aud audit show --actor citra
	[ "$status" -eq 0 ]
	[ "$(jq -c . <<<"$output")" = "$expected" ]
	[ "$(jq -r .actor <<<"$output" | sort -u)" = citra ]
	# the show itself is audited
	audit_last | jq -e '.actor == "aud" and .action == "audit-show"'
}

@test "audit show --action unlock shows the failed and denied unlocks" {
	some_activity
	as eva status >/dev/null 2>&1 || true
	run as ada audit show --action unlock
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	[ "$(jq -r '.actor + "/" + .outcome' <<<"$output" | tr '\n' ' ')" = "citra/failed eva/denied " ]
	run as ada audit show --action unlock --actor eva
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	run as ada audit show --action no-such-action
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "audit show --since filters on time" {
	n=$(audit_count)
	run as aud audit show --since "$(date -u +%Y)"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq $((n + 1)) ]
	run as aud audit show --since 2999
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run as aud audit show --since yesterday
	[ "$status" -eq 2 ]
	has "'yesterday' is not a UTC time"
}

@test "audit verify --full verifies every signature" {
	some_activity
	signed=$(jq -s 'map(select(has("sig"))) | length' "$VAULT/audit.log")
	n=$(audit_count)
	run as aud audit verify --full
	[ "$status" -eq 0 ]
	has "audit.log ok: $n entries, chain intact, $signed signatures verified (all)"

	# a signature altered after an earlier verification: --full still finds it
	run as aud audit verify
	[ "$status" -eq 0 ]
	line=$(sed -n 2p "$VAULT/audit.log")
	[[ "$line" == *'"sig":"'* ]]
	# swap the case of a letter inside the signature: still base64, another value
	for ((back = 20; back < 60; back++)); do
		[[ "${line:${#line}-back:1}" == [A-Za-z] ]] && break
	done
	flip "$VAULT/audit.log" $(($(head -n 1 "$VAULT/audit.log" | wc -c) + ${#line} - back)) 32
	sed -n 2p "$VAULT/audit.log" | jq -e '.sig | test("^[A-Za-z0-9+/]{86}==$")'
	[ "$(sed -n 2p "$VAULT/audit.log" | jq -r .sig)" != "$(jq -r .sig <<<"$line")" ]
	run as aud audit verify --full
	[ "$status" -eq 3 ]
	has "audit.log: entry 2: signature does not verify"
}

@test "audit entries never contain a passphrase" {
	some_activity
	run as_new ada "tamu-Rahasia-6161" user add tamu --role analyst --kdf interactive
	[ "$status" -eq 0 ]
	run as_new oki "oki-Baru-Rahasia-5252" user passwd --kdf interactive
	[ "$status" -eq 0 ]
	bk -C "$VAULT" -u ada --passphrase-fd 0 status <<<"ada-Keliru-9999" >/dev/null 2>&1 || true
	for p in "$(pass_of ada)" "$(pass_of citra)" "$(pass_of oki)" "$(pass_of ani)" "$(pass_of aud)" \
		citra-Keliru-2024 tamu-Rahasia-6161 oki-Baru-Rahasia-5252 ada-Keliru-9999; do
		if grep -nF -- "$p" "$VAULT/audit.log"; then
			echo "passphrase '$p' is in the audit log"
			return 1
		fi
	done
	run as aud audit show
	[ "$status" -eq 0 ]
	[[ "$output" != *Rahasia* ]]
	[[ "$output" != *Keliru* ]]
}
