/* hash.c - BLAKE2b, plain and keyed (libsodium crypto_generichash). */
#include "crypto/hash.h"

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

bk_status bk_hash_final(struct bk_hash_state *s, uint8_t *out, size_t outlen)
{
	if (crypto_generichash_final(&s->st, out, outlen) != 0)
		return bk_fail(BK_ERR_CRYPTO, "BLAKE2b final failed");
	return BK_OK;
}
