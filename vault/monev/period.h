/* period.h - the periods the monitoring reports count by: month, quarter,
 * semester, year. A period is a number from year 0 (a month is year × 12 +
 * month − 1, a quarter year × 4 + (month − 1) / 3, a semester year × 2 +
 * (month > 6), a year the year), so consecutive periods are consecutive
 * numbers; labels are "2025-03", "2025-Q1", "2025-S1", "2025". */
#ifndef BK_PERIOD_H
#define BK_PERIOD_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

enum bk_period { BK_PERIOD_MONTH, BK_PERIOD_QUARTER, BK_PERIOD_SEMESTER, BK_PERIOD_YEAR, BK_PERIOD_COUNT };

#define BK_PERIOD_ANY ((1u << BK_PERIOD_COUNT) - 1)
#define BK_PERIOD_LABEL_MAX 16

/* "month", "quarter", "semester", "year"; bk_period_parse takes those whose
 * bit is set in allowed (1u << BK_PERIOD_…), else BK_ERR_USAGE naming them. */
const char *bk_period_name(enum bk_period p);
bk_status bk_period_parse(const char *s, unsigned allowed, enum bk_period *p) BK_MUST_CHECK;

/* bk_period_of: the period of a date ("YYYY-MM-DD"; the day is not read),
 * -1 when it is not one. */
int32_t bk_period_of(const char *date, enum bk_period p);

/* bk_period_label writes the period's label; bk_period_bounds its first day
 * and the first day of the next, "YYYY-MM-DD" (years 0 to 9999). */
void bk_period_label(char out[BK_PERIOD_LABEL_MAX], int32_t period, enum bk_period p);
void bk_period_bounds(int32_t period, enum bk_period p, char lo[BK_PERIOD_LABEL_MAX], char hi[BK_PERIOD_LABEL_MAX]);

#endif
