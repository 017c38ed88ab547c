/* extract.c - building an evaluator's extract: read the requested columns,
 * dictionary-encode them, generalize with the anonymization engine, check the
 * release again independently, write CSV through age to the evaluator, sign
 * the manifest. And the evaluator's side: checking and opening it. */
#include "vault/release/extract.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fileio.h"
#include "crypto/age.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/minisign.h"
#include "crypto/secmem.h"
#include "vault/release/anon.h"
#include "vault/core/db.h"
#include "vault/release/extract_internal.h"
#include "vault/schema/hierarchy.h"
#include "vault/release/tables.h"
#include "vault/schema/validate.h"
#include "vault/core/vault_internal.h"
#include "crypto/box.h"

const char *const bk_extract_files[] = {"data.csv.age", "manifest.json", "manifest.json.minisig", NULL};
#define STAGED_PREFIX ".staged-"
#define EXTRACT_MAX_BYTES ((size_t)4 << 30)

/* --- a string dictionary: value -> dense code, strings kept in one arena --- */

struct dict {
	uint32_t *slots; /* code + 1; 0 = empty */
	size_t cap;      /* power of two */
	size_t *off;     /* arena offset of each code's string */
	size_t n, offcap;
	char *arena;
	size_t used, arenacap;
};

static uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a: these are not secrets, just table slots */

	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)s[i]) * 1099511628211ULL;
	return h ^ (h >> 29);
}

static const char *dict_str(const struct dict *d, uint32_t code)
{
	return d->arena + d->off[code];
}

static void dict_free(struct dict *d)
{
	free(d->slots);
	free(d->off);
	free(d->arena);
	memset(d, 0, sizeof(*d));
}

static int dict_grow(struct dict *d)
{
	size_t ncap = d->cap ? d->cap * 2 : 256;
	uint32_t *ns = calloc(ncap, sizeof(*ns));

	if (!ns)
		return -1;
	for (size_t c = 0; c < d->n; c++) {
		const char *s = dict_str(d, (uint32_t)c);
		size_t i = hash_bytes(s, strlen(s)) & (ncap - 1);

		while (ns[i])
			i = (i + 1) & (ncap - 1);
		ns[i] = (uint32_t)c + 1;
	}
	free(d->slots);
	d->slots = ns;
	d->cap = ncap;
	return 0;
}

/* Interns s[0..n) and returns its code, or UINT32_MAX when out of memory. */
static uint32_t dict_put(struct dict *d, const char *s, size_t n)
{
	size_t i;

	if ((d->n + 1) * 2 > d->cap && dict_grow(d) != 0)
		return UINT32_MAX;
	for (i = hash_bytes(s, n) & (d->cap - 1); d->slots[i]; i = (i + 1) & (d->cap - 1)) {
		const char *t = dict_str(d, d->slots[i] - 1);

		if (strncmp(t, s, n) == 0 && t[n] == '\0')
			return d->slots[i] - 1;
	}
	if (d->n == d->offcap) {
		size_t ncap = d->offcap ? d->offcap * 2 : 256;
		size_t *no = realloc(d->off, ncap * sizeof(*no));

		if (!no)
			return UINT32_MAX;
		d->off = no;
		d->offcap = ncap;
	}
	if (d->used + n + 1 > d->arenacap) {
		size_t ncap = d->arenacap ? d->arenacap * 2 : 4096;
		char *na;

		while (ncap < d->used + n + 1)
			ncap *= 2;
		if (!(na = realloc(d->arena, ncap)))
			return UINT32_MAX;
		d->arena = na;
		d->arenacap = ncap;
	}
	memcpy(d->arena + d->used, s, n);
	d->arena[d->used + n] = '\0';
	d->off[d->n] = d->used;
	d->used += n + 1;
	d->slots[i] = (uint32_t)d->n + 1;
	return (uint32_t)d->n++;
}

/* --- the table read from the vault --- */

enum role { ROLE_QUASI, ROLE_SENSITIVE, ROLE_PUBLIC };

struct column {
	const struct bk_column *col;
	enum role role;
	int ldiv;                /* one of the l-diversity columns */
	struct dict levels[BK_ANON_LEVELS_MAX]; /* quasi: labels per level; others: levels[0] only */
	uint32_t *map[BK_ANON_LEVELS_MAX];      /* quasi: level-0 code -> level-j code */
	uint32_t *up[BK_ANON_LEVELS_MAX];       /* quasi: level-j code -> level-(j+1) code */
	size_t nlevels;
};

struct table {
	struct column cols[BK_REQUEST_COLUMNS_MAX];
	size_t ncols, nrows, cap;
	uint32_t *codes;  /* nrows * ncols level-0 codes */
	int64_t *subject; /* nrows, -1 when the row names no subject */
	int has_subject;
};

static void table_free(struct table *tb)
{
	for (size_t c = 0; c < tb->ncols; c++)
		for (size_t j = 0; j < BK_ANON_LEVELS_MAX; j++) {
			dict_free(&tb->cols[c].levels[j]);
			free(tb->cols[c].map[j]);
			free(tb->cols[c].up[j]);
		}
	free(tb->codes);
	free(tb->subject);
	memset(tb, 0, sizeof(*tb));
}

static bk_status table_read(struct bk_vault *v, const struct bk_dataset *ds, const struct bk_request *r,
			    const char (*names)[33], size_t nnames, struct table *tb)
{
	char sql[4096];
	size_t n;
	sqlite3_stmt *st = NULL;
	bk_status rc = BK_OK;
	int src;

	tb->has_subject = ds->subject_col >= 0 && r->kind == BK_REQUEST_MICRODATA;
	n = (size_t)snprintf(sql, sizeof(sql), "SELECT subject");
	for (size_t c = 0; c < nnames; c++) {
		int idx = bk_dataset_column(ds, names[c]);

		/* "kecamatan" names the row's kecamatan when the schema has no such column */
		if (idx < 0 && !(strcmp(names[c], "kecamatan") == 0 && ds->scope_col >= 0))
			return bk_fail(BK_ERR_NOTFOUND, "dataset '%s' has no column '%s'", ds->name, names[c]);
		tb->cols[c].col = idx >= 0 ? &ds->cols[idx] : NULL;
		/* names were checked to be [a-z][a-z0-9_]*: safe inside quotes */
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, ", \"%s\"", names[c]);
	}
	tb->ncols = nnames;
	n += (size_t)snprintf(sql + n, sizeof(sql) - n, " FROM \"ds_%s\"", ds->name);
	if (r->period_from[0])
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, " WHERE \"tanggal\" BETWEEN ?1 AND ?2");
	if (n >= sizeof(sql))
		return bk_fail(BK_ERR_STATE, "request too large");
	src = sqlite3_prepare_v2(v->db, sql, -1, &st, NULL);
	if (src == SQLITE_OK && r->period_from[0]) {
		sqlite3_bind_text(st, 1, r->period_from, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, r->period_to, -1, SQLITE_STATIC);
	}
	while (src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
		if (tb->nrows == tb->cap) {
			size_t ncap = tb->cap ? tb->cap * 2 : 4096;
			uint32_t *nc = realloc(tb->codes, ncap * tb->ncols * sizeof(*nc));
			int64_t *ns;

			if (nc)
				tb->codes = nc;
			ns = nc ? realloc(tb->subject, ncap * sizeof(*ns)) : NULL;
			if (!ns) {
				rc = bk_fail(BK_ERR_NOMEM, "out of memory reading the dataset");
				break;
			}
			tb->subject = ns;
			tb->cap = ncap;
		}
		tb->subject[tb->nrows] = sqlite3_column_type(st, 0) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 0);
		for (size_t c = 0; c < tb->ncols; c++) {
			const char *s = (const char *)sqlite3_column_text(st, (int)c + 1);
			size_t len = (size_t)sqlite3_column_bytes(st, (int)c + 1);
			uint32_t code = dict_put(&tb->cols[c].levels[0], s ? s : "", s ? len : 0);

			if (code == UINT32_MAX) {
				rc = bk_fail(BK_ERR_NOMEM, "out of memory reading the dataset");
				break;
			}
			tb->codes[tb->nrows * tb->ncols + c] = code;
		}
		if (rc)
			break;
		tb->nrows++;
		src = SQLITE_OK;
	}
	if (rc == BK_OK && src != SQLITE_DONE)
		rc = bk_db_status(v->db, src, "reading the dataset");
	sqlite3_finalize(st);
	return rc;
}

/* Builds the quasi column's levels above 0 from its hierarchy. */
static bk_status build_levels(struct bk_vault *v, struct column *c)
{
	size_t n0 = c->levels[0].n;
	char label[256];
	bk_status rc;

	c->nlevels = bk_hierarchy_levels(c->col);
	if (c->nlevels < 2 || c->nlevels > BK_ANON_LEVELS_MAX)
		return bk_fail(BK_ERR_STATE, "column '%s': unsupported hierarchy", c->col->name);
	for (size_t j = 0; j < c->nlevels; j++) {
		if (!(c->map[j] = malloc((n0 ? n0 : 1) * sizeof(uint32_t))))
			return bk_fail(BK_ERR_NOMEM, "out of memory");
		for (uint32_t code = 0; code < n0; code++) {
			if (j == 0) {
				c->map[0][code] = code;
				continue;
			}
			if ((rc = bk_hierarchy_label(c->col, bk_vault_regions(v), j, dict_str(&c->levels[0], code), label,
						     sizeof(label))))
				return rc;
			if ((c->map[j][code] = dict_put(&c->levels[j], label, strlen(label))) == UINT32_MAX)
				return bk_fail(BK_ERR_NOMEM, "out of memory");
		}
	}
	/* the top level is one value even for an empty table */
	if (c->levels[c->nlevels - 1].n == 0 && dict_put(&c->levels[c->nlevels - 1], "*", 1) == UINT32_MAX)
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	for (size_t j = 0; j + 1 < c->nlevels; j++) {
		size_t nj = c->levels[j].n;

		if (!(c->up[j] = malloc((nj ? nj : 1) * sizeof(uint32_t))))
			return bk_fail(BK_ERR_NOMEM, "out of memory");
		memset(c->up[j], 0xff, (nj ? nj : 1) * sizeof(uint32_t));
		for (uint32_t code = 0; code < n0; code++) {
			uint32_t lo = c->map[j][code], hi = c->map[j + 1][code];

			/* a hierarchy must be a tree: one parent per value */
			if (c->up[j][lo] != UINT32_MAX && c->up[j][lo] != hi)
				return bk_fail(BK_ERR_STATE, "column '%s': hierarchy level %zu is not a tree", c->col->name,
					       j + 1);
			c->up[j][lo] = hi;
		}
	}
	return BK_OK;
}

static const char *cell_label(const struct table *tb, size_t row, size_t c, size_t level)
{
	const struct column *col = &tb->cols[c];
	uint32_t code = tb->codes[row * tb->ncols + c];

	if (col->role != ROLE_QUASI)
		return dict_str(&col->levels[0], code);
	return dict_str(&col->levels[level], col->map[level][code]);
}

/* --- CSV through age into a staged file --- */

/* The CSV as it is written: buffered, hashed (plaintext), encrypted with age
 * to the evaluator and hashed again (ciphertext) into a staged file. */
struct csv_out {
	struct bk_age_writer *w;
	char buf[65536];
	size_t len;
	struct bk_sha256_state hash; /* of the plaintext CSV */
	size_t bytes;
	bk_status rc;
	int fd;
	struct bk_sha256_state file_hash; /* of data.csv.age */
	size_t file_bytes;
};

/* What the manifest says of the data file. */
struct written {
	char plain_sha256[65];
	size_t plain_bytes, cipher_bytes;
};

static bk_status file_sink(void *ctx, const uint8_t *buf, size_t len)
{
	struct csv_out *o = ctx;

	if (bk_write_all(o->fd, buf, len) != 0)
		return bk_fail(BK_ERR_IO, "cannot write the extract: %s", strerror(errno));
	bk_sha256_update(&o->file_hash, buf, len);
	o->file_bytes += len;
	return BK_OK;
}

static void csv_flush(struct csv_out *o)
{
	if (o->rc == BK_OK && o->len) {
		bk_sha256_update(&o->hash, o->buf, o->len);
		o->bytes += o->len;
		o->rc = bk_age_writer_write(o->w, o->buf, o->len);
	}
	o->len = 0;
}

static void csv_put(struct csv_out *o, const char *s, size_t n)
{
	while (n) {
		size_t room = sizeof(o->buf) - o->len, k = n < room ? n : room;

		memcpy(o->buf + o->len, s, k);
		o->len += k;
		s += k;
		n -= k;
		if (o->len == sizeof(o->buf))
			csv_flush(o);
	}
}

/* RFC 4180 cell into out (room for 2 * strlen(s) + 4 bytes); a formula-like
 * cell gets a leading apostrophe inside quotes. Returns the length. */
static size_t csv_encode(const char *s, char *out)
{
	size_t n = strlen(s), k = 0;
	int formula = bk_validate_formula_like(s, n);

	if (!formula && !memchr(s, ',', n) && !memchr(s, '"', n) && !memchr(s, '\n', n) && !memchr(s, '\r', n)) {
		memcpy(out, s, n);
		return n;
	}
	out[k++] = '"';
	if (formula)
		out[k++] = '\'';
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			out[k++] = '"';
		out[k++] = *p;
	}
	out[k++] = '"';
	return k;
}

static void csv_cell(struct csv_out *o, const char *s, int first)
{
	char small[2 * 256 + 4], *buf = strlen(s) <= 256 ? small : malloc(2 * strlen(s) + 4);

	if (!first)
		csv_put(o, ",", 1);
	if (!buf) {
		o->rc = bk_fail(BK_ERR_NOMEM, "out of memory");
		return;
	}
	csv_put(o, buf, csv_encode(s, buf));
	if (buf != small)
		free(buf);
}

/* Every label of a dictionary, CSV-encoded once: rows then only copy bytes. */
struct csv_labels {
	char *arena;
	size_t *off;
	uint32_t *len;
};

static void csv_labels_free(struct csv_labels *l)
{
	free(l->arena);
	free(l->off);
	free(l->len);
	memset(l, 0, sizeof(*l));
}

static bk_status csv_labels_make(const struct dict *d, struct csv_labels *l)
{
	size_t used = 0, cap = 2 * d->used + 4 * d->n + 1;

	memset(l, 0, sizeof(*l));
	l->arena = malloc(cap);
	l->off = malloc((d->n + 1) * sizeof(*l->off));
	l->len = malloc((d->n + 1) * sizeof(*l->len));
	if (!l->arena || !l->off || !l->len) {
		csv_labels_free(l);
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	}
	for (uint32_t c = 0; c < d->n; c++) {
		l->off[c] = used;
		l->len[c] = (uint32_t)csv_encode(dict_str(d, c), l->arena + used);
		used += l->len[c];
	}
	return BK_OK;
}

static void hex256(char out[65], const uint8_t h[BK_SHA256_BYTES])
{
	bk_hex_encode(out, h, BK_SHA256_BYTES);
}

static void staged_path(char *out, size_t cap, const char *dir, const char *file)
{
	snprintf(out, cap, "%s/" STAGED_PREFIX "%s", dir, file);
}

/* Makes the renames in dir durable (file, a path in it: bk_fsync_dir syncs the
 * directory holding its argument), and dir's own entry, which the approval made. */
static bk_status synced(const char *dir, const char *file)
{
	bk_status rc = bk_fsync_dir(file);

	return rc ? rc : bk_fsync_dir(dir);
}

bk_status bk_extract_publish(const char *dir)
{
	char from[4096], to[4096];

	for (const char *const *f = bk_extract_files; *f; f++) {
		staged_path(from, sizeof(from), dir, *f);
		snprintf(to, sizeof(to), "%s/%s", dir, *f);
		/* one already in place: an earlier publish went that far (bk_extract_staged) */
		if (rename(from, to) != 0 && (errno != ENOENT || access(to, F_OK) != 0))
			return bk_fail(BK_ERR_IO, "cannot put '%s' in place: %s", to, strerror(errno));
	}
	return synced(dir, to);
}

bk_status bk_extract_staged(const char *dir, const char *manifest_sha256)
{
	char path[4096], done[4096], hex[65];
	uint8_t h[BK_SHA256_BYTES], *text = NULL;
	size_t len = 0, staged = 0;
	struct stat sb;
	bk_status rc;

	for (const char *const *f = bk_extract_files; *f; f++) {
		staged_path(path, sizeof(path), dir, *f);
		staged += lstat(path, &sb) == 0;
	}
	if (!staged)
		return BK_ERR_NOTFOUND;
	for (const char *const *f = bk_extract_files; *f; f++) {
		staged_path(path, sizeof(path), dir, *f);
		snprintf(done, sizeof(done), "%s/%s", dir, *f);
		if (lstat(path, &sb) != 0 && lstat(done, &sb) != 0)
			return bk_fail(BK_ERR_CORRUPT, "'%s' is missing: the extract in '%s' cannot be put in place", done,
				       dir);
	}
	staged_path(path, sizeof(path), dir, "manifest.json");
	if (lstat(path, &sb) != 0)
		snprintf(path, sizeof(path), "%s/manifest.json", dir);
	if ((rc = bk_file_read(path, EXTRACT_MAX_BYTES, &text, &len)))
		return rc;
	bk_sha256(h, text, len);
	free(text);
	hex256(hex, h);
	if (strcmp(hex, manifest_sha256) != 0)
		return bk_fail(BK_ERR_CORRUPT, "'%s' is not the manifest of the approved extract (its SHA-256 differs)",
			       path);
	return BK_OK;
}

void bk_extract_discard(const char *dir)
{
	char path[4096];

	for (const char *const *f = bk_extract_files; *f; f++) {
		staged_path(path, sizeof(path), dir, *f);
		unlink(path);
	}
}

/* Opens a staged file for writing (new, 0600). */
static bk_status staged_open(const char *dir, const char *file, int *fd_p)
{
	char path[4096];

	staged_path(path, sizeof(path), dir, file);
	unlink(path);
	*fd_p = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (*fd_p < 0)
		return bk_fail(BK_ERR_IO, "cannot create '%s': %s", path, strerror(errno));
	return BK_OK;
}

static bk_status staged_write(const char *dir, const char *file, const char *text)
{
	int fd;
	bk_status rc;

	if ((rc = staged_open(dir, file, &fd)))
		return rc;
	if (bk_write_all(fd, text, strlen(text)) != 0 || fsync(fd) != 0)
		rc = bk_fail(BK_ERR_IO, "cannot write '%s/%s': %s", dir, file, strerror(errno));
	if (close(fd) != 0 && rc == BK_OK)
		rc = bk_fail(BK_ERR_IO, "cannot write '%s/%s': %s", dir, file, strerror(errno));
	return rc;
}

static bk_status csv_open(const struct bk_extract_target *t, struct csv_out **o_p)
{
	struct csv_out *o = calloc(1, sizeof(*o));
	bk_status rc;

	*o_p = o;
	if (!o)
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	o->fd = -1;
	bk_sha256_init(&o->hash);
	bk_sha256_init(&o->file_hash);
	if ((rc = staged_open(t->dir, "data.csv.age", &o->fd)))
		return rc;
	return bk_age_writer_open(&o->w, (const uint8_t(*)[32])t->evaluator->box_pk, 1, file_sink, o);
}

/* Ends the CSV: last buffer, age's final chunk, fsync, both hashes. */
static bk_status csv_close(struct csv_out *o, struct bk_extract_files *files, struct written *wr)
{
	uint8_t h[BK_SHA256_BYTES];
	bk_status rc;

	csv_flush(o);
	if ((rc = o->rc) || (rc = bk_age_writer_close(o->w)))
		return rc;
	if (fsync(o->fd) != 0 || close(o->fd) != 0) {
		o->fd = -1;
		return bk_fail(BK_ERR_IO, "cannot write the extract: %s", strerror(errno));
	}
	o->fd = -1;
	bk_sha256_final(&o->file_hash, h);
	hex256(files->data_sha256, h);
	bk_sha256_final(&o->hash, h);
	hex256(wr->plain_sha256, h);
	wr->plain_bytes = o->bytes;
	wr->cipher_bytes = o->file_bytes;
	return BK_OK;
}

static void csv_free(struct csv_out *o)
{
	if (!o)
		return;
	if (o->fd >= 0)
		close(o->fd);
	bk_age_writer_free(o->w);
	free(o);
}

/* Writes data.csv.age: header, then the released rows in random order (the
 * stored order follows import order and could hint at identities). */
static bk_status write_data(const struct table *tb, const struct bk_anon_result *res, const size_t *level,
			    const struct bk_extract_target *t, const uint8_t pseudo_key[BK_PRF64_KEYBYTES],
			    struct bk_extract_files *files, struct written *wr)
{
	struct csv_out *o = NULL;
	struct csv_labels lab[BK_REQUEST_COLUMNS_MAX];
	uint32_t *order = NULL;
	size_t nrel = 0;
	bk_status rc;

	memset(lab, 0, sizeof(lab));
	if (!(order = malloc((tb->nrows ? tb->nrows : 1) * sizeof(*order)))) {
		rc = bk_fail(BK_ERR_NOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < tb->nrows; i++)
		if (!res || !res->suppressed[i])
			order[nrel++] = (uint32_t)i;
	if ((rc = bk_random_shuffle(order, nrel)) || (rc = csv_open(t, &o)))
		goto out;
	for (size_t c = 0; c < tb->ncols; c++)
		if ((rc = csv_labels_make(&tb->cols[c].levels[tb->cols[c].role == ROLE_QUASI ? level[c] : 0], &lab[c])))
			goto out;
	if (tb->has_subject)
		csv_cell(o, "pseudonym", 1);
	for (size_t c = 0; c < tb->ncols; c++)
		csv_cell(o, tb->cols[c].col->name, c == 0 && !tb->has_subject);
	csv_put(o, "\r\n", 2);
	for (size_t k = 0; k < nrel && o->rc == BK_OK; k++) {
		size_t row = order[k];
		const uint32_t *codes = tb->codes + row * tb->ncols;

		if (tb->has_subject) {
			char pseudo[17];
			size_t plen = 0;

			if (tb->subject[row] >= 0) {
				static const char hexdig[] = "0123456789abcdef";
				uint8_t le[8];
				uint64_t s = (uint64_t)tb->subject[row], p;

				for (int b = 0; b < 8; b++)
					le[b] = (uint8_t)(s >> (8 * b));
				p = bk_prf64(le, sizeof(le), pseudo_key);
				for (int b = 0; b < 16; b++)
					pseudo[b] = hexdig[(p >> (60 - 4 * b)) & 15];
				plen = 16;
			}
			csv_put(o, pseudo, plen);
		}
		for (size_t c = 0; c < tb->ncols; c++) {
			const struct column *col = &tb->cols[c];
			uint32_t code = col->role == ROLE_QUASI ? col->map[level[c]][codes[c]] : codes[c];

			if (c > 0 || tb->has_subject)
				csv_put(o, ",", 1);
			csv_put(o, lab[c].arena + lab[c].off[code], lab[c].len[code]);
		}
		csv_put(o, "\r\n", 2);
	}
	rc = csv_close(o, files, wr);
out:
	csv_free(o);
	for (size_t c = 0; c < tb->ncols; c++)
		csv_labels_free(&lab[c]);
	free(order);
	return rc;
}

static json_t *figures_json(const struct bk_extract_summary *s)
{
	json_t *j = json_pack("{s:I, s:I, s:I}", "rows_total", (json_int_t)s->rows_total, "rows_released",
			      (json_int_t)s->rows_released, "rows_suppressed", (json_int_t)s->rows_suppressed);

	if (!j)
		return NULL;
	if (s->kind == BK_REQUEST_MICRODATA) {
		json_object_set_new(j, "classes", json_integer((json_int_t)s->classes));
		json_object_set_new(j, "smallest_class", json_integer((json_int_t)s->smallest_class));
		json_object_set_new(j, "prosecutor_risk_max", json_real(s->risk_max));
		json_object_set_new(j, "prosecutor_risk_avg", json_real(s->risk_avg));
		json_object_set_new(j, "share_of_rows_in_classes_under_10", json_real(s->share_at_risk));
		json_object_set_new(j, "information_loss", json_real(s->loss));
		json_object_set_new(j, "information_loss_metric", json_string("ARX Loss: Iyengar's loss metric averaged over all cells, suppressed rows fully generalized"));
		json_object_set_new(j, "lattice_nodes", json_integer((json_int_t)s->nodes_total));
		json_object_set_new(j, "lattice_nodes_checked", json_integer((json_int_t)s->nodes_checked));
	} else {
		json_object_set_new(j, "cells", json_integer((json_int_t)s->cells));
		json_object_set_new(j, "cells_suppressed_primary", json_integer((json_int_t)s->cells_primary));
		json_object_set_new(j, "cells_suppressed_complementary",
				    json_integer((json_int_t)s->cells_complementary));
	}
	return j;
}

static bk_status write_manifest(struct bk_vault *v, const struct bk_dataset *ds, const struct bk_extract_target *t, const struct bk_extract_summary *sum,
				struct bk_extract_files *files, const struct written *wr)
{
	json_t *m = NULL, *cols, *appr, *req;
	char vault_hex[BK_HEX_LEN(BK_VAULT_IDBYTES)], recipient[BK_AGE_RECIPIENT_MAX], now[24], comment[160];
	char *text = NULL, *sig = NULL;
	uint8_t h[BK_SHA256_BYTES];
	bk_status rc;

	bk_sha256(h, t->request_text, t->request_len);
	hex256(files->request_sha256, h);
	bk_hex_encode(vault_hex, v->kr.vault_id, sizeof(v->kr.vault_id));
	if ((rc = bk_age_recipient_from_x25519(recipient, t->evaluator->box_pk)))
		return rc;
	bk_vault_now(now);
	cols = json_array();
	for (size_t c = 0; cols && c < sum->ncols; c++) {
		const struct bk_extract_column *ec = &sum->cols[c];
		json_t *jc = json_pack("{s:s, s:s}", "name", ec->name, "class", ec->cls);

		if (jc && strcmp(ec->cls, "quasi") == 0) {
			json_object_set_new(jc, "level", json_integer((json_int_t)ec->level));
			json_object_set_new(jc, "levels", json_integer((json_int_t)ec->nlevels));
			json_object_set_new(jc, "hierarchy", json_string(ec->hierarchy));
			json_object_set_new(jc, "released_as", json_string(ec->level_name));
		}
		json_array_append_new(cols, jc);
	}
	appr = json_array();
	for (size_t i = 0; appr && i < t->napprovers; i++)
		json_array_append_new(appr, json_string(t->approvers[i]));
	req = bk_request_body_json(t->request_text, t->request_len);
	m = json_pack("{s:s, s:i, s:s, s:s, s:{s:I, s:s, s:o}, s:{s:s, s:s}, s:o, s:s, s:o, s:o, s:s,"
		      " s:{s:{s:s, s:I}, s:{s:s, s:I, s:I}}}",
		      "format", "brankas-extract", "version", 1, "vault", vault_hex, "dataset", ds->name, "request",
		      "number", (json_int_t)t->number, "sha256", files->request_sha256, "body", req ? req : json_null(),
		      "evaluator", "user", t->evaluator->name, "recipient", recipient, "approvers", appr, "approved", now,
		      "columns", cols, "figures", figures_json(sum), "pseudonyms",
		      sum->kind == BK_REQUEST_MICRODATA && ds->subject_col >= 0
			      ? "SipHash-2-4 of the subject under a random key made for this extract and then discarded: "
				"extracts cannot be joined on it"
			      : "none",
		      "files", "data.csv.age", "sha256", files->data_sha256, "bytes", (json_int_t)wr->cipher_bytes,
		      "data.csv", "sha256", wr->plain_sha256, "bytes", (json_int_t)wr->plain_bytes, "rows",
		      (json_int_t)sum->rows_released);
	if (!m || !(text = json_dumps(m, JSON_INDENT(2) | JSON_PRESERVE_ORDER))) {
		rc = bk_fail(BK_ERR_NOMEM, "out of memory writing the manifest");
		goto out;
	}
	{
		size_t n = strlen(text);
		char *nl = realloc(text, n + 2);

		if (!nl) {
			rc = bk_fail(BK_ERR_NOMEM, "out of memory");
			goto out;
		}
		text = nl;
		memcpy(text + n, "\n", 2);
	}
	bk_sha256(h, text, strlen(text));
	hex256(files->manifest_sha256, h);
	snprintf(comment, sizeof(comment), "brankas extract request:%lld dataset:%s manifest-sha256:%.16s", t->number,
		 ds->name, files->manifest_sha256);
	if ((rc = bk_vault_release_sign(v, (const uint8_t *)text, strlen(text), comment, &sig)) ||
	    (rc = staged_write(t->dir, "manifest.json", text)) || (rc = staged_write(t->dir, "manifest.json.minisig", sig)))
		goto out;
out:
	json_decref(m);
	free(text);
	free(sig);
	return rc;
}

/* A name for level j of a quasi column's hierarchy (hierarchy.h's parts). */
static void level_name(const struct column *col, size_t j, char *out, size_t cap)
{
	const char *h = col->col->hierarchy, *p = h;

	if (j == 0) {
		snprintf(out, cap, "as stored");
		return;
	}
	if (j + 1 >= col->nlevels) {
		snprintf(out, cap, "* (suppressed)");
		return;
	}
	if (col->col->type == BK_TYPE_ENUM) {
		snprintf(out, cap, "groups");
		return;
	}
	for (size_t k = 1; k < j && p; k++)
		if ((p = strchr(p, ',')))
			p++;
	if (!p) {
		snprintf(out, cap, "level %zu", j);
		return;
	}
	if (col->col->type == BK_TYPE_INT || col->col->type == BK_TYPE_SCORE1TO4)
		snprintf(out, cap, "bands of %.*s", (int)strcspn(p, ","), p);
	else
		snprintf(out, cap, "%.*s", (int)strcspn(p, ","), p);
}

static void summary_columns(const struct table *tb, const size_t *level, struct bk_extract_summary *sum)
{
	static const char *const role_names[] = {"quasi", "sensitive", "public"};

	sum->ncols = 0;
	if (tb->has_subject) {
		snprintf(sum->cols[0].name, sizeof(sum->cols[0].name), "pseudonym");
		snprintf(sum->cols[0].cls, sizeof(sum->cols[0].cls), "pseudonym");
		sum->ncols = 1;
	}
	for (size_t c = 0; c < tb->ncols && sum->ncols < BK_EXTRACT_COLUMNS_MAX; c++) {
		struct bk_extract_column *ec = &sum->cols[sum->ncols++];

		memset(ec, 0, sizeof(*ec));
		snprintf(ec->name, sizeof(ec->name), "%s", tb->cols[c].col->name);
		snprintf(ec->cls, sizeof(ec->cls), "%s", role_names[tb->cols[c].role]);
		if (tb->cols[c].role == ROLE_QUASI) {
			ec->level = level[c];
			ec->nlevels = tb->cols[c].nlevels;
			snprintf(ec->hierarchy, sizeof(ec->hierarchy), "%s",
				 tb->cols[c].col->hierarchy[0] ? tb->cols[c].col->hierarchy : "*");
			level_name(&tb->cols[c], level[c], ec->level_name, sizeof(ec->level_name));
		}
	}
}

/* The independent re-check: generalized strings of the released rows. */
static bk_status verify_release(const struct table *tb, const struct bk_anon_result *res, const size_t *level,
				const struct bk_request *r, size_t nquasi, size_t nsens)
{
	const char **q = NULL, **s = NULL;
	size_t nrel = 0;
	bk_status rc;

	q = malloc((tb->nrows * nquasi + 1) * sizeof(*q));
	s = malloc((tb->nrows * nsens + 1) * sizeof(*s));
	if (!q || !s) {
		rc = bk_fail(BK_ERR_NOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < tb->nrows; i++) {
		size_t qi = 0, si = 0;

		if (res->suppressed[i])
			continue;
		for (size_t c = 0; c < tb->ncols; c++) {
			if (tb->cols[c].role == ROLE_QUASI)
				q[nrel * nquasi + qi++] = cell_label(tb, i, c, level[c]);
			if (tb->cols[c].ldiv)
				s[nrel * nsens + si++] = cell_label(tb, i, c, 0);
		}
		nrel++;
	}
	rc = bk_anon_verify_release(q, nrel, nquasi, nsens ? s : NULL, nsens, r->k,
				    r->ldiv == BK_REQUEST_LDIV_ENTROPY    ? BK_LDIV_ENTROPY
				    : r->ldiv == BK_REQUEST_LDIV_DISTINCT ? BK_LDIV_DISTINCT
									  : BK_LDIV_NONE,
				    r->l);
out:
	free(q);
	free(s);
	return rc;
}

/* The anonymization's view of a table: which columns are quasi-identifying
 * and which sensitive, and their codes row by row. */
struct micro {
	size_t nquasi, nsens, qcol[BK_ANON_QUASI_MAX], scol[BK_REQUEST_SENSITIVE_MAX];
	uint32_t *quasi, *sens;
};

/* micro_roles gives each column its role, marks the request's sensitive
 * columns, and builds the hierarchy levels of the quasi-identifying ones. */
static bk_status micro_roles(struct bk_vault *v, const struct bk_request *r, struct table *tb, struct micro *m)
{
	bk_status rc = BK_OK;

	for (size_t c = 0; c < tb->ncols; c++) {
		struct column *col = &tb->cols[c];

		col->role = col->col->cls == BK_COL_QUASI ? ROLE_QUASI
			    : col->col->cls == BK_COL_SENSITIVE ? ROLE_SENSITIVE
								: ROLE_PUBLIC;
		for (size_t s = 0; s < r->nsensitive; s++)
			if (strcmp(r->sensitive[s], col->col->name) == 0) {
				col->ldiv = 1;
				m->scol[m->nsens++] = c;
			}
		if (col->role == ROLE_QUASI) {
			if (m->nquasi == BK_ANON_QUASI_MAX) {
				rc = bk_fail(BK_ERR_USAGE, "at most %d quasi-identifying columns", BK_ANON_QUASI_MAX);
				goto out;
			}
			if ((rc = build_levels(v, col)))
				goto out;
			m->qcol[m->nquasi++] = c;
		}
	}
out:
	return rc;
}

/* micro_input copies the codes of the quasi-identifying and sensitive
 * columns into m and fills in the anonymization's input from them. */
static bk_status micro_input(const struct table *tb, const struct bk_request *r, struct micro *m,
			     struct bk_anon_input *in)
{
	size_t nquasi = m->nquasi, nsens = m->nsens;
	bk_status rc = BK_OK;

	m->quasi = malloc((tb->nrows * nquasi + 1) * sizeof(*m->quasi));
	m->sens = malloc((tb->nrows * nsens + 1) * sizeof(*m->sens));
	if (!m->quasi || !m->sens) {
		rc = bk_fail(BK_ERR_NOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < tb->nrows; i++) {
		for (size_t q = 0; q < nquasi; q++)
			m->quasi[i * nquasi + q] = tb->codes[i * tb->ncols + m->qcol[q]];
		for (size_t s = 0; s < nsens; s++)
			m->sens[i * nsens + s] = tb->codes[i * tb->ncols + m->scol[s]];
	}
	in->nrows = tb->nrows;
	in->nquasi = nquasi;
	in->quasi = m->quasi;
	for (size_t q = 0; q < nquasi; q++) {
		const struct column *col = &tb->cols[m->qcol[q]];

		in->hier[q].nlevels = col->nlevels;
		for (size_t j = 0; j < col->nlevels; j++) {
			in->hier[q].ncodes[j] = col->levels[j].n;
			in->hier[q].up[j] = col->up[j];
		}
	}
	in->nsensitive = nsens;
	in->sensitive = nsens ? m->sens : NULL;
	in->k = r->k;
	in->ldiv = r->ldiv == BK_REQUEST_LDIV_ENTROPY    ? BK_LDIV_ENTROPY
		   : r->ldiv == BK_REQUEST_LDIV_DISTINCT ? BK_LDIV_DISTINCT
							 : BK_LDIV_NONE;
	in->l = r->l;
	in->max_suppressed = (size_t)((unsigned long long)tb->nrows * r->suppression_permille / 1000);
	in->risk_threshold = BK_EXTRACT_RISK_THRESHOLD;
out:
	return rc;
}

/* summary_found puts the figures of the generalization found into sum. */
static void summary_found(const struct table *tb, const struct bk_anon_result *res, const size_t *level,
			  struct bk_extract_summary *sum)
{
	summary_columns(tb, level, sum);
	sum->rows_released = res->nreleased;
	sum->rows_suppressed = res->nsuppressed;
	sum->classes = res->nclasses;
	sum->smallest_class = res->smallest_class;
	sum->risk_max = res->risk_max;
	sum->risk_avg = res->risk_avg;
	sum->share_at_risk = res->share_at_risk;
	sum->loss = res->loss;
}

/* micro_write writes the released rows, pseudonymized under a key that dies
 * with this call, and their manifest. */
static bk_status micro_write(struct bk_vault *v, const struct bk_dataset *ds, const struct table *tb,
			     const struct bk_anon_result *res, const size_t *level, const struct bk_extract_target *t,
			     struct bk_extract_summary *sum, struct bk_extract_files *files)
{
	uint8_t *pseudo_key = NULL;
	struct written wr;
	bk_status rc = BK_OK;

	if (!(pseudo_key = bk_secmem_alloc(BK_PRF64_KEYBYTES))) {
		rc = bk_fail(BK_ERR_NOMEM, "out of guarded memory");
		goto out;
	}
	bk_random(pseudo_key, BK_PRF64_KEYBYTES);
	if ((rc = write_data(tb, res, level, t, pseudo_key, files, &wr)) ||
	    (rc = write_manifest(v, ds, t, sum, files, &wr)))
		goto out;
out:
	bk_secmem_free(pseudo_key);
	return rc;
}

static bk_status make_microdata(struct bk_vault *v, const struct bk_dataset *ds, const struct bk_request *r,
				const struct bk_extract_target *t, struct bk_extract_summary *sum,
				struct bk_extract_files *files)
{
	struct table *tb = calloc(1, sizeof(*tb));
	struct bk_anon_input in;
	struct bk_anon_result res;
	struct micro m = {0};
	size_t level[BK_REQUEST_COLUMNS_MAX] = {0};
	bk_status rc;

	memset(&in, 0, sizeof(in));
	memset(&res, 0, sizeof(res));
	if (!tb)
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	if ((rc = table_read(v, ds, r, r->columns, r->ncolumns, tb)))
		goto out;
	if (tb->nrows == 0) {
		sum->kind = BK_REQUEST_MICRODATA;
		if (t)
			rc = bk_fail(BK_ERR_STATE, "no rows of '%s' match the request: nothing to release", ds->name);
		goto out;
	}
	if ((rc = micro_roles(v, r, tb, &m)) || (rc = micro_input(tb, r, &m, &in)))
		goto out;
	if ((rc = bk_anon_run(&in, &res)))
		goto out;
	sum->kind = BK_REQUEST_MICRODATA;
	sum->rows_total = tb->nrows;
	sum->found = res.found;
	sum->nodes_total = res.nodes_total;
	sum->nodes_checked = res.nodes_checked;
	if (!res.found) {
		summary_columns(tb, level, sum);
		if (t) {
			bk_hint("ask for a smaller k, more suppression or fewer quasi-identifying columns");
			rc = bk_fail(BK_ERR_STATE, "no generalization of '%s' satisfies k=%u with %u.%u%% suppression",
				     ds->name, r->k, r->suppression_permille / 10, r->suppression_permille % 10);
		}
		goto out;
	}
	for (size_t q = 0; q < m.nquasi; q++)
		level[m.qcol[q]] = res.level[q];
	summary_found(tb, &res, level, sum);
	/* never trust the search alone: count the released classes again */
	if ((rc = verify_release(tb, &res, level, r, m.nquasi, m.nsens)))
		goto out;
	if (t)
		rc = micro_write(v, ds, tb, &res, level, t, sum, files);
out:
	bk_anon_result_release(&res);
	free(m.quasi);
	free(m.sens);
	table_free(tb);
	free(tb);
	return rc;
}

/* --- aggregate tables --- */

/* Declares every label a by-column can take: with ε the cells must be fixed
 * before the data is read (tables.h). */
static bk_status declare_domain(struct bk_vault *v, struct bk_table *t, size_t by, const struct bk_column *col,
				const char *name)
{
	const struct bk_regions *reg = bk_vault_regions(v);
	char buf[32];
	bk_status rc = BK_OK;

	if (!col || col->type == BK_TYPE_REGION) {
		enum bk_region_level level = !col || col->level == BK_REGION_KECAMATAN ? BK_REGION_KECAMATAN
											 : BK_REGION_DESA;

		for (size_t i = 0; i < reg->count && rc == BK_OK; i++)
			if (reg->items[i].level == level)
				rc = bk_table_declare(t, by, reg->items[i].kode);
		return rc;
	}
	if (col->type == BK_TYPE_ENUM) {
		for (size_t i = 0; i < col->nvalues && rc == BK_OK; i++)
			rc = bk_table_declare(t, by, col->values[i]);
		return rc;
	}
	if (col->type == BK_TYPE_SCORE1TO4 || (col->type == BK_TYPE_INT && col->max - col->min <= 200)) {
		long long lo = col->type == BK_TYPE_SCORE1TO4 ? 1 : col->min;
		long long hi = col->type == BK_TYPE_SCORE1TO4 ? 4 : col->max;

		for (long long x = lo; x <= hi && rc == BK_OK; x++) {
			snprintf(buf, sizeof(buf), "%lld", x);
			rc = bk_table_declare(t, by, buf);
		}
		return rc;
	}
	bk_hint("group by a column with a fixed set of values (enum, region, score, a small int range)");
	return bk_fail(BK_ERR_FORMAT, "column '%s' has no fixed set of values, which differential privacy needs", name);
}

static bk_status parse_int(const char *s, int64_t *out)
{
	char *end;
	long long x;

	errno = 0;
	x = strtoll(s, &end, 10);
	if (!*s || *end || errno)
		return BK_ERR_FORMAT;
	*out = x;
	return BK_OK;
}

static bk_status write_table_csv(const struct bk_table *tbl, const struct bk_request *r,
				 enum bk_table_measure measure, const struct bk_extract_target *t,
				 struct bk_extract_files *files, struct written *wr)
{
	struct csv_out *o = NULL;
	const struct bk_table_entry *e;
	size_t n = 0;
	bk_status rc;

	if ((rc = csv_open(t, &o)))
		goto out;
	for (size_t b = 0; b < r->nby; b++)
		csv_cell(o, r->by[b], b == 0);
	csv_cell(o, "count", 0);
	if (measure == BK_TABLE_MEAN)
		csv_cell(o, r->measure, 0);
	if (measure == BK_TABLE_IKM || measure == BK_TABLE_IKM10) {
		csv_cell(o, "ikm", 0);
		csv_cell(o, "mutu", 0);
		csv_cell(o, "kinerja", 0);
	}
	csv_put(o, "\r\n", 2);
	e = bk_table_entries(tbl, &n);
	for (size_t i = 0; i < n; i++) {
		struct bk_table_text tx;

		bk_table_entry_text(tbl, &e[i], &tx);
		for (size_t b = 0; b < r->nby; b++)
			csv_cell(o, tx.key[b] ? tx.key[b] : BK_TABLE_TOTAL, b == 0);
		csv_cell(o, tx.count, 0);
		if (measure == BK_TABLE_MEAN)
			csv_cell(o, tx.value, 0);
		if (measure == BK_TABLE_IKM || measure == BK_TABLE_IKM10) {
			csv_cell(o, tx.value, 0);
			csv_cell(o, tx.mutu, 0);
			csv_cell(o, tx.kinerja ? tx.kinerja : "", 0);
		}
		csv_put(o, "\r\n", 2);
	}
	rc = csv_close(o, files, wr);
out:
	csv_free(o);
	return rc;
}

/* The columns an aggregate table reads: the by-columns, then the values of
 * its measure. */
struct table_cols {
	enum bk_table_measure measure;
	char names[BK_TABLE_BY_MAX + 10][33], mcol[40];
	size_t nnames, nvalues;
};

/* table_columns parses the request's measure into spec and lists the
 * columns to read into tc. */
static bk_status table_columns(const struct bk_dataset *ds, const struct bk_request *r, struct bk_table_spec *spec,
			       struct table_cols *tc)
{
	bk_status rc;

	if ((rc = bk_table_measure_parse(r->measure, &tc->measure, tc->mcol, sizeof(tc->mcol))))
		goto out;
	for (size_t b = 0; b < r->nby; b++)
		memcpy(tc->names[tc->nnames++], r->by[b], 33);
	spec->nby = r->nby;
	spec->measure = tc->measure;
	if (tc->measure == BK_TABLE_MEAN) {
		int c = bk_dataset_column(ds, tc->mcol);

		if (c < 0) {
			rc = bk_fail(BK_ERR_NOTFOUND, "dataset '%s' has no column '%s'", ds->name, tc->mcol);
			goto out;
		}
		/* bounds from the schema, never from the data */
		spec->bounded = 1;
		spec->lo = ds->cols[c].type == BK_TYPE_SCORE1TO4 ? 1 : ds->cols[c].min;
		spec->hi = ds->cols[c].type == BK_TYPE_SCORE1TO4 ? 4 : ds->cols[c].max;
		snprintf(tc->names[tc->nnames++], 33, "%.32s", tc->mcol);
		tc->nvalues = 1;
	} else if (tc->measure == BK_TABLE_IKM || tc->measure == BK_TABLE_IKM10) {
		tc->nvalues = tc->measure == BK_TABLE_IKM ? 9 : 10;
		for (size_t u = 1; u <= tc->nvalues; u++)
			snprintf(tc->names[tc->nnames++], 33, "u%zu", u);
	}
out:
	return rc;
}

/* table_fill adds each row with a by-value in every by-column and every
 * value of the measure; counts them as released. */
static bk_status table_fill(const struct table *tb, const struct bk_request *r, size_t nvalues, struct bk_table *tbl,
			    struct bk_extract_summary *sum)
{
	bk_status rc = BK_OK;

	for (size_t i = 0; i < tb->nrows; i++) {
		const char *keys[BK_TABLE_BY_MAX];
		int64_t values[10];
		int skip = 0;

		for (size_t b = 0; b < r->nby; b++)
			if (!*(keys[b] = cell_label(tb, i, b, 0)))
				skip = 1; /* a row without a by-value belongs to no cell */
		for (size_t k = 0; k < nvalues && !skip; k++)
			if (parse_int(cell_label(tb, i, r->nby + k, 0), &values[k]) != BK_OK)
				skip = 1; /* no answer, no figure */
		if (skip)
			continue;
		if ((rc = bk_table_add(tbl, keys, values, nvalues)))
			goto out;
		sum->rows_released++;
	}
out:
	return rc;
}

/* summary_table puts the figures and columns of a finished table into sum. */
static void summary_table(const struct bk_table *tbl, const struct table *tb, const struct bk_request *r,
			  enum bk_table_measure measure, struct bk_extract_summary *sum)
{
	const struct bk_table_entry *e;
	size_t n = 0;

	sum->rows_total = tb->nrows;
	sum->rows_suppressed = tb->nrows - sum->rows_released;
	sum->found = 1;
	snprintf(sum->epsilon, sizeof(sum->epsilon), "%s", r->epsilon);
	e = bk_table_entries(tbl, &n);
	sum->cells = n;
	for (size_t i = 0; i < n; i++) {
		sum->cells_primary += e[i].primary != 0;
		sum->cells_complementary += e[i].complementary != 0 && !e[i].primary;
	}
	sum->ncols = 0;
	for (size_t b = 0; b < r->nby && sum->ncols < BK_EXTRACT_COLUMNS_MAX; b++) {
		snprintf(sum->cols[sum->ncols].name, sizeof(sum->cols[0].name), "%s", r->by[b]);
		snprintf(sum->cols[sum->ncols++].cls, sizeof(sum->cols[0].cls), "by");
	}
	snprintf(sum->cols[sum->ncols].name, sizeof(sum->cols[0].name), "count");
	snprintf(sum->cols[sum->ncols++].cls, sizeof(sum->cols[0].cls), "measure");
	if (measure != BK_TABLE_COUNT) {
		snprintf(sum->cols[sum->ncols].name, sizeof(sum->cols[0].name), "%.32s",
			 measure == BK_TABLE_MEAN ? r->measure : "ikm");
		snprintf(sum->cols[sum->ncols++].cls, sizeof(sum->cols[0].cls), "measure");
	}
}

static bk_status make_table(struct bk_vault *v, const struct bk_dataset *ds, const struct bk_request *r,
			    const struct bk_extract_target *t, struct bk_extract_summary *sum,
			    struct bk_extract_files *files)
{
	struct table *tb = calloc(1, sizeof(*tb));
	struct bk_table *tbl = NULL;
	struct bk_table_spec spec;
	struct bk_table_opts opts;
	struct table_cols tc;
	struct written wr;
	bk_status rc;

	memset(&spec, 0, sizeof(spec));
	memset(&opts, 0, sizeof(opts));
	memset(&tc, 0, sizeof(tc));
	if (!tb)
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	if ((rc = table_columns(ds, r, &spec, &tc)))
		goto out;
	if ((rc = table_read(v, ds, r, (const char(*)[33])tc.names, tc.nnames, tb)) ||
	    (rc = bk_table_new(&spec, &tbl)))
		goto out;
	for (size_t c = 0; c < tb->ncols; c++)
		tb->cols[c].role = ROLE_PUBLIC; /* counted as stored, not generalized */
	if (r->epsilon[0]) {
		if ((rc = bk_dp_epsilon_parse(r->epsilon, &opts.eps_num, &opts.eps_den)))
			goto out;
		for (size_t b = 0; b < r->nby; b++)
			if ((rc = declare_domain(v, tbl, b, tb->cols[b].col, r->by[b])))
				goto out;
	}
	if ((rc = table_fill(tb, r, tc.nvalues, tbl, sum)))
		goto out;
	opts.min_cell = r->min_cell;
	if ((rc = bk_table_finish(tbl, &opts)))
		goto out;
	summary_table(tbl, tb, r, tc.measure, sum);
	if (!t)
		goto out;
	if ((rc = write_table_csv(tbl, r, tc.measure, t, files, &wr)) ||
	    (rc = write_manifest(v, ds, t, sum, files, &wr)))
		goto out;
out:
	bk_table_free(tbl);
	table_free(tb);
	free(tb);
	return rc;
}

bk_status bk_extract_make(struct bk_vault *v, const struct bk_dataset *ds, const struct bk_request *r,
			  const struct bk_extract_target *t, struct bk_extract_summary *sum,
			  struct bk_extract_files *files)
{
	memset(sum, 0, sizeof(*sum));
	sum->kind = r->kind;
	if (r->kind == BK_REQUEST_MICRODATA)
		return make_microdata(v, ds, r, t, sum, files);
	return make_table(v, ds, r, t, sum, files);
}

/* --- the evaluator's side --- */

struct plain_out {
	int fd;
	struct bk_sha256_state hash;
	size_t bytes;
};

static bk_status plain_sink(void *ctx, const uint8_t *buf, size_t len)
{
	struct plain_out *p = ctx;

	if (bk_write_all(p->fd, buf, len) != 0)
		return bk_fail(BK_ERR_IO, "cannot write the opened extract: %s", strerror(errno));
	bk_sha256_update(&p->hash, buf, len);
	p->bytes += len;
	return BK_OK;
}

/* Copies the manifest's files.FILE.sha256 into out: 64 lowercase hex digits. */
static bk_status manifest_file_hash(json_t *m, const char *file, char out[65])
{
	json_t *f = json_object_get(json_object_get(m, "files"), file);
	const char *h = json_string_value(json_object_get(f, "sha256"));

	if (!h || strlen(h) != 64 || strspn(h, "0123456789abcdef") != 64)
		return bk_fail(BK_ERR_CORRUPT, "manifest.json names no hash for '%s'", file);
	memcpy(out, h, 65);
	return BK_OK;
}

bk_status bk_extract_manifest_parse(const char *text, size_t len, const char *dir, struct bk_extract_manifest *m)
{
	json_t *j = NULL, *recipient;
	json_error_t jerr;
	bk_status rc = BK_OK;

	memset(m, 0, sizeof(*m));
	if (!(j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr)) || !json_is_object(j)) {
		rc = bk_fail(BK_ERR_CORRUPT, "'%s/manifest.json' is signed but does not parse", dir);
		goto out;
	}
	if (!json_is_string(json_object_get(j, "format")) ||
	    strcmp(json_string_value(json_object_get(j, "format")), "brankas-extract") != 0 ||
	    !json_is_integer(json_object_get(j, "version")) || json_integer_value(json_object_get(j, "version")) != 1) {
		rc = bk_fail(BK_ERR_CORRUPT, "'%s/manifest.json' is not a brankas extract manifest of version 1", dir);
		goto out;
	}
	/* jansson refuses "\u0000" without JSON_ALLOW_NUL: the recipient is a whole C string */
	recipient = json_object_get(json_object_get(j, "evaluator"), "recipient");
	if (!json_is_string(recipient) || json_string_length(recipient) == 0 ||
	    json_string_length(recipient) >= sizeof(m->recipient)) {
		rc = bk_fail(BK_ERR_CORRUPT, "'%s/manifest.json' names no evaluator", dir);
		goto out;
	}
	memcpy(m->recipient, json_string_value(recipient), json_string_length(recipient) + 1);
	if ((rc = manifest_file_hash(j, "data.csv.age", m->data_age_sha256)) ||
	    (rc = manifest_file_hash(j, "data.csv", m->data_sha256)))
		goto out;
out:
	json_decref(j);
	if (rc != BK_OK)
		memset(m, 0, sizeof(*m));
	return rc;
}

/* open_manifest reads dir's manifest, checks its signature against the
 * vault's public key, and parses it into *m; the caller frees *manifest_p
 * (mlen bytes, as signed), whatever this returns. */
static bk_status open_manifest(const char *dir, const char *pub_text, size_t pub_len, uint8_t **manifest_p,
			       size_t *mlen_p, struct bk_extract_manifest *m)
{
	char path[4096];
	uint8_t *sig = NULL;
	size_t slen = 0;
	struct bk_minisign_pub pub;
	bk_status rc;

	if ((rc = bk_minisign_pub_parse(&pub, pub_text, pub_len))) {
		bk_hint("pass the vault.pub the vault's admin gave you");
		goto out;
	}
	snprintf(path, sizeof(path), "%s/manifest.json", dir);
	if ((rc = bk_file_read(path, 1 << 20, manifest_p, mlen_p)))
		goto out;
	snprintf(path, sizeof(path), "%s/manifest.json.minisig", dir);
	if ((rc = bk_file_read(path, 4096, &sig, &slen)))
		goto out;
	if (bk_minisign_verify((const char *)sig, slen, *manifest_p, *mlen_p, &pub, NULL) != BK_OK) {
		rc = bk_fail(BK_ERR_CORRUPT, "'%s/manifest.json' is not signed by this vault (altered, or another vault)",
			     dir);
		goto out;
	}
	if ((rc = bk_extract_manifest_parse((const char *)*manifest_p, *mlen_p, dir, m)))
		goto out;
out:
	free(sig);
	return rc;
}

/* open_data checks that the extract was made for the holder of x_sk and
 * reads its encrypted data into *data_p (freed by the caller, whatever this
 * returns), checked against the manifest; path is left naming the file. */
static bk_status open_data(const char *dir, const struct bk_extract_manifest *m, const uint8_t x_sk[32], char *path,
			   size_t cap, uint8_t **data_p, size_t *dlen_p)
{
	char got[65], mine[BK_AGE_RECIPIENT_MAX];
	uint8_t h[BK_SHA256_BYTES], x_pk[32];
	bk_status rc;

	if ((rc = bk_box_public_from_secret(x_pk, x_sk)) || (rc = bk_age_recipient_from_x25519(mine, x_pk)))
		goto out;
	if (strcmp(m->recipient, mine) != 0) {
		rc = bk_fail(BK_ERR_DENIED, "'%s' was made for another evaluator", dir);
		goto out;
	}
	snprintf(path, cap, "%s/data.csv.age", dir);
	if ((rc = bk_file_read(path, EXTRACT_MAX_BYTES, data_p, dlen_p)))
		goto out;
	bk_sha256(h, *data_p, *dlen_p);
	hex256(got, h);
	if (strcmp(got, m->data_age_sha256) != 0) {
		rc = bk_fail(BK_ERR_CORRUPT, "'%s' does not match the signed manifest (altered)", path);
		goto out;
	}
out:
	return rc;
}

/* open_decrypt decrypts data (read from path) into the new file tmp through
 * p, checks the plaintext against the manifest, and syncs and closes it;
 * the caller unlinks tmp unless it links it into place. On a failure to
 * create tmp, tmp is emptied. */
static bk_status open_decrypt(const struct bk_extract_manifest *m, const uint8_t *data, size_t dlen,
			      const uint8_t x_sk[32], const char *path, char *tmp, struct plain_out *p)
{
	char got[65];
	uint8_t h[BK_SHA256_BYTES];
	bk_status rc;

	p->fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (p->fd < 0) {
		rc = bk_fail(BK_ERR_IO, "cannot create '%s': %s", tmp, strerror(errno));
		tmp[0] = '\0';
		goto out;
	}
	bk_sha256_init(&p->hash);
	if ((rc = bk_age_decrypt(data, dlen, x_sk, plain_sink, p))) {
		if (rc == BK_ERR_NOTFOUND)
			rc = bk_fail(BK_ERR_DENIED, "'%s' was not encrypted to this identity", path);
		else if (rc != BK_ERR_IO)
			rc = bk_fail(BK_ERR_CORRUPT, "'%s' does not decrypt: %s", path, bk_error_detail());
		goto out;
	}
	bk_sha256_final(&p->hash, h);
	hex256(got, h);
	if (strcmp(got, m->data_sha256) != 0) {
		rc = bk_fail(BK_ERR_CORRUPT, "the decrypted data does not match the signed manifest");
		goto out;
	}
	if (fsync(p->fd) != 0 || close(p->fd) != 0) {
		p->fd = -1;
		rc = bk_fail(BK_ERR_IO, "cannot write '%s': %s", tmp, strerror(errno));
		goto out;
	}
	p->fd = -1;
out:
	return rc;
}

bk_status bk_extract_open(const char *dir, const char *pub_text, size_t pub_len, const uint8_t x_sk[32],
			  const char *out_path, char **manifest_p)
{
	char path[4096], tmp[4200];
	uint8_t *manifest = NULL, *data = NULL;
	size_t mlen = 0, dlen = 0;
	struct plain_out p = {.fd = -1};
	struct bk_extract_manifest m;
	bk_status rc;

	*manifest_p = NULL;
	tmp[0] = '\0';
	if ((rc = open_manifest(dir, pub_text, pub_len, &manifest, &mlen, &m)))
		goto out;
	if ((rc = open_data(dir, &m, x_sk, path, sizeof(path), &data, &dlen)))
		goto out;
	/* written under a temporary name: a failure leaves no partial plaintext */
	snprintf(tmp, sizeof(tmp), "%s.partial", out_path);
	if ((rc = open_decrypt(&m, data, dlen, x_sk, path, tmp, &p)))
		goto out;
	if (link(tmp, out_path) != 0) {
		rc = bk_fail(BK_ERR_IO, "cannot create '%s': %s", out_path, strerror(errno));
		goto out;
	}
	*manifest_p = malloc(mlen + 1);
	if (*manifest_p) {
		memcpy(*manifest_p, manifest, mlen);
		(*manifest_p)[mlen] = '\0';
	}
out:
	if (p.fd >= 0)
		close(p.fd);
	if (tmp[0])
		unlink(tmp);
	free(manifest);
	free(data);
	return rc;
}
