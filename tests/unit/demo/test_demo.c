/* test_demo.c - the synthetic regency of `brankas demo`: exact headers, row
 * counts, NIK structure (region, DDMMYY +40 for women, serial, uniqueness)
 * checked against birth date, sex and desa, every region code in the built-in
 * list, links between the files, SKM answers, determinism, a 20,000-citizen
 * run with its realism figures, and no partial file under fault injection. */
#include "tests/unit/unit.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csv.h>
#include <sodium.h>

#include "base/fileio.h"
#include "demo/demo.h"
#include "vault/core/regions.h"

/* ---- helpers: what a directory holds, a CSV file in memory ---- */

static size_t count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

struct table {
	size_t ncols, nrows; /* header not counted in nrows */
	char **cell;         /* (nrows + 1) * ncols, row 0 the header */
	size_t cap, nfields, rowfields;
	int bad_row;
};

static void tab_field(void *data, size_t len, void *ctx)
{
	struct table *t = ctx;
	char *s = malloc(len + 1);

	assert_non_null(s);
	memcpy(s, data, len);
	s[len] = '\0';
	if (t->nfields == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 1024;
		t->cell = realloc(t->cell, t->cap * sizeof(*t->cell));
		assert_non_null(t->cell);
	}
	t->cell[t->nfields++] = s;
	t->rowfields++;
}

static void tab_record(int term, void *ctx)
{
	struct table *t = ctx;

	(void)term;
	if (t->ncols == 0)
		t->ncols = t->rowfields;
	else if (t->rowfields != t->ncols)
		t->bad_row = 1;
	else
		t->nrows++;
	t->rowfields = 0;
}

/* Reads dir/name: LF line ends only, a final LF, a header exactly as given,
 * then RFC 4180 through libcsv (strict) with the same column count in every row. */
static void load(struct table *t, const char *dir, enum bk_demo_file f)
{
	struct csv_parser p;
	const char *header = bk_demo_headers[f];
	uint8_t *data;
	size_t len;

	memset(t, 0, sizeof(*t));
	bk_test_read_at(dir, bk_demo_files[f], &data, &len);
	assert_true(len > strlen(header));
	assert_memory_equal(data, header, strlen(header));
	assert_int_equal(data[strlen(header)], '\n');
	assert_null(memchr(data, '\r', len));
	assert_int_equal(data[len - 1], '\n');
	assert_int_equal(csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL), 0);
	assert_int_equal(csv_parse(&p, data, len, tab_field, tab_record, t), len);
	assert_int_equal(csv_fini(&p, tab_field, tab_record, t), 0);
	csv_free(&p);
	free(data);
	assert_false(t->bad_row);
}

static const char *cell(const struct table *t, size_t row, size_t col)
{
	return t->cell[(row + 1) * t->ncols + col];
}

static void unload(struct table *t)
{
	for (size_t i = 0; i < t->nfields; i++)
		free(t->cell[i]);
	free(t->cell);
	memset(t, 0, sizeof(*t));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int in_set(const char *s, const char *const *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, set[i]) == 0)
			return 1;
	return 0;
}
#define IN(s, ...) in_set((s), (const char *const[]){__VA_ARGS__}, \
			  sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))

/* n digits at s */
static int digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* s is exactly n digits */
static int all_digits(const char *s, size_t n)
{
	return digits(s, n) && s[n] == '\0';
}

static int num(const char *s, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/* A valid ISO date: YYYY-MM-DD with a day that exists. */
static int iso_date(const char *s)
{
	static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, m, d;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 4) || !digits(s + 5, 2) ||
	    !digits(s + 8, 2))
		return 0;
	y = num(s, 4), m = num(s + 5, 2), d = num(s + 8, 2);
	if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return 0;
	return m != 2 || d < 29 || (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0));
}

/* Whole years from birth to day, both ISO. */
static int age_at(const char *birth, const char *day)
{
	int a = num(day, 4) - num(birth, 4);

	return strcmp(day + 5, birth + 5) < 0 ? a - 1 : a;
}

static int edu_rank(const char *e)
{
	static const char *const order[] = {"tidak sekolah", "SD", "SMP", "SMA", "D3", "S1", "S2", "S3"};

	for (int i = 0; i < 8; i++)
		if (strcmp(e, order[i]) == 0)
			return i;
	return -1;
}

/* ---- the generated data set and its checks ---- */

struct demo {
	char dir[32];
	struct bk_demo_counts counts;
	struct table t[BK_DEMO_NFILES];
	struct bk_regions regions;
	char **niks;     /* sorted warga NIKs */
	char **used;     /* sorted "NIK KODE" pairs from pemanfaatan */
	size_t nused;
};

static void demo_run(struct demo *d, size_t citizens, uint8_t seed_byte)
{
	struct bk_demo_options o;

	memset(d, 0, sizeof(*d));
	bk_test_tmpdir(d->dir, sizeof(d->dir), "demo");
	bk_demo_options_init(&o);
	o.citizens = citizens;
	o.seed[0] ^= seed_byte;
	assert_int_equal(bk_demo_write(d->dir, &o, &d->counts), BK_OK);
	assert_int_equal(count_entries(d->dir), BK_DEMO_NFILES); /* no temporaries left */
	for (int f = 0; f < BK_DEMO_NFILES; f++) {
		char path[512];
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", d->dir, bk_demo_files[f]);
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_mode & 0777, 0600);
		load(&d->t[f], d->dir, (enum bk_demo_file)f);
		assert_int_equal(d->t[f].nrows, d->counts.rows[f]);
	}
	assert_int_equal(bk_regions_builtin(&d->regions), BK_OK);
}

static void demo_free(struct demo *d)
{
	for (int f = 0; f < BK_DEMO_NFILES; f++)
		unload(&d->t[f]);
	for (size_t i = 0; i < d->nused; i++)
		free(d->used[i]);
	free(d->used);
	free(d->niks);
	bk_regions_release(&d->regions);
	bk_test_rmtree(d->dir);
}

static const struct bk_region *desa_of(const struct demo *d, const char *code)
{
	const struct bk_region *r = bk_regions_find(&d->regions, BK_REGION_DESA, code);

	/* a code, not a name that happens to match */
	return r && strcmp(r->kode, code) == 0 ? r : NULL;
}

static int find_inovasi(const struct demo *d, const char *kode)
{
	const struct table *t = &d->t[BK_DEMO_INOVASI];

	for (size_t i = 0; i < t->nrows; i++)
		if (strcmp(cell(t, i, 0), kode) == 0)
			return (int)i;
	return -1;
}

/* Whether nik is a citizen in warga (check_warga sorted them). */
static int known_nik(const struct demo *d, const char *nik)
{
	const struct table *w = &d->t[BK_DEMO_WARGA];

	return bsearch(&nik, d->niks, w->nrows, sizeof(char *), cmp_str) != NULL;
}

static void check_nik(const char *nik, const char *birth, const char *sex, const char *desa)
{
	int dd;

	assert_true(all_digits(nik, 16));
	assert_memory_equal(nik, "3505", 4);
	assert_memory_equal(nik + 4, desa + 6, 2); /* the kecamatan of the desa */
	dd = num(nik + 6, 2);
	if (strcmp(sex, "P") == 0) {
		assert_true(dd > 40);
		dd -= 40;
	} else {
		assert_string_equal(sex, "L");
		assert_true(dd >= 1 && dd <= 31);
	}
	assert_int_equal(dd, num(birth + 8, 2));
	assert_int_equal(num(nik + 8, 2), num(birth + 5, 2));
	assert_int_equal(num(nik + 10, 2), num(birth + 2, 2));
	assert_true(num(nik + 12, 4) != 0);
}

static void check_warga(struct demo *d)
{
	const struct table *w = &d->t[BK_DEMO_WARGA];

	d->niks = malloc(w->nrows * sizeof(char *) + 1);
	assert_non_null(d->niks);
	for (size_t i = 0; i < w->nrows; i++) {
		const char *nik = cell(w, i, 0), *nama = cell(w, i, 1), *tel = cell(w, i, 2), *birth = cell(w, i, 3);
		const char *sex = cell(w, i, 4), *desa = cell(w, i, 5), *edu = cell(w, i, 6), *job = cell(w, i, 7);
		int age, e = edu_rank(edu);

		assert_true(iso_date(birth));
		assert_true(strcmp(birth, "1930-01-01") >= 0 && strcmp(birth, "2025-12-31") <= 0);
		assert_non_null(desa_of(d, desa));
		check_nik(nik, birth, sex, desa);
		d->niks[i] = (char *)nik;
		assert_true(strlen(nama) >= 2 && strlen(nama) < 80);
		if (tel[0]) {
			assert_memory_equal(tel, "08", 2);
			assert_true(strlen(tel) >= 10 && strlen(tel) <= 13 && all_digits(tel, strlen(tel)));
		}
		assert_true(e >= 0);
		assert_true(IN(job, "petani", "buruh tani", "peternak", "nelayan", "wiraswasta", "pedagang",
			       "karyawan swasta", "buruh harian lepas", "PNS", "guru", "perangkat desa", "TNI/Polri",
			       "ibu rumah tangga", "pelajar/mahasiswa", "belum bekerja", "pensiunan"));
		assert_true(IN(cell(w, i, 8), "tidak", "fisik", "sensorik", "intelektual", "mental", "ganda"));
		/* work and schooling fit the age */
		age = age_at(birth, "2025-12-31");
		if (age < 5)
			assert_string_equal(job, "belum bekerja");
		else if (age < 16)
			assert_string_equal(job, "pelajar/mahasiswa");
		if (strcmp(job, "pelajar/mahasiswa") == 0)
			assert_true(age >= 5 && age <= 24);
		if (strcmp(job, "pensiunan") == 0)
			assert_true(age >= 58);
		if (IN(job, "PNS", "guru", "TNI/Polri", "perangkat desa"))
			assert_true(age >= 18 && e >= 3);
		if (strcmp(job, "ibu rumah tangga") == 0)
			assert_string_equal(sex, "P");
		if (age < 7)
			assert_string_equal(edu, "tidak sekolah");
		if (e >= 4)
			assert_true(age >= 21);
	}
	/* unique */
	qsort(d->niks, w->nrows, sizeof(char *), cmp_str);
	for (size_t i = 1; i < w->nrows; i++)
		assert_true(strcmp(d->niks[i - 1], d->niks[i]) < 0);
}

static void check_inovasi(const struct demo *d)
{
	const struct table *t = &d->t[BK_DEMO_INOVASI];
	int stages[3] = {0}, digital = 0, bentuk[3] = {0};

	assert_true(t->nrows >= 25 && t->nrows <= 40);
	for (size_t i = 0; i < t->nrows; i++) {
		const char *kode = cell(t, i, 0), *tahapan = cell(t, i, 5), *uji = cell(t, i, 8), *pen = cell(t, i, 9);
		const char *cak = cell(t, i, 10);

		assert_int_equal(strlen(kode), 12);
		assert_memory_equal(kode, "INO-20", 6);
		assert_true(digits(kode + 4, 4) && kode[8] == '-' && all_digits(kode + 9, 3));
		assert_int_equal(find_inovasi(d, kode), (int)i); /* unique */
		assert_true(strlen(cell(t, i, 1)) > 5 && strlen(cell(t, i, 2)) > 3 && strlen(cell(t, i, 11)) > 20);
		assert_true(IN(cell(t, i, 3), "digital", "non digital"));
		digital += strcmp(cell(t, i, 3), "digital") == 0;
		assert_true(IN(cell(t, i, 4), "tata kelola pemerintahan", "pelayanan publik", "lainnya"));
		bentuk[cell(t, i, 4)[0] == 't' ? 0 : cell(t, i, 4)[0] == 'p' ? 1 : 2]++;
		assert_true(cell(t, i, 6)[0] && cell(t, i, 7)[0]);
		if (strcmp(tahapan, "inisiatif") == 0) {
			stages[0]++;
			assert_string_equal(uji, "");
			assert_string_equal(pen, "");
		} else if (strcmp(tahapan, "uji coba") == 0) {
			stages[1]++;
			assert_true(iso_date(uji) && strcmp(uji, "2025-12-31") <= 0);
			assert_string_equal(pen, "");
		} else {
			assert_string_equal(tahapan, "penerapan");
			stages[2]++;
			assert_true(iso_date(uji) && iso_date(pen) && strcmp(uji, pen) < 0);
		}
		/* cakupan: "35.05" or kecamatan codes separated by single spaces */
		if (strcmp(cak, "35.05") != 0) {
			for (const char *s = cak;; s += 9) {
				char code[9];

				memcpy(code, s, 8);
				code[8] = '\0';
				assert_non_null(bk_regions_find(&d->regions, BK_REGION_KECAMATAN, code));
				assert_memory_equal(code, "35.05.", 6);
				if (s[8] == '\0')
					break;
				assert_int_equal(s[8], ' ');
			}
		}
	}
	for (int i = 0; i < 3; i++)
		assert_true(stages[i] >= 3 && bentuk[i] >= 3);
	assert_true(digital >= 10 && (size_t)digital <= t->nrows - 10);
}

/* An innovation in use on that day, and a desa that exists; with in_scope, a
 * desa inside the innovation's cakupan (where it was used; SKM and complaints
 * name where the person lives instead). */
static void check_use(const struct demo *d, const char *kode, const char *day, const char *desa, int in_scope)
{
	const struct table *t = &d->t[BK_DEMO_INOVASI];
	int i = find_inovasi(d, kode);
	const char *cak;

	assert_true(i >= 0);
	assert_string_not_equal(cell(t, (size_t)i, 5), "inisiatif");
	assert_true(iso_date(day) && strcmp(day, "2023-01-01") >= 0 && strcmp(day, "2025-12-31") <= 0);
	assert_true(strcmp(day, cell(t, (size_t)i, 8)) >= 0);
	assert_non_null(desa_of(d, desa));
	cak = cell(t, (size_t)i, 10);
	if (in_scope && strcmp(cak, "35.05") != 0) {
		char kec[9];

		memcpy(kec, desa, 8);
		kec[8] = '\0';
		assert_non_null(strstr(cak, kec));
	}
}

static void check_links(struct demo *d)
{
	const struct table *u = &d->t[BK_DEMO_PEMANFAATAN], *s = &d->t[BK_DEMO_SKM], *c = &d->t[BK_DEMO_PENGADUAN];
	size_t anon = 0;

	d->used = malloc(u->nrows * sizeof(char *) + 1);
	assert_non_null(d->used);
	for (size_t i = 0; i < u->nrows; i++) {
		const char *nik = cell(u, i, 0);
		char born[16];

		assert_true(known_nik(d, nik));
		/* not before the user was born (the NIK holds the birth date) */
		snprintf(born, sizeof(born), "%s%.2s-%.2s-%02d", num(nik + 10, 2) > 25 ? "19" : "20", nik + 10,
			 nik + 8, num(nik + 6, 2) % 40);
		assert_true(strcmp(cell(u, i, 2), born) >= 0);
		check_use(d, cell(u, i, 1), cell(u, i, 2), cell(u, i, 4), 1);
		assert_true(IN(cell(u, i, 3), "daring", "luring"));
		d->used[i] = malloc(32);
		assert_non_null(d->used[i]);
		snprintf(d->used[i], 32, "%s %s", nik, cell(u, i, 1));
		d->nused++;
	}
	qsort(d->used, d->nused, sizeof(char *), cmp_str);
	for (size_t i = 0; i < s->nrows; i++) {
		const char *nik = cell(s, i, 18), *umur = cell(s, i, 13);

		for (size_t q = 2; q < 12; q++) {
			const char *a = cell(s, i, q);

			assert_true(strlen(a) == 1 && a[0] >= '1' && a[0] <= '4');
		}
		check_use(d, cell(s, i, 0), cell(s, i, 1), cell(s, i, 17), 0);
		assert_true(all_digits(umur, strlen(umur)) && atoi(umur) >= 17 && atoi(umur) <= 99);
		assert_true(IN(cell(s, i, 14), "L", "P"));
		assert_true(edu_rank(cell(s, i, 15)) >= 0);
		assert_true(strlen(cell(s, i, 16)) > 2);
		if (nik[0] == '\0') {
			anon++;
		} else {
			char key[32], *k = key;

			/* a respondent who used this innovation */
			snprintf(key, sizeof(key), "%s %s", nik, cell(s, i, 0));
			assert_non_null(bsearch(&k, d->used, d->nused, sizeof(char *), cmp_str));
		}
	}
	assert_true(anon * 100 >= s->nrows * 20 && anon * 100 <= s->nrows * 40);
	for (size_t i = 0; i < c->nrows; i++) {
		char key[32], *k = key;

		snprintf(key, sizeof(key), "%s %s", cell(c, i, 0), cell(c, i, 1));
		assert_non_null(bsearch(&k, d->used, d->nused, sizeof(char *), cmp_str));
		check_use(d, cell(c, i, 1), cell(c, i, 2), "35.05.10.2001", 0);
		assert_true(IN(cell(c, i, 3), "layanan lambat", "petugas", "aplikasi error", "informasi tidak jelas",
			       "biaya", "lainnya"));
		assert_true(strlen(cell(c, i, 4)) > 10);
		assert_true(IN(cell(c, i, 5), "baru", "diproses", "selesai"));
		/* a resolution date exactly for the resolved, not before the complaint */
		if (strcmp(cell(c, i, 5), "selesai") == 0)
			assert_true(strlen(cell(c, i, 6)) == 10 && strcmp(cell(c, i, 6), cell(c, i, 2)) >= 0);
		else
			assert_string_equal(cell(c, i, 6), "");
	}
}

static void check_sizes(const struct demo *d, size_t citizens)
{
	const size_t *r = d->counts.rows;

	assert_int_equal(r[BK_DEMO_WARGA], citizens);
	/* usage ~1.5, SKM ~0.5, complaints ~0.05 per citizen */
	assert_true(r[BK_DEMO_PEMANFAATAN] * 100 >= citizens * 135 && r[BK_DEMO_PEMANFAATAN] * 100 <= citizens * 165);
	assert_true(r[BK_DEMO_SKM] * 100 >= citizens * 42 && r[BK_DEMO_SKM] * 100 <= citizens * 58);
	assert_true(r[BK_DEMO_PENGADUAN] * 1000 >= citizens * 35 && r[BK_DEMO_PENGADUAN] * 1000 <= citizens * 70);
}

/* ---- tests ---- */

static void test_default_run(void **state)
{
	struct bk_demo_options o;
	struct demo d;

	(void)state;
	bk_demo_options_init(&o);
	assert_int_equal(o.citizens, BK_DEMO_CITIZENS_DEFAULT);
	assert_false(sodium_is_zero(o.seed, sizeof(o.seed)));
	demo_run(&d, BK_DEMO_CITIZENS_DEFAULT, 0);
	assert_string_equal(bk_demo_headers[BK_DEMO_INOVASI], "kode,nama,opd,jenis,bentuk,tahapan,urusan,inisiator,"
							      "tanggal_uji_coba,tanggal_penerapan,cakupan,deskripsi");
	assert_string_equal(bk_demo_headers[BK_DEMO_WARGA],
			    "nik,nama,telepon,tanggal_lahir,jenis_kelamin,desa,pendidikan,pekerjaan,disabilitas");
	assert_string_equal(bk_demo_headers[BK_DEMO_PEMANFAATAN], "nik,kode_inovasi,tanggal,kanal,desa");
	assert_string_equal(bk_demo_headers[BK_DEMO_SKM], "kode_inovasi,tanggal,u1,u2,u3,u4,u5,u6,u7,u8,u9,u10,"
							  "saran,umur,jenis_kelamin,pendidikan,pekerjaan,desa,nik");
	assert_string_equal(bk_demo_headers[BK_DEMO_PENGADUAN], "nik,kode_inovasi,tanggal,kategori,isi,status,"
								"tanggal_selesai");
	assert_int_equal(d.t[BK_DEMO_INOVASI].ncols, 12);
	assert_int_equal(d.t[BK_DEMO_WARGA].ncols, 9);
	assert_int_equal(d.t[BK_DEMO_PEMANFAATAN].ncols, 5);
	assert_int_equal(d.t[BK_DEMO_SKM].ncols, 19);
	assert_int_equal(d.t[BK_DEMO_PENGADUAN].ncols, 7);
	check_sizes(&d, BK_DEMO_CITIZENS_DEFAULT);
	check_inovasi(&d);
	check_warga(&d);
	check_links(&d);
	demo_free(&d);
}

/* Fields with commas and quotes are quoted, quotes doubled (RFC 4180), and
 * read back intact. */
static void test_quoting(void **state)
{
	static const char saran[] = "Kalau bisa \"online\" sepenuhnya, tidak perlu bolak-balik";
	struct demo d;
	uint8_t *data;
	size_t len, found = 0;

	(void)state;
	demo_run(&d, BK_DEMO_CITIZENS_DEFAULT, 0);
	bk_test_read_at(d.dir, "inovasi.csv", &data, &len);
	assert_non_null(strstr((char *)data, ",\"Petugas Dukcapil datang ke balai desa untuk perekaman KTP-el, KK "));
	assert_non_null(strstr((char *)data, ",\"ketenteraman, ketertiban umum dan perlindungan masyarakat\","));
	assert_null(strstr((char *)data, ",\"Dinas Kesehatan\",")); /* quoted only where needed */
	free(data);
	bk_test_read_at(d.dir, "skm.csv", &data, &len);
	assert_non_null(strstr((char *)data, ",\"Kalau bisa \"\"online\"\" sepenuhnya, tidak perlu bolak-balik\","));
	free(data);
	for (size_t i = 0; i < d.t[BK_DEMO_SKM].nrows; i++)
		found += strcmp(cell(&d.t[BK_DEMO_SKM], i, 12), saran) == 0;
	assert_true(found > 0);
	demo_free(&d);
}

static void test_deterministic(void **state)
{
	struct bk_demo_options o;
	char a[32], b[32], c[32];

	(void)state;
	bk_test_tmpdir(a, sizeof(a), "demo");
	bk_test_tmpdir(b, sizeof(b), "demo");
	bk_test_tmpdir(c, sizeof(c), "demo");
	bk_demo_options_init(&o);
	o.citizens = 3000;
	assert_int_equal(bk_demo_write(a, &o, NULL), BK_OK);
	assert_int_equal(bk_demo_write(b, &o, NULL), BK_OK);
	o.seed[31] ^= 1;
	assert_int_equal(bk_demo_write(c, &o, NULL), BK_OK);
	for (int f = 0; f < BK_DEMO_NFILES; f++) {
		uint8_t *x, *y, *z;
		size_t nx, ny, nz;

		bk_test_read_at(a, bk_demo_files[f], &x, &nx);
		bk_test_read_at(b, bk_demo_files[f], &y, &ny);
		bk_test_read_at(c, bk_demo_files[f], &z, &nz);
		assert_int_equal(nx, ny);
		assert_memory_equal(x, y, nx);
		/* another seed, another regency (the innovation registry is fixed) */
		if (f != BK_DEMO_INOVASI)
			assert_true(nx != nz || memcmp(x, z, nx) != 0);
		free(x);
		free(y);
		free(z);
	}
	bk_test_rmtree(a);
	bk_test_rmtree(b);
	bk_test_rmtree(c);
}

static int ikm_grade(double converted)
{
	double v = (double)(long)(converted * 100 + 0.5) / 100;

	return v >= 88.31 ? 'A' : v >= 76.61 ? 'B' : v >= 65.00 ? 'C' : 'D';
}

/* A larger run, fully checked, and the figures that make the demo worth
 * looking at: the population spread, the pyramid, the online gap between the
 * towns and the south coast, IKM grades from A to D. */
static void test_20000(void **state)
{
	const struct table *w, *u, *s;
	size_t kec[23] = {0}, men = 0, young = 0, old = 0, desa_seen = 0;
	size_t on_town = 0, n_town = 0, on_coast = 0, n_coast = 0;
	double sum[40][9] = {{0}};
	size_t resp[40] = {0};
	int grades[128] = {0};
	struct demo d;

	(void)state;
	demo_run(&d, 20000, 7);
	check_sizes(&d, 20000);
	check_inovasi(&d);
	check_warga(&d);
	check_links(&d);
	w = &d.t[BK_DEMO_WARGA];
	u = &d.t[BK_DEMO_PEMANFAATAN];
	s = &d.t[BK_DEMO_SKM];
	for (size_t i = 0; i < w->nrows; i++) {
		int age = age_at(cell(w, i, 3), "2025-12-31");

		kec[num(cell(w, i, 5) + 6, 2)]++;
		men += cell(w, i, 4)[0] == 'L';
		young += age < 35;
		old += age >= 60;
	}
	for (size_t i = 0; i < d.regions.count; i++) {
		const struct bk_region *r = &d.regions.items[i];
		int found = 0;

		for (size_t j = 0; j < w->nrows && !found && r->level == BK_REGION_DESA; j++)
			found = strcmp(cell(w, j, 5), r->kode) == 0;
		desa_seen += (size_t)found;
	}
	assert_int_equal(desa_seen, d.regions.desa_count); /* every desa is inhabited */
	for (int k = 1; k <= 22; k++)
		assert_true(kec[k] > 200);
	assert_true(kec[6] > 3 * kec[5]); /* Ponggok, Bakung */
	assert_true(kec[4] > kec[20] * 2); /* Kademangan, Wates */
	assert_true(men * 100 > w->nrows * 48 && men * 100 < w->nrows * 52);
	assert_true(young * 100 > w->nrows * 46 && young * 100 < w->nrows * 54); /* median ~35 */
	assert_true(old * 100 > w->nrows * 12 && old * 100 < w->nrows * 19);
	for (size_t i = 0; i < u->nrows; i++) {
		int inov = find_inovasi(&d, cell(u, i, 1)), k = num(cell(u, i, 0) + 4, 2);
		int online = strcmp(cell(u, i, 3), "daring") == 0;

		if (strcmp(cell(&d.t[BK_DEMO_INOVASI], (size_t)inov, 3), "digital") != 0)
			continue;
		if (k == 3 || k == 7 || k == 10 || k == 11 || k == 14 || k == 17) {
			on_town += (size_t)online;
			n_town++;
		} else if (k == 5 || k == 8 || k == 13) {
			on_coast += (size_t)online;
			n_coast++;
		}
	}
	assert_true(n_coast > 100);
	assert_true((double)on_town / (double)n_town > (double)on_coast / (double)n_coast + 0.25);
	for (size_t i = 0; i < s->nrows; i++) {
		int inov = find_inovasi(&d, cell(s, i, 0));

		resp[inov]++;
		for (int q = 0; q < 9; q++)
			sum[inov][q] += atoi(cell(s, i, 2 + (size_t)q));
	}
	for (size_t i = 0; i < d.t[BK_DEMO_INOVASI].nrows; i++) {
		double ikm = 0;

		if (resp[i] < 100)
			continue;
		for (int q = 0; q < 9; q++)
			ikm += sum[i][q] / (double)resp[i] / 9;
		grades[ikm_grade(ikm * 25)]++;
	}
	assert_true(grades['A'] > 0 && grades['B'] > 0 && grades['C'] > 0 && grades['D'] > 0);
	demo_free(&d);
}

/* A failing write at any point leaves the old files as they were and no
 * temporary behind. */
static void test_fault_injection(void **state)
{
	/* 5,000 citizens take ~25 writes of 64 KiB or less */
	static const long budgets[] = {0, 1, 3, 8, 15};
	struct bk_demo_options o;
	uint8_t *before[BK_DEMO_NFILES];
	size_t before_len[BK_DEMO_NFILES];
	struct bk_demo_counts counts;
	char dir[32];

	(void)state;
	bk_test_tmpdir(dir, sizeof(dir), "demo");
	bk_demo_options_init(&o);
	o.citizens = 5000;
	assert_int_equal(bk_demo_write(dir, &o, NULL), BK_OK);
	for (int f = 0; f < BK_DEMO_NFILES; f++)
		bk_test_read_at(dir, bk_demo_files[f], &before[f], &before_len[f]);
	o.seed[0] ^= 0x55;
	for (size_t b = 0; b < sizeof(budgets) / sizeof(budgets[0]); b++) {
		bk_fault_set_write_budget(budgets[b]);
		assert_int_equal(bk_demo_write(dir, &o, &counts), BK_ERR_IO);
		bk_fault_set_write_budget(-1);
		assert_int_equal(counts.rows[BK_DEMO_WARGA], 0);
		assert_int_equal(count_entries(dir), BK_DEMO_NFILES);
		for (int f = 0; f < BK_DEMO_NFILES; f++) {
			uint8_t *now;
			size_t len;

			bk_test_read_at(dir, bk_demo_files[f], &now, &len);
			assert_int_equal(len, before_len[f]);
			assert_memory_equal(now, before[f], len);
			free(now);
		}
	}
	for (int f = 0; f < BK_DEMO_NFILES; f++)
		free(before[f]);
	bk_test_rmtree(dir);
}

static void test_bad_arguments(void **state)
{
	struct bk_demo_options o;
	struct bk_demo_counts counts;
	char dir[32], file[64];

	(void)state;
	bk_test_tmpdir(dir, sizeof(dir), "demo");
	bk_demo_options_init(&o);
	o.citizens = 0;
	memset(&counts, 0xff, sizeof(counts));
	assert_int_equal(bk_demo_write(dir, &o, &counts), BK_ERR_USAGE);
	assert_int_equal(counts.rows[BK_DEMO_PEMANFAATAN], 0);
	o.citizens = (size_t)BK_DEMO_CITIZENS_MAX + 1;
	assert_int_equal(bk_demo_write(dir, &o, NULL), BK_ERR_USAGE);
	o.citizens = 10;
	snprintf(file, sizeof(file), "%s/missing", dir);
	assert_int_equal(bk_demo_write(file, &o, NULL), BK_ERR_NOTFOUND);
	snprintf(file, sizeof(file), "%s/plain", dir);
	bk_test_write(file, "", 0);
	assert_int_equal(bk_demo_write(file, &o, NULL), BK_ERR_USAGE);
	assert_int_equal(count_entries(dir), 1);
	bk_test_rmtree(dir);
}

/* The smallest regency still fits together, and progress reaches the end. */
static void progress_cb(size_t done, size_t total, void *ctx)
{
	size_t *last = ctx;

	assert_true(done <= total && done > *last);
	*last = done;
}

static void test_tiny_and_progress(void **state)
{
	struct demo d;
	struct bk_demo_options o;
	size_t last = 0;
	char dir[32];

	(void)state;
	demo_run(&d, 1, 3);
	check_inovasi(&d);
	check_warga(&d);
	check_links(&d);
	demo_free(&d);

	bk_test_tmpdir(dir, sizeof(dir), "demo");
	bk_demo_options_init(&o);
	o.citizens = 70000;
	o.progress = progress_cb;
	o.progress_ctx = &last;
	assert_int_equal(bk_demo_write(dir, &o, NULL), BK_OK);
	assert_int_equal(last, 70000);
	bk_test_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_run),
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_20000),
		cmocka_unit_test(test_fault_injection),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_tiny_and_progress),
	};

	return bk_test_run_group("demo", tests, NULL, NULL);
}
