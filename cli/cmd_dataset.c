/* cmd_dataset.c - `brankas dataset list|show|add`. */
#include <stdio.h>
#include <stdlib.h>

#include "base/fileio.h"
#include "cli/cli.h"
#include "vault/schema/dataset.h"
#include "vault/schema/datasets.h"

#define SCHEMA_FILE_MAX (256 * 1024)

enum { OPT_TEMPLATE = OPT_FIRST_COMMAND_OPT };

int cmd_dataset_list(struct cli_ctx *ctx, int argc, char **argv)
{
	struct bk_dataset_info *list = NULL;
	struct bk_vault *v = NULL;
	size_t n = 0;
	int code;
	bk_status rc;

	if ((code = cli_parse_common(ctx, argc, argv)) >= 0)
		return code;
	if (optind != argc)
		return cli_usage(ctx, "unexpected argument '%s'", argv[optind]);
	if ((rc = cli_unlock(ctx, &v)) || (rc = bk_vault_dataset_list(v, &list, &n)))
		goto out;
	printf("%-14s %10s %8s %7s  %s\n", "DATASET", "ROWS", "COLUMNS", "SEALED", "TITLE");
	for (size_t i = 0; i < n; i++)
		printf("%-14s %10lld %8zu %7zu  %s\n", list[i].name, list[i].rows, list[i].columns,
		       list[i].sealed_columns, list[i].title);
out:
	free(list);
	bk_vault_close(v);
	return rc ? cli_fail(rc) : cli_finish(CLI_EXIT_OK);
}

int cmd_dataset_show(struct cli_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_LONGOPTS,
		{"template", no_argument, NULL, OPT_TEMPLATE},
		{NULL, 0, NULL, 0},
	};
	struct bk_dataset ds = {0};
	struct bk_vault *v = NULL;
	char *line = NULL;
	long long rows = 0;
	int c, code, template = 0;
	bk_status rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, CLI_SHORTOPTS, longopts, NULL)) != -1) {
		if (c == OPT_TEMPLATE)
			template = 1;
		else if ((code = cli_common_option(ctx, c, argv)) >= 0)
			return code;
	}
	if (optind + 1 != argc)
		return cli_usage(ctx, optind >= argc ? "no dataset named" : "unexpected argument");
	if ((rc = cli_unlock(ctx, &v)) || (rc = bk_vault_dataset_get(v, argv[optind], &ds, &rows)))
		goto out;
	if (template) {
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
	bk_vault_close(v);
	return rc ? cli_fail(rc) : cli_finish(CLI_EXIT_OK);
}

int cmd_dataset_add(struct cli_ctx *ctx, int argc, char **argv)
{
	struct bk_vault *v = NULL;
	uint8_t *text = NULL;
	size_t len = 0;
	char name[BK_DATASET_NAME_MAX + 1];
	int code;
	bk_status rc;

	if ((code = cli_parse_common(ctx, argc, argv)) >= 0)
		return code;
	if (optind + 1 != argc)
		return cli_usage(ctx, optind >= argc ? "no schema file given" : "unexpected argument");
	/* the schema is checked before any passphrase is asked */
	if ((rc = bk_file_read(argv[optind], SCHEMA_FILE_MAX, &text, &len)))
		goto out;
	{
		struct bk_dataset probe;

		if ((rc = bk_dataset_parse(&probe, argv[optind], (const char *)text, len)))
			goto out;
		bk_dataset_release(&probe);
	}
	if ((rc = cli_unlock(ctx, &v)) ||
	    (rc = bk_vault_dataset_add(v, argv[optind], (const char *)text, len, name)))
		goto out;
	printf("added dataset '%s'\n", name);
out:
	free(text);
	bk_vault_close(v);
	return rc ? cli_fail(rc) : cli_finish(CLI_EXIT_OK);
}
