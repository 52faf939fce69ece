#!/bin/sh
# Fetch a Debian kernel: the newest linux-image-*-ARCH of SUITE (not rt,
# not cloud), from Debian's archive, checked against the suite's index, and
# unpacked into DIR (vmlinuz, lib/modules/RELEASE, and RELEASE in a file).
# Kept: a DIR that holds a kernel is used as it is.
# Usage: fetch.sh SUITE ARCH DIR
set -eu
suite=$1 arch=$2 dir=$3
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
[ -s "$dir/release" ] && exit 0
rm -rf "$dir.new"
mkdir -p "$dir.new"
curl -fsS --retry 3 "$mirror/dists/$suite/main/binary-$arch/Packages.xz" |
    xz -d | awk -v arch="$arch" '
	/^Package: / { p = $2; f = ""; s = "" }
	/^Filename: / { f = $2 }
	/^SHA256: / { s = $2 }
	/^$/ && p ~ ("^linux-image-[0-9][^ ]*-" arch "$") && p !~ /-(rt|cloud)-/ \
	    && f != "" { print p, f, s }
	END { if (p ~ ("^linux-image-[0-9][^ ]*-" arch "$") && p !~ /-(rt|cloud)-/) print p, f, s }' |
    sort -V | tail -1 >"$dir.new/package"
read -r package file sum <"$dir.new/package" || {
	echo "fetch.sh: no linux-image for $arch in $suite" >&2
	exit 1
}
curl -fsS --retry 3 -o "$dir.new/kernel.deb" "$mirror/$file"
echo "$sum  $dir.new/kernel.deb" | sha256sum -c --quiet
dpkg-deb -x "$dir.new/kernel.deb" "$dir.new/root"
# Since trixie, modules live under /usr.
modules=$dir.new/root/lib/modules
[ -d "$modules" ] || modules=$dir.new/root/usr/lib/modules
release=$(ls "$modules" | head -1)
mv "$dir.new/root/boot/vmlinuz-$release" "$dir.new/vmlinuz"
mkdir -p "$dir.new/lib/modules"
mv "$modules/$release" "$dir.new/lib/modules/"
rm -rf "$dir.new/root" "$dir.new/kernel.deb"
echo "$release" >"$dir.new/release"
rm -rf "$dir"
mv "$dir.new" "$dir"
