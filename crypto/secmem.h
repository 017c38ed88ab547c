/* secmem.h - guarded memory for secrets, randomness, constant-time compare.
 *
 * Secrets (keys, passphrases, decrypted personal values) live only in memory
 * from bk_secmem_alloc: sodium_malloc pages with guard pages, mlock'd where the
 * system allows, excluded from core dumps, wiped on free. */
#ifndef BK_SECMEM_H
#define BK_SECMEM_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

/* bk_crypto_init initializes libsodium; call once before anything else. */
bk_status bk_crypto_init(void) BK_MUST_CHECK;

/* bk_secmem_alloc returns n bytes of guarded memory (zeroed), or NULL. */
void *bk_secmem_alloc(size_t n);

/* bk_secmem_free wipes and releases p; NULL is accepted. */
void bk_secmem_free(void *p);

/* bk_wipe zeroes n bytes in a way the compiler cannot remove. */
void bk_wipe(void *p, size_t n);

/* bk_random fills buf with n bytes from the OS random source. */
void bk_random(void *buf, size_t n);

/* bk_random_shuffle puts a[0..n) in a uniformly random order (Fisher-Yates
 * with Lemire's unbiased bounded draws) from a ChaCha20 stream under a fresh
 * OS-random seed: one system call for the whole shuffle instead of one per
 * element. n < 2^32. BK_ERR_NOMEM. */
bk_status bk_random_shuffle(uint32_t *a, size_t n) BK_MUST_CHECK;

/* bk_ct_equal compares n bytes in constant time; returns 1 when equal. */
int bk_ct_equal(const void *a, const void *b, size_t n);

/* bk_is_zero tells in constant time whether n bytes are all zero. */
int bk_is_zero(const void *p, size_t n);

/* bk_crypto_version names the libsodium version linked in ("1.0.18"). */
const char *bk_crypto_version(void);

#endif
