/* cmd_subject.c - `brankas subject export|correct|erase`, `record erase`,
 * `retention apply`: data-subject rights and retention. The NIK comes from
 * stdin or a prompt, never the command line; destructive commands ask on a
 * terminal and need --force otherwise. */
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "cli/output.h"
#include "crypto/secmem.h"
#include "vault/records/edit.h"
#include "vault/records/subjects.h"

#define CORRECT_INPUT_MAX (16u << 20)
#define CORRECT_MESSAGES 100

/* Reads the NIK: one line of stdin, or a prompt (echo off) on a terminal. */
static bk_status read_nik(char **nik_p)
{
	char *line = NULL, *nik = NULL;
	size_t len = 0, used = 0;
	bk_status rc;

	*nik_p = NULL;
	if ((rc = cli_passphrase(isatty(0) ? -1 : 0, "NIK: ", 0, &line, &len)))
		goto out;
	if (!(nik = bk_secmem_alloc(BK_SUBJECT_NIK_LINE_SIZE))) {
		rc = bk_fail(BK_ERR_NOMEM, "out of guarded memory");
		goto out;
	}
	if ((rc = bk_subject_nik_line(line, len, nik, BK_SUBJECT_NIK_LINE_SIZE, &used)))
		goto out;
	*nik_p = nik;
	nik = NULL;
out:
	bk_secmem_free(nik);
	bk_secmem_free(line);
	return rc;
}

/* Destructive commands: a terminal asks, a script says --force. */
static bk_status confirm(int force, const char *what)
{
	char answer[16];
	int fd;
	ssize_t n;

	if (force)
		return BK_OK;
	fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 || !isatty(0)) {
		if (fd >= 0)
			close(fd);
		bk_hint("add --force to confirm without a terminal");
		return bk_fail(BK_ERR_USAGE, "%s needs confirmation", what);
	}
	dprintf(fd, "%s cannot be undone. Type 'yes' to go on: ", what);
	n = read(fd, answer, sizeof(answer) - 1);
	close(fd);
	if (n < 3 || strncmp(answer, "yes", 3) != 0)
		return bk_fail(BK_ERR_USAGE, "not confirmed; nothing was changed");
	return BK_OK;
}

/* The options of this family: each command passes where those it takes land,
 * NULL for those it refuses; args says which operands it takes. The purpose
 * is checked before the operands are counted. */
static int parse(struct cli_ctx *ctx, int argc, char **argv, const char **purpose, int *force, int *dry_run,
		 struct cli_args *args)
{
	const struct cli_option opts[] = {
		purpose ? (struct cli_option)CLI_OPT_STRING(0, "purpose", purpose, "TEXT")
			: (struct cli_option)CLI_OPT_NOT_HERE("purpose", "TEXT"),
		force ? (struct cli_option)CLI_OPT_FLAG(0, "force", force) : (struct cli_option)CLI_OPT_NOT_HERE("force", NULL),
		dry_run ? (struct cli_option)CLI_OPT_FLAG(0, "dry-run", dry_run)
			: (struct cli_option)CLI_OPT_NOT_HERE("dry-run", NULL),
		CLI_OPT_END,
	};
	struct cli_args any = {.min = 0, .max = -1};
	int code;

	if ((code = cli_parse_options(ctx, argc, argv, opts, &any)) >= 0)
		return code;
	if (purpose && (!*purpose || !(*purpose)[0]))
		return cli_usage(ctx, "--purpose TEXT is required (it is written to the audit log)");
	args->argc = any.argc;
	args->argv = any.argv;
	return cli_check_operands(ctx, args);
}

struct nik_args {
	const char *purpose;
	int force;
};

/* Subject export and erase: parses --purpose (and --force when takes_force),
 * refuses operands (the NIK is no argument), then runs run with a struct
 * nik_args. Returns the exit code. */
static int parse_nik_run(struct cli_ctx *ctx, int argc, char **argv, int takes_force, cli_run_fn run)
{
	struct cli_args args = {
		.extra = "unexpected argument: the NIK is read from stdin or a prompt, never the command line"};
	struct nik_args a = {NULL, 0};
	int code = parse(ctx, argc, argv, &a.purpose, takes_force ? &a.force : NULL, NULL, &args);

	return code >= 0 ? code : cli_run(ctx, run, &a);
}

/* A look-up of one person by NIK: bk_vault_subject_export or bk_vault_find. */
typedef bk_status (*lookup_fn)(struct bk_vault *v, const char *nik, const char *purpose, json_t **out_p,
			       struct bk_subject_result *r);

/* What export and find share: reads the NIK and looks the person up with fn
 * for a's purpose, the NIK wiped whatever happened. *out_p is NULL on entry;
 * the caller frees it. */
static bk_status look_up(struct bk_vault *v, const struct nik_args *a, lookup_fn fn, json_t **out_p,
			 struct bk_subject_result *r)
{
	char *nik = NULL;
	bk_status rc;

	*out_p = NULL;
	if ((rc = read_nik(&nik)) == BK_OK)
		rc = fn(v, nik, a->purpose, out_p, r);
	bk_secmem_free(nik);
	return rc;
}

static bk_status run_export(struct cli_ctx *ctx, struct bk_vault *v, void *arg)
{
	struct bk_subject_result r;
	json_t *out;
	bk_status rc;

	(void)ctx;
	if ((rc = look_up(v, arg, bk_vault_subject_export, &out, &r)) == BK_OK) {
		cli_print_json(stdout, out);
		if (r.unreadable)
			fprintf(stderr, "brankas: note: %llu candidate rows lie in kecamatan whose key you do not hold\n",
				(unsigned long long)r.unreadable);
	}
	json_decref(out);
	return rc;
}

int cmd_subject_export(struct cli_ctx *ctx, int argc, char **argv)
{
	return parse_nik_run(ctx, argc, argv, 0, run_export);
}

static bk_status run_find(struct cli_ctx *ctx, struct bk_vault *v, void *arg)
{
	struct bk_subject_result r;
	json_t *out, *found;
	bk_status rc;

	(void)ctx;
	if ((rc = look_up(v, arg, bk_vault_find, &out, &r)) == BK_OK) {
		found = json_object_get(json_object_get(out, "datasets"), "warga");
		if (found)
			cli_print_json(stdout, found);
		else
			puts("[]");
		if (!r.rows)
			fprintf(stderr, "brankas: no registered person has that NIK%s\n",
				r.unreadable ? " in the kecamatan whose keys you hold" : "");
	}
	json_decref(out);
	return rc;
}

int cmd_find(struct cli_ctx *ctx, int argc, char **argv)
{
	struct nik_args a = {NULL, 0};
	const char *nik_arg = NULL;
	const struct cli_option opts[] = {
		CLI_OPT_STRING(0, "nik", &nik_arg, "-"),
		CLI_OPT_STRING(0, "purpose", &a.purpose, "TEXT"),
		CLI_OPT_END,
	};
	struct cli_args args = {.min = 0, .max = -1};
	int code;

	if ((code = cli_parse_options(ctx, argc, argv, opts, &args)) >= 0)
		return code;
	if (args.argc != 0 || !nik_arg || strcmp(nik_arg, "-") != 0)
		return cli_usage(ctx, "use --nik - (the NIK is read from stdin or a prompt, never the command line)");
	if (!a.purpose || !a.purpose[0])
		return cli_usage(ctx, "--purpose TEXT is required (it is written to the audit log)");
	return cli_run(ctx, run_find, &a);
}

/* Splits the NIK (the first line, spaces dropped) off the input; the rest are the corrections. */
static bk_status split_nik(const char *in, size_t len, char **nik_p, const char **rest_p, size_t *rest_len_p)
{
	char *nik = bk_secmem_alloc(BK_SUBJECT_NIK_LINE_SIZE);
	size_t used = 0;
	bk_status rc;

	*nik_p = NULL;
	if (!nik)
		return bk_fail(BK_ERR_NOMEM, "out of guarded memory");
	if ((rc = bk_subject_nik_line(in, len, nik, BK_SUBJECT_NIK_LINE_SIZE, &used))) {
		bk_secmem_free(nik);
		return rc;
	}
	*nik_p = nik;
	*rest_p = in + used;
	*rest_len_p = len - used;
	return BK_OK;
}

static bk_status run_correct(struct cli_ctx *ctx, struct bk_vault *v, void *arg)
{
	struct bk_edit_opts *opts = arg;
	struct bk_edit_result res;
	char *nik = NULL, *in = NULL;
	size_t len = 0;
	bk_status rc;

	(void)ctx;
	if (isatty(0)) {
		/* on a terminal the NIK is asked with echo off; the corrections follow on stdin */
		if ((rc = read_nik(&nik)))
			goto done;
		fprintf(stderr, "corrections, one COLUMN=VALUE per line; end with Ctrl-D:\n");
		if ((rc = cli_read_input(0, CORRECT_INPUT_MAX, &in, &len)))
			goto done;
		opts->text = in;
		opts->len = len;
		opts->first_line = 1;
	} else {
		if ((rc = cli_read_input(0, CORRECT_INPUT_MAX, &in, &len)) ||
		    (rc = split_nik(in, len, &nik, &opts->text, &opts->len)))
			goto done;
		opts->first_line = 2;
	}
	rc = bk_vault_subject_correct(v, nik, opts, &res);
	if (rc == BK_ERR_FORMAT && res.problems > CORRECT_MESSAGES)
		fprintf(stderr, "brankas: %llu more problems not shown\n",
			(unsigned long long)(res.problems - CORRECT_MESSAGES));
	if (rc)
		goto done;
	printf("corrected %llu row%s%s%s\n", (unsigned long long)res.rows, res.rows == 1 ? "" : "s",
	       res.columns[0] ? ": " : "", res.columns);
	for (size_t i = 0; i < res.ndatasets; i++)
		printf("%s: %llu of %llu row%s changed\n", res.datasets[i].name, (unsigned long long)res.datasets[i].changed,
		       (unsigned long long)res.datasets[i].found, res.datasets[i].found == 1 ? "" : "s");
	if (!res.ndatasets)
		fprintf(stderr, "brankas: no rows hold that NIK%s\n",
			res.unreadable || res.some_stores ? " in the kecamatan whose keys you hold" : "");
	if (!res.ndatasets && res.some_stores)
		fprintf(stderr, "brankas: note: rows in other kecamatan are beyond your keys; an admin can finish\n");
	if (res.unreadable)
		fprintf(stderr, "brankas: note: %llu candidate rows lie in kecamatan whose key you do not hold; an "
				"admin can finish\n",
			(unsigned long long)res.unreadable);
	if (res.unlinked)
		fprintf(stderr, "brankas: note: %llu row%s left uncorrected no longer link%s to this person\n",
			(unsigned long long)res.unlinked, res.unlinked == 1 ? "" : "s", res.unlinked == 1 ? "s" : "");
done:
	bk_secmem_free(nik);
	bk_secmem_free(in);
	return rc;
}

int cmd_subject_correct(struct cli_ctx *ctx, int argc, char **argv)
{
	struct cli_args args = {
		.extra = "unexpected argument: the NIK and the values are read from stdin, never the command line"};
	struct bk_edit_opts opts = {0};
	int code;

	if ((code = parse(ctx, argc, argv, &opts.purpose, NULL, NULL, &args)) >= 0)
		return code;
	if (ctx->pass_fd == 0)
		return cli_usage(ctx, "stdin carries the NIK and the corrections: give the passphrase on another descriptor");
	opts.path = "<stdin>";
	opts.max_messages = CORRECT_MESSAGES;
	opts.problem = cli_problem;
	return cli_run(ctx, run_correct, &opts);
}

static bk_status run_subject_erase(struct cli_ctx *ctx, struct bk_vault *v, void *arg)
{
	struct nik_args *a = arg;
	struct bk_subject_result r;
	char *nik = NULL;
	bk_status rc;

	(void)ctx;
	if ((rc = read_nik(&nik)) || (rc = confirm(a->force, "erasing a person's data")) ||
	    (rc = bk_vault_subject_erase(v, nik, a->purpose, &r)))
		goto done;
	printf("erased %llu rows\n", (unsigned long long)r.rows);
	if (r.unreadable)
		fprintf(stderr, "brankas: note: %llu candidate rows lie in kecamatan whose key you do not hold; an "
				"admin can finish\n",
			(unsigned long long)r.unreadable);
done:
	bk_secmem_free(nik);
	return rc;
}

int cmd_subject_erase(struct cli_ctx *ctx, int argc, char **argv)
{
	return parse_nik_run(ctx, argc, argv, 1, run_subject_erase);
}

struct row_args {
	const char *dataset, *purpose;
	long long id;
	int force;
};

static bk_status run_record_erase(struct cli_ctx *ctx, struct bk_vault *v, void *arg)
{
	struct row_args *a = arg;
	bk_status rc;

	(void)ctx;
	if ((rc = confirm(a->force, "erasing a record")) || (rc = bk_vault_record_erase(v, a->dataset, a->id, a->purpose)))
		return rc;
	printf("erased row %lld of '%s'\n", a->id, a->dataset);
	return BK_OK;
}

int cmd_record_erase(struct cli_ctx *ctx, int argc, char **argv)
{
	struct cli_args args = {
		.min = 2, .max = 2, .missing = "DATASET and ID are required", .extra = "DATASET and ID are required"};
	struct row_args a = {NULL, NULL, 0, 0};
	int code;

	if ((code = parse(ctx, argc, argv, &a.purpose, &a.force, NULL, &args)) >= 0 ||
	    (code = cli_operand_row(ctx, args.argv[1], &a.id)) >= 0)
		return code;
	a.dataset = args.argv[0];
	return cli_run(ctx, run_record_erase, &a);
}

struct retention_args {
	int force, dry_run;
};

static bk_status run_retention(struct cli_ctx *ctx, struct bk_vault *v, void *arg)
{
	struct retention_args *a = arg;
	uint64_t n = 0;
	bk_status rc;

	(void)ctx;
	if ((!a->dry_run && (rc = confirm(a->force, "deleting rows past their retention"))) ||
	    (rc = bk_vault_retention_apply(v, a->dry_run, &n)))
		return rc;
	printf("%s %llu rows past their dataset's retention\n", a->dry_run ? "found" : "deleted", (unsigned long long)n);
	return BK_OK;
}

int cmd_retention_apply(struct cli_ctx *ctx, int argc, char **argv)
{
	struct cli_args args = {0};
	struct retention_args a = {0, 0};
	int code;

	if ((code = parse(ctx, argc, argv, NULL, &a.force, &a.dry_run, &args)) >= 0)
		return code;
	return cli_run(ctx, run_retention, &a);
}
