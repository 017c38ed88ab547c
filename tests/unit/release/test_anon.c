/* test_anon.c - the anonymization engine: hierarchy labels of every type
 * against golden values (band edges, dates, the built-in region file, enum
 * groups, missing values), hierarchies refused with their details, a worked
 * example computed by hand (node, suppressed rows, classes, risks, loss),
 * l-diversity by distinct values and by entropy, edge cases (no solution, k
 * above n, a budget that would suppress everything), bad input, the release
 * re-check catching planted violations, and thousands of random tables
 * checked against a brute-force evaluation of every lattice node written
 * here, apart from the engine. */
#include "tests/unit/unit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "vault/release/anon.h"
#include "vault/schema/dataset.h"
#include "vault/schema/hierarchy.h"

/* --- hierarchies --- */

static struct bk_column column(const char *name, enum bk_coltype type, const char *hierarchy)
{
	struct bk_column c;

	memset(&c, 0, sizeof(c));
	snprintf(c.name, sizeof(c.name), "%s", name);
	c.type = type;
	c.cls = BK_COL_QUASI;
	snprintf(c.hierarchy, sizeof(c.hierarchy), "%s", hierarchy);
	return c;
}

/* column() whose hierarchy has passed bk_hierarchy_check. */
static struct bk_column checked_column(const char *name, enum bk_coltype type, const char *hierarchy)
{
	struct bk_column c = column(name, type, hierarchy);

	assert_int_equal(bk_hierarchy_check(&c), BK_OK);
	return c;
}

static char *edu_values[] = {"tidak sekolah", "SD", "SMP", "SMA", "D3", "S1", "S2", "S3"};

static struct bk_column edu_column(const char *hierarchy)
{
	struct bk_column c = column("pendidikan", BK_TYPE_ENUM, hierarchy);

	for (size_t i = 0; i < 8; i++)
		c.values[i] = edu_values[i];
	c.nvalues = 8;
	return c;
}

/* Asserts the labels of value at levels 0, 1, ... (NULL-terminated list). */
static void expect_labels(const struct bk_column *col, const char *value, const char *const *labels)
{
	size_t n = 0;

	for (; labels[n]; n++) {
		char out[BK_HIERARCHY_LABEL_MAX];

		if (bk_hierarchy_label(col, &bk_test_regions, n, value, out, sizeof(out)) != BK_OK)
			fail_msg("'%s' at level %zu: %s", value, n, bk_error_detail());
		if (strcmp(out, labels[n]) != 0)
			fail_msg("'%s' at level %zu: '%s', expected '%s'", value, n, out, labels[n]);
	}
	assert_int_equal(bk_hierarchy_levels(col), n);
}

#define LABELS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* Asserts that value has no level-1 label: rc, a detail naming what, and an
 * empty out. */
static void expect_label_refused(const struct bk_column *col, const struct bk_regions *regions, const char *value,
				 bk_status rc, const char *what)
{
	char out[BK_HIERARCHY_LABEL_MAX];

	assert_detail(bk_hierarchy_label(col, regions, 1, value, out, sizeof(out)), rc, what);
	assert_string_equal(out, "");
}

static void test_labels_bands(void **state)
{
	struct bk_column c = checked_column("umur", BK_TYPE_INT, "5,10,20");
	char out[BK_HIERARCHY_LABEL_MAX];

	(void)state;
	expect_labels(&c, "0", LABELS("0", "0-4", "0-9", "0-19", "*"));
	expect_labels(&c, "4", LABELS("4", "0-4", "0-9", "0-19", "*"));
	expect_labels(&c, "5", LABELS("5", "5-9", "0-9", "0-19", "*"));
	expect_labels(&c, "23", LABELS("23", "20-24", "20-29", "20-39", "*"));
	expect_labels(&c, "99", LABELS("99", "95-99", "90-99", "80-99", "*"));
	expect_labels(&c, "-1", LABELS("-1", "-5--1", "-10--1", "-20--1", "*"));
	expect_labels(&c, "-5", LABELS("-5", "-5--1", "-10--1", "-20--1", "*"));
	expect_labels(&c, "", LABELS("", "", "", "", "*")); /* missing */
	/* score columns band the same way */
	c.type = BK_TYPE_SCORE1TO4;
	snprintf(c.hierarchy, sizeof(c.hierarchy), "2");
	expect_labels(&c, "3", LABELS("3", "2-3", "*"));
	c.type = BK_TYPE_INT;
	snprintf(c.hierarchy, sizeof(c.hierarchy), "5,10,20");
	/* not a number, a level past the top, no room */
	expect_label_refused(&c, NULL, "2x", BK_ERR_FORMAT, "not a whole number");
	expect_label_refused(&c, NULL, " 5", BK_ERR_FORMAT, "not a whole number");
	expect_label_refused(&c, NULL, "+5", BK_ERR_FORMAT, "not a whole number");
	assert_detail(bk_hierarchy_label(&c, NULL, 5, "23", out, sizeof(out)), BK_ERR_USAGE, "level 5");
	assert_detail(bk_hierarchy_label(&c, NULL, 1, "23", out, 5), BK_ERR_USAGE, "does not fit");
	assert_string_equal(out, "");
	assert_int_equal(bk_hierarchy_label(&c, NULL, 1, "23", out, 6), BK_OK);
	assert_string_equal(out, "20-24");
}

static void test_labels_dates(void **state)
{
	struct bk_column c = checked_column("tanggal_lahir", BK_TYPE_DATE, "month,quarter,year");

	(void)state;
	expect_labels(&c, "2024-03-15", LABELS("2024-03-15", "2024-03", "2024-Q1", "2024", "*"));
	expect_labels(&c, "2024-04-01", LABELS("2024-04-01", "2024-04", "2024-Q2", "2024", "*"));
	expect_labels(&c, "1999-12-31", LABELS("1999-12-31", "1999-12", "1999-Q4", "1999", "*"));
	expect_labels(&c, "", LABELS("", "", "", "", "*"));
	snprintf(c.hierarchy, sizeof(c.hierarchy), "quarter,year");
	expect_labels(&c, "2024-09-30", LABELS("2024-09-30", "2024-Q3", "2024", "*"));
	snprintf(c.hierarchy, sizeof(c.hierarchy), "year");
	expect_labels(&c, "2024-09-30", LABELS("2024-09-30", "2024", "*"));
	snprintf(c.hierarchy, sizeof(c.hierarchy), "month , year"); /* spaces around levels */
	assert_int_equal(bk_hierarchy_check(&c), BK_OK);
	expect_labels(&c, "2024-09-30", LABELS("2024-09-30", "2024-09", "2024", "*"));
	expect_label_refused(&c, NULL, "2024-13-01", BK_ERR_FORMAT, "YYYY-MM-DD");
	expect_label_refused(&c, NULL, "15/03/2024", BK_ERR_FORMAT, "YYYY-MM-DD");
	expect_label_refused(&c, NULL, "2024-3-15", BK_ERR_FORMAT, "YYYY-MM-DD");
}

static void test_labels_regions(void **state)
{
	struct bk_column c = column("desa", BK_TYPE_REGION, "kecamatan,kabupaten");
	char out[BK_HIERARCHY_LABEL_MAX];

	(void)state;
	c.level = BK_REGION_DESA;
	assert_int_equal(bk_hierarchy_check(&c), BK_OK);
	/* Jaten, in Wonodadi; Togogan, a kelurahan of Srengat */
	expect_labels(&c, "35.05.01.2001", LABELS("35.05.01.2001", "35.05.01", "35.05", "*"));
	expect_labels(&c, "35.05.03.1004", LABELS("35.05.03.1004", "35.05.03", "35.05", "*"));
	expect_labels(&c, "", LABELS("", "", "", "*"));
	snprintf(c.hierarchy, sizeof(c.hierarchy), "kecamatan");
	expect_labels(&c, "35.05.02.2012", LABELS("35.05.02.2012", "35.05.02", "*"));
	snprintf(c.hierarchy, sizeof(c.hierarchy), "kabupaten");
	expect_labels(&c, "35.05.02.2012", LABELS("35.05.02.2012", "35.05", "*"));
	/* a stored value is a code: not a name, not a code missing from the file, not a kecamatan */
	snprintf(c.hierarchy, sizeof(c.hierarchy), "kecamatan,kabupaten");
	expect_label_refused(&c, &bk_test_regions, "Jaten", BK_ERR_FORMAT, "not a desa code");
	expect_label_refused(&c, &bk_test_regions, "35.05.01.2999", BK_ERR_FORMAT, "not a desa code");
	expect_label_refused(&c, &bk_test_regions, "35.05.01", BK_ERR_FORMAT, "not a desa code");
	expect_label_refused(&c, NULL, "35.05.01.2001", BK_ERR_USAGE, "needs the region file");
	/* level 0 and the top need no region file */
	assert_int_equal(bk_hierarchy_label(&c, NULL, 3, "35.05.01.2001", out, sizeof(out)), BK_OK);
	assert_string_equal(out, "*");
	/* a kecamatan column goes up to the kabupaten */
	c.level = BK_REGION_KECAMATAN;
	snprintf(c.hierarchy, sizeof(c.hierarchy), "kabupaten");
	assert_int_equal(bk_hierarchy_check(&c), BK_OK);
	expect_labels(&c, "35.05.01", LABELS("35.05.01", "35.05", "*"));
}

static void test_labels_enums(void **state)
{
	struct bk_column c = edu_column("dasar=tidak sekolah/SD/SMP;menengah=SMA;tinggi=D3/S1/S2/S3");

	(void)state;
	assert_int_equal(bk_hierarchy_check(&c), BK_OK);
	expect_labels(&c, "tidak sekolah", LABELS("tidak sekolah", "dasar", "*"));
	expect_labels(&c, "SD", LABELS("SD", "dasar", "*"));
	expect_labels(&c, "SMA", LABELS("SMA", "menengah", "*"));
	expect_labels(&c, "S3", LABELS("S3", "tinggi", "*"));
	expect_labels(&c, "", LABELS("", "", "*"));
	/* values in no group are their own group; spaces around names and values are dropped */
	c = edu_column(" dasar = SD / SMP ; tinggi=S1/S2/S3");
	assert_int_equal(bk_hierarchy_check(&c), BK_OK);
	expect_labels(&c, "SMP", LABELS("SMP", "dasar", "*"));
	expect_labels(&c, "SMA", LABELS("SMA", "SMA", "*"));
	expect_labels(&c, "tidak sekolah", LABELS("tidak sekolah", "tidak sekolah", "*"));
	/* a group may be named after one of its own values */
	c = edu_column("SD=SD/SMP");
	assert_int_equal(bk_hierarchy_check(&c), BK_OK);
	expect_labels(&c, "SMP", LABELS("SMP", "SD", "*"));
	/* values are matched exactly, in their canonical spelling */
	expect_label_refused(&c, NULL, "smp", BK_ERR_FORMAT, "not one of the column's values");
	expect_label_refused(&c, NULL, "SMK", BK_ERR_FORMAT, "not one of the column's values");
}

static void test_labels_plain(void **state)
{
	struct bk_column c = column("jenis_kelamin", BK_TYPE_ENUM, "");
	char *lp[] = {"L", "P"};

	(void)state;
	c.values[0] = lp[0];
	c.values[1] = lp[1];
	c.nvalues = 2;
	assert_int_equal(bk_hierarchy_check(&c), BK_OK);
	expect_labels(&c, "L", LABELS("L", "*"));
	expect_labels(&c, "", LABELS("", "*"));
	c = column("pekerjaan", BK_TYPE_TEXT, "");
	expect_labels(&c, "petani", LABELS("petani", "*"));
	/* only quasi columns have levels */
	c.cls = BK_COL_SENSITIVE;
	assert_int_equal(bk_hierarchy_levels(&c), 0);
	assert_int_equal(bk_hierarchy_check(&c), BK_OK);
}

static void test_check_profile(void **state)
{
	size_t quasi = 0, with_hierarchy = 0;

	(void)state;
	/* every column of the built-in profile passes, and the hierarchies it declares are the expected ones */
	for (size_t d = 0; d < bk_profile_inovasi_count; d++) {
		struct bk_dataset ds;
		const char *text = bk_profile_inovasi[d];

		assert_int_equal(bk_dataset_parse(&ds, "profile", text, strlen(text)), BK_OK);
		for (size_t i = 0; i < ds.ncols; i++) {
			if (bk_hierarchy_check(&ds.cols[i]) != BK_OK)
				fail_msg("%s.%s: %s", ds.name, ds.cols[i].name, bk_error_detail());
			quasi += ds.cols[i].cls == BK_COL_QUASI;
			with_hierarchy += ds.cols[i].hierarchy[0] != '\0';
		}
		if (strcmp(ds.name, "warga") == 0) {
			assert_int_equal(bk_hierarchy_levels(&ds.cols[bk_dataset_column(&ds, "tanggal_lahir")]), 5);
			assert_int_equal(bk_hierarchy_levels(&ds.cols[bk_dataset_column(&ds, "desa")]), 4);
			assert_int_equal(bk_hierarchy_levels(&ds.cols[bk_dataset_column(&ds, "pendidikan")]), 3);
			assert_int_equal(bk_hierarchy_levels(&ds.cols[bk_dataset_column(&ds, "jenis_kelamin")]), 2);
			assert_int_equal(bk_hierarchy_levels(&ds.cols[bk_dataset_column(&ds, "nik")]), 0);
		}
		if (strcmp(ds.name, "skm") == 0) {
			const struct bk_column *umur = &ds.cols[bk_dataset_column(&ds, "umur")];

			assert_int_equal(bk_hierarchy_levels(umur), 5);
			expect_labels(umur, "67", LABELS("67", "65-69", "60-69", "60-79", "*"));
		}
		bk_dataset_release(&ds);
	}
	assert_int_equal(quasi, 15); /* pengaduan.tanggal_selesai among them */
	assert_int_equal(with_hierarchy, 11);
}

struct bad_case {
	enum bk_coltype type;
	const char *hierarchy;
	const char *detail;
};

static void test_check_refuses(void **state)
{
	static const struct bad_case cases[] = {
		{BK_TYPE_INT, "5,12", "band 12 is not a multiple of 5"},
		{BK_TYPE_INT, "5,10,25", "band 25 is not a multiple of 10"},
		{BK_TYPE_INT, "10,5", "band 5 is not above 10"},
		{BK_TYPE_INT, "5,5", "band 5 is not above 5"},
		{BK_TYPE_INT, "1,5", "band 1 is out of range"},
		{BK_TYPE_INT, "0", "band 0 is out of range"},
		{BK_TYPE_INT, "5,,10", "level 2 is empty"},
		{BK_TYPE_INT, "5,", "level 2 is empty"},
		{BK_TYPE_INT, "5,x", "'x' is not a band width"},
		{BK_TYPE_INT, "-5", "'-5' is not a band width"},
		{BK_TYPE_INT, "99999999999", "is not a band width"},
		{BK_TYPE_INT, "2,4,8,16,32,64,128", "more than 6 levels"},
		{BK_TYPE_DATE, "year,month", "'month' cannot come after 'year'"},
		{BK_TYPE_DATE, "month,month", "'month' cannot come after 'month'"},
		{BK_TYPE_DATE, "week,year", "'week' is not a date level"},
		{BK_TYPE_DATE, "Month", "'Month' is not a date level"},
		{BK_TYPE_REGION, "kabupaten,kecamatan", "'kecamatan' cannot come after 'kabupaten'"},
		{BK_TYPE_REGION, "desa,kecamatan", "'desa' is not a level above a desa column"},
		{BK_TYPE_ENUM, "dasar=SD;dasar=SMP", "group 'dasar' is named twice"},
		{BK_TYPE_ENUM, "dasar=SD/SMK", "names 'SMK', which is not one of the column's values"},
		{BK_TYPE_ENUM, "dasar=SD;rendah=SMP/SD", "value 'SD' is in more than one group"},
		{BK_TYPE_ENUM, "dasar=SD/SD", "value 'SD' is in more than one group"},
		{BK_TYPE_ENUM, "SD=SMP", "group 'SD' is named after a value it does not hold"},
		{BK_TYPE_ENUM, "dasar", "group 1 is not NAME=VALUE/VALUE"},
		{BK_TYPE_ENUM, "dasar=SD;SMP", "group 2 is not NAME=VALUE/VALUE"},
		{BK_TYPE_ENUM, "=SD", "group 1 has no name"},
		{BK_TYPE_ENUM, "dasar=SD/", "group 'dasar' has an empty value"},
		{BK_TYPE_ENUM, "dasar=", "group 'dasar' has an empty value"},
		{BK_TYPE_TEXT, "a=b", "a text column takes no hierarchy"},
		{BK_TYPE_PHONE, "5", "a phone column takes no hierarchy"},
	};
	struct bk_column c;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		c = cases[i].type == BK_TYPE_ENUM ? edu_column(cases[i].hierarchy)
						  : column("kolom", cases[i].type, cases[i].hierarchy);
		c.level = BK_REGION_DESA;
		if (bk_hierarchy_check(&c) != BK_ERR_FORMAT)
			fail_msg("'%s' passed", cases[i].hierarchy);
		if (!strstr(bk_error_detail(), cases[i].detail))
			fail_msg("'%s': detail '%s' lacks '%s'", cases[i].hierarchy, bk_error_detail(), cases[i].detail);
		/* the detail names the column and quotes the hierarchy */
		if (!strstr(bk_error_detail(), c.type == BK_TYPE_ENUM ? "column 'pendidikan'" : "column 'kolom'"))
			fail_msg("'%s': detail '%s' lacks the column", cases[i].hierarchy, bk_error_detail());
	}
	/* a hint where a fix is likely */
	c = column("umur", BK_TYPE_INT, "5,12");
	assert_int_equal(bk_hierarchy_check(&c), BK_ERR_FORMAT);
	assert_non_null(strstr(bk_error_hint(), "multiple"));
	/* a kecamatan column cannot go to the kecamatan */
	c = column("kecamatan", BK_TYPE_REGION, "kecamatan,kabupaten");
	c.level = BK_REGION_KECAMATAN;
	assert_detail(bk_hierarchy_check(&c), BK_ERR_FORMAT, "not a level above a kecamatan column");
	/* only quasi columns have a hierarchy */
	c = column("disabilitas", BK_TYPE_INT, "5");
	c.cls = BK_COL_SENSITIVE;
	assert_detail(bk_hierarchy_check(&c), BK_ERR_FORMAT, "only quasi columns");
	/* a label of a refused hierarchy fails too, instead of guessing */
	c = column("umur", BK_TYPE_INT, "5,x");
	expect_label_refused(&c, NULL, "23", BK_ERR_FORMAT, "'x'");
}

/* --- the engine: helpers --- */

/* A hierarchy given as its codes per level and up maps (up[j] has ncodes[j] entries). */
static struct bk_anon_hier hier(size_t nlevels, const size_t *ncodes, const uint32_t *const *up)
{
	struct bk_anon_hier h;

	memset(&h, 0, sizeof(h));
	h.nlevels = nlevels;
	for (size_t j = 0; j < nlevels; j++) {
		h.ncodes[j] = ncodes[j];
		if (j + 1 < nlevels)
			h.up[j] = up[j];
	}
	return h;
}

static const uint32_t to_top2[] = {0, 0};

/* L/P -> "*" */
static struct bk_anon_hier hier_sex(void)
{
	static const size_t n[] = {2, 1};
	static const uint32_t *const up[] = {to_top2};

	return hier(2, n, up);
}

/* --- the worked example --- */

/* umur: 21, 23, 35, 38 (codes 0-3) -> 20-29, 30-39 (codes 0, 1) -> "*";
 * jenis kelamin: L, P (codes 0, 1) -> "*". */
static const uint32_t age_up0[] = {0, 0, 1, 1};
static const uint32_t example_rows[10][2] = {
	{0, 0}, /* r0 21 L */
	{0, 0}, /* r1 21 L */
	{1, 0}, /* r2 23 L */
	{1, 1}, /* r3 23 P */
	{2, 1}, /* r4 35 P */
	{2, 1}, /* r5 35 P */
	{3, 1}, /* r6 38 P */
	{3, 0}, /* r7 38 L */
	{3, 1}, /* r8 38 P */
	{0, 1}, /* r9 21 P */
};

static struct bk_anon_input example_input(size_t k, size_t max_suppressed)
{
	static const size_t age_n[] = {4, 2, 1};
	static const uint32_t *const age_up[] = {age_up0, to_top2};
	struct bk_anon_input in;

	memset(&in, 0, sizeof(in));
	in.nrows = 10;
	in.nquasi = 2;
	in.quasi = &example_rows[0][0];
	in.hier[0] = hier(3, age_n, age_up);
	in.hier[1] = hier_sex();
	in.k = k;
	in.max_suppressed = max_suppressed;
	in.risk_threshold = 0.3;
	return in;
}

static void test_worked_example(void **state)
{
	struct bk_anon_input in = example_input(3, 3);
	struct bk_anon_result res;
	static const uint8_t suppressed[10] = {0, 0, 0, 1, 0, 0, 0, 1, 0, 1};

	(void)state;
	/* k = 3. The six nodes (umur level, jenis kelamin level):
	 *   (0,0) classes 21L:2 23L:1 23P:1 35P:2 38P:2 38L:1 21P:1   all fail: 10 suppressed
	 *   (0,1) 21:3 23:2 35:2 38:3                                   4 suppressed (r2 r3 r4 r5)
	 *   (1,0) 20-29 L:3 (r0 r1 r2)  20-29 P:2 (r3 r9)
	 *         30-39 P:4 (r4 r5 r6 r8)  30-39 L:1 (r7)              3 suppressed (r3 r7 r9)
	 *   (2,0) L:4 P:6, (1,1) 20-29:5 30-39:5, (2,1) all 10         nothing suppressed
	 * Loss: umur has 4 codes: a band of 2 loses (2-1)/(4-1) = 1/3, "*" 1; jenis kelamin:
	 * "*" loses 1; a suppressed row loses 1 in both cells. Mean over 20 cells:
	 *   (1,0): (7 x 1/3 + 3 x 2) / 20 = 25/60      (2,0): 10 / 20 = 1/2
	 *   (1,1): (10 x 1/3 + 10) / 20 = 2/3          (2,1): 1
	 * With a budget of 3 rows, (1,0) wins. */
	assert_int_equal(bk_anon_run(&in, &res), BK_OK);
	assert_true(res.found);
	assert_int_equal(res.level[0], 1);
	assert_int_equal(res.level[1], 0);
	assert_memory_equal(res.suppressed, suppressed, 10);
	assert_int_equal(res.nsuppressed, 3);
	assert_int_equal(res.nreleased, 7);
	assert_int_equal(res.nclasses, 2);
	assert_int_equal(res.smallest_class, 3);
	assert_float_equal(res.loss, 25.0 / 60.0, 1e-12);
	assert_float_equal(res.risk_max, 1.0 / 3.0, 1e-12);
	assert_float_equal(res.risk_avg, 2.0 / 7.0, 1e-12);     /* 3 x 1/3 + 4 x 1/4 over 7 rows */
	assert_float_equal(res.share_at_risk, 3.0 / 7.0, 1e-12); /* the class of 3: risk 1/3 > 0.3 */
	assert_int_equal(res.nodes_total, 6);
	assert_true(res.nodes_checked >= 1 && res.nodes_checked <= 6);
	bk_anon_result_release(&res);
	assert_null(res.suppressed);

	/* a budget of 2: (1,0) suppresses too much; (2,0) at 1/2 beats (1,1) at 2/3 */
	in = example_input(3, 2);
	assert_int_equal(bk_anon_run(&in, &res), BK_OK);
	assert_true(res.found);
	assert_int_equal(res.level[0], 2);
	assert_int_equal(res.level[1], 0);
	assert_int_equal(res.nsuppressed, 0);
	assert_int_equal(res.nclasses, 2);
	assert_int_equal(res.smallest_class, 4);
	assert_float_equal(res.loss, 0.5, 1e-12);
	assert_float_equal(res.risk_max, 0.25, 1e-12);
	assert_float_equal(res.risk_avg, 0.2, 1e-12);
	assert_float_equal(res.share_at_risk, 0, 1e-12); /* 1/4 and 1/6 are not above 0.3 */
	bk_anon_result_release(&res);

	/* k = 5: only (1,1) (loss 2/3) and (2,1) satisfy; (2,0) has a class of 4 */
	in = example_input(5, 0);
	assert_int_equal(bk_anon_run(&in, &res), BK_OK);
	assert_true(res.found);
	assert_int_equal(res.level[0], 1);
	assert_int_equal(res.level[1], 1);
	assert_float_equal(res.loss, 2.0 / 3.0, 1e-12);
	assert_int_equal(res.smallest_class, 5);
	bk_anon_result_release(&res);
}

static void test_ties(void **state)
{
	/* two L/P columns: (1,0) and (0,1) both lose 1/2; equal sums of levels, so the
	 * lexicographically smaller (0,1) wins */
	static const uint32_t rows[8][2] = {{0, 0}, {0, 0}, {0, 0}, {0, 1}, {1, 0}, {1, 1}, {1, 1}, {1, 1}};
	struct bk_anon_input in;
	struct bk_anon_result res;

	(void)state;
	memset(&in, 0, sizeof(in));
	in.nrows = 8;
	in.nquasi = 2;
	in.quasi = &rows[0][0];
	in.hier[0] = hier_sex();
	in.hier[1] = hier_sex();
	in.k = 2;
	assert_int_equal(bk_anon_run(&in, &res), BK_OK);
	assert_true(res.found);
	assert_int_equal(res.level[0], 0);
	assert_int_equal(res.level[1], 1);
	assert_float_equal(res.loss, 0.5, 1e-12);
	bk_anon_result_release(&res);
}

/* --- l-diversity --- */

/* jenis kelamin L/P; one sensitive column: flu 0, cold 1, hiv 2.
 *   L: flu flu flu cold      P: flu cold hiv hiv */
static const uint32_t ld_quasi[8] = {0, 0, 0, 0, 1, 1, 1, 1};
static const uint32_t ld_sens[8] = {0, 0, 0, 1, 0, 1, 2, 2};

static struct bk_anon_input ldiv_input(enum bk_ldiv ldiv, size_t l, size_t budget)
{
	struct bk_anon_input in;

	memset(&in, 0, sizeof(in));
	in.nrows = 8;
	in.nquasi = 1;
	in.quasi = ld_quasi;
	in.hier[0] = hier_sex();
	in.nsensitive = 1;
	in.sensitive = ld_sens;
	in.k = 2;
	in.ldiv = ldiv;
	in.l = l;
	in.max_suppressed = budget;
	return in;
}

static void expect_node(const struct bk_anon_input *in, size_t level, size_t nsuppressed, double loss)
{
	struct bk_anon_result res;

	assert_int_equal(bk_anon_run(in, &res), BK_OK);
	assert_true(res.found);
	assert_int_equal(res.level[0], level);
	assert_int_equal(res.nsuppressed, nsuppressed);
	assert_float_equal(res.loss, loss, 1e-12);
	bk_anon_result_release(&res);
}

static void expect_none(const struct bk_anon_input *in)
{
	struct bk_anon_result res;

	assert_int_equal(bk_anon_run(in, &res), BK_OK);
	assert_false(res.found);
	assert_null(res.suppressed);
	bk_anon_result_release(&res);
}

/* expect_node and expect_none on ldiv_input(ldiv, l, budget). */
static void expect_ldiv_node(enum bk_ldiv ldiv, size_t l, size_t budget, size_t level, size_t nsuppressed,
			     double loss)
{
	struct bk_anon_input in = ldiv_input(ldiv, l, budget);

	expect_node(&in, level, nsuppressed, loss);
}

static void expect_ldiv_none(enum bk_ldiv ldiv, size_t l, size_t budget)
{
	struct bk_anon_input in = ldiv_input(ldiv, l, budget);

	expect_none(&in);
}

static void test_ldiv_distinct(void **state)
{
	(void)state;
	/* l = 2: L has 2 distinct values, P 3: nothing to do */
	expect_ldiv_node(BK_LDIV_DISTINCT, 2, 0, 0, 0, 0);
	/* l = 3: L fails; with 4 rows of budget it is suppressed (loss 4 cells of 8), else all goes to "*" */
	expect_ldiv_node(BK_LDIV_DISTINCT, 3, 4, 0, 4, 0.5);
	expect_ldiv_node(BK_LDIV_DISTINCT, 3, 3, 1, 0, 1);
	/* l = 4: there are only 3 values in all */
	expect_ldiv_none(BK_LDIV_DISTINCT, 4, 8);
}

static void test_ldiv_entropy(void **state)
{
	struct bk_anon_input in;
	static const uint32_t half_quasi[4] = {0, 0, 0, 0}, half_sens[4] = {5, 5, 9, 9};

	(void)state;
	/* l = 2 by entropy (log 2 = 0.693): L has -(3/4 log 3/4 + 1/4 log 1/4) = 0.562 and fails although
	 * it has 2 distinct values; P has -(2 x 1/4 log 1/4 + 1/2 log 1/2) = 1.040 and passes. The whole
	 * table (flu 4, cold 2, hiv 2) has 1.040 too. */
	expect_ldiv_node(BK_LDIV_ENTROPY, 2, 4, 0, 4, 0.5);
	expect_ldiv_node(BK_LDIV_ENTROPY, 2, 0, 1, 0, 1);
	/* l = 3 (log 3 = 1.099): not even the whole table */
	expect_ldiv_none(BK_LDIV_ENTROPY, 3, 8);
	/* exactly log 2: two values, two rows each, passes */
	in = ldiv_input(BK_LDIV_ENTROPY, 2, 0);
	in.nrows = 4;
	in.quasi = half_quasi;
	in.sensitive = half_sens;
	expect_node(&in, 0, 0, 0);
}

/* Entropy with a budget is not monotone: a class that passes at one node can
 * merge with a failing one into a failing class at the node above. The engine
 * must not take a node that fails for one below it that fails too. */
static void test_ldiv_entropy_not_monotone(void **state)
{
	/* column 0: a0 -> A, a1 -> B, b0 -> A, then "*"; sensitive x (0) / y (1).
	 *   a0: x y   a1: x y   b0: x x x x x x
	 * k = 2, entropy l = 2, budget 6.
	 *   node 0: a0 and a1 pass (exactly log 2), b0 fails: 6 suppressed, loss 6/10 = 0.6
	 *   node 1: A = a0 + b0 has x7 y1 (entropy 0.377) and fails, B passes: 8 suppressed
	 *   node 2: x8 y2 (entropy 0.500) fails: all 10
	 * A search that took node 1's failure for its nodes below would find nothing. */
	static const uint32_t up0[] = {0, 1, 0}, up1[] = {0, 0};
	static const uint32_t *const ups[] = {up0, up1};
	static const size_t n[] = {3, 2, 1};
	static const uint32_t q[10] = {0, 0, 1, 1, 2, 2, 2, 2, 2, 2};
	static const uint32_t s[10] = {0, 1, 0, 1, 0, 0, 0, 0, 0, 0};
	struct bk_anon_input in;

	(void)state;
	memset(&in, 0, sizeof(in));
	in.nrows = 10;
	in.nquasi = 1;
	in.quasi = q;
	in.hier[0] = hier(3, n, ups);
	in.nsensitive = 1;
	in.sensitive = s;
	in.k = 2;
	in.ldiv = BK_LDIV_ENTROPY;
	in.l = 2;
	in.max_suppressed = 6;
	expect_node(&in, 0, 6, 0.6);
	/* by distinct values node 1 passes whole: A has x and y; 8 rows lose (2-1)/(3-1), B's 2 rows none */
	in.ldiv = BK_LDIV_DISTINCT;
	expect_node(&in, 1, 0, 0.4);
	in.max_suppressed = 5;
	in.ldiv = BK_LDIV_ENTROPY;
	expect_none(&in);
}

/* --- edges and bad input --- */

static void test_edges(void **state)
{
	struct bk_anon_input in;

	(void)state;
	/* k above the number of rows: no node, whatever the budget (suppressing every row is no release) */
	in = example_input(11, 0);
	expect_none(&in);
	in = example_input(11, 10);
	expect_none(&in);
	in = example_input(11, 1000);
	expect_none(&in);
	/* k = n: only the top, one class of 10 */
	in = example_input(10, 0);
	expect_node(&in, 2, 0, 1);
	/* a budget that allows suppressing nearly everything still prefers the least loss */
	in = example_input(2, 9);
	{
		struct bk_anon_result res;

		/* (0,0): 21L:2 35P:2 38P:2 pass, 4 suppressed: (6 x 0 + 4 x 2) / 20 = 0.4; (1,0): 20-29P:2
		 * and 30-39L:1 -> only r7 suppressed: (9 x 1/3 + 2) / 20 = 0.25 */
		assert_int_equal(bk_anon_run(&in, &res), BK_OK);
		assert_true(res.found);
		assert_int_equal(res.level[0], 1);
		assert_int_equal(res.level[1], 0);
		assert_int_equal(res.nsuppressed, 1);
		assert_float_equal(res.loss, 0.25, 1e-12);
		bk_anon_result_release(&res);
	}
	/* no rows */
	in = example_input(2, 0);
	in.nrows = 0;
	expect_none(&in);
}

static void test_bad_input(void **state)
{
	struct bk_anon_input in;
	struct bk_anon_result res;
	static const uint32_t bad_up[] = {0, 0, 2, 1};
	static const uint32_t bad_rows[2] = {0, 7};

	(void)state;
	in = example_input(1, 0);
	assert_detail(bk_anon_run(&in, &res), BK_ERR_USAGE, "k must be at least 2");
	assert_false(res.found);
	in = example_input(2, 0);
	in.nquasi = 0;
	assert_detail(bk_anon_run(&in, &res), BK_ERR_USAGE, "quasi columns");
	in = example_input(2, 0);
	in.nquasi = BK_ANON_QUASI_MAX + 1;
	assert_detail(bk_anon_run(&in, &res), BK_ERR_USAGE, "quasi columns");
	in = example_input(2, 0);
	in.hier[0].up[0] = bad_up; /* code 2 at level 1, which has 2 codes */
	assert_detail(bk_anon_run(&in, &res), BK_ERR_USAGE, "quasi column 1: level 0 code 2 maps to 2");
	in = example_input(2, 0);
	in.hier[1].ncodes[1] = 2; /* a top of two codes */
	assert_detail(bk_anon_run(&in, &res), BK_ERR_USAGE, "top level must have exactly one code");
	in = example_input(2, 0);
	in.hier[1].nlevels = 1;
	assert_detail(bk_anon_run(&in, &res), BK_ERR_USAGE, "quasi column 2: 1 levels");
	in = example_input(2, 0);
	in.nrows = 1;
	in.nquasi = 2;
	in.quasi = bad_rows; /* jenis kelamin code 7 */
	assert_detail(bk_anon_run(&in, &res), BK_ERR_USAGE, "row 1: quasi column 2: code 7");
	in = example_input(2, 0);
	in.ldiv = BK_LDIV_DISTINCT;
	in.l = 2;
	assert_detail(bk_anon_run(&in, &res), BK_ERR_USAGE, "l-diversity needs a sensitive column");
	in = ldiv_input(BK_LDIV_DISTINCT, 1, 0);
	assert_detail(bk_anon_run(&in, &res), BK_ERR_USAGE, "l of at least 2");
	in = ldiv_input(BK_LDIV_DISTINCT, 2, 0);
	in.sensitive = NULL;
	assert_detail(bk_anon_run(&in, &res), BK_ERR_USAGE, "sensitive columns");
	in = ldiv_input(BK_LDIV_DISTINCT, 2, 0);
	in.nsensitive = BK_ANON_SENSITIVE_MAX + 1;
	assert_detail(bk_anon_run(&in, &res), BK_ERR_USAGE, "sensitive columns");
	bk_anon_result_release(&res);
}

/* --- the release re-check --- */

static void test_verify_release(void **state)
{
	/* 6 rows, quasi (band, sex), sensitive disease */
	const char *q[6 * 2] = {"20-29", "L", "20-29", "L", "20-29", "L", "30-39", "*", "30-39", "*", "30-39", "*"};
	const char *s[6] = {"flu", "cold", "hiv", "flu", "flu", "cold"};

	(void)state;
	assert_int_equal(bk_anon_verify_release(q, 6, 2, s, 1, 3, BK_LDIV_DISTINCT, 2), BK_OK);
	assert_int_equal(bk_anon_verify_release(q, 6, 2, s, 1, 3, BK_LDIV_NONE, 0), BK_OK);
	assert_int_equal(bk_anon_verify_release(q, 0, 2, s, 1, 3, BK_LDIV_DISTINCT, 2), BK_OK);
	/* k */
	assert_detail(bk_anon_verify_release(q, 6, 2, s, 1, 4, BK_LDIV_NONE, 0), BK_ERR_CORRUPT, "fewer than k = 4");
	/* a planted row: one cell changed makes a class of one, and the detail never quotes a value */
	q[5 * 2 + 1] = "SECRETVALUE";
	assert_detail(bk_anon_verify_release(q, 6, 2, s, 1, 2, BK_LDIV_NONE, 0), BK_ERR_CORRUPT, "has 1 rows");
	assert_null(strstr(bk_error_detail(), "SECRETVALUE"));
	q[5 * 2 + 1] = "*";
	/* cells are compared whole: "30-3","9*" is not "30-39","*" */
	q[5 * 2] = "30-3";
	q[5 * 2 + 1] = "9*";
	assert_detail(bk_anon_verify_release(q, 6, 2, s, 1, 3, BK_LDIV_NONE, 0), BK_ERR_CORRUPT, "fewer than k = 3");
	q[5 * 2] = "30-39";
	q[5 * 2 + 1] = "*";
	/* distinct: the second class has flu flu cold: 2 distinct, not 3 */
	assert_detail(bk_anon_verify_release(q, 6, 2, s, 1, 3, BK_LDIV_DISTINCT, 3), BK_ERR_CORRUPT,
		      "class 2 of 2 has 2 distinct values of sensitive column 1, fewer than l = 3");
	/* entropy: flu flu cold has 0.637 < log 2 although it has 2 distinct values */
	assert_detail(bk_anon_verify_release(q, 6, 2, s, 1, 3, BK_LDIV_ENTROPY, 2), BK_ERR_CORRUPT,
		      "class 2 of 2 has an entropy of 0.6365");
	/* a second sensitive column, the violation in it */
	{
		const char *s2[6 * 2] = {"a", "x", "b", "x", "c", "x", "a", "y", "b", "z", "c", "z"};

		assert_int_equal(bk_anon_verify_release(q, 6, 2, s2, 2, 3, BK_LDIV_DISTINCT, 1), BK_OK);
		assert_detail(bk_anon_verify_release(q, 6, 2, s2, 2, 3, BK_LDIV_DISTINCT, 2), BK_ERR_CORRUPT,
			      "class 1 of 2 has 1 distinct values of sensitive column 2");
	}
	assert_detail(bk_anon_verify_release(NULL, 6, 2, s, 1, 3, BK_LDIV_NONE, 0), BK_ERR_USAGE, "bad parameters");
}

/* --- random tables against brute force --- */

static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return n ? (uint32_t)(z % n) : 0;
}

#define RQ 4       /* quasi columns at most */
#define RROWS 80   /* rows at most */
#define RCODES 8   /* level-0 codes at most (but see wide) */

struct rtable {
	struct bk_anon_input in;
	uint32_t quasi[RROWS * RQ], sens[RROWS * 2];
	uint32_t *up[RQ][BK_ANON_LEVELS_MAX];
};

/* What the brute force finds at one node. */
struct bnode {
	int sat;
	size_t suppressed, nclasses, smallest;
	double loss;
	uint8_t flag[RROWS];
};

static uint32_t code_at(const struct bk_anon_input *in, size_t i, uint32_t code, size_t level)
{
	for (size_t j = 0; j < level; j++)
		code = in->hier[i].up[j][code];
	return code;
}

/* Leaves under each code of each level, counted once per table. */
static uint32_t *leaves_of[RQ][BK_ANON_LEVELS_MAX];

static void count_leaves(const struct bk_anon_input *in)
{
	for (size_t i = 0; i < in->nquasi; i++)
		for (size_t j = 0; j < in->hier[i].nlevels; j++) {
			leaves_of[i][j] = calloc(in->hier[i].ncodes[j], sizeof(uint32_t));
			for (uint32_t c = 0; c < in->hier[i].ncodes[0]; c++)
				leaves_of[i][j][code_at(in, i, c, j)]++;
		}
}

static void free_leaves(void)
{
	for (size_t i = 0; i < RQ; i++)
		for (size_t j = 0; j < BK_ANON_LEVELS_MAX; j++) {
			free(leaves_of[i][j]);
			leaves_of[i][j] = NULL;
		}
}

/* Evaluates a node the slow, obvious way: rows compared pairwise. */
static void brute_node(const struct bk_anon_input *in, const size_t *lv, struct bnode *b)
{
	size_t n = in->nrows, q = in->nquasi, ns = in->nsensitive;
	uint32_t gen[RROWS][RQ];
	size_t rep[RROWS], size[RROWS] = {0};
	int ok[RROWS];
	double cells = 0;

	memset(b, 0, sizeof(*b));
	for (size_t r = 0; r < n; r++)
		for (size_t i = 0; i < q; i++)
			gen[r][i] = code_at(in, i, in->quasi[r * q + i], lv[i]);
	/* a row's class is named by its first row */
	for (size_t r = 0; r < n; r++) {
		for (rep[r] = 0; memcmp(gen[rep[r]], gen[r], q * sizeof(uint32_t)) != 0; rep[r]++)
			;
		size[rep[r]]++;
	}
	for (size_t c = 0; c < n; c++) {
		if (rep[c] != c)
			continue;
		ok[c] = size[c] >= in->k;
		for (size_t j = 0; ok[c] && in->ldiv != BK_LDIV_NONE && j < ns; j++) {
			size_t distinct = 0;
			double h = 0;

			for (size_t o = 0; o < n; o++) {
				size_t count = 0;
				int first = 1;

				if (rep[o] != c)
					continue;
				for (size_t p = 0; p < n; p++)
					if (rep[p] == c && in->sensitive[p * ns + j] == in->sensitive[o * ns + j]) {
						count++;
						first &= p >= o;
					}
				if (!first)
					continue;
				distinct++;
				h -= (double)count / (double)size[c] * log((double)count / (double)size[c]);
			}
			ok[c] = in->ldiv == BK_LDIV_DISTINCT ? distinct >= in->l : h >= log((double)in->l) - 1e-9;
		}
		if (ok[c]) {
			b->nclasses++;
			if (!b->smallest || size[c] < b->smallest)
				b->smallest = size[c];
		}
	}
	for (size_t r = 0; r < n; r++) {
		int pass = ok[rep[r]];

		b->flag[r] = !pass;
		b->suppressed += !pass;
		for (size_t i = 0; i < q; i++) {
			size_t d = in->hier[i].ncodes[0];

			if (d > 1)
				cells += pass ? (double)(leaves_of[i][lv[i]][gen[r][i]] - 1) / (double)(d - 1) : 1.0;
		}
	}
	b->loss = cells / (double)(n * q);
	b->sat = b->suppressed <= in->max_suppressed && b->suppressed < n;
}

enum shape { NARROW, WIDE, ENTROPY };

static void random_table(struct rtable *t, enum shape shape)
{
	int wide = shape == WIDE;

	struct bk_anon_input *in = &t->in;

	memset(in, 0, sizeof(*in));
	in->nrows = 1 + rnd(wide ? RROWS : 40);
	in->nquasi = 1 + rnd(wide ? 2 : RQ);
	if (wide)
		in->nquasi = RQ; /* 4 columns of 2^17 codes: too many to pack in 64 bits */
	for (size_t i = 0; i < in->nquasi; i++) {
		struct bk_anon_hier *h = &in->hier[i];

		h->nlevels = 2 + rnd(3);
		h->ncodes[0] = wide ? (1u << 17) : 1 + rnd(RCODES);
		for (size_t j = 1; j + 1 < h->nlevels; j++)
			h->ncodes[j] = 1 + rnd((uint32_t)h->ncodes[j - 1]);
		h->ncodes[h->nlevels - 1] = 1;
		for (size_t j = 0; j + 1 < h->nlevels; j++) {
			t->up[i][j] = malloc(h->ncodes[j] * sizeof(uint32_t));
			for (size_t c = 0; c < h->ncodes[j]; c++)
				t->up[i][j][c] = rnd((uint32_t)h->ncodes[j + 1]);
			h->up[j] = t->up[i][j];
		}
	}
	for (size_t r = 0; r < in->nrows; r++)
		for (size_t i = 0; i < in->nquasi; i++)
			t->quasi[r * in->nquasi + i] =
				wide ? rnd(3) * 40000 + rnd(2) : rnd((uint32_t)in->hier[i].ncodes[0]);
	in->quasi = t->quasi;
	in->nsensitive = rnd(3);
	for (size_t r = 0; r < in->nrows * in->nsensitive; r++)
		t->sens[r] = rnd(2) ? rnd(3) : 1000000 + rnd(2); /* codes need not be small */
	in->sensitive = in->nsensitive ? t->sens : NULL;
	in->k = 2 + rnd(4);
	in->ldiv = in->nsensitive ? (enum bk_ldiv)rnd(3) : BK_LDIV_NONE;
	in->l = 2 + rnd(2);
	in->max_suppressed = rnd(3) == 0 ? 0 : rnd((uint32_t)in->nrows / 2 + 1);
	in->risk_threshold = 0.25;
	if (shape == ENTROPY) {
		/* bigger classes over skewed values, where entropy and its bound matter */
		in->nrows = 20 + rnd(RROWS - 20);
		if (in->nquasi > 3)
			in->nquasi = 3;
		for (size_t r = 0; r < in->nrows; r++)
			for (size_t i = 0; i < in->nquasi; i++)
				t->quasi[r * in->nquasi + i] = rnd(in->hier[i].ncodes[0] < 3 ? (uint32_t)in->hier[i].ncodes[0] : 3);
		in->nsensitive = 1 + rnd(2);
		for (size_t r = 0; r < in->nrows * in->nsensitive; r++)
			t->sens[r] = rnd(4) ? 0 : 1 + rnd(3);
		in->sensitive = t->sens;
		in->ldiv = BK_LDIV_ENTROPY;
		in->max_suppressed = 1 + rnd((uint32_t)in->nrows / 2);
	}
}

static void free_table(struct rtable *t)
{
	for (size_t i = 0; i < RQ; i++)
		for (size_t j = 0; j < BK_ANON_LEVELS_MAX; j++)
			free(t->up[i][j]);
	memset(t->up, 0, sizeof(t->up));
}

static int next_node(const struct bk_anon_input *in, size_t *lv)
{
	for (size_t i = in->nquasi; i-- > 0;) {
		if (++lv[i] < in->hier[i].nlevels)
			return 1;
		lv[i] = 0;
	}
	return 0;
}

static size_t height(const size_t *lv, size_t n)
{
	size_t h = 0;

	for (size_t i = 0; i < n; i++)
		h += lv[i];
	return h;
}

/* The released rows as strings, then the re-check. */
static void verify_strings(const struct bk_anon_input *in, const struct bk_anon_result *res)
{
	static char qbuf[RROWS * RQ][24], sbuf[RROWS * 2][16];
	const char *qc[RROWS * RQ], *sc[RROWS * 2];
	size_t m = 0;

	for (size_t r = 0; r < in->nrows; r++) {
		if (res->suppressed[r])
			continue;
		for (size_t i = 0; i < in->nquasi; i++) {
			snprintf(qbuf[m * in->nquasi + i], sizeof(qbuf[0]), "%zu:%u", res->level[i],
				 (unsigned)code_at(in, i, in->quasi[r * in->nquasi + i], res->level[i]));
			qc[m * in->nquasi + i] = qbuf[m * in->nquasi + i];
		}
		for (size_t j = 0; j < in->nsensitive; j++) {
			snprintf(sbuf[m * in->nsensitive + j], sizeof(sbuf[0]), "s%u", (unsigned)in->sensitive[r * in->nsensitive + j]);
			sc[m * in->nsensitive + j] = sbuf[m * in->nsensitive + j];
		}
		m++;
	}
	assert_int_equal(m, res->nreleased);
	if (bk_anon_verify_release(qc, m, in->nquasi, sc, in->nsensitive, in->k, in->ldiv, in->l) != BK_OK)
		fail_msg("re-check: %s", bk_error_detail());
}

static void check_random(struct rtable *t, size_t iter)
{
	const struct bk_anon_input *in = &t->in;
	size_t lv[BK_ANON_QUASI_MAX] = {0}, best[BK_ANON_QUASI_MAX] = {0}, total = 0;
	struct bnode b, bb = {0};
	struct bk_anon_result res;
	int have = 0;

	/* brute force: every node, the least loss, ties to the lower height, then the lexicographically smaller */
	count_leaves(in);
	do {
		total++;
		brute_node(in, lv, &b);
		if (!b.sat)
			continue;
		if (!have || b.loss < bb.loss - 1e-12 ||
		    (b.loss <= bb.loss + 1e-12 && height(lv, in->nquasi) < height(best, in->nquasi))) {
			/* nodes come in lexicographic order: a later one never wins a full tie */
			have = 1;
			bb = b;
			memcpy(best, lv, sizeof(best));
		}
	} while (next_node(in, lv));

	if (bk_anon_run(in, &res) != BK_OK)
		fail_msg("table %zu: %s", iter, bk_error_detail());
	assert_int_equal(res.nodes_total, total);
	assert_true(res.nodes_checked <= total);
	if (!have) {
		if (res.found)
			fail_msg("table %zu: found a node where brute force has none", iter);
		bk_anon_result_release(&res);
		free_leaves();
		return;
	}
	if (!res.found)
		fail_msg("table %zu: no node found, brute force has loss %.6f", iter, bb.loss);
	/* the chosen node satisfies the model and nothing is better */
	memcpy(lv, res.level, sizeof(lv));
	brute_node(in, lv, &b);
	if (!b.sat)
		fail_msg("table %zu: the chosen node does not satisfy the model", iter);
	if (fabs(b.loss - res.loss) > 1e-9)
		fail_msg("table %zu: loss %.12f, brute force %.12f", iter, res.loss, b.loss);
	if (res.loss > bb.loss + 1e-9)
		fail_msg("table %zu: loss %.12f, but a node has %.12f", iter, res.loss, bb.loss);
	for (size_t i = 0; i < in->nquasi; i++)
		if (res.level[i] != best[i])
			fail_msg("table %zu: column %zu at level %zu, brute force's choice has %zu", iter, i, res.level[i],
				 best[i]);
	assert_memory_equal(res.suppressed, b.flag, in->nrows);
	assert_int_equal(res.nsuppressed, b.suppressed);
	assert_int_equal(res.nreleased, in->nrows - b.suppressed);
	assert_int_equal(res.nclasses, b.nclasses);
	assert_int_equal(res.smallest_class, b.smallest);
	assert_float_equal(res.risk_max, 1.0 / (double)b.smallest, 1e-12);
	assert_float_equal(res.risk_avg, (double)b.nclasses / (double)res.nreleased, 1e-12);
	verify_strings(in, &res);
	bk_anon_result_release(&res);
	free_leaves();
}

/* Random tables, each checked against brute force, from three fixed seeds. */
static void test_random_vs_brute_force(void **state)
{
	static const struct {
		enum shape shape;
		uint64_t seed;
		size_t iterations;
	} runs[] = {
		{NARROW, 20240817, 3000},
		/* codes whose ranges do not fit 64 bits together take the engine's hash-table path */
		{WIDE, 17081945, 150},
		/* entropy l-diversity with a budget, where failures prune only by a bound */
		{ENTROPY, 19450817, 1500},
	};
	struct rtable t;

	(void)state;
	for (size_t r = 0; r < sizeof(runs) / sizeof(runs[0]); r++) {
		memset(&t, 0, sizeof(t));
		rng_state = runs[r].seed;
		for (size_t iter = 0; iter < runs[r].iterations; iter++) {
			random_table(&t, runs[r].shape);
			check_random(&t, iter);
			free_table(&t);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_labels_bands),
		cmocka_unit_test(test_labels_dates),
		cmocka_unit_test(test_labels_regions),
		cmocka_unit_test(test_labels_enums),
		cmocka_unit_test(test_labels_plain),
		cmocka_unit_test(test_check_profile),
		cmocka_unit_test(test_check_refuses),
		cmocka_unit_test(test_worked_example),
		cmocka_unit_test(test_ties),
		cmocka_unit_test(test_ldiv_distinct),
		cmocka_unit_test(test_ldiv_entropy),
		cmocka_unit_test(test_ldiv_entropy_not_monotone),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_verify_release),
		cmocka_unit_test(test_random_vs_brute_force),
	};

	return bk_test_run_group("anon", tests, bk_test_regions_setup, bk_test_regions_teardown);
}
