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
#include "cli/output.h"
#include "crypto/secmem.h"
#include "vault/records/query.h"
#include "vault/records/sql_scan.h"

#define SQL_MAX (1u << 20)

enum { OPT_PURPOSE = OPT_FIRST_COMMAND_OPT, OPT_FORMAT, OPT_FILE, OPT_TIMEOUT };

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

int cmd_query(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_LONGOPTS,
		{"purpose", required_argument, NULL, OPT_PURPOSE},
		{"format", required_argument, NULL, OPT_FORMAT},
		{"file", required_argument, NULL, OPT_FILE},
		{"timeout", required_argument, NULL, OPT_TIMEOUT},
		{NULL, 0, NULL, 0},
	};
	enum cli_format fmt = isatty(1) ? CLI_FORMAT_TABLE : CLI_FORMAT_CSV;
	const char *purpose = NULL, *file = NULL;
	char *input = NULL, *end = NULL;
	const char *sql = NULL;
	unsigned long seconds = 0;
	struct bk_vault *v = NULL;
	json_t *res = NULL;
	int c, code;
	bk_status rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, CLI_SHORTOPTS, longopts, NULL)) != -1) {
		if (c == OPT_PURPOSE) {
			purpose = optarg;
		} else if (c == OPT_FILE) {
			file = optarg;
		} else if (c == OPT_TIMEOUT) {
			errno = 0;
			seconds = strtoul(optarg, &end, 10);
			if (errno || !end || *end || optarg[0] == '-' || seconds < 1 || seconds > BK_QUERY_SECONDS_MAX)
				return cli_usage(ctx, "--timeout takes 1 to %u seconds", BK_QUERY_SECONDS_MAX);
		} else if (c == OPT_FORMAT) {
			if (cli_parse_format(optarg, &fmt) != BK_OK)
				return cli_usage(ctx, "%s", bk_error_detail());
		} else if ((code = cli_common_option(ctx, c, argv)) >= 0) {
			return code;
		}
	}
	if (file && argc - optind != 0)
		return cli_usage(ctx, "give the SQL either with --file or as an argument, not both");
	if (!file && argc - optind != 1)
		return cli_usage(ctx, argc == optind ? "no SQL given" : "give the SQL as one argument (quote it)");
	if (!file && strcmp(argv[optind], "-") != 0) {
		sql = argv[optind];
		if (bk_sql_has_literal(sql)) {
			bk_hint("pass it on stdin: brankas query [OPTIONS] - <<'SQL' (then the SQL, then SQL) or --file FILE");
			return cli_usage(ctx, "the SQL holds a literal value (a 'text', x'…' or a number of 5+ digits), "
					      "which every user of this computer can read in the process list");
		}
	}
	if ((rc = cli_unlock(ctx, &v)))
		goto out;
	/* after the unlock: the passphrase may come first on the same stdin */
	if (!sql && (rc = read_sql(file, &input)) == BK_OK)
		sql = input;
	if (rc || (rc = bk_vault_query(v, sql, purpose, (unsigned)seconds, &res)))
		goto out;
	cli_print_table(stdout, json_object_get(res, "columns"), json_object_get(res, "rows"), fmt);
	if (json_integer_value(json_object_get(res, "revealed")) > 0)
		fprintf(stderr, "brankas: %lld identifying values revealed (audited)\n",
			(long long)json_integer_value(json_object_get(res, "revealed")));
out:
	json_decref(res);
	bk_secmem_free(input);
	bk_vault_close(v);
	return rc ? cli_fail(rc) : cli_finish(CLI_EXIT_OK);
}
