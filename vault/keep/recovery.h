/* recovery.h - when every admin passphrase is lost: a recovery key that
 * opens one admin's keys, split into shares with Shamir's scheme
 * (crypto/shamir.h, libgfshare), any K of N of which set that admin a new
 * passphrase.
 *
 *   DIR/recovery   one JSON line: vault, admin, split id, K, N, created, and
 *                  the admin's box_sk || sign_sk sealed (XChaCha20-Poly1305)
 *                  under BLAKE2b-256 keyed by the recovery key, the associated
 *                  data binding vault, admin and split id
 *                  (crypto/keyring.h, bk_keyring_keys_seal)
 *   share files    printable; the code is 64 bytes in hex groups: version 1,
 *                  x, K, N, vault id (16), split id (8), y (32), and the first
 *                  4 bytes of BLAKE2b-256("brankas-share-v1" || the 60 before)
 *                  so that a typo is caught and named
 *
 * A new split replaces the file: shares of an older split open nothing. */
#ifndef BK_RECOVERY_H
#define BK_RECOVERY_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "crypto/kdf.h"
#include "crypto/shamir.h"
#include "vault/core/vault.h"

#define BK_RECOVERY_SPLITBYTES 8
#define BK_RECOVERY_SHARE_FILE_MAX 4096

struct bk_recovery_share {
	uint8_t x, k, n;
	uint8_t vault_id[16];
	uint8_t split_id[BK_RECOVERY_SPLITBYTES];
	uint8_t y[32];
};

/* bk_recovery_split (an admin, unlocked) makes a new recovery key for the
 * unlocked admin's own keys, writes its n shares (threshold k) as
 * outdir/share-I-of-N.txt (outdir made 0700, files 0600), replaces
 * DIR/recovery, and audits it ("recovery-split"); split_hex gets the split
 * id. Nothing is left behind on failure. */
bk_status bk_recovery_split(struct bk_vault *v, unsigned n, unsigned k, const char *outdir,
			    char split_hex[2 * BK_RECOVERY_SPLITBYTES + 1]) BK_MUST_CHECK;

/* bk_recovery_share_parse reads a share file's text (name for messages):
 * BK_ERR_FORMAT naming the file when the code is missing, malformed, or its
 * checksum fails (a typo). */
bk_status bk_recovery_share_parse(const char *text, size_t len, const char *name,
				  struct bk_recovery_share *share) BK_MUST_CHECK;

/* bk_recovery_combine opens the vault DIR with count shares (names for
 * messages): each must be of this vault and its current split, K distinct
 * ones are needed; then it audits the recovery ("recovery-combine") and
 * sets the admin's new passphrase (admin_p gets the name). Fewer than K
 * shares, or shares that do not open the recovery slot, fail (BK_ERR_AUTH),
 * changing nothing. */
bk_status bk_recovery_combine(const char *dir, const struct bk_recovery_share *shares, const char *const *names,
			      size_t count, const char *pass, size_t passlen, enum bk_kdf_level kdf,
			      char admin_p[BK_NAME_MAX + 1]) BK_MUST_CHECK;

#endif
