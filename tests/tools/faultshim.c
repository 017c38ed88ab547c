/* faultshim.c - an LD_PRELOAD library for the fault tests (tests/cli/0039):
 * the Nth call of one kind fails the way a full memory or disk fails it,
 * which strace cannot do (it fails system calls, not malloc, and cannot make
 * a write write only part of its bytes).
 *
 *   BK_FAULT=malloc:N   the Nth malloc, calloc or realloc returns NULL (ENOMEM)
 *   BK_FAULT=short:N    the Nth write, pwrite or pwrite64 writes half its bytes
 *                       (at least one) and returns that count
 *   BK_FAULT=enospc:N   the Nth write, pwrite or pwrite64 fails with ENOSPC
 *   BK_FAULT=map        no fault: for each allocation whose caller differs from
 *                       the previous allocation's, "N new" or "N again" (the
 *                       caller seen before) is appended to BK_FAULT_LOG
 *   BK_FAULT_LOG=FILE   "reached" is appended to FILE when the fault is made,
 *                       and "malloc M write W" (the calls counted) at exit
 *
 * Only the one call fails: the calls after it go through, as when memory or
 * space comes free again, so the program must cope with the failure it saw.
 * Counting starts at the first call after the library loads; a run without
 * BK_FAULT only counts. Test-only: never linked into brankas. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* glibc's own allocator under its exported names, so that this library's
 * malloc needs no dlsym (which itself allocates) */
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);

enum fault_kind { FAULT_NONE, FAULT_MAP, FAULT_MALLOC, FAULT_SHORT, FAULT_ENOSPC };

static enum fault_kind kind = FAULT_NONE;
static unsigned long fault_at;
static unsigned long mallocs, writes;
static int configured;

/* log_line: append LINE to BK_FAULT_LOG with raw system calls, which neither
 * allocate nor pass through this library's write */
static void log_line(const char *line)
{
	const char *path = getenv("BK_FAULT_LOG");
	long fd;

	if (!path)
		return;
	fd = syscall(SYS_openat, AT_FDCWD, path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	syscall(SYS_write, fd, line, strlen(line));
	syscall(SYS_close, fd);
}

static void configure(void)
{
	const char *spec = getenv("BK_FAULT");
	char *end;

	configured = 1;
	if (!spec)
		return;
	if (strcmp(spec, "map") == 0) {
		kind = FAULT_MAP;
		return;
	}
	if (strncmp(spec, "malloc:", 7) == 0)
		kind = FAULT_MALLOC, spec += 7;
	else if (strncmp(spec, "short:", 6) == 0)
		kind = FAULT_SHORT, spec += 6;
	else if (strncmp(spec, "enospc:", 7) == 0)
		kind = FAULT_ENOSPC, spec += 7;
	else
		return;
	fault_at = strtoul(spec, &end, 10);
	if (*end != '\0' || fault_at == 0)
		kind = FAULT_NONE;
}

/* The callers seen, by return address: an open-addressing set, big enough
 * for the allocation sites of brankas and its libraries. */
#define SITES 65536
static void *sites[SITES];
static void *previous_site;

static void map_call(unsigned long n, void *site)
{
	char line[48];
	size_t h = ((size_t)site >> 4) * 2654435761u % SITES;
	int seen = 0;

	if (site == previous_site)
		return;
	previous_site = site;
	while (sites[h] && sites[h] != site)
		h = (h + 1) % SITES;
	seen = sites[h] != NULL;
	sites[h] = site;
	snprintf(line, sizeof line, "%lu %s\n", n, seen ? "again" : "new");
	log_line(line);
}

/* due: whether this call, the next of its kind (counted in *counter), is the one to fail */
static int due(unsigned long *counter, enum fault_kind want, void *site)
{
	unsigned long n = __atomic_add_fetch(counter, 1, __ATOMIC_RELAXED);

	if (!configured)
		configure();
	if (kind == FAULT_MAP)
		map_call(n, site);
	if (kind != want || n != fault_at)
		return 0;
	log_line("reached\n");
	return 1;
}

static int write_due(enum fault_kind *how)
{
	unsigned long n = __atomic_add_fetch(&writes, 1, __ATOMIC_RELAXED);

	if (!configured)
		configure();
	if ((kind != FAULT_SHORT && kind != FAULT_ENOSPC) || n != fault_at)
		return 0;
	*how = kind;
	log_line("reached\n");
	return 1;
}

void *malloc(size_t size)
{
	if (due(&mallocs, FAULT_MALLOC, __builtin_return_address(0))) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_malloc(size);
}

void *calloc(size_t n, size_t size)
{
	if (due(&mallocs, FAULT_MALLOC, __builtin_return_address(0))) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_calloc(n, size);
}

void *realloc(void *p, size_t size)
{
	if (size > 0 && due(&mallocs, FAULT_MALLOC, __builtin_return_address(0))) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_realloc(p, size);
}

/* a short write puts half the bytes where they belong, as a disk that fills
 * up during the call does; ENOSPC writes none */
ssize_t write(int fd, const void *buf, size_t len)
{
	enum fault_kind how;

	if (len > 0 && write_due(&how)) {
		if (how == FAULT_ENOSPC) {
			errno = ENOSPC;
			return -1;
		}
		return syscall(SYS_write, fd, buf, len > 1 ? len / 2 : 1);
	}
	return syscall(SYS_write, fd, buf, len);
}

ssize_t pwrite(int fd, const void *buf, size_t len, off_t off)
{
	enum fault_kind how;

	if (len > 0 && write_due(&how)) {
		if (how == FAULT_ENOSPC) {
			errno = ENOSPC;
			return -1;
		}
		return syscall(SYS_pwrite64, fd, buf, len > 1 ? len / 2 : 1, off);
	}
	return syscall(SYS_pwrite64, fd, buf, len, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t len, off_t off)
{
	return pwrite(fd, buf, len, off);
}

__attribute__((destructor)) static void report_counts(void)
{
	char line[96];

	snprintf(line, sizeof line, "malloc %lu write %lu\n", mallocs, writes);
	log_line(line);
}
