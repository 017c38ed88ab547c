/* anon.c - the anonymization engine: distinct tuples, class tables rolled up
 * along the lattice, a best-first search by a lower bound of the loss with
 * monotonicity pruning and Flash-like probing, and the independent re-check
 * of a released table. The model, the metric and the search are described in
 * anon.h. */
#include "vault/release/anon.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vault/schema/hierarchy.h"

_Static_assert(BK_ANON_LEVELS_MAX == BK_HIERARCHY_LEVELS_MAX, "a hierarchy's levels must fit the engine");

#define LOSS_TIE 1e-12    /* losses closer than this are equal */
#define ENTROPY_TOL 1e-9  /* entropy >= log l, within this */
#define CACHE_SLOTS 16    /* class tables kept for rolling up */

/* --- grouping equal keys ---
 *
 * group() numbers the distinct keys among n keys of width uint32 words. When
 * the words' ranges multiply to less than 2^64, the keys are packed into one
 * uint64 and put in order by an LSD radix sort: passes over arrays in order,
 * several times faster on a million rows than a hash table that jumps around
 * memory. Otherwise a hash table groups them. */

struct slot {
	uint64_t hash;
	uint32_t idx1;         /* index of the group's first key + 1; 0 = empty */
};

struct grouper {
	uint64_t *k[2];        /* packed keys, and the radix sort's second buffer */
	uint32_t *v[2];        /* key indexes, likewise; v[1] also holds first[] for the hash table */
	size_t cap;
	struct slot *s;
	size_t scap;
};

static bk_status grouper_reserve(struct grouper *G, size_t n)
{
	n = n ? n : 1;
	if (n == G->cap)
		return BK_OK;
	for (int b = 0; b < 2; b++) {
		uint64_t *k = realloc(G->k[b], n * sizeof(*k));
		uint32_t *v;

		if (k)
			G->k[b] = k;
		v = realloc(G->v[b], n * sizeof(*v));
		if (v)
			G->v[b] = v;
		if (!k || !v)
			return bk_fail(BK_ERR_NOMEM, "out of memory to group %zu keys", n);
	}
	G->cap = n;
	return BK_OK;
}

static void grouper_free(struct grouper *G)
{
	for (int b = 0; b < 2; b++) {
		free(G->k[b]);
		free(G->v[b]);
	}
	free(G->s);
	memset(G, 0, sizeof(*G));
}

static uint64_t hash_words(const uint32_t *w, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ n;

	for (size_t i = 0; i < n; i++) {
		h = (h ^ w[i]) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	h *= 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 29);
}

static int same_key(const uint32_t *a, const uint32_t *b, size_t width)
{
	for (size_t i = 0; i < width; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

static bk_status group_hash(struct grouper *G, const uint32_t *keys, size_t n, size_t width, uint32_t *grp,
			    size_t *ng_p)
{
	size_t cap = 16, mask, ng = 0;

	while (cap < 2 * n)
		cap *= 2;
	if (cap > G->scap) {
		struct slot *s = realloc(G->s, cap * sizeof(*s));

		if (!s)
			return bk_fail(BK_ERR_NOMEM, "out of memory for a hash table of %zu keys", n);
		G->s = s;
		G->scap = cap;
	}
	memset(G->s, 0, cap * sizeof(*G->s));
	mask = cap - 1;
	for (size_t i = 0; i < n; i++) {
		const uint32_t *key = keys + i * width;
		uint64_t h = hash_words(key, width);
		size_t at = (size_t)h & mask;

		for (;; at = (at + 1) & mask) {
			struct slot *s = &G->s[at];

			if (s->idx1 == 0) {
				s->hash = h;
				s->idx1 = (uint32_t)i + 1;
				G->v[1][ng] = (uint32_t)i;
				grp[i] = (uint32_t)ng++;
				break;
			}
			if (s->hash == h && same_key(keys + (size_t)(s->idx1 - 1) * width, key, width)) {
				grp[i] = grp[s->idx1 - 1];
				break;
			}
		}
	}
	*ng_p = ng;
	return BK_OK;
}

static void group_sort(struct grouper *G, size_t n, unsigned bits, uint32_t *grp, uint32_t **first_p, size_t *ng_p)
{
	size_t count[1u << 11]; /* 16 KiB */
	unsigned passes = (bits + 10) / 11, width = passes ? (bits + passes - 1) / passes : 0;
	int cur = 0;
	size_t ng = 0;

	for (unsigned p = 0; p < passes; p++) {
		unsigned shift = p * width;
		size_t nb = (size_t)1 << width, mask = nb - 1, sum = 0;
		const uint64_t *k = G->k[cur];
		const uint32_t *v = G->v[cur];
		uint64_t *k2 = G->k[!cur];
		uint32_t *v2 = G->v[!cur];

		memset(count, 0, nb * sizeof(*count));
		for (size_t i = 0; i < n; i++)
			count[(k[i] >> shift) & mask]++;
		for (size_t d = 0; d < nb; d++) {
			size_t c = count[d];

			count[d] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++) {
			size_t at = count[(k[i] >> shift) & mask]++;

			k2[at] = k[i];
			v2[at] = v[i];
		}
		cur = !cur;
	}
	*first_p = G->v[!cur]; /* the buffer not holding the result is free */
	for (size_t p = 0; p < n; p++) {
		if (p == 0 || G->k[cur][p] != G->k[cur][p - 1])
			(*first_p)[ng++] = G->v[cur][p];
		grp[G->v[cur][p]] = (uint32_t)(ng - 1);
	}
	*ng_p = ng;
}

/* Groups keys[0..n) (width words each; word w below radix[w]): grp[i] = the
 * group of key i, (*first_p)[g] = the index of a key of group g (in the
 * grouper's memory, valid until its next use), *ng_p = the number of groups. */
static bk_status group(struct grouper *G, const uint32_t *keys, size_t n, size_t width, const size_t *radix,
		       uint32_t *grp, uint32_t **first_p, size_t *ng_p)
{
	uint64_t mult[BK_ANON_QUASI_MAX + 1 + BK_ANON_SENSITIVE_MAX], top = 1;
	unsigned bits = 0;
	int fits = 1;
	bk_status rc;

	*ng_p = 0;
	rc = grouper_reserve(G, n > G->cap ? n : G->cap);
	if (rc != BK_OK)
		return rc;
	for (size_t w = width; w-- > 0;) {
		mult[w] = top;
		if (radix[w] && top > UINT64_MAX / radix[w])
			fits = 0;
		else
			top *= radix[w] ? radix[w] : 1;
	}
	if (!fits) {
		*first_p = G->v[1];
		return group_hash(G, keys, n, width, grp, ng_p);
	}
	for (top -= 1; top; top >>= 1)
		bits++;
	for (size_t i = 0; i < n; i++) {
		const uint32_t *key = keys + i * width;
		uint64_t p = 0;

		for (size_t w = 0; w < width; w++)
			p += key[w] * mult[w];
		G->k[0][i] = p;
		G->v[0][i] = (uint32_t)i;
	}
	group_sort(G, n, bits, grp, first_p, ng_p);
	return BK_OK;
}

/* --- class tables --- */

/* The rows at one node: classes (distinct generalized quasi tuples) with their
 * row counts and, when l-diversity is asked for, entries: distinct (class,
 * sensitive tuple) pairs with their row counts. */
struct table {
	uint8_t lv[BK_ANON_QUASI_MAX];
	size_t ncls, nent;
	uint32_t *ckey;   /* ncls * nquasi codes at lv */
	uint32_t *ccount;
	uint32_t *ekey;   /* nent * (1 + nsens): class, then the sensitive codes */
	uint32_t *ecount;
};

static void table_free(struct table *t)
{
	free(t->ckey);
	free(t->ccount);
	free(t->ekey);
	free(t->ecount);
	memset(t, 0, sizeof(*t));
}

static bk_status table_alloc(struct table *t, size_t ncls, size_t nq, size_t nent, size_t ewidth)
{
	t->ckey = malloc((ncls ? ncls : 1) * nq * sizeof(uint32_t));
	t->ccount = malloc((ncls ? ncls : 1) * sizeof(uint32_t));
	if (ewidth) {
		t->ekey = malloc((nent ? nent : 1) * ewidth * sizeof(uint32_t));
		t->ecount = malloc((nent ? nent : 1) * sizeof(uint32_t));
	}
	if (!t->ckey || !t->ccount || (ewidth && (!t->ekey || !t->ecount))) {
		table_free(t);
		return bk_fail(BK_ERR_NOMEM, "out of memory for a class table of %zu classes", ncls);
	}
	return BK_OK;
}

/* --- nodes --- */

/* What one evaluation of a node found. */
struct eval {
	int sat;           /* satisfies the model */
	int floor_fail;    /* fails a monotone model it implies: so does every node below */
	size_t suppressed;
	double loss;
};

struct memo {
	uint64_t id;
	struct eval e;
};

struct search {
	const struct bk_anon_input *in;
	size_t nq, ns;         /* ns: sensitive columns that matter (0 without l-diversity) */
	size_t ewidth;         /* 1 + ns, or 0 */
	int monotone;          /* the model itself is monotone (not entropy with a budget) */
	uint64_t radix[BK_ANON_QUASI_MAX]; /* node id = sum lv[i] * radix[i]: id order is lexicographic */
	uint32_t *leaves[BK_ANON_QUASI_MAX][BK_ANON_LEVELS_MAX]; /* level-0 codes under each code */
	uint64_t lbnum[BK_ANON_QUASI_MAX][BK_ANON_LEVELS_MAX];   /* sum over rows of leaves - 1 */
	double denom;          /* nrows * nquasi */

	struct table base;     /* distinct tuples at the bottom */
	uint32_t *row_class;   /* nrows: the row's class in base */

	/* scratch for one evaluation, sized for base */
	struct table out;
	uint32_t *cmap;        /* source class -> out class */
	uint8_t *ok;
	uint32_t *need;        /* per class: rows it must lose at this node and all below */
	int lists;             /* keep per-class value counts (entropy with a budget) */
	uint32_t *hoff, *hval; /* those counts: class c's at hval[hoff[c] .. hoff[c + 1]) */
	uint32_t *distinct;
	double *xlogx;
	uint32_t *kbuf;        /* keys to group: classes or entries */
	uint32_t *egrp;        /* entry -> out entry, or pair */
	uint32_t *pcount;      /* (class, one sensitive code) pairs, for nsens >= 2 */
	size_t srad[BK_ANON_SENSITIVE_MAX]; /* sensitive codes are below these */
	struct grouper G;

	struct table cache[CACHE_SLOTS];
	size_t ncache, cache_next, cache_words, cache_budget;

	struct memo *memo;     /* evaluated nodes, open addressing on id + 1 (0 = empty) */
	size_t memo_cap, memo_n;

	uint8_t (*fails)[BK_ANON_QUASI_MAX]; /* maximal nodes known to fail (and all below) */
	size_t nfails, fails_cap;
	uint8_t (*zeros)[BK_ANON_QUASI_MAX]; /* minimal nodes satisfying with nothing suppressed */
	size_t nzeros, zeros_cap;

	int found;
	uint8_t best[BK_ANON_QUASI_MAX];
	struct eval best_e;
	size_t checked;
};

static uint64_t node_id(const struct search *S, const uint8_t *lv)
{
	uint64_t id = 0;

	for (size_t i = 0; i < S->nq; i++)
		id += lv[i] * S->radix[i];
	return id;
}

static size_t node_height(const struct search *S, const uint8_t *lv)
{
	size_t h = 0;

	for (size_t i = 0; i < S->nq; i++)
		h += lv[i];
	return h;
}

/* The loss with nothing suppressed: a lower bound of the loss, computed in
 * the same order as the loss so that it stays below it in floating point. */
static double node_bound(const struct search *S, const uint8_t *lv)
{
	double sum = 0;

	for (size_t i = 0; i < S->nq; i++) {
		size_t d = S->in->hier[i].ncodes[0];

		if (d > 1)
			sum += (double)S->lbnum[i][lv[i]] / (double)(d - 1);
	}
	return sum / S->denom;
}

static int leq(const struct search *S, const uint8_t *a, const uint8_t *b)
{
	for (size_t i = 0; i < S->nq; i++)
		if (a[i] > b[i])
			return 0;
	return 1;
}

static int known_fail(const struct search *S, const uint8_t *lv)
{
	for (size_t i = 0; i < S->nfails; i++)
		if (leq(S, lv, S->fails[i]))
			return 1;
	return 0;
}

static int above_zero(const struct search *S, const uint8_t *lv)
{
	for (size_t i = 0; i < S->nzeros; i++)
		if (leq(S, S->zeros[i], lv))
			return 1;
	return 0;
}

/* Adds lv to an antichain (maximal elements when keep_max, else minimal). */
static bk_status antichain_add(const struct search *S, uint8_t (**set)[BK_ANON_QUASI_MAX], size_t *n, size_t *cap,
			       const uint8_t *lv, int keep_max)
{
	size_t w = 0;

	for (size_t i = 0; i < *n; i++)
		if (keep_max ? leq(S, lv, (*set)[i]) : leq(S, (*set)[i], lv))
			return BK_OK; /* already covered */
	for (size_t i = 0; i < *n; i++)
		if (!(keep_max ? leq(S, (*set)[i], lv) : leq(S, lv, (*set)[i])))
			memcpy((*set)[w++], (*set)[i], BK_ANON_QUASI_MAX);
	*n = w;
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		uint8_t (*p)[BK_ANON_QUASI_MAX] = realloc(*set, ncap * sizeof(*p));

		if (!p)
			return bk_fail(BK_ERR_NOMEM, "out of memory for the lattice search");
		*set = p;
		*cap = ncap;
	}
	memset((*set)[*n], 0, BK_ANON_QUASI_MAX);
	memcpy((*set)[*n], lv, S->nq);
	(*n)++;
	return BK_OK;
}

static size_t memo_slot(uint64_t id, size_t cap)
{
	uint64_t h = id * 0x9e3779b97f4a7c15ULL;

	return (size_t)(h ^ (h >> 29)) & (cap - 1);
}

static const struct eval *memo_find(const struct search *S, uint64_t id)
{
	if (!S->memo_cap)
		return NULL;
	for (size_t i = memo_slot(id, S->memo_cap);; i = (i + 1) & (S->memo_cap - 1)) {
		if (S->memo[i].id == 0)
			return NULL;
		if (S->memo[i].id == id + 1)
			return &S->memo[i].e;
	}
}

static bk_status memo_add(struct search *S, uint64_t id, const struct eval *e)
{
	if (2 * (S->memo_n + 1) > S->memo_cap) {
		size_t ncap = S->memo_cap ? 2 * S->memo_cap : 256;
		struct memo *m = calloc(ncap, sizeof(*m));
		struct memo *old = S->memo;
		size_t ocap = S->memo_cap;

		if (!m)
			return bk_fail(BK_ERR_NOMEM, "out of memory for the lattice search");
		S->memo = m;
		S->memo_cap = ncap;
		S->memo_n = 0;
		for (size_t i = 0; i < ocap; i++)
			if (old[i].id) {
				bk_status rc = memo_add(S, old[i].id - 1, &old[i].e);

				if (rc != BK_OK) /* cannot happen: the new table has room */
					return rc;
			}
		free(old);
	}
	for (size_t i = memo_slot(id, S->memo_cap);; i = (i + 1) & (S->memo_cap - 1))
		if (S->memo[i].id == 0) {
			S->memo[i].id = id + 1;
			S->memo[i].e = *e;
			S->memo_n++;
			return BK_OK;
		}
}

/* --- evaluating a node --- */

/* The codes of class c of src at levels lv, into key. */
static void generalize(const struct search *S, const struct table *src, size_t c, const uint8_t *lv, uint32_t *key)
{
	const uint32_t *k = src->ckey + c * S->nq;

	for (size_t i = 0; i < S->nq; i++) {
		uint32_t code = k[i];

		for (size_t j = src->lv[i]; j < lv[i]; j++)
			code = S->in->hier[i].up[j][code];
		key[i] = code;
	}
}

/* Generalizes the classes (and entries) of src to lv, into S->out; fills
 * S->cmap. src's levels are all at or below lv. */
static bk_status project(struct search *S, const struct table *src, const uint8_t *lv)
{
	struct table *out = &S->out;
	size_t radix[1 + BK_ANON_SENSITIVE_MAX > BK_ANON_QUASI_MAX ? 1 + BK_ANON_SENSITIVE_MAX : BK_ANON_QUASI_MAX];
	uint32_t *kb = S->kbuf, *first;
	bk_status rc;

	memcpy(out->lv, lv, BK_ANON_QUASI_MAX);
	for (size_t i = 0; i < S->nq; i++)
		radix[i] = S->in->hier[i].ncodes[lv[i]];
	for (size_t c = 0; c < src->ncls; c++)
		generalize(S, src, c, lv, kb + c * S->nq);
	rc = group(&S->G, kb, src->ncls, S->nq, radix, S->cmap, &first, &out->ncls);
	if (rc != BK_OK)
		goto out;
	for (size_t g = 0; g < out->ncls; g++) {
		memcpy(out->ckey + g * S->nq, kb + (size_t)first[g] * S->nq, S->nq * sizeof(*kb));
		out->ccount[g] = 0;
	}
	for (size_t c = 0; c < src->ncls; c++)
		out->ccount[S->cmap[c]] += src->ccount[c];
	out->nent = 0;
	if (!S->ewidth)
		goto out;
	radix[0] = out->ncls;
	memcpy(radix + 1, S->srad, S->ns * sizeof(*radix));
	for (size_t e = 0; e < src->nent; e++) {
		const uint32_t *k = src->ekey + e * S->ewidth;

		kb[e * S->ewidth] = S->cmap[k[0]];
		memcpy(kb + e * S->ewidth + 1, k + 1, S->ns * sizeof(*kb));
	}
	rc = group(&S->G, kb, src->nent, S->ewidth, radix, S->egrp, &first, &out->nent);
	if (rc != BK_OK)
		goto out;
	for (size_t g = 0; g < out->nent; g++) {
		memcpy(out->ekey + g * S->ewidth, kb + (size_t)first[g] * S->ewidth, S->ewidth * sizeof(*kb));
		out->ecount[g] = 0;
	}
	for (size_t e = 0; e < src->nent; e++)
		out->ecount[S->egrp[e]] += src->ecount[e];
out:
	return rc;
}

/* Per class, over the values of sensitive column j: how many are distinct
 * and the sum of c log c over their counts c; with S->lists also the counts
 * themselves, class by class (hval[hoff[c]] .. hval[hoff[c + 1] - 1]). */
static bk_status sensitive_stats(struct search *S, const struct table *t, size_t j)
{
	const uint32_t *pcls = t->ekey, *pcnt = t->ecount;
	size_t np = t->nent, stride = 2;
	bk_status rc = BK_OK;

	memset(S->distinct, 0, t->ncls * sizeof(*S->distinct));
	memset(S->xlogx, 0, t->ncls * sizeof(*S->xlogx));
	if (S->ns > 1) {
		/* entries are (class, all sensitive values): count (class, value of column j) pairs */
		size_t radix[2] = {t->ncls, S->srad[j]};
		uint32_t *first;

		for (size_t e = 0; e < t->nent; e++) {
			S->kbuf[e * 2] = t->ekey[e * S->ewidth];
			S->kbuf[e * 2 + 1] = t->ekey[e * S->ewidth + 1 + j];
		}
		rc = group(&S->G, S->kbuf, t->nent, 2, radix, S->egrp, &first, &np);
		if (rc != BK_OK)
			goto out;
		memset(S->pcount, 0, np * sizeof(*S->pcount));
		for (size_t e = 0; e < t->nent; e++)
			S->pcount[S->egrp[e]] += t->ecount[e];
		for (size_t p = 0; p < np; p++)
			S->egrp[p] = S->kbuf[(size_t)first[p] * 2]; /* now the pair's class */
		pcls = S->egrp;
		pcnt = S->pcount;
		stride = 1;
	}
	/* with one sensitive column, entries are the distinct (class, value) pairs already */
	for (size_t p = 0; p < np; p++) {
		uint32_t c = pcls[p * stride];
		double n = pcnt[p];

		S->distinct[c]++;
		S->xlogx[c] += n * log(n);
	}
	if (S->lists) {
		S->hoff[0] = 0;
		for (size_t c = 0; c < t->ncls; c++)
			S->hoff[c + 1] = S->hoff[c] + S->distinct[c];
		/* fill each class from its end: hoff[c] ends at the class's start */
		for (size_t c = 0; c < t->ncls; c++)
			S->hoff[c] = S->hoff[c + 1];
		for (size_t p = 0; p < np; p++)
			S->hval[--S->hoff[pcls[p * stride]]] = pcnt[p];
	}
out:
	return rc;
}

/* The fewest rows a class failing entropy l-diversity on one column must
 * lose at this node and at every node below it: what is released of it there
 * is a union of passing classes, and by concavity a union of classes of
 * entropy >= log l has entropy >= log l too. The largest entropy a subset of
 * T rows can have is that of the counts capped at a level (water-filling from
 * the top; capping is majorized by every other choice), so the largest such T
 * is found by bisection on the level, kept on the high side for a bound that
 * is never too large. counts: the class's m counts (m >= l); n = their sum. */
static size_t entropy_floor(const uint32_t *counts, size_t m, size_t n, size_t k, double threshold)
{
	double lo = 0, hi = 0, keep = 0;

	for (size_t i = 0; i < m; i++)
		if (counts[i] > hi)
			hi = counts[i];
	/* invariant: capping at lo passes (at 0+ the entropy is log m), at hi fails (the class as is) */
	for (int it = 0; it < 40; it++) {
		double mid = (lo + hi) / 2, total = 0, xlogx = 0;

		for (size_t i = 0; i < m; i++) {
			double x = counts[i] < mid ? counts[i] : mid;

			total += x;
			xlogx += x * log(x);
		}
		if (log(total) - xlogx / total >= threshold)
			lo = mid;
		else
			hi = mid;
	}
	for (size_t i = 0; i < m; i++)
		keep += counts[i] < hi ? counts[i] : hi;
	keep += 1e-6; /* rounding must not make the bound too large */
	if (keep < (double)k)
		return n; /* what could stay is less than a class */
	return keep >= (double)n ? 0 : n - (size_t)floor(keep);
}

/* Decides which classes of t pass (S->ok) and what the node costs. Also a
 * lower bound of the rows suppressed at every node below (floor_fail): the
 * exact count where the model is monotone, else for entropy l-diversity the
 * sum over classes of entropy_floor. */
static bk_status classify(struct search *S, const struct table *t, struct eval *e)
{
	const struct bk_anon_input *in = S->in;
	uint64_t extra[BK_ANON_QUASI_MAX];
	size_t floor_supp = 0;
	double sum = 0, logl = in->l > 1 ? log((double)in->l) : 0;
	bk_status rc = BK_OK;

	memset(e, 0, sizeof(*e));
	for (size_t c = 0; c < t->ncls; c++) {
		S->ok[c] = t->ccount[c] >= in->k;
		S->need[c] = S->ok[c] ? 0 : t->ccount[c];
	}
	for (size_t j = 0; j < S->ns; j++) {
		rc = sensitive_stats(S, t, j);
		if (rc != BK_OK)
			goto out;
		for (size_t c = 0; c < t->ncls; c++) {
			double n = t->ccount[c];
			int distinct_ok = S->distinct[c] >= in->l, pass;

			if (in->ldiv == BK_LDIV_ENTROPY)
				pass = log(n) - S->xlogx[c] / n >= logl - ENTROPY_TOL;
			else
				pass = distinct_ok;
			S->ok[c] &= pass;
			if (!pass && S->need[c] < t->ccount[c]) {
				size_t f = t->ccount[c];

				if (S->lists && distinct_ok)
					f = entropy_floor(S->hval + S->hoff[c], S->distinct[c], t->ccount[c], in->k,
							  logl - ENTROPY_TOL - 1e-12);
				if (f > S->need[c])
					S->need[c] = (uint32_t)f;
			}
		}
	}
	memset(extra, 0, sizeof(extra));
	for (size_t c = 0; c < t->ncls; c++) {
		floor_supp += S->need[c];
		if (S->ok[c])
			continue;
		e->suppressed += t->ccount[c];
		for (size_t i = 0; i < S->nq; i++)
			extra[i] += (uint64_t)t->ccount[c] *
				    (in->hier[i].ncodes[0] - S->leaves[i][t->lv[i]][t->ckey[c * S->nq + i]]);
	}
	for (size_t i = 0; i < S->nq; i++) {
		size_t d = in->hier[i].ncodes[0];

		if (d > 1)
			sum += (double)(S->lbnum[i][t->lv[i]] + extra[i]) / (double)(d - 1);
	}
	e->loss = sum / S->denom;
	e->sat = e->suppressed <= in->max_suppressed && e->suppressed < in->nrows;
	e->floor_fail = floor_supp > in->max_suppressed || floor_supp == in->nrows || (S->monotone && !e->sat);
out:
	return rc;
}

static int better(const struct search *S, const struct eval *a, const uint8_t *alv, const struct eval *b,
		  const uint8_t *blv)
{
	size_t ha, hb;

	if (a->loss < b->loss - LOSS_TIE)
		return 1;
	if (a->loss > b->loss + LOSS_TIE)
		return 0;
	ha = node_height(S, alv);
	hb = node_height(S, blv);
	if (ha != hb)
		return ha < hb;
	return node_id(S, alv) < node_id(S, blv);
}

static size_t table_words(const struct search *S, const struct table *t)
{
	return t->ncls * (S->nq + 1) + t->nent * (S->ewidth + 1);
}

/* Keeps a copy of S->out for rolling up later, if it is small enough to pay:
 * a ring of CACHE_SLOTS tables holding at most as many words as base. */
static void cache_keep(struct search *S)
{
	const struct table *t = &S->out;
	size_t words = table_words(S, t);
	struct table *slot;

	if (words > S->cache_budget / 2)
		return;
	while (S->ncache && (S->ncache == CACHE_SLOTS || S->cache_words + words > S->cache_budget)) {
		struct table *old = &S->cache[(S->cache_next + CACHE_SLOTS - S->ncache) % CACHE_SLOTS];

		S->cache_words -= table_words(S, old);
		table_free(old);
		S->ncache--;
	}
	slot = &S->cache[S->cache_next];
	if (table_alloc(slot, t->ncls, S->nq, t->nent, S->ewidth) != BK_OK)
		return; /* a cache is an optimization: no room, no copy */
	memcpy(slot->lv, t->lv, sizeof(slot->lv));
	slot->ncls = t->ncls;
	slot->nent = t->nent;
	memcpy(slot->ckey, t->ckey, t->ncls * S->nq * sizeof(uint32_t));
	memcpy(slot->ccount, t->ccount, t->ncls * sizeof(uint32_t));
	if (S->ewidth) {
		memcpy(slot->ekey, t->ekey, t->nent * S->ewidth * sizeof(uint32_t));
		memcpy(slot->ecount, t->ecount, t->nent * sizeof(uint32_t));
	}
	S->cache_words += words;
	S->cache_next = (S->cache_next + 1) % CACHE_SLOTS;
	S->ncache++;
}

/* The smallest evaluated table below lv to roll up from: a cached one or base. */
static const struct table *source_for(const struct search *S, const uint8_t *lv)
{
	const struct table *best = &S->base;

	for (size_t i = 0; i < CACHE_SLOTS; i++) {
		const struct table *t = &S->cache[i];

		if (t->ckey && leq(S, t->lv, lv) && t->ncls + t->nent < best->ncls + best->nent)
			best = t;
	}
	return best;
}

/* Evaluates lv (once: later calls read the memo) and records what it shows. */
static bk_status evaluate(struct search *S, const uint8_t *lv, struct eval *e_p)
{
	uint64_t id = node_id(S, lv);
	const struct eval *known = memo_find(S, id);
	const struct table *src, *t;
	bk_status rc = BK_OK;

	if (known) {
		*e_p = *known;
		goto out;
	}
	src = source_for(S, lv);
	t = src;
	if (memcmp(src->lv, lv, S->nq) != 0) {
		rc = project(S, src, lv);
		if (rc != BK_OK)
			goto out;
		t = &S->out;
	}
	rc = classify(S, t, e_p);
	if (rc != BK_OK)
		goto out;
	S->checked++;
	if (t == &S->out)
		cache_keep(S);
	rc = memo_add(S, id, e_p);
	if (rc != BK_OK)
		goto out;
	if (e_p->floor_fail) {
		rc = antichain_add(S, &S->fails, &S->nfails, &S->fails_cap, lv, 1);
		if (rc != BK_OK)
			goto out;
	}
	if (e_p->sat && e_p->suppressed == 0) {
		rc = antichain_add(S, &S->zeros, &S->nzeros, &S->zeros_cap, lv, 0);
		if (rc != BK_OK)
			goto out;
	}
	if (e_p->sat && (!S->found || better(S, e_p, lv, &S->best_e, S->best))) {
		S->found = 1;
		memcpy(S->best, lv, BK_ANON_QUASI_MAX);
		S->best_e = *e_p;
	}
out:
	return rc;
}

/* Flash-like probe: a chain of generalizations from lv to the top, raising
 * each time the column that adds least to the bound, and a binary search on
 * it for the lowest node that does not fail the monotone model. Every node
 * evaluated on the way is recorded, so lv ends up evaluated or known to fail. */
static bk_status probe(struct search *S, const uint8_t *lv)
{
	uint8_t chain[BK_ANON_QUASI_MAX * BK_ANON_LEVELS_MAX + 1][BK_ANON_QUASI_MAX];
	size_t m = 0, lo = 0, hi;
	bk_status rc = BK_OK;

	memcpy(chain[0], lv, BK_ANON_QUASI_MAX);
	for (;;) {
		size_t pick = S->nq;
		double step = 0;

		for (size_t i = 0; i < S->nq; i++) {
			size_t d = S->in->hier[i].ncodes[0];
			double di;

			if (chain[m][i] + 1u >= S->in->hier[i].nlevels)
				continue;
			di = d > 1 ? (double)(S->lbnum[i][chain[m][i] + 1] - S->lbnum[i][chain[m][i]]) / (double)(d - 1)
				   : 0;
			if (pick == S->nq || di < step) {
				pick = i;
				step = di;
			}
		}
		if (pick == S->nq)
			break;
		memcpy(chain[m + 1], chain[m], BK_ANON_QUASI_MAX);
		chain[++m][pick]++;
	}
	hi = m + 1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int fails = known_fail(S, chain[mid]);

		if (!fails && !above_zero(S, chain[mid])) {
			struct eval e;

			rc = evaluate(S, chain[mid], &e);
			if (rc != BK_OK)
				goto out;
			fails = e.floor_fail;
		}
		if (fails)
			lo = mid + 1;
		else
			hi = mid;
	}
out:
	return rc;
}

/* --- the search --- */

struct heap_item {
	double bound;
	size_t height;
	uint64_t id;
};

static int heap_less(const struct heap_item *a, const struct heap_item *b)
{
	if (a->bound != b->bound)
		return a->bound < b->bound;
	if (a->height != b->height)
		return a->height < b->height;
	return a->id < b->id;
}

struct heap {
	struct heap_item *v;
	size_t n, cap;
};

static bk_status heap_push(struct heap *h, struct heap_item it)
{
	size_t i;

	if (h->n == h->cap) {
		size_t ncap = h->cap ? 2 * h->cap : 256;
		struct heap_item *v = realloc(h->v, ncap * sizeof(*v));

		if (!v)
			return bk_fail(BK_ERR_NOMEM, "out of memory for the lattice search");
		h->v = v;
		h->cap = ncap;
	}
	for (i = h->n++; i > 0 && heap_less(&it, &h->v[(i - 1) / 2]); i = (i - 1) / 2)
		h->v[i] = h->v[(i - 1) / 2];
	h->v[i] = it;
	return BK_OK;
}

static struct heap_item heap_pop(struct heap *h)
{
	struct heap_item top = h->v[0], last = h->v[--h->n];
	size_t i = 0;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= h->n)
			break;
		if (c + 1 < h->n && heap_less(&h->v[c + 1], &h->v[c]))
			c++;
		if (!heap_less(&h->v[c], &last))
			break;
		h->v[i] = h->v[c];
		i = c;
	}
	if (h->n)
		h->v[i] = last;
	return top;
}

static void node_levels(const struct search *S, uint64_t id, uint8_t *lv)
{
	memset(lv, 0, BK_ANON_QUASI_MAX);
	for (size_t i = 0; i < S->nq; i++) {
		lv[i] = (uint8_t)(id / S->radix[i]);
		id %= S->radix[i];
	}
}

/* Best-first over the lattice by node_bound; each node is reached once, from
 * the node with its last raised column one level lower. */
static bk_status search_lattice(struct search *S)
{
	struct heap h = {0};
	struct heap_item it = {0};
	uint8_t lv[BK_ANON_QUASI_MAX], top[BK_ANON_QUASI_MAX];
	bk_status rc;

	memset(top, 0, sizeof(top));
	for (size_t i = 0; i < S->nq; i++)
		top[i] = (uint8_t)(S->in->hier[i].nlevels - 1);
	memset(lv, 0, sizeof(lv));
	it.bound = node_bound(S, lv);
	rc = heap_push(&h, it);
	while (rc == BK_OK && h.n) {
		size_t first = 0;
		struct eval e;
		const struct eval *known;

		it = heap_pop(&h);
		if (S->found && it.bound > S->best_e.loss + LOSS_TIE)
			break; /* no node left can have a lower loss */
		node_levels(S, it.id, lv);
		if (above_zero(S, lv) && memo_find(S, it.id) == NULL)
			continue; /* it and all above: loss = bound >= that node's, and higher */
		if (!known_fail(S, lv) && !memo_find(S, it.id)) {
			rc = probe(S, lv);
			if (rc != BK_OK)
				break;
		}
		if (known_fail(S, top))
			break; /* the top fails: every node does */
		known = memo_find(S, it.id);
		if (!known && !known_fail(S, lv)) {
			rc = evaluate(S, lv, &e); /* a probe that ended above lv without tagging it */
			if (rc != BK_OK)
				break;
			known = memo_find(S, it.id);
		}
		if (known && known->sat && known->suppressed == 0)
			continue;
		for (size_t i = 0; i < S->nq; i++)
			if (lv[i])
				first = i;
		for (size_t i = first; i < S->nq; i++) {
			if (lv[i] + 1u >= S->in->hier[i].nlevels)
				continue;
			lv[i]++;
			it.bound = node_bound(S, lv);
			it.height = node_height(S, lv);
			it.id = node_id(S, lv);
			lv[i]--;
			rc = heap_push(&h, it);
			if (rc != BK_OK)
				break;
		}
	}
	free(h.v);
	return rc;
}

/* --- setup --- */

static bk_status check_input(const struct bk_anon_input *in)
{
	if (in->nquasi < 1 || in->nquasi > BK_ANON_QUASI_MAX)
		return bk_fail(BK_ERR_USAGE, "anonymization needs 1 to %d quasi columns, not %zu", BK_ANON_QUASI_MAX,
			       in->nquasi);
	if (in->nrows >= UINT32_MAX)
		return bk_fail(BK_ERR_USAGE, "anonymization takes fewer than %u rows", (unsigned)UINT32_MAX);
	if (in->nrows && !in->quasi)
		return bk_fail(BK_ERR_USAGE, "anonymization input has no quasi codes");
	if (in->nsensitive > BK_ANON_SENSITIVE_MAX || (in->nsensitive && in->nrows && !in->sensitive))
		return bk_fail(BK_ERR_USAGE, "anonymization takes 0 to %d sensitive columns, with their codes",
			       BK_ANON_SENSITIVE_MAX);
	if (in->k < 2)
		return bk_fail(BK_ERR_USAGE, "k must be at least 2, not %zu", in->k);
	if (in->ldiv != BK_LDIV_NONE && in->ldiv != BK_LDIV_DISTINCT && in->ldiv != BK_LDIV_ENTROPY)
		return bk_fail(BK_ERR_USAGE, "unknown l-diversity model %d", (int)in->ldiv);
	if (in->ldiv != BK_LDIV_NONE && (in->nsensitive == 0 || in->l < 2))
		return bk_fail(BK_ERR_USAGE, "l-diversity needs a sensitive column and l of at least 2");
	for (size_t i = 0; i < in->nquasi; i++) {
		const struct bk_anon_hier *h = &in->hier[i];

		if (h->nlevels < 2 || h->nlevels > BK_ANON_LEVELS_MAX)
			return bk_fail(BK_ERR_USAGE, "quasi column %zu: %zu levels, not 2 to %d", i + 1, h->nlevels,
				       BK_ANON_LEVELS_MAX);
		if (h->ncodes[h->nlevels - 1] != 1)
			return bk_fail(BK_ERR_USAGE, "quasi column %zu: the top level must have exactly one code", i + 1);
		for (size_t j = 0; j + 1 < h->nlevels; j++) {
			if (h->ncodes[j] == 0 || h->ncodes[j] >= UINT32_MAX || !h->up[j])
				return bk_fail(BK_ERR_USAGE, "quasi column %zu: level %zu has no codes or no map up", i + 1,
					       j);
			for (size_t c = 0; c < h->ncodes[j]; c++)
				if (h->up[j][c] >= h->ncodes[j + 1])
					return bk_fail(BK_ERR_USAGE,
						       "quasi column %zu: level %zu code %zu maps to %u, beyond level %zu",
						       i + 1, j, c, (unsigned)h->up[j][c], j + 1);
		}
	}
	return BK_OK;
}

/* Collapses the rows into base: distinct quasi tuples, and distinct (tuple,
 * sensitive tuple) entries when l-diversity needs them. */
static bk_status build_base(struct search *S)
{
	const struct bk_anon_input *in = S->in;
	size_t n = in->nrows, radix[BK_ANON_QUASI_MAX + 1 + BK_ANON_SENSITIVE_MAX];
	uint32_t *first, *kb = NULL, *egrp = NULL;
	bk_status rc = BK_OK;

	for (size_t r = 0; r < n; r++)
		for (size_t i = 0; i < S->nq; i++)
			if (in->quasi[r * S->nq + i] >= in->hier[i].ncodes[0]) {
				rc = bk_fail(BK_ERR_USAGE, "row %zu: quasi column %zu: code %u is beyond the %zu codes of level 0",
					     r + 1, i + 1, (unsigned)in->quasi[r * S->nq + i], in->hier[i].ncodes[0]);
				goto out;
			}
	S->row_class = malloc(n * sizeof(*S->row_class));
	if (!S->row_class) {
		rc = bk_fail(BK_ERR_NOMEM, "out of memory for %zu rows", n);
		goto out;
	}
	for (size_t i = 0; i < S->nq; i++)
		radix[i] = in->hier[i].ncodes[0];
	rc = group(&S->G, in->quasi, n, S->nq, radix, S->row_class, &first, &S->base.ncls);
	if (rc == BK_OK)
		rc = table_alloc(&S->base, S->base.ncls, S->nq, 0, 0);
	if (rc != BK_OK)
		goto out;
	for (size_t c = 0; c < S->base.ncls; c++) {
		memcpy(S->base.ckey + c * S->nq, in->quasi + (size_t)first[c] * S->nq, S->nq * sizeof(uint32_t));
		S->base.ccount[c] = 0;
	}
	for (size_t r = 0; r < n; r++)
		S->base.ccount[S->row_class[r]]++;
	if (!S->ewidth)
		goto out;

	for (size_t r = 0; r < n; r++)
		for (size_t j = 0; j < S->ns; j++)
			if (in->sensitive[r * in->nsensitive + j] >= S->srad[j])
				S->srad[j] = (size_t)in->sensitive[r * in->nsensitive + j] + 1;
	kb = malloc(n * S->ewidth * sizeof(*kb));
	egrp = malloc(n * sizeof(*egrp));
	if (!kb || !egrp) {
		rc = bk_fail(BK_ERR_NOMEM, "out of memory for %zu rows", n);
		goto out;
	}
	for (size_t r = 0; r < n; r++) {
		kb[r * S->ewidth] = S->row_class[r];
		memcpy(kb + r * S->ewidth + 1, in->sensitive + r * in->nsensitive, S->ns * sizeof(*kb));
	}
	radix[0] = S->base.ncls;
	memcpy(radix + 1, S->srad, S->ns * sizeof(*radix));
	rc = group(&S->G, kb, n, S->ewidth, radix, egrp, &first, &S->base.nent);
	if (rc != BK_OK)
		goto out;
	S->base.ekey = malloc(S->base.nent * S->ewidth * sizeof(uint32_t));
	S->base.ecount = calloc(S->base.nent, sizeof(uint32_t));
	if (!S->base.ekey || !S->base.ecount) {
		rc = bk_fail(BK_ERR_NOMEM, "out of memory for %zu rows", n);
		goto out;
	}
	for (size_t e = 0; e < S->base.nent; e++)
		memcpy(S->base.ekey + e * S->ewidth, kb + (size_t)first[e] * S->ewidth, S->ewidth * sizeof(*kb));
	for (size_t r = 0; r < n; r++)
		S->base.ecount[egrp[r]]++;
out:
	free(kb);
	free(egrp);
	return rc;
}

/* Leaves under every code and the bound's per-column numerators. */
static bk_status build_loss(struct search *S)
{
	const struct bk_anon_input *in = S->in;
	uint64_t *hist = NULL;
	bk_status rc = BK_OK;

	for (size_t i = 0; i < S->nq; i++) {
		const struct bk_anon_hier *h = &in->hier[i];

		free(hist);
		hist = calloc(h->ncodes[0], sizeof(*hist));
		if (!hist) {
			rc = bk_fail(BK_ERR_NOMEM, "out of memory for quasi column %zu", i + 1);
			goto out;
		}
		for (size_t c = 0; c < S->base.ncls; c++)
			hist[S->base.ckey[c * S->nq + i]] += S->base.ccount[c];
		for (size_t j = 0; j < h->nlevels; j++) {
			S->leaves[i][j] = calloc(h->ncodes[j], sizeof(uint32_t));
			if (!S->leaves[i][j]) {
				rc = bk_fail(BK_ERR_NOMEM, "out of memory for quasi column %zu", i + 1);
				goto out;
			}
		}
		for (size_t c0 = 0; c0 < h->ncodes[0]; c0++) {
			uint32_t code = (uint32_t)c0;

			for (size_t j = 0;; j++) {
				S->leaves[i][j][code]++;
				if (j + 1 == h->nlevels)
					break;
				code = h->up[j][code];
			}
		}
		for (size_t c0 = 0; c0 < h->ncodes[0]; c0++) {
			uint32_t code = (uint32_t)c0;

			for (size_t j = 0;; j++) {
				S->lbnum[i][j] += hist[c0] * (S->leaves[i][j][code] - 1);
				if (j + 1 == h->nlevels)
					break;
				code = h->up[j][code];
			}
		}
	}
out:
	free(hist);
	return rc;
}

static bk_status alloc_scratch(struct search *S)
{
	size_t nc = S->base.ncls ? S->base.ncls : 1, ne = S->base.nent ? S->base.nent : 1;
	size_t kwords = nc * S->nq > ne * S->ewidth ? nc * S->nq : ne * S->ewidth;
	bk_status rc;

	rc = table_alloc(&S->out, nc, S->nq, ne, S->ewidth);
	if (rc == BK_OK) /* down from the rows to the classes */
		rc = grouper_reserve(&S->G, nc > ne ? nc : ne);
	if (rc != BK_OK)
		return rc;
	S->cmap = malloc(nc * sizeof(*S->cmap));
	S->ok = malloc(nc);
	S->need = malloc(nc * sizeof(*S->need));
	if (S->lists) {
		S->hoff = malloc((nc + 1) * sizeof(*S->hoff));
		S->hval = malloc(ne * sizeof(*S->hval));
		if (!S->hoff || !S->hval)
			return bk_fail(BK_ERR_NOMEM, "out of memory for %zu classes", nc);
	}
	S->distinct = malloc(nc * sizeof(*S->distinct));
	S->xlogx = malloc(nc * sizeof(*S->xlogx));
	S->kbuf = malloc(kwords * sizeof(*S->kbuf));
	S->egrp = malloc(ne * sizeof(*S->egrp));
	S->pcount = malloc(ne * sizeof(*S->pcount));
	if (!S->cmap || !S->ok || !S->need || !S->distinct || !S->xlogx || !S->kbuf || !S->egrp || !S->pcount)
		return bk_fail(BK_ERR_NOMEM, "out of memory for %zu classes", nc);
	return BK_OK;
}

static void search_release(struct search *S)
{
	table_free(&S->base);
	table_free(&S->out);
	for (size_t i = 0; i < CACHE_SLOTS; i++)
		table_free(&S->cache[i]);
	for (size_t i = 0; i < BK_ANON_QUASI_MAX; i++)
		for (size_t j = 0; j < BK_ANON_LEVELS_MAX; j++)
			free(S->leaves[i][j]);
	free(S->row_class);
	free(S->cmap);
	free(S->ok);
	free(S->need);
	free(S->hoff);
	free(S->hval);
	free(S->distinct);
	free(S->xlogx);
	free(S->kbuf);
	free(S->egrp);
	free(S->pcount);
	grouper_free(&S->G);
	free(S->memo);
	free(S->fails);
	free(S->zeros);
}

/* Evaluates the chosen node again from the distinct tuples, for the result. */
static bk_status finish(struct search *S, struct bk_anon_result *res)
{
	const struct bk_anon_input *in = S->in;
	const struct table *t = &S->base;
	struct eval e;
	size_t released = 0;
	bk_status rc;

	if (memcmp(S->base.lv, S->best, S->nq) != 0) {
		rc = project(S, &S->base, S->best);
		if (rc != BK_OK)
			goto out;
		t = &S->out;
	} else {
		for (size_t c = 0; c < S->base.ncls; c++)
			S->cmap[c] = (uint32_t)c;
	}
	rc = classify(S, t, &e);
	if (rc != BK_OK)
		goto out;
	if (!e.sat || e.suppressed != S->best_e.suppressed || e.loss != S->best_e.loss) {
		rc = bk_fail(BK_ERR_STATE, "anonymization: the chosen node does not evaluate as it did in the search");
		goto out;
	}
	res->suppressed = calloc(in->nrows ? in->nrows : 1, 1);
	if (!res->suppressed) {
		rc = bk_fail(BK_ERR_NOMEM, "out of memory for %zu row flags", in->nrows);
		goto out;
	}
	for (size_t r = 0; r < in->nrows; r++)
		res->suppressed[r] = !S->ok[S->cmap[S->row_class[r]]];
	res->found = 1;
	for (size_t i = 0; i < S->nq; i++)
		res->level[i] = S->best[i];
	res->nsuppressed = e.suppressed;
	res->loss = e.loss;
	for (size_t c = 0; c < t->ncls; c++) {
		size_t size = t->ccount[c];

		if (!S->ok[c])
			continue;
		res->nclasses++;
		released += size;
		if (!res->smallest_class || size < res->smallest_class)
			res->smallest_class = size;
		if (1.0 / (double)size > in->risk_threshold)
			res->share_at_risk += (double)size;
	}
	res->nreleased = released;
	res->risk_max = 1.0 / (double)res->smallest_class;
	res->risk_avg = (double)res->nclasses / (double)released; /* each class: size rows at 1 / size */
	res->share_at_risk /= (double)released;
out:
	return rc;
}

bk_status bk_anon_run(const struct bk_anon_input *in, struct bk_anon_result *res)
{
	struct search S;
	uint64_t total = 1;
	bk_status rc;

	memset(res, 0, sizeof(*res));
	memset(&S, 0, sizeof(S));
	rc = check_input(in);
	if (rc != BK_OK)
		goto out;
	S.in = in;
	S.nq = in->nquasi;
	S.ns = in->ldiv != BK_LDIV_NONE ? in->nsensitive : 0;
	S.ewidth = S.ns ? 1 + S.ns : 0;
	S.monotone = !(in->ldiv == BK_LDIV_ENTROPY && in->max_suppressed > 0);
	S.lists = !S.monotone;
	S.denom = (double)in->nrows * (double)in->nquasi;
	for (size_t i = in->nquasi; i-- > 0;) {
		S.radix[i] = total;
		total *= in->hier[i].nlevels; /* at most 8^16 */
	}
	res->nodes_total = (size_t)total;
	if (in->nrows == 0)
		goto out;
	rc = build_base(&S);
	if (rc == BK_OK)
		rc = build_loss(&S);
	if (rc == BK_OK)
		rc = alloc_scratch(&S);
	if (rc != BK_OK)
		goto out;
	S.cache_budget = S.base.ncls * (S.nq + 1) + S.base.nent * (S.ewidth + 1);
	rc = search_lattice(&S);
	if (rc != BK_OK)
		goto out;
	res->nodes_checked = S.checked;
	if (S.found)
		rc = finish(&S, res);
out:
	search_release(&S);
	if (rc != BK_OK) {
		free(res->suppressed);
		memset(res, 0, sizeof(*res));
	}
	return rc;
}

void bk_anon_result_release(struct bk_anon_result *res)
{
	free(res->suppressed);
	memset(res, 0, sizeof(*res));
}

/* --- the independent re-check ---
 *
 * Written apart from the search on purpose: strings instead of codes, its own
 * hash (FNV-1a) and its own grouping, so that a bug in one is unlikely to hide
 * in the other. */

static uint64_t fnv_cells(const char *const *cells, size_t n, uint64_t h)
{
	for (size_t i = 0; i < n; i++) {
		for (const unsigned char *p = (const unsigned char *)cells[i]; *p; p++)
			h = (h ^ *p) * 0x100000001b3ULL;
		h = (h ^ 0x1f) * 0x100000001b3ULL; /* a separator: "a","bc" differs from "ab","c" */
	}
	return h;
}

static int same_cells(const char *const *a, const char *const *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(a[i], b[i]) != 0)
			return 0;
	return 1;
}

/* The re-check's rows and its working arrays; row and class numbers fit 32
 * bits: 28 bytes a row and 8 a slot. */
struct recheck {
	const char *const *quasi, *const *sens;
	size_t nrows, nquasi, nsens, cap, nclass;
	uint32_t *slot, *first_row, *size, *cls, *pair_row, *pair_n, *ndistinct;
	double *xlogx;
};

/* recheck_args refuses parameters the re-check cannot judge by. */
static bk_status recheck_args(const struct recheck *R, size_t k, enum bk_ldiv ldiv, size_t l)
{
	bk_status rc = BK_OK;

	if (!R->quasi || (R->nsens && !R->sens) || k < 1 || R->nrows >= UINT32_MAX ||
	    (ldiv != BK_LDIV_NONE && (R->nsens == 0 || l < 1))) {
		rc = bk_fail(BK_ERR_USAGE, "release check: bad parameters");
		goto out;
	}
	for (size_t i = 0; i < R->nrows * R->nquasi; i++)
		if (!R->quasi[i]) {
			rc = bk_fail(BK_ERR_USAGE, "release check: row %zu has a NULL cell", i / R->nquasi + 1);
			goto out;
		}
	for (size_t i = 0; i < R->nrows * R->nsens; i++)
		if (!R->sens[i]) {
			rc = bk_fail(BK_ERR_USAGE, "release check: row %zu has a NULL sensitive cell", i / R->nsens + 1);
			goto out;
		}
out:
	return rc;
}

static bk_status recheck_alloc(struct recheck *R)
{
	size_t nrows = R->nrows;

	R->cap = 16;
	while (R->cap < 2 * nrows)
		R->cap *= 2;
	R->slot = malloc(R->cap * sizeof(*R->slot));
	R->first_row = malloc(nrows * sizeof(*R->first_row));
	R->size = calloc(nrows, sizeof(*R->size));
	R->cls = malloc(nrows * sizeof(*R->cls));
	R->ndistinct = malloc(nrows * sizeof(*R->ndistinct));
	R->xlogx = malloc(nrows * sizeof(*R->xlogx));
	R->pair_row = malloc(nrows * sizeof(*R->pair_row));
	R->pair_n = malloc(nrows * sizeof(*R->pair_n));
	if (!R->slot || !R->first_row || !R->size || !R->cls || !R->ndistinct || !R->xlogx || !R->pair_row ||
	    !R->pair_n)
		return bk_fail(BK_ERR_NOMEM, "release check: out of memory for %zu rows", nrows);
	return BK_OK;
}

static void recheck_free(struct recheck *R)
{
	free(R->slot);
	free(R->first_row);
	free(R->size);
	free(R->cls);
	free(R->ndistinct);
	free(R->xlogx);
	free(R->pair_row);
	free(R->pair_n);
}

/* recheck_classes groups rows with equal quasi cells into classes (slot
 * holds class + 1) and checks that each has k rows. */
static bk_status recheck_classes(struct recheck *R, size_t k)
{
	const char *const *quasi = R->quasi;
	size_t nrows = R->nrows, nquasi = R->nquasi, cap = R->cap, nclass = 0;
	uint32_t *slot = R->slot, *first_row = R->first_row, *size = R->size, *cls = R->cls;
	bk_status rc = BK_OK;

	memset(slot, 0, cap * sizeof(*slot));
	for (size_t r = 0; r < nrows; r++) {
		const char *const *row = quasi + r * nquasi;
		size_t i = (size_t)fnv_cells(row, nquasi, 0xcbf29ce484222325ULL) & (cap - 1);

		while (slot[i] && !same_cells(quasi + first_row[slot[i] - 1] * nquasi, row, nquasi))
			i = (i + 1) & (cap - 1);
		if (!slot[i]) {
			first_row[nclass] = (uint32_t)r;
			slot[i] = (uint32_t)++nclass;
		}
		cls[r] = slot[i] - 1;
		size[cls[r]]++;
	}
	R->nclass = nclass;
	for (size_t c = 0; c < nclass; c++)
		if (size[c] < k) {
			rc = bk_fail(BK_ERR_CORRUPT, "release check: class %zu of %zu has %zu rows, fewer than k = %zu", c + 1,
				     nclass, (size_t)size[c], k);
			goto out;
		}
out:
	return rc;
}

/* recheck_pairs counts, for sensitive column j, the distinct (class, value)
 * pairs into ndistinct and their n log n into xlogx, class by class. */
static void recheck_pairs(struct recheck *R, size_t j)
{
	const char *const *sens = R->sens;
	size_t nrows = R->nrows, nsens = R->nsens, cap = R->cap, nclass = R->nclass, npairs = 0;
	uint32_t *slot = R->slot, *cls = R->cls, *pair_row = R->pair_row, *pair_n = R->pair_n;
	uint32_t *ndistinct = R->ndistinct;
	double *xlogx = R->xlogx;

	memset(slot, 0, cap * sizeof(*slot));
	memset(ndistinct, 0, nclass * sizeof(*ndistinct));
	memset(xlogx, 0, nclass * sizeof(*xlogx));
	for (size_t r = 0; r < nrows; r++) {
		const char *v = sens[r * nsens + j];
		size_t i = (size_t)fnv_cells(&v, 1, 0xcbf29ce484222325ULL ^ (cls[r] * 0x9e3779b97f4a7c15ULL)) & (cap - 1);

		while (slot[i] &&
		       (cls[pair_row[slot[i] - 1]] != cls[r] || strcmp(sens[pair_row[slot[i] - 1] * nsens + j], v) != 0))
			i = (i + 1) & (cap - 1);
		if (!slot[i]) {
			pair_row[npairs] = (uint32_t)r;
			pair_n[npairs] = 0;
			slot[i] = (uint32_t)++npairs;
		}
		pair_n[slot[i] - 1]++;
	}
	for (size_t p = 0; p < npairs; p++) {
		size_t c = cls[pair_row[p]];

		ndistinct[c]++;
		xlogx[c] += (double)pair_n[p] * log((double)pair_n[p]);
	}
}

/* recheck_diverse checks every class's l-diversity in sensitive column j. */
static bk_status recheck_diverse(struct recheck *R, size_t j, enum bk_ldiv ldiv, size_t l)
{
	size_t nclass = R->nclass;
	bk_status rc = BK_OK;

	recheck_pairs(R, j);
	for (size_t c = 0; c < nclass; c++) {
		double n = (double)R->size[c], h = log(n) - R->xlogx[c] / n;

		if (R->ndistinct[c] < l) {
			rc = bk_fail(BK_ERR_CORRUPT,
				     "release check: class %zu of %zu has %zu distinct values of sensitive column %zu, "
				     "fewer than l = %zu",
				     c + 1, nclass, (size_t)R->ndistinct[c], j + 1, l);
			goto out;
		}
		if (ldiv == BK_LDIV_ENTROPY && h < log((double)l) - 1e-9) {
			rc = bk_fail(BK_ERR_CORRUPT,
				     "release check: class %zu of %zu has an entropy of %.4f in sensitive column %zu, "
				     "below log %zu = %.4f",
				     c + 1, nclass, h, j + 1, l, log((double)l));
			goto out;
		}
	}
out:
	return rc;
}

bk_status bk_anon_verify_release(const char *const *quasi_cells, size_t nrows, size_t nquasi,
				 const char *const *sensitive_cells, size_t nsensitive, size_t k, enum bk_ldiv ldiv,
				 size_t l)
{
	struct recheck R = {.quasi = quasi_cells, .sens = sensitive_cells, .nrows = nrows, .nquasi = nquasi,
			    .nsens = nsensitive};
	bk_status rc = BK_OK;

	if (nrows == 0)
		goto out;
	if ((rc = recheck_args(&R, k, ldiv, l)) || (rc = recheck_alloc(&R)))
		goto out;
	if ((rc = recheck_classes(&R, k)))
		goto out;
	if (ldiv == BK_LDIV_NONE)
		goto out;
	for (size_t j = 0; j < nsensitive; j++)
		if ((rc = recheck_diverse(&R, j, ldiv, l)))
			goto out;
out:
	recheck_free(&R);
	return rc;
}
