/* common.c - helpers every command uses: errors, passphrases, help, unlock. */
#include "cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "base/fileio.h"
#include "crypto/identity.h"
#include "crypto/secmem.h"
#include "vault/core/db.h"
#include "vault/records/subjects.h"

#define PASS_MAX 1024

int cli_exit_code(bk_status rc)
{
	/* a verdict reached after an allocation failed may come from the missing
	 * memory (bk_note_alloc_failed): no alarm, the command still failed */
	if ((rc == BK_ERR_CORRUPT || rc == BK_ERR_AUTH) && bk_alloc_failed())
		return CLI_EXIT_FAILED;
	switch (rc) {
	case BK_OK: return CLI_EXIT_OK;
	case BK_ERR_USAGE: return CLI_EXIT_USAGE;
	case BK_ERR_AUTH:
	case BK_ERR_CORRUPT: return CLI_EXIT_INTEGRITY;
	case BK_ERR_DENIED: return CLI_EXIT_DENIED;
	case BK_ERR_BUSY: return CLI_EXIT_BUSY;
	default: return CLI_EXIT_FAILED;
	}
}

int cli_fail(bk_status rc)
{
	const char *detail = bk_error_detail();

	fprintf(stderr, "brankas: error: %s\n", detail[0] ? detail : bk_strerror(rc));
	if (bk_error_hint()[0])
		fprintf(stderr, "brankas: hint: %s\n", bk_error_hint());
	return cli_exit_code(rc);
}

int cli_usage(const struct cli_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "brankas: error: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: %s\n", ctx->cmd ? ctx->cmd->usage : "brankas [-C DIR] [-u USER] COMMAND ...");
	return CLI_EXIT_USAGE;
}

bk_status cli_parse_fd(const char *arg, int *fd_p)
{
	char *end = NULL;
	long n;

	errno = 0;
	n = strtol(arg, &end, 10);
	if (errno || !end || *end || end == arg || n < 0 || n > INT_MAX)
		return bk_fail(BK_ERR_USAGE, "not a file descriptor: '%.16s'", arg);
	*fd_p = (int)n;
	return BK_OK;
}

/* Said once when a command has waited a second for another one: a clerk
 * staring at a silent screen would think brankas hung. */
static void tell_waiting(int ms)
{
	fprintf(stderr, "brankas: waiting for another command to finish (at most %d s)...\n", ms / 1000);
}

void cli_wait_init(void)
{
	bk_db_set_wait(BK_DB_WAIT_DEFAULT_MS, tell_waiting);
}

bk_status cli_parse_wait(const char *arg)
{
	char *end = NULL;
	long n;

	errno = 0;
	n = strtol(arg, &end, 10);
	if (errno || !end || *end || arg[0] < '0' || arg[0] > '9' || n > BK_DB_WAIT_MAX_MS / 1000)
		return bk_fail(BK_ERR_USAGE, "--wait takes a number of seconds from 0 to %d, not '%.16s'",
			       BK_DB_WAIT_MAX_MS / 1000, arg);
	bk_db_set_wait((int)n * 1000, tell_waiting);
	return BK_OK;
}

bk_status cli_parse_kdf(const char *arg, enum bk_kdf_level *level_p)
{
	if (bk_kdf_level_parse(arg, level_p) != BK_OK) {
		bk_hint("--kdf takes interactive, moderate or sensitive");
		return bk_fail(BK_ERR_USAGE, "unknown --kdf level '%.32s'", arg);
	}
	return BK_OK;
}

bk_status cli_parse_format(const char *arg, enum cli_format *fmt_p)
{
	if (strcmp(arg, "table") == 0)
		*fmt_p = CLI_FORMAT_TABLE;
	else if (strcmp(arg, "csv") == 0)
		*fmt_p = CLI_FORMAT_CSV;
	else if (strcmp(arg, "json") == 0)
		*fmt_p = CLI_FORMAT_JSON;
	else
		return bk_fail(BK_ERR_USAGE, "unknown --format '%.32s' (table, csv or json)", arg);
	return BK_OK;
}

/* Reads one line byte by byte, so two passphrases can come from one fd. */
static bk_status read_line(int fd, char *buf, size_t cap, size_t *len_p)
{
	size_t len = 0;

	for (;;) {
		char ch;
		ssize_t n = read(fd, &ch, 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return bk_fail(BK_ERR_IO, "cannot read the passphrase: %s", strerror(errno));
		if (n == 0 || ch == '\n')
			break;
		if (len + 1 >= cap)
			return bk_fail(BK_ERR_USAGE, "passphrase longer than %d bytes", PASS_MAX - 1);
		buf[len++] = ch;
	}
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	buf[len] = '\0';
	*len_p = len;
	return BK_OK;
}

/* While echo is off, a signal must not leave the terminal that way. */
static volatile sig_atomic_t tty_fd = -1;
static struct termios tty_saved;

static void restore_tty(int sig)
{
	if (tty_fd >= 0)
		tcsetattr(tty_fd, TCSAFLUSH, &tty_saved);
	signal(sig, SIG_DFL);
	raise(sig);
}

static bk_status read_tty(const char *prompt, char *buf, size_t cap, size_t *len_p)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP};
	struct sigaction sa, prev[sizeof(sigs) / sizeof(sigs[0])];
	struct termios old, quiet;
	bk_status rc;
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd < 0) {
		bk_hint("pass it on a file descriptor with --passphrase-fd N");
		return bk_fail(BK_ERR_USAGE, "no terminal to ask for the passphrase");
	}
	if (tcgetattr(fd, &old) != 0) {
		close(fd);
		bk_hint("pass it on a file descriptor with --passphrase-fd N");
		return bk_fail(BK_ERR_USAGE, "no terminal to ask for the passphrase");
	}
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	quiet.c_lflag |= ICANON;
	tty_saved = old;
	tty_fd = fd;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = restore_tty;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, &prev[i]);
	if (write(fd, prompt, strlen(prompt)) < 0 || tcsetattr(fd, TCSAFLUSH, &quiet) != 0) {
		rc = bk_fail(BK_ERR_IO, "cannot turn off echo on the terminal");
		*len_p = 0;
	} else {
		rc = read_line(fd, buf, cap, len_p);
	}
	tcsetattr(fd, TCSAFLUSH, &old);
	tty_fd = -1;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &prev[i], NULL);
	if (write(fd, "\n", 1) < 0) {
		/* the newline is cosmetic */
	}
	close(fd);
	return rc;
}

bk_status cli_passphrase(int fd, const char *prompt, int confirm, char **pass_p, size_t *len_p)
{
	char *pass = bk_secmem_alloc(PASS_MAX), *again = NULL;
	size_t len = 0, len2 = 0;
	bk_status rc;

	*pass_p = NULL;
	*len_p = 0;
	if (!pass)
		return bk_fail(BK_ERR_NOMEM, "out of guarded memory");
	if (fd >= 0) {
		rc = read_line(fd, pass, PASS_MAX, &len);
	} else {
		rc = read_tty(prompt, pass, PASS_MAX, &len);
		if (rc == BK_OK && confirm) {
			again = bk_secmem_alloc(PASS_MAX);
			if (!again)
				rc = bk_fail(BK_ERR_NOMEM, "out of guarded memory");
			else if ((rc = read_tty("again: ", again, PASS_MAX, &len2)) == BK_OK &&
				 (len2 != len || !bk_ct_equal(pass, again, len)))
				rc = bk_fail(BK_ERR_USAGE, "the passphrases do not match");
		}
	}
	if (rc == BK_OK && len == 0)
		rc = bk_fail(BK_ERR_USAGE, "empty passphrase");
	if (rc == BK_OK && confirm && len < 8)
		rc = bk_fail(BK_ERR_USAGE, "a new passphrase needs at least 8 characters");
	bk_secmem_free(again);
	if (rc != BK_OK) {
		bk_secmem_free(pass);
		return rc;
	}
	*pass_p = pass;
	*len_p = len;
	return BK_OK;
}

bk_status cli_read_input(int fd, size_t max, char **buf_p, size_t *len_p)
{
	size_t cap = 4096, len = 0;
	char *buf = bk_secmem_alloc(cap + 1);
	bk_status rc = BK_OK;

	*buf_p = NULL;
	*len_p = 0;
	if (!buf)
		return bk_fail(BK_ERR_NOMEM, "out of guarded memory");
	for (;;) {
		ssize_t n;

		if (len == cap) {
			/* grow by copying: guarded memory cannot be reallocated in place */
			char *bigger = cap < max ? bk_secmem_alloc(cap * 2 + 1) : NULL;

			if (cap >= max) {
				rc = bk_fail(BK_ERR_USAGE, "the input is larger than %zu bytes", max);
				break;
			}
			if (!bigger) {
				rc = bk_fail(BK_ERR_NOMEM, "out of guarded memory");
				break;
			}
			memcpy(bigger, buf, len);
			bk_secmem_free(buf);
			buf = bigger;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = bk_fail(BK_ERR_IO, "cannot read the input: %s", strerror(errno));
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (rc == BK_OK && len > max)
		rc = bk_fail(BK_ERR_USAGE, "the input is larger than %zu bytes", max);
	if (rc != BK_OK) {
		bk_secmem_free(buf);
		return rc;
	}
	buf[len] = '\0';
	*buf_p = buf;
	*len_p = len;
	return BK_OK;
}

void cli_problem(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "%s\n", msg);
}

bk_status cli_vault_dir(struct cli_ctx *ctx, const char **dir_p)
{
	const char *dir = ctx->vault_dir ? ctx->vault_dir : getenv("BRANKAS_VAULT");

	*dir_p = NULL;
	if (!dir || !dir[0]) {
		bk_hint("name the vault with -C DIR or BRANKAS_VAULT");
		return bk_fail(BK_ERR_USAGE, "no vault given");
	}
	*dir_p = dir;
	return BK_OK;
}

/* A progress line while an unlock moves rows waiting in vault.db into their
 * kecamatan stores (a vault made before the stores: once, may take minutes). */
static void show_move(void *ctx, uint64_t done, uint64_t total)
{
	(void)ctx;
	if (!isatty(STDERR_FILENO))
		return; /* scripts read the audit entry (store-move) instead */
	fprintf(stderr, "\rbrankas: moving rows into their kecamatan stores: %llu of %llu%s", (unsigned long long)done,
		(unsigned long long)total, done >= total ? "\n" : "");
}

/* Resolves the vault and the user, reads the passphrase and opens the vault:
 * only cli_run unlocks. */
static bk_status cli_unlock(struct cli_ctx *ctx, struct bk_vault **v_p)
{
	const char *dir = NULL, *user = ctx->user ? ctx->user : getenv("BRANKAS_USER");
	char prompt[128], *pass = NULL;
	size_t len = 0;
	uint64_t indexed = 0;
	bk_status rc;

	*v_p = NULL;
	if ((rc = cli_vault_dir(ctx, &dir)))
		return rc;
	if (!user || !user[0]) {
		bk_hint("name the user with -u USER or BRANKAS_USER");
		return bk_fail(BK_ERR_USAGE, "no user given");
	}
	snprintf(prompt, sizeof(prompt), "passphrase for %.32s: ", user);
	if ((rc = cli_passphrase(ctx->pass_fd, prompt, 0, &pass, &len)))
		return rc;
	bk_vault_on_move(show_move, NULL);
	rc = bk_vault_open(dir, user, pass, len, ctx->cmd->name, v_p);
	bk_secmem_free(pass);
	/* rows that came in from the inbox, or a store still under an older blind key */
	if (rc == BK_OK && (rc = bk_vault_subject_index(*v_p, &indexed)) != BK_OK) {
		bk_vault_close(*v_p);
		*v_p = NULL;
	}
	return rc;
}

bk_status cli_identity_unlock(struct cli_ctx *ctx, const char *path, char *public_id,
			      struct cli_identity_keys **keys_p)
{
	struct cli_identity_keys *keys = bk_secmem_alloc(sizeof(*keys));
	uint8_t *text = NULL;
	char *pass = NULL;
	size_t len = 0, passlen = 0;
	bk_status rc;

	*keys_p = NULL;
	if (!keys)
		return bk_fail(BK_ERR_NOMEM, "out of guarded memory");
	if ((rc = bk_file_read(path, CLI_IDENTITY_MAX, &text, &len)) ||
	    (public_id && (rc = bk_identity_public(path, (const char *)text, len, public_id))) ||
	    (rc = cli_passphrase(ctx->pass_fd, "passphrase of the identity: ", 0, &pass, &passlen)) ||
	    (rc = bk_identity_open(path, (const char *)text, len, pass, passlen, keys->ed_sk, keys->x_sk)))
		bk_secmem_free(keys);
	else
		*keys_p = keys;
	bk_secmem_free(pass);
	free(text);
	return rc;
}

void cli_print_help(FILE *out, const struct cli_command *cmd)
{
	const char *p = cmd->examples;

	fprintf(out, "usage: %s\n", cmd->usage);
	if (p && p[0]) {
		fprintf(out, "\nexamples:\n");
		while (*p) {
			size_t n = strcspn(p, "\n");

			fprintf(out, "  %.*s\n", (int)n, p);
			p += n + (p[n] == '\n');
		}
	}
	if (cmd->who && cmd->who[0])
		fprintf(out, "\nwho:\n  %s\n%s", cmd->who,
			cmd->flags & CLI_UNLOCKS ? "  it unlocks the vault: -C DIR, -u USER and the user's passphrase\n" : "");
}

int cli_run(struct cli_ctx *ctx, cli_run_fn run, void *arg)
{
	struct bk_vault *v = NULL;
	bk_status rc;

	if (!(ctx->cmd->flags & CLI_UNLOCKS))
		return cli_fail(bk_fail(BK_ERR_STATE, "'%s' unlocks the vault but is not flagged CLI_UNLOCKS",
					 ctx->cmd->name));
	if ((rc = cli_unlock(ctx, &v)) == BK_OK)
		rc = run(ctx, v, arg);
	bk_vault_close(v);
	return rc ? cli_fail(rc) : cli_finish(CLI_EXIT_OK);
}

int cli_finish(int code)
{
	if (fflush(stdout) != 0 || ferror(stdout) || fclose(stdout) != 0) {
		/* after a command that succeeded, whatever it changed stays changed: say so */
		fprintf(stderr, "brankas: error: %s: %s\n",
			code ? "cannot write the output" : "the command was done, but its output could not be written",
			strerror(errno));
		return code ? code : CLI_EXIT_FAILED;
	}
	return code;
}
