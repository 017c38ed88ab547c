/* cmd_subject.c - `brankas subject export|correct|erase`, `record erase`,
 * `retention apply`: data-subject rights and retention. The NIK comes from
 * stdin or a prompt, never the command line; destructive commands ask on a
 * terminal and need --force otherwise. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "crypto/secmem.h"
#include "vault/records/edit.h"
#include "vault/records/subjects.h"

#define CORRECT_INPUT_MAX (16u << 20)
#define CORRECT_MESSAGES 100

enum { OPT_PURPOSE = OPT_FIRST_COMMAND_OPT, OPT_FORCE, OPT_DRY_RUN };

/* Reads the NIK: one line of stdin, or a prompt (echo off) on a terminal. */
static bk_status read_nik(char **nik_p)
{
	size_t len = 0;
	bk_status rc = cli_passphrase(isatty(0) ? -1 : 0, "NIK: ", 0, nik_p, &len);

	if (rc == BK_OK) {
		/* people paste NIKs with spaces: keep the digits only when that is all there is */
		size_t j = 0;

		for (size_t i = 0; i < len; i++)
			if ((*nik_p)[i] != ' ')
				(*nik_p)[j++] = (*nik_p)[i];
		(*nik_p)[j] = '\0';
	}
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

static int parse(struct cli_ctx *ctx, int argc, char **argv, const char **purpose, int *force, int *dry_run)
{
	static const struct option longopts[] = {
		CLI_LONGOPTS,
		{"purpose", required_argument, NULL, OPT_PURPOSE},
		{"force", no_argument, NULL, OPT_FORCE},
		{"dry-run", no_argument, NULL, OPT_DRY_RUN},
		{NULL, 0, NULL, 0},
	};
	int c, code;

	optind = 0;
	while ((c = getopt_long(argc, argv, CLI_SHORTOPTS, longopts, NULL)) != -1) {
		if (c == OPT_PURPOSE && purpose)
			*purpose = optarg;
		else if (c == OPT_FORCE && force)
			*force = 1;
		else if (c == OPT_DRY_RUN && dry_run)
			*dry_run = 1;
		else if (c == OPT_PURPOSE || c == OPT_FORCE || c == OPT_DRY_RUN)
			return cli_usage(ctx, "option '%s' does not apply here", argv[optind - 1]);
		else if ((code = cli_common_option(ctx, c, argv)) >= 0)
			return code;
	}
	if (purpose && (!*purpose || !(*purpose)[0]))
		return cli_usage(ctx, "--purpose TEXT is required (it is written to the audit log)");
	return -1;
}

int cmd_subject_export(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *purpose = NULL;
	struct bk_subject_result r;
	struct bk_vault *v = NULL;
	json_t *out = NULL;
	char *nik = NULL;
	int code;
	bk_status rc;

	if ((code = parse(ctx, argc, argv, &purpose, NULL, NULL)) >= 0)
		return code;
	if (optind != argc)
		return cli_usage(ctx, "unexpected argument: the NIK is read from stdin or a prompt, never the command line");
	if ((rc = cli_unlock(ctx, &v)) || (rc = read_nik(&nik)) ||
	    (rc = bk_vault_subject_export(v, nik, purpose, &out, &r)))
		goto done;
	json_dumpf(out, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	putchar('\n');
	if (r.unreadable)
		fprintf(stderr, "brankas: note: %llu candidate rows lie in kecamatan whose key you do not hold\n",
			(unsigned long long)r.unreadable);
done:
	json_decref(out);
	bk_secmem_free(nik);
	bk_vault_close(v);
	return rc ? cli_fail(rc) : cli_finish(CLI_EXIT_OK);
}

int cmd_find(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_LONGOPTS,
		{"nik", required_argument, NULL, 'n'},
		{"purpose", required_argument, NULL, OPT_PURPOSE},
		{NULL, 0, NULL, 0},
	};
	const char *purpose = NULL, *nik_arg = NULL;
	struct bk_subject_result r;
	struct bk_vault *v = NULL;
	json_t *out = NULL;
	char *nik = NULL;
	int c, code;
	bk_status rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, CLI_SHORTOPTS, longopts, NULL)) != -1) {
		if (c == 'n')
			nik_arg = optarg;
		else if (c == OPT_PURPOSE)
			purpose = optarg;
		else if ((code = cli_common_option(ctx, c, argv)) >= 0)
			return code;
	}
	if (optind != argc || !nik_arg || strcmp(nik_arg, "-") != 0)
		return cli_usage(ctx, "use --nik - (the NIK is read from stdin or a prompt, never the command line)");
	if (!purpose || !purpose[0])
		return cli_usage(ctx, "--purpose TEXT is required (it is written to the audit log)");
	if ((rc = cli_unlock(ctx, &v)) || (rc = read_nik(&nik)) || (rc = bk_vault_find(v, nik, purpose, &out, &r)))
		goto done;
	{
		json_t *found = json_object_get(json_object_get(out, "datasets"), "warga");

		if (found)
			json_dumpf(found, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		else
			fputs("[]", stdout);
		putchar('\n');
	}
	if (!r.rows)
		fprintf(stderr, "brankas: no registered person has that NIK%s\n",
			r.unreadable ? " in the kecamatan whose keys you hold" : "");
done:
	json_decref(out);
	bk_secmem_free(nik);
	bk_vault_close(v);
	return rc ? cli_fail(rc) : cli_finish(CLI_EXIT_OK);
}

/* Splits the NIK (the first line, spaces dropped) off the input; the rest are the corrections. */
static bk_status split_nik(char *in, size_t len, char **nik_p, const char **rest_p, size_t *rest_len_p)
{
	size_t line = strcspn(in, "\n"), j = 0;
	char *nik = bk_secmem_alloc(line + 1);

	*nik_p = NULL;
	if (!nik)
		return bk_fail(BK_ERR_NOMEM, "out of guarded memory");
	for (size_t i = 0; i < line; i++)
		if (in[i] != ' ' && in[i] != '\r')
			nik[j++] = in[i];
	nik[j] = '\0';
	*nik_p = nik;
	*rest_p = line < len ? in + line + 1 : in + len;
	*rest_len_p = line < len ? len - line - 1 : 0;
	return BK_OK;
}

int cmd_subject_correct(struct cli_ctx *ctx, int argc, char **argv)
{
	struct bk_edit_opts opts = {0};
	struct bk_edit_result res;
	struct bk_vault *v = NULL;
	char *nik = NULL, *in = NULL;
	size_t len = 0;
	int code, tty = isatty(0);
	bk_status rc;

	if ((code = parse(ctx, argc, argv, &opts.purpose, NULL, NULL)) >= 0)
		return code;
	if (optind != argc)
		return cli_usage(ctx, "unexpected argument: the NIK and the values are read from stdin, never the command "
				      "line");
	if (ctx->pass_fd == 0)
		return cli_usage(ctx, "stdin carries the NIK and the corrections: give the passphrase on another descriptor");
	opts.path = "<stdin>";
	opts.max_messages = CORRECT_MESSAGES;
	opts.problem = cli_problem;
	if ((rc = cli_unlock(ctx, &v)))
		goto done;
	if (tty) {
		/* on a terminal the NIK is asked with echo off; the corrections follow on stdin */
		if ((rc = read_nik(&nik)))
			goto done;
		fprintf(stderr, "corrections, one COLUMN=VALUE per line; end with Ctrl-D:\n");
		if ((rc = cli_read_input(0, CORRECT_INPUT_MAX, &in, &len)))
			goto done;
		opts.text = in;
		opts.len = len;
		opts.first_line = 1;
	} else {
		if ((rc = cli_read_input(0, CORRECT_INPUT_MAX, &in, &len)) ||
		    (rc = split_nik(in, len, &nik, &opts.text, &opts.len)))
			goto done;
		opts.first_line = 2;
	}
	rc = bk_vault_subject_correct(v, nik, &opts, &res);
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
			res.unreadable ? " in the kecamatan whose keys you hold" : "");
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
	bk_vault_close(v);
	return rc ? cli_fail(rc) : cli_finish(CLI_EXIT_OK);
}

int cmd_subject_erase(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *purpose = NULL;
	struct bk_subject_result r;
	struct bk_vault *v = NULL;
	char *nik = NULL;
	int code, force = 0;
	bk_status rc;

	if ((code = parse(ctx, argc, argv, &purpose, &force, NULL)) >= 0)
		return code;
	if (optind != argc)
		return cli_usage(ctx, "unexpected argument: the NIK is read from stdin or a prompt, never the command line");
	if ((rc = cli_unlock(ctx, &v)) || (rc = read_nik(&nik)) || (rc = confirm(force, "erasing a person's data")) ||
	    (rc = bk_vault_subject_erase(v, nik, purpose, &r)))
		goto done;
	printf("erased %llu rows\n", (unsigned long long)r.rows);
	if (r.unreadable)
		fprintf(stderr, "brankas: note: %llu candidate rows lie in kecamatan whose key you do not hold; an "
				"admin can finish\n",
			(unsigned long long)r.unreadable);
done:
	bk_secmem_free(nik);
	bk_vault_close(v);
	return rc ? cli_fail(rc) : cli_finish(CLI_EXIT_OK);
}

int cmd_record_erase(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *purpose = NULL;
	struct bk_vault *v = NULL;
	char *end = NULL;
	long long id;
	int code, force = 0;
	bk_status rc;

	if ((code = parse(ctx, argc, argv, &purpose, &force, NULL)) >= 0)
		return code;
	if (argc - optind != 2)
		return cli_usage(ctx, "DATASET and ID are required");
	errno = 0;
	id = strtoll(argv[optind + 1], &end, 10);
	if (errno || !end || *end || id <= 0)
		return cli_usage(ctx, "ID must be a row number");
	if ((rc = cli_unlock(ctx, &v)) || (rc = confirm(force, "erasing a record")) ||
	    (rc = bk_vault_record_erase(v, argv[optind], id, purpose)))
		goto done;
	printf("erased row %lld of '%s'\n", id, argv[optind]);
done:
	bk_vault_close(v);
	return rc ? cli_fail(rc) : cli_finish(CLI_EXIT_OK);
}

int cmd_retention_apply(struct cli_ctx *ctx, int argc, char **argv)
{
	struct bk_vault *v = NULL;
	uint64_t n = 0;
	int code, force = 0, dry_run = 0;
	bk_status rc;

	if ((code = parse(ctx, argc, argv, NULL, &force, &dry_run)) >= 0)
		return code;
	if (optind != argc)
		return cli_usage(ctx, "unexpected argument '%s'", argv[optind]);
	if ((rc = cli_unlock(ctx, &v)) || (!dry_run && (rc = confirm(force, "deleting rows past their retention"))) ||
	    (rc = bk_vault_retention_apply(v, dry_run, &n)))
		goto done;
	printf("%s %llu rows past their dataset's retention\n", dry_run ? "found" : "deleted", (unsigned long long)n);
done:
	bk_vault_close(v);
	return rc ? cli_fail(rc) : cli_finish(CLI_EXIT_OK);
}
