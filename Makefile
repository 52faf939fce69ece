# libportremap: an LD_PRELOAD library that moves binds on privileged ports
# to unprivileged ones for processes that may not use them.

VERSION	= 1.0.0
PREFIX	?= /usr/local
LIBDIR	?= $(PREFIX)/lib
BINDIR	?= $(PREFIX)/bin
MANDIR	?= $(PREFIX)/share/man
BUILD	?= build
CC	?= cc
CFLAGS	?= -O2 -g

WARNINGS = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	   -Wmissing-prototypes -Wpointer-arith -Wformat=2
HARDENING = -fstack-protector-strong -D_FORTIFY_SOURCE=2
BASE_CFLAGS = -std=c11 -D_DEFAULT_SOURCE $(WARNINGS) $(HARDENING) $(CFLAGS)
# Every libc symbol the library imports costs every process a lookup at load
# (BIND_NOW), so the compiler may not turn loops into string calls, and the
# C runtime's start files, which would only add imports, are left out: the
# library's one constructor runs from .init_array, which needs none of them.
NO_LOOP_CALLS := $(shell $(CC) -fno-tree-loop-distribute-patterns -E -x c \
		 /dev/null >/dev/null 2>&1 && echo -fno-tree-loop-distribute-patterns)
LIB_CFLAGS = $(BASE_CFLAGS) -fPIC -fvisibility=hidden $(NO_LOOP_CALLS)
LIB_LDFLAGS = -shared -nostartfiles \
	      -Wl,--version-script=libportremap/libportremap.map \
	      -Wl,-z,relro,-z,now,-z,noexecstack $(LDFLAGS)
# Before glibc 2.34 dlsym lives in libdl; newer ones keep an empty libdl.a.
LIB_LIBS = -ldl

LIB_SRCS = $(wildcard libportremap/*.c)
LIB_OBJS = $(LIB_SRCS:libportremap/%.c=$(BUILD)/obj/%.o)
LIB_HDRS = $(wildcard libportremap/*.h)
LIBRARY = $(BUILD)/libportremap.so
TOOL = $(BUILD)/portremap

# The pure logic: parsing, decisions, addresses and text. The unit tests,
# the command and the settings fuzzer link it as it is.
CORE = settings map format decide sockaddr
CORE_OBJS = $(CORE:%=$(BUILD)/obj/%.o)

TEST_CFLAGS = $(BASE_CFLAGS) -Ilibportremap -Itests
TEST_LIBS = -lcriterion
UNIT_TESTS = $(patsubst tests/unit_%.c,$(BUILD)/tests/unit_%,$(wildcard tests/unit_*.c))
INTEGRATION_TESTS = $(patsubst tests/integration_%.c,$(BUILD)/tests/integration_%,$(wildcard tests/integration_*.c))
HELPERS = $(BUILD)/tests/probe $(BUILD)/tests/libbindlater.so \
	  $(BUILD)/tests/stress $(BUILD)/tests/probe-linked \
	  $(BUILD)/tests/probe-static $(BUILD)/tests/noseccomp $(GO_PROGRAMS)
CRITERION_JOBS ?= 2

.PHONY: FORCE all bench check check-samples samples dist check-dist check-cross check-musl check-arm64 $(CROSS_RIDS:%=check-%) cross-artifacts check-examples check-install check-sanitizers fuzz check-library unit integration demo clean install uninstall criterion

all: $(LIBRARY) $(TOOL)

# What the objects were built with: a different compiler or target (make
# CC=musl-gcc after make) rebuilds them instead of mixing them.
$(BUILD)/toolchain: FORCE
	@mkdir -p $(@D)
	@echo "$(CC) $$($(CC) -dumpmachine 2>/dev/null) $(CFLAGS)" > $@.new
	@if cmp -s $@.new $@; then rm -f $@.new; else mv $@.new $@; fi

$(BUILD)/obj/%.o: libportremap/%.c $(LIB_HDRS) Makefile $(BUILD)/toolchain
	@mkdir -p $(@D)
	$(CC) $(LIB_CFLAGS) -c -o $@ $<

$(LIBRARY): $(LIB_OBJS) libportremap/libportremap.map
	$(CC) $(LIB_CFLAGS) $(LIB_LDFLAGS) -o $@ $(LIB_OBJS) $(LIB_LIBS)

# Rewritten only when a value changes, so that `make install LIBDIR=...`
# rebuilds the command that must find the library there.
$(BUILD)/config.h: FORCE
	@mkdir -p $(@D)
	@printf '#define PORTREMAP_VERSION "%s"\n#define PORTREMAP_LIBDIR "%s"\n' \
	    '$(VERSION)' '$(LIBDIR)' > $@.new
	@if cmp -s $@.new $@; then rm -f $@.new; else mv $@.new $@; fi

# The command checks settings with the library's own parser, and its
# supervisor decides and speaks as the library does.
TOOL_SRCS = $(wildcard src/*.c)
TOOL_OBJS = $(CORE_OBJS) $(addprefix $(BUILD)/obj/,remap.o say.o log.o marks.o)

$(TOOL): $(TOOL_SRCS) $(wildcard src/*.h) $(TOOL_OBJS) $(BUILD)/config.h $(LIB_HDRS) $(BUILD)/toolchain
	$(CC) $(BASE_CFLAGS) -Ilibportremap -Isrc -I$(BUILD) -o $@ $(TOOL_SRCS) \
	    $(TOOL_OBJS)

$(BUILD)/tests/unit_%: tests/unit_%.c $(CORE_OBJS) $(LIB_HDRS) | criterion
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -o $@ $< $(CORE_OBJS) $(TEST_LIBS)

# Initialisation needs the whole library, constructor included.
$(BUILD)/tests/unit_init: tests/unit_init.c $(LIB_OBJS) $(LIB_HDRS) | criterion
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -o $@ $< $(LIB_OBJS) $(LIB_LIBS) $(TEST_LIBS)

$(BUILD)/tests/integration_%: tests/integration_%.c tests/harness.c tests/harness.h | criterion
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -o $@ $< tests/harness.c $(TEST_LIBS)

PROBE_SRCS = tests/probe.c tests/hostile.c tests/badinput.c tests/supervised.c

$(BUILD)/tests/probe: $(PROBE_SRCS) tests/probe.h $(BUILD)/toolchain
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) -pthread -o $@ $(PROBE_SRCS) -ldl

# STRESS_OBJS links the library in, for ThreadSanitizer.
$(BUILD)/tests/stress: tests/stress.c tests/loopback.h $(STRESS_OBJS) $(BUILD)/toolchain
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) -Itests -pthread -o $@ $< $(STRESS_OBJS) $(if $(STRESS_OBJS),$(LIB_LIBS))

# The probe with the library linked in, to be made setgid: the loader
# ignores LD_PRELOAD there, so this is how the library meets AT_SECURE.
$(BUILD)/tests/probe-linked: $(PROBE_SRCS) tests/probe.h $(LIB_OBJS)
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) -pthread -o $@ $(PROBE_SRCS) $(LIB_OBJS) $(LIB_LIBS)

# The probe as programs that bypass the C library are: statically linked.
# A fixture, not code under test: no sanitizer (they cannot link statically).
$(BUILD)/tests/probe-static: $(PROBE_SRCS) tests/probe.h $(BUILD)/toolchain
	@mkdir -p $(@D)
	$(CC) -std=c11 -D_DEFAULT_SOURCE $(WARNINGS) -O2 -static -pthread \
	    -o $@ $(PROBE_SRCS) -ldl

$(BUILD)/tests/noseccomp: tests/noseccomp.c $(BUILD)/toolchain
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) -o $@ $<

# A Go server and client (tests/go, standard library only), static and with
# cgo, when Go is installed; the tests that need them skip, saying so.
GO := $(shell command -v go 2>/dev/null)
GO_ENV = GOCACHE=$(abspath $(BUILD))/go-cache GOPATH=$(abspath $(BUILD))/go \
	 GO111MODULE=off HOME=$(abspath $(BUILD))
GO_PROGRAMS = $(if $(GO),$(BUILD)/tests/go-static $(BUILD)/tests/go-cgo)

$(BUILD)/tests/go-static: tests/go/server.go
	@mkdir -p $(@D)
	$(GO_ENV) CGO_ENABLED=0 $(GO) build -o $@ $<

$(BUILD)/tests/go-cgo: tests/go/server.go
	@mkdir -p $(@D)
	$(GO_ENV) CGO_ENABLED=1 $(GO) build -o $@ $<

$(BUILD)/tests/libbindlater.so: tests/bindlater.c $(BUILD)/toolchain
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) -fPIC -shared -o $@ $<

# Criterion is the only test dependency; install it when we can.
criterion:
	@if ! printf '#include <criterion/criterion.h>\n' | \
	    $(CC) -E -x c - >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing Criterion (libcriterion-dev)"; \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			    libcriterion-dev || { apt-get update -q && \
			    DEBIAN_FRONTEND=noninteractive apt-get install -y \
			    -q libcriterion-dev; }; \
		else \
			echo "Criterion is missing: sudo apt-get install" \
			    "libcriterion-dev" >&2; exit 1; \
		fi; \
	fi

# Each suite leaves a TAP report (every skip with its reason) in REPORTS,
# and each shell check its output, for make check's verdict.
REPORTS = $(BUILD)/reports
CHECK_PARTS = $(notdir $(UNIT_TESTS) $(INTEGRATION_TESTS)) library install \
	      examples samples

unit: $(UNIT_TESTS)
	@mkdir -p $(REPORTS); status=0; for t in $(UNIT_TESTS); do \
		$$t --jobs $(CRITERION_JOBS) --tap=$(REPORTS)/$${t##*/}.tap || \
		    status=1; \
	done; exit $$status

# The unprivileged test user may not be able to read the checkout, so the
# library and helpers are staged in a world-readable temporary folder.
# The ASP.NET Core example in three builds, each published once when the
# .NET SDK is there, into APPS (shared by every BUILD: C flags do not change
# them): .NET 10 framework-dependent, .NET 8 self-contained, and NativeAOT
# (which needs clang and zlib). One that cannot be made here leaves
# NAME.skip with the reason, and its tests skip, saying it.
DOTNET := $(shell command -v dotnet 2>/dev/null)
DOTNET_ENV = DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 \
	     DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
APPS ?= build/apps
APP_NAMES = aspnetapp aspnetapp-net8 aspnetapp-aot
APP_STAMPS = $(if $(DOTNET),$(APP_NAMES:%=$(APPS)/%.stamp))
PUBLISH_aspnetapp = -f net10.0
PUBLISH_aspnetapp-net8 = -f net8.0 -r linux-x64 --self-contained
PUBLISH_aspnetapp-aot = -f net10.0 -r linux-x64 -p:PublishAot=true

$(APP_NAMES:%=$(APPS)/%.stamp): $(APPS)/%.stamp: \
    examples/aspnetapp/Program.cs examples/aspnetapp/aspnetapp.csproj
	@mkdir -p $(APPS); rm -rf $(APPS)/$* $(APPS)/$*.skip
	@echo "publishing $* ($(PUBLISH_$*))"; \
	$(DOTNET_ENV) $(DOTNET) publish examples/aspnetapp -c Release --nologo \
	    $(PUBLISH_$*) --artifacts-path $(APPS)/artifacts-$* \
	    -o $(APPS)/$* >$(APPS)/$*.log 2>&1 || { rm -rf $(APPS)/$*; \
	    echo "$* could not be published here ($(PUBLISH_$*)): $$(grep \
	    -m 1 -E 'error' $(APPS)/$*.log)" >$(APPS)/$*.skip; \
	    cat $(APPS)/$*.skip; }
	@touch $@

integration: $(LIBRARY) $(TOOL) $(HELPERS) $(INTEGRATION_TESTS) $(APP_STAMPS)
	@set -e; stage=$$(mktemp -d /tmp/portremap-check.XXXXXX); \
	trap 'rm -rf "$$stage"' EXIT; \
	cp $(LIBRARY) $(TOOL) $(HELPERS) examples/nginx/nginx.conf "$$stage/"; \
	if [ -n "$(DOTNET)" ]; then for app in $(APP_NAMES); do \
		cp -r $(APPS)/$$app $(APPS)/$$app.skip "$$stage/" 2>/dev/null \
		    || true; done; \
	    chmod -R a+rX "$$stage"; \
	    export PORTREMAP_TEST_DOTNET=$$(sh tests/stage-dotnet.sh \
	    $(DOTNET) "$$stage"); fi; \
	chmod 755 "$$stage" "$$stage"/*; \
	mkdir -p $(REPORTS); status=0; for t in $(INTEGRATION_TESTS); do \
		PORTREMAP_TEST_STAGE="$$stage" $$t --jobs $(CRITERION_JOBS) \
		    --tap=$(REPORTS)/$${t##*/}.tap || status=1; \
	done; exit $$status

# The whole suite with the library (and everything else) built with
# AddressSanitizer and UndefinedBehaviorSanitizer, whose runtime must be
# preloaded first; then the stress test with ThreadSanitizer, the library
# linked straight into it.
SAN_CFLAGS = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	     -fno-sanitize-recover=all
TSAN_CFLAGS = -O1 -g -fsanitize=thread

check-sanitizers: | criterion
	$(MAKE) BUILD=$(BUILD)/asan CFLAGS="$(SAN_CFLAGS)" unit integration \
	    PORTREMAP_TEST_PRELOAD_FIRST=$$($(CC) -print-file-name=libasan.so) \
	    ASAN_OPTIONS=detect_leaks=0:verify_asan_link_order=0
	$(MAKE) BUILD=$(BUILD)/tsan CFLAGS="$(TSAN_CFLAGS)" \
	    STRESS_OBJS='$$(LIB_OBJS)' $(BUILD)/tsan/tests/stress
	PORTREMAP_MAP=690-697:+20000 PORTREMAP_MODE=always PORTREMAP_LOG=0 \
	    TSAN_OPTIONS=halt_on_error=1 $(BUILD)/tsan/tests/stress 690 20000

# run-logged NAME COMMAND...: run it, keep its output as NAME.log, show it.
RUN_LOGGED = sh tests/run-logged.sh $(REPORTS)

check-library: $(LIBRARY)
	@$(RUN_LOGGED) library sh tests/check-library.sh $(LIBRARY) \
	    libportremap/libportremap.map

check-install:
	@$(RUN_LOGGED) install sh tests/install.sh $(MAKE)

check-examples: $(LIBRARY) $(BUILD)/examples/port80-server
	@$(RUN_LOGGED) examples env BUILD=$(BUILD) sh tests/examples.sh

# The samples in README.md and the manual pages, from the real programs;
# make samples writes them anew after a change.
SAMPLE_INPUTS = $(LIBRARY) $(TOOL) $(BUILD)/examples/port80-server $(APP_STAMPS)

check-samples: $(SAMPLE_INPUTS)
	@$(RUN_LOGGED) samples python3 tests/samples.py $(BUILD) $(APPS)

samples: $(SAMPLE_INPUTS)
	python3 tests/samples.py $(BUILD) $(APPS) --update

# Every part runs, even after a failure (-k); then one verdict, with each
# skip and its reason. A part that could not run counts as failed.
check: | criterion
	@rm -rf $(REPORTS)
	@$(MAKE) --no-print-directory -k unit integration check-library \
	    check-install check-examples check-samples || true
	@sh tests/summary.sh $(REPORTS) $(CHECK_PARTS)

$(BUILD)/examples/%: examples/%.c $(BUILD)/toolchain
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) -o $@ $<

# Every platform of the .NET images, named by its runtime identifier (RID):
# its compiler, its objdump, and how this machine runs its programs. Each
# builds the library and the probe in a folder of its own, tested by the
# probe-based integration tests built for this machine, as uid 65534.
CC_linux-musl-x64 = musl-gcc
CC_linux-arm64 = aarch64-linux-gnu-gcc
CC_linux-arm = arm-linux-gnueabihf-gcc
# Inline atomics: libgcc's outline ones ask glibc's __getauxval for LSE.
CC_linux-musl-arm64 = aarch64-linux-gnu-gcc -mno-outline-atomics \
		      -specs=/usr/lib/aarch64-linux-musl/musl-gcc.specs
CC_linux-musl-arm = arm-linux-gnueabihf-gcc \
		    -specs=/usr/lib/arm-linux-musleabihf/musl-gcc.specs
OBJDUMP_linux-musl-x64 = objdump
OBJDUMP_linux-arm64 = aarch64-linux-gnu-objdump
OBJDUMP_linux-arm = arm-linux-gnueabihf-objdump
OBJDUMP_linux-musl-arm64 = aarch64-linux-gnu-objdump
OBJDUMP_linux-musl-arm = arm-linux-gnueabihf-objdump
# glibc's loader comes from the cross sysroot; musl's from the host's /lib.
RUN_linux-arm64 = qemu-aarch64 -L /usr/aarch64-linux-gnu
RUN_linux-arm = qemu-arm -L /usr/arm-linux-gnueabihf
RUN_linux-musl-arm64 = qemu-aarch64
RUN_linux-musl-arm = qemu-arm
CROSS_RIDS = linux-musl-x64 linux-arm64 linux-arm linux-musl-arm64 \
	     linux-musl-arm

cross-artifacts: $(LIBRARY) $(TOOL) $(BUILD)/tests/probe $(BUILD)/tests/libbindlater.so

$(CROSS_RIDS:%=check-%): check-%: $(INTEGRATION_TESTS)
	$(MAKE) CC="$(CC_$*)" BUILD=$(BUILD)/$* cross-artifacts
	sh tests/cross.sh $(BUILD) $(BUILD)/$* $(OBJDUMP_$*) "$(RUN_$*)"

# Release artifacts: for each platform, libportremap-VERSION-RID.tar.gz
# holding lib/, bin/, share/man/, README.md and LICENSE, to unpack into
# /usr/local (the command looks for the library in /usr/local/lib), and a
# SHA256SUMS. Deterministic: sorted, root-owned, dated by the last commit.
CC_linux-x64 = cc
DIST_RIDS = linux-x64 $(CROSS_RIDS)
DIST = $(BUILD)/dist
STRIP_linux-x64 = strip
STRIP_linux-musl-x64 = strip
STRIP_linux-arm64 = aarch64-linux-gnu-strip
STRIP_linux-musl-arm64 = aarch64-linux-gnu-strip
STRIP_linux-arm = arm-linux-gnueabihf-strip
STRIP_linux-musl-arm = arm-linux-gnueabihf-strip
DIST_DATE := $(shell git log -1 --format=@%ct 2>/dev/null || echo @0)

$(DIST_RIDS:%=$(DIST)/libportremap-$(VERSION)-%.tar.gz): \
    $(DIST)/libportremap-$(VERSION)-%.tar.gz: $(LIB_SRCS) $(LIB_HDRS) \
    src/portremap.c man/portremap.1 man/libportremap.7 README.md LICENSE
	$(MAKE) CC="$(CC_$*)" BUILD=$(BUILD)/$* PREFIX=/usr/local all
	@set -e; top=libportremap-$(VERSION)-$*; tree=$(DIST)/tree/$$top; \
	rm -rf "$$tree"; mkdir -p "$$tree/lib" "$$tree/bin" \
	    "$$tree/share/man/man1" "$$tree/share/man/man7"; \
	install -m 644 $(BUILD)/$*/libportremap.so "$$tree/lib/"; \
	install -m 755 $(BUILD)/$*/portremap "$$tree/bin/"; \
	$(STRIP_$*) --strip-unneeded "$$tree/lib/libportremap.so" \
	    "$$tree/bin/portremap"; \
	install -m 644 man/portremap.1 "$$tree/share/man/man1/"; \
	install -m 644 man/libportremap.7 "$$tree/share/man/man7/"; \
	install -m 644 README.md LICENSE "$$tree/"; \
	tar -C $(DIST)/tree --sort=name --owner=0 --group=0 --numeric-owner \
	    --mtime=$(DIST_DATE) -cf - "$$top" | gzip -n > $@
	@echo "dist: $@"

dist: $(DIST_RIDS:%=$(DIST)/libportremap-$(VERSION)-%.tar.gz)
	cd $(DIST) && sha256sum $(notdir $^) > SHA256SUMS && cat SHA256SUMS

check-dist: dist
	@sh tests/dist.sh $(DIST) $(VERSION)

check-musl: check-linux-musl-x64
check-arm64: check-linux-arm64
check-cross: $(CROSS_RIDS:%=check-%)

# libFuzzer targets (clang): the settings parser, and the wrappers'
# argument handling over a fake kernel. Any finding fails the target.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 30
FUZZ_CFLAGS = -std=c11 -D_DEFAULT_SOURCE -g -O1 $(WARNINGS) \
	      -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	      -Ilibportremap -Itests
FUZZ_SETTINGS_SRCS = tests/fuzz_settings.c $(CORE:%=libportremap/%.c)
# The whole library, with a fake kernel for the next definitions.
FUZZ_CALLS_SRCS = tests/fuzz_calls.c tests/fake_kernel.c \
		  $(filter-out libportremap/real.c libportremap/guard.c,$(LIB_SRCS))

$(BUILD)/fuzz/settings: $(FUZZ_SETTINGS_SRCS) $(LIB_HDRS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $(FUZZ_SETTINGS_SRCS)

$(BUILD)/fuzz/calls: $(FUZZ_CALLS_SRCS) $(LIB_HDRS) tests/fake_kernel.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $(FUZZ_CALLS_SRCS)

fuzz: $(BUILD)/fuzz/settings $(BUILD)/fuzz/calls
	@set -e; for target in settings calls; do \
		corpus=$(BUILD)/fuzz/corpus-$$target; mkdir -p $$corpus; \
		echo "fuzzing $$target for $(FUZZ_SECONDS)s"; \
		$(BUILD)/fuzz/$$target -max_total_time=$(FUZZ_SECONDS) \
		    -print_final_stats=1 -artifact_prefix=$(BUILD)/fuzz/ \
		    $$corpus tests/fuzz-seeds/$$target 2>$(BUILD)/fuzz/$$target.log || \
		    { tail -n 40 $(BUILD)/fuzz/$$target.log; exit 1; }; \
		grep -E '^stat::number_of_executed_units' \
		    $(BUILD)/fuzz/$$target.log; \
	done

$(BUILD)/bench/bench: bench/bench.c tests/loopback.h $(BUILD)/toolchain
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) -Itests -o $@ $<

bench: $(LIBRARY) $(TOOL) $(BUILD)/bench/bench $(GO_PROGRAMS)
	@sh bench/run.sh $(BUILD)

demo: $(LIBRARY) $(BUILD)/examples/port80-server
	@sh examples/demo.sh $(BUILD)

install: $(LIBRARY) $(TOOL)
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(BINDIR) \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7
	install -m 644 $(LIBRARY) $(DESTDIR)$(LIBDIR)/libportremap.so
	install -m 755 $(TOOL) $(DESTDIR)$(BINDIR)/portremap
	install -m 644 man/portremap.1 $(DESTDIR)$(MANDIR)/man1/portremap.1
	install -m 644 man/libportremap.7 $(DESTDIR)$(MANDIR)/man7/libportremap.7

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libportremap.so $(DESTDIR)$(BINDIR)/portremap \
	    $(DESTDIR)$(MANDIR)/man1/portremap.1 \
	    $(DESTDIR)$(MANDIR)/man7/libportremap.7

clean:
	rm -rf $(BUILD)
