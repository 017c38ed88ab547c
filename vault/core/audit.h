/* audit.h - the tamper-evident audit log (audit.log): hash-chained JSON Lines.
 *
 * One entry per line, readable with jq. The writer emits fields in a fixed
 * order so that verification needs no JSON parser on the hot path:
 *
 *   {"seq":N,"time":"2026-11-27T20:46:19Z","actor":"…",["role":"…",]["command":"…",]
 *    "action":"…",[optional fields…],"outcome":"ok|denied|failed","prev":"<64 hex>"
 *    ,"hash":"<64 hex>"[,"sig":"<base64 Ed25519>"]}
 *
 * role and command are left out when NULL (a failed unlock by an unknown
 * user has no role). The optional fields, each present only when set, come
 * in this order: "dataset", "rows", "revealed", "purpose", "sql", "sql_mac",
 * "subject", "target", "detail". seq is decimal without leading zeros, time
 * is UTC, hashes are lowercase hex, sig is 88 characters of padded standard
 * base64. A line, including its newline, is at most BK_AUDIT_MAX_LINE bytes.
 *
 * body  = the bytes from '{' up to and including the closing quote of "prev"
 * hash  = BLAKE2b-256(body); prev = the previous entry's hash (32 zero bytes
 *         for seq 1); seq starts at 1 and rises by one.
 * sig   = the actor's Ed25519 signature over the head after the command's last
 *         entry: "brankas-audit-head-v1" || vault_id[16] || seq (8 bytes BE) ||
 *         hash[32]. One signature per command, on its last entry; entries of
 *         failed unlocks carry none (the claimed user holds no unlocked key).
 *
 * So an unsigned entry is valid only if
 *   (a) its action is "unlock" and its outcome "failed" or "denied", or
 *   (b) the next signed entry has the same actor and the same command (both
 *       without one counts as the same), and every unsigned entry in between
 *       is (a) or has that actor and command too.
 * Anything else - a forged entry that a later command's signature would
 * otherwise cover, or a command that ends unsigned - is BK_ERR_CORRUPT
 * "audit.log: entry N: unsigned entry not covered by its actor's signature".
 * For this the fields of unsigned entries are read the way a JSON parser
 * reads them, and an unsigned entry that is not laid out as the writer lays
 * entries out (unknown, repeated or reordered keys, white space) is
 * BK_ERR_CORRUPT too.
 * WARNING: the writer signs over whatever the log holds. An entry planted in
 * the name of the next command's actor and command, after the vault checked
 * the tail on open and before that command's commit, is covered by (b).
 *
 * A command's entries are collected with bk_audit_add and written by
 * bk_audit_commit in one write + fsync under an exclusive flock: if that
 * fails, the command must fail and reveal nothing (fail closed). The vault
 * layer pins the returned head inside vault.db in the same transaction as the
 * command's change, so truncation and rollback of the log are caught.
 *
 * Rollback of vault.db alone: the log is fsynced before the database
 * commits, so a crash in between leaves at most one signed command in the
 * log after the pinned head. After the pinned head bk_audit_check_tail and
 * bk_audit_verify (opts->pinned) accept only failed or denied unlocks and at
 * most one signed command (its last entry signed, its other entries covered
 * as above); more is BK_ERR_CORRUPT "audit.log has N signed commands after
 * the head pinned in vault.db (entry S): vault.db was rolled back".
 * The vault (vault.c, reconcile) therefore marks such a command at the next
 * unlock with a signed "reconcile" entry (outcome failed) and pins the head
 * past it, under the database write lock: failures never add up to two.
 *
 * Readers (bk_audit_verify, bk_audit_check_tail, bk_audit_show) take a shared
 * flock on the log while they read, waiting (bk_db_wait_ms) for a commit in
 * another process (then BK_ERR_STATE), and release it before they return.
 * When this process itself holds a writer on the log they take no lock (it
 * would wait for their own writer's): its exclusive lock already keeps other
 * writers out. */
#ifndef BK_AUDIT_H
#define BK_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

#define BK_AUDIT_HASHBYTES 32
#define BK_AUDIT_VAULTIDBYTES 16
#define BK_AUDIT_MAX_LINE (64 * 1024)

struct bk_audit_head {
	uint64_t seq; /* 0: empty log */
	uint8_t hash[BK_AUDIT_HASHBYTES];
};

/* One entry. actor, action and outcome are required; the other strings are
 * left out of the line when NULL, the counts when negative. Strings must hold no
 * personal value: callers put keyed hashes (audit key) in `subject` instead.
 * All strings are JSON-escaped by the writer: quotes, backslashes, control
 * characters (C0, DEL and C1 U+0080-U+009F) and U+2028/U+2029 become escapes
 * (so no line ever holds a raw newline or terminal control), and bytes that
 * are not valid UTF-8 become U+FFFD. */
struct bk_audit_entry {
	const char *actor;
	const char *role;
	const char *command;
	const char *action;
	const char *dataset;
	const char *purpose;
	const char *sql;     /* literals already replaced by '?' */
	const char *sql_mac; /* keyed hash of the full SQL text, hex */
	const char *subject; /* keyed hash of a subject's identifier, hex */
	const char *target;  /* e.g. the user a `user add` acted on */
	const char *detail;  /* short reason for a denial or failure */
	const char *outcome; /* "ok", "denied", "failed" */
	long long rows;      /* < 0: omitted */
	long long revealed;  /* < 0: omitted */
};

/* bk_audit_entry_init sets every field to "omitted". */
void bk_audit_entry_init(struct bk_audit_entry *e);

struct bk_audit_writer;

/* bk_audit_writer_open opens (creating with mode 0600 if create is set) the log
 * at path for appending, takes an exclusive flock held until free, and reads
 * the head from the last line, whose hash it recomputes (BK_ERR_CORRUPT if the
 * tail is damaged). vault_id is copied. A final symlink is not followed.
 * Returns BK_ERR_NOTFOUND when the log is missing and create is 0, and
 * BK_ERR_STATE when another process holds the lock for more than 10 s.
 * WARNING: flock is per open file: a second writer on the same log in the
 * same process waits for itself and fails. (Readers in the same process are
 * fine: open writers are registered, and readers skip their lock on a log one
 * of them holds; the registry assumes one thread.) */
bk_status bk_audit_writer_open(const char *path, const uint8_t vault_id[BK_AUDIT_VAULTIDBYTES], int create,
			       struct bk_audit_writer **w_p) BK_MUST_CHECK;

/* bk_audit_add queues one entry (time stamped now, seq assigned). Returns
 * BK_ERR_USAGE for a missing actor, action or outcome, an outcome other than "ok",
 * "denied" or "failed", or an entry whose line would exceed
 * BK_AUDIT_MAX_LINE with a signature; the entries queued before stay. */
bk_status bk_audit_add(struct bk_audit_writer *w, const struct bk_audit_entry *e) BK_MUST_CHECK;

/* bk_audit_commit writes the queued entries in one write and fsyncs. If
 * sign_sk (64-byte Ed25519 secret key, not kept) is not NULL the last entry
 * gets the signature. On success *head_p is the new head; an empty queue
 * writes nothing and returns the current head. On failure *head_p is the old
 * head, nothing of the queue is durable (a partial write is truncated away)
 * and the queue is dropped: BK_ERR_IO when the write or fsync fails,
 * BK_ERR_CORRUPT when the file's size changed under the lock, BK_ERR_STATE
 * for every later call once a truncation back has itself failed. */
bk_status bk_audit_commit(struct bk_audit_writer *w, const uint8_t *sign_sk, struct bk_audit_head *head_p) BK_MUST_CHECK;

/* bk_audit_writer_head returns the current (committed) head. */
void bk_audit_writer_head(const struct bk_audit_writer *w, struct bk_audit_head *head_p);

/* bk_audit_writer_free releases the lock; NULL is accepted. */
void bk_audit_writer_free(struct bk_audit_writer *w);

/* Looks up an Ed25519 public key of an actor (the decoded JSON string, not
 * NUL-terminated): which 0 is the current one, 1, 2, … the keys the actor
 * signed with before (a `user reset`), each valid for entries up to *until
 * (the current one: UINT64_MAX). Returns 0 when there is such a key. Called
 * only for signatures being verified; consecutive entries by the same actor
 * reuse the key that last verified. */
typedef int (*bk_audit_key_lookup)(void *ctx, const char *actor, size_t actor_len, unsigned which, uint8_t pk[32],
				   uint64_t *until);

struct bk_audit_verify_opts {
	const uint8_t *vault_id;            /* BK_AUDIT_VAULTIDBYTES */
	bk_audit_key_lookup lookup;         /* NULL: signatures are not checked */
	void *lookup_ctx;
	const struct bk_audit_head *pinned; /* must be in the log; NULL: none */
	const struct bk_audit_head *since;  /* checkpoint the log must extend; NULL: none */
	uint64_t sigs_checked_through;      /* signatures at seq <= this are not re-verified
					       (the chain still is); 0 = verify all */
};

struct bk_audit_report {
	uint64_t entries;
	struct bk_audit_head head;          /* last entry */
	struct bk_audit_head last_signed;   /* last entry carrying a signature */
	uint64_t signatures;                /* signatures verified */
	uint64_t unsigned_tail;             /* entries after the last signature */
	uint64_t bad_seq;                   /* first bad entry (0: none / not an entry) */
};

/* bk_audit_verify reads the whole log and checks: every line well formed, seq
 * rising by one, each prev the previous hash, each hash, each signature (by
 * the actor's key from lookup), every unsigned entry covered (see the top of
 * this file), the pinned head and the checkpoint present with the same hash,
 * and at most one signed command after the pinned head. Returns BK_OK, or
 * BK_ERR_CORRUPT with a detail naming the first bad entry by seq (also in
 * report->bad_seq). For a missing or misplaced entry bad_seq is the seq that
 * should have come; for a log that ends before the pinned head or checkpoint
 * it is last seq + 1, the first missing entry; for an uncovered unsigned entry
 * it is that entry (the first of its command); for a rolled-back vault.db it
 * is the second signed entry after the pinned head. opts may be NULL (chain
 * only); a lookup needs vault_id (BK_ERR_USAGE); BK_ERR_STATE when another
 * process holds the lock for more than 10 s. Runs in one pass over a
 * read-only mapping; 1,000,000 entries well under 2 s (chain), about 50 us
 * more per signature verified.
 * WARNING: "well formed" covers the fixed parts (seq, time, start of actor,
 * prev, hash, sig, braces) and, in unsigned entries, the keys; the values are
 * vouched for by the hash and the signature that covers the entry. Failed and
 * denied unlocks are unsigned by design: anyone who can write the file can
 * append them (report->unsigned_tail counts the entries after the last
 * signature). */
bk_status bk_audit_verify(const char *path, const struct bk_audit_verify_opts *opts,
			  struct bk_audit_report *report) BK_MUST_CHECK;

/* bk_audit_check_tail is the cheap check on every vault open: the entry with
 * pinned->seq exists with pinned->hash, the entries after it chain correctly
 * to the end, every unsigned one among them is covered, and at most one
 * signed command follows the pinned head (see the top of this file). Reads the
 * file from its end, so entries before the pinned one are not looked at (that
 * is bk_audit_verify's job); pinned->seq 0 walks to the first line.
 * BK_ERR_CORRUPT with a detail when not; BK_ERR_STATE when another process
 * holds the lock for more than 10 s. */
bk_status bk_audit_check_tail(const char *path, const struct bk_audit_head *pinned) BK_MUST_CHECK;

/* bk_audit_read_lock opens the log under a shared lock (waiting as readers
 * do) and bk_audit_read_unlock releases it: a writer holds the exclusive lock
 * from its first entry to its database commit, so what is read under the
 * shared lock - the log and the head pinned in vault.db - agrees. */
bk_status bk_audit_read_lock(const char *path, int *fd_p) BK_MUST_CHECK;
void bk_audit_read_unlock(int fd);

/* bk_audit_tail is bk_audit_check_tail that also tells how many signed
 * commands (0 or 1 when it returns BK_OK) follow the pinned head: a command
 * whose audit entry is durable but whose database commit never happened. */
bk_status bk_audit_tail(const char *path, const struct bk_audit_head *pinned, uint64_t *signed_after_p) BK_MUST_CHECK;

/* Checkpoints for an outside witness (`audit head -o FILE`):
 *   {"format":"brankas-audit-checkpoint","version":1,"vault":"<32 hex>",
 *    "seq":N,"hash":"<64 hex>","time":"…"}\n
 * bk_audit_checkpoint_format returns the malloc'd text (caller frees); _parse
 * is strict (jansson, exactly these six keys in any order, no duplicates,
 * version the integer 1, lowercase hex of exact lengths, seq 0 only with a
 * zero hash, nothing after the object but white space): BK_ERR_FORMAT when
 * not, BK_ERR_CORRUPT "checkpoint belongs to another vault" when the vault id
 * differs. */
bk_status bk_audit_checkpoint_format(char **text_p, const uint8_t vault_id[BK_AUDIT_VAULTIDBYTES],
				     const struct bk_audit_head *head) BK_MUST_CHECK;
bk_status bk_audit_checkpoint_parse(const char *text, size_t len, const uint8_t vault_id[BK_AUDIT_VAULTIDBYTES],
				    struct bk_audit_head *head_p) BK_MUST_CHECK;

/* `audit show`: entries whose actor and action equal the filter's (NULL: any)
 * and whose time is at or after since (a prefix of an ISO 8601 UTC time such as
 * "2026-11" or "2026-11-27T10"; NULL: any; anything else is BK_ERR_USAGE).
 * filter may be NULL. Each matching line (without its newline) is passed to
 * emit; a non-OK return from emit stops and is returned. Lines are parsed
 * with jansson; a line that is not a JSON object with string actor, action
 * and time, lacks its newline, or holds a byte the writer always escapes
 * (C0 even as white space, DEL, C1, U+2028, U+2029: a hand-made line must not
 * reach a terminal raw) is BK_ERR_CORRUPT. Hashes are not checked here: that
 * is bk_audit_verify. */
struct bk_audit_filter {
	const char *actor;
	const char *action;
	const char *since;
};
typedef bk_status (*bk_audit_emit)(void *ctx, const char *line, size_t len);
bk_status bk_audit_show(const char *path, const struct bk_audit_filter *filter, bk_audit_emit emit,
			void *ctx) BK_MUST_CHECK;

/* bk_audit_sign_message builds the 77-byte message a head signature covers:
 * "brankas-audit-head-v1" (21) || vault_id (16) || seq (8, big-endian) ||
 * hash (32). */
#define BK_AUDIT_SIGMSGBYTES (21 + BK_AUDIT_VAULTIDBYTES + 8 + BK_AUDIT_HASHBYTES)
void bk_audit_sign_message(uint8_t msg[BK_AUDIT_SIGMSGBYTES], const uint8_t vault_id[BK_AUDIT_VAULTIDBYTES],
			   const struct bk_audit_head *head);

#endif
