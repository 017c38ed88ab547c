/* fuzz_identity.c - the evaluator identity file parser (public part). */
#include "crypto/identity.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char id[BK_AGE_RECIPIENT_MAX];

	bk_fuzz_discard(bk_identity_public("fuzz", (const char *)data, size, id));
	return 0;
}
