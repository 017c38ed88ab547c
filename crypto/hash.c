/* hash.c - BLAKE2b, plain and keyed (libsodium crypto_generichash), and SHA-256. */
#include "crypto/hash.h"

#include <pthread.h>

static int sizes_ok(size_t outlen, size_t keylen)
{
	return outlen >= crypto_generichash_BYTES_MIN && outlen <= crypto_generichash_BYTES_MAX &&
	       (keylen == 0 || (keylen >= crypto_generichash_KEYBYTES_MIN && keylen <= crypto_generichash_KEYBYTES_MAX));
}

bk_status bk_hash(uint8_t *out, size_t outlen, const void *m, size_t mlen, const uint8_t *key, size_t keylen)
{
	if (!sizes_ok(outlen, keylen) || crypto_generichash(out, outlen, m, mlen, key, keylen) != 0)
		return bk_fail(BK_ERR_CRYPTO, "BLAKE2b with invalid sizes");
	return BK_OK;
}

bk_status bk_hash_init(struct bk_hash_state *s, size_t outlen, const uint8_t *key, size_t keylen)
{
	if (!sizes_ok(outlen, keylen) || crypto_generichash_init(&s->st, key, keylen, outlen) != 0)
		return bk_fail(BK_ERR_CRYPTO, "BLAKE2b with invalid sizes");
	return BK_OK;
}

void bk_hash_update(struct bk_hash_state *s, const void *m, size_t mlen)
{
	crypto_generichash_update(&s->st, m, mlen);
}

struct update_job {
	struct bk_hash_state *s;
	const void *m;
	size_t n;
};

static void *update_thread(void *arg)
{
	struct update_job *j = arg;

	crypto_generichash_update(&j->s->st, j->m, j->n);
	return NULL;
}

void bk_hash_update_both(struct bk_hash_state *a, struct bk_hash_state *b, const void *m, size_t mlen)
{
	struct update_job j = {a, m, mlen};
	pthread_t t;

	/* a thread costs tens of microseconds, a MiB of BLAKE2b about one millisecond */
	if (mlen < (64u << 10) || pthread_create(&t, NULL, update_thread, &j) != 0) {
		crypto_generichash_update(&a->st, m, mlen);
		crypto_generichash_update(&b->st, m, mlen);
		return;
	}
	crypto_generichash_update(&b->st, m, mlen);
	pthread_join(t, NULL);
}

bk_status bk_hash_final(struct bk_hash_state *s, uint8_t *out, size_t outlen)
{
	if (crypto_generichash_final(&s->st, out, outlen) != 0)
		return bk_fail(BK_ERR_CRYPTO, "BLAKE2b final failed");
	return BK_OK;
}

void bk_sha256_init(struct bk_sha256_state *s)
{
	crypto_hash_sha256_init(&s->st);
}

void bk_sha256_update(struct bk_sha256_state *s, const void *m, size_t mlen)
{
	crypto_hash_sha256_update(&s->st, m, mlen);
}

void bk_sha256_final(struct bk_sha256_state *s, uint8_t out[BK_SHA256_BYTES])
{
	crypto_hash_sha256_final(&s->st, out);
}

void bk_sha256(uint8_t out[BK_SHA256_BYTES], const void *m, size_t mlen)
{
	crypto_hash_sha256(out, m, mlen);
}

uint64_t bk_prf64(const void *m, size_t mlen, const uint8_t key[BK_PRF64_KEYBYTES])
{
	uint8_t out[crypto_shorthash_BYTES];
	uint64_t v = 0;

	crypto_shorthash(out, m, mlen, key);
	for (size_t i = 0; i < sizeof(out); i++)
		v = v << 8 | out[i];
	return v;
}

void bk_prf128(uint8_t out[BK_PRF128_BYTES], const void *m, size_t mlen, const uint8_t key[BK_PRF128_KEYBYTES])
{
	crypto_shorthash_siphashx24(out, m, mlen, key);
}
