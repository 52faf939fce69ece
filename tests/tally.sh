# Sourced by the shell checks: count results, and print each failure.
# ok STATUS MESSAGE: a check passed when STATUS is 0.
# skip N WHY: N checks cannot run here; WHY says what to install.
# tally NAME: the closing line that make check's verdict reads.
passed=0
failed=0
skipped=0

ok() {
	if [ "$1" = 0 ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL $2"
	fi
}

skip() {
	skipped=$((skipped + $1))
	echo "skipped: $2"
}

tally() {
	echo "$1: $passed passed, $failed failed, $skipped skipped"
	[ "$failed" = 0 ]
}
