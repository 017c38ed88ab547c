/* cmd_recovery.c - `brankas recovery split` (an admin makes shares of a
 * recovery key for their own keys) and `recovery combine` (K shares set that
 * admin a new passphrase when every admin passphrase is lost). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"
#include "cli/cli.h"
#include "cli/options.h"
#include "crypto/secmem.h"
#include "vault/keep/recovery.h"

struct split {
	unsigned shares, threshold;
	const char *out;
};

static bk_status run_split(struct cli_ctx *ctx, struct bk_vault *v, void *arg)
{
	const struct split *s = arg;
	char id[2 * BK_RECOVERY_SPLITBYTES + 1];
	bk_status rc;

	(void)ctx;
	if ((rc = bk_recovery_split(v, s->shares, s->threshold, s->out, id)))
		return rc;
	printf("wrote %u recovery shares of split %s to %s/share-1-of-%u.txt ... share-%u-of-%u.txt\n", s->shares, id,
	       s->out, s->shares, s->shares, s->shares);
	fprintf(stderr,
		"brankas: any %u of them set a new passphrase for '%s'; an older split opens nothing now\n"
		"brankas: give each share to a different person (print it, keep it offline), then delete the files\n",
		s->threshold, bk_vault_me(v)->name);
	return BK_OK;
}

int cmd_recovery_split(struct cli_ctx *ctx, int argc, char **argv)
{
	struct split s = {0, 0, NULL};
	const struct cli_option opts[] = {
		CLI_OPT_UINT(0, "shares", &s.shares, 2, BK_SHAMIR_MAX, "N", NULL),
		CLI_OPT_UINT(0, "threshold", &s.threshold, 2, BK_SHAMIR_MAX, "K", NULL),
		CLI_OPT_STRING('o', "output", &s.out, "DIR"),
		CLI_OPT_END,
	};
	struct cli_args args = {.min = 0, .max = 0};
	int code;

	if ((code = cli_parse_options(ctx, argc, argv, opts, &args)) >= 0)
		return code;
	if (!s.shares || !s.threshold || !s.out)
		return cli_usage(ctx, "--shares N, --threshold K and -o DIR are required");
	if (s.threshold > s.shares)
		return cli_usage(ctx, "--threshold %u is more than the %u shares", s.threshold, s.shares);
	return cli_run(ctx, run_split, &s);
}

int cmd_recovery_combine(struct cli_ctx *ctx, int argc, char **argv)
{
	struct cli_args args = {.min = 1, .max = BK_SHAMIR_MAX, .missing = "give the share files to combine"};
	struct bk_recovery_share *shares = NULL;
	enum bk_kdf_level kdf = BK_KDF_MODERATE;
	const char *kdf_arg = NULL, *dir = NULL;
	const struct cli_option opts[] = {
		CLI_OPT_STRING(0, "kdf", &kdf_arg, "LEVEL"),
		CLI_OPT_END,
	};
	char admin[BK_NAME_MAX + 1], *pass = NULL;
	size_t passlen = 0;
	bk_status rc;
	int code;

	if ((code = cli_parse_options(ctx, argc, argv, opts, &args)) >= 0)
		return code;
	if ((kdf_arg && (rc = cli_parse_kdf(kdf_arg, &kdf))) || (rc = cli_vault_dir(ctx, &dir)))
		return cli_usage(ctx, "%s", bk_error_detail());
	if (!(shares = bk_secmem_alloc((size_t)args.argc * sizeof(*shares))))
		return cli_fail(bk_fail(BK_ERR_NOMEM, "out of guarded memory"));
	/* every share read and checked before the new passphrase is asked */
	for (int i = 0; i < args.argc && rc == BK_OK; i++) {
		uint8_t *text = NULL;
		size_t len = 0;

		if ((rc = bk_file_read(args.argv[i], BK_RECOVERY_SHARE_FILE_MAX, &text, &len)) == BK_OK)
			rc = bk_recovery_share_parse((const char *)text, len, args.argv[i], &shares[i]);
		if (text) {
			bk_wipe(text, len);
			free(text);
		}
	}
	if (rc == BK_OK && (rc = cli_passphrase(ctx->new_pass_fd, "new passphrase: ", 1, &pass, &passlen)) == BK_OK)
		rc = bk_recovery_combine(dir, shares, (const char *const *)args.argv, (size_t)args.argc, pass, passlen,
					 kdf, admin);
	bk_secmem_free(pass);
	bk_secmem_free(shares);
	if (rc)
		return cli_fail(rc);
	printf("the passphrase of admin '%s' is set again; the shares still work: 'recovery split' again to retire "
	       "them\n",
	       admin);
	return cli_finish(CLI_EXIT_OK);
}
