/* validate.h - the checks the CSV importer runs on every cell: UTF-8, NIK,
 * dates, phone numbers, numbers, scores, enums, free text and regions.
 *
 * Pure functions: no database, no I/O, no allocation. Each takes the raw cell
 * as a pointer and a length. The bytes are not NUL-terminated and may hold
 * anything (NUL bytes, invalid UTF-8, megabytes of data). Surrounding ASCII
 * whitespace (space, tab, CR, LF) is trimmed first. A cell too long for its
 * type is then rejected from its length alone, before any byte in the middle is
 * read or copied.
 *
 * On success a validator returns BK_OK and fills its output with the normalized
 * value. On failure it returns BK_ERR_FORMAT, sets the error detail to a short
 * reason ("NIK must have 16 digits") and sets the hint to a likely fix or to ""
 * (so a hint left by an earlier cell never shows up). The caller adds
 * "FILE:LINE:COLUMN: " in front. BK_ERR_USAGE means the caller made a mistake
 * (bad parameters), not the cell. Outputs are zeroed on entry, so on failure
 * they are zero, never a partial value. On success the detail and hint are left
 * as they were.
 *
 * No message ever holds any part of the cell: cells are personal data, and
 * details end up in terminals and logs. A message says what is wrong and
 * quotes only the caller's own parameters (limits, allowed values).
 *
 * WARNING: an empty cell (or one holding only whitespace) is an error for every
 * typed validator and for bk_validate_text. Optional columns are the caller's
 * business: skip empty cells before calling.
 * WARNING: outputs hold personal data (a NIK, a birth date, a phone number).
 * The caller owns them and decides where they live (sodium_malloc for
 * identifiers) and when they are wiped. The validators wipe their own stack
 * copies. */
#ifndef BK_VALIDATE_H
#define BK_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "vault/core/regions.h"

/* Buffer sizes, NUL included. */
#define BK_VALIDATE_ISO_DATE_SIZE 11  /* "2024-08-17" */
#define BK_VALIDATE_NIK_SIZE 17       /* 16 digits */
#define BK_VALIDATE_KECAMATAN_SIZE 9  /* "35.05.12" */
#define BK_VALIDATE_PHONE_SIZE 17     /* "+62" and at most 13 digits */

/* Typed cells longer than this (after trimming) are rejected without looking
 * at their content. Free text has its own limit, passed by the caller. */
#define BK_VALIDATE_CELL_MAX 64

/* Flags for bk_validate_utf8 and bk_validate_text. */
#define BK_VALIDATE_TAB 0x1u       /* allow horizontal tab (U+0009) */
#define BK_VALIDATE_NEWLINE 0x2u   /* allow LF and CR LF line breaks (a lone CR stays an error) */

/* A calendar date, checked to exist (leap years included). */
struct bk_date {
	int year;                            /* 1900..2100 */
	int month;                           /* 1..12 */
	int day;                             /* 1..31 */
	char iso[BK_VALIDATE_ISO_DATE_SIZE]; /* "YYYY-MM-DD" */
};

/* What a NIK says. */
struct bk_nik {
	char digits[BK_VALIDATE_NIK_SIZE];       /* the 16 digits, spaces removed */
	char kecamatan[BK_VALIDATE_KECAMATAN_SIZE]; /* "PP.KK.CC" from digits 1-6 */
	struct bk_date birth;                    /* digits 7-12, day less 40 for women */
	char sex;                                /* 'L' (laki-laki) or 'P' (perempuan) */
};

/* A phone number in E.164 form. */
struct bk_phone {
	char e164[BK_VALIDATE_PHONE_SIZE]; /* "+6281234567890", "+62342801234" */
	int mobile;                        /* 1 for a mobile number (+628...), 0 for a landline */
};

/* bk_validate_utf8 checks that cell[0..len) is well-formed UTF-8 (RFC 3629:
 * no overlong forms, no surrogates, nothing above U+10FFFF, no truncated or
 * stray continuation bytes) and holds no control character: no NUL, no other
 * C0 control, no DEL and no C1 control (U+0080..U+009F, almost always text
 * decoded with the wrong code page). flags may allow tab and line breaks.
 * len must be at most max_bytes (checked first, in constant time). Nothing is
 * trimmed and the empty string passes. Reasons name the byte position (from 1). */
bk_status bk_validate_utf8(const char *cell, size_t len, size_t max_bytes, unsigned flags) BK_MUST_CHECK;

/* bk_validate_text trims the cell, checks what remains with bk_validate_utf8
 * (tab always allowed, plus flags) against max_bytes and copies it, NUL-
 * terminated, to out. out_size must be at least max_bytes + 1, otherwise
 * BK_ERR_USAGE whatever the cell. *out_len_p receives the length without the
 * NUL and *formula_p whether the text is formula-like (see below). The text is
 * stored as is: neutralizing formulas is the output layers' job. Both output
 * pointers may be NULL. */
bk_status bk_validate_text(const char *cell, size_t len, size_t max_bytes, unsigned flags, char *out,
			   size_t out_size, size_t *out_len_p, int *formula_p) BK_MUST_CHECK;

/* bk_validate_formula_like returns 1 when s[0..len) starts with a character a
 * spreadsheet may take as the start of a formula (= + - @ tab CR), else 0. For
 * the output layers too: CSV and spreadsheet exports must neutralize such a
 * value (for example by a leading apostrophe). */
int bk_validate_formula_like(const char *s, size_t len);

/* bk_validate_nik checks an Indonesian NIK: 16 digits (spaces anywhere are
 * dropped; dots, dashes and anything else are rejected), the region in digits
 * 1-6 with no zero part, the birth date DDMMYY in digits 7-12 (DD 01-31, or
 * 41-71 for women) that must be a real date, and the serial in digits 13-16
 * that must not be 0000.
 *
 * kabupaten: when not NULL, the region must lie in it ("3505" or "35.05"); a
 * malformed kabupaten is BK_ERR_USAGE. ref_year (1900..2100) resolves the
 * century: YY above ref_year's last two digits is in the century before
 * ref_year's, otherwise in ref_year's (ref 2024: 25 -> 1925, 24 -> 2024).
 * nik_p receives the digits, "PP.KK.CC" (the caller checks that this kecamatan
 * exists), the birth date and the sex.
 *
 * WARNING: a NIK keeps the region where it was first issued, so a citizen who
 * moved to the kabupaten has a NIK from elsewhere. Pass kabupaten only for data
 * that must have been issued here. */
bk_status bk_validate_nik(const char *cell, size_t len, const char *kabupaten, int ref_year,
			  struct bk_nik *nik_p) BK_MUST_CHECK;

/* bk_validate_nik_match checks a declared sex ('L' or 'P'; 0 when not
 * declared) and birth date (NULL when not declared) against a NIK from
 * bk_validate_nik. The NIK holds only two digits of the year, so the years
 * match when their last two digits do: the declared year is the better source
 * for the century. Returns BK_OK, BK_ERR_FORMAT on a mismatch ("sex L does not
 * match the NIK (day + 40 means P)") or BK_ERR_USAGE for a sex other than 0, L
 * and P. */
bk_status bk_validate_nik_match(const struct bk_nik *nik, char sex, const struct bk_date *birth) BK_MUST_CHECK;

/* bk_validate_date reads a date in the forms used in Indonesia and fills
 * date_p, with date_p->iso as "YYYY-MM-DD":
 *   2024-08-17, 2024-8-17                       year first, dashes only
 *   17/08/2024, 17-08-2024, 17.08.2024, 17/8/2024   day first, one separator
 *   17 Agustus 2024, 17 Agu 2024, 17 Agt 2024, 17-Agu-2024, 17 August 2024
 * Month names are Indonesian or English, full or abbreviated (Jan, Feb, Mar,
 * Apr, Mei/May, Jun, Jul, Agu/Agt/Ags/Aug, Sep/Sept, Okt/Oct, Nov/Nop,
 * Des/Dec), in any case, optionally followed by a dot. Two-digit years are
 * rejected as ambiguous, as are years outside 1900..2100 and days that do not
 * exist (31/04, 29/02 outside leap years). */
bk_status bk_validate_date(const char *cell, size_t len, struct bk_date *date_p) BK_MUST_CHECK;

/* bk_validate_phone reads an Indonesian phone number (0812..., +62812...,
 * 62812..., a landline with its area code such as 0342-801234) and fills
 * phone_p with its E.164 form. Spaces, dashes, dots and parentheses are
 * dropped; a + is allowed only first. 9 to 13 digits must follow the country
 * code, the first of them 2-9 (8 for mobiles). Numbers of other countries are
 * rejected. */
bk_status bk_validate_phone(const char *cell, size_t len, struct bk_phone *phone_p) BK_MUST_CHECK;

/* bk_validate_int reads a whole decimal number (an optional sign, then
 * digits) between min and max inclusive into *value_p. Decimals, thousands
 * separators and exponents are rejected. min > max is BK_ERR_USAGE. */
bk_status bk_validate_int(const char *cell, size_t len, int64_t min, int64_t max, int64_t *value_p) BK_MUST_CHECK;

/* bk_validate_score reads a survey answer of 1, 2, 3 or 4 (whole numbers only:
 * "1.0" is rejected) into *score_p. */
bk_status bk_validate_score(const char *cell, size_t len, int *score_p) BK_MUST_CHECK;

/* bk_validate_enum matches the cell, case-insensitively (ASCII), against the
 * nallowed strings in allowed and points *canonical_p at the allowed spelling.
 * When nothing matches, the hint is "did you mean 'X'?" for the closest
 * allowed value (edit distance) or lists the allowed values. The allowed
 * strings are the caller's and must outlive *canonical_p. nallowed == 0 is
 * BK_ERR_USAGE. */
bk_status bk_validate_enum(const char *cell, size_t len, const char *const *allowed, size_t nallowed,
			   const char **canonical_p) BK_MUST_CHECK;

/* bk_validate_region resolves a region cell at a level, by code
 * ("35.05.10.2001") or by name (case-insensitive), through bk_regions_find.
 * *region_p points into regions. When nothing matches, the hint is "did you
 * mean 'X'?" from bk_regions_suggest; a name that several regions at that
 * level share (desa names repeat across kecamatan) is rejected as ambiguous,
 * with a hint to use the code. */
bk_status bk_validate_region(const struct bk_regions *regions, enum bk_region_level level, const char *cell,
			     size_t len, const struct bk_region **region_p) BK_MUST_CHECK;

#endif
