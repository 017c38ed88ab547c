/* cmd_key.c - `brankas key export-db-key`: the raw SQLCipher key for recovery
 * and for opening vault.db, or a kecamatan's store (--store), with the
 * `sqlcipher` shell (admin, audited); `key rotate --db`: a new one,
 * `--signing`, `--audit` the release and the audit key, `--region`,
 * `--all-regions` a kecamatan's key pair, store key and blind key. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/fileio.h"
#include "cli/cli.h"
#include "cli/options.h"
#include "crypto/secmem.h"
#include "vault/core/db.h"
#include "vault/keep/rotate.h"
#include "vault/records/reseal.h"
#include "vault/records/subjects.h"

#define KEYFILE_MAX 256

struct export {
	const char *out;
	const char *store;
};

static bk_status run_export(struct cli_ctx *ctx, struct bk_vault *v, void *arg)
{
	const struct export *x = arg;
	const char *out = x->out;
	char *key = bk_secmem_alloc(68), *text = bk_secmem_alloc(KEYFILE_MAX);
	bk_status rc;

	(void)ctx;
	if (!key || !text)
		rc = bk_fail(BK_ERR_NOMEM, "out of guarded memory");
	else if ((rc = bk_vault_db_key_export(v, x->store, key)) == BK_OK) {
		snprintf(text, KEYFILE_MAX,
			 "PRAGMA key = \"%s\";\nPRAGMA cipher_page_size = 4096;\nPRAGMA cipher_hmac_algorithm = " BK_DB_HMAC
			 ";\n",
			 key);
		if ((rc = bk_file_create_exclusive(out, text, strlen(text), 0600)) == BK_OK)
			fprintf(stderr,
				"brankas: wrote the database key to '%s' (mode 0600); keep it like the vault itself\n", out);
	}
	bk_secmem_free(key);
	bk_secmem_free(text);
	return rc;
}

int cmd_key_export_db(struct cli_ctx *ctx, int argc, char **argv)
{
	struct export x = {0};
	const char *out = NULL;
	const struct cli_option opts[] = {
		CLI_OPT_STRING('o', "output", &out, "FILE"),
		CLI_OPT_STRING(0, "store", &x.store, "KECAMATAN"),
		CLI_OPT_END,
	};
	struct cli_args args = {.min = 0, .max = -1};
	int code;

	if ((code = cli_parse_options(ctx, argc, argv, opts, &args)) >= 0)
		return code;
	if (args.argc != 0 || !out)
		return cli_usage(ctx, out ? "unexpected argument" : "-o FILE is required (the key never goes to a terminal)");
	/* a new 0600 file, never overwritten: the key must not land somewhere unexpected;
	 * refused before unlocking so the audit log never records an export that failed */
	if (access(out, F_OK) == 0)
		return cli_fail(bk_fail(BK_ERR_EXISTS, "'%s' already exists", out));
	x.out = out;
	return cli_run(ctx, run_export, &x);
}

/* which key: BK_KEY_DB, BK_KEY_RELEASE (--signing), BK_KEY_AUDIT, or
 * BK_KEY_KECAMATAN (--region KEC: region set; --all-regions: NULL) */
struct rotate_args {
	enum bk_key_kind kind;
	const char *region;
	int reencrypt;
};

/* One line per kecamatan on a terminal; scripts read the audit entries. */
static void show_region(void *ctx, const char *kecamatan, size_t done, size_t total)
{
	(void)ctx;
	if (!isatty(STDERR_FILENO))
		return;
	if (kecamatan)
		fprintf(stderr, "\rbrankas: kecamatan %zu of %zu (%s): re-wrapping, indexing, copying the store\033[K",
			done + 1, total, kecamatan);
	else
		fprintf(stderr, "\rbrankas: %zu of %zu kecamatan copied under their new keys\033[K\n", done, total);
}

static void show_reseal(void *ctx, const char *kecamatan, uint64_t done, uint64_t total)
{
	(void)ctx;
	if (!isatty(STDERR_FILENO))
		return;
	fprintf(stderr, "\rbrankas: kecamatan %s: %llu of %llu rows sealed again under fresh data keys\033[K%s",
		kecamatan, (unsigned long long)done, (unsigned long long)total, done >= total ? "\n" : "");
}

/* The values of the kecamatan rotated, sealed again where a marker says so
 * (--reencrypt, now or in a run a kill stopped), on the unlock under the new
 * keys. */
static bk_status reseal_after(struct bk_vault *again, const char *region)
{
	const struct bk_reseal_opts o = {0, show_reseal, NULL};
	struct bk_reseal_result res;
	bk_status rc;
	int pending = 0;

	if ((rc = bk_vault_reseal_pending(again, &pending)) || !pending)
		return rc;
	if ((rc = bk_vault_reseal(again, region ? &region : NULL, region ? 1 : 0, &o, &res)))
		return rc;
	printf("%llu rows sealed again under fresh data keys in %zu kecamatan; %llu older data keys dropped\n",
	       (unsigned long long)res.rows, res.kecamatan, (unsigned long long)res.batches_gone);
	return BK_OK;
}

static bk_status run_rotate_regions(struct bk_vault *v, const struct rotate_args *a)
{
	const char *region = a->region;
	struct bk_vault *again = NULL;
	struct bk_rotate_region_opts o = {bk_vault_subject_index, show_region, NULL, a->reencrypt, &again};
	struct bk_rotate_result res;
	bk_status rc;

	if ((rc = bk_rotate_regions(v, region ? &region : NULL, region ? 1 : 0, &o, &res)))
		return rc;
	if (region)
		printf("kecamatan %s is under %s and new store and blind keys; the older versions are retired%s\n", region,
		       res.new_id, res.resumed ? " (a rotation that had stopped is finished)" : "");
	else
		printf("%zu kecamatan are under new key pairs, store and blind keys; the older versions are retired%s\n",
		       res.regions, res.resumed ? " (a rotation that had stopped is finished)" : "");
	printf("%llu data keys and inbox entries sealed again, %llu rows indexed again\n",
	       (unsigned long long)res.rewrapped, (unsigned long long)res.reindexed);
	rc = reseal_after(again, region);
	bk_vault_close(again);
	if (rc)
		return rc;
	if (!a->reencrypt)
		fprintf(stderr, "brankas: the values keep their data keys: whoever kept an old key pair and a copy of "
				"vault.db made before (a backup) still opens those; --reencrypt gives them fresh ones\n");
	fprintf(stderr, "brankas: copies made before (backups) still open with the old keys: keep them as safe\n");
	return BK_OK;
}

static bk_status run_rotate(struct cli_ctx *ctx, struct bk_vault *v, void *arg)
{
	const struct rotate_args *a = arg;
	struct bk_rotate_result res;
	bk_status rc;

	(void)ctx;
	if (a->kind == BK_KEY_KECAMATAN)
		return run_rotate_regions(v, a);
	if (a->kind != BK_KEY_DB) {
		if ((rc = bk_rotate_grants(v, a->kind, &res)))
			return rc;
		printf("%s %s from now on; %s is retired\n", res.new_id,
		       a->kind == BK_KEY_RELEASE ? "signs extracts, checkpoints and backups" : "keys the audit log's hashes",
		       res.old_id);
		if (a->kind == BK_KEY_RELEASE)
			fprintf(stderr, "brankas: vault.pub is new: give it to evaluators and witnesses; what %s signed "
					"before verifies with the old vault.pub, and audit verify --since still accepts "
					"its checkpoints\n",
				res.old_id);
		else
			fprintf(stderr, "brankas: entries before this one hash their subjects and statements under %s, "
					"later ones under %s\n",
				res.old_id, res.new_id);
		return BK_OK;
	}
	if ((rc = bk_rotate_db(v, &res)))
		return rc;
	printf("vault.db is under %s now; %s is retired%s\n", res.new_id, res.old_id,
	       res.resumed ? " (a rotation that had stopped is finished)" : "");
	fprintf(stderr, "brankas: copies of vault.db made before (backups) still open with %s: keep them as safe\n",
		res.old_id);
	return BK_OK;
}

int cmd_key_rotate(struct cli_ctx *ctx, int argc, char **argv)
{
	int db = 0, signing = 0, audit = 0, all = 0, code;
	struct rotate_args a = {BK_KEY_DB, NULL, 0};
	const struct cli_option opts[] = {
		CLI_OPT_FLAG(0, "db", &db),
		CLI_OPT_FLAG(0, "signing", &signing),
		CLI_OPT_FLAG(0, "audit", &audit),
		CLI_OPT_STRING(0, "region", &a.region, "KECAMATAN"),
		CLI_OPT_FLAG(0, "all-regions", &all),
		CLI_OPT_FLAG(0, "reencrypt", &a.reencrypt),
		CLI_OPT_END,
	};
	struct cli_args args = {.min = 0, .max = 0};

	if ((code = cli_parse_options(ctx, argc, argv, opts, &args)) >= 0)
		return code;
	if (db + signing + audit + all + (a.region != NULL) != 1)
		return cli_usage(ctx, "say which key, one at a time: --db (vault.db's database key), --signing (the "
				      "release key behind vault.pub), --audit (the audit log's hash key), --region "
				      "KECAMATAN or --all-regions (kecamatan key pairs, store and blind keys)");
	if (a.reencrypt && !all && !a.region)
		return cli_usage(ctx, "--reencrypt goes with --region KECAMATAN or --all-regions: the values get fresh "
				      "data keys sealed to the kecamatan's new key pair");
	a.kind = db ? BK_KEY_DB : signing ? BK_KEY_RELEASE : audit ? BK_KEY_AUDIT : BK_KEY_KECAMATAN;
	return cli_run(ctx, run_rotate, &a);
}
