#!/bin/sh
# Print the dotnet the unprivileged test user will run. The SDK may live
# where that user cannot read it (/root/.dotnet); then the host, hostfxr and
# shared frameworks are copied into the world-readable stage, and that copy
# is used instead.
# Usage: stage-dotnet.sh DOTNET STAGE
set -eu
dotnet=$(readlink -f "$1")
stage=$2
root=$(dirname "$dotnet")
if [ "$(id -u)" != 0 ] || setpriv --reuid=65534 --regid=65534 --clear-groups \
    sh -c "test -x '$dotnet' && test -r '$root/host' && test -r '$root/shared'" \
    2>/dev/null; then
	echo "$dotnet"
	exit 0
fi
mkdir -p "$stage/dotnet"
cp -r "$dotnet" "$root/host" "$root/shared" "$stage/dotnet/"
chmod -R a+rX "$stage/dotnet"
echo "$stage/dotnet/$(basename "$dotnet")"
