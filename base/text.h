/* text.h - small text helpers shared by the layers above. */
#ifndef BK_TEXT_H
#define BK_TEXT_H

#include <stddef.h>

#define BK_EDIT_DISTANCE_MAX 96

/* bk_edit_distance is the Levenshtein distance of a[0..la) and b[0..lb),
 * ASCII case-insensitive, for "did you mean" hints; SIZE_MAX when either is
 * longer than BK_EDIT_DISTANCE_MAX bytes. */
size_t bk_edit_distance(const char *a, size_t la, const char *b, size_t lb);

#endif
