#!/bin/sh
# One cross leg of make check-cross: the probe-based integration tests,
# built for this machine, run against the library and the probe built for
# another libc or architecture, as uid 65534 like the rest of the suite.
# glibc builds must need no symbol newer than GLIBC_2.17 (on 32-bit ARM,
# whose first version is 2.4, the same floor holds).
# Usage: cross.sh HOST_BUILD LEG_BUILD OBJDUMP [RUNNER]
set -u
host=$1
leg=$2
objdump=$3
runner=${4:-}
stage=$(mktemp -d /tmp/portremap-cross.XXXXXX)
trap 'rm -rf "$stage"' EXIT
cp "$leg/libportremap.so" "$leg/tests/probe" "$leg/tests/libbindlater.so" \
    "$stage/"
chmod 755 "$stage" "$stage"/*
failed=0

# glibc builds must load on glibc 2.17 and later.
if $objdump -T "$leg/libportremap.so" | grep -q GLIBC_; then
	newest=$($objdump -T "$leg/libportremap.so" | grep -o 'GLIBC_[0-9.]*' |
	    sed 's/GLIBC_//' | sort -t. -k1,1n -k2,2n | tail -n 1)
	if [ "$(printf '%s\n2.17\n' "$newest" | sort -t. -k1,1n -k2,2n |
	    tail -n 1)" != 2.17 ]; then
		echo "FAIL $leg/libportremap.so needs GLIBC_$newest (> 2.17)"
		failed=1
	else
		echo "cross: $leg/libportremap.so needs at most GLIBC_$newest"
	fi
fi

run() {
	PORTREMAP_TEST_STAGE="$stage" PORTREMAP_TEST_RUNNER="$runner" \
	    "$host/tests/$1" --jobs 2 --filter="$2" || failed=1
}

run integration_remap '@(remap/tcp4*|remap/dual_stack*|remap/udp4|remap/udp6*|remap/plain_accept*|remap/bind_inside*|remap/unix_sockets*|remap/port_zero*|remap/unspec*)'
# qemu-arm itself aborts on the malformed calls of bad_input, with or
# without the library (an emulator assertion), so 32-bit ARM goes without.
bad_input='|lifecycle/bad_input*'
case $runner in qemu-arm|qemu-arm\ *) bad_input= ;; esac
run integration_lifecycle "@(lifecycle/accept4*|lifecycle/every_kind*|lifecycle/a_forked*|lifecycle/the_first_call*|lifecycle/no_stale*|lifecycle/an_address_in*$bad_input)"
run integration_modes '@(getsockname/*|collisions/binding_the_target*|settings/a_bad_map*|settings/log_0*|modes/off*|modes/always_remaps_an*)'
# qemu-user does not emulate IP_BIND_ADDRESS_NO_PORT, the socket's own
# record of a remap, so answers that need it are checked natively only.
tagged=
[ -z "$runner" ] && tagged='|init/threads*'
run integration_hostile "@(stderr/*|init/a_pending*|init/the_settings*|init/a_thread*|kernel/an_unavailable*$tagged)"
exit $failed
