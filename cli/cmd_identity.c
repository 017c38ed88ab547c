/* cmd_identity.c - `brankas identity new|show`: evaluators' own key pairs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"
#include "cli/cli.h"
#include "crypto/identity.h"
#include "crypto/secmem.h"

#define IDENTITY_MAX 65536

enum { OPT_KDF = OPT_FIRST_COMMAND_OPT };

int cmd_identity_new(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_LONGOPTS,
		{"output", required_argument, NULL, 'o'},
		{"kdf", required_argument, NULL, OPT_KDF},
		{NULL, 0, NULL, 0},
	};
	enum bk_kdf_level level = BK_KDF_MODERATE;
	struct bk_kdf_params params;
	char public_id[BK_AGE_RECIPIENT_MAX], *pass = NULL, *text = NULL;
	const char *out = NULL;
	size_t len = 0;
	int c, code, fd;
	bk_status rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, CLI_SHORTOPTS "o:", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case OPT_KDF:
			if ((rc = cli_parse_kdf(optarg, &level)))
				return cli_usage(ctx, "%s", bk_error_detail());
			break;
		default:
			if ((code = cli_common_option(ctx, c, argv)) >= 0)
				return code;
		}
	}
	if (optind != argc)
		return cli_usage(ctx, "unexpected argument '%s'", argv[optind]);
	if (!out)
		return cli_usage(ctx, "-o FILE is required");
	fd = ctx->new_pass_fd >= 0 ? ctx->new_pass_fd : ctx->pass_fd;
	bk_kdf_params_for_level(level, &params);
	if ((rc = cli_passphrase(fd, "new passphrase for the identity: ", 1, &pass, &len)) ||
	    (rc = bk_identity_new(pass, len, &params, &text, public_id)) ||
	    (rc = bk_file_create_exclusive(out, text, strlen(text), 0600)))
		goto done;
	printf("%s\n", public_id);
	fprintf(stderr, "brankas: identity written to '%s'; give the line above to the vault's admin\n", out);
done:
	bk_secmem_free(pass);
	free(text);
	return rc ? cli_fail(rc) : cli_finish(CLI_EXIT_OK);
}

int cmd_identity_show(struct cli_ctx *ctx, int argc, char **argv)
{
	char public_id[BK_AGE_RECIPIENT_MAX];
	uint8_t *text = NULL;
	size_t len = 0;
	int code;
	bk_status rc;

	if ((code = cli_parse_common(ctx, argc, argv)) >= 0)
		return code;
	if (optind + 1 != argc)
		return cli_usage(ctx, optind >= argc ? "no identity file given" : "unexpected argument");
	if ((rc = bk_file_read(argv[optind], IDENTITY_MAX, &text, &len)) ||
	    (rc = bk_identity_public(argv[optind], (const char *)text, len, public_id)))
		goto out;
	printf("%s\n", public_id);
out:
	free(text);
	return rc ? cli_fail(rc) : cli_finish(CLI_EXIT_OK);
}
