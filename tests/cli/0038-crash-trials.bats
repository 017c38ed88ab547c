#!/usr/bin/env bats
# crash trials, the fast subset: tests/crash/run (make check-crash runs 600
# over twelve commands) with 12 trials, two of each of six commands (an
# import, an edit that moves a row between stores, a subject erase, an
# approve, a database key rotation and a kecamatan's with --reencrypt), each
# killed with SIGKILL at a random instant; every trial must leave the vault as
# before or as after its command, with a log that says which, and sound.

load helper

@test "12 crash trials: each command killed at a random instant leaves the vault as before or as after it" {
	# its work directory under the test's, which bats removes
	run env TRIALS=12 COMMANDS="import record-edit subject-erase request-approve key-rotate key-rotate-reencrypt" \
		TMPDIR="$BATS_TEST_TMPDIR" "$BATS_TEST_DIRNAME/../crash/run"
	[ "$status" -eq 0 ]
	[ "${lines[${#lines[@]} - 1]}" = "12 passed, 0 failed" ]
}
