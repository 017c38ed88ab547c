/* validate.c - cell validators for the CSV importer (see validate.h).
 *
 * Every validator trims first, then rejects on length, then scans: the trim
 * touches only the whitespace at each end, so an oversized cell is refused
 * without its middle being read. Digits of personal values are gathered in
 * small stack buffers that are wiped before returning. */
#include "vault/schema/validate.h"

#include "base/text.h"
#include "crypto/secmem.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>


#define ENUM_CELL_MAX 256 /* enum values are longer than typed cells ("pegawai negeri sipil") */

/* bad records a format error and its hint ("" when hint is NULL), so no hint
 * from an earlier cell survives into this one. */
static bk_status bad(const char *hint, const char *fmt, ...) BK_PRINTF(2, 3);

static bk_status bad(const char *hint, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	bk_hint("%s", hint ? hint : "");
	return bk_fail(BK_ERR_FORMAT, "%s", msg);
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Locale-free: a caller's setlocale() must not change what matches. */
static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static int casecmp_n(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (lower(a[i]) != lower(b[i]))
			return 1;
	return 0;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* trim returns the cell without surrounding whitespace and its length in *n_p. */
static const char *trim(const char *cell, size_t len, size_t *n_p)
{
	if (!cell)
		len = 0;
	while (len > 0 && is_space(cell[0])) {
		cell++;
		len--;
	}
	while (len > 0 && is_space(cell[len - 1]))
		len--;
	*n_p = len;
	return cell;
}

static int two(const char *d)
{
	return (d[0] - '0') * 10 + (d[1] - '0');
}

/* ---- UTF-8 ---- */

enum scan_result { SCAN_OK, SCAN_INVALID, SCAN_NUL, SCAN_CONTROL };

/* scan checks s[0..n) as described at bk_validate_utf8; on failure *pos_p is
 * the offset of the offending sequence. Ranges follow Unicode table 3-7, which
 * excludes overlongs (C0, C1, E0 80..9F, F0 80..8F), surrogates (ED A0..BF)
 * and code points above U+10FFFF (F4 90.., F5..FF). */
static enum scan_result scan(const char *str, size_t n, unsigned flags, size_t *pos_p)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		unsigned char lo = 0x80, hi = 0xbf;
		size_t need;

		*pos_p = i;
		if (c < 0x80) {
			if (c == 0)
				return SCAN_NUL;
			if (c == '\t' && (flags & BK_VALIDATE_TAB)) {
				i++;
				continue;
			}
			if ((flags & BK_VALIDATE_NEWLINE) &&
			    (c == '\n' || (c == '\r' && i + 1 < n && s[i + 1] == '\n'))) {
				i++;
				continue;
			}
			if (c < 0x20 || c == 0x7f)
				return SCAN_CONTROL;
			i++;
			continue;
		}
		if (c < 0xc2)
			return SCAN_INVALID; /* a stray continuation byte or an overlong 2-byte lead */
		if (c < 0xe0) {
			need = 1;
		} else if (c < 0xf0) {
			need = 2;
			if (c == 0xe0)
				lo = 0xa0;
			else if (c == 0xed)
				hi = 0x9f;
		} else if (c < 0xf5) {
			need = 3;
			if (c == 0xf0)
				lo = 0x90;
			else if (c == 0xf4)
				hi = 0x8f;
		} else {
			return SCAN_INVALID;
		}
		if (n - i <= need || s[i + 1] < lo || s[i + 1] > hi)
			return SCAN_INVALID;
		for (size_t k = 2; k <= need; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return SCAN_INVALID;
		if (c == 0xc2 && s[i + 1] < 0xa0)
			return SCAN_CONTROL; /* C1 controls U+0080..U+009F */
		i += need + 1;
	}
	return SCAN_OK;
}

/* scan_fail reports a scan failure on subject; pos counts from 0 in the cell. */
static bk_status scan_fail(const char *subject, enum scan_result r, size_t pos)
{
	switch (r) {
	case SCAN_NUL:
		return bad(NULL, "%s contains a NUL byte (byte %zu)", subject, pos + 1);
	case SCAN_CONTROL:
		return bad(NULL, "%s contains a control character (byte %zu)", subject, pos + 1);
	case SCAN_INVALID:
	case SCAN_OK:
		break;
	}
	return bad("save the file as UTF-8 (in Excel: \"CSV UTF-8\")", "%s is not valid UTF-8 (byte %zu)", subject,
		   pos + 1);
}

bk_status bk_validate_utf8(const char *cell, size_t len, size_t max_bytes, unsigned flags)
{
	enum scan_result r;
	size_t pos = 0;

	if (len > max_bytes)
		return bad(NULL, "text is longer than %zu bytes", max_bytes);
	if (len == 0)
		return BK_OK;
	r = scan(cell, len, flags, &pos);
	return r == SCAN_OK ? BK_OK : scan_fail("text", r, pos);
}

/* ---- free text ---- */

int bk_validate_formula_like(const char *s, size_t len)
{
	return s && len > 0 && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' ||
				s[0] == '\r');
}

bk_status bk_validate_text(const char *cell, size_t len, size_t max_bytes, unsigned flags, char *out,
			   size_t out_size, size_t *out_len_p, int *formula_p)
{
	enum scan_result r;
	const char *s;
	size_t n, pos = 0;

	if (out_len_p)
		*out_len_p = 0;
	if (formula_p)
		*formula_p = 0;
	if (!out || out_size <= max_bytes)
		return bk_fail(BK_ERR_USAGE, "text buffer of %zu bytes is too small for %zu bytes", out_size,
			       max_bytes);
	out[0] = '\0';
	s = trim(cell, len, &n);
	if (n == 0)
		return bad(NULL, "text is empty");
	if (n > max_bytes)
		return bad(NULL, "text is longer than %zu bytes", max_bytes);
	r = scan(s, n, flags | BK_VALIDATE_TAB, &pos);
	if (r != SCAN_OK)
		return scan_fail("text", r, (size_t)(s - cell) + pos);
	memcpy(out, s, n);
	out[n] = '\0';
	if (out_len_p)
		*out_len_p = n;
	if (formula_p)
		*formula_p = bk_validate_formula_like(out, n);
	return BK_OK;
}

/* ---- dates ---- */

static int days_in_month(int year, int month)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return month == 2 && leap ? 29 : days[month - 1];
}

/* set_date fills a checked date; fixed-width digits, so no snprintf. */
static void set_date(struct bk_date *date, int year, int month, int day)
{
	char *p = date->iso;

	date->year = year;
	date->month = month;
	date->day = day;
	p[0] = (char)('0' + year / 1000);
	p[1] = (char)('0' + year / 100 % 10);
	p[2] = (char)('0' + year / 10 % 10);
	p[3] = (char)('0' + year % 10);
	p[4] = '-';
	p[5] = (char)('0' + month / 10);
	p[6] = (char)('0' + month % 10);
	p[7] = '-';
	p[8] = (char)('0' + day / 10);
	p[9] = (char)('0' + day % 10);
	p[10] = '\0';
}

static const struct {
	const char *name;
	int month;
} month_names[] = {
	/* Indonesian, with the old spellings still typed (Pebruari, Nopember) */
	{"januari", 1}, {"februari", 2}, {"pebruari", 2}, {"maret", 3}, {"april", 4}, {"mei", 5},
	{"juni", 6}, {"juli", 7}, {"agustus", 8}, {"september", 9}, {"oktober", 10}, {"november", 11},
	{"nopember", 11}, {"desember", 12},
	{"jan", 1}, {"feb", 2}, {"peb", 2}, {"mar", 3}, {"apr", 4}, {"jun", 6}, {"jul", 7}, {"agu", 8},
	{"agt", 8}, {"ags", 8}, {"agst", 8}, {"sep", 9}, {"sept", 9}, {"okt", 10}, {"nov", 11}, {"nop", 11},
	{"des", 12},
	/* English, where it differs */
	{"january", 1}, {"february", 2}, {"march", 3}, {"may", 5}, {"june", 6}, {"july", 7}, {"august", 8},
	{"october", 10}, {"december", 12}, {"aug", 8}, {"oct", 10}, {"dec", 12},
};

static int month_lookup(const char *w, size_t n)
{
	for (size_t i = 0; i < sizeof(month_names) / sizeof(month_names[0]); i++)
		if (strlen(month_names[i].name) == n && casecmp_n(month_names[i].name, w, n) == 0)
			return month_names[i].month;
	return 0;
}

/* digits reads a run of digits at s[*i], returning how many there were; the
 * value saturates (runs longer than 4 are rejected by every caller). */
static size_t digits(const char *s, size_t n, size_t *i, int *value_p)
{
	size_t start = *i;
	int v = 0;

	while (*i < n && is_digit(s[*i])) {
		if (v < 100000)
			v = v * 10 + (s[*i] - '0');
		(*i)++;
	}
	*value_p = v;
	return *i - start;
}

static bk_status check_date(int year, int month, int day, int day_first, struct bk_date *date_p)
{
	if (year < 1900 || year > 2100)
		return bad(NULL, "date year must be between 1900 and 2100");
	if (month < 1 || month > 12)
		return bad(day_first && day <= 12 ? "dates are read day first, as in 17/08/2024" : NULL,
			   "date is not a real date (month must be 1-12)");
	if (day < 1 || day > days_in_month(year, month))
		return bad(NULL, "date is not a real date (no such day in that month)");
	set_date(date_p, year, month, day);
	return BK_OK;
}

#define DATE_FORMS "date must be like 2024-08-17, 17/08/2024 or 17 Agustus 2024"

static bk_status parse_named(const char *s, size_t n, size_t i, int day, struct bk_date *date_p)
{
	char sep = s[i];
	size_t w, nw, ny;
	int month, year;

	/* s[i] is the separator after the day: spaces, or a single dash */
	if (sep == ' ')
		while (i < n && s[i] == ' ')
			i++;
	else
		i++;
	w = i;
	while (i < n && is_alpha(s[i]))
		i++;
	nw = i - w;
	month = month_lookup(s + w, nw);
	if (i < n && s[i] == '.')
		i++;
	if (i >= n || s[i] != sep)
		return bad(NULL, DATE_FORMS);
	if (sep == ' ')
		while (i < n && s[i] == ' ')
			i++;
	else
		i++;
	ny = digits(s, n, &i, &year);
	if (i != n || ny == 0)
		return bad(NULL, DATE_FORMS);
	if (!month)
		return bad("write the month in Indonesian or English, like Agustus, Agu or Aug",
			   "date has an unknown month name");
	if (ny == 2)
		return bad("write the year with 4 digits", "date has a 2-digit year, which is ambiguous");
	if (ny != 4)
		return bad(NULL, DATE_FORMS);
	return check_date(year, month, day, 0, date_p);
}

bk_status bk_validate_date(const char *cell, size_t len, struct bk_date *date_p)
{
	const char *s;
	size_t n, i = 0, na, nb, nc;
	int a, b, c;
	char sep;

	memset(date_p, 0, sizeof(*date_p));
	s = trim(cell, len, &n);
	if (n == 0)
		return bad(NULL, "date is empty");
	if (n > BK_VALIDATE_CELL_MAX)
		return bad(NULL, "date is too long (more than %d bytes)", BK_VALIDATE_CELL_MAX);
	na = digits(s, n, &i, &a);
	if (na > 0 && i == n)
		return bad("a spreadsheet may have stored the date as a number; format the column as a date",
			   DATE_FORMS);
	if (na == 0 || na > 4)
		return bad(NULL, DATE_FORMS);
	sep = s[i];
	if (sep == ' ' || sep == '-') {
		size_t j = i + 1;

		while (sep == ' ' && j < n && s[j] == ' ')
			j++;
		if (j < n && is_alpha(s[j]))
			return na > 2 ? bad(NULL, DATE_FORMS) : parse_named(s, n, i, a, date_p);
	}
	i++;
	if (sep != '-' && sep != '/' && sep != '.')
		return bad(NULL, DATE_FORMS);
	nb = digits(s, n, &i, &b);
	if (nb == 0 || nb > 2 || i >= n || s[i] != sep)
		return bad(NULL, DATE_FORMS);
	i++;
	nc = digits(s, n, &i, &c);
	if (i != n || nc == 0)
		return bad(NULL, DATE_FORMS);
	if (na == 4) {
		if (sep != '-' || nc > 2)
			return bad(NULL, DATE_FORMS);
		return check_date(a, b, c, 0, date_p);
	}
	if (na > 2)
		return bad(NULL, DATE_FORMS);
	if (nc == 2)
		return bad("write the year with 4 digits", "date has a 2-digit year, which is ambiguous");
	if (nc != 4)
		return bad(NULL, DATE_FORMS);
	return check_date(c, b, a, 1, date_p);
}

/* ---- NIK ---- */

/* kabupaten_digits turns "3505" or "35.05" into 4 digits; 0 when malformed. */
static int kabupaten_digits(const char *k, char out[4])
{
	size_t n = strlen(k);

	if (n == 4 && is_digit(k[0]) && is_digit(k[1]) && is_digit(k[2]) && is_digit(k[3])) {
		memcpy(out, k, 4);
		return 1;
	}
	if (n == 5 && is_digit(k[0]) && is_digit(k[1]) && k[2] == '.' && is_digit(k[3]) && is_digit(k[4])) {
		out[0] = k[0];
		out[1] = k[1];
		out[2] = k[3];
		out[3] = k[4];
		return 1;
	}
	return 0;
}

/* nik_digits gathers the 16 digits of s[0..n) into d, skipping spaces;
 * anything else is refused, with a hint for the usual spreadsheet damage. */
static bk_status nik_digits(const char *s, size_t n, char d[16])
{
	const char *hint = NULL;
	size_t nd = 0;
	int other = 0;
	bk_status rc = BK_OK;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == ' ')
			continue;
		if (!is_digit(s[i])) {
			other = 1;
			if (s[i] == 'E' || s[i] == 'e' || s[i] == '+')
				hint = "a spreadsheet stored the NIK as a number; format the column as text";
			else if (!hint && (s[i] == '.' || s[i] == '-'))
				hint = "write the 16 digits without dots or dashes";
			continue;
		}
		if (nd < 16)
			d[nd] = s[i];
		nd++;
	}
	if (other) {
		rc = bad(hint, "NIK may contain only digits and spaces");
		goto out;
	}
	if (nd != 16) {
		rc = bad(NULL, "NIK must have 16 digits, not %zu", nd);
		goto out;
	}
out:
	return rc;
}

/* nik_fill writes a checked NIK's digits, kecamatan code, birth date and
 * sex (day + 40 for women) into nik_p. */
static void nik_fill(struct bk_nik *nik_p, const char d[16], int year, int mm, int dd)
{
	memcpy(nik_p->digits, d, 16);
	nik_p->digits[16] = '\0';
	nik_p->kecamatan[0] = d[0];
	nik_p->kecamatan[1] = d[1];
	nik_p->kecamatan[2] = '.';
	nik_p->kecamatan[3] = d[2];
	nik_p->kecamatan[4] = d[3];
	nik_p->kecamatan[5] = '.';
	nik_p->kecamatan[6] = d[4];
	nik_p->kecamatan[7] = d[5];
	nik_p->kecamatan[8] = '\0';
	set_date(&nik_p->birth, year, mm, dd > 40 ? dd - 40 : dd);
	nik_p->sex = dd > 40 ? 'P' : 'L';
}

bk_status bk_validate_nik(const char *cell, size_t len, const char *kabupaten, int ref_year, struct bk_nik *nik_p)
{
	char d[16], kab[4];
	const char *s;
	size_t n;
	int dd, mm, yy, year, day;
	bk_status rc = BK_OK;

	memset(nik_p, 0, sizeof(*nik_p));
	if (kabupaten && !kabupaten_digits(kabupaten, kab))
		return bk_fail(BK_ERR_USAGE, "kabupaten for NIK checks must be like 3505 or 35.05");
	if (ref_year < 1900 || ref_year > 2100)
		return bk_fail(BK_ERR_USAGE, "reference year for NIK checks must be between 1900 and 2100");
	s = trim(cell, len, &n);
	if (n == 0)
		return bad(NULL, "NIK is empty");
	if (n > BK_VALIDATE_CELL_MAX)
		return bad(NULL, "NIK is too long (more than %d bytes)", BK_VALIDATE_CELL_MAX);
	if ((rc = nik_digits(s, n, d)))
		goto out;
	if (two(d) == 0 || two(d + 2) == 0 || two(d + 4) == 0) {
		rc = bad(NULL, "NIK region code is not valid (a part is 00)");
		goto out;
	}
	if (kabupaten && memcmp(d, kab, 4) != 0) {
		rc = bad(NULL, "NIK region is outside kabupaten %.2s.%.2s", kab, kab + 2);
		goto out;
	}
	dd = two(d + 6);
	mm = two(d + 8);
	yy = two(d + 10);
	if (dd == 0 || (dd > 31 && dd < 41) || dd > 71) {
		rc = bad(NULL, "NIK birth day must be 01-31, or 41-71 for women");
		goto out;
	}
	if (mm < 1 || mm > 12) {
		rc = bad(NULL, "NIK birth month must be 01-12");
		goto out;
	}
	year = ref_year - ref_year % 100 + yy;
	if (yy > ref_year % 100)
		year -= 100;
	day = dd > 40 ? dd - 40 : dd;
	if (day > days_in_month(year, mm)) {
		rc = bad(NULL, "NIK birth date is not a real date");
		goto out;
	}
	if (memcmp(d + 12, "0000", 4) == 0) {
		rc = bad(NULL, "NIK serial number must not be 0000");
		goto out;
	}
	nik_fill(nik_p, d, year, mm, dd);
out:
	bk_wipe(d, sizeof(d));
	return rc;
}

bk_status bk_validate_nik_match(const struct bk_nik *nik, char sex, const struct bk_date *birth)
{
	if (!nik || (nik->sex != 'L' && nik->sex != 'P'))
		return bk_fail(BK_ERR_USAGE, "no checked NIK to match against");
	if (sex != 0 && sex != 'L' && sex != 'P')
		return bk_fail(BK_ERR_USAGE, "declared sex must be L or P");
	if (sex && sex != nik->sex)
		return sex == 'L' ? bad(NULL, "sex L does not match the NIK (day + 40 means P)")
				  : bad(NULL, "sex P does not match the NIK (a day without + 40 means L)");
	if (birth && (birth->year % 100 != nik->birth.year % 100 || birth->month != nik->birth.month ||
		      birth->day != nik->birth.day)) {
		int swapped = birth->year % 100 == nik->birth.year % 100 && birth->day == nik->birth.month &&
			      birth->month == nik->birth.day;

		return bad(swapped ? "day and month look swapped; dates are read day first" : NULL,
			   "birth date does not match the NIK");
	}
	return BK_OK;
}

/* ---- phone numbers ---- */

bk_status bk_validate_phone(const char *cell, size_t len, struct bk_phone *phone_p)
{
	char d[BK_VALIDATE_CELL_MAX];
	const char *s, *r, *hint = NULL;
	size_t n, nd = 0, nr;
	int plus = 0, other = 0;
	bk_status rc = BK_OK;

	memset(phone_p, 0, sizeof(*phone_p));
	s = trim(cell, len, &n);
	if (n == 0)
		return bad(NULL, "phone number is empty");
	if (n > BK_VALIDATE_CELL_MAX)
		return bad(NULL, "phone number is too long (more than %d bytes)", BK_VALIDATE_CELL_MAX);
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (is_digit(c))
			d[nd++] = c; /* nd <= n <= sizeof(d) */
		else if (c == '+' && nd == 0 && !plus)
			plus = 1;
		else if (c == '/' || c == ',' || c == ';') {
			other = 1;
			hint = "put one phone number in a cell";
		} else if (c != ' ' && c != '-' && c != '.' && c != '(' && c != ')')
			other = 1;
	}
	if (other || nd == 0) {
		rc = bad(hint, "phone number may contain only digits, a leading +, spaces, dashes, dots and "
			       "parentheses");
		goto out;
	}
	if (plus && (nd < 2 || d[0] != '6' || d[1] != '2')) {
		rc = bad(NULL, "phone number must be Indonesian (+62)");
		goto out;
	}
	if (plus || (nd >= 2 && d[0] == '6' && d[1] == '2')) {
		r = d + 2;
		nr = nd - 2;
	} else if (d[0] == '0') {
		r = d + 1;
		nr = nd - 1;
	} else {
		rc = bad(d[0] == '8' ? "a spreadsheet may have dropped the leading 0; format the column as text" : NULL,
			 "phone number must start with 0, +62 or 62");
		goto out;
	}
	if (nr > 0 && r[0] == '0') {
		rc = bad("write +62 812..., without the 0", "phone number has a 0 after the country code");
		goto out;
	}
	if (nr > 0 && r[0] == '1') {
		rc = bad(NULL, "phone number has no area code or mobile prefix (it may not start with 1)");
		goto out;
	}
	if (nr < 9 || nr > 13) {
		rc = bad(NULL, "phone number must have 9 to 13 digits after +62 (10 to 14 after the leading 0)");
		goto out;
	}
	memcpy(phone_p->e164, "+62", 3);
	memcpy(phone_p->e164 + 3, r, nr);
	phone_p->e164[3 + nr] = '\0';
	phone_p->mobile = r[0] == '8';
out:
	bk_wipe(d, sizeof(d));
	return rc;
}

/* ---- numbers, scores, enums ---- */

/* parse_int reads [+-]digits; returns 0 when s is not such a number, sets
 * *overflow_p when it does not fit in int64_t. */
static int parse_int(const char *s, size_t n, int64_t *value_p, int *overflow_p)
{
	uint64_t mag = 0, limit = (uint64_t)INT64_MAX;
	size_t i = 0;
	int neg = 0;

	*value_p = 0;
	*overflow_p = 0;
	if (i < n && (s[i] == '+' || s[i] == '-')) {
		neg = s[i] == '-';
		i++;
	}
	if (neg)
		limit++; /* |INT64_MIN| */
	if (i == n)
		return 0;
	for (; i < n; i++) {
		if (!is_digit(s[i]))
			return 0;
		if (mag > (limit - (uint64_t)(s[i] - '0')) / 10)
			*overflow_p = 1;
		else
			mag = mag * 10 + (uint64_t)(s[i] - '0');
	}
	if (*overflow_p)
		return 1;
	if (neg)
		*value_p = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
	else
		*value_p = (int64_t)mag;
	return 1;
}

static const char *number_hint(const char *s, size_t n)
{
	if (memchr(s, '.', n) || memchr(s, ',', n))
		return "write a whole number without decimals or thousands separators";
	return NULL;
}

bk_status bk_validate_int(const char *cell, size_t len, int64_t min, int64_t max, int64_t *value_p)
{
	const char *s;
	size_t n;
	int64_t v;
	int overflow;

	*value_p = 0;
	if (min > max)
		return bk_fail(BK_ERR_USAGE, "integer range %" PRId64 "..%" PRId64 " is empty", min, max);
	s = trim(cell, len, &n);
	if (n == 0)
		return bad(NULL, "number is empty");
	if (n > BK_VALIDATE_CELL_MAX)
		return bad(NULL, "number is too long (more than %d bytes)", BK_VALIDATE_CELL_MAX);
	if (!parse_int(s, n, &v, &overflow))
		return bad(number_hint(s, n), "value must be a whole number");
	if (overflow || v < min || v > max)
		return bad(NULL, "number must be between %" PRId64 " and %" PRId64, min, max);
	*value_p = v;
	return BK_OK;
}

bk_status bk_validate_score(const char *cell, size_t len, int *score_p)
{
	const char *s;
	size_t n;
	int64_t v;
	int overflow;

	*score_p = 0;
	s = trim(cell, len, &n);
	if (n == 0)
		return bad(NULL, "score is empty");
	if (n > BK_VALIDATE_CELL_MAX || !parse_int(s, n, &v, &overflow) || overflow || v < 1 || v > 4)
		return bad(n <= BK_VALIDATE_CELL_MAX ? number_hint(s, n) : NULL,
			   "score must be a whole number from 1 to 4");
	*score_p = (int)v;
	return BK_OK;
}

bk_status bk_validate_enum(const char *cell, size_t len, const char *const *allowed, size_t nallowed,
			   const char **canonical_p)
{
	const char *s, *best = NULL;
	size_t n, best_d = SIZE_MAX;
	char list[400];
	size_t used = 0;
	bk_status rc;

	*canonical_p = NULL;
	if (!allowed || nallowed == 0)
		return bk_fail(BK_ERR_USAGE, "no allowed values for the enum");
	for (size_t i = 0; i < nallowed; i++)
		if (!allowed[i])
			return bk_fail(BK_ERR_USAGE, "allowed value %zu of the enum is NULL", i + 1);
	s = trim(cell, len, &n);
	if (n == 0)
		return bad(NULL, "value is empty");
	if (n > ENUM_CELL_MAX)
		return bad(NULL, "value is too long (more than %d bytes)", ENUM_CELL_MAX);
	for (size_t i = 0; i < nallowed; i++) {
		/* allowed[i] has no NUL before its end, so a NUL in the cell never matches */
		if (strlen(allowed[i]) == n && casecmp_n(allowed[i], s, n) == 0) {
			*canonical_p = allowed[i];
			return BK_OK;
		}
	}
	for (size_t i = 0; i < nallowed; i++) {
		size_t d = bk_edit_distance(allowed[i], strlen(allowed[i]), s, n);

		if (d < best_d) {
			best_d = d;
			best = allowed[i];
		}
	}
	rc = bad(NULL, "value is not one of the %zu allowed values", nallowed);
	if (best && best_d <= n / 3 + 1) {
		bk_hint("did you mean '%s'?", best);
		return rc;
	}
	/* whole values only; ", …" (6 bytes with the NUL) always fits after them */
	list[0] = '\0';
	for (size_t i = 0; i < nallowed; i++) {
		size_t sep = i ? 2 : 0, l = strlen(allowed[i]);

		if (used + sep + l > sizeof(list) - 6) {
			memcpy(list + used, ", \xe2\x80\xa6", 6);
			break;
		}
		memcpy(list + used, ", ", sep);
		memcpy(list + used + sep, allowed[i], l);
		used += sep + l;
		list[used] = '\0';
	}
	bk_hint("allowed values: %s", list);
	return rc;
}

/* ---- regions ---- */

static const char *level_name(enum bk_region_level level)
{
	switch (level) {
	case BK_REGION_KABUPATEN: return "kabupaten";
	case BK_REGION_KECAMATAN: return "kecamatan";
	case BK_REGION_DESA: return "desa";
	}
	return "region";
}

bk_status bk_validate_region(const struct bk_regions *regions, enum bk_region_level level, const char *cell,
			     size_t len, const struct bk_region **region_p)
{
	char name[sizeof(((struct bk_region *)0)->nama)];
	const char *s, *lv = level_name(level), *example = NULL;
	size_t n, pos = 0, same_name = 0;
	enum scan_result r;
	bk_status rc = BK_OK;

	*region_p = NULL;
	if (!regions || (level != BK_REGION_KABUPATEN && level != BK_REGION_KECAMATAN && level != BK_REGION_DESA))
		return bk_fail(BK_ERR_USAGE, "no regions or no such region level");
	s = trim(cell, len, &n);
	if (n == 0)
		return bad(NULL, "%s is empty", lv);
	if (n >= sizeof(name))
		return bad(NULL, "%s name or code is too long (more than %zu bytes)", lv, sizeof(name) - 1);
	r = scan(s, n, 0, &pos);
	if (r != SCAN_OK)
		return scan_fail(lv, r, (size_t)(s - cell) + pos);
	memcpy(name, s, n);
	name[n] = '\0';
	*region_p = bk_regions_find(regions, level, name);
	if (*region_p)
		goto out;
	for (size_t i = 0; i < regions->count; i++) {
		const struct bk_region *it = &regions->items[i];

		if (it->level != level)
			continue;
		if (!example)
			example = it->kode;
		if (strlen(it->nama) == n && casecmp_n(it->nama, name, n) == 0)
			same_name++;
	}
	if (same_name > 1) {
		rc = bad(NULL, "%s name is shared by %zu %s", lv, same_name, lv);
		bk_hint("use the %s code (like %s) to say which", lv, example ? example : "35.05.01.2001");
		goto out;
	}
	if (is_digit(name[0])) {
		for (size_t i = 0; i < regions->count; i++)
			if (strcmp(regions->items[i].kode, name) == 0) {
				rc = bad(NULL, "the code is a %s code, not a %s code",
					 level_name(regions->items[i].level), lv);
				goto out;
			}
		rc = bad(NULL, "no %s has this code", lv);
		goto out;
	}
	rc = bad(NULL, "unknown %s name", lv);
	{
		const char *suggestion = bk_regions_suggest(regions, level, name);

		if (suggestion)
			bk_hint("did you mean '%s'?", suggestion);
	}
out:
	bk_wipe(name, sizeof(name));
	return rc;
}
