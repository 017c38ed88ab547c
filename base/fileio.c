/* fileio.c - bounded whole-file reads and crash-safe file replacement. */
#include "base/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static long write_budget = -1;

void bk_fault_set_write_budget(long n)
{
	write_budget = n;
}

int bk_write_all(int fd, const void *data, size_t len)
{
	const uint8_t *p = data;

	while (len > 0) {
		ssize_t n;

		if (write_budget == 0) {
			errno = ENOSPC;
			return -1;
		}
		n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (write_budget > 0)
			write_budget--;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

bk_status bk_file_read(const char *path, size_t maxlen, uint8_t **data_p, size_t *len_p)
{
	bk_status rc = BK_OK;
	uint8_t *buf = NULL;
	size_t cap = 0, len = 0;
	int fd;

	*data_p = NULL;
	*len_p = 0;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return bk_fail(errno == ENOENT ? BK_ERR_NOTFOUND : BK_ERR_IO,
			       "cannot open '%s': %s", path, strerror(errno));
	for (;;) {
		ssize_t n;

		if (len == cap) {
			size_t ncap = cap ? cap * 2 : 4096;
			uint8_t *nbuf;

			if (cap > maxlen) {
				rc = bk_fail(BK_ERR_FORMAT, "'%s' is larger than %zu bytes", path, maxlen);
				goto out;
			}
			nbuf = realloc(buf, ncap + 1);
			if (!nbuf) {
				rc = bk_fail(BK_ERR_NOMEM, "out of memory reading '%s'", path);
				goto out;
			}
			buf = nbuf;
			cap = ncap;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = bk_fail(BK_ERR_IO, "cannot read '%s': %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > maxlen) {
		rc = bk_fail(BK_ERR_FORMAT, "'%s' is larger than %zu bytes", path, maxlen);
		goto out;
	}
	if (!buf) {
		buf = malloc(1);
		if (!buf) {
			rc = bk_fail(BK_ERR_NOMEM, "out of memory reading '%s'", path);
			goto out;
		}
	}
	buf[len] = '\0';
	*data_p = buf;
	*len_p = len;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return rc;
}

bk_status bk_fsync_dir(const char *path)
{
	char copy[PATH_MAX];
	int fd;

	if (strlen(path) >= sizeof(copy))
		return bk_fail(BK_ERR_IO, "path too long");
	memcpy(copy, path, strlen(path) + 1); /* length checked above */
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return bk_fail(BK_ERR_IO, "cannot open directory of '%s': %s", path, strerror(errno));
	if (fsync(fd) != 0 && errno != EINVAL) {
		close(fd);
		return bk_fail(BK_ERR_IO, "cannot sync directory of '%s': %s", path, strerror(errno));
	}
	close(fd);
	return BK_OK;
}

static bk_status write_new_file(const char *path, const void *data, size_t len, mode_t mode)
{
	int fd, saved;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return bk_fail(errno == EEXIST ? BK_ERR_EXISTS : BK_ERR_IO,
			       "cannot create '%s': %s", path, strerror(errno));
	if (fchmod(fd, mode) != 0 || bk_write_all(fd, data, len) != 0 || fsync(fd) != 0) {
		saved = errno;
		close(fd);
		unlink(path);
		return bk_fail(BK_ERR_IO, "cannot write '%s': %s", path, strerror(saved));
	}
	if (close(fd) != 0) {
		saved = errno;
		unlink(path);
		return bk_fail(BK_ERR_IO, "cannot write '%s': %s", path, strerror(saved));
	}
	return BK_OK;
}

bk_status bk_file_create_exclusive(const char *path, const void *data, size_t len, mode_t mode)
{
	char tmp[PATH_MAX];
	bk_status rc;
	int n, saved;

	n = snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return bk_fail(BK_ERR_IO, "path too long: '%s'", path);
	unlink(tmp); /* a stale temporary of a crashed run with our pid */
	if ((rc = write_new_file(tmp, data, len, mode)))
		return rc;
	/* link(2), unlike rename(2), never replaces: the whole file appears under
	 * its name, or nothing does and what was there stays */
	if (link(tmp, path) != 0) {
		saved = errno;
		unlink(tmp);
		if (saved == EEXIST)
			return bk_fail(BK_ERR_EXISTS, "'%s' already exists: it is not replaced", path);
		if (saved != EPERM && saved != ENOTSUP && saved != EOPNOTSUPP)
			return bk_fail(BK_ERR_IO, "cannot create '%s': %s", path, strerror(saved));
		/* a file system without hard links (FAT on a USB stick): O_EXCL alone */
		if ((rc = write_new_file(path, data, len, mode)))
			return rc;
		return bk_fsync_dir(path);
	}
	unlink(tmp);
	return bk_fsync_dir(path);
}

bk_status bk_file_write_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
	char tmp[PATH_MAX];
	bk_status rc;
	int n;

	n = snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return bk_fail(BK_ERR_IO, "path too long: '%s'", path);
	unlink(tmp); /* a stale temporary of a crashed run with our pid */
	rc = write_new_file(tmp, data, len, mode);
	if (rc != BK_OK)
		return rc;
	if (rename(tmp, path) != 0) {
		int saved = errno;

		unlink(tmp);
		return bk_fail(BK_ERR_IO, "cannot replace '%s': %s", path, strerror(saved));
	}
	return bk_fsync_dir(path);
}
