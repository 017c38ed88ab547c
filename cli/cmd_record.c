/* cmd_record.c - `brankas record show DATASET ID [--reveal --purpose TEXT]`
 * and `brankas record edit DATASET ID --purpose TEXT < corrections`. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "cli/output.h"
#include "crypto/secmem.h"
#include "vault/records/edit.h"
#include "vault/records/records.h"

#define EDIT_INPUT_MAX (16u << 20) /* corrections on stdin: a text value is at most 1,000,000 bytes */
#define EDIT_MESSAGES 100

struct show_args {
	const char *dataset, *purpose;
	long long id;
	int reveal;
};

static bk_status run_show(struct cli_ctx *ctx, struct bk_vault *v, void *arg)
{
	struct show_args *a = arg;
	json_t *row = NULL;
	bk_status rc;

	(void)ctx;
	if ((rc = bk_vault_record_show(v, a->dataset, a->id, a->reveal, a->purpose, &row)))
		return rc;
	cli_print_json(stdout, row);
	json_decref(row);
	return BK_OK;
}

int cmd_record_show(struct cli_ctx *ctx, int argc, char **argv)
{
	struct show_args a = {NULL, NULL, 0, 0};
	const struct cli_option opts[] = {
		CLI_OPT_FLAG(0, "reveal", &a.reveal),
		CLI_OPT_STRING(0, "purpose", &a.purpose, "TEXT"),
		CLI_OPT_END,
	};
	struct cli_args args = {
		.min = 2, .max = 2, .missing = "DATASET and ID are required", .extra = "DATASET and ID are required"};
	int code;

	if ((code = cli_parse_options(ctx, argc, argv, opts, &args)) >= 0 || (code = cli_operand_row(ctx, args.argv[1], &a.id)) >= 0)
		return code;
	a.dataset = args.argv[0];
	if (a.reveal && (!a.purpose || !a.purpose[0]))
		return cli_usage(ctx, "--reveal needs --purpose TEXT (it is written to the audit log)");
	return cli_run(ctx, run_show, &a);
}

struct edit_args {
	struct bk_edit_opts opts;
	const char *dataset;
	long long id;
};

static bk_status run_edit(struct cli_ctx *ctx, struct bk_vault *v, void *arg)
{
	struct edit_args *a = arg;
	struct bk_edit_result res;
	char *text = NULL;
	size_t len = 0;
	bk_status rc;

	(void)ctx;
	/* after the unlock: the passphrase may come first from the terminal */
	if (isatty(0))
		fprintf(stderr, "corrections, one COLUMN=VALUE per line; end with Ctrl-D:\n");
	if ((rc = cli_read_input(0, EDIT_INPUT_MAX, &text, &len)))
		goto out;
	a->opts.text = text;
	a->opts.len = len;
	rc = bk_vault_record_edit(v, a->dataset, a->id, &a->opts, &res);
	if (rc == BK_ERR_FORMAT && res.problems > EDIT_MESSAGES)
		fprintf(stderr, "brankas: %llu more problems not shown\n", (unsigned long long)(res.problems - EDIT_MESSAGES));
	if (rc)
		goto out;
	if (res.rows)
		printf("edited row %lld of '%s': %s\n", a->id, a->dataset, res.columns);
	else
		printf("row %lld of '%s' unchanged: it already holds those values\n", a->id, a->dataset);
	if (res.unlinked)
		fprintf(stderr,
			"brankas: note: %llu row%s in other datasets held the old NIK and no longer link%s to this person\n"
			"brankas: hint: 'brankas subject correct' changes a NIK in every row of the person\n",
			(unsigned long long)res.unlinked, res.unlinked == 1 ? "" : "s", res.unlinked == 1 ? "s" : "");
out:
	bk_secmem_free(text);
	return rc;
}

int cmd_record_edit(struct cli_ctx *ctx, int argc, char **argv)
{
	struct edit_args a = {{0}, NULL, 0};
	const struct cli_option opts[] = {
		CLI_OPT_STRING(0, "purpose", &a.opts.purpose, "TEXT"),
		CLI_OPT_END,
	};
	struct cli_args args = {
		.min = 2,
		.max = 2,
		.missing = "DATASET and ID are required; the corrections come on stdin",
		.extra_why = ": values come on stdin, never the command line",
	};
	int code;

	if ((code = cli_parse_options(ctx, argc, argv, opts, &args)) >= 0 || (code = cli_operand_row(ctx, args.argv[1], &a.id)) >= 0)
		return code;
	a.dataset = args.argv[0];
	if (!a.opts.purpose || !a.opts.purpose[0])
		return cli_usage(ctx, "--purpose TEXT is required (it is written to the audit log)");
	if (ctx->pass_fd == 0)
		return cli_usage(ctx, "stdin carries the corrections: give the passphrase on another descriptor");
	a.opts.path = "<stdin>";
	a.opts.first_line = 1;
	a.opts.max_messages = EDIT_MESSAGES;
	a.opts.problem = cli_problem;
	return cli_run(ctx, run_edit, &a);
}
