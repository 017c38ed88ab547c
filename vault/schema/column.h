/* column.h - one column of a dataset schema: its type, privacy class and the
 * limits its values are checked against. The smallest schema type, shared by
 * datasets (dataset.h) and hierarchies (hierarchy.h) so neither includes the
 * other. */
#ifndef BK_COLUMN_H
#define BK_COLUMN_H

#include <stddef.h>

#include "vault/core/acl.h"
#include "vault/core/regions.h"

#define BK_DATASET_NAME_MAX 32
#define BK_COLUMN_NAME_MAX 32
#define BK_COLUMNS_MAX 64
#define BK_ENUM_VALUES_MAX 64

enum bk_coltype {
	BK_TYPE_TEXT,
	BK_TYPE_INT,
	BK_TYPE_DATE,
	BK_TYPE_ENUM,
	BK_TYPE_REGION,
	BK_TYPE_NIK,
	BK_TYPE_PHONE,
	BK_TYPE_SCORE1TO4,
	BK_TYPE_COUNT
};

struct bk_column {
	char name[BK_COLUMN_NAME_MAX + 1];
	enum bk_coltype type;
	enum bk_colclass cls;
	int required;
	int blind_index;               /* nik: keep a truncated keyed index */
	long long min, max;            /* int */
	size_t max_length;             /* text */
	enum bk_region_level level;    /* region */
	char *values[BK_ENUM_VALUES_MAX]; /* enum, canonical spelling */
	size_t nvalues;
	char hierarchy[256];
	int future;                    /* date: a day after today is a plan, allowed (else refused) */
	int unique;                    /* plain: no two rows share a value (the registry's kode) */
	/* text: "dataset.column" whose values this one must be one of, once that
	 * dataset holds rows (kode_inovasi: inovasi.kode) */
	char references[BK_DATASET_NAME_MAX + BK_COLUMN_NAME_MAX + 2];
};

/* The name of a type as written in schemas ("nik", "score1to4"); "?" when
 * out of range. */
const char *bk_coltype_name(enum bk_coltype t);

#endif
