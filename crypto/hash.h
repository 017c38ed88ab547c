/* hash.h - BLAKE2b, plain and keyed (crypto_generichash).
 *
 * Keyed BLAKE2b is the MAC for the audit key's keyed hashes and the blind
 * index; plain BLAKE2b-256 links the audit hash chain. SHA-256 names files
 * outside the vault, where sha256sum is the tool at hand. */
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

/* bk_hash_update_both feeds m into a and into b: a large m on two cores (a
 * in a thread of its own while b is fed here), so that bytes every backup
 * hashes twice (the file's own hash, and the whole backup's that minisign
 * signs) cost about one BLAKE2b pass; one after the other when m is small or
 * no thread can be had. */
void bk_hash_update_both(struct bk_hash_state *a, struct bk_hash_state *b, const void *m, size_t mlen);

/* bk_prf64 is SipHash-2-4 (crypto_shorthash), a fast keyed PRF with a 16-byte
 * key: per-extract pseudonyms, where one call per row must stay cheap. */
#define BK_PRF64_KEYBYTES 16
uint64_t bk_prf64(const void *m, size_t mlen, const uint8_t key[BK_PRF64_KEYBYTES]);

/* bk_prf128 is SipHash-2-4 with a 128-bit output (crypto_shorthash_siphashx24):
 * tags that tell equal inputs apart in memory under a key that never leaves
 * the process (duplicate NIKs inside one import), at a tenth of BLAKE2b's cost. */
#define BK_PRF128_KEYBYTES 16
#define BK_PRF128_BYTES 16
void bk_prf128(uint8_t out[BK_PRF128_BYTES], const void *m, size_t mlen, const uint8_t key[BK_PRF128_KEYBYTES]);

/* SHA-256, for hashes people check with sha256sum (extract manifests). */
#define BK_SHA256_BYTES 32
struct bk_sha256_state {
	crypto_hash_sha256_state st;
};
void bk_sha256_init(struct bk_sha256_state *s);
void bk_sha256_update(struct bk_sha256_state *s, const void *m, size_t mlen);
void bk_sha256_final(struct bk_sha256_state *s, uint8_t out[BK_SHA256_BYTES]);
void bk_sha256(uint8_t out[BK_SHA256_BYTES], const void *m, size_t mlen);

#endif
