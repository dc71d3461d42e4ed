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
npm pack --silent --pack-destination "$tgz" >/dev/null
DINIT_TEST_TARBALL=$(ls "$tgz"/dinit-*.tgz)
export DINIT_TEST_TARBALL
echo "# container environment ready in $(($(date +%s) - started)) s"
mapfile -t files < <(find test/container -name "*.test.ts" | sort)
node --import tsx --test --test-concurrency=1 --test-timeout=600000 "${files[@]}"
echo "# container suite done in $(($(date +%s) - started)) s"
