/* fuzz_backup.c - a backup file as `backup verify` and `restore` read it
 * before any signature holds: the trailer, the index (jansson underneath)
 * and the backup's own vault.pub. The input is also read as an index line
 * whose files fill the bytes before it: an index that is taken names
 * vault.db first, valid stores in order, then keyring, audit.log and
 * vault.pub, back to back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/fuzz/fuzz.h"
#include "vault/keep/backup.h"

static char path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	snprintf(path, sizeof(path), "%s/fuzz_backup.%ld", access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp",
		 (long)getpid());
	return 0;
}

static void check(int ok)
{
	if (!ok)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct bk_backup_info info;
	FILE *f = fopen(path, "wb");

	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	/* no signature file beside it: whatever the bytes, never accepted */
	check(bk_backup_verify(path, NULL, 0, &info) != BK_OK);
	unlink(path);
	if (size > 0 && bk_backup_index_parse((const char *)data, size, 18 + size, &info) == BK_OK) {
		uint64_t at = 18;

		check(info.nfiles >= 4 && strcmp(info.files[0].name, "vault.db") == 0 &&
		      (strcmp(info.files[info.nfiles - 1].name, "vault.pub") == 0 ||
		       strcmp(info.files[info.nfiles - 1].name, "recovery") == 0));
		for (size_t i = 0; i < info.nfiles; i++) {
			check(info.files[i].offset == at && memchr(info.files[i].name, '\0', BK_BACKUP_NAME_MAX) != NULL &&
			      !strstr(info.files[i].name, ".."));
			at += info.files[i].size;
		}
		check(at == 18 + size);
	}
	return 0;
}
