#!/usr/bin/env bash
# install-deps.sh - installs the Debian 12 packages secscore needs to build, test and fuzz.
#
# Needs root or sudo when something is missing. Skips apt entirely when every package is already
# installed (checked with dpkg-query), so re-runs take well under a second.
#   clang, libclang-rt-14-dev   the sanitizer and libFuzzer runtimes used by .ci/run
#   clang-format                the formatter tools/check-format.sh expects (version 14)
set -euo pipefail

packages=(
	build-essential cmake pkg-config git
	clang clang-format libclang-rt-14-dev
	libjansson-dev libsqlite3-dev libssl-dev libcmocka-dev libyaml-dev
	libzstd-dev zlib1g-dev libpcre2-dev libcurl4-openssl-dev libmicrohttpd-dev libmaxminddb-dev
	python3 sqlite3 jq zstd gzip curl openssl
)

# A package counts as present when dpkg reports it fully installed (for any architecture);
# half-installed, config-files-only or unknown packages count as missing.
installed() {
	command -v dpkg-query >/dev/null || return 1
	dpkg-query -W -f='${db:Status-Status}\n' "$1" 2>/dev/null | grep -qx installed
}

missing=()
for p in "${packages[@]}"; do
	installed "$p" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: all ${#packages[@]} packages present"
	exit 0
fi

command -v apt-get >/dev/null || {
	echo "install-deps: apt-get not found; install by hand: ${missing[*]}" >&2
	exit 1
}
sudo=()
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || { echo "install-deps: run as root or install sudo" >&2; exit 1; }
	sudo=(sudo)
fi
echo "install-deps: installing ${missing[*]}"
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"

still=()
for p in "${missing[@]}"; do
	installed "$p" || still+=("$p")
done
if [ ${#still[@]} -gt 0 ]; then
	echo "install-deps: still missing after apt-get: ${still[*]}" >&2
	exit 1
fi
echo "install-deps: done"
