/* acl.c - the rule table and the decision function (deny by default). */
#include "vault/core/acl.h"

#include <string.h>

#define R(role) (1u << (role))
#define ADMIN R(BK_ROLE_ADMIN)
#define CUSTODIAN R(BK_ROLE_CUSTODIAN)
#define OPERATOR R(BK_ROLE_OPERATOR)
#define ANALYST R(BK_ROLE_ANALYST)
#define AUDITOR R(BK_ROLE_AUDITOR)
#define VAULT_USERS (ADMIN | CUSTODIAN | OPERATOR | ANALYST | AUDITOR)

#define C(cls) (1u << (cls))
#define NOCOL C(BK_COL_NONE)
#define NONIDENT (C(BK_COL_QUASI) | C(BK_COL_SENSITIVE) | C(BK_COL_PUBLIC))
#define IDENT (C(BK_COL_IDENTIFIER) | C(BK_COL_SECRET))

struct rule {
	enum bk_action action;
	unsigned roles;
	unsigned classes;
	int scoped; /* the row's kecamatan must be in the user's scope */
};

/* Every allowed combination is listed here; anything else is denied.
 * Evaluators appear nowhere: they never unlock the vault. */
static const struct rule rules[] = {
	{BK_ACT_UNLOCK, VAULT_USERS, NOCOL, 0},
	{BK_ACT_STATUS, VAULT_USERS, NOCOL, 0},
	{BK_ACT_CHECK, ADMIN | CUSTODIAN | AUDITOR, NOCOL, 0},
	{BK_ACT_USER_ADMIN, ADMIN, NOCOL, 0},
	{BK_ACT_USER_PASSWD, VAULT_USERS, NOCOL, 0},
	{BK_ACT_AUDIT_READ, ADMIN | AUDITOR, NOCOL, 0},
	{BK_ACT_AUDIT_VERIFY, ADMIN | AUDITOR | CUSTODIAN, NOCOL, 0},
	{BK_ACT_AUDIT_CHECKPOINT, ADMIN | AUDITOR, NOCOL, 0},
	{BK_ACT_DATASET_ADMIN, ADMIN, NOCOL, 0},
	{BK_ACT_DATASET_READ, ADMIN | CUSTODIAN | OPERATOR | ANALYST, NOCOL, 0},
	{BK_ACT_RECORD_WRITE, ADMIN | CUSTODIAN | OPERATOR, NOCOL, 1},
	{BK_ACT_RECORD_ERASE, ADMIN | CUSTODIAN, NOCOL, 1},
	/* not operators: an edit opens the row to re-seal it, and they cannot read back */
	{BK_ACT_RECORD_EDIT, ADMIN | CUSTODIAN, NOCOL, 1},
	/* not operators: they hold no store key, so nothing to read back (stores.h) */
	{BK_ACT_READ, ADMIN | CUSTODIAN | ANALYST, NONIDENT, 1},
	{BK_ACT_REVEAL, ADMIN | CUSTODIAN, IDENT, 1},
	{BK_ACT_REPORT, ADMIN | CUSTODIAN | ANALYST, NOCOL, 1},
	{BK_ACT_SUBJECT_RIGHTS, ADMIN | CUSTODIAN, NOCOL, 1},
	{BK_ACT_REQUEST_MANAGE, ADMIN | CUSTODIAN, NOCOL, 0},
	/* scoped with no kecamatan named: only unscoped custodians release a whole dataset */
	{BK_ACT_REQUEST_APPROVE, ADMIN | CUSTODIAN, NOCOL, 1},
	{BK_ACT_KEY_ADMIN, ADMIN, NOCOL, 0},
	/* scoped with no kecamatan named: only unscoped custodians copy every store */
	{BK_ACT_BACKUP, ADMIN | CUSTODIAN, NOCOL, 1},
};

static const char *const role_names[BK_ROLE_COUNT] = {
	"admin", "custodian", "operator", "analyst", "auditor", "evaluator",
};

static const char *const action_names[BK_ACT_COUNT] = {
	"unlock", "status", "check", "user-admin", "passwd", "audit-read", "audit-verify",
	"audit-checkpoint", "dataset-admin", "dataset-read", "record-write", "record-erase",
	"record-edit", "read", "reveal", "report", "subject-rights", "request-manage", "request-approve", "key-admin",
	"backup",
};

static const char *const class_names[BK_COL_COUNT] = {
	"none", "identifier", "secret", "quasi", "sensitive", "public",
};

const char *bk_role_name(enum bk_role role)
{
	return (unsigned)role < BK_ROLE_COUNT ? role_names[role] : "?";
}

bk_status bk_role_parse(const char *name, enum bk_role *role_p)
{
	for (unsigned i = 0; i < BK_ROLE_COUNT; i++)
		if (strcmp(name, role_names[i]) == 0) {
			*role_p = (enum bk_role)i;
			return BK_OK;
		}
	bk_hint("roles are admin, custodian, operator, analyst, auditor, evaluator");
	return bk_fail(BK_ERR_USAGE, "unknown role '%.32s'", name);
}

const char *bk_action_name(enum bk_action action)
{
	return (unsigned)action < BK_ACT_COUNT ? action_names[action] : "?";
}

const char *bk_colclass_name(enum bk_colclass cls)
{
	return (unsigned)cls < BK_COL_COUNT ? class_names[cls] : "?";
}

static int in_scope(const struct bk_acl_request *req)
{
	if (req->role == BK_ROLE_ADMIN || req->nscope == 0)
		return 1;
	/* fail closed: a scoped user acting on a row must name the row's kecamatan */
	if (req->kecamatan == NULL)
		return 0;
	for (size_t i = 0; i < req->nscope; i++)
		if (strcmp(req->scope[i], req->kecamatan) == 0)
			return 1;
	return 0;
}

bk_status bk_acl_check(const struct bk_acl_request *req)
{
	const char *role = bk_role_name(req->role);
	const char *action = bk_action_name(req->action);

	if ((unsigned)req->role >= BK_ROLE_COUNT || (unsigned)req->action >= BK_ACT_COUNT ||
	    (unsigned)req->colclass >= BK_COL_COUNT)
		return bk_fail(BK_ERR_DENIED, "invalid access request");
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		const struct rule *r = &rules[i];

		if (r->action != req->action || !(r->roles & R(req->role)) || !(r->classes & C(req->colclass)))
			continue;
		if (r->scoped && !in_scope(req))
			return bk_fail(BK_ERR_DENIED, "role '%s' may not %s outside its scope (kecamatan %s)", role,
				       action, req->kecamatan ? req->kecamatan : "not named");
		return BK_OK;
	}
	if (req->colclass != BK_COL_NONE)
		return bk_fail(BK_ERR_DENIED, "role '%s' may not %s %s columns", role, action,
			       bk_colclass_name(req->colclass));
	return bk_fail(BK_ERR_DENIED, "role '%s' may not %s", role, action);
}
