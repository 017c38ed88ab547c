/* unit.c - the helpers unit tests share (declared and described in unit.h),
 * linked into every unit test binary. */
#include "tests/unit/unit.h"

#include <ftw.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/fileio.h"
#include "crypto/kdf.h"
#include "crypto/secmem.h"
#include "crypto/stream.h"
#include "vault/core/regions.h"
#include "vault/core/vault.h"
#include "vault/release/dp.h"
#include "vault/schema/datasets.h"

/* Large enough for every file a test reads (the demo's biggest CSV). */
#define READ_MAX ((size_t)1 << 30)

/* ---- running a group ---- */

int bk_test_run(const char *name, const struct CMUnitTest *tests, size_t n, CMFixtureFunction setup,
		CMFixtureFunction teardown)
{
	static int failed;

	if (bk_crypto_init() != BK_OK)
		return failed + 1;
	failed += _cmocka_run_group_tests(name, tests, n, setup, teardown);
	return failed;
}

/* ---- files and directories ---- */

void bk_test_tmpdir(char *dir, size_t cap, const char *tag)
{
	assert_true((size_t)snprintf(dir, cap, "/tmp/bk-%s-XXXXXX", tag) < cap);
	if (!mkdtemp(dir))
		fail_msg("mkdtemp '%s' failed", dir);
}

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

void bk_test_rmtree(const char *dir)
{
	if (nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS) != 0)
		fail_msg("cannot remove '%s'", dir);
}

void bk_test_read(const char *path, uint8_t **data_p, size_t *len_p)
{
	assert_int_equal(bk_file_read(path, READ_MAX, data_p, len_p), BK_OK);
}

void bk_test_read_at(const char *dir, const char *name, uint8_t **data_p, size_t *len_p)
{
	char path[BK_TEST_PATH_MAX];

	assert_true((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) < sizeof(path));
	bk_test_read(path, data_p, len_p);
}

void bk_test_write(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* ---- a vault ---- */

bk_status bk_test_vault_init(const char *dir, const char *pass)
{
	struct bk_vault_init_opts o = {0};

	o.dir = dir;
	o.admin = BK_TEST_ADMIN;
	o.pass = pass;
	o.passlen = strlen(pass);
	o.kdf = BK_KDF_INTERACTIVE;
	return bk_vault_init(&o);
}

void bk_test_vault_tmp(char *dir, size_t cap, const char *tag, const char *pass)
{
	char tmp[BK_TEST_PATH_MAX];

	bk_test_tmpdir(tmp, sizeof(tmp), tag);
	assert_true((size_t)snprintf(dir, cap, "%s/v", tmp) < cap);
	if (bk_test_vault_init(dir, pass) != BK_OK)
		fail_msg("vault init '%s': %s", dir, bk_error_detail());
}

void bk_test_vault_remove(const char *dir)
{
	char tmp[BK_TEST_PATH_MAX];
	const char *slash = strrchr(dir, '/');

	assert_non_null(slash);
	assert_true((size_t)snprintf(tmp, sizeof(tmp), "%.*s", (int)(slash - dir), dir) < sizeof(tmp));
	bk_test_rmtree(tmp);
}

bk_status bk_test_vault_open(const char *dir, const char *user, const char *pass, const char *purpose,
			     struct bk_vault **v_p)
{
	return bk_vault_open(dir, user, pass, strlen(pass), purpose, v_p);
}

/* ---- deterministic random sources ---- */

static bk_status chacha_bytes(void *ctx, uint8_t *out, size_t n)
{
	struct bk_test_chacha *c = ctx;

	while (n > 0) {
		size_t k;

		if (c->pos == sizeof(c->buf)) {
			bk_stream_chacha20(c->buf, sizeof(c->buf), c->nonce, c->block, c->key);
			c->block += sizeof(c->buf) / 64;
			c->pos = 0;
		}
		k = sizeof(c->buf) - c->pos < n ? sizeof(c->buf) - c->pos : n;
		memcpy(out, c->buf + c->pos, k);
		c->pos += k;
		c->used += k;
		out += k;
		n -= k;
	}
	return BK_OK;
}

void bk_test_chacha_init(struct bk_test_chacha *c, struct bk_dp_random *r, uint8_t key0, uint8_t seed)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < sizeof(c->key); i++)
		c->key[i] = (uint8_t)(key0 + i);
	c->key[0] = seed;
	c->pos = sizeof(c->buf);
	r->bytes = chacha_bytes;
	r->ctx = c;
}

uint64_t bk_test_lcg(uint64_t *state, uint64_t n)
{
	*state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (*state >> 33) % n;
}

/* ---- the built-in regions ---- */

struct bk_regions bk_test_regions;

int bk_test_regions_setup(void **state)
{
	(void)state;
	return bk_regions_builtin(&bk_test_regions) == BK_OK ? 0 : -1;
}

int bk_test_regions_teardown(void **state)
{
	(void)state;
	bk_regions_release(&bk_test_regions);
	return 0;
}

/* --- SQLite writes that fail, as on a full disk --- */

static sqlite3_vfs *real_vfs, shim_vfs;
/* the unix VFS gives databases and WAL files different methods: wrap each */
static const sqlite3_io_methods *real_io[4];
static sqlite3_io_methods shim_io[4];
static size_t nio;
static int writes_fail;

static int shim_write(sqlite3_file *f, const void *b, int n, sqlite3_int64 o)
{
	size_t i = (size_t)(f->pMethods - shim_io);

	return writes_fail ? SQLITE_FULL : real_io[i]->xWrite(f, b, n, o);
}

static int shim_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out)
{
	int rc = real_vfs->xOpen(real_vfs, name, f, flags, out);
	size_t i;

	(void)vfs;
	if (rc != SQLITE_OK || !f->pMethods)
		return rc;
	for (i = 0; i < nio && real_io[i] != f->pMethods; i++)
		;
	if (i == nio) {
		if (nio == sizeof(real_io) / sizeof(real_io[0]))
			return rc; /* more kinds than expected: left unwrapped */
		real_io[nio] = f->pMethods;
		shim_io[nio] = *f->pMethods;
		shim_io[nio].xWrite = shim_write;
		nio++;
	}
	f->pMethods = &shim_io[i];
	return rc;
}

void bk_test_fail_sqlite_writes(int on)
{
	if (!real_vfs) {
		real_vfs = sqlite3_vfs_find(NULL);
		shim_vfs = *real_vfs;
		shim_vfs.zName = "bk-test-full";
		shim_vfs.xOpen = shim_open;
		sqlite3_vfs_register(&shim_vfs, 1);
	}
	writes_fail = on;
}
