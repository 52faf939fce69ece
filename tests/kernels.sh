#!/bin/sh
# make check-kernels: the library's and the supervisor's integration suites
# on the kernels production nodes run, each booted under qemu (TCG: nested
# KVM hangs on this machine kind) from Debian's own packages, fetched and
# cached under BUILD/kernels. An x86_64 VM sees this machine's root
# read-only over virtio 9p, under a tmpfs overlay, so it runs this very
# build. An arm64 VM runs an arm64 Debian root the same way
# (tests/kernels/root.sh), and the checkout, where the suites, the library
# and the command are built for arm64 (make arm64-programs). One verdict
# line per kernel, then the total. The .NET scenarios stay on the host:
# under emulation Kestrel starts far slower than any test waits.
# Usage: kernels.sh [SUITE[-arm64] ...]
#   (default: bullseye bookworm trixie bookworm-arm64)
# Environment: BUILD, MAKE, PORTREMAP_KERNEL_SCALE (the waits' time scale,
# 8; three times that on arm64, whose emulation is slower: the supervisor's
# storms took from 40 to over 120 s there), PORTREMAP_KERNEL_SUITES (the
# integration suites by name, such as integration_remap; all but .NET's by
# default).
set -u
top=$(pwd)
build_dir=${BUILD:-build}
build=$(cd "$build_dir" && pwd)
. tests/tally.sh
scale=${PORTREMAP_KERNEL_SCALE:-8}
[ $# -gt 0 ] || set -- bullseye bookworm trixie bookworm-arm64
case $(uname -m) in
x86_64) ;;
*) skip $# "the kernels are x86_64 ones: this machine is $(uname -m)"; tally kernels; exit ;;
esac

# The integration suites of a build, but .NET's.
suites_of() {
	if [ -n "${PORTREMAP_KERNEL_SUITES:-}" ]; then
		for name in $PORTREMAP_KERNEL_SUITES; do
			echo "$1/tests/$name"
		done
	else
		ls "$1"/tests/integration_* | grep -v -e integration_dotnet -e '\.'
	fi | tr '\n' ' '
}

# What an arm64 VM needs that this machine may lack, or nothing.
arm64_missing() {
	for tool in qemu-system-aarch64:qemu-system-arm \
	    aarch64-linux-gnu-gcc:gcc-aarch64-linux-gnu \
	    aarch64-linux-gnu-objcopy:binutils-aarch64-linux-gnu \
	    debootstrap:debootstrap; do
		command -v "${tool%%:*}" >/dev/null || echo "${tool#*:}"
	done
}

total=0
for spec in "$@"; do
	suite=${spec%-arm64}
	out=$build/kernels/out-$spec
	if [ "$suite" = "$spec" ]; then
		arch=amd64 qemu="qemu-system-x86_64 -cpu max" console=ttyS0
		root=/ share= programs=$build busybox=/bin/busybox objcopy=objcopy
		stage_files= vm_scale=$scale
		if ! command -v qemu-system-x86_64 >/dev/null; then
			skip 1 "$spec: qemu is missing (apt-get install qemu-system-x86)"
			continue
		fi
	else
		arch=arm64 console=ttyAMA0
		qemu="qemu-system-aarch64 -machine virt -cpu max,pauth-impdef=on"
		root=$build/kernels/root-arm64 programs=$build/kernels/arm64
		busybox=$root/usr/bin/busybox objcopy=aarch64-linux-gnu-objcopy
		vm_scale=$((scale * 3))
		missing=$(arm64_missing)
		if [ -n "$missing" ]; then
			skip 1 "$spec: apt-get install" $missing
			continue
		fi
		if ! ${MAKE:-make} --no-print-directory BUILD="$build_dir" \
		    arm64-programs >"$build/kernels/arm64.log" 2>&1; then
			tail -20 "$build/kernels/arm64.log"
			ok 1 "$spec: the arm64 root or programs could not be made (see $build/kernels/arm64.log)"
			continue
		fi
		stage_files=$(cat "$programs/stage-files")
		# The checkout, where the arm64 programs are.
		share="-virtfs local,path=$top,mount_tag=top,security_model=none,readonly=on,multidevs=remap"
	fi
	dir=$build/kernels/$suite-$arch
	if ! sh tests/kernels/fetch.sh "$suite" $arch "$dir"; then
		ok 1 "$spec: the kernel could not be fetched"
		continue
	fi
	release=$(cat "$dir/release")
	[ "$dir/initrd.gz" -nt tests/kernels/init ] &&
	    [ "$dir/initrd.gz" -nt tests/kernels/initramfs.sh ] ||
	    OBJCOPY=$objcopy sh tests/kernels/initramfs.sh "$dir" "$busybox" \
	    "$dir/initrd.gz"
	rm -rf "$out"
	mkdir -p "$out/reports"
	cat >"$out/settings" <<SETTINGS
top='$top'
build='$programs'
suites='$(suites_of "$programs")'
stage_files='$stage_files'
profile_names='${PROFILE_NAMES:-}'
scale='$vm_scale'
jobs='2'
SETTINGS
	start=$(date +%s)
	timeout 3000 $qemu -accel tcg,thread=multi -smp 2 -m 3072 \
	    -nographic -no-reboot -nic none \
	    -kernel "$dir/vmlinuz" -initrd "$dir/initrd.gz" \
	    -append "console=$console panic=-1 quiet portremap.run=$top/tests/kernels/guest.sh portremap.out=$out${share:+ portremap.top=$top}" \
	    -virtfs "local,path=$root,mount_tag=root,security_model=none,readonly=on,multidevs=remap" \
	    $share \
	    -virtfs "local,path=$out,mount_tag=out,security_model=none,multidevs=remap" \
	    >"$out/console" 2>&1
	took=$(($(date +%s) - start))
	total=$((total + took))
	# The suites' verdict, as make check reads it.
	parts=$(cd "$out/reports" 2>/dev/null && ls *.tap 2>/dev/null | sed 's/\.tap$//')
	verdict=$(sh tests/summary.sh "$out/reports" $parts 2>&1 | tail -1)
	sh tests/summary.sh "$out/reports" $parts | grep '^FAILED' | sed "s/^/$spec: /"
	status=$(cat "$out/status" 2>/dev/null || echo "none: the VM did not finish (see $out/console)")
	tests_passed=$(echo "$verdict" | sed -n 's/^[^0-9]*\([0-9]*\) passed.*/\1/p')
	[ "$status" = 0 ] && [ -n "$parts" ] && [ "${tests_passed:-0}" -gt 0 ]
	ok $? "Linux $release ($spec): ${verdict#check: }; the suites exited $status; $took s"
	echo "kernel $release ($spec): ${verdict#check: } in $took s, time scale $vm_scale"
done
echo "kernels: $total s in all"
tally kernels
