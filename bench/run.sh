#!/bin/sh
# make bench: what the library costs, measured with and without it.
# Instruction counts (callgrind) and system calls (strace) are taken at two
# loop sizes, so that start-up costs cancel, and checked against budgets;
# the bench exits non-zero when one is exceeded. Times are printed, never
# checked: machines are noisy.
set -eu

build=${1:-build}
small=2000
large=4000
stage=$(mktemp -d /tmp/portremap-bench.XXXXXX)
trap 'rm -rf "$stage"' EXIT INT TERM
cp "$build/libportremap.so" "$build/bench/bench" "$stage/"
mkdir "$stage/out"
chmod 755 "$stage" "$stage/libportremap.so" "$stage/bench"
chmod 777 "$stage/out"
lib=$stage/libportremap.so
bench=$stage/bench

# Measured as an unprivileged user, where the library does its work.
as_user=
if [ "$(id -u)" = 0 ]; then
	as_user="setpriv --reuid=65534 --regid=65534 --clear-groups"
fi

# run with|without COMMAND...; $with_env holds extra settings for "with".
with_env=
run() {
	how=$1
	shift
	if [ "$how" = with ]; then
		$as_user env LD_PRELOAD="$lib" PORTREMAP_LOG=0 $with_env "$@"
	else
		$as_user env -u LD_PRELOAD "$@"
	fi
}

# instructions with|without COMMAND...: user-space instructions in total.
instructions() {
	out=$stage/out/callgrind.$$
	how=$1
	shift
	run "$how" valgrind --tool=callgrind --callgrind-out-file="$out" \
	    "$@" >/dev/null 2>&1
	awk '/^(summary|totals):/ { print $2; exit }' "$out"
	rm -f "$out"
}

# syscalls with|without COMMAND...: system calls in total.
syscalls() {
	out=$stage/out/strace.$$
	how=$1
	shift
	run "$how" strace -f -c -o "$out" "$@" >/dev/null 2>&1
	awk '$NF == "total" { print $4 }' "$out"
	rm -f "$out"
}

# per_op MEASURE WORKLOAD: added per operation, start-up costs cancelled.
per_op() {
	measure=$1
	w1=$($measure with "$bench" count "$2" $small)
	w2=$($measure with "$bench" count "$2" $large)
	b1=$($measure without "$bench" count "$2" $small)
	b2=$($measure without "$bench" count "$2" $large)
	awk -v w1="$w1" -v w2="$w2" -v b1="$b1" -v b2="$b2" -v n=$((large - small)) \
	    'BEGIN { printf "%.1f", ((w2 - w1) - (b2 - b1)) / n }'
}

have_valgrind=$(command -v valgrind >/dev/null && echo yes || echo no)
have_strace=$(command -v strace >/dev/null && echo yes || echo no)

# verdict VALUE BUDGET: "ok" or "OVER", and remember a failure in a file:
# it is called inside $(...), whose variables do not come back.
verdict() {
	if awk -v v="$1" -v b="$2" 'BEGIN { exit !(v <= b) }'; then
		echo ok
	else
		: >"$stage/over"
		echo OVER
	fi
}

printf '%-26s %10s %10s %7s %13s %8s %12s %8s\n' workload "raw ns" \
    "preload ns" ratio "added instr" budget "added calls" budget
# A remapped bind asks the socket's type and protocol and the thread's
# capability (never cached: capabilities are per thread and change), and
# tags the socket. A remapped connect asks the type and protocol, tries the
# source first (a real listener there is never bypassed), and tags the
# socket. Hot paths (getsockname, accept, connect off) add no call at all.
for spec in getsockname-remapped:30:0 getsockname-plain:30:0 accept:60:0 \
    bind:300:4 connect-plain:30:0 connect-remapped:300:4; do
	workload=${spec%%:*}
	with_env=
	[ "$workload" = connect-remapped ] && with_env=PORTREMAP_CONNECT=loopback
	budgets=${spec#*:}
	instr_budget=${budgets%%:*}
	call_budget=${budgets#*:}
	raw=$(run without "$bench" time "$workload")
	pre=$(run with "$bench" time "$workload")
	ratio=$(awk -v a="$pre" -v b="$raw" 'BEGIN { printf "%.2fx", a / b }')
	instr=-
	calls=-
	instr_verdict="(no valgrind)"
	calls_verdict="(no strace)"
	if [ "$have_valgrind" = yes ]; then
		instr=$(per_op instructions "$workload")
		instr_verdict="$(verdict "$instr" "$instr_budget") <=$instr_budget"
	fi
	if [ "$have_strace" = yes ]; then
		calls=$(per_op syscalls "$workload")
		calls_verdict="$(verdict "$calls" "$call_budget") <=$call_budget"
	fi
	printf '%-26s %10s %10s %7s %13s %8s %12s %8s\n' "$workload" "$raw" \
	    "$pre" "$ratio" "$instr" "$instr_verdict" "$calls" "$calls_verdict"
	[ "$workload" = bind ] && pre_bind=$pre
done

if [ "$have_valgrind" = yes ]; then
	with=$(instructions with /bin/true)
	without=$(instructions without /bin/true)
	load=$((with - without))
	printf '%-26s %13s instructions over /bin/true alone (budget 25000): %s\n' \
	    "load, no calls" "$load" "$(verdict "$load" 25000)"
fi

with_env=
raw=$(run without "$bench" conns 1)
pre=$(run with "$bench" conns 1)
printf '%-26s %10s %10s %7s   connections/s, accept and close\n' \
    "accept loop" "$raw" "$pre" \
    "$(awk -v a="$pre" -v b="$raw" 'BEGIN { printf "%.2fx", a / b }')"

# authbind, for comparison: its preload forks a setuid helper for each
# privileged bind. It needs /etc/authbind/byport/80; made for the run, as
# root, when it is not there, and removed after.
if command -v authbind >/dev/null; then
	byport=/etc/authbind/byport/80
	made=
	if [ ! -e "$byport" ] && [ "$(id -u)" = 0 ] && [ -d "${byport%/*}" ]; then
		: >"$byport" && chmod 755 "$byport" && made=yes
	fi
	if [ -x "$byport" ] || [ -n "$made" ]; then
		ns=$(run without authbind --deep "$bench" time bind 300)
		printf '%-26s %10s ns per bind of port 80 through authbind (libportremap: %s ns remapped)\n' \
		    "authbind" "$ns" "$pre_bind"
	else
		echo "authbind: not compared, $byport is missing (run as root)"
	fi
	[ -n "$made" ] && rm -f "$byport"
fi
# portremap's supervisor, for programs that bypass the C library: a
# supervised bind() and getsockname() against the plain calls, and a Go
# server's HTTP rate with and without supervision (Go asks getsockname()
# for every connection it accepts), from one client (budget: at least 70%
# of the rate) and from 32 at once. There the aim is 90%; it is reported,
# not enforced. Each accepted connection costs one notification: two
# context switches and ten system calls, about 6 us of CPU on a 2-CPU VM,
# where a request with its client costs about 80 us, and the accepting
# thread, once answered, waits behind the 32 clients on the same CPUs: a
# saturated server there sits at 0.78 to 0.95 from one run to the next,
# and rounds of it differ by 10% either way.
# It execs, so that a background job's $! is portremap itself.
supervised() {
	exec $as_user env -u LD_PRELOAD PORTREMAP_LOG=0 "$stage/portremap" "$@"
}

# held ARGS...: the same under the calls Docker's and containerd's default
# profiles refuse (pidfd_getfd, process_vm_*), where portremap holds the
# calling thread with ptrace instead; with one_cpu set, both on that CPU.
# A held call costs tens of times a direct one: few calls are timed.
held() {
	exec ${one_cpu:+taskset -c "$one_cpu"} $as_user "$stage/noseccomp" \
	    docker env -u LD_PRELOAD PORTREMAP_LOG=0 "$stage/portremap" "$@"
}

# rate_line NAME BUDGET RAW SUPERVISED HOW budget|aim RATIO: two rates and
# the verdict on their ratio; an aim is only reported.
rate_line() {
	kind=$6
	ratio=$7
	if [ "$kind" = aim ]; then
		met=$(awk -v r="$ratio" -v b="$2" \
		    'BEGIN { print (r >= b ? "met" : "not met (reported)") }')
	else
		met=$(verdict "$2" "$ratio")
	fi
	printf '%-26s %10s %10s %7s   HTTP requests/s to a Go server, supervised, %s (%s >= %s): %s\n' \
	    "$1" "$3" "$4" "$(awk -v r="$ratio" 'BEGIN { printf "%.2fx", r }')" \
	    "$5" "$kind" "$2" "$met"
}

# serve_go PORT COMMAND...: start it in the background (its pid in
# $go_pid), and wait for its ready line.
serve_go() {
	port=$1
	shift
	"$@" >"$stage/out/go.$port" 2>&1 &
	go_pid=$!
	for _ in $(seq 1 100); do
		grep -q ready "$stage/out/go.$port" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "bench: the Go server did not start: $(cat "$stage/out/go.$port")" >&2
	return 1
}

# paired_rates CLIENTS ROUNDS PORT...: rounds of 2-second runs, one
# against each server, back to back, so that all see the machine in the
# same state; prints the median rate of each, then the median of the
# rounds' ratios of each to the first.
paired_rates() {
	clients=$1
	rounds=$2
	shift 2
	for _ in $(seq 1 "$rounds"); do
		for port in "$@"; do
			printf '%s ' "$(run without "$bench" http "$port" 2 "$clients")"
		done
		echo
	done | awk '
		{ for (i = 1; i <= NF; i++) rate[i, NR] = $i }
		function median(column, ratio,   v, i, j, t) {
			for (i = 1; i <= NR; i++)
				v[i] = rate[column, i] / (ratio ? rate[1, i] : 1)
			for (i = 2; i <= NR; i++)
				for (j = i; j > 1 && v[j - 1] > v[j]; j--) {
					t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
				}
			return NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		}
		END {
			for (i = 1; i <= NF; i++)
				printf "%.0f ", median(i, 0)
			for (i = 2; i <= NF; i++)
				printf "%.3f%s", median(i, 1), i < NF ? " " : "\n"
		}'
}

if [ -x "$build/portremap" ]; then
	cp "$build/portremap" "$stage/"
	for workload in bind getsockname-remapped; do
		raw=$(run without "$bench" time "$workload")
		[ "$workload" = getsockname-remapped ] && raw_name=$raw
		sup=$(supervised --supervise -- "$bench" time "$workload")
		printf '%-26s %10s %10s %7s   ns per call, under portremap --supervise\n' \
		    "supervised $workload" "$raw" "$sup" \
		    "$(awk -v a="$sup" -v b="$raw" 'BEGIN { printf "%.1fx", a / b }')"
		[ -x "$build/tests/noseccomp" ] || continue
		cp "$build/tests/noseccomp" "$stage/"
		held=$(held --supervise -- "$bench" time "$workload" 3000)
		printf '%-26s %10s %10s %7s   ns per call, the same under Docker'"'"'s refusals (thread held)\n' \
		    "held $workload" "$raw" "$held" \
		    "$(awk -v a="$held" -v b="$raw" 'BEGIN { printf "%.1fx", a / b }')"
	done
	# Held, each of a call's ptrace stops wakes the other process, on
	# another CPU if one is idle; in a VM that halts idle CPUs, those
	# wake-ups cost more than the work. On one CPU, the work alone:
	if [ -x "$build/tests/noseccomp" ] && command -v taskset >/dev/null &&
	    one_cpu=$(taskset -cp $$ | sed 's/.*: *//; s/[-,].*//') &&
	    held=$(held --supervise -- "$bench" time getsockname-remapped \
	    3000); then
		printf '%-26s %10s %10s %7s   ns per call, the same with portremap and the program on one CPU\n' \
		    "held, one CPU" "$raw_name" "$held" \
		    "$(awk -v a="$held" -v b="$raw_name" 'BEGIN { printf "%.1fx", a / b }')"
	fi
	one_cpu=
	# The kernel's share of a supervised call: a notification that a
	# supervisor, woken as portremap's is, lets go on at once. The rest
	# of the supervised getsockname above is portremap's own work.
	raw=$(run without "$bench" time getsockname-plain)
	if notified=$(run without "$bench" notified); then
		printf '%-26s %10s %10s %7s   ns per call, under a supervisor that only lets it go on (the kernel'"'"'s round trip)\n' \
		    "notified getsockname" "$raw" "$notified" \
		    "$(awk -v a="$notified" -v b="$raw" 'BEGIN { printf "%.1fx", a / b }')"
	else
		echo "notified getsockname: not measured (the reason is above)"
	fi
fi
if [ -x "$build/portremap" ] && [ -x "$build/tests/go-static" ]; then
	cp "$build/tests/go-static" "$stage/"
	serve_go 21390 $as_user "$stage/go-static" :21390
	raw_pid=$go_pid
	serve_go 21391 supervised -m 80:21391 -- "$stage/go-static" :80 ||
	    { kill "$raw_pid"; exit 1; }
	sup_pid=$go_pid
	set -- $(paired_rates 1 7 21390 21391)
	rate_line "go server" 0.7 "$1" "$2" \
	    "one client, the median of 7 paired rounds" budget "$3"
	# The same server under a supervisor that only lets getsockname() go
	# on: what the kernel's round trip alone leaves of the rate, measured
	# in the same rounds. Without it, that round trip and portremap's own
	# work cannot be told apart in a figure this noisy.
	if serve_go 21393 $as_user "$stage/bench" notified -- \
	    "$stage/go-static" :21393; then
		notified_pid=$go_pid
		set -- $(paired_rates 32 7 21390 21391 21393)
		kill "$notified_pid" 2>/dev/null
		wait "$notified_pid" 2>/dev/null || true
	else
		kill "$go_pid" 2>/dev/null
		set -- $(paired_rates 32 7 21390 21391)
		set -- "$1" "$2" - "$3" -
	fi
	rate_line "go server, 32 clients" 0.9 "$1" "$2" \
	    "32 clients at once, the median of 7 paired rounds" aim "$4"
	[ "$3" = - ] ||
	    printf '%-26s %10s %10s %7s   HTTP requests/s, the same under a supervisor that only lets getsockname() go on (the kernel'"'"'s round trip; reported)\n' \
	    "notified go server" "$1" "$3" \
	    "$(awk -v r="$5" 'BEGIN { printf "%.2fx", r }')"
	kill "$sup_pid" 2>/dev/null
	wait "$sup_pid" 2>/dev/null || true
	if [ -x "$build/tests/noseccomp" ] &&
	    serve_go 21392 held -m 80:21392 -- "$stage/go-static" :80; then
		set -- $(paired_rates 1 7 21390 21392)
		kill "$go_pid" 2>/dev/null
		wait "$go_pid" 2>/dev/null || true
		printf '%-26s %10s %10s %7s   HTTP requests/s, the same under Docker'"'"'s refusals, one client (reported)\n' \
		    "held go server" "$1" "$2" \
		    "$(awk -v r="$3" 'BEGIN { printf "%.2fx", r }')"
	fi
	kill "$raw_pid" 2>/dev/null
	wait "$raw_pid" 2>/dev/null || true
else
	echo "go server: not measured (Go is not installed: no build/tests/go-static)"
fi

if [ -e "$stage/over" ]; then
	echo "bench: a budget was exceeded" >&2
	exit 1
fi
