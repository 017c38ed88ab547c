/* age.c - the age v1 file format with X25519 recipients (c2sp.org/age):
 * header parsing and writing, stanza wrapping, the header MAC and the STREAM
 * payload, on libsodium (X25519, ChaCha20-Poly1305 for stanzas, HMAC-SHA-256),
 * OpenSSL (ChaCha20-Poly1305 for the payload) and crypto/hkdf (HKDF-SHA-256).
 * The parser follows the spec's ABNF strictly, as the CCTV test vectors
 * demand: every byte it rejects is a malleability closed. */
#include "crypto/age.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/encoding.h"
#include "crypto/hkdf.h"
#include "crypto/identity.h"
#include "crypto/secmem.h"

#define VERSION_PREFIX "age-encryption.org/"
#define IDENTITY_HRP "AGE-SECRET-KEY-"
#define X25519_INFO "age-encryption.org/v1/X25519"
#define LINE_COLS 64  /* base64 characters in a full body line */
#define LINE_BYTES 48 /* the bytes they decode to */
#define MAC_BYTES crypto_auth_hmacsha256_BYTES
#define MAC_B64 43 /* unpadded base64 of 32 bytes */
#define SHARE_B64 43
#define TAG_BYTES crypto_aead_chacha20poly1305_ietf_ABYTES
#define WRAPPED_BYTES (BK_AGE_FILEKEYBYTES + TAG_BYTES)
#define ENC_CHUNK (BK_AGE_CHUNK + TAG_BYTES)
#define PAYLOAD_NONCEBYTES 16
#define STREAM_NONCEBYTES crypto_aead_chacha20poly1305_ietf_NPUBBYTES
#define KEYBYTES 32

/* Keys of one operation, in one guarded allocation. */
struct secrets {
	uint8_t file_key[BK_AGE_FILEKEYBYTES];
	uint8_t eph[32];    /* ephemeral secret (writer) */
	uint8_t shared[32]; /* X25519 shared secret */
	uint8_t wrap[KEYBYTES];
	uint8_t mac_key[KEYBYTES];
	uint8_t payload_key[KEYBYTES];
};

static bk_status no_guarded_memory(void)
{
	return bk_fail(BK_ERR_NOMEM, "out of guarded memory");
}

/* ---- STREAM ---- */

/* stream_nonce writes the 12-byte chunk nonce: an 11-byte big-endian counter
 * (only the low 8 bytes can be non-zero with a 64-bit count) and the last flag. */
static void stream_nonce(uint8_t nonce[STREAM_NONCEBYTES], uint64_t counter, int last)
{
	int i;

	memset(nonce, 0, STREAM_NONCEBYTES);
	for (i = 10; i >= 3; i--) {
		nonce[i] = (uint8_t)counter;
		counter >>= 8;
	}
	nonce[11] = last ? 1 : 0;
}

/* The payload's ChaCha20-Poly1305 goes through OpenSSL's EVP rather than
 * libsodium: on 64 KiB chunks OpenSSL's AVX2/AVX-512 code is 2-3 times faster
 * than libsodium 1.0.18's, which decides how fast extracts are written. This
 * breaks the house rule on one point: the key schedule lives in the EVP
 * context (OpenSSL's heap, not guarded memory); EVP_CIPHER_CTX_free cleanses
 * it. The caller's copy of the key is in guarded memory and wiped. */
static bk_status stream_init(EVP_CIPHER_CTX **ctx_p, const uint8_t key[KEYBYTES], int enc)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	bk_status rc = BK_OK;

	*ctx_p = NULL;
	if (!ctx || EVP_CipherInit_ex(ctx, EVP_chacha20_poly1305(), NULL, key, NULL, enc) != 1) {
		rc = bk_fail(BK_ERR_CRYPTO, "OpenSSL has no ChaCha20-Poly1305");
		ERR_clear_error();
		EVP_CIPHER_CTX_free(ctx);
		goto out;
	}
	*ctx_p = ctx;
out:
	return rc;
}

/* stream_seal writes n + TAG_BYTES bytes of sealed m (n <= BK_AGE_CHUNK) to c. */
static bk_status stream_seal(EVP_CIPHER_CTX *ctx, uint8_t *c, const uint8_t *m, size_t n,
			     const uint8_t nonce[STREAM_NONCEBYTES])
{
	int outl = 0, finl = 0;

	if (EVP_EncryptInit_ex(ctx, NULL, NULL, NULL, nonce) != 1 ||
	    (n > 0 && EVP_EncryptUpdate(ctx, c, &outl, m, (int)n) != 1) || EVP_EncryptFinal_ex(ctx, c + outl, &finl) != 1 ||
	    (size_t)outl + (size_t)finl != n || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, TAG_BYTES, c + n) != 1) {
		ERR_clear_error();
		return bk_fail(BK_ERR_CRYPTO, "ChaCha20-Poly1305 encryption failed");
	}
	return BK_OK;
}

/* stream_open opens clen >= TAG_BYTES bytes of c into m; 0 when they
 * authenticate. m is wiped otherwise: OpenSSL writes before it verifies. */
static int stream_open(EVP_CIPHER_CTX *ctx, uint8_t *m, const uint8_t *c, size_t clen, uint64_t counter, int last)
{
	uint8_t nonce[STREAM_NONCEBYTES], tag[TAG_BYTES];
	size_t n = clen - TAG_BYTES;
	int outl = 0, finl = 0, ok;

	stream_nonce(nonce, counter, last);
	memcpy(tag, c + n, TAG_BYTES);
	ok = EVP_DecryptInit_ex(ctx, NULL, NULL, NULL, nonce) == 1 &&
	     (n == 0 || EVP_DecryptUpdate(ctx, m, &outl, c, (int)n) == 1) &&
	     EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, TAG_BYTES, tag) == 1 &&
	     EVP_DecryptFinal_ex(ctx, m + outl, &finl) == 1 && (size_t)outl + (size_t)finl == n;
	if (!ok) {
		sodium_memzero(m, n);
		ERR_clear_error();
	}
	return ok ? 0 : -1;
}

static bk_status payload_key(struct secrets *s, const uint8_t nonce[PAYLOAD_NONCEBYTES])
{
	return bk_hkdf_sha256(s->payload_key, KEYBYTES, s->file_key, BK_AGE_FILEKEYBYTES, nonce, PAYLOAD_NONCEBYTES,
			      (const uint8_t *)"payload", 7);
}

/* header_mac computes the HMAC of the header text before the MAC's space. */
static bk_status header_mac(uint8_t mac[MAC_BYTES], struct secrets *s, const uint8_t *text, size_t len)
{
	bk_status rc;

	if ((rc = bk_hkdf_sha256(s->mac_key, KEYBYTES, s->file_key, BK_AGE_FILEKEYBYTES, NULL, 0,
				 (const uint8_t *)"header", 6)))
		return rc;
	crypto_auth_hmacsha256(mac, text, len, s->mac_key);
	return BK_OK;
}

/* ---- writer ---- */

enum writer_state { W_OPEN, W_CLOSED, W_FAILED };

struct bk_age_writer {
	bk_age_sink sink;
	void *ctx;
	EVP_CIPHER_CTX *aead; /* keyed with the payload key */
	uint8_t *plain;       /* guarded: the chunk being filled */
	uint8_t *out;         /* one sealed chunk (ciphertext is not secret) */
	size_t fill;
	uint64_t counter;
	enum writer_state state;
};

/* x25519_wrap appends one X25519 stanza for pk to text at *pos. */
static bk_status x25519_wrap(char *text, size_t *pos, struct secrets *s, const uint8_t pk[32])
{
	static const uint8_t zero_nonce[STREAM_NONCEBYTES];
	uint8_t share[32], salt[64], body[WRAPPED_BYTES];
	bk_status rc = BK_OK;

	bk_random(s->eph, sizeof(s->eph));
	if (crypto_scalarmult_base(share, s->eph) != 0 || crypto_scalarmult(s->shared, s->eph, pk) != 0) {
		/* libsodium refuses an all-zero shared secret: pk has low order */
		rc = bk_fail(BK_ERR_USAGE, "age recipient is not a valid X25519 public key");
		goto out;
	}
	memcpy(salt, share, 32);
	memcpy(salt + 32, pk, 32);
	if ((rc = bk_hkdf_sha256(s->wrap, KEYBYTES, s->shared, 32, salt, sizeof(salt), (const uint8_t *)X25519_INFO,
				 sizeof(X25519_INFO) - 1)))
		goto out;
	crypto_aead_chacha20poly1305_ietf_encrypt(body, NULL, s->file_key, BK_AGE_FILEKEYBYTES, NULL, 0, NULL,
						  zero_nonce, s->wrap);
	memcpy(text + *pos, "-> X25519 ", 10);
	*pos += 10;
	bk_b64_encode_nopad(text + *pos, share, sizeof(share));
	*pos += SHARE_B64;
	text[(*pos)++] = '\n';
	bk_b64_encode_nopad(text + *pos, body, sizeof(body));
	*pos += 43; /* 32 bytes: one short body line */
	text[(*pos)++] = '\n';
out:
	sodium_memzero(s->eph, sizeof(s->eph));
	sodium_memzero(s->shared, sizeof(s->shared));
	sodium_memzero(s->wrap, sizeof(s->wrap));
	return rc;
}

/* writer_emit seals n bytes from m as the next chunk and sends it. */
static bk_status writer_emit(struct bk_age_writer *w, const uint8_t *m, size_t n, int last)
{
	uint8_t nonce[STREAM_NONCEBYTES];
	bk_status rc;

	stream_nonce(nonce, w->counter, last);
	if ((rc = stream_seal(w->aead, w->out, m, n, nonce)) || (rc = w->sink(w->ctx, w->out, n + TAG_BYTES)))
		w->state = W_FAILED;
	w->counter++;
	return rc;
}

static void writer_wipe(struct bk_age_writer *w)
{
	EVP_CIPHER_CTX_free(w->aead); /* cleanses the key schedule */
	bk_secmem_free(w->plain);
	w->aead = NULL;
	w->plain = NULL;
	w->fill = 0;
}

bk_status bk_age_writer_open(struct bk_age_writer **w_p, const uint8_t (*recipients)[32], size_t n, bk_age_sink sink,
			     void *ctx)
{
	/* per stanza: "-> X25519 " share LF body LF */
	const size_t stanza_len = 10 + SHARE_B64 + 1 + 43 + 1;
	struct bk_age_writer *w = NULL;
	struct secrets *s = bk_secmem_alloc(sizeof(*s));
	char *text = NULL;
	uint8_t mac[MAC_BYTES], *nonce;
	size_t cap, pos = 0, i;
	bk_status rc = BK_OK;

	*w_p = NULL;
	if (!recipients || n == 0 || !sink) {
		rc = bk_fail(BK_ERR_USAGE, "age encryption needs at least one recipient and a sink");
		goto out;
	}
	if (n > (SIZE_MAX / 2) / stanza_len) {
		rc = bk_fail(BK_ERR_USAGE, "too many age recipients");
		goto out;
	}
	cap = sizeof(BK_AGE_MAGIC) - 1 + n * stanza_len + 4 + MAC_B64 + 1 + PAYLOAD_NONCEBYTES + 1;
	w = calloc(1, sizeof(*w));
	text = malloc(cap);
	if (!w || !text) {
		rc = bk_fail(BK_ERR_NOMEM, "out of memory");
		goto out;
	}
	w->plain = bk_secmem_alloc(BK_AGE_CHUNK);
	w->out = malloc(ENC_CHUNK);
	if (!s || !w->plain || !w->out) {
		rc = no_guarded_memory();
		goto out;
	}
	w->sink = sink;
	w->ctx = ctx;
	bk_random(s->file_key, sizeof(s->file_key));
	memcpy(text, BK_AGE_MAGIC, sizeof(BK_AGE_MAGIC) - 1);
	pos = sizeof(BK_AGE_MAGIC) - 1;
	for (i = 0; i < n; i++)
		if ((rc = x25519_wrap(text, &pos, s, recipients[i])))
			goto out;
	memcpy(text + pos, "---", 3);
	pos += 3;
	if ((rc = header_mac(mac, s, (const uint8_t *)text, pos)))
		goto out;
	text[pos++] = ' ';
	bk_b64_encode_nopad(text + pos, mac, sizeof(mac));
	pos += MAC_B64;
	text[pos++] = '\n';
	nonce = (uint8_t *)text + pos;
	bk_random(nonce, PAYLOAD_NONCEBYTES);
	pos += PAYLOAD_NONCEBYTES;
	if ((rc = payload_key(s, nonce)) || (rc = stream_init(&w->aead, s->payload_key, 1)))
		goto out;
	if ((rc = sink(ctx, (const uint8_t *)text, pos)))
		goto out;
	w->state = W_OPEN;
	*w_p = w;
	w = NULL;
out:
	bk_age_writer_free(w);
	free(text);
	bk_secmem_free(s);
	return rc;
}

bk_status bk_age_writer_write(struct bk_age_writer *w, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	bk_status rc = BK_OK;
	size_t take;

	if (!w || w->state != W_OPEN)
		return bk_fail(BK_ERR_STATE, "age writer is closed or failed");
	while (len > 0) {
		/* a full chunk is sealed only once more data shows it is not the last */
		if (w->fill == BK_AGE_CHUNK) {
			if ((rc = writer_emit(w, w->plain, BK_AGE_CHUNK, 0)))
				goto out;
			w->fill = 0;
		}
		if (w->fill == 0 && len > BK_AGE_CHUNK) {
			/* whole chunks straight from the caller's buffer */
			if ((rc = writer_emit(w, p, BK_AGE_CHUNK, 0)))
				goto out;
			p += BK_AGE_CHUNK;
			len -= BK_AGE_CHUNK;
			continue;
		}
		take = BK_AGE_CHUNK - w->fill < len ? BK_AGE_CHUNK - w->fill : len;
		memcpy(w->plain + w->fill, p, take);
		w->fill += take;
		p += take;
		len -= take;
	}
out:
	if (rc != BK_OK) {
		w->state = W_FAILED;
		writer_wipe(w);
	}
	return rc;
}

bk_status bk_age_writer_close(struct bk_age_writer *w)
{
	bk_status rc;

	if (!w || w->state != W_OPEN)
		return bk_fail(BK_ERR_STATE, "age writer is closed or failed");
	rc = writer_emit(w, w->plain, w->fill, 1);
	w->state = rc == BK_OK ? W_CLOSED : W_FAILED;
	writer_wipe(w);
	return rc;
}

void bk_age_writer_free(struct bk_age_writer *w)
{
	if (!w)
		return;
	writer_wipe(w);
	free(w->out);
	free(w);
}

/* ---- header parser ---- */

/* A stanza as found in the input; pointers into it. */
struct stanza {
	size_t line; /* line number of the "->" line, for messages */
	size_t nargs;
	const uint8_t *arg[2]; /* the first two arguments */
	size_t arglen[2];
	const uint8_t *body; /* the body lines, line feeds included */
	size_t bodylen;
	size_t bodybytes; /* the decoded length */
};

struct header {
	size_t nstanzas;
	size_t first;   /* offset of the first stanza */
	size_t mac_end; /* the MAC covers in[0, mac_end): up to and including "---" */
	size_t payload; /* offset of the payload nonce */
	uint8_t mac[MAC_BYTES];
};

/* next_line finds the line at pos; 0 when no line feed ends it. */
static int next_line(const uint8_t *in, size_t len, size_t pos, size_t *linelen_p)
{
	const uint8_t *lf = pos < len ? memchr(in + pos, '\n', len - pos) : NULL;

	*linelen_p = lf ? (size_t)(lf - (in + pos)) : 0;
	return lf != NULL;
}

static int has_prefix(const uint8_t *p, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);

	return n >= k && memcmp(p, prefix, k) == 0;
}

/* b64_exact decodes canonical unpadded base64 into exactly n bytes. */
static int b64_exact(uint8_t *out, size_t n, const uint8_t *b64, size_t b64len)
{
	size_t got = 0;

	return b64len == (n * 4 + 2) / 3 && bk_b64_decode_nopad(out, n, &got, (const char *)b64, b64len) == BK_OK &&
	       got == n;
}

/* stanza_read checks the stanza whose "->" line is at *pos_p (line number
 * *line_p) and moves both past it. The body is decoded to check it and count
 * its bytes; a stanza type that needs it decodes it again from st->body. */
static bk_status stanza_read(const uint8_t *in, size_t len, size_t *pos_p, size_t *line_p, struct stanza *st)
{
	size_t pos = *pos_p, n, i, start;
	uint8_t chunk[LINE_BYTES];
	bk_status rc = BK_OK;

	memset(st, 0, sizeof(*st));
	st->line = *line_p;
	if (!next_line(in, len, pos, &n) || !has_prefix(in + pos, n, "-> ")) {
		rc = bk_fail(BK_ERR_FORMAT, "age header line %zu: not a stanza", *line_p);
		goto out;
	}
	/* arguments: 1*VCHAR each, separated by single spaces */
	for (i = 3, start = 3; i <= n; i++) {
		if (i < n && in[pos + i] != ' ') {
			if (in[pos + i] < 33 || in[pos + i] > 126) {
				rc = bk_fail(BK_ERR_FORMAT, "age header line %zu: invalid character in a stanza argument",
					     *line_p);
				goto out;
			}
			continue;
		}
		if (i == start) {
			rc = bk_fail(BK_ERR_FORMAT, "age header line %zu: empty stanza argument", *line_p);
			goto out;
		}
		if (st->nargs < 2) {
			st->arg[st->nargs] = in + pos + start;
			st->arglen[st->nargs] = i - start;
		}
		st->nargs++;
		start = i + 1;
	}
	pos += n + 1;
	(*line_p)++;
	/* body: full 64-column lines, then one shorter line (possibly empty) */
	st->body = in + pos;
	for (;;) {
		size_t got = 0;

		if (!next_line(in, len, pos, &n)) {
			rc = bk_fail(BK_ERR_FORMAT, "age header line %zu: stanza body does not end", *line_p);
			goto out;
		}
		if (has_prefix(in + pos, n, "->") || has_prefix(in + pos, n, "---")) {
			rc = bk_fail(BK_ERR_FORMAT, "age header line %zu: stanza body does not end with a short line",
				     *line_p);
			goto out;
		}
		if (n > LINE_COLS) {
			rc = bk_fail(BK_ERR_FORMAT, "age header line %zu: stanza body line longer than 64 columns",
				     *line_p);
			goto out;
		}
		if (n > 0 && bk_b64_decode_nopad(chunk, sizeof(chunk), &got, (const char *)in + pos, n) != BK_OK) {
			rc = bk_fail(BK_ERR_FORMAT, "age header line %zu: stanza body is not canonical base64", *line_p);
			goto out;
		}
		st->bodybytes += got;
		pos += n + 1;
		(*line_p)++;
		if (n < LINE_COLS)
			break;
	}
	st->bodylen = (size_t)(in + pos - st->body);
	*pos_p = pos;
out:
	sodium_memzero(chunk, sizeof(chunk));
	return rc;
}

static int stanza_is(const struct stanza *st, const char *type)
{
	size_t k = strlen(type);

	return st->nargs >= 1 && st->arglen[0] == k && memcmp(st->arg[0], type, k) == 0;
}

/* x25519_stanza checks an X25519 stanza's shape (the spec's MUSTs) and
 * returns its share and wrapped file key. */
static bk_status x25519_stanza(const struct stanza *st, uint8_t share[32], uint8_t wrapped[WRAPPED_BYTES])
{
	if (st->nargs != 2)
		return bk_fail(BK_ERR_FORMAT, "age header line %zu: X25519 stanza with %zu arguments, expected 2",
			       st->line, st->nargs);
	if (!b64_exact(share, 32, st->arg[1], st->arglen[1]))
		return bk_fail(BK_ERR_FORMAT, "age header line %zu: X25519 share is not 32 bytes of canonical base64",
			       st->line);
	/* checked before any decryption: no partitioning oracle on the length */
	if (st->bodybytes != WRAPPED_BYTES ||
	    !b64_exact(wrapped, WRAPPED_BYTES, st->body, st->bodylen > 0 ? st->bodylen - 1 : 0))
		return bk_fail(BK_ERR_FORMAT, "age header line %zu: X25519 stanza body is %zu bytes, expected %d",
			       st->line, st->bodybytes, WRAPPED_BYTES);
	return BK_OK;
}

/* header_parse checks the whole header's syntax and finds the MAC and the
 * payload. Nothing is decrypted here. */
static bk_status header_parse(const uint8_t *in, size_t len, struct header *h)
{
	uint8_t share[32], wrapped[WRAPPED_BYTES];
	size_t pos = 0, line = 1, n;
	int scrypt = 0;
	struct stanza st;
	bk_status rc = BK_OK;

	memset(h, 0, sizeof(*h));
	if (!next_line(in, len, 0, &n) || n + 1 != sizeof(BK_AGE_MAGIC) - 1 ||
	    memcmp(in, BK_AGE_MAGIC, sizeof(BK_AGE_MAGIC) - 1) != 0) {
		if (n == sizeof(BK_AGE_MAGIC) - 1 && in[n - 1] == '\r' && memcmp(in, BK_AGE_MAGIC, n - 1) == 0) {
			rc = bk_fail(BK_ERR_FORMAT, "age header has CRLF line endings");
			bk_hint("age files are binary: copy them without converting line endings");
		} else if (has_prefix(in, len, "-----BEGIN AGE ENCRYPTED FILE-----")) {
			rc = bk_fail(BK_ERR_FORMAT, "ASCII-armored age files are not supported");
			bk_hint("decode it with 'age -d' or re-encrypt without --armor");
		} else if (has_prefix(in, len, VERSION_PREFIX)) {
			rc = bk_fail(BK_ERR_FORMAT, "unsupported age format version");
			bk_hint("only age-encryption.org/v1 files can be read");
		} else {
			rc = bk_fail(BK_ERR_FORMAT, "not an age file");
		}
		goto out;
	}
	pos = n + 1;
	line++;
	h->first = pos;
	for (;;) {
		if (!next_line(in, len, pos, &n)) {
			rc = bk_fail(BK_ERR_FORMAT, "age header line %zu: header ends without a MAC line", line);
			goto out;
		}
		if (has_prefix(in + pos, n, "---"))
			break;
		if ((rc = stanza_read(in, len, &pos, &line, &st)))
			goto out;
		if (stanza_is(&st, "X25519") && (rc = x25519_stanza(&st, share, wrapped)))
			goto out;
		scrypt |= stanza_is(&st, "scrypt");
		h->nstanzas++;
	}
	if (h->nstanzas == 0) {
		rc = bk_fail(BK_ERR_FORMAT, "age header has no recipient stanza");
		goto out;
	}
	/* the spec: an scrypt stanza must be alone, so that a passphrase implies authenticity */
	if (scrypt && h->nstanzas != 1) {
		rc = bk_fail(BK_ERR_FORMAT, "age header mixes an scrypt stanza with other stanzas");
		goto out;
	}
	if (n != 4 + MAC_B64 || in[pos + 3] != ' ' || !b64_exact(h->mac, MAC_BYTES, in + pos + 4, MAC_B64)) {
		rc = bk_fail(BK_ERR_FORMAT, "age header line %zu: malformed MAC line", line);
		goto out;
	}
	h->mac_end = pos + 3;
	h->payload = pos + n + 1;
out:
	sodium_memzero(wrapped, sizeof(wrapped));
	return rc;
}

/* ---- decryption ---- */

/* unwrap finds the first X25519 stanza that opens with x_sk, in order, and
 * stores the file key in s. */
static bk_status unwrap(const uint8_t *in, size_t len, const struct header *h, const uint8_t x_sk[32],
			struct secrets *s)
{
	static const uint8_t zero_nonce[STREAM_NONCEBYTES];
	uint8_t pk[32], salt[64], wrapped[WRAPPED_BYTES];
	size_t pos = h->first, line = 2, i;
	struct stanza st;
	bk_status rc = BK_OK;
	int scrypt = 0;

	crypto_scalarmult_base(pk, x_sk);
	for (i = 0; i < h->nstanzas; i++) {
		if ((rc = stanza_read(in, len, &pos, &line, &st)))
			goto out;
		scrypt |= stanza_is(&st, "scrypt");
		if (!stanza_is(&st, "X25519"))
			continue;
		if ((rc = x25519_stanza(&st, salt, wrapped)))
			goto out;
		/* salt = ephemeral share || recipient */
		memcpy(salt + 32, pk, 32);
		if (crypto_scalarmult(s->shared, x_sk, salt) != 0) {
			rc = bk_fail(BK_ERR_FORMAT, "age header line %zu: X25519 share is a low-order point", st.line);
			goto out;
		}
		if ((rc = bk_hkdf_sha256(s->wrap, KEYBYTES, s->shared, 32, salt, sizeof(salt),
					 (const uint8_t *)X25519_INFO, sizeof(X25519_INFO) - 1)))
			goto out;
		if (crypto_aead_chacha20poly1305_ietf_decrypt(s->file_key, NULL, NULL, wrapped, sizeof(wrapped), NULL, 0,
							      zero_nonce, s->wrap) == 0)
			goto out;
	}
	rc = bk_fail(BK_ERR_NOTFOUND, "no age recipient stanza matches the identity");
	if (scrypt)
		bk_hint("the file is passphrase-encrypted (scrypt), which is not supported");
out:
	sodium_memzero(wrapped, sizeof(wrapped));
	sodium_memzero(s->shared, sizeof(s->shared));
	sodium_memzero(s->wrap, sizeof(s->wrap));
	return rc;
}

/* decrypt_with_key checks the header MAC under the file key in s and
 * decrypts the payload. Like age's streaming reader, a chunk is released once
 * it authenticates as either a final or a non-final chunk at its position;
 * only then does the file's length show that it ended too early or goes on
 * after the final chunk. Those plaintexts are authentic; the error still
 * tells the caller to discard everything (the WARNING in age.h). */
static bk_status decrypt_with_key(const uint8_t *in, size_t len, const struct header *h, struct secrets *s,
				  bk_age_sink sink, void *ctx)
{
	uint8_t mac[MAC_BYTES], *plain = NULL;
	EVP_CIPHER_CTX *aead = NULL;
	size_t pos, left, clen;
	uint64_t counter = 0;
	bk_status rc = BK_OK;
	int last;

	if ((rc = header_mac(mac, s, in, h->mac_end)))
		goto out;
	if (!bk_ct_equal(mac, h->mac, MAC_BYTES)) {
		rc = bk_fail(BK_ERR_CORRUPT, "age header MAC does not verify: the header was altered");
		goto out;
	}
	if (len - h->payload < PAYLOAD_NONCEBYTES) {
		rc = bk_fail(BK_ERR_FORMAT, "age file ends before the payload nonce");
		goto out;
	}
	if ((rc = payload_key(s, in + h->payload)) || (rc = stream_init(&aead, s->payload_key, 0)))
		goto out;
	if (!(plain = bk_secmem_alloc(BK_AGE_CHUNK))) {
		rc = no_guarded_memory();
		goto out;
	}
	pos = h->payload + PAYLOAD_NONCEBYTES;
	do {
		left = len - pos;
		clen = left < ENC_CHUNK ? left : ENC_CHUNK;
		if (clen < TAG_BYTES) {
			rc = bk_fail(BK_ERR_CORRUPT, "age payload is truncated: chunk %llu is missing or short",
				     (unsigned long long)counter);
			goto out;
		}
		/* the flag the length suggests first; a full chunk may carry the other */
		last = left <= ENC_CHUNK;
		if (stream_open(aead, plain, in + pos, clen, counter, last) != 0) {
			last = !last;
			if (clen != ENC_CHUNK || stream_open(aead, plain, in + pos, clen, counter, last) != 0) {
				rc = bk_fail(BK_ERR_CORRUPT, "age payload chunk %llu does not authenticate",
					     (unsigned long long)counter);
				goto out;
			}
		}
		if (last && clen == TAG_BYTES && counter > 0) {
			rc = bk_fail(BK_ERR_CORRUPT, "age payload ends with an empty chunk after full ones");
			goto out;
		}
		if ((rc = sink(ctx, plain, clen - TAG_BYTES)))
			goto out;
		if (last && left > clen) {
			rc = bk_fail(BK_ERR_CORRUPT, "age payload has data after the final chunk");
			goto out;
		}
		if (!last && left == clen) {
			rc = bk_fail(BK_ERR_CORRUPT, "age payload is truncated after chunk %llu",
				     (unsigned long long)counter);
			goto out;
		}
		pos += clen;
		counter++;
	} while (!last);
out:
	EVP_CIPHER_CTX_free(aead);
	bk_secmem_free(plain);
	return rc;
}

/* Decrypts with the file key either unwrapped from the header by x_sk or, when x_sk is NULL, given as
 * file_key; both public entry points share the header parse and the guarded-memory lifetime. */
static bk_status decrypt_with_identity_or_file_key(const uint8_t *in, size_t len, const uint8_t *x_sk,
						   const uint8_t *file_key, bk_age_sink sink, void *ctx)
{
	struct secrets *s = NULL;
	struct header h;
	bk_status rc;

	if (!in || !sink) {
		rc = bk_fail(BK_ERR_USAGE, "age decryption needs input and a sink");
		goto out;
	}
	if ((rc = header_parse(in, len, &h)))
		goto out;
	if (!(s = bk_secmem_alloc(sizeof(*s)))) {
		rc = no_guarded_memory();
		goto out;
	}
	if (x_sk)
		rc = unwrap(in, len, &h, x_sk, s);
	else
		memcpy(s->file_key, file_key, BK_AGE_FILEKEYBYTES);
	if (rc == BK_OK)
		rc = decrypt_with_key(in, len, &h, s, sink, ctx);
out:
	bk_secmem_free(s);
	return rc;
}

bk_status bk_age_decrypt(const uint8_t *in, size_t len, const uint8_t x_sk[32], bk_age_sink sink, void *ctx)
{
	return decrypt_with_identity_or_file_key(in, len, x_sk, NULL, sink, ctx);
}

bk_status bk_age_decrypt_with_file_key(const uint8_t *in, size_t len, const uint8_t file_key[BK_AGE_FILEKEYBYTES],
				       bk_age_sink sink, void *ctx)
{
	return decrypt_with_identity_or_file_key(in, len, NULL, file_key, sink, ctx);
}

/* ---- key strings ---- */

bk_status bk_age_identity_encode(char *out, size_t cap, const uint8_t x_sk[32])
{
	return bk_bech32_encode(out, cap, IDENTITY_HRP, x_sk, 32, 1);
}

bk_status bk_age_identity_decode(uint8_t x_sk[32], const char *s, size_t len)
{
	bk_status rc = BK_OK;

	/* age compares the prefix case-sensitively: only the upper-case form is an identity */
	if (!s || !has_prefix((const uint8_t *)s, len, IDENTITY_HRP "1")) {
		rc = bk_fail(BK_ERR_FORMAT, "not an age identity");
		bk_hint("an age identity starts with 'AGE-SECRET-KEY-1'");
		goto out;
	}
	if (bk_bech32_decode(x_sk, 32, IDENTITY_HRP, s, len) != BK_OK) {
		rc = bk_fail(BK_ERR_FORMAT, "malformed age identity");
		goto out;
	}
out:
	if (rc != BK_OK)
		sodium_memzero(x_sk, 32);
	return rc;
}

bk_status bk_age_recipient_decode(uint8_t pk[32], const char *s, size_t len)
{
	bk_status rc = BK_OK;

	if (!s || !has_prefix((const uint8_t *)s, len, "age1")) {
		rc = bk_fail(BK_ERR_FORMAT, "not an age recipient");
		bk_hint("an age recipient starts with 'age1'");
		goto out;
	}
	if (bk_bech32_decode(pk, 32, "age", s, len) != BK_OK) {
		rc = bk_fail(BK_ERR_FORMAT, "malformed age recipient");
		goto out;
	}
out:
	if (rc != BK_OK)
		memset(pk, 0, 32);
	return rc;
}
