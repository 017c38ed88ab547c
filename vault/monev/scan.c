/* scan.c - what the reports read from the vault (scan.h). */
#include "vault/monev/scan.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vault/core/db.h"
#include "vault/core/stores.h"
#include "vault/core/vault_internal.h"

#define NONE MONEV_NONE


static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static size_t strmap_slot(const struct monev_strmap *m, const char *key)
{
	size_t i = (size_t)hash_str(key) & (m->cap - 1);

	while (m->keys[i] && strcmp(m->keys[i], key) != 0)
		i = (i + 1) & (m->cap - 1);
	return i;
}

size_t monev_strmap_get(const struct monev_strmap *m, const char *key)
{
	size_t i;

	if (m->cap == 0)
		return NONE;
	i = strmap_slot(m, key);
	return m->keys[i] ? m->vals[i] : NONE;
}

bk_status monev_strmap_put(struct monev_strmap *m, const char *key, size_t val)
{
	size_t i;

	if (2 * (m->n + 1) > m->cap) {
		struct monev_strmap grown = {calloc(m->cap ? 2 * m->cap : 64, sizeof(char *)),
				       calloc(m->cap ? 2 * m->cap : 64, sizeof(size_t)), m->cap ? 2 * m->cap : 64, m->n};

		if (!grown.keys || !grown.vals) {
			free(grown.keys);
			free(grown.vals);
			return bk_fail(BK_ERR_NOMEM, "out of memory");
		}
		for (size_t j = 0; j < m->cap; j++)
			if (m->keys[j]) {
				size_t k = strmap_slot(&grown, m->keys[j]);

				grown.keys[k] = m->keys[j];
				grown.vals[k] = m->vals[j];
			}
		free(m->keys);
		free(m->vals);
		*m = grown;
	}
	i = strmap_slot(m, key);
	if (m->keys[i])
		return BK_OK; /* the first one stays */
	if (!(m->keys[i] = strdup(key)))
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	m->vals[i] = val;
	m->n++;
	return BK_OK;
}

void monev_strmap_free(struct monev_strmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

void monev_bitmap_set(uint64_t *bits, int64_t value)
{
	uint64_t v = (uint64_t)value & (MONEV_BLIND_VALUES - 1);

	bits[v / 64] |= (uint64_t)1 << (v % 64);
}

uint64_t monev_distinct(uint64_t seen)
{
	if (seen >= MONEV_BLIND_VALUES)
		return seen; /* every value seen: a lower bound is all there is */
	return (uint64_t)llround(-(double)MONEV_BLIND_VALUES * log1p(-(double)seen / (double)MONEV_BLIND_VALUES));
}

uint64_t monev_bitmap_distinct(const uint64_t *bits)
{
	uint64_t seen = 0;

	if (!bits)
		return 0;
	for (size_t i = 0; i < MONEV_BITMAP_WORDS; i++)
		seen += (uint64_t)__builtin_popcountll(bits[i]);
	return monev_distinct(seen);
}

void monev_scope_release(struct monev_scope *sc)
{
	free(sc->kec);
	free(sc->desa);
	memset(sc, 0, sizeof(*sc));
}

/* The scope of the kecamatan named (all: limited 0) and their desa. */
static bk_status scope_build(const struct bk_regions *rg, const char (*names)[BK_CODE_MAX], size_t nnames, int limited,
			     struct monev_scope *sc)
{
	memset(sc, 0, sizeof(*sc));
	if (!rg->by_code)
		return bk_fail(BK_ERR_STATE, "the vault's regions are not loaded");
	sc->limited = limited;
	sc->kec = calloc(rg->count ? rg->count : 1, sizeof(*sc->kec));
	sc->desa = calloc(rg->count ? rg->count : 1, sizeof(*sc->desa));
	if (!sc->kec || !sc->desa) {
		monev_scope_release(sc);
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	}
	/* by_code is sorted, so each kecamatan comes before its desa */
	for (size_t i = 0; i < rg->count; i++) {
		const struct bk_region *r = rg->by_code[i];
		int in = !sc->limited;

		if (r->level == BK_REGION_KECAMATAN) {
			for (size_t j = 0; j < nnames && !in; j++)
				in = strcmp(names[j], r->kode) == 0;
			if (in)
				sc->kec[sc->nkec++] = r;
		} else if (r->level == BK_REGION_DESA) {
			for (size_t j = 0; j < sc->nkec && !in; j++)
				in = strcmp(sc->kec[j]->kode, r->kode_induk) == 0;
			if (in)
				sc->desa[sc->ndesa++] = r;
		}
	}
	return BK_OK;
}

bk_status monev_scope_init(struct bk_vault *v, struct monev_scope *sc)
{
	const struct bk_keyring_user *me = bk_vault_me(v);

	return scope_build(&v->regions, me->scope, me->nscope, bk_vault_role(v) != BK_ROLE_ADMIN && me->nscope > 0,
			   sc);
}

bk_status monev_scope_whole(const struct bk_regions *regions, struct monev_scope *sc)
{
	return scope_build(regions, NULL, 0, 0, sc);
}

static int region_cmp(const void *key, const void *item)
{
	return strcmp(key, (*(const struct bk_region *const *)item)->kode);
}

size_t monev_region_index(const struct bk_region *const *list, size_t n, const char *code, size_t *last)
{
	const struct bk_region *const *hit;

	if (!code)
		return NONE;
	if (*last < n && strcmp(list[*last]->kode, code) == 0)
		return *last;
	hit = bsearch(code, list, n, sizeof(*list), region_cmp);
	if (!hit)
		return NONE;
	*last = (size_t)(hit - list);
	return *last;
}

bk_status monev_require_scope(struct bk_vault *v, const char *dataset, const struct monev_scope *sc)
{
	bk_status rc = BK_OK;

	if (!sc->limited)
		return bk_vault_require(v, BK_ACT_REPORT, dataset, BK_COL_NONE, NULL);
	if (sc->nkec == 0) /* fail closed: a scope that names no kecamatan of this vault */
		return bk_vault_require(v, BK_ACT_REPORT, dataset, BK_COL_NONE, NULL);
	for (size_t i = 0; i < sc->nkec && rc == BK_OK; i++)
		rc = bk_vault_require(v, BK_ACT_REPORT, dataset, BK_COL_NONE, sc->kec[i]->kode);
	return rc;
}

bk_status monev_require_seen(struct bk_vault *v, const char *dataset, const struct monev_scope *sc,
			      const unsigned char *seen)
{
	bk_status rc = BK_OK;

	for (size_t i = 0; i < sc->nkec && rc == BK_OK; i++)
		if (seen[i])
			rc = bk_vault_require(v, BK_ACT_REPORT, dataset, BK_COL_NONE, sc->kec[i]->kode);
	return rc;
}

bk_status monev_unplaced_row(const char *dataset, const char *kecamatan)
{
	bk_hint("rows are placed by the region file the vault was created with");
	return bk_fail(BK_ERR_CORRUPT, "%s: a row names kecamatan '%.20s', which is %s", dataset,
		       kecamatan ? kecamatan : "", kecamatan ? "not a kecamatan of this vault" : "missing");
}

/* Loads a dataset's schema and checks that the columns are there and plain. */
bk_status monev_need_dataset(struct bk_vault *v, const char *name, const char *const *cols, struct bk_dataset *ds)
{
	bk_status rc = bk_dataset_load(v->db, name, ds);

	for (size_t i = 0; rc == BK_OK && cols[i]; i++) {
		int c = bk_dataset_column(ds, cols[i]);

		if (c < 0 || ds->cols[c].cls == BK_COL_IDENTIFIER || ds->cols[c].cls == BK_COL_SECRET) {
			rc = bk_fail(BK_ERR_STATE, "dataset '%s' has no plain column '%s' for the report", name, cols[i]);
			bk_dataset_release(ds);
		}
	}
	return rc;
}

/* Whether a dataset is registered (the reports use warga and inovasi when present). */
bk_status monev_have_dataset(struct bk_vault *v, const char *name, int *have_p)
{
	sqlite3_stmt *st = NULL;
	int src = sqlite3_prepare_v2(v->db, "SELECT 1 FROM datasets WHERE name = ?", -1, &st, NULL);

	*have_p = 0;
	if (src == SQLITE_OK)
		src = sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
		*have_p = 1;
		src = SQLITE_DONE;
	}
	sqlite3_finalize(st);
	return src == SQLITE_DONE ? BK_OK : bk_db_status(v->db, src, "looking up a dataset");
}

/* The scan of monev_prepare_scan_in with date bounds lo (inclusive) and hi
 * (exclusive), either NULL. */
static bk_status prepare_bounded(struct bk_vault *v, const char *file, const char *cols, const char *table,
				 const char *lo, const char *hi, const char *date_col, const struct monev_scope *sc,
				 const char *tail, sqlite3_stmt **st_p)
{
	size_t cap = 512 + sc->nkec * 2, n;
	char *sql = malloc(cap);
	int p = 1, src;
	bk_status rc = BK_OK;

	*st_p = NULL;
	if (!sql)
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	/* names are fixed here or were checked as [a-z][a-z0-9_]* by the schema parser */
	n = (size_t)snprintf(sql, cap, "SELECT %s FROM %s%s%s\"ds_%s\" WHERE 1", cols, file ? "\"" : "", file ? file : "",
			     file ? "\"." : "", table);
	if (lo)
		n += (size_t)snprintf(sql + n, cap - n, " AND \"%s\" >= ?", date_col);
	if (hi)
		n += (size_t)snprintf(sql + n, cap - n, " AND \"%s\" < ?", date_col);
	if (sc->limited) {
		n += (size_t)snprintf(sql + n, cap - n, sc->nkec ? " AND kecamatan IN (" : " AND 0");
		for (size_t i = 0; i < sc->nkec; i++)
			n += (size_t)snprintf(sql + n, cap - n, "%s?", i ? "," : "");
		n += (size_t)snprintf(sql + n, cap - n, sc->nkec ? ")" : "");
	}
	n += (size_t)snprintf(sql + n, cap - n, "%s", tail ? tail : "");
	if (n >= cap) {
		free(sql);
		return bk_fail(BK_ERR_STATE, "report query too long");
	}
	src = sqlite3_prepare_v2(v->db, sql, -1, st_p, NULL);
	if (src == SQLITE_OK && lo)
		src = sqlite3_bind_text(*st_p, p++, lo, -1, SQLITE_TRANSIENT);
	if (src == SQLITE_OK && hi)
		src = sqlite3_bind_text(*st_p, p++, hi, -1, SQLITE_TRANSIENT);
	for (size_t i = 0; sc->limited && src == SQLITE_OK && i < sc->nkec; i++)
		src = sqlite3_bind_text(*st_p, p++, sc->kec[i]->kode, -1, SQLITE_STATIC);
	if (src != SQLITE_OK) {
		rc = bk_db_status(v->db, src, "preparing the report");
		sqlite3_finalize(*st_p);
		*st_p = NULL;
	}
	free(sql);
	return rc;
}

bk_status monev_prepare_scan_in(struct bk_vault *v, const char *file, const char *cols, const char *table, int year,
				const char *date_col, const struct monev_scope *sc, const char *tail, sqlite3_stmt **st_p)
{
	char lo[24], hi[24];

	snprintf(lo, sizeof(lo), "%04d-01-01", year);
	snprintf(hi, sizeof(hi), "%04d-01-01", year + 1);
	return prepare_bounded(v, file, cols, table, year ? lo : NULL, year ? hi : NULL, date_col, sc, tail, st_p);
}

bk_status monev_prepare_scan_in_between(struct bk_vault *v, const char *file, const char *cols, const char *table,
					const char *from, const char *before, const char *date_col,
					const struct monev_scope *sc, const char *tail, sqlite3_stmt **st_p)
{
	return prepare_bounded(v, file, cols, table, from, before, date_col, sc, tail, st_p);
}

bk_status monev_prepare_scan_between(struct bk_vault *v, const char *cols, const char *table, const char *from,
				     const char *before, const char *date_col, const struct monev_scope *sc,
				     const char *tail, sqlite3_stmt **st_p)
{
	return prepare_bounded(v, NULL, cols, table, from, before, date_col, sc, tail, st_p);
}

bk_status monev_prepare_scan(struct bk_vault *v, const char *cols, const char *table, int year, const char *date_col,
			      const struct monev_scope *sc, const char *tail, sqlite3_stmt **st_p)
{
	return monev_prepare_scan_in(v, NULL, cols, table, year, date_col, sc, tail, st_p);
}

bk_status monev_audit_report(struct bk_vault *v, const char *dataset, const char *target, uint64_t rows)
{
	struct bk_audit_entry e;
	bk_status rc;

	bk_audit_entry_init(&e);
	e.action = "report";
	e.dataset = dataset;
	e.target = target;
	e.rows = (long long)rows;
	if ((rc = bk_vault_begin(v)))
		return rc;
	if ((rc = bk_vault_audit(v, &e)) || (rc = bk_vault_commit(v))) {
		bk_vault_rollback(v);
		return rc;
	}
	return BK_OK;
}

bk_status monev_report_begin(struct bk_vault *v, int year, uint64_t min_cell, struct monev_scope *sc)
{
	if (year != 0 && (year < 1900 || year > 9999))
		return bk_fail(BK_ERR_USAGE, "--year must be 1900 to 9999");
	if (min_cell < 1 || min_cell > MONEV_MIN_CELL_MAX)
		return bk_fail(BK_ERR_USAGE, "--min-cell must be 1 to %d", MONEV_MIN_CELL_MAX);
	return monev_scope_init(v, sc);
}


bk_status monev_read_registry(struct bk_vault *v, monev_registry_row_fn row, void *ctx)
{
	static const char *const cols[] = {"kode", "nama", "opd", NULL};
	struct bk_dataset ds;
	sqlite3_stmt *st = NULL;
	char sql[160];
	int have, src;
	bk_status rc;

	if ((rc = monev_have_dataset(v, "inovasi", &have)) || !have)
		return rc;
	if ((rc = monev_need_dataset(v, "inovasi", cols, &ds)))
		return rc;
	snprintf(sql, sizeof(sql), "SELECT kode, nama, opd, %s, %s FROM ds_inovasi ORDER BY kode, id",
		 bk_dataset_column(&ds, "cakupan") >= 0 ? "cakupan" : "NULL",
		 bk_dataset_column(&ds, "tanggal_penerapan") >= 0 ? "tanggal_penerapan" : "NULL");
	bk_dataset_release(&ds);
	src = sqlite3_prepare_v2(v->db, sql, -1, &st, NULL);
	while (rc == BK_OK && src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
		struct monev_registry_row r = {
			(const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1),
			(const char *)sqlite3_column_text(st, 2), (const char *)sqlite3_column_text(st, 3),
			(const char *)sqlite3_column_text(st, 4),
		};

		src = SQLITE_OK;
		if (r.kode)
			rc = row(ctx, &r);
	}
	if (rc == BK_OK && src != SQLITE_DONE)
		rc = bk_db_status(v->db, src, "reading the innovation registry");
	sqlite3_finalize(st);
	return rc;
}

/* Marks the desa of the scope that one cakupan code names; 0 when it names
 * no region of the vault. */
static int plan_code(const struct bk_regions *regions, const struct monev_scope *sc, const char *code,
		     unsigned char *plan)
{
	const struct bk_region *r = bk_regions_find(regions, BK_REGION_DESA, code);
	size_t last = 0, d;

	if (r && strcmp(r->kode, code) == 0) {
		if ((d = monev_region_index(sc->desa, sc->ndesa, code, &last)) != NONE)
			plan[d] = 1;
		return 1;
	}
	r = bk_regions_find(regions, BK_REGION_KECAMATAN, code);
	if (r && strcmp(r->kode, code) == 0) {
		for (d = 0; d < sc->ndesa; d++)
			plan[d] |= strcmp(sc->desa[d]->kode_induk, code) == 0;
		return 1;
	}
	if (regions->count && strcmp(regions->items[0].kode, code) == 0) { /* the kabupaten */
		memset(plan, 1, sc->ndesa);
		return 1;
	}
	return 0;
}

int monev_plan(const struct bk_regions *regions, const struct monev_scope *sc, const char *cakupan, unsigned char *plan,
	       uint32_t *unknown_p)
{
	char code[24];
	int given = 0;

	*unknown_p = 0;
	for (const char *p = cakupan; p && *p;) {
		size_t len = 0;

		/* codes are digits and dots; anything else separates them */
		while (*p && !((*p >= '0' && *p <= '9') || *p == '.'))
			p++;
		while (p[len] && ((p[len] >= '0' && p[len] <= '9') || p[len] == '.'))
			len++;
		if (!len)
			break;
		given = 1;
		snprintf(code, sizeof(code), "%.*s", (int)(len < sizeof(code) ? len : sizeof(code) - 1), p);
		if (len >= sizeof(code) || !plan_code(regions, sc, code, plan))
			(*unknown_p)++;
		p += len;
	}
	return given;
}

bk_status monev_scan_pemanfaatan(struct bk_vault *v, const struct monev_scope *sc, int year, const char *from,
				 const char *before, sqlite3_stmt **st_p)
{
	static const char *const cols[] = {"kode_inovasi", "tanggal", "kanal", "desa", NULL};
	struct bk_dataset ds;
	char sel[160];
	int have_bi;
	bk_status rc;

	*st_p = NULL;
	if ((rc = monev_need_dataset(v, "pemanfaatan", cols, &ds)))
		return rc;
	have_bi = ds.subject_col >= 0 && ds.cols[ds.subject_col].blind_index;
	snprintf(sel, sizeof(sel), "kecamatan, kode_inovasi, tanggal, kanal, desa, %s%s%s", have_bi ? "\"" : "NULL",
		 have_bi ? ds.cols[ds.subject_col].name : "", have_bi ? "_bi\"" : "");
	bk_dataset_release(&ds);
	if (year)
		return monev_prepare_scan(v, sel, "pemanfaatan", year, "tanggal", sc, NULL, st_p);
	return monev_prepare_scan_between(v, sel, "pemanfaatan", from, before, "tanggal", sc, NULL, st_p);
}

bk_status monev_code_index(struct monev_last_code *last, const char *kode,
			   bk_status (*add)(void *ctx, const char *kode, size_t *g_p), void *ctx, size_t *g_p)
{
	size_t len;
	bk_status rc;

	if (!kode)
		kode = "";
	if (last->g != NONE && strcmp(kode, last->key) == 0) {
		*g_p = last->g;
		return BK_OK;
	}
	if ((rc = add(ctx, kode, g_p)))
		return rc;
	len = strlen(kode);
	last->g = len < sizeof(last->key) ? *g_p : NONE;
	if (last->g != NONE)
		memcpy(last->key, kode, len + 1);
	return BK_OK;
}
