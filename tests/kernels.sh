#!/bin/sh
# make check-kernels: the library's and the supervisor's integration suites
# on the kernels production nodes run, each booted under qemu (TCG: nested
# KVM hangs on this machine kind) from Debian's own packages, fetched and
# cached under BUILD/kernels. The VM sees this machine's root read-only over
# virtio 9p, under a tmpfs overlay, so it runs this very build. One verdict
# line per kernel, then the total. The .NET scenarios stay on the host:
# under emulation Kestrel starts far slower than any test waits.
# Usage: kernels.sh [SUITE ...]   (default: bullseye bookworm trixie)
# Environment: BUILD, PORTREMAP_KERNEL_SCALE (the waits' time scale, 8),
# PORTREMAP_KERNEL_SUITES (the integration suites, all but .NET's).
set -u
top=$(pwd)
build=$(cd "${BUILD:-build}" && pwd)
. tests/tally.sh
scale=${PORTREMAP_KERNEL_SCALE:-8}
[ $# -gt 0 ] || set -- bullseye bookworm trixie
suites=${PORTREMAP_KERNEL_SUITES:-$(ls "$build"/tests/integration_* |
    grep -v -e integration_dotnet -e '\.' | tr '\n' ' ')}
qemu=qemu-system-x86_64
case $(uname -m) in
x86_64) ;;
*) skip $# "the kernels are x86_64 ones: this machine is $(uname -m)"; tally kernels; exit ;;
esac
if ! command -v $qemu >/dev/null; then
	skip $# "qemu is missing (apt-get install qemu-system-x86)"
	tally kernels
	exit
fi

total=0
for suite in "$@"; do
	dir=$build/kernels/$suite-amd64
	out=$build/kernels/out-$suite
	if ! sh tests/kernels/fetch.sh "$suite" amd64 "$dir"; then
		ok 1 "$suite: the kernel could not be fetched"
		continue
	fi
	release=$(cat "$dir/release")
	[ "$dir/initrd.gz" -nt tests/kernels/init ] &&
	    [ "$dir/initrd.gz" -nt tests/kernels/initramfs.sh ] ||
	    sh tests/kernels/initramfs.sh "$dir" /bin/busybox "$dir/initrd.gz"
	rm -rf "$out"
	mkdir -p "$out/reports"
	cat >"$out/settings" <<SETTINGS
top='$top'
build='$build'
suites='$suites'
scale='$scale'
jobs='2'
SETTINGS
	start=$(date +%s)
	timeout 3000 $qemu -accel tcg,thread=multi -cpu max -smp 2 -m 3072 \
	    -nographic -no-reboot -nic none \
	    -kernel "$dir/vmlinuz" -initrd "$dir/initrd.gz" \
	    -append "console=ttyS0 panic=-1 quiet portremap.run=$top/tests/kernels/guest.sh portremap.out=$out" \
	    -virtfs local,path=/,mount_tag=root,security_model=none,readonly=on,multidevs=remap \
	    -virtfs "local,path=$out,mount_tag=out,security_model=none,multidevs=remap" \
	    >"$out/console" 2>&1
	took=$(($(date +%s) - start))
	total=$((total + took))
	# The suites' verdict, as make check reads it.
	parts=$(cd "$out/reports" 2>/dev/null && ls *.tap 2>/dev/null | sed 's/\.tap$//')
	verdict=$(sh tests/summary.sh "$out/reports" $parts 2>&1 | tail -1)
	sh tests/summary.sh "$out/reports" $parts | grep '^FAILED' | sed "s/^/$suite: /"
	status=$(cat "$out/status" 2>/dev/null || echo "none: the VM did not finish (see $out/console)")
	[ "$status" = 0 ] && [ -n "$parts" ]
	ok $? "Linux $release ($suite): ${verdict#check: }; the suites exited $status; $took s"
	echo "kernel $release ($suite): ${verdict#check: } in $took s"
done
echo "kernels: $total s in all, time scale $scale"
tally kernels
