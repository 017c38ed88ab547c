/* shamir.h - Shamir's secret sharing over GF(256), through Debian's
 * libgfshare (the field arithmetic is not written here). A secret of len
 * bytes becomes n shares of len bytes, each with its number x (1..255);
 * any k of them give the secret back, fewer give nothing about it. */
#ifndef BK_SHAMIR_H
#define BK_SHAMIR_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

#define BK_SHAMIR_MAX 16 /* shares per split: one per admin or trustee */

/* bk_shamir_split writes n shares (n * len bytes) for secret, numbered
 * 1..n in xs, any k of which (2 <= k <= n <= BK_SHAMIR_MAX) recover it. The
 * polynomials' coefficients come from libsodium's randombytes_buf.
 * WARNING: shares are secret: keep them in guarded memory, wipe them. */
bk_status bk_shamir_split(const uint8_t *secret, size_t len, unsigned n, unsigned k, uint8_t *xs,
			  uint8_t *shares) BK_MUST_CHECK;

/* bk_shamir_combine recovers the secret (len bytes) from count shares with
 * distinct non-zero numbers xs. Given fewer shares than the split's k it
 * returns some other value: the caller checks the result (an AEAD tag). */
bk_status bk_shamir_combine(const uint8_t *xs, const uint8_t *shares, unsigned count, size_t len,
			    uint8_t *secret) BK_MUST_CHECK;

#endif
