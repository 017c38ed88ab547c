/* backup.c - backup, verify and restore of a whole vault in one signed file. */
#include "vault/keep/backup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fileio.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/minisign.h"
#include "vault/core/stores.h"
#include "vault/core/vault_internal.h"

#define MAGIC "brankas-backup v1\n"
#define MAGIC_LEN (sizeof(MAGIC) - 1)
#define TRAILER_PREFIX "brankas-backup-index "
#define TRAILER_LEN (sizeof(TRAILER_PREFIX) - 1 + 16 + 1)
#define CHUNK (1u << 20)
#define PUB_MAX 4096
#define SIG_MAX 4096

/* The files every backup holds besides the stores, in their order after them. */
static const char *const fixed_after[] = {"keyring", "audit.log", "vault.pub"};

/* --- writing --- */

struct out {
	int fd;
	uint64_t off;
	struct bk_hash_state whole; /* BLAKE2b-512 of the whole file: what minisign signs */
	uint8_t *buf;
	const char *path;
};

/* Writes n bytes at the end of the backup; the caller hashes them into o->whole. */
static bk_status out_write_raw(struct out *o, const void *p, size_t n)
{
	if (bk_write_all(o->fd, p, n) != 0)
		return bk_fail(BK_ERR_IO, "cannot write '%s': %s", o->path, strerror(errno));
	o->off += n;
	return BK_OK;
}

static bk_status out_write(struct out *o, const void *p, size_t n)
{
	bk_status rc = out_write_raw(o, p, n);

	if (rc == BK_OK)
		bk_hash_update(&o->whole, p, n);
	return rc;
}

/* A reader of one source file: SQLite's own handle of a database (so that
 * no second descriptor's close drops the locks SQLite holds), or a plain fd. */
struct source {
	sqlite3_file *db; /* NULL: fd */
	int fd;
	uint64_t size;
};

static bk_status source_read(const struct source *s, uint8_t *buf, size_t n, uint64_t at, const char *name)
{
	if (s->db) {
		int src = s->db->pMethods->xRead(s->db, buf, (int)n, (sqlite3_int64)at);

		return src == SQLITE_OK ? BK_OK : bk_fail(BK_ERR_IO, "cannot read '%s' (SQLite error %d)", name, src);
	}
	for (size_t done = 0; done < n;) {
		ssize_t got = pread(s->fd, buf + done, n - done, (off_t)(at + done));

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return bk_fail(BK_ERR_IO, "cannot read '%s': %s", name, got < 0 ? strerror(errno) : "it got shorter");
		done += (size_t)got;
	}
	return BK_OK;
}

/* Appends one file to the backup and notes it in info. */
static bk_status copy_in(struct out *o, const struct source *s, const char *name, struct bk_backup_info *info)
{
	struct bk_backup_file *f;
	struct bk_hash_state h;
	bk_status rc;

	if (info->nfiles == BK_BACKUP_FILES_MAX)
		return bk_fail(BK_ERR_STATE, "more than %d files to back up", BK_BACKUP_FILES_MAX);
	f = &info->files[info->nfiles++];
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->offset = o->off;
	f->size = s->size;
	if ((rc = bk_hash_init(&h, BK_BACKUP_HASHBYTES, NULL, 0)))
		return rc;
	for (uint64_t at = 0; at < s->size;) {
		size_t n = s->size - at < CHUNK ? (size_t)(s->size - at) : CHUNK;

		if ((rc = source_read(s, o->buf, n, at, name)) || (rc = out_write_raw(o, o->buf, n)))
			return rc;
		bk_hash_update_both(&o->whole, &h, o->buf, n);
		at += n;
	}
	return bk_hash_final(&h, f->hash, sizeof(f->hash));
}

static bk_status copy_db(struct out *o, struct bk_vault *v, const char *schema, const char *name,
			 struct bk_backup_info *info)
{
	struct source s = {NULL, -1, 0};
	sqlite3_int64 size = 0;

	if (sqlite3_file_control(v->db, schema, SQLITE_FCNTL_FILE_POINTER, &s.db) != SQLITE_OK || !s.db ||
	    !s.db->pMethods)
		return bk_fail(BK_ERR_STATE, "cannot reach the file of '%s'", name);
	if (s.db->pMethods->xFileSize(s.db, &size) != SQLITE_OK || size < 0)
		return bk_fail(BK_ERR_IO, "cannot read the size of '%s'", name);
	s.size = (uint64_t)size;
	return copy_in(o, &s, name, info);
}

static bk_status copy_fd(struct out *o, int fd, const char *name, struct bk_backup_info *info)
{
	struct source s = {NULL, fd, 0};
	struct stat st;

	if (fstat(fd, &st) != 0)
		return bk_fail(BK_ERR_IO, "cannot read '%s': %s", name, strerror(errno));
	s.size = (uint64_t)st.st_size;
	return copy_in(o, &s, name, info);
}

static bk_status copy_path(struct out *o, const char *path, const char *name, struct bk_backup_info *info)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	bk_status rc;

	if (fd < 0)
		return bk_fail(BK_ERR_IO, "cannot open '%s': %s", path, strerror(errno));
	rc = copy_fd(o, fd, name, info);
	close(fd);
	return rc;
}

static bk_status join(char out[PATH_MAX], const char *dir, const char *name)
{
	if ((size_t)snprintf(out, PATH_MAX, "%s/%s", dir, name) >= PATH_MAX)
		return bk_fail(BK_ERR_USAGE, "path too long: '%.64s…'", dir);
	return BK_OK;
}

/* Every kec/NAME.db must be a store this connection holds: a file the backup
 * would leave out is refused rather than lost. */
static bk_status stores_all_held(struct bk_vault *v)
{
	char path[PATH_MAX];
	struct dirent *d;
	bk_status rc = BK_OK;
	DIR *dir;

	if ((rc = join(path, v->dir, "kec")))
		return rc;
	if (!(dir = opendir(path)))
		return errno == ENOENT ? BK_OK : bk_fail(BK_ERR_IO, "cannot list '%s': %s", path, strerror(errno));
	while (rc == BK_OK && (d = readdir(dir))) {
		size_t n = strlen(d->d_name), i;

		if (n < 4 || strcmp(d->d_name + n - 3, ".db") != 0)
			continue; /* journals: rolled back by the shared lock when hot */
		for (i = 0; i < v->nstores; i++)
			if (strlen(v->stores[i]) == n - 3 && strncmp(v->stores[i], d->d_name, n - 3) == 0)
				break;
		if (i == v->nstores)
			rc = bk_fail(BK_ERR_STATE, "'kec/%.64s' is no store this unlock opened: nothing was backed up",
				     d->d_name);
	}
	closedir(dir);
	return rc;
}

static json_t *index_json(const struct bk_backup_info *info)
{
	json_t *files = json_array(), *j;

	for (size_t i = 0; files && i < info->nfiles; i++) {
		char hex[2 * BK_BACKUP_HASHBYTES + 1];

		bk_hex_encode(hex, info->files[i].hash, BK_BACKUP_HASHBYTES);
		if (json_array_append_new(files, json_pack("{s:s, s:I, s:I, s:s}", "name", info->files[i].name, "offset",
							   (json_int_t)info->files[i].offset, "size",
							   (json_int_t)info->files[i].size, "blake2b", hex)) != 0) {
			json_decref(files);
			return NULL;
		}
	}
	if (!files)
		return NULL;
	j = json_pack("{s:s, s:i, s:s, s:s, s:s, s:{s:I, s:s}, s:o}", "format", "brankas-backup", "version", 1, "vault",
		      info->vault_id, "created", info->created, "by", info->by, "audit", "seq",
		      (json_int_t)info->audit_seq, "hash", info->audit_hash, "files", files);
	return j;
}

/* Copies every file under the log's shared lock and one read transaction. */
static bk_status copy_vault(struct out *o, struct bk_vault *v, struct bk_backup_info *info)
{
	char schema[BK_STORE_SCHEMA_MAX], name[PATH_MAX];
	struct bk_audit_head head;
	bk_status rc;
	int afd = -1;

	if ((rc = bk_audit_read_lock(v->audit_path, &afd)))
		return rc;
	if ((rc = bk_vault_read_begin(v))) {
		bk_audit_read_unlock(afd);
		return rc;
	}
	rc = bk_vault_pinned_head(v, &head);
	if (rc == BK_OK) {
		info->audit_seq = head.seq;
		bk_hex_encode(info->audit_hash, head.hash, sizeof(head.hash));
		rc = stores_all_held(v);
	}
	if (rc == BK_OK)
		rc = copy_db(o, v, "main", "vault.db", info);
	for (size_t i = 0; rc == BK_OK && i < v->nstores; i++) {
		bk_store_schema(schema, v->stores[i]);
		snprintf(name, sizeof(name), "kec/%s.db", v->stores[i]);
		rc = copy_db(o, v, schema, name, info);
	}
	if (rc == BK_OK)
		rc = copy_path(o, v->keyring_path, "keyring", info);
	if (rc == BK_OK)
		rc = copy_fd(o, afd, "audit.log", info);
	if (rc == BK_OK)
		rc = copy_path(o, v->pub_path, "vault.pub", info);
	if (rc == BK_OK && (rc = join(name, v->dir, "recovery")) == BK_OK && access(name, F_OK) == 0)
		rc = copy_path(o, name, "recovery", info); /* the recovery shares' slot, when split */
	bk_vault_read_end(v);
	bk_audit_read_unlock(afd);
	return rc;
}

/* Writes the index and the trailer after the files, then syncs. */
static bk_status finish_file(struct out *o, const struct bk_backup_info *info)
{
	json_t *j = index_json(info);
	char *text = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	char trailer[TRAILER_LEN + 1];
	uint64_t at = o->off;
	bk_status rc;

	json_decref(j);
	if (!text)
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	snprintf(trailer, sizeof(trailer), TRAILER_PREFIX "%016" PRIx64 "\n", at);
	if ((rc = out_write(o, text, strlen(text))) == BK_OK && (rc = out_write(o, "\n", 1)) == BK_OK)
		rc = out_write(o, trailer, TRAILER_LEN);
	free(text);
	if (rc == BK_OK && fsync(o->fd) != 0)
		rc = bk_fail(BK_ERR_IO, "cannot sync '%s': %s", o->path, strerror(errno));
	return rc;
}

static bk_status write_backup(struct bk_vault *v, const char *part, const char *sig_part, struct bk_backup_info *info)
{
	struct out o;
	uint8_t whole[BK_MINISIGN_PREHASHBYTES];
	char comment[160], *sig = NULL;
	bk_status rc;

	memset(&o, 0, sizeof(o));
	o.path = part;
	if (!(o.buf = malloc(CHUNK)))
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	o.fd = open(part, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (o.fd < 0) {
		free(o.buf);
		return bk_fail(BK_ERR_IO, "cannot create '%s': %s", part, strerror(errno));
	}
	if ((rc = bk_hash_init(&o.whole, sizeof(whole), NULL, 0)) == BK_OK && (rc = out_write(&o, MAGIC, MAGIC_LEN)) == BK_OK &&
	    (rc = copy_vault(&o, v, info)) == BK_OK)
		rc = finish_file(&o, info);
	if (close(o.fd) != 0 && rc == BK_OK)
		rc = bk_fail(BK_ERR_IO, "cannot write '%s': %s", part, strerror(errno));
	free(o.buf);
	info->size = o.off;
	if (rc == BK_OK)
		rc = bk_hash_final(&o.whole, whole, sizeof(whole));
	snprintf(comment, sizeof(comment), "brankas backup of vault %s at audit entry %" PRIu64 ", %s", info->vault_id,
		 info->audit_seq, info->created);
	if (rc == BK_OK && (rc = bk_vault_release_sign_prehashed(v, whole, comment, &sig)) == BK_OK)
		rc = bk_file_create_exclusive(sig_part, sig, strlen(sig), 0600);
	free(sig);
	return rc;
}

/* audit_backup commits one entry of the backup to path: "backup-start"
 * before a byte is copied (info NULL), "backup" once the copy is whole. */
static bk_status audit_backup(struct bk_vault *v, const char *path, const struct bk_backup_info *info)
{
	struct bk_audit_entry e;
	char detail[160];
	const char *base = strrchr(path, '/');

	bk_audit_entry_init(&e);
	e.action = info ? "backup" : "backup-start";
	e.target = base ? base + 1 : path;
	if (info) {
		snprintf(detail, sizeof(detail), "%zu files, %" PRIu64 " bytes, up to audit entry %" PRIu64, info->nfiles,
			 info->size, info->audit_seq);
		e.detail = detail;
	}
	return bk_vault_log(v, &e);
}

/* path + suffix into out: BK_ERR_USAGE when too long. */
static bk_status suffixed(char out[PATH_MAX], const char *path, const char *suffix)
{
	if ((size_t)snprintf(out, PATH_MAX, "%s%s", path, suffix) >= PATH_MAX)
		return bk_fail(BK_ERR_USAGE, "path too long: '%.64s…'", path);
	return BK_OK;
}

bk_status bk_backup_make(struct bk_vault *v, const char *path, struct bk_backup_info *info)
{
	char part[PATH_MAX], sig[PATH_MAX], sig_part[PATH_MAX];
	bk_status rc;

	memset(info, 0, sizeof(*info));
	if ((rc = bk_vault_require(v, BK_ACT_BACKUP, NULL, BK_COL_NONE, NULL)))
		return rc;
	if (!bk_vault_holds_every_store(v))
		return bk_fail(BK_ERR_DENIED, "a backup copies every kecamatan's store, and you do not hold them all");
	if ((rc = suffixed(part, path, ".part")) || (rc = suffixed(sig, path, ".minisig")) ||
	    (rc = suffixed(sig_part, path, ".part.minisig")))
		return rc;
	if (access(path, F_OK) == 0 || access(sig, F_OK) == 0)
		return bk_fail(BK_ERR_EXISTS, "'%s' or its .minisig already exists", path);
	if (access(part, F_OK) == 0 || access(sig_part, F_OK) == 0) { /* before the start entry: nothing logged */
		bk_hint("a backup that was stopped left it: 'brankas backup verify %s' checks it; remove '%s' and "
			"'%s' to back up again",
			part, part, sig_part);
		return bk_fail(BK_ERR_EXISTS, "'%s' or '%s' already exists", part, sig_part);
	}
	bk_hex_encode(info->vault_id, v->kr.vault_id, BK_VAULT_IDBYTES);
	bk_vault_now(info->created);
	snprintf(info->by, sizeof(info->by), "%s", bk_vault_me(v)->name);
	/* "backup-start" is committed before a byte is copied, so no copy, whole
	 * or cut short by a kill, exists without an entry (the backup holds it);
	 * "backup" after the copy and before the names are final. Killed between
	 * the two, FILE.part and FILE.part.minisig stay: `backup verify` checks them */
	if ((rc = audit_backup(v, path, NULL)) == BK_OK && (rc = write_backup(v, part, sig_part, info)) == BK_OK &&
	    (rc = audit_backup(v, path, info)) == BK_OK) {
		if (rename(part, path) != 0 || rename(sig_part, sig) != 0)
			rc = bk_fail(BK_ERR_IO, "cannot put '%s' in place: %s", path, strerror(errno));
		else
			rc = bk_fsync_dir(path);
	}
	if (rc != BK_OK) {
		unlink(part);
		unlink(sig_part);
	}
	return rc;
}

/* --- reading --- */

/* kec/<code>.db with a code of digits and dots, as region codes are. */
static int store_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n <= 7 || n - 7 >= BK_CODE_MAX || strncmp(name, "kec/", 4) != 0 || strcmp(name + n - 3, ".db") != 0)
		return 0;
	for (size_t i = 4; i < n - 3; i++)
		if (!((name[i] >= '0' && name[i] <= '9') || (name[i] == '.' && i > 4 && name[i - 1] != '.')))
			return 0;
	return name[n - 4] != '.';
}

static bk_status bad_index(const char *why)
{
	return bk_fail(BK_ERR_CORRUPT, "the backup's index %s: the file was altered or is not a brankas backup", why);
}

/* Whether object o has exactly the n keys named. */
static int keys_exactly(json_t *o, const char *const *keys, size_t n)
{
	if (!json_is_object(o) || json_object_size(o) != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!json_object_get(o, keys[i]))
			return 0;
	return 1;
}

static int copy_string(char *out, size_t cap, json_t *s)
{
	const char *t = json_string_value(s);

	if (!t || strlen(t) >= cap || strlen(t) == 0)
		return 0;
	memcpy(out, t, strlen(t) + 1);
	return 1;
}

static int hex_ok(const char *s, size_t len)
{
	if (strlen(s) != len)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static bk_status parse_file(json_t *jf, struct bk_backup_file *f)
{
	static const char *const keys[] = {"name", "offset", "size", "blake2b"};
	json_t *off = json_object_get(jf, "offset"), *size = json_object_get(jf, "size");
	const char *hex = json_string_value(json_object_get(jf, "blake2b"));

	if (!keys_exactly(jf, keys, 4) || !copy_string(f->name, sizeof(f->name), json_object_get(jf, "name")) ||
	    !json_is_integer(off) || !json_is_integer(size) || json_integer_value(off) < 0 ||
	    json_integer_value(size) < 0 || !hex || !hex_ok(hex, 2 * BK_BACKUP_HASHBYTES) ||
	    bk_hex_decode(f->hash, sizeof(f->hash), hex, strlen(hex)) != BK_OK)
		return bad_index("has a malformed file entry");
	f->offset = (uint64_t)json_integer_value(off);
	f->size = (uint64_t)json_integer_value(size);
	return BK_OK;
}

/* The files: vault.db, the stores in increasing order, fixed_after, and
 * "recovery" when the vault has recovery shares. */
static bk_status check_files(const struct bk_backup_info *info, uint64_t index_offset)
{
	const size_t fixed = sizeof(fixed_after) / sizeof(fixed_after[0]);
	size_t tail = fixed, stores;
	uint64_t at = MAGIC_LEN;

	if (info->nfiles > 0 && strcmp(info->files[info->nfiles - 1].name, "recovery") == 0)
		tail++;
	if (info->nfiles < 1 + tail || strcmp(info->files[0].name, "vault.db") != 0)
		return bad_index("does not start with vault.db");
	stores = info->nfiles - 1 - tail;
	for (size_t i = 1; i <= stores; i++)
		if (!store_name_ok(info->files[i].name) ||
		    (i > 1 && strcmp(info->files[i - 1].name, info->files[i].name) >= 0))
			return bad_index("names a file that is no store, or a store twice");
	for (size_t i = 0; i < fixed; i++)
		if (strcmp(info->files[1 + stores + i].name, fixed_after[i]) != 0)
			return bad_index("lacks the keyring, audit.log or vault.pub");
	for (size_t i = 0; i < info->nfiles; i++) {
		if (info->files[i].offset != at || info->files[i].size > index_offset - at)
			return bad_index("places the files apart or across each other");
		at += info->files[i].size;
	}
	return at == index_offset ? BK_OK : bad_index("leaves bytes between the files and itself");
}

bk_status bk_backup_index_parse(const char *text, size_t len, uint64_t index_offset, struct bk_backup_info *info)
{
	static const char *const keys[] = {"format", "version", "vault", "created", "by", "audit", "files"};
	static const char *const audit_keys[] = {"seq", "hash"};
	json_error_t err;
	json_t *j, *audit, *files, *seq;
	bk_status rc = BK_OK;

	memset(info, 0, sizeof(*info));
	if (len == 0 || text[len - 1] != '\n' || memchr(text, '\n', len - 1) || memchr(text, '\0', len))
		return bad_index("is not one line");
	if (!(j = json_loadb(text, len - 1, JSON_REJECT_DUPLICATES, &err)))
		return bad_index("is not JSON");
	audit = json_object_get(j, "audit");
	files = json_object_get(j, "files");
	seq = json_object_get(audit, "seq");
	if (!keys_exactly(j, keys, 7) || !keys_exactly(audit, audit_keys, 2) ||
	    strcmp(json_string_value(json_object_get(j, "format")) ? json_string_value(json_object_get(j, "format")) : "",
		   "brankas-backup") != 0 ||
	    !json_is_integer(json_object_get(j, "version")))
		rc = bad_index("is not a brankas backup's");
	else if (json_integer_value(json_object_get(j, "version")) != 1)
		rc = bk_fail(BK_ERR_FORMAT, "backup format version %lld: this brankas reads version 1",
			     (long long)json_integer_value(json_object_get(j, "version")));
	else if (!copy_string(info->vault_id, sizeof(info->vault_id), json_object_get(j, "vault")) ||
		 !hex_ok(info->vault_id, 32) ||
		 !copy_string(info->created, sizeof(info->created), json_object_get(j, "created")) ||
		 !copy_string(info->by, sizeof(info->by), json_object_get(j, "by")) || !json_is_integer(seq) ||
		 json_integer_value(seq) < 0 ||
		 !copy_string(info->audit_hash, sizeof(info->audit_hash), json_object_get(audit, "hash")) ||
		 !hex_ok(info->audit_hash, 64) || !json_is_array(files) || json_array_size(files) > BK_BACKUP_FILES_MAX)
		rc = bad_index("has a malformed field");
	info->audit_seq = rc == BK_OK ? (uint64_t)json_integer_value(seq) : 0;
	for (size_t i = 0; rc == BK_OK && i < json_array_size(files); i++)
		rc = parse_file(json_array_get(files, i), &info->files[info->nfiles++]);
	json_decref(j);
	if (rc == BK_OK)
		rc = check_files(info, index_offset);
	return rc;
}

/* Reads the trailer and the index of the open backup fd of size bytes. */
static bk_status read_index(int fd, uint64_t size, const char *path, struct bk_backup_info *info)
{
	char head[MAGIC_LEN], trailer[TRAILER_LEN + 1], *text;
	struct source s = {NULL, fd, size};
	uint64_t at = 0;
	bk_status rc;

	if (size < MAGIC_LEN + TRAILER_LEN)
		return bk_fail(BK_ERR_CORRUPT, "'%s' is not a brankas backup (too short)", path);
	if ((rc = source_read(&s, (uint8_t *)head, MAGIC_LEN, 0, path)) ||
	    (rc = source_read(&s, (uint8_t *)trailer, TRAILER_LEN, size - TRAILER_LEN, path)))
		return rc;
	trailer[TRAILER_LEN] = '\0';
	if (memcmp(head, MAGIC, MAGIC_LEN) != 0)
		return bk_fail(BK_ERR_CORRUPT, "'%s' is not a brankas backup (it does not start with '%.17s')", path, MAGIC);
	if (memcmp(trailer, TRAILER_PREFIX, sizeof(TRAILER_PREFIX) - 1) != 0 || trailer[TRAILER_LEN - 1] != '\n')
		return bk_fail(BK_ERR_CORRUPT, "'%s': the last line is not the backup's index offset: the file was cut short "
					       "or altered",
			       path);
	for (size_t i = sizeof(TRAILER_PREFIX) - 1; i < TRAILER_LEN - 1; i++) {
		char c = trailer[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return bk_fail(BK_ERR_CORRUPT, "'%s': the backup's index offset is malformed", path);
		at = at * 16 + (uint64_t)(c <= '9' ? c - '0' : c - 'a' + 10);
	}
	if (at < MAGIC_LEN || at >= size - TRAILER_LEN || size - TRAILER_LEN - at > BK_BACKUP_INDEX_MAX)
		return bk_fail(BK_ERR_CORRUPT, "'%s': the backup's index offset points outside it", path);
	if (!(text = malloc((size_t)(size - TRAILER_LEN - at))))
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	if ((rc = source_read(&s, (uint8_t *)text, (size_t)(size - TRAILER_LEN - at), at, path)) == BK_OK)
		rc = bk_backup_index_parse(text, (size_t)(size - TRAILER_LEN - at), at, info);
	free(text);
	info->size = size;
	return rc;
}

/* The release key to check against: pub_text, or the backup's own vault.pub. */
static bk_status trusted_key(int fd, const char *path, const char *pub_text, size_t pub_len,
			     struct bk_backup_info *info, struct bk_minisign_pub *pub)
{
	const struct bk_backup_file *f = &info->files[info->nfiles - 1]; /* vault.pub, last but recovery */
	struct source s = {NULL, fd, info->size};
	char own[PUB_MAX];
	bk_status rc;

	if (strcmp(f->name, "vault.pub") != 0)
		f--;
	if (!pub_text) {
		if (f->size == 0 || f->size >= PUB_MAX)
			return bk_fail(BK_ERR_CORRUPT, "'%s': the backup's vault.pub is malformed", path);
		if ((rc = source_read(&s, (uint8_t *)own, (size_t)f->size, f->offset, path)))
			return rc;
		pub_text = own;
		pub_len = (size_t)f->size;
		info->own_key = 1;
	}
	if ((rc = bk_minisign_pub_parse(pub, pub_text, pub_len)))
		return info->own_key ? bk_fail(BK_ERR_CORRUPT, "'%s': the backup's vault.pub is malformed", path) : rc;
	bk_minisign_key_id_hex(info->key_id, pub->key_id);
	return BK_OK;
}

/* Feeds len bytes of fd from at into a, and into b unless NULL. */
static bk_status hash_range(int fd, const char *path, uint64_t at, uint64_t len, struct bk_hash_state *a,
			    struct bk_hash_state *b, uint8_t *buf)
{
	struct source s = {NULL, fd, 0};
	bk_status rc;

	for (uint64_t done = 0; done < len;) {
		size_t n = len - done < CHUNK ? (size_t)(len - done) : CHUNK;

		if ((rc = source_read(&s, buf, n, at + done, path)))
			return rc;
		if (b)
			bk_hash_update_both(a, b, buf, n);
		else
			bk_hash_update(a, buf, n);
		done += n;
	}
	return BK_OK;
}

bk_status bk_backup_verify(const char *path, const char *pub_text, size_t pub_len, struct bk_backup_info *info)
{
	char sig_path[PATH_MAX];
	uint8_t whole[BK_MINISIGN_PREHASHBYTES], *sig = NULL, *buf = NULL;
	struct bk_hash_state all, one;
	struct bk_minisign_pub pub;
	size_t siglen = 0;
	struct stat st;
	bk_status rc;
	int fd;

	memset(info, 0, sizeof(*info));
	if ((rc = suffixed(sig_path, path, ".minisig")))
		return rc;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return bk_fail(errno == ENOENT ? BK_ERR_NOTFOUND : BK_ERR_IO, "cannot open '%s': %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return bk_fail(BK_ERR_IO, "'%s' is not a readable file", path);
	}
	if ((rc = read_index(fd, (uint64_t)st.st_size, path, info)) ||
	    (rc = trusted_key(fd, path, pub_text, pub_len, info, &pub)))
		goto out;
	if ((rc = bk_file_read(sig_path, SIG_MAX, &sig, &siglen))) {
		rc = bk_fail(BK_ERR_CORRUPT, "'%s' has no readable signature '%s': a backup is trusted only signed", path,
			     sig_path);
		goto out;
	}
	if (!(buf = malloc(CHUNK))) {
		rc = bk_fail(BK_ERR_NOMEM, "out of memory");
		goto out;
	}
	/* one pass: the whole file for the signature, each file for its hash
	 * (read_index checked that they lie back to back after the header) */
	if ((rc = bk_hash_init(&all, sizeof(whole), NULL, 0)) ||
	    (rc = hash_range(fd, path, 0, MAGIC_LEN, &all, NULL, buf)))
		goto out;
	for (size_t i = 0; rc == BK_OK && i < info->nfiles; i++) {
		const struct bk_backup_file *f = &info->files[i];
		uint8_t got[BK_BACKUP_HASHBYTES];

		if ((rc = bk_hash_init(&one, sizeof(got), NULL, 0)) ||
		    (rc = hash_range(fd, path, f->offset, f->size, &all, &one, buf)) ||
		    (rc = bk_hash_final(&one, got, sizeof(got))))
			break;
		if (memcmp(got, f->hash, sizeof(got)) != 0)
			rc = bk_fail(BK_ERR_CORRUPT, "'%s': the bytes of %s are not those its index names: the backup was "
						     "altered",
				     path, f->name);
	}
	if (rc == BK_OK) {
		uint64_t end = info->files[info->nfiles - 1].offset + info->files[info->nfiles - 1].size;

		rc = hash_range(fd, path, end, info->size - end, &all, NULL, buf);
	}
	if (rc == BK_OK && (rc = bk_hash_final(&all, whole, sizeof(whole))) == BK_OK &&
	    bk_minisign_verify_prehashed((const char *)sig, siglen, whole, &pub, NULL) != BK_OK) {
		bk_hint("a backup made before 'key rotate --signing' verifies with the vault.pub of its time: "
			"--vault-pub FILE");
		rc = bk_fail(BK_ERR_CORRUPT, "'%s': the signature does not verify under key %s: the backup was altered, "
					     "or is not this vault's",
			     path, info->key_id);
	}
out:
	free(buf);
	free(sig);
	close(fd);
	return rc;
}

/* --- restoring --- */

static bk_status unpack_file(int fd, const char *path, const struct bk_backup_file *f, const char *dir, uint8_t *buf)
{
	struct source s = {NULL, fd, 0};
	struct bk_hash_state h;
	uint8_t got[BK_BACKUP_HASHBYTES];
	char to[PATH_MAX];
	bk_status rc;
	int out;

	if ((rc = join(to, dir, f->name)) || (rc = bk_hash_init(&h, sizeof(got), NULL, 0)))
		return rc;
	if ((out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0)
		return bk_fail(BK_ERR_IO, "cannot create '%s': %s", to, strerror(errno));
	for (uint64_t at = 0; rc == BK_OK && at < f->size;) {
		size_t n = f->size - at < CHUNK ? (size_t)(f->size - at) : CHUNK;

		if ((rc = source_read(&s, buf, n, f->offset + at, path)) == BK_OK) {
			bk_hash_update(&h, buf, n);
			if (bk_write_all(out, buf, n) != 0)
				rc = bk_fail(BK_ERR_IO, "cannot write '%s': %s", to, strerror(errno));
		}
		at += n;
	}
	if (rc == BK_OK && (rc = bk_hash_final(&h, got, sizeof(got))) == BK_OK && memcmp(got, f->hash, sizeof(got)) != 0)
		rc = bk_fail(BK_ERR_CORRUPT, "'%s' changed while it was restored (%s): nothing was restored", path, f->name);
	if (rc == BK_OK && fsync(out) != 0)
		rc = bk_fail(BK_ERR_IO, "cannot sync '%s': %s", to, strerror(errno));
	if (close(out) != 0 && rc == BK_OK)
		rc = bk_fail(BK_ERR_IO, "cannot write '%s': %s", to, strerror(errno));
	return rc;
}

bk_status bk_backup_unpack(const char *path, const struct bk_backup_info *info, const char *dir)
{
	char kec[PATH_MAX];
	uint8_t *buf = NULL;
	bk_status rc;
	int fd;

	if ((rc = join(kec, dir, "kec")))
		return rc;
	if (mkdir(dir, 0700) != 0) {
		if (errno == EEXIST)
			bk_hint("a restore that was stopped leaves '%s': remove it, then restore again", dir);
		return bk_fail(errno == EEXIST ? BK_ERR_EXISTS : BK_ERR_IO, "cannot make '%s': %s", dir, strerror(errno));
	}
	if (mkdir(kec, 0700) != 0) {
		rc = bk_fail(BK_ERR_IO, "cannot make '%s': %s", kec, strerror(errno));
		rmdir(dir);
		return rc;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		rc = bk_fail(BK_ERR_IO, "cannot open '%s': %s", path, strerror(errno));
	else if (!(buf = malloc(CHUNK)))
		rc = bk_fail(BK_ERR_NOMEM, "out of memory");
	for (size_t i = 0; rc == BK_OK && i < info->nfiles; i++)
		rc = unpack_file(fd, path, &info->files[i], dir, buf);
	free(buf);
	if (fd >= 0)
		close(fd);
	if (rc == BK_OK && (rc = bk_fsync_dir(kec)) == BK_OK)
		rc = bk_fsync_dir(dir);
	if (rc != BK_OK)
		bk_backup_discard(dir, info);
	return rc;
}

void bk_backup_discard(const char *dir, const struct bk_backup_info *info)
{
	static const char *const sqlite_leftovers[] = {"-journal", "-wal", "-shm"};
	char path[PATH_MAX], more[PATH_MAX];

	for (size_t i = 0; i < info->nfiles; i++) {
		if (join(path, dir, info->files[i].name) != BK_OK)
			continue;
		unlink(path);
		for (size_t k = 0; k < sizeof(sqlite_leftovers) / sizeof(sqlite_leftovers[0]); k++)
			if (suffixed(more, path, sqlite_leftovers[k]) == BK_OK)
				unlink(more);
	}
	if (join(path, dir, "kec") == BK_OK)
		rmdir(path);
	rmdir(dir);
}

bk_status bk_backup_record_restore(struct bk_vault *v, const struct bk_backup_info *info)
{
	struct bk_audit_entry e;
	char detail[200];
	bk_status rc;

	if ((rc = bk_vault_require(v, BK_ACT_KEY_ADMIN, NULL, BK_COL_NONE, NULL)))
		return rc;
	snprintf(detail, sizeof(detail), "from a backup made %s by %s, at audit entry %" PRIu64 " (%.16s)", info->created,
		 info->by, info->audit_seq, info->audit_hash);
	bk_audit_entry_init(&e);
	e.action = "restore";
	e.detail = detail;
	e.rows = (long long)info->audit_seq;
	return bk_vault_log(v, &e);
}
