/* edit.h - corrections (UU 27/2022, the right to rectification): `record
 * edit` changes one row, `subject correct` every row of one person.
 *
 * The new values come as text, one COLUMN=VALUE per line (the value runs to
 * the end of its line; an empty value clears an optional column). They are
 * personal data: callers read them from stdin into guarded memory, never from
 * the command line. Each value is validated exactly as an import validates
 * it, then the row's checks run again (a NIK against sex and birth date, one
 * registration per person, the row's kecamatan against the user's scope).
 * Problems are reported as "PATH:LINE:COLUMN: column: reason", never with the
 * value, and one problem changes nothing.
 *
 * Who: admins and custodians (BK_ACT_RECORD_EDIT) for the row's kecamatan and,
 * when the row moves, for the new one; the user must hold the row's kecamatan
 * key, because the whole row is sealed again. A row whose identifier or
 * secret values change, or that moves to another kecamatan, is sealed under a
 * new batch (a fresh data key), so a (key, nonce) pair never seals two
 * plaintexts (fields.h). The audit entry names the columns that changed,
 * never a value. */
#ifndef BK_EDIT_H
#define BK_EDIT_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "vault/schema/dataset.h"

struct bk_vault;

struct bk_edit_opts {
	const char *purpose;   /* required; written to the audit log */
	const char *text;      /* COLUMN=VALUE lines (personal data) */
	size_t len;
	const char *path;      /* names the input in messages, e.g. "<stdin>" */
	size_t first_line;     /* the line number of text's first line (0 counts as 1) */
	size_t max_messages;   /* problems reported at most (all are counted) */
	void (*problem)(void *ctx, const char *msg); /* "PATH:LINE:COLUMN: reason" */
	void *ctx;
};

#define BK_EDIT_DATASETS_MAX 32

struct bk_edit_result {
	uint64_t rows;       /* rows changed */
	uint64_t problems;   /* invalid lines and values */
	uint64_t unreadable; /* subject correct: candidate rows in kecamatan whose key the user lacks */
	int some_stores;     /* subject correct: the user holds only some kecamatan stores; rows in the
			      * others are beyond their keys, unseen and uncounted */
	uint64_t unlinked;   /* rows elsewhere that were linked to a registration whose NIK changed */
	char columns[BK_COLUMNS_MAX * (BK_COLUMN_NAME_MAX + 1)]; /* columns whose values changed, ',' between */
	struct {
		char name[BK_DATASET_NAME_MAX + 1];
		uint64_t found;   /* the person's rows in it */
		uint64_t changed; /* of those, changed */
	} datasets[BK_EDIT_DATASETS_MAX];
	size_t ndatasets;
};

/* bk_edit_lines reads o->text as bk_vault_record_edit reads it for a row of
 * ds, without a vault and without checking the values: each problem of a line
 * goes to o->problem, then each correction, in the order given, to
 * each(o->ctx, column, value, len, line, colno), where value points into
 * o->text (len bytes, personal data) and line and colno say where it starts.
 * Returns BK_OK, or BK_ERR_FORMAT when some line has a problem (*problems_p
 * counts them). For tests and fuzzing: the commands go through the vault. */
typedef void (*bk_edit_line_fn)(void *ctx, const char *column, const char *value, size_t len, size_t line,
				size_t colno);
bk_status bk_edit_lines(const struct bk_edit_opts *o, const struct bk_dataset *ds, bk_edit_line_fn each,
			uint64_t *problems_p) BK_MUST_CHECK;

/* bk_vault_record_edit applies the corrections to row id of dataset in one
 * transaction with its `record-edit` entry. BK_ERR_FORMAT when the text has
 * problems (reported through o->problem; nothing changed, not audited),
 * BK_ERR_DENIED when the role, the row's kecamatan or the kecamatan it would
 * move to is refused (audited) or the user holds no key for the row,
 * BK_ERR_NOTFOUND for no such row, BK_ERR_CORRUPT when its sealed values do
 * not open. A correction that changes nothing is audited with rows 0. */
bk_status bk_vault_record_edit(struct bk_vault *v, const char *dataset, int64_t id, const struct bk_edit_opts *o,
			       struct bk_edit_result *r) BK_MUST_CHECK;

/* bk_vault_subject_correct applies the corrections to every row whose subject
 * NIK is nik (16 digits; personal data) in every dataset that has the column
 * (found through the blind index, as `subject export`), in one transaction
 * with its `subject-correct` entry (the NIK as its audit-key hash). Rows in
 * kecamatan whose key the user lacks are left and counted in r->unreadable.
 * A column that no dataset naming subjects has is a problem. Errors as
 * bk_vault_record_edit; BK_ERR_USAGE for a malformed NIK. */
bk_status bk_vault_subject_correct(struct bk_vault *v, const char *nik, const struct bk_edit_opts *o,
				   struct bk_edit_result *r) BK_MUST_CHECK;

#endif
