/* fuzz_audit.c - audit checkpoints, and a log file checked by verify, the tail
 * check and show. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fileio.h"
#include "tests/fuzz/fuzz.h"
#include "vault/core/audit.h"

static bk_status ignore(void *ctx, const char *line, size_t len)
{
	(void)ctx;
	(void)line;
	(void)len;
	return BK_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t vault_id[BK_AUDIT_VAULTIDBYTES];
	static char path[64];
	struct bk_audit_head head, pinned = {2, {0}};
	struct bk_audit_report report;
	struct bk_audit_verify_opts opts;

	bk_fuzz_discard(bk_audit_checkpoint_parse((const char *)data, size, vault_id, &head));
	/* in memory where there is a tmpfs: the file is synced as it is written */
	if (!path[0])
		snprintf(path, sizeof(path), "%s/bk-fuzz-audit-%ld.log", access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp",
			 (long)getpid());
	unlink(path);
	if (bk_file_create_exclusive(path, data, size, 0600) != BK_OK)
		return 0;
	memset(&opts, 0, sizeof(opts));
	opts.vault_id = vault_id;
	bk_fuzz_discard(bk_audit_verify(path, &opts, &report));
	bk_fuzz_discard(bk_audit_check_tail(path, &pinned));
	bk_fuzz_discard(bk_audit_show(path, NULL, ignore, NULL));
	unlink(path);
	return 0;
}
