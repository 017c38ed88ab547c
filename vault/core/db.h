/* db.h - the SQLCipher database: opening under the raw key, schema migrations,
 * small helpers that map SQLite errors onto bk_status.
 *
 * WARNING: a build linked against plain SQLite ignores sqlite3_key silently;
 * bk_db_open asserts PRAGMA cipher_version so that can never go unnoticed. */
#ifndef BK_DB_H
#define BK_DB_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "base/error.h"

#define BK_DB_KEYBYTES 32
#define BK_DB_PAGE_SIZE 4096
/* The page MAC of every SQLCipher file of a vault (vault.db and the stores):
 * the shell needs PRAGMA cipher_hmac_algorithm = HMAC_SHA256 after the key. */
#define BK_DB_HMAC "HMAC_SHA256"
#define BK_DB_SCHEMA_VERSION 2
/* How long a command waits by default for another one holding a file of the
 * vault (the busy timeout of every connection, the audit log's lock) before
 * BK_ERR_BUSY: a clerk's record add outlasts an import of a kecamatan's
 * registry on a loaded PC (10 s did not, under CI's load). */
#define BK_DB_WAIT_DEFAULT_MS 60000
#define BK_DB_WAIT_MAX_MS (24 * 3600 * 1000)

/* bk_db_open opens (or with create, makes) path under the 32-byte raw key,
 * with 4 KiB cipher pages, WAL, busy timeout, foreign keys and secure delete,
 * and checks the key by reading sqlite_master: BK_ERR_CORRUPT when the file
 * does not decrypt (altered, or another vault's). Applies pending migrations.
 * Linked against SQLCipher 4 or later, a vault.db in SQLCipher 3's format is
 * upgraded in place first (a new file beside it, renamed over it); that needs
 * every other connection to it closed, else BK_ERR_STATE. */
bk_status bk_db_open(const char *path, const uint8_t key[BK_DB_KEYBYTES], int create, sqlite3 **db_p) BK_MUST_CHECK;

void bk_db_close(sqlite3 *db);

/* bk_db_journal_rollback puts vault.db (schema "main") or an attached store
 * in rollback-journal mode (journal_mode DELETE), outside any transaction:
 * every file of a vault is, so that a command writing several (vault.db and
 * kecamatan stores) commits them all or none (SQLite's super-journal; WAL
 * commits each file on its own). Returns 1 when the file is in that mode, 0
 * when it stayed in WAL (a vault made by an older brankas, still open in
 * another process): the next open converts it. */
int bk_db_journal_rollback(sqlite3 *db, const char *schema);

/* bk_db_exec runs SQL without results; errors become bk_status with a detail. */
bk_status bk_db_exec(sqlite3 *db, const char *sql) BK_MUST_CHECK;

/* bk_db_copy_under writes a copy of the database at path (under key) to the
 * new file tmp (removed first if left by a copy that stopped) under new_key,
 * in the vault's format, through a connection of its own, in one
 * transaction; the caller renames it into place. */
bk_status bk_db_copy_under(const char *path, const uint8_t key[BK_DB_KEYBYTES], const char *tmp,
			    const uint8_t new_key[BK_DB_KEYBYTES]) BK_MUST_CHECK;

/* bk_db_status maps a SQLite result code (with the db's message) onto bk_status:
 * SQLITE_CORRUPT/NOTADB -> BK_ERR_CORRUPT (HMAC failures of SQLCipher pages land
 * there), SQLITE_FULL/IOERR -> BK_ERR_IO, SQLITE_BUSY/LOCKED -> BK_ERR_BUSY
 * (bk_db_busy's words, not SQLite's), the rest BK_ERR_DB. */
bk_status bk_db_status(sqlite3 *db, int rc, const char *what);
/* bk_db_file_status is bk_db_status for a statement that reads one known
 * file, named in the message ("the store of kecamatan 35.05.10"). */
bk_status bk_db_file_status(sqlite3 *db, int rc, const char *file, const char *what);

/* bk_db_is_busy says whether a SQLite result code means that another
 * connection held the lock past the busy timeout (SQLITE_BUSY, SQLITE_LOCKED,
 * extended codes too). bk_db_busy records that plainly for a file of the vault
 * ("vault.db", "audit.log", "the store of kecamatan 35.05.10"): another command
 * holds it, try again; a hint says how long brankas waits. Returns BK_ERR_BUSY.
 * WARNING: a busy file is no damage: never map it onto BK_ERR_CORRUPT. */
int bk_db_is_busy(int rc);
bk_status bk_db_busy(const char *file);

/* bk_db_set_wait sets how long (0 to BK_DB_WAIT_MAX_MS) every later wait for
 * another command lasts, and a function called once per process when a wait
 * has lasted a second (the CLI tells its user why nothing happens); NULL for
 * none. bk_db_wait_ms returns the length. */
void bk_db_set_wait(int ms, void (*waiting)(int ms));
int bk_db_wait_ms(void);

/* bk_db_wait_more is one step of a wait that began at *since (set by the
 * first step, first != 0): sleeps a moment and returns 1, or returns 0 once
 * the wait has lasted bk_db_wait_ms. */
int bk_db_wait_more(struct timespec *since, int first);

/* meta table: small key/value strings. get returns BK_ERR_NOTFOUND when absent. */
bk_status bk_db_meta_get(sqlite3 *db, const char *key, char *out, size_t cap) BK_MUST_CHECK;
bk_status bk_db_meta_set(sqlite3 *db, const char *key, const char *value) BK_MUST_CHECK;

/* bk_db_cipher_version returns SQLCipher's version string into out. */
bk_status bk_db_cipher_version(sqlite3 *db, char *out, size_t cap) BK_MUST_CHECK;

/* bk_db_library_version writes the linked SQLCipher's version (PRAGMA
 * cipher_version, "4.9.0 community") into cipher, empty when the library is plain
 * SQLite, and returns the version of the SQLite under it (a static string). */
const char *bk_db_library_version(char *cipher, size_t cap);

/* bk_db_integrity_check reads every page of vault.db and of every attached
 * store (PRAGMA integrity_check, and SQLCipher's cipher_integrity_check when
 * the library has it). bk_db_pages_check authenticates every page of one
 * file (schema "main" or a store's) by its HMAC alone: fast enough for every
 * unlock on vault.db, which holds no citizen rows. */
bk_status bk_db_integrity_check(sqlite3 *db) BK_MUST_CHECK;
bk_status bk_db_pages_check(sqlite3 *db, const char *schema) BK_MUST_CHECK;

#endif
