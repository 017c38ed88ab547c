/* import.c - streaming, validated, all-or-nothing CSV import (libcsv). */
#include "vault/records/import.h"

#include <csv.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/text.h"
#include "crypto/box.h"
#include "crypto/hash.h"
#include "crypto/secmem.h"
#include "vault/schema/dataset.h"
#include "vault/core/db.h"
#include "vault/core/fields.h"
#include "vault/schema/validate.h"
#include "vault/records/import_internal.h"
#include "vault/core/stores.h"
#include "vault/core/vault_internal.h"
#include "vault/records/records_internal.h"
#include "vault/records/subjects.h"

#define CHUNK (256 * 1024)
#define RECORD_MAX (16u << 20)  /* one row's raw bytes */
#define FIELD_MAX (10u << 20)   /* one cell: above this libcsv's buffer is refused */
#define SUBJECTS BK_IMPORT_SUBJECTS
#define BULK_BYTES (8u << 20)   /* larger files into an empty table load without indexes */

/* --- problems --- */

BK_PRINTF(4, 0) static void vproblem(struct bk_importer *im, size_t line, size_t col, const char *fmt, va_list ap)
{
	char reason[384], msg[1024];

	im->row_bad = 1;
	if (im->quiet)
		return;
	im->r->problems++;
	if (!im->o->problem || im->r->problems > (uint64_t)im->o->max_messages)
		return;
	vsnprintf(reason, sizeof(reason), fmt, ap);
	snprintf(msg, sizeof(msg), "%s:%zu:%zu: %s", im->o->path, line, col, reason);
	im->o->problem(im->o->ctx, msg);
}

void bk_import_problem(struct bk_importer *im, size_t line, size_t col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vproblem(im, line, col, fmt, ap);
	va_end(ap);
}

BK_PRINTF(4, 5) static void problem(struct bk_importer *im, size_t line, size_t col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vproblem(im, line, col, fmt, ap);
	va_end(ap);
}

/* A cell's problem: the column's name and the validator's reason, never the value. */
static void cell_problem(struct bk_importer *im, size_t colno, const char *column)
{
	const char *hint = bk_error_hint();

	problem(im, im->line, colno, "%s: %s%s%s", column, bk_error_detail(), hint[0] ? "; " : "", hint);
	bk_error_clear();
}

/* --- the tag set --- */

/* An open-addressing set of 16-byte PRF tags (an all-zero slot is empty),
 * at most three quarters full. */
static size_t tag_slot(const struct bk_import_tags *s, const uint8_t tag[16])
{
	uint64_t h;

	memcpy(&h, tag, 8); /* a PRF output: any 8 bytes are uniform */
	return (size_t)h & (s->cap - 1);
}

static void tagset_prefetch(const struct bk_import_tags *s, const uint8_t tag[16])
{
	if (s->cap)
		__builtin_prefetch(s->slots[tag_slot(s, tag)]);
}

/* Makes room for about n tags without growing; -1 when out of memory. */
static int tagset_grow(struct bk_import_tags *s, size_t n)
{
	static const uint8_t zero[16];
	struct bk_import_tags g = {NULL, s->cap ? s->cap : 4096, 0};
	size_t i;

	while (g.cap / 4 * 3 <= n)
		g.cap *= 2;
	if (g.cap == s->cap)
		return 0;
	/* written now, not merely mapped: a slot first read, then written, would fault twice, and
	 * with the writer thread running each such fault interrupts the other processor */
	if (!(g.slots = malloc(g.cap * 16)))
		return -1;
	memset(g.slots, 0, g.cap * 16);
	for (size_t j = 0; j < s->cap; j++) {
		if (memcmp(s->slots[j], zero, 16) == 0)
			continue;
		for (i = tag_slot(&g, s->slots[j]); memcmp(g.slots[i], zero, 16) != 0; i = (i + 1) & (g.cap - 1))
			;
		memcpy(g.slots[i], s->slots[j], 16);
	}
	free(s->slots);
	s->slots = g.slots;
	s->cap = g.cap;
	return 0;
}

/* Returns 1 when tag was there, 0 when added, -1 when out of memory. */
static int tagset_add(struct bk_import_tags *s, const uint8_t tag[16])
{
	static const uint8_t zero[16];
	size_t i;

	if (s->count * 4 >= s->cap * 3 && tagset_grow(s, s->count + 1) != 0)
		return -1;
	for (i = tag_slot(s, tag);; i = (i + 1) & (s->cap - 1)) {
		if (memcmp(s->slots[i], zero, 16) == 0) {
			memcpy(s->slots[i], tag, 16);
			s->count++;
			return 0;
		}
		if (memcmp(s->slots[i], tag, 16) == 0)
			return 1;
	}
}

static void tagset_free(struct bk_import_tags *s)
{
	free(s->slots);
	memset(s, 0, sizeof(*s));
}

/* --- records ---
 *
 * Each INSERT becomes a record before it runs: a kind byte ('R' a row of the
 * dataset, 'B' a batch), a u32 length, then the statement's parameters in
 * order, each a type byte ('n' NULL, 'i' int64, 't' text, 'b' blob) and its
 * value (8 bytes, or a u32 length and the bytes); a row's sealed blob is
 * still to be made: 's', the slot of its batch (u16), its row id (i64) and
 * its packed values in clear (u32 length, bytes), sealed when the record
 * runs. A record runs at once, or in a bulk load from the writer thread
 * while the next rows are read (see "the writer"). Records hold identifiers
 * in clear, so they live in guarded memory and are wiped once run. */

struct rec {
	uint8_t *start, *p;
};


static void rec_begin(struct bk_importer *im, struct rec *r, char kind)
{
	r->start = im->out + im->out_len;
	r->start[0] = (uint8_t)kind;
	r->p = r->start + 5;
}

static void put_null(struct rec *r)
{
	*r->p++ = 'n';
}

static void put_int(struct rec *r, int64_t v)
{
	*r->p++ = 'i';
	memcpy(r->p, &v, 8);
	r->p += 8;
}

static void put_bytes(struct rec *r, char type, const void *b, size_t n)
{
	uint32_t len = (uint32_t)n;

	*r->p++ = (uint8_t)type;
	memcpy(r->p, &len, 4);
	if (n)
		memcpy(r->p + 4, b, n);
	r->p += 4 + n;
}

static void put_text(struct rec *r, const char *s)
{
	put_bytes(r, 't', s, strlen(s));
}

/* Seals a row's packed values at p (after the 's') into ru->sealed; *len_p:
 * the sealed length. */
static bk_status seal_packed(struct bk_import_runner *ru, const uint8_t *p, size_t *len_p)
{
	struct bk_importer *im = ru->im;
	const struct bk_import_batch *b;
	uint16_t slot;
	int64_t id;
	uint32_t n;
	bk_status rc;

	memcpy(&slot, p, 2);
	memcpy(&id, p + 2, 8);
	memcpy(&n, p + 10, 4);
	b = &im->batches[slot];
	if ((rc = bk_fields_seal_row(ru->sealed, p + 14, n, b->subkey, ru->ad, im->ad_len, id, b->id)))
		return rc;
	*len_p = n + BK_FIELDS_OVERHEAD;
	return BK_OK;
}

static bk_status bind_sealed(struct bk_import_runner *ru, sqlite3_stmt *st, int i, const uint8_t *p)
{
	size_t len;
	bk_status rc;

	if ((rc = seal_packed(ru, p, &len)))
		return rc;
	sqlite3_bind_blob(st, i, ru->sealed, (int)len, SQLITE_STATIC);
	return BK_OK;
}

/* A row for a kecamatan whose store the user does not hold (an operator's)
 * goes to vault.db's inbox sealed whole to the kecamatan's public key: its
 * column names, then its values in the record's own encoding with the
 * sealed values sealed (stores.h, "the inbox"). [p, e) are its parameters;
 * the fourth is its kecamatan. */
static bk_status inbox_put(struct bk_import_runner *ru, const uint8_t *p, const uint8_t *e)
{
	struct bk_importer *im = ru->im;
	size_t cols = strlen(im->insert_cols) + 1, cap = cols + (size_t)(e - p) + BK_FIELDS_OVERHEAD, n = cols;
	uint8_t *plain = bk_secmem_alloc(cap), *box = malloc(cap + BK_SEAL_OVERHEAD);
	const struct bk_keyring_key *kk = NULL;
	char kec[BK_CODE_MAX] = "";
	bk_status rc = BK_OK;
	int i = 1, src;

	if (!plain || !box) {
		rc = bk_fail(BK_ERR_NOMEM, "out of memory");
		goto out;
	}
	memcpy(plain, im->insert_cols, cols);
	for (; p < e && rc == BK_OK; i++) {
		uint8_t type = *p++;
		uint32_t len;
		size_t sealed_len;

		if (type == 'n') {
			plain[n++] = 'n';
		} else if (type == 'i') {
			plain[n++] = 'i';
			memcpy(plain + n, p, 8);
			n += 8;
			p += 8;
		} else if (type == 's') {
			if ((rc = seal_packed(ru, p, &sealed_len)))
				break;
			plain[n++] = 'b';
			memcpy(plain + n, &(uint32_t){(uint32_t)sealed_len}, 4);
			memcpy(plain + n + 4, ru->sealed, sealed_len);
			n += 4 + sealed_len;
			memcpy(&len, p + 10, 4);
			p += 14 + len;
		} else {
			memcpy(&len, p, 4);
			if (i == 4 && type == 't')
				snprintf(kec, sizeof(kec), "%.*s", (int)len, (const char *)p + 4);
			plain[n++] = type;
			memcpy(plain + n, p, 4 + len);
			n += 4 + len;
			p += 4 + len;
		}
	}
	if (rc == BK_OK && !(kk = bk_keyring_current_key(&im->v->kr, BK_KEY_KECAMATAN, kec)))
		rc = bk_fail(BK_ERR_STATE, "no key pair for kecamatan %s", kec);
	if (rc == BK_OK && (rc = bk_seal(box, plain, n, kk->pub)) == BK_OK)
		bk_vault_mark_sealed(im->v);
	if (rc == BK_OK && !im->inbox_insert &&
	    sqlite3_prepare_v2(im->v->db, "INSERT INTO main.inbox (dataset, kecamatan, box) VALUES (?, ?, ?)", -1,
			       &im->inbox_insert, NULL) != SQLITE_OK)
		rc = bk_db_status(im->v->db, sqlite3_errcode(im->v->db), "preparing the inbox");
	if (rc == BK_OK) {
		sqlite3_reset(im->inbox_insert);
		sqlite3_bind_text(im->inbox_insert, 1, im->ds.name, -1, SQLITE_STATIC);
		sqlite3_bind_text(im->inbox_insert, 2, kec, -1, SQLITE_STATIC);
		sqlite3_bind_blob(im->inbox_insert, 3, box, (int)(n + BK_SEAL_OVERHEAD), SQLITE_STATIC);
		if ((src = sqlite3_step(im->inbox_insert)) != SQLITE_DONE)
			rc = bk_db_status(im->v->db, src, "writing to the inbox");
		sqlite3_reset(im->inbox_insert);
	}
out:
	if (plain)
		bk_wipe(plain, cap);
	bk_secmem_free(plain);
	free(box);
	return rc;
}

/* The INSERT of a row into the file of slot (import_internal.h). */
static bk_status insert_into(struct bk_importer *im, uint8_t slot, sqlite3_stmt **st_p)
{
	char schema[BK_STORE_SCHEMA_MAX];
	char *sql;
	int src;

	if (slot > im->v->nstores)
		return bk_fail(BK_ERR_STATE, "a row for a store that is not attached");
	if (!im->insert[slot]) {
		bk_stores_file(im->v->stores, slot, schema);
		sql = sqlite3_mprintf("INSERT INTO \"%s\".\"ds_%s\" %s", schema, im->ds.name, im->insert_tail);
		src = sql ? sqlite3_prepare_v2(im->v->db, sql, -1, &im->insert[slot], NULL) : SQLITE_NOMEM;
		sqlite3_free(sql);
		if (src != SQLITE_OK)
			return bk_db_status(im->v->db, src, "preparing the import");
		bk_vault_mark_written(im->v, schema); /* its serial goes up at commit */
	}
	*st_p = im->insert[slot];
	return BK_OK;
}

/* Where a row of kecamatan kec goes: vault.db when it has none, its store
 * when attached, else the inbox (stores.h). */
#define INBOX_SLOT 0xff
static uint8_t insert_slot(struct bk_importer *im, const char *kec)
{
	uint8_t slot = INBOX_SLOT;

	if (!kec[0])
		return 0;
	/* rows come in runs of one kecamatan (a group is sorted by it): one compare, not 22 */
	if (strcmp(im->slot_kec, kec) == 0)
		return im->slot;
	for (size_t i = 0; i < im->v->nstores && slot == INBOX_SLOT; i++)
		if (strcmp(im->v->stores[i], kec) == 0)
			slot = (uint8_t)(i + 1);
	snprintf(im->slot_kec, sizeof(im->slot_kec), "%s", kec);
	im->slot = slot;
	return slot;
}

/* Runs the records in [p, p + len) on vault.db; the first failure stops them. */
static bk_status run_records(struct bk_import_runner *ru, const uint8_t *p, size_t len)
{
	struct bk_importer *im = ru->im;
	const uint8_t *end = p + len;
	bk_status rc;

	while (p < end) {
		const char *what = p[0] == 'B' ? "recording a batch" : "inserting a row";
		sqlite3_stmt *st = im->batch_insert;
		const uint8_t *e;
		uint32_t n;
		int i = 1, src;

		memcpy(&n, p + 1, 4);
		e = p + 5 + n;
		if (p[0] == 'R' && p[5] == INBOX_SLOT) {
			if ((rc = inbox_put(ru, p + 6, e)))
				return rc;
			p = e;
			continue;
		}
		if (p[0] == 'R' && (rc = insert_into(im, p[5], &st)))
			return rc;
		p += p[0] == 'R' ? 6 : 5; /* a row names its file first */
		sqlite3_reset(st); /* every parameter is bound below: no clear_bindings */
		while (p < e) {
			uint8_t type = *p++;
			int64_t v;

			if (type == 'n') {
				sqlite3_bind_null(st, i++);
			} else if (type == 'i') {
				memcpy(&v, p, 8);
				p += 8;
				sqlite3_bind_int64(st, i++, v);
			} else if (type == 's') {
				if ((rc = bind_sealed(ru, st, i++, p)))
					return rc;
				memcpy(&n, p + 10, 4);
				p += 14 + n;
			} else {
				memcpy(&n, p, 4);
				if (type == 't')
					sqlite3_bind_text(st, i++, (const char *)p + 4, (int)n, SQLITE_STATIC);
				else
					sqlite3_bind_blob(st, i++, p + 4, (int)n, SQLITE_STATIC);
				p += 4 + n;
			}
		}
		if ((src = sqlite3_step(st)) != SQLITE_DONE)
			return bk_db_status(im->v->db, src, what);
	}
	return BK_OK;
}

static bk_status writer_put(struct bk_importer *im);

/* Ends a record: runs it now, or leaves it to the writer thread, whose buffer
 * goes to it when another record might not fit. */
static bk_status rec_end(struct bk_importer *im, struct rec *r)
{
	uint32_t n = (uint32_t)(r->p - r->start - 5);
	bk_status rc;

	memcpy(r->start + 1, &n, 4);
	im->out_len += 5 + n;
	if (im->writer)
		return im->out_cap - im->out_len < im->rec_max ? writer_put(im) : BK_OK;
	rc = run_records(&im->runner, im->out, im->out_len);
	bk_wipe(im->out, im->out_len);
	im->out_len = 0;
	return rc;
}

/* The statement that records batches, and the next batch's id. Several
 * importers can make batches in one transaction (subject correct), so the id
 * is read anew each time, except while the writer thread holds vault.db: then
 * only this importer makes batches, from the id read when the writer started. */
static bk_status batch_next(struct bk_importer *im, int64_t *id_p)
{
	sqlite3_stmt *st = NULL;
	bk_status rc = BK_OK;

	if (im->writer) {
		*id_p = im->next_batch++;
		return BK_OK;
	}
	if (!im->batch_insert &&
	    sqlite3_prepare_v2(im->v->db,
			       "INSERT INTO batches (id, dataset, kecamatan, key_id, sealed_key, created, actor) "
			       "VALUES (?,?,?,?,?,?,?)",
			       -1, &im->batch_insert, NULL) != SQLITE_OK)
		return bk_db_status(im->v->db, sqlite3_errcode(im->v->db), "preparing the batches");
	if (sqlite3_prepare_v2(im->v->db, "SELECT coalesce(max(id), 0) + 1 FROM batches", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW)
		rc = bk_db_status(im->v->db, sqlite3_errcode(im->v->db), "reading batch ids");
	else
		*id_p = im->next_batch = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc;
}

/* --- batches: one data key per kecamatan per import --- */

bk_status bk_import_batch(struct bk_importer *im, const char *kec, struct bk_import_batch **b_p)
{
	const struct bk_keyring_key *kk;
	struct bk_import_batch *b;
	uint8_t sealed[BK_SEAL_OVERHEAD + BK_FIELDS_KEYBYTES];
	char now[24];
	struct rec r;
	bk_status rc;

	/* a bulk load writes its rows grouped by kecamatan: mostly the batch of the row before */
	if (im->last_batch && strcmp(im->last_batch->kecamatan, kec) == 0) {
		*b_p = im->last_batch;
		return BK_OK;
	}
	for (size_t i = 0; i < im->nbatches; i++)
		if (strcmp(im->batches[i].kecamatan, kec) == 0) {
			*b_p = im->last_batch = &im->batches[i];
			return BK_OK;
		}
	if (im->nbatches == sizeof(im->batches) / sizeof(im->batches[0]))
		return bk_fail(BK_ERR_STATE, "too many kecamatan in one import");
	kk = bk_keyring_current_key(&im->v->kr, BK_KEY_KECAMATAN, kec);
	if (!kk)
		return bk_fail(BK_ERR_STATE, "no key for kecamatan %s", kec);
	b = &im->batches[im->nbatches];
	memset(b, 0, sizeof(*b));
	b->key = bk_secmem_alloc(BK_FIELDS_KEYBYTES);
	b->subkey = bk_secmem_alloc(BK_FIELDS_KEYBYTES);
	im->nbatches++;
	if (!b->key || !b->subkey)
		return bk_fail(BK_ERR_NOMEM, "out of guarded memory");
	snprintf(b->kecamatan, sizeof(b->kecamatan), "%s", kec);
	bk_random(b->key, BK_FIELDS_KEYBYTES);
	bk_fields_subkey(b->subkey, b->key);
	/* the id is ours to give, under the write lock: a bulk load's rows are sealed with it
	 * before the writer thread records the batch */
	if ((rc = bk_seal(sealed, b->key, BK_FIELDS_KEYBYTES, kk->pub)) || (rc = batch_next(im, &b->id)))
		return rc;
	bk_vault_mark_sealed(im->v);
	bk_vault_now(now);
	rec_begin(im, &r, 'B');
	put_int(&r, b->id);
	put_text(&r, im->ds.name);
	put_text(&r, kec);
	put_text(&r, kk->id);
	put_bytes(&r, 'b', sealed, sizeof(sealed));
	put_text(&r, now);
	put_text(&r, bk_vault_me(im->v)->name);
	if ((rc = rec_end(im, &r)))
		return rc;
	im->r->batches++;
	*b_p = im->last_batch = b;
	return BK_OK;
}

/* --- header --- */

static void take_header(struct bk_importer *im)
{
	int seen[BK_COLUMNS_MAX] = {0};

	im->have_header = 1;
	im->nheader = im->nfields;
	if (im->overflow || im->nfields > BK_COLUMNS_MAX) {
		problem(im, im->line, 1, "the header has more columns than dataset '%s' (%zu)", im->ds.name,
			im->ds.ncols);
		return;
	}
	for (size_t f = 0; f < im->nfields; f++) {
		char name[BK_COLUMN_NAME_MAX + 1];
		const char *s = im->raw + im->off[f];
		size_t n = im->len[f];
		int col;

		if (f == 0 && n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) { /* UTF-8 byte order mark */
			s += 3;
			n -= 3;
		}
		while (n > 0 && (*s == ' ' || *s == '\t')) {
			s++;
			n--;
		}
		while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		im->map[f] = -1;
		if (n == 0 || n > BK_COLUMN_NAME_MAX) {
			problem(im, im->line, f + 1, "header cell is empty or not a column of '%s'", im->ds.name);
			continue;
		}
		for (size_t i = 0; i < n; i++)
			name[i] = (char)((s[i] >= 'A' && s[i] <= 'Z') ? s[i] + 32 : s[i]);
		name[n] = '\0';
		col = bk_dataset_column(&im->ds, name);
		if (col < 0) {
			/* the cell is never echoed: a file without a header has personal data here */
			const char *near = NULL;
			size_t best = n / 3 + 1; /* a typo, not another word */

			for (size_t c = 0; c < im->ds.ncols; c++) {
				size_t d = bk_edit_distance(im->ds.cols[c].name, strlen(im->ds.cols[c].name), name, n);

				if (d < best) {
					best = d;
					near = im->ds.cols[c].name;
				}
			}
			if (near) {
				problem(im, im->line, f + 1, "header cell %zu is not a column of dataset '%s'; did you mean '%s'?",
					f + 1, im->ds.name, near);
			} else {
				problem(im, im->line, f + 1, "header cell %zu is not a column of dataset '%s'", f + 1,
					im->ds.name);
				bk_hint("'brankas dataset show %s --template' prints the expected header", im->ds.name);
			}
			continue;
		}
		if (seen[col]++) {
			problem(im, im->line, f + 1, "column '%s' appears twice in the header", name);
			continue;
		}
		im->map[f] = col;
	}
	for (size_t c = 0; c < im->ds.ncols; c++)
		if (!seen[c] && im->ds.cols[c].required)
			problem(im, im->line, 1, "the header lacks the required column '%s'", im->ds.cols[c].name);
}

/* --- one cell --- */

static char *norm_put(struct bk_importer *im, size_t col, const char *s, size_t n)
{
	/* norm holds at most one row: each column's value at its own offset, NUL-terminated */
	size_t at = col == 0 ? 0 : im->norm_off[col];

	(void)at;
	memcpy(im->norm + im->norm_off[col], s, n);
	im->norm[im->norm_off[col] + n] = '\0';
	im->present[col] = 1;
	return im->norm + im->norm_off[col];
}

/* cell_text normalizes a text cell into its place in norm; an empty text
 * is present unless the column requires a value. */
static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A value of a column with references must be one of the referenced
 * dataset's (kode_inovasi: a kode of the registry); the nearest is hinted
 * (those values are public), the cell's own is not echoed. */
static void check_reference(struct bk_importer *im, size_t colno, int col)
{
	const struct bk_column *c = &im->ds.cols[col];
	const char *value = im->norm + im->norm_off[col], *best = NULL;
	size_t best_d = SIZE_MAX, n = strlen(value);

	if (bsearch(&value, im->refs[col].values, im->refs[col].n, sizeof(char *), str_cmp))
		return;
	for (size_t i = 0; i < im->refs[col].n && i < 10000; i++) {
		size_t d = bk_edit_distance(im->refs[col].values[i], strlen(im->refs[col].values[i]), value, n);

		if (d < best_d) {
			best_d = d;
			best = im->refs[col].values[i];
		}
	}
	if (best && best_d <= n / 3 + 1)
		problem(im, im->line, colno, "%s: not one of the values of %s; did you mean '%s'?", c->name,
			c->references, best);
	else
		problem(im, im->line, colno, "%s: not one of the values of %s (import that dataset's row first)",
			c->name, c->references);
}

/* A unique column's value may be in no earlier row: not in the dataset,
 * not earlier in this file (the file's own values by their PRF tags, in the
 * set that finds repeated NIKs: an import only; an edit checks the dataset). */
static void check_unique(struct bk_importer *im, size_t colno, int col)
{
	const struct bk_column *c = &im->ds.cols[col];
	const char *value = im->norm + im->norm_off[col];
	uint8_t tag[BK_PRF128_BYTES], *buf;
	size_t n = strlen(value);
	int added;

	if (im->taken[col].n && bsearch(&value, im->taken[col].values, im->taken[col].n, sizeof(char *), str_cmp)) {
		problem(im, im->line, colno, "%s: a row with this value is in the dataset already (one row per %s)",
			c->name, c->name);
		return;
	}
	if (!im->tag_key)
		return;
	if (!(buf = malloc(n + 2))) {
		im->fatal = bk_fail(BK_ERR_NOMEM, "out of memory");
		return;
	}
	buf[0] = 0xff; /* apart from the NIKs' tags: a column, then its value */
	buf[1] = (uint8_t)col;
	memcpy(buf + 2, value, n);
	bk_prf128(tag, buf, n + 2, im->tag_key);
	free(buf);
	if ((added = tagset_add(&im->seen, tag)) < 0)
		im->fatal = bk_fail(BK_ERR_NOMEM, "out of memory");
	else if (added == 1)
		problem(im, im->line, colno, "%s: the same value as an earlier row of this file", c->name);
}

static void cell_text(struct bk_importer *im, const char *cell, size_t n, size_t colno, int col)
{
	const struct bk_column *c = &im->ds.cols[col];
	size_t out = 0;

	if (bk_validate_text(cell, n, c->max_length, BK_VALIDATE_NEWLINE, im->norm + im->norm_off[col],
			     c->max_length + 1, &out, NULL) != BK_OK) {
		cell_problem(im, colno, c->name);
		return;
	}
	im->present[col] = out > 0 || !c->required;
	if (out == 0 && c->required)
		problem(im, im->line, colno, "%s: a value is required", c->name);
	else if (out > 0 && im->refs[col].n)
		check_reference(im, colno, col);
	if (out > 0 && c->unique)
		check_unique(im, colno, col);
}

/* cell_region stores a region's code; in the scope column, its kecamatan is
 * the row's. */
static void cell_region(struct bk_importer *im, const char *cell, size_t n, size_t colno, int col)
{
	const struct bk_column *c = &im->ds.cols[col];
	const struct bk_region *r;

	if (bk_validate_region(&im->v->regions, c->level, cell, n, &r) != BK_OK)
		return cell_problem(im, colno, c->name);
	norm_put(im, (size_t)col, r->kode, strlen(r->kode));
	if (col == im->ds.scope_col)
		snprintf(im->kecamatan, sizeof(im->kecamatan), "%s", r->level == BK_REGION_DESA ? r->kode_induk : r->kode);
}

/* cell_nik stores a NIK's digits; in the scope column, its kecamatan (which
 * must be in the kabupaten) is the row's; in the subject column, it is
 * handed back in *nik. */
static void cell_nik(struct bk_importer *im, const char *cell, size_t n, size_t colno, int col, struct bk_nik *nik)
{
	const struct bk_column *c = &im->ds.cols[col];
	struct bk_nik parsed;

	if (bk_validate_nik(cell, n, NULL, im->ref_year, &parsed) != BK_OK)
		return cell_problem(im, colno, c->name);
	norm_put(im, (size_t)col, parsed.digits, 16);
	if (col == im->ds.scope_col) {
		if (!bk_regions_find(&im->v->regions, BK_REGION_KECAMATAN, parsed.kecamatan)) {
			problem(im, im->line, colno, "%s: the NIK's kecamatan is not in %s", c->name, im->kabupaten_name);
			return;
		}
		snprintf(im->kecamatan, sizeof(im->kecamatan), "%s", parsed.kecamatan);
	}
	if (col == im->ds.subject_col)
		*nik = parsed;
}

void bk_import_cell(struct bk_importer *im, const char *cell, size_t n, size_t colno, int col, struct bk_nik *nik,
		    struct bk_date *birth)
{
	const struct bk_column *c = &im->ds.cols[col];
	size_t t = n;
	const char *p = cell;

	/* an empty (or all-space) cell is a missing value */
	while (t > 0 && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) {
		p++;
		t--;
	}
	if (t == 0) {
		if (c->required)
			problem(im, im->line, colno, "%s: a value is required", c->name);
		return;
	}
	switch (c->type) {
	case BK_TYPE_TEXT:
		cell_text(im, cell, n, colno, col);
		break;
	case BK_TYPE_INT:
		if (bk_validate_int(cell, n, c->min, c->max, &im->ival[col]) != BK_OK)
			return cell_problem(im, colno, c->name);
		im->present[col] = 1;
		break;
	case BK_TYPE_SCORE1TO4: {
		int score;

		if (bk_validate_score(cell, n, &score) != BK_OK)
			return cell_problem(im, colno, c->name);
		im->ival[col] = score;
		im->present[col] = 1;
		break;
	}
	case BK_TYPE_DATE: {
		struct bk_date d;

		if (bk_validate_date(cell, n, &d) != BK_OK)
			return cell_problem(im, colno, c->name);
		if (!c->future && strcmp(d.iso, im->today) > 0)
			return problem(im, im->line, colno, "%s: the date lies after today (%s)", c->name, im->today);
		norm_put(im, (size_t)col, d.iso, strlen(d.iso));
		if (col == im->birth_col)
			*birth = d;
		break;
	}
	case BK_TYPE_ENUM: {
		const char *canon;

		if (bk_validate_enum(cell, n, (const char *const *)c->values, c->nvalues, &canon) != BK_OK)
			return cell_problem(im, colno, c->name);
		norm_put(im, (size_t)col, canon, strlen(canon));
		break;
	}
	case BK_TYPE_REGION:
		cell_region(im, cell, n, colno, col);
		break;
	case BK_TYPE_NIK:
		cell_nik(im, cell, n, colno, col, nik);
		break;
	case BK_TYPE_PHONE: {
		struct bk_phone ph;

		if (bk_validate_phone(cell, n, &ph) != BK_OK)
			return cell_problem(im, colno, c->name);
		norm_put(im, (size_t)col, ph.e164, strlen(ph.e164));
		break;
	}
	case BK_TYPE_COUNT:
		break;
	}
}

/* --- same NIK, same subject --- */

/* The first registered row found: its id. */
static bk_status take_subject(void *ctx, const struct bk_dataset *ds, sqlite3_stmt *st, const uint8_t **vals,
			      const size_t *lens)
{
	int64_t *id_p = ctx;

	(void)ds;
	(void)vals;
	(void)lens;
	if (!*id_p)
		*id_p = sqlite3_column_int64(st, 0);
	return BK_OK;
}

bk_status bk_import_find_subject(struct bk_importer *im, const char *nik, int64_t *id_p)
{
	struct bk_subject_result r;

	*id_p = 0;
	if (!im->link_subjects)
		return BK_OK;
	memset(&r, 0, sizeof(r));
	/* the lookup of `find`, which seeks only the files that may hold the NIK (subjects.c);
	 * rows of kecamatan whose keys the user lacks are not candidates */
	return bk_vault_subject_rows(im->v, nik, SUBJECTS, take_subject, id_p, &r);
}

/* Whether rows can be linked to the registry of subjects: the user holds the
 * blind key and the registry names its subjects by a blind-indexed NIK. */
static bk_status prepare_subjects(struct bk_importer *im)
{
	struct bk_dataset reg;

	if (im->ds.subject_col < 0 || !im->finds_nik)
		return BK_OK;
	if (bk_dataset_load(im->v->db, SUBJECTS, &reg)) {
		bk_error_clear();
		return BK_OK; /* a vault without the registry links nothing */
	}
	im->link_subjects = reg.subject_col >= 0 && reg.cols[reg.subject_col].blind_index;
	bk_dataset_release(&reg);
	return BK_OK;
}

/* --- writing one row --- */

/* Packs the current row's sealed values (plain_cap bytes at most) into out. */
static bk_status pack_row(struct bk_importer *im, uint8_t *out, size_t *len_p)
{
	const char *vals[BK_COLUMNS_MAX];
	size_t lens[BK_COLUMNS_MAX];

	for (size_t i = 0; i < im->nsealed; i++) {
		int col = im->sealed_idx[i];

		vals[i] = im->present[col] ? im->norm + im->norm_off[col] : "";
		lens[i] = im->present[col] ? strlen(vals[i]) : 0;
	}
	return bk_fields_pack(out, im->plain_cap, len_p, vals, lens, im->nsealed);
}

bk_status bk_import_seal(struct bk_importer *im, int64_t id, const struct bk_import_batch *b, size_t *len_p)
{
	size_t plain_len = 0;
	bk_status rc;

	*len_p = 0;
	rc = pack_row(im, im->plain, &plain_len);
	if (rc == BK_OK)
		rc = bk_fields_seal_row(im->sealed, im->plain, plain_len, b->subkey, im->ad, im->ad_len, id, b->id);
	bk_wipe(im->plain, plain_len);
	if (rc == BK_OK)
		*len_p = plain_len + BK_FIELDS_OVERHEAD;
	return rc;
}

/* The current row's blind index values, into im->bi: under the key of the
 * file the row goes to (each store has its own). */
static void blind_values(struct bk_importer *im)
{
	uint8_t slot = insert_slot(im, im->kecamatan);
	/* without the file's key (operators: the inbox) the row is found by reading unindexed rows */
	const struct bk_index_key *key = slot == INBOX_SLOT ? NULL : bk_vault_index_key(im->v, slot);

	for (size_t c = 0; c < im->ds.ncols; c++)
		if (im->ds.cols[c].blind_index)
			im->bi[c] = !key ? BI_UNKNOWN : im->present[c] ? bk_index_nik(key, im->norm + im->norm_off[c]) : BK_INDEX_NO_NIK;
	im->bi_ready = 1;
}

int bk_import_bind_columns(struct bk_importer *im, sqlite3_stmt *st, int p)
{
	if (!im->bi_ready)
		blind_values(im);
	im->bi_ready = 0;
	for (size_t c = 0; c < im->ds.ncols; c++) {
		const struct bk_column *col = &im->ds.cols[c];

		if (col->blind_index) {
			if (im->bi[c] != BI_UNKNOWN)
				sqlite3_bind_int64(st, p++, im->bi[c]);
			else
				sqlite3_bind_null(st, p++);
		}
		if (col->cls == BK_COL_IDENTIFIER || col->cls == BK_COL_SECRET)
			continue;
		if (!im->present[c])
			sqlite3_bind_null(st, p++);
		else if (col->type == BK_TYPE_INT || col->type == BK_TYPE_SCORE1TO4)
			sqlite3_bind_int64(st, p++, im->ival[c]);
		else
			sqlite3_bind_text(st, p++, im->norm + im->norm_off[c], -1, SQLITE_STATIC);
	}
	return p;
}

/* Makes the current row's record: its id, batch and sealed values, the link
 * to its subject, its blind indexes and plain columns. */
static bk_status queue_row(struct bk_importer *im, const struct bk_nik *nik)
{
	struct bk_import_batch *b = NULL;
	int64_t id = im->next_id++, subject = 0;
	struct rec r;
	bk_status rc;

	if (im->nsealed && (rc = bk_import_batch(im, im->kecamatan, &b)))
		return rc;
	if (nik->digits[0] && im->registry) {
		subject = id; /* a registered subject is its own row */
	} else if (nik->digits[0]) {
		if (im->writer && im->link_subjects) /* bk_vault_import never lets it come to this */
			return bk_fail(BK_ERR_STATE, "a subject lookup while the writer thread holds vault.db");
		if ((rc = bk_import_find_subject(im, nik->digits, &subject)))
			return rc;
		im->r->linked += subject != 0;
	}
	if (!im->bi_ready)
		blind_values(im);
	im->bi_ready = 0;
	rec_begin(im, &r, 'R');
	*r.p++ = insert_slot(im, im->kecamatan);
	put_int(&r, id);
	put_int(&r, b ? b->id : 0);
	put_text(&r, im->now);
	if (im->kecamatan[0])
		put_text(&r, im->kecamatan);
	else
		put_null(&r);
	if (subject)
		put_int(&r, subject);
	else
		put_null(&r);
	if (im->nsealed) {
		/* sealed when the record runs: the writer thread's share of the work */
		uint16_t slot = (uint16_t)(b - im->batches);
		size_t n = 0;

		*r.p++ = 's';
		memcpy(r.p, &slot, 2);
		memcpy(r.p + 2, &id, 8);
		if ((rc = pack_row(im, r.p + 14, &n)))
			return rc;
		memcpy(r.p + 10, &(uint32_t){(uint32_t)n}, 4);
		r.p += 14 + n;
	} else {
		put_null(&r);
	}
	for (size_t c = 0; c < im->ds.ncols; c++) {
		const struct bk_column *col = &im->ds.cols[c];

		if (col->blind_index) {
			if (im->bi[c] != BI_UNKNOWN)
				put_int(&r, im->bi[c]);
			else
				put_null(&r);
		}
		if (col->cls == BK_COL_IDENTIFIER || col->cls == BK_COL_SECRET)
			continue;
		if (!im->present[c])
			put_null(&r);
		else if (col->type == BK_TYPE_INT || col->type == BK_TYPE_SCORE1TO4)
			put_int(&r, im->ival[c]);
		else
			put_text(&r, im->norm + im->norm_off[c]);
	}
	return rec_end(im, &r);
}

/* --- the writer: a bulk load's INSERTs run in a second thread ---
 *
 * Reading, checking and sealing the rows and running their INSERTs take about
 * as long as each other; in a bulk load they overlap. The reading thread fills
 * one buffer of records while the writer thread runs the other's; they swap
 * when the reader's is full. Only the writer touches vault.db until it is
 * joined, so nothing the reader does between may reach SQLite: rows are not
 * looked up in the registry (bk_vault_import starts no writer for a dataset
 * that links its rows to subjects), and batch ids are given, not read back. The
 * writer's failure ends it; the reader finds it when it swaps or joins, and
 * records it again in its own thread's error detail. */

/* A buffer holds more than one group's records (GROUP_ROWS rows of ~160 bytes for warga):
 * records come a group at a time, and the writer runs one buffer while the reader reads
 * the next group. Smaller buffers leave the writer idle (4 MiB: 5.1 s instead of 4.2). */
#define WRITER_BYTES (16u << 20)

enum { SLOT_FREE, SLOT_FULL, SLOT_BUSY };

struct bk_import_writer {
	struct bk_import_runner ru; /* the writer's own scratch */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint8_t *buf[2];
	size_t len[2];
	int state[2];
	int fill;       /* the buffer the reader fills */
	int done, stop; /* no more buffers will come; leave the full ones unwritten */
	bk_status rc;   /* the writer's failure */
	char detail[1024];
};

static void *writer_main(void *arg)
{
	struct bk_import_writer *w = arg;
	int j = 0;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		bk_status rc;

		while (w->state[j] != SLOT_FULL && !w->done && !w->stop)
			pthread_cond_wait(&w->cv, &w->mu);
		if (w->stop || w->state[j] != SLOT_FULL)
			break;
		w->state[j] = SLOT_BUSY;
		pthread_mutex_unlock(&w->mu);
		rc = run_records(&w->ru, w->buf[j], w->len[j]);
		bk_wipe(w->buf[j], w->len[j]);
		pthread_mutex_lock(&w->mu);
		w->state[j] = SLOT_FREE;
		if (rc != BK_OK) {
			w->rc = rc;
			snprintf(w->detail, sizeof(w->detail), "%s", bk_error_detail());
		}
		pthread_cond_broadcast(&w->cv);
		if (rc != BK_OK)
			break;
		j ^= 1;
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

static void writer_free(struct bk_import_writer *w)
{
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	bk_secmem_free(w->buf[0]);
	bk_secmem_free(w->buf[1]);
	free(w->ru.sealed);
	free(w);
}

/* Starts the writer thread; without one (a single processor, records too
 * large, no thread to be had) the records run at once, as in any import. */
static bk_status writer_start(struct bk_importer *im)
{
	struct bk_import_writer *w;
	bk_status rc;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2 || im->rec_max > WRITER_BYTES / 16)
		return BK_OK;
	if ((rc = batch_next(im, &im->next_batch))) /* prepares the statement, reads the next id */
		return rc;
	if (!(w = calloc(1, sizeof(*w))))
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	w->ru.im = im;
	memcpy(w->ru.ad, im->ad, sizeof(w->ru.ad));
	w->ru.sealed = malloc(im->plain_cap + BK_FIELDS_OVERHEAD);
	w->buf[0] = bk_secmem_alloc(WRITER_BYTES);
	w->buf[1] = bk_secmem_alloc(WRITER_BYTES);
	if (!w->ru.sealed || !w->buf[0] || !w->buf[1]) {
		writer_free(w);
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	}
	if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
		writer_free(w);
		return BK_OK;
	}
	im->writer = w;
	im->out = w->buf[0];
	im->out_cap = WRITER_BYTES;
	im->out_len = 0;
	return BK_OK;
}

/* Hands the full buffer to the writer and takes the other once it is written. */
static bk_status writer_put(struct bk_importer *im)
{
	struct bk_import_writer *w = im->writer;
	bk_status rc;

	pthread_mutex_lock(&w->mu);
	w->len[w->fill] = im->out_len;
	w->state[w->fill] = SLOT_FULL;
	w->fill ^= 1;
	pthread_cond_broadcast(&w->cv);
	while (w->state[w->fill] != SLOT_FREE && w->rc == BK_OK)
		pthread_cond_wait(&w->cv, &w->mu);
	rc = w->rc;
	pthread_mutex_unlock(&w->mu);
	im->out = w->buf[w->fill];
	im->out_len = 0;
	return rc == BK_OK ? BK_OK : bk_fail(rc, "%s", w->detail);
}

/* Joins the writer, after it ran every record (write_rest) or as soon as it
 * can (the import fails anyway). vault.db is the reader's again afterwards. */
static bk_status writer_join(struct bk_importer *im, int write_rest)
{
	struct bk_import_writer *w = im->writer;
	bk_status rc;

	if (!w)
		return BK_OK;
	pthread_mutex_lock(&w->mu);
	if (write_rest && im->out_len) {
		w->len[w->fill] = im->out_len;
		w->state[w->fill] = SLOT_FULL;
	}
	w->done = 1;
	w->stop = !write_rest;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	rc = w->rc == BK_OK ? BK_OK : bk_fail(w->rc, "%s", w->detail);
	writer_free(w);
	im->writer = NULL;
	im->out = im->rowbuf;
	im->out_cap = im->rec_max;
	im->out_len = 0;
	return rc;
}

static void writer_abandon(struct bk_importer *im)
{
	if (im->writer)
		(void)writer_join(im, 0);
}

/* --- groups: how a bulk load writes its rows ---
 *
 * Indexes built after a load sort their entries in the table's row order, and
 * SQLite's sorter is several times faster on runs that are already in order
 * than on a random order (1.2 M rows: about 1.8 s per index against 0.6 s).
 * So a bulk load holds up to GROUP_ROWS valid rows, orders them by kecamatan,
 * then blind index, then arrival, and gives them their ids in that order:
 * both indexes then get their entries as long sorted runs. The held rows are
 * normalized values, identifiers in clear, so they live in guarded memory and
 * are wiped once written. Ids still follow the file from one group to the
 * next; inside a group they follow the order above. */

/* Larger groups sort into longer runs but keep the writer thread waiting for the first
 * (131,072 rows: 4.4 s for 1.2 M warga rows, 65,536: 4.2 s) */
#define GROUP_ROWS 65536u
#define GROUP_BYTES (12u << 20)

/* a row's sort key: kecamatan (20 bits), blind index + 1 (21 bits), arrival (23 bits) */
_Static_assert(GROUP_ROWS <= (1u << 23) && BK_BLIND_INDEX_BITS < 21, "a group's sort key packs into 64 bits");

/* The size a row takes in the group at most. */
static size_t group_row_max(const struct bk_importer *im)
{
	return 1 + BK_CODE_MAX + 8 + 8 * im->ds.ncols + 4 * im->ds.ncols + im->norm_len;
}

static bk_status group_open(struct bk_importer *im)
{
	im->group_max = group_row_max(im);
	if (im->group_max > GROUP_BYTES / 64)
		return BK_OK; /* very long text columns: rows are written as they come */
	im->group_cap = GROUP_BYTES;
	im->group_buf = bk_secmem_alloc(im->group_cap);
	im->group_off = malloc(GROUP_ROWS * sizeof(*im->group_off));
	im->group_key = malloc(GROUP_ROWS * sizeof(*im->group_key));
	im->group_tmp = malloc(GROUP_ROWS * sizeof(*im->group_tmp));
	if (!im->group_buf || !im->group_off || !im->group_key || !im->group_tmp)
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	im->group = 1;
	return BK_OK;
}

static void group_close(struct bk_importer *im)
{
	bk_secmem_free(im->group_buf); /* wipes */
	free(im->group_off);
	free(im->group_key);
	free(im->group_tmp);
	im->group_buf = NULL;
	im->group_off = NULL;
	im->group_key = im->group_tmp = NULL;
	im->group = 0;
}

/* LSD radix sort of n keys, 11 bits a pass; tmp is scratch of n keys. */
static void sort_keys(uint64_t *keys, uint64_t *tmp, size_t n)
{
	size_t count[1u << 11];

	for (unsigned shift = 0; shift < 64; shift += 11) {
		size_t sum = 0;

		memset(count, 0, sizeof(count));
		for (size_t i = 0; i < n; i++)
			count[keys[i] >> shift & 0x7ff]++;
		if (count[keys[0] >> shift & 0x7ff] == n)
			continue; /* every key has this digit */
		for (size_t d = 0; d < (1u << 11); d++) {
			size_t c = count[d];

			count[d] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			tmp[count[keys[i] >> shift & 0x7ff]++] = keys[i];
		memcpy(keys, tmp, n * sizeof(*keys));
	}
}

/* Makes the held row at p the current row again. */
static void group_restore(struct bk_importer *im, const uint8_t *p, struct bk_nik *nik)
{
	uint64_t present;
	size_t n = *p++;

	memcpy(im->kecamatan, p, n);
	im->kecamatan[n] = '\0';
	p += n;
	memcpy(&present, p, 8);
	p += 8;
	for (size_t c = 0; c < im->ds.ncols; c++) {
		const struct bk_column *col = &im->ds.cols[c];
		uint32_t len;

		if (col->blind_index) {
			memcpy(&im->bi[c], p, 8);
			p += 8;
		}
		im->present[c] = (int)(present >> c & 1);
		if (!im->present[c])
			continue;
		if (col->type == BK_TYPE_INT || col->type == BK_TYPE_SCORE1TO4) {
			memcpy(&im->ival[c], p, 8);
			p += 8;
			continue;
		}
		memcpy(&len, p, 4);
		memcpy(im->norm + im->norm_off[c], p + 4, len);
		im->norm[im->norm_off[c] + len] = '\0';
		p += 4 + len;
	}
	im->bi_ready = 1;
	memset(nik, 0, sizeof(*nik));
	if (im->ds.subject_col >= 0 && im->present[im->ds.subject_col])
		memcpy(nik->digits, im->norm + im->norm_off[im->ds.subject_col], 16);
}

#define GROUP_ROW(im, i) ((im)->group_buf + (im)->group_off[(im)->group_key[i] & ((1u << 23) - 1)])

/* Writes the held rows, in key order, and empties the group. */
static bk_status group_flush(struct bk_importer *im)
{
	bk_status rc = BK_OK;

	if (im->group_rows)
		sort_keys(im->group_key, im->group_tmp, im->group_rows);
	for (size_t i = 0; i < im->group_rows && rc == BK_OK; i++) {
		struct bk_nik nik;

		/* rows are read out of arrival order: ask for the next ones early */
		if (i + 16 < im->group_rows)
			__builtin_prefetch(&im->group_off[im->group_key[i + 16] & ((1u << 23) - 1)]);
		if (i + 4 < im->group_rows)
			__builtin_prefetch(GROUP_ROW(im, i + 4));
		group_restore(im, GROUP_ROW(im, i), &nik);
		rc = queue_row(im, &nik);
	}
	bk_wipe(im->group_buf, im->group_len);
	im->group_len = 0;
	im->group_rows = 0;
	return rc;
}

/* Holds the current (valid) row, then writes the group if it is full: the
 * next row might not fit. There is always room for one row here. */
static bk_status group_add(struct bk_importer *im)
{
	uint8_t *p;
	uint64_t present = 0, rank = 0, bi = 0;
	size_t n = strlen(im->kecamatan);
	int have_bi = 0;

	blind_values(im);
	p = im->group_buf + im->group_len;
	im->group_off[im->group_rows] = (uint32_t)im->group_len;
	*p++ = (uint8_t)n;
	memcpy(p, im->kecamatan, n);
	p += n;
	for (size_t c = 0; c < im->ds.ncols; c++)
		present |= (uint64_t)(im->present[c] != 0) << c;
	memcpy(p, &present, 8);
	p += 8;
	for (size_t c = 0; c < im->ds.ncols; c++) {
		const struct bk_column *col = &im->ds.cols[c];
		uint32_t len;

		if (col->blind_index) {
			memcpy(p, &im->bi[c], 8);
			p += 8;
			if (!have_bi) {
				/* NULL and "no NIK" first, as in the index */
				bi = im->bi[c] < 0 ? 0 : (uint64_t)(im->bi[c] + 1);
				have_bi = 1;
			}
		}
		if (!im->present[c])
			continue;
		if (col->type == BK_TYPE_INT || col->type == BK_TYPE_SCORE1TO4) {
			memcpy(p, &im->ival[c], 8);
			p += 8;
			continue;
		}
		len = (uint32_t)strlen(im->norm + im->norm_off[c]);
		memcpy(p, &len, 4);
		memcpy(p + 4, im->norm + im->norm_off[c], len);
		p += 4 + len;
	}
	im->group_len = (size_t)(p - im->group_buf);
	/* kecamatan codes ("PP.KK.CC") have one length: their digits as a number sort like the
	 * codes do in the index; any other order would only be slower, never wrong */
	for (size_t i = 0; i < n && rank < (1u << 20) / 10; i++)
		if (im->kecamatan[i] >= '0' && im->kecamatan[i] <= '9')
			rank = rank * 10 + (uint64_t)(im->kecamatan[i] - '0');
	im->group_key[im->group_rows] = rank << 44 | bi << 23 | im->group_rows;
	im->group_rows++;
	im->bi_ready = 0;
	if (im->group_rows == GROUP_ROWS || im->group_cap - im->group_len < im->group_max)
		return group_flush(im);
	return BK_OK;
}

bk_status bk_import_consistent(struct bk_importer *im, const struct bk_nik *nik)
{
	struct bk_date birth;
	char sex = 0;
	int have_birth = 0;

	if (!nik->digits[0])
		return BK_OK;
	if (im->sex_col >= 0 && im->present[im->sex_col])
		sex = im->norm[im->norm_off[im->sex_col]];
	if (im->birth_col >= 0 && im->present[im->birth_col]) {
		const char *iso = im->norm + im->norm_off[im->birth_col];

		have_birth = bk_validate_date(iso, strlen(iso), &birth) == BK_OK;
	}
	if (!sex && !have_birth)
		return BK_OK;
	return bk_validate_nik_match(nik, sex, have_birth ? &birth : NULL);
}

/* --- one record --- */

/* take_subject_once keeps each data subject once: a NIK (its tag) seen
 * earlier in the file, or already in the registry, is a problem; returns 0
 * if the row is refused (or im->fatal set). */
static int take_subject_once(struct bk_importer *im, const struct bk_nik *nik, const uint8_t tag[BK_PRF128_BYTES])
{
	int added = tagset_add(&im->seen, tag);
	int64_t existing = 0;

	if (added < 0) {
		im->fatal = bk_fail(BK_ERR_NOMEM, "out of memory");
		return 0;
	}
	if (added == 1) {
		problem(im, im->line, 1, "%s: the same NIK is on an earlier line of this file",
			im->ds.cols[im->ds.subject_col].name);
		return 0;
	}
	if (!im->subjects_exist)
		return 1;
	if ((im->fatal = bk_import_find_subject(im, nik->digits, &existing)))
		return 0;
	if (existing) {
		problem(im, im->line, 1, "%s: this person is already registered (row %lld): use record edit",
			im->ds.cols[im->ds.subject_col].name, (long long)existing);
		return 0;
	}
	return 1;
}

/* take_in_scope checks that the row's kecamatan is the user's; a row outside
 * is counted apart from the problems, and reported while messages are
 * wanted. Returns 0 if it is outside. */
static int take_in_scope(struct bk_importer *im)
{
	const struct bk_region *k;

	if (bk_vault_acl(im->v, BK_ACT_RECORD_WRITE, im->ds.name, BK_COL_NONE, im->kecamatan) == BK_OK)
		return 1;
	k = bk_regions_find(&im->v->regions, BK_REGION_KECAMATAN, im->kecamatan);
	im->r->out_of_scope++;
	im->row_bad = 1;
	if (im->o->problem && im->r->problems + im->r->out_of_scope <= (uint64_t)im->o->max_messages) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s:%zu:1: the row is in kecamatan %s, outside your scope", im->o->path,
			 im->line, k ? k->nama : im->kecamatan);
		im->o->problem(im->o->ctx, msg);
	}
	bk_error_clear();
	return 0;
}

static void take_row(struct bk_importer *im)
{
	struct bk_nik nik;
	struct bk_date birth;
	uint8_t tag[BK_PRF128_BYTES];

	memset(&nik, 0, sizeof(nik));
	memset(&birth, 0, sizeof(birth));
	memset(im->present, 0, sizeof(im->present));
	im->kecamatan[0] = '\0';
	im->row_bad = 0;
	if (im->overflow || im->nfields != im->nheader) {
		problem(im, im->line, im->nfields > im->nheader ? im->nheader + 1 : im->nfields + 1,
			"expected %zu columns, found %s%zu", im->nheader, im->overflow ? "more than " : "", im->nfields);
		return;
	}
	for (size_t f = 0; f < im->nfields; f++) {
		if (im->map[f] < 0)
			continue;
		bk_import_cell(im, im->raw + im->off[f], im->len[f], f + 1, im->map[f], &nik, &birth);
		/* the tag set is far larger than the caches: its slot is fetched while the rest is checked */
		if (im->map[f] == im->ds.subject_col && im->registry && nik.digits[0]) {
			bk_prf128(tag, nik.digits, 16, im->tag_key);
			tagset_prefetch(&im->seen, tag);
		}
	}
	if (im->row_bad)
		return;
	/* a NIK says the subject's sex and birth date: they must agree with the row */
	if (bk_import_consistent(im, &nik) != BK_OK) {
		size_t f = 0;

		while (f < im->nfields && im->map[f] != im->ds.subject_col)
			f++;
		cell_problem(im, f + 1, im->ds.cols[im->ds.subject_col].name);
		return;
	}
	/* each data subject once */
	if (nik.digits[0] && im->registry && !take_subject_once(im, &nik, tag))
		return;
	/* scope: the row's kecamatan must be the user's */
	if (im->kecamatan[0] && !take_in_scope(im))
		return;
	if (im->o->dry_run || im->r->problems || im->r->out_of_scope) {
		im->r->rows++;
		return;
	}
	if ((im->fatal = im->group ? group_add(im) : queue_row(im, &nik)) == BK_OK)
		im->r->rows++;
}

/* --- libcsv callbacks --- */

static void on_field(void *data, size_t len, void *ctx)
{
	struct bk_importer *im = ctx;

	if (im->fatal)
		return;
	if (im->nfields >= BK_COLUMNS_MAX || im->raw_len + len > RECORD_MAX) {
		im->overflow = 1;
		im->nfields++;
		return;
	}
	if (im->raw_len + len + 1 > im->raw_cap) {
		size_t ncap = im->raw_cap ? im->raw_cap : 65536;
		char *n;

		while (ncap < im->raw_len + len + 1)
			ncap *= 2;
		n = realloc(im->raw, ncap);
		if (!n) {
			im->fatal = bk_fail(BK_ERR_NOMEM, "out of memory");
			return;
		}
		im->raw = n;
		im->raw_cap = ncap;
	}
	if (len)
		memcpy(im->raw + im->raw_len, data, len);
	for (const char *p = data, *e = (const char *)data + len; p && p < e && (p = memchr(p, '\n', (size_t)(e - p)));
	     p++)
		im->newlines++;
	im->off[im->nfields] = im->raw_len;
	im->len[im->nfields] = len;
	im->raw_len += len;
	im->nfields++;
}

static void on_record(int term, void *ctx)
{
	struct bk_importer *im = ctx;

	if (!im->fatal && im->nfields > 0) {
		if (!im->have_header)
			take_header(im);
		else if (!im->have_header || im->nheader > 0)
			take_row(im);
	}
	/* CSV_REPALL_NL reports every line end, so blank lines and CRLF keep the count right */
	im->line += im->newlines + (term == '\n' ? 1 : 0);
	im->newlines = 0;
	im->nfields = 0;
	im->raw_len = 0;
	im->overflow = 0;
}

static void *bounded_realloc(void *p, size_t n)
{
	/* a single huge cell must not exhaust memory: libcsv grows its field buffer with this */
	return n > FIELD_MAX + 1024 ? NULL : realloc(p, n);
}

/* --- setup --- */

/* The row buffers: each column's normalized value at its own offset. */
static bk_status layout(struct bk_importer *im)
{
	size_t max_text = 0, name_len = 0;

	for (size_t c = 0; c < im->ds.ncols; c++) {
		const struct bk_column *col = &im->ds.cols[c];

		im->norm_off[c] = max_text;
		max_text += (col->type == BK_TYPE_TEXT ? col->max_length : 64) + 1;
		if (col->cls == BK_COL_IDENTIFIER || col->cls == BK_COL_SECRET) {
			im->sealed_idx[im->nsealed++] = (int)c;
			name_len += (size_t)snprintf(im->sealed_names + name_len, sizeof(im->sealed_names) - name_len,
						     "%s%s", name_len ? "," : "", col->name);
			im->plain_cap += 4 + (col->type == BK_TYPE_TEXT ? col->max_length : 64);
		}
	}
	im->norm_off[im->ds.ncols] = max_text;
	im->ad_len = bk_fields_ad_init(im->ad, im->ds.name, im->sealed_names); /* 0: refused when sealing */
	memcpy(im->runner.ad, im->ad, sizeof(im->runner.ad));
	im->norm_len = max_text;
	/* norm holds identifiers in clear: guarded like the packed plaintext */
	im->norm = bk_secmem_alloc(max_text);
	im->plain = bk_secmem_alloc(im->plain_cap + 1);
	im->sealed = malloc(im->plain_cap + BK_FIELDS_OVERHEAD);
	/* a row's record: its fixed columns, its sealed blob, then per column a blind index and a
	 * value no longer than the column's place in norm; a batch's record is far smaller */
	im->rec_max = 5 + 1 + 9 + 9 + (5 + 24) + (5 + BK_CODE_MAX) + 9 + (5 + im->plain_cap + BK_FIELDS_OVERHEAD) +
		      14 * im->ds.ncols + max_text;
	if (im->rec_max < 1024)
		im->rec_max = 1024;
	im->rowbuf = im->out = bk_secmem_alloc(im->rec_max);
	im->out_cap = im->rec_max;
	im->runner.im = im;
	im->runner.sealed = im->sealed;
	if (!im->norm || !im->plain || !im->sealed || !im->rowbuf)
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	return BK_OK;
}

/* The distinct values of column in dataset, sorted, into *out; none when
 * that dataset was never made. Names were checked as [a-z][a-z0-9_]* by the
 * schema parser. */
static bk_status load_values(struct bk_importer *im, const char *dataset, const char *column,
			     struct bk_import_values *out)
{
	char *sql = sqlite3_mprintf("SELECT DISTINCT \"%w\" FROM \"ds_%w\" WHERE \"%w\" IS NOT NULL", column, dataset,
				    column);
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int src;

	if (!sql)
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	src = sqlite3_prepare_v2(im->v->db, sql, -1, &st, NULL);
	sqlite3_free(sql);
	if (src != SQLITE_OK) {
		sqlite3_finalize(st);
		if (strstr(sqlite3_errmsg(im->v->db), "no such table"))
			return BK_OK; /* that dataset was never made: nothing to hold the column to */
		return bk_fail(BK_ERR_STATE, "dataset '%s': column '%s' cannot be read: %s", dataset, column,
			       sqlite3_errmsg(im->v->db));
	}
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		const char *val = (const char *)sqlite3_column_text(st, 0);

		if (out->n == cap) {
			char **more = realloc(out->values, (cap = cap ? 2 * cap : 64) * sizeof(*more));

			if (!more) {
				sqlite3_finalize(st);
				return bk_fail(BK_ERR_NOMEM, "out of memory");
			}
			out->values = more;
		}
		if (!(out->values[out->n] = strdup(val ? val : ""))) {
			sqlite3_finalize(st);
			return bk_fail(BK_ERR_NOMEM, "out of memory");
		}
		out->n++;
	}
	sqlite3_finalize(st);
	if (src != SQLITE_DONE)
		return bk_db_status(im->v->db, src, "reading a column's values");
	if (out->n > 1)
		qsort(out->values, out->n, sizeof(char *), str_cmp);
	return BK_OK;
}

/* What the columns with references may take, and what the unique columns
 * hold already: read once (a registry is small). */
static bk_status load_references(struct bk_importer *im)
{
	bk_status rc = BK_OK;

	for (size_t c = 0; c < im->ds.ncols && rc == BK_OK; c++) {
		const char *ref = im->ds.cols[c].references, *dot = strchr(ref, '.');
		char ds_name[BK_DATASET_NAME_MAX + 1];

		if (im->ds.cols[c].unique)
			rc = load_values(im, im->ds.name, im->ds.cols[c].name, &im->taken[c]);
		if (rc != BK_OK || !ref[0] || !dot || (size_t)(dot - ref) > BK_DATASET_NAME_MAX)
			continue;
		snprintf(ds_name, sizeof(ds_name), "%.*s", (int)(dot - ref), ref);
		rc = load_values(im, ds_name, dot + 1, &im->refs[c]);
	}
	return rc;
}

bk_status bk_import_open(struct bk_importer *im, struct bk_vault *v, const struct bk_import_opts *o,
			 struct bk_import_result *r)
{
	time_t now = time(NULL);
	struct tm tm;
	bk_status rc;

	im->v = v;
	im->o = o;
	im->r = r;
	im->line = 1;
	gmtime_r(&now, &tm);
	im->ref_year = tm.tm_year + 1900;
	/* today where the regency is (WIB, UTC+7): the day an office enters its data */
	now += 7 * 3600;
	gmtime_r(&now, &tm);
	strftime(im->today, sizeof(im->today), "%Y-%m-%d", &tm);
	snprintf(im->kabupaten_name, sizeof(im->kabupaten_name), "%s", v->regions.items[0].nama);
	bk_vault_now(im->now);
	if ((rc = bk_dataset_load(v->db, o->dataset, &im->ds)))
		return rc;
	im->registry = strcmp(im->ds.name, SUBJECTS) == 0;
	im->sex_col = im->birth_col = -1;
	for (size_t c = 0; c < im->ds.ncols; c++) {
		/* the columns a NIK is checked against (bk_import_consistent) */
		if (strcmp(im->ds.cols[c].name, "jenis_kelamin") == 0 && im->ds.cols[c].type == BK_TYPE_ENUM)
			im->sex_col = (int)c;
		else if (strcmp(im->ds.cols[c].name, "tanggal_lahir") == 0 && im->ds.cols[c].type == BK_TYPE_DATE)
			im->birth_col = (int)c;
	}
	im->finds_nik = bk_vault_finds_nik(v);
	if ((rc = layout(im)) || (rc = load_references(im)))
		return rc;
	return prepare_subjects(im);
}

/* The INSERT of every row (its part after the table's name: insert_into
 * puts the file in front), and the first free row id: the vault's counter,
 * kept in vault.db, since this user may not see every store's rows. */
static bk_status prepare_insert(struct bk_importer *im)
{
	char sql[8192], key[BK_DATASET_NAME_MAX + 8], counter[32];
	size_t n = 0, params = 6;
	sqlite3_stmt *st = NULL;
	bk_status rc = BK_OK;
	int64_t seen = 0;

	/* the column names alone, for the inbox */
	n += (size_t)snprintf(sql + n, sizeof(sql) - n, "id,batch,created,kecamatan,subject,sealed");
	for (size_t c = 0; c < im->ds.ncols; c++) {
		const struct bk_column *col = &im->ds.cols[c];

		if (col->blind_index) {
			n += (size_t)snprintf(sql + n, sizeof(sql) - n, ",%s_bi", col->name);
			params++;
		}
		if (col->cls == BK_COL_IDENTIFIER || col->cls == BK_COL_SECRET)
			continue;
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, ",%s", col->name);
		params++;
	}
	if (n >= sizeof(sql) || !(im->insert_cols = strdup(sql)))
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	n = (size_t)snprintf(sql, sizeof(sql), "(%s) VALUES (?", im->insert_cols);
	for (size_t i = 1; i < params; i++)
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, ",?");
	n += (size_t)snprintf(sql + n, sizeof(sql) - n, ")");
	if (n >= sizeof(sql))
		return bk_fail(BK_ERR_STATE, "dataset has too many columns");
	if (!(im->insert_tail = strdup(sql)))
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	/* unqualified: the rows of every file this user holds (stores.h) */
	snprintf(sql, sizeof(sql), "SELECT coalesce(max(id), 0) FROM \"ds_%s\"", im->ds.name);
	if (sqlite3_prepare_v2(im->v->db, sql, -1, &st, NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW)
		rc = bk_db_status(im->v->db, sqlite3_errcode(im->v->db), "reading row ids");
	else
		seen = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != BK_OK)
		return rc;
	im->table_empty = seen == 0;
	im->next_id = seen + 1;
	snprintf(key, sizeof(key), "rows:%s", im->ds.name);
	rc = bk_db_meta_get(im->v->db, key, counter, sizeof(counter));
	if (rc == BK_ERR_NOTFOUND) {
		bk_error_clear(); /* a vault made before the counter: every row is visible to its admin */
		return BK_OK;
	}
	if (rc == BK_OK && strtoll(counter, NULL, 10) > im->next_id)
		im->next_id = strtoll(counter, NULL, 10);
	return rc;
}

/* Keeps the next free row id in vault.db for the next import, whoever it is. */
static bk_status keep_next_id(struct bk_importer *im)
{
	char key[BK_DATASET_NAME_MAX + 8], counter[32];

	snprintf(key, sizeof(key), "rows:%s", im->ds.name);
	snprintf(counter, sizeof(counter), "%lld", (long long)im->next_id);
	return bk_db_meta_set(im->v->db, key, counter);
}

static unsigned char detect_delimiter(const char *buf, size_t n)
{
	size_t commas = 0, semis = 0;

	for (size_t i = 0; i < n && buf[i] != '\n'; i++) {
		commas += buf[i] == ',';
		semis += buf[i] == ';';
	}
	return semis > commas ? ';' : ',';
}

void bk_import_close(struct bk_importer *im)
{
	writer_abandon(im);
	for (size_t i = 0; i <= BK_STORES_MAX; i++)
		sqlite3_finalize(im->insert[i]);
	free(im->insert_tail);
	free(im->insert_cols);
	sqlite3_finalize(im->inbox_insert);
	if (im->batch_insert)
		sqlite3_finalize(im->batch_insert);
	bk_secmem_free(im->rowbuf);
	bk_secmem_free(im->tag_key);
	for (size_t i = 0; i < im->nbatches; i++) {
		bk_secmem_free(im->batches[i].key);
		bk_secmem_free(im->batches[i].subkey);
	}
	bk_secmem_free(im->plain);
	free(im->sealed);
	bk_secmem_free(im->norm);
	free(im->raw);
	tagset_free(&im->seen);
	group_close(im);
	for (size_t c = 0; c < BK_COLUMNS_MAX; c++) {
		for (size_t i = 0; i < im->refs[c].n; i++)
			free(im->refs[c].values[i]);
		free(im->refs[c].values);
		for (size_t i = 0; i < im->taken[c].n; i++)
			free(im->taken[c].values[i]);
		free(im->taken[c].values);
	}
	bk_dataset_release(&im->ds);
}

/* The file being imported and its CSV parser. */
struct import_input {
	FILE *in;
	struct stat st;
	struct csv_parser csv;
	int csv_ready;
	char *chunk;
	char *stdin_buf; /* guarded: standard input, read whole before the transaction */
};

/* `record add` reads one header and one row from standard input: all of it
 * is read before the write lock is taken, so a clerk still typing (or a slow
 * pipe) holds no other command up. (`import DATASET -` streams a whole file
 * inside its transaction, as it does from a file.) */
#define STDIN_MAX (1u << 20)

static bk_status slurp_stdin(struct import_input *f, const char *name, size_t *len_p)
{
	size_t n = 0;

	if (!(f->stdin_buf = bk_secmem_alloc(STDIN_MAX + 1)))
		return bk_fail(BK_ERR_NOMEM, "out of guarded memory");
	while (n <= STDIN_MAX) {
		ssize_t got = read(STDIN_FILENO, f->stdin_buf + n, STDIN_MAX + 1 - n);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return bk_fail(BK_ERR_IO, "cannot read %s: %s", name, strerror(errno));
		if (got == 0)
			break;
		n += (size_t)got;
	}
	if (n > STDIN_MAX)
		return bk_fail(BK_ERR_USAGE, "%s holds more than 1 MiB: import a file instead", name);
	*len_p = n;
	return BK_OK;
}

/* input_open opens the file (or standard input) and sets up the parser;
 * the caller closes f with input_close, whatever this returns. */
static bk_status input_open(struct bk_importer *im, const struct bk_import_opts *o, struct import_input *f)
{
	bk_status rc = BK_OK;

	if (o->from_stdin && o->max_rows == 1) {
		size_t len = 0;

		if ((rc = slurp_stdin(f, o->path, &len)))
			goto out;
		if (!(f->in = fmemopen(f->stdin_buf, len, "rb"))) {
			rc = bk_fail(BK_ERR_NOMEM, "out of memory");
			goto out;
		}
		f->st.st_size = (off_t)len;
	} else if (!(f->in = o->from_stdin ? fdopen(dup(STDIN_FILENO), "rb") : fopen(o->path, "rb")) ||
		   fstat(fileno(f->in), &f->st) != 0) {
		rc = bk_fail(errno == ENOENT ? BK_ERR_NOTFOUND : BK_ERR_IO, "cannot open '%s': %s", o->path,
			     strerror(errno));
		goto out;
	}
	f->chunk = malloc(CHUNK);
	/* room for the NIKs of a registry file from the start (a row takes about 100 bytes) */
	if (!f->chunk || (im->registry && tagset_grow(&im->seen, (size_t)f->st.st_size / 100) != 0) ||
	    csv_init(&f->csv, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL) != 0) {
		rc = bk_fail(BK_ERR_NOMEM, "out of memory");
		goto out;
	}
	f->csv_ready = 1;
	csv_set_realloc_func(&f->csv, bounded_realloc);
	/* libcsv grows a cell's buffer by this much at a time (128 bytes by default): a
	 * 10 MB cell took 80,000 reallocs, each a copy where realloc cannot grow in place */
	csv_set_blk_size(&f->csv, 64 << 10);
out:
	return rc;
}

static void input_close(struct import_input *f)
{
	if (f->csv_ready)
		csv_free(&f->csv);
	if (f->in)
		fclose(f->in);
	free(f->chunk);
	bk_secmem_free(f->stdin_buf);
}

/* Drops (create unset) or builds the dataset's indexes in every file. */
static bk_status indexes_everywhere(struct bk_vault *v, struct bk_importer *im, int create)
{
	char schema[BK_STORE_SCHEMA_MAX];
	bk_status rc = BK_OK;

	for (size_t slot = 0; slot <= v->nstores && rc == BK_OK; slot++) {
		bk_stores_file(v->stores, slot, schema);
		rc = bk_dataset_indexes(v->db, schema, &im->ds, create);
	}
	return rc;
}

/* import_prepare opens the transaction and the INSERT, and for a large file
 * into an empty table drops the indexes and may start the writer thread. */
static bk_status import_prepare(struct bk_vault *v, struct bk_importer *im, const struct bk_import_opts *o,
				off_t size)
{
	bk_status rc = BK_OK;

	/* a big page cache keeps SQLCipher from encrypting pages twice during a bulk load */
	if ((rc = bk_vault_page_cache(v, 65536)) || (rc = bk_vault_begin(v)))
		goto out;
	if ((rc = prepare_insert(im)))
		goto out;
	im->subjects_exist = !im->table_empty && im->registry;
	/* an empty table loads fastest without indexes, built once after the load; a table
	 * with rows keeps them: this import looks its subjects up through them */
	if (!o->dry_run && size > BULK_BYTES && im->table_empty) {
		/* building the indexes once after the load is much faster than row by row */
		if ((rc = indexes_everywhere(v, im, 0)) || (rc = group_open(im)))
			goto out;
		im->rebuild_indexes = 1;
		/* a second thread runs the INSERTs, unless rows are linked to the registry as they
		 * are written: that needs vault.db in this thread */
		if (im->group && (im->registry || !im->link_subjects) && (rc = writer_start(im)))
			goto out;
	}
out:
	return rc;
}

/* import_read feeds the whole file through the parser, a chunk at a time;
 * a row's problems are counted in im->r, only what stops the import fails. */
static bk_status import_read(struct bk_importer *im, const struct bk_import_opts *o, struct import_input *f)
{
	uint64_t done = 0;
	int first = 1;
	bk_status rc = BK_OK;

	for (;;) {
		size_t n = fread(f->chunk, 1, CHUNK, f->in);

		if (n == 0)
			break;
		if (first) {
			csv_set_delim(&f->csv, detect_delimiter(f->chunk, n));
			first = 0;
		}
		if (csv_parse(&f->csv, f->chunk, n, on_field, on_record, im) != n) {
			int err = csv_error(&f->csv);

			problem(im, im->line, 1, "%s",
				err == CSV_ENOMEM ? "a cell is larger than 10 MB" : "malformed CSV (a stray or unclosed quote)");
			break;
		}
		if (im->fatal) {
			rc = im->fatal;
			goto out;
		}
		done += n;
		if (o->progress)
			o->progress(o->ctx, done, (uint64_t)f->st.st_size);
	}
	if (ferror(f->in)) {
		rc = bk_fail(BK_ERR_IO, "cannot read '%s': %s", o->path, strerror(errno));
		goto out;
	}
	/* after a syntax error the half-read row is not a row: only a clean parse is finished */
	if (!csv_error(&f->csv) && csv_fini(&f->csv, on_field, on_record, im) != 0 && !im->r->problems)
		problem(im, im->line, 1, "malformed CSV: a quoted cell is never closed");
	if (im->fatal) {
		rc = im->fatal;
		goto out;
	}
out:
	return rc;
}

/* import_judge adds the problems of the file as a whole (no header, too many
 * or too few rows) and fails if there are any. */
static bk_status import_judge(struct bk_importer *im, const struct bk_import_opts *o, struct bk_import_result *r)
{
	bk_status rc = BK_OK;

	tagset_free(&im->seen); /* every line is read: no more duplicates to find */
	if (r->problems || r->out_of_scope)
		writer_abandon(im); /* nothing will be kept: vault.db is needed here again */
	if (!im->have_header)
		problem(im, 1, 1, "the file is empty: a header line is required");
	else if (o->max_rows && r->rows + r->problems + r->out_of_scope > o->max_rows)
		problem(im, im->line, 1, "expected at most %llu row%s after the header",
			(unsigned long long)o->max_rows, o->max_rows == 1 ? "" : "s");
	else if (o->max_rows && r->rows == 0 && r->problems == 0 && r->out_of_scope == 0)
		problem(im, im->line, 1, "expected a row after the header");
	if (r->problems) {
		rc = bk_fail(BK_ERR_FORMAT, "%s: %llu problem%s; nothing was imported", o->path,
			     (unsigned long long)r->problems, r->problems == 1 ? "" : "s");
		goto out;
	}
out:
	return rc;
}

/* import_deny undoes the import of a file with rows outside the user's
 * scope, records the refusal in the audit log, and fails. */
static bk_status import_deny(struct bk_vault *v, struct bk_importer *im, const struct bk_import_opts *o,
			     const struct bk_import_result *r)
{
	struct bk_audit_entry e;
	char detail[256];
	bk_status rc = BK_OK;

	bk_vault_rollback(v);
	snprintf(detail, sizeof(detail), "%llu rows outside the user's scope", (unsigned long long)r->out_of_scope);
	bk_audit_entry_init(&e);
	e.action = "import";
	e.dataset = im->ds.name;
	e.outcome = "denied";
	e.detail = detail;
	if ((rc = bk_vault_begin(v)) || (rc = bk_vault_audit(v, &e)) || (rc = bk_vault_commit(v)))
		goto out;
	rc = bk_fail(BK_ERR_DENIED, "%s: %llu row%s outside your scope; nothing was imported", o->path,
		     (unsigned long long)r->out_of_scope, r->out_of_scope == 1 ? " is" : "s are");
out:
	return rc;
}

/* import_keep writes the last rows, rebuilds the indexes, and commits the
 * import with its audit entry. */
static bk_status import_keep(struct bk_vault *v, struct bk_importer *im, const struct bk_import_opts *o,
			     const struct bk_import_result *r)
{
	struct bk_audit_entry e;
	bk_status rc = BK_OK;

	if ((im->group && (rc = group_flush(im))) || (rc = writer_join(im, 1)))
		goto out;
	group_close(im); /* its memory goes to the index builds */
	if (im->rebuild_indexes && (rc = indexes_everywhere(v, im, 1)))
		goto out;
	if ((rc = keep_next_id(im)))
		goto out;
	bk_subject_lookups_stale(v, im->ds.name); /* new rows: lookups read the files again */
	bk_audit_entry_init(&e);
	e.action = o->max_rows == 1 ? "record-add" : "import";
	e.dataset = im->ds.name;
	e.rows = (long long)r->rows;
	if ((rc = bk_vault_audit(v, &e)) || (rc = bk_vault_commit(v)))
		goto out;
out:
	return rc;
}

bk_status bk_vault_import(struct bk_vault *v, const struct bk_import_opts *o, struct bk_import_result *r)
{
	struct bk_importer *im = calloc(1, sizeof(*im));
	struct import_input f = {0};
	bk_status rc = BK_OK;

	memset(r, 0, sizeof(*r));
	if (!im)
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	/* may the user write at all (in their own scope)? each row is checked against its kecamatan below */
	if ((rc = bk_vault_require(v, BK_ACT_RECORD_WRITE, o->dataset, BK_COL_NONE, bk_vault_own_scope(v))) ||
	    (rc = bk_import_open(im, v, o, r)))
		goto out;
	/* the duplicate check inside one file needs no vault key: a random key that dies with the import */
	im->tag_key = bk_secmem_alloc(BK_PRF128_KEYBYTES);
	if (!im->tag_key) {
		rc = bk_fail(BK_ERR_NOMEM, "out of guarded memory");
		goto out;
	}
	bk_random(im->tag_key, BK_PRF128_KEYBYTES);
	if ((rc = input_open(im, o, &f)))
		goto out;
	if ((rc = import_prepare(v, im, o, f.st.st_size)))
		goto out;
	if ((rc = import_read(im, o, &f)))
		goto out;
	if ((rc = import_judge(im, o, r)))
		goto out;
	if (r->out_of_scope) {
		rc = import_deny(v, im, o, r);
		goto out;
	}
	if (o->dry_run)
		goto out; /* rolled back below: a dry run writes nothing, not even an audit entry */
	rc = import_keep(v, im, o, r);
out:
	writer_abandon(im); /* before vault.db is touched again */
	if (v->in_tx)
		bk_vault_rollback(v);
	input_close(&f);
	bk_import_close(im);
	free(im);
	return rc;
}
