/* subjects.c - finding a person's rows by NIK, subject export and erasure,
 * record erasure, retention. */
#include "vault/subjects.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/secmem.h"
#include "vault/dataset.h"
#include "vault/db.h"
#include "vault/fields.h"
#include "vault/validate.h"
#include "vault/vault_internal.h"

struct match {
	char dataset[BK_DATASET_NAME_MAX + 1];
	int64_t id;
};

/* Candidates come from the truncated blind index, and each is opened and compared. */
bk_status bk_vault_subject_rows(struct bk_vault *v, const char *nik, const char *only, bk_subject_row_fn fn,
				void *ctx, struct bk_subject_result *r)
{
	struct vault_key *blind = bk_vault_secret(v, BK_KEY_BLIND, NULL);
	char **names = NULL;
	size_t n = 0, plain_cap = 0;
	uint8_t *key = bk_secmem_alloc(BK_FIELDS_KEYBYTES), *plain_buf = NULL;
	bk_status rc;

	if (!key)
		return bk_fail(BK_ERR_NOMEM, "out of guarded memory");
	if (!blind) {
		rc = bk_fail(BK_ERR_DENIED, "you hold no blind-index key");
		goto out;
	}
	if ((rc = bk_dataset_names(v->db, &names, &n)))
		goto out;
	for (size_t d = 0; d < n && rc == BK_OK; d++) {
		struct bk_dataset ds;
		char sql[256], sealed_names[BK_COLUMNS_MAX * (BK_COLUMN_NAME_MAX + 1)];
		size_t nsealed = 0, nl = 0, at = 0;
		sqlite3_stmt *st = NULL;
		int src;

		if (only && strcmp(names[d], only) != 0)
			continue;
		if ((rc = bk_dataset_load(v->db, names[d], &ds)))
			break;
		if (ds.subject_col < 0 || !ds.cols[ds.subject_col].blind_index) {
			bk_dataset_release(&ds);
			continue;
		}
		for (size_t c = 0; c < ds.ncols; c++)
			if (ds.cols[c].cls == BK_COL_IDENTIFIER || ds.cols[c].cls == BK_COL_SECRET) {
				if ((int)c == ds.subject_col)
					at = nsealed;
				nsealed++;
				nl += (size_t)snprintf(sealed_names + nl, sizeof(sealed_names) - nl, "%s%s", nl ? "," : "",
						       ds.cols[c].name);
			}
		/* rows imported by operators have no index yet: they are candidates too */
		snprintf(sql, sizeof(sql), "SELECT * FROM \"ds_%s\" WHERE \"%s_bi\" = ? OR \"%s_bi\" IS NULL ORDER BY id",
			 ds.name, ds.cols[ds.subject_col].name, ds.cols[ds.subject_col].name);
		src = sqlite3_prepare_v2(v->db, sql, -1, &st, NULL);
		if (src == SQLITE_OK)
			src = sqlite3_bind_int64(st, 1, bk_blind_index(blind->secret, nik));
		while (rc == BK_OK && src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
			const char *kec = (const char *)sqlite3_column_text(st, 3);
			const uint8_t *sealed = sqlite3_column_blob(st, 5);
			int slen = sqlite3_column_bytes(st, 5);
			const uint8_t *vals[BK_COLUMNS_MAX];
			size_t lens[BK_COLUMNS_MAX], plain_len = 0;
			uint8_t *plain;
			bk_status krc;

			src = SQLITE_OK;
			if (!kec || !sealed || bk_fields_plain_len(sealed, (size_t)slen, &plain_len) != BK_OK) {
				rc = bk_fail(BK_ERR_CORRUPT, "%s row %lld: sealed values are missing", ds.name,
					     (long long)sqlite3_column_int64(st, 0));
				break;
			}
			krc = bk_vault_batch_key(v, sqlite3_column_int64(st, 1), kec, key);
			if (krc == BK_ERR_DENIED) {
				r->unreadable++; /* another kecamatan's row, or only sharing the truncated index */
				bk_error_clear();
				continue;
			}
			if (krc != BK_OK) {
				rc = krc;
				break;
			}
			/* one guarded buffer for every candidate: sodium_malloc costs system calls */
			if ((size_t)slen > plain_cap) {
				bk_secmem_free(plain_buf);
				plain_cap = (size_t)slen * 2;
				plain_buf = bk_secmem_alloc(plain_cap);
				if (!plain_buf) {
					plain_cap = 0;
					rc = bk_fail(BK_ERR_NOMEM, "out of guarded memory");
					break;
				}
			}
			plain = plain_buf;
			rc = bk_fields_open(plain, sealed, (size_t)slen, key, ds.name, sealed_names,
					    sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1));
			if (rc == BK_OK)
				rc = bk_fields_unpack(plain, plain_len, nsealed, vals, lens);
			if (rc == BK_OK && lens[at] == 16 && bk_ct_equal(vals[at], nik, 16)) {
				r->rows++;
				rc = fn(ctx, &ds, st, vals, lens);
			}
			bk_wipe(plain, (size_t)slen);
		}
		if (rc == BK_OK && src != SQLITE_DONE)
			rc = bk_db_status(v->db, src, "reading candidate rows");
		sqlite3_finalize(st);
		bk_dataset_release(&ds);
	}
out:
	bk_dataset_names_free(names, n);
	bk_secmem_free(plain_buf);
	bk_secmem_free(key);
	return rc;
}

bk_status bk_subject_check_nik(const char *nik)
{
	struct bk_nik parsed;
	time_t now = time(NULL);
	struct tm tm;
	char reason[256];

	gmtime_r(&now, &tm);
	if (bk_validate_nik(nik, strlen(nik), NULL, tm.tm_year + 1900, &parsed) != BK_OK) {
		/* the detail is bk_fail's own buffer: copy it before writing over it */
		snprintf(reason, sizeof(reason), "%s", bk_error_detail());
		return bk_fail(BK_ERR_USAGE, "not a valid NIK: %s", reason);
	}
	if (strcmp(parsed.digits, nik) != 0)
		return bk_fail(BK_ERR_USAGE, "give the NIK as 16 digits");
	return BK_OK;
}

/* --- export --- */

struct export_ctx {
	struct bk_vault *v;
	json_t *datasets;
	uint64_t revealed;
	bk_status denied;
};

static bk_status export_row(void *p, const struct bk_dataset *ds, sqlite3_stmt *st, const uint8_t **vals,
			    const size_t *lens)
{
	struct export_ctx *x = p;
	const char *kec = (const char *)sqlite3_column_text(st, 3);
	json_t *arr = json_object_get(x->datasets, ds->name), *row = json_object();
	bk_status rc;
	size_t k = 0;

	if (!row)
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	if ((rc = bk_vault_require(x->v, BK_ACT_SUBJECT_RIGHTS, ds->name, BK_COL_NONE, kec))) {
		json_decref(row);
		return rc;
	}
	if (!arr) {
		arr = json_array();
		json_object_set_new(x->datasets, ds->name, arr);
	}
	json_object_set_new(row, "id", json_integer(sqlite3_column_int64(st, 0)));
	for (size_t c = 0; c < ds->ncols; c++)
		if (ds->cols[c].cls == BK_COL_IDENTIFIER || ds->cols[c].cls == BK_COL_SECRET) {
			json_object_set_new(row, ds->cols[c].name, json_stringn((const char *)vals[k], lens[k]));
			k++;
			x->revealed++;
		}
	bk_record_plain_json(ds, st, row);
	json_array_append_new(arr, row);
	return BK_OK;
}

static bk_status audit_subject(struct bk_vault *v, const char *action, const char *nik, const char *purpose,
			       const struct bk_subject_result *r, long long revealed)
{
	struct bk_audit_entry e;
	char subject[33];
	bk_status rc;

	if ((rc = bk_vault_audit_hash(v, nik, 16, subject)))
		return rc;
	bk_audit_entry_init(&e);
	e.action = action;
	e.purpose = purpose;
	e.subject = subject;
	e.rows = (long long)r->rows;
	e.revealed = revealed;
	if (!v->in_tx && (rc = bk_vault_begin(v)))
		return rc;
	if ((rc = bk_vault_audit(v, &e)) || (rc = bk_vault_commit(v))) {
		bk_vault_rollback(v);
		return rc;
	}
	return BK_OK;
}

/* Export (every dataset) and find (only where subjects are registered). */
static bk_status export_rows(struct bk_vault *v, const char *nik, const char *purpose, const char *only,
			     const char *action, json_t **out_p, struct bk_subject_result *r)
{
	struct export_ctx x = {v, json_object(), 0, BK_OK};
	bk_status rc;

	memset(r, 0, sizeof(*r));
	*out_p = NULL;
	if (!x.datasets)
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	if ((rc = bk_subject_check_nik(nik)) || (!purpose || !purpose[0] ? (rc = bk_fail(BK_ERR_USAGE, "a --purpose is required")) : 0) ||
	    (rc = bk_vault_require(v, BK_ACT_SUBJECT_RIGHTS, NULL, BK_COL_NONE, bk_vault_own_scope(v))) ||
	    (rc = bk_vault_subject_rows(v, nik, only, export_row, &x, r)) ||
	    (rc = audit_subject(v, action, nik, purpose, r, (long long)x.revealed))) {
		json_decref(x.datasets);
		return rc;
	}
	*out_p = json_pack("{s:o, s:I}", "datasets", x.datasets, "rows", (json_int_t)r->rows);
	return *out_p ? BK_OK : bk_fail(BK_ERR_NOMEM, "out of memory");
}

bk_status bk_vault_subject_export(struct bk_vault *v, const char *nik, const char *purpose, json_t **out_p,
				  struct bk_subject_result *r)
{
	return export_rows(v, nik, purpose, NULL, "subject-export", out_p, r);
}

bk_status bk_vault_find(struct bk_vault *v, const char *nik, const char *purpose, json_t **out_p,
			struct bk_subject_result *r)
{
	return export_rows(v, nik, purpose, "warga", "find", out_p, r);
}

static bk_status count_row(void *p, const struct bk_dataset *ds, sqlite3_stmt *st, const uint8_t **vals,
			   const size_t *lens)
{
	(void)p;
	(void)ds;
	(void)st;
	(void)vals;
	(void)lens;
	return BK_OK;
}

bk_status bk_vault_subject_count(struct bk_vault *v, const char *nik, struct bk_subject_result *r)
{
	memset(r, 0, sizeof(*r));
	return bk_vault_subject_rows(v, nik, "warga", count_row, NULL, r);
}

/* --- erasure --- */

struct erase_ctx {
	struct bk_vault *v;
	struct match *m;
	size_t n, cap;
};

static bk_status note_row(void *p, const struct bk_dataset *ds, sqlite3_stmt *st, const uint8_t **vals,
			  const size_t *lens)
{
	struct erase_ctx *x = p;
	const char *kec = (const char *)sqlite3_column_text(st, 3);
	bk_status rc;

	(void)vals;
	(void)lens;
	if ((rc = bk_vault_require(x->v, BK_ACT_RECORD_ERASE, ds->name, BK_COL_NONE, kec)))
		return rc;
	if (x->n == x->cap) {
		size_t ncap = x->cap ? x->cap * 2 : 16;
		struct match *nm = realloc(x->m, ncap * sizeof(*nm));

		if (!nm)
			return bk_fail(BK_ERR_NOMEM, "out of memory");
		x->m = nm;
		x->cap = ncap;
	}
	snprintf(x->m[x->n].dataset, sizeof(x->m[x->n].dataset), "%s", ds->name);
	x->m[x->n].id = sqlite3_column_int64(st, 0);
	x->n++;
	return BK_OK;
}

static bk_status delete_row(sqlite3 *db, const char *dataset, int64_t id)
{
	char sql[128];
	sqlite3_stmt *st = NULL;
	int src;

	snprintf(sql, sizeof(sql), "DELETE FROM \"ds_%s\" WHERE id = ?", dataset); /* name from the registry */
	src = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 1, id);
	if (src == SQLITE_OK)
		src = sqlite3_step(st);
	sqlite3_finalize(st);
	return src == SQLITE_DONE ? BK_OK : bk_db_status(db, src, "erasing a row");
}

bk_status bk_vault_subject_erase(struct bk_vault *v, const char *nik, const char *purpose, struct bk_subject_result *r)
{
	struct erase_ctx x = {v, NULL, 0, 0};
	bk_status rc;

	memset(r, 0, sizeof(*r));
	if ((rc = bk_subject_check_nik(nik)))
		return rc;
	if (!purpose || !purpose[0])
		return bk_fail(BK_ERR_USAGE, "a --purpose is required");
	if ((rc = bk_vault_require(v, BK_ACT_RECORD_ERASE, NULL, BK_COL_NONE, bk_vault_own_scope(v))) ||
	    (rc = bk_vault_subject_rows(v, nik, NULL, note_row, &x, r)))
		goto out;
	if ((rc = bk_vault_begin(v)))
		goto out;
	for (size_t i = 0; i < x.n && rc == BK_OK; i++)
		rc = delete_row(v->db, x.m[i].dataset, x.m[i].id);
	if (rc == BK_OK)
		rc = audit_subject(v, "subject-erase", nik, purpose, r, -1);
out:
	if (v->in_tx)
		bk_vault_rollback(v);
	free(x.m);
	return rc;
}

bk_status bk_vault_record_erase(struct bk_vault *v, const char *dataset, int64_t id, const char *purpose)
{
	struct bk_dataset ds;
	struct bk_audit_entry e;
	sqlite3_stmt *st = NULL;
	char sql[128], kec[BK_CODE_MAX] = "", target[64];
	bk_status rc;
	int src;

	if (!purpose || !purpose[0])
		return bk_fail(BK_ERR_USAGE, "a --purpose is required");
	if ((rc = bk_dataset_load(v->db, dataset, &ds)))
		return rc;
	snprintf(sql, sizeof(sql), "SELECT kecamatan FROM \"ds_%s\" WHERE id = ?", ds.name);
	src = sqlite3_prepare_v2(v->db, sql, -1, &st, NULL);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 1, id);
	if (src == SQLITE_OK)
		src = sqlite3_step(st);
	if (src == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(kec, sizeof(kec), "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (src != SQLITE_ROW) {
		rc = src == SQLITE_DONE ? bk_fail(BK_ERR_NOTFOUND, "no row %lld in '%s'", (long long)id, ds.name)
					: bk_db_status(v->db, src, "reading a row");
		goto out;
	}
	if ((rc = bk_vault_require(v, BK_ACT_RECORD_ERASE, ds.name, BK_COL_NONE, kec[0] ? kec : bk_vault_own_scope(v))) ||
	    (rc = bk_vault_begin(v)) || (rc = delete_row(v->db, ds.name, id)))
		goto out;
	snprintf(target, sizeof(target), "row %lld", (long long)id);
	bk_audit_entry_init(&e);
	e.action = "record-erase";
	e.dataset = ds.name;
	e.purpose = purpose;
	e.target = target;
	e.rows = 1;
	if ((rc = bk_vault_audit(v, &e)) || (rc = bk_vault_commit(v)))
		goto out;
out:
	if (v->in_tx)
		bk_vault_rollback(v);
	bk_dataset_release(&ds);
	return rc;
}

bk_status bk_vault_retention_apply(struct bk_vault *v, int dry_run, uint64_t *deleted_p)
{
	const struct bk_keyring_user *me = bk_vault_me(v);
	char **names = NULL, sql[2048];
	size_t n = 0;
	struct bk_audit_entry e;
	bk_status rc;

	*deleted_p = 0;
	if ((rc = bk_vault_require(v, BK_ACT_RECORD_ERASE, NULL, BK_COL_NONE, bk_vault_own_scope(v))) ||
	    (rc = bk_dataset_names(v->db, &names, &n)) || (rc = bk_vault_begin(v)))
		goto out;
	for (size_t d = 0; d < n && rc == BK_OK; d++) {
		struct bk_dataset ds;
		sqlite3_stmt *st = NULL;
		size_t len;
		int src;

		if ((rc = bk_dataset_load(v->db, names[d], &ds)))
			break;
		if (!ds.retention_days) {
			bk_dataset_release(&ds);
			continue;
		}
		/* created is an ISO UTC time: text comparison orders it */
		len = (size_t)snprintf(sql, sizeof(sql),
				       "%s FROM \"ds_%s\" WHERE created < strftime('%%Y-%%m-%%dT%%H:%%M:%%SZ', 'now', "
				       "'-%u days')",
				       dry_run ? "SELECT count(*)" : "DELETE", ds.name, ds.retention_days);
		if (me->nscope > 0 && bk_vault_role(v) != BK_ROLE_ADMIN) {
			/* a scoped custodian applies retention only in their kecamatan */
			len += (size_t)snprintf(sql + len, sizeof(sql) - len, " AND kecamatan IN (");
			for (size_t i = 0; i < me->nscope && len < sizeof(sql); i++)
				len += (size_t)snprintf(sql + len, sizeof(sql) - len, "%s'%s'", i ? "," : "", me->scope[i]);
			len += (size_t)snprintf(sql + len, sizeof(sql) - len, ")");
		}
		if (len >= sizeof(sql)) {
			rc = bk_fail(BK_ERR_STATE, "scope too large");
			bk_dataset_release(&ds);
			break;
		}
		src = sqlite3_prepare_v2(v->db, sql, -1, &st, NULL);
		if (src == SQLITE_OK)
			src = sqlite3_step(st);
		if (dry_run && src == SQLITE_ROW) {
			*deleted_p += (uint64_t)sqlite3_column_int64(st, 0);
			src = SQLITE_DONE;
		} else if (src == SQLITE_DONE) {
			*deleted_p += (uint64_t)sqlite3_changes(v->db);
		}
		if (src != SQLITE_DONE)
			rc = bk_db_status(v->db, src, "applying retention");
		sqlite3_finalize(st);
		bk_dataset_release(&ds);
	}
	if (rc != BK_OK)
		goto out;
	bk_audit_entry_init(&e);
	e.action = dry_run ? "retention-check" : "retention-apply";
	e.rows = (long long)*deleted_p;
	if ((rc = bk_vault_audit(v, &e)) || (rc = bk_vault_commit(v)))
		goto out;
out:
	if (v->in_tx)
		bk_vault_rollback(v);
	bk_dataset_names_free(names, n);
	return rc;
}
