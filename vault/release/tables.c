/* tables.c - aggregate tables for evaluators: rows are counted into cells by
 * their labels as they come (a hash table per by-column, one over the label
 * tuples), then one finish lays the cells out in label order, adds noise,
 * suppresses (vault/monev/report.c's routines) and computes the totals and
 * measures. The rules are in tables.h. */
#include "vault/release/tables.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/secmem.h"
#include "vault/monev/report.h"

typedef __int128 i128;
typedef unsigned __int128 u128;

#define KEY_BITS 21 /* a label index in a packed tuple key; 2^21 > BK_TABLE_CELLS_MAX */
#define ABSENT ((size_t)-1)
#define HUGE ((i128)1 << 120) /* beyond it a sum is refused, so that ×100 cannot overflow */

enum { OPEN, FINISHED, FAILED };

/* One by-column's labels: in order of arrival, with a hash index. */
struct dim {
	char **labels;
	size_t n, cap;
	size_t *slots; /* label index + 1; 0 empty */
	size_t nslots; /* a power of two, at least twice n */
	int declared;
};

/* The rows of one label tuple so far. sum: Σ value (mean) or Σ each row's
 * total of answers (ikm). */
struct acc {
	uint64_t n;
	i128 sum;
};

struct bk_table {
	struct bk_table_spec spec;
	unsigned nunsur;              /* ikm: 9 or 10 */
	struct dim dim[BK_TABLE_BY_MAX];
	uint64_t *tkey;               /* per tuple: its packed label indices */
	struct acc *acc;              /* per tuple */
	struct bk_ikm_sums *ikm;      /* per tuple, ikm only */
	size_t ntuples, tcap;
	size_t *tslots, ntslots;
	int state;
	struct bk_table_entry *entries;
	size_t nentries, rows, cols;
};

/* --- measures' names --- */

static const char *const measure_names[BK_TABLE_MEASURE_COUNT] = {"count", "mean", "ikm", "ikm10"};

const char *bk_table_measure_name(enum bk_table_measure m)
{
	return (unsigned)m < BK_TABLE_MEASURE_COUNT ? measure_names[m] : "?";
}

bk_status bk_table_measure_parse(const char *text, enum bk_table_measure *m_p, char *col, size_t colcap)
{
	size_t n;

	col[0] = '\0';
	*m_p = BK_TABLE_COUNT;
	for (unsigned i = 0; i < BK_TABLE_MEASURE_COUNT; i++)
		if (i != BK_TABLE_MEAN && strcmp(text, measure_names[i]) == 0) {
			*m_p = (enum bk_table_measure)i;
			return BK_OK;
		}
	if (strncmp(text, "mean(", 5) == 0) {
		text += 5;
		n = strspn(text, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
		if (n > 0 && n < colcap && strcmp(text + n, ")") == 0) {
			memcpy(col, text, n);
			col[n] = '\0';
			*m_p = BK_TABLE_MEAN;
			return BK_OK;
		}
	}
	bk_hint("--measure takes count, mean(COLUMN), ikm or ikm10");
	return bk_fail(BK_ERR_USAGE, "unknown measure '%.40s'", text);
}

/* --- hashing --- */

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

static uint64_t hash_label(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return mix64(h);
}

/* Doubles a slot array to hold n + 1 entries at load 1/2, and re-inserts
 * every entry by its hash. */
static bk_status rehash(size_t **slots_p, size_t *nslots_p, size_t n, uint64_t (*hash)(const void *, size_t),
			const void *ctx)
{
	size_t ns = *nslots_p ? *nslots_p : 16, *slots;

	while (ns < 2 * (n + 1))
		ns *= 2;
	if (ns == *nslots_p)
		return BK_OK;
	if (!(slots = calloc(ns, sizeof(*slots))))
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		size_t h = (size_t)hash(ctx, i) & (ns - 1);

		while (slots[h])
			h = (h + 1) & (ns - 1);
		slots[h] = i + 1;
	}
	free(*slots_p);
	*slots_p = slots;
	*nslots_p = ns;
	return BK_OK;
}

static uint64_t dim_hash_at(const void *ctx, size_t i)
{
	return hash_label(((const struct dim *)ctx)->labels[i]);
}

static uint64_t tuple_hash_at(const void *ctx, size_t i)
{
	return mix64(((const struct bk_table *)ctx)->tkey[i]);
}

/* The index of label in d, or ABSENT. */
static size_t dim_find(const struct dim *d, const char *label)
{
	if (d->nslots == 0)
		return ABSENT;
	for (size_t h = (size_t)hash_label(label) & (d->nslots - 1); d->slots[h]; h = (h + 1) & (d->nslots - 1))
		if (strcmp(d->labels[d->slots[h] - 1], label) == 0)
			return d->slots[h] - 1;
	return ABSENT;
}

static bk_status dim_add(struct dim *d, size_t by, const char *label, size_t *idx_p)
{
	size_t h;
	char *copy;
	bk_status rc;

	if ((*idx_p = dim_find(d, label)) != ABSENT)
		return BK_OK;
	if (d->n >= BK_TABLE_CELLS_MAX)
		return bk_fail(BK_ERR_USAGE, "by-column %zu has more than %d labels", by + 1, BK_TABLE_CELLS_MAX);
	if ((rc = rehash(&d->slots, &d->nslots, d->n, dim_hash_at, d)))
		return rc;
	if (d->n == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 16;
		char **labels = realloc(d->labels, cap * sizeof(*labels));

		if (!labels)
			return bk_fail(BK_ERR_NOMEM, "out of memory");
		d->labels = labels;
		d->cap = cap;
	}
	if (!(copy = strdup(label)))
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	for (h = (size_t)hash_label(label) & (d->nslots - 1); d->slots[h]; h = (h + 1) & (d->nslots - 1))
		;
	d->labels[d->n] = copy;
	d->slots[h] = ++d->n;
	*idx_p = d->n - 1;
	return BK_OK;
}

static bk_status check_label(const char *label, size_t by)
{
	size_t n = 0;

	if (!label)
		return bk_fail(BK_ERR_USAGE, "by-column %zu: no label", by + 1);
	for (const unsigned char *p = (const unsigned char *)label; *p; p++, n++)
		if (*p < 0x20 || *p == 0x7f)
			return bk_fail(BK_ERR_USAGE, "by-column %zu: a label holds a control character", by + 1);
	if (n > BK_TABLE_LABEL_MAX)
		return bk_fail(BK_ERR_USAGE, "by-column %zu: a label is longer than %d bytes", by + 1,
			       BK_TABLE_LABEL_MAX);
	return BK_OK;
}

/* --- building --- */

bk_status bk_table_new(const struct bk_table_spec *spec, struct bk_table **t_p)
{
	struct bk_table *t;

	*t_p = NULL;
	if (spec->nby < 1 || spec->nby > BK_TABLE_BY_MAX)
		return bk_fail(BK_ERR_USAGE, "a table is grouped by 1 to %d columns, not %zu", BK_TABLE_BY_MAX, spec->nby);
	if ((unsigned)spec->measure >= BK_TABLE_MEASURE_COUNT)
		return bk_fail(BK_ERR_USAGE, "unknown measure");
	if (spec->measure == BK_TABLE_MEAN && spec->bounded && spec->lo > spec->hi)
		return bk_fail(BK_ERR_USAGE, "a mean's range runs from its low end to its high end");
	if (!(t = calloc(1, sizeof(*t))))
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	t->spec = *spec;
	if (spec->measure == BK_TABLE_IKM || spec->measure == BK_TABLE_IKM10) {
		/* every row gives every answer: its total lies in [nunsur, 4 nunsur] */
		t->nunsur = spec->measure == BK_TABLE_IKM ? BK_IKM_UNSUR_NATIONAL : BK_IKM_UNSUR;
		t->spec.bounded = 1;
		t->spec.lo = t->nunsur;
		t->spec.hi = 4 * (int64_t)t->nunsur;
	} else if (spec->measure == BK_TABLE_COUNT) {
		t->spec.bounded = 0;
	}
	*t_p = t;
	return BK_OK;
}

bk_status bk_table_declare(struct bk_table *t, size_t by, const char *label)
{
	size_t idx;
	bk_status rc;

	if (t->state != OPEN)
		return bk_fail(BK_ERR_STATE, "the table is finished");
	if (by >= t->spec.nby)
		return bk_fail(BK_ERR_USAGE, "the table has %zu by-columns, not %zu", t->spec.nby, by + 1);
	if (t->ntuples > 0)
		return bk_fail(BK_ERR_STATE, "labels are declared before the rows");
	if ((rc = check_label(label, by)) || (rc = dim_add(&t->dim[by], by, label, &idx)))
		return rc;
	t->dim[by].declared = 1;
	return BK_OK;
}

/* The tuple's accumulator index, made when new. */
static bk_status tuple_find(struct bk_table *t, uint64_t key, size_t *i_p)
{
	size_t h;
	bk_status rc;

	if (t->ntslots > 0)
		for (h = (size_t)mix64(key) & (t->ntslots - 1); t->tslots[h]; h = (h + 1) & (t->ntslots - 1))
			if (t->tkey[t->tslots[h] - 1] == key) {
				*i_p = t->tslots[h] - 1;
				return BK_OK;
			}
	if (t->ntuples == t->tcap) {
		size_t cap = t->tcap ? 2 * t->tcap : 64;
		uint64_t *tkey = realloc(t->tkey, cap * sizeof(*tkey));
		struct acc *acc;
		struct bk_ikm_sums *ikm;

		if (!tkey)
			return bk_fail(BK_ERR_NOMEM, "out of memory");
		t->tkey = tkey;
		if (!(acc = realloc(t->acc, cap * sizeof(*acc))))
			return bk_fail(BK_ERR_NOMEM, "out of memory");
		t->acc = acc;
		if (t->nunsur) {
			if (!(ikm = realloc(t->ikm, cap * sizeof(*ikm))))
				return bk_fail(BK_ERR_NOMEM, "out of memory");
			t->ikm = ikm;
		}
		t->tcap = cap;
	}
	if ((rc = rehash(&t->tslots, &t->ntslots, t->ntuples, tuple_hash_at, t)))
		return rc;
	for (h = (size_t)mix64(key) & (t->ntslots - 1); t->tslots[h]; h = (h + 1) & (t->ntslots - 1))
		;
	t->tkey[t->ntuples] = key;
	memset(&t->acc[t->ntuples], 0, sizeof(t->acc[0]));
	if (t->nunsur)
		memset(&t->ikm[t->ntuples], 0, sizeof(t->ikm[0]));
	t->tslots[h] = ++t->ntuples;
	*i_p = t->ntuples - 1;
	return BK_OK;
}

bk_status bk_table_add(struct bk_table *t, const char *const *keys, const int64_t *values, size_t nvalues)
{
	size_t want = t->nunsur ? t->nunsur : t->spec.measure == BK_TABLE_MEAN ? 1 : 0, idx[BK_TABLE_BY_MAX] = {0}, i = 0;
	uint64_t key = 0;
	int64_t v = 0;
	bk_status rc;

	if (t->state != OPEN)
		return bk_fail(BK_ERR_STATE, "the table is finished");
	if (nvalues != want)
		return bk_fail(BK_ERR_USAGE, "a %s row takes %zu values, not %zu", measure_names[t->spec.measure], want,
			       nvalues);
	if (!keys || (want > 0 && !values))
		return bk_fail(BK_ERR_USAGE, "a row needs its labels and values");
	/* everything that can refuse the row, before anything changes */
	for (size_t d = 0; d < t->spec.nby; d++) {
		if ((rc = check_label(keys[d], d)))
			return rc;
		if (t->dim[d].declared && (idx[d] = dim_find(&t->dim[d], keys[d])) == ABSENT) {
			bk_hint("declare every label of a by-column, or none");
			return bk_fail(BK_ERR_USAGE, "by-column %zu: a label outside the declared ones", d + 1);
		}
	}
	for (size_t k = 0; t->nunsur && k < want; k++) {
		if (values[k] < 1 || values[k] > 4)
			return bk_fail(BK_ERR_USAGE, "u%zu: an answer is 1 to 4", k + 1);
		v += values[k];
	}
	if (t->spec.measure == BK_TABLE_MEAN) {
		v = values[0];
		if (t->spec.bounded)
			v = v < t->spec.lo ? t->spec.lo : v > t->spec.hi ? t->spec.hi : v;
	}
	for (size_t d = 0; d < t->spec.nby; d++) {
		if (!t->dim[d].declared && (rc = dim_add(&t->dim[d], d, keys[d], &idx[d])))
			return rc;
		key |= (uint64_t)idx[d] << (KEY_BITS * d);
	}
	if ((rc = tuple_find(t, key, &i)))
		return rc;
	t->acc[i].n++;
	t->acc[i].sum += v;
	if (t->nunsur) {
		t->ikm[i].respondents++;
		for (size_t k = 0; k < want; k++) {
			t->ikm[i].sum[k] += (uint64_t)values[k];
			t->ikm[i].filled[k]++;
		}
	}
	return BK_OK;
}

/* --- finishing --- */

struct sortkey {
	const char *s;
	size_t idx;
};

static int cmp_sortkey(const void *a, const void *b)
{
	return strcmp(((const struct sortkey *)a)->s, ((const struct sortkey *)b)->s);
}

/* order[r]: the label at sorted position r; rank[i]: label i's position. */
static bk_status dim_sort(const struct dim *d, size_t *order, size_t *rank)
{
	struct sortkey *k = malloc((d->n ? d->n : 1) * sizeof(*k));

	if (!k)
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < d->n; i++)
		k[i] = (struct sortkey){d->labels[i], i};
	qsort(k, d->n, sizeof(*k), cmp_sortkey);
	for (size_t r = 0; r < d->n; r++) {
		order[r] = k[r].idx;
		rank[k[r].idx] = r;
	}
	free(k);
	return BK_OK;
}

/* num / den rounded half away from zero; den > 0. */
static i128 div_round_away(i128 num, u128 den)
{
	u128 a = num < 0 ? -(u128)num : (u128)num, q = a / den, r = a % den;

	q += r >= den - r;
	return num < 0 ? -(i128)q : (i128)q;
}

/* Noise scales as fractions: the count's k/ε or 2k/ε, the centred sum's
 * 2k(hi - lo)/ε; each reduced, and refused when it cannot be sampled. */
struct scales {
	uint64_t count_num, count_den, sum_num, sum_den;
};

static bk_status scale_of(u128 num, uint64_t den, uint64_t *num_p, uint64_t *den_p)
{
	u128 a = num, b = den;

	while (b) {
		u128 r = a % b;

		a = b;
		b = r;
	}
	num /= a;
	den = (uint64_t)(den / a);
	if (num > UINT64_MAX || num > (u128)den * BK_DP_SCALE_MAX) {
		bk_hint("a larger epsilon, a narrower range for the mean, or a table without epsilon");
		return bk_fail(BK_ERR_USAGE, "the noise this table needs is too large to be of use");
	}
	*num_p = (uint64_t)num;
	*den_p = den;
	return BK_OK;
}

static bk_status noise_scales(const struct bk_table *t, const struct bk_table_opts *o, unsigned k, struct scales *s)
{
	int split = t->spec.measure != BK_TABLE_COUNT; /* ε/2 for the count, ε/2 for the sum */
	u128 width = (u128)((uint64_t)t->spec.hi - (uint64_t)t->spec.lo), num;
	bk_status rc;

	memset(s, 0, sizeof(*s));
	if ((rc = scale_of((u128)k * o->eps_den * (split ? 2 : 1), o->eps_num, &s->count_num, &s->count_den)))
		return rc;
	if (!split || width == 0)
		return BK_OK; /* every value the same: the sum needs no noise */
	if (__builtin_mul_overflow((u128)2 * k * o->eps_den, width, &num))
		num = ~(u128)0; /* refused below as too large */
	return scale_of(num, o->eps_num, &s->sum_num, &s->sum_den);
}

/* A figure's measure from its count n and sum s (exact: Σ value; noisy: the
 * centred Σ (2v - lo - hi)), or for an exact ikm from its answers. */
static bk_status set_measure(const struct bk_table *t, int noisy, uint64_t n, i128 s, const struct bk_ikm_sums *ks,
			     struct bk_table_entry *e)
{
	struct bk_ikm_score sc;
	i128 lo = t->spec.lo, hi = t->spec.hi, v = 0;
	bk_status rc = BK_OK;

	memset(&sc, 0, sizeof(sc));
	if (t->spec.measure == BK_TABLE_COUNT || e->hidden || n == 0)
		return BK_OK;
	if (noisy) {
		/* 2 × the noisy sum: (lo + hi) n + centred sum, clamped to [2 lo n, 2 hi n] */
		i128 twice, low, high;

		if (n > ((uint64_t)1 << 54) || s > HUGE || s < -HUGE)
			return bk_fail(BK_ERR_USAGE, "a count or sum too large for a mean");
		twice = (lo + hi) * (i128)n + s; /* |lo + hi| <= 2^64, n <= 2^54 */
		low = 2 * lo * (i128)n;
		high = 2 * hi * (i128)n;
		twice = twice < low ? low : twice > high ? high : twice;
		if (t->nunsur) {
			if (twice > UINT64_MAX || 2 * (u128)n > UINT64_MAX)
				return bk_fail(BK_ERR_USAGE, "a count too large for an index");
			rc = bk_ikm_score_mean((uint64_t)twice, 2 * n, t->nunsur, &sc);
		} else {
			v = div_round_away(twice * 50, n);
		}
	} else if (t->nunsur) {
		rc = bk_ikm_score(ks, t->nunsur, &sc);
	} else {
		if (s > HUGE || s < -HUGE)
			return bk_fail(BK_ERR_USAGE, "a sum too large for a mean");
		v = div_round_away(s * 100, n);
	}
	if (rc)
		return rc;
	if (t->nunsur) {
		if (!sc.valid)
			return BK_OK;
		e->value_e2 = sc.converted_cents;
		e->ikm_e4 = sc.ikm_e4;
		e->mutu = sc.mutu;
		e->kinerja = sc.kinerja;
	} else {
		if (v > INT64_MAX || v < INT64_MIN)
			return bk_fail(BK_ERR_USAGE, "a mean too large to show");
		e->value_e2 = (int64_t)v;
	}
	e->has_value = 1;
	return BK_OK;
}

/* The figures of one grid: cells (count, sum, ikm sums) and their flags. */
struct grid {
	size_t ncells;
	uint64_t *cnt;
	i128 *sum;
	struct bk_ikm_sums *ikm;
	unsigned char *hid, *rowh, *colh, grandh;
};

static bk_status grid_alloc(struct grid *g, size_t ncells, size_t rows, size_t cols, int ikm)
{
	size_t n = ncells ? ncells : 1;

	memset(g, 0, sizeof(*g));
	g->ncells = ncells;
	g->cnt = calloc(n, sizeof(*g->cnt));
	g->sum = calloc(n, sizeof(*g->sum));
	g->ikm = ikm ? calloc(n, sizeof(*g->ikm)) : NULL;
	g->hid = calloc(n, 1);
	g->rowh = calloc(rows + 1, 1);
	g->colh = calloc(cols + 1, 1);
	if (!g->cnt || !g->sum || (ikm && !g->ikm) || !g->hid || !g->rowh || !g->colh)
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	return BK_OK;
}

static void grid_free(struct grid *g)
{
	size_t n = g->ncells ? g->ncells : 1;

	if (g->cnt)
		bk_wipe(g->cnt, n * sizeof(*g->cnt));
	if (g->sum)
		bk_wipe(g->sum, n * sizeof(*g->sum));
	if (g->ikm)
		bk_wipe(g->ikm, n * sizeof(*g->ikm));
	free(g->cnt);
	free(g->sum);
	free(g->ikm);
	free(g->hid);
	free(g->rowh);
	free(g->colh);
	memset(g, 0, sizeof(*g));
}

/* Adds the noise (with ε) in place: counts become the noisy counts, sums the
 * noisy centred sums; the exact answers are wiped. */
static bk_status add_noise(const struct bk_table *t, const struct bk_table_opts *o, const struct scales *sc,
			   struct grid *g)
{
	i128 mid2 = (i128)t->spec.lo + t->spec.hi;
	int64_t noise = 0;
	bk_status rc = BK_OK;

	for (size_t c = 0; c < g->ncells && rc == BK_OK; c++) {
		uint64_t n = g->cnt[c];
		i128 v;

		if ((rc = bk_dp_laplace(o->rnd, sc->count_num, sc->count_den, &noise)))
			break;
		v = (i128)n + noise;
		if (v > UINT64_MAX) {
			rc = bk_fail(BK_ERR_USAGE, "a count too large for noise");
			break;
		}
		g->cnt[c] = v < 0 ? 0 : (uint64_t)v; /* clamped at 0: post-processing */
		if (t->spec.measure == BK_TABLE_COUNT)
			continue;
		/* centred on the exact count: one row moves it by at most hi - lo */
		g->sum[c] = 2 * g->sum[c] - mid2 * (i128)n;
		if (sc->sum_num && (rc = bk_dp_laplace(o->rnd, sc->sum_num, sc->sum_den, &noise)) == BK_OK)
			g->sum[c] += noise;
	}
	if (g->ikm)
		bk_wipe(g->ikm, (g->ncells ? g->ncells : 1) * sizeof(*g->ikm));
	return rc;
}

static void free_tuples(struct bk_table *t)
{
	if (t->acc)
		bk_wipe(t->acc, t->tcap * sizeof(*t->acc));
	if (t->ikm)
		bk_wipe(t->ikm, t->tcap * sizeof(*t->ikm));
	free(t->tkey);
	free(t->acc);
	free(t->ikm);
	free(t->tslots);
	t->tkey = NULL;
	t->acc = NULL;
	t->ikm = NULL;
	t->tslots = NULL;
	t->ntuples = t->tcap = t->ntslots = 0;
}

/* A total's aggregate, built up from cells. */
struct agg {
	uint64_t n;
	i128 sum;
	struct bk_ikm_sums ikm;
};

static void agg_add(struct agg *a, const struct grid *g, size_t c)
{
	a->n += g->cnt[c];
	a->sum += g->sum[c];
	if (g->ikm)
		bk_ikm_sums_add(&a->ikm, &g->ikm[c]);
}

static bk_status set_entry(const struct bk_table *t, int noisy, struct bk_table_entry *e, enum bk_table_kind kind,
			   const struct agg *a, int hidden, uint64_t min_cell)
{
	e->kind = kind;
	e->hidden = hidden;
	e->primary = a->n > 0 && a->n < min_cell;
	e->complementary = hidden && !e->primary;
	e->count = hidden ? 0 : a->n;
	return set_measure(t, noisy, a->n, a->sum, &a->ikm, e);
}

/* The shape of a finished table: each by-column's labels in order, the
 * cells, and the R × C grid they are laid out in. */
struct layout {
	size_t nby, n[BK_TABLE_BY_MAX], *order[BK_TABLE_BY_MAX], *rank[BK_TABLE_BY_MAX], ncells, R, C;
};

/* finish_check_opts checks the options against the table and, for a noisy
 * table, works out the noise scales into *sc. */
static bk_status finish_check_opts(const struct bk_table *t, const struct bk_table_opts *o, unsigned k, int noisy,
				   struct scales *sc)
{
	bk_status rc = BK_OK;

	if (o->min_cell < 1 || o->min_cell > BK_REPORT_MIN_CELL_MAX) {
		rc = bk_fail(BK_ERR_USAGE, "--min-cell must be 1 to %d", BK_REPORT_MIN_CELL_MAX);
		goto out;
	}
	if (k > BK_TABLE_ROWS_PER_PERSON_MAX) {
		rc = bk_fail(BK_ERR_USAGE, "rows per person must be 1 to %d", BK_TABLE_ROWS_PER_PERSON_MAX);
		goto out;
	}
	if (!noisy)
		goto out;
	if ((rc = bk_dp_epsilon_check(o->eps_num, o->eps_den)))
		goto out;
	for (size_t d = 0; d < t->spec.nby; d++)
		if (!t->dim[d].declared) {
			bk_hint("declare the labels of every by-column from its hierarchy, not from the rows");
			rc = bk_fail(BK_ERR_USAGE, "by-column %zu: epsilon needs its labels declared", d + 1);
			goto out;
		}
	if (t->spec.measure == BK_TABLE_MEAN && !t->spec.bounded) {
		bk_hint("take the column's range from the schema or the request");
		rc = bk_fail(BK_ERR_USAGE, "a mean with epsilon needs a range for its values");
		goto out;
	}
	rc = noise_scales(t, o, k, sc);
out:
	return rc;
}

/* layout_make sorts each by-column's labels and sizes the grid; the caller
 * frees L's order and rank with layout_free, whatever this returns. */
static bk_status layout_make(struct bk_table *t, struct layout *L)
{
	size_t nby = L->nby;
	bk_status rc = BK_OK;

	for (size_t d = 0; d < nby; d++) {
		L->n[d] = t->dim[d].n;
		L->order[d] = malloc((L->n[d] ? L->n[d] : 1) * sizeof(**L->order));
		L->rank[d] = malloc((L->n[d] ? L->n[d] : 1) * sizeof(**L->rank));
		if (!L->order[d] || !L->rank[d]) {
			rc = bk_fail(BK_ERR_NOMEM, "out of memory");
			goto out;
		}
		if ((rc = dim_sort(&t->dim[d], L->order[d], L->rank[d])))
			goto out;
		if (L->n[d] != 0 && L->ncells > BK_TABLE_CELLS_MAX / L->n[d]) {
			bk_hint("group by fewer columns, or by coarser levels of their hierarchies");
			rc = bk_fail(BK_ERR_USAGE, "the table would have more than %d cells", BK_TABLE_CELLS_MAX);
			goto out;
		}
		L->ncells *= L->n[d];
	}
	L->R = nby == 1 ? L->n[0] : nby == 2 ? L->n[0] : L->n[0] * L->n[1];
	L->C = nby == 1 ? 0 : nby == 2 ? L->n[1] : L->n[2];
out:
	return rc;
}

static void layout_free(struct layout *L)
{
	for (size_t d = 0; d < L->nby; d++) {
		free(L->order[d]);
		free(L->rank[d]);
	}
}

/* grid_fill allocates the grid and moves each tuple's aggregate into its cell. */
static bk_status grid_fill(const struct bk_table *t, const struct layout *L, struct grid *g)
{
	bk_status rc;

	if ((rc = grid_alloc(g, L->ncells, L->R, L->C, t->nunsur != 0)))
		goto out;
	for (size_t i = 0; i < t->ntuples; i++) {
		size_t c = 0;

		for (size_t d = 0; d < L->nby; d++)
			c = c * L->n[d] + L->rank[d][(t->tkey[i] >> (KEY_BITS * d)) & (((uint64_t)1 << KEY_BITS) - 1)];
		g->cnt[c] = t->acc[i].n;
		g->sum[c] = t->acc[i].sum;
		if (g->ikm)
			g->ikm[c] = t->ikm[i];
	}
out:
	return rc;
}

/* grid_suppress hides the cells, and the totals, that would give away a
 * small count. */
static bk_status grid_suppress(const struct layout *L, uint64_t min_cell, struct grid *g)
{
	uint64_t total = 0;

	if (L->nby != 1)
		return bk_suppress_2d(g->cnt, L->R, L->C, min_cell, g->hid, g->rowh, g->colh, &g->grandh);
	for (size_t c = 0; c < L->ncells; c++)
		total += g->cnt[c];
	return bk_suppress_1d(g->cnt, L->ncells, total, min_cell, g->hid, &g->grandh);
}

/* cell_label: row r is (a) or (a, b); column j is the last by-column. */
static void cell_label(const struct bk_table *t, const struct layout *L, size_t r, size_t j, struct bk_table_entry *e)
{
	if (L->nby == 1) {
		e->key[0] = t->dim[0].labels[L->order[0][r]];
	} else if (L->nby == 2) {
		e->key[0] = t->dim[0].labels[L->order[0][r]];
		e->key[1] = t->dim[1].labels[L->order[1][j]];
	} else {
		e->key[0] = t->dim[0].labels[L->order[0][r / L->n[1]]];
		e->key[1] = t->dim[1].labels[L->order[1][r % L->n[1]]];
		e->key[2] = t->dim[2].labels[L->order[2][j]];
	}
}

/* entries_row sets row r's cells and its total, adding them up into the
 * column totals and the grand total. */
static bk_status entries_row(struct bk_table *t, const struct layout *L, const struct grid *g, int noisy,
			     uint64_t min_cell, size_t r, struct agg *col, struct agg *grand)
{
	size_t nby = L->nby, C = L->C, cc = nby == 1 ? 1 : C; /* cells per row */
	size_t base = nby == 1 ? r : r * (C + 1);
	struct agg row;
	bk_status rc = BK_OK;

	memset(&row, 0, sizeof(row));
	for (size_t j = 0; j < cc && rc == BK_OK; j++) {
		size_t c = r * cc + j;
		struct agg one;
		struct bk_table_entry *e = &t->entries[base + j];

		memset(&one, 0, sizeof(one));
		agg_add(&one, g, c);
		agg_add(&row, g, c);
		agg_add(&col[j], g, c);
		agg_add(grand, g, c);
		cell_label(t, L, r, j, e);
		rc = set_entry(t, noisy, e, BK_TABLE_CELL, &one, g->hid[c], min_cell);
	}
	if (nby > 1 && rc == BK_OK) {
		struct bk_table_entry *e = &t->entries[base + C];

		e->key[0] = t->dim[0].labels[L->order[0][nby == 2 ? r : r / L->n[1]]];
		if (nby == 3)
			e->key[1] = t->dim[1].labels[L->order[1][r % L->n[1]]];
		rc = set_entry(t, noisy, e, BK_TABLE_ROW_TOTAL, &row, g->rowh[r], min_cell);
	}
	bk_wipe(&row, sizeof(row));
	return rc;
}

/* entries_make lays out the entries: the (R + 1) × (C + 1) grid, or R cells
 * and a total. */
static bk_status entries_make(struct bk_table *t, const struct layout *L, const struct grid *g, int noisy,
			      uint64_t min_cell)
{
	size_t nby = L->nby, R = L->R, C = L->C;
	struct agg grand, *col = NULL;
	bk_status rc = BK_OK;

	memset(&grand, 0, sizeof(grand));
	t->nentries = nby == 1 ? R + 1 : (R + 1) * (C + 1);
	if (!(t->entries = calloc(t->nentries, sizeof(*t->entries)))) {
		rc = bk_fail(BK_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (!(col = calloc(C + 1, sizeof(*col)))) {
		rc = bk_fail(BK_ERR_NOMEM, "out of memory");
		goto out;
	}
	for (size_t r = 0; r < R && rc == BK_OK; r++)
		rc = entries_row(t, L, g, noisy, min_cell, r, col, &grand);
	for (size_t j = 0; nby > 1 && j < C && rc == BK_OK; j++) {
		struct bk_table_entry *e = &t->entries[R * (C + 1) + j];

		e->key[nby - 1] = t->dim[nby - 1].labels[L->order[nby - 1][j]];
		rc = set_entry(t, noisy, e, BK_TABLE_COL_TOTAL, &col[j], g->colh[j], min_cell);
	}
	if (rc == BK_OK)
		rc = set_entry(t, noisy, &t->entries[t->nentries - 1], BK_TABLE_GRAND_TOTAL, &grand, g->grandh,
			       min_cell);
out:
	if (col)
		bk_wipe(col, (C + 1) * sizeof(*col));
	bk_wipe(&grand, sizeof(grand));
	free(col);
	return rc;
}

bk_status bk_table_finish(struct bk_table *t, const struct bk_table_opts *o)
{
	struct layout L = {.nby = t->spec.nby, .n = {1, 1, 1}, .ncells = 1};
	unsigned k = o->rows_per_person ? o->rows_per_person : 1;
	int noisy = o->eps_num != 0 || o->eps_den != 0;
	struct grid g = {0};
	struct scales sc;
	bk_status rc = BK_OK;

	if (t->state != OPEN)
		return bk_fail(BK_ERR_STATE, "the table is finished");
	t->state = FAILED; /* until the end */
	if ((rc = finish_check_opts(t, o, k, noisy, &sc)))
		goto out;
	if ((rc = layout_make(t, &L)))
		goto out;
	if ((rc = grid_fill(t, &L, &g)))
		goto out;
	free_tuples(t);
	if (noisy && (rc = add_noise(t, o, &sc, &g)))
		goto out;
	/* suppression on the counts to be released */
	if ((rc = grid_suppress(&L, o->min_cell, &g)))
		goto out;
	if ((rc = entries_make(t, &L, &g, noisy, o->min_cell)))
		goto out;
	t->rows = L.R;
	t->cols = L.C;
	t->state = FINISHED;
out:
	if (rc != BK_OK) {
		/* fail closed: nothing of a half-finished table may be read */
		if (t->entries)
			bk_wipe(t->entries, t->nentries * sizeof(*t->entries));
		free(t->entries);
		t->entries = NULL;
		t->nentries = 0;
		free_tuples(t);
	}
	grid_free(&g);
	layout_free(&L);
	return rc;
}

/* --- reading --- */

const struct bk_table_entry *bk_table_entries(const struct bk_table *t, size_t *n_p)
{
	*n_p = t->state == FINISHED ? t->nentries : 0;
	return t->state == FINISHED ? t->entries : NULL;
}

void bk_table_dims(const struct bk_table *t, size_t *rows_p, size_t *cols_p)
{
	*rows_p = t->state == FINISHED ? t->rows : 0;
	*cols_p = t->state == FINISHED ? t->cols : 0;
}

void bk_table_entry_text(const struct bk_table *t, const struct bk_table_entry *e, struct bk_table_text *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t d = 0; d < t->spec.nby; d++)
		out->key[d] = e->key[d] ? e->key[d] : BK_TABLE_TOTAL;
	out->hidden = e->hidden;
	out->kinerja = "";
	if (e->hidden)
		snprintf(out->count, sizeof(out->count), "%s", BK_TABLE_HIDDEN);
	else
		snprintf(out->count, sizeof(out->count), "%llu", (unsigned long long)e->count);
	if (t->spec.measure == BK_TABLE_COUNT)
		return;
	if (e->hidden || !e->has_value) {
		const char *s = e->hidden ? BK_TABLE_HIDDEN : BK_TABLE_NONE;

		snprintf(out->value, sizeof(out->value), "%s", s);
		if (t->nunsur) {
			snprintf(out->mutu, sizeof(out->mutu), "%s", s);
			out->kinerja = s;
		}
		return;
	}
	{
		uint64_t a = e->value_e2 < 0 ? (uint64_t)0 - (uint64_t)e->value_e2 : (uint64_t)e->value_e2;

		snprintf(out->value, sizeof(out->value), "%s%llu.%02llu", e->value_e2 < 0 ? "-" : "",
			 (unsigned long long)(a / 100), (unsigned long long)(a % 100));
	}
	if (t->nunsur) {
		out->mutu[0] = e->mutu;
		out->kinerja = e->kinerja;
	}
}

void bk_table_free(struct bk_table *t)
{
	if (!t)
		return;
	free_tuples(t);
	for (size_t d = 0; d < BK_TABLE_BY_MAX; d++) {
		for (size_t i = 0; i < t->dim[d].n; i++)
			free(t->dim[d].labels[i]);
		free(t->dim[d].labels);
		free(t->dim[d].slots);
	}
	if (t->entries)
		bk_wipe(t->entries, t->nentries * sizeof(*t->entries));
	free(t->entries);
	free(t);
}
