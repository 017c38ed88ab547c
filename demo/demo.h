/* ROOM demo - the synthetic Kabupaten Blitar, outside the library (its own
 * archive, linked by the cli and tests). May call base/, crypto/,
 * vault/core/ and vault/schema/.
 *
 * demo.h - a synthetic Kabupaten Blitar for `brankas demo`: ~30 innovations,
 * citizens spread over the 22 kecamatan and 248 desa/kelurahan of the built-in
 * region list, their use of the innovations, SKM answers and complaints,
 * written as the five CSV files the importer reads.
 *
 * Every value is made up: names from lists of common Javanese/Indonesian names,
 * NIKs with a valid structure (35.05.kk, DDMMYY with +40 for women, serial from
 * 0001 per kecamatan, birth date and sex, so unique) that belong to nobody.
 * Output depends only on the options: the same seed and size give byte-identical
 * files. Randomness is a ChaCha20 keystream from the seed, never rand().
 *
 * Memory is constant in the number of citizens apart from ~3 MB of NIK serial
 * counters; rows are streamed, so 1.3 million citizens (a full-size regency)
 * take seconds and no more memory than 2,000. */
#ifndef BK_DEMO_H
#define BK_DEMO_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

#define BK_DEMO_SEEDBYTES 32
#define BK_DEMO_CITIZENS_DEFAULT 2000
#define BK_DEMO_CITIZENS_MAX 10000000 /* DESIGN §13: room for 10 M rows per dataset */

/* The files, in the order they must be imported (pemanfaatan, skm and
 * pengaduan refer to inovasi codes and warga NIKs). */
enum bk_demo_file {
	BK_DEMO_INOVASI,
	BK_DEMO_WARGA,
	BK_DEMO_PEMANFAATAN,
	BK_DEMO_SKM,
	BK_DEMO_PENGADUAN,
	BK_DEMO_NFILES
};

/* "inovasi.csv", "warga.csv", … indexed by enum bk_demo_file; the dataset
 * name is the file name without ".csv" (bk_demo_datasets). */
extern const char *const bk_demo_files[BK_DEMO_NFILES];
extern const char *const bk_demo_datasets[BK_DEMO_NFILES];

/* The exact header line of each file (without the LF), as the importer
 * matches columns by these names. */
extern const char *const bk_demo_headers[BK_DEMO_NFILES];

struct bk_demo_options {
	/* 1 … BK_DEMO_CITIZENS_MAX. About 1.5 usage records, 0.5 SKM answers
	 * and 0.05 complaints are written per citizen. */
	size_t citizens;
	/* Key of the ChaCha20 stream everything is drawn from. */
	uint8_t seed[BK_DEMO_SEEDBYTES];
	/* Optional, called every 65,536 citizens and once at the end with
	 * done == total; it must not fail or print to stdout. */
	void (*progress)(size_t done, size_t total, void *ctx);
	void *progress_ctx;
};

/* Rows written per file (header not counted), indexed by enum bk_demo_file. */
struct bk_demo_counts {
	size_t rows[BK_DEMO_NFILES];
};

/* bk_demo_options_init sets the default size and a fixed seed, so two plain
 * `brankas demo` runs build the same regency. */
void bk_demo_options_init(struct bk_demo_options *opts);

/* bk_demo_write writes the five files into dir, which must exist. Each file is
 * written to "NAME.tmp.PID" (O_EXCL|O_NOFOLLOW, mode 0600), fsynced, and only
 * when all five are complete renamed over NAME, then the directory is fsynced.
 * Files already in dir under these names are replaced. On failure no temporary
 * is left and no file is partial; a target is untouched unless the failure is
 * in one of the five renames themselves (then the earlier ones are new). counts_p (may be NULL) is
 * zeroed on entry and filled on success.
 * Returns BK_OK, BK_ERR_USAGE (citizens out of range, path too long),
 * BK_ERR_NOTFOUND (no such directory), BK_ERR_IO, BK_ERR_NOMEM, or the status
 * of bk_regions_builtin.
 * WARNING: the files look like personal data (names, NIKs, phone numbers)
 * though they are synthetic; the 0600 mode keeps them from casual readers. */
bk_status bk_demo_write(const char *dir, const struct bk_demo_options *opts,
			struct bk_demo_counts *counts_p) BK_MUST_CHECK;

#endif
