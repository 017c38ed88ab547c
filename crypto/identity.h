/* identity.h - an evaluator's identity file: an Ed25519 key (signs requests)
 * whose X25519 form (crypto_sign_ed25519_sk_to_curve25519, as age's ssh-ed25519
 * recipients do) receives extracts. The public id is the age recipient
 * "age1…" of the X25519 public key.
 *
 *   {"format":"brankas-identity","version":1,"public":"age1…","kdf":"argon2id13",
 *    "ops":N,"mem":N,"salt":b64,"nonce":b64,"ct":b64}
 *
 * ct = XChaCha20-Poly1305 under Argon2id(passphrase) of the 32-byte Ed25519
 * seed, associated data "brankas-identity-v1" || the public id. */
#ifndef BK_IDENTITY_H
#define BK_IDENTITY_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "crypto/kdf.h"

#define BK_AGE_RECIPIENT_MAX 80

/* bk_identity_new makes a new identity sealed under pass; returns the file
 * text (malloc'd) and the public id (NUL-terminated, at most BK_AGE_RECIPIENT_MAX). */
bk_status bk_identity_new(const char *pass, size_t passlen, const struct bk_kdf_params *params, char **text_p,
			  char public_id[BK_AGE_RECIPIENT_MAX]) BK_MUST_CHECK;

/* bk_identity_public reads the public id from an identity file without the
 * passphrase. BK_ERR_FORMAT for a malformed file (name used in messages). */
bk_status bk_identity_public(const char *name, const char *text, size_t len,
			     char public_id[BK_AGE_RECIPIENT_MAX]) BK_MUST_CHECK;

/* bk_identity_open opens the identity into ed_sk (64 bytes, guarded) and
 * x_sk (32 bytes, guarded). BK_ERR_AUTH for a wrong passphrase. */
bk_status bk_identity_open(const char *name, const char *text, size_t len, const char *pass, size_t passlen,
			   uint8_t ed_sk[64], uint8_t x_sk[32]) BK_MUST_CHECK;

/* bk_age_recipient_from_x25519 encodes a public key as "age1…". */
bk_status bk_age_recipient_from_x25519(char out[BK_AGE_RECIPIENT_MAX], const uint8_t pk[32]) BK_MUST_CHECK;

#endif
