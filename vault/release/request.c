/* request.c - the signed request file: making, parsing and checking it. */
#include "vault/release/request.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/encoding.h"
#include "crypto/secmem.h"
#include "crypto/sign.h"
#include "vault/release/dp.h"
#include "vault/schema/validate.h"

#define FORMAT "brankas-request"
#define SIG_CONTEXT "brankas-request-v1\n"

int bk_request_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 32 || s[0] < 'a' || s[0] > 'z')
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

void bk_request_suppression_text(unsigned permille, char out[8])
{
	if (permille % 10)
		snprintf(out, 8, "%u.%u", permille / 10 % 1000, permille % 10);
	else
		snprintf(out, 8, "%u", permille / 10 % 1000);
}

bk_status bk_request_parse_suppression(const char *text, unsigned *permille_p)
{
	unsigned whole = 0, tenth = 0;
	size_t i = 0, digits = 0;

	*permille_p = 0;
	for (; text[i] >= '0' && text[i] <= '9' && digits < 3; i++, digits++)
		whole = whole * 10 + (unsigned)(text[i] - '0');
	if (digits == 0)
		goto bad;
	if (text[i] == '.') {
		if (text[i + 1] < '0' || text[i + 1] > '9')
			goto bad;
		tenth = (unsigned)(text[i + 1] - '0');
		i += 2;
	}
	if (text[i] != '\0' || whole * 10 + tenth > 500)
		goto bad;
	*permille_p = whole * 10 + tenth;
	return BK_OK;
bad:
	bk_hint("the suppression limit is a percentage of rows from 0 to 50, such as 5 or 2.5");
	return bk_fail(BK_ERR_USAGE, "bad suppression limit '%.16s'", text);
}

static int iso_date_ok(const char *s, size_t len)
{
	struct bk_date d;

	/* the validator accepts many forms; a request must use the ISO one */
	return len == 10 && s[4] == '-' && s[7] == '-' && bk_validate_date(s, len, &d) == BK_OK;
}

bk_status bk_request_parse_period(const char *text, char from[11], char to[11])
{
	const char *dots = strstr(text, "..");

	from[0] = to[0] = '\0';
	if (!dots || !iso_date_ok(text, (size_t)(dots - text)) || !iso_date_ok(dots + 2, strlen(dots + 2))) {
		bk_hint("write the period as FROM..TO, such as 2025-01-01..2025-12-31");
		return bk_fail(BK_ERR_USAGE, "bad period '%.40s'", text);
	}
	memcpy(from, text, 10);
	from[10] = '\0';
	memcpy(to, dots + 2, 10);
	to[10] = '\0';
	if (strcmp(from, to) > 0)
		return bk_fail(BK_ERR_USAGE, "the period ends before it starts");
	return BK_OK;
}

/* Free text a custodian reads: one line, no controls. */
static int text_ok(const char *s, size_t len, size_t max)
{
	return len > 0 && len <= max && bk_validate_utf8(s, len, max, 0) == BK_OK;
}

static int epsilon_syntax_ok(const char *s)
{
	size_t n = strlen(s), dots = 0;

	if (n == 0 || n > 8)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.')
			dots++;
		else if (s[i] < '0' || s[i] > '9')
			return 0;
	}
	return dots <= 1 && s[0] != '.' && s[n - 1] != '.';
}

static int measure_ok(const char *m)
{
	size_t n = strlen(m);
	char col[40];

	if (strcmp(m, "count") == 0 || strcmp(m, "ikm") == 0 || strcmp(m, "ikm10") == 0)
		return 1;
	if (n < 7 || n > 5 + 32 + 1 || strncmp(m, "mean(", 5) != 0 || m[n - 1] != ')')
		return 0;
	memcpy(col, m + 5, n - 6);
	col[n - 6] = '\0';
	return bk_request_name_ok(col);
}

/* The field checks shared by signing and parsing; name is the file for messages. */
static bk_status check_fields(const struct bk_request *r, const char *name)
{
	size_t hexlen = strlen(r->id);
	uint8_t x_pk[32];

	if (bk_bech32_decode(x_pk, 32, "age", r->evaluator, strlen(r->evaluator)) != BK_OK ||
	    !bk_request_signer_matches(r, x_pk))
		return bk_fail(BK_ERR_FORMAT, "%s: field 'evaluator' is not the signer's age id", name);
	if (hexlen != 32 || strspn(r->id, "0123456789abcdef") != 32)
		return bk_fail(BK_ERR_FORMAT, "%s: field 'id' is not 32 hex digits", name);
	if (!bk_request_name_ok(r->dataset))
		return bk_fail(BK_ERR_FORMAT, "%s: field 'dataset' is not a dataset name", name);
	if (!text_ok(r->purpose, strlen(r->purpose), BK_REQUEST_PURPOSE_MAX))
		return bk_fail(BK_ERR_FORMAT, "%s: field 'purpose' must be one line of 1 to %d bytes", name,
			       BK_REQUEST_PURPOSE_MAX);
	if (r->legal_basis[0] && !text_ok(r->legal_basis, strlen(r->legal_basis), BK_REQUEST_PURPOSE_MAX))
		return bk_fail(BK_ERR_FORMAT, "%s: field 'legal_basis' must be one line", name);
	if (r->period_from[0] && (!iso_date_ok(r->period_from, strlen(r->period_from)) ||
				  !iso_date_ok(r->period_to, strlen(r->period_to)) ||
				  strcmp(r->period_from, r->period_to) > 0))
		return bk_fail(BK_ERR_FORMAT, "%s: field 'period' is not FROM..TO", name);
	if (r->kind == BK_REQUEST_MICRODATA) {
		if (r->ncolumns == 0)
			return bk_fail(BK_ERR_FORMAT, "%s: no columns requested", name);
		if (r->k < 2 || r->k > 1000)
			return bk_fail(BK_ERR_FORMAT, "%s: k must be from 2 to 1000", name);
		if ((r->ldiv == BK_REQUEST_LDIV_NONE) != (r->nsensitive == 0) ||
		    (r->ldiv != BK_REQUEST_LDIV_NONE && (r->l < 2 || r->l > 100)))
			return bk_fail(BK_ERR_FORMAT, "%s: l-diversity needs l from 2 to 100 and sensitive columns",
				       name);
		if (r->suppression_permille > 500)
			return bk_fail(BK_ERR_FORMAT, "%s: suppression above 50%%", name);
	} else {
		if (r->nby == 0 || !measure_ok(r->measure) || r->min_cell < 1 || r->min_cell > 1000)
			return bk_fail(BK_ERR_FORMAT, "%s: a table needs --by columns, a measure and a minimum cell",
				       name);
		uint64_t num, den;

		if (r->epsilon[0] && (!epsilon_syntax_ok(r->epsilon) || bk_dp_epsilon_parse(r->epsilon, &num, &den) != BK_OK))
			return bk_fail(BK_ERR_FORMAT, "%s: field 'epsilon' must be a decimal above 0 and at most %d",
				       name, BK_DP_EPSILON_MAX);
	}
	for (size_t i = 0; i < r->ncolumns; i++)
		if (!bk_request_name_ok(r->columns[i]))
			return bk_fail(BK_ERR_FORMAT, "%s: column %zu is not a column name", name, i + 1);
	for (size_t i = 0; i < r->nsensitive; i++)
		if (!bk_request_name_ok(r->sensitive[i]))
			return bk_fail(BK_ERR_FORMAT, "%s: sensitive column %zu is not a column name", name, i + 1);
	for (size_t i = 0; i < r->nby; i++)
		if (!bk_request_name_ok(r->by[i]))
			return bk_fail(BK_ERR_FORMAT, "%s: --by column %zu is not a column name", name, i + 1);
	for (size_t i = 0; i < r->ncolumns; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(r->columns[i], r->columns[j]) == 0)
				return bk_fail(BK_ERR_FORMAT, "%s: column '%s' requested twice", name, r->columns[i]);
	return BK_OK;
}

static json_t *name_array(const char (*names)[33], size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++)
		if (json_array_append_new(a, json_string(names[i])) != 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static json_t *model_json(const struct bk_request *r)
{
	char supp[8];

	if (r->kind == BK_REQUEST_TABLE) {
		json_t *m = json_pack("{s:s, s:o, s:s, s:i}", "kind", "table", "by", name_array(r->by, r->nby),
				      "measure", r->measure, "min_cell", (json_int_t)r->min_cell);

		if (m && r->epsilon[0] && json_object_set_new(m, "epsilon", json_string(r->epsilon)) != 0) {
			json_decref(m);
			return NULL;
		}
		return m;
	}
	bk_request_suppression_text(r->suppression_permille, supp);
	json_t *m = json_pack("{s:s, s:i, s:s}", "kind", "microdata", "k", (json_int_t)r->k, "suppression", supp);
	if (m && r->ldiv != BK_REQUEST_LDIV_NONE &&
	    (json_object_set_new(m, "l", json_integer(r->l)) != 0 ||
	     json_object_set_new(m, "ldiv", json_string(r->ldiv == BK_REQUEST_LDIV_ENTROPY ? "entropy" : "distinct")) !=
		     0 ||
	     json_object_set_new(m, "sensitive", name_array(r->sensitive, r->nsensitive)) != 0)) {
		json_decref(m);
		return NULL;
	}
	return m;
}

bk_status bk_request_sign(struct bk_request *r, const uint8_t ed_sk[64], char **text_p)
{
	uint8_t rid[16], sig[BK_SIGN_BYTES], *msg = NULL;
	char signer64[BK_B64_LEN(32)], sig64[BK_B64_LEN(BK_SIGN_BYTES)], period[32];
	char *body = NULL, *text = NULL;
	json_t *root = NULL;
	time_t now = time(NULL);
	struct tm tm;
	size_t blen, mlen, cap;
	bk_status rc;

	*text_p = NULL;
	bk_random(rid, sizeof(rid));
	bk_hex_encode(r->id, rid, sizeof(rid));
	gmtime_r(&now, &tm);
	strftime(r->created, sizeof(r->created), "%Y-%m-%dT%H:%M:%SZ", &tm);
	bk_sign_public_from_secret(r->signer, ed_sk);
	if ((rc = check_fields(r, "the request")))
		goto out;
	bk_b64_encode(signer64, r->signer, 32);
	root = json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:o}", "format", FORMAT, "version", 1, "id",
			 r->id, "created", r->created, "evaluator", r->evaluator, "signer", signer64, "dataset",
			 r->dataset, "columns", name_array(r->columns, r->ncolumns), "purpose", r->purpose, "model",
			 model_json(r));
	if (root && r->legal_basis[0] && json_object_set_new(root, "legal_basis", json_string(r->legal_basis)) != 0)
		json_decref(root), root = NULL;
	if (root && r->period_from[0]) {
		snprintf(period, sizeof(period), "%s..%s", r->period_from, r->period_to);
		if (json_object_set_new(root, "period", json_string(period)) != 0)
			json_decref(root), root = NULL;
	}
	/* compact: one line; sorted keys: the same request always reads the same */
	if (!root || !(body = json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS))) {
		rc = bk_fail(BK_ERR_NOMEM, "out of memory");
		goto out;
	}
	blen = strlen(body);
	mlen = sizeof(SIG_CONTEXT) - 1 + blen;
	if (!(msg = malloc(mlen))) {
		rc = bk_fail(BK_ERR_NOMEM, "out of memory");
		goto out;
	}
	memcpy(msg, SIG_CONTEXT, sizeof(SIG_CONTEXT) - 1);
	memcpy(msg + sizeof(SIG_CONTEXT) - 1, body, blen);
	if ((rc = bk_sign_detached(sig, msg, mlen, ed_sk)))
		goto out;
	bk_b64_encode(sig64, sig, sizeof(sig));
	cap = blen + sizeof(sig64) + 32;
	if (!(text = malloc(cap))) {
		rc = bk_fail(BK_ERR_NOMEM, "out of memory");
		goto out;
	}
	snprintf(text, cap, "%s\n{\"signature\":\"%s\"}\n", body, sig64);
	if (strlen(text) > BK_REQUEST_MAX) {
		rc = bk_fail(BK_ERR_USAGE, "the request is larger than %d bytes", BK_REQUEST_MAX);
		goto out;
	}
	*text_p = text;
	text = NULL;
out:
	free(text);
	free(msg);
	free(body);
	json_decref(root);
	return rc;
}

/* Field readers: a missing or mistyped field is a format error naming it. */
static bk_status get_string(json_t *obj, const char *name, const char *key, char *out, size_t cap, int optional)
{
	json_t *v = json_object_get(obj, key);

	out[0] = '\0';
	if (!v && optional)
		return BK_OK;
	if (!json_is_string(v) || json_string_length(v) >= cap || strlen(json_string_value(v)) != json_string_length(v))
		return bk_fail(BK_ERR_FORMAT, "%s: field '%s' is missing or not a string of at most %zu bytes", name, key,
			       cap - 1);
	memcpy(out, json_string_value(v), json_string_length(v) + 1);
	return BK_OK;
}

static bk_status get_uint(json_t *obj, const char *name, const char *key, unsigned *out, int optional)
{
	json_t *v = json_object_get(obj, key);

	*out = 0;
	if (!v && optional)
		return BK_OK;
	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 1000000)
		return bk_fail(BK_ERR_FORMAT, "%s: field '%s' is missing or not a small whole number", name, key);
	*out = (unsigned)json_integer_value(v);
	return BK_OK;
}

static bk_status get_names(json_t *obj, const char *name, const char *key, char (*out)[33], size_t cap, size_t *n_p,
			   int optional)
{
	json_t *a = json_object_get(obj, key), *v;
	size_t i;

	*n_p = 0;
	if (!a && optional)
		return BK_OK;
	if (!json_is_array(a) || json_array_size(a) > cap)
		return bk_fail(BK_ERR_FORMAT, "%s: field '%s' is missing or not a list of at most %zu names", name, key,
			       cap);
	json_array_foreach(a, i, v)
	{
		if (!json_is_string(v) || json_string_length(v) > 32)
			return bk_fail(BK_ERR_FORMAT, "%s: field '%s' holds something other than a name", name, key);
		memcpy(out[i], json_string_value(v), json_string_length(v) + 1);
	}
	*n_p = json_array_size(a);
	return BK_OK;
}

static bk_status only_keys(json_t *obj, const char *name, const char *const *keys)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v)
	{
		size_t i = 0;

		(void)v;
		while (keys[i] && strcmp(keys[i], key) != 0)
			i++;
		if (!keys[i])
			return bk_fail(BK_ERR_FORMAT, "%s: unknown field '%.32s'", name, key);
	}
	return BK_OK;
}

static bk_status parse_model(struct bk_request *r, json_t *m, const char *name)
{
	static const char *const micro_keys[] = {"kind", "k", "l", "ldiv", "sensitive", "suppression", NULL};
	static const char *const table_keys[] = {"kind", "by", "measure", "min_cell", "epsilon", NULL};
	char kind[16], ldiv[16], supp[8];
	bk_status rc;

	if (!json_is_object(m))
		return bk_fail(BK_ERR_FORMAT, "%s: field 'model' is missing", name);
	if ((rc = get_string(m, name, "kind", kind, sizeof(kind), 0)))
		return rc;
	if (strcmp(kind, "microdata") == 0) {
		r->kind = BK_REQUEST_MICRODATA;
		if ((rc = only_keys(m, name, micro_keys)) || (rc = get_uint(m, name, "k", &r->k, 0)) ||
		    (rc = get_uint(m, name, "l", &r->l, 1)) || (rc = get_string(m, name, "ldiv", ldiv, sizeof(ldiv), 1)) ||
		    (rc = get_names(m, name, "sensitive", r->sensitive, BK_REQUEST_SENSITIVE_MAX, &r->nsensitive, 1)) ||
		    (rc = get_string(m, name, "suppression", supp, sizeof(supp), 0)))
			return rc;
		if (strcmp(ldiv, "") == 0)
			r->ldiv = BK_REQUEST_LDIV_NONE;
		else if (strcmp(ldiv, "distinct") == 0)
			r->ldiv = BK_REQUEST_LDIV_DISTINCT;
		else if (strcmp(ldiv, "entropy") == 0)
			r->ldiv = BK_REQUEST_LDIV_ENTROPY;
		else
			return bk_fail(BK_ERR_FORMAT, "%s: field 'ldiv' must be distinct or entropy", name);
		if (bk_request_parse_suppression(supp, &r->suppression_permille) != BK_OK)
			return bk_fail(BK_ERR_FORMAT, "%s: field 'suppression' is not a percentage", name);
		return BK_OK;
	}
	if (strcmp(kind, "table") == 0) {
		r->kind = BK_REQUEST_TABLE;
		if ((rc = only_keys(m, name, table_keys)) ||
		    (rc = get_names(m, name, "by", r->by, BK_REQUEST_BY_MAX, &r->nby, 0)) ||
		    (rc = get_string(m, name, "measure", r->measure, sizeof(r->measure), 0)) ||
		    (rc = get_uint(m, name, "min_cell", &r->min_cell, 0)) ||
		    (rc = get_string(m, name, "epsilon", r->epsilon, sizeof(r->epsilon), 1)))
			return rc;
		return BK_OK;
	}
	return bk_fail(BK_ERR_FORMAT, "%s: model kind must be microdata or table", name);
}

/* request_fields reads the body's fields into r, refusing unknown keys,
 * another format or version, a bad period and a bad signer key. */
static bk_status request_fields(struct bk_request *r, json_t *body, const char *name)
{
	static const char *const keys[] = {"format",  "version", "id",          "created", "evaluator", "signer",
					   "dataset", "columns", "purpose",     "model",   "legal_basis", "period",
					   NULL};
	char format[24], signer64[64], period[32];
	unsigned version;
	size_t n;
	bk_status rc;

	if ((rc = only_keys(body, name, keys)) || (rc = get_string(body, name, "format", format, sizeof(format), 0)) ||
	    (rc = get_uint(body, name, "version", &version, 0)))
		goto out;
	if (strcmp(format, FORMAT) != 0 || version != 1) {
		rc = bk_fail(BK_ERR_FORMAT, "%s: not a version 1 brankas request", name);
		goto out;
	}
	if ((rc = get_string(body, name, "id", r->id, sizeof(r->id), 0)) ||
	    (rc = get_string(body, name, "created", r->created, sizeof(r->created), 0)) ||
	    (rc = get_string(body, name, "evaluator", r->evaluator, sizeof(r->evaluator), 0)) ||
	    (rc = get_string(body, name, "signer", signer64, sizeof(signer64), 0)) ||
	    (rc = get_string(body, name, "dataset", r->dataset, sizeof(r->dataset), 0)) ||
	    (rc = get_names(body, name, "columns", r->columns, BK_REQUEST_COLUMNS_MAX, &r->ncolumns, 0)) ||
	    (rc = get_string(body, name, "purpose", r->purpose, sizeof(r->purpose), 0)) ||
	    (rc = get_string(body, name, "legal_basis", r->legal_basis, sizeof(r->legal_basis), 1)) ||
	    (rc = get_string(body, name, "period", period, sizeof(period), 1)) ||
	    (rc = parse_model(r, json_object_get(body, "model"), name)))
		goto out;
	if (period[0] && bk_request_parse_period(period, r->period_from, r->period_to) != BK_OK) {
		rc = bk_fail(BK_ERR_FORMAT, "%s: field 'period' is not FROM..TO", name);
		goto out;
	}
	if (bk_b64_decode(r->signer, sizeof(r->signer), &n, signer64, strlen(signer64)) != BK_OK || n != 32) {
		rc = bk_fail(BK_ERR_FORMAT, "%s: field 'signer' is not an Ed25519 public key", name);
		goto out;
	}
out:
	return rc;
}

/* request_verify checks the signature line's signature over SIG_CONTEXT and
 * the body (text[0..blen)) with the signer's key. */
static bk_status request_verify(const struct bk_request *r, json_t *sigdoc, const char *text, size_t blen,
				const char *name)
{
	const json_t *s = json_object_get(sigdoc, "signature");
	char sig64[128];
	uint8_t sig[BK_SIGN_BYTES], *msg = NULL;
	size_t n;
	bk_status rc = BK_OK;

	if (!json_is_string(s) || json_string_length(s) >= sizeof(sig64) ||
	    bk_b64_decode(sig, sizeof(sig), &n, json_string_value(s), json_string_length(s)) != BK_OK ||
	    n != sizeof(sig)) {
		rc = bk_fail(BK_ERR_FORMAT, "%s:2: the signature is malformed", name);
		goto out;
	}
	if (!(msg = malloc(sizeof(SIG_CONTEXT) - 1 + blen))) {
		rc = bk_fail(BK_ERR_NOMEM, "out of memory");
		goto out;
	}
	memcpy(msg, SIG_CONTEXT, sizeof(SIG_CONTEXT) - 1);
	memcpy(msg + sizeof(SIG_CONTEXT) - 1, text, blen);
	if (bk_sign_verify(sig, msg, sizeof(SIG_CONTEXT) - 1 + blen, r->signer) != BK_OK) {
		rc = bk_fail(BK_ERR_CORRUPT, "%s: the request's signature does not verify (altered after signing)", name);
		goto out;
	}
out:
	free(msg);
	return rc;
}

bk_status bk_request_parse(struct bk_request *r, const char *name, const char *text, size_t len)
{
	const char *nl;
	json_t *body = NULL, *sigdoc = NULL;
	json_error_t jerr;
	size_t blen, rest;
	bk_status rc;

	memset(r, 0, sizeof(*r));
	if (len > BK_REQUEST_MAX || memchr(text, '\0', len))
		return bk_fail(BK_ERR_FORMAT, "%s: not a request file", name);
	nl = memchr(text, '\n', len);
	if (!nl)
		return bk_fail(BK_ERR_FORMAT, "%s: not a request file (expected two lines)", name);
	blen = (size_t)(nl - text);
	rest = len - blen - 1;
	/* line 2 and at most one final newline */
	if (rest == 0 || (memchr(nl + 1, '\n', rest) != NULL && memchr(nl + 1, '\n', rest) != nl + rest))
		return bk_fail(BK_ERR_FORMAT, "%s: not a request file (expected two lines)", name);
	if (!(body = json_loadb(text, blen, JSON_REJECT_DUPLICATES, &jerr)) || !json_is_object(body)) {
		rc = bk_fail(BK_ERR_FORMAT, "%s:1:%d: %s", name, jerr.column, body ? "not an object" : jerr.text);
		goto out;
	}
	if (!(sigdoc = json_loadb(nl + 1, rest, JSON_REJECT_DUPLICATES, &jerr)) || !json_is_object(sigdoc) ||
	    json_object_size(sigdoc) != 1) {
		rc = bk_fail(BK_ERR_FORMAT, "%s:2: the signature line is malformed", name);
		goto out;
	}
	if ((rc = request_fields(r, body, name)) || (rc = request_verify(r, sigdoc, text, blen, name)))
		goto out;
	rc = check_fields(r, name);
out:
	json_decref(body);
	json_decref(sigdoc);
	return rc;
}

int bk_request_signer_matches(const struct bk_request *r, const uint8_t x_pk[32])
{
	uint8_t conv[32];
	int ok = bk_sign_pk_to_box_pk(conv, r->signer) == BK_OK && bk_ct_equal(conv, x_pk, 32);

	bk_wipe(conv, sizeof(conv));
	return ok;
}

json_t *bk_request_body_json(const char *text, size_t len)
{
	const char *nl = memchr(text, '\n', len);
	json_t *body = nl ? json_loadb(text, (size_t)(nl - text), JSON_REJECT_DUPLICATES, NULL) : NULL;

	if (body && !json_is_object(body)) {
		json_decref(body);
		body = NULL;
	}
	return body;
}
