/* test_db.c - vault.db under SQLCipher: a vault written by Debian 12's
 * SQLCipher 3.4.1 (tests/fixtures/sqlcipher3, see its README) opens through
 * bk_db_open with every row, and a library of SQLCipher 4 or later leaves it
 * in its own format; the connection bk_db_open gives reads "x" as a name; a
 * file another connection holds past the busy timeout is "busy", in plain
 * words, never SQLite's "database is locked" nor damage. */
#include "tests/unit/unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <sqlite3.h>

#include "base/fileio.h"
#include "crypto/secmem.h"
#include "vault/core/db.h"

#define V3_FIXTURE BK_TEST_FIXTURES "/sqlcipher3/vault-v3.db"
#define V3_KEYSPEC "x'000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f'"

static void fixture_key(uint8_t key[BK_DB_KEYBYTES])
{
	for (int i = 0; i < BK_DB_KEYBYTES; i++)
		key[i] = (uint8_t)i;
}

/* A temp directory holding a copy of the fixture as vault.db; path gets its name. */
static void copy_fixture(char dir[64], char path[96])
{
	uint8_t *data = NULL;
	size_t len = 0;

	snprintf(dir, 64, "/tmp/bk-test-db-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, 96, "%s/vault.db", dir);
	assert_int_equal(bk_file_read(V3_FIXTURE, 1 << 20, &data, &len), BK_OK);
	assert_int_equal(bk_file_create_exclusive(path, data, len, 0600), BK_OK);
	free(data);
}

static void remove_dir(const char *dir, const char *path)
{
	char p[128];

	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s.v4", path);
	unlink(p);
	rmdir(dir);
}

/* Whether path opens and reads under the fixture's key with the library's own
 * defaults (compat 0) or SQLCipher 3's (compat 3), 4 KiB pages either way. */
static int opens_as(const char *path, int compat)
{
	sqlite3 *db = NULL;
	int ok;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		sqlite3_close(db);
		return 0;
	}
	(void)sqlite3_exec(db, "PRAGMA cipher_log_level = NONE", NULL, NULL, NULL);
	ok = sqlite3_key(db, V3_KEYSPEC, (int)strlen(V3_KEYSPEC)) == SQLITE_OK &&
	     (!compat || sqlite3_exec(db, "PRAGMA cipher_compatibility = 3", NULL, NULL, NULL) == SQLITE_OK) &&
	     sqlite3_exec(db, "PRAGMA cipher_page_size = 4096", NULL, NULL, NULL) == SQLITE_OK &&
	     sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL) == SQLITE_OK;
	sqlite3_close(db);
	return ok;
}

static long long one_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	long long v;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void test_sqlcipher3_vault_opens(void **state)
{
	static const char *const names[] = {"Kanigoro", "Wonodadi", "Sanankulon"};
	uint8_t key[BK_DB_KEYBYTES];
	char dir[64], path[96], cipher[32], probe[128];
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int i = 0, major;

	(void)state;
	(void)bk_db_library_version(cipher, sizeof(cipher));
	major = atoi(cipher);
	assert_true(major >= 3);
	fixture_key(key);
	copy_fixture(dir, path);

	if (bk_db_open(path, key, 0, &db) != BK_OK)
		fail_msg("%s", bk_error_detail());
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT id, nama FROM t ORDER BY id", -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		assert_true(i < 3);
		assert_int_equal(sqlite3_column_int(st, 0), i + 1);
		assert_string_equal((const char *)sqlite3_column_text(st, 1), names[i]);
		i++;
	}
	sqlite3_finalize(st);
	assert_int_equal(i, 3);
	/* user_version came along: the migrations it had did not run again, the newer one (the
	 * inbox, 4) did */
	assert_int_equal(one_int(db, "PRAGMA user_version"), 4);
	assert_int_equal(one_int(db, "SELECT count(*) FROM sqlite_master WHERE name = 'meta'"), 0);
	assert_int_equal(one_int(db, "SELECT count(*) FROM sqlite_master WHERE name = 'inbox'"), 1);
	/* still writable, and the change survives a reopen */
	assert_int_equal(bk_db_exec(db, "INSERT INTO t VALUES (4, '35.05.11', 'Kademangan')"), BK_OK);
	bk_db_close(db);
	db = NULL;
	assert_int_equal(bk_db_open(path, key, 0, &db), BK_OK);
	assert_int_equal(one_int(db, "SELECT count(*) FROM t"), 4);
	bk_db_close(db);

	if (major >= 4) {
		/* upgraded: the library's defaults read it, SQLCipher 3's no longer do */
		assert_true(opens_as(path, 0));
		assert_false(opens_as(path, 3));
	} else {
		assert_true(opens_as(path, 0));
	}
	snprintf(probe, sizeof(probe), "%s.v4", path);
	assert_int_equal(access(probe, F_OK), -1); /* no copy left beside it */
	remove_dir(dir, path);
}

static void test_sqlcipher3_vault_wrong_key(void **state)
{
	uint8_t key[BK_DB_KEYBYTES];
	char dir[64], path[96], probe[128];
	sqlite3 *db = NULL;

	(void)state;
	fixture_key(key);
	key[0] ^= 1;
	copy_fixture(dir, path);
	/* under another key neither format reads it: damage, and nothing rewritten */
	assert_int_equal(bk_db_open(path, key, 0, &db), BK_ERR_CORRUPT);
	assert_null(db);
	assert_non_null(strstr(bk_error_detail(), "does not decrypt with the vault key"));
	assert_true(opens_as(path, 3));
	snprintf(probe, sizeof(probe), "%s.v4", path);
	assert_int_equal(access(probe, F_OK), -1);
	remove_dir(dir, path);
}

static void test_double_quotes_are_identifiers(void **state)
{
	uint8_t key[BK_DB_KEYBYTES] = {0};
	char dir[64] = "/tmp/bk-test-db-XXXXXX", path[96];
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;

	(void)state;
	if (sqlite3_libversion_number() < 3029000) {
		print_message("skipped: SQLite before 3.29 has no DQS switch\n");
		skip(); /* SQLite 3.15 has no switch: "x" falls back to a string there */
	}
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/vault.db", dir);
	assert_int_equal(bk_db_open(path, key, 1, &db), BK_OK);
	assert_int_equal(bk_db_meta_set(db, "vault_id", "x"), BK_OK);
	/* with no column of that name, "vault_id" is an error, not the string 'vault_id' */
	assert_int_not_equal(sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = \"vault_id\"", -1, &st, NULL),
			     SQLITE_OK);
	sqlite3_finalize(st);
	assert_int_not_equal(bk_db_exec(db, "CREATE TABLE u (a TEXT CHECK (a <> \"x\"))"), BK_OK);
	/* a double-quoted name is still a name */
	assert_int_equal(bk_db_exec(db, "SELECT \"value\" FROM \"meta\""), BK_OK);
	bk_db_close(db);
	remove_dir(dir, path);
}

/* Expects rc to be BK_ERR_BUSY with the plain message naming file, a hint, and
 * nothing of SQLite's own words. */
static void assert_busy(bk_status rc, const char *file)
{
	char want[128];

	snprintf(want, sizeof(want), "the vault is busy (another command holds %s): try again", file);
	assert_int_equal(rc, BK_ERR_BUSY);
	assert_string_equal(bk_error_detail(), want);
	assert_non_null(strstr(bk_error_hint(), "waited 60 s"));
	assert_null(strstr(bk_error_detail(), "locked"));
	bk_error_clear();
}

static void test_busy_is_plain(void **state)
{
	uint8_t key[BK_DB_KEYBYTES] = {0};
	char dir[64] = "/tmp/bk-test-db-XXXXXX", path[96], value[16];
	sqlite3 *holder = NULL, *db = NULL;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/vault.db", dir);
	assert_int_equal(bk_db_open(path, key, 1, &holder), BK_OK);
	assert_int_equal(bk_db_meta_set(holder, "vault_id", "x"), BK_OK);
	assert_int_equal(bk_db_open(path, key, 0, &db), BK_OK);
	/* another command in its commit: not even a reader gets in */
	assert_int_equal(bk_db_exec(holder, "BEGIN EXCLUSIVE"), BK_OK);
	sqlite3_busy_timeout(db, 20); /* the test's wait, not the 10 s of bk_db_open */
	assert_busy(bk_db_exec(db, "SELECT count(*) FROM meta"), "vault.db");
	assert_busy(bk_db_meta_get(db, "vault_id", value, sizeof(value)), "vault.db");
	/* the page check reads the file past SQLite's locks: it waits for them first */
	assert_busy(bk_db_pages_check(db, "main"), "vault.db");
	assert_true(sqlite3_get_autocommit(db));
	/* a check that could not list the files has checked nothing: not "ok" */
	assert_busy(bk_db_integrity_check(db), "vault.db");
	/* SQLite's other words for it, and a store's name */
	assert_busy(bk_db_file_status(NULL, SQLITE_LOCKED, "the store of kecamatan 35.05.10", "reading"),
		    "the store of kecamatan 35.05.10");
	assert_busy(bk_db_status(NULL, SQLITE_BUSY_SNAPSHOT, "reading"), "vault.db");
	assert_int_equal(bk_db_status(NULL, SQLITE_CORRUPT, "reading"), BK_ERR_CORRUPT);
	/* and once the holder is done, the same calls go through */
	assert_int_equal(bk_db_exec(holder, "COMMIT"), BK_OK);
	assert_int_equal(bk_db_meta_get(db, "vault_id", value, sizeof(value)), BK_OK);
	assert_string_equal(value, "x");
	assert_int_equal(bk_db_pages_check(db, "main"), BK_OK);
	assert_int_equal(bk_db_integrity_check(db), BK_OK);
	assert_true(sqlite3_get_autocommit(db));
	bk_db_close(db);
	bk_db_close(holder);
	remove_dir(dir, path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sqlcipher3_vault_opens),
		cmocka_unit_test(test_sqlcipher3_vault_wrong_key),
		cmocka_unit_test(test_double_quotes_are_identifiers),
		cmocka_unit_test(test_busy_is_plain),
	};

	return bk_test_run_group("db", tests, NULL, NULL);
}
