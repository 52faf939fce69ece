# The other .NET platforms, built with their compilers and tested under
# emulation as uid 65534.

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

check-musl: check-linux-musl-x64
check-arm64: check-linux-arm64
check-cross: $(CROSS_RIDS:%=check-%)

.PHONY: cross-artifacts check-cross check-musl check-arm64 \
	$(CROSS_RIDS:%=check-%)
