#!/bin/sh
# make check-containers: the examples built and run in a real container
# engine (podman with runc, configured for these tests only), on stand-ins
# of the base images (tests/containers/standins.sh), as users run them:
# the compatibility image under the engine's user handling, capability
# sets, sysctls, --read-only and no-new-privileges; the library image for
# three platforms; portremap as PID 1 and as a root entrypoint that drops
# privileges; /etc/ld.so.preload; the Kubernetes example as a pod; and the
# same images under a real Docker daemon (tests/containers/docker.sh).
# Host ports: as tests/ports.sh lists them. Usage: BUILD=build containers.sh
set -u
BUILD=${BUILD:-build}
. tests/containers/engine.sh
. tests/tally.sh
work=$engine_dir/work
rm -rf "$work" && mkdir -p "$work"
label=portremap-test
trap '[ -z "${dockerd_pid:-}" ] || kill "$dockerd_pid" 2>/dev/null
	podman pod rm -f --all >/dev/null 2>&1
	podman rm -f $(podman ps -aq --filter label=$label) >/dev/null 2>&1
	podman volume prune -f >/dev/null 2>&1
	rm -rf "$work"' EXIT
log=$work/engine.log

# The machine's CA bundle, for a NuGet restore inside a build container;
# mounted for the build only, never copied into an image.
ca=${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}

build() {
	tag=$1
	shift
	podman build -q --format docker --pull=never \
	    -v "$ca:/etc/ssl/certs/ca-certificates.crt:ro" -t "$tag" "$@" \
	    >>"$log" 2>&1
}

# stopped ENGINE NAME MS STATUS: ENGINE stop ends NAME within MS
# milliseconds, with STATUS; $ms and $code say what happened.
stopped() {
	start=$(date +%s%N)
	"$1" stop -t 10 "$2" >>"$log" 2>&1
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	code=$("$1" inspect -f '{{.State.ExitCode}}' "$2" 2>/dev/null)
	[ "$ms" -lt "$3" ] && [ "$code" = "$4" ]
}

# answer URL: the first reply within 60 s, or nothing.
answer() {
	for _ in $(seq 1 120); do
		reply=$(curl -s --max-time 2 "$1" 2>/dev/null) &&
		    [ -n "$reply" ] && { printf '%s\n' "$reply"; return 0; }
		sleep 0.5
	done
	return 1
}

# serves NAME PORT LINE PODMAN-RUN-ARGS... [-- IMAGE ARGS...]: run the
# image (the compatibility image unless given), which must answer on the
# published PORT as port 80, pass its health check if it has one, say LINE
# in its log (or no remap at all: LINE "-"), and stop within a second
# through SIGTERM.
serves() {
	name=$1
	port=$2
	line=$3
	shift 3
	case " $* " in
	*" -- "*) ;;
	*) set -- "$@" -- localhost/portremap-test/compat ;;
	esac
	args=
	while [ "$1" != -- ]; do
		args="$args $1"
		shift
	done
	shift
	podman run -d --pull=never --name "$name" --label $label $args "$@" \
	    >>"$log" 2>&1
	reply=$(answer "http://127.0.0.1:$port/")
	[ "$reply" = "hello from ASP.NET Core on port 80" ]
	ok $? "$name: served on $port as port 80 (got: $reply)"
	if [ "$(podman inspect -f '{{.Config.Healthcheck}}' "$name")" != "<nil>" ]; then
		podman healthcheck run "$name" >>"$log" 2>&1
		ok $? "$name: its health check passes"
	fi
	podman logs "$name" >"$work/$name.log" 2>&1
	if [ "$line" = - ]; then
		! grep -q -- ' -> ' "$work/$name.log"
		ok $? "$name: nothing remapped: $(grep portremap "$work/$name.log")"
	else
		grep -qF -- "$line" "$work/$name.log"
		ok $? "$name: the log says \"$line\": $(grep portremap "$work/$name.log")"
	fi
	stopped podman "$name" 1000 0
	ok $? "$name: podman stop ended it through SIGTERM in ${ms} ms (exit $code)"
	podman rm -f "$name" >>"$log" 2>&1
}

remapped='portremap[1]: bind [::]:80 -> [::]:8080'

echo "building the stand-ins and images"
sh tests/containers/standins.sh || { echo "FAIL the stand-ins"; exit 1; }
build localhost/portremap-test/compat -f examples/docker/Dockerfile .
ok $? "examples/docker/Dockerfile builds"

# The compatibility image, as the engine runs it.
serves as-app 18081 "$remapped (uid 1654 lacks CAP_NET_BIND_SERVICE)" \
    -p 127.0.0.1:18081:8080
serves any-uid 18082 "$remapped (uid 4242 lacks CAP_NET_BIND_SERVICE)" \
    -p 127.0.0.1:18082:8080 --user 4242
serves read-only 18083 "$remapped (uid 1654 lacks CAP_NET_BIND_SERVICE)" \
    -p 127.0.0.1:18083:8080 --read-only
serves root-no-caps 18084 "$remapped (uid 0 lacks CAP_NET_BIND_SERVICE)" \
    -p 127.0.0.1:18084:8080 --user root --cap-drop ALL
# With the capability the app keeps 80: publish 80, not 8080.
serves bind-service 18085 - -p 127.0.0.1:18085:80 \
    --cap-add NET_BIND_SERVICE
serves no-new-privileges 18086 \
    "$remapped (uid 1654 lacks CAP_NET_BIND_SERVICE)" \
    -p 127.0.0.1:18086:8080 --security-opt no-new-privileges
# Docker's default: every user may bind every port; auto still moves 80.
podman run --rm --pull=never --sysctl net.ipv4.ip_unprivileged_port_start=0 \
    --entrypoint portremap localhost/portremap-test/compat --check \
    >"$work/check.out" 2>&1
grep -q "^ip_unprivileged_port_start: 0 (this network namespace): the kernel lets every user bind every port" "$work/check.out" &&
    grep -q "^auto would remap: uid 1654 lacks CAP_NET_BIND_SERVICE; auto does not look at ip_unprivileged_port_start" "$work/check.out"
ok $? "portremap --check with ip_unprivileged_port_start=0 says auto still remaps: $(cat "$work/check.out")"
serves unprivileged-port-start-0 18087 \
    "$remapped (uid 1654 lacks CAP_NET_BIND_SERVICE)" \
    -p 127.0.0.1:18087:8080 --sysctl net.ipv4.ip_unprivileged_port_start=0

# portremap as the entrypoint: a static Go server, supervised.
ctx=$work/tools
mkdir -p "$ctx"
cp "$BUILD/portremap" "$BUILD/libportremap.so" "$BUILD/tests/go-static" \
    /bin/busybox "$(command -v gosu)" "$ctx/"
cat >"$ctx/Containerfile" <<'IMAGE'
FROM docker.io/library/debian:bookworm-slim
COPY portremap /usr/local/bin/portremap
COPY libportremap.so /usr/local/lib/libportremap.so
COPY go-static /usr/local/bin/go-server
COPY busybox /bin/busybox
COPY gosu /usr/local/bin/gosu
IMAGE
build localhost/portremap-test/tools "$ctx"
ok $? "the tools image builds"
podman run -d --pull=never --name go-server --label $label --user 65534 \
    -p 127.0.0.1:18088:8080 localhost/portremap-test/tools \
    portremap -m 80:8080 -- /usr/local/bin/go-server :80 >>"$log" 2>&1
reply=$(answer http://127.0.0.1:18088/)
[ "$reply" = "hello from Go on port 80" ]
ok $? "a static Go server, supervised under the default seccomp profile, as uid 65534, answers as port 80 (got: $reply)"
podman logs go-server 2>&1 | grep -qF 'bind [::]:80 -> [::]:8080 (uid 65534 lacks CAP_NET_BIND_SERVICE)'
ok $? "the supervisor says the remap: $(podman logs go-server 2>&1)"
podman rm -f go-server >>"$log" 2>&1

# A root start that drops to a user with a dynamic setpriv: portremap looks
# through it to the static server, which it supervises. Where the engine
# sets ip_unprivileged_port_start=0, the preload would miss it in silence,
# and the server would take port 80, where nothing is published.
podman run -d --pull=never --name setpriv-go --label $label --user 0 \
    --sysctl net.ipv4.ip_unprivileged_port_start=0 \
    -p 127.0.0.1:18094:8080 localhost/portremap-test/tools \
    portremap -- setpriv --reuid=65534 --regid=65534 --clear-groups \
    /usr/local/bin/go-server :80 >>"$log" 2>&1
reply=$(answer http://127.0.0.1:18094/)
[ "$reply" = "hello from Go on port 80" ]
ok $? "a static server behind setpriv, started as root, is supervised and answers as port 80 (got: $reply)"
podman rm -f setpriv-go >>"$log" 2>&1

cat >"$work/no-seccomp.json" <<'PROFILE'
{ "defaultAction": "SCMP_ACT_ALLOW",
  "syscalls": [ { "names": ["seccomp"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1 } ] }
PROFILE
timeout 60 podman run --rm --pull=never --label $label --user 65534 \
    --security-opt seccomp="$work/no-seccomp.json" \
    localhost/portremap-test/tools portremap -- /usr/local/bin/go-server :80 \
    >"$work/refused.out" 2>"$work/refused.err"
code=$?
[ "$code" = 126 ] && [ ! -s "$work/refused.out" ] &&
    [ "$(grep -c . "$work/refused.err")" = 1 ] &&
    grep -q '^portremap: cannot supervise the program: seccomp() with user notification was refused (Operation not permitted)' "$work/refused.err"
ok $? "a profile that denies seccomp(): status 126 ($code) and one line: $(cat "$work/refused.err")"

# PID 1 reaps the orphans a busybox shell leaves, and passes statuses on.
zombies=$(timeout 60 podman run --rm --pull=never --label $label localhost/portremap-test/tools \
    portremap --supervise -- /bin/busybox sh -c 'for i in 1 2 3 4 5; do
	/bin/busybox sh -c "/bin/busybox sleep 0.3 &"; done
	/bin/busybox sleep 1.5
	/bin/busybox grep -l "^State:.*Z" /proc/[0-9]*/status | /bin/busybox wc -l' 2>>"$log")
[ "$zombies" = 0 ]
ok $? "portremap as PID 1 leaves no zombie orphans (zombies: $zombies)"
podman run --rm --pull=never --label $label localhost/portremap-test/tools portremap \
    --supervise -- /bin/busybox sh -c 'exit 7' >>"$log" 2>&1
code=$?
podman run --rm --pull=never --label $label localhost/portremap-test/tools portremap \
    --supervise -- /bin/busybox sh -c 'kill -USR1 $$' >>"$log" 2>&1
signalled=$?
[ "$code" = 7 ] && [ "$signalled" = $((128 + 10)) ]
ok $? "exit statuses pass through portremap as PID 1 (7: $code, SIGUSR1: $signalled)"

# A root entrypoint that drops privileges with a static helper (gosu, a Go
# program): portremap looks through it and preloads dotnet.
cp /usr/sbin/gosu "$ctx/gosu"
cat >"$ctx/Containerfile.gosu" <<'IMAGE'
FROM localhost/portremap-test/compat
USER root
COPY gosu /usr/local/bin/gosu
ENV LD_PRELOAD=
HEALTHCHECK CMD ["portremap", "--connect", "loopback", "--", "bash", "-c", "exec 3<>/dev/tcp/localhost/80 && printf 'GET /health HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q healthy <&3"]
ENTRYPOINT ["portremap", "--", "gosu", "app", "dotnet", "aspnetapp.dll"]
IMAGE
build localhost/portremap-test/gosu -f "$ctx/Containerfile.gosu" "$ctx"
ok $? "the gosu image builds"
serves gosu 18089 "bind [::]:80 -> [::]:8080 (uid 1654 lacks CAP_NET_BIND_SERVICE)" \
    -p 127.0.0.1:18089:8080 -- localhost/portremap-test/gosu

# /etc/ld.so.preload instead of ENV LD_PRELOAD: a scrubbed environment
# keeps the library, with the default settings.
cat >"$ctx/Containerfile.ldso" <<'IMAGE'
FROM localhost/portremap-test/compat
USER root
RUN echo /usr/local/lib/libportremap.so >/etc/ld.so.preload
ENV LD_PRELOAD=
USER app
IMAGE
build localhost/portremap-test/ldso -f "$ctx/Containerfile.ldso" "$ctx"
ok $? "the ld.so.preload image builds"
serves ldso 18090 "bind [::]:80 -> [::]:8080 (uid 1654 lacks CAP_NET_BIND_SERVICE)" \
    -p 127.0.0.1:18090:8080 -- localhost/portremap-test/ldso
serves ldso-scrubbed 18091 "bind 0.0.0.0:80 -> 0.0.0.0:8080 (uid 1654 lacks CAP_NET_BIND_SERVICE)" \
    -p 127.0.0.1:18091:8080 --entrypoint env -- localhost/portremap-test/ldso \
    -i /usr/bin/dotnet /app/aspnetapp.dll --listen-any

# The library image for three platforms (podman 4.3 does not predefine
# BUILDPLATFORM, which BuildKit does), and an app image copying from it.
for platform in linux/amd64:X86-64:x64 linux/arm64:AArch64:arm64 \
    linux/arm/v7:ARM:arm; do
	name=${platform%%:*}
	rest=${platform#*:}
	machine=${rest%%:*}
	rid=${rest#*:}
	tag=localhost/portremap-test/library-$rid
	build "$tag" --platform "$name" --build-arg BUILDPLATFORM=linux/amd64 \
	    -f examples/docker/Dockerfile.library .
	c=$(podman create --platform "$name" "$tag" 2>>"$log")
	rm -rf "$work/lib-$rid" && mkdir -p "$work/lib-$rid"
	podman cp "$c:/usr/local/lib/libportremap.so" "$work/lib-$rid/" >>"$log" 2>&1
	podman cp "$c:/usr/local/bin/portremap" "$work/lib-$rid/" >>"$log" 2>&1
	podman rm "$c" >>"$log" 2>&1
	arch=$(podman image inspect -f '{{.Architecture}}' "$tag")
	tar -xzOf "build/dist/libportremap-1.0.0-linux-$rid.tar.gz" \
	    "libportremap-1.0.0-linux-$rid/lib/libportremap.so" |
	    cmp -s - "$work/lib-$rid/libportremap.so" &&
	    readelf -h "$work/lib-$rid/portremap" | grep -q "Machine:.*$machine"
	ok $? "the library image for $name ($arch) holds make dist's linux-$rid files"
done
cat >"$ctx/Containerfile.app" <<'IMAGE'
FROM mcr.microsoft.com/dotnet/aspnet:10.0
COPY --from=localhost/portremap-test/library-x64 /usr/local/lib/libportremap.so /usr/local/lib/
COPY --from=localhost/portremap-test/compat /app /app
ENV ASPNETCORE_URLS=http://+:80 LD_PRELOAD=/usr/local/lib/libportremap.so
USER app
WORKDIR /app
ENTRYPOINT ["dotnet", "aspnetapp.dll"]
IMAGE
build localhost/portremap-test/from-library -f "$ctx/Containerfile.app" "$ctx"
ok $? "an app image copying the library from the library image builds"
serves from-library 18092 "$remapped (uid 1654 lacks CAP_NET_BIND_SERVICE)" \
    -p 127.0.0.1:18092:8080 -- localhost/portremap-test/from-library

# The Kubernetes example as a pod: the init container copies the library
# into the shared volume, the app preloads it, as a random uid on a
# read-only root, with every capability dropped. The manifest as written,
# but for a hostPort on loopback for the test to reach it (no other
# address is reached here); the readiness probe is kubelet's request.
python3 tests/pss.py examples/kubernetes/deployment.yaml >"$work/pss.out" 2>&1
ok $? "the Kubernetes example meets the restricted Pod Security Standard: $(cat "$work/pss.out")"
# Its Go variant (portremap's supervisor) too; run under containerd's
# default profile at the end (tests/containers/docker.sh).
python3 tests/pss.py examples/kubernetes/go-server.yaml >"$work/pss-go.out" 2>&1
ok $? "the Kubernetes Go variant meets the restricted Pod Security Standard: $(cat "$work/pss-go.out")"
podman tag localhost/portremap-test/library-x64 \
    registry.example.com/portremap:1.0.0 >>"$log" 2>&1
cat >"$ctx/Containerfile.legacy" <<'IMAGE'
FROM mcr.microsoft.com/dotnet/aspnet:10.0
COPY --from=localhost/portremap-test/compat /app /app
WORKDIR /app
ENTRYPOINT ["dotnet", "aspnetapp.dll"]
IMAGE
build registry.example.com/aspnetapp:legacy-port-80 \
    -f "$ctx/Containerfile.legacy" "$ctx"
sed 's/^\( *\)- containerPort: 8080$/\1- containerPort: 8080\n\1  hostPort: 18093\n\1  hostIP: 127.0.0.1/' \
    examples/kubernetes/deployment.yaml >"$work/deployment.yaml"
# Podman 4.3 may fail to remove the finished init container, and leave the
# app created: once the init container has done its work, start the app.
if ! podman kube play "$work/deployment.yaml" >>"$log" 2>&1; then
	podman wait aspnetapp-pod-0-portremap >>"$log" 2>&1
	[ "$(podman inspect -f '{{.State.ExitCode}}' aspnetapp-pod-0-portremap)" = 0 ] &&
	    podman rm -f aspnetapp-pod-0-portremap >>"$log" 2>&1 &&
	    podman start aspnetapp-pod-0-app >>"$log" 2>&1
fi
reply=$(answer http://127.0.0.1:18093/)
[ "$reply" = "hello from ASP.NET Core on port 80" ]
ok $? "the pod serves on 8080 as port 80 (got: $reply)"
[ "$(answer http://127.0.0.1:18093/health)" = healthy ]
ok $? "the pod passes its readiness probe (GET /health on 8080)"
podman logs aspnetapp-pod-0-app >"$work/pod.log" 2>&1
grep -qF "$remapped (uid 10001 lacks CAP_NET_BIND_SERVICE)" "$work/pod.log"
ok $? "the pod's log says the remap: $(grep portremap "$work/pod.log")"
[ "$(podman inspect -f '{{.HostConfig.ReadonlyRootfs}} {{.Config.User}} {{.HostConfig.SecurityOpt}} {{len .HostConfig.CapAdd}}' aspnetapp-pod-0-app)" = "true 10001:10001 [no-new-privileges] 0" ]
ok $? "the app runs read-only as 10001, no new privileges, no capability: $(podman inspect -f '{{.HostConfig.ReadonlyRootfs}} {{.Config.User}} {{.HostConfig.SecurityOpt}} {{.HostConfig.CapAdd}}' aspnetapp-pod-0-app)"
podman pod rm -f aspnetapp-pod-0 >>"$log" 2>&1

. tests/containers/docker.sh
tally containers
