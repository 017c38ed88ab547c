/* fuzz_manifest.c - the extract manifest as `extract open` reads it once its
 * signature holds (jansson underneath): what it takes is whole (a recipient,
 * two hashes of 64 lowercase hex digits) and is what the JSON says, of a
 * manifest of format brankas-extract version 1 (the recipient whole, with no
 * NUL inside); a refusal leaves nothing half filled. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz.h"
#include "vault/release/extract.h"

static void check(int ok)
{
	if (!ok)
		abort();
}

static int hex64(const char *h)
{
	return strlen(h) == 64 && strspn(h, "0123456789abcdef") == 64;
}

static int is(json_t *v, const char *want)
{
	return json_is_string(v) && json_string_length(v) == strlen(want) && strcmp(json_string_value(v), want) == 0;
}

/* What jansson reads in the manifest is what was taken. */
static int same(const uint8_t *data, size_t size, const struct bk_extract_manifest *m)
{
	json_t *j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	json_t *files = json_object_get(j, "files");
	int ok = is(json_object_get(j, "format"), "brankas-extract") &&
		 json_is_integer(json_object_get(j, "version")) && json_integer_value(json_object_get(j, "version")) == 1 &&
		 is(json_object_get(json_object_get(j, "evaluator"), "recipient"), m->recipient) &&
		 is(json_object_get(json_object_get(files, "data.csv.age"), "sha256"), m->data_age_sha256) &&
		 is(json_object_get(json_object_get(files, "data.csv"), "sha256"), m->data_sha256);

	json_decref(j);
	return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct bk_extract_manifest zero;
	struct bk_extract_manifest m;

	memset(&m, 0xa5, sizeof(m));
	if (bk_extract_manifest_parse((const char *)data, size, "fuzz", &m) == BK_OK) {
		check(m.recipient[0] && strlen(m.recipient) < sizeof(m.recipient));
		check(hex64(m.data_age_sha256) && hex64(m.data_sha256));
		check(same(data, size, &m));
	} else {
		check(memcmp(&m, &zero, sizeof(m)) == 0);
	}
	return 0;
}
