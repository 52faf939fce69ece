#!/bin/sh
# The verdict of make check: every skipped test with its reason, every
# failure, then one line "check: N passed, N failed, N skipped". Reads the
# TAP report of each Criterion suite (PART.tap) and the output of each shell
# check (PART.log, ending with its "NAME: N passed, N failed" tally) in
# REPORTS. A part that left neither, or no tally, did not run: it fails.
# Usage: summary.sh REPORTS PART...
set -u
reports=$1
shift
for part in "$@"; do
	if [ -f "$reports/$part.tap" ]; then
		sed "s/^/$part tap /" "$reports/$part.tap"
	elif [ -f "$reports/$part.log" ]; then
		sed "s/^/$part log /" "$reports/$part.log"
		echo "$part end"
	else
		echo "$part missing"
	fi
done | awk '
function fail(part, why) { print "FAILED: " part ": " why; f++ }
{ part = $1; kind = $2; line = $0; sub(/^[^ ]+ [^ ]+ ?/, "", line) }
kind == "missing" { fail(part, "did not run (a build or an earlier step failed)") }
kind == "end" && !(part in tallied) { fail(part, "ended without its tally") }
kind == "tap" && line ~ /^ok .*# SKIP / {
	sub(/^ok - /, "", line); sub(/ +# SKIP /, ": ", line)
	print "skipped: " part ": " line; s++
}
kind == "tap" && line ~ /^ok / && line !~ /# SKIP / { p++ }
kind == "tap" && line ~ /^not ok / { sub(/^not ok - /, "", line); fail(part, line) }
kind == "log" && line ~ /^skipped: / { sub(/^skipped: /, "", line); print "skipped: " part ": " line }
kind == "log" && line ~ /^FAIL / { sub(/^FAIL /, "", line); print "FAILED: " part ": " line }
kind == "log" && line ~ /^[a-z]+: [0-9]+ passed, [0-9]+ failed/ {
	n = split(line, w, /[ ,]+/)
	p += w[2]; f += w[4]; if (n >= 6) s += w[6]; tallied[part] = 1
}
END {
	print "containers: checked apart, by make check-containers"
	printf "check: %d passed, %d failed, %d skipped\n", p, f, s; exit f != 0
}'
