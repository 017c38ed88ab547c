/* minisign.h - the minisign public-key, secret-key and signature formats.
 *
 * Files written here are read by the real minisign 0.11 and the other way
 * round: `minisign -Vm FILE -p vault.pub` verifies our signatures, and keys we
 * write can sign with `minisign -S`.
 *
 *   public key:  "untrusted comment: …\n" base64("Ed" || keyid[8] || pk[32]) "\n"
 *   secret key:  "untrusted comment: …\n" base64("Ed" || kdf[2] || "B2" || salt[32]
 *                || opslimit[8 LE] || memlimit[8 LE] || keynum_sk[104]) "\n"
 *                where keynum_sk = keyid[8] || sk[64] || BLAKE2b-256("Ed"||keyid||sk)
 *                is XORed with scrypt(pass, salt) when kdf is "Sc", kdf "\0\0" = no passphrase
 *   signature:   "untrusted comment: …\n" base64("ED" || keyid || Ed25519(BLAKE2b-512(m)))
 *                "\n" "trusted comment: …\n" base64(Ed25519(sig || trusted comment)) "\n"
 *                ("Ed" legacy signatures over m itself are verified, not written). */
#ifndef BK_MINISIGN_H
#define BK_MINISIGN_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

#define BK_MINISIGN_KEYIDBYTES 8
#define BK_MINISIGN_PREHASHBYTES 64 /* BLAKE2b-512 of the signed file */

struct bk_minisign_pub {
	uint8_t key_id[BK_MINISIGN_KEYIDBYTES];
	uint8_t pk[32];
};

/* Secret: keep in guarded memory. */
struct bk_minisign_sec {
	uint8_t key_id[BK_MINISIGN_KEYIDBYTES];
	uint8_t sk[64];
};

/* bk_minisign_key_id_hex writes the key id as minisign prints it: 16 upper-case
 * hex digits of the little-endian 64-bit value, and a NUL. */
void bk_minisign_key_id_hex(char out[17], const uint8_t key_id[BK_MINISIGN_KEYIDBYTES]);

/* bk_minisign_keypair makes a new key (random key id). */
bk_status bk_minisign_keypair(struct bk_minisign_pub *pub, struct bk_minisign_sec *sec) BK_MUST_CHECK;

/* bk_minisign_pub_format returns a malloc'd NUL-terminated public key file. */
bk_status bk_minisign_pub_format(char **text_p, const struct bk_minisign_pub *pub) BK_MUST_CHECK;

/* bk_minisign_pub_parse reads a public key file (or a bare base64 line). */
bk_status bk_minisign_pub_parse(struct bk_minisign_pub *pub, const char *text, size_t len) BK_MUST_CHECK;

/* bk_minisign_sec_format returns a malloc'd secret key file; pass NULL for an
 * unencrypted key (as `minisign -G -W`), else scrypt-encrypted as minisign does.
 * WARNING: the text of an unencrypted key is the secret key itself: bk_wipe it
 * before free. */
bk_status bk_minisign_sec_format(char **text_p, const struct bk_minisign_sec *sec, const char *pass) BK_MUST_CHECK;

/* bk_minisign_sec_format_cost is bk_minisign_sec_format with a passphrase and
 * an explicit scrypt cost. bk_minisign_sec_format uses minisign's own (libsodium's
 * scryptsalsa208sha256 SENSITIVE preset: 1 GiB, seconds); the cost must lie
 * between that preset and the library's minimum (OPSLIMIT_MIN, MEMLIMIT_MIN),
 * the range bk_minisign_sec_parse accepts. Tests use the INTERACTIVE preset. */
bk_status bk_minisign_sec_format_cost(char **text_p, const struct bk_minisign_sec *sec, const char *pass,
				      unsigned long long opslimit, size_t memlimit) BK_MUST_CHECK;

/* bk_minisign_sec_parse reads a secret key file; pass may be NULL for an
 * unencrypted key. BK_ERR_AUTH when the checksum fails (wrong passphrase). */
bk_status bk_minisign_sec_parse(struct bk_minisign_sec *sec, const char *text, size_t len, const char *pass) BK_MUST_CHECK;

/* bk_minisign_sign returns a malloc'd signature file for m (prehashed "ED").
 * trusted_comment must be one line without NUL; NULL gives "timestamp:…". */
bk_status bk_minisign_sign(char **sig_p, const uint8_t *m, size_t mlen, const struct bk_minisign_sec *sec,
			   const char *trusted_comment) BK_MUST_CHECK;

/* bk_minisign_sign_prehashed is bk_minisign_sign given BLAKE2b-512(m) (64
 * bytes, crypto/hash.h's streaming form): for files too large to hold. */
bk_status bk_minisign_sign_prehashed(char **sig_p, const uint8_t hash[BK_MINISIGN_PREHASHBYTES],
				     const struct bk_minisign_sec *sec, const char *trusted_comment) BK_MUST_CHECK;

/* bk_minisign_verify checks a signature file against m and pub: key id, the
 * signature and the global signature over the trusted comment. On success and
 * if trusted_comment_p is not NULL, returns the trusted comment (malloc'd).
 * BK_ERR_AUTH for a bad signature, BK_ERR_FORMAT for a malformed file,
 * BK_ERR_NOTFOUND-free: a different key id is BK_ERR_AUTH. */
bk_status bk_minisign_verify(const char *sig, size_t siglen, const uint8_t *m, size_t mlen,
			     const struct bk_minisign_pub *pub, char **trusted_comment_p) BK_MUST_CHECK;

/* bk_minisign_verify_prehashed is bk_minisign_verify given BLAKE2b-512(m);
 * a legacy "Ed" signature (over m itself) is BK_ERR_FORMAT. */
bk_status bk_minisign_verify_prehashed(const char *sig, size_t siglen, const uint8_t hash[BK_MINISIGN_PREHASHBYTES],
				       const struct bk_minisign_pub *pub, char **trusted_comment_p) BK_MUST_CHECK;

#endif
