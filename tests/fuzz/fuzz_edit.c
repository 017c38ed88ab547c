/* fuzz_edit.c - the COLUMN=VALUE lines of `record edit` (and `subject
 * correct`, after its NIK line), against the built-in `warga` schema. Besides
 * crashes it checks what edit.h promises: each correction names a column once
 * and its value is the rest of its line after '=' (a CR before the newline
 * dropped), placed at the line and column given; and no problem quotes the
 * text (a value may be a NIK or a phone number). */
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz.h"
#include "vault/records/edit.h"

static void check(int ok)
{
	if (!ok)
		abort();
}

static struct {
	const char *text;
	size_t len;
	const struct bk_dataset *ds;
	char seen[BK_COLUMNS_MAX];
	size_t corrections;
} in;

/* No run of 6 digits of the text in a message: warga's column names hold no
 * digit, and lines are numbered below 100000 (see the size limit below). */
static void problem(void *ctx, const char *msg)
{
	size_t run = 0;

	(void)ctx;
	check(strncmp(msg, "<stdin>:", 8) == 0);
	for (size_t i = 0; i < in.len; i++) {
		run = in.text[i] >= '0' && in.text[i] <= '9' ? run + 1 : 0;
		if (run >= 6)
			check(memmem(msg, strlen(msg), in.text + i - 5, 6) == NULL);
	}
}

static void correction(void *ctx, const char *column, const char *value, size_t len, size_t line, size_t colno)
{
	const char *end = in.text + in.len, *start = in.text, *after = value + len;
	int col = bk_dataset_column(in.ds, column);
	size_t l = 1;

	(void)ctx;
	check(col >= 0 && !in.seen[col]);
	in.seen[col] = 1;
	in.corrections++;
	check(value > in.text && value <= end && len <= (size_t)(end - value) && value[-1] == '=');
	check(!memchr(value, '\n', len));
	/* the value runs to the end of its line */
	check(after == end || *after == '\n' || (*after == '\r' && (after + 1 == end || after[1] == '\n')));
	if (after == end || *after == '\n')
		check(len == 0 || value[len - 1] != '\r');
	for (const char *p = in.text; p < value; p++)
		if (*p == '\n') {
			l++;
			start = p + 1;
		}
	check(line == l && colno == (size_t)(value - start) + 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct bk_dataset warga;
	static int have_warga;
	struct bk_edit_opts o;
	uint64_t problems;
	bk_status rc;

	if (!have_warga) {
		for (size_t i = 0; i < bk_profile_inovasi_count && !have_warga; i++) {
			const char *t = bk_profile_inovasi[i];

			if (bk_dataset_parse(&warga, "warga", t, strlen(t)) != BK_OK)
				abort();
			if (strcmp(warga.name, "warga") == 0)
				have_warga = 1;
			else
				bk_dataset_release(&warga);
		}
		check(have_warga);
	}
	if (size >= 90000)
		return 0;
	memset(&in, 0, sizeof(in));
	in.text = (const char *)data;
	in.len = size;
	in.ds = &warga;
	memset(&o, 0, sizeof(o));
	o.purpose = "fuzz";
	o.text = in.text;
	o.len = size;
	o.path = "<stdin>";
	o.max_messages = SIZE_MAX;
	o.problem = problem;
	rc = bk_edit_lines(&o, &warga, correction, &problems);
	check((rc == BK_OK) == (problems == 0));
	check(rc != BK_OK || in.corrections > 0);
	return 0;
}
