/* cmd_import.c - `brankas import DATASET FILE.csv [--dry-run]`. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "vault/records/import.h"

enum { OPT_DRY_RUN = OPT_FIRST_COMMAND_OPT };

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

int cmd_import(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_LONGOPTS,
		{"dry-run", no_argument, NULL, OPT_DRY_RUN},
		{NULL, 0, NULL, 0},
	};
	struct bk_import_opts opts = {0};
	struct bk_import_result res;
	struct ui ui = {isatty(2), 0, 101};
	struct bk_vault *v = NULL;
	int c, code;
	bk_status rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, CLI_SHORTOPTS, longopts, NULL)) != -1) {
		if (c == OPT_DRY_RUN)
			opts.dry_run = 1;
		else if ((code = cli_common_option(ctx, c, argv)) >= 0)
			return code;
	}
	if (argc - optind != 2)
		return cli_usage(ctx, argc - optind < 2 ? "DATASET and FILE.csv are required" : "unexpected argument '%s'",
				 argv[argc - 1]);
	opts.dataset = argv[optind];
	opts.path = argv[optind + 1];
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
	if ((rc = cli_unlock(ctx, &v)))
		goto out;
	rc = bk_vault_import(v, &opts, &res);
	if (ui.drawn)
		fputs("\r\033[K", stderr);
	if (rc == BK_OK)
		printf("%s %llu rows into '%s'%s\n", opts.dry_run ? "checked" : "imported", (unsigned long long)res.rows,
		       opts.dataset, opts.dry_run ? " (dry run: nothing written)" : "");
	else if (res.problems > opts.max_messages)
		fprintf(stderr, "brankas: %llu more problems not shown\n",
			(unsigned long long)(res.problems - opts.max_messages));
out:
	bk_vault_close(v);
	return rc ? cli_fail(rc) : cli_finish(CLI_EXIT_OK);
}

int cmd_record_add(struct cli_ctx *ctx, int argc, char **argv)
{
	struct bk_import_opts opts = {0};
	struct bk_import_result res;
	struct ui ui = {0, 0, 101};
	struct bk_vault *v = NULL;
	int code;
	bk_status rc;

	if ((code = cli_parse_common(ctx, argc, argv)) >= 0)
		return code;
	if (argc - optind != 1)
		return cli_usage(ctx, "DATASET is required; the record comes on stdin as a CSV header and one row");
	if (ctx->pass_fd == 0)
		return cli_usage(ctx, "stdin carries the record: give the passphrase on another descriptor");
	opts.dataset = argv[optind];
	opts.path = "stdin";
	opts.from_stdin = 1;
	opts.max_rows = 1;
	opts.max_messages = 100;
	opts.problem = on_problem;
	opts.ctx = &ui;
	if ((rc = cli_unlock(ctx, &v)) || (rc = bk_vault_import(v, &opts, &res)))
		goto out;
	printf("added 1 row to '%s'\n", opts.dataset);
out:
	bk_vault_close(v);
	return rc ? cli_fail(rc) : cli_finish(CLI_EXIT_OK);
}
