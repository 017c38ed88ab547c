/* adoption.h - how the use of each innovation grows (report adoption): per
 * month or quarter since its penerapan, the uses (daring and luring), the
 * distinct users, and the desa/kelurahan of its planned area reached for the
 * first time and so far, with the period by which half of them were reached.
 *
 * Periods are those of period.h (month, quarter, semester, year).
 *
 * Two layers, as report.h: bk_report_adoption_finish (pure) suppresses small
 * cells and wipes them; bk_vault_report_adoption reads pemanfaatan once
 * within the user's scope (scan.h), builds the series, finishes and audits.
 *
 * Small cells: per innovation, the users of a period are protected against
 * the innovation's users over the whole series (bk_suppress_1d; distinct
 * people do not add up, so this is the cautious reading), and the uses as a
 * table of periods × kanal with its margins (bk_suppress_2d), a period whose
 * users are hidden having its uses hidden too. Desa reached are areas, not
 * people: always shown. */
#ifndef BK_ADOPTION_H
#define BK_ADOPTION_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "vault/monev/period.h"
#include "vault/monev/report.h"

struct bk_vault;

#define BK_ADOPTION_UNKNOWN INT32_MIN /* a distance from penerapan that is not known */
#define BK_ADOPTION_PERIODS_MAX 600   /* the latest 50 years of months at most */

struct bk_adoption_point {
	int32_t period;
	char label[BK_PERIOD_LABEL_MAX];
	int32_t since_penerapan;          /* periods after penerapan's; BK_ADOPTION_UNKNOWN */
	uint64_t uses, daring, luring;    /* pemanfaatan rows */
	uint64_t users;                   /* distinct people (blind index, linear counting) */
	unsigned char uses_hidden, daring_hidden, luring_hidden, users_hidden;
	uint32_t desa_new;                /* planned desa reached for the first time */
	uint32_t desa_reached;            /* planned desa reached up to and with this period */
};

struct bk_adoption_inovasi {
	char kode[BK_REPORT_LABEL_MAX], nama[BK_REPORT_LABEL_MAX];
	char penerapan[11];               /* tanggal_penerapan; "" not known */
	uint32_t desa_planned;            /* in the scope */
	int32_t half_period;              /* the first period by which half the planned desa were reached; -1 */
	int32_t half_since_penerapan;     /* its distance from penerapan's period; BK_ADOPTION_UNKNOWN */
	struct bk_adoption_point *points; /* malloc'd, consecutive periods */
	size_t npoints;
	uint64_t uses, daring, luring, users; /* over the whole series */
	unsigned char uses_hidden, daring_hidden, luring_hidden, users_hidden;
};

struct bk_report_adoption {
	enum bk_period period;
	int year;                         /* 0: every year, or the range below */
	char from[11], to[11];            /* "" for no bound */
	uint64_t min_cell;
	struct bk_adoption_inovasi *inovasi; /* malloc'd, by kode */
	size_t ninovasi;
	uint64_t rows;                    /* pemanfaatan rows read (audited; never output) */
};

/* bk_report_adoption_finish (pure): the totals from the points (users, the
 * innovation's distinct users, are an input), the suppression above and the
 * wiping of what it hides. */
bk_status bk_report_adoption_finish(struct bk_report_adoption *r) BK_MUST_CHECK;
json_t *bk_report_adoption_json(const struct bk_report_adoption *r);
void bk_report_adoption_release(struct bk_report_adoption *r);

struct bk_report_adoption_opts {
	enum bk_period period;
	int year;                         /* 0: none */
	const char *from, *to;            /* "YYYY-MM-DD", both inclusive; NULL: none */
	uint64_t min_cell;
};

/* bk_vault_report_adoption: access, scope and audit as the other reports,
 * over ds_pemanfaatan (required) and ds_inovasi (names, cakupan,
 * tanggal_penerapan; when present). BK_ERR_USAGE for a bad range. */
bk_status bk_vault_report_adoption(struct bk_vault *v, const struct bk_report_adoption_opts *o,
				   struct bk_report_adoption *r) BK_MUST_CHECK;

#endif
