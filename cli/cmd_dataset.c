/* cmd_dataset.c - `brankas dataset list|show|add`. */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "vault/schema/dataset.h"
#include "vault/schema/datasets.h"

#define SCHEMA_FILE_MAX (256 * 1024)

static bk_status list_datasets(struct bk_vault *v)
{
	struct bk_dataset_info *list = NULL;
	size_t n = 0;
	bk_status rc;

	if ((rc = bk_vault_dataset_list(v, &list, &n)) == BK_OK) {
		printf("%-14s %10s %8s %7s  %s\n", "DATASET", "ROWS", "COLUMNS", "SEALED", "TITLE");
		for (size_t i = 0; i < n; i++)
			printf("%-14s %10lld %8zu %7zu  %s\n", list[i].name, list[i].rows, list[i].columns,
			       list[i].sealed_columns, list[i].title);
	}
	free(list);
	return rc;
}

int cmd_dataset_list(struct cli_ctx *ctx, int argc, char **argv)
{
	return cli_parse_run_vault(ctx, argc, argv, list_datasets);
}

struct show_args {
	const char *name;
	int template;
};

static bk_status run_show(struct cli_ctx *ctx, struct bk_vault *v, void *arg)
{
	struct show_args *a = arg;
	struct bk_dataset ds = {0};
	char *line = NULL;
	long long rows = 0;
	bk_status rc;

	(void)ctx;
	if ((rc = bk_vault_dataset_get(v, a->name, &ds, &rows)))
		goto out;
	if (a->template) {
		if ((rc = bk_dataset_template(&ds, &line)) == BK_OK)
			printf("%s\n", line);
		goto out;
	}
	printf("dataset    %s (%s)\nrows       %lld\n", ds.name, ds.title, rows);
	if (ds.retention_days)
		printf("retention  %u days\n", ds.retention_days);
	if (ds.scope_col >= 0)
		printf("scope      the kecamatan of column '%s'\n", ds.cols[ds.scope_col].name);
	printf("\n%-20s %-10s %-11s %-9s %s\n", "COLUMN", "TYPE", "CLASS", "REQUIRED", "DETAILS");
	for (size_t i = 0; i < ds.ncols; i++) {
		const struct bk_column *col = &ds.cols[i];
		char details[512] = "";
		size_t n = 0;

		if (col->cls == BK_COL_IDENTIFIER || col->cls == BK_COL_SECRET)
			n += (size_t)snprintf(details + n, sizeof(details) - n, "sealed; ");
		if (col->blind_index)
			n += (size_t)snprintf(details + n, sizeof(details) - n, "blind index; ");
		for (size_t j = 0; j < col->nvalues && n < sizeof(details); j++)
			n += (size_t)snprintf(details + n, sizeof(details) - n, "%s%s", j ? "|" : "values ", col->values[j]);
		if (col->hierarchy[0] && n < sizeof(details))
			n += (size_t)snprintf(details + n, sizeof(details) - n, "%shierarchy %s", n ? "; " : "",
					      col->hierarchy);
		while (n >= 2 && n < sizeof(details) && details[n - 2] == ';') /* drop a trailing "; " */
			details[n -= 2] = '\0';
		printf("%-20s %-10s %-11s %-9s %s\n", col->name, bk_coltype_name(col->type), bk_colclass_name(col->cls),
		       col->required ? "yes" : "no", details);
	}
out:
	free(line);
	bk_dataset_release(&ds);
	return rc;
}

int cmd_dataset_show(struct cli_ctx *ctx, int argc, char **argv)
{
	struct show_args a = {NULL, 0};
	const struct cli_option opts[] = {
		CLI_OPT_FLAG(0, "template", &a.template),
		CLI_OPT_END,
	};
	struct cli_args args = {.min = 1, .max = 1, .missing = "no dataset named", .extra = "unexpected argument"};
	int code;

	if ((code = cli_parse_options(ctx, argc, argv, opts, &args)) >= 0)
		return code;
	a.name = args.argv[0];
	return cli_run(ctx, run_show, &a);
}

static bk_status run_add(struct cli_ctx *ctx, struct bk_vault *v, void *arg)
{
	const struct cli_file *schema = arg;
	char name[BK_DATASET_NAME_MAX + 1];
	bk_status rc;

	(void)ctx;
	if ((rc = bk_vault_dataset_add(v, schema->path, (const char *)schema->text, schema->len, name)))
		return rc;
	printf("added dataset '%s'\n", name);
	return BK_OK;
}

int cmd_dataset_add(struct cli_ctx *ctx, int argc, char **argv)
{
	struct cli_file schema;
	struct bk_dataset probe;
	int code;
	bk_status rc;

	if ((code = cli_parse_file_operand(ctx, argc, argv, "no schema file given", SCHEMA_FILE_MAX, &schema)) >= 0)
		return code;
	/* the schema is checked before any passphrase is asked */
	if ((rc = bk_dataset_parse(&probe, schema.path, (const char *)schema.text, schema.len))) {
		free(schema.text);
		return cli_fail(rc);
	}
	bk_dataset_release(&probe);
	code = cli_run(ctx, run_add, &schema);
	free(schema.text);
	return code;
}
