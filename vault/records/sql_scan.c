/* sql_scan.c - SQLite's tokens, read the way its tokenizer (tokenize.c) reads
 * them: the checks on a user's SQL must see the same names SQLite will. */
#include "vault/records/sql_scan.h"

#include <string.h>

/* SQLite's IdChar: letters, digits, '_', '$' and every byte >= 0x80. */
static int id_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$' ||
	       c >= 0x80;
}

static int digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int hex_digit(unsigned char c)
{
	return digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* A quoted run from sql[0] to its closing quote; a doubled closing quote is
 * part of the text unless the quote is ']'. 0 when it never closes. */
static size_t quoted_len(const char *sql, size_t len, char close)
{
	for (size_t i = 1; i < len; i++) {
		if (sql[i] != close)
			continue;
		if (close != ']' && i + 1 < len && sql[i + 1] == close) {
			i++;
			continue;
		}
		return i + 1;
	}
	return 0;
}

static size_t number_len(const unsigned char *s, size_t len)
{
	size_t i = 0;

	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && hex_digit(s[2])) {
		for (i = 2; i < len && (hex_digit(s[i]) || s[i] == '_'); i++)
			;
	} else {
		while (i < len && (digit(s[i]) || s[i] == '_'))
			i++;
		if (i < len && s[i] == '.')
			for (i++; i < len && (digit(s[i]) || s[i] == '_'); i++)
				;
		if (i + 1 < len && (s[i] == 'e' || s[i] == 'E') &&
		    (digit(s[i + 1]) || ((s[i + 1] == '+' || s[i + 1] == '-') && i + 2 < len && digit(s[i + 2])))) {
			for (i += 2; i < len && digit(s[i]); i++)
				;
		}
	}
	/* "123abc" is one illegal token to SQLite: keep it whole here too */
	while (i < len && id_char(s[i]))
		i++;
	return i ? i : 1;
}

/* Long on purpose: one flat switch on the first byte, in the order of SQLite's own tokenizer, reads best whole. */
size_t bk_sql_token(const char *sql, size_t len, enum bk_sql_token *kind_p)
{
	const unsigned char *s = (const unsigned char *)sql;
	size_t i = 0;

	switch (s[0]) {
	case ' ':
	case '\t':
	case '\n':
	case '\f':
	case '\r':
		while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\f' || s[i] == '\r'))
			i++;
		*kind_p = BK_SQL_SPACE;
		return i;
	case '-':
		if (len > 1 && s[1] == '-') {
			for (i = 2; i < len && s[i] != '\n'; i++)
				;
			*kind_p = BK_SQL_SPACE;
			return i;
		}
		break;
	case '/':
		if (len > 1 && s[1] == '*') {
			/* an unclosed comment runs to the end, as in SQLite */
			for (i = 2; i < len && !(s[i] == '/' && s[i - 1] == '*' && i > 2); i++)
				;
			*kind_p = BK_SQL_SPACE;
			return i < len ? i + 1 : len;
		}
		break;
	case '\'':
	case '"':
	case '`':
	case '[':
		i = quoted_len(sql, len, s[0] == '[' ? ']' : (char)s[0]);
		if (!i) {
			*kind_p = BK_SQL_UNCLOSED;
			return len;
		}
		*kind_p = s[0] == '\'' ? BK_SQL_STRING : BK_SQL_QUOTED;
		return i;
	case 'x':
	case 'X':
		if (len > 1 && s[1] == '\'') {
			i = quoted_len(sql + 1, len - 1, '\'');
			*kind_p = i ? BK_SQL_BLOB : BK_SQL_UNCLOSED;
			return i ? i + 1 : len;
		}
		break;
	case '.':
		if (len > 1 && digit(s[1])) {
			*kind_p = BK_SQL_NUMBER;
			return number_len(s, len);
		}
		break;
	case '?':
		for (i = 1; i < len && digit(s[i]); i++)
			;
		*kind_p = BK_SQL_VARIABLE;
		return i;
	case '$':
	case '@':
	case ':':
	case '#':
		for (i = 1; i < len && id_char(s[i]); i++)
			;
		if (i > 1) {
			*kind_p = BK_SQL_VARIABLE;
			return i;
		}
		break;
	default:
		break;
	}
	if (digit(s[0])) {
		*kind_p = BK_SQL_NUMBER;
		return number_len(s, len);
	}
	if (id_char(s[0]) && s[0] != '$') {
		while (i < len && id_char(s[i]))
			i++;
		*kind_p = BK_SQL_WORD;
		return i;
	}
	*kind_p = BK_SQL_PUNCT;
	return 1;
}

static unsigned char lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

int bk_sql_token_is(const char *tok, size_t n, enum bk_sql_token kind, const char *name, int prefix)
{
	size_t i = 0, end = n, k = 0;
	char close = 0;

	if (kind == BK_SQL_QUOTED || kind == BK_SQL_STRING) {
		if (n < 2)
			return 0;
		close = tok[0] == '[' ? ']' : tok[0];
		i = 1;
		end = n - 1;
	} else if (kind != BK_SQL_WORD) {
		return 0;
	}
	for (; i < end; i++, k++) {
		if (!name[k])
			return prefix;
		if (lower((unsigned char)tok[i]) != lower((unsigned char)name[k]))
			return 0;
		if (close && close != ']' && tok[i] == close)
			i++; /* a doubled quote inside stands for one */
	}
	return name[k] == '\0';
}

int bk_sql_has_literal(const char *sql)
{
	size_t len = strlen(sql);

	for (size_t i = 0; i < len;) {
		enum bk_sql_token kind;
		size_t n = bk_sql_token(sql + i, len - i, &kind), digits = 0;

		if (kind == BK_SQL_STRING || kind == BK_SQL_BLOB || kind == BK_SQL_UNCLOSED)
			return 1;
		if (kind == BK_SQL_NUMBER) {
			for (size_t j = 0; j < n; j++)
				digits += digit((unsigned char)sql[i + j]);
			if (digits >= 5)
				return 1;
		}
		i += n;
	}
	return 0;
}
