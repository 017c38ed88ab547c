/* subjects.c - finding a person's rows by NIK, subject export and erasure,
 * record erasure, retention. */
#include "vault/records/subjects.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/secmem.h"
#include "vault/schema/dataset.h"
#include "vault/core/db.h"
#include "vault/core/fields.h"
#include "vault/schema/validate.h"
#include "vault/core/stores.h"
#include "vault/core/vault_internal.h"
#include "vault/records/records_internal.h"

struct match {
	char dataset[BK_DATASET_NAME_MAX + 1];
	int64_t id;
};

/* --- the lookup: blind index, candidates, open, compare --- */

/* One file (vault.db or a store) of a dataset's rows, for lookups. After a
 * few lookups in one transaction, which index values the file holds at all
 * and whether it has rows without one are read once, so that a lookup seeks
 * only the files that may hold its candidates (stores.h: a lookup otherwise
 * seeks the index of every attached store). What is read holds for that
 * transaction's snapshot, until a writer of the dataset on this connection
 * says otherwise (bk_subject_lookups_stale). */
#define PRESENCE_BYTES ((1u << BK_BLIND_INDEX_BITS) / 8)
#define LOOKUPS_BEFORE_PRESENCE 16

struct subject_file {
	char schema[BK_STORE_SCHEMA_MAX];
	sqlite3_stmt *indexed;    /* rows sharing the NIK's index value, by id */
	sqlite3_stmt *unindexed;  /* rows imported without an index (by operators), by id */
	uint8_t *present;         /* PRESENCE_BYTES, bit per index value; NULL: not read (seek always) */
	int has_unindexed;
	uint64_t serial;          /* the transaction (v->txn_serial) present was read in; 0: stale */
};

/* One dataset that names its subjects by a blind-indexed NIK. */
struct subject_set {
	struct bk_dataset ds;
	char sealed_names[BK_COLUMNS_MAX * (BK_COLUMN_NAME_MAX + 1)];
	size_t nsealed;
	size_t at;                /* the NIK's place among the sealed values */
	struct subject_file files[BK_STORES_MAX + 1];
	size_t nfiles;
};

/* What NIK lookups keep in the vault handle from one lookup to the next, so
 * that a lookup is statement steps and decryptions, not schema parsing,
 * statement compiling and guarded allocations (each sodium_malloc is an mmap,
 * mprotects and an mlock). Rebuilt when the database schema changes (a dataset
 * added, its indexes rebuilt). */
struct bk_subject_cache {
	sqlite3_stmt *version; /* PRAGMA schema_version */
	int64_t schema_version;
	struct subject_set *sets;
	size_t n;
	uint8_t *key;   /* guarded: the batch key of the candidate being opened */
	uint8_t *plain; /* guarded: its sealed values in clear */
	size_t plain_cap;
	uint64_t lookups; /* in the current transaction */
};

void bk_subject_cache_free(struct bk_subject_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++) {
		for (size_t f = 0; f < c->sets[i].nfiles; f++) {
			sqlite3_finalize(c->sets[i].files[f].indexed);
			sqlite3_finalize(c->sets[i].files[f].unindexed);
			free(c->sets[i].files[f].present);
		}
		bk_dataset_release(&c->sets[i].ds);
	}
	free(c->sets);
	sqlite3_finalize(c->version);
	bk_secmem_free(c->key);
	bk_secmem_free(c->plain);
	free(c);
}

static bk_status cache_sets(struct bk_vault *v, struct bk_subject_cache *c)
{
	char **names = NULL, sql[256];
	size_t n = 0;
	bk_status rc;

	if ((rc = bk_dataset_names(v->db, &names, &n)))
		return rc;
	c->sets = calloc(n ? n : 1, sizeof(*c->sets));
	if (!c->sets)
		rc = bk_fail(BK_ERR_NOMEM, "out of memory");
	for (size_t d = 0; d < n && rc == BK_OK; d++) {
		struct subject_set *set = &c->sets[c->n];
		size_t nl = 0;
		const char *bi;

		if ((rc = bk_dataset_load(v->db, names[d], &set->ds)))
			break;
		if (set->ds.subject_col < 0 || !set->ds.cols[set->ds.subject_col].blind_index) {
			bk_dataset_release(&set->ds);
			continue;
		}
		c->n++;
		for (size_t k = 0; k < set->ds.ncols; k++)
			if (set->ds.cols[k].cls == BK_COL_IDENTIFIER || set->ds.cols[k].cls == BK_COL_SECRET) {
				if ((int)k == set->ds.subject_col)
					set->at = set->nsealed;
				set->nsealed++;
				nl += (size_t)snprintf(set->sealed_names + nl, sizeof(set->sealed_names) - nl, "%s%s",
						       nl ? "," : "", set->ds.cols[k].name);
			}
		/* rows imported by operators have no index yet: they are candidates too. Two
		 * statements per file, each in the index's own order (bi, id), all merged by id:
		 * one with "= ? OR IS NULL" makes SQLite sort every lookup's candidates */
		bi = set->ds.cols[set->ds.subject_col].name;
		for (size_t f = 0; f <= v->nstores && rc == BK_OK; f++) {
			struct subject_file *file = &set->files[set->nfiles++];

			bk_stores_file(v->stores, f, file->schema);
			snprintf(sql, sizeof(sql), "SELECT * FROM \"%s\".\"ds_%s\" WHERE \"%s_bi\" = ? ORDER BY id",
				 file->schema, set->ds.name, bi);
			if (sqlite3_prepare_v2(v->db, sql, -1, &file->indexed, NULL) != SQLITE_OK)
				rc = bk_db_status(v->db, sqlite3_errcode(v->db), "preparing NIK lookups");
			snprintf(sql, sizeof(sql), "SELECT * FROM \"%s\".\"ds_%s\" WHERE \"%s_bi\" IS NULL ORDER BY id",
				 file->schema, set->ds.name, bi);
			if (rc == BK_OK && sqlite3_prepare_v2(v->db, sql, -1, &file->unindexed, NULL) != SQLITE_OK)
				rc = bk_db_status(v->db, sqlite3_errcode(v->db), "preparing NIK lookups");
		}
	}
	bk_dataset_names_free(names, n);
	return rc;
}

/* The cache, built or rebuilt when the schema changed since. */
static bk_status cache_get(struct bk_vault *v, struct bk_subject_cache **c_p)
{
	struct bk_subject_cache *c = v->lookup;
	int64_t version = -1;
	bk_status rc = BK_OK;
	int src;

	*c_p = NULL;
	if (c) {
		sqlite3_reset(c->version);
		if ((src = sqlite3_step(c->version)) != SQLITE_ROW)
			rc = bk_db_status(v->db, src, "reading the schema version");
		version = sqlite3_column_int64(c->version, 0);
		sqlite3_reset(c->version);
		if (rc)
			return rc;
		if (version == c->schema_version) {
			*c_p = c;
			return BK_OK;
		}
		bk_subject_cache_free(c);
		v->lookup = NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	c->key = bk_secmem_alloc(BK_FIELDS_KEYBYTES);
	if (!c->key)
		rc = bk_fail(BK_ERR_NOMEM, "out of guarded memory");
	else if (sqlite3_prepare_v2(v->db, "PRAGMA schema_version", -1, &c->version, NULL) != SQLITE_OK ||
		 sqlite3_step(c->version) != SQLITE_ROW)
		rc = bk_db_status(v->db, sqlite3_errcode(v->db), "reading the schema version");
	if (rc == BK_OK) {
		/* read before the schemas: a change in between rebuilds next time, never misses */
		c->schema_version = sqlite3_column_int64(c->version, 0);
		sqlite3_reset(c->version);
		rc = cache_sets(v, c);
	}
	if (rc) {
		bk_subject_cache_free(c);
		return rc;
	}
	v->lookup = c;
	v->lookup_free = bk_subject_cache_free;
	*c_p = c;
	/* Each page SQLCipher reads costs a pread, an AES decryption and an HMAC: a lookup's
	 * candidates are random rows, so a larger page cache is what keeps a batch of lookups
	 * fast (measured on 1.2 M rows, 20,000 lookups: 2 MiB 34k/s, 16 MiB 37k/s, 64 MiB
	 * 45k/s, 128 MiB 45k/s). Up to 64 MiB of decrypted pages, as import uses. */
	return bk_vault_page_cache(v, 65536);
}

/* Opens the sealed values of the row st holds (SELECT * of set's table)
 * into c->plain, *plain_len_p bytes, vals and lens pointing into it; the
 * caller wipes them. BK_ERR_DENIED when the user lacks the row's kecamatan
 * key. */
static bk_status open_row(struct bk_vault *v, struct bk_subject_cache *c, const struct subject_set *set,
			  sqlite3_stmt *st, const uint8_t **vals, size_t *lens, size_t *plain_len_p)
{
	const char *kec = (const char *)sqlite3_column_text(st, 3);
	const uint8_t *sealed = sqlite3_column_blob(st, 5);
	int slen = sqlite3_column_bytes(st, 5);
	size_t plain_len = 0;
	bk_status rc;

	*plain_len_p = 0;
	if (!kec || !sealed || bk_fields_plain_len(sealed, (size_t)slen, &plain_len) != BK_OK)
		return bk_fail(BK_ERR_CORRUPT, "%s row %lld: sealed values are missing", set->ds.name,
			       (long long)sqlite3_column_int64(st, 0));
	if ((rc = bk_vault_batch_key(v, sqlite3_column_int64(st, 1), kec, c->key)))
		return rc;
	if (plain_len > c->plain_cap) {
		/* one guarded buffer for every lookup, grown rarely: sodium_malloc costs system calls */
		bk_secmem_free(c->plain);
		c->plain_cap = plain_len < 4096 ? 4096 : plain_len * 2;
		if (!(c->plain = bk_secmem_alloc(c->plain_cap))) {
			c->plain_cap = 0;
			return bk_fail(BK_ERR_NOMEM, "out of guarded memory");
		}
	}
	*plain_len_p = plain_len;
	rc = bk_fields_open(c->plain, sealed, (size_t)slen, c->key, set->ds.name, set->sealed_names,
			    sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1));
	return rc == BK_OK ? bk_fields_unpack(c->plain, plain_len, set->nsealed, vals, lens) : rc;
}

/* One candidate row: open it if the user holds its key, compare, call fn on a match. */
static bk_status candidate(struct bk_vault *v, struct bk_subject_cache *c, struct subject_set *set,
			   sqlite3_stmt *st, const char *nik, bk_subject_row_fn fn, void *ctx, struct bk_subject_result *r)
{
	const uint8_t *vals[BK_COLUMNS_MAX];
	size_t lens[BK_COLUMNS_MAX], plain_len = 0;
	bk_status rc = open_row(v, c, set, st, vals, lens, &plain_len);

	if (rc == BK_ERR_DENIED) {
		r->unreadable++; /* another kecamatan's row, or only sharing the truncated index */
		bk_error_clear();
		return BK_OK;
	}
	if (rc == BK_OK && lens[set->at] == 16 && bk_ct_equal(vals[set->at], nik, 16)) {
		r->rows++;
		rc = fn(ctx, &set->ds, st, vals, lens);
	}
	bk_wipe(c->plain, plain_len);
	return rc;
}

/* Reads which index values a file holds and whether it has rows without
 * one, unless read already in this transaction and not stale since. */
static bk_status read_presence(struct bk_vault *v, const struct subject_set *set, struct subject_file *file)
{
	const char *bi = set->ds.cols[set->ds.subject_col].name;
	sqlite3_stmt *st = NULL;
	char *sql;
	int src;

	if (file->present && file->serial == v->txn_serial)
		return BK_OK;
	if (!file->present && !(file->present = malloc(PRESENCE_BYTES)))
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	memset(file->present, 0, PRESENCE_BYTES);
	file->has_unindexed = 0;
	sql = sqlite3_mprintf("SELECT \"%s_bi\" FROM \"%s\".\"ds_%s\"", bi, file->schema, set->ds.name);
	src = sql ? sqlite3_prepare_v2(v->db, sql, -1, &st, NULL) : SQLITE_NOMEM;
	sqlite3_free(sql);
	while (src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t x = sqlite3_column_int64(st, 0);

		if (sqlite3_column_type(st, 0) == SQLITE_NULL)
			file->has_unindexed = 1;
		else if (x >= 0 && x < (int64_t)(PRESENCE_BYTES * 8))
			file->present[x >> 3] |= (uint8_t)(1u << (x & 7));
		src = SQLITE_OK;
	}
	sqlite3_finalize(st);
	if (src != SQLITE_DONE) {
		free(file->present);
		file->present = NULL;
		return bk_db_status(v->db, src, "reading a store's index");
	}
	file->serial = v->txn_serial;
	return BK_OK;
}

/* Starts the statements that may hold candidates for nik; *n_p: how many.
 * Each file has its own index key (stores.h): a file whose key the user
 * lacks gives only its rows without an index. */
static bk_status start_files(struct bk_vault *v, struct bk_subject_cache *c, struct subject_set *set, const char *nik,
			     sqlite3_stmt **live, size_t *n_p)
{
	/* a batch of lookups in one transaction: the presence read once pays for itself */
	int filter = (v->in_tx || v->in_read) && c->lookups > LOOKUPS_BEFORE_PRESENCE;
	int64_t bis[BK_STORES_MAX + 1];
	bk_status rc = BK_OK;
	size_t n = 0;

	/* every file's index value first, its presence bit asked for early: 23 bitmaps of
	 * 128 KiB miss the CPU's caches, and the misses then overlap */
	for (size_t f = 0; f < set->nfiles && rc == BK_OK; f++) {
		const struct bk_index_key *key = bk_vault_index_key(v, f);

		bis[f] = key ? bk_index_nik(key, nik) : -1;
		if (filter && (rc = read_presence(v, set, &set->files[f])) == BK_OK && bis[f] >= 0 && set->files[f].present)
			__builtin_prefetch(&set->files[f].present[bis[f] >> 3]);
	}
	for (size_t f = 0; f < set->nfiles && rc == BK_OK; f++) {
		struct subject_file *file = &set->files[f];
		int64_t bi = bis[f];
		int src;

		if (bi >= 0 && (!filter || !file->present || (file->present[bi >> 3] >> (bi & 7) & 1))) {
			sqlite3_reset(file->indexed);
			src = sqlite3_bind_int64(file->indexed, 1, bi);
			if (src == SQLITE_OK && (src = sqlite3_step(file->indexed)) == SQLITE_ROW)
				live[n++] = file->indexed;
			else if (src != SQLITE_DONE)
				rc = bk_db_status(v->db, src, "reading candidate rows");
		}
		if (rc == BK_OK && (!filter || !file->present || file->has_unindexed)) {
			sqlite3_reset(file->unindexed);
			if ((src = sqlite3_step(file->unindexed)) == SQLITE_ROW)
				live[n++] = file->unindexed;
			else if (src != SQLITE_DONE)
				rc = bk_db_status(v->db, src, "reading candidate rows");
		}
	}
	*n_p = n;
	return rc;
}

/* The candidates of one dataset in every file, indexed and unindexed,
 * merged in id order. */
static bk_status scan(struct bk_vault *v, struct bk_subject_cache *c, struct subject_set *set, const char *nik,
		      bk_subject_row_fn fn, void *ctx, struct bk_subject_result *r)
{
	sqlite3_stmt *live[2 * (BK_STORES_MAX + 1)];
	size_t n = 0;
	bk_status rc;

	rc = start_files(v, c, set, nik, live, &n);
	while (rc == BK_OK && n > 0) {
		size_t low = 0;
		int src;

		for (size_t i = 1; i < n; i++)
			if (sqlite3_column_int64(live[i], 0) < sqlite3_column_int64(live[low], 0))
				low = i;
		rc = candidate(v, c, set, live[low], nik, fn, ctx, r);
		if (rc == BK_OK && (src = sqlite3_step(live[low])) != SQLITE_ROW) {
			if (src != SQLITE_DONE)
				rc = bk_db_status(v->db, src, "reading candidate rows");
			live[low] = live[--n];
		}
	}
	bk_wipe(c->key, BK_FIELDS_KEYBYTES);
	/* statements left running would hold their read transaction; only those that ran
	 * need it (a reset costs as much as the rest of a skipped file, times 23 files) */
	for (size_t f = 0; f < set->nfiles; f++) {
		if (sqlite3_stmt_busy(set->files[f].indexed))
			sqlite3_reset(set->files[f].indexed);
		if (sqlite3_stmt_busy(set->files[f].unindexed))
			sqlite3_reset(set->files[f].unindexed);
	}
	return rc;
}

void bk_subject_lookups_stale(struct bk_vault *v, const char *dataset)
{
	struct bk_subject_cache *c = v->lookup;

	for (size_t d = 0; c && d < c->n; d++)
		if (!dataset || strcmp(c->sets[d].ds.name, dataset) == 0)
			for (size_t f = 0; f < c->sets[d].nfiles; f++)
				c->sets[d].files[f].serial = 0;
}

/* Candidates come from the truncated blind index, and each is opened and compared. */
bk_status bk_vault_subject_rows(struct bk_vault *v, const char *nik, const char *only, bk_subject_row_fn fn,
				void *ctx, struct bk_subject_result *r)
{
	struct bk_subject_cache *c = NULL;
	bk_status rc;
	int own;

	if (!bk_vault_finds_nik(v))
		return bk_fail(BK_ERR_DENIED, "you hold no blind-index key");
	if ((rc = cache_get(v, &c)))
		return rc;
	c->lookups = v->in_tx || v->in_read ? c->lookups + 1 : 0;
	/* a scan holds a store's statement while it opens batch keys in vault.db:
	 * outside a transaction, a read one takes every file's lock first, in the
	 * order a writer's commit takes them (bk_vault_read_begin), or the two wait
	 * on each other until the busy timeout (0035) */
	own = !v->in_tx && !v->in_read;
	if (own && (rc = bk_vault_read_begin(v)))
		return rc;
	for (size_t d = 0; d < c->n && rc == BK_OK; d++)
		if (!only || strcmp(c->sets[d].ds.name, only) == 0)
			rc = scan(v, c, &c->sets[d], nik, fn, ctx, r);
	if (own)
		bk_vault_read_end(v);
	return rc;
}

/* --- indexing: rows that reached a store without an index under its key --- */

/* A failure reading or writing file f, naming the file: a damaged store is
 * reported as that store, before `check` runs. */
static bk_status file_status(struct bk_vault *v, size_t f, int src, const char *what)
{
	char name[BK_CODE_MAX + 32];

	if (f == 0)
		return bk_db_status(v->db, src, what);
	snprintf(name, sizeof(name), "the store of kecamatan %s", v->stores[f - 1]);
	return bk_db_file_status(v->db, src, name, what);
}

#define INDEX_NULL INT64_MIN

struct index_todo {
	int64_t (*rows)[2]; /* id, index value (INDEX_NULL: stays without one) */
	size_t n, cap;
};

/* Reads the index value of each row of set in file f under key: every row
 * (all set: the file was indexed under another key), or those without one.
 * Read first and written after, since writing the column a scan of its own
 * index reads would disturb the scan. */
static bk_status index_read(struct bk_vault *v, struct bk_subject_cache *c, const struct subject_set *set, size_t f,
			    const struct bk_index_key *key, int all, struct index_todo *t)
{
	char schema[BK_STORE_SCHEMA_MAX], *sql;
	sqlite3_stmt *st = NULL;
	bk_status rc = BK_OK;
	int src;

	t->n = 0;
	bk_stores_file(v->stores, f, schema);
	sql = sqlite3_mprintf("SELECT * FROM \"%s\".\"ds_%s\"%s%s%s", schema, set->ds.name, all ? "" : " WHERE \"",
			      all ? "" : set->ds.cols[set->ds.subject_col].name, all ? "" : "_bi\" IS NULL");
	src = sql ? sqlite3_prepare_v2(v->db, sql, -1, &st, NULL) : SQLITE_NOMEM;
	sqlite3_free(sql);
	while (rc == BK_OK && src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
		const uint8_t *vals[BK_COLUMNS_MAX];
		size_t lens[BK_COLUMNS_MAX], plain_len = 0;
		int64_t bi = INDEX_NULL;

		src = SQLITE_OK;
		rc = open_row(v, c, set, st, vals, lens, &plain_len);
		if (rc == BK_OK)
			bi = lens[set->at] == 16 ? bk_index_nik(key, (const char *)vals[set->at]) : BK_INDEX_NO_NIK;
		else if (rc == BK_ERR_DENIED)
			bk_error_clear(); /* a row of another kecamatan: not this user's to index */
		rc = rc == BK_ERR_DENIED ? BK_OK : rc;
		bk_wipe(c->plain, plain_len);
		if (rc == BK_OK && bi == INDEX_NULL && !all)
			continue;
		if (rc == BK_OK && t->n == t->cap) {
			size_t cap = t->cap ? t->cap * 2 : 1024;
			int64_t(*more)[2] = realloc(t->rows, cap * sizeof(*more));

			if (!more) {
				rc = bk_fail(BK_ERR_NOMEM, "out of memory");
				break;
			}
			t->rows = more;
			t->cap = cap;
		}
		if (rc == BK_OK) {
			t->rows[t->n][0] = sqlite3_column_int64(st, 0);
			t->rows[t->n++][1] = bi;
		}
	}
	sqlite3_finalize(st);
	bk_wipe(c->key, BK_FIELDS_KEYBYTES);
	if (rc == BK_OK && src != SQLITE_DONE)
		rc = file_status(v, f, src, "reading rows to index");
	return rc;
}

static bk_status index_write(struct bk_vault *v, const struct subject_set *set, size_t f, const struct index_todo *t)
{
	char schema[BK_STORE_SCHEMA_MAX], *sql;
	sqlite3_stmt *st = NULL;
	int src;

	bk_stores_file(v->stores, f, schema);
	sql = sqlite3_mprintf("UPDATE \"%s\".\"ds_%s\" SET \"%s_bi\" = ?1 WHERE id = ?2", schema, set->ds.name,
			      set->ds.cols[set->ds.subject_col].name);
	src = sql ? sqlite3_prepare_v2(v->db, sql, -1, &st, NULL) : SQLITE_NOMEM;
	sqlite3_free(sql);
	for (size_t i = 0; i < t->n && src == SQLITE_OK; i++) {
		sqlite3_reset(st);
		if (t->rows[i][1] == INDEX_NULL)
			sqlite3_bind_null(st, 1);
		else
			sqlite3_bind_int64(st, 1, t->rows[i][1]);
		sqlite3_bind_int64(st, 2, t->rows[i][0]);
		src = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(v->db);
	}
	sqlite3_finalize(st);
	return src == SQLITE_OK ? BK_OK : file_status(v, f, src, "indexing rows");
}

/* Whether store f holds a row without an index in some dataset. */
static bk_status index_wanted(struct bk_vault *v, struct bk_subject_cache *c, size_t f, int *wanted_p)
{
	char schema[BK_STORE_SCHEMA_MAX], *sql;
	bk_status rc = BK_OK;

	*wanted_p = 0;
	bk_stores_file(v->stores, f, schema);
	for (size_t d = 0; d < c->n && rc == BK_OK && !*wanted_p; d++) {
		sqlite3_stmt *st = NULL;
		int src;

		sql = sqlite3_mprintf("SELECT 1 FROM \"%s\".\"ds_%s\" WHERE \"%s_bi\" IS NULL LIMIT 1", schema,
				      c->sets[d].ds.name, c->sets[d].ds.cols[c->sets[d].ds.subject_col].name);
		src = sql ? sqlite3_prepare_v2(v->db, sql, -1, &st, NULL) : SQLITE_NOMEM;
		sqlite3_free(sql);
		if (src == SQLITE_OK)
			src = sqlite3_step(st);
		*wanted_p = src == SQLITE_ROW;
		if (src != SQLITE_ROW && src != SQLITE_DONE)
			rc = file_status(v, f, src, "reading its index");
		sqlite3_finalize(st);
	}
	return rc;
}

/* Indexes store f (1..nstores) when its rows need it and the user holds its
 * kecamatan's keys: one audited transaction. */
static bk_status index_store(struct bk_vault *v, struct bk_subject_cache *c, size_t f, struct index_todo *t,
			     uint64_t *rows_p)
{
	const char *kec = v->stores[f - 1];
	const struct vault_key *blind = bk_vault_secret(v, BK_KEY_BLIND, kec);
	struct bk_index_key *fresh = NULL;
	const struct bk_index_key *key;
	struct bk_audit_entry e;
	uint64_t rows = 0;
	char detail[128];
	bk_status rc;
	int all, wanted = 1;

	if (!blind || blind->len != 32 || !bk_vault_secret(v, BK_KEY_KECAMATAN, kec))
		return BK_OK;
	all = strcmp(bk_vault_index_id(v, f), blind->id) != 0;
	if (!all && ((rc = index_wanted(v, c, f, &wanted)) || !wanted))
		return rc;
	if (all) {
		if (!(fresh = bk_secmem_alloc(sizeof(*fresh))))
			return bk_fail(BK_ERR_NOMEM, "out of guarded memory");
		bk_index_key_set(fresh, blind->secret, 1);
	}
	key = all ? fresh : bk_vault_index_key(v, f);
	rc = key ? bk_vault_begin(v) : BK_OK;
	for (size_t d = 0; key && d < c->n && rc == BK_OK; d++) {
		if ((rc = index_read(v, c, &c->sets[d], f, key, all, t)) == BK_OK)
			rc = index_write(v, &c->sets[d], f, t);
		rows += t->n;
	}
	if (key && rc == BK_OK && all)
		rc = bk_vault_index_switch(v, f, blind->id);
	bk_secmem_free(fresh);
	/* rows none could open (a NIK sealed under a key since rotated) change
	 * nothing: no entry claims an index that was not made */
	if (!key || rc != BK_OK || (rows == 0 && !all)) {
		if (key)
			bk_vault_rollback(v);
		return rc;
	}
	bk_vault_mark_kecamatan(v, kec);
	bk_subject_lookups_stale(v, NULL);
	snprintf(detail, sizeof(detail), "NIK index of kecamatan %s made under %s", kec, blind->id);
	bk_audit_entry_init(&e);
	e.action = "index";
	e.target = kec;
	e.detail = detail;
	e.rows = (long long)rows;
	if ((rc = bk_vault_audit(v, &e)) || (rc = bk_vault_commit(v))) {
		bk_vault_rollback(v);
		return rc;
	}
	*rows_p += rows;
	return BK_OK;
}

bk_status bk_vault_subject_index(struct bk_vault *v, uint64_t *rows_p)
{
	struct bk_subject_cache *c = NULL;
	struct index_todo t = {NULL, 0, 0};
	bk_status rc;

	*rows_p = 0;
	if (!bk_vault_finds_nik(v) || v->nstores == 0)
		return BK_OK;
	if ((rc = cache_get(v, &c)))
		return rc;
	for (size_t f = 1; f <= v->nstores && rc == BK_OK; f++)
		rc = index_store(v, c, f, &t, rows_p);
	free(t.rows);
	return rc;
}

bk_status bk_subject_check_nik(const char *nik)
{
	struct bk_nik parsed;
	time_t now = time(NULL);
	struct tm tm;
	char reason[256];

	gmtime_r(&now, &tm);
	if (bk_validate_nik(nik, strlen(nik), NULL, tm.tm_year + 1900, &parsed) != BK_OK) {
		/* the detail is bk_fail's own buffer: copy it before writing over it */
		snprintf(reason, sizeof(reason), "%s", bk_error_detail());
		return bk_fail(BK_ERR_USAGE, "not a valid NIK: %s", reason);
	}
	if (strcmp(parsed.digits, nik) != 0)
		return bk_fail(BK_ERR_USAGE, "give the NIK as 16 digits");
	return BK_OK;
}

bk_status bk_subject_nik_line(const char *in, size_t len, char *out, size_t cap, size_t *used_p)
{
	const char *nl = memchr(in, '\n', len), *end = nl ? nl : in + len;
	size_t j = 0;
	bk_status rc = BK_OK;

	*used_p = nl ? (size_t)(nl - in) + 1 : len;
	if (end > in && end[-1] == '\r')
		end--;
	for (const char *p = in; p < end; p++) {
		if (*p == ' ')
			continue;
		if (*p == '\0') {
			rc = bk_fail(BK_ERR_USAGE, "the NIK line holds a NUL byte: give the NIK as 16 digits");
			goto out;
		}
		if (j + 1 >= cap) {
			rc = bk_fail(BK_ERR_USAGE, "the NIK line is too long: give the NIK as 16 digits");
			goto out;
		}
		out[j++] = *p;
	}
out:
	if (rc != BK_OK)
		bk_wipe(out, j);
	if (cap)
		out[rc == BK_OK ? j : 0] = '\0';
	return rc;
}

/* --- export --- */

struct export_ctx {
	struct bk_vault *v;
	json_t *datasets;
	uint64_t revealed;
	bk_status denied;
};

static bk_status export_row(void *p, const struct bk_dataset *ds, sqlite3_stmt *st, const uint8_t **vals,
			    const size_t *lens)
{
	struct export_ctx *x = p;
	const char *kec = (const char *)sqlite3_column_text(st, 3);
	json_t *arr = json_object_get(x->datasets, ds->name), *row = json_object();
	bk_status rc;
	size_t k = 0;

	if (!row)
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	if ((rc = bk_vault_require(x->v, BK_ACT_SUBJECT_RIGHTS, ds->name, BK_COL_NONE, kec))) {
		json_decref(row);
		return rc;
	}
	if (!arr) {
		arr = json_array();
		json_object_set_new(x->datasets, ds->name, arr);
	}
	json_object_set_new(row, "id", json_integer(sqlite3_column_int64(st, 0)));
	for (size_t c = 0; c < ds->ncols; c++)
		if (ds->cols[c].cls == BK_COL_IDENTIFIER || ds->cols[c].cls == BK_COL_SECRET) {
			json_object_set_new(row, ds->cols[c].name, json_stringn((const char *)vals[k], lens[k]));
			k++;
			x->revealed++;
		}
	bk_record_plain_json(ds, st, row);
	json_array_append_new(arr, row);
	return BK_OK;
}

static bk_status audit_subject(struct bk_vault *v, const char *action, const char *nik, const char *purpose,
			       const struct bk_subject_result *r, long long revealed)
{
	struct bk_audit_entry e;
	char subject[33];
	bk_status rc;

	if ((rc = bk_vault_audit_hash(v, nik, 16, subject)))
		return rc;
	bk_audit_entry_init(&e);
	e.action = action;
	e.purpose = purpose;
	e.subject = subject;
	e.rows = (long long)r->rows;
	e.revealed = revealed;
	if (!v->in_tx && (rc = bk_vault_begin(v)))
		return rc;
	if ((rc = bk_vault_audit(v, &e)) || (rc = bk_vault_commit(v))) {
		bk_vault_rollback(v);
		return rc;
	}
	return BK_OK;
}

/* Export (every dataset) and find (only where subjects are registered). */
static bk_status export_rows(struct bk_vault *v, const char *nik, const char *purpose, const char *only,
			     const char *action, json_t **out_p, struct bk_subject_result *r)
{
	struct export_ctx x = {v, json_object(), 0, BK_OK};
	bk_status rc;

	memset(r, 0, sizeof(*r));
	*out_p = NULL;
	if (!x.datasets)
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	if ((rc = bk_subject_check_nik(nik)) || (!purpose || !purpose[0] ? (rc = bk_fail(BK_ERR_USAGE, "a --purpose is required")) : 0) ||
	    (rc = bk_vault_require(v, BK_ACT_SUBJECT_RIGHTS, NULL, BK_COL_NONE, bk_vault_own_scope(v))) ||
	    (rc = bk_vault_subject_rows(v, nik, only, export_row, &x, r)) ||
	    (rc = audit_subject(v, action, nik, purpose, r, (long long)x.revealed))) {
		json_decref(x.datasets);
		return rc;
	}
	*out_p = json_pack("{s:o, s:I}", "datasets", x.datasets, "rows", (json_int_t)r->rows);
	return *out_p ? BK_OK : bk_fail(BK_ERR_NOMEM, "out of memory");
}

bk_status bk_vault_subject_export(struct bk_vault *v, const char *nik, const char *purpose, json_t **out_p,
				  struct bk_subject_result *r)
{
	return export_rows(v, nik, purpose, NULL, "subject-export", out_p, r);
}

bk_status bk_vault_find(struct bk_vault *v, const char *nik, const char *purpose, json_t **out_p,
			struct bk_subject_result *r)
{
	return export_rows(v, nik, purpose, "warga", "find", out_p, r);
}

static bk_status count_row(void *p, const struct bk_dataset *ds, sqlite3_stmt *st, const uint8_t **vals,
			   const size_t *lens)
{
	(void)p;
	(void)ds;
	(void)st;
	(void)vals;
	(void)lens;
	return BK_OK;
}

bk_status bk_vault_subject_count(struct bk_vault *v, const char *nik, struct bk_subject_result *r)
{
	memset(r, 0, sizeof(*r));
	return bk_vault_subject_rows(v, nik, "warga", count_row, NULL, r);
}

/* --- erasure --- */

struct erase_ctx {
	struct bk_vault *v;
	struct match *m;
	size_t n, cap;
};

static bk_status note_row(void *p, const struct bk_dataset *ds, sqlite3_stmt *st, const uint8_t **vals,
			  const size_t *lens)
{
	struct erase_ctx *x = p;
	const char *kec = (const char *)sqlite3_column_text(st, 3);
	bk_status rc;

	(void)vals;
	(void)lens;
	if ((rc = bk_vault_require(x->v, BK_ACT_RECORD_ERASE, ds->name, BK_COL_NONE, kec)))
		return rc;
	if (x->n == x->cap) {
		size_t ncap = x->cap ? x->cap * 2 : 16;
		struct match *nm = realloc(x->m, ncap * sizeof(*nm));

		if (!nm)
			return bk_fail(BK_ERR_NOMEM, "out of memory");
		x->m = nm;
		x->cap = ncap;
	}
	snprintf(x->m[x->n].dataset, sizeof(x->m[x->n].dataset), "%s", ds->name);
	x->m[x->n].id = sqlite3_column_int64(st, 0);
	x->n++;
	return BK_OK;
}

/* Deletes one row from the file that holds it (stores.h). */
static bk_status delete_row(struct bk_vault *v, const char *dataset, int64_t id)
{
	char sql[160], table[BK_DATASET_NAME_MAX + 4], schema[BK_STORE_SCHEMA_MAX];
	sqlite3_stmt *st = NULL;
	sqlite3 *db = v->db;
	bk_status rc;
	int src;

	snprintf(table, sizeof(table), "ds_%s", dataset); /* name from the registry */
	if ((rc = bk_stores_locate(db, v->stores, v->nstores, table, id, schema)))
		return rc;
	bk_vault_mark_written(v, schema);
	snprintf(sql, sizeof(sql), "DELETE FROM \"%s\".\"%s\" WHERE id = ?", schema, table);
	src = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 1, id);
	if (src == SQLITE_OK)
		src = sqlite3_step(st);
	sqlite3_finalize(st);
	return src == SQLITE_DONE ? BK_OK : bk_db_status(db, src, "erasing a row");
}

bk_status bk_vault_subject_erase(struct bk_vault *v, const char *nik, const char *purpose, struct bk_subject_result *r)
{
	struct erase_ctx x = {v, NULL, 0, 0};
	bk_status rc;

	memset(r, 0, sizeof(*r));
	if ((rc = bk_subject_check_nik(nik)))
		return rc;
	if (!purpose || !purpose[0])
		return bk_fail(BK_ERR_USAGE, "a --purpose is required");
	if ((rc = bk_vault_require(v, BK_ACT_RECORD_ERASE, NULL, BK_COL_NONE, bk_vault_own_scope(v))) ||
	    (rc = bk_vault_subject_rows(v, nik, NULL, note_row, &x, r)))
		goto out;
	if ((rc = bk_vault_begin(v)))
		goto out;
	for (size_t i = 0; i < x.n && rc == BK_OK; i++)
		rc = delete_row(v, x.m[i].dataset, x.m[i].id);
	if (rc == BK_OK)
		rc = audit_subject(v, "subject-erase", nik, purpose, r, -1);
out:
	if (v->in_tx)
		bk_vault_rollback(v);
	free(x.m);
	return rc;
}

bk_status bk_vault_record_erase(struct bk_vault *v, const char *dataset, int64_t id, const char *purpose)
{
	struct bk_dataset ds;
	struct bk_audit_entry e;
	sqlite3_stmt *st = NULL;
	char sql[128], kec[BK_CODE_MAX] = "", target[64];
	bk_status rc;
	int src;

	if (!purpose || !purpose[0])
		return bk_fail(BK_ERR_USAGE, "a --purpose is required");
	if ((rc = bk_dataset_load(v->db, dataset, &ds)))
		return rc;
	snprintf(sql, sizeof(sql), "SELECT kecamatan FROM \"ds_%s\" WHERE id = ?", ds.name);
	src = sqlite3_prepare_v2(v->db, sql, -1, &st, NULL);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 1, id);
	if (src == SQLITE_OK)
		src = sqlite3_step(st);
	if (src == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(kec, sizeof(kec), "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (src != SQLITE_ROW) {
		rc = src == SQLITE_DONE ? bk_vault_no_row(v, BK_ACT_RECORD_ERASE, ds.name, (long long)id)
					: bk_db_status(v->db, src, "reading a row");
		goto out;
	}
	if ((rc = bk_vault_require(v, BK_ACT_RECORD_ERASE, ds.name, BK_COL_NONE, kec[0] ? kec : bk_vault_own_scope(v))) ||
	    (rc = bk_vault_begin(v)) || (rc = delete_row(v, ds.name, id)))
		goto out;
	snprintf(target, sizeof(target), "row %lld", (long long)id);
	bk_audit_entry_init(&e);
	e.action = "record-erase";
	e.dataset = ds.name;
	e.purpose = purpose;
	e.target = target;
	e.rows = 1;
	if ((rc = bk_vault_audit(v, &e)) || (rc = bk_vault_commit(v)))
		goto out;
out:
	if (v->in_tx)
		bk_vault_rollback(v);
	bk_dataset_release(&ds);
	return rc;
}

/* Counts (dry_run) or deletes one file's rows of ds past retention, where. */
static bk_status retention_in_file(struct bk_vault *v, const struct bk_dataset *ds, const char *schema,
				   const char *where, int dry_run, uint64_t *deleted_p)
{
	char *sql;
	sqlite3_stmt *st = NULL;
	int src;

	sql = sqlite3_mprintf("%s FROM \"%s\".\"ds_%s\" WHERE %s", dry_run ? "SELECT count(*)" : "DELETE", schema,
			      ds->name, where);
	if (!sql)
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	src = sqlite3_prepare_v2(v->db, sql, -1, &st, NULL);
	sqlite3_free(sql);
	if (src == SQLITE_OK)
		src = sqlite3_step(st);
	if (dry_run && src == SQLITE_ROW) {
		*deleted_p += (uint64_t)sqlite3_column_int64(st, 0);
		src = SQLITE_DONE;
	} else if (src == SQLITE_DONE && sqlite3_changes(v->db) > 0) {
		*deleted_p += (uint64_t)sqlite3_changes(v->db);
		bk_vault_mark_written(v, schema);
	}
	sqlite3_finalize(st);
	return src == SQLITE_DONE ? BK_OK : bk_db_status(v->db, src, "applying retention");
}

bk_status bk_vault_retention_apply(struct bk_vault *v, int dry_run, uint64_t *deleted_p)
{
	const struct bk_keyring_user *me = bk_vault_me(v);
	char **names = NULL, where[2048], schema[BK_STORE_SCHEMA_MAX];
	size_t n = 0;
	struct bk_audit_entry e;
	bk_status rc;

	*deleted_p = 0;
	if ((rc = bk_vault_require(v, BK_ACT_RECORD_ERASE, NULL, BK_COL_NONE, bk_vault_own_scope(v))) ||
	    (rc = bk_dataset_names(v->db, &names, &n)) || (rc = bk_vault_begin(v)))
		goto out;
	for (size_t d = 0; d < n && rc == BK_OK; d++) {
		struct bk_dataset ds;
		size_t len;

		if ((rc = bk_dataset_load(v->db, names[d], &ds)))
			break;
		if (!ds.retention_days) {
			bk_dataset_release(&ds);
			continue;
		}
		/* created is an ISO UTC time: text comparison orders it */
		len = (size_t)snprintf(where, sizeof(where),
				       "created < strftime('%%Y-%%m-%%dT%%H:%%M:%%SZ', 'now', '-%u days')",
				       ds.retention_days);
		if (me->nscope > 0 && bk_vault_role(v) != BK_ROLE_ADMIN) {
			/* a scoped custodian applies retention only in their kecamatan */
			len += (size_t)snprintf(where + len, sizeof(where) - len, " AND kecamatan IN (");
			for (size_t i = 0; i < me->nscope && len < sizeof(where); i++)
				len += (size_t)snprintf(where + len, sizeof(where) - len, "%s'%s'", i ? "," : "",
							me->scope[i]);
			len += (size_t)snprintf(where + len, sizeof(where) - len, ")");
		}
		if (len >= sizeof(where))
			rc = bk_fail(BK_ERR_STATE, "scope too large");
		/* every file the user holds: vault.db and the attached stores */
		for (size_t f = 0; f <= v->nstores && rc == BK_OK; f++) {
			bk_stores_file(v->stores, f, schema);
			rc = retention_in_file(v, &ds, schema, where, dry_run, deleted_p);
		}
		bk_dataset_release(&ds);
	}
	if (rc != BK_OK)
		goto out;
	bk_audit_entry_init(&e);
	e.action = dry_run ? "retention-check" : "retention-apply";
	e.rows = (long long)*deleted_p;
	if ((rc = bk_vault_audit(v, &e)) || (rc = bk_vault_commit(v)))
		goto out;
out:
	if (v->in_tx)
		bk_vault_rollback(v);
	bk_dataset_names_free(names, n);
	return rc;
}
