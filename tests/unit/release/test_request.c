/* test_request.c - the evaluator's request file: signing and parsing round
 * trip, every byte of the signed line protected, the signer bound to the
 * evaluator's age id, malformed files refused, and the option parsers. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>

#include "crypto/identity.h"
#include "crypto/sign.h"
#include "tests/unit/unit.h"
#include "vault/release/request.h"

struct keys {
	uint8_t pk[32], sk[64], xpk[32];
	char age[BK_AGE_RECIPIENT_MAX];
};

static void make_keys(struct keys *k)
{
	assert_int_equal(bk_sign_keypair(k->pk, k->sk), BK_OK);
	assert_int_equal(crypto_sign_ed25519_pk_to_curve25519(k->xpk, k->pk), 0);
	assert_int_equal(bk_age_recipient_from_x25519(k->age, k->xpk), BK_OK);
}

static void base_request(struct bk_request *r, const struct keys *k)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->evaluator, sizeof(r->evaluator), "%s", k->age);
	snprintf(r->dataset, sizeof(r->dataset), "warga");
	snprintf(r->columns[0], 33, "desa");
	snprintf(r->columns[1], 33, "disabilitas");
	r->ncolumns = 2;
	snprintf(r->purpose, sizeof(r->purpose), "evaluasi layanan");
	r->kind = BK_REQUEST_MICRODATA;
	r->k = 5;
	r->ldiv = BK_REQUEST_LDIV_ENTROPY;
	r->l = 2;
	snprintf(r->sensitive[0], 33, "disabilitas");
	r->nsensitive = 1;
	r->suppression_permille = 25;
	snprintf(r->period_from, 11, "2025-01-01");
	snprintf(r->period_to, 11, "2025-12-31");
}

static void test_round_trip(void **state)
{
	struct bk_request r, back;
	struct keys k;
	char *text = NULL;

	(void)state;
	make_keys(&k);
	base_request(&r, &k);
	assert_int_equal(bk_request_sign(&r, k.sk, &text), BK_OK);
	assert_int_equal(bk_request_parse(&back, "req", text, strlen(text)), BK_OK);
	assert_string_equal(back.id, r.id);
	assert_string_equal(back.evaluator, k.age);
	assert_memory_equal(back.signer, k.pk, 32);
	assert_int_equal(back.ncolumns, 2);
	assert_string_equal(back.columns[1], "disabilitas");
	assert_int_equal(back.k, 5);
	assert_int_equal(back.ldiv, BK_REQUEST_LDIV_ENTROPY);
	assert_int_equal(back.l, 2);
	assert_int_equal(back.suppression_permille, 25);
	assert_string_equal(back.period_from, "2025-01-01");
	assert_string_equal(back.period_to, "2025-12-31");
	assert_true(bk_request_signer_matches(&back, k.xpk));
	/* the signed line is compact JSON with sorted keys, and says what it is */
	assert_non_null(strstr(text, "{\"columns\":[\"desa\",\"disabilitas\"],\"created\":"));
	assert_non_null(strstr(text, "\"format\":\"brankas-request\""));
	assert_non_null(strstr(text, "\"suppression\":\"2.5\""));
	free(text);
}

/* Flipping any byte of line 1 either breaks the JSON (format) or the signature (corrupt). */
static void test_every_byte_protected(void **state)
{
	struct bk_request r, back;
	struct keys k;
	char *text = NULL;
	size_t body;

	(void)state;
	make_keys(&k);
	base_request(&r, &k);
	assert_int_equal(bk_request_sign(&r, k.sk, &text), BK_OK);
	body = (size_t)(strchr(text, '\n') - text);
	for (size_t i = 0; i < body; i++) {
		bk_status rc;

		text[i] ^= 0x01;
		rc = bk_request_parse(&back, "req", text, strlen(text));
		assert_true(rc == BK_ERR_CORRUPT || rc == BK_ERR_FORMAT);
		text[i] ^= 0x01;
	}
	assert_int_equal(bk_request_parse(&back, "req", text, strlen(text)), BK_OK);
	free(text);
}

static void test_signer_must_be_the_evaluator(void **state)
{
	struct bk_request r;
	struct keys k, other;
	char *text = NULL;

	(void)state;
	make_keys(&k);
	make_keys(&other);
	base_request(&r, &k);
	/* signed by another key than the one whose age id the request names */
	assert_int_equal(bk_request_sign(&r, other.sk, &text), BK_ERR_FORMAT);
	assert_null(text);
	assert_false(bk_request_signer_matches(&r, k.xpk));
}

static void test_malformed(void **state)
{
	static const char *const bad[] = {
		"",
		"{}",
		"{}\n",
		"{}\n{}\n",
		"{\"format\":\"brankas-request\",\"version\":1}\n{\"signature\":\"AAAA\"}\n",
		"{\"format\":\"brankas-request\",\"version\":2}\n{\"signature\":\"AAAA\"}\n",
		"{\"extra\":1,\"format\":\"brankas-request\",\"version\":1}\n{\"signature\":\"AAAA\"}\n",
		"{\"format\":\"brankas-request\",\"format\":\"x\",\"version\":1}\n{\"signature\":\"AAAA\"}\n",
		"[1,2]\n{\"signature\":\"AAAA\"}\n",
		"{}\n{\"signature\":\"AAAA\"}\n\n",
		"{}\n{\"signature\":\"AAAA\",\"x\":1}\n",
	};
	struct bk_request r;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(bk_request_parse(&r, "req", bad[i], strlen(bad[i])), BK_ERR_FORMAT);
	/* a NUL inside */
	assert_int_equal(bk_request_parse(&r, "req", "{}\0\n{}\n", 7), BK_ERR_FORMAT);
}

static void test_bad_fields_are_not_signed(void **state)
{
	struct bk_request r;
	struct keys k;
	char *text = NULL;

	(void)state;
	make_keys(&k);
	base_request(&r, &k);
	r.k = 1;
	assert_int_equal(bk_request_sign(&r, k.sk, &text), BK_ERR_FORMAT);
	base_request(&r, &k);
	snprintf(r.columns[1], 33, "desa");
	assert_int_equal(bk_request_sign(&r, k.sk, &text), BK_ERR_FORMAT);
	base_request(&r, &k);
	snprintf(r.purpose, sizeof(r.purpose), "two\nlines");
	assert_int_equal(bk_request_sign(&r, k.sk, &text), BK_ERR_FORMAT);
	base_request(&r, &k);
	snprintf(r.sensitive[0], 33, "Bad-Name");
	assert_int_equal(bk_request_sign(&r, k.sk, &text), BK_ERR_FORMAT);
	base_request(&r, &k);
	r.kind = BK_REQUEST_TABLE;
	r.nby = 1;
	snprintf(r.by[0], 33, "kecamatan");
	r.min_cell = 5;
	snprintf(r.measure, sizeof(r.measure), "median(umur)");
	assert_int_equal(bk_request_sign(&r, k.sk, &text), BK_ERR_FORMAT);
	snprintf(r.measure, sizeof(r.measure), "mean(umur)");
	snprintf(r.epsilon, sizeof(r.epsilon), "1e-3");
	assert_int_equal(bk_request_sign(&r, k.sk, &text), BK_ERR_FORMAT);
	snprintf(r.epsilon, sizeof(r.epsilon), "0.25");
	assert_int_equal(bk_request_sign(&r, k.sk, &text), BK_OK);
	free(text);
}

static void test_option_parsers(void **state)
{
	static const struct {
		const char *text;
		int ok;
		unsigned permille;
	} supp[] = {
		{"0", 1, 0},   {"5", 1, 50},   {"2.5", 1, 25}, {"50", 1, 500}, {"50.1", 0, 0}, {"", 0, 0},
		{"-1", 0, 0},  {"5.", 0, 0},   {".5", 0, 0},   {"5.25", 0, 0}, {"1000", 0, 0}, {"5%", 0, 0},
	};
	char from[11], to[11], out[8];
	unsigned p;

	(void)state;
	for (size_t i = 0; i < sizeof(supp) / sizeof(supp[0]); i++) {
		bk_status rc = bk_request_parse_suppression(supp[i].text, &p);

		assert_int_equal(rc == BK_OK, supp[i].ok);
		if (supp[i].ok) {
			assert_int_equal(p, supp[i].permille);
			bk_request_suppression_text(p, out);
			assert_string_equal(out, supp[i].text);
		}
	}
	assert_int_equal(bk_request_parse_period("2025-01-01..2025-12-31", from, to), BK_OK);
	assert_string_equal(from, "2025-01-01");
	assert_string_equal(to, "2025-12-31");
	assert_int_equal(bk_request_parse_period("2025-12-31..2025-01-01", from, to), BK_ERR_USAGE);
	assert_int_equal(bk_request_parse_period("2025-02-30..2025-03-01", from, to), BK_ERR_USAGE);
	assert_int_equal(bk_request_parse_period("01/01/2025..2025-03-01", from, to), BK_ERR_USAGE);
	assert_int_equal(bk_request_parse_period("2025-01-01", from, to), BK_ERR_USAGE);
	assert_true(bk_request_name_ok("u10"));
	assert_false(bk_request_name_ok("10u"));
	assert_false(bk_request_name_ok("a_very_long_column_name_of_33_chars"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_every_byte_protected),
		cmocka_unit_test(test_signer_must_be_the_evaluator),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_bad_fields_are_not_signed),
		cmocka_unit_test(test_option_parsers),
	};

	return bk_test_run_group("request", tests, NULL, NULL);
}
