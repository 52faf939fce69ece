#!/bin/sh
# Checks on the built library that no C test can make: what it exports,
# which glibc it needs, and how it was hardened.
# Usage: check-library.sh LIBRARY VERSION_SCRIPT
set -u
lib=$1
script=$2
. tests/tally.sh

check() {
	if [ "$2" = "$3" ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		printf 'FAIL %s\n  expected: %s\n  got:      %s\n' "$1" "$3" "$2"
	fi
}

exports=$(nm -D --defined-only "$lib" | awk '{ print $3 }' | sed 's/@.*//' |
    sort | tr '\n' ' ')
wanted=$(sed -n '/global:/,/local:/p' "$script" | grep -o '^[[:space:]]*[a-z_0-9]*;' |
    tr -d ' \t;' | sort | tr '\n' ' ')
check "exports only the wrapped libc functions" "$exports" "$wanted"

newest=$(objdump -T "$lib" | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' |
    sort -t. -k1,1n -k2,2n | tail -n 1)
newest_ok=$(printf '%s\n2.17\n' "$newest" | sort -t. -k1,1n -k2,2n | tail -n 1)
check "needs no glibc symbol newer than 2.17 (newest: $newest)" "$newest_ok" "2.17"

check "full RELRO" "$(readelf -lW "$lib" | grep -c GNU_RELRO)" "1"
check "BIND_NOW" "$(readelf -dW "$lib" | grep -c -E 'BIND_NOW|FLAGS_1.*NOW' |
    sed 's/^[1-9][0-9]*$/yes/')" "yes"
check "non-executable stack" "$(readelf -lW "$lib" | awk '/GNU_STACK/ { print $7 }')" "RW"
# The handler is the library's own (one import fewer); the checks call it.
check "stack protector" "$(objdump -d "$lib" | grep -c 'call.*<__stack_chk_fail' |
    sed 's/^[1-9][0-9]*$/yes/')" "yes"
# Each import is a symbol lookup in every process at load (BIND_NOW).
imports=$(nm -D --undefined-only "$lib" | awk '{ print $2 }' | sed 's/@.*//' |
    sort | tr '\n' ' ')
check "imports only what it needs from libc" "$imports" \
    "__errno_location dlsym getauxval secure_getenv "
check "no text relocations" "$(readelf -dW "$lib" | grep -c TEXTREL)" "0"

tally library
