#!/usr/bin/env bash
# The container runtime the Docker suite (test/container/) needs, made on this machine alone:
#   scripts/docker-env.sh up     install docker.io/mmdebstrap when missing, start a dockerd when
#                                none answers, make the base images node:<major>-slim when missing
#   scripts/docker-env.sh down   stop the dockerd that `up` started (never one it found running)
# No image registry is reachable, so the base images are a minimal Debian (mmdebstrap, from the
# same Debian packages apt uses) plus the official Node binary and npm from the npm registry,
# imported and tagged like the official images, so the project's Dockerfiles build unchanged.
#
# Environment: DINIT_NODE_MAJORS (default "20 22 24"), DINIT_IMAGE_CACHE (downloads and the
# Debian root filesystem; default /var/cache/dinit-test-images), DOCKER (the client; default
# /usr/bin/docker when present: Debian's client matches its dockerd 20.10).
set -euo pipefail

majors=${DINIT_NODE_MAJORS:-20 22 24}
cache=${DINIT_IMAGE_CACHE:-/var/cache/dinit-test-images}
state=/run/dinit-test-dockerd
if [[ -z ${DOCKER:-} ]]; then
  if [[ -x /usr/bin/docker ]]; then DOCKER=/usr/bin/docker; else DOCKER=docker; fi
fi
# npm that goes with each Node line, as in the official images (npm 11 needs Node >= 20.17).
declare -A npm_of=([20]=10 [22]=10 [24]=11)

say() { echo "docker-env: $*" >&2; }

install_missing() {
  local missing=()
  command -v dockerd >/dev/null || missing+=(docker.io)
  command -v mmdebstrap >/dev/null || missing+=(mmdebstrap)
  command -v script >/dev/null || missing+=(bsdutils)
  command -v unshare >/dev/null || missing+=(util-linux)
  ((${#missing[@]} == 0)) && return
  say "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian's client goes to /usr/bin; another docker earlier in PATH is left alone (we use ours).
  [[ -x /usr/bin/docker ]] && DOCKER=/usr/bin/docker
}

answers() { timeout 10 "$DOCKER" version >/dev/null 2>&1; }

start_dockerd() {
  if answers; then
    say "using the dockerd that already runs"
    return
  fi
  mkdir -p "$state"
  say "starting dockerd (no bridge, no iptables: the host's network is left alone; log: $state/dockerd.log)"
  # setsid: its own session, so the terminal or test runner that started us cannot signal it.
  setsid dockerd --bridge=none --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false \
    --pidfile "$state/dockerd.pid" >"$state/dockerd.log" 2>&1 </dev/null &
  echo $! >"$state/started"
  for _ in $(seq 1 120); do
    answers && return
    kill -0 "$(cat "$state/started")" 2>/dev/null || break
    sleep 0.5
  done
  say "dockerd did not answer within 60 s; its log:"
  tail -20 "$state/dockerd.log" >&2
  exit 1
}

stop_dockerd() {
  [[ -f $state/started ]] || { say "no dockerd of ours to stop"; return 0; }
  local pid
  pid=$(cat "$state/started")
  rm -f "$state/started"
  # Only that dockerd: a pid left from an earlier boot or session may belong to anything now.
  [[ $(cat "/proc/$pid/comm" 2>/dev/null) == dockerd ]] || return 0
  say "stopping the dockerd we started (PID $pid)"
  kill -TERM "$pid"
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.5
  done
  say "dockerd (PID $pid) still runs after 30 s; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
}

# A minimal Debian bookworm root filesystem with the `node` user (uid/gid 1000) of the official images.
debian_rootfs() {
  local tar=$cache/bookworm-minbase.tar
  [[ -s $tar ]] && return
  say "making a Debian bookworm root filesystem (mmdebstrap --variant=minbase)"
  mmdebstrap --quiet --variant=minbase --format=tar \
    --customize-hook='echo "node:x:1000:1000::/home/node:/bin/sh" >>"$1/etc/passwd"' \
    --customize-hook='echo "node:x:1000:" >>"$1/etc/group"' \
    --customize-hook='mkdir -p "$1/home/node" && chown 1000:1000 "$1/home/node"' \
    --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin' \
    bookworm "$tar.part"
  mv "$tar.part" "$tar"
}

# node:<major>-slim: the Debian base + bin/node from node-linux-<arch>@<major>.x + npm.
node_image() {
  local major=$1 tag=node:$1-slim arch
  if "$DOCKER" image inspect "$tag" >/dev/null 2>&1; then
    say "$tag exists"
    return
  fi
  case $(uname -m) in x86_64) arch=x64 ;; aarch64) arch=arm64 ;; *) say "no Node package for $(uname -m)"; exit 1 ;; esac
  debian_rootfs
  if ! "$DOCKER" image inspect dinit-test/bookworm-minbase >/dev/null 2>&1; then
    "$DOCKER" import --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      "$cache/bookworm-minbase.tar" dinit-test/bookworm-minbase >/dev/null
  fi
  local node_tgz npm_tgz version ctx
  node_tgz=$(fetch "node-linux-$arch" "$major")
  npm_tgz=$(fetch npm "${npm_of[$major]}")
  version=${node_tgz#node-linux-$arch-}
  version=${version%.tgz}
  say "making $tag (Node $version, ${npm_tgz%.tgz})"
  ctx=$(mktemp -d)
  cp "$cache/dl/$node_tgz" "$cache/dl/$npm_tgz" "$ctx/"
  # Two stages: the image gets one layer with node and npm, not the unpacked tarballs as well.
  cat >"$ctx/Dockerfile" <<EOF
FROM dinit-test/bookworm-minbase AS unpack
ADD $node_tgz /tmp/node/
ADD $npm_tgz /tmp/npm/
RUN mkdir -p /out/bin /out/lib/node_modules \\
 && mv /tmp/node/package/bin/node /out/bin/node \\
 && mv /tmp/npm/package /out/lib/node_modules/npm \\
 && ln -s ../lib/node_modules/npm/bin/npm-cli.js /out/bin/npm \\
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /out/bin/npx

FROM dinit-test/bookworm-minbase
COPY --from=unpack /out/ /usr/local/
RUN node --version && npm --version
ENV NODE_VERSION=$version
CMD ["node"]
EOF
  "$DOCKER" build --quiet --network none -t "$tag" "$ctx" >/dev/null
  # The unpack stage is left untagged: drop it (only dangling images go).
  "$DOCKER" image prune --force >/dev/null
  rm -rf "$ctx"
}

# The newest cached tarball of <package>@<major>.x; downloaded (npm pack) when none is cached.
fetch() {
  local name=$1 major=$2 file
  mkdir -p "$cache/dl"
  file=$(cd "$cache/dl" && ls "$name-$major".*.tgz 2>/dev/null | sort -V | tail -1)
  if [[ -z $file ]]; then
    say "downloading $name@$major.x from the npm registry"
    file=$(cd "$cache/dl" && npm pack --silent --cache "$cache/npm" "$name@$major.x" | tail -1)
  fi
  echo "$file"
}

case ${1:-} in
  up)
    install_missing
    start_dockerd
    mkdir -p "$cache"
    for major in $majors; do node_image "$major"; done
    ;;
  down) stop_dockerd ;;
  *)
    echo "usage: $0 up|down" >&2
    exit 2
    ;;
esac
