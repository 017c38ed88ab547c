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
/* monev_scope_whole: every kecamatan and desa of regions (the fuzz target of monev_plan). */
bk_status monev_scope_whole(const struct bk_regions *regions, struct monev_scope *sc) BK_MUST_CHECK;
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
/* The same over the dates from (inclusive) to before (exclusive), each
 * "YYYY-MM-DD" or NULL for no bound; _in: in one file, as monev_prepare_scan_in. */
bk_status monev_prepare_scan_in_between(struct bk_vault *v, const char *file, const char *cols, const char *table,
					const char *from, const char *before, const char *date_col,
					const struct monev_scope *sc, const char *tail, sqlite3_stmt **st_p) BK_MUST_CHECK;
bk_status monev_prepare_scan_between(struct bk_vault *v, const char *cols, const char *table, const char *from,
				     const char *before, const char *date_col, const struct monev_scope *sc,
				     const char *tail, sqlite3_stmt **st_p) BK_MUST_CHECK;

/* monev_scan_pemanfaatan prepares the one pass over pemanfaatan that the
 * usage reports make, its columns in this order: kecamatan, kode_inovasi,
 * tanggal, kanal, desa, and the NIK's blind index value (NULL when the
 * schema has none, or the row is not indexed yet); over a year (year set)
 * or from/before as monev_prepare_scan_between. */
enum { MONEV_USE_KECAMATAN, MONEV_USE_KODE, MONEV_USE_TANGGAL, MONEV_USE_KANAL, MONEV_USE_DESA, MONEV_USE_BI };
bk_status monev_scan_pemanfaatan(struct bk_vault *v, const struct monev_scope *sc, int year, const char *from,
				 const char *before, sqlite3_stmt **st_p) BK_MUST_CHECK;

/* The innovation of a row by its code, remembering the last one: a scan
 * meets the rows of one innovation in runs. add(ctx, kode, g_p) finds or
 * adds it when it is not the last one. */
struct monev_last_code {
	size_t g; /* MONEV_NONE: none yet */
	char key[208];
};
bk_status monev_code_index(struct monev_last_code *last, const char *kode,
			   bk_status (*add)(void *ctx, const char *kode, size_t *g_p), void *ctx,
			   size_t *g_p) BK_MUST_CHECK;

/* Writes the audit entry (action "report", counts only); only then may the
 * report leave. */
bk_status monev_audit_report(struct bk_vault *v, const char *dataset, const char *target,
			     uint64_t rows) BK_MUST_CHECK;

/* The start of every report from the vault: the options all reports take are
 * checked (a year 1900 to 9999 or 0, min_cell 1 to MONEV_MIN_CELL_MAX, which
 * is report.h's BK_REPORT_MIN_CELL_MAX), then the caller's scope is read into sc. */
#define MONEV_MIN_CELL_MAX 1000000
bk_status monev_report_begin(struct bk_vault *v, int year, uint64_t min_cell, struct monev_scope *sc) BK_MUST_CHECK;

/* Calls row(ctx, r) for each innovation of the registry (inovasi) with a
 * kode, in code order; every field but kode may be NULL (cakupan and
 * penerapan always, in a registry without those columns). Nothing when the
 * vault has no registry. */
struct monev_registry_row {
	const char *kode, *nama, *opd;
	const char *cakupan;   /* the planned area: region codes */
	const char *penerapan; /* tanggal_penerapan, YYYY-MM-DD */
};
typedef bk_status (*monev_registry_row_fn)(void *ctx, const struct monev_registry_row *r);
bk_status monev_read_registry(struct bk_vault *v, monev_registry_row_fn row, void *ctx) BK_MUST_CHECK;

/* monev_plan marks in plan (sc->ndesa bytes, zeroed) the desa of the scope
 * an innovation's cakupan names: region codes separated by anything but
 * digits and dots, each the kabupaten (all), a kecamatan (its desa) or a
 * desa; a region outside the scope adds none. Returns whether cakupan named
 * any code; *unknown_p counts the codes that are no region of the vault. */
int monev_plan(const struct bk_regions *regions, const struct monev_scope *sc, const char *cakupan,
	       unsigned char *plan, uint32_t *unknown_p);

#endif
