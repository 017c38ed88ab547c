/* cmd_record.c - `brankas record show DATASET ID [--reveal --purpose TEXT]`
 * and `brankas record edit DATASET ID --purpose TEXT < corrections`. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli/cli.h"
#include "crypto/secmem.h"
#include "vault/records/edit.h"
#include "vault/records/records.h"

#define EDIT_INPUT_MAX (16u << 20) /* corrections on stdin: a text value is at most 1,000,000 bytes */
#define EDIT_MESSAGES 100

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

int cmd_record_edit(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_LONGOPTS,
		{"purpose", required_argument, NULL, OPT_PURPOSE},
		{NULL, 0, NULL, 0},
	};
	struct bk_edit_opts opts = {0};
	struct bk_edit_result res;
	struct bk_vault *v = NULL;
	char *text = NULL, *end = NULL;
	size_t len = 0;
	long long id;
	int c, code;
	bk_status rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, CLI_SHORTOPTS, longopts, NULL)) != -1) {
		if (c == OPT_PURPOSE)
			opts.purpose = optarg;
		else if ((code = cli_common_option(ctx, c, argv)) >= 0)
			return code;
	}
	if (argc - optind != 2)
		return cli_usage(ctx, argc - optind < 2 ? "DATASET and ID are required; the corrections come on stdin"
							: "unexpected argument '%s': values come on stdin, never the command line",
				 argv[argc - 1]);
	errno = 0;
	id = strtoll(argv[optind + 1], &end, 10);
	if (errno || !end || *end || id <= 0)
		return cli_usage(ctx, "ID must be a row number");
	if (!opts.purpose || !opts.purpose[0])
		return cli_usage(ctx, "--purpose TEXT is required (it is written to the audit log)");
	if (ctx->pass_fd == 0)
		return cli_usage(ctx, "stdin carries the corrections: give the passphrase on another descriptor");
	opts.path = "<stdin>";
	opts.first_line = 1;
	opts.max_messages = EDIT_MESSAGES;
	opts.problem = cli_problem;
	if ((rc = cli_unlock(ctx, &v)))
		goto out;
	if (isatty(0))
		fprintf(stderr, "corrections, one COLUMN=VALUE per line; end with Ctrl-D:\n");
	if ((rc = cli_read_input(0, EDIT_INPUT_MAX, &text, &len)))
		goto out;
	opts.text = text;
	opts.len = len;
	rc = bk_vault_record_edit(v, argv[optind], id, &opts, &res);
	if (rc == BK_ERR_FORMAT && res.problems > EDIT_MESSAGES)
		fprintf(stderr, "brankas: %llu more problems not shown\n", (unsigned long long)(res.problems - EDIT_MESSAGES));
	if (rc)
		goto out;
	if (res.rows)
		printf("edited row %lld of '%s': %s\n", id, argv[optind], res.columns);
	else
		printf("row %lld of '%s' unchanged: it already holds those values\n", id, argv[optind]);
	if (res.unlinked)
		fprintf(stderr,
			"brankas: note: %llu row%s in other datasets held the old NIK and no longer link%s to this person\n"
			"brankas: hint: 'brankas subject correct' changes a NIK in every row of the person\n",
			(unsigned long long)res.unlinked, res.unlinked == 1 ? "" : "s", res.unlinked == 1 ? "s" : "");
out:
	bk_secmem_free(text);
	bk_vault_close(v);
	return rc ? cli_fail(rc) : cli_finish(CLI_EXIT_OK);
}
