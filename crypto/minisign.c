/* minisign.c - minisign's public-key, secret-key and signature files, written so
 * that the real minisign reads ours and parsed strictly when we read its.
 *
 * Layouts (after base64, all fixed-size; see minisign.h):
 *   public key  "Ed" keyid[8] pk[32]                                     42 bytes
 *   secret key  "Ed" kdf[2] "B2" salt[32] ops[8] mem[8] keynum_sk[104]    158 bytes
 *   signature   "ED"|"Ed" keyid[8] sig[64]                                74 bytes
 *   global sig  sig[64] over sig || trusted comment                       64 bytes
 * Each file is "untrusted comment: ...\n" then base64 lines ending in "\n"
 * ("\r\n" accepted); nothing may follow the last line. The line limits are
 * minisign's own fgets buffers, so whatever we accept minisign reads too. */
#include "crypto/minisign.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/encoding.h"
#include "crypto/secmem.h"

#define UNTRUSTED_PREFIX "untrusted comment: "
#define TRUSTED_PREFIX "trusted comment: "
#define UNTRUSTED_PREFIX_LEN (sizeof(UNTRUSTED_PREFIX) - 1)
#define TRUSTED_PREFIX_LEN (sizeof(TRUSTED_PREFIX) - 1)

/* minisign reads lines with fgets into COMMENTMAXBYTES (1024) and
 * TRUSTEDCOMMENTMAXBYTES (8192) buffers: a line and its end must fit. */
#define UNTRUSTED_LINE_MAX 1023
#define TRUSTED_LINE_MAX 8191
/* minisign -S refuses a trusted comment of 8192 - sizeof(prefix) or more */
#define TRUSTED_COMMENT_MAX (8192 - sizeof(TRUSTED_PREFIX) - 1)
/* minisign reads a passphrase into PASSWORDMAXBYTES (1024) and strips CR/LF */
#define PASS_MAX 1023

#define SIGALG "Ed"
#define SIGALG_HASHED "ED"
#define KDF_SCRYPT "Sc"
#define KDF_NONE "\0\0"
#define CHKALG "B2"

#define PK_BYTES 32
#define SK_BYTES 64
#define SIG_BYTES 64
#define CHK_BYTES 32
#define SALT_BYTES 32
#define KEYNUM_SK_BYTES (BK_MINISIGN_KEYIDBYTES + SK_BYTES + CHK_BYTES)

#define PUB_BYTES (2 + BK_MINISIGN_KEYIDBYTES + PK_BYTES)
#define SIGSTRUCT_BYTES (2 + BK_MINISIGN_KEYIDBYTES + SIG_BYTES)
/* offsets in the secret key structure */
#define SEC_KDF 2
#define SEC_CHKALG 4
#define SEC_SALT 6
#define SEC_OPS (SEC_SALT + SALT_BYTES)
#define SEC_MEM (SEC_OPS + 8)
#define SEC_KEYNUM (SEC_MEM + 8)
#define SEC_BYTES (SEC_KEYNUM + KEYNUM_SK_BYTES)

_Static_assert(SEC_BYTES == 158, "minisign secret key layout");
_Static_assert(SALT_BYTES == crypto_pwhash_scryptsalsa208sha256_SALTBYTES, "scrypt salt size");
_Static_assert(SK_BYTES == crypto_sign_SECRETKEYBYTES && PK_BYTES == crypto_sign_PUBLICKEYBYTES &&
		       SIG_BYTES == crypto_sign_BYTES,
	       "Ed25519 sizes");

static void le64_store(uint8_t p[8], uint64_t x)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (uint8_t)(x >> (8 * i));
}

static uint64_t le64_load(const uint8_t p[8])
{
	uint64_t x = 0;
	int i;

	for (i = 7; i >= 0; i--)
		x = (x << 8) | p[i];
	return x;
}

void bk_minisign_key_id_hex(char out[17], const uint8_t key_id[BK_MINISIGN_KEYIDBYTES])
{
	static const char digits[] = "0123456789ABCDEF";
	int i;

	/* minisign prints le64_load(keyid) with %016" PRIX64: last byte first */
	for (i = 0; i < BK_MINISIGN_KEYIDBYTES; i++) {
		out[2 * i] = digits[key_id[BK_MINISIGN_KEYIDBYTES - 1 - i] >> 4];
		out[2 * i + 1] = digits[key_id[BK_MINISIGN_KEYIDBYTES - 1 - i] & 15];
	}
	out[16] = '\0';
}

/* A cursor over a file being parsed; what names the file in messages. */
struct reader {
	const char *text;
	size_t len;
	size_t pos;
	unsigned lineno;
	const char *what;
};

/* take_line returns the next line without its "\n" or "\r\n", which must be
 * there. The line and its end fit in max bytes; NUL and a lone CR are refused
 * (minisign would cut the line there and check something else than we did). */
static bk_status take_line(struct reader *r, size_t max, const char **line_p, size_t *len_p)
{
	const char *start;
	size_t i, n;

	*line_p = NULL;
	*len_p = 0;
	r->lineno++;
	for (i = r->pos; i < r->len && r->text[i] != '\n'; i++) {
		if (i - r->pos + 2 > max) /* this byte and an end of line no longer fit */
			return bk_fail(BK_ERR_FORMAT, "%s, line %u: longer than %zu bytes", r->what, r->lineno, max);
		if (r->text[i] == '\0' || (r->text[i] == '\r' && (i + 1 == r->len || r->text[i + 1] != '\n')))
			return bk_fail(BK_ERR_FORMAT, "%s, line %u: invalid character", r->what, r->lineno);
	}
	if (i == r->len)
		return bk_fail(BK_ERR_FORMAT, "%s, line %u: %s", r->what, r->lineno,
			       r->pos == r->len ? "missing" : "truncated (no end of line)");
	n = i - r->pos;
	start = r->text + r->pos;
	r->pos = i + 1;
	if (n > 0 && start[n - 1] == '\r')
		n--;
	*line_p = start;
	*len_p = n;
	return BK_OK;
}

static bk_status take_end(const struct reader *r)
{
	if (r->pos != r->len)
		return bk_fail(BK_ERR_FORMAT, "%s, line %u: unexpected data after the last line", r->what,
			       r->lineno + 1);
	return BK_OK;
}

static bk_status take_untrusted_comment(struct reader *r)
{
	const char *line;
	size_t n;
	bk_status rc = take_line(r, UNTRUSTED_LINE_MAX, &line, &n);

	if (rc != BK_OK)
		return rc;
	if (n < UNTRUSTED_PREFIX_LEN || memcmp(line, UNTRUSTED_PREFIX, UNTRUSTED_PREFIX_LEN) != 0)
		return bk_fail(BK_ERR_FORMAT, "%s, line %u: does not start with '" UNTRUSTED_PREFIX "'", r->what,
			       r->lineno);
	return BK_OK;
}

/* take_b64_line decodes the next line, which must be canonical padded base64
 * of exactly n bytes, into bin (n bytes; may be guarded memory). */
static bk_status take_b64_line(struct reader *r, uint8_t *bin, size_t n)
{
	const char *line;
	size_t len, got = 0;
	bk_status rc = take_line(r, BK_B64_LEN(n) + 1, &line, &len);

	if (rc != BK_OK)
		return rc;
	if (len != BK_B64_LEN(n) - 1 || bk_b64_decode(bin, n, &got, line, len) != BK_OK || got != n) {
		sodium_memzero(bin, n);
		return bk_fail(BK_ERR_FORMAT, "%s, line %u: not base64 of %zu bytes", r->what, r->lineno, n);
	}
	return BK_OK;
}

/* join builds a malloc'd file from NUL-terminated pieces. */
static bk_status join(char **text_p, const char *const *parts, size_t nparts)
{
	size_t total = 1, i, pos = 0;
	char *text;

	*text_p = NULL;
	for (i = 0; i < nparts; i++)
		total += strlen(parts[i]);
	text = malloc(total);
	if (!text)
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	for (i = 0; i < nparts; i++) {
		size_t n = strlen(parts[i]);

		memcpy(text + pos, parts[i], n);
		pos += n;
	}
	text[pos] = '\0';
	*text_p = text;
	return BK_OK;
}

bk_status bk_minisign_keypair(struct bk_minisign_pub *pub, struct bk_minisign_sec *sec)
{
	bk_random(sec->key_id, sizeof(sec->key_id));
	if (crypto_sign_keypair(pub->pk, sec->sk) != 0) {
		sodium_memzero(sec, sizeof(*sec));
		return bk_fail(BK_ERR_CRYPTO, "cannot make an Ed25519 key pair");
	}
	memcpy(pub->key_id, sec->key_id, sizeof(pub->key_id));
	return BK_OK;
}

bk_status bk_minisign_pub_format(char **text_p, const struct bk_minisign_pub *pub)
{
	uint8_t bin[PUB_BYTES];
	char id[17], b64[BK_B64_LEN(PUB_BYTES)];
	char comment[UNTRUSTED_PREFIX_LEN + 64];

	memcpy(bin, SIGALG, 2);
	memcpy(bin + 2, pub->key_id, BK_MINISIGN_KEYIDBYTES);
	memcpy(bin + 2 + BK_MINISIGN_KEYIDBYTES, pub->pk, PK_BYTES);
	bk_b64_encode(b64, bin, sizeof(bin));
	bk_minisign_key_id_hex(id, pub->key_id);
	/* the same comment as minisign -G writes */
	snprintf(comment, sizeof(comment), UNTRUSTED_PREFIX "minisign public key %s\n", id);
	return join(text_p, (const char *const[]){ comment, b64, "\n" }, 3);
}

bk_status bk_minisign_pub_parse(struct bk_minisign_pub *pub, const char *text, size_t len)
{
	struct reader r = { text, len, 0, 0, "public key" };
	uint8_t bin[PUB_BYTES];
	bk_status rc;

	memset(pub, 0, sizeof(*pub));
	if (len >= UNTRUSTED_PREFIX_LEN && memcmp(text, UNTRUSTED_PREFIX, UNTRUSTED_PREFIX_LEN) == 0) {
		rc = take_untrusted_comment(&r);
		if (rc != BK_OK)
			goto out;
		rc = take_b64_line(&r, bin, sizeof(bin));
	} else if (len > 0 && memchr(text, '\n', len) == NULL) {
		/* a bare key as minisign -P takes it, without an end of line */
		size_t got = 0;

		rc = BK_OK;
		if (len != BK_B64_LEN(PUB_BYTES) - 1 || bk_b64_decode(bin, sizeof(bin), &got, text, len) != BK_OK ||
		    got != sizeof(bin))
			rc = bk_fail(BK_ERR_FORMAT, "public key: not base64 of %d bytes", PUB_BYTES);
		r.pos = len;
	} else {
		/* a bare key on a line of its own */
		rc = take_b64_line(&r, bin, sizeof(bin));
	}
	if (rc != BK_OK)
		goto out;
	rc = take_end(&r);
	if (rc != BK_OK)
		goto out;
	if (memcmp(bin, SIGALG, 2) != 0) {
		rc = bk_fail(BK_ERR_FORMAT, "public key: unsupported signature algorithm");
		goto out;
	}
	memcpy(pub->key_id, bin + 2, BK_MINISIGN_KEYIDBYTES);
	memcpy(pub->pk, bin + 2 + BK_MINISIGN_KEYIDBYTES, PK_BYTES);
out:
	return rc;
}

/* sec_checksum is minisign's BLAKE2b-256 over sig_alg || keyid || sk. */
static bk_status sec_checksum(uint8_t chk[CHK_BYTES], const uint8_t *keyid, const uint8_t *sk)
{
	crypto_generichash_state st;
	int bad;

	bad = crypto_generichash_init(&st, NULL, 0, CHK_BYTES) != 0;
	bad |= crypto_generichash_update(&st, (const uint8_t *)SIGALG, 2) != 0;
	bad |= crypto_generichash_update(&st, keyid, BK_MINISIGN_KEYIDBYTES) != 0;
	bad |= crypto_generichash_update(&st, sk, SK_BYTES) != 0;
	bad |= crypto_generichash_final(&st, chk, CHK_BYTES) != 0;
	sodium_memzero(&st, sizeof(st));
	return bad ? bk_fail(BK_ERR_CRYPTO, "BLAKE2b failed") : BK_OK;
}

/* scrypt_limits_ok bounds the cost a secret key file may ask for: minisign
 * writes the SENSITIVE preset or less, never below the library minimum. */
static int scrypt_limits_ok(uint64_t ops, uint64_t mem)
{
	return ops >= crypto_pwhash_scryptsalsa208sha256_OPSLIMIT_MIN &&
	       ops <= crypto_pwhash_scryptsalsa208sha256_OPSLIMIT_SENSITIVE &&
	       mem >= crypto_pwhash_scryptsalsa208sha256_MEMLIMIT_MIN &&
	       mem <= crypto_pwhash_scryptsalsa208sha256_MEMLIMIT_SENSITIVE;
}

static int pass_ok(const char *pass)
{
	return strlen(pass) <= PASS_MAX && !strchr(pass, '\r') && !strchr(pass, '\n');
}

/* xor_keynum XORs keynum_sk (in s) with scrypt(pass, salt, ops, mem). */
static bk_status xor_keynum(uint8_t *s, const char *pass, uint64_t ops, uint64_t mem)
{
	bk_status rc = BK_OK;
	uint8_t *stream = bk_secmem_alloc(KEYNUM_SK_BYTES);
	size_t i;

	if (!stream)
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	if (crypto_pwhash_scryptsalsa208sha256(stream, KEYNUM_SK_BYTES, pass, strlen(pass), s + SEC_SALT,
					       (unsigned long long)ops, (size_t)mem) != 0) {
		rc = bk_fail(BK_ERR_NOMEM, "not enough memory for scrypt (%llu bytes)", (unsigned long long)mem);
		goto out;
	}
	for (i = 0; i < KEYNUM_SK_BYTES; i++)
		s[SEC_KEYNUM + i] ^= stream[i];
out:
	bk_secmem_free(stream);
	return rc;
}

/* sec_build fills s (SEC_BYTES of guarded memory) with sec, encrypted under
 * pass at the given cost when pass is not NULL. */
static bk_status sec_build(uint8_t *s, const struct bk_minisign_sec *sec, const char *pass, uint64_t ops, uint64_t mem)
{
	bk_status rc;

	memcpy(s, SIGALG, 2);
	memcpy(s + SEC_KDF, pass ? KDF_SCRYPT : KDF_NONE, 2);
	memcpy(s + SEC_CHKALG, CHKALG, 2);
	/* an unencrypted key keeps salt and cost zero, as minisign -G -W does */
	if (pass) {
		bk_random(s + SEC_SALT, SALT_BYTES);
		le64_store(s + SEC_OPS, ops);
		le64_store(s + SEC_MEM, mem);
	}
	memcpy(s + SEC_KEYNUM, sec->key_id, BK_MINISIGN_KEYIDBYTES);
	memcpy(s + SEC_KEYNUM + BK_MINISIGN_KEYIDBYTES, sec->sk, SK_BYTES);
	/* minisign -G -W leaves the checksum zero and never checks it on an
	 * unencrypted key; we always write it, so corruption shows */
	rc = sec_checksum(s + SEC_KEYNUM + BK_MINISIGN_KEYIDBYTES + SK_BYTES, sec->key_id, sec->sk);
	if (rc == BK_OK && pass)
		rc = xor_keynum(s, pass, ops, mem);
	return rc;
}

/* sec_format writes the file; with a passphrase, ops == 0 asks for minisign's
 * own cost. */
static bk_status sec_format(char **text_p, const struct bk_minisign_sec *sec, const char *pass, uint64_t ops,
			    uint64_t mem)
{
	bk_status rc;
	uint8_t *s = NULL;
	char *b64 = NULL;

	*text_p = NULL;
	if (pass && !pass_ok(pass)) {
		rc = bk_fail(BK_ERR_USAGE, "passphrase longer than %d bytes or with a line break", PASS_MAX);
		goto out;
	}
	s = bk_secmem_alloc(SEC_BYTES);
	b64 = bk_secmem_alloc(BK_B64_LEN(SEC_BYTES));
	if (!s || !b64) {
		rc = bk_fail(BK_ERR_NOMEM, "out of memory");
		goto out;
	}
	if (!pass) {
		rc = sec_build(s, sec, NULL, 0, 0);
	} else if (ops == 0) {
		/* minisign -G: the SENSITIVE preset, halved while memory is short */
		ops = crypto_pwhash_scryptsalsa208sha256_OPSLIMIT_SENSITIVE;
		mem = crypto_pwhash_scryptsalsa208sha256_MEMLIMIT_SENSITIVE;
		int was_short = bk_alloc_failed();

		while ((rc = sec_build(s, sec, pass, ops, mem)) == BK_ERR_NOMEM && scrypt_limits_ok(ops / 2, mem / 2)) {
			ops /= 2;
			mem /= 2;
		}
		if (rc == BK_OK && !was_short)
			bk_forget_alloc_failed(); /* the halving was the answer to it */
	} else {
		rc = sec_build(s, sec, pass, ops, mem);
	}
	if (rc != BK_OK)
		goto out;
	bk_b64_encode(b64, s, SEC_BYTES);
	rc = join(text_p,
		  (const char *const[]){ pass ? UNTRUSTED_PREFIX "minisign encrypted secret key\n"
					      : UNTRUSTED_PREFIX "minisign secret key\n",
					 b64, "\n" },
		  3);
out:
	bk_secmem_free(b64);
	bk_secmem_free(s);
	return rc;
}

bk_status bk_minisign_sec_format(char **text_p, const struct bk_minisign_sec *sec, const char *pass)
{
	return sec_format(text_p, sec, pass, 0, 0);
}

bk_status bk_minisign_sec_format_cost(char **text_p, const struct bk_minisign_sec *sec, const char *pass,
				      unsigned long long opslimit, size_t memlimit)
{
	*text_p = NULL;
	if (!pass || !scrypt_limits_ok(opslimit, memlimit))
		return bk_fail(BK_ERR_USAGE, "scrypt cost out of range or no passphrase");
	return sec_format(text_p, sec, pass, opslimit, memlimit);
}

bk_status bk_minisign_sec_parse(struct bk_minisign_sec *sec, const char *text, size_t len, const char *pass)
{
	struct reader r = { text, len, 0, 0, "secret key" };
	uint8_t *s = NULL, *chk = NULL, *kp = NULL;
	uint8_t pk[PK_BYTES];
	bk_status rc;

	memset(sec, 0, sizeof(*sec));
	s = bk_secmem_alloc(SEC_BYTES);
	chk = bk_secmem_alloc(CHK_BYTES);
	kp = bk_secmem_alloc(SK_BYTES);
	if (!s || !chk || !kp) {
		rc = bk_fail(BK_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = take_untrusted_comment(&r)) != BK_OK || (rc = take_b64_line(&r, s, SEC_BYTES)) != BK_OK ||
	    (rc = take_end(&r)) != BK_OK)
		goto out;
	if (memcmp(s, SIGALG, 2) != 0 || memcmp(s + SEC_CHKALG, CHKALG, 2) != 0) {
		rc = bk_fail(BK_ERR_FORMAT, "secret key: unsupported signature or checksum algorithm");
		goto out;
	}
	if (memcmp(s + SEC_KDF, KDF_SCRYPT, 2) == 0) {
		uint64_t ops = le64_load(s + SEC_OPS), mem = le64_load(s + SEC_MEM);

		if (!scrypt_limits_ok(ops, mem)) {
			rc = bk_fail(BK_ERR_FORMAT, "secret key: scrypt cost out of range");
			goto out;
		}
		if (!pass) {
			rc = bk_fail(BK_ERR_AUTH, "secret key is encrypted");
			bk_hint("give the passphrase of the key");
			goto out;
		}
		if (!pass_ok(pass)) {
			rc = bk_fail(BK_ERR_AUTH, "wrong passphrase for the secret key");
			goto out;
		}
		rc = xor_keynum(s, pass, ops, mem);
		if (rc != BK_OK)
			goto out;
		rc = sec_checksum(chk, s + SEC_KEYNUM, s + SEC_KEYNUM + BK_MINISIGN_KEYIDBYTES);
		if (rc != BK_OK)
			goto out;
		if (sodium_memcmp(chk, s + SEC_KEYNUM + BK_MINISIGN_KEYIDBYTES + SK_BYTES, CHK_BYTES) != 0) {
			rc = bk_fail(BK_ERR_AUTH, "wrong passphrase for the secret key");
			goto out;
		}
	} else if (memcmp(s + SEC_KDF, KDF_NONE, 2) == 0) {
		/* zero is what minisign -G -W writes; anything else must match */
		rc = sec_checksum(chk, s + SEC_KEYNUM, s + SEC_KEYNUM + BK_MINISIGN_KEYIDBYTES);
		if (rc != BK_OK)
			goto out;
		if (!sodium_is_zero(s + SEC_KEYNUM + BK_MINISIGN_KEYIDBYTES + SK_BYTES, CHK_BYTES) &&
		    sodium_memcmp(chk, s + SEC_KEYNUM + BK_MINISIGN_KEYIDBYTES + SK_BYTES, CHK_BYTES) != 0) {
			rc = bk_fail(BK_ERR_CORRUPT, "secret key: checksum mismatch");
			goto out;
		}
	} else {
		rc = bk_fail(BK_ERR_FORMAT, "secret key: unsupported key derivation function");
		goto out;
	}
	/* Ed25519 sk = seed || pk: the pk half must be the seed's, or we would
	 * sign with one key and announce another (and a zero checksum proves
	 * nothing about an unencrypted key) */
	if (crypto_sign_seed_keypair(pk, kp, s + SEC_KEYNUM + BK_MINISIGN_KEYIDBYTES) != 0 ||
	    sodium_memcmp(kp, s + SEC_KEYNUM + BK_MINISIGN_KEYIDBYTES, SK_BYTES) != 0) {
		rc = bk_fail(BK_ERR_CORRUPT, "secret key: public half does not match the seed");
		goto out;
	}
	memcpy(sec->key_id, s + SEC_KEYNUM, BK_MINISIGN_KEYIDBYTES);
	memcpy(sec->sk, s + SEC_KEYNUM + BK_MINISIGN_KEYIDBYTES, SK_BYTES);
out:
	bk_secmem_free(kp);
	bk_secmem_free(chk);
	bk_secmem_free(s);
	return rc;
}

bk_status bk_minisign_sign(char **sig_p, const uint8_t *m, size_t mlen, const struct bk_minisign_sec *sec,
			   const char *trusted_comment)
{
	uint8_t hash[BK_MINISIGN_PREHASHBYTES];

	*sig_p = NULL;
	if (crypto_generichash(hash, sizeof(hash), m, mlen, NULL, 0) != 0)
		return bk_fail(BK_ERR_CRYPTO, "BLAKE2b failed");
	return bk_minisign_sign_prehashed(sig_p, hash, sec, trusted_comment);
}

bk_status bk_minisign_sign_prehashed(char **sig_p, const uint8_t hash[BK_MINISIGN_PREHASHBYTES],
				     const struct bk_minisign_sec *sec, const char *trusted_comment)
{
	uint8_t sigstruct[SIGSTRUCT_BYTES], global[SIG_BYTES];
	char sig_b64[BK_B64_LEN(SIGSTRUCT_BYTES)], global_b64[BK_B64_LEN(SIG_BYTES)];
	char stamp[64];
	uint8_t *signed_tc = NULL;
	size_t tclen;
	bk_status rc;

	*sig_p = NULL;
	if (!trusted_comment) {
		snprintf(stamp, sizeof(stamp), "timestamp:%lld", (long long)time(NULL));
		trusted_comment = stamp;
	}
	tclen = strlen(trusted_comment);
	if (tclen > TRUSTED_COMMENT_MAX || strchr(trusted_comment, '\n') || strchr(trusted_comment, '\r')) {
		rc = bk_fail(BK_ERR_USAGE, "trusted comment longer than %zu bytes or not one line",
			     (size_t)TRUSTED_COMMENT_MAX);
		goto out;
	}
	/* "ED": Ed25519 over BLAKE2b-512(m), what minisign 0.10+ writes by default */
	memcpy(sigstruct, SIGALG_HASHED, 2);
	memcpy(sigstruct + 2, sec->key_id, BK_MINISIGN_KEYIDBYTES);
	if (crypto_sign_detached(sigstruct + 2 + BK_MINISIGN_KEYIDBYTES, NULL, hash, BK_MINISIGN_PREHASHBYTES,
				 sec->sk) != 0) {
		rc = bk_fail(BK_ERR_CRYPTO, "signing failed");
		goto out;
	}
	signed_tc = malloc(SIG_BYTES + tclen);
	if (!signed_tc) {
		rc = bk_fail(BK_ERR_NOMEM, "out of memory");
		goto out;
	}
	memcpy(signed_tc, sigstruct + 2 + BK_MINISIGN_KEYIDBYTES, SIG_BYTES);
	memcpy(signed_tc + SIG_BYTES, trusted_comment, tclen);
	/* like minisign, check the global signature against the key's public
	 * half: a damaged sk must not yield a file that fails to verify later */
	if (crypto_sign_detached(global, NULL, signed_tc, SIG_BYTES + tclen, sec->sk) != 0 ||
	    crypto_sign_verify_detached(global, signed_tc, SIG_BYTES + tclen, sec->sk + 32) != 0) {
		rc = bk_fail(BK_ERR_CRYPTO, "signing failed: the secret key is damaged");
		goto out;
	}
	bk_b64_encode(sig_b64, sigstruct, sizeof(sigstruct));
	bk_b64_encode(global_b64, global, sizeof(global));
	rc = join(sig_p,
		  (const char *const[]){ UNTRUSTED_PREFIX "signature from minisign secret key\n", sig_b64, "\n",
					 TRUSTED_PREFIX, trusted_comment, "\n", global_b64, "\n" },
		  8);
out:
	free(signed_tc);
	return rc;
}

static bk_status verify(const char *sig, size_t siglen, const uint8_t *m, size_t mlen, const uint8_t *prehash,
			const struct bk_minisign_pub *pub, char **trusted_comment_p);

bk_status bk_minisign_verify(const char *sig, size_t siglen, const uint8_t *m, size_t mlen,
			     const struct bk_minisign_pub *pub, char **trusted_comment_p)
{
	return verify(sig, siglen, m, mlen, NULL, pub, trusted_comment_p);
}

bk_status bk_minisign_verify_prehashed(const char *sig, size_t siglen, const uint8_t hash[BK_MINISIGN_PREHASHBYTES],
				       const struct bk_minisign_pub *pub, char **trusted_comment_p)
{
	return verify(sig, siglen, NULL, 0, hash, pub, trusted_comment_p);
}

/* verify checks sig over m, or over the message whose BLAKE2b-512 is prehash
 * (then only "ED" signatures: a legacy one signs the message itself). */
static bk_status verify(const char *sig, size_t siglen, const uint8_t *m, size_t mlen, const uint8_t *prehash,
			const struct bk_minisign_pub *pub, char **trusted_comment_p)
{
	struct reader r = { sig, siglen, 0, 0, "signature" };
	uint8_t hash[crypto_generichash_BYTES_MAX];
	uint8_t sigstruct[SIGSTRUCT_BYTES], global[SIG_BYTES];
	const char *tcline;
	size_t tclinelen, tclen;
	uint8_t *signed_tc = NULL;
	char *tc = NULL;
	int hashed;
	bk_status rc;

	if (trusted_comment_p)
		*trusted_comment_p = NULL;
	if ((rc = take_untrusted_comment(&r)) != BK_OK || (rc = take_b64_line(&r, sigstruct, sizeof(sigstruct))) != BK_OK ||
	    (rc = take_line(&r, TRUSTED_LINE_MAX, &tcline, &tclinelen)) != BK_OK)
		goto out;
	if (tclinelen < TRUSTED_PREFIX_LEN || memcmp(tcline, TRUSTED_PREFIX, TRUSTED_PREFIX_LEN) != 0) {
		rc = bk_fail(BK_ERR_FORMAT, "signature, line 3: does not start with '" TRUSTED_PREFIX "'");
		goto out;
	}
	if ((rc = take_b64_line(&r, global, sizeof(global))) != BK_OK || (rc = take_end(&r)) != BK_OK)
		goto out;
	if (memcmp(sigstruct, SIGALG_HASHED, 2) == 0) {
		hashed = 1;
	} else if (memcmp(sigstruct, SIGALG, 2) == 0) {
		hashed = 0; /* legacy: Ed25519 over the message itself */
	} else {
		rc = bk_fail(BK_ERR_FORMAT, "signature: unsupported signature algorithm");
		goto out;
	}
	if (memcmp(sigstruct + 2, pub->key_id, BK_MINISIGN_KEYIDBYTES) != 0) {
		char want[17], got[17];

		bk_minisign_key_id_hex(got, sigstruct + 2);
		bk_minisign_key_id_hex(want, pub->key_id);
		rc = bk_fail(BK_ERR_AUTH, "signature is by key %s, not by key %s", got, want);
		goto out;
	}
	if (!hashed && prehash) {
		rc = bk_fail(BK_ERR_FORMAT, "signature: a legacy minisign signature (not prehashed) cannot sign this file");
		goto out;
	}
	if (prehash)
		memcpy(hash, prehash, sizeof(hash));
	else if (hashed && crypto_generichash(hash, sizeof(hash), m, mlen, NULL, 0) != 0) {
		rc = bk_fail(BK_ERR_CRYPTO, "BLAKE2b failed");
		goto out;
	}
	if (crypto_sign_verify_detached(sigstruct + 2 + BK_MINISIGN_KEYIDBYTES, hashed ? hash : m,
					hashed ? sizeof(hash) : mlen, pub->pk) != 0) {
		rc = bk_fail(BK_ERR_AUTH, "signature does not verify");
		goto out;
	}
	tclen = tclinelen - TRUSTED_PREFIX_LEN;
	signed_tc = malloc(SIG_BYTES + tclen);
	tc = malloc(tclen + 1);
	if (!signed_tc || !tc) {
		rc = bk_fail(BK_ERR_NOMEM, "out of memory");
		goto out;
	}
	memcpy(signed_tc, sigstruct + 2 + BK_MINISIGN_KEYIDBYTES, SIG_BYTES);
	memcpy(signed_tc + SIG_BYTES, tcline + TRUSTED_PREFIX_LEN, tclen);
	if (crypto_sign_verify_detached(global, signed_tc, SIG_BYTES + tclen, pub->pk) != 0) {
		rc = bk_fail(BK_ERR_AUTH, "trusted comment signature does not verify");
		goto out;
	}
	memcpy(tc, tcline + TRUSTED_PREFIX_LEN, tclen);
	tc[tclen] = '\0';
	if (trusted_comment_p) {
		*trusted_comment_p = tc;
		tc = NULL;
	}
out:
	free(tc);
	free(signed_tc);
	return rc;
}
