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
