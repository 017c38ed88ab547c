/* fuzz.h - libFuzzer entry points share this; built two ways:
 *   make fuzz       clang -fsanitize=fuzzer,address: real fuzzing, FUZZ_SECONDS each
 *   make check      the standalone driver (driver.c) runs every corpus file once,
 *                   so the entry points stay compiled and crash-free in CI. */
#ifndef BK_FUZZ_H
#define BK_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Optional: what a target sets up once (a vault, say) before its first input;
 * libFuzzer and driver.c call it when the target defines it. */
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Parsers' results are irrelevant here: only crashes and sanitizer reports count. */
static inline void bk_fuzz_discard(bk_status rc)
{
	(void)rc;
}

#endif
