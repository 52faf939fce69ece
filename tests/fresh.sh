#!/bin/sh
# make check-fresh: the README's two commands, exactly as written, on a
# fresh Debian 12 machine. The machine is a container (podman, configured
# as the container suite configures it) of debootstrap's minbase with the
# init system every booted machine has (systemd) and only what the README
# tells a newcomer to install: a C compiler, make and the C library's
# headers. It runs privileged and as root, as a newcomer's root shell does,
# on the host's network (make check installs Criterion from the mirror).
# The work tree is a clean copy of the checkout: its files, no build/.
# Usage: BUILD=build fresh.sh [SOURCE-TREE]
set -u
BUILD=${BUILD:-build}
src=${1:-.}
. tests/containers/engine.sh
. tests/tally.sh
image=localhost/portremap-test/fresh-bookworm
work=$engine_dir/fresh
rm -rf "$work/tree" && mkdir -p "$work/tree"
trap 'rm -rf "$work/tree"' EXIT

if ! podman image exists $image; then
	mirror=$(awk '$1 == "URIs:" { print $2; exit }' \
	    /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
	[ -n "$mirror" ] || mirror=http://deb.debian.org/debian
	echo "fresh: a minimal Debian 12 (debootstrap from $mirror)"
	rm -rf "$work/rootfs"
	debootstrap --variant=minbase --include=systemd,gcc,make,libc6-dev \
	    bookworm "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 ||
	    { ok 1 "debootstrap: $(tail -n 20 "$work/debootstrap.log")"
	    tally fresh; exit; }
	# A fresh machine has fetched no package list yet.
	rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb \
	    "$work/rootfs/var/lib/apt/lists/"*
	tar -C "$work/rootfs" -c . | podman import --change 'CMD ["bash"]' - \
	    $image >/dev/null
	ok $? "the fresh machine's image"
	rm -rf "$work/rootfs"
fi

# The checkout's files as git knows them, tracked or new, never build/.
(cd "$src" && git ls-files -z --cached --others --exclude-standard |
    xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
    tar --null -T - -cf -) | tar -C "$work/tree" -xf -
ok $? "a clean copy of $src"

podman run --rm --privileged --network host --pull=never \
    -v "$work/tree:/root/libportremap" -w /root/libportremap $image \
    sh -c 'make demo; echo "make demo exited $?"; make check;
    echo "make check exited $?"' >"$work/run.log" 2>&1
grep -E '^(FAILED|skipped): ' "$work/run.log" | sed 's/^/  /'
grep -q '^make demo exited 0$' "$work/run.log"
ok $? "make demo passes there: $(grep -A 3 '^demo: ' "$work/run.log")"
verdict=$(grep -E '^check: [0-9]+ passed' "$work/run.log")
echo "make check there: ${verdict:-no verdict}"
grep -q '^make check exited 0$' "$work/run.log" &&
    echo "$verdict" | grep -q ' 0 failed'
ok $? "make check passes there (its log: $work/run.log)"
tally fresh
