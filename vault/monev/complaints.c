/* complaints.c - the complaints report of complaints.h. */
#include "vault/monev/complaints.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vault/core/db.h"
#include "vault/core/vault_internal.h"
#include "vault/monev/scan.h"

#define NONE MONEV_NONE

/* --- dates and medians --- */

/* Days from 0000-03-01 (Howard Hinnant's days_from_civil, proleptic Gregorian). */
static int64_t days_of(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe;
}

static int parse_date(const char *s, int64_t *days)
{
	int y, m, d;

	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return 0;
	y = atoi(s);
	m = atoi(s + 5);
	d = atoi(s + 8);
	if (m < 1 || m > 12 || d < 1 || d > 31)
		return 0;
	*days = days_of(y, m, d);
	return 1;
}

int32_t bk_days_between(const char *a, const char *b)
{
	int64_t x, y;

	if (!parse_date(a, &x) || !parse_date(b, &y) || y < x || y - x > INT32_MAX)
		return -1;
	return (int32_t)(y - x);
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

uint32_t bk_median_e1(uint32_t *v, size_t n)
{
	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), u32_cmp);
	if (n % 2)
		return v[n / 2] * 10;
	return (uint32_t)(((uint64_t)v[n / 2 - 1] + v[n / 2]) * 10 / 2); /* x.0 or x.5: exact */
}

/* --- finishing (pure) --- */

/* One table: the rows' counts under one enum (k columns) with margins. */
static bk_status suppress_table(struct bk_report_complaints *r, int status, size_t k)
{
	size_t n = r->nrows;
	uint64_t *cells = calloc(n * k + 1, sizeof(*cells));
	unsigned char *cell_hid = calloc(n * k + 1, 1), *row_hid = calloc(n + 1, 1), col_hid[BK_ENUM_VALUES_MAX] = {0};
	unsigned char grand = 0;
	bk_status rc = BK_OK;

	if (!cells || !cell_hid || !row_hid) {
		rc = bk_fail(BK_ERR_NOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < k; j++)
			cells[i * k + j] = status ? r->rows[i].by_status[j] : r->rows[i].by_kategori[j];
	for (size_t i = 0; i < n; i++)
		row_hid[i] = r->rows[i].total_hidden;
	grand = r->total.total_hidden;
	if ((rc = bk_suppress_2d(cells, n, k, r->min_cell, cell_hid, row_hid, col_hid, &grand)))
		goto out;
	for (size_t i = 0; i < n; i++) {
		r->rows[i].total_hidden |= row_hid[i];
		for (size_t j = 0; j < k; j++)
			(status ? r->rows[i].status_hidden : r->rows[i].kategori_hidden)[j] = cell_hid[i * k + j];
	}
	for (size_t j = 0; j < k; j++)
		(status ? r->total.status_hidden : r->total.kategori_hidden)[j] = col_hid[j];
	r->total.total_hidden |= grand;
out:
	if (rc != BK_OK) /* fail closed */
		for (size_t i = 0; i < n; i++) {
			r->rows[i].total_hidden = 1;
			memset(status ? r->rows[i].status_hidden : r->rows[i].kategori_hidden, 1, k);
		}
	free(cells);
	free(cell_hid);
	free(row_hid);
	return rc;
}

static void wipe(struct bk_complaints_row *x, size_t nk, size_t ns, uint64_t min_cell)
{
	if (x->total_hidden)
		x->total = 0;
	for (size_t j = 0; j < nk; j++)
		if (x->kategori_hidden[j])
			x->by_kategori[j] = 0;
	for (size_t j = 0; j < ns; j++)
		if (x->status_hidden[j])
			x->by_status[j] = 0;
	if (x->resolved < min_cell || x->total_hidden) { /* a median of few says who they were */
		x->median_known = 0;
		x->median_days_e1 = 0;
	}
}

bk_status bk_report_complaints_finish(struct bk_report_complaints *r)
{
	bk_status rc, rc2;

	memset(&r->total, 0, sizeof(r->total));
	snprintf(r->total.kode, sizeof(r->total.kode), "total");
	for (size_t i = 0; i < r->nrows; i++) {
		const struct bk_complaints_row *x = &r->rows[i];

		r->total.total += x->total;
		r->total.resolved += x->resolved;
		for (size_t j = 0; j < r->nkategori; j++)
			r->total.by_kategori[j] += x->by_kategori[j];
		for (size_t j = 0; j < r->nstatus; j++)
			r->total.by_status[j] += x->by_status[j];
	}
	if (r->nrows == 0) /* nothing to protect */
		return BK_OK;
	rc = suppress_table(r, 0, r->nkategori);
	rc2 = suppress_table(r, 1, r->nstatus);
	for (size_t i = 0; i < r->nrows; i++)
		wipe(&r->rows[i], r->nkategori, r->nstatus, r->min_cell);
	wipe(&r->total, r->nkategori, r->nstatus, r->min_cell);
	return rc ? rc : rc2;
}

static json_t *row_json(const struct bk_report_complaints *r, const struct bk_complaints_row *x, int labelled)
{
	json_t *o = json_object(), *k = json_object(), *s = json_object();

	if (labelled) {
		json_object_set_new(o, "kode", json_string(x->kode));
		json_object_set_new(o, "nama", json_string(x->nama));
	}
	json_object_set_new(o, "complaints", bk_report_count_json(x->total_hidden, x->total));
	for (size_t j = 0; j < r->nkategori; j++)
		json_object_set_new(k, r->kategori[j], bk_report_count_json(x->kategori_hidden[j], x->by_kategori[j]));
	for (size_t j = 0; j < r->nstatus; j++)
		json_object_set_new(s, r->status[j], bk_report_count_json(x->status_hidden[j], x->by_status[j]));
	json_object_set_new(o, "kategori", k);
	json_object_set_new(o, "status", s);
	json_object_set_new(o, "median_days_to_resolve",
			    x->median_known ? json_real(x->median_days_e1 / 10.0) : json_null());
	return o;
}

json_t *bk_report_complaints_json(const struct bk_report_complaints *r)
{
	json_t *o = json_object(), *rows = json_array();

	if (!o || !rows) {
		json_decref(o);
		json_decref(rows);
		return NULL;
	}
	json_object_set_new(o, "report", json_string("pengaduan"));
	json_object_set_new(o, "year", r->year ? json_integer(r->year) : json_null());
	json_object_set_new(o, "min_cell", json_integer((json_int_t)r->min_cell));
	for (size_t i = 0; i < r->nrows; i++)
		json_array_append_new(rows, row_json(r, &r->rows[i], 1));
	json_object_set_new(o, "inovasi", rows);
	json_object_set_new(o, "total", row_json(r, &r->total, 0));
	return o;
}

void bk_report_complaints_release(struct bk_report_complaints *r)
{
	free(r->rows);
	memset(r, 0, sizeof(*r));
}

/* --- from the vault --- */

struct build {
	struct bk_vault *v;
	struct bk_report_complaints *r;
	struct monev_scope sc;
	struct monev_strmap codes;
	size_t cap;
	uint32_t **days;   /* per row: days to resolve */
	size_t *ndays, *capdays;
	unsigned char *seen;
};

static bk_status add_row(void *ctx, const char *kode, size_t *idx_p)
{
	struct build *b = ctx;
	struct bk_report_complaints *r = b->r;
	size_t at = monev_strmap_get(&b->codes, kode);

	if (at != NONE) {
		*idx_p = at;
		return BK_OK;
	}
	if (r->nrows == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 32;
		struct bk_complaints_row *x = realloc(r->rows, cap * sizeof(*x));
		uint32_t **d = realloc(b->days, cap * sizeof(*d));
		size_t *nd = realloc(b->ndays, cap * sizeof(*nd)), *cd = realloc(b->capdays, cap * sizeof(*cd));

		if (x)
			r->rows = x;
		if (d)
			b->days = d;
		if (nd)
			b->ndays = nd;
		if (cd)
			b->capdays = cd;
		if (!x || !d || !nd || !cd)
			return bk_fail(BK_ERR_NOMEM, "out of memory");
		b->cap = cap;
	}
	at = r->nrows++;
	memset(&r->rows[at], 0, sizeof(r->rows[at]));
	b->days[at] = NULL;
	b->ndays[at] = b->capdays[at] = 0;
	snprintf(r->rows[at].kode, sizeof(r->rows[at].kode), "%s", kode);
	*idx_p = at;
	return monev_strmap_put(&b->codes, kode, at);
}

static bk_status registry_row(void *ctx, const struct monev_registry_row *row)
{
	struct build *b = ctx;
	size_t i, n = b->r->nrows;
	bk_status rc = add_row(b, row->kode, &i);

	if (rc == BK_OK && i == n)
		snprintf(b->r->rows[i].nama, sizeof(b->r->rows[i].nama), "%s", row->nama ? row->nama : "");
	return rc;
}

/* The position of value among an enum's values; NONE when it is none of them. */
static size_t value_index(char (*values)[64], size_t n, const char *value)
{
	for (size_t i = 0; value && i < n; i++)
		if (strcmp(values[i], value) == 0)
			return i;
	return NONE;
}

/* The schema's values of the enum column name, into out. */
static bk_status enum_values(const struct bk_dataset *ds, const char *name, char (*out)[64], size_t *n_p)
{
	int c = bk_dataset_column(ds, name);

	if (c < 0 || ds->cols[c].type != BK_TYPE_ENUM)
		return bk_fail(BK_ERR_STATE, "dataset 'pengaduan' has no enum column '%s' for the report", name);
	for (size_t i = 0; i < ds->cols[c].nvalues; i++)
		snprintf(out[i], 64, "%s", ds->cols[c].values[i]);
	*n_p = ds->cols[c].nvalues;
	return BK_OK;
}

static bk_status scan(struct build *b)
{
	static const char *const cols[] = {"kode_inovasi", "tanggal", "kategori", "status", NULL};
	struct bk_report_complaints *r = b->r;
	struct monev_last_code last = {NONE, ""};
	struct bk_dataset ds;
	sqlite3_stmt *st = NULL;
	size_t last_kec = 0;
	int done_col, src;
	bk_status rc;

	if ((rc = monev_need_dataset(b->v, "pengaduan", cols, &ds)))
		return rc;
	done_col = bk_dataset_column(&ds, "tanggal_selesai") >= 0 && ds.cols[bk_dataset_column(&ds, "tanggal_selesai")].type == BK_TYPE_DATE;
	if ((rc = enum_values(&ds, "kategori", r->kategori, &r->nkategori)) == BK_OK)
		rc = enum_values(&ds, "status", r->status, &r->nstatus);
	bk_dataset_release(&ds);
	if (rc || (rc = monev_prepare_scan(b->v,
					   done_col ? "kecamatan, kode_inovasi, tanggal, kategori, status, tanggal_selesai"
						    : "kecamatan, kode_inovasi, tanggal, kategori, status, NULL",
					   "pengaduan", r->year, "tanggal", &b->sc, NULL, &st)))
		return rc;
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		const char *kec = (const char *)sqlite3_column_text(st, 0);
		size_t k = monev_region_index(b->sc.kec, b->sc.nkec, kec, &last_kec), g, j;
		struct bk_complaints_row *x;
		int32_t days;

		if (k == NONE) {
			rc = monev_unplaced_row("pengaduan", kec);
			break;
		}
		b->seen[k] = 1;
		r->rows_read++;
		if ((rc = monev_code_index(&last, (const char *)sqlite3_column_text(st, 1), add_row, b, &g)))
			break;
		x = &r->rows[g];
		x->total++;
		if ((j = value_index(r->kategori, r->nkategori, (const char *)sqlite3_column_text(st, 3))) != NONE)
			x->by_kategori[j]++;
		if ((j = value_index(r->status, r->nstatus, (const char *)sqlite3_column_text(st, 4))) != NONE)
			x->by_status[j]++;
		days = bk_days_between((const char *)sqlite3_column_text(st, 2), (const char *)sqlite3_column_text(st, 5));
		if (days < 0)
			continue;
		if (b->ndays[g] == b->capdays[g]) {
			size_t cap = b->capdays[g] ? 2 * b->capdays[g] : 16;
			uint32_t *more = realloc(b->days[g], cap * sizeof(*more));

			if (!more) {
				rc = bk_fail(BK_ERR_NOMEM, "out of memory");
				break;
			}
			b->days[g] = more;
			b->capdays[g] = cap;
		}
		b->days[g][b->ndays[g]++] = (uint32_t)days;
		x->resolved++;
	}
	if (rc == BK_OK && src != SQLITE_DONE)
		rc = bk_db_status(b->v->db, src, "reading pengaduan");
	sqlite3_finalize(st);
	return rc;
}

static int row_cmp(const void *a, const void *b)
{
	return strcmp(((const struct bk_complaints_row *)a)->kode, ((const struct bk_complaints_row *)b)->kode);
}

bk_status bk_vault_report_complaints(struct bk_vault *v, const struct bk_report_complaints_opts *o,
				     struct bk_report_complaints *r)
{
	struct build b = {.v = v, .r = r};
	uint32_t *all = NULL;
	size_t nall = 0;
	char target[64];
	bk_status rc;

	memset(r, 0, sizeof(*r));
	r->year = o->year;
	r->min_cell = o->min_cell;
	if ((rc = monev_report_begin(v, o->year, o->min_cell, &b.sc)))
		return rc;
	if (!(b.seen = calloc(b.sc.nkec + 1, 1))) {
		rc = bk_fail(BK_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = monev_require_scope(v, "pengaduan", &b.sc)) || (rc = monev_read_registry(v, registry_row, &b)) ||
	    (rc = scan(&b)) || (rc = monev_require_seen(v, "pengaduan", &b.sc, b.seen)))
		goto out;
	/* medians: per innovation, and over all */
	for (size_t i = 0; i < r->nrows; i++)
		nall += b.ndays[i];
	if (nall && !(all = malloc(nall * sizeof(*all)))) {
		rc = bk_fail(BK_ERR_NOMEM, "out of memory");
		goto out;
	}
	nall = 0;
	for (size_t i = 0; i < r->nrows; i++) {
		if (!b.ndays[i])
			continue;
		memcpy(all + nall, b.days[i], b.ndays[i] * sizeof(*all));
		nall += b.ndays[i];
		r->rows[i].median_days_e1 = bk_median_e1(b.days[i], b.ndays[i]);
		r->rows[i].median_known = 1;
	}
	if ((rc = bk_report_complaints_finish(r)))
		goto out;
	if (nall && r->total.resolved >= r->min_cell && !r->total.total_hidden) {
		r->total.median_days_e1 = bk_median_e1(all, nall);
		r->total.median_known = 1;
	}
	if (r->nrows > 1)
		qsort(r->rows, r->nrows, sizeof(*r->rows), row_cmp);
	if (o->year)
		snprintf(target, sizeof(target), "pengaduan year %04d min-cell %llu", o->year,
			 (unsigned long long)o->min_cell);
	else
		snprintf(target, sizeof(target), "pengaduan min-cell %llu", (unsigned long long)o->min_cell);
	rc = monev_audit_report(v, "pengaduan", target, r->rows_read);
out:
	free(all);
	for (size_t i = 0; b.days && i < r->nrows; i++)
		free(b.days[i]);
	free(b.days);
	free(b.ndays);
	free(b.capdays);
	free(b.seen);
	monev_strmap_free(&b.codes);
	monev_scope_release(&b.sc);
	if (rc != BK_OK)
		bk_report_complaints_release(r);
	return rc;
}
