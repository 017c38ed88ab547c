/* fuzz_hierarchy.c - a quasi column's hierarchy parser and the labels of
 * values along it. The input is text:
 *
 *   TYPE [kecamatan]      int, date, enum, region, ... (a region column is desa unless told)
 *   HIERARCHY             as a schema writes it
 *   V1|V2|...             the enum's values (other types ignore the line)
 *   VALUE                 then one value per line, up to VALUES_MAX
 *
 * Besides crashes it checks what hierarchy.h promises of a hierarchy that
 * bk_hierarchy_check accepts: a value of the column's type has a label at
 * every level in the caller's 256 bytes (a whole number within the 10^12 a
 * schema allows, for bands), the top is "*", the levels form a
 * tree (two values sharing a label share every label above it), a band holds
 * its value and lies inside the band above, and no error detail quotes a
 * value. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tests/fuzz/fuzz.h"
#include "vault/schema/hierarchy.h"

#define VALUES_MAX 32
#define LABEL_CAP 256 /* what extract.c gives */

static void check(int ok)
{
	if (!ok)
		abort();
}

/* Takes the next line of [*p, end) into out (cap bytes), truncating it. */
static int next_line(const char **p, const char *end, char *out, size_t cap)
{
	const char *nl;
	size_t n;

	if (*p >= end)
		return 0;
	nl = memchr(*p, '\n', (size_t)(end - *p));
	n = (size_t)((nl ? nl : end) - *p);
	if (n >= cap)
		n = cap - 1;
	memcpy(out, *p, n);
	out[n] = '\0';
	*p = nl ? nl + 1 : end;
	return 1;
}

/* No run of 6 digits of the value may appear in the detail (a NIK, a date, a
 * region code in part). */
static void no_echo(const char *value)
{
	const char *det = bk_error_detail();
	size_t run = 0;

	for (size_t i = 0; value[i]; i++) {
		run = value[i] >= '0' && value[i] <= '9' ? run + 1 : 0;
		if (run >= 6)
			check(memmem(det, strlen(det), value + i - 5, 6) == NULL);
	}
}

/* A band label "LO-HI" (either may be negative). */
static int band(const char *label, long long *lo, long long *hi)
{
	char *end;

	*lo = strtoll(label, &end, 10);
	if (end == label || *end != '-')
		return 0;
	*hi = strtoll(end + 1, &end, 10);
	return *end == '\0';
}

static void parse_column(struct bk_column *col, char *line)
{
	char *sp = strchr(line, ' ');

	memset(col, 0, sizeof(*col));
	snprintf(col->name, sizeof(col->name), "fuzz");
	col->cls = BK_COL_QUASI;
	col->level = BK_REGION_DESA;
	col->type = BK_TYPE_COUNT;
	if (sp) {
		*sp = '\0';
		if (strcmp(sp + 1, "kecamatan") == 0)
			col->level = BK_REGION_KECAMATAN;
		else if (strcmp(sp + 1, "public") == 0)
			col->cls = BK_COL_PUBLIC;
	}
	for (unsigned t = 0; t < BK_TYPE_COUNT; t++)
		if (strcmp(line, bk_coltype_name((enum bk_coltype)t)) == 0)
			col->type = (enum bk_coltype)t;
}

/* The enum's values, as a schema would take them: 1 to 64 bytes each,
 * distinct ignoring case; 0 when the line is no such list. */
static int parse_values(struct bk_column *col, char *line, char store[][65])
{
	for (char *p = line; *p;) {
		size_t n = strcspn(p, "|");

		if (n == 0 || n > 64 || col->nvalues == BK_ENUM_VALUES_MAX)
			return 0;
		memcpy(store[col->nvalues], p, n);
		store[col->nvalues][n] = '\0';
		for (size_t i = 0; i < col->nvalues; i++)
			if (strcasecmp(store[i], store[col->nvalues]) == 0)
				return 0;
		col->values[col->nvalues] = store[col->nvalues];
		col->nvalues++;
		p += n + (p[n] == '|');
	}
	return col->nvalues > 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct bk_regions regions;
	static int have_regions;
	static char values[VALUES_MAX][LABEL_CAP], store[BK_ENUM_VALUES_MAX][65];
	static char label[VALUES_MAX][BK_HIERARCHY_LEVELS_MAX][LABEL_CAP];
	static int ok[VALUES_MAX][BK_HIERARCHY_LEVELS_MAX];
	const char *p = (const char *)data, *end = p + size;
	char line[LABEL_CAP];
	struct bk_column col;
	size_t nvalues = 0, levels;
	int valid;

	if (!have_regions) {
		if (bk_regions_builtin(&regions) != BK_OK)
			abort();
		have_regions = 1;
	}
	if (!next_line(&p, end, line, sizeof(line)))
		return 0;
	parse_column(&col, line);
	if (col.type == BK_TYPE_COUNT || !next_line(&p, end, col.hierarchy, sizeof(col.hierarchy)))
		return 0;
	if (next_line(&p, end, line, sizeof(line)) && col.type == BK_TYPE_ENUM && !parse_values(&col, line, store))
		return 0;
	while (nvalues < VALUES_MAX && next_line(&p, end, values[nvalues], sizeof(values[0])))
		nvalues++;

	valid = bk_hierarchy_check(&col) == BK_OK;
	levels = bk_hierarchy_levels(&col);
	if (valid)
		check(levels == (col.cls == BK_COL_QUASI ? 2 : 0) || (levels > 2 && levels <= BK_HIERARCHY_LEVELS_MAX));
	if (levels > BK_HIERARCHY_LEVELS_MAX)
		levels = BK_HIERARCHY_LEVELS_MAX; /* for a hierarchy refused, it only counts the parts */
	for (size_t v = 0; v < nvalues; v++) {
		for (size_t j = 0; j < levels; j++) {
			bk_status rc = bk_hierarchy_label(&col, &regions, j, values[v], label[v][j], LABEL_CAP);

			ok[v][j] = rc == BK_OK;
			check(ok[v][j] || label[v][j][0] == '\0');
			if (!valid || ok[v][j])
				continue;
			no_echo(values[v]);
			/* a label too long for the caller is the hierarchy's fault, not the value's */
			check(rc == BK_ERR_FORMAT || (j == 0 && strlen(values[v]) >= LABEL_CAP - 1));
		}
		if (!valid || !levels)
			continue;
		check(ok[v][levels - 1] && strcmp(label[v][levels - 1], "*") == 0);
		check(!ok[v][0] || strcmp(label[v][0], values[v]) == 0);
		if ((col.type == BK_TYPE_INT || col.type == BK_TYPE_SCORE1TO4) && values[v][0] && levels > 2 && ok[v][1]) {
			long long x = strtoll(values[v], NULL, 10), lo, hi, lo2, hi2;

			check(band(label[v][1], &lo, &hi) && lo <= x && x <= hi);
			for (size_t j = 2; j + 1 < levels; j++) {
				/* a value a schema allows (within 10^12) has every band; near the ends
				 * of long long the wider ones do not fit */
				check(ok[v][j] || x < -1000000000000LL || x > 1000000000000LL);
				if (!ok[v][j])
					break;
				check(band(label[v][j], &lo2, &hi2));
				check(lo2 <= lo && hi <= hi2 && hi2 - lo2 > hi - lo);
				lo = lo2;
				hi = hi2;
			}
		}
	}
	/* a tree: one parent per label, across values */
	for (size_t a = 0; valid && a < nvalues; a++)
		for (size_t b = a + 1; b < nvalues; b++)
			for (size_t j = 1; j + 1 < levels; j++)
				if (ok[a][j] && ok[b][j] && ok[a][j + 1] && ok[b][j + 1] &&
				    strcmp(label[a][j], label[b][j]) == 0)
					check(strcmp(label[a][j + 1], label[b][j + 1]) == 0);
	return 0;
}
