/* report.c - the IKM and coverage reports: exact IKM arithmetic, grading,
 * Krejcie–Morgan and small-cell suppression (pure, no database), then one
 * pass over each table the report reads (scan.h: scope, access checks per
 * kecamatan, the audit entry before anything is returned).
 *
 * Aggregation is done here in C over a plain table scan, not with SQL
 * GROUP BY: SQLite 3.15 has no hash aggregate, so GROUP BY either sorts
 * every row or walks the kecamatan index with one table lookup per row;
 * over 1 M SKM rows those take 2.3 s and 7.9 s, the scan 0.5 s. */
#include "vault/monev/report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vault/schema/dataset.h"
#include "vault/core/db.h"
#include "vault/core/fields.h"
#include "vault/core/stores.h"
#include "vault/core/vault_internal.h"
#include "vault/monev/scan.h"

typedef unsigned __int128 u128;

_Static_assert(BK_REPORT_MIN_CELL_MAX == MONEV_MIN_CELL_MAX, "one bound of --min-cell");

#define NONE ((size_t)-1)

/* --- numbers --- */

char *bk_report_decimal(char *out, size_t cap, uint64_t value, unsigned decimals)
{
	uint64_t scale = 1;

	for (unsigned i = 0; i < decimals; i++)
		scale *= 10;
	if (decimals == 0)
		snprintf(out, cap, "%llu", (unsigned long long)value);
	else
		snprintf(out, cap, "%llu.%0*llu", (unsigned long long)(value / scale), (int)decimals,
			 (unsigned long long)(value % scale));
	return out;
}

/* Rounds num / den half up (76.605 -> 76.61); den must not be 0. Written
 * so that no intermediate can overflow. */
static u128 div_round(u128 num, u128 den)
{
	u128 r = num % den;

	return num / den + (r >= den - r);
}

static u128 gcd128(u128 a, u128 b)
{
	while (b) {
		u128 t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/* --- IKM --- */

void bk_ikm_sums_add(struct bk_ikm_sums *to, const struct bk_ikm_sums *from)
{
	to->respondents += from->respondents;
	for (int i = 0; i < BK_IKM_UNSUR; i++) {
		to->sum[i] += from->sum[i];
		to->filled[i] += from->filled[i];
	}
}

char bk_ikm_grade(uint32_t c, const char **kinerja_p)
{
	char mutu = 0;
	const char *kinerja = NULL;

	if (c >= 8831 && c <= 10000) {
		mutu = 'A';
		kinerja = "sangat baik";
	} else if (c >= 7661 && c <= 8830) {
		mutu = 'B';
		kinerja = "baik";
	} else if (c >= 6500 && c <= 7660) {
		mutu = 'C';
		kinerja = "kurang baik";
	} else if (c >= 2500 && c <= 6499) {
		mutu = 'D';
		kinerja = "tidak baik";
	}
	if (kinerja_p)
		*kinerja_p = kinerja;
	return mutu;
}

/* IKM = p / den: ×10⁴ for the index, ×25×100 for the converted score, both
 * rounded half up. Returns 0 when a product overflows. */
static int score_fraction(u128 p, u128 den, struct bk_ikm_score *out)
{
	u128 num4, num25;

	if (__builtin_mul_overflow(p, (u128)10000, &num4) || __builtin_mul_overflow(p, (u128)2500, &num25))
		return 0;
	out->ikm_e4 = (uint32_t)div_round(num4, den);
	out->converted_cents = (uint32_t)div_round(num25, den);
	return 1;
}

bk_status bk_ikm_score(const struct bk_ikm_sums *s, unsigned nunsur, struct bk_ikm_score *out)
{
	u128 q = 1, p = 0, den;
	int exact = 1;

	memset(out, 0, sizeof(*out));
	out->nunsur = nunsur;
	if (nunsur != BK_IKM_UNSUR_NATIONAL && nunsur != BK_IKM_UNSUR)
		return bk_fail(BK_ERR_USAGE, "an IKM has 9 or 10 unsur, not %u", nunsur);
	for (unsigned i = 0; i < nunsur; i++)
		if (s->filled[i] > s->respondents || s->sum[i] < s->filled[i] || (u128)s->sum[i] > (u128)s->filled[i] * 4)
			return bk_fail(BK_ERR_USAGE, "u%u: %llu answers of 1 to 4 cannot sum to %llu (of %llu respondents)",
				       i + 1, (unsigned long long)s->filled[i], (unsigned long long)s->sum[i],
				       (unsigned long long)s->respondents);
	for (unsigned i = 0; i < nunsur; i++)
		if (s->filled[i] == 0)
			return BK_OK; /* an unsur nobody answered: no index */
	out->filled_min = s->filled[0];
	for (unsigned i = 0; i < nunsur; i++) {
		if (s->filled[i] < out->filled_min)
			out->filled_min = s->filled[i];
		out->nrr_milli[i] = (uint32_t)div_round((u128)s->sum[i] * 1000, s->filled[i]);
	}
	/* Σ sum_i / filled_i = p / q with q the least common multiple of the counts */
	for (unsigned i = 0; i < nunsur && exact; i++)
		if (__builtin_mul_overflow(q / gcd128(q, s->filled[i]), (u128)s->filled[i], &q))
			exact = 0;
	for (unsigned i = 0; i < nunsur && exact; i++) {
		u128 t;

		if (__builtin_mul_overflow((u128)s->sum[i], q / s->filled[i], &t) || __builtin_add_overflow(p, t, &p))
			exact = 0;
	}
	/* IKM = p / (q n) */
	if (exact && (__builtin_mul_overflow(q, (u128)nunsur, &den) || !score_fraction(p, den, out)))
		exact = 0;
	if (!exact) {
		long double ikm = 0;

		for (unsigned i = 0; i < nunsur; i++)
			ikm += (long double)s->sum[i] / (long double)s->filled[i];
		ikm /= nunsur;
		out->ikm_e4 = (uint32_t)floorl(ikm * 10000 + 0.5L);
		out->converted_cents = (uint32_t)floorl(ikm * 2500 + 0.5L);
	}
	out->exact = exact;
	out->mutu = bk_ikm_grade(out->converted_cents, &out->kinerja);
	out->valid = 1;
	return BK_OK;
}

bk_status bk_ikm_score_mean(uint64_t num, uint64_t den, unsigned nunsur, struct bk_ikm_score *out)
{
	memset(out, 0, sizeof(*out));
	out->nunsur = nunsur;
	if (nunsur != BK_IKM_UNSUR_NATIONAL && nunsur != BK_IKM_UNSUR)
		return bk_fail(BK_ERR_USAGE, "an IKM has 9 or 10 unsur, not %u", nunsur);
	if (den == 0 || (u128)num < (u128)den * nunsur || (u128)num > (u128)den * nunsur * 4)
		return bk_fail(BK_ERR_USAGE, "a mean total of %u answers of 1 to 4 cannot be %llu/%llu", nunsur,
			       (unsigned long long)num, (unsigned long long)den);
	/* num < 2^64 so neither product overflows */
	(void)score_fraction(num, (u128)den * nunsur, out);
	out->exact = 1;
	out->mutu = bk_ikm_grade(out->converted_cents, &out->kinerja);
	out->valid = 1;
	return BK_OK;
}

uint64_t bk_krejcie_morgan(uint64_t population)
{
	/* ×10⁵: χ²P(1−P) = 3.841 × 0.25 = 0.96025, d² = 0.0025 */
	u128 num, den;

	if (population == 0)
		return 0;
	num = (u128)96025 * population;
	den = (u128)250 * (population - 1) + 96025;
	return (uint64_t)((num + den - 1) / den);
}

/* --- suppression --- */

/* One linear relation a reader can use: the parts add up to the whole. */
struct relation {
	const size_t *parts;
	size_t nparts;
	size_t whole;
};

/* The shown part with the smallest non-zero count (first on ties), or NONE. */
static size_t smallest_shown(const uint64_t *val, const unsigned char *hid, const struct relation *r)
{
	size_t best = NONE;

	for (size_t i = 0; i < r->nparts; i++) {
		size_t c = r->parts[i];

		if (!hid[c] && val[c] > 0 && (best == NONE || val[c] < val[best]))
			best = c;
	}
	return best;
}

/* Hides one more cell when the relation gives away a hidden one; returns
 * whether it did. A shown whole needs no hidden part, or at least two whose
 * sum (derivable: the whole minus the shown parts) is not a small cell. A
 * hidden whole needs a hidden part, else it is the sum of what is shown. */
static int protect(const uint64_t *val, unsigned char *hid, const struct relation *r, uint64_t min_cell)
{
	size_t nh = 0, c;
	uint64_t sumh = 0;

	for (size_t i = 0; i < r->nparts; i++)
		if (hid[r->parts[i]]) {
			nh++;
			sumh += val[r->parts[i]];
		}
	if (hid[r->whole]) {
		if (nh > 0 || (c = smallest_shown(val, hid, r)) == NONE)
			return 0; /* (all parts zero: so is the whole, nobody to protect) */
		hid[c] = 1;
		return 1;
	}
	if (nh == 0 || (nh >= 2 && (sumh == 0 || sumh >= min_cell)))
		return 0;
	/* hiding a zero would not help (a reader may know it), so the whole goes instead */
	c = smallest_shown(val, hid, r);
	hid[c == NONE ? r->whole : c] = 1;
	return 1;
}

/* Primary suppression of every small cell, then complementary until every
 * relation holds; it ends because cells are only ever hidden, never shown. */
static void suppress(const uint64_t *val, unsigned char *hid, size_t ncells, const struct relation *rels, size_t nrels,
		     uint64_t min_cell)
{
	int changed;

	for (size_t i = 0; i < ncells; i++)
		if (val[i] > 0 && val[i] < min_cell)
			hid[i] = 1;
	do {
		changed = 0;
		for (size_t i = 0; i < nrels; i++)
			changed |= protect(val, hid, &rels[i], min_cell);
	} while (changed);
}

bk_status bk_suppress_1d(const uint64_t *parts, size_t n, uint64_t total, uint64_t min_cell, unsigned char *hidden,
			 unsigned char *total_hidden)
{
	uint64_t *val = malloc((n + 1) * sizeof(*val));
	unsigned char *hid = malloc(n + 1);
	size_t *idx = malloc((n ? n : 1) * sizeof(*idx));
	struct relation rel;
	bk_status rc = BK_OK;

	if (!val || !hid || !idx) {
		memset(hidden, 1, n);
		*total_hidden = 1;
		rc = bk_fail(BK_ERR_NOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		val[i] = parts[i];
		hid[i] = hidden[i] ? 1 : 0;
		idx[i] = i;
	}
	val[n] = total;
	hid[n] = *total_hidden ? 1 : 0;
	rel.parts = idx;
	rel.nparts = n;
	rel.whole = n;
	suppress(val, hid, n + 1, &rel, 1, min_cell);
	memcpy(hidden, hid, n);
	*total_hidden = hid[n];
out:
	free(idx);
	free(hid);
	free(val);
	return rc;
}

/* --- chains of relations (2-D) ---
 *
 * Per relation, two hidden entries are not always enough. The table with its
 * margins is a (rows + 1) × (cols + 1) grid: grid row i < rows holds row i's
 * cells and its total, grid row `rows` the column totals and the grand total,
 * and every grid row and grid column is one relation. A hidden entry joins
 * its grid row to its grid column in a bipartite graph. A reader can solve
 * for exactly the hidden entries on no cycle of that graph (its bridges):
 * adding up the relations on one side of a bridge leaves the bridge alone,
 * while an entry on a cycle can move along it with every shown figure kept.
 * Two blocks of hidden cells joined by one hidden cell pass every relation
 * and still give that cell away. Hidden zeros are left out of the graph: a
 * reader may know them. */

struct grid {
	size_t rows, cols, r0, c0, g;     /* the layout of bk_suppress_2d's arrays */
	size_t nv;                        /* graph nodes: grid rows, then grid columns */
	size_t *off, *adj, *via;          /* adjacency (CSR): neighbour, entry */
	size_t *disc, *low, *st_node, *st_via, *st_pos, *queue;
	unsigned char *side;
};

static size_t grid_entry(const struct grid *G, size_t i, size_t j)
{
	if (i < G->rows)
		return j < G->cols ? i * G->cols + j : G->r0 + i;
	return j < G->cols ? G->c0 + j : G->g;
}

static void grid_release(struct grid *G)
{
	free(G->off);
	G->off = NULL;
}

static int grid_init(struct grid *G, size_t rows, size_t cols)
{
	size_t nv = rows + cols + 2, ne = (rows + 1) * (cols + 1), *p;

	G->rows = rows;
	G->cols = cols;
	G->r0 = rows * cols;
	G->c0 = G->r0 + rows;
	G->g = G->c0 + cols;
	G->nv = nv;
	p = malloc(((nv + 1) + 4 * ne + 6 * nv) * sizeof(*p) + nv);
	G->off = p;
	if (!p)
		return -1;
	G->adj = p + nv + 1;
	G->via = G->adj + 2 * ne;
	G->disc = G->via + 2 * ne;
	G->low = G->disc + nv;
	G->st_node = G->low + nv;
	G->st_via = G->st_node + nv;
	G->st_pos = G->st_via + nv;
	G->queue = G->st_pos + nv;
	G->side = (unsigned char *)(G->queue + nv);
	return 0;
}

/* Builds the graph of the hidden non-zero entries. */
static void grid_build(struct grid *G, const uint64_t *val, const unsigned char *hid)
{
	size_t R = G->rows, C = G->cols;

	memset(G->off, 0, (G->nv + 1) * sizeof(*G->off));
	for (size_t i = 0; i <= R; i++)
		for (size_t j = 0; j <= C; j++) {
			size_t e = grid_entry(G, i, j);

			if (hid[e] && val[e] > 0) {
				G->off[i + 1]++;
				G->off[R + 1 + j + 1]++;
			}
		}
	for (size_t v = 0; v < G->nv; v++)
		G->off[v + 1] += G->off[v];
	memcpy(G->st_pos, G->off, G->nv * sizeof(*G->off)); /* fill cursors */
	for (size_t i = 0; i <= R; i++)
		for (size_t j = 0; j <= C; j++) {
			size_t e = grid_entry(G, i, j), a = i, b = R + 1 + j;

			if (hid[e] && val[e] > 0) {
				G->adj[G->st_pos[a]] = b;
				G->via[G->st_pos[a]++] = e;
				G->adj[G->st_pos[b]] = a;
				G->via[G->st_pos[b]++] = e;
			}
		}
}

/* The first bridge (Tarjan's lowlinks, without recursion), its entry and its
 * two nodes; NONE when every hidden entry lies on a cycle. */
static size_t grid_bridge(struct grid *G, size_t *u_p, size_t *v_p)
{
	size_t timer = 0;

	memset(G->disc, 0, G->nv * sizeof(*G->disc));
	for (size_t s = 0; s < G->nv; s++) {
		size_t sp = 1;

		if (G->disc[s] || G->off[s] == G->off[s + 1])
			continue;
		G->disc[s] = G->low[s] = ++timer;
		G->st_node[0] = s;
		G->st_via[0] = NONE;
		G->st_pos[0] = G->off[s];
		while (sp > 0) {
			size_t x = G->st_node[sp - 1];

			if (G->st_pos[sp - 1] < G->off[x + 1]) {
				size_t k = G->st_pos[sp - 1]++, w = G->adj[k];

				if (G->via[k] == G->st_via[sp - 1])
					continue; /* the edge we came by */
				if (G->disc[w]) {
					if (G->disc[w] < G->low[x])
						G->low[x] = G->disc[w];
				} else {
					G->disc[w] = G->low[w] = ++timer;
					G->st_node[sp] = w;
					G->st_via[sp] = G->via[k];
					G->st_pos[sp] = G->off[w];
					sp++;
				}
				continue;
			}
			if (--sp > 0) {
				size_t p = G->st_node[sp - 1];

				if (G->low[x] < G->low[p])
					G->low[p] = G->low[x];
				if (G->low[x] > G->disc[p]) {
					*u_p = p;
					*v_p = x;
					return G->st_via[sp];
				}
			}
		}
	}
	return NONE;
}

/* Marks with mark the nodes reached from s without crossing entry `skip`. */
static void grid_side(struct grid *G, size_t s, size_t skip, unsigned char mark)
{
	size_t head = 0, tail = 0;

	G->side[s] = mark;
	G->queue[tail++] = s;
	while (head < tail) {
		size_t x = G->queue[head++];

		for (size_t k = G->off[x]; k < G->off[x + 1]; k++)
			if (G->via[k] != skip && !G->side[G->adj[k]]) {
				G->side[G->adj[k]] = mark;
				G->queue[tail++] = G->adj[k];
			}
	}
}

/* Hides one shown entry to put a bridge on a cycle: the smallest non-zero
 * entry joining its two sides (first on ties), else the smallest touching
 * either side (a longer cycle, closed on a later round). Returns 0 when no
 * bridge is left. Some entry always touches a side: were every non-zero
 * entry around a side hidden, adding up that side's relations would make the
 * bridge 0, and zeros are not in the graph. */
static int close_bridge(struct grid *G, const uint64_t *val, unsigned char *hid)
{
	size_t u = 0, v = 0, e, best = NONE, R = G->rows;
	int best_join = 0;

	grid_build(G, val, hid);
	if ((e = grid_bridge(G, &u, &v)) == NONE)
		return 0;
	memset(G->side, 0, G->nv);
	grid_side(G, u, e, 1);
	grid_side(G, v, e, 2);
	for (size_t i = 0; i <= R; i++)
		for (size_t j = 0; j <= G->cols; j++) {
			size_t c = grid_entry(G, i, j);
			unsigned char a = G->side[i], b = G->side[R + 1 + j];
			int join = a && b && a != b;

			if (hid[c] || val[c] == 0 || (!a && !b))
				continue;
			if (best == NONE || join > best_join || (join == best_join && val[c] < val[best])) {
				best = c;
				best_join = join;
			}
		}
	if (best == NONE) /* unreachable (see above); fail closed all the same */
		memset(hid, 1, G->g + 1);
	else
		hid[best] = 1;
	return best != NONE;
}

bk_status bk_suppress_2d(const uint64_t *cells, size_t rows, size_t cols, uint64_t min_cell, unsigned char *cell_hidden,
			 unsigned char *row_hidden, unsigned char *col_hidden, unsigned char *grand_hidden)
{
	/* cells, then row totals at r0, column totals at c0, the grand total at g */
	size_t ncells = rows * cols, r0 = ncells, c0 = r0 + rows, g = c0 + cols, n = g + 1, k = 0;
	size_t nrels = rows + cols + 2;
	uint64_t *val = calloc(n, sizeof(*val));
	unsigned char *hid = calloc(n, 1);
	size_t *idx = malloc((2 * ncells + rows + cols + 1) * sizeof(*idx));
	struct relation *rels = malloc(nrels * sizeof(*rels));
	struct grid G = {0};
	bk_status rc = BK_OK;

	if (!val || !hid || !idx || !rels || grid_init(&G, rows, cols) < 0) {
		memset(cell_hidden, 1, ncells);
		memset(row_hidden, 1, rows);
		memset(col_hidden, 1, cols);
		*grand_hidden = 1;
		rc = bk_fail(BK_ERR_NOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < rows; i++)
		for (size_t j = 0; j < cols; j++) {
			uint64_t v = cells[i * cols + j];

			val[i * cols + j] = v;
			val[r0 + i] += v;
			val[c0 + j] += v;
			val[g] += v;
			hid[i * cols + j] = cell_hidden[i * cols + j] ? 1 : 0;
		}
	for (size_t i = 0; i < rows; i++)
		hid[r0 + i] = row_hidden[i] ? 1 : 0;
	for (size_t j = 0; j < cols; j++)
		hid[c0 + j] = col_hidden[j] ? 1 : 0;
	hid[g] = *grand_hidden ? 1 : 0;
	for (size_t i = 0; i < rows; i++) {
		rels[i] = (struct relation){idx + k, cols, r0 + i};
		for (size_t j = 0; j < cols; j++)
			idx[k++] = i * cols + j;
	}
	for (size_t j = 0; j < cols; j++) {
		rels[rows + j] = (struct relation){idx + k, rows, c0 + j};
		for (size_t i = 0; i < rows; i++)
			idx[k++] = i * cols + j;
	}
	rels[rows + cols] = (struct relation){idx + k, rows, g};
	for (size_t i = 0; i < rows; i++)
		idx[k++] = r0 + i;
	rels[rows + cols + 1] = (struct relation){idx + k, cols, g};
	for (size_t j = 0; j < cols; j++)
		idx[k++] = c0 + j;
	/* the relations one by one, then chains of them, until both hold */
	suppress(val, hid, n, rels, nrels, min_cell);
	while (close_bridge(&G, val, hid))
		suppress(val, hid, n, rels, nrels, min_cell);
	memcpy(cell_hidden, hid, ncells);
	memcpy(row_hidden, hid + r0, rows);
	memcpy(col_hidden, hid + c0, cols);
	*grand_hidden = hid[g];
out:
	grid_release(&G);
	free(rels);
	free(idx);
	free(hid);
	free(val);
	return rc;
}

/* --- the IKM report (pure) --- */

static const char *const by_names[BK_REPORT_BY_COUNT] = {"inovasi", "kecamatan", "unit"};

const char *bk_report_by_name(enum bk_report_by by)
{
	return (unsigned)by < BK_REPORT_BY_COUNT ? by_names[by] : "?";
}

bk_status bk_report_by_parse(const char *name, enum bk_report_by *by_p)
{
	for (unsigned i = 0; i < BK_REPORT_BY_COUNT; i++)
		if (strcmp(name, by_names[i]) == 0) {
			*by_p = (enum bk_report_by)i;
			return BK_OK;
		}
	bk_hint("--by takes inovasi, kecamatan or unit");
	return bk_fail(BK_ERR_USAGE, "unknown --by '%.32s'", name);
}

/* Whether a group's national index rests on a small cell: its respondents
 * or the answers to any of u1–u9. */
static int small_national(const struct bk_ikm_sums *s, uint64_t min_cell)
{
	if (s->respondents > 0 && s->respondents < min_cell)
		return 1;
	for (int i = 0; i < BK_IKM_UNSUR_NATIONAL; i++)
		if (s->filled[i] > 0 && s->filled[i] < min_cell)
			return 1;
	return 0;
}

/* Scores a group after suppression, and wipes what is hidden. */
static bk_status finish_group(struct bk_report_ikm_group *g)
{
	bk_status rc = BK_OK;

	memset(&g->ikm9, 0, sizeof(g->ikm9));
	memset(&g->ikm10, 0, sizeof(g->ikm10));
	if (g->suppressed) {
		memset(&g->sums, 0, sizeof(g->sums));
		g->ikm10_suppressed = 1;
	} else if ((rc = bk_ikm_score(&g->sums, BK_IKM_UNSUR_NATIONAL, &g->ikm9))) {
		return rc;
	}
	if (g->ikm10_suppressed) {
		g->sums.sum[BK_IKM_UNSUR - 1] = 0;
		g->sums.filled[BK_IKM_UNSUR - 1] = 0;
	} else if ((rc = bk_ikm_score(&g->sums, BK_IKM_UNSUR, &g->ikm10))) {
		return rc;
	}
	g->sample_size = 0;
	g->sample_enough = -1;
	if (g->population_suppressed)
		g->population = 0;
	else if (g->population > 0)
		g->sample_size = bk_krejcie_morgan(g->population);
	if (g->sample_size > 0 && !g->suppressed)
		g->sample_enough = g->sums.respondents >= g->sample_size;
	return rc;
}

bk_status bk_report_ikm_finish(struct bk_report_ikm *r)
{
	size_t n = r->ngroups;
	uint64_t *parts = malloc((n ? n : 1) * sizeof(*parts));
	unsigned char *hid = calloc(n ? n : 1, 1), th;
	struct bk_report_ikm_group *t = &r->total;
	bk_status rc = BK_OK;

	r->suppressed_groups = 0;
	if (!parts || !hid) {
		rc = bk_fail(BK_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (r->min_cell < 1 || r->min_cell > BK_REPORT_MIN_CELL_MAX) {
		rc = bk_fail(BK_ERR_USAGE, "--min-cell must be 1 to %d", BK_REPORT_MIN_CELL_MAX);
		goto out;
	}
	memset(&t->sums, 0, sizeof(t->sums));
	for (size_t i = 0; i < n; i++)
		bk_ikm_sums_add(&t->sums, &r->groups[i].sums);
	/* the groups: on respondents, and on every answer count of u1–u9 */
	for (size_t i = 0; i < n; i++) {
		parts[i] = r->groups[i].sums.respondents;
		hid[i] = (unsigned char)small_national(&r->groups[i].sums, r->min_cell);
	}
	th = (unsigned char)small_national(&t->sums, r->min_cell);
	if ((rc = bk_suppress_1d(parts, n, t->sums.respondents, r->min_cell, hid, &th)))
		goto out;
	for (size_t i = 0; i < n; i++)
		r->groups[i].suppressed = hid[i];
	t->suppressed = th;
	/* the 10-unsur index: on the answers to u10, hidden groups staying hidden */
	for (size_t i = 0; i < n; i++)
		parts[i] = r->groups[i].sums.filled[BK_IKM_UNSUR - 1];
	if ((rc = bk_suppress_1d(parts, n, t->sums.filled[BK_IKM_UNSUR - 1], r->min_cell, hid, &th)))
		goto out;
	for (size_t i = 0; i < n; i++)
		r->groups[i].ikm10_suppressed = hid[i];
	t->ikm10_suppressed = th;
	/* the populations (counts of people too) */
	for (size_t i = 0; i < n; i++) {
		parts[i] = r->groups[i].population;
		hid[i] = 0;
	}
	th = 0;
	if ((rc = bk_suppress_1d(parts, n, t->population, r->min_cell, hid, &th)))
		goto out;
	for (size_t i = 0; i < n; i++)
		r->groups[i].population_suppressed = hid[i];
	t->population_suppressed = th;
	for (size_t i = 0; i < n && rc == BK_OK; i++) {
		rc = finish_group(&r->groups[i]);
		r->suppressed_groups += (size_t)r->groups[i].suppressed;
	}
	if (rc == BK_OK)
		rc = finish_group(t);
out:
	if (rc != BK_OK) {
		/* fail closed: nothing of a half-finished report may be shown */
		for (size_t i = 0; i < n; i++)
			memset(&r->groups[i].sums, 0, sizeof(r->groups[i].sums));
		memset(&t->sums, 0, sizeof(t->sums));
	}
	free(hid);
	free(parts);
	return rc;
}

void bk_report_ikm_release(struct bk_report_ikm *r)
{
	free(r->groups);
	memset(r, 0, sizeof(*r));
}

/* A real from a scaled integer: dumped with JSON_REAL_PRECISION(15) it
 * prints as the decimal it is (3.088, 77.2). */
static json_t *jdec(uint64_t value, unsigned decimals)
{
	double scale = 1;

	for (unsigned i = 0; i < decimals; i++)
		scale *= 10;
	return json_real((double)value / scale);
}

json_t *bk_report_count_json(int hidden, uint64_t value)
{
	return hidden ? json_null() : json_integer((json_int_t)value);
}

static json_t *score_json(const struct bk_ikm_score *s, const struct bk_ikm_sums *sums)
{
	json_t *o;

	if (!s->valid)
		return json_null();
	o = json_object();
	json_object_set_new(o, "unsur", json_integer(s->nunsur));
	if (s->nunsur == BK_IKM_UNSUR) {
		json_object_set_new(o, "respondents_u10", json_integer((json_int_t)sums->filled[BK_IKM_UNSUR - 1]));
		json_object_set_new(o, "nrr_u10", jdec(s->nrr_milli[BK_IKM_UNSUR - 1], 3));
	}
	json_object_set_new(o, "ikm", jdec(s->ikm_e4, 4));
	json_object_set_new(o, "converted", jdec(s->converted_cents, 2));
	json_object_set_new(o, "mutu", json_stringn(&s->mutu, 1));
	json_object_set_new(o, "kinerja", json_string(s->kinerja));
	json_object_set_new(o, "nationally_comparable", json_boolean(s->nunsur == BK_IKM_UNSUR_NATIONAL));
	return o;
}

static json_t *ikm_group_json(const struct bk_report_ikm_group *g, int labelled)
{
	json_t *o = json_object(), *nrr = json_null(), *sample = json_object();

	if (labelled) {
		json_object_set_new(o, "kode", json_string(g->kode));
		json_object_set_new(o, "nama", json_string(g->nama));
	}
	json_object_set_new(o, "suppressed", json_boolean(g->suppressed));
	json_object_set_new(o, "respondents", bk_report_count_json(g->suppressed, g->sums.respondents));
	if (g->ikm9.valid) {
		static const char *const keys[BK_IKM_UNSUR_NATIONAL] = {"u1", "u2", "u3", "u4", "u5",
									 "u6", "u7", "u8", "u9"};

		nrr = json_object();
		for (int i = 0; i < BK_IKM_UNSUR_NATIONAL; i++)
			json_object_set_new(nrr, keys[i], jdec(g->ikm9.nrr_milli[i], 3));
	}
	json_object_set_new(o, "nrr", nrr);
	json_object_set_new(o, "ikm", score_json(&g->ikm9, &g->sums));
	json_object_set_new(o, "ikm_inovasi", score_json(&g->ikm10, &g->sums));
	json_object_set_new(o, "ikm_inovasi_suppressed", json_boolean(g->ikm10_suppressed));
	json_object_set_new(sample, "population",
			    g->population_suppressed || g->population == 0 ? json_null() : json_integer((json_int_t)g->population));
	json_object_set_new(sample, "population_suppressed", json_boolean(g->population_suppressed));
	json_object_set_new(sample, "required", g->sample_size ? json_integer((json_int_t)g->sample_size) : json_null());
	json_object_set_new(sample, "enough", g->sample_enough < 0 ? json_null() : json_boolean(g->sample_enough));
	json_object_set_new(o, "sample", sample);
	return o;
}

json_t *bk_report_ikm_json(const struct bk_report_ikm *r)
{
	json_t *o = json_object(), *groups = json_array();

	if (!o || !groups) {
		json_decref(o);
		json_decref(groups);
		return NULL;
	}
	json_object_set_new(o, "report", json_string("ikm"));
	json_object_set_new(o, "standard", json_string("PermenPANRB 14/2017"));
	json_object_set_new(o, "by", json_string(bk_report_by_name(r->by)));
	json_object_set_new(o, "year", r->year ? json_integer(r->year) : json_null());
	json_object_set_new(o, "min_cell", json_integer((json_int_t)r->min_cell));
	json_object_set_new(o, "population_basis", json_string(r->population_basis ? r->population_basis : ""));
	json_object_set_new(o, "sample_method", json_string("Krejcie-Morgan: chi2 3.841, P 0.5, d 0.05"));
	json_object_set_new(o, "suppressed_groups", json_integer((json_int_t)r->suppressed_groups));
	for (size_t i = 0; i < r->ngroups; i++)
		json_array_append_new(groups, ikm_group_json(&r->groups[i], 1));
	json_object_set_new(o, "groups", groups);
	json_object_set_new(o, "total", ikm_group_json(&r->total, 0));
	return o;
}

/* --- the coverage report (pure) --- */

/* Users per 1000 residents × 10, rounded half up. */
static uint64_t per_mille_e1(uint64_t users, uint64_t residents)
{
	return (uint64_t)div_round((u128)users * 10000, residents);
}

static void finish_kecamatan(struct bk_report_cov_kecamatan *k)
{
	if (k->residents_hidden)
		k->residents = 0;
	if (k->users_hidden)
		k->users = 0;
	if (k->daring_hidden)
		k->daring = 0;
	if (k->luring_hidden)
		k->luring = 0;
	if (k->uses_hidden)
		k->uses = 0;
	k->per_mille_known = !k->users_hidden && !k->residents_hidden && k->residents > 0;
	k->per_mille_e1 = k->per_mille_known ? per_mille_e1(k->users, k->residents) : 0;
	k->daring_share_known = !k->daring_hidden && !k->uses_hidden && k->uses > 0;
	k->daring_share_e1 = k->daring_share_known ? (uint32_t)div_round((u128)k->daring * 1000, k->uses) : 0;
}

/* Users per innovation and per kecamatan: both add up (or, as people use
 * several innovations, more than add up) to the scope's distinct users, so
 * they are protected together, as two relations sharing one whole. */
static bk_status suppress_users(struct bk_report_coverage *r)
{
	size_t m = r->ninovasi, n = r->nkecamatan, whole = m + n;
	uint64_t *val = malloc((whole + 1) * sizeof(*val));
	unsigned char *hid = calloc(whole + 1, 1);
	size_t *idx = malloc((whole ? whole : 1) * sizeof(*idx));
	struct relation rels[2];
	bk_status rc = BK_OK;

	if (!val || !hid || !idx) {
		rc = bk_fail(BK_ERR_NOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < m; i++)
		val[i] = r->inovasi[i].users;
	for (size_t k = 0; k < n; k++)
		val[m + k] = r->kecamatan[k].users;
	val[whole] = r->users_total;
	for (size_t i = 0; i < whole; i++)
		idx[i] = i;
	rels[0] = (struct relation){idx, m, whole};
	rels[1] = (struct relation){idx + m, n, whole};
	suppress(val, hid, whole + 1, rels, 2, r->min_cell);
	for (size_t i = 0; i < m; i++)
		r->inovasi[i].suppressed = hid[i];
	for (size_t k = 0; k < n; k++)
		r->kecamatan[k].users_hidden = hid[m + k];
	r->users_total_hidden = hid[whole];
	r->total.users_hidden = hid[whole];
out:
	free(idx);
	free(hid);
	free(val);
	return rc;
}

/* cov_totals sums the scope's additive counts; its distinct users are
 * given, not summed. */
static void cov_totals(struct bk_report_coverage *r)
{
	struct bk_report_cov_kecamatan *t = &r->total;

	t->residents = t->daring = t->luring = t->uses = 0;
	t->desa_reached = t->desa_total = 0;
	for (size_t i = 0; i < r->nkecamatan; i++) {
		struct bk_report_cov_kecamatan *k = &r->kecamatan[i];

		k->uses = k->daring + k->luring;
		t->residents += k->residents;
		t->daring += k->daring;
		t->luring += k->luring;
		t->uses += k->uses;
		t->desa_reached += k->desa_reached;
		t->desa_total += k->desa_total;
	}
	t->users = r->users_total;
}

/* cov_suppress_uses suppresses daring / luring per kecamatan as a table with
 * its margins; parts and hid hold 2n cells, rowh n rows. */
static bk_status cov_suppress_uses(struct bk_report_coverage *r, uint64_t *parts, unsigned char *hid,
				   unsigned char *rowh)
{
	struct bk_report_cov_kecamatan *t = &r->total;
	size_t n = r->nkecamatan;
	unsigned char colh[2] = {0, 0}, th = 0;
	bk_status rc;

	for (size_t i = 0; i < n; i++) {
		parts[2 * i] = r->kecamatan[i].daring;
		parts[2 * i + 1] = r->kecamatan[i].luring;
		hid[2 * i] = hid[2 * i + 1] = 0;
	}
	if ((rc = bk_suppress_2d(parts, n, 2, r->min_cell, hid, rowh, colh, &th)))
		goto out;
	for (size_t i = 0; i < n; i++) {
		r->kecamatan[i].daring_hidden = hid[2 * i];
		r->kecamatan[i].luring_hidden = hid[2 * i + 1];
		r->kecamatan[i].uses_hidden = rowh[i];
	}
	t->daring_hidden = colh[0];
	t->luring_hidden = colh[1];
	t->uses_hidden = th;
out:
	return rc;
}

bk_status bk_report_coverage_finish(struct bk_report_coverage *r)
{
	size_t n = r->nkecamatan, m = r->ninovasi;
	uint64_t *parts = calloc(2 * n + 1, sizeof(*parts));
	unsigned char *hid = calloc(2 * n + 1, 1), *rowh = calloc(n + 1, 1), th = 0;
	struct bk_report_cov_kecamatan *t = &r->total;
	bk_status rc = BK_OK;

	if (!parts || !hid || !rowh) {
		rc = bk_fail(BK_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (r->min_cell < 1 || r->min_cell > BK_REPORT_MIN_CELL_MAX) {
		rc = bk_fail(BK_ERR_USAGE, "--min-cell must be 1 to %d", BK_REPORT_MIN_CELL_MAX);
		goto out;
	}
	cov_totals(r);
	/* residents per kecamatan */
	for (size_t i = 0; i < n; i++)
		parts[i] = r->kecamatan[i].residents;
	if ((rc = bk_suppress_1d(parts, n, t->residents, r->min_cell, hid, &th)))
		goto out;
	for (size_t i = 0; i < n; i++)
		r->kecamatan[i].residents_hidden = hid[i];
	t->residents_hidden = th;
	if ((rc = suppress_users(r)))
		goto out;
	if ((rc = cov_suppress_uses(r, parts, hid, rowh)))
		goto out;
	for (size_t i = 0; i < n; i++)
		finish_kecamatan(&r->kecamatan[i]);
	finish_kecamatan(t);
	if (r->users_total_hidden)
		r->users_total = 0;
	for (size_t i = 0; i < m; i++) {
		struct bk_report_cov_inovasi *x = &r->inovasi[i];

		if (x->suppressed)
			x->users = 0;
		x->per_mille_known = !x->suppressed && !t->residents_hidden && t->residents > 0;
		x->per_mille_e1 = x->per_mille_known ? per_mille_e1(x->users, t->residents) : 0;
	}
out:
	if (rc != BK_OK) {
		/* fail closed: nothing of a half-finished report may be shown */
		for (size_t i = 0; i < n; i++)
			memset(&r->kecamatan[i], 0, sizeof(r->kecamatan[i]));
		for (size_t i = 0; i < m; i++)
			memset(&r->inovasi[i], 0, sizeof(r->inovasi[i]));
		memset(t, 0, sizeof(*t));
		r->users_total = 0;
	}
	free(rowh);
	free(hid);
	free(parts);
	return rc;
}

static json_t *cov_kecamatan_json(const struct bk_report_cov_kecamatan *k, int labelled)
{
	json_t *o = json_object();

	if (labelled) {
		json_object_set_new(o, "kode", json_string(k->kode));
		json_object_set_new(o, "nama", json_string(k->nama));
	}
	json_object_set_new(o, "residents", bk_report_count_json(k->residents_hidden, k->residents));
	json_object_set_new(o, "users", bk_report_count_json(k->users_hidden, k->users));
	json_object_set_new(o, "users_per_1000", k->per_mille_known ? jdec(k->per_mille_e1, 1) : json_null());
	json_object_set_new(o, "daring", bk_report_count_json(k->daring_hidden, k->daring));
	json_object_set_new(o, "luring", bk_report_count_json(k->luring_hidden, k->luring));
	json_object_set_new(o, "uses", bk_report_count_json(k->uses_hidden, k->uses));
	json_object_set_new(o, "daring_pct", k->daring_share_known ? jdec(k->daring_share_e1, 1) : json_null());
	json_object_set_new(o, "desa_reached", json_integer(k->desa_reached));
	json_object_set_new(o, "desa_total", json_integer(k->desa_total));
	return o;
}

static json_t *cov_plan_json(const struct bk_report_cov_plan *p, int list)
{
	json_t *o = json_object(), *un;

	json_object_set_new(o, "cakupan_given", json_boolean(p->cakupan_given));
	json_object_set_new(o, "cakupan_unknown", json_integer(p->cakupan_unknown));
	json_object_set_new(o, "kecamatan", json_integer(p->kecamatan_planned));
	json_object_set_new(o, "kecamatan_reached", json_integer(p->kecamatan_planned_reached));
	json_object_set_new(o, "desa", json_integer(p->desa_planned));
	json_object_set_new(o, "desa_reached", json_integer(p->desa_planned_reached));
	json_object_set_new(o, "desa_outside_plan", json_integer(p->desa_outside_plan));
	if (!list || !(un = json_array()))
		return o;
	for (size_t i = 0; i < p->nunreached; i++) {
		const struct bk_report_area *a = &p->unreached[i];

		json_array_append_new(un, json_pack("{s:s, s:s, s:s, s:s, s:b}", "kode", a->kode, "nama", a->nama,
						    "kecamatan_kode", a->kecamatan_kode, "kecamatan", a->kecamatan,
						    "kecamatan_unreached", a->kecamatan_unreached));
	}
	json_object_set_new(o, "unreached", un);
	return o;
}

json_t *bk_report_coverage_json(const struct bk_report_coverage *r)
{
	json_t *o = json_object(), *inov = json_array(), *kec = json_array(), *t;

	if (!o || !inov || !kec) {
		json_decref(o);
		json_decref(inov);
		json_decref(kec);
		return NULL;
	}
	json_object_set_new(o, "report", json_string("coverage"));
	json_object_set_new(o, "year", r->year ? json_integer(r->year) : json_null());
	json_object_set_new(o, "min_cell", json_integer((json_int_t)r->min_cell));
	json_object_set_new(o, "kecamatan_total", json_integer(r->kecamatan_total));
	json_object_set_new(o, "desa_total", json_integer(r->desa_total));
	for (size_t i = 0; i < r->ninovasi; i++) {
		const struct bk_report_cov_inovasi *x = &r->inovasi[i];
		json_t *row = json_object();

		json_object_set_new(row, "kode", json_string(x->kode));
		json_object_set_new(row, "nama", json_string(x->nama));
		json_object_set_new(row, "opd", json_string(x->opd));
		json_object_set_new(row, "suppressed", json_boolean(x->suppressed));
		json_object_set_new(row, "users", bk_report_count_json(x->suppressed, x->users));
		json_object_set_new(row, "users_per_1000", x->per_mille_known ? jdec(x->per_mille_e1, 1) : json_null());
		json_object_set_new(row, "kecamatan_reached", json_integer(x->kecamatan_reached));
		json_object_set_new(row, "desa_reached", json_integer(x->desa_reached));
		json_object_set_new(row, "planned", cov_plan_json(&x->plan, r->list_unreached));
		json_array_append_new(inov, row);
	}
	json_object_set_new(o, "inovasi", inov);
	for (size_t i = 0; i < r->nkecamatan; i++)
		json_array_append_new(kec, cov_kecamatan_json(&r->kecamatan[i], 1));
	json_object_set_new(o, "kecamatan", kec);
	t = cov_kecamatan_json(&r->total, 0);
	json_object_set_new(o, "total", t);
	return o;
}

void bk_report_coverage_release(struct bk_report_coverage *r)
{
	for (size_t i = 0; r->inovasi && i < r->ninovasi; i++)
		free(r->inovasi[i].plan.unreached);
	free(r->inovasi);
	free(r->kecamatan);
	memset(r, 0, sizeof(*r));
}

/* --- IKM from the vault --- */

struct ikm_build {
	struct bk_vault *v;
	struct bk_report_ikm *r;
	const char *lo, *hi; /* a period's dates (trend), else NULL: r->year */
	struct monev_scope sc;
	size_t cap;           /* of r->groups */
	struct monev_strmap groups; /* group kode -> index */
	struct monev_strmap codes;  /* innovation code -> group (unit: the OPD's) */
	uint64_t **bits;      /* per group: users in pemanfaatan (inovasi, unit) */
	uint64_t *all_bits;
	unsigned char *seen;  /* per kecamatan of the scope */
};

static bk_status add_group(struct ikm_build *b, const char *kode, const char *nama, size_t *idx_p)
{
	struct bk_report_ikm *r = b->r;
	size_t at = monev_strmap_get(&b->groups, kode);
	bk_status rc;

	if (at != NONE) {
		*idx_p = at;
		return BK_OK;
	}
	if (r->ngroups == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 32;
		struct bk_report_ikm_group *g = realloc(r->groups, cap * sizeof(*g));
		uint64_t **bits = realloc(b->bits, cap * sizeof(*bits));

		if (g)
			r->groups = g;
		if (bits)
			b->bits = bits;
		if (!g || !bits)
			return bk_fail(BK_ERR_NOMEM, "out of memory");
		b->cap = cap;
	}
	at = r->ngroups;
	memset(&r->groups[at], 0, sizeof(r->groups[at]));
	b->bits[at] = NULL;
	snprintf(r->groups[at].kode, sizeof(r->groups[at].kode), "%s", kode);
	snprintf(r->groups[at].nama, sizeof(r->groups[at].nama), "%s", nama);
	if ((rc = monev_strmap_put(&b->groups, kode, at)))
		return rc;
	r->ngroups++;
	*idx_p = at;
	return BK_OK;
}

#define UNREGISTERED "(tidak terdaftar)"

/* A group for inovasi or unit from one row of the innovation registry
 * (monev_read_registry's row): the first row of a kode counts. */
static bk_status ikm_registry_row(void *ctx, const struct monev_registry_row *row)
{
	struct ikm_build *b = ctx;
	size_t g;
	bk_status rc;

	if (monev_strmap_get(&b->codes, row->kode) != NONE)
		return BK_OK;
	if (b->r->by == BK_REPORT_BY_UNIT)
		rc = add_group(b, row->opd ? row->opd : UNREGISTERED, row->opd ? row->opd : UNREGISTERED, &g);
	else
		rc = add_group(b, row->kode, row->nama ? row->nama : "", &g);
	return rc ? rc : monev_strmap_put(&b->codes, row->kode, g);
}

/* The group of an innovation code seen in the data (added when unknown). */
static bk_status code_group(struct ikm_build *b, const char *kode, size_t *g_p)
{
	bk_status rc;

	if ((*g_p = monev_strmap_get(&b->codes, kode)) != NONE)
		return BK_OK;
	if (b->r->by == BK_REPORT_BY_UNIT)
		rc = add_group(b, UNREGISTERED, UNREGISTERED, g_p);
	else
		rc = add_group(b, kode, "", g_p);
	return rc ? rc : monev_strmap_put(&b->codes, kode, *g_p);
}

/* Where a scan over the SKM answers is: the run of one group it is in. */
struct ikm_cursor {
	size_t last_kec, last_g;
	char last_key[BK_REPORT_LABEL_MAX];
};

/* The answers of one file. */
static bk_status ikm_scan_file(struct ikm_build *b, const char *file, struct ikm_cursor *cur)
{
	sqlite3_stmt *st = NULL;
	bk_status rc;
	int src;

	/* by kecamatan the group is the kecamatan: the innovation column is not read */
	const char *cols = b->r->by == BK_REPORT_BY_KECAMATAN
				   ? "kecamatan, NULL, u1, u2, u3, u4, u5, u6, u7, u8, u9, u10"
				   : "kecamatan, kode_inovasi, u1, u2, u3, u4, u5, u6, u7, u8, u9, u10";

	if ((rc = b->lo ? monev_prepare_scan_in_between(b->v, file, cols, "skm", b->lo, b->hi, "tanggal", &b->sc, NULL, &st)
			: monev_prepare_scan_in(b->v, file, cols, "skm", b->r->year, "tanggal", &b->sc, NULL, &st)))
		return rc;
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		const char *kec = (const char *)sqlite3_column_text(st, 0);
		size_t k = monev_region_index(b->sc.kec, b->sc.nkec, kec, &cur->last_kec), g, len;
		const char *key;
		struct bk_ikm_sums *s;

		if (k == NONE) {
			rc = monev_unplaced_row("skm", kec);
			break;
		}
		b->seen[k] = 1;
		key = b->r->by == BK_REPORT_BY_KECAMATAN ? kec : (const char *)sqlite3_column_text(st, 1);
		if (!key)
			key = "";
		/* answers tend to come in runs of one group: skip the lookup then */
		if (cur->last_g != NONE && strcmp(key, cur->last_key) == 0) {
			g = cur->last_g;
		} else {
			if (b->r->by == BK_REPORT_BY_KECAMATAN) {
				g = monev_strmap_get(&b->groups, key);
			} else if ((rc = code_group(b, key, &g))) {
				break;
			}
			if (g == NONE) {
				rc = monev_unplaced_row("skm", kec);
				break;
			}
			len = strlen(key);
			cur->last_g = len < sizeof(cur->last_key) ? g : NONE;
			if (cur->last_g != NONE)
				memcpy(cur->last_key, key, len + 1);
		}
		s = &b->r->groups[g].sums;
		s->respondents++;
		for (int i = 0; i < BK_IKM_UNSUR; i++) {
			/* NULL reads as 0: an unanswered unsur (answers are 1 to 4) */
			int64_t a = sqlite3_column_int64(st, 2 + i);

			if (a == 0 && sqlite3_column_type(st, 2 + i) == SQLITE_NULL)
				continue;
			if (a < 1 || a > 4) {
				rc = bk_fail(BK_ERR_CORRUPT, "skm row %lld: u%d is %lld, not 1 to 4",
					     (long long)b->r->rows + 1, i + 1, (long long)a);
				break;
			}
			s->sum[i] += (uint64_t)a;
			s->filled[i]++;
		}
		if (rc != BK_OK)
			break;
		b->r->rows++;
	}
	if (rc == BK_OK && src != SQLITE_DONE)
		rc = bk_db_status(b->v->db, src, "reading the SKM answers");
	sqlite3_finalize(st);
	return rc;
}

/* The one pass over the SKM answers, file by file: a scan of each store's
 * table, not of the view joining them, which copies every row through. */
static bk_status ikm_scan(struct ikm_build *b)
{
	static const char *const cols[] = {"kode_inovasi", "tanggal", "u1", "u2", "u3", "u4", "u5",
					   "u6", "u7", "u8", "u9", "u10", NULL};
	struct ikm_cursor cur = {0, NONE, ""};
	struct bk_dataset ds;
	bk_status rc;

	if ((rc = monev_need_dataset(b->v, "skm", cols, &ds)))
		return rc;
	bk_dataset_release(&ds);
	for (size_t f = 0; f <= b->v->nstores && rc == BK_OK; f++) {
		char file[BK_STORE_SCHEMA_MAX];

		bk_stores_file(b->v->stores, f, file);
		rc = ikm_scan_file(b, file, &cur);
	}
	return rc;
}

/* The registered residents (warga rows) of each kecamatan of the scope:
 * *per_kec_p (sc->nkec entries, the caller frees it) is NULL when the vault
 * has no warga dataset, and on failure. Shared by the IKM populations and
 * coverage. */
static bk_status residents_per_kecamatan(struct bk_vault *v, const struct monev_scope *sc, uint64_t **per_kec_p)
{
	sqlite3_stmt *st = NULL;
	unsigned char *seen = calloc(sc->nkec + 1, 1);
	uint64_t *per_kec = calloc(sc->nkec + 1, sizeof(*per_kec));
	size_t last = 0;
	int have = 0, src;
	bk_status rc;

	*per_kec_p = NULL;
	if (!seen || !per_kec) {
		rc = bk_fail(BK_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = monev_have_dataset(v, "warga", &have)) || !have)
		goto out;
	if ((rc = monev_require_scope(v, "warga", sc)))
		goto out;
	/* file by file: each counts along its kecamatan index, where GROUP BY over the
	 * view of all files would sort every row (1 M rows: 0.45 s against 0.03 s) */
	for (size_t f = 0; f <= v->nstores && rc == BK_OK; f++) {
		char file[BK_STORE_SCHEMA_MAX];

		bk_stores_file(v->stores, f, file);
		if ((rc = monev_prepare_scan_in(v, file, "kecamatan, count(*)", "warga", 0, NULL, sc, " GROUP BY kecamatan",
					  &st)))
			break;
		while ((src = sqlite3_step(st)) == SQLITE_ROW) {
			const char *kec = (const char *)sqlite3_column_text(st, 0);
			size_t k = monev_region_index(sc->kec, sc->nkec, kec, &last);

			if (k == NONE) {
				rc = monev_unplaced_row("warga", kec);
				break;
			}
			seen[k] = 1;
			per_kec[k] += (uint64_t)sqlite3_column_int64(st, 1);
		}
		if (rc == BK_OK && src != SQLITE_DONE)
			rc = bk_db_status(v->db, src, "counting residents");
		sqlite3_finalize(st);
		st = NULL;
	}
	if (rc == BK_OK)
		rc = monev_require_seen(v, "warga", sc, seen);
out:
	if (rc == BK_OK && have)
		*per_kec_p = per_kec;
	else
		free(per_kec);
	sqlite3_finalize(st);
	free(seen);
	return rc;
}

/* Populations for kecamatan: the registered residents (warga) of each. */
static bk_status ikm_population_warga(struct ikm_build *b)
{
	uint64_t *per_kec = NULL;
	bk_status rc = residents_per_kecamatan(b->v, &b->sc, &per_kec);

	for (size_t k = 0; per_kec && k < b->sc.nkec; k++) {
		size_t g = monev_strmap_get(&b->groups, b->sc.kec[k]->kode);

		if (g != NONE)
			b->r->groups[g].population = per_kec[k];
		b->r->total.population += per_kec[k];
	}
	free(per_kec);
	return rc;
}

/* Populations for inovasi and unit: the distinct users in pemanfaatan. */
static bk_status ikm_population_users(struct ikm_build *b)
{
	static const char *const cols[] = {"kode_inovasi", "tanggal", NULL};
	struct bk_dataset ds;
	sqlite3_stmt *st = NULL;
	unsigned char *seen = calloc(b->sc.nkec + 1, 1);
	char sel[128];
	size_t last = 0;
	int have, src;
	bk_status rc;

	if (!seen)
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	if ((rc = monev_have_dataset(b->v, "pemanfaatan", &have)) || !have)
		goto out_seen;
	if ((rc = monev_need_dataset(b->v, "pemanfaatan", cols, &ds)))
		goto out_seen;
	if (ds.subject_col < 0 || !ds.cols[ds.subject_col].blind_index) {
		bk_dataset_release(&ds);
		goto out_seen; /* no way to tell users apart: populations unknown */
	}
	snprintf(sel, sizeof(sel), "kecamatan, kode_inovasi, \"%s_bi\"", ds.cols[ds.subject_col].name);
	bk_dataset_release(&ds);
	if (!(b->all_bits = calloc(MONEV_BITMAP_WORDS, sizeof(uint64_t)))) {
		rc = bk_fail(BK_ERR_NOMEM, "out of memory");
		goto out_seen;
	}
	if ((rc = monev_require_scope(b->v, "pemanfaatan", &b->sc)) ||
	    (rc = b->lo ? monev_prepare_scan_between(b->v, sel, "pemanfaatan", b->lo, b->hi, "tanggal", &b->sc, NULL, &st)
			: monev_prepare_scan(b->v, sel, "pemanfaatan", b->r->year, "tanggal", &b->sc, NULL, &st)))
		goto out_seen;
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		const char *kec = (const char *)sqlite3_column_text(st, 0);
		const char *kode = (const char *)sqlite3_column_text(st, 1);
		size_t k = monev_region_index(b->sc.kec, b->sc.nkec, kec, &last), g;
		int64_t bi;

		if (k == NONE) {
			rc = monev_unplaced_row("pemanfaatan", kec);
			break;
		}
		seen[k] = 1;
		if (sqlite3_column_type(st, 2) == SQLITE_NULL)
			continue;
		bi = sqlite3_column_int64(st, 2);
		monev_bitmap_set(b->all_bits, bi);
		g = kode ? monev_strmap_get(&b->codes, kode) : NONE;
		if (g == NONE)
			continue; /* an innovation with users but no answers and no registry entry */
		if (!b->bits[g] && !(b->bits[g] = calloc(MONEV_BITMAP_WORDS, sizeof(uint64_t)))) {
			rc = bk_fail(BK_ERR_NOMEM, "out of memory");
			break;
		}
		monev_bitmap_set(b->bits[g], bi);
	}
	if (rc == BK_OK && src != SQLITE_DONE)
		rc = bk_db_status(b->v->db, src, "reading pemanfaatan");
	if (rc == BK_OK)
		rc = monev_require_seen(b->v, "pemanfaatan", &b->sc, seen);
	for (size_t g = 0; rc == BK_OK && g < b->r->ngroups; g++)
		b->r->groups[g].population = monev_bitmap_distinct(b->bits[g]);
	if (rc == BK_OK)
		b->r->total.population = monev_bitmap_distinct(b->all_bits);
	sqlite3_finalize(st);
out_seen:
	free(seen);
	return rc;
}

static int group_cmp(const void *a, const void *b)
{
	const struct bk_report_ikm_group *x = a, *y = b;

	return strcmp(x->kode, y->kode);
}

/* One IKM report over a year (o->year), or the dates lo to before hi; the
 * caller audits it (audit set: here). */
static bk_status ikm_run(struct bk_vault *v, const struct bk_report_ikm_opts *o, const char *lo, const char *hi,
			 int audit, struct bk_report_ikm *r)
{
	struct ikm_build b = {.v = v, .r = r, .lo = lo, .hi = hi};
	char target[96];
	bk_status rc;

	memset(r, 0, sizeof(*r));
	if ((unsigned)o->by >= BK_REPORT_BY_COUNT)
		return bk_fail(BK_ERR_USAGE, "unknown report grouping");
	r->by = o->by;
	r->year = o->year;
	r->min_cell = o->min_cell;
	if ((rc = monev_report_begin(v, o->year, o->min_cell, &b.sc)))
		return rc;
	if (!(b.seen = calloc(b.sc.nkec + 1, 1))) {
		rc = bk_fail(BK_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = monev_require_scope(v, "skm", &b.sc)))
		goto out;
	if (o->by == BK_REPORT_BY_KECAMATAN) {
		r->population_basis = "warga: the registered residents of the kecamatan";
		for (size_t i = 0; i < b.sc.nkec && rc == BK_OK; i++) {
			size_t g;

			rc = add_group(&b, b.sc.kec[i]->kode, b.sc.kec[i]->nama, &g);
		}
	} else {
		r->population_basis = "pemanfaatan: the distinct users of the innovation (estimated from the NIK "
				      "blind index)";
		if (o->by == BK_REPORT_BY_UNIT)
			r->population_basis = "pemanfaatan: the distinct users of the unit's innovations (estimated "
					      "from the NIK blind index)";
		rc = monev_read_registry(v, ikm_registry_row, &b);
	}
	if (rc == BK_OK && (rc = ikm_scan(&b)) == BK_OK && (rc = monev_require_seen(v, "skm", &b.sc, b.seen)) == BK_OK)
		rc = o->by == BK_REPORT_BY_KECAMATAN ? ikm_population_warga(&b) : ikm_population_users(&b);
	if (rc != BK_OK)
		goto out;
	if (r->ngroups > 1)
		qsort(r->groups, r->ngroups, sizeof(*r->groups), group_cmp);
	if ((rc = bk_report_ikm_finish(r)) || !audit)
		goto out;
	if (o->year)
		snprintf(target, sizeof(target), "ikm by %s year %04d min-cell %llu", bk_report_by_name(o->by), o->year,
			 (unsigned long long)o->min_cell);
	else
		snprintf(target, sizeof(target), "ikm by %s min-cell %llu", bk_report_by_name(o->by),
			 (unsigned long long)o->min_cell);
	rc = monev_audit_report(v, "skm", target, r->rows);
out:
	for (size_t i = 0; i < r->ngroups && b.bits; i++)
		free(b.bits[i]);
	free(b.bits);
	free(b.all_bits);
	free(b.seen);
	monev_strmap_free(&b.groups);
	monev_strmap_free(&b.codes);
	monev_scope_release(&b.sc);
	if (rc != BK_OK)
		bk_report_ikm_release(r);
	return rc;
}

bk_status bk_vault_report_ikm(struct bk_vault *v, const struct bk_report_ikm_opts *o, struct bk_report_ikm *r)
{
	return ikm_run(v, o, NULL, NULL, 1, r);
}

/* --- the IKM over time --- */

#define TREND_PERIODS_MAX 40

/* The first and last SKM dates the user's scope holds (in o->year when set),
 * "" when none: over every file, each with its own scan. */
static bk_status skm_span(struct bk_vault *v, const struct monev_scope *sc, int year, char first[11], char last[11])
{
	bk_status rc = BK_OK;

	first[0] = last[0] = '\0';
	for (size_t f = 0; f <= v->nstores && rc == BK_OK; f++) {
		char file[BK_STORE_SCHEMA_MAX];
		sqlite3_stmt *st = NULL;
		int src;

		bk_stores_file(v->stores, f, file);
		if ((rc = monev_prepare_scan_in(v, file, "min(tanggal), max(tanggal)", "skm", year, "tanggal", sc, NULL, &st)))
			break;
		if ((src = sqlite3_step(st)) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
			const char *a = (const char *)sqlite3_column_text(st, 0), *z = (const char *)sqlite3_column_text(st, 1);

			if (a && strlen(a) == 10 && (!first[0] || strcmp(a, first) < 0))
				memcpy(first, a, 11);
			if (z && strlen(z) == 10 && (!last[0] || strcmp(z, last) > 0))
				memcpy(last, z, 11);
		} else if (src != SQLITE_ROW && src != SQLITE_DONE) {
			rc = bk_db_status(v->db, src, "reading the SKM dates");
		}
		sqlite3_finalize(st);
	}
	return rc;
}

bk_status bk_vault_report_ikm_trend(struct bk_vault *v, const struct bk_report_ikm_opts *o, enum bk_period period,
				    struct bk_report_ikm_trend *t)
{
	struct monev_scope sc;
	char first[11], last[11], lo[16], hi[16], target[96];
	int32_t a, z;
	bk_status rc;

	memset(t, 0, sizeof(*t));
	t->period = period;
	t->by = o->by;
	t->min_cell = o->min_cell;
	if ((unsigned)o->by >= BK_REPORT_BY_COUNT)
		return bk_fail(BK_ERR_USAGE, "unknown report grouping");
	if (period != BK_PERIOD_SEMESTER && period != BK_PERIOD_YEAR)
		return bk_fail(BK_ERR_USAGE, "the IKM is reported per semester or per year");
	if ((rc = monev_report_begin(v, o->year, o->min_cell, &sc)))
		return rc;
	if ((rc = monev_require_scope(v, "skm", &sc)) || (rc = skm_span(v, &sc, o->year, first, last))) {
		monev_scope_release(&sc);
		return rc;
	}
	monev_scope_release(&sc);
	if (first[0]) {
		a = bk_period_of(first, period);
		z = bk_period_of(last, period);
		if (z - a + 1 > TREND_PERIODS_MAX)
			a = z - TREND_PERIODS_MAX + 1;
		t->n = (size_t)(z - a + 1);
		t->labels = calloc(t->n, sizeof(*t->labels));
		t->reports = calloc(t->n, sizeof(*t->reports));
		if (!t->labels || !t->reports) {
			bk_report_ikm_trend_release(t);
			return bk_fail(BK_ERR_NOMEM, "out of memory");
		}
		for (size_t i = 0; i < t->n && rc == BK_OK; i++) {
			struct bk_report_ikm_opts one = *o;

			one.year = 0;
			bk_period_label(t->labels[i], a + (int32_t)i, period);
			bk_period_bounds(a + (int32_t)i, period, lo, hi);
			if ((rc = ikm_run(v, &one, lo, hi, 0, &t->reports[i])) == BK_OK)
				t->rows += t->reports[i].rows;
		}
	}
	if (rc == BK_OK) {
		snprintf(target, sizeof(target), "ikm by %s per %s%s%.0d min-cell %llu", bk_report_by_name(o->by),
			 bk_period_name(period), o->year ? " year " : "", o->year, (unsigned long long)o->min_cell);
		rc = monev_audit_report(v, "skm", target, t->rows);
	}
	if (rc != BK_OK)
		bk_report_ikm_trend_release(t);
	return rc;
}

void bk_report_ikm_trend_release(struct bk_report_ikm_trend *t)
{
	for (size_t i = 0; t->reports && i < t->n; i++)
		bk_report_ikm_release(&t->reports[i]);
	free(t->reports);
	free(t->labels);
	memset(t, 0, sizeof(*t));
}

json_t *bk_report_ikm_trend_json(const struct bk_report_ikm_trend *t)
{
	json_t *o = json_object(), *periods = json_array();

	if (!o || !periods) {
		json_decref(o);
		json_decref(periods);
		return NULL;
	}
	json_object_set_new(o, "report", json_string("ikm-trend"));
	json_object_set_new(o, "by", json_string(bk_report_by_name(t->by)));
	json_object_set_new(o, "period", json_string(bk_period_name(t->period)));
	json_object_set_new(o, "min_cell", json_integer((json_int_t)t->min_cell));
	for (size_t i = 0; i < t->n; i++) {
		json_t *one = bk_report_ikm_json(&t->reports[i]);

		if (!one) {
			json_decref(o);
			json_decref(periods);
			return NULL;
		}
		json_object_set_new(one, "period", json_string(t->labels[i]));
		json_array_append_new(periods, one);
	}
	json_object_set_new(o, "periods", periods);
	return o;
}

/* --- coverage from the vault --- */

struct cov_build {
	struct bk_vault *v;
	struct bk_report_coverage *r;
	struct monev_scope sc;
	size_t cap;           /* of r->inovasi */
	struct monev_strmap codes;  /* innovation code -> index */
	uint64_t **inov_bits; /* per innovation: users */
	unsigned char **inov_kec, **inov_desa; /* per innovation: kecamatan, desa reached */
	unsigned char **inov_plan; /* per innovation: desa of the scope it plans to reach; NULL: all */
	uint64_t **kec_bits;  /* per kecamatan: users */
	uint64_t *all_bits;
	unsigned char *desa_reached; /* per desa of the scope */
	unsigned char *seen;
};

static bk_status cov_add_inovasi(struct cov_build *b, const char *kode, const char *nama, const char *opd,
				 size_t *idx_p)
{
	struct bk_report_coverage *r = b->r;
	size_t at = monev_strmap_get(&b->codes, kode);

	if (at != NONE) {
		*idx_p = at;
		return BK_OK;
	}
	if (r->ninovasi == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 32;
		struct bk_report_cov_inovasi *x = realloc(r->inovasi, cap * sizeof(*x));
		uint64_t **bits = realloc(b->inov_bits, cap * sizeof(*bits));
		unsigned char **kec = realloc(b->inov_kec, cap * sizeof(*kec));
		unsigned char **desa = realloc(b->inov_desa, cap * sizeof(*desa));
		unsigned char **plan = realloc(b->inov_plan, cap * sizeof(*plan));

		if (x)
			r->inovasi = x;
		if (bits)
			b->inov_bits = bits;
		if (kec)
			b->inov_kec = kec;
		if (desa)
			b->inov_desa = desa;
		if (plan)
			b->inov_plan = plan;
		if (!x || !bits || !kec || !desa || !plan)
			return bk_fail(BK_ERR_NOMEM, "out of memory");
		b->cap = cap;
	}
	at = r->ninovasi;
	memset(&r->inovasi[at], 0, sizeof(r->inovasi[at]));
	b->inov_bits[at] = NULL;
	b->inov_plan[at] = NULL;
	b->inov_kec[at] = calloc(b->sc.nkec + 1, 1);
	b->inov_desa[at] = calloc(b->sc.ndesa + 1, 1);
	r->ninovasi++; /* freed with the rest even when what follows fails */
	if (!b->inov_kec[at] || !b->inov_desa[at])
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	snprintf(r->inovasi[at].kode, sizeof(r->inovasi[at].kode), "%s", kode);
	snprintf(r->inovasi[at].nama, sizeof(r->inovasi[at].nama), "%s", nama);
	snprintf(r->inovasi[at].opd, sizeof(r->inovasi[at].opd), "%s", opd);
	*idx_p = at;
	return monev_strmap_put(&b->codes, kode, at);
}

/* An innovation from one row of the registry (monev_read_registry's row),
 * with the desa its cakupan plans to reach; the first row of a kode counts. */
static bk_status cov_registry_row(void *ctx, const struct monev_registry_row *row)
{
	struct cov_build *b = ctx;
	struct bk_report_cov_plan *plan;
	size_t i, n = b->r->ninovasi;
	bk_status rc;

	if ((rc = cov_add_inovasi(b, row->kode, row->nama ? row->nama : "", row->opd ? row->opd : "", &i)) || i < n ||
	    !row->cakupan)
		return rc;
	plan = &b->r->inovasi[i].plan;
	if (!(b->inov_plan[i] = calloc(b->sc.ndesa + 1, 1)))
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	plan->cakupan_given = monev_plan(&b->v->regions, &b->sc, row->cakupan, b->inov_plan[i], &plan->cakupan_unknown);
	if (!plan->cakupan_given) { /* an empty cakupan: the whole scope */
		free(b->inov_plan[i]);
		b->inov_plan[i] = NULL;
	}
	return BK_OK;
}

static bk_status cov_residents(struct cov_build *b)
{
	uint64_t *per_kec = NULL;
	bk_status rc = residents_per_kecamatan(b->v, &b->sc, &per_kec);

	for (size_t k = 0; per_kec && k < b->sc.nkec; k++)
		b->r->kecamatan[k].residents = per_kec[k];
	free(per_kec);
	return rc;
}

/* An innovation met in the data (monev_code_index's add). */
static bk_status cov_code(void *ctx, const char *kode, size_t *g_p)
{
	return cov_add_inovasi(ctx, kode, "", "", g_p);
}

/* The one pass over pemanfaatan. */
static bk_status cov_scan(struct cov_build *b)
{
	struct monev_last_code last = {NONE, ""};
	sqlite3_stmt *st = NULL;
	size_t last_kec = 0, last_desa = 0;
	int src;
	bk_status rc;

	if ((rc = monev_scan_pemanfaatan(b->v, &b->sc, b->r->year, NULL, NULL, &st)))
		return rc;
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		const char *kec = (const char *)sqlite3_column_text(st, MONEV_USE_KECAMATAN);
		const char *kanal = (const char *)sqlite3_column_text(st, MONEV_USE_KANAL);
		const char *desa = (const char *)sqlite3_column_text(st, MONEV_USE_DESA);
		size_t k = monev_region_index(b->sc.kec, b->sc.nkec, kec, &last_kec), g;
		size_t d = monev_region_index(b->sc.desa, b->sc.ndesa, desa, &last_desa);
		struct bk_report_cov_kecamatan *kr;

		if (k == NONE) {
			rc = monev_unplaced_row("pemanfaatan", kec);
			break;
		}
		b->seen[k] = 1;
		kr = &b->r->kecamatan[k];
		if ((rc = monev_code_index(&last, (const char *)sqlite3_column_text(st, MONEV_USE_KODE), cov_code, b, &g)))
			break;
	b->inov_kec[g][k] = 1;
		if (d != NONE) {
			b->inov_desa[g][d] = 1;
			b->desa_reached[d] = 1;
		}
		if (kanal && strcmp(kanal, "daring") == 0)
			kr->daring++;
		else if (kanal && strcmp(kanal, "luring") == 0)
			kr->luring++;
		if (sqlite3_column_type(st, MONEV_USE_BI) != SQLITE_NULL) {
			int64_t bi = sqlite3_column_int64(st, MONEV_USE_BI);

			if ((!b->inov_bits[g] && !(b->inov_bits[g] = calloc(MONEV_BITMAP_WORDS, sizeof(uint64_t)))) ||
			    (!b->kec_bits[k] && !(b->kec_bits[k] = calloc(MONEV_BITMAP_WORDS, sizeof(uint64_t))))) {
				rc = bk_fail(BK_ERR_NOMEM, "out of memory");
				break;
			}
			monev_bitmap_set(b->inov_bits[g], bi);
			monev_bitmap_set(b->kec_bits[k], bi);
			monev_bitmap_set(b->all_bits, bi);
		}
		b->r->rows++;
	}
	if (rc == BK_OK && src != SQLITE_DONE)
		rc = bk_db_status(b->v->db, src, "reading pemanfaatan");
	sqlite3_finalize(st);
	return rc;
}

static int cov_inovasi_cmp(const void *a, const void *b)
{
	return strcmp(((const struct bk_report_cov_inovasi *)a)->kode, ((const struct bk_report_cov_inovasi *)b)->kode);
}

/* cov_alloc makes b's working sets and the report's kecamatan rows, named. */
static bk_status cov_alloc(struct cov_build *b)
{
	struct bk_report_coverage *r = b->r;

	b->seen = calloc(b->sc.nkec + 1, 1);
	b->kec_bits = calloc(b->sc.nkec + 1, sizeof(*b->kec_bits));
	b->desa_reached = calloc(b->sc.ndesa + 1, 1);
	b->all_bits = calloc(MONEV_BITMAP_WORDS, sizeof(uint64_t));
	r->kecamatan = calloc(b->sc.nkec + 1, sizeof(*r->kecamatan));
	if (!b->seen || !b->kec_bits || !b->desa_reached || !b->all_bits || !r->kecamatan)
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	r->nkecamatan = b->sc.nkec;
	r->kecamatan_total = (uint32_t)b->sc.nkec;
	r->desa_total = (uint32_t)b->sc.ndesa;
	for (size_t k = 0; k < b->sc.nkec; k++) {
		snprintf(r->kecamatan[k].kode, sizeof(r->kecamatan[k].kode), "%s", b->sc.kec[k]->kode);
		snprintf(r->kecamatan[k].nama, sizeof(r->kecamatan[k].nama), "%s", b->sc.kec[k]->nama);
	}
	return BK_OK;
}

/* Innovation i's reach against its plan: the planned kecamatan and desa of
 * the scope, those reached, the desa reached outside the plan, and the list
 * of planned desa not reached (in code order, the scope's). */
static bk_status cov_plan(struct cov_build *b, size_t i)
{
	struct bk_report_cov_plan *p = &b->r->inovasi[i].plan;
	const unsigned char *plan = b->inov_plan[i], *reached = b->inov_desa[i];
	unsigned char *kec_planned = calloc(b->sc.nkec + 1, 1), *kec_reached = calloc(b->sc.nkec + 1, 1);
	size_t *kec_of = calloc(b->sc.ndesa + 1, sizeof(*kec_of)), n = 0;

	if (!kec_planned || !kec_reached || !kec_of) {
		free(kec_planned);
		free(kec_reached);
		free(kec_of);
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	}
	for (size_t d = 0, last = 0; d < b->sc.ndesa; d++) {
		size_t k = kec_of[d] = monev_region_index(b->sc.kec, b->sc.nkec, b->sc.desa[d]->kode_induk, &last);
		int planned = !plan || plan[d];

		if (!planned) {
			p->desa_outside_plan += reached[d];
			continue;
		}
		p->desa_planned++;
		p->desa_planned_reached += reached[d];
		n += !reached[d];
		if (k != NONE) {
			kec_planned[k] = 1;
			kec_reached[k] |= reached[d];
		}
	}
	for (size_t k = 0; k < b->sc.nkec; k++) {
		p->kecamatan_planned += kec_planned[k];
		p->kecamatan_planned_reached += kec_reached[k];
	}
	if (n && !(p->unreached = calloc(n, sizeof(*p->unreached)))) {
		free(kec_planned);
		free(kec_reached);
		free(kec_of);
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	}
	for (size_t d = 0; d < b->sc.ndesa && n; d++) {
		struct bk_report_area *a;
		size_t k = kec_of[d];

		if ((plan && !plan[d]) || reached[d])
			continue;
		a = &p->unreached[p->nunreached++];
		snprintf(a->kode, sizeof(a->kode), "%s", b->sc.desa[d]->kode);
		snprintf(a->nama, sizeof(a->nama), "%s", b->sc.desa[d]->nama);
		snprintf(a->kecamatan_kode, sizeof(a->kecamatan_kode), "%s", b->sc.desa[d]->kode_induk);
		snprintf(a->kecamatan, sizeof(a->kecamatan), "%s", k != NONE ? b->sc.kec[k]->nama : "");
		a->kecamatan_unreached = k != NONE && !kec_reached[k];
	}
	free(kec_planned);
	free(kec_reached);
	free(kec_of);
	return BK_OK;
}

/* cov_tally turns the working sets into the report's figures: desa reached
 * per kecamatan, distinct users, and the reach of each innovation. */
static bk_status cov_tally(struct cov_build *b)
{
	struct bk_report_coverage *r = b->r;
	bk_status rc;

	for (size_t d = 0; d < b->sc.ndesa; d++) {
		size_t last = 0, k = monev_region_index(b->sc.kec, b->sc.nkec, b->sc.desa[d]->kode_induk, &last);

		if (k == NONE)
			continue;
		r->kecamatan[k].desa_total++;
		r->kecamatan[k].desa_reached += b->desa_reached[d];
	}
	for (size_t k = 0; k < b->sc.nkec; k++)
		r->kecamatan[k].users = monev_bitmap_distinct(b->kec_bits[k]);
	for (size_t i = 0; i < r->ninovasi; i++) {
		struct bk_report_cov_inovasi *x = &r->inovasi[i];

		x->users = monev_bitmap_distinct(b->inov_bits[i]);
		for (size_t k = 0; k < b->sc.nkec; k++)
			x->kecamatan_reached += b->inov_kec[i][k];
		for (size_t d = 0; d < b->sc.ndesa; d++)
			x->desa_reached += b->inov_desa[i][d];
		if ((rc = cov_plan(b, i)))
			return rc;
	}
	r->users_total = monev_bitmap_distinct(b->all_bits);
	if (r->ninovasi > 1)
		qsort(r->inovasi, r->ninovasi, sizeof(*r->inovasi), cov_inovasi_cmp);
	return BK_OK;
}

static void cov_free(struct cov_build *b)
{
	for (size_t i = 0; i < b->r->ninovasi; i++) {
		free(b->inov_bits ? b->inov_bits[i] : NULL);
		free(b->inov_kec ? b->inov_kec[i] : NULL);
		free(b->inov_desa ? b->inov_desa[i] : NULL);
		free(b->inov_plan ? b->inov_plan[i] : NULL);
	}
	for (size_t k = 0; b->kec_bits && k < b->sc.nkec; k++)
		free(b->kec_bits[k]);
	free(b->inov_bits);
	free(b->inov_kec);
	free(b->inov_desa);
	free(b->inov_plan);
	free(b->kec_bits);
	free(b->all_bits);
	free(b->desa_reached);
	free(b->seen);
	monev_strmap_free(&b->codes);
	monev_scope_release(&b->sc);
}

bk_status bk_vault_report_coverage(struct bk_vault *v, const struct bk_report_coverage_opts *o,
				   struct bk_report_coverage *r)
{
	struct cov_build b = {.v = v, .r = r};
	char target[64];
	bk_status rc;

	memset(r, 0, sizeof(*r));
	r->year = o->year;
	r->min_cell = o->min_cell;
	r->list_unreached = o->unreached;
	if ((rc = monev_report_begin(v, o->year, o->min_cell, &b.sc)))
		return rc;
	if ((rc = cov_alloc(&b)))
		goto out;
	if ((rc = monev_require_scope(v, "pemanfaatan", &b.sc)) || (rc = monev_read_registry(v, cov_registry_row, &b)) || (rc = cov_scan(&b)) ||
	    (rc = monev_require_seen(v, "pemanfaatan", &b.sc, b.seen)) || (rc = cov_residents(&b)) || (rc = cov_tally(&b)))
		goto out;
	if ((rc = bk_report_coverage_finish(r)))
		goto out;
	if (o->year)
		snprintf(target, sizeof(target), "coverage year %04d min-cell %llu", o->year,
			 (unsigned long long)o->min_cell);
	else
		snprintf(target, sizeof(target), "coverage min-cell %llu", (unsigned long long)o->min_cell);
	rc = monev_audit_report(v, "pemanfaatan", target, r->rows);
out:
	cov_free(&b);
	if (rc != BK_OK)
		bk_report_coverage_release(r);
	return rc;
}
