# The library and the portremap command, and their installation.

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

.PHONY: FORCE install uninstall
