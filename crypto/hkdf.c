/* hkdf.c - HKDF-SHA-256 (RFC 5869) through OpenSSL 3's EVP_KDF "HKDF", for
 * age's key schedule (libsodium 1.0.18 has no HKDF). */
#include "crypto/hkdf.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#define HKDF_OUT_MAX (255 * BK_HKDF_PRKBYTES)

/* RFC 5869 §2.2: a salt that is not provided is HashLen zero bytes. HMAC pads
 * an empty key with zeros anyway, but passing them says what the RFC says
 * instead of leaning on that and on how OpenSSL treats a missing salt. */
static const uint8_t zero_salt[BK_HKDF_PRKBYTES];

/* hkdf_run runs one OpenSSL HKDF mode. key is the IKM, or the PRK in
 * EXPAND_ONLY; salt is used by the extract step, info by the expand step. */
static bk_status hkdf_run(int mode, uint8_t *out, size_t outlen, const uint8_t *key, size_t keylen,
			  const uint8_t *salt, size_t saltlen, const uint8_t *info, size_t infolen)
{
	static const uint8_t empty[1];
	bk_status rc = BK_OK;
	EVP_KDF *kdf = NULL;
	EVP_KDF_CTX *ctx = NULL;
	OSSL_PARAM params[6], *p = params;

	kdf = EVP_KDF_fetch(NULL, OSSL_KDF_NAME_HKDF, NULL);
	if (!kdf || !(ctx = EVP_KDF_CTX_new(kdf))) {
		rc = bk_fail(BK_ERR_CRYPTO, "OpenSSL has no HKDF");
		goto out;
	}
	if (!salt || saltlen == 0) {
		salt = zero_salt;
		saltlen = sizeof(zero_salt);
	}
	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0);
	*p++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
	/* OpenSSL wants a non-NULL pointer even for an empty IKM, which RFC 5869 allows */
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)(keylen ? key : empty), keylen);
	if (mode != EVP_KDF_HKDF_MODE_EXPAND_ONLY)
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, saltlen);
	if (mode != EVP_KDF_HKDF_MODE_EXTRACT_ONLY && infolen > 0)
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, infolen);
	*p = OSSL_PARAM_construct_end();
	if (EVP_KDF_derive(ctx, out, outlen, params) <= 0) {
		/* e.g. OpenSSL 3.0 refuses an info longer than 32 KiB */
		rc = bk_fail(BK_ERR_CRYPTO, "HKDF-SHA-256 failed");
		goto out;
	}
out:
	if (rc != BK_OK) {
		OPENSSL_cleanse(out, outlen);
		ERR_clear_error(); /* the detail went through bk_fail; leave no stale queue */
	}
	EVP_KDF_CTX_free(ctx); /* cleanses the key material it copied */
	EVP_KDF_free(kdf);
	return rc;
}

bk_status bk_hkdf_sha256(uint8_t *out, size_t outlen, const uint8_t *ikm, size_t ikmlen, const uint8_t *salt,
			 size_t saltlen, const uint8_t *info, size_t infolen)
{
	if (outlen == 0 || outlen > HKDF_OUT_MAX || (!ikm && ikmlen) || (!salt && saltlen) || (!info && infolen))
		return bk_fail(BK_ERR_CRYPTO, "HKDF with invalid sizes");
	return hkdf_run(EVP_KDF_HKDF_MODE_EXTRACT_AND_EXPAND, out, outlen, ikm, ikmlen, salt, saltlen, info, infolen);
}

bk_status bk_hkdf_sha256_extract(uint8_t prk[BK_HKDF_PRKBYTES], const uint8_t *ikm, size_t ikmlen,
				 const uint8_t *salt, size_t saltlen)
{
	if ((!ikm && ikmlen) || (!salt && saltlen))
		return bk_fail(BK_ERR_CRYPTO, "HKDF with invalid sizes");
	return hkdf_run(EVP_KDF_HKDF_MODE_EXTRACT_ONLY, prk, BK_HKDF_PRKBYTES, ikm, ikmlen, salt, saltlen, NULL, 0);
}

bk_status bk_hkdf_sha256_expand(uint8_t *out, size_t outlen, const uint8_t *prk, size_t prklen,
				const uint8_t *info, size_t infolen)
{
	/* RFC 5869 §2.3: the PRK is at least HashLen bytes */
	if (outlen == 0 || outlen > HKDF_OUT_MAX || !prk || prklen < BK_HKDF_PRKBYTES || (!info && infolen))
		return bk_fail(BK_ERR_CRYPTO, "HKDF with invalid sizes");
	return hkdf_run(EVP_KDF_HKDF_MODE_EXPAND_ONLY, out, outlen, prk, prklen, NULL, 0, info, infolen);
}
