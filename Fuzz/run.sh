#!/usr/bin/env bash
# Builds the libFuzzer target FuzzCore (Fuzz/FuzzCore) with AddressSanitizer and fuzzes
# InboxCore's decode → normalize → parse → hash for SECONDS (default 600). See docs/reliability.md.
#
#   Fuzz/run.sh [SECONDS] [extra libFuzzer flags...]      (make fuzz, make fuzz-smoke)
#
# Corpus: out/fuzz/corpus (kept between runs; new inputs go there), read together with seeds/ and
# a generated corpus (make_corpus.py, 300 articles + 10 bad inputs, made once in out/fuzz/generated).
# Findings (crash-*, timeout-*, oom-*, leak-*) go to out/fuzz/artifacts/; the log to out/fuzz/.
# Exits non-zero on any crash, timeout (-timeout=10 s per input) or out-of-memory (2 GiB).
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_TO_RUN=${1:-600}
shift || true
SWIFT=${SWIFT:-swift}
OUT=${FUZZ_OUT:-out/fuzz}
BUILD=(--scratch-path .build-fuzz -c debug -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING)

# (ld.gold warns about every ASan-local symbol; those lines are dropped.)
"$SWIFT" build "${BUILD[@]}" --product FuzzCore 2>&1 | { grep -v "Cannot export local symbol" || true; }
[ "${PIPESTATUS[0]}" -eq 0 ] || { echo "Fuzz/run.sh: build failed" >&2; exit 1; }
BIN="$("$SWIFT" build "${BUILD[@]}" --show-bin-path)/FuzzCore"

mkdir -p "$OUT/corpus" "$OUT/artifacts"
if [ ! -f "$OUT/generated/manifest.json" ]; then
  rm -rf "$OUT/generated"
  python3 Tests/InboxCoreTests/Fixtures/corpus/make_corpus.py "$OUT/generated" --articles 300 --bad 10 --seeds-dir seeds >/dev/null
fi

LOG="$OUT/fuzz-$(date +%Y%m%d-%H%M%S)-${SECONDS_TO_RUN}s.log"
before=$(find "$OUT/artifacts" -type f | wc -l)
echo "fuzzing $BIN for ${SECONDS_TO_RUN}s; log: $LOG"
set +e
# The Swift runtime's own backtracer would race libFuzzer's crash handler (and can hang under
# ASan); libFuzzer and ASan print the stack instead.
SWIFT_BACKTRACE=enable=no ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=0:symbolize=1}" \
  "$BIN" -max_total_time="$SECONDS_TO_RUN" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
  -artifact_prefix="$OUT/artifacts/" -print_final_stats=1 "$@" \
  "$OUT/corpus" seeds "$OUT/generated/files" "$OUT/generated/bad" >"$LOG" 2>&1
rc=$?
set -e
after=$(find "$OUT/artifacts" -type f | wc -l)

# Summary: the last status line (executions, cov, ft, corpus, exec/s) and the final stats.
grep -E '^#[0-9]+' "$LOG" | tail -n 1 || true
grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' "$LOG" || true
if [ "$rc" -ne 0 ] || [ "$after" -ne "$before" ]; then
  echo "FUZZ FAILURE (exit $rc); findings in $OUT/artifacts/:" >&2
  grep -E 'ERROR: (libFuzzer|AddressSanitizer)|Fatal error|SUMMARY|Test unit written' "$LOG" >&2 || tail -n 40 "$LOG" >&2
  echo "reproduce: \"$BIN\" $OUT/artifacts/<file>   (or: swift run FuzzCore <file>)" >&2
  exit 1
fi
echo "fuzz: no crash, timeout or OOM in ${SECONDS_TO_RUN}s"
