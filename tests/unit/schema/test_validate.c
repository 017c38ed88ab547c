/* test_validate.c - the importer's cell validators: valid and invalid cases
 * for each, NIK sex and date at the boundaries, leap years, every date form,
 * phone forms, malformed UTF-8, NUL bytes, a 10 MB cell refused from its
 * length alone (its middle is unreadable memory), and no cell ever echoed in
 * an error detail. */
#include "tests/unit/unit.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vault/schema/validate.h"

/* A literal with its exact length, embedded NULs included. */
#define L(s) (s), (sizeof(s) - 1)

/* expect_format asserts a BK_ERR_FORMAT whose detail contains part. */
#define expect_format(rc, part) assert_detail((rc), BK_ERR_FORMAT, (part))

/* ---- UTF-8 ---- */

static void test_utf8_valid(void **state)
{
	static const char *const ok[] = {
		"plain ASCII",
		"Desa Kali\xc3\xa9",               /* é, 2 bytes */
		"\xc2\xa0",                        /* U+00A0, first after the C1 controls */
		"\xdf\xbf",                        /* U+07FF, last 2-byte */
		"\xe0\xa0\x80",                    /* U+0800, first 3-byte */
		"Rp \xe2\x82\xac",                 /* € */
		"\xed\x9f\xbf",                    /* U+D7FF, below the surrogates */
		"\xee\x80\x80",                    /* U+E000, above them */
		"\xef\xbf\xbf",                    /* U+FFFF */
		"\xf0\x90\x80\x80",                /* U+10000, first 4-byte */
		"\xf0\x9f\x98\x80",                /* an emoji */
		"\xf4\x8f\xbf\xbf",                /* U+10FFFF, the last code point */
		"\xea\xa6\xb2\xea\xa6\xa7",        /* Javanese script */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (bk_validate_utf8(ok[i], strlen(ok[i]), 100, 0) != BK_OK)
			fail_msg("case %zu rejected: %s", i, bk_error_detail());
	assert_int_equal(bk_validate_utf8("", 0, 0, 0), BK_OK);
	assert_int_equal(bk_validate_utf8(NULL, 0, 10, 0), BK_OK);
	/* tab and line breaks only when allowed */
	expect_format(bk_validate_utf8(L("a\tb"), 10, 0), "control character (byte 2)");
	assert_int_equal(bk_validate_utf8(L("a\tb"), 10, BK_VALIDATE_TAB), BK_OK);
	expect_format(bk_validate_utf8(L("a\nb"), 10, BK_VALIDATE_TAB), "control character");
	assert_int_equal(bk_validate_utf8(L("a\nb\r\nc"), 10, BK_VALIDATE_NEWLINE), BK_OK);
	expect_format(bk_validate_utf8(L("a\rb"), 10, BK_VALIDATE_NEWLINE), "control character (byte 2)");
	expect_format(bk_validate_utf8(L("ab\r"), 10, BK_VALIDATE_NEWLINE), "control character (byte 3)");
	expect_format(bk_validate_utf8(L("a\tb"), 10, BK_VALIDATE_NEWLINE), "control character");
}

static void test_utf8_invalid(void **state)
{
	static const struct {
		const char *s;
		size_t len;
		const char *why;
	} bad[] = {
		{L("\xc0\xaf"), "not valid UTF-8 (byte 1)"},          /* overlong '/' */
		{L("\xc1\xbf"), "not valid UTF-8"},                   /* overlong 2-byte */
		{L("ab\xe0\x80\xaf"), "not valid UTF-8 (byte 3)"},    /* overlong 3-byte */
		{L("\xe0\x9f\xbf"), "not valid UTF-8"},               /* overlong U+07FF */
		{L("\xf0\x80\x80\xaf"), "not valid UTF-8"},           /* overlong 4-byte */
		{L("\xf0\x8f\xbf\xbf"), "not valid UTF-8"},           /* overlong U+FFFF */
		{L("\x80"), "not valid UTF-8 (byte 1)"},              /* lone continuation */
		{L("a\xbf"), "not valid UTF-8 (byte 2)"},
		{L("\xc3\xa9\xa9"), "not valid UTF-8 (byte 3)"},      /* one continuation too many */
		{L("\xed\xa0\x80"), "not valid UTF-8"},               /* U+D800, surrogate */
		{L("\xed\xbf\xbf"), "not valid UTF-8"},               /* U+DFFF */
		{L("\xed\xa0\xbd\xed\xb8\x80"), "not valid UTF-8"},   /* CESU-8 surrogate pair */
		{L("abc\xc3"), "not valid UTF-8 (byte 4)"},           /* truncated at the end */
		{L("\xe2\x82"), "not valid UTF-8"},
		{L("\xf0\x9f\x98"), "not valid UTF-8"},
		{L("\xe2\x82" "A"), "not valid UTF-8"},               /* truncated in the middle */
		{L("\xc3" "A"), "not valid UTF-8"},
		{L("\xf4\x90\x80\x80"), "not valid UTF-8"},           /* U+110000 */
		{L("\xf5\x80\x80\x80"), "not valid UTF-8"},
		{L("\xf8\x88\x80\x80\x80"), "not valid UTF-8"},       /* 5-byte form */
		{L("\xfe"), "not valid UTF-8"},
		{L("\xff"), "not valid UTF-8"},
		{L("caf\xe9"), "not valid UTF-8 (byte 4)"},           /* Latin-1 é */
		{L("a\0b"), "NUL byte (byte 2)"},
		{L("\0"), "NUL byte (byte 1)"},
		{L("a\x01"), "control character (byte 2)"},
		{L("\x1b[31m"), "control character (byte 1)"},        /* ANSI escape */
		{L("a\x7f"), "control character"},                     /* DEL */
		{L("\xc2\x80"), "control character"},                  /* C1 U+0080 */
		{L("\xc2\x9f"), "control character"},                  /* C1 U+009F */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		bk_status rc = bk_validate_utf8(bad[i].s, bad[i].len, 100, BK_VALIDATE_TAB | BK_VALIDATE_NEWLINE);

		if (rc != BK_ERR_FORMAT || !strstr(bk_error_detail(), bad[i].why))
			fail_msg("case %zu: rc %d, detail '%s', want '%s'", i, rc, bk_error_detail(), bad[i].why);
	}
	/* invalid UTF-8 comes with a hint about the file's encoding */
	assert_int_equal(bk_validate_utf8(L("caf\xe9"), 100, 0), BK_ERR_FORMAT);
	assert_non_null(strstr(bk_error_hint(), "UTF-8"));
}

static void test_utf8_length(void **state)
{
	(void)state;
	assert_int_equal(bk_validate_utf8(L("12345"), 5, 0), BK_OK);
	expect_format(bk_validate_utf8(L("123456"), 5, 0), "longer than 5 bytes");
	/* the limit is in bytes: é is 2 */
	expect_format(bk_validate_utf8(L("abcd\xc3\xa9"), 5, 0), "longer than 5 bytes");
	/* checked before the content: a bad byte past the limit is not what is reported */
	expect_format(bk_validate_utf8(L("abcdef\xff"), 5, 0), "longer than");
}

/* ---- free text ---- */

static void test_text(void **state)
{
	char out[33];
	size_t n = 99;
	int formula = 7;

	(void)state;
	assert_int_equal(bk_validate_text(L("  Jalan Merdeka 17\t \r\n"), 32, 0, out, sizeof(out), &n, &formula),
			 BK_OK);
	assert_string_equal(out, "Jalan Merdeka 17");
	assert_int_equal(n, 16);
	assert_int_equal(formula, 0);
	/* tabs inside free text are fine; line breaks only with the flag */
	assert_int_equal(bk_validate_text(L("a\tb"), 32, 0, out, sizeof(out), &n, &formula), BK_OK);
	assert_string_equal(out, "a\tb");
	expect_format(bk_validate_text(L("line 1\nline 2"), 32, 0, out, sizeof(out), &n, &formula),
		      "control character (byte 7)");
	assert_string_equal(out, "");
	assert_int_equal(n, 0);
	assert_int_equal(bk_validate_text(L("line 1\r\nline 2\n"), 32, BK_VALIDATE_NEWLINE, out, sizeof(out), &n,
					  &formula),
			 BK_OK);
	assert_string_equal(out, "line 1\r\nline 2");
	/* UTF-8 kept as is; the limit counts bytes of the trimmed text */
	assert_int_equal(bk_validate_text(L(" Kediri \xe2\x80\x94 Blitar "), 17, 0, out, sizeof(out), NULL, NULL),
			 BK_OK);
	assert_string_equal(out, "Kediri \xe2\x80\x94 Blitar");
	expect_format(bk_validate_text(L("Kediri \xe2\x80\x94 Blitar"), 16, 0, out, sizeof(out), NULL, NULL),
		      "longer than 16 bytes");
	/* positions count from the start of the raw cell, spaces included */
	expect_format(bk_validate_text(L("   ab\xff"), 32, 0, out, sizeof(out), NULL, NULL),
		      "not valid UTF-8 (byte 6)");
	expect_format(bk_validate_text(L("ab\0cd"), 32, 0, out, sizeof(out), NULL, NULL), "NUL byte (byte 3)");
	expect_format(bk_validate_text(L(""), 32, 0, out, sizeof(out), NULL, NULL), "text is empty");
	expect_format(bk_validate_text(L(" \t\r\n "), 32, 0, out, sizeof(out), NULL, NULL), "text is empty");
	expect_format(bk_validate_text(NULL, 0, 32, 0, out, sizeof(out), NULL, NULL), "text is empty");
	/* the buffer must hold the limit: a caller bug whatever the cell */
	assert_int_equal(bk_validate_text(L("ok"), 32, 0, out, 32, NULL, NULL), BK_ERR_USAGE);
	assert_int_equal(bk_validate_text(L("ok"), SIZE_MAX, 0, out, sizeof(out), NULL, NULL), BK_ERR_USAGE);
	assert_int_equal(bk_validate_text(L("ok"), 32, 0, NULL, 64, NULL, NULL), BK_ERR_USAGE);
}

static void test_formula_like(void **state)
{
	static const char *const yes[] = {"=SUM(A1:A9)", "+628123", "-1", "@cmd", "=HYPERLINK(\"x\")"};
	static const char *const no[] = {"Budi", "1+1", "a=b", " =x", "'=x", "\xef\xbc\x9d"};
	char out[64];
	int formula = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		assert_int_equal(bk_validate_formula_like(yes[i], strlen(yes[i])), 1);
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		assert_int_equal(bk_validate_formula_like(no[i], strlen(no[i])), 0);
	assert_int_equal(bk_validate_formula_like(L("\tx")), 1);
	assert_int_equal(bk_validate_formula_like(L("\rx")), 1);
	assert_int_equal(bk_validate_formula_like(L("")), 0);
	assert_int_equal(bk_validate_formula_like(NULL, 3), 0);
	/* through bk_validate_text: flagged after trimming, and stored as is */
	assert_int_equal(bk_validate_text(L("  =1+1  "), 63, 0, out, sizeof(out), NULL, &formula), BK_OK);
	assert_string_equal(out, "=1+1");
	assert_int_equal(formula, 1);
	assert_int_equal(bk_validate_text(L("-- komentar"), 63, 0, out, sizeof(out), NULL, &formula), BK_OK);
	assert_int_equal(formula, 1);
	assert_int_equal(bk_validate_text(L("@budi"), 63, 0, out, sizeof(out), NULL, &formula), BK_OK);
	assert_int_equal(formula, 1);
	assert_int_equal(bk_validate_text(L("Rp 5.000"), 63, 0, out, sizeof(out), NULL, &formula), BK_OK);
	assert_int_equal(formula, 0);
}

/* ---- NIK ---- */

static void nik_ok(const char *cell, size_t len, const char *kab, int ref, const char *digits, const char *iso,
		   char sex)
{
	struct bk_nik nik;
	bk_status rc = bk_validate_nik(cell, len, kab, ref, &nik);

	if (rc != BK_OK)
		fail_msg("NIK for %s rejected: %s", iso, bk_error_detail());
	assert_string_equal(nik.digits, digits);
	assert_string_equal(nik.birth.iso, iso);
	assert_int_equal(nik.sex, sex);
}

static void test_nik_valid(void **state)
{
	struct bk_nik nik;

	(void)state;
	assert_int_equal(bk_validate_nik(L("3505121708900001"), "3505", 2024, &nik), BK_OK);
	assert_string_equal(nik.digits, "3505121708900001");
	assert_string_equal(nik.kecamatan, "35.05.12");
	assert_string_equal(nik.birth.iso, "1990-08-17");
	assert_int_equal(nik.birth.year, 1990);
	assert_int_equal(nik.birth.month, 8);
	assert_int_equal(nik.birth.day, 17);
	assert_int_equal(nik.sex, 'L');
	/* a woman: day + 40 */
	nik_ok(L("3505125708900002"), "35.05", 2024, "3505125708900002", "1990-08-17", 'P');
	/* spaces anywhere are dropped; tabs and line ends only around */
	nik_ok(L("  3505 1257 0890 0002 "), "3505", 2024, "3505125708900002", "1990-08-17", 'P');
	nik_ok(L("\t3505125708900002\r\n"), NULL, 2024, "3505125708900002", "1990-08-17", 'P');
	/* without a kabupaten, a NIK issued elsewhere passes and says where */
	assert_int_equal(bk_validate_nik(L("3571011708900001"), NULL, 2024, &nik), BK_OK);
	assert_string_equal(nik.kecamatan, "35.71.01");
	/* century: ref 2024 -> YY 24 is 2024, 25 is 1925, 00 is 2000 */
	nik_ok(L("3505011701240001"), NULL, 2024, "3505011701240001", "2024-01-17", 'L');
	nik_ok(L("3505011701250001"), NULL, 2024, "3505011701250001", "1925-01-17", 'L');
	nik_ok(L("3505011701000001"), NULL, 2024, "3505011701000001", "2000-01-17", 'L');
	nik_ok(L("3505011701990001"), NULL, 2024, "3505011701990001", "1999-01-17", 'L');
	/* other reference years */
	nik_ok(L("3505011701000001"), NULL, 2000, "3505011701000001", "2000-01-17", 'L');
	nik_ok(L("3505011701010001"), NULL, 2000, "3505011701010001", "1901-01-17", 'L');
	nik_ok(L("3505011701990001"), NULL, 1999, "3505011701990001", "1999-01-17", 'L');
	nik_ok(L("3505011701000001"), NULL, 1999, "3505011701000001", "1900-01-17", 'L');
	nik_ok(L("3505011701000001"), NULL, 2100, "3505011701000001", "2100-01-17", 'L');
	/* serial 0001 and 9999 */
	nik_ok(L("3505011701909999"), NULL, 2024, "3505011701909999", "1990-01-17", 'L');
}

static void test_nik_sex_boundaries(void **state)
{
	struct bk_nik nik;

	(void)state;
	/* 01..31 men, 41..71 women: 00, 32..40 and 72.. are no day at all */
	nik_ok(L("3505010101900001"), NULL, 2024, "3505010101900001", "1990-01-01", 'L');
	nik_ok(L("3505013101900001"), NULL, 2024, "3505013101900001", "1990-01-31", 'L');
	nik_ok(L("3505014101900001"), NULL, 2024, "3505014101900001", "1990-01-01", 'P');
	nik_ok(L("3505017101900001"), NULL, 2024, "3505017101900001", "1990-01-31", 'P');
	expect_format(bk_validate_nik(L("3505010001900001"), NULL, 2024, &nik), "birth day must be 01-31");
	expect_format(bk_validate_nik(L("3505013201900001"), NULL, 2024, &nik), "or 41-71 for women");
	expect_format(bk_validate_nik(L("3505014001900001"), NULL, 2024, &nik), "or 41-71 for women");
	expect_format(bk_validate_nik(L("3505017201900001"), NULL, 2024, &nik), "or 41-71 for women");
	expect_format(bk_validate_nik(L("3505019901900001"), NULL, 2024, &nik), "or 41-71 for women");
	/* day 31 (or 71) only in 31-day months; day 30 + 40 in April is fine */
	expect_format(bk_validate_nik(L("3505013104900001"), NULL, 2024, &nik), "not a real date");
	expect_format(bk_validate_nik(L("3505017104900001"), NULL, 2024, &nik), "not a real date");
	nik_ok(L("3505017004900001"), NULL, 2024, "3505017004900001", "1990-04-30", 'P');
	/* months */
	expect_format(bk_validate_nik(L("3505011700900001"), NULL, 2024, &nik), "month must be 01-12");
	expect_format(bk_validate_nik(L("3505011713900001"), NULL, 2024, &nik), "month must be 01-12");
	nik_ok(L("3505011712900001"), NULL, 2024, "3505011712900001", "1990-12-17", 'L');
	assert_string_equal(nik.digits, ""); /* zeroed by the last failure */
}

static void test_nik_leap(void **state)
{
	struct bk_nik nik;

	(void)state;
	nik_ok(L("3505012902000001"), NULL, 2024, "3505012902000001", "2000-02-29", 'L'); /* 2000: leap */
	nik_ok(L("3505016902960001"), NULL, 2024, "3505016902960001", "1996-02-29", 'P'); /* 29 + 40 */
	nik_ok(L("3505012902240001"), NULL, 2024, "3505012902240001", "2024-02-29", 'L');
	expect_format(bk_validate_nik(L("3505012902010001"), NULL, 2024, &nik), "birth date is not a real date");
	expect_format(bk_validate_nik(L("3505016902970001"), NULL, 2024, &nik), "birth date is not a real date");
	expect_format(bk_validate_nik(L("3505013002960001"), NULL, 2024, &nik), "birth date is not a real date");
	expect_format(bk_validate_nik(L("3505017002960001"), NULL, 2024, &nik), "birth date is not a real date");
	/* with ref 1999, 00 is 1900: not a leap year */
	expect_format(bk_validate_nik(L("3505012902000001"), NULL, 1999, &nik), "birth date is not a real date");
}

static void test_nik_invalid(void **state)
{
	struct bk_nik nik;

	(void)state;
	memset(&nik, 0xa5, sizeof(nik));
	expect_format(bk_validate_nik(L("350512170890001"), "3505", 2024, &nik), "must have 16 digits, not 15");
	for (size_t i = 0; i < sizeof(nik); i++)
		assert_int_equal(((unsigned char *)&nik)[i], 0);
	expect_format(bk_validate_nik(L("35051217089000011"), "3505", 2024, &nik), "must have 16 digits, not 17");
	expect_format(bk_validate_nik(L("35.05.12.170890.0001"), "3505", 2024, &nik), "only digits and spaces");
	assert_non_null(strstr(bk_error_hint(), "without dots"));
	expect_format(bk_validate_nik(L("3505-1217-0890-0001"), "3505", 2024, &nik), "only digits and spaces");
	expect_format(bk_validate_nik(L("3.50512E+15"), "3505", 2024, &nik), "only digits and spaces");
	assert_non_null(strstr(bk_error_hint(), "format the column as text"));
	expect_format(bk_validate_nik(L("3505121708900001x"), NULL, 2024, &nik), "only digits and spaces");
	expect_format(bk_validate_nik(L("35051217\t08900001"), NULL, 2024, &nik), "only digits and spaces");
	expect_format(bk_validate_nik(L("350512170890\0" "0001"), NULL, 2024, &nik), "only digits and spaces");
	expect_format(bk_validate_nik(L("\xef\xbc\x93\xef\xbc\x95"), NULL, 2024, &nik), "only digits and spaces");
	expect_format(bk_validate_nik(L(""), NULL, 2024, &nik), "NIK is empty");
	expect_format(bk_validate_nik(L("    "), NULL, 2024, &nik), "NIK is empty");
	expect_format(bk_validate_nik(L("3505121708900000"), "3505", 2024, &nik), "serial number must not be 0000");
	expect_format(bk_validate_nik(L("0005121708900001"), NULL, 2024, &nik), "region code is not valid");
	expect_format(bk_validate_nik(L("3500121708900001"), NULL, 2024, &nik), "region code is not valid");
	expect_format(bk_validate_nik(L("3505001708900001"), NULL, 2024, &nik), "region code is not valid");
	expect_format(bk_validate_nik(L("3571011708900001"), "3505", 2024, &nik),
		      "NIK region is outside kabupaten 35.05");
	expect_format(bk_validate_nik(L("3605011708900001"), "35.05", 2024, &nik), "outside kabupaten 35.05");
	/* spaces do not stretch the limit forever */
	expect_format(bk_validate_nik(L("3 5 0 5 1 2 1 7 0 8 9 0 0 0 0 1 3 5 0 5 1 2 1 7 0 8 9 0 0 0 0 1 3"), NULL,
				      2024, &nik),
		      "NIK is too long");
	/* caller mistakes */
	assert_int_equal(bk_validate_nik(L("3505121708900001"), "35", 2024, &nik), BK_ERR_USAGE);
	assert_int_equal(bk_validate_nik(L("3505121708900001"), "35-05", 2024, &nik), BK_ERR_USAGE);
	assert_int_equal(bk_validate_nik(L("3505121708900001"), "35.05.12", 2024, &nik), BK_ERR_USAGE);
	assert_int_equal(bk_validate_nik(L("3505121708900001"), "350a", 2024, &nik), BK_ERR_USAGE);
	assert_int_equal(bk_validate_nik(L("3505121708900001"), NULL, 1899, &nik), BK_ERR_USAGE);
	assert_int_equal(bk_validate_nik(L("3505121708900001"), NULL, 2101, &nik), BK_ERR_USAGE);
}

static void test_nik_match(void **state)
{
	struct bk_nik man, woman, zero;
	struct bk_date d;

	(void)state;
	memset(&zero, 0, sizeof(zero));
	assert_int_equal(bk_validate_nik(L("3505121708900001"), NULL, 2024, &man), BK_OK);
	assert_int_equal(bk_validate_nik(L("3505125708900002"), NULL, 2024, &woman), BK_OK);
	assert_int_equal(bk_validate_nik_match(&man, 'L', NULL), BK_OK);
	assert_int_equal(bk_validate_nik_match(&woman, 'P', NULL), BK_OK);
	assert_int_equal(bk_validate_nik_match(&man, 0, NULL), BK_OK);
	expect_format(bk_validate_nik_match(&woman, 'L', NULL), "sex L does not match the NIK (day + 40 means P)");
	expect_format(bk_validate_nik_match(&man, 'P', NULL), "sex P does not match the NIK");
	/* the boundary days themselves */
	{
		struct bk_nik n31, n41, n71;

		assert_int_equal(bk_validate_nik(L("3505013101900001"), NULL, 2024, &n31), BK_OK);
		assert_int_equal(bk_validate_nik(L("3505014101900001"), NULL, 2024, &n41), BK_OK);
		assert_int_equal(bk_validate_nik(L("3505017101900001"), NULL, 2024, &n71), BK_OK);
		assert_int_equal(bk_validate_nik_match(&n31, 'L', NULL), BK_OK);
		expect_format(bk_validate_nik_match(&n31, 'P', NULL), "does not match");
		assert_int_equal(bk_validate_nik_match(&n41, 'P', NULL), BK_OK);
		expect_format(bk_validate_nik_match(&n41, 'L', NULL), "day + 40 means P");
		assert_int_equal(bk_validate_nik_match(&n71, 'P', NULL), BK_OK);
		expect_format(bk_validate_nik_match(&n71, 'L', NULL), "day + 40 means P");
	}
	/* birth dates */
	assert_int_equal(bk_validate_date(L("17/08/1990"), &d), BK_OK);
	assert_int_equal(bk_validate_nik_match(&man, 'L', &d), BK_OK);
	assert_int_equal(bk_validate_nik_match(&woman, 'P', &d), BK_OK); /* her day 57 is the 17th */
	assert_int_equal(bk_validate_date(L("18/08/1990"), &d), BK_OK);
	expect_format(bk_validate_nik_match(&man, 'L', &d), "birth date does not match the NIK");
	assert_string_equal(bk_error_hint(), "");
	assert_int_equal(bk_validate_date(L("17/09/1990"), &d), BK_OK);
	expect_format(bk_validate_nik_match(&man, 0, &d), "birth date does not match the NIK");
	assert_int_equal(bk_validate_date(L("17/08/1991"), &d), BK_OK);
	expect_format(bk_validate_nik_match(&man, 0, &d), "birth date does not match the NIK");
	/* the century is the declared date's business: only YY is in the NIK */
	assert_int_equal(bk_validate_date(L("17/08/2090"), &d), BK_OK);
	assert_int_equal(bk_validate_nik_match(&man, 'L', &d), BK_OK);
	/* day and month swapped */
	assert_int_equal(bk_validate_date(L("2024-01-02"), &d), BK_OK);
	{
		struct bk_nik jan2;

		assert_int_equal(bk_validate_nik(L("3505010201240001"), NULL, 2024, &jan2), BK_OK);
		assert_int_equal(bk_validate_nik_match(&jan2, 'L', &d), BK_OK);
		assert_int_equal(bk_validate_date(L("01/02/2024"), &d), BK_OK); /* 1 February */
		expect_format(bk_validate_nik_match(&jan2, 'L', &d), "birth date does not match");
		assert_non_null(strstr(bk_error_hint(), "swapped"));
	}
	/* sex is checked before the date */
	expect_format(bk_validate_nik_match(&woman, 'L', &d), "sex L");
	/* caller mistakes */
	assert_int_equal(bk_validate_nik_match(&man, 'l', NULL), BK_ERR_USAGE);
	assert_int_equal(bk_validate_nik_match(&man, 'X', NULL), BK_ERR_USAGE);
	assert_int_equal(bk_validate_nik_match(&zero, 'L', NULL), BK_ERR_USAGE);
	assert_int_equal(bk_validate_nik_match(NULL, 'L', NULL), BK_ERR_USAGE);
}

/* ---- dates ---- */

static void date_ok(const char *cell, size_t len, const char *iso)
{
	struct bk_date d;
	bk_status rc = bk_validate_date(cell, len, &d);

	if (rc != BK_OK)
		fail_msg("date '%s' rejected: %s", cell, bk_error_detail());
	if (strcmp(d.iso, iso) != 0)
		fail_msg("date '%s' read as %s, want %s", cell, d.iso, iso);
}

static void test_date_forms(void **state)
{
	static const struct {
		const char *cell, *iso;
	} ok[] = {
		{"2024-08-17", "2024-08-17"},
		{"2024-8-7", "2024-08-07"},
		{"17/08/2024", "2024-08-17"},
		{"17-08-2024", "2024-08-17"},
		{"17.08.2024", "2024-08-17"},
		{"17/8/2024", "2024-08-17"},
		{"7/8/2024", "2024-08-07"},
		{"07/08/2024", "2024-08-07"},
		{"  17/08/2024 \r\n", "2024-08-17"},
		{"17 Agustus 2024", "2024-08-17"},
		{"17 agustus 2024", "2024-08-17"},
		{"17 AGUSTUS 2024", "2024-08-17"},
		{"17 Agu 2024", "2024-08-17"},
		{"17 Agt 2024", "2024-08-17"},
		{"17 Ags 2024", "2024-08-17"},
		{"17 Agu. 2024", "2024-08-17"},
		{"17-Agu-2024", "2024-08-17"},
		{"17  Agustus   2024", "2024-08-17"},
		{"17 August 2024", "2024-08-17"},
		{"17 Aug 2024", "2024-08-17"},
		{"1 Januari 2024", "2024-01-01"},
		{"1 Februari 2024", "2024-02-01"},
		{"1 Pebruari 2024", "2024-02-01"},
		{"1 Maret 2024", "2024-03-01"},
		{"1 April 2024", "2024-04-01"},
		{"1 Mei 2024", "2024-05-01"},
		{"1 Juni 2024", "2024-06-01"},
		{"1 Juli 2024", "2024-07-01"},
		{"1 September 2024", "2024-09-01"},
		{"1 Oktober 2024", "2024-10-01"},
		{"1 November 2024", "2024-11-01"},
		{"1 Nopember 2024", "2024-11-01"},
		{"1 Desember 2024", "2024-12-01"},
		{"1 January 2024", "2024-01-01"},
		{"1 February 2024", "2024-02-01"},
		{"1 March 2024", "2024-03-01"},
		{"1 May 2024", "2024-05-01"},
		{"1 June 2024", "2024-06-01"},
		{"1 July 2024", "2024-07-01"},
		{"1 October 2024", "2024-10-01"},
		{"1 December 2024", "2024-12-01"},
		{"1 Jan 2024", "2024-01-01"},
		{"1 Feb 2024", "2024-02-01"},
		{"1 Mar 2024", "2024-03-01"},
		{"1 Apr 2024", "2024-04-01"},
		{"1 Jun 2024", "2024-06-01"},
		{"1 Jul 2024", "2024-07-01"},
		{"1 Sep 2024", "2024-09-01"},
		{"1 Sept 2024", "2024-09-01"},
		{"1 Okt 2024", "2024-10-01"},
		{"1 Oct 2024", "2024-10-01"},
		{"1 Nov 2024", "2024-11-01"},
		{"1 Nop 2024", "2024-11-01"},
		{"1 Des 2024", "2024-12-01"},
		{"1 Dec 2024", "2024-12-01"},
		/* the range and leap years */
		{"1900-01-01", "1900-01-01"},
		{"2100-12-31", "2100-12-31"},
		{"29/02/2024", "2024-02-29"},
		{"29/02/2000", "2000-02-29"},
		{"29 Februari 1996", "1996-02-29"},
		{"31/12/1999", "1999-12-31"},
		{"30/04/2024", "2024-04-30"},
	};
	struct bk_date d;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		date_ok(ok[i].cell, strlen(ok[i].cell), ok[i].iso);
	assert_int_equal(bk_validate_date(L("17/08/2024"), &d), BK_OK);
	assert_int_equal(d.year, 2024);
	assert_int_equal(d.month, 8);
	assert_int_equal(d.day, 17);
}

static void test_date_invalid(void **state)
{
	static const struct {
		const char *cell, *why;
	} bad[] = {
		{"31/02/2024", "not a real date"},
		{"30/02/2024", "not a real date"},
		{"31/04/2024", "not a real date"},
		{"31 Juni 2024", "not a real date"},
		{"29/02/2023", "not a real date"},
		{"29/02/1900", "not a real date"}, /* divisible by 100 */
		{"29/02/2100", "not a real date"},
		{"2023-02-29", "not a real date"},
		{"00/01/2024", "not a real date"},
		{"2024-01-00", "not a real date"},
		{"32/01/2024", "not a real date"},
		{"17/13/2024", "month must be 1-12"},
		{"17/00/2024", "month must be 1-12"},
		{"2024-13-01", "month must be 1-12"},
		{"17/08/24", "2-digit year"},
		{"17-08-24", "2-digit year"},
		{"17 Agu 24", "2-digit year"},
		{"1899-12-31", "between 1900 and 2100"},
		{"2101-01-01", "between 1900 and 2100"},
		{"31/12/1899", "between 1900 and 2100"},
		{"1 Jan 0001", "between 1900 and 2100"},
		{"17 Agustusan 2024", "unknown month name"},
		{"17 Aguts 2024", "unknown month name"},
		{"17 M 2024", "unknown month name"},
		{"2024/08/17", "date must be like"},
		{"2024.08.17", "date must be like"},
		{"2024-08-017", "date must be like"},
		{"17/08-2024", "date must be like"},
		{"17-Agu 2024", "date must be like"},
		{"17 Agu-2024", "date must be like"},
		{"Agustus 17, 2024", "date must be like"},
		{"August 17 2024", "date must be like"},
		{"17/08/02024", "date must be like"},
		{"17/08/202", "date must be like"},
		{"117/08/2024", "date must be like"},
		{"17/008/2024", "date must be like"},
		{"17//2024", "date must be like"},
		{"17/08/", "date must be like"},
		{"17", "date must be like"},
		{"45521", "date must be like"},
		{"2024-08-17T10:00", "date must be like"},
		{"2024-08-17 10:00", "date must be like"},
		{"17 08 2024", "date must be like"},
		{"-17/08/2024", "date must be like"},
		{"17 Agustus 2024 M", "date must be like"},
		{"tujuh belas", "date must be like"},
		{"", "date is empty"},
		{"  \t ", "date is empty"},
	};
	struct bk_date d;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&d, 0x5a, sizeof(d));
		bk_status rc = bk_validate_date(bad[i].cell, strlen(bad[i].cell), &d);

		if (rc != BK_ERR_FORMAT || !strstr(bk_error_detail(), bad[i].why))
			fail_msg("date '%s': rc %d, detail '%s', want '%s'", bad[i].cell, rc, bk_error_detail(),
				 bad[i].why);
		assert_int_equal(d.year, 0);
		assert_string_equal(d.iso, "");
	}
	/* NUL bytes are not the end of the cell */
	expect_format(bk_validate_date(L("17/08/2024\0"), &d), "date must be like");
	expect_format(bk_validate_date(L("17/08\0/2024"), &d), "date must be like");
	/* hints: month-first dates and spreadsheet serial numbers */
	expect_format(bk_validate_date(L("08/17/2024"), &d), "month must be 1-12");
	assert_non_null(strstr(bk_error_hint(), "day first"));
	expect_format(bk_validate_date(L("45521"), &d), "date must be like");
	assert_non_null(strstr(bk_error_hint(), "as a number"));
	expect_format(bk_validate_date(L("17/08/2024 17/08/2024 17/08/2024 17/08/2024 17/08/2024 17/08/2024"), &d),
		      "date is too long");
}

/* ---- phone numbers ---- */

static void phone_ok(const char *cell, const char *e164, int mobile)
{
	struct bk_phone p;
	bk_status rc = bk_validate_phone(cell, strlen(cell), &p);

	if (rc != BK_OK)
		fail_msg("phone '%s' rejected: %s", cell, bk_error_detail());
	if (strcmp(p.e164, e164) != 0)
		fail_msg("phone '%s' read as %s, want %s", cell, p.e164, e164);
	assert_int_equal(p.mobile, mobile);
}

static void test_phone(void **state)
{
	static const struct {
		const char *cell, *why;
	} bad[] = {
		{"+1 555 123 4567", "must be Indonesian"},
		{"+44 20 7946 0958", "must be Indonesian"},
		{"+6", "must be Indonesian"},
		{"81234567890", "must start with 0, +62 or 62"},
		{"12345678901", "must start with 0, +62 or 62"},
		{"+62 0812 3456 7890", "0 after the country code"},
		{"0062 812 3456 7890", "0 after the country code"},
		{"0112345678", "may not start with 1"},
		{"081234567", "9 to 13 digits"},          /* 8 after the 0 */
		{"081234567890123", "9 to 13 digits"},    /* 14 after the 0 */
		{"+6281234567", "9 to 13 digits"},
		{"+62", "9 to 13 digits"},
		{"0", "9 to 13 digits"},
		{"0812-3456-7890 / 0813-1111-2222", "may contain only digits"},
		{"0812 3456 7890 ext 12", "may contain only digits"},
		{"++6281234567890", "may contain only digits"},
		{"62+81234567890", "may contain only digits"},
		{"0812_3456_7890", "may contain only digits"},
		{"---", "may contain only digits"},
		{"", "phone number is empty"},
		{"    ", "phone number is empty"},
		{"0812-3456-7890-0812-3456-7890-0812-3456-7890-0812-3456-7890-0812-3", "too long"},
	};
	struct bk_phone p;

	(void)state;
	phone_ok("081234567890", "+6281234567890", 1);
	phone_ok("0812-3456-7890", "+6281234567890", 1);
	phone_ok("0812 3456 7890", "+6281234567890", 1);
	phone_ok("0812.3456.7890", "+6281234567890", 1);
	phone_ok(" (0812) 3456-7890 ", "+6281234567890", 1);
	phone_ok("+6281234567890", "+6281234567890", 1);
	phone_ok("+62 812-3456-7890", "+6281234567890", 1);
	phone_ok("+62 (812) 3456 7890", "+6281234567890", 1);
	phone_ok("6281234567890", "+6281234567890", 1);
	phone_ok("62 812 3456 7890", "+6281234567890", 1);
	phone_ok("(+62) 812 3456 7890", "+6281234567890", 1);
	/* landlines: Blitar's 0342, Jakarta's 021, a 4-digit Papua area code */
	phone_ok("0342-801234", "+62342801234", 0);
	phone_ok("(0342) 801234", "+62342801234", 0);
	phone_ok("+62 342 801234", "+62342801234", 0);
	phone_ok("62342801234", "+62342801234", 0);
	phone_ok("021-5551234", "+62215551234", 0);
	phone_ok("021 5551 2345", "+622155512345", 0);
	phone_ok("0901-123456", "+62901123456", 0);
	/* 9 and 13 digits after the country code */
	phone_ok("0812345678", "+62812345678", 1);
	phone_ok("08123456789012", "+628123456789012", 1);
	phone_ok("+628123456789012", "+628123456789012", 1);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&p, 0x5a, sizeof(p));
		bk_status rc = bk_validate_phone(bad[i].cell, strlen(bad[i].cell), &p);

		if (rc != BK_ERR_FORMAT || !strstr(bk_error_detail(), bad[i].why))
			fail_msg("phone '%s': rc %d, detail '%s', want '%s'", bad[i].cell, rc, bk_error_detail(),
				 bad[i].why);
		assert_string_equal(p.e164, "");
		assert_int_equal(p.mobile, 0);
	}
	expect_format(bk_validate_phone(L("0812345\0" "67890"), &p), "may contain only digits");
	expect_format(bk_validate_phone(L("81234567890"), &p), "must start with 0");
	assert_non_null(strstr(bk_error_hint(), "leading 0"));
	expect_format(bk_validate_phone(L("0812 / 0813"), &p), "may contain only digits");
	assert_non_null(strstr(bk_error_hint(), "one phone number"));
}

/* ---- numbers, scores, enums ---- */

static void test_int(void **state)
{
	int64_t v = 99;

	(void)state;
	assert_int_equal(bk_validate_int(L("42"), 0, 150, &v), BK_OK);
	assert_int_equal(v, 42);
	assert_int_equal(bk_validate_int(L("  42\t"), 0, 150, &v), BK_OK);
	assert_int_equal(v, 42);
	assert_int_equal(bk_validate_int(L("007"), 0, 150, &v), BK_OK);
	assert_int_equal(v, 7);
	assert_int_equal(bk_validate_int(L("+7"), 0, 150, &v), BK_OK);
	assert_int_equal(v, 7);
	assert_int_equal(bk_validate_int(L("-5"), -10, 10, &v), BK_OK);
	assert_int_equal(v, -5);
	assert_int_equal(bk_validate_int(L("-0"), 0, 0, &v), BK_OK);
	assert_int_equal(v, 0);
	/* bounds are inclusive */
	assert_int_equal(bk_validate_int(L("0"), 0, 150, &v), BK_OK);
	assert_int_equal(bk_validate_int(L("150"), 0, 150, &v), BK_OK);
	expect_format(bk_validate_int(L("151"), 0, 150, &v), "between 0 and 150");
	assert_int_equal(v, 0);
	expect_format(bk_validate_int(L("-1"), 0, 150, &v), "between 0 and 150");
	/* the ends of int64_t */
	assert_int_equal(bk_validate_int(L("9223372036854775807"), INT64_MIN, INT64_MAX, &v), BK_OK);
	assert_true(v == INT64_MAX);
	assert_int_equal(bk_validate_int(L("-9223372036854775808"), INT64_MIN, INT64_MAX, &v), BK_OK);
	assert_true(v == INT64_MIN);
	expect_format(bk_validate_int(L("9223372036854775808"), INT64_MIN, INT64_MAX, &v), "between");
	expect_format(bk_validate_int(L("-9223372036854775809"), INT64_MIN, INT64_MAX, &v), "between");
	expect_format(bk_validate_int(L("99999999999999999999999"), 0, 10, &v), "between 0 and 10");
	/* not whole numbers */
	expect_format(bk_validate_int(L("1.5"), 0, 150, &v), "whole number");
	assert_non_null(strstr(bk_error_hint(), "without decimals"));
	expect_format(bk_validate_int(L("1.000"), 0, 5000, &v), "whole number");
	expect_format(bk_validate_int(L("1,000"), 0, 5000, &v), "whole number");
	expect_format(bk_validate_int(L("1e3"), 0, 5000, &v), "whole number");
	assert_string_equal(bk_error_hint(), "");
	expect_format(bk_validate_int(L("1 000"), 0, 5000, &v), "whole number");
	expect_format(bk_validate_int(L("12a"), 0, 150, &v), "whole number");
	expect_format(bk_validate_int(L("0x10"), 0, 150, &v), "whole number");
	expect_format(bk_validate_int(L("-"), 0, 150, &v), "whole number");
	expect_format(bk_validate_int(L("+-1"), -5, 5, &v), "whole number");
	expect_format(bk_validate_int(L("4\0" "2"), 0, 150, &v), "whole number");
	expect_format(bk_validate_int(L("\xd9\xa4"), 0, 150, &v), "whole number"); /* Arabic-Indic 4 */
	expect_format(bk_validate_int(L(""), 0, 150, &v), "number is empty");
	expect_format(bk_validate_int(L("00000000000000000000000000000000000000000000000000000000000000001"), 0, 5,
				      &v),
		      "number is too long");
	assert_int_equal(bk_validate_int(L("1"), 5, 4, &v), BK_ERR_USAGE);
}

static void test_score(void **state)
{
	int s = 9;

	(void)state;
	for (int want = 1; want <= 4; want++) {
		char cell[2] = {(char)('0' + want), '\0'};

		assert_int_equal(bk_validate_score(cell, 1, &s), BK_OK);
		assert_int_equal(s, want);
	}
	assert_int_equal(bk_validate_score(L(" 3 "), &s), BK_OK);
	assert_int_equal(s, 3);
	expect_format(bk_validate_score(L("0"), &s), "whole number from 1 to 4");
	assert_int_equal(s, 0);
	expect_format(bk_validate_score(L("5"), &s), "from 1 to 4");
	expect_format(bk_validate_score(L("-1"), &s), "from 1 to 4");
	expect_format(bk_validate_score(L("1.0"), &s), "from 1 to 4");
	assert_non_null(strstr(bk_error_hint(), "without decimals"));
	expect_format(bk_validate_score(L("2,0"), &s), "from 1 to 4");
	expect_format(bk_validate_score(L("3.5"), &s), "from 1 to 4");
	expect_format(bk_validate_score(L("baik"), &s), "from 1 to 4");
	expect_format(bk_validate_score(L("4294967297"), &s), "from 1 to 4"); /* 2^32 + 1 */
	expect_format(bk_validate_score(L("2\0"), &s), "from 1 to 4");
	expect_format(bk_validate_score(L(""), &s), "score is empty");
}

static void test_enum(void **state)
{
	static const char *const kanal[] = {"daring", "luring"};
	static const char *const bentuk[] = {"tata kelola pemerintahan", "pelayanan publik", "lainnya"};
	static const char *const many[] = {
		"tidak/belum sekolah", "belum tamat SD/sederajat", "tamat SD/sederajat", "SLTP/sederajat",
		"SLTA/sederajat", "diploma I/II", "akademi/diploma III/sarjana muda", "diploma IV/strata I",
		"strata II", "strata III", "pendidikan nonformal pertama", "pendidikan nonformal lanjutan",
		"pendidikan khusus yang sangat panjang namanya untuk menguji batas daftar nilai",
		"pendidikan lain yang juga panjang namanya untuk menguji batas daftar nilai ini",
		"satu lagi yang panjang sekali agar daftar melewati empat ratus byte penuh"};
	const char *c = (const char *)1;

	(void)state;
	assert_int_equal(bk_validate_enum(L("daring"), kanal, 2, &c), BK_OK);
	assert_ptr_equal(c, kanal[0]);
	assert_int_equal(bk_validate_enum(L("DARING"), kanal, 2, &c), BK_OK);
	assert_ptr_equal(c, kanal[0]);
	assert_int_equal(bk_validate_enum(L("  Luring \r\n"), kanal, 2, &c), BK_OK);
	assert_ptr_equal(c, kanal[1]);
	assert_int_equal(bk_validate_enum(L("Pelayanan Publik"), bentuk, 3, &c), BK_OK);
	assert_ptr_equal(c, bentuk[1]);
	assert_int_equal(bk_validate_enum(L("sltp/SEDERAJAT"), many, 15, &c), BK_OK);
	assert_ptr_equal(c, many[3]);
	/* close: a suggestion */
	expect_format(bk_validate_enum(L("darin"), kanal, 2, &c), "not one of the 2 allowed values");
	assert_null(c);
	assert_string_equal(bk_error_hint(), "did you mean 'daring'?");
	expect_format(bk_validate_enum(L("Luringg"), kanal, 2, &c), "not one of");
	assert_string_equal(bk_error_hint(), "did you mean 'luring'?");
	expect_format(bk_validate_enum(L("pelayanan  publik"), bentuk, 3, &c), "not one of");
	assert_string_equal(bk_error_hint(), "did you mean 'pelayanan publik'?");
	/* far: the list */
	expect_format(bk_validate_enum(L("online"), kanal, 2, &c), "not one of");
	assert_string_equal(bk_error_hint(), "allowed values: daring, luring");
	expect_format(bk_validate_enum(L("xyz"), many, 15, &c), "not one of the 15 allowed values");
	assert_true(strlen(bk_error_hint()) < 420);
	assert_non_null(strstr(bk_error_hint(), ", \xe2\x80\xa6"));
	assert_non_null(strstr(bk_error_hint(), "allowed values: tidak/belum sekolah, "));
	/* no match through NUL, tabs inside or Unicode case */
	expect_format(bk_validate_enum(L("dar\0ng"), kanal, 2, &c), "not one of");
	expect_format(bk_validate_enum(L("daring\0"), kanal, 2, &c), "not one of");
	expect_format(bk_validate_enum(L("pelayanan\tpublik"), bentuk, 3, &c), "not one of");
	expect_format(bk_validate_enum(L(""), kanal, 2, &c), "value is empty");
	{
		char big[300];

		memset(big, 'a', sizeof(big));
		expect_format(bk_validate_enum(big, sizeof(big), kanal, 2, &c), "value is too long");
		/* at the limit the distance is still computed */
		expect_format(bk_validate_enum(big, 256, kanal, 2, &c), "not one of");
	}
	assert_int_equal(bk_validate_enum(L("daring"), kanal, 0, &c), BK_ERR_USAGE);
	assert_int_equal(bk_validate_enum(L("daring"), NULL, 2, &c), BK_ERR_USAGE);
	{
		static const char *const with_null[] = {"a", NULL};

		assert_int_equal(bk_validate_enum(L("a"), with_null, 2, &c), BK_ERR_USAGE);
	}
}

/* ---- regions ---- */

static void test_region(void **state)
{
	const struct bk_region *r = (const struct bk_region *)1;

	(void)state;
	assert_int_equal(bk_validate_region(&bk_test_regions, BK_REGION_KECAMATAN, L("Kanigoro"), &r), BK_OK);
	assert_string_equal(r->kode, "35.05.10");
	assert_int_equal(bk_validate_region(&bk_test_regions, BK_REGION_KECAMATAN, L(" KANIGORO "), &r), BK_OK);
	assert_string_equal(r->kode, "35.05.10");
	assert_int_equal(bk_validate_region(&bk_test_regions, BK_REGION_KECAMATAN, L("35.05.10"), &r), BK_OK);
	assert_string_equal(r->nama, "Kanigoro");
	assert_int_equal(bk_validate_region(&bk_test_regions, BK_REGION_DESA, L("35.05.01.2001"), &r), BK_OK);
	assert_string_equal(r->nama, "Jaten");
	assert_int_equal(bk_validate_region(&bk_test_regions, BK_REGION_DESA, L("jaten"), &r), BK_OK);
	assert_string_equal(r->kode, "35.05.01.2001");
	/* a kelurahan sharing its kecamatan's name, at each level */
	assert_int_equal(bk_validate_region(&bk_test_regions, BK_REGION_DESA, L("Kanigoro"), &r), BK_OK);
	assert_string_equal(r->kode, "35.05.10.1008");
	assert_int_equal(bk_validate_region(&bk_test_regions, BK_REGION_KABUPATEN, L("35.05"), &r), BK_OK);
	assert_int_equal(bk_validate_region(&bk_test_regions, BK_REGION_KABUPATEN, L("kabupaten blitar"), &r), BK_OK);
	/* near misses get a suggestion */
	expect_format(bk_validate_region(&bk_test_regions, BK_REGION_KECAMATAN, L("Kanigorro"), &r),
		      "unknown kecamatan name");
	assert_null(r);
	assert_string_equal(bk_error_hint(), "did you mean 'Kanigoro'?");
	expect_format(bk_validate_region(&bk_test_regions, BK_REGION_KECAMATAN, L("Sanan Kulon"), &r), "unknown kecamatan");
	assert_string_equal(bk_error_hint(), "did you mean 'Sanankulon'?");
	expect_format(bk_validate_region(&bk_test_regions, BK_REGION_KECAMATAN, L("Jakarta Selatan"), &r),
		      "unknown kecamatan name");
	assert_string_equal(bk_error_hint(), "");
	/* a desa name found in two kecamatan */
	expect_format(bk_validate_region(&bk_test_regions, BK_REGION_DESA, L("Sidorejo"), &r), "desa name is shared by 2 desa");
	assert_non_null(strstr(bk_error_hint(), "use the desa code (like 35.05."));
	/* codes */
	expect_format(bk_validate_region(&bk_test_regions, BK_REGION_DESA, L("35.05.10"), &r),
		      "the code is a kecamatan code, not a desa code");
	expect_format(bk_validate_region(&bk_test_regions, BK_REGION_KECAMATAN, L("35.05.99"), &r),
		      "no kecamatan has this code");
	assert_int_equal(bk_validate_region(&bk_test_regions, BK_REGION_KECAMATAN, L("35.05.10 "), &r), BK_OK);
	/* bad bytes */
	expect_format(bk_validate_region(&bk_test_regions, BK_REGION_KECAMATAN, L("Kani\0goro"), &r),
		      "kecamatan contains a NUL byte (byte 5)");
	expect_format(bk_validate_region(&bk_test_regions, BK_REGION_KECAMATAN, L("Kanigoro\xff"), &r),
		      "kecamatan is not valid UTF-8");
	expect_format(bk_validate_region(&bk_test_regions, BK_REGION_DESA, L("Kali\tgoro"), &r), "control character");
	expect_format(bk_validate_region(&bk_test_regions, BK_REGION_DESA, L(""), &r), "desa is empty");
	{
		char big[96];

		memset(big, 'a', sizeof(big));
		expect_format(bk_validate_region(&bk_test_regions, BK_REGION_DESA, big, sizeof(big), &r),
			      "desa name or code is too long");
		expect_format(bk_validate_region(&bk_test_regions, BK_REGION_DESA, big, sizeof(big) - 1, &r),
			      "unknown desa name");
	}
	assert_int_equal(bk_validate_region(NULL, BK_REGION_DESA, L("Jaten"), &r), BK_ERR_USAGE);
	assert_int_equal(bk_validate_region(&bk_test_regions, (enum bk_region_level)7, L("Jaten"), &r), BK_ERR_USAGE);
}

/* ---- across validators ---- */

/* A 10 MB cell whose middle is unreadable: a validator that read or copied it
 * would crash. The first and last pages hold fill, so trimming stops there. */
static void test_huge_cell(void **state)
{
	static const char *const kanal[] = {"daring", "luring"};
	long page = sysconf(_SC_PAGESIZE);
	size_t size = 10u << 20;
	char *cell, out[65];
	struct bk_nik nik;
	struct bk_date d;
	struct bk_phone p;
	int64_t v;
	int s;
	const char *c;
	const struct bk_region *r;

	(void)state;
	assert_true(page > 0 && size % (size_t)page == 0);
	cell = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(cell != MAP_FAILED);
	memset(cell, '7', (size_t)page);
	memset(cell + size - (size_t)page, '7', (size_t)page);
	assert_int_equal(mprotect(cell + page, size - 2 * (size_t)page, PROT_NONE), 0);

	expect_format(bk_validate_utf8(cell, size, 1000, 0), "longer than 1000 bytes");
	expect_format(bk_validate_text(cell, size, 64, 0, out, sizeof(out), NULL, NULL), "longer than 64 bytes");
	expect_format(bk_validate_nik(cell, size, "3505", 2024, &nik), "NIK is too long");
	expect_format(bk_validate_date(cell, size, &d), "date is too long");
	expect_format(bk_validate_phone(cell, size, &p), "phone number is too long");
	expect_format(bk_validate_int(cell, size, 0, 10, &v), "number is too long");
	expect_format(bk_validate_score(cell, size, &s), "from 1 to 4");
	expect_format(bk_validate_enum(cell, size, kanal, 2, &c), "value is too long");
	expect_format(bk_validate_region(&bk_test_regions, BK_REGION_DESA, cell, size, &r), "too long");
	assert_int_equal(munmap(cell, size), 0);

	/* and an ordinary 10 MB heap cell full of NUL bytes */
	cell = calloc(1, size);
	assert_non_null(cell);
	expect_format(bk_validate_utf8(cell, size, 1000, 0), "longer than");
	expect_format(bk_validate_text(cell, size, 64, 0, out, sizeof(out), NULL, NULL), "longer than");
	expect_format(bk_validate_nik(cell, size, NULL, 2024, &nik), "too long");
	free(cell);
}

/* Every failure has a reason, and no reason quotes the cell, nor any run of 5
 * of its digits (a NIK, phone number or date in part). */
static void test_no_value_in_detail(void **state)
{
	static const char *const kanal[] = {"daring", "luring"};
	static const char *const bad[] = {
		"3505121708900000", "350512170890000", "35051217089000011", "3505 1217 0890 0000",
		"35.05.12.170890.0001", "3571011708900001", "3505123708900001", "3505127708900001",
		"3505121713900001", "3505123102900001", "0005121708900001", "3505-1217-0890-0001",
		"3.50512E+15", "31/02/2024", "29/02/2023", "17/08/24", "17 Agustusan 2024", "1899-12-31",
		"08/17/1990", "17/08/2024 x", "45521", "+1 555 123 4567", "81234567890", "+62 0812 3456 7890",
		"081234567", "0812-3456-7890 / 0813", "0812 3456 7890 ext 12", "0112345678", "1.5",
		"123456789012345678901234", "Budi Santoso", "=HYPERLINK(\"http://x\")", "onlinee",
		"Kanigorro", "Jalan Mawar 12", "Sidorejo", "35.05.99.9999", "caf\xe9 latte", "abc\x01xyz",
	};
	static const char *const samples[] = {"3505121708900001", "17/08/1990", "081234567890"};
	char out[16];
	struct bk_nik nik;
	struct bk_date d;
	struct bk_phone p;
	int64_t v;
	int sc;
	const char *c;
	const struct bk_region *r;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *in = bad[i];
		size_t n = strlen(in);
		bk_status rc[9];

		for (size_t k = 0; k < 9; k++) {
			const char *det;

			bk_error_clear();
			switch (k) {
			case 0: rc[k] = bk_validate_nik(in, n, "3505", 2024, &nik); break;
			case 1: rc[k] = bk_validate_date(in, n, &d); break;
			case 2: rc[k] = bk_validate_phone(in, n, &p); break;
			case 3: rc[k] = bk_validate_int(in, n, 0, 1000, &v); break;
			case 4: rc[k] = bk_validate_score(in, n, &sc); break;
			case 5: rc[k] = bk_validate_enum(in, n, kanal, 2, &c); break;
			case 6: rc[k] = bk_validate_region(&bk_test_regions, BK_REGION_DESA, in, n, &r); break;
			case 7: rc[k] = bk_validate_text(in, n, 10, 0, out, sizeof(out), NULL, NULL); break;
			default: rc[k] = bk_validate_utf8(in, n, 10, 0); break;
			}
			if (rc[k] == BK_OK)
				continue;
			det = bk_error_detail();
			assert_int_equal(rc[k], BK_ERR_FORMAT);
			if (det[0] == '\0')
				fail_msg("validator %zu gave no reason for input %zu", k, i);
			if (strstr(det, in))
				fail_msg("validator %zu echoed input %zu: %s", k, i, det);
			for (size_t j = 0; j + 5 <= n; j++) {
				char run[6];

				memcpy(run, in + j, 5);
				run[5] = '\0';
				if (strspn(run, "0123456789") == 5 && strstr(det, run))
					fail_msg("validator %zu quoted digits of input %zu: %s", k, i, det);
			}
		}
	}
	/* mismatches against a NIK quote neither the NIK nor the date */
	assert_int_equal(bk_validate_nik(samples[0], strlen(samples[0]), NULL, 2024, &nik), BK_OK);
	assert_int_equal(bk_validate_date(L("18/08/1990"), &d), BK_OK);
	expect_format(bk_validate_nik_match(&nik, 'P', &d), "does not match");
	expect_format(bk_validate_nik_match(&nik, 'L', &d), "does not match");
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++)
		assert_null(strstr(bk_error_detail(), samples[i]));
	assert_null(strstr(bk_error_detail(), "1990"));
	assert_null(strstr(bk_error_detail(), "18"));
}

/* A hint from one cell never sticks to the next cell's error. */
static void test_hint_reset(void **state)
{
	static const char *const kanal[] = {"daring", "luring"};
	const char *c;
	struct bk_nik nik;
	struct bk_date d;

	(void)state;
	expect_format(bk_validate_enum(L("darin"), kanal, 2, &c), "not one of");
	assert_string_equal(bk_error_hint(), "did you mean 'daring'?");
	expect_format(bk_validate_nik(L("3505121708900000"), NULL, 2024, &nik), "serial");
	assert_string_equal(bk_error_hint(), "");
	expect_format(bk_validate_date(L("45521"), &d), "date must be like");
	assert_true(bk_error_hint()[0] != '\0');
	/* success leaves detail and hint alone */
	assert_int_equal(bk_validate_date(L("17/08/2024"), &d), BK_OK);
	assert_true(bk_error_hint()[0] != '\0');
	assert_true(bk_error_detail()[0] != '\0');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_valid),
		cmocka_unit_test(test_utf8_invalid),
		cmocka_unit_test(test_utf8_length),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_formula_like),
		cmocka_unit_test(test_nik_valid),
		cmocka_unit_test(test_nik_sex_boundaries),
		cmocka_unit_test(test_nik_leap),
		cmocka_unit_test(test_nik_invalid),
		cmocka_unit_test(test_nik_match),
		cmocka_unit_test(test_date_forms),
		cmocka_unit_test(test_date_invalid),
		cmocka_unit_test(test_phone),
		cmocka_unit_test(test_int),
		cmocka_unit_test(test_score),
		cmocka_unit_test(test_enum),
		cmocka_unit_test(test_region),
		cmocka_unit_test(test_huge_cell),
		cmocka_unit_test(test_no_value_in_detail),
		cmocka_unit_test(test_hint_reset),
	};

	return bk_test_run_group("validate", tests, bk_test_regions_setup, bk_test_regions_teardown);
}
