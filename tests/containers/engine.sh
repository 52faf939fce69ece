# Sourced: a private podman for the container tests, under $BUILD/containers:
# runc with the cgroupfs manager (crun refuses this machine's cgroup
# layout), no default ulimits (raising RLIMIT_NPROC is refused here), and
# storage of its own. The machine's own configuration is never touched.
engine_dir=$(cd "$BUILD" && pwd)/containers
mkdir -p "$engine_dir"
cat >"$engine_dir/containers.conf" <<CONF
[containers]
default_ulimits = []
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
cat >"$engine_dir/storage.conf" <<CONF
[storage]
driver = "overlay"
runroot = "$engine_dir/run"
graphroot = "$engine_dir/storage"
CONF
export CONTAINERS_CONF="$engine_dir/containers.conf"
export CONTAINERS_STORAGE_CONF="$engine_dir/storage.conf"
