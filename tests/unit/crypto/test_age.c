/* test_age.c - the age v1 format (crypto/age): every CCTV test vector that an
 * X25519-only decryptor can run (tests/fixtures/age-cctv, a copy of
 * github.com/C2SP/CCTV age/testdata, see SOURCE.md there), round trips
 * through the writer, tampering, the writer's states and the key strings.
 *
 * Vectors skipped, counted and asserted below:
 *   armor   `armored: yes`: ASCII armor is not implemented
 *   hybrid  an AGE-SECRET-KEY-PQ- identity (ML-KEM-768 + X25519), alone or
 *           beside an X25519 one: the hybrid type is not implemented
 *   scrypt  only `passphrase:` lines: scrypt is not implemented
 * A vector with a passphrase and an X25519 identity (scrypt_and_x25519) runs:
 * its outcome does not depend on the passphrase. Vectors without any
 * identity (empty) run with an arbitrary key. */
#include "tests/unit/unit.h"

#include <dirent.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <zlib.h>

#include "base/fileio.h"
#include "crypto/age.h"
#include "crypto/identity.h"
#include "crypto/secmem.h"

#define CCTV_DIR BK_TEST_FIXTURES "/age-cctv"
#define CCTV_FILES 143 /* vector files in the copy (README.md and SOURCE.md aside) */
#define CCTV_RUN 68
#define CCTV_SKIP_ARMOR 33
#define CCTV_SKIP_HYBRID 18
#define CCTV_SKIP_SCRYPT 24
#define MAX_IDENTITIES 4

/* ---- sinks ---- */

/* hash_sink hashes what it receives and checks the chunk bound. */
struct hashed {
	crypto_hash_sha256_state st;
	size_t total, calls, biggest;
};

static void hashed_init(struct hashed *h)
{
	memset(h, 0, sizeof(*h));
	crypto_hash_sha256_init(&h->st);
}

static bk_status hash_sink(void *ctx, const uint8_t *buf, size_t len)
{
	struct hashed *h = ctx;

	crypto_hash_sha256_update(&h->st, buf, len);
	h->total += len;
	h->calls++;
	if (len > h->biggest)
		h->biggest = len;
	return BK_OK;
}

/* buf_sink collects bytes; fail_after > 0 makes call number fail_after fail. */
struct buf {
	uint8_t *p;
	size_t len, cap, calls, fail_after;
};

static bk_status buf_sink(void *ctx, const uint8_t *data, size_t len)
{
	struct buf *b = ctx;

	if (++b->calls == b->fail_after)
		return BK_ERR_IO;
	if (b->len + len > b->cap) {
		size_t cap = (b->len + len) * 2 + 64;
		uint8_t *p = realloc(b->p, cap);

		assert_non_null(p);
		b->p = p;
		b->cap = cap;
	}
	if (len > 0)
		memcpy(b->p + b->len, data, len);
	b->len += len;
	return BK_OK;
}

static void buf_free(struct buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/* ---- CCTV vectors ---- */

struct vector {
	const char *name;
	char expect[32];
	uint8_t payload[32];
	int has_payload, has_file_key, armored, passphrase, compressed;
	uint8_t file_key[BK_AGE_FILEKEYBYTES];
	char identity[MAX_IDENTITIES][128];
	size_t nidentity;
	uint8_t *age; /* the age file, inflated when compressed */
	size_t agelen;
	uint8_t *raw;
};

static void unhex(uint8_t *out, size_t n, const char *hex, size_t hexlen)
{
	size_t got = 0;

	assert_int_equal(hexlen, n * 2);
	assert_int_equal(sodium_hex2bin(out, n, hex, hexlen, NULL, &got, NULL), 0);
	assert_int_equal(got, n);
}

static void inflate_all(struct vector *v, const uint8_t *in, size_t len)
{
	z_stream z;
	size_t cap = 1 << 20;
	int zr;

	memset(&z, 0, sizeof(z));
	assert_int_equal(inflateInit(&z), Z_OK);
	v->age = malloc(cap);
	assert_non_null(v->age);
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)len;
	do {
		if (v->agelen == cap) {
			cap *= 2;
			assert_true(cap <= (64u << 20));
			v->age = realloc(v->age, cap);
			assert_non_null(v->age);
		}
		z.next_out = v->age + v->agelen;
		z.avail_out = (uInt)(cap - v->agelen);
		zr = inflate(&z, Z_NO_FLUSH);
		assert_true(zr == Z_OK || zr == Z_STREAM_END);
		v->agelen = cap - z.avail_out;
	} while (zr != Z_STREAM_END);
	assert_int_equal(z.avail_in, 0);
	inflateEnd(&z);
}

/* vector_load reads the text header (key: value lines, a blank line) and the age file. */
static void vector_load(struct vector *v, const char *dir, const char *name)
{
	char path[512];
	size_t len = 0, pos = 0;

	memset(v, 0, sizeof(*v));
	v->name = name;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(bk_file_read(path, 16u << 20, &v->raw, &len), BK_OK);
	for (;;) {
		const char *line = (const char *)v->raw + pos, *lf = memchr(line, '\n', len - pos), *val;
		size_t n, klen;

		assert_non_null(lf);
		n = (size_t)(lf - line);
		pos += n + 1;
		if (n == 0)
			break;
		val = memchr(line, ':', n);
		assert_non_null(val);
		klen = (size_t)(val - line);
		assert_true(n >= klen + 2 && val[1] == ' ');
		val += 2;
		n -= klen + 2;
#define KEY(k) (klen == sizeof(k) - 1 && memcmp(line, k, klen) == 0)
		if (KEY("expect")) {
			assert_true(n < sizeof(v->expect));
			memcpy(v->expect, val, n);
		} else if (KEY("payload")) {
			unhex(v->payload, sizeof(v->payload), val, n);
			v->has_payload = 1;
		} else if (KEY("file key")) {
			/* the *_long_file_key vectors wrap a longer one, which is their point */
			if (n == 2 * sizeof(v->file_key)) {
				unhex(v->file_key, sizeof(v->file_key), val, n);
				v->has_file_key = 1;
			}
		} else if (KEY("identity")) {
			assert_true(v->nidentity < MAX_IDENTITIES && n < sizeof(v->identity[0]));
			memcpy(v->identity[v->nidentity++], val, n);
		} else if (KEY("passphrase")) {
			v->passphrase = 1;
		} else if (KEY("armored")) {
			v->armored = n == 3 && memcmp(val, "yes", 3) == 0;
		} else if (KEY("compressed")) {
			assert_true(n == 4 && memcmp(val, "zlib", 4) == 0);
			v->compressed = 1;
		}
#undef KEY
	}
	if (v->compressed) {
		inflate_all(v, v->raw + pos, len - pos);
	} else {
		v->agelen = len - pos;
		v->age = malloc(v->agelen + 1);
		assert_non_null(v->age);
		memcpy(v->age, v->raw + pos, v->agelen);
	}
}

static void vector_free(struct vector *v)
{
	free(v->raw);
	free(v->age);
}

enum skip { RUN, SKIP_ARMOR, SKIP_HYBRID, SKIP_SCRYPT };

static enum skip vector_skip(const struct vector *v)
{
	size_t i, x25519 = 0;

	if (v->armored)
		return SKIP_ARMOR;
	for (i = 0; i < v->nidentity; i++) {
		if (strncmp(v->identity[i], "AGE-SECRET-KEY-PQ-", 18) == 0)
			return SKIP_HYBRID;
		x25519++;
	}
	if (v->passphrase && x25519 == 0)
		return SKIP_SCRYPT;
	return RUN;
}

/* expected_status maps the vector's expectation to the API's error classes. */
static int expected_status(const char *expect, bk_status *rc_p)
{
	if (strcmp(expect, "success") == 0)
		*rc_p = BK_OK;
	else if (strcmp(expect, "header failure") == 0)
		*rc_p = BK_ERR_FORMAT;
	else if (strcmp(expect, "no match") == 0)
		*rc_p = BK_ERR_NOTFOUND;
	else if (strcmp(expect, "HMAC failure") == 0 || strcmp(expect, "payload failure") == 0)
		*rc_p = BK_ERR_CORRUPT;
	else
		return 0;
	return 1;
}

/* vector_run returns the number of problems found (each printed). */
static int vector_run(const struct vector *v)
{
	uint8_t *sk = bk_secmem_alloc(32), digest[32];
	char again[BK_AGE_IDENTITY_LEN];
	struct hashed h;
	bk_status want, rc;
	int bad = 0;

	assert_non_null(sk);
	if (!expected_status(v->expect, &want)) {
		print_message("%s: unknown expectation '%s'\n", v->name, v->expect);
		bk_secmem_free(sk);
		return 1;
	}
	assert_true(v->nidentity <= 1);
	if (v->nidentity == 1) {
		/* the identity string known answer: decode, re-encode, same string */
		if (bk_age_identity_decode(sk, v->identity[0], strlen(v->identity[0])) != BK_OK ||
		    bk_age_identity_encode(again, sizeof(again), sk) != BK_OK || strcmp(again, v->identity[0]) != 0) {
			print_message("%s: identity does not round-trip\n", v->name);
			bad++;
		}
	} else {
		bk_random(sk, 32);
	}
	hashed_init(&h);
	rc = bk_age_decrypt(v->age, v->agelen, sk, hash_sink, &h);
	crypto_hash_sha256_final(&h.st, digest);
	if (rc != want) {
		print_message("%s (%s): got %s (%s)\n", v->name, v->expect, bk_strerror(rc), bk_error_detail());
		bad++;
	}
	if (h.biggest > BK_AGE_CHUNK) {
		print_message("%s: a sink call of %zu bytes\n", v->name, h.biggest);
		bad++;
	}
	if (want == BK_OK || strcmp(v->expect, "payload failure") == 0) {
		/* released plaintext, even before a payload failure, must match */
		if (!v->has_payload || memcmp(digest, v->payload, 32) != 0) {
			print_message("%s: plaintext released (%zu bytes) does not match the payload hash\n", v->name,
				      h.total);
			bad++;
		}
		/* and STREAM on its own, from the file key */
		if (v->has_file_key) {
			hashed_init(&h);
			rc = bk_age_decrypt_with_file_key(v->age, v->agelen, v->file_key, hash_sink, &h);
			crypto_hash_sha256_final(&h.st, digest);
			if (rc != want || memcmp(digest, v->payload, 32) != 0) {
				print_message("%s: with the file key: %s (%s)\n", v->name, bk_strerror(rc),
					      bk_error_detail());
				bad++;
			}
		}
	} else if (h.total != 0) {
		print_message("%s: %zu bytes released before a header failure\n", v->name, h.total);
		bad++;
	}
	bk_secmem_free(sk);
	return bad;
}

static void test_cctv_vectors(void **state)
{
	size_t files = 0, counts[4] = { 0, 0, 0, 0 };
	struct dirent *de;
	DIR *d;
	int bad = 0;

	(void)state;
	d = opendir(CCTV_DIR);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		struct vector v;
		enum skip why;

		if (de->d_name[0] == '.' || strcmp(de->d_name, "README.md") == 0 || strcmp(de->d_name, "SOURCE.md") == 0)
			continue;
		files++;
		vector_load(&v, CCTV_DIR, de->d_name);
		why = vector_skip(&v);
		counts[why]++;
		if (why == RUN)
			bad += vector_run(&v);
		vector_free(&v);
	}
	closedir(d);
	print_message("age CCTV: %zu vectors run, skipped %zu armored, %zu hybrid, %zu scrypt\n", counts[RUN],
		      counts[SKIP_ARMOR], counts[SKIP_HYBRID], counts[SKIP_SCRYPT]);
	assert_int_equal(bad, 0);
	assert_int_equal(files, CCTV_FILES);
	assert_int_equal(counts[RUN], CCTV_RUN);
	assert_int_equal(counts[SKIP_ARMOR], CCTV_SKIP_ARMOR);
	assert_int_equal(counts[SKIP_HYBRID], CCTV_SKIP_HYBRID);
	assert_int_equal(counts[SKIP_SCRYPT], CCTV_SKIP_SCRYPT);
}

/* ---- round trips through the writer ---- */

static void keypair(uint8_t pk[32], uint8_t *sk)
{
	bk_random(sk, 32);
	crypto_scalarmult_base(pk, sk);
}

/* encrypt writes data in pieces of at most piece bytes (0: all at once). */
static void encrypt(struct buf *out, const uint8_t *data, size_t n, const uint8_t (*pks)[32], size_t npk,
		    size_t piece)
{
	struct bk_age_writer *w = NULL;
	size_t off = 0;

	memset(out, 0, sizeof(*out));
	assert_int_equal(bk_age_writer_open(&w, pks, npk, buf_sink, out), BK_OK);
	assert_non_null(w);
	do {
		size_t k = piece == 0 || n - off < piece ? n - off : piece;

		assert_int_equal(bk_age_writer_write(w, data + off, k), BK_OK);
		off += k;
	} while (off < n);
	assert_int_equal(bk_age_writer_close(w), BK_OK);
	bk_age_writer_free(w);
}

static size_t header_len(const struct buf *b)
{
	const uint8_t *mac = memmem(b->p, b->len, "\n--- ", 5);

	assert_non_null(mac);
	return (size_t)(mac - b->p) + 5 + 43 + 1;
}

static size_t chunks_of(size_t n)
{
	return n == 0 ? 1 : (n + BK_AGE_CHUNK - 1) / BK_AGE_CHUNK;
}

static uint8_t *random_bytes(size_t n)
{
	uint8_t *p = malloc(n ? n : 1);

	assert_non_null(p);
	bk_random(p, n);
	return p;
}

static void test_roundtrip_sizes(void **state)
{
	static const size_t sizes[] = { 0, 1, 65535, 65536, 65537, 3 * 65536 };
	static const size_t pieces[] = { 0, 1, 4097, 65536 };
	uint8_t pk[1][32], *sk = bk_secmem_alloc(32);
	size_t i, j;

	(void)state;
	assert_non_null(sk);
	keypair(pk[0], sk);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint8_t *data = random_bytes(sizes[i]);

		for (j = 0; j < sizeof(pieces) / sizeof(pieces[0]); j++) {
			struct buf ct, pt;

			encrypt(&ct, data, sizes[i], (const uint8_t(*)[32])pk, 1, pieces[j]);
			assert_memory_equal(ct.p, BK_AGE_MAGIC, sizeof(BK_AGE_MAGIC) - 1);
			assert_int_equal(ct.len, header_len(&ct) + 16 + sizes[i] + 16 * chunks_of(sizes[i]));
			memset(&pt, 0, sizeof(pt));
			assert_int_equal(bk_age_decrypt(ct.p, ct.len, sk, buf_sink, &pt), BK_OK);
			assert_int_equal(pt.len, sizes[i]);
			assert_int_equal(pt.calls, chunks_of(sizes[i]));
			if (sizes[i] > 0)
				assert_memory_equal(pt.p, data, sizes[i]);
			buf_free(&ct);
			buf_free(&pt);
		}
		free(data);
	}
	bk_secmem_free(sk);
}

static void test_multiple_recipients(void **state)
{
	uint8_t pks[3][32], *sks = bk_secmem_alloc(3 * 32), *other = bk_secmem_alloc(32), *data = random_bytes(70000);
	const char *p;
	struct buf ct, pt;
	size_t i, n = 0;

	(void)state;
	assert_non_null(sks);
	assert_non_null(other);
	for (i = 0; i < 3; i++)
		keypair(pks[i], sks + 32 * i);
	encrypt(&ct, data, 70000, (const uint8_t(*)[32])pks, 3, 0);
	for (p = (const char *)ct.p; (p = memmem(p, ct.len - (size_t)(p - (const char *)ct.p), "\n-> X25519 ", 11));
	     p++)
		n++;
	assert_int_equal(n, 3);
	for (i = 0; i < 3; i++) {
		memset(&pt, 0, sizeof(pt));
		assert_int_equal(bk_age_decrypt(ct.p, ct.len, sks + 32 * i, buf_sink, &pt), BK_OK);
		assert_int_equal(pt.len, 70000);
		assert_memory_equal(pt.p, data, 70000);
		buf_free(&pt);
	}
	/* a key that is not a recipient: not found, nothing released */
	bk_random(other, 32);
	memset(&pt, 0, sizeof(pt));
	assert_int_equal(bk_age_decrypt(ct.p, ct.len, other, buf_sink, &pt), BK_ERR_NOTFOUND);
	assert_int_equal(pt.len, 0);
	buf_free(&ct);
	free(data);
	bk_secmem_free(sks);
	bk_secmem_free(other);
}

/* try_decrypt decrypts a copy of in changed by the caller and returns the status and how much was released. */
static bk_status try_decrypt(const uint8_t *in, size_t len, const uint8_t *sk, size_t *released_p)
{
	struct hashed h;
	bk_status rc;

	hashed_init(&h);
	rc = bk_age_decrypt(in, len, sk, hash_sink, &h);
	*released_p = h.total;
	return rc;
}

/* replace_b64 changes the base64 character at off into another one that
 * keeps the encoding canonical (off must not be a line's last character). */
static void replace_b64(uint8_t *p, size_t off)
{
	p[off] = p[off] == 'A' ? 'B' : 'A';
}

static void test_tamper(void **state)
{
	uint8_t pks[2][32], *sks = bk_secmem_alloc(64), *data = random_bytes(2 * 65536 + 10), *c;
	size_t hl, released, stanza2;
	const uint8_t *p;
	struct buf ct;

	(void)state;
	assert_non_null(sks);
	keypair(pks[0], sks);
	keypair(pks[1], sks + 32);
	encrypt(&ct, data, 2 * 65536 + 10, (const uint8_t(*)[32])pks, 2, 0);
	hl = header_len(&ct);
	c = malloc(ct.len + 1);
	assert_non_null(c);

	/* the intact file */
	assert_int_equal(try_decrypt(ct.p, ct.len, sks, &released), BK_OK);
	assert_int_equal(released, 2 * 65536 + 10);

	/* version line: not an age v1 file */
	memcpy(c, ct.p, ct.len);
	c[20] ^= 1;
	assert_int_equal(try_decrypt(c, ct.len, sks, &released), BK_ERR_FORMAT);
	assert_int_equal(released, 0);

	/* the MAC itself */
	memcpy(c, ct.p, ct.len);
	replace_b64(c, hl - 1 - 43 + 10);
	assert_int_equal(try_decrypt(c, ct.len, sks, &released), BK_ERR_CORRUPT);
	assert_int_equal(released, 0);

	/* the second recipient's body, opened with the first key: the MAC catches it */
	p = memmem(ct.p, ct.len, "\n-> X25519 ", 11);
	assert_non_null(p);
	p = memmem(p + 1, ct.len - (size_t)(p + 1 - ct.p), "\n-> X25519 ", 11);
	assert_non_null(p);
	p = memchr(p + 1, '\n', ct.len - (size_t)(p + 1 - ct.p));
	assert_non_null(p);
	stanza2 = (size_t)(p + 1 - ct.p); /* first character of the second body */
	memcpy(c, ct.p, ct.len);
	replace_b64(c, stanza2 + 5);
	assert_int_equal(try_decrypt(c, ct.len, sks, &released), BK_ERR_CORRUPT);
	assert_int_equal(released, 0);
	/* ... and the second key no longer opens it */
	assert_int_equal(try_decrypt(c, ct.len, sks + 32, &released), BK_ERR_NOTFOUND);

	/* a non-canonical base64 line: the last character carries unused bits */
	memcpy(c, ct.p, ct.len);
	c[stanza2 + 42] = c[stanza2 + 42] == 'A' ? 'B' : (uint8_t)(c[stanza2 + 42] ^ 1);
	assert_int_equal(try_decrypt(c, ct.len, sks, &released), BK_ERR_FORMAT);

	/* the payload nonce */
	memcpy(c, ct.p, ct.len);
	c[hl] ^= 0x80;
	assert_int_equal(try_decrypt(c, ct.len, sks, &released), BK_ERR_CORRUPT);
	assert_int_equal(released, 0);

	/* the second chunk: the first one was already released (see the WARNING in age.h) */
	memcpy(c, ct.p, ct.len);
	c[hl + 16 + 65536 + 16 + 100] ^= 1;
	assert_int_equal(try_decrypt(c, ct.len, sks, &released), BK_ERR_CORRUPT);
	assert_int_equal(released, 65536);

	/* the last chunk's tag */
	memcpy(c, ct.p, ct.len);
	c[ct.len - 1] ^= 1;
	assert_int_equal(try_decrypt(c, ct.len, sks, &released), BK_ERR_CORRUPT);
	assert_int_equal(released, 2 * 65536);

	/* truncated: one byte short, the final chunk dropped, no payload, no nonce */
	assert_int_equal(try_decrypt(ct.p, ct.len - 1, sks, &released), BK_ERR_CORRUPT);
	assert_int_equal(try_decrypt(ct.p, ct.len - 26, sks, &released), BK_ERR_CORRUPT);
	assert_int_equal(released, 2 * 65536);
	assert_int_equal(try_decrypt(ct.p, hl + 16, sks, &released), BK_ERR_CORRUPT);
	assert_int_equal(try_decrypt(ct.p, hl + 15, sks, &released), BK_ERR_FORMAT);
	assert_int_equal(try_decrypt(ct.p, hl - 1, sks, &released), BK_ERR_FORMAT);
	assert_int_equal(released, 0);

	/* extended: one byte of trailing data */
	memcpy(c, ct.p, ct.len);
	c[ct.len] = 0;
	assert_int_equal(try_decrypt(c, ct.len + 1, sks, &released), BK_ERR_CORRUPT);

	free(c);
	buf_free(&ct);
	free(data);
	bk_secmem_free(sks);
}

/* A file of exactly n full chunks ends with a full final chunk, never an
 * empty one; cutting it at a chunk boundary must not read as a shorter file. */
static void test_full_final_chunk(void **state)
{
	uint8_t pk[1][32], *sk = bk_secmem_alloc(32), *data = random_bytes(2 * 65536);
	size_t hl, released;
	struct buf ct;

	(void)state;
	assert_non_null(sk);
	keypair(pk[0], sk);
	encrypt(&ct, data, 2 * 65536, (const uint8_t(*)[32])pk, 1, 65536);
	hl = header_len(&ct);
	assert_int_equal(ct.len, hl + 16 + 2 * (65536 + 16));
	assert_int_equal(try_decrypt(ct.p, ct.len, sk, &released), BK_OK);
	assert_int_equal(try_decrypt(ct.p, hl + 16 + 65536 + 16, sk, &released), BK_ERR_CORRUPT);
	/* the first chunk authenticates (released, as age does), but it is not final: truncated */
	assert_int_equal(released, 65536);
	buf_free(&ct);
	free(data);
	bk_secmem_free(sk);
}

static void test_writer_states(void **state)
{
	static const uint8_t low_order[1][32]; /* all zero: X25519 gives the zero secret */
	uint8_t pk[1][32], *sk = bk_secmem_alloc(32), x = 'x';
	struct bk_age_writer *w = (struct bk_age_writer *)&x;
	struct buf out, pt;

	(void)state;
	assert_non_null(sk);
	keypair(pk[0], sk);
	memset(&out, 0, sizeof(out));
	assert_int_equal(bk_age_writer_open(&w, (const uint8_t(*)[32])pk, 0, buf_sink, &out), BK_ERR_USAGE);
	assert_null(w);
	assert_int_equal(bk_age_writer_open(&w, low_order, 1, buf_sink, &out), BK_ERR_USAGE);
	assert_null(w);
	assert_int_equal(out.len, 0);

	/* the sink refuses the header */
	out.fail_after = 1;
	assert_int_equal(bk_age_writer_open(&w, (const uint8_t(*)[32])pk, 1, buf_sink, &out), BK_ERR_IO);
	assert_null(w);
	buf_free(&out);

	/* the sink refuses a chunk: the writer stays failed */
	out.fail_after = 2;
	assert_int_equal(bk_age_writer_open(&w, (const uint8_t(*)[32])pk, 1, buf_sink, &out), BK_OK);
	assert_int_equal(bk_age_writer_write(w, "abc", 3), BK_OK);
	assert_int_equal(bk_age_writer_close(w), BK_ERR_IO);
	assert_int_equal(bk_age_writer_write(w, "abc", 3), BK_ERR_STATE);
	assert_int_equal(bk_age_writer_close(w), BK_ERR_STATE);
	bk_age_writer_free(w);
	buf_free(&out);

	/* closed means closed; what was written still decrypts */
	assert_int_equal(bk_age_writer_open(&w, (const uint8_t(*)[32])pk, 1, buf_sink, &out), BK_OK);
	assert_int_equal(bk_age_writer_write(w, "abc", 3), BK_OK);
	assert_int_equal(bk_age_writer_write(w, "", 0), BK_OK);
	assert_int_equal(bk_age_writer_close(w), BK_OK);
	assert_int_equal(bk_age_writer_write(w, "abc", 3), BK_ERR_STATE);
	assert_int_equal(bk_age_writer_close(w), BK_ERR_STATE);
	bk_age_writer_free(w);
	bk_age_writer_free(NULL);
	memset(&pt, 0, sizeof(pt));
	assert_int_equal(bk_age_decrypt(out.p, out.len, sk, buf_sink, &pt), BK_OK);
	assert_int_equal(pt.len, 3);
	assert_memory_equal(pt.p, "abc", 3);
	buf_free(&pt);

	/* a refusing sink stops decryption with its own status */
	pt.fail_after = 1;
	assert_int_equal(bk_age_decrypt(out.p, out.len, sk, buf_sink, &pt), BK_ERR_IO);
	buf_free(&pt);
	buf_free(&out);

	/* a writer freed before close leaves a file that does not decrypt */
	assert_int_equal(bk_age_writer_open(&w, (const uint8_t(*)[32])pk, 1, buf_sink, &out), BK_OK);
	assert_int_equal(bk_age_writer_write(w, "abc", 3), BK_OK);
	bk_age_writer_free(w);
	assert_int_equal(bk_age_decrypt(out.p, out.len, sk, buf_sink, &pt), BK_ERR_CORRUPT);
	assert_int_equal(pt.len, 0);
	buf_free(&pt);
	buf_free(&out);
	bk_secmem_free(sk);
}

/* ---- key strings ---- */

/* c2sp.org/age, "The X25519 recipient type": identity and its recipient. */
#define SPEC_IDENTITY "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX"
#define SPEC_RECIPIENT "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj"

static void test_key_strings(void **state)
{
	static const char *cctv[] = {
		"AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0",
		"AGE-SECRET-KEY-143WN7DCXU4G8R5AXQSSYD9AEPYDNT3HXSLWSPK36CDU6E8M59SSSAGZ3KG",
		SPEC_IDENTITY,
	};
	uint8_t *sk = bk_secmem_alloc(32), pk[32], back[32];
	char s[BK_AGE_IDENTITY_LEN], r[BK_AGE_RECIPIENT_MAX], lower[sizeof(SPEC_IDENTITY)];
	size_t i;

	(void)state;
	assert_non_null(sk);
	for (i = 0; i < sizeof(cctv) / sizeof(cctv[0]); i++) {
		assert_int_equal(bk_age_identity_decode(sk, cctv[i], strlen(cctv[i])), BK_OK);
		assert_int_equal(bk_age_identity_encode(s, sizeof(s), sk), BK_OK);
		assert_string_equal(s, cctv[i]);
		assert_int_equal(strlen(s) + 1, BK_AGE_IDENTITY_LEN);
	}
	/* the spec's identity is 0x42 repeated, and its recipient */
	assert_int_equal(bk_age_identity_decode(sk, SPEC_IDENTITY, strlen(SPEC_IDENTITY)), BK_OK);
	for (i = 0; i < 32; i++)
		assert_int_equal(sk[i], 0x42);
	crypto_scalarmult_base(pk, sk);
	assert_int_equal(bk_age_recipient_from_x25519(r, pk), BK_OK);
	assert_string_equal(r, SPEC_RECIPIENT);
	assert_int_equal(bk_age_recipient_decode(back, SPEC_RECIPIENT, strlen(SPEC_RECIPIENT)), BK_OK);
	assert_memory_equal(back, pk, 32);

	/* rejected: lower case (age takes only upper case), a recipient as an
	 * identity and back, a changed character, a short buffer */
	for (i = 0; i < sizeof(lower); i++)
		lower[i] = (char)(SPEC_IDENTITY[i] >= 'A' && SPEC_IDENTITY[i] <= 'Z' ? SPEC_IDENTITY[i] + 32 : SPEC_IDENTITY[i]);
	assert_int_equal(bk_age_identity_decode(sk, lower, strlen(lower)), BK_ERR_FORMAT);
	for (i = 0; i < 32; i++)
		assert_int_equal(sk[i], 0);
	assert_int_equal(bk_age_identity_decode(sk, SPEC_RECIPIENT, strlen(SPEC_RECIPIENT)), BK_ERR_FORMAT);
	assert_int_equal(bk_age_recipient_decode(back, SPEC_IDENTITY, strlen(SPEC_IDENTITY)), BK_ERR_FORMAT);
	memcpy(lower, SPEC_IDENTITY, sizeof(lower));
	lower[20] = lower[20] == 'Q' ? 'P' : 'Q';
	assert_int_equal(bk_age_identity_decode(sk, lower, strlen(lower)), BK_ERR_FORMAT);
	assert_int_equal(bk_age_identity_decode(sk, SPEC_IDENTITY, strlen(SPEC_IDENTITY) - 1), BK_ERR_FORMAT);
	assert_int_equal(bk_age_identity_decode(sk, "", 0), BK_ERR_FORMAT);
	assert_int_equal(bk_age_identity_decode(sk, SPEC_IDENTITY, strlen(SPEC_IDENTITY)), BK_OK);
	assert_int_not_equal(bk_age_identity_encode(s, BK_AGE_IDENTITY_LEN - 1, sk), BK_OK);
	bk_secmem_free(sk);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cctv_vectors),
		cmocka_unit_test(test_roundtrip_sizes),
		cmocka_unit_test(test_multiple_recipients),
		cmocka_unit_test(test_tamper),
		cmocka_unit_test(test_full_final_chunk),
		cmocka_unit_test(test_writer_states),
		cmocka_unit_test(test_key_strings),
	};

	return bk_test_run_group("age", tests, NULL, NULL);
}
