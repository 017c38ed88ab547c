/* aead.h - XChaCha20-Poly1305-IETF with associated data.
 *
 * 192-bit random nonces are safe to pick at random for any number of messages
 * under one key. The associated data binds a ciphertext to where it belongs
 * (vault id, user, dataset/column/row), so moving it elsewhere fails to open. */
#ifndef BK_AEAD_H
#define BK_AEAD_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

#define BK_AEAD_KEYBYTES 32
#define BK_AEAD_NONCEBYTES 24
#define BK_AEAD_ABYTES 16

/* bk_aead_keygen fills key with a new random key. */
void bk_aead_keygen(uint8_t key[BK_AEAD_KEYBYTES]);

/* bk_aead_seal writes mlen + BK_AEAD_ABYTES bytes to c. c may equal m. */
bk_status bk_aead_seal(uint8_t *c, const uint8_t *m, size_t mlen, const uint8_t *ad, size_t adlen,
		       const uint8_t nonce[BK_AEAD_NONCEBYTES], const uint8_t key[BK_AEAD_KEYBYTES]) BK_MUST_CHECK;

/* XChaCha20 derives a subkey HChaCha20(key, nonce[0..16)) and runs
 * ChaCha20-Poly1305-IETF under it with the nonce 0^4 || nonce[16..24). Many
 * messages under one key whose nonces share their first 16 bytes can take the
 * subkey once: bk_aead_subkey derives it (secret, like the key: keep it in
 * guarded memory), bk_aead_seal_subkey seals with it and the nonce's last 8
 * bytes, writing byte for byte what bk_aead_seal writes for the whole nonce. */
#define BK_AEAD_PREFIXBYTES 16
#define BK_AEAD_TAILBYTES 8
void bk_aead_subkey(uint8_t subkey[BK_AEAD_KEYBYTES], const uint8_t key[BK_AEAD_KEYBYTES],
		    const uint8_t prefix[BK_AEAD_PREFIXBYTES]);
bk_status bk_aead_seal_subkey(uint8_t *c, const uint8_t *m, size_t mlen, const uint8_t *ad, size_t adlen,
			      const uint8_t tail[BK_AEAD_TAILBYTES], const uint8_t subkey[BK_AEAD_KEYBYTES]) BK_MUST_CHECK;

/* bk_aead_prefix derives a 16-byte nonce prefix from key (libsodium's
 * crypto_kdf, subkey 1 of context "bknonce1"): for a key that seals each of
 * its messages under prefix || an 8-byte counter, the nonce then follows from
 * the key and the counter and need not be stored. Not secret by itself. */
void bk_aead_prefix(uint8_t prefix[BK_AEAD_PREFIXBYTES], const uint8_t key[BK_AEAD_KEYBYTES]);

/* bk_aead_open writes clen - BK_AEAD_ABYTES bytes to m. Returns BK_ERR_AUTH
 * (and leaves m zeroed) if the ciphertext, ad, nonce or key do not match. */
bk_status bk_aead_open(uint8_t *m, const uint8_t *c, size_t clen, const uint8_t *ad, size_t adlen,
		       const uint8_t nonce[BK_AEAD_NONCEBYTES], const uint8_t key[BK_AEAD_KEYBYTES]) BK_MUST_CHECK;

#endif
