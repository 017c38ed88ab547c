#!/usr/bin/env bats
# 0020-roles.bats - unlocking per user, failed and denied unlocks in the audit
# log, the role table's denials (exit 4, audited), and user administration.

load helper

setup_file() {
	build_template
}

setup() {
	fresh_vault
}

VAULT_USERS="ada:admin citra:custodian oki:operator ani:analyst aud:auditor"

@test "each of the five vault roles unlocks with its own passphrase" {
	for spec in $VAULT_USERS; do
		user=${spec%%:*} role=${spec#*:}
		n=$(audit_count)
		run as "$user" status
		[ "$status" -eq 0 ] || { echo "$user: exit $status"; return 1; }
		has "integrity      ok"
		[ "$(audit_count)" -eq $((n + 1)) ]
		[ "$(audit_last | jq -r '[.actor, .role, .action, .outcome] | join(" ")')" = "$user $role status ok" ]
	done
}

@test "global options work after the command too" {
	run bk status -C "$VAULT" -u ani --passphrase-fd 0 <<<"$(pass_of ani)"
	[ "$status" -eq 0 ]
	has "vault id"
}

@test "one user's passphrase does not unlock another user" {
	# each user with the next one's passphrase, round the circle
	local users=(ada citra oki ani aud)
	for i in "${!users[@]}"; do
		user=${users[$i]} other=${users[$(((i + 1) % ${#users[@]}))]}
		run bk -C "$VAULT" -u "$user" --passphrase-fd 0 status <<<"$(pass_of "$other")"
		[ "$status" -eq 3 ] || { echo "$user with $other's passphrase: exit $status"; return 1; }
		has "wrong passphrase for user '$user'"
	done
}

@test "a wrong passphrase exits 3 and logs an unsigned failed unlock for the claimed user" {
	n=$(audit_count)
	prev=$(audit_last | jq -r .hash)
	run bk -C "$VAULT" -u citra --passphrase-fd 0 status <<<"Salah-Tebak-5150"
	[ "$status" -eq 3 ]
	has "wrong passphrase for user 'citra'"
	[[ "$output" != *"Salah-Tebak-5150"* ]]
	[ "$(audit_count)" -eq $((n + 1)) ]
	audit_last | jq -e --arg prev "$prev" \
		'.actor == "citra" and .role == "custodian" and .action == "unlock" and .outcome == "failed"
		 and .command == "status" and .prev == $prev and (has("sig") | not)'
	run ! grep -qF "Salah-Tebak-5150" "$VAULT/audit.log"
	# the log stays valid: failed unlocks are part of the chain
	run as aud audit verify
	[ "$status" -eq 0 ]
	has "after the last signature"
}

@test "an evaluator cannot unlock the vault (exit 4, audited as denied)" {
	n=$(audit_count)
	run as eva status
	[ "$status" -eq 4 ]
	has "user 'eva' is an evaluator"
	has "cannot unlock the vault"
	[ "$(audit_count)" -eq $((n + 1)) ]
	audit_last | jq -e '.actor == "eva" and .role == "evaluator" and .action == "unlock" and .outcome == "denied"'
}

@test "an unknown user exits 3" {
	run as nobody status
	[ "$status" -eq 3 ]
	has "no user 'nobody' in this vault"
	run bk -C "$VAULT" -u Nobody --passphrase-fd 0 status <<<"$(pass_of ada)"
	[ "$status" -eq 2 ]
	has "invalid user name"
}

@test "an unlock attempt for an unknown user is audited as failed" {
	n=$(audit_count)
	run as nobody status
	[ "$status" -eq 3 ]
	[ "$(audit_count)" -eq $((n + 1)) ]
	audit_last | jq -e '.actor == "nobody" and .action == "unlock" and .outcome == "failed" and (has("sig") | not)'
}

@test "denied actions exit 4 and leave a signed 'denied' entry" {
	local cases=(
		"oki|user-admin|role 'operator' may not user-admin|user add mallory --role admin"
		"ani|audit-read|role 'analyst' may not audit-read|audit show"
		"citra|user-admin|role 'custodian' may not user-admin|user list"
		"aud|user-admin|role 'auditor' may not user-admin|user add mallory --role analyst"
		"oki|check|role 'operator' may not check|check"
		"ani|audit-verify|role 'analyst' may not audit-verify|audit verify"
		"citra|audit-checkpoint|role 'custodian' may not audit-checkpoint|audit head -o cp.json"
		"aud|user-admin|role 'auditor' may not user-admin|user disable oki"
	)
	for c in "${cases[@]}"; do
		IFS='|' read -r user action message cmd <<<"$c"
		read -ra args <<<"$cmd"
		n=$(audit_count)
		keyring=$(sha256sum <"$VAULT/keyring")
		run as "$user" "${args[@]}" </dev/null
		[ "$status" -eq 4 ] || { echo "$user $cmd: exit $status"; return 1; }
		has "$message"
		[ "$(audit_count)" -eq $((n + 1)) ] || { echo "$user $cmd: not audited"; return 1; }
		audit_last | jq -e --arg u "$user" --arg a "$action" \
			'.actor == $u and .action == $a and .outcome == "denied" and (.sig | length) > 0' || return 1
		[ "$(sha256sum <"$VAULT/keyring")" = "$keyring" ]
	done
	[ ! -e cp.json ]
	# nothing was done: no mallory, oki still active
	run as ada user list --format json
	[ "$status" -eq 0 ]
	[ "$(jq '[.[] | select(.name == "mallory")] | length' <<<"$output")" -eq 0 ]
	[ "$(jq '.[] | select(.name == "oki") | .disabled' <<<"$output")" = false ]
}

@test "admin user list shows all six users with their roles and scopes" {
	run as ada user list
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "${lines[@]:1}" | awk '{print $1, $2, $3, $NF}')" = "$(
		cat <<-'EOF'
			ada admin active all
			citra custodian active Kanigoro
			oki operator active Kanigoro
			ani analyst active all
			aud auditor active -
			eva evaluator active -
		EOF
	)" ]
	[ "$(audit_last | jq -r '.actor + " " + .action')" = "ada user-list" ]

	run as ada user list --format json
	[ "$status" -eq 0 ]
	[ "$(jq length <<<"$output")" -eq 6 ]
	[ "$(jq -r '.[] | select(.name == "citra") | .scope' <<<"$output")" = Kanigoro ]
}

@test "--scope with an unknown kecamatan exits 2, with a hint for a near miss" {
	keyring=$(sha256sum <"$VAULT/keyring")
	run as_new ada "baru-Rahasia-1234" user add baru --role operator --scope Kanigor --kdf interactive
	[ "$status" -eq 2 ]
	has "no kecamatan 'Kanigor' in Kabupaten Blitar"
	has "hint: did you mean 'Kanigoro'?"

	run as_new ada "baru-Rahasia-1234" user add baru --role operator --scope Kanigoro,Atlantis --kdf interactive
	[ "$status" -eq 2 ]
	has "no kecamatan 'Atlantis'"
	[[ "$output" != *"did you mean"* ]]

	run as_new ada "baru-Rahasia-1234" user add baru --role auditor --scope Kanigoro --kdf interactive
	[ "$status" -eq 2 ]
	has "role 'auditor' takes no --scope"

	[ "$(sha256sum <"$VAULT/keyring")" = "$keyring" ]
	run as ada user list
	[[ "$output" != *baru* ]]
}

@test "--scope takes kecamatan codes and names, case-insensitively" {
	run as_new ada "baru-Rahasia-1234" user add baru --role analyst --scope 35.05.10,wonodadi --kdf interactive
	[ "$status" -eq 0 ]
	has "added analyst 'baru'"
	run as ada user list --format json
	[ "$(jq -r '.[] | select(.name == "baru") | .scope' <<<"$output")" = "Kanigoro,Wonodadi" ]
	run bk -C "$VAULT" -u baru --passphrase-fd 0 status <<<"baru-Rahasia-1234"
	[ "$status" -eq 0 ]
}

@test "a disabled user can no longer unlock (exit 4)" {
	run as oki status
	[ "$status" -eq 0 ]
	run as ada user disable oki
	[ "$status" -eq 0 ]
	has "disabled 'oki'"
	# what an old keyring copy still opens for oki is said, and the rotations that retire it
	has "still opens what these keys open: db:v1, audit:v1"
	has "retire them with 'brankas key rotate OPTION', one at a time: --db --audit"
	[[ "$output" != *"do not rotate yet"* ]]
	audit_last | jq -e '.actor == "ada" and .action == "user-disable" and .target == "oki" and .outcome == "ok"'
	# a custodian held the release key and kecamatan keys too
	run as ada user disable citra
	[ "$status" -eq 0 ]
	has "one at a time: --db --audit --signing"
	has "--region KECAMATAN"
	[[ "$output" != *"do not rotate yet"* ]]

	n=$(audit_count)
	run as oki status
	[ "$status" -eq 4 ]
	has "user 'oki' is disabled"
	[ "$(audit_count)" -eq $((n + 1)) ]
	audit_last | jq -e '.actor == "oki" and .action == "unlock" and .outcome == "denied"'

	run as ada user list --format json
	[ "$(jq '.[] | select(.name == "oki") | .disabled' <<<"$output")" = true ]
	run as ada user disable oki
	[ "$status" -eq 1 ]
	has "already disabled"
	run as ada user disable nobody
	[ "$status" -eq 1 ]
	has "no user 'nobody'"
}

@test "the last admin cannot be disabled" {
	keyring=$(sha256sum <"$VAULT/keyring")
	run as ada user disable ada
	[ "$status" -eq 1 ]
	has "'ada' is the last admin and cannot be disabled"
	[ "$(sha256sum <"$VAULT/keyring")" = "$keyring" ]
	run as ada status
	[ "$status" -eq 0 ]

	# with a second admin, ada can go; then the second is the last one
	run as_new ada "adi-Rahasia-4455" user add adi --role admin --kdf interactive
	[ "$status" -eq 0 ]
	run as ada user disable ada
	[ "$status" -eq 0 ]
	run as ada status
	[ "$status" -eq 4 ]
	run bk -C "$VAULT" -u adi --passphrase-fd 0 user disable adi <<<"adi-Rahasia-4455"
	[ "$status" -eq 1 ]
	has "'adi' is the last admin"
}

@test "user passwd changes the passphrase: the old one fails, the new one works" {
	run as_new citra "citra-Baru-Rahasia-77" user passwd --kdf interactive
	[ "$status" -eq 0 ]
	has "passphrase of 'citra' changed"
	audit_last | jq -e '.actor == "citra" and .action == "passwd" and .outcome == "ok"'

	run as citra status
	[ "$status" -eq 3 ]
	has "wrong passphrase"
	run bk -C "$VAULT" -u citra --passphrase-fd 0 status <<<"citra-Baru-Rahasia-77"
	[ "$status" -eq 0 ]
	# the others are untouched
	run as oki status
	[ "$status" -eq 0 ]
	run as ada check
	[ "$status" -eq 0 ]
}

@test "user passwd refuses a short new passphrase and keeps the old one" {
	keyring=$(sha256sum <"$VAULT/keyring")
	run as_new ani "short" user passwd --kdf interactive
	[ "$status" -eq 2 ]
	has "at least 8 characters"
	[ "$(sha256sum <"$VAULT/keyring")" = "$keyring" ]
	run as ani status
	[ "$status" -eq 0 ]
}
