/* fuzz_request.c - the evaluator's request file parser (shape, fields, signature). */
#include "tests/fuzz/fuzz.h"
#include "vault/release/request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct bk_request r;

	bk_fuzz_discard(bk_request_parse(&r, "fuzz", (const char *)data, size));
	return 0;
}
