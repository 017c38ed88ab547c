/* cmd_status.c - `brankas status`: what a custodian or auditor checks first. */
#include <jansson.h>
#include <stdio.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "cli/output.h"
#include "crypto/encoding.h"

static json_t *status_json(const char *dir, const struct bk_vault_status *st, const char *head_hex)
{
	json_t *users = json_object(), *keys = json_object(), *o;

	for (int r = 0; r < BK_ROLE_COUNT; r++)
		json_object_set_new(users, bk_role_name((enum bk_role)r), json_integer((json_int_t)st->users_by_role[r]));
	json_object_set_new(users, "disabled", json_integer((json_int_t)st->users_disabled));
	for (int k = 0; k < BK_KEY_KIND_COUNT; k++)
		json_object_set_new(keys, bk_key_kind_name((enum bk_key_kind)k), json_integer(st->key_versions[k]));
	o = json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:I, s:I}, s:o, s:o, s:I, s:s, s:{s:I, s:s}, s:s}", "vault",
			 dir, "vault_id", st->vault_id, "created", st->created, "sqlcipher", st->cipher_version,
			 "regions", "kabupaten", st->kabupaten, "kecamatan", (json_int_t)st->kecamatan, "desa",
			 (json_int_t)st->desa, "users", users, "key_versions", keys, "keyring_generation",
			 (json_int_t)st->keyring_generation, "release_key_id", st->release_key_id, "audit_head", "seq",
			 (json_int_t)st->audit_head.seq, "hash", head_hex, "integrity", "ok");
	if (o && st->retired_release_ids[0])
		json_object_set_new(o, "retired_release_key_ids", json_string(st->retired_release_ids));
	if (o && (st->rotating[0] || st->reseal_pending))
		json_object_set_new(o, "rotations", json_pack("{s:s, s:I}", "under_way", st->rotating, "reseal_pending",
							      (json_int_t)st->reseal_pending));
	if (o)
		json_object_set_new(o, "stores", json_pack("{s:I, s:I}", "keys", (json_int_t)st->store_keys, "attached",
							   (json_int_t)st->stores_attached));
	return o;
}

static bk_status run_status(struct cli_ctx *ctx, struct bk_vault *v, void *arg)
{
	const enum cli_format fmt = *(const enum cli_format *)arg;
	struct bk_vault_status st;
	char head[BK_HEX_LEN(BK_AUDIT_HASHBYTES)];
	const char *dir = NULL;
	bk_status rc;

	if ((rc = cli_vault_dir(ctx, &dir)) || (rc = bk_vault_status(v, &st)))
		return rc;
	bk_hex_encode(head, st.audit_head.hash, sizeof(st.audit_head.hash));
	if (fmt == CLI_FORMAT_JSON) {
		json_t *j = status_json(dir, &st, head);

		if (!j || cli_print_json(stdout, j) != 0)
			rc = bk_fail(BK_ERR_NOMEM, "cannot format the status");
		json_decref(j);
		return rc;
	}
	printf("vault          %s\n", dir);
	printf("vault id       %s\n", st.vault_id);
	printf("created        %s\n", st.created);
	printf("encryption     SQLCipher %s, raw 256-bit key, 4096-byte pages\n", st.cipher_version);
	printf("regions        %s: %zu kecamatan, %zu desa/kelurahan\n", st.kabupaten, st.kecamatan, st.desa);
	printf("users         ");
	for (int r = 0; r < BK_ROLE_COUNT; r++)
		printf(" %s %zu%s", bk_role_name((enum bk_role)r), st.users_by_role[r], r + 1 < BK_ROLE_COUNT ? "," : "");
	printf("; disabled %zu\n", st.users_disabled);
	printf("keys          ");
	for (int k = 0; k < BK_KEY_KIND_COUNT; k++)
		printf(" %s v%u%s", bk_key_kind_name((enum bk_key_kind)k), st.key_versions[k],
		       k + 1 < BK_KEY_KIND_COUNT ? "," : "");
	printf(" (%zu kecamatan keys)\n", st.kecamatan_keys);
	printf("stores         %zu of %zu kecamatan stores attached with your keys (kec/)\n", st.stores_attached,
	       st.store_keys);
	printf("release key    minisign key id %s (vault.pub)", st.release_key_id);
	if (st.retired_release_ids[0])
		printf("; retired by rotation: %s", st.retired_release_ids);
	putchar('\n');
	printf("keyring        generation %llu, signature ok\n", (unsigned long long)st.keyring_generation);
	if (st.rotating[0])
		printf("rotation       under way for kecamatan %s: an admin runs the same 'key rotate' again to "
		       "finish it\n",
		       st.rotating);
	if (st.reseal_pending)
		printf("reencrypt      the values of %zu kecamatan are still to be sealed again: an admin runs the same "
		       "'key rotate ... --reencrypt' again\n",
		       st.reseal_pending);
	printf("audit head     seq %llu, hash %s\n", (unsigned long long)st.audit_head.seq, head);
	printf("integrity      ok (keyring signature, database key, pinned audit head, every page of vault.db; "
	       "'brankas check' reads the stores too)\n");
	return BK_OK;
}

int cmd_status(struct cli_ctx *ctx, int argc, char **argv)
{
	return cli_parse_run_format(ctx, argc, argv, run_status);
}
