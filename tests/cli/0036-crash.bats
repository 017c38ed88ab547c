#!/usr/bin/env bats
# crash: a command killed at any of its fsyncs (strace delivers SIGKILL on
# the Nth call) leaves the vault as before it or as after it, never half: its
# rows all in or all out over every kecamatan store, check passes, the log
# verifies, and the next command works.

load helper

HEADER="nik,nama,telepon,tanggal_lahir,jenis_kelamin,desa,pendidikan,pekerjaan,disabilitas"

setup_file() {
	build_template
	command -v strace >/dev/null || {
		echo "strace is needed (make deps installs it)" >&2
		return 1
	}
}

setup() {
	fresh_vault
}

# killed_at N SYSCALL COMMAND...: runs COMMAND as ada (stdin: the file
# $INPUT when set), killed on its Nth SYSCALL; returns 0 when it was killed,
# 1 when it finished first.
killed_at() {
	local n=$1 sc=$2
	shift 2
	if [ -n "${INPUT:-}" ]; then exec 4<"$INPUT"; else exec 4<&0; fi
	strace -f -qq -o /dev/null -e trace="$sc" -e inject="$sc":signal=SIGKILL:when="$n" \
		"$BRANKAS" -C "$VAULT" -u ada --passphrase-fd 3 "$@" 3<<<"$(pass_of ada)" <&4 >/dev/null 2>&1
	[ $? -eq 137 ]
}

warga_count() {
	as ada query --format csv "SELECT count(*) FROM warga" | tail -n 1 | tr -d '\r'
}

# every_fsync BEFORE AFTER COMMAND...: from a copy of the vault as it is, the
# command killed at its 1st, 2nd, ... fsync until it finishes; after each
# kill the vault holds BEFORE or AFTER rows of warga, check and audit verify
# pass, and a record add goes through.
every_fsync() {
	local before=$1 after=$2 n=1 rows kills=0 seen_after=0
	shift 2
	cp -a "$VAULT" "$BATS_TEST_TMPDIR/start"
	while killed_at "$n" fsync,fdatasync "$@"; do
		kills=$((kills + 1))
		rows=$(warga_count)
		[ "$rows" = "$before" ] || [ "$rows" = "$after" ] ||
			{ echo "killed at fsync $n: $rows rows, expected $before or $after"; return 1; }
		[ "$rows" = "$after" ] && seen_after=1
		run as ada check
		[ "$status" -eq 0 ] || { echo "killed at fsync $n: check exit $status: $output"; return 1; }
		run as aud audit verify
		[ "$status" -eq 0 ] || { echo "killed at fsync $n: audit verify exit $status: $output"; return 1; }
		run bk -C "$VAULT" -u ada --passphrase-fd 3 record add warga 3<<<"$(pass_of ada)" <<<"$HEADER
3505100303800003,Agus,,1980-03-03,L,35.05.10.2003,SD,petani,tidak"
		[ "$status" -eq 0 ] || { echo "killed at fsync $n: the next record add: exit $status: $output"; return 1; }
		rm -rf "$VAULT"
		cp -a "$BATS_TEST_TMPDIR/start" "$VAULT"
		n=$((n + 1))
		[ "$n" -le 200 ] || { echo "the command never finished"; return 1; }
	done
	# it finished on the last try, and the kills came before and after its commit
	[ "$(warga_count)" = "$after" ]
	[ "$kills" -ge 3 ] || { echo "only $kills kills"; return 1; }
	[ "$seen_after" = 1 ] || { echo "no kill came after the commit"; return 1; }
}

@test "an import over three kecamatan killed at any fsync: all its rows or none" {
	printf '%s\n%s\n%s\n%s\n' "$HEADER" \
		"3505104202850002,Siti,,1985-02-02,P,35.05.10.2002,SMP,guru,tidak" \
		"3505010404750004,Dewi,,1975-04-04,L,35.05.01.2001,SMA,pedagang,tidak" \
		"3505050606650006,Fajar,,1965-06-06,L,35.05.05.2001,SD,nelayan,tidak" >three.csv
	every_fsync 0 3 import warga three.csv
}

@test "a record add killed at any fsync: the row or nothing" {
	printf '%s\n%s\n' "$HEADER" "3505104202850002,Siti,,1985-02-02,P,35.05.10.2002,SMP,guru,tidak" >one.csv
	INPUT=one.csv every_fsync 0 1 record add warga
}

@test "a record edit that moves a row to another kecamatan, killed at any fsync: in one store, never both or none" {
	printf '%s\n%s\n' "$HEADER" "3505104202850002,Siti,,1985-02-02,P,35.05.10.2002,SMP,guru,tidak" >one.csv
	as ada import warga one.csv >/dev/null
	cp -a "$VAULT" "$BATS_TEST_TMPDIR/start"
	n=1
	while killed_at "$n" fsync,fdatasync record edit warga 1 --purpose "pindah" <<<"desa=Jaten"; do
		[ "$(warga_count)" = 1 ] || { echo "killed at fsync $n: $(warga_count) rows"; return 1; }
		kec=$(as ada query --format csv "SELECT kecamatan FROM warga" | tail -n 1 | tr -d '\r')
		[ "$kec" = Kanigoro ] || [ "$kec" = Wonodadi ] || [ "$kec" = 35.05.10 ] || [ "$kec" = 35.05.01 ] ||
			{ echo "killed at fsync $n: kecamatan '$kec'"; return 1; }
		run as ada check
		[ "$status" -eq 0 ] || { echo "killed at fsync $n: check exit $status: $output"; return 1; }
		rm -rf "$VAULT"
		cp -a "$BATS_TEST_TMPDIR/start" "$VAULT"
		n=$((n + 1))
		[ "$n" -le 200 ] || { echo "the edit never finished"; return 1; }
	done
	[ "$n" -ge 3 ]
}
