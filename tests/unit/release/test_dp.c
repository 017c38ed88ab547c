/* test_dp.c - the differential-privacy samplers and budget of vault/release/dp.h:
 * ε parsing, rejection sampling and every branch of Bernoulli(exp(-γ))
 * walked byte by byte with a scripted source, the distributions checked
 * statistically on a fixed ChaCha20 stream, golden first outputs, and the
 * budget's boundaries.
 *
 * The golden outputs were also produced by an independent Python transcription
 * of Canonne-Kamath-Steinke Algorithms 1 and 2 (Fraction-free, the same byte
 * protocol: fewest big-endian bytes, refusing the first 256^k mod m values)
 * reading the same ChaCha20 stream: the two agreed on 2,000 samples at scales
 * 1, 10, 4/3, 2/5 and 1000/7, and on the bytes read. */
#include "tests/unit/unit.h"

#include <math.h>
#include <stdlib.h>

#include "crypto/secmem.h"
#include "vault/release/dp.h"

/* --- sources --- */

/* A fixed script of bytes; running past its end is an error. */
struct script {
	const uint8_t *b;
	size_t n, pos;
};

static bk_status script_bytes(void *ctx, uint8_t *buf, size_t n)
{
	struct script *s = ctx;

	if (n > s->n - s->pos)
		return bk_fail(BK_ERR_STATE, "script exhausted");
	memcpy(buf, s->b + s->pos, n);
	s->pos += n;
	return BK_OK;
}

#define SCRIPT(name, ...)                                                                                              \
	static const uint8_t name##_bytes[] = {__VA_ARGS__};                                                           \
	struct script name = {name##_bytes, sizeof(name##_bytes), 0};                                                  \
	struct bk_dp_random name##_rnd = {script_bytes, &name}

/* The ChaCha20 stream: bk_test_chacha (unit.h) under the key 0, 1, …, 31. */
#define KEY0 0

static bk_status failing_bytes(void *ctx, uint8_t *buf, size_t n)
{
	(void)ctx;
	(void)buf;
	(void)n;
	return bk_fail(BK_ERR_IO, "no entropy");
}

/* --- ε --- */

static void test_epsilon_parse(void **state)
{
	static const struct {
		const char *text;
		uint64_t num, den; /* 0/0: refused */
	} cases[] = {
		{"1", 1, 1},          {"0.5", 1, 2},        {"0.25", 1, 4},        {"0.1", 1, 10},
		{"10", 10, 1},        {"10.000000", 10, 1}, {"0.50", 1, 2},        {"00.5", 1, 2},
		{"1.5", 3, 2},        {"2.75", 11, 4},      {"0.000001", 1, 1000000}, {"9.999999", 9999999, 1000000},
		{"0.3", 3, 10},       {"07", 7, 1},
		/* out of range */
		{"0", 0, 0},          {"0.0", 0, 0},        {"0.000000", 0, 0},    {"10.000001", 0, 0},
		{"11", 0, 0},         {"99.9", 0, 0},
		/* not a number this parser takes */
		{"", 0, 0},           {"-1", 0, 0},         {"+1", 0, 0},          {" 1", 0, 0},
		{"1 ", 0, 0},         {".5", 0, 0},         {"1.", 0, 0},          {"1e-1", 0, 0},
		{"0x1", 0, 0},        {"1/2", 0, 0},        {"0.0000001", 0, 0},   {"100", 0, 0},
		{"0.5.5", 0, 0},      {"1,5", 0, 0},        {"inf", 0, 0},         {"nan", 0, 0},
		{"0.1234567", 0, 0},  {"18446744073709551617", 0, 0},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t num = 99, den = 99;
		bk_status rc = bk_dp_epsilon_parse(cases[i].text, &num, &den);

		if (cases[i].den == 0) {
			if (rc != BK_ERR_USAGE)
				fail_msg("'%s' was accepted", cases[i].text);
			assert_int_equal(num, 0);
			assert_int_equal(den, 0);
		} else {
			if (rc != BK_OK)
				fail_msg("'%s' was refused: %s", cases[i].text, bk_error_detail());
			assert_int_equal(num, cases[i].num);
			assert_int_equal(den, cases[i].den);
		}
	}
	{
		uint64_t num = 1, den = 1;

		assert_int_equal(bk_dp_epsilon_parse(NULL, &num, &den), BK_ERR_USAGE);
		assert_int_equal(num + den, 0);
	}
	/* the check every other entry point applies */
	assert_int_equal(bk_dp_epsilon_check(1, 1), BK_OK);
	assert_int_equal(bk_dp_epsilon_check(10, 1), BK_OK);
	assert_int_equal(bk_dp_epsilon_check(UINT64_MAX, UINT64_MAX), BK_OK);
	assert_int_equal(bk_dp_epsilon_check(11, 1), BK_ERR_USAGE);
	assert_int_equal(bk_dp_epsilon_check(0, 1), BK_ERR_USAGE);
	assert_int_equal(bk_dp_epsilon_check(1, 0), BK_ERR_USAGE);
	assert_int_equal(bk_dp_epsilon_check(UINT64_MAX, 1), BK_ERR_USAGE);
}

/* --- uniform integers --- */

static void test_uniform_rejection(void **state)
{
	uint64_t x = 99;

	(void)state;
	/* m = 1 reads nothing */
	{
		SCRIPT(s);

		assert_int_equal(bk_dp_uniform(&s_rnd, 1, &x), BK_OK);
		assert_int_equal(x, 0);
		assert_int_equal(s.pos, 0);
	}
	/* m = 3: 256 mod 3 = 1, so byte 0 is refused; 5 mod 3 = 2 */
	{
		SCRIPT(s, 0x00, 0x05);

		assert_int_equal(bk_dp_uniform(&s_rnd, 3, &x), BK_OK);
		assert_int_equal(x, 2);
		assert_int_equal(s.pos, 2);
	}
	/* m = 3: 0xff = 255 is the last value of a complete block: 255 mod 3 = 0 */
	{
		SCRIPT(s, 0xff);

		assert_int_equal(bk_dp_uniform(&s_rnd, 3, &x), BK_OK);
		assert_int_equal(x, 0);
	}
	/* m = 256: one byte, nothing refused */
	{
		SCRIPT(s, 0x00);

		assert_int_equal(bk_dp_uniform(&s_rnd, 256, &x), BK_OK);
		assert_int_equal(x, 0);
		assert_int_equal(s.pos, 1);
	}
	/* m = 257: two bytes, big-endian; 65536 mod 257 = 1 refuses 0x0000 only */
	{
		SCRIPT(s, 0x00, 0x00, 0x01, 0x02);

		assert_int_equal(bk_dp_uniform(&s_rnd, 257, &x), BK_OK);
		assert_int_equal(x, 258 % 257);
		assert_int_equal(s.pos, 4);
	}
	/* m = 2^64 - 1: eight bytes; 2^64 mod m = 1 */
	{
		SCRIPT(s, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe);

		assert_int_equal(bk_dp_uniform(&s_rnd, UINT64_MAX, &x), BK_OK);
		assert_int_equal(x, UINT64_MAX - 1);
		assert_int_equal(s.pos, 16);
	}
	/* errors: an empty range, a failing source (output 0) */
	{
		struct bk_dp_random bad = {failing_bytes, NULL};

		assert_int_equal(bk_dp_uniform(NULL, 0, &x), BK_ERR_USAGE);
		x = 7;
		assert_int_equal(bk_dp_uniform(&bad, 10, &x), BK_ERR_IO);
		assert_int_equal(x, 0);
	}
	/* the OS source gives values in range */
	for (int i = 0; i < 1000; i++) {
		assert_int_equal(bk_dp_uniform(NULL, 7, &x), BK_OK);
		assert_true(x < 7);
	}
}

/* Counts of 300,000 draws on [0, m) for m = 3, 10 and 171, each within 6
 * standard errors of n/m. 171 is there to catch a modulo bias: taken without
 * refusals, 256 mod 171 = 85 values would come up twice as often (14
 * standard errors). */
static void test_uniform_counts(void **state)
{
	static const uint64_t ms[] = {3, 10, 171, 1000003};
	struct bk_test_chacha c;
	struct bk_dp_random r;

	(void)state;
	bk_test_chacha_init(&c, &r, KEY0, 1);
	for (size_t t = 0; t < 3; t++) {
		uint64_t m = ms[t], count[171] = {0}, x;
		const double n = 300000, p = 1.0 / (double)m, se = sqrt(n * p * (1 - p));

		for (int i = 0; i < (int)n; i++) {
			assert_int_equal(bk_dp_uniform(&r, m, &x), BK_OK);
			assert_true(x < m);
			count[x]++;
		}
		for (uint64_t v = 0; v < m; v++)
			assert_true(fabs((double)count[v] - n * p) < 6 * se);
	}
	/* three bytes, 2^24 mod m = 777168 values refused: the mean is (m - 1) / 2 */
	{
		uint64_t m = ms[3], x;
		double sum = 0;
		const double n = 100000, sd = (double)m / sqrt(12.0);

		for (int i = 0; i < (int)n; i++) {
			assert_int_equal(bk_dp_uniform(&r, m, &x), BK_OK);
			sum += (double)x;
		}
		assert_true(fabs(sum / n - (double)(m - 1) / 2) < 6 * sd / sqrt(n));
	}
}

/* --- Bernoulli(exp(-γ)), every branch walked by hand --- */

static void test_bernoulli_exp_branches(void **state)
{
	/* Each case reads exactly its script: pos ends at nbytes. */
	static const struct {
		uint8_t bytes[17];
		size_t nbytes;
		uint64_t num, den;
		int b;
	} cases[] = {
		/* γ = 0: e^0 = 1, nothing read */
		{{0}, 0, 0, 5, 1},
		/* γ = 1/2, K = 1: the first trial Bernoulli(1/2) is uniform(2) < 1;
		 * 1 fails it, K = 1 is odd: 1 */
		{{0x01}, 1, 1, 2, 1},
		/* γ = 1/2, K = 2: 0 passes the first trial, then uniform(4) = 3 fails
		 * Bernoulli(1/4); K = 2 is even: 0 */
		{{0x00, 0x03}, 2, 1, 2, 0},
		/* γ = 1/2, K = 3 through a refused draw: uniform(6) refuses the first
		 * 256 mod 6 = 4 byte values, so 0x02 is drawn again; 4 fails: 1 */
		{{0x00, 0x00, 0x02, 0x04}, 4, 1, 2, 1},
		/* γ = 1: the first trial Bernoulli(1/1) always passes without reading
		 * (uniform(1)); the second, uniform(2) = 1, fails: K = 2, 0 */
		{{0x01}, 1, 1, 1, 0},
		/* γ = 3/2 > 1: one Bernoulli(e^{-1}) first; it fails (as above): 0,
		 * and the fractional part is never drawn */
		{{0x01}, 1, 3, 2, 0},
		/* γ = 3/2: Bernoulli(e^{-1}) passes (uniform(2) = 0, uniform(3) = 1
		 * fails at K = 3), then e^{-1/2}: uniform(2) = 1 fails at K = 1: 1 */
		{{0x00, 0x01, 0x01}, 3, 3, 2, 1},
		/* γ = 2 (whole): two Bernoulli(e^{-1}) pass, the remainder 0/1 reads nothing */
		{{0x00, 0x01, 0x00, 0x01}, 4, 2, 1, 1},
		/* den near 2^64: the first trial draws on [0, 2^64 - 1) (0 is refused
		 * there, 2^64 - 1 ≡ 0 passes), the second on [0, 2(2^64 - 1)), nine
		 * bytes (past 64 bits): 2^72 - 1 mod 2(2^64 - 1) = 255 >= 1 fails it */
		{{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
		 17, 1, UINT64_MAX, 0},
	};
	int b = 99;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct script s = {cases[i].bytes, cases[i].nbytes, 0};
		struct bk_dp_random s_rnd = {script_bytes, &s};

		b = 99;
		assert_int_equal(bk_dp_bernoulli_exp(&s_rnd, cases[i].num, cases[i].den, &b), BK_OK);
		assert_int_equal(b, cases[i].b);
		assert_int_equal(s.pos, cases[i].nbytes);
	}
	/* errors */
	{
		struct bk_dp_random bad = {failing_bytes, NULL};

		assert_int_equal(bk_dp_bernoulli_exp(NULL, 1, 0, &b), BK_ERR_USAGE);
		b = 1;
		assert_int_equal(bk_dp_bernoulli_exp(&bad, 1, 2, &b), BK_ERR_IO);
		assert_int_equal(b, 0);
	}
}

/* The frequency of 1 over 200,000 draws is e^{-γ} within 6 standard errors
 * (sqrt(p(1-p)/n) <= 0.0012), for γ below, at and above 1. */
static void test_bernoulli_exp_rate(void **state)
{
	static const uint64_t g[][2] = {{1, 3}, {1, 1}, {7, 4}, {5, 2}, {999999, 1000000}};
	struct bk_test_chacha c;
	struct bk_dp_random r;

	(void)state;
	bk_test_chacha_init(&c, &r, KEY0, 2);
	for (size_t i = 0; i < sizeof(g) / sizeof(g[0]); i++) {
		const int n = 200000;
		double p = exp(-(double)g[i][0] / (double)g[i][1]), ones = 0;
		int b;

		for (int k = 0; k < n; k++) {
			assert_int_equal(bk_dp_bernoulli_exp(&r, g[i][0], g[i][1], &b), BK_OK);
			ones += b;
		}
		assert_true(fabs(ones / n - p) < 6 * sqrt(p * (1 - p) / n));
	}
}

/* --- geometric and discrete Laplace --- */

/* Geometric of scale t: a = e^{-1/t}, P(0) = 1 - a, mean a/(1-a),
 * variance a/(1-a)^2; 200,000 draws, each figure within 6 standard errors
 * (for the mean, sqrt(var/n)). Scale 4/3 takes the floor(X / s) path. */
static void test_geometric(void **state)
{
	static const uint64_t sc[][2] = {{1, 1}, {10, 1}, {4, 3}};
	struct bk_test_chacha c;
	struct bk_dp_random r;

	(void)state;
	bk_test_chacha_init(&c, &r, KEY0, 3);
	for (size_t i = 0; i < sizeof(sc) / sizeof(sc[0]); i++) {
		const double n = 200000, a = exp(-(double)sc[i][1] / (double)sc[i][0]);
		const double p0 = 1 - a, mean = a / (1 - a), var = a / ((1 - a) * (1 - a));
		double zeros = 0, sum = 0;
		uint64_t y;

		for (int k = 0; k < (int)n; k++) {
			assert_int_equal(bk_dp_geometric(&r, sc[i][0], sc[i][1], &y), BK_OK);
			zeros += y == 0;
			sum += (double)y;
		}
		assert_true(fabs(zeros / n - p0) < 6 * sqrt(p0 * (1 - p0) / n));
		assert_true(fabs(sum / n - mean) < 6 * sqrt(var / n));
	}
}

/* 200,000 draws of discrete Laplace noise at ε = num/den (scale 1/ε),
 * a = e^{-ε}:
 *   P(0)        = (1 - a) / (1 + a)
 *   P(|x| <= k) = 1 - 2 a^{k+1} / (1 + a)
 *   mean 0, variance 2a / (1 - a)^2, E[x^4] = 2a(1 + 11a + 11a^2 + a^3) / ((1 + a)(1 - a)^4).
 * Tolerances are 6 standard errors of each estimate: sqrt(p(1-p)/n) for a
 * frequency, sqrt(var/n) for the mean, sqrt((E[x^4] - var^2)/n) for the
 * variance. A correct sampler misses one such bound with probability about
 * 2e-9 (and the stream is fixed, so the outcome is too); a wrong one does
 * not slip through: at ε = 1, sampling at ε = 1.1 instead moves P(0) from
 * 0.462 to 0.500, 34 standard errors (0.0011); at ε = 0.1, a scale off by
 * one (1/11) moves the variance from 200 to 242, 40 standard errors (1.05). */
static void laplace_stats(struct bk_dp_random *r, uint64_t num, uint64_t den, const int *ks, size_t nks)
{
	const double n = 200000, e = (double)num / (double)den, a = exp(-e);
	const double p0 = (1 - a) / (1 + a), var = 2 * a / ((1 - a) * (1 - a));
	const double m4 = 2 * a * (1 + 11 * a + 11 * a * a + a * a * a) / ((1 + a) * pow(1 - a, 4));
	double zeros = 0, within[4] = {0}, sum = 0, sumsq = 0, mean, svar;
	int64_t x;

	for (int i = 0; i < (int)n; i++) {
		assert_int_equal(bk_dp_laplace(r, den, num, &x), BK_OK);
		zeros += x == 0;
		for (size_t j = 0; j < nks; j++)
			within[j] += llabs(x) <= ks[j];
		sum += (double)x;
		sumsq += (double)x * (double)x;
	}
	assert_true(fabs(zeros / n - p0) < 6 * sqrt(p0 * (1 - p0) / n));
	for (size_t j = 0; j < nks; j++) {
		double p = 1 - 2 * pow(a, ks[j] + 1) / (1 + a);

		assert_true(fabs(within[j] / n - p) < 6 * sqrt(p * (1 - p) / n));
	}
	mean = sum / n;
	svar = (sumsq - n * mean * mean) / (n - 1);
	assert_true(fabs(mean) < 6 * sqrt(var / n));
	assert_true(fabs(svar - var) < 6 * sqrt((m4 - var * var) / n));
}

/* laplace_stats at ε = 1 and 0.1, and at scales that are not whole numbers:
 * 4/3 (ε = 0.75) and 2/5 (ε = 2.5), where floor(X / s) divides by s > 1; each
 * case on its own ChaCha20 stream, its ε in turn. */
static void test_laplace_stats(void **state)
{
	static const struct {
		uint8_t stream;
		uint64_t eps[2][2]; /* num, den */
		size_t neps;
		int ks[4];
		size_t nks;
	} cases[] = {
		{4, {{1, 1}}, 1, {1, 2, 5}, 3},
		{5, {{1, 10}}, 1, {5, 10, 20, 50}, 4},
		{6, {{3, 4}, {5, 2}}, 2, {1, 3}, 2},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct bk_test_chacha c;
		struct bk_dp_random r;

		bk_test_chacha_init(&c, &r, KEY0, cases[i].stream);
		for (size_t j = 0; j < cases[i].neps; j++)
			laplace_stats(&r, cases[i].eps[j][0], cases[i].eps[j][1], cases[i].ks, cases[i].nks);
	}
}

/* Deterministic given the source: the first ten draws from the seed-0
 * stream, and the bytes they read (see the file comment for how these were
 * cross-checked). */
static void test_laplace_golden(void **state)
{
	static const struct {
		uint64_t num, den, used;
		int64_t x[10];
	} g[] = {
		{1, 1, 60, {0, 4, 0, -1, 0, 0, 1, 0, 0, 0}},          /* ε = 1 */
		{10, 1, 69, {-7, 9, 3, 22, -4, -3, 8, -3, 3, -2}},    /* ε = 0.1 */
		{4, 3, 84, {0, 1, 4, 0, -1, 0, 0, 0, 3, -2}},         /* ε = 0.75 */
		{2, 5, 122, {0, 0, 1, 0, -1, 0, 0, 0, 0, 0}},         /* ε = 2.5 */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(g) / sizeof(g[0]); i++) {
		struct bk_test_chacha c;
		struct bk_dp_random r;

		bk_test_chacha_init(&c, &r, KEY0, 0);
		for (int k = 0; k < 10; k++) {
			int64_t x;

			assert_int_equal(bk_dp_laplace(&r, g[i].num, g[i].den, &x), BK_OK);
			assert_int_equal(x, g[i].x[k]);
		}
		assert_int_equal(c.used, g[i].used);
	}
}

/* Noise +1, -1 and 0 at scale 1 spelled out in bytes: the geometric reads
 * nothing for U (uniform(1)) and its keep-test (e^0); V counts the passed
 * Bernoulli(e^{-1}) (pass: 00 01, fail: 01), then the sign (00 +, 01 -). */
static void test_laplace_scripted(void **state)
{
	int64_t x = 99;

	(void)state;
	{
		SCRIPT(s, 0x00, 0x01, 0x01, 0x00);

		assert_int_equal(bk_dp_laplace(&s_rnd, 1, 1, &x), BK_OK);
		assert_int_equal(x, 1);
		assert_int_equal(s.pos, 4);
	}
	{
		SCRIPT(s, 0x00, 0x01, 0x01, 0x01);

		assert_int_equal(bk_dp_laplace(&s_rnd, 1, 1, &x), BK_OK);
		assert_int_equal(x, -1);
	}
	/* -0 is refused and drawn again: then +0 */
	{
		SCRIPT(s, 0x01, 0x01, 0x01, 0x00);

		assert_int_equal(bk_dp_laplace(&s_rnd, 1, 1, &x), BK_OK);
		assert_int_equal(x, 0);
		assert_int_equal(s.pos, 4);
	}
	/* bad scales, a failing source */
	{
		struct bk_dp_random bad = {failing_bytes, NULL};

		assert_int_equal(bk_dp_laplace(NULL, 0, 1, &x), BK_ERR_USAGE);
		assert_int_equal(bk_dp_laplace(NULL, 1, 0, &x), BK_ERR_USAGE);
		assert_int_equal(bk_dp_laplace(NULL, BK_DP_SCALE_MAX + 1, 1, &x), BK_ERR_USAGE);
		assert_int_equal(bk_dp_laplace(NULL, BK_DP_SCALE_MAX, 1, &x), BK_OK);
		x = 5;
		assert_int_equal(bk_dp_laplace(&bad, 1, 1, &x), BK_ERR_IO);
		assert_int_equal(x, 0);
	}
	/* the OS source */
	for (int i = 0; i < 1000; i++)
		assert_int_equal(bk_dp_laplace(NULL, 3, 2, &x), BK_OK);
}

static void test_noisy_count(void **state)
{
	int64_t out = 99;

	(void)state;
	{
		SCRIPT(s, 0x00, 0x01, 0x01, 0x00); /* +1 */

		assert_int_equal(bk_dp_noisy_count(&s_rnd, 1, 1, 5, &out), BK_OK);
		assert_int_equal(out, 6);
	}
	{
		SCRIPT(s, 0x00, 0x01, 0x01, 0x01); /* -1, clamped */

		assert_int_equal(bk_dp_noisy_count(&s_rnd, 1, 1, 0, &out), BK_OK);
		assert_int_equal(out, 0);
	}
	{
		SCRIPT(s, 0x00, 0x01, 0x01, 0x00); /* +1 past INT64_MAX */

		assert_int_equal(bk_dp_noisy_count(&s_rnd, 1, 1, INT64_MAX, &out), BK_ERR_USAGE);
		assert_int_equal(out, 0);
	}
	assert_int_equal(bk_dp_noisy_count(NULL, 1, 1, -1, &out), BK_ERR_USAGE);
	assert_int_equal(bk_dp_noisy_count(NULL, 0, 1, 5, &out), BK_ERR_USAGE);
	assert_int_equal(bk_dp_noisy_count(NULL, 11, 1, 5, &out), BK_ERR_USAGE);
	/* a count of 0 at ε = 1: never negative, zero more than half the time
	 * (P(noise <= 0) = 1 - a/(1+a) = 0.731) */
	{
		struct bk_test_chacha c;
		struct bk_dp_random r;
		int zeros = 0;

		bk_test_chacha_init(&c, &r, KEY0, 7);
		for (int i = 0; i < 10000; i++) {
			assert_int_equal(bk_dp_noisy_count(&r, 1, 1, 0, &out), BK_OK);
			assert_true(out >= 0);
			zeros += out == 0;
		}
		assert_true(zeros > 7000 && zeros < 7600);
	}
}

/* --- the budget --- */

static void test_budget(void **state)
{
	uint64_t m = 0;

	(void)state;
	/* exactly at the cap fits; a millionth over does not */
	assert_int_equal(bk_dp_budget_fits(0, 1, 1, 1, BK_DP_BUDGET_CAP_NUM, BK_DP_BUDGET_CAP_DEN), BK_OK);
	assert_int_equal(bk_dp_budget_fits(3, 4, 1, 4, 1, 1), BK_OK);
	assert_int_equal(bk_dp_budget_fits(750000, BK_DP_MICRO, 1, 4, 1, 1), BK_OK);
	assert_int_equal(bk_dp_budget_fits(750000, BK_DP_MICRO, 250001, BK_DP_MICRO, 1, 1), BK_ERR_DENIED);
	assert_non_null(strstr(bk_error_detail(), "epsilon 0.250001 would pass the budget: 0.75 of 1 spent"));
	assert_int_equal(bk_dp_budget_fits(1, 1, 1, BK_DP_MICRO, 1, 1), BK_ERR_DENIED);
	assert_int_equal(bk_dp_budget_fits(0, 1, 1000001, BK_DP_MICRO, 1, 1), BK_ERR_DENIED);
	/* thirds: 1/3 + 1/3 + 1/3 is exactly 1 (no rounding to 0.333333) */
	assert_int_equal(bk_dp_budget_fits(2, 3, 1, 3, 1, 1), BK_OK);
	assert_int_equal(bk_dp_budget_fits(2, 3, 333334, 1000000, 1, 1), BK_ERR_DENIED);
	/* already past the cap: nothing fits */
	assert_int_equal(bk_dp_budget_fits(3, 2, 1, BK_DP_MICRO, 1, 1), BK_ERR_DENIED);
	/* another cap */
	assert_int_equal(bk_dp_budget_fits(1, 1, 1, 1, 2, 1), BK_OK);
	assert_int_equal(bk_dp_budget_fits(1, 1, 3, 2, 5, 2), BK_OK);
	assert_int_equal(bk_dp_budget_fits(1, 1, 3, 2, 12, 5), BK_ERR_DENIED);
	/* 64-bit extremes: (2^64-2)/(2^64-1) spent, (1)/(2^64-1) requested of 1
	 * lands exactly on the cap; one more unit of the tiniest fraction does not */
	assert_int_equal(bk_dp_budget_fits(UINT64_MAX - 1, UINT64_MAX, 1, UINT64_MAX, 1, 1), BK_OK);
	assert_int_equal(bk_dp_budget_fits(UINT64_MAX - 1, UINT64_MAX, 2, UINT64_MAX, 1, 1), BK_ERR_DENIED);
	assert_int_equal(bk_dp_budget_fits(UINT64_MAX - 1, UINT64_MAX, 1, UINT64_MAX - 1, 1, 1), BK_ERR_DENIED);
	assert_int_equal(bk_dp_budget_fits(0, 1, UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX), BK_OK);
	assert_int_equal(bk_dp_budget_fits(UINT64_MAX - 2, UINT64_MAX - 1, 1, UINT64_MAX - 1, 1, 1), BK_OK);
	assert_int_equal(bk_dp_budget_fits(UINT64_MAX - 2, UINT64_MAX - 1, 1, UINT64_MAX - 2, 1, 1), BK_ERR_DENIED);
	/* usage */
	assert_int_equal(bk_dp_budget_fits(0, 0, 1, 1, 1, 1), BK_ERR_USAGE);
	assert_int_equal(bk_dp_budget_fits(0, 1, 1, 0, 1, 1), BK_ERR_USAGE);
	assert_int_equal(bk_dp_budget_fits(0, 1, 1, 1, 1, 0), BK_ERR_USAGE);
	assert_int_equal(bk_dp_budget_fits(0, 1, 0, 1, 1, 1), BK_ERR_USAGE);
	/* the ledger's unit: exact for parsed ε, rounded up otherwise */
	assert_int_equal(bk_dp_epsilon_micro(1, 4, &m), BK_OK);
	assert_int_equal(m, 250000);
	assert_int_equal(bk_dp_epsilon_micro(1, 1000000, &m), BK_OK);
	assert_int_equal(m, 1);
	assert_int_equal(bk_dp_epsilon_micro(1, 3, &m), BK_OK);
	assert_int_equal(m, 333334);
	assert_int_equal(bk_dp_epsilon_micro(1, 7, &m), BK_OK);
	assert_int_equal(m, 142858);
	assert_int_equal(bk_dp_epsilon_micro(10, 1, &m), BK_OK);
	assert_int_equal(m, 10000000);
	assert_int_equal(bk_dp_epsilon_micro(1, 0, &m), BK_ERR_USAGE);
	assert_int_equal(bk_dp_epsilon_micro(UINT64_MAX, 1, &m), BK_ERR_USAGE);
	assert_int_equal(m, 0);
	/* every parsed ε converts exactly: back to the same fraction */
	{
		static const char *const eps[] = {"0.1", "0.25", "0.333333", "1", "2.5", "0.000001", "10"};

		for (size_t i = 0; i < sizeof(eps) / sizeof(eps[0]); i++) {
			uint64_t num, den;

			assert_int_equal(bk_dp_epsilon_parse(eps[i], &num, &den), BK_OK);
			assert_int_equal(bk_dp_epsilon_micro(num, den, &m), BK_OK);
			assert_true((unsigned __int128)m * den == (unsigned __int128)num * BK_DP_MICRO);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_epsilon_parse),
		cmocka_unit_test(test_uniform_rejection),
		cmocka_unit_test(test_uniform_counts),
		cmocka_unit_test(test_bernoulli_exp_branches),
		cmocka_unit_test(test_bernoulli_exp_rate),
		cmocka_unit_test(test_geometric),
		cmocka_unit_test(test_laplace_stats),
		cmocka_unit_test(test_laplace_golden),
		cmocka_unit_test(test_laplace_scripted),
		cmocka_unit_test(test_noisy_count),
		cmocka_unit_test(test_budget),
	};

	return bk_test_run_group("dp", tests, NULL, NULL);
}
