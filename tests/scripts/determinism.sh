#!/usr/bin/env bash
# Same configuration + same seed = same bytes: run twice; another seed differs; 1, 2, 3 and 7
# threads and the default (every core) print the same bytes, in both modes, and so do shards; and
# builds at -O0 and -O2, with and without vectorised clones, by gcc and by clang, with one thread
# only, and with the memory schedules of small boards (blocks of positions, small weight buffers,
# keys and values made again per block of queries, in blocks, chunks and FFN row groups that
# divide the sequence or do not), all print the same bytes: float32 builds the same bytes as
# build/host/nope, fixed-point builds the same bytes as fixed-O2 (the host's capacities), itself
# checked against build/host/nope-fixed.
set -u
bin=$1; fixed=${2:-}; out=build/test/determinism; mkdir -p $out; fails=0; n=0
ok() { echo "ok   $*"; n=$((n + 1)); }
bad() { echo "FAIL: $*"; n=$((n + 1)); fails=$((fails + 1)); }
configs=(
  "--trials 30 --seed 7"
  "--d 48 --heads 3 --layers 3 --ffn 100 --seq 20 --act gelu --input tokens --vocab 17 --trials 12 --seed 99"
  "--d 32 --heads 4 --layers 2 --ffn 128 --seq 32 --sigma 0.3 --sigma-in 1.5 --eps 0.001 --trials 10 --seed 18446744073709551615"
)
for k in "${!configs[@]}"; do
  $bin ${configs[$k]} > $out/a$k 2>/dev/null; $bin ${configs[$k]} > $out/b$k 2>/dev/null
  cmp -s $out/a$k $out/b$k && ok "same seed, same bytes: ${configs[$k]}" || bad "two runs differ: ${configs[$k]}"
done
$bin --trials 30 --seed 8 > $out/other 2>/dev/null
cmp -s $out/a0 $out/other && bad "seed 7 and seed 8 gave the same report" || ok "another seed, other bytes"

# Threads split outputs among workers, never a sum: any count, the same bytes as the default.
# 3 and 7 do not divide the widths evenly; 7 is more threads than this machine may have cores.
for b in $bin $fixed; do
  for k in "${!configs[@]}"; do
    [ $b = $bin ] || $b ${configs[$k]} > $out/fixed-a$k 2>/dev/null
    ref=$out/a$k; [ $b = $bin ] || ref=$out/fixed-a$k
    same=1
    for t in 1 2 3 7; do
      $b ${configs[$k]} --threads $t > $out/t$t 2>/dev/null
      cmp -s $ref $out/t$t || { same=0; bad "$(basename $b) --threads $t differs from the default: ${configs[$k]}"; }
    done
    [ $same = 1 ] && ok "$(basename $b) at 1, 2, 3, 7 threads and the default: same bytes: ${configs[$k]}"
  done
done
# A shard's partial does not depend on its threads either (tools/shard-run runs shards with few).
$bin ${configs[1]} --shard 2/3 --threads 1 > $out/shard-t1 2>/dev/null
$bin ${configs[1]} --shard 2/3 --threads 3 > $out/shard-t3 2>/dev/null
cmp -s $out/shard-t1 $out/shard-t3 && [ -s $out/shard-t1 ] && ok "shard 2/3 at 1 and 3 threads: same partial" ||
  bad "shard 2/3 at 1 and 3 threads: partials differ (or are empty)"

# Rebuild the program other ways; every build must print the same bytes for every config.
build_variant() { # name cc num flags...
  local name=$1 cc=$2 num=$3; shift 3
  local dir=$out/$name objs=() gcc_only=() num_def=NOPE_NUM_F32
  [ $num = fixed ] && num_def=NOPE_NUM_FIXED
  mkdir -p $dir
  [ $cc = gcc ] && gcc_only=(-fno-tree-loop-distribute-patterns)
  for s in core/src/*.c ports/app.c; do
    local o=$dir/$(basename "${s%.c}").o
    $cc -std=c11 -ffreestanding -fno-builtin -ffp-contract=off "${gcc_only[@]}" -Wall -Werror \
        -D NOPE_NUM=$num_def -Icore/include -Iports "$@" -c "$s" -o "$o" 2>$dir/log || return 1
    objs+=("$o")
  done
  for s in ports/host/port_host.c ports/host/merge_host.c ports/host/threads_host.c; do
    $cc -std=c11 -O2 -pthread -D NOPE_NUM=$num_def -Icore/include "$@" -c $s -o $dir/$(basename "${s%.c}").o \
        2>>$dir/log || return 1
  done
  $cc "$@" "${objs[@]}" $dir/port_host.o $dir/merge_host.o $dir/threads_host.o -pthread -o $dir/nope 2>>$dir/log
}
# The small boards' schedule (NOPE_KV_RECOMPUTE): the micro:bit's own capacities per mode
# (boards/microbit-caps.mk), blocks (B), key-value chunks (C) and FFN row groups (F) of sizes
# that divide none of seq 64, 20 and 32, C above B, and the whole sequence. (One position per
# block, the old micro:bit schedule, takes minutes on the first configuration.)
small="-DNOPE_WEIGHT_BUF=16 -DNOPE_KV_RECOMPUTE=1 -DNOPE_MAX_HEAD_DIM=16"
recompute() { echo "$small -DNOPE_BLOCK_POS=$1 -DNOPE_KV_ROWS=$2 -DNOPE_FFN_ROWS=$3"; }
# name:cc:num:flags; a fixed-point variant is compared with fixed-O2, which comes first.
variants=("gcc-O0:gcc:f32:-O0" "gcc-O2:gcc:f32:-O2" "gcc-O3-clones:gcc:f32:-O3 -DNOPE_HOST_CLONES"
          "gcc-O2-x86-64-v3:gcc:f32:-O2 -march=x86-64-v3" "clang-O0:clang:f32:-O0" "clang-O2:clang:f32:-O2"
          "one-thread-build:gcc:f32:-O2 -DNOPE_MAX_THREADS=1" "thread-sanitizer:gcc:f32:-O1 -g -fsanitize=thread"
          "one-weight-row-blocks-of-5:gcc:f32:-O2 -DNOPE_BLOCK_POS=5 -DNOPE_WEIGHT_BUF=100"
          "microbit-schedule:gcc:f32:-O2 $(recompute 11 7 7)"
          "recompute-3-13-6:gcc:f32:-O2 $(recompute 3 13 6)"
          "recompute-whole-sequence:gcc:f32:-O2 $(recompute 64 64 64) -DNOPE_MAX_SEQ=64 -DNOPE_MAX_D=64 -DNOPE_MAX_FFN=256"
          "fixed-O2:gcc:fixed:-O2"
          "fixed-microbit-schedule:gcc:fixed:-O2 $(recompute 16 8 8) -DNOPE_FX_ACC_CAP=32"
          "fixed-recompute-7-3-9:gcc:fixed:-O2 $(recompute 7 3 9) -DNOPE_FX_ACC_CAP=7")
fixed_ref=${fixed:-$bin-fixed}
for v in "${variants[@]}"; do
  IFS=: read -r name cc num flags <<<"$v"
  if ! command -v $cc >/dev/null; then bad "$cc not installed (make deps installs it)"; continue; fi
  build_variant $name $cc $num $flags || { bad "$name build failed: $(head -3 $out/$name/log)"; continue; }
  # ref K: the bytes this variant must print for configuration K.
  if [ $name = fixed-O2 ]; then
    against=$fixed_ref
    [ -x $against ] || { echo "note: $against not built; fixed-O2 is the fixed-point reference unchecked"; continue; }
    ref() { $against ${configs[$1]} 2>/dev/null; }
  elif [ $num = fixed ]; then
    against=fixed-O2; ref() { cat $out/fixed-O2.r$1; }
  else
    against=$bin; ref() { cat $out/a$1; }
  fi
  same=1
  # 3 threads whatever this machine has, so every build runs the split work (a data race found by
  # the thread sanitizer ends the run with exit 66); a one-thread build refuses more than 1.
  threads=(--threads 3); [[ $flags == *NOPE_MAX_THREADS=1* ]] && threads=()
  for k in "${!configs[@]}"; do
    TSAN_OPTIONS="halt_on_error=1 exitcode=66" $out/$name/nope ${configs[$k]} "${threads[@]}" > $out/$name.r$k \
      2>$out/$name.e$k; rc=$?
    if [ $rc -ne 0 ]; then
      same=0; bad "$name exit $rc on: ${configs[$k]}: $(grep -m1 -E 'WARNING|ERROR|nope:' $out/$name.e$k)"; continue
    fi
    ref $k | cmp -s - $out/$name.r$k || { same=0; bad "$name differs from $against on: ${configs[$k]}"; }
  done
  [ $same = 1 ] && ok "$name build prints the same bytes as $against for all ${#configs[@]} configurations"
done
echo "determinism: $((n - fails)) passed, $fails failed"
[ $fails -eq 0 ]
