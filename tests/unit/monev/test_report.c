/* test_report.c - the reports of vault/monev/report.h: IKM arithmetic against
 * examples worked by hand (every grade boundary landed on exactly by a set
 * of answers, half-up rounding at 64.995), Krejcie–Morgan's known values,
 * primary and complementary suppression (cases and invariants over random
 * tables), the worked example's JSON against its golden file, and the vault
 * side: scope, denial, audit, coverage, on the fixtures in
 * tests/fixtures/report (see its README). */
#include "tests/unit/unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/fileio.h"
#include "crypto/secmem.h"
#include "vault/records/import.h"
#include "vault/monev/report.h"
#include "vault/core/vault.h"
#include "vault/schema/datasets.h"

#define FIX BK_TEST_FIXTURES "/report/"

/* Sums of a group whose n respondents all give every one of the first
 * nunsur unsur answers summing to sum[i]. */
static struct bk_ikm_sums uniform(uint64_t n, const uint64_t *sum, unsigned nunsur)
{
	struct bk_ikm_sums s;

	memset(&s, 0, sizeof(s));
	s.respondents = n;
	for (unsigned i = 0; i < nunsur; i++) {
		s.sum[i] = sum[i];
		s.filled[i] = n;
	}
	return s;
}

/* Every one of u1-u9 summing to the same total. */
static struct bk_ikm_sums same9(uint64_t n, uint64_t per_unsur)
{
	uint64_t sum[9];

	for (int i = 0; i < 9; i++)
		sum[i] = per_unsur;
	return uniform(n, sum, 9);
}

static void expect_score(const struct bk_ikm_sums *s, unsigned nunsur, uint32_t ikm_e4, uint32_t cents, char mutu,
			 const char *kinerja)
{
	struct bk_ikm_score sc;

	assert_int_equal(bk_ikm_score(s, nunsur, &sc), BK_OK);
	assert_true(sc.valid);
	assert_true(sc.exact);
	assert_int_equal(sc.ikm_e4, ikm_e4);
	assert_int_equal(sc.converted_cents, cents);
	assert_int_equal(sc.mutu, mutu);
	assert_string_equal(sc.kinerja, kinerja);
}

/* --- Krejcie–Morgan --- */

static void test_krejcie_morgan(void **state)
{
	(void)state;
	/* n = 3.841·N·0.25 / (0.0025(N−1) + 3.841·0.25), rounded up:
	 * N = 100:     96.025 / 1.20775   = 79.51 -> 80
	 * N = 1000:    960.25 / 3.45775   = 277.71 -> 278
	 * N = 10000:   9602.5 / 25.95775  = 369.93 -> 370
	 * N = 1000000: 960250 / 2500.95775 = 383.95 -> 384 */
	assert_int_equal(bk_krejcie_morgan(100), 80);
	assert_int_equal(bk_krejcie_morgan(1000), 278);
	assert_int_equal(bk_krejcie_morgan(10000), 370);
	assert_int_equal(bk_krejcie_morgan(1000000), 384);
	/* the edges: nobody, one person (all of them), a population near 2^63 */
	assert_int_equal(bk_krejcie_morgan(0), 0);
	assert_int_equal(bk_krejcie_morgan(1), 1);
	assert_int_equal(bk_krejcie_morgan(10), 10);  /* 9.77 -> 10 */
	assert_int_equal(bk_krejcie_morgan(14), 14);  /* 13.54 -> 14 */
	assert_int_equal(bk_krejcie_morgan(18), 18);  /* 17.24 -> 18 */
	assert_int_equal(bk_krejcie_morgan(UINT64_C(1) << 62), 385); /* 384.1 -> 385: the limit, 384.16 */
	/* never more than the population */
	for (uint64_t n = 1; n < 2000; n++)
		assert_true(bk_krejcie_morgan(n) <= n);
}

/* --- grading --- */

static void test_grade_boundaries(void **state)
{
	static const struct {
		uint32_t cents;
		char mutu;
		const char *kinerja;
	} cases[] = {
		{2499, 0, NULL},        {2500, 'D', "tidak baik"},  {6499, 'D', "tidak baik"}, {6500, 'C', "kurang baik"},
		{7660, 'C', "kurang baik"}, {7661, 'B', "baik"},   {8830, 'B', "baik"},        {8831, 'A', "sangat baik"},
		{10000, 'A', "sangat baik"}, {10001, 0, NULL},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *k = "unset";

		assert_int_equal(bk_ikm_grade(cases[i].cents, &k), cases[i].mutu);
		if (cases[i].kinerja)
			assert_string_equal(k, cases[i].kinerja);
		else
			assert_null(k);
	}
	assert_int_equal(bk_ikm_grade(7661, NULL), 'B');
}

/* Each boundary reached exactly by a set of answers: all nine unsur sum to
 * the same S over n respondents, so NRR = IKM = S/n and the converted score
 * is 25·S/n, with no rounding at all.
 *   64.99 = 25 × 2.5996: n = 2500, S = 6499 (1499 threes + 1001 twos)  -> D
 *   65.00 = 25 × 2.6:    n = 5,    S = 13   (3, 3, 3, 2, 2)            -> C
 *   76.60 = 25 × 3.064:  n = 125,  S = 383  (8 fours + 117 threes)     -> C
 *   76.61 = 25 × 3.0644: n = 2500, S = 7661 (161 fours + 2339 threes)  -> B
 *   88.30 = 25 × 3.532:  n = 250,  S = 883  (133 fours + 117 threes)   -> B
 *   88.31 = 25 × 3.5324: n = 2500, S = 8831 (1331 fours + 1169 threes) -> A */
static void test_ikm_boundaries_by_answers(void **state)
{
	struct bk_ikm_sums s;

	(void)state;
	s = same9(2500, 6499);
	expect_score(&s, 9, 25996, 6499, 'D', "tidak baik");
	s = same9(5, 13);
	expect_score(&s, 9, 26000, 6500, 'C', "kurang baik");
	s = same9(125, 383);
	expect_score(&s, 9, 30640, 7660, 'C', "kurang baik");
	s = same9(2500, 7661);
	expect_score(&s, 9, 30644, 7661, 'B', "baik");
	s = same9(250, 883);
	expect_score(&s, 9, 35320, 8830, 'B', "baik");
	s = same9(2500, 8831);
	expect_score(&s, 9, 35324, 8831, 'A', "sangat baik");
	/* the ends of the scale: every answer 1 (25.00, D) or 4 (100.00, A) */
	s = same9(7, 7);
	expect_score(&s, 9, 10000, 2500, 'D', "tidak baik");
	s = same9(7, 28);
	expect_score(&s, 9, 40000, 10000, 'A', "sangat baik");
}

/* 76.60 again, with unsur that differ: n = 125, sums 380, 385, 383 (six
 * times) and 384 total 3447 = 9 × 383, so IKM = 3447 / (9 × 125) = 3.064
 * exactly, though no single NRR is 3.064 (380/125 = 3.04, 385/125 = 3.08,
 * 384/125 = 3.072). */
static void test_ikm_boundary_mixed_unsur(void **state)
{
	static const uint64_t sum[9] = {380, 385, 383, 383, 383, 383, 383, 383, 384};
	struct bk_ikm_sums s = uniform(125, sum, 9);
	struct bk_ikm_score sc;

	(void)state;
	expect_score(&s, 9, 30640, 7660, 'C', "kurang baik");
	assert_int_equal(bk_ikm_score(&s, 9, &sc), BK_OK);
	assert_int_equal(sc.nrr_milli[0], 3040);
	assert_int_equal(sc.nrr_milli[1], 3080);
	assert_int_equal(sc.nrr_milli[8], 3072);
}

/* Rounding to two decimals is half up, on the exact value.
 *   n = 5000, every unsur S = 12999: 25 × 12999 / 5000 = 64.995 -> 65.00, C
 *     (in binary floating point 2.5998 × 25 is 64.99499…, which a naive
 *     round would take to 64.99 and grade D)
 *   n = 5000, S = 12998: 64.990 -> 64.99, D
 *   n = 3, S = 8: 25 × 8/3 = 66.666… -> 66.67; IKM 2.6667 */
static void test_ikm_half_up(void **state)
{
	struct bk_ikm_sums s;

	(void)state;
	s = same9(5000, 12999);
	expect_score(&s, 9, 25998, 6500, 'C', "kurang baik");
	s = same9(5000, 12998);
	expect_score(&s, 9, 25996, 6499, 'D', "tidak baik");
	s = same9(3, 8);
	expect_score(&s, 9, 26667, 6667, 'C', "kurang baik");
}

/* The 10-unsur index when fewer people answered U10: Kanigoro in the
 * worked example (fixtures/report/skm-worked.csv), 6 respondents, 5 of whom
 * answered U10 (sum 16):
 *   Σ u1..u9 = 175: IKM9 = 175 / 54 = 3.24074…, × 25 = 81.0185… -> 81.02, B
 *   IKM10 = (175/6 + 16/5) / 10 = 971 / 300 = 3.23666…, × 25 = 80.9166… -> 80.92, B */
static void test_ikm_unequal_counts(void **state)
{
	static const uint64_t sum[10] = {20, 20, 17, 22, 20, 20, 21, 17, 18, 16};
	struct bk_ikm_sums s = uniform(6, sum, 10);
	struct bk_ikm_score sc;

	(void)state;
	s.filled[9] = 5;
	expect_score(&s, 9, 32407, 8102, 'B', "baik");
	expect_score(&s, 10, 32367, 8092, 'B', "baik");
	assert_int_equal(bk_ikm_score(&s, 10, &sc), BK_OK);
	assert_int_equal(sc.nrr_milli[9], 3200);
	assert_int_equal(sc.nrr_milli[2], 2833);
	assert_int_equal(sc.filled_min, 5);
}

static void test_ikm_invalid(void **state)
{
	struct bk_ikm_sums s = same9(5, 13);
	struct bk_ikm_score sc;

	(void)state;
	assert_int_equal(bk_ikm_score(&s, 8, &sc), BK_ERR_USAGE);
	assert_false(sc.valid);
	/* nobody answered U10: no 10-unsur index, and that is not an error */
	assert_int_equal(bk_ikm_score(&s, 10, &sc), BK_OK);
	assert_false(sc.valid);
	/* sums that answers of 1 to 4 cannot make */
	s.sum[3] = 4;
	assert_int_equal(bk_ikm_score(&s, 9, &sc), BK_ERR_USAGE);
	s.sum[3] = 21;
	assert_int_equal(bk_ikm_score(&s, 9, &sc), BK_ERR_USAGE);
	s.sum[3] = 13;
	s.filled[3] = 6;
	assert_int_equal(bk_ikm_score(&s, 9, &sc), BK_ERR_USAGE);
	/* no respondents at all */
	memset(&s, 0, sizeof(s));
	assert_int_equal(bk_ikm_score(&s, 9, &sc), BK_OK);
	assert_false(sc.valid);
}

/* Ten answer counts that are distinct primes near 10^9: their least common
 * multiple needs ~300 bits, so the score falls back to long double, marked. */
/* An IKM from a mean total: 17 respondents whose totals over u1-u9 add up
 * to 474 (tests/unit/release/test_tables.c's worked example): IKM 474/153 = 3.0980,
 * converted 77.45, B; the same as bk_ikm_score on sums with those totals. */
static void test_ikm_score_mean(void **state)
{
	struct bk_ikm_score sc, ref;
	struct bk_ikm_sums s;

	(void)state;
	assert_int_equal(bk_ikm_score_mean(474, 17, 9, &sc), BK_OK);
	assert_true(sc.valid && sc.exact);
	assert_int_equal(sc.ikm_e4, 30980);
	assert_int_equal(sc.converted_cents, 7745);
	assert_int_equal(sc.mutu, 'B');
	/* twice the total over twice the respondents: the same */
	assert_int_equal(bk_ikm_score_mean(948, 34, 9, &sc), BK_OK);
	assert_int_equal(sc.converted_cents, 7745);
	/* 17 respondents, u1 summing to 58 and u2-u9 to 52: totals 474 */
	memset(&s, 0, sizeof(s));
	s.respondents = 17;
	for (int i = 0; i < 9; i++) {
		s.sum[i] = i == 0 ? 58 : 52;
		s.filled[i] = 17;
	}
	assert_int_equal(bk_ikm_score(&s, 9, &ref), BK_OK);
	assert_int_equal(ref.ikm_e4, 30980);
	assert_int_equal(ref.converted_cents, sc.converted_cents);
	/* the ends: every answer 1 (25.00 D), every answer 4 (100.00 A) */
	assert_int_equal(bk_ikm_score_mean(10, 1, 10, &sc), BK_OK);
	assert_int_equal(sc.converted_cents, 2500);
	assert_int_equal(sc.mutu, 'D');
	assert_int_equal(bk_ikm_score_mean(36, 1, 9, &sc), BK_OK);
	assert_int_equal(sc.converted_cents, 10000);
	assert_int_equal(sc.mutu, 'A');
	/* refusals */
	assert_int_equal(bk_ikm_score_mean(27, 1, 8, &sc), BK_ERR_USAGE);
	assert_int_equal(bk_ikm_score_mean(27, 0, 9, &sc), BK_ERR_USAGE);
	assert_int_equal(bk_ikm_score_mean(8, 1, 9, &sc), BK_ERR_USAGE);
	assert_int_equal(bk_ikm_score_mean(37, 1, 9, &sc), BK_ERR_USAGE);
	assert_int_equal(bk_ikm_score_mean(9, 1, 10, &sc), BK_ERR_USAGE);  /* below 1 per unsur */
	assert_int_equal(bk_ikm_score_mean(41, 1, 10, &sc), BK_ERR_USAGE); /* above 4 */
	assert_false(sc.valid);
}

static void test_ikm_inexact_fallback(void **state)
{
	static const uint64_t primes[10] = {999999937, 999999929, 999999893, 999999883, 999999797,
					    999999761, 999999757, 999999751, 999999739, 999999733};
	struct bk_ikm_sums s;
	struct bk_ikm_score sc;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.respondents = 1000000000;
	for (int i = 0; i < 10; i++) {
		s.filled[i] = primes[i];
		s.sum[i] = primes[i] * 3; /* NRR 3 each */
	}
	assert_int_equal(bk_ikm_score(&s, 10, &sc), BK_OK);
	assert_true(sc.valid);
	assert_false(sc.exact);
	assert_int_equal(sc.ikm_e4, 30000);
	assert_int_equal(sc.converted_cents, 7500);
	assert_int_equal(sc.mutu, 'C');
	/* two distinct counts of that size are exact: 60 bits */
	for (int i = 1; i < 9; i++) {
		s.filled[i] = primes[0];
		s.sum[i] = primes[0] * 3;
	}
	assert_int_equal(bk_ikm_score(&s, 10, &sc), BK_OK);
	assert_true(sc.exact);
	assert_int_equal(sc.converted_cents, 7500);
}

static void test_decimal(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(bk_report_decimal(buf, sizeof(buf), 3088, 3), "3.088");
	assert_string_equal(bk_report_decimal(buf, sizeof(buf), 7720, 2), "77.20");
	assert_string_equal(bk_report_decimal(buf, sizeof(buf), 5, 2), "0.05");
	assert_string_equal(bk_report_decimal(buf, sizeof(buf), 30000, 4), "3.0000");
	assert_string_equal(bk_report_decimal(buf, sizeof(buf), 384, 0), "384");
}

/* --- suppression --- */

static void test_suppress_1d_cases(void **state)
{
	unsigned char h[8], th;

	(void)state;
	/* one small cell: the next smallest goes with it; the total stays */
	{
		const uint64_t v[] = {2, 6, 7};

		memset(h, 0, sizeof(h));
		th = 0;
		assert_int_equal(bk_suppress_1d(v, 3, 15, 5, h, &th), BK_OK);
		assert_int_equal(h[0], 1);
		assert_int_equal(h[1], 1);
		assert_int_equal(h[2], 0);
		assert_int_equal(th, 0);
	}
	/* two small cells whose sum (3) would be a small cell too: a third goes */
	{
		const uint64_t v[] = {1, 2, 20, 30};

		memset(h, 0, sizeof(h));
		th = 0;
		assert_int_equal(bk_suppress_1d(v, 4, 53, 5, h, &th), BK_OK);
		assert_int_equal(h[0] + h[1] + h[2] + h[3], 3);
		assert_int_equal(h[3], 0);
		assert_int_equal(th, 0);
	}
	/* a zero is no complement (a reader may know it): the 10 goes */
	{
		const uint64_t v[] = {0, 3, 10, 12};

		memset(h, 0, sizeof(h));
		th = 0;
		assert_int_equal(bk_suppress_1d(v, 4, 25, 5, h, &th), BK_OK);
		assert_int_equal(h[0], 0);
		assert_int_equal(h[1], 1);
		assert_int_equal(h[2], 1);
		assert_int_equal(h[3], 0);
	}
	/* the only group is small: so is the total */
	{
		const uint64_t v[] = {3};

		memset(h, 0, sizeof(h));
		th = 0;
		assert_int_equal(bk_suppress_1d(v, 1, 3, 5, h, &th), BK_OK);
		assert_int_equal(h[0], 1);
		assert_int_equal(th, 1);
	}
	/* one small group beside zeros: nothing to pair it with but the total */
	{
		const uint64_t v[] = {0, 4, 0};

		memset(h, 0, sizeof(h));
		th = 0;
		assert_int_equal(bk_suppress_1d(v, 3, 4, 5, h, &th), BK_OK);
		assert_int_equal(h[1], 1);
		assert_int_equal(th, 1);
	}
	/* one big group hidden by another rule, alone: the total must go */
	{
		const uint64_t v[] = {40};

		h[0] = 1;
		th = 0;
		assert_int_equal(bk_suppress_1d(v, 1, 40, 5, h, &th), BK_OK);
		assert_int_equal(th, 1);
	}
	/* a total hidden by another rule, every part shown: it is their sum, so
	 * the smallest part goes (two unknowns in one sum: neither is given away) */
	{
		const uint64_t v[] = {9, 6, 8};

		memset(h, 0, sizeof(h));
		th = 1;
		assert_int_equal(bk_suppress_1d(v, 3, 23, 5, h, &th), BK_OK);
		assert_int_equal(h[0] + h[1] + h[2], 1);
		assert_int_equal(h[1], 1);
		assert_int_equal(th, 1);
	}
	/* nothing small: nothing hidden; a limit of 1 hides nothing either */
	{
		const uint64_t v[] = {5, 6, 0, 100};

		memset(h, 0, sizeof(h));
		th = 0;
		assert_int_equal(bk_suppress_1d(v, 4, 111, 5, h, &th), BK_OK);
		assert_int_equal(h[0] + h[1] + h[2] + h[3] + th, 0);
		assert_int_equal(bk_suppress_1d(v, 4, 111, 1, h, &th), BK_OK);
		assert_int_equal(h[0] + h[1] + h[2] + h[3] + th, 0);
	}
	/* no groups */
	th = 0;
	assert_int_equal(bk_suppress_1d(NULL, 0, 0, 5, h, &th), BK_OK);
	assert_int_equal(th, 0);
}

/* Daring/luring by kecamatan as in fixtures/report/pemanfaatan.csv:
 *            daring luring | uses
 *   Wonodadi      1      6 |    7
 *   Kanigoro      6      5 |   11
 *   Bakung        0      0 |    0
 *   -----------------------+-----
 *                 7     11 |   18
 * Wonodadi's 1 is primary; its row then gives it away through the 6, the
 * daring column through Kanigoro's 6, and the luring column through
 * Kanigoro's 5: all four cells hidden, every margin shown. */
static void test_suppress_2d_case(void **state)
{
	const uint64_t cells[] = {1, 6, 6, 5, 0, 0};
	unsigned char ch[6] = {0}, rh[3] = {0}, colh[2] = {0}, gh = 0;

	(void)state;
	assert_int_equal(bk_suppress_2d(cells, 3, 2, 5, ch, rh, colh, &gh), BK_OK);
	assert_memory_equal(ch, ((unsigned char[]){1, 1, 1, 1, 0, 0}), 6);
	assert_memory_equal(rh, ((unsigned char[]){0, 0, 0}), 3);
	assert_memory_equal(colh, ((unsigned char[]){0, 0}), 2);
	assert_int_equal(gh, 0);
}

/* Two blocks of small cells joined by one small cell:
 *        c0  c1  c2  c3 | total
 *   r0    3   3  20  20 |  46
 *   r1    3   3   3  20 |  29
 *   r2   20  20   3   3 |  46
 *   r3   20  20   3   3 |  46
 * Every small cell is primary and every row and column then holds two or
 * three of them, summing to at least 5; but r1c2 is still given away: the
 * hidden parts of rows r0 and r1 add up to 46 - 40 + 29 - 20 = 15, those of
 * columns c0 and c1 (the same cells without r1c2) to 12, so r1c2 = 3. It is
 * the one hidden cell on no cycle of hidden cells. One more cell between the
 * blocks closes the cycle: the smallest, first, r0c2. */
static void test_suppress_2d_bridge(void **state)
{
	const uint64_t cells[] = {3, 3, 20, 20, 3, 3, 3, 20, 20, 20, 3, 3, 20, 20, 3, 3};
	unsigned char ch[16] = {0}, rh[4] = {0}, colh[4] = {0}, gh = 0;

	(void)state;
	assert_int_equal(bk_suppress_2d(cells, 4, 4, 5, ch, rh, colh, &gh), BK_OK);
	assert_memory_equal(ch, ((unsigned char[]){1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 1, 0, 0, 1, 1}), 16);
	assert_memory_equal(rh, ((unsigned char[]){0, 0, 0, 0}), 4);
	assert_memory_equal(colh, ((unsigned char[]){0, 0, 0, 0}), 4);
	assert_int_equal(gh, 0);
}

/* One relation (parts, whole) must not give a hidden cell away. */
static void check_relation(const uint64_t *val, const unsigned char *hid, const size_t *parts, size_t n, size_t whole,
			   uint64_t min_cell)
{
	size_t nh = 0;
	uint64_t sumh = 0, sum = 0;

	for (size_t i = 0; i < n; i++) {
		sum += val[parts[i]];
		if (hid[parts[i]]) {
			nh++;
			sumh += val[parts[i]];
		}
	}
	if (hid[whole]) {
		assert_true(nh > 0 || sum == 0);
	} else if (nh > 0) {
		assert_true(nh >= 2);
		assert_true(sumh == 0 || sumh >= min_cell);
	}
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(uint64_t n)
{
	return bk_test_lcg(&rng_state, n);
}

/* Over many random tables of small counts: no shown cell is small, and no
 * row, column or margin gives a hidden cell away. */
static void test_suppress_invariants(void **state)
{
	(void)state;
	for (int round = 0; round < 2000; round++) {
		size_t rows = 1 + rnd(6), cols = 1 + rnd(4), n = rows * cols, k;
		uint64_t val[6 * 4 + 6 + 4 + 1], min_cell = 1 + rnd(7);
		unsigned char hid[6 * 4 + 6 + 4 + 1];
		size_t idx[6 * 4];

		memset(val, 0, sizeof(val));
		memset(hid, 0, sizeof(hid));
		for (size_t i = 0; i < n; i++) {
			val[i] = rnd(3) == 0 ? 0 : rnd(12);
			val[n + i / cols] += val[i];
			val[n + rows + i % cols] += val[i];
			val[n + rows + cols] += val[i];
		}
		assert_int_equal(bk_suppress_2d(val, rows, cols, min_cell, hid, hid + n, hid + n + rows,
						hid + n + rows + cols),
				 BK_OK);
		for (size_t i = 0; i < n + rows + cols + 1; i++)
			if (!hid[i])
				assert_false(val[i] > 0 && val[i] < min_cell);
		for (size_t r = 0; r < rows; r++) {
			for (k = 0; k < cols; k++)
				idx[k] = r * cols + k;
			check_relation(val, hid, idx, cols, n + r, min_cell);
		}
		for (size_t c = 0; c < cols; c++) {
			for (k = 0; k < rows; k++)
				idx[k] = k * cols + c;
			check_relation(val, hid, idx, rows, n + rows + c, min_cell);
		}
		for (k = 0; k < rows; k++)
			idx[k] = n + k;
		check_relation(val, hid, idx, rows, n + rows + cols, min_cell);
		for (k = 0; k < cols; k++)
			idx[k] = n + rows + k;
		check_relation(val, hid, idx, cols, n + rows + cols, min_cell);
		/* the same counts as one row of parts and a total */
		{
			unsigned char h1[24] = {0}, th = 0;

			assert_int_equal(bk_suppress_1d(val, n, val[n + rows + cols], min_cell, h1, &th), BK_OK);
			memcpy(hid, h1, n);
			hid[n] = th;
			val[n] = val[n + rows + cols];
			for (k = 0; k < n; k++)
				idx[k] = k;
			check_relation(val, hid, idx, n, n, min_cell);
			for (k = 0; k <= n; k++)
				if (!hid[k])
					assert_false(val[k] > 0 && val[k] < min_cell);
		}
	}
}

/* --- the IKM report --- */

/* Sums per kecamatan (the first 8 characters of desa) of a fixture's answers. */
struct kec_sums {
	char kode[9];
	struct bk_ikm_sums s;
};

static size_t read_skm_fixture(const char *path, struct kec_sums *out, size_t cap, int year)
{
	FILE *f = fopen(path, "r");
	char line[512];
	size_t n = 0;

	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f)); /* header */
	while (fgets(line, sizeof(line), f)) {
		char *field[20], *p = line;
		size_t nf = 0, k;

		line[strcspn(line, "\r\n")] = '\0';
		while (nf < 20) {
			field[nf++] = p;
			if (!(p = strchr(p, ',')))
				break;
			*p++ = '\0';
		}
		assert_int_equal(nf, 19);
		if (year && atoi(field[1]) != year)
			continue;
		for (k = 0; k < n && strncmp(out[k].kode, field[17], 8) != 0; k++)
			;
		if (k == n) {
			assert_true(n < cap);
			memset(&out[n], 0, sizeof(out[n]));
			memcpy(out[n].kode, field[17], 8);
			n++;
		}
		out[k].s.respondents++;
		for (int u = 0; u < 10; u++)
			if (field[2 + u][0]) {
				out[k].s.sum[u] += (uint64_t)atoi(field[2 + u]);
				out[k].s.filled[u]++;
			}
	}
	fclose(f);
	return n;
}

static void dump_matches(json_t *root, const char *golden)
{
	char *text = json_dumps(root, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
	uint8_t *want = NULL;
	size_t len = 0;

	assert_non_null(text);
	assert_int_equal(bk_file_read(golden, 1 << 20, &want, &len), BK_OK);
	if (len != strlen(text) + 1 || memcmp(want, text, len - 1) != 0 || want[len - 1] != '\n') {
		fprintf(stderr, "--- %s differs; got:\n%s\n", golden, text);
		fail();
	}
	free(want);
	free(text);
}

/* The worked example (skm-worked.csv), by kecamatan, populations from
 * warga.csv (Wonodadi 6, Kanigoro 12, Bakung none; 18 in all).
 *
 *   Kanigoro, 6 respondents       u1 u2 u3 u4 u5 u6 u7 u8 u9 | u10
 *                                  4  4  3  4  3  4  4  3  3 |  4
 *                                  3  3  3  4  3  3  4  3  3 |  3
 *                                  4  3  2  4  4  3  3  2  3 |  -
 *                                  3  3  3  3  3  3  3  3  3 |  3
 *                                  4  4  4  4  4  4  4  4  4 |  4
 *                                  2  3  2  3  3  3  3  2  2 |  2
 *   sums                          20 20 17 22 20 20 21 17 18 | 16 (of 5)
 *   IKM9 = 175/54 = 3.2407, 81.02 B; IKM10 = 971/300 = 3.2367, 80.92 B
 *
 *   Wonodadi, 7 respondents: one all 4, five all 3, one all 2 (U10: 4, five
 *   3s, 1): every u1-u9 sums to 21, NRR 3.000, IKM 3.0000, 75.00 C;
 *   U10 20/7 = 2.857; IKM10 = (27 + 20/7)/10 = 209/70 = 2.9857, 74.64 C;
 *   population 6: n = 6 (5.92 up), 7 >= 6: enough.
 *
 *   Bakung, 2 respondents (all 2, all 1): a small cell, hidden; then
 *   Kanigoro, the next smallest, is hidden with it. Kanigoro's population
 *   (12, n = 12) is not a small cell and stays.
 *
 *   Total, 15: sums u1..u9 44 44 41 46 44 44 45 41 42 = 391;
 *   NRR 2.933 2.933 2.733 3.067 2.933 2.933 3.000 2.733 2.800;
 *   IKM9 = 391/135 = 2.8963, 72.41 C; U10: 39 of 14 = 2.786;
 *   IKM10 = (391/15 + 39/14)/10 = 6059/2100 = 2.8852, 72.13 C;
 *   population 18: n = 18 (17.24 up), 15 < 18: not enough. */
static void test_ikm_worked_golden(void **state)
{
	struct kec_sums k[8];
	struct bk_report_ikm r;
	size_t n = read_skm_fixture(FIX "skm-worked.csv", k, 8, 0);
	json_t *root;

	(void)state;
	assert_int_equal(n, 3);
	memset(&r, 0, sizeof(r));
	r.by = BK_REPORT_BY_KECAMATAN;
	r.min_cell = 5;
	r.population_basis = "warga";
	r.groups = calloc(3, sizeof(*r.groups));
	assert_non_null(r.groups);
	r.ngroups = 3;
	/* in code order: Wonodadi 35.05.01, Bakung 35.05.05, Kanigoro 35.05.10 */
	for (size_t i = 0; i < 3; i++) {
		size_t at = strcmp(k[i].kode, "35.05.01") == 0 ? 0 : strcmp(k[i].kode, "35.05.05") == 0 ? 1 : 2;

		memcpy(r.groups[at].kode, k[i].kode, sizeof(k[i].kode));
		r.groups[at].sums = k[i].s;
	}
	snprintf(r.groups[0].nama, sizeof(r.groups[0].nama), "Wonodadi");
	snprintf(r.groups[1].nama, sizeof(r.groups[1].nama), "Bakung");
	snprintf(r.groups[2].nama, sizeof(r.groups[2].nama), "Kanigoro");
	r.groups[0].population = 6;
	r.groups[2].population = 12;
	r.total.population = 18;
	assert_int_equal(bk_report_ikm_finish(&r), BK_OK);
	assert_int_equal(r.suppressed_groups, 2);
	/* the hidden groups hold nothing any more */
	assert_int_equal(r.groups[1].sums.respondents, 0);
	assert_int_equal(r.groups[2].sums.sum[0], 0);
	assert_false(r.groups[2].ikm9.valid);
	assert_int_equal(r.groups[0].ikm9.converted_cents, 7500);
	assert_int_equal(r.groups[0].ikm10.converted_cents, 7464);
	assert_int_equal(r.total.ikm9.converted_cents, 7241);
	assert_int_equal(r.total.ikm10.ikm_e4, 28852);
	root = bk_report_ikm_json(&r);
	assert_non_null(root);
	dump_matches(root, FIX "ikm-worked.json");
	json_decref(root);
	bk_report_ikm_release(&r);
}

/* U10 answered by few: the 10-unsur index is hidden, with a complement,
 * while the national index stays. */
static void test_ikm_u10_small(void **state)
{
	struct bk_report_ikm r;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.min_cell = 5;
	r.groups = calloc(3, sizeof(*r.groups));
	assert_non_null(r.groups);
	r.ngroups = 3;
	r.groups[0].sums = same9(10, 30);
	r.groups[0].sums.sum[9] = 6, r.groups[0].sums.filled[9] = 2;   /* 2 answers: small */
	r.groups[1].sums = same9(8, 24);
	r.groups[1].sums.sum[9] = 24, r.groups[1].sums.filled[9] = 8;
	r.groups[2].sums = same9(20, 60);
	r.groups[2].sums.sum[9] = 60, r.groups[2].sums.filled[9] = 20;
	assert_int_equal(bk_report_ikm_finish(&r), BK_OK);
	for (int i = 0; i < 3; i++) {
		assert_false(r.groups[i].suppressed);
		assert_true(r.groups[i].ikm9.valid);
	}
	assert_true(r.groups[0].ikm10_suppressed);
	assert_true(r.groups[1].ikm10_suppressed); /* the complement */
	assert_false(r.groups[2].ikm10_suppressed);
	assert_false(r.groups[0].ikm10.valid);
	assert_int_equal(r.groups[0].sums.filled[9], 0); /* wiped */
	assert_true(r.groups[2].ikm10.valid);
	assert_false(r.total.ikm10_suppressed);
	assert_int_equal(r.total.sums.filled[9], 30);
	bk_report_ikm_release(&r);
	/* an answer count of u1-u9 under the limit hides the group */
	memset(&r, 0, sizeof(r));
	r.min_cell = 5;
	r.groups = calloc(2, sizeof(*r.groups));
	assert_non_null(r.groups);
	r.ngroups = 2;
	r.groups[0].sums = same9(10, 30);
	r.groups[0].sums.filled[4] = 3, r.groups[0].sums.sum[4] = 9;
	r.groups[1].sums = same9(10, 30);
	assert_int_equal(bk_report_ikm_finish(&r), BK_OK);
	assert_true(r.groups[0].suppressed);
	assert_true(r.groups[1].suppressed);
	assert_false(r.total.suppressed);
	bk_report_ikm_release(&r);
	/* a bad limit */
	memset(&r, 0, sizeof(r));
	assert_int_equal(bk_report_ikm_finish(&r), BK_ERR_USAGE);
}

/* Coverage as in the fixtures (inovasi, warga, pemanfaatan.csv):
 *   INO-A 14 users, INO-B 4 (small), INO-C none; 14 distinct users in all:
 *   INO-B is hidden and INO-A with it (INO-C's 0 is no complement).
 *   Residents: Wonodadi 6, Kanigoro 12; users 6 and 8: per 1000 1000.0 and
 *   666.7; all of them 14 of 18: 777.8.
 *   Daring/luring: as in test_suppress_2d_case; total 7 of 18: 38.9%. */
static void test_coverage_finish(void **state)
{
	struct bk_report_coverage r;
	json_t *root;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.min_cell = 5;
	r.kecamatan_total = 3;
	r.desa_total = 34;
	r.inovasi = calloc(3, sizeof(*r.inovasi));
	r.kecamatan = calloc(3, sizeof(*r.kecamatan));
	assert_non_null(r.inovasi);
	assert_non_null(r.kecamatan);
	r.ninovasi = r.nkecamatan = 3;
	snprintf(r.inovasi[0].kode, sizeof(r.inovasi[0].kode), "INO-A");
	snprintf(r.inovasi[1].kode, sizeof(r.inovasi[1].kode), "INO-B");
	snprintf(r.inovasi[2].kode, sizeof(r.inovasi[2].kode), "INO-C");
	r.inovasi[0].users = 14, r.inovasi[0].kecamatan_reached = 2, r.inovasi[0].desa_reached = 3;
	r.inovasi[1].users = 4, r.inovasi[1].kecamatan_reached = 2, r.inovasi[1].desa_reached = 2;
	snprintf(r.kecamatan[0].kode, sizeof(r.kecamatan[0].kode), "35.05.01");
	snprintf(r.kecamatan[1].kode, sizeof(r.kecamatan[1].kode), "35.05.10");
	snprintf(r.kecamatan[2].kode, sizeof(r.kecamatan[2].kode), "35.05.05");
	r.kecamatan[0].residents = 6, r.kecamatan[0].users = 6, r.kecamatan[0].daring = 1, r.kecamatan[0].luring = 6;
	r.kecamatan[1].residents = 12, r.kecamatan[1].users = 8, r.kecamatan[1].daring = 6, r.kecamatan[1].luring = 5;
	r.kecamatan[0].desa_total = 11, r.kecamatan[1].desa_total = 12, r.kecamatan[2].desa_total = 11;
	r.kecamatan[0].desa_reached = 1, r.kecamatan[1].desa_reached = 2;
	r.users_total = 14;
	assert_int_equal(bk_report_coverage_finish(&r), BK_OK);
	assert_true(r.inovasi[0].suppressed);
	assert_true(r.inovasi[1].suppressed);
	assert_false(r.inovasi[2].suppressed);
	assert_int_equal(r.inovasi[0].users, 0);
	assert_int_equal(r.inovasi[0].kecamatan_reached, 2); /* areas stay */
	assert_false(r.inovasi[0].per_mille_known);
	assert_true(r.inovasi[2].per_mille_known);
	assert_int_equal(r.inovasi[2].per_mille_e1, 0);
	assert_false(r.kecamatan[0].users_hidden);
	assert_int_equal(r.kecamatan[0].per_mille_e1, 10000);
	assert_int_equal(r.kecamatan[1].per_mille_e1, 6667);
	assert_true(r.kecamatan[0].daring_hidden && r.kecamatan[0].luring_hidden);
	assert_true(r.kecamatan[1].daring_hidden && r.kecamatan[1].luring_hidden);
	assert_int_equal(r.kecamatan[0].daring, 0);
	assert_false(r.kecamatan[0].uses_hidden);
	assert_int_equal(r.kecamatan[0].uses, 7);
	assert_false(r.kecamatan[0].daring_share_known);
	assert_int_equal(r.total.residents, 18);
	assert_int_equal(r.total.users, 14);
	assert_int_equal(r.total.per_mille_e1, 7778);
	assert_int_equal(r.total.daring_share_e1, 389);
	assert_int_equal(r.total.desa_reached, 3);
	assert_int_equal(r.total.desa_total, 34);
	root = bk_report_coverage_json(&r);
	assert_non_null(root);
	assert_true(json_is_null(json_object_get(json_array_get(json_object_get(root, "inovasi"), 0), "users")));
	assert_true(json_is_null(json_object_get(json_array_get(json_object_get(root, "kecamatan"), 1), "daring")));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(root, "total"), "uses")), 18);
	json_decref(root);
	bk_report_coverage_release(&r);
}

static void test_by_names(void **state)
{
	enum bk_report_by by;

	(void)state;
	assert_int_equal(bk_report_by_parse("unit", &by), BK_OK);
	assert_int_equal(by, BK_REPORT_BY_UNIT);
	assert_string_equal(bk_report_by_name(BK_REPORT_BY_KECAMATAN), "kecamatan");
	assert_int_equal(bk_report_by_parse("desa", &by), BK_ERR_USAGE);
}

/* --- the vault side --- */

static char dir[256];

static bk_status open_as(const char *user, const char *pass, struct bk_vault **v)
{
	return bk_test_vault_open(dir, user, pass, "report", v);
}

static int vault_setup(void **state)
{
	static const char *const files[] = {"inovasi", "warga", "pemanfaatan", "skm"};
	static const struct {
		const char *name;
		enum bk_role role;
	} users[] = {{"citra", BK_ROLE_CUSTODIAN}, {"oki", BK_ROLE_OPERATOR}, {"ani", BK_ROLE_ANALYST},
		     {"aud", BK_ROLE_AUDITOR}};
	struct bk_vault *v = NULL;
	char path[512];
	bk_status rc;

	(void)state;
	bk_test_vault_tmp(dir, sizeof(dir), "report", "ada-pass-1234");
	if (open_as("ada", "ada-pass-1234", &v) != BK_OK)
		return -1;
	rc = BK_OK;
	for (size_t i = 0; i < sizeof(users) / sizeof(users[0]) && rc == BK_OK; i++) {
		struct bk_vault_user_spec spec = {0};
		const char *scope[1] = {"Kanigoro"};

		spec.name = users[i].name;
		spec.role = users[i].role;
		if (users[i].role == BK_ROLE_CUSTODIAN || users[i].role == BK_ROLE_OPERATOR) {
			spec.scope = scope;
			spec.nscope = 1;
		}
		snprintf(path, sizeof(path), "%s-pass-1234", users[i].name);
		spec.pass = path;
		spec.passlen = strlen(path);
		spec.kdf = BK_KDF_INTERACTIVE;
		rc = bk_vault_user_add(v, &spec);
	}
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]) && rc == BK_OK; i++) {
		struct bk_import_opts io = {0};
		struct bk_import_result ir;

		snprintf(path, sizeof(path), FIX "%s%s.csv", files[i], strcmp(files[i], "skm") == 0 ? "-worked" : "");
		io.dataset = files[i];
		io.path = path;
		rc = bk_vault_import(v, &io, &ir);
	}
	bk_vault_close(v);
	if (rc != BK_OK)
		fprintf(stderr, "vault_setup: %s\n", bk_error_detail());
	return rc == BK_OK ? 0 : -1;
}

static int vault_teardown(void **state)
{
	(void)state;
	bk_test_vault_remove(dir);
	return 0;
}

static const struct bk_report_ikm_group *group(const struct bk_report_ikm *r, const char *kode)
{
	for (size_t i = 0; i < r->ngroups; i++)
		if (strcmp(r->groups[i].kode, kode) == 0)
			return &r->groups[i];
	fail_msg("no group '%s'", kode);
	return NULL;
}

/* Audit entries of the log (its lines), and the last one. */
static size_t audit_lines(char *last, size_t cap)
{
	char path[512], line[4096];
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/audit.log", dir);
	assert_non_null(f = fopen(path, "r"));
	while (fgets(line, sizeof(line), f)) {
		n++;
		snprintf(last, cap, "%s", line);
	}
	fclose(f);
	return n;
}

static void test_vault_ikm_analyst(void **state)
{
	struct bk_report_ikm_opts o = {BK_REPORT_BY_KECAMATAN, 0, 5};
	struct bk_report_ikm r;
	struct bk_vault *v = NULL;
	char last[4096];

	(void)state;
	assert_int_equal(open_as("ani", "ani-pass-1234", &v), BK_OK);
	assert_int_equal(bk_vault_report_ikm(v, &o, &r), BK_OK);
	assert_int_equal(r.ngroups, 22); /* every kecamatan of Kabupaten Blitar */
	assert_int_equal(r.rows, 15);
	assert_true(group(&r, "35.05.05")->suppressed);
	assert_true(group(&r, "35.05.10")->suppressed);
	assert_int_equal(group(&r, "35.05.10")->population, 12);
	assert_int_equal(group(&r, "35.05.01")->ikm9.converted_cents, 7500);
	assert_int_equal(group(&r, "35.05.01")->sample_enough, 1);
	assert_int_equal(r.total.sums.respondents, 15);
	assert_int_equal(r.total.ikm9.converted_cents, 7241);
	assert_int_equal(r.total.population, 18);
	assert_int_equal(r.total.sample_size, 18);
	assert_int_equal(r.total.sample_enough, 0);
	audit_lines(last, sizeof(last));
	assert_non_null(strstr(last, "\"actor\":\"ani\""));
	assert_non_null(strstr(last, "\"action\":\"report\",\"dataset\":\"skm\",\"rows\":15,"
				     "\"target\":\"ikm by kecamatan min-cell 5\",\"outcome\":\"ok\""));
	bk_report_ikm_release(&r);
	/* a year: Bakung's answers are from 2024, so Kanigoro shows */
	o.year = 2025;
	assert_int_equal(bk_vault_report_ikm(v, &o, &r), BK_OK);
	assert_false(group(&r, "35.05.10")->suppressed);
	assert_int_equal(group(&r, "35.05.10")->ikm9.converted_cents, 8102);
	assert_int_equal(group(&r, "35.05.10")->ikm10.converted_cents, 8092);
	assert_int_equal(r.rows, 13);
	bk_report_ikm_release(&r);
	/* by inovasi: populations are the distinct users in pemanfaatan,
	 * INO-A 14 and INO-B 4 (small: hidden, with INO-A's) */
	o.year = 0;
	o.by = BK_REPORT_BY_INOVASI;
	assert_int_equal(bk_vault_report_ikm(v, &o, &r), BK_OK);
	assert_int_equal(r.ngroups, 3);
	assert_string_equal(r.groups[0].kode, "INO-A");
	assert_int_equal(r.groups[0].sums.respondents, 10);
	assert_int_equal(r.groups[0].ikm9.converted_cents, 8111);
	assert_true(r.groups[0].population_suppressed);
	assert_true(r.groups[1].population_suppressed);
	assert_int_equal(r.groups[1].ikm9.converted_cents, 5500);
	assert_int_equal(r.groups[1].ikm9.mutu, 'D');
	assert_int_equal(r.groups[2].sums.respondents, 0);
	assert_int_equal(r.total.population, 14);
	bk_report_ikm_release(&r);
	/* by unit: the OPDs of the registry */
	o.by = BK_REPORT_BY_UNIT;
	assert_int_equal(bk_vault_report_ikm(v, &o, &r), BK_OK);
	assert_int_equal(r.ngroups, 3);
	assert_string_equal(r.groups[2].kode, "@Dinas Uji Coba");
	assert_int_equal(r.groups[2].sums.respondents, 10);
	bk_report_ikm_release(&r);
	/* bad options */
	o.year = 99;
	assert_int_equal(bk_vault_report_ikm(v, &o, &r), BK_ERR_USAGE);
	o.year = 0;
	o.min_cell = 0;
	assert_int_equal(bk_vault_report_ikm(v, &o, &r), BK_ERR_USAGE);
	bk_vault_close(v);
}

/* A custodian of Kanigoro sees Kanigoro only: one group, shown, and the
 * total is Kanigoro's. */
static void test_vault_ikm_custodian(void **state)
{
	struct bk_report_ikm_opts o = {BK_REPORT_BY_KECAMATAN, 0, 5};
	struct bk_report_coverage_opts co = {0, 5, 0};
	struct bk_report_coverage c;
	struct bk_report_ikm r;
	struct bk_vault *v = NULL;

	(void)state;
	assert_int_equal(open_as("citra", "citra-pass-1234", &v), BK_OK);
	assert_int_equal(bk_vault_report_ikm(v, &o, &r), BK_OK);
	assert_int_equal(r.ngroups, 1);
	assert_string_equal(r.groups[0].kode, "35.05.10");
	assert_false(r.groups[0].suppressed);
	assert_int_equal(r.groups[0].ikm9.converted_cents, 8102);
	assert_int_equal(r.total.sums.respondents, 6);
	assert_int_equal(r.total.population, 12);
	assert_int_equal(r.rows, 6);
	bk_report_ikm_release(&r);
	o.by = BK_REPORT_BY_INOVASI;
	assert_int_equal(bk_vault_report_ikm(v, &o, &r), BK_OK);
	assert_int_equal(r.total.sums.respondents, 6);
	assert_int_equal(group(&r, "INO-A")->sums.respondents, 6);
	/* Kanigoro's users only: INO-A 8, INO-B 3 (small), so both are hidden */
	assert_true(group(&r, "INO-A")->population_suppressed);
	assert_true(group(&r, "INO-B")->population_suppressed);
	assert_int_equal(r.total.population, 8);
	bk_report_ikm_release(&r);
	assert_int_equal(bk_vault_report_coverage(v, &co, &c), BK_OK);
	assert_int_equal(c.nkecamatan, 1);
	assert_int_equal(c.kecamatan_total, 1);
	assert_int_equal(c.desa_total, 12);
	assert_int_equal(c.kecamatan[0].residents, 12);
	assert_int_equal(c.kecamatan[0].users, 8);
	assert_int_equal(c.rows, 11);
	bk_report_coverage_release(&c);
	bk_vault_close(v);
}

static void test_vault_denied(void **state)
{
	static const char *const who[][2] = {{"oki", "oki-pass-1234"}, {"aud", "aud-pass-1234"}};
	struct bk_report_ikm_opts o = {BK_REPORT_BY_INOVASI, 0, 5};
	struct bk_report_coverage_opts co = {0, 5, 0};
	struct bk_report_coverage c;
	struct bk_report_ikm r;
	char last[4096];

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		struct bk_vault *v = NULL;
		size_t before;

		assert_int_equal(open_as(who[i][0], who[i][1], &v), BK_OK);
		before = audit_lines(last, sizeof(last));
		assert_int_equal(bk_vault_report_ikm(v, &o, &r), BK_ERR_DENIED);
		assert_null(r.groups);
		assert_int_equal(audit_lines(last, sizeof(last)), before + 1);
		assert_non_null(strstr(last, "\"action\":\"report\",\"dataset\":\"skm\""));
		assert_non_null(strstr(last, "\"outcome\":\"denied\""));
		assert_int_equal(bk_vault_report_coverage(v, &co, &c), BK_ERR_DENIED);
		assert_null(c.inovasi);
		assert_int_equal(audit_lines(last, sizeof(last)), before + 2);
		bk_vault_close(v);
	}
}

static void test_vault_coverage(void **state)
{
	struct bk_report_coverage_opts co = {0, 5, 0};
	struct bk_report_coverage c;
	struct bk_vault *v = NULL;
	char last[4096];

	(void)state;
	assert_int_equal(open_as("ada", "ada-pass-1234", &v), BK_OK);
	assert_int_equal(bk_vault_report_coverage(v, &co, &c), BK_OK);
	assert_int_equal(c.rows, 18);
	assert_int_equal(c.ninovasi, 3);
	assert_int_equal(c.nkecamatan, 22);
	assert_int_equal(c.kecamatan_total, 22);
	assert_int_equal(c.desa_total, 248);
	assert_true(c.inovasi[0].suppressed); /* INO-A, protecting INO-B's 4 */
	assert_true(c.inovasi[1].suppressed);
	assert_int_equal(c.inovasi[0].kecamatan_reached, 2);
	assert_int_equal(c.inovasi[0].desa_reached, 3);
	assert_string_equal(c.inovasi[1].opd, "-Kecamatan Kanigoro");
	assert_int_equal(c.total.residents, 18);
	assert_int_equal(c.total.users, 14);
	assert_int_equal(c.total.uses, 18);
	assert_int_equal(c.total.daring, 7);
	assert_int_equal(c.total.desa_reached, 3);
	audit_lines(last, sizeof(last));
	assert_non_null(strstr(last, "\"dataset\":\"pemanfaatan\",\"rows\":18,\"target\":\"coverage min-cell 5\""));
	bk_report_coverage_release(&c);
	/* nothing in 2024 */
	co.year = 2024;
	assert_int_equal(bk_vault_report_coverage(v, &co, &c), BK_OK);
	assert_int_equal(c.rows, 0);
	assert_int_equal(c.total.uses, 0);
	bk_report_coverage_release(&c);
	bk_vault_close(v);
}

static const struct bk_report_cov_inovasi *inovasi_of(const struct bk_report_coverage *c, const char *kode)
{
	for (size_t i = 0; i < c->ninovasi; i++)
		if (strcmp(c->inovasi[i].kode, kode) == 0)
			return &c->inovasi[i];
	fail_msg("no innovation '%s'", kode);
	return NULL;
}

static void expect_plan(const struct bk_report_cov_plan *p, uint32_t kec, uint32_t kec_reached, uint32_t desa,
			uint32_t desa_reached, uint32_t outside)
{
	assert_true(p->cakupan_given);
	assert_int_equal(p->cakupan_unknown, 0);
	assert_int_equal(p->kecamatan_planned, kec);
	assert_int_equal(p->kecamatan_planned_reached, kec_reached);
	assert_int_equal(p->desa_planned, desa);
	assert_int_equal(p->desa_planned_reached, desa_reached);
	assert_int_equal(p->desa_outside_plan, outside);
	assert_int_equal(p->nunreached, desa - desa_reached);
}

/* The fixtures' cakupan: INO-A and INO-C the kabupaten (22 kecamatan, 248
 * desa), INO-B Kanigoro (12). Used: INO-A in Kanigoro 2001, 2002 and
 * Wonodadi 2001; INO-B in Kanigoro 2001 and, outside its plan, Wonodadi 2001. */
static void test_vault_coverage_unreached(void **state)
{
	struct bk_report_coverage_opts co = {0, 5, 1};
	struct bk_report_coverage c;
	const struct bk_report_cov_inovasi *b;
	struct bk_vault *v = NULL;

	(void)state;
	assert_int_equal(open_as("ada", "ada-pass-1234", &v), BK_OK);
	assert_int_equal(bk_vault_report_coverage(v, &co, &c), BK_OK);
	expect_plan(&inovasi_of(&c, "INO-A")->plan, 22, 2, 248, 3, 0);
	expect_plan(&(b = inovasi_of(&c, "INO-B"))->plan, 1, 1, 12, 1, 1);
	expect_plan(&inovasi_of(&c, "INO-C")->plan, 22, 0, 248, 0, 0);
	/* in code order, kelurahan first: Kanigoro (1008), Satreyan (1010), then Jatinom (2002) */
	assert_string_equal(b->plan.unreached[0].kode, "35.05.10.1008");
	assert_string_equal(b->plan.unreached[0].nama, "Kanigoro");
	assert_string_equal(b->plan.unreached[2].kode, "35.05.10.2002");
	assert_string_equal(b->plan.unreached[2].kecamatan, "Kanigoro");
	assert_false(b->plan.unreached[2].kecamatan_unreached);
	assert_true(inovasi_of(&c, "INO-C")->plan.unreached[0].kecamatan_unreached);
	bk_report_coverage_release(&c);
	bk_vault_close(v);
	/* a custodian of Kanigoro: the plans within it; Wonodadi's use is not read */
	assert_int_equal(open_as("citra", "citra-pass-1234", &v), BK_OK);
	assert_int_equal(bk_vault_report_coverage(v, &co, &c), BK_OK);
	expect_plan(&inovasi_of(&c, "INO-A")->plan, 1, 1, 12, 2, 0);
	expect_plan(&inovasi_of(&c, "INO-B")->plan, 1, 1, 12, 1, 0);
	expect_plan(&inovasi_of(&c, "INO-C")->plan, 1, 0, 12, 0, 0);
	bk_report_coverage_release(&c);
	bk_vault_close(v);
}

int main(void)
{
	const struct CMUnitTest pure[] = {
		cmocka_unit_test(test_krejcie_morgan),
		cmocka_unit_test(test_grade_boundaries),
		cmocka_unit_test(test_ikm_boundaries_by_answers),
		cmocka_unit_test(test_ikm_boundary_mixed_unsur),
		cmocka_unit_test(test_ikm_half_up),
		cmocka_unit_test(test_ikm_unequal_counts),
		cmocka_unit_test(test_ikm_invalid),
		cmocka_unit_test(test_ikm_inexact_fallback),
		cmocka_unit_test(test_ikm_score_mean),
		cmocka_unit_test(test_decimal),
		cmocka_unit_test(test_suppress_1d_cases),
		cmocka_unit_test(test_suppress_2d_case),
		cmocka_unit_test(test_suppress_2d_bridge),
		cmocka_unit_test(test_suppress_invariants),
		cmocka_unit_test(test_ikm_worked_golden),
		cmocka_unit_test(test_ikm_u10_small),
		cmocka_unit_test(test_coverage_finish),
		cmocka_unit_test(test_by_names),
	};
	const struct CMUnitTest vault[] = {
		cmocka_unit_test(test_vault_ikm_analyst),
		cmocka_unit_test(test_vault_ikm_custodian),
		cmocka_unit_test(test_vault_denied),
		cmocka_unit_test(test_vault_coverage),
		cmocka_unit_test(test_vault_coverage_unreached),
	};

	bk_test_run_group("report pure", pure, NULL, NULL);
	return bk_test_run_group("report vault", vault, vault_setup, vault_teardown);
}
