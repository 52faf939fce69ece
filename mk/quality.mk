# Beyond make check: sanitizers, fuzzing, the benchmark and the demo.

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

$(BUILD)/bench/bench: bench/bench.c tests/loopback.h libportremap/kernel.h \
    $(BUILD)/toolchain
	@mkdir -p $(@D)
	$(CC) $(BASE_CFLAGS) -Itests -Ilibportremap -o $@ $<

bench: $(LIBRARY) $(TOOL) $(BUILD)/bench/bench $(BUILD)/tests/noseccomp \
       $(GO_PROGRAMS)
	@sh bench/run.sh $(BUILD)

demo: $(LIBRARY) $(BUILD)/examples/port80-server $(BUILD)/examples/fetch
	@sh examples/demo.sh $(BUILD)

.PHONY: check-sanitizers fuzz bench demo
