/* regions.h - the region file: Kemendagri codes of one kabupaten/kota, its
 * kecamatan and desa/kelurahan (CSV: kode,nama,tingkat,kode_induk).
 *
 * Kabupaten Blitar (35.05) is built in; `init --regions FILE` takes another
 * kabupaten/kota in the same layout. Scopes and region columns resolve here. */
#ifndef BK_REGIONS_H
#define BK_REGIONS_H

#include <stddef.h>

#include "base/error.h"

enum bk_region_level { BK_REGION_KABUPATEN, BK_REGION_KECAMATAN, BK_REGION_DESA };

struct bk_region {
	char kode[16];      /* "35.05", "35.05.01", "35.05.01.2001" */
	char nama[96];
	char kode_induk[16];
	enum bk_region_level level;
	int kelurahan;      /* desa level: 1 for a kelurahan */
};

struct bk_regions {
	struct bk_region *items; /* the kabupaten first, then file order */
	size_t count;
	size_t kecamatan_count;
	size_t desa_count;
	const struct bk_region **by_code; /* sorted by kode, for bsearch */
};

/* bk_regions_parse reads a region CSV (name is used in messages, e.g. the file
 * name). Errors name "FILE:LINE:COLUMN: reason" in the detail and return
 * BK_ERR_FORMAT. On success the caller releases *regions with bk_regions_release. */
bk_status bk_regions_parse(struct bk_regions *regions, const char *name, const char *text, size_t len) BK_MUST_CHECK;

/* bk_regions_builtin parses the embedded Kabupaten Blitar file. */
bk_status bk_regions_builtin(struct bk_regions *regions) BK_MUST_CHECK;

void bk_regions_release(struct bk_regions *regions);

/* bk_regions_find resolves a code ("35.05.10") or a name ("Kanigoro",
 * case-insensitive) at the given level; NULL when nothing matches. */
const struct bk_region *bk_regions_find(const struct bk_regions *regions, enum bk_region_level level,
					const char *code_or_name);

/* bk_regions_suggest returns the name at that level closest to s (edit
 * distance), for "did you mean" hints; NULL if nothing is close. */
const char *bk_regions_suggest(const struct bk_regions *regions, enum bk_region_level level, const char *s);

/* The embedded file (tools/embed), NUL-terminated. */
extern const unsigned char bk_regions_builtin_csv[];
extern const size_t bk_regions_builtin_csv_len;

#endif
