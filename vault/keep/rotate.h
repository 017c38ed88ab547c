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
 * new vault.pub follows it (written again by any unlock that finds the old). */
#ifndef BK_ROTATE_H
#define BK_ROTATE_H

#include "base/error.h"
#include "vault/core/vault.h"

struct bk_rotate_result {
	char old_id[BK_KEY_ID_MAX], new_id[BK_KEY_ID_MAX];
	int resumed; /* a rotation a kill had stopped was finished */
};

/* bk_rotate_db rotates the database key of the vault v is open on (an admin,
 * who holds the keyring key). v stays open on the old file: close it. */
bk_status bk_rotate_db(struct bk_vault *v, struct bk_rotate_result *res) BK_MUST_CHECK;

/* bk_rotate_grants rotates the release key (BK_KEY_RELEASE) or the audit key
 * (BK_KEY_AUDIT) of the vault v is open on (an admin). */
bk_status bk_rotate_grants(struct bk_vault *v, enum bk_key_kind kind, struct bk_rotate_result *res) BK_MUST_CHECK;

#endif
