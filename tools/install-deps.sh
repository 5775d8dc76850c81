#!/usr/bin/env bash
# install-deps.sh - installs the Debian 12 packages secscore needs to build, test and fuzz.
# Skips apt entirely when everything is already installed, so re-runs are instant.
set -euo pipefail

packages=(
	build-essential cmake pkg-config git
	clang clang-format libclang-rt-14-dev
	libjansson-dev libsqlite3-dev libssl-dev libcmocka-dev libyaml-dev
	libzstd-dev zlib1g-dev libpcre2-dev libcurl4-openssl-dev libmicrohttpd-dev libmaxminddb-dev
	python3 sqlite3 jq
)

missing=()
for p in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$status" = installed ] || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: all ${#packages[@]} packages present"
	exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || { echo "install-deps: run as root or install sudo" >&2; exit 1; }
	sudo=(sudo)
fi
echo "install-deps: installing ${missing[*]}"
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
