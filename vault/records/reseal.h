/* reseal.h - `key rotate --reencrypt`: every sealed value of a kecamatan's
 * store sealed again under a fresh data key, after `key rotate --region`
 * gave the kecamatan a new key pair (vault/keep/rotate.h).
 *
 * The rotation leaves vault.db's meta "reseal:<kecamatan>" (the key pair the
 * values go to) as the list of what is left to do. Per dataset, a new batch
 * (a random data key sealed to the kecamatan's current pair) is made and
 * named in meta "reseal:<kecamatan>:<dataset>"; then, in transactions of a
 * few thousand rows each (audited "reseal" with the count), every row of the
 * store whose batch is older than that one is opened and sealed again under
 * it. Rows written meanwhile come in newer batches and are left alone, so the
 * vault stays usable. The last chunk drops the older batches no row, and no
 * inbox entry of the dataset, refers to any more, and the dataset's marker;
 * the kecamatan's marker goes last. A kill loses at most the chunk under
 * way, and running it again continues from the rows still older. */
#ifndef BK_RESEAL_H
#define BK_RESEAL_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

struct bk_vault;

struct bk_reseal_opts {
	size_t chunk_rows; /* rows per transaction; 0: 2000 */
	/* after each chunk: the kecamatan, and rows sealed again of its rows to do */
	void (*progress)(void *ctx, const char *kecamatan, uint64_t done, uint64_t total);
	void *ctx;
};

struct bk_reseal_result {
	size_t kecamatan;      /* kecamatan finished */
	uint64_t rows;         /* rows sealed again */
	uint64_t batches_gone; /* older batches dropped, their data keys with them */
};

/* bk_vault_reseal does the work the markers name for the n kecamatan codes
 * given (NULL, 0: every kecamatan with a marker), as an admin. */
bk_status bk_vault_reseal(struct bk_vault *v, const char *const *kecamatan, size_t n, const struct bk_reseal_opts *o,
			  struct bk_reseal_result *res) BK_MUST_CHECK;

/* bk_vault_reseal_pending: whether the marker of any kecamatan is left. */
bk_status bk_vault_reseal_pending(struct bk_vault *v, int *pending_p) BK_MUST_CHECK;

#endif
