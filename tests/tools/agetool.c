/* agetool.c - a test-only command line over crypto/age, for the interop tests
 * against the age tool (tests/cli/0300-age.bats) and `make bench`. Not part of
 * brankas and never installed.
 *
 *   agetool encrypt -r RECIPIENT [-r RECIPIENT]...   stdin to stdout
 *   agetool decrypt -i IDENTITY_FILE                 stdin to stdout
 *
 * IDENTITY_FILE is as age-keygen writes it: "#" comments and
 * AGE-SECRET-KEY-1… lines; each identity is tried in turn. Exit codes as
 * brankas: 0 ok, 1 failed, 2 usage, 3 integrity violation. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fileio.h"
#include "crypto/age.h"
#include "crypto/secmem.h"

#define MAX_RECIPIENTS 16
#define READ_BLOCK (4 * BK_AGE_CHUNK)

static int usage(void)
{
	fprintf(stderr, "usage: agetool encrypt -r RECIPIENT [-r RECIPIENT]...\n"
			"       agetool decrypt -i IDENTITY_FILE\n");
	return 2;
}

static int fail(bk_status rc)
{
	const char *detail = bk_error_detail();

	fprintf(stderr, "agetool: error: %s\n", detail[0] ? detail : bk_strerror(rc));
	if (bk_error_hint()[0])
		fprintf(stderr, "agetool: hint: %s\n", bk_error_hint());
	return rc == BK_ERR_USAGE ? 2 : rc == BK_ERR_CORRUPT || rc == BK_ERR_AUTH ? 3 : 1;
}

static bk_status to_stdout(void *ctx, const uint8_t *buf, size_t len)
{
	(void)ctx;
	if (bk_write_all(STDOUT_FILENO, buf, len) != 0)
		return bk_fail(BK_ERR_IO, "cannot write to standard output: %s", strerror(errno));
	return BK_OK;
}

/* read_some reads up to cap bytes from fd 0; 0 at end of input. */
static bk_status read_some(uint8_t *buf, size_t cap, size_t *got_p)
{
	ssize_t n;

	do
		n = read(STDIN_FILENO, buf, cap);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return bk_fail(BK_ERR_IO, "cannot read standard input: %s", strerror(errno));
	*got_p = (size_t)n;
	return BK_OK;
}

static int cmd_encrypt(int argc, char **argv)
{
	uint8_t pks[MAX_RECIPIENTS][32], *block = NULL;
	struct bk_age_writer *w = NULL;
	size_t n = 0, got;
	bk_status rc = BK_OK;
	int i;

	for (i = 2; i < argc; i += 2) {
		if (strcmp(argv[i], "-r") != 0 || i + 1 >= argc || n == MAX_RECIPIENTS)
			return usage();
		if ((rc = bk_age_recipient_decode(pks[n++], argv[i + 1], strlen(argv[i + 1]))))
			return fail(rc);
	}
	if (n == 0)
		return usage();
	if (!(block = bk_secmem_alloc(READ_BLOCK))) {
		rc = bk_fail(BK_ERR_NOMEM, "out of guarded memory");
		goto out;
	}
	if ((rc = bk_age_writer_open(&w, (const uint8_t(*)[32])pks, n, to_stdout, NULL)))
		goto out;
	for (;;) {
		if ((rc = read_some(block, READ_BLOCK, &got)))
			goto out;
		if (got == 0)
			break;
		if ((rc = bk_age_writer_write(w, block, got)))
			goto out;
	}
	rc = bk_age_writer_close(w);
out:
	bk_age_writer_free(w);
	bk_secmem_free(block);
	return rc == BK_OK ? 0 : fail(rc);
}

/* read_stdin reads all of standard input into a malloc'd buffer. */
static bk_status read_stdin(uint8_t **buf_p, size_t *len_p)
{
	size_t cap = 1 << 20, len = 0, got;
	uint8_t *buf, *p;
	bk_status rc = BK_OK;
	struct stat st;

	/* a regular file's size up front spares the copies of a growing buffer */
	if (fstat(STDIN_FILENO, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size < SIZE_MAX / 2)
		cap = (size_t)st.st_size + 1;
	buf = malloc(cap);

	*buf_p = NULL;
	*len_p = 0;
	for (;;) {
		if (!buf) {
			rc = bk_fail(BK_ERR_NOMEM, "out of memory");
			goto out;
		}
		if (len == cap) {
			if (!(p = realloc(buf, cap * 2))) {
				rc = bk_fail(BK_ERR_NOMEM, "out of memory");
				goto out;
			}
			buf = p;
			cap *= 2;
		}
		if ((rc = read_some(buf + len, cap - len, &got)))
			goto out;
		if (got == 0)
			break;
		len += got;
	}
	*buf_p = buf;
	*len_p = len;
	buf = NULL;
out:
	free(buf);
	return rc;
}

static int cmd_decrypt(int argc, char **argv)
{
	uint8_t *keys = NULL, *in = NULL, *sk = NULL;
	size_t keyslen = 0, inlen = 0, pos, n;
	bk_status rc = BK_OK;

	if (argc != 4 || strcmp(argv[2], "-i") != 0)
		return usage();
	if (!(sk = bk_secmem_alloc(32))) {
		rc = bk_fail(BK_ERR_NOMEM, "out of guarded memory");
		goto out;
	}
	if ((rc = bk_file_read(argv[3], 1 << 20, &keys, &keyslen)) || (rc = read_stdin(&in, &inlen)))
		goto out;
	rc = bk_fail(BK_ERR_NOTFOUND, "no identity in '%s'", argv[3]);
	for (pos = 0; pos < keyslen; pos += n + 1) {
		const char *line = (const char *)keys + pos, *lf = memchr(line, '\n', keyslen - pos);

		n = lf ? (size_t)(lf - line) : keyslen - pos;
		if (n == 0 || line[0] == '#')
			continue;
		if ((rc = bk_age_identity_decode(sk, line, n)))
			goto out;
		rc = bk_age_decrypt(in, inlen, sk, to_stdout, NULL);
		if (rc != BK_ERR_NOTFOUND)
			goto out;
	}
out:
	if (keys)
		bk_wipe(keys, keyslen);
	free(keys);
	free(in);
	bk_secmem_free(sk);
	return rc == BK_OK ? 0 : fail(rc);
}

int main(int argc, char **argv)
{
	if (bk_crypto_init() != BK_OK)
		return fail(BK_ERR_CRYPTO);
	if (argc >= 2 && strcmp(argv[1], "encrypt") == 0)
		return cmd_encrypt(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "decrypt") == 0)
		return cmd_decrypt(argc, argv);
	return usage();
}
