/* hierarchy.h - generalization of one quasi-identifier value along its
 * column's hierarchy (DESIGN §6, §10). Pure functions: no database, no I/O,
 * no allocation.
 *
 * Levels of a quasi column run from 0 (the value as stored) to the top, "*"
 * (nothing left). Between them, one level per part of the schema's
 * `hierarchy` string, for the column's type:
 *
 *   int, score1to4   bands "5,10,20"        23 -> "20-24", "20-29", "20-39", "*"
 *                    (bands aligned at 0, each a multiple of the one before)
 *   date             "month,quarter,year"  "2024-03-15" -> "2024-03", "2024-Q1",
 *                    or any of them in that order   "2024", "*"
 *   region (desa)    "kecamatan,kabupaten"  35.05.01.2001 -> 35.05.01 -> 35.05 -> "*"
 *                    or either one alone
 *   region (kec.)    "kabupaten"           35.05.01 -> 35.05 -> "*"
 *   enum             groups "dasar=tidak sekolah/SD/SMP;menengah=SMA"
 *                    SD -> "dasar" -> "*"; a value in no group is its own group
 *   any quasi column with no hierarchy: the value, then "*"
 *
 * A missing value ("") stays "" at every level below the top.
 *
 * WARNING: labels hold personal data (a generalized birth date or desa is
 * still about a person). The functions never put a value into an error
 * detail; callers must not either. */
#ifndef BK_HIERARCHY_H
#define BK_HIERARCHY_H

#include <stddef.h>

#include "base/error.h"
#include "vault/core/regions.h"
#include "vault/schema/column.h"

/* At most this many levels, 0 and "*" included (= BK_ANON_LEVELS_MAX). */
#define BK_HIERARCHY_LEVELS_MAX 8

/* Big enough for every label of every type: a band "-9223372036854775808-..."
 * is the longest; a value at level 0 is copied as is and may need more. */
#define BK_HIERARCHY_LABEL_MAX 48

/* bk_hierarchy_check parses col->hierarchy for the column's type and returns
 * BK_OK when it is usable, else BK_ERR_FORMAT with a detail naming the column,
 * the hierarchy and what is wrong ("column 'umur': hierarchy '5,12': band 12 is
 * not a multiple of 5"), and often a hint. Rules: only quasi columns have a
 * hierarchy; text, nik and phone columns take none; int and score bands are
 * whole numbers from 2 to 1000000000, strictly increasing, each a multiple of
 * the one before (so every band of one level lies inside one band of the next:
 * without that, "20-29" would belong to two bands of the level above and the
 * levels would not form a tree); date levels are a subsequence of
 * month,quarter,year; region levels a subsequence of kecamatan,kabupaten for
 * desa columns and "kabupaten" for kecamatan columns; enum groups are
 * "NAME=V1/V2;NAME=V3" with unique non-empty names, members drawn from the
 * column's values, each value in at most one group, and no group named after a
 * value outside it. At most BK_HIERARCHY_LEVELS_MAX levels in all. A quasi
 * column with an empty hierarchy passes. */
bk_status bk_hierarchy_check(const struct bk_column *col) BK_MUST_CHECK;

/* bk_hierarchy_levels returns the number of levels of a quasi column,
 * counting level 0 (the value) and the top ("*"): 2 with no hierarchy, 5 for
 * bands "5,10,20", 3 for enum groups. 0 when the column is not quasi. Meant for
 * hierarchies that passed bk_hierarchy_check; for others it counts the parts. */
size_t bk_hierarchy_levels(const struct bk_column *col);

/* bk_hierarchy_label writes the label of value at level into out (cap bytes,
 * NUL-terminated). value is the stored form, NUL-terminated: the decimal
 * number for int and score columns, "YYYY-MM-DD" for dates, the Kemendagri
 * code for regions ("35.05.01.2001"), the canonical spelling for enums; ""
 * means missing. Level 0 copies value as is (not checked); the top level is
 * "*"; a missing value gives "" below the top. regions is needed only for
 * region columns at a level between 0 and the top, and must be the file the
 * values were imported with.
 *
 * Returns BK_OK; BK_ERR_USAGE when level is not below
 * bk_hierarchy_levels(col), when regions is NULL where needed, or when the
 * label does not fit in cap; BK_ERR_FORMAT when the hierarchy does not parse
 * or the value is not of the column's type (a region code not in regions, an
 * enum value not in the column). On failure out holds "" (when cap > 0). */
bk_status bk_hierarchy_label(const struct bk_column *col, const struct bk_regions *regions, size_t level,
			     const char *value, char *out, size_t cap) BK_MUST_CHECK;

#endif
