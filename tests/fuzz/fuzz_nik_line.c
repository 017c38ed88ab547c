/* fuzz_nik_line.c - the NIK line read from stdin or a prompt (`find`,
 * `subject export|erase|correct`). Besides crashes it checks what subjects.h
 * promises: the NIK is the first line without its spaces and a CR before the
 * newline, the rest starts right after that newline, a refusal leaves
 * nothing in out and quotes nothing, and no NUL byte gets in to cut the NIK
 * short. */
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz.h"
#include "vault/records/subjects.h"

static void check(int ok)
{
	if (!ok)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data, *nl = memchr(in, '\n', size);
	char out[BK_SUBJECT_NIK_LINE_SIZE], small[4];
	size_t used = SIZE_MAX, line = nl ? (size_t)(nl - in) : size, kept = 0, j = 0;
	int nul = 0;

	if (line > 0 && in[line - 1] == '\r')
		line--;
	for (size_t i = 0; i < line; i++) {
		kept += in[i] != ' ';
		nul |= in[i] == '\0';
	}
	memset(out, 0x5a, sizeof(out));
	if (bk_subject_nik_line(in, size, out, sizeof(out), &used) == BK_OK) {
		check(!nul && kept < sizeof(out) && strlen(out) == kept);
		for (size_t i = 0; i < line; i++)
			if (in[i] != ' ')
				check(out[j++] == in[i]);
		check(!strchr(out, ' ') && !strchr(out, '\n'));
	} else {
		const char *det = bk_error_detail();
		size_t run = 0;

		check(nul || kept >= sizeof(out));
		/* what was copied is wiped: every byte zero or as it was before the call */
		for (size_t i = 0; i < sizeof(out); i++)
			check(out[i] == '\0' || out[i] == 0x5a);
		check(out[0] == '\0');
		for (size_t i = 0; i < size; i++) {
			run = in[i] >= '0' && in[i] <= '9' ? run + 1 : 0;
			if (run >= 6)
				check(memmem(det, strlen(det), in + i - 5, 6) == NULL);
		}
	}
	check(used == (nl ? (size_t)(nl - in) + 1 : size));
	/* a buffer too small is refused, never overrun (ASan watches) */
	if (bk_subject_nik_line(in, size, small, sizeof(small), &used) == BK_OK)
		check(strlen(small) < sizeof(small));
	return 0;
}
