/* kdf.c - Argon2id passphrase key derivation (libsodium crypto_pwhash with
 * argon2id13), the named cost levels and the bounds on costs read from disk. */
#include "crypto/kdf.h"

#include <errno.h>
#include <sodium.h>
#include <stdint.h>
#include <string.h>

/* Beyond these a key slot is forged or broken: no preset comes near them, and
 * honouring them would let a file make us spin for hours or allocate 1 TiB. */
#define KDF_OPSLIMIT_MAX 16ULL
#define KDF_MEMLIMIT_MIN ((size_t)8 * 1024)
#define KDF_MEMLIMIT_MAX ((size_t)(SIZE_MAX < (4ULL << 30) ? SIZE_MAX : (4ULL << 30)))

_Static_assert(KDF_MEMLIMIT_MIN >= crypto_pwhash_argon2id_MEMLIMIT_MIN, "8 KiB is below libsodium's minimum");

bk_status bk_kdf_level_parse(const char *name, enum bk_kdf_level *level_p)
{
	bk_status rc = BK_OK;

	*level_p = BK_KDF_MODERATE;
	if (name && strcmp(name, "interactive") == 0) {
		*level_p = BK_KDF_INTERACTIVE;
	} else if (name && strcmp(name, "moderate") == 0) {
		*level_p = BK_KDF_MODERATE;
	} else if (name && strcmp(name, "sensitive") == 0) {
		*level_p = BK_KDF_SENSITIVE;
	} else {
		rc = bk_fail(BK_ERR_USAGE, "unknown kdf level '%s'", name ? name : "");
		bk_hint("use one of interactive, moderate, sensitive");
	}
	return rc;
}

void bk_kdf_params_for_level(enum bk_kdf_level level, struct bk_kdf_params *params_p)
{
	switch (level) {
	case BK_KDF_INTERACTIVE:
		params_p->opslimit = crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE;
		params_p->memlimit = crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE;
		return;
	case BK_KDF_MODERATE:
		params_p->opslimit = crypto_pwhash_argon2id_OPSLIMIT_MODERATE;
		params_p->memlimit = crypto_pwhash_argon2id_MEMLIMIT_MODERATE;
		return;
	case BK_KDF_SENSITIVE:
		break;
	}
	/* an out-of-range level errs on the side of the strongest preset */
	params_p->opslimit = crypto_pwhash_argon2id_OPSLIMIT_SENSITIVE;
	params_p->memlimit = crypto_pwhash_argon2id_MEMLIMIT_SENSITIVE;
}

bk_status bk_kdf_params_check(const struct bk_kdf_params *params)
{
	if (params->opslimit < crypto_pwhash_argon2id_OPSLIMIT_MIN || params->opslimit > KDF_OPSLIMIT_MAX)
		return bk_fail(BK_ERR_FORMAT, "kdf opslimit %llu out of range [%llu, %llu]", params->opslimit,
			       (unsigned long long)crypto_pwhash_argon2id_OPSLIMIT_MIN, KDF_OPSLIMIT_MAX);
	if (params->memlimit < KDF_MEMLIMIT_MIN || params->memlimit > KDF_MEMLIMIT_MAX)
		return bk_fail(BK_ERR_FORMAT, "kdf memlimit %zu out of range [%zu, %zu]", params->memlimit,
			       KDF_MEMLIMIT_MIN, KDF_MEMLIMIT_MAX);
	return BK_OK;
}

bk_status bk_kdf_derive(uint8_t *key, size_t keylen, const char *pass, size_t passlen,
			const uint8_t salt[BK_KDF_SALTBYTES], const struct bk_kdf_params *params)
{
	bk_status rc;

	if (keylen < 16 || keylen > 64)
		return bk_fail(BK_ERR_CRYPTO, "kdf output length %zu out of range [16, 64]", keylen);
	/* the same bounds as for parameters read from disk: derive is where they
	 * would do harm, whoever forgot to check them */
	rc = bk_kdf_params_check(params);
	if (rc != BK_OK)
		goto out;
	if ((!pass && passlen > 0) || passlen > crypto_pwhash_argon2id_PASSWD_MAX) {
		rc = bk_fail(BK_ERR_USAGE, "invalid passphrase length");
		goto out;
	}
	errno = 0;
	if (crypto_pwhash(key, keylen, pass ? pass : "", passlen, salt, params->opslimit, params->memlimit,
			  crypto_pwhash_ALG_ARGON2ID13) != 0) {
		rc = errno == ENOMEM ? bk_fail(BK_ERR_NOMEM, "not enough memory for the kdf (%zu bytes)", params->memlimit)
				     : bk_fail(BK_ERR_CRYPTO, "argon2id key derivation failed");
		goto out;
	}
	rc = BK_OK;
out:
	if (rc != BK_OK)
		sodium_memzero(key, keylen);
	return rc;
}
