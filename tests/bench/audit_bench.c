/* audit_bench.c - how fast audit.log verifies: writes a log of ENTRIES entries
 * through the public API (commands of ENTRIES_PER_COMMIT entries, each signed
 * by one of a few actors), then times bk_audit_verify twice: the chain alone
 * with every signature already checked (sigs_checked_through = last seq), and
 * the chain with every signature verified.
 *
 *   audit_bench [-n ENTRIES] [-c ENTRIES_PER_COMMIT] [-d DIR] [-k]   (-k keeps the log)
 *
 * Every commit fsyncs, as in production. The log goes to DIR, by default
 * /dev/shm where fsync costs nothing, so a million entries are written in
 * seconds; on a disk the generation is bound by the fsyncs (a few hundred
 * microseconds each), not by brankas. A benchmark is not a test: nothing here
 * fails on a slow figure. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/error.h"
#include "crypto/secmem.h"
#include "crypto/sign.h"
#include "vault/core/audit.h"

#define NACTORS 4

static const char *const names[NACTORS] = {"alice", "bob", "citra", "dewi"};
static uint8_t pks[NACTORS][BK_SIGN_PUBLICKEYBYTES];
static uint8_t *sks; /* NACTORS secret keys, guarded memory */

static const uint8_t vault_id[BK_AUDIT_VAULTIDBYTES] = {0xb7, 0x4a, 0x11, 0x52, 0x09, 0xe3, 0x6c, 0xd0,
							0x2f, 0x81, 0x44, 0x9a, 0x3b, 0x70, 0xc5, 0x1e};

static int lookup(void *ctx, const char *actor, size_t len, unsigned which, uint8_t pk[32], uint64_t *until)
{
	int i;

	(void)ctx;
	if (which > 0)
		return -1; /* no actor was reset */
	*until = UINT64_MAX;
	for (i = 0; i < NACTORS; i++) {
		if (strlen(names[i]) == len && memcmp(names[i], actor, len) == 0) {
			memcpy(pk, pks[i], 32);
			return 0;
		}
	}
	return -1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int fail(const char *what, bk_status rc)
{
	fprintf(stderr, "audit_bench: %s: %s: %s\n", what, bk_strerror(rc), bk_error_detail());
	return 1;
}

static int parse_count(const char *s, unsigned long long *v_p)
{
	char *end;

	errno = 0;
	*v_p = strtoull(s, &end, 10);
	return errno == 0 && end != s && *end == '\0' && *v_p > 0 && s[0] != '-' ? 0 : -1;
}

static bk_status generate(const char *path, unsigned long long n, unsigned long long per_commit,
			  struct bk_audit_head *head_p)
{
	bk_status rc;
	struct bk_audit_writer *w = NULL;
	struct bk_audit_entry e;
	unsigned long long i, cmd = 0;

	rc = bk_audit_writer_open(path, vault_id, 1, &w);
	if (rc != BK_OK)
		goto out;
	bk_audit_entry_init(&e);
	e.role = "analyst";
	e.command = "query";
	e.action = "read";
	e.dataset = "bansos-2026";
	e.purpose = "evaluasi penyaluran bantuan sosial triwulan IV";
	e.sql = "SELECT kecamatan, count(*) FROM penerima WHERE umur > ? AND status = ? GROUP BY kecamatan";
	e.sql_mac = "3f9a0c5e7b21d4e8a6c0f3b95d17e2a48c6b0d3f9e15a7c2b8d4f06e1a3c5b79";
	e.outcome = "ok";
	for (i = 0; i < n; i++) {
		e.actor = names[cmd % NACTORS];
		e.rows = (long long)(i % 977);
		if ((rc = bk_audit_add(w, &e)) != BK_OK)
			goto out;
		if ((i + 1) % per_commit == 0 || i + 1 == n) {
			if ((rc = bk_audit_commit(w, sks + (cmd % NACTORS) * BK_SIGN_SECRETKEYBYTES, head_p)) != BK_OK)
				goto out;
			cmd++;
		}
	}
out:
	bk_audit_writer_free(w);
	return rc;
}

int main(int argc, char **argv)
{
	unsigned long long n = 1000000, per_commit = 4;
	const char *dir = NULL;
	char tmpl[4096], path[4200];
	struct bk_audit_head head;
	struct bk_audit_verify_opts o = {0};
	struct bk_audit_report r;
	struct stat st;
	double t0, t_gen, t_chain, t_tail, t_full;
	bk_status rc;
	int opt, i, ret = 1, keep = 0;

	umask(077);
	while ((opt = getopt(argc, argv, "n:c:d:kh")) != -1) {
		switch (opt) {
		case 'n':
			if (parse_count(optarg, &n) != 0)
				goto usage;
			break;
		case 'c':
			if (parse_count(optarg, &per_commit) != 0)
				goto usage;
			break;
		case 'k':
			keep = 1;
			break;
		case 'd':
			dir = optarg;
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc)
		goto usage;
	if (!dir)
		dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	if (bk_crypto_init() != BK_OK || !(sks = bk_secmem_alloc(NACTORS * BK_SIGN_SECRETKEYBYTES))) {
		fprintf(stderr, "audit_bench: cannot initialise libsodium\n");
		return 1;
	}
	for (i = 0; i < NACTORS; i++) {
		if ((rc = bk_sign_keypair(pks[i], sks + i * BK_SIGN_SECRETKEYBYTES)) != BK_OK)
			return fail("key pair", rc);
	}
	snprintf(tmpl, sizeof(tmpl), "%s/bk-audit-bench-XXXXXX", dir);
	if (!mkdtemp(tmpl)) {
		fprintf(stderr, "audit_bench: cannot make a directory in '%s': %s\n", dir, strerror(errno));
		return 1;
	}
	snprintf(path, sizeof(path), "%s/audit.log", tmpl);

	t0 = now();
	if ((rc = generate(path, n, per_commit, &head)) != BK_OK) {
		fail("writing the log", rc);
		goto out;
	}
	t_gen = now() - t0;
	if (stat(path, &st) != 0) {
		perror("audit_bench: stat");
		goto out;
	}
	printf("audit write %llu entries in %llu commits of %llu (fsync each, %s): %.2f s, %.0f MB\n", n,
	       (n + per_commit - 1) / per_commit, per_commit, dir, t_gen, (double)st.st_size / 1e6);

	o.vault_id = vault_id;
	o.lookup = lookup;
	o.pinned = &head;
	o.sigs_checked_through = head.seq;
	t0 = now();
	rc = bk_audit_verify(path, &o, &r);
	t_chain = now() - t0;
	if (rc != BK_OK || r.entries != n) {
		fail("verify (chain)", rc);
		goto out;
	}
	printf("audit verify %llu entries (chain, signatures cached): %.2f s\n", n, t_chain);

	t0 = now();
	rc = bk_audit_check_tail(path, &head);
	t_tail = now() - t0;
	if (rc != BK_OK) {
		fail("check tail", rc);
		goto out;
	}
	printf("audit check tail (pinned head): %.1f us\n", t_tail * 1e6);

	o.sigs_checked_through = 0;
	t0 = now();
	rc = bk_audit_verify(path, &o, &r);
	t_full = now() - t0;
	if (rc != BK_OK) {
		fail("verify (signatures)", rc);
		goto out;
	}
	printf("audit verify %llu entries (all %llu signatures): %.2f s (%.1f us per signature)\n", n,
	       (unsigned long long)r.signatures, t_full,
	       r.signatures ? (t_full - t_chain) * 1e6 / (double)r.signatures : 0.0);
	ret = 0;
out:
	if (keep) {
		printf("log kept: %s\n", path);
	} else {
		unlink(path);
		rmdir(tmpl);
	}
	bk_secmem_free(sks);
	return ret;
usage:
	fprintf(stderr, "usage: audit_bench [-n ENTRIES] [-c ENTRIES_PER_COMMIT] [-d DIR] [-k]\n");
	return 2;
}
