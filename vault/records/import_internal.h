/* import_internal.h - the importer's row machinery, shared by import.c (CSV
 * files, `record add`) and edit.c (`record edit`, `subject correct`): one
 * cell validated exactly as an import validates it, the checks across a row,
 * data keys per kecamatan (batches), sealing, blind indexes and subject links.
 * Nothing outside vault/ includes this.
 *
 * An importer works on one dataset. Its current row lives in norm/present/
 * ival (normalized values; norm is guarded memory because it holds
 * identifiers in clear) and kecamatan. */
#ifndef BK_IMPORT_INTERNAL_H
#define BK_IMPORT_INTERNAL_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "vault/schema/dataset.h"
#include "vault/core/fields.h"
#include "vault/records/import.h"
#include "vault/schema/validate.h"
#include "vault/core/vault_internal.h"

#define BK_IMPORT_SUBJECTS "warga" /* the dataset that registers data subjects */

struct bk_import_batch {
	char kecamatan[BK_CODE_MAX];
	int64_t id;
	uint8_t *key;    /* guarded */
	uint8_t *subkey; /* guarded: derived from key once (bk_fields_subkey) */
};

/* What running an importer's records (import.c) needs besides the importer:
 * scratch of the thread that runs them. */
struct bk_import_runner {
	struct bk_importer *im;
	uint8_t *sealed;              /* plain_cap + BK_FIELDS_OVERHEAD bytes */
	uint8_t ad[BK_FIELDS_AD_MAX]; /* the importer's fixed part, then each row's ids */
};

struct bk_import_tags { /* 16-byte keyed tags of NIKs seen in this file (never the NIKs) */
	uint8_t (*slots)[16];
	size_t cap, count;
};

#define BI_UNKNOWN INT64_MIN

/* A sorted list of a column's distinct values, read once per import. */
struct bk_import_values {
	char **values;
	size_t n;
};

struct bk_importer {
	struct bk_vault *v;
	const struct bk_import_opts *o; /* dataset, path for messages, problem callback */
	struct bk_import_result *r;     /* problems and out_of_scope are counted here */
	struct bk_dataset ds;
	int map[BK_COLUMNS_MAX];       /* CSV field -> dataset column */
	size_t nheader;
	int have_header;
	/* the record being read */
	char *raw;
	size_t raw_len, raw_cap;
	size_t off[BK_COLUMNS_MAX + 1], len[BK_COLUMNS_MAX + 1];
	size_t nfields;
	int overflow;                  /* more fields than the header, or too large */
	size_t line;                   /* line where the current record starts */
	size_t newlines;               /* newlines inside the current record's fields */
	int quiet;                     /* count problems without reporting them (edit.c: said once) */
	/* normalized values of the current row */
	char *norm;                    /* guarded: text values, each column at norm_off[c], NUL-terminated */
	size_t norm_off[BK_COLUMNS_MAX + 1];
	size_t norm_len;
	int present[BK_COLUMNS_MAX];
	int64_t ival[BK_COLUMNS_MAX];
	char kecamatan[BK_CODE_MAX];
	char slot_kec[BK_CODE_MAX];    /* the kecamatan whose file was asked last, and its slot */
	uint8_t slot;
	int row_bad;
	/* writing */
	/* the INSERT of a row by file: [0] vault.db (no kecamatan, or one whose
	 * store this user does not hold: it waits there to move in), [1 + i]
	 * the store v->stores[i]; prepared when first needed */
	sqlite3_stmt *insert[BK_STORES_MAX + 1];
	char *insert_tail;        /* the INSERT after the table's name */
	char *insert_cols;        /* its column names, ',' between */
	sqlite3_stmt *inbox_insert; /* a row sealed for a store the user does not hold */
	int64_t next_id;          /* row ids are the vault's, over every store (meta "rows:NAME") */
	int table_empty;          /* no row of the dataset is visible: load without indexes */
	struct bk_import_batch batches[128];
	size_t nbatches;
	int sealed_idx[BK_COLUMNS_MAX];
	size_t nsealed;
	char sealed_names[BK_COLUMNS_MAX * (BK_COLUMN_NAME_MAX + 1)];
	uint8_t ad[BK_FIELDS_AD_MAX];  /* a row's associated data: ad_len bytes fixed, then its ids */
	size_t ad_len;
	uint8_t *plain;                /* guarded: the row's sealed values in clear */
	uint8_t *sealed;
	size_t plain_cap;
	int finds_nik;                /* holds a blind key (not operators: their rows wait with no index) */
	uint8_t *tag_key;             /* guarded, random per import (BK_PRF128_KEYBYTES): duplicate NIKs in the file */
	struct bk_import_tags seen;
	int ref_year;
	char today[11];           /* in WIB (UTC+7): a later date is refused unless its column takes plans */
	/* per column with references: the values it may take, sorted (n 0: the
	 * referenced dataset is absent or empty, nothing to hold it to); per
	 * unique column: the values the dataset holds already */
	struct bk_import_values refs[BK_COLUMNS_MAX], taken[BK_COLUMNS_MAX];
	bk_status fatal;
	char kabupaten_name[96];
	char now[24];             /* one time stamp for the whole import */
	int subjects_exist;       /* the registry of subjects had rows before this import */
	int link_subjects;        /* rows are linked to the registry of subjects by NIK */
	int rebuild_indexes;      /* large import: indexes dropped, built after the load */
	/* looked up once, not per row */
	int registry;             /* this dataset is the registry of subjects (BK_IMPORT_SUBJECTS) */
	int sex_col, birth_col;   /* jenis_kelamin (enum), tanggal_lahir (date); -1 when absent */
	struct bk_import_batch *last_batch; /* the batch of the row before */
	/* INSERTs waiting to run, as records (import.c, "records"): run at once from
	 * rowbuf, or, in a bulk load, from the writer thread's buffers */
	uint8_t *out;
	size_t out_len, out_cap;
	size_t rec_max;           /* the largest record this dataset can make */
	uint8_t *rowbuf;          /* guarded, rec_max bytes */
	struct bk_import_runner runner; /* the importing thread's scratch for running records */
	sqlite3_stmt *batch_insert;
	int64_t next_batch;       /* the next batch's id; 0 until read */
	struct bk_import_writer *writer; /* a bulk load's writer thread, or NULL */
	/* blind index values of the current row, by column, once bi_ready: BI_UNKNOWN
	 * (NULL: the row waits for a holder of its file's key) or BK_INDEX_NO_NIK */
	int64_t bi[BK_COLUMNS_MAX];
	int bi_ready;
	/* a bulk load holds valid rows and writes them a group at a time, ordered by
	 * kecamatan and blind index (import.c, "groups") */
	int group;
	uint8_t *group_buf;       /* guarded: the held rows, identifiers in clear */
	size_t group_len, group_cap, group_max; /* group_max: the largest row's size */
	size_t group_rows;
	uint32_t *group_off;      /* where each held row starts in group_buf */
	uint64_t *group_key, *group_tmp; /* sort keys: kecamatan, blind index, arrival */
};

/* bk_import_open loads o->dataset into im (zeroed by the caller), lays out the
 * row buffers, takes the blind key when the dataset has a blind index and the
 * user holds it, and prepares the registry lookups. The caller checks the
 * access rule first. Release with bk_import_close, also after a failure. */
bk_status bk_import_open(struct bk_importer *im, struct bk_vault *v, const struct bk_import_opts *o,
			 struct bk_import_result *r) BK_MUST_CHECK;
void bk_import_close(struct bk_importer *im);

/* bk_import_problem counts a problem of the current row and reports it as
 * "PATH:LINE:COLUMN: reason" (unless quiet or past max_messages). The reason
 * must not hold a cell's value. */
void bk_import_problem(struct bk_importer *im, size_t line, size_t col, const char *fmt, ...) BK_PRINTF(4, 5);

/* bk_import_cell validates one cell (cell[0..n), not NUL-terminated) for
 * column col at im->line and column colno, as every import does, and stores
 * its normalized value in the current row; an empty cell is a missing value
 * (a problem when the column is required). A region or NIK in the scope column
 * sets im->kecamatan; the subject NIK fills *nik, a tanggal_lahir *birth.
 * Problems are reported, never returned. */
void bk_import_cell(struct bk_importer *im, const char *cell, size_t n, size_t colno, int col, struct bk_nik *nik,
		    struct bk_date *birth);

/* bk_import_consistent checks the current row's sex and birth date against
 * its subject NIK (nik as parsed; digits[0] == 0 when absent). BK_ERR_FORMAT
 * with the validator's reason in the detail. */
bk_status bk_import_consistent(struct bk_importer *im, const struct bk_nik *nik) BK_MUST_CHECK;

/* bk_import_find_subject finds the registered subject (a row of the registry)
 * with this NIK (bk_vault_subject_rows), among the rows the user holds the
 * kecamatan keys for. *id_p is 0 when none was found. The rows this import
 * writes are not candidates: a file's duplicates are caught by their tags. */
bk_status bk_import_find_subject(struct bk_importer *im, const char *nik, int64_t *id_p) BK_MUST_CHECK;

/* bk_import_batch returns this importer's batch for a kecamatan, making it on
 * first use: a fresh random data key (and the subkey for its nonce prefix), sealed to the
 * kecamatan's public key and recorded in `batches`. Each row id is sealed at
 * most once under it. */
bk_status bk_import_batch(struct bk_importer *im, const char *kecamatan, struct bk_import_batch **b_p) BK_MUST_CHECK;

/* bk_import_seal seals the current row's identifier and secret values as row
 * id under batch b into im->sealed (*len_p bytes). */
bk_status bk_import_seal(struct bk_importer *im, int64_t id, const struct bk_import_batch *b,
			 size_t *len_p) BK_MUST_CHECK;

/* bk_import_bind_columns binds the current row's blind indexes (computed
 * unless bi_ready, which it clears) and plain columns, in table order, from
 * parameter p on; returns the next parameter. */
int bk_import_bind_columns(struct bk_importer *im, sqlite3_stmt *st, int p);

#endif
