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
 * WARNING: this is the foundation of the per-kecamatan storage. The stores
 * exist, are keyed, granted, attached and checked; the citizen rows still
 * live in vault.db's ds_* tables until the migration that moves them. */
#ifndef BK_STORES_H
#define BK_STORES_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "vault/core/db.h"

/* "kec_35_05_01": the schema name of a kecamatan's store on the connection. */
#define BK_STORE_SCHEMA_MAX 40
void bk_store_schema(char out[BK_STORE_SCHEMA_MAX], const char *kecamatan);

/* The functions below work on the vault's connection db; the vault handle
 * (vault.c) walks the region list with the keys the user holds. vault_id is
 * the vault's id in hex. */

/* bk_store_pinned: whether vault.db says kecamatan's store was made. */
bk_status bk_store_pinned(sqlite3 *db, const char *kecamatan, int *pinned_p) BK_MUST_CHECK;

/* bk_store_make creates kec/ and the kecamatan's store (a new 0600 file, or
 * the one an interrupted run left), attaches it, writes its identity and
 * pins it in vault.db. Outside a transaction. Resumable. */
bk_status bk_store_make(sqlite3 *db, const char *dir, const char *kecamatan, const uint8_t key[BK_DB_KEYBYTES],
			const char *vault_id) BK_MUST_CHECK;

/* bk_store_attach attaches a made store under key and checks that it names
 * this vault and kecamatan. BK_ERR_CORRUPT (exit 3) when it is missing, does
 * not decrypt (altered, or another kecamatan's file), or names another vault
 * or kecamatan. */
bk_status bk_store_attach(sqlite3 *db, const char *dir, const char *kecamatan, const uint8_t key[BK_DB_KEYBYTES],
			  const char *vault_id) BK_MUST_CHECK;

#endif
