/* cli.h - what the command files share: the command table's shape, the
 * global options, passphrase input, unlocking, and the exit-code mapping.
 * Only cli/ prints or exits. */
#ifndef BK_CLI_H
#define BK_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "base/error.h"
#include "crypto/kdf.h"
#include "vault/core/vault.h"

/* Exit codes (DESIGN §12). */
enum { CLI_EXIT_OK = 0, CLI_EXIT_FAILED = 1, CLI_EXIT_USAGE = 2, CLI_EXIT_INTEGRITY = 3, CLI_EXIT_DENIED = 4, CLI_EXIT_BUSY = 5 };

struct cli_ctx {
	const char *vault_dir;
	const char *user;
	int pass_fd;     /* -1: ask on the terminal */
	int new_pass_fd; /* -1: ask on the terminal */
	const struct cli_command *cmd;
};

typedef int (*cli_fn)(struct cli_ctx *ctx, int argc, char **argv);

/* Command flags. */
enum {
	CLI_UNLOCKS = 1u << 0, /* opens the vault: its handler parses and checks, then hands over to cli_run() */
};

struct cli_command {
	const char *name;     /* "status", "user add" */
	cli_fn fn;            /* parses (cli_parse_options) and checks; with CLI_UNLOCKS it ends in cli_run() */
	unsigned flags;       /* CLI_UNLOCKS */
	const char *summary;  /* one line for `brankas help` */
	const char *usage;    /* "brankas user add NAME --role ROLE [...]" and option lines */
	const char *examples; /* one or more lines "brankas …", for -h and `brankas help COMMAND` */
	const char *who;      /* who may run it (from vault/core/acl.c's rules): "admin, custodian" */
};

extern const struct cli_command cli_commands[];
extern const size_t cli_command_count;

/* cli_print_help prints a command's usage, examples and who may run it: the
 * output of `COMMAND -h` and `brankas help COMMAND`. */
void cli_print_help(FILE *out, const struct cli_command *cmd);

/* A command's work with the vault open: what cli_run() calls between the
 * unlock and the close. arg is the command's own parsed state. */
typedef bk_status (*cli_run_fn)(struct cli_ctx *ctx, struct bk_vault *v, void *arg);

/* cli_run unlocks the vault (-C DIR or BRANKAS_VAULT, -u USER or BRANKAS_USER,
 * the passphrase; the vault audits the unlock), calls run, closes the vault whatever happened, and
 * maps the result onto an exit code (cli_fail, or cli_finish on success).
 * Only for commands flagged CLI_UNLOCKS; call it once options and files are
 * checked, so a usage error never asks for a passphrase. */
int cli_run(struct cli_ctx *ctx, cli_run_fn run, void *arg);

/* cli_usage prints "error: …" and the command's usage on stderr; returns 2. */
int cli_usage(const struct cli_ctx *ctx, const char *fmt, ...) BK_PRINTF(2, 3);

/* cli_fail prints the recorded error detail and hint; returns the exit code for rc. */
int cli_fail(bk_status rc);

/* cli_exit_code maps a status onto an exit code. */
int cli_exit_code(bk_status rc);

/* cli_passphrase reads a passphrase into guarded memory (*pass_p; free with
 * bk_secmem_free): one line from fd when fd >= 0, else from the terminal with
 * echo off, asking twice when confirm is set. New passphrases (confirm) must
 * have at least 8 characters. */
bk_status cli_passphrase(int fd, const char *prompt, int confirm, char **pass_p, size_t *len_p) BK_MUST_CHECK;

/* The largest identity file read (they are about 1 KiB). */
#define CLI_IDENTITY_MAX 65536

/* The secret keys of an opened identity file (guarded memory). */
struct cli_identity_keys {
	uint8_t ed_sk[64]; /* Ed25519: signs requests */
	uint8_t x_sk[32];  /* X25519: opens extracts */
};

/* cli_identity_unlock opens the identity file path with the passphrase read
 * from ctx->pass_fd (the terminal when -1) into *keys_p, guarded memory the
 * caller frees with bk_secmem_free (NULL on failure). When public_id is not
 * NULL (BK_AGE_RECIPIENT_MAX bytes) it receives the identity's age id, read
 * before the passphrase is asked so that a malformed file fails first. The
 * passphrase and the file's text are freed before return. */
bk_status cli_identity_unlock(struct cli_ctx *ctx, const char *path, char *public_id,
			      struct cli_identity_keys **keys_p) BK_MUST_CHECK;

/* cli_read_input reads fd to its end into guarded memory (*buf_p, NUL-
 * terminated; free with bk_secmem_free): data that may be personal, such as
 * corrections. More than max bytes is a usage error. */
bk_status cli_read_input(int fd, size_t max, char **buf_p, size_t *len_p) BK_MUST_CHECK;

/* cli_problem prints one "FILE:LINE:COLUMN: reason" line on stderr: the
 * problem callback of validating commands (ctx unused). */
void cli_problem(void *ctx, const char *msg);

/* cli_vault_dir resolves -C DIR / BRANKAS_VAULT (usage error when neither). */
bk_status cli_vault_dir(struct cli_ctx *ctx, const char **dir_p) BK_MUST_CHECK;

/* cli_parse_kdf parses --kdf's argument. */
bk_status cli_parse_kdf(const char *arg, enum bk_kdf_level *level_p) BK_MUST_CHECK;

/* cli_wait_init sets the default wait for another command (and the notice
 * printed while waiting); cli_parse_wait sets it from --wait SECONDS. */
void cli_wait_init(void);
bk_status cli_parse_wait(const char *arg) BK_MUST_CHECK;

/* cli_parse_fd parses a file descriptor number. */
bk_status cli_parse_fd(const char *arg, int *fd_p) BK_MUST_CHECK;

/* cli_finish flushes and closes stdout; a write error (a full disk) turns
 * exit code 0 into 1. Returns the final exit code. */
int cli_finish(int code);

/* Output formats. */
enum cli_format { CLI_FORMAT_TABLE, CLI_FORMAT_CSV, CLI_FORMAT_JSON };
bk_status cli_parse_format(const char *arg, enum cli_format *fmt_p) BK_MUST_CHECK;

/* The command functions, one file each (cmd_<name>.c). */
int cmd_audit_head(struct cli_ctx *ctx, int argc, char **argv);
int cmd_audit_show(struct cli_ctx *ctx, int argc, char **argv);
int cmd_audit_verify(struct cli_ctx *ctx, int argc, char **argv);
int cmd_backup(struct cli_ctx *ctx, int argc, char **argv);
int cmd_backup_verify(struct cli_ctx *ctx, int argc, char **argv);
int cmd_check(struct cli_ctx *ctx, int argc, char **argv);
int cmd_dataset_add(struct cli_ctx *ctx, int argc, char **argv);
int cmd_dataset_list(struct cli_ctx *ctx, int argc, char **argv);
int cmd_dataset_show(struct cli_ctx *ctx, int argc, char **argv);
int cmd_demo(struct cli_ctx *ctx, int argc, char **argv);
int cmd_extract_open(struct cli_ctx *ctx, int argc, char **argv);
int cmd_find(struct cli_ctx *ctx, int argc, char **argv);
int cmd_help(struct cli_ctx *ctx, int argc, char **argv);
int cmd_identity_export_age(struct cli_ctx *ctx, int argc, char **argv);
int cmd_identity_new(struct cli_ctx *ctx, int argc, char **argv);
int cmd_identity_show(struct cli_ctx *ctx, int argc, char **argv);
int cmd_import(struct cli_ctx *ctx, int argc, char **argv);
int cmd_init(struct cli_ctx *ctx, int argc, char **argv);
int cmd_key_rotate(struct cli_ctx *ctx, int argc, char **argv);
int cmd_key_export_db(struct cli_ctx *ctx, int argc, char **argv);
int cmd_query(struct cli_ctx *ctx, int argc, char **argv);
int cmd_record_add(struct cli_ctx *ctx, int argc, char **argv);
int cmd_record_edit(struct cli_ctx *ctx, int argc, char **argv);
int cmd_record_erase(struct cli_ctx *ctx, int argc, char **argv);
int cmd_record_show(struct cli_ctx *ctx, int argc, char **argv);
int cmd_report_coverage(struct cli_ctx *ctx, int argc, char **argv);
int cmd_report_adoption(struct cli_ctx *ctx, int argc, char **argv);
int cmd_report_complaints(struct cli_ctx *ctx, int argc, char **argv);
int cmd_report_ikm(struct cli_ctx *ctx, int argc, char **argv);
int cmd_request_add(struct cli_ctx *ctx, int argc, char **argv);
int cmd_request_approve(struct cli_ctx *ctx, int argc, char **argv);
int cmd_request_deny(struct cli_ctx *ctx, int argc, char **argv);
int cmd_request_list(struct cli_ctx *ctx, int argc, char **argv);
int cmd_request_new(struct cli_ctx *ctx, int argc, char **argv);
int cmd_request_show(struct cli_ctx *ctx, int argc, char **argv);
int cmd_retention_apply(struct cli_ctx *ctx, int argc, char **argv);
int cmd_recovery_combine(struct cli_ctx *ctx, int argc, char **argv);
int cmd_recovery_split(struct cli_ctx *ctx, int argc, char **argv);
int cmd_restore(struct cli_ctx *ctx, int argc, char **argv);
int cmd_shell(struct cli_ctx *ctx, int argc, char **argv);
int cmd_status(struct cli_ctx *ctx, int argc, char **argv);
int cmd_subject_correct(struct cli_ctx *ctx, int argc, char **argv);
int cmd_subject_erase(struct cli_ctx *ctx, int argc, char **argv);
int cmd_subject_export(struct cli_ctx *ctx, int argc, char **argv);
int cmd_user_add(struct cli_ctx *ctx, int argc, char **argv);
int cmd_user_disable(struct cli_ctx *ctx, int argc, char **argv);
int cmd_user_enable(struct cli_ctx *ctx, int argc, char **argv);
int cmd_user_reset(struct cli_ctx *ctx, int argc, char **argv);
int cmd_user_list(struct cli_ctx *ctx, int argc, char **argv);
int cmd_user_passwd(struct cli_ctx *ctx, int argc, char **argv);
int cmd_version(struct cli_ctx *ctx, int argc, char **argv);

#endif
