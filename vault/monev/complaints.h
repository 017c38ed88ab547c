/* complaints.h - the complaints about each innovation (report pengaduan):
 * how many, by category and by status, and how long they took to resolve
 * (the median of tanggal_selesai − tanggal over the resolved ones).
 *
 * Two layers, as report.h. Small cells: a complaint is one person's, so the
 * counts are protected as two tables with their margins (innovations ×
 * categories, innovations × statuses; bk_suppress_2d), and a median over
 * fewer than min_cell resolved complaints is not shown. */
#ifndef BK_COMPLAINTS_H
#define BK_COMPLAINTS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "vault/monev/report.h"
#include "vault/schema/column.h"

struct bk_vault;

struct bk_complaints_row {
	char kode[BK_REPORT_LABEL_MAX], nama[BK_REPORT_LABEL_MAX];
	uint64_t total;
	uint64_t by_kategori[BK_ENUM_VALUES_MAX], by_status[BK_ENUM_VALUES_MAX];
	unsigned char total_hidden, kategori_hidden[BK_ENUM_VALUES_MAX], status_hidden[BK_ENUM_VALUES_MAX];
	uint64_t resolved;        /* complaints with a resolution date (input: days below) */
	int median_known;         /* the median is shown */
	uint32_t median_days_e1;  /* median days to resolve × 10 (a half day when the count is even) */
};

struct bk_report_complaints {
	int year;
	uint64_t min_cell;
	char kategori[BK_ENUM_VALUES_MAX][64], status[BK_ENUM_VALUES_MAX][64]; /* the schema's values */
	size_t nkategori, nstatus;
	struct bk_complaints_row *rows; /* malloc'd, by kode */
	size_t nrows;
	struct bk_complaints_row total;
	uint64_t rows_read;             /* pengaduan rows read (audited; never output) */
};

/* bk_report_complaints_finish (pure): totals and suppression as above; the
 * medians come in already (median_known set where there were days). */
bk_status bk_report_complaints_finish(struct bk_report_complaints *r) BK_MUST_CHECK;
json_t *bk_report_complaints_json(const struct bk_report_complaints *r);
void bk_report_complaints_release(struct bk_report_complaints *r);

/* bk_median_e1: the median of n values (sorted here) × 10, rounded half up. */
uint32_t bk_median_e1(uint32_t *v, size_t n);

/* bk_days_between: whole days from the date a to b ("YYYY-MM-DD"), -1 when
 * either is not a date or b comes before a. */
int32_t bk_days_between(const char *a, const char *b);

struct bk_report_complaints_opts {
	int year;            /* 0: every year (pengaduan tanggal) */
	uint64_t min_cell;
};

/* bk_vault_report_complaints: access, scope and audit as the other reports,
 * over ds_pengaduan (kode_inovasi, tanggal, kategori and status, enums; and
 * tanggal_selesai when the schema has it) and ds_inovasi's names. */
bk_status bk_vault_report_complaints(struct bk_vault *v, const struct bk_report_complaints_opts *o,
				     struct bk_report_complaints *r) BK_MUST_CHECK;

#endif
