/* reseal.c - a kecamatan's sealed values under fresh data keys (reseal.h). */
#include "vault/records/reseal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/box.h"
#include "crypto/secmem.h"
#include "vault/core/db.h"
#include "vault/core/fields.h"
#include "vault/core/stores.h"
#include "vault/core/vault_internal.h"
#include "vault/records/records_internal.h"
#include "vault/schema/dataset.h"

#define CHUNK_ROWS 2000

/* One dataset of one kecamatan being sealed again. */
struct job {
	struct bk_vault *v;
	const char *kec;
	char schema[BK_STORE_SCHEMA_MAX];
	struct bk_dataset ds;
	char names[BK_SEALED_NAMES_MAX];
	size_t nsealed;
	char marker[BK_CODE_MAX + BK_DATASET_NAME_MAX + 16];
	int64_t batch;   /* the new batch */
	int64_t after;   /* the last row id a chunk of this run sealed again: the next starts past it */
	uint8_t *key;    /* its data key (guarded) */
	uint8_t *subkey; /* its nonce subkey (guarded) */
	uint8_t *old;    /* a row's old data key (guarded) */
	uint8_t ad[BK_FIELDS_AD_MAX];
	size_t ad_fixed;
};

static bk_status meta_find(sqlite3 *db, const char *key, char *out, size_t cap, int *found_p)
{
	bk_status rc = bk_db_meta_get(db, key, out, cap);

	*found_p = rc == BK_OK;
	if (rc == BK_ERR_NOTFOUND) {
		bk_error_clear();
		rc = BK_OK;
	}
	return rc;
}

static bk_status meta_drop(sqlite3 *db, const char *key)
{
	sqlite3_stmt *st = NULL;
	int src = sqlite3_prepare_v2(db, "DELETE FROM main.meta WHERE key = ?", -1, &st, NULL);

	if (src == SQLITE_OK && (src = sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC)) == SQLITE_OK)
		src = sqlite3_step(st);
	sqlite3_finalize(st);
	return src == SQLITE_DONE ? BK_OK : bk_db_status(db, src, "dropping a marker");
}

/* count of sql (one integer column), its ?1 the kecamatan, ?2 the dataset, ?3 the batch */
static bk_status count_of(struct job *j, const char *fmt, long long *n_p)
{
	char *sql = sqlite3_mprintf(fmt, j->schema, j->ds.name, j->ds.name);
	sqlite3_stmt *st = NULL;
	int src = sql ? sqlite3_prepare_v2(j->v->db, sql, -1, &st, NULL) : SQLITE_NOMEM;

	sqlite3_free(sql);
	if (src == SQLITE_OK) {
		sqlite3_bind_text(st, 1, j->kec, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, j->ds.name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, j->batch);
		src = sqlite3_step(st);
	}
	if (src == SQLITE_ROW)
		*n_p = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return src == SQLITE_ROW ? BK_OK : bk_db_status(j->v->db, src, "counting rows to seal again");
}

/* The new batch: a random data key sealed to the kecamatan's current pair,
 * recorded and named in the dataset's marker, in the caller's transaction. */
static bk_status new_batch(struct job *j)
{
	const struct bk_keyring_key *kk = bk_keyring_current_key(&j->v->kr, BK_KEY_KECAMATAN, j->kec);
	uint8_t sealed[BK_SEAL_OVERHEAD + BK_FIELDS_KEYBYTES];
	char now[24], id[24];
	sqlite3_stmt *st = NULL;
	bk_status rc;
	int src;

	if (!kk)
		return bk_fail(BK_ERR_STATE, "no key pair for kecamatan %s", j->kec);
	bk_random(j->key, BK_FIELDS_KEYBYTES);
	if ((rc = bk_seal(sealed, j->key, BK_FIELDS_KEYBYTES, kk->pub)))
		return rc;
	bk_vault_now(now);
	src = sqlite3_prepare_v2(j->v->db,
				 "INSERT INTO main.batches (id, dataset, kecamatan, key_id, sealed_key, created, actor) "
				 "VALUES ((SELECT coalesce(max(id), 0) + 1 FROM main.batches), ?1, ?2, ?3, ?4, ?5, ?6)",
				 -1, &st, NULL);
	if (src == SQLITE_OK) {
		sqlite3_bind_text(st, 1, j->ds.name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, j->kec, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, kk->id, -1, SQLITE_STATIC);
		sqlite3_bind_blob(st, 4, sealed, (int)sizeof(sealed), SQLITE_STATIC);
		sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, bk_vault_me(j->v)->name, -1, SQLITE_STATIC);
		src = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	if (src != SQLITE_DONE)
		return bk_db_status(j->v->db, src, "recording a batch");
	j->batch = sqlite3_last_insert_rowid(j->v->db);
	snprintf(id, sizeof(id), "%lld", (long long)j->batch);
	bk_vault_mark_sealed(j->v);
	return bk_db_meta_set(j->v->db, j->marker, id);
}

/* Row id, sealed under batch old: opened and sealed again under the job's. */
static bk_status reseal_row(struct job *j, sqlite3_stmt *up, int64_t id, int64_t old, const uint8_t *sealed,
			    size_t len)
{
	size_t plain_len = 0;
	uint8_t *plain = NULL, *out = NULL;
	bk_status rc;
	int src;

	if (bk_fields_plain_len(sealed, len, &plain_len) != BK_OK)
		return bk_fail(BK_ERR_CORRUPT, "%s row %lld: sealed values are missing", j->ds.name, (long long)id);
	if (!(plain = bk_secmem_alloc(plain_len ? plain_len : 1)) || !(out = malloc(plain_len + BK_FIELDS_OVERHEAD))) {
		rc = bk_fail(BK_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = bk_vault_batch_key(j->v, old, j->kec, j->old)) ||
	    (rc = bk_fields_open(plain, sealed, len, j->old, j->ds.name, j->names, id, old)) ||
	    (rc = bk_fields_seal_row(out, plain, plain_len, j->subkey, j->ad, j->ad_fixed, id, j->batch)))
		goto out;
	sqlite3_reset(up);
	sqlite3_bind_int64(up, 1, j->batch);
	sqlite3_bind_blob(up, 2, out, (int)(plain_len + BK_FIELDS_OVERHEAD), SQLITE_STATIC);
	sqlite3_bind_int64(up, 3, id);
	if ((src = sqlite3_step(up)) != SQLITE_DONE)
		rc = bk_db_file_status(j->v->db, src, j->schema, "sealing a row again");
out:
	bk_wipe(j->old, BK_FIELDS_KEYBYTES);
	bk_secmem_free(plain);
	free(out);
	return rc;
}

/* Up to limit rows older than the batch, sealed again; *n_p: how many. The
 * rows are read first, then written: no update under an open read of the
 * same table. Each chunk walks the row ids on from the last one's, so a store
 * is read once, not once per chunk; rows written meanwhile come with newer
 * batches and higher ids. */
static bk_status reseal_chunk(struct job *j, size_t limit, uint64_t *n_p)
{
	char *sel = sqlite3_mprintf("SELECT id, batch, sealed FROM \"%w\".\"ds_%w\" WHERE id > ?3 AND batch < ?1 "
				    "ORDER BY id LIMIT ?2",
				    j->schema, j->ds.name);
	char *upd = sqlite3_mprintf("UPDATE \"%w\".\"ds_%w\" SET batch = ?1, sealed = ?2 WHERE id = ?3", j->schema,
				    j->ds.name);
	sqlite3_stmt *st = NULL, *up = NULL;
	struct {
		int64_t id, batch;
		uint8_t *sealed;
		size_t len;
	} *rows = calloc(limit, sizeof(*rows));
	size_t n = 0;
	bk_status rc = BK_OK;
	int src = sel && upd && rows ? SQLITE_OK : SQLITE_NOMEM;

	if (src == SQLITE_OK && (src = sqlite3_prepare_v2(j->v->db, sel, -1, &st, NULL)) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, j->batch);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)limit);
		sqlite3_bind_int64(st, 3, j->after);
	}
	while (src == SQLITE_OK && n < limit && (src = sqlite3_step(st)) == SQLITE_ROW) {
		rows[n].id = sqlite3_column_int64(st, 0);
		rows[n].batch = sqlite3_column_int64(st, 1);
		rows[n].len = (size_t)sqlite3_column_bytes(st, 2);
		if (!(rows[n].sealed = malloc(rows[n].len ? rows[n].len : 1))) {
			src = SQLITE_NOMEM;
			break;
		}
		if (rows[n].len)
			memcpy(rows[n].sealed, sqlite3_column_blob(st, 2), rows[n].len);
		n++;
		src = SQLITE_OK;
	}
	if (src != SQLITE_OK && src != SQLITE_DONE)
		rc = bk_db_file_status(j->v->db, src, j->schema, "reading rows to seal again");
	if (rc == BK_OK && n && (src = sqlite3_prepare_v2(j->v->db, upd, -1, &up, NULL)) != SQLITE_OK)
		rc = bk_db_status(j->v->db, src, "preparing the rows' update");
	for (size_t i = 0; i < n && rc == BK_OK; i++)
		if ((rc = reseal_row(j, up, rows[i].id, rows[i].batch, rows[i].sealed, rows[i].len)) == BK_OK)
			j->after = rows[i].id;
	for (size_t i = 0; rows && i < n; i++)
		free(rows[i].sealed);
	free(rows);
	sqlite3_finalize(st);
	sqlite3_finalize(up);
	sqlite3_free(sel);
	sqlite3_free(upd);
	if (rc == BK_OK && n)
		bk_vault_mark_written(j->v, j->schema);
	*n_p = n;
	return rc;
}

/* The batches of the dataset older than the new one that no row of vault.db
 * or the store refers to, when no inbox entry of the dataset waits (whose
 * rows name their batch inside the sealed entry): their data keys go. */
static bk_status drop_old_batches(struct job *j, uint64_t *gone_p)
{
	long long waiting = 0;
	char *sql;
	bk_status rc;
	int src;

	if ((rc = count_of(j, "SELECT count(*) FROM main.inbox WHERE kecamatan = ?1 AND dataset = ?2", &waiting)) ||
	    waiting)
		return rc;
	sql = sqlite3_mprintf("DELETE FROM main.batches WHERE kecamatan = ?1 AND dataset = ?2 AND id < ?3 AND id NOT IN "
			      "(SELECT batch FROM \"%w\".\"ds_%w\") AND id NOT IN (SELECT batch FROM main.\"ds_%w\")",
			      j->schema, j->ds.name, j->ds.name);
	{
		sqlite3_stmt *st = NULL;

		src = sql ? sqlite3_prepare_v2(j->v->db, sql, -1, &st, NULL) : SQLITE_NOMEM;
		if (src == SQLITE_OK) {
			sqlite3_bind_text(st, 1, j->kec, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 2, j->ds.name, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 3, j->batch);
			src = sqlite3_step(st);
		}
		sqlite3_finalize(st);
	}
	sqlite3_free(sql);
	if (src != SQLITE_DONE)
		return bk_db_status(j->v->db, src, "dropping older batches");
	*gone_p += (uint64_t)sqlite3_changes(j->v->db);
	return BK_OK;
}

static bk_status log_chunk(struct job *j, uint64_t rows, int last)
{
	struct bk_audit_entry e;
	char target[48], detail[160];

	snprintf(target, sizeof(target), "kecamatan %s", j->kec);
	snprintf(detail, sizeof(detail), "values sealed again under the data key of batch %lld%s", (long long)j->batch,
		 last ? "; older batches no row refers to dropped" : "");
	bk_audit_entry_init(&e);
	e.action = "reseal";
	e.dataset = j->ds.name;
	e.target = target;
	e.detail = detail;
	e.rows = (long long)rows;
	return bk_vault_audit(j->v, &e);
}

/* One dataset of the kecamatan, chunk by chunk, each its own transaction. */
static bk_status reseal_dataset(struct job *j, const struct bk_reseal_opts *o, struct bk_reseal_result *res)
{
	size_t limit = o && o->chunk_rows ? o->chunk_rows : CHUNK_ROWS;
	char value[24];
	long long total = 0;
	uint64_t done = 0;
	bk_status rc;
	int found, last = 0;

	if ((rc = meta_find(j->v->db, j->marker, value, sizeof(value), &found)))
		return rc;
	j->batch = found ? strtoll(value, NULL, 10) : INT64_MAX;
	j->after = INT64_MIN;
	if (found && (j->batch <= 0 || (rc = bk_vault_batch_key(j->v, j->batch, j->kec, j->key))))
		return rc ? rc : bk_fail(BK_ERR_CORRUPT, "vault.db: the marker '%s' is malformed", j->marker);
	if ((rc = count_of(j, "SELECT count(*) FROM \"%w\".\"ds_%w\" WHERE batch < ?3", &total)))
		return rc;
	if (!found && total == 0)
		return BK_OK; /* nothing sealed in this store */
	while (!last) {
		uint64_t n = 0, gone = 0;

		if ((rc = bk_vault_begin(j->v)))
			return rc;
		if (j->batch == INT64_MAX)
			rc = new_batch(j);
		if (rc == BK_OK) {
			bk_fields_subkey(j->subkey, j->key);
			rc = reseal_chunk(j, limit, &n);
		}
		last = rc == BK_OK && n < limit;
		if (last && j->after != INT64_MIN) {
			/* a row moved in from the inbox meanwhile keeps its older id: look again from the start */
			long long left = 0;

			if ((rc = count_of(j, "SELECT count(*) FROM \"%w\".\"ds_%w\" WHERE batch < ?3", &left)) == BK_OK &&
			    left > 0) {
				last = 0;
				j->after = INT64_MIN;
			}
		}
		if (rc == BK_OK && last && (rc = drop_old_batches(j, &gone)) == BK_OK)
			rc = meta_drop(j->v->db, j->marker);
		if (rc == BK_OK && (n || last))
			rc = log_chunk(j, n, last);
		if (rc == BK_OK)
			rc = bk_vault_commit(j->v);
		if (rc != BK_OK) {
			bk_vault_rollback(j->v);
			return rc;
		}
		done += n;
		res->rows += n;
		res->batches_gone += gone;
		if (o && o->progress)
			o->progress(o->ctx, j->kec, done, (uint64_t)total);
	}
	return BK_OK;
}

/* Every dataset with sealed columns in the kecamatan's store, then its marker. */
static bk_status reseal_kecamatan(struct bk_vault *v, const char *kec, const struct bk_reseal_opts *o,
				  struct bk_reseal_result *res)
{
	char marker[BK_CODE_MAX + 16], value[BK_KEY_ID_MAX];
	const struct bk_keyring_key *cur = bk_keyring_current_key(&v->kr, BK_KEY_KECAMATAN, kec);
	struct job j;
	char **names = NULL;
	size_t n = 0;
	bk_status rc;
	int found;

	snprintf(marker, sizeof(marker), "reseal:%s", kec);
	if ((rc = meta_find(v->db, marker, value, sizeof(value), &found)) || !found)
		return rc;
	if (!cur || strcmp(value, cur->id) != 0)
		return bk_fail(BK_ERR_STATE, "kecamatan %s is not under %s yet: run its key rotate --region again", kec,
			       value);
	if (!bk_vault_store_key_id(v, kec))
		return bk_fail(BK_ERR_DENIED, "the store of kecamatan %s is not open to you", kec);
	memset(&j, 0, sizeof(j));
	j.v = v;
	j.kec = kec;
	bk_store_schema(j.schema, kec);
	j.key = bk_secmem_alloc(BK_FIELDS_KEYBYTES);
	j.subkey = bk_secmem_alloc(BK_FIELDS_KEYBYTES);
	j.old = bk_secmem_alloc(BK_FIELDS_KEYBYTES);
	if (!j.key || !j.subkey || !j.old)
		rc = bk_fail(BK_ERR_NOMEM, "out of guarded memory");
	else
		rc = bk_dataset_names(v->db, &names, &n);
	for (size_t d = 0; d < n && rc == BK_OK; d++) {
		if ((rc = bk_dataset_load(v->db, names[d], &j.ds)))
			break;
		j.nsealed = bk_dataset_sealed_names(&j.ds, j.names);
		j.ad_fixed = bk_fields_ad_init(j.ad, j.ds.name, j.names);
		snprintf(j.marker, sizeof(j.marker), "reseal:%s:%s", kec, j.ds.name);
		if (j.nsealed && !j.ad_fixed)
			rc = bk_fail(BK_ERR_STATE, "dataset '%s': its sealed column names are too long", j.ds.name);
		else if (j.nsealed && j.ds.scope_col >= 0)
			rc = reseal_dataset(&j, o, res);
		bk_dataset_release(&j.ds);
	}
	bk_dataset_names_free(names, n);
	bk_secmem_free(j.key);
	bk_secmem_free(j.subkey);
	bk_secmem_free(j.old);
	if (rc != BK_OK)
		return rc;
	/* every dataset done: the kecamatan's marker goes, audited */
	if ((rc = bk_vault_begin(v)) == BK_OK) {
		struct bk_audit_entry e;
		char target[48], detail[128];

		snprintf(target, sizeof(target), "kecamatan %s", kec);
		snprintf(detail, sizeof(detail), "every value sealed again under fresh data keys sealed to %s", value);
		bk_audit_entry_init(&e);
		e.action = "reseal";
		e.target = target;
		e.detail = detail;
		if ((rc = meta_drop(v->db, marker)) || (rc = bk_vault_audit(v, &e)) || (rc = bk_vault_commit(v)))
			bk_vault_rollback(v);
	}
	if (rc == BK_OK)
		res->kecamatan++;
	return rc;
}

bk_status bk_vault_reseal(struct bk_vault *v, const char *const *kecamatan, size_t n, const struct bk_reseal_opts *o,
			  struct bk_reseal_result *res)
{
	bk_status rc;

	memset(res, 0, sizeof(*res));
	if ((rc = bk_vault_require(v, BK_ACT_KEY_ADMIN, NULL, BK_COL_NONE, NULL)))
		return rc;
	if (kecamatan) {
		for (size_t i = 0; i < n && rc == BK_OK; i++) {
			const struct bk_region *r = bk_regions_find(&v->regions, BK_REGION_KECAMATAN, kecamatan[i]);

			rc = r ? reseal_kecamatan(v, r->kode, o, res)
			       : bk_fail(BK_ERR_USAGE, "'%s' is not a kecamatan of this vault", kecamatan[i]);
		}
		return rc;
	}
	for (size_t i = 0; i < v->regions.count && rc == BK_OK; i++)
		if (v->regions.items[i].level == BK_REGION_KECAMATAN)
			rc = reseal_kecamatan(v, v->regions.items[i].kode, o, res);
	return rc;
}

bk_status bk_vault_reseal_pending(struct bk_vault *v, int *pending_p)
{
	sqlite3_stmt *st = NULL;
	int src = sqlite3_prepare_v2(v->db, "SELECT count(*) FROM main.meta WHERE key LIKE 'reseal:%'", -1, &st, NULL);

	*pending_p = 0;
	if (src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW)
		*pending_p = sqlite3_column_int(st, 0) > 0;
	sqlite3_finalize(st);
	return src == SQLITE_ROW ? BK_OK : bk_db_status(v->db, src, "reading the markers");
}
