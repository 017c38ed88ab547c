/* cmd_request.c - `brankas request new|add|list|show|approve|deny` and
 * `brankas extract open`: the evaluator's request and the custodian's answer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"
#include "cli/cli.h"
#include "cli/options.h"
#include "crypto/secmem.h"
#include "vault/release/dp.h"
#include "vault/release/extract.h"
#include "vault/release/request.h"
#include "vault/release/requests.h"

#define PUB_MAX 4096

/* Splits "a,b,c" into names; usage error on a bad or surplus name. */

static int split_names(const struct cli_ctx *ctx, const char *arg, const char *what, char (*out)[33], size_t cap,
		       size_t *n_p)
{
	const char *p = arg;

	*n_p = 0;
	while (*p) {
		size_t n = strcspn(p, ",");

		if (*n_p == cap)
			return cli_usage(ctx, "%s: at most %zu columns", what, cap);
		if (n == 0 || n > 32)
			return cli_usage(ctx, "%s: empty or overlong column name", what);
		memcpy(out[*n_p], p, n);
		out[*n_p][n] = '\0';
		if (!bk_request_name_ok(out[*n_p]))
			return cli_usage(ctx, "%s: '%s' is not a column name", what, out[*n_p]);
		(*n_p)++;
		p += n;
		if (*p == ',')
			p++;
	}
	return *n_p ? -1 : cli_usage(ctx, "%s: no columns given", what);
}

static int copy_text(const struct cli_ctx *ctx, const char *arg, const char *what, char *out, size_t cap)
{
	if (strlen(arg) >= cap)
		return cli_usage(ctx, "%s is longer than %zu bytes", what, cap - 1);
	memcpy(out, arg, strlen(arg) + 1);
	return -1;
}

/* The value of a CLI_OPT_FN text option: where it is copied. */
struct text_field {
	const char *what;
	char *out;
	size_t cap;
};

static int option_text(struct cli_ctx *ctx, const char *arg, void *value)
{
	const struct text_field *f = value;

	return copy_text(ctx, arg, f->what, f->out, f->cap);
}

/* The value of a CLI_OPT_FN list of column names. */
struct name_list {
	const char *what;
	char (*out)[33];
	size_t cap, *n_p;
};

static int option_names(struct cli_ctx *ctx, const char *arg, void *value)
{
	const struct name_list *l = value;

	return split_names(ctx, arg, l->what, l->out, l->cap, l->n_p);
}

static int option_ldiv(struct cli_ctx *ctx, const char *arg, void *value)
{
	struct bk_request *r = value;

	if (strcmp(arg, "distinct") == 0)
		r->ldiv = BK_REQUEST_LDIV_DISTINCT;
	else if (strcmp(arg, "entropy") == 0)
		r->ldiv = BK_REQUEST_LDIV_ENTROPY;
	else
		return cli_usage(ctx, "--ldiv is distinct or entropy");
	return -1;
}

static int option_suppression(struct cli_ctx *ctx, const char *arg, void *value)
{
	struct bk_request *r = value;

	if (bk_request_parse_suppression(arg, &r->suppression_permille) != BK_OK)
		return cli_usage(ctx, "%s", bk_error_detail());
	return -1;
}

static int option_period(struct cli_ctx *ctx, const char *arg, void *value)
{
	struct bk_request *r = value;

	if (bk_request_parse_period(arg, r->period_from, r->period_to) != BK_OK)
		return cli_usage(ctx, "%s", bk_error_detail());
	return -1;
}

static int option_epsilon(struct cli_ctx *ctx, const char *arg, void *value)
{
	struct bk_request *r = value;
	uint64_t num, den;

	if (bk_dp_epsilon_parse(arg, &num, &den) != BK_OK)
		return cli_usage(ctx, "%s", bk_error_detail());
	return copy_text(ctx, arg, "--epsilon", r->epsilon, sizeof(r->epsilon));
}

/* Parses and checks `request new`'s options into r: -1 to go on, or an exit code. */
static int parse_new(struct cli_ctx *ctx, int argc, char **argv, struct bk_request *r, const char **identity,
		     const char **out)
{
	struct text_field dataset = {"--dataset", r->dataset, sizeof(r->dataset)},
			  purpose = {"--purpose", r->purpose, sizeof(r->purpose)},
			  legal = {"--legal-basis", r->legal_basis, sizeof(r->legal_basis)},
			  measure = {"--measure", r->measure, sizeof(r->measure)};
	struct name_list columns = {"--columns", r->columns, BK_REQUEST_COLUMNS_MAX, &r->ncolumns},
			 sensitive = {"--sensitive", r->sensitive, BK_REQUEST_SENSITIVE_MAX, &r->nsensitive},
			 by = {"--by", r->by, BK_REQUEST_BY_MAX, &r->nby};
	int table = 0, code;
	const struct cli_option opts[] = {
		CLI_OPT_STRING(0, "identity", identity, "FILE"),
		CLI_OPT_FN(0, "dataset", option_text, &dataset, "NAME"),
		CLI_OPT_FN(0, "columns", option_names, &columns, "COL,..."),
		CLI_OPT_FN(0, "purpose", option_text, &purpose, "TEXT"),
		CLI_OPT_FN(0, "legal-basis", option_text, &legal, "TEXT"),
		CLI_OPT_UINT(0, "k", &r->k, 2, 1000, "K", "--k must be a whole number from 2 to 1000"),
		CLI_OPT_UINT(0, "l", &r->l, 2, 100, "L", "--l must be a whole number from 2 to 100"),
		CLI_OPT_FN(0, "ldiv", option_ldiv, r, "distinct|entropy"),
		CLI_OPT_FN(0, "sensitive", option_names, &sensitive, "COL,..."),
		CLI_OPT_FN(0, "suppression", option_suppression, r, "PERCENT"),
		CLI_OPT_FN(0, "period", option_period, r, "FROM..TO"),
		CLI_OPT_FLAG(0, "table", &table),
		CLI_OPT_FN(0, "by", option_names, &by, "COL,..."),
		CLI_OPT_FN(0, "measure", option_text, &measure, "MEASURE"),
		CLI_OPT_UINT(0, "min-cell", &r->min_cell, 1, 1000, "N", "--min-cell must be a whole number from 1 to 1000"),
		CLI_OPT_FN(0, "epsilon", option_epsilon, r, "EPSILON"),
		CLI_OPT_STRING('o', "output", out, "FILE"),
		CLI_OPT_END,
	};

	r->kind = BK_REQUEST_MICRODATA;
	r->min_cell = 5;
	if ((code = cli_parse_options(ctx, argc, argv, opts, NULL)) >= 0)
		return code;
	if (table)
		r->kind = BK_REQUEST_TABLE;
	if (!*identity || !*out || !r->dataset[0] || !r->purpose[0])
		return cli_usage(ctx, "--identity, --dataset, --purpose and -o are required");
	if (r->kind == BK_REQUEST_MICRODATA) {
		if (!r->k || !r->ncolumns || r->nby || r->measure[0] || r->epsilon[0])
			return cli_usage(ctx, "an extract needs --columns and --k (--by, --measure and --epsilon are for "
					      "--table)");
		if ((r->l != 0) != (r->nsensitive > 0))
			return cli_usage(ctx, "--l and --sensitive go together");
		if (r->l && r->ldiv == BK_REQUEST_LDIV_NONE)
			r->ldiv = BK_REQUEST_LDIV_DISTINCT;
	} else {
		if (r->k || r->l || r->nsensitive || !r->nby)
			return cli_usage(ctx, "a table needs --by (and --measure; --k, --l are for extracts)");
		if (!r->measure[0])
			snprintf(r->measure, sizeof(r->measure), "count");
	}
	return -1;
}

int cmd_request_new(struct cli_ctx *ctx, int argc, char **argv)
{
	struct bk_request *r = calloc(1, sizeof(*r));
	const char *identity = NULL, *out = NULL;
	struct cli_identity_keys *keys = NULL;
	char *text = NULL;
	int code = -1;
	bk_status rc = BK_OK;

	if (!r) {
		rc = bk_fail(BK_ERR_NOMEM, "out of memory");
		goto done;
	}
	if ((code = parse_new(ctx, argc, argv, r, &identity, &out)) >= 0)
		goto done;
	if ((rc = cli_identity_unlock(ctx, identity, r->evaluator, &keys)) ||
	    (rc = bk_request_sign(r, keys->ed_sk, &text)) || (rc = bk_file_create_exclusive(out, text, strlen(text), 0644)))
		goto done;
	fprintf(stderr, "brankas: request %s written to '%s'; send it to the vault's custodian\n", r->id, out);
	code = -2; /* done: stdout still to be flushed */
done:
	bk_secmem_free(keys);
	free(text);
	free(r);
	if (rc)
		return cli_fail(rc);
	return code == -2 ? cli_finish(CLI_EXIT_OK) : code;
}

static bk_status run_add(struct cli_ctx *ctx, struct bk_vault *v, void *arg)
{
	const struct cli_file *request = arg;
	long long number = 0;
	bk_status rc;

	(void)ctx;
	if ((rc = bk_vault_request_add(v, request->path, (const char *)request->text, request->len, &number)))
		return rc;
	printf("%lld\n", number);
	fprintf(stderr, "brankas: request %lld added; 'brankas request show %lld' previews what would leave\n", number,
		number);
	return BK_OK;
}

int cmd_request_add(struct cli_ctx *ctx, int argc, char **argv)
{
	struct cli_file request;
	int code;

	if ((code = cli_parse_file_operand(ctx, argc, argv, "no request file given", BK_REQUEST_MAX + 1, &request)) >= 0)
		return code;
	code = cli_run(ctx, run_add, &request);
	free(request.text);
	return code;
}

static bk_status list_requests(struct bk_vault *v)
{
	struct bk_request_info *list = NULL;
	size_t n = 0;
	bk_status rc;

	if ((rc = bk_vault_request_list(v, &list, &n)) == BK_OK) {
		printf("%4s  %-9s %-12s %-12s %-10s %-20s %s\n", "N", "STATUS", "EVALUATOR", "DATASET", "KIND",
		       "ADDED", "APPROVERS");
		for (size_t i = 0; i < n; i++)
			printf("%4lld  %-9s %-12s %-12s %-10s %-20s %s\n", list[i].number, list[i].status,
			       list[i].evaluator, list[i].dataset, list[i].kind, list[i].added,
			       list[i].approvers[0] ? list[i].approvers : "-");
	}
	free(list);
	return rc;
}

int cmd_request_list(struct cli_ctx *ctx, int argc, char **argv)
{
	return cli_parse_run_vault(ctx, argc, argv, list_requests);
}

/* Parses the options and the request number N, the one operand of show,
 * approve and deny: -1 to go on, or an exit code. */
static int parse_number(struct cli_ctx *ctx, int argc, char **argv, const struct cli_option *opts, long long *n_p)
{
	struct cli_args args = {.min = 1, .max = 1, .missing = "no request number given", .extra = "unexpected argument"};
	char *end;
	int code;

	if ((code = cli_parse_options(ctx, argc, argv, opts, &args)) >= 0)
		return code;
	*n_p = strtoll(args.argv[0], &end, 10);
	if (args.argv[0][0] < '1' || args.argv[0][0] > '9' || *end)
		return cli_usage(ctx, "'%s' is not a request number", args.argv[0]);
	return -1;
}

static void print_summary(const struct bk_extract_summary *s)
{
	printf("\n%-20s %-10s %s\n", "COLUMN", "CLASS", "RELEASED AS");
	for (size_t c = 0; c < s->ncols; c++) {
		const struct bk_extract_column *ec = &s->cols[c];

		if (strcmp(ec->cls, "quasi") == 0 && s->found)
			printf("%-20s %-10s %s (level %zu of %zu)\n", ec->name, ec->cls, ec->level_name, ec->level,
			       ec->nlevels - 1);
		else if (strcmp(ec->cls, "pseudonym") == 0)
			printf("%-20s %-10s %s\n", ec->name, ec->cls, "keyed hash made for this extract");
		else
			printf("%-20s %-10s %s\n", ec->name, ec->cls, "as stored");
	}
	printf("\nrows in dataset      %zu\n", s->rows_total);
	if (s->kind == BK_REQUEST_MICRODATA && s->rows_total == 0) {
		printf("result               no rows match the request: nothing to release\n");
		return;
	}
	if (!s->found) {
		printf("result               no generalization satisfies the model (%zu of %zu lattice nodes checked)\n",
		       s->nodes_checked, s->nodes_total);
		return;
	}
	printf("rows released        %zu\nrows suppressed      %zu\n", s->rows_released, s->rows_suppressed);
	if (s->kind == BK_REQUEST_MICRODATA) {
		printf("classes              %zu (smallest %zu)\n", s->classes, s->smallest_class);
		printf("prosecutor risk      highest %.4f, average %.4f\n", s->risk_max, s->risk_avg);
		printf("rows in classes < 10 %.2f%%\n", 100.0 * s->share_at_risk);
		printf("information loss     %.4f\n", s->loss);
		printf("lattice              %zu nodes, %zu checked\n", s->nodes_total, s->nodes_checked);
	} else {
		printf("cells                %zu (%zu suppressed, %zu of them complementary)\n", s->cells,
		       s->cells_primary + s->cells_complementary, s->cells_complementary);
		if (s->epsilon[0])
			printf("epsilon              %s\n", s->epsilon);
	}
}

static bk_status run_show(struct cli_ctx *ctx, struct bk_vault *v, void *arg)
{
	const long long number = *(const long long *)arg;
	struct bk_request_info info;
	struct bk_request *r = calloc(1, sizeof(*r));
	struct bk_extract_summary *s = calloc(1, sizeof(*s));
	bk_status rc;

	(void)ctx;
	if (!r || !s) {
		rc = bk_fail(BK_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = bk_vault_request_show(v, number, &info, r, s)))
		goto out;
	printf("request    %lld (%s), %s\n", info.number, info.id, info.status);
	printf("evaluator  %s\ndataset    %s\nkind       %s\npurpose    %s\n", info.evaluator, info.dataset, info.kind,
	       r->purpose);
	if (r->legal_basis[0])
		printf("legal      %s\n", r->legal_basis);
	if (r->period_from[0])
		printf("period     %s..%s\n", r->period_from, r->period_to);
	if (r->kind == BK_REQUEST_MICRODATA) {
		char supp[8];

		bk_request_suppression_text(r->suppression_permille, supp);
		printf("model      k=%u", r->k);
		if (r->ldiv != BK_REQUEST_LDIV_NONE)
			printf(", %s l=%u on %zu column(s)", r->ldiv == BK_REQUEST_LDIV_ENTROPY ? "entropy" : "distinct",
			       r->l, r->nsensitive);
		printf(", suppression up to %s%%\n", supp);
	} else {
		printf("model      table of %s, minimum cell %u%s%s\n", r->measure, r->min_cell,
		       r->epsilon[0] ? ", epsilon " : "", r->epsilon);
	}
	print_summary(s);
	printf("\n(dry run: nothing has left the vault)\n");
out:
	free(r);
	free(s);
	return rc;
}

int cmd_request_show(struct cli_ctx *ctx, int argc, char **argv)
{
	long long number = 0;
	int code;

	if ((code = parse_number(ctx, argc, argv, NULL, &number)) >= 0)
		return code;
	return cli_run(ctx, run_show, &number);
}

/* A custodian's decision on request number: approve writes the extract to
 * dir, deny records reason. */
struct decision_args {
	long long number;
	const char *dir;    /* approve's -o */
	const char *reason; /* deny's --reason */
};

static bk_status run_approve(struct cli_ctx *ctx, struct bk_vault *v, void *arg)
{
	const struct decision_args *a = arg;
	struct bk_extract_summary *s = calloc(1, sizeof(*s));
	int released = 0;
	bk_status rc;

	(void)ctx;
	if (!s)
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	if ((rc = bk_vault_request_approve(v, a->number, a->dir, s, &released)))
		goto out;
	if (!released) {
		printf("approval recorded; request %lld needs another approver\n", a->number);
		goto out;
	}
	if (released == 2) { /* its approval was interrupted before the files were in place */
		printf("request %lld was approved already: its extract is now in place in '%s'\n", a->number, a->dir);
		goto out;
	}
	print_summary(s);
	printf("\nextract written to '%s'\n", a->dir);
out:
	free(s);
	return rc;
}

int cmd_request_approve(struct cli_ctx *ctx, int argc, char **argv)
{
	struct decision_args a = {0, NULL, NULL};
	const struct cli_option opts[] = {
		CLI_OPT_STRING('o', "output", &a.dir, "DIR"),
		CLI_OPT_END,
	};
	int code;

	if ((code = parse_number(ctx, argc, argv, opts, &a.number)) >= 0)
		return code;
	if (!a.dir)
		return cli_usage(ctx, "-o DIR is required");
	return cli_run(ctx, run_approve, &a);
}

static bk_status run_deny(struct cli_ctx *ctx, struct bk_vault *v, void *arg)
{
	const struct decision_args *a = arg;
	bk_status rc;

	(void)ctx;
	if ((rc = bk_vault_request_deny(v, a->number, a->reason)))
		return rc;
	printf("request %lld denied\n", a->number);
	return BK_OK;
}

int cmd_request_deny(struct cli_ctx *ctx, int argc, char **argv)
{
	struct decision_args a = {0, NULL, NULL};
	const struct cli_option opts[] = {
		CLI_OPT_STRING(0, "reason", &a.reason, "TEXT"),
		CLI_OPT_END,
	};
	int code;

	if ((code = parse_number(ctx, argc, argv, opts, &a.number)) >= 0)
		return code;
	if (!a.reason || !a.reason[0] || strlen(a.reason) > 1000)
		return cli_usage(ctx, "--reason TEXT is required (at most 1000 bytes)");
	return cli_run(ctx, run_deny, &a);
}

/* No vault: an evaluator opens what was made for them with their own identity. */
int cmd_extract_open(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *identity = NULL, *pubfile = NULL, *out = NULL;
	const struct cli_option opts[] = {
		CLI_OPT_STRING(0, "identity", &identity, "FILE"),
		CLI_OPT_STRING(0, "vault-pub", &pubfile, "FILE"),
		CLI_OPT_STRING('o', "output", &out, "OUT.csv"),
		CLI_OPT_END,
	};
	struct cli_args args = {
		.min = 1, .max = 1, .missing = "no extract directory given", .extra = "unexpected argument"};
	struct cli_identity_keys *keys = NULL;
	uint8_t *pub = NULL;
	char *manifest = NULL;
	size_t publen = 0;
	int code;
	bk_status rc = BK_OK;

	if ((code = cli_parse_options(ctx, argc, argv, opts, &args)) >= 0)
		return code;
	if (!identity || !pubfile || !out)
		return cli_usage(ctx, "--identity, --vault-pub and -o are required");
	if ((rc = bk_file_read(pubfile, PUB_MAX, &pub, &publen)) ||
	    (rc = cli_identity_unlock(ctx, identity, NULL, &keys)) ||
	    (rc = bk_extract_open(args.argv[0], (const char *)pub, publen, keys->x_sk, out, &manifest)))
		goto done;
	fprintf(stderr, "brankas: signature and hashes verified; data written to '%s'\n", out);
done:
	bk_secmem_free(keys);
	free(pub);
	free(manifest);
	return rc ? cli_fail(rc) : cli_finish(CLI_EXIT_OK);
}
