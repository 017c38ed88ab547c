/* fileio.h - whole-file reads with a size cap, and atomic replacement of files.
 *
 * Every write of a vault file other than vault.db goes through
 * bk_file_write_atomic: a new temporary file (O_CREAT|O_EXCL|O_NOFOLLOW), fsync,
 * rename over the target, fsync of the directory. A crash leaves either the old
 * or the new file, never a mix. */
#ifndef BK_FILEIO_H
#define BK_FILEIO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/error.h"

/* bk_file_read reads all of path (not following a final symlink) into a new
 * malloc'd buffer with one extra NUL byte after the data. Files larger than
 * maxlen fail with BK_ERR_FORMAT. The caller frees *data_p. */
bk_status bk_file_read(const char *path, size_t maxlen, uint8_t **data_p, size_t *len_p) BK_MUST_CHECK;

/* bk_file_write_atomic replaces path with data, mode applied to the new file.
 * On failure the old file (if any) is untouched and no temporary is left. */
bk_status bk_file_write_atomic(const char *path, const void *data, size_t len, mode_t mode) BK_MUST_CHECK;

/* bk_file_create_exclusive writes a new file that must not exist yet
 * (BK_ERR_EXISTS when it does, and it is left as it was). The data goes to a
 * temporary file first, made durable, then linked under its name: a crash
 * leaves no partial file. */
bk_status bk_file_create_exclusive(const char *path, const void *data, size_t len, mode_t mode) BK_MUST_CHECK;

/* bk_write_all writes len bytes to fd, retrying short writes and EINTR.
 * Returns 0 or -1 with errno set. */
int bk_write_all(int fd, const void *data, size_t len);

/* bk_fsync_dir fsyncs the directory holding path. */
bk_status bk_fsync_dir(const char *path) BK_MUST_CHECK;

/* Fault injection for tests: after n successful calls to bk_write_all, the
 * next one fails with ENOSPC. n < 0 (the default) disables it. Set from the
 * BRANKAS_FAULT_WRITES variable by cli/ only in builds with BK_FAULT_INJECTION. */
void bk_fault_set_write_budget(long n);

#endif
