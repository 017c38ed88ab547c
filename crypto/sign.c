/* sign.c - Ed25519 detached signatures (libsodium). */
#include "crypto/sign.h"

#include <sodium.h>

bk_status bk_sign_keypair(uint8_t pk[BK_SIGN_PUBLICKEYBYTES], uint8_t sk[BK_SIGN_SECRETKEYBYTES])
{
	if (crypto_sign_ed25519_keypair(pk, sk) != 0)
		return bk_fail(BK_ERR_CRYPTO, "cannot make an Ed25519 key pair");
	return BK_OK;
}

bk_status bk_sign_seed_keypair(uint8_t pk[BK_SIGN_PUBLICKEYBYTES], uint8_t sk[BK_SIGN_SECRETKEYBYTES],
			       const uint8_t seed[BK_SIGN_SEEDBYTES])
{
	if (crypto_sign_ed25519_seed_keypair(pk, sk, seed) != 0)
		return bk_fail(BK_ERR_CRYPTO, "cannot derive an Ed25519 key pair");
	return BK_OK;
}

bk_status bk_sign_pk_to_box_pk(uint8_t x_pk[32], const uint8_t pk[BK_SIGN_PUBLICKEYBYTES])
{
	if (crypto_sign_ed25519_pk_to_curve25519(x_pk, pk) != 0)
		return bk_fail(BK_ERR_CRYPTO, "not a valid Ed25519 public key");
	return BK_OK;
}

void bk_sign_public_from_secret(uint8_t pk[BK_SIGN_PUBLICKEYBYTES], const uint8_t sk[BK_SIGN_SECRETKEYBYTES])
{
	crypto_sign_ed25519_sk_to_pk(pk, sk);
}

bk_status bk_sign_detached(uint8_t sig[BK_SIGN_BYTES], const uint8_t *m, size_t mlen,
			   const uint8_t sk[BK_SIGN_SECRETKEYBYTES])
{
	if (crypto_sign_ed25519_detached(sig, NULL, m, mlen, sk) != 0)
		return bk_fail(BK_ERR_CRYPTO, "signing failed");
	return BK_OK;
}

bk_status bk_sign_verify(const uint8_t sig[BK_SIGN_BYTES], const uint8_t *m, size_t mlen,
			 const uint8_t pk[BK_SIGN_PUBLICKEYBYTES])
{
	if (crypto_sign_ed25519_verify_detached(sig, m, mlen, pk) != 0)
		return bk_fail(BK_ERR_AUTH, "signature does not verify");
	return BK_OK;
}
