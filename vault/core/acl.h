/* acl.h - access control: the one decision function every command goes through.
 *
 * Deny by default: a request is allowed only when a rule in acl.c's table
 * names the role, the action and the column class, and - for scoped rules -
 * the kecamatan is inside the user's scope. The CLI's checks are backed by key
 * possession (a user only holds the grants of their role and scope), so a
 * wrong "allow" here still cannot decrypt what the user holds no key for. */
#ifndef BK_ACL_H
#define BK_ACL_H

#include <stddef.h>

#include "base/error.h"

enum bk_role {
	BK_ROLE_ADMIN,
	BK_ROLE_CUSTODIAN,
	BK_ROLE_OPERATOR,
	BK_ROLE_ANALYST,
	BK_ROLE_AUDITOR,
	BK_ROLE_EVALUATOR,
	BK_ROLE_COUNT
};

enum bk_action {
	BK_ACT_UNLOCK,          /* open the vault with a passphrase */
	BK_ACT_STATUS,          /* vault id, users, key versions, audit head */
	BK_ACT_CHECK,           /* integrity checks */
	BK_ACT_USER_ADMIN,      /* user add / disable / reset, user list */
	BK_ACT_USER_PASSWD,     /* change one's own passphrase */
	BK_ACT_AUDIT_READ,      /* audit show */
	BK_ACT_AUDIT_VERIFY,    /* audit verify */
	BK_ACT_AUDIT_CHECKPOINT,/* audit head -o FILE (signed by the release key) */
	BK_ACT_DATASET_ADMIN,   /* dataset add */
	BK_ACT_DATASET_READ,    /* dataset list / show */
	BK_ACT_RECORD_WRITE,    /* import, record add */
	BK_ACT_RECORD_ERASE,    /* record erase, subject erase, retention apply */
	BK_ACT_RECORD_EDIT,     /* record edit, subject correct: open, change and re-seal rows */
	BK_ACT_READ,            /* query a column of the given class */
	BK_ACT_REVEAL,          /* decrypt an identifier/secret value */
	BK_ACT_REPORT,          /* aggregate reports */
	BK_ACT_SUBJECT_RIGHTS,  /* subject export, find; subject correct also needs record-edit */
	BK_ACT_REQUEST_MANAGE,  /* request add / list / show / deny */
	BK_ACT_REQUEST_APPROVE, /* request approve: an extract leaves */
	BK_ACT_KEY_ADMIN,       /* key rotate, recovery, restore */
	BK_ACT_BACKUP,          /* backup: a copy of every file, so every kecamatan's */
	BK_ACT_COUNT
};

enum bk_colclass {
	BK_COL_NONE,       /* the action is not about a column */
	BK_COL_IDENTIFIER,
	BK_COL_SECRET,
	BK_COL_QUASI,
	BK_COL_SENSITIVE,
	BK_COL_PUBLIC,
	BK_COL_COUNT
};

struct bk_acl_request {
	enum bk_role role;
	const char *const *scope; /* kecamatan codes the user may act in */
	size_t nscope;            /* 0: the whole kabupaten */
	enum bk_action action;
	const char *dataset;      /* NULL when not about a dataset */
	enum bk_colclass colclass;
	const char *kecamatan;    /* the row's kecamatan code; NULL when not about a row */
};

/* bk_acl_check returns BK_OK when allowed, else BK_ERR_DENIED with a detail
 * naming the role and the action ("role 'analyst' may not reveal identifiers"). */
bk_status bk_acl_check(const struct bk_acl_request *req) BK_MUST_CHECK;

/* Names, as used on the command line, in the keyring and in the audit log. */
const char *bk_role_name(enum bk_role role);
bk_status bk_role_parse(const char *name, enum bk_role *role_p) BK_MUST_CHECK;
const char *bk_action_name(enum bk_action action);
const char *bk_colclass_name(enum bk_colclass cls);

#endif
