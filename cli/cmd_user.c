/* cmd_user.c - `brankas user add|list|disable|passwd`. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "crypto/secmem.h"

enum { OPT_ROLE = OPT_FIRST_COMMAND_OPT, OPT_SCOPE, OPT_PUBKEY, OPT_KDF, OPT_FORMAT };

/* Splits "a,b,c" in place into at most max parts. */
static size_t split_commas(char *s, const char **parts, size_t max)
{
	size_t n = 0;

	for (char *tok = strtok(s, ","); tok; tok = strtok(NULL, ",")) {
		if (n == max)
			return max + 1;
		parts[n++] = tok;
	}
	return n;
}

int cmd_user_add(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_LONGOPTS,
		{"role", required_argument, NULL, OPT_ROLE},
		{"scope", required_argument, NULL, OPT_SCOPE},
		{"pubkey", required_argument, NULL, OPT_PUBKEY},
		{"kdf", required_argument, NULL, OPT_KDF},
		{NULL, 0, NULL, 0},
	};
	struct bk_vault_user_spec spec = {0};
	const char *role = NULL, *scope[BK_SCOPE_MAX];
	char *scope_arg = NULL, *pass = NULL, prompt[96];
	struct bk_vault *v = NULL;
	int c, code = -1;
	bk_status rc = BK_OK;

	spec.kdf = BK_KDF_MODERATE;
	optind = 0;
	while ((c = getopt_long(argc, argv, CLI_SHORTOPTS, longopts, NULL)) != -1) {
		switch (c) {
		case OPT_ROLE:
			role = optarg;
			break;
		case OPT_SCOPE:
			scope_arg = optarg;
			break;
		case OPT_PUBKEY:
			spec.public_id = optarg;
			break;
		case OPT_KDF:
			if ((rc = cli_parse_kdf(optarg, &spec.kdf)))
				return cli_usage(ctx, "%s", bk_error_detail());
			break;
		default:
			if ((code = cli_common_option(ctx, c, argv)) >= 0)
				return code;
		}
	}
	if (optind >= argc)
		return cli_usage(ctx, "no user name given");
	spec.name = argv[optind++];
	if (optind < argc)
		return cli_usage(ctx, "unexpected argument '%s'", argv[optind]);
	if (!role)
		return cli_usage(ctx, "--role is required");
	if (bk_role_parse(role, &spec.role) != BK_OK)
		return cli_fail(BK_ERR_USAGE);
	if (!bk_vault_user_name_ok(spec.name))
		return cli_usage(ctx, "invalid user name (1 to 32 of a-z, 0-9, '.', '_', '-')");
	if (spec.role == BK_ROLE_EVALUATOR && !spec.public_id)
		return cli_usage(ctx, "an evaluator needs --pubkey ID (from 'brankas identity new')");
	if (scope_arg) {
		spec.scope = scope;
		spec.nscope = split_commas(scope_arg, scope, BK_SCOPE_MAX);
		if (spec.nscope == 0 || spec.nscope > BK_SCOPE_MAX)
			return cli_usage(ctx, "--scope needs 1 to %d kecamatan", BK_SCOPE_MAX);
	}
	if ((rc = cli_unlock(ctx, &v)))
		goto out;
	if (spec.role != BK_ROLE_EVALUATOR) {
		/* ask only once the admin is known to be allowed */
		if ((rc = bk_vault_require(v, BK_ACT_USER_ADMIN, NULL, BK_COL_NONE, NULL)))
			goto out;
		snprintf(prompt, sizeof(prompt), "new passphrase for %s: ", spec.name);
		if ((rc = cli_passphrase(ctx->new_pass_fd, prompt, 1, &pass, &spec.passlen)))
			goto out;
		spec.pass = pass;
	}
	if ((rc = bk_vault_user_add(v, &spec)))
		goto out;
	printf("added %s '%s'\n", bk_role_name(spec.role), spec.name);
out:
	bk_secmem_free(pass);
	bk_vault_close(v);
	return rc ? cli_fail(rc) : cli_finish(CLI_EXIT_OK);
}

static void scope_text(const struct bk_keyring_user *u, const struct bk_regions *r, char *out, size_t cap)
{
	size_t n = 0;

	out[0] = '\0';
	if (u->nscope == 0) {
		snprintf(out, cap, "%s", strcmp(u->role, "evaluator") == 0 || strcmp(u->role, "auditor") == 0 ? "-" : "all");
		return;
	}
	for (size_t i = 0; i < u->nscope && n < cap; i++) {
		const struct bk_region *kec = bk_regions_find(r, BK_REGION_KECAMATAN, u->scope[i]);

		n += (size_t)snprintf(out + n, cap - n, "%s%s", i ? "," : "", kec ? kec->nama : u->scope[i]);
	}
}

int cmd_user_list(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_LONGOPTS,
		{"format", required_argument, NULL, OPT_FORMAT},
		{NULL, 0, NULL, 0},
	};
	enum cli_format fmt = CLI_FORMAT_TABLE;
	struct bk_vault *v = NULL;
	const struct bk_keyring *kr;
	json_t *arr = NULL;
	char scope[1024];
	int c, code;
	bk_status rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, CLI_SHORTOPTS, longopts, NULL)) != -1) {
		switch (c) {
		case OPT_FORMAT:
			if ((rc = cli_parse_format(optarg, &fmt)) || fmt == CLI_FORMAT_CSV)
				return cli_usage(ctx, "--format takes table or json");
			break;
		default:
			if ((code = cli_common_option(ctx, c, argv)) >= 0)
				return code;
		}
	}
	if (optind != argc)
		return cli_usage(ctx, "unexpected argument '%s'", argv[optind]);
	if ((rc = cli_unlock(ctx, &v)) || (rc = bk_vault_require(v, BK_ACT_USER_ADMIN, NULL, BK_COL_NONE, NULL)) ||
	    (rc = bk_vault_record(v, "user-list", NULL)))
		goto out;
	kr = bk_vault_keyring(v);
	if (fmt == CLI_FORMAT_JSON)
		arr = json_array();
	else
		printf("%-20s %-10s %-9s %-20s %s\n", "NAME", "ROLE", "STATE", "CREATED", "SCOPE");
	for (size_t i = 0; i < kr->nusers; i++) {
		const struct bk_keyring_user *u = &kr->users[i];

		scope_text(u, bk_vault_regions(v), scope, sizeof(scope));
		if (arr)
			json_array_append_new(arr, json_pack("{s:s, s:s, s:b, s:s, s:s}", "name", u->name, "role", u->role,
							     "disabled", u->disabled, "created", u->created, "scope", scope));
		else
			printf("%-20s %-10s %-9s %-20s %s\n", u->name, u->role, u->disabled ? "disabled" : "active",
			       u->created, scope);
	}
	if (arr) {
		json_dumpf(arr, stdout, JSON_INDENT(2));
		putchar('\n');
	}
out:
	json_decref(arr);
	bk_vault_close(v);
	return rc ? cli_fail(rc) : cli_finish(CLI_EXIT_OK);
}

int cmd_user_disable(struct cli_ctx *ctx, int argc, char **argv)
{
	struct bk_vault *v = NULL;
	const char *name;
	int code;
	bk_status rc;

	if ((code = cli_parse_common(ctx, argc, argv)) >= 0)
		return code;
	if (optind >= argc)
		return cli_usage(ctx, "no user name given");
	name = argv[optind++];
	if (optind < argc)
		return cli_usage(ctx, "unexpected argument '%s'", argv[optind]);
	if ((rc = cli_unlock(ctx, &v)) || (rc = bk_vault_user_disable(v, name)))
		goto out;
	printf("disabled '%s' and revoked their grants\n", name);
out:
	bk_vault_close(v);
	return rc ? cli_fail(rc) : cli_finish(CLI_EXIT_OK);
}

int cmd_user_passwd(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_LONGOPTS,
		{"kdf", required_argument, NULL, OPT_KDF},
		{NULL, 0, NULL, 0},
	};
	enum bk_kdf_level kdf = BK_KDF_MODERATE;
	struct bk_vault *v = NULL;
	char *pass = NULL;
	size_t len = 0;
	int c, code;
	bk_status rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, CLI_SHORTOPTS, longopts, NULL)) != -1) {
		switch (c) {
		case OPT_KDF:
			if ((rc = cli_parse_kdf(optarg, &kdf)))
				return cli_usage(ctx, "%s", bk_error_detail());
			break;
		default:
			if ((code = cli_common_option(ctx, c, argv)) >= 0)
				return code;
		}
	}
	if (optind != argc)
		return cli_usage(ctx, "unexpected argument '%s'", argv[optind]);
	if ((rc = cli_unlock(ctx, &v)) || (rc = cli_passphrase(ctx->new_pass_fd, "new passphrase: ", 1, &pass, &len)) ||
	    (rc = bk_vault_user_passwd(v, pass, len, kdf)))
		goto out;
	printf("passphrase of '%s' changed\n", bk_vault_me(v)->name);
out:
	bk_secmem_free(pass);
	bk_vault_close(v);
	return rc ? cli_fail(rc) : cli_finish(CLI_EXIT_OK);
}
