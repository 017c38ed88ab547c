/* cmd_report.c - `brankas report ikm|coverage|adoption`: the aggregate
 * reports of vault/monev/ as an aligned table, CSV (RFC 4180,
 * formula-injection safe) or JSON. The vault computes, suppresses and audits; this file only lays
 * out what it was given. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "cli/output.h"
#include "vault/monev/adoption.h"
#include "vault/monev/complaints.h"
#include "vault/monev/report.h"

#define NAME_WIDTH 32 /* names are cut to this many characters in a table */
#define COLS_MAX 32
#define TREND_COLS_MAX 24 /* periods a table shows; CSV and JSON show them all */

/* --- a grid of cells: the header row, then the data rows --- */

enum mode { MODE_TABLE, MODE_CSV };

struct grid {
	size_t ncols;
	char **cells;
	size_t n, cap;
	unsigned char right[COLS_MAX]; /* align right (numbers) */
};

static bk_status grid_put(struct grid *g, const char *s)
{
	if (g->n == g->cap) {
		size_t cap = g->cap ? 2 * g->cap : 256;
		char **cells = realloc(g->cells, cap * sizeof(*cells));

		if (!cells)
			return bk_fail(BK_ERR_NOMEM, "out of memory");
		g->cells = cells;
		g->cap = cap;
	}
	if (!(g->cells[g->n] = strdup(s)))
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	g->n++;
	return BK_OK;
}

BK_PRINTF(2, 3) static bk_status grid_putf(struct grid *g, const char *fmt, ...)
{
	char buf[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return grid_put(g, buf);
}

static void grid_free(struct grid *g)
{
	for (size_t i = 0; i < g->n; i++)
		free(g->cells[i]);
	free(g->cells);
	memset(g, 0, sizeof(*g));
}

/* The header: "csv_name/TABLE NAME" pairs, a leading '>' aligns right. */
static bk_status grid_head(struct grid *g, enum mode mode, const char *const *cols)
{
	bk_status rc = BK_OK;

	g->ncols = 0;
	for (size_t i = 0; cols[i] && rc == BK_OK; i++) {
		const char *c = cols[i], *slash;
		char name[64];

		if (g->ncols == COLS_MAX)
			return bk_fail(BK_ERR_STATE, "too many columns");
		g->right[g->ncols] = c[0] == '>';
		c += c[0] == '>';
		slash = strchr(c, '/');
		if (mode == MODE_CSV)
			snprintf(name, sizeof(name), "%.*s", slash ? (int)(slash - c) : (int)strlen(c), c);
		else
			snprintf(name, sizeof(name), "%s", slash ? slash + 1 : c);
		if (!name[0])
			continue; /* a column of one format only */
		g->ncols++;
		rc = grid_put(g, name);
	}
	return rc;
}

/* Characters (not bytes) of UTF-8 text, for alignment. */
static size_t text_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

/* A cell as a terminal may show it: control characters (an escape sequence
 * in a name) become '?', and long names are cut at a character boundary. */
static void table_cell(char *out, size_t cap, const char *s, size_t max_width)
{
	size_t n = 0, w = 0;

	for (; *s && n + 4 < cap; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch & 0xc0) != 0x80 && ++w > max_width) {
			memcpy(out + n - (n >= 3 ? 3 : n), "...", 3);
			break;
		}
		out[n++] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
	}
	out[n] = '\0';
}

static void grid_print_table(const struct grid *g, FILE *out)
{
	size_t width[COLS_MAX] = {0}, rows = g->ncols ? g->n / g->ncols : 0;
	char cell[4 * NAME_WIDTH + 8];

	for (size_t i = 0; i < g->n; i++) {
		size_t w;

		table_cell(cell, sizeof(cell), g->cells[i], NAME_WIDTH);
		w = text_width(cell);
		if (w > width[i % g->ncols])
			width[i % g->ncols] = w;
	}
	for (size_t r = 0; r < rows; r++) {
		for (size_t c = 0; c < g->ncols; c++) {
			size_t pad;

			table_cell(cell, sizeof(cell), g->cells[r * g->ncols + c], NAME_WIDTH);
			pad = width[c] - text_width(cell);
			if (g->right[c])
				fprintf(out, "%s%*s%s", c ? "  " : "", (int)pad, "", cell);
			else if (c + 1 < g->ncols)
				fprintf(out, "%s%s%*s", c ? "  " : "", cell, (int)pad, "");
			else
				fprintf(out, "%s%s", c ? "  " : "", cell); /* no trailing blanks */
		}
		fputc('\n', out);
	}
}

/* RFC 4180 with CRLF; formula-like cells quoted and prefixed with ' by
 * cli_csv_cell, the one rule every CSV of brankas follows (DESIGN §8). */
static void grid_print_csv(const struct grid *g, FILE *out)
{
	for (size_t i = 0; i < g->n; i++) {
		cli_csv_cell(out, g->cells[i], strlen(g->cells[i]));
		fputs((i + 1) % g->ncols ? "," : "\r\n", out);
	}
}

static void print_json(const json_t *root)
{
	char *text = json_dumps(root, JSON_INDENT(2) | JSON_REAL_PRECISION(15));

	if (text) {
		fputs(text, stdout);
		fputc('\n', stdout);
	}
	free(text);
}

/* --- options --- */

struct report_args {
	int by_set;
	enum bk_report_by by;
	int year;
	unsigned min_cell;
	enum cli_format format;
	const char *period; /* report ikm --period */
};

static int option_by(struct cli_ctx *ctx, const char *arg, void *value)
{
	struct report_args *a = value;

	if (bk_report_by_parse(arg, &a->by) != BK_OK)
		return cli_usage(ctx, "%s", bk_error_detail());
	a->by_set = 1;
	return -1;
}

/* Parses the options both reports share (and, given unreached, coverage's
 * --unreached); returns -1 to go on, or an exit code. */
static int parse_args(struct cli_ctx *ctx, int argc, char **argv, struct report_args *a, int *unreached)
{
	const struct cli_option opts[] = {
		CLI_OPT_FN(0, "by", option_by, a, "GROUP"),
		CLI_OPT_INT(0, "year", &a->year, 1900, 9999, "Y", NULL),
		CLI_OPT_UINT(0, "min-cell", &a->min_cell, 1, BK_REPORT_MIN_CELL_MAX, "N", NULL),
		CLI_OPT_FN(0, "format", cli_option_format, &a->format, "table|csv|json"),
		unreached ? (struct cli_option)CLI_OPT_FLAG(0, "unreached", unreached)
			  : (struct cli_option)CLI_OPT_STRING(0, "period", &a->period, "semester|year"),
		CLI_OPT_END,
	};


	memset(a, 0, sizeof(*a));
	a->by = BK_REPORT_BY_INOVASI;
	a->min_cell = BK_REPORT_MIN_CELL;
	a->format = CLI_FORMAT_TABLE;
	return cli_parse_options(ctx, argc, argv, opts, NULL);
}

/* --- report ikm --- */

static bk_status put_count(struct grid *g, int hidden, uint64_t v, enum mode mode)
{
	return hidden ? grid_put(g, mode == MODE_TABLE ? "x" : "") : grid_putf(g, "%llu", (unsigned long long)v);
}

static bk_status put_dec(struct grid *g, int shown, int hidden, uint64_t v, unsigned decimals, enum mode mode)
{
	char buf[32];

	if (shown)
		return grid_put(g, bk_report_decimal(buf, sizeof(buf), v, decimals));
	return grid_put(g, mode == MODE_CSV ? "" : hidden ? "x" : "-");
}

static bk_status put_text(struct grid *g, int shown, int hidden, const char *s, enum mode mode)
{
	return grid_put(g, shown ? s : mode == MODE_CSV ? "" : hidden ? "x" : "-");
}

static bk_status ikm_row(struct grid *g, const struct bk_report_ikm *r, const struct bk_report_ikm_group *x, int total,
			 enum mode mode)
{
	const struct bk_ikm_score *s9 = &x->ikm9, *s10 = &x->ikm10;
	const char *total_label = mode == MODE_TABLE ? "TOTAL" : "total";
	int hid = x->suppressed, hid10 = x->ikm10_suppressed;
	char mutu[2] = "";
	bk_status rc = BK_OK;

	if (r->by == BK_REPORT_BY_UNIT) {
		rc = grid_put(g, total ? total_label : x->nama);
	} else if ((rc = grid_put(g, total ? total_label : x->kode)) == BK_OK) {
		rc = grid_put(g, total ? "" : x->nama);
	}
	if (rc == BK_OK && mode == MODE_CSV)
		rc = grid_put(g, hid ? "true" : "false");
	if (rc == BK_OK)
		rc = put_count(g, hid, x->sums.respondents, mode);
	for (int i = 0; i < BK_IKM_UNSUR_NATIONAL && rc == BK_OK; i++)
		rc = put_dec(g, s9->valid, hid, s9->nrr_milli[i], 3, mode);
	mutu[0] = s9->mutu;
	if (rc == BK_OK && (rc = put_dec(g, s9->valid, hid, s9->ikm_e4, 4, mode)) == BK_OK &&
	    (rc = put_dec(g, s9->valid, hid, s9->converted_cents, 2, mode)) == BK_OK &&
	    (rc = put_text(g, s9->valid, hid, mutu, mode)) == BK_OK)
		rc = put_text(g, s9->valid, hid, s9->kinerja, mode);
	if (rc == BK_OK && mode == MODE_CSV)
		rc = put_count(g, hid10, x->sums.filled[BK_IKM_UNSUR - 1], mode);
	mutu[0] = s10->mutu;
	if (rc == BK_OK && (rc = put_dec(g, s10->valid, hid10, s10->nrr_milli[BK_IKM_UNSUR - 1], 3, mode)) == BK_OK &&
	    (rc = put_dec(g, s10->valid, hid10, s10->ikm_e4, 4, mode)) == BK_OK &&
	    (rc = put_dec(g, s10->valid, hid10, s10->converted_cents, 2, mode)) == BK_OK)
		rc = put_text(g, s10->valid, hid10, mutu, mode);
	if (rc == BK_OK && mode == MODE_CSV)
		rc = put_text(g, s10->valid, hid10, s10->kinerja, mode);
	if (rc == BK_OK)
		rc = x->population_suppressed ? grid_put(g, mode == MODE_TABLE ? "x" : "")
		     : x->population       ? grid_putf(g, "%llu", (unsigned long long)x->population)
					   : grid_put(g, mode == MODE_TABLE ? "-" : "");
	if (rc == BK_OK)
		rc = put_dec(g, x->sample_size > 0, x->population_suppressed, x->sample_size, 0, mode);
	if (rc == BK_OK)
		rc = put_text(g, x->sample_enough >= 0, hid, x->sample_enough > 0 ? "yes" : "no", mode);
	return rc;
}

static bk_status ikm_grid(struct grid *g, const struct bk_report_ikm *r, enum mode mode)
{
	/* csv name / table name; '>' aligns right; an empty half leaves the column out */
	static const char *const unit_cols[] = {"unit/UNIT"};
	static const char *const label_cols[] = {"kode/KODE", "nama/NAMA"};
	static const char *const kec_cols[] = {"kode/KODE", "nama/KECAMATAN"};
	static const char *const cols[] = {
		"suppressed/", ">respondents/RESP", ">nrr_u1/U1", ">nrr_u2/U2", ">nrr_u3/U3", ">nrr_u4/U4", ">nrr_u5/U5",
		">nrr_u6/U6", ">nrr_u7/U7", ">nrr_u8/U8", ">nrr_u9/U9", ">ikm/IKM", ">converted/SCORE", "mutu/MUTU",
		"kinerja/KINERJA", ">respondents_u10/", ">nrr_u10/U10", ">ikm10/IKM10", ">converted10/SCORE10",
		"mutu10/MUTU10", "kinerja10/", ">population/N", ">sample_required/n", "sample_enough/ENOUGH"};
	const char *all[COLS_MAX + 1];
	size_t n = 0;
	bk_status rc;

	if (r->by == BK_REPORT_BY_UNIT)
		all[n++] = unit_cols[0];
	else
		for (size_t i = 0; i < 2; i++)
			all[n++] = r->by == BK_REPORT_BY_KECAMATAN ? kec_cols[i] : label_cols[i];
	for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
		all[n++] = cols[i];
	all[n] = NULL;
	if ((rc = grid_head(g, mode, all)))
		return rc;
	for (size_t i = 0; i < r->ngroups && rc == BK_OK; i++)
		rc = ikm_row(g, r, &r->groups[i], 0, mode);
	if (rc == BK_OK)
		rc = ikm_row(g, r, &r->total, 1, mode);
	return rc;
}

static bk_status run_ikm(struct cli_ctx *ctx, struct bk_vault *v, void *arg)
{
	const struct report_args a = *(const struct report_args *)arg;
	struct bk_report_ikm_opts o;
	struct bk_report_ikm r = {0};
	struct grid g = {0};
	json_t *root = NULL;
	bk_status rc;

	(void)ctx;
	o.by = a.by;
	o.year = a.year;
	o.min_cell = a.min_cell;
	if ((rc = bk_vault_report_ikm(v, &o, &r)))
		goto out;
	if (a.format == CLI_FORMAT_JSON) {
		if (!(root = bk_report_ikm_json(&r))) {
			rc = bk_fail(BK_ERR_NOMEM, "out of memory");
			goto out;
		}
		print_json(root);
		goto out;
	}
	if ((rc = ikm_grid(&g, &r, a.format == CLI_FORMAT_CSV ? MODE_CSV : MODE_TABLE)))
		goto out;
	if (a.format == CLI_FORMAT_CSV) {
		grid_print_csv(&g, stdout);
		goto out;
	}
	printf("IKM by %s (PermenPANRB 14/2017)%s%.0d, min-cell %llu\n\n", bk_report_by_name(r.by), r.year ? ", year " : "",
	       r.year, (unsigned long long)r.min_cell);
	grid_print_table(&g, stdout);
	printf("\nx: hidden (fewer than %llu respondents, or protecting such a cell); -: none or unknown\n"
	       "IKM, SCORE, MUTU: the 9 unsur of PermenPANRB 14/2017 (SCORE = IKM x 25; A >= 88.31, B >= 76.61, "
	       "C >= 65.00, D below)\n"
	       "U10, IKM10, SCORE10, MUTU10: with U10 inovasi, 10 unsur; not comparable nationally\n"
	       "N: population (%s); n: Krejcie-Morgan sample size (chi2 3.841, P 0.5, d 0.05); ENOUGH: RESP >= n\n",
	       (unsigned long long)r.min_cell, r.population_basis ? r.population_basis : "-");
out:
	json_decref(root);
	grid_free(&g);
	bk_report_ikm_release(&r);
	return rc;
}

/* --- report ikm --period: the IKM over time --- */

struct trend_args {
	struct report_args a;
	enum bk_period period;
};

/* The group of report r with kode, or NULL. */
static const struct bk_report_ikm_group *group_of(const struct bk_report_ikm *r, const char *kode, int total)
{
	if (total)
		return &r->total;
	for (size_t i = 0; i < r->ngroups; i++)
		if (strcmp(r->groups[i].kode, kode) == 0)
			return &r->groups[i];
	return NULL;
}

/* A score as the table shows it: "81.02 B", x hidden, - none. */
static void score_cell(char *out, size_t cap, const struct bk_report_ikm_group *g)
{
	char dec[32];

	if (!g || (!g->suppressed && !g->ikm9.valid))
		snprintf(out, cap, "-");
	else if (g->suppressed)
		snprintf(out, cap, "x");
	else
		snprintf(out, cap, "%s %c", bk_report_decimal(dec, sizeof(dec), g->ikm9.converted_cents, 2), g->ikm9.mutu);
}

/* Table: a row per group (the groups of the last period, then TOTAL), a
 * column per period, and the change of the score between the last two
 * periods that show one. CSV: a line per period and group. */
static bk_status trend_grid(struct grid *g, const struct bk_report_ikm_trend *t, enum mode mode)
{
	const struct bk_report_ikm *last = t->n ? &t->reports[t->n - 1] : NULL;
	bk_status rc = BK_OK;
	char cell[48], dec[32];

	if (mode == MODE_CSV) {
		static const char *const cols[] = {"period/", "kode/", "nama/", "suppressed/", "respondents/", "ikm/",
						   "score/", "mutu/", "ikm10/", "score10/", NULL};

		rc = grid_head(g, mode, cols);
		for (size_t p = 0; p < t->n && rc == BK_OK; p++)
			for (size_t i = 0; i <= t->reports[p].ngroups && rc == BK_OK; i++) {
				const struct bk_report_ikm *r = &t->reports[p];
				const struct bk_report_ikm_group *x = i < r->ngroups ? &r->groups[i] : &r->total;
				int shown = !x->suppressed && x->ikm9.valid, shown10 = shown && !x->ikm10_suppressed && x->ikm10.valid;

				if ((rc = grid_put(g, t->labels[p])) || (rc = grid_put(g, i < r->ngroups ? x->kode : "total")) ||
				    (rc = grid_put(g, i < r->ngroups ? x->nama : "")) ||
				    (rc = grid_put(g, x->suppressed ? "true" : "false")) ||
				    (rc = put_count(g, x->suppressed, x->sums.respondents, mode)) ||
				    (rc = put_dec(g, shown, x->suppressed, x->ikm9.ikm_e4, 4, mode)) ||
				    (rc = put_dec(g, shown, x->suppressed, x->ikm9.converted_cents, 2, mode)) ||
				    (rc = grid_put(g, shown ? (char[2]){x->ikm9.mutu, 0} : "")))
					break;
				if ((rc = put_dec(g, shown10, x->suppressed, x->ikm10.ikm_e4, 4, mode)) == BK_OK)
					rc = put_dec(g, shown10, x->suppressed, x->ikm10.converted_cents, 2, mode);
			}
		return rc;
	}
	if (!last)
		return grid_head(g, mode, (const char *const[]){"kode/KODE", NULL});
	{
		const char *cols[TREND_COLS_MAX + 4];
		char heads[TREND_COLS_MAX][24];
		size_t n = 0;

		cols[n++] = "kode/KODE";
		cols[n++] = "nama/NAMA";
		for (size_t p = 0; p < t->n && p < TREND_COLS_MAX; p++) {
			snprintf(heads[p], sizeof(heads[p]), ">%s/%s", t->labels[p], t->labels[p]);
			cols[n++] = heads[p];
		}
		cols[n++] = ">change/CHANGE";
		cols[n] = NULL;
		rc = grid_head(g, mode, cols);
	}
	for (size_t i = 0; i <= last->ngroups && rc == BK_OK; i++) {
		int total = i == last->ngroups;
		const char *kode = total ? "TOTAL" : last->groups[i].kode;
		const struct bk_report_ikm_group *prev = NULL, *now = NULL;

		if ((rc = grid_put(g, kode)) || (rc = grid_put(g, total ? "" : last->groups[i].nama)))
			break;
		for (size_t p = 0; p < t->n && p < TREND_COLS_MAX && rc == BK_OK; p++) {
			const struct bk_report_ikm_group *x = group_of(&t->reports[p], kode, total);

			score_cell(cell, sizeof(cell), x);
			rc = grid_put(g, cell);
			if (x && !x->suppressed && x->ikm9.valid) {
				prev = now;
				now = x;
			}
		}
		if (rc == BK_OK && prev && now) {
			int64_t d = (int64_t)now->ikm9.converted_cents - (int64_t)prev->ikm9.converted_cents;

			snprintf(cell, sizeof(cell), "%s%s", d < 0 ? "-" : "+",
				 bk_report_decimal(dec, sizeof(dec), (uint64_t)(d < 0 ? -d : d), 2));
			rc = grid_put(g, cell);
		} else if (rc == BK_OK) {
			rc = grid_put(g, "-");
		}
	}
	return rc;
}

static bk_status run_ikm_trend(struct cli_ctx *ctx, struct bk_vault *v, void *arg)
{
	const struct trend_args *ta = arg;
	struct bk_report_ikm_opts o;
	struct bk_report_ikm_trend t = {0};
	struct grid g = {0};
	json_t *root = NULL;
	bk_status rc;

	(void)ctx;
	o.by = ta->a.by;
	o.year = ta->a.year;
	o.min_cell = ta->a.min_cell;
	if ((rc = bk_vault_report_ikm_trend(v, &o, ta->period, &t)))
		return rc;
	if (ta->a.format == CLI_FORMAT_JSON) {
		if (!(root = bk_report_ikm_trend_json(&t)))
			rc = bk_fail(BK_ERR_NOMEM, "out of memory");
		else
			print_json(root);
	} else if ((rc = trend_grid(&g, &t, ta->a.format == CLI_FORMAT_CSV ? MODE_CSV : MODE_TABLE)) == BK_OK) {
		if (ta->a.format == CLI_FORMAT_CSV) {
			grid_print_csv(&g, stdout);
		} else {
			printf("IKM by %s per %s (PermenPANRB 14/2017, 9 unsur), min-cell %llu: SCORE and MUTU\n\n",
			       bk_report_by_name(t.by), bk_period_name(t.period), (unsigned long long)t.min_cell);
			grid_print_table(&g, stdout);
			printf("\nx: hidden in that period (fewer than %llu respondents, or protecting such a cell); -: none\n"
			       "CHANGE: the score of the last period that shows one, less the one before it%s\n",
			       (unsigned long long)t.min_cell,
			       t.n > TREND_COLS_MAX ? " (the table shows the first periods only: use --format csv)" : "");
		}
	}
	json_decref(root);
	grid_free(&g);
	bk_report_ikm_trend_release(&t);
	return rc;
}

int cmd_report_ikm(struct cli_ctx *ctx, int argc, char **argv)
{
	struct trend_args ta;
	int code;

	if ((code = parse_args(ctx, argc, argv, &ta.a, NULL)) >= 0)
		return code;
	if (!ta.a.period)
		return cli_run(ctx, run_ikm, &ta.a);
	if (bk_period_parse(ta.a.period, 1u << BK_PERIOD_SEMESTER | 1u << BK_PERIOD_YEAR, &ta.period) != BK_OK)
		return cli_usage(ctx, "%s", bk_error_detail());
	return cli_run(ctx, run_ikm_trend, &ta);
}

/* --- report coverage --- */

static bk_status put_reach(struct grid *g, uint64_t reached, uint64_t total, enum mode mode)
{
	if (mode == MODE_TABLE)
		return grid_putf(g, "%llu/%llu", (unsigned long long)reached, (unsigned long long)total);
	return grid_putf(g, "%llu", (unsigned long long)reached);
}

static bk_status cov_inovasi_grid(struct grid *g, const struct bk_report_coverage *r, enum mode mode)
{
	static const char *const cols[] = {"kode/KODE", "nama/NAMA", "opd/OPD", "suppressed/", ">users/USERS",
					   ">users_per_1000/PER1000", ">kecamatan_reached/KECAMATAN",
					   ">kecamatan_total/", ">desa_reached/DESA", ">desa_total/", NULL};
	bk_status rc = grid_head(g, mode, cols);

	for (size_t i = 0; i < r->ninovasi && rc == BK_OK; i++) {
		const struct bk_report_cov_inovasi *x = &r->inovasi[i];

		if ((rc = grid_put(g, x->kode)) || (rc = grid_put(g, x->nama)) || (rc = grid_put(g, x->opd)) ||
		    (mode == MODE_CSV && (rc = grid_put(g, x->suppressed ? "true" : "false"))) ||
		    (rc = put_count(g, x->suppressed, x->users, mode)) ||
		    (rc = put_dec(g, x->per_mille_known, x->suppressed, x->per_mille_e1, 1, mode)) ||
		    (rc = put_reach(g, x->kecamatan_reached, r->kecamatan_total, mode)) ||
		    (mode == MODE_CSV && (rc = grid_putf(g, "%u", r->kecamatan_total))) ||
		    (rc = put_reach(g, x->desa_reached, r->desa_total, mode)) ||
		    (mode == MODE_CSV && (rc = grid_putf(g, "%u", r->desa_total))))
			break;
	}
	return rc;
}

static bk_status cov_kecamatan_row(struct grid *g, const struct bk_report_cov_kecamatan *k, int total, enum mode mode)
{
	bk_status rc;

	if ((rc = grid_put(g, total ? (mode == MODE_TABLE ? "TOTAL" : "total") : k->kode)) ||
	    (rc = grid_put(g, total ? "" : k->nama)) || (rc = put_count(g, k->residents_hidden, k->residents, mode)) ||
	    (rc = put_count(g, k->users_hidden, k->users, mode)) ||
	    (rc = put_dec(g, k->per_mille_known, k->users_hidden || k->residents_hidden, k->per_mille_e1, 1, mode)) ||
	    (rc = put_count(g, k->daring_hidden, k->daring, mode)) ||
	    (rc = put_count(g, k->luring_hidden, k->luring, mode)) || (rc = put_count(g, k->uses_hidden, k->uses, mode)) ||
	    (rc = put_dec(g, k->daring_share_known, k->daring_hidden || k->uses_hidden, k->daring_share_e1, 1, mode)) ||
	    (rc = put_reach(g, k->desa_reached, k->desa_total, mode)))
		return rc;
	return mode == MODE_CSV ? grid_putf(g, "%u", k->desa_total) : BK_OK;
}

static bk_status cov_kecamatan_grid(struct grid *g, const struct bk_report_coverage *r, enum mode mode)
{
	static const char *const cols[] = {"kode/KODE", "nama/KECAMATAN", ">residents/RESIDENTS", ">users/USERS",
					   ">users_per_1000/PER1000", ">daring/DARING", ">luring/LURING",
					   ">uses/USES", ">daring_pct/DARING%", ">desa_reached/DESA", ">desa_total/",
					   NULL};
	bk_status rc = grid_head(g, mode, cols);

	for (size_t i = 0; i < r->nkecamatan && rc == BK_OK; i++)
		rc = cov_kecamatan_row(g, &r->kecamatan[i], 0, mode);
	if (rc == BK_OK)
		rc = cov_kecamatan_row(g, &r->total, 1, mode);
	return rc;
}

struct coverage_args {
	struct report_args a;
	int inovasi, kecamatan, unreached;
};

/* --unreached: per innovation its reach against the planned area, then the
 * planned desa not reached; as CSV one line per such desa. */
static bk_status unreached_grid(struct grid *g, const struct bk_report_coverage *r)
{
	static const char *const cols[] = {"kode_inovasi/", "nama_inovasi/", "kode_kecamatan/", "kecamatan/",
					   "kecamatan_unreached/", "kode_desa/", "desa/", NULL};
	bk_status rc = grid_head(g, MODE_CSV, cols);

	for (size_t i = 0; i < r->ninovasi && rc == BK_OK; i++)
		for (size_t j = 0; j < r->inovasi[i].plan.nunreached && rc == BK_OK; j++) {
			const struct bk_report_area *a = &r->inovasi[i].plan.unreached[j];

			if ((rc = grid_put(g, r->inovasi[i].kode)) || (rc = grid_put(g, r->inovasi[i].nama)) ||
			    (rc = grid_put(g, a->kecamatan_kode)) || (rc = grid_put(g, a->kecamatan)) ||
			    (rc = grid_put(g, a->kecamatan_unreached ? "true" : "false")) || (rc = grid_put(g, a->kode)))
				break;
			rc = grid_put(g, a->nama);
		}
	return rc;
}

static void print_unreached(const struct bk_report_coverage *r)
{
	printf("Desa/kelurahan not reached, per innovation, against its planned area (cakupan)%s%.0d\n",
	       r->year ? ", year " : "", r->year);
	for (size_t i = 0; i < r->ninovasi; i++) {
		const struct bk_report_cov_inovasi *x = &r->inovasi[i];
		const struct bk_report_cov_plan *p = &x->plan;
		const char *kec = NULL;

		printf("\n%s  %s%s%s\n", x->kode, x->nama, x->opd[0] ? " - " : "", x->opd);
		printf("  planned: %u kecamatan, %u desa/kelurahan%s; reached %u of those desa", p->kecamatan_planned,
		       p->desa_planned, p->cakupan_given ? "" : " (no cakupan in the registry: the whole area)",
		       p->desa_planned_reached);
		if (p->desa_planned)
			printf(" (%u%%)", (unsigned)((p->desa_planned_reached * 100u + p->desa_planned / 2) / p->desa_planned));
		printf(", not reached %zu\n", p->nunreached);
		if (p->desa_outside_plan)
			printf("  reached outside the plan: %u desa/kelurahan\n", p->desa_outside_plan);
		if (p->cakupan_unknown)
			printf("  cakupan names %u code(s) that are no region of this vault\n", p->cakupan_unknown);
		if (p->kecamatan_planned > p->kecamatan_planned_reached) {
			printf("  kecamatan not reached at all (%u):\n", p->kecamatan_planned - p->kecamatan_planned_reached);
			for (size_t j = 0; j < p->nunreached; j++)
				if (p->unreached[j].kecamatan_unreached && (!kec || strcmp(kec, p->unreached[j].kecamatan_kode))) {
					kec = p->unreached[j].kecamatan_kode;
					printf("    %s %s\n", p->unreached[j].kecamatan_kode, p->unreached[j].kecamatan);
				}
		}
		kec = NULL;
		for (size_t j = 0; j < p->nunreached; j++) {
			const struct bk_report_area *a = &p->unreached[j];

			if (a->kecamatan_unreached)
				continue; /* named with its kecamatan above */
			if (!kec || strcmp(kec, a->kecamatan_kode) != 0) {
				kec = a->kecamatan_kode;
				printf("  not reached in %s %s:\n", a->kecamatan_kode, a->kecamatan);
			}
			printf("    %s %s\n", a->kode, a->nama);
		}
	}
}

static bk_status run_coverage(struct cli_ctx *ctx, struct bk_vault *v, void *arg)
{
	const struct coverage_args *ca = arg;
	const struct report_args a = ca->a;
	const int inovasi = ca->inovasi, kecamatan = ca->kecamatan;
	struct bk_report_coverage_opts o;
	struct bk_report_coverage r = {0};
	struct grid gi = {0}, gk = {0};
	json_t *root = NULL;
	bk_status rc;

	(void)ctx;
	o.year = a.year;
	o.min_cell = a.min_cell;
	o.unreached = ca->unreached;
	if ((rc = bk_vault_report_coverage(v, &o, &r)))
		goto out;
	if (ca->unreached && a.format != CLI_FORMAT_JSON) {
		if (a.format == CLI_FORMAT_TABLE)
			print_unreached(&r);
		else if ((rc = unreached_grid(&gi, &r)) == BK_OK)
			grid_print_csv(&gi, stdout);
		goto out;
	}
	if (a.format == CLI_FORMAT_JSON) {
		if (!(root = bk_report_coverage_json(&r))) {
			rc = bk_fail(BK_ERR_NOMEM, "out of memory");
			goto out;
		}
		if (!inovasi)
			json_object_del(root, "inovasi");
		if (!kecamatan) {
			json_object_del(root, "kecamatan");
			json_object_del(root, "total");
		}
		print_json(root);
		goto out;
	}
	if ((inovasi && (rc = cov_inovasi_grid(&gi, &r, a.format == CLI_FORMAT_CSV ? MODE_CSV : MODE_TABLE))) ||
	    (kecamatan && (rc = cov_kecamatan_grid(&gk, &r, a.format == CLI_FORMAT_CSV ? MODE_CSV : MODE_TABLE))))
		goto out;
	if (a.format == CLI_FORMAT_CSV) {
		grid_print_csv(inovasi ? &gi : &gk, stdout);
		goto out;
	}
	if (inovasi) {
		printf("Coverage per innovation%s%.0d, min-cell %llu: kecamatan and desa reached of %u and %u\n\n",
		       r.year ? ", year " : "", r.year, (unsigned long long)r.min_cell, r.kecamatan_total, r.desa_total);
		grid_print_table(&gi, stdout);
	}
	if (kecamatan) {
		printf("%sCoverage per kecamatan%s%.0d, min-cell %llu: residents, users and uses by kanal\n\n",
		       inovasi ? "\n" : "", r.year ? ", year " : "", r.year, (unsigned long long)r.min_cell);
		grid_print_table(&gk, stdout);
	}
	printf("\nx: hidden (fewer than %llu people, or protecting such a cell); -: none or unknown\n"
	       "USERS: distinct people in pemanfaatan (estimated from the NIK blind index); "
	       "PER1000: users per 1,000 residents (warga)\n",
	       (unsigned long long)r.min_cell);
out:
	json_decref(root);
	grid_free(&gi);
	grid_free(&gk);
	bk_report_coverage_release(&r);
	return rc;
}

int cmd_report_coverage(struct cli_ctx *ctx, int argc, char **argv)
{
	struct coverage_args ca;
	int code;

	memset(&ca, 0, sizeof(ca));
	if ((code = parse_args(ctx, argc, argv, &ca.a, &ca.unreached)) >= 0)
		return code;
	if (ca.unreached) {
		if (ca.a.by_set)
			return cli_usage(ctx, "--unreached lists desa per innovation: leave out --by");
		ca.inovasi = 1;
		return cli_run(ctx, run_coverage, &ca);
	}
	if (ca.a.by_set && ca.a.by == BK_REPORT_BY_UNIT)
		return cli_usage(ctx, "coverage is --by inovasi or --by kecamatan");
	if (ca.a.format == CLI_FORMAT_CSV && !ca.a.by_set)
		return cli_usage(ctx, "a CSV file holds one table: add --by inovasi or --by kecamatan");
	ca.inovasi = !ca.a.by_set || ca.a.by == BK_REPORT_BY_INOVASI;
	ca.kecamatan = !ca.a.by_set || ca.a.by == BK_REPORT_BY_KECAMATAN;
	return cli_run(ctx, run_coverage, &ca);
}

/* --- report adoption --- */

struct adoption_args {
	struct bk_report_adoption_opts o;
	unsigned min_cell;
	enum cli_format format;
};

static int option_period(struct cli_ctx *ctx, const char *arg, void *value)
{
	if (bk_period_parse(arg, BK_PERIOD_ANY, value) != BK_OK)
		return cli_usage(ctx, "%s", bk_error_detail());
	return -1;
}

static bk_status put_since(struct grid *g, int32_t since, enum mode mode)
{
	if (since == BK_ADOPTION_UNKNOWN)
		return grid_put(g, mode == MODE_CSV ? "" : "-");
	return grid_putf(g, "%d", (int)since);
}

/* One table for every innovation: a line per period. */
static bk_status adoption_grid(struct grid *g, const struct bk_report_adoption *r, const struct bk_adoption_inovasi *only,
			       enum mode mode)
{
	static const char *const cols[] = {"kode_inovasi/", "period/PERIOD", ">since_penerapan/SINCE", ">uses/USES",
					   ">daring/DARING", ">luring/LURING", ">users/USERS", ">desa_new/NEW DESA",
					   ">desa_reached/DESA SO FAR", ">desa_planned/", NULL};
	bk_status rc = grid_head(g, mode, cols);

	for (size_t i = 0; i < r->ninovasi && rc == BK_OK; i++) {
		const struct bk_adoption_inovasi *x = &r->inovasi[i];

		if (only && x != only)
			continue;
		for (size_t p = 0; p < x->npoints && rc == BK_OK; p++) {
			const struct bk_adoption_point *pt = &x->points[p];

			if ((mode == MODE_CSV && (rc = grid_put(g, x->kode))) || (rc = grid_put(g, pt->label)) ||
			    (rc = put_since(g, pt->since_penerapan, mode)) ||
			    (rc = put_count(g, pt->uses_hidden, pt->uses, mode)) ||
			    (rc = put_count(g, pt->daring_hidden, pt->daring, mode)) ||
			    (rc = put_count(g, pt->luring_hidden, pt->luring, mode)) ||
			    (rc = put_count(g, pt->users_hidden, pt->users, mode)) || (rc = grid_putf(g, "%u", pt->desa_new)) ||
			    (rc = mode == MODE_TABLE ? grid_putf(g, "%u/%u", pt->desa_reached, x->desa_planned)
						     : grid_putf(g, "%u", pt->desa_reached)) ||
			    (mode == MODE_CSV && (rc = grid_putf(g, "%u", x->desa_planned))))
				break;
		}
	}
	return rc;
}

static bk_status print_adoption(const struct bk_report_adoption *r)
{
	char half[BK_PERIOD_LABEL_MAX];
	bk_status rc = BK_OK;

	printf("Adoption per %s%s%.0d%s%s%s%s, min-cell %llu: uses by kanal, users, planned desa reached\n",
	       bk_period_name(r->period), r->year ? ", year " : "", r->year, r->from[0] ? ", from " : "", r->from,
	       r->to[0] ? " to " : "", r->to, (unsigned long long)r->min_cell);
	for (size_t i = 0; i < r->ninovasi && rc == BK_OK; i++) {
		const struct bk_adoption_inovasi *x = &r->inovasi[i];
		struct grid g = {0};

		printf("\n%s  %s\n  penerapan %s; %u desa/kelurahan planned; half of them reached: ", x->kode, x->nama,
		       x->penerapan[0] ? x->penerapan : "not known", x->desa_planned);
		if (x->half_period < 0) {
			printf("not yet\n");
		} else {
			bk_period_label(half, x->half_period, r->period);
			if (x->half_since_penerapan == BK_ADOPTION_UNKNOWN)
				printf("%s\n", half);
			else
				printf("%s, %d %s%s after penerapan\n", half, (int)x->half_since_penerapan,
				       bk_period_name(r->period), x->half_since_penerapan == 1 ? "" : "s");
		}
		if (!x->npoints) {
			printf("  no use in this range\n");
			continue;
		}
		if ((rc = adoption_grid(&g, r, x, MODE_TABLE)) == BK_OK)
			grid_print_table(&g, stdout);
		grid_free(&g);
	}
	if (rc == BK_OK)
		printf("\nx: hidden (fewer than %llu people, or protecting such a cell); SINCE: %ss after the one of "
		       "penerapan; USERS: distinct people (from the NIK blind index)\n",
		       (unsigned long long)r->min_cell, bk_period_name(r->period));
	return rc;
}

static bk_status run_adoption(struct cli_ctx *ctx, struct bk_vault *v, void *arg)
{
	const struct adoption_args *a = arg;
	struct bk_report_adoption r = {0};
	struct grid g = {0};
	json_t *root = NULL;
	bk_status rc;

	(void)ctx;
	if ((rc = bk_vault_report_adoption(v, &a->o, &r)))
		return rc;
	if (a->format == CLI_FORMAT_JSON) {
		if (!(root = bk_report_adoption_json(&r)))
			rc = bk_fail(BK_ERR_NOMEM, "out of memory");
		else
			print_json(root);
	} else if (a->format == CLI_FORMAT_CSV) {
		if ((rc = adoption_grid(&g, &r, NULL, MODE_CSV)) == BK_OK)
			grid_print_csv(&g, stdout);
	} else {
		rc = print_adoption(&r);
	}
	json_decref(root);
	grid_free(&g);
	bk_report_adoption_release(&r);
	return rc;
}

int cmd_report_adoption(struct cli_ctx *ctx, int argc, char **argv)
{
	struct adoption_args a;
	const struct cli_option opts[] = {
		CLI_OPT_FN(0, "period", option_period, &a.o.period, "month|quarter|semester|year"),
		CLI_OPT_INT(0, "year", &a.o.year, 1900, 9999, "Y", NULL),
		CLI_OPT_STRING(0, "from", &a.o.from, "YYYY-MM-DD"),
		CLI_OPT_STRING(0, "to", &a.o.to, "YYYY-MM-DD"),
		CLI_OPT_UINT(0, "min-cell", &a.min_cell, 1, BK_REPORT_MIN_CELL_MAX, "N", NULL),
		CLI_OPT_FN(0, "format", cli_option_format, &a.format, "table|csv|json"),
		CLI_OPT_END,
	};
	int code;

	memset(&a, 0, sizeof(a));
	a.o.period = BK_PERIOD_MONTH;
	a.min_cell = BK_REPORT_MIN_CELL;
	a.format = CLI_FORMAT_TABLE;
	if ((code = cli_parse_options(ctx, argc, argv, opts, NULL)) >= 0)
		return code;
	if (a.o.year && (a.o.from || a.o.to))
		return cli_usage(ctx, "give --year or --from/--to, not both");
	a.o.min_cell = a.min_cell;
	return cli_run(ctx, run_adoption, &a);
}

/* --- report pengaduan --- */

static bk_status complaints_grid(struct grid *g, const struct bk_report_complaints *r, enum mode mode)
{
	const char *cols[4 + 2 * BK_ENUM_VALUES_MAX + 2];
	char heads[2 * BK_ENUM_VALUES_MAX][80];
	size_t n = 0, h = 0;
	bk_status rc;

	cols[n++] = "kode/KODE";
	cols[n++] = "nama/NAMA";
	cols[n++] = ">complaints/COMPLAINTS";
	for (size_t j = 0; j < r->nkategori && n < COLS_MAX - 3; j++, h++) {
		snprintf(heads[h], sizeof(heads[h]), ">%s/%s", r->kategori[j], r->kategori[j]);
		cols[n++] = heads[h];
	}
	for (size_t j = 0; j < r->nstatus && n < COLS_MAX - 2; j++, h++) {
		snprintf(heads[h], sizeof(heads[h]), ">%s/%s", r->status[j], r->status[j]);
		cols[n++] = heads[h];
	}
	cols[n++] = ">median_days/MEDIAN DAYS";
	cols[n] = NULL;
	rc = grid_head(g, mode, cols);
	for (size_t i = 0; i <= r->nrows && rc == BK_OK; i++) {
		const struct bk_complaints_row *x = i < r->nrows ? &r->rows[i] : &r->total;
		char dec[32];

		if ((rc = grid_put(g, i < r->nrows ? x->kode : mode == MODE_TABLE ? "TOTAL" : "total")) ||
		    (rc = grid_put(g, i < r->nrows ? x->nama : "")) || (rc = put_count(g, x->total_hidden, x->total, mode)))
			break;
		for (size_t j = 0; j < r->nkategori && rc == BK_OK; j++)
			rc = put_count(g, x->kategori_hidden[j], x->by_kategori[j], mode);
		for (size_t j = 0; j < r->nstatus && rc == BK_OK; j++)
			rc = put_count(g, x->status_hidden[j], x->by_status[j], mode);
		if (rc == BK_OK)
			rc = x->median_known ? grid_put(g, bk_report_decimal(dec, sizeof(dec), x->median_days_e1, 1))
					     : grid_put(g, mode == MODE_CSV ? "" : "-");
	}
	return rc;
}

static bk_status run_complaints(struct cli_ctx *ctx, struct bk_vault *v, void *arg)
{
	const struct report_args *a = arg;
	struct bk_report_complaints_opts o = {a->year, a->min_cell};
	struct bk_report_complaints r = {0};
	struct grid g = {0};
	json_t *root = NULL;
	bk_status rc;

	(void)ctx;
	if ((rc = bk_vault_report_complaints(v, &o, &r)))
		return rc;
	if (a->format == CLI_FORMAT_JSON) {
		if (!(root = bk_report_complaints_json(&r)))
			rc = bk_fail(BK_ERR_NOMEM, "out of memory");
		else
			print_json(root);
	} else if ((rc = complaints_grid(&g, &r, a->format == CLI_FORMAT_CSV ? MODE_CSV : MODE_TABLE)) == BK_OK) {
		if (a->format == CLI_FORMAT_CSV) {
			grid_print_csv(&g, stdout);
		} else {
			printf("Complaints per innovation%s%.0d, min-cell %llu: by category and status, median days to "
			       "resolve\n\n",
			       r.year ? ", year " : "", r.year, (unsigned long long)r.min_cell);
			grid_print_table(&g, stdout);
			printf("\nx: hidden (fewer than %llu complaints, or protecting such a cell); MEDIAN DAYS: from tanggal "
			       "to tanggal_selesai, over at least %llu resolved complaints (else -)\n",
			       (unsigned long long)r.min_cell, (unsigned long long)r.min_cell);
		}
	}
	json_decref(root);
	grid_free(&g);
	bk_report_complaints_release(&r);
	return rc;
}

int cmd_report_complaints(struct cli_ctx *ctx, int argc, char **argv)
{
	struct report_args a;
	int code;

	if ((code = parse_args(ctx, argc, argv, &a, NULL)) >= 0)
		return code;
	if (a.by_set || a.period)
		return cli_usage(ctx, "report pengaduan is per innovation: no --by or --period");
	return cli_run(ctx, run_complaints, &a);
}
