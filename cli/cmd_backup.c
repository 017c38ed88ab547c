/* cmd_backup.c - `brankas backup`, `backup verify` and `restore`: one signed
 * file holding the whole vault, checked without restoring, and restored into
 * a new directory whose log records the restore. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fileio.h"
#include "cli/cli.h"
#include "cli/options.h"
#include "vault/keep/backup.h"

#define PUB_FILE_MAX 4096

static bk_status run_backup(struct cli_ctx *ctx, struct bk_vault *v, void *arg)
{
	const char *out = arg;
	struct bk_backup_info *info = malloc(sizeof(*info));
	bk_status rc;

	(void)ctx;
	if (!info)
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	if ((rc = bk_backup_make(v, out, info)) == BK_OK)
		fprintf(stderr,
			"brankas: backup of %zu files (%.1f MiB, up to audit entry %" PRIu64 ") written to '%s', signed in "
			"'%s.minisig'\nbrankas: 'brankas backup verify %s' checks it; keep it as safe as the vault\n",
			info->nfiles, (double)info->size / (1024.0 * 1024.0), info->audit_seq, out, out, out);
	free(info);
	return rc;
}

int cmd_backup(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *out = NULL;
	const struct cli_option opts[] = {
		CLI_OPT_STRING('o', "output", &out, "FILE"),
		CLI_OPT_END,
	};
	struct cli_args args = {.min = 0, .max = 0};
	int code;

	if ((code = cli_parse_options(ctx, argc, argv, opts, &args)) >= 0)
		return code;
	if (!out)
		return cli_usage(ctx, "-o FILE is required");
	/* refused before unlocking: the log never records a backup that could not start */
	if (access(out, F_OK) == 0)
		return cli_fail(bk_fail(BK_ERR_EXISTS, "'%s' already exists", out));
	return cli_run(ctx, run_backup, (void *)out);
}

/* The release key a backup is checked against: --vault-pub FILE, else the
 * vault.pub of -C DIR (or BRANKAS_VAULT) when one is named, else none (the
 * backup's own, which proves only that the backup is whole). */
static bk_status trusted_pub(struct cli_ctx *ctx, const char *pubfile, uint8_t **pub_p, size_t *len_p)
{
	const char *dir = ctx->vault_dir ? ctx->vault_dir : getenv("BRANKAS_VAULT");
	char path[PATH_MAX];

	*pub_p = NULL;
	*len_p = 0;
	if (!pubfile && dir && dir[0]) {
		if ((size_t)snprintf(path, sizeof(path), "%s/vault.pub", dir) >= sizeof(path))
			return bk_fail(BK_ERR_USAGE, "path too long");
		pubfile = path;
	}
	return pubfile ? bk_file_read(pubfile, PUB_FILE_MAX, pub_p, len_p) : BK_OK;
}

static void say_checked(const char *file, const struct bk_backup_info *info)
{
	printf("ok: backup of vault %s made %s by %s, up to audit entry %" PRIu64 "; %zu files; signed by key %s\n",
	       info->vault_id, info->created, info->by, info->audit_seq, info->nfiles, info->key_id);
	if (info->own_key)
		fprintf(stderr,
			"brankas: note: '%s' was checked against its own vault.pub (key %s): that proves it whole, not "
			"whose it is; give --vault-pub FILE (or -C DIR) to check it against a copy you trust\n",
			file, info->key_id);
}

int cmd_backup_verify(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *pubfile = NULL;
	const struct cli_option opts[] = {
		CLI_OPT_STRING(0, "vault-pub", &pubfile, "FILE"),
		CLI_OPT_END,
	};
	struct cli_args args = {.min = 1, .max = 1, .missing = "missing the backup FILE"};
	struct bk_backup_info *info = NULL;
	uint8_t *pub = NULL;
	size_t publen = 0;
	bk_status rc;
	int code;

	if ((code = cli_parse_options(ctx, argc, argv, opts, &args)) >= 0)
		return code;
	if (!(info = malloc(sizeof(*info))))
		return cli_fail(bk_fail(BK_ERR_NOMEM, "out of memory"));
	if ((rc = trusted_pub(ctx, pubfile, &pub, &publen)) == BK_OK &&
	    (rc = bk_backup_verify(args.argv[0], (const char *)pub, publen, info)) == BK_OK)
		say_checked(args.argv[0], info);
	free(pub);
	free(info);
	return rc ? cli_fail(rc) : cli_finish(CLI_EXIT_OK);
}

struct restore {
	const struct bk_backup_info *info;
	const char *part; /* the directory being restored into */
	const char *dir;  /* its final name */
};

/* Unlocked in the unpacked directory: the restore entry, then the final name. */
static bk_status run_restore(struct cli_ctx *ctx, struct bk_vault *v, void *arg)
{
	const struct restore *r = arg;
	bk_status rc;

	(void)ctx;
	if ((rc = bk_backup_record_restore(v, r->info)))
		return rc;
	if (rename(r->part, r->dir) != 0)
		return bk_fail(BK_ERR_IO, "cannot rename '%s' to '%s': %s", r->part, r->dir, strerror(errno));
	if ((rc = bk_fsync_dir(r->dir)))
		return rc;
	fprintf(stderr,
		"brankas: restored vault %s into '%s' as it was at audit entry %" PRIu64 " (%s); its log records the "
		"restore\n",
		r->info->vault_id, r->dir, r->info->audit_seq, r->info->created);
	return BK_OK;
}

int cmd_restore(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *pubfile = NULL;
	const struct cli_option opts[] = {
		CLI_OPT_STRING(0, "vault-pub", &pubfile, "FILE"),
		CLI_OPT_END,
	};
	struct cli_args args = {.min = 2, .max = 2, .missing = "restore needs the backup FILE and a new DIR"};
	struct bk_backup_info *info = NULL;
	struct restore r;
	char dir[PATH_MAX], part[PATH_MAX];
	uint8_t *pub = NULL;
	size_t publen = 0, n;
	bk_status rc;
	int code;

	if ((code = cli_parse_options(ctx, argc, argv, opts, &args)) >= 0)
		return code;
	/* DIR without its trailing slashes, so that DIR.restoring lies beside it */
	n = strlen(args.argv[1]);
	while (n > 1 && args.argv[1][n - 1] == '/')
		n--;
	if (n >= sizeof(dir) - 16)
		return cli_usage(ctx, "DIR is too long");
	memcpy(dir, args.argv[1], n);
	dir[n] = '\0';
	memcpy(part, dir, n);
	memcpy(part + n, ".restoring", sizeof(".restoring"));
	if (access(dir, F_OK) == 0)
		return cli_fail(bk_fail(BK_ERR_EXISTS, "'%s' already exists: restore makes a new vault directory", dir));
	if (!(info = malloc(sizeof(*info))))
		return cli_fail(bk_fail(BK_ERR_NOMEM, "out of memory"));
	if ((rc = trusted_pub(ctx, pubfile, &pub, &publen)) == BK_OK &&
	    (rc = bk_backup_verify(args.argv[0], (const char *)pub, publen, info)) == BK_OK)
		rc = bk_backup_unpack(args.argv[0], info, part);
	free(pub);
	if (rc != BK_OK) {
		free(info);
		return cli_fail(rc);
	}
	if (info->own_key)
		fprintf(stderr, "brankas: note: the backup was checked against its own vault.pub (key %s); give "
				"--vault-pub FILE to check it against a copy you trust\n",
			info->key_id);
	r.info = info;
	r.part = part;
	r.dir = dir;
	ctx->vault_dir = part; /* the vault being made is unlocked where it is unpacked */
	code = cli_run(ctx, run_restore, &r);
	if (access(part, F_OK) == 0) /* not restored: nothing half-made stays */
		bk_backup_discard(part, info);
	free(info);
	return code;
}
