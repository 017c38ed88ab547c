/* import.h - validated, all-or-nothing CSV import into a dataset.
 *
 * The file is read in chunks through libcsv (UTF-8 with or without BOM, CRLF,
 * ',' or ';' detected from the header, quoted fields with newlines). Columns
 * are matched by header name. Every cell is validated (vault/schema/validate.h); each
 * problem is reported as "FILE:LINE:COLUMN: reason" without the value. One bad
 * row and nothing is imported: the rows are written inside one transaction
 * that commits only when the whole file was clean. Identifier and secret
 * values are sealed per row (vault/core/fields.h) under a data key per kecamatan
 * for this import (a batch). */
#ifndef BK_IMPORT_H
#define BK_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

struct bk_vault;

struct bk_import_opts {
	const char *dataset;
	const char *path;
	int dry_run;                      /* validate only */
	int from_stdin;                   /* read standard input; path names it in messages */
	uint64_t max_rows;                /* 0: any number; `record add` takes exactly one */
	size_t max_messages;              /* problems printed at most (all are counted) */
	void (*problem)(void *ctx, const char *msg); /* "FILE:LINE:COLUMN: reason" */
	void (*progress)(void *ctx, uint64_t done, uint64_t total);
	void *ctx;
};

struct bk_import_result {
	uint64_t rows;         /* imported (or valid, for a dry run) */
	uint64_t problems;     /* invalid cells and rows */
	uint64_t out_of_scope; /* rows refused by the user's scope */
	uint64_t batches;      /* data keys made (one per kecamatan) */
	uint64_t linked;       /* rows linked to a registered subject */
};

/* bk_vault_import returns BK_OK, BK_ERR_FORMAT when the file has problems
 * (nothing imported), BK_ERR_DENIED when rows lie outside the user's scope
 * (nothing imported; audited), or another error. */
bk_status bk_vault_import(struct bk_vault *v, const struct bk_import_opts *opts,
			  struct bk_import_result *result) BK_MUST_CHECK;

#endif
