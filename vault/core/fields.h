/* fields.h - envelope encryption of a row's identifier and secret values, and
 * the truncated blind index for NIK lookups.
 *
 * All sealed values of one row go into one XChaCha20-Poly1305 ciphertext under
 * the data key of the row's import batch (one seal per row, not per value):
 *
 *   sealed = 0x02 || AEAD(key, nonce, plain, ad)              (written now)
 *   nonce  = prefix || row id (8 bytes BE), where the 16-byte prefix is
 *            derived from the data key (crypto/aead.h, bk_aead_prefix): the
 *            nonce is known from the key and the row and is not stored.
 *            Unique per data key without a system call per row: a batch's
 *            key seals each of its rows once; an edit makes a new batch
 *   plain  = for each sealed column in schema order: u32 BE length || bytes
 *   ad     = "brankas-row-v2" 0x00 dataset 0x00 column names joined by ','
 *            0x00 row id (8 bytes BE) || batch id (8 bytes BE)
 *
 * Rows written before carry their nonce (a random prefix per batch and the
 * row id), and open as they always did:
 *
 *   sealed = 0x01 || nonce[24] || AEAD(key, nonce, plain, ad with "brankas-row-v1")
 *
 * The associated data binds the ciphertext to its format, dataset, columns,
 * row and data key (the batch), so a ciphertext moved to another row,
 * dataset or batch fails to open. A batch's data key is sealed
 * (crypto_box_seal) to its kecamatan's X25519 key: whoever imports can seal,
 * only holders of that kecamatan's key can open. */
#ifndef BK_FIELDS_H
#define BK_FIELDS_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

#define BK_FIELDS_KEYBYTES 32
#define BK_FIELDS_OVERHEAD (1 + 16)         /* what a sealed blob adds to its values */
#define BK_FIELDS_OVERHEAD_V1 (1 + 24 + 16) /* the same for rows sealed with their nonce */
#define BK_FIELDS_MAX_PLAIN (16u << 20)

/* The blind index keeps BK_BLIND_INDEX_BITS bits of a keyed BLAKE2b of the
 * normalized NIK, so that each index value is shared by several NIKs on
 * purpose (see SECURITY.md): a lookup decrypts the candidates and compares. */
#define BK_BLIND_INDEX_BITS 20

/* bk_fields_pack appends (u32 BE length, bytes) per value into buf (cap bytes). */
bk_status bk_fields_pack(uint8_t *buf, size_t cap, size_t *len_p, const char *const *vals, const size_t *lens,
			 size_t n) BK_MUST_CHECK;

/* bk_fields_unpack splits plain into exactly n values (pointers into plain). */
bk_status bk_fields_unpack(const uint8_t *plain, size_t len, size_t n, const uint8_t **vals, size_t *lens) BK_MUST_CHECK;

#define BK_FIELDS_NONCE_PREFIXBYTES 16

/* Sealing the rows of one batch. bk_fields_ad_init writes the fixed part of
 * the associated data (context, dataset, sealed column names) into ad and
 * returns its length, 0 when the names are too long. bk_fields_subkey derives
 * the batch's XChaCha20 subkey (for its nonce prefix) from its data key once
 * (secret: guarded memory). bk_fields_seal_row writes
 * len + BK_FIELDS_OVERHEAD bytes to out: row row_id sealed under them,
 * exactly what XChaCha20-Poly1305 under the data key gives for the row's
 * nonce (crypto/aead.h), so bk_fields_open opens it with the data key; it
 * completes ad (BK_FIELDS_AD_MAX bytes, ad_fixed of them from
 * bk_fields_ad_init) with the row and batch ids.
 * WARNING: a data key must seal each row id at most once: (key, row id)
 * makes the nonce. */
#define BK_FIELDS_AD_MAX 1024
size_t bk_fields_ad_init(uint8_t ad[BK_FIELDS_AD_MAX], const char *dataset, const char *columns);
void bk_fields_subkey(uint8_t subkey[BK_FIELDS_KEYBYTES], const uint8_t key[BK_FIELDS_KEYBYTES]);
bk_status bk_fields_seal_row(uint8_t *out, const uint8_t *plain, size_t len, const uint8_t subkey[BK_FIELDS_KEYBYTES],
			     uint8_t ad[BK_FIELDS_AD_MAX], size_t ad_fixed, int64_t row_id,
			     int64_t batch_id) BK_MUST_CHECK;

/* bk_fields_plain_len gives the length of the values sealed in the blob
 * sealed[0..len) (of either format): BK_ERR_CORRUPT when it is not one. */
bk_status bk_fields_plain_len(const uint8_t *sealed, size_t len, size_t *plain_len_p) BK_MUST_CHECK;

/* bk_fields_open writes bk_fields_plain_len(sealed, sealed_len) bytes to plain
 * (guarded memory), also when it fails. BK_ERR_CORRUPT when the ciphertext
 * does not belong to this row, dataset, columns and key, or was altered.
 * WARNING: size plain by bk_fields_plain_len of this very blob (or its whole
 * length): the format byte, which anyone with the database key can change,
 * decides how many bytes that is. */
bk_status bk_fields_open(uint8_t *plain, const uint8_t *sealed, size_t sealed_len,
			 const uint8_t key[BK_FIELDS_KEYBYTES], const char *dataset, const char *columns, int64_t row_id,
			 int64_t batch_id) BK_MUST_CHECK;

/* bk_blind_index returns the truncated keyed index of a 16-digit NIK. */
int64_t bk_blind_index(const uint8_t key[32], const char *nik16);

/* The key that indexes the NIKs of one file. The vault-wide blind key of a
 * vault made before the kecamatan blind keys ("blind:v1") indexes with
 * bk_blind_index; a kecamatan's own blind key ("blind:<code>:vN") with
 * SipHash-2-4 under a subkey derived from it, truncated the same way: a
 * lookup over 22 stores computes 22 index values, and SipHash takes 14 ns
 * where keyed BLAKE2b takes 300. Lives in guarded memory. */
struct bk_index_key {
	int per_kecamatan;
	uint8_t key[32]; /* the blind key, or the SipHash subkey in its first 16 bytes */
};
void bk_index_key_set(struct bk_index_key *k, const uint8_t blind[32], int per_kecamatan);
/* The index value of a row with no NIK, under any key: NULL stays for a row
 * not indexed yet, which lookups must read. */
#define BK_INDEX_NO_NIK (-1)
int64_t bk_index_nik(const struct bk_index_key *k, const char *nik16);

#endif
