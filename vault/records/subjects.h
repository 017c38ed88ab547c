/* subjects.h - data-subject rights (UU 27/2022) and retention: everything held
 * about one person, found through the blind index of their NIK; erasure of a
 * person's rows, of one row, and of rows past their dataset's retention.
 *
 * A NIK is personal data: callers read it from stdin or a prompt, never argv;
 * the audit log holds only its keyed hash (audit key). */
#ifndef BK_SUBJECTS_H
#define BK_SUBJECTS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

struct bk_vault;

struct bk_subject_result {
	uint64_t rows;       /* rows found (exported or erased) */
	uint64_t unreadable; /* candidate rows in kecamatan whose key the user does not hold */
};

/* A line that holds a NIK is at most this long, its NUL included: a NIK's 16
 * digits and room for the spaces people group them with. */
#define BK_SUBJECT_NIK_LINE_SIZE 65

/* bk_subject_nik_line takes the NIK off the first line of in[0..len) (stdin,
 * or the line a prompt read): the line up to its newline, without a CR before
 * it and without spaces (people paste NIKs grouped "3505 0141 ..."), into out
 * (cap bytes, NUL-terminated; personal data: pass guarded memory). *used_p
 * receives the bytes the line took, its newline included: what follows starts
 * at in + *used_p. It does not check the NIK (the commands do). BK_ERR_USAGE,
 * with out wiped and a detail that quotes nothing of the line, when the line
 * holds a NUL byte (which would cut the NIK short) or does not fit in out. */
bk_status bk_subject_nik_line(const char *in, size_t len, char *out, size_t cap, size_t *used_p) BK_MUST_CHECK;

/* bk_vault_subject_export returns {"datasets": {NAME: [rows…]}} with every row
 * whose NIK equals nik (16 digits), sealed values opened. Needs a purpose and
 * the right to reveal in each row's kecamatan; audited before returning. */
bk_status bk_vault_subject_export(struct bk_vault *v, const char *nik, const char *purpose, json_t **out_p,
				  struct bk_subject_result *r) BK_MUST_CHECK;

/* bk_vault_find is bk_vault_subject_export limited to the registry of data
 * subjects (warga): `brankas find --nik -`. */
bk_status bk_vault_find(struct bk_vault *v, const char *nik, const char *purpose, json_t **out_p,
			struct bk_subject_result *r) BK_MUST_CHECK;

/* bk_vault_subject_count does the lookup of `find` (blind index, open the
 * candidates, compare) and only counts the matching registered rows into
 * r->rows: no value leaves and nothing is audited. For the lookup benchmark.
 * WARNING: not for commands; they must go through bk_vault_find. */
bk_status bk_vault_subject_count(struct bk_vault *v, const char *nik, struct bk_subject_result *r) BK_MUST_CHECK;

/* bk_vault_subject_index makes the NIK index of the rows within the user's
 * keys that have none under their store's key: rows moved in from the inbox
 * or from vault.db, and every row of a store still indexed under an older
 * blind key than its kecamatan's current one (a vault made before the
 * kecamatan blind keys), which then records the new key (stores.h). One
 * audited transaction per store that needs it; nothing for users without a
 * blind key. Lookups find unindexed rows anyway, only slower: this runs
 * after each unlock. *rows_p: rows indexed. */
bk_status bk_vault_subject_index(struct bk_vault *v, uint64_t *rows_p) BK_MUST_CHECK;

/* bk_vault_subject_erase deletes every such row (secure delete), audited, in
 * one transaction. Rows the user cannot open are left and counted. */
bk_status bk_vault_subject_erase(struct bk_vault *v, const char *nik, const char *purpose,
				 struct bk_subject_result *r) BK_MUST_CHECK;

/* bk_vault_record_erase deletes one row (secure delete), audited. */
bk_status bk_vault_record_erase(struct bk_vault *v, const char *dataset, int64_t id, const char *purpose) BK_MUST_CHECK;

/* bk_vault_retention_apply deletes, in every dataset with a retention, the
 * rows older than it (by the time they were imported) within the user's
 * scope; *deleted_p counts them. dry_run counts only. */
bk_status bk_vault_retention_apply(struct bk_vault *v, int dry_run, uint64_t *deleted_p) BK_MUST_CHECK;

#endif
