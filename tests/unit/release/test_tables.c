/* test_tables.c - evaluators' tables (vault/release/tables.h): golden tables worked
 * by hand for count, mean, ikm and ikm10; a 2-D table where primary
 * suppression alone would leak through the totals; random tables checked by
 * brute force (no row or column with a single hidden cell unless its total is
 * hidden, and no hidden cell solvable by linear algebra over every released
 * total); the ε path replayed from the same ChaCha20 stream; the refusals. */
#include "tests/unit/unit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "crypto/secmem.h"
#include "vault/monev/report.h"
#include "vault/release/tables.h"

/* --- helpers --- */

static struct bk_table *new_table(size_t nby, enum bk_table_measure m)
{
	struct bk_table_spec spec = {.nby = nby, .measure = m};
	struct bk_table *t = NULL;

	assert_int_equal(bk_table_new(&spec, &t), BK_OK);
	return t;
}

static void add_n(struct bk_table *t, const char *a, const char *b, const int64_t *values, size_t nvalues, int times)
{
	const char *keys[2] = {a, b};

	for (int i = 0; i < times; i++)
		assert_int_equal(bk_table_add(t, keys, values, nvalues), BK_OK);
}

static void finish(struct bk_table *t, uint64_t min_cell)
{
	struct bk_table_opts o = {.min_cell = min_cell};

	assert_int_equal(bk_table_finish(t, &o), BK_OK);
}

/* Asserts entry i's text: keys joined by '|', count, value, mutu. */
static void expect_text(const struct bk_table *t, size_t i, const char *keys, const char *count, const char *value,
			const char *mutu)
{
	size_t n;
	const struct bk_table_entry *e = bk_table_entries(t, &n);
	struct bk_table_text x;
	char k[256] = "";

	assert_true(i < n);
	bk_table_entry_text(t, &e[i], &x);
	for (size_t d = 0; d < BK_TABLE_BY_MAX && x.key[d]; d++) {
		if (d)
			strcat(k, "|");
		strcat(k, x.key[d]);
	}
	assert_string_equal(k, keys);
	assert_string_equal(x.count, count);
	assert_string_equal(x.value, value);
	assert_string_equal(x.mutu, mutu);
}

/* The ChaCha20 stream: bk_test_chacha (unit.h) under the key 100, 101, …, 131. */
#define KEY0 100

/* --- golden tables --- */

/* Residents by kecamatan, min-cell 5, one label declared with no rows:
 *   Bakung 3 (primary), Kanigoro 7, Sutojayan 0, Wonodadi 6; total 16.
 * With Bakung hidden the total would give it away (16 - 7 - 0 - 6), so the
 * smallest other non-zero cell, Wonodadi, is hidden with it (their sum, 9, is
 * not a small cell). The zero stays: nobody to protect. */
static void test_count_1d(void **state)
{
	struct bk_table *t = new_table(1, BK_TABLE_COUNT);
	const struct bk_table_entry *e;
	size_t n, rows, cols;

	(void)state;
	add_n(t, "Wonodadi", NULL, NULL, 0, 6);
	add_n(t, "Bakung", NULL, NULL, 0, 3);
	add_n(t, "Kanigoro", NULL, NULL, 0, 7);
	finish(t, 5);
	e = bk_table_entries(t, &n);
	assert_int_equal(n, 4);
	expect_text(t, 0, "Bakung", "x", "", "");
	expect_text(t, 1, "Kanigoro", "7", "", "");
	expect_text(t, 2, "Wonodadi", "x", "", "");
	expect_text(t, 3, "Total", "16", "", "");
	assert_true(e[0].primary && !e[0].complementary && e[0].hidden && e[0].count == 0);
	assert_true(!e[2].primary && e[2].complementary && e[2].hidden);
	assert_int_equal(e[3].kind, BK_TABLE_GRAND_TOTAL);
	assert_null(e[3].key[0]);
	bk_table_dims(t, &rows, &cols);
	assert_int_equal(rows, 3);
	assert_int_equal(cols, 0);
	bk_table_free(t);

	/* the same with every kecamatan declared: the empty one is a cell */
	{
		static const char *const kec[] = {"Wonodadi", "Sutojayan", "Kanigoro", "Bakung"};

		t = new_table(1, BK_TABLE_COUNT);
		for (int i = 0; i < 4; i++)
			assert_int_equal(bk_table_declare(t, 0, kec[i]), BK_OK);
		assert_int_equal(bk_table_declare(t, 0, "Bakung"), BK_OK); /* twice: harmless */
		add_n(t, "Wonodadi", NULL, NULL, 0, 6);
		add_n(t, "Bakung", NULL, NULL, 0, 3);
		add_n(t, "Kanigoro", NULL, NULL, 0, 7);
		finish(t, 5);
		e = bk_table_entries(t, &n);
		assert_int_equal(n, 5);
		expect_text(t, 0, "Bakung", "x", "", "");
		expect_text(t, 1, "Kanigoro", "7", "", "");
		expect_text(t, 2, "Sutojayan", "0", "", "");
		expect_text(t, 3, "Wonodadi", "x", "", "");
		expect_text(t, 4, "Total", "16", "", "");
		assert_false(e[2].hidden);
		bk_table_free(t);
	}
}

/* A mean by sex × age band, min-cell 2 (nothing hidden), worked by hand:
 *             muda            tua                 | total
 *   L   10 11: 10.50   30 31 33: 94/3 = 31.33     | 115/5 = 23.00
 *   P   -1 -2: -1.50    5  6  6: 17/3 =  5.67     |  14/5 =  2.80
 *   total  18/4 = 4.50     111/6 = 18.50          | 129/10 = 12.90 */
static void test_mean_2d(void **state)
{
	struct bk_table *t = new_table(2, BK_TABLE_MEAN);
	const struct bk_table_entry *e;
	size_t n, rows, cols;
	int64_t v;

	(void)state;
	v = 10, add_n(t, "L", "muda", &v, 1, 1);
	v = 11, add_n(t, "L", "muda", &v, 1, 1);
	v = 30, add_n(t, "L", "tua", &v, 1, 1);
	v = 31, add_n(t, "L", "tua", &v, 1, 1);
	v = 33, add_n(t, "L", "tua", &v, 1, 1);
	v = -1, add_n(t, "P", "muda", &v, 1, 1);
	v = -2, add_n(t, "P", "muda", &v, 1, 1);
	v = 5, add_n(t, "P", "tua", &v, 1, 1);
	v = 6, add_n(t, "P", "tua", &v, 1, 2);
	finish(t, 2);
	e = bk_table_entries(t, &n);
	assert_int_equal(n, 9);
	bk_table_dims(t, &rows, &cols);
	assert_int_equal(rows, 2);
	assert_int_equal(cols, 2);
	expect_text(t, 0, "L|muda", "2", "10.50", "");
	expect_text(t, 1, "L|tua", "3", "31.33", "");
	expect_text(t, 2, "L|Total", "5", "23.00", "");
	expect_text(t, 3, "P|muda", "2", "-1.50", "");
	expect_text(t, 4, "P|tua", "3", "5.67", "");
	expect_text(t, 5, "P|Total", "5", "2.80", "");
	expect_text(t, 6, "Total|muda", "4", "4.50", "");
	expect_text(t, 7, "Total|tua", "6", "18.50", "");
	expect_text(t, 8, "Total|Total", "10", "12.90", "");
	assert_int_equal(e[2].kind, BK_TABLE_ROW_TOTAL);
	assert_int_equal(e[6].kind, BK_TABLE_COL_TOTAL);
	assert_int_equal(e[8].kind, BK_TABLE_GRAND_TOTAL);
	assert_int_equal(e[4].value_e2, 567);
	for (size_t i = 0; i < n; i++)
		assert_false(e[i].hidden);
	bk_table_free(t);
}

/* Rounding half away from zero (±1/8 = ±0.125 -> ±0.13), clamping into a
 * range, and a mean hidden with its count. Min-cell 3:
 *   a: -1 0 0 0 0 0 0 0  -> -0.13      b: 1 0 0 0 0 0 0 0 -> 0.13
 *   c: -1 0 0            -> -0.33      d: 150 (clamped to 100), 2 -> hidden
 * d (2 rows) is primary; c (3) is the smallest shown: hidden with it. The
 * total: (-1 + 1 - 1 + 100 + 2) / 21 = 101/21 = 4.81. */
static void test_mean_rounding(void **state)
{
	struct bk_table_spec spec = {.nby = 1, .measure = BK_TABLE_MEAN, .bounded = 1, .lo = -100, .hi = 100};
	struct bk_table *t = NULL;
	int64_t v;

	(void)state;
	assert_int_equal(bk_table_new(&spec, &t), BK_OK);
	v = -1, add_n(t, "a", NULL, &v, 1, 1);
	v = 0, add_n(t, "a", NULL, &v, 1, 7);
	v = 1, add_n(t, "b", NULL, &v, 1, 1);
	v = 0, add_n(t, "b", NULL, &v, 1, 7);
	v = -1, add_n(t, "c", NULL, &v, 1, 1);
	v = 0, add_n(t, "c", NULL, &v, 1, 2);
	v = 150, add_n(t, "d", NULL, &v, 1, 1);
	v = 2, add_n(t, "d", NULL, &v, 1, 1);
	finish(t, 3);
	expect_text(t, 0, "a", "8", "-0.13", "");
	expect_text(t, 1, "b", "8", "0.13", "");
	expect_text(t, 2, "c", "x", "x", "");
	expect_text(t, 3, "d", "x", "x", "");
	expect_text(t, 4, "Total", "21", "4.81", "");
	{
		size_t n;
		const struct bk_table_entry *e = bk_table_entries(t, &n);

		assert_true(e[3].primary);
		assert_true(e[2].complementary);
		assert_int_equal(e[2].value_e2, 0); /* wiped */
		assert_false(e[2].has_value);
	}
	bk_table_free(t);
}

static const int64_t all1[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
static const int64_t all3[9] = {3, 3, 3, 3, 3, 3, 3, 3, 3};
static const int64_t all4[9] = {4, 4, 4, 4, 4, 4, 4, 4, 4};

/* IKM by unit (9 unsur, min-cell 5), worked by hand from each row's total T
 * (with every unsur answered, Σ NRR_i = mean T, IKM = Σ T / 9n):
 *   A  5 rows all 3:                 T = 27 each, IKM 3.0000, 75.00 C kurang baik
 *   B  5 rows: all 4 (36), all 3 (27), 4×5 then 3×4 (32), all 2 (18),
 *      3×8 then 4 (28): Σ T = 141, IKM 141/45 = 3.1333, 78.33 B baik
 *   C  2 rows all 1:                 T = 9 (primary)
 *   D  5 rows all 4:                 IKM 4.0000, 100.00 A sangat baik
 * C is small; the total would give it away, so the smallest other group is
 * hidden too: A, B and D tie at 5, the first (A) goes. Total: 17 rows,
 * Σ T = 135 + 141 + 18 + 180 = 474, IKM 474/153 = 3.0980, converted
 * 474 × 25 / 153 = 77.45 B. */
static void test_ikm(void **state)
{
	struct bk_table *t = new_table(1, BK_TABLE_IKM);
	static const int64_t mixed1[9] = {4, 4, 4, 4, 4, 3, 3, 3, 3};
	static const int64_t mixed2[9] = {3, 3, 3, 3, 3, 3, 3, 3, 4};
	static const int64_t all2[9] = {2, 2, 2, 2, 2, 2, 2, 2, 2};
	const struct bk_table_entry *e;
	size_t n;

	(void)state;
	add_n(t, "A", NULL, all3, 9, 5);
	add_n(t, "B", NULL, all4, 9, 1);
	add_n(t, "B", NULL, all3, 9, 1);
	add_n(t, "B", NULL, mixed1, 9, 1);
	add_n(t, "B", NULL, all2, 9, 1);
	add_n(t, "B", NULL, mixed2, 9, 1);
	add_n(t, "C", NULL, all1, 9, 2);
	add_n(t, "D", NULL, all4, 9, 5);
	finish(t, 5);
	e = bk_table_entries(t, &n);
	assert_int_equal(n, 5);
	expect_text(t, 0, "A", "x", "x", "x");
	expect_text(t, 1, "B", "5", "78.33", "B");
	expect_text(t, 2, "C", "x", "x", "x");
	expect_text(t, 3, "D", "5", "100.00", "A");
	expect_text(t, 4, "Total", "17", "77.45", "B");
	assert_int_equal(e[1].ikm_e4, 31333);
	assert_string_equal(e[1].kinerja, "baik");
	assert_string_equal(e[3].kinerja, "sangat baik");
	assert_int_equal(e[4].ikm_e4, 30980);
	assert_true(e[2].primary && e[0].complementary);
	/* the same figure as report.c's own scoring of those answers */
	{
		struct bk_ikm_sums s;
		struct bk_ikm_score sc;

		memset(&s, 0, sizeof(s));
		s.respondents = 5;
		for (int i = 0; i < 9; i++) {
			s.sum[i] = (uint64_t)(all4[i] + all3[i] + mixed1[i] + all2[i] + mixed2[i]);
			s.filled[i] = 5;
		}
		assert_int_equal(bk_ikm_score(&s, 9, &sc), BK_OK);
		assert_int_equal(sc.converted_cents, e[1].value_e2);
	}
	bk_table_free(t);
}

/* IKM with U10 (10 unsur): 5 rows of u1-u9 = 3, u10 = 4: T = 31, IKM 3.1,
 * 77.50 B. A 9-answer row is refused. */
static void test_ikm10(void **state)
{
	struct bk_table *t = new_table(1, BK_TABLE_IKM10);
	static const int64_t row[10] = {3, 3, 3, 3, 3, 3, 3, 3, 3, 4};

	(void)state;
	add_n(t, "A", NULL, row, 10, 5);
	{
		const char *k[1] = {"A"};

		assert_int_equal(bk_table_add(t, k, row, 9), BK_ERR_USAGE);
	}
	finish(t, 5);
	expect_text(t, 0, "A", "5", "77.50", "B");
	expect_text(t, 1, "Total", "5", "77.50", "B");
	bk_table_free(t);
}

/* Users by kecamatan × kanal, min-cell 5:
 *              daring luring | total
 *   Bakung          2     10 |    12
 *   Kanigoro        8      9 |    17
 *   Wonodadi       12     15 |    27
 *   total          22     34 |    56
 * With only Bakung's 2 hidden, its row total gives it back (12 - 10), and so
 * does the daring total (22 - 8 - 12). The complements: Bakung's 10 (its
 * row), Kanigoro's 8 (the daring column), then Kanigoro's 9 (the luring
 * column now holds one hidden cell). Every total stays shown. */
static void test_2d_complementary(void **state)
{
	struct bk_table *t = new_table(2, BK_TABLE_COUNT);
	const struct bk_table_entry *e;
	size_t n;

	(void)state;
	add_n(t, "Bakung", "daring", NULL, 0, 2);
	add_n(t, "Bakung", "luring", NULL, 0, 10);
	add_n(t, "Kanigoro", "daring", NULL, 0, 8);
	add_n(t, "Kanigoro", "luring", NULL, 0, 9);
	add_n(t, "Wonodadi", "daring", NULL, 0, 12);
	add_n(t, "Wonodadi", "luring", NULL, 0, 15);
	finish(t, 5);
	e = bk_table_entries(t, &n);
	assert_int_equal(n, 12);
	expect_text(t, 0, "Bakung|daring", "x", "", "");
	expect_text(t, 1, "Bakung|luring", "x", "", "");
	expect_text(t, 2, "Bakung|Total", "12", "", "");
	expect_text(t, 3, "Kanigoro|daring", "x", "", "");
	expect_text(t, 4, "Kanigoro|luring", "x", "", "");
	expect_text(t, 5, "Kanigoro|Total", "17", "", "");
	expect_text(t, 6, "Wonodadi|daring", "12", "", "");
	expect_text(t, 7, "Wonodadi|luring", "15", "", "");
	expect_text(t, 8, "Wonodadi|Total", "27", "", "");
	expect_text(t, 9, "Total|daring", "22", "", "");
	expect_text(t, 10, "Total|luring", "34", "", "");
	expect_text(t, 11, "Total|Total", "56", "", "");
	assert_true(e[0].primary);
	assert_true(e[1].complementary && e[3].complementary && e[4].complementary);
	for (size_t i = 0; i < n; i++)
		assert_false(e[i].primary && e[i].complementary);
	bk_table_free(t);
}

/* Three by-columns: rows are (kecamatan, sex), columns the band; the
 * margins are the row totals, the band totals and the grand total. */
static void test_3d_layout(void **state)
{
	struct bk_table_spec spec = {.nby = 3, .measure = BK_TABLE_COUNT};
	struct bk_table *t = NULL;
	const char *k1[3] = {"K1", "L", "tua"}, *k2[3] = {"K2", "P", "muda"};
	const struct bk_table_entry *e;
	size_t n, rows, cols;

	(void)state;
	assert_int_equal(bk_table_new(&spec, &t), BK_OK);
	for (int i = 0; i < 3; i++)
		assert_int_equal(bk_table_add(t, k1, NULL, 0), BK_OK);
	assert_int_equal(bk_table_add(t, k2, NULL, 0), BK_OK);
	finish(t, 1);
	bk_table_dims(t, &rows, &cols);
	assert_int_equal(rows, 4); /* K1 L, K1 P, K2 L, K2 P */
	assert_int_equal(cols, 2); /* muda, tua */
	e = bk_table_entries(t, &n);
	assert_int_equal(n, 15);
	expect_text(t, 0, "K1|L|muda", "0", "", "");
	expect_text(t, 1, "K1|L|tua", "3", "", "");
	expect_text(t, 2, "K1|L|Total", "3", "", "");
	expect_text(t, 5, "K1|P|Total", "0", "", "");
	expect_text(t, 9, "K2|P|muda", "1", "", "");
	expect_text(t, 11, "K2|P|Total", "1", "", "");
	expect_text(t, 12, "Total|Total|muda", "1", "", "");
	expect_text(t, 13, "Total|Total|tua", "3", "", "");
	expect_text(t, 14, "Total|Total|Total", "4", "", "");
	assert_int_equal(e[11].kind, BK_TABLE_ROW_TOTAL);
	assert_int_equal(e[12].kind, BK_TABLE_COL_TOTAL);
	bk_table_free(t);
}

/* --- brute force over random tables --- */

static uint64_t rng = 0x2545f4914f6cdd1dULL;

static uint64_t rnd(uint64_t n)
{
	return bk_test_lcg(&rng, n);
}

/* Rank of an m × n matrix (row-major), by elimination with partial pivoting;
 * entries are small integers, so 1e-9 separates zero from not. */
static size_t rank_of(double *a, size_t m, size_t n)
{
	size_t r = 0;

	for (size_t c = 0; c < n && r < m; c++) {
		size_t p = r;

		for (size_t i = r + 1; i < m; i++)
			if (fabs(a[i * n + c]) > fabs(a[p * n + c]))
				p = i;
		if (fabs(a[p * n + c]) < 1e-9)
			continue;
		for (size_t j = 0; j < n; j++) {
			double x = a[r * n + j];

			a[r * n + j] = a[p * n + j];
			a[p * n + j] = x;
		}
		for (size_t i = 0; i < m; i++)
			if (i != r && fabs(a[i * n + c]) > 0) {
				double f = a[i * n + c] / a[r * n + c];

				for (size_t j = 0; j < n; j++)
					a[i * n + j] -= f * a[r * n + j];
			}
		r++;
	}
	return r;
}

#define GR 8 /* grid rows at most (7 rows + totals) */
#define GC 7 /* grid columns at most (6 columns + totals) */

/* Over the (R+1) × (C+1) grid of values v and hidden flags h: whether any
 * hidden non-zero entry is determined by the released figures. Unknowns are
 * the hidden non-zero entries (hidden zeros count as known: a reader may know
 * them); each grid row and column is an equation (cells minus their total).
 * An unknown is determined iff its unit vector lies in the equations' row
 * space: appending it does not raise the rank. */
static int any_determined(const uint64_t v[GR][GC], const unsigned char h[GR][GC], size_t R, size_t C)
{
	size_t ui[GR * GC], uj[GR * GC], nu = 0, ne = (R + 1) + (C + 1);
	double a[(GR + GC + 1) * GR * GC], b[(GR + GC + 1) * GR * GC];

	for (size_t i = 0; i <= R; i++)
		for (size_t j = 0; j <= C; j++)
			if (h[i][j] && v[i][j] > 0) {
				ui[nu] = i;
				uj[nu++] = j;
			}
	if (nu == 0)
		return 0;
	memset(a, 0, sizeof(a));
	for (size_t u = 0; u < nu; u++) {
		/* grid row ui: +1 for a cell, -1 for the row's total (j == C) */
		a[ui[u] * nu + u] = uj[u] == C ? -1 : 1;
		a[(R + 1 + uj[u]) * nu + u] = ui[u] == R ? -1 : 1;
	}
	memcpy(b, a, ne * nu * sizeof(double));
	{
		size_t base = rank_of(b, ne, nu);

		for (size_t u = 0; u < nu; u++) {
			memcpy(b, a, ne * nu * sizeof(double));
			memset(b + ne * nu, 0, nu * sizeof(double));
			b[ne * nu + u] = 1;
			if (rank_of(b, ne + 1, nu) == base)
				return 1;
		}
	}
	return 0;
}

/* Random 2-D and 3-D count tables fed row by row, finished, and read back:
 * no shown count is small; no grid row or column holds exactly one hidden
 * entry unless its total is hidden (the row rule), nor hidden entries with a
 * small sum; and no hidden entry is determined by linear algebra over every
 * released figure (which the row rule alone does not give: see
 * test_suppress_2d_bridge in test_report.c). */
static void test_random_tables(void **state)
{
	char lab[8][4];

	(void)state;
	for (int i = 0; i < 8; i++)
		snprintf(lab[i], sizeof(lab[i]), "%c", 'a' + i);
	for (int round = 0; round < 3000; round++) {
		size_t nby = 2 + rnd(2), n0 = 1 + rnd(nby == 2 ? 7 : 3), n1 = 1 + rnd(nby == 2 ? 6 : 2),
		       n2 = nby == 3 ? 1 + rnd(4) : 1, R = nby == 2 ? n0 : n0 * n1, C = nby == 2 ? n1 : n2;
		uint64_t min_cell = 2 + rnd(5), v[GR][GC], total = 0;
		unsigned char h[GR][GC];
		struct bk_table *t = new_table(nby, BK_TABLE_COUNT);
		const struct bk_table_entry *e;
		size_t n;

		memset(v, 0, sizeof(v));
		for (size_t r = 0; r < R; r++)
			for (size_t c = 0; c < C; c++) {
				uint64_t x = rnd(3) == 0 ? 0 : rnd(15);
				const char *keys[3];

				/* declare every label so that the grid is R × C even with zeros */
				keys[0] = lab[nby == 2 ? r : r / n1];
				keys[1] = lab[nby == 2 ? c : r % n1];
				keys[2] = lab[c];
				if (r == 0 && c == 0)
					for (size_t d = 0; d < nby; d++)
						for (size_t i = 0; i < (d == 0 ? n0 : d == 1 ? n1 : n2); i++)
							assert_int_equal(bk_table_declare(t, d, lab[i]), BK_OK);
				for (uint64_t k = 0; k < x; k++)
					assert_int_equal(bk_table_add(t, keys, NULL, 0), BK_OK);
				v[r][c] = x;
				v[r][C] += x;
				v[R][c] += x;
				total += x;
			}
		v[R][C] = total;
		finish(t, min_cell);
		e = bk_table_entries(t, &n);
		assert_int_equal(n, (R + 1) * (C + 1));
		for (size_t i = 0; i <= R; i++)
			for (size_t j = 0; j <= C; j++) {
				const struct bk_table_entry *x = &e[i * (C + 1) + j];

				h[i][j] = (unsigned char)x->hidden;
				if (!x->hidden) {
					assert_int_equal(x->count, v[i][j]);
					assert_false(v[i][j] > 0 && v[i][j] < min_cell);
				}
				assert_int_equal(x->primary, v[i][j] > 0 && v[i][j] < min_cell);
			}
		/* the row rule, over grid rows and grid columns */
		for (size_t i = 0; i <= R; i++) {
			size_t nh = 0;
			uint64_t sumh = 0;

			for (size_t j = 0; j < C; j++)
				if (h[i][j]) {
					nh++;
					sumh += v[i][j];
				}
			if (!h[i][C]) {
				assert_true(nh != 1);
				assert_true(nh == 0 || sumh == 0 || sumh >= min_cell);
			}
		}
		for (size_t j = 0; j <= C; j++) {
			size_t nh = 0;
			uint64_t sumh = 0;

			for (size_t i = 0; i < R; i++)
				if (h[i][j]) {
					nh++;
					sumh += v[i][j];
				}
			if (!h[R][j]) {
				assert_true(nh != 1);
				assert_true(nh == 0 || sumh == 0 || sumh >= min_cell);
			}
		}
		if (any_determined((const uint64_t(*)[GC])v, (const unsigned char(*)[GC])h, R, C))
			fail_msg("round %d: a hidden cell is determined by the released figures", round);
		bk_table_free(t);
	}
}

/* The same over bk_suppress_2d directly, on larger and sparser tables. */
static void test_random_suppress_2d(void **state)
{
	(void)state;
	for (int round = 0; round < 3000; round++) {
		size_t R = 1 + rnd(GR - 1), C = 1 + rnd(GC - 1);
		uint64_t cells[(GR - 1) * (GC - 1)], v[GR][GC], min_cell = 2 + rnd(6);
		unsigned char ch[(GR - 1) * (GC - 1)] = {0}, rh[GR] = {0}, colh[GC] = {0}, gh = 0, h[GR][GC];

		memset(v, 0, sizeof(v));
		for (size_t r = 0; r < R; r++)
			for (size_t c = 0; c < C; c++) {
				uint64_t x = rnd(2) == 0 ? 0 : rnd(4) == 0 ? rnd(40) : rnd(8);

				cells[r * C + c] = v[r][c] = x;
				v[r][C] += x;
				v[R][c] += x;
				v[R][C] += x;
			}
		assert_int_equal(bk_suppress_2d(cells, R, C, min_cell, ch, rh, colh, &gh), BK_OK);
		for (size_t r = 0; r < R; r++) {
			for (size_t c = 0; c < C; c++)
				h[r][c] = ch[r * C + c];
			h[r][C] = rh[r];
		}
		for (size_t c = 0; c < C; c++)
			h[R][c] = colh[c];
		h[R][C] = gh;
		if (any_determined((const uint64_t(*)[GC])v, (const unsigned char(*)[GC])h, R, C))
			fail_msg("round %d: a hidden cell is determined by the released figures", round);
	}
}

/* --- differential privacy --- */

/* A count table under ε = 1/2 replayed: the table draws one Laplace(2) per
 * cell in label order from the stream; the same draws taken directly from a
 * second copy of the stream give every released count (max(0, n + noise)),
 * and bk_suppress_2d on those noisy counts gives the same hidden cells. The
 * declared label "c" has no rows and still gets noise. */
static void test_eps_count_replay(void **state)
{
	static const char *const rows[] = {"a", "b", "c"}, *const cols[] = {"x", "y"};
	static const uint64_t truth[6] = {3, 9, 14, 1, 0, 0};
	struct bk_test_chacha c1, c2;
	struct bk_dp_random r1, r2;
	struct bk_table *t = new_table(2, BK_TABLE_COUNT);
	struct bk_table_opts o = {.min_cell = 5, .eps_num = 1, .eps_den = 2, .rnd = &r1};
	uint64_t noisy[6];
	unsigned char ch[6] = {0}, rh[3] = {0}, colh[2] = {0}, gh = 0;
	const struct bk_table_entry *e;
	size_t n;

	(void)state;
	bk_test_chacha_init(&c1, &r1, KEY0, 9);
	bk_test_chacha_init(&c2, &r2, KEY0, 9);
	for (int i = 0; i < 3; i++)
		assert_int_equal(bk_table_declare(t, 0, rows[i]), BK_OK);
	for (int i = 0; i < 2; i++)
		assert_int_equal(bk_table_declare(t, 1, cols[i]), BK_OK);
	for (int i = 0; i < 6; i++)
		add_n(t, rows[i / 2], cols[i % 2], NULL, 0, (int)truth[i]);
	assert_int_equal(bk_table_finish(t, &o), BK_OK);
	for (int i = 0; i < 6; i++) {
		int64_t x;

		assert_int_equal(bk_dp_laplace(&r2, 2, 1, &x), BK_OK);
		noisy[i] = (int64_t)truth[i] + x < 0 ? 0 : (uint64_t)((int64_t)truth[i] + x);
	}
	assert_int_equal(bk_suppress_2d(noisy, 3, 2, 5, ch, rh, colh, &gh), BK_OK);
	e = bk_table_entries(t, &n);
	assert_int_equal(n, 12);
	for (size_t r = 0; r < 3; r++) {
		uint64_t rowsum = 0;

		for (size_t c = 0; c < 2; c++) {
			const struct bk_table_entry *x = &e[r * 3 + c];

			rowsum += noisy[r * 2 + c];
			assert_int_equal(x->hidden, ch[r * 2 + c]);
			assert_int_equal(x->count, x->hidden ? 0 : noisy[r * 2 + c]);
			assert_int_equal(x->primary, noisy[r * 2 + c] > 0 && noisy[r * 2 + c] < 5);
		}
		/* totals are sums of the noisy cells */
		assert_int_equal(e[r * 3 + 2].hidden, rh[r]);
		if (!rh[r])
			assert_int_equal(e[r * 3 + 2].count, rowsum);
	}
	assert_int_equal(e[11].hidden, gh);
	/* the noise did something, and the stream gives the same table twice */
	assert_true(memcmp(noisy, truth, sizeof(truth)) != 0);
	{
		struct bk_table *t2 = new_table(2, BK_TABLE_COUNT);
		const struct bk_table_entry *e2;
		size_t n2;

		bk_test_chacha_init(&c1, &r1, KEY0, 9);
		for (int i = 0; i < 3; i++)
			assert_int_equal(bk_table_declare(t2, 0, rows[i]), BK_OK);
		for (int i = 0; i < 2; i++)
			assert_int_equal(bk_table_declare(t2, 1, cols[i]), BK_OK);
		for (int i = 0; i < 6; i++)
			add_n(t2, rows[i / 2], cols[i % 2], NULL, 0, (int)truth[i]);
		assert_int_equal(bk_table_finish(t2, &o), BK_OK);
		e2 = bk_table_entries(t2, &n2);
		assert_int_equal(n2, n);
		for (size_t i = 0; i < n; i++) {
			assert_int_equal(e2[i].count, e[i].count);
			assert_int_equal(e2[i].hidden, e[i].hidden);
		}
		bk_table_free(t2);
	}
	bk_table_free(t);
}

/* A mean under ε = 1 over values in [0, 10], rows_per_person 2, replayed:
 * per cell, a count noise of scale 2k/ε = 4, then a centred-sum noise of
 * scale 2k(hi - lo)/ε = 40; the mean is 5 + (Σ(2v - 10) + noise)/(2 n'),
 * clamped to [0, 10]. Min-cell 1: nothing small is hidden unless noise
 * made it so. */
static void test_eps_mean_replay(void **state)
{
	struct bk_table_spec spec = {.nby = 1, .measure = BK_TABLE_MEAN, .bounded = 1, .lo = 0, .hi = 10};
	struct bk_test_chacha c1, c2;
	struct bk_dp_random r1, r2;
	struct bk_table *t = NULL;
	struct bk_table_opts o = {.min_cell = 1, .eps_num = 1, .eps_den = 1, .rows_per_person = 2, .rnd = &r1};
	static const char *const lab[] = {"p", "q"};
	const struct bk_table_entry *e;
	size_t n;
	int64_t v;

	(void)state;
	bk_test_chacha_init(&c1, &r1, KEY0, 11);
	bk_test_chacha_init(&c2, &r2, KEY0, 11);
	assert_int_equal(bk_table_new(&spec, &t), BK_OK);
	for (int i = 0; i < 2; i++)
		assert_int_equal(bk_table_declare(t, 0, lab[i]), BK_OK);
	/* p: 40 rows of 7: Σ(2v - 10) = 160; q: 30 rows of 2 and 30 of 20,
	 * clamped to 10: 30 × -6 + 30 × 10 = 120 */
	v = 7, add_n(t, "p", NULL, &v, 1, 40);
	v = 2, add_n(t, "q", NULL, &v, 1, 30);
	v = 20, add_n(t, "q", NULL, &v, 1, 30);
	assert_int_equal(bk_table_finish(t, &o), BK_OK);
	e = bk_table_entries(t, &n);
	assert_int_equal(n, 3);
	{
		const int64_t count[2] = {40, 60}, centred[2] = {160, 120};
		int64_t nn[2], cs[2];

		for (int i = 0; i < 2; i++) {
			int64_t a, b;

			assert_int_equal(bk_dp_laplace(&r2, 4, 1, &a), BK_OK);
			assert_int_equal(bk_dp_laplace(&r2, 40, 1, &b), BK_OK);
			nn[i] = count[i] + a < 0 ? 0 : count[i] + a;
			cs[i] = centred[i] + b;
		}
		for (int i = 0; i < 3; i++) {
			int64_t cnt = i < 2 ? nn[i] : nn[0] + nn[1], s = i < 2 ? cs[i] : cs[0] + cs[1];
			double mean = 5 + (double)s / (2.0 * (double)cnt);

			mean = mean < 0 ? 0 : mean > 10 ? 10 : mean;
			assert_false(e[i].hidden);
			assert_int_equal(e[i].count, cnt);
			assert_true(e[i].has_value);
			assert_true(fabs((double)e[i].value_e2 - mean * 100) <= 0.5 + 1e-9);
		}
	}
	bk_table_free(t);
}

/* An IKM under ε: the index comes from the noisy mean total, lands in
 * 25.00-100.00 with a grade, deterministic for a fixed stream; with 500
 * rows the noise (scale 2/ε on the count, 2 × 27/ε on the centred sum) moves
 * 75.00 by well under a point at ε = 1. */
static void test_eps_ikm(void **state)
{
	struct bk_test_chacha c1;
	struct bk_dp_random r1;
	struct bk_table *t = new_table(1, BK_TABLE_IKM);
	struct bk_table_opts o = {.min_cell = 5, .eps_num = 1, .eps_den = 1, .rnd = &r1};
	const struct bk_table_entry *e;
	size_t n;

	(void)state;
	bk_test_chacha_init(&c1, &r1, KEY0, 12);
	assert_int_equal(bk_table_declare(t, 0, "A"), BK_OK);
	add_n(t, "A", NULL, all3, 9, 500);
	assert_int_equal(bk_table_finish(t, &o), BK_OK);
	e = bk_table_entries(t, &n);
	assert_int_equal(n, 2);
	assert_true(e[0].has_value);
	assert_true(e[0].value_e2 >= 7400 && e[0].value_e2 <= 7600);
	assert_true(e[0].mutu == 'C' || e[0].mutu == 'B');
	assert_true(e[0].count >= 480 && e[0].count <= 520);
	bk_table_free(t);
}

/* --- refusals --- */

static void test_refusals(void **state)
{
	struct bk_table *t = NULL;
	const char *k1[1] = {"a"}, *k2[2] = {"a", "b"};
	int64_t v[10] = {1, 2, 3, 4, 1, 2, 3, 4, 1, 5};
	char col[32];
	enum bk_table_measure m;

	(void)state;
	/* specs */
	{
		struct bk_table_spec s0 = {.nby = 0}, s4 = {.nby = 4}, sm = {.nby = 1, .measure = BK_TABLE_MEASURE_COUNT},
				     sr = {.nby = 1, .measure = BK_TABLE_MEAN, .bounded = 1, .lo = 5, .hi = 4};

		assert_int_equal(bk_table_new(&s0, &t), BK_ERR_USAGE);
		assert_int_equal(bk_table_new(&s4, &t), BK_ERR_USAGE);
		assert_int_equal(bk_table_new(&sm, &t), BK_ERR_USAGE);
		assert_int_equal(bk_table_new(&sr, &t), BK_ERR_USAGE);
		assert_null(t);
	}
	/* rows */
	t = new_table(1, BK_TABLE_IKM);
	assert_int_equal(bk_table_add(t, k1, v, 10), BK_ERR_USAGE);
	assert_int_equal(bk_table_add(t, k1, v + 1, 9), BK_ERR_USAGE); /* a 5 */
	assert_int_equal(bk_table_add(t, k1, v, 9), BK_OK);
	assert_int_equal(bk_table_add(t, k1, NULL, 9), BK_ERR_USAGE);
	assert_int_equal(bk_table_add(t, NULL, v, 9), BK_ERR_USAGE);
	v[0] = 0;
	assert_int_equal(bk_table_add(t, k1, v, 9), BK_ERR_USAGE); /* a 0: u1-u9 are all answered */
	assert_non_null(strstr(bk_error_detail(), "u1"));
	bk_table_free(t);
	t = new_table(1, BK_TABLE_COUNT);
	{
		char long_label[BK_TABLE_LABEL_MAX + 2];
		const char *kl[1] = {long_label}, *kc[1] = {"a\nb"}, *kn[1] = {NULL};

		memset(long_label, 'z', sizeof(long_label) - 1);
		long_label[sizeof(long_label) - 1] = '\0';
		assert_int_equal(bk_table_add(t, kl, NULL, 0), BK_ERR_USAGE);
		long_label[BK_TABLE_LABEL_MAX] = '\0';
		assert_int_equal(bk_table_add(t, kl, NULL, 0), BK_OK);
		assert_int_equal(bk_table_add(t, kc, NULL, 0), BK_ERR_USAGE);
		assert_int_equal(bk_table_add(t, kn, NULL, 0), BK_ERR_USAGE);
		assert_int_equal(bk_table_add(t, k1, v, 1), BK_ERR_USAGE); /* a count takes no value */
	}
	assert_int_equal(bk_table_declare(t, 0, "late"), BK_ERR_STATE);
	assert_int_equal(bk_table_declare(t, 1, "b"), BK_ERR_USAGE);
	{
		struct bk_table_opts bad = {.min_cell = 0}, ok = {.min_cell = 5};

		assert_int_equal(bk_table_finish(t, &bad), BK_ERR_USAGE);
		/* fails closed: nothing to read, no second try */
		{
			size_t n = 9;

			assert_null(bk_table_entries(t, &n));
			assert_int_equal(n, 0);
		}
		assert_int_equal(bk_table_finish(t, &ok), BK_ERR_STATE);
		assert_int_equal(bk_table_add(t, k1, NULL, 0), BK_ERR_STATE);
	}
	bk_table_free(t);
	/* declared labels close the column */
	t = new_table(2, BK_TABLE_COUNT);
	assert_int_equal(bk_table_declare(t, 0, "a"), BK_OK);
	{
		const char *kx[2] = {"other", "b"};

		assert_int_equal(bk_table_add(t, kx, NULL, 0), BK_ERR_USAGE);
		assert_null(strstr(bk_error_detail(), "other")); /* never the label */
	}
	assert_int_equal(bk_table_add(t, k2, NULL, 0), BK_OK);
	/* ε needs every column declared */
	{
		struct bk_table_opts o = {.min_cell = 5, .eps_num = 1, .eps_den = 1};

		assert_int_equal(bk_table_finish(t, &o), BK_ERR_USAGE);
		assert_non_null(strstr(bk_error_detail(), "by-column 2"));
	}
	bk_table_free(t);
	/* a mean with ε needs a range; a range too wide for noise; a bad ε */
	{
		struct bk_table_spec s = {.nby = 1, .measure = BK_TABLE_MEAN};
		struct bk_table_opts o = {.min_cell = 5, .eps_num = 1, .eps_den = 1};

		assert_int_equal(bk_table_new(&s, &t), BK_OK);
		assert_int_equal(bk_table_declare(t, 0, "a"), BK_OK);
		assert_int_equal(bk_table_finish(t, &o), BK_ERR_USAGE);
		bk_table_free(t);
		s.bounded = 1;
		s.lo = INT64_MIN;
		s.hi = INT64_MAX;
		assert_int_equal(bk_table_new(&s, &t), BK_OK);
		assert_int_equal(bk_table_declare(t, 0, "a"), BK_OK);
		assert_int_equal(bk_table_finish(t, &o), BK_ERR_USAGE);
		assert_non_null(strstr(bk_error_detail(), "too large"));
		bk_table_free(t);
		s.lo = 0;
		s.hi = 100;
		o.eps_num = 11;
		assert_int_equal(bk_table_new(&s, &t), BK_OK);
		assert_int_equal(bk_table_declare(t, 0, "a"), BK_OK);
		assert_int_equal(bk_table_finish(t, &o), BK_ERR_USAGE);
		bk_table_free(t);
	}
	/* too many cells */
	{
		struct bk_table_spec s = {.nby = 2, .measure = BK_TABLE_COUNT};
		struct bk_table_opts o = {.min_cell = 5};
		char a[16], b[16];
		const char *kk[2] = {a, b};

		assert_int_equal(bk_table_new(&s, &t), BK_OK);
		for (int i = 0; i < 400; i++) {
			snprintf(a, sizeof(a), "r%d", i);
			snprintf(b, sizeof(b), "c%d", i);
			assert_int_equal(bk_table_add(t, kk, NULL, 0), BK_OK);
		}
		assert_int_equal(bk_table_finish(t, &o), BK_ERR_USAGE);
		bk_table_free(t);
	}
	bk_table_free(NULL);
	/* measures */
	assert_int_equal(bk_table_measure_parse("count", &m, col, sizeof(col)), BK_OK);
	assert_int_equal(m, BK_TABLE_COUNT);
	assert_int_equal(bk_table_measure_parse("ikm10", &m, col, sizeof(col)), BK_OK);
	assert_int_equal(m, BK_TABLE_IKM10);
	assert_int_equal(bk_table_measure_parse("mean(umur_tahun)", &m, col, sizeof(col)), BK_OK);
	assert_int_equal(m, BK_TABLE_MEAN);
	assert_string_equal(col, "umur_tahun");
	assert_int_equal(bk_table_measure_parse("mean()", &m, col, sizeof(col)), BK_ERR_USAGE);
	assert_int_equal(bk_table_measure_parse("mean(a b)", &m, col, sizeof(col)), BK_ERR_USAGE);
	assert_int_equal(bk_table_measure_parse("mean(a", &m, col, sizeof(col)), BK_ERR_USAGE);
	assert_int_equal(bk_table_measure_parse("mean(a))", &m, col, sizeof(col)), BK_ERR_USAGE);
	assert_int_equal(bk_table_measure_parse("mean", &m, col, sizeof(col)), BK_ERR_USAGE);
	assert_int_equal(bk_table_measure_parse("sum(a)", &m, col, sizeof(col)), BK_ERR_USAGE);
	assert_string_equal(bk_table_measure_name(BK_TABLE_IKM), "ikm");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_count_1d),
		cmocka_unit_test(test_mean_2d),
		cmocka_unit_test(test_mean_rounding),
		cmocka_unit_test(test_ikm),
		cmocka_unit_test(test_ikm10),
		cmocka_unit_test(test_2d_complementary),
		cmocka_unit_test(test_3d_layout),
		cmocka_unit_test(test_random_tables),
		cmocka_unit_test(test_random_suppress_2d),
		cmocka_unit_test(test_eps_count_replay),
		cmocka_unit_test(test_eps_mean_replay),
		cmocka_unit_test(test_eps_ikm),
		cmocka_unit_test(test_refusals),
	};

	return bk_test_run_group("tables", tests, NULL, NULL);
}
