/* stores.c - the per-kecamatan stores of stores.h: made, pinned, attached
 * under their own keys and checked to be the ones this vault made. */
#include "vault/core/stores.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fileio.h"
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
	char schema[BK_STORE_SCHEMA_MAX];
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
		else
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
 * not decrypt or lacks it. */
static bk_status store_meta(sqlite3 *db, const char *kecamatan, const char *key, char *out, size_t cap)
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
			const char *vault_id)
{
	char path[PATH_MAX], kdir[PATH_MAX], schema[BK_STORE_SCHEMA_MAX], sql[512], pin[BK_STORE_SCHEMA_MAX + 8];
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
	/* the values are hex and region codes (digits and dots): safe to splice */
	snprintf(sql, sizeof(sql),
		 "PRAGMA \"%s\".journal_mode = WAL;"
		 "BEGIN;"
		 "CREATE TABLE IF NOT EXISTS \"%s\".store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
		 "INSERT OR REPLACE INTO \"%s\".store_meta VALUES ('vault_id', '%s'), ('kecamatan', '%s');"
		 "PRAGMA \"%s\".user_version = 1;"
		 "COMMIT;",
		 schema, schema, schema, vault_id, kecamatan, schema);
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
	char path[PATH_MAX];
	struct stat st;
	bk_status rc;

	if ((rc = store_path(dir, kecamatan, path, sizeof(path))))
		return rc;
	if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0)
		return bk_fail(BK_ERR_CORRUPT, "'%s' is missing or empty: the store of kecamatan %s was removed", path,
			       kecamatan);
	if ((rc = attach(db, kecamatan, key, path)))
		return rc;
	return check_store(db, kecamatan, vault_id);
}
