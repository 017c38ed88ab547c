/* ROOM vault/monev - monitoring and evaluation reports (IKM, coverage, and
 * what later monitoring questions need). May call base/, crypto/,
 * vault/core/ and vault/schema/.
 *
 * report.h - aggregate reports computed inside the vault (DESIGN §10, §11):
 * the public-satisfaction index (IKM) per PermenPANRB 14/2017 and the
 * coverage of the innovations, with small-cell suppression.
 *
 * Two layers:
 *   - pure functions with no database (IKM arithmetic, grading,
 *     Krejcie–Morgan, suppression, the report builders and their JSON), fed
 *     by the unit tests with golden inputs;
 *   - bk_vault_report_ikm / bk_vault_report_coverage, which check access
 *     (BK_ACT_REPORT for every kecamatan whose rows are read; rows outside the
 *     user's scope are never read), aggregate in one pass over each table,
 *     call the builders and write the audit entry (action "report", counts
 *     only) before anything is returned.
 *
 * Small cells. A count of fewer than min_cell people is never released:
 * primary suppression hides every cell 0 < count < min_cell; complementary
 * suppression then hides more cells until no total (row, column or grand)
 * leaves a hidden cell, or a small sum of hidden cells, derivable from what is
 * shown. A suppressed group is wiped in the result: its sums and scores are
 * zero, so no rendering can leak them. Zero is not a small cell (nobody to
 * protect) and is hidden only as a last-resort complement.
 *
 * IKM arithmetic is exact: NRR, IKM and the converted score are rationals
 * (sums of answers over answer counts) evaluated in 128-bit integers and
 * rounded half up, so 76.605 is 76.61 and grades land on the exact boundary.
 * WARNING: only when the ten answer counts of one group are so unlike that
 * their least common multiple overflows 128 bits (never with this schema: u1
 * to u9 are required, so at most two counts differ) is the score computed in
 * long double and marked inexact. */
#ifndef BK_REPORT_H
#define BK_REPORT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "vault/monev/period.h"

struct bk_vault;

#define BK_IKM_UNSUR 10           /* u1 … u9 (PermenPANRB) and u10 (inovasi) */
#define BK_IKM_UNSUR_NATIONAL 9   /* the nationally comparable index */
#define BK_REPORT_MIN_CELL 5      /* default --min-cell */
#define BK_REPORT_MIN_CELL_MAX 1000000
#define BK_REPORT_LABEL_MAX 208   /* codes, names and OPD names (200 bytes in the schema) */

/* --- IKM (PermenPANRB 14/2017, DESIGN §11) --- */

/* Answers of one group: rows, and per unsur the sum of the answers (1–4) and
 * how many were given (u10 may be empty). */
struct bk_ikm_sums {
	uint64_t respondents;
	uint64_t sum[BK_IKM_UNSUR];
	uint64_t filled[BK_IKM_UNSUR];
};

/* bk_ikm_sums_add adds from into to. */
void bk_ikm_sums_add(struct bk_ikm_sums *to, const struct bk_ikm_sums *from);

/* One index over the first nunsur unsur (9: national; 10: with U10 inovasi).
 *   NRR_i     = sum_i / filled_i
 *   IKM       = Σ NRR_i × 1/nunsur
 *   converted = IKM × 25, graded after rounding to 2 decimals:
 *   A 88.31–100 sangat baik, B 76.61–88.30 baik, C 65.00–76.60 kurang baik,
 *   D 25.00–64.99 tidak baik.
 * Every figure is kept as an integer of its shown precision, rounded half up
 * from the exact value. */
struct bk_ikm_score {
	int valid;                          /* every unsur has an answer; else nothing below is set */
	int exact;                          /* see the WARNING above */
	unsigned nunsur;
	uint64_t filled_min;                /* fewest answers behind any NRR */
	uint32_t nrr_milli[BK_IKM_UNSUR];   /* NRR × 1000 */
	uint32_t ikm_e4;                    /* IKM × 10 000 */
	uint32_t converted_cents;           /* IKM × 25 × 100: the graded value */
	char mutu;                          /* 'A' … 'D' */
	const char *kinerja;                /* "sangat baik", "baik", "kurang baik", "tidak baik" */
};

/* bk_ikm_score scores s over its first nunsur unsur (9 or 10). Returns
 * BK_ERR_USAGE for another nunsur or sums that 1–4 answers cannot make
 * (sum < filled, sum > 4 × filled, filled > respondents). */
bk_status bk_ikm_score(const struct bk_ikm_sums *s, unsigned nunsur, struct bk_ikm_score *out) BK_MUST_CHECK;

/* bk_ikm_score_mean scores from the mean, over the respondents, of each
 * one's total over the first nunsur unsur, given as num / den. When everyone
 * answered every unsur, Σ NRR_i is that mean, so IKM = num / (den × nunsur),
 * converted, rounded and graded as by bk_ikm_score (always exact). For
 * figures that are not plain sums of answers (noisy ones, vault/release/tables.h);
 * nrr_milli and filled_min are left 0. BK_ERR_USAGE for another nunsur,
 * den == 0, or a mean outside nunsur … 4 × nunsur. */
bk_status bk_ikm_score_mean(uint64_t num, uint64_t den, unsigned nunsur, struct bk_ikm_score *out) BK_MUST_CHECK;

/* bk_ikm_grade grades a converted score in hundredths (2500 … 10000) and
 * sets *kinerja_p (may be NULL); returns 0 (and NULL) outside that range. */
char bk_ikm_grade(uint32_t converted_cents, const char **kinerja_p);

/* bk_krejcie_morgan: the sample size for a population of n (Krejcie & Morgan
 * 1970): χ²·N·P(1−P) / (d²(N−1) + χ²·P(1−P)), χ² = 3.841, P = 0.5, d = 0.05,
 * rounded up; computed in integers. 100 → 80, 1000 → 278, 10 000 → 370,
 * 1 000 000 → 384; 0 → 0. */
uint64_t bk_krejcie_morgan(uint64_t population);

/* --- suppression --- */

/* bk_suppress_1d protects n parts and their total (the sum of the parts, or
 * for counts of distinct people a figure a reader could treat as one).
 * hidden[n] and *total_hidden are in/out: set on entry what another rule
 * already hides; on return every cell to hide is set. Fails closed: out of
 * memory (BK_ERR_NOMEM) everything is hidden. */
bk_status bk_suppress_1d(const uint64_t *parts, size_t n, uint64_t total, uint64_t min_cell, unsigned char *hidden,
			 unsigned char *total_hidden) BK_MUST_CHECK;

/* bk_suppress_2d protects a rows × cols table (cells row-major) with its
 * row totals, column totals and grand total; the flags are in/out as above.
 * No row, column or margin is left with exactly one hidden entry, or with
 * hidden entries whose derivable sum is a small cell; nor is any hidden
 * non-zero entry derivable by combining rows and columns (an entry on no
 * cycle of hidden entries, as one hidden cell joining two blocks of them):
 * such an entry gets a cycle by hiding one more, the smallest that closes it.
 * Hidden zeros protect nothing (a reader may know them). Exact values only:
 * bounds a reader can draw from non-negativity are not considered. */
bk_status bk_suppress_2d(const uint64_t *cells, size_t rows, size_t cols, uint64_t min_cell, unsigned char *cell_hidden,
			 unsigned char *row_hidden, unsigned char *col_hidden, unsigned char *grand_hidden) BK_MUST_CHECK;

/* --- the IKM report --- */

enum bk_report_by { BK_REPORT_BY_INOVASI, BK_REPORT_BY_KECAMATAN, BK_REPORT_BY_UNIT, BK_REPORT_BY_COUNT };

/* "inovasi", "kecamatan", "unit" (the OPD that runs the innovation). */
const char *bk_report_by_name(enum bk_report_by by);
bk_status bk_report_by_parse(const char *name, enum bk_report_by *by_p) BK_MUST_CHECK;

struct bk_report_ikm_group {
	char kode[BK_REPORT_LABEL_MAX];  /* innovation code, kecamatan code, or the OPD's name */
	char nama[BK_REPORT_LABEL_MAX];  /* innovation name, kecamatan name, or the OPD's name */
	struct bk_ikm_sums sums;         /* input; zero when suppressed */
	uint64_t population;             /* input: people the sample is drawn from; 0 unknown */
	/* set by bk_report_ikm_finish: */
	int suppressed;                  /* nothing of the group is shown */
	int ikm10_suppressed;            /* the 10-unsur index is hidden (its U10 answers) */
	int population_suppressed;       /* a population under min_cell */
	struct bk_ikm_score ikm9;        /* national, 9 unsur */
	struct bk_ikm_score ikm10;       /* with U10 inovasi: not nationally comparable */
	uint64_t sample_size;            /* Krejcie–Morgan n; 0 when the population is unknown */
	int sample_enough;               /* 1 respondents >= n, 0 fewer, -1 unknown */
};

struct bk_report_ikm {
	enum bk_report_by by;
	int year;                        /* 0: every year */
	uint64_t min_cell;
	const char *population_basis;    /* static text: where the populations come from */
	struct bk_report_ikm_group *groups; /* malloc'd, in output order */
	size_t ngroups;
	struct bk_report_ikm_group total;   /* sums: set by finish; population: input */
	size_t suppressed_groups;
	uint64_t rows;                   /* SKM rows read (audited; never output) */
};

/* bk_report_ikm_finish computes, from the groups' sums and populations and
 * the total's population: the total's sums, every score, the samples, then
 * suppression (groups on respondents and every filled count of u1–u9; the
 * 10-unsur index on u10's; populations on themselves), and wipes what it hides. */
bk_status bk_report_ikm_finish(struct bk_report_ikm *r) BK_MUST_CHECK;

/* bk_report_ikm_json: the report as JSON (caller decrefs; NULL out of memory).
 * Suppressed figures are null with "suppressed": true. */
json_t *bk_report_ikm_json(const struct bk_report_ikm *r);

/* bk_report_ikm_release frees the groups; the struct may be reused. */
void bk_report_ikm_release(struct bk_report_ikm *r);

struct bk_report_ikm_opts {
	enum bk_report_by by;
	int year;            /* 0: every year; else 1900 … 9999 (SKM tanggal) */
	uint64_t min_cell;   /* 1 … BK_REPORT_MIN_CELL_MAX */
};

/* bk_vault_report_ikm (admin, custodian, analyst; rows of the user's
 * kecamatan scope only) aggregates ds_skm in one pass. Groups are every
 * registered innovation / every kecamatan in scope / every OPD, plus any
 * code the answers name. Populations: for kecamatan the warga rows of that
 * kecamatan; for inovasi and unit the distinct users in pemanfaatan (of that
 * year when year is set; counted from the NIK blind index, whose 20 bits
 * are corrected by linear counting: within 0.1% up to ~100 000 users).
 * Audited before returning. r is released by the caller. */
bk_status bk_vault_report_ikm(struct bk_vault *v, const struct bk_report_ikm_opts *o,
			      struct bk_report_ikm *r) BK_MUST_CHECK;

/* --- the coverage report --- */

/* A desa/kelurahan of an innovation's planned area that it has not reached. */
struct bk_report_area {
	char kode[16], nama[96];
	char kecamatan_kode[16], kecamatan[96];
	int kecamatan_unreached; /* no planned desa of its kecamatan was reached */
};

/* An innovation's reach against its planned area (cakupan in the registry:
 * region codes separated by spaces or commas, each the kabupaten, a
 * kecamatan or a desa; a kecamatan stands for all its desa), within the
 * user's scope. Areas, not people: never suppressed. */
struct bk_report_cov_plan {
	int cakupan_given;              /* 0: no registry row or an empty cakupan: planned = the scope */
	uint32_t cakupan_unknown;       /* codes in cakupan that are no region of the vault */
	uint32_t kecamatan_planned, kecamatan_planned_reached;
	uint32_t desa_planned, desa_planned_reached;
	uint32_t desa_outside_plan;     /* desa reached that the plan does not name */
	struct bk_report_area *unreached; /* the planned desa not reached, by code; malloc'd */
	size_t nunreached;
};

/* One innovation: who used it (pemanfaatan) and where. */
struct bk_report_cov_inovasi {
	char kode[BK_REPORT_LABEL_MAX];
	char nama[BK_REPORT_LABEL_MAX];
	char opd[BK_REPORT_LABEL_MAX];
	uint64_t users;                 /* distinct users (blind index, linear counting) */
	uint32_t kecamatan_reached;     /* kecamatan with at least one use (areas: always shown) */
	uint32_t desa_reached;          /* desa/kelurahan with at least one use (areas: always shown) */
	int suppressed;                 /* users hidden (a small cell, or protecting one) */
	int per_mille_known;            /* users per 1000 residents is shown */
	uint64_t per_mille_e1;          /* users per 1000 residents × 10 */
	struct bk_report_cov_plan plan;
};

/* One kecamatan: residents, users and the daring/luring gap. */
struct bk_report_cov_kecamatan {
	char kode[BK_REPORT_LABEL_MAX];
	char nama[BK_REPORT_LABEL_MAX];
	uint64_t residents;             /* warga rows; 0: not loaded */
	uint64_t users;                 /* distinct users of any innovation */
	uint64_t daring, luring, uses;  /* pemanfaatan rows by kanal, and both */
	uint32_t desa_reached, desa_total;
	unsigned char residents_hidden, users_hidden, daring_hidden, luring_hidden, uses_hidden;
	int per_mille_known;
	uint64_t per_mille_e1;          /* users per 1000 residents × 10 */
	int daring_share_known;
	uint32_t daring_share_e1;       /* daring / uses in percent × 10 */
};

struct bk_report_coverage {
	int year;
	uint64_t min_cell;
	struct bk_report_cov_inovasi *inovasi;     /* malloc'd, by kode */
	size_t ninovasi;
	struct bk_report_cov_kecamatan *kecamatan; /* malloc'd, every kecamatan in scope, by code */
	size_t nkecamatan;
	struct bk_report_cov_kecamatan total;      /* the scope */
	uint64_t users_total;                      /* distinct users of any innovation in scope */
	unsigned char users_total_hidden;
	uint32_t kecamatan_total, desa_total;      /* kecamatan and desa in scope */
	uint64_t rows;                             /* pemanfaatan rows read (audited; never output) */
	int list_unreached;                        /* the JSON lists each innovation's unreached desa */
};

/* bk_report_coverage_finish (pure): from the counts (inovasi users and
 * reach; kecamatan residents, users, daring, luring, desa) computes the
 * totals' additive counts, suppression, rates and shares, and wipes what it
 * hides. users_total (distinct users of the scope) is an input. Counts of
 * people are suppressed: residents and users per kecamatan against their
 * totals; users per innovation and per kecamatan against users_total
 * together; daring/luring uses as a table with its margins. Counts of areas
 * reached are not counts of people and are always shown. */
bk_status bk_report_coverage_finish(struct bk_report_coverage *r) BK_MUST_CHECK;

json_t *bk_report_coverage_json(const struct bk_report_coverage *r);
void bk_report_coverage_release(struct bk_report_coverage *r);

struct bk_report_coverage_opts {
	int year;            /* 0: every year (pemanfaatan tanggal) */
	uint64_t min_cell;
	int unreached;       /* list each innovation's unreached desa (report coverage --unreached) */
};

/* bk_vault_report_coverage: access, scope and audit as bk_vault_report_ikm,
 * over ds_pemanfaatan (required), ds_warga and ds_inovasi (when present). */
bk_status bk_vault_report_coverage(struct bk_vault *v, const struct bk_report_coverage_opts *o,
				   struct bk_report_coverage *r) BK_MUST_CHECK;

/* --- the IKM over time (report ikm --period) --- */

/* One IKM report per period, from the first semester (or year) with an SKM
 * answer in the user's scope to the last (the latest 40 at most), each
 * suppressed as a report of its own: a group small in one period is hidden
 * there, whatever it is in another. */
struct bk_report_ikm_trend {
	enum bk_report_by by;
	enum bk_period period;           /* semester or year */
	uint64_t min_cell;
	size_t n;
	char (*labels)[BK_PERIOD_LABEL_MAX]; /* "2025-S1", or "2025" */
	struct bk_report_ikm *reports;   /* one per label, oldest first */
	uint64_t rows;                   /* SKM rows read (audited; never output) */
};

/* bk_vault_report_ikm_trend: access and scope as bk_vault_report_ikm (o->year
 * limits the series to that year); one audit entry for the series. */
bk_status bk_vault_report_ikm_trend(struct bk_vault *v, const struct bk_report_ikm_opts *o, enum bk_period period,
				    struct bk_report_ikm_trend *t) BK_MUST_CHECK;
json_t *bk_report_ikm_trend_json(const struct bk_report_ikm_trend *t);
void bk_report_ikm_trend_release(struct bk_report_ikm_trend *t);

/* bk_report_count_json: a count as JSON, null when it is hidden. */
json_t *bk_report_count_json(int hidden, uint64_t value);

/* bk_report_decimal writes value / 10^decimals with exactly that many
 * decimals ("3.088", "77.20") into out; returns out. */
char *bk_report_decimal(char *out, size_t cap, uint64_t value, unsigned decimals);

#endif
