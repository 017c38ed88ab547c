/* test_db.c - vault.db under SQLCipher: the connection bk_db_open gives reads
 * "x" as a name. */
#include "tests/unit/unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <sqlite3.h>

#include "crypto/secmem.h"
#include "vault/db.h"

static void remove_dir(const char *dir, const char *path)
{
	char p[128];

	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
	rmdir(dir);
}

static void test_double_quotes_are_identifiers(void **state)
{
	uint8_t key[BK_DB_KEYBYTES] = {0};
	char dir[64] = "/tmp/bk-test-db-XXXXXX", path[96];
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;

	(void)state;
	if (sqlite3_libversion_number() < 3029000)
		skip(); /* SQLite 3.15 has no switch: "x" falls back to a string there */
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_double_quotes_are_identifiers),
	};

	if (bk_crypto_init() != BK_OK)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
