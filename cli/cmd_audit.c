/* cmd_audit.c - `brankas audit verify|head|show`. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fileio.h"
#include "cli/cli.h"
#include "crypto/encoding.h"

#define CHECKPOINT_MAX 4096

enum { OPT_SINCE = OPT_FIRST_COMMAND_OPT, OPT_FULL, OPT_ACTOR, OPT_ACTION };

int cmd_audit_verify(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_LONGOPTS,
		{"since", required_argument, NULL, OPT_SINCE},
		{"full", no_argument, NULL, OPT_FULL},
		{NULL, 0, NULL, 0},
	};
	struct bk_audit_report report;
	struct bk_vault *v = NULL;
	const char *since = NULL;
	uint8_t *cp = NULL, *sig = NULL;
	size_t cp_len = 0, sig_len = 0;
	char sig_path[PATH_MAX], head[BK_HEX_LEN(BK_AUDIT_HASHBYTES)];
	int c, code, full = 0;
	bk_status rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, CLI_SHORTOPTS, longopts, NULL)) != -1) {
		switch (c) {
		case OPT_SINCE:
			since = optarg;
			break;
		case OPT_FULL:
			full = 1;
			break;
		default:
			if ((code = cli_common_option(ctx, c, argv)) >= 0)
				return code;
		}
	}
	if (optind != argc)
		return cli_usage(ctx, "unexpected argument '%s'", argv[optind]);
	if (since) {
		snprintf(sig_path, sizeof(sig_path), "%s.minisig", since);
		if ((rc = bk_file_read(since, CHECKPOINT_MAX, &cp, &cp_len)))
			goto out;
		if ((rc = bk_file_read(sig_path, CHECKPOINT_MAX, &sig, &sig_len))) {
			bk_hint("the checkpoint's signature is expected in '%s'", sig_path);
			goto out;
		}
	}
	if ((rc = cli_unlock(ctx, &v)) ||
	    (rc = bk_vault_audit_verify(v, (const char *)cp, cp_len, (const char *)sig, sig_len, full, &report)))
		goto out;
	bk_hex_encode(head, report.head.hash, sizeof(report.head.hash));
	printf("audit.log ok: %llu entries, chain intact, %llu signatures verified%s\n",
	       (unsigned long long)report.entries, (unsigned long long)report.signatures,
	       full ? " (all)" : " (new since the last verification)");
	printf("head: seq %llu, hash %s\n", (unsigned long long)report.head.seq, head);
	if (report.unsigned_tail)
		printf("note: %llu entries after the last signature (failed unlocks are logged unsigned)\n",
		       (unsigned long long)report.unsigned_tail);
	if (since)
		printf("extends the checkpoint in '%s'\n", since);
out:
	free(cp);
	free(sig);
	bk_vault_close(v);
	return rc ? cli_fail(rc) : cli_finish(CLI_EXIT_OK);
}

int cmd_audit_head(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_LONGOPTS,
		{"output", required_argument, NULL, 'o'},
		{NULL, 0, NULL, 0},
	};
	struct bk_vault *v = NULL;
	const char *out = NULL;
	char *text = NULL, *sig = NULL, sig_path[PATH_MAX];
	int c, code;
	bk_status rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, CLI_SHORTOPTS "o:", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		default:
			if ((code = cli_common_option(ctx, c, argv)) >= 0)
				return code;
		}
	}
	if (optind != argc)
		return cli_usage(ctx, "unexpected argument '%s'", argv[optind]);
	if (!out)
		return cli_usage(ctx, "-o FILE is required");
	if ((size_t)snprintf(sig_path, sizeof(sig_path), "%s.minisig", out) >= sizeof(sig_path))
		return cli_usage(ctx, "path too long");
	/* a checkpoint never replaces a file: -o audit.log would have renamed the
	 * checkpoint over the vault's own log */
	for (const char *p = out; p; p = p == out ? sig_path : NULL) {
		struct stat st;

		if (lstat(p, &st) == 0) {
			bk_hint("choose a new file name; checkpoints are kept, not overwritten");
			return cli_fail(bk_fail(BK_ERR_EXISTS, "'%s' already exists: it is not replaced", p));
		}
	}
	if ((rc = cli_unlock(ctx, &v)) || (rc = bk_vault_audit_checkpoint(v, &text, &sig)) ||
	    (rc = bk_file_create_exclusive(out, text, strlen(text), 0644)))
		goto done;
	if ((rc = bk_file_create_exclusive(sig_path, sig, strlen(sig), 0644))) {
		unlink(out); /* both files or neither */
		goto done;
	}
	fputs(text, stdout);
done:
	free(text);
	free(sig);
	bk_vault_close(v);
	return rc ? cli_fail(rc) : cli_finish(CLI_EXIT_OK);
}

static bk_status emit_line(void *ctx, const char *line, size_t len)
{
	(void)ctx;
	if (fwrite(line, 1, len, stdout) != len || putchar('\n') == EOF)
		return bk_fail(BK_ERR_IO, "cannot write the output");
	return BK_OK;
}

int cmd_audit_show(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_LONGOPTS,
		{"actor", required_argument, NULL, OPT_ACTOR},
		{"action", required_argument, NULL, OPT_ACTION},
		{"since", required_argument, NULL, OPT_SINCE},
		{NULL, 0, NULL, 0},
	};
	struct bk_audit_filter filter = {NULL, NULL, NULL};
	struct bk_vault *v = NULL;
	int c, code;
	bk_status rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, CLI_SHORTOPTS, longopts, NULL)) != -1) {
		switch (c) {
		case OPT_ACTOR:
			filter.actor = optarg;
			break;
		case OPT_ACTION:
			filter.action = optarg;
			break;
		case OPT_SINCE:
			filter.since = optarg;
			break;
		default:
			if ((code = cli_common_option(ctx, c, argv)) >= 0)
				return code;
		}
	}
	if (optind != argc)
		return cli_usage(ctx, "unexpected argument '%s'", argv[optind]);
	if ((rc = cli_unlock(ctx, &v)) || (rc = bk_vault_require(v, BK_ACT_AUDIT_READ, NULL, BK_COL_NONE, NULL)) ||
	    (rc = bk_vault_record(v, "audit-show", NULL)))
		goto out;
	rc = bk_audit_show(bk_vault_audit_path(v), &filter, emit_line, NULL);
out:
	bk_vault_close(v);
	return rc ? cli_fail(rc) : cli_finish(CLI_EXIT_OK);
}
