#!/bin/sh
# Checks what make dist made: SHA256SUMS verifies, and each platform's
# archive holds the files users copy, built for that platform: ELF class and
# machine, C library (the command's interpreter, the library's NEEDED), and
# for glibc the newest symbol version each needs; and each command runs.
# Usage: dist.sh DIST VERSION
set -u
dist=$1
version=$2
tmp=$(mktemp -d /tmp/portremap-dist.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
. tests/tally.sh

(cd "$dist" && sha256sum --quiet -c SHA256SUMS)
ok $? "SHA256SUMS verifies"
[ "$(wc -l <"$dist/SHA256SUMS")" = 6 ]
ok $? "SHA256SUMS lists six archives"

# newest FILE: the newest GLIBC_ symbol version FILE needs.
newest() {
	readelf -W --dyn-syms -V "$1" | grep -o 'GLIBC_[0-9][0-9.]*' |
	    sed 's/GLIBC_//' | sort -t. -k1,1n -k2,2n | tail -n 1
}

# at_most VERSION FLOOR: is VERSION no newer than FLOOR?
at_most() {
	[ "$(printf '%s\n%s\n' "$1" "$2" | sort -t. -k1,1n -k2,2n | tail -n 1)" = "$2" ]
}

# rid class machine interpreter libc runner
while read -r rid class machine interp libc runner; do
	top=libportremap-$version-$rid
	archive=$dist/$top.tar.gz
	mkdir -p "$tmp/$rid"
	tar -C "$tmp/$rid" -xzf "$archive"
	ok $? "$top.tar.gz unpacks"
	d=$tmp/$rid/$top
	for f in lib/libportremap.so bin/portremap share/man/man1/portremap.1 \
	    share/man/man7/libportremap.7 README.md LICENSE; do
		[ -f "$d/$f" ]
		ok $? "$top holds $f"
	done
	for f in lib/libportremap.so bin/portremap; do
		header=$(readelf -h "$d/$f")
		echo "$header" | grep -q "Class: *$class\$" &&
		    echo "$header" | grep -Eq "Machine: *(.* )?$machine\$"
		ok $? "$rid $f is $class $machine"
	done
	readelf -l "$d/bin/portremap" | grep -q "interpreter: $interp]"
	ok $? "$rid portremap runs with $interp"
	readelf -d "$d/lib/libportremap.so" | grep -q "Shared library: \[$libc\]"
	ok $? "$rid libportremap.so needs $libc"
	[ "$runner" = - ] && runner=
	out=$(PORTREMAP_LIBRARY="$d/lib/libportremap.so" $runner \
	    "$d/bin/portremap" --check 2>&1)
	ok $? "$rid portremap --check runs: $(echo "$out" | head -n 1)"
	if [ "$libc" = libc.so.6 ]; then
		lib=$(newest "$d/lib/libportremap.so")
		at_most "$lib" 2.17
		ok $? "$rid libportremap.so needs at most GLIBC_2.17 (newest: $lib)"
		cmd=$(newest "$d/bin/portremap")
		at_most "$cmd" 2.34
		ok $? "$rid portremap needs at most GLIBC_2.34 (newest: $cmd)"
	else
		! readelf -W --dyn-syms "$d/lib/libportremap.so" | grep -q GLIBC_
		ok $? "$rid libportremap.so asks no glibc symbol version"
	fi
done <<TABLE
linux-x64 ELF64 X86-64 /lib64/ld-linux-x86-64.so.2 libc.so.6 -
linux-arm64 ELF64 AArch64 /lib/ld-linux-aarch64.so.1 libc.so.6 qemu-aarch64 -L /usr/aarch64-linux-gnu
linux-arm ELF32 ARM /lib/ld-linux-armhf.so.3 libc.so.6 qemu-arm -L /usr/arm-linux-gnueabihf
linux-musl-x64 ELF64 X86-64 /lib/ld-musl-x86_64.so.1 libc.so -
linux-musl-arm64 ELF64 AArch64 /lib/ld-musl-aarch64.so.1 libc.so qemu-aarch64
linux-musl-arm ELF32 ARM /lib/ld-musl-armhf.so.1 libc.so qemu-arm
TABLE

tally dist
