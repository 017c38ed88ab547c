/* keyring.c - reading, writing and signing the keyring; key slots and grants. */
#include "crypto/keyring.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/aead.h"
#include "crypto/box.h"
#include "crypto/encoding.h"
#include "crypto/secmem.h"
#include "crypto/sign.h"

#define KEYRING_FORMAT "brankas-keyring"
#define SIG_CONTEXT "brankas-keyring-v1\n"
#define SLOT_CONTEXT "brankas-slot-v1"
#define RAW_CONTEXT "brankas-keys-under-raw-key-v1"
#define SLOT_ONCE "\0once"
#define MAX_ENTRIES 100000

static const char *const kind_names[BK_KEY_KIND_COUNT] = {
	"db", "blind", "audit", "release", "keyring", "kecamatan", "store",
};

static const size_t kind_lens[BK_KEY_KIND_COUNT] = {32, 32, 32, 64, 64, 32, 32};

size_t bk_key_secret_len(enum bk_key_kind kind)
{
	return (unsigned)kind < BK_KEY_KIND_COUNT ? kind_lens[kind] : 0;
}

const char *bk_key_kind_name(enum bk_key_kind kind)
{
	return (unsigned)kind < BK_KEY_KIND_COUNT ? kind_names[kind] : "?";
}

/* --- small jansson helpers; every failure is BK_ERR_CORRUPT naming the field --- */

struct ctx {
	const char *name; /* file name for messages */
};

static bk_status bad(const struct ctx *c, const char *what)
{
	return bk_fail(BK_ERR_CORRUPT, "%s: field '%s' is malformed: the keyring was altered or damaged", c->name, what);
}

static bk_status get_str(const struct ctx *c, json_t *obj, const char *key, char *out, size_t cap, int optional)
{
	json_t *v = json_object_get(obj, key);
	const char *s;
	size_t len;

	if (!v && optional) {
		out[0] = '\0';
		return BK_OK;
	}
	if (!json_is_string(v))
		return bad(c, key);
	s = json_string_value(v);
	len = json_string_length(v);
	if (len >= cap || strlen(s) != len)
		return bad(c, key);
	memcpy(out, s, len + 1);
	return BK_OK;
}

static bk_status get_u64(const struct ctx *c, json_t *obj, const char *key, uint64_t *out)
{
	json_t *v = json_object_get(obj, key);

	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return bad(c, key);
	*out = (uint64_t)json_integer_value(v);
	return BK_OK;
}

static bk_status get_b64(const struct ctx *c, json_t *obj, const char *key, uint8_t *out, size_t cap, size_t *len_p,
			 int exact)
{
	json_t *v = json_object_get(obj, key);
	size_t len = 0;

	if (!json_is_string(v) || bk_b64_decode(out, cap, &len, json_string_value(v), json_string_length(v)) != BK_OK ||
	    (exact && len != cap))
		return bad(c, key);
	if (len_p)
		*len_p = len;
	return BK_OK;
}

static int set_b64(json_t *obj, const char *key, const uint8_t *bin, size_t n)
{
	char buf[BK_B64_LEN(256)];

	if (n > 256)
		return -1;
	bk_b64_encode(buf, bin, n);
	return json_object_set_new(obj, key, json_string(buf));
}

static int name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > BK_NAME_MAX)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' || *s == '-'))
			return 0;
	return 1;
}

static bk_status grow(void **arr, size_t n, size_t size)
{
	void *p;

	if (n >= MAX_ENTRIES)
		return bk_fail(BK_ERR_FORMAT, "keyring has too many entries");
	p = realloc(*arr, (n + 1) * size);
	if (!p)
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	*arr = p;
	memset((char *)p + n * size, 0, size);
	return BK_OK;
}

/* --- parsing --- */

static bk_status parse_key(const struct ctx *c, json_t *o, struct bk_keyring_key *k)
{
	char kind[16];
	uint64_t version;
	bk_status rc;
	unsigned i;

	if ((rc = get_str(c, o, "id", k->id, sizeof(k->id), 0)) || (rc = get_str(c, o, "kind", kind, sizeof(kind), 0)) ||
	    (rc = get_u64(c, o, "version", &version)) ||
	    (rc = get_str(c, o, "scope", k->scope, sizeof(k->scope), 1)))
		return rc;
	for (i = 0; i < BK_KEY_KIND_COUNT && strcmp(kind, kind_names[i]) != 0; i++)
		;
	if (i == BK_KEY_KIND_COUNT || version == 0 || version > 1000000)
		return bad(c, "key kind or version");
	k->kind = (enum bk_key_kind)i;
	k->version = (unsigned)version;
	k->has_pub = json_object_get(o, "pub") != NULL;
	if (k->has_pub && (rc = get_b64(c, o, "pub", k->pub, 32, NULL, 1)))
		return rc;
	if ((k->kind == BK_KEY_RELEASE || k->kind == BK_KEY_KEYRING || k->kind == BK_KEY_KECAMATAN) && !k->has_pub)
		return bad(c, "public key missing");
	/* blind keys: the vault-wide one of older vaults, or one per kecamatan */
	if (k->kind != BK_KEY_BLIND && (k->kind == BK_KEY_KECAMATAN || k->kind == BK_KEY_STORE) != (k->scope[0] != '\0'))
		return bad(c, "key scope");
	return BK_OK;
}

static bk_status parse_user(const struct ctx *c, json_t *o, struct bk_keyring_user *u)
{
	json_t *scope = json_object_get(o, "scope"), *dis = json_object_get(o, "disabled"), *v;
	bk_status rc;
	size_t i;

	if ((rc = get_str(c, o, "name", u->name, sizeof(u->name), 0)) ||
	    (rc = get_str(c, o, "role", u->role, sizeof(u->role), 0)) ||
	    (rc = get_str(c, o, "created", u->created, sizeof(u->created), 0)) ||
	    (rc = get_b64(c, o, "box_pk", u->box_pk, 32, NULL, 1)))
		return rc;
	if (!name_ok(u->name))
		return bad(c, "user name");
	u->has_sign = json_object_get(o, "sign_pk") != NULL;
	if (u->has_sign && (rc = get_b64(c, o, "sign_pk", u->sign_pk, 32, NULL, 1)))
		return rc;
	if ((v = json_object_get(o, "past_sign"))) {
		json_t *k;

		if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > BK_PAST_SIGN_MAX || !u->has_sign)
			return bad(c, "past_sign");
		json_array_foreach(v, i, k) {
			json_t *until = json_object_get(k, "until");

			if (!json_is_object(k) || json_object_size(k) != 2 || !json_is_integer(until) ||
			    json_integer_value(until) < 0 || (rc = get_b64(c, k, "pk", u->past_sign[i], 32, NULL, 1)))
				return bad(c, "past_sign");
			u->past_until[i] = (uint64_t)json_integer_value(until);
		}
		u->npast_sign = json_array_size(v);
	}
	if (!json_is_boolean(dis) || !json_is_array(scope) || json_array_size(scope) > BK_SCOPE_MAX)
		return bad(c, "user scope or state");
	u->disabled = json_is_true(dis);
	json_array_foreach(scope, i, v) {
		if (!json_is_string(v) || json_string_length(v) >= BK_CODE_MAX ||
		    strlen(json_string_value(v)) != json_string_length(v))
			return bad(c, "scope");
		memcpy(u->scope[i], json_string_value(v), json_string_length(v) + 1);
	}
	u->nscope = json_array_size(scope);
	return BK_OK;
}

static bk_status parse_slot(const struct ctx *c, json_t *o, struct bk_keyring_slot *s)
{
	char kdf[16];
	uint64_t ops, mem;
	bk_status rc;

	json_t *once = json_object_get(o, "once");

	if (once && !json_is_true(once))
		return bad(c, "slot once");
	s->once = once != NULL;
	if ((rc = get_str(c, o, "kdf", kdf, sizeof(kdf), 0)) || (rc = get_u64(c, o, "ops", &ops)) ||
	    (rc = get_u64(c, o, "mem", &mem)) || (rc = get_b64(c, o, "salt", s->salt, sizeof(s->salt), NULL, 1)) ||
	    (rc = get_b64(c, o, "nonce", s->nonce, sizeof(s->nonce), NULL, 1)) ||
	    (rc = get_b64(c, o, "ct", s->ct, sizeof(s->ct), NULL, 1)))
		return rc;
	if (strcmp(kdf, BK_KDF_ALG_NAME) != 0)
		return bad(c, "slot kdf");
	s->kdf.opslimit = ops;
	s->kdf.memlimit = (size_t)mem;
	if (bk_kdf_params_check(&s->kdf) != BK_OK)
		return bad(c, "slot kdf parameters");
	return BK_OK;
}

static bk_status parse_body(const struct ctx *c, struct bk_keyring *kr, json_t *root)
{
	char format[32], vault[BK_HEX_LEN(BK_VAULT_IDBYTES)];
	json_t *keys, *users, *grants, *v;
	uint64_t version;
	bk_status rc;
	size_t i;

	if ((rc = get_str(c, root, "format", format, sizeof(format), 0)) || (rc = get_u64(c, root, "version", &version)))
		return rc;
	if (strcmp(format, KEYRING_FORMAT) != 0)
		return bk_fail(BK_ERR_CORRUPT, "%s: not a brankas keyring", c->name);
	if (version != 1)
		return bk_fail(BK_ERR_CORRUPT, "%s: keyring version %llu is not supported", c->name,
			       (unsigned long long)version);
	if ((rc = get_str(c, root, "vault", vault, sizeof(vault), 0)) ||
	    (rc = get_u64(c, root, "generation", &kr->generation)) ||
	    (rc = get_str(c, root, "created", kr->created, sizeof(kr->created), 0)))
		return rc;
	if (bk_hex_decode(kr->vault_id, sizeof(kr->vault_id), vault, strlen(vault)) != BK_OK)
		return bad(c, "vault id");
	keys = json_object_get(root, "keys");
	users = json_object_get(root, "users");
	grants = json_object_get(root, "grants");
	if (!json_is_array(keys) || !json_is_array(users) || !json_is_array(grants))
		return bad(c, "sections");
	json_array_foreach(keys, i, v) {
		if (!json_is_object(v) || (rc = grow((void **)&kr->keys, kr->nkeys, sizeof(*kr->keys))) ||
		    (rc = parse_key(c, v, &kr->keys[kr->nkeys])))
			return rc ? rc : bad(c, "key");
		if (bk_keyring_key_by_id(kr, kr->keys[kr->nkeys].id))
			return bad(c, "duplicate key id");
		kr->nkeys++;
	}
	json_array_foreach(users, i, v) {
		if (!json_is_object(v) || (rc = grow((void **)&kr->users, kr->nusers, sizeof(*kr->users))) ||
		    (rc = parse_user(c, v, &kr->users[kr->nusers])))
			return rc ? rc : bad(c, "user");
		if (bk_keyring_user(kr, kr->users[kr->nusers].name))
			return bad(c, "duplicate user");
		kr->nusers++;
	}
	json_array_foreach(grants, i, v) {
		struct bk_keyring_grant *g;
		const struct bk_keyring_key *k;

		if (!json_is_object(v) || (rc = grow((void **)&kr->grants, kr->ngrants, sizeof(*kr->grants))))
			return rc ? rc : bad(c, "grant");
		g = &kr->grants[kr->ngrants];
		if ((rc = get_str(c, v, "user", g->user, sizeof(g->user), 0)) ||
		    (rc = get_str(c, v, "key", g->key_id, sizeof(g->key_id), 0)) ||
		    (rc = get_b64(c, v, "box", g->box, sizeof(g->box), &g->box_len, 0)))
			return rc;
		k = bk_keyring_key_by_id(kr, g->key_id);
		if (!bk_keyring_user(kr, g->user) || !k || g->box_len != 48 + bk_key_secret_len(k->kind))
			return bad(c, "grant names an unknown user or key");
		kr->ngrants++;
	}
	if (!bk_keyring_current_key(kr, BK_KEY_KEYRING, NULL) || !bk_keyring_current_key(kr, BK_KEY_RELEASE, NULL))
		return bad(c, "keyring or release key missing");
	return BK_OK;
}

/* Splits text into its three lines; each must end in '\n'. */
static bk_status split_lines(const struct ctx *c, const uint8_t *text, size_t len, const uint8_t *line[3],
			     size_t line_len[3])
{
	size_t start = 0;

	for (int i = 0; i < 3; i++) {
		const uint8_t *nl = memchr(text + start, '\n', len - start);

		if (!nl)
			return bk_fail(BK_ERR_CORRUPT, "%s: truncated keyring (line %d missing)", c->name, i + 1);
		line[i] = text + start;
		line_len[i] = (size_t)(nl - line[i]);
		start += line_len[i] + 1;
	}
	if (start != len)
		return bk_fail(BK_ERR_CORRUPT, "%s: unexpected data after the keyring", c->name);
	return BK_OK;
}

static json_t *load(const uint8_t *s, size_t n)
{
	json_error_t err;

	return json_loadb((const char *)s, n, JSON_REJECT_DUPLICATES, &err);
}

static bk_status check_signature(const struct ctx *c, const struct bk_keyring *kr, const uint8_t *body,
				 size_t body_len, json_t *sig_obj)
{
	const struct bk_keyring_key *kk;
	char alg[16], key[BK_KEY_ID_MAX];
	uint8_t sig[BK_SIGN_BYTES];
	uint8_t *msg = NULL;
	bk_status rc;

	if ((rc = get_str(c, sig_obj, "alg", alg, sizeof(alg), 0)) || (rc = get_str(c, sig_obj, "key", key, sizeof(key), 0)) ||
	    (rc = get_b64(c, sig_obj, "sig", sig, sizeof(sig), NULL, 1)))
		return rc;
	kk = bk_keyring_current_key(kr, BK_KEY_KEYRING, NULL);
	if (strcmp(alg, "ed25519") != 0 || strcmp(key, kk->id) != 0)
		return bk_fail(BK_ERR_CORRUPT, "%s: keyring is not signed by its current keyring key", c->name);
	msg = malloc(sizeof(SIG_CONTEXT) - 1 + body_len);
	if (!msg)
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	memcpy(msg, SIG_CONTEXT, sizeof(SIG_CONTEXT) - 1);
	memcpy(msg + sizeof(SIG_CONTEXT) - 1, body, body_len);
	rc = bk_sign_verify(sig, msg, sizeof(SIG_CONTEXT) - 1 + body_len, kk->pub);
	free(msg);
	if (rc != BK_OK)
		return bk_fail(BK_ERR_CORRUPT, "%s: keyring signature does not verify: the keyring was altered",
			       c->name);
	return BK_OK;
}

bk_status bk_keyring_parse(struct bk_keyring *kr, const char *name, const uint8_t *text, size_t len)
{
	struct ctx c = {name};
	const uint8_t *line[3];
	size_t line_len[3];
	json_t *body = NULL, *sig = NULL, *slots_root = NULL, *slots, *v;
	const char *uname;
	bk_status rc;

	memset(kr, 0, sizeof(*kr));
	if ((rc = split_lines(&c, text, len, line, line_len)))
		goto out;
	body = load(line[0], line_len[0]);
	sig = load(line[1], line_len[1]);
	slots_root = load(line[2], line_len[2]);
	if (!json_is_object(body) || !json_is_object(sig) || !json_is_object(slots_root)) {
		rc = bk_fail(BK_ERR_CORRUPT, "%s: keyring is not valid JSON: the file was altered", name);
		goto out;
	}
	if ((rc = parse_body(&c, kr, body)) || (rc = check_signature(&c, kr, line[0], line_len[0], sig)))
		goto out;
	slots = json_object_get(slots_root, "slots");
	if (!json_is_object(slots)) {
		rc = bad(&c, "slots");
		goto out;
	}
	json_object_foreach(slots, uname, v) {
		struct bk_keyring_user *u = bk_keyring_user(kr, uname);

		if (!u || !json_is_object(v)) {
			rc = bad(&c, "slot of an unknown user");
			goto out;
		}
		if ((rc = parse_slot(&c, v, &u->slot)))
			goto out;
		u->has_slot = 1;
	}
out:
	json_decref(body);
	json_decref(sig);
	json_decref(slots_root);
	if (rc != BK_OK)
		bk_keyring_release(kr);
	return rc;
}

/* --- writing --- */

static json_t *key_json(const struct bk_keyring_key *k)
{
	json_t *o = json_pack("{s:s, s:s, s:I}", "id", k->id, "kind", kind_names[k->kind], "version",
			      (json_int_t)k->version);

	if (o && ((k->scope[0] && json_object_set_new(o, "scope", json_string(k->scope))) ||
		  (k->has_pub && set_b64(o, "pub", k->pub, 32)))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *user_json(const struct bk_keyring_user *u)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:b}", "name", u->name, "role", u->role, "created", u->created,
			      "disabled", u->disabled);
	json_t *scope = json_array();

	if (!o || !scope) {
		json_decref(o);
		json_decref(scope);
		return NULL;
	}
	for (size_t i = 0; i < u->nscope; i++)
		if (json_array_append_new(scope, json_string(u->scope[i])))
			goto fail;
	if (json_object_set_new(o, "scope", scope)) {
		scope = NULL;
		goto fail;
	}
	scope = NULL;
	if (set_b64(o, "box_pk", u->box_pk, 32) || (u->has_sign && set_b64(o, "sign_pk", u->sign_pk, 32)))
		goto fail;
	if (u->npast_sign > 0) {
		json_t *past = json_array();
		char buf[BK_B64_LEN(32)];

		if (!past || json_object_set_new(o, "past_sign", past))
			goto fail;
		for (size_t i = 0; i < u->npast_sign; i++) {
			bk_b64_encode(buf, u->past_sign[i], 32);
			if (json_array_append_new(past, json_pack("{s:s, s:I}", "pk", buf, "until",
								  (json_int_t)u->past_until[i])))
				goto fail;
		}
	}
	return o;
fail:
	json_decref(scope);
	json_decref(o);
	return NULL;
}

static json_t *slot_json(const struct bk_keyring_slot *s)
{
	json_t *o = json_pack("{s:s, s:I, s:I}", "kdf", BK_KDF_ALG_NAME, "ops", (json_int_t)s->kdf.opslimit, "mem",
			      (json_int_t)s->kdf.memlimit);

	if (o && (set_b64(o, "salt", s->salt, sizeof(s->salt)) || set_b64(o, "nonce", s->nonce, sizeof(s->nonce)) ||
		  set_b64(o, "ct", s->ct, sizeof(s->ct)) || (s->once && json_object_set_new(o, "once", json_true())))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* keyring_lists fills in the keys, users, grants and slots of kr; every
 * append is checked: a keyring missing a grant must never be signed. */
static bk_status keyring_lists(const struct bk_keyring *kr, json_t *keys, json_t *users, json_t *grants,
			       json_t *slots)
{
	bk_status rc = BK_OK;

	for (size_t i = 0; i < kr->nkeys && rc == BK_OK; i++)
		if (json_array_append_new(keys, key_json(&kr->keys[i])))
			rc = bk_fail(BK_ERR_NOMEM, "cannot build the keyring");
	for (size_t i = 0; i < kr->nusers && rc == BK_OK; i++)
		if (json_array_append_new(users, user_json(&kr->users[i])) ||
		    (kr->users[i].has_slot &&
		     json_object_set_new(slots, kr->users[i].name, slot_json(&kr->users[i].slot))))
			rc = bk_fail(BK_ERR_NOMEM, "cannot build the keyring");
	for (size_t i = 0; i < kr->ngrants && rc == BK_OK; i++) {
		json_t *g = json_pack("{s:s, s:s}", "user", kr->grants[i].user, "key", kr->grants[i].key_id);

		if (g && set_b64(g, "box", kr->grants[i].box, kr->grants[i].box_len)) {
			json_decref(g);
			g = NULL;
		}
		if (json_array_append_new(grants, g))
			rc = bk_fail(BK_ERR_NOMEM, "cannot build the keyring");
	}
	return rc;
}

/* keyring_sign signs SIG_CONTEXT followed by the body with the keyring key
 * and writes the signature as base64 into sig_b64. */
static bk_status keyring_sign(const char *body, size_t body_len, const uint8_t keyring_sk[64],
			      char sig_b64[BK_B64_LEN(BK_SIGN_BYTES)])
{
	uint8_t sig[BK_SIGN_BYTES];
	char *msg = malloc(sizeof(SIG_CONTEXT) - 1 + body_len);
	bk_status rc;

	if (!msg) {
		rc = bk_fail(BK_ERR_NOMEM, "out of memory");
		goto out;
	}
	memcpy(msg, SIG_CONTEXT, sizeof(SIG_CONTEXT) - 1);
	memcpy(msg + sizeof(SIG_CONTEXT) - 1, body, body_len);
	if ((rc = bk_sign_detached(sig, (uint8_t *)msg, sizeof(SIG_CONTEXT) - 1 + body_len, keyring_sk)))
		goto out;
	bk_b64_encode(sig_b64, sig, sizeof(sig));
out:
	free(msg);
	return rc;
}

bk_status bk_keyring_format(const struct bk_keyring *kr, const uint8_t keyring_sk[64], char **text_p, size_t *len_p)
{
	char vault[BK_HEX_LEN(BK_VAULT_IDBYTES)], sig_b64[BK_B64_LEN(BK_SIGN_BYTES)];
	json_t *root = NULL, *keys = json_array(), *users = json_array(), *grants = json_array(), *slots = json_object();
	json_t *sig_obj = NULL, *slots_root = NULL;
	const struct bk_keyring_key *kk = bk_keyring_current_key(kr, BK_KEY_KEYRING, NULL);
	char *body = NULL, *sig_line = NULL, *slot_line = NULL, *text = NULL;
	size_t body_len, total;
	bk_status rc = BK_OK;

	*text_p = NULL;
	*len_p = 0;
	if (!keys || !users || !grants || !slots || !kk) {
		rc = bk_fail(kk ? BK_ERR_NOMEM : BK_ERR_STATE, "cannot build the keyring");
		goto out;
	}
	bk_hex_encode(vault, kr->vault_id, sizeof(kr->vault_id));
	if ((rc = keyring_lists(kr, keys, users, grants, slots)))
		goto out;
	root = json_pack("{s:s, s:i, s:s, s:I, s:s, s:O, s:O, s:O}", "format", KEYRING_FORMAT, "version", 1, "vault",
			 vault, "generation", (json_int_t)kr->generation, "created", kr->created, "keys", keys,
			 "users", users, "grants", grants);
	body = root ? json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	if (!body) {
		rc = bk_fail(BK_ERR_NOMEM, "cannot build the keyring");
		goto out;
	}
	body_len = strlen(body);
	if ((rc = keyring_sign(body, body_len, keyring_sk, sig_b64)))
		goto out;
	sig_obj = json_pack("{s:s, s:s, s:s}", "alg", "ed25519", "key", kk->id, "sig", sig_b64);
	slots_root = json_pack("{s:O}", "slots", slots);
	sig_line = sig_obj ? json_dumps(sig_obj, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	slot_line = slots_root ? json_dumps(slots_root, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	if (!sig_line || !slot_line) {
		rc = bk_fail(BK_ERR_NOMEM, "cannot build the keyring");
		goto out;
	}
	total = body_len + strlen(sig_line) + strlen(slot_line) + 3;
	text = malloc(total + 1);
	if (!text) {
		rc = bk_fail(BK_ERR_NOMEM, "out of memory");
		goto out;
	}
	snprintf(text, total + 1, "%s\n%s\n%s\n", body, sig_line, slot_line);
	*text_p = text;
	*len_p = total;
out:
	json_decref(root);
	json_decref(keys);
	json_decref(users);
	json_decref(grants);
	json_decref(slots);
	json_decref(sig_obj);
	json_decref(slots_root);
	free(body);
	free(sig_line);
	free(slot_line);
	return rc;
}

bk_status bk_keyring_format_slots(const struct bk_keyring *kr, const uint8_t *orig, size_t orig_len, char **text_p,
				  size_t *len_p)
{
	struct ctx c = {"keyring"};
	const uint8_t *line[3];
	size_t line_len[3], head_len, total;
	json_t *slots = json_object(), *root = NULL;
	char *slot_line = NULL, *text = NULL;
	bk_status rc;

	*text_p = NULL;
	*len_p = 0;
	if ((rc = split_lines(&c, orig, orig_len, line, line_len)))
		goto out;
	if (!slots) {
		rc = bk_fail(BK_ERR_NOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < kr->nusers; i++)
		if (kr->users[i].has_slot && json_object_set_new(slots, kr->users[i].name, slot_json(&kr->users[i].slot))) {
			rc = bk_fail(BK_ERR_NOMEM, "cannot build the keyring");
			goto out;
		}
	root = json_pack("{s:O}", "slots", slots);
	slot_line = root ? json_dumps(root, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	head_len = line_len[0] + line_len[1] + 2;
	total = slot_line ? head_len + strlen(slot_line) + 1 : 0;
	text = slot_line ? malloc(total + 1) : NULL;
	if (!text) {
		rc = bk_fail(BK_ERR_NOMEM, "out of memory");
		goto out;
	}
	memcpy(text, orig, head_len);
	memcpy(text + head_len, slot_line, strlen(slot_line));
	text[total - 1] = '\n';
	text[total] = '\0';
	*text_p = text;
	*len_p = total;
out:
	json_decref(slots);
	json_decref(root);
	free(slot_line);
	return rc;
}

void bk_keyring_release(struct bk_keyring *kr)
{
	free(kr->keys);
	free(kr->users);
	free(kr->grants);
	memset(kr, 0, sizeof(*kr));
}

struct bk_keyring_user *bk_keyring_user(const struct bk_keyring *kr, const char *name)
{
	for (size_t i = 0; i < kr->nusers; i++)
		if (strcmp(kr->users[i].name, name) == 0)
			return &kr->users[i];
	return NULL;
}

const struct bk_keyring_key *bk_keyring_key_by_id(const struct bk_keyring *kr, const char *id)
{
	for (size_t i = 0; i < kr->nkeys; i++)
		if (strcmp(kr->keys[i].id, id) == 0)
			return &kr->keys[i];
	return NULL;
}

const struct bk_keyring_key *bk_keyring_current_key(const struct bk_keyring *kr, enum bk_key_kind kind,
						    const char *scope)
{
	const struct bk_keyring_key *best = NULL;

	for (size_t i = 0; i < kr->nkeys; i++) {
		const struct bk_keyring_key *k = &kr->keys[i];

		if (k->kind != kind || strcmp(k->scope, scope ? scope : "") != 0)
			continue;
		if (!best || k->version > best->version)
			best = k;
	}
	return best;
}

bk_status bk_keyring_add_key(struct bk_keyring *kr, const struct bk_keyring_key *key)
{
	bk_status rc;

	if (bk_keyring_key_by_id(kr, key->id))
		return bk_fail(BK_ERR_EXISTS, "key '%s' already exists", key->id);
	if ((rc = grow((void **)&kr->keys, kr->nkeys, sizeof(*kr->keys))))
		return rc;
	kr->keys[kr->nkeys++] = *key;
	return BK_OK;
}

bk_status bk_keyring_add_user(struct bk_keyring *kr, const struct bk_keyring_user *user)
{
	bk_status rc;

	if (!name_ok(user->name))
		return bk_fail(BK_ERR_USAGE, "invalid user name");
	if (bk_keyring_user(kr, user->name))
		return bk_fail(BK_ERR_EXISTS, "user '%s' already exists", user->name);
	if ((rc = grow((void **)&kr->users, kr->nusers, sizeof(*kr->users))))
		return rc;
	kr->users[kr->nusers++] = *user;
	return BK_OK;
}

bk_status bk_keyring_grant(struct bk_keyring *kr, const char *user, const char *key_id, const uint8_t *secret,
			   size_t len)
{
	const struct bk_keyring_user *u = bk_keyring_user(kr, user);
	const struct bk_keyring_key *k = bk_keyring_key_by_id(kr, key_id);
	struct bk_keyring_grant *g;
	bk_status rc;

	if (!u || !k || len != bk_key_secret_len(k->kind))
		return bk_fail(BK_ERR_STATE, "grant of an unknown key or to an unknown user");
	if ((rc = grow((void **)&kr->grants, kr->ngrants, sizeof(*kr->grants))))
		return rc;
	g = &kr->grants[kr->ngrants];
	memcpy(g->user, u->name, sizeof(g->user));
	memcpy(g->key_id, k->id, sizeof(g->key_id));
	g->box_len = len + BK_SEAL_OVERHEAD;
	if ((rc = bk_seal(g->box, secret, len, u->box_pk)))
		return rc;
	kr->ngrants++;
	return BK_OK;
}

void bk_keyring_revoke_grants(struct bk_keyring *kr, const char *user)
{
	size_t j = 0;

	for (size_t i = 0; i < kr->ngrants; i++)
		if (strcmp(kr->grants[i].user, user) != 0)
			kr->grants[j++] = kr->grants[i];
	kr->ngrants = j;
}

void bk_keyring_revoke_key(struct bk_keyring *kr, const char *key_id)
{
	size_t j = 0;

	for (size_t i = 0; i < kr->ngrants; i++)
		if (strcmp(kr->grants[i].key_id, key_id) != 0)
			kr->grants[j++] = kr->grants[i];
	kr->ngrants = j;
}

bk_status bk_keyring_grant_open(const struct bk_keyring_grant *g, const uint8_t box_pk[32], const uint8_t box_sk[32],
				uint8_t *secret, size_t *len_p)
{
	*len_p = 0;
	if (g->box_len < BK_SEAL_OVERHEAD || g->box_len - BK_SEAL_OVERHEAD > BK_KEY_SECRET_MAX)
		return bk_fail(BK_ERR_CORRUPT, "grant of '%s' has a wrong size", g->key_id);
	if (bk_seal_open(secret, g->box, g->box_len, box_pk, box_sk) != BK_OK)
		return bk_fail(BK_ERR_CORRUPT, "grant of key '%s' to '%s' does not open: the keyring was altered",
			       g->key_id, g->user);
	*len_p = g->box_len - BK_SEAL_OVERHEAD;
	return BK_OK;
}

/* The slot's associated data binds it to this vault, this keyring key and this user. */
static size_t slot_ad(uint8_t *ad, const struct bk_keyring *kr, const struct bk_keyring_user *u)
{
	const struct bk_keyring_key *kk = bk_keyring_current_key(kr, BK_KEY_KEYRING, NULL);
	size_t n = 0, nl = strlen(u->name);

	memcpy(ad + n, SLOT_CONTEXT, sizeof(SLOT_CONTEXT) - 1);
	n += sizeof(SLOT_CONTEXT) - 1;
	memcpy(ad + n, kr->vault_id, BK_VAULT_IDBYTES);
	n += BK_VAULT_IDBYTES;
	if (kk)
		memcpy(ad + n, kk->pub, 32);
	n += 32;
	memcpy(ad + n, u->name, nl);
	n += nl;
	if (u->slot.once) { /* a slot without the flag is the same bytes as before it existed */
		memcpy(ad + n, SLOT_ONCE, sizeof(SLOT_ONCE) - 1);
		n += sizeof(SLOT_ONCE) - 1;
	}
	return n;
}

static bk_status slot_seal(const struct bk_keyring *kr, struct bk_keyring_user *user, const char *pass, size_t passlen,
			   const struct bk_kdf_params *params, const uint8_t box_sk[32], const uint8_t sign_sk[64], int once);

bk_status bk_keyring_slot_seal(const struct bk_keyring *kr, struct bk_keyring_user *user, const char *pass,
			       size_t passlen, const struct bk_kdf_params *params, const uint8_t box_sk[32],
			       const uint8_t sign_sk[64])
{
	return slot_seal(kr, user, pass, passlen, params, box_sk, sign_sk, 0);
}

bk_status bk_keyring_slot_seal_once(const struct bk_keyring *kr, struct bk_keyring_user *user, const char *pass,
				    size_t passlen, const struct bk_kdf_params *params, const uint8_t box_sk[32],
				    const uint8_t sign_sk[64])
{
	return slot_seal(kr, user, pass, passlen, params, box_sk, sign_sk, 1);
}

static bk_status slot_seal(const struct bk_keyring *kr, struct bk_keyring_user *user, const char *pass, size_t passlen,
			   const struct bk_kdf_params *params, const uint8_t box_sk[32], const uint8_t sign_sk[64], int once)
{
	uint8_t ad[sizeof(SLOT_CONTEXT) + BK_VAULT_IDBYTES + 32 + BK_NAME_MAX + sizeof(SLOT_ONCE)];
	struct bk_keyring_user as_sealed;
	uint8_t *key = bk_secmem_alloc(BK_AEAD_KEYBYTES), *plain = bk_secmem_alloc(BK_SLOT_PLAINBYTES);
	struct bk_keyring_slot slot;
	bk_status rc;

	if (!key || !plain) {
		rc = bk_fail(BK_ERR_NOMEM, "out of guarded memory");
		goto out;
	}
	memset(&slot, 0, sizeof(slot));
	slot.once = once;
	slot.kdf = *params;
	bk_random(slot.salt, sizeof(slot.salt));
	bk_random(slot.nonce, sizeof(slot.nonce));
	if ((rc = bk_kdf_derive(key, BK_AEAD_KEYBYTES, pass, passlen, slot.salt, params)))
		goto out;
	memcpy(plain, box_sk, 32);
	memcpy(plain + 32, sign_sk, 64);
	as_sealed = *user;
	as_sealed.slot.once = once; /* the associated data names the flag of the new slot */
	if ((rc = bk_aead_seal(slot.ct, plain, BK_SLOT_PLAINBYTES, ad, slot_ad(ad, kr, &as_sealed), slot.nonce, key)))
		goto out;
	user->slot = slot;
	user->has_slot = 1;
out:
	bk_secmem_free(key);
	bk_secmem_free(plain);
	return rc;
}

/* keys_match checks that plain (box_sk || sign_sk) holds the user's signed
 * public keys; derived_sk: 64 bytes of guarded scratch. */
static bk_status keys_match(const struct bk_keyring_user *user, const uint8_t *plain, uint8_t *derived_sk)
{
	uint8_t pk[32];
	bk_status rc;

	if ((rc = bk_box_public_from_secret(pk, plain)))
		return rc;
	if (!bk_ct_equal(pk, user->box_pk, 32) || !user->has_sign)
		return bk_fail(BK_ERR_CORRUPT, "key slot of '%s' does not match the signed keyring", user->name);
	/* derive the Ed25519 public key from the seed, not from the copy inside sk */
	if ((rc = bk_sign_seed_keypair(pk, derived_sk, plain + 32)))
		return rc;
	if (!bk_ct_equal(pk, user->sign_pk, 32) || !bk_ct_equal(derived_sk, plain + 32, 64))
		return bk_fail(BK_ERR_CORRUPT, "key slot of '%s' does not match the signed keyring", user->name);
	return BK_OK;
}

bk_status bk_keyring_keys_check(const struct bk_keyring_user *user, const uint8_t keys[BK_SLOT_PLAINBYTES])
{
	uint8_t *scratch = bk_secmem_alloc(64);
	bk_status rc;

	if (!scratch)
		return bk_fail(BK_ERR_NOMEM, "out of guarded memory");
	rc = keys_match(user, keys, scratch);
	bk_secmem_free(scratch);
	return rc;
}

/* The associated data of keys sealed under a raw key: context, vault, user, tag. */
static size_t raw_ad(uint8_t *ad, const struct bk_keyring *kr, const struct bk_keyring_user *u, const uint8_t *tag,
		     size_t taglen)
{
	size_t n = 0, nl = strlen(u->name);

	memcpy(ad + n, RAW_CONTEXT, sizeof(RAW_CONTEXT) - 1);
	n += sizeof(RAW_CONTEXT) - 1;
	memcpy(ad + n, kr->vault_id, BK_VAULT_IDBYTES);
	n += BK_VAULT_IDBYTES;
	ad[n++] = (uint8_t)nl;
	memcpy(ad + n, u->name, nl);
	n += nl;
	memcpy(ad + n, tag, taglen);
	return n + taglen;
}

bk_status bk_keyring_keys_seal(const struct bk_keyring *kr, const struct bk_keyring_user *user,
			       const uint8_t key[32], const uint8_t *tag, size_t taglen, uint8_t nonce[24],
			       uint8_t ct[BK_SLOT_PLAINBYTES + 16], const uint8_t box_sk[32], const uint8_t sign_sk[64])
{
	uint8_t ad[sizeof(RAW_CONTEXT) + BK_VAULT_IDBYTES + 1 + BK_NAME_MAX + BK_RAW_TAG_MAX];
	uint8_t *plain = bk_secmem_alloc(BK_SLOT_PLAINBYTES);
	bk_status rc;

	if (!plain)
		return bk_fail(BK_ERR_NOMEM, "out of guarded memory");
	if (taglen > BK_RAW_TAG_MAX) {
		bk_secmem_free(plain);
		return bk_fail(BK_ERR_USAGE, "tag too long");
	}
	bk_random(nonce, 24);
	memcpy(plain, box_sk, 32);
	memcpy(plain + 32, sign_sk, 64);
	rc = bk_aead_seal(ct, plain, BK_SLOT_PLAINBYTES, ad, raw_ad(ad, kr, user, tag, taglen), nonce, key);
	bk_secmem_free(plain);
	return rc;
}

bk_status bk_keyring_keys_open(const struct bk_keyring *kr, const struct bk_keyring_user *user,
			       const uint8_t key[32], const uint8_t *tag, size_t taglen, const uint8_t nonce[24],
			       const uint8_t ct[BK_SLOT_PLAINBYTES + 16], uint8_t box_sk[32], uint8_t sign_sk[64])
{
	uint8_t ad[sizeof(RAW_CONTEXT) + BK_VAULT_IDBYTES + 1 + BK_NAME_MAX + BK_RAW_TAG_MAX];
	uint8_t *plain = bk_secmem_alloc(BK_SLOT_PLAINBYTES), *derived_sk = bk_secmem_alloc(64);
	bk_status rc;

	if (!plain || !derived_sk)
		rc = bk_fail(BK_ERR_NOMEM, "out of guarded memory");
	else if (taglen > BK_RAW_TAG_MAX)
		rc = bk_fail(BK_ERR_USAGE, "tag too long");
	else if (bk_aead_open(plain, ct, BK_SLOT_PLAINBYTES + 16, ad, raw_ad(ad, kr, user, tag, taglen), nonce, key) !=
		 BK_OK)
		rc = bk_fail(BK_ERR_AUTH, "the keys of '%s' do not open under this key", user->name);
	else if ((rc = keys_match(user, plain, derived_sk)) == BK_OK) {
		memcpy(box_sk, plain, 32);
		memcpy(sign_sk, plain + 32, 64);
	}
	bk_secmem_free(plain);
	bk_secmem_free(derived_sk);
	return rc;
}

bk_status bk_keyring_slot_open(const struct bk_keyring *kr, const struct bk_keyring_user *user, const char *pass,
			       size_t passlen, uint8_t box_sk[32], uint8_t sign_sk[64])
{
	uint8_t ad[sizeof(SLOT_CONTEXT) + BK_VAULT_IDBYTES + 32 + BK_NAME_MAX + sizeof(SLOT_ONCE)];
	uint8_t *key = bk_secmem_alloc(BK_AEAD_KEYBYTES), *plain = bk_secmem_alloc(BK_SLOT_PLAINBYTES);
	uint8_t *derived_sk = bk_secmem_alloc(64);
	bk_status rc;

	if (!key || !plain || !derived_sk) {
		rc = bk_fail(BK_ERR_NOMEM, "out of guarded memory");
		goto out;
	}
	if (!user->has_slot) {
		rc = bk_fail(BK_ERR_DENIED, "user '%s' has no key slot and cannot unlock the vault", user->name);
		goto out;
	}
	if ((rc = bk_kdf_derive(key, BK_AEAD_KEYBYTES, pass, passlen, user->slot.salt, &user->slot.kdf)))
		goto out;
	if (bk_aead_open(plain, user->slot.ct, sizeof(user->slot.ct), ad, slot_ad(ad, kr, user), user->slot.nonce,
			 key) != BK_OK) {
		rc = bk_fail(BK_ERR_AUTH, "wrong passphrase for user '%s'", user->name);
		goto out;
	}
	if ((rc = keys_match(user, plain, derived_sk)))
		goto out;
	memcpy(box_sk, plain, 32);
	memcpy(sign_sk, plain + 32, 64);
out:
	bk_secmem_free(key);
	bk_secmem_free(plain);
	bk_secmem_free(derived_sk);
	return rc;
}
