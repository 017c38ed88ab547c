/* secmem.c - guarded memory, randomness and constant-time compare (libsodium). */
#include "crypto/secmem.h"

#include <sodium.h>

bk_status bk_crypto_init(void)
{
	if (sodium_init() < 0)
		return bk_fail(BK_ERR_CRYPTO, "cannot initialize libsodium");
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

int bk_ct_equal(const void *a, const void *b, size_t n)
{
	return sodium_memcmp(a, b, n) == 0;
}
