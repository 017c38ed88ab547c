/* stream.h - a ChaCha20 keystream for deterministic generators (the demo's
 * synthetic data): reproducible from a seed, never used to encrypt. */
#ifndef BK_STREAM_H
#define BK_STREAM_H

#include <stddef.h>
#include <stdint.h>

#define BK_STREAM_KEYBYTES 32
#define BK_STREAM_NONCEBYTES 8

/* bk_stream_chacha20 writes len bytes of the ChaCha20 keystream (64-bit
 * nonce, libsodium's crypto_stream_chacha20) from block ic on into out. */
void bk_stream_chacha20(uint8_t *out, size_t len, const uint8_t nonce[BK_STREAM_NONCEBYTES], uint64_t ic,
			const uint8_t key[BK_STREAM_KEYBYTES]);

#endif
