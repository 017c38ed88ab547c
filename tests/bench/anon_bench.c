/* anon_bench.c - the anonymization engine on a synthetic table: ROWS rows of
 * five quasi columns shaped like Kabupaten Blitar's residents,
 *
 *   umur            int 0-99, hierarchy 5,10,20       100 -> 20 -> 10 -> 5 -> *
 *   jenis_kelamin   enum L|P                          2 -> *
 *   kecamatan       region (kecamatan), no hierarchy  22 -> *   (where the service was used:
 *                                                     the resident's own kecamatan 4 times in 5)
 *   desa            region (desa), hierarchy kecamatan 248 -> 22 -> *   (the built-in region file)
 *   pendidikan      enum of 8, three groups           8 -> 3 -> *
 *
 * and optionally a sensitive column (disabilitas, 6 values, 1 row in 12 not
 * "tidak"). The dictionary encoding is built the way the extract code does it:
 * each distinct value labelled at every level with bk_hierarchy_label. Then
 * bk_anon_run is timed alone, and bk_anon_verify_release on the released rows.
 *
 *   anon_bench [-n ROWS] [-k K] [-s SUPPRESSION_PCT] [-l L [-e]]   (-e: entropy l-diversity)
 *
 * Peak memory is the process's (getrusage), input included. A benchmark is not
 * a test: nothing here fails on a slow figure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "vault/release/anon.h"
#include "vault/schema/hierarchy.h"

#define NQ 5
#define LABEL 48

/* One column's dictionary: labels[level][code]. */
struct dict {
	size_t nlevels, ncodes[BK_ANON_LEVELS_MAX];
	char (*labels[BK_ANON_LEVELS_MAX])[LABEL];
	uint32_t *up[BK_ANON_LEVELS_MAX];
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng_state = 0x2545f4914f6cdd1dULL;

static uint64_t rng(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double uniform(void)
{
	return (double)(rng() >> 11) / 9007199254740992.0;
}

static void die(const char *what)
{
	fprintf(stderr, "anon_bench: %s: %s\n", what, bk_error_detail());
	exit(1);
}

/* Builds the codes of a column from its distinct level-0 values. */
static void build_dict(struct dict *d, const struct bk_column *col, const struct bk_regions *regions,
		       const char *const *values, size_t nvalues)
{
	uint32_t *code_of = malloc(nvalues * sizeof(*code_of)), *prev = malloc(nvalues * sizeof(*prev));

	if (bk_hierarchy_check(col) != BK_OK)
		die(col->name);
	memset(d, 0, sizeof(*d));
	d->nlevels = bk_hierarchy_levels(col);
	for (size_t j = 0; j < d->nlevels; j++) {
		d->labels[j] = calloc(nvalues, LABEL);
		for (size_t v = 0; v < nvalues; v++) {
			char label[LABEL];
			size_t c;

			if (bk_hierarchy_label(col, regions, j, values[v], label, sizeof(label)) != BK_OK)
				die(col->name);
			for (c = 0; c < d->ncodes[j] && strcmp(d->labels[j][c], label) != 0; c++)
				;
			if (c == d->ncodes[j])
				memcpy(d->labels[j][d->ncodes[j]++], label, LABEL);
			code_of[v] = (uint32_t)c;
		}
		if (j > 0) {
			/* the levels must form a tree: one code up for every code, whichever value reaches it */
			d->up[j - 1] = malloc(d->ncodes[j - 1] * sizeof(uint32_t));
			memset(d->up[j - 1], 0xff, d->ncodes[j - 1] * sizeof(uint32_t));
			for (size_t v = 0; v < nvalues; v++) {
				if (d->up[j - 1][prev[v]] != UINT32_MAX && d->up[j - 1][prev[v]] != code_of[v]) {
					bk_fail(BK_ERR_FORMAT, "column '%s': a label of level %zu has two above it", col->name,
						j - 1);
					die("hierarchy");
				}
				d->up[j - 1][prev[v]] = code_of[v];
			}
		}
		memcpy(prev, code_of, nvalues * sizeof(*prev));
	}
	free(code_of);
	free(prev);
}

/* Distinct quasi tuples, for the figure only (outside the timing): a sort of packed keys. */
static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static size_t distinct_rows(const uint32_t *quasi, size_t n)
{
	uint64_t *keys = malloc((n ? n : 1) * sizeof(*keys));
	size_t d = 0;

	for (size_t r = 0; r < n; r++) {
		const uint32_t *q = quasi + r * NQ;

		keys[r] = (((((uint64_t)q[0] * 2 + q[1]) * 32 + q[2]) * 256 + q[3]) * 8) + q[4];
	}
	qsort(keys, n, sizeof(*keys), cmp_u64);
	for (size_t r = 0; r < n; r++)
		d += r == 0 || keys[r] != keys[r - 1];
	free(keys);
	return d;
}

static long rss_now_kib(void)
{
	long pages = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
			resident = 0;
		fclose(f);
	}
	return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static long peak_rss_kib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

int main(int argc, char **argv)
{
	size_t n = 1000000, k = 5, l = 0, pct = 5;
	enum bk_ldiv ldiv = BK_LDIV_NONE;
	struct bk_regions regions;
	struct bk_column cols[NQ];
	struct dict dicts[NQ];
	const char *age_values[100], *sex_values[] = {"L", "P"};
	const char *kec_values[32], *desa_values[300];
	static char age_text[100][4];
	static char *edu[] = {"tidak sekolah", "SD", "SMP", "SMA", "D3", "S1", "S2", "S3"};
	static const double edu_p[] = {0.10, 0.30, 0.20, 0.25, 0.05, 0.08, 0.015, 0.005};
	static const char *dis[] = {"tidak", "fisik", "sensorik", "intelektual", "mental", "ganda"};
	size_t nkec = 0, ndesa = 0;
	uint32_t desa_kec[300];
	uint32_t *quasi, *sens = NULL;
	struct bk_anon_input in;
	struct bk_anon_result res;
	const char **qcells, **scells = NULL;
	double t0, t_run, t_verify;
	long rss_input;
	size_t ndistinct;
	int opt;

	while ((opt = getopt(argc, argv, "n:k:s:l:e")) != -1) {
		if (opt == 'n')
			n = strtoul(optarg, NULL, 10);
		else if (opt == 'k')
			k = strtoul(optarg, NULL, 10);
		else if (opt == 's')
			pct = strtoul(optarg, NULL, 10);
		else if (opt == 'l')
			l = strtoul(optarg, NULL, 10);
		else if (opt == 'e')
			ldiv = BK_LDIV_ENTROPY;
		else {
			fprintf(stderr, "usage: anon_bench [-n ROWS] [-k K] [-s SUPPRESSION_PCT] [-l L [-e]]\n");
			return 2;
		}
	}
	if (l && ldiv == BK_LDIV_NONE)
		ldiv = BK_LDIV_DISTINCT;
	if (bk_regions_builtin(&regions) != BK_OK)
		die("regions");

	/* the columns, as a schema would declare them */
	memset(cols, 0, sizeof(cols));
	for (size_t i = 0; i < NQ; i++)
		cols[i].cls = BK_COL_QUASI;
	snprintf(cols[0].name, sizeof(cols[0].name), "umur");
	cols[0].type = BK_TYPE_INT;
	snprintf(cols[0].hierarchy, sizeof(cols[0].hierarchy), "5,10,20");
	snprintf(cols[1].name, sizeof(cols[1].name), "jenis_kelamin");
	cols[1].type = BK_TYPE_ENUM;
	cols[1].values[0] = "L";
	cols[1].values[1] = "P";
	cols[1].nvalues = 2;
	snprintf(cols[2].name, sizeof(cols[2].name), "kecamatan");
	cols[2].type = BK_TYPE_REGION;
	cols[2].level = BK_REGION_KECAMATAN;
	snprintf(cols[3].name, sizeof(cols[3].name), "desa");
	cols[3].type = BK_TYPE_REGION;
	cols[3].level = BK_REGION_DESA;
	snprintf(cols[3].hierarchy, sizeof(cols[3].hierarchy), "kecamatan");
	snprintf(cols[4].name, sizeof(cols[4].name), "pendidikan");
	cols[4].type = BK_TYPE_ENUM;
	for (size_t i = 0; i < 8; i++)
		cols[4].values[i] = edu[i];
	cols[4].nvalues = 8;
	snprintf(cols[4].hierarchy, sizeof(cols[4].hierarchy), "dasar=tidak sekolah/SD/SMP;menengah=SMA;tinggi=D3/S1/S2/S3");

	for (size_t a = 0; a < 100; a++) {
		snprintf(age_text[a], sizeof(age_text[a]), "%zu", a);
		age_values[a] = age_text[a];
	}
	for (size_t i = 0; i < regions.count; i++)
		if (regions.items[i].level == BK_REGION_KECAMATAN)
			kec_values[nkec++] = regions.items[i].kode;
	for (size_t i = 0; i < regions.count; i++)
		if (regions.items[i].level == BK_REGION_DESA) {
			for (uint32_t c = 0; c < nkec; c++)
				if (strcmp(kec_values[c], regions.items[i].kode_induk) == 0)
					desa_kec[ndesa] = c;
			desa_values[ndesa++] = regions.items[i].kode;
		}
	build_dict(&dicts[0], &cols[0], &regions, age_values, 100);
	build_dict(&dicts[1], &cols[1], &regions, sex_values, 2);
	build_dict(&dicts[2], &cols[2], &regions, kec_values, nkec);
	build_dict(&dicts[3], &cols[3], &regions, desa_values, ndesa);
	build_dict(&dicts[4], &cols[4], &regions, (const char *const *)edu, 8);

	/* the rows: ages from a pyramid, desa uniform, education skewed */
	quasi = malloc(n * NQ * sizeof(*quasi));
	if (ldiv != BK_LDIV_NONE)
		sens = malloc(n * sizeof(*sens));
	for (size_t r = 0; r < n; r++) {
		uint32_t *q = quasi + r * NQ;
		size_t age, desa = rng() % ndesa, e = 0;
		double u = uniform(), acc = edu_p[0];

		do
			age = rng() % 100;
		while (age >= 60 && uniform() > 1.0 - (double)(age - 59) / 45.0);
		while (u > acc && e < 7)
			acc += edu_p[++e];
		q[0] = (uint32_t)age; /* level-0 codes are in value order */
		q[1] = (uint32_t)(rng() % 2);
		q[3] = (uint32_t)desa;
		q[2] = rng() % 5 ? desa_kec[desa] : (uint32_t)(rng() % nkec);
		q[4] = (uint32_t)e;
		if (sens)
			sens[r] = rng() % 12 ? 0 : 1 + (uint32_t)(rng() % 5);
	}

	memset(&in, 0, sizeof(in));
	in.nrows = n;
	in.nquasi = NQ;
	in.quasi = quasi;
	for (size_t i = 0; i < NQ; i++) {
		in.hier[i].nlevels = dicts[i].nlevels;
		for (size_t j = 0; j < dicts[i].nlevels; j++) {
			in.hier[i].ncodes[j] = dicts[i].ncodes[j];
			in.hier[i].up[j] = dicts[i].up[j];
		}
	}
	in.nsensitive = sens ? 1 : 0;
	in.sensitive = sens;
	in.k = k;
	in.ldiv = ldiv;
	in.l = l;
	in.max_suppressed = n * pct / 100;
	in.risk_threshold = 0.2;

	ndistinct = distinct_rows(quasi, n);
	rss_input = rss_now_kib();
	t0 = now();
	if (bk_anon_run(&in, &res) != BK_OK)
		die("bk_anon_run");
	t_run = now() - t0;
	printf("anon: %zu rows, k=%zu", n, k);
	if (ldiv != BK_LDIV_NONE)
		printf(", %s l-diversity l=%zu on disabilitas", ldiv == BK_LDIV_ENTROPY ? "entropy" : "distinct", l);
	printf(", suppression %zu%%: %zu distinct quasi tuples\n", pct, ndistinct);
	if (!res.found) {
		printf("no node satisfies the model (%zu of %zu nodes checked)\n", res.nodes_checked, res.nodes_total);
	} else {
		printf("chosen: umur L%zu, jenis_kelamin L%zu, kecamatan L%zu, desa L%zu, pendidikan L%zu; loss %.4f\n",
		       res.level[0], res.level[1], res.level[2], res.level[3], res.level[4], res.loss);
		printf("suppressed %zu rows, %zu classes, smallest %zu, risk max %.3f avg %.4f, at risk %.4f; %zu of %zu nodes checked\n",
		       res.nsuppressed, res.nclasses, res.smallest_class, res.risk_max, res.risk_avg, res.share_at_risk,
		       res.nodes_checked, res.nodes_total);
	}
	printf("brankas bk_anon_run: %.0f ms, peak memory %ld MiB (the process: %ld MiB resident before the run, "
	       "%zu MiB of it the coded input)\n",
	       t_run * 1000, peak_rss_kib() / 1024, rss_input / 1024, (n * NQ + (sens ? n : 0)) * sizeof(uint32_t) >> 20);
	printf("baseline: ARX 3.9.2 ≈2.8 s, 780 MB (reported)\n");

	if (res.found) {
		/* the released rows as strings, re-checked */
		size_t m = 0;

		qcells = malloc(res.nreleased * NQ * sizeof(*qcells));
		if (sens)
			scells = malloc(res.nreleased * sizeof(*scells));
		for (size_t r = 0; r < n; r++) {
			if (res.suppressed[r])
				continue;
			for (size_t i = 0; i < NQ; i++) {
				uint32_t c = quasi[r * NQ + i];

				for (size_t j = 0; j < res.level[i]; j++)
					c = dicts[i].up[j][c];
				qcells[m * NQ + i] = dicts[i].labels[res.level[i]][c];
			}
			if (sens)
				scells[m] = dis[sens[r]];
			m++;
		}
		t0 = now();
		if (bk_anon_verify_release(qcells, m, NQ, scells, sens ? 1 : 0, k, ldiv, l) != BK_OK)
			die("bk_anon_verify_release");
		t_verify = now() - t0;
		printf("brankas bk_anon_verify_release over the %zu released rows (strings): %.0f ms\n", m, t_verify * 1000);
		free(qcells);
		free(scells);
	}
	bk_anon_result_release(&res);
	for (size_t i = 0; i < NQ; i++)
		for (size_t j = 0; j < BK_ANON_LEVELS_MAX; j++) {
			free(dicts[i].labels[j]);
			free(dicts[i].up[j]);
		}
	free(quasi);
	free(sens);
	bk_regions_release(&regions);
	return 0;
}
