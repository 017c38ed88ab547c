/* stream.c - the ChaCha20 keystream of stream.h, through libsodium. */
#include "crypto/stream.h"

#include <sodium.h>
#include <string.h>

void bk_stream_chacha20(uint8_t *out, size_t len, const uint8_t nonce[BK_STREAM_NONCEBYTES], uint64_t ic,
			const uint8_t key[BK_STREAM_KEYBYTES])
{
	memset(out, 0, len);
	crypto_stream_chacha20_xor_ic(out, out, (unsigned long long)len, nonce, ic, key);
}
