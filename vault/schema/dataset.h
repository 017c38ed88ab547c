/* ROOM vault/schema - what the data looks like: dataset schemas, columns,
 * hierarchies, value validation, the vault's datasets (datasets.h).
 * May call base/, crypto/ and vault/core/.
 *
 * dataset.h - dataset schemas: columns, types, privacy classes, hierarchies,
 * retention; parsed from a small INI file (inih) and kept in vault.db.
 *
 *   [dataset]
 *   name = warga                 ; [a-z][a-z0-9_]{0,30}
 *   title = Data subjects
 *   retention = 10y              ; Nd, Nm or Ny; rows older than that go on `retention apply`
 *   scope = desa                 ; the region (or nik) column that places a row in a kecamatan
 *   subject = nik                ; the nik column that names the data subject
 *   approvals = 2                ; different approvers an extract needs (1 or 2; default 1)
 *
 *   [column.nik]                 ; one section per column, in CSV order
 *   type = nik                   ; text int date enum region nik phone score1to4
 *   class = identifier           ; identifier secret quasi sensitive public
 *   required = yes
 *   index = blind                ; nik only: a truncated keyed blind index for lookups
 *   values = L|P                 ; enum: the allowed values
 *   min = 0 / max = 120          ; int
 *   level = desa                 ; region: desa or kecamatan
 *   max_length = 1000            ; text
 *   hierarchy = 5,10,20          ; quasi: int bands | month,quarter,year | kecamatan,kabupaten
 *                                ; | enum groups "dasar=SD/SMP;menengah=SMA"
 *
 * Identifier and secret columns are stored only as ciphertext; a dataset that
 * has any must name a scope column, whose kecamatan key seals them. */
#ifndef BK_DATASET_H
#define BK_DATASET_H

#include <sqlite3.h>
#include <stddef.h>

#include "base/error.h"
#include "vault/schema/column.h"

struct bk_dataset {
	char name[BK_DATASET_NAME_MAX + 1];
	char title[128];
	unsigned retention_days;       /* 0: kept until erased */
	int scope_col;                 /* index of the column giving the kecamatan, -1: none */
	int subject_col;               /* index of the nik column naming the subject, -1: none */
	unsigned approvals;            /* approvers an extract needs: 1 or 2 */
	struct bk_column cols[BK_COLUMNS_MAX];
	size_t ncols;
	char *source;                  /* the INI text it was parsed from */
};

/* bk_dataset_parse reads a schema (name is the file name for messages; text
 * must be NUL-terminated at text[len]). Errors: BK_ERR_FORMAT with
 * "FILE:LINE:COLUMN: reason". Release with bk_dataset_release. */
bk_status bk_dataset_parse(struct bk_dataset *ds, const char *name, const char *text, size_t len) BK_MUST_CHECK;
void bk_dataset_release(struct bk_dataset *ds);

/* The built-in profile `inovasi` (DESIGN §6): inovasi, warga, pemanfaatan, skm,
 * pengaduan, as INI texts. */
extern const char *const bk_profile_inovasi[];
extern const size_t bk_profile_inovasi_count;

/* bk_dataset_column finds a column by name; -1 when absent. */
int bk_dataset_column(const struct bk_dataset *ds, const char *name);

/* bk_dataset_has_sealed: whether any column is identifier or secret. */
int bk_dataset_has_sealed(const struct bk_dataset *ds);

/* bk_dataset_sealed_names writes the names of the identifier and secret
 * columns, in schema order, joined by ',' (what a row's sealed values bind
 * in their associated data, vault/core/fields.h) into out and returns how
 * many there are. */
#define BK_SEALED_NAMES_MAX (BK_COLUMNS_MAX * (BK_COLUMN_NAME_MAX + 1))
size_t bk_dataset_sealed_names(const struct bk_dataset *ds, char out[BK_SEALED_NAMES_MAX]);

/* In vault.db. bk_dataset_store registers the schema and creates its table
 * (inside the caller's transaction); BK_ERR_EXISTS if the name is taken. */
bk_status bk_dataset_store(sqlite3 *db, const struct bk_dataset *ds) BK_MUST_CHECK;

/* bk_dataset_indexes creates (create = 1) or drops the table's secondary
 * indexes (kecamatan, blind indexes) in schema ("main" or a store): a large
 * import drops them and builds them once after the load, inside the same
 * transaction. */
bk_status bk_dataset_indexes(sqlite3 *db, const char *schema, const struct bk_dataset *ds, int create) BK_MUST_CHECK;

/* bk_dataset_load reads a registered schema; BK_ERR_NOTFOUND when unknown. */
bk_status bk_dataset_load(sqlite3 *db, const char *name, struct bk_dataset *ds) BK_MUST_CHECK;

/* bk_dataset_names lists registered datasets (malloc'd array of malloc'd
 * strings, sorted); free with bk_dataset_names_free. */
bk_status bk_dataset_names(sqlite3 *db, char ***names_p, size_t *n_p) BK_MUST_CHECK;
void bk_dataset_names_free(char **names, size_t n);

/* bk_dataset_template writes the CSV header the importer expects (malloc'd). */
bk_status bk_dataset_template(const struct bk_dataset *ds, char **line_p) BK_MUST_CHECK;

#endif
