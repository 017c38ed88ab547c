/* cmd_query.c - `brankas query [--purpose TEXT] [--format …] [--timeout S]
 * "SELECT …" | - | --file FILE`. SQL that holds a literal value (a NIK in a
 * WHERE, a name, a date) must come on stdin or from a file: the command line
 * of every process is readable by every user of the computer (ps). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "cli/output.h"
#include "crypto/secmem.h"
#include "vault/records/query.h"
#include "vault/records/sql_scan.h"

#define SQL_MAX (1u << 20)

#define TIMEOUT_BAD "--timeout takes 1 to 3600 seconds"
_Static_assert(BK_QUERY_SECONDS_MAX == 3600, "TIMEOUT_BAD names BK_QUERY_SECONDS_MAX");

/* Reads the SQL from stdin ("-") or a file into guarded memory: it may hold
 * personal values. */
static bk_status read_sql(const char *file, char **sql_p)
{
	size_t len = 0;
	bk_status rc;
	int fd = 0;

	*sql_p = NULL;
	if (file && (fd = open(file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return bk_fail(BK_ERR_IO, "cannot open '%s': %s", file, strerror(errno));
	rc = cli_read_input(fd, SQL_MAX, sql_p, &len);
	if (file)
		close(fd);
	if (rc == BK_OK && (strlen(*sql_p) != len || strspn(*sql_p, " \t\r\n;") == len)) {
		rc = bk_fail(BK_ERR_USAGE, "%s holds no SQL or a NUL byte", file ? file : "stdin");
		bk_secmem_free(*sql_p);
		*sql_p = NULL;
	}
	return rc;
}

struct query_args {
	const char *purpose, *file, *sql; /* sql: from the command line, or NULL to read it */
	unsigned seconds;
	enum cli_format fmt;
};

static bk_status run_query(struct cli_ctx *ctx, struct bk_vault *v, void *arg)
{
	struct query_args *a = arg;
	const char *sql = a->sql;
	char *input = NULL;
	json_t *res = NULL;
	bk_status rc = BK_OK;

	(void)ctx;
	/* after the unlock: the passphrase may come first on the same stdin */
	if (!sql && (rc = read_sql(a->file, &input)) == BK_OK)
		sql = input;
	if (rc || (rc = bk_vault_query(v, sql, a->purpose, a->seconds, &res)))
		goto out;
	cli_print_table(stdout, json_object_get(res, "columns"), json_object_get(res, "rows"), a->fmt);
	if (json_integer_value(json_object_get(res, "revealed")) > 0)
		fprintf(stderr, "brankas: %lld identifying values revealed (audited)\n",
			(long long)json_integer_value(json_object_get(res, "revealed")));
out:
	json_decref(res);
	bk_secmem_free(input);
	return rc;
}

int cmd_query(struct cli_ctx *ctx, int argc, char **argv)
{
	struct query_args a = {NULL, NULL, NULL, 0, isatty(1) ? CLI_FORMAT_TABLE : CLI_FORMAT_CSV};
	const struct cli_option opts[] = {
		CLI_OPT_STRING(0, "purpose", &a.purpose, "TEXT"),
		CLI_OPT_FN(0, "format", cli_option_format, &a.fmt, "table|csv|json"),
		CLI_OPT_STRING(0, "file", &a.file, "FILE"),
		CLI_OPT_UINT(0, "timeout", &a.seconds, 1, BK_QUERY_SECONDS_MAX, "SECONDS", TIMEOUT_BAD),
		CLI_OPT_END,
	};
	struct cli_args args = {.min = 0, .max = -1};
	int code;

	if ((code = cli_parse_options(ctx, argc, argv, opts, &args)) >= 0)
		return code;
	if (a.file && args.argc != 0)
		return cli_usage(ctx, "give the SQL either with --file or as an argument, not both");
	if (!a.file && args.argc != 1)
		return cli_usage(ctx, args.argc == 0 ? "no SQL given" : "give the SQL as one argument (quote it)");
	if (!a.file && strcmp(args.argv[0], "-") != 0) {
		a.sql = args.argv[0];
		if (bk_sql_has_literal(a.sql)) {
			bk_hint("pass it on stdin: brankas query [OPTIONS] - <<'SQL' (then the SQL, then SQL) or --file FILE");
			return cli_usage(ctx, "the SQL holds a literal value (a 'text', x'…' or a number of 5+ digits), "
					      "which every user of this computer can read in the process list");
		}
	}
	return cli_run(ctx, run_query, &a);
}
