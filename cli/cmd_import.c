/* cmd_import.c - `brankas import DATASET FILE.csv [--dry-run]`. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "vault/records/import.h"

struct ui {
	int bar;       /* stderr is a terminal */
	int drawn;
	unsigned last; /* last percentage drawn */
};

static void on_problem(void *ctx, const char *msg)
{
	struct ui *ui = ctx;

	if (ui->drawn) {
		fputs("\r\033[K", stderr);
		ui->drawn = 0;
	}
	fprintf(stderr, "%s\n", msg);
}

static void on_progress(void *ctx, uint64_t done, uint64_t total)
{
	struct ui *ui = ctx;
	unsigned pct = total ? (unsigned)(done * 100 / total) : 100;
	char bar[41];

	if (!ui->bar || pct == ui->last)
		return;
	ui->last = pct;
	for (unsigned i = 0; i < 40; i++)
		bar[i] = i < pct * 40 / 100 ? '#' : '.';
	bar[40] = '\0';
	fprintf(stderr, "\r[%s] %3u%%", bar, pct);
	ui->drawn = 1;
}

static bk_status run_import(struct cli_ctx *ctx, struct bk_vault *v, void *arg)
{
	struct bk_import_opts *opts = arg;
	struct ui *ui = opts->ctx;
	struct bk_import_result res;
	bk_status rc;

	(void)ctx;
	rc = bk_vault_import(v, opts, &res);
	if (ui->drawn)
		fputs("\r\033[K", stderr);
	if (rc == BK_OK)
		printf("%s %llu rows into '%s'%s\n", opts->dry_run ? "checked" : "imported", (unsigned long long)res.rows,
		       opts->dataset, opts->dry_run ? " (dry run: nothing written)" : "");
	else if (res.problems > opts->max_messages)
		fprintf(stderr, "brankas: %llu more problems not shown\n",
			(unsigned long long)(res.problems - opts->max_messages));
	return rc;
}

int cmd_import(struct cli_ctx *ctx, int argc, char **argv)
{
	struct bk_import_opts opts = {0};
	const struct cli_option options[] = {
		CLI_OPT_FLAG(0, "dry-run", &opts.dry_run),
		CLI_OPT_END,
	};
	struct cli_args args = {.min = 2, .max = 2, .missing = "DATASET and FILE.csv are required"};
	struct ui ui = {isatty(2), 0, 101};
	int code;

	if ((code = cli_parse_options(ctx, argc, argv, options, &args)) >= 0)
		return code;
	opts.dataset = args.argv[0];
	opts.path = args.argv[1];
	opts.max_messages = 100;
	opts.problem = on_problem;
	opts.progress = on_progress;
	opts.ctx = &ui;
	if (strcmp(opts.path, "-") == 0) {
		/* the passphrase then comes on another descriptor, or from the terminal */
		opts.from_stdin = 1;
		opts.path = "stdin";
		if (ctx->pass_fd == 0)
			return cli_usage(ctx, "stdin carries the data: give the passphrase on another descriptor");
	} else if (access(opts.path, R_OK) != 0) {
		return cli_fail(bk_fail(BK_ERR_NOTFOUND, "cannot read '%s'", opts.path));
	}
	return cli_run(ctx, run_import, &opts);
}

static bk_status run_record_add(struct cli_ctx *ctx, struct bk_vault *v, void *arg)
{
	struct bk_import_opts *opts = arg;
	struct bk_import_result res;
	bk_status rc;

	(void)ctx;
	if ((rc = bk_vault_import(v, opts, &res)))
		return rc;
	printf("added 1 row to '%s'\n", opts->dataset);
	return BK_OK;
}

int cmd_record_add(struct cli_ctx *ctx, int argc, char **argv)
{
	struct cli_args args = {
		.min = 1,
		.max = 1,
		.missing = "DATASET is required; the record comes on stdin as a CSV header and one row",
		.extra = "DATASET is required; the record comes on stdin as a CSV header and one row",
	};
	struct bk_import_opts opts = {0};
	struct ui ui = {0, 0, 101};
	int code;

	if ((code = cli_parse_options(ctx, argc, argv, NULL, &args)) >= 0)
		return code;
	if (ctx->pass_fd == 0)
		return cli_usage(ctx, "stdin carries the record: give the passphrase on another descriptor");
	opts.dataset = args.argv[0];
	opts.path = "stdin";
	opts.from_stdin = 1;
	opts.max_rows = 1;
	opts.max_messages = 100;
	opts.problem = on_problem;
	opts.ctx = &ui;
	return cli_run(ctx, run_record_add, &opts);
}
