/* test_rotate.c - key rotate --region (vault/keep/rotate.c) beside commands
 * that unlocked before it: what they seal to the key pair the rotation
 * retires, or write to the store it copies away, never commits; what was
 * sealed before the rotation (data keys, an operator's inbox entry) opens
 * with the new keys only. */
#include "tests/unit/unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vault/core/audit.h"
#include "vault/core/vault.h"
#include "vault/keep/rotate.h"
#include "vault/records/import.h"
#include "vault/records/query.h"
#include "vault/records/reseal.h"
#include "vault/records/subjects.h"

#define PASS "-pass-1234"

static char dir[256];

static void quiet(void *ctx, const char *msg)
{
	(void)ctx;
	(void)msg;
}

static bk_status open_as(const char *user, struct bk_vault **v_p)
{
	char pass[64];

	snprintf(pass, sizeof(pass), "%s%s", user, PASS);
	return bk_test_vault_open(dir, user, pass, "test", v_p);
}

/* Imports the warga rows (CSV lines) as v's user. */
static bk_status import_rows(struct bk_vault *v, const char *rows)
{
	struct bk_import_opts o = {0};
	struct bk_import_result r;
	char csv[300];
	bk_status rc;

	snprintf(csv, sizeof(csv), "%s.csv", dir);
	bk_test_write(csv, "", 0);
	{
		FILE *f = fopen(csv, "w");

		assert_non_null(f);
		fprintf(f, "nik,nama,telepon,tanggal_lahir,jenis_kelamin,desa,pendidikan,pekerjaan,disabilitas\n%s", rows);
		assert_int_equal(fclose(f), 0);
	}
	o.dataset = "warga";
	o.path = csv;
	o.problem = quiet;
	rc = bk_vault_import(v, &o, &r);
	unlink(csv);
	return rc;
}

static int add_user(struct bk_vault *v, const char *name, enum bk_role role)
{
	static const char *const kanigoro[] = {"Kanigoro"};
	struct bk_vault_user_spec spec = {0};
	char pass[64];

	snprintf(pass, sizeof(pass), "%s%s", name, PASS);
	spec.name = name;
	spec.role = role;
	spec.scope = kanigoro;
	spec.nscope = 1;
	spec.pass = pass;
	spec.passlen = strlen(pass);
	spec.kdf = BK_KDF_INTERACTIVE;
	return bk_vault_user_add(v, &spec) == BK_OK ? 0 : -1;
}

static int setup(void **state)
{
	struct bk_vault *v = NULL;
	int rc;

	(void)state;
	bk_test_vault_tmp(dir, sizeof(dir), "rotate", "ada" PASS);
	if (open_as("ada", &v) != BK_OK)
		return -1;
	rc = add_user(v, "citra", BK_ROLE_CUSTODIAN) || add_user(v, "oki", BK_ROLE_OPERATOR);
	if (rc == 0 && import_rows(v, "3505100101900001,Budi,,1990-01-01,L,35.05.10.2001,SMA,petani,tidak\n"
				      "3505010404750004,Dewi,,1975-04-04,L,35.05.01.2001,SMA,pedagang,tidak\n") != BK_OK)
		rc = -1;
	bk_vault_close(v);
	return rc;
}

static int teardown(void **state)
{
	(void)state;
	bk_test_vault_remove(dir);
	return 0;
}

static void rotate_kanigoro(struct bk_rotate_result *res)
{
	static const char *const kec[] = {"Kanigoro"};
	const struct bk_rotate_region_opts o = {bk_vault_subject_index, NULL, NULL, 0, NULL};
	struct bk_vault *ada = NULL;

	assert_int_equal(open_as("ada", &ada), BK_OK);
	assert_int_equal(bk_rotate_regions(ada, kec, 1, &o, res), BK_OK);
	bk_vault_close(ada);
}

/* The rows of warga in Kanigoro as user sees them (a fresh unlock). */
static long long kanigoro_rows(const char *user)
{
	struct bk_vault *v = NULL;
	json_t *out = NULL;
	long long n;

	assert_int_equal(open_as(user, &v), BK_OK);
	assert_int_equal(bk_vault_query(v, "SELECT count(*) FROM warga WHERE kecamatan = '35.05.10'", NULL, 0, &out),
			 BK_OK);
	n = json_integer_value(json_array_get(json_array_get(json_object_get(out, "rows"), 0), 0));
	json_decref(out);
	bk_vault_close(v);
	return n;
}

static void assert_sound(void)
{
	struct bk_vault *v = NULL;
	struct bk_audit_report report;

	assert_int_equal(open_as("ada", &v), BK_OK);
	assert_int_equal(bk_vault_check(v, &report), BK_OK);
	bk_vault_close(v);
}

#define KANIGORO_ROW "3505104202850002,Siti,,1985-02-02,P,35.05.10.2002,SMP,guru,tidak\n"

static void test_an_inbox_entry_sealed_before_is_sealed_again_and_moves_in(void **state)
{
	struct bk_rotate_result res;
	struct bk_vault *oki = NULL;
	long long before;

	(void)state;
	before = kanigoro_rows("citra");
	assert_int_equal(open_as("oki", &oki), BK_OK);
	assert_int_equal(import_rows(oki, KANIGORO_ROW), BK_OK); /* the inbox: oki holds no store key */
	bk_vault_close(oki);
	rotate_kanigoro(&res);
	assert_int_equal(res.regions, 1);
	assert_true(res.rewrapped >= 2); /* the data key of the first import, the inbox entry */
	/* citra holds only the new key pair now: the entry opens with it */
	assert_int_equal(kanigoro_rows("citra"), before + 1);
	assert_sound();
}

static void test_an_operator_unlocked_before_commits_nothing_sealed_to_the_retired_pair(void **state)
{
	struct bk_rotate_result res;
	struct bk_vault *oki = NULL, *citra = NULL;
	long long before;

	(void)state;
	before = kanigoro_rows("citra");
	assert_int_equal(open_as("oki", &oki), BK_OK);
	rotate_kanigoro(&res);
	/* sealed to the pair the rotation retired: refused, nothing written */
	assert_int_equal(import_rows(oki, KANIGORO_ROW), BK_ERR_BUSY);
	assert_non_null(strstr(bk_error_detail(), "the keyring changed while this command ran"));
	bk_vault_close(oki);
	assert_int_equal(open_as("citra", &citra), BK_OK);
	bk_vault_close(citra);
	assert_int_equal(kanigoro_rows("citra"), before);
	/* unlocked again, the operator seals to the new pair */
	assert_int_equal(open_as("oki", &oki), BK_OK);
	assert_int_equal(import_rows(oki, KANIGORO_ROW), BK_OK);
	bk_vault_close(oki);
	assert_int_equal(kanigoro_rows("citra"), before + 1);
	assert_sound();
}

static void test_a_custodian_unlocked_before_writes_nothing_to_the_store_copied_away(void **state)
{
	struct bk_rotate_result res;
	struct bk_vault *citra = NULL;
	long long before;

	(void)state;
	before = kanigoro_rows("ada");
	assert_int_equal(open_as("citra", &citra), BK_OK);
	rotate_kanigoro(&res);
	/* SQLite refuses to write to a moved file: nothing lands in the retired store */
	assert_int_equal(import_rows(citra, "3505100303800003,Agus,,1980-03-03,L,35.05.10.2003,SD,petani,tidak\n"),
			 BK_ERR_BUSY);
	assert_non_null(strstr(bk_error_detail(), "was replaced while this command ran"));
	bk_vault_close(citra);
	assert_int_equal(kanigoro_rows("ada"), before);
	assert_sound();
}

/* The names of warga in Kanigoro, revealed by ada, joined by ',' (malloc'd). */
static char *kanigoro_names(void)
{
	struct bk_vault *v = NULL;
	json_t *out = NULL;
	char *names;

	assert_int_equal(open_as("ada", &v), BK_OK);
	assert_int_equal(bk_vault_query(v,
					"SELECT group_concat(n, ',') FROM (SELECT reveal(nama) AS n FROM warga "
					"WHERE kecamatan = '35.05.10' ORDER BY id)",
					"uji", 0, &out),
			 BK_OK);
	names = strdup(json_string_value(json_array_get(json_array_get(json_object_get(out, "rows"), 0), 0)));
	json_decref(out);
	bk_vault_close(v);
	return names;
}

static int chunks_seen;

/* After the first chunk every write SQLite makes fails, as a full disk would. */
static void fail_after_one(void *ctx, const char *kecamatan, uint64_t done, uint64_t total)
{
	(void)ctx;
	(void)kecamatan;
	(void)done;
	(void)total;
	if (++chunks_seen == 1)
		bk_test_fail_sqlite_writes(1);
}

static void test_reencrypt_stopped_after_a_chunk_continues_where_it_stopped(void **state)
{
	static const char *const kec[] = {"Kanigoro"};
	struct bk_vault *ada = NULL, *again = NULL;
	struct bk_rotate_region_opts o = {bk_vault_subject_index, NULL, NULL, 1, &again};
	struct bk_reseal_opts stop = {1, fail_after_one, NULL}, go = {1, NULL, NULL};
	struct bk_rotate_result res;
	struct bk_reseal_result done, rest;
	char *before = kanigoro_names(), *after;
	int pending = 0;

	(void)state;
	bk_test_fail_sqlite_writes(0); /* the shim wraps the files opened from here on */
	assert_int_equal(open_as("ada", &ada), BK_OK);
	assert_int_equal(bk_rotate_regions(ada, kec, 1, &o, &res), BK_OK);
	bk_vault_close(ada);
	assert_non_null(again);
	/* one row sealed again and committed, the next chunk's commit fails */
	assert_int_not_equal(bk_vault_reseal(again, kec, 1, &stop, &done), BK_OK);
	bk_test_fail_sqlite_writes(0);
	bk_vault_close(again);
	assert_int_equal(done.rows, 1);
	/* the markers are left: the rows read as before meanwhile */
	assert_int_equal(open_as("ada", &ada), BK_OK);
	assert_int_equal(bk_vault_reseal_pending(ada, &pending), BK_OK);
	assert_int_equal(pending, 1);
	after = kanigoro_names();
	assert_string_equal(after, before);
	free(after);
	/* the rerun seals the rest, one chunk each, and drops every marker */
	assert_int_equal(bk_vault_reseal(ada, kec, 1, &go, &rest), BK_OK);
	assert_true(rest.rows >= 2);
	assert_int_equal(rest.kecamatan, 1);
	assert_true(rest.batches_gone >= 1);
	assert_int_equal(bk_vault_reseal_pending(ada, &pending), BK_OK);
	assert_int_equal(pending, 0);
	bk_vault_close(ada);
	after = kanigoro_names();
	assert_string_equal(after, before);
	free(after);
	free(before);
	assert_sound();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_an_inbox_entry_sealed_before_is_sealed_again_and_moves_in),
		cmocka_unit_test(test_an_operator_unlocked_before_commits_nothing_sealed_to_the_retired_pair),
		cmocka_unit_test(test_a_custodian_unlocked_before_writes_nothing_to_the_store_copied_away),
		cmocka_unit_test(test_reencrypt_stopped_after_a_chunk_continues_where_it_stopped),
	};

	return bk_test_run_group("rotate", tests, setup, teardown);
}
