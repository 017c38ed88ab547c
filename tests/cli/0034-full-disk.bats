#!/usr/bin/env bats
# a real full disk, not an injected ENOSPC: the vault on a small tmpfs (root
# mounts it; elsewhere the test is skipped, saying why), filled to several
# levels of free space before an import that needs more. The import ends with
# all its rows or none and a message, never a signal or exit 3; once the
# space is freed the vault passes check, its log claims the import exactly
# when the rows are there, and the import (again) goes through.

load helper

setup_file() {
	build_template
}

setup() {
	[ "$(id -u)" = 0 ] || skip "mounting a tmpfs needs root"
	MNT="$BATS_TEST_TMPDIR/mnt"
	mkdir -p "$MNT"
	mount -t tmpfs -o size=16m tmpfs "$MNT" 2>/dev/null || skip "this machine does not let root mount a tmpfs"
	export VAULT="$MNT/vault"
	cp -a "$TEMPLATE" "$VAULT"
	cd "$BATS_TEST_TMPDIR" || return 1
}

teardown() {
	cd / || return 1
	if [ -n "${MNT:-}" ] && mountpoint -q "$MNT"; then
		umount "$MNT"
	fi
}

# fill_to KB: a filler file leaves about KB kibibytes free on the tmpfs
fill_to() {
	local avail
	rm -f "$MNT/filler"
	avail=$(df --output=avail -k "$MNT" | tail -n 1)
	[ "$avail" -gt "$1" ] || return 0
	fallocate -l "$((avail - $1))k" "$MNT/filler"
}

warga_rows() {
	as ada query --format csv "SELECT count(*) FROM warga" | tail -n 1 | tr -d '\r'
}

@test "an import on a really full disk, at five levels of free space: all its rows or none, and the vault works once space is freed" {
	local kb failures=0 rows claims
	{ echo "$HEADER"; people 0 3000; } >big.csv
	cp -a "$VAULT" start
	FAULT_ACTION=import
	for kb in 0 16 128 512 1024; do
		rm -rf "$VAULT"
		cp -a start "$VAULT"
		FAULT_SEQ=$(tail -n 1 "$VAULT/audit.log" | jq .seq)
		fill_to "$kb"
		run as ada import warga big.csv
		rm -f "$MNT/filler"
		[ "$status" -lt 128 ] && [ "$status" -ne 3 ] || { echo "$kb KiB free: exit $status: $output"; return 1; }
		rows=$(warga_rows)
		claims=$(log_claims)
		if [ "$status" -eq 0 ]; then
			[ "$rows" = 3000 ] && [ "$claims" = 1 ] || { echo "$kb KiB free: exit 0, $rows rows, $claims claims"; return 1; }
			continue
		fi
		failures=$((failures + 1))
		[[ "$output" == *"brankas: "* ]] || { echo "$kb KiB free: exit $status without a message: $output"; return 1; }
		[ "$rows" = 0 ] && [ "$claims" = 0 ] || { echo "$kb KiB free: failed, yet $rows rows and $claims claims"; return 1; }
		run as ada check
		[ "$status" -eq 0 ] || { echo "$kb KiB free, then freed: check: $output"; return 1; }
		run as ada import warga big.csv
		[ "$status" -eq 0 ] || { echo "$kb KiB free, then freed: the import again: $output"; return 1; }
		[ "$(warga_rows)" = 3000 ] || { echo "$kb KiB free, then freed: $(warga_rows) rows"; return 1; }
	done
	# the import needs more than the smallest levels leave
	[ "$failures" -ge 3 ]
}
