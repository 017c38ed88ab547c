/* text.c - edit distance for suggestions. */
#include "base/text.h"

#include <stdint.h>
#include <string.h>

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

size_t bk_edit_distance(const char *a, size_t la, const char *b, size_t lb)
{
	size_t prev[BK_EDIT_DISTANCE_MAX + 1], cur[BK_EDIT_DISTANCE_MAX + 1];

	if (la > BK_EDIT_DISTANCE_MAX || lb > BK_EDIT_DISTANCE_MAX)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t best = prev[j - 1] + (lower(a[i - 1]) != lower(b[j - 1]));

			if (prev[j] + 1 < best)
				best = prev[j] + 1;
			if (cur[j - 1] + 1 < best)
				best = cur[j - 1] + 1;
			cur[j] = best;
		}
		memcpy(prev, cur, sizeof(size_t) * (lb + 1));
	}
	return prev[lb];
}
