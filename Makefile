# brankas - build, test, install. `make help` lists the targets.
PREFIX ?= /usr/local
BUILD ?= build
CC ?= cc
PKGS = libsodium libcrypto jansson inih libgfshare
DEB_PACKAGES = build-essential pkg-config libsodium-dev libssl-dev libcsv-dev \
	libjansson-dev libinih-dev libgfshare-dev libcmocka-dev bats jq minisign age sqlite3 time valgrind zlib1g-dev strace parallel

WARN = -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wvla -Wstrict-prototypes
HARDEN = -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIE
CFLAGS ?= -O2 -g
VERSION = 0.1.0
ALL_CFLAGS = -DBRANKAS_VERSION=\"$(VERSION)\" -std=c11 -D_GNU_SOURCE -DSQLITE_HAS_CODEC $(WARN) $(HARDEN) $(CFLAGS) -I. -I$(BUILD) \
	-Ithird_party/sqlcipher \
	$(shell pkg-config --cflags $(PKGS) 2>/dev/null) $(EXTRA_CFLAGS)
ALL_LDFLAGS = -pie -Wl,-z,relro,-z,now $(LDFLAGS) $(EXTRA_LDFLAGS)
LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcsv -lm -pthread

# the library's rooms: base, crypto, then vault/ in its folders (vault/*/README at the top of each
# room's main header says what it owns and may call); demo/ is its own archive, outside the library
LIB_SRC = $(sort $(wildcard base/*.c crypto/*.c vault/*/*.c))
DEMO_SRC = $(sort $(wildcard demo/*.c))
DEMO_OBJ = $(DEMO_SRC:%.c=$(BUILD)/%.o)
HEADERS = $(filter-out tests/%,$(wildcard */*.h */*/*.h))
CLI_SRC = $(sort $(wildcard cli/*.c))
GEN_SRC = $(BUILD)/gen/regions_data.c
LIB_OBJ = $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/regions_data.o $(SQLCIPHER_OBJ)
CLI_OBJ = $(CLI_SRC:%.c=$(BUILD)/%.o)
# unit tests in folders that mirror the rooms (tests/unit/ROOM/test_NAME.c), built flat as
# $(BUILD)/tests/test_NAME, where tests/run finds them; each links the shared helpers of unit.c
UNIT_SRC = $(sort $(wildcard tests/unit/*/test_*.c))
UNIT_BIN = $(addprefix $(BUILD)/tests/,$(basename $(notdir $(UNIT_SRC))))
UNIT_OBJ = $(BUILD)/tests/unit/unit.o
ifneq ($(words $(UNIT_BIN)),$(words $(sort $(UNIT_BIN))))
$(error two unit tests share a name: $(sort $(notdir $(UNIT_SRC))))
endif
vpath test_%.c $(sort $(dir $(UNIT_SRC)))
BIN = $(BUILD)/brankas

# SQLCipher 4, vendored (third_party/sqlcipher/README.md says from where and why each option):
# compiled once into build/third_party whatever BUILD is, without sanitizers or our warnings
SQLCIPHER_OBJ = build/third_party/sqlcipher.o
SQLCIPHER_FLAGS = -O2 -g -D_GNU_SOURCE -DHAVE_STDINT_H=1 -DSQLITE_HAS_CODEC -DSQLCIPHER_CRYPTO_OPENSSL \
	-DSQLITE_EXTRA_INIT=sqlcipher_extra_init -DSQLITE_EXTRA_SHUTDOWN=sqlcipher_extra_shutdown \
	-DSQLITE_DQS=0 -DSQLITE_OMIT_LOAD_EXTENSION -DSQLITE_TEMP_STORE=3 -DSQLITE_SECURE_DELETE \
	-DSQLITE_MAX_ATTACHED=62 -DSQLITE_THREADSAFE=1 -DSQLITE_OMIT_DEPRECATED -DSQLITE_DEFAULT_MEMSTATUS=0 \
	-DSQLITE_OMIT_SHARED_CACHE -fPIE -fstack-protector-strong
SHELL_BIN = $(BUILD)/sqlcipher

.PHONY: all deps check check-crash unit asan valgrind install demo bench clean help fuzz

all: $(BIN) $(SHELL_BIN)

$(SQLCIPHER_OBJ): third_party/sqlcipher/sqlite3.c third_party/sqlcipher/sqlite3.h
	@mkdir -p $(dir $@)
	$(CC) $(SQLCIPHER_FLAGS) $(shell pkg-config --cflags libcrypto 2>/dev/null) -c -o $@ $<

# the matching shell: opens vault.db and the stores with a raw key (key export-db-key)
$(SHELL_BIN): third_party/sqlcipher/shell.c $(SQLCIPHER_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(SQLCIPHER_FLAGS) -Ithird_party/sqlcipher -pie -o $@ $< $(SQLCIPHER_OBJ) \
		$(shell pkg-config --libs libcrypto 2>/dev/null) -lm -pthread

help:
	@echo "make deps      install the Debian packages brankas needs (apt-get)"
	@echo "make           build $(BIN)"
	@echo "make check     deps, build, every unit and CLI test; ends with 'N passed, N failed'"
	@echo "make check-crash  crash trials: commands killed at random instants (TRIALS=$(TRIALS))"
	@echo "make asan      the whole suite under AddressSanitizer + UndefinedBehaviorSanitizer"
	@echo "make valgrind  the whole suite under valgrind memcheck"
	@echo "make demo      build and show a demo vault"
	@echo "make bench     performance figures beside their baselines"
	@echo "make install PREFIX=/usr/local"

deps:
	@./tools/install-deps $(DEB_PACKAGES)

$(BUILD)/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tools/embed: tools/embed.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $<

$(GEN_SRC): data/blitar_wilayah.csv $(BUILD)/tools/embed
	@mkdir -p $(dir $@)
	$(BUILD)/tools/embed bk_regions_builtin_csv < $< > $@

$(BUILD)/gen/regions_data.o: $(GEN_SRC)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/libbrankas.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/libbrankas-demo.a: $(DEMO_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BIN): $(CLI_OBJ) $(BUILD)/libbrankas-demo.a $(BUILD)/libbrankas.a
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libbrankas-demo.a $(BUILD)/libbrankas.a $(LIBS)

$(UNIT_OBJ): tests/unit/unit.h

$(BUILD)/tests/test_%: test_%.c tests/unit/unit.h $(UNIT_OBJ) $(BUILD)/libbrankas-demo.a $(BUILD)/libbrankas.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(UNIT_OBJ) $(BUILD)/libbrankas-demo.a $(BUILD)/libbrankas.a $(LIBS) -lcmocka

# test_age inflates the zlib-compressed CCTV vectors
$(BUILD)/tests/test_age: LIBS += -lz

FUZZ_SRC = $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_NAMES = $(FUZZ_SRC:tests/fuzz/%.c=%)
FUZZ_DRIVERS = $(FUZZ_NAMES:%=$(BUILD)/fuzz/%)
# a target's own link flags: fuzz_import turns the vault's commits into rollbacks
FUZZ_LDFLAGS_fuzz_import = -Wl,--wrap=bk_vault_commit
$(BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/driver.c tests/fuzz/fuzz.h $(BUILD)/libbrankas.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) $(FUZZ_LDFLAGS_$*) -o $@ $< tests/fuzz/driver.c $(BUILD)/libbrankas.a $(LIBS)

# Test-only tools for the bats tests and `make bench`, never installed.
TEST_TOOLS = $(BUILD)/tests/agetool $(BUILD)/tests/faultshim.so
# the fault shim replaces malloc: built without the sanitizers, which own malloc
$(BUILD)/tests/faultshim.so: tests/tools/faultshim.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -O1 -g -Wall -Wextra -Werror -shared -fPIC -o $@ $<
$(BUILD)/tests/agetool: tests/tools/agetool.c $(BUILD)/libbrankas.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(BUILD)/libbrankas.a $(LIBS)

unit: $(UNIT_BIN) $(FUZZ_DRIVERS) $(TEST_TOOLS)

# Real fuzzing with libFuzzer (clang): FUZZ_SECONDS per parser, corpus in tests/fuzz/corpus;
# FUZZ="fuzz_import ..." runs only those. The binaries go to build/fuzz/run: build/fuzz/fuzz_*
# are make unit's corpus drivers, which make check runs.
FUZZ_SECONDS ?= 60
FUZZ ?= $(FUZZ_NAMES)
fuzz: deps
	$(MAKE) BUILD=build/fuzz CC=clang CFLAGS="-O1 -g -fsanitize=fuzzer-no-link,address,undefined" \
		EXTRA_LDFLAGS="-fsanitize=address,undefined" build/fuzz/libbrankas.a
	@set -e; mkdir -p build/fuzz/run; $(foreach n,$(FUZZ), \
		clang -DSQLITE_HAS_CODEC -D_GNU_SOURCE -std=c11 -I. -Ithird_party/sqlcipher -O1 -g -fsanitize=fuzzer,address,undefined \
			-o build/fuzz/run/$(n) tests/fuzz/$(n).c build/fuzz/libbrankas.a $(FUZZ_LDFLAGS_$(n)) $(LIBS); \
		mkdir -p build/fuzz/corpus-$(n:fuzz_%=%); \
		build/fuzz/run/$(n) -max_total_time=$(FUZZ_SECONDS) -max_len=65536 build/fuzz/corpus-$(n:fuzz_%=%) \
			tests/fuzz/corpus/$(n:fuzz_%=%);)

BENCH_SRC = $(sort $(wildcard tests/bench/*.c))
BENCH_BIN = $(BENCH_SRC:tests/bench/%.c=$(BUILD)/bench/%)
$(BUILD)/bench/%: tests/bench/%.c $(BUILD)/libbrankas-demo.a $(BUILD)/libbrankas.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(BUILD)/libbrankas-demo.a $(BUILD)/libbrankas.a $(LIBS)

# The suite: unit tests, then the bats CLI tests; tests/run prints the total.
check: deps
	$(MAKE) all unit
	BRANKAS="$(abspath $(BIN))" BUILD="$(abspath $(BUILD))" SQLCIPHER="$(abspath $(SHELL_BIN))" ./tests/run

# Crash trials: each writing command (backup and key rotate --db, --signing, --region too) killed with
# SIGKILL at a random instant, TRIALS times over them all (50 each); make check
# runs 10 of them (tests/cli/0038-crash-trials.bats).
# Then the fault shim's trials at every allocation site and every write of
# thirteen commands (make check runs 16 of them: tests/cli/0039-memory-faults.bats).
# Then the fault, tamper and concurrency trials whole: every fault point and
# page (make check tries a tenth of them each run) and 400 writers (100), and the
# slow unit tests (BK_SLOW_TESTS: minisign's own 1 GiB scrypt cost, a 320,000-row
# import on a full disk), which make asan runs too.
TRIALS ?= 600
CRASH_BATS = tests/cli/0030-tamper.bats tests/cli/0035-concurrency.bats tests/cli/0036-crash.bats tests/cli/0037-faults.bats \
	tests/cli/0430-key-rotate.bats tests/cli/0431-key-rotate-grants.bats tests/cli/0432-key-rotate-region.bats
check-crash: deps all unit
	TRIALS=$(TRIALS) BRANKAS="$(abspath $(BIN))" SQLCIPHER="$(abspath $(SHELL_BIN))" ./tests/crash/run
	FAULT="malloc short enospc" BRANKAS="$(abspath $(BIN))" SQLCIPHER="$(abspath $(SHELL_BIN))" ./tests/crash/run
	BK_SLOW_TESTS=1 $(BUILD)/tests/test_minisign
	BK_SLOW_TESTS=1 $(BUILD)/tests/test_import
	TRIAL_STRIDE=1 TRIAL_WRITERS=400 BRANKAS="$(abspath $(BIN))" SQLCIPHER="$(abspath $(SHELL_BIN))" \
		bats --jobs 2 $(CRASH_BATS)

asan: deps
	$(MAKE) BUILD=build/asan CFLAGS="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all" \
		EXTRA_LDFLAGS="-fsanitize=address,undefined" all unit
	BK_SLOW_TESTS=1 ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		BRANKAS="$(abspath build/asan/brankas)" BUILD="$(abspath build/asan)" SQLCIPHER="$(abspath build/asan/sqlcipher)" \
		./tests/run

valgrind: deps
	$(MAKE) all unit
	BRANKAS_WRAPPER="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite" \
		BRANKAS="$(abspath $(BIN))" BUILD="$(abspath $(BUILD))" SQLCIPHER="$(abspath $(SHELL_BIN))" ./tests/run

demo: deps all
	rm -rf demo.vault demo.vault.*
	./tools/demo "$(abspath $(BIN))"

bench: deps all $(BENCH_BIN) $(TEST_TOOLS)
	BUILD="$(abspath $(BUILD))" ./tools/bench "$(abspath $(BIN))"

install: all
	install -d "$(DESTDIR)$(PREFIX)/bin"
	install -m 0755 $(BIN) "$(DESTDIR)$(PREFIX)/bin/brankas"
	install -m 0755 $(SHELL_BIN) "$(DESTDIR)$(PREFIX)/bin/brankas-sqlcipher"

clean:
	rm -rf build
