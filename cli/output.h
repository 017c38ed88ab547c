/* output.h - printing result tables: aligned text, CSV (RFC 4180, safe to open
 * in a spreadsheet) and JSON. */
#ifndef BK_CLI_OUTPUT_H
#define BK_CLI_OUTPUT_H

#include <jansson.h>
#include <stdio.h>

#include "cli/cli.h"

/* cli_print_table prints columns (array of names) and rows (array of arrays
 * of JSON scalars) to out in the format. CSV cells that a spreadsheet would
 * take for a formula (= + - @ tab CR first) are quoted and prefixed with '. */
void cli_print_table(FILE *out, const json_t *columns, const json_t *rows, enum cli_format fmt);

/* cli_print_json prints j to out, indented by two in its keys' order, and a
 * newline. Returns 0, or -1 when jansson could not write it. */
int cli_print_json(FILE *out, const json_t *j);

/* cli_csv_cell writes one CSV cell (no separator). */
void cli_csv_cell(FILE *out, const char *s, size_t len);

#endif
