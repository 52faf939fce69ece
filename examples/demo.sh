#!/bin/sh
# make demo: a server hard-coded to port 80, run as an unprivileged user,
# first without the library and then with it.
set -eu

build=${1:-build}
stage=$(mktemp -d /tmp/portremap-demo.XXXXXX)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	rm -rf "$stage"
}
trap cleanup EXIT INT TERM

cp "$build/libportremap.so" "$build/examples/port80-server" "$stage/"
chmod 755 "$stage" "$stage"/*

# As root, drop to nobody: a root server would simply get port 80.
if [ "$(id -u)" = 0 ]; then
	as_user="setpriv --reuid=65534 --regid=65534 --clear-groups"
else
	as_user=
fi

fetch() {
	"$build/examples/fetch" "$1" || true
}

echo "== Without the library, as uid $($as_user id -u):"
echo "\$ ./port80-server"
$as_user "$stage/port80-server" 1 || true

echo
echo "== With it:"
echo "\$ LD_PRELOAD=$stage/libportremap.so ./port80-server &"
$as_user env LD_PRELOAD="$stage/libportremap.so" \
    "$stage/port80-server" 3 >"$stage/log" 2>&1 &
pid=$!
for _ in 1 2 3 4 5 6 7 8 9 10; do
	grep -q listening "$stage/log" && break
	sleep 0.2
done
cat "$stage/log"
if ! grep -q listening "$stage/log"; then
	echo "demo: the server did not start (its lines are above): is port" \
	    "8080 taken? 'ss -ltnp sport = :8080' says by what" >&2
	exit 1
fi

echo
echo "== What the kernel did: the server answers on 8080, not on 80."
for url in http://127.0.0.1:8080/ "http://[::1]:8080/" http://127.0.0.1:80/; do
	echo "\$ fetch $url"
	reply=$(fetch "$url")
	echo "$reply"
	# The server says its pid: the answer must be this demo's own server's.
	case $url:$reply in
	*:80/:*|*"(pid $pid)") ;;
	*)	echo "demo: $url was not answered by the demo's server (pid" \
		    "$pid): another program holds port 8080" >&2
		exit 1 ;;
	esac
done
fetch http://127.0.0.1:8080/ >/dev/null
wait "$pid" 2>/dev/null || true
pid=

echo
echo "== Any dynamically linked program, here a Python one-liner:"
oneliner='import socket; s = socket.socket(); s.bind(("127.0.0.1", 443)); print("python: bound", s.getsockname())'
if command -v python3 >/dev/null; then
	echo "\$ python3 -c '$oneliner'"
	$as_user env LD_PRELOAD="$stage/libportremap.so" python3 -c "$oneliner"
else
	echo "(python3 is not installed here: apt-get install python3 to see it)"
fi
