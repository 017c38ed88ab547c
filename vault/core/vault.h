/* ROOM vault/core - the vault handle and what every command stands on: the
 * stores (db), the audit log, access rules (acl), sealed fields, region codes.
 * May call base/ and crypto/ only.
 *
 * vault.h - a vault directory: lifecycle, unlocking, users, transactions with
 * their audit entries, status and integrity checks.
 *
 *   DIR/vault.db   SQLCipher database under a random raw key (grant "db")
 *   DIR/keyring    key slots and grants (crypto/keyring.h), signed by the keyring key
 *   DIR/audit.log  hash-chained JSON Lines (vault/core/audit.h)
 *   DIR/vault.pub  the release key's public half, minisign format
 *
 * Every command that has unlocked the vault records what it did through
 * bk_vault_audit + bk_vault_commit: the entries are durable (fsync) before the
 * database transaction commits, and the new audit head is pinned in vault.db
 * in that same transaction. If the entry cannot be written the command fails
 * and nothing leaves (fail closed). */
#ifndef BK_VAULT_H
#define BK_VAULT_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "crypto/kdf.h"
#include "crypto/keyring.h"
#include "vault/core/acl.h"
#include "vault/core/audit.h"
#include "vault/core/regions.h"

struct bk_vault;

struct bk_vault_init_opts {
	const char *dir;
	const char *admin;
	const char *pass; /* the admin's passphrase (secret) */
	size_t passlen;
	enum bk_kdf_level kdf;
	const char *regions_name; /* NULL: the built-in Kabupaten Blitar */
	const char *regions_text;
	size_t regions_len;
	/* what the new vault holds besides its keys and regions, written in the
	 * same transaction (the schema room's datasets); NULL: nothing */
	bk_status (*populate)(struct bk_vault *v);
};

/* bk_vault_create creates DIR (mode 0700; it must not exist or be empty) with
 * a new database, keyring, audit log and vault.pub, and the first admin.
 * Callers want bk_vault_init (schema/datasets.h), which adds the datasets. */
bk_status bk_vault_create(const struct bk_vault_init_opts *opts) BK_MUST_CHECK;

/* bk_vault_open unlocks DIR as user: checks the keyring signature and that it
 * belongs to this vault.pub, opens the user's slot with pass, opens the user's
 * grants, opens vault.db with the database key and checks the pinned keyring
 * generation and audit head. command names the CLI command for audit entries.
 * A wrong passphrase is BK_ERR_AUTH and is logged (unsigned); any integrity
 * problem BK_ERR_CORRUPT; an evaluator or disabled user BK_ERR_DENIED. */
bk_status bk_vault_open(const char *dir, const char *user, const char *pass, size_t passlen, const char *command,
			struct bk_vault **v_p) BK_MUST_CHECK;

/* bk_vault_open_keys unlocks as bk_vault_open does, with the user's secret
 * keys (box_sk || sign_sk, checked against the signed public keys) instead
 * of the passphrase: after a recovery (vault/keep/recovery.h). */
bk_status bk_vault_open_keys(const char *dir, const char *user, const uint8_t keys[BK_SLOT_PLAINBYTES],
			     const char *command, struct bk_vault **v_p) BK_MUST_CHECK;

/* bk_vault_close rolls back an open transaction, wipes keys, frees; NULL ok. */
void bk_vault_close(struct bk_vault *v);

/* Who is unlocked. */
const struct bk_keyring_user *bk_vault_me(const struct bk_vault *v);
enum bk_role bk_vault_role(const struct bk_vault *v);
const struct bk_keyring *bk_vault_keyring(const struct bk_vault *v);
const struct bk_regions *bk_vault_regions(const struct bk_vault *v);

/* bk_vault_require asks bk_acl_check with the user's role and scope. When
 * denied, an audit entry (outcome "denied") is committed and BK_ERR_DENIED
 * returned with the reason kept in the error detail. */
bk_status bk_vault_require(struct bk_vault *v, enum bk_action action, const char *dataset, enum bk_colclass cls,
			   const char *kecamatan) BK_MUST_CHECK;

/* Transactions. bk_vault_begin starts a write transaction (BEGIN IMMEDIATE)
 * and takes the audit lock; bk_vault_audit queues an entry (actor, role and
 * command are filled in); bk_vault_commit writes the entries signed by the
 * user, pins the head and commits. On any failure bk_vault_commit rolls back. */
bk_status bk_vault_begin(struct bk_vault *v) BK_MUST_CHECK;
bk_status bk_vault_audit(struct bk_vault *v, struct bk_audit_entry *e) BK_MUST_CHECK;
bk_status bk_vault_commit(struct bk_vault *v) BK_MUST_CHECK;
void bk_vault_rollback(struct bk_vault *v);

/* bk_vault_log commits one entry in a transaction of its own: for outcomes
 * that change nothing else, denials and failures included. */
bk_status bk_vault_log(struct bk_vault *v, struct bk_audit_entry *e) BK_MUST_CHECK;

/* bk_vault_read_begin opens a read transaction for a batch of reads (NIK
 * lookups): until bk_vault_read_end every statement reads the same snapshot and
 * the database's file locks are taken once, not per statement. Nothing writes
 * in between: bk_vault_begin refuses (BK_ERR_STATE) until bk_vault_read_end.
 * Audit what the batch reveals after bk_vault_read_end, before showing it. */
bk_status bk_vault_read_begin(struct bk_vault *v) BK_MUST_CHECK;
void bk_vault_read_end(struct bk_vault *v);

/* bk_vault_record runs begin + one entry (action, outcome "ok") + commit: the
 * usual way for a read-only command to log itself before showing anything. */
bk_status bk_vault_record(struct bk_vault *v, const char *action, const char *target) BK_MUST_CHECK;

/* Users (admin). scope holds kecamatan codes or names; they are resolved
 * against the vault's regions and stored as codes. For vault roles pass is the
 * new user's first passphrase; for evaluators pass is NULL and public_id the
 * age recipient ("age1…") printed by `brankas identity new`. */
struct bk_vault_user_spec {
	const char *name;
	enum bk_role role;
	const char *const *scope;
	size_t nscope;
	const char *pass;
	size_t passlen;
	enum bk_kdf_level kdf;
	const char *public_id;
};
bk_status bk_vault_user_add(struct bk_vault *v, const struct bk_vault_user_spec *spec) BK_MUST_CHECK;
bk_status bk_vault_user_disable(struct bk_vault *v, const char *name) BK_MUST_CHECK;

/* bk_vault_user_reset (admin) gives another vault user new key pairs, their
 * role's grants again, and a one-time passphrase pass that opens only `user
 * passwd`; a disabled user is enabled again (enable_only: only a disabled
 * one, audited as user-enable). Their old signing key stays in the keyring
 * for the entries it signed up to now. Not for evaluators or oneself. */
bk_status bk_vault_user_reset(struct bk_vault *v, const char *name, const char *pass, size_t passlen,
			      enum bk_kdf_level kdf, int enable_only) BK_MUST_CHECK;

/* bk_vault_user_passwd changes the unlocked user's own passphrase (same keys,
 * new slot). */
bk_status bk_vault_user_passwd(struct bk_vault *v, const char *pass, size_t passlen, enum bk_kdf_level kdf) BK_MUST_CHECK;

struct bk_vault_status {
	char vault_id[33];
	char created[24];
	char release_key_id[17];
	char retired_release_ids[8 * 18]; /* "ID ID ...": what a rotation retired, newest first, at most 8 */
	uint64_t keyring_generation;
	char cipher_version[32];
	size_t users_by_role[BK_ROLE_COUNT];
	size_t users_disabled;
	unsigned key_versions[BK_KEY_KIND_COUNT]; /* highest version of each kind */
	size_t kecamatan_keys;
	size_t store_keys;      /* kecamatan stores with a key in the keyring */
	size_t stores_attached; /* of them, the ones this user's connection holds */
	size_t kecamatan;
	size_t desa;
	char kabupaten[96];
	struct bk_audit_head audit_head; /* pinned in vault.db */
	/* key rotate --region stopped half-way: kecamatan codes with an older
	 * version still granted ("35.05.10 ..."), and kecamatan whose values a
	 * --reencrypt has still to seal again */
	char rotating[8 * 16];
	size_t reseal_pending;
};
bk_status bk_vault_status(struct bk_vault *v, struct bk_vault_status *st) BK_MUST_CHECK;

/* bk_vault_library_versions writes the linked SQLCipher's version ("4.9.0
 * community") into cipher, empty when the library is plain SQLite, and returns
 * the version of the SQLite under it (a static string). Needs no vault. */
const char *bk_vault_library_versions(char *cipher, size_t cap);

/* bk_vault_check: SQLCipher integrity check of every page, the keyring
 * signature (re-read from disk), and the whole audit log. BK_ERR_CORRUPT with
 * the first problem in the detail. */
bk_status bk_vault_check(struct bk_vault *v, struct bk_audit_report *audit) BK_MUST_CHECK;

/* Audit. verify: the whole chain, every signature not verified before (all
 * when full), the pinned head, and the checkpoint when since_text is given
 * (with its .minisig in since_sig, verified against vault.pub). */
bk_status bk_vault_audit_verify(struct bk_vault *v, const char *since_text, size_t since_len, const char *since_sig,
				size_t since_sig_len, int full, struct bk_audit_report *report) BK_MUST_CHECK;

/* bk_vault_audit_checkpoint returns a checkpoint of the current head and its
 * minisign signature by the release key (both malloc'd). */
bk_status bk_vault_audit_checkpoint(struct bk_vault *v, char **text_p, char **sig_p) BK_MUST_CHECK;

/* The audit log's path, for `audit show`. */
const char *bk_vault_audit_path(const struct bk_vault *v);

/* bk_vault_audit_hash writes the keyed hash (audit key) of a personal value as
 * 32 hex digits + NUL into out, for audit entries that must not hold the value. */
bk_status bk_vault_audit_hash(struct bk_vault *v, const void *value, size_t len, char out[33]) BK_MUST_CHECK;

/* bk_vault_db_key_export (admin, audited) writes the database's raw key as the
 * SQLCipher key spec x'<64 hex>' into out (68 bytes, guarded memory, secret):
 * what the `sqlcipher` shell needs to open vault.db for recovery or audit;
 * with store set (a kecamatan code), the key of that kecamatan's store
 * (kec/<code>.db) instead. */
bk_status bk_vault_db_key_export(struct bk_vault *v, const char *store, char out[68]) BK_MUST_CHECK;

/* bk_vault_user_name_ok: 1..32 of [a-z0-9._-]. */
int bk_vault_user_name_ok(const char *name);

/* bk_vault_on_move: a function told, while an unlock moves rows waiting in
 * vault.db into their kecamatan stores (a vault made before the stores),
 * how many are moved of how many; for a progress bar. */
void bk_vault_on_move(void (*fn)(void *ctx, uint64_t done, uint64_t total), void *ctx);

#endif
