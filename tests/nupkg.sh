#!/bin/sh
# make check-nupkg: the PortRemap package as a .NET team uses it. A test
# app that adds only <PackageReference Include="PortRemap"/>, restored from
# a local folder feed beside it (other packages from the usual feed), is
# published for several platforms and compared byte for byte with make
# dist's libraries; the linux-x64 publish serves as uid 65534; container
# publishing (against a local registry holding the aspnet stand-in, written
# to an archive) makes images that preload the library, loaded and run in
# podman. Host ports 18094-18099 (tests/ports.sh); the registry on
# localhost:5000. Usage: BUILD=build VERSION=1.0.0 nupkg.sh
set -u
BUILD=${BUILD:-build}
VERSION=${VERSION:-1.0.0}
. tests/tally.sh
. tests/containers/engine.sh
top=$(pwd)
dist=$top/$BUILD/dist
work=$top/$BUILD/nupkg-test
registry_pid=
rm -rf "$work" && mkdir -p "$work/feed" "$work/app"
trap '[ -n "$registry_pid" ] && kill $registry_pid 2>/dev/null
	podman rm -f $(podman ps -aq --filter label=portremap-nupkg) >/dev/null 2>&1' EXIT
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
log=$work/dotnet.log

cp "$dist/PortRemap.$VERSION.nupkg" "$work/feed/"
# A package of this version cached from an earlier run would be used
# instead: the cache keeps one copy per version.
rm -rf "${NUGET_PACKAGES:-$HOME/.nuget/packages}/portremap/$VERSION"
cat >"$work/app/nuget.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="local" value="$work/feed" />
  </packageSources>
</configuration>
EOF
cat >"$work/app/app.csproj" <<EOF
<Project Sdk="Microsoft.NET.Sdk.Web">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <ImplicitUsings>enable</ImplicitUsings>
    <Nullable>enable</Nullable>
    <InvariantGlobalization>true</InvariantGlobalization>
    <AssemblyName>aspnetapp</AssemblyName>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="PortRemap" Version="$VERSION" />
  </ItemGroup>
</Project>
EOF
cp examples/aspnetapp/Program.cs "$work/app/"

# publish NAME ARGS...: publish the app into $work/NAME; its output in NAME.out.
publish() {
	name=$1
	shift
	dotnet publish "$work/app" -c Release --nologo -o "$work/$name" \
	    --artifacts-path "$work/artifacts-$name" "$@" \
	    >"$work/$name.out" 2>&1
}

# same_library RID DIR: DIR/libportremap.so is make dist's for RID.
same_library() {
	cmp -s "$dist/tree/libportremap-$VERSION-$1/lib/libportremap.so" \
	    "$2/libportremap.so"
}

# No apphost: the feed here may not have every platform's apphost pack,
# and a framework-dependent app runs as "dotnet app.dll" anyway.
for rid in linux-x64 linux-musl-arm64; do
	publish "$rid" -r "$rid" --self-contained false -p:UseAppHost=false
	ok $? "publish -r $rid: $(tail -n 3 "$work/$rid.out")"
	same_library "$rid" "$work/$rid"
	ok $? "publish -r $rid holds make dist's $rid library at its top"
done
publish self-contained -r linux-x64 --self-contained true
same_library linux-x64 "$work/self-contained"
ok $? "a self-contained publish for linux-x64 holds its library: $(tail -n 2 "$work/self-contained.out")"
if command -v clang >/dev/null; then
	publish aot -r linux-x64 -p:PublishAot=true
	same_library linux-x64 "$work/aot"
	ok $? "a NativeAOT publish for linux-x64 holds its library: $(tail -n 2 "$work/aot.out")"
fi

publish no-rid
[ "$(grep -c 'warning PORTREMAP001' "$work/no-rid.out")" = 1 ] &&
    [ -z "$(find "$work/no-rid" -name libportremap.so)" ]
ok $? "a publish without a runtime identifier warns once and holds no library: $(grep PORTREMAP001 "$work/no-rid.out")"
publish windows -r win-x64 --self-contained false -p:UseAppHost=false
! grep -q PORTREMAP "$work/windows.out" &&
    [ -z "$(find "$work/windows" -name libportremap.so)" ]
ok $? "a win-x64 publish gets nothing and no warning"
publish disabled -r linux-x64 --self-contained false -p:UseAppHost=false \
    -p:PortRemapEnabled=false
! grep -q PORTREMAP "$work/disabled.out" &&
    [ -z "$(find "$work/disabled" -name libportremap.so)" ]
ok $? "PortRemapEnabled=false adds nothing"

# The linux-x64 publish, as the unprivileged user, in a network namespace
# of its own (port 80 and 8080 there are nobody else's).
chmod -R a+rX "$work/linux-x64"
reply=$(unshare -n sh -c '
	ip link set lo up
	setpriv --reuid=65534 --regid=65534 --clear-groups env -i \
	    PATH=/usr/bin:/bin HOME=/tmp DOTNET_CLI_TELEMETRY_OPTOUT=1 \
	    ASPNETCORE_URLS=http://+:80 LD_PRELOAD="$1/libportremap.so" \
	    dotnet "$1/aspnetapp.dll" >"$2/serve.log" 2>&1 &
	app=$!
	for i in $(seq 1 100); do
		curl -s --max-time 2 http://127.0.0.1:8080/ && break
		sleep 0.2
	done
	kill $app' sh "$work/linux-x64" "$work")
[ "$reply" = "hello from ASP.NET Core on port 80" ] &&
    grep -q 'bind \[::\]:80 -> \[::\]:8080 (uid 65534 lacks' "$work/serve.log"
ok $? "the linux-x64 publish serves on 8080 as port 80 for uid 65534 (got: $reply)"

# Container publishing: the aspnet stand-in in a local registry.
sh tests/containers/standins.sh >>"$log" 2>&1
mkdir -p "$work/registry"
cat >"$work/registry.yml" <<EOF
version: 0.1
storage:
  filesystem:
    rootdirectory: $work/registry
http:
  addr: 127.0.0.1:5000
EOF
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
registry_pid=$!
for _ in $(seq 1 50); do
	curl -s http://127.0.0.1:5000/v2/ >/dev/null && break
	sleep 0.1
done
podman push -q --tls-verify=false mcr.microsoft.com/dotnet/aspnet:10.0 \
    localhost:5000/dotnet/aspnet:10.0 >>"$log" 2>&1
ok $? "the aspnet stand-in is in the local registry"

# container NAME ARGS...: publish an image archive; its env in NAME.env.
container() {
	name=$1
	shift
	# No -o: each platform's inner publish needs a folder of its own.
	dotnet publish "$work/app" -c Release --nologo \
	    --artifacts-path "$work/artifacts-$name" -t:PublishContainer \
	    -p:ContainerBaseImage=localhost:5000/dotnet/aspnet:10.0 \
	    -p:ContainerUser=app \
	    -p:ContainerArchiveOutputPath="$work/$name.tar.gz" \
	    -p:ContainerRepository="portremap-nupkg/$name" "$@" \
	    >"$work/$name.out" 2>&1
}

# inspect ARCHIVE: each image's platform, env and libportremap.so, by
# python (the archive is OCI: index, manifests, configs, layers).
inspect() {
	python3 - "$1" "$dist/tree" "$VERSION" <<'PY'
import hashlib, io, json, sys, tarfile
archive, tree, version = sys.argv[1:4]
rids = ["linux-x64", "linux-arm64", "linux-arm", "linux-musl-x64",
        "linux-musl-arm64", "linux-musl-arm"]
libraries = {open(f"{tree}/libportremap-{version}-{r}/lib/libportremap.so", "rb").read(): r
             for r in rids}
outer = tarfile.open(archive)
blob = lambda d: outer.extractfile("blobs/" + d.replace(":", "/")).read()
def manifests(index):
    for m in index["manifests"]:
        doc = json.loads(blob(m["digest"]))
        if "manifests" in doc:
            yield from manifests(doc)
        else:
            yield doc
index = json.load(outer.extractfile("index.json"))
for m in manifests(index):
    config = json.loads(blob(m["config"]["digest"]))
    env = [e for e in config["config"].get("Env", []) if e.startswith(("LD_PRELOAD", "PORTREMAP_"))]
    library = "none"
    for layer in m["layers"]:
        with tarfile.open(fileobj=io.BytesIO(blob(layer["digest"]))) as t:
            for member in t.getmembers():
                if member.name.lstrip("./") == "app/libportremap.so":
                    data = t.extractfile(member).read()
                    library = libraries.get(data, "unknown") + ":same"
    print(config["architecture"], " ".join(env) or "no-env", library, config["config"].get("User"))
PY
}

container image -r linux-x64
inspect "$work/image.tar.gz" >"$work/image.inspect" 2>&1
[ "$(cat "$work/image.inspect")" = "amd64 LD_PRELOAD=/app/libportremap.so linux-x64:same app" ]
ok $? "a container publish preloads the library: $(cat "$work/image.inspect") $(grep -E 'error|warn' "$work/image.out" | head -n 3)"
container image-no-rid
inspect "$work/image-no-rid.tar.gz" >"$work/image-no-rid.inspect" 2>&1
[ "$(cat "$work/image-no-rid.inspect")" = "amd64 LD_PRELOAD=/app/libportremap.so linux-x64:same app" ]
ok $? "a container publish without -r preloads the library for the container's platform: $(cat "$work/image-no-rid.inspect")"
# The stand-in base is amd64 only, so both images' configs say amd64 (a
# real base image has each platform); each must hold its platform's library.
container image-multi "-p:ContainerRuntimeIdentifiers=\"linux-x64;linux-arm64\"" \
    "-p:RuntimeIdentifiers=\"linux-x64;linux-arm64\"" -p:UseAppHost=false
inspect "$work/image-multi.tar.gz" | sort -k3 >"$work/image-multi.inspect" 2>&1
[ "$(cut -d' ' -f2- "$work/image-multi.inspect")" = "LD_PRELOAD=/app/libportremap.so linux-arm64:same app
LD_PRELOAD=/app/libportremap.so linux-x64:same app" ]
ok $? "ContainerRuntimeIdentifiers: each platform's image preloads its own library: $(cat "$work/image-multi.inspect") $(grep -E 'error' "$work/image-multi.out" | head -n 2)"
container image-map -r linux-x64 -p:PortRemapMap=80:9080 -p:PortRemapMode=always \
    -p:PortRemapLog=2 -p:PortRemapConnect=loopback
inspect "$work/image-map.tar.gz" >"$work/image-map.inspect" 2>&1
for want in PORTREMAP_MAP=80:9080 PORTREMAP_MODE=always PORTREMAP_LOG=2 \
    PORTREMAP_CONNECT=loopback; do
	grep -q "$want" "$work/image-map.inspect"
	ok $? "PortRemap properties become the image's $want: $(cat "$work/image-map.inspect")"
done
container image-off -r linux-x64 -p:PortRemapEnabled=false
inspect "$work/image-off.tar.gz" >"$work/image-off.inspect" 2>&1
[ "$(cat "$work/image-off.inspect")" = "amd64 no-env none app" ]
ok $? "PortRemapEnabled=false: no variable, no library in the image: $(cat "$work/image-off.inspect")"

# serves ARCHIVE PORT CPORT LINE: loaded into podman and run as the image's
# non-root user, the app configured for port 80 answers on CPORT as 80.
serves() {
	id=$(podman load -q -i "$1" 2>>"$log" | sed -n 's/^Loaded image[^:]*: //p' | tail -n 1)
	podman run -d --pull=never --label portremap-nupkg -e ASPNETCORE_URLS=http://+:80 \
	    -p "127.0.0.1:$2:$3" --name "nupkg-$2" "$id" >>"$log" 2>&1
	for _ in $(seq 1 100); do
		reply=$(curl -s --max-time 2 "http://127.0.0.1:$2/") && break
		sleep 0.3
	done
	[ "$reply" = "hello from ASP.NET Core on port 80" ] &&
	    podman logs "nupkg-$2" 2>&1 | grep -qF "$4"
	ok $? "$1, loaded and run: served on $3 as port 80, saying \"$4\" (got: $reply; $(podman logs "nupkg-$2" 2>&1 | grep portremap))"
	podman rm -f "nupkg-$2" >>"$log" 2>&1
}
serves "$work/image.tar.gz" 18094 8080 \
    "bind [::]:80 -> [::]:8080 (uid 1654 lacks CAP_NET_BIND_SERVICE)"
serves "$work/image-map.tar.gz" 18095 9080 "bind [::]:80 -> [::]:9080 (mode always)"

# Without the library the app dies on port 80, as it does in the real
# non-root images.
id=$(podman load -q -i "$work/image-off.tar.gz" 2>>"$log" | sed -n 's/^Loaded image[^:]*: //p' | tail -n 1)
timeout 120 podman run --pull=never --label portremap-nupkg \
    -e ASPNETCORE_URLS=http://+:80 "$id" >"$work/off.log" 2>&1
code=$?
[ "$code" != 0 ] && grep -q "Permission denied" "$work/off.log" &&
    ! grep -q portremap "$work/off.log"
ok $? "the PortRemapEnabled=false image fails on port 80 with EACCES, unremapped (exit $code)"

tally nupkg
