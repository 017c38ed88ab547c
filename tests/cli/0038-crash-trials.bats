#!/usr/bin/env bats
# crash trials, the fast subset: tests/crash/run (make check-crash runs 600
# over twelve commands) with 14 trials, two of each of seven commands (an
# import, an edit that moves a row between stores, a subject erase, an
# approve, a backup, a database key rotation and a kecamatan's with
# --reencrypt), each killed with SIGKILL at a random instant; every trial must
# leave the vault as before or as after its command, with a log that says
# which, and sound.

load helper

@test "14 crash trials: each command killed at a random instant leaves the vault as before or as after it" {
	# its work directory under the test's, which bats removes
	run env TRIALS=14 COMMANDS="import record-edit subject-erase request-approve backup key-rotate key-rotate-reencrypt" \
		TMPDIR="$BATS_TEST_TMPDIR" "$BATS_TEST_DIRNAME/../crash/run"
	[ "$status" -eq 0 ]
	[ "${lines[${#lines[@]} - 1]}" = "14 passed, 0 failed" ]
}
