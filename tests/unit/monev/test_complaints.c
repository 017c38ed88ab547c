/* test_complaints.c - the pure side of vault/monev/complaints.h: days
 * between dates across months, leap years and centuries; medians of odd
 * and even counts. */
#include "tests/unit/unit.h"

#include "vault/monev/complaints.h"

static void test_days_between(void **state)
{
	(void)state;
	assert_int_equal(bk_days_between("2025-03-01", "2025-03-01"), 0);
	assert_int_equal(bk_days_between("2025-02-28", "2025-03-01"), 1);
	assert_int_equal(bk_days_between("2024-02-28", "2024-03-01"), 2); /* 2024 is a leap year */
	assert_int_equal(bk_days_between("1900-02-28", "1900-03-01"), 1); /* 1900 is not */
	assert_int_equal(bk_days_between("2000-02-28", "2000-03-01"), 2); /* 2000 is */
	assert_int_equal(bk_days_between("2024-12-31", "2025-01-01"), 1);
	assert_int_equal(bk_days_between("2024-01-01", "2025-01-01"), 366);
	assert_int_equal(bk_days_between("2025-03-03", "2025-04-02"), 30);
	assert_int_equal(bk_days_between("2025-03-02", "2025-03-01"), -1); /* resolved before it came */
	assert_int_equal(bk_days_between("2025-03-01", NULL), -1);
	assert_int_equal(bk_days_between("2025-3-1", "2025-03-02"), -1);
	assert_int_equal(bk_days_between("2025-03-01", "2025-13-01"), -1);
}

static void test_median(void **state)
{
	uint32_t odd[] = {30, 2, 10, 4, 4}, even[] = {3, 1, 4, 2}, one[] = {7};

	(void)state;
	assert_int_equal(bk_median_e1(odd, 5), 40);
	assert_int_equal(bk_median_e1(even, 4), 25); /* (2 + 3) / 2 */
	assert_int_equal(bk_median_e1(one, 1), 70);
	assert_int_equal(bk_median_e1(NULL, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_days_between),
		cmocka_unit_test(test_median),
	};

	return bk_test_run_group("complaints", tests, NULL, NULL);
}
