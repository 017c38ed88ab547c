/* test_minisign.c - minisign public keys, secret keys and signatures: golden
 * files made by the real minisign 0.11, round trips, tampering, strict parsing,
 * and interoperation with the minisign binary (each way) when it is installed. */
#include "tests/unit/unit.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sodium.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/fileio.h"
#include "crypto/encoding.h"
#include "crypto/minisign.h"
#include "crypto/secmem.h"

extern char **environ;

/* Golden files: `minisign -G -W -p kat.pub -s kat.key`, then
 * `minisign -S -s kat.key -m msg -t 'brankas kat: prehashed' -c 'kat signature'`
 * and `minisign -S -l ... -x msg.legacy -t 'brankas kat: legacy' -c 'kat legacy signature'`
 * with minisign 0.11 (Debian 0.11-1). The throwaway key is unencrypted and, as
 * minisign -W writes it, has an all-zero checksum. */
#define KAT_MSG "brankas minisign known answer\n"
#define KAT_KEYID "55BA8AE3C627B147"
#define KAT_PUB_B64 "RWRHsSfG44q6VRKoMyBrMKRxj2Lt2SB5RJe9rM9dKCMjVC8tygeaA8F2"
#define KAT_PUB "untrusted comment: minisign public key " KAT_KEYID "\n" KAT_PUB_B64 "\n"
#define KAT_KEY                                                                                                    \
	"untrusted comment: minisign encrypted secret key\n"                                                        \
	"RWQAAEIyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAR7EnxuOKulUv57IXZe1zDqSjGV2VhjZuB/" \
	"HcQJ2IYPo+aUx2PlAu4xKoMyBrMKRxj2Lt2SB5RJe9rM9dKCMjVC8tygeaA8F2AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" \
	"\n"
#define KAT_SIG_BODY                                                                                  \
	"RURHsSfG44q6Vc81uUY4pjoRVNESeofNfFZzyxtZyO++51p+eJbxOSgd3L6Bqvj2t1Msj+L7NVI5VxjAsWMjIA7wzOgmSnGY8wg=\n" \
	"trusted comment: brankas kat: prehashed\n"                                                   \
	"cEExd8XHctwWvV7AsSRe7KWZTCfZsJ/V7+ytw5njDRIdZ2pL7TzVM0WK3hwXlVsQ9EsoJiLGAFcD46VrIBm9Dg==\n"
#define KAT_SIG "untrusted comment: kat signature\n" KAT_SIG_BODY
#define KAT_LEGACY                                                                                    \
	"untrusted comment: kat legacy signature\n"                                                   \
	"RWRHsSfG44q6VbupzPaIoagz+smTu+EYrJuje/x/sGCsORxyd0pJl8tLpA3bBJx7TKXYU7BA7kWP1RBkwZElZNAJq/qfH+PG5gg=\n" \
	"trusted comment: brankas kat: legacy\n"                                                      \
	"DJLv02NmjLJ//yhqFyeE8spV5XLAfSjElHh8zMKd6WHWRVBHiG3z2fQIsezIbM5gHQPb2kxkvfdGgbsGWy89Ag==\n"

/* libsodium's scrypt INTERACTIVE preset keeps encrypted keys fast in tests */
#define FAST_OPS crypto_pwhash_scryptsalsa208sha256_OPSLIMIT_INTERACTIVE
#define FAST_MEM crypto_pwhash_scryptsalsa208sha256_MEMLIMIT_INTERACTIVE

static const uint8_t *kat_msg(void)
{
	return (const uint8_t *)KAT_MSG;
}

static const size_t kat_msglen = sizeof(KAT_MSG) - 1;

/* A fresh key pair in guarded memory for a test. */
struct keys {
	struct bk_minisign_pub pub;
	struct bk_minisign_sec *sec;
};

static struct bk_minisign_sec *sec_new(void)
{
	struct bk_minisign_sec *sec = bk_secmem_alloc(sizeof(*sec));

	assert_non_null(sec);
	return sec;
}

static void keys_make(struct keys *k)
{
	k->sec = sec_new();
	assert_int_equal(bk_minisign_keypair(&k->pub, k->sec), BK_OK);
}

/* sig_rebuild writes a signature file from its parts, to tamper with one. */
static char *sig_rebuild(const char *untrusted, const uint8_t sigstruct[74], const char *trusted,
			 const uint8_t global[64])
{
	char s[BK_B64_LEN(74)], g[BK_B64_LEN(64)], *out;

	bk_b64_encode(s, sigstruct, 74);
	bk_b64_encode(g, global, 64);
	assert_true(asprintf(&out, "%s\n%s\n%s\n%s\n", untrusted, s, trusted, g) > 0);
	return out;
}

/* sig_split decodes the two base64 lines of a well-formed signature file. */
static void sig_split(const char *sig, uint8_t sigstruct[74], uint8_t global[64], char *trusted, size_t tcap)
{
	const char *l2 = strchr(sig, '\n') + 1, *l3 = strchr(l2, '\n') + 1, *l4 = strchr(l3, '\n') + 1;
	size_t got;

	assert_int_equal(bk_b64_decode(sigstruct, 74, &got, l2, (size_t)(l3 - l2 - 1)), BK_OK);
	assert_int_equal(got, 74);
	assert_int_equal(bk_b64_decode(global, 64, &got, l4, strcspn(l4, "\n")), BK_OK);
	assert_int_equal(got, 64);
	assert_true((size_t)(l4 - l3) < tcap);
	memcpy(trusted, l3, (size_t)(l4 - l3 - 1));
	trusted[l4 - l3 - 1] = '\0';
}

static bk_status verify_str(const char *sig, const uint8_t *m, size_t mlen, const struct bk_minisign_pub *pub)
{
	return bk_minisign_verify(sig, strlen(sig), m, mlen, pub, NULL);
}

/* ---- key ids and golden files from the real minisign ---- */

static void test_key_id_hex(void **state)
{
	struct bk_minisign_pub pub;
	char id[17];
	const uint8_t raw[8] = { 0xcc, 0x0a, 0xd2, 0xc0, 0xbe, 0x5f, 0xbc, 0xe5 };

	(void)state;
	/* key id bytes cc0ad2c0be5fbce5 were printed by minisign -G as E5BC5FBEC0D20ACC */
	bk_minisign_key_id_hex(id, raw);
	assert_string_equal(id, "E5BC5FBEC0D20ACC");
	assert_int_equal(bk_minisign_pub_parse(&pub, KAT_PUB, strlen(KAT_PUB)), BK_OK);
	bk_minisign_key_id_hex(id, pub.key_id);
	assert_string_equal(id, KAT_KEYID);
}

static void test_golden_minisign_files(void **state)
{
	struct bk_minisign_pub pub;
	struct bk_minisign_sec *sec = sec_new();
	char *tc = NULL, *sig = NULL;

	(void)state;
	assert_int_equal(bk_minisign_pub_parse(&pub, KAT_PUB, strlen(KAT_PUB)), BK_OK);
	assert_int_equal(bk_minisign_verify(KAT_SIG, strlen(KAT_SIG), kat_msg(), kat_msglen, &pub, &tc), BK_OK);
	assert_string_equal(tc, "brankas kat: prehashed");
	free(tc);
	assert_int_equal(bk_minisign_verify(KAT_LEGACY, strlen(KAT_LEGACY), kat_msg(), kat_msglen, &pub, &tc), BK_OK);
	assert_string_equal(tc, "brankas kat: legacy");
	free(tc);

	/* minisign -G -W's key (zero checksum) reads, and is the public key's */
	assert_int_equal(bk_minisign_sec_parse(sec, KAT_KEY, strlen(KAT_KEY), NULL), BK_OK);
	assert_memory_equal(sec->key_id, pub.key_id, 8);
	assert_memory_equal(sec->sk + 32, pub.pk, 32);

	/* Ed25519 is deterministic: our signature is minisign's, byte for byte */
	assert_int_equal(bk_minisign_sign(&sig, kat_msg(), kat_msglen, sec, "brankas kat: prehashed"), BK_OK);
	assert_string_equal(strchr(sig, '\n') + 1, KAT_SIG_BODY);
	free(sig);
	bk_secmem_free(sec);
}

/* ---- public keys ---- */

static void test_pub_roundtrip(void **state)
{
	struct keys k;
	struct bk_minisign_pub back;
	char *text = NULL, id[17], want[256], *crlf = NULL;
	const char *b64;

	(void)state;
	keys_make(&k);
	assert_int_equal(bk_minisign_pub_format(&text, &k.pub), BK_OK);
	bk_minisign_key_id_hex(id, k.pub.key_id);
	snprintf(want, sizeof(want), "untrusted comment: minisign public key %s\n", id);
	assert_memory_equal(text, want, strlen(want));
	assert_int_equal(bk_minisign_pub_parse(&back, text, strlen(text)), BK_OK);
	assert_memory_equal(&back, &k.pub, sizeof(back));

	/* the bare key, as minisign -P takes it, with or without an end of line */
	b64 = text + strlen(want);
	assert_int_equal(strlen(b64), 57);
	memset(&back, 0, sizeof(back));
	assert_int_equal(bk_minisign_pub_parse(&back, b64, 56), BK_OK);
	assert_memory_equal(&back, &k.pub, sizeof(back));
	assert_int_equal(bk_minisign_pub_parse(&back, b64, 57), BK_OK);
	assert_int_equal(bk_minisign_pub_parse(&back, b64, 55), BK_ERR_FORMAT);

	/* CRLF line ends are accepted */
	assert_true(asprintf(&crlf, "untrusted comment: x\r\n%.56s\r\n", b64) > 0);
	assert_int_equal(bk_minisign_pub_parse(&back, crlf, strlen(crlf)), BK_OK);
	assert_memory_equal(&back, &k.pub, sizeof(back));
	free(crlf);
	free(text);
	bk_secmem_free(k.sec);
}

static void test_pub_strict(void **state)
{
	static const char *bad[] = {
		"untrusted comment: minisign public key\n" KAT_PUB_B64,		/* no final end of line */
		"untrusted comment: minisign public key\n" KAT_PUB_B64 "\n\n",	/* an extra line */
		"untrusted comment: minisign public key\n" KAT_PUB_B64 "\nx",	/* trailing data */
		"untrusted  comment: minisign public key\n" KAT_PUB_B64 "\n",	/* not the prefix */
		"untrusted comment: x\r\r\n" KAT_PUB_B64 "\n",			/* lone CR */
		"untrusted comment: x\n" KAT_PUB_B64 "=\n",			/* excess padding */
		"untrusted comment: x\n RWRHsSfG44q6VRKoMyBrMKRxj2Lt2SB5RJe9rM9dKCMjVC8tygeaA8F2\n", /* space */
		"untrusted comment: x\nRWRHsSfG44q6VRKoMyBrMKRxj2Lt2SB5RJe9rM9dKCMjVC8tygeaA8F\n",   /* short */
		"untrusted comment: x\nRWRHsSfG44q6VRKoMyBrMKRxj2Lt2SB5RJe9rM9dKCMjVC8tygeaA8F2AA==\n", /* long */
		"untrusted comment: x\nRXRHsSfG44q6VRKoMyBrMKRxj2Lt2SB5RJe9rM9dKCMjVC8tygeaA8F2\n",  /* alg "Et" */
		"untrusted comment: x\nRWRHsSfG44q6VRKoMyBrMKRxj2Lt2SB5RJe9rM9dKCMjVC8tygeaA8F*\n",  /* bad char */
		"untrusted comment: x\n",						/* no key */
		"",									/* nothing */
		KAT_PUB_B64 "\n" KAT_PUB_B64 "\n",					/* two bare keys */
	};
	struct bk_minisign_pub pub;
	char nul[sizeof(KAT_PUB)];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&pub, 0xaa, sizeof(pub));
		assert_int_equal(bk_minisign_pub_parse(&pub, bad[i], strlen(bad[i])), BK_ERR_FORMAT);
	}
	/* a NUL inside the comment */
	memcpy(nul, KAT_PUB, sizeof(KAT_PUB));
	nul[22] = '\0';
	assert_int_equal(bk_minisign_pub_parse(&pub, nul, sizeof(KAT_PUB) - 1), BK_ERR_FORMAT);
	/* every truncation of a good file fails */
	for (i = 0; i < strlen(KAT_PUB); i++)
		assert_int_equal(bk_minisign_pub_parse(&pub, KAT_PUB, i), BK_ERR_FORMAT);
	assert_int_equal(bk_minisign_pub_parse(&pub, KAT_PUB, strlen(KAT_PUB)), BK_OK);
}

/* ---- secret keys ---- */

/* sec_decode returns the 158-byte structure of a secret key file in guarded
 * memory, for inspection and tampering. */
static uint8_t *sec_decode(const char *text)
{
	const char *b64 = strchr(text, '\n') + 1;
	uint8_t *s = bk_secmem_alloc(158);
	size_t got;

	assert_non_null(s);
	assert_int_equal(bk_b64_decode(s, 158, &got, b64, strcspn(b64, "\n")), BK_OK);
	assert_int_equal(got, 158);
	return s;
}

static char *sec_encode(const uint8_t *s)
{
	char b64[BK_B64_LEN(158)], *out;

	bk_b64_encode(b64, s, 158);
	assert_true(asprintf(&out, "untrusted comment: tampered\n%s\n", b64) > 0);
	return out;
}

/* Encodes the secret key blob s and parses it into back; the parse must
 * return want. */
static void sec_parse_expect(const uint8_t *s, struct bk_minisign_sec *back, bk_status want)
{
	char *t = sec_encode(s);

	assert_int_equal(bk_minisign_sec_parse(back, t, strlen(t), NULL), want);
	free(t);
}

/* le64 reads a little-endian 64-bit field of a secret key structure. */
static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static void test_sec_unencrypted(void **state)
{
	struct keys k;
	struct bk_minisign_sec *back = sec_new();
	char *text = NULL, *t2;
	uint8_t *s, chk[32];
	static const uint8_t zero[32];

	(void)state;
	keys_make(&k);
	assert_int_equal(bk_minisign_sec_format(&text, k.sec, NULL), BK_OK);
	assert_memory_equal(text, "untrusted comment: ", 19);
	assert_int_equal(bk_minisign_sec_parse(back, text, strlen(text), NULL), BK_OK);
	assert_memory_equal(back, k.sec, sizeof(*back));
	/* a passphrase given for an unencrypted key is not needed, as in minisign */
	assert_int_equal(bk_minisign_sec_parse(back, text, strlen(text), "unused"), BK_OK);
	assert_memory_equal(back, k.sec, sizeof(*back));

	/* the layout: "Ed" "\0\0" "B2", zero salt and cost, keyid, sk, checksum */
	s = sec_decode(text);
	assert_memory_equal(s, "Ed\0\0B2", 6);
	assert_true(sodium_is_zero(s + 6, 32 + 16));
	assert_memory_equal(s + 54, k.sec->key_id, 8);
	assert_memory_equal(s + 62, k.sec->sk, 64);
	{
		crypto_generichash_state st;

		crypto_generichash_init(&st, NULL, 0, 32);
		crypto_generichash_update(&st, (const uint8_t *)"Ed", 2);
		crypto_generichash_update(&st, s + 54, 8);
		crypto_generichash_update(&st, s + 62, 64);
		crypto_generichash_final(&st, chk, 32);
	}
	assert_memory_equal(s + 126, chk, 32);

	/* a flipped bit of sk: the checksum catches it */
	s[70] ^= 4;
	t2 = sec_encode(s);
	assert_int_equal(bk_minisign_sec_parse(back, t2, strlen(t2), NULL), BK_ERR_CORRUPT);
	assert_true(sodium_is_zero((uint8_t *)back, sizeof(*back)));
	free(t2);
	/* with minisign -W's zero checksum, the seed/public-half check catches it */
	memcpy(s + 126, zero, 32);
	sec_parse_expect(s, back, BK_ERR_CORRUPT);
	s[70] ^= 4;
	t2 = sec_encode(s);
	assert_int_equal(bk_minisign_sec_parse(back, t2, strlen(t2), NULL), BK_OK);
	assert_memory_equal(back, k.sec, sizeof(*back));
	free(t2);
	/* unknown kdf, signature or checksum algorithm */
	s[2] = 'S';
	s[3] = 'x';
	sec_parse_expect(s, back, BK_ERR_FORMAT);
	s[2] = s[3] = 0;
	s[5] = '3';
	sec_parse_expect(s, back, BK_ERR_FORMAT);
	s[5] = '2';
	s[1] = 'D';
	sec_parse_expect(s, back, BK_ERR_FORMAT);

	bk_secmem_free(s);
	bk_wipe(text, strlen(text));
	free(text);
	bk_secmem_free(back);
	bk_secmem_free(k.sec);
}

static void test_sec_encrypted(void **state)
{
	struct keys k;
	struct bk_minisign_sec *back = sec_new();
	char *text = NULL, *t2;
	uint8_t *s;

	(void)state;
	keys_make(&k);
	assert_int_equal(bk_minisign_sec_format_cost(&text, k.sec, "correct horse", FAST_OPS, FAST_MEM), BK_OK);
	assert_memory_equal(text, "untrusted comment: minisign encrypted secret key\n", 49);
	assert_int_equal(bk_minisign_sec_parse(back, text, strlen(text), "correct horse"), BK_OK);
	assert_memory_equal(back, k.sec, sizeof(*back));

	/* the layout: "Ed" "Sc" "B2", the cost little-endian, no plain sk */
	s = sec_decode(text);
	assert_memory_equal(s, "EdScB2", 6);
	assert_int_equal(le64(s + 38), FAST_OPS);
	assert_int_equal(le64(s + 46), FAST_MEM);
	assert_memory_not_equal(s + 62, k.sec->sk, 64);

	/* a wrong, a missing, a truncated passphrase: BK_ERR_AUTH, nothing out */
	memset(back, 0xaa, sizeof(*back));
	assert_int_equal(bk_minisign_sec_parse(back, text, strlen(text), "correct hors"), BK_ERR_AUTH);
	assert_true(sodium_is_zero((uint8_t *)back, sizeof(*back)));
	assert_int_equal(bk_minisign_sec_parse(back, text, strlen(text), "Correct horse"), BK_ERR_AUTH);
	assert_int_equal(bk_minisign_sec_parse(back, text, strlen(text), ""), BK_ERR_AUTH);
	assert_int_equal(bk_minisign_sec_parse(back, text, strlen(text), NULL), BK_ERR_AUTH);
	/* a flipped bit of the encrypted key reads as a wrong passphrase */
	s[100] ^= 1;
	t2 = sec_encode(s);
	assert_int_equal(bk_minisign_sec_parse(back, t2, strlen(t2), "correct horse"), BK_ERR_AUTH);
	free(t2);
	s[100] ^= 1;
	/* a cost beyond minisign's SENSITIVE preset is refused before any work */
	s[46 + 5] = 0x01; /* memlimit += 1 TiB */
	t2 = sec_encode(s);
	assert_int_equal(bk_minisign_sec_parse(back, t2, strlen(t2), "correct horse"), BK_ERR_FORMAT);
	free(t2);
	s[46 + 5] = 0;
	memcpy(s + 38, "\x00\x80\0\0\0\0\0\0", 8); /* opslimit 32768: another stream, reads as a wrong passphrase */
	t2 = sec_encode(s);
	assert_int_equal(bk_minisign_sec_parse(back, t2, strlen(t2), "correct horse"), BK_ERR_AUTH);
	free(t2);
	memset(s + 38, 0, 8); /* opslimit 0: below the minimum */
	t2 = sec_encode(s);
	assert_int_equal(bk_minisign_sec_parse(back, t2, strlen(t2), "correct horse"), BK_ERR_FORMAT);
	free(t2);

	/* costs and passphrases minisign could not use are refused */
	free(text);
	text = (char *)1;
	assert_int_equal(bk_minisign_sec_format_cost(&text, k.sec, "pw", FAST_OPS, FAST_MEM / 2), BK_ERR_USAGE);
	assert_null(text);
	assert_int_equal(bk_minisign_sec_format_cost(&text, k.sec, NULL, FAST_OPS, FAST_MEM), BK_ERR_USAGE);
	assert_int_equal(bk_minisign_sec_format_cost(&text, k.sec, "two\nlines", FAST_OPS, FAST_MEM), BK_ERR_USAGE);
	assert_null(text);

	bk_secmem_free(s);
	bk_secmem_free(back);
	bk_secmem_free(k.sec);
}

static void test_sec_strict(void **state)
{
	struct bk_minisign_sec *sec = sec_new();
	char *bad = NULL;
	size_t i, len = strlen(KAT_KEY);
	const char *b64 = strchr(KAT_KEY, '\n') + 1;

	(void)state;
	for (i = 0; i < len; i++)
		assert_int_equal(bk_minisign_sec_parse(sec, KAT_KEY, i, NULL), BK_ERR_FORMAT);
	assert_true(asprintf(&bad, "%s\n", KAT_KEY) > 0); /* an extra line */
	assert_int_equal(bk_minisign_sec_parse(sec, bad, strlen(bad), NULL), BK_ERR_FORMAT);
	free(bad);
	assert_true(asprintf(&bad, "comment\n%s", b64) > 0); /* no prefix */
	assert_int_equal(bk_minisign_sec_parse(sec, bad, strlen(bad), NULL), BK_ERR_FORMAT);
	free(bad);
	assert_true(asprintf(&bad, "untrusted comment: \n%.*s\n", (int)strlen(b64) - 5, b64) > 0); /* short */
	assert_int_equal(bk_minisign_sec_parse(sec, bad, strlen(bad), NULL), BK_ERR_FORMAT);
	free(bad);
	assert_true(asprintf(&bad, "untrusted comment: \r\n%.*s\r\n", (int)strlen(b64) - 1, b64) > 0); /* CRLF */
	assert_int_equal(bk_minisign_sec_parse(sec, bad, strlen(bad), NULL), BK_OK);
	free(bad);
	bk_secmem_free(sec);
}

/* ---- signatures ---- */

static void test_sign_verify_roundtrip(void **state)
{
	struct keys k;
	char *sig = NULL, *tc = NULL, *longtc;
	static const uint8_t m[] = "manifest.json contents";

	(void)state;
	keys_make(&k);
	assert_int_equal(bk_minisign_sign(&sig, m, sizeof(m), k.sec, "extract 42\tfile:manifest.json"), BK_OK);
	assert_int_equal(bk_minisign_verify(sig, strlen(sig), m, sizeof(m), &k.pub, &tc), BK_OK);
	assert_string_equal(tc, "extract 42\tfile:manifest.json");
	free(tc);
	free(sig);

	/* the default trusted comment is a timestamp */
	assert_int_equal(bk_minisign_sign(&sig, m, sizeof(m), k.sec, NULL), BK_OK);
	assert_int_equal(bk_minisign_verify(sig, strlen(sig), m, sizeof(m), &k.pub, &tc), BK_OK);
	assert_memory_equal(tc, "timestamp:", 10);
	assert_true(strtoll(tc + 10, NULL, 10) > 1700000000);
	free(tc);
	free(sig);

	/* an empty message and an empty trusted comment */
	assert_int_equal(bk_minisign_sign(&sig, NULL, 0, k.sec, ""), BK_OK);
	assert_int_equal(bk_minisign_verify(sig, strlen(sig), NULL, 0, &k.pub, &tc), BK_OK);
	assert_string_equal(tc, "");
	free(tc);
	free(sig);

	/* the longest trusted comment minisign signs, and one more byte */
	longtc = malloc(8175);
	assert_non_null(longtc);
	memset(longtc, 'c', 8174);
	longtc[8173] = '\0';
	assert_int_equal(bk_minisign_sign(&sig, m, sizeof(m), k.sec, longtc), BK_OK);
	assert_int_equal(verify_str(sig, m, sizeof(m), &k.pub), BK_OK);
	{
		/* a trusted comment line one byte longer than minisign reads */
		uint8_t sigstruct[74], global[64];
		char *trusted = malloc(8200), *t;

		assert_non_null(trusted);
		sig_split(sig, sigstruct, global, trusted, 8200);
		assert_int_equal(strlen(trusted), 17 + 8173);
		strcat(trusted, "c");
		t = sig_rebuild("untrusted comment: x", sigstruct, trusted, global);
		assert_int_equal(verify_str(t, m, sizeof(m), &k.pub), BK_ERR_FORMAT);
		free(t);
		free(trusted);
	}
	free(sig);
	longtc[8173] = 'c';
	longtc[8174] = '\0';
	sig = (char *)1;
	assert_int_equal(bk_minisign_sign(&sig, m, sizeof(m), k.sec, longtc), BK_ERR_USAGE);
	assert_null(sig);
	free(longtc);
	/* a trusted comment must be one line */
	assert_int_equal(bk_minisign_sign(&sig, m, sizeof(m), k.sec, "one\ntwo"), BK_ERR_USAGE);
	assert_int_equal(bk_minisign_sign(&sig, m, sizeof(m), k.sec, "one\r"), BK_ERR_USAGE);
	bk_secmem_free(k.sec);
}

static void test_verify_tamper(void **state)
{
	struct keys k, other;
	char *sig = NULL, *t, trusted[128], *tc = (char *)1;
	uint8_t sigstruct[74], global[64];
	uint8_t m[] = "dataset extract";
	size_t i;

	(void)state;
	keys_make(&k);
	keys_make(&other);
	assert_int_equal(bk_minisign_sign(&sig, m, sizeof(m), k.sec, "trusted one"), BK_OK);
	sig_split(sig, sigstruct, global, trusted, sizeof(trusted));
	assert_string_equal(trusted, "trusted comment: trusted one");

	/* the message: one flipped bit, one byte less */
	m[3] ^= 1;
	assert_int_equal(bk_minisign_verify(sig, strlen(sig), m, sizeof(m), &k.pub, &tc), BK_ERR_AUTH);
	assert_null(tc);
	m[3] ^= 1;
	assert_int_equal(verify_str(sig, m, sizeof(m) - 1, &k.pub), BK_ERR_AUTH);
	/* another key */
	assert_int_equal(verify_str(sig, m, sizeof(m), &other.pub), BK_ERR_AUTH);
	/* a flipped byte of the signature */
	sigstruct[40] ^= 1;
	t = sig_rebuild("untrusted comment: x", sigstruct, trusted, global);
	assert_int_equal(verify_str(t, m, sizeof(m), &k.pub), BK_ERR_AUTH);
	free(t);
	sigstruct[40] ^= 1;
	/* the key id of the other key */
	memcpy(sigstruct + 2, other.pub.key_id, 8);
	t = sig_rebuild("untrusted comment: x", sigstruct, trusted, global);
	assert_int_equal(verify_str(t, m, sizeof(m), &k.pub), BK_ERR_AUTH);
	free(t);
	memcpy(sigstruct + 2, k.pub.key_id, 8);
	/* a changed trusted comment, or a flipped global signature byte */
	t = sig_rebuild("untrusted comment: x", sigstruct, "trusted comment: trusted 1", global);
	assert_int_equal(verify_str(t, m, sizeof(m), &k.pub), BK_ERR_AUTH);
	free(t);
	global[0] ^= 0x80;
	t = sig_rebuild("untrusted comment: x", sigstruct, trusted, global);
	assert_int_equal(verify_str(t, m, sizeof(m), &k.pub), BK_ERR_AUTH);
	free(t);
	global[0] ^= 0x80;
	/* the untrusted comment is not signed: changing it is fine */
	t = sig_rebuild("untrusted comment: anything at all", sigstruct, trusted, global);
	assert_int_equal(verify_str(t, m, sizeof(m), &k.pub), BK_OK);
	free(t);
	/* "ED" relabelled "Ed": checked over the raw message, fails */
	sigstruct[1] = 'd';
	t = sig_rebuild("untrusted comment: x", sigstruct, trusted, global);
	assert_int_equal(verify_str(t, m, sizeof(m), &k.pub), BK_ERR_AUTH);
	free(t);
	sigstruct[1] = 'X'; /* an unknown algorithm */
	t = sig_rebuild("untrusted comment: x", sigstruct, trusted, global);
	assert_int_equal(verify_str(t, m, sizeof(m), &k.pub), BK_ERR_FORMAT);
	free(t);
	sigstruct[1] = 'D';

	/* every truncation is malformed, never accepted */
	for (i = 0; i < strlen(sig); i++)
		assert_int_equal(bk_minisign_verify(sig, i, m, sizeof(m), &k.pub, NULL), BK_ERR_FORMAT);
	assert_int_equal(verify_str(sig, m, sizeof(m), &k.pub), BK_OK);
	free(sig);
	bk_secmem_free(k.sec);
	bk_secmem_free(other.sec);
}

/* replace returns a copy of s with the first `from` replaced by `to`. */
static char *replace(const char *s, const char *from, const char *to)
{
	const char *at = strstr(s, from);
	char *out;

	assert_non_null(at);
	assert_true(asprintf(&out, "%.*s%s%s", (int)(at - s), s, to, at + strlen(from)) > 0);
	return out;
}

static void test_verify_strict(void **state)
{
	struct bk_minisign_pub pub;
	const uint8_t *m = kat_msg();
	char *t, *crlf, *big;
	size_t i;
	static const struct {
		const char *from, *to;
	} edits[] = {
		{ "untrusted comment: kat", "untrusted_comment: kat" },	 /* wrong prefix */
		{ "untrusted comment: kat", "kat" },			 /* no prefix */
		{ "trusted comment: brankas", "trusted comment:brankas" }, /* wrong prefix */
		{ "trusted comment: brankas", "Trusted comment: brankas" },
		{ "RURHsSfG", "RURH*fG" },	     /* bad base64 character */
		{ "RURHsSfG", "RURHsSf" },	     /* base64 one character short */
		{ "RURHsSfG", " RURHsSfG" },	     /* leading space */
		{ "8wg=\n", "8wg\n" },		     /* missing padding */
		{ "8wg=\n", "8wg= \n" },	     /* trailing space */
		{ "8wg=\n", "8wh=\n" },		     /* non-canonical: unused bits set */
		{ "9Dg==\n", "9Dg==\n\n" },	     /* an extra empty line */
		{ "9Dg==\n", "9Dg==\nmore\n" },	     /* trailing data */
		{ "9Dg==\n", "9Dg==" },		     /* no final end of line */
		{ "9Dg==\n", "9Dg==\r" },	     /* a lone CR at the end */
		{ "kat signature\n", "kat\rsignature\n" }, /* a lone CR inside */
		{ "prehashed\n", "prehashed\r\r\n" },
		{ "\ncEExd8", "\n\ncEExd8" },	     /* an empty line between */
	};

	(void)state;
	assert_int_equal(bk_minisign_pub_parse(&pub, KAT_PUB, strlen(KAT_PUB)), BK_OK);
	assert_int_equal(verify_str(KAT_SIG, m, kat_msglen, &pub), BK_OK);
	for (i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		t = replace(KAT_SIG, edits[i].from, edits[i].to);
		if (verify_str(t, m, kat_msglen, &pub) != BK_ERR_FORMAT)
			fail_msg("edit %zu ('%s') was not refused as malformed", i, edits[i].to);
		free(t);
	}
	/* a NUL in the trusted comment, within the given length */
	t = strdup(KAT_SIG);
	assert_non_null(t);
	*strstr(t, "kat: prehashed") = '\0';
	assert_int_equal(bk_minisign_verify(t, strlen(KAT_SIG), m, kat_msglen, &pub, NULL), BK_ERR_FORMAT);
	free(t);

	/* CRLF throughout is accepted */
	t = replace(KAT_SIG, "kat signature\n", "kat signature\r\n");
	crlf = replace(t, "=\n", "=\r\n");
	free(t);
	t = replace(crlf, "prehashed\n", "prehashed\r\n");
	free(crlf);
	crlf = replace(t, "==\n", "==\r\n");
	free(t);
	assert_int_equal(verify_str(crlf, m, kat_msglen, &pub), BK_OK);
	free(crlf);

	/* an untrusted comment of 1022 bytes and "\n" fits minisign's 1024-byte
	 * buffer; one byte more does not */
	big = malloc(1100);
	assert_non_null(big);
	memcpy(big, "untrusted comment: ", 19);
	memset(big + 19, 'u', 1022 - 19);
	big[1022] = '\0';
	assert_true(asprintf(&t, "%s\n%s", big, KAT_SIG_BODY) > 0);
	assert_int_equal(verify_str(t, m, kat_msglen, &pub), BK_OK);
	free(t);
	assert_true(asprintf(&t, "%su\n%s", big, KAT_SIG_BODY) > 0);
	assert_int_equal(verify_str(t, m, kat_msglen, &pub), BK_ERR_FORMAT);
	free(t);
	free(big);
}

/* A legacy "Ed" signature signs the message itself; build one by hand. */
static void test_legacy_signature(void **state)
{
	struct keys k;
	uint8_t sigstruct[74], global[64], both[64 + 6];
	char *t;
	static const uint8_t m[] = "legacy";

	(void)state;
	keys_make(&k);
	memcpy(sigstruct, "Ed", 2);
	memcpy(sigstruct + 2, k.sec->key_id, 8);
	assert_int_equal(crypto_sign_detached(sigstruct + 10, NULL, m, sizeof(m), k.sec->sk), 0);
	memcpy(both, sigstruct + 10, 64);
	memcpy(both + 64, "legacy", 6);
	assert_int_equal(crypto_sign_detached(global, NULL, both, sizeof(both), k.sec->sk), 0);
	t = sig_rebuild("untrusted comment: legacy", sigstruct, "trusted comment: legacy", global);
	assert_int_equal(verify_str(t, m, sizeof(m), &k.pub), BK_OK);
	assert_int_equal(verify_str(t, m, sizeof(m) - 1, &k.pub), BK_ERR_AUTH);
	free(t);
	/* the same signature labelled "ED" would be over the hash: refused */
	sigstruct[1] = 'D';
	t = sig_rebuild("untrusted comment: legacy", sigstruct, "trusted comment: legacy", global);
	assert_int_equal(verify_str(t, m, sizeof(m), &k.pub), BK_ERR_AUTH);
	free(t);
	bk_secmem_free(k.sec);
}

/* ---- interoperation with the minisign binary ---- */

struct tmp {
	char dir[64];
};

static int have_minisign(void)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];

	while (path && *path) {
		size_t n = strcspn(path, ":");

		if (n > 0 && snprintf(buf, sizeof(buf), "%.*s/minisign", (int)n, path) < (int)sizeof(buf) &&
		    access(buf, X_OK) == 0)
			return 1;
		path += n + (path[n] == ':');
	}
	return 0;
}

static int tmp_setup(void **state)
{
	struct tmp *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	bk_test_tmpdir(t->dir, sizeof(t->dir), "minisign");
	*state = t;
	return 0;
}

static int tmp_teardown(void **state)
{
	struct tmp *t = *state;

	bk_test_rmtree(t->dir);
	free(t);
	return 0;
}

static const char *tpath(const struct tmp *t, const char *name, char buf[PATH_MAX])
{
	snprintf(buf, PATH_MAX, "%s/%s", t->dir, name);
	return buf;
}

static void put_file(const struct tmp *t, const char *name, const void *data, size_t len)
{
	char p[PATH_MAX];

	bk_test_write(tpath(t, name, p), data, len);
}

static char *get_file(const struct tmp *t, const char *name, size_t *len_p)
{
	char p[PATH_MAX];
	uint8_t *data = NULL;

	assert_int_equal(bk_file_read(tpath(t, name, p), 1 << 20, &data, len_p), BK_OK);
	return (char *)data;
}

/* run spawns argv (minisign) with input on its stdin (NULL: /dev/null) and its
 * output in the temporary directory's log; returns the exit status, -1 when
 * it did not exit. On an unexpected status the log is printed. */
static int run(const struct tmp *t, const char *input, int want, char *const argv[])
{
	posix_spawn_file_actions_t fa;
	char logp[PATH_MAX];
	int fds[2] = { -1, -1 }, status = 0, rc, waited;
	pid_t pid, got;

	tpath(t, "log", logp);
	unlink(logp);
	assert_int_equal(posix_spawn_file_actions_init(&fa), 0);
	if (input) {
		assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
		assert_int_equal(posix_spawn_file_actions_adddup2(&fa, fds[0], 0), 0);
	} else {
		assert_int_equal(posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0), 0);
	}
	assert_int_equal(posix_spawn_file_actions_addopen(&fa, 1, logp, O_WRONLY | O_CREAT | O_TRUNC, 0600), 0);
	assert_int_equal(posix_spawn_file_actions_adddup2(&fa, 1, 2), 0);
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	assert_int_equal(rc, 0);
	if (input) {
		close(fds[0]);
		/* small enough for the pipe buffer; SIGPIPE is ignored in main */
		assert_int_equal(bk_write_all(fds[1], input, strlen(input)), 0);
		close(fds[1]);
	}
	/* a broken key file can set minisign deriving for hours: 2 minutes at most */
	for (waited = 0; (got = waitpid(pid, &status, WNOHANG)) <= 0; waited++) {
		assert_true(got == 0 || errno == EINTR);
		if (waited == 1200) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			fail_msg("%s did not finish in 2 minutes", argv[0]);
		}
		nanosleep(&(struct timespec){ 0, 100 * 1000 * 1000 }, NULL);
	}
	rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	if (rc != want) {
		size_t len = 0;
		char *log = get_file(t, "log", &len);

		print_error("%s exited %d, expected %d:\n%s\n", argv[0], rc, want, log);
		free(log);
	}
	return rc;
}

#define SKIP_WITHOUT_MINISIGN()                                        \
	do {                                                           \
		if (!have_minisign()) {                                \
			print_message("skipped: no minisign tool\n"); \
			skip();                                        \
		}                                                      \
	} while (0)

/* (a) minisign -V accepts what bk_minisign_sign writes, and refuses it for
 * another message. */
static void test_interop_minisign_verifies_ours(void **state)
{
	struct tmp *t = *state;
	struct keys k;
	char *pubtext = NULL, *sig = NULL, pm[PATH_MAX], pp[PATH_MAX], ps[PATH_MAX];
	static const char m[] = "a manifest signed by brankas\n";

	SKIP_WITHOUT_MINISIGN();
	keys_make(&k);
	assert_int_equal(bk_minisign_pub_format(&pubtext, &k.pub), BK_OK);
	assert_int_equal(bk_minisign_sign(&sig, (const uint8_t *)m, strlen(m), k.sec, "brankas trusted\tcomment"), BK_OK);
	put_file(t, "vault.pub", pubtext, strlen(pubtext));
	put_file(t, "m", m, strlen(m));
	put_file(t, "m.minisig", sig, strlen(sig));
	tpath(t, "m", pm);
	tpath(t, "vault.pub", pp);
	tpath(t, "m.minisig", ps);
	assert_int_equal(run(t, NULL, 0, (char *const[]){ "minisign", "-Vm", pm, "-p", pp, NULL }), 0);
	/* -H: minisign demands a prehashed signature, which ours is */
	assert_int_equal(run(t, NULL, 0, (char *const[]){ "minisign", "-V", "-H", "-m", pm, "-x", ps, "-p", pp, NULL }), 0);
	/* and -P with the bare key */
	{
		char bare[57];

		memcpy(bare, strchr(pubtext, '\n') + 1, 56);
		bare[56] = '\0';
		assert_int_equal(run(t, NULL, 0, (char *const[]){ "minisign", "-Vm", pm, "-P", bare, NULL }), 0);
	}
	/* the longest trusted comment we sign, minisign reads */
	{
		char *longtc = malloc(8174);

		assert_non_null(longtc);
		memset(longtc, 't', 8173);
		longtc[8173] = '\0';
		free(sig);
		assert_int_equal(bk_minisign_sign(&sig, (const uint8_t *)m, strlen(m), k.sec, longtc), BK_OK);
		free(longtc);
		put_file(t, "m.minisig", sig, strlen(sig));
		assert_int_equal(run(t, NULL, 0, (char *const[]){ "minisign", "-Vm", pm, "-p", pp, NULL }), 0);
	}
	/* the check can fail: another message */
	put_file(t, "m", "another\n", 8);
	assert_int_equal(run(t, NULL, 1, (char *const[]){ "minisign", "-Vm", pm, "-p", pp, NULL }), 1);
	free(sig);
	free(pubtext);
	bk_secmem_free(k.sec);
}

/* (b) a key made by minisign -G -W, a file signed by minisign -S (prehashed and
 * legacy): we read the keys and verify both signatures, and our signature with
 * its secret key verifies with minisign. */
static void test_interop_we_read_minisign(void **state)
{
	struct tmp *t = *state;
	struct bk_minisign_pub pub;
	struct bk_minisign_sec *sec = sec_new();
	char pp[PATH_MAX], ps[PATH_MAX], pm[PATH_MAX], px[PATH_MAX], *text, *tc = NULL, *sig = NULL;
	size_t len;
	static const char m[] = "signed by the real minisign\n";

	SKIP_WITHOUT_MINISIGN();
	tpath(t, "minisign.pub", pp);
	tpath(t, "minisign.key", ps);
	tpath(t, "m", pm);
	tpath(t, "m.legacy", px);
	assert_int_equal(run(t, NULL, 0, (char *const[]){ "minisign", "-G", "-W", "-f", "-p", pp, "-s", ps, NULL }), 0);
	put_file(t, "m", m, strlen(m));
	assert_int_equal(run(t, NULL, 0, (char *const[]){ "minisign", "-S", "-s", ps, "-m", pm, "-t", "made by minisign", NULL }),
			 0);
	assert_int_equal(
		run(t, NULL, 0, (char *const[]){ "minisign", "-S", "-l", "-s", ps, "-m", pm, "-x", px, "-t", "legacy one", NULL }),
		0);

	text = get_file(t, "minisign.pub", &len);
	assert_int_equal(bk_minisign_pub_parse(&pub, text, len), BK_OK);
	free(text);
	text = get_file(t, "m.minisig", &len);
	assert_int_equal(bk_minisign_verify(text, len, (const uint8_t *)m, strlen(m), &pub, &tc), BK_OK);
	assert_string_equal(tc, "made by minisign");
	free(tc);
	assert_int_equal(bk_minisign_verify(text, len, (const uint8_t *)m, strlen(m) - 1, &pub, NULL), BK_ERR_AUTH);
	free(text);
	text = get_file(t, "m.legacy", &len);
	assert_memory_equal(strchr(text, '\n') + 1, "RW", 2); /* "Ed": legacy */
	assert_int_equal(bk_minisign_verify(text, len, (const uint8_t *)m, strlen(m), &pub, &tc), BK_OK);
	assert_string_equal(tc, "legacy one");
	free(tc);
	free(text);

	text = get_file(t, "minisign.key", &len);
	assert_int_equal(bk_minisign_sec_parse(sec, text, len, NULL), BK_OK);
	bk_wipe(text, len);
	free(text);
	assert_memory_equal(sec->key_id, pub.key_id, 8);
	assert_memory_equal(sec->sk + 32, pub.pk, 32);

	/* a signature of ours with minisign's key, checked by minisign */
	assert_int_equal(bk_minisign_sign(&sig, (const uint8_t *)m, strlen(m), sec, "signed by brankas"), BK_OK);
	put_file(t, "m.minisig", sig, strlen(sig));
	free(sig);
	assert_int_equal(run(t, NULL, 0, (char *const[]){ "minisign", "-Vm", pm, "-p", pp, NULL }), 0);
	bk_secmem_free(sec);
}

/* (c) secret keys written by bk_minisign_sec_format sign with minisign -S:
 * unencrypted, and encrypted with the passphrase fed on minisign's stdin
 * (minisign 0.11 reads it with fgets when stdin is not a terminal). */
static void test_interop_minisign_signs_with_ours(void **state)
{
	struct tmp *t = *state;
	struct keys k;
	char ps[PATH_MAX], pe[PATH_MAX], pm[PATH_MAX], pb[PATH_MAX], *text = NULL, *sig;
	size_t len;
	static const char m[] = "signed by minisign with a brankas key\n";

	SKIP_WITHOUT_MINISIGN();
	keys_make(&k);
	tpath(t, "plain.key", ps);
	tpath(t, "enc.key", pe);
	tpath(t, "m", pm);
	tpath(t, "bad.minisig", pb);
	put_file(t, "m", m, strlen(m));

	assert_int_equal(bk_minisign_sec_format(&text, k.sec, NULL), BK_OK);
	put_file(t, "plain.key", text, strlen(text));
	bk_wipe(text, strlen(text));
	free(text);
	assert_int_equal(run(t, NULL, 0, (char *const[]){ "minisign", "-S", "-s", ps, "-m", pm, "-t", "plain key", NULL }), 0);
	sig = get_file(t, "m.minisig", &len);
	assert_int_equal(bk_minisign_verify(sig, len, (const uint8_t *)m, strlen(m), &k.pub, NULL), BK_OK);
	free(sig);

	assert_int_equal(bk_minisign_sec_format_cost(&text, k.sec, "brankas pass", FAST_OPS, FAST_MEM), BK_OK);
	put_file(t, "enc.key", text, strlen(text));
	free(text);
	unlink(tpath(t, "m.minisig", pm));
	tpath(t, "m", pm);
	assert_int_equal(
		run(t, "brankas pass\n", 0, (char *const[]){ "minisign", "-S", "-s", pe, "-m", pm, "-t", "encrypted key", NULL }),
		0);
	sig = get_file(t, "m.minisig", &len);
	{
		char *tc = NULL;

		assert_int_equal(bk_minisign_verify(sig, len, (const uint8_t *)m, strlen(m), &k.pub, &tc), BK_OK);
		assert_string_equal(tc, "encrypted key");
		free(tc);
	}
	free(sig);
	/* minisign itself refuses a wrong passphrase for our key */
	assert_int_equal(
		run(t, "brankas pas\n", 2, (char *const[]){ "minisign", "-S", "-s", pe, "-m", pm, "-x", pb, NULL }), 2);
	bk_secmem_free(k.sec);
}

/* (d) minisign's own cost, the scrypt SENSITIVE preset that
 * bk_minisign_sec_format uses: a key we encrypt signs with minisign -S, a key
 * minisign -G encrypts opens with us. Four derivations of 1 GiB each make
 * this the slow test (about 10 s), run by make check-crash only. */
static void test_interop_sensitive_cost(void **state)
{
	/* make check-crash runs it (BK_SLOW_TESTS=1): make check stays under its time */
	if (!getenv("BK_SLOW_TESTS")) {
		print_message("skipped: the 1 GiB scrypt test runs in make check-crash (BK_SLOW_TESTS=1)\n");
		skip();
	}
	struct tmp *t = *state;
	struct keys k;
	struct bk_minisign_pub pub;
	struct bk_minisign_sec *sec = sec_new();
	char pe[PATH_MAX], pm[PATH_MAX], pp[PATH_MAX], ps[PATH_MAX], *text = NULL, *sig;
	uint8_t *s;
	size_t len;
	static const char m[] = "signed with a sensitive-cost key\n";

	SKIP_WITHOUT_MINISIGN();
	keys_make(&k);
	assert_int_equal(bk_minisign_sec_format(&text, k.sec, "sensitive pass"), BK_OK);
	s = sec_decode(text);
	assert_memory_equal(s, "EdScB2", 6);
	assert_int_equal(le64(s + 38), crypto_pwhash_scryptsalsa208sha256_OPSLIMIT_SENSITIVE);
	assert_int_equal(le64(s + 46), crypto_pwhash_scryptsalsa208sha256_MEMLIMIT_SENSITIVE);
	bk_secmem_free(s);
	put_file(t, "enc.key", text, strlen(text));
	free(text);
	put_file(t, "m", m, strlen(m));
	tpath(t, "enc.key", pe);
	tpath(t, "m", pm);
	assert_int_equal(run(t, "sensitive pass\n", 0, (char *const[]){ "minisign", "-S", "-s", pe, "-m", pm, NULL }), 0);
	sig = get_file(t, "m.minisig", &len);
	assert_int_equal(bk_minisign_verify(sig, len, (const uint8_t *)m, strlen(m), &k.pub, NULL), BK_OK);
	free(sig);

	/* minisign -G asks for the passphrase twice */
	tpath(t, "minisign.pub", pp);
	tpath(t, "minisign.key", ps);
	assert_int_equal(run(t, "its pass\nits pass\n", 0,
			     (char *const[]){ "minisign", "-G", "-f", "-p", pp, "-s", ps, NULL }),
			 0);
	text = get_file(t, "minisign.pub", &len);
	assert_int_equal(bk_minisign_pub_parse(&pub, text, len), BK_OK);
	free(text);
	text = get_file(t, "minisign.key", &len);
	assert_int_equal(bk_minisign_sec_parse(sec, text, len, "its pass"), BK_OK);
	free(text);
	assert_memory_equal(sec->key_id, pub.key_id, 8);
	assert_memory_equal(sec->sk + 32, pub.pk, 32);
	bk_secmem_free(sec);
	bk_secmem_free(k.sec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_id_hex),
		cmocka_unit_test(test_golden_minisign_files),
		cmocka_unit_test(test_pub_roundtrip),
		cmocka_unit_test(test_pub_strict),
		cmocka_unit_test(test_sec_unencrypted),
		cmocka_unit_test(test_sec_encrypted),
		cmocka_unit_test(test_sec_strict),
		cmocka_unit_test(test_sign_verify_roundtrip),
		cmocka_unit_test(test_verify_tamper),
		cmocka_unit_test(test_verify_strict),
		cmocka_unit_test(test_legacy_signature),
		cmocka_unit_test_setup_teardown(test_interop_minisign_verifies_ours, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_interop_we_read_minisign, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_interop_minisign_signs_with_ours, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_interop_sensitive_cost, tmp_setup, tmp_teardown),
	};

	signal(SIGPIPE, SIG_IGN);
	umask(077); /* the temporary secret key files */
	return bk_test_run_group("minisign", tests, NULL, NULL);
}
