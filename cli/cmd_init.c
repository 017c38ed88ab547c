/* cmd_init.c - `brankas init DIR --admin NAME`: a new vault and its first admin. */
#include <stdio.h>
#include <stdlib.h>

#include "base/fileio.h"
#include "cli/cli.h"
#include "cli/options.h"
#include "crypto/secmem.h"
#include "vault/schema/datasets.h"

#define REGIONS_MAX (8u << 20)

/* No vault yet: init makes one, so it parses and asks for itself. */
int cmd_init(struct cli_ctx *ctx, int argc, char **argv)
{
	struct bk_vault_init_opts opts = {0};
	const char *regions = NULL;
	const struct cli_option options[] = {
		CLI_OPT_STRING(0, "admin", &opts.admin, "NAME"),
		CLI_OPT_FN(0, "kdf", cli_option_kdf, &opts.kdf, "LEVEL"),
		CLI_OPT_STRING(0, "regions", &regions, "FILE"),
		CLI_OPT_END,
	};
	struct cli_args args = {.min = 0, .max = 1};
	uint8_t *regions_text = NULL;
	size_t regions_len = 0;
	char *pass = NULL, prompt[96];
	int code, fd;
	bk_status rc;

	opts.kdf = BK_KDF_MODERATE;
	if ((code = cli_parse_options(ctx, argc, argv, options, &args)) >= 0)
		return code;
	opts.dir = args.argc ? args.argv[0] : ctx->vault_dir;
	if (!opts.dir)
		return cli_usage(ctx, "no vault directory given");
	if (!opts.admin)
		return cli_usage(ctx, "--admin NAME is required");
	if (!bk_vault_user_name_ok(opts.admin))
		return cli_usage(ctx, "invalid admin name (1 to 32 of a-z, 0-9, '.', '_', '-')");
	if (regions) {
		if ((rc = bk_file_read(regions, REGIONS_MAX, &regions_text, &regions_len)))
			return cli_fail(rc);
		opts.regions_name = regions;
		opts.regions_text = (const char *)regions_text;
		opts.regions_len = regions_len;
	}
	fd = ctx->new_pass_fd >= 0 ? ctx->new_pass_fd : ctx->pass_fd;
	snprintf(prompt, sizeof(prompt), "new passphrase for %s: ", opts.admin);
	if ((rc = cli_passphrase(fd, prompt, 1, &pass, &opts.passlen)))
		goto out;
	opts.pass = pass;
	if ((rc = bk_vault_init(&opts)))
		goto out;
	printf("initialized vault '%s' with admin '%s'\n", opts.dir, opts.admin);
	/* one admin who forgets the passphrase would lock user management for good */
	fprintf(stderr,
		"brankas: note: '%s' is the only admin: if that passphrase is forgotten, nobody can add, reset or\n"
		"brankas: note: disable users. Add a second admin ('brankas user add NAME --role admin'), or make\n"
		"brankas: note: recovery shares ('brankas recovery split --shares 5 --threshold 3 -o DIR')\n",
		opts.admin);
out:
	bk_secmem_free(pass);
	free(regions_text);
	return rc ? cli_fail(rc) : cli_finish(CLI_EXIT_OK);
}
