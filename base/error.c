/* error.c - the status enum's names and the per-thread error detail. */
#include "base/error.h"

#include <stdarg.h>
#include <stdio.h>

static _Thread_local char detail[1024];
static _Thread_local char hint[512];
static int alloc_failed;

void bk_note_alloc_failed(void)
{
	__atomic_store_n(&alloc_failed, 1, __ATOMIC_RELAXED);
}

void bk_forget_alloc_failed(void)
{
	__atomic_store_n(&alloc_failed, 0, __ATOMIC_RELAXED);
}

int bk_alloc_failed(void)
{
	return __atomic_load_n(&alloc_failed, __ATOMIC_RELAXED);
}

const char *bk_strerror(bk_status code)
{
	switch (code) {
	case BK_OK: return "ok";
	case BK_ERR_USAGE: return "usage error";
	case BK_ERR_IO: return "input/output error";
	case BK_ERR_NOMEM: return "out of memory";
	case BK_ERR_FORMAT: return "malformed input";
	case BK_ERR_AUTH: return "authentication failed";
	case BK_ERR_CORRUPT: return "integrity violation";
	case BK_ERR_DENIED: return "denied by policy";
	case BK_ERR_NOTFOUND: return "not found";
	case BK_ERR_EXISTS: return "already exists";
	case BK_ERR_CRYPTO: return "cryptographic failure";
	case BK_ERR_DB: return "database error";
	case BK_ERR_STATE: return "invalid state";
	case BK_ERR_BUSY: return "the vault is busy";
	}
	return "unknown error";
}

bk_status bk_fail(bk_status code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	if (code == BK_ERR_NOMEM)
		bk_note_alloc_failed();
	if ((code == BK_ERR_CORRUPT || code == BK_ERR_AUTH) && bk_alloc_failed()) {
		char seen[sizeof(detail)];

		snprintf(seen, sizeof(seen), "%s", detail);
		snprintf(detail, sizeof(detail), "memory ran out, so this could not be checked: %.900s", seen);
		return BK_ERR_NOMEM;
	}
	return code;
}

void bk_hint(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(hint, sizeof(hint), fmt, ap);
	va_end(ap);
}

const char *bk_error_detail(void)
{
	return detail;
}

const char *bk_error_hint(void)
{
	return hint;
}

void bk_error_clear(void)
{
	detail[0] = '\0';
	hint[0] = '\0';
}
