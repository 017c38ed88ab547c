#!/usr/bin/env bats
# faults: a command whose system call fails (strace injects EIO, or ENOSPC
# for writes, at its Nth call) at any write point leaves the vault as before
# it or as after it, never half. It fails with a message, or exits 0 only
# when its change is there; check passes, the log verifies and claims the
# change (outcome ok) only when it is there, and the next record add works.
# Write points (helper.bash: write_points) are the first call of each run of
# calls on one kind of file: an import's 143 page writes are 14 points. The
# loop and its checks are each_fault and fault_verify, shared with 0036.

load helper

setup_file() {
	fault_template
}

setup() {
	fresh_vault
}

# import_three, add_one, edit_move: the command of each case in CMD, its
# input and what the vault holds before and after it.
import_three() {
	printf '%s\n%s\n%s\n%s\n' "$HEADER" \
		"3505104202850002,Siti,,1985-02-02,P,35.05.10.2002,SMP,guru,tidak" \
		"3505010404750004,Dewi,,1975-04-04,L,35.05.01.2001,SMA,pedagang,tidak" \
		"3505050606650006,Fajar,,1965-06-06,L,35.05.05.2001,SD,nelayan,tidak" >three.csv
	CMD=(import warga three.csv)
	STATE_SQL="SELECT count(*) FROM warga" STATE_BEFORE=0 STATE_AFTER=3 FAULT_ACTION=import
}

add_one() {
	printf '%s\n%s\n' "$HEADER" "3505104202850002,Siti,,1985-02-02,P,35.05.10.2002,SMP,guru,tidak" >one.csv
	CMD=(record add warga) INPUT=one.csv
	STATE_SQL="SELECT count(*) FROM warga" STATE_BEFORE=0 STATE_AFTER=1 FAULT_ACTION=record-add
}

# from Kanigoro (35.05.10) to Jaten, in Wonodadi (35.05.01)
edit_move() {
	printf '%s\n%s\n' "$HEADER" "3505104202850002,Siti,,1985-02-02,P,35.05.10.2002,SMP,guru,tidak" >one.csv
	as ada import warga one.csv >/dev/null
	echo desa=Jaten >move.txt
	CMD=(record edit warga 1 --purpose "pindah") INPUT=move.txt
	STATE_SQL="SELECT count(*), group_concat(kecamatan), group_concat(desa) FROM warga"
	STATE_BEFORE=1,35.05.10,35.05.10.2002 STATE_AFTER=1,35.05.01,35.05.01.2001 FAULT_ACTION=record-edit
}

# faults ERRNO SYSCALL...: each_fault with ERRNO at every write point of each
# SYSCALL of CMD; some of them must fail it.
faults() {
	local err=$1 sc
	shift
	for sc in "$@"; do
		each_fault "$sc" error="$err" writes "${CMD[@]}" || return 1
		[ "$FAULTS" -ge 1 ] || { echo "$sc: no write point"; return 1; }
	done
}

@test "an import over three kecamatan whose fsync fails: all its rows or none" {
	import_three
	faults EIO fsync
}

@test "an import over three kecamatan whose write fails (EIO): all its rows or none" {
	import_three
	faults EIO pwrite64 write
}

@test "an import over three kecamatan on a full disk: all its rows or none" {
	import_three
	faults ENOSPC pwrite64 write
}

@test "an import over three kecamatan whose open or unlink fails: all its rows or none" {
	import_three
	faults EIO openat unlink
}

@test "a record add whose fsync fails: the row or nothing" {
	add_one
	faults EIO fsync
}

@test "a record add whose write fails (EIO): the row or nothing" {
	add_one
	faults EIO pwrite64 write
}

@test "a record add on a full disk: the row or nothing" {
	add_one
	faults ENOSPC pwrite64 write
}

@test "a record add whose open or unlink fails: the row or nothing" {
	add_one
	faults EIO openat unlink
}

@test "a record edit moving a row to another kecamatan whose fsync fails: in one store, never both or none" {
	edit_move
	faults EIO fsync
}

@test "a record edit moving a row to another kecamatan whose write fails (EIO): in one store" {
	edit_move
	faults EIO pwrite64 write
}

@test "a record edit moving a row to another kecamatan on a full disk: in one store" {
	edit_move
	faults ENOSPC pwrite64 write
}

@test "a record edit moving a row to another kecamatan whose open or unlink fails: in one store" {
	edit_move
	faults EIO openat unlink
}
