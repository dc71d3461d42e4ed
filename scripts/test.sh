#!/usr/bin/env bash
# The test command (npm test): build, type-check, every unit and integration test, then the
# process, reaping and reparenting tests again with every native call forced through koffi
# (the path musl/Alpine takes), so that backend is exercised on every run.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build --silent >/dev/null
npm run typecheck --silent
# The layout: no import cycle anywhere in src/ (fails the run); files over ~300 lines are listed.
node --import tsx scripts/layout.ts --cycles-only
# The stress tests (orphan storms, floods, 200 programs) run on their own, one file at a
# time, so the load they make does not distort the timing of the others on a 2-core machine.
# Every test gets a deadline, so a hang fails with a name instead of stalling CI until its own
# limit. Node 20 and 22 apply --test-timeout to a whole test *file* (Node 24: to each test), so
# it must fit the slowest file (hardening-processes: a few minutes under load), with margin.
# Tests also bound themselves (runDinit timeoutMs, node:test { timeout }).
limit=(--test-timeout=600000)
mapfile -t tests < <(find test/unit test/integration -name "*.test.ts" ! -name "hardening-*" | sort)
mapfile -t stress < <(find test/integration -name "hardening-*.test.ts" | sort)
node --import tsx --test "${limit[@]}" --test-concurrency=2 "${tests[@]}"
echo "# stress tests, one file at a time"
node --import tsx --test "${limit[@]}" --test-concurrency=1 "${stress[@]}"
echo "# second pass: DINIT_SYS_BACKEND=koffi"
DINIT_SYS_BACKEND=koffi node --import tsx --test "${limit[@]}" --test-concurrency=2 \
  test/integration/lifecycle.test.ts test/integration/reaping.test.ts test/integration/sys-backend.test.ts \
  test/integration/adopt-output.test.ts

# --- Node versions -----------------------------------------------------------------------------
# The unit, integration and ptrace suites again under each Node line users run (22 and 24 LTS; the
# passes above use the `node` on PATH). The node:test runner started with a given binary makes
# that binary process.execPath, so the CLI under test runs on it too. The official binaries come
# from the npm registry (scripts/node-versions.sh, cached outside the repo). The ptrace suite is
# here because it takes over a multi-threaded node process. The stress files and the koffi pass
# run once, above: they test the kernel and the machine, not the Node version.
# DINIT_TEST_NODES=skip leaves this block out (offline, or a quick local run).
if [ "${DINIT_TEST_NODES:-}" != "skip" ]; then
  # An assignment, not `< <(…)`: a failed fetch must fail the run, not skip the versions silently.
  node_paths=$(bash scripts/node-versions.sh)
  mapfile -t nodes <<<"$node_paths"
  mapfile -t suites < <(find test/unit test/integration -name "*.test.ts" ! -name "hardening-*" | sort)
  for node in "${nodes[@]}"; do
    echo "# unit, integration and ptrace suites under Node $("$node" --version)"
    "$node" --import tsx --test --test-concurrency=2 "${limit[@]}" "${suites[@]}"
  done
fi

# --- container suite: a real Docker, see docs/docker.md ----------------------------------
# Needs root (apt-get, dockerd); DINIT_SKIP_DOCKER=1 skips it on a machine that cannot.
if [[ ${DINIT_SKIP_DOCKER:-} == 1 ]]; then
  echo "# container suite skipped (DINIT_SKIP_DOCKER=1)"
else
  echo "# container suite"
  bash scripts/docker-test.sh
fi
# --- end of container suite ----------------------------------------------------------------

# --- arm64 smoke subset, in the emulated VM (docs/platforms.md) ---------------------------------
# Last, with what is left of DINIT_TEST_DEADLINE (CI sets it): scripts/arm64-smoke.sh runs it when
# the image is cached, or builds it first under DINIT_ARM64_BUILD=1 when the budget allows, and
# says so when it does not run. `npm run test:arm64` runs the full arm64 subset (and builds).
bash scripts/arm64-smoke.sh
