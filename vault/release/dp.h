/* dp.h - differential privacy for released counts (DESIGN §10): exact
 * discrete Laplace noise and the evaluators' ε budget. Pure: no database.
 *
 * Noise. Every sampler here uses integer arithmetic only and uniform bytes
 * from a random source (the OS, through libsodium, unless a test injects
 * one). None takes the floating-point log of a uniform: the holes and
 * rounding of such samplers break the guarantee (Mironov 2012). They follow
 * Canonne, Kamath and Steinke, "The Discrete Gaussian for Differential
 * Privacy" (2020): Algorithm 1 for Bernoulli(exp(-γ)) with rational γ,
 * Algorithm 2 for the discrete Laplace (two-sided geometric) distribution
 * with rational scale t:  P(x) = (e^{1/t} - 1) / (e^{1/t} + 1) · e^{-|x|/t}.
 * A count changed by one person (sensitivity 1) released with noise of scale
 * t = 1/ε is ε-differentially private. Uniform integers come from rejection
 * sampling over whole bytes, so no value is more likely than another (no
 * modulo bias); a sample reads only the bytes it needs, so a fixed source
 * gives a fixed sequence of samples.
 *
 * WARNING: the samplers' running time and the bytes they read depend on the
 * value drawn (as the paper notes). That is harmless for an offline program
 * whose readers see only the released table, not a concern for a service an
 * attacker can time.
 *
 * Budget. Each release with ε spends ε of the requesting evaluator's budget
 * for that dataset and calendar year; releases compose by adding their ε, so
 * a request fits while spent + requested <= cap. The ledger's unit is the
 * micro-ε (ε × 10^6, an integer): exact for every ε bk_dp_epsilon_parse
 * accepts (at most 6 decimals), so a ledger is summed with plain integer
 * addition (SQL SUM) and nothing is lost to rounding; an ε that is not a
 * whole number of micro-ε is rounded up, never down, so the ledger can only
 * over-count what was spent. */
#ifndef BK_DP_H
#define BK_DP_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

#define BK_DP_EPSILON_MAX 10       /* largest ε accepted: beyond it noise protects nobody */
#define BK_DP_EPSILON_DECIMALS 6   /* digits after the point bk_dp_epsilon_parse takes */
#define BK_DP_MICRO 1000000        /* ledger unit: micro-ε per ε */
#define BK_DP_SCALE_MAX ((uint64_t)1 << 40) /* largest noise scale (num/den) sampled */

/* The default budget per evaluator, per dataset, per calendar year: ε 1 in
 * all. This is configuration (DESIGN §11: what changes by year or policy is
 * not a constant): the vault's setting, when present, overrides it. */
#define BK_DP_BUDGET_CAP_NUM 1
#define BK_DP_BUDGET_CAP_DEN 1

/* A source of uniform random bytes. bytes fills buf[0..n) and returns BK_OK,
 * or an error that the sampler passes on unchanged. Functions below take a
 * const struct bk_dp_random *; NULL means the OS random source
 * (randombytes_buf), which does not fail. Tests inject a deterministic one. */
struct bk_dp_random {
	bk_status (*bytes)(void *ctx, uint8_t *buf, size_t n);
	void *ctx;
};

/* --- ε --- */

/* bk_dp_epsilon_parse reads a decimal ε: 1 or 2 digits, then optionally a
 * point and 1 to BK_DP_EPSILON_DECIMALS digits ("1", "0.5", "0.25",
 * "10.000"); nothing else (no sign, space, exponent or fraction). On success
 * *num_p / *den_p is the exact value in lowest terms ("0.50" -> 1/2), with
 * 0 < ε <= BK_DP_EPSILON_MAX and *den_p dividing 10^6. Otherwise
 * BK_ERR_USAGE and both outputs are 0. text may be NULL (refused). */
bk_status bk_dp_epsilon_parse(const char *text, uint64_t *num_p, uint64_t *den_p) BK_MUST_CHECK;

/* bk_dp_epsilon_check returns BK_OK when num / den is an ε this module
 * accepts (den >= 1, 0 < num / den <= BK_DP_EPSILON_MAX), else BK_ERR_USAGE. */
bk_status bk_dp_epsilon_check(uint64_t num, uint64_t den) BK_MUST_CHECK;

/* --- samplers: the building blocks, then the noise --- */

/* bk_dp_uniform sets *out_p to an integer uniform on [0, m), m >= 1; m == 1
 * reads no randomness. Reads the fewest whole bytes that hold m - 1, as a
 * big-endian number, and draws again when it falls in the incomplete last
 * block. BK_ERR_USAGE for m == 0; a source's error passes through. */
bk_status bk_dp_uniform(const struct bk_dp_random *rnd, uint64_t m, uint64_t *out_p) BK_MUST_CHECK;

/* bk_dp_bernoulli_exp sets *out_p to 1 with probability exp(-num/den), else
 * 0 (CKS Algorithm 1). num == 0 gives 1 without reading randomness.
 * BK_ERR_USAGE for den == 0. */
bk_status bk_dp_bernoulli_exp(const struct bk_dp_random *rnd, uint64_t num, uint64_t den, int *out_p) BK_MUST_CHECK;

/* bk_dp_geometric sets *out_p to y >= 0 with P(y) = (1 - e^{-1/t}) e^{-y/t},
 * t = scale_num / scale_den (the inner loop of CKS Algorithm 2: a geometric
 * of scale scale_num built from a uniform remainder and Bernoulli(e^{-1})
 * trials, divided down by scale_den). BK_ERR_USAGE unless both are >= 1 and
 * t <= BK_DP_SCALE_MAX; BK_ERR_STATE (nothing drawn) in the never-seen case
 * of a value past INT64_MAX. */
bk_status bk_dp_geometric(const struct bk_dp_random *rnd, uint64_t scale_num, uint64_t scale_den,
			  uint64_t *out_p) BK_MUST_CHECK;

/* bk_dp_laplace sets *noise_p to discrete Laplace noise of scale
 * t = scale_num / scale_den: P(x) ∝ exp(-|x| · scale_den / scale_num)
 * (CKS Algorithm 2: a geometric magnitude and a fair sign, minus zero drawn
 * twice). Errors as bk_dp_geometric; *noise_p is 0 on error.
 * WARNING: the noise is secret: with it, the true value is known. */
bk_status bk_dp_laplace(const struct bk_dp_random *rnd, uint64_t scale_num, uint64_t scale_den,
			int64_t *noise_p) BK_MUST_CHECK;

/* bk_dp_noisy_count releases count (>= 0, one person changing it by at most
 * 1) under ε = eps_num / eps_den: count + Laplace(1/ε), then clamped at 0 (a
 * post-processing step: it costs no privacy). BK_ERR_USAGE for a bad ε
 * (bk_dp_epsilon_check), a negative count, or a sum past INT64_MAX; a
 * source's error passes through. *out_p is 0 on error. */
bk_status bk_dp_noisy_count(const struct bk_dp_random *rnd, uint64_t eps_num, uint64_t eps_den, int64_t count,
			    int64_t *out_p) BK_MUST_CHECK;

/* --- the budget --- */

/* bk_dp_epsilon_micro converts num / den (den >= 1) to the ledger's unit,
 * ceil(num × 10^6 / den): exact for every parsed ε. BK_ERR_USAGE for
 * den == 0 or a result past UINT64_MAX. */
bk_status bk_dp_epsilon_micro(uint64_t num, uint64_t den, uint64_t *micro_p) BK_MUST_CHECK;

/* bk_dp_budget_fits decides whether a request of ε = req_num / req_den fits
 * beside what was spent (spent_num / spent_den, e.g. the ledger's micro-ε
 * over BK_DP_MICRO) under the cap (cap_num / cap_den): BK_OK when
 * spent + req <= cap exactly (a request landing on the cap fits),
 * BK_ERR_DENIED with a detail when it does not, BK_ERR_USAGE for a zero
 * denominator or a request of 0. Exact for every 64-bit input: no product
 * of more than two inputs is formed, the comparison is by continued
 * fractions. */
bk_status bk_dp_budget_fits(uint64_t spent_num, uint64_t spent_den, uint64_t req_num, uint64_t req_den,
			    uint64_t cap_num, uint64_t cap_den) BK_MUST_CHECK;

#endif
