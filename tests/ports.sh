#!/bin/sh
# The registry of the tests' ports: each file that binds or publishes ports
# (five-digit ones, 10000-29999) has them to itself, so that suites running
# side by side never meet. The ranges, by file:
#   tests/integration_remap.c      206NN    tests/integration_modes.c  206NN
#   tests/integration_command.c    207NN    tests/integration_connect.c 207NN
#   tests/integration_hostile.c    207NN-208NN
#   tests/integration_lifecycle.c  207NN    tests/integration_servers.c 208NN
#   tests/integration_dotnet.c     209NN-211NN
#   tests/integration_supervise.c  212NN    tests/integration_supervisor.c 213NN
#   tests/integration_wrappers.c   2137N    bench/run.sh               2139N
#   tests/containers.sh            18081-18094, 18099
#   tests/containers/docker.sh     18095-18098, 18100-18105
# A shared port fails this check, naming it; 20000 is the offset maps
# use (1-1023:+20000), not a port. Within a file, the harness's registry
# (claim_port in tests/harness.c) fails any test that reaches a port
# another test reached in the same run, however it got there: through a
# shared helper, or a port computed at run time. (8080 and 8443, the default
# targets, are used by the .NET tests and examples, which run one at a time.)
. tests/tally.sh
files="tests/integration_*.c tests/containers.sh tests/containers/docker.sh
    bench/run.sh examples/demo.sh"
list=$(for f in $files; do
	sed 's/+[0-9]*//g' "$f" | grep -oE '\b[12][0-9]{4}\b' | sort -u |
	    awk -v f="$f" '$1 >= 10000 && $1 < 30000 && $1 != 20000 { print $1, f }'
done | sort)
shared=$(printf '%s\n' "$list" | awk '{ n[$1]++; who[$1] = who[$1] " " $2 }
    END { for (p in n) if (n[p] > 1) print p ":" who[p] }' | sort)
[ -z "$shared" ]
ok $? "ports used by more than one file: $shared"

# The registry itself, on one test that reaches 20749 (in its arguments):
# it claims the port for itself, and fails where another test has it.
suite=${BUILD:-build}/tests/integration_hostile
one=stderr/control_characters_in_a_setting_stay_on_one_line
registry=$(mktemp -d /tmp/portremap-ports.XXXXXX)
PORTREMAP_TEST_STAGE=/nonexistent PORTREMAP_TEST_PORTS=$registry \
    "$suite" --filter "$one" >/dev/null 2>&1
[ "$(readlink "$registry/20749")" = "${one%%/*}::${one#*/}" ]
ok $? "the registry claims a test's port for it: $(ls -l "$registry")"
rm -f "$registry/20749" && ln -s another::test "$registry/20749"
out=$(PORTREMAP_TEST_STAGE=/nonexistent PORTREMAP_TEST_PORTS=$registry \
    "$suite" --filter "$one" 2>&1)
[ $? != 0 ] && echo "$out" | grep -q "port 20749 is used by another::test and by ${one%%/*}::${one#*/}"
ok $? "and fails a test whose port another test claimed: $out"
rm -rf "$registry"
tally ports
