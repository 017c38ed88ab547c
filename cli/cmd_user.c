/* cmd_user.c - `brankas user add|list|disable|passwd`. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "cli/output.h"
#include "crypto/secmem.h"

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

struct add_args {
	struct bk_vault_user_spec spec;
	const char *scope[BK_SCOPE_MAX];
};

static bk_status run_add(struct cli_ctx *ctx, struct bk_vault *v, void *arg)
{
	struct add_args *a = arg;
	char *pass = NULL, prompt[96];
	bk_status rc = BK_OK;

	if (a->spec.role != BK_ROLE_EVALUATOR) {
		/* ask only once the admin is known to be allowed */
		if ((rc = bk_vault_require(v, BK_ACT_USER_ADMIN, NULL, BK_COL_NONE, NULL)))
			goto out;
		snprintf(prompt, sizeof(prompt), "new passphrase for %s: ", a->spec.name);
		if ((rc = cli_passphrase(ctx->new_pass_fd, prompt, 1, &pass, &a->spec.passlen)))
			goto out;
		a->spec.pass = pass;
	}
	if ((rc = bk_vault_user_add(v, &a->spec)))
		goto out;
	printf("added %s '%s'\n", bk_role_name(a->spec.role), a->spec.name);
out:
	bk_secmem_free(pass);
	return rc;
}

int cmd_user_add(struct cli_ctx *ctx, int argc, char **argv)
{
	struct add_args a = {0};
	const char *role = NULL, *scope_arg = NULL;
	const struct cli_option opts[] = {
		CLI_OPT_STRING(0, "role", &role, "ROLE"),
		CLI_OPT_STRING(0, "scope", &scope_arg, "KEC,..."),
		CLI_OPT_STRING(0, "pubkey", &a.spec.public_id, "AGE1ID"),
		CLI_OPT_FN(0, "kdf", cli_option_kdf, &a.spec.kdf, "LEVEL"),
		CLI_OPT_END,
	};
	struct cli_args args = {.min = 1, .max = 1, .missing = "no user name given"};
	int code;

	a.spec.kdf = BK_KDF_MODERATE;
	if ((code = cli_parse_options(ctx, argc, argv, opts, &args)) >= 0)
		return code;
	a.spec.name = args.argv[0];
	if (!role)
		return cli_usage(ctx, "--role is required");
	if (bk_role_parse(role, &a.spec.role) != BK_OK)
		return cli_fail(BK_ERR_USAGE);
	if (!bk_vault_user_name_ok(a.spec.name))
		return cli_usage(ctx, "invalid user name (1 to 32 of a-z, 0-9, '.', '_', '-')");
	if (a.spec.role == BK_ROLE_EVALUATOR && !a.spec.public_id)
		return cli_usage(ctx, "an evaluator needs --pubkey ID (from 'brankas identity new')");
	if (scope_arg) {
		/* split in place: the argument is the process's own argv */
		a.spec.scope = a.scope;
		a.spec.nscope = split_commas((char *)scope_arg, a.scope, BK_SCOPE_MAX);
		if (a.spec.nscope == 0 || a.spec.nscope > BK_SCOPE_MAX)
			return cli_usage(ctx, "--scope needs 1 to %d kecamatan", BK_SCOPE_MAX);
	}
	return cli_run(ctx, run_add, &a);
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

static bk_status run_list(struct cli_ctx *ctx, struct bk_vault *v, void *arg)
{
	const enum cli_format fmt = *(const enum cli_format *)arg;
	const struct bk_keyring *kr;
	json_t *arr = NULL;
	char scope[1024];
	bk_status rc;

	(void)ctx;
	if ((rc = bk_vault_require(v, BK_ACT_USER_ADMIN, NULL, BK_COL_NONE, NULL)) ||
	    (rc = bk_vault_record(v, "user-list", NULL)))
		return rc;
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
	if (arr)
		cli_print_json(stdout, arr);
	json_decref(arr);
	return BK_OK;
}

int cmd_user_list(struct cli_ctx *ctx, int argc, char **argv)
{
	return cli_parse_run_format(ctx, argc, argv, run_list);
}

static bk_status run_disable(struct cli_ctx *ctx, struct bk_vault *v, void *arg)
{
	const struct bk_keyring *kr = bk_vault_keyring(v);
	const char *name = arg;
	static const struct {
		const char *prefix, *option;
	} rotations[] = {{"db:", "--db"},
			 {"release:", "--signing"},
			 {"audit:", "--audit"},
			 {"kecamatan:", "--region KECAMATAN"},
			 {"store:", "--region KECAMATAN"},
			 {"blind:", "--region KECAMATAN"}};
	char held[1024], rotate[96] = "";
	size_t n = 0, r = 0;
	bk_status rc;

	(void)ctx;
	/* what an old copy of the keyring still opens for them, named before it
	 * goes, and the rotations that retire those keys */
	held[0] = '\0';
	for (size_t i = 0; i < kr->ngrants && n < sizeof(held); i++) {
		const char *id = kr->grants[i].key_id;
		size_t k;

		if (strcmp(kr->grants[i].user, name) != 0)
			continue;
		n += (size_t)snprintf(held + n, sizeof(held) - n, "%s%s", n ? ", " : "", id);
		for (k = 0; k < sizeof(rotations) / sizeof(rotations[0]); k++)
			if (strncmp(id, rotations[k].prefix, strlen(rotations[k].prefix)) == 0)
				break;
		if (k < sizeof(rotations) / sizeof(rotations[0]) && !strstr(rotate, rotations[k].option))
			r += (size_t)snprintf(rotate + r, sizeof(rotate) - r, " %s", rotations[k].option);
	}
	if ((rc = bk_vault_user_disable(v, name)))
		return rc;
	printf("disabled '%s' and revoked their grants\n", name);
	if (held[0]) {
		fprintf(stderr,
			"brankas: note: with an old copy of the keyring and their passphrase, '%s' still opens what these "
			"keys open: %s\n",
			name, held);
		if (rotate[0])
			fprintf(stderr, "brankas: retire them with 'brankas key rotate OPTION', one at a time:%s\n",
				rotate);
	}
	return BK_OK;
}

int cmd_user_disable(struct cli_ctx *ctx, int argc, char **argv)
{
	struct cli_args args = {.min = 1, .max = 1, .missing = "no user name given"};
	int code;

	if ((code = cli_parse_options(ctx, argc, argv, NULL, &args)) >= 0)
		return code;
	return cli_run(ctx, run_disable, args.argv[0]);
}

static bk_status run_passwd(struct cli_ctx *ctx, struct bk_vault *v, void *arg)
{
	const enum bk_kdf_level kdf = *(const enum bk_kdf_level *)arg;
	char *pass = NULL;
	size_t len = 0;
	bk_status rc;

	if ((rc = cli_passphrase(ctx->new_pass_fd, "new passphrase: ", 1, &pass, &len)) ||
	    (rc = bk_vault_user_passwd(v, pass, len, kdf)))
		goto out;
	printf("passphrase of '%s' changed\n", bk_vault_me(v)->name);
out:
	bk_secmem_free(pass);
	return rc;
}

int cmd_user_passwd(struct cli_ctx *ctx, int argc, char **argv)
{
	enum bk_kdf_level kdf = BK_KDF_MODERATE;
	const struct cli_option opts[] = {
		CLI_OPT_FN(0, "kdf", cli_option_kdf, &kdf, "LEVEL"),
		CLI_OPT_END,
	};

	return cli_parse_run(ctx, argc, argv, opts, run_passwd, &kdf);
}

struct reset {
	const char *name;
	enum bk_kdf_level kdf;
	int enable_only;
};

static bk_status run_reset(struct cli_ctx *ctx, struct bk_vault *v, void *arg)
{
	const struct reset *r = arg;
	char prompt[96], *pass = NULL;
	size_t len = 0;
	bk_status rc;

	snprintf(prompt, sizeof(prompt), "one-time passphrase for %.32s: ", r->name);
	if ((rc = cli_passphrase(ctx->new_pass_fd, prompt, 1, &pass, &len)) ||
	    (rc = bk_vault_user_reset(v, r->name, pass, len, r->kdf, r->enable_only)))
		goto out;
	printf("'%s' has new keys and a one-time passphrase%s\n", r->name, r->enable_only ? ", enabled again" : "");
	fprintf(stderr, "brankas: give it to %s in person; it opens only 'brankas -u %s user passwd', which sets "
			"their own\n",
		r->name, r->name);
out:
	bk_secmem_free(pass);
	return rc;
}

static int parse_reset(struct cli_ctx *ctx, int argc, char **argv, int enable_only)
{
	struct reset r = {NULL, BK_KDF_MODERATE, enable_only};
	const struct cli_option opts[] = {
		CLI_OPT_FN(0, "kdf", cli_option_kdf, &r.kdf, "LEVEL"),
		CLI_OPT_END,
	};
	struct cli_args args = {.min = 1, .max = 1, .missing = "no user name given"};
	int code;

	if ((code = cli_parse_options(ctx, argc, argv, opts, &args)) >= 0)
		return code;
	r.name = args.argv[0];
	return cli_run(ctx, run_reset, &r);
}

int cmd_user_reset(struct cli_ctx *ctx, int argc, char **argv)
{
	return parse_reset(ctx, argc, argv, 0);
}

int cmd_user_enable(struct cli_ctx *ctx, int argc, char **argv)
{
	return parse_reset(ctx, argc, argv, 1);
}
