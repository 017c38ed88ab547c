/* test_sql_scan.c - vault/records/sql_scan.h read against what SQLite's tokenizer
 * does, and the audit form of vault/records/query.h: token kinds and lengths on every
 * quoting SQLite accepts, names compared through their quotes, literals found,
 * and golden normalized SQL. */
#include "tests/unit/unit.h"

#include <stdlib.h>

#include "vault/records/query.h"
#include "vault/records/sql_scan.h"

struct expect {
	const char *sql;
	enum bk_sql_token kind;
	size_t len;
};

static void test_tokens(void **state)
{
	static const struct expect cases[] = {
		{"  \t\nSELECT", BK_SQL_SPACE, 4},
		{"-- x\nSELECT", BK_SQL_SPACE, 4},
		{"/* a */x", BK_SQL_SPACE, 7},
		{"/* unclosed", BK_SQL_SPACE, 11},
		{"/*/ x */", BK_SQL_SPACE, 8},
		{"ds_warga x", BK_SQL_WORD, 8},
		{"_a$1 x", BK_SQL_WORD, 4},
		{"\xc3\xa9t\xc3\xa9 x", BK_SQL_WORD, 5}, /* bytes >= 0x80 are name characters */
		{"\"ds\"\"w\" x", BK_SQL_QUOTED, 7},
		{"`ds_warga` x", BK_SQL_QUOTED, 10},
		{"[ds]]x", BK_SQL_QUOTED, 4}, /* no escape inside [...] */
		{"'it''s' x", BK_SQL_STRING, 7},
		{"'open", BK_SQL_UNCLOSED, 5},
		{"\"open", BK_SQL_UNCLOSED, 5},
		{"[open", BK_SQL_UNCLOSED, 5},
		{"x'0a1B' x", BK_SQL_BLOB, 7},
		{"X'0a", BK_SQL_UNCLOSED, 4},
		{"xy", BK_SQL_WORD, 2},
		{"3505100101900001 x", BK_SQL_NUMBER, 16},
		{"1.5e+3 x", BK_SQL_NUMBER, 6},
		{".5 x", BK_SQL_NUMBER, 2},
		{"0x1F x", BK_SQL_NUMBER, 4},
		{"12abc x", BK_SQL_NUMBER, 5},
		{"1_000 x", BK_SQL_NUMBER, 5},
		{"?12 x", BK_SQL_VARIABLE, 3},
		{":nik x", BK_SQL_VARIABLE, 4},
		{"$a x", BK_SQL_VARIABLE, 2},
		{"$ x", BK_SQL_PUNCT, 1},
		{"(x", BK_SQL_PUNCT, 1},
		{". x", BK_SQL_PUNCT, 1},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum bk_sql_token kind;
		size_t n = bk_sql_token(cases[i].sql, strlen(cases[i].sql), &kind);

		if (kind != cases[i].kind || n != cases[i].len)
			fail_msg("'%s': kind %d length %zu, expected %d %zu", cases[i].sql, (int)kind, n,
				 (int)cases[i].kind, cases[i].len);
	}
}

static int is(const char *tok, const char *name, int prefix)
{
	enum bk_sql_token kind;
	size_t n = bk_sql_token(tok, strlen(tok), &kind);

	return bk_sql_token_is(tok, n, kind, name, prefix);
}

static void test_token_is(void **state)
{
	(void)state;
	assert_true(is("ds_warga", "ds_warga", 0));
	assert_true(is("DS_Warga", "ds_warga", 0));
	assert_true(is("'ds_warga'", "ds_warga", 0));
	assert_true(is("\"ds_warga\"", "ds_warga", 0));
	assert_true(is("`ds_warga`", "ds_warga", 0));
	assert_true(is("[DS_WARGA]", "ds_warga", 0));
	assert_true(is("\"a\"\"b\"", "a\"b", 0));
	assert_true(is("'a''b'", "a'b", 0));
	assert_true(is("sqlite_schema", "sqlite_", 1));
	assert_true(is("'SQLITE_master'", "sqlite_", 1));
	assert_false(is("ds_warga2", "ds_warga", 0));
	assert_false(is("ds_warg", "ds_warga", 0));
	assert_false(is("'ds_warga '", "ds_warga", 0));
	assert_false(is("\"a\"\"b\"", "a\"\"b", 0));
	assert_false(is("x'00'", "x", 0));
	assert_false(is("12", "12", 0));
	assert_false(is("sqlite", "sqlite_", 1));
}

static void test_has_literal(void **state)
{
	(void)state;
	assert_true(bk_sql_has_literal("SELECT 1 FROM warga WHERE desa = '35.05.10.2001'"));
	assert_true(bk_sql_has_literal("SELECT x'00'"));
	assert_true(bk_sql_has_literal("SELECT * FROM warga WHERE id = 3505100101900001"));
	assert_true(bk_sql_has_literal("SELECT 12345"));
	assert_true(bk_sql_has_literal("SELECT 1.2345"));
	assert_true(bk_sql_has_literal("SELECT 'unclosed"));
	assert_false(bk_sql_has_literal("SELECT u10, count(*) FROM skm WHERE u10 >= 3 GROUP BY 1 LIMIT 1000"));
	assert_false(bk_sql_has_literal("SELECT \"desa\" FROM warga -- '3505'"));
	assert_false(bk_sql_has_literal("SELECT 1 /* 3505100101900001 */"));
	assert_false(bk_sql_has_literal(""));
}

static void test_normalize(void **state)
{
	static const char *const golden[][2] = {
		{"SELECT reveal(nama) FROM warga WHERE desa = '35.05.10.2001'",
		 "SELECT reveal(nama) FROM warga WHERE desa = ?"},
		{"SELECT u10, count(*) FROM skm WHERE tanggal >= '2024-01-01' LIMIT 10",
		 "SELECT u10, count(*) FROM skm WHERE tanggal >= ? LIMIT ?"},
		{"SELECT x'00', 1.5e3, 'it''s' -- 3505100101900001\nFROM t", "SELECT ?, ?, ?   FROM t"},
		{"SELECT \"3505100101900001\", [desa], `kanal` FROM warga", "SELECT ?, [desa], `kanal` FROM warga"},
		{"SELECT /* Budi */ 1\t\n", "SELECT   ?"},
		/* a dropped comment leaves a space: the slash and star around it do not join into an opener */
		{"SELECT 1//**/*2", "SELECT ?/ *?"},
		{"SELECT 'unclosed 3505100101900001", "SELECT ?"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(golden) / sizeof(golden[0]); i++) {
		char *out = NULL;

		assert_int_equal(bk_query_normalize(golden[i][0], &out), BK_OK);
		assert_string_equal(out, golden[i][1]);
		free(out);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_token_is),
		cmocka_unit_test(test_has_literal),
		cmocka_unit_test(test_normalize),
	};

	return bk_test_run_group("sql_scan", tests, NULL, NULL);
}
