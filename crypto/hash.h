/* hash.h - BLAKE2b, plain and keyed (crypto_generichash).
 *
 * Keyed BLAKE2b is the MAC for the audit key's keyed hashes and the blind
 * index; plain BLAKE2b-256 links the audit hash chain. */
#ifndef BK_HASH_H
#define BK_HASH_H

#include <sodium.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

#define BK_HASH_BYTES 32
#define BK_MAC_KEYBYTES 32

struct bk_hash_state {
	crypto_generichash_state st;
};

/* bk_hash writes outlen (16..64) bytes of BLAKE2b of m; key may be NULL
 * (keylen 0) for the unkeyed hash, or 16..64 bytes for the keyed one. */
bk_status bk_hash(uint8_t *out, size_t outlen, const void *m, size_t mlen, const uint8_t *key,
		  size_t keylen) BK_MUST_CHECK;

/* Streaming form of bk_hash. */
bk_status bk_hash_init(struct bk_hash_state *s, size_t outlen, const uint8_t *key, size_t keylen) BK_MUST_CHECK;
void bk_hash_update(struct bk_hash_state *s, const void *m, size_t mlen);
bk_status bk_hash_final(struct bk_hash_state *s, uint8_t *out, size_t outlen) BK_MUST_CHECK;

#endif
