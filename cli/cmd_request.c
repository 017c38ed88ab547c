/* cmd_request.c - `brankas request new|add|list|show|approve|deny` and
 * `brankas extract open`: the evaluator's request and the custodian's answer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fileio.h"
#include "cli/cli.h"
#include "crypto/identity.h"
#include "crypto/secmem.h"
#include "vault/release/dp.h"
#include "vault/release/extract.h"
#include "vault/release/request.h"
#include "vault/release/requests.h"

#define IDENTITY_MAX 65536
#define PUB_MAX 4096

enum {
	OPT_IDENTITY = OPT_FIRST_COMMAND_OPT,
	OPT_DATASET,
	OPT_COLUMNS,
	OPT_PURPOSE,
	OPT_LEGAL,
	OPT_K,
	OPT_L,
	OPT_LDIV,
	OPT_SENSITIVE,
	OPT_SUPPRESSION,
	OPT_PERIOD,
	OPT_TABLE,
	OPT_BY,
	OPT_MEASURE,
	OPT_MIN_CELL,
	OPT_EPSILON,
	OPT_REASON,
	OPT_VAULT_PUB,
};

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

static int parse_count(const struct cli_ctx *ctx, const char *arg, const char *what, unsigned lo, unsigned hi,
		       unsigned *out)
{
	char *end;
	unsigned long n = strtoul(arg, &end, 10);

	if (*arg < '0' || *arg > '9' || *end || n < lo || n > hi)
		return cli_usage(ctx, "%s must be a whole number from %u to %u", what, lo, hi);
	*out = (unsigned)n;
	return -1;
}

static int copy_text(const struct cli_ctx *ctx, const char *arg, const char *what, char *out, size_t cap)
{
	if (strlen(arg) >= cap)
		return cli_usage(ctx, "%s is longer than %zu bytes", what, cap - 1);
	memcpy(out, arg, strlen(arg) + 1);
	return -1;
}

int cmd_request_new(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_LONGOPTS,
		{"identity", required_argument, NULL, OPT_IDENTITY},
		{"dataset", required_argument, NULL, OPT_DATASET},
		{"columns", required_argument, NULL, OPT_COLUMNS},
		{"purpose", required_argument, NULL, OPT_PURPOSE},
		{"legal-basis", required_argument, NULL, OPT_LEGAL},
		{"k", required_argument, NULL, OPT_K},
		{"l", required_argument, NULL, OPT_L},
		{"ldiv", required_argument, NULL, OPT_LDIV},
		{"sensitive", required_argument, NULL, OPT_SENSITIVE},
		{"suppression", required_argument, NULL, OPT_SUPPRESSION},
		{"period", required_argument, NULL, OPT_PERIOD},
		{"table", no_argument, NULL, OPT_TABLE},
		{"by", required_argument, NULL, OPT_BY},
		{"measure", required_argument, NULL, OPT_MEASURE},
		{"min-cell", required_argument, NULL, OPT_MIN_CELL},
		{"epsilon", required_argument, NULL, OPT_EPSILON},
		{"output", required_argument, NULL, 'o'},
		{NULL, 0, NULL, 0},
	};
	struct bk_request *r = calloc(1, sizeof(*r));
	const char *identity = NULL, *out = NULL;
	uint8_t *idtext = NULL, *ed_sk = bk_secmem_alloc(64), *x_sk = bk_secmem_alloc(32);
	char *pass = NULL, *text = NULL;
	size_t idlen = 0, passlen = 0;
	int c, code = -1, have_k = 0, have_l = 0;
	bk_status rc = BK_OK;

	if (!r || !ed_sk || !x_sk) {
		rc = bk_fail(BK_ERR_NOMEM, "out of memory");
		goto done;
	}
	r->kind = BK_REQUEST_MICRODATA;
	r->min_cell = 5;
	optind = 0;
	while (code < 0 && (c = getopt_long(argc, argv, CLI_SHORTOPTS "o:", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_IDENTITY:
			identity = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case OPT_DATASET:
			code = copy_text(ctx, optarg, "--dataset", r->dataset, sizeof(r->dataset));
			break;
		case OPT_COLUMNS:
			code = split_names(ctx, optarg, "--columns", r->columns, BK_REQUEST_COLUMNS_MAX, &r->ncolumns);
			break;
		case OPT_PURPOSE:
			code = copy_text(ctx, optarg, "--purpose", r->purpose, sizeof(r->purpose));
			break;
		case OPT_LEGAL:
			code = copy_text(ctx, optarg, "--legal-basis", r->legal_basis, sizeof(r->legal_basis));
			break;
		case OPT_K:
			code = parse_count(ctx, optarg, "--k", 2, 1000, &r->k);
			have_k = 1;
			break;
		case OPT_L:
			code = parse_count(ctx, optarg, "--l", 2, 100, &r->l);
			have_l = 1;
			break;
		case OPT_LDIV:
			if (strcmp(optarg, "distinct") == 0)
				r->ldiv = BK_REQUEST_LDIV_DISTINCT;
			else if (strcmp(optarg, "entropy") == 0)
				r->ldiv = BK_REQUEST_LDIV_ENTROPY;
			else
				code = cli_usage(ctx, "--ldiv is distinct or entropy");
			break;
		case OPT_SENSITIVE:
			code = split_names(ctx, optarg, "--sensitive", r->sensitive, BK_REQUEST_SENSITIVE_MAX,
					   &r->nsensitive);
			break;
		case OPT_SUPPRESSION:
			if (bk_request_parse_suppression(optarg, &r->suppression_permille) != BK_OK)
				code = cli_usage(ctx, "%s", bk_error_detail());
			break;
		case OPT_PERIOD:
			if (bk_request_parse_period(optarg, r->period_from, r->period_to) != BK_OK)
				code = cli_usage(ctx, "%s", bk_error_detail());
			break;
		case OPT_TABLE:
			r->kind = BK_REQUEST_TABLE;
			break;
		case OPT_BY:
			code = split_names(ctx, optarg, "--by", r->by, BK_REQUEST_BY_MAX, &r->nby);
			break;
		case OPT_MEASURE:
			code = copy_text(ctx, optarg, "--measure", r->measure, sizeof(r->measure));
			break;
		case OPT_MIN_CELL:
			code = parse_count(ctx, optarg, "--min-cell", 1, 1000, &r->min_cell);
			break;
		case OPT_EPSILON: {
			uint64_t num, den;

			if (bk_dp_epsilon_parse(optarg, &num, &den) != BK_OK)
				code = cli_usage(ctx, "%s", bk_error_detail());
			else
				code = copy_text(ctx, optarg, "--epsilon", r->epsilon, sizeof(r->epsilon));
			break;
		}
		default:
			code = cli_common_option(ctx, c, argv);
		}
	}
	if (code >= 0)
		goto done;
	if (optind != argc) {
		code = cli_usage(ctx, "unexpected argument '%s'", argv[optind]);
		goto done;
	}
	if (!identity || !out || !r->dataset[0] || !r->purpose[0]) {
		code = cli_usage(ctx, "--identity, --dataset, --purpose and -o are required");
		goto done;
	}
	if (r->kind == BK_REQUEST_MICRODATA) {
		if (!have_k || !r->ncolumns || r->nby || r->measure[0] || r->epsilon[0]) {
			code = cli_usage(ctx, "an extract needs --columns and --k (--by, --measure and --epsilon are for "
					      "--table)");
			goto done;
		}
		if (have_l != (r->nsensitive > 0)) {
			code = cli_usage(ctx, "--l and --sensitive go together");
			goto done;
		}
		if (have_l && r->ldiv == BK_REQUEST_LDIV_NONE)
			r->ldiv = BK_REQUEST_LDIV_DISTINCT;
	} else {
		if (have_k || have_l || r->nsensitive || !r->nby) {
			code = cli_usage(ctx, "a table needs --by (and --measure; --k, --l are for extracts)");
			goto done;
		}
		if (!r->measure[0])
			snprintf(r->measure, sizeof(r->measure), "count");
	}
	if ((rc = bk_file_read(identity, IDENTITY_MAX, &idtext, &idlen)) ||
	    (rc = bk_identity_public(identity, (const char *)idtext, idlen, r->evaluator)) ||
	    (rc = cli_passphrase(ctx->pass_fd, "passphrase of the identity: ", 0, &pass, &passlen)) ||
	    (rc = bk_identity_open(identity, (const char *)idtext, idlen, pass, passlen, ed_sk, x_sk)) ||
	    (rc = bk_request_sign(r, ed_sk, &text)) || (rc = bk_file_create_exclusive(out, text, strlen(text), 0644)))
		goto done;
	fprintf(stderr, "brankas: request %s written to '%s'; send it to the vault's custodian\n", r->id, out);
	code = -2; /* done: stdout still to be flushed */
done:
	bk_secmem_free(pass);
	bk_secmem_free(ed_sk);
	bk_secmem_free(x_sk);
	free(idtext);
	free(text);
	free(r);
	if (rc)
		return cli_fail(rc);
	return code == -2 ? cli_finish(CLI_EXIT_OK) : code;
}

int cmd_request_add(struct cli_ctx *ctx, int argc, char **argv)
{
	struct bk_vault *v = NULL;
	uint8_t *text = NULL;
	size_t len = 0;
	long long number = 0;
	int code;
	bk_status rc;

	if ((code = cli_parse_common(ctx, argc, argv)) >= 0)
		return code;
	if (optind + 1 != argc)
		return cli_usage(ctx, optind >= argc ? "no request file given" : "unexpected argument");
	if ((rc = bk_file_read(argv[optind], BK_REQUEST_MAX + 1, &text, &len)) || (rc = cli_unlock(ctx, &v)) ||
	    (rc = bk_vault_request_add(v, argv[optind], (const char *)text, len, &number)))
		goto out;
	printf("%lld\n", number);
	fprintf(stderr, "brankas: request %lld added; 'brankas request show %lld' previews what would leave\n", number,
		number);
out:
	free(text);
	bk_vault_close(v);
	return rc ? cli_fail(rc) : cli_finish(CLI_EXIT_OK);
}

int cmd_request_list(struct cli_ctx *ctx, int argc, char **argv)
{
	struct bk_request_info *list = NULL;
	struct bk_vault *v = NULL;
	size_t n = 0;
	int code;
	bk_status rc;

	if ((code = cli_parse_common(ctx, argc, argv)) >= 0)
		return code;
	if (optind != argc)
		return cli_usage(ctx, "unexpected argument '%s'", argv[optind]);
	if ((rc = cli_unlock(ctx, &v)) || (rc = bk_vault_request_list(v, &list, &n)))
		goto out;
	printf("%4s  %-9s %-12s %-12s %-10s %-20s %s\n", "N", "STATUS", "EVALUATOR", "DATASET", "KIND", "ADDED",
	       "APPROVERS");
	for (size_t i = 0; i < n; i++)
		printf("%4lld  %-9s %-12s %-12s %-10s %-20s %s\n", list[i].number, list[i].status, list[i].evaluator,
		       list[i].dataset, list[i].kind, list[i].added, list[i].approvers[0] ? list[i].approvers : "-");
out:
	free(list);
	bk_vault_close(v);
	return rc ? cli_fail(rc) : cli_finish(CLI_EXIT_OK);
}

static int parse_number(const struct cli_ctx *ctx, int argc, char **argv, long long *n_p)
{
	char *end;

	if (optind + 1 != argc)
		return cli_usage(ctx, optind >= argc ? "no request number given" : "unexpected argument");
	*n_p = strtoll(argv[optind], &end, 10);
	if (argv[optind][0] < '1' || argv[optind][0] > '9' || *end)
		return cli_usage(ctx, "'%s' is not a request number", argv[optind]);
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

int cmd_request_show(struct cli_ctx *ctx, int argc, char **argv)
{
	struct bk_request_info info;
	struct bk_request *r = calloc(1, sizeof(*r));
	struct bk_extract_summary *s = calloc(1, sizeof(*s));
	struct bk_vault *v = NULL;
	long long number = 0;
	int code;
	bk_status rc;

	if (!r || !s) {
		rc = bk_fail(BK_ERR_NOMEM, "out of memory");
		goto out;
	}
	if ((code = cli_parse_common(ctx, argc, argv)) >= 0 || (code = parse_number(ctx, argc, argv, &number)) >= 0) {
		free(r);
		free(s);
		return code;
	}
	if ((rc = cli_unlock(ctx, &v)) || (rc = bk_vault_request_show(v, number, &info, r, s)))
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
	bk_vault_close(v);
	return rc ? cli_fail(rc) : cli_finish(CLI_EXIT_OK);
}

int cmd_request_approve(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_LONGOPTS,
		{"output", required_argument, NULL, 'o'},
		{NULL, 0, NULL, 0},
	};
	struct bk_extract_summary *s = calloc(1, sizeof(*s));
	struct bk_vault *v = NULL;
	const char *dir = NULL;
	long long number = 0;
	int c, code = -1, released = 0;
	bk_status rc = BK_OK;

	if (!s)
		return cli_fail(bk_fail(BK_ERR_NOMEM, "out of memory"));
	optind = 0;
	while (code < 0 && (c = getopt_long(argc, argv, CLI_SHORTOPTS "o:", longopts, NULL)) != -1) {
		if (c == 'o')
			dir = optarg;
		else
			code = cli_common_option(ctx, c, argv);
	}
	if (code < 0)
		code = parse_number(ctx, argc, argv, &number);
	if (code < 0 && !dir)
		code = cli_usage(ctx, "-o DIR is required");
	if (code >= 0) {
		free(s);
		return code;
	}
	if ((rc = cli_unlock(ctx, &v)) || (rc = bk_vault_request_approve(v, number, dir, s, &released)))
		goto out;
	if (!released) {
		printf("approval recorded; request %lld needs another approver\n", number);
		goto out;
	}
	print_summary(s);
	printf("\nextract written to '%s'\n", dir);
out:
	free(s);
	bk_vault_close(v);
	return rc ? cli_fail(rc) : cli_finish(CLI_EXIT_OK);
}

int cmd_request_deny(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_LONGOPTS,
		{"reason", required_argument, NULL, OPT_REASON},
		{NULL, 0, NULL, 0},
	};
	struct bk_vault *v = NULL;
	const char *reason = NULL;
	long long number = 0;
	int c, code = -1;
	bk_status rc;

	optind = 0;
	while (code < 0 && (c = getopt_long(argc, argv, CLI_SHORTOPTS, longopts, NULL)) != -1) {
		if (c == OPT_REASON)
			reason = optarg;
		else
			code = cli_common_option(ctx, c, argv);
	}
	if (code < 0)
		code = parse_number(ctx, argc, argv, &number);
	if (code < 0 && (!reason || !reason[0] || strlen(reason) > 1000))
		code = cli_usage(ctx, "--reason TEXT is required (at most 1000 bytes)");
	if (code >= 0)
		return code;
	if ((rc = cli_unlock(ctx, &v)) || (rc = bk_vault_request_deny(v, number, reason)))
		goto out;
	printf("request %lld denied\n", number);
out:
	bk_vault_close(v);
	return rc ? cli_fail(rc) : cli_finish(CLI_EXIT_OK);
}

int cmd_extract_open(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_LONGOPTS,
		{"identity", required_argument, NULL, OPT_IDENTITY},
		{"vault-pub", required_argument, NULL, OPT_VAULT_PUB},
		{"output", required_argument, NULL, 'o'},
		{NULL, 0, NULL, 0},
	};
	const char *identity = NULL, *pubfile = NULL, *out = NULL;
	uint8_t *idtext = NULL, *pub = NULL, *ed_sk = bk_secmem_alloc(64), *x_sk = bk_secmem_alloc(32);
	char *pass = NULL, *manifest = NULL;
	size_t idlen = 0, publen = 0, passlen = 0;
	int c, code = -1;
	bk_status rc = BK_OK;

	optind = 0;
	while (code < 0 && (c = getopt_long(argc, argv, CLI_SHORTOPTS "o:", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_IDENTITY:
			identity = optarg;
			break;
		case OPT_VAULT_PUB:
			pubfile = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		default:
			code = cli_common_option(ctx, c, argv);
		}
	}
	if (code < 0 && optind + 1 != argc)
		code = cli_usage(ctx, optind >= argc ? "no extract directory given" : "unexpected argument");
	if (code < 0 && (!identity || !pubfile || !out))
		code = cli_usage(ctx, "--identity, --vault-pub and -o are required");
	if (code >= 0)
		goto done;
	if (!ed_sk || !x_sk) {
		rc = bk_fail(BK_ERR_NOMEM, "out of guarded memory");
		goto done;
	}
	if ((rc = bk_file_read(pubfile, PUB_MAX, &pub, &publen)) ||
	    (rc = bk_file_read(identity, IDENTITY_MAX, &idtext, &idlen)) ||
	    (rc = cli_passphrase(ctx->pass_fd, "passphrase of the identity: ", 0, &pass, &passlen)) ||
	    (rc = bk_identity_open(identity, (const char *)idtext, idlen, pass, passlen, ed_sk, x_sk)) ||
	    (rc = bk_extract_open(argv[optind], (const char *)pub, publen, x_sk, out, &manifest)))
		goto done;
	fprintf(stderr, "brankas: signature and hashes verified; data written to '%s'\n", out);
	code = -2; /* done: stdout still to be flushed */
done:
	bk_secmem_free(pass);
	bk_secmem_free(ed_sk);
	bk_secmem_free(x_sk);
	free(idtext);
	free(pub);
	free(manifest);
	if (rc)
		return cli_fail(rc);
	return code == -2 ? cli_finish(CLI_EXIT_OK) : code;
}
