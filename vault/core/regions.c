/* regions.c - parsing and lookup of the region file (libcsv). */
#include "vault/core/regions.h"

#include "base/text.h"

#include <csv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_REGIONS 20000

struct parse_state {
	struct bk_regions *regions;
	const char *name;
	char fields[4][128];
	size_t nfields;
	size_t line;         /* line of the current record */
	size_t record;       /* 0 = header */
	bk_status rc;
	size_t next_line;    /* line where the next record starts */
};

static int code_ok(const char *s, size_t want_groups)
{
	/* "35" "." "05" ["." "01" ["." "2001"]] */
	static const size_t widths[] = {2, 2, 2, 4};
	size_t g = 0;

	while (g < want_groups) {
		for (size_t i = 0; i < widths[g]; i++, s++)
			if (*s < '0' || *s > '9')
				return 0;
		g++;
		if (g < want_groups) {
			if (*s != '.')
				return 0;
			s++;
		}
	}
	return *s == '\0';
}

static int text_ok(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

static void field_cb(void *data, size_t len, void *ctx)
{
	struct parse_state *st = ctx;

	if (st->rc != BK_OK)
		return;
	if (st->nfields >= 4) {
		st->rc = bk_fail(BK_ERR_FORMAT, "%s:%zu:%zu: more than 4 columns", st->name, st->line, st->nfields + 1);
		return;
	}
	if (len >= sizeof(st->fields[0]) || memchr(data, '\0', len)) {
		st->rc = bk_fail(BK_ERR_FORMAT, "%s:%zu:%zu: value too long or contains NUL", st->name, st->line,
				 st->nfields + 1);
		return;
	}
	memcpy(st->fields[st->nfields], data, len);
	st->fields[st->nfields][len] = '\0';
	st->nfields++;
}

static const struct bk_region *find_code(const struct bk_regions *r, const char *kode)
{
	for (size_t i = 0; i < r->count; i++)
		if (strcmp(r->items[i].kode, kode) == 0)
			return &r->items[i];
	return NULL;
}

/* region_header checks the header line. */
static void region_header(struct parse_state *st, size_t line)
{
	static const char *const header[] = {"kode", "nama", "tingkat", "kode_induk"};
	const char *h0 = st->fields[0];

	if (strncmp(h0, "\xef\xbb\xbf", 3) == 0)
		h0 += 3;
	for (size_t i = 0; i < 4; i++)
		if (strcmp(i ? st->fields[i] : h0, header[i]) != 0) {
			st->rc = bk_fail(BK_ERR_FORMAT, "%s:%zu:%zu: header must be kode,nama,tingkat,kode_induk", st->name,
					 line, i + 1);
			return;
		}
}

/* region_level sets the region's level from the tingkat column: the first region
 * is the kabupaten (or kota), then kecamatan and desa (or kelurahan). */
static void region_level(struct parse_state *st, size_t line, struct bk_region *it)
{
	const char *tingkat = st->fields[2];

	if (st->regions->count == 0) {
		if (strcmp(tingkat, "kabupaten") != 0 && strcmp(tingkat, "kota") != 0) {
			st->rc = bk_fail(BK_ERR_FORMAT, "%s:%zu:3: the first region must be the kabupaten or kota",
					 st->name, line);
			return;
		}
		it->level = BK_REGION_KABUPATEN;
	} else if (strcmp(tingkat, "kecamatan") == 0) {
		it->level = BK_REGION_KECAMATAN;
	} else if (strcmp(tingkat, "desa") == 0 || strcmp(tingkat, "kelurahan") == 0) {
		it->level = BK_REGION_DESA;
		it->kelurahan = tingkat[0] == 'k';
	} else {
		st->rc = bk_fail(BK_ERR_FORMAT, "%s:%zu:3: tingkat must be kecamatan, desa or kelurahan", st->name,
				 line);
	}
}

/* region_parent checks kode_induk: the region above, whose code begins
 * this one's, or for the kabupaten the province's code. */
static void region_parent(struct parse_state *st, size_t line, const struct bk_region *it)
{
	if (it->level != BK_REGION_KABUPATEN) {
		const struct bk_region *parent = find_code(st->regions, st->fields[3]);

		if (!parent || parent->level != it->level - 1 ||
		    strncmp(st->fields[0], parent->kode, strlen(parent->kode)) != 0)
			st->rc = bk_fail(BK_ERR_FORMAT, "%s:%zu:4: kode_induk is not the %s above this region",
					 st->name, line, it->level == BK_REGION_KECAMATAN ? "kabupaten" : "kecamatan");
	} else if (!code_ok(st->fields[3], 1)) {
		st->rc = bk_fail(BK_ERR_FORMAT, "%s:%zu:4: kode_induk must be the province code", st->name, line);
	}
}

static void record_cb(int term, void *ctx)
{
	struct parse_state *st = ctx;
	struct bk_regions *r = st->regions;
	struct bk_region *it;
	size_t line = st->line;

	(void)term;
	st->line = ++st->next_line;
	if (st->rc != BK_OK)
		return;
	if (st->nfields != 4) {
		st->rc = bk_fail(BK_ERR_FORMAT, "%s:%zu:%zu: expected 4 columns, found %zu", st->name, line,
				 st->nfields + 1, st->nfields);
		return;
	}
	st->nfields = 0;
	if (st->record++ == 0)
		return region_header(st, line);
	if (r->count >= MAX_REGIONS) {
		st->rc = bk_fail(BK_ERR_FORMAT, "%s:%zu:1: more than %d regions", st->name, line, MAX_REGIONS);
		return;
	}
	it = &r->items[r->count];
	memset(it, 0, sizeof(*it));
	region_level(st, line, it);
	if (st->rc != BK_OK)
		return;
	if (!code_ok(st->fields[0], (size_t)it->level + 2)) {
		st->rc = bk_fail(BK_ERR_FORMAT, "%s:%zu:1: not a %s code", st->name, line, st->fields[2]);
		return;
	}
	if (st->fields[1][0] == '\0' || strlen(st->fields[1]) >= sizeof(it->nama) || !text_ok(st->fields[1])) {
		st->rc = bk_fail(BK_ERR_FORMAT, "%s:%zu:2: name empty, too long or with control characters",
				 st->name, line);
		return;
	}
	if (find_code(r, st->fields[0])) {
		st->rc = bk_fail(BK_ERR_FORMAT, "%s:%zu:1: code appears twice", st->name, line);
		return;
	}
	region_parent(st, line, it);
	if (st->rc != BK_OK)
		return;
	/* lengths were checked above: codes by code_ok (at most 13), the name against nama */
	memcpy(it->kode, st->fields[0], strlen(st->fields[0]) + 1);
	memcpy(it->nama, st->fields[1], strlen(st->fields[1]) + 1);
	memcpy(it->kode_induk, st->fields[3], strlen(st->fields[3]) + 1);
	r->count++;
	if (it->level == BK_REGION_KECAMATAN)
		r->kecamatan_count++;
	else if (it->level == BK_REGION_DESA)
		r->desa_count++;
}

static int by_code_cmp(const void *a, const void *b)
{
	return strcmp((*(const struct bk_region *const *)a)->kode, (*(const struct bk_region *const *)b)->kode);
}

static int key_cmp(const void *key, const void *elem)
{
	return strcmp(key, (*(const struct bk_region *const *)elem)->kode);
}

bk_status bk_regions_parse(struct bk_regions *regions, const char *name, const char *text, size_t len)
{
	struct parse_state st;
	struct csv_parser p;
	bk_status rc = BK_OK;

	memset(regions, 0, sizeof(*regions));
	memset(&st, 0, sizeof(st));
	st.regions = regions;
	st.name = name;
	st.line = st.next_line = 1;
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0)
		return bk_fail(BK_ERR_NOMEM, "cannot start the CSV parser");
	regions->items = calloc(MAX_REGIONS, sizeof(*regions->items));
	if (!regions->items) {
		rc = bk_fail(BK_ERR_NOMEM, "out of memory reading '%s'", name);
		goto out;
	}
	if (csv_parse(&p, text, len, field_cb, record_cb, &st) != len || csv_fini(&p, field_cb, record_cb, &st) != 0) {
		if (st.rc == BK_OK)
			st.rc = bk_fail(BK_ERR_FORMAT, "%s:%zu:1: %s", name, st.line, csv_strerror(csv_error(&p)));
	}
	rc = st.rc;
	if (rc == BK_OK && (regions->count == 0 || regions->kecamatan_count == 0))
		rc = bk_fail(BK_ERR_FORMAT, "%s:1:1: no kabupaten/kota with kecamatan in the file", name);
	if (rc == BK_OK) {
		/* codes are looked up once per imported cell: sort them once */
		regions->by_code = malloc(regions->count * sizeof(*regions->by_code));
		if (!regions->by_code) {
			rc = bk_fail(BK_ERR_NOMEM, "out of memory reading '%s'", name);
			goto out;
		}
		for (size_t i = 0; i < regions->count; i++)
			regions->by_code[i] = &regions->items[i];
		qsort(regions->by_code, regions->count, sizeof(*regions->by_code), by_code_cmp);
	}
out:
	csv_free(&p);
	if (rc != BK_OK)
		bk_regions_release(regions);
	return rc;
}

bk_status bk_regions_builtin(struct bk_regions *regions)
{
	return bk_regions_parse(regions, "built-in regions", (const char *)bk_regions_builtin_csv,
				bk_regions_builtin_csv_len);
}

void bk_regions_release(struct bk_regions *regions)
{
	free(regions->by_code);
	free(regions->items);
	memset(regions, 0, sizeof(*regions));
}

const struct bk_region *bk_regions_find(const struct bk_regions *regions, enum bk_region_level level,
					const char *code_or_name)
{
	const struct bk_region *found = NULL;

	if (code_or_name[0] >= '0' && code_or_name[0] <= '9' && regions->by_code) {
		const struct bk_region *const *hit =
			bsearch(code_or_name, regions->by_code, regions->count, sizeof(*regions->by_code), key_cmp);

		if (hit && (*hit)->level == level)
			return *hit;
	}
	for (size_t i = 0; i < regions->count; i++) {
		const struct bk_region *it = &regions->items[i];

		if (it->level != level)
			continue;
		if (strcmp(it->kode, code_or_name) == 0)
			return it;
		/* a name can repeat in different kecamatan: ambiguous names do not resolve */
		if (strcasecmp(it->nama, code_or_name) == 0) {
			if (found)
				return NULL;
			found = it;
		}
	}
	return found;
}

const char *bk_regions_suggest(const struct bk_regions *regions, enum bk_region_level level, const char *s)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1, limit = strlen(s) / 3 + 1;

	for (size_t i = 0; i < regions->count; i++) {
		size_t d;

		if (regions->items[i].level != level)
			continue;
		d = bk_edit_distance(regions->items[i].nama, strlen(regions->items[i].nama), s, strlen(s));
		if (d < best_d) {
			best_d = d;
			best = regions->items[i].nama;
		}
	}
	return best_d <= limit ? best : NULL;
}
