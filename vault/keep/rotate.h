/* rotate.h - key rotation. `key rotate --db`: a new SQLCipher key for
 * vault.db, in steps that a kill at any instant leaves resumable:
 *
 *   1. db:vN+1 is made and granted to every holder of the database key, in
 *      a signed keyring change pinned in vault.db ("key-rotate", "db:vN+1
 *      made"); from here an unlock opens vault.db under either version;
 *   2. vault.db is copied under the new key to vault.db.rotating (one
 *      transaction) and renamed over vault.db while a write lock keeps every
 *      other writer out (a commit in between: copied again);
 *   3. the grants of the old version are dropped ("key-rotate", "db:vN
 *      retired"), through a new unlock under the new key.
 *
 * Running it again after a kill continues from the step it reached.
 *
 * `key rotate --signing` (the release key, which signs extracts, checkpoints
 * and backups) and `--audit` (the key of the audit log's keyed hashes) need
 * no file copied: the next version is made and granted to the same holders
 * and the older versions' grants dropped, in one signed keyring change; a
 * new vault.pub follows it (written again by any unlock that finds the old).
 *
 * `key rotate --region KEC` / `--all-regions`: a kecamatan's key pair (which
 * seals its batches' data keys and its inbox), its store key (kec/KEC.db) and
 * its blind key (the NIK index), the same three steps:
 *
 *   1. the next version of all three, granted as their kind says, in one
 *      signed keyring change; from here writers seal to the new pair, an
 *      unlock attaches the store under either store key, and a writer that
 *      unlocked before commits nothing it sealed (bk_vault_mark_sealed);
 *   2. every data key and inbox entry sealed to the old pair is sealed again
 *      to the new (one audited transaction), the store's rows are indexed
 *      under the new blind key (the records room's indexer, handed in), and
 *      the store is copied under the new store key and renamed into place;
 *   3. a new unlock checks all three and drops the older versions' grants.
 *
 * The values stay under their data keys (someone who kept the old key pair
 * and an old copy of vault.db still opens those) unless --reencrypt leaves
 * the markers for the records room's reseal (vault/records/reseal.h). */
#ifndef BK_ROTATE_H
#define BK_ROTATE_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "vault/core/vault.h"

struct bk_rotate_result {
	char old_id[BK_KEY_ID_MAX], new_id[BK_KEY_ID_MAX];
	int resumed; /* a rotation a kill had stopped was finished */
	size_t regions;      /* --region, --all-regions: kecamatan rotated */
	uint64_t rewrapped;  /* data keys and inbox entries sealed again */
	uint64_t reindexed;  /* rows whose NIK index was made under the new blind key */
};

struct bk_rotate_region_opts {
	/* the NIK indexer (records' bk_vault_subject_index), which keep/ may not call */
	bk_status (*reindex)(struct bk_vault *v, uint64_t *rows_p);
	/* called before each kecamatan's step 2 (kecamatan, done of total) and
	 * once at its end (NULL, total, total) */
	void (*progress)(void *ctx, const char *kecamatan, size_t done, size_t total);
	void *ctx;
	/* --reencrypt: leave each kecamatan's marker "reseal:<code>" (the key
	 * pair its values go to) for the records room's bk_vault_reseal, before
	 * step 1; a kecamatan whose marker names its current pair is not rotated
	 * again (a rerun after a kill finishes its re-sealing instead) */
	int reencrypt;
	/* when set, the unlock of step 3 (under the new keys) is handed back
	 * here instead of closed: the caller closes it */
	struct bk_vault **again_p;
};

/* bk_rotate_db rotates the database key of the vault v is open on (an admin,
 * who holds the keyring key). v stays open on the old file: close it. */
bk_status bk_rotate_db(struct bk_vault *v, struct bk_rotate_result *res) BK_MUST_CHECK;

/* bk_rotate_grants rotates the release key (BK_KEY_RELEASE) or the audit key
 * (BK_KEY_AUDIT) of the vault v is open on (an admin). */
bk_status bk_rotate_grants(struct bk_vault *v, enum bk_key_kind kind, struct bk_rotate_result *res) BK_MUST_CHECK;

/* bk_rotate_regions rotates the keys of the n kecamatan named (codes or
 * names; n = 0, kecamatan NULL: every kecamatan of the vault) of the vault
 * v is open on (an admin). v stays open on the old files: close it. */
bk_status bk_rotate_regions(struct bk_vault *v, const char *const *kecamatan, size_t n,
			    const struct bk_rotate_region_opts *o, struct bk_rotate_result *res) BK_MUST_CHECK;

#endif
