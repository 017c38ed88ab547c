/* tables.h - aggregate tables for evaluators (DESIGN §10): a count, a mean
 * or the IKM of rows grouped by one to three columns, with small-cell
 * suppression and optional differential privacy. Pure: the integrator reads
 * the rows (generalized and labelled, inside the request's scope) and feeds
 * them in; this module counts, adds noise, suppresses and lays out; cli/
 * prints. Usage:
 *
 *     bk_table_new(&spec, &t);
 *     bk_table_declare(t, by, label) ...       (every label, for ε)
 *     bk_table_add(t, keys, values, nvalues) ... (one call per row)
 *     bk_table_finish(t, &opts);
 *     entries = bk_table_entries(t, &n);      (then bk_table_entry_text)
 *     bk_table_free(t);
 *
 * Shape. Labels sort bytewise and every combination of labels is a cell,
 * zeros included. One by-column: the cells and a grand total. Two: rows
 * (first column) × columns (second) with row totals, column totals and the
 * grand total. Three: rows are the pairs of the first two columns, columns
 * the third, with those margins only (no total over the third column by the
 * first alone, say); nothing else is released.
 *
 * Measures. count: the rows. mean: the mean of one integer per row. ikm /
 * ikm10: the IKM (PermenPANRB 14/2017) over u1-u9 / u1-u10, each row giving
 * every answer (1 to 4), computed by vault/monev/report.c; its figure is the
 * converted score (25.00-100.00) with its grade.
 *
 * Suppression (as vault/monev/report.h). Primary: a count 0 < n < min_cell, cell
 * or total. Complementary: bk_suppress_1d / bk_suppress_2d hide more until
 * no hidden count can be solved for from what is shown (no row, column or
 * margin with a single hidden entry unless the total is hidden too, no small
 * derivable sum, no chain of rows and columns). A hidden entry's measure is
 * not released either; a mean or IKM is shown only beside its count. Zeros
 * are shown: nobody to protect.
 *
 * Differential privacy (opts eps_num / eps_den > 0). Assumes each person
 * gives at most rows_per_person rows (1 unless set: one answer sheet, one
 * registration); the caller must make it true.
 *   - count: every cell's count gets discrete Laplace noise of scale k/ε
 *     (vault/release/dp.h; k = rows_per_person: a person moves the cells' counts by
 *     k in all), then is clamped at 0.
 *   - mean: ε is split in halves. The count gets noise of scale 2k/ε; the
 *     sum, centred as Σ (2v - lo - hi) so that one row moves it by at most
 *     hi - lo, noise of scale 2k(hi - lo)/ε. The mean is mid + noisy
 *     centred sum / (2 × noisy count), clamped to [lo, hi]. lo and hi must
 *     come from the schema or the request, never from the data.
 *   - ikm: a mean whose value is each row's total of answers (lo = nunsur,
 *     hi = 4 nunsur); the index is scored from it by bk_ikm_score_mean. Per-
 *     unsur NRRs are not released under ε.
 *   - Everything after the noise is post-processing of the noisy cells and
 *     costs no ε: totals are sums of the released (noisy, clamped) cells, so
 *     they add up, and, clamped, lean upward where many cells are near zero;
 *     suppression is decided on the noisy counts, so what is hidden tells
 *     nothing beyond what ε allows. Exact counts are wiped once noised.
 *   - The cells must be fixed before the data is seen: every by-column's
 *     labels are declared first. A label taken from the data would tell that
 *     somebody has it.
 *   A person is in k cells at most, so the whole table costs ε (parallel
 *   composition); the caller charges ε to the ledger (bk_dp_budget_fits)
 *   before releasing, whatever the table then shows.
 *
 * WARNING: suppression protects each table alone. Two tables of the same
 * people (counts and ikm, or two groupings) can be subtracted; without ε the
 * approver must weigh what was released before, with ε the ledger bounds it. */
#ifndef BK_TABLES_H
#define BK_TABLES_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "vault/release/dp.h"

#define BK_TABLE_BY_MAX 3
#define BK_TABLE_LABEL_MAX 255      /* bytes in a label */
#define BK_TABLE_CELLS_MAX 100000   /* combinations of labels */
#define BK_TABLE_ROWS_PER_PERSON_MAX 1000
#define BK_TABLE_TOTAL "Total"      /* the label text of a margin */
#define BK_TABLE_HIDDEN "x"         /* the text of a suppressed figure */
#define BK_TABLE_NONE "-"           /* the text of a figure that does not exist (a mean of nobody) */

enum bk_table_measure { BK_TABLE_COUNT, BK_TABLE_MEAN, BK_TABLE_IKM, BK_TABLE_IKM10, BK_TABLE_MEASURE_COUNT };

/* "count", "mean", "ikm", "ikm10". */
const char *bk_table_measure_name(enum bk_table_measure m);

/* bk_table_measure_parse reads --measure: "count", "ikm", "ikm10" or
 * "mean(COL)" with COL of letters, digits and '_', copied into col (set to
 * "" for the others; colcap >= 2). BK_ERR_USAGE with a hint otherwise. */
bk_status bk_table_measure_parse(const char *text, enum bk_table_measure *m_p, char *col, size_t colcap) BK_MUST_CHECK;

struct bk_table_spec {
	size_t nby;                     /* by-columns: 1 … BK_TABLE_BY_MAX */
	enum bk_table_measure measure;
	int bounded;                    /* mean: values are clamped into [lo, hi]; required with ε */
	int64_t lo, hi;                 /* from the schema or the request, never from the data */
};

struct bk_table;

/* bk_table_new makes an empty table; *t_p is freed with bk_table_free.
 * BK_ERR_USAGE for a bad spec (nby, measure, lo > hi), BK_ERR_NOMEM. */
bk_status bk_table_new(const struct bk_table_spec *spec, struct bk_table **t_p) BK_MUST_CHECK;

/* bk_table_declare adds a label to by-column `by` (0-based) before any row:
 * once a column has declared labels, its cells are exactly those (empty
 * ones included) and a row with another label is refused. Declaring a label
 * twice is harmless. Required for every column when ε is used. label: at
 * most BK_TABLE_LABEL_MAX bytes, no control characters; copied.
 * BK_ERR_USAGE for a bad label or column, BK_ERR_STATE once a row is in,
 * BK_ERR_NOMEM. */
bk_status bk_table_declare(struct bk_table *t, size_t by, const char *label) BK_MUST_CHECK;

/* bk_table_add counts one row: keys[nby] its labels (as bk_table_declare),
 * values its measure: none for count (values may be NULL, nvalues 0), one
 * for mean (clamped when bounded), 9 for ikm and 10 for ikm10, each 1 to 4.
 * BK_ERR_USAGE (the table is unchanged) for a wrong number of values, an
 * answer out of range, a label too long, with a control character, or not
 * declared; BK_ERR_STATE after finish; BK_ERR_NOMEM. Messages name the
 * column, never the label or the value. */
bk_status bk_table_add(struct bk_table *t, const char *const *keys, const int64_t *values,
		       size_t nvalues) BK_MUST_CHECK;

struct bk_table_opts {
	uint64_t min_cell;                /* 1 … BK_REPORT_MIN_CELL_MAX */
	uint64_t eps_num, eps_den;        /* ε; both 0: no noise */
	unsigned rows_per_person;         /* 0 means 1; up to BK_TABLE_ROWS_PER_PERSON_MAX */
	const struct bk_dp_random *rnd;   /* NULL: the OS random source */
};

/* bk_table_finish computes the table once every row is in: cells, noise
 * (with ε), suppression, totals and measures. BK_ERR_USAGE for bad options
 * (ε without every column declared, a mean without bounds, a range too wide
 * for noise at this ε, more than BK_TABLE_CELLS_MAX cells); a random
 * source's error passes through; BK_ERR_STATE when called twice. Fails
 * closed: on any error nothing is left to read (bk_table_entries gives
 * none). */
bk_status bk_table_finish(struct bk_table *t, const struct bk_table_opts *opts) BK_MUST_CHECK;

enum bk_table_kind { BK_TABLE_CELL, BK_TABLE_ROW_TOTAL, BK_TABLE_COL_TOTAL, BK_TABLE_GRAND_TOTAL };

/* One figure of the finished table. */
struct bk_table_entry {
	enum bk_table_kind kind;
	const char *key[BK_TABLE_BY_MAX]; /* labels (owned by the table); NULL where it totals over that
					     column, and beyond nby */
	int hidden;                       /* suppressed: count, value, mutu are wiped */
	int primary;                      /* hidden because 0 < count < min_cell */
	int complementary;                /* hidden to protect another */
	uint64_t count;                   /* rows (noisy under ε); 0 when hidden */
	int has_value;                    /* mean / ikm: shown and defined (count > 0) */
	int64_t value_e2;                 /* mean × 100 (rounded half away from zero);
					     ikm: converted score × 100 */
	uint32_t ikm_e4;                  /* ikm: the index × 10 000 */
	char mutu;                        /* ikm: 'A' … 'D' */
	const char *kinerja;              /* ikm: "sangat baik" … "tidak baik" */
};

/* bk_table_entries returns the finished table's entries, *n_p of them
 * (NULL and 0 before finish or after a failed one), in this order:
 *   one by-column:  the cells in label order, then the grand total;
 *   two or three:   row by row, the row's cells in column order then its
 *                   total; then the column totals; last the grand total
 *                   (the (rows + 1) × (cols + 1) grid, row-major).
 * WARNING: primary and complementary are for the custodian's dry run: shown
 * to an evaluator, they tell which hidden cells are the small ones. */
const struct bk_table_entry *bk_table_entries(const struct bk_table *t, size_t *n_p);

/* bk_table_dims gives the grid: rows and cols (cols 0 for one by-column). */
void bk_table_dims(const struct bk_table *t, size_t *rows_p, size_t *cols_p);

/* An entry as text, the same for primary and complementary cells. */
struct bk_table_text {
	const char *key[BK_TABLE_BY_MAX]; /* the label, BK_TABLE_TOTAL, or NULL beyond nby */
	char count[24];                   /* digits, or BK_TABLE_HIDDEN */
	char value[32];                   /* "12.50", "-3.25", "77.20"; BK_TABLE_HIDDEN; BK_TABLE_NONE;
					     "" for count tables */
	char mutu[2];                     /* ikm: "A" … "D", "x", "-"; else "" */
	const char *kinerja;              /* ikm: as mutu; else "" */
	int hidden;
};

/* bk_table_entry_text fills out for entry e of t (pointers into t). */
void bk_table_entry_text(const struct bk_table *t, const struct bk_table_entry *e, struct bk_table_text *out);

/* bk_table_free wipes the counts and frees the table; NULL is accepted. */
void bk_table_free(struct bk_table *t);

#endif
