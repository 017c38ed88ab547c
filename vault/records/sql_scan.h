/* sql_scan.h - SQLite's tokens, as its tokenizer reads them, for the checks
 * that look at a user's SQL before SQLite does: which names it spells (in
 * every quoting SQLite accepts), whether it holds literals, and its audit form
 * with literals masked. Pure text: no database, no allocation.
 *
 * WARNING: this is a second reading of the SQL beside SQLite's own; the
 * authorizer and, above all, the keys a user holds are the real guards. The
 * scanner errs towards the stricter reading: an unterminated literal or quote
 * is its own token kind, so callers can refuse it. */
#ifndef BK_SQL_SCAN_H
#define BK_SQL_SCAN_H

#include <stddef.h>

enum bk_sql_token {
	BK_SQL_SPACE,     /* white space or a comment */
	BK_SQL_WORD,      /* a bare identifier or keyword: ds_warga, SELECT */
	BK_SQL_QUOTED,    /* "name", `name` or [name] */
	BK_SQL_STRING,    /* 'text' (SQLite also reads it as a name where one is expected) */
	BK_SQL_BLOB,      /* x'0A1B' */
	BK_SQL_NUMBER,    /* 12, 1.5e3, 0x1F */
	BK_SQL_VARIABLE,  /* ?, ?1, :name, @name, $name */
	BK_SQL_PUNCT,     /* one operator or punctuation character */
	BK_SQL_UNCLOSED,  /* a string, quote or blob without its closing quote */
};

/* bk_sql_token reads the token at sql[0..len) (len > 0): stores its kind in
 * *kind_p and returns its length in bytes (at least 1). */
size_t bk_sql_token(const char *sql, size_t len, enum bk_sql_token *kind_p);

/* bk_sql_token_is compares a WORD, QUOTED or STRING token (its quotes
 * removed, doubled quotes read as one) with name, ignoring ASCII case as
 * SQLite does for names. prefix set: whether the token starts with name. */
int bk_sql_token_is(const char *tok, size_t n, enum bk_sql_token kind, const char *name, int prefix);

/* bk_sql_has_literal tells whether sql holds a value that may be personal: a
 * string or blob literal, or a number of five digits or more (a NIK, a phone
 * number). Small numbers (LIMIT 10, u10 >= 3) are not counted. */
int bk_sql_has_literal(const char *sql);

#endif
