/* driver.c - runs a fuzz entry point over files named on the command line
 * (the corpus), for builds without libFuzzer. */
#include <stdio.h>
#include <stdlib.h>

#include "base/fileio.h"
#include "crypto/secmem.h"
#include "tests/fuzz/fuzz.h"

/* weak: most targets set nothing up */
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

int main(int argc, char **argv)
{
	if (bk_crypto_init() != BK_OK)
		return 1;
	if (LLVMFuzzerInitialize && LLVMFuzzerInitialize(&argc, &argv) != 0)
		return 1;
	for (int i = 1; i < argc; i++) {
		uint8_t *data = NULL;
		size_t len = 0;

		if (bk_file_read(argv[i], 1 << 24, &data, &len) != BK_OK) {
			fprintf(stderr, "cannot read %s\n", argv[i]);
			return 1;
		}
		LLVMFuzzerTestOneInput(data, len);
		free(data);
	}
	printf("%d inputs ok\n", argc - 1);
	return 0;
}
