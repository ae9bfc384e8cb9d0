#!/usr/bin/env bash
# run_afl.sh SECONDS BINARY: runs one AFL++-built harness (libAFLDriver around the same
# LLVMFuzzerTestOneInput) under afl-fuzz for SECONDS from its seed corpus, then prints the
# campaign's statistics and its findings (crashes, hangs); non-zero exit if it found any.
set -u
seconds=$1 bin=$2
name=$(basename "$bin"); name=${name#fuzz_}
dir=${FUZZ_DIR:-build/fuzz}/afl-run-$name
rm -rf "$dir"; mkdir -p "$dir/in"
cp tests/fuzz/corpus/"$name"/* "$dir/in/"
dict=()
[ -f "tests/fuzz/$name.dict" ] && dict=(-x "tests/fuzz/$name.dict")
export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1
echo "afl-fuzz -V $seconds on $bin (log: $dir/afl.log)"
afl-fuzz -i "$dir/in" -o "$dir/out" -V "$seconds" "${dict[@]}" -- "$bin" >"$dir/afl.log" 2>&1
rc=$?
stats=$(ls "$dir"/out/*/fuzzer_stats 2>/dev/null | head -1)
if [ -z "$stats" ]; then
  echo "afl-fuzz did not start (exit $rc):"; tail -20 "$dir/afl.log"; exit 1
fi
grep -E '^(run_time|execs_done|execs_per_sec|corpus_count|edges_found|total_edges|bitmap_cvg|saved_crashes|saved_hangs|stability) ' "$stats"
crashes=$(find "$dir"/out/*/crashes -type f -name 'id:*' 2>/dev/null | wc -l)
hangs=$(find "$dir"/out/*/hangs -type f -name 'id:*' 2>/dev/null | wc -l)
echo "findings: $crashes crashes, $hangs hangs"
[ "$crashes" -eq 0 ] && [ "$hangs" -eq 0 ]
