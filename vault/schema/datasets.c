/* datasets.c - the vault's dataset commands: add a schema, list, show. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vault/schema/datasets.h"

#include "vault/core/db.h"
#include "vault/core/vault_internal.h"
#include "vault/schema/dataset.h"

/* Rows of a dataset the user may see: a scoped user counts only the rows of
 * their kecamatan (datasets without a scope column have no kecamatan). */
static bk_status count_rows(struct bk_vault *v, const struct bk_dataset *ds, long long *rows)
{
	const struct bk_keyring_user *me = bk_vault_me(v);
	char sql[BK_SCOPE_MAX * (BK_CODE_MAX + 3) + 128];
	size_t n;
	sqlite3_stmt *st = NULL;
	int src;

	*rows = 0;
	n = (size_t)snprintf(sql, sizeof(sql), "SELECT count(*) FROM \"ds_%s\"", ds->name); /* checked name */
	if (me->nscope && bk_vault_role(v) != BK_ROLE_ADMIN && ds->scope_col >= 0) {
		/* codes come from the signed keyring: digits and dots */
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, " WHERE kecamatan IN (");
		for (size_t i = 0; i < me->nscope && n < sizeof(sql); i++)
			n += (size_t)snprintf(sql + n, sizeof(sql) - n, "%s'%s'", i ? "," : "", me->scope[i]);
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, ")");
	}
	if (n >= sizeof(sql))
		return bk_fail(BK_ERR_STATE, "scope too large");
	src = sqlite3_prepare_v2(v->db, sql, -1, &st, NULL);
	if (src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
		*rows = sqlite3_column_int64(st, 0);
		src = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return src == SQLITE_OK ? BK_OK : bk_db_status(v->db, src, "counting rows");
}

bk_status bk_vault_install_profile(struct bk_vault *v)
{
	for (size_t i = 0; i < bk_profile_inovasi_count; i++) {
		struct bk_dataset ds;
		bk_status rc = bk_dataset_parse(&ds, "built-in profile", bk_profile_inovasi[i],
						strlen(bk_profile_inovasi[i]));

		if (rc != BK_OK)
			return rc;
		rc = bk_dataset_store(v->db, &ds);
		bk_dataset_release(&ds);
		if (rc != BK_OK)
			return rc;
	}
	return BK_OK;
}

bk_status bk_vault_init(const struct bk_vault_init_opts *opts)
{
	struct bk_vault_init_opts with_profile = *opts;

	with_profile.populate = bk_vault_install_profile;
	return bk_vault_create(&with_profile);
}

bk_status bk_vault_dataset_add(struct bk_vault *v, const char *file, const char *text, size_t len, char *name_out)
{
	struct bk_dataset ds;
	struct bk_audit_entry e;
	bk_status rc;

	name_out[0] = '\0';
	if ((rc = bk_vault_require(v, BK_ACT_DATASET_ADMIN, NULL, BK_COL_NONE, NULL)) ||
	    (rc = bk_dataset_parse(&ds, file, text, len)))
		return rc;
	bk_audit_entry_init(&e);
	e.action = "dataset-add";
	e.dataset = ds.name;
	if ((rc = bk_vault_begin(v)) == BK_OK) {
		if ((rc = bk_dataset_store(v->db, &ds)) || (rc = bk_vault_route(v)) || (rc = bk_vault_audit(v, &e)) ||
		    (rc = bk_vault_commit(v)))
			bk_vault_rollback(v);
	}
	if (rc == BK_OK)
		snprintf(name_out, BK_DATASET_NAME_MAX + 1, "%s", ds.name);
	bk_dataset_release(&ds);
	return rc;
}

bk_status bk_vault_dataset_list(struct bk_vault *v, struct bk_dataset_info **list_p, size_t *n_p)
{
	struct bk_dataset_info *list = NULL;
	char **names = NULL;
	size_t n = 0;
	bk_status rc;

	*list_p = NULL;
	*n_p = 0;
	if ((rc = bk_vault_require(v, BK_ACT_DATASET_READ, NULL, BK_COL_NONE, NULL)) ||
	    (rc = bk_vault_record(v, "dataset-list", NULL)) || (rc = bk_dataset_names(v->db, &names, &n)))
		return rc;
	list = calloc(n ? n : 1, sizeof(*list));
	if (!list) {
		rc = bk_fail(BK_ERR_NOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n && rc == BK_OK; i++) {
		struct bk_dataset ds;

		if ((rc = bk_dataset_load(v->db, names[i], &ds)))
			break;
		snprintf(list[i].name, sizeof(list[i].name), "%s", ds.name);
		snprintf(list[i].title, sizeof(list[i].title), "%s", ds.title);
		list[i].columns = ds.ncols;
		for (size_t c = 0; c < ds.ncols; c++)
			list[i].sealed_columns += ds.cols[c].cls == BK_COL_IDENTIFIER || ds.cols[c].cls == BK_COL_SECRET;
		rc = count_rows(v, &ds, &list[i].rows);
		bk_dataset_release(&ds);
	}
	if (rc == BK_OK) {
		*list_p = list;
		*n_p = n;
		list = NULL;
	}
out:
	free(list);
	bk_dataset_names_free(names, n);
	return rc;
}

bk_status bk_vault_dataset_get(struct bk_vault *v, const char *name, struct bk_dataset *ds, long long *rows_p)
{
	bk_status rc;

	*rows_p = 0;
	memset(ds, 0, sizeof(*ds));
	if ((rc = bk_vault_require(v, BK_ACT_DATASET_READ, name, BK_COL_NONE, NULL)) ||
	    (rc = bk_dataset_load(v->db, name, ds)))
		return rc;
	if ((rc = bk_vault_record(v, "dataset-show", NULL)) || (rc = count_rows(v, ds, rows_p)))
		bk_dataset_release(ds);
	return rc;
}
