#!/bin/sh
# make install and make uninstall, into temporary prefixes, as a newcomer
# would run them; then the installed command and man pages.
# Usage: install.sh [MAKE]
set -u
make=${1:-make}
tmp=$(mktemp -d /tmp/portremap-install.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
. tests/tally.sh

installed_files="lib/libportremap.so bin/portremap share/man/man1/portremap.1
share/man/man7/libportremap.7"

# 1. A prefix: every file lands, and the command finds its library.
prefix=$tmp/prefix
$make -s BUILD="$tmp/build" PREFIX="$prefix" install >"$tmp/log" 2>&1
ok $? "make install PREFIX=$prefix: $(tail -n 5 "$tmp/log")"
for f in $installed_files; do
	[ -f "$prefix/$f" ]
	ok $? "$prefix/$f is installed"
done
"$prefix/bin/portremap" --check | grep -qx \
    "library: $prefix/lib/libportremap.so (installed)"
ok $? "the installed portremap finds the installed library"
out=$("$prefix/bin/portremap" -q -- /usr/bin/env | grep '^LD_PRELOAD=')
[ "$out" = "LD_PRELOAD=$prefix/lib/libportremap.so" ]
ok $? "the installed portremap preloads it ($out)"
if command -v groff >/dev/null; then
	for page in man1/portremap.1 man7/libportremap.7; do
		warnings=$(groff -man -Tutf8 -ww -z "$prefix/share/man/$page" 2>&1)
		[ -z "$warnings" ]
		ok $? "$page renders without warnings: $warnings"
	done
else
	skip 2 "rendering the manual pages needs groff (apt-get install groff-base)"
fi
if command -v man >/dev/null; then
	MANPATH="$prefix/share/man" man -P cat portremap 2>/dev/null | grep -q 'portremap \\- run\|portremap - run'
	ok $? "man portremap finds the page"
else
	skip 1 "finding the installed page needs man (apt-get install man-db)"
fi

# 2. Uninstall removes exactly what install put there.
touch "$prefix/lib/unrelated"
$make -s BUILD="$tmp/build" PREFIX="$prefix" uninstall >"$tmp/log" 2>&1
ok $? "make uninstall"
left=$(cd "$prefix" && find . -type f | sort | tr '\n' ' ')
[ "$left" = "./lib/unrelated " ]
ok $? "uninstall leaves only what was not ours (left: $left)"

# 3. DESTDIR and the directory variables.
dest=$tmp/dest
$make -s BUILD="$tmp/build" DESTDIR="$dest" PREFIX=/opt/portremap \
    LIBDIR=/opt/portremap/lib64 BINDIR=/opt/portremap/sbin \
    MANDIR=/opt/portremap/man install >"$tmp/log" 2>&1
ok $? "make install DESTDIR=... LIBDIR=... BINDIR=... MANDIR=..."
for f in lib64/libportremap.so sbin/portremap man/man1/portremap.1 \
    man/man7/libportremap.7; do
	[ -f "$dest/opt/portremap/$f" ]
	ok $? "$dest/opt/portremap/$f is installed"
done
out=$("$dest/opt/portremap/sbin/portremap" --check 2>/dev/null)
status=$?
echo "$out" | grep -q \
    "^library: /opt/portremap/lib64/libportremap.so (installed) - not found"
ok $? "the command looks for the library where it will be, not in DESTDIR"
[ "$status" = 126 ]
ok $? "and --check fails while nothing is there (status $status)"
$make -s BUILD="$tmp/build" DESTDIR="$dest" PREFIX=/opt/portremap \
    LIBDIR=/opt/portremap/lib64 BINDIR=/opt/portremap/sbin \
    MANDIR=/opt/portremap/man uninstall >"$tmp/log" 2>&1
[ -z "$(find "$dest" -type f)" ]
ok $? "uninstall with the same variables removes every file"

tally install
