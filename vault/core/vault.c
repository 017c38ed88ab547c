/* vault.c - the vault directory: init, unlock, users, audited transactions,
 * status and integrity checks. */
#include "vault/core/vault.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/fileio.h"
#include "crypto/box.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/minisign.h"
#include "crypto/secmem.h"
#include "crypto/sign.h"
#include "vault/core/db.h"
#include "vault/core/fields.h"
#include "vault/core/stores.h"
#include "vault/core/vault_internal.h"

#define KEYRING_MAX (16u << 20)
#define PUB_MAX 4096

void bk_vault_now(char out[24])
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 24, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int bk_vault_user_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > BK_NAME_MAX)
		return 0;
	for (const char *s = name; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' || *s == '-'))
			return 0;
	return 1;
}

static bk_status check_name(const char *name)
{
	if (!bk_vault_user_name_ok(name)) {
		bk_hint("user names are 1 to 32 of a-z, 0-9, '.', '_' and '-'");
		return bk_fail(BK_ERR_USAGE, "invalid user name");
	}
	return BK_OK;
}

static bk_status set_paths(struct bk_vault *v, const char *dir)
{
	struct {
		char *dst;
		const char *file;
	} p[] = {{v->db_path, "vault.db"}, {v->keyring_path, "keyring"}, {v->audit_path, "audit.log"},
		 {v->pub_path, "vault.pub"}};

	if (strlen(dir) >= sizeof(v->dir) - 16)
		return bk_fail(BK_ERR_USAGE, "vault path too long");
	memcpy(v->dir, dir, strlen(dir) + 1);
	for (size_t i = 0; i < sizeof(p) / sizeof(p[0]); i++)
		snprintf(p[i].dst, PATH_MAX, "%s/%s", dir, p[i].file);
	return BK_OK;
}

/* The minisign key id of the release key: the first 8 bytes of BLAKE2b(pk),
 * so it never needs storing apart from the key. */
static void release_key_id(uint8_t id[BK_MINISIGN_KEYIDBYTES], const uint8_t pk[32])
{
	uint8_t h[16]; /* BLAKE2b's shortest output */

	if (bk_hash(h, sizeof(h), pk, 32, NULL, 0) != BK_OK)
		memset(h, 0, sizeof(h));
	memcpy(id, h, BK_MINISIGN_KEYIDBYTES);
}

struct vault_key *bk_vault_secret(const struct bk_vault *v, enum bk_key_kind kind, const char *scope)
{
	struct vault_key *best = NULL;

	for (size_t i = 0; i < v->nkeys; i++) {
		struct vault_key *k = &v->keys[i];

		if (k->kind == kind && strcmp(k->scope, scope ? scope : "") == 0 && (!best || k->version > best->version))
			best = k;
	}
	return best;
}

static bk_status add_secret(struct bk_vault *v, const struct bk_keyring_key *k, const uint8_t *secret, size_t len)
{
	struct vault_key *arr = realloc(v->keys, (v->nkeys + 1) * sizeof(*arr));
	struct vault_key *vk;

	if (!arr)
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	v->keys = arr;
	vk = &arr[v->nkeys];
	memset(vk, 0, sizeof(*vk));
	vk->secret = bk_secmem_alloc(BK_KEY_SECRET_MAX);
	if (!vk->secret)
		return bk_fail(BK_ERR_NOMEM, "out of guarded memory");
	memcpy(vk->id, k->id, sizeof(vk->id));
	memcpy(vk->scope, k->scope, sizeof(vk->scope));
	vk->kind = k->kind;
	vk->version = k->version;
	vk->len = len;
	memcpy(vk->secret, secret, len);
	v->nkeys++;
	return BK_OK;
}

static struct bk_vault *vault_new(void)
{
	struct bk_vault *v = calloc(1, sizeof(*v));

	if (!v)
		return NULL;
	v->box_sk = bk_secmem_alloc(32);
	v->sign_sk = bk_secmem_alloc(64);
	v->index_keys = bk_secmem_alloc((BK_STORES_MAX + 1) * sizeof(*v->index_keys));
	if (!v->box_sk || !v->sign_sk || !v->index_keys) {
		bk_secmem_free(v->box_sk);
		bk_secmem_free(v->sign_sk);
		bk_secmem_free(v->index_keys);
		free(v);
		return NULL;
	}
	return v;
}

void bk_vault_close(struct bk_vault *v)
{
	if (!v)
		return;
	if (v->in_tx)
		bk_vault_rollback(v);
	bk_vault_read_end(v);
	sqlite3_finalize(v->share);
	if (v->lookup_free)
		v->lookup_free(v->lookup);
	bk_secmem_free(v->batch_keys);
	bk_db_close(v->db);
	for (size_t i = 0; i < v->nkeys; i++)
		bk_secmem_free(v->keys[i].secret);
	free(v->keys);
	bk_secmem_free(v->box_sk);
	bk_secmem_free(v->sign_sk);
	bk_secmem_free(v->index_keys);
	bk_keyring_release(&v->kr);
	bk_regions_release(&v->regions);
	free(v->keyring_text);
	free(v);
}

const struct bk_keyring_user *bk_vault_me(const struct bk_vault *v)
{
	return &v->kr.users[v->me];
}

enum bk_role bk_vault_role(const struct bk_vault *v)
{
	enum bk_role role = BK_ROLE_EVALUATOR;

	if (bk_role_parse(bk_vault_me(v)->role, &role) != BK_OK)
		return BK_ROLE_EVALUATOR; /* unreachable: roles are checked at open */
	return role;
}

const struct bk_keyring *bk_vault_keyring(const struct bk_vault *v)
{
	return &v->kr;
}

const struct bk_regions *bk_vault_regions(const struct bk_vault *v)
{
	return &v->regions;
}

const char *bk_vault_audit_path(const struct bk_vault *v)
{
	return v->audit_path;
}

/* --- transactions and audit --- */

bk_status bk_vault_begin(struct bk_vault *v)
{
	bk_status rc;

	if (v->in_tx || v->in_read)
		return bk_fail(BK_ERR_STATE, "transaction already open");
	if ((rc = bk_db_exec(v->db, "BEGIN IMMEDIATE")))
		return rc;
	/* the database lock is taken first, then the audit lock: one order for every writer */
	if ((rc = bk_audit_writer_open(v->audit_path, v->kr.vault_id, 0, &v->aw))) {
		sqlite3_exec(v->db, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	v->in_tx = 1;
	v->txn_serial++;
	return BK_OK;
}

/* share_every_file takes the shared lock of vault.db and of every attached
 * store in one statement, so in the order of their attachment, which is the
 * order in which a writer's commit takes their exclusive locks. Taken one by
 * one as reads come (a store first, vault.db later), a read transaction could
 * hold a store a committing writer waits for while it waits for vault.db the
 * writer holds: both waited out the whole busy timeout (0035, under load). */
static bk_status share_every_file(struct bk_vault *v)
{
	char schema[BK_STORE_SCHEMA_MAX];
	int src;

	if (v->share && v->share_n != v->nstores) { /* a store attached since */
		sqlite3_finalize(v->share);
		v->share = NULL;
	}
	if (!v->share) {
		char *sql = sqlite3_mprintf("SELECT (SELECT count(*) FROM main.sqlite_master)");

		for (size_t i = 0; sql && i < v->nstores; i++) {
			char *more;

			bk_store_schema(schema, v->stores[i]);
			more = sqlite3_mprintf("%s + (SELECT count(*) FROM \"%w\".sqlite_master)", sql, schema);
			sqlite3_free(sql);
			sql = more;
		}
		if (!sql)
			return bk_fail(BK_ERR_NOMEM, "out of memory");
		src = sqlite3_prepare_v2(v->db, sql, -1, &v->share, NULL);
		sqlite3_free(sql);
		if (src != SQLITE_OK)
			return bk_db_status(v->db, src, "locking the vault's files");
		v->share_n = v->nstores;
	}
	src = sqlite3_step(v->share);
	sqlite3_reset(v->share); /* the locks stay with the transaction */
	return src == SQLITE_ROW ? BK_OK : bk_db_status(v->db, src, "locking the vault's files");
}

bk_status bk_vault_read_begin(struct bk_vault *v)
{
	bk_status rc;

	if (v->in_tx || v->in_read)
		return bk_fail(BK_ERR_STATE, "transaction already open");
	/* deferred: the shared locks come with the first read and stay until the end */
	if ((rc = bk_db_exec(v->db, "BEGIN DEFERRED")))
		return rc;
	v->in_read = 1;
	v->txn_serial++;
	if ((rc = share_every_file(v))) {
		bk_vault_read_end(v);
		return rc;
	}
	return BK_OK;
}

void bk_vault_read_end(struct bk_vault *v)
{
	if (!v->in_read)
		return;
	/* nothing was written: rolling back only drops the snapshot and its locks */
	sqlite3_exec(v->db, "ROLLBACK", NULL, NULL, NULL);
	v->in_read = 0;
}

bk_status bk_vault_audit(struct bk_vault *v, struct bk_audit_entry *e)
{
	const struct bk_keyring_user *me = bk_vault_me(v);

	if (!v->in_tx)
		return bk_fail(BK_ERR_STATE, "audit entry outside a transaction");
	e->actor = me->name;
	e->role = me->role;
	e->command = v->command;
	if (!e->outcome)
		e->outcome = "ok";
	return bk_audit_add(v->aw, e);
}

void bk_vault_forget_batches(struct bk_vault *v)
{
	memset(v->batch_cache, 0, sizeof(v->batch_cache));
	if (v->batch_keys)
		bk_wipe(v->batch_keys, BK_BATCH_CACHE_SLOTS * BK_FIELDS_KEYBYTES);
}

void bk_vault_mark_written(struct bk_vault *v, const char *schema)
{
	char s[BK_STORE_SCHEMA_MAX];

	for (size_t i = 0; i < v->nstores; i++) {
		bk_store_schema(s, v->stores[i]);
		if (strcmp(s, schema) == 0)
			v->stores_written |= (uint64_t)1 << i;
	}
}

void bk_vault_mark_kecamatan(struct bk_vault *v, const char *kecamatan)
{
	for (size_t i = 0; kecamatan && i < v->nstores; i++)
		if (strcmp(v->stores[i], kecamatan) == 0)
			v->stores_written |= (uint64_t)1 << i;
}

void bk_vault_mark_sealed(struct bk_vault *v)
{
	v->sealed = 1;
}

const char *bk_vault_store_key_id(const struct bk_vault *v, const char *kecamatan)
{
	for (size_t i = 0; i < v->nstores; i++)
		if (strcmp(v->stores[i], kecamatan) == 0)
			return v->store_key_ids[i];
	return NULL;
}

/* A transaction that sealed to a kecamatan key or wrote a store commits only
 * under the keyring generation it unlocked (vault_internal.h): read under the
 * write lock, which every keyring change takes too. */
static bk_status keyring_unchanged(struct bk_vault *v)
{
	char got[32], want[32];
	bk_status rc;

	if (!v->sealed && !v->stores_written)
		return BK_OK;
	if ((rc = bk_db_meta_get(v->db, "keyring_generation", got, sizeof(got))))
		return rc;
	snprintf(want, sizeof(want), "%llu", (unsigned long long)v->kr.generation);
	if (strcmp(got, want) != 0)
		return bk_fail(BK_ERR_BUSY, "the keyring changed while this command ran (an admin rotated keys or "
					    "changed a user): nothing was written; run the command again");
	return BK_OK;
}

/* The serial of every store the transaction wrote goes up with it. */
static bk_status bump_written(struct bk_vault *v)
{
	bk_status rc = BK_OK;

	for (size_t i = 0; i < v->nstores && rc == BK_OK; i++)
		if (v->stores_written & ((uint64_t)1 << i))
			rc = bk_store_bump(v->db, v->stores[i]);
	v->stores_written = 0;
	return rc;
}

void bk_vault_rollback(struct bk_vault *v)
{
	if (!v->in_tx)
		return;
	v->stores_written = 0;
	v->sealed = 0;
	sqlite3_exec(v->db, "ROLLBACK", NULL, NULL, NULL);
	bk_vault_forget_batches(v); /* batches made in the transaction are gone; their ids come again */
	bk_audit_writer_free(v->aw);
	v->aw = NULL;
	v->in_tx = 0;
}

static bk_status pin_head(sqlite3 *db, const struct bk_audit_head *head)
{
	char hex[BK_HEX_LEN(BK_AUDIT_HASHBYTES)];
	sqlite3_stmt *st = NULL;
	int src;

	bk_hex_encode(hex, head->hash, sizeof(head->hash));
	src = sqlite3_prepare_v2(db, "UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", -1, &st, NULL);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 1, (sqlite3_int64)head->seq);
	if (src == SQLITE_OK)
		src = sqlite3_bind_text(st, 2, hex, -1, SQLITE_TRANSIENT);
	if (src == SQLITE_OK)
		src = sqlite3_step(st);
	sqlite3_finalize(st);
	if (src != SQLITE_DONE || sqlite3_changes(db) != 1)
		return bk_db_status(db, src == SQLITE_DONE ? SQLITE_CORRUPT : src, "pinning the audit head");
	return BK_OK;
}

static bk_status read_pinned_head(sqlite3 *db, struct bk_audit_head *head)
{
	sqlite3_stmt *st = NULL;
	bk_status rc = BK_OK;
	int src;

	memset(head, 0, sizeof(*head));
	src = sqlite3_prepare_v2(db, "SELECT seq, hash FROM audit_head WHERE id = 1", -1, &st, NULL);
	if (src == SQLITE_OK)
		src = sqlite3_step(st);
	if (src == SQLITE_ROW) {
		const char *hex = (const char *)sqlite3_column_text(st, 1);
		sqlite3_int64 seq = sqlite3_column_int64(st, 0);

		if (seq < 0 || !hex || (seq > 0 && bk_hex_decode(head->hash, sizeof(head->hash), hex, strlen(hex))))
			rc = bk_fail(BK_ERR_CORRUPT, "vault.db: the pinned audit head is malformed");
		head->seq = (uint64_t)seq;
	} else {
		rc = bk_db_status(db, src == SQLITE_DONE ? SQLITE_CORRUPT : src, "reading the pinned audit head");
	}
	sqlite3_finalize(st);
	return rc;
}

/* Whether a COMMIT that failed went through all the same: SQLite reports an
 * error from the directory sync after deleting the super-journal, which is
 * the commit point of a transaction over several files. It did when the
 * transaction is over and vault.db pins the head this one wrote. */
static int committed_anyway(sqlite3 *db, const struct bk_audit_head *head)
{
	struct bk_audit_head pinned;

	if (!sqlite3_get_autocommit(db) || read_pinned_head(db, &pinned) != BK_OK)
		return 0;
	return pinned.seq == head->seq && memcmp(pinned.hash, head->hash, sizeof(pinned.hash)) == 0;
}

bk_status bk_vault_commit(struct bk_vault *v)
{
	struct bk_audit_head head;
	bk_status rc;

	if (!v->in_tx)
		return bk_fail(BK_ERR_STATE, "no open transaction");
	/* log before commit: the entries are durable before the change is */
	if ((rc = keyring_unchanged(v)) || (rc = bump_written(v)) || (rc = bk_audit_commit(v->aw, v->sign_sk, &head)) ||
	    (rc = pin_head(v->db, &head)) || ((rc = bk_db_exec(v->db, "COMMIT")) && !committed_anyway(v->db, &head))) {
		bk_vault_rollback(v);
		return rc;
	}
	bk_error_clear();
	bk_audit_writer_free(v->aw);
	v->aw = NULL;
	v->in_tx = 0;
	v->sealed = 0;
	return BK_OK;
}

bk_status bk_vault_log(struct bk_vault *v, struct bk_audit_entry *e)
{
	bk_status rc;

	if ((rc = bk_vault_begin(v)))
		return rc;
	if ((rc = bk_vault_audit(v, e))) {
		bk_vault_rollback(v);
		return rc;
	}
	return bk_vault_commit(v);
}

bk_status bk_vault_record(struct bk_vault *v, const char *action, const char *target)
{
	struct bk_audit_entry e;

	bk_audit_entry_init(&e);
	e.action = action;
	e.target = target;
	return bk_vault_log(v, &e);
}

bk_status bk_vault_acl(const struct bk_vault *v, enum bk_action action, const char *dataset, enum bk_colclass cls,
		       const char *kecamatan)
{
	const struct bk_keyring_user *me = bk_vault_me(v);
	const char *scope[BK_SCOPE_MAX];
	struct bk_acl_request req;

	for (size_t i = 0; i < me->nscope; i++)
		scope[i] = me->scope[i];
	memset(&req, 0, sizeof(req));
	req.role = bk_vault_role(v);
	req.scope = scope;
	req.nscope = me->nscope;
	req.action = action;
	req.dataset = dataset;
	req.colclass = cls;
	req.kecamatan = kecamatan;
	return bk_acl_check(&req);
}

const char *bk_vault_own_scope(const struct bk_vault *v)
{
	const struct bk_keyring_user *me = bk_vault_me(v);

	return me->nscope ? me->scope[0] : NULL;
}

/* Writes a denied entry for action (outside any transaction the command had
 * open: a denial is written down even in the middle of a batch of reads) and
 * fails with BK_ERR_DENIED and reason. */
static bk_status log_denial(struct bk_vault *v, enum bk_action action, const char *dataset, const char *reason)
{
	struct bk_audit_entry e;
	bk_status rc;

	bk_audit_entry_init(&e);
	e.action = bk_action_name(action);
	e.dataset = dataset;
	e.outcome = "denied";
	e.detail = reason;
	if (v->in_tx)
		bk_vault_rollback(v);
	bk_vault_read_end(v);
	if ((rc = bk_vault_log(v, &e)))
		return rc;
	return bk_fail(BK_ERR_DENIED, "%s", reason);
}

bk_status bk_vault_require(struct bk_vault *v, enum bk_action action, const char *dataset, enum bk_colclass cls,
			   const char *kecamatan)
{
	char reason[512];

	if (bk_vault_acl(v, action, dataset, cls, kecamatan) == BK_OK)
		return BK_OK;
	snprintf(reason, sizeof(reason), "%s", bk_error_detail());
	return log_denial(v, action, dataset, reason);
}

bk_status bk_vault_audit_hash(struct bk_vault *v, const void *value, size_t len, char out[33])
{
	struct vault_key *k = bk_vault_secret(v, BK_KEY_AUDIT, NULL);
	uint8_t mac[16];
	bk_status rc;

	if (!k)
		return bk_fail(BK_ERR_DENIED, "no audit key");
	if ((rc = bk_hash(mac, sizeof(mac), value, len, k->secret, k->len)))
		return rc;
	bk_hex_encode(out, mac, sizeof(mac));
	return BK_OK;
}

/* --- keyring persistence --- */

static void keyring_digest(char out[BK_HEX_LEN(32)], const uint8_t *text, size_t len)
{
	uint8_t h[32];

	if (bk_hash(h, sizeof(h), text, len, NULL, 0) != BK_OK)
		memset(h, 0, sizeof(h));
	bk_hex_encode(out, h, sizeof(h));
}

static bk_status pin_generation(struct bk_vault *v)
{
	char gen[32];

	snprintf(gen, sizeof(gen), "%llu", (unsigned long long)v->kr.generation);
	return bk_db_meta_set(v->db, "keyring_generation", gen);
}

/* Pins the keyring as it is now on disk (v->keyring_text): its digest covers the
 * unsigned slot line too, so every byte of the keyring is checked at open. */
static bk_status pin_keyring(struct bk_vault *v)
{
	char digest[BK_HEX_LEN(32)];
	bk_status rc;

	keyring_digest(digest, v->keyring_text, v->keyring_len);
	if ((rc = bk_db_exec(v->db, "BEGIN IMMEDIATE")))
		return rc;
	if ((rc = bk_db_meta_set(v->db, "keyring_hash", digest)) || (rc = pin_generation(v)) ||
	    (rc = bk_db_exec(v->db, "DELETE FROM meta WHERE key IN ('keyring_pending', 'keyring_pending_seq')")) ||
	    (rc = bk_db_exec(v->db, "COMMIT"))) {
		sqlite3_exec(v->db, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	return BK_OK;
}

/* log_undone: the signed "reconcile" entry (outcome failed) saying that the
 * entries of target ("entries A-B") did not take effect, and why */
static bk_status log_undone(struct bk_vault *v, const char *target, const char *why)
{
	struct bk_audit_entry e;

	bk_audit_entry_init(&e);
	e.action = "reconcile";
	e.outcome = "failed";
	e.target = target;
	e.detail = why;
	return bk_vault_audit(v, &e);
}

/* The lock of keyring changes, on the vault directory: a change holds it from
 * its first step to its last, so an unlock that finds a change's pending
 * digest (settle_keyring) can tell a change in flight from a dead one. The
 * kernel drops it with the process. *fd_p: -1 when not taken. */
static bk_status lock_keyring_changes(const struct bk_vault *v, int *fd_p)
{
	int fd = open(v->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	*fd_p = -1;
	if (fd < 0)
		return bk_fail(BK_ERR_IO, "cannot open '%s': %s", v->dir, strerror(errno));
	while (flock(fd, LOCK_EX) != 0) {
		if (errno != EINTR) {
			close(fd);
			return bk_fail(BK_ERR_IO, "cannot lock '%s': %s", v->dir, strerror(errno));
		}
	}
	*fd_p = fd;
	return BK_OK;
}

static void unlock_keyring_changes(int fd)
{
	if (fd >= 0)
		close(fd); /* drops the flock */
}

/* Changes the keyring, audited, crash-safe in three steps:
 *   1. the audit entry and the new keyring's digest as "pending" commit together;
 *   2. the keyring file is replaced (temp, fsync, rename);
 *   3. the pending digest becomes the pinned one, with the generation.
 * A crash after 1 or 2 leaves a keyring whose digest vault.db knows (old or
 * pending); open finishes step 3. resign: the body changed and is signed with
 * the keyring key (admins); otherwise only the slot line changed. The keyring
 * on disk must still be the one read at open. */
static bk_status change_keyring(struct bk_vault *v, struct bk_audit_entry *e, int resign)
{
	struct vault_key *kk = bk_vault_secret(v, BK_KEY_KEYRING, NULL);
	char digest[BK_HEX_LEN(32)], seq[24], *text = NULL;
	struct bk_audit_head head;
	uint8_t *cur = NULL;
	size_t cur_len = 0, len = 0;
	bk_status rc;
	int lock = -1;

	if (resign && !kk)
		return bk_fail(BK_ERR_DENIED, "only holders of the keyring key may change the keyring");
	if ((rc = lock_keyring_changes(v, &lock)))
		return rc;
	if ((rc = bk_vault_begin(v))) {
		unlock_keyring_changes(lock);
		return rc;
	}
	if ((rc = bk_file_read(v->keyring_path, KEYRING_MAX, &cur, &cur_len)))
		goto out;
	if (cur_len != v->keyring_len || memcmp(cur, v->keyring_text, cur_len) != 0) {
		rc = bk_fail(BK_ERR_STATE, "the keyring changed while this command ran; run it again");
		goto out;
	}
	if (resign) {
		v->kr.generation++;
		rc = bk_keyring_format(&v->kr, kk->secret, &text, &len);
	} else {
		rc = bk_keyring_format_slots(&v->kr, v->keyring_text, v->keyring_len, &text, &len);
	}
	if (rc)
		goto out;
	keyring_digest(digest, (const uint8_t *)text, len);
	if ((rc = bk_db_meta_set(v->db, "keyring_pending", digest)) || (rc = bk_vault_audit(v, e)))
		goto out;
	/* the entry that claims the change (the one after the committed head: this
	 * transaction's only entry), for the unlock that finds it never written */
	bk_audit_writer_head(v->aw, &head);
	snprintf(seq, sizeof(seq), "%llu", (unsigned long long)head.seq + 1);
	if ((rc = bk_db_meta_set(v->db, "keyring_pending_seq", seq)) || (rc = bk_vault_commit(v)))
		goto out;
	if ((rc = bk_file_write_atomic(v->keyring_path, text, len, 0600))) {
		/* the entry above says the change happened; say that it did not */
		char why[1024];
		struct bk_audit_entry f = *e;

		snprintf(why, sizeof(why), "%s", bk_error_detail());
		f.outcome = "failed";
		f.detail = "the keyring could not be written";
		if (bk_vault_begin(v) == BK_OK && bk_vault_audit(v, &f) == BK_OK &&
		    bk_db_exec(v->db, "DELETE FROM meta WHERE key IN ('keyring_pending', 'keyring_pending_seq')") == BK_OK &&
		    bk_vault_commit(v) == BK_OK) {
			/* logged, and nothing left for the next unlock to settle */
		}
		bk_fail(rc, "%s", why);
		goto out;
	}
	free(v->keyring_text);
	v->keyring_text = (uint8_t *)text;
	v->keyring_len = len;
	text = NULL;
	rc = pin_keyring(v);
out:
	if (v->in_tx)
		bk_vault_rollback(v);
	unlock_keyring_changes(lock);
	free(cur);
	free(text);
	return rc;
}

/* A keyring change whose first step committed (its entry says it was done)
 * but whose keyring was never written (a crash, a kill or a full disk before
 * the rename) leaves its pending digest beside the old keyring. The next
 * unlock says in the log that it did not take effect and drops the digest,
 * under the lock of keyring changes: a change still in flight holds it until
 * its last step, and is waited for, never taken for dead. A keyring that is
 * the pending one was pinned by check_pins already. */
static bk_status settle_keyring(struct bk_vault *v)
{
	char pending[128], seq[24], target[64], digest[BK_HEX_LEN(32)];
	uint8_t *text = NULL;
	size_t len = 0;
	bk_status rc = bk_db_meta_get(v->db, "keyring_pending", pending, sizeof(pending));
	int lock = -1;

	if (rc != BK_OK)
		return rc == BK_ERR_NOTFOUND ? BK_OK : rc;
	if ((rc = lock_keyring_changes(v, &lock)))
		return rc;
	if ((rc = bk_vault_begin(v)))
		goto out;
	rc = bk_db_meta_get(v->db, "keyring_pending", pending, sizeof(pending));
	if (rc == BK_ERR_NOTFOUND) { /* the change finished, or another unlock settled it */
		rc = BK_OK;
		goto out;
	}
	if (rc || (rc = bk_file_read(v->keyring_path, KEYRING_MAX, &text, &len)))
		goto out;
	keyring_digest(digest, text, len);
	if (strcmp(digest, pending) == 0) /* it is in place after all: the next open pins it */
		goto out;
	if (bk_db_meta_get(v->db, "keyring_pending_seq", seq, sizeof(seq)) == BK_OK)
		snprintf(target, sizeof(target), "entries %.24s-%.24s", seq, seq);
	else
		snprintf(target, sizeof(target), "the last keyring change");
	if ((rc = log_undone(v, target, "the keyring change this entry made was never written (a crash, a kill or "
					 "a full disk before its keyring was put in place): it did not take effect")) ||
	    (rc = bk_db_exec(v->db, "DELETE FROM meta WHERE key IN ('keyring_pending', 'keyring_pending_seq')")))
		goto out;
	rc = bk_vault_commit(v);
out:
	if (v->in_tx)
		bk_vault_rollback(v);
	unlock_keyring_changes(lock);
	free(text);
	return rc;
}

/* --- regions --- */

static bk_status store_regions(sqlite3 *db, const struct bk_regions *r)
{
	static const char *const level[] = {"kabupaten", "kecamatan", "desa"};
	sqlite3_stmt *st = NULL;
	int src = sqlite3_prepare_v2(db, "INSERT INTO regions (kode, nama, tingkat, kode_induk) VALUES (?,?,?,?)", -1,
				     &st, NULL);

	for (size_t i = 0; src == SQLITE_OK && i < r->count; i++) {
		const struct bk_region *it = &r->items[i];

		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, it->kode, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, it->nama, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, it->kelurahan ? "kelurahan" : level[it->level], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, it->kode_induk, -1, SQLITE_STATIC);
		src = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(db);
	}
	sqlite3_finalize(st);
	return src == SQLITE_OK ? BK_OK : bk_db_status(db, src, "storing regions");
}

/* Rebuilds the region list from vault.db through the same validating parser. */
static bk_status load_regions(struct bk_vault *v)
{
	sqlite3_stmt *st = NULL;
	char *csv = NULL, *p;
	size_t cap = 64 * 1024, len = 0;
	bk_status rc = BK_OK;
	int src;

	csv = malloc(cap);
	if (!csv)
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	len = (size_t)snprintf(csv, cap, "kode,nama,tingkat,kode_induk\n");
	src = sqlite3_prepare_v2(v->db, "SELECT kode, nama, tingkat, kode_induk FROM regions ORDER BY rowid", -1, &st,
				 NULL);
	while (src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
		const char *f[4];
		size_t need = 16;

		for (int i = 0; i < 4; i++) {
			f[i] = (const char *)sqlite3_column_text(st, i);
			if (!f[i] || strchr(f[i], '"')) {
				rc = bk_fail(BK_ERR_CORRUPT, "vault.db: region table is malformed");
				goto out;
			}
			need += strlen(f[i]) + 3;
		}
		if (len + need >= cap) {
			cap = cap * 2 + need;
			p = realloc(csv, cap);
			if (!p) {
				rc = bk_fail(BK_ERR_NOMEM, "out of memory");
				goto out;
			}
			csv = p;
		}
		len += (size_t)snprintf(csv + len, cap - len, "%s,\"%s\",%s,%s\n", f[0], f[1], f[2], f[3]);
		src = SQLITE_OK;
	}
	if (src != SQLITE_DONE) {
		rc = bk_db_status(v->db, src, "reading regions");
		goto out;
	}
	rc = bk_regions_parse(&v->regions, "vault.db regions", csv, len);
out:
	sqlite3_finalize(st);
	free(csv);
	return rc;
}

static bk_status resolve_scope(const struct bk_regions *r, const char *const *in, size_t n,
			       struct bk_keyring_user *u)
{
	if (n > BK_SCOPE_MAX)
		return bk_fail(BK_ERR_USAGE, "more than %d kecamatan in a scope", BK_SCOPE_MAX);
	u->nscope = 0;
	for (size_t i = 0; i < n; i++) {
		const struct bk_region *kec = bk_regions_find(r, BK_REGION_KECAMATAN, in[i]);

		if (!kec) {
			const char *s = bk_regions_suggest(r, BK_REGION_KECAMATAN, in[i]);

			if (s)
				bk_hint("did you mean '%s'?", s);
			return bk_fail(BK_ERR_USAGE, "no kecamatan '%.64s' in %s", in[i], r->items[0].nama);
		}
		for (size_t j = 0; j < u->nscope; j++)
			if (strcmp(u->scope[j], kec->kode) == 0)
				return bk_fail(BK_ERR_USAGE, "kecamatan '%s' named twice in the scope", kec->nama);
		memcpy(u->scope[u->nscope++], kec->kode, strlen(kec->kode) + 1);
	}
	return BK_OK;
}

/* Which vault keys a role holds: the grants are the cryptographic side of acl.c. */
/* Whether a key of one kecamatan is in the user's scope (unscoped: all). */
static int in_scope(const struct bk_keyring_user *u, const struct bk_keyring_key *k)
{
	if (u->nscope == 0)
		return 1;
	for (size_t i = 0; i < u->nscope; i++)
		if (strcmp(u->scope[i], k->scope) == 0)
			return 1;
	return 0;
}

static int role_holds(enum bk_role role, const struct bk_keyring_user *u, const struct bk_keyring_key *k)
{
	switch (k->kind) {
	case BK_KEY_DB:
	case BK_KEY_AUDIT:
		return role != BK_ROLE_EVALUATOR;
	case BK_KEY_BLIND:
		/* those who may find by NIK in the kecamatan: not operators or analysts, since
		 * with a row's plain birth date, sex and desa the index pins a NIK's serial and
		 * so reads NIKs back (SECURITY.md §3.6). The vault-wide key of older vaults
		 * indexes only rows still waiting in vault.db */
		return role == BK_ROLE_ADMIN || (role == BK_ROLE_CUSTODIAN && (!k->scope[0] || in_scope(u, k)));
	case BK_KEY_RELEASE:
		return role == BK_ROLE_ADMIN || role == BK_ROLE_CUSTODIAN || role == BK_ROLE_AUDITOR;
	case BK_KEY_KEYRING:
		return role == BK_ROLE_ADMIN;
	case BK_KEY_KECAMATAN:
		/* identifiers: those who may reveal in the kecamatan, never analysts */
		return role == BK_ROLE_ADMIN || (role == BK_ROLE_CUSTODIAN && in_scope(u, k));
	case BK_KEY_STORE:
		/* plain columns: those who may read them in the kecamatan; operators
		 * write through the inbox and auditors read no citizen row at all */
		return role == BK_ROLE_ADMIN ||
		       ((role == BK_ROLE_CUSTODIAN || role == BK_ROLE_ANALYST) && in_scope(u, k));
	case BK_KEY_KIND_COUNT:
		break;
	}
	return 0;
}

/* Grants every current key the role holds; the caller holds them all (admin). */
static bk_status grant_role_keys(struct bk_vault *v, const char *name, enum bk_role role)
{
	const struct bk_keyring_user *u = bk_keyring_user(&v->kr, name);
	bk_status rc;

	for (size_t i = 0; i < v->kr.nkeys; i++) {
		const struct bk_keyring_key *k = &v->kr.keys[i];
		struct vault_key *secret;

		if (bk_keyring_current_key(&v->kr, k->kind, k->scope[0] ? k->scope : NULL) != k ||
		    !role_holds(role, u, k))
			continue;
		secret = bk_vault_secret(v, k->kind, k->scope[0] ? k->scope : NULL);
		if (!secret || strcmp(secret->id, k->id) != 0)
			return bk_fail(BK_ERR_DENIED, "you do not hold key '%s' and cannot grant it", k->id);
		if ((rc = bk_keyring_grant(&v->kr, name, k->id, secret->secret, secret->len)))
			return rc;
	}
	return BK_OK;
}

/* --- the kecamatan stores (stores.h) --- */

/* File f is indexed under the blind key id; the user may hold it. */
static void load_index(struct bk_vault *v, size_t f, const char *id)
{
	snprintf(v->index_ids[f], sizeof(v->index_ids[f]), "%s", id);
	v->index_held[f] = 0;
	for (size_t i = 0; i < v->nkeys; i++)
		if (v->keys[i].kind == BK_KEY_BLIND && v->keys[i].len == 32 && strcmp(v->keys[i].id, id) == 0) {
			bk_index_key_set(&v->index_keys[f], v->keys[i].secret, v->keys[i].scope[0] != '\0');
			v->index_held[f] = 1;
		}
}

const struct bk_index_key *bk_vault_index_key(const struct bk_vault *v, size_t f)
{
	return f <= v->nstores && v->index_held[f] ? &v->index_keys[f] : NULL;
}

int bk_vault_finds_nik(const struct bk_vault *v)
{
	for (size_t i = 0; i < v->nkeys; i++)
		if (v->keys[i].kind == BK_KEY_BLIND)
			return 1;
	return 0;
}

const char *bk_vault_index_id(const struct bk_vault *v, size_t f)
{
	return f <= v->nstores ? v->index_ids[f] : "";
}

bk_status bk_vault_index_switch(struct bk_vault *v, size_t f, const char *id)
{
	bk_status rc;

	if (f == 0 || f > v->nstores)
		return bk_fail(BK_ERR_STATE, "vault.db keeps the vault-wide index");
	if ((rc = bk_store_index_set(v->db, v->stores[f - 1], id)))
		return rc;
	bk_vault_mark_kecamatan(v, v->stores[f - 1]);
	load_index(v, f, id);
	return BK_OK;
}

static int store_attached(const struct bk_vault *v, const char *kecamatan)
{
	for (size_t i = 0; i < v->nstores; i++)
		if (strcmp(v->stores[i], kecamatan) == 0)
			return 1;
	return 0;
}

/* The newest key of kind and scope the user holds below version: the one a
 * stopped rotation leaves granted beside the new. */
static struct vault_key *held_below(const struct bk_vault *v, enum bk_key_kind kind, const char *scope,
				    unsigned version)
{
	struct vault_key *best = NULL;

	for (size_t i = 0; i < v->nkeys; i++) {
		struct vault_key *k = &v->keys[i];

		if (k->kind == kind && strcmp(k->scope, scope ? scope : "") == 0 && k->version < version &&
		    (!best || k->version > best->version))
			best = k;
	}
	return best;
}

/* Attaches a made store under the newest store key the user holds or, while
 * a `key rotate --region` is under way (two versions granted; the store may
 * still be under the older), the one before it: as open_db, a store that
 * opens under neither is damage. *k_p: the key it opened under. */
static bk_status attach_store(struct bk_vault *v, const char *kec, const struct vault_key **k_p, const char *id)
{
	const struct vault_key *older = held_below(v, BK_KEY_STORE, kec, (*k_p)->version);
	char schema[BK_STORE_SCHEMA_MAX], sql[64];
	bk_status rc = bk_store_attach(v->db, v->dir, kec, (*k_p)->secret, id);

	if (rc != BK_ERR_CORRUPT || !older || older->len != BK_DB_KEYBYTES)
		return rc;
	bk_error_clear();
	bk_store_schema(schema, kec);
	snprintf(sql, sizeof(sql), "DETACH DATABASE \"%s\"", schema);
	(void)sqlite3_exec(v->db, sql, NULL, NULL, NULL); /* when the attach itself went through */
	if ((rc = bk_store_attach(v->db, v->dir, kec, older->secret, id)) == BK_OK)
		*k_p = older;
	return rc;
}

/* Makes (make set: admins, who hold every store key) or attaches the store
 * of every kecamatan whose store key the user holds. A store vault.db has not
 * pinned yet is made by an admin and skipped by everyone else. */
static bk_status open_stores(struct bk_vault *v, int make)
{
	char id[BK_HEX_LEN(BK_VAULT_IDBYTES)], index_id[BK_KEY_ID_MAX];
	bk_status rc = BK_OK;

	bk_hex_encode(id, v->kr.vault_id, sizeof(v->kr.vault_id));
	for (size_t i = 0; i < v->regions.count && rc == BK_OK; i++) {
		const char *kec = v->regions.items[i].kode;
		const struct vault_key *k;
		int made = 0;

		if (v->regions.items[i].level != BK_REGION_KECAMATAN)
			continue;
		k = bk_vault_secret(v, BK_KEY_STORE, kec);
		if (!k || store_attached(v, kec) || (rc = bk_store_pinned(v->db, kec, &made)) || (!made && !make))
			continue;
		if (v->nstores == BK_STORES_MAX)
			return bk_fail(BK_ERR_STATE, "more than %d kecamatan stores: the vault cannot attach them all",
				       BK_STORES_MAX);
		if (k->len != BK_DB_KEYBYTES)
			return bk_fail(BK_ERR_CORRUPT, "keyring: the store key of %s has the wrong length", kec);
		if (made) {
			rc = attach_store(v, kec, &k, id);
		} else {
			const struct bk_keyring_key *blind = bk_keyring_current_key(&v->kr, BK_KEY_BLIND, kec);

			rc = bk_store_make(v->db, v->dir, kec, k->secret, id, blind ? blind->id : NULL);
		}
		if (rc == BK_OK && (rc = bk_store_index_id(v->db, kec, index_id)) == BK_OK) {
			snprintf(v->store_key_ids[v->nstores], sizeof(v->store_key_ids[0]), "%s", k->id);
			snprintf(v->stores[v->nstores++], sizeof(v->stores[0]), "%s", kec);
			load_index(v, v->nstores, index_id);
		}
	}
	return rc;
}

/* Each attached store's serial equals its pin. Read under the audit log's
 * shared lock, as check_pins reads, so that no command commits in between;
 * each file in a statement of its own: a read transaction holding one file
 * while it waits for another can deadlock with a writer committing both
 * (rollback journals). The moves of rows into the stores commit outside
 * that lock, so a difference is read again before it counts as tampering. */
static bk_status check_serials(struct bk_vault *v)
{
	bk_status rc = BK_OK;
	int fd;

	for (int attempt = 0; attempt < 3 && v->nstores > 0; attempt++) {
		if (attempt > 0) {
			bk_error_clear();
			usleep(50 * 1000);
		}
		if ((rc = bk_audit_read_lock(v->audit_path, &fd)))
			return rc;
		for (size_t i = 0; i < v->nstores && rc == BK_OK; i++)
			rc = bk_store_check_serial(v->db, v->stores[i]);
		bk_audit_read_unlock(fd);
		if (rc != BK_ERR_CORRUPT)
			break;
	}
	return rc;
}

/* The views that join vault.db's citizen tables with the attached stores'
 * (stores.h); again after a dataset is made. */
bk_status bk_vault_route(struct bk_vault *v)
{
	return bk_stores_route(v->db, v->stores, v->nstores);
}

bk_status bk_vault_page_cache(struct bk_vault *v, unsigned kib)
{
	/* rows live in the stores; vault.db keeps a share for batches and waiting rows */
	unsigned each = kib / (unsigned)(v->nstores + 1);
	char schema[BK_STORE_SCHEMA_MAX], sql[96];
	bk_status rc = BK_OK;

	if (each < 2048)
		each = 2048; /* SQLite's default */
	for (size_t f = 0; f <= v->nstores && rc == BK_OK; f++) {
		bk_stores_file(v->stores, f, schema);
		snprintf(sql, sizeof(sql), "PRAGMA \"%s\".cache_size = -%u", schema, each);
		rc = bk_db_exec(v->db, sql);
	}
	return rc;
}

int bk_vault_holds_every_store(const struct bk_vault *v)
{
	size_t kecamatan = 0;

	for (size_t i = 0; i < v->regions.count; i++)
		kecamatan += v->regions.items[i].level == BK_REGION_KECAMATAN;
	return v->nstores >= kecamatan;
}

bk_status bk_vault_no_row(struct bk_vault *v, enum bk_action action, const char *dataset, long long id)
{
	char reason[160];

	if (bk_vault_holds_every_store(v))
		return bk_fail(BK_ERR_NOTFOUND, "no row %lld in '%s'", id, dataset);
	snprintf(reason, sizeof(reason), "row %lld of '%s' is not in a kecamatan whose store key you hold", id, dataset);
	return log_denial(v, action, dataset, reason);
}

static bk_store_progress_fn move_progress;
static void *move_progress_ctx;

void bk_vault_on_move(void (*fn)(void *ctx, uint64_t done, uint64_t total), void *ctx)
{
	move_progress = fn;
	move_progress_ctx = ctx;
}

/* Opens an inbox entry of kecamatan with its key pair, when the user holds it. */
static bk_status open_inbox_entry(void *ctx, const char *kecamatan, const uint8_t *box, size_t len, uint8_t *out)
{
	struct bk_vault *v = ctx;
	const struct vault_key *k = bk_vault_secret(v, BK_KEY_KECAMATAN, kecamatan);

	if (!k)
		return bk_fail(BK_ERR_DENIED, "no key of kecamatan %s", kecamatan);
	return bk_vault_inbox_open(v, kecamatan, box, len, out, NULL);
}

bk_status bk_vault_inbox_open(struct bk_vault *v, const char *kecamatan, const uint8_t *box, size_t len,
			      uint8_t *out, const char **key_id_p)
{
	/* an entry names no key: an operator who unlocked before a `key rotate
	 * --region` sealed it to the pair that rotation retires */
	for (const struct vault_key *k = bk_vault_secret(v, BK_KEY_KECAMATAN, kecamatan); k;
	     k = held_below(v, BK_KEY_KECAMATAN, kecamatan, k->version)) {
		const struct bk_keyring_key *kk = bk_keyring_key_by_id(&v->kr, k->id);

		if (kk && kk->has_pub && k->len == BK_BOX_SECRETKEYBYTES &&
		    bk_seal_open(out, box, len, kk->pub, k->secret) == BK_OK) {
			if (key_id_p)
				*key_id_p = kk->id;
			return BK_OK;
		}
	}
	return bk_fail(BK_ERR_CORRUPT, "an inbox entry of kecamatan %s does not open with its key: it was altered",
		       kecamatan);
}

/* Rows waiting in vault.db for a store this user holds move in at unlock,
 * by those who may write there (custodians and admins): a vault made before
 * the stores at its first admin unlock, an operator's rows (the inbox) at
 * the next unlock of their kecamatan's custodian. Audited with the number
 * moved. */
static bk_status move_in(struct bk_vault *v)
{
	struct bk_audit_entry e;
	uint64_t waiting = 0, moved = 0, boxed = 0;
	bk_status rc;

	if (bk_vault_role(v) != BK_ROLE_ADMIN && bk_vault_role(v) != BK_ROLE_CUSTODIAN)
		return BK_OK;
	if ((rc = bk_stores_waiting(v->db, v->stores, v->nstores, &waiting)) || waiting == 0)
		return rc;
	rc = bk_stores_move_in(v->db, v->stores, v->nstores, waiting, move_progress, move_progress_ctx, &moved);
	if (rc == BK_OK)
		rc = bk_stores_move_inbox(v->db, v->stores, v->nstores, open_inbox_entry, v, &boxed);
	moved += boxed;
	if (moved == 0)
		return rc;
	bk_audit_entry_init(&e);
	e.action = "store-move";
	e.rows = (long long)moved;
	e.outcome = rc == BK_OK ? "ok" : "failed";
	e.detail = "rows moved from vault.db into the stores of their kecamatan";
	if (rc != BK_OK) {
		bk_status failed = rc;
		char msg[256];

		/* the rows moved so far are in their stores: say so, then fail */
		snprintf(msg, sizeof(msg), "%s", bk_error_detail());
		if (bk_vault_log(v, &e) != BK_OK)
			bk_error_clear();
		return bk_fail(failed, "%s", msg);
	}
	return bk_vault_log(v, &e);
}

/* --- kecamatan store keys for a vault made before the stores --- */

/* Grants the keys from index first on to every enabled user whose role holds
 * them; the caller (an admin) holds them all. */
static bk_status grant_new_keys(struct bk_vault *v, size_t first)
{
	bk_status rc = BK_OK;

	for (size_t u = 0; u < v->kr.nusers && rc == BK_OK; u++) {
		const struct bk_keyring_user *user = &v->kr.users[u];
		enum bk_role role;

		if (user->disabled || bk_role_parse(user->role, &role) != BK_OK)
			continue;
		for (size_t i = first; i < v->kr.nkeys && rc == BK_OK; i++) {
			const struct bk_keyring_key *k = &v->kr.keys[i];
			const struct vault_key *secret;

			if (!role_holds(role, user, k))
				continue;
			secret = bk_vault_secret(v, k->kind, k->scope[0] ? k->scope : NULL);
			rc = secret ? bk_keyring_grant(&v->kr, user->name, k->id, secret->secret, secret->len)
				    : bk_fail(BK_ERR_DENIED, "you do not hold key '%s' and cannot grant it", k->id);
		}
	}
	return rc;
}

static bk_status new_key(struct bk_vault *v, enum bk_key_kind kind, const char *scope);

/* A vault made before the per-kecamatan stores has no store keys, one made
 * before the kecamatan blind keys none of those: the first admin unlock
 * makes one of each per kecamatan, grants them as role_holds says and signs
 * the new keyring (one audited keyring change). */
static bk_status add_store_keys(struct bk_vault *v)
{
	static const enum bk_key_kind kinds[] = {BK_KEY_STORE, BK_KEY_BLIND};
	struct bk_audit_entry e;
	size_t first = v->kr.nkeys, missing[2] = {0, 0};
	bk_status rc = BK_OK;

	for (size_t i = 0; i < v->regions.count && rc == BK_OK; i++)
		for (size_t k = 0; k < 2 && rc == BK_OK; k++) {
			const char *kec = v->regions.items[i].kode;

			if (v->regions.items[i].level != BK_REGION_KECAMATAN ||
			    bk_keyring_current_key(&v->kr, kinds[k], kec))
				continue;
			missing[k]++;
			rc = new_key(v, kinds[k], kec);
		}
	if (rc != BK_OK || missing[0] + missing[1] == 0)
		return rc;
	if ((rc = grant_new_keys(v, first)))
		return rc;
	bk_audit_entry_init(&e);
	e.action = "store-keys";
	e.detail = missing[0] ? "a store key and a blind key for every kecamatan, granted to admins, custodians "
				"(both) and analysts (the store key) in scope"
			      : "a blind key for every kecamatan, granted to admins and custodians in scope";
	return change_keyring(v, &e, 1);
}

bk_status bk_vault_new_key(struct bk_vault *v, enum bk_key_kind kind, const char *scope)
{
	size_t first = v->kr.nkeys;
	bk_status rc;

	if ((rc = new_key(v, kind, scope)) == BK_OK)
		rc = grant_new_keys(v, first);
	return rc;
}

bk_status bk_vault_change_keyring(struct bk_vault *v, struct bk_audit_entry *e)
{
	return change_keyring(v, e, 1);
}

const char *bk_vault_db_key_id(const struct bk_vault *v)
{
	return v->db_key_id;
}

/* --- init --- */

static bk_status new_key(struct bk_vault *v, enum bk_key_kind kind, const char *scope)
{
	struct bk_keyring_key k;
	uint8_t *secret = bk_secmem_alloc(BK_KEY_SECRET_MAX);
	bk_status rc = BK_OK;
	size_t len = bk_key_secret_len(kind);

	if (!secret)
		return bk_fail(BK_ERR_NOMEM, "out of guarded memory");
	const struct bk_keyring_key *cur = bk_keyring_current_key(&v->kr, kind, scope);

	memset(&k, 0, sizeof(k));
	k.kind = kind;
	k.version = cur ? cur->version + 1 : 1; /* a rotation makes the next version */
	if (scope) {
		snprintf(k.scope, sizeof(k.scope), "%s", scope);
		snprintf(k.id, sizeof(k.id), "%s:%s:v%u", bk_key_kind_name(kind), scope, k.version);
	} else {
		snprintf(k.id, sizeof(k.id), "%s:v%u", bk_key_kind_name(kind), k.version);
	}
	switch (kind) {
	case BK_KEY_RELEASE:
	case BK_KEY_KEYRING:
		rc = bk_sign_keypair(k.pub, secret);
		k.has_pub = 1;
		break;
	case BK_KEY_KECAMATAN:
		rc = bk_box_keypair(k.pub, secret);
		k.has_pub = 1;
		break;
	default:
		bk_random(secret, len);
		break;
	}
	if (rc == BK_OK)
		rc = bk_keyring_add_key(&v->kr, &k);
	if (rc == BK_OK)
		rc = add_secret(v, &k, secret, len);
	bk_secmem_free(secret);
	return rc;
}

static bk_status make_dir(const char *dir)
{
	struct stat st;

	if (mkdir(dir, 0700) == 0)
		return BK_OK;
	if (errno != EEXIST)
		return bk_fail(BK_ERR_IO, "cannot create '%s': %s", dir, strerror(errno));
	if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return bk_fail(BK_ERR_EXISTS, "'%s' exists and is not a directory", dir);
	if (rmdir(dir) != 0) /* only an empty directory goes: never init over a vault */
		return bk_fail(BK_ERR_EXISTS, "'%s' exists and is not empty", dir);
	if (mkdir(dir, 0700) != 0)
		return bk_fail(BK_ERR_IO, "cannot create '%s': %s", dir, strerror(errno));
	return BK_OK;
}

/* vault.pub from the current release key: a new file (init), or in place of
 * the old one (replace: after a rotation) */
static bk_status put_vault_pub(struct bk_vault *v, int replace)
{
	const struct bk_keyring_key *rk = bk_keyring_current_key(&v->kr, BK_KEY_RELEASE, NULL);
	struct bk_minisign_pub pub;
	char *text = NULL;
	bk_status rc;

	if (!rk)
		return bk_fail(BK_ERR_CORRUPT, "the keyring has no release key");
	memcpy(pub.pk, rk->pub, 32);
	release_key_id(pub.key_id, rk->pub);
	if ((rc = bk_minisign_pub_format(&text, &pub)))
		return rc;
	rc = replace ? bk_file_write_atomic(v->pub_path, text, strlen(text), 0644)
		     : bk_file_create_exclusive(v->pub_path, text, strlen(text), 0644);
	free(text);
	return rc;
}

static bk_status write_vault_pub(struct bk_vault *v)
{
	return put_vault_pub(v, 0);
}

bk_status bk_vault_publish_release_key(struct bk_vault *v)
{
	return put_vault_pub(v, 1);
}

/* release_key_of: the release key of the keyring, current or retired, whose
 * public key is pk; NULL when none is */
static const struct bk_keyring_key *release_key_of(const struct bk_vault *v, const uint8_t pk[32])
{
	for (size_t i = 0; i < v->kr.nkeys; i++)
		if (v->kr.keys[i].kind == BK_KEY_RELEASE && v->kr.keys[i].has_pub &&
		    bk_ct_equal(v->kr.keys[i].pub, pk, 32))
			return &v->kr.keys[i];
	return NULL;
}

static bk_status write_meta(struct bk_vault *v)
{
	const struct bk_keyring_key *kk = bk_keyring_current_key(&v->kr, BK_KEY_KEYRING, NULL);
	char id[BK_HEX_LEN(BK_VAULT_IDBYTES)], pub[BK_HEX_LEN(32)];
	bk_status rc;

	/* pub holds the keyring key first, then the keyring's digest */
	bk_hex_encode(id, v->kr.vault_id, sizeof(v->kr.vault_id));
	bk_hex_encode(pub, kk->pub, 32);
	if ((rc = bk_db_meta_set(v->db, "vault_id", id)) || (rc = bk_db_meta_set(v->db, "keyring_pub", pub)) ||
	    (rc = bk_db_meta_set(v->db, "created", v->kr.created)) || (rc = pin_generation(v)))
		return rc;
	keyring_digest(pub, v->keyring_text, v->keyring_len);
	return bk_db_meta_set(v->db, "keyring_hash", pub);
}

/* create_keys draws the new vault's id and its keys, one per kecamatan. */
static bk_status create_keys(struct bk_vault *v)
{
	bk_status rc;

	bk_random(v->kr.vault_id, sizeof(v->kr.vault_id));
	v->kr.generation = 1;
	bk_vault_now(v->kr.created);
	/* no vault-wide blind key: each kecamatan's store is indexed under its own */
	if ((rc = new_key(v, BK_KEY_DB, NULL)) || (rc = new_key(v, BK_KEY_AUDIT, NULL)) ||
	    (rc = new_key(v, BK_KEY_RELEASE, NULL)) || (rc = new_key(v, BK_KEY_KEYRING, NULL)))
		goto out;
	for (size_t i = 0; i < v->regions.count; i++)
		if (v->regions.items[i].level == BK_REGION_KECAMATAN &&
		    ((rc = new_key(v, BK_KEY_KECAMATAN, v->regions.items[i].kode)) ||
		     (rc = new_key(v, BK_KEY_STORE, v->regions.items[i].kode)) ||
		     (rc = new_key(v, BK_KEY_BLIND, v->regions.items[i].kode))))
			goto out;
out:
	return rc;
}

/* create_admin makes the first user, an admin whose slot opens with the
 * passphrase, and grants it every key; the admin is this handle's user. */
static bk_status create_admin(struct bk_vault *v, const struct bk_vault_init_opts *opts, struct bk_keyring_user *admin)
{
	struct bk_kdf_params params;
	bk_status rc;

	memset(admin, 0, sizeof(*admin));
	snprintf(admin->name, sizeof(admin->name), "%s", opts->admin);
	snprintf(admin->role, sizeof(admin->role), "admin");
	memcpy(admin->created, v->kr.created, sizeof(admin->created));
	admin->has_sign = 1;
	bk_kdf_params_for_level(opts->kdf, &params);
	if ((rc = bk_box_keypair(admin->box_pk, v->box_sk)) || (rc = bk_sign_keypair(admin->sign_pk, v->sign_sk)) ||
	    (rc = bk_keyring_slot_seal(&v->kr, admin, opts->pass, opts->passlen, &params, v->box_sk, v->sign_sk)) ||
	    (rc = bk_keyring_add_user(&v->kr, admin)) || (rc = grant_role_keys(v, admin->name, BK_ROLE_ADMIN)))
		goto out;
	v->me = 0;
out:
	return rc;
}

/* create_keyring writes the keyring and vault.pub; the handle keeps the
 * keyring's text. */
static bk_status create_keyring(struct bk_vault *v)
{
	char *text = NULL;
	size_t len = 0;
	bk_status rc;

	if ((rc = bk_keyring_format(&v->kr, bk_vault_secret(v, BK_KEY_KEYRING, NULL)->secret, &text, &len)) ||
	    (rc = bk_file_create_exclusive(v->keyring_path, text, len, 0600)) || (rc = write_vault_pub(v)))
		goto out;
	v->keyring_text = (uint8_t *)text;
	v->keyring_len = len;
	text = NULL;
out:
	free(text);
	return rc;
}

/* create_db makes vault.db and the audit log, fills in the metadata, the
 * regions and whatever opts->populate adds, and commits that with the
 * init's audit entry. */
static bk_status create_db(struct bk_vault *v, const struct bk_vault_init_opts *opts, const char *admin)
{
	struct vault_key *dbk = bk_vault_secret(v, BK_KEY_DB, NULL);
	struct bk_audit_entry e;
	bk_status rc;

	if ((rc = bk_db_open(v->db_path, dbk->secret, 1, &v->db)))
		goto out;
	if ((rc = bk_file_create_exclusive(v->audit_path, "", 0, 0600)))
		goto out;
	if ((rc = bk_vault_begin(v)) || (rc = write_meta(v)) || (rc = store_regions(v->db, &v->regions)) ||
	    (opts->populate && (rc = opts->populate(v))))
		goto out;
	bk_audit_entry_init(&e);
	e.action = "init";
	e.target = admin;
	if ((rc = bk_vault_audit(v, &e)) || (rc = bk_vault_commit(v)))
		goto out;
out:
	return rc;
}

/* create_undo removes what a failed init created: all or nothing. The
 * failure's message is kept. */
static void create_undo(struct bk_vault *v, const char *dir, bk_status rc)
{
	char err[1024];

	snprintf(err, sizeof(err), "%s", bk_error_detail());
	if (v->in_tx)
		bk_vault_rollback(v);
	bk_db_close(v->db);
	v->db = NULL;
	unlink(v->db_path);
	for (const char *suffix = "-wal"; suffix; suffix = suffix[1] == 'w' ? "-shm" : NULL) {
		char p[PATH_MAX + 8];

		snprintf(p, sizeof(p), "%s%s", v->db_path, suffix);
		unlink(p);
	}
	unlink(v->keyring_path);
	unlink(v->audit_path);
	unlink(v->pub_path);
	for (size_t i = 0; i < v->regions.count; i++) {
		char p[PATH_MAX + 32];

		if (v->regions.items[i].level != BK_REGION_KECAMATAN)
			continue;
		for (const char *suffix = ""; suffix; suffix = !suffix[0] ? "-wal" : suffix[1] == 'w' ? "-shm" : NULL) {
			snprintf(p, sizeof(p), "%s/kec/%s.db%s", dir, v->regions.items[i].kode, suffix);
			unlink(p);
		}
	}
	{
		char kec[PATH_MAX + 8];

		snprintf(kec, sizeof(kec), "%s/kec", dir);
		rmdir(kec);
	}
	rmdir(dir);
	bk_fail(rc, "%s", err);
}

bk_status bk_vault_create(const struct bk_vault_init_opts *opts)
{
	struct bk_vault *v = vault_new();
	struct bk_keyring_user admin;
	int made_dir = 0;
	bk_status rc;

	if (!v)
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	if ((rc = check_name(opts->admin)) || (rc = set_paths(v, opts->dir)))
		goto out;
	snprintf(v->command, sizeof(v->command), "init");
	if (opts->regions_text)
		rc = bk_regions_parse(&v->regions, opts->regions_name, opts->regions_text, opts->regions_len);
	else
		rc = bk_regions_builtin(&v->regions);
	if (rc || (rc = make_dir(opts->dir)))
		goto out;
	made_dir = 1;
	if ((rc = create_keys(v)) || (rc = create_admin(v, opts, &admin)) || (rc = create_keyring(v)) ||
	    (rc = create_db(v, opts, admin.name)) || (rc = open_stores(v, 1)) || (rc = bk_vault_route(v)))
		goto out;
out:
	if (rc != BK_OK && made_dir)
		create_undo(v, opts->dir, rc);
	bk_vault_close(v);
	return rc;
}

/* --- open --- */

/* Records a failed unlock, unsigned: the claimed user holds no unlocked key. */
static void log_failed_unlock(struct bk_vault *v, const char *user, const char *role, const char *outcome,
			      const char *why)
{
	struct bk_audit_writer *w = NULL;
	struct bk_audit_head head;
	struct bk_audit_entry e;
	char detail[1024];

	snprintf(detail, sizeof(detail), "%s", bk_error_detail()); /* keep the caller's message */
	bk_audit_entry_init(&e);
	e.actor = bk_vault_user_name_ok(user) ? user : "(invalid name)";
	e.role = role;
	e.command = v->command;
	e.action = "unlock";
	e.outcome = outcome;
	e.detail = why;
	if (bk_audit_writer_open(v->audit_path, v->kr.vault_id, 0, &w) == BK_OK && bk_audit_add(w, &e) == BK_OK &&
	    bk_audit_commit(w, NULL, &head) == BK_OK) {
		/* logged */
	}
	bk_audit_writer_free(w);
	bk_fail(BK_OK, "%s", detail);
}

static bk_status check_vault_pub(struct bk_vault *v)
{
	const struct bk_keyring_key *rk = bk_keyring_current_key(&v->kr, BK_KEY_RELEASE, NULL);
	struct bk_minisign_pub pub;
	uint8_t *text = NULL, id[BK_MINISIGN_KEYIDBYTES];
	size_t len = 0;
	bk_status rc;

	if ((rc = bk_file_read(v->pub_path, PUB_MAX, &text, &len)))
		return rc == BK_ERR_NOTFOUND ? bk_fail(BK_ERR_CORRUPT, "'%s' is missing: the vault was altered",
						       v->pub_path)
					     : rc;
	rc = bk_minisign_pub_parse(&pub, (const char *)text, len);
	free(text);
	if (rc != BK_OK)
		return bk_fail(BK_ERR_CORRUPT, "'%s' is not a minisign public key", v->pub_path);
	release_key_id(id, rk->pub);
	if (bk_ct_equal(pub.pk, rk->pub, 32) && bk_ct_equal(pub.key_id, id, sizeof(id)))
		return BK_OK;
	/* a release key the signed keyring retired: a rotation stopped before it
	 * wrote vault.pub (or an old copy was put back), so write it again */
	if (release_key_of(v, pub.pk))
		return bk_vault_publish_release_key(v);
	return bk_fail(BK_ERR_CORRUPT, "the keyring does not belong to this vault: vault.pub names another "
				       "release key");
}

static bk_status check_pins(struct bk_vault *v)
{
	const struct bk_keyring_key *kk = bk_keyring_current_key(&v->kr, BK_KEY_KEYRING, NULL);
	char id[BK_HEX_LEN(BK_VAULT_IDBYTES)], pub[BK_HEX_LEN(32)], got[128];
	struct bk_audit_head pinned;
	unsigned long long gen;
	bk_status rc;
	int fd = -1;

	bk_hex_encode(id, v->kr.vault_id, sizeof(v->kr.vault_id));
	bk_hex_encode(pub, kk->pub, 32);
	if ((rc = bk_db_meta_get(v->db, "vault_id", got, sizeof(got))))
		return rc;
	if (strcmp(got, id) != 0)
		return bk_fail(BK_ERR_CORRUPT, "the keyring belongs to another vault than vault.db");
	if ((rc = bk_db_meta_get(v->db, "keyring_pub", got, sizeof(got))))
		return rc;
	if (strcmp(got, pub) != 0)
		return bk_fail(BK_ERR_CORRUPT, "the keyring is signed by a key this vault does not know: a foreign "
					       "keyring");
	if ((rc = bk_db_meta_get(v->db, "keyring_generation", got, sizeof(got))))
		return rc;
	gen = strtoull(got, NULL, 10);
	if (v->kr.generation < gen)
		return bk_fail(BK_ERR_CORRUPT, "the keyring (generation %llu) is older than the vault database "
					       "expects (%llu): it was rolled back",
			       (unsigned long long)v->kr.generation, gen);
	keyring_digest(pub, v->keyring_text, v->keyring_len);
	if ((rc = bk_db_meta_get(v->db, "keyring_hash", got, sizeof(got))))
		return rc;
	if (strcmp(got, pub) != 0) {
		rc = bk_db_meta_get(v->db, "keyring_pending", got, sizeof(got));
		if (rc != BK_OK && rc != BK_ERR_NOTFOUND)
			return rc;
		if (rc == BK_ERR_NOTFOUND || strcmp(got, pub) != 0)
			return bk_fail(BK_ERR_CORRUPT, "the keyring is not the one vault.db pinned: its key slots were "
						       "altered, or it was replaced or rolled back");
		if ((rc = pin_keyring(v))) /* a change that crashed before its last step */
			return rc;
	}
	if (access(v->audit_path, F_OK) != 0)
		return bk_fail(BK_ERR_CORRUPT, "'%s' is missing: the audit log was removed", v->audit_path);
	/* the pin and the log's tail under one shared lock: read apart, commits of
	 * other processes landing in between looked like a rolled-back vault.db */
	if ((rc = bk_audit_read_lock(v->audit_path, &fd)))
		return rc == BK_ERR_NOTFOUND ? bk_fail(BK_ERR_CORRUPT, "'%s' is missing: the audit log was removed",
						       v->audit_path)
					     : rc;
	if ((rc = read_pinned_head(v->db, &pinned)) == BK_OK)
		rc = bk_audit_tail(v->audit_path, &pinned, &v->unconfirmed);
	bk_audit_read_unlock(fd);
	return rc;
}

/* A command's audit entries are durable before its database commit (log
 * before commit); a crash, a kill or a full disk between the two leaves them
 * after the pinned head, claiming an outcome the database does not hold. The
 * next unlock says so in the log and pins the head past them, so that such
 * failures never add up to a "vault.db was rolled back" verdict. It runs under
 * the database write lock: a command still in flight holds that lock until its
 * commit, so what is found after the pinned head then is truly dead. */
static bk_status reconcile(struct bk_vault *v)
{
	struct bk_audit_head pinned, last;
	char target[64];
	bk_status rc;

	if ((rc = bk_vault_begin(v)))
		return rc;
	if ((rc = read_pinned_head(v->db, &pinned)))
		goto out;
	bk_audit_writer_head(v->aw, &last);
	if (last.seq <= pinned.seq) /* another command committed or reconciled meanwhile */
		goto out;
	snprintf(target, sizeof(target), "entries %llu-%llu", (unsigned long long)pinned.seq + 1,
		 (unsigned long long)last.seq);
	if ((rc = log_undone(v, target,
			     "these entries came after the last one the database confirmed: a command whose database "
			     "commit never happened (a crash, a kill or a full disk) did not take effect; failed unlocks "
			     "stay as they are")) == BK_OK)
		rc = bk_vault_commit(v);
out:
	if (v->in_tx)
		bk_vault_rollback(v);
	if (rc == BK_OK)
		v->unconfirmed = 0;
	return rc;
}

/* open_user finds the user in the keyring and refuses one who may not
 * unlock: unknown, an evaluator, or disabled; the refusals are audited. The
 * user becomes the handle's. */
static bk_status open_user(struct bk_vault *v, const char *user, struct bk_keyring_user **me_p)
{
	struct bk_keyring_user *me = bk_keyring_user(&v->kr, user);
	enum bk_role role;
	bk_status rc = BK_OK;

	*me_p = me;
	if (!me) {
		rc = bk_fail(BK_ERR_AUTH, "no user '%s' in this vault", user);
		log_failed_unlock(v, user, NULL, "failed", "unknown user");
		goto out;
	}
	v->me = (size_t)(me - v->kr.users);
	if (bk_role_parse(me->role, &role) != BK_OK) {
		rc = bk_fail(BK_ERR_CORRUPT, "keyring: user '%s' has an unknown role", user);
		goto out;
	}
	if (role == BK_ROLE_EVALUATOR || !me->has_slot) {
		rc = bk_fail(BK_ERR_DENIED, "user '%s' is an evaluator: evaluators hold no vault key and cannot "
					    "unlock the vault", user);
		bk_hint("evaluators use 'brankas request new' and 'brankas extract open'");
		log_failed_unlock(v, user, me->role, "denied", "evaluators cannot unlock");
		goto out;
	}
	if (me->disabled) {
		rc = bk_fail(BK_ERR_DENIED, "user '%s' is disabled", user);
		log_failed_unlock(v, user, me->role, "denied", "user disabled");
		goto out;
	}
out:
	return rc;
}

/* open_grants opens each key granted to user (me), through secret (guarded,
 * BK_KEY_SECRET_MAX bytes, wiped by the caller), into the handle. */
static bk_status open_grants(struct bk_vault *v, const char *user, const struct bk_keyring_user *me, uint8_t *secret)
{
	bk_status rc = BK_OK;

	for (size_t i = 0; i < v->kr.ngrants; i++) {
		const struct bk_keyring_grant *g = &v->kr.grants[i];
		size_t len = 0;

		if (strcmp(g->user, user) != 0)
			continue;
		if ((rc = bk_keyring_grant_open(g, me->box_pk, v->box_sk, secret, &len)) ||
		    (rc = add_secret(v, bk_keyring_key_by_id(&v->kr, g->key_id), secret, len)))
			goto out;
	}
out:
	return rc;
}

static bk_status vault_open(const char *dir, const char *user, const char *pass, size_t passlen, const uint8_t *keys,
			    const char *command, struct bk_vault **v_p);

bk_status bk_vault_open(const char *dir, const char *user, const char *pass, size_t passlen, const char *command,
			struct bk_vault **v_p)
{
	return vault_open(dir, user, pass, passlen, NULL, command, v_p);
}

bk_status bk_vault_open_keys(const char *dir, const char *user, const uint8_t keys[BK_SLOT_PLAINBYTES],
			     const char *command, struct bk_vault **v_p)
{
	return vault_open(dir, user, NULL, 0, keys, command, v_p);
}

/* open_db opens vault.db under the newest database key the user holds, or,
 * while a `key rotate --db` is under way (the keyring holds two versions and
 * vault.db may still be under the older), under the one before it. A file
 * that opens under neither is damage, as with one key. *dbk_p: the key used. */
static bk_status open_db(struct bk_vault *v, struct vault_key **dbk_p)
{
	struct vault_key *newest = *dbk_p, *older = held_below(v, BK_KEY_DB, NULL, newest->version);
	bk_status rc;

	if ((rc = bk_db_open(v->db_path, newest->secret, 0, &v->db)) != BK_ERR_CORRUPT)
		goto out;
	if (!older)
		goto out;
	bk_error_clear();
	if ((rc = bk_db_open(v->db_path, older->secret, 0, &v->db)) == BK_OK)
		*dbk_p = older;
out:
	if (rc == BK_OK)
		snprintf(v->db_key_id, sizeof(v->db_key_id), "%s", (*dbk_p)->id);
	return rc;
}

/* vault_open: bk_vault_open with the passphrase, or with the user's keys. */
static bk_status vault_open(const char *dir, const char *user, const char *pass, size_t passlen, const uint8_t *keys,
			    const char *command, struct bk_vault **v_p)
{
	struct bk_vault *v = vault_new();
	struct bk_keyring_user *me;
	struct vault_key *dbk;
	uint8_t *secret = bk_secmem_alloc(BK_KEY_SECRET_MAX);
	bk_status rc;

	*v_p = NULL;
	if (!v || !secret) {
		rc = bk_fail(BK_ERR_NOMEM, "out of memory");
		goto out;
	}
	snprintf(v->command, sizeof(v->command), "%s", command);
	if ((rc = set_paths(v, dir)))
		goto out;
	if ((rc = bk_file_read(v->keyring_path, KEYRING_MAX, &v->keyring_text, &v->keyring_len))) {
		if (rc == BK_ERR_NOTFOUND) {
			bk_hint("is '%s' a brankas vault? create one with 'brankas init'", dir);
			rc = bk_fail(BK_ERR_NOTFOUND, "no keyring in '%s'", dir);
		}
		goto out;
	}
	if ((rc = bk_keyring_parse(&v->kr, "keyring", v->keyring_text, v->keyring_len)) || (rc = check_vault_pub(v)))
		goto out;
	if ((rc = check_name(user)))
		goto out;
	if ((rc = open_user(v, user, &me)))
		goto out;
	if (keys) { /* recovered keys: checked against the signed public keys */
		if ((rc = bk_keyring_keys_check(me, keys)))
			goto out;
		memcpy(v->box_sk, keys, 32);
		memcpy(v->sign_sk, keys + 32, 64);
	} else if ((rc = bk_keyring_slot_open(&v->kr, me, pass, passlen, v->box_sk, v->sign_sk))) {
		if (rc == BK_ERR_AUTH)
			log_failed_unlock(v, user, me->role, "failed", "wrong passphrase");
		goto out;
	} else if (me->slot.once && strcmp(command, "user passwd") != 0) {
		/* an admin knows this passphrase: nothing but choosing one's own */
		bk_hint("choose your own first: brankas -u %s user passwd", user);
		rc = bk_fail(BK_ERR_DENIED, "the passphrase of '%s' was set by an admin and works only to change it",
			     user);
		log_failed_unlock(v, user, me->role, "denied", "one-time passphrase not changed yet");
		goto out;
	}
	if ((rc = open_grants(v, user, me, secret)))
		goto out;
	dbk = bk_vault_secret(v, BK_KEY_DB, NULL);
	if (dbk && (rc = open_db(v, &dbk)))
		goto out;
	if (!dbk) {
		rc = bk_fail(BK_ERR_DENIED, "user '%s' holds no database key", user);
		goto out;
	}
	/* every page of vault.db authenticates (it holds no citizen row: small), not only
	 * those this command happens to read; the stores' pages as they are read, and by check */
	if ((rc = check_pins(v)) ||
	    (rc = bk_db_pages_check(v->db, "main")) || (rc = load_regions(v)))
		goto out;
	load_index(v, 0, BK_INDEX_LEGACY);
	/* an admin finishes what a migration or an interrupted init left: store
	 * keys first, then the stores; everyone attaches the stores they hold */
	if ((rc = settle_keyring(v)) || (bk_vault_role(v) == BK_ROLE_ADMIN && (rc = add_store_keys(v))) ||
	    (rc = open_stores(v, bk_vault_role(v) == BK_ROLE_ADMIN)) || (rc = check_serials(v)) ||
	    (rc = bk_vault_route(v)) ||
	    (v->unconfirmed && (rc = reconcile(v))) || (rc = move_in(v)))
		goto out;
	*v_p = v;
	v = NULL;
out:
	bk_secmem_free(secret);
	bk_vault_close(v);
	return rc;
}

/* --- users --- */

bk_status bk_vault_user_add(struct bk_vault *v, const struct bk_vault_user_spec *spec)
{
	struct bk_keyring_user u;
	struct bk_kdf_params params;
	struct bk_audit_entry e;
	uint8_t *box_sk = bk_secmem_alloc(32), *sign_sk = bk_secmem_alloc(64);
	char detail[64];
	bk_status rc;

	if (!box_sk || !sign_sk) {
		rc = bk_fail(BK_ERR_NOMEM, "out of guarded memory");
		goto out;
	}
	if ((rc = bk_vault_require(v, BK_ACT_USER_ADMIN, NULL, BK_COL_NONE, NULL)) || (rc = check_name(spec->name)))
		goto out;
	if (bk_keyring_user(&v->kr, spec->name)) {
		rc = bk_fail(BK_ERR_EXISTS, "user '%s' already exists", spec->name);
		goto out;
	}
	memset(&u, 0, sizeof(u));
	snprintf(u.name, sizeof(u.name), "%s", spec->name);
	snprintf(u.role, sizeof(u.role), "%s", bk_role_name(spec->role));
	bk_vault_now(u.created);
	if (spec->nscope > 0 && spec->role != BK_ROLE_CUSTODIAN && spec->role != BK_ROLE_OPERATOR &&
	    spec->role != BK_ROLE_ANALYST) {
		rc = bk_fail(BK_ERR_USAGE, "role '%s' takes no --scope", u.role);
		goto out;
	}
	if ((rc = resolve_scope(&v->regions, spec->scope, spec->nscope, &u)))
		goto out;
	if (spec->role == BK_ROLE_EVALUATOR) {
		if (!spec->public_id ||
		    bk_bech32_decode(u.box_pk, 32, "age", spec->public_id, strlen(spec->public_id)) != BK_OK) {
			bk_hint("an evaluator's id is the age1… line printed by 'brankas identity new'");
			rc = bk_fail(BK_ERR_USAGE, "--pubkey is not an evaluator's public id");
			goto out;
		}
	} else {
		if (spec->public_id) {
			rc = bk_fail(BK_ERR_USAGE, "--pubkey is only for evaluators");
			goto out;
		}
		u.has_sign = 1;
		bk_kdf_params_for_level(spec->kdf, &params);
		if ((rc = bk_box_keypair(u.box_pk, box_sk)) || (rc = bk_sign_keypair(u.sign_pk, sign_sk)) ||
		    (rc = bk_keyring_slot_seal(&v->kr, &u, spec->pass, spec->passlen, &params, box_sk, sign_sk)))
			goto out;
	}
	if ((rc = bk_keyring_add_user(&v->kr, &u)) || (rc = grant_role_keys(v, u.name, spec->role)))
		goto out;
	snprintf(detail, sizeof(detail), "role %s, %zu kecamatan in scope", u.role, u.nscope);
	bk_audit_entry_init(&e);
	e.action = "user-add";
	e.target = u.name;
	e.detail = detail;
	rc = change_keyring(v, &e, 1);
out:
	bk_secmem_free(box_sk);
	bk_secmem_free(sign_sk);
	return rc;
}

bk_status bk_vault_user_disable(struct bk_vault *v, const char *name)
{
	struct bk_keyring_user *u;
	struct bk_audit_entry e;
	size_t admins = 0;
	bk_status rc;

	if ((rc = bk_vault_require(v, BK_ACT_USER_ADMIN, NULL, BK_COL_NONE, NULL)))
		return rc;
	u = bk_keyring_user(&v->kr, name);
	if (!u)
		return bk_fail(BK_ERR_NOTFOUND, "no user '%.32s'", name);
	if (u->disabled)
		return bk_fail(BK_ERR_STATE, "user '%s' is already disabled", name);
	for (size_t i = 0; i < v->kr.nusers; i++)
		admins += !v->kr.users[i].disabled && strcmp(v->kr.users[i].role, "admin") == 0;
	if (strcmp(u->role, "admin") == 0 && admins <= 1)
		return bk_fail(BK_ERR_STATE, "'%s' is the last admin and cannot be disabled", name);
	u->disabled = 1;
	bk_keyring_revoke_grants(&v->kr, name);
	bk_audit_entry_init(&e);
	e.action = "user-disable";
	e.target = name;
	return change_keyring(v, &e, 1);
}

bk_status bk_vault_user_reset(struct bk_vault *v, const char *name, const char *pass, size_t passlen,
			      enum bk_kdf_level kdf, int enable_only)
{
	struct bk_keyring_user *u;
	struct bk_kdf_params params;
	struct bk_audit_head head;
	struct bk_audit_entry e;
	enum bk_role role;
	uint8_t *box_sk = bk_secmem_alloc(32), *sign_sk = bk_secmem_alloc(64);
	int was_disabled;
	bk_status rc;

	if (!box_sk || !sign_sk) {
		rc = bk_fail(BK_ERR_NOMEM, "out of guarded memory");
		goto out;
	}
	if ((rc = bk_vault_require(v, BK_ACT_USER_ADMIN, NULL, BK_COL_NONE, NULL)))
		goto out;
	if (!(u = bk_keyring_user(&v->kr, name))) {
		rc = bk_fail(BK_ERR_NOTFOUND, "no user '%.32s'", name);
		goto out;
	}
	if ((rc = bk_role_parse(u->role, &role)))
		goto out;
	was_disabled = u->disabled;
	if (role == BK_ROLE_EVALUATOR || !u->has_sign) {
		bk_hint("an evaluator makes a new identity ('brankas identity new'); an admin adds it under a new name");
		rc = bk_fail(BK_ERR_USAGE, "'%s' is an evaluator: evaluators have no passphrase in the vault", name);
		goto out;
	}
	if (u == &v->kr.users[v->me]) {
		rc = bk_fail(BK_ERR_USAGE, "that is you: 'brankas user passwd' changes your own passphrase");
		goto out;
	}
	if (enable_only && !was_disabled) {
		rc = bk_fail(BK_ERR_STATE, "user '%s' is not disabled", name);
		goto out;
	}
	if (u->npast_sign == BK_PAST_SIGN_MAX) {
		rc = bk_fail(BK_ERR_STATE, "user '%s' was reset %d times already: add them under a new name", name,
			     BK_PAST_SIGN_MAX);
		goto out;
	}
	/* new key pairs: the old slot's keys open no new grant. The old signing
	 * key stays in the keyring for the entries it signed, up to the head now
	 * (this command's own entries come after it) */
	if ((rc = bk_vault_pinned_head(v, &head)))
		goto out;
	memcpy(u->past_sign[u->npast_sign], u->sign_pk, 32);
	u->past_until[u->npast_sign++] = head.seq;
	bk_kdf_params_for_level(kdf, &params);
	if ((rc = bk_box_keypair(u->box_pk, box_sk)) || (rc = bk_sign_keypair(u->sign_pk, sign_sk)) ||
	    (rc = bk_keyring_slot_seal_once(&v->kr, u, pass, passlen, &params, box_sk, sign_sk)))
		goto out;
	u->disabled = 0;
	bk_keyring_revoke_grants(&v->kr, name);
	if ((rc = grant_role_keys(v, name, role)))
		goto out;
	bk_audit_entry_init(&e);
	e.action = enable_only ? "user-enable" : "user-reset";
	e.target = name;
	e.detail = was_disabled ? "new keys and a one-time passphrase; enabled again" : "new keys and a one-time passphrase";
	rc = change_keyring(v, &e, 1);
out:
	if (rc != BK_OK && v->keyring_text) { /* the keyring in memory is the one read: nothing half changed stays */
		struct bk_keyring again;

		if (bk_keyring_parse(&again, "keyring", v->keyring_text, v->keyring_len) == BK_OK) {
			bk_keyring_release(&v->kr);
			v->kr = again;
		}
	}
	bk_secmem_free(box_sk);
	bk_secmem_free(sign_sk);
	return rc;
}

bk_status bk_vault_user_passwd(struct bk_vault *v, const char *pass, size_t passlen, enum bk_kdf_level kdf)
{
	struct bk_keyring_user *me = &v->kr.users[v->me];
	struct bk_kdf_params params;
	struct bk_audit_entry e;
	bk_status rc;

	if ((rc = bk_vault_require(v, BK_ACT_USER_PASSWD, NULL, BK_COL_NONE, NULL)))
		return rc;
	bk_kdf_params_for_level(kdf, &params);
	if ((rc = bk_keyring_slot_seal(&v->kr, me, pass, passlen, &params, v->box_sk, v->sign_sk)))
		return rc;
	bk_audit_entry_init(&e);
	e.action = "passwd";
	e.target = me->name;
	return change_keyring(v, &e, 0);
}

/* --- status and checks --- */

const char *bk_vault_library_versions(char *cipher, size_t cap)
{
	return bk_db_library_version(cipher, cap);
}

bk_status bk_vault_status(struct bk_vault *v, struct bk_vault_status *st)
{
	const struct bk_keyring_key *rk = bk_keyring_current_key(&v->kr, BK_KEY_RELEASE, NULL);
	uint8_t id[BK_MINISIGN_KEYIDBYTES];
	bk_status rc;

	memset(st, 0, sizeof(*st));
	if ((rc = bk_vault_require(v, BK_ACT_STATUS, NULL, BK_COL_NONE, NULL)) ||
	    (rc = bk_vault_record(v, "status", NULL)))
		return rc;
	bk_hex_encode(st->vault_id, v->kr.vault_id, sizeof(v->kr.vault_id));
	memcpy(st->created, v->kr.created, sizeof(st->created));
	release_key_id(id, rk->pub);
	bk_minisign_key_id_hex(st->release_key_id, id);
	/* a witness holding an older vault.pub finds its key id here */
	for (size_t i = v->kr.nkeys, n = 0; i-- > 0 && n < 8;) {
		const struct bk_keyring_key *k = &v->kr.keys[i];
		size_t len = strlen(st->retired_release_ids);
		char hex[17];

		if (k->kind != BK_KEY_RELEASE || k == rk || !k->has_pub)
			continue;
		release_key_id(id, k->pub);
		bk_minisign_key_id_hex(hex, id);
		snprintf(st->retired_release_ids + len, sizeof(st->retired_release_ids) - len, "%s%s", n++ ? " " : "",
			 hex);
	}
	st->keyring_generation = v->kr.generation;
	if ((rc = bk_db_cipher_version(v->db, st->cipher_version, sizeof(st->cipher_version))))
		return rc;
	for (size_t i = 0; i < v->kr.nusers; i++) {
		enum bk_role role;

		if (v->kr.users[i].disabled) {
			st->users_disabled++;
			continue;
		}
		if (bk_role_parse(v->kr.users[i].role, &role) == BK_OK)
			st->users_by_role[role]++;
	}
	for (size_t i = 0; i < v->kr.nkeys; i++) {
		const struct bk_keyring_key *k = &v->kr.keys[i];

		if (k->version > st->key_versions[k->kind])
			st->key_versions[k->kind] = k->version;
		st->kecamatan_keys += k->kind == BK_KEY_KECAMATAN &&
				      bk_keyring_current_key(&v->kr, k->kind, k->scope) == k;
		st->store_keys += k->kind == BK_KEY_STORE && bk_keyring_current_key(&v->kr, k->kind, k->scope) == k;
	}
	for (size_t i = 0; i < v->kr.ngrants; i++) {
		const struct bk_keyring_key *k = bk_keyring_key_by_id(&v->kr, v->kr.grants[i].key_id);
		size_t len = strlen(st->rotating);

		if (k && (k->kind == BK_KEY_KECAMATAN || k->kind == BK_KEY_STORE || k->kind == BK_KEY_BLIND) && k->scope[0] &&
		    bk_keyring_current_key(&v->kr, k->kind, k->scope) != k && !strstr(st->rotating, k->scope) &&
		    len + strlen(k->scope) + 2 < sizeof(st->rotating))
			snprintf(st->rotating + len, sizeof(st->rotating) - len, "%s%s", len ? " " : "", k->scope);
	}
	{
		sqlite3_stmt *q = NULL;

		/* the kecamatan markers ("reseal:35.05.10"), not the datasets' ("reseal:35.05.10:warga") */
		if (sqlite3_prepare_v2(v->db, "SELECT count(*) FROM meta WHERE key LIKE 'reseal:%' AND key NOT LIKE 'reseal:%:%'",
				       -1, &q, NULL) == SQLITE_OK &&
		    sqlite3_step(q) == SQLITE_ROW)
			st->reseal_pending = (size_t)sqlite3_column_int64(q, 0);
		sqlite3_finalize(q);
	}
	st->stores_attached = v->nstores;
	st->kecamatan = v->regions.kecamatan_count;
	st->desa = v->regions.desa_count;
	snprintf(st->kabupaten, sizeof(st->kabupaten), "%s", v->regions.items[0].nama);
	return read_pinned_head(v->db, &st->audit_head);
}

static int lookup_actor(void *ctx, const char *actor, size_t len, unsigned which, uint8_t pk[32], uint64_t *until)
{
	const struct bk_keyring *kr = ctx;

	for (size_t i = 0; i < kr->nusers; i++) {
		const struct bk_keyring_user *u = &kr->users[i];

		if (strlen(u->name) != len || memcmp(u->name, actor, len) != 0 || !u->has_sign)
			continue;
		if (which == 0) {
			memcpy(pk, u->sign_pk, 32);
			*until = UINT64_MAX;
			return 0;
		}
		if (which > u->npast_sign)
			return -1;
		memcpy(pk, u->past_sign[which - 1], 32);
		*until = u->past_until[which - 1];
		return 0;
	}
	return -1;
}

/* The signature cache: "signatures up to entry SEQ (hash HASH) were verified by
 * ACTOR", signed by that actor. vault.db is writable by every user holding the
 * database key, so the cache is trusted only when signed by a role that may
 * verify the log and when the log still has HASH at SEQ. Otherwise every
 * signature is verified again. */
#define CACHE_CONTEXT "brankas-audit-verified-v1"

static void cache_message(uint8_t *msg, const struct bk_vault *v, const struct bk_audit_head *h, const char *actor)
{
	size_t n = 0, al = strlen(actor);

	memcpy(msg, CACHE_CONTEXT, sizeof(CACHE_CONTEXT) - 1);
	n += sizeof(CACHE_CONTEXT) - 1;
	memcpy(msg + n, v->kr.vault_id, BK_VAULT_IDBYTES);
	n += BK_VAULT_IDBYTES;
	for (int i = 7; i >= 0; i--)
		msg[n++] = (uint8_t)(h->seq >> (8 * i));
	memcpy(msg + n, h->hash, BK_AUDIT_HASHBYTES);
	n += BK_AUDIT_HASHBYTES;
	memcpy(msg + n, actor, al);
}

#define CACHE_MSG_MAX (sizeof(CACHE_CONTEXT) + BK_VAULT_IDBYTES + 8 + BK_AUDIT_HASHBYTES + BK_NAME_MAX)

static int trusted_cache(struct bk_vault *v, struct bk_audit_head *h_out)
{
	char text[512], actor[BK_NAME_MAX + 1], hash_hex[65], sig_b64[89];
	const struct bk_keyring_user *u;
	struct bk_audit_head h;
	uint8_t msg[CACHE_MSG_MAX], sig[BK_SIGN_BYTES];
	unsigned long long seq;
	size_t siglen = 0;

	if (bk_db_meta_get(v->db, "audit_sigs_verified", text, sizeof(text)) != BK_OK ||
	    sscanf(text, "%llu %64s %32s %88s", &seq, hash_hex, actor, sig_b64) != 4 || seq == 0)
		return 0;
	h.seq = seq;
	u = bk_keyring_user(&v->kr, actor);
	if (!u || u->disabled || !u->has_sign || bk_hex_decode(h.hash, sizeof(h.hash), hash_hex, strlen(hash_hex)) != BK_OK ||
	    bk_b64_decode(sig, sizeof(sig), &siglen, sig_b64, strlen(sig_b64)) != BK_OK || siglen != sizeof(sig) ||
	    (strcmp(u->role, "admin") != 0 && strcmp(u->role, "auditor") != 0 && strcmp(u->role, "custodian") != 0))
		return 0;
	cache_message(msg, v, &h, actor);
	if (bk_sign_verify(sig, msg, CACHE_MSG_MAX - BK_NAME_MAX - 1 + strlen(actor), u->sign_pk) != BK_OK)
		return 0;
	*h_out = h;
	return 1;
}

static bk_status save_cache(struct bk_vault *v, const struct bk_audit_head *h)
{
	const char *actor = bk_vault_me(v)->name;
	char text[512], hash_hex[65], sig_b64[BK_B64_LEN(BK_SIGN_BYTES)];
	uint8_t msg[CACHE_MSG_MAX], sig[BK_SIGN_BYTES];
	bk_status rc;

	cache_message(msg, v, h, actor);
	if ((rc = bk_sign_detached(sig, msg, CACHE_MSG_MAX - BK_NAME_MAX - 1 + strlen(actor), v->sign_sk)))
		return rc;
	bk_hex_encode(hash_hex, h->hash, sizeof(h->hash));
	bk_b64_encode(sig_b64, sig, sizeof(sig));
	snprintf(text, sizeof(text), "%llu %s %s %s", (unsigned long long)h->seq, hash_hex, actor, sig_b64);
	return bk_db_meta_set(v->db, "audit_sigs_verified", text);
}

/* Verifies the whole log inside an open transaction and refreshes the cache. */
static bk_status verify_log(struct bk_vault *v, const struct bk_audit_head *since, int full,
			    struct bk_audit_report *report)
{
	struct bk_audit_verify_opts opts;
	struct bk_audit_head pinned, cached;
	bk_status rc;

	if ((rc = read_pinned_head(v->db, &pinned)))
		return rc;
	memset(&opts, 0, sizeof(opts));
	opts.vault_id = v->kr.vault_id;
	opts.lookup = lookup_actor;
	opts.lookup_ctx = &v->kr;
	opts.pinned = &pinned;
	opts.since = since;
	/* the cached head works as a checkpoint: the log must still have its hash
	 * at its seq, and the signatures up to it were verified by a trusted role */
	if (!full && !since && trusted_cache(v, &cached)) {
		opts.since = &cached;
		opts.sigs_checked_through = cached.seq;
	}
	if ((rc = bk_audit_verify(v->audit_path, &opts, report)))
		return rc;
	/* only roles that may verify sign the cache; and only up to the pinned head,
	 * the part anchored inside vault.db */
	if (bk_vault_role(v) != BK_ROLE_ADMIN && bk_vault_role(v) != BK_ROLE_AUDITOR &&
	    bk_vault_role(v) != BK_ROLE_CUSTODIAN)
		return BK_OK;
	return save_cache(v, report->last_signed.seq <= pinned.seq ? &report->last_signed : &pinned);
}

bk_status bk_vault_check(struct bk_vault *v, struct bk_audit_report *audit)
{
	struct bk_audit_entry e;
	struct bk_keyring again;
	uint8_t *text = NULL;
	size_t len = 0;
	bk_status rc;

	if ((rc = bk_vault_require(v, BK_ACT_CHECK, NULL, BK_COL_NONE, NULL)))
		return rc;
	if ((rc = bk_db_integrity_check(v->db)))
		return rc;
	if ((rc = bk_file_read(v->keyring_path, KEYRING_MAX, &text, &len)))
		return rc;
	rc = bk_keyring_parse(&again, "keyring", text, len);
	if (rc == BK_OK) {
		bk_keyring_release(&again);
		if (len != v->keyring_len || memcmp(text, v->keyring_text, len) != 0)
			rc = bk_fail(BK_ERR_CORRUPT, "the keyring changed on disk since this command opened it");
	}
	free(text);
	if (rc != BK_OK || (rc = check_pins(v)) || (rc = check_vault_pub(v)) || (rc = bk_vault_begin(v)))
		return rc;
	bk_audit_entry_init(&e);
	e.action = "check";
	if ((rc = verify_log(v, NULL, 0, audit)) || (rc = bk_vault_audit(v, &e)) || (rc = bk_vault_commit(v))) {
		bk_vault_rollback(v);
		return rc;
	}
	return BK_OK;
}

struct last_restore {
	int found;
	uint64_t seq, from; /* the restore entry, and the backup's last entry */
	char actor[BK_NAME_MAX + 1], time[24];
};

static bk_status note_restore(void *ctx, const char *line, size_t len)
{
	struct last_restore *r = ctx;
	json_t *j = json_loadb(line, len, 0, NULL);
	json_t *seq = json_object_get(j, "seq"), *rows = json_object_get(j, "rows");
	const char *outcome = json_string_value(json_object_get(j, "outcome"));

	if (json_is_integer(seq) && json_is_integer(rows) && json_integer_value(rows) >= 0 && outcome &&
	    strcmp(outcome, "ok") == 0) {
		r->found = 1;
		r->seq = (uint64_t)json_integer_value(seq);
		r->from = (uint64_t)json_integer_value(rows);
		const char *actor = json_string_value(json_object_get(j, "actor"));
		const char *time = json_string_value(json_object_get(j, "time"));

		snprintf(r->actor, sizeof(r->actor), "%s", actor ? actor : "?");
		snprintf(r->time, sizeof(r->time), "%s", time ? time : "?");
	}
	json_decref(j);
	return BK_OK;
}

/* The log did not extend the checkpoint (failure rc). When the log verifies
 * on its own and its last signed restore came from a backup older than the
 * checkpoint, that is what happened: said plainly (exit 1), not as tampering. */
static bk_status explain_rewind(struct bk_vault *v, const struct bk_audit_head *since, int full, bk_status rc)
{
	const struct bk_audit_filter only = {NULL, "restore", NULL};
	struct bk_audit_report alone;
	struct last_restore r = {0};
	char why[1024];

	snprintf(why, sizeof(why), "%s", bk_error_detail());
	if (bk_vault_begin(v) != BK_OK)
		goto tampering;
	if (verify_log(v, NULL, full, &alone) != BK_OK || bk_audit_show(v->audit_path, &only, note_restore, &r) != BK_OK) {
		bk_vault_rollback(v);
		goto tampering;
	}
	bk_vault_rollback(v);
	if (r.found && r.from < since->seq && r.seq > r.from) {
		bk_hint("the checkpoint's history after entry %" PRIu64 " lives only in the vault that was backed up; "
			"compare with its own log if it still exists",
			r.from);
		return bk_fail(BK_ERR_STATE,
			       "audit.log does not extend the checkpoint at entry %" PRIu64 ": the vault was restored at entry "
			       "%" PRIu64 " (by %s, %s) from a backup made at entry %" PRIu64
			       ", so the history after that entry was rewound by the restore, not altered",
			       since->seq, r.seq, r.actor, r.time, r.from);
	}
tampering:
	return bk_fail(rc, "%s", why);
}

bk_status bk_vault_audit_verify(struct bk_vault *v, const char *since_text, size_t since_len, const char *since_sig,
				size_t since_sig_len, int full, struct bk_audit_report *report)
{
	struct bk_audit_head since;
	struct bk_audit_entry e;
	bk_status rc;

	memset(report, 0, sizeof(*report));
	if ((rc = bk_vault_require(v, BK_ACT_AUDIT_VERIFY, NULL, BK_COL_NONE, NULL)))
		return rc;
	if (since_text) {
		if (!since_sig)
			return bk_fail(BK_ERR_CORRUPT, "the checkpoint has no signature file");
		/* by the release key of its time: current, or one a rotation retired */
		rc = BK_ERR_CORRUPT;
		for (size_t i = 0; i < v->kr.nkeys && rc != BK_OK; i++) {
			const struct bk_keyring_key *rk = &v->kr.keys[i];
			struct bk_minisign_pub pub;

			if (rk->kind != BK_KEY_RELEASE || !rk->has_pub)
				continue;
			memcpy(pub.pk, rk->pub, 32);
			release_key_id(pub.key_id, rk->pub);
			rc = bk_minisign_verify(since_sig, since_sig_len, (const uint8_t *)since_text, since_len, &pub,
						NULL);
		}
		if (rc)
			return bk_fail(BK_ERR_CORRUPT, "the checkpoint's signature does not verify with vault.pub, "
						       "nor with a release key a rotation retired");
		if ((rc = bk_audit_checkpoint_parse(since_text, since_len, v->kr.vault_id, &since)))
			return rc;
	}
	if ((rc = bk_vault_begin(v)))
		return rc;
	if ((rc = verify_log(v, since_text ? &since : NULL, full, report))) {
		bk_vault_rollback(v);
		/* a checkpoint past a restore's backup: history was rewound, openly */
		if (rc == BK_ERR_CORRUPT && since_text)
			rc = explain_rewind(v, &since, full, rc);
		return rc;
	}
	bk_audit_entry_init(&e);
	e.action = "audit-verify";
	e.rows = (long long)report->entries;
	if ((rc = bk_vault_audit(v, &e)) || (rc = bk_vault_commit(v))) {
		bk_vault_rollback(v);
		return rc;
	}
	return BK_OK;
}

/* Signs m, or the file whose BLAKE2b-512 is prehash, with the release key. */
static bk_status release_sign(struct bk_vault *v, const uint8_t *m, size_t mlen, const uint8_t *prehash,
			      const char *comment, char **sig_p)
{
	struct vault_key *rk = bk_vault_secret(v, BK_KEY_RELEASE, NULL);
	struct bk_minisign_sec *sec;
	bk_status rc;

	*sig_p = NULL;
	if (!rk)
		return bk_fail(BK_ERR_DENIED, "you hold no release key");
	sec = bk_secmem_alloc(sizeof(*sec));
	if (!sec)
		return bk_fail(BK_ERR_NOMEM, "out of guarded memory");
	memcpy(sec->sk, rk->secret, 64);
	release_key_id(sec->key_id, rk->secret + 32);
	rc = prehash ? bk_minisign_sign_prehashed(sig_p, prehash, sec, comment)
		     : bk_minisign_sign(sig_p, m, mlen, sec, comment);
	bk_secmem_free(sec);
	return rc;
}

bk_status bk_vault_release_sign(struct bk_vault *v, const uint8_t *m, size_t mlen, const char *comment, char **sig_p)
{
	return release_sign(v, m, mlen, NULL, comment, sig_p);
}

bk_status bk_vault_release_sign_prehashed(struct bk_vault *v, const uint8_t hash[64], const char *comment,
					  char **sig_p)
{
	return release_sign(v, NULL, 0, hash, comment, sig_p);
}

bk_status bk_vault_pinned_head(struct bk_vault *v, struct bk_audit_head *head)
{
	return read_pinned_head(v->db, head);
}

bk_status bk_vault_audit_checkpoint(struct bk_vault *v, char **text_p, char **sig_p)
{
	struct vault_key *rk = bk_vault_secret(v, BK_KEY_RELEASE, NULL);
	struct bk_audit_head head;
	struct bk_audit_entry e;
	char comment[128];
	bk_status rc;

	*text_p = NULL;
	*sig_p = NULL;
	if ((rc = bk_vault_require(v, BK_ACT_AUDIT_CHECKPOINT, NULL, BK_COL_NONE, NULL)))
		return rc;
	if (!rk)
		return bk_fail(BK_ERR_DENIED, "you hold no release key to sign a checkpoint");
	bk_audit_entry_init(&e);
	e.action = "audit-checkpoint";
	if ((rc = bk_vault_begin(v)))
		return rc;
	if ((rc = bk_vault_audit(v, &e)) || (rc = bk_vault_commit(v)))
		return rc;
	if ((rc = read_pinned_head(v->db, &head)) || (rc = bk_audit_checkpoint_format(text_p, v->kr.vault_id, &head)))
		return rc;
	snprintf(comment, sizeof(comment), "brankas audit checkpoint seq:%llu", (unsigned long long)head.seq);
	rc = bk_vault_release_sign(v, (const uint8_t *)*text_p, strlen(*text_p), comment, sig_p);
	if (rc != BK_OK) {
		free(*text_p);
		*text_p = NULL;
	}
	return rc;
}

bk_status bk_vault_db_key_export(struct bk_vault *v, const char *store, char out[68])
{
	struct vault_key *k;
	struct bk_audit_entry e;
	bk_status rc;

	out[0] = '\0';
	if ((rc = bk_vault_require(v, BK_ACT_KEY_ADMIN, NULL, BK_COL_NONE, NULL)))
		return rc;
	k = bk_vault_secret(v, store ? BK_KEY_STORE : BK_KEY_DB, store);
	/* the key the file is under now (a rotation may be under way) */
	const char *under = store ? bk_vault_store_key_id(v, store) : v->db_key_id;

	for (size_t i = 0; under && i < v->nkeys; i++)
		if (strcmp(v->keys[i].id, under) == 0)
			k = &v->keys[i];
	if (store && !bk_regions_find(&v->regions, BK_REGION_KECAMATAN, store))
		return bk_fail(BK_ERR_USAGE, "'%s' is not a kecamatan of this vault", store);
	if (!k || k->len != 32)
		return bk_fail(BK_ERR_DENIED, store ? "you hold no key of that store" : "you hold no database key");
	bk_audit_entry_init(&e);
	e.action = "db-key-export";
	e.target = k->id;
	/* logged before the key leaves */
	if ((rc = bk_vault_begin(v)))
		return rc;
	if ((rc = bk_vault_audit(v, &e)) || (rc = bk_vault_commit(v))) {
		bk_vault_rollback(v);
		return rc;
	}
	out[0] = 'x';
	out[1] = '\'';
	bk_hex_encode(out + 2, k->secret, 32);
	out[66] = '\'';
	out[67] = '\0';
	return BK_OK;
}
