#!/usr/bin/env bats
# concurrency: commands of several clerks at once never look like tampering.

load helper

setup_file() {
	build_template
}

setup() {
	fresh_vault
}

@test "40 commands at once: none sees a rolled-back vault, the log verifies" {
	local i
	for i in $(seq 1 40); do
		(
			as ada status >/dev/null 2>"$BATS_TEST_TMPDIR/err.$i"
			echo $? >"$BATS_TEST_TMPDIR/rc.$i"
		) &
	done
	wait
	run bash -c "cat '$BATS_TEST_TMPDIR'/rc.* | sort | uniq -c"
	[ "$output" = "$(printf '%7d 0' 40)" ] || { cat "$BATS_TEST_TMPDIR"/err.*; return 1; }
	run as aud audit verify
	[ "$status" -eq 0 ]
}
