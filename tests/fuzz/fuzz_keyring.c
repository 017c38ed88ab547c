/* fuzz_keyring.c - the keyring parser and its signature check. */
#include "crypto/keyring.h"
#include "crypto/secmem.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bk_keyring kr;

	if (bk_crypto_init() != BK_OK)
		return 0;
	if (bk_keyring_parse(&kr, "fuzz", data, size) == BK_OK)
		bk_keyring_release(&kr);
	return 0;
}
