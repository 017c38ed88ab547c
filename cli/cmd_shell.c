/* cmd_shell.c - `brankas shell`: one unlock, then queries at a prompt. The
 * vault locks itself (keys wiped, process ends) after --idle seconds without
 * input. No history file is kept, so revealed values never land on disk. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "cli/output.h"
#include "vault/records/query.h"
#include "vault/schema/datasets.h"

#define LINE_MAX_SHELL 65536

static const char shell_help[] =
	"  SELECT ... | WITH ...      run a query (one statement per line)\n"
	"  .purpose TEXT              the purpose recorded for queries that reveal\n"
	"  .format table|csv|json     output format\n"
	"  .tables                    the dataset views you can query\n"
	"  .help                      this text\n"
	"  .quit                      lock and leave (also Ctrl-D)\n";

/* Reads one line from stdin, waiting at most idle seconds: 1 line, 0 end of
 * input, -1 idle timeout or error. */
static int read_line_idle(char *buf, size_t cap, int idle)
{
	size_t n = 0;

	for (;;) {
		struct pollfd p = {0, POLLIN, 0};
		int r = poll(&p, 1, idle > 0 ? idle * 1000 : -1);
		char c;
		ssize_t got;

		if (r == 0)
			return -1;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		got = read(0, &c, 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return n ? 1 : 0;
		if (c == '\n')
			break;
		if (n + 1 < cap)
			buf[n++] = c;
	}
	buf[n] = '\0';
	return 1;
}

struct shell_args {
	enum cli_format fmt;
	int idle;
};

static bk_status run_shell(struct cli_ctx *ctx, struct bk_vault *v, void *arg)
{
	struct shell_args *a = arg;
	enum cli_format fmt = a->fmt;
	char *line = NULL, purpose[512] = "";
	int code, idle = a->idle, tty = isatty(0);
	bk_status rc = BK_OK;

	(void)ctx;
	if (!(line = malloc(LINE_MAX_SHELL)))
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	if (tty)
		fprintf(stderr, "brankas shell as %s; .help for help; locks after %d s idle\n", bk_vault_me(v)->name, idle);
	for (;;) {
		json_t *res = NULL;
		int got;

		if (tty)
			fputs("brankas> ", stderr);
		got = read_line_idle(line, LINE_MAX_SHELL, idle);
		if (got == 0)
			break;
		if (got < 0) {
			fprintf(stderr, "\nbrankas: idle for %d s: the vault is locked\n", idle);
			break;
		}
		if (!line[0] || line[0] == '#')
			continue;
		if (strcmp(line, ".quit") == 0 || strcmp(line, ".exit") == 0)
			break;
		if (strcmp(line, ".help") == 0) {
			fputs(shell_help, stdout);
		} else if (strncmp(line, ".purpose ", 9) == 0) {
			snprintf(purpose, sizeof(purpose), "%s", line + 9);
		} else if (strncmp(line, ".format ", 8) == 0) {
			if (cli_parse_format(line + 8, &fmt) != BK_OK)
				cli_fail(BK_ERR_USAGE);
		} else if (strcmp(line, ".tables") == 0) {
			struct bk_dataset_info *list = NULL;
			size_t n = 0;

			if ((rc = bk_vault_dataset_list(v, &list, &n)) == BK_OK) {
				for (size_t i = 0; i < n; i++)
					printf("%-14s %10lld rows  %s\n", list[i].name, list[i].rows, list[i].title);
				printf("%-14s %10s       %s\n", "wilayah", "", "region codes and names");
			} else {
				cli_fail(rc);
			}
			free(list);
		} else if ((rc = bk_vault_query(v, line, purpose[0] ? purpose : NULL, 0, &res)) == BK_OK) {
			cli_print_table(stdout, json_object_get(res, "columns"), json_object_get(res, "rows"), fmt);
		} else {
			/* a failed query is reported and the shell goes on; integrity errors end it */
			code = cli_fail(rc);
			if (code == CLI_EXIT_INTEGRITY) {
				json_decref(res);
				goto out;
			}
		}
		rc = BK_OK;
		json_decref(res);
		fflush(stdout);
	}
	rc = BK_OK;
out:
	free(line);
	return rc;
}

int cmd_shell(struct cli_ctx *ctx, int argc, char **argv)
{
	struct shell_args a = {CLI_FORMAT_TABLE, 300};
	const struct cli_option opts[] = {
		CLI_OPT_INT(0, "idle", &a.idle, 0, 86400, "SECONDS", "--idle takes 0 to 86400 seconds (0: never)"),
		CLI_OPT_FN(0, "format", cli_option_format, &a.fmt, "table|csv|json"),
		CLI_OPT_END,
	};

	return cli_parse_run(ctx, argc, argv, opts, run_shell, &a);
}
