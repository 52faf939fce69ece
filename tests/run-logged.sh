#!/bin/sh
# Run a shell check, keep its output in REPORTS/NAME.log for make check's
# verdict, show it, and pass its status on.
# Usage: run-logged.sh REPORTS NAME COMMAND...
reports=$1
name=$2
shift 2
mkdir -p "$reports"
"$@" >"$reports/$name.log" 2>&1
status=$?
cat "$reports/$name.log"
exit $status
