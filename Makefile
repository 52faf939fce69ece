# libportremap: an LD_PRELOAD library that moves binds on privileged ports
# to unprivileged ones for processes that may not use them, and portremap,
# the command that runs programs with it (or under its supervisor).
#
#   make                  the library and the command, in $(BUILD)
#   make check            the test suite (README), with one verdict
#   make check-fresh      make demo and make check on a minimal Debian 12
#   make check-containers the examples in a real container engine (podman)
#   make check-cross      the five other .NET platforms, under emulation
#   make dist check-dist  release archives, one per platform
#   make nupkg check-nupkg  the PortRemap NuGet package, and its use
#   make check-sanitizers fuzz bench demo
#   make install uninstall  (PREFIX, DESTDIR)
#
# The rules live in mk/, one file by concern.

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

all:

include mk/build.mk mk/dotnet.mk mk/tests.mk mk/cross.mk mk/dist.mk \
	mk/nupkg.mk mk/quality.mk mk/containers.mk

all: $(LIBRARY) $(TOOL)

clean:
	rm -rf $(BUILD)

.PHONY: all clean
