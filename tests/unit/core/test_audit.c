/* test_audit.c - the audit log: append and verify, signatures, every kind of
 * tampering (each must be BK_ERR_CORRUPT naming the first bad entry), the
 * rules for unsigned entries and for what may follow the pinned head, the
 * readers' lock, fault injection, escaping, checkpoints and `audit show`
 * filters. */
#include "tests/unit/unit.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "base/fileio.h"
#include "crypto/secmem.h"
#include "crypto/sign.h"
#include "vault/core/audit.h"

extern char **environ;

static const uint8_t VID[BK_AUDIT_VAULTIDBYTES] = {0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
						   0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f};
static const uint8_t OTHER_VID[BK_AUDIT_VAULTIDBYTES] = {0x20};

/* Actors with known keys; the third has a name that needs escaping. */
struct actor {
	const char *name;
	uint8_t pk[BK_SIGN_PUBLICKEYBYTES];
	uint8_t sk[BK_SIGN_SECRETKEYBYTES];
};
static struct actor actors[] = {{"alice", {0}, {0}}, {"bob", {0}, {0}}, {"o\"dd\\name \xc3\xa9", {0}, {0}}};
#define ALICE (&actors[0])
#define BOB (&actors[1])
#define ODD (&actors[2])
static uint8_t mallory_sk[BK_SIGN_SECRETKEYBYTES];

struct fx {
	char dir[64];
	char path[128];  /* audit.log */
	char other[128]; /* a second file */
};

/* alice's key before a reset, when alice_past_until is not 0: mallory's,
 * valid for entries up to alice_past_until */
static uint64_t alice_past_until;

static int lookup(void *ctx, const char *actor, size_t len, unsigned which, uint8_t pk[32], uint64_t *until)
{
	size_t i;

	(void)ctx;
	for (i = 0; i < sizeof(actors) / sizeof(actors[0]); i++) {
		if (strlen(actors[i].name) != len || memcmp(actors[i].name, actor, len) != 0)
			continue;
		if (which == 0) {
			memcpy(pk, actors[i].pk, 32);
			*until = UINT64_MAX;
			return 0;
		}
		if (which == 1 && &actors[i] == ALICE && alice_past_until) {
			crypto_sign_ed25519_sk_to_pk(pk, mallory_sk);
			*until = alice_past_until;
			return 0;
		}
		return -1;
	}
	return -1;
}

static int group_setup(void **state)
{
	uint8_t seed[BK_SIGN_SEEDBYTES], pk[BK_SIGN_PUBLICKEYBYTES];
	size_t i;

	(void)state;
	if (bk_crypto_init() != BK_OK)
		return -1;
	for (i = 0; i < sizeof(actors) / sizeof(actors[0]); i++) {
		memset(seed, (int)(i + 1), sizeof(seed));
		if (bk_sign_seed_keypair(actors[i].pk, actors[i].sk, seed) != BK_OK)
			return -1;
	}
	memset(seed, 0x66, sizeof(seed));
	return bk_sign_seed_keypair(pk, mallory_sk, seed) == BK_OK ? 0 : -1;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	bk_test_tmpdir(f->dir, sizeof(f->dir), "audit");
	snprintf(f->path, sizeof(f->path), "%s/audit.log", f->dir);
	snprintf(f->other, sizeof(f->other), "%s/other", f->dir);
	bk_fault_set_write_budget(-1);
	bk_error_clear();
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	bk_test_rmtree(f->dir);
	free(f);
	bk_fault_set_write_budget(-1);
	return 0;
}

/* ---- helpers ---------------------------------------------------------- */

static struct bk_audit_verify_opts full_opts(void)
{
	struct bk_audit_verify_opts o = {0};

	o.vault_id = VID;
	o.lookup = lookup;
	return o;
}

static void add(struct bk_audit_writer *w, const char *actor, const char *action, const char *purpose)
{
	struct bk_audit_entry e;

	bk_audit_entry_init(&e);
	e.actor = actor;
	e.role = "custodian";
	e.command = "query";
	e.action = action;
	e.dataset = "bansos";
	e.purpose = purpose;
	e.rows = 3;
	e.outcome = "ok";
	assert_int_equal(bk_audit_add(w, &e), BK_OK);
}

/* add_cmd queues an entry with the given actor, command (NULL: none), action
 * and outcome. */
static void add_cmd(struct bk_audit_writer *w, const char *actor, const char *command, const char *action,
		    const char *outcome)
{
	struct bk_audit_entry e;

	bk_audit_entry_init(&e);
	e.actor = actor;
	e.command = command;
	e.action = action;
	e.outcome = outcome;
	e.detail = "made by a test";
	assert_int_equal(bk_audit_add(w, &e), BK_OK);
}

/* commit_one appends one entry as its own commit, signed when sk is set. */
static void commit_one(const char *path, const char *actor, const char *command, const char *action,
		       const char *outcome, const uint8_t *sk, struct bk_audit_head *head_p)
{
	struct bk_audit_writer *w = NULL;
	struct bk_audit_head h;

	assert_int_equal(bk_audit_writer_open(path, VID, 1, &w), BK_OK);
	add_cmd(w, actor, command, action, outcome);
	assert_int_equal(bk_audit_commit(w, sk, &h), BK_OK);
	bk_audit_writer_free(w);
	if (head_p)
		*head_p = h;
}

/* make_log writes n entries, each its own command, signed by alice and bob
 * in turn. */
static void make_log(const char *path, int n, struct bk_audit_head *head_p)
{
	struct bk_audit_writer *w = NULL;
	struct bk_audit_head h;
	char purpose[32];
	int i;

	assert_int_equal(bk_audit_writer_open(path, VID, 1, &w), BK_OK);
	for (i = 1; i <= n; i++) {
		struct actor *a = i % 2 ? ALICE : BOB;

		snprintf(purpose, sizeof(purpose), "case %d", i);
		add(w, a->name, "read", purpose);
		assert_int_equal(bk_audit_commit(w, a->sk, &h), BK_OK);
	}
	bk_audit_writer_head(w, &h);
	if (head_p)
		*head_p = h;
	bk_audit_writer_free(w);
}

#define MAXLINES 64
struct lines {
	char *l[MAXLINES];
	size_t n;
};

static void split(const char *path, struct lines *ls)
{
	uint8_t *d;
	size_t len, i, start = 0;

	bk_test_read(path, &d, &len);
	ls->n = 0;
	for (i = 0; i < len; i++) {
		if (d[i] == '\n') {
			assert_true(ls->n < MAXLINES);
			ls->l[ls->n] = strndup((char *)d + start, i - start);
			assert_non_null(ls->l[ls->n]);
			ls->n++;
			start = i + 1;
		}
	}
	assert_int_equal(start, len);
	free(d);
}

static void join(const char *path, const struct lines *ls)
{
	FILE *fp = fopen(path, "wb");
	size_t i;

	assert_non_null(fp);
	for (i = 0; i < ls->n; i++)
		fprintf(fp, "%s\n", ls->l[i]);
	assert_int_equal(fclose(fp), 0);
}

static void lines_free(struct lines *ls)
{
	size_t i;

	for (i = 0; i < ls->n; i++)
		free(ls->l[i]);
	ls->n = 0;
}

static void lines_delete(struct lines *ls, size_t i)
{
	free(ls->l[i]);
	memmove(&ls->l[i], &ls->l[i + 1], (ls->n - i - 1) * sizeof(ls->l[0]));
	ls->n--;
}

/* rechain recomputes prev and hash of every line from index `from` on, as an
 * attacker without keys can. Signatures are left as they were. */
static void rechain(struct lines *ls, size_t from)
{
	uint8_t hash[32];
	char hex[65];
	size_t i;

	for (i = from; i < ls->n; i++) {
		char *at = NULL, *s = ls->l[i];

		while ((s = strstr(s, ",\"hash\":\"")) != NULL)
			at = s++;
		assert_non_null(at);
		if (i > 0) {
			char *prev_hash = strstr(ls->l[i - 1], ",\"hash\":\"");

			assert_non_null(prev_hash);
			memcpy(at - 65, prev_hash + 9, 64);
		}
		crypto_generichash(hash, 32, (unsigned char *)ls->l[i], (size_t)(at - ls->l[i]), NULL, 0);
		sodium_bin2hex(hex, sizeof(hex), hash, 32);
		memcpy(at + 9, hex, 64);
	}
}

static void expect_corrupt(const char *path, const struct bk_audit_verify_opts *o, uint64_t bad_seq,
			   const char *detail)
{
	struct bk_audit_report r;

	bk_error_clear();
	assert_int_equal(bk_audit_verify(path, o, &r), BK_ERR_CORRUPT);
	assert_int_equal(r.bad_seq, bad_seq);
	if (detail && !strstr(bk_error_detail(), detail))
		fail_msg("detail '%s' lacks '%s'", bk_error_detail(), detail);
}

static void expect_detail(const char *want)
{
	if (!strstr(bk_error_detail(), want))
		fail_msg("detail '%s' lacks '%s'", bk_error_detail(), want);
}

static int count_byte(const char *path, uint8_t c)
{
	uint8_t *d;
	size_t len, i;
	int n = 0;

	bk_test_read(path, &d, &len);
	for (i = 0; i < len; i++)
		n += d[i] == c;
	free(d);
	return n;
}

/* count_lines is an emit callback for bk_audit_show counting its lines. */
static bk_status count_lines(void *ctx, const char *line, size_t len)
{
	(void)line;
	(void)len;
	++*(int *)ctx;
	return BK_OK;
}

/* ---- round trips ------------------------------------------------------ */

static void test_empty_log(void **state)
{
	struct fx *f = *state;
	struct bk_audit_writer *w = NULL;
	struct bk_audit_head h, zero = {0}, one = {1, {0}};
	struct bk_audit_report r;
	struct bk_audit_verify_opts o = full_opts();
	struct stat st;

	assert_int_equal(bk_audit_writer_open(f->path, VID, 0, &w), BK_ERR_NOTFOUND);
	assert_null(w);
	assert_int_equal(bk_audit_writer_open(f->path, VID, 1, &w), BK_OK);
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	bk_audit_writer_head(w, &h);
	assert_int_equal(h.seq, 0);
	assert_memory_equal(h.hash, zero.hash, 32);
	/* nothing queued: nothing written */
	assert_int_equal(bk_audit_commit(w, ALICE->sk, &h), BK_OK);
	assert_int_equal(h.seq, 0);
	bk_audit_writer_free(w);
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_size, 0);

	assert_int_equal(bk_audit_verify(f->path, &o, &r), BK_OK);
	assert_int_equal(r.entries, 0);
	assert_int_equal(r.head.seq, 0);
	o.pinned = &zero;
	assert_int_equal(bk_audit_verify(f->path, &o, &r), BK_OK);
	assert_int_equal(bk_audit_check_tail(f->path, &zero), BK_OK);
	o.pinned = &one;
	expect_corrupt(f->path, &o, 1, "ends at entry 0 but the vault pinned entry 1");
	assert_int_equal(bk_audit_check_tail(f->path, &one), BK_ERR_CORRUPT);
	assert_int_equal(bk_audit_verify(f->other, &o, &r), BK_ERR_NOTFOUND);
	/* an empty log is not mapped: verify and show walk no NULL + 0 (UBSan) */
	{
		struct bk_audit_filter all = {0};
		int n = 0;

		assert_int_equal(bk_audit_show(f->path, &all, count_lines, &n), BK_OK);
		assert_int_equal(n, 0);
	}
}

static void test_roundtrip(void **state)
{
	struct fx *f = *state;
	struct bk_audit_writer *w = NULL;
	struct bk_audit_head h, h2, mid;
	struct bk_audit_report r;
	struct bk_audit_verify_opts o = full_opts();
	struct bk_audit_entry e;

	assert_int_equal(bk_audit_writer_open(f->path, VID, 1, &w), BK_OK);
	add(w, "alice", "read", "case 1");
	add(w, "alice", "read", "case 2");
	add(w, "alice", "reveal", "case 3");
	assert_int_equal(bk_audit_commit(w, ALICE->sk, &h), BK_OK);
	assert_int_equal(h.seq, 3);
	mid = h;
	add(w, "bob", "report", NULL);
	add(w, "bob", "report", "monthly");
	assert_int_equal(bk_audit_commit(w, BOB->sk, &h), BK_OK);
	assert_int_equal(h.seq, 5);
	/* a failed unlock: unsigned, with the claimed user */
	bk_audit_entry_init(&e);
	e.actor = "carol"; /* unknown user: no role */
	e.action = "unlock";
	e.outcome = "failed";
	e.detail = "wrong passphrase";
	assert_int_equal(bk_audit_add(w, &e), BK_OK);
	assert_int_equal(bk_audit_commit(w, NULL, &h), BK_OK);
	assert_int_equal(h.seq, 6);
	bk_audit_writer_head(w, &h2);
	assert_memory_equal(&h, &h2, sizeof(h));
	bk_audit_writer_free(w);

	assert_int_equal(count_byte(f->path, '\n'), 6);
	{
		struct lines ls;

		split(f->path, &ls);
		assert_non_null(strstr(ls.l[5], "\"actor\":\"carol\",\"action\":\"unlock\",\"detail\":"));
		assert_null(strstr(ls.l[5], "\"role\""));
		lines_free(&ls);
	}
	assert_int_equal(bk_audit_verify(f->path, &o, &r), BK_OK);
	assert_int_equal(r.entries, 6);
	assert_int_equal(r.head.seq, 6);
	assert_memory_equal(r.head.hash, h.hash, 32);
	assert_int_equal(r.signatures, 2);
	assert_int_equal(r.last_signed.seq, 5);
	assert_int_equal(r.unsigned_tail, 1);
	assert_int_equal(r.bad_seq, 0);

	/* signatures already checked: the chain still is, the signatures not */
	o.sigs_checked_through = 5;
	assert_int_equal(bk_audit_verify(f->path, &o, &r), BK_OK);
	assert_int_equal(r.signatures, 0);
	assert_int_equal(r.last_signed.seq, 5);
	/* without a lookup nothing is verified but the chain */
	assert_int_equal(bk_audit_verify(f->path, NULL, &r), BK_OK);
	assert_int_equal(r.entries, 6);

	/* pinned heads: the last and an earlier one */
	o = full_opts();
	o.pinned = &h;
	o.since = &mid;
	assert_int_equal(bk_audit_verify(f->path, &o, &r), BK_OK);
	assert_int_equal(bk_audit_check_tail(f->path, &h), BK_OK);
	assert_int_equal(bk_audit_check_tail(f->path, &mid), BK_OK);

	/* reopening finds the same head and continues the chain */
	assert_int_equal(bk_audit_writer_open(f->path, VID, 0, &w), BK_OK);
	bk_audit_writer_head(w, &h2);
	assert_memory_equal(&h, &h2, sizeof(h));
	add(w, "alice", "read", "again");
	assert_int_equal(bk_audit_commit(w, ALICE->sk, &h), BK_OK);
	assert_int_equal(h.seq, 7);
	bk_audit_writer_free(w);
	o = full_opts();
	o.pinned = &h;
	assert_int_equal(bk_audit_verify(f->path, &o, &r), BK_OK);
	assert_int_equal(r.signatures, 3);
	assert_int_equal(r.unsigned_tail, 0);
}

static void test_sign_message(void **state)
{
	struct bk_audit_head h;
	uint8_t msg[BK_AUDIT_SIGMSGBYTES];
	static const uint8_t seq_be[8] = {0, 0, 0, 0x01, 0x02, 0x03, 0x04, 0x05};

	(void)state;
	assert_int_equal(BK_AUDIT_SIGMSGBYTES, 77);
	h.seq = 0x0102030405ULL;
	memset(h.hash, 0xab, sizeof(h.hash));
	bk_audit_sign_message(msg, VID, &h);
	assert_memory_equal(msg, "brankas-audit-head-v1", 21);
	assert_memory_equal(msg + 21, VID, 16);
	assert_memory_equal(msg + 37, seq_be, 8);
	assert_memory_equal(msg + 45, h.hash, 32);
}

/* ---- tampering -------------------------------------------------------- */

static void test_tamper_flip_byte(void **state)
{
	struct fx *f = *state;
	struct bk_audit_verify_opts o = full_opts();
	struct bk_audit_head h;
	struct lines ls;
	char *p;

	make_log(f->path, 5, &h);
	split(f->path, &ls);
	p = strstr(ls.l[2], "case 3");
	assert_non_null(p);
	p[5] = '8';
	join(f->path, &ls);
	expect_corrupt(f->path, &o, 3, "audit.log: entry 3: hash does not match its contents");
	expect_corrupt(f->path, NULL, 3, "entry 3");
	lines_free(&ls);

	/* a flipped digit of the stored hash */
	unlink(f->path);
	make_log(f->path, 5, &h);
	split(f->path, &ls);
	p = strstr(ls.l[2], ",\"hash\":\"");
	p[20] = p[20] == '0' ? '1' : '0';
	join(f->path, &ls);
	expect_corrupt(f->path, &o, 3, "entry 3: hash does not match");
	lines_free(&ls);
}

static void test_tamper_delete_last(void **state)
{
	struct fx *f = *state;
	struct bk_audit_verify_opts o = full_opts();
	struct bk_audit_report r;
	struct bk_audit_head h;
	struct lines ls;

	make_log(f->path, 5, &h);
	split(f->path, &ls);
	lines_delete(&ls, 4);
	join(f->path, &ls);
	lines_free(&ls);
	/* without the pin the shorter log is consistent ... */
	assert_int_equal(bk_audit_verify(f->path, &o, &r), BK_OK);
	assert_int_equal(r.entries, 4);
	/* ... the pin catches it */
	o.pinned = &h;
	expect_corrupt(f->path, &o, 5,
		       "audit.log ends at entry 4 but the vault pinned entry 5: the log was truncated or rolled back");
	bk_error_clear();
	assert_int_equal(bk_audit_check_tail(f->path, &h), BK_ERR_CORRUPT);
	expect_detail("ends at entry 4 but the vault pinned entry 5");
}

static void test_tamper_delete_middle(void **state)
{
	struct fx *f = *state;
	struct bk_audit_verify_opts o = full_opts();
	struct bk_audit_head h, two = {0};
	struct bk_audit_report r;
	struct lines ls;

	make_log(f->path, 5, &h);
	assert_int_equal(bk_audit_verify(f->path, &o, &r), BK_OK);
	split(f->path, &ls);
	lines_delete(&ls, 2);
	join(f->path, &ls);
	lines_free(&ls);
	expect_corrupt(f->path, &o, 3, "entry 3 is missing");
	/* the tail check from an older pin walks over the gap */
	two.seq = 2;
	split(f->path, &ls);
	{
		char *at = strstr(ls.l[1], ",\"hash\":\"");

		assert_non_null(at);
		assert_int_equal(sodium_hex2bin(two.hash, 32, at + 9, 64, NULL, NULL, NULL), 0);
	}
	lines_free(&ls);
	bk_error_clear();
	assert_int_equal(bk_audit_check_tail(f->path, &two), BK_ERR_CORRUPT);
	expect_detail("entry 3 is missing");
}

static void test_tamper_swap(void **state)
{
	struct fx *f = *state;
	struct bk_audit_verify_opts o = full_opts();
	struct lines ls;
	char *t;

	make_log(f->path, 5, NULL);
	split(f->path, &ls);
	t = ls.l[2];
	ls.l[2] = ls.l[3];
	ls.l[3] = t;
	join(f->path, &ls);
	lines_free(&ls);
	expect_corrupt(f->path, &o, 3, "entry 3 is missing or out of place");
}

static void test_tamper_rechained(void **state)
{
	struct fx *f = *state;
	struct bk_audit_verify_opts o = full_opts();
	struct bk_audit_report r;
	struct lines ls;
	char *p;

	/* an attacker edits entry 2 and recomputes every hash after it: the
	 * chain holds, the signature of entry 2 does not */
	make_log(f->path, 4, NULL);
	split(f->path, &ls);
	p = strstr(ls.l[1], "case 2");
	p[5] = '9';
	rechain(&ls, 1);
	join(f->path, &ls);
	lines_free(&ls);
	assert_int_equal(bk_audit_verify(f->path, NULL, &r), BK_OK);
	expect_corrupt(f->path, &o, 2, "entry 2: signature does not verify");
}

static void test_rollback_old_copy(void **state)
{
	struct fx *f = *state;
	struct bk_audit_verify_opts o = full_opts();
	struct bk_audit_writer *w = NULL;
	struct bk_audit_head h, h3, forked;
	uint8_t *old;
	size_t oldlen;

	make_log(f->path, 3, &h3);
	bk_test_read(f->path, &old, &oldlen);
	assert_int_equal(bk_audit_writer_open(f->path, VID, 0, &w), BK_OK);
	add(w, "alice", "reveal", "case 4");
	add(w, "alice", "reveal", "case 5");
	assert_int_equal(bk_audit_commit(w, ALICE->sk, &h), BK_OK);
	bk_audit_writer_free(w);
	assert_int_equal(h.seq, 5);

	/* the older copy of the log is put back */
	bk_test_write(f->path, old, oldlen);
	o.pinned = &h;
	expect_corrupt(f->path, &o, 4, "audit.log ends at entry 3 but the vault pinned entry 5");
	assert_int_equal(bk_audit_check_tail(f->path, &h), BK_ERR_CORRUPT);
	o.pinned = &h3;
	assert_int_equal(bk_audit_check_tail(f->path, &h3), BK_OK);

	/* ... and extended with other entries up to the pinned seq */
	assert_int_equal(bk_audit_writer_open(f->path, VID, 0, &w), BK_OK);
	add(w, "alice", "read", "other 4");
	add(w, "alice", "read", "other 5");
	assert_int_equal(bk_audit_commit(w, ALICE->sk, &forked), BK_OK);
	assert_int_equal(forked.seq, 5);
	bk_audit_writer_free(w);
	o.pinned = &h;
	expect_corrupt(f->path, &o, 5, "entry 5 differs from the one the vault pinned");
	bk_error_clear();
	assert_int_equal(bk_audit_check_tail(f->path, &h), BK_ERR_CORRUPT);
	expect_detail("entry 5 differs from the one the vault pinned");
	free(old);
}

static void test_checkpoint_not_extended(void **state)
{
	struct fx *f = *state;
	struct bk_audit_verify_opts o = full_opts();
	struct bk_audit_writer *w = NULL;
	struct bk_audit_report r;
	struct bk_audit_head h, cp, far;

	make_log(f->other, 3, NULL);
	assert_int_equal(bk_audit_writer_open(f->other, VID, 0, &w), BK_OK);
	bk_audit_writer_head(w, &cp);
	bk_audit_writer_free(w);
	o.since = &cp;
	assert_int_equal(bk_audit_verify(f->other, &o, &r), BK_OK);

	/* another log with the same length does not extend it */
	assert_int_equal(bk_audit_writer_open(f->path, VID, 1, &w), BK_OK);
	add(w, "bob", "read", "x");
	add(w, "bob", "read", "y");
	add(w, "bob", "read", "z");
	add(w, "bob", "read", "w");
	assert_int_equal(bk_audit_commit(w, BOB->sk, &h), BK_OK);
	bk_audit_writer_free(w);
	expect_corrupt(f->path, &o, 3, "entry 3 differs from the checkpoint");

	/* a checkpoint beyond the end */
	far = cp;
	far.seq = 9;
	o.since = &far;
	expect_corrupt(f->path, &o, 5, "audit.log ends at entry 4 but the checkpoint is at entry 9");
}

static void test_wrong_key(void **state)
{
	struct fx *f = *state;
	struct bk_audit_verify_opts o = full_opts();
	struct bk_audit_writer *w = NULL;
	struct bk_audit_report r;
	struct bk_audit_head h;

	make_log(f->path, 2, NULL);
	assert_int_equal(bk_audit_writer_open(f->path, VID, 0, &w), BK_OK);
	add(w, "alice", "reveal", "case 3");
	assert_int_equal(bk_audit_commit(w, BOB->sk, &h), BK_OK); /* bob signs as alice */
	add(w, "alice", "read", "case 4");
	assert_int_equal(bk_audit_commit(w, ALICE->sk, &h), BK_OK);
	bk_audit_writer_free(w);
	expect_corrupt(f->path, &o, 3, "audit.log: entry 3: signature does not verify");
	/* signature checks off or already done for it: the chain is fine */
	assert_int_equal(bk_audit_verify(f->path, NULL, &r), BK_OK);
	o.sigs_checked_through = 3;
	assert_int_equal(bk_audit_verify(f->path, &o, &r), BK_OK);
	assert_int_equal(r.signatures, 1);

	/* a signature made for another vault */
	unlink(f->path);
	assert_int_equal(bk_audit_writer_open(f->path, OTHER_VID, 1, &w), BK_OK);
	add(w, "alice", "read", "x");
	assert_int_equal(bk_audit_commit(w, ALICE->sk, &h), BK_OK);
	bk_audit_writer_free(w);
	o = full_opts();
	expect_corrupt(f->path, &o, 1, "signature does not verify");
}

/* a key retired by a reset verifies the entries up to its end, none after */
static void test_past_key(void **state)
{
	struct fx *f = *state;
	struct bk_audit_verify_opts o = full_opts();
	struct bk_audit_writer *w = NULL;
	struct bk_audit_report r;
	struct bk_audit_head h;

	make_log(f->path, 2, NULL);
	assert_int_equal(bk_audit_writer_open(f->path, VID, 0, &w), BK_OK);
	add(w, "alice", "read", "case 3");
	assert_int_equal(bk_audit_commit(w, mallory_sk, &h), BK_OK); /* alice's old key */
	add(w, "alice", "read", "case 4");
	assert_int_equal(bk_audit_commit(w, ALICE->sk, &h), BK_OK); /* her new one */
	bk_audit_writer_free(w);
	alice_past_until = 0;
	expect_corrupt(f->path, &o, 3, "audit.log: entry 3: signature does not verify");
	alice_past_until = 3;
	assert_int_equal(bk_audit_verify(f->path, &o, &r), BK_OK);
	assert_int_equal(r.signatures, 4);
	alice_past_until = 2; /* retired before entry 3: it may not sign it */
	expect_corrupt(f->path, &o, 3, "audit.log: entry 3: signature does not verify");
	alice_past_until = 0;
}

static void test_unknown_actor(void **state)
{
	struct fx *f = *state;
	struct bk_audit_verify_opts o = full_opts();
	struct bk_audit_writer *w = NULL;
	struct bk_audit_head h;

	make_log(f->path, 3, NULL);
	assert_int_equal(bk_audit_writer_open(f->path, VID, 0, &w), BK_OK);
	add(w, "mallory", "reveal", "case 4");
	assert_int_equal(bk_audit_commit(w, mallory_sk, &h), BK_OK);
	bk_audit_writer_free(w);
	expect_corrupt(f->path, &o, 4, "entry 4: is signed by an actor with no known key");
}

static void test_missing_newline(void **state)
{
	struct fx *f = *state;
	struct bk_audit_verify_opts o = full_opts();
	struct bk_audit_writer *w = NULL;
	struct bk_audit_head h;
	uint8_t *d;
	size_t len;

	make_log(f->path, 3, &h);
	bk_test_read(f->path, &d, &len);
	bk_test_write(f->path, d, len - 1);
	free(d);
	expect_corrupt(f->path, &o, 3, "entry 3: the last line has no newline");
	bk_error_clear();
	assert_int_equal(bk_audit_writer_open(f->path, VID, 0, &w), BK_ERR_CORRUPT);
	assert_null(w);
	expect_detail("no newline");
	assert_int_equal(bk_audit_check_tail(f->path, &h), BK_ERR_CORRUPT);
}

static void test_malformed_lines(void **state)
{
	struct fx *f = *state;
	struct bk_audit_verify_opts o = full_opts();
	struct bk_audit_writer *w = NULL;
	struct bk_audit_head h;
	struct lines ls;
	char *p, *big;

	make_log(f->path, 3, &h);
	split(f->path, &ls);

	/* a blank line between entries 2 and 3 */
	{
		struct lines b = ls;

		b.l[3] = b.l[2];
		b.l[2] = "";
		b.n = 4;
		join(f->path, &b);
		expect_corrupt(f->path, &o, 3, "an empty line where entry 3 belongs");
		/* a blank line at the end */
		b.l[2] = ls.l[2];
		b.l[3] = "";
		join(f->path, &b);
		expect_corrupt(f->path, &o, 4, "empty line");
		assert_int_equal(bk_audit_writer_open(f->path, VID, 0, &w), BK_ERR_CORRUPT);
		assert_int_equal(bk_audit_check_tail(f->path, &h), BK_ERR_CORRUPT);
	}

	/* an upper-case hex digit in a stored hash */
	p = strstr(ls.l[1], ",\"hash\":\"");
	{
		char saved = p[9];

		p[9] = 'A';
		join(f->path, &ls);
		expect_corrupt(f->path, &o, 2, "entry 2: has bad hex in hash");
		p[9] = saved;
	}

	/* a signature that is not canonical base64, checked or not */
	p = strstr(ls.l[1], ",\"sig\":\"");
	assert_non_null(p);
	{
		char saved = p[8 + 85];

		p[8 + 85] = p[8 + 85] == 'B' ? 'C' : 'B'; /* non-zero padding bits */
		join(f->path, &ls);
		expect_corrupt(f->path, NULL, 2, "entry 2: has a malformed signature");
		expect_corrupt(f->path, &o, 2, "entry 2: has a malformed signature");
		p[8 + 85] = saved;
		saved = p[8 + 10];
		p[8 + 10] = '*';
		join(f->path, &ls);
		expect_corrupt(f->path, NULL, 2, "entry 2: has a malformed signature");
		p[8 + 10] = saved;
	}

	/* a line over BK_AUDIT_MAX_LINE */
	big = malloc(BK_AUDIT_MAX_LINE + 1);
	assert_non_null(big);
	memset(big, 'x', BK_AUDIT_MAX_LINE);
	big[BK_AUDIT_MAX_LINE] = '\0';
	{
		struct lines b = ls;

		b.l[1] = big;
		join(f->path, &b);
		expect_corrupt(f->path, &o, 2, "entry 2: line is longer than 65536 bytes");
		b.l[1] = ls.l[1];
		b.l[3] = big;
		b.n = 4;
		join(f->path, &b);
		expect_corrupt(f->path, &o, 4, "longer than");
		assert_int_equal(bk_audit_writer_open(f->path, VID, 0, &w), BK_ERR_CORRUPT);
		assert_int_equal(bk_audit_check_tail(f->path, &h), BK_ERR_CORRUPT);

		/* no seq prefix, a leading zero, bytes after the closing brace */
		b.n = 3;
		b.l[2] = "{\"time\":\"x\"}";
		join(f->path, &b);
		expect_corrupt(f->path, &o, 3, "does not start with {\"seq\":N");
		b.l[2] = ls.l[2] + 7; /* drop {"seq": */
		join(f->path, &b);
		expect_corrupt(f->path, &o, 3, NULL);
		{
			char *z = NULL;

			assert_true(asprintf(&z, "{\"seq\":03%s", ls.l[2] + 8) > 0);
			b.l[2] = z;
			join(f->path, &b);
			expect_corrupt(f->path, &o, 3, NULL);
			free(z);
			assert_true(asprintf(&z, "%s ", ls.l[2]) > 0);
			b.l[2] = z;
			join(f->path, &b);
			expect_corrupt(f->path, &o, 3, "entry 3: does not end with '}'");
			free(z);
		}
	}
	free(big);
	lines_free(&ls);
}

/* ---- unsigned entries ------------------------------------------------- */

/* expect_tail_corrupt checks that bk_audit_check_tail fails with detail. */
static void expect_tail_corrupt(const char *path, const struct bk_audit_head *pinned, const char *detail)
{
	bk_error_clear();
	assert_int_equal(bk_audit_check_tail(path, pinned), BK_ERR_CORRUPT);
	expect_detail(detail);
}

static void test_unsigned_forged_then_signed(void **state)
{
	struct fx *f = *state;
	struct bk_audit_verify_opts o = full_opts();
	struct bk_audit_head h3, h;

	/* someone with write access appends an unsigned reveal by alice; bob's
	 * next real command chains onto it and signs over it */
	make_log(f->path, 3, &h3);
	commit_one(f->path, "alice", "query", "reveal", "ok", NULL, NULL);
	expect_tail_corrupt(f->path, &h3, "audit.log: entry 4: unsigned entry not covered by its actor's signature");
	commit_one(f->path, "bob", "query", "read", "ok", BOB->sk, &h);
	expect_corrupt(f->path, &o, 4, "audit.log: entry 4: unsigned entry not covered by its actor's signature");
	expect_corrupt(f->path, NULL, 4, "entry 4: unsigned entry not covered");
	o.pinned = &h;
	expect_corrupt(f->path, &o, 4, "entry 4: unsigned entry not covered");
	/* the vault opens with the head pinned before the forgery */
	expect_tail_corrupt(f->path, &h3, "audit.log: entry 4: unsigned entry not covered by its actor's signature");
}

static void test_unsigned_at_end(void **state)
{
	struct fx *f = *state;
	struct bk_audit_verify_opts o = full_opts();
	struct bk_audit_head h3;

	/* never signed: no command ends unsigned */
	make_log(f->path, 3, &h3);
	commit_one(f->path, "alice", "query", "reveal", "ok", NULL, NULL);
	expect_corrupt(f->path, &o, 4, "audit.log: entry 4: unsigned entry not covered by its actor's signature");
	o.pinned = &h3;
	expect_corrupt(f->path, &o, 4, "entry 4: unsigned entry not covered");
	expect_tail_corrupt(f->path, &h3, "entry 4: unsigned entry not covered");

	/* an unlock that succeeded is not a failed unlock */
	unlink(f->path);
	make_log(f->path, 3, &h3);
	commit_one(f->path, "carol", "status", "unlock", "ok", NULL, NULL);
	expect_corrupt(f->path, &o, 4, "entry 4: unsigned entry not covered");
	expect_tail_corrupt(f->path, &h3, "entry 4: unsigned entry not covered");
}

static void test_unsigned_other_signer(void **state)
{
	struct fx *f = *state;
	struct bk_audit_verify_opts o = full_opts();
	struct bk_audit_writer *w = NULL;
	struct bk_audit_head h2, h;

	/* the next signature is by the same actor but for another command */
	make_log(f->path, 2, &h2);
	commit_one(f->path, "bob", "export", "reveal", "ok", NULL, NULL);
	commit_one(f->path, "bob", "query", "read", "ok", BOB->sk, &h);
	expect_corrupt(f->path, &o, 3, "audit.log: entry 3: unsigned entry not covered by its actor's signature");
	expect_tail_corrupt(f->path, &h2, "audit.log: entry 3: unsigned entry not covered");

	/* a command named by one and not the other */
	unlink(f->path);
	make_log(f->path, 2, &h2);
	commit_one(f->path, "bob", NULL, "reveal", "ok", NULL, NULL);
	commit_one(f->path, "bob", "query", "read", "ok", BOB->sk, &h);
	expect_corrupt(f->path, &o, 3, "entry 3: unsigned entry not covered");
	expect_tail_corrupt(f->path, &h2, "entry 3: unsigned entry not covered");

	/* another actor's unsigned entry between alice's entry and her
	 * signature: both are uncovered, the first is named */
	unlink(f->path);
	make_log(f->path, 2, &h2);
	assert_int_equal(bk_audit_writer_open(f->path, VID, 0, &w), BK_OK);
	add_cmd(w, "alice", "query", "read", "ok");
	add_cmd(w, "bob", "query", "reveal", "ok");
	add_cmd(w, "alice", "query", "read", "ok");
	assert_int_equal(bk_audit_commit(w, ALICE->sk, &h), BK_OK);
	bk_audit_writer_free(w);
	expect_corrupt(f->path, &o, 3, "audit.log: entry 3: unsigned entry not covered");
	/* walking back, the tail check meets bob's entry first */
	expect_tail_corrupt(f->path, &h2, "audit.log: entry 4: unsigned entry not covered");
}

static void test_unsigned_allowed(void **state)
{
	struct fx *f = *state;
	struct bk_audit_verify_opts o = full_opts();
	struct bk_audit_writer *w = NULL;
	struct bk_audit_report r;
	struct bk_audit_head h0 = {0}, h2, h;

	make_log(f->path, 2, &h2);
	/* failed and denied unlocks stand alone, by anyone, even an unknown user */
	commit_one(f->path, "mallory", "status", "unlock", "failed", NULL, NULL);
	commit_one(f->path, "bob", "query", "unlock", "denied", NULL, NULL);
	/* a command of several entries, a failed unlock between them (the rule
	 * allows it), and one without a command name at all */
	assert_int_equal(bk_audit_writer_open(f->path, VID, 0, &w), BK_OK);
	add_cmd(w, ODD->name, "import", "import", "ok");
	add_cmd(w, "carol", "status", "unlock", "failed");
	add_cmd(w, ODD->name, "import", "import", "ok");
	add_cmd(w, ODD->name, "import", "import", "denied");
	assert_int_equal(bk_audit_commit(w, ODD->sk, &h), BK_OK);
	bk_audit_writer_free(w);
	o.pinned = &h;
	assert_int_equal(bk_audit_verify(f->path, &o, &r), BK_OK);
	assert_int_equal(bk_audit_check_tail(f->path, &h), BK_OK);
	assert_int_equal(bk_audit_check_tail(f->path, &h2), BK_OK);
	assert_int_equal(bk_audit_check_tail(f->path, &h0), BK_ERR_CORRUPT); /* 3 signed commands */

	assert_int_equal(bk_audit_writer_open(f->path, VID, 0, &w), BK_OK);
	add_cmd(w, "alice", NULL, "read", "ok");
	add_cmd(w, "alice", NULL, "read", "ok");
	assert_int_equal(bk_audit_commit(w, ALICE->sk, &h), BK_OK);
	bk_audit_writer_free(w);
	commit_one(f->path, "mallory", NULL, "unlock", "failed", NULL, NULL);
	o.pinned = &h;
	assert_int_equal(bk_audit_verify(f->path, &o, &r), BK_OK);
	assert_int_equal(r.entries, 11);
	assert_int_equal(r.signatures, 4);
	assert_int_equal(r.unsigned_tail, 1);
	assert_int_equal(bk_audit_check_tail(f->path, &h), BK_OK);
}

/* forge_unsigned rewrites the last line with replace instead of find (once)
 * and recomputes its hash, as anyone who can write the file can. */
static void forge_unsigned(const char *path, const char *find, const char *replace)
{
	struct lines ls;
	char *l, *at, *n;
	size_t len;

	split(path, &ls);
	l = ls.l[ls.n - 1];
	at = strstr(l, find);
	assert_non_null(at);
	len = strlen(l) - strlen(find) + strlen(replace);
	n = malloc(len + 1);
	assert_non_null(n);
	memcpy(n, l, (size_t)(at - l));
	strcpy(n + (at - l), replace);
	strcat(n, at + strlen(find));
	free(l);
	ls.l[ls.n - 1] = n;
	rechain(&ls, ls.n - 1);
	join(path, &ls);
	lines_free(&ls);
}

static void test_unsigned_not_as_written(void **state)
{
	struct fx *f = *state;
	struct bk_audit_verify_opts o = full_opts();
	struct bk_audit_report r;
	struct bk_audit_head h3;
	size_t i;
	/* each makes a failed unlock read, to jq and `audit show`, as something
	 * else - or is no entry the writer could have written */
	static const char *const forged[][2] = {
		/* a second action: JSON parsers keep the last */
		{"\"action\":\"unlock\"", "\"action\":\"unlock\",\"action\":\"reveal\""},
		{"\"outcome\":\"failed\"", "\"action\":\"reveal\",\"outcome\":\"failed\""},
		{"\"actor\":\"carol\"", "\"actor\":\"carol\",\"actor\":\"alice\""},
		/* an escaped key is the same key to a parser */
		{"\"detail\":", "\"\\u0061ction\":\"reveal\",\"detail\":"},
		/* an unknown key, white space, keys out of order */
		{"\"detail\":", "\"extra\":1,\"detail\":"},
		{"\"detail\":", "\"detail\" :"},
		{"\"action\":\"unlock\",\"detail\":\"made by a test\"", "\"detail\":\"made by a test\",\"action\":\"unlock\""},
		/* a value that is not a string, a count that is not a number */
		{"\"action\":\"unlock\"", "\"action\":[\"unlock\"]"},
		{"\"detail\":", "\"rows\":01,\"detail\":"},
		/* an unterminated string swallowing the rest */
		{"\"made by a test\"", "\"made by a test\\\""},
	};

	for (i = 0; i < sizeof(forged) / sizeof(forged[0]); i++) {
		unlink(f->path);
		make_log(f->path, 3, &h3);
		commit_one(f->path, "carol", "status", "unlock", "failed", NULL, NULL);
		assert_int_equal(bk_audit_verify(f->path, &o, &r), BK_OK);
		forge_unsigned(f->path, forged[i][0], forged[i][1]);
		bk_error_clear();
		if (bk_audit_verify(f->path, &o, &r) != BK_ERR_CORRUPT || r.bad_seq != 4)
			fail_msg("forgery %zu accepted by verify: %s", i, bk_error_detail());
		if (!strstr(bk_error_detail(), "entry 4: ") || bk_audit_check_tail(f->path, &h3) != BK_ERR_CORRUPT)
			fail_msg("forgery %zu: '%s', or accepted by the tail check", i, bk_error_detail());
	}
	expect_corrupt(f->path, &o, 4, "entry 4: is not laid out the way brankas writes entries");

	/* escapes the writer would not have written compare unequal: fails closed */
	unlink(f->path);
	make_log(f->path, 3, &h3);
	commit_one(f->path, "carol", "status", "unlock", "failed", NULL, NULL);
	forge_unsigned(f->path, "\"unlock\"", "\"unl\\u006fck\"");
	expect_corrupt(f->path, &o, 4, "entry 4: unsigned entry not covered");
	/* while a value holding an escaped quote is the writer's own */
	unlink(f->path);
	make_log(f->path, 3, &h3);
	commit_one(f->path, "ca\"r\\ol", "status", "unlock", "failed", NULL, NULL);
	assert_int_equal(bk_audit_verify(f->path, &o, &r), BK_OK);
	assert_int_equal(bk_audit_check_tail(f->path, &h3), BK_OK);
}

/* ---- what may follow the pinned head ----------------------------------- */

static void test_rollback_db(void **state)
{
	struct fx *f = *state;
	struct bk_audit_verify_opts o = full_opts();
	struct bk_audit_writer *w = NULL;
	struct bk_audit_report r;
	struct bk_audit_head h0 = {0}, h3, h;

	/* a crash between the log's fsync and the database commit leaves one
	 * signed command after the pinned head, and failed unlocks come and go */
	make_log(f->path, 3, &h3);
	commit_one(f->path, "carol", "status", "unlock", "failed", NULL, NULL);
	assert_int_equal(bk_audit_writer_open(f->path, VID, 0, &w), BK_OK);
	add(w, "alice", "read", "case 5");
	add(w, "alice", "reveal", "case 6");
	assert_int_equal(bk_audit_commit(w, ALICE->sk, &h), BK_OK);
	bk_audit_writer_free(w);
	commit_one(f->path, "dave", "status", "unlock", "denied", NULL, NULL);
	o.pinned = &h3;
	assert_int_equal(bk_audit_verify(f->path, &o, &r), BK_OK);
	assert_int_equal(bk_audit_check_tail(f->path, &h3), BK_OK);

	/* a second command: vault.db was put back to an older copy */
	commit_one(f->path, "bob", "query", "read", "ok", BOB->sk, &h);
	assert_int_equal(h.seq, 8);
	expect_corrupt(f->path, &o, 8,
		       "audit.log has 2 signed commands after the head pinned in vault.db (entry 3): "
		       "vault.db was rolled back");
	expect_tail_corrupt(f->path, &h3,
			    "audit.log has 2 signed commands after the head pinned in vault.db (entry 3): "
			    "vault.db was rolled back");
	commit_one(f->path, "alice", "query", "read", "ok", ALICE->sk, &h);
	expect_corrupt(f->path, &o, 8, "audit.log has 3 signed commands after the head pinned in vault.db (entry 3)");
	expect_tail_corrupt(f->path, &h3, "has 3 signed commands after the head pinned in vault.db (entry 3)");
	/* the empty pin of a vault.db from before init */
	o.pinned = &h0;
	expect_corrupt(f->path, &o, 2, "has 6 signed commands after the head pinned in vault.db (entry 0)");
	expect_tail_corrupt(f->path, &h0, "has 6 signed commands after the head pinned in vault.db (entry 0)");

	/* without a pin, or against the newest one, all is well */
	assert_int_equal(bk_audit_verify(f->path, NULL, &r), BK_OK);
	o.pinned = &h;
	assert_int_equal(bk_audit_verify(f->path, &o, &r), BK_OK);
	assert_int_equal(bk_audit_check_tail(f->path, &h), BK_OK);
	/* a checkpoint (or the signature cache, which vault.c passes as one) is
	 * no pin: any number of commands may follow it */
	o.pinned = NULL;
	o.since = &h3;
	assert_int_equal(bk_audit_verify(f->path, &o, &r), BK_OK);
	o.since = &h0;
	assert_int_equal(bk_audit_verify(f->path, &o, &r), BK_OK);
}

/* ---- the readers' lock ------------------------------------------------- */

/* torn_commit starts a process that appends data as a writer does - under
 * LOCK_EX - but in two writes 300 ms apart, and returns once the first half
 * is in the file. */
static pid_t torn_commit(const char *path, const char *data, size_t len)
{
	int pfd[2];
	pid_t pid;
	char c;

	assert_int_equal(pipe(pfd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct timespec ts = {0, 300 * 1000 * 1000};
		int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);

		if (fd < 0 || flock(fd, LOCK_EX) != 0 || write(fd, data, len / 2) != (ssize_t)(len / 2) ||
		    write(pfd[1], "x", 1) != 1)
			_exit(1);
		nanosleep(&ts, NULL);
		if (write(fd, data + len / 2, len - len / 2) != (ssize_t)(len - len / 2) || fsync(fd) != 0)
			_exit(1);
		_exit(0);
	}
	close(pfd[1]);
	assert_int_equal(read(pfd[0], &c, 1), 1);
	close(pfd[0]);
	return pid;
}

static void wait_ok(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		assert_int_equal(errno, EINTR);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

static void test_readers_wait_for_commit(void **state)
{
	struct fx *f = *state;
	struct bk_audit_verify_opts o = full_opts();
	struct bk_audit_report r;
	struct bk_audit_head h;
	uint8_t *d;
	size_t len, cut;
	int which;

	make_log(f->path, 3, &h);
	bk_test_read(f->path, &d, &len);
	for (cut = len - 1; d[cut - 1] != '\n'; cut--)
		;
	/* a commit in flight in another process is waited for, never seen torn */
	for (which = 0; which < 3; which++) {
		pid_t pid;
		int n = 0;

		bk_test_write(f->path, d, cut);
		pid = torn_commit(f->path, (const char *)d + cut, len - cut);
		bk_error_clear();
		switch (which) {
		case 0:
			if (bk_audit_check_tail(f->path, &h) != BK_OK)
				fail_msg("check_tail: %s", bk_error_detail());
			break;
		case 1:
			o.pinned = &h;
			if (bk_audit_verify(f->path, &o, &r) != BK_OK)
				fail_msg("verify: %s", bk_error_detail());
			assert_int_equal(r.entries, 3);
			break;
		default:
			if (bk_audit_show(f->path, NULL, count_lines, &n) != BK_OK)
				fail_msg("show: %s", bk_error_detail());
			assert_int_equal(n, 3);
		}
		wait_ok(pid);
	}
	free(d);
}

static void test_readers_under_own_writer(void **state)
{
	struct fx *f = *state;
	struct bk_audit_verify_opts o = full_opts();
	struct bk_audit_writer *w = NULL;
	struct bk_audit_report r;
	struct bk_audit_head h;
	struct timespec t0, t1;
	char alias[160];
	int n = 0, fd;

	/* vault.c verifies the log while its own transaction holds the writer:
	 * the readers must not wait for their own process's lock */
	make_log(f->path, 3, &h);
	snprintf(alias, sizeof(alias), "%s/link", f->dir);
	assert_int_equal(link(f->path, alias), 0);
	assert_int_equal(bk_audit_writer_open(alias, VID, 0, &w), BK_OK); /* another name, the same file */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	o.pinned = &h;
	assert_int_equal(bk_audit_verify(f->path, &o, &r), BK_OK);
	assert_int_equal(bk_audit_check_tail(f->path, &h), BK_OK);
	assert_int_equal(bk_audit_show(f->path, NULL, count_lines, &n), BK_OK);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(t1.tv_sec - t0.tv_sec < 5);
	assert_int_equal(n, 3);
	/* and the writer still holds its lock */
	fd = open(f->path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_SH | LOCK_NB), -1);
	bk_audit_writer_free(w);

	/* readers release their shared lock before they return, on success and
	 * on failure, so a writer in this process can follow them */
	assert_int_equal(bk_audit_verify(f->path, &o, &r), BK_OK);
	assert_int_equal(bk_audit_check_tail(f->path, &h), BK_OK);
	assert_int_equal(bk_audit_show(f->path, NULL, count_lines, &n), BK_OK);
	h.hash[0] ^= 1;
	assert_int_equal(bk_audit_check_tail(f->path, &h), BK_ERR_CORRUPT);
	assert_int_equal(bk_audit_verify(f->path, &o, &r), BK_ERR_CORRUPT);
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
	close(fd);
	w = NULL;
	assert_int_equal(bk_audit_writer_open(f->path, VID, 0, &w), BK_OK);
	bk_audit_writer_free(w);
	/* a reader's shared lock does not keep other readers out */
	fd = open(f->path, O_RDONLY | O_CLOEXEC);
	assert_int_equal(flock(fd, LOCK_SH | LOCK_NB), 0);
	h.hash[0] ^= 1;
	assert_int_equal(bk_audit_check_tail(f->path, &h), BK_OK);
	close(fd);
}

/* ---- writing ---------------------------------------------------------- */

static void test_fault_injection(void **state)
{
	struct fx *f = *state;
	struct bk_audit_verify_opts o = full_opts();
	struct bk_audit_writer *w = NULL;
	struct bk_audit_head before, h, after;
	struct bk_audit_report r;
	uint8_t *d0, *d1;
	size_t l0, l1;

	make_log(f->path, 2, &before);
	bk_test_read(f->path, &d0, &l0);
	assert_int_equal(bk_audit_writer_open(f->path, VID, 0, &w), BK_OK);
	add(w, "alice", "reveal", "case 3");
	add(w, "alice", "reveal", "case 4");
	add(w, "alice", "reveal", "case 5");
	bk_fault_set_write_budget(0);
	assert_int_equal(bk_audit_commit(w, ALICE->sk, &h), BK_ERR_IO);
	bk_fault_set_write_budget(-1);
	assert_memory_equal(&h, &before, sizeof(h));
	bk_audit_writer_head(w, &after);
	assert_memory_equal(&after, &before, sizeof(h));
	bk_test_read(f->path, &d1, &l1);
	assert_int_equal(l0, l1);
	assert_memory_equal(d0, d1, l0);
	free(d1);

	/* the queue is gone: committing again writes nothing */
	assert_int_equal(bk_audit_commit(w, ALICE->sk, &h), BK_OK);
	assert_int_equal(h.seq, 2);
	bk_test_read(f->path, &d1, &l1);
	assert_int_equal(l0, l1);
	free(d1);

	/* and the writer carries on from the old head */
	add(w, "alice", "reveal", "case 3 again");
	assert_int_equal(bk_audit_commit(w, ALICE->sk, &h), BK_OK);
	assert_int_equal(h.seq, 3);
	bk_audit_writer_free(w);
	o.pinned = &h;
	assert_int_equal(bk_audit_verify(f->path, &o, &r), BK_OK);
	assert_int_equal(r.entries, 3);
	free(d0);
}

static void test_entry_rules(void **state)
{
	struct fx *f = *state;
	struct bk_audit_writer *w = NULL;
	struct bk_audit_entry e;
	struct bk_audit_head h;
	struct bk_audit_report r;
	char *huge;

	assert_int_equal(bk_audit_writer_open(f->path, VID, 1, &w), BK_OK);
	add(w, "alice", "read", "fits");
	bk_audit_entry_init(&e);
	e.actor = "alice";
	e.role = "admin";
	e.command = "query";
	e.action = "read";
	assert_int_equal(bk_audit_add(w, &e), BK_ERR_USAGE); /* no outcome */
	e.outcome = "ok";
	e.actor = NULL;
	assert_int_equal(bk_audit_add(w, &e), BK_ERR_USAGE);
	e.actor = "alice";
	e.action = NULL;
	assert_int_equal(bk_audit_add(w, &e), BK_ERR_USAGE);
	e.action = "read";
	e.outcome = "maybe";
	assert_int_equal(bk_audit_add(w, &e), BK_ERR_USAGE);
	e.outcome = "denied";
	huge = malloc(BK_AUDIT_MAX_LINE);
	assert_non_null(huge);
	memset(huge, 'q', BK_AUDIT_MAX_LINE - 1);
	huge[BK_AUDIT_MAX_LINE - 1] = '\0';
	e.sql = huge;
	assert_int_equal(bk_audit_add(w, &e), BK_ERR_USAGE);
	/* just under the limit, with room for the signature */
	huge[BK_AUDIT_MAX_LINE - 1 - 400] = '\0';
	assert_int_equal(bk_audit_add(w, &e), BK_OK);
	free(huge);
	assert_int_equal(bk_audit_commit(w, ALICE->sk, &h), BK_OK);
	assert_int_equal(h.seq, 2);
	bk_audit_writer_free(w);
	assert_int_equal(bk_audit_verify(f->path, NULL, &r), BK_OK);
	assert_int_equal(r.entries, 2);
}

static void test_lock_held(void **state)
{
	struct fx *f = *state;
	struct bk_audit_writer *w = NULL;
	char link[160];
	int fd;

	assert_int_equal(bk_audit_writer_open(f->path, VID, 1, &w), BK_OK);
	fd = open(f->path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), -1);
	assert_int_equal(errno, EWOULDBLOCK);
	bk_audit_writer_free(w);
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), 0);
	close(fd);

	/* a symlink is never followed */
	snprintf(link, sizeof(link), "%s/link", f->dir);
	assert_int_equal(symlink(f->path, link), 0);
	w = NULL;
	assert_int_not_equal(bk_audit_writer_open(link, VID, 1, &w), BK_OK);
	assert_null(w);
	{
		struct bk_audit_report r;

		assert_int_not_equal(bk_audit_verify(link, NULL, &r), BK_OK);
	}
}

static int run_jq(const char *path)
{
	posix_spawn_file_actions_t fa;
	char *argv[] = {"jq", "-c", ".", (char *)path, NULL};
	pid_t pid;
	int rc, st;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	rc = posix_spawnp(&pid, "jq", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc == ENOENT)
		return -2;
	assert_int_equal(rc, 0);
	while (waitpid(pid, &st, 0) < 0)
		assert_int_equal(errno, EINTR);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static const char NASTY_PURPOSE[] = "x,\"hash\":\"00\"} \"q\" \\b\\ \n\r\t\b\f\x01\x1f\x7f"
				    " bad\xff over\xc0\xaf sur\xed\xa0\x80 cut\xe2\x82 \xc3\xa9\xe2\x82\xac\xf0\x9f\x94\x92";
static const char NASTY_DECODED[] = "x,\"hash\":\"00\"} \"q\" \\b\\ \n\r\t\b\f\x01\x1f\x7f"
				    " bad\xef\xbf\xbd over\xef\xbf\xbd\xef\xbf\xbd"
				    " sur\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd cut\xef\xbf\xbd\xef\xbf\xbd"
				    " \xc3\xa9\xe2\x82\xac\xf0\x9f\x94\x92";

static void test_escaping_and_json(void **state)
{
	struct fx *f = *state;
	struct bk_audit_verify_opts o = full_opts();
	struct bk_audit_writer *w = NULL;
	struct bk_audit_entry e;
	struct bk_audit_head h;
	struct bk_audit_report r;
	struct lines ls;
	size_t i;

	assert_int_equal(bk_audit_writer_open(f->path, VID, 1, &w), BK_OK);
	bk_audit_entry_init(&e);
	e.actor = ODD->name;
	e.role = "r\"o\\le";
	e.command = "query";
	e.action = "reveal";
	e.dataset = "bansos";
	e.purpose = NASTY_PURPOSE;
	e.sql = "SELECT nik FROM penerima WHERE id = ?";
	e.sql_mac = "00ff";
	e.subject = "abcdef";
	e.target = "dave";
	e.detail = "line1\nline2";
	e.rows = 0;
	e.revealed = 12;
	e.outcome = "ok";
	assert_int_equal(bk_audit_add(w, &e), BK_OK);
	assert_int_equal(bk_audit_commit(w, ODD->sk, &h), BK_OK);
	add(w, "alice", "read", ",\"hash\":\"");
	assert_int_equal(bk_audit_commit(w, ALICE->sk, &h), BK_OK);
	add(w, ODD->name, "read", NULL);
	assert_int_equal(bk_audit_commit(w, ODD->sk, &h), BK_OK);
	bk_audit_writer_free(w);

	/* no newline inside a line; the odd actor's signature checks out */
	assert_int_equal(count_byte(f->path, '\n'), 3);
	assert_int_equal(bk_audit_verify(f->path, &o, &r), BK_OK);
	assert_int_equal(r.signatures, 3);
	assert_int_equal(bk_audit_check_tail(f->path, &h), BK_OK);

	split(f->path, &ls);
	assert_non_null(strstr(ls.l[0], "\\u0001\\u001f\\u007f"));
	assert_non_null(strstr(ls.l[0], ",\"rows\":0,\"revealed\":12,"));
	for (i = 0; i < ls.n; i++) {
		json_error_t err;
		json_t *j = json_loads(ls.l[i], JSON_REJECT_DUPLICATES, &err);

		if (!j)
			fail_msg("line %zu is not JSON: %s", i + 1, err.text);
		assert_true(json_is_object(j));
		assert_int_equal(json_integer_value(json_object_get(j, "seq")), (json_int_t)(i + 1));
		assert_true(json_is_string(json_object_get(j, "hash")));
		assert_true(json_is_string(json_object_get(j, "sig")));
		if (i == 0) {
			json_t *p = json_object_get(j, "purpose");

			assert_string_equal(json_string_value(json_object_get(j, "actor")), ODD->name);
			assert_string_equal(json_string_value(json_object_get(j, "role")), "r\"o\\le");
			assert_string_equal(json_string_value(json_object_get(j, "detail")), "line1\nline2");
			assert_int_equal(json_string_length(p), strlen(NASTY_DECODED));
			assert_memory_equal(json_string_value(p), NASTY_DECODED, strlen(NASTY_DECODED));
			assert_int_equal(json_integer_value(json_object_get(j, "rows")), 0);
			assert_int_equal(json_object_size(j), 19);
		}
		if (i == 1) {
			assert_string_equal(json_string_value(json_object_get(j, "purpose")), ",\"hash\":\"");
			assert_null(json_object_get(j, "sql"));
		}
		json_decref(j);
	}
	lines_free(&ls);

	switch (run_jq(f->path)) {
	case -2:
		print_message("skipped: no jq\n");
		skip();
		break;
	case 0:
		break;
	default:
		fail_msg("jq rejects audit.log");
	}
	/* jq does check: a broken line fails */
	bk_test_write(f->other, "{\"seq\":1,\n", 10);
	assert_int_not_equal(run_jq(f->other), 0);
}

/* ---- checkpoints ------------------------------------------------------ */

static bk_status parse_cp(const char *text, struct bk_audit_head *h)
{
	return bk_audit_checkpoint_parse(text, strlen(text), VID, h);
}

/* fill copies tmpl to out with its first '@' replaced by a, the second by b. */
static void fill(char *out, size_t cap, const char *tmpl, const char *a, const char *b)
{
	size_t o = 0;
	int k = 0;

	for (; *tmpl; tmpl++) {
		const char *ins = *tmpl == '@' ? (k++ == 0 ? a : b) : NULL;
		size_t n = ins ? strlen(ins) : 1;

		assert_true(o + n < cap);
		memcpy(out + o, ins ? ins : tmpl, n);
		o += n;
	}
	out[o] = '\0';
}

static void test_checkpoint(void **state)
{
	struct bk_audit_head h, got, zero = {0};
	char *text = NULL, *t2 = NULL;
	size_t i;
	static const char V[] = "101112131415161718191a1b1c1d1e1f";
	static const char H[] = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
	char good[512];
	static const char *const bad[] = {
		"",
		"[]",
		"{}",
		"not json",
		/* missing and extra keys */
		"{\"format\":\"brankas-audit-checkpoint\",\"version\":1,\"vault\":\"@\",\"seq\":7,\"hash\":\"@\"}",
		"{\"format\":\"brankas-audit-checkpoint\",\"version\":1,\"vault\":\"@\",\"seq\":7,\"hash\":\"@\","
		"\"time\":\"2026-11-27T20:46:19Z\",\"x\":1}",
		/* wrong format and version */
		"{\"format\":\"brankas-audit-checkpoinT\",\"version\":1,\"vault\":\"@\",\"seq\":7,\"hash\":\"@\","
		"\"time\":\"2026-11-27T20:46:19Z\"}",
		"{\"format\":\"brankas-audit-checkpoint\",\"version\":2,\"vault\":\"@\",\"seq\":7,\"hash\":\"@\","
		"\"time\":\"2026-11-27T20:46:19Z\"}",
		"{\"format\":\"brankas-audit-checkpoint\",\"version\":\"1\",\"vault\":\"@\",\"seq\":7,\"hash\":\"@\","
		"\"time\":\"2026-11-27T20:46:19Z\"}",
		"{\"format\":\"brankas-audit-checkpoint\",\"version\":1.0,\"vault\":\"@\",\"seq\":7,\"hash\":\"@\","
		"\"time\":\"2026-11-27T20:46:19Z\"}",
		/* bad seq */
		"{\"format\":\"brankas-audit-checkpoint\",\"version\":1,\"vault\":\"@\",\"seq\":-1,\"hash\":\"@\","
		"\"time\":\"2026-11-27T20:46:19Z\"}",
		"{\"format\":\"brankas-audit-checkpoint\",\"version\":1,\"vault\":\"@\",\"seq\":\"7\",\"hash\":\"@\","
		"\"time\":\"2026-11-27T20:46:19Z\"}",
		"{\"format\":\"brankas-audit-checkpoint\",\"version\":1,\"vault\":\"@\",\"seq\":0,\"hash\":\"@\","
		"\"time\":\"2026-11-27T20:46:19Z\"}",
		/* a duplicate key, trailing bytes, a bad time */
		"{\"format\":\"brankas-audit-checkpoint\",\"version\":1,\"vault\":\"@\",\"seq\":7,\"seq\":7,"
		"\"hash\":\"@\",\"time\":\"2026-11-27T20:46:19Z\"}",
		"{\"format\":\"brankas-audit-checkpoint\",\"version\":1,\"vault\":\"@\",\"seq\":7,\"hash\":\"@\","
		"\"time\":\"2026-11-27T20:46:19Z\"} {}",
		"{\"format\":\"brankas-audit-checkpoint\",\"version\":1,\"vault\":\"@\",\"seq\":7,\"hash\":\"@\","
		"\"time\":\"2026-11-27 20:46:19Z\"}",
	};

	(void)state;
	h.seq = 1234;
	memset(h.hash, 0x5a, sizeof(h.hash));
	assert_int_equal(bk_audit_checkpoint_format(&text, VID, &h), BK_OK);
	assert_non_null(text);
	assert_int_equal(text[strlen(text) - 1], '\n');
	assert_int_equal(parse_cp(text, &got), BK_OK);
	assert_memory_equal(&got, &h, sizeof(h));
	bk_error_clear();
	assert_int_equal(bk_audit_checkpoint_parse(text, strlen(text), OTHER_VID, &got), BK_ERR_CORRUPT);
	expect_detail("checkpoint belongs to another vault");
	free(text);

	/* the empty log */
	assert_int_equal(bk_audit_checkpoint_format(&text, VID, &zero), BK_OK);
	assert_int_equal(parse_cp(text, &got), BK_OK);
	assert_int_equal(got.seq, 0);
	free(text);

	/* hand-written, without the final newline, keys in another order */
	snprintf(good, sizeof(good),
		 "{\"seq\":7,\"format\":\"brankas-audit-checkpoint\",\"version\":1,\"vault\":\"%s\",\"hash\":\"%s\","
		 "\"time\":\"2026-11-27T20:46:19Z\"}",
		 V, H);
	assert_int_equal(parse_cp(good, &got), BK_OK);
	assert_int_equal(got.seq, 7);
	assert_int_equal(got.hash[1], 0x11);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char t[512];

		fill(t, sizeof(t), bad[i], V, H);
		if (parse_cp(t, &got) != BK_ERR_FORMAT)
			fail_msg("bad checkpoint %zu accepted: %s", i, t);
		assert_int_equal(got.seq, 0);
	}
	/* wrong lengths and case of the hex fields */
	{
		static const char *const vaults[] = {"101112131415161718191a1b1c1d1e1", "101112131415161718191A1B1C1D1E1F",
						     "101112131415161718191a1b1c1d1e1f00"};
		static const char *const hashes[] = {
			"00112233445566778899aabbccddeeff00112233445566778899aabbccddeef",
			"00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF",
			"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeffgg"};

		for (i = 0; i < 3; i++) {
			snprintf(good, sizeof(good),
				 "{\"format\":\"brankas-audit-checkpoint\",\"version\":1,\"vault\":\"%s\",\"seq\":7,"
				 "\"hash\":\"%s\",\"time\":\"2026-11-27T20:46:19Z\"}",
				 vaults[i], H);
			assert_int_equal(parse_cp(good, &got), BK_ERR_FORMAT);
			snprintf(good, sizeof(good),
				 "{\"format\":\"brankas-audit-checkpoint\",\"version\":1,\"vault\":\"%s\",\"seq\":7,"
				 "\"hash\":\"%s\",\"time\":\"2026-11-27T20:46:19Z\"}",
				 V, hashes[i]);
			assert_int_equal(parse_cp(good, &got), BK_ERR_FORMAT);
		}
	}
	/* an embedded NUL ends nothing: the whole length is parsed */
	assert_int_equal(bk_audit_checkpoint_format(&t2, VID, &h), BK_OK);
	{
		size_t n = strlen(t2);

		t2[n - 1] = '\0';
		assert_int_equal(bk_audit_checkpoint_parse(t2, n, VID, &got), BK_ERR_FORMAT);
	}
	free(t2);
}

/* ---- audit show ------------------------------------------------------- */

struct shown {
	int n;
	char seqs[16];
	int stop_after;
};

static bk_status collect(void *ctx, const char *line, size_t len)
{
	struct shown *s = ctx;
	json_error_t err;
	json_t *j = json_loadb(line, len, 0, &err);

	assert_non_null(j);
	assert_int_equal(line[len - 1], '}');
	s->seqs[s->n++] = (char)('0' + json_integer_value(json_object_get(j, "seq")));
	s->seqs[s->n] = '\0';
	json_decref(j);
	if (s->stop_after && s->n >= s->stop_after)
		return BK_ERR_IO;
	return BK_OK;
}

static const char *show(const char *path, const char *actor, const char *action, const char *since)
{
	static struct shown s;
	struct bk_audit_filter flt = {actor, action, since};

	memset(&s, 0, sizeof(s));
	assert_int_equal(bk_audit_show(path, &flt, collect, &s), BK_OK);
	return s.seqs;
}

static void test_show(void **state)
{
	struct fx *f = *state;
	struct bk_audit_filter flt = {0};
	struct shown s = {0};
	static const char LOG[] =
		"{\"seq\":1,\"time\":\"2026-10-31T23:59:59Z\",\"actor\":\"alice\",\"action\":\"read\"}\n"
		"{\"seq\":2,\"time\":\"2026-11-01T00:00:00Z\",\"actor\":\"bob\",\"action\":\"reveal\"}\n"
		"{\"seq\":3,\"time\":\"2026-11-27T10:00:00Z\",\"actor\":\"alice\",\"action\":\"reveal\"}\n"
		"{\"seq\":4,\"time\":\"2026-11-27T09:59:59Z\",\"actor\":\"al\\u0069ce\",\"action\":\"read\"}\n";

	bk_test_write(f->path, LOG, strlen(LOG));
	assert_string_equal(show(f->path, NULL, NULL, NULL), "1234");
	assert_string_equal(show(f->path, "alice", NULL, NULL), "134");
	assert_string_equal(show(f->path, NULL, "reveal", NULL), "23");
	assert_string_equal(show(f->path, NULL, NULL, "2026-11"), "234");
	assert_string_equal(show(f->path, NULL, NULL, "2026-11-27T10"), "3");
	assert_string_equal(show(f->path, "alice", NULL, "2026-11"), "34");
	assert_string_equal(show(f->path, "alice", "read", "2026"), "14");
	assert_string_equal(show(f->path, "carol", NULL, NULL), "");
	assert_string_equal(show(f->path, NULL, NULL, ""), "1234");
	assert_int_equal(bk_audit_show(f->path, NULL, collect, &s), BK_OK);
	assert_int_equal(s.n, 4);

	/* emit stops the walk */
	memset(&s, 0, sizeof(s));
	s.stop_after = 2;
	assert_int_equal(bk_audit_show(f->path, &flt, collect, &s), BK_ERR_IO);
	assert_int_equal(s.n, 2);

	/* not a time prefix */
	flt.since = "2026/11";
	assert_int_equal(bk_audit_show(f->path, &flt, collect, &s), BK_ERR_USAGE);
	flt.since = "2026-11-27T10:00:00Z0";
	assert_int_equal(bk_audit_show(f->path, &flt, collect, &s), BK_ERR_USAGE);
	flt.since = NULL;

	/* a malformed line, a missing field, a missing newline */
	{
		static const char *const tails[] = {
			"{\"seq\":5,\"time\":\"2026-11-27T10:00:00Z\",\"actor\":\"alice\",\"action\":}\n",
			"{\"seq\":5,\"time\":\"2026-11-27T10:00:00Z\",\"actor\":\"alice\"}\n",
			"[1]\n",
			"\n",
			"{\"seq\":5,\"time\":\"2026-11-27T10:00:00Z\",\"actor\":\"alice\",\"action\":\"read\"}",
			"{\"seq\":5,\"time\":\"2026-11-27T10:00:00Z\",\"actor\":\"al\xffi\",\"action\":\"read\"}\n",
		};
		size_t i;

		for (i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
			char buf[1024];

			snprintf(buf, sizeof(buf), "%s%s", LOG, tails[i]);
			bk_test_write(f->path, buf, strlen(buf));
			memset(&s, 0, sizeof(s));
			if (bk_audit_show(f->path, &flt, collect, &s) != BK_ERR_CORRUPT)
				fail_msg("tail %zu accepted", i);
			assert_int_equal(s.n, 4);
		}
	}

	/* a real log */
	unlink(f->path);
	make_log(f->path, 5, NULL);
	assert_string_equal(show(f->path, "bob", "read", NULL), "24");
}

/* C1 controls (U+009B is CSI: "\xc2\x9b" "31m" turns a terminal red) and the
 * line separators; U+00A0 and U+2027 next to them stay as they are. */
static const char C1_PURPOSE[] = "a\xc2\x80 b\xc2\x9b\x33\x31m c\xc2\x9f d\xc2\xa0"
				  " e\xe2\x80\xa8 f\xe2\x80\xa9 g\xe2\x80\xa7";
static const char C1_ESCAPED[] = "\"a\\u0080 b\\u009b31m c\\u009f d\xc2\xa0 e\\u2028 f\\u2029 g\xe2\x80\xa7\"";

static void test_escaping_c1(void **state)
{
	struct fx *f = *state;
	struct bk_audit_verify_opts o = full_opts();
	struct bk_audit_writer *w = NULL;
	struct bk_audit_head h;
	struct bk_audit_report r;
	struct lines ls;
	json_error_t err;
	json_t *j;
	uint8_t *d;
	size_t len, i;
	int n = 0;

	assert_int_equal(bk_audit_writer_open(f->path, VID, 1, &w), BK_OK);
	add(w, "alice", "read", C1_PURPOSE);
	assert_int_equal(bk_audit_commit(w, ALICE->sk, &h), BK_OK);
	bk_audit_writer_free(w);
	o.pinned = &h;
	assert_int_equal(bk_audit_verify(f->path, &o, &r), BK_OK);

	split(f->path, &ls);
	if (!strstr(ls.l[0], C1_ESCAPED))
		fail_msg("line '%s' lacks %s", ls.l[0], C1_ESCAPED);
	j = json_loads(ls.l[0], JSON_REJECT_DUPLICATES, &err);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "purpose")), C1_PURPOSE);
	json_decref(j);
	lines_free(&ls);
	/* nowhere in the file a raw C1 or separator */
	bk_test_read(f->path, &d, &len);
	for (i = 0; i + 1 < len; i++) {
		assert_false(d[i] == 0xc2 && d[i + 1] >= 0x80 && d[i + 1] <= 0x9f);
		assert_false(i + 2 < len && d[i] == 0xe2 && d[i + 1] == 0x80 && (d[i + 2] & 0xfe) == 0xa8);
	}
	free(d);
	assert_int_equal(bk_audit_show(f->path, NULL, count_lines, &n), BK_OK);
	assert_int_equal(n, 1);
}

static void test_show_rejects_raw_controls(void **state)
{
	struct fx *f = *state;
	static const char OK_LINE[] =
		"{\"seq\":1,\"time\":\"2026-11-27T10:00:00Z\",\"actor\":\"alice\",\"action\":\"read\"}\n";
	/* valid JSON, each with a byte the writer never leaves raw */
	static const char *const raw[] = {
		"{\"seq\":2,\"time\":\"2026-11-27T10:00:00Z\",\"actor\":\"al\xc2\x9b\x32Jice\",\"action\":\"read\"}\n",
		"{\"seq\":2,\"time\":\"2026-11-27T10:00:00Z\",\"actor\":\"alice\",\"action\":\"read\xc2\x85\"}\n",
		"{\"seq\":2,\"time\":\"2026-11-27T10:00:00Z\",\"actor\":\"alice\",\"action\":\"read\x7f\"}\n",
		"{\"seq\":2,\"time\":\"2026-11-27T10:00:00Z\",\"actor\":\"alice\",\"action\":\"read\xe2\x80\xa8\"}\n",
		"{\"seq\":2,\"time\":\"2026-11-27T10:00:00Z\",\"actor\":\"alice\",\"action\":\"read\"\r,\"x\":1}\n",
		"{\"seq\":2,\"time\":\"2026-11-27T10:00:00Z\",\"actor\":\"alice\",\t\"action\":\"read\"}\n",
	};
	char buf[512];
	size_t i;

	for (i = 0; i < sizeof(raw) / sizeof(raw[0]); i++) {
		json_error_t err;
		json_t *j = json_loads(raw[i], 0, &err);
		int n = 0;

		/* what a parser alone would let through to the terminal */
		assert_non_null(j);
		json_decref(j);
		snprintf(buf, sizeof(buf), "%s%s", OK_LINE, raw[i]);
		bk_test_write(f->path, buf, strlen(buf));
		bk_error_clear();
		if (bk_audit_show(f->path, NULL, count_lines, &n) != BK_ERR_CORRUPT)
			fail_msg("line %zu shown", i);
		expect_detail("audit.log: line 2 holds an unescaped control character");
		assert_int_equal(n, 1);
	}
	/* escaped, they are shown */
	snprintf(buf, sizeof(buf), "%s%s", OK_LINE,
		 "{\"seq\":2,\"time\":\"2026-11-27T10:00:00Z\",\"actor\":\"al\\u009bice\",\"action\":\"read\\u2028\"}\n");
	bk_test_write(f->path, buf, strlen(buf));
	assert_string_equal(show(f->path, NULL, NULL, NULL), "12");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_empty_log, setup, teardown),
		cmocka_unit_test_setup_teardown(test_roundtrip, setup, teardown),
		cmocka_unit_test(test_sign_message),
		cmocka_unit_test_setup_teardown(test_tamper_flip_byte, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tamper_delete_last, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tamper_delete_middle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tamper_swap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tamper_rechained, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rollback_old_copy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checkpoint_not_extended, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_past_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_actor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_newline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unsigned_forged_then_signed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unsigned_at_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unsigned_other_signer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unsigned_allowed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unsigned_not_as_written, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rollback_db, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readers_wait_for_commit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readers_under_own_writer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fault_injection, setup, teardown),
		cmocka_unit_test_setup_teardown(test_entry_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock_held, setup, teardown),
		cmocka_unit_test_setup_teardown(test_escaping_and_json, setup, teardown),
		cmocka_unit_test(test_checkpoint),
		cmocka_unit_test_setup_teardown(test_show, setup, teardown),
		cmocka_unit_test_setup_teardown(test_escaping_c1, setup, teardown),
		cmocka_unit_test_setup_teardown(test_show_rejects_raw_controls, setup, teardown),
	};

	return bk_test_run_group("audit", tests, group_setup, NULL);
}
