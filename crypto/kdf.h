/* kdf.h - Argon2id passphrase key derivation (crypto_pwhash, argon2id13).
 *
 * Parameters are stored beside the salt in each key slot, so a vault made with
 * `--kdf sensitive` keeps its cost when opened by a build with other defaults. */
#ifndef BK_KDF_H
#define BK_KDF_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

#define BK_KDF_SALTBYTES 16
#define BK_KDF_ALG_NAME "argon2id13"

enum bk_kdf_level { BK_KDF_INTERACTIVE, BK_KDF_MODERATE, BK_KDF_SENSITIVE };

struct bk_kdf_params {
	unsigned long long opslimit;
	size_t memlimit; /* bytes */
};

/* bk_kdf_level_parse maps "interactive", "moderate", "sensitive". */
bk_status bk_kdf_level_parse(const char *name, enum bk_kdf_level *level_p) BK_MUST_CHECK;

/* bk_kdf_params_for_level gives libsodium's preset for the level. */
void bk_kdf_params_for_level(enum bk_kdf_level level, struct bk_kdf_params *params_p);

/* bk_kdf_params_check refuses parameters read from disk that are below
 * libsodium's minimum or absurdly large (a forged slot must not make us
 * allocate 1 TiB): opslimit in [OPSLIMIT_MIN, 16], memlimit in [8 KiB, 4 GiB]. */
bk_status bk_kdf_params_check(const struct bk_kdf_params *params) BK_MUST_CHECK;

/* bk_kdf_derive derives keylen (16..64) bytes into key (secret; caller's
 * guarded memory) from the passphrase and salt. BK_ERR_NOMEM when the memory
 * limit cannot be met. */
bk_status bk_kdf_derive(uint8_t *key, size_t keylen, const char *pass, size_t passlen,
			const uint8_t salt[BK_KDF_SALTBYTES], const struct bk_kdf_params *params) BK_MUST_CHECK;

#endif
