#!/usr/bin/env bats
# crash: a command killed at any of its fsyncs (strace delivers SIGKILL on
# the Nth call) leaves the vault as before it or as after it, never half: its
# rows all in or all out over every kecamatan store, check passes, the log
# verifies and claims the change only when it is there, and the next command
# works. The loop and its checks are helper.bash's each_fault and
# fault_verify, shared with 0037 (errors instead of kills).

load helper

setup_file() {
	fault_template
}

setup() {
	fresh_vault
}

# every_kill ARGS...: brankas ARGS killed at its 1st, 2nd, ... fsync until it
# finishes (each_fault); at least 3 kills, one of them after the commit.
every_kill() {
	each_fault fsync,fdatasync signal=SIGKILL every "$@" || return 1
	[ "$FAULTS" -ge 3 ] || { echo "only $FAULTS kills"; return 1; }
	[ "$FAULTS_AFTER" -ge 1 ] || { echo "no kill came after the commit"; return 1; }
}

@test "an import over three kecamatan killed at any fsync: all its rows or none" {
	printf '%s\n%s\n%s\n%s\n' "$HEADER" \
		"3505104202850002,Siti,,1985-02-02,P,35.05.10.2002,SMP,guru,tidak" \
		"3505010404750004,Dewi,,1975-04-04,L,35.05.01.2001,SMA,pedagang,tidak" \
		"3505050606650006,Fajar,,1965-06-06,L,35.05.05.2001,SD,nelayan,tidak" >three.csv
	STATE_SQL="SELECT count(*) FROM warga" STATE_BEFORE=0 STATE_AFTER=3 FAULT_ACTION=import
	every_kill import warga three.csv
}

@test "a record add killed at any fsync: the row or nothing" {
	printf '%s\n%s\n' "$HEADER" "3505104202850002,Siti,,1985-02-02,P,35.05.10.2002,SMP,guru,tidak" >one.csv
	STATE_SQL="SELECT count(*) FROM warga" STATE_BEFORE=0 STATE_AFTER=1 FAULT_ACTION=record-add
	INPUT=one.csv every_kill record add warga
}

@test "a record edit that moves a row to another kecamatan, killed at any fsync: in one store, never both or none" {
	printf '%s\n%s\n' "$HEADER" "3505104202850002,Siti,,1985-02-02,P,35.05.10.2002,SMP,guru,tidak" >one.csv
	as ada import warga one.csv >/dev/null
	echo desa=Jaten >move.txt
	STATE_SQL="SELECT count(*), group_concat(kecamatan), group_concat(desa) FROM warga"
	STATE_BEFORE=1,35.05.10,35.05.10.2002 STATE_AFTER=1,35.05.01,35.05.01.2001 FAULT_ACTION=record-edit
	INPUT=move.txt every_kill record edit warga 1 --purpose "pindah"
}
