#!/bin/sh
# The library image's one step: the archive of make dist for the platform
# being built, checked against SHA256SUMS and unpacked into OUT/usr/local.
# Docker names the platform by TARGETARCH and TARGETVARIANT; LIBC is glibc
# (Debian, Ubuntu, Azure Linux images) or musl (Alpine).
# Usage: unpack-library.sh DIST VERSION TARGETARCH TARGETVARIANT LIBC OUT
set -eu
dist=$1 version=$2 arch=$3 variant=$4 libc=$5 out=$6
case $arch$variant in
amd64) cpu=x64 ;;
arm64*) cpu=arm64 ;;
armv7) cpu=arm ;;
*) echo "unpack-library.sh: no archive for $arch$variant" >&2; exit 1 ;;
esac
case $libc in
glibc) rid=linux-$cpu ;;
musl) rid=linux-musl-$cpu ;;
*) echo "unpack-library.sh: LIBC is glibc or musl, not $libc" >&2; exit 1 ;;
esac
archive=libportremap-$version-$rid.tar.gz
(cd "$dist" && grep " $archive\$" SHA256SUMS | sha256sum -c >/dev/null)
mkdir -p "$out/usr/local"
tar -C "$out/usr/local" --strip-components=1 -xzf "$dist/$archive"
