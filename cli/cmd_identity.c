/* cmd_identity.c - `brankas identity new|show|export-age`: evaluators' own key pairs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"
#include "cli/cli.h"
#include "cli/options.h"
#include "crypto/age.h"
#include "crypto/identity.h"
#include "crypto/secmem.h"

/* The identity commands need no vault: an evaluator's key pair is theirs. */
int cmd_identity_new(struct cli_ctx *ctx, int argc, char **argv)
{
	enum bk_kdf_level level = BK_KDF_MODERATE;
	const char *out = NULL;
	const struct cli_option opts[] = {
		CLI_OPT_STRING('o', "output", &out, "FILE"),
		CLI_OPT_FN(0, "kdf", cli_option_kdf, &level, "LEVEL"),
		CLI_OPT_END,
	};
	struct bk_kdf_params params;
	char public_id[BK_AGE_RECIPIENT_MAX], *pass = NULL, *text = NULL;
	size_t len = 0;
	int code, fd;
	bk_status rc;

	if ((code = cli_parse_options(ctx, argc, argv, opts, NULL)) >= 0)
		return code;
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
	struct cli_args args = {.min = 1, .max = 1, .missing = "no identity file given", .extra = "unexpected argument"};
	int code;
	bk_status rc;

	if ((code = cli_parse_options(ctx, argc, argv, NULL, &args)) >= 0)
		return code;
	if ((rc = bk_file_read(args.argv[0], CLI_IDENTITY_MAX, &text, &len)) ||
	    (rc = bk_identity_public(args.argv[0], (const char *)text, len, public_id)))
		goto out;
	printf("%s\n", public_id);
out:
	free(text);
	return rc ? cli_fail(rc) : cli_finish(CLI_EXIT_OK);
}

int cmd_identity_export_age(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *out = NULL, *file;
	const struct cli_option opts[] = {
		CLI_OPT_STRING('o', "output", &out, "KEYFILE"),
		CLI_OPT_END,
	};
	struct cli_args args = {.min = 1, .max = 1, .missing = "no identity file given", .extra = "unexpected argument"};
	char public_id[BK_AGE_RECIPIENT_MAX], *key = NULL;
	struct cli_identity_keys *keys = NULL;
	size_t cap = 256;
	int code;
	bk_status rc = BK_OK;

	if ((code = cli_parse_options(ctx, argc, argv, opts, &args)) >= 0)
		return code;
	if (!out)
		return cli_usage(ctx, "-o FILE is required");
	file = args.argv[0];
	/* the age key file holds the secret in the clear: guarded memory until written */
	if (!(key = bk_secmem_alloc(cap))) {
		rc = bk_fail(BK_ERR_NOMEM, "out of guarded memory");
		goto done;
	}
	if ((rc = cli_identity_unlock(ctx, file, public_id, &keys)))
		goto done;
	{
		size_t n = (size_t)snprintf(key, cap, "# brankas identity, for age -d -i\n# public key: %s\n", public_id);

		if ((rc = bk_age_identity_encode(key + n, cap - n, keys->x_sk)))
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
done:
	bk_secmem_free(key);
	bk_secmem_free(keys);
	return rc ? cli_fail(rc) : cli_finish(CLI_EXIT_OK);
}
