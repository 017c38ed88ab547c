#!/usr/bin/env bats
# 0050-identity.bats - evaluators' identity files (`identity new|show`) and
# adding an evaluator by public id.

load helper

setup_file() {
	build_template
}

setup() {
	fresh_vault
}

new_identity() {
	bk identity new -o "$1" --kdf interactive --passphrase-fd 0 <<<"${2:-evaluator-Rahasia-1212}"
}

# new_identity_id FILE: new_identity FILE succeeds; id is what it printed on stdout.
new_identity_id() {
	run --separate-stderr new_identity "$1"
	[ "$status" -eq 0 ]
	id=$output
}

@test "identity new prints an age1 id and writes a 0600 file" {
	run --separate-stderr new_identity eve.id
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" =~ ^age1[023456789acdefghjklmnpqrstuvwxyz]{58}$ ]]
	[[ "$stderr" == *"identity written to 'eve.id'"* ]]
	[ -f eve.id ]
	[ "$(stat -c %a eve.id)" = 600 ]
	[ "$(jq -r .public eve.id)" = "$output" ]
	# the secret is sealed under the passphrase, not stored
	run ! grep -qF evaluator-Rahasia-1212 eve.id
	[ "$(jq -r '.format, .version' eve.id | tr '\n' ' ')" = "brankas-identity 1 " ]
}

@test "two identities have different ids" {
	run new_identity one.id
	[ "$status" -eq 0 ]
	one=$output
	run new_identity two.id
	[ "$status" -eq 0 ]
	[ "$output" != "$one" ]
}

@test "identity new refuses to overwrite a file or follow a symlink" {
	run new_identity eve.id
	[ "$status" -eq 0 ]
	sum=$(sha256sum <eve.id)
	run new_identity eve.id
	[ "$status" -eq 1 ]
	has "'eve.id' already exists: it is not replaced"
	[ "$(sha256sum <eve.id)" = "$sum" ]

	echo keep >notes.txt
	run new_identity notes.txt
	[ "$status" -eq 1 ]
	[ "$(cat notes.txt)" = keep ]

	ln -s target.id link.id
	run new_identity link.id
	[ "$status" -eq 1 ]
	[ ! -e target.id ]
}

@test "identity new refuses a short passphrase and writes nothing" {
	run new_identity eve.id short
	[ "$status" -eq 2 ]
	has "at least 8 characters"
	[ ! -e eve.id ]
	run bk identity new --kdf interactive --passphrase-fd 0 <<<"evaluator-Rahasia-1212"
	[ "$status" -eq 2 ]
	has "-o FILE is required"
}

@test "identity show prints the same id, without a passphrase" {
	new_identity_id eve.id
	run bk identity show eve.id </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$id" ]
	run bk identity show "$EVA_IDENTITY" </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "$EVA_ID" ]
}

@test "a malformed identity file is an error naming the file" {
	new_identity good.id >/dev/null 2>&1
	echo garbage >garbage.id
	echo '{"format":"something-else","version":1}' >other.id
	: >empty.id
	sed 's/"public": *"age1\(.\)/"public": "age1q\1/' good.id >badid.id
	run ! cmp -s good.id badid.id
	jq -c '.version = 99' good.id >version.id
	jq -c 'del(.ct)' good.id >noct.id
	for f in garbage.id other.id empty.id badid.id version.id noct.id; do
		run bk identity show "$f"
		[ "$status" -ne 0 ] || { echo "$f: exit 0"; return 1; }
		[ "$status" -ne 2 ] || { echo "$f: a bad file is not a usage error"; return 1; }
		[[ "$output" == "brankas: error: $f"* || "$output" == *"'$f'"* ]] || { echo "$f: $output"; return 1; }
	done
	run bk identity show missing.id
	[ "$status" -eq 1 ]
	has "'missing.id'"
	run bk identity show
	[ "$status" -eq 2 ]
	has "no identity file given"
}

@test "an evaluator added with an identity's id appears in user list" {
	new_identity_id eve.id
	run as ada user add eve --role evaluator --pubkey "$id"
	[ "$status" -eq 0 ]
	has "added evaluator 'eve'"
	audit_last | jq -e '.actor == "ada" and .action == "user-add" and .target == "eve" and .outcome == "ok"'

	run as ada user list
	[ "$status" -eq 0 ]
	[ "$(awk '$1 == "eve" { print $2, $3, $NF }' <<<"$output")" = "evaluator active -" ]
	run as ada user list --format json
	[ "$(jq '[.[] | select(.role == "evaluator")] | length' <<<"$output")" -eq 2 ]
	# and, being an evaluator, eve cannot unlock
	run bk -C "$VAULT" -u eve --passphrase-fd 0 status <<<"evaluator-Rahasia-1212"
	[ "$status" -eq 4 ]
}

@test "user add --role evaluator with a bad or missing --pubkey is a usage error" {
	keyring=$(sha256sum <"$VAULT/keyring")
	last=q
	[ "${EVA_ID: -1}" != q ] || last=p
	# not bech32, no data, a broken checksum, too long, the wrong prefix, cut short
	for bad in garbage age1 "${EVA_ID%?}$last" "${EVA_ID}q" "${EVA_ID/age1/agf1}" "${EVA_ID:0:40}"; do
		run as ada user add mallory --role evaluator --pubkey "$bad"
		[ "$status" -eq 2 ] || { echo "--pubkey '$bad': exit $status"; return 1; }
		has "--pubkey is not an evaluator's public id"
	done
	run as ada user add mallory --role evaluator
	[ "$status" -eq 2 ]
	has "an evaluator needs --pubkey"
	run as ada user add mallory --role evaluator --pubkey "$EVA_ID" --scope Kanigoro
	[ "$status" -eq 2 ]
	has "role 'evaluator' takes no --scope"
	[ "$(sha256sum <"$VAULT/keyring")" = "$keyring" ]
	run as ada user list
	[[ "$output" != *mallory* ]]
}
