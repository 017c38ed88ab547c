/* keyring.h - the keyring file: users' key slots, vault key ids and sealed grants.
 *
 * Three lines of JSON:
 *   1. body: {"format":"brankas-keyring","version":1,"vault":hex,"generation":N,
 *      "created":…,"keys":[…],"users":[…],"grants":[…]} - everything public about
 *      the vault's keys, who holds which grant (a vault key sealed to the user's
 *      X25519 key), users' roles, scopes and public keys;
 *   2. signature: {"alg":"ed25519","key":"keyring:vN","sig":b64} - Ed25519 by the
 *      keyring key over "brankas-keyring-v1\n" || line 1, checked on every open;
 *   3. slots: {"slots":{NAME:{"kdf":"argon2id13","ops":…,"mem":…,"salt":…,
 *      "nonce":…,"ct":…}}} - per user, XChaCha20-Poly1305 under Argon2id(passphrase)
 *      of the user's X25519 and Ed25519 secret keys, with associated data
 *      "brankas-slot-v1" || vault id || keyring public key || name. Slots are not
 *      under the keyring signature so a user can change their own passphrase
 *      without the keyring key; each slot authenticates itself, and the keys it
 *      opens must match the signed public keys of line 1.
 *
 * This module knows nothing of roles' meaning: roles and scopes are strings
 * validated by vault/. */
#ifndef BK_KEYRING_H
#define BK_KEYRING_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "crypto/kdf.h"

#define BK_VAULT_IDBYTES 16
#define BK_NAME_MAX 32
#define BK_SCOPE_MAX 64
#define BK_CODE_MAX 16
#define BK_PAST_SIGN_MAX 8
#define BK_KEY_ID_MAX 40
#define BK_SLOT_PLAINBYTES (32 + 64) /* X25519 sk || Ed25519 sk */
#define BK_KEY_SECRET_MAX 64

enum bk_key_kind {
	BK_KEY_DB,        /* SQLCipher raw key, 32 bytes */
	BK_KEY_BLIND,     /* blind-index key, 32 bytes */
	BK_KEY_AUDIT,     /* keyed hashes in the audit log, 32 bytes */
	BK_KEY_RELEASE,   /* Ed25519 secret key (64) that signs extracts and checkpoints; pub = vault.pub */
	BK_KEY_KEYRING,   /* Ed25519 secret key (64) that signs the keyring; admins only */
	BK_KEY_KECAMATAN, /* X25519 secret key (32) opening one kecamatan's data keys */
	BK_KEY_STORE,     /* SQLCipher raw key (32) of one kecamatan's store, kec/<code>.db */
	BK_KEY_KIND_COUNT
};

struct bk_keyring_key {
	char id[BK_KEY_ID_MAX];    /* "db:v1", "kecamatan:35.05.01:v1" */
	enum bk_key_kind kind;
	unsigned version;
	char scope[BK_CODE_MAX];   /* kecamatan code, "" otherwise */
	int has_pub;
	uint8_t pub[32];           /* Ed25519 (release, keyring) or X25519 (kecamatan) */
};

struct bk_keyring_slot {
	int once; /* set by an admin's `user reset`: to be changed at the first unlock */
	struct bk_kdf_params kdf;
	uint8_t salt[BK_KDF_SALTBYTES];
	uint8_t nonce[24];
	uint8_t ct[BK_SLOT_PLAINBYTES + 16];
};

struct bk_keyring_user {
	char name[BK_NAME_MAX + 1];
	char role[16];
	char scope[BK_SCOPE_MAX][BK_CODE_MAX];
	size_t nscope;
	int disabled;
	char created[24];
	uint8_t box_pk[32];  /* X25519: grants are sealed to it (evaluators: their age key) */
	int has_sign;
	uint8_t sign_pk[32]; /* Ed25519: audit signatures, approvals */
	/* the Ed25519 keys the user signed with before `user reset`s, oldest
	 * first, each with the last audit entry it may have signed: entries up
	 * to there still verify, later ones under it do not */
	uint8_t past_sign[BK_PAST_SIGN_MAX][32];
	uint64_t past_until[BK_PAST_SIGN_MAX];
	size_t npast_sign;
	int has_slot;        /* evaluators have no slot: they never unlock */
	struct bk_keyring_slot slot;
};

struct bk_keyring_grant {
	char user[BK_NAME_MAX + 1];
	char key_id[BK_KEY_ID_MAX];
	size_t box_len;
	uint8_t box[48 + BK_KEY_SECRET_MAX];
};

struct bk_keyring {
	uint8_t vault_id[BK_VAULT_IDBYTES];
	uint64_t generation; /* rises with every signed change; pinned in vault.db */
	char created[24];
	struct bk_keyring_key *keys;
	size_t nkeys;
	struct bk_keyring_user *users;
	size_t nusers;
	struct bk_keyring_grant *grants;
	size_t ngrants;
};

/* bk_key_secret_len is the secret size of a key kind. */
size_t bk_key_secret_len(enum bk_key_kind kind);
const char *bk_key_kind_name(enum bk_key_kind kind);

/* bk_keyring_parse reads a keyring file (name for messages) and checks its
 * signature with the keyring public key it names. BK_ERR_CORRUPT if the
 * signature fails or anything is malformed. Release with bk_keyring_release. */
bk_status bk_keyring_parse(struct bk_keyring *kr, const char *name, const uint8_t *text, size_t len) BK_MUST_CHECK;

/* bk_keyring_format signs the body with keyring_sk (the current keyring key's
 * secret, 64 bytes) and returns the malloc'd three-line file. */
bk_status bk_keyring_format(const struct bk_keyring *kr, const uint8_t keyring_sk[64], char **text_p,
			    size_t *len_p) BK_MUST_CHECK;

/* bk_keyring_format_slots keeps the signed lines of orig (a keyring file as
 * read) byte for byte and writes kr's slots as line 3: how a user who holds no
 * keyring key changes their own passphrase. */
bk_status bk_keyring_format_slots(const struct bk_keyring *kr, const uint8_t *orig, size_t orig_len, char **text_p,
				  size_t *len_p) BK_MUST_CHECK;

void bk_keyring_release(struct bk_keyring *kr);

/* Lookups; NULL when absent. bk_keyring_current_key gives the highest version
 * of a kind and scope (a kecamatan code; NULL: the kind's unscoped key, since
 * blind keys come both ways). */
struct bk_keyring_user *bk_keyring_user(const struct bk_keyring *kr, const char *name);
const struct bk_keyring_key *bk_keyring_key_by_id(const struct bk_keyring *kr, const char *id);
const struct bk_keyring_key *bk_keyring_current_key(const struct bk_keyring *kr, enum bk_key_kind kind,
						    const char *scope);

/* Adding entries copies them in. */
bk_status bk_keyring_add_key(struct bk_keyring *kr, const struct bk_keyring_key *key) BK_MUST_CHECK;
bk_status bk_keyring_add_user(struct bk_keyring *kr, const struct bk_keyring_user *user) BK_MUST_CHECK;

/* bk_keyring_grant seals secret (len bytes) of key_id to the user's box_pk. */
bk_status bk_keyring_grant(struct bk_keyring *kr, const char *user, const char *key_id, const uint8_t *secret,
			   size_t len) BK_MUST_CHECK;

/* bk_keyring_revoke_key drops every grant of the key (a retired version). */
void bk_keyring_revoke_key(struct bk_keyring *kr, const char *key_id);

/* bk_keyring_revoke_grants drops every grant of the user. */
void bk_keyring_revoke_grants(struct bk_keyring *kr, const char *user);

/* bk_keyring_grant_open opens one grant with the user's X25519 key pair into
 * secret (at least BK_KEY_SECRET_MAX bytes, guarded memory); *len_p its size. */
bk_status bk_keyring_grant_open(const struct bk_keyring_grant *g, const uint8_t box_pk[32], const uint8_t box_sk[32],
				uint8_t *secret, size_t *len_p) BK_MUST_CHECK;

/* bk_keyring_slot_seal (re)writes the user's slot: Argon2id(pass) with new
 * salt and nonce and the given params, over box_sk || sign_sk. */
bk_status bk_keyring_slot_seal(const struct bk_keyring *kr, struct bk_keyring_user *user, const char *pass,
			       size_t passlen, const struct bk_kdf_params *params, const uint8_t box_sk[32],
			       const uint8_t sign_sk[64]) BK_MUST_CHECK;

/* bk_keyring_slot_seal_once is bk_keyring_slot_seal for a passphrase an
 * admin set (`user reset`): the slot says so ("once"), bound into its
 * associated data, so the flag cannot be dropped without the slot failing. */
bk_status bk_keyring_slot_seal_once(const struct bk_keyring *kr, struct bk_keyring_user *user, const char *pass,
				    size_t passlen, const struct bk_kdf_params *params, const uint8_t box_sk[32],
				    const uint8_t sign_sk[64]) BK_MUST_CHECK;

/* bk_keyring_slot_open opens the user's slot into box_sk and sign_sk (guarded
 * memory) and checks they match the user's signed public keys. BK_ERR_AUTH for
 * a wrong passphrase (or an altered slot: they cannot be told apart);
 * BK_ERR_CORRUPT when the keys do not match the signed public keys. */
bk_status bk_keyring_slot_open(const struct bk_keyring *kr, const struct bk_keyring_user *user, const char *pass,
			       size_t passlen, uint8_t box_sk[32], uint8_t sign_sk[64]) BK_MUST_CHECK;

/* bk_keyring_keys_seal seals a user's box_sk || sign_sk under a raw 32-byte
 * key (a recovery key, say) into nonce and ct, the associated data binding
 * the vault, the user's name and tag (at most BK_RAW_TAG_MAX bytes: what the
 * key is for). bk_keyring_keys_open opens it and checks the keys against the
 * user's signed public keys: BK_ERR_AUTH when it does not open (another key,
 * user or tag, or altered), BK_ERR_CORRUPT when the keys are not the user's. */
#define BK_RAW_TAG_MAX 32
/* bk_keyring_keys_check: whether keys (box_sk || sign_sk) are the user's
 * signed public keys' secret halves (BK_ERR_CORRUPT when not). */
bk_status bk_keyring_keys_check(const struct bk_keyring_user *user, const uint8_t keys[BK_SLOT_PLAINBYTES]) BK_MUST_CHECK;
bk_status bk_keyring_keys_seal(const struct bk_keyring *kr, const struct bk_keyring_user *user,
			       const uint8_t key[32], const uint8_t *tag, size_t taglen, uint8_t nonce[24],
			       uint8_t ct[BK_SLOT_PLAINBYTES + 16], const uint8_t box_sk[32],
			       const uint8_t sign_sk[64]) BK_MUST_CHECK;
bk_status bk_keyring_keys_open(const struct bk_keyring *kr, const struct bk_keyring_user *user,
			       const uint8_t key[32], const uint8_t *tag, size_t taglen, const uint8_t nonce[24],
			       const uint8_t ct[BK_SLOT_PLAINBYTES + 16], uint8_t box_sk[32],
			       uint8_t sign_sk[64]) BK_MUST_CHECK;

#endif
