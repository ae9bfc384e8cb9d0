#!/usr/bin/env bash
# run_fuzz.sh SECONDS HARNESS...: runs each libFuzzer harness for SECONDS (FUZZ_JOBS at a time)
# from its seed corpus (tests/fuzz/corpus/<name>/, copied so the seeds stay as committed), then
# prints one line per harness: executions, coverage (cov: edges, ft: features) and findings
# (crash-/leak-/timeout- files), and exits non-zero if any harness found anything.
set -u
seconds=$1; shift
out_root=${FUZZ_DIR:-build/fuzz}/runs
jobs=${FUZZ_JOBS:-2}
mkdir -p "$out_root"

run_one() {
  local bin=$1 name mode dir
  name=$(basename "$bin"); name=${name#fuzz_}
  mode=$(basename "$(dirname "$bin")")
  dir=$out_root/$mode-$name
  rm -rf "$dir"; mkdir -p "$dir/corpus" "$dir/artifacts"
  [ -d "tests/fuzz/corpus/$name" ] && cp tests/fuzz/corpus/"$name"/* "$dir/corpus/" 2>/dev/null
  # -rss_limit_mb: the largest harness allocates a few MB; -timeout: one input in 10 s at most
  local dict=()
  [ -f "tests/fuzz/$name.dict" ] && dict=(-dict="tests/fuzz/$name.dict")
  "$bin" "${dict[@]}" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$dir/artifacts/" "$dir/corpus" >"$dir/log" 2>&1
  echo $? >"$dir/rc"
}

names=()
for bin in "$@"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do sleep 0.2; done
  run_one "$bin" &
  names+=("$bin")
done
wait

fail=0
printf '%-22s %12s %8s %8s %9s  %s\n' harness executions cov ft findings note
for bin in "${names[@]}"; do
  name=$(basename "$bin"); name=${name#fuzz_}
  mode=$(basename "$(dirname "$bin")")
  dir=$out_root/$mode-$name
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$dir/log" | awk '{print $2}')
  # the last status line of the run carries cov: and ft:
  cov=$(grep -oE 'cov: [0-9]+' "$dir/log" | tail -1 | awk '{print $2}')
  ft=$(grep -oE 'ft: [0-9]+' "$dir/log" | tail -1 | awk '{print $2}')
  findings=$(find "$dir/artifacts" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
  note=""
  if [ "$findings" -gt 0 ] || [ "$(cat "$dir/rc")" -ne 0 ]; then
    fail=1
    note="$(grep -m1 -E 'FUZZ ORACLE FAILURE|ERROR: (Address|Undefined|libFuzzer)|runtime error' "$dir/log" | cut -c1-160) [$dir/log]"
  fi
  printf '%-22s %12s %8s %8s %9s  %s\n' "$mode/$name" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$findings" "$note"
done
exit $fail
