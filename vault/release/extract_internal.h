/* extract_internal.h - how requests.c drives extract.c. Nothing outside
 * vault/ includes this. */
#ifndef BK_EXTRACT_INTERNAL_H
#define BK_EXTRACT_INTERNAL_H

#include "crypto/keyring.h"
#include "vault/schema/dataset.h"
#include "vault/release/extract.h"
#include "vault/core/vault.h"

/* The files of an extract directory, NULL-terminated. */
extern const char *const bk_extract_files[];

/* Where and for whom an approved extract is written. */
struct bk_extract_target {
	const char *dir;
	long long number;
	const char *request_text; /* the signed request file as stored */
	size_t request_len;
	const struct bk_keyring_user *evaluator;
	char approvers[2][BK_NAME_MAX + 1];
	size_t napprovers;
};

/* Hashes (SHA-256, hex) that the audit entry records. */
struct bk_extract_files {
	char request_sha256[65];
	char manifest_sha256[65];
	char data_sha256[65]; /* of data.csv.age as written */
};

/* bk_request_check_dataset: whether the dataset can answer the request
 * (columns exist and may leave, l-diversity columns are sensitive, …). */
bk_status bk_request_check_dataset(const struct bk_request *r, const struct bk_dataset *ds) BK_MUST_CHECK;

/* bk_extract_make reads the dataset, anonymizes (or tabulates) as the request
 * asks and fills sum. With t NULL it is a dry run. With t it also re-checks
 * the released rows independently and writes the extract's files under staged
 * names in t->dir; bk_extract_publish then puts them in place (those still
 * staged: a file already in place stays), or bk_extract_discard removes them. BK_ERR_STATE when no generalization satisfies the
 * model. */
bk_status bk_extract_make(struct bk_vault *v, const struct bk_dataset *ds, const struct bk_request *r,
			  const struct bk_extract_target *t, struct bk_extract_summary *sum,
			  struct bk_extract_files *files) BK_MUST_CHECK;
bk_status bk_extract_publish(const char *dir) BK_MUST_CHECK;
void bk_extract_discard(const char *dir);

/* bk_extract_staged checks an extract that an approval staged in dir and
 * committed, but did not publish (killed, or a rename that failed, between its
 * commit and bk_extract_publish), before bk_extract_publish puts it in place:
 * every file must be there, staged or already in place, and the manifest must
 * hash (SHA-256, hex) to manifest_sha256, the one pinned with the approved
 * request; else BK_ERR_CORRUPT. BK_ERR_NOTFOUND, with no detail, when dir holds
 * no staged file (nothing was interrupted there). */
bk_status bk_extract_staged(const char *dir, const char *manifest_sha256) BK_MUST_CHECK;

#endif
