/* records.c - one record out of a dataset, sealed values opened with the
 * batch's data key, which is opened with the row's kecamatan key. */
#include "vault/records/records.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/box.h"
#include "crypto/secmem.h"
#include "vault/schema/dataset.h"
#include "vault/core/db.h"
#include "vault/core/fields.h"
#include "vault/core/vault_internal.h"
#include "vault/records/records_internal.h"

/* Opens a batch's data key with the kecamatan key the user holds. */
static bk_status open_batch_key(struct bk_vault *v, int64_t batch, const char *kecamatan, uint8_t *key);

bk_status bk_vault_batch_key(struct bk_vault *v, int64_t batch, const char *kecamatan, uint8_t *key)
{
	size_t i = (size_t)((uint64_t)batch % BK_BATCH_CACHE_SLOTS);
	bk_status rc;

	/* the kecamatan is part of the key: a row relabelled to another kecamatan must fail as uncached */
	if (v->batch_keys && batch && v->batch_cache[i].batch == batch &&
	    strcmp(v->batch_cache[i].kecamatan, kecamatan) == 0) {
		memcpy(key, v->batch_keys + i * BK_FIELDS_KEYBYTES, BK_FIELDS_KEYBYTES);
		return BK_OK;
	}
	if ((rc = open_batch_key(v, batch, kecamatan, key)))
		return rc;
	/* an unsealing is an X25519 operation: keep the key for the next row of the batch */
	if (!v->batch_keys && !(v->batch_keys = bk_secmem_alloc(BK_BATCH_CACHE_SLOTS * BK_FIELDS_KEYBYTES)))
		return BK_OK; /* no cache then; the key itself is open */
	v->batch_cache[i].batch = batch;
	snprintf(v->batch_cache[i].kecamatan, sizeof(v->batch_cache[i].kecamatan), "%s", kecamatan);
	memcpy(v->batch_keys + i * BK_FIELDS_KEYBYTES, key, BK_FIELDS_KEYBYTES);
	return BK_OK;
}

static bk_status open_batch_key(struct bk_vault *v, int64_t batch, const char *kecamatan, uint8_t *key)
{
	const struct bk_keyring_key *kk;
	struct vault_key *sk;
	sqlite3_stmt *st = NULL;
	bk_status rc = BK_OK;
	int src;

	src = sqlite3_prepare_v2(v->db, "SELECT kecamatan, key_id, sealed_key FROM batches WHERE id = ?", -1, &st, NULL);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 1, batch);
	if (src == SQLITE_OK)
		src = sqlite3_step(st);
	if (src != SQLITE_ROW) {
		rc = src == SQLITE_DONE ? bk_fail(BK_ERR_CORRUPT, "batch %lld of a row is missing", (long long)batch)
					: bk_db_status(v->db, src, "reading a batch");
		goto out;
	}
	{
		const char *bkec = (const char *)sqlite3_column_text(st, 0);
		const char *key_id = (const char *)sqlite3_column_text(st, 1);
		const uint8_t *sealed = sqlite3_column_blob(st, 2);
		int len = sqlite3_column_bytes(st, 2);

		if (!bkec || !key_id || strcmp(bkec, kecamatan) != 0) {
			rc = bk_fail(BK_ERR_CORRUPT, "batch %lld belongs to another kecamatan than its row", (long long)batch);
			goto out;
		}
		kk = bk_keyring_key_by_id(&v->kr, key_id);
		/* the key a batch names is its own kecamatan's pair, or the row was altered */
		if (kk && (kk->kind != BK_KEY_KECAMATAN || strcmp(kk->scope, bkec) != 0)) {
			rc = bk_fail(BK_ERR_CORRUPT, "batch %lld names the key of another kecamatan: it was altered",
				     (long long)batch);
			goto out;
		}
		sk = NULL;
		for (size_t i = 0; i < v->nkeys; i++)
			if (strcmp(v->keys[i].id, key_id) == 0)
				sk = &v->keys[i];
		if (!kk || !sk) {
			rc = bk_fail(BK_ERR_DENIED, "you hold no key for kecamatan %s", kecamatan);
			goto out;
		}
		if (!sealed || len != BK_SEAL_OVERHEAD + BK_FIELDS_KEYBYTES ||
		    bk_seal_open(key, sealed, (size_t)len, kk->pub, sk->secret) != BK_OK)
			rc = bk_fail(BK_ERR_CORRUPT, "the data key of batch %lld does not open: it was altered",
				     (long long)batch);
	}
out:
	sqlite3_finalize(st);
	return rc;
}

void bk_record_plain_json(const struct bk_dataset *ds, sqlite3_stmt *st, json_t *row)
{
	/* plain columns follow the fixed ones: id, batch, created, kecamatan, subject, sealed */
	for (int i = 6; i < sqlite3_column_count(st); i++) {
		const char *name = sqlite3_column_name(st, i);

		if (bk_dataset_column(ds, name) < 0)
			continue; /* blind index columns stay inside */
		switch (sqlite3_column_type(st, i)) {
		case SQLITE_INTEGER:
			json_object_set_new(row, name, json_integer(sqlite3_column_int64(st, i)));
			break;
		case SQLITE_NULL:
			json_object_set_new(row, name, json_null());
			break;
		default:
			json_object_set_new(row, name, json_string((const char *)sqlite3_column_text(st, i)));
		}
	}
}

static const char *row_kecamatan_name(struct bk_vault *v, const char *kode)
{
	const struct bk_region *r = kode ? bk_regions_find(&v->regions, BK_REGION_KECAMATAN, kode) : NULL;

	return r ? r->nama : "?";
}

/* Identifier and secret columns are sealed in one blob, not stored plain. */
static int col_sealed(const struct bk_column *col)
{
	return col->cls == BK_COL_IDENTIFIER || col->cls == BK_COL_SECRET;
}

/* show_require checks the policy first: reading the row's plain columns,
 * then revealing its sealed ones. */
static bk_status show_require(struct bk_vault *v, const struct bk_dataset *ds, const char *kecamatan, int reveal,
			      size_t nsealed, const char *purpose)
{
	bk_status rc;

	/* rows of datasets without a scope column (the innovation registry) belong to no kecamatan */
	if ((rc = bk_vault_require(v, BK_ACT_READ, ds->name, BK_COL_QUASI,
				   kecamatan[0] ? kecamatan : bk_vault_own_scope(v))))
		goto out;
	if (reveal && nsealed) {
		if (!purpose || !purpose[0]) {
			rc = bk_fail(BK_ERR_USAGE, "revealing identifiers needs --purpose");
			goto out;
		}
		if ((rc = bk_vault_require(v, BK_ACT_REVEAL, ds->name, BK_COL_IDENTIFIER, kecamatan)))
			goto out;
	}
out:
	return rc;
}

/* show_reveal opens the row's sealed values (column 5 of st) and adds them
 * to row; the batch key and the plain text live in guarded memory, freed
 * before this returns. */
static bk_status show_reveal(struct bk_vault *v, const struct bk_dataset *ds, sqlite3_stmt *st, int64_t id,
			     int64_t batch, const char *kecamatan, size_t nsealed, json_t *row)
{
	const uint8_t *sealed = sqlite3_column_blob(st, 5);
	int slen = sqlite3_column_bytes(st, 5);
	const uint8_t *vals[BK_COLUMNS_MAX];
	size_t lens[BK_COLUMNS_MAX], plain_len = 0;
	char names[BK_SEALED_NAMES_MAX];
	size_t k = 0;
	uint8_t *plain = NULL, *key = NULL;
	bk_status rc = BK_OK;

	(void)bk_dataset_sealed_names(ds, names);
	key = bk_secmem_alloc(BK_FIELDS_KEYBYTES);
	plain = bk_secmem_alloc(slen > BK_FIELDS_OVERHEAD ? (size_t)slen : 1);
	if (!key || !plain) {
		rc = bk_fail(BK_ERR_NOMEM, "out of guarded memory");
		goto out;
	}
	if (!sealed || bk_fields_plain_len(sealed, (size_t)slen, &plain_len) != BK_OK) {
		rc = bk_fail(BK_ERR_CORRUPT, "%s row %lld: sealed values are missing", ds->name, (long long)id);
		goto out;
	}
	if ((rc = bk_vault_batch_key(v, batch, kecamatan, key)) ||
	    (rc = bk_fields_open(plain, sealed, (size_t)slen, key, ds->name, names, id, batch)) ||
	    (rc = bk_fields_unpack(plain, plain_len, nsealed, vals, lens)))
		goto out;
	for (size_t c = 0; c < ds->ncols; c++)
		if (col_sealed(&ds->cols[c])) {
			json_object_set_new(row, ds->cols[c].name, json_stringn((const char *)vals[k], lens[k]));
			k++;
		}
out:
	bk_secmem_free(plain);
	bk_secmem_free(key);
	return rc;
}

/* show_audit logs the reading, and commits it. */
static bk_status show_audit(struct bk_vault *v, const struct bk_dataset *ds, int64_t id, const char *purpose,
			    int reveal, size_t nsealed)
{
	struct bk_audit_entry e;
	char target[64];
	bk_status rc;

	snprintf(target, sizeof(target), "row %lld", (long long)id);
	bk_audit_entry_init(&e);
	e.action = "record-show";
	e.dataset = ds->name;
	e.purpose = purpose;
	e.target = target;
	e.rows = 1;
	e.revealed = reveal && nsealed ? (long long)nsealed : -1;
	if ((rc = bk_vault_begin(v)) || (rc = bk_vault_audit(v, &e)) || (rc = bk_vault_commit(v)))
		goto out;
out:
	return rc;
}

bk_status bk_vault_record_show(struct bk_vault *v, const char *dataset, int64_t id, int reveal, const char *purpose,
			       json_t **row_p)
{
	struct bk_dataset ds;
	sqlite3_stmt *st = NULL;
	json_t *row = NULL;
	char sql[256], kecamatan[BK_CODE_MAX] = "";
	size_t nsealed = 0;
	int64_t batch = 0;
	bk_status rc;
	int src;

	*row_p = NULL;
	if ((rc = bk_dataset_load(v->db, dataset, &ds)))
		return rc;
	snprintf(sql, sizeof(sql), "SELECT * FROM \"ds_%s\" WHERE id = ?", ds.name);
	src = sqlite3_prepare_v2(v->db, sql, -1, &st, NULL);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 1, id);
	if (src == SQLITE_OK)
		src = sqlite3_step(st);
	if (src != SQLITE_ROW) {
		/* the role may not read at all (operators), or the row is beyond the keys */
		const char *own = bk_vault_own_scope(v);

		if (src == SQLITE_DONE && (rc = show_require(v, &ds, own ? own : "", reveal, 1, purpose)) == BK_OK)
			rc = bk_vault_no_row(v, reveal ? BK_ACT_REVEAL : BK_ACT_READ, ds.name, (long long)id);
		else if (src != SQLITE_DONE)
			rc = bk_db_status(v->db, src, "reading a row");
		goto out;
	}
	for (size_t c = 0; c < ds.ncols; c++)
		nsealed += col_sealed(&ds.cols[c]);
	if (sqlite3_column_text(st, 3))
		snprintf(kecamatan, sizeof(kecamatan), "%s", (const char *)sqlite3_column_text(st, 3));
	batch = sqlite3_column_int64(st, 1);
	if ((rc = show_require(v, &ds, kecamatan, reveal, nsealed, purpose)))
		goto out;
	row = json_object();
	json_object_set_new(row, "id", json_integer(id));
	if (kecamatan[0])
		json_object_set_new(row, "kecamatan", json_string(row_kecamatan_name(v, kecamatan)));
	if (reveal && nsealed && (rc = show_reveal(v, &ds, st, id, batch, kecamatan, nsealed, row)))
		goto out;
	/* log before reveal: the entry is durable before the row is returned */
	if ((rc = show_audit(v, &ds, id, purpose, reveal, nsealed)))
		goto out;
	bk_record_plain_json(&ds, st, row);
	if (!reveal)
		for (size_t c = 0; c < ds.ncols; c++)
			if (col_sealed(&ds.cols[c]))
				json_object_set_new(row, ds.cols[c].name, json_string("(sealed)"));
	*row_p = row;
	row = NULL;
out:
	if (v->in_tx)
		bk_vault_rollback(v);
	json_decref(row);
	sqlite3_finalize(st);
	bk_dataset_release(&ds);
	return rc;
}
