/* fuzz_regions.c - the region CSV parser (libcsv underneath). */
#include "tests/fuzz/fuzz.h"
#include "vault/core/regions.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bk_regions r;

	if (bk_regions_parse(&r, "fuzz", (const char *)data, size) == BK_OK) {
		if (r.count > 1)
			(void)bk_regions_suggest(&r, BK_REGION_KECAMATAN, r.items[r.count - 1].nama);
		bk_regions_release(&r);
	}
	return 0;
}
