/* fuzz_dataset.c - the dataset schema parser (inih underneath), plus the
 * promises a crash would not show: a schema it takes is whole (names unique,
 * scope and subject of the right type, hierarchies usable, the source kept
 * as given) and parses again alike, and a schema it refuses is named as
 * "fuzz:LINE:COLUMN: reason" with a place inside the text. */
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz.h"
#include "vault/schema/dataset.h"
#include "vault/schema/hierarchy.h"

static void check(int ok)
{
	if (!ok)
		abort();
}

/* The detail must name a line and column of text: "fuzz:LINE:COLUMN: ". */
static void check_place(const char *text, size_t len)
{
	const char *det = bk_error_detail(), *p;
	unsigned long line, col, l = 1;
	size_t start = 0, width;
	char *end;

	check(strncmp(det, "fuzz:", 5) == 0);
	line = strtoul(det + 5, &end, 10);
	check(*end == ':');
	col = strtoul(end + 1, &end, 10);
	check(*end == ':' && end[1] == ' ');
	for (size_t i = 0; i < len && l < line; i++)
		if (text[i] == '\n') {
			l++;
			start = i + 1;
		}
	check(line >= 1 && l == line);
	p = memchr(text + start, '\n', len - start);
	width = p ? (size_t)(p - (text + start)) : len - start;
	check(col >= 1 && col <= width + 1);
}

static void check_whole(const struct bk_dataset *ds, const char *text, size_t len)
{
	char *header = NULL;

	check(ds->name[0] && ds->ncols >= 1 && ds->ncols <= BK_COLUMNS_MAX);
	check(ds->approvals == 1 || ds->approvals == 2);
	check(ds->source && strlen(ds->source) == len && memcmp(ds->source, text, len) == 0);
	for (size_t i = 0; i < ds->ncols; i++) {
		const struct bk_column *c = &ds->cols[i];

		check(bk_dataset_column(ds, c->name) == (int)i);
		check((c->type == BK_TYPE_ENUM) == (c->nvalues > 0));
		check(c->min <= c->max);
		check(!c->hierarchy[0] || c->cls == BK_COL_QUASI);
		check(bk_hierarchy_check(c) == BK_OK);
	}
	check(ds->scope_col >= -1 && ds->scope_col < (int)ds->ncols);
	check(ds->subject_col >= -1 && ds->subject_col < (int)ds->ncols);
	if (ds->scope_col >= 0)
		check(ds->cols[ds->scope_col].required && (ds->cols[ds->scope_col].type == BK_TYPE_REGION ||
							   ds->cols[ds->scope_col].type == BK_TYPE_NIK));
	if (ds->subject_col >= 0)
		check(ds->cols[ds->subject_col].type == BK_TYPE_NIK);
	check(!bk_dataset_has_sealed(ds) || ds->scope_col >= 0);
	if (bk_dataset_template(ds, &header) == BK_OK) {
		check(strncmp(header, ds->cols[0].name, strlen(ds->cols[0].name)) == 0);
		free(header);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct bk_dataset ds, again;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (bk_dataset_parse(&ds, "fuzz", text, size) == BK_OK) {
		check_whole(&ds, text, size);
		check(bk_dataset_parse(&again, "fuzz", ds.source, size) == BK_OK);
		check(again.ncols == ds.ncols && again.scope_col == ds.scope_col && again.subject_col == ds.subject_col);
		bk_dataset_release(&again);
		bk_dataset_release(&ds);
	} else {
		check_place(text, size);
	}
	free(text);
	return 0;
}
