/* request.h - an evaluator's signed extract request: the file an evaluator
 * makes with `brankas request new` (no vault needed) and a custodian loads
 * with `request add`.
 *
 * The file is two lines of JSON, so `jq` reads it as two documents:
 *
 *   {"format":"brankas-request","version":1,"id":"<32 hex>","created":"…Z",
 *    "evaluator":"age1…","signer":"<b64 Ed25519 public key>","dataset":"skm",
 *    "columns":["umur",…],"purpose":"…","legal_basis":"…","period":"2025-01-01..2025-12-31",
 *    "model":{"kind":"microdata","k":5,"l":2,"ldiv":"distinct","sensitive":["u1"],"suppression":"5"}}
 *   {"signature":"<b64 Ed25519 signature of 'brankas-request-v1\n' || line 1>"}
 *
 * or, for an aggregate table, "model":{"kind":"table","by":["kecamatan"],
 * "measure":"count"|"mean(COL)"|"ikm","min_cell":5,"epsilon":"0.5"}.
 *
 * The signature covers the exact bytes of line 1, so nothing is re-serialised
 * before checking. The signer key must convert (Ed25519 → X25519) to the
 * evaluator's age id: one identity file makes both. */
#ifndef BK_REQUEST_H
#define BK_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "crypto/identity.h"

#define BK_REQUEST_MAX 65536
#define BK_REQUEST_COLUMNS_MAX 32
#define BK_REQUEST_SENSITIVE_MAX 4
#define BK_REQUEST_BY_MAX 3
#define BK_REQUEST_PURPOSE_MAX 500
#define BK_REQUEST_ID_HEX 33

enum bk_request_kind { BK_REQUEST_MICRODATA, BK_REQUEST_TABLE };
enum bk_request_ldiv { BK_REQUEST_LDIV_NONE, BK_REQUEST_LDIV_DISTINCT, BK_REQUEST_LDIV_ENTROPY };

struct bk_request {
	char id[BK_REQUEST_ID_HEX];          /* random, names the request everywhere */
	char created[24];
	char evaluator[BK_AGE_RECIPIENT_MAX]; /* age1… */
	uint8_t signer[32];                   /* Ed25519 public key */
	char dataset[33];
	char columns[BK_REQUEST_COLUMNS_MAX][33];
	size_t ncolumns;
	char purpose[BK_REQUEST_PURPOSE_MAX + 1];
	char legal_basis[BK_REQUEST_PURPOSE_MAX + 1];
	char period_from[11], period_to[11]; /* "" when no period */
	enum bk_request_kind kind;
	/* microdata */
	unsigned k;
	enum bk_request_ldiv ldiv;
	unsigned l;
	char sensitive[BK_REQUEST_SENSITIVE_MAX][33];
	size_t nsensitive;
	unsigned suppression_permille; /* rows that may be suppressed, in 1/1000 */
	/* table */
	char by[BK_REQUEST_BY_MAX][33];
	size_t nby;
	char measure[48]; /* "count", "mean(COL)", "ikm" */
	unsigned min_cell;
	char epsilon[16]; /* "" when no differential privacy */
};

/* bk_request_new fills id and created and signs r with the evaluator's
 * Ed25519 secret key ed_sk (64 bytes); writes the two-line file (malloc'd,
 * NUL-terminated) to *text_p. The fields are checked as bk_request_parse
 * checks them, so a request that can be made can be read. */
bk_status bk_request_sign(struct bk_request *r, const uint8_t ed_sk[64], char **text_p) BK_MUST_CHECK;

/* bk_request_parse reads and checks a request file (name for messages):
 * shape, field syntax and bounds, and the signature against the signer key
 * in it. Errors: BK_ERR_FORMAT malformed (detail names the file and field),
 * BK_ERR_CORRUPT a signature that does not verify (tampered). Whether the
 * signer is a registered evaluator is the vault's question (requests.c). */
bk_status bk_request_parse(struct bk_request *r, const char *name, const char *text, size_t len) BK_MUST_CHECK;

/* bk_request_signer_matches: whether the signer key converts to the age id
 * (the X25519 public key x_pk). */
int bk_request_signer_matches(const struct bk_request *r, const uint8_t x_pk[32]);

/* bk_request_body_json returns line 1 as a new jansson object (for the
 * manifest); NULL when out of memory or malformed. */
struct json_t;
struct json_t *bk_request_body_json(const char *text, size_t len);

/* bk_request_suppression_text writes "5", "2.5" for a permille value. */
void bk_request_suppression_text(unsigned permille, char out[8]);

/* bk_request_parse_suppression reads "PCT" (0–50, at most one decimal). */
bk_status bk_request_parse_suppression(const char *text, unsigned *permille_p) BK_MUST_CHECK;

/* bk_request_parse_period reads "YYYY-MM-DD..YYYY-MM-DD" (from <= to). */
bk_status bk_request_parse_period(const char *text, char from[11], char to[11]) BK_MUST_CHECK;

/* bk_request_name_ok: a column or dataset name, [a-z][a-z0-9_]{0,31}. */
int bk_request_name_ok(const char *s);

#endif
