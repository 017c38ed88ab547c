/* records_internal.h - what the files of the records room share and nothing
 * above it needs: opening a batch's data key, a row's plain columns as JSON,
 * and the walk over one person's rows that find, subject rights and
 * corrections use. */
#ifndef BK_RECORDS_INTERNAL_H
#define BK_RECORDS_INTERNAL_H

#include <jansson.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "vault/core/vault_internal.h"

/* bk_vault_batch_key opens the data key of an import batch into key (32
 * bytes, guarded) with the user's key of that kecamatan. BK_ERR_DENIED when
 * the user holds no such key; BK_ERR_CORRUPT when the batch is altered or
 * belongs to another kecamatan. */
bk_status bk_vault_batch_key(struct bk_vault *v, int64_t batch, const char *kecamatan, uint8_t *key) BK_MUST_CHECK;

/* bk_record_plain_json adds a row's plain (not sealed) columns from a
 * "SELECT * FROM ds_NAME" statement to row. */
struct bk_dataset;
void bk_record_plain_json(const struct bk_dataset *ds, sqlite3_stmt *st, json_t *row);

/* bk_vault_subject_rows calls fn for every row of every dataset naming its
 * subjects by a blind-indexed NIK (only: that dataset alone) whose NIK is nik:
 * the candidates of its truncated blind index and the unindexed rows, each
 * opened with the user's kecamatan key and compared in constant time. st is
 * the row ("SELECT *"), vals/lens its opened sealed values in schema order
 * (guarded; valid during the call only). Candidates the user holds no key for
 * are counted in r->unreadable; r->rows counts the matches. */
struct bk_subject_result;
typedef bk_status (*bk_subject_row_fn)(void *ctx, const struct bk_dataset *ds, sqlite3_stmt *st,
				       const uint8_t **vals, const size_t *lens);
bk_status bk_vault_subject_rows(struct bk_vault *v, const char *nik, const char *only, bk_subject_row_fn fn,
				void *ctx, struct bk_subject_result *r) BK_MUST_CHECK;

/* bk_subject_lookups_stale: rows of dataset (NULL: any) were written on this
 * connection; lookups in this transaction read which index values its files
 * hold again (subjects.c). Every writer of blind indexes calls it. */
void bk_subject_lookups_stale(struct bk_vault *v, const char *dataset);

/* bk_subject_check_nik: BK_ERR_USAGE unless nik is a valid NIK written as
 * exactly 16 digits. */
bk_status bk_subject_check_nik(const char *nik) BK_MUST_CHECK;

/* bk_subject_cache_free releases what NIK lookups keep in the vault handle;
 * NULL ok. */
void bk_subject_cache_free(struct bk_subject_cache *c);

#endif
