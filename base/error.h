/* error.h - one status enum for every layer, and a human detail carried up to cli/.
 *
 * A failing function records a one-line detail with bk_fail() (what failed, the
 * subject quoted, never a secret or a personal value) and returns the code. Only
 * cli/ prints it. The detail lives in a per-thread buffer: a bulk import writes
 * its rows from a second thread (vault/records/import.c), whose failure the importing
 * thread records again with bk_fail before it returns it. */
#ifndef BK_ERROR_H
#define BK_ERROR_H

#define BK_MUST_CHECK __attribute__((warn_unused_result))
#define BK_PRINTF(f, a) __attribute__((format(printf, f, a)))

typedef enum bk_status {
	BK_OK = 0,
	BK_ERR_USAGE,    /* bad arguments or options */
	BK_ERR_IO,       /* a file could not be read or written */
	BK_ERR_NOMEM,    /* out of memory */
	BK_ERR_FORMAT,   /* input does not parse (file, line, column in the detail) */
	BK_ERR_AUTH,     /* wrong passphrase or a MAC/signature that does not verify */
	BK_ERR_CORRUPT,  /* integrity violation: tampered, truncated or rolled back */
	BK_ERR_DENIED,   /* refused by policy */
	BK_ERR_NOTFOUND, /* no such user, key, entry */
	BK_ERR_EXISTS,   /* already there */
	BK_ERR_CRYPTO,   /* a crypto primitive failed where it should not */
	BK_ERR_DB,       /* the database refused */
	BK_ERR_STATE,    /* the operation does not fit the current state */
	BK_ERR_BUSY,     /* another command held the vault past the wait: try again */
} bk_status;

/* bk_strerror returns a short static description of the code. */
const char *bk_strerror(bk_status code);

/* bk_fail records a detail (printf-style) and returns code, so callers write
 * `return bk_fail(BK_ERR_IO, "cannot read '%s'", path);`. */
bk_status bk_fail(bk_status code, const char *fmt, ...) BK_PRINTF(2, 3);

/* bk_note_alloc_failed: an allocation failed in a library (OpenSSL, jansson)
 * of this process (bk_fail notes BK_ERR_NOMEM itself). From then on an integrity verdict may come from the missing
 * memory instead (SQLCipher takes a page whose HMAC could not be computed for
 * an altered one, jansson a text it could not store for bad JSON), so bk_fail
 * turns BK_ERR_CORRUPT and BK_ERR_AUTH into BK_ERR_NOMEM: the command still stops, without a
 * false alarm. bk_alloc_failed says whether one failed. */
void bk_note_alloc_failed(void);
int bk_alloc_failed(void);
/* bk_forget_alloc_failed: the one failure noted was handled (a smaller try
 * went through), so verdicts after it are to be believed again. */
void bk_forget_alloc_failed(void);

/* bk_hint records a likely fix, shown by cli/ as a `hint:` line. */
void bk_hint(const char *fmt, ...) BK_PRINTF(1, 2);

/* The last detail and hint, or "" when none was recorded. */
const char *bk_error_detail(void);
const char *bk_error_hint(void);
void bk_error_clear(void);

#endif
