/* stores.h - one SQLCipher store per kecamatan (DESIGN §3, §5): kec/<code>.db
 * holds that kecamatan's citizen rows under the kecamatan's own store key
 * (keyring kind "store", a raw SQLCipher key). The key is granted only to
 * those who may read the kecamatan's plain columns: admins, and custodians
 * and analysts whose scope holds it (unscoped ones: every kecamatan).
 * Operators and auditors hold none. Unlocking attaches exactly the stores
 * whose keys the user holds, each as schema kec_<code> with '_' for '.', so
 * a connection never holds rows outside the user's scope: key possession,
 * not a SQL parser, decides what a query can reach.
 *
 * Each store names itself in store_meta (vault id, kecamatan code), checked
 * at every attach: a store copied in from another kecamatan or vault does not
 * decrypt (another key) and, were the key the same, would not match.
 * vault.db pins which stores were made (meta "store:<code>"): a pinned store
 * that is missing is tampering (exit 3), an unpinned one is made by the next
 * admin unlock (a migration or an init that stopped half way).
 *
 * Citizen rows live in the store of their kecamatan; vault.db keeps only
 * rows with no kecamatan (datasets without one), rows of a vault made before
 * the stores, and its inbox: rows written by a user without the kecamatan's
 * store key (operators), each sealed whole to the kecamatan's public key, so
 * that no one reads them back without that kecamatan's keys. The next unlock
 * by a custodian or admin who holds them moves both in (bk_stores_move_in,
 * bk_stores_move_inbox). */
#ifndef BK_STORES_H
#define BK_STORES_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "crypto/keyring.h"
#include "vault/core/db.h"

/* "kec_35_05_01": the schema name of a kecamatan's store on the connection. */
#define BK_STORE_SCHEMA_MAX 40
void bk_store_schema(char out[BK_STORE_SCHEMA_MAX], const char *kecamatan);

/* bk_stores_file names file f of a connection with n stores attached, kec[]
 * their codes: f = 0 is vault.db ("main"), f = 1..n the store of kec[f-1]. */
void bk_stores_file(char (*kec)[BK_CODE_MAX], size_t f, char schema[BK_STORE_SCHEMA_MAX]);

/* The functions below work on the vault's connection db; the vault handle
 * (vault.c) walks the region list with the keys the user holds. vault_id is
 * the vault's id in hex. */

/* bk_store_pinned: whether vault.db says kecamatan's store was made. */
bk_status bk_store_pinned(sqlite3 *db, const char *kecamatan, int *pinned_p) BK_MUST_CHECK;

/* bk_store_make creates kec/ and the kecamatan's store (a new 0600 file, or
 * the one an interrupted run left), attaches it, writes its identity and the
 * id of the blind key that indexes it (bk_store_index_id; NULL: the legacy
 * one) and pins it in vault.db. Outside a transaction. Resumable. */
bk_status bk_store_make(sqlite3 *db, const char *dir, const char *kecamatan, const uint8_t key[BK_DB_KEYBYTES],
			const char *vault_id, const char *index_id) BK_MUST_CHECK;

/* bk_store_attach attaches a made store under key and checks that it names
 * this vault and kecamatan. BK_ERR_CORRUPT (exit 3) when it is missing, does
 * not decrypt (altered, or another kecamatan's file), or names another vault
 * or kecamatan. */
bk_status bk_store_attach(sqlite3 *db, const char *dir, const char *kecamatan, const uint8_t key[BK_DB_KEYBYTES],
			  const char *vault_id) BK_MUST_CHECK;

/* bk_store_index_id: the id of the blind key that indexes the NIKs of the
 * store's rows (store_meta "blind"; BK_INDEX_LEGACY, the vault-wide key, for
 * a store made before the kecamatan blind keys). bk_store_index_set records
 * another, in the caller's transaction, once every row is indexed under it.
 * A row whose index is not known under that key has none (NULL): a lookup
 * reads those too, and the next unlock by a holder of the keys makes it. */
#define BK_INDEX_LEGACY "blind:v1"
bk_status bk_store_index_id(sqlite3 *db, const char *kecamatan, char out[BK_KEY_ID_MAX]) BK_MUST_CHECK;
bk_status bk_store_index_set(sqlite3 *db, const char *kecamatan, const char *id) BK_MUST_CHECK;

/* bk_stores_route gives every citizen table of vault.db (ds_*) a twin in each
 * of the n attached stores (made when missing) and, with stores attached, a
 * TEMP view of the same name over vault.db's rows and every store's:
 * unqualified reads of ds_NAME see exactly the rows the keys reach. Writes
 * name their file: INSERT the store of the row's kecamatan (import.c),
 * UPDATE and DELETE the file bk_stores_locate or bk_stores_place gives.
 * Run again after a dataset is made. */
bk_status bk_stores_route(sqlite3 *db, char (*kec)[BK_CODE_MAX], size_t n) BK_MUST_CHECK;

/* bk_stores_locate: the file ("main" or a store's schema) that holds row id
 * of table; BK_ERR_NOTFOUND when no attached file does. bk_stores_place
 * first moves the row, when needed, to the file rows of kecamatan belong in
 * (its store when attached, else vault.db to move in later) and gives that
 * file: an edit that changes a row's kecamatan moves it. Inside the
 * caller's transaction. */
bk_status bk_stores_locate(sqlite3 *db, char (*kec)[BK_CODE_MAX], size_t n, const char *table, int64_t id,
			   char schema[BK_STORE_SCHEMA_MAX]) BK_MUST_CHECK;
bk_status bk_stores_place(sqlite3 *db, char (*kec)[BK_CODE_MAX], size_t n, const char *table, int64_t id,
			  const char *kecamatan, char schema[BK_STORE_SCHEMA_MAX]) BK_MUST_CHECK;

/* bk_stores_waiting counts the rows in vault.db whose kecamatan is one of
 * the n attached stores'; bk_stores_move_in moves them in, in chunks of
 * their own transactions (outside any transaction; resumable: a crash leaves
 * a row in both files, never in neither), calling progress(ctx, moved,
 * total) after each chunk. */
typedef void (*bk_store_progress_fn)(void *ctx, uint64_t done, uint64_t total);
bk_status bk_stores_waiting(sqlite3 *db, char (*kec)[BK_CODE_MAX], size_t n, uint64_t *rows_p) BK_MUST_CHECK;
bk_status bk_stores_move_in(sqlite3 *db, char (*kec)[BK_CODE_MAX], size_t n, uint64_t total,
			    bk_store_progress_fn progress, void *ctx, uint64_t *moved_p) BK_MUST_CHECK;

/* bk_stores_move_inbox moves the inbox entries of the n attached stores
 * that open (open: ctx, the entry's kecamatan, the box and its length, out
 * for the plain text of length - BK_SEAL_OVERHEAD; BK_ERR_DENIED when the
 * user lacks that kecamatan's key, and the entry stays) into their stores, in
 * chunks of two transactions as bk_stores_move_in. An entry that does not
 * open or does not fit is tampering (BK_ERR_CORRUPT). Outside any
 * transaction. */
typedef bk_status (*bk_store_open_fn)(void *ctx, const char *kecamatan, const uint8_t *box, size_t len,
				      uint8_t *out);
bk_status bk_stores_move_inbox(sqlite3 *db, char (*kec)[BK_CODE_MAX], size_t n, bk_store_open_fn open, void *ctx,
			       uint64_t *moved_p) BK_MUST_CHECK;

/* bk_store_bump adds one to the store's serial and pins it in vault.db, in
 * the caller's transaction, which writes the store; bk_store_check_serial:
 * BK_ERR_CORRUPT when the store's serial and its pin differ (one of the two
 * files was put back from an older copy). */
bk_status bk_store_bump(sqlite3 *db, const char *kecamatan) BK_MUST_CHECK;
bk_status bk_store_check_serial(sqlite3 *db, const char *kecamatan) BK_MUST_CHECK;

#endif
