/* box.h - X25519 key pairs and anonymous sealed boxes (crypto_box_seal).
 *
 * A grant is a vault key sealed to one user's X25519 public key: anyone can
 * seal, only the holder of the secret key can open. Sealed boxes do not
 * authenticate the sender; the keyring signature does that. */
#ifndef BK_BOX_H
#define BK_BOX_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

#define BK_BOX_PUBLICKEYBYTES 32
#define BK_BOX_SECRETKEYBYTES 32
#define BK_SEAL_OVERHEAD 48

/* bk_box_keypair makes a new key pair; sk is secret. */
bk_status bk_box_keypair(uint8_t pk[BK_BOX_PUBLICKEYBYTES], uint8_t sk[BK_BOX_SECRETKEYBYTES]) BK_MUST_CHECK;

/* bk_box_public_from_secret recomputes pk from sk (X25519 base point). */
bk_status bk_box_public_from_secret(uint8_t pk[BK_BOX_PUBLICKEYBYTES],
				    const uint8_t sk[BK_BOX_SECRETKEYBYTES]) BK_MUST_CHECK;

/* bk_seal writes mlen + BK_SEAL_OVERHEAD bytes to c. */
bk_status bk_seal(uint8_t *c, const uint8_t *m, size_t mlen, const uint8_t pk[BK_BOX_PUBLICKEYBYTES]) BK_MUST_CHECK;

/* bk_seal_open writes clen - BK_SEAL_OVERHEAD bytes to m (secret). BK_ERR_AUTH
 * when the box was not sealed to this key pair or was altered. */
bk_status bk_seal_open(uint8_t *m, const uint8_t *c, size_t clen, const uint8_t pk[BK_BOX_PUBLICKEYBYTES],
		       const uint8_t sk[BK_BOX_SECRETKEYBYTES]) BK_MUST_CHECK;

/* bk_x25519 computes the shared point of sk and pk into out; BK_ERR_CRYPTO for
 * a low-order pk (all-zero output). */
bk_status bk_x25519(uint8_t out[32], const uint8_t sk[32], const uint8_t pk[32]) BK_MUST_CHECK;

#endif
