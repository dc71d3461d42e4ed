#!/usr/bin/env bash
# The test command (npm test): build, type-check, every unit and integration test, then the
# process, reaping and reparenting tests again with every native call forced through koffi
# (the path musl/Alpine takes), so that backend is exercised on every run.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build --silent >/dev/null
npm run typecheck --silent
mapfile -t tests < <(find test/unit test/integration test/ptrace -name "*.test.ts" | sort)
node --import tsx --test --test-concurrency=2 "${tests[@]}"
echo "# second pass: DINIT_SYS_BACKEND=koffi"
DINIT_SYS_BACKEND=koffi node --import tsx --test --test-concurrency=2 \
  test/integration/lifecycle.test.ts test/integration/reaping.test.ts test/integration/sys-backend.test.ts \
  test/integration/adopt-output.test.ts
