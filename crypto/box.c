/* box.c - X25519 key pairs and sealed boxes (libsodium crypto_box_seal). */
#include "crypto/box.h"

#include <sodium.h>

bk_status bk_box_keypair(uint8_t pk[BK_BOX_PUBLICKEYBYTES], uint8_t sk[BK_BOX_SECRETKEYBYTES])
{
	if (crypto_box_keypair(pk, sk) != 0)
		return bk_fail(BK_ERR_CRYPTO, "cannot make an X25519 key pair");
	return BK_OK;
}

bk_status bk_box_public_from_secret(uint8_t pk[BK_BOX_PUBLICKEYBYTES], const uint8_t sk[BK_BOX_SECRETKEYBYTES])
{
	if (crypto_scalarmult_base(pk, sk) != 0)
		return bk_fail(BK_ERR_CRYPTO, "invalid X25519 secret key");
	return BK_OK;
}

bk_status bk_seal(uint8_t *c, const uint8_t *m, size_t mlen, const uint8_t pk[BK_BOX_PUBLICKEYBYTES])
{
	if (crypto_box_seal(c, m, mlen, pk) != 0)
		return bk_fail(BK_ERR_CRYPTO, "cannot seal to the public key");
	return BK_OK;
}

bk_status bk_seal_open(uint8_t *m, const uint8_t *c, size_t clen, const uint8_t pk[BK_BOX_PUBLICKEYBYTES],
		       const uint8_t sk[BK_BOX_SECRETKEYBYTES])
{
	if (clen < BK_SEAL_OVERHEAD)
		return bk_fail(BK_ERR_AUTH, "sealed box too short");
	if (crypto_box_seal_open(m, c, clen, pk, sk) != 0) {
		sodium_memzero(m, clen - BK_SEAL_OVERHEAD);
		return bk_fail(BK_ERR_AUTH, "sealed box does not open");
	}
	return BK_OK;
}

bk_status bk_x25519(uint8_t out[32], const uint8_t sk[32], const uint8_t pk[32])
{
	if (crypto_scalarmult(out, sk, pk) != 0)
		return bk_fail(BK_ERR_CRYPTO, "X25519 with a low-order point");
	return BK_OK;
}
