/* dataset.c - schema parsing (inih), the built-in `inovasi` profile, and the
 * dataset registry and tables in vault.db. */
#include "vault/schema/dataset.h"
#include "vault/schema/hierarchy.h"

#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vault/core/db.h"

#define SCHEMA_MAX (256 * 1024)
#define LINE_MAX_INI 190 /* inih splits longer lines (INI_MAX_LINE 200): refuse them first */


int bk_dataset_column(const struct bk_dataset *ds, const char *name)
{
	for (size_t i = 0; i < ds->ncols; i++)
		if (strcmp(ds->cols[i].name, name) == 0)
			return (int)i;
	return -1;
}

int bk_dataset_has_sealed(const struct bk_dataset *ds)
{
	for (size_t i = 0; i < ds->ncols; i++)
		if (ds->cols[i].cls == BK_COL_IDENTIFIER || ds->cols[i].cls == BK_COL_SECRET)
			return 1;
	return 0;
}

size_t bk_dataset_sealed_names(const struct bk_dataset *ds, char out[BK_SEALED_NAMES_MAX])
{
	size_t n = 0, len = 0;

	out[0] = '\0';
	for (size_t i = 0; i < ds->ncols; i++)
		if (ds->cols[i].cls == BK_COL_IDENTIFIER || ds->cols[i].cls == BK_COL_SECRET) {
			len += (size_t)snprintf(out + len, BK_SEALED_NAMES_MAX - len, "%s%s", n ? "," : "", ds->cols[i].name);
			n++;
		}
	return n;
}

/* Names the table of a dataset uses itself (dataset_store), and the "_bi"
 * suffix of blind-index columns. */
static int reserved_column(const char *name)
{
	static const char *const reserved[] = {"id", "batch", "created", "kecamatan", "subject", "sealed"};
	size_t n = strlen(name);

	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (strcmp(name, reserved[i]) == 0)
			return 1;
	return n > 3 && strcmp(name + n - 3, "_bi") == 0;
}

static int ident_ok(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n == 0 || n > max || !(s[0] >= 'a' && s[0] <= 'z'))
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

struct parse_state {
	struct bk_dataset *ds;
	const char *file;
	const char *text;
	int have_dataset;
	char scope[BK_COLUMN_NAME_MAX + 1];
	char subject[BK_COLUMN_NAME_MAX + 1];
	char error[256];
	char error_key[64];
	/* which keys a column set, to check required ones at the end */
	unsigned char has_type[BK_COLUMNS_MAX], has_class[BK_COLUMNS_MAX];
	/* every key once: a second "class = ..." must not silently win */
	char seen_keys[BK_COLUMNS_MAX + 1][512];
};

BK_PRINTF(3, 4) static int fail_at(struct parse_state *st, const char *key, const char *fmt, ...)
{
	if (!st->error[0]) {
		va_list ap;

		va_start(ap, fmt);
		vsnprintf(st->error, sizeof(st->error), fmt, ap);
		va_end(ap);
		snprintf(st->error_key, sizeof(st->error_key), "%s", key);
	}
	return 0;
}

static int parse_yes(const char *v, int *out)
{
	if (strcasecmp(v, "yes") == 0 || strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0)
		*out = 1;
	else if (strcasecmp(v, "no") == 0 || strcasecmp(v, "false") == 0 || strcmp(v, "0") == 0)
		*out = 0;
	else
		return -1;
	return 0;
}

static int parse_ll(const char *v, long long *out)
{
	char *end = NULL;
	long long n = strtoll(v, &end, 10);

	if (!*v || *end || n < -1000000000000LL || n > 1000000000000LL)
		return -1;
	*out = n;
	return 0;
}

static int parse_retention(const char *v, unsigned *days)
{
	char *end = NULL;
	long n = strtol(v, &end, 10);

	if (end == v || n <= 0 || n > 100000 || end[1] != '\0')
		return -1;
	switch (*end) {
	case 'd': *days = (unsigned)n; break;
	case 'm': *days = (unsigned)n * 30; break;
	case 'y': *days = (unsigned)n * 365; break;
	default: return -1;
	}
	return *days <= 365 * 200 ? 0 : -1;
}

static int parse_values(struct bk_column *c, const char *v)
{
	const char *p = v;

	while (*p) {
		const char *bar = strchr(p, '|');
		size_t n = bar ? (size_t)(bar - p) : strlen(p);

		while (n > 0 && p[n - 1] == ' ')
			n--;
		if (n == 0 || n > 64 || c->nvalues >= BK_ENUM_VALUES_MAX)
			return -1;
		c->values[c->nvalues] = strndup(p, n);
		if (!c->values[c->nvalues]) {
			bk_note_alloc_failed(); /* no bad schema: bk_dataset_parse says so */
			return -1;
		}
		for (size_t i = 0; i < c->nvalues; i++)
			if (strcasecmp(c->values[i], c->values[c->nvalues]) == 0) {
				free(c->values[c->nvalues]);
				return -1;
			}
		c->nvalues++;
		if (!bar)
			break;
		p = bar + 1;
		while (*p == ' ')
			p++;
	}
	return c->nvalues > 0 ? 0 : -1;
}

static int on_dataset_key(struct parse_state *st, const char *key, const char *value)
{
	struct bk_dataset *ds = st->ds;

	if (strcmp(key, "name") == 0) {
		if (!ident_ok(value, BK_DATASET_NAME_MAX))
			return fail_at(st, key, "dataset name must be a-z, 0-9, '_' (starting with a letter)");
		memcpy(ds->name, value, strlen(value) + 1);
	} else if (strcmp(key, "title") == 0) {
		snprintf(ds->title, sizeof(ds->title), "%s", value);
	} else if (strcmp(key, "retention") == 0) {
		if (parse_retention(value, &ds->retention_days))
			return fail_at(st, key, "retention must be like 90d, 18m or 10y");
	} else if (strcmp(key, "approvals") == 0) {
		if (strcmp(value, "1") != 0 && strcmp(value, "2") != 0)
			return fail_at(st, key, "approvals must be 1 or 2 (different approvers of an extract)");
		ds->approvals = (unsigned)(value[0] - '0');
	} else if (strcmp(key, "scope") == 0) {
		snprintf(st->scope, sizeof(st->scope), "%s", value);
	} else if (strcmp(key, "subject") == 0) {
		snprintf(st->subject, sizeof(st->subject), "%s", value);
	} else {
		return fail_at(st, key, "unknown key '%.32s' in [dataset]", key);
	}
	return 1;
}

/* "dataset.column", both names as a schema writes them. */
static int references_ok(const char *value)
{
	const char *dot = strchr(value, '.');
	char ds_name[BK_DATASET_NAME_MAX + 1];

	if (!dot || (size_t)(dot - value) > BK_DATASET_NAME_MAX)
		return 0;
	memcpy(ds_name, value, (size_t)(dot - value));
	ds_name[dot - value] = '\0';
	return ident_ok(ds_name, BK_DATASET_NAME_MAX) && ident_ok(dot + 1, BK_COLUMN_NAME_MAX);
}

static int on_column_key(struct parse_state *st, struct bk_column *c, size_t idx, const char *key, const char *value)
{
	static const char *const classes[] = {"", "identifier", "secret", "quasi", "sensitive", "public"};

	if (strcmp(key, "type") == 0) {
		unsigned t;

		for (t = 0; t < BK_TYPE_COUNT && strcmp(value, bk_coltype_name(t)) != 0; t++)
			;
		if (t == BK_TYPE_COUNT)
			return fail_at(st, key, "unknown type '%.32s' (text, int, date, enum, region, nik, phone, score1to4)",
				       value);
		c->type = (enum bk_coltype)t;
		st->has_type[idx] = 1;
	} else if (strcmp(key, "class") == 0) {
		unsigned k;

		for (k = 1; k < BK_COL_COUNT && strcmp(value, classes[k]) != 0; k++)
			;
		if (k == BK_COL_COUNT)
			return fail_at(st, key, "unknown class '%.32s' (identifier, secret, quasi, sensitive, public)",
				       value);
		c->cls = (enum bk_colclass)k;
		st->has_class[idx] = 1;
	} else if (strcmp(key, "required") == 0) {
		if (parse_yes(value, &c->required))
			return fail_at(st, key, "required must be yes or no");
	} else if (strcmp(key, "index") == 0) {
		if (strcmp(value, "blind") != 0)
			return fail_at(st, key, "index must be 'blind'");
		c->blind_index = 1;
	} else if (strcmp(key, "values") == 0) {
		if (parse_values(c, value))
			return fail_at(st, key, "values must be 1 to 64 distinct names separated by '|'");
	} else if (strcmp(key, "min") == 0 || strcmp(key, "max") == 0) {
		if (parse_ll(value, key[1] == 'i' ? &c->min : &c->max))
			return fail_at(st, key, "%s must be an integer", key);
	} else if (strcmp(key, "max_length") == 0) {
		long long n;

		if (parse_ll(value, &n) || n < 1 || n > 1000000)
			return fail_at(st, key, "max_length must be 1 to 1000000");
		c->max_length = (size_t)n;
	} else if (strcmp(key, "level") == 0) {
		if (strcmp(value, "desa") == 0)
			c->level = BK_REGION_DESA;
		else if (strcmp(value, "kecamatan") == 0)
			c->level = BK_REGION_KECAMATAN;
		else
			return fail_at(st, key, "level must be desa or kecamatan");
	} else if (strcmp(key, "hierarchy") == 0) {
		if (strlen(value) >= sizeof(c->hierarchy))
			return fail_at(st, key, "hierarchy is too long");
		memcpy(c->hierarchy, value, strlen(value) + 1);
	} else if (strcmp(key, "unique") == 0) {
		if (parse_yes(value, &c->unique))
			return fail_at(st, key, "unique must be yes or no");
	} else if (strcmp(key, "future") == 0) {
		if (parse_yes(value, &c->future))
			return fail_at(st, key, "future must be yes or no");
	} else if (strcmp(key, "references") == 0) {
		if (!references_ok(value))
			return fail_at(st, key, "references must be DATASET.COLUMN (a-z, 0-9, '_')");
		memcpy(c->references, value, strlen(value) + 1);
	} else {
		return fail_at(st, key, "unknown key '%.32s' in a column", key);
	}
	return 1;
}

/* Records key for one section (a column index, or BK_COLUMNS_MAX for
 * [dataset]); returns 1 when it was already there. */
static int key_seen(struct parse_state *st, size_t section, const char *key)
{
	char *list = st->seen_keys[section];
	char probe[48];
	size_t n = strlen(list);

	snprintf(probe, sizeof(probe), ",%.40s,", key);
	if (strstr(list, probe))
		return 1;
	if (n + strlen(probe) < sizeof(st->seen_keys[0]))
		snprintf(list + n, sizeof(st->seen_keys[0]) - n, "%s", n ? probe + 1 : probe);
	return 0;
}

static int on_entry(void *user, const char *section, const char *key, const char *value)
{
	struct parse_state *st = user;
	struct bk_dataset *ds = st->ds;
	const char *colname;
	struct bk_column *c;
	size_t idx;

	if (st->error[0])
		return 0;
	if (strcmp(section, "dataset") == 0) {
		if (key_seen(st, BK_COLUMNS_MAX, key))
			return fail_at(st, key, "'%.32s' is given twice in [dataset]", key);
		st->have_dataset = 1;
		return on_dataset_key(st, key, value);
	}
	if (strncmp(section, "column.", 7) != 0)
		return fail_at(st, key, "unknown section [%.40s]", section);
	colname = section + 7;
	if (!ident_ok(colname, BK_COLUMN_NAME_MAX))
		return fail_at(st, key, "column name '%.40s' must be a-z, 0-9, '_'", colname);
	if (reserved_column(colname))
		return fail_at(st, key, "column name '%.40s' is reserved for the vault's own use", colname);
	/* sections arrive in file order; a repeated section continues the last column only */
	if (ds->ncols == 0 || strcmp(ds->cols[ds->ncols - 1].name, colname) != 0) {
		if (bk_dataset_column(ds, colname) >= 0)
			return fail_at(st, key, "column '%.40s' declared twice", colname);
		if (ds->ncols >= BK_COLUMNS_MAX)
			return fail_at(st, key, "more than 64 columns");
		c = &ds->cols[ds->ncols++];
		memset(c, 0, sizeof(*c));
		memcpy(c->name, colname, strlen(colname) + 1);
		c->max_length = 1000;
		c->min = -1000000000000LL;
		c->max = 1000000000000LL;
		c->level = BK_REGION_DESA;
	}
	idx = ds->ncols - 1;
	c = &ds->cols[idx];
	/* a key twice is an error; so a [column.X] repeated right after itself is caught at its first key */
	if (key_seen(st, idx, key))
		return fail_at(st, key, "'%.32s' is given twice for column '%.40s'", key, colname);
	return on_column_key(st, c, idx, key, value);
}

/* Column (1-based) of key's value on that line, for FILE:LINE:COLUMN. */
static size_t value_column(const char *text, int line, const char *key)
{
	const char *p = text;

	for (int l = 1; l < line && p; l++) {
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	if (!p)
		return 1;
	{
		const char *eq = strchr(p, '=');
		const char *nl = strchr(p, '\n');
		const char *k = key[0] ? strstr(p, key) : NULL;

		if (eq && (!nl || eq < nl) && k && k < eq) {
			eq++;
			while (*eq == ' ')
				eq++;
			return (size_t)(eq - p) + 1;
		}
	}
	return 1;
}

/* Where key's value stands in [section] of the schema text, for the errors
 * found only once the whole schema is read: *line_p and *col_p (1-based), or
 * the section header (column 1), or line 1 when neither is there. */
static void find_key(const char *text, const char *section, const char *key, size_t *line_p, size_t *col_p)
{
	size_t line = 1, slen = strlen(section), klen = strlen(key);
	int in = 0;

	*line_p = 1;
	*col_p = 1;
	for (const char *p = text; *p; line++) {
		const char *nl = strchr(p, '\n'), *end = nl ? nl : p + strlen(p), *q = p;

		while (q < end && (*q == ' ' || *q == '\t'))
			q++;
		if (*q == '[') {
			in = (size_t)(end - q) > slen + 1 && strncmp(q + 1, section, slen) == 0 && q[slen + 1] == ']';
			if (in) {
				*line_p = line;
				*col_p = (size_t)(q - p) + 1;
			}
		} else if (in && (size_t)(end - q) > klen && strncmp(q, key, klen) == 0 &&
			   (q[klen] == ' ' || q[klen] == '\t' || q[klen] == '=')) {
			*line_p = line;
			*col_p = value_column(text, (int)line, key);
			return;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
}

/* An error about a whole schema, placed at key of [section]. */
BK_PRINTF(4, 5) static bk_status fail_key(const struct parse_state *st, const char *section, const char *key,
					  const char *fmt, ...)
{
	char why[320];
	size_t line, col;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	find_key(st->text, section, key, &line, &col);
	return bk_fail(BK_ERR_FORMAT, "%s:%zu:%zu: %s", st->file, line, col, why);
}

static bk_status check_dataset(struct parse_state *st)
{
	struct bk_dataset *ds = st->ds;

	if (!st->have_dataset || !ds->name[0])
		return bk_fail(BK_ERR_FORMAT, "%s:1:1: a [dataset] section with a name is required", st->file);
	if (ds->ncols == 0)
		return bk_fail(BK_ERR_FORMAT, "%s:1:1: the dataset declares no [column.NAME] sections", st->file);
	for (size_t i = 0; i < ds->ncols; i++) {
		struct bk_column *c = &ds->cols[i];
		char sec[BK_COLUMN_NAME_MAX + 8];

		snprintf(sec, sizeof(sec), "column.%s", c->name);
		if (!st->has_type[i] || !st->has_class[i])
			return fail_key(st, sec, st->has_type[i] ? "class" : "type", "column '%s' needs a type and a class",
					c->name);
		if ((c->type == BK_TYPE_ENUM) != (c->nvalues > 0))
			return fail_key(st, sec, c->nvalues ? "values" : "type",
					"column '%s': values are for enum columns, and enums need them", c->name);
		if (c->blind_index && (c->type != BK_TYPE_NIK || c->cls != BK_COL_IDENTIFIER))
			return fail_key(st, sec, "index", "column '%s': a blind index is for nik identifier columns",
					c->name);
		if (c->type == BK_TYPE_NIK && c->cls != BK_COL_IDENTIFIER)
			return fail_key(st, sec, "class", "column '%s': a NIK is always an identifier", c->name);
		if (c->min > c->max)
			return fail_key(st, sec, "max", "column '%s': min is above max", c->name);
		if (c->hierarchy[0] && c->cls != BK_COL_QUASI)
			return fail_key(st, sec, "hierarchy", "column '%s': only quasi columns have a hierarchy", c->name);
		if (c->unique && (c->type != BK_TYPE_TEXT || c->cls == BK_COL_IDENTIFIER || c->cls == BK_COL_SECRET))
			return fail_key(st, sec, "unique", "column '%s': unique is for plain text columns", c->name);
		if (c->future && c->type != BK_TYPE_DATE)
			return fail_key(st, sec, "future", "column '%s': future is for date columns", c->name);
		if (c->references[0] && (c->type != BK_TYPE_TEXT || c->cls == BK_COL_IDENTIFIER || c->cls == BK_COL_SECRET))
			return fail_key(st, sec, "references", "column '%s': references is for plain text columns", c->name);
		/* a hierarchy that does not form a tree would only fail at the first extract */
		if (c->hierarchy[0] && bk_hierarchy_check(c) != BK_OK) {
			char why[256];

			snprintf(why, sizeof(why), "%s", bk_error_detail());
			return fail_key(st, sec, "hierarchy", "%s", why);
		}
	}
	ds->scope_col = st->scope[0] ? bk_dataset_column(ds, st->scope) : -1;
	ds->subject_col = st->subject[0] ? bk_dataset_column(ds, st->subject) : -1;
	if (st->scope[0] && (ds->scope_col < 0 || (ds->cols[ds->scope_col].type != BK_TYPE_REGION &&
						    ds->cols[ds->scope_col].type != BK_TYPE_NIK) ||
			     !ds->cols[ds->scope_col].required))
		return fail_key(st, "dataset", "scope", "scope must name a required region or nik column");
	if (st->subject[0] && (ds->subject_col < 0 || ds->cols[ds->subject_col].type != BK_TYPE_NIK))
		return fail_key(st, "dataset", "subject", "subject must name a nik column");
	if (bk_dataset_has_sealed(ds) && ds->scope_col < 0) {
		char section[BK_COLUMN_NAME_MAX + 8] = "dataset";

		/* at the first sealed column's class: that is what needs the scope */
		for (size_t i = 0; i < ds->ncols; i++)
			if (ds->cols[i].cls == BK_COL_IDENTIFIER || ds->cols[i].cls == BK_COL_SECRET) {
				snprintf(section, sizeof(section), "column.%s", ds->cols[i].name);
				break;
			}
		return fail_key(st, section, "class",
				"identifier and secret columns are sealed per kecamatan: the dataset needs a scope "
				"column");
	}
	return BK_OK;
}

bk_status bk_dataset_parse(struct bk_dataset *ds, const char *name, const char *text, size_t len)
{
	struct parse_state st;
	size_t line = 1, col = 0;
	int rc;

	memset(ds, 0, sizeof(*ds));
	ds->scope_col = ds->subject_col = -1;
	ds->approvals = 1;
	if (len > SCHEMA_MAX)
		return bk_fail(BK_ERR_FORMAT, "%s: larger than %d bytes", name, SCHEMA_MAX);
	/* what inih would silently mangle: NUL bytes and long lines */
	for (size_t i = 0; i < len; i++, col++) {
		if (text[i] == '\0')
			return bk_fail(BK_ERR_FORMAT, "%s:%zu:%zu: NUL byte", name, line, col + 1);
		if (text[i] == '\n') {
			line++;
			col = (size_t)-1;
		} else if (col >= LINE_MAX_INI) {
			return bk_fail(BK_ERR_FORMAT, "%s:%zu:%d: line longer than %d characters", name, line,
				       LINE_MAX_INI + 1, LINE_MAX_INI);
		}
	}
	memset(&st, 0, sizeof(st));
	st.ds = ds;
	st.file = name;
	st.text = text;
	rc = ini_parse_string(text, on_entry, &st);
	if (rc != 0 && (rc == -2 || bk_alloc_failed())) {
		bk_dataset_release(ds);
		return bk_fail(BK_ERR_NOMEM, "%s: out of memory while reading the schema", name);
	}
	if (rc != 0) {
		bk_status err;

		if (st.error[0])
			err = bk_fail(BK_ERR_FORMAT, "%s:%d:%zu: %s", name, rc, value_column(text, rc, st.error_key),
				      st.error);
		else
			err = bk_fail(BK_ERR_FORMAT, "%s:%d:1: not a 'key = value' line or a [section]", name, rc);
		bk_dataset_release(ds);
		return err;
	}
	if (check_dataset(&st) != BK_OK) {
		char detail[512];

		snprintf(detail, sizeof(detail), "%s", bk_error_detail());
		bk_dataset_release(ds);
		return bk_fail(BK_ERR_FORMAT, "%s", detail);
	}
	ds->source = strndup(text, len);
	if (!ds->source) {
		bk_dataset_release(ds);
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	}
	return BK_OK;
}

void bk_dataset_release(struct bk_dataset *ds)
{
	for (size_t i = 0; i < ds->ncols; i++)
		for (size_t j = 0; j < ds->cols[i].nvalues; j++)
			free(ds->cols[i].values[j]);
	free(ds->source);
	memset(ds, 0, sizeof(*ds));
	ds->scope_col = ds->subject_col = -1;
}

/* --- registry and tables --- */

static const char *sql_type(const struct bk_column *c)
{
	return c->type == BK_TYPE_INT || c->type == BK_TYPE_SCORE1TO4 ? "INTEGER" : "TEXT";
}

bk_status bk_dataset_store(sqlite3 *db, const struct bk_dataset *ds)
{
	char *sql = NULL;
	size_t cap = 8192, n = 0;
	sqlite3_stmt *st = NULL;
	bk_status rc = BK_OK;
	int src;

	src = sqlite3_prepare_v2(db, "INSERT INTO datasets (name, schema, created) VALUES (?, ?, "
				     "strftime('%Y-%m-%dT%H:%M:%SZ','now'))", -1, &st, NULL);
	if (src == SQLITE_OK)
		src = sqlite3_bind_text(st, 1, ds->name, -1, SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = sqlite3_bind_text(st, 2, ds->source, -1, SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = sqlite3_step(st);
	sqlite3_finalize(st);
	if (src == SQLITE_CONSTRAINT)
		return bk_fail(BK_ERR_EXISTS, "dataset '%s' already exists", ds->name);
	if (src != SQLITE_DONE)
		return bk_db_status(db, src, "registering the dataset");
	sql = malloc(cap);
	if (!sql)
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	/* names were checked to be [a-z][a-z0-9_]*: safe inside quotes */
	n += (size_t)snprintf(sql + n, cap - n,
			      "CREATE TABLE \"ds_%s\" (id INTEGER PRIMARY KEY, batch INTEGER NOT NULL, "
			      "created TEXT NOT NULL, kecamatan TEXT, subject INTEGER, sealed BLOB",
			      ds->name);
	for (size_t i = 0; i < ds->ncols; i++) {
		const struct bk_column *c = &ds->cols[i];

		if (c->blind_index)
			n += (size_t)snprintf(sql + n, cap - n, ", \"%s_bi\" INTEGER", c->name);
		if (c->cls != BK_COL_IDENTIFIER && c->cls != BK_COL_SECRET)
			n += (size_t)snprintf(sql + n, cap - n, ", \"%s\" %s", c->name, sql_type(c));
	}
	n += (size_t)snprintf(sql + n, cap - n, ")");
	if (n >= cap)
		rc = bk_fail(BK_ERR_STATE, "dataset schema too large");
	else if ((rc = bk_db_exec(db, sql)) == BK_OK)
		rc = bk_dataset_indexes(db, "main", ds, 1);
	free(sql);
	return rc;
}

bk_status bk_dataset_indexes(sqlite3 *db, const char *schema, const struct bk_dataset *ds, int create)
{
	char sql[4096];
	size_t n = 0;

	/* schema is "main" or a store's kec_..., names are checked: safe inside quotes */
	if (create)
		n += (size_t)snprintf(sql + n, sizeof(sql) - n,
				      "CREATE INDEX \"%s\".\"ds_%s_kecamatan\" ON \"ds_%s\" (kecamatan);", schema, ds->name,
				      ds->name);
	else
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, "DROP INDEX \"%s\".\"ds_%s_kecamatan\";", schema,
				      ds->name);
	for (size_t i = 0; i < ds->ncols && n < sizeof(sql); i++) {
		if (!ds->cols[i].blind_index)
			continue;
		if (create)
			n += (size_t)snprintf(sql + n, sizeof(sql) - n,
					      "CREATE INDEX \"%s\".\"ds_%s_%s_bi\" ON \"ds_%s\" (\"%s_bi\");", schema,
					      ds->name, ds->cols[i].name, ds->name, ds->cols[i].name);
		else
			n += (size_t)snprintf(sql + n, sizeof(sql) - n, "DROP INDEX \"%s\".\"ds_%s_%s_bi\";", schema,
					      ds->name, ds->cols[i].name);
	}
	if (n >= sizeof(sql))
		return bk_fail(BK_ERR_STATE, "dataset schema too large");
	return bk_db_exec(db, sql);
}

bk_status bk_dataset_load(sqlite3 *db, const char *name, struct bk_dataset *ds)
{
	sqlite3_stmt *st = NULL;
	bk_status rc;
	int src;

	memset(ds, 0, sizeof(*ds));
	ds->scope_col = ds->subject_col = -1;
	src = sqlite3_prepare_v2(db, "SELECT schema FROM datasets WHERE name = ?", -1, &st, NULL);
	if (src == SQLITE_OK)
		src = sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	if (src == SQLITE_OK)
		src = sqlite3_step(st);
	if (src == SQLITE_ROW) {
		const char *schema = (const char *)sqlite3_column_text(st, 0);
		int len = sqlite3_column_bytes(st, 0);

		rc = schema ? bk_dataset_parse(ds, name, schema, (size_t)len)
		     : sqlite3_errcode(db) == SQLITE_NOMEM ? bk_fail(BK_ERR_NOMEM, "out of memory")
							  : bk_fail(BK_ERR_CORRUPT, "empty schema");
		if (rc != BK_OK && rc != BK_ERR_NOMEM)
			rc = bk_fail(BK_ERR_CORRUPT, "vault.db: the schema of dataset '%s' does not parse", name);
	} else if (src == SQLITE_DONE) {
		bk_hint("'brankas dataset list' shows the datasets");
		rc = bk_fail(BK_ERR_NOTFOUND, "no dataset '%.32s'", name);
	} else {
		rc = bk_db_status(db, src, "reading a schema");
	}
	sqlite3_finalize(st);
	return rc;
}

bk_status bk_dataset_names(sqlite3 *db, char ***names_p, size_t *n_p)
{
	sqlite3_stmt *st = NULL;
	char **names = NULL;
	size_t n = 0;
	bk_status rc = BK_OK;
	int src;

	*names_p = NULL;
	*n_p = 0;
	src = sqlite3_prepare_v2(db, "SELECT name FROM datasets ORDER BY name", -1, &st, NULL);
	while (src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
		char **grown = realloc(names, (n + 1) * sizeof(*names));

		if (!grown || !(grown[n] = strdup((const char *)sqlite3_column_text(st, 0)))) {
			names = grown ? grown : names;
			rc = bk_fail(BK_ERR_NOMEM, "out of memory");
			break;
		}
		names = grown;
		n++;
		src = SQLITE_OK;
	}
	if (rc == BK_OK && src != SQLITE_DONE)
		rc = bk_db_status(db, src, "listing datasets");
	sqlite3_finalize(st);
	if (rc != BK_OK) {
		bk_dataset_names_free(names, n);
		return rc;
	}
	*names_p = names;
	*n_p = n;
	return BK_OK;
}

void bk_dataset_names_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

bk_status bk_dataset_template(const struct bk_dataset *ds, char **line_p)
{
	size_t cap = ds->ncols * (BK_COLUMN_NAME_MAX + 1) + 2, n = 0;
	char *line = malloc(cap);

	*line_p = NULL;
	if (!line)
		return bk_fail(BK_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < ds->ncols; i++)
		n += (size_t)snprintf(line + n, cap - n, "%s%s", i ? "," : "", ds->cols[i].name);
	*line_p = line;
	return BK_OK;
}

/* --- the built-in profile (DESIGN §6) --- */

/* The levels Dukcapil records, with the madrasah (MI, MTs, MA) and vocational
 * (SMK) schools beside their general peers, grouped as the national levels */
#define EDU "tidak sekolah|belum tamat SD|SD|MI|SMP|MTs|SMA|SMK|MA|D1|D2|D3|D4|S1|S2|S3"
#define EDU_GROUPS                                                                                                     \
	"dasar=tidak sekolah/belum tamat SD/SD/MI/SMP/MTs;menengah=SMA/SMK/MA;tinggi=D1/D2/D3/D4/S1/S2/S3"

static const char profile_inovasi[] =
	"[dataset]\nname = inovasi\ntitle = Inovasi daerah (registry, IID fields)\n\n"
	"[column.kode]\ntype = text\nclass = public\nrequired = yes\nmax_length = 40\nunique = yes\n"
	"[column.nama]\ntype = text\nclass = public\nrequired = yes\nmax_length = 200\n"
	"[column.opd]\ntype = text\nclass = public\nrequired = yes\nmax_length = 200\n"
	"[column.jenis]\ntype = enum\nclass = public\nrequired = yes\nvalues = digital|non digital\n"
	"[column.bentuk]\ntype = enum\nclass = public\nrequired = yes\n"
	"values = tata kelola pemerintahan|pelayanan publik|lainnya\n"
	"[column.tahapan]\ntype = enum\nclass = public\nrequired = yes\nvalues = inisiatif|uji coba|penerapan\n"
	"[column.urusan]\ntype = text\nclass = public\nmax_length = 200\n"
	"[column.inisiator]\ntype = text\nclass = public\nmax_length = 200\n"
	"[column.tanggal_uji_coba]\ntype = date\nclass = public\nfuture = yes\n"
	"[column.tanggal_penerapan]\ntype = date\nclass = public\nfuture = yes\n"
	"[column.cakupan]\ntype = text\nclass = public\nmax_length = 2000\n"
	"[column.deskripsi]\ntype = text\nclass = public\nmax_length = 4000\n";

static const char profile_warga[] =
	"[dataset]\nname = warga\ntitle = Warga (data subjects)\nretention = 10y\nscope = desa\nsubject = nik\n\n"
	"[column.nik]\ntype = nik\nclass = identifier\nrequired = yes\nindex = blind\n"
	"[column.nama]\ntype = text\nclass = identifier\nrequired = yes\nmax_length = 200\n"
	"[column.telepon]\ntype = phone\nclass = identifier\n"
	"[column.tanggal_lahir]\ntype = date\nclass = quasi\nrequired = yes\nhierarchy = month,quarter,year\n"
	"[column.jenis_kelamin]\ntype = enum\nclass = quasi\nrequired = yes\nvalues = L|P\n"
	"[column.desa]\ntype = region\nlevel = desa\nclass = quasi\nrequired = yes\nhierarchy = kecamatan,kabupaten\n"
	"[column.pendidikan]\ntype = enum\nclass = quasi\nvalues = " EDU "\nhierarchy = " EDU_GROUPS "\n"
	"[column.pekerjaan]\ntype = text\nclass = quasi\nmax_length = 100\n"
	"[column.disabilitas]\ntype = enum\nclass = sensitive\n"
	"values = tidak|fisik|sensorik|intelektual|mental|ganda\n";

static const char profile_pemanfaatan[] =
	"[dataset]\nname = pemanfaatan\ntitle = Pemanfaatan (service use)\nretention = 5y\nscope = desa\n"
	"subject = nik\n\n"
	"[column.nik]\ntype = nik\nclass = identifier\nrequired = yes\nindex = blind\n"
	"[column.kode_inovasi]\ntype = text\nclass = public\nrequired = yes\nmax_length = 40\nreferences = inovasi.kode\n"
	"[column.tanggal]\ntype = date\nclass = quasi\nrequired = yes\nhierarchy = month,quarter,year\n"
	"[column.kanal]\ntype = enum\nclass = public\nrequired = yes\nvalues = daring|luring\n"
	"[column.desa]\ntype = region\nlevel = desa\nclass = quasi\nrequired = yes\nhierarchy = kecamatan,kabupaten\n";

#define U(n) "[column.u" #n "]\ntype = score1to4\nclass = sensitive\nrequired = yes\n"
static const char profile_skm[] =
	"[dataset]\nname = skm\ntitle = SKM answers (PermenPANRB 14/2017)\nretention = 5y\nscope = desa\n"
	"subject = nik\n\n"
	"[column.kode_inovasi]\ntype = text\nclass = public\nrequired = yes\nmax_length = 40\nreferences = inovasi.kode\n"
	"[column.tanggal]\ntype = date\nclass = quasi\nrequired = yes\nhierarchy = month,quarter,year\n"
	U(1) U(2) U(3) U(4) U(5) U(6) U(7) U(8) U(9)
	"[column.u10]\ntype = score1to4\nclass = sensitive\n"
	"[column.saran]\ntype = text\nclass = secret\nmax_length = 2000\n"
	"[column.umur]\ntype = int\nclass = quasi\nmin = 10\nmax = 120\nhierarchy = 5,10,20\n"
	"[column.jenis_kelamin]\ntype = enum\nclass = quasi\nvalues = L|P\n"
	"[column.pendidikan]\ntype = enum\nclass = quasi\nvalues = " EDU "\nhierarchy = " EDU_GROUPS "\n"
	"[column.pekerjaan]\ntype = text\nclass = quasi\nmax_length = 100\n"
	"[column.desa]\ntype = region\nlevel = desa\nclass = quasi\nrequired = yes\nhierarchy = kecamatan,kabupaten\n"
	"[column.nik]\ntype = nik\nclass = identifier\nindex = blind\n";
#undef U

static const char profile_pengaduan[] =
	"[dataset]\nname = pengaduan\ntitle = Pengaduan (complaints)\nretention = 5y\nscope = nik\nsubject = nik\n\n"
	"[column.nik]\ntype = nik\nclass = identifier\nrequired = yes\nindex = blind\n"
	"[column.kode_inovasi]\ntype = text\nclass = public\nrequired = yes\nmax_length = 40\nreferences = inovasi.kode\n"
	"[column.tanggal]\ntype = date\nclass = quasi\nrequired = yes\nhierarchy = month,quarter,year\n"
	"[column.kategori]\ntype = enum\nclass = public\nrequired = yes\n"
	"values = layanan lambat|petugas|aplikasi error|informasi tidak jelas|biaya|lainnya\n"
	"[column.isi]\ntype = text\nclass = secret\nrequired = yes\nmax_length = 4000\n"
	"[column.status]\ntype = enum\nclass = public\nrequired = yes\nvalues = baru|diproses|selesai\n"
	"[column.tanggal_selesai]\ntype = date\nclass = quasi\nhierarchy = month,quarter,year\n";

const char *const bk_profile_inovasi[] = {
	profile_inovasi, profile_warga, profile_pemanfaatan, profile_skm, profile_pengaduan,
};
const size_t bk_profile_inovasi_count = sizeof(bk_profile_inovasi) / sizeof(bk_profile_inovasi[0]);
