/* test_shamir.c - secret sharing through libgfshare: known answers made by
 * libgfshare's own gfsplit (tests/fixtures/gfshare: `gfsplit -n 3 -m 5` of
 * the 32 bytes 00..1f; the share number is each file's extension), round
 * trips for every threshold, and what too few or repeated shares give. */
#include "tests/unit/unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"
#include "crypto/shamir.h"

static const unsigned kat_numbers[5] = {35, 41, 51, 73, 127};

static void kat_share(unsigned x, uint8_t y[32])
{
	char path[128];
	uint8_t *data = NULL;
	size_t len = 0;

	snprintf(path, sizeof(path), BK_TEST_FIXTURES "/gfshare/secret.%03u", x);
	assert_int_equal(bk_file_read(path, 64, &data, &len), BK_OK);
	assert_int_equal(len, 32);
	memcpy(y, data, 32);
	free(data);
}

static void test_gfsplit_known_answers(void **state)
{
	uint8_t want[32], xs[3], ys[3 * 32], got[32];

	(void)state;
	for (int i = 0; i < 32; i++)
		want[i] = (uint8_t)i;
	/* every 3 of the 5 shares give the secret back */
	for (unsigned a = 0; a < 5; a++)
		for (unsigned b = a + 1; b < 5; b++)
			for (unsigned c = b + 1; c < 5; c++) {
				unsigned pick[3] = {a, b, c};

				for (int i = 0; i < 3; i++) {
					xs[i] = (uint8_t)kat_numbers[pick[i]];
					kat_share(kat_numbers[pick[i]], ys + i * 32);
				}
				assert_int_equal(bk_shamir_combine(xs, ys, 3, 32, got), BK_OK);
				assert_memory_equal(got, want, 32);
			}
	/* two are not enough: they give another value */
	assert_int_equal(bk_shamir_combine(xs, ys, 2, 32, got), BK_OK);
	assert_memory_not_equal(got, want, 32);
	/* one changed byte of one share changes the secret */
	ys[5] ^= 1;
	assert_int_equal(bk_shamir_combine(xs, ys, 3, 32, got), BK_OK);
	assert_memory_not_equal(got, want, 32);
}

static void test_split_round_trips(void **state)
{
	uint8_t secret[32], xs[BK_SHAMIR_MAX], ys[BK_SHAMIR_MAX * 32], got[32], pick_x[BK_SHAMIR_MAX],
		pick_y[BK_SHAMIR_MAX * 32];

	(void)state;
	for (unsigned n = 2; n <= 6; n++)
		for (unsigned k = 2; k <= n; k++) {
			for (int i = 0; i < 32; i++)
				secret[i] = (uint8_t)(n * 31 + k * 7 + i);
			assert_int_equal(bk_shamir_split(secret, 32, n, k, xs, ys), BK_OK);
			/* the last k shares, in reverse order */
			for (unsigned i = 0; i < k; i++) {
				pick_x[i] = xs[n - 1 - i];
				memcpy(pick_y + i * 32, ys + (n - 1 - i) * 32, 32);
			}
			assert_int_equal(bk_shamir_combine(pick_x, pick_y, k, 32, got), BK_OK);
			assert_memory_equal(got, secret, 32);
			/* k - 1 of them give something else (with overwhelming probability) */
			assert_int_equal(bk_shamir_combine(pick_x, pick_y, k - 1, 32, got), BK_OK);
			assert_memory_not_equal(got, secret, 32);
		}
	/* two splits of one secret share nothing: fresh coefficients each time */
	assert_int_equal(bk_shamir_split(secret, 32, 3, 2, xs, ys), BK_OK);
	assert_int_equal(bk_shamir_split(secret, 32, 3, 2, xs, pick_y), BK_OK);
	assert_memory_not_equal(ys, pick_y, 32);
}

static void test_bad_arguments(void **state)
{
	uint8_t secret[32] = {0}, xs[BK_SHAMIR_MAX], ys[BK_SHAMIR_MAX * 32], got[32];

	(void)state;
	assert_int_equal(bk_shamir_split(secret, 32, 3, 4, xs, ys), BK_ERR_USAGE);
	assert_int_equal(bk_shamir_split(secret, 32, 3, 1, xs, ys), BK_ERR_USAGE);
	assert_int_equal(bk_shamir_split(secret, 32, BK_SHAMIR_MAX + 1, 2, xs, ys), BK_ERR_USAGE);
	assert_int_equal(bk_shamir_split(secret, 32, 3, 2, xs, ys), BK_OK);
	xs[1] = xs[0];
	assert_int_equal(bk_shamir_combine(xs, ys, 2, 32, got), BK_ERR_USAGE);
	xs[1] = 0;
	assert_int_equal(bk_shamir_combine(xs, ys, 2, 32, got), BK_ERR_FORMAT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gfsplit_known_answers),
		cmocka_unit_test(test_split_round_trips),
		cmocka_unit_test(test_bad_arguments),
	};

	return bk_test_run_group("shamir", tests, NULL, NULL);
}
