/* cmd_query.c - `brankas query [--purpose TEXT] [--format …] "SELECT …"`. */
#include <stdio.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/output.h"
#include "vault/query.h"

enum { OPT_PURPOSE = OPT_FIRST_COMMAND_OPT, OPT_FORMAT };

int cmd_query(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_LONGOPTS,
		{"purpose", required_argument, NULL, OPT_PURPOSE},
		{"format", required_argument, NULL, OPT_FORMAT},
		{NULL, 0, NULL, 0},
	};
	enum cli_format fmt = isatty(1) ? CLI_FORMAT_TABLE : CLI_FORMAT_CSV;
	const char *purpose = NULL;
	struct bk_vault *v = NULL;
	json_t *res = NULL;
	int c, code;
	bk_status rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, CLI_SHORTOPTS, longopts, NULL)) != -1) {
		if (c == OPT_PURPOSE)
			purpose = optarg;
		else if (c == OPT_FORMAT) {
			if (cli_parse_format(optarg, &fmt) != BK_OK)
				return cli_usage(ctx, "%s", bk_error_detail());
		} else if ((code = cli_common_option(ctx, c, argv)) >= 0)
			return code;
	}
	if (argc - optind != 1)
		return cli_usage(ctx, argc == optind ? "no SQL given" : "give the SQL as one argument (quote it)");
	if ((rc = cli_unlock(ctx, &v)) || (rc = bk_vault_query(v, argv[optind], purpose, &res)))
		goto out;
	cli_print_table(stdout, json_object_get(res, "columns"), json_object_get(res, "rows"), fmt);
	if (json_integer_value(json_object_get(res, "revealed")) > 0)
		fprintf(stderr, "brankas: %lld identifying values revealed (audited)\n",
			(long long)json_integer_value(json_object_get(res, "revealed")));
out:
	json_decref(res);
	bk_vault_close(v);
	return rc ? cli_fail(rc) : cli_finish(CLI_EXIT_OK);
}
