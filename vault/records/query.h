/* query.h - authorized read-only SQL over the datasets.
 *
 * The user's SQL runs on the vault's connection with:
 *   - one TEMP VIEW per dataset, named like the dataset, holding only the rows
 *     of the user's kecamatan scope; its identifier and secret columns hold a
 *     handle ("warga:17:nik"), never the value or the ciphertext;
 *   - sqlite3_set_authorizer denying everything but SELECT over those views
 *     and a whitelist of functions: no writes, PRAGMA, ATTACH, sqlite_master,
 *     base tables, ciphertext or blind-index columns, load_extension — checked
 *     by SQLite on every table and column the statement touches, so
 *     subqueries, CTEs and joins cannot reach around it;
 *   - reveal(handle), which opens one sealed value for users who may reveal in
 *     that row's kecamatan and hold its key, and counts it.
 * Before SQLite sees the SQL, its tokens (vault/records/sql_scan.h) are checked:
 * no base table or SQLite schema spelled in any quoting, 'strings' included,
 * and no WITH clause named like a view (SQLite authorizes a CTE's reads in
 * the CTE's name, as it does a view's). A statement runs under a time bound
 * (a progress handler). A query that reveals needs a purpose. Every query
 * past the scope check leaves one audit entry whatever its outcome (SQL with
 * literals replaced by '?', a keyed hash of the full text, the row count and
 * the number of values reveal() opened, failed statements included), durable
 * before any row is returned; error messages never repeat the SQL or a
 * reveal() argument. */
#ifndef BK_QUERY_H
#define BK_QUERY_H

#include <jansson.h>

#include "base/error.h"

struct bk_vault;

/* The time a statement may run: seconds 0 means the default. */
#define BK_QUERY_SECONDS_DEFAULT 120u
#define BK_QUERY_SECONDS_MAX 3600u

/* bk_vault_query runs one SELECT for at most seconds (0: the default) and
 * returns {"columns": [names], "rows": [[values]], "revealed": N} in
 * *result_p (caller decrefs). BK_ERR_DENIED when the statement reaches
 * anything the user may not read or runs past its time; BK_ERR_USAGE for a
 * statement that does not parse, is not one SELECT or lacks the purpose it
 * needs. Every outcome is audited. */
bk_status bk_vault_query(struct bk_vault *v, const char *sql, const char *purpose, unsigned seconds,
			 json_t **result_p) BK_MUST_CHECK;

/* bk_query_normalize writes sql with string, number and blob literals
 * replaced by '?' and comments removed (malloc'd), for the audit log. */
bk_status bk_query_normalize(const char *sql, char **out_p) BK_MUST_CHECK;

#endif
