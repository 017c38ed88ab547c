/* extract.h - what leaves the vault for an evaluator: an anonymized table
 * (microdata) or an aggregate table, written as
 *
 *   DIR/data.csv.age          the CSV, age v1 to the evaluator's X25519 key
 *   DIR/manifest.json         request, approvers, model, levels, figures, hashes
 *   DIR/manifest.json.minisig minisign signature by the vault's release key
 *
 * and the evaluator's side: checking and opening such a directory without a
 * vault (`brankas extract open`). */
#ifndef BK_EXTRACT_H
#define BK_EXTRACT_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "crypto/identity.h"
#include "vault/release/request.h"

#define BK_EXTRACT_COLUMNS_MAX 40
/* Prosecutor risk above which a released row counts as at risk: classes of
 * fewer than 10 rows. */
#define BK_EXTRACT_RISK_THRESHOLD 0.1

struct bk_extract_column {
	char name[33];
	char cls[12];       /* quasi, sensitive, public, pseudonym, measure */
	size_t level;       /* quasi: the generalization level chosen */
	size_t nlevels;     /* quasi: levels in its hierarchy, "*" included */
	char hierarchy[256]; /* quasi: the hierarchy as the schema writes it */
	char level_name[48]; /* quasi: "as stored", "kecamatan", "bands of 10", "groups", "*" */
};

/* What a dry run shows and the manifest records. */
struct bk_extract_summary {
	enum bk_request_kind kind;
	int found;                  /* 0: no generalization satisfies the model */
	struct bk_extract_column cols[BK_EXTRACT_COLUMNS_MAX];
	size_t ncols;
	size_t rows_total;          /* rows in the dataset (and period) */
	size_t rows_released, rows_suppressed;
	/* microdata */
	size_t classes, smallest_class;
	double risk_max, risk_avg;  /* prosecutor risk of released rows */
	double share_at_risk;       /* released rows in classes of risk above BK_EXTRACT_RISK_THRESHOLD */
	double loss;                /* information loss of the chosen node (see anon.h) */
	size_t nodes_total, nodes_checked;
	/* table */
	size_t cells, cells_primary, cells_complementary;
	char epsilon[16];
};

/* What `extract open` takes from a manifest.json. */
struct bk_extract_manifest {
	char recipient[BK_AGE_RECIPIENT_MAX]; /* the evaluator's age recipient ("age1...") */
	char data_age_sha256[65];             /* of data.csv.age, lowercase hex */
	char data_sha256[65];                 /* of data.csv, the decrypted data */
};

/* bk_extract_manifest_parse reads a manifest (text[0..len), whose signature
 * the caller has checked): a JSON object of format "brankas-extract",
 * version 1, naming the evaluator's recipient and the SHA-256 of data.csv.age
 * and data.csv. dir names the extract in messages. Pure: no files, no keys.
 * Returns BK_OK, or BK_ERR_CORRUPT saying what is missing. */
bk_status bk_extract_manifest_parse(const char *text, size_t len, const char *dir,
				    struct bk_extract_manifest *m) BK_MUST_CHECK;

/* bk_extract_open checks DIR/manifest.json.minisig against the pinned vault
 * public key (minisign text in pub_text), checks that the manifest names this
 * identity (x_pk) and data.csv.age's hash, decrypts data.csv.age with x_sk and
 * writes the CSV to out_path (created 0600, atomically). manifest_p receives
 * the manifest text (malloc'd) for display. Errors: BK_ERR_CORRUPT for a bad
 * signature, hash or ciphertext (tampered); BK_ERR_DENIED when the extract
 * was made for another evaluator. */
bk_status bk_extract_open(const char *dir, const char *pub_text, size_t pub_len, const uint8_t x_sk[32],
			  const char *out_path, char **manifest_p) BK_MUST_CHECK;

#endif
