#!/usr/bin/env bash
# The arm64 smoke subset as `npm test` runs it (docs/platforms.md): the takeover, the restart
# tests and the adopt policy on a double-forked orphan, in the emulated arm64 VM
# (scripts/arm64-vm.sh), within what is left of the run's time budget.
#
#   DINIT_SKIP_ARM64=1    leave it out
#   DINIT_ARM64_BUILD=1   build the VM image when it is not cached (CI sets it; without it only a
#                         cached image is used: a plain `npm test` never spends minutes building)
#   DINIT_TEST_DEADLINE   the epoch second by which `npm test` must be done (CI sets it); unset,
#                         there is no limit
#
# Exit status: the tests' own. When it does not run (skipped, no image, or not enough time left,
# or an image that cannot be built on this machine) it says so in one line and exits 0: those
# are facts about the machine and the budget, not test results. A test that fails inside the
# VM, or a VM that ends without a result, fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."

files=(test/integration/sys/ptrace/take-over.test.ts test/integration/sys/ptrace/restart.test.ts
  test/integration/adopt-arm64.test.ts)
cache=${DINIT_ARM64_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dinit-arm64}
# What each part needs, with margin over what was measured on the 2-core machine
# (docs/platforms.md): the smoke subset, boot included, ~2-2.5 min; a cold image build
# ~4-5 min, plus a minute when apt-get must fetch the qemu packages.
run_need=240
build_need=360

left() {
  if [[ -n ${DINIT_TEST_DEADLINE:-} ]]; then echo $((DINIT_TEST_DEADLINE - $(date +%s))); else echo 86400; fi
}
not_run() {
  echo "# arm64 smoke subset not run: $*"
  exit 0
}

[[ ${DINIT_SKIP_ARM64:-} == 1 ]] && not_run "DINIT_SKIP_ARM64=1"
if [[ ! -f $cache/disk.ext4 ]]; then
  [[ ${DINIT_ARM64_BUILD:-} == 1 ]] ||
    not_run "no cached VM image in $cache (npm run test:arm64 builds it; DINIT_ARM64_BUILD=1 lets npm test build it)"
  (($(left) >= build_need + run_need)) ||
    not_run "building the VM image (~5 min) and running the subset (~2 min) do not fit the $(left) s left of the budget"
  echo "# arm64: building the VM image (cold: mmdebstrap under emulation)"
  built=0
  DINIT_ARM64_BUILD_ONLY=1 timeout --kill-after=30 $(($(left) - run_need)) bash scripts/arm64-vm.sh || built=$?
  ((built == 0)) || not_run "the VM image could not be built here within the budget (arm64-vm.sh exit $built, above)"
fi
(($(left) >= run_need)) || not_run "the subset (~2 min) does not fit the $(left) s left of the budget"
echo "# arm64 smoke subset (emulated VM)"
# The VM's own deadline: what is left, less a margin for printing its log and powering off.
DINIT_ARM64_TIMEOUT=$(($(left) - 30)) exec bash scripts/arm64-vm.sh "${files[@]}"
