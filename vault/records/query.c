/* query.c - read-only SQL through scoped views, an authorizer and reveal(). */
#include "vault/records/query.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "crypto/secmem.h"
#include "vault/schema/dataset.h"
#include "vault/core/db.h"
#include "vault/core/fields.h"
#include "vault/core/stores.h"
#include "vault/records/sql_scan.h"
#include "vault/core/vault_internal.h"
#include "vault/records/records_internal.h"

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
	unsigned seconds;        /* the time bound of the statement */
	struct timespec deadline; /* CLOCK_MONOTONIC */
	int timed_out;
	/* opened batch keys, by batch id */
	struct {
		int64_t batch;
		uint8_t *key;
	} keys[64];
	size_t nkeys;
};

/* Whether dbname is a file of citizen rows on this connection: vault.db or
 * an attached store. */
static int is_row_file(const struct query_ctx *q, const char *dbname)
{
	char schema[BK_STORE_SCHEMA_MAX];

	if (!dbname)
		return 0;
	if (strcmp(dbname, "main") == 0)
		return 1;
	for (size_t i = 0; i < q->v->nstores; i++) {
		bk_store_schema(schema, q->v->stores[i]);
		if (strcmp(dbname, schema) == 0)
			return 1;
	}
	return 0;
}

/* Whether table is the base table a view reads: ds_NAME for view NAME,
 * regions for wilayah. */
static int is_view_base(const struct query_ctx *q, const char *table)
{
	if (strcmp(table, "regions") == 0)
		return 1;
	if (strncmp(table, "ds_", 3) != 0)
		return 0;
	for (size_t i = 0; i < q->nviews; i++)
		if (strcmp(q->views[i], table + 3) == 0)
			return 1;
	return 0;
}

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
		if (inner && is_view(q, inner) && a2 && strcmp(a2, "sealed") != 0 && strcmp(a2, "batch") != 0 &&
		    !strstr(a2, "_bi") &&
		    (strcmp(inner, "wilayah") == 0
			     ? dbname && strcmp(dbname, "main") == 0 && strcmp(a1, "regions") == 0
			     : is_row_file(q, dbname) && strncmp(a1, "ds_", 3) == 0 && strcmp(a1 + 3, inner) == 0))
			return SQLITE_OK; /* a view's own reads of its own base table, nothing else */
		/* SQLite 3.18 and later report a table read without any column
		 * ("SELECT count(*)" over a view it flattened) with an empty column
		 * name and no view: nothing is read, and the token check has refused
		 * any SQL that names the base table itself */
		if (a2 && !a2[0] && !inner && is_row_file(q, dbname) && is_view_base(q, a1))
			return SQLITE_OK;
		/* the same for a CTE (no database: nothing stored is read) */
		if (a2 && !a2[0] && !dbname)
			return SQLITE_OK;
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

/* A failed reveal() tells the user what kind of failure it was, never what the
 * handle held: a handle can be built from a value just revealed
 * (reveal('warga:' || reveal(nik) || ':nik')), so echoing it would hand out
 * that value outside the count. */
static void reveal_fail(sqlite3_context *fc, struct query_ctx *q, bk_status rc)
{
	static const struct {
		bk_status rc;
		const char *text;
	} reasons[] = {
		{BK_ERR_DENIED, "reveal() refused: the value is outside your role or kecamatan scope"},
		{BK_ERR_NOTFOUND, "reveal() refused: no such row; give it a handle column of a dataset view"},
		{BK_ERR_USAGE, "reveal() refused: it takes an identifier or secret column of a dataset view"},
		{BK_ERR_CORRUPT, "reveal(): a sealed value does not open: the vault was altered"},
		{BK_ERR_AUTH, "reveal(): a sealed value does not open: the vault was altered"},
		{BK_ERR_NOMEM, "reveal(): out of guarded memory"},
	};

	if (!q->reveal_rc) {
		/* a handle that names no row, or is no handle at all, was made up:
		 * refused like one outside the scope */
		q->reveal_rc = rc == BK_ERR_NOTFOUND || rc == BK_ERR_USAGE ? BK_ERR_DENIED : rc;
		snprintf(q->reveal_error, sizeof(q->reveal_error), "reveal() failed");
		for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
			if (reasons[i].rc == rc)
				snprintf(q->reveal_error, sizeof(q->reveal_error), "%s", reasons[i].text);
	}
	sqlite3_result_error(fc, "reveal refused", -1);
}

/* Reads "dataset:id:column" exactly: names of [a-z0-9_], a decimal id. */
static int parse_handle(const char *h, char *dataset, long long *id_p, char *column)
{
	size_t n = strspn(h, "abcdefghijklmnopqrstuvwxyz0123456789_"), d;
	char *end = NULL;

	if (n == 0 || n > BK_DATASET_NAME_MAX || h[n] != ':')
		return -1;
	memcpy(dataset, h, n);
	dataset[n] = '\0';
	h += n + 1;
	d = strspn(h, "0123456789");
	if (d == 0 || d > 18 || h[d] != ':')
		return -1;
	*id_p = strtoll(h, &end, 10);
	h += d + 1;
	n = strspn(h, "abcdefghijklmnopqrstuvwxyz0123456789_");
	if (n == 0 || n > BK_COLUMN_NAME_MAX || h[n] != '\0')
		return -1;
	memcpy(column, h, n + 1);
	return 0;
}

/* reveal_column finds column among ds's sealed ones: its place in the
 * sealed blob into *want_p, how many there are into *nsealed_p, and their
 * names, comma-separated, into names; returns 0 if it is not sealed. */
static int reveal_column(const struct bk_dataset *ds, const char *column, char *names, size_t cap, size_t *nsealed_p,
			 size_t *want_p)
{
	size_t nl = 0;
	int found = 0;

	*nsealed_p = *want_p = 0;
	for (size_t c = 0; c < ds->ncols; c++)
		if (ds->cols[c].cls == BK_COL_IDENTIFIER || ds->cols[c].cls == BK_COL_SECRET) {
			if (strcmp(ds->cols[c].name, column) == 0) {
				*want_p = *nsealed_p;
				found = 1;
			}
			(*nsealed_p)++;
			nl += (size_t)snprintf(names + nl, cap - nl, "%s%s", nl ? "," : "", ds->cols[c].name);
		}
	return found;
}

/* reveal_key finds batch's key in the query's cache, or derives it and
 * caches it in place of the oldest; the cache owns *key_p. */
static bk_status reveal_key(struct query_ctx *q, int64_t batch, const char *kec, uint8_t **key_p)
{
	uint8_t *key = NULL;
	bk_status rc = BK_OK;

	for (size_t i = 0; i < q->nkeys; i++)
		if (q->keys[i].batch == batch)
			key = q->keys[i].key;
	if (key)
		goto out;
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
	if ((rc = bk_vault_batch_key(q->v, batch, kec, key))) {
		bk_secmem_free(key);
		key = NULL;
		goto out;
	}
	q->keys[q->nkeys].batch = batch;
	q->keys[q->nkeys].key = key;
	q->nkeys++;
out:
	*key_p = key;
	return rc;
}

/* reveal_open opens the sealed values of row id (column 2 of st) and makes
 * the one at want the function's result; the plain text lives in guarded
 * memory, freed before this returns. */
static bk_status reveal_open(sqlite3_context *fc, sqlite3_stmt *st, const struct bk_dataset *ds, long long id,
			     int64_t batch, const uint8_t *key, const char *names, size_t nsealed, size_t want)
{
	const uint8_t *sealed = sqlite3_column_blob(st, 2);
	int slen = sqlite3_column_bytes(st, 2);
	const uint8_t *vals[BK_COLUMNS_MAX];
	size_t lens[BK_COLUMNS_MAX], plain_len = 0;
	uint8_t *plain = NULL;
	bk_status rc = BK_OK;

	plain = bk_secmem_alloc(slen > 0 ? (size_t)slen : 1);
	if (!plain) {
		rc = bk_fail(BK_ERR_NOMEM, "out of guarded memory");
		goto out;
	}
	if (!sealed || bk_fields_plain_len(sealed, (size_t)slen, &plain_len) != BK_OK) {
		rc = bk_fail(BK_ERR_CORRUPT, "%s row %lld: sealed values are missing", ds->name, id);
		goto out;
	}
	if ((rc = bk_fields_open(plain, sealed, (size_t)slen, key, ds->name, names, id, batch)) ||
	    (rc = bk_fields_unpack(plain, plain_len, nsealed, vals, lens)))
		goto out;
	sqlite3_result_text(fc, (const char *)vals[want], (int)lens[want], SQLITE_TRANSIENT);
out:
	bk_secmem_free(plain);
	return rc;
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
	size_t nsealed = 0, want = 0;
	uint8_t *key = NULL;
	int64_t batch;
	bk_status rc;
	int found;

	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
		sqlite3_result_null(fc);
		return;
	}
	if (!h || parse_handle(h, dataset, &id, column) != 0)
		return reveal_fail(fc, q, BK_ERR_USAGE);
	if (!q->purpose || !q->purpose[0])
		return reveal_fail(fc, q, bk_fail(BK_ERR_USAGE, "a query that reveals needs --purpose"));
	q->internal = 1;
	rc = bk_dataset_load(v->db, dataset, &ds);
	if (rc != BK_OK) {
		q->internal = 0;
		return reveal_fail(fc, q, rc);
	}
	found = reveal_column(&ds, column, names, sizeof(names), &nsealed, &want);
	snprintf(sql, sizeof(sql), "SELECT kecamatan, batch, sealed FROM \"ds_%s\" WHERE id = ?", ds.name);
	if (!found) {
		rc = BK_ERR_USAGE;
		goto out;
	}
	if (sqlite3_prepare_v2(v->db, sql, -1, &st, NULL) != SQLITE_OK || sqlite3_bind_int64(st, 1, id) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		rc = BK_ERR_NOTFOUND;
		goto out;
	}
	if (sqlite3_column_text(st, 0))
		snprintf(kec, sizeof(kec), "%s", (const char *)sqlite3_column_text(st, 0));
	batch = sqlite3_column_int64(st, 1);
	if ((rc = bk_vault_acl(v, BK_ACT_REVEAL, ds.name, ds.cols[bk_dataset_column(&ds, column)].cls, kec)))
		goto out;
	if ((rc = reveal_key(q, batch, kec, &key)) ||
	    (rc = reveal_open(fc, st, &ds, id, batch, key, names, nsealed, want)))
		goto out;
	q->revealed++;
out:
	q->internal = 0;
	sqlite3_finalize(st);
	bk_dataset_release(&ds);
	if (rc != BK_OK)
		reveal_fail(fc, q, rc);
}

/* --- views --- */

/* One view per dataset: its rows in vault.db and in every attached store
 * (stores.h), sealed columns as handles, within the user's scope. */
static bk_status make_view(struct query_ctx *q, const struct bk_dataset *ds, const char *scope, char **sql_p,
			   size_t *cap_p)
{
	struct bk_vault *v = q->v;
	char cols[BK_COLUMNS_MAX * (2 * BK_COLUMN_NAME_MAX + BK_DATASET_NAME_MAX + 24) + 64];
	char schema[BK_STORE_SCHEMA_MAX];
	size_t cl = 0, len, need;

	/* subject: the registry row of the person, for joins that need no NIK */
	cl += (size_t)snprintf(cols + cl, sizeof(cols) - cl, "id, kecamatan, subject");
	for (size_t c = 0; c < ds->ncols && cl < sizeof(cols); c++) {
		const struct bk_column *col = &ds->cols[c];

		if (col->cls == BK_COL_IDENTIFIER || col->cls == BK_COL_SECRET)
			cl += (size_t)snprintf(cols + cl, sizeof(cols) - cl, ", '%s:' || id || ':%s' AS \"%s\"", ds->name,
					       col->name, col->name);
		else
			cl += (size_t)snprintf(cols + cl, sizeof(cols) - cl, ", \"%s\"", col->name);
	}
	if (cl >= sizeof(cols))
		return bk_fail(BK_ERR_STATE, "dataset '%s' has too many columns for a view", ds->name);
	need = 128 + (v->nstores + 1) * (cl + strlen(scope) + 128);
	if (need > *cap_p) {
		char *grown = realloc(*sql_p, need);

		if (!grown)
			return bk_fail(BK_ERR_NOMEM, "out of memory");
		*sql_p = grown;
		*cap_p = need;
	}
	len = (size_t)snprintf(*sql_p, *cap_p, "CREATE TEMP VIEW IF NOT EXISTS \"%s\" AS ", ds->name);
	for (size_t f = 0; f <= v->nstores; f++) {
		bk_stores_file(v->stores, f, schema);
		len += (size_t)snprintf(*sql_p + len, *cap_p - len, "%sSELECT %s FROM \"%s\".\"ds_%s\"",
					f ? " UNION ALL " : "", cols, schema, ds->name);
		if (scope[0] && ds->scope_col >= 0)
			len += (size_t)snprintf(*sql_p + len, *cap_p - len, " WHERE kecamatan IN (%s)", scope);
	}
	return bk_db_exec(v->db, *sql_p);
}

static bk_status make_views(struct query_ctx *q)
{
	struct bk_vault *v = q->v;
	const struct bk_keyring_user *me = bk_vault_me(v);
	char **names = NULL, *sql = NULL, scope[BK_SCOPE_MAX * (BK_CODE_MAX + 3) + 8] = "";
	size_t n = 0, cap = 0, sl = 0;
	bk_status rc;

	if (me->nscope > 0 && bk_vault_role(v) != BK_ROLE_ADMIN)
		for (size_t i = 0; i < me->nscope; i++) /* codes come from the signed keyring: digits and dots */
			sl += (size_t)snprintf(scope + sl, sizeof(scope) - sl, "%s'%s'", i ? "," : "", me->scope[i]);
	if ((rc = bk_dataset_names(v->db, &names, &n)))
		return rc;
	q->views = calloc(n ? n : 1, sizeof(*q->views));
	if (!q->views) {
		rc = bk_fail(BK_ERR_NOMEM, "out of memory");
		goto out;
	}
	rc = bk_db_exec(v->db, "CREATE TEMP VIEW IF NOT EXISTS wilayah AS SELECT kode, nama, tingkat, kode_induk FROM main.regions");
	for (size_t d = 0; d < n && rc == BK_OK; d++) {
		struct bk_dataset ds;

		if ((rc = bk_dataset_load(v->db, names[d], &ds)))
			break;
		rc = make_view(q, &ds, scope, &sql, &cap);
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
		enum bk_sql_token kind;
		size_t len = bk_sql_token(sql + i, n - i, &kind);

		switch (kind) {
		case BK_SQL_STRING:
		case BK_SQL_BLOB:
		case BK_SQL_NUMBER:
		case BK_SQL_UNCLOSED:
		case BK_SQL_QUOTED:
			/* a literal may hold a personal value; so may "...", which SQLite
			 * reads as a string where no column has that name */
			if (kind != BK_SQL_QUOTED || sql[i] == '"') {
				out[o++] = '?';
				break;
			}
			/* `name` and [name] are names */
			memcpy(out + o, sql + i, len);
			o += len;
			break;
		case BK_SQL_SPACE:
			/* comments go; white space stays, on one line. A comment leaves a space:
			 * "/" "/ * * /" "*" would otherwise join into a new comment opener, and the
			 * audit form would read differently from the query (found by fuzz_sql) */
			if (sql[i] == '-' || sql[i] == '/') {
				out[o++] = ' ';
				break;
			}
			for (size_t k = 0; k < len; k++)
				out[o++] = ' ';
			break;
		default:
			memcpy(out + o, sql + i, len);
			o += len;
			break;
		}
		i += len;
	}
	while (o > 0 && out[o - 1] == ' ') /* the newline that ends a file of SQL */
		o--;
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

/* The names the user's SQL must not spell, in any quoting: every object of
 * the main schema (base tables, the blind indexes; listed by names, a
 * "SELECT name FROM main.sqlite_master" prepared once per query), and
 * SQLite's own tables and pragma functions by prefix. The authorizer reports
 * a table read without columns ("SELECT count(*) FROM ds_warga") only by an
 * empty column name (SQLite 3.15 not at all), cannot tell a CTE from a view,
 * and SQLite takes a 'string' as a table name where one is expected; SQL has
 * no dynamic table names, so every table a statement reads is spelled in it
 * as one of the tokens checked here. Fails closed when the schema cannot be
 * read. */
static int spells_base_table(sqlite3_stmt *names, const char *tok, size_t n, enum bk_sql_token kind, char *why,
			     size_t cap)
{
	static const char *const internal[] = {"sqlite_", "pragma_"};
	int hit = 0, src;

	for (size_t i = 0; i < sizeof(internal) / sizeof(internal[0]); i++)
		if (bk_sql_token_is(tok, n, kind, internal[i], 1)) {
			snprintf(why, cap, "reading SQLite's schema or pragmas is not allowed in a query");
			return 1;
		}
	sqlite3_reset(names);
	while (!hit && (src = sqlite3_step(names)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(names, 0);

		if (name && bk_sql_token_is(tok, n, kind, name, 0)) {
			hit = 1;
			snprintf(why, cap, "reading '%s' directly is not allowed: query the dataset views", name);
		}
	}
	if (!hit && src != SQLITE_DONE) {
		snprintf(why, cap, "the schema could not be read to check the query");
		return 1;
	}
	return hit;
}

/* Whether a token names one of the user's views and the tokens after it
 * make it a WITH clause's table: "warga AS (", "warga AS MATERIALIZED (",
 * "warga (a, b) AS (". SQLite tells the authorizer a CTE's reads in the
 * name of the CTE, exactly as it tells a view's: a CTE named like a view
 * could read that view's base table as if it were the view. */
static int names_view_as_cte(const struct query_ctx *q, const char *sql, size_t len, size_t at, size_t n,
			     enum bk_sql_token kind)
{
	int view = bk_sql_token_is(sql + at, n, kind, "wilayah", 0);
	enum bk_sql_token next;
	size_t i = at + n, m;

	for (size_t k = 0; !view && k < q->nviews; k++)
		view = bk_sql_token_is(sql + at, n, kind, q->views[k], 0);
	if (!view)
		return 0;
	for (;; i += m) { /* the next token that is not space */
		if (i >= len)
			return 0;
		m = bk_sql_token(sql + i, len - i, &next);
		if (next != BK_SQL_SPACE)
			break;
	}
	return (next == BK_SQL_PUNCT && sql[i] == '(') || bk_sql_token_is(sql + i, m, next, "as", 0);
}

/* Looks at every token of the SQL before SQLite prepares it; 1 (with the
 * reason, which never repeats the user's text) when the SQL must be refused. */
static int screen_sql(struct query_ctx *q, const char *sql, char *why, size_t cap)
{
	sqlite3_stmt *names = NULL;
	size_t len = strlen(sql);
	int refused = 0;

	if (sqlite3_prepare_v2(q->v->db, "SELECT name FROM main.sqlite_master", -1, &names, NULL) != SQLITE_OK) {
		sqlite3_finalize(names);
		snprintf(why, cap, "the schema could not be read to check the query");
		return 1; /* fail closed */
	}
	for (size_t i = 0; i < len && !refused;) {
		enum bk_sql_token kind;
		size_t n = bk_sql_token(sql + i, len - i, &kind);

		if (kind == BK_SQL_WORD || kind == BK_SQL_QUOTED || kind == BK_SQL_STRING) {
			refused = spells_base_table(names, sql + i, n, kind, why, cap);
			if (!refused && names_view_as_cte(q, sql, len, i, n, kind)) {
				snprintf(why, cap, "a WITH clause cannot take the name of a dataset view");
				refused = 1;
			}
		}
		i += n;
	}
	sqlite3_finalize(names);
	return refused;
}

/* The first keyword, past spaces and comments: SELECT, WITH or VALUES. The
 * authorizer is the real check; this gives writes a clear denial even where
 * SQLite refuses them before asking the authorizer (a DELETE on a view). */
static int starts_with_select(const char *sql)
{
	size_t len = strlen(sql);

	for (size_t i = 0; i < len;) {
		enum bk_sql_token kind;
		size_t n = bk_sql_token(sql + i, len - i, &kind);

		if (kind != BK_SQL_SPACE)
			return bk_sql_token_is(sql + i, n, kind, "select", 0) || bk_sql_token_is(sql + i, n, kind, "with", 0) ||
			       bk_sql_token_is(sql + i, n, kind, "values", 0);
		i += n;
	}
	return 0;
}

/* What went wrong when SQLite could not prepare the statement, without the
 * part of its message that quotes the SQL ("near \"3505…\": syntax error",
 * "no such column: …"): the SQL may hold a personal value. */
static void parse_error(sqlite3 *db, char *out, size_t cap)
{
	static const char *const kinds[] = {
		"syntax error", "no such column", "no such table", "no such function", "unrecognized token",
		"incomplete input", "ambiguous column name", "wrong number of arguments", "misuse of aggregate",
		"misuse of window function", "no such collation sequence", "term out of range", "too many terms",
		"a GROUP BY clause is required", "not authorized", "circular reference", "has no column named",
		"columns but", "values for", "too many columns", "more than one row", "parser stack overflow",
	};
	const char *msg = sqlite3_errmsg(db);
	const char *kind = NULL;
	size_t n;

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]) && !kind; i++)
		if (strstr(msg, kinds[i]))
			kind = kinds[i];
	n = (size_t)snprintf(out, cap, "the query does not parse%s%s", kind ? ": " : "", kind ? kind : "");
#if SQLITE_VERSION_NUMBER >= 3038000
	if (n < cap && sqlite3_error_offset(db) >= 0)
		snprintf(out + n, cap - n, " (at byte %d of the SQL)", sqlite3_error_offset(db) + 1);
#else
	(void)n;
#endif
}

/* Another command held the vault past the busy timeout: bk_db_busy's words in
 * why (the audit entry's, and at last the user's), not SQLite's. */
static bk_status busy_why(char *why, size_t cap)
{
	(void)bk_db_busy("vault.db");
	snprintf(why, cap, "%s", bk_error_detail());
	return BK_ERR_BUSY;
}

/* The progress handler: ends a statement that runs past its deadline (a
 * recursive CTE without end, a cross join of every dataset). */
static int over_time(void *ctx)
{
	struct query_ctx *q = ctx;
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec > q->deadline.tv_sec || (now.tv_sec == q->deadline.tv_sec && now.tv_nsec >= q->deadline.tv_nsec))
		q->timed_out = 1;
	return q->timed_out;
}

/* Runs the prepared statement into rows; on failure *outcome_p and why say
 * what the audit entry records. */
static bk_status collect_rows(struct query_ctx *q, sqlite3_stmt *st, json_t *cols, json_t *rows, long long *nrows_p,
			      const char **outcome_p, char *why, size_t cap)
{
	int src;

	/* every cell is checked in: a row short of a cell would print as a shorter
	 * truth (json_array_append_new fails on NULL, and frees what it was given) */
	for (int i = 0; i < sqlite3_column_count(st); i++)
		if (json_array_append_new(cols, json_string(sqlite3_column_name(st, i))))
			goto nomem;
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *row = json_array();

		if (json_array_append_new(rows, row))
			goto nomem;
		for (int i = 0; i < sqlite3_column_count(st); i++)
			if (json_array_append_new(row, cell_json(st, i)))
				goto nomem;
		if (++*nrows_p > RESULT_ROWS_MAX) {
			snprintf(why, cap, "more than %d result rows: aggregate, or add LIMIT", RESULT_ROWS_MAX);
			return BK_ERR_USAGE;
		}
	}
	if (src == SQLITE_DONE)
		return BK_OK;
	if (q->reveal_rc) {
		/* nothing leaves: the rows gathered so far are dropped */
		snprintf(why, cap, "%s", q->reveal_error);
		if (q->reveal_rc == BK_ERR_DENIED)
			*outcome_p = "denied";
		return q->reveal_rc;
	}
	if (q->timed_out) {
		*outcome_p = "denied";
		snprintf(why, cap, "the query ran past its limit of %u s and was stopped", q->seconds);
		bk_hint("narrow the query, or give it more time with --timeout SECONDS");
		return BK_ERR_DENIED;
	}
	if (bk_db_is_busy(src))
		return busy_why(why, cap);
	/* SQLite's own words for a runtime error, never the statement's values */
	snprintf(why, cap, "the query failed while running: %s", sqlite3_errstr(src));
	return (src & 0xff) == SQLITE_CORRUPT || (src & 0xff) == SQLITE_NOTADB ? BK_ERR_CORRUPT
	       : (src & 0xff) == SQLITE_IOERR || (src & 0xff) == SQLITE_FULL ? BK_ERR_IO
	       : (src & 0xff) == SQLITE_NOMEM					    ? BK_ERR_NOMEM
									    : BK_ERR_DB;
nomem:
	snprintf(why, cap, "out of memory while gathering the result");
	bk_note_alloc_failed();
	return BK_ERR_NOMEM;
}

/* query_screen makes the views and registers reveal(), and refuses a
 * statement that is not a plain SELECT before SQLite sees it; on failure
 * why (and *outcome_p) say what to log. */
static bk_status query_screen(struct query_ctx *q, const char *sql, const char **outcome_p, char *why, size_t cap)
{
	struct bk_vault *v = q->v;
	bk_status rc;

	if ((rc = make_views(q))) {
		snprintf(why, cap, "the dataset views could not be made");
		goto out;
	}
	if (screen_sql(q, sql, why, cap) || !starts_with_select(sql)) {
		if (!why[0])
			snprintf(why, cap, "only SELECT is allowed: a query cannot write or change the vault");
		*outcome_p = "denied";
		rc = BK_ERR_DENIED;
		goto out;
	}
	if (sqlite3_create_function(v->db, "reveal", 1, SQLITE_UTF8, q, reveal_fn, NULL, NULL) != SQLITE_OK) {
		rc = BK_ERR_DB;
		snprintf(why, cap, "reveal() could not be registered");
		goto out;
	}
out:
	return rc;
}

/* query_prepare starts the clock and prepares the statement under the
 * authorizer, then refuses what the authorizer denied, a second statement,
 * a write, and reveal() without a purpose; on failure why (and *outcome_p)
 * say what to log. */
static bk_status query_prepare(struct query_ctx *q, const char *sql, sqlite3_stmt **st_p, const char **outcome_p,
			       char *why, size_t cap)
{
	struct bk_vault *v = q->v;
	const char *tail = NULL;
	bk_status rc;
	int src;

	clock_gettime(CLOCK_MONOTONIC, &q->deadline);
	q->deadline.tv_sec += (time_t)q->seconds;
	sqlite3_progress_handler(v->db, 1000, over_time, q);
	sqlite3_set_authorizer(v->db, authorize, q);
	src = sqlite3_prepare_v2(v->db, sql, -1, st_p, &tail);
	rc = src == SQLITE_OK && *st_p ? BK_OK : BK_ERR_USAGE;
	sqlite3_set_authorizer(v->db, NULL, NULL); /* our own statements are not the user's */
	if (q->denied[0]) {
		snprintf(why, cap, "%s", q->denied);
		*outcome_p = "denied";
		rc = BK_ERR_DENIED;
	} else if (bk_db_is_busy(src)) { /* reading the schema */
		rc = busy_why(why, cap);
	} else if (rc != BK_OK) {
		parse_error(v->db, why, cap);
		bk_hint("`brankas dataset show NAME` lists a dataset's columns; views are named like datasets");
	} else if (tail && strspn(tail, " \t\r\n;") != strlen(tail)) {
		/* a policy, like SELECT only: what would come after the first statement is not run */
		*outcome_p = "denied";
		rc = BK_ERR_DENIED;
		snprintf(why, cap, "one statement per query");
	} else if (!sqlite3_stmt_readonly(*st_p)) {
		*outcome_p = "denied";
		rc = BK_ERR_DENIED;
		snprintf(why, cap, "only SELECT is allowed: a query cannot write or change the vault");
	} else if (q->uses_reveal && (!q->purpose || !q->purpose[0])) {
		rc = BK_ERR_USAGE;
		snprintf(why, cap, "a query that reveals identifiers needs --purpose");
	}
	return rc;
}

bk_status bk_vault_query(struct bk_vault *v, const char *sql, const char *purpose, unsigned seconds,
			 json_t **result_p)
{
	struct query_ctx q;
	sqlite3_stmt *st = NULL;
	const char *outcome = "failed";
	json_t *rows = NULL, *cols = NULL;
	long long nrows = 0;
	char why[512] = "";
	bk_status rc, logged;

	*result_p = NULL;
	memset(&q, 0, sizeof(q));
	q.v = v;
	q.purpose = purpose;
	q.seconds = seconds ? seconds : BK_QUERY_SECONDS_DEFAULT;
	if (q.seconds > BK_QUERY_SECONDS_MAX)
		return bk_fail(BK_ERR_USAGE, "a query may run at most %u s", BK_QUERY_SECONDS_MAX);
	/* the views hold only the user's kecamatan: asking for the first is asking for the scope */
	if ((rc = bk_vault_require(v, BK_ACT_READ, NULL, BK_COL_PUBLIC, bk_vault_own_scope(v))))
		return rc;
	/* From here on every outcome is written down: a statement that calls
	 * reveal() may have opened values even when it fails. */
	if ((rc = query_screen(&q, sql, &outcome, why, sizeof(why))) == BK_OK &&
	    (rc = query_prepare(&q, sql, &st, &outcome, why, sizeof(why))) == BK_OK) {
		rows = json_array();
		cols = json_array();
		if (!rows || !cols) {
			rc = BK_ERR_NOMEM;
			snprintf(why, sizeof(why), "out of memory");
		} else if ((rc = collect_rows(&q, st, cols, rows, &nrows, &outcome, why, sizeof(why))) == BK_OK) {
			outcome = "ok";
		}
	}
	sqlite3_progress_handler(v->db, 0, NULL, NULL);
	/* the rows are copied out: end the statement's read transaction before the
	 * audit entry's write one, or in WAL a commit by another process since the
	 * query began makes BEGIN IMMEDIATE fail at once (SQLITE_BUSY_SNAPSHOT)
	 * instead of waiting out the busy timeout */
	sqlite3_finalize(st);
	st = NULL;
	/* log before reveal: the entry is durable before a row is handed out */
	logged = audit_query(v, sql, purpose, outcome, rc == BK_OK ? NULL : why, rc == BK_OK ? nrows : -1, q.revealed);
	if (logged != BK_OK) {
		rc = logged; /* fail closed: no entry, no rows */
		goto out;
	}
	if (rc != BK_OK) {
		rc = rc == BK_ERR_BUSY ? bk_db_busy("vault.db") : bk_fail(rc, "%s", why);
		goto out;
	}
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
