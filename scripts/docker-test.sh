#!/usr/bin/env bash
# The container suite (test/container/): a real dockerd, the base images node:<major>-slim
# made locally (scripts/docker-env.sh), dinit packed once, every test file one at a time.
# The dockerd is stopped at the end only if this run started it.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
tgz=$(mktemp -d)
trap 'rm -rf "$tgz"; bash scripts/docker-env.sh down' EXIT
bash scripts/docker-env.sh up
# The build log (prepack writes it to stderr) only when packing fails.
npm pack --silent --pack-destination "$tgz" >/dev/null 2>"$tgz/pack.log" || { cat "$tgz/pack.log" >&2; exit 1; }
DINIT_TEST_TARBALL=$(ls "$tgz"/dinit-*.tgz)
export DINIT_TEST_TARBALL
echo "# container environment ready in $(($(date +%s) - started)) s"
# DINIT_CONTAINER_TESTS: only these files (a quick run by hand); default every one.
if [[ -n ${DINIT_CONTAINER_TESTS:-} ]]; then read -ra files <<<"$DINIT_CONTAINER_TESTS"; else mapfile -t files < <(find test/container -name "*.test.ts" | sort); fi
node --import tsx --test --test-concurrency=1 --test-timeout=600000 "${files[@]}"
echo "# container suite done in $(($(date +%s) - started)) s"
