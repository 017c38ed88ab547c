/* edit.c - corrections: `record edit` (one row) and `subject correct` (every
 * row of one person), validated and written with the importer's row
 * machinery (import_internal.h). */
#include "vault/records/edit.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "crypto/secmem.h"
#include "vault/core/db.h"
#include "vault/records/import_internal.h"
#include "vault/records/subjects.h"
#include "vault/core/stores.h"
#include "vault/core/vault_internal.h"
#include "vault/records/records_internal.h"

#define SUBJECTS BK_IMPORT_SUBJECTS
#define CORRECTIONS_MAX 256

/* One COLUMN=VALUE line. The value points into the caller's (guarded) text. */
struct correction {
	char name[BK_COLUMN_NAME_MAX + 1];
	const char *value;
	size_t len;
	size_t line, colno; /* where the value starts */
	int bad;            /* its problem is reported already: say it once */
};

struct corrections {
	struct correction c[CORRECTIONS_MAX];
	size_t n;
};

/* One dataset being corrected: an importer for validating and sealing, and
 * the row as it was stored, to see what changed. */
struct editor {
	struct bk_importer im;
	struct bk_import_opts io;
	sqlite3_stmt *row;    /* SELECT * FROM ds_NAME WHERE id = ? */
	sqlite3_stmt *update; /* the row back, every column but id and created, */
	char update_file[BK_STORE_SCHEMA_MAX]; /* ... in this file (stores.h) */
	char *update_tail;    /* its SQL after the table's name */
	int result_col[BK_COLUMNS_MAX * 2 + 8]; /* the SELECT's column -> dataset column, -1: none */
	uint8_t *key;         /* guarded: the row's batch key */
	char *old_norm;       /* guarded: the row's values as stored */
	int old_present[BK_COLUMNS_MAX];
	int64_t old_ival[BK_COLUMNS_MAX];
	char old_kecamatan[BK_CODE_MAX];
	int64_t old_batch, old_subject; /* old_subject 0: none */
	uint8_t *old_sealed;  /* the row's ciphertext, kept when its sealed values stay */
	size_t old_sealed_len, old_sealed_cap;
	int changed[BK_COLUMNS_MAX]; /* columns changed in any row */
	int row_changed[BK_COLUMNS_MAX];
	int nik_changed;             /* the subject NIK of the current row */
	uint64_t found, rows;
};

/* What one command does: the corrections, its problems, its editors. */
struct edit {
	struct bk_vault *v;
	const struct bk_edit_opts *o;
	struct bk_edit_result *r;
	struct bk_import_result ir; /* shared by the editors: one count of problems */
	struct corrections cs;
	uint64_t out_of_scope;
	char denied_kecamatan[BK_CODE_MAX];
	int64_t denied_id;
	struct unlinked { /* rows that lost their link to a registration whose NIK changed */
		char dataset[BK_DATASET_NAME_MAX + 1];
		int64_t id;
	} *unlinked;
	size_t nunlinked, unlinked_cap;
};

static int is_sealed(const struct bk_column *c)
{
	return c->cls == BK_COL_IDENTIFIER || c->cls == BK_COL_SECRET;
}

BK_PRINTF(4, 5) static void report(struct edit *x, size_t line, size_t col, const char *fmt, ...)
{
	char reason[384], msg[1024];
	va_list ap;

	x->ir.problems++;
	if (!x->o->problem || x->ir.problems > (uint64_t)x->o->max_messages)
		return;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	snprintf(msg, sizeof(msg), "%s:%zu:%zu: %s", x->o->path, line, col, reason);
	x->o->problem(x->o->ctx, msg);
}

/* --- the lines --- */

/* known(ctx, name) says whether some dataset of the command has the column;
 * unknown names are reported without echoing them (a line may hold a value
 * where its name should be), with a suggestion only when one typo away. */
typedef int (*known_fn)(void *ctx, const char *name, const char **near_p);

static void parse(struct edit *x, known_fn known, void *kctx, const char *what)
{
	const char *p = x->o->text, *end = x->o->text + x->o->len;
	size_t line = x->o->first_line ? x->o->first_line : 1;

	for (; p < end; line++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *eol = nl ? nl : end, *eq, *s, *e;
		const char *near = NULL;
		struct correction *c;
		char name[BK_COLUMN_NAME_MAX + 1];
		size_t n, i;

		if (eol > p && eol[-1] == '\r')
			eol--;
		for (s = p; s < eol && (*s == ' ' || *s == '\t'); s++)
			;
		if (s == eol) { /* a blank line */
			p = nl ? nl + 1 : end;
			continue;
		}
		eq = memchr(p, '=', (size_t)(eol - p));
		if (!eq) {
			report(x, line, 1, "expected COLUMN=VALUE");
			p = nl ? nl + 1 : end;
			continue;
		}
		for (e = eq; e > s && (e[-1] == ' ' || e[-1] == '\t'); e--)
			;
		n = (size_t)(e - s);
		for (i = 0; i < n && n <= BK_COLUMN_NAME_MAX; i++) {
			char ch = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] + 32) : s[i];

			if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_'))
				break;
			name[i] = ch;
		}
		if (n == 0 || n > BK_COLUMN_NAME_MAX || i < n) {
			report(x, line, 1, "expected COLUMN=VALUE with a column name before '='");
			p = nl ? nl + 1 : end;
			continue;
		}
		name[n] = '\0';
		if (!known(kctx, name, &near)) {
			if (strcmp(name, "kecamatan") == 0)
				report(x, line, 1, "the kecamatan is not a column: it follows from the row's region or NIK");
			else if (near)
				report(x, line, 1, "not a column of %s; did you mean '%s'?", what, near);
			else
				report(x, line, 1, "not a column of %s", what);
			p = nl ? nl + 1 : end;
			continue;
		}
		for (i = 0; i < x->cs.n && strcmp(x->cs.c[i].name, name) != 0; i++)
			;
		if (i < x->cs.n) {
			report(x, line, 1, "%s: given twice (first on line %zu)", name, x->cs.c[i].line);
		} else if (x->cs.n == CORRECTIONS_MAX) {
			report(x, line, 1, "more than %d corrections", CORRECTIONS_MAX);
		} else {
			c = &x->cs.c[x->cs.n++];
			memcpy(c->name, name, n + 1);
			c->value = eq + 1;
			c->len = (size_t)(eol - (eq + 1));
			c->line = line;
			c->colno = (size_t)(eq + 1 - p) + 1;
			c->bad = 0;
		}
		p = nl ? nl + 1 : end;
	}
	if (x->cs.n == 0 && x->ir.problems == 0)
		report(x, x->o->first_line ? x->o->first_line : 1, 1,
		       "no corrections: give one COLUMN=VALUE per line (an empty VALUE clears an optional column)");
}

/* A column name one typo away from name, or NULL (import's rule for headers). */
static const char *nearest(const struct bk_dataset *ds, const char *name, size_t *best)
{
	const char *near = NULL;

	for (size_t c = 0; c < ds->ncols; c++) {
		size_t d = bk_edit_distance(ds->cols[c].name, strlen(ds->cols[c].name), name, strlen(name));

		if (d < *best) {
			*best = d;
			near = ds->cols[c].name;
		}
	}
	return near;
}

static int known_in_dataset(void *ctx, const char *name, const char **near_p)
{
	const struct bk_dataset *ds = ctx;
	size_t best = strlen(name) / 3 + 1;

	if (bk_dataset_column(ds, name) >= 0)
		return 1;
	*near_p = nearest(ds, name, &best);
	return 0;
}

bk_status bk_edit_lines(const struct bk_edit_opts *o, const struct bk_dataset *ds, bk_edit_line_fn each,
			uint64_t *problems_p)
{
	struct edit *x = calloc(1, sizeof(*x));
	char what[BK_DATASET_NAME_MAX + 16];
	bk_status rc = BK_OK;

	*problems_p = 0;
	if (!x)
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	x->o = o;
	snprintf(what, sizeof(what), "dataset '%s'", ds->name);
	parse(x, known_in_dataset, (void *)ds, what);
	for (size_t i = 0; i < x->cs.n; i++)
		each(o->ctx, x->cs.c[i].name, x->cs.c[i].value, x->cs.c[i].len, x->cs.c[i].line, x->cs.c[i].colno);
	*problems_p = x->ir.problems;
	if (x->ir.problems)
		rc = bk_fail(BK_ERR_FORMAT, "%s: %llu problem%s", o->path, (unsigned long long)x->ir.problems,
			     x->ir.problems == 1 ? "" : "s");
	free(x);
	return rc;
}

/* --- one dataset's editor --- */

static void editor_free(struct editor *ed)
{
	if (!ed)
		return;
	sqlite3_finalize(ed->row);
	sqlite3_finalize(ed->update);
	free(ed->update_tail);
	bk_secmem_free(ed->key);
	bk_secmem_free(ed->old_norm);
	free(ed->old_sealed);
	bk_import_close(&ed->im);
	free(ed);
}

static bk_status editor_new(struct edit *x, const char *dataset, struct editor **ed_p)
{
	struct editor *ed = calloc(1, sizeof(*ed));
	char sql[8192];
	size_t n = 0;
	bk_status rc;

	*ed_p = NULL;
	if (!ed)
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	ed->io.dataset = dataset;
	ed->io.path = x->o->path;
	ed->io.max_messages = x->o->max_messages;
	ed->io.problem = x->o->problem;
	ed->io.ctx = x->o->ctx;
	if ((rc = bk_import_open(&ed->im, x->v, &ed->io, &x->ir)))
		goto fail;
	ed->key = bk_secmem_alloc(BK_FIELDS_KEYBYTES);
	ed->old_norm = bk_secmem_alloc(ed->im.norm_len);
	if (!ed->key || !ed->old_norm) {
		rc = bk_fail(BK_ERR_NOMEM, "out of guarded memory");
		goto fail;
	}
	snprintf(sql, sizeof(sql), "SELECT * FROM \"ds_%s\" WHERE id = ?", ed->im.ds.name);
	if (sqlite3_prepare_v2(x->v->db, sql, -1, &ed->row, NULL) != SQLITE_OK) {
		rc = bk_db_status(x->v->db, sqlite3_errcode(x->v->db), "preparing the edit");
		goto fail;
	}
	if (sqlite3_column_count(ed->row) > (int)(sizeof(ed->result_col) / sizeof(ed->result_col[0]))) {
		rc = bk_fail(BK_ERR_CORRUPT, "vault.db: the table of dataset '%s' has more columns than its schema",
			     ed->im.ds.name);
		goto fail;
	}
	/* id, batch, created, kecamatan, subject, sealed; then the plain columns by name (not the _bi ones) */
	for (int i = 0; i < sqlite3_column_count(ed->row); i++)
		ed->result_col[i] = i < 6 ? -1 : bk_dataset_column(&ed->im.ds, sqlite3_column_name(ed->row, i));
	/* the same parameters, in the same order, as the importer's INSERT after id and created */
	n += (size_t)snprintf(sql + n, sizeof(sql) - n, "SET batch = ?, kecamatan = ?, subject = ?, sealed = ?");
	for (size_t c = 0; c < ed->im.ds.ncols; c++) {
		const struct bk_column *col = &ed->im.ds.cols[c];

		if (col->blind_index)
			n += (size_t)snprintf(sql + n, sizeof(sql) - n, ", \"%s_bi\" = ?", col->name);
		if (!is_sealed(col))
			n += (size_t)snprintf(sql + n, sizeof(sql) - n, ", \"%s\" = ?", col->name);
	}
	n += (size_t)snprintf(sql + n, sizeof(sql) - n, " WHERE id = ?");
	if (n >= sizeof(sql)) {
		rc = bk_fail(BK_ERR_STATE, "dataset has too many columns");
		goto fail;
	}
	if (!(ed->update_tail = strdup(sql))) {
		rc = bk_fail(BK_ERR_NOMEM, "out of memory");
		goto fail;
	}
	*ed_p = ed;
	return BK_OK;
fail:
	editor_free(ed);
	return rc;
}

/* Capacity of a column's slot in norm, without its NUL. */
static size_t slot(const struct bk_importer *im, size_t c)
{
	return im->norm_off[c + 1] - im->norm_off[c] - 1;
}

static bk_status put_text(struct bk_importer *im, size_t c, const void *s, size_t n, int64_t id)
{
	if (n > slot(im, c))
		return bk_fail(BK_ERR_CORRUPT, "%s row %lld: a stored value is longer than its column allows", im->ds.name,
			       (long long)id);
	memcpy(im->norm + im->norm_off[c], s, n);
	im->norm[im->norm_off[c] + n] = '\0';
	im->present[c] = n > 0;
	return BK_OK;
}

/* Reads row id into the importer's current row, its sealed values opened. */
/* load_sealed keeps a copy of the row's sealed blob (column 5 of ed->row)
 * and opens it into the row's values; the plain text is left in im->plain,
 * *plain_len_p bytes, for the caller to wipe whatever this returns. */
static bk_status load_sealed(struct edit *x, struct editor *ed, int64_t id, size_t *plain_len_p)
{
	struct bk_importer *im = &ed->im;
	sqlite3_stmt *st = ed->row;
	const uint8_t *vals[BK_COLUMNS_MAX];
	size_t lens[BK_COLUMNS_MAX];
	const uint8_t *sealed = sqlite3_column_blob(st, 5);
	int slen = sqlite3_column_bytes(st, 5);
	bk_status rc = BK_OK;

	if (!sealed || !ed->old_kecamatan[0] || bk_fields_plain_len(sealed, (size_t)slen, plain_len_p) != BK_OK) {
		rc = bk_fail(BK_ERR_CORRUPT, "%s row %lld: sealed values are missing", im->ds.name, (long long)id);
		goto out;
	}
	if (*plain_len_p > im->plain_cap) {
		rc = bk_fail(BK_ERR_CORRUPT, "%s row %lld: sealed values are longer than the schema allows", im->ds.name,
			     (long long)id);
		goto out;
	}
	if ((size_t)slen > ed->old_sealed_cap) {
		uint8_t *n = realloc(ed->old_sealed, (size_t)slen);

		if (!n) {
			rc = bk_fail(BK_ERR_NOMEM, "out of memory");
			goto out;
		}
		ed->old_sealed = n;
		ed->old_sealed_cap = (size_t)slen;
	}
	memcpy(ed->old_sealed, sealed, (size_t)slen);
	ed->old_sealed_len = (size_t)slen;
	if ((rc = bk_vault_batch_key(x->v, ed->old_batch, ed->old_kecamatan, ed->key)) ||
	    (rc = bk_fields_open(im->plain, sealed, (size_t)slen, ed->key, im->ds.name, im->sealed_names, id,
				 ed->old_batch)) ||
	    (rc = bk_fields_unpack(im->plain, *plain_len_p, im->nsealed, vals, lens)))
		goto out;
	for (size_t i = 0; i < im->nsealed && rc == BK_OK; i++)
		rc = put_text(im, (size_t)im->sealed_idx[i], vals[i], lens[i], id);
out:
	return rc;
}

static bk_status load_row(struct edit *x, struct editor *ed, int64_t id)
{
	struct bk_importer *im = &ed->im;
	sqlite3_stmt *st = ed->row;
	size_t plain_len = 0;
	bk_status rc = BK_OK;
	int src;

	memset(im->present, 0, sizeof(im->present));
	memset(im->ival, 0, sizeof(im->ival));
	bk_wipe(im->norm, im->norm_len);
	im->kecamatan[0] = ed->old_kecamatan[0] = '\0';
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, id);
	src = sqlite3_step(st);
	if (src != SQLITE_ROW) {
		rc = src == SQLITE_DONE ? bk_vault_no_row(x->v, BK_ACT_RECORD_EDIT, im->ds.name, (long long)id)
					: bk_db_status(x->v->db, src, "reading a row");
		goto out;
	}
	ed->old_batch = sqlite3_column_int64(st, 1);
	if (sqlite3_column_text(st, 3))
		snprintf(ed->old_kecamatan, sizeof(ed->old_kecamatan), "%s", (const char *)sqlite3_column_text(st, 3));
	ed->old_subject = sqlite3_column_type(st, 4) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, 4);
	for (int i = 6; i < sqlite3_column_count(st); i++) {
		int c = ed->result_col[i];

		if (c < 0 || sqlite3_column_type(st, i) == SQLITE_NULL)
			continue;
		if (im->ds.cols[c].type == BK_TYPE_INT || im->ds.cols[c].type == BK_TYPE_SCORE1TO4) {
			im->ival[c] = sqlite3_column_int64(st, i);
			im->present[c] = 1;
		} else if ((rc = put_text(im, (size_t)c, sqlite3_column_text(st, i), (size_t)sqlite3_column_bytes(st, i),
					  id))) {
			goto out;
		}
	}
	snprintf(im->kecamatan, sizeof(im->kecamatan), "%s", ed->old_kecamatan);
	/* may the user change this row at all? (audited when not) */
	if ((rc = bk_vault_require(x->v, BK_ACT_RECORD_EDIT, im->ds.name, BK_COL_NONE,
				   ed->old_kecamatan[0] ? ed->old_kecamatan : bk_vault_own_scope(x->v))))
		goto out;
	ed->old_sealed_len = 0;
	if (im->nsealed && (rc = load_sealed(x, ed, id, &plain_len)))
		goto out;
	memcpy(ed->old_norm, im->norm, im->norm_len);
	memcpy(ed->old_present, im->present, sizeof(ed->old_present));
	memcpy(ed->old_ival, im->ival, sizeof(ed->old_ival));
out:
	if (plain_len)
		bk_wipe(im->plain, plain_len);
	sqlite3_reset(st);
	return rc;
}

static int same_value(const struct editor *ed, size_t c)
{
	const struct bk_importer *im = &ed->im;
	const struct bk_column *col = &im->ds.cols[c];
	const char *a = ed->old_norm + im->norm_off[c], *b = im->norm + im->norm_off[c];
	size_t la, lb;

	if (ed->old_present[c] != im->present[c])
		return 0;
	if (!im->present[c])
		return 1;
	if (col->type == BK_TYPE_INT || col->type == BK_TYPE_SCORE1TO4)
		return ed->old_ival[c] == im->ival[c];
	la = strlen(a);
	lb = strlen(b);
	return la == lb && bk_ct_equal(a, b, la);
}

/* The first correction of this dataset among names, or NULL. */
static struct correction *given(struct edit *x, const struct bk_dataset *ds, const char *const *names, size_t n)
{
	for (size_t i = 0; i < x->cs.n; i++)
		for (size_t k = 0; k < n; k++)
			if (names[k] && strcmp(x->cs.c[i].name, names[k]) == 0 && bk_dataset_column(ds, names[k]) >= 0)
				return &x->cs.c[i];
	return NULL;
}

/* Applies the corrections to row id in memory and checks the result as an
 * import checks a row; problems leave im->row_bad set. *changed_p: whether
 * any value differs from the stored one. */
/* row_apply runs each correction's value through the import's cell checks
 * into the loaded row; returns 1 if any fails. nik and birth are the
 * cell checks' outputs, wiped by the caller. */
static int row_apply(struct edit *x, struct editor *ed, struct bk_nik *nik, struct bk_date *birth)
{
	struct bk_importer *im = &ed->im;
	const struct bk_dataset *ds = &im->ds;
	int bad = 0;

	for (size_t i = 0; i < x->cs.n; i++) {
		int col = bk_dataset_column(ds, x->cs.c[i].name);
		struct correction *c = &x->cs.c[i];

		if (col < 0)
			continue;
		im->line = c->line;
		im->quiet = c->bad; /* a value that fails in one dataset is reported once */
		im->row_bad = 0;
		im->present[col] = 0; /* an empty value clears the column */
		im->ival[col] = 0;
		bk_wipe(im->norm + im->norm_off[col], slot(im, (size_t)col) + 1);
		bk_import_cell(im, c->value, c->len, c->colno, col, nik, birth);
		if (im->row_bad)
			bad = c->bad = 1;
	}
	im->quiet = 0;
	return bad;
}

/* row_consistent checks the NIK against the birth date and sex, as an
 * import does, where a correction touched them; returns 1 if they disagree. */
static int row_consistent(struct edit *x, struct editor *ed, const char *subject, const struct bk_nik *nik)
{
	struct bk_importer *im = &ed->im;
	const char *names[] = {subject, "tanggal_lahir", "jenis_kelamin"};
	struct correction *c = given(x, &im->ds, names, 3);
	int bad = 0;

	if (c && bk_import_consistent(im, nik) != BK_OK) {
		const char *hint = bk_error_hint();

		im->quiet = c->bad;
		bk_import_problem(im, c->line, c->colno, "%s: %s%s%s", subject, bk_error_detail(), hint[0] ? "; " : "",
				  hint);
		im->quiet = 0;
		bad = c->bad = 1;
	}
	bk_error_clear();
	return bad;
}

/* row_unique keeps each data subject once: a changed NIK in the registry
 * must not be another row's; sets *bad_p if it is. */
static bk_status row_unique(struct edit *x, struct editor *ed, int64_t id, const char *subject,
			    const struct bk_nik *nik, int *bad_p)
{
	struct bk_importer *im = &ed->im;
	const char *names[] = {subject};
	struct correction *c;
	int64_t existing = 0;
	bk_status rc;

	if ((rc = bk_import_find_subject(im, nik->digits, &existing)))
		goto out;
	if (existing && existing != id) {
		c = given(x, &im->ds, names, 1);
		im->quiet = c && c->bad;
		bk_import_problem(im, c ? c->line : 1, c ? c->colno : 1, "%s: this person is already registered (row %lld)",
				  subject, (long long)existing);
		im->quiet = 0;
		*bad_p = 1;
		if (c)
			c->bad = 1;
		goto out;
	}
out:
	return rc;
}

static bk_status check_row(struct edit *x, struct editor *ed, int64_t id, int *changed_p)
{
	struct bk_importer *im = &ed->im;
	const struct bk_dataset *ds = &im->ds;
	const char *subject = ds->subject_col >= 0 ? ds->cols[ds->subject_col].name : NULL;
	struct bk_nik nik;
	struct bk_date birth;
	int bad = 0;
	bk_status rc;

	*changed_p = 0;
	ed->nik_changed = 0;
	memset(ed->row_changed, 0, sizeof(ed->row_changed));
	if ((rc = load_row(x, ed, id)))
		return rc;
	if ((bad = row_apply(x, ed, &nik, &birth)))
		goto out;
	/* the row's own checks, as an import runs them, where this correction touched them */
	memset(&nik, 0, sizeof(nik));
	if (subject && im->present[ds->subject_col] &&
	    bk_validate_nik(im->norm + im->norm_off[ds->subject_col], 16, NULL, im->ref_year, &nik) != BK_OK)
		memset(&nik, 0, sizeof(nik));
	if ((bad = row_consistent(x, ed, subject, &nik)))
		goto out;
	for (size_t k = 0; k < ds->ncols; k++)
		if (!same_value(ed, k))
			*changed_p = ed->row_changed[k] = 1;
	ed->nik_changed = subject && ed->row_changed[ds->subject_col];
	if (ed->nik_changed && nik.digits[0] && strcmp(ds->name, SUBJECTS) == 0 &&
	    ((rc = row_unique(x, ed, id, subject, &nik, &bad)) || bad))
		goto out;
	/* a row that moves must stay in the user's scope */
	if (strcmp(im->kecamatan, ed->old_kecamatan) != 0 &&
	    bk_vault_acl(x->v, BK_ACT_RECORD_EDIT, ds->name, BK_COL_NONE, im->kecamatan) != BK_OK) {
		bk_error_clear();
		bad = 1;
		if (!x->out_of_scope++) {
			snprintf(x->denied_kecamatan, sizeof(x->denied_kecamatan), "%s", im->kecamatan);
			x->denied_id = id;
		}
	}
out:
	im->row_bad = bad;
	bk_wipe(&nik, sizeof(nik));
	bk_wipe(&birth, sizeof(birth));
	return rc;
}

/* Rows elsewhere linked to registration id by its old NIK lose the link: a
 * link says that the row's NIK is the registered one. Rows of the same person
 * that this command corrects afterwards are linked again when written. */
/* Unlinks one row from its subject, in the file that holds it. */
static bk_status unlink_row(struct bk_vault *v, const char *dataset, int64_t id)
{
	char table[BK_DATASET_NAME_MAX + 4], schema[BK_STORE_SCHEMA_MAX], *sql;
	bk_status rc;

	snprintf(table, sizeof(table), "ds_%s", dataset);
	if ((rc = bk_stores_locate(v->db, v->stores, v->nstores, table, id, schema)))
		return rc;
	bk_vault_mark_written(v, schema);
	sql = sqlite3_mprintf("UPDATE \"%s\".\"%s\" SET subject = NULL WHERE id = %lld", schema, table, (long long)id);
	rc = sql ? bk_db_exec(v->db, sql) : bk_fail(BK_ERR_NOMEM, "out of memory");
	sqlite3_free(sql);
	return rc;
}

/* Notes the rows of ds in file f linked to subject id that hold old_nik:
 * by the link's meaning, those with its index value under the file's key
 * (each file has its own), or none yet. */
static bk_status linked_in_file(struct edit *x, const struct bk_dataset *ds, size_t f, int64_t id,
				const char *old_nik)
{
	const struct bk_index_key *key = bk_vault_index_key(x->v, f);
	const char *bi = ds->cols[ds->subject_col].name;
	char schema[BK_STORE_SCHEMA_MAX], sql[512];
	sqlite3_stmt *sel = NULL;
	bk_status rc = BK_OK;
	int src;

	bk_stores_file(x->v->stores, f, schema);
	snprintf(sql, sizeof(sql),
		 "SELECT id FROM \"%s\".\"ds_%s\" WHERE subject = ? AND (\"%s_bi\" = ? OR \"%s_bi\" IS NULL)", schema,
		 ds->name, bi, bi);
	src = sqlite3_prepare_v2(x->v->db, sql, -1, &sel, NULL);
	if (src == SQLITE_OK) {
		sqlite3_bind_int64(sel, 1, id);
		if (key) /* else NULL: only the rows without an index */
			sqlite3_bind_int64(sel, 2, bk_index_nik(key, old_nik));
	}
	while (src == SQLITE_OK && (src = sqlite3_step(sel)) == SQLITE_ROW) {
		if (x->nunlinked == x->unlinked_cap) {
			size_t cap = x->unlinked_cap ? x->unlinked_cap * 2 : 16;
			struct unlinked *nu = realloc(x->unlinked, cap * sizeof(*nu));

			if (!nu) {
				rc = bk_fail(BK_ERR_NOMEM, "out of memory");
				break;
			}
			x->unlinked = nu;
			x->unlinked_cap = cap;
		}
		snprintf(x->unlinked[x->nunlinked].dataset, sizeof(x->unlinked[0].dataset), "%s", ds->name);
		x->unlinked[x->nunlinked++].id = sqlite3_column_int64(sel, 0);
		src = SQLITE_OK;
	}
	if (rc == BK_OK && src != SQLITE_DONE)
		rc = bk_db_status(x->v->db, src, "unlinking rows from an old NIK");
	sqlite3_finalize(sel);
	return rc;
}

static bk_status unlink_old(struct edit *x, struct editor *reg, int64_t id)
{
	const char *old_nik = reg->old_norm + reg->im.norm_off[reg->im.ds.subject_col];
	char **names = NULL;
	size_t n = 0;
	bk_status rc;

	if (!reg->im.finds_nik)
		return BK_OK; /* whoever may edit holds the blind key */
	if ((rc = bk_dataset_names(x->v->db, &names, &n)))
		return rc;
	for (size_t d = 0; d < n && rc == BK_OK; d++) {
		struct bk_dataset ds;
		size_t first = x->nunlinked;

		if (strcmp(names[d], SUBJECTS) == 0)
			continue;
		if ((rc = bk_dataset_load(x->v->db, names[d], &ds)))
			break;
		if (ds.subject_col < 0 || !ds.cols[ds.subject_col].blind_index) {
			bk_dataset_release(&ds);
			continue;
		}
		for (size_t f = 0; f <= x->v->nstores && rc == BK_OK; f++)
			rc = linked_in_file(x, &ds, f, id, old_nik);
		for (size_t i = first; i < x->nunlinked && rc == BK_OK; i++)
			rc = unlink_row(x->v, ds.name, x->unlinked[i].id);
		bk_dataset_release(&ds);
	}
	bk_dataset_names_free(names, n);
	return rc;
}

/* How many of the unlinked rows are still unlinked at the end. */
static bk_status count_unlinked(struct edit *x)
{
	char sql[128];

	for (size_t i = 0; i < x->nunlinked; i++) {
		sqlite3_stmt *st = NULL;
		int src;

		snprintf(sql, sizeof(sql), "SELECT subject IS NULL FROM \"ds_%s\" WHERE id = ?", x->unlinked[i].dataset);
		src = sqlite3_prepare_v2(x->v->db, sql, -1, &st, NULL);
		if (src == SQLITE_OK)
			src = sqlite3_bind_int64(st, 1, x->unlinked[i].id);
		if (src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
			x->r->unlinked += (uint64_t)sqlite3_column_int(st, 0);
			src = SQLITE_DONE;
		}
		sqlite3_finalize(st);
		if (src != SQLITE_DONE)
			return bk_db_status(x->v->db, src, "counting unlinked rows");
	}
	return BK_OK;
}

/* Writes the current row back as row id. Sealed values are sealed again only
 * when they or the kecamatan changed, and then under this command's own batch
 * for the kecamatan: a fresh data key, so the nonce (batch prefix || row id)
 * is new under its key (fields.h). */
/* Places row id in the file its (new) kecamatan belongs in and prepares
 * the UPDATE for that file. */
static bk_status update_in_file(struct edit *x, struct editor *ed, int64_t id)
{
	char table[BK_DATASET_NAME_MAX + 4], schema[BK_STORE_SCHEMA_MAX], *sql;
	bk_status rc;
	int src;

	snprintf(table, sizeof(table), "ds_%s", ed->im.ds.name);
	if ((rc = bk_stores_place(x->v->db, x->v->stores, x->v->nstores, table, id,
				  ed->im.kecamatan[0] ? ed->im.kecamatan : NULL, schema)))
		return rc;
	bk_vault_mark_written(x->v, schema);
	bk_vault_mark_kecamatan(x->v, ed->old_kecamatan); /* the row may have left that store */
	if (ed->update && strcmp(schema, ed->update_file) == 0)
		return BK_OK;
	sqlite3_finalize(ed->update);
	ed->update = NULL;
	sql = sqlite3_mprintf("UPDATE \"%s\".\"%s\" %s", schema, table, ed->update_tail);
	src = sql ? sqlite3_prepare_v2(x->v->db, sql, -1, &ed->update, NULL) : SQLITE_NOMEM;
	sqlite3_free(sql);
	if (src != SQLITE_OK)
		return bk_db_status(x->v->db, src, "preparing the edit");
	snprintf(ed->update_file, sizeof(ed->update_file), "%s", schema);
	return BK_OK;
}

static bk_status write_row(struct edit *x, struct editor *ed, int64_t id)
{
	struct bk_importer *im = &ed->im;
	const struct bk_dataset *ds = &im->ds;
	struct bk_import_batch *b = NULL;
	sqlite3_stmt *st;
	size_t sealed_len = 0;
	int reseal = 0, p = 1;
	bk_status rc;

	if ((rc = update_in_file(x, ed, id)))
		return rc;
	st = ed->update;

	for (size_t i = 0; i < im->nsealed; i++)
		reseal |= ed->row_changed[im->sealed_idx[i]];
	if (im->nsealed && strcmp(im->kecamatan, ed->old_kecamatan) != 0)
		reseal = 1;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (reseal && ((rc = bk_import_batch(im, im->kecamatan, &b)) || (rc = bk_import_seal(im, id, b, &sealed_len))))
		return rc;
	sqlite3_bind_int64(st, p++, b ? b->id : ed->old_batch);
	if (im->kecamatan[0])
		sqlite3_bind_text(st, p++, im->kecamatan, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, p++);
	if (ds->subject_col >= 0 && im->present[ds->subject_col] && strcmp(ds->name, SUBJECTS) == 0) {
		sqlite3_bind_int64(st, p++, id); /* a registered subject is its own row */
	} else if (ed->nik_changed) {
		/* a link says the row's NIK is the registered one: look the new NIK up */
		int64_t subject = 0;

		if (im->present[ds->subject_col] &&
		    (rc = bk_import_find_subject(im, im->norm + im->norm_off[ds->subject_col], &subject)))
			return rc;
		if (subject)
			sqlite3_bind_int64(st, p++, subject);
		else
			sqlite3_bind_null(st, p++);
	} else if (ed->old_subject) {
		sqlite3_bind_int64(st, p++, ed->old_subject);
	} else {
		sqlite3_bind_null(st, p++);
	}
	if (reseal)
		sqlite3_bind_blob(st, p++, im->sealed, (int)sealed_len, SQLITE_STATIC);
	else if (ed->old_sealed_len)
		sqlite3_bind_blob(st, p++, ed->old_sealed, (int)ed->old_sealed_len, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, p++);
	p = bk_import_bind_columns(im, st, p);
	sqlite3_bind_int64(st, p, id);
	if (sqlite3_step(st) != SQLITE_DONE || sqlite3_changes(x->v->db) != 1)
		return bk_db_status(x->v->db, sqlite3_errcode(x->v->db), "writing a corrected row");
	bk_subject_lookups_stale(x->v, ds->name); /* its blind index or file may have changed */
	sqlite3_reset(st);
	for (size_t c = 0; c < ds->ncols; c++)
		ed->changed[c] |= ed->row_changed[c];
	ed->rows++;
	x->r->rows++;
	if (ed->nik_changed && strcmp(ds->name, SUBJECTS) == 0)
		return unlink_old(x, ed, id);
	return BK_OK;
}

/* Checks row id and, while the command has no problem, writes it. */
static bk_status edit_row(struct edit *x, struct editor *ed, int64_t id)
{
	int changed = 0;
	bk_status rc;

	ed->found++;
	if ((rc = check_row(x, ed, id, &changed)))
		return rc;
	if (!changed || ed->im.row_bad || x->ir.problems || x->out_of_scope)
		return BK_OK;
	return write_row(x, ed, id);
}

static int list_has(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *s = list; *s; s += strcspn(s, ",") + (s[strcspn(s, ",")] == ',')) {
		if (strncmp(s, name, n) == 0 && (s[n] == ',' || s[n] == '\0'))
			return 1;
	}
	return 0;
}

/* r->columns: the names of the columns that changed, in schema order. */
static void note_columns(struct edit *x, struct editor *const *eds, size_t n)
{
	size_t len = strlen(x->r->columns);

	for (size_t e = 0; e < n; e++)
		for (size_t c = 0; c < eds[e]->im.ds.ncols; c++) {
			const char *name = eds[e]->im.ds.cols[c].name;

			if (!eds[e]->changed[c] || list_has(x->r->columns, name) ||
			    len + strlen(name) + 2 > sizeof(x->r->columns))
				continue;
			len += (size_t)snprintf(x->r->columns + len, sizeof(x->r->columns) - len, "%s%s", len ? "," : "",
						name);
		}
}

/* Ends a command: problems, a row leaving the user's scope, or the entry. */
static bk_status finish(struct edit *x, struct bk_audit_entry *e, struct editor *const *eds, size_t n)
{
	char detail[1024];
	size_t len;
	bk_status rc;

	x->r->problems = x->ir.problems;
	if (x->ir.problems) {
		bk_vault_rollback(x->v);
		return bk_fail(BK_ERR_FORMAT, "%s: %llu problem%s; nothing was changed", x->o->path,
			       (unsigned long long)x->ir.problems, x->ir.problems == 1 ? "" : "s");
	}
	if (x->out_of_scope) {
		const struct bk_region *k = bk_regions_find(&x->v->regions, BK_REGION_KECAMATAN, x->denied_kecamatan);

		bk_vault_rollback(x->v);
		snprintf(detail, sizeof(detail), "%llu row%s would move to a kecamatan outside the user's scope",
			 (unsigned long long)x->out_of_scope, x->out_of_scope == 1 ? "" : "s");
		e->outcome = "denied";
		e->detail = detail;
		e->rows = -1;
		if ((rc = bk_vault_begin(x->v)) || (rc = bk_vault_audit(x->v, e)) || (rc = bk_vault_commit(x->v)))
			return rc;
		return bk_fail(BK_ERR_DENIED, "row %lld would move to kecamatan %s, outside your scope; nothing was changed",
			       (long long)x->denied_id, k ? k->nama : x->denied_kecamatan);
	}
	if ((rc = count_unlinked(x)))
		return rc;
	note_columns(x, eds, n);
	len = (size_t)snprintf(detail, sizeof(detail), "%s%s", x->r->columns[0] ? "changed " : "no change",
			       x->r->columns);
	for (size_t i = 0; i < n && n > 1; i++)
		len += (size_t)snprintf(detail + len, len < sizeof(detail) ? sizeof(detail) - len : 0, "%s%s %llu of %llu",
					i ? ", " : "; rows: ", eds[i]->im.ds.name, (unsigned long long)eds[i]->rows,
					(unsigned long long)eds[i]->found);
	if (x->r->unlinked && len < sizeof(detail))
		snprintf(detail + len, sizeof(detail) - len, "; %llu row%s unlinked from the old NIK",
			 (unsigned long long)x->r->unlinked, x->r->unlinked == 1 ? "" : "s");
	e->detail = detail;
	e->rows = (long long)x->r->rows;
	if ((rc = bk_vault_audit(x->v, e)) || (rc = bk_vault_commit(x->v)))
		return rc;
	for (size_t i = 0; i < n && i < BK_EDIT_DATASETS_MAX; i++) {
		snprintf(x->r->datasets[i].name, sizeof(x->r->datasets[i].name), "%s", eds[i]->im.ds.name);
		x->r->datasets[i].found = eds[i]->found;
		x->r->datasets[i].changed = eds[i]->rows;
		x->r->ndatasets = i + 1;
	}
	return BK_OK;
}

static bk_status start(struct edit *x, struct bk_vault *v, const struct bk_edit_opts *o, struct bk_edit_result *r)
{
	memset(x, 0, sizeof(*x));
	memset(r, 0, sizeof(*r));
	x->v = v;
	x->o = o;
	x->r = r;
	if (!o->purpose || !o->purpose[0])
		return bk_fail(BK_ERR_USAGE, "a --purpose is required");
	return BK_OK;
}

bk_status bk_vault_record_edit(struct bk_vault *v, const char *dataset, int64_t id, const struct bk_edit_opts *o,
			       struct bk_edit_result *r)
{
	struct edit *x = calloc(1, sizeof(*x));
	struct editor *ed = NULL;
	struct bk_audit_entry e;
	char target[64], what[64];
	bk_status rc;

	if (!x)
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	if ((rc = start(x, v, o, r)))
		goto out;
	/* may the user correct records at all? the row's kecamatan is checked when it is read */
	if ((rc = bk_vault_require(v, BK_ACT_RECORD_EDIT, dataset, BK_COL_NONE, bk_vault_own_scope(v))) ||
	    (rc = editor_new(x, dataset, &ed)))
		goto out;
	snprintf(what, sizeof(what), "dataset '%s'", ed->im.ds.name);
	parse(x, known_in_dataset, &ed->im.ds, what);
	snprintf(target, sizeof(target), "row %lld", (long long)id);
	bk_audit_entry_init(&e);
	e.action = "record-edit";
	e.dataset = ed->im.ds.name;
	e.purpose = o->purpose;
	e.target = target;
	if ((rc = bk_vault_begin(v)) || (rc = edit_row(x, ed, id)))
		goto out;
	rc = finish(x, &e, &ed, 1);
out:
	if (v->in_tx)
		bk_vault_rollback(v);
	editor_free(ed);
	free(x->unlinked);
	bk_wipe(x, sizeof(*x));
	free(x);
	return rc;
}

/* --- subject correct --- */

struct subject_sets {
	struct bk_dataset ds[BK_EDIT_DATASETS_MAX]; /* the datasets naming subjects by a blind-indexed NIK */
	size_t n;
	int registry; /* index of the registry of subjects in ds, -1: none */
};

/* A person's correction names what describes the person (the registry's
 * columns: name, birth date, desa, ...), applied wherever a row of theirs has
 * it; what describes one event (a date of use, an answer, a complaint) is one
 * row's business: record edit. */
static int known_in_subjects(void *ctx, const char *name, const char **near_p)
{
	struct subject_sets *ss = ctx;
	size_t best = strlen(name) / 3 + 1;

	if (ss->registry >= 0) {
		if (bk_dataset_column(&ss->ds[ss->registry], name) >= 0)
			return 1;
		*near_p = nearest(&ss->ds[ss->registry], name, &best);
		return 0;
	}
	for (size_t i = 0; i < ss->n; i++)
		if (bk_dataset_column(&ss->ds[i], name) >= 0)
			return 1;
	for (size_t i = 0; i < ss->n; i++) {
		const char *near = nearest(&ss->ds[i], name, &best);

		if (near)
			*near_p = near;
	}
	return 0;
}

static bk_status load_subject_sets(struct bk_vault *v, struct subject_sets *ss)
{
	char **names = NULL;
	size_t n = 0;
	bk_status rc;

	ss->n = 0;
	ss->registry = -1;
	if ((rc = bk_dataset_names(v->db, &names, &n)))
		return rc;
	for (size_t d = 0; d < n && rc == BK_OK && ss->n < BK_EDIT_DATASETS_MAX; d++) {
		struct bk_dataset *ds = &ss->ds[ss->n];

		if ((rc = bk_dataset_load(v->db, names[d], ds)))
			break;
		if (ds->subject_col < 0 || !ds->cols[ds->subject_col].blind_index) {
			bk_dataset_release(ds);
			continue;
		}
		if (strcmp(ds->name, SUBJECTS) == 0)
			ss->registry = (int)ss->n;
		ss->n++;
	}
	bk_dataset_names_free(names, n);
	return rc;
}

struct match {
	char dataset[BK_DATASET_NAME_MAX + 1];
	int64_t id;
	char kecamatan[BK_CODE_MAX];
};

struct matches {
	struct match *m;
	size_t n, cap;
};

static bk_status note_match(void *ctx, const struct bk_dataset *ds, sqlite3_stmt *st, const uint8_t **vals,
			    const size_t *lens)
{
	struct matches *ms = ctx;
	const char *kec = (const char *)sqlite3_column_text(st, 3);

	(void)vals;
	(void)lens;
	if (ms->n == ms->cap) {
		size_t cap = ms->cap ? ms->cap * 2 : 16;
		struct match *nm = realloc(ms->m, cap * sizeof(*nm));

		if (!nm)
			return bk_fail(BK_ERR_NOMEM, "out of memory");
		ms->m = nm;
		ms->cap = cap;
	}
	snprintf(ms->m[ms->n].dataset, sizeof(ms->m[ms->n].dataset), "%s", ds->name);
	snprintf(ms->m[ms->n].kecamatan, sizeof(ms->m[ms->n].kecamatan), "%s", kec ? kec : "");
	ms->m[ms->n++].id = sqlite3_column_int64(st, 0);
	return BK_OK;
}

/* The registry first (other rows link to it by its new NIK), then by dataset and row. */
static int match_order(const void *pa, const void *pb)
{
	const struct match *a = pa, *b = pb;
	int ra = strcmp(a->dataset, SUBJECTS) == 0, rb = strcmp(b->dataset, SUBJECTS) == 0, d;

	if (ra != rb)
		return rb - ra;
	if ((d = strcmp(a->dataset, b->dataset)) != 0)
		return d;
	return a->id < b->id ? -1 : a->id > b->id;
}

bk_status bk_vault_subject_correct(struct bk_vault *v, const char *nik, const struct bk_edit_opts *o,
				   struct bk_edit_result *r)
{
	struct edit *x = calloc(1, sizeof(*x));
	struct subject_sets *ss = calloc(1, sizeof(*ss));
	struct editor *eds[BK_EDIT_DATASETS_MAX] = {NULL};
	struct matches ms = {NULL, 0, 0};
	struct bk_subject_result sr;
	struct bk_audit_entry e;
	char subject[33];
	size_t neds = 0;
	bk_status rc;

	if (!x || !ss) {
		rc = bk_fail(BK_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = start(x, v, o, r)) || (rc = bk_subject_check_nik(nik)))
		goto out;
	/* finding the person's rows, then correcting them: each row's kecamatan is checked below */
	if ((rc = bk_vault_require(v, BK_ACT_SUBJECT_RIGHTS, NULL, BK_COL_NONE, bk_vault_own_scope(v))) ||
	    (rc = bk_vault_require(v, BK_ACT_RECORD_EDIT, NULL, BK_COL_NONE, bk_vault_own_scope(v))) ||
	    (rc = load_subject_sets(v, ss)))
		goto out;
	parse(x, known_in_subjects, ss, ss->registry >= 0 ? "the registry of persons ('" SUBJECTS "'); a column "
							       "of one row is corrected with record edit"
							     : "any dataset naming its subjects");
	memset(&sr, 0, sizeof(sr));
	if ((rc = bk_vault_audit_hash(v, nik, 16, subject)) || (rc = bk_vault_begin(v)) ||
	    (rc = bk_vault_subject_rows(v, nik, NULL, note_match, &ms, &sr)))
		goto out;
	r->unreadable = sr.unreadable;
	r->some_stores = !bk_vault_holds_every_store(v);
	if (ms.n) /* qsort with a NULL array is undefined even for no elements */
		qsort(ms.m, ms.n, sizeof(*ms.m), match_order);
	for (size_t i = 0; i < ms.n && rc == BK_OK; i++) {
		if (!neds || strcmp(eds[neds - 1]->im.ds.name, ms.m[i].dataset) != 0) {
			if (neds == BK_EDIT_DATASETS_MAX) {
				rc = bk_fail(BK_ERR_STATE, "the person has rows in more than %d datasets", BK_EDIT_DATASETS_MAX);
				break;
			}
			if ((rc = editor_new(x, ms.m[i].dataset, &eds[neds])))
				break;
			neds++;
		}
		rc = edit_row(x, eds[neds - 1], ms.m[i].id);
	}
	if (rc != BK_OK)
		goto out;
	bk_audit_entry_init(&e);
	e.action = "subject-correct";
	e.purpose = o->purpose;
	e.subject = subject;
	rc = finish(x, &e, eds, neds);
out:
	if (v->in_tx)
		bk_vault_rollback(v);
	for (size_t i = 0; i < neds; i++)
		editor_free(eds[i]);
	for (size_t i = 0; ss && i < ss->n; i++)
		bk_dataset_release(&ss->ds[i]);
	free(ss);
	free(ms.m);
	if (x) {
		free(x->unlinked);
		bk_wipe(x, sizeof(*x));
	}
	free(x);
	return rc;
}
