#!/usr/bin/env bash
# tools/shard-run (issue #12), for each program given (build/host/nope, build/host/nope-fixed):
# 1, 2, 3 and 7 shards run by GNU parallel and merged are the very bytes of one run; a deleted part
# is made again by a rerun, and only that shard runs; a directory of another run is refused; a
# shard killed half way is named, leaves no part behind, and the rerun of that shard alone
# completes the same report.
# Usage: tests/scripts/shard_parallel.sh BIN...
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 BIN..." >&2; exit 2; }
out=build/test/shard-parallel
rm -rf "$out"; mkdir -p "$out"
flags=(--trials 40 --seed 3)
fails=0 n=0
ok() { echo "ok   $*"; n=$((n + 1)); }
bad() { echo "FAIL: $*"; n=$((n + 1)); fails=$((fails + 1)); }
shard_run() { tools/shard-run --jobs 2 "$@"; }
# inode and modification time of each part but one: a part written again gets a new inode
# (temporary file, then rename) and a new time
parts_but() { # dir shard
  local p
  for p in "$1"/part-*.txt; do [ "$p" = "$1/part-$2.txt" ] || stat -c '%n %i %y' "$p"; done
}
descendants() { # pid: every process below it
  local c
  for c in $(ps -o pid= --ppid "$1"); do echo "$c"; descendants "$c"; done
}

for bin in "$@"; do
  name=$(basename "$bin")
  "$bin" "${flags[@]}" > "$out/$name-single.csv" 2>/dev/null
  for k in 1 2 3 7; do
    run=$out/$name-$k
    if ! shard_run --bin "$bin" --shards $k --outdir "$run.parts" -o "$run.csv" -- "${flags[@]}" 2> "$run.log"; then
      bad "$name, $k shards: shard-run failed: $(tail -n 1 "$run.log")"
    elif cmp -s "$run.csv" "$out/$name-single.csv"; then
      ok "$name, split in $k shards and merged: the same bytes as one run"
    else
      bad "$name, split in $k shards and merged: differs from one run ($(cmp "$run.csv" "$out/$name-single.csv" 2>&1 || true))"
    fi
  done

  # Delete one part of the 7: the rerun runs shard 4 alone and leaves the other parts untouched.
  run=$out/$name-7
  before=$(parts_but "$run.parts" 4)
  rm -f "$run.parts/part-4.txt" "$run.csv"
  shard_run --bin "$bin" --shards 7 --outdir "$run.parts" -o "$run.csv" -- "${flags[@]}" 2> "$run.rerun.log" || true
  ran=$(grep -o 'shard [0-9]*/7 done' "$run.rerun.log" | tr '\n' ' ' || true)
  if [ "$ran" = "shard 4/7 done " ] && grep -q '1 of 7 shards to run again (4)' "$run.rerun.log" &&
    [ "$(parts_but "$run.parts" 4)" = "$before" ] && cmp -s "$run.csv" "$out/$name-single.csv"; then
    ok "$name, part 4 of 7 deleted: the rerun ran shard 4 alone, other parts untouched, same bytes"
  else
    bad "$name, part 4 of 7 deleted: the rerun ran '$ran', other parts $([ "$(parts_but "$run.parts" 4)" = "$before" ] && echo untouched || echo REWRITTEN), report $(cmp -s "$run.csv" "$out/$name-single.csv" && echo same || echo DIFFERS)"
  fi

  # The same directory for other flags: refused, the parts kept.
  if shard_run --bin "$bin" --shards 7 --outdir "$run.parts" -o "$out/$name-other.csv" -- --trials 41 --seed 3 2> "$run.other.log"; then
    bad "$name: parts of --trials 40 reused for --trials 41"
  elif grep -q 'holds parts of another run' "$run.other.log" && [ ! -e "$out/$name-other.csv" ] &&
    [ "$(parts_but "$run.parts" 0)" != "" ]; then
    ok "$name: parts of another run refused: $(cat "$run.other.log")"
  else
    bad "$name: another run's directory: $(cat "$run.other.log")"
  fi
done

# Kill shard 2 of 2 half way (one job at a time, so shard 1 is done by then): named, exit 1, no
# part or temporary file left; the rerun runs shard 2 alone and the report is one run's.
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
# A shape big enough that a shard runs for most of a second on any machine: at the default shape a
# shard of 50 trials now ends in tens of milliseconds, before the loop below can see it running.
kill_flags=(--trials 100 --seed 5 --d 128 --heads 4 --ffn 512 --seq 256)
run=$out/kill
"$bin" "${kill_flags[@]}" > "$run-single.csv" 2>/dev/null
tools/shard-run --bin "$bin" --jobs 1 --shards 2 --outdir "$run.parts" -o "$run.csv" -- "${kill_flags[@]}" 2> "$run.log" &
runner=$!
victim=""
for _ in $(seq 600); do
  for p in $(descendants $runner); do
    args=$(ps -o args= -p "$p" || true)
    case $args in "$bin "*"--shard 2/2"*) victim=$p ;; esac
  done
  [ -z "$victim" ] || break
  sleep 0.02
done
[ -n "$victim" ] && kill -9 "$victim"
rc=0; wait $runner || rc=$?
if [ -z "$victim" ]; then
  bad "shard 2/2 never seen running, so not killed"
elif [ $rc -eq 1 ] && grep -q 'shard 2/2 failed (killed by signal 9)' "$run.log" &&
  grep -q '1 of 2 shards failed (2)' "$run.log" && [ -f "$run.parts/part-1.txt" ] &&
  [ "$(cd "$run.parts" && echo * .[!.]*)" = "part-1.txt run.txt .lock" ] && [ ! -e "$run.csv" ]; then
  ok "shard 2/2 killed: exit 1, named ($(grep 'failed' "$run.log" | head -n 1)), no half part left"
else
  bad "shard 2/2 killed: exit $rc, files: $(ls -A "$run.parts" | tr '\n' ' '), log: $(tr '\n' ' ' < "$run.log")"
fi
before=$(parts_but "$run.parts" 2)
if tools/shard-run --bin "$bin" --jobs 1 --shards 2 --outdir "$run.parts" -o "$run.csv" -- "${kill_flags[@]}" 2> "$run.rerun.log" &&
  [ "$(grep -o 'shard [0-9]*/2 done' "$run.rerun.log")" = "shard 2/2 done" ] &&
  [ "$(parts_but "$run.parts" 2)" = "$before" ] && cmp -s "$run.csv" "$run-single.csv"; then
  ok "after the kill, the rerun ran shard 2 alone: the same bytes as one run"
else
  bad "after the kill, the rerun: $(tr '\n' ' ' < "$run.rerun.log")"
fi

echo "shard-parallel: $((n - fails)) passed, $fails failed"
[ $fails -eq 0 ]
