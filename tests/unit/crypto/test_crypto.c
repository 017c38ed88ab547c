/* test_crypto.c - known-answer tests for every crypto/ wrapper: AEAD, Ed25519,
 * X25519 and sealed boxes, BLAKE2b, Argon2id, HKDF, hex/base64 and bech32.
 * Each vector names its published source beside it. */
#include "tests/unit/unit.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>

#include "crypto/aead.h"
#include "crypto/box.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/hkdf.h"
#include "crypto/kdf.h"
#include "crypto/secmem.h"
#include "crypto/sign.h"

/* unhex decodes a test vector; a malformed one is a bug in the test. */
static void unhex(uint8_t *out, size_t n, const char *hex)
{
	size_t got = 0;

	assert_int_equal(strlen(hex), n * 2);
	assert_int_equal(sodium_hex2bin(out, n, hex, strlen(hex), NULL, &got, NULL), 0);
	assert_int_equal(got, n);
}

static void assert_hex(const uint8_t *bin, size_t n, const char *want)
{
	char got[2 * 256 + 1];

	assert_true(n <= 256);
	sodium_bin2hex(got, sizeof(got), bin, n);
	assert_string_equal(got, want);
}

/* ---- XChaCha20-Poly1305: draft-irtf-cfrg-xchacha-03, §A.3.1 ---- */

static const char xc_plain[] = "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for "
			       "the future, sunscreen would be it.";
#define XC_KEY "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
#define XC_NONCE "404142434445464748494a4b4c4d4e4f5051525354555657"
#define XC_AD "50515253c0c1c2c3c4c5c6c7"
#define XC_CT                                                                                                       \
	"bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54" \
	"c216cb96b72e1213b4522f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff921f9664c97637da976881"    \
	"2f615c68b13b52e"
#define XC_TAG "c0875924c1c7987947deafd8780acf49"

static void test_aead_xchacha_kat(void **state)
{
	uint8_t key[32], nonce[24], ad[12], c[sizeof(xc_plain) - 1 + BK_AEAD_ABYTES], m[sizeof(xc_plain) - 1];
	const size_t mlen = sizeof(xc_plain) - 1;

	(void)state;
	assert_int_equal(mlen, 114);
	unhex(key, sizeof(key), XC_KEY);
	unhex(nonce, sizeof(nonce), XC_NONCE);
	unhex(ad, sizeof(ad), XC_AD);
	assert_int_equal(bk_aead_seal(c, (const uint8_t *)xc_plain, mlen, ad, sizeof(ad), nonce, key), BK_OK);
	assert_hex(c, mlen, XC_CT);
	assert_hex(c + mlen, BK_AEAD_ABYTES, XC_TAG);

	assert_int_equal(bk_aead_open(m, c, sizeof(c), ad, sizeof(ad), nonce, key), BK_OK);
	assert_memory_equal(m, xc_plain, mlen);

	/* the subkey taken once for a nonce prefix seals byte for byte the same */
	{
		uint8_t sub[BK_AEAD_KEYBYTES], c2[sizeof(c)];

		bk_aead_subkey(sub, key, nonce);
		assert_int_equal(bk_aead_seal_subkey(c2, (const uint8_t *)xc_plain, mlen, ad, sizeof(ad),
						     nonce + BK_AEAD_PREFIXBYTES, sub),
				 BK_OK);
		assert_memory_equal(c2, c, sizeof(c));
	}
	/* a nonce prefix follows from the key alone (crypto_kdf: BLAKE2b keyed with it, salt = subkey
	 * id 1, personal "bknonce1"; the vector checked with Python's hashlib), and differs between keys */
	{
		uint8_t p1[BK_AEAD_PREFIXBYTES], p2[BK_AEAD_PREFIXBYTES], other[BK_AEAD_KEYBYTES];

		bk_aead_prefix(p1, key);
		assert_hex(p1, sizeof(p1), "fec437f5260cb024baaf5cf4024997c3");
		memcpy(other, key, sizeof(other));
		other[31] ^= 1;
		bk_aead_prefix(p2, other);
		assert_memory_not_equal(p1, p2, sizeof(p1));
	}

	/* a flipped tag bit, a flipped ciphertext bit, other ad: refused, m wiped */
	c[mlen] ^= 1;
	assert_int_equal(bk_aead_open(m, c, sizeof(c), ad, sizeof(ad), nonce, key), BK_ERR_AUTH);
	assert_true(sodium_is_zero(m, mlen));
	c[mlen] ^= 1;
	c[3] ^= 0x80;
	assert_int_equal(bk_aead_open(m, c, sizeof(c), ad, sizeof(ad), nonce, key), BK_ERR_AUTH);
	c[3] ^= 0x80;
	assert_int_equal(bk_aead_open(m, c, sizeof(c), ad, sizeof(ad) - 1, nonce, key), BK_ERR_AUTH);
	assert_int_equal(bk_aead_open(m, c, BK_AEAD_ABYTES - 1, ad, sizeof(ad), nonce, key), BK_ERR_AUTH);
}

/* ---- Ed25519: RFC 8032 §7.1, TEST 1, 2 and 3 ---- */

static const struct {
	const char *seed, *pk, *msg, *sig;
} ed_vectors[] = {
	{ "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
	  "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
	  "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595"
	  "bbe24655141438e7a100b" },
	{ "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
	  "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
	  "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb43"
	  "02aeeb00d291612bb0c00" },
	{ "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
	  "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
	  "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716"
	  "ed28dc027beceea1ec40a" },
};

static void test_ed25519_rfc8032(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ed_vectors) / sizeof(ed_vectors[0]); i++) {
		uint8_t seed[32], pk[32], sk[64], pk2[32], sig[64], msg[2];
		size_t mlen = strlen(ed_vectors[i].msg) / 2;

		unhex(seed, sizeof(seed), ed_vectors[i].seed);
		unhex(msg, mlen, ed_vectors[i].msg);
		assert_int_equal(bk_sign_seed_keypair(pk, sk, seed), BK_OK);
		assert_hex(pk, sizeof(pk), ed_vectors[i].pk);
		bk_sign_public_from_secret(pk2, sk);
		assert_memory_equal(pk, pk2, 32);
		assert_int_equal(bk_sign_detached(sig, msg, mlen, sk), BK_OK);
		assert_hex(sig, sizeof(sig), ed_vectors[i].sig);
		assert_int_equal(bk_sign_verify(sig, msg, mlen, pk), BK_OK);
		sig[63] ^= 0x10;
		assert_int_equal(bk_sign_verify(sig, msg, mlen, pk), BK_ERR_AUTH);
		sig[63] ^= 0x10;
		/* one more byte of message, or another key: refused */
		assert_int_equal(bk_sign_verify(sig, (const uint8_t *)"\x72\xaf", mlen + 1, pk), BK_ERR_AUTH);
		pk[0] ^= 1;
		assert_int_equal(bk_sign_verify(sig, msg, mlen, pk), BK_ERR_AUTH);
	}
}

/* ---- X25519: RFC 7748 §6.1 ---- */

#define ALICE_SK "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"
#define ALICE_PK "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"
#define BOB_SK "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"
#define BOB_PK "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"
#define SHARED_K "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"

static void test_x25519_rfc7748(void **state)
{
	uint8_t a_sk[32], b_sk[32], a_pk[32], b_pk[32], k1[32], k2[32], zero[32] = { 0 };

	(void)state;
	unhex(a_sk, 32, ALICE_SK);
	unhex(b_sk, 32, BOB_SK);
	assert_int_equal(bk_box_public_from_secret(a_pk, a_sk), BK_OK);
	assert_hex(a_pk, 32, ALICE_PK);
	assert_int_equal(bk_box_public_from_secret(b_pk, b_sk), BK_OK);
	assert_hex(b_pk, 32, BOB_PK);
	assert_int_equal(bk_x25519(k1, a_sk, b_pk), BK_OK);
	assert_hex(k1, 32, SHARED_K);
	assert_int_equal(bk_x25519(k2, b_sk, a_pk), BK_OK);
	assert_hex(k2, 32, SHARED_K);
	/* the identity point is of low order: refused, not an all-zero secret */
	assert_int_equal(bk_x25519(k1, a_sk, zero), BK_ERR_CRYPTO);
}

static void test_sealed_box(void **state)
{
	static const char msg[] = "vault key for dataset 7";
	uint8_t pk[32], sk[32], pk2[32], sk2[32], c[sizeof(msg) + BK_SEAL_OVERHEAD], m[sizeof(msg)];
	size_t i;

	(void)state;
	assert_int_equal(BK_SEAL_OVERHEAD, crypto_box_SEALBYTES);
	assert_int_equal(bk_box_keypair(pk, sk), BK_OK);
	assert_int_equal(bk_box_keypair(pk2, sk2), BK_OK);
	assert_int_equal(bk_seal(c, (const uint8_t *)msg, sizeof(msg), pk), BK_OK);
	assert_int_equal(bk_seal_open(m, c, sizeof(c), pk, sk), BK_OK);
	assert_memory_equal(m, msg, sizeof(msg));
	/* a flipped byte anywhere (ephemeral key, tag, body) fails */
	for (i = 0; i < sizeof(c); i += 7) {
		c[i] ^= 0x01;
		assert_int_equal(bk_seal_open(m, c, sizeof(c), pk, sk), BK_ERR_AUTH);
		assert_true(sodium_is_zero(m, sizeof(m)));
		c[i] ^= 0x01;
	}
	assert_int_equal(bk_seal_open(m, c, sizeof(c), pk2, sk2), BK_ERR_AUTH);
	assert_int_equal(bk_seal_open(m, c, sizeof(c) - 1, pk, sk), BK_ERR_AUTH);
	assert_int_equal(bk_seal_open(m, c, BK_SEAL_OVERHEAD - 1, pk, sk), BK_ERR_AUTH);
	assert_int_equal(bk_seal_open(m, c, sizeof(c), pk, sk), BK_OK);
}

/* ---- BLAKE2b ---- */

/* RFC 7693, Appendix A: BLAKE2b-512("abc") */
#define B2_ABC                                                                                                      \
	"ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc9518d38aa8dbf19" \
	"25ab92386edd4009923"

static void test_blake2b_unkeyed(void **state)
{
	uint8_t out[64];
	struct bk_hash_state st;

	(void)state;
	assert_int_equal(bk_hash(out, 64, "abc", 3, NULL, 0), BK_OK);
	assert_hex(out, 64, B2_ABC);
	assert_int_equal(bk_hash_init(&st, 64, NULL, 0), BK_OK);
	bk_hash_update(&st, "a", 1);
	bk_hash_update(&st, "bc", 2);
	assert_int_equal(bk_hash_final(&st, out, 64), BK_OK);
	assert_hex(out, 64, B2_ABC);
	/* out of range sizes are refused */
	assert_int_equal(bk_hash(out, 15, "abc", 3, NULL, 0), BK_ERR_CRYPTO);
	assert_int_equal(bk_hash(out, 65, "abc", 3, NULL, 0), BK_ERR_CRYPTO);
	assert_int_equal(bk_hash(out, 64, "abc", 3, out, 15), BK_ERR_CRYPTO);
}

/* The BLAKE2 reference KAT (BLAKE2/BLAKE2 testvectors/blake2b-kat.txt, keyed:
 * key = 00..3f, in = 00 01 .. of length i, 64-byte output), entries 0, 1, 2;
 * entry 63 and the 16-byte-key entry as printed by libsodium's
 * test/default/generichash.exp (lines 64 and 16: outlen = keylen = i + 1). */
static const struct {
	size_t inlen, keylen, outlen;
	const char *out;
} b2_keyed[] = {
	{ 0, 64, 64,
	  "10ebb67700b1868efb4417987acf4690ae9d972fb7a590c2f02871799aaa4786b5e996e8f0f4eb981fc214b005f42d2ff423349939165"
	  "3df7aefcbc13fc51568" },
	{ 1, 64, 64,
	  "961f6dd1e4dd30f63901690c512e78e4b45e4742ed197c3c5e45c549fd25f2e4187b0bc9fe30492b16b0d0bc4ef9b0f34c7003fac09a5"
	  "ef1532e69430234cebd" },
	{ 2, 64, 64,
	  "da2cfbe2d8409a0f38026113884f84b50156371ae304c4430173d08a99d9fb1b983164a3770706d537f49e0c916d9f32b95cc37a95b99"
	  "d857436f0232c88a965" },
	{ 63, 64, 64,
	  "bd965bf31e87d70327536f2a341cebc4768eca275fa05ef98f7f1b71a0351298de006fba73fe6733ed01d75801b4a928e54231b38e38c"
	  "562b2e33ea1284992fa" },
	{ 15, 16, 16, "0c7c9c3922d41a7b2b3b20f92685d560" },
};

/* Two states fed on two cores hash as each fed alone: a 64-byte and a keyed
 * BLAKE2b over a buffer just under and well over the size that takes a
 * thread, fed in uneven pieces. */
static void test_blake2b_both(void **state)
{
	static const size_t sizes[] = {1000, (64u << 10) - 1, 3u << 20};
	static const uint8_t key[32] = {7};
	uint8_t *m = malloc(3u << 20), want_a[64], want_b[32], got_a[64], got_b[32];

	(void)state;
	assert_non_null(m);
	for (size_t i = 0; i < (3u << 20); i++)
		m[i] = (uint8_t)(i * 131 + (i >> 9));
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		struct bk_hash_state a, b;
		size_t n = sizes[k], half = n / 3;

		assert_int_equal(bk_hash(want_a, sizeof(want_a), m, n, NULL, 0), BK_OK);
		assert_int_equal(bk_hash(want_b, sizeof(want_b), m, n, key, sizeof(key)), BK_OK);
		assert_int_equal(bk_hash_init(&a, sizeof(got_a), NULL, 0), BK_OK);
		assert_int_equal(bk_hash_init(&b, sizeof(got_b), key, sizeof(key)), BK_OK);
		bk_hash_update_both(&a, &b, m, half);
		bk_hash_update_both(&a, &b, m + half, n - half);
		assert_int_equal(bk_hash_final(&a, got_a, sizeof(got_a)), BK_OK);
		assert_int_equal(bk_hash_final(&b, got_b, sizeof(got_b)), BK_OK);
		assert_memory_equal(got_a, want_a, sizeof(want_a));
		assert_memory_equal(got_b, want_b, sizeof(want_b));
	}
	free(m);
}

static void test_blake2b_keyed(void **state)
{
	uint8_t key[64], in[64], out[64];
	size_t i;

	(void)state;
	for (i = 0; i < 64; i++)
		key[i] = in[i] = (uint8_t)i;
	for (i = 0; i < sizeof(b2_keyed) / sizeof(b2_keyed[0]); i++) {
		struct bk_hash_state st;

		assert_int_equal(bk_hash(out, b2_keyed[i].outlen, in, b2_keyed[i].inlen, key, b2_keyed[i].keylen), BK_OK);
		assert_hex(out, b2_keyed[i].outlen, b2_keyed[i].out);
		assert_int_equal(bk_hash_init(&st, b2_keyed[i].outlen, key, b2_keyed[i].keylen), BK_OK);
		bk_hash_update(&st, in, b2_keyed[i].inlen);
		assert_int_equal(bk_hash_final(&st, out, b2_keyed[i].outlen), BK_OK);
		assert_hex(out, b2_keyed[i].outlen, b2_keyed[i].out);
	}
}

/* ---- Argon2id ---- */

static void test_argon2id_kat(void **state)
{
	uint8_t salt[16], *key = bk_secmem_alloc(64);
	struct bk_kdf_params p;

	(void)state;
	assert_non_null(key);
	/* libsodium test/default/pwhash_argon2id.c, tv3 entry 2 (verifies per
	 * pwhash_argon2id.exp): "$argon2id$v=19$m=4882,t=2,p=1$bA81arsiXysd3WbTRzmEOw$
	 * Nm8QBM+7RH1DXo9rvp5cwKEOOOfD2g6JuxlXihoNcpE", empty password */
	unhex(salt, 16, "6c0f356abb225f2b1ddd66d34739843b");
	p.opslimit = 2;
	p.memlimit = 4882 * 1024;
	assert_int_equal(bk_kdf_derive(key, 32, "", 0, salt, &p), BK_OK);
	assert_hex(key, 32, "366f1004cfbb447d435e8f6bbe9e5cc0a10e38e7c3da0e89bb19578a1a0d7291");

	/* the reference argon2 CLI (Debian package argon2 0~20171227):
	 * printf password | argon2 somesaltsomesalt -id -t 3 -k 1024 -p 1 -l 64 -r */
	memcpy(salt, "somesaltsomesalt", 16);
	p.opslimit = 3;
	p.memlimit = 1024 * 1024;
	assert_int_equal(bk_kdf_derive(key, 64, "password", 8, salt, &p), BK_OK);
	assert_hex(key, 64,
		   "0313dff3adc481dedb095f23db3661c02372413e1a0ff07ee2e5be17ac9ded547915e8610ae3a23ae75d1b81a593a397601c3"
		   "a0e22a7cd34016e1e47a1094d5f");
	/* one character less: another key */
	assert_int_equal(bk_kdf_derive(key, 64, "password", 7, salt, &p), BK_OK);
	assert_true(key[0] != 0x03 || key[1] != 0x13);

	/* sizes and costs out of range are refused and leave no key */
	assert_int_equal(bk_kdf_derive(key, 15, "password", 8, salt, &p), BK_ERR_CRYPTO);
	assert_int_equal(bk_kdf_derive(key, 65, "password", 8, salt, &p), BK_ERR_CRYPTO);
	p.opslimit = 17;
	assert_int_equal(bk_kdf_derive(key, 32, "password", 8, salt, &p), BK_ERR_FORMAT);
	assert_true(sodium_is_zero(key, 32));
	bk_secmem_free(key);
}

static void test_kdf_levels_and_bounds(void **state)
{
	static const struct {
		unsigned long long ops;
		size_t mem;
		bk_status want;
	} bounds[] = {
		{1, 8192, BK_OK},
		{1, 8191, BK_ERR_FORMAT},
		{1, (size_t)4 << 30, BK_OK},
		{1, ((size_t)4 << 30) + 1, BK_ERR_FORMAT},
		{0, 8192, BK_ERR_FORMAT},
		{16, 8192, BK_OK},
		{17, 8192, BK_ERR_FORMAT},
	};
	enum bk_kdf_level level;
	struct bk_kdf_params p;

	(void)state;
	assert_int_equal(bk_kdf_level_parse("interactive", &level), BK_OK);
	assert_int_equal(level, BK_KDF_INTERACTIVE);
	assert_int_equal(bk_kdf_level_parse("moderate", &level), BK_OK);
	assert_int_equal(level, BK_KDF_MODERATE);
	assert_int_equal(bk_kdf_level_parse("sensitive", &level), BK_OK);
	assert_int_equal(level, BK_KDF_SENSITIVE);
	assert_int_equal(bk_kdf_level_parse("Sensitive", &level), BK_ERR_USAGE);
	assert_int_equal(bk_kdf_level_parse("", &level), BK_ERR_USAGE);
	assert_int_equal(bk_kdf_level_parse(NULL, &level), BK_ERR_USAGE);

	/* libsodium 1.0.18's argon2id presets */
	bk_kdf_params_for_level(BK_KDF_INTERACTIVE, &p);
	assert_int_equal(p.opslimit, 2);
	assert_int_equal(p.memlimit, 64u << 20);
	bk_kdf_params_for_level(BK_KDF_MODERATE, &p);
	assert_int_equal(p.opslimit, 3);
	assert_int_equal(p.memlimit, 256u << 20);
	bk_kdf_params_for_level(BK_KDF_SENSITIVE, &p);
	assert_int_equal(p.opslimit, 4);
	assert_int_equal(p.memlimit, 1024u << 20);
	assert_int_equal(bk_kdf_params_check(&p), BK_OK);

	/* the bounds: opslimit 1 to 16, memlimit 8 KiB to 4 GiB */
	for (size_t i = 0; i < sizeof(bounds) / sizeof(bounds[0]); i++) {
		p.opslimit = bounds[i].ops;
		p.memlimit = bounds[i].mem;
		assert_int_equal(bk_kdf_params_check(&p), bounds[i].want);
	}
}

/* ---- HKDF-SHA-256: RFC 5869 Appendix A.1, A.2, A.3 ---- */

static const struct {
	const char *ikm, *salt, *info, *prk, *okm;
} hkdf_vectors[] = {
	{ "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "000102030405060708090a0b0c", "f0f1f2f3f4f5f6f7f8f9",
	  "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
	  "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865" },
	{ "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435"
	  "363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f",
	  "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f808182838485868788898a8b8c8d8e8f909192939495"
	  "969798999a9b9c9d9e9fa0a1a2a3a4a5a6a7a8a9aaabacadaeaf",
	  "b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5"
	  "e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
	  "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244",
	  "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09da3275600c2f0"
	  "9b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87" },
	{ "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "", "",
	  "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
	  "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8" },
};

static void test_hkdf_rfc5869(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(hkdf_vectors) / sizeof(hkdf_vectors[0]); i++) {
		uint8_t ikm[80], salt[80], info[80], prk[32], okm[82];
		size_t ikmlen = strlen(hkdf_vectors[i].ikm) / 2, saltlen = strlen(hkdf_vectors[i].salt) / 2;
		size_t infolen = strlen(hkdf_vectors[i].info) / 2, okmlen = strlen(hkdf_vectors[i].okm) / 2;

		unhex(ikm, ikmlen, hkdf_vectors[i].ikm);
		unhex(salt, saltlen, hkdf_vectors[i].salt);
		unhex(info, infolen, hkdf_vectors[i].info);
		assert_int_equal(bk_hkdf_sha256_extract(prk, ikm, ikmlen, saltlen ? salt : NULL, saltlen), BK_OK);
		assert_hex(prk, 32, hkdf_vectors[i].prk);
		assert_int_equal(bk_hkdf_sha256_expand(okm, okmlen, prk, 32, infolen ? info : NULL, infolen), BK_OK);
		assert_hex(okm, okmlen, hkdf_vectors[i].okm);
		memset(okm, 0, sizeof(okm));
		assert_int_equal(bk_hkdf_sha256(okm, okmlen, ikm, ikmlen, saltlen ? salt : NULL, saltlen,
						infolen ? info : NULL, infolen),
				 BK_OK);
		assert_hex(okm, okmlen, hkdf_vectors[i].okm);
	}
}

static void test_hkdf_salt_and_bounds(void **state)
{
	static const uint8_t zeros[32];
	uint8_t ikm[22], prk1[32], prk2[32], *big = malloc(255 * 32 + 1);

	(void)state;
	assert_non_null(big);
	memset(ikm, 0x0b, sizeof(ikm));
	/* RFC 5869 §2.2: no salt means HashLen zeros (A.3's PRK) */
	assert_int_equal(bk_hkdf_sha256_extract(prk1, ikm, sizeof(ikm), NULL, 0), BK_OK);
	assert_int_equal(bk_hkdf_sha256_extract(prk2, ikm, sizeof(ikm), zeros, sizeof(zeros)), BK_OK);
	assert_memory_equal(prk1, prk2, 32);
	assert_hex(prk1, 32, "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04");
	/* an empty IKM is allowed by the RFC */
	assert_int_equal(bk_hkdf_sha256_extract(prk2, NULL, 0, NULL, 0), BK_OK);
	assert_memory_not_equal(prk1, prk2, 32);

	assert_int_equal(bk_hkdf_sha256(big, 255 * 32, ikm, sizeof(ikm), NULL, 0, NULL, 0), BK_OK);
	assert_int_equal(bk_hkdf_sha256(big, 255 * 32 + 1, ikm, sizeof(ikm), NULL, 0, NULL, 0), BK_ERR_CRYPTO);
	assert_int_equal(bk_hkdf_sha256(big, 0, ikm, sizeof(ikm), NULL, 0, NULL, 0), BK_ERR_CRYPTO);
	assert_int_equal(bk_hkdf_sha256_expand(big, 32, prk1, 31, NULL, 0), BK_ERR_CRYPTO);
	assert_int_equal(bk_hkdf_sha256_expand(big, 255 * 32 + 1, prk1, 32, NULL, 0), BK_ERR_CRYPTO);
	free(big);
}

/* ---- hex and base64 ---- */

static void test_hex_strict(void **state)
{
	uint8_t b[4];

	(void)state;
	assert_int_equal(bk_hex_decode(b, 2, "0aF1", 4), BK_OK);
	assert_int_equal(b[0], 0x0a);
	assert_int_equal(b[1], 0xf1);
	{
		char out[BK_HEX_LEN(2)];

		bk_hex_encode(out, b, 2);
		assert_string_equal(out, "0af1");
	}
	assert_int_equal(bk_hex_decode(b, 2, "0ag1", 4), BK_ERR_FORMAT);  /* bad digit */
	assert_int_equal(bk_hex_decode(b, 2, "0a f", 4), BK_ERR_FORMAT);  /* space */
	assert_int_equal(bk_hex_decode(b, 2, "0af", 3), BK_ERR_FORMAT);   /* odd length */
	assert_int_equal(bk_hex_decode(b, 2, "0af1aa", 6), BK_ERR_FORMAT); /* trailing digits */
	assert_int_equal(bk_hex_decode(b, 3, "0af1", 4), BK_ERR_FORMAT);  /* short */
	assert_int_equal(bk_hex_decode(b, 2, "0af\n", 4), BK_ERR_FORMAT); /* newline */
	assert_int_equal(bk_hex_decode(b, 2, "0a\0" "1", 4), BK_ERR_FORMAT);
}

/* RFC 4648 §10 */
static const struct {
	const char *bin, *b64, *nopad;
} b64_vectors[] = {
	{ "", "", "" },	{ "f", "Zg==", "Zg" },	{ "fo", "Zm8=", "Zm8" },	{ "foo", "Zm9v", "Zm9v" },
	{ "foob", "Zm9vYg==", "Zm9vYg" }, { "fooba", "Zm9vYmE=", "Zm9vYmE" }, { "foobar", "Zm9vYmFy", "Zm9vYmFy" },
};

static void test_base64_strict(void **state)
{
	static const char *bad_padded[] = {
		"Zg=",	    /* short padding */
		"Zg",	    /* no padding */
		"Zg===",    /* excess padding */
		"Zh==",	    /* non-zero unused bits */
		"Zm9=",	    /* non-zero unused bits */
		"Zm9v!",    /* bad character */
		"Zm9-",	    /* URL alphabet */
		"Zm9vYg==Zg==", /* data after the padding */
		"Zm9v\n",   /* trailing newline */
		" Zm9v",    /* leading space */
		"Zm 9v",    /* inner space */
		"=Zm9",	    /* padding first */
	};
	static const char *bad_nopad[] = { "Zg==", "Zh", "Z", "Zm9v=", "Zm9v\n", "Zm9v_" };
	uint8_t bin[16];
	size_t i, len;

	(void)state;
	for (i = 0; i < sizeof(b64_vectors) / sizeof(b64_vectors[0]); i++) {
		char out[BK_B64_LEN(6)];
		size_t n = strlen(b64_vectors[i].bin);

		bk_b64_encode(out, (const uint8_t *)b64_vectors[i].bin, n);
		assert_string_equal(out, b64_vectors[i].b64);
		bk_b64_encode_nopad(out, (const uint8_t *)b64_vectors[i].bin, n);
		assert_string_equal(out, b64_vectors[i].nopad);
		assert_int_equal(bk_b64_decode(bin, sizeof(bin), &len, b64_vectors[i].b64, strlen(b64_vectors[i].b64)),
				 BK_OK);
		assert_int_equal(len, n);
		assert_memory_equal(bin, b64_vectors[i].bin, n);
		assert_int_equal(bk_b64_decode_nopad(bin, sizeof(bin), &len, b64_vectors[i].nopad,
						     strlen(b64_vectors[i].nopad)),
				 BK_OK);
		assert_int_equal(len, n);
		assert_memory_equal(bin, b64_vectors[i].bin, n);
	}
	for (i = 0; i < sizeof(bad_padded) / sizeof(bad_padded[0]); i++) {
		len = 99;
		assert_int_equal(bk_b64_decode(bin, sizeof(bin), &len, bad_padded[i], strlen(bad_padded[i])),
				 BK_ERR_FORMAT);
		assert_int_equal(len, 0);
	}
	for (i = 0; i < sizeof(bad_nopad) / sizeof(bad_nopad[0]); i++)
		assert_int_equal(bk_b64_decode_nopad(bin, sizeof(bin), &len, bad_nopad[i], strlen(bad_nopad[i])),
				 BK_ERR_FORMAT);
	/* more data than the buffer holds */
	assert_int_equal(bk_b64_decode(bin, 5, &len, "Zm9vYmFy", 8), BK_ERR_FORMAT);
	/* an embedded NUL within the given length */
	assert_int_equal(bk_b64_decode(bin, sizeof(bin), &len, "Zm9v\0Zm9v", 9), BK_ERR_FORMAT);
}

/* ---- bech32 ---- */

/* ref_bech32 is an independent transcription of BIP 173's reference encoder
 * over raw 5-bit values, to build strings with a valid checksum around data
 * the encoder under test would never produce (bad padding). */
static void ref_bech32(char *out, const char *hrp, const uint8_t *v, size_t nv)
{
	static const char cs[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
	static const uint32_t g[5] = { 0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3 };
	uint8_t vals[200];
	size_t n = 0, i, hl = strlen(hrp);
	uint32_t chk = 1;

	for (i = 0; i < hl; i++)
		vals[n++] = (uint8_t)(hrp[i] >> 5);
	vals[n++] = 0;
	for (i = 0; i < hl; i++)
		vals[n++] = (uint8_t)(hrp[i] & 31);
	for (i = 0; i < nv; i++)
		vals[n++] = v[i];
	for (i = 0; i < 6; i++)
		vals[n++] = 0;
	for (i = 0; i < n; i++) {
		uint32_t b = chk >> 25;
		int j;

		chk = ((chk & 0x1ffffff) << 5) ^ vals[i];
		for (j = 0; j < 5; j++)
			chk ^= ((b >> j) & 1) ? g[j] : 0;
	}
	chk ^= 1;
	memcpy(out, hrp, hl);
	out[hl] = '1';
	for (i = 0; i < nv; i++)
		out[hl + 1 + i] = cs[v[i]];
	for (i = 0; i < 6; i++)
		out[hl + 1 + nv + i] = cs[(chk >> (5 * (5 - i))) & 31];
	out[hl + 1 + nv + 6] = '\0';
}

/* BIP 173, "Test vectors", valid bech32 strings, with their hrp and data size */
static const struct {
	const char *s, *hrp;
	size_t n;
} bip173_valid[] = {
	{ "A12UEL5L", "a", 0 },
	{ "a12uel5l", "a", 0 },
	{ "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
	  "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio", 0 },
	{ "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw", "abcdef", 20 },
	{ "11qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqc8247j", "1", 51 },
	{ "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w", "split", 30 },
	{ "?1ezyfcl", "?", 0 },
	/* invalid in BIP 173 only for exceeding 90 characters, which age needs */
	{ "an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx",
	  "an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio", 0 },
};

static void test_bech32_bip173_valid(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bip173_valid) / sizeof(bip173_valid[0]); i++) {
		uint8_t data[64];
		char back[128];
		const char *s = bip173_valid[i].s;
		int upper = s[0] >= 'A' && s[0] <= 'Z';

		assert_int_equal(bk_bech32_decode(data, bip173_valid[i].n, bip173_valid[i].hrp, s, strlen(s)), BK_OK);
		assert_int_equal(bk_bech32_encode(back, sizeof(back), bip173_valid[i].hrp, data, bip173_valid[i].n, upper),
				 BK_OK);
		assert_string_equal(back, s);
		/* one byte more or less than the string holds is refused */
		assert_int_equal(bk_bech32_decode(data, bip173_valid[i].n + 1, bip173_valid[i].hrp, s, strlen(s)),
				 BK_ERR_FORMAT);
		if (bip173_valid[i].n > 0)
			assert_int_equal(bk_bech32_decode(data, bip173_valid[i].n - 1, bip173_valid[i].hrp, s, strlen(s)),
					 BK_ERR_FORMAT);
		/* a different prefix is refused */
		assert_int_equal(bk_bech32_decode(data, bip173_valid[i].n, "bc", s, strlen(s)), BK_ERR_FORMAT);
	}
	{
		/* the data: the alphabet in order is 0, 1, ..., 31 in 5-bit groups */
		uint8_t data[20];

		assert_int_equal(bk_bech32_decode(data, 20, "ABCDEF", bip173_valid[3].s, strlen(bip173_valid[3].s)), BK_OK);
		assert_hex(data, 20, "00443214c74254b635cf84653a56d7c675be77df");
	}
}

static void test_bech32_invalid(void **state)
{
	/* BIP 173 invalid strings, with the hrp and size they would carry */
	static const struct {
		const char *s, *hrp;
		size_t n;
	} bad[] = {
		{ "\x20" "1nwldj5", "a", 0 },  /* hrp character out of range */
		{ "\x7f" "1axkwrx", "a", 0 },  /* hrp character out of range */
		{ "\x80" "1eym55h", "a", 0 },  /* hrp character out of range */
		{ "pzry9x0s0muk", "a", 0 },    /* no separator */
		{ "1pzry9x0s0muk", "a", 0 },   /* empty hrp */
		{ "x1b4n0q5v", "x", 0 },       /* invalid data character */
		{ "li1dgmt3", "li", 0 },       /* too short checksum */
		{ "de1lg7wt\xff", "de", 0 },   /* invalid character in checksum */
		{ "A1G7SGD8", "a", 0 },	       /* checksum computed with upper-case hrp */
		{ "10a06t8", "a", 0 },	       /* empty hrp */
		{ "1qzzfhee", "a", 0 },	       /* empty hrp */
		{ "A12UEl5L", "a", 0 },	       /* mixed case */
		{ "a12uel5m", "a", 0 },	       /* one checksum character changed */
		{ "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxx", "abcdef", 20 },
		{ "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqx", "abcdef", 20 }, /* truncated */
	};
	uint8_t data[64], v[8];
	char s[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(data, 0xaa, sizeof(data));
		assert_int_equal(bk_bech32_decode(data, bad[i].n, bad[i].hrp, bad[i].s, strlen(bad[i].s)), BK_ERR_FORMAT);
	}

	/* strict 5 -> 8 conversion: one byte is two groups with 2 padding bits */
	v[0] = 31;
	v[1] = 28; /* 11111 111|00: padding zero */
	ref_bech32(s, "t", v, 2);
	assert_int_equal(bk_bech32_decode(data, 1, "t", s, strlen(s)), BK_OK);
	assert_int_equal(data[0], 0xff);
	v[1] = 29; /* padding bits 01: refused, and the output is wiped */
	ref_bech32(s, "t", v, 2);
	assert_int_equal(bk_bech32_decode(data, 1, "t", s, strlen(s)), BK_ERR_FORMAT);
	assert_int_equal(data[0], 0);
	v[1] = 30; /* padding bits 10 */
	ref_bech32(s, "t", v, 2);
	assert_int_equal(bk_bech32_decode(data, 1, "t", s, strlen(s)), BK_ERR_FORMAT);
	v[1] = 28;
	v[2] = 0; /* a whole group of padding: excess */
	ref_bech32(s, "t", v, 3);
	assert_int_equal(bk_bech32_decode(data, 1, "t", s, strlen(s)), BK_ERR_FORMAT);
	v[0] = 0; /* a lone group for zero bytes: excess padding too */
	ref_bech32(s, "t", v, 1);
	assert_int_equal(bk_bech32_decode(data, 0, "t", s, strlen(s)), BK_ERR_FORMAT);
	ref_bech32(s, "t", v, 0);
	assert_int_equal(bk_bech32_decode(data, 0, "t", s, strlen(s)), BK_OK);

	/* the encoder: a bad prefix, a buffer one byte short */
	assert_int_equal(bk_bech32_encode(s, sizeof(s), "", data, 1, 0), BK_ERR_USAGE);
	assert_int_equal(bk_bech32_encode(s, sizeof(s), "a b", data, 1, 0), BK_ERR_USAGE);
	assert_int_equal(bk_bech32_encode(s, 10, "t", (const uint8_t *)"\xff", 1, 0), BK_ERR_USAGE);
	assert_string_equal(s, "");
	assert_int_equal(bk_bech32_encode(s, 11, "t", (const uint8_t *)"\xff", 1, 0), BK_OK);
	assert_int_equal(strlen(s), 10);
}

/* age: /work/shared/testdata/age-cctv/x25519 (C2SP CCTV age vectors) has this
 * identity; its recipient is what `age-keygen -y` (age 1.1.1) printed for it. */
#define AGE_IDENTITY "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0"
#define AGE_RECIPIENT "age1xmwwc06ly3ee5rytxm9mflaz2u56jjj36s0mypdrwsvlul66mv4q47ryef"

static void test_bech32_age(void **state)
{
	uint8_t *sk = bk_secmem_alloc(32), pk[32], pk2[32];
	char out[128], lower[sizeof(AGE_IDENTITY)];
	size_t i;

	(void)state;
	assert_non_null(sk);
	assert_int_equal(bk_bech32_decode(sk, 32, "age-secret-key-", AGE_IDENTITY, strlen(AGE_IDENTITY)), BK_OK);
	assert_int_equal(bk_box_public_from_secret(pk, sk), BK_OK);
	assert_int_equal(bk_bech32_encode(out, sizeof(out), "age", pk, 32, 0), BK_OK);
	assert_string_equal(out, AGE_RECIPIENT);
	assert_int_equal(bk_bech32_encode(out, sizeof(out), "age-secret-key-", sk, 32, 1), BK_OK);
	assert_string_equal(out, AGE_IDENTITY);
	assert_int_equal(bk_bech32_decode(pk2, 32, "age", AGE_RECIPIENT, strlen(AGE_RECIPIENT)), BK_OK);
	assert_memory_equal(pk, pk2, 32);

	/* all lower case is the same key; hrp is compared without case */
	for (i = 0; i < sizeof(AGE_IDENTITY); i++)
		lower[i] = (char)(AGE_IDENTITY[i] >= 'A' && AGE_IDENTITY[i] <= 'Z' ? AGE_IDENTITY[i] + 32 : AGE_IDENTITY[i]);
	assert_int_equal(bk_bech32_decode(pk2, 32, "AGE-SECRET-KEY-", lower, strlen(lower)), BK_OK);
	assert_memory_equal(sk, pk2, 32);
	/* a recipient is not an identity, one changed letter breaks the checksum */
	assert_int_equal(bk_bech32_decode(pk2, 32, "age-secret-key-", AGE_RECIPIENT, strlen(AGE_RECIPIENT)),
			 BK_ERR_FORMAT);
	lower[20] = lower[20] == 'q' ? 'p' : 'q';
	assert_int_equal(bk_bech32_decode(pk2, 32, "age-secret-key-", lower, strlen(lower)), BK_ERR_FORMAT);
	assert_true(sodium_is_zero(pk2, 32));

	/* no 90-character limit: 100 bytes round trip */
	{
		uint8_t big[100], back[100];
		char s[256];

		for (i = 0; i < sizeof(big); i++)
			big[i] = (uint8_t)(i * 7);
		assert_int_equal(bk_bech32_encode(s, sizeof(s), "age-secret-key-pq-", big, sizeof(big), 1), BK_OK);
		assert_true(strlen(s) > 90);
		assert_int_equal(bk_bech32_decode(back, sizeof(back), "age-secret-key-pq-", s, strlen(s)), BK_OK);
		assert_memory_equal(big, back, sizeof(big));
	}
	bk_secmem_free(sk);
}

/* bk_random_shuffle: a permutation every time, and every element reaches
 * every place about equally often (chi-square over 3 x 3 positions). */
static void test_random_shuffle(void **state)
{
	enum { N = 3, RUNS = 60000 };
	unsigned counts[N][N] = {{0}};
	uint32_t big[1000];
	double chi = 0, expect = (double)RUNS / N;
	int seen[1000] = {0};

	(void)state;
	for (uint32_t i = 0; i < 1000; i++)
		big[i] = i;
	assert_int_equal(bk_random_shuffle(big, 1000), BK_OK);
	for (int i = 0; i < 1000; i++)
		seen[big[i]]++;
	for (int i = 0; i < 1000; i++)
		assert_int_equal(seen[i], 1);
	for (int r = 0; r < RUNS; r++) {
		uint32_t a[N] = {0, 1, 2};

		assert_int_equal(bk_random_shuffle(a, N), BK_OK);
		for (int p = 0; p < N; p++)
			counts[a[p]][p]++;
	}
	for (int e = 0; e < N; e++)
		for (int p = 0; p < N; p++)
			chi += (counts[e][p] - expect) * (counts[e][p] - expect) / expect;
	/* 4 degrees of freedom: P(chi2 > 30) is about 5e-6; a biased draw (say
	 * a modulo) or a fixed order lands far above */
	assert_true(chi < 30.0);
	assert_int_equal(bk_random_shuffle(big, 0), BK_OK);
	assert_int_equal(bk_random_shuffle(big, 1), BK_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aead_xchacha_kat),
		cmocka_unit_test(test_ed25519_rfc8032),
		cmocka_unit_test(test_x25519_rfc7748),
		cmocka_unit_test(test_sealed_box),
		cmocka_unit_test(test_blake2b_unkeyed),
		cmocka_unit_test(test_blake2b_keyed),
		cmocka_unit_test(test_blake2b_both),
		cmocka_unit_test(test_argon2id_kat),
		cmocka_unit_test(test_kdf_levels_and_bounds),
		cmocka_unit_test(test_hkdf_rfc5869),
		cmocka_unit_test(test_hkdf_salt_and_bounds),
		cmocka_unit_test(test_hex_strict),
		cmocka_unit_test(test_base64_strict),
		cmocka_unit_test(test_bech32_bip173_valid),
		cmocka_unit_test(test_bech32_invalid),
		cmocka_unit_test(test_bech32_age),
		cmocka_unit_test(test_random_shuffle),
	};

	return bk_test_run_group("crypto", tests, NULL, NULL);
}
