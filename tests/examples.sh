#!/bin/sh
# Runs what examples/ says, so that it cannot silently rot: the
# Dockerfile's build script, files and environment, and the Kubernetes
# manifest's init container command and app container environment, with
# the images' root replaced by a temporary folder. No container engine is
# needed; the app really runs, as the user the file names, and answers.
set -u
tmp=$(mktemp -d /tmp/portremap-examples.XXXXXX)
app_pid=
trap '[ -n "$app_pid" ] && kill $app_pid 2>/dev/null; rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
. tests/tally.sh

# as_user UID COMMAND...: as that user when we are root, else as ourselves.
# It execs, so that a background job's $! is the command's own pid.
as_user() {
	uid=$1
	shift
	if [ "$(id -u)" = 0 ]; then
		exec setpriv --reuid="$uid" --regid="$uid" --clear-groups "$@"
	else
		exec "$@"
	fi
}

# start_app UID PRELOAD URLS: run the app as UID; its first reply from 8080.
start_app() {
	if curl -s --max-time 2 http://127.0.0.1:8080/ >/dev/null 2>&1; then
		echo "something already answers on 8080"
		return 1
	fi
	as_user "$1" env -i PATH=/usr/bin:/bin HOME=/tmp \
	    DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 \
	    LD_PRELOAD="$2" ASPNETCORE_URLS="$3" \
	    "$dotnet" "$tmp/out/app/aspnetapp.dll" \
	    >"$tmp/app.log" 2>&1 &
	app_pid=$!
	for _ in $(seq 1 100); do
		reply=$(curl -s --max-time 2 http://127.0.0.1:8080/ 2>/dev/null) &&
		    return 0
		sleep 0.1
	done
	reply=
}

stop_app() {
	kill $app_pid 2>/dev/null
	wait $app_pid 2>/dev/null
	app_pid=
}

# The Dockerfile: its build stage, what it copies, and its environment.
df=examples/docker/Dockerfile
grep -qx 'RUN sh examples/docker/build.sh /out' "$df"
ok $? "$df runs examples/docker/build.sh /out"
BUILD="$tmp/build" sh examples/docker/build.sh "$tmp/out" >"$tmp/build.log" 2>&1
ok $? "examples/docker/build.sh: $(tail -n 5 "$tmp/build.log")"
chmod -R a+rX "$tmp/out"
preload=$(sed -n 's/^ENV LD_PRELOAD=//p' "$df")
urls=$(sed -n 's/^ENV ASPNETCORE_URLS=//p' "$df")
grep -qx 'COPY --from=build /out/usr/local/ /usr/local/' "$df" &&
    [ -f "$tmp/out$preload" ]
ok $? "the image's LD_PRELOAD ($preload) is a file the build stage copies"
[ -x "$tmp/out/usr/local/bin/portremap" ]
ok $? "the image gets the portremap command too"
for f in "$df" examples/docker/Dockerfile.alpine; do
	grep -qx 'USER app' "$f" && grep -qx 'EXPOSE 8080' "$f" &&
	    grep -qx 'ENV ASPNETCORE_URLS=http://+:80' "$f" &&
	    grep -qx 'RUN sh examples/docker/build.sh /out' "$f" &&
	    grep -qx 'ENV PORTREMAP_CONNECT=loopback' "$f" &&
	    grep -q '^HEALTHCHECK .*localhost/' "$f"
	ok $? "$f: USER app, EXPOSE 8080, port 80 configured, same build," \
	    "a health check on localhost:80"
done
if command -v dotnet >/dev/null 2>&1 && command -v curl >/dev/null 2>&1 &&
    command -v python3 >/dev/null 2>&1; then
	dotnet=$(sh tests/stage-dotnet.sh "$(command -v dotnet)" "$tmp")
	# The `app` user of the .NET images is uid 1654.
	start_app 1654 "$tmp/out$preload" "$urls"
	[ "$reply" = "hello from ASP.NET Core on port 80" ]
	ok $? "the image's app, as uid 1654, answers on 8080 (got: $reply)"
	# The image's HEALTHCHECK, with the image's environment, still says 80.
	health=$(sed -n 's/^HEALTHCHECK .* CMD //p' "$df" | python3 -c \
	    'import json, shlex, sys; print(shlex.join(json.load(sys.stdin)))')
	connect=$(sed -n 's/^ENV PORTREMAP_CONNECT=//p' "$df")
	(as_user 1654 env -i PATH=/usr/bin:/bin LD_PRELOAD="$tmp/out$preload" \
	    PORTREMAP_CONNECT="$connect" sh -c "$health")
	ok $? "the image's HEALTHCHECK passes: $health"
	(as_user 1654 env -i PATH=/usr/bin:/bin LD_PRELOAD="$tmp/out$preload" \
	    sh -c "$health") 2>/dev/null
	[ $? != 0 ]
	ok $? "and it needs PORTREMAP_CONNECT=loopback to"
	stop_app
	grep -q 'bind \[::\]:80 -> \[::\]:8080 (uid 1654 lacks' "$tmp/app.log"
	ok $? "and the library says why: $(head -n 2 "$tmp/app.log")"
else
	skip 4 "running the image's app needs dotnet, curl and python3 (apt-get install curl python3; dotnet: the .NET SDK)"
fi

# The library image: its unpacking step for every platform, from make
# dist's archives; its amd64 files then serve the Kubernetes manifest.
lib_image=
dfl=examples/docker/Dockerfile.library
dist=${BUILD:-build}/dist
if [ -f "$dist/SHA256SUMS" ]; then
	grep -q 'RUN sh /unpack-library.sh /dist "$VERSION" "$TARGETARCH" "$TARGETVARIANT" "$LIBC" /out' "$dfl" &&
	    grep -qx 'COPY --from=unpack /out/ /' "$dfl"
	ok $? "$dfl unpacks the platform's archive and keeps only that"
	version=$(sed -n 's/^ARG VERSION=//p' "$dfl")
	while read -r arch variant libc machine loader; do
		[ "$variant" = - ] && variant=
		tree=$tmp/library-$arch$variant-$libc
		sh examples/docker/unpack-library.sh "$dist" "$version" "$arch" \
		    "$variant" "$libc" "$tree" &&
		    readelf -h "$tree/usr/local/lib/libportremap.so" |
		    grep -Eq "Machine: *(.* )?$machine\$" &&
		    readelf -l "$tree/usr/local/bin/portremap" |
		    grep -q "interpreter: $loader]"
		ok $? "the $arch$variant $libc library image holds its platform's files"
	done <<-PLATFORMS
	amd64 - glibc X86-64 /lib64/ld-linux-x86-64.so.2
	arm64 - glibc AArch64 /lib/ld-linux-aarch64.so.1
	arm v7 glibc ARM /lib/ld-linux-armhf.so.3
	amd64 - musl X86-64 /lib/ld-musl-x86_64.so.1
	arm64 - musl AArch64 /lib/ld-musl-aarch64.so.1
	arm v7 musl ARM /lib/ld-musl-armhf.so.1
	PLATFORMS
	lib_image=$tmp/library-amd64-glibc
	chmod -R a+rX "$lib_image"
else
	skip 7 "the library image needs make dist's archives (make dist, or make check-dist)"
fi

# The Kubernetes manifest: the init container's copy, the app's settings.
k8s=examples/kubernetes/deployment.yaml
copy=$(sed -n 's/^ *command: \["\(cp\)", "\([^"]*\)", "\([^"]*\)"\]$/\1 \2 \3/p' "$k8s")
uid=$(sed -n 's/^ *runAsUser: //p' "$k8s")
k8s_preload=$(grep -A1 'name: LD_PRELOAD' "$k8s" | sed -n 's/^ *value: "\(.*\)"$/\1/p')
k8s_urls=$(grep -A1 'name: ASPNETCORE_URLS' "$k8s" | sed -n 's/^ *value: "\(.*\)"$/\1/p')
[ -n "$copy" ] && [ -n "$uid" ] && [ "$uid" != 0 ] && [ -n "$k8s_preload" ]
ok $? "$k8s: an init container copy, a non-root runAsUser ($uid), LD_PRELOAD"
grep -q 'containerPort: 8080' "$k8s" && grep -q 'readOnlyRootFilesystem: true' "$k8s" &&
    grep -q 'runAsNonRoot: true' "$k8s"
ok $? "$k8s: containerPort 8080, read-only root, runAsNonRoot"
# The init container's image is the library image (else the Dockerfile's
# build stage); the volume is a folder of our own.
set -- $copy
mkdir -p "$tmp/volume"
cp "${lib_image:-$tmp/out}$2" "$tmp/volume/${3#/portremap/}"
ok $? "the init container's command: $copy${lib_image:+, on the library image}"
grep -q 'image: .*/portremap:' "$k8s" && grep -q 'Dockerfile.library' "$k8s"
ok $? "$k8s names the library image and the recipe that builds it"
chmod -R a+rX "$tmp/volume"
if command -v dotnet >/dev/null 2>&1 && command -v curl >/dev/null 2>&1; then
	start_app "$uid" "$tmp/volume/${k8s_preload#/portremap/}" "$k8s_urls"
	stop_app
	[ "$reply" = "hello from ASP.NET Core on port 80" ]
	ok $? "the pod's app, as uid $uid, answers on 8080 (got: $reply)"
	grep -q "bind \[::\]:80 -> \[::\]:8080 (uid $uid lacks" "$tmp/app.log"
	ok $? "and the library says why: $(head -n 2 "$tmp/app.log")"
else
	skip 1 "running the pod's app needs dotnet and curl (apt-get install curl; dotnet: the .NET SDK)"
fi

# make demo, in network namespaces of its own: it passes with 8080 free,
# and with 8080 held by another program it fails, saying so.
build=${BUILD:-build}
if [ "$(id -u)" = 0 ] && command -v ip >/dev/null &&
    [ -x "$build/examples/port80-server" ] && [ -x "$build/examples/fetch" ]; then
	unshare -n sh -c 'ip link set lo up && sh examples/demo.sh "$1"' \
	    sh "$build" >"$tmp/demo.log" 2>&1
	ok $? "make demo passes: $(tail -n 3 "$tmp/demo.log")"
	# The holder: the demo's server, moved to 8080 by the library.
	unshare -n sh -c 'ip link set lo up &&
	    LD_PRELOAD="$1/libportremap.so" PORTREMAP_MODE=always \
	    PORTREMAP_LOG=0 "$1/examples/port80-server" & sleep 0.5
	    sh examples/demo.sh "$1"; status=$?
	    kill $!; exit $status' sh "$build" >"$tmp/demo.log" 2>&1
	[ $? != 0 ] && grep -q '^demo: .*another program holds port 8080\|^demo: the server did not start' "$tmp/demo.log"
	ok $? "make demo fails, saying why, when 8080 is taken: $(tail -n 2 "$tmp/demo.log")"
elif [ "$(id -u)" != 0 ]; then
	skip 2 "the demo checks need root (private network namespaces)"
elif ! command -v ip >/dev/null; then
	skip 2 "the demo checks need ip (apt-get install iproute2)"
else
	skip 2 "the demo checks need make demo's build (make demo)"
fi

tally examples
