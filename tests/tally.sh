# Sourced by the shell checks: count results, and print each failure.
# ok STATUS MESSAGE: a check passed when STATUS is 0.
passed=0
failed=0

ok() {
	if [ "$1" = 0 ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL $2"
	fi
}
