#!/bin/sh
# The initramfs a test VM boots with: a static busybox, tests/kernels/init,
# and the kernel's own modules that init needs to reach the host's root over
# virtio 9p and lay a writable overlay on it, with the modules they depend
# on (read from each module's .modinfo), decompressed, in load order.
# Usage: initramfs.sh KERNEL-DIR BUSYBOX OUT
# Environment: OBJCOPY, one that reads the kernel's architecture.
set -eu
kernel=$1 busybox=$2 out=$3
here=$(cd "$(dirname "$0")" && pwd)
release=$(cat "$kernel/release")
modules=$kernel/lib/modules/$release
work=$out.d
rm -rf "$work"
mkdir -p "$work/bin" "$work/modules" "$work/proc" "$work/sys" "$work/dev" \
    "$work/lower" "$work/upper" "$work/newroot"
cp "$busybox" "$work/bin/busybox"
cp "$here/init" "$work/init"
chmod 755 "$work/init" "$work/bin/busybox"

# NAME: the module's file, or nothing when it is built in (or absent).
module_file() {
	find "$modules/kernel" -name "$1.ko" -o -name "$1.ko.xz" \
	    -o -name "$1.ko.zst" -o -name "$(echo "$1" | tr _ -).ko" \
	    -o -name "$(echo "$1" | tr _ -).ko.xz" | head -1
}

# add NAME: its dependencies first, then itself, once.
add() {
	grep -qx "$1" "$work/modules/order" 2>/dev/null && return 0
	file=$(module_file "$1")
	[ -n "$file" ] || return 0
	case $file in
	*.xz) xz -dc "$file" >"$work/modules/$1.ko" ;;
	*.zst) zstd -dcq "$file" >"$work/modules/$1.ko" ;;
	*) cp "$file" "$work/modules/$1.ko" ;;
	esac
	deps=$(${OBJCOPY:-objcopy} -O binary --only-section=.modinfo \
	    "$work/modules/$1.ko" /dev/stdout | tr '\0' '\n' | sed -n 's/^depends=//p' | tr , ' ')
	for dep in $deps; do
		add "$dep"
	done
	echo "$1" >>"$work/modules/order"
}

: >"$work/modules/order"
for wanted in virtio_pci 9pnet_virtio 9p overlay dummy; do
	add "$wanted"
done
# Packed by this machine's busybox: BUSYBOX may be another architecture's.
(cd "$work" && find . | /bin/busybox cpio -o -H newc 2>/dev/null) |
    gzip -1 >"$out"
rm -rf "$work"
