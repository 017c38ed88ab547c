/* hierarchy.c - parsing of a quasi column's hierarchy and the label of one
 * value at one level. Called once per distinct value per level, so the
 * hierarchy string is parsed again on every call: simplicity over speed. */
#include "vault/schema/hierarchy.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIDDLE_MAX (BK_HIERARCHY_LEVELS_MAX - 2) /* levels between the value and "*" */
#define BAND_MAX 1000000000LL

/* The named levels of dates and regions, in their only allowed order. */
enum part { PART_MONTH, PART_QUARTER, PART_YEAR, PART_KECAMATAN, PART_KABUPATEN };

static const char *const part_names[] = {"month", "quarter", "year", "kecamatan", "kabupaten"};

/* A parsed hierarchy of a banded, date or region column (enum groups: struct groups). */
struct parsed {
	size_t nmiddle;
	long long band[MIDDLE_MAX];
	enum part part[MIDDLE_MAX];
};

/* A span of the hierarchy string, trimmed of spaces. */
struct span {
	const char *s;
	size_t n;
};

static struct span trim(const char *s, size_t n)
{
	struct span sp;

	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	sp.s = s;
	sp.n = n;
	return sp;
}

static int span_is(struct span sp, const char *word)
{
	return strlen(word) == sp.n && memcmp(sp.s, word, sp.n) == 0;
}

/* Splits whole at sep: each call gives the next piece, trimmed (an empty
 * whole gives one empty piece). *pos starts at 0, *done at 0. */
static int next_piece(struct span whole, size_t *pos, int *done, char sep, struct span *out)
{
	size_t end = *pos;

	if (*done)
		return 0;
	while (end < whole.n && whole.s[end] != sep)
		end++;
	*out = trim(whole.s + *pos, end - *pos);
	if (end == whole.n)
		*done = 1;
	else
		*pos = end + 1;
	return 1;
}

static struct span whole(const char *s)
{
	struct span sp;

	sp.s = s;
	sp.n = strlen(s);
	return sp;
}

static int span_eq(struct span a, struct span b)
{
	return a.n == b.n && memcmp(a.s, b.s, a.n) == 0;
}

static int is_banded(const struct bk_column *col)
{
	return col->type == BK_TYPE_INT || col->type == BK_TYPE_SCORE1TO4;
}

static bk_status bad(const struct bk_column *col, const char *fmt, ...) BK_PRINTF(2, 3);

static bk_status bad(const struct bk_column *col, const char *fmt, ...)
{
	char why[192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	bk_hint("%s", ""); /* callers add one after, when they have it */
	return bk_fail(BK_ERR_FORMAT, "column '%s': hierarchy '%s': %s", col->name, col->hierarchy, why);
}

static bk_status parse_band(const struct bk_column *col, struct span sp, long long prev, long long *band_p)
{
	long long v = 0;
	bk_status rc;

	*band_p = 0;
	if (sp.n == 0 || sp.n > 10)
		return bad(col, "'%.*s' is not a band width (a whole number from 2 to %lld)", (int)sp.n, sp.s,
			   BAND_MAX);
	for (size_t i = 0; i < sp.n; i++) {
		if (sp.s[i] < '0' || sp.s[i] > '9')
			return bad(col, "'%.*s' is not a band width (a whole number from 2 to %lld)", (int)sp.n, sp.s,
				   BAND_MAX);
		v = v * 10 + (sp.s[i] - '0');
	}
	if (v < 2 || v > BAND_MAX)
		return bad(col, "band %lld is out of range (2 to %lld)", v, BAND_MAX);
	if (prev && v <= prev) {
		rc = bad(col, "band %lld is not above %lld: bands must increase", v, prev);
		bk_hint("bands go from the finest to the coarsest, e.g. 5,10,20");
		return rc;
	}
	if (prev && v % prev != 0) {
		rc = bad(col, "band %lld is not a multiple of %lld: a band of %lld would fall into two bands of %lld", v,
			 prev, prev, v);
		bk_hint("make each band a multiple of the one before, e.g. 5,10,20");
		return rc;
	}
	*band_p = v;
	return BK_OK;
}

static bk_status parse_part(const struct bk_column *col, struct span sp, int have_prev, enum part prev, enum part *p_p)
{
	enum part first = col->type == BK_TYPE_DATE ? PART_MONTH : PART_KECAMATAN;
	enum part last = col->type == BK_TYPE_DATE ? PART_YEAR : PART_KABUPATEN;
	enum part p;

	*p_p = first;
	if (col->type == BK_TYPE_REGION && col->level == BK_REGION_KECAMATAN)
		first = PART_KABUPATEN; /* a kecamatan column can only go up to the kabupaten */
	for (p = first; p <= last; p++)
		if (span_is(sp, part_names[p]))
			break;
	if (p > last) {
		if (col->type == BK_TYPE_DATE)
			return bad(col, "'%.*s' is not a date level (month, quarter, year)", (int)sp.n, sp.s);
		if (col->level == BK_REGION_KECAMATAN)
			return bad(col, "'%.*s' is not a level above a kecamatan column (kabupaten)", (int)sp.n, sp.s);
		return bad(col, "'%.*s' is not a level above a desa column (kecamatan, kabupaten)", (int)sp.n, sp.s);
	}
	if (have_prev && p <= prev) {
		bk_status rc = bad(col, "'%s' cannot come after '%s': each level must be coarser than the one before",
				   part_names[p], part_names[prev]);

		bk_hint("%s", col->type == BK_TYPE_DATE ? "write them in the order month,quarter,year"
							: "write them in the order kecamatan,kabupaten");
		return rc;
	}
	*p_p = p;
	return BK_OK;
}

/* Parses a hierarchy of a banded, date or region column. */
static bk_status parse_list(const struct bk_column *col, struct parsed *ps)
{
	struct span sp;
	size_t pos = 0;
	int done = 0;
	bk_status rc = BK_OK;

	memset(ps, 0, sizeof(*ps));
	if (col->type == BK_TYPE_REGION && col->level != BK_REGION_DESA && col->level != BK_REGION_KECAMATAN) {
		rc = bad(col, "only desa and kecamatan columns can be generalized");
		goto out;
	}
	while (next_piece(whole(col->hierarchy), &pos, &done, ',', &sp)) {
		if (sp.n == 0) {
			rc = bad(col, "level %zu is empty", ps->nmiddle + 1);
			goto out;
		}
		if (ps->nmiddle == MIDDLE_MAX) {
			rc = bad(col, "more than %d levels between the value and '*'", MIDDLE_MAX);
			goto out;
		}
		if (is_banded(col))
			rc = parse_band(col, sp, ps->nmiddle ? ps->band[ps->nmiddle - 1] : 0, &ps->band[ps->nmiddle]);
		else
			rc = parse_part(col, sp, ps->nmiddle > 0, ps->nmiddle ? ps->part[ps->nmiddle - 1] : PART_MONTH,
					&ps->part[ps->nmiddle]);
		if (rc != BK_OK)
			goto out;
		ps->nmiddle++;
	}
out:
	return rc;
}

static int enum_has(const struct bk_column *col, struct span sp)
{
	for (size_t i = 0; i < col->nvalues; i++)
		if (span_is(sp, col->values[i]))
			return 1;
	return 0;
}

/* Enum groups "NAME=V1/V2;NAME=V3", as spans of col->hierarchy. */
struct groups {
	size_t n, nmembers;
	struct span name[BK_ENUM_VALUES_MAX];
	size_t first[BK_ENUM_VALUES_MAX], count[BK_ENUM_VALUES_MAX]; /* into member[] */
	struct span member[BK_ENUM_VALUES_MAX];
};

/* Parses and checks enum groups (rules in hierarchy.h). */
static bk_status parse_groups(const struct bk_column *col, struct groups *g)
{
	struct span grp, member;
	size_t pos = 0;
	int done = 0;
	bk_status rc = BK_OK;

	memset(g, 0, sizeof(*g));
	while (next_piece(whole(col->hierarchy), &pos, &done, ';', &grp)) {
		const char *eq = memchr(grp.s, '=', grp.n);
		struct span name, list;
		size_t mpos = 0;
		int mdone = 0;

		if (!eq) {
			rc = bad(col, "group %zu is not NAME=VALUE/VALUE", g->n + 1);
			bk_hint("write groups like dasar=SD/SMP;menengah=SMA");
			goto out;
		}
		name = trim(grp.s, (size_t)(eq - grp.s));
		list.s = eq + 1;
		list.n = grp.n - (size_t)(eq + 1 - grp.s);
		if (name.n == 0) {
			rc = bad(col, "group %zu has no name", g->n + 1);
			goto out;
		}
		for (size_t i = 0; i < g->n; i++)
			if (span_eq(g->name[i], name)) {
				rc = bad(col, "group '%.*s' is named twice", (int)name.n, name.s);
				goto out;
			}
		if (g->n == BK_ENUM_VALUES_MAX) {
			rc = bad(col, "more than %d groups", BK_ENUM_VALUES_MAX);
			goto out;
		}
		g->name[g->n] = name;
		g->first[g->n] = g->nmembers;
		while (next_piece(list, &mpos, &mdone, '/', &member)) {
			if (member.n == 0) {
				rc = bad(col, "group '%.*s' has an empty value", (int)name.n, name.s);
				goto out;
			}
			if (!enum_has(col, member)) {
				rc = bad(col, "group '%.*s' names '%.*s', which is not one of the column's values",
					 (int)name.n, name.s, (int)member.n, member.s);
				goto out;
			}
			for (size_t i = 0; i < g->nmembers; i++)
				if (span_eq(g->member[i], member)) {
					rc = bad(col, "value '%.*s' is in more than one group", (int)member.n, member.s);
					goto out;
				}
			/* every member is a distinct value of the column: there is room */
			g->member[g->nmembers++] = member;
		}
		g->count[g->n] = g->nmembers - g->first[g->n];
		g->n++;
	}
	/* a group named after a value must hold it, or SD=SMP would put SD and SMP in one label two ways */
	for (size_t i = 0; i < g->n; i++) {
		int inside = 0;

		if (!enum_has(col, g->name[i]))
			continue;
		for (size_t m = g->first[i]; m < g->first[i] + g->count[i]; m++)
			inside |= span_eq(g->member[m], g->name[i]);
		if (!inside) {
			rc = bad(col, "group '%.*s' is named after a value it does not hold", (int)g->name[i].n,
				 g->name[i].s);
			goto out;
		}
	}
out:
	return rc;
}

bk_status bk_hierarchy_check(const struct bk_column *col)
{
	struct parsed ps;
	struct groups g;
	bk_status rc = BK_OK;

	if (col->cls != BK_COL_QUASI) {
		if (col->hierarchy[0]) {
			rc = bk_fail(BK_ERR_FORMAT, "column '%s': only quasi columns have a hierarchy", col->name);
			bk_hint("%s", "");
		}
		goto out;
	}
	if (col->hierarchy[0] == '\0')
		goto out;
	switch (col->type) {
	case BK_TYPE_INT:
	case BK_TYPE_SCORE1TO4:
	case BK_TYPE_DATE:
	case BK_TYPE_REGION:
		rc = parse_list(col, &ps);
		break;
	case BK_TYPE_ENUM:
		rc = parse_groups(col, &g);
		break;
	default:
		rc = bk_fail(BK_ERR_FORMAT, "column '%s': a %s column takes no hierarchy", col->name,
			     bk_coltype_name(col->type));
		bk_hint("%s", col->type == BK_TYPE_TEXT ? "to group free text, declare the column an enum with groups" : "");
		break;
	}
out:
	return rc;
}

size_t bk_hierarchy_levels(const struct bk_column *col)
{
	size_t n = 2;

	if (col->cls != BK_COL_QUASI)
		return 0;
	if (col->hierarchy[0] == '\0')
		return 2;
	if (col->type == BK_TYPE_ENUM)
		return 3;
	for (const char *p = col->hierarchy; *p; p++)
		n += *p == ',';
	return n + 1;
}

static bk_status put(char *out, size_t cap, const char *fmt, ...) BK_PRINTF(3, 4);

static bk_status put(char *out, size_t cap, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, cap, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= cap) {
		if (cap)
			out[0] = '\0';
		return bk_fail(BK_ERR_USAGE, "a hierarchy label does not fit in %zu bytes", cap);
	}
	return BK_OK;
}

static bk_status band_label(const struct bk_column *col, long long width, const char *value, char *out, size_t cap)
{
	char *end;
	long long v, lo;

	errno = 0;
	v = strtoll(value, &end, 10);
	/* strtoll alone would take leading spaces and a plus sign */
	if (errno || end == value || *end || !(value[0] == '-' || (value[0] >= '0' && value[0] <= '9')))
		return bk_fail(BK_ERR_FORMAT, "column '%s': a value is not a whole number", col->name);
	lo = (v / width) * width;
	if (v % width != 0 && v < 0) {
		/* bands are aligned at 0 on both sides: -1 is in -5..-1; the lowest band may not fit */
		if (lo < LLONG_MIN + width)
			return bk_fail(BK_ERR_FORMAT, "column '%s': a value is too small to band", col->name);
		lo -= width;
	}
	if (lo > LLONG_MAX - (width - 1))
		return bk_fail(BK_ERR_FORMAT, "column '%s': a value is too large to band", col->name);
	return put(out, cap, "%lld-%lld", lo, lo + (width - 1));
}

static int digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static bk_status date_label(const struct bk_column *col, enum part p, const char *value, char *out, size_t cap)
{
	int month;

	if (strlen(value) != 10 || !digits(value, 4) || value[4] != '-' || !digits(value + 5, 2) || value[7] != '-' ||
	    !digits(value + 8, 2))
		return bk_fail(BK_ERR_FORMAT, "column '%s': a value is not a date YYYY-MM-DD", col->name);
	month = (value[5] - '0') * 10 + (value[6] - '0');
	if (month < 1 || month > 12)
		return bk_fail(BK_ERR_FORMAT, "column '%s': a value is not a date YYYY-MM-DD", col->name);
	if (p == PART_MONTH)
		return put(out, cap, "%.7s", value);
	if (p == PART_QUARTER)
		return put(out, cap, "%.4s-Q%d", value, (month - 1) / 3 + 1);
	return put(out, cap, "%.4s", value);
}

static bk_status region_label(const struct bk_column *col, const struct bk_regions *regions, enum part p,
			      const char *value, char *out, size_t cap)
{
	const struct bk_region *r;

	if (!regions)
		return bk_fail(BK_ERR_USAGE, "column '%s': generalizing a region needs the region file", col->name);
	r = value[0] >= '0' && value[0] <= '9' ? bk_regions_find(regions, col->level, value) : NULL;
	if (!r || strcmp(r->kode, value) != 0)
		return bk_fail(BK_ERR_FORMAT, "column '%s': a value is not a %s code of the region file", col->name,
			       col->level == BK_REGION_DESA ? "desa" : "kecamatan");
	if (col->level == BK_REGION_DESA && p == PART_KABUPATEN) {
		r = bk_regions_find(regions, BK_REGION_KECAMATAN, r->kode_induk);
		if (!r)
			return bk_fail(BK_ERR_FORMAT, "column '%s': the region file has a desa without its kecamatan",
				       col->name);
	}
	return put(out, cap, "%s", r->kode_induk);
}

static bk_status enum_label(const struct bk_column *col, const char *value, char *out, size_t cap)
{
	struct groups g;
	struct span v = whole(value);
	bk_status rc;

	if (!enum_has(col, v))
		return bk_fail(BK_ERR_FORMAT, "column '%s': a value is not one of the column's values", col->name);
	rc = parse_groups(col, &g);
	if (rc != BK_OK)
		return rc;
	for (size_t i = 0; i < g.n; i++)
		for (size_t m = g.first[i]; m < g.first[i] + g.count[i]; m++)
			if (span_eq(g.member[m], v))
				return put(out, cap, "%.*s", (int)g.name[i].n, g.name[i].s);
	return put(out, cap, "%s", value); /* in no group: its own */
}

bk_status bk_hierarchy_label(const struct bk_column *col, const struct bk_regions *regions, size_t level,
			     const char *value, char *out, size_t cap)
{
	size_t nlevels = bk_hierarchy_levels(col);
	struct parsed ps;
	bk_status rc = BK_OK;

	if (cap)
		out[0] = '\0';
	if (level >= nlevels) {
		rc = bk_fail(BK_ERR_USAGE, "column '%s': level %zu is not below its %zu levels", col->name, level,
			     nlevels);
		goto out;
	}
	if (level == nlevels - 1) {
		rc = put(out, cap, "*");
		goto out;
	}
	if (level == 0 || value[0] == '\0') {
		rc = put(out, cap, "%s", value);
		goto out;
	}
	if (col->type == BK_TYPE_ENUM) {
		rc = enum_label(col, value, out, cap);
		goto out;
	}
	rc = parse_list(col, &ps);
	if (rc != BK_OK)
		goto out;
	if (ps.nmiddle != nlevels - 2) {
		rc = bad(col, "cannot be parsed for a %s column", bk_coltype_name(col->type));
		goto out;
	}
	if (is_banded(col))
		rc = band_label(col, ps.band[level - 1], value, out, cap);
	else if (col->type == BK_TYPE_DATE)
		rc = date_label(col, ps.part[level - 1], value, out, cap);
	else if (col->type == BK_TYPE_REGION)
		rc = region_label(col, regions, ps.part[level - 1], value, out, cap);
	else
		rc = bad(col, "a %s column takes no hierarchy", bk_coltype_name(col->type));
out:
	if (rc != BK_OK && cap)
		out[0] = '\0';
	return rc;
}
