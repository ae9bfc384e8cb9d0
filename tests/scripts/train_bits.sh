#!/usr/bin/env bash
# train_bits.sh: the training math gives the same bits whoever compiles it. Builds
# tests/scripts/train_bits.c with the core's training files by gcc and clang at -O0 and -O2, with
# the host's vector kernels (-DNOPE_HOST_CLONES) and for x86-64-v3, and runs it on 1 and 2 threads
# (the host's thread pool): every build must write the same bytes (losses, gradients, parameters
# after three AdamW steps, both activations) as gcc -O2. A build with fused multiply-adds must not.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=build/test/train_bits; mkdir -p $out; fails=0; n=0
ok() { echo "ok   $*"; n=$((n + 1)); }
bad() { echo "FAIL: $*"; n=$((n + 1)); fails=$((fails + 1)); }
for cc in gcc clang; do
  command -v $cc >/dev/null || { echo "FAIL $cc is missing: sudo apt-get install $cc"; exit 1; }
done
# What the training files need of the core (the rest of the files they share goes with
# --gc-sections), and the host's thread pool.
core=(core/src/train_*.c core/src/kernels_f32.c core/src/kernels_f32_x86.c core/src/math_float.c core/src/rng.c
      core/src/parallel.c core/src/wide.c)
build() { # name cc flags...
  local name=$1 cc=$2; shift 2
  local dir=$out/$name objs=() extra=()
  rm -rf $dir; mkdir -p $dir
  [ $cc = gcc ] && extra=(-fno-tree-loop-distribute-patterns)
  for s in "${core[@]}"; do
    $cc -std=c11 -ffreestanding -fno-builtin -ffp-contract=off -fno-fast-math "${extra[@]}" -ffunction-sections -Wall \
        -Werror -D NOPE_NUM=NOPE_NUM_F32 -Icore/include -Iports "$@" -c "$s" -o $dir/$(basename "${s%.c}").o 2>>$dir/log
    objs+=($dir/$(basename "${s%.c}").o)
  done
  $cc -std=c11 -O2 -pthread -D NOPE_NUM=NOPE_NUM_F32 -Icore/include -Iports -c ports/host/threads_host.c \
      -o $dir/threads_host.o 2>>$dir/log
  $cc -std=c11 -ffp-contract=off -Wall -Werror -Icore/include -Iports "$@" tests/scripts/train_bits.c "${objs[@]}" \
      $dir/threads_host.o -pthread -Wl,--gc-sections -o $dir/train_bits 2>>$dir/log
}
variants=("gcc-O2:gcc:-O2" "gcc-O0:gcc:-O0" "gcc-O2-clones:gcc:-O2 -ftree-vectorize -DNOPE_HOST_CLONES"
          "gcc-O3-x86-64-v3:gcc:-O3 -march=x86-64-v3" "clang-O0:clang:-O0" "clang-O2:clang:-O2")
for v in "${variants[@]}"; do
  IFS=: read -r name cc flags <<<"$v"
  # shellcheck disable=SC2086
  build $name $cc $flags || { bad "$name: build failed: $(head -3 $out/$name/log)"; continue; }
  for threads in 1 2; do
    $out/$name/train_bits $threads > $out/$name.t$threads || { bad "$name: exit status $? on $threads thread(s)"; continue; }
    [ -s $out/$name.t$threads ] || { bad "$name: wrote nothing"; continue; }
    if [ $name = gcc-O2 ] && [ $threads = 1 ]; then ok "gcc-O2: $(wc -c < $out/gcc-O2.t1) bytes written"; continue; fi
    cmp -s $out/gcc-O2.t1 $out/$name.t$threads && ok "$name, $threads thread(s): the same bytes as gcc -O2" ||
      bad "$name, $threads thread(s): bytes differ from gcc -O2"
  done
done
# Control: a build that fuses multiply-adds (FMA, -ffp-contract=fast) must differ, or the comparison
# above could not see anything.
if build control-fma gcc -O2 -march=x86-64-v3 -ffp-contract=fast && $out/control-fma/train_bits 1 > $out/control-fma.t1; then
  cmp -s $out/gcc-O2.t1 $out/control-fma.t1 && bad "control: an FMA build wrote the same bytes, so the comparison sees nothing" ||
    ok "control: an FMA build (-ffp-contract=fast) writes other bytes"
else
  bad "control-fma: build or run failed: $(head -3 $out/control-fma/log)"
fi
echo "train_bits: $((n - fails)) passed, $fails failed"
[ $fails -eq 0 ]
