/* stores.c - the per-kecamatan stores of stores.h: made, pinned, attached
 * under their own keys and checked to be the ones this vault made. */
#include "vault/core/stores.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fileio.h"
#include "crypto/box.h"
#include "crypto/encoding.h"
#include "crypto/secmem.h"
#include "vault/core/db.h"

#define KEYSPEC_LEN (3 + 2 * BK_DB_KEYBYTES) /* x'<64 hex>' */

void bk_store_schema(char out[BK_STORE_SCHEMA_MAX], const char *kecamatan)
{
	size_t n = (size_t)snprintf(out, BK_STORE_SCHEMA_MAX, "kec_%s", kecamatan);

	for (size_t i = 4; i < n && i < BK_STORE_SCHEMA_MAX; i++)
		if (out[i] == '.')
			out[i] = '_';
}

void bk_stores_file(char (*kec)[BK_CODE_MAX], size_t f, char schema[BK_STORE_SCHEMA_MAX])
{
	if (f == 0)
		snprintf(schema, BK_STORE_SCHEMA_MAX, "main");
	else
		bk_store_schema(schema, kec[f - 1]);
}

static bk_status store_path(const char *dir, const char *kecamatan, char *out, size_t cap)
{
	if ((size_t)snprintf(out, cap, "%s/kec/%s.db", dir, kecamatan) >= cap)
		return bk_fail(BK_ERR_IO, "path too long for the store of %s", kecamatan);
	return BK_OK;
}

/* ATTACH under the raw key, bound as a parameter: the key never appears in
 * SQL text that SQLite could echo in an error. */
static bk_status attach(sqlite3 *db, const char *kecamatan, const uint8_t key[BK_DB_KEYBYTES], const char *path)
{
	char schema[BK_STORE_SCHEMA_MAX], what[64];
	char *keyspec = bk_secmem_alloc(KEYSPEC_LEN + 1);
	sqlite3_stmt *st = NULL;
	bk_status rc = BK_OK;
	int src;

	if (!keyspec)
		return bk_fail(BK_ERR_NOMEM, "out of guarded memory");
	keyspec[0] = 'x';
	keyspec[1] = '\'';
	bk_hex_encode(keyspec + 2, key, BK_DB_KEYBYTES);
	keyspec[KEYSPEC_LEN - 1] = '\'';
	bk_store_schema(schema, kecamatan);
	src = sqlite3_prepare_v2(db, "ATTACH DATABASE ?1 AS ?2 KEY ?3", -1, &st, NULL);
	if (src == SQLITE_OK)
		src = sqlite3_bind_text(st, 1, path, -1, SQLITE_TRANSIENT);
	if (src == SQLITE_OK)
		src = sqlite3_bind_text(st, 2, schema, -1, SQLITE_TRANSIENT);
	if (src == SQLITE_OK)
		src = sqlite3_bind_text(st, 3, keyspec, KEYSPEC_LEN, SQLITE_TRANSIENT);
	if (src == SQLITE_OK)
		src = sqlite3_step(st);
	if (src != SQLITE_DONE) {
		/* SQLCipher reads page 1 when it attaches: another key is "not a database" */
		if ((sqlite3_extended_errcode(db) & 0xff) == SQLITE_NOTADB || strstr(sqlite3_errmsg(db), "not a database"))
			rc = bk_fail(BK_ERR_CORRUPT, "the store of kecamatan %s does not open with its key: it was altered "
						     "or replaced",
				     kecamatan);
		else if (bk_db_is_busy(src)) {
			snprintf(what, sizeof(what), "the store of kecamatan %s", kecamatan);
			rc = bk_db_busy(what);
		} else
			rc = bk_fail((src & 0xff) == SQLITE_ERROR ? BK_ERR_DB : BK_ERR_IO,
				     "cannot attach the store of kecamatan %s: %s", kecamatan, sqlite3_errmsg(db));
		goto out;
	}
out:
	sqlite3_finalize(st);
	bk_secmem_free(keyspec);
	return rc;
}

/* Reads one value of a store's store_meta; BK_ERR_CORRUPT when the store does
 * not decrypt or lacks it (an optional value reads as "" then). */
static bk_status store_meta_read(sqlite3 *db, const char *kecamatan, const char *key, int optional, char *out,
				 size_t cap)
{
	char schema[BK_STORE_SCHEMA_MAX], sql[128];
	sqlite3_stmt *st = NULL;
	bk_status rc = BK_OK;
	int src;

	bk_store_schema(schema, kecamatan);
	snprintf(sql, sizeof(sql), "SELECT value FROM \"%s\".store_meta WHERE key = ?", schema);
	src = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (src == SQLITE_OK)
		src = sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = sqlite3_step(st);
	if (src == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(out, cap, "%s", (const char *)sqlite3_column_text(st, 0));
	else if (src == SQLITE_DONE && optional)
		out[0] = '\0';
	else if (src == SQLITE_ROW || src == SQLITE_DONE || (src & 0xff) == SQLITE_NOTADB ||
		 (src & 0xff) == SQLITE_CORRUPT || (src & 0xff) == SQLITE_ERROR)
		rc = bk_fail(BK_ERR_CORRUPT, "the store of kecamatan %s does not open with its key or is not a "
					     "brankas store: it was altered or replaced",
			     kecamatan);
	else
		rc = bk_db_status(db, src, "reading a kecamatan store");
	sqlite3_finalize(st);
	return rc;
}

static bk_status store_meta(sqlite3 *db, const char *kecamatan, const char *key, char *out, size_t cap)
{
	return store_meta_read(db, kecamatan, key, 0, out, cap);
}

bk_status bk_store_index_id(sqlite3 *db, const char *kecamatan, char out[BK_KEY_ID_MAX])
{
	bk_status rc = store_meta_read(db, kecamatan, "blind", 1, out, BK_KEY_ID_MAX);

	if (rc == BK_OK && !out[0])
		snprintf(out, BK_KEY_ID_MAX, "%s", BK_INDEX_LEGACY);
	return rc;
}

bk_status bk_store_index_set(sqlite3 *db, const char *kecamatan, const char *id)
{
	char schema[BK_STORE_SCHEMA_MAX], sql[128];
	sqlite3_stmt *st = NULL;
	int src;

	bk_store_schema(schema, kecamatan);
	snprintf(sql, sizeof(sql), "INSERT OR REPLACE INTO \"%s\".store_meta VALUES ('blind', ?)", schema);
	src = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (src == SQLITE_OK)
		src = sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = sqlite3_step(st);
	sqlite3_finalize(st);
	return src == SQLITE_DONE ? BK_OK : bk_db_status(db, src, "recording a store's index key");
}

/* The store must name this vault and this kecamatan. */
static bk_status check_store(sqlite3 *db, const char *kecamatan, const char *id)
{
	char got[128];
	bk_status rc;

	if ((rc = store_meta(db, kecamatan, "vault_id", got, sizeof(got))))
		return rc;
	if (strcmp(got, id) != 0)
		return bk_fail(BK_ERR_CORRUPT, "the store of kecamatan %s belongs to another vault", kecamatan);
	if ((rc = store_meta(db, kecamatan, "kecamatan", got, sizeof(got))))
		return rc;
	if (strcmp(got, kecamatan) != 0)
		return bk_fail(BK_ERR_CORRUPT, "the store file of kecamatan %s holds kecamatan %s: stores were swapped",
			       kecamatan, got);
	return BK_OK;
}

bk_status bk_store_pinned(sqlite3 *db, const char *kecamatan, int *pinned_p)
{
	char key[BK_STORE_SCHEMA_MAX + 8], got[32];
	bk_status rc;

	snprintf(key, sizeof(key), "store:%s", kecamatan);
	rc = bk_db_meta_get(db, key, got, sizeof(got));
	*pinned_p = rc == BK_OK;
	if (rc == BK_ERR_NOTFOUND) {
		bk_error_clear();
		rc = BK_OK;
	}
	return rc;
}

bk_status bk_store_make(sqlite3 *db, const char *dir, const char *kecamatan, const uint8_t key[BK_DB_KEYBYTES],
			const char *vault_id, const char *index_id)
{
	char path[PATH_MAX], kdir[PATH_MAX], schema[BK_STORE_SCHEMA_MAX], sql[768], pin[BK_STORE_SCHEMA_MAX + 8];
	bk_status rc;
	int fd;

	if ((size_t)snprintf(kdir, sizeof(kdir), "%s/kec", dir) >= sizeof(kdir) ||
	    (rc = store_path(dir, kecamatan, path, sizeof(path))))
		return bk_fail(BK_ERR_IO, "path too long: '%s'", dir);
	if (mkdir(kdir, 0700) != 0 && errno != EEXIST)
		return bk_fail(BK_ERR_IO, "cannot create '%s': %s", kdir, strerror(errno));
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 && errno != EEXIST)
		return bk_fail(BK_ERR_IO, "cannot create '%s': %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	if ((rc = bk_fsync_dir(path)) || (rc = attach(db, kecamatan, key, path)))
		return rc;
	bk_store_schema(schema, kecamatan);
	/* the values are hex, region codes and key ids (letters, digits, dots, colons): safe to splice */
	snprintf(sql, sizeof(sql),
		 "PRAGMA \"%s\".journal_mode = DELETE;" /* db.h: rollback journals, atomic over files */
		 "BEGIN;"
		 "CREATE TABLE IF NOT EXISTS \"%s\".store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
		 "INSERT OR REPLACE INTO \"%s\".store_meta VALUES ('vault_id', '%s'), ('kecamatan', '%s'), "
		 "('blind', '%s');"
		 "PRAGMA \"%s\".user_version = 1;"
		 "COMMIT;",
		 schema, schema, schema, vault_id, kecamatan, index_id ? index_id : BK_INDEX_LEGACY, schema);
	if ((rc = bk_db_exec(db, sql))) {
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	snprintf(pin, sizeof(pin), "store:%s", kecamatan);
	return bk_db_meta_set(db, pin, "made");
}

bk_status bk_store_attach(sqlite3 *db, const char *dir, const char *kecamatan, const uint8_t key[BK_DB_KEYBYTES],
			  const char *vault_id)
{
	char path[PATH_MAX], schema[BK_STORE_SCHEMA_MAX];
	struct stat st;
	bk_status rc;

	if ((rc = store_path(dir, kecamatan, path, sizeof(path))))
		return rc;
	if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0)
		return bk_fail(BK_ERR_CORRUPT, "'%s' is missing or empty: the store of kecamatan %s was removed", path,
			       kecamatan);
	if ((rc = attach(db, kecamatan, key, path)))
		return rc;
	if ((rc = check_store(db, kecamatan, vault_id)))
		return rc;
	bk_store_schema(schema, kecamatan);
	(void)bk_db_journal_rollback(db, schema); /* a store made in WAL by an older brankas */
	return BK_OK;
}

/* --- routing the citizen tables over the stores ---
 *
 * Each dataset's table ds_NAME is made by the schema room in vault.db; every
 * store gets a table of the same definition. A TEMP view of the same name
 * (found before main's table by unqualified SQL) is the union of vault.db's
 * rows (waiting to move in, or of a dataset with no kecamatan) and every
 * attached store's: reads see exactly what the keys reach. Writes name their
 * file (SQLite allows no qualified table in a trigger, so the view has no
 * INSTEAD OF triggers): bk_stores_locate and bk_stores_place find it. */

#define ROUTE_SQL_MAX (256 * 1024)
#define BK_STORES_LIST_MAX 1024

struct route {
	sqlite3 *db;
	char (*kec)[BK_CODE_MAX];
	size_t n;
	char *sql; /* ROUTE_SQL_MAX */
	size_t len;
};

BK_PRINTF(2, 3) static void put(struct route *r, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (r->len >= ROUTE_SQL_MAX)
		return;
	va_start(ap, fmt);
	k = vsnprintf(r->sql + r->len, ROUTE_SQL_MAX - r->len, fmt, ap);
	va_end(ap);
	r->len = k < 0 ? ROUTE_SQL_MAX : r->len + (size_t)k;
}

/* The names of main's citizen tables: ds_ and a checked dataset name. */
static bk_status citizen_tables(sqlite3 *db, char ***names_p, size_t *n_p)
{
	sqlite3_stmt *st = NULL;
	char **names = NULL;
	size_t n = 0;
	int src;

	*names_p = NULL;
	*n_p = 0;
	src = sqlite3_prepare_v2(db,
				 "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name GLOB 'ds_[a-z]*' "
				 "ORDER BY name",
				 -1, &st, NULL);
	while (src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		char **grown = realloc(names, (n + 1) * sizeof(*names));

		if (!grown || !name || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(name)) {
			free(grown ? grown : names);
			names = NULL;
			n = 0;
			src = grown ? SQLITE_CORRUPT : SQLITE_NOMEM;
			break;
		}
		names = grown;
		names[n++] = strdup(name);
		if (!names[n - 1]) {
			src = SQLITE_NOMEM;
			break;
		}
		src = SQLITE_OK;
	}
	sqlite3_finalize(st);
	if (src != SQLITE_DONE) {
		for (size_t i = 0; i < n; i++)
			free(names[i]);
		free(names);
		if (src == SQLITE_NOMEM)
			return bk_fail(BK_ERR_NOMEM, "out of memory");
		if (src == SQLITE_CORRUPT)
			return bk_fail(BK_ERR_CORRUPT, "vault.db: a dataset table with a bad name");
		return bk_db_status(db, src, "listing the dataset tables"); /* busy is not damage */
	}
	*names_p = names;
	*n_p = n;
	return BK_OK;
}

static void tables_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* Whether schema (an attached store) has the table. */
static bk_status has_table(sqlite3 *db, const char *schema, const char *table, int *has_p)
{
	char sql[160];
	sqlite3_stmt *st = NULL;
	int src;

	snprintf(sql, sizeof(sql), "SELECT 1 FROM \"%s\".sqlite_master WHERE type = 'table' AND name = ?", schema);
	src = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (src == SQLITE_OK)
		src = sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = sqlite3_step(st);
	sqlite3_finalize(st);
	*has_p = src == SQLITE_ROW;
	return src == SQLITE_ROW || src == SQLITE_DONE ? BK_OK : bk_db_status(db, src, "reading a store's tables");
}

/* A name brankas gives a column or an index: safe inside quotes. */
static int plain_name(const char *name)
{
	return name && name[0] && strlen(name) < 128 &&
	       strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") == strlen(name);
}

/* Makes table in schema with main's columns (names, INTEGER or TEXT, the
 * id key, NOT NULL) and its one-column indexes. Rebuilt from what SQLite
 * reports of the table, never from the SQL text stored in vault.db: anyone
 * holding the database key can rewrite that text (writable_schema), and a
 * store holder's unlock would run it with the stores attached. */
static bk_status copy_table(sqlite3 *db, const char *schema, const char *table)
{
	sqlite3_stmt *st = NULL;
	char *sql = sqlite3_mprintf("CREATE TABLE \"%s\".\"%s\" (", schema, table);
	bk_status rc = BK_OK;
	int src, ncols = 0;

	src = sqlite3_prepare_v2(db, "SELECT name, upper(type), \"notnull\", pk FROM pragma_table_info(?1, 'main') ORDER BY cid",
				 -1, &st, NULL);
	if (src == SQLITE_OK)
		src = sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	while (sql && src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0), *type = (const char *)sqlite3_column_text(st, 1);
		int pk = sqlite3_column_int(st, 3), notnull = sqlite3_column_int(st, 2);
		char *longer;

		src = SQLITE_OK;
		if (!plain_name(name) || !type ||
		    (strcmp(type, "INTEGER") != 0 && strcmp(type, "TEXT") != 0 && strcmp(type, "BLOB") != 0) ||
		    (pk && (strcmp(name, "id") != 0 || strcmp(type, "INTEGER") != 0))) {
			rc = bk_fail(BK_ERR_CORRUPT, "vault.db: the table %s is not one brankas made: it was altered", table);
			break;
		}
		longer = sqlite3_mprintf("%s%s\"%s\" %s%s%s", sql, ncols++ ? ", " : "", name, type,
					 pk ? " PRIMARY KEY" : "", notnull ? " NOT NULL" : "");
		sqlite3_free(sql);
		sql = longer;
	}
	sqlite3_finalize(st);
	if (rc == BK_OK && (!sql || (src != SQLITE_DONE && src != SQLITE_OK)))
		rc = sql ? bk_db_status(db, src, "reading a table's columns") : bk_fail(BK_ERR_NOMEM, "out of memory");
	if (rc == BK_OK && ncols == 0)
		rc = bk_fail(BK_ERR_CORRUPT, "vault.db: the table %s has no columns", table);
	if (rc == BK_OK) {
		char *closed = sqlite3_mprintf("%s)", sql);

		rc = closed ? bk_db_exec(db, closed) : bk_fail(BK_ERR_NOMEM, "out of memory");
		sqlite3_free(closed);
	}
	sqlite3_free(sql);
	if (rc != BK_OK)
		return rc;
	/* the indexes: each on one column, named by brankas */
	src = sqlite3_prepare_v2(db,
				 "SELECT l.name, i.name FROM pragma_index_list(?1, 'main') AS l, "
				 "pragma_index_info(l.name, 'main') AS i WHERE l.origin = 'c' ORDER BY l.name",
				 -1, &st, NULL);
	if (src == SQLITE_OK)
		src = sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	while (rc == BK_OK && src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
		const char *index = (const char *)sqlite3_column_text(st, 0), *col = (const char *)sqlite3_column_text(st, 1);

		src = SQLITE_OK;
		if (!plain_name(index) || !plain_name(col)) {
			rc = bk_fail(BK_ERR_CORRUPT, "vault.db: an index of %s is not one brankas made: it was altered", table);
			break;
		}
		sql = sqlite3_mprintf("CREATE INDEX \"%s\".\"%s\" ON \"%s\" (\"%s\")", schema, index, table, col);
		rc = sql ? bk_db_exec(db, sql) : bk_fail(BK_ERR_NOMEM, "out of memory");
		sqlite3_free(sql);
	}
	if (rc == BK_OK && src != SQLITE_DONE && src != SQLITE_OK)
		rc = bk_db_status(db, src, "reading a table's indexes");
	sqlite3_finalize(st);
	return rc;
}

static void put_view(struct route *r, const char *table)
{
	char schema[BK_STORE_SCHEMA_MAX];

	put(r, "DROP VIEW IF EXISTS temp.\"%s\"; CREATE TEMP VIEW \"%s\" AS SELECT * FROM main.\"%s\"", table, table,
	    table);
	for (size_t i = 0; i < r->n; i++) {
		bk_store_schema(schema, r->kec[i]);
		put(r, " UNION ALL SELECT * FROM \"%s\".\"%s\"", schema, table);
	}
	put(r, ";");
}

bk_status bk_stores_route(sqlite3 *db, char (*kec)[BK_CODE_MAX], size_t n)
{
	struct route *r = calloc(1, sizeof(*r));
	char **tables = NULL, schema[BK_STORE_SCHEMA_MAX];
	size_t ntables = 0;
	int began = 0;
	bk_status rc;

	if (!r || !(r->sql = malloc(ROUTE_SQL_MAX))) {
		free(r);
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	}
	r->db = db;
	r->kec = kec;
	r->n = n;
	if ((rc = citizen_tables(db, &tables, &ntables)))
		goto out;
	for (size_t t = 0; t < ntables && rc == BK_OK; t++) {
		for (size_t i = 0; i < n && rc == BK_OK; i++) {
			int has;

			bk_store_schema(schema, kec[i]);
			if ((rc = has_table(db, schema, tables[t], &has)) || has)
				continue;
			/* a store made after the dataset, or a dataset made while the
			 * store was away: the table is made once, by whoever comes first */
			if (!began && sqlite3_get_autocommit(db)) {
				if ((rc = bk_db_exec(db, "BEGIN IMMEDIATE")))
					break;
				began = 1;
			}
			rc = copy_table(db, schema, tables[t]);
		}
		if (rc != BK_OK || n == 0)
			continue;
		r->len = 0;
		put_view(r, tables[t]);
		rc = r->len >= ROUTE_SQL_MAX ? bk_fail(BK_ERR_STATE, "too many stores or columns to join %s", tables[t])
					     : bk_db_exec(db, r->sql);
	}
	if (began)
		rc = rc == BK_OK ? bk_db_exec(db, "COMMIT") : (sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL), rc);
out:
	tables_free(tables, ntables);
	free(r->sql);
	free(r);
	return rc;
}

/* --- moving rows in ---
 *
 * Rows of kecamatan K that sit in vault.db (written before the stores held
 * rows, or by someone without K's store key) move into K's store in chunks.
 * Each chunk is two transactions, store first: a copy (INSERT OR IGNORE, so a
 * chunk copied before a crash is copied again as a no-op), then the delete
 * from vault.db. A crash between them leaves a row in both files, never in
 * neither; the next run deletes the vault.db copy. */

#define MOVE_CHUNK 20000

static bk_status query_count(sqlite3 *db, const char *sql, const char *kec, int64_t *a_p, int64_t *b_p)
{
	sqlite3_stmt *st = NULL;
	bk_status rc = BK_OK;
	int src;

	src = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (src == SQLITE_OK)
		src = sqlite3_bind_text(st, 1, kec, -1, SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = sqlite3_step(st);
	if (src == SQLITE_ROW) {
		*a_p = sqlite3_column_int64(st, 0);
		if (b_p)
			*b_p = sqlite3_column_int64(st, 1);
	} else {
		rc = bk_db_status(db, src, "reading rows to move into the stores");
	}
	sqlite3_finalize(st);
	return rc;
}

/* The blind-index columns of table ("_bi" is theirs alone: dataset.c) as
 * "SET" assignments to NULL, in *set_p (sqlite3_malloc'd; "" when it has
 * none): a row that reaches a store indexed under another key than its old
 * file's, or out of the inbox, has its index made again by a holder of the
 * store's blind key (bk_store_index_id). */
static bk_status index_nulls(sqlite3 *db, const char *table, char **set_p)
{
	sqlite3_stmt *st = NULL;
	char *set = sqlite3_mprintf("");
	int src;

	src = sqlite3_prepare_v2(db, "SELECT name FROM pragma_table_info(?1, 'main') WHERE name LIKE '%\\_bi' ESCAPE '\\'",
				 -1, &st, NULL);
	if (src == SQLITE_OK)
		src = sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	while (set && src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		char *longer;

		src = SQLITE_OK;
		if (!plain_name(name))
			continue; /* copy_table refuses such a table */
		longer = sqlite3_mprintf("%s%s\"%s\" = NULL", set, set[0] ? ", " : "", name);
		sqlite3_free(set);
		set = longer;
	}
	sqlite3_finalize(st);
	if (!set || (src != SQLITE_DONE && src != SQLITE_OK)) {
		bk_status rc = set ? bk_db_status(db, src, "reading a table's columns") : bk_fail(BK_ERR_NOMEM, "out of memory");

		sqlite3_free(set);
		return rc;
	}
	*set_p = set;
	return BK_OK;
}

/* Moves the lowest MOVE_CHUNK ids of kec still in vault.db; *left_p: whether
 * more may be left. */
static bk_status move_chunk(sqlite3 *db, const char *table, const char *kec, uint64_t *moved_p, int *left_p)
{
	char schema[BK_STORE_SCHEMA_MAX], index_id[BK_KEY_ID_MAX], *pick, *copy = NULL, *drop = NULL, *nulls = NULL;
	int64_t last = 0, count = 0;
	bk_status rc;

	*left_p = 0;
	bk_store_schema(schema, kec);
	/* vault.db's rows were indexed under the vault-wide key */
	if ((rc = bk_store_index_id(db, kec, index_id)))
		return rc;
	if (strcmp(index_id, BK_INDEX_LEGACY) != 0 && (rc = index_nulls(db, table, &nulls)))
		return rc;
	pick = sqlite3_mprintf("SELECT coalesce(max(id), 0), count(*) FROM (SELECT id FROM main.\"%s\" "
			       "WHERE kecamatan = ?1 ORDER BY id LIMIT %d)",
			       table, MOVE_CHUNK);
	if (!pick) {
		sqlite3_free(nulls);
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	}
	rc = query_count(db, pick, kec, &last, &count);
	sqlite3_free(pick);
	if (rc != BK_OK || count == 0) {
		sqlite3_free(nulls);
		return rc;
	}
	/* table and schema names are checked; kec is a code; ids are numbers */
	copy = sqlite3_mprintf("BEGIN IMMEDIATE; INSERT OR IGNORE INTO \"%s\".\"%s\" SELECT * FROM main.\"%s\" "
			       "WHERE kecamatan = '%q' AND id <= %lld;",
			       schema, table, table, kec, (long long)last);
	if (copy && nulls && nulls[0]) {
		char *more = sqlite3_mprintf("%s UPDATE \"%s\".\"%s\" SET %s WHERE id IN (SELECT id FROM main.\"%s\" "
					     "WHERE kecamatan = '%q' AND id <= %lld);",
					     copy, schema, table, nulls, table, kec, (long long)last);

		sqlite3_free(copy);
		copy = more;
	}
	sqlite3_free(nulls);
	drop = sqlite3_mprintf("BEGIN IMMEDIATE; DELETE FROM main.\"%s\" WHERE kecamatan = '%q' AND id <= %lld "
			       "AND id IN (SELECT id FROM \"%s\".\"%s\" WHERE id <= %lld); COMMIT;",
			       table, kec, (long long)last, schema, table, (long long)last);
	if (!copy || !drop)
		rc = bk_fail(BK_ERR_NOMEM, "out of memory");
	if (rc == BK_OK && (rc = bk_db_exec(db, copy)) == BK_OK && (rc = bk_store_bump(db, kec)) == BK_OK &&
	    (rc = bk_db_exec(db, "COMMIT")) == BK_OK)
		rc = bk_db_exec(db, drop);
	if (rc != BK_OK && !sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_free(copy);
	sqlite3_free(drop);
	if (rc == BK_OK) {
		*moved_p += (uint64_t)count;
		*left_p = count == MOVE_CHUNK;
	}
	return rc;
}

/* Counts (move unset) or moves the rows waiting in vault.db for the attached stores. */
static bk_status each_waiting(sqlite3 *db, char (*kec)[BK_CODE_MAX], size_t n, int move, uint64_t total,
			      bk_store_progress_fn progress, void *ctx, uint64_t *rows_p)
{
	char **tables = NULL;
	size_t ntables = 0;
	bk_status rc;

	*rows_p = 0;
	if (n == 0)
		return BK_OK;
	if ((rc = citizen_tables(db, &tables, &ntables)))
		return rc;
	for (size_t t = 0; t < ntables && rc == BK_OK; t++)
		for (size_t i = 0; i < n && rc == BK_OK; i++) {
			char *sql;
			int64_t count = 0;
			int left = 1;

			if (move) {
				while (left && rc == BK_OK) {
					rc = move_chunk(db, tables[t], kec[i], rows_p, &left);
					if (progress)
						progress(ctx, *rows_p, total);
				}
				continue;
			}
			sql = sqlite3_mprintf("SELECT count(*) FROM main.\"%s\" WHERE kecamatan = ?1", tables[t]);
			rc = sql ? query_count(db, sql, kec[i], &count, NULL) : bk_fail(BK_ERR_NOMEM, "out of memory");
			sqlite3_free(sql);
			*rows_p += (uint64_t)count;
		}
	tables_free(tables, ntables);
	return rc;
}

bk_status bk_stores_waiting(sqlite3 *db, char (*kec)[BK_CODE_MAX], size_t n, uint64_t *rows_p)
{
	bk_status rc = each_waiting(db, kec, n, 0, 0, NULL, NULL, rows_p);

	for (size_t i = 0; i < n && rc == BK_OK; i++) {
		int64_t count = 0;

		rc = query_count(db, "SELECT count(*) FROM main.inbox WHERE kecamatan = ?1", kec[i], &count, NULL);
		*rows_p += (uint64_t)count;
	}
	return rc;
}

bk_status bk_stores_move_in(sqlite3 *db, char (*kec)[BK_CODE_MAX], size_t n, uint64_t total,
			    bk_store_progress_fn progress, void *ctx, uint64_t *moved_p)
{
	return each_waiting(db, kec, n, 1, total, progress, ctx, moved_p);
}

/* --- the file of one row --- */

static void file_of(char (*kec)[BK_CODE_MAX], size_t n, const char *kecamatan, char schema[BK_STORE_SCHEMA_MAX])
{
	for (size_t i = 0; kecamatan && i < n; i++)
		if (strcmp(kec[i], kecamatan) == 0) {
			bk_store_schema(schema, kec[i]);
			return;
		}
	snprintf(schema, BK_STORE_SCHEMA_MAX, "main");
}

static bk_status holds_row(sqlite3 *db, const char *schema, const char *table, int64_t id, int *has_p)
{
	char *sql = sqlite3_mprintf("SELECT 1 FROM \"%s\".\"%s\" WHERE id = ?1", schema, table);
	sqlite3_stmt *st = NULL;
	int src;

	if (!sql)
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	src = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	sqlite3_free(sql);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 1, id);
	if (src == SQLITE_OK)
		src = sqlite3_step(st);
	sqlite3_finalize(st);
	*has_p = src == SQLITE_ROW;
	return src == SQLITE_ROW || src == SQLITE_DONE ? BK_OK : bk_db_status(db, src, "finding a row's file");
}

bk_status bk_stores_locate(sqlite3 *db, char (*kec)[BK_CODE_MAX], size_t n, const char *table, int64_t id,
			   char schema[BK_STORE_SCHEMA_MAX])
{
	bk_status rc;
	int has = 0;

	for (size_t f = 0; f <= n; f++) {
		bk_stores_file(kec, f, schema);
		if ((rc = holds_row(db, schema, table, id, &has)) || has)
			return rc;
	}
	return bk_fail(BK_ERR_NOTFOUND, "no row %lld in %s", (long long)id, table);
}

bk_status bk_stores_place(sqlite3 *db, char (*kec)[BK_CODE_MAX], size_t n, const char *table, int64_t id,
			  const char *kecamatan, char schema[BK_STORE_SCHEMA_MAX])
{
	char from[BK_STORE_SCHEMA_MAX], *sql;
	bk_status rc;

	file_of(kec, n, kecamatan, schema);
	if ((rc = bk_stores_locate(db, kec, n, table, id, from)) || strcmp(from, schema) == 0)
		return rc;
	/* the same definition in every file (bk_stores_route): the row moves whole */
	sql = sqlite3_mprintf("INSERT INTO \"%s\".\"%s\" SELECT * FROM \"%s\".\"%s\" WHERE id = %lld;"
			      "DELETE FROM \"%s\".\"%s\" WHERE id = %lld;",
			      schema, table, from, table, (long long)id, from, table, (long long)id);
	rc = sql ? bk_db_exec(db, sql) : bk_fail(BK_ERR_NOMEM, "out of memory");
	sqlite3_free(sql);
	return rc;
}

/* --- the inbox ---
 *
 * An entry is a row sealed whole to its kecamatan's public key (import.c,
 * inbox_put): the row's column names (',' between, NUL-terminated), then its
 * values, each a type byte ('n' NULL, 'i' int64, 't' text, 'b' blob) and its
 * value (8 bytes, or a u32 length and the bytes). Anyone holding the database
 * key can write an entry, so each is read as hostile: names checked, lengths
 * bounded, the kecamatan inside equal to the entry's. */

#define INBOX_CHUNK 1000
#define INBOX_COLUMNS_MAX 400

/* Binds the values of an opened entry to st (n parameters); the fourth value
 * must be the text kecamatan. */
static bk_status bind_entry(sqlite3_stmt *st, int n, const uint8_t *p, const uint8_t *end, const char *kecamatan)
{
	int i = 1;

	for (; p < end && i <= n; i++) {
		uint8_t type = *p++;
		uint32_t len = 0;
		int64_t x;

		if (type == 'n') {
			sqlite3_bind_null(st, i);
			continue;
		}
		if (type == 'i') {
			if (end - p < 8)
				break;
			memcpy(&x, p, 8);
			sqlite3_bind_int64(st, i, x);
			p += 8;
			continue;
		}
		if ((type != 't' && type != 'b') || end - p < 4)
			break;
		memcpy(&len, p, 4);
		p += 4;
		if ((size_t)(end - p) < len || len > (1u << 30))
			break;
		if (i == 4 && (type != 't' || len != strlen(kecamatan) || memcmp(p, kecamatan, len) != 0))
			break;
		if (type == 't')
			sqlite3_bind_text(st, i, (const char *)p, (int)len, SQLITE_STATIC);
		else
			sqlite3_bind_blob(st, i, p, (int)len, SQLITE_STATIC);
		p += len;
	}
	if (p != end || i != n + 1)
		return bk_fail(BK_ERR_CORRUPT, "an inbox entry of kecamatan %s is malformed: it was altered", kecamatan);
	return BK_OK;
}

/* Whatever index an entry brings is dropped: its writer held no blind key,
 * and a planted one would hide the row from lookups. */
static bk_status drop_index(sqlite3 *db, const char *schema, const char *dataset, int64_t id)
{
	char table[BK_STORE_SCHEMA_MAX + 64], *nulls = NULL, *sql;
	bk_status rc;

	snprintf(table, sizeof(table), "ds_%s", dataset);
	if ((rc = index_nulls(db, table, &nulls)) || !nulls[0]) {
		sqlite3_free(nulls);
		return rc;
	}
	sql = sqlite3_mprintf("UPDATE \"%s\".\"%s\" SET %s WHERE id = %lld", schema, table, nulls, (long long)id);
	sqlite3_free(nulls);
	rc = sql ? bk_db_exec(db, sql) : bk_fail(BK_ERR_NOMEM, "out of memory");
	sqlite3_free(sql);
	return rc;
}

/* Inserts one opened entry into schema's table of dataset. */
static bk_status insert_entry(sqlite3 *db, const char *schema, const char *dataset, const char *kecamatan,
			      const uint8_t *plain, size_t len)
{
	const uint8_t *nul = memchr(plain, '\0', len);
	size_t ncols = 1, cl;
	sqlite3_stmt *st = NULL;
	char *sql = NULL;
	bk_status rc;
	int src;

	if (!nul || nul == plain)
		return bk_fail(BK_ERR_CORRUPT, "an inbox entry of kecamatan %s has no columns: it was altered", kecamatan);
	cl = (size_t)(nul - plain);
	if (strspn((const char *)plain, "abcdefghijklmnopqrstuvwxyz0123456789_,") != cl ||
	    strspn(dataset, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(dataset))
		return bk_fail(BK_ERR_CORRUPT, "an inbox entry of kecamatan %s names bad columns: it was altered",
			       kecamatan);
	for (size_t i = 0; i < cl; i++)
		ncols += plain[i] == ',';
	if (ncols > INBOX_COLUMNS_MAX)
		return bk_fail(BK_ERR_CORRUPT, "an inbox entry of kecamatan %s has too many columns", kecamatan);
	sql = sqlite3_mprintf("INSERT OR IGNORE INTO \"%s\".\"ds_%s\" (%.*s) VALUES (?", schema, dataset, (int)cl,
			      (const char *)plain);
	for (size_t i = 1; sql && i < ncols; i++) {
		char *longer = sqlite3_mprintf("%s,?", sql);

		sqlite3_free(sql);
		sql = longer;
	}
	if (sql) {
		char *closed = sqlite3_mprintf("%s)", sql);

		sqlite3_free(sql);
		sql = closed;
	}
	if (!sql)
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	src = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	sqlite3_free(sql);
	if (bk_db_is_busy(src))
		return bk_db_busy("vault.db");
	if (src != SQLITE_OK)
		return bk_fail(BK_ERR_CORRUPT, "an inbox entry of kecamatan %s does not fit its dataset: %s", kecamatan,
			       sqlite3_errmsg(db));
	rc = bind_entry(st, (int)ncols, nul + 1, plain + len, kecamatan);
	if (rc == BK_OK && (src = sqlite3_step(st)) != SQLITE_DONE)
		rc = bk_db_status(db, src, "moving an inbox entry into its store");
	sqlite3_finalize(st);
	if (rc == BK_OK && sqlite3_changes(db) == 1)
		rc = drop_index(db, schema, dataset, sqlite3_last_insert_rowid(db));
	return rc;
}

bk_status bk_stores_move_inbox(sqlite3 *db, char (*kec)[BK_CODE_MAX], size_t n, bk_store_open_fn open, void *ctx,
			       uint64_t *moved_p)
{
	int64_t done[INBOX_CHUNK];
	size_t ndone;
	bk_status rc = BK_OK;

	*moved_p = 0;
	do {
		sqlite3_stmt *st = NULL;
		uint8_t wrote[BK_STORES_LIST_MAX] = {0}; /* by store: an entry went in */
		size_t at = 0;
		int src;

		ndone = 0;
		/* the store first: a crash before the delete leaves the entry to be moved again, a no-op */
		if ((rc = bk_db_exec(db, "BEGIN IMMEDIATE")))
			return rc;
		src = sqlite3_prepare_v2(db, "SELECT id, dataset, kecamatan, box FROM main.inbox ORDER BY id", -1, &st, NULL);
		while (rc == BK_OK && ndone < INBOX_CHUNK && src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
			const char *dataset = (const char *)sqlite3_column_text(st, 1);
			const char *kecamatan = (const char *)sqlite3_column_text(st, 2);
			const uint8_t *box = sqlite3_column_blob(st, 3);
			size_t blen = (size_t)sqlite3_column_bytes(st, 3);
			char schema[BK_STORE_SCHEMA_MAX] = "";
			uint8_t *plain;

			src = SQLITE_OK;
			for (size_t i = 0; kecamatan && i < n; i++)
				if (strcmp(kec[i], kecamatan) == 0) {
					bk_store_schema(schema, kec[i]);
					at = i;
				}
			if (!schema[0] || !dataset || !box)
				continue; /* a store this user does not hold */
			if (blen < BK_SEAL_OVERHEAD + 2) {
				rc = bk_fail(BK_ERR_CORRUPT, "an inbox entry of kecamatan %s is truncated: it was altered",
					     kecamatan);
				break;
			}
			if (!(plain = bk_secmem_alloc(blen))) {
				rc = bk_fail(BK_ERR_NOMEM, "out of guarded memory");
				break;
			}
			rc = open(ctx, kecamatan, box, blen, plain);
			if (rc == BK_ERR_DENIED) {
				bk_error_clear(); /* the kecamatan's key is not this user's */
				rc = BK_OK;
			} else if (rc == BK_OK &&
				   (rc = insert_entry(db, schema, dataset, kecamatan, plain, blen - BK_SEAL_OVERHEAD)) ==
					   BK_OK) {
				done[ndone++] = sqlite3_column_int64(st, 0);
				wrote[at] = 1;
			}
			bk_wipe(plain, blen);
			bk_secmem_free(plain);
		}
		if (rc == BK_OK && src != SQLITE_DONE && src != SQLITE_OK)
			rc = bk_db_status(db, src, "reading the inbox");
		sqlite3_finalize(st);
		for (size_t i = 0; i < n && rc == BK_OK; i++)
			if (wrote[i])
				rc = bk_store_bump(db, kec[i]);
		if (rc == BK_OK)
			rc = bk_db_exec(db, "COMMIT");
		if (rc != BK_OK) {
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			return rc;
		}
		/* then out of the inbox */
		if (ndone && (rc = bk_db_exec(db, "BEGIN IMMEDIATE")) == BK_OK) {
			sqlite3_stmt *del = NULL;

			src = sqlite3_prepare_v2(db, "DELETE FROM main.inbox WHERE id = ?", -1, &del, NULL);
			for (size_t i = 0; i < ndone && src == SQLITE_OK; i++) {
				sqlite3_reset(del);
				sqlite3_bind_int64(del, 1, done[i]);
				src = sqlite3_step(del) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(db);
			}
			sqlite3_finalize(del);
			rc = src == SQLITE_OK ? bk_db_exec(db, "COMMIT") : bk_db_status(db, src, "emptying the inbox");
			if (rc != BK_OK)
				sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		}
		*moved_p += ndone;
	} while (rc == BK_OK && ndone == INBOX_CHUNK);
	return rc;
}

/* --- serials: a store rolled back alone is seen ---
 *
 * Every transaction that writes a store adds one to its serial (store_meta
 * "serial") and pins the new value in vault.db (meta "store:<code>"), in the
 * same transaction: rollback journals commit both or neither (db.h). A store
 * whose serial differs from its pin was put back from an older copy, or
 * vault.db was. A pin of "made" (a store no command wrote yet, or a vault
 * from before the serials) stands for 0. */

static bk_status store_serial(sqlite3 *db, const char *kecamatan, long long *serial_p)
{
	char schema[BK_STORE_SCHEMA_MAX], *sql;
	sqlite3_stmt *st = NULL;
	int src;

	*serial_p = 0;
	bk_store_schema(schema, kecamatan);
	sql = sqlite3_mprintf("SELECT value FROM \"%s\".store_meta WHERE key = 'serial'", schema);
	src = sql ? sqlite3_prepare_v2(db, sql, -1, &st, NULL) : SQLITE_NOMEM;
	sqlite3_free(sql);
	if (src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW)
		*serial_p = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return src == SQLITE_ROW || src == SQLITE_DONE ? BK_OK : bk_db_status(db, src, "reading a store's serial");
}

static bk_status pinned_serial(sqlite3 *db, const char *kecamatan, long long *serial_p)
{
	char key[BK_STORE_SCHEMA_MAX + 8], value[32];
	bk_status rc;

	snprintf(key, sizeof(key), "store:%s", kecamatan);
	if ((rc = bk_db_meta_get(db, key, value, sizeof(value))))
		return rc;
	*serial_p = strcmp(value, "made") == 0 ? 0 : strtoll(value, NULL, 10);
	return BK_OK;
}

bk_status bk_store_bump(sqlite3 *db, const char *kecamatan)
{
	char schema[BK_STORE_SCHEMA_MAX], key[BK_STORE_SCHEMA_MAX + 8], value[32], *sql;
	long long serial;
	bk_status rc;

	if ((rc = store_serial(db, kecamatan, &serial)))
		return rc;
	bk_store_schema(schema, kecamatan);
	snprintf(value, sizeof(value), "%lld", serial + 1);
	sql = sqlite3_mprintf("INSERT OR REPLACE INTO \"%s\".store_meta VALUES ('serial', '%s')", schema, value);
	rc = sql ? bk_db_exec(db, sql) : bk_fail(BK_ERR_NOMEM, "out of memory");
	sqlite3_free(sql);
	snprintf(key, sizeof(key), "store:%s", kecamatan);
	return rc ? rc : bk_db_meta_set(db, key, value);
}

bk_status bk_store_check_serial(sqlite3 *db, const char *kecamatan)
{
	long long have, pinned;
	bk_status rc;

	if ((rc = store_serial(db, kecamatan, &have)) || (rc = pinned_serial(db, kecamatan, &pinned)))
		return rc;
	if (have < pinned)
		return bk_fail(BK_ERR_CORRUPT, "the store of kecamatan %s is older than vault.db expects (serial %lld, "
					       "pinned %lld): it was put back from an earlier copy",
			       kecamatan, have, pinned);
	if (have > pinned)
		return bk_fail(BK_ERR_CORRUPT, "vault.db is older than the store of kecamatan %s (pinned %lld, serial "
					       "%lld): vault.db was put back from an earlier copy",
			       kecamatan, pinned, have);
	return BK_OK;
}
