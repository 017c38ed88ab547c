/* output.c - result tables as aligned text, CSV or JSON. */
#include "cli/output.h"

#include <string.h>

#include "vault/schema/validate.h"

static const char *cell_text(const json_t *v, char *buf, size_t cap, size_t *len_p)
{
	const char *s = buf;

	if (json_is_string(v)) {
		*len_p = json_string_length(v);
		return json_string_value(v);
	}
	if (json_is_integer(v))
		snprintf(buf, cap, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, cap, "%.6g", json_real_value(v));
	else if (json_is_true(v) || json_is_false(v))
		snprintf(buf, cap, "%s", json_is_true(v) ? "true" : "false");
	else
		buf[0] = '\0';
	*len_p = strlen(buf);
	return s;
}

void cli_csv_cell(FILE *out, const char *s, size_t len)
{
	int formula = bk_validate_formula_like(s, len);
	int quote = formula || memchr(s, ',', len) || memchr(s, '"', len) || memchr(s, '\n', len) ||
		    memchr(s, '\r', len);

	if (!quote) {
		fwrite(s, 1, len, out);
		return;
	}
	fputc('"', out);
	if (formula)
		fputc('\'', out); /* stays text when opened in a spreadsheet */
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '"')
			fputc('"', out);
		fputc(s[i], out);
	}
	fputc('"', out);
}

/* Terminal cells: control characters never reach the terminal as such. */
static void text_cell(FILE *out, const char *s, size_t len, size_t width)
{
	size_t shown = 0;

	for (size_t i = 0; i < len; i++, shown++)
		fputc((unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i], out);
	for (; shown < width; shown++)
		fputc(' ', out);
}

int cli_print_json(FILE *out, const json_t *j)
{
	int rc = json_dumpf(j, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	fputc('\n', out);
	return rc;
}

void cli_print_table(FILE *out, const json_t *columns, const json_t *rows, enum cli_format fmt)
{
	size_t ncols = json_array_size(columns), r, c;
	char buf[64];
	size_t len;
	json_t *row;

	if (fmt == CLI_FORMAT_JSON) {
		json_t *objs = json_array();

		json_array_foreach(rows, r, row) {
			json_t *o = json_object();

			for (c = 0; c < ncols; c++)
				json_object_set(o, json_string_value(json_array_get(columns, c)), json_array_get(row, c));
			json_array_append_new(objs, o);
		}
		cli_print_json(out, objs);
		json_decref(objs);
		return;
	}
	if (fmt == CLI_FORMAT_CSV) {
		for (c = 0; c < ncols; c++) {
			const char *name = json_string_value(json_array_get(columns, c));

			if (c)
				fputc(',', out);
			cli_csv_cell(out, name, strlen(name));
		}
		fputs("\r\n", out);
		json_array_foreach(rows, r, row) {
			for (c = 0; c < ncols; c++) {
				const char *s = cell_text(json_array_get(row, c), buf, sizeof(buf), &len);

				if (c)
					fputc(',', out);
				cli_csv_cell(out, s, len);
			}
			fputs("\r\n", out);
		}
		return;
	}
	{
		size_t width[256] = {0};

		if (ncols > 256)
			ncols = 256;
		for (c = 0; c < ncols; c++)
			width[c] = strlen(json_string_value(json_array_get(columns, c)));
		json_array_foreach(rows, r, row)
			for (c = 0; c < ncols; c++) {
				cell_text(json_array_get(row, c), buf, sizeof(buf), &len);
				if (len > width[c])
					width[c] = len > 60 ? 60 : len;
			}
		for (c = 0; c < ncols; c++) {
			const char *name = json_string_value(json_array_get(columns, c));

			text_cell(out, name, strlen(name), c + 1 < ncols ? width[c] + 2 : 0);
		}
		fputc('\n', out);
		json_array_foreach(rows, r, row) {
			for (c = 0; c < ncols; c++) {
				const char *s = cell_text(json_array_get(row, c), buf, sizeof(buf), &len);

				text_cell(out, s, len > 60 ? 60 : len, c + 1 < ncols ? width[c] + 2 : 0);
			}
			fputc('\n', out);
		}
	}
}
