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

#include <stddef.h>

#include "base/error.h"

struct bk_vault;

/* "kec_35_05_01": the schema name of a kecamatan's store on the connection. */
#define BK_STORE_SCHEMA_MAX 40
void bk_store_schema(char out[BK_STORE_SCHEMA_MAX], const char *kecamatan);

/* bk_stores_make creates kec/ and the store of every kecamatan of the
 * region list whose store key the user holds and that vault.db has not
 * pinned as made yet, and pins it; idempotent and resumable (init, and the
 * migration of an existing vault). Must run outside a transaction. */
bk_status bk_stores_make(struct bk_vault *v) BK_MUST_CHECK;

/* bk_stores_attach attaches the store of every store key the user holds and
 * checks it names this vault and kecamatan. BK_ERR_CORRUPT (exit 3) for a
 * pinned store that is missing, does not decrypt or names another vault or
 * kecamatan. */
bk_status bk_stores_attach(struct bk_vault *v) BK_MUST_CHECK;

/* bk_stores_count: how many stores are attached on the connection. */
size_t bk_stores_count(const struct bk_vault *v);

#endif
