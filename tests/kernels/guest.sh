#!/bin/sh
# The first process of a test VM, in the host's root (or another
# architecture's) under a tmpfs overlay (tests/kernels/init): the library's
# and the supervisor's integration suites, run as make check runs them (as
# root, dropping to uid 65534), with the harness's waits stretched by the
# time scale. Settings come from OUT, a folder the host shares; the
# reports, the log and the status go there.
# Usage: guest.sh OUT
out=$1
. "$out/settings"
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8
# The overlay is writable already: no tmpfs over /tmp, which may hold the
# checkout and the results folder themselves.
mount -t tmpfs -o mode=755 tmpfs /run
mkdir -p /dev/pts /dev/shm
mount -t devpts -o ptmxmode=666 devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
ip link set lo up
# An address off loopback, as a host has: some tests need one.
ip link add eth0 type dummy && ip addr add 192.0.2.10/24 dev eth0 &&
    ip link set eth0 up
# A root with no compiler and no make (another architecture's): the
# suites run as make integration runs them, on programs built for it.
staged() {
	stage=$(mktemp -d /tmp/portremap-check.XXXXXX)
	cp $stage_files "$stage/" && chmod 755 "$stage" "$stage"/* &&
	    mkdir "$stage/ports" || return 1
	status=0
	for t in $suites; do
		PORTREMAP_TEST_STAGE=$stage PORTREMAP_TEST_PORTS=$stage/ports \
		    PORTREMAP_TEST_TIME_SCALE=$scale "$t" --jobs "$jobs" \
		    --tap="$out/reports/${t##*/}.tap" || status=1
	done
	# Again under Docker's refusals, as make integration does.
	for t in $suites; do
		case " $profile_names " in *" ${t##*/} "*) ;; *) continue ;; esac
		PORTREMAP_TEST_PROFILE=docker PORTREMAP_TEST_STAGE=$stage \
		    PORTREMAP_TEST_PORTS=$stage/ports \
		    PORTREMAP_TEST_TIME_SCALE=$scale "$t" --jobs "$jobs" \
		    --tap="$out/reports/${t##*/}-docker.tap" || status=1
	done
	rm -rf "$stage"
	return $status
}

{
	echo "kernel: $(uname -r) on $(uname -m)"
	date +%s >"$out/started"
	cd "$top" && if [ -z "$stage_files" ]; then
		PORTREMAP_TEST_TIME_SCALE=$scale make --no-print-directory \
		    integration BUILD="$build" DOTNET= REPORTS="$out/reports" \
		    INTEGRATION_TESTS="$suites" CRITERION_JOBS="$jobs"
	else
		staged
	fi
	echo $? >"$out/status"
	date +%s >"$out/ended"
} >"$out/log" 2>&1
sync
busybox poweroff -f
