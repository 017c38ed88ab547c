/* cmd_audit.c - `brankas audit verify|head|show`. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fileio.h"
#include "cli/cli.h"
#include "cli/options.h"
#include "crypto/encoding.h"

#define CHECKPOINT_MAX 4096

struct verify_args {
	const char *since;
	int full;
	uint8_t *cp, *sig;
	size_t cp_len, sig_len;
};

static bk_status run_verify(struct cli_ctx *ctx, struct bk_vault *v, void *arg)
{
	struct verify_args *a = arg;
	struct bk_audit_report report;
	char head[BK_HEX_LEN(BK_AUDIT_HASHBYTES)];
	bk_status rc;

	(void)ctx;
	if ((rc = bk_vault_audit_verify(v, (const char *)a->cp, a->cp_len, (const char *)a->sig, a->sig_len, a->full,
					 &report)))
		return rc;
	bk_hex_encode(head, report.head.hash, sizeof(report.head.hash));
	printf("audit.log ok: %llu entries, chain intact, %llu signatures verified%s\n",
	       (unsigned long long)report.entries, (unsigned long long)report.signatures,
	       a->full ? " (all)" : " (new since the last verification)");
	printf("head: seq %llu, hash %s\n", (unsigned long long)report.head.seq, head);
	if (report.unsigned_tail)
		printf("note: %llu entries after the last signature (failed unlocks are logged unsigned)\n",
		       (unsigned long long)report.unsigned_tail);
	if (a->since)
		printf("extends the checkpoint in '%s'\n", a->since);
	return BK_OK;
}

int cmd_audit_verify(struct cli_ctx *ctx, int argc, char **argv)
{
	struct verify_args a = {0};
	const struct cli_option opts[] = {
		CLI_OPT_STRING(0, "since", &a.since, "CHECKPOINT"),
		CLI_OPT_FLAG(0, "full", &a.full),
		CLI_OPT_END,
	};
	char sig_path[PATH_MAX];
	int code;
	bk_status rc = BK_OK;

	if ((code = cli_parse_options(ctx, argc, argv, opts, NULL)) >= 0)
		return code;
	if (a.since) {
		snprintf(sig_path, sizeof(sig_path), "%s.minisig", a.since);
		if ((rc = bk_file_read(a.since, CHECKPOINT_MAX, &a.cp, &a.cp_len)) == BK_OK &&
		    (rc = bk_file_read(sig_path, CHECKPOINT_MAX, &a.sig, &a.sig_len)))
			bk_hint("the checkpoint's signature is expected in '%s'", sig_path);
	}
	code = rc ? cli_fail(rc) : cli_run(ctx, run_verify, &a);
	free(a.cp);
	free(a.sig);
	return code;
}

struct head_args {
	const char *out;
	char sig_path[PATH_MAX];
};

static bk_status run_head(struct cli_ctx *ctx, struct bk_vault *v, void *arg)
{
	struct head_args *a = arg;
	char *text = NULL, *sig = NULL;
	bk_status rc;

	(void)ctx;
	if ((rc = bk_vault_audit_checkpoint(v, &text, &sig)) ||
	    (rc = bk_file_create_exclusive(a->out, text, strlen(text), 0644)))
		goto done;
	if ((rc = bk_file_create_exclusive(a->sig_path, sig, strlen(sig), 0644))) {
		unlink(a->out); /* both files or neither */
		goto done;
	}
	fputs(text, stdout);
done:
	free(text);
	free(sig);
	return rc;
}

int cmd_audit_head(struct cli_ctx *ctx, int argc, char **argv)
{
	struct head_args a = {0};
	const struct cli_option opts[] = {
		CLI_OPT_STRING('o', "output", &a.out, "FILE"),
		CLI_OPT_END,
	};
	int code;

	if ((code = cli_parse_options(ctx, argc, argv, opts, NULL)) >= 0)
		return code;
	if (!a.out)
		return cli_usage(ctx, "-o FILE is required");
	if ((size_t)snprintf(a.sig_path, sizeof(a.sig_path), "%s.minisig", a.out) >= sizeof(a.sig_path))
		return cli_usage(ctx, "path too long");
	/* a checkpoint never replaces a file: -o audit.log would have renamed the
	 * checkpoint over the vault's own log */
	for (const char *p = a.out; p; p = p == a.out ? a.sig_path : NULL) {
		struct stat st;

		if (lstat(p, &st) == 0) {
			bk_hint("choose a new file name; checkpoints are kept, not overwritten");
			return cli_fail(bk_fail(BK_ERR_EXISTS, "'%s' already exists: it is not replaced", p));
		}
	}
	return cli_run(ctx, run_head, &a);
}

static bk_status emit_line(void *ctx, const char *line, size_t len)
{
	(void)ctx;
	if (fwrite(line, 1, len, stdout) != len || putchar('\n') == EOF)
		return bk_fail(BK_ERR_IO, "cannot write the output");
	return BK_OK;
}

static bk_status run_show(struct cli_ctx *ctx, struct bk_vault *v, void *arg)
{
	bk_status rc;

	(void)ctx;
	if ((rc = bk_vault_require(v, BK_ACT_AUDIT_READ, NULL, BK_COL_NONE, NULL)) ||
	    (rc = bk_vault_record(v, "audit-show", NULL)))
		return rc;
	return bk_audit_show(bk_vault_audit_path(v), arg, emit_line, NULL);
}

int cmd_audit_show(struct cli_ctx *ctx, int argc, char **argv)
{
	struct bk_audit_filter filter = {NULL, NULL, NULL};
	const struct cli_option opts[] = {
		CLI_OPT_STRING(0, "actor", &filter.actor, "NAME"),
		CLI_OPT_STRING(0, "action", &filter.action, "ACTION"),
		CLI_OPT_STRING(0, "since", &filter.since, "TIME"),
		CLI_OPT_END,
	};

	return cli_parse_run(ctx, argc, argv, opts, run_show, &filter);
}
