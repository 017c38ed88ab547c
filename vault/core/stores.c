/* stores.c - the per-kecamatan stores of stores.h: made, pinned, attached
 * under their own keys and checked to be the ones this vault made. */
#include "vault/core/stores.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fileio.h"
#include "crypto/encoding.h"
#include "crypto/secmem.h"
#include "vault/core/db.h"
#include "vault/core/vault_internal.h"

#define KEYSPEC_LEN (3 + 2 * BK_DB_KEYBYTES) /* x'<64 hex>' */

void bk_store_schema(char out[BK_STORE_SCHEMA_MAX], const char *kecamatan)
{
	size_t n = (size_t)snprintf(out, BK_STORE_SCHEMA_MAX, "kec_%s", kecamatan);

	for (size_t i = 4; i < n && i < BK_STORE_SCHEMA_MAX; i++)
		if (out[i] == '.')
			out[i] = '_';
}

static bk_status store_path(const struct bk_vault *v, const char *kecamatan, char *out, size_t cap)
{
	if ((size_t)snprintf(out, cap, "%s/kec/%s.db", v->dir, kecamatan) >= cap)
		return bk_fail(BK_ERR_IO, "path too long for the store of %s", kecamatan);
	return BK_OK;
}

static int is_attached(const struct bk_vault *v, const char *kecamatan)
{
	for (size_t i = 0; i < v->nstores; i++)
		if (strcmp(v->stores[i], kecamatan) == 0)
			return 1;
	return 0;
}

/* ATTACH under the raw key, bound as a parameter: the key never appears in
 * SQL text that SQLite could echo in an error. */
static bk_status attach(struct bk_vault *v, const char *kecamatan, const struct vault_key *k, const char *path)
{
	char schema[BK_STORE_SCHEMA_MAX];
	char *keyspec = bk_secmem_alloc(KEYSPEC_LEN + 1);
	sqlite3_stmt *st = NULL;
	bk_status rc = BK_OK;
	int src;

	if (!keyspec)
		return bk_fail(BK_ERR_NOMEM, "out of guarded memory");
	if (v->nstores == BK_STORES_MAX) {
		rc = bk_fail(BK_ERR_STATE, "more than %d kecamatan stores: the vault cannot attach them all", BK_STORES_MAX);
		goto out;
	}
	if (k->len != BK_DB_KEYBYTES) {
		rc = bk_fail(BK_ERR_CORRUPT, "keyring: the store key of %s has the wrong length", kecamatan);
		goto out;
	}
	keyspec[0] = 'x';
	keyspec[1] = '\'';
	bk_hex_encode(keyspec + 2, k->secret, BK_DB_KEYBYTES);
	keyspec[KEYSPEC_LEN - 1] = '\'';
	bk_store_schema(schema, kecamatan);
	src = sqlite3_prepare_v2(v->db, "ATTACH DATABASE ?1 AS ?2 KEY ?3", -1, &st, NULL);
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
		if ((sqlite3_extended_errcode(v->db) & 0xff) == SQLITE_NOTADB || strstr(sqlite3_errmsg(v->db), "not a database"))
			rc = bk_fail(BK_ERR_CORRUPT, "the store of kecamatan %s does not open with its key: it was altered "
						     "or replaced",
				     kecamatan);
		else
			rc = bk_fail((src & 0xff) == SQLITE_ERROR ? BK_ERR_DB : BK_ERR_IO,
				     "cannot attach the store of kecamatan %s: %s", kecamatan, sqlite3_errmsg(v->db));
		goto out;
	}
	snprintf(v->stores[v->nstores++], sizeof(v->stores[0]), "%s", kecamatan);
out:
	sqlite3_finalize(st);
	bk_secmem_free(keyspec);
	return rc;
}

/* Reads one value of a store's store_meta; BK_ERR_CORRUPT when the store does
 * not decrypt or lacks it. */
static bk_status store_meta(struct bk_vault *v, const char *kecamatan, const char *key, char *out, size_t cap)
{
	char schema[BK_STORE_SCHEMA_MAX], sql[128];
	sqlite3_stmt *st = NULL;
	bk_status rc = BK_OK;
	int src;

	bk_store_schema(schema, kecamatan);
	snprintf(sql, sizeof(sql), "SELECT value FROM \"%s\".store_meta WHERE key = ?", schema);
	src = sqlite3_prepare_v2(v->db, sql, -1, &st, NULL);
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
		rc = bk_db_status(v->db, src, "reading a kecamatan store");
	sqlite3_finalize(st);
	return rc;
}

/* The store must name this vault and this kecamatan. */
static bk_status check_store(struct bk_vault *v, const char *kecamatan)
{
	char id[BK_HEX_LEN(BK_VAULT_IDBYTES)], got[128];
	bk_status rc;

	bk_hex_encode(id, v->kr.vault_id, sizeof(v->kr.vault_id));
	if ((rc = store_meta(v, kecamatan, "vault_id", got, sizeof(got))))
		return rc;
	if (strcmp(got, id) != 0)
		return bk_fail(BK_ERR_CORRUPT, "the store of kecamatan %s belongs to another vault", kecamatan);
	if ((rc = store_meta(v, kecamatan, "kecamatan", got, sizeof(got))))
		return rc;
	if (strcmp(got, kecamatan) != 0)
		return bk_fail(BK_ERR_CORRUPT, "the store file of kecamatan %s holds kecamatan %s: stores were swapped",
			       kecamatan, got);
	return BK_OK;
}

static bk_status pinned(struct bk_vault *v, const char *kecamatan, int *pinned_p)
{
	char key[BK_CODE_MAX + 8], got[32];
	bk_status rc;

	snprintf(key, sizeof(key), "store:%s", kecamatan);
	rc = bk_db_meta_get(v->db, key, got, sizeof(got));
	*pinned_p = rc == BK_OK;
	if (rc == BK_ERR_NOTFOUND) {
		bk_error_clear();
		rc = BK_OK;
	}
	return rc;
}

/* Makes one store: an empty file (new, 0600), attached, its identity written,
 * then pinned in vault.db. A crash before the pin leaves a file the next run
 * takes up again. */
static bk_status make_store(struct bk_vault *v, const char *kecamatan, const struct vault_key *k)
{
	char path[PATH_MAX], schema[BK_STORE_SCHEMA_MAX], id[BK_HEX_LEN(BK_VAULT_IDBYTES)], sql[512], key[BK_CODE_MAX + 8];
	bk_status rc;
	int fd;

	if ((rc = store_path(v, kecamatan, path, sizeof(path))))
		return rc;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 && errno != EEXIST)
		return bk_fail(BK_ERR_IO, "cannot create '%s': %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	if ((rc = bk_fsync_dir(path)) || (rc = attach(v, kecamatan, k, path)))
		return rc;
	bk_store_schema(schema, kecamatan);
	bk_hex_encode(id, v->kr.vault_id, sizeof(v->kr.vault_id));
	/* the values are hex and region codes (digits and dots): safe to splice */
	snprintf(sql, sizeof(sql),
		 "PRAGMA \"%s\".journal_mode = WAL;"
		 "BEGIN;"
		 "CREATE TABLE IF NOT EXISTS \"%s\".store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
		 "INSERT OR REPLACE INTO \"%s\".store_meta VALUES ('vault_id', '%s'), ('kecamatan', '%s');"
		 "PRAGMA \"%s\".user_version = 1;"
		 "COMMIT;",
		 schema, schema, schema, id, kecamatan, schema);
	if ((rc = bk_db_exec(v->db, sql))) {
		sqlite3_exec(v->db, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	snprintf(key, sizeof(key), "store:%s", kecamatan);
	return bk_db_meta_set(v->db, key, "made");
}

bk_status bk_stores_make(struct bk_vault *v)
{
	char dir[PATH_MAX];
	bk_status rc = BK_OK;

	if ((size_t)snprintf(dir, sizeof(dir), "%s/kec", v->dir) >= sizeof(dir))
		return bk_fail(BK_ERR_IO, "path too long: '%s'", v->dir);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return bk_fail(BK_ERR_IO, "cannot create '%s': %s", dir, strerror(errno));
	for (size_t i = 0; i < v->regions.count && rc == BK_OK; i++) {
		const char *kec = v->regions.items[i].kode;
		const struct vault_key *k;
		int made;

		if (v->regions.items[i].level != BK_REGION_KECAMATAN)
			continue;
		k = bk_vault_secret(v, BK_KEY_STORE, kec);
		if (!k || is_attached(v, kec) || (rc = pinned(v, kec, &made)) || made)
			continue;
		rc = make_store(v, kec, k);
	}
	return rc;
}

bk_status bk_stores_attach(struct bk_vault *v)
{
	bk_status rc = BK_OK;

	for (size_t i = 0; i < v->regions.count && rc == BK_OK; i++) {
		const char *kec = v->regions.items[i].kode;
		const struct vault_key *k;
		char path[PATH_MAX];
		struct stat st;
		int made;

		if (v->regions.items[i].level != BK_REGION_KECAMATAN)
			continue;
		k = bk_vault_secret(v, BK_KEY_STORE, kec);
		if (!k || is_attached(v, kec))
			continue;
		if ((rc = pinned(v, kec, &made)) || !made)
			continue; /* not made yet: the next admin unlock makes it */
		if ((rc = store_path(v, kec, path, sizeof(path))))
			break;
		if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0) {
			rc = bk_fail(BK_ERR_CORRUPT, "'%s' is missing or empty: the store of kecamatan %s was removed",
				     path, kec);
			break;
		}
		if ((rc = attach(v, kec, k, path)) == BK_OK)
			rc = check_store(v, kec);
	}
	return rc;
}

size_t bk_stores_count(const struct bk_vault *v)
{
	return v->nstores;
}
