/* recovery.c - recovery shares: split an admin's keys under a recovery key,
 * and combine K shares into a new passphrase for that admin. */
#include "vault/keep/recovery.h"

#include <errno.h>
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
#include "crypto/secmem.h"
#include "vault/core/vault_internal.h"

#define SHARE_VERSION 1
#define CODE_BYTES 64 /* version, x, k, n, vault id, split id, y, checksum */
#define SUM_BYTES 4
#define SHARE_CONTEXT "brankas-share-v1"
#define SLOT_KEY_CONTEXT "brankas-recovery-slot-v1"
#define RECOVERY_FILE_MAX 4096
#define KEYRING_FILE_MAX (16u << 20)

/* The slot key: BLAKE2b-256 keyed by the recovery key, over a context. */
static bk_status slot_key(uint8_t out[32], const uint8_t recovery_key[32])
{
	return bk_hash(out, 32, SLOT_KEY_CONTEXT, sizeof(SLOT_KEY_CONTEXT) - 1, recovery_key, 32);
}

static bk_status checksum(uint8_t out[SUM_BYTES], const uint8_t *code)
{
	uint8_t full[32], msg[sizeof(SHARE_CONTEXT) - 1 + CODE_BYTES - SUM_BYTES];
	bk_status rc;

	memcpy(msg, SHARE_CONTEXT, sizeof(SHARE_CONTEXT) - 1);
	memcpy(msg + sizeof(SHARE_CONTEXT) - 1, code, CODE_BYTES - SUM_BYTES);
	if ((rc = bk_hash(full, sizeof(full), msg, sizeof(msg), NULL, 0)))
		return rc;
	memcpy(out, full, SUM_BYTES);
	return BK_OK;
}

/* --- share files --- */

static bk_status share_text(char **text_p, const struct bk_recovery_share *s, const char *admin, const char *created)
{
	uint8_t code[CODE_BYTES];
	char hex[2 * CODE_BYTES + 1], vault[33], split[2 * BK_RECOVERY_SPLITBYTES + 1], groups[2 * CODE_BYTES + 64];
	size_t g = 0;
	bk_status rc;
	int n;

	code[0] = SHARE_VERSION;
	code[1] = s->x;
	code[2] = s->k;
	code[3] = s->n;
	memcpy(code + 4, s->vault_id, 16);
	memcpy(code + 20, s->split_id, BK_RECOVERY_SPLITBYTES);
	memcpy(code + 28, s->y, 32);
	if ((rc = checksum(code + 60, code)))
		return rc;
	bk_hex_encode(hex, code, CODE_BYTES);
	bk_wipe(code, sizeof(code));
	/* groups of four, eight to a line */
	for (size_t i = 0; i < 2 * CODE_BYTES; i += 4) {
		memcpy(groups + g, hex + i, 4);
		g += 4;
		groups[g++] = (i + 4) % 32 == 0 ? '\n' : ' ';
	}
	groups[g] = '\0';
	bk_wipe(hex, sizeof(hex));
	bk_hex_encode(vault, s->vault_id, 16);
	bk_hex_encode(split, s->split_id, BK_RECOVERY_SPLITBYTES);
	n = asprintf(text_p,
		     "brankas recovery share %u of %u: any %u of them set a new passphrase for admin %s\n"
		     "vault %s, split %s, made %s\n"
		     "Keep this share apart from the others, offline. Whoever holds %u shares holds the vault.\n"
		     "A typo in the code is caught; a share of an older split opens nothing.\n"
		     "\n"
		     "code:\n%s",
		     s->x, s->n, s->k, admin, vault, split, created, s->k, groups);
	bk_wipe(groups, sizeof(groups));
	if (n < 0) {
		*text_p = NULL;
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	}
	return BK_OK;
}

bk_status bk_recovery_share_parse(const char *text, size_t len, const char *name, struct bk_recovery_share *share)
{
	uint8_t code[CODE_BYTES], sum[SUM_BYTES];
	char hex[2 * CODE_BYTES];
	const char *p = NULL;
	size_t h = 0;
	bk_status rc;

	memset(share, 0, sizeof(*share));
	for (size_t i = 0; i + 5 <= len; i++)
		if ((i == 0 || text[i - 1] == '\n') && memcmp(text + i, "code:", 5) == 0) {
			p = text + i + 5;
			break;
		}
	if (!p)
		return bk_fail(BK_ERR_FORMAT, "%s: no 'code:' line: not a brankas recovery share", name);
	for (; p < text + len; p++) {
		char c = *p >= 'A' && *p <= 'F' ? (char)(*p - 'A' + 'a') : *p;

		if (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '-')
			continue;
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return bk_fail(BK_ERR_FORMAT, "%s: the code holds '%c', which is no hex digit (0-9, a-f)", name,
				       *p >= 0x20 && *p < 0x7f ? *p : '?');
		if (h == sizeof(hex))
			return bk_fail(BK_ERR_FORMAT, "%s: the code is longer than %d hex digits", name, 2 * CODE_BYTES);
		hex[h++] = c;
	}
	if (h != sizeof(hex))
		return bk_fail(BK_ERR_FORMAT, "%s: the code has %zu hex digits, not %d: some are missing", name, h,
			       2 * CODE_BYTES);
	rc = bk_hex_decode(code, sizeof(code), hex, sizeof(hex));
	bk_wipe(hex, sizeof(hex));
	if (rc == BK_OK)
		rc = checksum(sum, code);
	if (rc == BK_OK && !bk_ct_equal(sum, code + 60, SUM_BYTES)) /* derived from the secret share */
		rc = bk_fail(BK_ERR_FORMAT, "%s: the code's checksum does not match: a digit was mistyped or changed", name);
	else if (rc == BK_OK && code[0] != SHARE_VERSION)
		rc = bk_fail(BK_ERR_FORMAT, "%s: share version %u: this brankas reads version %d", name, code[0],
			     SHARE_VERSION);
	else if (rc == BK_OK && (code[1] == 0 || code[2] < 2 || code[2] > code[3] || code[3] > BK_SHAMIR_MAX ||
				 code[1] > code[3]))
		rc = bk_fail(BK_ERR_FORMAT, "%s: the share's numbers (%u of %u, threshold %u) do not fit", name, code[1],
			     code[3], code[2]);
	if (rc == BK_OK) {
		share->x = code[1];
		share->k = code[2];
		share->n = code[3];
		memcpy(share->vault_id, code + 4, 16);
		memcpy(share->split_id, code + 20, BK_RECOVERY_SPLITBYTES);
		memcpy(share->y, code + 28, 32);
	}
	bk_wipe(code, sizeof(code));
	return rc;
}

/* --- the recovery file --- */

struct recovery_file {
	char admin[BK_NAME_MAX + 1];
	uint8_t vault_id[16];
	uint8_t split_id[BK_RECOVERY_SPLITBYTES];
	unsigned k, n;
	uint8_t nonce[24];
	uint8_t ct[BK_SLOT_PLAINBYTES + 16];
};

static bk_status recovery_path(char out[PATH_MAX], const char *dir)
{
	if ((size_t)snprintf(out, PATH_MAX, "%s/recovery", dir) >= PATH_MAX)
		return bk_fail(BK_ERR_USAGE, "path too long");
	return BK_OK;
}

static bk_status file_format(char **text_p, const struct recovery_file *r, const char *created)
{
	char vault[33], split[2 * BK_RECOVERY_SPLITBYTES + 1], nonce[BK_B64_LEN(24)], ct[BK_B64_LEN(sizeof(r->ct))];
	json_t *j;

	bk_hex_encode(vault, r->vault_id, 16);
	bk_hex_encode(split, r->split_id, BK_RECOVERY_SPLITBYTES);
	bk_b64_encode(nonce, r->nonce, sizeof(r->nonce));
	bk_b64_encode(ct, r->ct, sizeof(r->ct));
	j = json_pack("{s:s, s:i, s:s, s:s, s:s, s:i, s:i, s:s, s:s, s:s}", "format", "brankas-recovery", "version", 1,
		      "vault", vault, "admin", r->admin, "split", split, "k", (int)r->k, "n", (int)r->n, "created", created,
		      "nonce", nonce, "ct", ct);
	*text_p = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(j);
	if (!*text_p)
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	return BK_OK;
}

static int field_hex(json_t *j, const char *key, uint8_t *out, size_t n)
{
	const char *s = json_string_value(json_object_get(j, key));

	return s && bk_hex_decode(out, n, s, strlen(s)) == BK_OK;
}

static int field_b64(json_t *j, const char *key, uint8_t *out, size_t n)
{
	const char *s = json_string_value(json_object_get(j, key));
	size_t got = 0;

	return s && bk_b64_decode(out, n, &got, s, strlen(s)) == BK_OK && got == n;
}

static bk_status file_read(const char *dir, struct recovery_file *r)
{
	char path[PATH_MAX];
	uint8_t *text = NULL;
	size_t len = 0;
	json_error_t err;
	json_t *j = NULL, *k, *n;
	const char *admin;
	bk_status rc;

	memset(r, 0, sizeof(*r));
	if ((rc = recovery_path(path, dir)))
		return rc;
	if ((rc = bk_file_read(path, RECOVERY_FILE_MAX, &text, &len))) {
		if (rc == BK_ERR_NOTFOUND) {
			bk_hint("an admin makes shares with 'brankas recovery split' while a passphrase still works");
			return bk_fail(BK_ERR_NOTFOUND, "'%s' has no recovery file: this vault has no recovery shares", dir);
		}
		return rc;
	}
	j = json_loadb((const char *)text, len, JSON_REJECT_DUPLICATES, &err);
	free(text);
	k = json_object_get(j, "k");
	n = json_object_get(j, "n");
	admin = json_string_value(json_object_get(j, "admin"));
	if (!j || json_object_size(j) != 10 ||
	    strcmp(json_string_value(json_object_get(j, "format")) ? json_string_value(json_object_get(j, "format")) : "",
		   "brankas-recovery") != 0 ||
	    json_integer_value(json_object_get(j, "version")) != 1 || !admin || strlen(admin) > BK_NAME_MAX ||
	    !json_is_integer(k) || !json_is_integer(n) || json_integer_value(k) < 2 ||
	    json_integer_value(k) > json_integer_value(n) || json_integer_value(n) > BK_SHAMIR_MAX ||
	    !field_hex(j, "vault", r->vault_id, 16) || !field_hex(j, "split", r->split_id, BK_RECOVERY_SPLITBYTES) ||
	    !field_b64(j, "nonce", r->nonce, sizeof(r->nonce)) || !field_b64(j, "ct", r->ct, sizeof(r->ct)))
		rc = bk_fail(BK_ERR_CORRUPT, "'%s' is malformed: it was altered", path);
	else {
		snprintf(r->admin, sizeof(r->admin), "%s", admin);
		r->k = (unsigned)json_integer_value(k);
		r->n = (unsigned)json_integer_value(n);
	}
	json_decref(j);
	return rc;
}

/* --- split --- */

static bk_status write_shares(const char *outdir, const struct bk_recovery_share *shares, unsigned n, const char *admin,
			      const char *created)
{
	char path[PATH_MAX], *text = NULL;
	bk_status rc = BK_OK;

	if (mkdir(outdir, 0700) != 0)
		return bk_fail(errno == EEXIST ? BK_ERR_EXISTS : BK_ERR_IO, "cannot make '%s': %s", outdir,
			       strerror(errno));
	for (unsigned i = 0; rc == BK_OK && i < n; i++) {
		if ((size_t)snprintf(path, sizeof(path), "%s/share-%u-of-%u.txt", outdir, i + 1, n) >= sizeof(path))
			rc = bk_fail(BK_ERR_USAGE, "path too long");
		else if ((rc = share_text(&text, &shares[i], admin, created)) == BK_OK) {
			rc = bk_file_create_exclusive(path, text, strlen(text), 0600);
			bk_wipe(text, strlen(text));
			free(text);
		}
	}
	if (rc == BK_OK)
		rc = bk_fsync_dir(outdir);
	return rc;
}

static void remove_shares(const char *outdir, unsigned n)
{
	char path[PATH_MAX];

	for (unsigned i = 0; i < n; i++)
		if ((size_t)snprintf(path, sizeof(path), "%s/share-%u-of-%u.txt", outdir, i + 1, n) < sizeof(path))
			unlink(path);
	rmdir(outdir);
}

bk_status bk_recovery_split(struct bk_vault *v, unsigned n, unsigned k, const char *outdir,
			    char split_hex[2 * BK_RECOVERY_SPLITBYTES + 1])
{
	const struct bk_keyring_user *me = bk_vault_me(v);
	struct bk_recovery_share *shares = bk_secmem_alloc(BK_SHAMIR_MAX * sizeof(*shares));
	uint8_t *rkey = bk_secmem_alloc(32), *skey = bk_secmem_alloc(32), *ys = bk_secmem_alloc(BK_SHAMIR_MAX * 32);
	uint8_t xs[BK_SHAMIR_MAX];
	struct recovery_file r;
	struct bk_audit_entry e;
	char created[24], path[PATH_MAX], detail[96], *text = NULL;
	int written = 0;
	bk_status rc;

	split_hex[0] = '\0';
	if (!shares || !rkey || !skey || !ys) {
		rc = bk_fail(BK_ERR_NOMEM, "out of guarded memory");
		goto out;
	}
	if ((rc = bk_vault_require(v, BK_ACT_KEY_ADMIN, NULL, BK_COL_NONE, NULL)) || (rc = recovery_path(path, v->dir)))
		goto out;
	memset(&r, 0, sizeof(r));
	snprintf(r.admin, sizeof(r.admin), "%s", me->name);
	memcpy(r.vault_id, v->kr.vault_id, 16);
	bk_random(r.split_id, sizeof(r.split_id));
	r.k = k;
	r.n = n;
	bk_random(rkey, 32);
	if ((rc = bk_shamir_split(rkey, 32, n, k, xs, ys)) || (rc = slot_key(skey, rkey)) ||
	    (rc = bk_keyring_keys_seal(&v->kr, me, skey, r.split_id, sizeof(r.split_id), r.nonce, r.ct, v->box_sk,
				       v->sign_sk)))
		goto out;
	for (unsigned i = 0; i < n; i++) {
		shares[i].x = xs[i];
		shares[i].k = (uint8_t)k;
		shares[i].n = (uint8_t)n;
		memcpy(shares[i].vault_id, r.vault_id, 16);
		memcpy(shares[i].split_id, r.split_id, sizeof(r.split_id));
		memcpy(shares[i].y, ys + (size_t)i * 32, 32);
	}
	bk_vault_now(created);
	if ((rc = file_format(&text, &r, created)))
		goto out;
	/* shares first, then the entry, then the file that makes them work: an
	 * interrupted split leaves shares that open nothing, never an unaudited way in */
	if ((rc = write_shares(outdir, shares, n, me->name, created)))
		goto out;
	written = 1;
	bk_hex_encode(split_hex, r.split_id, sizeof(r.split_id));
	snprintf(detail, sizeof(detail), "%u of %u shares, split %s", k, n, split_hex);
	bk_audit_entry_init(&e);
	e.action = "recovery-split";
	e.target = me->name;
	e.detail = detail;
	if ((rc = bk_vault_log(v, &e)))
		goto out;
	rc = bk_file_write_atomic(path, text, strlen(text), 0600);
out:
	if (rc != BK_OK && written)
		remove_shares(outdir, n);
	free(text);
	bk_secmem_free(shares);
	bk_secmem_free(rkey);
	bk_secmem_free(skey);
	bk_secmem_free(ys);
	return rc;
}

/* --- combine --- */

/* Checks the shares against the vault's recovery file, names the one that
 * does not belong, and keeps K distinct ones in xs and ys. */
static bk_status pick_shares(const struct recovery_file *r, const struct bk_recovery_share *shares,
			     const char *const *names, size_t count, uint8_t *xs, uint8_t *ys)
{
	unsigned have = 0;

	for (size_t i = 0; i < count; i++) {
		const struct bk_recovery_share *s = &shares[i];
		int dup = 0;

		if (memcmp(s->vault_id, r->vault_id, 16) != 0)
			return bk_fail(BK_ERR_AUTH, "%s is a share of another vault", names[i]);
		if (memcmp(s->split_id, r->split_id, sizeof(r->split_id)) != 0)
			return bk_fail(BK_ERR_AUTH, "%s is a share of another split (an older one?): it opens nothing now",
				       names[i]);
		if (s->k != r->k || s->n != r->n)
			return bk_fail(BK_ERR_AUTH, "%s says %u of %u, the vault's split %u of %u", names[i], s->k, s->n,
				       r->k, r->n);
		for (unsigned j = 0; j < have; j++)
			dup |= xs[j] == s->x;
		if (dup || have == r->k)
			continue; /* a share given twice counts once */
		xs[have] = s->x;
		memcpy(ys + (size_t)have * 32, s->y, 32);
		have++;
	}
	if (have < r->k)
		return bk_fail(BK_ERR_AUTH, "%u different shares are needed, %u given: fewer reveal nothing and open nothing",
			       r->k, have);
	return BK_OK;
}

/* The admin's keys from K shares: the recovery key, then the sealed keys. */
static bk_status recover_keys(const char *dir, const struct recovery_file *r, const uint8_t *xs, const uint8_t *ys,
			      uint8_t *keys)
{
	char path[PATH_MAX];
	uint8_t *text = NULL, *rkey = bk_secmem_alloc(32), *skey = bk_secmem_alloc(32);
	size_t len = 0;
	struct bk_keyring kr;
	const struct bk_keyring_user *u;
	bk_status rc;

	memset(&kr, 0, sizeof(kr));
	if (!rkey || !skey)
		rc = bk_fail(BK_ERR_NOMEM, "out of guarded memory");
	else if ((size_t)snprintf(path, sizeof(path), "%s/keyring", dir) >= sizeof(path))
		rc = bk_fail(BK_ERR_USAGE, "path too long");
	else if ((rc = bk_file_read(path, KEYRING_FILE_MAX, &text, &len)) == BK_OK &&
		 (rc = bk_keyring_parse(&kr, "keyring", text, len)) == BK_OK) {
		if (!(u = bk_keyring_user(&kr, r->admin)))
			rc = bk_fail(BK_ERR_NOTFOUND, "the recovery is for '%s', who is no user of the keyring", r->admin);
		else if ((rc = bk_shamir_combine(xs, ys, r->k, 32, rkey)) == BK_OK && (rc = slot_key(skey, rkey)) == BK_OK &&
			 (rc = bk_keyring_keys_open(&kr, u, skey, r->split_id, sizeof(r->split_id), r->nonce, r->ct, keys,
						    keys + 32)) == BK_ERR_AUTH)
			rc = bk_fail(BK_ERR_AUTH, "the shares do not open the recovery: one was altered (its checksum "
						  "made again), or the recovery file was");
	}
	bk_keyring_release(&kr);
	free(text);
	bk_secmem_free(rkey);
	bk_secmem_free(skey);
	return rc;
}

bk_status bk_recovery_combine(const char *dir, const struct bk_recovery_share *shares, const char *const *names,
			      size_t count, const char *pass, size_t passlen, enum bk_kdf_level kdf,
			      char admin_p[BK_NAME_MAX + 1])
{
	uint8_t xs[BK_SHAMIR_MAX], *ys = bk_secmem_alloc(BK_SHAMIR_MAX * 32), *keys = bk_secmem_alloc(BK_SLOT_PLAINBYTES);
	struct recovery_file r;
	struct bk_vault *v = NULL;
	struct bk_audit_entry e;
	char detail[96], split[2 * BK_RECOVERY_SPLITBYTES + 1];
	bk_status rc;

	admin_p[0] = '\0';
	if (!ys || !keys) {
		rc = bk_fail(BK_ERR_NOMEM, "out of guarded memory");
		goto out;
	}
	if ((rc = file_read(dir, &r)) || (rc = pick_shares(&r, shares, names, count, xs, ys)) ||
	    (rc = recover_keys(dir, &r, xs, ys, keys)) ||
	    (rc = bk_vault_open_keys(dir, r.admin, keys, "recovery combine", &v)))
		goto out;
	bk_hex_encode(split, r.split_id, sizeof(r.split_id));
	snprintf(detail, sizeof(detail), "%u of %u shares of split %s; a new passphrase follows", r.k, r.n, split);
	bk_audit_entry_init(&e);
	e.action = "recovery-combine";
	e.target = r.admin;
	e.detail = detail;
	if ((rc = bk_vault_log(v, &e)))
		goto out;
	if ((rc = bk_vault_user_passwd(v, pass, passlen, kdf)) == BK_OK)
		snprintf(admin_p, BK_NAME_MAX + 1, "%s", r.admin);
out:
	bk_vault_close(v);
	bk_secmem_free(ys);
	bk_secmem_free(keys);
	return rc;
}
