/* test_move_in.c - a vault whose citizen rows still sit in vault.db (made
 * before the per-kecamatan stores) gets them moved into their stores by the
 * first admin unlock, every row intact: 100,000 rows over three kecamatan,
 * compared column by column (as text) before and after, also when the first
 * unlock dies half way and the next one finishes. And a batch of NIK
 * lookups over the stores, which skips the stores that cannot hold a NIK,
 * still finds every row, one without a blind index too. */
#include "tests/unit/unit.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crypto/hash.h"
#include "vault/core/vault.h"
#include "vault/records/import.h"
#include "vault/records/subjects.h"

#define ROWS 100000
#define PASS "admin-pass"

static const char *const kecamatan[] = {"35.05.10", "35.05.01", "35.05.05"};
#define NKEC (sizeof(kecamatan) / sizeof(kecamatan[0]))

static char dir[BK_TEST_PATH_MAX];
static char db_key[68], store_keys[NKEC][68];

static void quiet(void *ctx, const char *msg)
{
	(void)ctx;
	(void)msg;
}

#define NIK_MAX 24
#define BORN_MAX 16

/* Person i: the NIK, and the birth date it encodes. */
static void person(unsigned i, char nik[NIK_MAX], char born[BORN_MAX])
{
	unsigned k = i % NKEC, j = i / NKEC;
	unsigned d = 1 + j % 28, m = 1 + j / 28 % 12, y = 50 + j / 336 % 50, serial = 1 + j / 16800 % 9;

	snprintf(nik, NIK_MAX, "3505%.2s%02u%02u%02u%04u", kecamatan[k] + 6, d, m, y, serial);
	snprintf(born, BORN_MAX, "19%02u-%02u-%02u", y, m, d);
}

static void make_people(const char *csv)
{
	FILE *f = fopen(csv, "w");
	char nik[NIK_MAX], born[BORN_MAX];

	assert_non_null(f);
	fputs("nik,nama,telepon,tanggal_lahir,jenis_kelamin,desa,pendidikan,pekerjaan,disabilitas\n", f);
	for (unsigned i = 0; i < ROWS; i++) {
		person(i, nik, born);
		fprintf(f, "%s,Orang %u,,%s,L,%s.2001,SMA,petani,tidak\n", nik, i, born, kecamatan[i % NKEC]);
	}
	assert_int_equal(fclose(f), 0);
}

/* Opens file with a raw key spec (x'..'), or dies. */
static sqlite3 *open_raw(const char *file, const char *spec)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open(file, &db), SQLITE_OK);
	assert_int_equal(sqlite3_key(db, spec, (int)strlen(spec)), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA cipher_hmac_algorithm = HMAC_SHA256;"
					  "PRAGMA cipher_default_hmac_algorithm = HMAC_SHA256;",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	return db;
}

static void attach_stores(sqlite3 *db)
{
	for (size_t k = 0; k < NKEC; k++) {
		char *sql = sqlite3_mprintf("ATTACH '%q/kec/%q.db' AS s%d KEY '%q'", dir, kecamatan[k], (int)k,
					    store_keys[k]);

		assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
		sqlite3_free(sql);
	}
}

/* A hash of every row of ds_warga in table (ordered by id, every column as
 * text); *rows_p: how many. */
static void digest(sqlite3 *db, const char *table, uint8_t out[32], long *rows_p)
{
	char *sql = sqlite3_mprintf("SELECT * FROM %s ORDER BY id", table);
	struct bk_hash_state h;
	sqlite3_stmt *st = NULL;

	*rows_p = 0;
	assert_int_equal(bk_hash_init(&h, 32, NULL, 0), BK_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (int c = 0; c < sqlite3_column_count(st); c++) {
			const unsigned char *t = sqlite3_column_text(st, c);

			bk_hash_update(&h, t ? t : (const unsigned char *)"\x01", t ? (size_t)sqlite3_column_bytes(st, c) + 1 : 1);
		}
		(*rows_p)++;
	}
	assert_int_equal(bk_hash_final(&h, out, 32), BK_OK);
	sqlite3_finalize(st);
	sqlite3_free(sql);
}

/* The union of every file's rows, as the vault sees them. */
static const char everywhere[] = "(SELECT * FROM main.ds_warga UNION ALL SELECT * FROM s0.ds_warga UNION ALL "
				 "SELECT * FROM s1.ds_warga UNION ALL SELECT * FROM s2.ds_warga)";

static long count(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	long n;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

static int setup(void **state)
{
	char csv[BK_TEST_PATH_MAX + 8];
	struct bk_import_opts o = {0};
	struct bk_import_result r;
	struct bk_vault *v = NULL;

	(void)state;
	bk_test_vault_tmp(dir, sizeof(dir), "move", PASS);
	snprintf(csv, sizeof(csv), "%s.csv", dir);
	make_people(csv);
	o.dataset = "warga";
	o.path = csv;
	o.problem = quiet;
	if (bk_test_vault_open(dir, BK_TEST_ADMIN, PASS, "test", &v) != BK_OK || bk_vault_import(v, &o, &r) != BK_OK ||
	    r.rows != ROWS || bk_vault_db_key_export(v, NULL, db_key) != BK_OK)
		return -1;
	for (size_t k = 0; k < NKEC; k++)
		if (bk_vault_db_key_export(v, kecamatan[k], store_keys[k]) != BK_OK)
			return -1;
	bk_vault_close(v);
	return unlink(csv);
}

static int teardown(void **state)
{
	(void)state;
	bk_test_vault_remove(dir);
	return 0;
}

/* Puts every row back into vault.db, as a vault made before the stores held
 * them; returns the digest of the rows. */
static void rows_back_to_vault_db(uint8_t want[32])
{
	char path[BK_TEST_PATH_MAX + 16];
	sqlite3 *db;
	long n;

	snprintf(path, sizeof(path), "%s/vault.db", dir);
	db = open_raw(path, db_key);
	attach_stores(db);
	digest(db, everywhere, want, &n);
	assert_int_equal(n, ROWS);
	assert_int_equal(sqlite3_exec(db,
				      "BEGIN; INSERT INTO main.ds_warga SELECT * FROM s0.ds_warga UNION ALL "
				      "SELECT * FROM s1.ds_warga UNION ALL SELECT * FROM s2.ds_warga;"
				      "DELETE FROM s0.ds_warga; DELETE FROM s1.ds_warga; DELETE FROM s2.ds_warga; COMMIT",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(count(db, "SELECT count(*) FROM main.ds_warga"), ROWS);
	sqlite3_close(db);
}

static void rows_in_stores(const uint8_t want[32])
{
	char path[BK_TEST_PATH_MAX + 16];
	uint8_t got[32];
	sqlite3 *db;
	long n;

	snprintf(path, sizeof(path), "%s/vault.db", dir);
	db = open_raw(path, db_key);
	attach_stores(db);
	assert_int_equal(count(db, "SELECT count(*) FROM main.ds_warga"), 0);
	for (size_t k = 0; k < NKEC; k++) {
		char sql[96];

		/* each store holds its own kecamatan's rows and no other's */
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM s%d.ds_warga WHERE kecamatan <> '%s'", (int)k, kecamatan[k]);
		assert_int_equal(count(db, sql), 0);
	}
	digest(db, everywhere, got, &n);
	assert_int_equal(n, ROWS);
	assert_memory_equal(got, want, 32);
	sqlite3_close(db);
}

static void progress_dies(void *ctx, uint64_t done, uint64_t total)
{
	(void)ctx;
	if (done > 0 && done < total)
		_exit(42); /* between two chunks: what a kill at that instant leaves */
}

/* The unlock moves the rows in without their index (vault.db's rows were
 * indexed under another key than the stores'), and the CLI's indexing after
 * it makes the index again: the same values, so the rows compare equal. */
static void moved_by_an_admin_unlock(void)
{
	struct bk_vault *v = NULL;
	struct bk_audit_report rep;
	uint64_t indexed = 0;

	assert_int_equal(bk_test_vault_open(dir, BK_TEST_ADMIN, PASS, "test", &v), BK_OK);
	assert_int_equal(bk_vault_subject_index(v, &indexed), BK_OK);
	assert_true(indexed > 0);
	assert_int_equal(bk_vault_audit_verify(v, NULL, 0, NULL, 0, 1, &rep), BK_OK);
	bk_vault_close(v);
}

static void test_first_admin_unlock_moves_every_row(void **state)
{
	uint8_t want[32];

	(void)state;
	rows_back_to_vault_db(want);
	moved_by_an_admin_unlock();
	rows_in_stores(want);
}

static void test_a_move_killed_half_way_is_finished_by_the_next_unlock(void **state)
{
	uint8_t want[32];
	char path[BK_TEST_PATH_MAX + 16];
	int status = 0;
	pid_t pid;
	sqlite3 *db;
	long left;

	(void)state;
	rows_back_to_vault_db(want);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct bk_vault *v = NULL;

		bk_vault_on_move(progress_dies, NULL);
		if (bk_test_vault_open(dir, BK_TEST_ADMIN, PASS, "test", &v) != BK_OK)
			_exit(1);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 42);
	snprintf(path, sizeof(path), "%s/vault.db", dir);
	db = open_raw(path, db_key);
	left = count(db, "SELECT count(*) FROM main.ds_warga");
	sqlite3_close(db);
	assert_true(left > 0 && left < ROWS); /* part moved, part not */
	moved_by_an_admin_unlock();
	rows_in_stores(want);
}

static void test_a_batch_of_lookups_finds_every_row(void **state)
{
	char path[BK_TEST_PATH_MAX + 16], nik[NIK_MAX], born[BORN_MAX];
	struct bk_vault *v = NULL;
	sqlite3 *db;

	(void)state;
	/* person 7's row loses its blind index, as an operator's row has none */
	snprintf(path, sizeof(path), "%s/kec/%s.db", dir, kecamatan[7 % NKEC]);
	db = open_raw(path, store_keys[7 % NKEC]);
	assert_int_equal(sqlite3_exec(db, "UPDATE ds_warga SET nik_bi = NULL WHERE id = 8", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_changes(db), 1);
	sqlite3_close(db);
	assert_int_equal(bk_test_vault_open(dir, BK_TEST_ADMIN, PASS, "test", &v), BK_OK);
	assert_int_equal(bk_vault_read_begin(v), BK_OK);
	/* past the first lookups, each one seeks only the stores whose index may hold it */
	for (int i = 0; i < 300; i++) {
		struct bk_subject_result r;

		person((unsigned)i * 331 % ROWS, nik, born);
		if (i == 200)
			person(7, nik, born);
		assert_int_equal(bk_vault_subject_count(v, nik, &r), BK_OK);
		if (r.rows != 1)
			fail_msg("lookup %d: %llu rows for person %d", i, (unsigned long long)r.rows, i == 200 ? 7 : i * 331 % ROWS);
	}
	bk_vault_read_end(v);
	bk_vault_close(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_admin_unlock_moves_every_row),
		cmocka_unit_test(test_a_move_killed_half_way_is_finished_by_the_next_unlock),
		cmocka_unit_test(test_a_batch_of_lookups_finds_every_row),
	};

	return bk_test_run_group("moving rows into the stores", tests, setup, teardown);
}
