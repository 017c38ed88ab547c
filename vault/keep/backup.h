/* ROOM vault/keep - keeping the regency's data through loss: backups and
 * restores (key rotation and recovery belong here too). May call base/,
 * crypto/ and vault/core/.
 *
 * backup.h - one file holding a consistent copy of a vault directory, signed
 * by the release key in FILE.minisig (so `minisign -Vm FILE -p vault.pub`
 * checks it too). The layout (doc/formats.md §4.10):
 *
 *   "brankas-backup v1\n"
 *   the files' bytes one after another: vault.db, kec/<code>.db …, keyring,
 *   audit.log, vault.pub
 *   the index: one line of JSON naming each file, its offset, size, BLAKE2b-256
 *   "brankas-backup-index <16 hex digits: the index's offset>\n"
 *
 * The databases stay under their SQLCipher keys and the key slots under their
 * passphrases: a backup opens with what opens the vault and nothing less. In
 * clear it shows what the directory shows: user names, roles, scopes, the
 * audit log. */
#ifndef BK_BACKUP_H
#define BK_BACKUP_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "vault/core/vault.h"

#define BK_BACKUP_FILES_MAX 68 /* vault.db, keyring, audit.log, vault.pub and up to 64 stores */
#define BK_BACKUP_NAME_MAX 32
#define BK_BACKUP_HASHBYTES 32
#define BK_BACKUP_INDEX_MAX (64u << 10)

struct bk_backup_file {
	char name[BK_BACKUP_NAME_MAX]; /* "vault.db", "kec/35.05.10.db", … */
	uint64_t offset, size;
	uint8_t hash[BK_BACKUP_HASHBYTES]; /* BLAKE2b-256 of its bytes */
};

struct bk_backup_info {
	char vault_id[33];
	char created[24];
	char by[BK_NAME_MAX + 1];
	uint64_t audit_seq; /* the audit head pinned in the copied vault.db */
	char audit_hash[65];
	size_t nfiles;
	struct bk_backup_file files[BK_BACKUP_FILES_MAX];
	uint64_t size;  /* of the backup file */
	char key_id[17]; /* the release key it was checked against */
	int own_key;     /* checked against the backup's own vault.pub only */
};

/* bk_backup_make writes a backup of the open vault to path (which must not
 * exist) and its signature to path.minisig, then audits it ("backup"); the
 * names become final after the entry (path.part, path.part.minisig before). It
 * holds the audit log's shared lock and every database file's shared lock
 * (in the order a writer's commit takes them) while it copies, so it sees
 * one committed state; other commands read meanwhile, writers wait. Admins
 * and unscoped custodians, who hold every store and the release key. */
bk_status bk_backup_make(struct bk_vault *v, const char *path, struct bk_backup_info *info) BK_MUST_CHECK;

/* bk_backup_index_parse reads the index line (len bytes, its newline
 * included) of a backup whose index starts at index_offset: every name
 * allowed and present once, the files back to back from the header to the
 * index. BK_ERR_CORRUPT naming what is wrong. */
bk_status bk_backup_index_parse(const char *text, size_t len, uint64_t index_offset,
				struct bk_backup_info *info) BK_MUST_CHECK;

/* bk_backup_verify checks the backup at path: its layout, its signature in
 * path.minisig under the release key pub_text (a vault.pub; NULL: the
 * backup's own vault.pub, and info->own_key is set) and every file's hash.
 * Any altered byte is BK_ERR_CORRUPT. Reads the file once. */
bk_status bk_backup_verify(const char *path, const char *pub_text, size_t pub_len,
			   struct bk_backup_info *info) BK_MUST_CHECK;

/* bk_backup_unpack writes the files of a verified backup into the new
 * directory dir (mode 0700), checking each file's hash again as it goes
 * (the backup may change after bk_backup_verify), and syncs them. */
bk_status bk_backup_unpack(const char *path, const struct bk_backup_info *info, const char *dir) BK_MUST_CHECK;

/* bk_backup_discard removes what bk_backup_unpack wrote into dir, and dir. */
void bk_backup_discard(const char *dir, const struct bk_backup_info *info);

/* bk_backup_record_restore commits the "restore" entry in the log of a vault
 * unpacked from a backup and unlocked by an admin: which entry the backup
 * ended at, when and by whom it was made. An outside checkpoint past that
 * entry then meets a signed restore instead of a silent rewind. */
bk_status bk_backup_record_restore(struct bk_vault *v, const struct bk_backup_info *info) BK_MUST_CHECK;

#endif
