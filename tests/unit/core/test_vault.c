/* test_vault.c - access control table, region parsing, keyring format, and the
 * vault lifecycle with fault injection. */
#include "tests/unit/unit.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fileio.h"
#include "crypto/box.h"
#include "crypto/secmem.h"
#include "crypto/sign.h"
#include "vault/core/acl.h"
#include "vault/records/edit.h"
#include "vault/records/import.h"
#include "vault/core/regions.h"
#include "vault/records/subjects.h"
#include "vault/core/vault.h"
#include "vault/schema/datasets.h"

static const char *const kanigoro[] = {"35.05.10"};

static bk_status acl(enum bk_role role, enum bk_action action, enum bk_colclass cls, const char *kec, int scoped)
{
	struct bk_acl_request r = {role, scoped ? kanigoro : NULL, scoped ? 1 : 0, action, NULL, cls, kec};

	return bk_acl_check(&r);
}

static void test_acl_roles(void **state)
{
	(void)state;
	/* admin may manage users; nobody else may */
	assert_int_equal(acl(BK_ROLE_ADMIN, BK_ACT_USER_ADMIN, BK_COL_NONE, NULL, 0), BK_OK);
	for (int r = BK_ROLE_CUSTODIAN; r < BK_ROLE_COUNT; r++)
		assert_int_equal(acl((enum bk_role)r, BK_ACT_USER_ADMIN, BK_COL_NONE, NULL, 0), BK_ERR_DENIED);
	/* evaluators may do nothing inside the vault, not even unlock */
	for (int a = 0; a < BK_ACT_COUNT; a++)
		for (int c = 0; c < BK_COL_COUNT; c++)
			assert_int_equal(acl(BK_ROLE_EVALUATOR, (enum bk_action)a, (enum bk_colclass)c, NULL, 0),
					 BK_ERR_DENIED);
	/* identifiers: only admin and custodian reveal; analysts and operators never */
	assert_int_equal(acl(BK_ROLE_CUSTODIAN, BK_ACT_REVEAL, BK_COL_IDENTIFIER, "35.05.10", 1), BK_OK);
	assert_int_equal(acl(BK_ROLE_ANALYST, BK_ACT_REVEAL, BK_COL_IDENTIFIER, "35.05.10", 0), BK_ERR_DENIED);
	assert_int_equal(acl(BK_ROLE_OPERATOR, BK_ACT_REVEAL, BK_COL_SECRET, "35.05.10", 1), BK_ERR_DENIED);
	assert_int_equal(acl(BK_ROLE_ANALYST, BK_ACT_READ, BK_COL_IDENTIFIER, NULL, 0), BK_ERR_DENIED);
	assert_int_equal(acl(BK_ROLE_ANALYST, BK_ACT_READ, BK_COL_QUASI, NULL, 0), BK_OK);
	/* auditors read the log, not records */
	assert_int_equal(acl(BK_ROLE_AUDITOR, BK_ACT_AUDIT_READ, BK_COL_NONE, NULL, 0), BK_OK);
	assert_int_equal(acl(BK_ROLE_AUDITOR, BK_ACT_READ, BK_COL_PUBLIC, NULL, 0), BK_ERR_DENIED);
	assert_int_equal(acl(BK_ROLE_ANALYST, BK_ACT_AUDIT_READ, BK_COL_NONE, NULL, 0), BK_ERR_DENIED);
	/* a rule for one class does not open another */
	assert_int_equal(acl(BK_ROLE_ADMIN, BK_ACT_USER_ADMIN, BK_COL_IDENTIFIER, NULL, 0), BK_ERR_DENIED);
	assert_int_equal(acl((enum bk_role)99, BK_ACT_STATUS, BK_COL_NONE, NULL, 0), BK_ERR_DENIED);
}

static void test_acl_scope(void **state)
{
	(void)state;
	assert_int_equal(acl(BK_ROLE_CUSTODIAN, BK_ACT_REVEAL, BK_COL_IDENTIFIER, "35.05.10", 1), BK_OK);
	assert_int_equal(acl(BK_ROLE_CUSTODIAN, BK_ACT_REVEAL, BK_COL_IDENTIFIER, "35.05.01", 1), BK_ERR_DENIED);
	assert_non_null(strstr(bk_error_detail(), "outside its scope"));
	assert_int_equal(acl(BK_ROLE_OPERATOR, BK_ACT_RECORD_WRITE, BK_COL_NONE, "35.05.01", 1), BK_ERR_DENIED);
	assert_int_equal(acl(BK_ROLE_OPERATOR, BK_ACT_RECORD_WRITE, BK_COL_NONE, "35.05.10", 1), BK_OK);
	/* corrections: custodians in scope and admins; never operators, analysts or auditors */
	assert_int_equal(acl(BK_ROLE_CUSTODIAN, BK_ACT_RECORD_EDIT, BK_COL_NONE, "35.05.10", 1), BK_OK);
	assert_int_equal(acl(BK_ROLE_CUSTODIAN, BK_ACT_RECORD_EDIT, BK_COL_NONE, "35.05.01", 1), BK_ERR_DENIED);
	assert_int_equal(acl(BK_ROLE_CUSTODIAN, BK_ACT_RECORD_EDIT, BK_COL_NONE, NULL, 1), BK_ERR_DENIED);
	assert_int_equal(acl(BK_ROLE_ADMIN, BK_ACT_RECORD_EDIT, BK_COL_NONE, "35.05.01", 0), BK_OK);
	for (int r = BK_ROLE_OPERATOR; r < BK_ROLE_COUNT; r++)
		assert_int_equal(acl((enum bk_role)r, BK_ACT_RECORD_EDIT, BK_COL_NONE, "35.05.10", 1), BK_ERR_DENIED);
	assert_string_equal(bk_action_name(BK_ACT_RECORD_EDIT), "record-edit");
	assert_string_equal(bk_action_name(BK_ACT_KEY_ADMIN), "key-admin");
	/* a backup copies every store: admins and unscoped custodians only */
	assert_string_equal(bk_action_name(BK_ACT_BACKUP), "backup");
	assert_int_equal(acl(BK_ROLE_ADMIN, BK_ACT_BACKUP, BK_COL_NONE, NULL, 0), BK_OK);
	assert_int_equal(acl(BK_ROLE_CUSTODIAN, BK_ACT_BACKUP, BK_COL_NONE, NULL, 0), BK_OK);
	assert_int_equal(acl(BK_ROLE_CUSTODIAN, BK_ACT_BACKUP, BK_COL_NONE, NULL, 1), BK_ERR_DENIED);
	for (int r = BK_ROLE_OPERATOR; r < BK_ROLE_COUNT; r++)
		assert_int_equal(acl((enum bk_role)r, BK_ACT_BACKUP, BK_COL_NONE, NULL, 0), BK_ERR_DENIED);
	/* no scope: the whole kabupaten */
	assert_int_equal(acl(BK_ROLE_CUSTODIAN, BK_ACT_REVEAL, BK_COL_IDENTIFIER, "35.05.01", 0), BK_OK);
}

static void test_regions_builtin(void **state)
{
	struct bk_regions r;
	const struct bk_region *k;

	(void)state;
	assert_int_equal(bk_regions_builtin(&r), BK_OK);
	assert_int_equal(r.kecamatan_count, 22);
	assert_int_equal(r.desa_count, 248);
	assert_string_equal(r.items[0].kode, "35.05");
	k = bk_regions_find(&r, BK_REGION_KECAMATAN, "kanigoro");
	assert_non_null(k);
	assert_string_equal(k->kode, "35.05.10");
	assert_ptr_equal(bk_regions_find(&r, BK_REGION_KECAMATAN, "35.05.10"), k);
	assert_null(bk_regions_find(&r, BK_REGION_KECAMATAN, "Kanigor"));
	assert_string_equal(bk_regions_suggest(&r, BK_REGION_KECAMATAN, "Kanigor"), "Kanigoro");
	assert_null(bk_regions_suggest(&r, BK_REGION_KECAMATAN, "Surabaya Timur"));
	bk_regions_release(&r);
}

static void expect_region_error(const char *csv, const char *where)
{
	struct bk_regions r;

	assert_int_equal(bk_regions_parse(&r, "r.csv", csv, strlen(csv)), BK_ERR_FORMAT);
	if (!strstr(bk_error_detail(), where))
		fail_msg("expected '%s' in '%s'", where, bk_error_detail());
	assert_null(r.items);
}

static void test_regions_malformed(void **state)
{
	(void)state;
	expect_region_error("", "r.csv:1:1");
	expect_region_error("kode,nama\n", "r.csv:1:3");
	expect_region_error("kode,nama,level,kode_induk\n", "r.csv:1:3: header");
	expect_region_error("kode,nama,tingkat,kode_induk\n35.05,K,kabupaten,35\n35.05.01,A,kecamatan\n", "r.csv:3:");
	expect_region_error("kode,nama,tingkat,kode_induk\n35.05,K,kabupaten,35\n35.5.01,A,kecamatan,35.05\n",
			    "r.csv:3:1: not a kecamatan code");
	expect_region_error("kode,nama,tingkat,kode_induk\n35.05,K,kabupaten,35\n35.05.01,A,kecamatan,35.06\n",
			    "r.csv:3:4");
	expect_region_error("kode,nama,tingkat,kode_induk\n35.05,K,kabupaten,35\n35.05.01,A,kecamatan,35.05\n"
			    "35.05.01,B,kecamatan,35.05\n",
			    "r.csv:4:1: code appears twice");
	expect_region_error("kode,nama,tingkat,kode_induk\n35.05,K,kabupaten,35\n35.05.01,\"A\nB\",kecamatan,35.05\n",
			    "r.csv:3:2");
	expect_region_error("kode,nama,tingkat,kode_induk\n35.05,K,kabupaten,35\n35.05.01,\"A,kecamatan,35.05\n",
			    "r.csv:");
	expect_region_error("kode,nama,tingkat,kode_induk\n35.05.01,A,kecamatan,35.05\n", "r.csv:2:3");
}

/* --- keyring --- */

static void make_keyring(struct bk_keyring *kr, uint8_t keyring_sk[64], uint8_t box_sk[32], uint8_t sign_sk[64])
{
	struct bk_keyring_key k = {0};
	struct bk_keyring_user u = {0};
	struct bk_kdf_params p;
	uint8_t secret[32];

	memset(kr, 0, sizeof(*kr));
	memset(kr->vault_id, 7, sizeof(kr->vault_id));
	kr->generation = 1;
	snprintf(kr->created, sizeof(kr->created), "2026-11-27T00:00:00Z");
	snprintf(k.id, sizeof(k.id), "keyring:v1");
	k.kind = BK_KEY_KEYRING;
	k.version = 1;
	k.has_pub = 1;
	assert_int_equal(bk_sign_keypair(k.pub, keyring_sk), BK_OK);
	assert_int_equal(bk_keyring_add_key(kr, &k), BK_OK);
	snprintf(k.id, sizeof(k.id), "release:v1");
	k.kind = BK_KEY_RELEASE;
	{
		uint8_t release_sk[64];

		assert_int_equal(bk_sign_keypair(k.pub, release_sk), BK_OK);
	}
	assert_int_equal(bk_keyring_add_key(kr, &k), BK_OK);
	memset(&k, 0, sizeof(k));
	snprintf(k.id, sizeof(k.id), "db:v1");
	k.kind = BK_KEY_DB;
	k.version = 1;
	assert_int_equal(bk_keyring_add_key(kr, &k), BK_OK);
	snprintf(u.name, sizeof(u.name), "ada");
	snprintf(u.role, sizeof(u.role), "admin");
	snprintf(u.created, sizeof(u.created), "2026-11-27T00:00:00Z");
	u.has_sign = 1;
	assert_int_equal(bk_box_keypair(u.box_pk, box_sk), BK_OK);
	assert_int_equal(bk_sign_keypair(u.sign_pk, sign_sk), BK_OK);
	bk_kdf_params_for_level(BK_KDF_INTERACTIVE, &p);
	assert_int_equal(bk_keyring_slot_seal(kr, &u, "correct horse", 13, &p, box_sk, sign_sk), BK_OK);
	assert_int_equal(bk_keyring_add_user(kr, &u), BK_OK);
	memset(secret, 0x42, sizeof(secret));
	assert_int_equal(bk_keyring_grant(kr, "ada", "db:v1", secret, sizeof(secret)), BK_OK);
}

static void test_keyring_round_trip(void **state)
{
	uint8_t keyring_sk[64], box_sk[32], sign_sk[64], got_box[32], got_sign[64], secret[BK_KEY_SECRET_MAX];
	struct bk_keyring kr, back;
	char *text = NULL;
	size_t len = 0, slen = 0;

	(void)state;
	make_keyring(&kr, keyring_sk, box_sk, sign_sk);
	assert_int_equal(bk_keyring_format(&kr, keyring_sk, &text, &len), BK_OK);
	assert_int_equal(bk_keyring_parse(&back, "keyring", (uint8_t *)text, len), BK_OK);
	assert_int_equal(back.nusers, 1);
	assert_int_equal(back.ngrants, 1);
	assert_int_equal(bk_keyring_slot_open(&back, &back.users[0], "correct horse", 13, got_box, got_sign), BK_OK);
	assert_memory_equal(got_box, box_sk, 32);
	assert_memory_equal(got_sign, sign_sk, 64);
	assert_int_equal(bk_keyring_slot_open(&back, &back.users[0], "correct horsf", 13, got_box, got_sign),
			 BK_ERR_AUTH);
	assert_int_equal(bk_keyring_grant_open(&back.grants[0], back.users[0].box_pk, box_sk, secret, &slen), BK_OK);
	assert_int_equal(slen, 32);
	assert_int_equal(secret[0], 0x42);
	bk_keyring_release(&back);
	/* every single-byte change of the signed line is caught */
	for (size_t i = 0, line1 = (size_t)(strchr(text, '\n') - text); i < line1; i += 7) {
		text[i] ^= 0x01;
		if (bk_keyring_parse(&back, "keyring", (uint8_t *)text, len) != BK_ERR_CORRUPT)
			fail_msg("flipped byte %zu of the signed line was accepted", i);
		text[i] ^= 0x01;
	}
	/* a keyring re-signed by another key is refused by the slot's associated data */
	{
		uint8_t other_sk[64], other_pk[32];
		char *forged = NULL;
		size_t flen = 0;

		assert_int_equal(bk_sign_keypair(other_pk, other_sk), BK_OK);
		memcpy(kr.keys[0].pub, other_pk, 32);
		assert_int_equal(bk_keyring_format(&kr, other_sk, &forged, &flen), BK_OK);
		assert_int_equal(bk_keyring_parse(&back, "keyring", (uint8_t *)forged, flen), BK_OK);
		assert_int_equal(bk_keyring_slot_open(&back, &back.users[0], "correct horse", 13, got_box, got_sign),
				 BK_ERR_AUTH);
		bk_keyring_release(&back);
		free(forged);
	}
	free(text);
	bk_keyring_release(&kr);
}

/* --- vault lifecycle --- */

static char dir[256];

static int vault_setup(void **state)
{
	(void)state;
	bk_test_vault_tmp(dir, sizeof(dir), "unit", "admin-pass");
	return 0;
}

static int vault_teardown(void **state)
{
	(void)state;
	bk_test_vault_remove(dir);
	return 0;
}

static void test_vault_open_and_fault(void **state)
{
	struct bk_vault *v = NULL;
	struct bk_vault_status st, st2;
	uint8_t *before = NULL, *after = NULL;
	size_t blen = 0, alen = 0;

	(void)state;
	assert_int_equal(bk_vault_open(dir, "ada", "admin-pass", 10, "test", &v), BK_OK);
	assert_int_equal(bk_vault_role(v), BK_ROLE_ADMIN);
	assert_int_equal(bk_vault_status(v, &st), BK_OK);
	assert_int_equal(st.kecamatan, 22);
	assert_int_equal(st.key_versions[BK_KEY_DB], 1);

	/* a full disk while writing the audit entry: the command fails, nothing changes */
	bk_test_read_at(dir, "audit.log", &before, &blen);
	bk_fault_set_write_budget(0);
	assert_int_not_equal(bk_vault_record(v, "status", NULL), BK_OK);
	bk_fault_set_write_budget(-1);
	bk_test_read_at(dir, "audit.log", &after, &alen);
	assert_int_equal(alen, blen);
	assert_memory_equal(after, before, blen);
	free(before);
	free(after);
	bk_vault_close(v);

	/* the vault still opens and its pinned head did not move */
	assert_int_equal(bk_vault_open(dir, "ada", "admin-pass", 10, "test", &v), BK_OK);
	assert_int_equal(bk_vault_status(v, &st2), BK_OK);
	assert_int_equal(st2.audit_head.seq, st.audit_head.seq + 1); /* only this status's own entry */
	bk_vault_close(v);
}

/* A command whose audit entry is durable but whose database commit fails (a
 * full disk; a crash between the two writes leaves the same), three times in
 * a row: each next unlock records that the command did not take effect and
 * pins the head past it, so the failures never add up to "vault.db was rolled
 * back", and the whole log still verifies. */
static void test_failed_commits_never_add_up(void **state)
{
	struct bk_vault *v = NULL;
	struct bk_audit_report rep;
	uint8_t *log = NULL;
	size_t len = 0, reconciled = 0;

	(void)state;
	bk_test_fail_sqlite_writes(0); /* the shim in place before any file is opened */
	for (int round = 0; round < 3; round++) {
		assert_int_equal(bk_vault_open(dir, "ada", "admin-pass", 10, "test", &v), BK_OK);
		bk_test_fail_sqlite_writes(1);
		assert_int_not_equal(bk_vault_record(v, "status", NULL), BK_OK);
		bk_test_fail_sqlite_writes(0);
		bk_vault_close(v);
	}
	assert_int_equal(bk_vault_open(dir, "ada", "admin-pass", 10, "test", &v), BK_OK);
	assert_int_equal(bk_vault_audit_verify(v, NULL, 0, NULL, 0, 1, &rep), BK_OK);
	bk_vault_close(v);
	bk_test_read_at(dir, "audit.log", &log, &len);
	for (const uint8_t *p = log; (p = memmem(p, len - (size_t)(p - log), "\"action\":\"reconcile\"", 20)); p++)
		reconciled++;
	free(log);
	assert_int_equal(reconciled, 3);
}

static void test_vault_wrong_pass_and_users(void **state)
{
	struct bk_vault *v = NULL;
	struct bk_vault_user_spec spec = {0};
	const char *scope[] = {"Kanigoro"};

	(void)state;
	assert_int_equal(bk_vault_open(dir, "ada", "admin-pasx", 10, "test", &v), BK_ERR_AUTH);
	assert_null(v);
	assert_int_equal(bk_vault_open(dir, "nobody", "admin-pass", 10, "test", &v), BK_ERR_AUTH);
	assert_int_equal(bk_vault_open(dir, "ada", "admin-pass", 10, "test", &v), BK_OK);
	spec.name = "citra";
	spec.role = BK_ROLE_CUSTODIAN;
	spec.scope = scope;
	spec.nscope = 1;
	spec.pass = "citra-pass";
	spec.passlen = 10;
	spec.kdf = BK_KDF_INTERACTIVE;
	assert_int_equal(bk_vault_user_add(v, &spec), BK_OK);
	assert_int_equal(bk_vault_user_add(v, &spec), BK_ERR_EXISTS);
	bk_vault_close(v);

	assert_int_equal(bk_vault_open(dir, "citra", "citra-pass", 10, "test", &v), BK_OK);
	assert_string_equal(bk_vault_me(v)->scope[0], "35.05.10");
	/* a custodian cannot add users: denied and audited */
	spec.name = "mallory";
	spec.role = BK_ROLE_ADMIN;
	spec.nscope = 0;
	assert_int_equal(bk_vault_user_add(v, &spec), BK_ERR_DENIED);
	/* and holds the key of Kanigoro only */
	bk_vault_close(v);
}

static uint64_t lookup(struct bk_vault *v, const char *nik)
{
	struct bk_subject_result r;

	assert_int_equal(bk_vault_subject_count(v, nik, &r), BK_OK);
	return r.rows;
}

/* Many lookups in one process keep schemas, statements and buffers in the
 * vault handle: they must stay right across writes, rollbacks and a new
 * dataset (a schema change). */
static void test_vault_lookups_cached(void **state)
{
	static const char schema[] = "[dataset]\nname = kunjungan\nscope = nik\nsubject = nik\n\n"
				     "[column.nik]\ntype = nik\nclass = identifier\nrequired = yes\nindex = blind\n";
	static const char edit_nik[] = "nik=3505100101900009\n";
	static const char kunjungan_csv[] = "nik\n3505100101900009\n";
	struct bk_import_opts io = {0};
	struct bk_import_result ir;
	struct bk_edit_opts eo = {0};
	struct bk_edit_result er;
	struct bk_subject_result sr;
	struct bk_vault *v = NULL;
	json_t *out = NULL;
	char name[33], csv[600];

	(void)state;
	assert_int_equal(bk_vault_open(dir, "ada", "admin-pass", 10, "test", &v), BK_OK);
	io.dataset = "warga";
	io.path = BK_TEST_FIXTURES "/import/records.csv";
	assert_int_equal(bk_vault_import(v, &io, &ir), BK_OK);
	/* a batch of lookups in one read transaction; nothing writes meanwhile */
	assert_int_equal(bk_vault_read_begin(v), BK_OK);
	assert_int_equal(lookup(v, "3505100101900001"), 1);
	assert_int_equal(lookup(v, "3505104202850002"), 1);
	assert_int_equal(lookup(v, "3505100101900002"), 0);
	assert_int_equal(bk_vault_begin(v), BK_ERR_STATE);
	assert_int_equal(bk_vault_read_begin(v), BK_ERR_STATE);
	bk_vault_read_end(v);
	/* a write in between: the cached statements see it */
	eo.purpose = "test";
	eo.text = edit_nik;
	eo.len = strlen(edit_nik);
	eo.path = "<test>";
	assert_int_equal(bk_vault_record_edit(v, "warga", 1, &eo, &er), BK_OK);
	assert_int_equal(er.rows, 1);
	assert_int_equal(lookup(v, "3505100101900001"), 0);
	assert_int_equal(lookup(v, "3505100101900009"), 1);
	/* a new dataset changes the schema: the lookups are rebuilt, not stale */
	assert_int_equal(bk_vault_dataset_add(v, "kunjungan.ini", schema, sizeof(schema) - 1, name), BK_OK);
	snprintf(csv, sizeof(csv), "%s/kunjungan.csv", dir);
	bk_test_write(csv, kunjungan_csv, sizeof(kunjungan_csv) - 1);
	io.dataset = "kunjungan";
	io.path = csv;
	assert_int_equal(bk_vault_import(v, &io, &ir), BK_OK);
	unlink(csv);
	assert_int_equal(bk_vault_subject_export(v, "3505100101900009", "test", &out, &sr), BK_OK);
	assert_int_equal(sr.rows, 2);
	assert_non_null(json_object_get(json_object_get(out, "datasets"), "kunjungan"));
	json_decref(out);
	assert_int_equal(lookup(v, "3505100101900009"), 1);
	assert_int_equal(bk_vault_record_erase(v, "warga", 1, "test"), BK_OK);
	assert_int_equal(lookup(v, "3505100101900009"), 0);
	assert_int_equal(lookup(v, "3505104202850002"), 1);
	bk_vault_close(v);
}

int main(void)
{
	const struct CMUnitTest pure[] = {
		cmocka_unit_test(test_acl_roles),
		cmocka_unit_test(test_acl_scope),
		cmocka_unit_test(test_regions_builtin),
		cmocka_unit_test(test_regions_malformed),
		cmocka_unit_test(test_keyring_round_trip),
	};
	const struct CMUnitTest lifecycle[] = {
		cmocka_unit_test(test_vault_open_and_fault),
		cmocka_unit_test(test_failed_commits_never_add_up),
		cmocka_unit_test(test_vault_wrong_pass_and_users),
		cmocka_unit_test(test_vault_lookups_cached),
	};

	bk_test_run_group("vault pure", pure, NULL, NULL);
	return bk_test_run_group("vault lifecycle", lifecycle, vault_setup, vault_teardown);
}
