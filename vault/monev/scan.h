/* scan.h - what the reports of the monev room read from the vault, and how
 * (internal to vault/monev): the user's scope of kecamatan and desa, access
 * checks per kecamatan before and after reading, one prepared scan over a
 * dataset's rows (a year or a date range, the scope's kecamatan), the
 * innovation registry, distinct people from the NIK blind index, a string
 * map, and the audit entry that must be written before a report leaves. */
#ifndef BK_MONEV_SCAN_H
#define BK_MONEV_SCAN_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "vault/core/fields.h"
#include "vault/core/regions.h"
#include "vault/schema/dataset.h"

struct bk_vault;

#define MONEV_NONE ((size_t)-1)

/* A string -> index map (open addressing) for innovation codes and OPDs.
 * get: MONEV_NONE when absent; put: the first value of a key stays. */
struct monev_strmap {
	char **keys;
	size_t *vals;
	size_t cap; /* a power of two */
	size_t n;
};
size_t monev_strmap_get(const struct monev_strmap *m, const char *key);
bk_status monev_strmap_put(struct monev_strmap *m, const char *key, size_t val) BK_MUST_CHECK;
void monev_strmap_free(struct monev_strmap *m);

/* Distinct people from the NIK blind index: the index keeps 20 bits, so
 * distinct people share a value now and then; linear counting
 * (-m ln(1 - B/m), m = 2^20 values, B of them seen) corrects for it.
 * A bitmap is MONEV_BITMAP_WORDS words; monev_distinct corrects a count
 * of distinct index values however it was made. */
#define MONEV_BLIND_VALUES ((size_t)1 << BK_BLIND_INDEX_BITS)
#define MONEV_BITMAP_WORDS (MONEV_BLIND_VALUES / 64)
void monev_bitmap_set(uint64_t *bits, int64_t value);
uint64_t monev_bitmap_distinct(const uint64_t *bits);
uint64_t monev_distinct(uint64_t seen);

/* The kecamatan and desa a user may report on, sorted by code. */
struct monev_scope {
	const struct bk_region **kec;
	size_t nkec;
	const struct bk_region **desa;
	size_t ndesa;
	int limited; /* read only rows of these kecamatan */
};
bk_status monev_scope_init(struct bk_vault *v, struct monev_scope *sc) BK_MUST_CHECK;
void monev_scope_release(struct monev_scope *sc);

/* Index of code in list (sorted by code), trying *last first; MONEV_NONE if absent. */
size_t monev_region_index(const struct bk_region *const *list, size_t n, const char *code, size_t *last);

/* BK_ACT_REPORT for every kecamatan of the scope (the whole kabupaten: none
 * named), before anything is read; a denial is audited by bk_vault_require.
 * monev_require_seen: again for every kecamatan whose rows were read
 * (seen[k] set). */
bk_status monev_require_scope(struct bk_vault *v, const char *dataset, const struct monev_scope *sc) BK_MUST_CHECK;
bk_status monev_require_seen(struct bk_vault *v, const char *dataset, const struct monev_scope *sc,
			     const unsigned char *seen) BK_MUST_CHECK;

/* A row whose kecamatan is not one of the vault's regions cannot be placed
 * in a scope: the data does not match the region file (BK_ERR_CORRUPT). */
bk_status monev_unplaced_row(const char *dataset, const char *kecamatan) BK_MUST_CHECK;

/* monev_need_dataset loads a dataset's schema and checks that the columns
 * (NULL-terminated) are there and plain; monev_have_dataset: whether a
 * dataset is registered (the reports use warga and inovasi when present). */
bk_status monev_need_dataset(struct bk_vault *v, const char *name, const char *const *cols,
			     struct bk_dataset *ds) BK_MUST_CHECK;
bk_status monev_have_dataset(struct bk_vault *v, const char *name, int *have_p) BK_MUST_CHECK;

/* Prepares "SELECT cols FROM [file.]ds_NAME WHERE 1 [year] [scope] [tail]",
 * binding the year's bounds and the scope's kecamatan codes; without a file,
 * over the view of every file the user's keys reach (stores.h). */
bk_status monev_prepare_scan_in(struct bk_vault *v, const char *file, const char *cols, const char *table, int year,
				const char *date_col, const struct monev_scope *sc, const char *tail,
				sqlite3_stmt **st_p) BK_MUST_CHECK;
bk_status monev_prepare_scan(struct bk_vault *v, const char *cols, const char *table, int year, const char *date_col,
			     const struct monev_scope *sc, const char *tail, sqlite3_stmt **st_p) BK_MUST_CHECK;

/* Writes the audit entry (action "report", counts only); only then may the
 * report leave. */
bk_status monev_audit_report(struct bk_vault *v, const char *dataset, const char *target,
			     uint64_t rows) BK_MUST_CHECK;

/* The start of every report from the vault: the options all reports take are
 * checked (a year 1900 to 9999 or 0, min_cell 1 to MONEV_MIN_CELL_MAX, which
 * is report.h's BK_REPORT_MIN_CELL_MAX), then the caller's scope is read into sc. */
#define MONEV_MIN_CELL_MAX 1000000
bk_status monev_report_begin(struct bk_vault *v, int year, uint64_t min_cell, struct monev_scope *sc) BK_MUST_CHECK;

/* Calls row(ctx, kode, nama, opd, cakupan) for each innovation of the
 * registry (inovasi) with a kode, in code order; nama, opd and cakupan (a
 * registry without that column: always) may be NULL. Nothing when the vault
 * has no registry. */
typedef bk_status (*monev_registry_row_fn)(void *ctx, const char *kode, const char *nama, const char *opd,
					   const char *cakupan);
bk_status monev_read_registry(struct bk_vault *v, monev_registry_row_fn row, void *ctx) BK_MUST_CHECK;

#endif
