#!/usr/bin/env bats
# memory that runs out and writes cut short, the fast subset: tests/crash/run
# with FAULT (make check-crash tries every point of twelve commands). The
# fault shim (tests/tools/faultshim.c, by LD_PRELOAD) makes one allocation
# return NULL, or one write write only half its bytes, at points spread over a
# small import, a reveal, an audit head and a request approve. Each must fail
# with a message (never a signal, never exit 3) or finish, leave the vault as
# before or after it and sound, and a reveal print a name only when its audit
# entry is written.

load helper

setup() {
	# ASan owns malloc: its runtime must come first and would free our pointers
	if ldd "$BRANKAS" | grep -q libasan; then
		skip "the fault shim replaces malloc, which AddressSanitizer owns; make check runs it"
	fi
}

@test "an allocation that fails, or a write cut short, at points of an import, a reveal, an audit head and an approve" {
	# its work directory under the test's, which bats removes
	run env FAULT="malloc short" POINTS=2 COMMANDS="import reveal audit-head request-approve" \
		TMPDIR="$BATS_TEST_TMPDIR" "$BATS_TEST_DIRNAME/../crash/run"
	[ "$status" -eq 0 ]
	[ "${lines[${#lines[@]} - 1]}" = "16 passed, 0 failed" ]
}
