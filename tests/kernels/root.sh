#!/bin/sh
# The root filesystem of a VM of another architecture, whose programs this
# machine cannot run: Debian bookworm (minbase) for ARCH, plus what the
# integration suites run (Criterion's library, the shells and tools, gosu,
# nginx, curl, strace, busybox). debootstrap's first stage only fetches and
# checks the packages; each is unpacked here, keeping the merged /usr links
# (tar would replace them with folders), and no package script runs: none is
# needed to run programs. The users are this machine's, for the same names.
# Kept: a DIR that holds a finished root of the same packages is used as
# it is.
# Usage: root.sh ARCH DIR
set -eu
arch=$1 dir=$2
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
tools=busybox-static,libcriterion3,gosu,tini,nginx-light,curl,openssl,strace,iproute2,procps,systemd,python3
[ "$(cat "$dir/.complete" 2>/dev/null)" = "$tools" ] && exit 0
rm -rf "$dir.new"
debootstrap --arch="$arch" --foreign --variant=minbase --include="$tools" \
    bookworm "$dir.new" "$mirror" >"$dir.log" 2>&1 || {
	tail -5 "$dir.log" >&2
	exit 1
}
for deb in "$dir.new"/var/cache/apt/archives/*.deb; do
	dpkg-deb --fsys-tarfile "$deb" |
	    tar -x --keep-directory-symlink -C "$dir.new"
done
# debootstrap links /proc to this machine's; the VM mounts its own there.
rm -f "$dir.new/proc"
mkdir -p "$dir.new/proc"
cp /etc/passwd /etc/group /etc/hosts "$dir.new/etc/"
rm -rf "$dir.new/debootstrap" "$dir.new"/var/cache/apt/archives/*.deb
echo "$tools" >"$dir.new/.complete"
rm -rf "$dir"
mv "$dir.new" "$dir"
