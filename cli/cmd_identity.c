/* cmd_identity.c - `brankas identity new|show|export-age`: evaluators' own key pairs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"
#include "cli/cli.h"
#include "crypto/age.h"
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

int cmd_identity_export_age(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_LONGOPTS,
		{"output", required_argument, NULL, 'o'},
		{NULL, 0, NULL, 0},
	};
	char public_id[BK_AGE_RECIPIENT_MAX], *pass = NULL, *key = NULL;
	uint8_t *text = NULL, *ed_sk = bk_secmem_alloc(64), *x_sk = bk_secmem_alloc(32);
	const char *out = NULL;
	size_t len = 0, passlen = 0, cap = 256;
	int c, code = -1;
	bk_status rc = BK_OK;

	optind = 0;
	while (code < 0 && (c = getopt_long(argc, argv, CLI_SHORTOPTS "o:", longopts, NULL)) != -1) {
		if (c == 'o')
			out = optarg;
		else
			code = cli_common_option(ctx, c, argv);
	}
	if (code < 0 && optind + 1 != argc)
		code = cli_usage(ctx, optind >= argc ? "no identity file given" : "unexpected argument");
	if (code < 0 && !out)
		code = cli_usage(ctx, "-o FILE is required");
	if (code >= 0)
		goto done;
	/* the age key file holds the secret in the clear: guarded memory until written */
	if (!ed_sk || !x_sk || !(key = bk_secmem_alloc(cap))) {
		rc = bk_fail(BK_ERR_NOMEM, "out of guarded memory");
		goto done;
	}
	if ((rc = bk_file_read(argv[optind], IDENTITY_MAX, &text, &len)) ||
	    (rc = bk_identity_public(argv[optind], (const char *)text, len, public_id)) ||
	    (rc = cli_passphrase(ctx->pass_fd, "passphrase of the identity: ", 0, &pass, &passlen)) ||
	    (rc = bk_identity_open(argv[optind], (const char *)text, len, pass, passlen, ed_sk, x_sk)))
		goto done;
	{
		size_t n = (size_t)snprintf(key, cap, "# brankas identity, for age -d -i\n# public key: %s\n", public_id);

		if ((rc = bk_age_identity_encode(key + n, cap - n, x_sk)))
			goto done;
		n += strlen(key + n);
		if (n + 2 > cap) {
			rc = bk_fail(BK_ERR_STATE, "age key too long");
			goto done;
		}
		memcpy(key + n, "\n", 2);
	}
	if ((rc = bk_file_create_exclusive(out, key, strlen(key), 0600)))
		goto done;
	fprintf(stderr, "brankas: age identity written to '%s' (unencrypted: keep it safe, delete it when done)\n", out);
	code = -2; /* done: stdout still to be flushed */
done:
	bk_secmem_free(pass);
	bk_secmem_free(key);
	bk_secmem_free(ed_sk);
	bk_secmem_free(x_sk);
	free(text);
	if (rc)
		return cli_fail(rc);
	return code == -2 ? cli_finish(CLI_EXIT_OK) : code;
}
