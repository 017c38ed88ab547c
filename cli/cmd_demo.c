/* cmd_demo.c - `brankas demo [DIR]`: a synthetic Kabupaten Blitar, imported
 * through the same import path as real data, with one user per role. The
 * demo passphrases are fixed, printed once, and for demonstration only. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fileio.h"
#include "cli/cli.h"
#include "cli/options.h"
#include "crypto/identity.h"
#include "demo/demo.h"
#include "vault/records/import.h"
#include "vault/schema/datasets.h"

#define CITIZENS_BAD "--citizens takes 1 to 10000000"
_Static_assert(BK_DEMO_CITIZENS_MAX == 10000000, "CITIZENS_BAD names BK_DEMO_CITIZENS_MAX");

struct demo_user {
	const char *name;
	enum bk_role role;
	const char *scope;
	const char *pass;
};

static const struct demo_user users[] = {
	{"ada", BK_ROLE_ADMIN, NULL, "demo-admin-ada"},
	{"citra", BK_ROLE_CUSTODIAN, "Kanigoro", "demo-custodian-citra"},
	{"oki", BK_ROLE_OPERATOR, "Kanigoro", "demo-operator-oki"},
	{"ani", BK_ROLE_ANALYST, NULL, "demo-analyst-ani"},
	{"aud", BK_ROLE_AUDITOR, NULL, "demo-auditor-aud"},
};
static const char eva_pass[] = "demo-evaluator-eva";

static void on_problem(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "%s\n", msg);
}

static void on_progress(void *ctx, uint64_t done, uint64_t total)
{
	const char *name = ctx;

	if (isatty(2))
		fprintf(stderr, "\r  importing %-12s %3u%%", name, total ? (unsigned)(done * 100 / total) : 100);
}

static bk_status add_users(struct bk_vault *v, enum bk_kdf_level kdf, const char *eva_id)
{
	bk_status rc = BK_OK;

	for (size_t i = 1; i < sizeof(users) / sizeof(users[0]) && rc == BK_OK; i++) {
		struct bk_vault_user_spec spec = {0};
		const char *scope[1] = {users[i].scope};

		spec.name = users[i].name;
		spec.role = users[i].role;
		spec.scope = users[i].scope ? scope : NULL;
		spec.nscope = users[i].scope ? 1 : 0;
		spec.pass = users[i].pass;
		spec.passlen = strlen(users[i].pass);
		spec.kdf = kdf;
		rc = bk_vault_user_add(v, &spec);
	}
	if (rc == BK_OK) {
		struct bk_vault_user_spec spec = {0};

		spec.name = "eva";
		spec.role = BK_ROLE_EVALUATOR;
		spec.public_id = eva_id;
		rc = bk_vault_user_add(v, &spec);
	}
	return rc;
}

static bk_status import_all(struct bk_vault *v, const char *csvdir)
{
	for (int f = 0; f < BK_DEMO_NFILES; f++) {
		struct bk_import_opts o = {0};
		struct bk_import_result r;
		char path[PATH_MAX];
		bk_status rc;

		snprintf(path, sizeof(path), "%s/%s", csvdir, bk_demo_files[f]);
		o.dataset = bk_demo_datasets[f];
		o.path = path;
		o.max_messages = 20;
		o.problem = on_problem;
		o.progress = on_progress;
		o.ctx = (void *)bk_demo_datasets[f];
		rc = bk_vault_import(v, &o, &r);
		if (isatty(2))
			fputs("\r\033[K", stderr);
		if (rc != BK_OK)
			return rc;
		printf("  imported %8llu rows into %s\n", (unsigned long long)r.rows, bk_demo_datasets[f]);
	}
	return BK_OK;
}

static void remove_csvs(const char *dir)
{
	char path[PATH_MAX];

	for (int f = 0; f < BK_DEMO_NFILES; f++) {
		snprintf(path, sizeof(path), "%s/%s", dir, bk_demo_files[f]);
		unlink(path);
	}
	rmdir(dir);
}

/* Not CLI_UNLOCKS: demo makes its vault and opens it as the demo admin, with
 * the demo's fixed passphrase, not the user's. */
int cmd_demo(struct cli_ctx *ctx, int argc, char **argv)
{
	enum bk_kdf_level kdf = BK_KDF_INTERACTIVE;
	const char *csv = NULL;
	unsigned citizens = 0;
	const struct cli_option opts[] = {
		CLI_OPT_UINT(0, "citizens", &citizens, 1, BK_DEMO_CITIZENS_MAX, "N", CITIZENS_BAD),
		CLI_OPT_STRING(0, "csv", &csv, "DIR"),
		CLI_OPT_FN(0, "kdf", cli_option_kdf, &kdf, "LEVEL"),
		CLI_OPT_END,
	};
	struct cli_args args = {.min = 0, .max = 1};
	struct bk_demo_options dopts;
	struct bk_vault_init_opts init = {0};
	struct bk_kdf_params params;
	struct bk_vault *v = NULL;
	char tmpdir[] = "/tmp/brankas-demo-XXXXXX", *csvdir = NULL, eva_id[BK_AGE_RECIPIENT_MAX], eva_path[PATH_MAX];
	char *eva_text = NULL;
	int code;
	bk_status rc;

	bk_demo_options_init(&dopts);
	if ((code = cli_parse_options(ctx, argc, argv, opts, &args)) >= 0)
		return code;
	if (citizens)
		dopts.citizens = citizens;
	init.dir = args.argc ? args.argv[0] : (ctx->vault_dir ? ctx->vault_dir : "blitar-demo.vault");
	if (snprintf(eva_path, sizeof(eva_path), "%s.eva-identity", init.dir) >= (int)sizeof(eva_path))
		return cli_usage(ctx, "path too long");
	if (csv) {
		if (mkdir(csv, 0700) != 0 && errno != EEXIST)
			return cli_fail(bk_fail(BK_ERR_IO, "cannot create '%s': %s", csv, strerror(errno)));
		csvdir = (char *)csv;
	} else if (!(csvdir = mkdtemp(tmpdir))) {
		return cli_fail(bk_fail(BK_ERR_IO, "cannot make a temporary directory: %s", strerror(errno)));
	}

	printf("generating a synthetic Kabupaten Blitar: %zu citizens\n", dopts.citizens);
	if ((rc = bk_demo_write(csvdir, &dopts, NULL)))
		goto out;
	init.admin = users[0].name;
	init.pass = users[0].pass;
	init.passlen = strlen(users[0].pass);
	init.kdf = kdf;
	bk_kdf_params_for_level(kdf, &params);
	if ((rc = bk_vault_init(&init)))
		goto out;
	printf("vault '%s' created; users, then the data through 'brankas import':\n", init.dir);
	if ((rc = bk_identity_new(eva_pass, strlen(eva_pass), &params, &eva_text, eva_id)) ||
	    (rc = bk_file_create_exclusive(eva_path, eva_text, strlen(eva_text), 0600)) ||
	    (rc = bk_vault_open(init.dir, users[0].name, users[0].pass, strlen(users[0].pass), "demo", &v)) ||
	    (rc = add_users(v, kdf, eva_id)) || (rc = import_all(v, csvdir)))
		goto out;
	printf("\ndemo users and passphrases (printed once; demo only, never for real data):\n");
	for (size_t i = 0; i < sizeof(users) / sizeof(users[0]); i++)
		printf("  %-6s %-10s %-22s %s\n", users[i].name, bk_role_name(users[i].role), users[i].pass,
		       users[i].scope ? users[i].scope : "");
	printf("  %-6s %-10s %-22s identity file %s\n", "eva", "evaluator", eva_pass, eva_path);
	if (csv)
		printf("\nthe generated CSV files are in '%s'\n", csv);
	printf("\ntry: brankas -C %s -u citra status\n", init.dir);
out:
	free(eva_text);
	bk_vault_close(v);
	if (!csv && csvdir)
		remove_csvs(csvdir);
	return rc ? cli_fail(rc) : cli_finish(CLI_EXIT_OK);
}
