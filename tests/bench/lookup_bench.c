/* lookup_bench.c - NIK lookups through the blind index (compute the index,
 * read the candidates, open them, compare) in one process, against point
 * lookups on an indexed NIK column of a plain SQLite copy of the same rows.
 *
 *   lookup_bench VAULT USER PLAIN.db NIKS.txt   (passphrase on stdin)
 *
 * A benchmark is not a test: nothing fails on a slow figure. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/secmem.h"
#include "vault/records/subjects.h"
#include "vault/core/vault.h"

#define MAX_NIKS 200000

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static char niks[MAX_NIKS][17];
	char pass[256];
	size_t n = 0, found = 0;
	struct bk_vault *v = NULL;
	sqlite3 *plain = NULL;
	sqlite3_stmt *st = NULL;
	FILE *f;
	double t0, t_plain, t_vault;

	if (argc != 5 || bk_crypto_init() != BK_OK) {
		fprintf(stderr, "usage: lookup_bench VAULT USER PLAIN.db NIKS.txt < passphrase\n");
		return 2;
	}
	if (!fgets(pass, sizeof(pass), stdin))
		return 2;
	pass[strcspn(pass, "\n")] = '\0';
	f = fopen(argv[4], "r");
	while (f && n < MAX_NIKS && fscanf(f, "%16s", niks[n]) == 1)
		n++;
	if (f)
		fclose(f);
	if (n == 0 || sqlite3_open_v2(argv[3], &plain, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(plain, "SELECT rowid, nama FROM warga WHERE nik = ?", -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "lookup_bench: cannot read the NIKs or the plain copy\n");
		return 1;
	}
	t0 = now();
	for (size_t i = 0; i < n; i++) {
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, niks[i], 16, SQLITE_STATIC);
		while (sqlite3_step(st) == SQLITE_ROW)
			found++;
	}
	t_plain = now() - t0;
	sqlite3_finalize(st);
	sqlite3_close(plain);
	if (bk_vault_open(argv[1], argv[2], pass, strlen(pass), "bench", &v) != BK_OK) {
		fprintf(stderr, "lookup_bench: %s\n", bk_error_detail());
		return 1;
	}
	bk_wipe(pass, sizeof(pass));
	found = 0;
	t0 = now();
	/* one read transaction for the batch, as a command looking up many NIKs holds it */
	if (bk_vault_read_begin(v) != BK_OK) {
		fprintf(stderr, "lookup_bench: %s\n", bk_error_detail());
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		struct bk_subject_result r;

		if (bk_vault_subject_count(v, niks[i], &r) != BK_OK) {
			fprintf(stderr, "lookup_bench: %s\n", bk_error_detail());
			return 1;
		}
		found += r.rows;
	}
	bk_vault_read_end(v);
	t_vault = now() - t0;
	bk_vault_close(v);
	printf("baseline: plain SQLite point lookups on an indexed nik column: %.0f lookups/s\n", (double)n / t_plain);
	printf("brankas NIK lookups (blind index, open candidates, compare): %.0f lookups/s, %.2f x the baseline "
	       "(%zu of %zu found)\n",
	       (double)n / t_vault, t_plain / t_vault, found, n);
	return 0;
}
