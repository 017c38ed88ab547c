/* fields.c - one AEAD per row for its sealed values; the blind index. */
#include "vault/fields.h"

#include <stdio.h>
#include <string.h>

#include "crypto/aead.h"
#include "crypto/hash.h"
#include "crypto/secmem.h"

#define AD_CONTEXT "brankas-row-v1"

_Static_assert(BK_FIELDS_NONCE_PREFIXBYTES == BK_AEAD_PREFIXBYTES && BK_FIELDS_KEYBYTES == BK_AEAD_KEYBYTES,
	       "a row's nonce is the batch's prefix and the row id");

bk_status bk_fields_pack(uint8_t *buf, size_t cap, size_t *len_p, const char *const *vals, const size_t *lens,
			 size_t n)
{
	size_t len = 0;

	*len_p = 0;
	for (size_t i = 0; i < n; i++) {
		if (lens[i] > BK_FIELDS_MAX_PLAIN || cap - len < 4 || cap - len - 4 < lens[i])
			return bk_fail(BK_ERR_STATE, "sealed values larger than the buffer");
		buf[len++] = (uint8_t)(lens[i] >> 24);
		buf[len++] = (uint8_t)(lens[i] >> 16);
		buf[len++] = (uint8_t)(lens[i] >> 8);
		buf[len++] = (uint8_t)lens[i];
		memcpy(buf + len, vals[i], lens[i]);
		len += lens[i];
	}
	*len_p = len;
	return BK_OK;
}

bk_status bk_fields_unpack(const uint8_t *plain, size_t len, size_t n, const uint8_t **vals, size_t *lens)
{
	size_t off = 0;

	for (size_t i = 0; i < n; i++) {
		size_t l;

		if (len - off < 4)
			return bk_fail(BK_ERR_CORRUPT, "sealed values are truncated");
		l = (size_t)plain[off] << 24 | (size_t)plain[off + 1] << 16 | (size_t)plain[off + 2] << 8 | plain[off + 3];
		off += 4;
		if (len - off < l)
			return bk_fail(BK_ERR_CORRUPT, "sealed values are truncated");
		vals[i] = plain + off;
		lens[i] = l;
		off += l;
	}
	if (off != len)
		return bk_fail(BK_ERR_CORRUPT, "sealed values have trailing bytes");
	return BK_OK;
}

size_t bk_fields_ad_init(uint8_t ad[BK_FIELDS_AD_MAX], const char *dataset, const char *columns)
{
	size_t n, dl = strlen(dataset), cl = strlen(columns);

	if (sizeof(AD_CONTEXT) + dl + 1 + cl + 1 + 16 > BK_FIELDS_AD_MAX)
		return 0;
	memcpy(ad, AD_CONTEXT, sizeof(AD_CONTEXT)); /* with its NUL as separator */
	n = sizeof(AD_CONTEXT);
	memcpy(ad + n, dataset, dl + 1);
	n += dl + 1;
	memcpy(ad + n, columns, cl + 1);
	return n + cl + 1;
}

/* Appends the row and batch ids to the fixed part: the whole associated data's length. */
static size_t ad_ids(uint8_t ad[BK_FIELDS_AD_MAX], size_t n, int64_t row_id, int64_t batch_id)
{
	for (int i = 7; i >= 0; i--)
		ad[n++] = (uint8_t)((uint64_t)row_id >> (8 * i));
	for (int i = 7; i >= 0; i--)
		ad[n++] = (uint8_t)((uint64_t)batch_id >> (8 * i));
	return n;
}

static size_t make_ad(uint8_t ad[BK_FIELDS_AD_MAX], const char *dataset, const char *columns, int64_t row_id,
		      int64_t batch_id)
{
	size_t n = bk_fields_ad_init(ad, dataset, columns);

	return n ? ad_ids(ad, n, row_id, batch_id) : 0;
}

void bk_fields_subkey(uint8_t subkey[BK_FIELDS_KEYBYTES], const uint8_t key[BK_FIELDS_KEYBYTES],
		      const uint8_t nonce_prefix[BK_FIELDS_NONCE_PREFIXBYTES])
{
	bk_aead_subkey(subkey, key, nonce_prefix);
}

bk_status bk_fields_seal_row(uint8_t *out, const uint8_t *plain, size_t len, const uint8_t subkey[BK_FIELDS_KEYBYTES],
			     const uint8_t nonce_prefix[BK_FIELDS_NONCE_PREFIXBYTES], uint8_t ad[BK_FIELDS_AD_MAX],
			     size_t ad_fixed, int64_t row_id, int64_t batch_id)
{
	uint8_t *tail = out + 1 + BK_FIELDS_NONCE_PREFIXBYTES;

	if (!ad_fixed || ad_fixed + 16 > BK_FIELDS_AD_MAX)
		return bk_fail(BK_ERR_STATE, "dataset or column names too long");
	out[0] = 1;
	memcpy(out + 1, nonce_prefix, BK_FIELDS_NONCE_PREFIXBYTES);
	for (int i = 0; i < 8; i++)
		tail[i] = (uint8_t)((uint64_t)row_id >> (56 - 8 * i));
	return bk_aead_seal_subkey(out + 1 + BK_AEAD_NONCEBYTES, plain, len, ad, ad_ids(ad, ad_fixed, row_id, batch_id),
				   tail, subkey);
}

bk_status bk_fields_open(uint8_t *plain, const uint8_t *sealed, size_t sealed_len,
			 const uint8_t key[BK_FIELDS_KEYBYTES], const char *dataset, const char *columns, int64_t row_id,
			 int64_t batch_id)
{
	uint8_t ad[BK_FIELDS_AD_MAX];
	size_t adlen = make_ad(ad, dataset, columns, row_id, batch_id);

	if (!adlen || sealed_len < BK_FIELDS_OVERHEAD || sealed[0] != 1)
		return bk_fail(BK_ERR_CORRUPT, "%s row %lld: sealed values are malformed", dataset, (long long)row_id);
	if (bk_aead_open(plain, sealed + 1 + BK_AEAD_NONCEBYTES, sealed_len - 1 - BK_AEAD_NONCEBYTES, ad, adlen,
			 sealed + 1, key) != BK_OK)
		return bk_fail(BK_ERR_CORRUPT, "%s row %lld: sealed values do not open: they were altered or moved "
					       "from another row",
			       dataset, (long long)row_id);
	return BK_OK;
}

static void blind_tag(uint8_t tag[16], const uint8_t key[32], const char *nik16)
{
	uint8_t msg[4 + 16];

	memcpy(msg, "nik:", 4);
	memcpy(msg + 4, nik16, 16);
	if (bk_hash(tag, 16, msg, sizeof(msg), key, 32) != BK_OK)
		memset(tag, 0, 16);
}

int64_t bk_blind_index(const uint8_t key[32], const char *nik16)
{
	uint8_t tag[16];

	blind_tag(tag, key, nik16);
	/* keep the top BK_BLIND_INDEX_BITS bits: every index value is shared by many possible NIKs */
	return (int64_t)(((uint32_t)tag[0] << 16 | (uint32_t)tag[1] << 8 | tag[2]) >> (24 - BK_BLIND_INDEX_BITS));
}
