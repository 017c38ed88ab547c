/* fuzz_cakupan.c - an innovation's planned area (the registry's cakupan), as
 * the coverage and adoption reports read it against the built-in regions. */
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz.h"
#include "vault/core/regions.h"
#include "vault/monev/scan.h"

static struct bk_regions regions;
static struct monev_scope scope;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (bk_regions_builtin(&regions) != BK_OK || monev_scope_whole(&regions, &scope) != BK_OK)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	unsigned char *plan = calloc(scope.ndesa + 1, 1);
	uint32_t unknown = 0;

	if (text && plan) {
		memcpy(text, data, size);
		text[size] = '\0'; /* a cell, as SQLite gives it: text up to its first NUL */
		(void)monev_plan(&regions, &scope, text, plan, &unknown);
	}
	free(text);
	free(plan);
	return 0;
}
