/* ROOM vault/release - what leaves the vault for evaluators: requests,
 * anonymization, tables with suppression, differential privacy, extracts.
 * May call base/, crypto/, vault/core/, vault/schema/ and vault/monev/.
 *
 * requests.h - evaluators' requests inside the vault: add (signature checked
 * against the registered evaluator), list, show (a dry run), deny, approve
 * (an extract leaves), and the ε ledger for differentially private tables.
 *
 * Who: admins and custodians manage requests; approving needs the whole
 * kabupaten (a custodian scoped to some kecamatan may not release a dataset
 * that spans others) and the release key that signs the manifest. A dataset
 * may ask for two different approvers (`approvals = 2` in its schema). */
#ifndef BK_REQUESTS_H
#define BK_REQUESTS_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "vault/release/extract.h"
#include "vault/release/request.h"
#include "vault/core/vault.h"

struct bk_request_info {
	long long number;
	char id[BK_REQUEST_ID_HEX];
	char evaluator[BK_NAME_MAX + 1]; /* the registered user */
	char dataset[33];
	char kind[12];                   /* microdata, table */
	char status[12];                 /* pending, approved, denied */
	char added[24], added_by[BK_NAME_MAX + 1];
	char decided[24];
	char approvers[2 * (BK_NAME_MAX + 1) + 2]; /* "ada" or "ada,citra" */
	char purpose[BK_REQUEST_PURPOSE_MAX + 1];
	char manifest_sha256[65]; /* of an approved request's manifest (hex); else "" */
};

/* bk_vault_request_add checks and stores a request file (name for messages).
 * BK_ERR_CORRUPT when its signature fails; BK_ERR_DENIED when the signer is
 * not an enabled evaluator of this vault; BK_ERR_EXISTS when already added;
 * BK_ERR_DENIED too when it asks for identifier or secret columns, which
 * never leave; BK_ERR_NOTFOUND for an unknown dataset or column; BK_ERR_FORMAT
 * for what the dataset cannot give otherwise. Audited either way. */
bk_status bk_vault_request_add(struct bk_vault *v, const char *name, const char *text, size_t len,
			       long long *number_p) BK_MUST_CHECK;

/* bk_vault_request_list lists every request, oldest first (malloc'd). */
bk_status bk_vault_request_list(struct bk_vault *v, struct bk_request_info **list_p, size_t *n_p) BK_MUST_CHECK;

/* bk_vault_request_show runs the anonymization without releasing anything and
 * fills info and sum. Audited. */
bk_status bk_vault_request_show(struct bk_vault *v, long long number, struct bk_request_info *info,
				struct bk_request *req, struct bk_extract_summary *sum) BK_MUST_CHECK;

/* bk_vault_request_deny closes a pending request with a reason (kept in the
 * vault; the audit entry holds its keyed hash). */
bk_status bk_vault_request_deny(struct bk_vault *v, long long number, const char *reason) BK_MUST_CHECK;

/* bk_vault_request_approve records the user's approval; when the dataset's
 * approvals are complete it builds the extract into dir (which must not exist
 * or be empty) and marks the request approved. *released_p says whether the
 * extract was written (0: waiting for another approver). On a request already
 * approved whose extract its approval left staged in dir (killed between its
 * commit and the renames) it puts that extract in place (*released_p 2, sum
 * untouched), audited as request-publish. */
bk_status bk_vault_request_approve(struct bk_vault *v, long long number, const char *dir,
				   struct bk_extract_summary *sum, int *released_p) BK_MUST_CHECK;

#endif
