#!/usr/bin/env bash
# The test command (npm test): build, type-check, every unit and integration test, then the
# process, reaping and reparenting tests again with every native call forced through koffi
# (the path musl/Alpine takes), so that backend is exercised on every run.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build --silent >/dev/null
npm run typecheck --silent
# The stress tests (orphan storms, floods, 200 programs) run on their own, one file at a
# time, so the load they make does not distort the timing of the others on a 2-core machine.
mapfile -t tests < <(find test/unit test/integration test/ptrace -name "*.test.ts" ! -name "hardening-*" | sort)
mapfile -t stress < <(find test/integration -name "hardening-*.test.ts" | sort)
node --import tsx --test --test-concurrency=2 "${tests[@]}"
echo "# stress tests, one file at a time"
node --import tsx --test --test-concurrency=1 "${stress[@]}"
echo "# second pass: DINIT_SYS_BACKEND=koffi"
DINIT_SYS_BACKEND=koffi node --import tsx --test --test-concurrency=2 \
  test/integration/lifecycle.test.ts test/integration/reaping.test.ts test/integration/sys-backend.test.ts \
  test/integration/adopt-output.test.ts

# --- container suite: a real Docker, see docs/docker.md ----------------------------------
# Needs root (apt-get, dockerd); DINIT_SKIP_DOCKER=1 skips it on a machine that cannot.
if [[ ${DINIT_SKIP_DOCKER:-} == 1 ]]; then
  echo "# container suite skipped (DINIT_SKIP_DOCKER=1)"
else
  echo "# container suite"
  bash scripts/docker-test.sh
fi
# --- end of container suite ----------------------------------------------------------------
