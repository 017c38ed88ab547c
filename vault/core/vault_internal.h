/* vault_internal.h - the vault's private state, shared by the vault/ files
 * that implement its commands (vault.c, datasets.c, import.c, edit.c, …). Nothing
 * outside vault/ includes this. */
#ifndef BK_VAULT_INTERNAL_H
#define BK_VAULT_INTERNAL_H

#include <limits.h>
#include <jansson.h>
#include <sqlite3.h>

#include "vault/core/vault.h"

#define BK_BATCH_CACHE_SLOTS 256

struct bk_subject_cache;

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
	/* opened batch data keys, direct-mapped by batch id, their keys in one
	 * guarded block: repeated lookups unseal each batch's key once (X25519) */
	struct {
		int64_t batch; /* 0: empty */
		char kecamatan[BK_CODE_MAX];
	} batch_cache[BK_BATCH_CACHE_SLOTS];
	uint8_t *batch_keys; /* guarded: BK_BATCH_CACHE_SLOTS keys of 32 bytes */
	struct bk_subject_cache *lookup; /* NIK lookups' schemas, statements, buffers (subjects.c) */
};

/* bk_vault_forget_batches empties the batch-key cache: after a rollback a
 * batch id may come back with another key. (records.c) */
void bk_vault_forget_batches(struct bk_vault *v);

/* bk_subject_cache_free releases what NIK lookups keep in the vault handle;
 * NULL ok. (subjects.c) */
void bk_subject_cache_free(struct bk_subject_cache *c);

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
 * kecamatan code for kecamatan keys, else NULL); NULL if not held. */
struct vault_key *bk_vault_secret(const struct bk_vault *v, enum bk_key_kind kind, const char *scope);

/* bk_vault_release_sign signs m with the vault's release key in minisign's
 * format (the trusted comment is comment); *sig_p is malloc'd text that
 * `minisign -Vm FILE -p vault.pub` checks. BK_ERR_DENIED without the key. */
bk_status bk_vault_release_sign(struct bk_vault *v, const uint8_t *m, size_t mlen, const char *comment,
				char **sig_p) BK_MUST_CHECK;

/* bk_vault_now writes the UTC time as 2026-11-27T20:46:19Z. */
void bk_vault_now(char out[24]);

/* bk_vault_install_profile registers the built-in `inovasi` datasets (init). */
bk_status bk_vault_install_profile(struct bk_vault *v) BK_MUST_CHECK;

/* bk_vault_batch_key opens the data key of an import batch into key (32
 * bytes, guarded) with the user's key of that kecamatan. BK_ERR_DENIED when
 * the user holds no such key; BK_ERR_CORRUPT when the batch is altered or
 * belongs to another kecamatan. (records.c) */
bk_status bk_vault_batch_key(struct bk_vault *v, int64_t batch, const char *kecamatan, uint8_t *key) BK_MUST_CHECK;

/* bk_record_plain_json adds a row's plain (not sealed) columns from a
 * "SELECT * FROM ds_NAME" statement to row. (records.c) */
struct bk_dataset;
void bk_record_plain_json(const struct bk_dataset *ds, sqlite3_stmt *st, json_t *row);

/* bk_vault_subject_rows calls fn for every row of every dataset naming its
 * subjects by a blind-indexed NIK (only: that dataset alone) whose NIK is nik:
 * the candidates of its truncated blind index and the unindexed rows, each
 * opened with the user's kecamatan key and compared in constant time. st is
 * the row ("SELECT *"), vals/lens its opened sealed values in schema order
 * (guarded; valid during the call only). Candidates the user holds no key for
 * are counted in r->unreadable; r->rows counts the matches. (subjects.c) */
struct bk_subject_result;
typedef bk_status (*bk_subject_row_fn)(void *ctx, const struct bk_dataset *ds, sqlite3_stmt *st,
				       const uint8_t **vals, const size_t *lens);
bk_status bk_vault_subject_rows(struct bk_vault *v, const char *nik, const char *only, bk_subject_row_fn fn,
				void *ctx, struct bk_subject_result *r) BK_MUST_CHECK;

/* bk_subject_check_nik: BK_ERR_USAGE unless nik is a valid NIK written as
 * exactly 16 digits. (subjects.c) */
bk_status bk_subject_check_nik(const char *nik) BK_MUST_CHECK;

#endif
