/* cmd_check.c - `brankas check`: every page, the keyring signature, the whole audit log. */
#include <stdio.h>

#include "cli/cli.h"

int cmd_check(struct cli_ctx *ctx, int argc, char **argv)
{
	struct bk_audit_report report;
	struct bk_vault *v = NULL;
	int code;
	bk_status rc;

	if ((code = cli_parse_common(ctx, argc, argv)) >= 0)
		return code;
	if (optind != argc)
		return cli_usage(ctx, "unexpected argument '%s'", argv[optind]);
	if ((rc = cli_unlock(ctx, &v)) || (rc = bk_vault_check(v, &report)))
		goto out;
	printf("vault.db   ok: SQLCipher integrity check passed\n");
	printf("keyring    ok: signature verified, matches vault.pub\n");
	printf("audit.log  ok: %llu entries, chain intact, %llu new signatures verified, pinned head present\n",
	       (unsigned long long)report.entries, (unsigned long long)report.signatures);
out:
	bk_vault_close(v);
	return rc ? cli_fail(rc) : cli_finish(CLI_EXIT_OK);
}
