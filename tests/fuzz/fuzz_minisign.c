/* fuzz_minisign.c - minisign public key, secret key and signature parsers. */
#include <stdlib.h>
#include <string.h>

#include "crypto/minisign.h"
#include "crypto/secmem.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct bk_minisign_pub pub = {{1, 2, 3, 4, 5, 6, 7, 8}, {9}};
	struct bk_minisign_pub p;
	struct bk_minisign_sec *sec;
	char *comment = NULL;

	if (bk_crypto_init() != BK_OK)
		return 0;
	bk_fuzz_discard(bk_minisign_pub_parse(&p, (const char *)data, size));
	if (bk_minisign_verify((const char *)data, size, (const uint8_t *)"m", 1, &pub, &comment) == BK_OK)
		free(comment);
	sec = bk_secmem_alloc(sizeof(*sec));
	if (sec) {
		/* unencrypted only: scrypt would make every input take seconds */
		bk_fuzz_discard(bk_minisign_sec_parse(sec, (const char *)data, size, NULL));
		bk_secmem_free(sec);
	}
	return 0;
}
