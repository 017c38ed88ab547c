/* age.h - the age v1 file format (c2sp.org/age, age-encryption.org/v1) with
 * X25519 recipients: a streaming encryptor and an in-memory decryptor.
 *
 *   age-encryption.org/v1
 *   -> X25519 <base64 ephemeral share>
 *   <base64 wrapped file key>
 *   --- <base64 HMAC-SHA-256 of the header up to "---">
 *   <16-byte nonce><STREAM: 64 KiB ChaCha20-Poly1305 chunks>
 *
 * Files written here decrypt with `age -d -i key.txt` and files from
 * `age -r age1…` decrypt here. Not supported: scrypt (passphrase) and hybrid
 * post-quantum stanzas (ignored like any unknown stanza, so such a file gives
 * BK_ERR_NOTFOUND), ASCII armor (BK_ERR_FORMAT), plugins.
 *
 * Errors while decrypting, in the order age checks them:
 *   BK_ERR_FORMAT    the header does not parse (the detail says what), a
 *                    matching X25519 stanza has a low-order share, or the file
 *                    ends before the 16-byte payload nonce
 *   BK_ERR_NOTFOUND  no X25519 stanza opens with the given key
 *   BK_ERR_CORRUPT   the header MAC does not verify, or a payload chunk does not
 *                    authenticate, is missing (truncated), is an empty final
 *                    chunk after full ones, or has data after the final chunk
 *
 * WARNING: bk_age_decrypt delivers each chunk as soon as it authenticates, so
 *          on BK_ERR_CORRUPT in the payload the earlier chunks have already
 *          reached the sink. A caller writing a file must write to a temporary
 *          file and discard it on any error, never use a prefix of the output.
 * WARNING: the plaintext the sink receives is secret; the buffer is guarded
 *          memory that is wiped after the call, copy it only into memory and
 *          files that are treated as secret too. */
#ifndef BK_AGE_H
#define BK_AGE_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

#define BK_AGE_CHUNK 65536         /* plaintext bytes per STREAM chunk */
#define BK_AGE_FILEKEYBYTES 16     /* the file key every stanza wraps */
#define BK_AGE_IDENTITY_LEN 75     /* "AGE-SECRET-KEY-1" + 52 data + 6 checksum characters + NUL */
#define BK_AGE_MAGIC "age-encryption.org/v1\n"

/* A sink takes output bytes (ciphertext from the writer, plaintext from the
 * decryptor). buf is only valid during the call. Any status other than BK_OK
 * stops the operation and is returned as is. */
typedef bk_status (*bk_age_sink)(void *ctx, const uint8_t *buf, size_t len);

/* A streaming encryptor: open, write any number of times, close, free. */
struct bk_age_writer;

/* bk_age_writer_open makes a file key for the n >= 1 X25519 public keys in
 * recipients (32 bytes each) and writes the header and the payload nonce
 * through sink before returning. *w_p is NULL on failure. BK_ERR_USAGE for no
 * recipients or a low-order public key. */
bk_status bk_age_writer_open(struct bk_age_writer **w_p, const uint8_t (*recipients)[32], size_t n,
			     bk_age_sink sink, void *ctx) BK_MUST_CHECK;

/* bk_age_writer_write buffers len bytes of plaintext (copied into guarded
 * memory) and emits every chunk that is known not to be the last one. After
 * any failure the writer only accepts bk_age_writer_free (BK_ERR_STATE). */
bk_status bk_age_writer_write(struct bk_age_writer *w, const void *buf, size_t len) BK_MUST_CHECK;

/* bk_age_writer_close emits the final chunk (empty only when nothing was
 * written) and wipes the keys. The output is a complete age file only when
 * this returns BK_OK.
 * WARNING: without a successful close the sink has received a truncated file,
 *          which decrypts to an error, never to a shorter plaintext. */
bk_status bk_age_writer_close(struct bk_age_writer *w) BK_MUST_CHECK;

/* bk_age_writer_free wipes the keys and buffered plaintext and releases w;
 * NULL is accepted. */
void bk_age_writer_free(struct bk_age_writer *w);

/* bk_age_decrypt decrypts the whole age file in (len bytes) with the X25519
 * secret key x_sk, delivering the plaintext through sink chunk by chunk (at
 * most BK_AGE_CHUNK bytes each), each only after it authenticates; see the
 * errors and the WARNING above. */
bk_status bk_age_decrypt(const uint8_t *in, size_t len, const uint8_t x_sk[32], bk_age_sink sink,
			 void *ctx) BK_MUST_CHECK;

/* bk_age_decrypt_with_file_key is bk_age_decrypt with the file key given
 * instead of an identity (any stanzas are parsed but not opened), for test
 * vectors that check the header MAC and STREAM on their own. */
bk_status bk_age_decrypt_with_file_key(const uint8_t *in, size_t len, const uint8_t file_key[BK_AGE_FILEKEYBYTES],
				       bk_age_sink sink, void *ctx) BK_MUST_CHECK;

/* bk_age_identity_encode writes the age identity string of x_sk,
 * "AGE-SECRET-KEY-1…" (upper-case bech32, BK_AGE_IDENTITY_LEN bytes with the
 * NUL), into out (cap bytes). The string is as secret as the key.
 * BK_ERR_USAGE if cap is too small. */
bk_status bk_age_identity_encode(char *out, size_t cap, const uint8_t x_sk[32]) BK_MUST_CHECK;

/* bk_age_identity_decode reads an identity string (s, len bytes, no line
 * feed) into x_sk, which is zeroed on failure. Like age it takes only the
 * upper-case form. BK_ERR_FORMAT for anything else. */
bk_status bk_age_identity_decode(uint8_t x_sk[32], const char *s, size_t len) BK_MUST_CHECK;

/* bk_age_recipient_decode reads a recipient "age1…" (lower-case bech32) into
 * the X25519 public key pk. BK_ERR_FORMAT for anything else. The encoder is
 * bk_age_recipient_from_x25519 in crypto/identity.h. */
bk_status bk_age_recipient_decode(uint8_t pk[32], const char *s, size_t len) BK_MUST_CHECK;

#endif
