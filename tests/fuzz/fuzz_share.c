/* fuzz_share.c - a recovery share file as `recovery combine` reads it: the
 * code after "code:" in hex groups, its checksum and numbers. A share that
 * is taken has a number from 1 to N, a threshold from 2 to N, and N at most
 * BK_SHAMIR_MAX; a refusal leaves nothing of the input behind. */
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz.h"
#include "vault/keep/recovery.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bk_recovery_share s;

	if (bk_recovery_share_parse((const char *)data, size, "share.txt", &s) == BK_OK) {
		if (s.x < 1 || s.x > s.n || s.k < 2 || s.k > s.n || s.n > BK_SHAMIR_MAX)
			abort();
	} else {
		static const struct bk_recovery_share zero;

		if (memcmp(&s, &zero, sizeof(s)) != 0)
			abort();
	}
	return 0;
}
