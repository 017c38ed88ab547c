/* vault_internal.h - the vault's private state, shared by the vault/ files
 * that implement its commands (vault.c, datasets.c, import.c, edit.c, …). Nothing
 * outside vault/ includes this. */
#ifndef BK_VAULT_INTERNAL_H
#define BK_VAULT_INTERNAL_H

#include <limits.h>
#include <jansson.h>
#include <sqlite3.h>

#include "vault/core/fields.h"
#include "vault/core/vault.h"

#define BK_BATCH_CACHE_SLOTS 256

struct bk_subject_cache;

/* Kecamatan stores one connection attaches at most: the largest regency,
 * Kabupaten Bogor, has 40 kecamatan; SQLite's limit is SQLITE_MAX_ATTACHED. */
#define BK_STORES_MAX 60

struct vault_key {
	char id[BK_KEY_ID_MAX];
	enum bk_key_kind kind;
	unsigned version;
	char scope[BK_CODE_MAX];
	uint8_t *secret; /* guarded memory */
	size_t len;
};

struct bk_vault {
	char dir[PATH_MAX];
	char db_path[PATH_MAX];
	char keyring_path[PATH_MAX];
	char audit_path[PATH_MAX];
	char pub_path[PATH_MAX];
	char command[32];
	uint8_t *keyring_text; /* as read at open: changes must start from it */
	size_t keyring_len;
	struct bk_keyring kr;
	size_t me;             /* index into kr.users */
	uint8_t *box_sk;       /* guarded */
	uint8_t *sign_sk;      /* guarded */
	struct vault_key *keys;
	size_t nkeys;
	sqlite3 *db;
	struct bk_regions regions;
	struct bk_audit_writer *aw;
	int in_tx;
	int in_read; /* bk_vault_read_begin: a read transaction for a batch of lookups */
	uint64_t txn_serial; /* counts transactions begun: what one read within a transaction holds for it */
	/* opened batch data keys, direct-mapped by batch id, their keys in one
	 * guarded block: repeated lookups unseal each batch's key once (X25519) */
	struct {
		int64_t batch; /* 0: empty */
		char kecamatan[BK_CODE_MAX];
	} batch_cache[BK_BATCH_CACHE_SLOTS];
	uint8_t *batch_keys; /* guarded: BK_BATCH_CACHE_SLOTS keys of 32 bytes */
	/* NIK lookups' schemas, statements, buffers: owned by the records room
	 * (subjects.c), which sets lookup_free with it; the handle frees it on close */
	struct bk_subject_cache *lookup;
	/* the kecamatan stores attached on db (stores.c), by kecamatan code */
	char stores[BK_STORES_MAX][BK_CODE_MAX];
	char store_key_ids[BK_STORES_MAX][BK_KEY_ID_MAX]; /* the key each opened under (a rotation may be under way) */
	size_t nstores;
	int sealed; /* the transaction sealed to a kecamatan key (bk_vault_mark_sealed) */
	uint64_t stores_written; /* bit i: the transaction wrote stores[i]; its serial goes up at commit */
	/* what indexes the NIKs of each file, numbered as bk_stores_file does: the
	 * blind key's id (stores.h, bk_store_index_id) and, when held, the key */
	char index_ids[BK_STORES_MAX + 1][BK_KEY_ID_MAX];
	struct bk_index_key *index_keys; /* guarded, BK_STORES_MAX + 1 */
	uint8_t index_held[BK_STORES_MAX + 1];
	uint64_t unconfirmed; /* signed commands after the pinned head, found at open */
	sqlite3_stmt *share; /* takes every file's shared lock in order (bk_vault_read_begin) */
	char db_key_id[BK_KEY_ID_MAX]; /* the key vault.db opened under (a rotation may be under way) */
	size_t share_n;      /* the stores it names */
	void (*lookup_free)(struct bk_subject_cache *c);
};

/* bk_vault_mark_written notes that the open transaction writes the file
 * schema ("main": nothing to note, or a store's kec_...), or the file of
 * kecamatan's rows: bk_vault_commit then adds one to that store's serial
 * (stores.h), so that a store put back alone from an older copy is seen. */
void bk_vault_mark_written(struct bk_vault *v, const char *schema);
void bk_vault_mark_kecamatan(struct bk_vault *v, const char *kecamatan);

/* bk_vault_mark_sealed notes that the open transaction sealed something to a
 * kecamatan's public key (a batch's data key, an inbox entry). Such a
 * transaction, and one that wrote a store, commits only while the keyring is
 * the generation this command unlocked: a `key rotate --region` that began
 * since re-wraps what was sealed before it and retires the old key pair, so
 * a commit sealed to that key after it would be lost to everyone. */
void bk_vault_mark_sealed(struct bk_vault *v);

/* bk_vault_store_key_id: the id of the store key kecamatan's store is
 * attached under (the older one while a rotation is under way), NULL when
 * it is not attached. */
const char *bk_vault_store_key_id(const struct bk_vault *v, const char *kecamatan);

/* bk_vault_inbox_open opens an inbox entry of kecamatan (box, len) into out
 * (len - BK_SEAL_OVERHEAD bytes) with the newest key pair of the kecamatan
 * the user holds that opens it; *key_id_p (may be NULL): that key's id.
 * BK_ERR_CORRUPT when none does. */
bk_status bk_vault_inbox_open(struct bk_vault *v, const char *kecamatan, const uint8_t *box, size_t len,
			      uint8_t *out, const char **key_id_p) BK_MUST_CHECK;

/* bk_vault_index_key: the key that indexes the NIKs of file f (numbered as
 * bk_stores_file does), NULL when the user does not hold it: rows written
 * there get no index, and lookups there read only the rows without one.
 * bk_vault_index_id names it. bk_vault_index_switch records, in the caller's
 * transaction, that store f is now indexed under id, a blind key the user
 * holds (subjects.c, having indexed every row under it). */
const struct bk_index_key *bk_vault_index_key(const struct bk_vault *v, size_t f);
/* bk_vault_finds_nik: whether the user holds any blind key (admins and custodians) */
int bk_vault_finds_nik(const struct bk_vault *v);
const char *bk_vault_index_id(const struct bk_vault *v, size_t f);
bk_status bk_vault_index_switch(struct bk_vault *v, size_t f, const char *id) BK_MUST_CHECK;

/* bk_vault_route (re)makes the views joining vault.db's citizen tables with
 * the attached stores (stores.h): after a dataset is made. */
bk_status bk_vault_route(struct bk_vault *v) BK_MUST_CHECK;

/* bk_vault_page_cache sets SQLite's page cache of vault.db and of every
 * attached store (PRAGMA cache_size is per file) to kib KiB in all, shared
 * out: a batch of lookups or a bulk load gets the same memory whatever the
 * number of stores. */
bk_status bk_vault_page_cache(struct bk_vault *v, unsigned kib) BK_MUST_CHECK;

/* bk_vault_holds_every_store: whether the user's connection attached the
 * store of every kecamatan (admins, unscoped custodians and analysts). */
int bk_vault_holds_every_store(const struct bk_vault *v);

/* bk_vault_no_row is the failure of action on row id of dataset that no
 * attached file holds: not found (exit 1) for a user who holds every store,
 * else denied (exit 4, audited like bk_vault_require): the row may be in a
 * kecamatan whose key the user lacks, and whether it exists there is not
 * theirs to learn. */
bk_status bk_vault_no_row(struct bk_vault *v, enum bk_action action, const char *dataset, long long id);

/* bk_vault_forget_batches empties the batch-key cache: after a rollback a
 * batch id may come back with another key. */
void bk_vault_forget_batches(struct bk_vault *v);

/* bk_vault_acl asks bk_acl_check with the user's role and scope, without the
 * audit entry bk_vault_require writes: for per-row checks inside a command
 * that audits its outcome as a whole. */
bk_status bk_vault_acl(const struct bk_vault *v, enum bk_action action, const char *dataset, enum bk_colclass cls,
		       const char *kecamatan) BK_MUST_CHECK;

/* bk_vault_own_scope is the first kecamatan of the user's scope, or NULL for
 * an unscoped user: what a command asks the access check for "may the user do
 * this at all" before checking each row against its own kecamatan. */
const char *bk_vault_own_scope(const struct bk_vault *v);

/* bk_vault_secret finds the highest version of a key the user holds (scope:
 * kecamatan code for a kecamatan's keys, NULL for unscoped ones); NULL if not
 * held. */
struct vault_key *bk_vault_secret(const struct bk_vault *v, enum bk_key_kind kind, const char *scope);

/* bk_vault_release_sign signs m with the vault's release key in minisign's
 * format (the trusted comment is comment); *sig_p is malloc'd text that
 * `minisign -Vm FILE -p vault.pub` checks. BK_ERR_DENIED without the key. */
bk_status bk_vault_release_sign(struct bk_vault *v, const uint8_t *m, size_t mlen, const char *comment,
				char **sig_p) BK_MUST_CHECK;

/* Keys (vault/keep/rotate.c): bk_vault_new_key makes the next version of
 * a key (scope: its kecamatan, or NULL) and grants it to every enabled user
 * whose role holds it; bk_vault_change_keyring signs and writes the keyring
 * changed so, with its audit entry, in one pinned change; bk_vault_db_key_id
 * names the key vault.db opened under. */
bk_status bk_vault_new_key(struct bk_vault *v, enum bk_key_kind kind, const char *scope) BK_MUST_CHECK;
bk_status bk_vault_change_keyring(struct bk_vault *v, struct bk_audit_entry *e) BK_MUST_CHECK;
const char *bk_vault_db_key_id(const struct bk_vault *v);

/* bk_vault_pinned_head reads the audit head pinned in vault.db. */
bk_status bk_vault_pinned_head(struct bk_vault *v, struct bk_audit_head *head) BK_MUST_CHECK;

/* bk_vault_publish_release_key writes vault.pub anew (atomically) from the
 * current release key of the signed keyring (after key rotate --signing). */
bk_status bk_vault_publish_release_key(struct bk_vault *v) BK_MUST_CHECK;

/* bk_vault_release_sign_prehashed signs the file whose BLAKE2b-512 is hash
 * with the release key, as minisign does (crypto/minisign.h). */
bk_status bk_vault_release_sign_prehashed(struct bk_vault *v, const uint8_t hash[64], const char *comment,
					  char **sig_p) BK_MUST_CHECK;

/* bk_vault_now writes the UTC time as 2026-11-27T20:46:19Z. */
void bk_vault_now(char out[24]);

#endif
