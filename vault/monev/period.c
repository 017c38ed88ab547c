/* period.c - the periods of period.h. */
#include "vault/monev/period.h"

#include <stdio.h>
#include <string.h>

static const char *const names[BK_PERIOD_COUNT] = {"month", "quarter", "semester", "year"};
static const int months[BK_PERIOD_COUNT] = {1, 3, 6, 12}; /* months a period spans */

const char *bk_period_name(enum bk_period p)
{
	return (unsigned)p < BK_PERIOD_COUNT ? names[p] : "?";
}

bk_status bk_period_parse(const char *s, unsigned allowed, enum bk_period *p)
{
	char list[64] = "";
	size_t n = 0;

	for (int i = 0; i < BK_PERIOD_COUNT; i++) {
		if (!(allowed & (1u << i)))
			continue;
		if (strcmp(s, names[i]) == 0) {
			*p = (enum bk_period)i;
			return BK_OK;
		}
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", n ? "|" : "", names[i]);
	}
	return bk_fail(BK_ERR_USAGE, "--period is %s, not '%.20s'", list, s);
}

static int digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

int32_t bk_period_of(const char *date, enum bk_period p)
{
	int y, m;

	if (!date || (unsigned)p >= BK_PERIOD_COUNT || !digits(date, 4) || date[4] != '-' || !digits(date + 5, 2))
		return -1;
	y = (date[0] - '0') * 1000 + (date[1] - '0') * 100 + (date[2] - '0') * 10 + (date[3] - '0');
	m = (date[5] - '0') * 10 + (date[6] - '0');
	if (m < 1 || m > 12)
		return -1;
	return y * (12 / months[p]) + (m - 1) / months[p];
}

void bk_period_label(char out[BK_PERIOD_LABEL_MAX], int32_t period, enum bk_period p)
{
	unsigned per = (unsigned)(12 / months[(unsigned)p < BK_PERIOD_COUNT ? p : BK_PERIOD_YEAR]);
	unsigned y = (unsigned)(period < 0 ? 0 : period) / per % 10000u, i = (unsigned)(period < 0 ? 0 : period) % per;

	switch (p) {
	case BK_PERIOD_MONTH:
		snprintf(out, BK_PERIOD_LABEL_MAX, "%04u-%02u", y, i % 12 + 1);
		break;
	case BK_PERIOD_QUARTER:
		snprintf(out, BK_PERIOD_LABEL_MAX, "%04u-Q%u", y, i % 4 + 1);
		break;
	case BK_PERIOD_SEMESTER:
		snprintf(out, BK_PERIOD_LABEL_MAX, "%04u-S%u", y, i % 2 + 1);
		break;
	default:
		snprintf(out, BK_PERIOD_LABEL_MAX, "%04u", y);
	}
}

void bk_period_bounds(int32_t period, enum bk_period p, char lo[BK_PERIOD_LABEL_MAX], char hi[BK_PERIOD_LABEL_MAX])
{
	unsigned span = (unsigned)months[(unsigned)p < BK_PERIOD_COUNT ? p : BK_PERIOD_YEAR];
	unsigned first = (unsigned)(period < 0 ? 0 : period) * span, next = first + span; /* months from year 0 */

	snprintf(lo, BK_PERIOD_LABEL_MAX, "%04u-%02u-01", first / 12 % 10000u, first % 12 + 1);
	snprintf(hi, BK_PERIOD_LABEL_MAX, "%04u-%02u-01", next / 12 % 10000u, next % 12 + 1);
}
