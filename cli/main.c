/* main.c - process setup (no core dumps, umask, libsodium), global options,
 * and the one sorted command table that `brankas help` is generated from. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "crypto/secmem.h"


#define VAULT_OPTS " [-C DIR] [-u USER] [--passphrase-fd N]"

/* Sorted by name; two-word names are a group and its subcommand. */
const struct cli_command cli_commands[] = {
	{"audit head", cmd_audit_head, CLI_UNLOCKS, "write a signed checkpoint of the audit head for an outside witness",
	 "brankas audit head -o FILE" VAULT_OPTS "\n"
	 "  writes FILE and FILE.minisig (minisign -Vm FILE -p vault.pub verifies it)",
	 "brankas -C /srv/brankas.vault -u aud audit head -o checkpoint-2026-11.txt",
	 "admin, auditor"},
	{"audit show", cmd_audit_show, CLI_UNLOCKS, "show audit entries (admins and auditors)",
	 "brankas audit show [--actor NAME] [--action ACTION] [--since TIME]" VAULT_OPTS "\n"
	 "  TIME is a prefix of an ISO 8601 UTC time such as 2026-11 or 2026-11-27T10",
	 "brankas audit show --actor citra --since 2026-11",
	 "admin, auditor"},
	{"audit verify", cmd_audit_verify, CLI_UNLOCKS, "verify the audit log's chain, signatures and pinned head",
	 "brankas audit verify [--since CHECKPOINT] [--full]" VAULT_OPTS "\n"
	 "  --since FILE  prove the log extends a checkpoint from 'audit head -o FILE'\n"
	 "  --full        verify every signature again, not only the new ones",
	 "brankas audit verify --since checkpoint-2026-11.txt",
	 "admin, auditor, custodian"},
	{"backup", cmd_backup, CLI_UNLOCKS, "write the whole vault to one signed file, while others keep working",
	 "brankas backup -o FILE" VAULT_OPTS "\n"
	 "  writes FILE and FILE.minisig (minisign -Vm FILE -p vault.pub verifies it); the databases stay\n"
	 "  encrypted: the backup opens with the passphrases that open the vault, nothing less",
	 "brankas -C /srv/brankas.vault -u ada backup -o /media/usb/brankas-2026-12-07.backup",
	 "admin, unscoped custodian"},
	{"backup verify", cmd_backup_verify, 0, "check a backup's signature and every file in it, without restoring",
	 "brankas backup verify FILE [--vault-pub FILE] [-C DIR]\n"
	 "  --vault-pub FILE  the vault.pub to trust (default: DIR/vault.pub with -C, else the backup's own)",
	 "brankas backup verify /media/usb/brankas-2026-12-07.backup --vault-pub vault.pub",
	 "anyone (no passphrase)"},
	{"check", cmd_check, CLI_UNLOCKS, "check the database, keyring and audit log for integrity",
	 "brankas check" VAULT_OPTS,
	 "brankas -C /srv/brankas.vault -u aud check",
	 "admin, custodian, auditor"},
	{"dataset add", cmd_dataset_add, CLI_UNLOCKS, "register a dataset from a schema file (admin)",
	 "brankas dataset add SCHEMA.ini" VAULT_OPTS,
	 "brankas dataset add skm.ini",
	 "admin"},
	{"dataset list", cmd_dataset_list, CLI_UNLOCKS, "list datasets with their row counts", "brankas dataset list" VAULT_OPTS,
	 "brankas dataset list",
	 "admin, custodian, operator, analyst"},
	{"dataset show", cmd_dataset_show, CLI_UNLOCKS, "show a dataset's columns, or the CSV header it imports",
	 "brankas dataset show NAME [--template]" VAULT_OPTS "\n"
	 "  --template  print only the CSV header line the importer expects",
	 "brankas dataset show warga --template > warga.csv",
	 "admin, custodian, operator, analyst"},
	{"demo", cmd_demo, 0, "build a demo vault of synthetic Kabupaten Blitar data",
	 "brankas demo [DIR] [--citizens N] [--csv DIR] [--kdf LEVEL]\n"
	 "  DIR defaults to blitar-demo.vault; --csv DIR keeps the generated CSV files there;\n"
	 "  --citizens 1300000 makes a full-size regency",
	 "brankas demo blitar-demo.vault --citizens 2000 --kdf interactive",
	 "anyone (makes a new demo vault)"},
	{"extract open", cmd_extract_open, 0, "check and decrypt an extract made for you (evaluators; no vault needed)",
	 "brankas extract open DIR --identity FILE --vault-pub FILE -o OUT.csv [--passphrase-fd N]\n"
	 "  checks manifest.json.minisig against the vault.pub you were given, that the extract is\n"
	 "  yours and that every hash matches, then decrypts data.csv.age into OUT.csv (new, 0600)",
	 "brankas extract open extract-7 --identity eva.identity --vault-pub vault.pub -o data.csv",
	 "evaluators (no vault)"},
	{"find", cmd_find, CLI_UNLOCKS, "find a registered person by NIK through the blind index (NIK on stdin)",
	 "brankas find --nik - --purpose TEXT" VAULT_OPTS "\n"
	 "  the NIK is read from stdin or a prompt, never the command line",
	 "brankas find --nik - --purpose 'verifikasi bansos' < nik.txt",
	 "admin, custodian (their kecamatan)"},
	{"help", cmd_help, 0, "list the commands, or show one command's usage", "brankas help [COMMAND]",
	 "brankas help query",
	 "anyone (no vault)"},
	{"identity export-age", cmd_identity_export_age, 0, "write the identity's key in age's own format (for age -d -i)",
	 "brankas identity export-age FILE -o KEYFILE [--passphrase-fd N]\n"
	 "  KEYFILE (new, 0600) holds the secret key unencrypted: age -d -i KEYFILE data.csv.age",
	 "brankas identity export-age eva.identity -o eva.agekey",
	 "evaluators (no vault)"},
	{"identity new", cmd_identity_new, 0, "make an evaluator identity file and print its public id",
	 "brankas identity new -o FILE [--kdf interactive|moderate|sensitive] [--new-passphrase-fd N]",
	 "brankas identity new -o eva.identity",
	 "evaluators (no vault)"},
	{"identity show", cmd_identity_show, 0, "print the public id of an identity file",
	 "brankas identity show FILE",
	 "brankas identity show eva.identity",
	 "evaluators (no vault)"},
	{"import", cmd_import, CLI_UNLOCKS, "import a CSV file into a dataset, all or nothing",
	 "brankas import DATASET FILE.csv|- [--dry-run]" VAULT_OPTS "\n"
	 "  every value is validated; one bad row and nothing is imported (FILE:LINE:COLUMN: reason)\n"
	 "  --dry-run  validate only",
	 "brankas import warga warga.csv --dry-run\n"
	 "brankas import skm - --passphrase-fd 3 < skm.csv 3< pass.txt",
	 "admin, custodian, operator (their kecamatan)"},
	{"init", cmd_init, 0, "create a new vault with its first admin",
	 "brankas init DIR --admin NAME [--kdf interactive|moderate|sensitive] [--regions FILE]\n"
	 "             [--new-passphrase-fd N]\n"
	 "  --regions FILE  region codes of another kabupaten/kota (kode,nama,tingkat,kode_induk)",
	 "brankas init /srv/brankas.vault --admin ada --kdf sensitive",
	 "anyone (makes a new vault and its first admin)"},
	{"key export-db-key", cmd_key_export_db, CLI_UNLOCKS, "write vault.db's raw key as sqlcipher PRAGMAs to a new file (admin)",
	 "brankas key export-db-key -o FILE [--store KECAMATAN]" VAULT_OPTS "\n"
	 "  FILE is created 0600 and holds: PRAGMA key = \"x'...'\"; PRAGMA cipher_page_size = 4096;\n"
	 "  PRAGMA cipher_hmac_algorithm = HMAC_SHA256;\n"
	 "  then: build/sqlcipher DIR/vault.db < FILE (installed: brankas-sqlcipher) opens the database\n"
	 "  --store KECAMATAN: the key of that kecamatan's store instead, which holds its citizen rows\n"
	 "  (DIR/kec/KECAMATAN.db)",
	 "brankas key export-db-key -o vault-db.key\n"
	 "brankas key export-db-key --store 35.05.10 -o kanigoro.key",
	 "admin"},
	{"key rotate", cmd_key_rotate, CLI_UNLOCKS,
	 "give vault.db, the release, the audit or a kecamatan's keys a new version (admin)",
	 "brankas key rotate --db | --signing | --audit | --region KECAMATAN | --all-regions [--reencrypt]" VAULT_OPTS
	 "\n"
	 "  --db: a new key granted to every holder, vault.db copied under it and renamed into place, the\n"
	 "  old key's grants dropped; killed at any instant, the vault opens, and running it again finishes\n"
	 "  --signing: a new release key (extracts, checkpoints, backups) and vault.pub; what the old one\n"
	 "  signed still verifies with the old vault.pub, checkpoints with audit verify --since\n"
	 "  --audit: a new key for the audit log's keyed hashes of statements and subjects\n"
	 "  --region KECAMATAN (code or name), --all-regions: a new key pair for the kecamatan's data\n"
	 "  keys and inbox, a new store key (its store copied under it) and a new blind key (its NIK\n"
	 "  index made again); the old versions retired; killed at any instant, running it again finishes\n"
	 "  --reencrypt: besides, every value of the kecamatan sealed again under fresh data keys, in\n"
	 "  chunks while the vault stays in use; after a kill the same command continues where it stopped",
	 "brankas key rotate --signing\n"
	 "brankas key rotate --region Kanigoro --reencrypt",
	 "admin"},
	{"query", cmd_query, CLI_UNLOCKS, "read-only SQL over your scope's datasets; reveal(col) opens identifiers",
	 "brankas query [--purpose TEXT] [--format table|csv|json] [--timeout SECONDS]\n"
	 "              \"SELECT ...\" | - | --file FILE" VAULT_OPTS "\n"
	 "  tables: one view per dataset (warga, skm, ...) limited to your kecamatan, and wilayah;\n"
	 "  identifier columns hold handles: reveal(nik) opens one (admin/custodian, needs --purpose)\n"
	 "  SQL with a literal value ('text', x'..', a number of 5+ digits) must come on stdin (-) or\n"
	 "  from --file: other users can read a command line (ps). --timeout: at most 1 to 3600 s\n"
	 "  (default 120); a query that runs longer is stopped, refused and audited\n"
	 "  example: brankas query --purpose verifikasi - <<'SQL'\n"
	 "           SELECT reveal(nama) FROM warga WHERE desa = '35.05.10.2001'\n"
	 "           SQL",
	 "brankas query --purpose verifikasi - < q.sql\n"
	 "brankas query --format csv \"SELECT kecamatan, count(*) FROM warga GROUP BY 1\"",
	 "admin, custodian, analyst (their kecamatan; reveal(): admin, custodian)"},
	{"record add", cmd_record_add, CLI_UNLOCKS, "add one record: a CSV header and one row on stdin (validated, sealed)",
	 "brankas record add DATASET" VAULT_OPTS " < record.csv\n"
	 "  the values come on stdin, never the command line; give the passphrase on another fd",
	 "brankas record add skm --passphrase-fd 3 < record.csv 3< pass.txt",
	 "admin, custodian, operator (their kecamatan)"},
	{"record edit", cmd_record_edit, CLI_UNLOCKS, "correct one record: COLUMN=VALUE lines on stdin (validated, sealed anew)",
	 "brankas record edit DATASET ID --purpose TEXT" VAULT_OPTS " < corrections\n"
	 "  stdin: one COLUMN=VALUE per line, never the command line (give the passphrase on another\n"
	 "  descriptor); an empty VALUE clears an optional column; values are checked as import checks them\n"
	 "  admin, or a custodian of the row's kecamatan (and of the one it moves to)",
	 "brankas record edit warga 42 --purpose 'koreksi alamat' --passphrase-fd 3 < fix.txt 3< pass.txt",
	 "admin, custodian (their kecamatan)"},
	{"record erase", cmd_record_erase, CLI_UNLOCKS, "erase one record (secure delete; audited)",
	 "brankas record erase DATASET ID --purpose TEXT [--force]" VAULT_OPTS,
	 "brankas record erase warga 42 --purpose 'permintaan penghapusan' --force",
	 "admin, custodian (their kecamatan)"},
	{"record show", cmd_record_show, CLI_UNLOCKS, "show one record; --reveal opens its identifiers (audited)",
	 "brankas record show DATASET ID [--reveal --purpose TEXT]" VAULT_OPTS "\n"
	 "  --reveal  decrypt identifier and secret values: admin, or a custodian of the row's kecamatan",
	 "brankas record show warga 42 --reveal --purpose verifikasi",
	 "admin, custodian, analyst (their kecamatan; --reveal: admin, custodian)"},
	{"recovery combine", cmd_recovery_combine, 0, "set a lost admin passphrase again with K recovery shares",
	 "brankas recovery combine SHARE... -C DIR [--new-passphrase-fd N] [--kdf LEVEL]\n"
	 "  SHARE: the share files of 'recovery split' (their code typed in again is fine); K different\n"
	 "  shares of the vault's current split set a new passphrase for the admin who made them",
	 "brankas -C /srv/brankas.vault recovery combine share-1-of-5.txt share-3-of-5.txt share-4-of-5.txt",
	 "holders of K shares (no passphrase)"},
	{"recovery split", cmd_recovery_split, CLI_UNLOCKS, "split a recovery key for your admin keys into shares",
	 "brankas recovery split --shares N --threshold K -o DIR" VAULT_OPTS "\n"
	 "  writes DIR/share-I-of-N.txt: any K of the N shares give you back a passphrase when every admin\n"
	 "  forgot theirs; fewer reveal nothing. A new split retires the shares of the one before",
	 "brankas recovery split --shares 5 --threshold 3 -o /media/usb/pemulihan",
	 "admin"},
	{"report adoption", cmd_report_adoption, CLI_UNLOCKS, "how the use of each innovation grows, month by month",
	 "brankas report adoption [--period month|quarter|semester|year] [--year Y | --from DATE --to DATE]\n"
	 "                        [--min-cell N] [--format table|csv|json]" VAULT_OPTS "\n"
	 "  per innovation and period, from its penerapan (or first use): uses, daring and luring,\n"
	 "  distinct users, the desa/kelurahan of its planned area reached for the first time and so\n"
	 "  far, and the period by which half of them were reached; counts of fewer than N people\n"
	 "  (default 5) are hidden, with what would give them away",
	 "brankas report adoption --period quarter --format csv > adopsi.csv\n"
	 "brankas report adoption --from 2025-01-01 --to 2025-06-30",
	 "admin, custodian, analyst"},
	{"report coverage", cmd_report_coverage, CLI_UNLOCKS, "coverage of the innovations: areas reached, users, daring vs luring",
	 "brankas report coverage [--by inovasi|kecamatan | --unreached] [--year Y] [--min-cell N]\n"
	 "                        [--format table|csv|json]" VAULT_OPTS "\n"
	 "  per innovation: kecamatan and desa reached, users and users per 1,000 residents;\n"
	 "  per kecamatan: residents, users, daring and luring uses; both unless --by (csv: one, so --by)\n"
	 "  counts of fewer than N people (default 5) are hidden, with what would give them away\n"
	 "  --unreached: per innovation, the desa/kelurahan of its planned area (cakupan in the\n"
	 "  registry: kecamatan or desa codes, or the kabupaten) it has not reached, by name and code",
	 "brankas report coverage --by kecamatan --year 2026 --format csv > coverage.csv\n"
	 "brankas report coverage --unreached --format csv > belum-terjangkau.csv",
	 "admin, custodian, analyst"},
	{"report ikm", cmd_report_ikm, CLI_UNLOCKS, "satisfaction index (IKM, PermenPANRB 14/2017) per innovation, kecamatan or unit",
	 "brankas report ikm [--by inovasi|kecamatan|unit] [--year Y] [--period semester|year] [--min-cell N]\n"
	 "                   [--format table|csv|json]" VAULT_OPTS "\n"
	 "  NRR per unsur, IKM, converted score, mutu and kinerja for the 9 unsur, and apart the\n"
	 "  10-unsur index with U10 inovasi; respondents against the Krejcie-Morgan sample size\n"
	 "  --by       group by innovation (default), kecamatan or unit (the OPD)\n"
	 "  --year     only answers of that year\n"
	 "  --min-cell groups of fewer respondents are hidden, with what would give them away (default 5)\n"
	 "  --period   the score per semester or year, each period on its own, and its last change",
	 "brankas report ikm --by unit --year 2026\n"
	 "brankas report ikm --by kecamatan --period semester",
	 "admin, custodian, analyst"},
	{"report pengaduan", cmd_report_complaints, CLI_UNLOCKS, "complaints per innovation: category, status, days to resolve",
	 "brankas report pengaduan [--year Y] [--min-cell N] [--format table|csv|json]" VAULT_OPTS "\n"
	 "  per innovation: complaints by category and by status, and the median days from tanggal to\n"
	 "  tanggal_selesai of the resolved ones; counts of fewer than N complaints (default 5) are\n"
	 "  hidden, with what would give them away, and a median over fewer than N is not shown",
	 "brankas report pengaduan --year 2025 --format csv > pengaduan.csv",
	 "admin, custodian, analyst"},
	{"request add", cmd_request_add, CLI_UNLOCKS, "load an evaluator's signed request (custodians)",
	 "brankas request add REQ.json" VAULT_OPTS "\n"
	 "  the signature must come from an enabled evaluator registered with 'user add --role evaluator'",
	 "brankas request add req-eva.json",
	 "admin, custodian"},
	{"request approve", cmd_request_approve, CLI_UNLOCKS, "approve a request: the anonymized extract is written to DIR",
	 "brankas request approve N -o DIR" VAULT_OPTS "\n"
	 "  writes DIR/data.csv.age (age, to the evaluator), DIR/manifest.json and its minisign signature;\n"
	 "  a dataset with 'approvals = 2' needs two different approvers; run again on an approved request\n"
	 "  whose approval was interrupted, it puts the extract it left in DIR in place",
	 "brankas request approve 7 -o extract-7",
	 "admin, custodian"},
	{"request deny", cmd_request_deny, CLI_UNLOCKS, "deny a request, with a reason",
	 "brankas request deny N --reason TEXT" VAULT_OPTS,
	 "brankas request deny 7 --reason 'kolom nik tidak diperlukan'",
	 "admin, custodian"},
	{"request list", cmd_request_list, CLI_UNLOCKS, "list evaluators' requests", "brankas request list" VAULT_OPTS,
	 "brankas request list",
	 "admin, custodian"},
	{"request new", cmd_request_new, 0, "write a signed request for an anonymized extract or table (evaluators)",
	 "brankas request new --identity FILE --dataset D --purpose TEXT -o REQ.json [--legal-basis TEXT]\n"
	 "       [--period FROM..TO] --columns C1,C2,... --k K [--l L --sensitive COL[,COL] [--ldiv distinct|entropy]]\n"
	 "       [--suppression PCT]\n"
	 "  or    --table --by C1[,C2] [--measure count|mean(COL)|ikm] [--min-cell N] [--epsilon E]\n"
	 "  --k           every released combination of quasi-identifiers is shared by at least K rows\n"
	 "  --l           each such class holds at least L different values of each --sensitive column\n"
	 "  --suppression at most PCT percent of rows may be withheld instead of generalizing further\n"
	 "  --epsilon     differentially private counts (charged to your yearly budget per dataset)",
	 "brankas request new --identity eva.identity --dataset skm --columns kecamatan,umur --k 5 --purpose 'evaluasi layanan' -o req.json",
	 "evaluators (no vault)"},
	{"request show", cmd_request_show, CLI_UNLOCKS, "dry run of a request: what would leave, its risk and its loss",
	 "brankas request show N" VAULT_OPTS,
	 "brankas request show 7",
	 "admin, custodian"},
	{"restore", cmd_restore, CLI_UNLOCKS, "make a new vault directory from a backup; its log records the restore",
	 "brankas restore FILE DIR [--vault-pub FILE] -u USER [--passphrase-fd N]\n"
	 "  checks FILE as 'backup verify' does, writes DIR (which must not exist), unlocks it as USER,\n"
	 "  an admin of the backed-up vault, and records the restore in its audit log",
	 "brankas -u ada restore /media/usb/brankas-2026-12-07.backup /srv/brankas.vault --vault-pub vault.pub",
	 "admin (of the backup)"},
	{"retention apply", cmd_retention_apply, CLI_UNLOCKS, "delete rows past their dataset's retention",
	 "brankas retention apply [--dry-run] [--force]" VAULT_OPTS,
	 "brankas retention apply --dry-run",
	 "admin, custodian"},
	{"shell", cmd_shell, CLI_UNLOCKS, "unlock once, then run queries at a prompt; locks when idle",
	 "brankas shell [--idle SECONDS] [--format table|csv|json]" VAULT_OPTS "\n"
	 "  no history file is kept; .help at the prompt lists the dot commands",
	 "brankas -C /srv/brankas.vault -u ani shell --idle 600",
	 "admin, custodian, analyst (their kecamatan)"},
	{"status", cmd_status, CLI_UNLOCKS, "show the vault id, users, key versions, audit head and integrity",
	 "brankas status [--format table|json]" VAULT_OPTS,
	 "brankas status --format json",
	 "any vault user (admin, custodian, operator, analyst, auditor)"},
	{"subject correct", cmd_subject_correct, CLI_UNLOCKS, "correct one person's data in every row of theirs (NIK and values on stdin)",
	 "brankas subject correct --purpose TEXT" VAULT_OPTS " < corrections\n"
	 "  stdin: the NIK on the first line, then one COLUMN=VALUE per line (columns of the registry,\n"
	 "  e.g. nik, nama, tanggal_lahir), applied to every row of the person that has the column",
	 "brankas subject correct --purpose 'koreksi NIK' --passphrase-fd 3 < correction.txt 3< pass.txt",
	 "admin, custodian (their kecamatan)"},
	{"subject erase", cmd_subject_erase, CLI_UNLOCKS, "erase everything held about one person (NIK on stdin)",
	 "brankas subject erase --purpose TEXT [--force]" VAULT_OPTS "\n"
	 "  the NIK is read from stdin or a prompt, never the command line",
	 "brankas subject erase --purpose 'hak penghapusan' --force < nik.txt",
	 "admin, custodian (their kecamatan)"},
	{"subject export", cmd_subject_export, CLI_UNLOCKS, "everything held about one person, as JSON (NIK on stdin)",
	 "brankas subject export --purpose TEXT" VAULT_OPTS "\n"
	 "  the NIK is read from stdin or a prompt, never the command line",
	 "brankas subject export --purpose 'hak akses subjek' < nik.txt > subject.json",
	 "admin, custodian (their kecamatan)"},
	{"user add", cmd_user_add, CLI_UNLOCKS, "add a user (admin)",
	 "brankas user add NAME --role admin|custodian|operator|analyst|auditor [--scope KEC,...]\n"
	 "                 [--kdf LEVEL] [--new-passphrase-fd N]" VAULT_OPTS "\n"
	 "       brankas user add NAME --role evaluator --pubkey AGE1ID" VAULT_OPTS "\n"
	 "  --scope  kecamatan codes or names the user may act in (custodian, operator, analyst)",
	 "brankas user add citra --role custodian --scope Kanigoro\n"
	 "brankas user add eva --role evaluator --pubkey age1...",
	 "admin"},
	{"user disable", cmd_user_disable, CLI_UNLOCKS, "disable a user and revoke their grants (admin)",
	 "brankas user disable NAME" VAULT_OPTS,
	 "brankas user disable oki",
	 "admin"},
	{"user enable", cmd_user_enable, CLI_UNLOCKS, "enable a disabled user again, with new keys (admin)",
	 "brankas user enable NAME [--kdf LEVEL] [--new-passphrase-fd N]" VAULT_OPTS "\n"
	 "  as 'user reset' does: new key pairs, the role's grants again, a one-time passphrase",
	 "brankas user enable oki",
	 "admin"},
	{"user list", cmd_user_list, CLI_UNLOCKS, "list users, roles and scopes (admin)",
	 "brankas user list [--format table|json]" VAULT_OPTS,
	 "brankas user list --format json",
	 "admin"},
	{"user passwd", cmd_user_passwd, CLI_UNLOCKS, "change your own passphrase",
	 "brankas user passwd [--kdf LEVEL] [--new-passphrase-fd N]" VAULT_OPTS,
	 "brankas user passwd --kdf sensitive",
	 "any vault user (their own passphrase)"},
	{"user reset", cmd_user_reset, CLI_UNLOCKS, "give a user who forgot their passphrase a one-time one (admin)",
	 "brankas user reset NAME [--kdf LEVEL] [--new-passphrase-fd N]" VAULT_OPTS "\n"
	 "  new key pairs and the role's grants; the one-time passphrase opens only 'user passwd'. Their\n"
	 "  old keys open no new grant; their audit entries keep verifying",
	 "brankas user reset citra",
	 "admin"},
	{"version", cmd_version, 0, "print the version of brankas and its libraries", "brankas version",
	 "brankas version",
	 "anyone (no vault)"},
};
const size_t cli_command_count = sizeof(cli_commands) / sizeof(cli_commands[0]);

static void harden_process(void)
{
	struct rlimit none = {0, 0};

	/* secrets must never reach a core dump or a ptrace of another user's process */
	setrlimit(RLIMIT_CORE, &none);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	umask(077);
}

static const struct cli_command *find_command(int argc, char **argv, int *words_p)
{
	char two[64];

	*words_p = 0;
	if (argc < 1)
		return NULL;
	if (argc >= 2) {
		snprintf(two, sizeof(two), "%s %s", argv[0], argv[1]);
		for (size_t i = 0; i < cli_command_count; i++)
			if (strcmp(cli_commands[i].name, two) == 0) {
				*words_p = 2;
				return &cli_commands[i];
			}
	}
	for (size_t i = 0; i < cli_command_count; i++)
		if (strcmp(cli_commands[i].name, argv[0]) == 0) {
			*words_p = 1;
			return &cli_commands[i];
		}
	return NULL;
}

static int is_group(const char *word)
{
	size_t n = strlen(word);

	for (size_t i = 0; i < cli_command_count; i++)
		if (strncmp(cli_commands[i].name, word, n) == 0 && cli_commands[i].name[n] == ' ')
			return 1;
	return 0;
}

static void list_commands(FILE *out, const char *group)
{
	size_t n = group ? strlen(group) : 0;

	fprintf(out, "usage: brankas [-C DIR] [-u USER] [--passphrase-fd N] [--wait SECONDS] COMMAND [ARGS]\n\n"
		     "commands:\n");
	for (size_t i = 0; i < cli_command_count; i++)
		if (!group || (strncmp(cli_commands[i].name, group, n) == 0 && cli_commands[i].name[n] == ' '))
			fprintf(out, "  %-18s  %s\n", cli_commands[i].name, cli_commands[i].summary);
	fprintf(out, "\n'brankas help COMMAND' or 'brankas COMMAND -h' shows a command's usage.\n"
		     "exit codes: 0 ok, 1 failed, 2 usage, 3 wrong passphrase or integrity violation, "
		     "4 denied by policy, 5 vault busy (try again)\n");
}

int cmd_help(struct cli_ctx *ctx, int argc, char **argv)
{
	struct cli_args args = {.min = 0, .max = -1};
	const struct cli_command *cmd;
	int words = 0, code;

	if ((code = cli_parse_options(ctx, argc, argv, NULL, &args)) >= 0)
		return code;
	if (args.argc == 0) {
		list_commands(stdout, NULL);
		return cli_finish(CLI_EXIT_OK);
	}
	cmd = find_command(args.argc, args.argv, &words);
	if (!cmd && is_group(args.argv[0])) {
		list_commands(stdout, args.argv[0]);
		return cli_finish(CLI_EXIT_OK);
	}
	if (!cmd || words != args.argc)
		return cli_usage(ctx, "no command '%s'", args.argv[0]);
	cli_print_help(stdout, cmd);
	return cli_finish(CLI_EXIT_OK);
}

int cmd_version(struct cli_ctx *ctx, int argc, char **argv)
{
	int code;
	char cipher[32];
	const char *sqlite;

	if ((code = cli_parse_options(ctx, argc, argv, NULL, NULL)) >= 0)
		return code;
	sqlite = bk_vault_library_versions(cipher, sizeof(cipher));
	printf("brankas %s\nlibsodium %s\nSQLCipher %s\nSQLite %s\n", BRANKAS_VERSION, bk_crypto_version(),
	       cipher[0] ? cipher : "(none: plain SQLite)", sqlite);
	return cli_finish(CLI_EXIT_OK);
}

int main(int argc, char **argv)
{
	struct cli_ctx ctx = {NULL, NULL, -1, -1, NULL};
	const struct cli_command *cmd;
	int i = 1, words = 0;
	bk_status rc;

	harden_process();
	if ((rc = bk_crypto_init()))
		return cli_fail(rc);
	cli_wait_init();
	/* global options before the command */
	while (i < argc && argv[i][0] == '-' && argv[i][1]) {
		const char *opt = argv[i];

		if ((strcmp(opt, "-C") == 0 || strcmp(opt, "-u") == 0 || strcmp(opt, "--passphrase-fd") == 0 ||
		     strcmp(opt, "--new-passphrase-fd") == 0 || strcmp(opt, "--wait") == 0) && i + 1 >= argc)
			return cli_usage(&ctx, "option '%s' needs a value", opt);
		if (strcmp(opt, "-C") == 0)
			ctx.vault_dir = argv[i + 1];
		else if (strcmp(opt, "-u") == 0)
			ctx.user = argv[i + 1];
		else if (strcmp(opt, "--wait") == 0) {
			if ((rc = cli_parse_wait(argv[i + 1])))
				return cli_usage(&ctx, "%s", bk_error_detail());
		}
		else if (strcmp(opt, "--passphrase-fd") == 0 || strcmp(opt, "--new-passphrase-fd") == 0) {
			int fd;

			if ((rc = cli_parse_fd(argv[i + 1], &fd)))
				return cli_usage(&ctx, "%s", bk_error_detail());
			if (opt[2] == 'p')
				ctx.pass_fd = fd;
			else
				ctx.new_pass_fd = fd;
		} else if (strcmp(opt, "-h") == 0 || strcmp(opt, "--help") == 0) {
			list_commands(stdout, NULL);
			return cli_finish(CLI_EXIT_OK);
		} else if (strcmp(opt, "--version") == 0) {
			ctx.cmd = find_command(1, (char *[]){"version"}, &words);
			return cmd_version(&ctx, 1, (char *[]){"version", NULL});
		} else {
			return cli_usage(&ctx, "unknown option '%s'", opt);
		}
		i += 2;
	}
	if (i >= argc) {
		list_commands(stderr, NULL);
		return CLI_EXIT_USAGE;
	}
	cmd = find_command(argc - i, argv + i, &words);
	if (!cmd) {
		if (is_group(argv[i])) {
			fprintf(stderr, "brankas: error: '%s' needs a subcommand\n", argv[i]);
			list_commands(stderr, argv[i]);
			return CLI_EXIT_USAGE;
		}
		fprintf(stderr, "brankas: error: no command '%s'\nbrankas: hint: 'brankas help' lists the commands\n",
			argv[i]);
		return CLI_EXIT_USAGE;
	}
	ctx.cmd = cmd;
	/* the command sees its own name as argv[0] and its arguments after it */
	return cmd->fn(&ctx, argc - i - (words - 1), argv + i + (words - 1));
}
