# make check: the unit and integration suites, the shell checks, and the
# verdict; and the helpers the suites run.

# Criterion's headers and library; check-kernels' arm64 programs use
# another architecture's library with this machine's headers.
CRITERION_CFLAGS =
TEST_CFLAGS = $(BASE_CFLAGS) $(CRITERION_CFLAGS) -Ilibportremap -Itests
TEST_LIBS = -lcriterion
UNIT_TESTS = $(patsubst tests/unit_%.c,$(BUILD)/tests/unit_%,$(wildcard tests/unit_*.c))
INTEGRATION_TESTS = $(patsubst tests/integration_%.c,$(BUILD)/tests/integration_%,$(wildcard tests/integration_*.c))
HELPERS = $(BUILD)/tests/probe $(BUILD)/tests/libbindlater.so \
	  $(BUILD)/tests/stress $(BUILD)/tests/probe-linked \
	  $(BUILD)/tests/probe-static $(BUILD)/tests/noseccomp $(GO_PROGRAMS)
CRITERION_JOBS ?= 2

$(BUILD)/tests/unit_%: tests/unit_%.c $(CORE_OBJS) $(LIB_HDRS) | criterion
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -o $@ $< $(CORE_OBJS) $(TEST_LIBS)

# Initialisation needs the whole library, constructor included.
$(BUILD)/tests/unit_init: tests/unit_init.c $(LIB_OBJS) $(LIB_HDRS) | criterion
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -o $@ $< $(LIB_OBJS) $(LIB_LIBS) $(TEST_LIBS)

# What portremap reads off a command's words, without running anything.
$(BUILD)/tests/unit_wrappers: tests/unit_wrappers.c src/wrappers.c src/wrappers.h | criterion
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -Isrc -o $@ $< src/wrappers.c $(TEST_LIBS)

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
	 GO111MODULE=off HOME=$(abspath $(BUILD)) $(GO_TARGET)
# Another architecture: GOARCH=... CC=... (its C compiler, for cgo).
GO_TARGET =
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
	    $(CC) $(CRITERION_CFLAGS) -E -x c - >/dev/null 2>&1; then \
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
CHECK_PARTS = $(notdir $(UNIT_TESTS) $(INTEGRATION_TESTS)) \
	      $(addsuffix -docker,$(PROFILE_NAMES)) library install examples \
	      samples ports

unit: $(UNIT_TESTS)
	@mkdir -p $(REPORTS); status=0; for t in $(UNIT_TESTS); do \
		$$t --jobs $(CRITERION_JOBS) --tap=$(REPORTS)/$${t##*/}.tap || \
		    status=1; \
	done; exit $$status

# The unprivileged test user may not be able to read the checkout, so the
# library and helpers are staged in a world-readable temporary folder;
# ports/ in it is the run's registry of the ports each test reached.
STAGE_FILES = $(LIBRARY) $(TOOL) $(HELPERS) examples/nginx/nginx.conf

# The supervisor's suites run again under the calls Docker's and
# containerd's default seccomp profiles refuse without CAP_SYS_PTRACE
# (pidfd_getfd, process_vm_*): there it holds the program's threads.
PROFILE_NAMES = integration_supervise integration_supervisor \
		integration_wrappers
PROFILE_TESTS = $(filter $(addprefix $(BUILD)/tests/,$(PROFILE_NAMES)), \
		$(INTEGRATION_TESTS))

integration: $(LIBRARY) $(TOOL) $(HELPERS) $(INTEGRATION_TESTS) $(APP_STAMPS)
	@set -e; stage=$$(mktemp -d /tmp/portremap-check.XXXXXX); \
	trap 'rm -rf "$$stage"' EXIT; \
	cp $(STAGE_FILES) "$$stage/"; \
	if [ -n "$(DOTNET)" ]; then for app in $(APP_NAMES); do \
		cp -r $(APPS)/$$app $(APPS)/$$app.skip "$$stage/" 2>/dev/null \
		    || true; done; \
	    chmod -R a+rX "$$stage"; \
	    export PORTREMAP_TEST_DOTNET=$$(sh tests/stage-dotnet.sh \
	    $(DOTNET) "$$stage"); fi; \
	chmod 755 "$$stage" "$$stage"/*; mkdir "$$stage/ports"; \
	mkdir -p $(REPORTS); status=0; for t in $(INTEGRATION_TESTS); do \
		PORTREMAP_TEST_STAGE="$$stage" \
		    PORTREMAP_TEST_PORTS="$$stage/ports" $$t \
		    --jobs $(CRITERION_JOBS) \
		    --tap=$(REPORTS)/$${t##*/}.tap || status=1; \
	done; for t in $(PROFILE_TESTS); do \
		PORTREMAP_TEST_PROFILE=docker PORTREMAP_TEST_STAGE="$$stage" \
		    PORTREMAP_TEST_PORTS="$$stage/ports" $$t \
		    --jobs $(CRITERION_JOBS) \
		    --tap=$(REPORTS)/$${t##*/}-docker.tap || status=1; \
	done; exit $$status

# run-logged NAME COMMAND...: run it, keep its output as NAME.log, show it.
RUN_LOGGED = sh tests/run-logged.sh $(REPORTS)

check-library: $(LIBRARY)
	@$(RUN_LOGGED) library sh tests/check-library.sh $(LIBRARY) \
	    libportremap/libportremap.map

check-ports: $(BUILD)/tests/integration_hostile
	@$(RUN_LOGGED) ports env BUILD=$(BUILD) sh tests/ports.sh

check-install:
	@$(RUN_LOGGED) install sh tests/install.sh $(MAKE)

check-examples: $(LIBRARY) $(BUILD)/examples/port80-server $(BUILD)/examples/fetch
	@$(RUN_LOGGED) examples env BUILD=$(BUILD) sh tests/examples.sh

# The samples in README.md and the manual pages, from the real programs;
# make samples writes them anew after a change.
SAMPLE_INPUTS = $(LIBRARY) $(TOOL) $(BUILD)/examples/port80-server $(APP_STAMPS)

NO_PYTHON = skipped: comparing them needs python3 (apt-get install python3)

check-samples: $(SAMPLE_INPUTS)
	@if command -v python3 >/dev/null; then \
		$(RUN_LOGGED) samples python3 tests/samples.py $(BUILD) $(APPS); \
	else \
		$(RUN_LOGGED) samples printf '%s\n' "$(NO_PYTHON)" \
		    "samples: 0 passed, 0 failed, 1 skipped"; \
	fi

samples: $(SAMPLE_INPUTS)
	python3 tests/samples.py $(BUILD) $(APPS) --update

# Every part runs, even after a failure (-k); then one verdict, with each
# skip and its reason. A part that could not run counts as failed.
check: | criterion
	@rm -rf $(REPORTS)
	@$(MAKE) --no-print-directory -k unit integration check-library \
	    check-install check-examples check-samples check-ports || true
	@sh tests/summary.sh $(REPORTS) $(CHECK_PARTS)

$(BUILD)/examples/%: examples/%.c $(BUILD)/toolchain
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) -o $@ $<

.PHONY: check unit integration check-library check-install check-examples \
	check-samples check-ports samples criterion

# The README's two commands on a fresh minimal Debian 12, in a container.
check-fresh:
	@mkdir -p $(REPORTS)
	@$(RUN_LOGGED) fresh env BUILD=$(BUILD) sh tests/fresh.sh

.PHONY: check-fresh

# make check-kernels: the integration suites, this build, on Linux 5.10,
# 6.1 and 6.12 (Debian's kernels, in VMs under qemu; tests/kernels.sh).
# On arm64 too: an arm64 VM, with its own root (tests/kernels/root.sh) and
# these programs built for it.
check-kernels: $(LIBRARY) $(TOOL) $(HELPERS) $(INTEGRATION_TESTS)
	@$(RUN_LOGGED) kernels env BUILD=$(BUILD) MAKE="$(MAKE)" \
	    PROFILE_NAMES="$(PROFILE_NAMES)" sh tests/kernels.sh

kernel-programs: $(LIBRARY) $(TOOL) $(HELPERS) $(INTEGRATION_TESTS)
	@echo $(STAGE_FILES) >$(BUILD)/stage-files

# The arm64 VM's programs, built for arm64 and linked with its root's
# Criterion; the headers are this machine's, of the same version.
ARM64_ROOT = $(BUILD)/kernels/root-arm64
ARM64_BUILD = $(BUILD)/kernels/arm64
ARM64_LIBS = $(ARM64_ROOT)/usr/lib/aarch64-linux-gnu

$(ARM64_ROOT)/.complete: tests/kernels/root.sh
	sh tests/kernels/root.sh arm64 $(ARM64_ROOT)

arm64-programs: $(ARM64_ROOT)/.complete | criterion
	@mkdir -p $(ARM64_BUILD)/include
	@ln -sfn /usr/include/criterion $(ARM64_BUILD)/include/criterion
	@$(MAKE) --no-print-directory BUILD=$(ARM64_BUILD) \
	    CC=aarch64-linux-gnu-gcc \
	    CRITERION_CFLAGS="-isystem $(ARM64_BUILD)/include" \
	    TEST_LIBS="-L$(ARM64_LIBS) -l:libcriterion.so.3 -Wl,-rpath-link,$(ARM64_LIBS)" \
	    GO_TARGET="GOARCH=arm64 CC=aarch64-linux-gnu-gcc" kernel-programs

.PHONY: check-kernels kernel-programs arm64-programs
