/* fuzz_import.c - `import warga FILE` and `record add warga` of any bytes,
 * through bk_vault_import on a real vault: made once in a temporary directory
 * (LLVMFuzzerInitialize) with the unit tests' fastest KDF, two people
 * registered in it, and unlocked once as its admin. Each input is written to
 * a file and imported in full (parsed, validated, sealed, inserted into
 * vault.db and the kecamatan stores, its audit entry queued); then its commit
 * becomes a rollback: the link wraps bk_vault_commit (FUZZ_LDFLAGS_fuzz_import
 * in the Makefile), so that every input meets the same vault and nothing of
 * it stays. Besides crashes it checks what import.h promises: BK_OK exactly
 * when the file had no problem, and then the import reached its commit once;
 * BK_ERR_FORMAT, with problems counted and nothing committed, otherwise; each
 * problem reads "FILE:LINE:COLUMN: reason" and the reason quotes no value
 * (no run of 6 digits of the input: a NIK or a phone number in part). */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto/kdf.h"
#include "crypto/secmem.h"
#include "tests/fuzz/fuzz.h"
#include "vault/core/vault.h"
#include "vault/records/import.h"
#include "vault/schema/datasets.h"

#define PASS "fuzz-admin-pass"

/* Registered at start, so that an input can name someone already there. */
#define REGISTERED                                                                                           \
	"nik,nama,telepon,tanggal_lahir,jenis_kelamin,desa,pendidikan,pekerjaan,disabilitas\n"               \
	"3505104202850002,Siti,,1985-02-02,P,35.05.10.2002,SMP,guru,tidak\n"                                 \
	"3505010404750004,Dewi,081234567890,1975-04-04,L,Jaten,SMA,pedagang,tidak\n"

static void check(int ok)
{
	if (!ok)
		abort();
}

static char dir[64], vault_dir[96], csv[96];
static struct bk_vault *vault;
static int commit_really; /* while the vault is made */
static unsigned commits;

/* Only the wrapped symbol's declaration: its definition is vault.c's. */
bk_status __real_bk_vault_commit(struct bk_vault *v);
bk_status __wrap_bk_vault_commit(struct bk_vault *v);

bk_status __wrap_bk_vault_commit(struct bk_vault *v)
{
	if (commit_really)
		return __real_bk_vault_commit(v);
	commits++;
	bk_vault_rollback(v);
	return BK_OK;
}

static struct {
	const uint8_t *data;
	size_t size;
	uint64_t messages;
} in;

static void problem(void *ctx, const char *msg)
{
	size_t plen = strlen(csv), run = 0;
	const char *reason = msg + plen + 1;
	char *end;

	(void)ctx;
	in.messages++;
	check(strncmp(msg, csv, plen) == 0 && msg[plen] == ':');
	check(strtoul(reason, &end, 10) > 0 && *end == ':');
	check(strtoul(end + 1, &end, 10) > 0 && end[0] == ':' && end[1] == ' ');
	reason = end + 2;
	for (size_t i = 0; i < in.size; i++) {
		run = in.data[i] >= '0' && in.data[i] <= '9' ? run + 1 : 0;
		if (run >= 6)
			check(memmem(reason, strlen(reason), in.data + i - 5, 6) == NULL);
	}
}

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

static void cleanup(void)
{
	bk_vault_close(vault);
	vault = NULL;
	if (dir[0])
		nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static int write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	int ok = f && fwrite(data, 1, len, f) == len;

	return f && fclose(f) == 0 && ok ? 0 : -1;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct bk_vault_init_opts o = {0};
	struct bk_import_opts io = {0};
	struct bk_import_result r;

	(void)argc;
	(void)argv;
	/* in memory where there is a tmpfs: every input's transaction syncs */
	snprintf(dir, sizeof(dir), "%s/bk-fuzz-import-XXXXXX", access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (bk_crypto_init() != BK_OK || !mkdtemp(dir)) {
		fprintf(stderr, "fuzz_import: no temporary directory\n");
		abort();
	}
	snprintf(vault_dir, sizeof(vault_dir), "%s/v", dir);
	snprintf(csv, sizeof(csv), "%s/input.csv", dir);
	o.dir = vault_dir;
	o.admin = "ada";
	o.pass = PASS;
	o.passlen = strlen(PASS);
	o.kdf = BK_KDF_INTERACTIVE;
	io.dataset = "warga";
	io.path = csv;
	commit_really = 1;
	if (bk_vault_init(&o) != BK_OK || bk_vault_open(vault_dir, "ada", PASS, strlen(PASS), "import", &vault) != BK_OK ||
	    write_file(csv, REGISTERED, strlen(REGISTERED)) != 0 || bk_vault_import(vault, &io, &r) != BK_OK ||
	    r.rows != 2) {
		fprintf(stderr, "fuzz_import: cannot make the vault: %s\n", bk_error_detail());
		cleanup();
		abort();
	}
	/* after the vault's open: exit handlers run last first, and SQLCipher's
	 * OpenSSL must still be there when the vault closes */
	atexit(cleanup);
	commit_really = 0;
	return 0;
}

/* One import of the file, as `import` (max_rows 0) or `record add` (1). */
static void import_once(uint64_t max_rows)
{
	struct bk_import_opts o = {0};
	struct bk_import_result r;
	bk_status rc;

	o.dataset = "warga";
	o.path = csv;
	o.max_rows = max_rows;
	o.max_messages = SIZE_MAX;
	o.problem = problem;
	in.messages = 0;
	commits = 0;
	rc = bk_vault_import(vault, &o, &r);
	check(rc == BK_OK || rc == BK_ERR_FORMAT);
	check(r.out_of_scope == 0); /* an admin writes everywhere */
	check(in.messages == r.problems);
	if (rc == BK_OK)
		check(r.problems == 0 && commits == 1 && (max_rows == 0 || r.rows == 1));
	else
		check(r.problems > 0 && commits == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* lines and columns stay below 100000: no message number is 6 digits long */
	if (size >= 90000)
		return 0;
	in.data = data;
	in.size = size;
	check(write_file(csv, data, size) == 0);
	import_once(0);
	import_once(1);
	return 0;
}
