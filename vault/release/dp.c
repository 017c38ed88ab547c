/* dp.c - exact discrete Laplace noise (Canonne, Kamath, Steinke 2020) from
 * uniform bytes and integer arithmetic, ε parsing and the budget decision.
 * See dp.h for the guarantees. Every loop below either ends with
 * probability 1 in a few rounds or is bounded by its input. */
#include "vault/release/dp.h"

#include <stdio.h>
#include <string.h>

#include "crypto/secmem.h"

typedef unsigned __int128 u128;

/* --- randomness --- */

static bk_status read_bytes(const struct bk_dp_random *rnd, uint8_t *buf, size_t n)
{
	if (!rnd || !rnd->bytes) {
		bk_random(buf, n);
		return BK_OK;
	}
	return rnd->bytes(rnd->ctx, buf, n);
}

/* Uniform on [0, m), m >= 1, for m up to 2^128 - 1 (Bernoulli(γ/K) needs
 * den × K). Draws k bytes, the fewest that hold m - 1: R = 256^k values, of
 * which the first R mod m are refused so that every residue is hit exactly
 * floor(R / m) times. A draw is refused with probability below 1/2. */
static bk_status uniform128(const struct bk_dp_random *rnd, u128 m, u128 *out_p)
{
	uint8_t buf[16];
	unsigned k = 0;
	u128 skip, x = 0;
	bk_status rc = BK_OK;

	*out_p = 0;
	if (m <= 1)
		goto out;
	for (u128 top = m - 1; top; top >>= 8)
		k++;
	/* R mod m; for k = 16, R = 2^128 does not fit, and 2^128 - m ≡ R (mod m) */
	skip = k == 16 ? (u128)0 - m : ((u128)1 << (8 * k));
	skip %= m;
	do {
		if ((rc = read_bytes(rnd, buf, k)))
			goto out;
		x = 0;
		for (unsigned i = 0; i < k; i++)
			x = x << 8 | buf[i];
	} while (x < skip);
	*out_p = x % m;
out:
	bk_wipe(buf, sizeof(buf));
	return rc;
}

bk_status bk_dp_uniform(const struct bk_dp_random *rnd, uint64_t m, uint64_t *out_p)
{
	u128 x = 0;
	bk_status rc;

	*out_p = 0;
	if (m == 0)
		return bk_fail(BK_ERR_USAGE, "a uniform integer needs a non-empty range");
	rc = uniform128(rnd, m, &x);
	*out_p = (uint64_t)x;
	return rc;
}

/* --- Bernoulli(exp(-γ)), CKS Algorithm 1 --- */

/* γ = num / den in [0, 1]: K is the first k for which Bernoulli(γ / k)
 * fails; P(K odd) = e^{-γ}. Each trial is a uniform on [0, den × K) against
 * num, so no division is rounded. */
static bk_status bern_exp_upto1(const struct bk_dp_random *rnd, uint64_t num, uint64_t den, int *out_p)
{
	uint64_t k = 1;
	u128 x;
	bk_status rc = BK_OK;

	*out_p = 0;
	if (num == 0) {
		*out_p = 1; /* e^0: K = 1 whatever is drawn, so draw nothing */
		return BK_OK;
	}
	for (;;) {
		if ((rc = uniform128(rnd, (u128)den * k, &x)))
			return rc;
		if (x >= num)
			break;
		if (k == UINT64_MAX) /* 1/k! of ever getting here: refuse rather than wrap */
			return bk_fail(BK_ERR_STATE, "a Bernoulli trial ran past its counter");
		k++;
	}
	*out_p = (int)(k & 1);
	return rc;
}

bk_status bk_dp_bernoulli_exp(const struct bk_dp_random *rnd, uint64_t num, uint64_t den, int *out_p)
{
	int b = 1;
	bk_status rc = BK_OK;

	*out_p = 0;
	if (den == 0)
		return bk_fail(BK_ERR_USAGE, "exp(-num/den) needs den >= 1");
	if (num <= den)
		return bern_exp_upto1(rnd, num, den, out_p);
	/* e^{-γ} = (e^{-1})^{floor γ} · e^{-(γ - floor γ)}: stop at the first failure */
	for (uint64_t i = num / den; i > 0 && b && rc == BK_OK; i--)
		rc = bern_exp_upto1(rnd, 1, 1, &b);
	if (rc == BK_OK && b)
		rc = bern_exp_upto1(rnd, num % den, den, &b);
	if (rc == BK_OK)
		*out_p = b;
	return rc;
}

/* --- geometric and discrete Laplace, CKS Algorithm 2 --- */

static bk_status check_scale(uint64_t num, uint64_t den)
{
	if (num == 0 || den == 0 || (u128)num > (u128)den * BK_DP_SCALE_MAX)
		return bk_fail(BK_ERR_USAGE, "a noise scale must be a positive fraction of at most 2^40");
	return BK_OK;
}

bk_status bk_dp_geometric(const struct bk_dp_random *rnd, uint64_t scale_num, uint64_t scale_den, uint64_t *out_p)
{
	uint64_t t = scale_num, s = scale_den, u = 0, v;
	int d = 0, a;
	u128 x;
	bk_status rc;

	*out_p = 0;
	if ((rc = check_scale(t, s)))
		return rc;
	/* X = U + t·V is geometric with P(X = x) ∝ e^{-x/t}: U uniform on
	 * [0, t) kept with probability e^{-U/t}, V the number of Bernoulli(e^{-1})
	 * successes before the first failure. */
	while (!d) {
		if ((rc = bk_dp_uniform(rnd, t, &u)) || (rc = bk_dp_bernoulli_exp(rnd, u, t, &d)))
			return rc;
	}
	for (v = 0;; v++) {
		if ((rc = bk_dp_bernoulli_exp(rnd, 1, 1, &a)))
			return rc;
		if (!a)
			break;
		if (v == UINT64_MAX)
			return bk_fail(BK_ERR_STATE, "a geometric sample ran past its counter");
	}
	/* floor(X / s) is geometric with P(y) ∝ e^{-y s/t}; X fits: t, v < 2^64 */
	x = ((u128)u + (u128)t * v) / s;
	if (x > INT64_MAX)
		return bk_fail(BK_ERR_STATE, "a geometric sample is too large");
	*out_p = (uint64_t)x;
	return BK_OK;
}

bk_status bk_dp_laplace(const struct bk_dp_random *rnd, uint64_t scale_num, uint64_t scale_den, int64_t *noise_p)
{
	uint64_t y = 0, b = 0;
	bk_status rc;

	*noise_p = 0;
	if ((rc = check_scale(scale_num, scale_den)))
		return rc;
	/* a magnitude and a sign; -0 is drawn as often as +0, so it is refused */
	do {
		if ((rc = bk_dp_geometric(rnd, scale_num, scale_den, &y)) || (rc = bk_dp_uniform(rnd, 2, &b)))
			return rc;
	} while (b == 1 && y == 0);
	*noise_p = b ? -(int64_t)y : (int64_t)y;
	return BK_OK;
}

bk_status bk_dp_noisy_count(const struct bk_dp_random *rnd, uint64_t eps_num, uint64_t eps_den, int64_t count,
			    int64_t *out_p)
{
	int64_t noise = 0, sum;
	bk_status rc;

	*out_p = 0;
	if ((rc = bk_dp_epsilon_check(eps_num, eps_den)))
		return rc;
	if (count < 0)
		return bk_fail(BK_ERR_USAGE, "a count cannot be negative");
	/* sensitivity 1: scale 1/ε = eps_den / eps_num */
	if ((rc = bk_dp_laplace(rnd, eps_den, eps_num, &noise)))
		goto out;
	if (__builtin_add_overflow(count, noise, &sum)) {
		rc = bk_fail(BK_ERR_USAGE, "a count too large for noise");
		goto out;
	}
	*out_p = sum < 0 ? 0 : sum;
out:
	return rc;
}

/* --- ε --- */

static uint64_t gcd64(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

bk_status bk_dp_epsilon_check(uint64_t num, uint64_t den)
{
	if (den == 0 || num == 0 || (u128)num > (u128)den * BK_DP_EPSILON_MAX)
		return bk_fail(BK_ERR_USAGE, "epsilon must be above 0 and at most %d", BK_DP_EPSILON_MAX);
	return BK_OK;
}

bk_status bk_dp_epsilon_parse(const char *text, uint64_t *num_p, uint64_t *den_p)
{
	const char *p = text;
	uint64_t whole = 0, frac = 0, scale = BK_DP_MICRO, g;
	unsigned nwhole = 0, nfrac = 0;
	bk_status rc = BK_OK;

	*num_p = *den_p = 0;
	if (!p)
		goto bad;
	for (; *p >= '0' && *p <= '9' && nwhole <= 2; p++, nwhole++)
		whole = whole * 10 + (uint64_t)(*p - '0');
	if (nwhole == 0 || nwhole > 2)
		goto bad;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9' && nfrac <= BK_DP_EPSILON_DECIMALS; p++, nfrac++) {
			frac = frac * 10 + (uint64_t)(*p - '0');
			scale /= 10;
		}
		if (nfrac == 0 || nfrac > BK_DP_EPSILON_DECIMALS)
			goto bad;
	}
	if (*p != '\0')
		goto bad;
	/* ε = (whole · 10^6 + frac · 10^(6 - nfrac)) / 10^6 */
	*num_p = whole * BK_DP_MICRO + frac * scale;
	*den_p = BK_DP_MICRO;
	if (*num_p == 0 || *num_p > (uint64_t)BK_DP_EPSILON_MAX * BK_DP_MICRO) {
		*num_p = *den_p = 0;
		bk_hint("epsilon is above 0 and at most %d: 0.1 protects more than 1", BK_DP_EPSILON_MAX);
		rc = bk_fail(BK_ERR_USAGE, "epsilon '%.32s' is out of range", text);
		goto out;
	}
	g = gcd64(*num_p, *den_p);
	*num_p /= g;
	*den_p /= g;
	goto out;
bad:
	bk_hint("epsilon is a decimal number such as 1, 0.5 or 0.25, with at most %d decimals",
		BK_DP_EPSILON_DECIMALS);
	rc = bk_fail(BK_ERR_USAGE, "epsilon '%.32s' is not a number", text ? text : "");
out:
	return rc;
}

/* --- the budget --- */

bk_status bk_dp_epsilon_micro(uint64_t num, uint64_t den, uint64_t *micro_p)
{
	u128 m;

	*micro_p = 0;
	if (den == 0)
		return bk_fail(BK_ERR_USAGE, "epsilon needs a denominator");
	m = ((u128)num * BK_DP_MICRO + den - 1) / den;
	if (m > UINT64_MAX)
		return bk_fail(BK_ERR_USAGE, "epsilon is too large for the ledger");
	*micro_p = (uint64_t)m;
	return BK_OK;
}

/* Compares a/b with c/d (b, d > 0) without forming a product: equal whole
 * parts leave the remainders ra/b and rc/d, which compare as d/rc and b/ra
 * do (reciprocals, so the order of the fractions flips and so do the
 * sides). The numbers shrink as in Euclid's algorithm. */
static int cmp_frac(u128 a, u128 b, u128 c, u128 d)
{
	for (;;) {
		u128 qa = a / b, qc = c / d, ra = a % b, rc = c % d;

		if (qa != qc)
			return qa < qc ? -1 : 1;
		if (ra == 0 || rc == 0)
			return ra == rc ? 0 : ra == 0 ? -1 : 1;
		a = d;
		c = b;
		b = rc;
		d = ra;
	}
}

/* A fraction for a message: a decimal when it has at most 6 decimals. */
static const char *frac_text(char *buf, size_t cap, uint64_t num, uint64_t den)
{
	if (den != 0 && BK_DP_MICRO % den == 0) {
		u128 m = (u128)num * (BK_DP_MICRO / den);
		int n = snprintf(buf, cap, "%llu.%06llu", (unsigned long long)(m / BK_DP_MICRO),
				 (unsigned long long)(m % BK_DP_MICRO));

		/* trim trailing zeros (and the point) */
		while (n > 0 && (size_t)n < cap && buf[n - 1] == '0')
			buf[--n] = '\0';
		if (n > 0 && (size_t)n < cap && buf[n - 1] == '.')
			buf[--n] = '\0';
	} else {
		snprintf(buf, cap, "%llu/%llu", (unsigned long long)num, (unsigned long long)den);
	}
	return buf;
}

bk_status bk_dp_budget_fits(uint64_t spent_num, uint64_t spent_den, uint64_t req_num, uint64_t req_den,
			    uint64_t cap_num, uint64_t cap_den)
{
	char s[48], r[48], c[48];
	u128 room_num, room_den;

	if (spent_den == 0 || req_den == 0 || cap_den == 0)
		return bk_fail(BK_ERR_USAGE, "an epsilon needs a denominator");
	if (req_num == 0)
		return bk_fail(BK_ERR_USAGE, "a request spends some epsilon");
	/* room = cap - spent = (cap_num·spent_den - spent_num·cap_den) / (cap_den·spent_den):
	 * each product of two 64-bit numbers fits 128 bits */
	if ((u128)spent_num * cap_den <= (u128)cap_num * spent_den) {
		room_num = (u128)cap_num * spent_den - (u128)spent_num * cap_den;
		room_den = (u128)cap_den * spent_den;
		if (cmp_frac(req_num, req_den, room_num, room_den) <= 0)
			return BK_OK;
	}
	bk_hint("the budget renews each calendar year; a smaller epsilon may still fit");
	return bk_fail(BK_ERR_DENIED, "epsilon %s would pass the budget: %s of %s spent",
		       frac_text(r, sizeof(r), req_num, req_den), frac_text(s, sizeof(s), spent_num, spent_den),
		       frac_text(c, sizeof(c), cap_num, cap_den));
}
