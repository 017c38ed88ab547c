/* test_adoption.c - the pure side of vault/monev/adoption.h: periods of
 * dates and their labels, and the suppression of a series (the fixtures'
 * INO-A worked by hand, then invariants over random series: no count of 1 to
 * min_cell - 1 people shows, a period whose people are hidden shows no uses,
 * and no margin leaves exactly one hidden cell to be worked out). */
#include "tests/unit/unit.h"

#include <stdlib.h>
#include <string.h>

#include "vault/monev/adoption.h"

static void test_periods(void **state)
{
	char label[BK_PERIOD_LABEL_MAX], lo[BK_PERIOD_LABEL_MAX], hi[BK_PERIOD_LABEL_MAX];

	(void)state;
	assert_int_equal(bk_period_of("2025-03-31", BK_PERIOD_MONTH), 2025 * 12 + 2);
	assert_int_equal(bk_period_of("2025-03-31", BK_PERIOD_QUARTER), 2025 * 4);
	assert_int_equal(bk_period_of("2025-12-01", BK_PERIOD_QUARTER), 2025 * 4 + 3);
	assert_int_equal(bk_period_of("2025-13-01", BK_PERIOD_MONTH), -1);
	assert_int_equal(bk_period_of("2025-00-01", BK_PERIOD_MONTH), -1);
	assert_int_equal(bk_period_of("25-03-01", BK_PERIOD_MONTH), -1);
	assert_int_equal(bk_period_of("2025/03/01", BK_PERIOD_MONTH), -1);
	assert_int_equal(bk_period_of(NULL, BK_PERIOD_MONTH), -1);
	assert_int_equal(bk_period_of("2025-07-01", BK_PERIOD_SEMESTER), 2025 * 2 + 1);
	assert_int_equal(bk_period_of("2025-06-30", BK_PERIOD_SEMESTER), 2025 * 2);
	assert_int_equal(bk_period_of("2025-12-31", BK_PERIOD_YEAR), 2025);
	bk_period_label(label, 2025 * 12 + 2, BK_PERIOD_MONTH);
	assert_string_equal(label, "2025-03");
	bk_period_label(label, 2025 * 4 + 3, BK_PERIOD_QUARTER);
	assert_string_equal(label, "2025-Q4");
	bk_period_label(label, 2025 * 2 + 1, BK_PERIOD_SEMESTER);
	assert_string_equal(label, "2025-S2");
	bk_period_label(label, 2025, BK_PERIOD_YEAR);
	assert_string_equal(label, "2025");
	bk_period_bounds(2025 * 2 + 1, BK_PERIOD_SEMESTER, lo, hi);
	assert_string_equal(lo, "2025-07-01");
	assert_string_equal(hi, "2026-01-01");
	bk_period_bounds(2025 * 4 + 3, BK_PERIOD_QUARTER, lo, hi);
	assert_string_equal(lo, "2025-10-01");
	assert_string_equal(hi, "2026-01-01");
	bk_period_bounds(2025 * 12 + 1, BK_PERIOD_MONTH, lo, hi);
	assert_string_equal(lo, "2025-02-01");
	assert_string_equal(hi, "2025-03-01");
}

/* A report of one innovation with n points (daring, luring, users each) and
 * the series' distinct users. */
static void one(struct bk_report_adoption *r, const uint64_t (*pts)[3], size_t n, uint64_t users, uint64_t min_cell)
{
	memset(r, 0, sizeof(*r));
	r->min_cell = min_cell;
	r->inovasi = calloc(1, sizeof(*r->inovasi));
	assert_non_null(r->inovasi);
	r->ninovasi = 1;
	r->inovasi[0].points = calloc(n ? n : 1, sizeof(*r->inovasi[0].points));
	assert_non_null(r->inovasi[0].points);
	r->inovasi[0].npoints = n;
	r->inovasi[0].users = users;
	for (size_t p = 0; p < n; p++) {
		r->inovasi[0].points[p].daring = pts[p][0];
		r->inovasi[0].points[p].luring = pts[p][1];
		r->inovasi[0].points[p].users = pts[p][2];
	}
}

/* INO-A of the fixtures: March 6 daring and 2 luring by 8 people, April
 * nothing, May 6 luring by 6. At min-cell 5 March's 2 luring is small; its
 * column (2, 0, 6) and row give it away unless May's luring and both rows'
 * uses go too. */
static void test_ino_a_worked(void **state)
{
	static const uint64_t pts[3][3] = {{6, 2, 8}, {0, 0, 0}, {0, 6, 6}};
	struct bk_report_adoption r;
	const struct bk_adoption_point *p;

	(void)state;
	one(&r, pts, 3, 14, 5);
	assert_int_equal(bk_report_adoption_finish(&r), BK_OK);
	p = r.inovasi[0].points;
	/* people: 8, 0, 6 of 14, none small */
	assert_false(p[0].users_hidden);
	assert_int_equal(p[0].users, 8);
	assert_false(p[2].users_hidden);
	assert_false(r.inovasi[0].users_hidden);
	/* uses */
	assert_true(p[0].luring_hidden);
	assert_true(p[0].daring_hidden);
	assert_true(p[2].luring_hidden);
	assert_int_equal(p[0].luring, 0); /* wiped */
	assert_false(p[1].uses_hidden);
	assert_int_equal(r.inovasi[0].uses, 14);
	bk_report_adoption_release(&r);
	/* min-cell 1: everything shows, the totals add up */
	one(&r, pts, 3, 14, 1);
	assert_int_equal(bk_report_adoption_finish(&r), BK_OK);
	assert_int_equal(r.inovasi[0].points[0].uses, 8);
	assert_int_equal(r.inovasi[0].daring, 6);
	assert_int_equal(r.inovasi[0].luring, 8);
	assert_int_equal(r.inovasi[0].uses, 14);
	bk_report_adoption_release(&r);
}

static void test_invariants(void **state)
{
	uint64_t seed = 42;

	(void)state;
	for (int trial = 0; trial < 2000; trial++) {
		size_t n = 1 + bk_test_lcg(&seed, 12);
		uint64_t (*pts)[3] = calloc(n, sizeof(*pts)), users = 0, min_cell = 2 + bk_test_lcg(&seed, 6);
		struct bk_report_adoption r;
		const struct bk_adoption_inovasi *x;

		assert_non_null(pts);
		for (size_t p = 0; p < n; p++) {
			pts[p][0] = bk_test_lcg(&seed, 4) ? bk_test_lcg(&seed, 12) : 0;
			pts[p][1] = bk_test_lcg(&seed, 4) ? bk_test_lcg(&seed, 12) : 0;
			pts[p][2] = pts[p][0] + pts[p][1] ? 1 + bk_test_lcg(&seed, pts[p][0] + pts[p][1]) : 0;
			users += pts[p][2];
		}
		one(&r, (const uint64_t(*)[3])pts, n, users, min_cell);
		assert_int_equal(bk_report_adoption_finish(&r), BK_OK);
		x = &r.inovasi[0];
		for (size_t p = 0; p < n; p++) {
			const struct bk_adoption_point *pt = &x->points[p];
			size_t hidden_in_row = pt->daring_hidden + pt->luring_hidden;

			if (!pt->users_hidden)
				assert_true(pt->users == 0 || pt->users >= min_cell);
			if (!pt->daring_hidden)
				assert_true(pt->daring == 0 || pt->daring >= min_cell);
			if (!pt->luring_hidden)
				assert_true(pt->luring == 0 || pt->luring >= min_cell);
			if (pt->users_hidden)
				assert_true(pt->uses_hidden);
			/* a shown row total with one hidden cell would give it away */
			if (!pt->uses_hidden)
				assert_int_not_equal(hidden_in_row, 1);
		}
		bk_report_adoption_release(&r);
		free(pts);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_periods),
		cmocka_unit_test(test_ino_a_worked),
		cmocka_unit_test(test_invariants),
	};

	return bk_test_run_group("adoption", tests, NULL, NULL);
}
