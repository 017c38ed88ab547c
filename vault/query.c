/* query.c - read-only SQL through scoped views, an authorizer and reveal(). */
#include "vault/query.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crypto/secmem.h"
#include "vault/dataset.h"
#include "vault/db.h"
#include "vault/fields.h"
#include "vault/vault_internal.h"

#define RESULT_ROWS_MAX 1000000

/* Functions a query may call: aggregates and scalar helpers that neither
 * write nor reach outside the statement. Everything else is denied. */
static const char *const allowed_functions[] = {
	"abs", "avg", "coalesce", "count", "date", "datetime", "group_concat", "ifnull", "instr", "julianday",
	"length", "lower", "ltrim", "max", "min", "nullif", "printf", "replace", "reveal", "round", "rtrim",
	"strftime", "substr", "sum", "time", "total", "trim", "typeof", "upper",
};

struct query_ctx {
	struct bk_vault *v;
	char denied[256];     /* first denial, for the message and the audit entry */
	int internal;         /* our own statements: not the user's */
	int uses_reveal;
	long long revealed;
	const char *purpose;
	bk_status reveal_rc;
	char reveal_error[256];
	char (*views)[BK_DATASET_NAME_MAX + 1];
	size_t nviews;
	/* opened batch keys, by batch id */
	struct {
		int64_t batch;
		uint8_t *key;
	} keys[64];
	size_t nkeys;
};

static int is_view(const struct query_ctx *q, const char *name)
{
	if (strcmp(name, "wilayah") == 0)
		return 1;
	for (size_t i = 0; i < q->nviews; i++)
		if (strcmp(q->views[i], name) == 0)
			return 1;
	return 0;
}

BK_PRINTF(2, 3) static int deny(struct query_ctx *q, const char *fmt, ...)
{
	va_list ap;

	if (!q->denied[0]) {
		va_start(ap, fmt);
		vsnprintf(q->denied, sizeof(q->denied), fmt, ap);
		va_end(ap);
	}
	return SQLITE_DENY;
}

static int authorize(void *ctx, int action, const char *a1, const char *a2, const char *dbname, const char *inner)
{
	struct query_ctx *q = ctx;

	if (q->internal)
		return SQLITE_OK;
	switch (action) {
	case SQLITE_SELECT:
	case SQLITE_RECURSIVE:
		return SQLITE_OK;
	case SQLITE_READ:
		if (!a1)
			return deny(q, "reading an unnamed table");
		if (dbname && strcmp(dbname, "temp") == 0 && is_view(q, a1))
			return SQLITE_OK; /* the user's scoped views: handles, not values */
		if (inner && is_view(q, inner) && dbname && strcmp(dbname, "main") == 0 && a2 &&
		    strcmp(a2, "sealed") != 0 && strcmp(a2, "batch") != 0 && !strstr(a2, "_bi") &&
		    (strcmp(inner, "wilayah") == 0 ? strcmp(a1, "regions") == 0
						   : strncmp(a1, "ds_", 3) == 0 && strcmp(a1 + 3, inner) == 0))
			return SQLITE_OK; /* a view's own reads of its own base table, nothing else */
		if (strcmp(a1, "sqlite_master") == 0 || strcmp(a1, "sqlite_temp_master") == 0)
			return deny(q, "reading the schema (%s) is not allowed", a1);
		return deny(q, "reading '%s.%s' directly is not allowed: query the dataset views", a1, a2 ? a2 : "");
	case SQLITE_FUNCTION:
		for (size_t i = 0; i < sizeof(allowed_functions) / sizeof(allowed_functions[0]); i++)
			if (a2 && strcasecmp(a2, allowed_functions[i]) == 0) {
				if (strcasecmp(a2, "reveal") == 0)
					q->uses_reveal = 1;
				return SQLITE_OK;
			}
		return deny(q, "the function '%s' is not allowed in a query", a2 ? a2 : "?");
	case SQLITE_PRAGMA:
		return deny(q, "PRAGMA %s is not allowed in a query", a1 ? a1 : "");
	case SQLITE_ATTACH:
	case SQLITE_DETACH:
		return deny(q, "ATTACH and DETACH are not allowed");
	default:
		return deny(q, "only SELECT is allowed: a query cannot write or change the vault");
	}
}

/* --- reveal(handle) --- */

static void reveal_fail(sqlite3_context *fc, struct query_ctx *q, bk_status rc)
{
	if (!q->reveal_rc) {
		q->reveal_rc = rc;
		snprintf(q->reveal_error, sizeof(q->reveal_error), "%s", bk_error_detail());
	}
	sqlite3_result_error(fc, "reveal refused", -1);
}

static void reveal_fn(sqlite3_context *fc, int argc, sqlite3_value **argv)
{
	struct query_ctx *q = sqlite3_user_data(fc);
	struct bk_vault *v = q->v;
	const char *h = (const char *)sqlite3_value_text(argv[0]);
	char dataset[BK_DATASET_NAME_MAX + 1], column[BK_COLUMN_NAME_MAX + 1], sql[160], kec[BK_CODE_MAX] = "";
	char names[BK_COLUMNS_MAX * (BK_COLUMN_NAME_MAX + 1)];
	long long id;
	struct bk_dataset ds;
	sqlite3_stmt *st = NULL;
	const uint8_t *vals[BK_COLUMNS_MAX];
	size_t lens[BK_COLUMNS_MAX], nsealed = 0, nl = 0, want = 0, plain_len = 0;
	uint8_t *key = NULL, *plain = NULL;
	int64_t batch;
	bk_status rc;
	int found = 0;

	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
		sqlite3_result_null(fc);
		return;
	}
	if (!h || sscanf(h, "%32[a-z0-9_]:%lld:%32[a-z0-9_]", dataset, &id, column) != 3)
		return reveal_fail(fc, q, bk_fail(BK_ERR_USAGE, "reveal() takes an identifier or secret column"));
	if (!q->purpose || !q->purpose[0])
		return reveal_fail(fc, q, bk_fail(BK_ERR_USAGE, "a query that reveals needs --purpose"));
	q->internal = 1;
	rc = bk_dataset_load(v->db, dataset, &ds);
	if (rc != BK_OK) {
		q->internal = 0;
		return reveal_fail(fc, q, rc);
	}
	for (size_t c = 0; c < ds.ncols; c++)
		if (ds.cols[c].cls == BK_COL_IDENTIFIER || ds.cols[c].cls == BK_COL_SECRET) {
			if (strcmp(ds.cols[c].name, column) == 0) {
				want = nsealed;
				found = 1;
			}
			nsealed++;
			nl += (size_t)snprintf(names + nl, sizeof(names) - nl, "%s%s", nl ? "," : "", ds.cols[c].name);
		}
	snprintf(sql, sizeof(sql), "SELECT kecamatan, batch, sealed FROM \"ds_%s\" WHERE id = ?", ds.name);
	if (!found) {
		rc = bk_fail(BK_ERR_USAGE, "reveal(): '%s' is not a sealed column of '%s'", column, ds.name);
		goto out;
	}
	if (sqlite3_prepare_v2(v->db, sql, -1, &st, NULL) != SQLITE_OK || sqlite3_bind_int64(st, 1, id) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		rc = bk_fail(BK_ERR_NOTFOUND, "reveal(): no row %lld in '%s'", id, ds.name);
		goto out;
	}
	if (sqlite3_column_text(st, 0))
		snprintf(kec, sizeof(kec), "%s", (const char *)sqlite3_column_text(st, 0));
	batch = sqlite3_column_int64(st, 1);
	if ((rc = bk_vault_acl(v, BK_ACT_REVEAL, ds.name, ds.cols[bk_dataset_column(&ds, column)].cls, kec)))
		goto out;
	for (size_t i = 0; i < q->nkeys; i++)
		if (q->keys[i].batch == batch)
			key = q->keys[i].key;
	if (!key) {
		if (q->nkeys == sizeof(q->keys) / sizeof(q->keys[0])) {
			bk_secmem_free(q->keys[0].key); /* a small cache is enough: rows cluster by batch */
			memmove(&q->keys[0], &q->keys[1], sizeof(q->keys[0]) * (q->nkeys - 1));
			q->nkeys--;
		}
		key = bk_secmem_alloc(BK_FIELDS_KEYBYTES);
		if (!key) {
			rc = bk_fail(BK_ERR_NOMEM, "out of guarded memory");
			goto out;
		}
		if ((rc = bk_vault_batch_key(v, batch, kec, key))) {
			bk_secmem_free(key);
			key = NULL;
			goto out;
		}
		q->keys[q->nkeys].batch = batch;
		q->keys[q->nkeys].key = key;
		q->nkeys++;
	}
	{
		const uint8_t *sealed = sqlite3_column_blob(st, 2);
		int slen = sqlite3_column_bytes(st, 2);

		plain = bk_secmem_alloc(slen > 0 ? (size_t)slen : 1);
		if (!plain) {
			rc = bk_fail(BK_ERR_NOMEM, "out of guarded memory");
			goto out;
		}
		if (!sealed || bk_fields_plain_len(sealed, (size_t)slen, &plain_len) != BK_OK) {
			rc = bk_fail(BK_ERR_CORRUPT, "%s row %lld: sealed values are missing", ds.name, id);
			goto out;
		}
		if ((rc = bk_fields_open(plain, sealed, (size_t)slen, key, ds.name, names, id, batch)) ||
		    (rc = bk_fields_unpack(plain, plain_len, nsealed, vals, lens)))
			goto out;
	}
	sqlite3_result_text(fc, (const char *)vals[want], (int)lens[want], SQLITE_TRANSIENT);
	q->revealed++;
out:
	q->internal = 0;
	sqlite3_finalize(st);
	bk_secmem_free(plain);
	bk_dataset_release(&ds);
	if (rc != BK_OK)
		reveal_fail(fc, q, rc);
}

/* --- views --- */

static bk_status make_views(struct query_ctx *q)
{
	struct bk_vault *v = q->v;
	const struct bk_keyring_user *me = bk_vault_me(v);
	char **names = NULL, *sql = NULL, scope[BK_SCOPE_MAX * (BK_CODE_MAX + 3) + 8] = "";
	size_t n = 0, cap = 16384, sl = 0;
	bk_status rc;

	if (me->nscope > 0 && bk_vault_role(v) != BK_ROLE_ADMIN)
		for (size_t i = 0; i < me->nscope; i++) /* codes come from the signed keyring: digits and dots */
			sl += (size_t)snprintf(scope + sl, sizeof(scope) - sl, "%s'%s'", i ? "," : "", me->scope[i]);
	if ((rc = bk_dataset_names(v->db, &names, &n)))
		return rc;
	q->views = calloc(n ? n : 1, sizeof(*q->views));
	sql = malloc(cap);
	if (!q->views || !sql) {
		rc = bk_fail(BK_ERR_NOMEM, "out of memory");
		goto out;
	}
	rc = bk_db_exec(v->db, "CREATE TEMP VIEW IF NOT EXISTS wilayah AS SELECT kode, nama, tingkat, kode_induk FROM main.regions");
	for (size_t d = 0; d < n && rc == BK_OK; d++) {
		struct bk_dataset ds;
		size_t len;

		if ((rc = bk_dataset_load(v->db, names[d], &ds)))
			break;
		/* subject: the registry row of the person, for joins that need no NIK */
		len = (size_t)snprintf(sql, cap, "CREATE TEMP VIEW IF NOT EXISTS \"%s\" AS SELECT id, kecamatan, subject",
				       ds.name);
		for (size_t c = 0; c < ds.ncols; c++) {
			const struct bk_column *col = &ds.cols[c];

			if (col->cls == BK_COL_IDENTIFIER || col->cls == BK_COL_SECRET)
				len += (size_t)snprintf(sql + len, cap - len, ", '%s:' || id || ':%s' AS \"%s\"", ds.name,
							col->name, col->name);
			else
				len += (size_t)snprintf(sql + len, cap - len, ", \"%s\"", col->name);
		}
		len += (size_t)snprintf(sql + len, cap - len, " FROM main.\"ds_%s\"", ds.name);
		if (scope[0] && ds.scope_col >= 0)
			len += (size_t)snprintf(sql + len, cap - len, " WHERE kecamatan IN (%s)", scope);
		if (len >= cap)
			rc = bk_fail(BK_ERR_STATE, "dataset '%s' has too many columns for a view", ds.name);
		else
			rc = bk_db_exec(v->db, sql);
		snprintf(q->views[q->nviews++], sizeof(q->views[0]), "%s", ds.name);
		bk_dataset_release(&ds);
	}
out:
	free(sql);
	bk_dataset_names_free(names, n);
	return rc;
}

/* --- the audit form of the SQL --- */

bk_status bk_query_normalize(const char *sql, char **out_p)
{
	size_t n = strlen(sql), o = 0;
	char *out = malloc(n + 2);

	*out_p = NULL;
	if (!out)
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < n;) {
		char c = sql[i];

		if (c == '\'' || ((c == 'x' || c == 'X') && sql[i + 1] == '\'')) {
			/* a string or blob literal, '' escapes included: may hold a personal value */
			i += c == '\'' ? 1 : 2;
			while (i < n && !(sql[i] == '\'' && sql[i + 1] != '\''))
				i += sql[i] == '\'' ? 2 : 1;
			i++;
			out[o++] = '?';
		} else if (c == '-' && sql[i + 1] == '-') {
			while (i < n && sql[i] != '\n')
				i++;
		} else if (c == '/' && sql[i + 1] == '*') {
			const char *end = strstr(sql + i + 2, "*/");

			i = end ? (size_t)(end - sql) + 2 : n;
		} else if (c == '"') {
			/* SQLite reads "..." as a string when no column has that name: mask it */
			for (i++; i < n && !(sql[i] == '"' && sql[i + 1] != '"'); i += sql[i] == '"' ? 2 : 1)
				;
			i++;
			out[o++] = '?';
		} else if (c == '`' || c == '[') {
			/* a quoted identifier: kept as it is */
			char close = c == '[' ? ']' : c;

			out[o++] = sql[i++];
			while (i < n && sql[i] != close)
				out[o++] = sql[i++];
			if (i < n)
				out[o++] = sql[i++];
		} else if (isdigit((unsigned char)c) && (o == 0 || !(isalnum((unsigned char)out[o - 1]) || out[o - 1] == '_'))) {
			while (i < n && (isalnum((unsigned char)sql[i]) || sql[i] == '.'))
				i++;
			out[o++] = '?';
		} else if (c == '\n' || c == '\r' || c == '\t') {
			out[o++] = ' ';
			i++;
		} else {
			out[o++] = sql[i++];
		}
	}
	out[o] = '\0';
	*out_p = out;
	return BK_OK;
}

/* --- running a query --- */

static json_t *cell_json(sqlite3_stmt *st, int i)
{
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_INTEGER:
		return json_integer(sqlite3_column_int64(st, i));
	case SQLITE_FLOAT:
		return json_real(sqlite3_column_double(st, i));
	case SQLITE_NULL:
		return json_null();
	case SQLITE_BLOB:
		return json_string("(blob)");
	default:
		return json_stringn((const char *)sqlite3_column_text(st, i), (size_t)sqlite3_column_bytes(st, i));
	}
}

static bk_status audit_query(struct bk_vault *v, const char *sql, const char *purpose, const char *outcome,
			     const char *detail, long long rows, long long revealed)
{
	struct bk_audit_entry e;
	char *norm = NULL, mac[33];
	bk_status rc;

	if ((rc = bk_query_normalize(sql, &norm)) || (rc = bk_vault_audit_hash(v, sql, strlen(sql), mac)))
		goto out;
	bk_audit_entry_init(&e);
	e.action = "query";
	e.sql = norm;
	e.sql_mac = mac;
	e.purpose = purpose;
	e.outcome = outcome;
	e.detail = detail;
	e.rows = rows;
	e.revealed = revealed;
	if ((rc = bk_vault_begin(v)))
		goto out;
	if ((rc = bk_vault_audit(v, &e)) || (rc = bk_vault_commit(v)))
		bk_vault_rollback(v);
out:
	free(norm);
	return rc;
}

/* Whether the SQL names a table of the main schema (ds_warga, meta, batches,
 * sqlite_master, ...) as an identifier. SQLite 3.15 calls the authorizer for
 * every column a statement reads, but not for a table read without columns
 * ("SELECT count(*) FROM ds_warga"), so names are checked too: SQL has no
 * dynamic table names, every table a statement reads is spelled in it. */
static int names_base_table(struct bk_vault *v, const char *sql, char *which, size_t cap)
{
	sqlite3_stmt *st = NULL;
	int hit = 0;

	if (sqlite3_prepare_v2(v->db, "SELECT name FROM main.sqlite_master UNION ALL SELECT 'sqlite_master' "
				      "UNION ALL SELECT 'sqlite_temp_master'",
			       -1, &st, NULL) != SQLITE_OK)
		return 1; /* fail closed */
	while (!hit && sqlite3_step(st) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		size_t n = name ? strlen(name) : 0;

		for (const char *p = sql; n && *p && !hit;) {
			if (*p == '\'') { /* skip string literals */
				for (p++; *p && !(p[0] == '\'' && p[1] != '\''); p += p[0] == '\'' ? 2 : 1)
					;
				if (*p)
					p++;
				continue;
			}
			if (strncasecmp(p, name, n) == 0 &&
			    (p == sql || !(isalnum((unsigned char)p[-1]) || p[-1] == '_' || p[-1] == '$')) &&
			    !(isalnum((unsigned char)p[n]) || p[n] == '_' || p[n] == '$')) {
				hit = 1;
				snprintf(which, cap, "%s", name);
			}
			p++;
		}
	}
	sqlite3_finalize(st);
	return hit;
}

/* The first keyword, past spaces and comments: SELECT, WITH or VALUES. The
 * authorizer is the real check; this gives writes a clear denial even where
 * SQLite refuses them before asking the authorizer (a DELETE on a view). */
static int starts_with_select(const char *sql)
{
	static const char *const ok[] = {"select", "with", "values"};

	for (;;) {
		while (isspace((unsigned char)*sql))
			sql++;
		if (sql[0] == '-' && sql[1] == '-') {
			sql = strchr(sql, '\n');
			if (!sql)
				return 0;
		} else if (sql[0] == '/' && sql[1] == '*') {
			sql = strstr(sql + 2, "*/");
			if (!sql)
				return 0;
			sql += 2;
		} else {
			break;
		}
	}
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		size_t n = strlen(ok[i]);

		if (strncasecmp(sql, ok[i], n) == 0 && !isalnum((unsigned char)sql[n]) && sql[n] != '_')
			return 1;
	}
	return 0;
}

/* Records a query that failed while running, with the values it revealed;
 * keeps the caller's error detail. */
static void audit_failure(struct bk_vault *v, const char *sql, const char *purpose, const struct query_ctx *q)
{
	char detail[512];

	snprintf(detail, sizeof(detail), "%s", bk_error_detail());
	if (audit_query(v, sql, purpose, "failed", "the statement failed while running", -1, q->revealed) != BK_OK) {
		/* the command fails anyway; nothing was shown */
	}
	bk_fail(BK_ERR_DB, "%s", detail);
}

bk_status bk_vault_query(struct bk_vault *v, const char *sql, const char *purpose, json_t **result_p)
{
	struct query_ctx q;
	sqlite3_stmt *st = NULL;
	const char *tail = NULL;
	json_t *rows = NULL, *cols = NULL;
	long long nrows = 0;
	bk_status rc;
	int src;

	*result_p = NULL;
	memset(&q, 0, sizeof(q));
	q.v = v;
	q.purpose = purpose;
	/* the views hold only the user's kecamatan: asking for the first is asking for the scope */
	if ((rc = bk_vault_require(v, BK_ACT_READ, NULL, BK_COL_PUBLIC, bk_vault_own_scope(v))))
		return rc;
	{
		char which[128];

		if (names_base_table(v, sql, which, sizeof(which))) {
			char reason[256];

			snprintf(reason, sizeof(reason), "reading '%s' directly is not allowed: query the dataset views",
				 which);
			if ((rc = audit_query(v, sql, purpose, "denied", reason, -1, -1)) == BK_OK)
				rc = bk_fail(BK_ERR_DENIED, "%s", reason);
			return rc;
		}
	}
	if (!starts_with_select(sql)) {
		if ((rc = audit_query(v, sql, purpose, "denied", "not a SELECT", -1, -1)) == BK_OK)
			rc = bk_fail(BK_ERR_DENIED, "only SELECT is allowed: a query cannot write or change the vault");
		return rc;
	}
	if ((rc = make_views(&q)))
		goto out;
	if (sqlite3_create_function(v->db, "reveal", 1, SQLITE_UTF8, &q, reveal_fn, NULL, NULL) != SQLITE_OK) {
		rc = bk_db_status(v->db, sqlite3_errcode(v->db), "registering reveal()");
		goto out;
	}
	sqlite3_set_authorizer(v->db, authorize, &q);
	src = sqlite3_prepare_v2(v->db, sql, -1, &st, &tail);
	sqlite3_set_authorizer(v->db, NULL, NULL); /* our own statements below are not the user's */
	if (src != SQLITE_OK || !st) {
		if (q.denied[0]) {
			rc = BK_ERR_DENIED;
		} else {
			rc = bk_fail(BK_ERR_USAGE, "the query does not parse: %s", st ? "" : sqlite3_errmsg(v->db));
			goto out;
		}
	} else if (tail && strspn(tail, " \t\r\n;") != strlen(tail)) {
		rc = bk_fail(BK_ERR_USAGE, "one statement per query");
		goto out;
	} else if (!sqlite3_stmt_readonly(st)) {
		snprintf(q.denied, sizeof(q.denied), "only SELECT is allowed");
		rc = BK_ERR_DENIED;
	} else if (q.uses_reveal && (!purpose || !purpose[0])) {
		rc = bk_fail(BK_ERR_USAGE, "a query that reveals identifiers needs --purpose");
		goto out;
	}
	if (rc == BK_ERR_DENIED) {
		char reason[256];

		snprintf(reason, sizeof(reason), "%s", q.denied);
		if ((rc = audit_query(v, sql, purpose, "denied", reason, -1, -1)) == BK_OK)
			rc = bk_fail(BK_ERR_DENIED, "%s", reason);
		goto out;
	}
	rows = json_array();
	cols = json_array();
	for (int i = 0; i < sqlite3_column_count(st); i++)
		json_array_append_new(cols, json_string(sqlite3_column_name(st, i)));
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *row = json_array();

		for (int i = 0; i < sqlite3_column_count(st); i++)
			json_array_append_new(row, cell_json(st, i));
		json_array_append_new(rows, row);
		if (++nrows > RESULT_ROWS_MAX) {
			rc = bk_fail(BK_ERR_USAGE, "more than %d result rows: aggregate, or add LIMIT", RESULT_ROWS_MAX);
			audit_failure(v, sql, purpose, &q);
			goto out;
		}
	}
	if (src != SQLITE_DONE) {
		if (q.reveal_rc) {
			char reason[256];
			bk_status why = q.reveal_rc;

			snprintf(reason, sizeof(reason), "%s", q.reveal_error);
			/* nothing leaves: the rows gathered so far are dropped */
			if (why == BK_ERR_DENIED && (rc = audit_query(v, sql, purpose, "denied", reason, -1, -1)))
				goto out;
			rc = bk_fail(why, "%s", reason);
		} else {
			rc = bk_db_status(v->db, src, "running the query");
			/* a failing statement can still tell something about values it revealed */
			audit_failure(v, sql, purpose, &q);
		}
		goto out;
	}
	/* log before reveal: the entry is durable before a row is handed out */
	if ((rc = audit_query(v, sql, purpose, "ok", NULL, nrows, q.revealed)))
		goto out;
	*result_p = json_pack("{s:o, s:o, s:I}", "columns", cols, "rows", rows, "revealed", (json_int_t)q.revealed);
	cols = rows = NULL;
	if (!*result_p)
		rc = bk_fail(BK_ERR_NOMEM, "out of memory");
out:
	sqlite3_finalize(st);
	sqlite3_set_authorizer(v->db, NULL, NULL);
	/* reveal() points at this call's context: it must not outlive it */
	sqlite3_create_function(v->db, "reveal", 1, SQLITE_UTF8, NULL, NULL, NULL, NULL);
	json_decref(rows);
	json_decref(cols);
	for (size_t i = 0; i < q.nkeys; i++)
		bk_secmem_free(q.keys[i].key);
	free(q.views);
	return rc;
}
