/* demo.c - the synthetic Kabupaten Blitar behind `brankas demo`.
 *
 * One pass over the citizens: each is drawn (kecamatan by population, desa
 * within it, age from the pyramid, sex, education and work consistent with age,
 * name by birth cohort), written to warga.csv, and then its uses of the
 * innovations, the SKM answers and complaints that follow from those uses are
 * written at once to the other files. Every NIK in pemanfaatan, skm and
 * pengaduan is therefore a citizen in warga who used that innovation, and no
 * citizen needs to be remembered. Only the NIK serial counters are kept.
 *
 * The figures below (population per kecamatan, age pyramid, shares of work and
 * schooling) are plausible approximations for a regency in East Java around
 * 2024, not official statistics. */
#include "demo/demo.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


#include "base/fileio.h"
#include "vault/core/regions.h"
#include "crypto/stream.h"

const char *const bk_demo_files[BK_DEMO_NFILES] = {"inovasi.csv", "warga.csv", "pemanfaatan.csv", "skm.csv",
						   "pengaduan.csv"};
const char *const bk_demo_datasets[BK_DEMO_NFILES] = {"inovasi", "warga", "pemanfaatan", "skm", "pengaduan"};
const char *const bk_demo_headers[BK_DEMO_NFILES] = {
	"kode,nama,opd,jenis,bentuk,tahapan,urusan,inisiator,tanggal_uji_coba,tanggal_penerapan,cakupan,deskripsi",
	"nik,nama,telepon,tanggal_lahir,jenis_kelamin,desa,pendidikan,pekerjaan,disabilitas",
	"nik,kode_inovasi,tanggal,kanal,desa",
	"kode_inovasi,tanggal,u1,u2,u3,u4,u5,u6,u7,u8,u9,u10,saran,umur,jenis_kelamin,pendidikan,pekerjaan,desa,nik",
	"nik,kode_inovasi,tanggal,kategori,isi,status,tanggal_selesai",
};

/* ---- randomness: a ChaCha20 keystream keyed by the seed ---- */

#define RNG_BUFBYTES 4096

struct rng {
	uint8_t key[BK_STREAM_KEYBYTES];
	uint8_t nonce[BK_STREAM_NONCEBYTES];
	uint64_t block;
	size_t pos;
	uint8_t buf[RNG_BUFBYTES];
};

/* Streams with different ids are independent, so the setup draws (desa
 * weights) do not shift when the citizen code changes, and vice versa. */
static void rng_init(struct rng *r, const uint8_t seed[BK_DEMO_SEEDBYTES], uint8_t stream)
{
	memcpy(r->key, seed, sizeof(r->key));
	memset(r->nonce, 0, sizeof(r->nonce));
	r->nonce[0] = stream;
	r->block = 0;
	r->pos = RNG_BUFBYTES;
}

static uint32_t rng_u32(struct rng *r)
{
	const uint8_t *p;

	if (r->pos + 4 > RNG_BUFBYTES) {
		bk_stream_chacha20(r->buf, RNG_BUFBYTES, r->nonce, r->block, r->key);
		r->block += RNG_BUFBYTES / 64;
		r->pos = 0;
	}
	p = r->buf + r->pos;
	r->pos += 4;
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Uniform in [0, n), n > 0, without modulo bias. */
static uint32_t rng_below(struct rng *r, uint32_t n)
{
	uint32_t min = (uint32_t)-n % n; /* 2^32 mod n: values below it are rejected */
	uint32_t x;

	do
		x = rng_u32(r);
	while (x < min);
	return x % n;
}

/* True with probability per_mille / 1000. */
static int rng_chance(struct rng *r, uint32_t per_mille)
{
	return rng_below(r, 1000) < per_mille;
}

/* An index drawn with probability weight[i] / sum; the sum must be > 0. */
static size_t rng_pick(struct rng *r, const uint16_t *weight, size_t n)
{
	uint32_t sum = 0, x;
	size_t i;

	for (i = 0; i < n; i++)
		sum += weight[i];
	x = rng_below(r, sum);
	for (i = 0; i + 1 < n; i++) {
		if (x < weight[i])
			return i;
		x -= weight[i];
	}
	return n - 1;
}

/* An index in a cumulative table (cum[n-1] is the total, > 0). */
static size_t rng_pick_cum(struct rng *r, const uint32_t *cum, size_t n)
{
	uint32_t x = rng_below(r, cum[n - 1]);
	size_t lo = 0, hi = n - 1;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (x < cum[mid])
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

#define PICK(r, s) ((s)[rng_below((r), (uint32_t)(sizeof(s) / sizeof((s)[0])))])

/* ---- dates as days since 1970-01-01 (proleptic Gregorian) ---- */

struct ymd {
	int y, m, d;
};

static int32_t days_from_civil(int y, int m, int d)
{
	int era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int32_t)(era * 146097 + doe - 719468);
}

static struct ymd civil_from_days(int32_t z)
{
	struct ymd c;
	int era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	c.d = doy - (153 * mp + 2) / 5 + 1;
	c.m = mp < 10 ? mp + 3 : mp - 9;
	c.y = yoe + era * 400 + (c.m <= 2);
	return c;
}

static int age_on(int32_t birth, int32_t day)
{
	struct ymd b = civil_from_days(birth), d = civil_from_days(day);

	return d.y - b.y - (d.m < b.m || (d.m == b.m && d.d < b.d));
}

/* "YYYY-MM-DD" (length checked by the caller's table; only built-in strings). */
static int32_t parse_date(const char *s)
{
	return days_from_civil((s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0'),
			       (s[5] - '0') * 10 + (s[6] - '0'), (s[8] - '0') * 10 + (s[9] - '0'));
}

#define NO_DATE INT32_MIN
#define REF_YEAR 2025 /* the population is as of 31 December of this year */

/* ---- the regency ---- */

#define NKEC 22

/* Per kecamatan 35.05.01 … 35.05.22: residents in thousands (rounded, about
 * 2024), the per-mille share of digital services used online (the
 * technology-access gap: the Brantas valley and the towns around Kanigoro are
 * better connected than the hilly south), and whether it has a fishing coast. */
static const struct {
	uint16_t thousands;
	uint16_t online;
	uint8_t coastal;
} kec_profile[NKEC] = {
	{54, 680, 0},  /* 01 Wonodadi */
	{42, 680, 0},  /* 02 Udanawu */
	{69, 820, 0},  /* 03 Srengat */
	{87, 520, 0},  /* 04 Kademangan */
	{28, 380, 1},  /* 05 Bakung */
	{107, 700, 0}, /* 06 Ponggok */
	{65, 820, 0},  /* 07 Sanankulon */
	{39, 380, 1},  /* 08 Wonotirto */
	{74, 700, 0},  /* 09 Nglegok */
	{81, 850, 0},  /* 10 Kanigoro */
	{70, 820, 0},  /* 11 Garum */
	{57, 540, 0},  /* 12 Sutojayan */
	{43, 380, 1},  /* 13 Panggungrejo */
	{71, 820, 0},  /* 14 Talun */
	{72, 660, 0},  /* 15 Gandusari */
	{51, 500, 0},  /* 16 Binangun */
	{56, 820, 0},  /* 17 Wlingi */
	{43, 640, 0},  /* 18 Doko */
	{55, 640, 0},  /* 19 Kesamben */
	{31, 480, 1},  /* 20 Wates */
	{41, 620, 0},  /* 21 Selorejo */
	{46, 680, 0},  /* 22 Selopuro */
};

/* Age pyramid in 5-year bands 0-4 … 90-94 (per mille of 980; median ~35,
 * about 15% aged 60 or more, as in the ageing regencies of East Java), and the
 * per-mille share of men in each band (more widows at old age). */
#define NBANDS 19
static const uint16_t age_band[NBANDS] = {65, 68, 71, 72, 71, 70, 70, 72, 73, 71, 67, 60, 50, 39, 27, 17, 10, 5, 2};
static const uint16_t male_share[NBANDS] = {513, 513, 513, 508, 508, 500, 500, 500, 500, 500, 500, 490, 490,
					    470, 470, 430, 430, 380, 380};
#define AGE_MAX (NBANDS * 5 - 1)
#define BIRTH_MIN_YEAR (REF_YEAR - AGE_MAX)

/* Usage records per citizen, children (under 17: mean 0.43; most services
 * they need are used through their parents) and adults (mean 1.86): about 1.5
 * over the pyramid. */
static const uint16_t uses_child[] = {700, 200, 70, 30};
static const uint16_t uses_adult[] = {255, 250, 190, 130, 90, 48, 24, 13};

enum edu { E_NONE, E_SD, E_SMP, E_SMA, E_D3, E_S1, E_S2, E_S3, NEDU };
static const char *const edu_names[NEDU] = {"tidak sekolah", "SD", "SMP", "SMA", "D3", "S1", "S2", "S3"};

enum job {
	J_PETANI, J_BURUH_TANI, J_PETERNAK, J_NELAYAN, J_WIRASWASTA, J_PEDAGANG, J_KARYAWAN, J_BURUH_HARIAN,
	J_PNS, J_GURU, J_PERANGKAT, J_TNI_POLRI, J_IRT, J_PELAJAR, J_BELUM, J_PENSIUNAN, NJOBS
};
static const char *const job_names[NJOBS] = {
	"petani", "buruh tani", "peternak", "nelayan", "wiraswasta", "pedagang", "karyawan swasta",
	"buruh harian lepas", "PNS", "guru", "perangkat desa", "TNI/Polri", "ibu rumah tangga",
	"pelajar/mahasiswa", "belum bekerja", "pensiunan",
};
#define JOB(j) (1u << (j))

enum disab { D_TIDAK, D_FISIK, D_SENSORIK, D_INTELEKTUAL, D_MENTAL, D_GANDA, NDISAB };
static const char *const disab_names[NDISAB] = {"tidak", "fisik", "sensorik", "intelektual", "mental", "ganda"};
static const uint16_t disab_kind[NDISAB] = {0, 400, 300, 100, 100, 100};

/* ---- the innovations ---- */

struct inovasi {
	const char *kode, *nama, *opd, *jenis, *bentuk, *tahapan, *urusan, *inisiator;
	const char *uji_coba, *penerapan; /* "" where the stage is not reached */
	const char *cakupan;              /* kecamatan codes, or "35.05" for all */
	const char *deskripsi;
	/* who uses it: ages, sex ('L', 'P' or 0), work (JOB() mask, 0 = any),
	 * only people with a disability */
	uint8_t age_min, age_max;
	char sex;
	uint8_t disab_only;
	uint32_t jobs;
	uint16_t popularity; /* relative uses per eligible citizen */
	uint16_t quality;    /* mean SKM answer x100: 375 grades A, 245 grades D */
};

#define TANI (JOB(J_PETANI) | JOB(J_BURUH_TANI) | JOB(J_PETERNAK))
#define USAHA (JOB(J_WIRASWASTA) | JOB(J_PEDAGANG))
#define DATA_USERS (JOB(J_PNS) | JOB(J_GURU) | JOB(J_PELAJAR) | JOB(J_KARYAWAN) | JOB(J_PERANGKAT))

#define DINKES "Dinas Kesehatan"
#define DUKCAPIL "Dinas Kependudukan dan Pencatatan Sipil"
#define DISKOMINFO "Diskominfo"
#define DISDIK "Dinas Pendidikan"
#define DINSOS "Dinas Sosial"
#define DPMPTSP "DPMPTSP"
#define BPBD "Badan Penanggulangan Bencana Daerah"
#define PEL "pelayanan publik"
#define TKP "tata kelola pemerintahan"
#define ALL "35.05"
#define SOUTH_COAST "35.05.05 35.05.08 35.05.13"

static const struct inovasi inovasi[] = {
	{"INO-2021-001", "SIAP KIA: Sistem Informasi Antenatal dan Persalinan", DINKES, "digital", PEL, "penerapan",
	 "kesehatan", "OPD", "2021-08-02", "2022-01-10", ALL,
	 "Bidan desa mencatat pemeriksaan ibu hamil dan balita di aplikasi; ibu menerima pengingat jadwal periksa "
	 "dan imunisasi lewat WhatsApp",
	 17, 45, 'P', 0, 0, 80, 345},
	{"INO-2021-002", "Si Jempol: Adminduk Jemput Bola", DUKCAPIL, "non digital", PEL, "penerapan",
	 "administrasi kependudukan dan pencatatan sipil", "Kepala Daerah", "2021-03-15", "2021-09-01", ALL,
	 "Petugas Dukcapil datang ke balai desa untuk perekaman KTP-el, KK dan akta bagi lansia, penyandang "
	 "disabilitas dan warga di wilayah terpencil",
	 0, AGE_MAX, 0, 0, 0, 40, 368},
	{"INO-2022-001", "Blitar Dukcapil Online (BDO)", DUKCAPIL, "digital", PEL, "penerapan",
	 "administrasi kependudukan dan pencatatan sipil", "OPD", "2022-02-01", "2022-07-01", ALL,
	 "Permohonan KK, akta kelahiran, akta kematian dan pindah datang secara daring; dokumen dikirim sebagai "
	 "PDF bertanda tangan elektronik",
	 17, 75, 0, 0, 0, 110, 310},
	{"INO-2022-002", "Lapor Mas Bupati", DISKOMINFO, "digital", TKP, "penerapan", "komunikasi dan informatika",
	 "Kepala Daerah", "2022-05-02", "2022-10-03", ALL,
	 "Kanal pengaduan dan aspirasi warga lewat WhatsApp dan web; setiap laporan diteruskan ke OPD dengan "
	 "batas tindak lanjut lima hari kerja",
	 17, 80, 0, 0, 0, 30, 290},
	{"INO-2022-003", "Sekolah Siaga Literasi (SiLi)", DISDIK, "non digital", PEL, "penerapan", "pendidikan", "ASN",
	 "2022-07-18", "2023-01-09", "35.05.03 35.05.06 35.05.07 35.05.10 35.05.14",
	 "Pojok baca, jam literasi pagi dan pendampingan guru bagi siswa SD dan SMP yang belum lancar membaca",
	 7, 15, 0, 0, 0, 70, 355},
	{"INO-2022-004", "Posyandu Lansia Ceria", DINKES, "non digital", PEL, "penerapan", "kesehatan", "Masyarakat",
	 "2022-09-01", "2023-03-01", ALL,
	 "Pemeriksaan tekanan darah dan gula darah, senam dan kelas gizi bulanan bagi lansia di setiap desa "
	 "bersama kader",
	 60, AGE_MAX, 0, 0, 0, 90, 372},
	{"INO-2023-001", "Antrean Online RSUD Ngudi Waluyo (ANTOL)", "RSUD Ngudi Waluyo", "digital", PEL, "penerapan",
	 "kesehatan", "OPD", "2023-01-16", "2023-06-05",
	 "35.05.11 35.05.14 35.05.15 35.05.17 35.05.18 35.05.19 35.05.21 35.05.22",
	 "Pendaftaran poliklinik rawat jalan lewat aplikasi dan WhatsApp dengan perkiraan jam dilayani",
	 0, AGE_MAX, 0, 0, 0, 90, 252},
	{"INO-2023-002", "SiPanDu Tani: Pupuk dan Pendampingan Tani", "Dinas Pertanian dan Pangan", "digital", PEL,
	 "penerapan", "pertanian", "OPD", "2023-02-06", "2023-08-01",
	 "35.05.01 35.05.02 35.05.04 35.05.06 35.05.09 35.05.12 35.05.16 35.05.20",
	 "Petani memeriksa kuota pupuk bersubsidi, jadwal tebus di kios dan jadwal penyuluhan lewat aplikasi",
	 20, 75, 0, 0, TANI, 120, 300},
	{"INO-2023-003", "Mal Pelayanan Publik Kabupaten Blitar", DPMPTSP, "non digital", PEL, "penerapan",
	 "penanaman modal", "Kepala Daerah", "2023-03-01", "2023-09-12", ALL,
	 "Satu gedung di Kanigoro untuk perizinan, Dukcapil, BPJS, pajak daerah dan layanan kepolisian",
	 17, 75, 0, 0, 0, 70, 340},
	{"INO-2023-004", "Si Pintar UMKM: NIB dan PIRT Terpadu", DPMPTSP, "digital", PEL, "penerapan",
	 "penanaman modal", "OPD", "2023-04-03", "2023-10-02", ALL,
	 "Pendampingan daring pengurusan NIB lewat OSS dan izin PIRT bagi usaha mikro, dengan jadwal konsultasi "
	 "di kecamatan",
	 20, 65, 0, 0, USAHA, 120, 280},
	{"INO-2023-005", "SiKades: Kinerja Pemerintahan Desa", "Dinas Pemberdayaan Masyarakat dan Desa", "digital", TKP,
	 "penerapan", "pemberdayaan masyarakat dan desa", "OPD", "2023-06-05", "2024-01-08", ALL,
	 "Laporan kegiatan dan realisasi dana desa diunggah perangkat desa setiap bulan dan dipantau kecamatan",
	 20, 60, 0, 0, JOB(J_PERANGKAT), 300, 300},
	{"INO-2023-006", "SAWADI: Sambang Warga Disabilitas", DINSOS, "non digital", PEL, "penerapan", "sosial", "ASN",
	 "2023-05-02", "2024-02-01", ALL,
	 "Pendamping sosial mengunjungi rumah penyandang disabilitas untuk asesmen, alat bantu dan pendaftaran "
	 "bantuan",
	 0, AGE_MAX, 0, 1, 0, 600, 362},
	{"INO-2023-007", "Pusling Ceria: Perpustakaan Keliling ke Desa", "Dinas Perpustakaan dan Kearsipan",
	 "non digital", PEL, "penerapan", "perpustakaan", "ASN", "2023-07-03", "2024-01-02",
	 "35.05.04 35.05.05 35.05.08 35.05.12 35.05.13 35.05.16 35.05.20",
	 "Mobil perpustakaan mendatangi sekolah dan balai desa di Blitar selatan setiap pekan, dengan dongeng dan "
	 "pinjam buku",
	 6, 17, 0, 0, 0, 70, 378},
	{"INO-2023-008", "Gercep Stunting: Gerakan Cegah Stunting Berbasis Desa",
	 "Dinas Pengendalian Penduduk, Keluarga Berencana, Pemberdayaan Perempuan dan Perlindungan Anak",
	 "non digital", PEL, "penerapan", "pengendalian penduduk dan keluarga berencana", "Kepala Daerah",
	 "2023-08-01", "2024-01-15", ALL,
	 "Tim pendamping keluarga memantau calon pengantin, ibu hamil dan balita berisiko stunting, dengan "
	 "makanan tambahan dari dapur desa",
	 18, 45, 'P', 0, 0, 70, 335},
	{"INO-2023-009", "Satu Data Kabupaten Blitar", DISKOMINFO, "digital", TKP, "penerapan", "statistik", "OPD",
	 "2023-09-04", "2024-05-02", ALL,
	 "Portal data sektoral terpadu: OPD mengunggah data dengan metadata baku, warga mengunduhnya dalam format "
	 "terbuka",
	 17, 60, 0, 0, DATA_USERS, 30, 305},
	{"INO-2023-010", "DTKS Mandiri: Usul Bansos dari Desa", DINSOS, "digital", TKP, "penerapan", "sosial", "OPD",
	 "2023-10-02", "2024-03-04", ALL,
	 "Warga dan operator desa mengusulkan atau menyanggah data penerima bantuan sosial lewat aplikasi, "
	 "diverifikasi dalam musyawarah desa",
	 17, 80, 0, 0, 0, 50, 262},
	{"INO-2023-011", "Si PeDe: Bayar Pajak Daerah Online", "Badan Pendapatan Daerah", "digital", PEL, "penerapan",
	 "keuangan", "OPD", "2023-11-01", "2024-04-01", ALL,
	 "Cek tagihan dan bayar PBB-P2 serta pajak daerah lewat bank, minimarket dan dompet digital, dengan bukti "
	 "bayar elektronik",
	 25, 80, 0, 0, 0, 70, 320},
	{"INO-2024-001", "e-Musrenbang Desa", "Bappeda", "digital", TKP, "penerapan", "perencanaan pembangunan", "OPD",
	 "2024-01-08", "2024-06-03", ALL,
	 "Usulan musyawarah perencanaan pembangunan desa diinput dan ditelusuri statusnya sampai masuk APBD",
	 20, 70, 0, 0, 0, 20, 275},
	{"INO-2024-002", "Kampung Tangguh Bencana Pesisir", BPBD, "non digital", "lainnya", "uji coba",
	 "ketenteraman, ketertiban umum dan perlindungan masyarakat", "Masyarakat", "2024-04-01", "", SOUTH_COAST,
	 "Relawan desa pesisir dilatih evakuasi tsunami, jalur evakuasi ditandai dan simulasi digelar dua kali "
	 "setahun",
	 17, 70, 0, 0, 0, 40, 330},
	{"INO-2024-003", "Telemedicine Puskesmas Pesisir Selatan", DINKES, "digital", PEL, "uji coba", "kesehatan",
	 "ASN", "2024-07-01", "", SOUTH_COAST,
	 "Konsultasi video pasien puskesmas pembantu dengan dokter spesialis RSUD bagi wilayah yang jauh dari "
	 "rumah sakit",
	 0, AGE_MAX, 0, 0, 0, 80, 245},
	{"INO-2024-004", "Sekolah Perempuan Wirausaha", "Dinas Koperasi dan Usaha Mikro", "non digital", "lainnya",
	 "uji coba", "koperasi, usaha kecil dan menengah", "Masyarakat", "2024-09-02", "",
	 "35.05.03 35.05.07 35.05.10",
	 "Kelas pemasaran, pembukuan sederhana dan pengemasan produk bagi perempuan pelaku usaha rumahan",
	 20, 55, 'P', 0, 0, 60, 350},
	{"INO-2024-005", "Srengat Cepat: KTP-el di Kantor Kecamatan", "Kecamatan Srengat", "non digital", PEL,
	 "penerapan", "administrasi kependudukan dan pencatatan sipil", "ASN", "2024-10-01", "2025-03-03",
	 "35.05.03", "Perekaman dan pencetakan KTP-el di kantor kecamatan tanpa harus ke Kanigoro",
	 17, 80, 0, 0, 0, 150, 300},
	{"INO-2025-001", "KaMel: Kanigoro Melayani", "Kecamatan Kanigoro", "digital", PEL, "penerapan",
	 "pemerintahan umum", "ASN", "2025-01-06", "2025-04-01", "35.05.10",
	 "Surat pengantar dan rekomendasi kecamatan diajukan daring dan diambil di kantor kecamatan tanpa antre",
	 17, 75, 0, 0, 0, 150, 330},
	{"INO-2025-002", "Ambulans Desa Siaga Wlingi", "Kecamatan Wlingi", "non digital", PEL, "uji coba",
	 "kesehatan", "Masyarakat", "2025-02-03", "", "35.05.17",
	 "Mobil desa siaga mengantar warga sakit dan ibu melahirkan ke puskesmas atau RSUD, dipanggil lewat pos "
	 "desa",
	 0, AGE_MAX, 0, 0, 0, 150, 360},
	{"INO-2025-003", "Desa Cerdas Ponggok", "Kecamatan Ponggok", "digital", "lainnya", "uji coba",
	 "komunikasi dan informatika", "OPD", "2025-03-03", "", "35.05.06",
	 "Wi-Fi publik dan layanan surat desa mandiri di balai desa, dengan kader digital yang mendampingi warga",
	 15, 60, 0, 0, 0, 150, 258},
	{"INO-2025-004", "SIPANDAI: Pelayanan Nelayan dan Pesisir", "Dinas Peternakan dan Perikanan", "digital", PEL,
	 "uji coba", "kelautan dan perikanan", "OPD", "2025-05-05", "", "35.05.05 35.05.08 35.05.13 35.05.20",
	 "Pendaftaran kartu nelayan, asuransi nelayan dan informasi cuaca laut lewat aplikasi",
	 18, 70, 0, 0, JOB(J_NELAYAN), 500, 290},
	{"INO-2025-005", "Beasiswa Blitar Cerdas Daring", DISDIK, "digital", PEL, "uji coba", "pendidikan",
	 "Kepala Daerah", "2025-06-02", "", ALL,
	 "Pendaftaran dan seleksi beasiswa bagi siswa dan mahasiswa dari keluarga kurang mampu secara daring",
	 15, 24, 0, 0, JOB(J_PELAJAR), 100, 315},
	{"INO-2025-006", "Posbakum Desa: Konsultasi Hukum Gratis", "Bagian Hukum Sekretariat Daerah", "non digital",
	 "lainnya", "inisiatif", "hukum", "Anggota DPRD", "", "", ALL,
	 "Paralegal desa dan konsultan hukum membuka konsultasi gratis di balai desa sebulan sekali",
	 17, 80, 0, 0, 0, 0, 0},
	{"INO-2025-007", "Peringatan Dini Lahar Kelud", BPBD, "digital", "lainnya", "inisiatif",
	 "ketenteraman, ketertiban umum dan perlindungan masyarakat", "OPD", "", "",
	 "35.05.06 35.05.09 35.05.11 35.05.14 35.05.15",
	 "Sensor curah hujan dan tinggi muka air di sungai berhulu Kelud, dengan sirene dan pesan siaran ke "
	 "ponsel warga",
	 0, AGE_MAX, 0, 0, 0, 0, 0},
	{"INO-2025-008", "Bursa Kerja Inklusif", "Dinas Tenaga Kerja", "non digital", PEL, "inisiatif", "tenaga kerja",
	 "ASN", "", "", ALL, "Pelatihan kerja dan bursa kerja dengan kuota bagi penyandang disabilitas",
	 18, 55, 0, 0, 0, 0, 0},
	{"INO-2025-009", "Presensi ASN Berbasis Lokasi", "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
	 "digital", TKP, "inisiatif", "kepegawaian", "OPD", "", "", ALL,
	 "Presensi pegawai dengan swafoto dan lokasi, terhubung ke perhitungan tambahan penghasilan",
	 20, 58, 0, 0, JOB(J_PNS) | JOB(J_GURU), 0, 0},
	{"INO-2025-010", "Pasar Desa Daring", "Dinas Perdagangan dan Perindustrian", "digital", "lainnya", "inisiatif",
	 "perdagangan", "Masyarakat", "", "", "35.05.09 35.05.14 35.05.15",
	 "Lapak daring bersama untuk hasil tani, kopi dan olahan pangan desa, dengan kurir dari BUMDes",
	 17, 65, 0, 0, 0, 0, 0},
};
#define NINOV (sizeof(inovasi) / sizeof(inovasi[0]))

/* ---- names, phones and free text ---- */

/* Given names by birth cohort (before 1970, 1970-1994, from 1995). */
static const char *const male_given[3][24] = {
	{"Paimin", "Suparman", "Sutrisno", "Slamet", "Sumarno", "Suwarno", "Karyono", "Kasiman", "Sugeng",
	 "Mulyono", "Supriyadi", "Sukardi", "Wagiman", "Tukiran", "Darmaji", "Sarmin", "Parno", "Sugiyono",
	 "Suyanto", "Jumadi", "Ngadiman", "Marjuki", "Rusdi", "Ma'ruf"},
	{"Agus", "Budi", "Eko", "Joko", "Bambang", "Hadi", "Heru", "Dwi", "Wahyu", "Hendra", "Arif", "Andik",
	 "Yudi", "Didik", "Rudi", "Teguh", "Imam", "Mochamad", "Ahmad", "Yusuf", "Dedi", "Anton", "Sigit", "Nur"},
	{"Muhammad", "Rizky", "Dimas", "Aditya", "Fajar", "Bagus", "Reza", "Alif", "Rafi", "Arya", "Naufal",
	 "Farhan", "Raka", "Galang", "Fikri", "Daffa", "Rendy", "Bayu", "Ilham", "Zidan", "Abyan", "Arkan",
	 "Yoga", "Dani"},
};
static const char *const female_given[3][24] = {
	{"Sumiati", "Suparmi", "Painem", "Tumini", "Sulastri", "Sri", "Siti", "Wagiyem", "Sumarni", "Karsini",
	 "Suwarni", "Tukinem", "Kasiyati", "Ngatini", "Sutinah", "Jumiati", "Marsini", "Suminah", "Partini",
	 "Rukiyah", "Musri'ah", "Juwariyah", "Samini", "Katemi"},
	{"Sri", "Siti", "Endang", "Yuli", "Dewi", "Lilik", "Tri", "Nanik", "Ninik", "Rina", "Ani", "Erna", "Lina",
	 "Umi", "Retno", "Indah", "Evi", "Dian", "Susanti", "Rini", "Fitri", "Anik", "Tutik", "Nur"},
	{"Aulia", "Putri", "Nabila", "Salsabila", "Citra", "Ayu", "Dinda", "Intan", "Nadia", "Zahra", "Keisha",
	 "Alya", "Aisyah", "Amelia", "Novita", "Anisa", "Safira", "Naura", "Tiara", "Ratna", "Dwi", "Nur", "Vina",
	 "Fara"},
};
static const char *const male_family[] = {
	"Santoso", "Prasetyo", "Wibowo", "Setiawan", "Saputra", "Pratama", "Nugroho", "Hidayat", "Kurniawan",
	"Susanto", "Purnomo", "Wijaya", "Firmansyah", "Ramadhan", "Hermawan", "Cahyono", "Sugianto", "Mahendra",
	"Utomo", "Saifudin", "Anwar", "Maulana", "Hakim", "Fauzi", "Syahputra", "Rohman",
};
static const char *const female_family[] = {
	"Wahyuni", "Lestari", "Rahayu", "Handayani", "Susilowati", "Kurniasari", "Purwanti", "Rahmawati",
	"Anggraini", "Puspitasari", "Nurhayati", "Astuti", "Ningsih", "Wulandari", "Fitriani", "Maharani",
	"Safitri", "Ayuningtyas", "Kusumawati", "Khoirunnisa", "Aminah", "Mardiyah", "Zulaikha", "Sholikhah",
};

/* Mobile prefixes by rough market share (Telkomsel, Indosat, XL, Axis, Tri, Smartfren). */
static const char *const phone_prefix[] = {"0812", "0813", "0821", "0822", "0823", "0852", "0853", "0851",
					   "0812", "0813", "0852", "0853", "0856", "0857", "0858", "0815",
					   "0817", "0818", "0819", "0859", "0877", "0878", "0831", "0838",
					   "0895", "0896", "0897", "0898", "0881", "0882", "0856", "0857"};

static const char *const saran_text[] = {
	"Pelayanan sudah baik, pertahankan",
	"Mohon jam layanan diperpanjang sampai sore",
	"Antrean terlalu lama, tambah petugas loket",
	"Aplikasinya sering error kalau jam sibuk",
	"Persyaratan tolong dijelaskan di awal, jangan berubah-ubah",
	"Petugas ramah dan membantu",
	"Sinyal di desa kami lemah, tolong tetap ada layanan di balai desa",
	"Informasi jadwal tolong diumumkan lewat grup WhatsApp desa",
	"Ruang tunggu panas, mohon ditambah kipas",
	"Sudah cepat, terima kasih",
	"Tolong sosialisasi ke dusun-dusun, banyak warga belum tahu",
	"Mohon ada petugas yang membantu lansia mengisi formulir",
	"Kalau bisa \"online\" sepenuhnya, tidak perlu bolak-balik",
	"Tempat parkir sempit",
	"Hasilnya jadi lebih cepat dari perkiraan, mantap",
};

enum kategori { K_LAMBAT, K_PETUGAS, K_APLIKASI, K_INFO, K_BIAYA, K_LAIN, NKATEGORI };
static const char *const kategori_names[NKATEGORI] = {"layanan lambat", "petugas", "aplikasi error",
						      "informasi tidak jelas", "biaya", "lainnya"};
static const uint16_t kategori_digital[NKATEGORI] = {200, 80, 350, 200, 40, 130};
static const uint16_t kategori_offline[NKATEGORI] = {350, 200, 0, 200, 100, 150};
static const char *const isi_text[NKATEGORI][4] = {
	{"Sudah tiga minggu belum ada kabar, katanya selesai seminggu",
	 "Antre dari pagi sampai siang baru dipanggil",
	 "Berkas dikembalikan dua kali, prosesnya lama",
	 "Jadwal kunjungan mundur terus tanpa pemberitahuan"},
	{"Petugas kurang ramah waktu ditanya persyaratan",
	 "Petugas loket tidak ada di tempat pada jam layanan",
	 "Petugas meminta berkas yang tidak ada di daftar persyaratan",
	 "Saya dilempar ke meja lain tiga kali"},
	{"Aplikasi tidak bisa dibuka, muncul pesan gagal memuat",
	 "Kode OTP tidak masuk ke nomor saya",
	 "Unggah dokumen selalu gagal, padahal ukuran sudah kecil",
	 "Data yang sudah diisi hilang setelah aplikasi ditutup"},
	{"Persyaratan di website berbeda dengan yang diminta di loket",
	 "Tidak ada pengumuman kapan layanan dibuka di desa kami",
	 "Status permohonan tidak jelas, hanya tertulis \"diproses\"",
	 "Nomor kontak yang tercantum tidak bisa dihubungi"},
	{"Diminta biaya map dan fotokopi, padahal layanan gratis",
	 "Ongkos ke kantor kecamatan mahal, lebih mahal dari layanannya",
	 "Ada pungutan sukarela yang rasanya wajib",
	 "Biaya cetak ulang tidak dijelaskan sebelumnya"},
	{"Tempat layanan susah dijangkau kendaraan umum",
	 "Mohon layanan juga dibuka hari Sabtu",
	 "Tidak ada akses kursi roda di lokasi layanan",
	 "Lokasi pindah tanpa papan petunjuk"},
};

/* ---- output: buffered, minimally quoted RFC 4180 with LF line ends ----
 * libcsv's csv_fwrite quotes every field; quoting only where a field holds a
 * comma, quote or line break reads like what spreadsheets export and is half
 * the size. Writes go through bk_write_all, so the fault injection of
 * base/fileio.h reaches them. */

#define OUT_BUFBYTES (1 << 16)

struct out {
	char path[PATH_MAX];
	char tmp[PATH_MAX];
	int fd;
	int err;       /* errno of the first failed write or close, 0 if none */
	size_t len;
	size_t rows;
	size_t fields; /* fields so far in the current row */
	char buf[OUT_BUFBYTES];
};

static void out_flush(struct out *o)
{
	if (o->len > 0 && o->err == 0 && bk_write_all(o->fd, o->buf, o->len) != 0)
		o->err = errno ? errno : EIO;
	o->len = 0;
}

static void out_raw(struct out *o, const char *s, size_t n)
{
	if (o->err != 0)
		return;
	if (o->len + n > sizeof(o->buf))
		out_flush(o);
	if (n > sizeof(o->buf)) {
		if (o->err == 0 && bk_write_all(o->fd, s, n) != 0)
			o->err = errno ? errno : EIO;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static void out_sep(struct out *o)
{
	if (o->fields++ > 0)
		out_raw(o, ",", 1);
}

static void out_text(struct out *o, const char *s)
{
	out_sep(o);
	if (!strpbrk(s, ",\"\r\n")) {
		out_raw(o, s, strlen(s));
		return;
	}
	out_raw(o, "\"", 1);
	for (const char *q; (q = strchr(s, '"')) != NULL; s = q + 1) {
		out_raw(o, s, (size_t)(q - s) + 1);
		out_raw(o, "\"", 1); /* a quote inside is doubled */
	}
	out_raw(o, s, strlen(s));
	out_raw(o, "\"", 1);
}

static void out_uint(struct out *o, unsigned long v)
{
	char tmp[24];
	size_t n = sizeof(tmp);

	do
		tmp[--n] = (char)('0' + v % 10);
	while ((v /= 10) > 0);
	out_sep(o);
	out_raw(o, tmp + n, sizeof(tmp) - n);
}

static void put2(char *p, int v)
{
	p[0] = (char)('0' + v / 10 % 10);
	p[1] = (char)('0' + v % 10);
}

static void format_date(char out[11], int32_t day)
{
	struct ymd c = civil_from_days(day);

	put2(out, c.y / 100);
	put2(out + 2, c.y % 100);
	out[4] = '-';
	put2(out + 5, c.m);
	out[7] = '-';
	put2(out + 8, c.d);
	out[10] = '\0';
}

static void out_date(struct out *o, int32_t day)
{
	char s[11];

	if (day == NO_DATE) {
		out_sep(o);
		return;
	}
	format_date(s, day);
	out_sep(o);
	out_raw(o, s, 10);
}

static void out_end(struct out *o)
{
	out_raw(o, "\n", 1);
	o->fields = 0;
	o->rows++;
}

/* ---- generator state ---- */

struct desa {
	const struct bk_region *r;
	size_t kec;
};

struct kec {
	const struct bk_region *r;
	size_t first, count; /* its desa: desa[first .. first+count) */
	size_t seat;         /* the desa/kelurahan named like the kecamatan (its seat) */
	uint32_t *cum;       /* cumulative desa weights, count entries */
};

struct inov_rt {
	int32_t start;      /* first day of use: the uji coba date, or NO_DATE */
	int digital;
	uint32_t kec_mask;  /* bit k: kecamatan k is in the cakupan */
	size_t cak[NKEC];   /* those kecamatan, in cakupan order */
	size_t ncak;
	uint32_t weight;    /* popularity x share of 2023-2025 it has been running */
};

struct person {
	char nik[17];
	char nama[96];
	char telepon[16];
	int32_t birth;
	struct ymd born;
	int female;
	int age;
	size_t kec, desa;
	int edu, job, disab;
};

struct gen {
	struct bk_regions regions;
	struct kec kec[NKEC];
	struct desa *desa;
	size_t ndesa;
	uint32_t *desa_cum; /* per kecamatan, cumulative weights of its desa (kec.cum points in here) */
	uint32_t kec_cum[NKEC];
	struct inov_rt inov[NINOV];
	uint16_t *serial;   /* per (kecamatan, birth day, sex): last NIK serial issued */
	int32_t birth_min;  /* 1 January BIRTH_MIN_YEAR */
	int32_t ndays;
	int32_t win_start, win_end;
	struct rng rng;
	struct out out[BK_DEMO_NFILES];
};

static bk_status setup_regions(struct gen *g)
{
	struct bk_regions *rs = &g->regions;
	size_t nd = 0;

	if (rs->kecamatan_count != NKEC || strcmp(rs->items[0].kode, "35.05") != 0)
		return bk_fail(BK_ERR_STATE, "the demo needs the built-in Kabupaten Blitar regions");
	for (size_t i = 0; i < rs->count; i++) {
		const struct bk_region *it = &rs->items[i];
		int k = (it->kode[6] - '0') * 10 + (it->kode[7] - '0') - 1;

		if (it->level == BK_REGION_KABUPATEN)
			continue;
		if (k < 0 || k >= NKEC)
			return bk_fail(BK_ERR_STATE, "unexpected kecamatan code '%s' in the built-in regions", it->kode);
		if (it->level == BK_REGION_KECAMATAN)
			g->kec[k].r = it;
		else
			g->kec[k].count++;
	}
	g->desa = calloc(rs->desa_count ? rs->desa_count : 1, sizeof(*g->desa));
	g->desa_cum = calloc(rs->desa_count ? rs->desa_count : 1, sizeof(*g->desa_cum));
	if (!g->desa || !g->desa_cum)
		return bk_fail(BK_ERR_NOMEM, "out of memory building the demo");
	for (size_t k = 0; k < NKEC; k++) {
		if (!g->kec[k].r || g->kec[k].count == 0)
			return bk_fail(BK_ERR_STATE, "kecamatan %zu of the built-in regions has no desa", k + 1);
		g->kec[k].first = nd;
		nd += g->kec[k].count;
		g->kec[k].count = 0;
	}
	for (size_t i = 0; i < rs->count; i++) {
		const struct bk_region *it = &rs->items[i];
		size_t k;

		if (it->level != BK_REGION_DESA)
			continue;
		k = (size_t)((it->kode[6] - '0') * 10 + (it->kode[7] - '0') - 1);
		g->desa[g->kec[k].first + g->kec[k].count].r = it;
		g->desa[g->kec[k].first + g->kec[k].count].kec = k;
		g->kec[k].count++;
	}
	g->ndesa = nd;
	/* Desa within a kecamatan are roughly equal (0.75-1.25), kelurahan (the
	 * small towns) denser; kecamatan by their population. */
	for (size_t k = 0; k < NKEC; k++) {
		struct kec *kc = &g->kec[k];
		uint32_t sum = 0;

		kc->cum = g->desa_cum + kc->first;
		kc->seat = kc->first;
		for (size_t j = 0; j < kc->count; j++) {
			const struct bk_region *d = g->desa[kc->first + j].r;
			uint32_t w = 750 + rng_below(&g->rng, 501);

			if (d->kelurahan)
				w = w * 7 / 5;
			sum += w;
			kc->cum[j] = sum;
			if (strcmp(d->nama, kc->r->nama) == 0)
				kc->seat = kc->first + j;
		}
		g->kec_cum[k] = (k ? g->kec_cum[k - 1] : 0) + kec_profile[k].thousands;
	}
	return BK_OK;
}

static bk_status setup_inovasi(struct gen *g)
{
	int32_t window = g->win_end - g->win_start + 1;

	for (size_t i = 0; i < NINOV; i++) {
		const struct inovasi *d = &inovasi[i];
		struct inov_rt *in = &g->inov[i];
		const char *s = d->cakupan;

		in->digital = strcmp(d->jenis, "digital") == 0;
		in->start = d->uji_coba[0] ? parse_date(d->uji_coba) : NO_DATE;
		if (strcmp(s, "35.05") == 0) {
			for (size_t k = 0; k < NKEC; k++)
				in->cak[in->ncak++] = k;
		} else {
			while (*s) {
				const struct bk_region *r;
				char code[9];

				memcpy(code, s, 8);
				code[8] = '\0';
				r = bk_regions_find(&g->regions, BK_REGION_KECAMATAN, code);
				if (!r || strlen(s) < 8 || in->ncak == NKEC)
					return bk_fail(BK_ERR_STATE, "demo innovation '%s': bad cakupan", d->kode);
				in->cak[in->ncak++] = (size_t)((code[6] - '0') * 10 + (code[7] - '0') - 1);
				s += 8;
				if (*s == ' ')
					s++;
			}
		}
		for (size_t j = 0; j < in->ncak; j++)
			in->kec_mask |= 1u << in->cak[j];
		if (in->start != NO_DATE && d->popularity > 0) {
			int32_t from = in->start > g->win_start ? in->start : g->win_start;
			uint64_t w = (uint64_t)d->popularity * 1000 * (uint64_t)(g->win_end - from + 1) / (uint64_t)window;

			if (strcmp(d->tahapan, "uji coba") == 0)
				w /= 2; /* a trial reaches fewer people */
			in->weight = (uint32_t)w;
		}
	}
	return BK_OK;
}

/* ---- one citizen ---- */

static int pick_edu(struct rng *r, int age)
{
	static const uint16_t young[NEDU] = {10, 80, 200, 600, 40, 70, 0, 0};
	static const uint16_t adult[NEDU] = {20, 200, 240, 370, 40, 115, 14, 1};
	static const uint16_t middle[NEDU] = {40, 380, 220, 250, 25, 75, 9, 1};
	static const uint16_t old[NEDU] = {220, 520, 110, 100, 10, 35, 4, 1};
	int e;

	if (age < 7)
		return E_NONE;
	if (age < 13)
		return E_SD;
	if (age < 16)
		return rng_chance(r, 30) ? E_SD : E_SMP;
	if (age < 19)
		return rng_chance(r, 30) ? E_SD : rng_chance(r, 180) ? E_SMP : E_SMA;
	if (age < 25) {
		e = (int)rng_pick(r, young, NEDU);
		/* a diploma at 21, a degree at 22 at the earliest */
		if ((e == E_D3 && age < 21) || (e == E_S1 && age < 22))
			e = E_SMA;
		return e;
	}
	if (age < 45)
		e = (int)rng_pick(r, adult, NEDU);
	else if (age < 60)
		e = (int)rng_pick(r, middle, NEDU);
	else
		e = (int)rng_pick(r, old, NEDU);
	if (e == E_S3 && age < 30)
		e = E_S2;
	return e;
}

static int pick_job(struct rng *r, int age, int female, int edu, int coastal)
{
	uint16_t w[NJOBS] = {0};
	int skilled = edu >= E_D3, sma = edu >= E_SMA;

	if (age < 5)
		return J_BELUM;
	if (age < 16)
		return J_PELAJAR;
	if (age < 18) {
		w[J_PELAJAR] = 880;
		w[J_BELUM] = female ? 120 : 70;
		w[J_BURUH_TANI] = female ? 0 : 25;
		w[J_BURUH_HARIAN] = female ? 0 : 25;
		return (int)rng_pick(r, w, NJOBS);
	}
	if (age >= 58) {
		int old = age >= 65;

		w[J_PENSIUNAN] = (uint16_t)(sma ? (old ? 450 : 300) : (old ? 40 : 25));
		w[J_BELUM] = old ? 350 : 100;
		if (female) {
			w[J_IRT] = old ? 500 : 450;
			w[J_PETANI] = old ? 100 : 150;
			w[J_BURUH_TANI] = old ? 20 : 80;
			w[J_PEDAGANG] = old ? 50 : 100;
		} else {
			w[J_PETANI] = old ? 300 : 350;
			w[J_BURUH_TANI] = old ? 80 : 100;
			w[J_PETERNAK] = 50;
			w[J_PEDAGANG] = old ? 50 : 80;
			w[J_WIRASWASTA] = old ? 40 : 100;
			w[J_NELAYAN] = (uint16_t)(coastal ? 60 : 0);
		}
		return (int)rng_pick(r, w, NJOBS);
	}
	if (skilled) {
		w[J_PNS] = female ? 170 : 180;
		w[J_GURU] = female ? 220 : 120;
		w[J_KARYAWAN] = female ? 200 : 250;
		w[J_WIRASWASTA] = female ? 80 : 130;
		w[J_PEDAGANG] = female ? 60 : 50;
		w[J_PERANGKAT] = female ? 30 : 50;
		w[J_TNI_POLRI] = female ? 5 : 50;
		w[J_PETANI] = female ? 20 : 60;
		w[J_IRT] = female ? 150 : 0;
		w[J_BELUM] = 50;
	} else if (female) {
		w[J_IRT] = 370;
		w[J_PETANI] = 90;
		w[J_BURUH_TANI] = 90;
		w[J_PEDAGANG] = 130;
		w[J_WIRASWASTA] = 80;
		w[J_KARYAWAN] = (uint16_t)(sma ? 120 : 50);
		w[J_BURUH_HARIAN] = 40;
		w[J_PETERNAK] = 20;
		w[J_PERANGKAT] = (uint16_t)(sma ? 10 : 0);
		w[J_BELUM] = 50;
	} else {
		w[J_PETANI] = 220;
		w[J_BURUH_TANI] = 140;
		w[J_PETERNAK] = 50;
		w[J_NELAYAN] = (uint16_t)(coastal ? 120 : 0);
		w[J_WIRASWASTA] = 130;
		w[J_PEDAGANG] = 80;
		w[J_KARYAWAN] = (uint16_t)(sma ? 180 : 80);
		w[J_BURUH_HARIAN] = 120;
		w[J_PERANGKAT] = (uint16_t)(sma ? 25 : 0);
		w[J_TNI_POLRI] = (uint16_t)(sma ? 25 : 0);
		w[J_BELUM] = 40;
	}
	if (age < 25) {
		/* students at 18-22 (recorded with their school level), few IRT */
		if (sma)
			w[J_PELAJAR] = age < 23 ? 800 : 150;
		w[J_IRT] /= 3;
		w[J_PENSIUNAN] = 0;
	}
	return (int)rng_pick(r, w, NJOBS);
}

static void make_name(struct rng *r, char *buf, size_t cap, int female, int cohort)
{
	static const uint16_t parts[3][3] = {{700, 300, 0}, {350, 550, 100}, {80, 520, 400}};
	const char *const *given = female ? female_given[cohort] : male_given[cohort];
	const char *first = given[rng_below(r, 24)], *middle = NULL, *last = NULL;
	size_t n = rng_pick(r, parts[cohort], 3) + 1;

	if (n >= 2)
		last = female ? PICK(r, female_family) : PICK(r, male_family);
	if (n == 3) {
		middle = given[rng_below(r, 24)];
		if (strcmp(middle, first) == 0)
			middle = NULL;
	}
	snprintf(buf, cap, "%s%s%s%s%s", first, middle ? " " : "", middle ? middle : "", last ? " " : "",
		 last ? last : "");
}

static void make_phone(struct rng *r, char *buf, int age)
{
	uint32_t has = age < 15 ? 0 : age < 18 ? 500 : age < 65 ? 880 : 450;
	size_t digits;

	buf[0] = '\0';
	if (!rng_chance(r, has))
		return;
	memcpy(buf, PICK(r, phone_prefix), 4);
	digits = 4 + 7 + rng_below(r, 3); /* 11 to 13 digits */
	buf[4] = (char)('1' + rng_below(r, 9));
	for (size_t i = 5; i < digits; i++)
		buf[i] = (char)('0' + rng_below(r, 10));
	buf[digits] = '\0';
}

static bk_status make_person(struct gen *g, struct person *p)
{
	struct rng *r = &g->rng;
	size_t band = rng_pick(r, age_band, NBANDS);
	struct ymd b;
	uint32_t pdis;
	size_t slot;
	int year;

	p->kec = rng_pick_cum(r, g->kec_cum, NKEC);
	p->desa = g->kec[p->kec].first + rng_pick_cum(r, g->kec[p->kec].cum, g->kec[p->kec].count);
	p->age = (int)band * 5 + (int)rng_below(r, 5);
	p->female = !rng_chance(r, male_share[band]);
	/* ages are whole years on 31 December REF_YEAR: born in REF_YEAR - age */
	year = REF_YEAR - p->age;
	p->birth = days_from_civil(year, 1, 1) + (int32_t)rng_below(r, (uint32_t)(days_from_civil(year + 1, 1, 1) -
									       days_from_civil(year, 1, 1)));
	/* NIK serials count up from 0001 per kecamatan, birth date and sex, as
	 * Dukcapil issues them; on the (practically impossible) 9999th person
	 * move the birth to the next day */
	for (;;) {
		slot = ((p->kec * (size_t)g->ndays) + (size_t)(p->birth - g->birth_min)) * 2 + (size_t)p->female;
		if (g->serial[slot] < 9999)
			break;
		if (p->birth + 1 >= g->birth_min + g->ndays)
			return bk_fail(BK_ERR_STATE, "no NIK serial left for a demo citizen");
		p->birth++;
	}
	g->serial[slot]++;
	b = p->born = civil_from_days(p->birth);
	memcpy(p->nik, "3505", 4);
	put2(p->nik + 4, (int)p->kec + 1);
	put2(p->nik + 6, b.d + (p->female ? 40 : 0));
	put2(p->nik + 8, b.m);
	put2(p->nik + 10, b.y % 100);
	put2(p->nik + 12, g->serial[slot] / 100);
	put2(p->nik + 14, g->serial[slot] % 100);
	p->nik[16] = '\0';

	p->edu = pick_edu(r, p->age);
	p->job = pick_job(r, p->age, p->female, p->edu, kec_profile[p->kec].coastal);
	pdis = p->age < 18 ? 8 : p->age < 60 ? 20 : p->age < 75 ? 70 : 180;
	p->disab = rng_chance(r, pdis) ? (int)rng_pick(r, disab_kind, NDISAB) : D_TIDAK;
	make_name(r, p->nama, sizeof(p->nama), p->female, b.y < 1970 ? 0 : b.y < 1995 ? 1 : 2);
	make_phone(r, p->telepon, p->age);
	return BK_OK;
}

static void write_person(struct out *o, const struct person *p, const struct gen *g)
{
	out_text(o, p->nik);
	out_text(o, p->nama);
	out_text(o, p->telepon);
	out_date(o, p->birth);
	out_text(o, p->female ? "P" : "L");
	out_text(o, g->desa[p->desa].r->kode);
	out_text(o, edu_names[p->edu]);
	out_text(o, job_names[p->job]);
	out_text(o, disab_names[p->disab]);
	out_end(o);
}

/* ---- what a citizen does with the innovations ---- */

static int eligible(const struct inovasi *d, const struct person *p)
{
	if (p->age < d->age_min || p->age > d->age_max)
		return 0;
	if (d->sex && (d->sex == 'P') != p->female)
		return 0;
	if (d->jobs && !(d->jobs & JOB(p->job)))
		return 0;
	return !d->disab_only || p->disab != D_TIDAK;
}

/* One answer 1-4 around mean (x100): a triangular spread of +-0.9, then
 * rounding up with probability equal to the fraction, so the mean holds. */
static unsigned answer(struct rng *r, int mean)
{
	int v = mean + (int)rng_below(r, 91) - (int)rng_below(r, 91);

	if (v < 100)
		v = 100;
	if (v > 400)
		v = 400;
	return (unsigned)(v / 100 + ((int)rng_below(r, 100) < v % 100));
}

static void write_skm(struct gen *g, const struct person *p, size_t i, int32_t day)
{
	/* U1 persyaratan … U9 sarana, U10 inovasi: waiting time and complaint
	 * handling score lower than cost (services are mostly free) */
	static const int offset[10] = {5, 0, -20, 25, 5, 5, 10, -15, -10, 0};
	struct out *o = &g->out[BK_DEMO_SKM];
	struct rng *r = &g->rng;
	int mood = (int)rng_below(r, 61) - 30, q = inovasi[i].quality;

	out_text(o, inovasi[i].kode);
	out_date(o, day);
	for (size_t u = 0; u < 10; u++)
		out_uint(o, answer(r, q + mood + offset[u]));
	out_text(o, rng_chance(r, 400) ? PICK(r, saran_text) : "");
	out_uint(o, (unsigned long)age_on(p->birth, day));
	out_text(o, p->female ? "P" : "L");
	out_text(o, edu_names[p->edu]);
	out_text(o, job_names[p->job]);
	out_text(o, g->desa[p->desa].r->kode);
	out_text(o, rng_chance(r, 300) ? "" : p->nik); /* anonymous respondents */
	out_end(o);
}

static void write_complaint(struct gen *g, const struct person *p, size_t i, int32_t day)
{
	struct out *o = &g->out[BK_DEMO_PENGADUAN];
	struct rng *r = &g->rng;
	size_t k = rng_pick(r, g->inov[i].digital ? kategori_digital : kategori_offline, NKATEGORI);
	int32_t open = g->win_end - day;
	const char *status;
	uint32_t x = rng_below(r, 100);

	/* recent complaints are still open */
	if (open < 14)
		status = x < 60 ? "baru" : "diproses";
	else if (open < 60)
		status = x < 10 ? "baru" : x < 60 ? "diproses" : "selesai";
	else
		status = x < 3 ? "baru" : x < 15 ? "diproses" : "selesai";
	out_text(o, p->nik);
	out_text(o, inovasi[i].kode);
	out_date(o, day);
	out_text(o, kategori_names[k]);
	out_text(o, isi_text[k][rng_below(r, 4)]);
	out_text(o, status);
	if (strcmp(status, "selesai") == 0) {
		/* days to resolve from the complaint itself, not the random stream: the rest of the
		 * demo stays as it was; never after the window's end */
		int32_t took = 1 + (int32_t)(((uint32_t)day * 2654435761u + (uint32_t)i * 40503u) % 40u);

		out_date(o, day + (took < open ? took : open));
	} else {
		out_text(o, "");
	}
	out_end(o);
}

#define SKM_PER_MILLE 360 /* of adult uses answered by a survey: ~0.5 per citizen */

static void write_uses(struct gen *g, const struct person *p)
{
	struct rng *r = &g->rng;
	struct out *o = &g->out[BK_DEMO_PEMANFAATAN];
	uint32_t cum[NINOV], sum = 0;
	size_t n = p->age < 17 ? rng_pick(r, uses_child, sizeof(uses_child) / sizeof(uses_child[0]))
			       : rng_pick(r, uses_adult, sizeof(uses_adult) / sizeof(uses_adult[0]));

	if (n == 0)
		return;
	/* innovations open to this person, mostly those run where they live */
	for (size_t i = 0; i < NINOV; i++) {
		uint32_t w = 0;

		if (g->inov[i].weight > 0 && eligible(&inovasi[i], p))
			w = g->inov[i].kec_mask & (1u << p->kec) ? g->inov[i].weight : g->inov[i].weight / 50;
		sum += w;
		cum[i] = sum;
	}
	if (sum == 0)
		return;
	while (n-- > 0) {
		size_t i = rng_pick_cum(r, cum, NINOV), desa;
		const struct inov_rt *in = &g->inov[i];
		int32_t from = in->start > g->win_start ? in->start : g->win_start, day;
		/* eligibility was judged on the age at the end of 2025: no use
		 * before the person was old enough (or born) */
		int32_t of_age = days_from_civil(p->born.y + inovasi[i].age_min, p->born.m, p->born.d);
		uint32_t online;
		int age;

		if (of_age > from)
			from = of_age;
		if (from > g->win_end)
			continue;
		day = from + (int32_t)rng_below(r, (uint32_t)(g->win_end - from + 1));
		age = age_on(p->birth, day);
		if (in->kec_mask & (1u << p->kec))
			desa = rng_chance(r, 880) ? p->desa : g->kec[p->kec].seat; /* at home, or the kecamatan office */
		else
			desa = g->kec[in->cak[rng_below(r, (uint32_t)in->ncak)]].seat;
		if (in->digital) {
			online = kec_profile[p->kec].online;
			if (age >= 70)
				online = online * 35 / 100;
			else if (age >= 60)
				online = online * 55 / 100;
			else if (age >= 17 && age <= 40)
				online = online + 80 > 950 ? 950 : online + 80;
		} else {
			online = 20; /* registration by WhatsApp for an offline service */
		}
		out_text(o, p->nik);
		out_text(o, inovasi[i].kode);
		out_date(o, day);
		out_text(o, rng_chance(r, online) ? "daring" : "luring");
		out_text(o, g->desa[desa].r->kode);
		out_end(o);
		/* only adults answer surveys and complain (parents do for children) */
		if (age < 17)
			continue;
		if (rng_chance(r, SKM_PER_MILLE)) {
			int32_t d = day + (int32_t)rng_below(r, 4);

			write_skm(g, p, i, d > g->win_end ? g->win_end : d);
		}
		/* worse services draw more complaints: 1.7% of adult uses at the best, 6.2% at the worst */
		if (rng_chance(r, (uint32_t)(17 + (375 - inovasi[i].quality) * 7 / 20))) {
			int32_t d = day + (int32_t)rng_below(r, 3);

			write_complaint(g, p, i, d > g->win_end ? g->win_end : d);
		}
	}
}

static void write_inovasi(struct gen *g)
{
	struct out *o = &g->out[BK_DEMO_INOVASI];

	for (size_t i = 0; i < NINOV; i++) {
		const struct inovasi *d = &inovasi[i];

		out_text(o, d->kode);
		out_text(o, d->nama);
		out_text(o, d->opd);
		out_text(o, d->jenis);
		out_text(o, d->bentuk);
		out_text(o, d->tahapan);
		out_text(o, d->urusan);
		out_text(o, d->inisiator);
		out_text(o, d->uji_coba);
		out_text(o, d->penerapan);
		out_text(o, d->cakupan);
		out_text(o, d->deskripsi);
		out_end(o);
	}
}

/* ---- files ---- */

static bk_status open_outputs(struct gen *g, const char *dir)
{
	for (size_t f = 0; f < BK_DEMO_NFILES; f++) {
		struct out *o = &g->out[f];
		int n = snprintf(o->path, sizeof(o->path), "%s/%s", dir, bk_demo_files[f]);
		int m = snprintf(o->tmp, sizeof(o->tmp), "%s/%s.tmp.%ld", dir, bk_demo_files[f], (long)getpid());

		if (n < 0 || (size_t)n >= sizeof(o->path) || m < 0 || (size_t)m >= sizeof(o->tmp)) {
			o->tmp[0] = '\0';
			return bk_fail(BK_ERR_USAGE, "path too long: '%s'", dir);
		}
		unlink(o->tmp); /* a stale temporary of a crashed run with our pid */
		o->fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (o->fd < 0) {
			int saved = errno;

			o->tmp[0] = '\0';
			return bk_fail(BK_ERR_IO, "cannot create '%s': %s", o->path, strerror(saved));
		}
		out_raw(o, bk_demo_headers[f], strlen(bk_demo_headers[f]));
		out_raw(o, "\n", 1);
	}
	return BK_OK;
}

static int failed(const struct gen *g)
{
	for (size_t f = 0; f < BK_DEMO_NFILES; f++)
		if (g->out[f].err)
			return 1;
	return 0;
}

/* Flush, fsync and close every file; only then rename them all. */
static bk_status commit_outputs(struct gen *g)
{
	for (size_t f = 0; f < BK_DEMO_NFILES; f++) {
		struct out *o = &g->out[f];

		out_flush(o);
		if (o->err == 0 && fsync(o->fd) != 0)
			o->err = errno;
		if (close(o->fd) != 0 && o->err == 0)
			o->err = errno;
		o->fd = -1;
		if (o->err != 0)
			return bk_fail(BK_ERR_IO, "cannot write '%s': %s", o->path, strerror(o->err));
	}
	for (size_t f = 0; f < BK_DEMO_NFILES; f++) {
		struct out *o = &g->out[f];

		if (rename(o->tmp, o->path) != 0)
			return bk_fail(BK_ERR_IO, "cannot replace '%s': %s", o->path, strerror(errno));
		o->tmp[0] = '\0';
	}
	return bk_fsync_dir(g->out[0].path);
}

static void discard_outputs(struct gen *g)
{
	for (size_t f = 0; f < BK_DEMO_NFILES; f++) {
		struct out *o = &g->out[f];

		if (o->fd >= 0)
			close(o->fd);
		o->fd = -1;
		if (o->tmp[0])
			unlink(o->tmp);
		o->tmp[0] = '\0';
	}
}

void bk_demo_options_init(struct bk_demo_options *opts)
{
	static const char label[BK_DEMO_SEEDBYTES] = "brankas demo: Kabupaten Blitar";

	memset(opts, 0, sizeof(*opts));
	opts->citizens = BK_DEMO_CITIZENS_DEFAULT;
	memcpy(opts->seed, label, sizeof(opts->seed));
}

bk_status bk_demo_write(const char *dir, const struct bk_demo_options *opts, struct bk_demo_counts *counts_p)
{
	struct gen *g = NULL;
	struct person p;
	struct stat st;
	bk_status rc = BK_OK;
	size_t total = opts->citizens;

	if (counts_p)
		memset(counts_p, 0, sizeof(*counts_p));
	if (total < 1 || total > BK_DEMO_CITIZENS_MAX)
		return bk_fail(BK_ERR_USAGE, "the number of citizens must be between 1 and %d", BK_DEMO_CITIZENS_MAX);
	if (stat(dir, &st) != 0) {
		if (errno == ENOENT)
			return bk_fail(BK_ERR_NOTFOUND, "no directory '%s'", dir);
		return bk_fail(BK_ERR_IO, "cannot open '%s': %s", dir, strerror(errno));
	}
	if (!S_ISDIR(st.st_mode))
		return bk_fail(BK_ERR_USAGE, "'%s' is not a directory", dir);

	g = calloc(1, sizeof(*g));
	if (!g)
		return bk_fail(BK_ERR_NOMEM, "out of memory building the demo");
	for (size_t f = 0; f < BK_DEMO_NFILES; f++)
		g->out[f].fd = -1;
	g->win_start = days_from_civil(2023, 1, 1);
	g->win_end = days_from_civil(REF_YEAR, 12, 31);
	g->birth_min = days_from_civil(BIRTH_MIN_YEAR, 1, 1);
	g->ndays = g->win_end - g->birth_min + 1;
	rc = bk_regions_builtin(&g->regions);
	if (rc != BK_OK)
		goto out;
	rng_init(&g->rng, opts->seed, 0);
	rc = setup_regions(g);
	if (rc != BK_OK)
		goto out;
	rc = setup_inovasi(g);
	if (rc != BK_OK)
		goto out;
	g->serial = calloc((size_t)NKEC * (size_t)g->ndays * 2, sizeof(*g->serial));
	if (!g->serial) {
		rc = bk_fail(BK_ERR_NOMEM, "out of memory building the demo");
		goto out;
	}
	rc = open_outputs(g, dir);
	if (rc != BK_OK)
		goto out;

	write_inovasi(g);
	rng_init(&g->rng, opts->seed, 1);
	for (size_t i = 0; i < total; i++) {
		rc = make_person(g, &p);
		if (rc != BK_OK)
			goto out;
		write_person(&g->out[BK_DEMO_WARGA], &p, g);
		write_uses(g, &p);
		if (failed(g))
			break; /* commit_outputs reports it */
		if (opts->progress && (i + 1) % 65536 == 0 && i + 1 < total)
			opts->progress(i + 1, total, opts->progress_ctx);
	}
	rc = commit_outputs(g);
	if (rc != BK_OK)
		goto out;
	if (opts->progress)
		opts->progress(total, total, opts->progress_ctx);
	if (counts_p)
		for (size_t f = 0; f < BK_DEMO_NFILES; f++)
			counts_p->rows[f] = g->out[f].rows;
out:
	if (g) {
		discard_outputs(g);
		free(g->serial);
		free(g->desa_cum);
		free(g->desa);
		bk_regions_release(&g->regions);
		free(g);
	}
	return rc;
}
