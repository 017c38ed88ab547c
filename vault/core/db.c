/* db.c - SQLCipher under a raw key, pragmas, forward-only migrations. */
#include "vault/core/db.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/fileio.h"
#include "crypto/encoding.h"
#include "crypto/secmem.h"

/* Forward-only migrations; migrations[i] brings user_version i to i + 1.
 * SQL must run on SQLite 3.15 (Debian's SQLCipher 3.4.1) and on SQLCipher 4. */
static const char *const migrations[] = {
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
	"CREATE TABLE audit_head (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL,"
	" hash TEXT NOT NULL);"
	"INSERT INTO audit_head VALUES (1, 0, '');"
	"CREATE TABLE regions (kode TEXT PRIMARY KEY, nama TEXT NOT NULL,"
	" tingkat TEXT NOT NULL CHECK (tingkat IN ('kabupaten','kota','kecamatan','desa','kelurahan')),"
	" kode_induk TEXT NOT NULL);",
	/* 2: datasets (schemas as INI text) and import batches with their sealed data keys */
	"CREATE TABLE datasets (name TEXT PRIMARY KEY, schema TEXT NOT NULL, created TEXT NOT NULL);"
	"CREATE TABLE batches (id INTEGER PRIMARY KEY, dataset TEXT NOT NULL REFERENCES datasets(name),"
	" kecamatan TEXT NOT NULL, key_id TEXT NOT NULL, sealed_key BLOB NOT NULL, created TEXT NOT NULL,"
	" actor TEXT NOT NULL);",
	/* 3: evaluators' requests, their approvals, and the ε spent on private tables */
	"CREATE TABLE requests (number INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, evaluator TEXT NOT NULL,"
	" dataset TEXT NOT NULL, kind TEXT NOT NULL, text TEXT NOT NULL, status TEXT NOT NULL"
	" CHECK (status IN ('pending','approved','denied')), added TEXT NOT NULL, added_by TEXT NOT NULL,"
	" decided TEXT, reason TEXT, manifest_sha256 TEXT);"
	"CREATE TABLE request_approvals (number INTEGER NOT NULL REFERENCES requests(number),"
	" approver TEXT NOT NULL, at TEXT NOT NULL, PRIMARY KEY (number, approver));"
	"CREATE TABLE dp_ledger (evaluator TEXT NOT NULL, dataset TEXT NOT NULL, year INTEGER NOT NULL,"
	" spent_num INTEGER NOT NULL, spent_den INTEGER NOT NULL, PRIMARY KEY (evaluator, dataset, year));",
	/* 4: rows written without their kecamatan's store key (operators), each sealed whole to
	 * the kecamatan's public key until a holder of its keys moves it into the store */
	("CREATE TABLE inbox (id INTEGER PRIMARY KEY, dataset TEXT NOT NULL, kecamatan TEXT NOT NULL,"
	 " box BLOB NOT NULL);"), /* parenthesized: clang's -Wstring-concatenation took it for a lost comma */
};

static int wait_ms = BK_DB_WAIT_DEFAULT_MS;
static void (*waiting)(int ms);

int bk_db_is_busy(int rc)
{
	return (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED;
}

bk_status bk_db_busy(const char *file)
{
	bk_hint("brankas waited %d s for another command to finish (a long import can take longer): "
		"try again later, or wait longer with 'brankas --wait SECONDS ...'",
		wait_ms / 1000);
	return bk_fail(BK_ERR_BUSY, "the vault is busy (another command holds %s): try again", file);
}

void bk_db_set_wait(int ms, void (*fn)(int ms))
{
	wait_ms = ms < 0 ? 0 : ms > BK_DB_WAIT_MAX_MS ? BK_DB_WAIT_MAX_MS : ms;
	waiting = fn;
}

int bk_db_wait_ms(void)
{
	return wait_ms;
}

int bk_db_wait_more(struct timespec *since, int first)
{
	static int told; /* the user hears of waiting once per command */
	struct timespec now, ts = {0, 2 * 1000 * 1000};
	long long waited;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (first)
		*since = now;
	waited = (now.tv_sec - since->tv_sec) * 1000LL + (now.tv_nsec - since->tv_nsec) / 1000000;
	if (waited >= wait_ms)
		return 0;
	if (waited >= 1000 && waiting && !told) {
		told = 1;
		waiting(wait_ms);
	}
	nanosleep(&ts, NULL);
	return 1;
}

bk_status bk_db_file_status(sqlite3 *db, int rc, const char *file, const char *what)
{
	const char *msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);

	if (bk_db_is_busy(rc))
		return bk_db_busy(file);
	/* a file renamed over this one (key rotate) since it was opened: SQLite
	 * refuses to write to the old one, so nothing was lost */
	if (rc == SQLITE_READONLY_DBMOVED || (db && (rc & 0xff) == SQLITE_READONLY &&
					      sqlite3_extended_errcode(db) == SQLITE_READONLY_DBMOVED))
		return bk_fail(BK_ERR_BUSY, "a database file of the vault was replaced while this command ran (a key "
					    "rotation): nothing was written; run the command again");
	switch (rc & 0xff) {
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return bk_fail(BK_ERR_CORRUPT, "%s: %s: %s (the database was altered or damaged)", file, what, msg);
	case SQLITE_NOMEM:
		return bk_fail(BK_ERR_NOMEM, "%s: %s: out of memory", file, what);
	case SQLITE_FULL:
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
		return bk_fail(BK_ERR_IO, "%s: %s: %s", file, what, msg);
	default:
		return bk_fail(BK_ERR_DB, "%s: %s: %s", file, what, msg);
	}
}

bk_status bk_db_status(sqlite3 *db, int rc, const char *what)
{
	return bk_db_file_status(db, rc, "vault.db", what);
}

bk_status bk_db_exec(sqlite3 *db, const char *sql)
{
	int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? BK_OK : bk_db_status(db, rc, "statement failed");
}

static bk_status query_int(sqlite3 *db, const char *sql, long long *out)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			*out = sqlite3_column_int64(st, 0);
			rc = SQLITE_OK;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_OK ? BK_OK : bk_db_status(db, rc, "query failed");
}

bk_status bk_db_cipher_version(sqlite3 *db, char *out, size_t cap)
{
	sqlite3_stmt *st = NULL;
	bk_status rc = BK_OK;
	const unsigned char *v;

	out[0] = '\0';
	if (sqlite3_prepare_v2(db, "PRAGMA cipher_version", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW || !(v = sqlite3_column_text(st, 0)) || !v[0]) {
		rc = bk_fail(BK_ERR_CRYPTO, "the SQLite library has no encryption (PRAGMA cipher_version is empty)");
		bk_hint("brankas must be linked against SQLCipher");
	} else {
		snprintf(out, cap, "%s", (const char *)v);
	}
	sqlite3_finalize(st);
	return rc;
}

const char *bk_db_library_version(char *cipher, size_t cap)
{
	sqlite3 *db = NULL;

	cipher[0] = '\0';
	if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_MEMORY, NULL) == SQLITE_OK &&
	    bk_db_cipher_version(db, cipher, cap) != BK_OK)
		bk_error_clear();
	sqlite3_close(db);
	return sqlite3_libversion();
}

/* The linked SQLCipher's major version: 3 for Debian 12's 3.4.1, 0 when unknown. */
static int cipher_major(void)
{
	char v[32];

	(void)bk_db_library_version(v, sizeof(v));
	return atoi(v);
}

static bk_status migrate(sqlite3 *db)
{
	long long version = 0;
	bk_status rc;

	if ((rc = query_int(db, "PRAGMA user_version", &version)))
		return rc;
	if (version < 0 || version > (long long)(sizeof(migrations) / sizeof(migrations[0])))
		return bk_fail(BK_ERR_STATE, "vault.db has schema version %lld, newer than this brankas", version);
	for (; version < (long long)(sizeof(migrations) / sizeof(migrations[0])); version++) {
		char set[64];

		snprintf(set, sizeof(set), "PRAGMA user_version = %lld", version + 1);
		if ((rc = bk_db_exec(db, "BEGIN IMMEDIATE")))
			return rc;
		if ((rc = bk_db_exec(db, migrations[version])) || (rc = bk_db_exec(db, set)) ||
		    (rc = bk_db_exec(db, "COMMIT"))) {
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			return rc;
		}
	}
	return BK_OK;
}

/* Sets the journal mode; 1 when the database is in that mode afterwards. */
static int journal_mode(sqlite3 *db, const char *sql, const char *want)
{
	sqlite3_stmt *st = NULL;
	int ok = 0;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
		const char *mode = (const char *)sqlite3_column_text(st, 0);

		ok = mode && strcmp(mode, want) == 0;
	}
	sqlite3_finalize(st);
	return ok;
}

/* SQLite's busy handler: tries again every 2 ms for bk_db_wait_ms. SQLite's
 * own (sqlite3_busy_timeout) sleeps longer the longer it has waited, up to
 * 100 ms: with many writers queued, one that came early then keeps losing the
 * lock to those that came after it, past the timeout (0035's 400 writers,
 * 100 at once: a fifth of them failed busy; with this, none). */
static int busy_wait(void *ctx, int count)
{
	static _Thread_local struct timespec since;

	(void)ctx; /* one connection per thread waits at a time: its start in since */
	return bk_db_wait_more(&since, count == 0);
}

/* Opens path under keyspec with 4 KiB pages, in SQLCipher 3's format when v3,
 * and reads sqlite_master (its entry count into *n_p) to check the key. */
static bk_status open_keyed(const char *path, int flags, const char *keyspec, int v3, sqlite3 **db_p,
			    long long *n_p)
{
	char version[32];
	sqlite3 *db = NULL;
	bk_status rc;

	*db_p = NULL;
	if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
		rc = bk_fail(BK_ERR_IO, "cannot open '%s': %s", path, db ? sqlite3_errmsg(db) : "out of memory");
		goto out;
	}
	/* SQLCipher 4.7 and later log a page whose HMAC fails to stderr: a library
	 * prints nothing, the error reaches cli/ as a status (an unknown pragma to 3.4.1) */
	(void)sqlite3_exec(db, "PRAGMA cipher_log_level = NONE", NULL, NULL, NULL);
#ifdef SQLITE_DBCONFIG_DQS_DML
	/* SQLite 3.29 and later: "x" is always an identifier, never a string that
	 * happens to have no column of its name (3.15 has no switch for it) */
	sqlite3_db_config(db, SQLITE_DBCONFIG_DQS_DML, 0, (int *)NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_DQS_DDL, 0, (int *)NULL);
#endif
	if (sqlite3_key(db, keyspec, 3 + 2 * BK_DB_KEYBYTES) != SQLITE_OK) {
		rc = bk_db_status(db, SQLITE_ERROR, "cannot set the key");
		goto out;
	}
	if ((rc = bk_db_cipher_version(db, version, sizeof(version))))
		goto out;
	if (v3 && (rc = bk_db_exec(db, "PRAGMA cipher_compatibility = 3")))
		goto out;
	/* HMAC-SHA256 per page, not SQLCipher 4's SHA-512: as strong a MAC, and with
	 * the SHA extensions of current x86 CPUs more than twice as fast, which NIK
	 * lookups (a page read per candidate) feel. The default too, for the stores
	 * this connection attaches and the copy an upgrade writes. */
	if (!v3 && ((rc = bk_db_exec(db, "PRAGMA cipher_default_hmac_algorithm = " BK_DB_HMAC)) ||
		    (rc = bk_db_exec(db, "PRAGMA cipher_hmac_algorithm = " BK_DB_HMAC))))
		goto out;
	if ((rc = bk_db_exec(db, "PRAGMA cipher_page_size = 4096")))
		goto out;
	sqlite3_busy_handler(db, busy_wait, NULL); /* before the first read: a busy database is not a damaged one */
	if ((rc = query_int(db, "SELECT count(*) FROM sqlite_master", n_p)))
		goto out;
	*db_p = db;
	db = NULL;
out:
	if (db)
		sqlite3_close(db);
	return rc;
}

/* SQLCipher takes a raw key as the blob literal x'<64 hex>': no PBKDF2.
 * ks: 3 + 2 * BK_DB_KEYBYTES + 1 bytes of guarded memory. */
static void keyspec_of(char *ks, const uint8_t key[BK_DB_KEYBYTES])
{
	ks[0] = 'x';
	ks[1] = '\'';
	bk_hex_encode(ks + 2, key, BK_DB_KEYBYTES);
	ks[2 + 2 * BK_DB_KEYBYTES] = '\'';
	ks[3 + 2 * BK_DB_KEYBYTES] = '\0';
}

/* export_to writes a copy of db's main file to the new file tmp under
 * keyspec (x'<hex>'), in the vault's own format, with user_version, in one
 * transaction. A file left at tmp by a copy that stopped is removed first. */
static bk_status export_to(sqlite3 *db, const char *tmp, const char *keyspec, long long user_version)
{
	sqlite3_stmt *st = NULL;
	char *sql = sqlite3_mprintf("PRAGMA bk_copy.user_version = %lld", user_version);
	bk_status rc = BK_OK;
	int src, fd;

	if (!sql)
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	if (unlink(tmp) != 0 && errno != ENOENT) {
		rc = bk_fail(BK_ERR_IO, "cannot remove '%s': %s", tmp, strerror(errno));
		goto out;
	}
	/* made here, 0600: the connection may not create files (no SQLITE_OPEN_CREATE) */
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0) {
		rc = bk_fail(BK_ERR_IO, "cannot create '%s': %s", tmp, strerror(errno));
		goto out;
	}
	close(fd);
	/* the copy is written in the vault's own format (an attach takes the defaults) */
	if ((rc = bk_db_exec(db, "PRAGMA cipher_default_hmac_algorithm = " BK_DB_HMAC)))
		goto out;
	/* the key as a bound value, not spliced into SQL text */
	src = sqlite3_prepare_v2(db, "ATTACH DATABASE ? AS bk_copy KEY ?", -1, &st, NULL);
	if (src == SQLITE_OK)
		src = sqlite3_bind_text(st, 1, tmp, -1, SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = sqlite3_bind_text(st, 2, keyspec, 3 + 2 * BK_DB_KEYBYTES, SQLITE_STATIC);
	if (src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_DONE)
		src = SQLITE_OK;
	sqlite3_finalize(st);
	if (src != SQLITE_OK) {
		rc = bk_db_status(db, src, "copying vault.db");
		goto out;
	}
	if ((rc = bk_db_exec(db, "PRAGMA bk_copy.cipher_page_size = 4096")) ||
	    (rc = bk_db_exec(db, "PRAGMA bk_copy.journal_mode = DELETE")) || (rc = bk_db_exec(db, "BEGIN IMMEDIATE")) ||
	    (rc = bk_db_exec(db, "SELECT sqlcipher_export('bk_copy')")) || (rc = bk_db_exec(db, sql)) ||
	    (rc = bk_db_exec(db, "COMMIT")))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	if (sqlite3_exec(db, "DETACH DATABASE bk_copy", NULL, NULL, NULL) != SQLITE_OK && rc == BK_OK)
		rc = bk_db_status(db, sqlite3_errcode(db), "copying vault.db");
out:
	sqlite3_free(sql);
	if (rc)
		(void)unlink(tmp);
	return rc;
}

bk_status bk_db_copy_under(const char *path, const uint8_t key[BK_DB_KEYBYTES], const char *tmp,
			    const uint8_t new_key[BK_DB_KEYBYTES])
{
	char *ks = bk_secmem_alloc(2 * (3 + 2 * BK_DB_KEYBYTES + 1));
	sqlite3 *db = NULL;
	long long n = 0, user_version = 0;
	bk_status rc;

	if (!ks)
		return bk_fail(BK_ERR_NOMEM, "out of guarded memory");
	keyspec_of(ks, key);
	keyspec_of(ks + 3 + 2 * BK_DB_KEYBYTES + 1, new_key);
	/* a connection of its own: the vault's has the stores and their views
	 * attached, which the copy's CREATE statements would resolve against */
	if ((rc = open_keyed(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, ks, 0, &db, &n)) == BK_OK &&
	    (rc = query_int(db, "PRAGMA main.user_version", &user_version)) == BK_OK)
		rc = export_to(db, tmp, ks + 3 + 2 * BK_DB_KEYBYTES + 1, user_version);
	if (db && sqlite3_close(db) != SQLITE_OK && rc == BK_OK)
		rc = bk_fail(BK_ERR_DB, "closing the copy of vault.db: %s", sqlite3_errmsg(db));
	bk_secmem_free(ks);
	return rc;
}

/* Brings a vault.db written by SQLCipher 3 (HMAC-SHA1, the format of Debian 12's
 * 3.4.1) to the linked SQLCipher's own format: a copy under the same key in a new
 * file beside it (sqlcipher_export), renamed over it. PRAGMA cipher_migrate
 * cannot do it: it tries SQLCipher 3's defaults, 1 KiB pages, and vaults have
 * 4 KiB. Returns BK_ERR_NOTFOUND, with no detail, when path does not open in
 * SQLCipher 3's format either. */
static bk_status upgrade_v3(const char *path, const char *keyspec)
{
	sqlite3 *db = NULL;
	char *tmp = NULL;
	long long n, user_version;
	bk_status rc;

	/* CREATE for the new file ATTACH makes; vault.db itself exists (bk_db_open checked) */
	if (open_keyed(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, keyspec, 1, &db, &n) ||
	    n == 0) {
		if (db)
			sqlite3_close(db);
		bk_error_clear();
		return BK_ERR_NOTFOUND;
	}
	if ((rc = query_int(db, "PRAGMA user_version", &user_version)))
		goto out;
	/* no WAL may outlive the file its frames belong to: fold it into vault.db and
	 * remove it, which needs every other connection closed */
	if (!journal_mode(db, "PRAGMA journal_mode = DELETE", "delete")) {
		rc = bk_fail(BK_ERR_STATE, "'%s' is in SQLCipher 3's format and open in another process", path);
		bk_hint("close every other brankas on this vault; the next command upgrades it");
		goto out;
	}
	tmp = sqlite3_mprintf("%s.v4", path);
	if (!tmp) {
		rc = bk_fail(BK_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = export_to(db, tmp, keyspec, user_version)))
		goto out;
	if (sqlite3_close(db) != SQLITE_OK) {
		rc = bk_fail(BK_ERR_DB, "vault.db: upgrading from SQLCipher 3: %s", sqlite3_errmsg(db));
		goto out;
	}
	db = NULL;
	/* the export committed (and synced) the new file; the rename is the switch */
	if (rename(tmp, path) != 0) {
		rc = bk_fail(BK_ERR_IO, "cannot rename '%s' to '%s': %s", tmp, path, strerror(errno));
		goto out;
	}
	rc = bk_fsync_dir(path);
out:
	if (db)
		sqlite3_close(db);
	if (rc && tmp)
		(void)unlink(tmp);
	sqlite3_free(tmp);
	return rc;
}

bk_status bk_db_open(const char *path, const uint8_t key[BK_DB_KEYBYTES], int create, sqlite3 **db_p)
{
	/* SQLCipher takes a raw key as the blob literal x'<64 hex>': no PBKDF2 */
	char *keyspec = bk_secmem_alloc(3 + 2 * BK_DB_KEYBYTES + 1);
	sqlite3 *db = NULL;
	long long n = 0;
	bk_status rc = BK_OK;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);

	*db_p = NULL;
	if (!keyspec)
		return bk_fail(BK_ERR_NOMEM, "out of guarded memory");
	if (!create && access(path, F_OK) != 0) {
		rc = bk_fail(BK_ERR_CORRUPT, "'%s' is missing: the vault database was removed", path);
		goto out;
	}
	keyspec_of(keyspec, key);
	rc = open_keyed(path, flags, keyspec, 0, &db, &n);
	if (rc == BK_ERR_CORRUPT && !create && cipher_major() >= 4) {
		bk_status up = upgrade_v3(path, keyspec);

		if (up == BK_OK)
			rc = open_keyed(path, flags, keyspec, 0, &db, &n);
		else if (up != BK_ERR_NOTFOUND)
			rc = up;
	}
	if (rc == BK_ERR_CORRUPT)
		rc = bk_fail(BK_ERR_CORRUPT, "'%s' does not decrypt with the vault key: it was altered or "
					    "belongs to another vault", path);
	if (rc)
		goto out;
	if (!create && n == 0) {
		/* an existing vault always has its schema; an empty file is a deleted database */
		rc = bk_fail(BK_ERR_CORRUPT, "'%s' is empty: the vault database was removed or replaced", path);
		goto out;
	}
	/* a rollback journal, not WAL: with the kecamatan stores attached, one command writes
	 * several files, and only rollback journals (with SQLite's super-journal) commit them
	 * all or none; in WAL each file commits on its own. A vault left in WAL by an older
	 * brankas leaves it here, or at a later open when another process still holds it */
	(void)bk_db_journal_rollback(db, "main");
	if ((rc = bk_db_exec(db, "PRAGMA foreign_keys = ON")) || (rc = bk_db_exec(db, "PRAGMA secure_delete = ON")) ||
	    (rc = migrate(db)))
		goto out;
	*db_p = db;
	db = NULL;
out:
	bk_secmem_free(keyspec);
	if (db)
		sqlite3_close(db);
	return rc;
}

int bk_db_journal_rollback(sqlite3 *db, const char *schema)
{
	char sql[96];

	snprintf(sql, sizeof(sql), "PRAGMA \"%s\".journal_mode = DELETE", schema);
	return journal_mode(db, sql, "delete");
}

void bk_db_close(sqlite3 *db)
{
	if (db)
		sqlite3_close(db);
}

bk_status bk_db_meta_get(sqlite3 *db, const char *key, char *out, size_t cap)
{
	sqlite3_stmt *st = NULL;
	bk_status rc = BK_OK;
	int src;

	out[0] = '\0';
	src = sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = ?", -1, &st, NULL);
	if (src == SQLITE_OK)
		src = sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = sqlite3_step(st);
	if (src == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(st, 0);

		if (!v || strlen(v) >= cap)
			rc = bk_fail(BK_ERR_CORRUPT, "vault.db: meta value '%s' is malformed", key);
		else
			memcpy(out, v, strlen(v) + 1);
	} else if (src == SQLITE_DONE) {
		rc = bk_fail(BK_ERR_NOTFOUND, "vault.db: meta value '%s' is missing", key);
	} else {
		rc = bk_db_status(db, src, "reading meta");
	}
	sqlite3_finalize(st);
	return rc;
}

bk_status bk_db_meta_set(sqlite3 *db, const char *key, const char *value)
{
	sqlite3_stmt *st = NULL;
	int src;

	/* no UPSERT on SQLite 3.15: INSERT OR REPLACE on the primary key */
	src = sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", -1, &st, NULL);
	if (src == SQLITE_OK)
		src = sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = sqlite3_step(st);
	sqlite3_finalize(st);
	return src == SQLITE_DONE ? BK_OK : bk_db_status(db, src, "writing meta");
}

static int integrity_row(void *ctx, int ncol, char **vals, char **names)
{
	char *first = ctx;

	(void)names;
	if (ncol > 0 && vals[0] && strcmp(vals[0], "ok") != 0 && first[0] == '\0')
		snprintf(first, 256, "%s", vals[0]);
	return 0;
}

/* The file of schema, for messages: vault.db or a kecamatan's store. */
static void file_name(const char *schema, char *out, size_t cap)
{
	if (strcmp(schema, "main") == 0)
		snprintf(out, cap, "vault.db");
	else
		snprintf(out, cap, "the store %s", schema);
}

bk_status bk_db_pages_check(sqlite3 *db, const char *schema)
{
	char first[256] = "", sql[128], name[64];
	int rc, own = sqlite3_get_autocommit(db);

	file_name(schema, name, sizeof(name));
	/* SQLCipher reads the file itself, past SQLite's locks: under a read
	 * transaction (a shared lock on the file) no other process is writing pages
	 * into it meanwhile, which could look like a page that does not authenticate */
	snprintf(sql, sizeof(sql), "BEGIN; SELECT 1 FROM \"%s\".sqlite_master LIMIT 1", schema);
	if (own && (rc = sqlite3_exec(db, sql, NULL, NULL, NULL)) != SQLITE_OK) {
		if (!sqlite3_get_autocommit(db))
			(void)sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return bk_db_file_status(db, rc, name, "reading");
	}
	/* SQLCipher 4 checks every page's HMAC, in use or free; 3.4.1 lacks the pragma (an
	 * error we ignore: integrity_check reads and authenticates every page in use) */
	snprintf(sql, sizeof(sql), "PRAGMA \"%s\".cipher_integrity_check", schema);
	rc = sqlite3_exec(db, sql, integrity_row, first, NULL);
	if (own)
		(void)sqlite3_exec(db, "COMMIT", NULL, NULL, NULL); /* it only read */
	if (rc == SQLITE_OK && first[0])
		return bk_fail(BK_ERR_CORRUPT, "%s: a page does not authenticate: %s (it was altered or damaged)", name,
			       first);
	return BK_OK;
}

bk_status bk_db_integrity_check(sqlite3 *db)
{
	char first[256] = "", schemas[64][48], name[64], sql[128];
	sqlite3_stmt *st = NULL;
	size_t n = 0;
	bk_status rc = BK_OK;
	int src;

	/* every file on the connection: vault.db and the attached stores */
	src = sqlite3_prepare_v2(db, "SELECT name FROM pragma_database_list WHERE name <> 'temp'", -1, &st, NULL);
	while (src == SQLITE_OK && n < 64 && (src = sqlite3_step(st)) == SQLITE_ROW) {
		snprintf(schemas[n++], sizeof(schemas[0]), "%.40s", (const char *)sqlite3_column_text(st, 0));
		src = SQLITE_OK;
	}
	sqlite3_finalize(st);
	/* a list cut short (the file busy) would check nothing and say ok */
	if (src != SQLITE_OK && src != SQLITE_DONE)
		return bk_db_status(db, src, "listing the files to check");
	for (size_t i = 0; i < n && rc == BK_OK; i++) {
		snprintf(sql, sizeof(sql), "PRAGMA \"%.47s\".integrity_check", schemas[i]);
		file_name(schemas[i], name, sizeof(name));
		src = sqlite3_exec(db, sql, integrity_row, first, NULL);
		/* SQLCipher 3 reports a page whose HMAC fails as a plain SQLITE_ERROR here:
		 * on a database that opened, any failure to read every page is damage */
		if (bk_db_is_busy(src))
			rc = bk_db_busy(name); /* not damage: a writer held the file past the wait */
		else if (src != SQLITE_OK)
			rc = bk_fail(BK_ERR_CORRUPT, "%s: integrity check failed: %s (a page was altered or damaged)", name,
				     sqlite3_errmsg(db));
		else if (first[0])
			rc = bk_fail(BK_ERR_CORRUPT, "%s: integrity check failed: %s", name, first);
		else
			rc = bk_db_pages_check(db, schemas[i]);
	}
	return rc;
}
