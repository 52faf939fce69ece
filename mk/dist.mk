# Release archives, one per platform, and their check.

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
    libportremap/libportremap.map $(TOOL_SRCS) $(wildcard src/*.h) \
    man/portremap.1 man/libportremap.7 README.md LICENSE
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

.PHONY: dist check-dist
