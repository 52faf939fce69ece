#!/bin/sh
# Stand-ins for the base images, which no reachable registry serves, tagged
# with the real names so that the examples build unchanged (--pull=never):
#   debian:bookworm-slim     debootstrap --variant=minbase, from apt's mirror
#   mcr.microsoft.com/dotnet/aspnet:10.0
#                            that + this machine's .NET runtime + what the
#                            real image sets (user app 1654, APP_UID,
#                            ASPNETCORE_HTTP_PORTS=8080, ...)
#   mcr.microsoft.com/dotnet/sdk:10.0
#                            aspnet's + this machine's .NET SDK
#   busybox:1.36             Debian's busybox-static, for amd64, arm64 and
#                            arm/v7 (a manifest list)
# Each is built only when missing. Usage: BUILD=build standins.sh
set -eu
. tests/containers/engine.sh
dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
mirror=$(awk '$1 == "URIs:" { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null ||
    true)
[ -n "$mirror" ] || mirror=http://deb.debian.org/debian
work=$engine_dir/standins
mkdir -p "$work"

have() { podman image exists "$1"; }

if ! have docker.io/library/debian:bookworm-slim; then
	echo "stand-in debian:bookworm-slim (debootstrap from $mirror)"
	rm -rf "$work/rootfs"
	debootstrap --variant=minbase --include=ca-certificates,libicu72,libssl3 \
	    bookworm "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 ||
	    { tail -n 20 "$work/debootstrap.log"; exit 1; }
	rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb \
	    "$work/rootfs/var/lib/apt/lists/"*
	tar -C "$work/rootfs" -c . | podman import \
	    --change 'CMD ["bash"]' - docker.io/library/debian:bookworm-slim \
	    >/dev/null
	rm -rf "$work/rootfs"
fi

dotnet_version=$(dotnet --list-runtimes | awk '/Microsoft.NETCore.App/ { print $2; exit }')
if ! have mcr.microsoft.com/dotnet/aspnet:10.0; then
	echo "stand-in mcr.microsoft.com/dotnet/aspnet:10.0 (.NET $dotnet_version)"
	podman build -q --pull=never -v "$dotnet_root:/host-dotnet:ro" \
	    --build-arg DOTNET_VERSION="$dotnet_version" \
	    -t mcr.microsoft.com/dotnet/aspnet:10.0 \
	    -f tests/containers/aspnet.Containerfile tests/containers >/dev/null
fi
if ! have mcr.microsoft.com/dotnet/sdk:10.0; then
	echo "stand-in mcr.microsoft.com/dotnet/sdk:10.0"
	podman build -q --pull=never -v "$dotnet_root:/host-dotnet:ro" \
	    -t mcr.microsoft.com/dotnet/sdk:10.0 \
	    -f tests/containers/sdk.Containerfile tests/containers >/dev/null
fi

# busybox-static of each platform, from Debian's multiarch packages.
if ! podman manifest exists docker.io/library/busybox:1.36 2>/dev/null; then
	echo "stand-in busybox:1.36 (amd64, arm64, arm/v7)"
	podman manifest create docker.io/library/busybox:1.36 >/dev/null
	for arch in amd64:amd64: arm64:arm64: armhf:arm:v7; do
		deb=${arch%%:*}
		rest=${arch#*:}
		goarch=${rest%%:*}
		variant=${rest#*:}
		dir=$work/busybox-$deb
		rm -rf "$dir" && mkdir -p "$dir/root/bin"
		(cd "$dir" && apt-get download -q "busybox-static:$deb" >/dev/null 2>&1) ||
		    { echo "cannot download busybox-static:$deb" >&2; exit 1; }
		dpkg-deb -x "$dir"/busybox-static_*.deb "$dir/x"
		cp "$dir/x/bin/busybox" "$dir/root/bin/busybox"
		for applet in $(/bin/busybox --list); do
			[ "$applet" = busybox ] ||
			    ln -s busybox "$dir/root/bin/$applet"
		done
		id=$(tar -C "$dir/root" -c . | podman import --arch "$goarch" \
		    ${variant:+--variant "$variant"} \
		    --change 'CMD ["sh"]' - "localhost/portremap-busybox:$deb")
		podman manifest add docker.io/library/busybox:1.36 \
		    "containers-storage:localhost/portremap-busybox:$deb" >/dev/null
		rm -rf "$dir"
	done
fi
