/* ROOM vault/records - citizen rows in and out: import, record add/show/edit,
 * subject rights and NIK lookups, authorized queries (query.h, sql_scan.h).
 * May call base/, crypto/, vault/core/ and vault/schema/.
 *
 * records.h - reading one record back, with its sealed values opened for users
 * who hold the kecamatan's key and may reveal (admin, custodian in scope). */
#ifndef BK_RECORDS_H
#define BK_RECORDS_H

#include <jansson.h>
#include <stdint.h>

#include "base/error.h"

struct bk_vault;

/* bk_vault_record_show returns the row as a JSON object (*row_p, caller
 * decrefs): id, kecamatan, every column. Identifier and secret values are
 * opened only when reveal is set: that needs a purpose (stated, audited),
 * BK_ACT_REVEAL for the row's kecamatan, and the kecamatan key (key
 * possession); without reveal they show as "(sealed)". The audit entry is
 * durable before anything is returned. BK_ERR_CORRUPT when the sealed values
 * do not open (altered, or moved from another row). */
bk_status bk_vault_record_show(struct bk_vault *v, const char *dataset, int64_t id, int reveal, const char *purpose,
			       json_t **row_p) BK_MUST_CHECK;

#endif
