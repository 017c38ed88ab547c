/* fuzz_validate.c - every cell validator on the same bytes, plus the promises
 * a crash would not show: a normalized value validates again to itself, and
 * no error detail quotes the cell. */
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz.h"
#include "vault/schema/validate.h"

static void check(int ok)
{
	if (!ok)
		abort();
}

/* No run of 6 digits of the cell may appear in the detail (a NIK or a phone
 * number in part). Whole-cell matching would trip over cells that happen to
 * be words of the messages; no checked message holds 6 digits in a row. */
static void no_echo(bk_status rc, const uint8_t *data, size_t size)
{
	const char *det = bk_error_detail();
	size_t run = 0;

	if (rc == BK_OK)
		return;
	for (size_t i = 0; i < size; i++) {
		run = data[i] >= '0' && data[i] <= '9' ? run + 1 : 0;
		if (run >= 6)
			check(memmem(det, strlen(det), data + i - 5, 6) == NULL);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const kanal[] = {"daring", "luring", "tata kelola pemerintahan"};
	static struct bk_regions regions;
	static int have_regions;
	const char *cell = (const char *)data;
	char out[257];
	size_t out_len;
	int formula, score;
	struct bk_nik nik, again;
	struct bk_date date, date2;
	struct bk_phone phone, phone2;
	int64_t v;
	const char *canonical;
	const struct bk_region *region;
	bk_status rc;

	if (!have_regions) {
		if (bk_regions_builtin(&regions) != BK_OK)
			abort();
		have_regions = 1;
	}

	bk_fuzz_discard(bk_validate_utf8(cell, size, 256, 0));
	bk_fuzz_discard(bk_validate_utf8(cell, size, SIZE_MAX, BK_VALIDATE_TAB | BK_VALIDATE_NEWLINE));

	rc = bk_validate_text(cell, size, 256, BK_VALIDATE_NEWLINE, out, sizeof(out), &out_len, &formula);
	no_echo(rc, data, size);
	if (rc == BK_OK) {
		check(strlen(out) == out_len && out_len > 0 && out_len <= 256);
		check(formula == bk_validate_formula_like(out, out_len));
		check(bk_validate_utf8(out, out_len, 256, BK_VALIDATE_TAB | BK_VALIDATE_NEWLINE) == BK_OK);
	}

	rc = bk_validate_nik(cell, size, NULL, 2024, &nik);
	no_echo(rc, data, size);
	if (rc == BK_OK) {
		check(strlen(nik.digits) == 16 && (nik.sex == 'L' || nik.sex == 'P'));
		check(bk_validate_nik(nik.digits, 16, NULL, 2024, &again) == BK_OK);
		check(memcmp(&nik, &again, sizeof(nik)) == 0);
		check(bk_validate_nik_match(&nik, nik.sex, &nik.birth) == BK_OK);
		check(bk_validate_date(nik.birth.iso, 10, &date2) == BK_OK);
		bk_fuzz_discard(bk_validate_nik(cell, size, "35.05", 1900 + (int)(size % 201), &again));
	}

	rc = bk_validate_date(cell, size, &date);
	no_echo(rc, data, size);
	if (rc == BK_OK) {
		check(strlen(date.iso) == 10);
		check(bk_validate_date(date.iso, 10, &date2) == BK_OK);
		check(memcmp(&date, &date2, sizeof(date)) == 0);
		if (bk_validate_nik(cell, size, NULL, 2024, &nik) == BK_OK)
			bk_fuzz_discard(bk_validate_nik_match(&nik, 'P', &date));
	}

	rc = bk_validate_phone(cell, size, &phone);
	no_echo(rc, data, size);
	if (rc == BK_OK) {
		size_t n = strlen(phone.e164);

		check(n >= 12 && n <= 16 && memcmp(phone.e164, "+62", 3) == 0);
		check(bk_validate_phone(phone.e164, n, &phone2) == BK_OK);
		check(memcmp(&phone, &phone2, sizeof(phone)) == 0);
	}

	rc = bk_validate_int(cell, size, -1000, 1000, &v);
	no_echo(rc, data, size);
	check(rc != BK_OK || (v >= -1000 && v <= 1000));
	bk_fuzz_discard(bk_validate_int(cell, size, INT64_MIN, INT64_MAX, &v));

	rc = bk_validate_score(cell, size, &score);
	check(rc != BK_OK || (score >= 1 && score <= 4));

	rc = bk_validate_enum(cell, size, kanal, 3, &canonical);
	no_echo(rc, data, size);
	check(rc != BK_OK || canonical == kanal[0] || canonical == kanal[1] || canonical == kanal[2]);

	for (int level = BK_REGION_KABUPATEN; level <= BK_REGION_DESA; level++) {
		rc = bk_validate_region(&regions, (enum bk_region_level)level, cell, size, &region);
		no_echo(rc, data, size);
		check(rc != BK_OK || (region && region->level == (enum bk_region_level)level));
	}
	return 0;
}
