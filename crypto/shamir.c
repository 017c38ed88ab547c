/* shamir.c - secret sharing through libgfshare, with libsodium's randomness. */
#include "crypto/shamir.h"

#include <libgfshare.h>
#include <sodium.h>
#include <string.h>

/* libgfshare 2.0 has no default random source: without one it crashes
 * (gfshare_ctx_free scrubs the context with it too, after a combine) */
static void fill_random(unsigned char *buf, unsigned int n)
{
	randombytes_buf(buf, n);
}

bk_status bk_shamir_split(const uint8_t *secret, size_t len, unsigned n, unsigned k, uint8_t *xs, uint8_t *shares)
{
	gfshare_ctx *ctx;
	uint8_t *copy;

	if (k < 2 || k > n || n > BK_SHAMIR_MAX || len == 0 || len > 1024)
		return bk_fail(BK_ERR_USAGE, "a split takes 2 to %d shares and a threshold from 2 to their number",
			       BK_SHAMIR_MAX);
	for (unsigned i = 0; i < n; i++)
		xs[i] = (uint8_t)(i + 1);
	gfshare_fill_rand = fill_random;
	if (!(ctx = gfshare_ctx_init_enc(xs, n, (unsigned char)k, (unsigned)len)))
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	/* libgfshare's setsecret takes a non-const buffer */
	if (!(copy = sodium_malloc(len))) {
		gfshare_ctx_free(ctx);
		return bk_fail(BK_ERR_NOMEM, "out of guarded memory");
	}
	memcpy(copy, secret, len);
	gfshare_ctx_enc_setsecret(ctx, copy);
	sodium_free(copy);
	for (unsigned i = 0; i < n; i++)
		gfshare_ctx_enc_getshare(ctx, (unsigned char)i, shares + (size_t)i * len);
	gfshare_ctx_free(ctx); /* overwrites the coefficients before freeing */
	return BK_OK;
}

bk_status bk_shamir_combine(const uint8_t *xs, const uint8_t *shares, unsigned count, size_t len, uint8_t *secret)
{
	unsigned char nrs[BK_SHAMIR_MAX];
	gfshare_ctx *ctx;

	if (count < 1 || count > BK_SHAMIR_MAX || len == 0 || len > 1024)
		return bk_fail(BK_ERR_USAGE, "1 to %d shares are combined", BK_SHAMIR_MAX);
	for (unsigned i = 0; i < count; i++) {
		if (xs[i] == 0)
			return bk_fail(BK_ERR_FORMAT, "share number 0 does not exist");
		for (unsigned j = 0; j < i; j++)
			if (xs[j] == xs[i])
				return bk_fail(BK_ERR_USAGE, "share %u is given twice", xs[i]);
		nrs[i] = xs[i];
	}
	gfshare_fill_rand = fill_random;
	if (!(ctx = gfshare_ctx_init_dec(nrs, count, (unsigned)len)))
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	for (unsigned i = 0; i < count; i++)
		gfshare_ctx_dec_giveshare(ctx, (unsigned char)i, (unsigned char *)(uintptr_t)(shares + (size_t)i * len));
	gfshare_ctx_dec_extract(ctx, secret);
	gfshare_ctx_free(ctx);
	return BK_OK;
}
