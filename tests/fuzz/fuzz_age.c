/* fuzz_age.c - the age header parser, X25519 unwrapping, the header MAC and
 * STREAM, with the key of the CCTV vectors (so the seeds in corpus/age, taken
 * from them, reach the payload), then with their file key directly; and the
 * identity and recipient string decoders. */
#include <string.h>

#include "crypto/age.h"
#include "crypto/secmem.h"
#include "tests/fuzz/fuzz.h"

#define CCTV_IDENTITY "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0"

static bk_status discard(void *ctx, const uint8_t *buf, size_t len)
{
	(void)ctx;
	(void)buf;
	(void)len;
	return BK_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t file_key[BK_AGE_FILEKEYBYTES] = "YELLOW SUBMARINE";
	uint8_t sk[32], pk[32];

	if (bk_crypto_init() != BK_OK ||
	    bk_age_identity_decode(sk, CCTV_IDENTITY, sizeof(CCTV_IDENTITY) - 1) != BK_OK)
		return 0;
	bk_fuzz_discard(bk_age_decrypt(data, size, sk, discard, NULL));
	bk_fuzz_discard(bk_age_decrypt_with_file_key(data, size, file_key, discard, NULL));
	bk_fuzz_discard(bk_age_identity_decode(sk, (const char *)data, size));
	bk_fuzz_discard(bk_age_recipient_decode(pk, (const char *)data, size));
	bk_wipe(sk, sizeof(sk));
	return 0;
}
