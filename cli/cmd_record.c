/* cmd_record.c - `brankas record show DATASET ID [--reveal --purpose TEXT]`. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "vault/records.h"

enum { OPT_REVEAL = OPT_FIRST_COMMAND_OPT, OPT_PURPOSE };

int cmd_record_show(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_LONGOPTS,
		{"reveal", no_argument, NULL, OPT_REVEAL},
		{"purpose", required_argument, NULL, OPT_PURPOSE},
		{NULL, 0, NULL, 0},
	};
	const char *purpose = NULL;
	struct bk_vault *v = NULL;
	json_t *row = NULL;
	char *end = NULL;
	long long id;
	int c, code, reveal = 0;
	bk_status rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, CLI_SHORTOPTS, longopts, NULL)) != -1) {
		if (c == OPT_REVEAL)
			reveal = 1;
		else if (c == OPT_PURPOSE)
			purpose = optarg;
		else if ((code = cli_common_option(ctx, c, argv)) >= 0)
			return code;
	}
	if (argc - optind != 2)
		return cli_usage(ctx, "DATASET and ID are required");
	errno = 0;
	id = strtoll(argv[optind + 1], &end, 10);
	if (errno || !end || *end || id <= 0)
		return cli_usage(ctx, "ID must be a row number");
	if (reveal && (!purpose || !purpose[0]))
		return cli_usage(ctx, "--reveal needs --purpose TEXT (it is written to the audit log)");
	if ((rc = cli_unlock(ctx, &v)) || (rc = bk_vault_record_show(v, argv[optind], id, reveal, purpose, &row)))
		goto out;
	json_dumpf(row, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	putchar('\n');
out:
	json_decref(row);
	bk_vault_close(v);
	return rc ? cli_fail(rc) : cli_finish(CLI_EXIT_OK);
}
