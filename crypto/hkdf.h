/* hkdf.h - HKDF-SHA-256 (RFC 5869) through OpenSSL's EVP_KDF.
 *
 * libsodium 1.0.18 has no HKDF; age's key schedule needs it. */
#ifndef BK_HKDF_H
#define BK_HKDF_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

#define BK_HKDF_PRKBYTES 32

/* bk_hkdf_sha256 = Expand(Extract(salt, ikm), info, outlen). salt may be NULL
 * (saltlen 0) meaning a string of zeros; outlen at most 255 * 32. */
bk_status bk_hkdf_sha256(uint8_t *out, size_t outlen, const uint8_t *ikm, size_t ikmlen, const uint8_t *salt,
			 size_t saltlen, const uint8_t *info, size_t infolen) BK_MUST_CHECK;

/* The two halves, for the RFC's PRK vectors. */
bk_status bk_hkdf_sha256_extract(uint8_t prk[BK_HKDF_PRKBYTES], const uint8_t *ikm, size_t ikmlen,
				 const uint8_t *salt, size_t saltlen) BK_MUST_CHECK;
bk_status bk_hkdf_sha256_expand(uint8_t *out, size_t outlen, const uint8_t *prk, size_t prklen,
				const uint8_t *info, size_t infolen) BK_MUST_CHECK;

#endif
