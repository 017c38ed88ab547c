/* options.c - the one option parser: a command's table of options, the
 * shared options, and the count of operands; getopt_long underneath. */
#include "cli/options.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"

#define OPTIONS_MAX 32 /* a command's own options */
#define OPT_VAL_BASE 2000 /* getopt's code for a long-only option: OPT_VAL_BASE + its index */

/* The options every command accepts. */
enum { OPT_PASS_FD = 1000, OPT_NEW_PASS_FD, OPT_WAIT };
#define CLI_SHORTOPTS ":hC:u:"
static const struct option shared[] = {
	{"help", no_argument, NULL, 'h'},
	{"vault", required_argument, NULL, 'C'},
	{"user", required_argument, NULL, 'u'},
	{"passphrase-fd", required_argument, NULL, OPT_PASS_FD},
	{"new-passphrase-fd", required_argument, NULL, OPT_NEW_PASS_FD},
	{"wait", required_argument, NULL, OPT_WAIT},
};

/* An option every command shares: -1 to go on, or an exit code (0 after -h,
 * 2 after a bad option). */
static int shared_option(struct cli_ctx *ctx, int c, char **argv)
{
	bk_status rc;

	switch (c) {
	case 'h':
		cli_print_help(stdout, ctx->cmd);
		return cli_finish(CLI_EXIT_OK);
	case 'C':
		ctx->vault_dir = optarg;
		return -1;
	case 'u':
		ctx->user = optarg;
		return -1;
	case OPT_PASS_FD:
		if ((rc = cli_parse_fd(optarg, &ctx->pass_fd)))
			return cli_usage(ctx, "%s", bk_error_detail());
		return -1;
	case OPT_NEW_PASS_FD:
		if ((rc = cli_parse_fd(optarg, &ctx->new_pass_fd)))
			return cli_usage(ctx, "%s", bk_error_detail());
		return -1;
	case OPT_WAIT:
		if ((rc = cli_parse_wait(optarg)))
			return cli_usage(ctx, "%s", bk_error_detail());
		return -1;
	case ':':
		return cli_usage(ctx, "option '%s' needs a value", argv[optind - 1]);
	default:
		return cli_usage(ctx, "unknown option '%s'", argv[optind - 1]);
	}
}

static int takes_value(const struct cli_option *o)
{
	return o->type != CLI_OPTION_FLAG && (o->type != CLI_OPTION_NOT_HERE || o->argh);
}

static int option_value(const struct cli_option *o, size_t i)
{
	return o->short_name ? o->short_name : OPT_VAL_BASE + (int)i;
}

/* A whole number of digits only, from o->min to o->max. */
static int parse_number(struct cli_ctx *ctx, const struct cli_option *o, const char *opt, const char *arg,
			long long *n_p)
{
	char *end = NULL;
	long long n;

	errno = 0;
	n = strtoll(arg, &end, 10);
	if (arg[0] < '0' || arg[0] > '9' || errno || !end || *end || n < o->min || n > o->max) {
		if (o->bad)
			return cli_usage(ctx, "%s", o->bad);
		return cli_usage(ctx, "%s takes a number from %lld to %lld, not '%.16s'", opt, o->min, o->max, arg);
	}
	*n_p = n;
	return -1;
}

static int apply(struct cli_ctx *ctx, const struct cli_option *o, const char *opt, const char *arg)
{
	long long n = 0;
	int code;

	switch (o->type) {
	case CLI_OPTION_FLAG:
		*(int *)o->value = 1;
		return -1;
	case CLI_OPTION_STRING:
		*(const char **)o->value = arg;
		return -1;
	case CLI_OPTION_INT:
		if ((code = parse_number(ctx, o, opt, arg, &n)) < 0)
			*(int *)o->value = (int)n;
		return code;
	case CLI_OPTION_UINT:
		if ((code = parse_number(ctx, o, opt, arg, &n)) < 0)
			*(unsigned *)o->value = (unsigned)n;
		return code;
	case CLI_OPTION_FN:
		return o->fn(ctx, arg, o->value);
	case CLI_OPTION_NOT_HERE:
		return cli_usage(ctx, "option '%s' does not apply here", opt);
	case CLI_OPTION_END:
		break;
	}
	return cli_usage(ctx, "unknown option '%s'", opt);
}

int cli_check_operands(struct cli_ctx *ctx, const struct cli_args *args)
{
	int n = args->argc;

	if (n < args->min)
		return cli_usage(ctx, "%s", args->missing ? args->missing : "missing argument");
	if (args->max >= 0 && n > args->max) {
		if (args->extra)
			return cli_usage(ctx, "%s", args->extra);
		return cli_usage(ctx, "unexpected argument '%s'%s", args->argv[args->max],
				 args->extra_why ? args->extra_why : "");
	}
	return -1;
}

int cli_parse_options(struct cli_ctx *ctx, int argc, char **argv, const struct cli_option *opts,
		      struct cli_args *args)
{
	struct option longopts[sizeof(shared) / sizeof(shared[0]) + OPTIONS_MAX + 1];
	char shortopts[sizeof(CLI_SHORTOPTS) + 2 * OPTIONS_MAX];
	size_t nopts = 0, nlong = 0, nshort = strlen(CLI_SHORTOPTS);
	struct cli_args none = {0, 0, NULL, NULL, NULL, 0, NULL};
	unsigned char seen[OPTIONS_MAX] = {0};
	int c, code;

	if (!args)
		args = &none;
	while (opts && opts[nopts].type != CLI_OPTION_END)
		nopts++;
	if (nopts > OPTIONS_MAX)
		return cli_fail(bk_fail(BK_ERR_STATE, "'%s' declares more than %d options", ctx->cmd->name, OPTIONS_MAX));
	memcpy(longopts, shared, sizeof(shared));
	nlong = sizeof(shared) / sizeof(shared[0]);
	memcpy(shortopts, CLI_SHORTOPTS, nshort);
	for (size_t i = 0; i < nopts; i++) {
		const struct cli_option *o = &opts[i];

		if (o->long_name)
			longopts[nlong++] = (struct option){o->long_name, takes_value(o) ? required_argument : no_argument,
							    NULL, option_value(o, i)};
		if (o->short_name) {
			shortopts[nshort++] = (char)o->short_name;
			if (takes_value(o))
				shortopts[nshort++] = ':';
		}
	}
	longopts[nlong] = (struct option){NULL, 0, NULL, 0};
	shortopts[nshort] = '\0';

	optind = 0;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		const struct cli_option *o = NULL;
		size_t at = 0;

		for (size_t i = 0; i < nopts && !o; i++)
			if (c == option_value(&opts[i], i)) {
				o = &opts[i];
				at = i;
			}
		if (o) {
			char name[64];

			if (o->long_name)
				snprintf(name, sizeof(name), "--%s", o->long_name);
			else
				snprintf(name, sizeof(name), "-%c", o->short_name);
			/* a value given twice would silently keep the last one (--scope A
			 * --scope B made a user of B alone): refuse it */
			if (takes_value(o) && seen[at]++) {
				if (o->long_name && strcmp(o->long_name, "scope") == 0)
					bk_hint("give several kecamatan in one --scope, separated by commas");
				return cli_usage(ctx, "%s given twice", name);
			}
			code = apply(ctx, o, name, optarg);
		} else {
			code = shared_option(ctx, c, argv);
		}
		if (code >= 0)
			return code;
	}
	args->argc = argc - optind;
	args->argv = argv + optind;
	return cli_check_operands(ctx, args);
}

int cli_parse_run(struct cli_ctx *ctx, int argc, char **argv, const struct cli_option *opts, cli_run_fn run,
		  void *arg)
{
	int code = cli_parse_options(ctx, argc, argv, opts, NULL);

	return code >= 0 ? code : cli_run(ctx, run, arg);
}

struct vault_only {
	cli_vault_fn run;
};

static bk_status run_vault_only(struct cli_ctx *ctx, struct bk_vault *v, void *arg)
{
	const struct vault_only *w = arg;

	(void)ctx;
	return w->run(v);
}

int cli_parse_run_vault(struct cli_ctx *ctx, int argc, char **argv, cli_vault_fn run)
{
	struct vault_only w = {run};

	return cli_parse_run(ctx, argc, argv, NULL, run_vault_only, &w);
}

int cli_parse_file_operand(struct cli_ctx *ctx, int argc, char **argv, const char *missing, size_t max,
			   struct cli_file *f)
{
	struct cli_args args = {.min = 1, .max = 1, .missing = missing, .extra = "unexpected argument"};
	bk_status rc;
	int code;

	memset(f, 0, sizeof(*f));
	if ((code = cli_parse_options(ctx, argc, argv, NULL, &args)) >= 0)
		return code;
	f->path = args.argv[0];
	if ((rc = bk_file_read(f->path, max, &f->text, &f->len)))
		return cli_fail(rc);
	return -1;
}

int cli_parse_run_format(struct cli_ctx *ctx, int argc, char **argv, cli_run_fn run)
{
	enum cli_format fmt = CLI_FORMAT_TABLE;
	const struct cli_option opts[] = {
		CLI_OPT_FN(0, "format", cli_option_format_no_csv, &fmt, "table|json"),
		CLI_OPT_END,
	};

	return cli_parse_run(ctx, argc, argv, opts, run, &fmt);
}

int cli_operand_row(struct cli_ctx *ctx, const char *arg, long long *id_p)
{
	char *end = NULL;

	errno = 0;
	*id_p = strtoll(arg, &end, 10);
	if (errno || !end || *end || *id_p <= 0)
		return cli_usage(ctx, "ID must be a row number");
	return -1;
}

/* Turns a parser's status into a callback's answer: -1 to go on, or the usage
 * error with the parser's detail. */
static int parsed(struct cli_ctx *ctx, bk_status rc)
{
	return rc == BK_OK ? -1 : cli_usage(ctx, "%s", bk_error_detail());
}

int cli_option_format(struct cli_ctx *ctx, const char *arg, void *value)
{
	return parsed(ctx, cli_parse_format(arg, value));
}

int cli_option_format_no_csv(struct cli_ctx *ctx, const char *arg, void *value)
{
	enum cli_format *fmt_p = value;

	if (cli_parse_format(arg, fmt_p) != BK_OK || *fmt_p == CLI_FORMAT_CSV)
		return cli_usage(ctx, "--format takes table or json");
	return -1;
}

int cli_option_kdf(struct cli_ctx *ctx, const char *arg, void *value)
{
	return parsed(ctx, cli_parse_kdf(arg, value));
}
