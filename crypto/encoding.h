/* encoding.h - hex and base64 (libsodium's constant-time codecs), bech32.
 *
 * Decoders are strict: wrong characters, wrong padding or trailing bytes fail
 * with BK_ERR_FORMAT. */
#ifndef BK_ENCODING_H
#define BK_ENCODING_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

/* Output sizes, including the terminating NUL. */
#define BK_HEX_LEN(n) ((n) * 2 + 1)
#define BK_B64_LEN(n) ((((n) + 2) / 3) * 4 + 1)

/* bk_hex_encode writes 2*n lowercase hex digits and a NUL to out. */
void bk_hex_encode(char *out, const uint8_t *bin, size_t n);

/* bk_hex_decode needs exactly 2*n hex digits in hex (hexlen bytes). */
bk_status bk_hex_decode(uint8_t *bin, size_t n, const char *hex, size_t hexlen) BK_MUST_CHECK;

/* bk_b64_encode writes standard padded base64 (RFC 4648 §4) and a NUL. */
void bk_b64_encode(char *out, const uint8_t *bin, size_t n);

/* bk_b64_decode decodes padded base64 into at most cap bytes. */
bk_status bk_b64_decode(uint8_t *bin, size_t cap, size_t *len_p, const char *b64, size_t b64len) BK_MUST_CHECK;

/* Unpadded standard base64, as age's header uses (canonical: the unused bits
 * of the last character must be zero). */
void bk_b64_encode_nopad(char *out, const uint8_t *bin, size_t n);
bk_status bk_b64_decode_nopad(uint8_t *bin, size_t cap, size_t *len_p, const char *b64, size_t b64len) BK_MUST_CHECK;

/* bech32 (BIP 173) with human-readable part hrp, as age's keys use
 * ("age1…", "AGE-SECRET-KEY-1…"). bk_bech32_encode writes a NUL-terminated
 * string of at most outcap bytes; upper selects upper case. bk_bech32_decode
 * accepts all-lower or all-upper, compares hrp case-insensitively, and needs
 * exactly n data bytes. No length limit of 90 (age's keys exceed it). */
bk_status bk_bech32_encode(char *out, size_t outcap, const char *hrp, const uint8_t *data, size_t n,
			   int upper) BK_MUST_CHECK;
bk_status bk_bech32_decode(uint8_t *data, size_t n, const char *hrp, const char *s, size_t slen) BK_MUST_CHECK;

#endif
