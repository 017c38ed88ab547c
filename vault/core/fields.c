/* fields.c - one AEAD per row for its sealed values; the blind index. */
#include "vault/core/fields.h"

#include <stdio.h>
#include <string.h>

#include "crypto/aead.h"
#include "crypto/hash.h"
#include "crypto/secmem.h"

#define AD_CONTEXT "brankas-row-v2"
#define AD_CONTEXT_V1 "brankas-row-v1"

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

/* The fixed part of a row's associated data in the context of one format. */
static size_t ad_fixed(uint8_t ad[BK_FIELDS_AD_MAX], const char *context, const char *dataset, const char *columns)
{
	size_t n, xl = strlen(context), dl = strlen(dataset), cl = strlen(columns);

	if (xl + 1 + dl + 1 + cl + 1 + 16 > BK_FIELDS_AD_MAX)
		return 0;
	memcpy(ad, context, xl + 1); /* with its NUL as separator */
	n = xl + 1;
	memcpy(ad + n, dataset, dl + 1);
	n += dl + 1;
	memcpy(ad + n, columns, cl + 1);
	return n + cl + 1;
}

size_t bk_fields_ad_init(uint8_t ad[BK_FIELDS_AD_MAX], const char *dataset, const char *columns)
{
	return ad_fixed(ad, AD_CONTEXT, dataset, columns);
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

static void row_tail(uint8_t tail[BK_AEAD_TAILBYTES], int64_t row_id)
{
	for (int i = 0; i < 8; i++)
		tail[i] = (uint8_t)((uint64_t)row_id >> (56 - 8 * i));
}

void bk_fields_subkey(uint8_t subkey[BK_FIELDS_KEYBYTES], const uint8_t key[BK_FIELDS_KEYBYTES])
{
	uint8_t prefix[BK_AEAD_PREFIXBYTES];

	bk_aead_prefix(prefix, key);
	bk_aead_subkey(subkey, key, prefix);
}

bk_status bk_fields_seal_row(uint8_t *out, const uint8_t *plain, size_t len, const uint8_t subkey[BK_FIELDS_KEYBYTES],
			     uint8_t ad[BK_FIELDS_AD_MAX], size_t ad_fixed_len, int64_t row_id, int64_t batch_id)
{
	uint8_t tail[BK_AEAD_TAILBYTES];

	if (!ad_fixed_len || ad_fixed_len + 16 > BK_FIELDS_AD_MAX)
		return bk_fail(BK_ERR_STATE, "dataset or column names too long");
	out[0] = 2;
	row_tail(tail, row_id);
	return bk_aead_seal_subkey(out + 1, plain, len, ad, ad_ids(ad, ad_fixed_len, row_id, batch_id), tail, subkey);
}

bk_status bk_fields_plain_len(const uint8_t *sealed, size_t len, size_t *plain_len_p)
{
	*plain_len_p = 0;
	if (len >= BK_FIELDS_OVERHEAD && sealed[0] == 2)
		*plain_len_p = len - BK_FIELDS_OVERHEAD;
	else if (len >= BK_FIELDS_OVERHEAD_V1 && sealed[0] == 1)
		*plain_len_p = len - BK_FIELDS_OVERHEAD_V1;
	else
		return bk_fail(BK_ERR_CORRUPT, "not a sealed blob");
	return BK_OK;
}

bk_status bk_fields_open(uint8_t *plain, const uint8_t *sealed, size_t sealed_len,
			 const uint8_t key[BK_FIELDS_KEYBYTES], const char *dataset, const char *columns, int64_t row_id,
			 int64_t batch_id)
{
	uint8_t ad[BK_FIELDS_AD_MAX], nonce[BK_AEAD_NONCEBYTES];
	const uint8_t *ct;
	size_t adlen, plain_len;

	if (bk_fields_plain_len(sealed, sealed_len, &plain_len) != BK_OK)
		return bk_fail(BK_ERR_CORRUPT, "%s row %lld: sealed values are malformed", dataset, (long long)row_id);
	if (sealed[0] == 1) {
		/* the nonce as written, the old context */
		adlen = ad_fixed(ad, AD_CONTEXT_V1, dataset, columns);
		memcpy(nonce, sealed + 1, BK_AEAD_NONCEBYTES);
		ct = sealed + 1 + BK_AEAD_NONCEBYTES;
	} else {
		adlen = ad_fixed(ad, AD_CONTEXT, dataset, columns);
		bk_aead_prefix(nonce, key);
		row_tail(nonce + BK_AEAD_PREFIXBYTES, row_id);
		ct = sealed + 1;
	}
	if (!adlen)
		return bk_fail(BK_ERR_CORRUPT, "%s row %lld: sealed values are malformed", dataset, (long long)row_id);
	adlen = ad_ids(ad, adlen, row_id, batch_id);
	if (bk_aead_open(plain, ct, plain_len + BK_AEAD_ABYTES, ad, adlen, nonce, key) != BK_OK)
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

/* a kecamatan index key is BLAKE2b-128 of this, keyed by its blind key */
#define INDEX_SUBKEY_CONTEXT "brankas-blind-v2"

void bk_index_key_set(struct bk_index_key *k, const uint8_t blind[32], int per_kecamatan)
{
	uint8_t sub[BK_PRF64_KEYBYTES];

	k->per_kecamatan = per_kecamatan;
	if (!per_kecamatan) {
		memcpy(k->key, blind, 32);
		return;
	}
	if (bk_hash(sub, sizeof(sub), INDEX_SUBKEY_CONTEXT, sizeof(INDEX_SUBKEY_CONTEXT) - 1, blind, 32) != BK_OK)
		memset(sub, 0, sizeof(sub));
	memset(k->key, 0, sizeof(k->key));
	memcpy(k->key, sub, sizeof(sub));
	bk_wipe(sub, sizeof(sub));
}

int64_t bk_index_nik(const struct bk_index_key *k, const char *nik16)
{
	uint64_t tag;

	if (!k->per_kecamatan)
		return bk_blind_index(k->key, nik16);
	tag = bk_prf64(nik16, 16, k->key);
	return (int64_t)(tag >> (64 - BK_BLIND_INDEX_BITS));
}
