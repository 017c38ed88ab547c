/* options.h - the one option parser (git's parse-options habit, getopt_long
 * underneath): each command declares a table of its options and how many
 * operands it takes, and cli_parse_options() does the rest, the options
 * every command shares (-h, -C, -u, --passphrase-fd, --new-passphrase-fd)
 * included. Usage errors print "brankas: error: …" and the command's usage
 * and give exit code 2. */
#ifndef BK_CLI_OPTIONS_H
#define BK_CLI_OPTIONS_H

#include "cli/cli.h"

enum cli_option_type {
	CLI_OPTION_END,      /* ends a table */
	CLI_OPTION_FLAG,     /* no value; sets an int to 1 */
	CLI_OPTION_STRING,   /* a value; stores the argv string (not copied) in a const char * */
	CLI_OPTION_INT,      /* a whole number from min to max into an int */
	CLI_OPTION_UINT,     /* a whole number from min to max into an unsigned */
	CLI_OPTION_FN,       /* a value handed to fn */
	CLI_OPTION_NOT_HERE, /* an option of the command's family that this command refuses */
};

/* A CLI_OPTION_FN callback: parses arg into value. Returns -1 to go on, or
 * an exit code (cli_usage's 2 for a bad value). */
typedef int (*cli_option_fn)(struct cli_ctx *ctx, const char *arg, void *value);

struct cli_option {
	enum cli_option_type type;
	int short_name;        /* 'o', or 0 for a long option only */
	const char *long_name; /* "output", or NULL for a short option only */
	void *value;           /* where the option lands (the type says what it points to) */
	const char *argh;      /* the value's name in help, "FILE"; NULL: takes no value */
	long long min, max;    /* CLI_OPTION_INT, _UINT: the accepted range */
	const char *bad;       /* _INT, _UINT: the usage error for another value; NULL: "--x takes a
				* number from MIN to MAX, not 'V'" */
	cli_option_fn fn;      /* CLI_OPTION_FN */
};

/* Type checks: a wrong pointer type is a compile error. */
#define CLI_PTR_(type, v) ((void *)(1 ? (v) : (type *)NULL))

#define CLI_OPT_END {CLI_OPTION_END, 0, NULL, NULL, NULL, 0, 0, NULL, NULL}
#define CLI_OPT_FLAG(s, l, v) {CLI_OPTION_FLAG, s, l, CLI_PTR_(int, v), NULL, 0, 0, NULL, NULL}
#define CLI_OPT_STRING(s, l, v, argh) {CLI_OPTION_STRING, s, l, CLI_PTR_(const char *, v), argh, 0, 0, NULL, NULL}
#define CLI_OPT_INT(s, l, v, lo, hi, argh, bad) {CLI_OPTION_INT, s, l, CLI_PTR_(int, v), argh, lo, hi, bad, NULL}
#define CLI_OPT_UINT(s, l, v, lo, hi, argh, bad) \
	{CLI_OPTION_UINT, s, l, CLI_PTR_(unsigned, v), argh, lo, hi, bad, NULL}
#define CLI_OPT_FN(s, l, fn, v, argh) {CLI_OPTION_FN, s, l, v, argh, 0, 0, NULL, fn}
#define CLI_OPT_NOT_HERE(l, argh) {CLI_OPTION_NOT_HERE, 0, l, NULL, argh, 0, 0, NULL, NULL}

/* The operands (the arguments that are not options), in and out. */
struct cli_args {
	int min, max;          /* in: how many the command takes; max -1: any number */
	const char *missing;   /* in: the usage error for fewer than min (default "missing argument") */
	const char *extra;     /* in: the usage error for more than max (default "unexpected argument 'X'") */
	const char *extra_why; /* in: appended to the default extra message */
	int argc;              /* out: how many were given */
	char **argv;           /* out: the first of them (points into the caller's argv) */
};

/* cli_parse_options parses argv (argv[0] is the command's name) against opts
 * (ended by CLI_OPT_END; NULL: only the shared options) and the shared
 * options, then counts the operands against args. Returns -1 to go on, or an
 * exit code to return now: 0 after -h (the help printed), 2 after a usage
 * error (an unknown option, a missing or bad value, too few or too many
 * operands). Options are handled in the order given; values point into argv. */
int cli_parse_options(struct cli_ctx *ctx, int argc, char **argv, const struct cli_option *opts,
		      struct cli_args *args);

/* cli_parse_run is cli_parse_options for a command that takes no operands
 * and has nothing to check but its options: it parses, then hands over to
 * cli_run(ctx, run, arg). Returns the exit code. */
int cli_parse_run(struct cli_ctx *ctx, int argc, char **argv, const struct cli_option *opts, cli_run_fn run,
		  void *arg);

/* A command's work that needs nothing but the open vault. */
typedef bk_status (*cli_vault_fn)(struct bk_vault *v);

/* cli_parse_run_vault is cli_parse_run for a command with no options of its
 * own and no operands whose work needs nothing but the vault: it calls
 * run(v) with the vault open. Returns the exit code. */
int cli_parse_run_vault(struct cli_ctx *ctx, int argc, char **argv, cli_vault_fn run);

/* A file named by a command's operand, read whole. */
struct cli_file {
	const char *path; /* points into argv */
	uint8_t *text;    /* malloc'd, NUL after the len bytes; the caller frees it */
	size_t len;
};

/* cli_parse_file_operand parses a command with no options of its own and one
 * operand, a file (missing: the message when it is not given), and reads it
 * into f (at most max bytes), so that a bad file fails before any passphrase
 * is asked. Returns -1 to go on, or an exit code: 0 after -h, 2 after a usage
 * error, 1 when the file cannot be read (the error printed). */
int cli_parse_file_operand(struct cli_ctx *ctx, int argc, char **argv, const char *missing, size_t max,
			   struct cli_file *f);

/* cli_parse_run_format is cli_parse_run for a command whose one option is
 * --format table|json: run's arg is the enum cli_format chosen (table when
 * not given). */
int cli_parse_run_format(struct cli_ctx *ctx, int argc, char **argv, cli_run_fn run);

/* cli_check_operands counts args->argc operands against args' min and max,
 * as cli_parse_options does last: for a command whose own checks of option
 * values come first (it parses with max -1, then sets min, max and the
 * messages). Returns -1 to go on, or 2 after the usage error. */
int cli_check_operands(struct cli_ctx *ctx, const struct cli_args *args);

/* cli_operand_row parses a row number (an operand such as record show's ID)
 * into *id_p. Returns -1 to go on, or 2 after "ID must be a row number". */
int cli_operand_row(struct cli_ctx *ctx, const char *arg, long long *id_p);

/* cli_option_format is a CLI_OPT_FN callback for --format (value: an enum cli_format *). */
int cli_option_format(struct cli_ctx *ctx, const char *arg, void *value);

/* cli_option_format_no_csv is cli_option_format for output that is no table of rows: table or json. */
int cli_option_format_no_csv(struct cli_ctx *ctx, const char *arg, void *value);

/* cli_option_kdf is a CLI_OPT_FN callback for --kdf (value: an enum bk_kdf_level *). */
int cli_option_kdf(struct cli_ctx *ctx, const char *arg, void *value);

#endif
