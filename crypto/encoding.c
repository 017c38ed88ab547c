/* encoding.c - hex and base64 through libsodium's constant-time codecs, and
 * bech32 for age's key strings. */
#include "crypto/encoding.h"

#include <sodium.h>
#include <string.h>

void bk_hex_encode(char *out, const uint8_t *bin, size_t n)
{
	sodium_bin2hex(out, n * 2 + 1, bin, n);
}

bk_status bk_hex_decode(uint8_t *bin, size_t n, const char *hex, size_t hexlen)
{
	size_t got = 0;
	const char *end = NULL;

	if (hexlen != n * 2 || sodium_hex2bin(bin, n, hex, hexlen, NULL, &got, &end) != 0 || got != n ||
	    end != hex + hexlen)
		return bk_fail(BK_ERR_FORMAT, "invalid hex string");
	return BK_OK;
}

static void b64_encode(char *out, const uint8_t *bin, size_t n, int variant)
{
	sodium_bin2base64(out, sodium_base64_encoded_len(n, variant), bin, n, variant);
}

static bk_status b64_decode(uint8_t *bin, size_t cap, size_t *len_p, const char *b64, size_t b64len, int variant)
{
	const char *end = NULL;
	size_t got = 0;

	*len_p = 0;
	if (sodium_base642bin(bin, cap, b64, b64len, NULL, &got, &end, variant) != 0 || end != b64 + b64len)
		return bk_fail(BK_ERR_FORMAT, "invalid base64 string");
	*len_p = got;
	return BK_OK;
}

void bk_b64_encode(char *out, const uint8_t *bin, size_t n)
{
	b64_encode(out, bin, n, sodium_base64_VARIANT_ORIGINAL);
}

bk_status bk_b64_decode(uint8_t *bin, size_t cap, size_t *len_p, const char *b64, size_t b64len)
{
	return b64_decode(bin, cap, len_p, b64, b64len, sodium_base64_VARIANT_ORIGINAL);
}

void bk_b64_encode_nopad(char *out, const uint8_t *bin, size_t n)
{
	b64_encode(out, bin, n, sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
}

bk_status bk_b64_decode_nopad(uint8_t *bin, size_t cap, size_t *len_p, const char *b64, size_t b64len)
{
	/* libsodium rejects non-zero trailing bits, which age requires too */
	return b64_decode(bin, cap, len_p, b64, b64len, sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
}

/* bech32 (BIP 173): hrp "1" data checksum, data in 5-bit groups from the
 * alphabet below, a 30-bit BCH checksum over the lower-case hrp and the data.
 * The checksum constant is 1 (bech32, not BIP 350's bech32m), as age uses.
 * WARNING: the character lookups are not constant time; an age secret key is
 * decoded once per use, as age itself does. */

static const char bech32_alphabet[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

static uint32_t bech32_polymod_step(uint32_t chk)
{
	static const uint32_t gen[5] = { 0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3 };
	uint32_t top = chk >> 25;
	int i;

	chk = (chk & 0x1ffffff) << 5;
	for (i = 0; i < 5; i++)
		if ((top >> i) & 1)
			chk ^= gen[i];
	return chk;
}

static char ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static char ascii_upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

/* ascii_caseeq compares n bytes ignoring ASCII case (strncasecmp follows the
 * locale, where 'I' need not fold to 'i'). */
static int ascii_caseeq(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ascii_lower(a[i]) != ascii_lower(b[i]))
			return 0;
	return 1;
}

/* bech32_hrp_checksum starts the checksum with the expanded hrp (BIP 173:
 * the high bits of each character, a zero, then the low bits), lower case. */
static uint32_t bech32_hrp_checksum(const char *hrp, size_t hrplen)
{
	uint32_t chk = 1;
	size_t i;

	for (i = 0; i < hrplen; i++)
		chk = bech32_polymod_step(chk) ^ ((uint32_t)(unsigned char)ascii_lower(hrp[i]) >> 5);
	chk = bech32_polymod_step(chk);
	for (i = 0; i < hrplen; i++)
		chk = bech32_polymod_step(chk) ^ ((uint32_t)(unsigned char)ascii_lower(hrp[i]) & 31);
	return chk;
}

/* BIP 173 allows hrp characters 33..126 and at least one of them. */
static int bech32_hrp_ok(const char *hrp, size_t hrplen)
{
	size_t i;

	if (hrplen == 0)
		return 0;
	for (i = 0; i < hrplen; i++)
		if ((unsigned char)hrp[i] < 33 || (unsigned char)hrp[i] > 126)
			return 0;
	return 1;
}

bk_status bk_bech32_encode(char *out, size_t outcap, const char *hrp, const uint8_t *data, size_t n, int upper)
{
	bk_status rc = BK_OK;
	size_t hrplen, groups, need, pos = 0, i;
	uint32_t chk, acc = 0;
	unsigned bits = 0;

	if (outcap > 0)
		out[0] = '\0';
	hrplen = hrp ? strlen(hrp) : 0;
	if (!bech32_hrp_ok(hrp, hrplen) || (!data && n > 0)) {
		rc = bk_fail(BK_ERR_USAGE, "invalid bech32 prefix");
		goto out;
	}
	if (n > (SIZE_MAX - 4) / 8) {
		rc = bk_fail(BK_ERR_USAGE, "bech32 data too long");
		goto out;
	}
	groups = (n * 8 + 4) / 5;
	need = hrplen + 1 + groups + 6 + 1;
	if (groups > SIZE_MAX - hrplen - 8 || need > outcap) {
		rc = bk_fail(BK_ERR_USAGE, "bech32 output buffer too small");
		goto out;
	}
	chk = bech32_hrp_checksum(hrp, hrplen);
	for (i = 0; i < hrplen; i++)
		out[pos++] = upper ? ascii_upper(hrp[i]) : ascii_lower(hrp[i]);
	out[pos++] = '1';
	for (i = 0; i <= n; i++) {
		if (i < n) {
			acc = (acc << 8) | data[i];
			bits += 8;
		} else if (bits > 0) {
			acc <<= 5 - bits; /* pad the last group with zero bits */
			bits = 5;
		}
		while (bits >= 5) {
			uint32_t v = (acc >> (bits - 5)) & 31;

			bits -= 5;
			chk = bech32_polymod_step(chk) ^ v;
			out[pos++] = upper ? ascii_upper(bech32_alphabet[v]) : bech32_alphabet[v];
		}
	}
	for (i = 0; i < 6; i++)
		chk = bech32_polymod_step(chk);
	chk ^= 1;
	for (i = 0; i < 6; i++) {
		char c = bech32_alphabet[(chk >> (5 * (5 - i))) & 31];

		out[pos++] = upper ? ascii_upper(c) : c;
	}
	out[pos] = '\0';
out:
	sodium_memzero(&acc, sizeof(acc)); /* held bits of data, which may be a secret key */
	return rc;
}

bk_status bk_bech32_decode(uint8_t *data, size_t n, const char *hrp, const char *s, size_t slen)
{
	bk_status rc = BK_OK;
	size_t hrplen, sep = 0, i, got = 0;
	int has_lower = 0, has_upper = 0;
	uint32_t chk, acc = 0;
	unsigned bits = 0;

	hrplen = hrp ? strlen(hrp) : 0;
	if (!bech32_hrp_ok(hrp, hrplen) || (!data && n > 0) || (!s && slen > 0)) {
		rc = bk_fail(BK_ERR_USAGE, "invalid bech32 prefix");
		goto out;
	}
	for (i = 0; i < slen; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 33 || c > 126) {
			rc = bk_fail(BK_ERR_FORMAT, "invalid character in bech32 string");
			goto out;
		}
		has_lower |= c >= 'a' && c <= 'z';
		has_upper |= c >= 'A' && c <= 'Z';
		if (c == '1')
			sep = i + 1; /* the last '1' separates: hrp may contain '1' */
	}
	if (has_lower && has_upper) {
		rc = bk_fail(BK_ERR_FORMAT, "mixed case in bech32 string");
		goto out;
	}
	if (sep < 2 || slen - sep < 6) {
		rc = bk_fail(BK_ERR_FORMAT, "bech32 string without prefix, separator or checksum");
		goto out;
	}
	chk = bech32_hrp_checksum(s, sep - 1);
	for (i = sep; i < slen; i++) {
		const char *at = strchr(bech32_alphabet, ascii_lower(s[i]));

		if (!at) {
			rc = bk_fail(BK_ERR_FORMAT, "invalid character in bech32 data");
			goto out;
		}
		chk = bech32_polymod_step(chk) ^ (uint32_t)(at - bech32_alphabet);
	}
	if (chk != 1) {
		rc = bk_fail(BK_ERR_FORMAT, "bech32 checksum mismatch");
		goto out;
	}
	if (sep - 1 != hrplen || !ascii_caseeq(s, hrp, hrplen)) {
		rc = bk_fail(BK_ERR_FORMAT, "bech32 string has the wrong prefix");
		bk_hint("expected a string starting with '%s1'", hrp);
		goto out;
	}
	/* 5 -> 8 bits without padding: at most 4 bits may be left, all zero */
	for (i = sep; i < slen - 6; i++) {
		acc = ((acc << 5) | (uint32_t)(strchr(bech32_alphabet, ascii_lower(s[i])) - bech32_alphabet)) & 0xfff;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			if (got == n) {
				rc = bk_fail(BK_ERR_FORMAT, "bech32 data longer than %zu bytes", n);
				goto out;
			}
			data[got++] = (uint8_t)(acc >> bits);
		}
	}
	if (bits >= 5 || (acc & ((1u << bits) - 1)) != 0) {
		rc = bk_fail(BK_ERR_FORMAT, "bech32 data has invalid padding");
		goto out;
	}
	if (got != n) {
		rc = bk_fail(BK_ERR_FORMAT, "bech32 data is %zu bytes, expected %zu", got, n);
		goto out;
	}
out:
	if (rc != BK_OK && n > 0 && data)
		sodium_memzero(data, n);
	sodium_memzero(&acc, sizeof(acc));
	return rc;
}
