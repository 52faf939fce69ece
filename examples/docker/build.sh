#!/bin/sh
# Build stage of the compatibility images: the library and the portremap
# command installed under OUT/usr/local, and, when the .NET SDK is there,
# the example app published to OUT/app. Run from the repository's top.
# Usage: build.sh OUT
set -eu
out=$1
make install PREFIX=/usr/local DESTDIR="$out" BUILD="${BUILD:-build}"
if command -v dotnet >/dev/null 2>&1; then
	DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 dotnet publish \
	    examples/aspnetapp -c Release -f net10.0 --nologo \
	    --artifacts-path "${BUILD:-build}/dotnet-artifacts" -o "$out/app"
fi
