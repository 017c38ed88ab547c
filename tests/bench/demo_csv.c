/* demo_csv.c - writes the synthetic Blitar CSV files (demo/demo.h) for the
 * benchmarks: demo_csv DIR CITIZENS. */
#include <stdio.h>
#include <stdlib.h>

#include "crypto/secmem.h"
#include "demo/demo.h"

int main(int argc, char **argv)
{
	struct bk_demo_options o;
	struct bk_demo_counts counts;

	if (argc != 3) {
		fprintf(stderr, "usage: demo_csv DIR CITIZENS\n");
		return 2;
	}
	if (bk_crypto_init() != BK_OK)
		return 1;
	bk_demo_options_init(&o);
	o.citizens = (size_t)strtoull(argv[2], NULL, 10);
	if (bk_demo_write(argv[1], &o, &counts) != BK_OK) {
		fprintf(stderr, "demo_csv: %s\n", bk_error_detail());
		return 1;
	}
	printf("%zu\n", counts.rows[BK_DEMO_WARGA]);
	return 0;
}
