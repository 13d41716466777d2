#!/usr/bin/env bash
# Builds and runs every test: installs the Debian packages (deploy/install-deps.sh), builds
# build/ and runs ctest, then builds the libFuzzer targets in build-fuzz/ (clang) and runs
# each for FUZZ_SECONDS over a copy of tests/fuzz/corpus/<target>/. Exits non-zero on any
# failure, crash, leak or sanitizer report; the last line is "run.sh: N passed, M failed".
#
#   tests/run.sh [--no-fuzz | --fuzz-only] [--only REGEX]
#     --no-fuzz     skip the fuzz targets
#     --fuzz-only   skip build/ and ctest; only build and run the fuzz targets
#     --only REGEX  run only the ctest tests matching REGEX (ctest -R)
#   env: FUZZ_SECONDS (default 60 per target), FUZZ_MAX_LEN (default 16384 bytes),
#        FUZZ_SEED (default 1: the same inputs on every run, so a CI failure reproduces;
#        FUZZ_SEED=0 lets libFuzzer pick one, for longer exploratory runs),
#        JOBS (default: nproc)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD="$ROOT/build"
BUILD_FUZZ="$ROOT/build-fuzz"
JOBS=${JOBS:-$(nproc)}
# ccache: paths relative to the checkout, so a fresh clone elsewhere reuses the cache.
export CCACHE_BASEDIR="$ROOT" CCACHE_NOHASHDIR=true
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_SEED=${FUZZ_SEED:-1}
FUZZ_MAX_LEN=${FUZZ_MAX_LEN:-16384}  # well above the seeds (< 4 KB); small inputs mutate faster
FUZZ_RSS_MB=2048                     # a fuzz input that needs more is a bug (bounded memory)

fuzz=1
main=1
only=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --no-fuzz) fuzz=0 ;;
    --fuzz-only) main=0 ;;
    --only) only=${2:?--only needs a REGEX}; shift ;;
    --only=*) only=${1#--only=} ;;
    -h|--help) sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done

start_all=$SECONDS
stage_start=$SECONDS
stage() { echo; echo "==> $*"; stage_start=$SECONDS; }
stage_done() { echo "<== $1 took $((SECONDS - stage_start)) s"; }

stage "dependencies"
"$ROOT/deploy/install-deps.sh"
stage_done "dependencies"

tests_total=0
tests_failed=0
tests_skipped=0
ctest_rc=0
if [[ $main -eq 1 ]]; then
  stage "configure and build $BUILD (-j$JOBS)"
  cmake -S "$ROOT" -B "$BUILD" -G "Unix Makefiles" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null
  cmake --build "$BUILD" -j"$JOBS" || { echo "run.sh: build of $BUILD failed"; exit 1; }
  stage_done "build"

  stage "ctest${only:+ -R $only}"
  ctest_log="$BUILD/ctest.log"
  ctest_args=(--test-dir "$BUILD" --output-on-failure --no-tests=error --timeout 600)  # a hang fails, not stalls
  [[ -n "$only" ]] && ctest_args+=(-R "$only")
  ctest "${ctest_args[@]}" 2>&1 | tee "$ctest_log" || ctest_rc=$?
  # "100% tests passed, 0 tests failed out of 57"
  read -r tests_failed tests_total < <(sed -nE \
    's/.*tests passed, ([0-9]+) tests? failed out of ([0-9]+).*/\1 \2/p' "$ctest_log" | tail -1) ||
    true
  tests_total=${tests_total:-0}
  tests_failed=${tests_failed:-0}
  # ctest counts a skipped test (SKIP_RETURN_CODE: a missing tool) among the passed ones:
  # "The following tests did not run:" lists it as "<n> - <name> (Skipped)"; not a pass here.
  tests_skipped=$(grep -cE '^[[:space:]]+[0-9]+ - .* \(Skipped\)$' "$ctest_log" || true)
  [[ $ctest_rc -ne 0 && $tests_failed -eq 0 ]] && tests_failed=1  # ctest failed without a count
  stage_done "ctest"
fi

fuzz_passed=0
fuzz_failed=0
if [[ $fuzz -eq 1 ]]; then
  stage "fuzz targets: build $BUILD_FUZZ (clang-14) and run each for $FUZZ_SECONDS s"
  cmake -S "$ROOT" -B "$BUILD_FUZZ" -G "Unix Makefiles" -DPASSERELLE_FUZZ=ON \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 \
    -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null
  # Every corpus directory names a target; each must build.
  targets=()
  for dir in "$ROOT"/tests/fuzz/corpus/*/; do targets+=("$(basename "$dir")"); done
  cmake --build "$BUILD_FUZZ" -j"$JOBS" --target "${targets[@]}" ||
    { echo "run.sh: build of the fuzz targets failed"; exit 1; }

  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  artifacts="$BUILD_FUZZ/artifacts"
  rm -rf "$artifacts"  # reproducers of earlier runs would be reported again
  mkdir -p "$artifacts"
  # Stacks for UB reports too; leaks are checked (ASan's default) and count as failures.
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  run_target() {  # runs one target over a copy of its corpus; writes $work/<t>.rc and .log
    local t=$1 bin="$BUILD_FUZZ/tests/fuzz/$1" dict=()
    cp -r "$ROOT/tests/fuzz/corpus/$t" "$work/$t.corpus"
    [[ -f "$ROOT/tests/fuzz/$t.dict" ]] && dict=(-dict="$ROOT/tests/fuzz/$t.dict")
    local rc=0
    "$bin" "${dict[@]}" -seed="$FUZZ_SEED" -max_total_time="$FUZZ_SECONDS" -max_len="$FUZZ_MAX_LEN" \
      -rss_limit_mb="$FUZZ_RSS_MB" -timeout=10 -print_final_stats=1 \
      -artifact_prefix="$artifacts/$t-" "$work/$t.corpus" >"$work/$t.log" 2>&1 </dev/null ||
      rc=$?
    echo "$rc" >"$work/$t.rc"
  }
  # One target per core: on 2 cores, 3 targets take about 2 x FUZZ_SECONDS.
  running=0
  for t in "${targets[@]}"; do
    if [[ $running -ge $JOBS ]]; then wait -n || true; running=$((running - 1)); fi
    run_target "$t" &
    running=$((running + 1))
  done
  wait || true

  sanitizer_report='ERROR: (AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer)|runtime error:|SUMMARY: libFuzzer|FUZZ_CHECK failed'
  for t in "${targets[@]}"; do
    rc=$(cat "$work/$t.rc" 2>/dev/null || echo 99)
    runs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$work/$t.log" | tail -1)
    rate=$(sed -nE 's/^stat::average_exec_per_sec: *([0-9]+).*/\1/p' "$work/$t.log" | tail -1)
    secs=$(sed -nE 's/^Done [0-9]+ runs in ([0-9]+) second.*/\1/p' "$work/$t.log" | tail -1)
    if [[ $rc -eq 0 ]] && ! grep -qE "$sanitizer_report" "$work/$t.log"; then
      echo "fuzz: $t ok: ${runs:-0} runs in ${secs:-?} s (${rate:-0}/s), no crash, leak or sanitizer report"
      fuzz_passed=$((fuzz_passed + 1))
    else
      echo "fuzz: $t FAILED (exit $rc); last lines of its log:"
      tail -n 60 "$work/$t.log" | sed 's/^/    /'
      cp "$work/$t.log" "$artifacts/$t.log"
      echo "fuzz: $t: full log $artifacts/$t.log; reproducer(s):"
      ls -1 "$artifacts"/"$t"-* 2>/dev/null | sed 's/^/    /' || true
      echo "fuzz: rerun one with: $BUILD_FUZZ/tests/fuzz/$t <reproducer>"
      fuzz_failed=$((fuzz_failed + 1))
    fi
  done
  stage_done "fuzz"
fi

echo
passed=$((tests_total - tests_failed - tests_skipped + fuzz_passed))
failed=$((tests_failed + fuzz_failed))
echo "tests: $((tests_total - tests_failed - tests_skipped))/$tests_total ctest tests passed" \
  "($tests_skipped skipped);" \
  "fuzz: $fuzz_passed clean, $fuzz_failed failed$([[ $fuzz -eq 0 ]] && echo ' (skipped)');" \
  "total $((SECONDS - start_all)) s"
echo "run.sh: $passed passed, $failed failed"
[[ $failed -eq 0 && $ctest_rc -eq 0 ]]
