/* secmem.c - guarded memory, randomness and constant-time compare (libsodium). */
#include "crypto/secmem.h"

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <sodium.h>
#include <stdlib.h>

/* OpenSSL's and jansson's allocations, noted when they fail (bk_note_alloc_failed) */
static void *noted_malloc(size_t n)
{
	void *p = malloc(n);

	if (!p && n)
		bk_note_alloc_failed();
	return p;
}

static void *ossl_malloc(size_t n, const char *file, int line)
{
	(void)file, (void)line;
	return noted_malloc(n);
}

static void *ossl_realloc(void *old, size_t n, const char *file, int line)
{
	void *p = realloc(old, n);

	(void)file, (void)line;
	if (!p && n)
		bk_note_alloc_failed();
	return p;
}

static void ossl_free(void *p, const char *file, int line)
{
	(void)file, (void)line;
	free(p);
}

bk_status bk_crypto_init(void)
{
	unsigned char probe;

	/* before OpenSSL's first allocation, which would lock its functions in */
	(void)CRYPTO_set_mem_functions(ossl_malloc, ossl_realloc, ossl_free);
	json_set_alloc_funcs(noted_malloc, free);
	if (sodium_init() < 0)
		return bk_fail(BK_ERR_CRYPTO, "cannot initialize libsodium");
	/* OpenSSL (SQLCipher's provider, HKDF, age) builds its default context and
	 * random generator once, on first use; when an allocation fails in there,
	 * OpenSSL 3.0 keeps a half-made context and a later call crashes on it
	 * (found by the malloc fault trials). Build both now, and stop if either failed. */
	if (!OSSL_LIB_CTX_get0_global_default() || RAND_bytes(&probe, 1) != 1)
		return bk_fail(BK_ERR_NOMEM, "cannot initialize OpenSSL: out of memory");
	return BK_OK;
}

void *bk_secmem_alloc(size_t n)
{
	void *p = sodium_malloc(n ? n : 1);

	if (p)
		sodium_memzero(p, n ? n : 1);
	return p;
}

void bk_secmem_free(void *p)
{
	sodium_free(p); /* wipes; accepts NULL */
}

void bk_wipe(void *p, size_t n)
{
	sodium_memzero(p, n);
}

void bk_random(void *buf, size_t n)
{
	randombytes_buf(buf, n);
}

/* Random 32-bit words from a ChaCha20 stream, refilled under a new seed. */
struct word_stream {
	uint32_t *w;
	size_t n, at;
};

static bk_status stream_fill(struct word_stream *s)
{
	uint8_t seed[randombytes_SEEDBYTES];

	randombytes_buf(seed, sizeof(seed));
	randombytes_buf_deterministic(s->w, s->n * sizeof(uint32_t), seed);
	sodium_memzero(seed, sizeof(seed));
	s->at = 0;
	return BK_OK;
}

static uint32_t stream_next(struct word_stream *s)
{
	if (s->at == s->n)
		(void)stream_fill(s);
	return s->w[s->at++];
}

bk_status bk_random_shuffle(uint32_t *a, size_t n)
{
	struct word_stream s;

	if (n < 2)
		return BK_OK;
	if (n > UINT32_MAX)
		return bk_fail(BK_ERR_USAGE, "too many elements to shuffle");
	s.n = n + 1024; /* rejections are rare: one refill at most, almost always none */
	if (!(s.w = malloc(s.n * sizeof(uint32_t))))
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	(void)stream_fill(&s);
	for (size_t i = n; i > 1; i--) {
		uint32_t bound = (uint32_t)i, tmp;
		uint64_t m = (uint64_t)stream_next(&s) * bound;

		/* Lemire 2019: reject the low products that would bias the draw */
		if ((uint32_t)m < bound) {
			uint32_t threshold = (uint32_t)(-bound) % bound;

			while ((uint32_t)m < threshold)
				m = (uint64_t)stream_next(&s) * bound;
		}
		tmp = a[i - 1];
		a[i - 1] = a[m >> 32];
		a[m >> 32] = tmp;
	}
	sodium_memzero(s.w, s.n * sizeof(uint32_t));
	free(s.w);
	return BK_OK;
}

int bk_ct_equal(const void *a, const void *b, size_t n)
{
	return sodium_memcmp(a, b, n) == 0;
}

int bk_is_zero(const void *p, size_t n)
{
	return sodium_is_zero(p, n);
}

const char *bk_crypto_version(void)
{
	return sodium_version_string();
}
