/* test_stores.c - the per-kecamatan stores of vault/core/stores.h, tried
 * from outside the library the way someone holding a user's files and
 * passphrase would: the keyring opened with crypto/ alone, each grant opened,
 * and every store under kec/ (and vault.db) tried with every key the user
 * holds through plain SQLCipher. Each role reaches exactly the stores, and
 * the citizen rows, of its scope; operators and auditors none; the database
 * key opens no store, and vault.db holds no citizen row. */
#define _XOPEN_SOURCE 700
#include "tests/unit/unit.h"

#include <dirent.h>
#include <ftw.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/fileio.h"
#include "crypto/encoding.h"
#include "crypto/keyring.h"
#include "crypto/secmem.h"
#include "vault/core/fields.h"
#include "vault/core/stores.h"
#include "vault/core/vault.h"
#include "vault/records/import.h"
#include "vault/schema/datasets.h"

static char dir[256];

struct held {
	char scope[BK_CODE_MAX];
	enum bk_key_kind kind;
	uint8_t key[32];
};

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int add_user(struct bk_vault *v, const char *name, enum bk_role role, const char *const *scope, size_t n)
{
	struct bk_vault_user_spec spec = {0};
	char pass[64];

	snprintf(pass, sizeof(pass), "%s-pass-1234", name);
	spec.name = name;
	spec.role = role;
	spec.scope = scope;
	spec.nscope = n;
	spec.pass = pass;
	spec.passlen = strlen(pass);
	spec.kdf = BK_KDF_INTERACTIVE;
	return bk_vault_user_add(v, &spec) == BK_OK ? 0 : -1;
}

/* People in three kecamatan: Kanigoro (35.05.10) 3, Wonodadi (35.05.01) 2,
 * Sanankulon (35.05.05) 1. */
#define PEOPLE_KANIGORO 3
#define PEOPLE_WONODADI 2
#define PEOPLE 6

static void quiet(void *ctx, const char *msg)
{
	(void)ctx;
	(void)msg;
}

static int import_people(struct bk_vault *v)
{
	static const char *const rows[PEOPLE] = {
		"3505100101900001,Budi,,1990-01-01,L,35.05.10.2001,SMA,petani,tidak",
		"3505104202850002,Siti,,1985-02-02,P,35.05.10.2002,SMP,guru,tidak",
		"3505100303800003,Agus,,1980-03-03,L,35.05.10.2003,SD,petani,tidak",
		"3505010404750004,Dewi,,1975-04-04,L,35.05.01.2001,SMA,pedagang,tidak",
		"3505010505700005,Eko,,1970-05-05,L,35.05.01.2001,S1,guru,tidak",
		"3505050606650006,Fajar,,1965-06-06,L,35.05.05.2001,SD,nelayan,tidak",
	};
	struct bk_import_opts o = {0};
	struct bk_import_result r;
	char csv[300];
	FILE *f;

	snprintf(csv, sizeof(csv), "%s.csv", dir);
	if (!(f = fopen(csv, "w")))
		return -1;
	fputs("nik,nama,telepon,tanggal_lahir,jenis_kelamin,desa,pendidikan,pekerjaan,disabilitas\n", f);
	for (size_t i = 0; i < PEOPLE; i++)
		fprintf(f, "%s\n", rows[i]);
	if (fclose(f) != 0)
		return -1;
	o.dataset = "warga";
	o.path = csv;
	o.problem = quiet;
	if (bk_vault_import(v, &o, &r) != BK_OK || r.rows != PEOPLE) {
		fprintf(stderr, "import: %s\n", bk_error_detail());
		return -1;
	}
	return unlink(csv) == 0 ? 0 : -1;
}

static int setup(void **state)
{
	static const char *const kanigoro[] = {"Kanigoro"};
	static const char *const two[] = {"Kanigoro", "Wonodadi"};
	struct bk_vault_init_opts o = {0};
	struct bk_vault *v = NULL;
	char tmpl[] = "/tmp/bk-stores-XXXXXX";
	int rc;

	(void)state;
	if (!mkdtemp(tmpl))
		return -1;
	snprintf(dir, sizeof(dir), "%s/v", tmpl);
	o.dir = dir;
	o.admin = "ada";
	o.pass = "ada-pass-1234";
	o.passlen = strlen(o.pass);
	o.kdf = BK_KDF_INTERACTIVE;
	if (bk_vault_init(&o) != BK_OK || bk_vault_open(dir, "ada", o.pass, o.passlen, "test", &v) != BK_OK)
		return -1;
	rc = add_user(v, "citra", BK_ROLE_CUSTODIAN, kanigoro, 1) || add_user(v, "oki", BK_ROLE_OPERATOR, kanigoro, 1) ||
	     add_user(v, "ani", BK_ROLE_ANALYST, two, 2) || add_user(v, "aud", BK_ROLE_AUDITOR, NULL, 0) ||
	     add_user(v, "cus", BK_ROLE_CUSTODIAN, NULL, 0);
	if (rc == 0)
		rc = import_people(v);
	bk_vault_close(v);
	return rc;
}

static int teardown(void **state)
{
	(void)state;
	*strrchr(dir, '/') = '\0';
	return nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Opens the user's keyring slot and every grant, with crypto/ only. */
static size_t open_grants(const char *user, struct held *out, size_t cap)
{
	char path[512], pass[64];
	uint8_t *text = NULL, *box_sk = bk_secmem_alloc(32), *sign_sk = bk_secmem_alloc(64), secret[BK_KEY_SECRET_MAX];
	struct bk_keyring kr;
	const struct bk_keyring_user *u;
	size_t len = 0, n = 0;

	snprintf(path, sizeof(path), "%s/keyring", dir);
	snprintf(pass, sizeof(pass), "%s-pass-1234", user);
	assert_int_equal(bk_file_read(path, 1 << 22, &text, &len), BK_OK);
	assert_int_equal(bk_keyring_parse(&kr, "keyring", text, len), BK_OK);
	u = bk_keyring_user(&kr, user);
	assert_non_null(u);
	assert_int_equal(bk_keyring_slot_open(&kr, u, pass, strlen(pass), box_sk, sign_sk), BK_OK);
	for (size_t i = 0; i < kr.ngrants; i++) {
		const struct bk_keyring_key *k = bk_keyring_key_by_id(&kr, kr.grants[i].key_id);
		size_t slen = 0;

		if (strcmp(kr.grants[i].user, user) != 0 ||
		    (k->kind != BK_KEY_STORE && k->kind != BK_KEY_DB && k->kind != BK_KEY_BLIND))
			continue;
		assert_int_equal(bk_keyring_grant_open(&kr.grants[i], u->box_pk, box_sk, secret, &slen), BK_OK);
		assert_int_equal(slen, 32);
		assert_true(n < cap);
		snprintf(out[n].scope, sizeof(out[n].scope), "%s", k->scope);
		out[n].kind = k->kind;
		memcpy(out[n].key, secret, 32);
		n++;
	}
	bk_wipe(secret, sizeof(secret));
	bk_secmem_free(box_sk);
	bk_secmem_free(sign_sk);
	bk_keyring_release(&kr);
	free(text);
	return n;
}

/* path, read-only, with the raw key as the sqlcipher shell would take it. */
static sqlite3 *open_keyed(const char *path, const uint8_t key[32])
{
	char spec[3 + 64 + 1];
	sqlite3 *db = NULL;

	spec[0] = 'x';
	spec[1] = '\'';
	bk_hex_encode(spec + 2, key, 32);
	spec[66] = '\'';
	spec[67] = '\0';
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_key(db, spec, 67), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA cipher_hmac_algorithm = HMAC_SHA256", NULL, NULL, NULL), SQLITE_OK);
	return db;
}

/* Whether path opens as SQLCipher under the raw key. */
static int opens_with(const char *path, const uint8_t key[32])
{
	sqlite3 *db = open_keyed(path, key);
	sqlite3_stmt *st = NULL;
	int ok;

	ok = sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master", -1, &st, NULL) == SQLITE_OK &&
	     sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	sqlite3_close(db);
	return ok;
}

/* The citizen rows (of every ds_ table) in path under the raw key: -1 when it
 * does not open. */
static long rows_with(const char *path, const uint8_t key[32])
{
	sqlite3 *db = open_keyed(path, key);
	sqlite3_stmt *st = NULL, *count = NULL;
	long rows = 0;

	if (sqlite3_prepare_v2(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB 'ds_*'", -1, &st,
			       NULL) != SQLITE_OK) {
		sqlite3_close(db);
		return -1;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		char *sql = sqlite3_mprintf("SELECT count(*) FROM \"%w\"", (const char *)sqlite3_column_text(st, 0));

		assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &count, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(count), SQLITE_ROW);
		rows += sqlite3_column_int(count, 0);
		sqlite3_finalize(count);
		sqlite3_free(sql);
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rows;
}

/* Every citizen row the user's raw keys reach in vault.db and the stores. */
static long rows_reachable(const char *user)
{
	struct held keys[128];
	size_t nkeys = open_grants(user, keys, 128);
	char path[1024];
	long total = 0;
	DIR *d;
	struct dirent *e;

	snprintf(path, sizeof(path), "%s/vault.db", dir);
	for (size_t k = 0; k < nkeys; k++) {
		long n = rows_with(path, keys[k].key);

		if (n > 0)
			fail_msg("%s: vault.db holds %ld citizen rows", user, n);
	}
	snprintf(path, sizeof(path), "%s/kec", dir);
	d = opendir(path);
	assert_non_null(d);
	while ((e = readdir(d))) {
		char file[1300];
		size_t nl = strlen(e->d_name);

		if (nl < 4 || strcmp(e->d_name + nl - 3, ".db") != 0)
			continue;
		snprintf(file, sizeof(file), "%s/%s", path, e->d_name);
		for (size_t k = 0; k < nkeys; k++) {
			long n = rows_with(file, keys[k].key);

			if (n > 0)
				total += n;
		}
	}
	closedir(d);
	bk_wipe(keys, sizeof(keys));
	return total;
}

/* Tries every store file with every key the user holds: returns how many
 * stores open, and fails when a key opens a store that is not its own. */
static size_t reachable(const char *user)
{
	struct held keys[128];
	size_t nkeys = open_grants(user, keys, 128), opened = 0, files = 0;
	char kdir[512];
	DIR *d;
	struct dirent *e;

	snprintf(kdir, sizeof(kdir), "%s/kec", dir);
	d = opendir(kdir);
	assert_non_null(d);
	while ((e = readdir(d))) {
		char path[1024], code[BK_CODE_MAX];
		size_t nl = strlen(e->d_name);
		int any = 0;

		if (nl < 4 || strcmp(e->d_name + nl - 3, ".db") != 0)
			continue;
		files++;
		snprintf(code, sizeof(code), "%.*s", (int)(nl - 3), e->d_name);
		snprintf(path, sizeof(path), "%s/%s", kdir, e->d_name);
		for (size_t k = 0; k < nkeys; k++)
			if (opens_with(path, keys[k].key)) {
				if (keys[k].kind != BK_KEY_STORE || strcmp(keys[k].scope, code) != 0)
					fail_msg("%s: key of %s opens the store of %s", user, keys[k].scope, code);
				any = 1;
			}
		opened += any;
	}
	closedir(d);
	assert_int_equal(files, 22);
	bk_wipe(keys, sizeof(keys));
	return opened;
}

static void test_each_role_reaches_its_scope(void **state)
{
	(void)state;
	assert_int_equal(reachable("ada"), 22);
	assert_int_equal(reachable("cus"), 22);  /* an unscoped custodian */
	assert_int_equal(reachable("citra"), 1); /* Kanigoro */
	assert_int_equal(reachable("ani"), 2);   /* Kanigoro and Wonodadi: plain columns, never identifiers */
	assert_int_equal(reachable("oki"), 0);   /* operators write through the inbox */
	assert_int_equal(reachable("aud"), 0);   /* auditors: no citizen row at all */
}

static void test_each_role_reaches_its_rows(void **state)
{
	(void)state;
	assert_int_equal(rows_reachable("ada"), PEOPLE);
	assert_int_equal(rows_reachable("cus"), PEOPLE);
	assert_int_equal(rows_reachable("citra"), PEOPLE_KANIGORO);
	assert_int_equal(rows_reachable("ani"), PEOPLE_KANIGORO + PEOPLE_WONODADI);
	assert_int_equal(rows_reachable("oki"), 0);
	assert_int_equal(rows_reachable("aud"), 0);
}

/* Whether the index of nik under the blind key b is among the store's. */
static int store_has_index(sqlite3 *db, const struct held *b, const char *nik)
{
	struct bk_index_key *ik = bk_secmem_alloc(sizeof(*ik));
	sqlite3_stmt *st = NULL;
	int found = 0;

	assert_non_null(ik);
	bk_index_key_set(ik, b->key, b->scope[0] != '\0');
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM ds_warga WHERE nik_bi = ?", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_int64(st, 1, bk_index_nik(ik, nik));
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	found = sqlite3_column_int(st, 0) > 0;
	sqlite3_finalize(st);
	bk_secmem_free(ik);
	return found;
}

/* The people whose rows the user's own grants match by NIK outside the CLI:
 * a store key opens their store and a blind key gives the index their row
 * holds. Only the blind key of the row's own kecamatan may (each store has
 * its own), so a blind key never reaches beyond its scope. */
static long rows_findable(const char *user)
{
	static const char *const niks[PEOPLE] = {"3505100101900001", "3505104202850002", "3505100303800003",
						 "3505010404750004", "3505010505700005", "3505050606650006"};
	struct held keys[128];
	size_t nkeys = open_grants(user, keys, 128);
	long found = 0;

	for (size_t i = 0; i < PEOPLE; i++) {
		char kec[BK_CODE_MAX], path[512];

		snprintf(kec, sizeof(kec), "%.2s.%.2s.%.2s", niks[i], niks[i] + 2, niks[i] + 4);
		snprintf(path, sizeof(path), "%s/kec/%s.db", dir, kec);
		for (size_t s = 0; s < nkeys; s++) {
			sqlite3 *db;

			if (keys[s].kind != BK_KEY_STORE || strcmp(keys[s].scope, kec) != 0)
				continue;
			db = open_keyed(path, keys[s].key);
			for (size_t b = 0; b < nkeys; b++) {
				if (keys[b].kind != BK_KEY_BLIND || !store_has_index(db, &keys[b], niks[i]))
					continue;
				if (strcmp(keys[b].scope, kec) != 0)
					fail_msg("%s: the blind key of %s finds a row in %s", user, keys[b].scope, kec);
				found++;
			}
			sqlite3_close(db);
		}
	}
	bk_wipe(keys, sizeof(keys));
	return found;
}

static size_t blind_keys_held(const char *user)
{
	struct held keys[128];
	size_t nkeys = open_grants(user, keys, 128), n = 0;

	for (size_t k = 0; k < nkeys; k++)
		n += keys[k].kind == BK_KEY_BLIND;
	bk_wipe(keys, sizeof(keys));
	return n;
}

static void test_each_role_finds_by_nik_in_its_scope(void **state)
{
	(void)state;
	assert_int_equal(blind_keys_held("ada"), 22);
	assert_int_equal(blind_keys_held("cus"), 22);
	assert_int_equal(blind_keys_held("citra"), 1);
	assert_int_equal(blind_keys_held("ani"), 0);
	assert_int_equal(blind_keys_held("oki"), 0);
	assert_int_equal(blind_keys_held("aud"), 0);
	assert_int_equal(rows_findable("ada"), PEOPLE);
	assert_int_equal(rows_findable("cus"), PEOPLE);
	assert_int_equal(rows_findable("citra"), PEOPLE_KANIGORO);
	assert_int_equal(rows_findable("ani"), 0); /* plain columns, but no blind key */
	assert_int_equal(rows_findable("oki"), 0);
	assert_int_equal(rows_findable("aud"), 0);
}

static void test_unlock_attaches_the_stores_held(void **state)
{
	static const struct {
		const char *user;
		size_t attached;
	} want[] = {{"ada", 22}, {"citra", 1}, {"ani", 2}, {"oki", 0}, {"aud", 0}};
	(void)state;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct bk_vault *v = NULL;
		struct bk_vault_status st;
		char pass[64];

		snprintf(pass, sizeof(pass), "%s-pass-1234", want[i].user);
		assert_int_equal(bk_vault_open(dir, want[i].user, pass, strlen(pass), "test", &v), BK_OK);
		assert_int_equal(bk_vault_status(v, &st), BK_OK);
		assert_int_equal(st.store_keys, 22);
		assert_int_equal(st.stores_attached, want[i].attached);
		bk_vault_close(v);
	}
}

static void test_schema_names(void **state)
{
	char s[BK_STORE_SCHEMA_MAX];

	(void)state;
	bk_store_schema(s, "35.05.01");
	assert_string_equal(s, "kec_35_05_01");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schema_names),
		cmocka_unit_test(test_each_role_reaches_its_scope),
		cmocka_unit_test(test_each_role_reaches_its_rows),
		cmocka_unit_test(test_each_role_finds_by_nik_in_its_scope),
		cmocka_unit_test(test_unlock_attaches_the_stores_held),
	};

	return bk_test_run_group("stores", tests, setup, teardown);
}
