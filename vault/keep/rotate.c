/* rotate.c - rotating the vault's keys (rotate.h gives the steps). */
#include "vault/keep/rotate.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fileio.h"
#include "crypto/box.h"
#include "crypto/secmem.h"
#include "vault/core/db.h"
#include "vault/core/regions.h"
#include "vault/core/stores.h"
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

/* Step 2: the file at path (schema on v's connection: "main" for vault.db,
 * a store's kec_...) copied under newk and renamed over it with no commit
 * between. A process that has the old file open can no longer write to it:
 * SQLite refuses writes to a moved database file (SQLITE_READONLY_DBMOVED). */
static bk_status switch_file(struct bk_vault *v, const char *path, const char *schema, const uint8_t *oldk,
			     const uint8_t *newk)
{
	char tmp[PATH_MAX], sql[96];
	bk_status rc = BK_OK;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.rotating", path) >= sizeof(tmp))
		return bk_fail(BK_ERR_USAGE, "path too long");
	snprintf(sql, sizeof(sql), "PRAGMA \"%s\".data_version", schema);
	for (int attempt = 0; attempt < COPY_ATTEMPTS; attempt++) {
		long long before = 0, after = 0;
		sqlite3_stmt *st = NULL;

		/* data_version moves when another connection commits to the file */
		if (sqlite3_prepare_v2(v->db, sql, -1, &st, NULL) != SQLITE_OK)
			return bk_db_status(v->db, sqlite3_errcode(v->db), "reading a database's version");
		if (sqlite3_step(st) == SQLITE_ROW)
			before = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		if ((rc = bk_db_copy_under(path, oldk, tmp, newk))) {
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
			if (rename(tmp, path) != 0)
				rc = bk_fail(BK_ERR_IO, "cannot rename '%s' to '%s': %s", tmp, path, strerror(errno));
			else
				rc = bk_fsync_dir(path);
			sqlite3_exec(v->db, "ROLLBACK", NULL, NULL, NULL);
			if (rc)
				unlink(tmp);
			return rc;
		}
		sqlite3_exec(v->db, "ROLLBACK", NULL, NULL, NULL); /* another command committed meanwhile: again */
	}
	unlink(tmp);
	return bk_fail(BK_ERR_BUSY, "'%s' kept changing while it was copied: try again when the vault is quieter",
		       path);
}

/* Step 3 of a rotation: a new unlock with the admin's own keys (no second
 * passphrase), which opens the files under their new keys. */
static bk_status reopen(struct bk_vault *v, struct bk_vault **again_p)
{
	char user[BK_NAME_MAX + 1];
	uint8_t *keys;
	bk_status rc;

	snprintf(user, sizeof(user), "%s", bk_vault_me(v)->name);
	if (!(keys = bk_secmem_alloc(BK_SLOT_PLAINBYTES)))
		return bk_fail(BK_ERR_NOMEM, "out of guarded memory");
	memcpy(keys, v->box_sk, 32);
	memcpy(keys + 32, v->sign_sk, 64);
	rc = bk_vault_open_keys(v->dir, user, keys, "key rotate", again_p);
	bk_secmem_free(keys);
	return rc;
}

bk_status bk_rotate_db(struct bk_vault *v, struct bk_rotate_result *res)
{
	const struct bk_keyring_key *newest, *oldest; /* oldest: the version a stopped rotation leaves */
	struct vault_key *newk;
	struct bk_vault *again = NULL;
	char detail[192];
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
		if ((rc = switch_file(v, v->db_path, "main", in_use->secret, newk->secret)))
			return rc;
	}
	/* step 3: a new unlock, under the new key, drops the old grants */
	if ((rc = reopen(v, &again)))
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

/* --- a kecamatan's keys: key rotate --region, --all-regions --- */

static const enum bk_key_kind region_kinds[] = {BK_KEY_KECAMATAN, BK_KEY_STORE, BK_KEY_BLIND};
#define REGION_KINDS (sizeof(region_kinds) / sizeof(region_kinds[0]))

/* Whether a rotation of kec's keys is under way: an older version of one of
 * them still granted beside the current. */
static int region_pending(const struct bk_keyring *kr, const char *kec)
{
	for (size_t i = 0; i < kr->nkeys; i++) {
		const struct bk_keyring_key *k = &kr->keys[i];

		for (size_t j = 0; j < REGION_KINDS; j++)
			if (k->kind == region_kinds[j] && strcmp(k->scope, kec) == 0 &&
			    bk_keyring_current_key(kr, k->kind, kec) != k && granted(kr, k->id))
				return 1;
	}
	return 0;
}

static const struct vault_key *held_by_id(const struct bk_vault *v, const char *id)
{
	for (size_t i = 0; i < v->nkeys; i++)
		if (strcmp(v->keys[i].id, id) == 0)
			return &v->keys[i];
	return NULL;
}

static void region_target(char *out, size_t cap, char (*kec)[BK_CODE_MAX], size_t n)
{
	if (n == 1)
		snprintf(out, cap, "region:%s", kec[0]);
	else
		snprintf(out, cap, "regions:%zu", n);
}

/* The key pair kec's reseal marker names (--reencrypt), "" when none. */
static bk_status reseal_marker(struct bk_vault *v, const char *kec, char out[BK_KEY_ID_MAX])
{
	char key[BK_CODE_MAX + 16];
	bk_status rc;

	snprintf(key, sizeof(key), "reseal:%s", kec);
	out[0] = '\0';
	if ((rc = bk_db_meta_get(v->db, key, out, BK_KEY_ID_MAX)) == BK_ERR_NOTFOUND) {
		bk_error_clear();
		out[0] = '\0';
		rc = BK_OK;
	}
	return rc;
}

/* Whether kec's rotation is done as far as its keys go: its reseal marker
 * names its current key pair, which a stopped --reencrypt leaves. */
static int marked_current(struct bk_vault *v, const char *kec)
{
	const struct bk_keyring_key *cur = bk_keyring_current_key(&v->kr, BK_KEY_KECAMATAN, kec);
	char marker[BK_KEY_ID_MAX];

	return reseal_marker(v, kec, marker) == BK_OK && cur && strcmp(marker, cur->id) == 0;
}

/* --reencrypt, before step 1: each kecamatan without a marker gets one naming
 * the key pair its values go to (the next version, or the current one when a
 * stopped rotation made it already), one audited transaction. */
static bk_status mark_reseal(struct bk_vault *v, char (*kec)[BK_CODE_MAX], size_t n)
{
	struct bk_audit_entry e;
	char target[48], detail[128], marker[BK_KEY_ID_MAX], key[BK_CODE_MAX + 16], id[BK_KEY_ID_MAX];
	size_t marked = 0;
	bk_status rc;

	if ((rc = bk_vault_begin(v)))
		return rc;
	for (size_t i = 0; i < n && rc == BK_OK; i++) {
		const struct bk_keyring_key *cur = bk_keyring_current_key(&v->kr, BK_KEY_KECAMATAN, kec[i]);

		if ((rc = reseal_marker(v, kec[i], marker)) || marker[0])
			continue;
		if (!cur) {
			rc = bk_fail(BK_ERR_STATE, "no key pair for kecamatan %s", kec[i]);
			break;
		}
		if (region_pending(&v->kr, kec[i]))
			snprintf(id, sizeof(id), "%s", cur->id);
		else
			snprintf(id, sizeof(id), "kecamatan:%s:v%u", kec[i], cur->version + 1);
		snprintf(key, sizeof(key), "reseal:%s", kec[i]);
		rc = bk_db_meta_set(v->db, key, id);
		marked++;
	}
	if (rc == BK_OK && marked) {
		region_target(target, sizeof(target), kec, n);
		snprintf(detail, sizeof(detail), "the values of %zu kecamatan to be sealed again under fresh data keys",
			 marked);
		bk_audit_entry_init(&e);
		e.action = "key-rotate";
		e.target = target;
		e.detail = detail;
		if ((rc = bk_vault_audit(v, &e)) == BK_OK)
			rc = bk_vault_commit(v);
	}
	bk_vault_rollback(v); /* nothing to commit, or after a failure */
	return rc;
}

/* Step 1: the next version of each kecamatan's key pair, store key and blind
 * key, granted as their kind says, in one signed keyring change; kecamatan
 * whose rotation a kill stopped after this step keep the versions made then. */
static bk_status region_keys_make(struct bk_vault *v, char (*kec)[BK_CODE_MAX], size_t n,
				  struct bk_rotate_result *res)
{
	char target[48], detail[192];
	size_t made = 0;
	bk_status rc = BK_OK;

	for (size_t i = 0; i < n && rc == BK_OK; i++) {
		if (region_pending(&v->kr, kec[i]) || marked_current(v, kec[i])) {
			res->resumed = 1;
			continue;
		}
		for (size_t j = 0; j < REGION_KINDS && rc == BK_OK; j++)
			rc = bk_vault_new_key(v, region_kinds[j], kec[i]);
		made++;
	}
	if (rc != BK_OK || made == 0)
		return rc;
	region_target(target, sizeof(target), kec, n);
	if (n == 1)
		snprintf(detail, sizeof(detail), "%s made and granted with the store and blind keys of its kecamatan; "
						 "data keys to be re-wrapped, the store copied under the new key",
			 bk_keyring_current_key(&v->kr, BK_KEY_KECAMATAN, kec[0])->id);
	else
		snprintf(detail, sizeof(detail), "new key pairs, store and blind keys of %zu kecamatan made and granted; "
						 "data keys to be re-wrapped, the stores copied under the new keys",
			 made);
	return keyring_step(v, target, detail);
}

/* Opens a data key of kec's batch sealed to key pair id (held) into out. */
static bk_status open_sealed(const struct bk_vault *v, const char *kec, const char *id, const uint8_t *box, size_t len,
			     uint8_t *out)
{
	const struct bk_keyring_key *kk = bk_keyring_key_by_id(&v->kr, id);
	const struct vault_key *sk = held_by_id(v, id);

	/* a batch of kec names a pair of kec: any other is a batch row altered */
	if (kk && (kk->kind != BK_KEY_KECAMATAN || strcmp(kk->scope, kec) != 0))
		return bk_fail(BK_ERR_CORRUPT, "a batch of kecamatan %s names the key '%s' of another: it was altered", kec,
			       id);
	if (!kk || !kk->has_pub || !sk || sk->len != BK_BOX_SECRETKEYBYTES)
		return bk_fail(BK_ERR_DENIED, "you hold no grant of '%s'", id);
	if (bk_seal_open(out, box, len, kk->pub, sk->secret) != BK_OK)
		return bk_fail(BK_ERR_CORRUPT, "a data key sealed to '%s' does not open: it was altered", id);
	return BK_OK;
}

/* Reads the ids of the rows of sql (one text parameter, kec) into *ids_p. */
static bk_status row_ids(struct bk_vault *v, const char *sql, const char *kec, int64_t **ids_p, size_t *n_p)
{
	sqlite3_stmt *st = NULL;
	int64_t *ids = NULL;
	size_t n = 0, cap = 0;
	bk_status rc = BK_OK;
	int src;

	if ((src = sqlite3_prepare_v2(v->db, sql, -1, &st, NULL)) == SQLITE_OK)
		src = sqlite3_bind_text(st, 1, kec, -1, SQLITE_STATIC);
	while (src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			int64_t *more = realloc(ids, (cap = cap ? 2 * cap : 64) * sizeof(*ids));

			if (!more) {
				rc = bk_fail(BK_ERR_NOMEM, "out of memory");
				break;
			}
			ids = more;
		}
		ids[n++] = sqlite3_column_int64(st, 0);
		src = SQLITE_OK;
	}
	if (rc == BK_OK && src != SQLITE_DONE)
		rc = bk_db_status(v->db, src, "reading what is sealed to a kecamatan");
	sqlite3_finalize(st);
	if (rc != BK_OK) {
		free(ids);
		return rc;
	}
	*ids_p = ids;
	*n_p = n;
	return BK_OK;
}

/* Seals again to cur what the row (sql: its id bound, the blob read, key id
 * in column 1 unless inbox) holds under an older key pair of kec, and writes it
 * back (upd: blob, key id, id). *moved: 1 when it was under another key. */
static bk_status rewrap_row(struct bk_vault *v, const char *kec, const struct bk_keyring_key *cur, int inbox,
			    int64_t id, int *moved)
{
	static const char *const read_sql[] = {"SELECT sealed_key, key_id FROM main.batches WHERE id = ?1",
					       "SELECT box, '' FROM main.inbox WHERE id = ?1"};
	static const char *const write_sql[] = {"UPDATE main.batches SET sealed_key = ?1, key_id = ?2 WHERE id = ?3",
						"UPDATE main.inbox SET box = ?1 WHERE id = ?3"};
	sqlite3_stmt *st = NULL, *up = NULL;
	uint8_t *plain = NULL, *box = NULL;
	const char *under = NULL;
	bk_status rc = BK_OK;
	size_t len = 0;
	int src;

	*moved = 0;
	if ((src = sqlite3_prepare_v2(v->db, read_sql[inbox], -1, &st, NULL)) == SQLITE_OK &&
	    (src = sqlite3_bind_int64(st, 1, id)) == SQLITE_OK)
		src = sqlite3_step(st);
	if (src != SQLITE_ROW) {
		rc = bk_db_status(v->db, src == SQLITE_DONE ? SQLITE_CORRUPT : src, "reading a sealed key");
		goto out;
	}
	len = (size_t)sqlite3_column_bytes(st, 0);
	if (len <= BK_SEAL_OVERHEAD || !sqlite3_column_blob(st, 0)) {
		rc = bk_fail(BK_ERR_CORRUPT, "a sealed value of kecamatan %s is too short: it was altered", kec);
		goto out;
	}
	if (!(plain = bk_secmem_alloc(len)) || !(box = malloc(len))) {
		rc = bk_fail(BK_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (inbox) {
		rc = bk_vault_inbox_open(v, kec, sqlite3_column_blob(st, 0), len, plain, &under);
	} else {
		under = (const char *)sqlite3_column_text(st, 1);
		rc = under ? open_sealed(v, kec, under, sqlite3_column_blob(st, 0), len, plain)
			   : bk_fail(BK_ERR_CORRUPT, "a batch of kecamatan %s names no key", kec);
	}
	if (rc != BK_OK || strcmp(under, cur->id) == 0)
		goto out;
	if ((rc = bk_seal(box, plain, len - BK_SEAL_OVERHEAD, cur->pub)))
		goto out;
	if ((src = sqlite3_prepare_v2(v->db, write_sql[inbox], -1, &up, NULL)) == SQLITE_OK &&
	    (src = sqlite3_bind_blob(up, 1, box, (int)len, SQLITE_STATIC)) == SQLITE_OK &&
	    (src = sqlite3_bind_text(up, 2, cur->id, -1, SQLITE_STATIC)) == SQLITE_OK &&
	    (src = sqlite3_bind_int64(up, 3, id)) == SQLITE_OK)
		src = sqlite3_step(up);
	if (src != SQLITE_DONE)
		rc = bk_db_status(v->db, src, "re-wrapping a sealed key");
	else
		*moved = 1;
out:
	sqlite3_finalize(up);
	sqlite3_finalize(st);
	if (plain)
		bk_secmem_free(plain);
	free(box);
	return rc;
}

/* Step 2a: every batch data key and inbox entry of kec sealed to an older key
 * pair is sealed again to the current one, in one audited transaction. The
 * values themselves stay under their data keys (--reencrypt is for those). */
static bk_status rewrap(struct bk_vault *v, const char *kec, struct bk_rotate_result *res)
{
	static const char *const ids_sql[] = {"SELECT id FROM main.batches WHERE kecamatan = ?1 ORDER BY id",
					      "SELECT id FROM main.inbox WHERE kecamatan = ?1 ORDER BY id"};
	const struct bk_keyring_key *cur = bk_keyring_current_key(&v->kr, BK_KEY_KECAMATAN, kec);
	uint64_t moved[2] = {0, 0};
	struct bk_audit_entry e;
	char target[48], detail[160];
	bk_status rc;

	if (!cur || !held_by_id(v, cur->id))
		return bk_fail(BK_ERR_DENIED, "you hold no current key pair of kecamatan %s", kec);
	if ((rc = bk_vault_begin(v)))
		return rc;
	for (int inbox = 0; inbox < 2 && rc == BK_OK; inbox++) {
		int64_t *ids = NULL;
		size_t n = 0;

		rc = row_ids(v, ids_sql[inbox], kec, &ids, &n);
		for (size_t i = 0; i < n && rc == BK_OK; i++) {
			int one = 0;

			rc = rewrap_row(v, kec, cur, inbox, ids[i], &one);
			moved[inbox] += (uint64_t)one;
		}
		free(ids);
	}
	if (rc != BK_OK || moved[0] + moved[1] == 0) {
		bk_vault_rollback(v);
		return rc;
	}
	bk_vault_mark_sealed(v);
	snprintf(target, sizeof(target), "region:%s", kec);
	snprintf(detail, sizeof(detail), "%llu data keys and %llu inbox entries sealed again to %s",
		 (unsigned long long)moved[0], (unsigned long long)moved[1], cur->id);
	bk_audit_entry_init(&e);
	e.action = "key-rotate";
	e.target = target;
	e.detail = detail;
	e.rows = (long long)(moved[0] + moved[1]);
	if ((rc = bk_vault_audit(v, &e)) || (rc = bk_vault_commit(v))) {
		bk_vault_rollback(v);
		return rc;
	}
	bk_vault_forget_batches(v);
	res->rewrapped += moved[0] + moved[1];
	return BK_OK;
}

/* Step 2c: kec's store copied under its current store key, when it is still
 * under an older one (and made at all). */
static bk_status switch_store(struct bk_vault *v, const char *kec)
{
	const struct vault_key *newk = bk_vault_secret(v, BK_KEY_STORE, kec);
	const char *under = bk_vault_store_key_id(v, kec);
	const struct vault_key *oldk = under ? held_by_id(v, under) : NULL;
	char path[PATH_MAX], schema[BK_STORE_SCHEMA_MAX];

	if (!under || (newk && strcmp(under, newk->id) == 0))
		return BK_OK;
	if (!newk || !oldk || newk->len != BK_DB_KEYBYTES || oldk->len != BK_DB_KEYBYTES)
		return bk_fail(BK_ERR_DENIED, "you hold no store key of kecamatan %s to copy it under", kec);
	if ((size_t)snprintf(path, sizeof(path), "%s/kec/%s.db", v->dir, kec) >= sizeof(path))
		return bk_fail(BK_ERR_USAGE, "path too long");
	bk_store_schema(schema, kec);
	return switch_file(v, path, schema, oldk->secret, newk->secret);
}

/* Whether kec's store is indexed under a blind key older than the newest. */
static int index_stale(const struct bk_vault *v, const char *kec)
{
	const struct vault_key *blind = bk_vault_secret(v, BK_KEY_BLIND, kec);

	for (size_t f = 1; f <= v->nstores; f++)
		if (strcmp(v->stores[f - 1], kec) == 0)
			return blind && strcmp(bk_vault_index_id(v, f), blind->id) != 0;
	return 0;
}

/* Step 2 on every kecamatan of the list, then step 3 on a new unlock:
 * stragglers sealed again, the index and the store checked, the older
 * versions' grants dropped in one signed keyring change. */
static bk_status region_finish(struct bk_vault *v, char (*kec)[BK_CODE_MAX], size_t n,
			       const struct bk_rotate_region_opts *o, struct bk_rotate_result *res)
{
	struct bk_vault *again = NULL;
	char target[48], detail[192];
	uint64_t rows = 0;
	size_t revoked = 0;
	bk_status rc = BK_OK;

	for (size_t i = 0; i < n && rc == BK_OK; i++) {
		if (o->progress)
			o->progress(o->ctx, kec[i], i, n);
		if ((rc = rewrap(v, kec[i], res)) == BK_OK && index_stale(v, kec[i]) &&
		    (rc = o->reindex(v, &rows)) == BK_OK)
			res->reindexed += rows;
		if (rc == BK_OK)
			rc = switch_store(v, kec[i]);
	}
	if (rc == BK_OK && o->progress)
		o->progress(o->ctx, NULL, n, n);
	if (rc || (rc = reopen(v, &again)))
		return rc;
	for (size_t i = 0; i < n && rc == BK_OK; i++) {
		const struct vault_key *store = bk_vault_secret(again, BK_KEY_STORE, kec[i]);
		const char *under = bk_vault_store_key_id(again, kec[i]);

		if (under && (!store || strcmp(under, store->id) != 0))
			rc = bk_fail(BK_ERR_STATE, "the store of kecamatan %s did not open under its new key after the copy",
				     kec[i]);
		else if ((rc = rewrap(again, kec[i], res)) == BK_OK && index_stale(again, kec[i]) &&
			 (rc = o->reindex(again, &rows)) == BK_OK && index_stale(again, kec[i]))
			rc = bk_fail(BK_ERR_STATE, "the NIK index of kecamatan %s is not under its new key", kec[i]);
	}
	for (size_t i = 0; i < n && rc == BK_OK; i++)
		for (size_t k = 0; k < again->kr.nkeys; k++) {
			const struct bk_keyring_key *key = &again->kr.keys[k];

			for (size_t j = 0; j < REGION_KINDS; j++)
				if (key->kind == region_kinds[j] && strcmp(key->scope, kec[i]) == 0 &&
				    bk_keyring_current_key(&again->kr, key->kind, kec[i]) != key && granted(&again->kr, key->id)) {
					bk_keyring_revoke_key(&again->kr, key->id);
					revoked++;
				}
		}
	/* nothing left to retire: a rerun whose keys were retired before it stopped */
	if (rc == BK_OK && revoked) {
		region_target(target, sizeof(target), kec, n);
		if (n == 1)
			snprintf(detail, sizeof(detail), "kecamatan %s under %s and its new store and blind keys; the "
							 "older versions retired",
				 kec[0], bk_keyring_current_key(&again->kr, BK_KEY_KECAMATAN, kec[0])->id);
		else
			snprintf(detail, sizeof(detail), "%zu kecamatan under their new key pairs, store and blind keys; "
							 "the older versions retired",
				 n);
		rc = keyring_step(again, target, detail);
	}
	if (rc == BK_OK && o->again_p)
		*o->again_p = again;
	else
		bk_vault_close(again);
	return rc;
}

bk_status bk_rotate_regions(struct bk_vault *v, const char *const *kecamatan, size_t n,
			    const struct bk_rotate_region_opts *o, struct bk_rotate_result *res)
{
	const struct bk_regions *regions = bk_vault_regions(v);
	char (*kec)[BK_CODE_MAX] = NULL;
	bk_status rc;

	memset(res, 0, sizeof(*res));
	if ((rc = may_rotate(v)))
		return rc;
	if (!o || !o->reindex)
		return bk_fail(BK_ERR_USAGE, "a region rotation needs the NIK indexer");
	if (n == 0) /* every kecamatan */
		n = regions->kecamatan_count;
	if (n == 0 || !(kec = calloc(n, sizeof(*kec))))
		return n ? bk_fail(BK_ERR_NOMEM, "out of memory") : bk_fail(BK_ERR_STATE, "the vault has no kecamatan");
	for (size_t i = 0, j = 0; i < (kecamatan ? n : regions->count) && rc == BK_OK; i++) {
		const struct bk_region *r = kecamatan ? bk_regions_find(regions, BK_REGION_KECAMATAN, kecamatan[i])
						      : &regions->items[i];

		if (kecamatan && !r) {
			bk_hint("kecamatan are named by code or name, as in 'brankas regions'");
			rc = bk_fail(BK_ERR_USAGE, "'%s' is not a kecamatan of this vault", kecamatan[i]);
		} else if (r->level == BK_REGION_KECAMATAN && j < n) {
			snprintf(kec[j++], BK_CODE_MAX, "%s", r->kode);
		}
	}
	if (rc == BK_OK && o->reencrypt)
		rc = mark_reseal(v, kec, n);
	if (rc == BK_OK && (rc = region_keys_make(v, kec, n, res)) == BK_OK)
		rc = region_finish(v, kec, n, o, res);
	res->regions = rc == BK_OK ? n : 0;
	if (rc == BK_OK && n == 1) {
		const struct bk_keyring_key *cur = bk_keyring_current_key(&v->kr, BK_KEY_KECAMATAN, kec[0]);

		snprintf(res->new_id, sizeof(res->new_id), "%s", cur ? cur->id : "");
	}
	free(kec);
	return rc;
}
