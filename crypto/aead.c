/* aead.c - XChaCha20-Poly1305-IETF (libsodium). */
#include "crypto/aead.h"

#include <sodium.h>
#include <string.h>

void bk_aead_keygen(uint8_t key[BK_AEAD_KEYBYTES])
{
	crypto_aead_xchacha20poly1305_ietf_keygen(key);
}

bk_status bk_aead_seal(uint8_t *c, const uint8_t *m, size_t mlen, const uint8_t *ad, size_t adlen,
		       const uint8_t nonce[BK_AEAD_NONCEBYTES], const uint8_t key[BK_AEAD_KEYBYTES])
{
	if (mlen > crypto_aead_xchacha20poly1305_ietf_MESSAGEBYTES_MAX)
		return bk_fail(BK_ERR_CRYPTO, "message too long to encrypt");
	if (crypto_aead_xchacha20poly1305_ietf_encrypt(c, NULL, m, mlen, ad, adlen, NULL, nonce, key) != 0)
		return bk_fail(BK_ERR_CRYPTO, "encryption failed");
	return BK_OK;
}

_Static_assert(BK_AEAD_PREFIXBYTES == crypto_core_hchacha20_INPUTBYTES &&
		       BK_AEAD_PREFIXBYTES + BK_AEAD_TAILBYTES == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
	       "an XChaCha20 nonce is the HChaCha20 input and the IETF nonce's last 8 bytes");

_Static_assert(BK_AEAD_PREFIXBYTES >= crypto_kdf_BYTES_MIN && BK_AEAD_KEYBYTES == crypto_kdf_KEYBYTES,
	       "a nonce prefix is a crypto_kdf subkey of the AEAD key");

void bk_aead_prefix(uint8_t prefix[BK_AEAD_PREFIXBYTES], const uint8_t key[BK_AEAD_KEYBYTES])
{
	(void)crypto_kdf_derive_from_key(prefix, BK_AEAD_PREFIXBYTES, 1, "bknonce1", key);
}

void bk_aead_subkey(uint8_t subkey[BK_AEAD_KEYBYTES], const uint8_t key[BK_AEAD_KEYBYTES],
		    const uint8_t prefix[BK_AEAD_PREFIXBYTES])
{
	crypto_core_hchacha20(subkey, prefix, key, NULL);
}

bk_status bk_aead_seal_subkey(uint8_t *c, const uint8_t *m, size_t mlen, const uint8_t *ad, size_t adlen,
			      const uint8_t tail[BK_AEAD_TAILBYTES], const uint8_t subkey[BK_AEAD_KEYBYTES])
{
	uint8_t nonce[crypto_aead_chacha20poly1305_ietf_NPUBBYTES] = {0};

	if (mlen > crypto_aead_xchacha20poly1305_ietf_MESSAGEBYTES_MAX)
		return bk_fail(BK_ERR_CRYPTO, "message too long to encrypt");
	memcpy(nonce + 4, tail, BK_AEAD_TAILBYTES);
	if (crypto_aead_chacha20poly1305_ietf_encrypt(c, NULL, m, mlen, ad, adlen, NULL, nonce, subkey) != 0)
		return bk_fail(BK_ERR_CRYPTO, "encryption failed");
	return BK_OK;
}

bk_status bk_aead_open(uint8_t *m, const uint8_t *c, size_t clen, const uint8_t *ad, size_t adlen,
		       const uint8_t nonce[BK_AEAD_NONCEBYTES], const uint8_t key[BK_AEAD_KEYBYTES])
{
	if (clen < BK_AEAD_ABYTES)
		return bk_fail(BK_ERR_AUTH, "ciphertext too short");
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(m, NULL, NULL, c, clen, ad, adlen, nonce, key) != 0) {
		sodium_memzero(m, clen - BK_AEAD_ABYTES);
		return bk_fail(BK_ERR_AUTH, "decryption failed");
	}
	return BK_OK;
}
