/* adoption.c - the adoption series of adoption.h: periods, the pure
 * finishing (suppression), and one pass over pemanfaatan. */
#include "vault/monev/adoption.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vault/core/db.h"
#include "vault/core/vault_internal.h"
#include "vault/monev/scan.h"

#define NONE MONEV_NONE

/* --- finishing (pure) --- */

/* One innovation: its totals, then users against the series' and the uses
 * as a periods × kanal table with margins; what is hidden is wiped. */
static bk_status finish_one(struct bk_adoption_inovasi *x, uint64_t min_cell)
{
	size_t n = x->npoints;
	uint64_t *users = malloc((n + 1) * sizeof(*users)), *cells = malloc((2 * n + 1) * sizeof(*cells));
	unsigned char *users_hid = calloc(n + 1, 1), *cell_hid = calloc(2 * n + 1, 1), *row_hid = calloc(n + 1, 1);
	unsigned char col_hid[2] = {0, 0}, grand_hid = 0, users_total_hid = 0;
	bk_status rc = BK_OK;

	x->uses = x->daring = x->luring = 0;
	if (!users || !cells || !users_hid || !cell_hid || !row_hid) {
		rc = bk_fail(BK_ERR_NOMEM, "out of memory");
		goto out;
	}
	for (size_t p = 0; p < n; p++) {
		struct bk_adoption_point *pt = &x->points[p];

		pt->uses = pt->daring + pt->luring;
		users[p] = pt->users;
		cells[2 * p] = pt->daring;
		cells[2 * p + 1] = pt->luring;
		x->daring += pt->daring;
		x->luring += pt->luring;
	}
	x->uses = x->daring + x->luring;
	if (n == 0) /* registered, not used: no one to protect */
		goto out;
	if ((rc = bk_suppress_1d(users, n, x->users, min_cell, users_hid, &users_total_hid)))
		goto out;
	memcpy(row_hid, users_hid, n); /* a period whose people are hidden shows no uses either */
	if ((rc = bk_suppress_2d(cells, n, 2, min_cell, cell_hid, row_hid, col_hid, &grand_hid)))
		goto out;
	for (size_t p = 0; p < n; p++) {
		struct bk_adoption_point *pt = &x->points[p];

		pt->users_hidden = users_hid[p];
		pt->uses_hidden = row_hid[p];
		pt->daring_hidden = cell_hid[2 * p];
		pt->luring_hidden = cell_hid[2 * p + 1];
		if (pt->users_hidden)
			pt->users = 0;
		if (pt->uses_hidden)
			pt->uses = 0;
		if (pt->daring_hidden)
			pt->daring = 0;
		if (pt->luring_hidden)
			pt->luring = 0;
	}
	x->users_hidden = users_total_hid;
	x->daring_hidden = col_hid[0];
	x->luring_hidden = col_hid[1];
	x->uses_hidden = grand_hid;
	if (x->users_hidden)
		x->users = 0;
	if (x->daring_hidden)
		x->daring = 0;
	if (x->luring_hidden)
		x->luring = 0;
	if (x->uses_hidden)
		x->uses = 0;
out:
	if (rc != BK_OK) { /* fail closed: nothing of this innovation's people shows */
		for (size_t p = 0; p < n; p++) {
			struct bk_adoption_point *pt = &x->points[p];

			pt->users = pt->uses = pt->daring = pt->luring = 0;
			pt->users_hidden = pt->uses_hidden = pt->daring_hidden = pt->luring_hidden = 1;
		}
		x->users = x->uses = x->daring = x->luring = 0;
		x->users_hidden = x->uses_hidden = x->daring_hidden = x->luring_hidden = 1;
	}
	free(users);
	free(cells);
	free(users_hid);
	free(cell_hid);
	free(row_hid);
	return rc;
}

bk_status bk_report_adoption_finish(struct bk_report_adoption *r)
{
	bk_status rc = BK_OK;

	for (size_t i = 0; i < r->ninovasi; i++) {
		bk_status one = finish_one(&r->inovasi[i], r->min_cell);

		if (rc == BK_OK)
			rc = one;
	}
	return rc;
}

static json_t *since_json(int32_t since)
{
	return since == BK_ADOPTION_UNKNOWN ? json_null() : json_integer(since);
}

static json_t *point_json(const struct bk_adoption_point *pt)
{
	json_t *o = json_object();

	json_object_set_new(o, "period", json_string(pt->label));
	json_object_set_new(o, "since_penerapan", since_json(pt->since_penerapan));
	json_object_set_new(o, "uses", bk_report_count_json(pt->uses_hidden, pt->uses));
	json_object_set_new(o, "daring", bk_report_count_json(pt->daring_hidden, pt->daring));
	json_object_set_new(o, "luring", bk_report_count_json(pt->luring_hidden, pt->luring));
	json_object_set_new(o, "users", bk_report_count_json(pt->users_hidden, pt->users));
	json_object_set_new(o, "desa_new", json_integer(pt->desa_new));
	json_object_set_new(o, "desa_reached", json_integer(pt->desa_reached));
	return o;
}

json_t *bk_report_adoption_json(const struct bk_report_adoption *r)
{
	json_t *o = json_object(), *inov = json_array();
	char label[BK_PERIOD_LABEL_MAX];

	if (!o || !inov) {
		json_decref(o);
		json_decref(inov);
		return NULL;
	}
	json_object_set_new(o, "report", json_string("adoption"));
	json_object_set_new(o, "period", json_string(bk_period_name(r->period)));
	json_object_set_new(o, "year", r->year ? json_integer(r->year) : json_null());
	json_object_set_new(o, "from", r->from[0] ? json_string(r->from) : json_null());
	json_object_set_new(o, "to", r->to[0] ? json_string(r->to) : json_null());
	json_object_set_new(o, "min_cell", json_integer((json_int_t)r->min_cell));
	for (size_t i = 0; i < r->ninovasi; i++) {
		const struct bk_adoption_inovasi *x = &r->inovasi[i];
		json_t *row = json_object(), *points = json_array();

		json_object_set_new(row, "kode", json_string(x->kode));
		json_object_set_new(row, "nama", json_string(x->nama));
		json_object_set_new(row, "penerapan", x->penerapan[0] ? json_string(x->penerapan) : json_null());
		json_object_set_new(row, "desa_planned", json_integer(x->desa_planned));
		if (x->half_period >= 0)
			bk_period_label(label, x->half_period, r->period);
		json_object_set_new(row, "half_reached", x->half_period >= 0 ? json_string(label) : json_null());
		json_object_set_new(row, "half_since_penerapan", since_json(x->half_since_penerapan));
		json_object_set_new(row, "uses", bk_report_count_json(x->uses_hidden, x->uses));
		json_object_set_new(row, "daring", bk_report_count_json(x->daring_hidden, x->daring));
		json_object_set_new(row, "luring", bk_report_count_json(x->luring_hidden, x->luring));
		json_object_set_new(row, "users", bk_report_count_json(x->users_hidden, x->users));
		for (size_t p = 0; p < x->npoints; p++)
			json_array_append_new(points, point_json(&x->points[p]));
		json_object_set_new(row, "points", points);
		json_array_append_new(inov, row);
	}
	json_object_set_new(o, "inovasi", inov);
	return o;
}

void bk_report_adoption_release(struct bk_report_adoption *r)
{
	for (size_t i = 0; r->inovasi && i < r->ninovasi; i++)
		free(r->inovasi[i].points);
	free(r->inovasi);
	memset(r, 0, sizeof(*r));
}

/* --- from the vault --- */

/* Uses of one innovation in one period, by kanal. */
struct slot {
	uint64_t daring, luring;
};

/* What one pass gathers per innovation. */
struct work {
	struct slot *slots; /* periods base … base + nslots − 1 */
	int32_t base;
	size_t nslots;
	uint64_t *pairs;    /* period << 32 | blind index value: sorted and unique after compact */
	size_t npairs, cap;
	int32_t *first;     /* per desa of the scope: the first period it was reached in; -1 never */
	unsigned char *plan; /* per desa of the scope: planned; NULL: all */
	int32_t penerapan;  /* its period; -1 not known */
};

struct adopt_build {
	struct bk_vault *v;
	struct bk_report_adoption *r;
	struct monev_scope sc;
	struct monev_strmap codes;
	struct work *w;
	size_t cap;
	unsigned char *seen; /* per kecamatan of the scope */
	int32_t from_period; /* the first period the range admits; -1 none */
};

static bk_status add_inovasi(struct adopt_build *b, const char *kode, const char *nama, size_t *idx_p)
{
	struct bk_report_adoption *r = b->r;
	size_t at = monev_strmap_get(&b->codes, kode);

	if (at != NONE) {
		*idx_p = at;
		return BK_OK;
	}
	if (r->ninovasi == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 32;
		struct bk_adoption_inovasi *x = realloc(r->inovasi, cap * sizeof(*x));
		struct work *w = realloc(b->w, cap * sizeof(*w));

		if (x)
			r->inovasi = x;
		if (w)
			b->w = w;
		if (!x || !w)
			return bk_fail(BK_ERR_NOMEM, "out of memory");
		b->cap = cap;
	}
	at = r->ninovasi;
	memset(&r->inovasi[at], 0, sizeof(r->inovasi[at]));
	memset(&b->w[at], 0, sizeof(b->w[at]));
	r->ninovasi++; /* freed with the rest even when what follows fails */
	r->inovasi[at].half_period = -1;
	r->inovasi[at].half_since_penerapan = BK_ADOPTION_UNKNOWN;
	b->w[at].penerapan = -1;
	if (!(b->w[at].first = malloc((b->sc.ndesa + 1) * sizeof(*b->w[at].first))))
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	for (size_t d = 0; d < b->sc.ndesa; d++)
		b->w[at].first[d] = -1;
	snprintf(r->inovasi[at].kode, sizeof(r->inovasi[at].kode), "%s", kode);
	snprintf(r->inovasi[at].nama, sizeof(r->inovasi[at].nama), "%s", nama);
	*idx_p = at;
	return monev_strmap_put(&b->codes, kode, at);
}

static bk_status registry_row(void *ctx, const struct monev_registry_row *row)
{
	struct adopt_build *b = ctx;
	struct bk_adoption_inovasi *x;
	struct work *w;
	size_t i, n = b->r->ninovasi;
	uint32_t unknown = 0;
	bk_status rc;

	if ((rc = add_inovasi(b, row->kode, row->nama ? row->nama : "", &i)) || i < n)
		return rc;
	x = &b->r->inovasi[i];
	w = &b->w[i];
	if (row->penerapan && strlen(row->penerapan) == 10 && bk_period_of(row->penerapan, b->r->period) >= 0) {
		snprintf(x->penerapan, sizeof(x->penerapan), "%s", row->penerapan);
		w->penerapan = bk_period_of(row->penerapan, b->r->period);
	}
	if (!row->cakupan)
		return BK_OK;
	if (!(w->plan = calloc(b->sc.ndesa + 1, 1)))
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	if (!monev_plan(&b->v->regions, &b->sc, row->cakupan, w->plan, &unknown)) { /* an empty cakupan: the whole scope */
		free(w->plan);
		w->plan = NULL;
	}
	return BK_OK;
}

/* The slot of period, the series grown at either end to hold it. */
static struct slot *slot_of(struct work *w, int32_t period)
{
	if (!w->nslots) {
		if (!(w->slots = calloc(1, sizeof(*w->slots))))
			return NULL;
		w->base = period;
		w->nslots = 1;
	} else if (period < w->base) {
		size_t more = (size_t)(w->base - period);
		struct slot *s = realloc(w->slots, (w->nslots + more) * sizeof(*s));

		if (!s)
			return NULL;
		memmove(s + more, s, w->nslots * sizeof(*s));
		memset(s, 0, more * sizeof(*s));
		w->slots = s;
		w->nslots += more;
		w->base = period;
	} else if ((size_t)(period - w->base) >= w->nslots) {
		size_t n = (size_t)(period - w->base) + 1;
		struct slot *s = realloc(w->slots, n * sizeof(*s));

		if (!s)
			return NULL;
		memset(s + w->nslots, 0, (n - w->nslots) * sizeof(*s));
		w->slots = s;
		w->nslots = n;
	}
	return &w->slots[period - w->base];
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Sorts the pairs and drops repeats: one person using a service every week
 * is one pair a period, so the array stays near the number of users. */
static void compact(struct work *w)
{
	size_t n = 0;

	if (w->npairs < 2)
		return;
	qsort(w->pairs, w->npairs, sizeof(*w->pairs), u64_cmp);
	for (size_t i = 0; i < w->npairs; i++)
		if (n == 0 || w->pairs[i] != w->pairs[n - 1])
			w->pairs[n++] = w->pairs[i];
	w->npairs = n;
}

static bk_status add_pair(struct work *w, int32_t period, int64_t bi)
{
	if (w->npairs == w->cap) {
		uint64_t *p;

		compact(w);
		if (w->npairs < w->cap / 2)
			goto put;
		if (!(p = realloc(w->pairs, (w->cap ? 2 * w->cap : 1024) * sizeof(*p))))
			return bk_fail(BK_ERR_NOMEM, "out of memory");
		w->pairs = p;
		w->cap = w->cap ? 2 * w->cap : 1024;
	}
put:
	w->pairs[w->npairs++] = (uint64_t)(uint32_t)period << 32 | ((uint64_t)bi & (MONEV_BLIND_VALUES - 1));
	return BK_OK;
}

static bk_status code(void *ctx, const char *kode, size_t *g_p)
{
	return add_inovasi(ctx, kode, "", g_p);
}

/* The one pass over pemanfaatan. */
static bk_status scan(struct adopt_build *b, const char *before)
{
	struct bk_report_adoption *r = b->r;
	struct monev_last_code last = {NONE, ""};
	sqlite3_stmt *st = NULL;
	size_t last_kec = 0, last_desa = 0;
	int src;
	bk_status rc;

	if ((rc = monev_scan_pemanfaatan(b->v, &b->sc, r->year, r->from[0] ? r->from : NULL, before, &st)))
		return rc;
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		const char *kec = (const char *)sqlite3_column_text(st, MONEV_USE_KECAMATAN);
		const char *kanal = (const char *)sqlite3_column_text(st, MONEV_USE_KANAL);
		const char *desa = (const char *)sqlite3_column_text(st, MONEV_USE_DESA);
		size_t k = monev_region_index(b->sc.kec, b->sc.nkec, kec, &last_kec), g;
		size_t d = monev_region_index(b->sc.desa, b->sc.ndesa, desa, &last_desa);
		int32_t period = bk_period_of((const char *)sqlite3_column_text(st, MONEV_USE_TANGGAL), r->period);
		struct slot *s;
		struct work *w;

		if (k == NONE) {
			rc = monev_unplaced_row("pemanfaatan", kec);
			break;
		}
		b->seen[k] = 1;
		r->rows++;
		if (period < 0)
			continue; /* the schema makes tanggal a date: not reached */
		if ((rc = monev_code_index(&last, (const char *)sqlite3_column_text(st, MONEV_USE_KODE), code, b, &g)))
			break;
		w = &b->w[g];
		if (!(s = slot_of(w, period))) {
			rc = bk_fail(BK_ERR_NOMEM, "out of memory");
			break;
		}
		if (kanal && strcmp(kanal, "daring") == 0)
			s->daring++;
		else
			s->luring++;
		if (d != NONE && (w->first[d] < 0 || period < w->first[d]))
			w->first[d] = period;
		if (sqlite3_column_type(st, MONEV_USE_BI) != SQLITE_NULL &&
		    (rc = add_pair(w, period, sqlite3_column_int64(st, MONEV_USE_BI))))
			break;
	}
	if (rc == BK_OK && src != SQLITE_DONE)
		rc = bk_db_status(b->v->db, src, "reading pemanfaatan");
	sqlite3_finalize(st);
	return rc;
}

/* Innovation i's series: consecutive periods from the first use (or its
 * penerapan, when earlier and within the range) to the last use. */
static bk_status series(struct adopt_build *b, size_t i)
{
	struct bk_adoption_inovasi *x = &b->r->inovasi[i];
	struct work *w = &b->w[i];
	int32_t lo, hi;
	uint64_t *seen = NULL, distinct = 0;
	uint32_t before = 0, cum;
	size_t n;

	for (size_t d = 0; d < b->sc.ndesa; d++)
		x->desa_planned += !w->plan || w->plan[d];
	if (!w->nslots)
		return BK_OK; /* registered, never used in the range */
	lo = w->base;
	hi = w->base + (int32_t)w->nslots - 1;
	if (w->penerapan >= 0 && w->penerapan < lo && w->penerapan >= b->from_period)
		lo = w->penerapan;
	if (hi - lo + 1 > BK_ADOPTION_PERIODS_MAX)
		lo = hi - BK_ADOPTION_PERIODS_MAX + 1;
	n = (size_t)(hi - lo + 1);
	if (!(x->points = calloc(n, sizeof(*x->points))) || !(seen = calloc(n, sizeof(*seen))))
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	x->npoints = n;
	for (size_t p = 0; p < n; p++) {
		struct bk_adoption_point *pt = &x->points[p];
		int32_t period = lo + (int32_t)p;

		pt->period = period;
		bk_period_label(pt->label, period, b->r->period);
		pt->since_penerapan = w->penerapan >= 0 ? period - w->penerapan : BK_ADOPTION_UNKNOWN;
		if (period >= w->base && (size_t)(period - w->base) < w->nslots) {
			pt->daring = w->slots[period - w->base].daring;
			pt->luring = w->slots[period - w->base].luring;
		}
	}
	/* users: distinct index values per period, then over the series */
	compact(w);
	for (size_t j = 0; j < w->npairs; j++) {
		int32_t period = (int32_t)(w->pairs[j] >> 32);

		if (period >= lo && period <= hi)
			seen[period - lo]++;
	}
	for (size_t p = 0; p < n; p++)
		x->points[p].users = monev_distinct(seen[p]);
	for (size_t j = 0; j < w->npairs; j++) /* the index values alone, for the series' distinct users */
		w->pairs[j] = (int32_t)(w->pairs[j] >> 32) >= lo ? (w->pairs[j] & 0xffffffffu) : UINT64_MAX;
	if (w->npairs > 1)
		qsort(w->pairs, w->npairs, sizeof(*w->pairs), u64_cmp);
	for (size_t j = 0; j < w->npairs && w->pairs[j] != UINT64_MAX; j++)
		distinct += j == 0 || w->pairs[j] != w->pairs[j - 1];
	x->users = monev_distinct(distinct);
	free(seen);
	/* planned desa reached: first time per period, and so far */
	for (size_t d = 0; d < b->sc.ndesa; d++) {
		if ((w->plan && !w->plan[d]) || w->first[d] < 0)
			continue;
		if (w->first[d] < lo)
			before++;
		else if (w->first[d] <= hi)
			x->points[w->first[d] - lo].desa_new++;
	}
	cum = before;
	for (size_t p = 0; p < n; p++) {
		cum += x->points[p].desa_new;
		x->points[p].desa_reached = cum;
		if (x->half_period < 0 && x->desa_planned && 2 * (uint64_t)cum >= x->desa_planned) {
			x->half_period = x->points[p].period;
			x->half_since_penerapan = x->points[p].since_penerapan;
		}
	}
	return BK_OK;
}

static int inovasi_cmp(const void *a, const void *b)
{
	return strcmp(((const struct bk_adoption_inovasi *)a)->kode, ((const struct bk_adoption_inovasi *)b)->kode);
}

static int digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* A date the options give, "YYYY-MM-DD" of a real day. */
static int date_ok(const char *s)
{
	static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, m, d;

	if (!s || strlen(s) != 10 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' || !digits(s + 8, 2))
		return 0;
	y = atoi(s);
	m = atoi(s + 5);
	d = atoi(s + 8);
	if (y < 1900 || m < 1 || m > 12 || d < 1 || d > days[m - 1])
		return 0;
	return m != 2 || d < 29 || (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0));
}

static void work_free(struct adopt_build *b)
{
	for (size_t i = 0; b->w && i < b->r->ninovasi; i++) {
		free(b->w[i].slots);
		free(b->w[i].pairs);
		free(b->w[i].first);
		free(b->w[i].plan);
	}
	free(b->w);
	free(b->seen);
	monev_strmap_free(&b->codes);
	monev_scope_release(&b->sc);
}

bk_status bk_vault_report_adoption(struct bk_vault *v, const struct bk_report_adoption_opts *o,
				   struct bk_report_adoption *r)
{
	struct adopt_build b = {.v = v, .r = r, .from_period = -1};
	char before[16] = "", target[96];
	bk_status rc;

	memset(r, 0, sizeof(*r));
	r->period = o->period;
	r->year = o->year;
	r->min_cell = o->min_cell;
	if ((o->from && !date_ok(o->from)) || (o->to && !date_ok(o->to)))
		return bk_fail(BK_ERR_USAGE, "--from and --to take a date as YYYY-MM-DD");
	if (o->year && (o->from || o->to))
		return bk_fail(BK_ERR_USAGE, "give --year or --from/--to, not both");
	if (o->from && o->to && strcmp(o->from, o->to) > 0)
		return bk_fail(BK_ERR_USAGE, "--from %s is after --to %s", o->from, o->to);
	snprintf(r->from, sizeof(r->from), "%s", o->from ? o->from : "");
	snprintf(r->to, sizeof(r->to), "%s", o->to ? o->to : "");
	/* to is inclusive: a date is at most to exactly when it sorts before to + "~" */
	if (o->to)
		snprintf(before, sizeof(before), "%s~", o->to);
	if (o->from || o->year) {
		char jan1[16];

		snprintf(jan1, sizeof(jan1), "%04d-01-01", o->year);
		b.from_period = bk_period_of(o->from ? o->from : jan1, o->period);
	}
	if ((rc = monev_report_begin(v, o->year, o->min_cell, &b.sc)))
		return rc;
	if (!(b.seen = calloc(b.sc.nkec + 1, 1))) {
		rc = bk_fail(BK_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = monev_require_scope(v, "pemanfaatan", &b.sc)) || (rc = monev_read_registry(v, registry_row, &b)) ||
	    (rc = scan(&b, o->to ? before : NULL)) || (rc = monev_require_seen(v, "pemanfaatan", &b.sc, b.seen)))
		goto out;
	for (size_t i = 0; i < r->ninovasi && rc == BK_OK; i++)
		rc = series(&b, i);
	if (rc || (rc = bk_report_adoption_finish(r)))
		goto out;
	if (r->ninovasi > 1)
		qsort(r->inovasi, r->ninovasi, sizeof(*r->inovasi), inovasi_cmp);
	if (o->year)
		snprintf(target, sizeof(target), "adoption by %s year %04d min-cell %llu", bk_period_name(o->period),
			 o->year, (unsigned long long)o->min_cell);
	else
		snprintf(target, sizeof(target), "adoption by %s from %s to %s min-cell %llu", bk_period_name(o->period),
			 o->from ? o->from : "-", o->to ? o->to : "-", (unsigned long long)o->min_cell);
	rc = monev_audit_report(v, "pemanfaatan", target, r->rows);
out:
	work_free(&b);
	if (rc != BK_OK)
		bk_report_adoption_release(r);
	return rc;
}
