/* datasets.h - the vault's datasets: a new vault with the built-in profile,
 * adding a schema, listing and showing them. The schema room's face to the
 * vault handle (core); records, reports and releases load schemas through
 * dataset.h. */
#ifndef BK_DATASETS_H
#define BK_DATASETS_H

#include <stddef.h>

#include "base/error.h"
#include "vault/core/vault.h"

/* bk_vault_init is bk_vault_create with the built-in `inovasi` datasets
 * (DESIGN §6) registered in the vault's first transaction. */
bk_status bk_vault_init(const struct bk_vault_init_opts *opts) BK_MUST_CHECK;

/* bk_vault_install_profile registers the built-in `inovasi` datasets. */
bk_status bk_vault_install_profile(struct bk_vault *v) BK_MUST_CHECK;

struct bk_dataset_info {
	char name[33];
	char title[128];
	long long rows;
	size_t columns;
	size_t sealed_columns;
};

/* bk_vault_dataset_add registers a schema file (admin); name_out (33 bytes)
 * gets the dataset's name. Schema errors name FILE:LINE:COLUMN. */
bk_status bk_vault_dataset_add(struct bk_vault *v, const char *file, const char *text, size_t len,
			       char *name_out) BK_MUST_CHECK;

/* bk_vault_dataset_list returns every dataset with its row count (malloc'd). */
bk_status bk_vault_dataset_list(struct bk_vault *v, struct bk_dataset_info **list_p, size_t *n_p) BK_MUST_CHECK;

/* bk_vault_dataset_get loads one schema for `dataset show` (release with
 * bk_dataset_release). */
struct bk_dataset;
bk_status bk_vault_dataset_get(struct bk_vault *v, const char *name, struct bk_dataset *ds,
			       long long *rows_p) BK_MUST_CHECK;

#endif
