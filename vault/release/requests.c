/* requests.c - evaluators' requests in the vault: add, list, show, deny,
 * approve; the audit entries they leave; the ε ledger. */
#include "vault/release/requests.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "vault/schema/dataset.h"
#include "vault/core/db.h"
#include "vault/release/dp.h"
#include "vault/release/extract_internal.h"
#include "vault/core/vault_internal.h"

/* One audited outcome in its own transaction (denials and failures too). */
static bk_status log_outcome(struct bk_vault *v, const char *action, const char *dataset, const char *target,
			     const char *purpose, const char *detail, const char *outcome, long long rows)
{
	struct bk_audit_entry e;

	bk_audit_entry_init(&e);
	e.action = action;
	e.dataset = dataset;
	e.target = target;
	e.purpose = purpose;
	e.detail = detail;
	e.outcome = outcome;
	e.rows = rows;
	if (v->in_tx)
		bk_vault_rollback(v);
	return bk_vault_log(v, &e);
}

/* Logs a failure and hands back the original error with its detail. */
static bk_status log_failure(struct bk_vault *v, const char *action, const char *dataset, const char *target,
			     bk_status code)
{
	char detail[256];
	char hint[256];
	bk_status rc;

	snprintf(detail, sizeof(detail), "%s", bk_error_detail());
	snprintf(hint, sizeof(hint), "%s", bk_error_hint());
	rc = log_outcome(v, action, dataset, target, NULL, detail, code == BK_ERR_DENIED ? "denied" : "failed", -1);
	if (rc != BK_OK)
		return rc;
	bk_fail(code, "%s", detail);
	if (hint[0])
		bk_hint("%s", hint);
	return code;
}

/* The enabled evaluator whose age id the request names (and whose key signed it). */
static const struct bk_keyring_user *find_evaluator(const struct bk_vault *v, const struct bk_request *r)
{
	for (size_t i = 0; i < v->kr.nusers; i++) {
		const struct bk_keyring_user *u = &v->kr.users[i];

		if (strcmp(u->role, "evaluator") == 0 && !u->disabled && bk_request_signer_matches(r, u->box_pk))
			return u;
	}
	return NULL;
}

static bk_status column_of(const struct bk_dataset *ds, const char *name, const char *what, int *idx_p)
{
	int c = bk_dataset_column(ds, name);

	*idx_p = c;
	if (c < 0)
		return bk_fail(BK_ERR_NOTFOUND, "dataset '%s' has no column '%s' (%s)", ds->name, name, what);
	if (ds->cols[c].cls == BK_COL_IDENTIFIER || ds->cols[c].cls == BK_COL_SECRET) {
		bk_hint("identifiers and secrets never leave the vault; subjects get pseudonyms instead");
		return bk_fail(BK_ERR_DENIED, "column '%s' is %s: it cannot be released", name,
			       bk_colclass_name(ds->cols[c].cls));
	}
	return BK_OK;
}

bk_status bk_request_check_dataset(const struct bk_request *r, const struct bk_dataset *ds)
{
	bk_status rc;
	int c;

	for (size_t i = 0; i < r->ncolumns; i++)
		if ((rc = column_of(ds, r->columns[i], "requested", &c)))
			return rc;
	for (size_t i = 0; i < r->nsensitive; i++) {
		size_t j = 0;

		if ((rc = column_of(ds, r->sensitive[i], "sensitive", &c)))
			return rc;
		while (j < r->ncolumns && strcmp(r->columns[j], r->sensitive[i]) != 0)
			j++;
		if (j == r->ncolumns || ds->cols[c].cls != BK_COL_SENSITIVE)
			return bk_fail(BK_ERR_FORMAT, "l-diversity column '%s' must be a requested sensitive column",
				       r->sensitive[i]);
	}
	for (size_t i = 0; i < r->nby; i++) {
		/* the row's kecamatan, for datasets placed by a region */
		if (strcmp(r->by[i], "kecamatan") == 0 && ds->scope_col >= 0 && bk_dataset_column(ds, "kecamatan") < 0)
			continue;
		if ((rc = column_of(ds, r->by[i], "--by", &c)))
			return rc;
	}
	if (r->kind == BK_REQUEST_TABLE && strncmp(r->measure, "mean(", 5) == 0) {
		char col[40];
		size_t n = strlen(r->measure) - 6;

		memcpy(col, r->measure + 5, n);
		col[n] = '\0';
		if ((rc = column_of(ds, col, "mean", &c)))
			return rc;
		if (ds->cols[c].type != BK_TYPE_INT && ds->cols[c].type != BK_TYPE_SCORE1TO4)
			return bk_fail(BK_ERR_FORMAT, "mean(%s): the column is not a number", col);
	}
	if (r->kind == BK_REQUEST_TABLE && strncmp(r->measure, "ikm", 3) == 0)
		for (int u = 1; u <= (strcmp(r->measure, "ikm10") == 0 ? 10 : 9); u++) {
			char name[16];

			snprintf(name, sizeof(name), "u%d", u);
			if (bk_dataset_column(ds, name) < 0)
				return bk_fail(BK_ERR_FORMAT, "measure ikm needs the SKM answers u1..u9; '%s' has none",
					       ds->name);
		}
	if (r->period_from[0]) {
		c = bk_dataset_column(ds, "tanggal");
		if (c < 0 || ds->cols[c].type != BK_TYPE_DATE)
			return bk_fail(BK_ERR_FORMAT, "dataset '%s' has no 'tanggal' date column to limit a period by",
				       ds->name);
	}
	return BK_OK;
}

/* The ε ledger: what an evaluator spent on a dataset this (UTC) year, in
 * micro-ε. A request fits when spent + ε <= the cap (dp.h); charge adds it,
 * inside the caller's transaction. BK_ERR_DENIED when it does not fit. */
static bk_status epsilon_budget(struct bk_vault *v, const char *evaluator, const struct bk_request *r, int charge)
{
	uint64_t num = 0, den = 1, micro = 0, spent = 0;
	sqlite3_stmt *st = NULL;
	char now[24];
	int year, src;
	bk_status rc;

	if (!r->epsilon[0])
		return BK_OK;
	bk_vault_now(now);
	year = atoi(now);
	if ((rc = bk_dp_epsilon_parse(r->epsilon, &num, &den)) || (rc = bk_dp_epsilon_micro(num, den, &micro)))
		return rc;
	src = sqlite3_prepare_v2(v->db, "SELECT spent_num FROM dp_ledger WHERE evaluator = ? AND dataset = ? AND year = ?",
				 -1, &st, NULL);
	if (src == SQLITE_OK) {
		sqlite3_bind_text(st, 1, evaluator, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, r->dataset, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 3, year);
		src = sqlite3_step(st);
		if (src == SQLITE_ROW) {
			spent = (uint64_t)sqlite3_column_int64(st, 0);
			src = SQLITE_DONE;
		}
	}
	sqlite3_finalize(st);
	if (src != SQLITE_DONE)
		return bk_db_status(v->db, src, "reading the epsilon ledger");
	if ((rc = bk_dp_budget_fits(spent, BK_DP_MICRO, num, den, BK_DP_BUDGET_CAP_NUM, BK_DP_BUDGET_CAP_DEN))) {
		if (rc == BK_ERR_DENIED) {
			bk_hint("the budget is epsilon %d per evaluator, dataset and year; %llu.%06llu is spent",
				BK_DP_BUDGET_CAP_NUM, (unsigned long long)(spent / BK_DP_MICRO),
				(unsigned long long)(spent % BK_DP_MICRO));
			rc = bk_fail(BK_ERR_DENIED, "epsilon %s would exceed %s's privacy budget for '%s' in %d", r->epsilon,
				     evaluator, r->dataset, year);
		}
		return rc;
	}
	if (!charge)
		return BK_OK;
	src = sqlite3_prepare_v2(v->db,
				 "INSERT OR REPLACE INTO dp_ledger (evaluator, dataset, year, spent_num, spent_den)"
				 " VALUES (?, ?, ?, ?, ?)",
				 -1, &st, NULL);
	if (src == SQLITE_OK) {
		sqlite3_bind_text(st, 1, evaluator, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, r->dataset, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 3, year);
		sqlite3_bind_int64(st, 4, (sqlite3_int64)(spent + micro));
		sqlite3_bind_int64(st, 5, BK_DP_MICRO);
		src = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	if (src != SQLITE_DONE)
		return bk_db_status(v->db, src, "charging the epsilon ledger");
	return BK_OK;
}

/* request_insert stores the request as pending, in the open transaction;
 * on failure it rolls that back: a request added before is refused by its id. */
static bk_status request_insert(struct bk_vault *v, const struct bk_request *r, const struct bk_keyring_user *ev,
				const char *text, size_t len, const char *now)
{
	sqlite3_stmt *st = NULL;
	bk_status rc = BK_OK;
	int src;

	src = sqlite3_prepare_v2(v->db,
				 "INSERT INTO requests (id, evaluator, dataset, kind, text, status, added, added_by)"
				 " VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)",
				 -1, &st, NULL);
	if (src == SQLITE_OK) {
		sqlite3_bind_text(st, 1, r->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, ev->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, r->dataset, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, r->kind == BK_REQUEST_TABLE ? "table" : "microdata", -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, text, (int)len, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, now, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 7, bk_vault_me(v)->name, -1, SQLITE_STATIC);
		src = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	if ((src & 0xff) == SQLITE_CONSTRAINT) {
		bk_vault_rollback(v);
		rc = bk_fail(BK_ERR_EXISTS, "request %s was added before", r->id);
		goto out;
	}
	if (src != SQLITE_DONE) {
		rc = bk_db_status(v->db, src, "storing the request");
		bk_vault_rollback(v);
		goto out;
	}
out:
	return rc;
}

bk_status bk_vault_request_add(struct bk_vault *v, const char *name, const char *text, size_t len,
			       long long *number_p)
{
	struct bk_request *r = calloc(1, sizeof(*r));
	const struct bk_keyring_user *ev;
	struct bk_dataset ds;
	char target[64], now[24];
	int have_ds = 0;
	bk_status rc;

	*number_p = 0;
	memset(&ds, 0, sizeof(ds));
	if (!r)
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	if ((rc = bk_vault_require(v, BK_ACT_REQUEST_MANAGE, NULL, BK_COL_NONE, NULL)))
		goto out;
	if ((rc = bk_request_parse(r, name, text, len))) {
		rc = log_failure(v, "request-add", NULL, NULL, rc);
		goto out;
	}
	snprintf(target, sizeof(target), "request %s", r->id);
	if (!(ev = find_evaluator(v, r))) {
		bk_hint("the admin registers evaluators with 'brankas user add NAME --role evaluator --pubkey age1…'");
		bk_fail(BK_ERR_DENIED, "'%s' is signed by a key that is not a registered evaluator of this vault", name);
		rc = log_failure(v, "request-add", r->dataset, target, BK_ERR_DENIED);
		goto out;
	}
	if ((rc = bk_dataset_load(v->db, r->dataset, &ds))) {
		rc = log_failure(v, "request-add", r->dataset, target, rc);
		goto out;
	}
	have_ds = 1;
	if ((rc = bk_request_check_dataset(r, &ds)) || (rc = epsilon_budget(v, ev->name, r, 0))) {
		rc = log_failure(v, "request-add", r->dataset, target, rc);
		goto out;
	}
	bk_vault_now(now);
	if ((rc = bk_vault_begin(v)))
		goto out;
	if ((rc = request_insert(v, r, ev, text, len, now)))
		goto out;
	*number_p = (long long)sqlite3_last_insert_rowid(v->db);
	snprintf(target, sizeof(target), "request %lld %s", *number_p, r->id);
	{
		struct bk_audit_entry e;

		bk_audit_entry_init(&e);
		e.action = "request-add";
		e.dataset = r->dataset;
		e.target = target;
		e.purpose = r->purpose;
		e.detail = ev->name;
		if ((rc = bk_vault_audit(v, &e)) || (rc = bk_vault_commit(v)))
			goto out;
	}
out:
	if (have_ds)
		bk_dataset_release(&ds);
	free(r);
	return rc;
}

static void fill_info(sqlite3_stmt *st, struct bk_request_info *info)
{
#define COPY(field, col)                                                                                    \
	snprintf(info->field, sizeof(info->field), "%s",                                                     \
		 sqlite3_column_text(st, col) ? (const char *)sqlite3_column_text(st, col) : "")
	memset(info, 0, sizeof(*info));
	info->number = sqlite3_column_int64(st, 0);
	COPY(id, 1);
	COPY(evaluator, 2);
	COPY(dataset, 3);
	COPY(kind, 4);
	COPY(status, 5);
	COPY(added, 6);
	COPY(added_by, 7);
	COPY(decided, 8);
	COPY(approvers, 9);
	COPY(manifest_sha256, 11);
#undef COPY
}

#define INFO_COLUMNS                                                                                         \
	"r.number, r.id, r.evaluator, r.dataset, r.kind, r.status, r.added, r.added_by, r.decided,"         \
	" (SELECT group_concat(approver, ',') FROM (SELECT approver FROM request_approvals a"                 \
	"  WHERE a.number = r.number ORDER BY at, approver)), r.text, r.manifest_sha256"

bk_status bk_vault_request_list(struct bk_vault *v, struct bk_request_info **list_p, size_t *n_p)
{
	struct bk_request_info *list = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *st = NULL;
	bk_status rc;
	int src;

	*list_p = NULL;
	*n_p = 0;
	if ((rc = bk_vault_require(v, BK_ACT_REQUEST_MANAGE, NULL, BK_COL_NONE, NULL)) ||
	    (rc = bk_vault_record(v, "request-list", NULL)))
		return rc;
	src = sqlite3_prepare_v2(v->db, "SELECT " INFO_COLUMNS " FROM requests r ORDER BY number", -1, &st, NULL);
	while (src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
		struct bk_request r;

		if (n == cap) {
			struct bk_request_info *grown = realloc(list, (cap = cap ? 2 * cap : 16) * sizeof(*list));

			if (!grown) {
				rc = bk_fail(BK_ERR_NOMEM, "out of memory");
				goto out;
			}
			list = grown;
		}
		fill_info(st, &list[n]);
		if (bk_request_parse(&r, "stored request", (const char *)sqlite3_column_text(st, 10),
				     (size_t)sqlite3_column_bytes(st, 10)) == BK_OK)
			memcpy(list[n].purpose, r.purpose, sizeof(r.purpose));
		n++;
		src = SQLITE_OK;
	}
	if (src != SQLITE_DONE)
		rc = bk_db_status(v->db, src, "listing requests");
out:
	sqlite3_finalize(st);
	if (rc != BK_OK) {
		free(list);
		return rc;
	}
	*list_p = list;
	*n_p = n;
	return BK_OK;
}

/* Loads request number: its row and the parsed, re-verified file. */
static bk_status load_request(struct bk_vault *v, long long number, struct bk_request_info *info,
			      struct bk_request *r, char **text_p, size_t *len_p)
{
	sqlite3_stmt *st = NULL;
	bk_status rc = BK_OK;
	int src;

	if (text_p)
		*text_p = NULL;
	src = sqlite3_prepare_v2(v->db, "SELECT " INFO_COLUMNS " FROM requests r WHERE number = ?", -1, &st, NULL);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 1, number);
	if (src == SQLITE_OK)
		src = sqlite3_step(st);
	if (src == SQLITE_DONE) {
		bk_hint("'brankas request list' shows the requests");
		rc = bk_fail(BK_ERR_NOTFOUND, "no request %lld", number);
	} else if (src != SQLITE_ROW) {
		rc = bk_db_status(v->db, src, "reading the request");
	} else {
		const char *text = (const char *)sqlite3_column_text(st, 10);
		size_t len = (size_t)sqlite3_column_bytes(st, 10);

		fill_info(st, info);
		/* stored requests are checked again: the signature covers every field used */
		if ((rc = bk_request_parse(r, "stored request", text, len)) == BK_OK) {
			memcpy(info->purpose, r->purpose, sizeof(r->purpose));
			if (strcmp(r->id, info->id) != 0)
				rc = bk_fail(BK_ERR_CORRUPT, "request %lld does not match its stored file", number);
		}
		if (rc == BK_OK && text_p) {
			if (!(*text_p = malloc(len + 1)))
				rc = bk_fail(BK_ERR_NOMEM, "out of memory");
			else {
				memcpy(*text_p, text, len);
				(*text_p)[len] = '\0';
				*len_p = len;
			}
		}
	}
	sqlite3_finalize(st);
	return rc;
}

bk_status bk_vault_request_show(struct bk_vault *v, long long number, struct bk_request_info *info,
				struct bk_request *req, struct bk_extract_summary *sum)
{
	struct bk_dataset ds;
	char target[64];
	bk_status rc;

	memset(sum, 0, sizeof(*sum));
	snprintf(target, sizeof(target), "request %lld", number);
	if ((rc = bk_vault_require(v, BK_ACT_REQUEST_MANAGE, NULL, BK_COL_NONE, NULL)) ||
	    (rc = load_request(v, number, info, req, NULL, NULL)))
		return rc;
	if ((rc = bk_dataset_load(v->db, req->dataset, &ds)))
		return rc;
	/* logged before anything is computed from the data */
	if ((rc = log_outcome(v, "request-show", req->dataset, target, req->purpose, NULL, "ok", -1)) == BK_OK)
		rc = bk_extract_make(v, &ds, req, NULL, sum, NULL);
	bk_dataset_release(&ds);
	return rc;
}

bk_status bk_vault_request_deny(struct bk_vault *v, long long number, const char *reason)
{
	struct bk_request_info info;
	struct bk_request *r = calloc(1, sizeof(*r));
	struct bk_audit_entry e;
	sqlite3_stmt *st = NULL;
	char target[64], now[24], reason_mac[33];
	bk_status rc;
	int src;

	if (!r)
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	if ((rc = bk_vault_require(v, BK_ACT_REQUEST_MANAGE, NULL, BK_COL_NONE, NULL)) ||
	    (rc = load_request(v, number, &info, r, NULL, NULL)))
		goto out;
	if (strcmp(info.status, "pending") != 0) {
		rc = bk_fail(BK_ERR_STATE, "request %lld is already %s", number, info.status);
		goto out;
	}
	if ((rc = bk_vault_audit_hash(v, reason, strlen(reason), reason_mac)))
		goto out;
	bk_vault_now(now);
	if ((rc = bk_vault_begin(v)))
		goto out;
	src = sqlite3_prepare_v2(v->db,
				 "UPDATE requests SET status = 'denied', decided = ?, reason = ? WHERE number = ? AND"
				 " status = 'pending'",
				 -1, &st, NULL);
	if (src == SQLITE_OK) {
		sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, reason, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, number);
		src = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	if (src != SQLITE_DONE) {
		rc = bk_db_status(v->db, src, "denying the request");
		bk_vault_rollback(v);
		goto out;
	}
	snprintf(target, sizeof(target), "request %lld %s", number, info.id);
	bk_audit_entry_init(&e);
	e.action = "request-deny";
	e.dataset = r->dataset;
	e.target = target;
	e.purpose = r->purpose;
	e.subject = NULL;
	e.sql_mac = reason_mac; /* the reason may name people: only its keyed hash is logged */
	e.detail = info.evaluator;
	if ((rc = bk_vault_audit(v, &e)) || (rc = bk_vault_commit(v)))
		goto out;
out:
	free(r);
	return rc;
}

/* Records the user's approval; returns how many different approvers there are now. */
static bk_status add_approval(struct bk_vault *v, long long number, size_t *count_p)
{
	sqlite3_stmt *st = NULL;
	char now[24];
	int src;

	*count_p = 0;
	bk_vault_now(now);
	src = sqlite3_prepare_v2(v->db, "INSERT OR IGNORE INTO request_approvals (number, approver, at) VALUES (?, ?, ?)",
				 -1, &st, NULL);
	if (src == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, number);
		sqlite3_bind_text(st, 2, bk_vault_me(v)->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
		src = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	if (src != SQLITE_DONE)
		return bk_db_status(v->db, src, "recording the approval");
	src = sqlite3_prepare_v2(v->db, "SELECT count(*) FROM request_approvals WHERE number = ?", -1, &st, NULL);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 1, number);
	if (src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW)
		*count_p = (size_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (src != SQLITE_ROW)
		return bk_db_status(v->db, src, "counting approvals");
	return BK_OK;
}

static bk_status approvers_of(struct bk_vault *v, long long number, char (*names)[BK_NAME_MAX + 1], size_t cap,
			      size_t *n_p)
{
	sqlite3_stmt *st = NULL;
	int src;

	*n_p = 0;
	src = sqlite3_prepare_v2(v->db, "SELECT approver FROM request_approvals WHERE number = ? ORDER BY at, approver",
				 -1, &st, NULL);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 1, number);
	while (src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n_p < cap)
			snprintf(names[(*n_p)++], BK_NAME_MAX + 1, "%s", (const char *)sqlite3_column_text(st, 0));
		src = SQLITE_OK;
	}
	sqlite3_finalize(st);
	if (src != SQLITE_DONE)
		return bk_db_status(v->db, src, "reading approvals");
	return BK_OK;
}

static bk_status mark_approved(struct bk_vault *v, long long number, const char *manifest_sha256)
{
	sqlite3_stmt *st = NULL;
	char now[24];
	int src;

	bk_vault_now(now);
	src = sqlite3_prepare_v2(v->db,
				 "UPDATE requests SET status = 'approved', decided = ?, manifest_sha256 = ?"
				 " WHERE number = ? AND status = 'pending'",
				 -1, &st, NULL);
	if (src == SQLITE_OK) {
		sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, manifest_sha256, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, number);
		src = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	if (src != SQLITE_DONE || sqlite3_changes(v->db) != 1)
		return bk_db_status(v->db, src == SQLITE_DONE ? SQLITE_ERROR : src, "marking the request approved");
	return BK_OK;
}

/* The output directory: made (0700) or empty. */
static bk_status prepare_dir(const char *dir)
{
	struct stat sb;

	if (mkdir(dir, 0700) == 0)
		return BK_OK;
	if (errno != EEXIST || lstat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
		return bk_fail(BK_ERR_IO, "cannot make the directory '%s': %s", dir, strerror(errno ? errno : ENOTDIR));
	for (const char *const *f = bk_extract_files; *f; f++) {
		char path[4096];

		snprintf(path, sizeof(path), "%s/%s", dir, *f);
		if (lstat(path, &sb) == 0)
			return bk_fail(BK_ERR_EXISTS, "'%s' already holds an extract", dir);
	}
	return BK_OK;
}

/* An approval under way: the request, its dataset, and what is staged. */
struct approval {
	struct bk_vault *v;
	long long number;
	const char *dir;
	struct bk_request_info info;
	struct bk_request *r;
	char target[96], *text; /* text: the request as added, len bytes */
	size_t len;
	const struct bk_keyring_user *ev;
	struct bk_dataset ds;
	int have_ds, staged;
	struct bk_extract_files files;
};

/* approve_check refuses a request that is not pending, an approver with no
 * release key, and an evaluator no longer enabled; the refusals after the
 * status are audited. Sets A->ev. */
static bk_status approve_check(struct approval *A)
{
	struct bk_vault *v = A->v;
	bk_status rc = BK_OK;

	if (strcmp(A->info.status, "pending") != 0) {
		rc = bk_fail(BK_ERR_STATE, "request %lld is already %s", A->number, A->info.status);
		goto out;
	}
	if (!bk_vault_secret(v, BK_KEY_RELEASE, NULL)) {
		bk_fail(BK_ERR_DENIED, "you hold no release key to sign the extract");
		rc = log_failure(v, "request-approve", A->r->dataset, A->target, BK_ERR_DENIED);
		goto out;
	}
	/* the evaluator must still be registered and enabled */
	if (!(A->ev = find_evaluator(v, A->r)) || strcmp(A->ev->name, A->info.evaluator) != 0) {
		bk_fail(BK_ERR_DENIED, "evaluator '%s' is no longer an enabled evaluator of this vault",
			A->info.evaluator);
		rc = log_failure(v, "request-approve", A->r->dataset, A->target, BK_ERR_DENIED);
		goto out;
	}
out:
	return rc;
}

/* approve_finish puts in place an extract that the request's approval
 * committed but left staged in A->dir (killed, or a rename that failed,
 * before bk_extract_publish), audited first. BK_ERR_NOTFOUND, with no detail,
 * when nothing is staged there. */
static bk_status approve_finish(struct approval *A)
{
	bk_status rc;

	if (!A->info.manifest_sha256[0])
		return bk_fail(BK_ERR_CORRUPT, "request %lld is approved but pins no manifest", A->number);
	if ((rc = bk_extract_staged(A->dir, A->info.manifest_sha256)))
		return rc;
	if ((rc = log_outcome(A->v, "request-publish", A->r->dataset, A->target, A->r->purpose,
			      "the extract its approval left staged put in place", "ok", -1)))
		return rc;
	return bk_extract_publish(A->dir);
}

/* approve_partial records an approval that releases nothing yet, and commits. */
static bk_status approve_partial(struct approval *A, size_t count)
{
	struct bk_audit_entry e;
	char detail[512];
	bk_status rc;

	bk_audit_entry_init(&e);
	e.action = "request-approve";
	e.dataset = A->r->dataset;
	e.target = A->target;
	e.purpose = A->r->purpose;
	snprintf(detail, sizeof(detail), "approval %zu of %u; nothing released yet", count, A->ds.approvals);
	e.detail = detail;
	rc = bk_vault_audit(A->v, &e);
	if (rc == BK_OK)
		rc = bk_vault_commit(A->v);
	return rc;
}

/* release_detail describes a release for its audit entry: the hashes of
 * what was signed, and what the extract holds. */
static void release_detail(const struct approval *A, const struct bk_extract_summary *sum, char *detail,
			   size_t cap)
{
	const struct bk_request *r = A->r;
	int n = snprintf(detail, cap, "evaluator %s; request sha256:%s; manifest sha256:%s; data sha256:%s; ",
			 A->ev->name, A->files.request_sha256, A->files.manifest_sha256, A->files.data_sha256);

	if (r->kind == BK_REQUEST_MICRODATA)
		snprintf(detail + n, cap - (size_t)n, "released %zu of %zu rows, %zu suppressed, %zu classes, smallest %zu",
			 sum->rows_released, sum->rows_total, sum->rows_suppressed, sum->classes, sum->smallest_class);
	else
		snprintf(detail + n, cap - (size_t)n, "table of %zu rows, %zu cells, %zu hidden, epsilon %s",
			 sum->rows_released, sum->cells, sum->cells_primary + sum->cells_complementary,
			 r->epsilon[0] ? r->epsilon : "none");
}

/* approve_release charges ε, makes the extract under temporary names, marks
 * the request approved and commits that with its audit entry; the caller
 * publishes the extract, or discards it if A->staged is left set. */
static bk_status approve_release(struct approval *A, struct bk_extract_summary *sum)
{
	struct bk_vault *v = A->v;
	const struct bk_request *r = A->r;
	struct bk_extract_target t;
	struct bk_audit_entry e;
	char detail[512];
	bk_status rc;

	/* ε is charged in the transaction that releases the table */
	if ((rc = epsilon_budget(v, A->ev->name, r, 1))) {
		rc = log_failure(v, "request-approve", r->dataset, A->target, rc);
		goto out;
	}
	if ((rc = prepare_dir(A->dir)))
		goto out;
	memset(&t, 0, sizeof(t));
	t.dir = A->dir;
	t.number = A->number;
	t.request_text = A->text;
	t.request_len = A->len;
	t.evaluator = A->ev;
	if ((rc = approvers_of(v, A->number, t.approvers, 2, &t.napprovers)))
		goto out;
	/* staged under temporary names: nothing is in place before the audit entry commits */
	A->staged = 1;
	if ((rc = bk_extract_make(v, &A->ds, r, &t, sum, &A->files)) ||
	    (rc = mark_approved(v, A->number, A->files.manifest_sha256)))
		goto out;
	bk_audit_entry_init(&e);
	e.action = "request-approve";
	e.dataset = r->dataset;
	e.target = A->target;
	e.purpose = r->purpose;
	e.rows = (long long)sum->rows_released;
	release_detail(A, sum, detail, sizeof(detail));
	e.detail = detail;
	if ((rc = bk_vault_audit(v, &e)) || (rc = bk_vault_commit(v)))
		goto out;
out:
	return rc;
}

bk_status bk_vault_request_approve(struct bk_vault *v, long long number, const char *dir,
				   struct bk_extract_summary *sum, int *released_p)
{
	struct approval A = {.v = v, .number = number, .dir = dir};
	size_t count = 0;
	bk_status rc;

	memset(sum, 0, sizeof(*sum));
	*released_p = 0;
	if (!(A.r = calloc(1, sizeof(*A.r))))
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	if ((rc = bk_vault_require(v, BK_ACT_REQUEST_APPROVE, NULL, BK_COL_NONE, NULL)) ||
	    (rc = load_request(v, number, &A.info, A.r, &A.text, &A.len)))
		goto out;
	snprintf(A.target, sizeof(A.target), "request %lld %s", number, A.info.id);
	if (strcmp(A.info.status, "approved") == 0 && (rc = approve_finish(&A)) != BK_ERR_NOTFOUND) {
		*released_p = rc == BK_OK ? 2 : 0;
		goto out;
	}
	if ((rc = approve_check(&A)))
		goto out;
	if ((rc = bk_dataset_load(v->db, A.r->dataset, &A.ds)))
		goto out;
	A.have_ds = 1;
	if ((rc = bk_request_check_dataset(A.r, &A.ds)))
		goto out;
	if ((rc = bk_vault_begin(v)) || (rc = add_approval(v, number, &count)))
		goto out;
	if (count < A.ds.approvals) {
		rc = approve_partial(&A, count);
		goto out;
	}
	if ((rc = approve_release(&A, sum)))
		goto out;
	rc = bk_extract_publish(dir);
	A.staged = 0;
	*released_p = rc == BK_OK;
	if (rc != BK_OK)
		bk_hint("request %lld is approved: 'brankas request approve %lld -o %s' again puts the extract in place",
			number, number, dir);
out:
	if (rc != BK_OK && v->in_tx)
		bk_vault_rollback(v);
	if (A.staged)
		bk_extract_discard(dir);
	if (A.have_ds)
		bk_dataset_release(&A.ds);
	free(A.text);
	free(A.r);
	return rc;
}
