/* audit.c - the tamper-evident audit log: hash-chained, signed JSON Lines.
 *
 * The writer lays every line out in one fixed field order (see audit.h), so the
 * verifier can walk a read-only mapping of the log and check the chain on raw
 * bytes - seq from the fixed prefix, prev and hash from the fixed tail - without
 * a JSON parser. Only `audit show` and checkpoints go through jansson. */
#include "vault/core/audit.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "base/fileio.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/sign.h"
#include "crypto/secmem.h"
#include "vault/core/db.h"

#define LIT(s) (sizeof(s) - 1)
#define HEXLEN (2 * BK_AUDIT_HASHBYTES)
#define SIG_B64LEN 88 /* padded base64 of 64 bytes */
#define TIMELEN 20    /* 2026-11-27T20:46:19Z */

static const char SEQ_PREFIX[] = "{\"seq\":";
static const char TIME_PREFIX[] = ",\"time\":\"";
static const char ACTOR_PREFIX[] = "\",\"actor\":\"";
static const char PREV_PREFIX[] = ",\"prev\":\"";
static const char HASH_PREFIX[] = ",\"hash\":\"";
static const char SIG_PREFIX[] = ",\"sig\":\"";
static const char SIG_TAG[] = "brankas-audit-head-v1";
static const char ZERO_HEX[] = "0000000000000000000000000000000000000000000000000000000000000000";
static const char TIME_PATTERN[] = "0000-00-00T00:00:00Z"; /* '0' stands for any digit */
_Static_assert(sizeof(ZERO_HEX) == HEXLEN + 1, "ZERO_HEX is one hash of zeros");

/* The tail after the body: ,"hash":"<64 hex>"} or ,"hash":"<64 hex>","sig":"<88>"} */
#define TAIL_UNSIGNED (LIT(HASH_PREFIX) + HEXLEN + 2)
#define TAIL_SIGNED (LIT(HASH_PREFIX) + HEXLEN + 1 + LIT(SIG_PREFIX) + SIG_B64LEN + 2)
/* The field that ends every body: ,"prev":"<64 hex>" */
#define PREV_FIELD (LIT(PREV_PREFIX) + HEXLEN + 1)

/* The reverse reader's window: any line within BK_AUDIT_MAX_LINE fits whole. */
#define REV_CAP (2 * (size_t)BK_AUDIT_MAX_LINE)

struct buf {
	char *p;
	size_t len, cap;
};

struct bk_audit_writer {
	int fd;
	int broken;          /* a failed truncation left the file in doubt */
	dev_t dev;           /* the log's identity, for readers in this process */
	ino_t ino;
	struct bk_audit_writer *next; /* this process's open writers */
	char *name;          /* the log's file name, for messages */
	uint64_t size;       /* file size after the last commit */
	uint8_t vault_id[BK_AUDIT_VAULTIDBYTES];
	struct bk_audit_head head;    /* committed */
	struct bk_audit_head pending; /* after the queued entries */
	struct buf queue;
	size_t queued;
};

/* One line's fixed parts, pointing into the line. */
struct line {
	uint64_t seq;
	size_t seq_end;      /* offset just past the seq digits */
	size_t body_len;     /* '{' .. the closing quote of prev */
	const char *prev_hex;
	const char *hash_hex;
	const char *sig_b64; /* NULL: unsigned */
};

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s && s[1] ? s + 1 : path;
}

/* ---- small helpers ---------------------------------------------------- */

static int buf_reserve(struct buf *b, size_t extra)
{
	size_t ncap;
	char *np;

	if (b->cap - b->len >= extra)
		return 0;
	ncap = b->cap ? b->cap : 1024;
	while (ncap - b->len < extra) {
		if (ncap > SIZE_MAX / 2)
			return -1;
		ncap *= 2;
	}
	np = realloc(b->p, ncap);
	if (!np)
		return -1;
	b->p = np;
	b->cap = ncap;
	return 0;
}

/* Callers reserve first; these never fail. */
static void buf_put(struct buf *b, const void *s, size_t n)
{
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static void buf_puts(struct buf *b, const char *s)
{
	buf_put(b, s, strlen(s));
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Digit value + 1 of the lowercase hex digits; 0 for every other byte. */
static const uint8_t HEXTAB[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7, ['7'] = 8,
	['8'] = 9, ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
};

/* Strict lowercase hex, as the writer emits it. Hashes in the log are
 * public, so the verifier's hot path uses a table rather than libsodium's
 * constant-time decoder (which cost a third of the verification time). */
static int hex_decode(uint8_t *out, size_t n, const char *hex)
{
	const unsigned char *h = (const unsigned char *)hex;
	unsigned bad = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned hi = HEXTAB[h[2 * i]], lo = HEXTAB[h[2 * i + 1]];

		bad |= (hi == 0) | (lo == 0);
		out[i] = (uint8_t)((hi - 1) << 4 | ((lo - 1) & 15));
	}
	return bad ? -1 : 0;
}

/* hex4 reads the four hex digits of a \\uXXXX escape (either case). */
static int hex4(const char *s, unsigned long *v_p)
{
	unsigned long v = 0;
	int k;

	for (k = 0; k < 4; k++) {
		unsigned char c = (unsigned char)s[k];
		int d = c >= 'A' && c <= 'F' ? c - 'A' + 10 : hexval(c);

		if (d < 0)
			return -1;
		v = v << 4 | (unsigned long)d;
	}
	*v_p = v;
	return 0;
}

static int is_zero(const uint8_t *p, size_t n)
{
	return bk_is_zero(p, n);
}

/* time_matches checks that t[0..n) is a prefix of a UTC time as we write it. */
static int time_matches(const char *t, size_t n)
{
	size_t i;

	if (n > TIMELEN)
		return 0;
	for (i = 0; i < n; i++) {
		if (TIME_PATTERN[i] == '0' ? (t[i] < '0' || t[i] > '9') : t[i] != TIME_PATTERN[i])
			return 0;
	}
	return 1;
}

static bk_status utc_now(char out[TIMELEN + 1])
{
	time_t now = time(NULL);
	struct tm tm;

	if (now == (time_t)-1 || !gmtime_r(&now, &tm) || strftime(out, TIMELEN + 1, "%Y-%m-%dT%H:%M:%SZ", &tm) != TIMELEN)
		return bk_fail(BK_ERR_STATE, "cannot read the system clock");
	return BK_OK;
}

/* utf8_seq returns the length of the valid UTF-8 sequence at s (n bytes
 * left), or 0 when it is invalid (overlong, surrogate, beyond U+10FFFF,
 * truncated). s[0] >= 0x80. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len, i;
	unsigned char lo = 0x80, hi = 0xbf;

	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	if (n < len)
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++) {
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	}
	return len;
}

/* json_escape appends s as a JSON string (with quotes). Control characters
 * (C0, DEL and C1: U+0080-U+009F, whose CSI U+009B a terminal obeys like ESC [)
 * and the line separators U+2028/U+2029 become escapes, so no line ever holds a
 * raw newline or terminal control; bytes that are not UTF-8 become U+FFFD,
 * which jq and jansson need. */
static int json_escape(struct buf *b, const char *s)
{
	static const char hexd[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);

	/* at most 6 output bytes per input byte, plus the quotes */
	if (n > (SIZE_MAX - 2) / 6 || buf_reserve(b, 6 * n + 2) != 0)
		return -1;
	b->p[b->len++] = '"';
	while (n > 0) {
		unsigned char c = *p;
		char *o = b->p + b->len;

		if (c >= 0x80) {
			size_t k = utf8_seq(p, n);

			if (k == 0) {
				buf_put(b, "\xef\xbf\xbd", 3);
				k = 1;
			} else if (k == 2 && c == 0xc2 && p[1] <= 0x9f) {
				memcpy(o, "\\u00", 4);
				o[4] = hexd[p[1] >> 4];
				o[5] = hexd[p[1] & 15];
				b->len += 6;
			} else if (k == 3 && c == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9)) {
				buf_put(b, p[2] == 0xa8 ? "\\u2028" : "\\u2029", 6);
			} else {
				buf_put(b, p, k);
			}
			p += k;
			n -= k;
			continue;
		}
		if (c == '"' || c == '\\') {
			o[0] = '\\';
			o[1] = (char)c;
			b->len += 2;
		} else if (c == '\n' || c == '\t' || c == '\r' || c == '\b' || c == '\f') {
			o[0] = '\\';
			o[1] = c == '\n' ? 'n' : c == '\t' ? 't' : c == '\r' ? 'r' : c == '\b' ? 'b' : 'f';
			b->len += 2;
		} else if (c < 0x20 || c == 0x7f) {
			memcpy(o, "\\u00", 4);
			o[4] = hexd[c >> 4];
			o[5] = hexd[c & 15];
			b->len += 6;
		} else {
			o[0] = (char)c;
			b->len++;
		}
		p++;
		n--;
	}
	b->p[b->len++] = '"';
	return 0;
}

/* json_unescape decodes the JSON string content s[0..n) (no quotes) into out
 * (at least n bytes). Returns the decoded length or -1 when malformed. */
static long json_unescape(char *out, const char *s, size_t n)
{
	size_t i = 0, o = 0;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		unsigned long cp;

		if (c < 0x20 || c == '"')
			return -1;
		if (c != '\\') {
			out[o++] = (char)c;
			i++;
			continue;
		}
		if (i + 1 >= n)
			return -1;
		c = (unsigned char)s[i + 1];
		i += 2;
		switch (c) {
		case '"': case '\\': case '/': out[o++] = (char)c; continue;
		case 'b': out[o++] = '\b'; continue;
		case 'f': out[o++] = '\f'; continue;
		case 'n': out[o++] = '\n'; continue;
		case 'r': out[o++] = '\r'; continue;
		case 't': out[o++] = '\t'; continue;
		case 'u': break;
		default: return -1;
		}
		/* \uXXXX, possibly a surrogate pair; 6 input bytes give at most 3
		 * output bytes, a pair (12) at most 4, so out never overflows n */
		{
			unsigned long v, lo;

			if (i + 4 > n || hex4(s + i, &v) != 0)
				return -1;
			i += 4;
			cp = v;
			if (v >= 0xd800 && v <= 0xdbff) {
				if (i + 6 > n || s[i] != '\\' || s[i + 1] != 'u' || hex4(s + i + 2, &lo) != 0 ||
				    lo < 0xdc00 || lo > 0xdfff)
					return -1;
				i += 6;
				cp = 0x10000 + ((v - 0xd800) << 10) + (lo - 0xdc00);
			} else if (v >= 0xdc00 && v <= 0xdfff) {
				return -1;
			}
			if (cp == 0)
				return -1; /* a NUL cannot name an actor */
		}
		if (cp < 0x80) {
			out[o++] = (char)cp;
		} else if (cp < 0x800) {
			out[o++] = (char)(0xc0 | cp >> 6);
			out[o++] = (char)(0x80 | (cp & 0x3f));
		} else if (cp < 0x10000) {
			out[o++] = (char)(0xe0 | cp >> 12);
			out[o++] = (char)(0x80 | (cp >> 6 & 0x3f));
			out[o++] = (char)(0x80 | (cp & 0x3f));
		} else {
			out[o++] = (char)(0xf0 | cp >> 18);
			out[o++] = (char)(0x80 | (cp >> 12 & 0x3f));
			out[o++] = (char)(0x80 | (cp >> 6 & 0x3f));
			out[o++] = (char)(0x80 | (cp & 0x3f));
		}
	}
	return (long)o;
}

/* ---- line parsing on raw bytes ---------------------------------------- */

/* parse_seq reads N from the fixed prefix {"seq":N, and returns 0, or -1. */
static int parse_seq(const char *p, size_t len, struct line *l)
{
	size_t i = LIT(SEQ_PREFIX);
	uint64_t v = 0;

	if (len <= i || memcmp(p, SEQ_PREFIX, i) != 0 || p[i] < '1' || p[i] > '9')
		return -1;
	for (; i < len && p[i] >= '0' && p[i] <= '9'; i++) {
		unsigned d = (unsigned)(p[i] - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	l->seq = v;
	l->seq_end = i;
	return 0;
}

/* parse_rest checks the fixed parts after seq: the time, the start of the
 * actor, the prev field ending the body, the hash and the optional sig, and
 * the closing brace. Returns NULL or what is wrong. */
static const char *parse_rest(const char *p, size_t len, struct line *l)
{
	size_t head = l->seq_end + LIT(TIME_PREFIX) + TIMELEN + LIT(ACTOR_PREFIX);
	size_t at, hash_at, tail;

	if (len < head + TAIL_UNSIGNED + PREV_FIELD)
		return "is too short to be an entry";
	if (memcmp(p + l->seq_end, TIME_PREFIX, LIT(TIME_PREFIX)) != 0 ||
	    !time_matches(p + l->seq_end + LIT(TIME_PREFIX), TIMELEN) ||
	    memcmp(p + l->seq_end + LIT(TIME_PREFIX) + TIMELEN, ACTOR_PREFIX, LIT(ACTOR_PREFIX)) != 0)
		return "does not start with seq, time and actor";
	if (p[len - 1] != '}')
		return "does not end with '}'";

	/* the last ,"hash":" - no string value can hold one, as the writer
	 * escapes every quote, but the tail is fixed anyway: search only there */
	hash_at = 0;
	at = len - LIT(HASH_PREFIX);
	tail = len - head < TAIL_SIGNED ? len - head : TAIL_SIGNED;
	for (; at + tail >= len; at--) {
		if (p[at] == ',' && memcmp(p + at, HASH_PREFIX, LIT(HASH_PREFIX)) == 0) {
			hash_at = at;
			break;
		}
		if (at == 0)
			break;
	}
	if (hash_at == 0)
		return "has no hash";
	if (len - hash_at == TAIL_UNSIGNED) {
		l->sig_b64 = NULL;
	} else if (len - hash_at == TAIL_SIGNED &&
		   memcmp(p + hash_at + LIT(HASH_PREFIX) + HEXLEN + 1, SIG_PREFIX, LIT(SIG_PREFIX)) == 0 &&
		   p[len - 2] == '"') {
		l->sig_b64 = p + len - 2 - SIG_B64LEN;
	} else {
		return "has a malformed hash or sig";
	}
	if (p[hash_at + LIT(HASH_PREFIX) + HEXLEN] != '"')
		return "has a malformed hash";
	l->hash_hex = p + hash_at + LIT(HASH_PREFIX);
	l->body_len = hash_at;
	if (l->body_len < head + PREV_FIELD ||
	    memcmp(p + l->body_len - PREV_FIELD, PREV_PREFIX, LIT(PREV_PREFIX)) != 0 || p[l->body_len - 1] != '"')
		return "does not end its body with prev";
	l->prev_hex = p + l->body_len - 1 - HEXLEN;
	return NULL;
}

/* string_end returns the offset of the quote that closes the JSON string
 * whose content starts at i (i > 0), or 0 when none does before end. A quote
 * is escaped when an odd run of backslashes precedes it. */
static size_t string_end(const char *p, size_t i, size_t end)
{
	size_t start = i;

	while (i < end) {
		const char *q = memchr(p + i, '"', end - i);
		size_t at, k;

		if (!q)
			return 0;
		at = (size_t)(q - p);
		for (k = at; k > start && p[k - 1] == '\\'; k--)
			;
		if ((at - k) % 2 == 0)
			return at;
		i = at + 1;
	}
	return 0;
}

/* actor_span finds the actor string's content (still escaped). */
static int actor_span(const char *p, const struct line *l, const char **s_p, size_t *n_p)
{
	size_t start = l->seq_end + LIT(TIME_PREFIX) + TIMELEN + LIT(ACTOR_PREFIX);
	size_t e = string_end(p, start, l->body_len);

	if (e == 0)
		return -1;
	*s_p = p + start;
	*n_p = e - start;
	return 0;
}

/* ---- the fields of an entry ------------------------------------------- */

/* The fields between actor and prev, in the writer's order (bk_audit_add);
 * rows and revealed are bare integers, the others strings. */
#define FIELD(k, count) {k, LIT(k), count}
static const struct {
	const char *key;
	size_t len;
	int count;
} FIELDS[] = {
	FIELD("role", 0),    FIELD("command", 0), FIELD("action", 0),  FIELD("dataset", 0), FIELD("rows", 1),
	FIELD("revealed", 1), FIELD("purpose", 0), FIELD("sql", 0),     FIELD("sql_mac", 0), FIELD("subject", 0),
	FIELD("target", 0),  FIELD("detail", 0),  FIELD("outcome", 0),
};
enum { F_COMMAND = 1, F_ACTION = 2, F_OUTCOME = 12, NFIELDS = 13 };
_Static_assert(sizeof(FIELDS) / sizeof(FIELDS[0]) == NFIELDS, "FIELDS lists every field");

/* A string value as it stands in the line, still escaped; s NULL: absent. */
struct span {
	const char *s;
	size_t n;
};

struct fields {
	struct span actor, command, action, outcome;
};

static const char NOT_WRITTEN[] = "is not laid out the way brankas writes entries";
static const char UNCOVERED[] = "unsigned entry not covered by its actor's signature";

/* parse_fields reads actor, command, action and outcome of a line that
 * parse_rest accepted, the way any JSON parser (jq, jansson, `audit show`)
 * reads them: from actor to prev only the writer's keys, in its order, each
 * at most once, with no white space, so no duplicate or unknown key can make
 * a parser see another value. With whole 0 it stops after action (enough for
 * a signed entry: the signature vouches for the rest; outcome stays absent).
 * Returns 0, or -1 for a line the writer cannot have written.
 * Values stay escaped: the writer's escaping is a function of the text, so
 * equal bytes are equal text, and a hand-made line with other escapes only
 * ever compares unequal - which fails closed. */
static int parse_fields(const char *p, const struct line *l, struct fields *f, int whole)
{
	size_t i = l->seq_end + LIT(TIME_PREFIX) + TIMELEN + LIT(ACTOR_PREFIX), end = l->body_len - PREV_FIELD, e;
	int k = 0;

	memset(f, 0, sizeof(*f));
	if ((e = string_end(p, i, end)) == 0)
		return -1;
	f->actor.s = p + i;
	f->actor.n = e - i;
	i = e + 1;
	while (i < end) {
		struct span v = {NULL, 0};
		size_t d;

		if (end - i < 2 || p[i] != ',' || p[i + 1] != '"')
			return -1;
		i += 2;
		for (; k < NFIELDS; k++) {
			size_t n = FIELDS[k].len;

			if (end - i > n + 1 && p[i] == FIELDS[k].key[0] && p[i + n] == '"' && p[i + n + 1] == ':' &&
			    memcmp(p + i, FIELDS[k].key, n) == 0)
				break;
		}
		if (k == NFIELDS)
			return -1;
		i += FIELDS[k].len + 2;
		if (FIELDS[k].count) {
			for (d = i; i < end && p[i] >= '0' && p[i] <= '9'; i++)
				;
			if (i == d || i - d > 19 || (p[d] == '0' && i > d + 1))
				return -1;
		} else {
			if (i >= end || p[i] != '"' || (e = string_end(p, i + 1, end)) == 0)
				return -1;
			v.s = p + i + 1;
			v.n = e - i - 1;
			i = e + 1;
		}
		if (k == F_COMMAND)
			f->command = v;
		else if (k == F_ACTION)
			f->action = v;
		else if (k == F_OUTCOME)
			f->outcome = v;
		k++;
		if (!whole && k > F_ACTION)
			return 0;
	}
	return i == end && f->action.s && f->outcome.s ? 0 : -1;
}

#define SPAN_IS(sp, lit) ((sp).s && (sp).n == LIT(lit) && memcmp((sp).s, lit, LIT(lit)) == 0)

static int span_eq(struct span a, struct span b)
{
	if (!a.s || !b.s)
		return !a.s && !b.s;
	return a.n == b.n && memcmp(a.s, b.s, a.n) == 0;
}

/* unlock_failure: the one kind of entry that stands alone unsigned - the
 * claimed user of a failed or denied unlock holds no unlocked key. */
static int unlock_failure(const struct fields *f)
{
	return SPAN_IS(f->action, "unlock") && (SPAN_IS(f->outcome, "failed") || SPAN_IS(f->outcome, "denied"));
}

/* same_command: signed entry s can cover unsigned entry u - the same actor
 * and the same command (or neither names one). */
static int same_command(const struct fields *u, const struct fields *s)
{
	return span_eq(u->actor, s->actor) && span_eq(u->command, s->command);
}

/* too_many_commands enforces what a crash can leave after the head vault.db
 * pinned: bk_vault_commit fsyncs the log, then commits the database, so at
 * most one signed command (plus failed unlocks, logged outside any
 * transaction) can be durable in the log and not in vault.db. */
static bk_status too_many_commands(const char *name, uint64_t n, uint64_t pinned_seq)
{
	if (n <= 1)
		return BK_OK;
	return bk_fail(BK_ERR_CORRUPT,
		       "%s has %" PRIu64 " signed commands after the head pinned in vault.db (entry %" PRIu64
		       "): vault.db was rolled back",
		       name, n, pinned_seq);
}

void bk_audit_sign_message(uint8_t msg[BK_AUDIT_SIGMSGBYTES], const uint8_t vault_id[BK_AUDIT_VAULTIDBYTES],
			   const struct bk_audit_head *head)
{
	size_t o = LIT(SIG_TAG);
	int i;

	memcpy(msg, SIG_TAG, o);
	memcpy(msg + o, vault_id, BK_AUDIT_VAULTIDBYTES);
	o += BK_AUDIT_VAULTIDBYTES;
	for (i = 7; i >= 0; i--)
		msg[o++] = (uint8_t)(head->seq >> (8 * i));
	memcpy(msg + o, head->hash, BK_AUDIT_HASHBYTES);
}

/* ---- reading backwards ------------------------------------------------ */

/* A window over the file that ends at or after pos; lines are handed out
 * from the end of the file towards its start. */
struct rev {
	int fd;
	char *buf;      /* REV_CAP bytes */
	uint64_t wstart; /* file offset of buf[0] */
	uint64_t pos;    /* lines before pos are still to come */
};

enum { REV_LINE = 1, REV_START = 0, REV_IOERR = -1, REV_LONG = -2 };

static int rev_fill(struct rev *r)
{
	size_t n = r->pos < REV_CAP ? (size_t)r->pos : REV_CAP, got = 0;
	uint64_t start = r->pos - n;

	while (got < n) {
		ssize_t k = pread(r->fd, r->buf + got, n - got, (off_t)(start + got));

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			if (k == 0)
				errno = EIO; /* the file shrank under us */
			return -1;
		}
		got += (size_t)k;
	}
	r->wstart = start;
	return 0;
}

/* rev_init sets up r over the size bytes of fd (size > 0) and reports in
 * *nl_p whether the file ends with a newline. */
static int rev_init(struct rev *r, int fd, uint64_t size, int *nl_p)
{
	r->fd = fd;
	r->pos = size;
	r->buf = malloc(REV_CAP);
	if (!r->buf)
		return -1;
	if (rev_fill(r) != 0)
		return -1;
	*nl_p = r->buf[size - 1 - r->wstart] == '\n';
	return 0;
}

/* rev_prev hands out the line that ends with the newline at pos - 1. */
static int rev_prev(struct rev *r, const char **line_p, size_t *len_p)
{
	int refilled = 0;

	if (r->pos == 0)
		return REV_START;
	for (;;) {
		const char *nl;
		uint64_t start;

		if (r->pos - 1 >= r->wstart) {
			size_t span = (size_t)(r->pos - 1 - r->wstart);

			nl = span ? memrchr(r->buf, '\n', span) : NULL;
			if (nl || r->wstart == 0) {
				start = nl ? r->wstart + (uint64_t)(nl - r->buf) + 1 : 0;
				if (r->pos - start > BK_AUDIT_MAX_LINE)
					return REV_LONG;
				*line_p = r->buf + (start - r->wstart);
				*len_p = (size_t)(r->pos - 1 - start);
				r->pos = start;
				return REV_LINE;
			}
			if (refilled)
				return REV_LONG;
		}
		if (rev_fill(r) != 0)
			return REV_IOERR;
		refilled = 1;
	}
}

/* check_line parses one line fully and recomputes its hash: returns NULL or
 * what is wrong; *hash gets the stored (and recomputed) hash. The prev field
 * is located but left to the caller. Chain hashes are public: plain memcmp. */
static const char *check_line(const char *p, size_t len, struct line *l, uint8_t hash[BK_AUDIT_HASHBYTES])
{
	uint8_t calc[BK_AUDIT_HASHBYTES];
	const char *why;

	if ((why = parse_rest(p, len, l)) != NULL)
		return why;
	if (hex_decode(hash, BK_AUDIT_HASHBYTES, l->hash_hex) != 0)
		return "has bad hex in hash";
	if (bk_hash(calc, sizeof(calc), p, l->body_len, NULL, 0) != BK_OK)
		return "cannot be hashed";
	if (memcmp(calc, hash, BK_AUDIT_HASHBYTES) != 0)
		return "hash does not match its contents";
	return NULL;
}

/* ---- locks ------------------------------------------------------------ */

/* This process's open writers. flock locks belong to open file descriptions:
 * a reader asking for LOCK_SH on a descriptor of its own would wait for the
 * LOCK_EX this process holds through a writer (vault.c verifies the log
 * inside a transaction) and time out. A reader skips its lock when this
 * process holds a writer on the same file: that exclusive lock already keeps
 * every other writer out. Like the vault layer, this assumes one thread. */
static struct bk_audit_writer *open_writers;

static int writer_held_here(const struct stat *st)
{
	const struct bk_audit_writer *w;

	for (w = open_writers; w; w = w->next) {
		if (w->dev == st->st_dev && w->ino == st->st_ino)
			return 1;
	}
	return 0;
}

/* lock_log takes flock op (LOCK_EX or LOCK_SH) on fd, waiting for another
 * process's lock as long as SQLite waits for vault.db's (bk_db_wait_more). */
static bk_status lock_log(int fd, const char *name, int op)
{
	struct timespec since;
	int first = 1;

	for (;;) {
		if (flock(fd, op | LOCK_NB) == 0)
			return BK_OK;
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK)
			return bk_fail(BK_ERR_IO, "cannot lock '%s': %s", name, strerror(errno));
		if (!bk_db_wait_more(&since, first))
			return bk_db_busy(name);
		first = 0;
	}
}

/* open_log opens the log read-only under a shared flock - so a commit in
 * flight in another process is either all there or not at all - and reads
 * its size under the lock. close_log releases both. */
static bk_status open_log(const char *path, int *fd_p, uint64_t *size_p)
{
	bk_status rc = BK_OK;
	struct stat st;
	int fd;

	*fd_p = -1;
	*size_p = 0;
	/* O_NONBLOCK: a FIFO planted as the log must not hang the reader */
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return bk_fail(errno == ENOENT ? BK_ERR_NOTFOUND : BK_ERR_IO, "cannot open '%s': %s", path,
			       strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		rc = bk_fail(BK_ERR_IO, "'%s' is not a regular file", path);
		goto out;
	}
	if (!writer_held_here(&st) && (rc = lock_log(fd, base_name(path), LOCK_SH)) != BK_OK)
		goto out;
	if (fstat(fd, &st) != 0 || st.st_size < 0) {
		rc = bk_fail(BK_ERR_IO, "cannot stat '%s': %s", path, strerror(errno));
		goto out;
	}
	*fd_p = fd;
	*size_p = (uint64_t)st.st_size;
	fd = -1;
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

/* close_log drops the shared lock first: a mapping still alive would keep
 * the open file, and with it the lock, past close. */
/* map_log maps the whole log read-only (*map_p NULL for an empty one). */
static bk_status map_log(int fd, uint64_t size, const char *name, const char **map_p)
{
	void *m;

	*map_p = NULL;
	if (size == 0)
		return BK_OK;
	m = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED)
		return bk_fail(BK_ERR_IO, "cannot map '%s': %s", name, strerror(errno));
	(void)madvise(m, (size_t)size, MADV_SEQUENTIAL);
	*map_p = m;
	return BK_OK;
}

static void close_log(int fd)
{
	if (fd < 0)
		return;
	(void)flock(fd, LOCK_UN);
	close(fd);
}

/* ---- the writer ------------------------------------------------------- */

void bk_audit_entry_init(struct bk_audit_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->rows = -1;
	e->revealed = -1;
}

/* read_head reads the last line of the open log and recomputes its hash. */
static bk_status read_head(struct bk_audit_writer *w)
{
	bk_status rc = BK_OK;
	struct rev r = {0};
	struct line l;
	const char *p, *why;
	size_t len = 0;
	int nl, k;

	if (w->size == 0)
		goto out; /* head seq 0, hash zero */
	if (rev_init(&r, w->fd, w->size, &nl) != 0) {
		rc = bk_fail(BK_ERR_IO, "cannot read '%s': %s", w->name, strerror(errno));
		goto out;
	}
	if (!nl) {
		rc = bk_fail(BK_ERR_CORRUPT, "%s: the last line has no newline (an interrupted write or a truncated log)",
			     w->name);
		goto out;
	}
	k = rev_prev(&r, &p, &len);
	if (k == REV_IOERR) {
		rc = bk_fail(BK_ERR_IO, "cannot read '%s': %s", w->name, strerror(errno));
		goto out;
	}
	if (k != REV_LINE || len == 0) {
		rc = bk_fail(BK_ERR_CORRUPT, "%s: the last line is %s", w->name, k == REV_LINE ? "empty" : "too long");
		goto out;
	}
	if (parse_seq(p, len, &l) != 0) {
		rc = bk_fail(BK_ERR_CORRUPT, "%s: the last line is not an entry", w->name);
		goto out;
	}
	if ((why = check_line(p, len, &l, w->head.hash)) != NULL) {
		rc = bk_fail(BK_ERR_CORRUPT, "%s: entry %" PRIu64 ": %s", w->name, l.seq, why);
		goto out;
	}
	w->head.seq = l.seq;
out:
	free(r.buf);
	return rc;
}

bk_status bk_audit_writer_open(const char *path, const uint8_t vault_id[BK_AUDIT_VAULTIDBYTES], int create,
			       struct bk_audit_writer **w_p)
{
	bk_status rc = BK_OK;
	struct bk_audit_writer *w = NULL;
	struct stat st;
	int flags = O_RDWR | O_APPEND | O_NOFOLLOW | O_CLOEXEC;

	*w_p = NULL;
	w = calloc(1, sizeof(*w));
	if (w)
		w->fd = -1;
	if (!w || !(w->name = strdup(base_name(path)))) {
		rc = bk_fail(BK_ERR_NOMEM, "out of memory opening '%s'", path);
		goto out;
	}
	memcpy(w->vault_id, vault_id, BK_AUDIT_VAULTIDBYTES);
	w->fd = open(path, flags | (create ? O_CREAT : 0), 0600);
	if (w->fd < 0) {
		rc = bk_fail(errno == ENOENT ? BK_ERR_NOTFOUND : BK_ERR_IO, "cannot open '%s': %s", path, strerror(errno));
		goto out;
	}
	if ((rc = lock_log(w->fd, w->name, LOCK_EX)) != BK_OK)
		goto out;
	/* the size is read under the lock: no other writer can append now */
	if (fstat(w->fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 0) {
		rc = bk_fail(BK_ERR_IO, "'%s' is not a regular file", path);
		goto out;
	}
	w->size = (uint64_t)st.st_size;
	w->dev = st.st_dev;
	w->ino = st.st_ino;
	if ((rc = read_head(w)) != BK_OK)
		goto out;
	/* a new log must survive a crash as a directory entry too */
	if (create && w->size == 0 && (rc = bk_fsync_dir(path)) != BK_OK)
		goto out;
	w->pending = w->head;
	w->next = open_writers;
	open_writers = w;
	*w_p = w;
	w = NULL;
out:
	bk_audit_writer_free(w);
	return rc;
}

void bk_audit_writer_head(const struct bk_audit_writer *w, struct bk_audit_head *head_p)
{
	*head_p = w->head;
}

void bk_audit_writer_free(struct bk_audit_writer *w)
{
	struct bk_audit_writer **pp;

	if (!w)
		return;
	for (pp = &open_writers; *pp; pp = &(*pp)->next) {
		if (*pp == w) {
			*pp = w->next;
			break;
		}
	}
	if (w->fd >= 0)
		close(w->fd); /* releases the flock */
	free(w->queue.p);
	free(w->name);
	free(w);
}

static int put_field(struct buf *b, const char *key, const char *val)
{
	if (!val)
		return 0;
	if (buf_reserve(b, strlen(key) + 4) != 0)
		return -1;
	buf_puts(b, ",\"");
	buf_puts(b, key);
	buf_puts(b, "\":");
	return json_escape(b, val);
}

static int put_count(struct buf *b, const char *key, long long v)
{
	char num[32];

	if (v < 0)
		return 0;
	snprintf(num, sizeof(num), "%lld", v);
	if (buf_reserve(b, strlen(key) + strlen(num) + 4) != 0)
		return -1;
	buf_puts(b, ",\"");
	buf_puts(b, key);
	buf_puts(b, "\":");
	buf_puts(b, num);
	return 0;
}

bk_status bk_audit_add(struct bk_audit_writer *w, const struct bk_audit_entry *e)
{
	bk_status rc = BK_OK;
	struct buf *b = &w->queue;
	size_t start = b->len;
	char now[TIMELEN + 1], head[96], hex[HEXLEN + 1];
	uint8_t hash[BK_AUDIT_HASHBYTES];
	uint64_t seq;

	if (w->broken) {
		rc = bk_fail(BK_ERR_STATE, "%s: an earlier write failed and could not be undone", w->name);
		goto out;
	}
	/* the verifier reads actor at a fixed place and show filters on action */
	if (!e->actor || !e->action || !e->outcome) {
		rc = bk_fail(BK_ERR_USAGE, "audit entry without actor, action or outcome");
		goto out;
	}
	if (strcmp(e->outcome, "ok") != 0 && strcmp(e->outcome, "denied") != 0 && strcmp(e->outcome, "failed") != 0) {
		rc = bk_fail(BK_ERR_USAGE, "audit outcome must be ok, denied or failed");
		goto out;
	}
	if (w->pending.seq >= INT64_MAX) {
		rc = bk_fail(BK_ERR_STATE, "%s: the sequence number is exhausted", w->name);
		goto out;
	}
	if ((rc = utc_now(now)) != BK_OK)
		goto out;
	seq = w->pending.seq + 1;
	snprintf(head, sizeof(head), "{\"seq\":%" PRIu64 ",\"time\":\"%s\",\"actor\":", seq, now);
	bk_hex_encode(hex, w->pending.hash, BK_AUDIT_HASHBYTES);
	if (buf_reserve(b, strlen(head)) != 0)
		goto nomem;
	buf_puts(b, head);
	if (json_escape(b, e->actor) != 0 || put_field(b, "role", e->role) != 0 ||
	    put_field(b, "command", e->command) != 0 || put_field(b, "action", e->action) != 0 ||
	    put_field(b, "dataset", e->dataset) != 0 || put_count(b, "rows", e->rows) != 0 ||
	    put_count(b, "revealed", e->revealed) != 0 || put_field(b, "purpose", e->purpose) != 0 ||
	    put_field(b, "sql", e->sql) != 0 || put_field(b, "sql_mac", e->sql_mac) != 0 ||
	    put_field(b, "subject", e->subject) != 0 || put_field(b, "target", e->target) != 0 ||
	    put_field(b, "detail", e->detail) != 0 || put_field(b, "outcome", e->outcome) != 0 ||
	    buf_reserve(b, LIT(PREV_PREFIX) + HEXLEN + 1 + TAIL_SIGNED + 1) != 0)
		goto nomem;
	buf_puts(b, PREV_PREFIX);
	buf_put(b, hex, HEXLEN);
	buf_puts(b, "\"");
	/* room for a signature: any queued line may become the signed last one */
	if (b->len - start + TAIL_SIGNED + 1 > BK_AUDIT_MAX_LINE) {
		rc = bk_fail(BK_ERR_USAGE, "audit entry longer than %d bytes", BK_AUDIT_MAX_LINE);
		goto out;
	}
	if ((rc = bk_hash(hash, sizeof(hash), b->p + start, b->len - start, NULL, 0)) != BK_OK)
		goto out;
	bk_hex_encode(hex, hash, BK_AUDIT_HASHBYTES);
	buf_puts(b, HASH_PREFIX);
	buf_put(b, hex, HEXLEN);
	buf_puts(b, "\"}\n");
	w->pending.seq = seq;
	memcpy(w->pending.hash, hash, sizeof(hash));
	w->queued++;
	goto out;
nomem:
	rc = bk_fail(BK_ERR_NOMEM, "out of memory writing an audit entry");
out:
	if (rc != BK_OK)
		b->len = start; /* the queue keeps the entries before this one */
	return rc;
}

/* undo truncates the log back to its size before a failed commit. */
static void undo(struct bk_audit_writer *w)
{
	int r;

	do
		r = ftruncate(w->fd, (off_t)w->size);
	while (r != 0 && errno == EINTR);
	if (r != 0 || fsync(w->fd) != 0)
		w->broken = 1;
}

bk_status bk_audit_commit(struct bk_audit_writer *w, const uint8_t *sign_sk, struct bk_audit_head *head_p)
{
	bk_status rc = BK_OK;
	struct buf *b = &w->queue;
	struct stat st;
	uint8_t msg[BK_AUDIT_SIGMSGBYTES], sig[BK_SIGN_BYTES];
	char b64[BK_B64_LEN(BK_SIGN_BYTES)];
	int saved;

	*head_p = w->head;
	if (w->broken) {
		rc = bk_fail(BK_ERR_STATE, "%s: an earlier write failed and could not be undone", w->name);
		goto out;
	}
	if (w->queued == 0)
		goto out;
	if (sign_sk) {
		bk_audit_sign_message(msg, w->vault_id, &w->pending);
		if ((rc = bk_sign_detached(sig, msg, sizeof(msg), sign_sk)) != BK_OK)
			goto out;
		bk_b64_encode(b64, sig, sizeof(sig));
		/* reserved by bk_audit_add: replace "}\n" with the sig field */
		b->len -= 2;
		buf_puts(b, SIG_PREFIX);
		buf_put(b, b64, SIG_B64LEN);
		buf_puts(b, "\"}\n");
	}
	/* flock is advisory: make sure nothing else moved the end of the log */
	if (fstat(w->fd, &st) != 0) {
		rc = bk_fail(BK_ERR_IO, "cannot stat '%s': %s", w->name, strerror(errno));
		goto out;
	}
	if ((uint64_t)st.st_size != w->size) {
		w->broken = 1;
		rc = bk_fail(BK_ERR_CORRUPT, "%s changed size while this command held its lock", w->name);
		goto out;
	}
	if (bk_write_all(w->fd, b->p, b->len) != 0) {
		saved = errno;
		undo(w);
		rc = bk_fail(BK_ERR_IO, "cannot write '%s': %s", w->name, strerror(saved));
		goto out;
	}
	if (fsync(w->fd) != 0) {
		saved = errno;
		undo(w);
		rc = bk_fail(BK_ERR_IO, "cannot sync '%s': %s", w->name, strerror(saved));
		goto out;
	}
	w->size += b->len;
	w->head = w->pending;
	*head_p = w->head;
out:
	/* committed or not, the queue is gone: a failed command reveals nothing */
	b->len = 0;
	w->queued = 0;
	w->pending = w->head;
	return rc;
}

/* ---- verification ----------------------------------------------------- */

struct key_cache {
	int valid;
	size_t len;
	char actor[256];
	uint8_t pk[BK_SIGN_PUBLICKEYBYTES];
	uint64_t until; /* the last entry pk may sign */
};

/* check_sig verifies line l's signature; returns NULL or what is wrong. */
static const char *check_sig(const char *p, const struct line *l, const uint8_t hash[BK_AUDIT_HASHBYTES],
			     const struct bk_audit_verify_opts *o, struct key_cache *kc, char *scratch)
{
	uint8_t sig[BK_SIGN_BYTES], msg[BK_AUDIT_SIGMSGBYTES], pk[BK_SIGN_PUBLICKEYBYTES];
	struct bk_audit_head h;
	const char *s;
	uint64_t until = 0;
	size_t n;
	long an;

	if (actor_span(p, l, &s, &n) != 0 || (an = json_unescape(scratch, s, n)) < 0)
		return "has a malformed actor";
	if (!kc->valid || kc->len != (size_t)an || memcmp(kc->actor, scratch, (size_t)an) != 0) {
		kc->valid = 0;
		if (o->lookup(o->lookup_ctx, scratch, (size_t)an, 0, kc->pk, &kc->until) != 0)
			return "is signed by an actor with no known key";
		if ((size_t)an <= sizeof(kc->actor)) {
			memcpy(kc->actor, scratch, (size_t)an);
			kc->len = (size_t)an;
			kc->valid = 1;
		}
	}
	h.seq = l->seq;
	memcpy(h.hash, hash, sizeof(h.hash));
	bk_audit_sign_message(msg, o->vault_id, &h);
	if (bk_b64_decode(sig, sizeof(sig), &n, l->sig_b64, SIG_B64LEN) != BK_OK || n != sizeof(sig))
		return "has a malformed signature";
	if (l->seq <= kc->until && bk_sign_verify(sig, msg, sizeof(msg), kc->pk) == BK_OK)
		return NULL;
	/* the actor's keys in turn: one retired by a reset signs only entries up to its end */
	for (unsigned which = 0; o->lookup(o->lookup_ctx, scratch, (size_t)an, which, pk, &until) == 0; which++)
		if (l->seq <= until && bk_sign_verify(sig, msg, sizeof(msg), pk) == BK_OK) {
			memcpy(kc->pk, pk, sizeof(pk));
			kc->until = until;
			return NULL;
		}
	return "signature does not verify";
}

static int b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* sig_well_formed checks the base64 of a signature that is not verified now
 * (libsodium's constant-time decoder would add a tenth to the chain check). */
static int sig_well_formed(const char *b64)
{
	size_t i;
	int v = 0;

	for (i = 0; i < SIG_B64LEN - 2; i++) {
		if ((v = b64val((unsigned char)b64[i])) < 0)
			return 0;
	}
	/* 64 bytes leave one byte in the last group: the low four bits of its
	 * second character are padding and must be zero, as libsodium demands */
	return (v & 15) == 0 && b64[SIG_B64LEN - 2] == '=' && b64[SIG_B64LEN - 1] == '=';
}

/* check_anchor compares an entry with the pinned head or the checkpoint. */
static bk_status check_anchor(const char *name, const char *what, const struct bk_audit_head *a,
			      const struct bk_audit_head *last, struct bk_audit_report *report)
{
	if (a->seq == 0 && !is_zero(a->hash, BK_AUDIT_HASHBYTES)) {
		report->bad_seq = 0;
		return bk_fail(BK_ERR_CORRUPT, "%s: the %s entry 0 with a non-zero hash", name, what);
	}
	if (a->seq > last->seq) {
		report->bad_seq = last->seq + 1;
		return bk_fail(BK_ERR_CORRUPT,
			       "%s ends at entry %" PRIu64 " but the %s entry %" PRIu64
			       ": the log was truncated or rolled back",
			       name, last->seq, what, a->seq);
	}
	return BK_OK;
}

/* What bk_audit_verify carries from one line to the next. */
struct verify {
	const char *name;
	const struct bk_audit_verify_opts *o;
	struct bk_audit_report *report;
	char *scratch;         /* an actor's unescaped name, when signatures are checked */
	struct key_cache kc;
	const char *prev_hex;  /* the hash text of the previous line */
	uint64_t expect;
	struct fields pend;
	uint64_t pend_seq;     /* first of the unsigned entries awaiting their signature */
	uint64_t signed_after; /* signed entries after the pinned head */
	uint64_t second_after; /* the second of them */
};

/* verify_frame finds the end of the line at p, which must hold the entry
 * v->expect; sets *len_p to its length without the newline. */
static bk_status verify_frame(const struct verify *v, const char *p, const char *end, size_t *len_p)
{
	size_t avail = (size_t)(end - p);
	const char *nl = memchr(p, '\n', avail < BK_AUDIT_MAX_LINE ? avail : BK_AUDIT_MAX_LINE);
	bk_status rc = BK_OK;

	*len_p = 0;
	if (!nl) {
		if (avail >= BK_AUDIT_MAX_LINE)
			rc = bk_fail(BK_ERR_CORRUPT, "%s: entry %" PRIu64 ": line is longer than %d bytes", v->name,
				     v->expect, BK_AUDIT_MAX_LINE);
		else
			rc = bk_fail(BK_ERR_CORRUPT,
				     "%s: entry %" PRIu64 ": the last line has no newline "
				     "(an interrupted write or a truncated log)",
				     v->name, v->expect);
		goto out;
	}
	*len_p = (size_t)(nl - p);
	if (*len_p == 0) {
		rc = bk_fail(BK_ERR_CORRUPT, "%s: an empty line where entry %" PRIu64 " belongs", v->name,
			     v->expect);
		goto out;
	}
out:
	return rc;
}

/* verify_chain checks that line p holds entry v->expect, well formed, linked
 * to the previous one and agreeing with the pinned head and the checkpoint;
 * fills *l and the entry's hash. */
static bk_status verify_chain(const struct verify *v, const char *p, size_t len, struct line *l,
			      uint8_t hash[BK_AUDIT_HASHBYTES])
{
	const struct bk_audit_verify_opts *o = v->o;
	const char *why;
	bk_status rc = BK_OK;

	if (parse_seq(p, len, l) != 0) {
		rc = bk_fail(BK_ERR_CORRUPT, "%s: entry %" PRIu64 ": the line does not start with {\"seq\":N",
			     v->name, v->expect);
		goto out;
	}
	if (l->seq != v->expect) {
		rc = bk_fail(BK_ERR_CORRUPT,
			     "%s: entry %" PRIu64 " is missing or out of place: the line after entry %" PRIu64
			     " holds entry %" PRIu64,
			     v->name, v->expect, v->expect - 1, l->seq);
		goto out;
	}
	if ((why = check_line(p, len, l, hash)) != NULL) {
		rc = bk_fail(BK_ERR_CORRUPT, "%s: entry %" PRIu64 ": %s", v->name, v->expect, why);
		goto out;
	}
	/* the previous line's hash text was checked against its hash, and
	 * hex is canonical: comparing the text is comparing the hashes */
	if (memcmp(l->prev_hex, v->prev_hex, HEXLEN) != 0) {
		rc = bk_fail(BK_ERR_CORRUPT, "%s: entry %" PRIu64 ": prev does not match the hash of entry %" PRIu64,
			     v->name, v->expect, v->expect - 1);
		goto out;
	}
	if (o->pinned && o->pinned->seq == l->seq && memcmp(o->pinned->hash, hash, BK_AUDIT_HASHBYTES) != 0) {
		rc = bk_fail(BK_ERR_CORRUPT,
			     "%s: entry %" PRIu64 " differs from the one the vault pinned: "
			     "the log was rewritten or rolled back",
			     v->name, v->expect);
		goto out;
	}
	if (o->since && o->since->seq == l->seq && memcmp(o->since->hash, hash, BK_AUDIT_HASHBYTES) != 0) {
		rc = bk_fail(BK_ERR_CORRUPT, "%s: entry %" PRIu64 " differs from the checkpoint: the log does not extend it",
			     v->name, v->expect);
		goto out;
	}
out:
	return rc;
}

/* verify_command applies the rule that an unsigned entry is a failed unlock
 * or part of the command that the next signed entry, by the same actor,
 * closes; counts the signed entries after the pinned head. */
static bk_status verify_command(struct verify *v, const char *p, const struct line *l)
{
	const struct bk_audit_verify_opts *o = v->o;
	struct fields fl;
	bk_status rc = BK_OK;

	if (!l->sig_b64) {
		if (parse_fields(p, l, &fl, 1) != 0) {
			rc = bk_fail(BK_ERR_CORRUPT, "%s: entry %" PRIu64 ": %s", v->name, v->expect, NOT_WRITTEN);
			goto out;
		}
		if (unlock_failure(&fl)) {
			/* stands alone */
		} else if (v->pend_seq == 0) {
			v->pend_seq = l->seq;
			v->pend = fl;
		} else if (!same_command(&v->pend, &fl)) {
			v->report->bad_seq = v->pend_seq;
			rc = bk_fail(BK_ERR_CORRUPT, "%s: entry %" PRIu64 ": %s", v->name, v->pend_seq, UNCOVERED);
			goto out;
		}
		goto out;
	}
	if (v->pend_seq != 0) {
		if (parse_fields(p, l, &fl, 0) != 0) {
			rc = bk_fail(BK_ERR_CORRUPT, "%s: entry %" PRIu64 ": %s", v->name, v->expect, NOT_WRITTEN);
			goto out;
		}
		if (!same_command(&v->pend, &fl)) {
			v->report->bad_seq = v->pend_seq;
			rc = bk_fail(BK_ERR_CORRUPT, "%s: entry %" PRIu64 ": %s", v->name, v->pend_seq, UNCOVERED);
			goto out;
		}
		v->pend_seq = 0;
	}
	if (o->pinned && l->seq > o->pinned->seq && ++v->signed_after == 2)
		v->second_after = l->seq;
out:
	return rc;
}

/* verify_signature checks a signed entry's signature, or only its form when
 * it is not to be verified now, and records it as the last signed. */
static bk_status verify_signature(struct verify *v, const char *p, const struct line *l,
				  const uint8_t hash[BK_AUDIT_HASHBYTES])
{
	const struct bk_audit_verify_opts *o = v->o;
	const char *why;
	bk_status rc = BK_OK;

	if (o->lookup && l->seq > o->sigs_checked_through) {
		if ((why = check_sig(p, l, hash, o, &v->kc, v->scratch)) != NULL) {
			rc = bk_fail(BK_ERR_CORRUPT, "%s: entry %" PRIu64 ": %s", v->name, v->expect, why);
			goto out;
		}
		v->report->signatures++;
	} else if (!sig_well_formed(l->sig_b64)) {
		rc = bk_fail(BK_ERR_CORRUPT, "%s: entry %" PRIu64 ": has a malformed signature", v->name, v->expect);
		goto out;
	}
	v->report->last_signed.seq = l->seq;
	memcpy(v->report->last_signed.hash, hash, BK_AUDIT_HASHBYTES);
out:
	return rc;
}

/* verify_end applies the checks that need the whole log: the anchors lie
 * within it, no command ends unsigned, at most one command after the pin. */
static bk_status verify_end(struct verify *v)
{
	const struct bk_audit_verify_opts *o = v->o;
	struct bk_audit_report *report = v->report;
	bk_status rc = BK_OK;

	report->bad_seq = 0;
	report->unsigned_tail = report->head.seq - report->last_signed.seq;
	if (o->pinned && (rc = check_anchor(v->name, "vault pinned", o->pinned, &report->head, report)) != BK_OK)
		goto out;
	if (o->since && (rc = check_anchor(v->name, "checkpoint is at", o->since, &report->head, report)) != BK_OK)
		goto out;
	if (v->pend_seq != 0) {
		/* never signed: no command ends unsigned */
		report->bad_seq = v->pend_seq;
		rc = bk_fail(BK_ERR_CORRUPT, "%s: entry %" PRIu64 ": %s", v->name, v->pend_seq, UNCOVERED);
		goto out;
	}
	if (o->pinned && (rc = too_many_commands(v->name, v->signed_after, o->pinned->seq)) != BK_OK) {
		report->bad_seq = v->second_after;
		goto out;
	}
out:
	return rc;
}

bk_status bk_audit_verify(const char *path, const struct bk_audit_verify_opts *opts, struct bk_audit_report *report)
{
	static const struct bk_audit_verify_opts none = {0};
	struct verify v = {.o = opts ? opts : &none, .report = report, .prev_hex = ZERO_HEX, .expect = 1};
	bk_status rc = BK_OK;
	const char *map = NULL, *p, *end;
	uint8_t hash[BK_AUDIT_HASHBYTES];
	uint64_t size = 0;
	int fd = -1;

	v.name = base_name(path);
	memset(report, 0, sizeof(*report));
	if (v.o->lookup && !v.o->vault_id) {
		rc = bk_fail(BK_ERR_USAGE, "verifying signatures needs the vault id");
		goto out;
	}
	if ((rc = open_log(path, &fd, &size)) != BK_OK)
		goto out;
	if (v.o->lookup && !(v.scratch = malloc(BK_AUDIT_MAX_LINE))) {
		rc = bk_fail(BK_ERR_NOMEM, "out of memory verifying '%s'", v.name);
		goto out;
	}
	if ((rc = map_log(fd, size, v.name, &map)))
		goto out;
	/* no arithmetic on NULL: an empty log is not mapped */
	p = end = map;
	if (map)
		end = map + size;
	while (p < end) {
		struct line l;
		size_t len;

		report->bad_seq = v.expect;
		if ((rc = verify_frame(&v, p, end, &len)) != BK_OK)
			goto out;
		if ((rc = verify_chain(&v, p, len, &l, hash)) != BK_OK)
			goto out;
		if ((rc = verify_command(&v, p, &l)) != BK_OK)
			goto out;
		if (l.sig_b64 && (rc = verify_signature(&v, p, &l, hash)) != BK_OK)
			goto out;
		report->head.seq = l.seq;
		memcpy(report->head.hash, hash, BK_AUDIT_HASHBYTES);
		v.prev_hex = l.hash_hex;
		report->entries++;
		v.expect++;
		p += len + 1;
	}
	rc = verify_end(&v);
out:
	if (map)
		munmap((void *)map, (size_t)size);
	close_log(fd);
	free(v.scratch);
	bk_wipe(&v.kc, sizeof(v.kc));
	return rc;
}

/* The nearest signed entry after the one being looked at, walking back (a
 * copy: the reverse reader's window moves), and the signed entries seen. */
struct cover {
	char *line;     /* BK_AUDIT_MAX_LINE bytes once needed */
	struct line l;  /* offsets into line */
	int have;
	uint64_t signed_after;
};

/* tail_entry applies the rules for unsigned entries to one entry after the
 * pinned head, seen walking back (so every later entry has been seen), and
 * counts the signed ones. */
static bk_status tail_entry(const char *name, const char *p, size_t len, const struct line *l, struct cover *c)
{
	struct fields f, cf;

	if (l->sig_b64) {
		if (!c->line && !(c->line = malloc(BK_AUDIT_MAX_LINE)))
			return bk_fail(BK_ERR_NOMEM, "out of memory checking '%s'", name);
		memcpy(c->line, p, len); /* rev_prev hands out lines shorter than BK_AUDIT_MAX_LINE */
		c->l = *l;
		c->have = 1;
		c->signed_after++;
		return BK_OK;
	}
	if (parse_fields(p, l, &f, 1) != 0)
		return bk_fail(BK_ERR_CORRUPT, "%s: entry %" PRIu64 ": %s", name, l->seq, NOT_WRITTEN);
	if (unlock_failure(&f))
		return BK_OK;
	if (!c->have)
		return bk_fail(BK_ERR_CORRUPT, "%s: entry %" PRIu64 ": %s", name, l->seq, UNCOVERED);
	if (parse_fields(c->line, &c->l, &cf, 0) != 0)
		return bk_fail(BK_ERR_CORRUPT, "%s: entry %" PRIu64 ": %s", name, c->l.seq, NOT_WRITTEN);
	if (!same_command(&f, &cf))
		return bk_fail(BK_ERR_CORRUPT, "%s: entry %" PRIu64 ": %s", name, l->seq, UNCOVERED);
	return BK_OK;
}

/* What bk_audit_check_tail carries walking back from the end of the log. */
struct tail {
	const char *name;
	const struct bk_audit_head *pinned;
	uint64_t next_seq;                     /* the entry after the line read; 0 at the end */
	uint8_t next_prev[BK_AUDIT_HASHBYTES]; /* its prev */
	struct cover c;
};

/* tail_first judges reaching the first line: only an empty pin walks back
 * that far. */
static bk_status tail_first(const struct tail *T)
{
	if (T->pinned->seq != 0)
		return bk_fail(BK_ERR_CORRUPT, "%s: entry %" PRIu64 ", which the vault pinned, is missing", T->name,
			       T->pinned->seq);
	if (T->next_seq != 1 || !is_zero(T->next_prev, BK_AUDIT_HASHBYTES))
		return bk_fail(BK_ERR_CORRUPT, "%s: the first line is not entry 1 with a zero prev", T->name);
	return too_many_commands(T->name, T->c.signed_after, 0);
}

/* tail_chain checks that line p is a well-formed entry, the one before the
 * entry read last and linked to it, and not before the pin if it is the
 * last; fills *l, its hash and its prev. */
static bk_status tail_chain(const struct tail *T, const char *p, size_t len, struct line *l,
			    uint8_t hash[BK_AUDIT_HASHBYTES], uint8_t prev[BK_AUDIT_HASHBYTES])
{
	const char *name = T->name, *why;
	uint64_t next_seq = T->next_seq;
	bk_status rc = BK_OK;

	if (len == 0 || parse_seq(p, len, l) != 0) {
		rc = bk_fail(BK_ERR_CORRUPT, "%s: the line before entry %" PRIu64 " is %s", name, next_seq,
			     len == 0 ? "empty" : "not an entry");
		goto out;
	}
	if (next_seq != 0 && l->seq != next_seq - 1) {
		rc = bk_fail(BK_ERR_CORRUPT,
			     "%s: entry %" PRIu64 " is missing or out of place: the line before entry %" PRIu64
			     " holds entry %" PRIu64,
			     name, next_seq - 1, next_seq, l->seq);
		goto out;
	}
	if ((why = check_line(p, len, l, hash)) != NULL) {
		rc = bk_fail(BK_ERR_CORRUPT, "%s: entry %" PRIu64 ": %s", name, l->seq, why);
		goto out;
	}
	if (hex_decode(prev, BK_AUDIT_HASHBYTES, l->prev_hex) != 0) {
		rc = bk_fail(BK_ERR_CORRUPT, "%s: entry %" PRIu64 ": has bad hex in prev", name, l->seq);
		goto out;
	}
	if (next_seq != 0 && memcmp(hash, T->next_prev, BK_AUDIT_HASHBYTES) != 0) {
		rc = bk_fail(BK_ERR_CORRUPT, "%s: entry %" PRIu64 ": prev does not match the hash of entry %" PRIu64,
			     name, next_seq, l->seq);
		goto out;
	}
	if (next_seq == 0 && l->seq < T->pinned->seq) {
		rc = bk_fail(BK_ERR_CORRUPT,
			     "%s ends at entry %" PRIu64 " but the vault pinned entry %" PRIu64
			     ": the log was truncated or rolled back",
			     name, l->seq, T->pinned->seq);
		goto out;
	}
out:
	return rc;
}

bk_status bk_audit_check_tail(const char *path, const struct bk_audit_head *pinned)
{
	return bk_audit_tail(path, pinned, NULL);
}

bk_status bk_audit_tail(const char *path, const struct bk_audit_head *pinned, uint64_t *signed_after_p)
{
	bk_status rc = BK_OK;
	struct tail T = {.name = base_name(path), .pinned = pinned};
	const char *name = T.name, *p;
	struct rev r = {0};
	struct line l;
	uint8_t prev[BK_AUDIT_HASHBYTES], hash[BK_AUDIT_HASHBYTES];
	uint64_t size = 0;
	size_t len = 0;
	int fd = -1, nl, k;

	if ((rc = open_log(path, &fd, &size)) != BK_OK)
		goto out;
	if (pinned->seq == 0 && !is_zero(pinned->hash, BK_AUDIT_HASHBYTES)) {
		rc = bk_fail(BK_ERR_CORRUPT, "%s: the vault pinned entry 0 with a non-zero hash", name);
		goto out;
	}
	if (size == 0) {
		if (pinned->seq != 0)
			rc = bk_fail(BK_ERR_CORRUPT,
				     "%s is empty but the vault pinned entry %" PRIu64
				     ": the log was truncated or rolled back",
				     name, pinned->seq);
		goto out;
	}
	if (rev_init(&r, fd, size, &nl) != 0) {
		rc = bk_fail(BK_ERR_IO, "cannot read '%s': %s", name, strerror(errno));
		goto out;
	}
	if (!nl) {
		rc = bk_fail(BK_ERR_CORRUPT, "%s: the last line has no newline (an interrupted write or a truncated log)",
			     name);
		goto out;
	}
	for (;;) {
		k = rev_prev(&r, &p, &len);
		if (k == REV_START) {
			rc = tail_first(&T);
			goto out;
		}
		if (k == REV_IOERR) {
			rc = bk_fail(BK_ERR_IO, "cannot read '%s': %s", name, strerror(errno));
			goto out;
		}
		if (k == REV_LONG) {
			rc = bk_fail(BK_ERR_CORRUPT, "%s: a line before entry %" PRIu64 " is longer than %d bytes", name,
				     T.next_seq, BK_AUDIT_MAX_LINE);
			goto out;
		}
		if ((rc = tail_chain(&T, p, len, &l, hash, prev)) != BK_OK)
			goto out;
		if (l.seq == pinned->seq) {
			if (memcmp(hash, pinned->hash, BK_AUDIT_HASHBYTES) != 0)
				rc = bk_fail(BK_ERR_CORRUPT,
					     "%s: entry %" PRIu64 " differs from the one the vault pinned: "
					     "the log was rewritten or rolled back",
					     name, l.seq);
			else
				rc = too_many_commands(name, T.c.signed_after, pinned->seq);
			goto out;
		}
		if ((rc = tail_entry(name, p, len, &l, &T.c)) != BK_OK)
			goto out;
		T.next_seq = l.seq;
		memcpy(T.next_prev, prev, sizeof(prev));
	}
out:
	if (signed_after_p)
		*signed_after_p = rc == BK_OK ? T.c.signed_after : 0;
	free(r.buf);
	free(T.c.line);
	close_log(fd);
	return rc;
}

bk_status bk_audit_read_lock(const char *path, int *fd_p)
{
	uint64_t size;

	return open_log(path, fd_p, &size);
}

void bk_audit_read_unlock(int fd)
{
	close_log(fd);
}

/* ---- checkpoints ------------------------------------------------------ */

static const char CHECKPOINT_FORMAT[] = "brankas-audit-checkpoint";

bk_status bk_audit_checkpoint_format(char **text_p, const uint8_t vault_id[BK_AUDIT_VAULTIDBYTES],
				     const struct bk_audit_head *head)
{
	bk_status rc = BK_OK;
	char vid[BK_HEX_LEN(BK_AUDIT_VAULTIDBYTES)], hex[HEXLEN + 1], now[TIMELEN + 1];
	char *text = NULL;

	*text_p = NULL;
	if (head->seq > INT64_MAX || (head->seq == 0 && !is_zero(head->hash, BK_AUDIT_HASHBYTES))) {
		rc = bk_fail(BK_ERR_USAGE, "not a valid audit head");
		goto out;
	}
	if ((rc = utc_now(now)) != BK_OK)
		goto out;
	bk_hex_encode(vid, vault_id, BK_AUDIT_VAULTIDBYTES);
	bk_hex_encode(hex, head->hash, BK_AUDIT_HASHBYTES);
	if (asprintf(&text,
		     "{\"format\":\"%s\",\"version\":1,\"vault\":\"%s\",\"seq\":%" PRIu64
		     ",\"hash\":\"%s\",\"time\":\"%s\"}\n",
		     CHECKPOINT_FORMAT, vid, head->seq, hex, now) < 0) {
		text = NULL;
		rc = bk_fail(BK_ERR_NOMEM, "out of memory formatting a checkpoint");
		goto out;
	}
	*text_p = text;
out:
	return rc;
}

/* cp_string fetches a string member of exactly len bytes (0: any length). */
static const char *cp_string(json_t *obj, const char *key, size_t len)
{
	json_t *v = json_object_get(obj, key);

	if (!json_is_string(v) || (len && json_string_length(v) != len))
		return NULL;
	return json_string_value(v);
}

bk_status bk_audit_checkpoint_parse(const char *text, size_t len, const uint8_t vault_id[BK_AUDIT_VAULTIDBYTES],
				    struct bk_audit_head *head_p)
{
	bk_status rc = BK_OK;
	json_error_t err;
	json_t *root = NULL, *v;
	const char *s;
	uint8_t vid[BK_AUDIT_VAULTIDBYTES];
	struct bk_audit_head h = {0};

	memset(head_p, 0, sizeof(*head_p));
	if (len > 4096) {
		rc = bk_fail(BK_ERR_FORMAT, "checkpoint: longer than 4096 bytes");
		goto out;
	}
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
	if (!root) {
		rc = bk_fail(BK_ERR_FORMAT, "checkpoint: line %d, column %d: %s", err.line, err.column, err.text);
		goto out;
	}
	if (!json_is_object(root)) {
		rc = bk_fail(BK_ERR_FORMAT, "checkpoint: not a JSON object");
		goto out;
	}
	if (!(s = cp_string(root, "format", 0)) || strcmp(s, CHECKPOINT_FORMAT) != 0 ||
	    json_string_length(json_object_get(root, "format")) != LIT(CHECKPOINT_FORMAT)) {
		rc = bk_fail(BK_ERR_FORMAT, "checkpoint: not a brankas audit checkpoint");
		goto out;
	}
	v = json_object_get(root, "version");
	if (!json_is_integer(v) || json_integer_value(v) != 1) {
		rc = bk_fail(BK_ERR_FORMAT, "checkpoint: unsupported version");
		bk_hint("the checkpoint was written by a newer brankas");
		goto out;
	}
	if (json_object_size(root) != 6) {
		rc = bk_fail(BK_ERR_FORMAT, "checkpoint: expected exactly the keys format, version, vault, seq, hash, time");
		goto out;
	}
	if (!(s = cp_string(root, "vault", 2 * BK_AUDIT_VAULTIDBYTES)) || hex_decode(vid, sizeof(vid), s) != 0) {
		rc = bk_fail(BK_ERR_FORMAT, "checkpoint: vault must be %d lowercase hex digits", 2 * BK_AUDIT_VAULTIDBYTES);
		goto out;
	}
	v = json_object_get(root, "seq");
	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		rc = bk_fail(BK_ERR_FORMAT, "checkpoint: seq must be a non-negative integer");
		goto out;
	}
	h.seq = (uint64_t)json_integer_value(v);
	if (!(s = cp_string(root, "hash", HEXLEN)) || hex_decode(h.hash, sizeof(h.hash), s) != 0) {
		rc = bk_fail(BK_ERR_FORMAT, "checkpoint: hash must be %d lowercase hex digits", HEXLEN);
		goto out;
	}
	if (h.seq == 0 && !is_zero(h.hash, sizeof(h.hash))) {
		rc = bk_fail(BK_ERR_FORMAT, "checkpoint: entry 0 with a non-zero hash");
		goto out;
	}
	if (!(s = cp_string(root, "time", TIMELEN)) || !time_matches(s, TIMELEN)) {
		rc = bk_fail(BK_ERR_FORMAT, "checkpoint: time must be YYYY-MM-DDTHH:MM:SSZ");
		goto out;
	}
	if (!bk_ct_equal(vid, vault_id, sizeof(vid))) {
		rc = bk_fail(BK_ERR_CORRUPT, "checkpoint belongs to another vault");
		goto out;
	}
	*head_p = h;
out:
	json_decref(root);
	return rc;
}

/* ---- audit show ------------------------------------------------------- */

/* raw_control finds a byte the writer always escapes - C0 (white space
 * between tokens is still JSON), DEL, C1 (U+0080-U+009F, as UTF-8), U+2028
 * or U+2029 - so a hand-made line cannot drive the terminal `audit show`
 * prints to. */
static int raw_control(const char *line, size_t len)
{
	const unsigned char *s = (const unsigned char *)line;
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] < 0x20 || s[i] == 0x7f)
			return 1;
		if (s[i] == 0xc2 && i + 1 < len && s[i + 1] >= 0x80 && s[i + 1] <= 0x9f)
			return 1;
		if (s[i] == 0xe2 && i + 2 < len && s[i + 1] == 0x80 && (s[i + 2] == 0xa8 || s[i + 2] == 0xa9))
			return 1;
	}
	return 0;
}

static const char *show_string(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

bk_status bk_audit_show(const char *path, const struct bk_audit_filter *filter, bk_audit_emit emit, void *ctx)
{
	static const struct bk_audit_filter all = {0};
	const struct bk_audit_filter *f = filter ? filter : &all;
	bk_status rc = BK_OK;
	const char *name = base_name(path), *map = NULL, *p, *end;
	json_t *obj = NULL;
	uint64_t size = 0, lineno = 0;
	size_t since_len = f->since ? strlen(f->since) : 0;
	int fd = -1;

	if (f->since && !time_matches(f->since, since_len)) {
		rc = bk_fail(BK_ERR_USAGE, "'%s' is not a UTC time such as 2026-11-27T10:00:00Z or a prefix of one",
			     f->since);
		goto out;
	}
	if ((rc = open_log(path, &fd, &size)) != BK_OK)
		goto out;
	if ((rc = map_log(fd, size, name, &map)))
		goto out;
	/* no arithmetic on NULL: an empty log is not mapped */
	p = end = map;
	if (map)
		end = map + size;
	while (p < end) {
		size_t avail = (size_t)(end - p), len;
		const char *nl = memchr(p, '\n', avail < BK_AUDIT_MAX_LINE ? avail : BK_AUDIT_MAX_LINE);
		const char *actor, *action, *when;
		json_error_t err;

		lineno++;
		if (!nl) {
			rc = bk_fail(BK_ERR_CORRUPT, "%s: line %" PRIu64 " %s", name, lineno,
				     avail >= BK_AUDIT_MAX_LINE ? "is too long" : "has no newline");
			goto out;
		}
		len = (size_t)(nl - p);
		if (raw_control(p, len)) {
			rc = bk_fail(BK_ERR_CORRUPT, "%s: line %" PRIu64 " holds an unescaped control character", name,
				     lineno);
			goto out;
		}
		obj = json_loadb(p, len, JSON_REJECT_DUPLICATES, &err);
		if (!obj || !json_is_object(obj)) {
			rc = bk_fail(BK_ERR_CORRUPT, "%s: line %" PRIu64 " is not a JSON object", name, lineno);
			goto out;
		}
		actor = show_string(obj, "actor");
		action = show_string(obj, "action");
		when = show_string(obj, "time");
		if (!actor || !action || !when) {
			rc = bk_fail(BK_ERR_CORRUPT, "%s: line %" PRIu64 " lacks actor, action or time", name, lineno);
			goto out;
		}
		if ((!f->actor || strcmp(actor, f->actor) == 0) && (!f->action || strcmp(action, f->action) == 0) &&
		    (!f->since || strncmp(when, f->since, since_len) >= 0)) {
			if ((rc = emit(ctx, p, len)) != BK_OK)
				goto out;
		}
		json_decref(obj);
		obj = NULL;
		p = nl + 1;
	}
out:
	json_decref(obj);
	if (map)
		munmap((void *)map, (size_t)size);
	close_log(fd);
	return rc;
}
