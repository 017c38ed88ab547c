/* cmd_key.c - `brankas key export-db-key`: the raw SQLCipher key for recovery
 * and for opening vault.db with the `sqlcipher` shell (admin, audited). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/fileio.h"
#include "cli/cli.h"
#include "crypto/secmem.h"

int cmd_key_export_db(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_LONGOPTS,
		{"output", required_argument, NULL, 'o'},
		{NULL, 0, NULL, 0},
	};
	struct bk_vault *v = NULL;
	const char *out = NULL;
	char *key = bk_secmem_alloc(68), *text = bk_secmem_alloc(128);
	int c, code;
	bk_status rc;

	if (!key || !text) {
		bk_secmem_free(key);
		bk_secmem_free(text);
		return cli_fail(bk_fail(BK_ERR_NOMEM, "out of guarded memory"));
	}
	optind = 0;
	while ((c = getopt_long(argc, argv, CLI_SHORTOPTS "o:", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		default:
			if ((code = cli_common_option(ctx, c, argv)) >= 0) {
				bk_secmem_free(key);
				bk_secmem_free(text);
				return code;
			}
		}
	}
	if (optind != argc || !out) {
		bk_secmem_free(key);
		bk_secmem_free(text);
		return cli_usage(ctx, out ? "unexpected argument" : "-o FILE is required (the key never goes to a terminal)");
	}
	/* a new 0600 file, never overwritten: the key must not land somewhere unexpected;
	 * refused before unlocking so the audit log never records an export that failed */
	if (access(out, F_OK) == 0) {
		bk_secmem_free(key);
		bk_secmem_free(text);
		return cli_fail(bk_fail(BK_ERR_EXISTS, "'%s' already exists", out));
	}
	if ((rc = cli_unlock(ctx, &v)) || (rc = bk_vault_db_key_export(v, key)))
		goto done;
	snprintf(text, 128, "PRAGMA key = \"%s\";\nPRAGMA cipher_page_size = 4096;\n", key);
	if ((rc = bk_file_create_exclusive(out, text, strlen(text), 0600)))
		goto done;
	fprintf(stderr, "brankas: wrote the database key to '%s' (mode 0600); keep it like the vault itself\n", out);
done:
	bk_secmem_free(key);
	bk_secmem_free(text);
	bk_vault_close(v);
	return rc ? cli_fail(rc) : cli_finish(CLI_EXIT_OK);
}
