/* unit.h - what every cmocka unit test includes, and the helpers the tests
 * share (tests/unit/unit.c, linked into every unit test binary): a group
 * run with the crypto library started, temporary directories, whole files read and written, a vault in a temporary
 * directory, the fixed ChaCha20 and LCG random sources, the built-in regions
 * as a group fixture.
 *
 * A helper that returns void fails the running test (a cmocka assertion) when
 * it cannot do its work; that holds in group setups and teardowns too. */
#ifndef BK_TEST_UNIT_H
#define BK_TEST_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/error.h"

/* Source tree root, for fixtures; tests run from it (tests/run cds there). */
#define BK_TEST_FIXTURES "tests/fixtures"

/* Room for a path under a temporary directory. */
#define BK_TEST_PATH_MAX 512

/* assert_detail fails the test unless rc is code and the error detail
 * (bk_error_detail) contains part. */
#define assert_detail(rc, code, part)                                                                        \
	do {                                                                                                 \
		assert_int_equal((rc), (code));                                                              \
		if (!strstr(bk_error_detail(), (part)))                                                      \
			fail_msg("detail '%s' lacks '%s'", bk_error_detail(), (part));                       \
	} while (0)

/* ---- running a group ---- */

/* bk_test_run starts the crypto library (bk_crypto_init) and runs the n tests
 * as the cmocka group name with its setup and teardown (either NULL); returns
 * the number of tests that failed in every group run so far, plus 1 when the
 * library would not start: what main returns after its last group.
 * bk_test_run_group counts the tests of an array. */
int bk_test_run(const char *name, const struct CMUnitTest *tests, size_t n, CMFixtureFunction setup,
		CMFixtureFunction teardown);
#define bk_test_run_group(name, tests, setup, teardown)                                                      \
	bk_test_run((name), (tests), sizeof(tests) / sizeof((tests)[0]), (setup), (teardown))

/* ---- files and directories ---- */

/* bk_test_tmpdir makes a new directory /tmp/bk-TAG-XXXXXX (mode 0700) and
 * writes its path into dir, which holds cap bytes. */
void bk_test_tmpdir(char *dir, size_t cap, const char *tag);

/* bk_test_rmtree removes dir and everything in it, links not followed. */
void bk_test_rmtree(const char *dir);

/* bk_test_read reads all of path into a new malloc'd buffer (NUL after the
 * data, as bk_file_read); the caller frees *data_p. bk_test_read_at reads
 * dir/name. */
void bk_test_read(const char *path, uint8_t **data_p, size_t *len_p);
void bk_test_read_at(const char *dir, const char *name, uint8_t **data_p, size_t *len_p);

/* bk_test_write creates or replaces path with len bytes of data. */
void bk_test_write(const char *path, const void *data, size_t len);

/* ---- a vault ---- */

struct bk_vault;

/* The administrator of every test vault. */
#define BK_TEST_ADMIN "ada"

/* bk_test_vault_init creates a vault in dir (which must not exist) with
 * BK_TEST_ADMIN under pass, keys derived with the fast interactive KDF
 * limits; the built-in datasets are in it. Returns bk_vault_init's status. */
bk_status bk_test_vault_init(const char *dir, const char *pass) BK_MUST_CHECK;

/* bk_test_vault_tmp makes a temporary directory (bk_test_tmpdir) and a vault
 * in its subdirectory v (bk_test_vault_init), whose path it writes into dir;
 * files beside the vault belong in dir's parent. bk_test_vault_remove
 * removes that parent and all in it. */
void bk_test_vault_tmp(char *dir, size_t cap, const char *tag, const char *pass);
void bk_test_vault_remove(const char *dir);

/* bk_test_vault_open opens the vault in dir as user (pass, a C string) for
 * purpose; returns bk_vault_open's status. The caller closes *v_p. */
bk_status bk_test_vault_open(const char *dir, const char *user, const char *pass, const char *purpose,
			     struct bk_vault **v_p) BK_MUST_CHECK;

/* ---- deterministic random sources ---- */

struct bk_dp_random;

/* The ChaCha20 keystream (original 64-bit nonce, zero) under the key
 * key0, key0 + 1, …, key0 + 31 with seed in its first byte, read in order;
 * used counts the bytes read. */
struct bk_test_chacha {
	uint8_t key[32], nonce[8], buf[4096];
	size_t pos;
	uint64_t block;
	uint64_t used;
};

/* bk_test_chacha_init starts c and points r at it (r->ctx is c). */
void bk_test_chacha_init(struct bk_test_chacha *c, struct bk_dp_random *r, uint8_t key0, uint8_t seed);

/* bk_test_lcg steps the 64-bit LCG (Knuth's MMIX constants) in *state and
 * returns its high bits modulo n (n > 0). */
uint64_t bk_test_lcg(uint64_t *state, uint64_t n);

/* ---- the built-in regions, for a group of tests ---- */

struct bk_regions;

/* The regions of Kabupaten Blitar, loaded by bk_test_regions_setup and
 * released by bk_test_regions_teardown (cmocka group fixtures). */
extern struct bk_regions bk_test_regions;
int bk_test_regions_setup(void **state);
int bk_test_regions_teardown(void **state);

/* bk_test_fail_sqlite_writes: while on, every write SQLite makes (database,
 * WAL, journal) fails with SQLITE_FULL, as on a full disk; the vault's own
 * files (audit.log, keyring) are written as usual. The first call makes a
 * shim of the default VFS the default. */
void bk_test_fail_sqlite_writes(int on);

#endif
