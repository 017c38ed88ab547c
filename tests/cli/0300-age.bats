#!/usr/bin/env bats
# 0300-age.bats - crypto/age against the age tool (Debian package `age`),
# through the test-only $BUILD/tests/agetool: files we write decrypt with
# `age -d`, files `age -r` writes decrypt with us, with one and several
# recipients; tampered and wrong-key files fail.

load helper

setup_file() {
	: "${BUILD:=$BATS_TEST_DIRNAME/../../build}"
	export AGETOOL="$BUILD/tests/agetool"
	if [ ! -x "$AGETOOL" ]; then
		echo "no agetool at '$AGETOOL': run make unit" >&2
		return 1
	fi
	command -v age >/dev/null && command -v age-keygen >/dev/null || {
		echo "age and age-keygen are needed: make deps" >&2
		return 1
	}
	cd "$BATS_FILE_TMPDIR" || return 1
	for k in k1 k2 k3; do
		age-keygen -o "$k.txt" 2>/dev/null || return 1
	done
	# sizes around the 64 KiB chunk: empty, one byte, one full chunk, 200 KiB
	for n in 0 1 65536 204800; do
		head -c "$n" /dev/urandom >"plain.$n" || return 1
	done
}

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	K="$BATS_FILE_TMPDIR"
}

agetool() {
	# shellcheck disable=SC2086
	${BRANKAS_WRAPPER:-} "$AGETOOL" "$@"
}

recipient() {
	age-keygen -y "$K/$1.txt"
}

@test "agetool encrypt: age -d gives back every size" {
	for n in 0 1 65536 204800; do
		agetool encrypt -r "$(recipient k1)" <"$K/plain.$n" >"c.$n"
		head -n 1 "c.$n" | grep -qx 'age-encryption.org/v1'
		age -d -i "$K/k1.txt" "c.$n" >"p.$n"
		cmp "$K/plain.$n" "p.$n"
	done
}

@test "age -r: agetool decrypt gives back every size" {
	for n in 0 1 65536 204800; do
		age -r "$(recipient k1)" -o "c.$n" "$K/plain.$n"
		agetool decrypt -i "$K/k1.txt" <"c.$n" >"p.$n"
		cmp "$K/plain.$n" "p.$n"
	done
}

@test "several recipients both ways: each identity decrypts" {
	agetool encrypt -r "$(recipient k1)" -r "$(recipient k2)" -r "$(recipient k3)" <"$K/plain.204800" >ours
	[ "$(grep -ac '^-> X25519 ' ours)" -eq 3 ]
	age -r "$(recipient k1)" -r "$(recipient k2)" -r "$(recipient k3)" -o theirs "$K/plain.204800"
	for k in k1 k2 k3; do
		age -d -i "$K/$k.txt" ours | cmp - "$K/plain.204800"
		agetool decrypt -i "$K/$k.txt" <theirs | cmp - "$K/plain.204800"
	done
}

@test "an identity file with several keys: the matching one is found" {
	cat "$K/k1.txt" "$K/k2.txt" >both.txt
	age -r "$(recipient k2)" -o c "$K/plain.1"
	agetool decrypt -i both.txt <c | cmp - "$K/plain.1"
}

@test "a key that is not a recipient: exit 1, no output" {
	age -r "$(recipient k1)" -o c "$K/plain.65536"
	run --separate-stderr agetool decrypt -i "$K/k2.txt" <c
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[[ "$stderr" == *"no age recipient stanza matches the identity"* ]]
}

@test "tampered payload, MAC or truncated file: exit 3" {
	age -r "$(recipient k1)" -o c "$K/plain.204800"
	cp c payload && flip payload -100
	run agetool decrypt -i "$K/k1.txt" <payload
	[ "$status" -eq 3 ]
	# the MAC line's 10th base64 character: another letter keeps it canonical
	cp c mac
	off=$(($(grep -abo '^--- ' mac | cut -d: -f1) + 10))
	if [ "$(dd if=mac bs=1 skip="$off" count=1 status=none)" = A ]; then c=B; else c=A; fi
	printf %s "$c" | dd of=mac bs=1 seek="$off" count=1 conv=notrunc status=none
	run cmp -s c mac
	[ "$status" -eq 1 ]
	run agetool decrypt -i "$K/k1.txt" <mac
	[ "$status" -eq 3 ]
	head -c $(($(stat -c %s c) - 1)) c >short
	run agetool decrypt -i "$K/k1.txt" <short
	[ "$status" -eq 3 ]
}

@test "age refuses what we write when tampered" {
	agetool encrypt -r "$(recipient k1)" <"$K/plain.204800" >c
	flip c -1
	run age -d -i "$K/k1.txt" c
	[ "$status" -ne 0 ]
}

@test "armored age files are refused with a hint" {
	age -a -r "$(recipient k1)" -o c "$K/plain.1"
	run --separate-stderr agetool decrypt -i "$K/k1.txt" <c
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"ASCII-armored age files are not supported"* ]]
	[[ "$stderr" == *"hint:"* ]]
}

@test "agetool usage errors: exit 2" {
	run agetool encrypt
	[ "$status" -eq 2 ]
	run agetool encrypt -r
	[ "$status" -eq 2 ]
	run agetool decrypt
	[ "$status" -eq 2 ]
	run agetool encrypt -r not-a-recipient </dev/null
	[ "$status" -eq 1 ]
}
