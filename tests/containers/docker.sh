# Sourced by tests/containers.sh, at its end: the same images under a real
# Docker daemon (Debian's docker.io: dockerd, its containerd and runc),
# started here with the cgroupfs driver, no default ulimits and its roots
# under $engine_dir/docker, stopped at the end. The images come from podman
# (podman save | docker load): docker build cannot mount the CA bundle a
# NuGet restore needs. Then containerd's own default profile, through ctr
# on the daemon's containerd. Host ports 18095-18098 and 18100-18105.
docker_dir=$engine_dir/docker
dk() {
	/usr/bin/docker -H "unix://$docker_dir/docker.sock" "$@"
}

start_dockerd() {
	mkdir -p "$docker_dir"
	cat >"$docker_dir/daemon.json" <<JSON
{ "exec-opts": ["native.cgroupdriver=cgroupfs"], "default-ulimits": {},
  "data-root": "$docker_dir/data", "exec-root": "$docker_dir/exec",
  "pidfile": "$docker_dir/dockerd.pid",
  "hosts": ["unix://$docker_dir/docker.sock"] }
JSON
	dockerd --config-file "$docker_dir/daemon.json" \
	    >"$docker_dir/dockerd.log" 2>&1 &
	dockerd_pid=$!
	for _ in $(seq 1 60); do
		dk info >/dev/null 2>&1 && return 0
		sleep 0.5
	done
	return 1
}

stop_dockerd() {
	dk rm -f $(dk ps -aq --filter label=$label) >/dev/null 2>&1
	kill "$dockerd_pid" 2>/dev/null
	wait "$dockerd_pid" 2>/dev/null
}

# dk_serves NAME PORT LINE DOCKER-RUN-ARGS... IMAGE: the image (an
# ASP.NET Core one) under dockerd answers on the published PORT as port 80,
# says LINE, passes the HEALTHCHECK dockerd runs, and docker stop ends it
# through SIGTERM.
dk_serves() {
	name=$1 port=$2 line=$3
	shift 3
	dk run -d --name "docker-$name" --label $label --health-interval 1s \
	    -p "127.0.0.1:$port:8080" "$@" >>"$log" 2>&1
	reply=$(answer "http://127.0.0.1:$port/")
	[ "$reply" = "hello from ASP.NET Core on port 80" ]
	ok $? "docker $name: served on $port as port 80 (got: $reply)"
	for _ in $(seq 1 60); do
		health=$(dk inspect -f '{{.State.Health.Status}}' "docker-$name" 2>&1)
		[ "$health" = healthy ] && break
		sleep 0.5
	done
	[ "$health" = healthy ]
	ok $? "docker $name: dockerd finds it healthy ($health)"
	dk logs "docker-$name" >"$work/docker-$name.log" 2>&1
	grep -qF -- "$line" "$work/docker-$name.log"
	ok $? "docker $name: the log says \"$line\": $(grep portremap "$work/docker-$name.log")"
	stopped dk "docker-$name" 5000 0
	ok $? "docker $name: docker stop ended it through SIGTERM in ${ms} ms (exit $code)"
	dk rm -f "docker-$name" >>"$log" 2>&1
}

# dk_supervised NAME PORT DOCKER-RUN-ARGS...: under Docker's default
# seccomp profile, which refuses pidfd_getfd and process_vm_* without
# CAP_SYS_PTRACE, portremap supervises the static Go server (holding its
# threads): it answers on the published PORT as port 80, the log says the
# remap, and docker stop ends it through SIGTERM, status 143, within 5 s.
dk_supervised() {
	name=$1 port=$2
	shift 2
	dk run -d --name "docker-$name" --label $label \
	    -p "127.0.0.1:$port:8080" "$@" >>"$log" 2>&1
	reply=$(answer "http://127.0.0.1:$port/")
	[ "$reply" = "hello from Go on port 80" ]
	ok $? "docker's default profile, $name: the supervised Go server answers as port 80 (got: $reply)"
	dk logs "docker-$name" >"$work/docker-$name.log" 2>&1
	grep -qF 'bind [::]:80 -> [::]:8080 (uid 65534 lacks CAP_NET_BIND_SERVICE)' \
	    "$work/docker-$name.log"
	ok $? "docker's default profile, $name: the log says the remap: $(grep portremap "$work/docker-$name.log")"
	stopped dk "docker-$name" 5000 143
	ok $? "docker's default profile, $name: docker stop ends it in ${ms} ms, status 143 ($code)"
	dk rm -f "docker-$name" >>"$log" 2>&1
}

if ! command -v dockerd >/dev/null || [ ! -x /usr/bin/docker ]; then
	skip 34 "no Docker daemon to try (apt-get install docker.io)"
elif ! start_dockerd; then
	ok 1 "dockerd starts: $(tail -3 "$docker_dir/dockerd.log")"
else
	for image in compat tools gosu; do
		podman save "localhost/portremap-test/$image" 2>>"$log" |
		    dk load >>"$log" 2>&1 || break
	done
	ok $? "the images move from podman to dockerd"
	dk_serves as-app 18095 "$remapped (uid 1654 lacks CAP_NET_BIND_SERVICE)" \
	    localhost/portremap-test/compat
	dk_serves locked-down 18096 "$remapped (uid 65534 lacks CAP_NET_BIND_SERVICE)" \
	    --user 65534 --read-only --cap-drop ALL \
	    --security-opt no-new-privileges localhost/portremap-test/compat
	# portremap -- gosu app dotnet: portremap looks through gosu (a Go
	# program) to dotnet and preloads it, which the default profile allows;
	# supervising gosu was refused there.
	dk_serves gosu 18100 "$remapped (uid 1654 lacks CAP_NET_BIND_SERVICE)" \
	    localhost/portremap-test/gosu
	# The supervisor under Docker's default seccomp profile, with nothing
	# added: as a locked-down user; as root (Docker's capabilities, no
	# CAP_SYS_PTRACE) behind setpriv and gosu, where Docker's
	# ip_unprivileged_port_start=0 would let a server missed by the
	# preload take port 80, where nothing is published; under --init.
	dk_supervised locked-down 18101 --user 65534 --cap-drop ALL \
	    --security-opt no-new-privileges localhost/portremap-test/tools \
	    portremap -- /usr/local/bin/go-server :80
	dk_supervised setpriv 18102 --user 0 localhost/portremap-test/tools \
	    portremap -- setpriv --reuid=65534 --regid=65534 --clear-groups \
	    /usr/local/bin/go-server :80
	dk_supervised gosu 18103 --user 0 localhost/portremap-test/tools \
	    portremap -- gosu 65534:65534 /usr/local/bin/go-server :80
	dk_supervised init 18104 --init --user 65534 \
	    localhost/portremap-test/tools \
	    portremap -- /usr/local/bin/go-server :80
	# --check tries the supervisor's start there, and names the way.
	out=$(dk run --rm --user 65534 --cap-drop ALL \
	    localhost/portremap-test/tools \
	    portremap --check -- /usr/local/bin/go-server 2>&1)
	echo "$out" | grep -q '^supervision here: through ptrace, holding'
	ok $? "docker's default profile: portremap --check says it would hold the program's threads ($(echo "$out" | grep '^supervision here' | cut -c1-60))"
	out=$(dk run --rm --user 65534 --cap-add SYS_PTRACE \
	    localhost/portremap-test/tools \
	    portremap --check -- /usr/local/bin/go-server 2>&1)
	echo "$out" | grep -q '^supervision here: direct'
	ok $? "docker with CAP_SYS_PTRACE: portremap --check says direct ($(echo "$out" | grep '^supervision here' | cut -c1-60))"
	dk run -d --name docker-go-ptrace --label $label --user 65534 \
	    --cap-add SYS_PTRACE -p 127.0.0.1:18097:8080 \
	    localhost/portremap-test/tools \
	    portremap -- /usr/local/bin/go-server :80 >>"$log" 2>&1
	reply=$(answer http://127.0.0.1:18097/)
	[ "$reply" = "hello from Go on port 80" ]
	ok $? "docker with CAP_SYS_PTRACE: the supervised Go server answers as port 80 (got: $reply)"
	stopped dk docker-go-ptrace 5000 143
	ok $? "docker stop ends portremap as PID 1 and its Go server in ${ms} ms, status 143 ($code)"
	# containerd's own default profile (Kubernetes' RuntimeDefault),
	# through ctr on the daemon's containerd: supervised alike, as without
	# a profile (ctr's default).
	ctr_() {
		ctr -a "$docker_dir/exec/containerd/containerd.sock" \
		    -n portremap-test "$@"
	}
	# ctr_remove NAME: end its task, then remove it.
	ctr_remove() {
		ctr_ task kill -s KILL "$1" >>"$log" 2>&1
		sleep 1
		ctr_ task delete "$1" >>"$log" 2>&1
		ctr_ container delete "$1" >>"$log" 2>&1
	}
	# Moving the image is not what is tested: a second try, once.
	for try in 1 2; do
		moved=$(podman save --format oci-archive \
		    localhost/portremap-test/tools 2>&1 >"$work/tools.tar" &&
		    ctr_ images import --base-name \
		    localhost/portremap-test/tools "$work/tools.tar" 2>&1)
		status=$?
		[ "$status" = 0 ] && break
		echo "moving the tools image into containerd, try $try: $moved" >>"$log"
		sleep 2
	done
	ok "$status" "the tools image moves into containerd: $moved"
	as_user="setpriv --reuid=65534 --regid=65534 --clear-groups"
	ctr_ run -d --net-host --seccomp \
	    localhost/portremap-test/tools:latest ctr-profile $as_user \
	    portremap -m 80:18105 -- /usr/local/bin/go-server :80 \
	    >>"$log" 2>&1
	reply=$(answer http://127.0.0.1:18105/)
	[ "$reply" = "hello from Go on port 80" ]
	ok $? "containerd's default profile: the supervised Go server answers as port 80 (got: $reply)"
	ctr_ task kill -s TERM ctr-profile >>"$log" 2>&1
	for _ in $(seq 1 50); do
		ctr_ task ls 2>/dev/null | grep -q '^ctr-profile .*RUNNING' ||
		    break
		sleep 0.1
	done
	ctr_ task ls 2>/dev/null | grep -q '^ctr-profile .*STOPPED'
	ok $? "containerd's default profile: SIGTERM ends it within 5 s: $(ctr_ task ls 2>&1 | grep ctr-profile)"
	ctr_ task delete ctr-profile >>"$log" 2>&1
	ctr_ container delete ctr-profile >>"$log" 2>&1
	# The Kubernetes Go variant's app container as written, under
	# containerd's default profile: its command, as its runAsUser, on a
	# read-only root, with the init container's copy mounted read-only at
	# /portremap. In a network namespace of its own: busybox asks it there.
	k8s=examples/kubernetes/go-server.yaml
	k8s_uid=$(sed -n 's/^ *runAsUser: //p' "$k8s")
	k8s_command=$(sed -n '/- name: app/,/ports:/s/^ *command: \[\(.*\)\]$/\1/p' \
	    "$k8s" | tr -d '",')
	mkdir -p "$work/k8s-volume"
	cp "$BUILD/portremap" "$work/k8s-volume/portremap"
	chmod -R a+rX "$work/k8s-volume"
	ctr_ run -d --seccomp --read-only \
	    --mount "type=bind,src=$work/k8s-volume,dst=/portremap,options=rbind:ro" \
	    localhost/portremap-test/tools:latest ctr-k8s \
	    setpriv --reuid="$k8s_uid" --regid="$k8s_uid" --clear-groups \
	    $k8s_command >>"$log" 2>&1
	for _ in $(seq 1 100); do
		reply=$(ctr_ task exec --exec-id "ask$_" ctr-k8s /bin/busybox \
		    wget -q -O - http://127.0.0.1:8080/ 2>/dev/null) && break
		sleep 0.2
	done
	[ "$reply" = "hello from Go on port 80" ]
	ok $? "the Kubernetes Go variant's command ($k8s_command, uid $k8s_uid) under containerd's default profile answers on 8080 as port 80 (got: $reply)"
	ctr_remove ctr-k8s
	ctr_ run -d --net-host localhost/portremap-test/tools:latest ctr-go \
	    $as_user portremap -m 80:18098 -- /usr/local/bin/go-server :80 \
	    >>"$log" 2>&1
	reply=$(answer http://127.0.0.1:18098/)
	[ "$reply" = "hello from Go on port 80" ]
	ok $? "containerd without a profile: the supervised Go server answers as port 80 (got: $reply)"
	ctr_remove ctr-go
	stop_dockerd
fi
