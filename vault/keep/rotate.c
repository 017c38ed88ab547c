/* rotate.c - rotating the database key (rotate.h gives the steps). */
#include "vault/keep/rotate.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/fileio.h"
#include "crypto/secmem.h"
#include "vault/core/db.h"
#include "vault/core/vault_internal.h"

#define COPY_ATTEMPTS 3

/* Whether any grant of key id is left in the keyring. */
static int granted(const struct bk_keyring *kr, const char *id)
{
	for (size_t i = 0; i < kr->ngrants; i++)
		if (strcmp(kr->grants[i].key_id, id) == 0)
			return 1;
	return 0;
}

/* The newest database key, or (below set) the newest one older than below
 * that is still granted: the one a stopped rotation is leaving. */
static const struct bk_keyring_key *db_key(const struct bk_keyring *kr, const struct bk_keyring_key *below)
{
	const struct bk_keyring_key *best = NULL;

	for (size_t i = 0; i < kr->nkeys; i++) {
		const struct bk_keyring_key *k = &kr->keys[i];

		if (k->kind != BK_KEY_DB || (below && (k->version >= below->version || !granted(kr, k->id))))
			continue;
		if (!best || k->version > best->version)
			best = k;
	}
	return best;
}

static bk_status keyring_step(struct bk_vault *v, const char *target, const char *detail)
{
	struct bk_audit_entry e;

	bk_audit_entry_init(&e);
	e.action = "key-rotate";
	e.target = target;
	e.detail = detail;
	return bk_vault_change_keyring(v, &e);
}

/* Only an admin, who holds the keyring key, rotates. */
static bk_status may_rotate(struct bk_vault *v)
{
	bk_status rc;

	if ((rc = bk_vault_require(v, BK_ACT_KEY_ADMIN, NULL, BK_COL_NONE, NULL)))
		return rc;
	if (!bk_vault_secret(v, BK_KEY_KEYRING, NULL))
		return bk_fail(BK_ERR_DENIED, "only holders of the keyring key rotate keys");
	return BK_OK;
}

/* Step 2: vault.db copied under newk, renamed over it with no commit between. */
static bk_status switch_file(struct bk_vault *v, const struct vault_key *oldk, const struct vault_key *newk)
{
	char tmp[PATH_MAX];
	bk_status rc = BK_OK;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.rotating", v->db_path) >= sizeof(tmp))
		return bk_fail(BK_ERR_USAGE, "path too long");
	for (int attempt = 0; attempt < COPY_ATTEMPTS; attempt++) {
		long long before = 0, after = 0;
		sqlite3_stmt *st = NULL;

		/* data_version moves when another connection commits to vault.db */
		if (sqlite3_prepare_v2(v->db, "PRAGMA main.data_version", -1, &st, NULL) != SQLITE_OK)
			return bk_db_status(v->db, sqlite3_errcode(v->db), "reading vault.db's version");
		if (sqlite3_step(st) == SQLITE_ROW)
			before = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		if ((rc = bk_db_copy_under(v->db_path, oldk->secret, tmp, newk->secret))) {
			sqlite3_finalize(st);
			return rc;
		}
		/* the write lock: no commit can land between the check and the rename */
		if ((rc = bk_db_exec(v->db, "BEGIN IMMEDIATE"))) {
			sqlite3_finalize(st);
			unlink(tmp);
			return rc;
		}
		if (sqlite3_step(st) == SQLITE_ROW)
			after = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		if (before == after) {
			if (rename(tmp, v->db_path) != 0)
				rc = bk_fail(BK_ERR_IO, "cannot rename '%s' to '%s': %s", tmp, v->db_path, strerror(errno));
			else
				rc = bk_fsync_dir(v->db_path);
			sqlite3_exec(v->db, "ROLLBACK", NULL, NULL, NULL);
			if (rc)
				unlink(tmp);
			return rc;
		}
		sqlite3_exec(v->db, "ROLLBACK", NULL, NULL, NULL); /* another command committed meanwhile: again */
	}
	unlink(tmp);
	return bk_fail(BK_ERR_BUSY, "vault.db kept changing while it was copied: try again when the vault is quieter");
}

bk_status bk_rotate_db(struct bk_vault *v, struct bk_rotate_result *res)
{
	const struct bk_keyring_key *newest, *oldest; /* oldest: the version a stopped rotation leaves */
	struct vault_key *newk;
	struct bk_vault *again = NULL;
	uint8_t *keys = NULL;
	char detail[192], user[BK_NAME_MAX + 1];
	bk_status rc;

	memset(res, 0, sizeof(*res));
	if ((rc = may_rotate(v)))
		return rc;
	newest = db_key(&v->kr, NULL);
	oldest = newest ? db_key(&v->kr, newest) : NULL;
	if (!newest)
		return bk_fail(BK_ERR_STATE, "the keyring has no database key");
	res->resumed = oldest != NULL;
	/* step 1, unless a rotation that stopped already made the new key */
	if (!res->resumed) {
		snprintf(res->old_id, sizeof(res->old_id), "%s", newest->id);
		if ((rc = bk_vault_new_key(v, BK_KEY_DB, NULL)))
			return rc;
		newest = db_key(&v->kr, NULL);
		snprintf(detail, sizeof(detail), "%s made and granted; vault.db to be copied under it", newest->id);
		if ((rc = keyring_step(v, "db", detail)))
			return rc;
	} else {
		snprintf(res->old_id, sizeof(res->old_id), "%s", oldest->id);
	}
	snprintf(res->new_id, sizeof(res->new_id), "%s", newest->id);
	newk = bk_vault_secret(v, BK_KEY_DB, NULL);
	if (!newk || strcmp(newk->id, newest->id) != 0)
		return bk_fail(BK_ERR_DENIED, "you hold no grant of '%s'", newest->id);
	/* step 2, unless vault.db is under the new key already */
	if (strcmp(bk_vault_db_key_id(v), newest->id) != 0) {
		const struct vault_key *in_use = NULL;

		for (size_t i = 0; i < v->nkeys; i++)
			if (strcmp(v->keys[i].id, bk_vault_db_key_id(v)) == 0)
				in_use = &v->keys[i];
		if (!in_use)
			return bk_fail(BK_ERR_STATE, "the key vault.db is under is not held");
		if ((rc = switch_file(v, in_use, newk)))
			return rc;
	}
	/* step 3: a new unlock, under the new key, drops the old grants */
	snprintf(user, sizeof(user), "%s", bk_vault_me(v)->name);
	if (!(keys = bk_secmem_alloc(BK_SLOT_PLAINBYTES)))
		return bk_fail(BK_ERR_NOMEM, "out of guarded memory");
	memcpy(keys, v->box_sk, 32);
	memcpy(keys + 32, v->sign_sk, 64);
	rc = bk_vault_open_keys(v->dir, user, keys, "key rotate", &again);
	bk_secmem_free(keys);
	if (rc)
		return rc;
	if (strcmp(bk_vault_db_key_id(again), newest->id) != 0) {
		rc = bk_fail(BK_ERR_STATE, "vault.db did not open under '%s' after the copy", newest->id);
	} else {
		for (size_t i = 0; i < again->kr.nkeys; i++)
			if (again->kr.keys[i].kind == BK_KEY_DB && strcmp(again->kr.keys[i].id, newest->id) != 0)
				bk_keyring_revoke_key(&again->kr, again->kr.keys[i].id);
		snprintf(detail, sizeof(detail), "vault.db under %s; %s retired", newest->id, res->old_id);
		rc = keyring_step(again, "db", detail);
	}
	bk_vault_close(again);
	return rc;
}

bk_status bk_rotate_grants(struct bk_vault *v, enum bk_key_kind kind, struct bk_rotate_result *res)
{
	const struct bk_keyring_key *cur;
	char detail[192];
	bk_status rc;

	memset(res, 0, sizeof(*res));
	if (kind != BK_KEY_RELEASE && kind != BK_KEY_AUDIT)
		return bk_fail(BK_ERR_USAGE, "only the release and audit keys rotate by their grants alone");
	if ((rc = may_rotate(v)))
		return rc;
	if (!(cur = bk_keyring_current_key(&v->kr, kind, NULL)))
		return bk_fail(BK_ERR_STATE, "the keyring has no %s key", bk_key_kind_name(kind));
	snprintf(res->old_id, sizeof(res->old_id), "%s", cur->id);
	if ((rc = bk_vault_new_key(v, kind, NULL)))
		return rc;
	cur = bk_keyring_current_key(&v->kr, kind, NULL);
	snprintf(res->new_id, sizeof(res->new_id), "%s", cur->id);
	/* every older version's grants go in the same signed change; the keys stay
	 * listed, public halves and all, so what they signed still verifies */
	for (size_t i = 0; i < v->kr.nkeys; i++)
		if (v->kr.keys[i].kind == kind && strcmp(v->kr.keys[i].id, res->new_id) != 0)
			bk_keyring_revoke_key(&v->kr, v->kr.keys[i].id);
	snprintf(detail, sizeof(detail), "%s made and granted to its holders; %s retired", res->new_id, res->old_id);
	if ((rc = keyring_step(v, kind == BK_KEY_RELEASE ? "signing" : "audit", detail)))
		return rc;
	/* a kill before this leaves vault.pub naming the old key: the next unlock
	 * writes it again from the signed keyring (check_vault_pub) */
	return kind == BK_KEY_RELEASE ? bk_vault_publish_release_key(v) : BK_OK;
}
