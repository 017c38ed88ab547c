/* identity.c - evaluators' passphrase-protected identity files. */
#include "crypto/identity.h"

#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/aead.h"
#include "crypto/encoding.h"
#include "crypto/secmem.h"

#define IDENTITY_FORMAT "brankas-identity"
#define AD_CONTEXT "brankas-identity-v1"

bk_status bk_age_recipient_from_x25519(char out[BK_AGE_RECIPIENT_MAX], const uint8_t pk[32])
{
	return bk_bech32_encode(out, BK_AGE_RECIPIENT_MAX, "age", pk, 32, 0);
}

static size_t make_ad(uint8_t *ad, size_t cap, const char *public_id)
{
	size_t n = strlen(public_id);

	if (sizeof(AD_CONTEXT) - 1 + n > cap)
		return 0;
	memcpy(ad, AD_CONTEXT, sizeof(AD_CONTEXT) - 1);
	memcpy(ad + sizeof(AD_CONTEXT) - 1, public_id, n);
	return sizeof(AD_CONTEXT) - 1 + n;
}

bk_status bk_identity_new(const char *pass, size_t passlen, const struct bk_kdf_params *params, char **text_p,
			  char public_id[BK_AGE_RECIPIENT_MAX])
{
	uint8_t *seed = bk_secmem_alloc(32), *sk = bk_secmem_alloc(64), *key = bk_secmem_alloc(32);
	uint8_t pk[32], xpk[32], salt[BK_KDF_SALTBYTES], nonce[BK_AEAD_NONCEBYTES], ct[32 + BK_AEAD_ABYTES];
	uint8_t ad[sizeof(AD_CONTEXT) + BK_AGE_RECIPIENT_MAX];
	char salt64[BK_B64_LEN(sizeof(salt))], nonce64[BK_B64_LEN(sizeof(nonce))], ct64[BK_B64_LEN(sizeof(ct))];
	json_t *root = NULL;
	bk_status rc;

	*text_p = NULL;
	public_id[0] = '\0';
	if (!seed || !sk || !key) {
		rc = bk_fail(BK_ERR_NOMEM, "out of guarded memory");
		goto out;
	}
	bk_random(seed, 32);
	if (crypto_sign_ed25519_seed_keypair(pk, sk, seed) != 0 || crypto_sign_ed25519_pk_to_curve25519(xpk, pk) != 0) {
		rc = bk_fail(BK_ERR_CRYPTO, "cannot make an identity key");
		goto out;
	}
	if ((rc = bk_age_recipient_from_x25519(public_id, xpk)))
		goto out;
	bk_random(salt, sizeof(salt));
	bk_random(nonce, sizeof(nonce));
	if ((rc = bk_kdf_derive(key, 32, pass, passlen, salt, params)) ||
	    (rc = bk_aead_seal(ct, seed, 32, ad, make_ad(ad, sizeof(ad), public_id), nonce, key)))
		goto out;
	bk_b64_encode(salt64, salt, sizeof(salt));
	bk_b64_encode(nonce64, nonce, sizeof(nonce));
	bk_b64_encode(ct64, ct, sizeof(ct));
	root = json_pack("{s:s, s:i, s:s, s:s, s:I, s:I, s:s, s:s, s:s}", "format", IDENTITY_FORMAT, "version", 1,
			 "public", public_id, "kdf", BK_KDF_ALG_NAME, "ops", (json_int_t)params->opslimit, "mem",
			 (json_int_t)params->memlimit, "salt", salt64, "nonce", nonce64, "ct", ct64);
	*text_p = root ? json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	if (!*text_p) {
		rc = bk_fail(BK_ERR_NOMEM, "out of memory");
		goto out;
	}
out:
	json_decref(root);
	bk_secmem_free(seed);
	bk_secmem_free(sk);
	bk_secmem_free(key);
	return rc;
}

struct parsed {
	char public_id[BK_AGE_RECIPIENT_MAX];
	struct bk_kdf_params kdf;
	uint8_t salt[BK_KDF_SALTBYTES], nonce[BK_AEAD_NONCEBYTES], ct[32 + BK_AEAD_ABYTES];
};

static bk_status b64_field(json_t *root, const char *key, uint8_t *out, size_t n)
{
	json_t *v = json_object_get(root, key);
	size_t got = 0;

	if (!json_is_string(v) || bk_b64_decode(out, n, &got, json_string_value(v), json_string_length(v)) != BK_OK ||
	    got != n)
		return BK_ERR_FORMAT;
	return BK_OK;
}

static bk_status parse(const char *name, const char *text, size_t len, struct parsed *p)
{
	json_error_t err;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
	json_t *format, *version, *pub, *kdf, *ops, *mem;
	uint8_t xpk[32];
	bk_status rc = BK_OK;

	memset(p, 0, sizeof(*p));
	if (!root) {
		rc = bk_fail(BK_ERR_FORMAT, "%s:%d:%d: %s", name, err.line, err.column, err.text);
		goto out;
	}
	format = json_object_get(root, "format");
	version = json_object_get(root, "version");
	pub = json_object_get(root, "public");
	kdf = json_object_get(root, "kdf");
	ops = json_object_get(root, "ops");
	mem = json_object_get(root, "mem");
	if (!json_is_string(format) || strcmp(json_string_value(format), IDENTITY_FORMAT) != 0) {
		rc = bk_fail(BK_ERR_FORMAT, "%s: not a brankas identity file", name);
		goto out;
	}
	if (!json_is_integer(version) || json_integer_value(version) != 1 || !json_is_string(pub) ||
	    json_string_length(pub) >= sizeof(p->public_id) || !json_is_string(kdf) ||
	    strcmp(json_string_value(kdf), BK_KDF_ALG_NAME) != 0 || !json_is_integer(ops) || !json_is_integer(mem) ||
	    json_integer_value(ops) < 0 || json_integer_value(mem) < 0 || b64_field(root, "salt", p->salt, sizeof(p->salt)) ||
	    b64_field(root, "nonce", p->nonce, sizeof(p->nonce)) || b64_field(root, "ct", p->ct, sizeof(p->ct))) {
		rc = bk_fail(BK_ERR_FORMAT, "%s: malformed identity file", name);
		goto out;
	}
	memcpy(p->public_id, json_string_value(pub), json_string_length(pub) + 1);
	p->kdf.opslimit = (unsigned long long)json_integer_value(ops);
	p->kdf.memlimit = (size_t)json_integer_value(mem);
	if (bk_kdf_params_check(&p->kdf) != BK_OK ||
	    bk_bech32_decode(xpk, sizeof(xpk), "age", p->public_id, strlen(p->public_id)) != BK_OK)
		rc = bk_fail(BK_ERR_FORMAT, "%s: malformed identity file", name);
out:
	json_decref(root);
	return rc;
}

bk_status bk_identity_public(const char *name, const char *text, size_t len, char public_id[BK_AGE_RECIPIENT_MAX])
{
	struct parsed p;
	bk_status rc = parse(name, text, len, &p);

	public_id[0] = '\0';
	if (rc == BK_OK)
		memcpy(public_id, p.public_id, sizeof(p.public_id));
	return rc;
}

bk_status bk_identity_open(const char *name, const char *text, size_t len, const char *pass, size_t passlen,
			   uint8_t ed_sk[64], uint8_t x_sk[32])
{
	uint8_t *seed = bk_secmem_alloc(32), *key = bk_secmem_alloc(32);
	uint8_t ad[sizeof(AD_CONTEXT) + BK_AGE_RECIPIENT_MAX], pk[32], xpk[32];
	char check[BK_AGE_RECIPIENT_MAX];
	struct parsed p;
	bk_status rc;

	if (!seed || !key) {
		rc = bk_fail(BK_ERR_NOMEM, "out of guarded memory");
		goto out;
	}
	if ((rc = parse(name, text, len, &p)) || (rc = bk_kdf_derive(key, 32, pass, passlen, p.salt, &p.kdf)))
		goto out;
	if (bk_aead_open(seed, p.ct, sizeof(p.ct), ad, make_ad(ad, sizeof(ad), p.public_id), p.nonce, key) != BK_OK) {
		rc = bk_fail(BK_ERR_AUTH, "%s: wrong passphrase, or the identity file was altered", name);
		goto out;
	}
	if (crypto_sign_ed25519_seed_keypair(pk, ed_sk, seed) != 0 || crypto_sign_ed25519_sk_to_curve25519(x_sk, ed_sk) != 0 ||
	    crypto_sign_ed25519_pk_to_curve25519(xpk, pk) != 0 || (rc = bk_age_recipient_from_x25519(check, xpk)) ||
	    strcmp(check, p.public_id) != 0) {
		rc = bk_fail(BK_ERR_CORRUPT, "%s: the key does not match the public id", name);
		goto out;
	}
out:
	bk_secmem_free(seed);
	bk_secmem_free(key);
	return rc;
}
