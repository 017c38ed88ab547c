/* cmd_init.c - `brankas init DIR --admin NAME`: a new vault and its first admin. */
#include <stdio.h>
#include <stdlib.h>

#include "base/fileio.h"
#include "cli/cli.h"
#include "crypto/secmem.h"
#include "vault/schema/datasets.h"

#define REGIONS_MAX (8u << 20)

enum { OPT_ADMIN = OPT_FIRST_COMMAND_OPT, OPT_KDF, OPT_REGIONS };

int cmd_init(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_LONGOPTS,
		{"admin", required_argument, NULL, OPT_ADMIN},
		{"kdf", required_argument, NULL, OPT_KDF},
		{"regions", required_argument, NULL, OPT_REGIONS},
		{NULL, 0, NULL, 0},
	};
	struct bk_vault_init_opts opts = {0};
	const char *regions = NULL;
	uint8_t *regions_text = NULL;
	size_t regions_len = 0;
	char *pass = NULL, prompt[96];
	int c, code, fd;
	bk_status rc;

	opts.kdf = BK_KDF_MODERATE;
	optind = 0;
	while ((c = getopt_long(argc, argv, CLI_SHORTOPTS, longopts, NULL)) != -1) {
		switch (c) {
		case OPT_ADMIN:
			opts.admin = optarg;
			break;
		case OPT_KDF:
			if ((rc = cli_parse_kdf(optarg, &opts.kdf)))
				return cli_usage(ctx, "%s", bk_error_detail());
			break;
		case OPT_REGIONS:
			regions = optarg;
			break;
		default:
			if ((code = cli_common_option(ctx, c, argv)) >= 0)
				return code;
		}
	}
	if (optind < argc)
		opts.dir = argv[optind++];
	else
		opts.dir = ctx->vault_dir;
	if (optind < argc)
		return cli_usage(ctx, "unexpected argument '%s'", argv[optind]);
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
out:
	bk_secmem_free(pass);
	free(regions_text);
	return rc ? cli_fail(rc) : cli_finish(CLI_EXIT_OK);
}
