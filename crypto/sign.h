/* sign.h - Ed25519 signatures (crypto_sign_ed25519, detached). */
#ifndef BK_SIGN_H
#define BK_SIGN_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

#define BK_SIGN_PUBLICKEYBYTES 32
#define BK_SIGN_SECRETKEYBYTES 64
#define BK_SIGN_SEEDBYTES 32
#define BK_SIGN_BYTES 64

/* bk_sign_keypair makes a new key pair; sk (seed || pk) is secret. */
bk_status bk_sign_keypair(uint8_t pk[BK_SIGN_PUBLICKEYBYTES], uint8_t sk[BK_SIGN_SECRETKEYBYTES]) BK_MUST_CHECK;

/* bk_sign_seed_keypair derives the key pair from a 32-byte seed (RFC 8032). */
bk_status bk_sign_seed_keypair(uint8_t pk[BK_SIGN_PUBLICKEYBYTES], uint8_t sk[BK_SIGN_SECRETKEYBYTES],
			       const uint8_t seed[BK_SIGN_SEEDBYTES]) BK_MUST_CHECK;

/* bk_sign_pk_to_box_pk converts an Ed25519 public key to the X25519 key of
 * the same secret (as age and libsodium do); BK_ERR_CRYPTO for a point that
 * is not a valid key. */
bk_status bk_sign_pk_to_box_pk(uint8_t x_pk[32], const uint8_t pk[BK_SIGN_PUBLICKEYBYTES]) BK_MUST_CHECK;

/* bk_sign_public_from_secret extracts pk from sk. */
void bk_sign_public_from_secret(uint8_t pk[BK_SIGN_PUBLICKEYBYTES], const uint8_t sk[BK_SIGN_SECRETKEYBYTES]);

/* bk_sign_detached writes a 64-byte signature of m. */
bk_status bk_sign_detached(uint8_t sig[BK_SIGN_BYTES], const uint8_t *m, size_t mlen,
			   const uint8_t sk[BK_SIGN_SECRETKEYBYTES]) BK_MUST_CHECK;

/* bk_sign_verify returns BK_OK or BK_ERR_AUTH. */
bk_status bk_sign_verify(const uint8_t sig[BK_SIGN_BYTES], const uint8_t *m, size_t mlen,
			 const uint8_t pk[BK_SIGN_PUBLICKEYBYTES]) BK_MUST_CHECK;

#endif
