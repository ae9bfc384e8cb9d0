#!/usr/bin/env bash
# train_program_bits.sh: nope-train writes the same model bytes whoever compiles it. Builds the
# whole program (core, ports/train_*.c, its host files) with gcc -O0, gcc -O2 and clang -O2, trains
# the same tiny model with each (a few seconds) and compares the files with build/host/nope-train's
# (gcc -O2 with the host's vector kernels); a build with fused multiply-adds must differ.
# Usage: train_program_bits.sh BIN
set -euo pipefail
bin=${1:?usage: train_program_bits.sh build/host/nope-train}
cd "$(dirname "$0")/../.."
out=build/test/train_program_bits; mkdir -p $out; fails=0; n=0
ok() { echo "ok   $*"; n=$((n + 1)); }
bad() { echo "FAIL: $*"; n=$((n + 1)); fails=$((fails + 1)); }
for cc in gcc clang; do
  command -v $cc >/dev/null || { echo "FAIL $cc is missing: apt-get install $cc"; exit 1; }
done
build() { # name cc flags...
  local name=$1 cc=$2; shift 2
  local dir=$out/$name objs=() extra=()
  rm -rf $dir; mkdir -p $dir
  [ $cc = gcc ] && extra=(-fno-tree-loop-distribute-patterns)
  for s in core/src/*.c ports/train_flags.c ports/train_text.c ports/train_model.c; do
    $cc -std=c11 -ffreestanding -fno-builtin -ffp-contract=off -fno-fast-math "${extra[@]}" -Wall -Werror \
        -D NOPE_NUM=NOPE_NUM_F32 -Icore/include -Iports "$@" -c "$s" -o $dir/$(basename "${s%.c}").o 2>>$dir/log
    objs+=($dir/$(basename "${s%.c}").o)
  done
  for s in ports/host/train_main.c ports/host/train_loop.c ports/host/text_file.c ports/host/atomic_file.c \
           ports/host/threads_host.c; do
    $cc -std=c11 -ffp-contract=off -pthread -Wall -Werror -D NOPE_NUM=NOPE_NUM_F32 -Icore/include -Iports "$@" \
        -c $s -o $dir/$(basename "${s%.c}").o 2>>$dir/log
    objs+=($dir/$(basename "${s%.c}").o)
  done
  $cc "${objs[@]}" -pthread -o $dir/nope-train 2>>$dir/log
}
tests/scripts/train_text.py $out/text.txt 40000 >/dev/null
flags=(--text $out/text.txt --d 32 --heads 4 --layers 2 --ffn 64 --seq 32 --act gelu --batch 8 --steps 30 --warmup 5
       --eval-every 15 --eval-windows 16 --seed 5)
$bin "${flags[@]}" --out $out/reference.nope >/dev/null 2>&1 || { echo "FAIL: $bin failed"; exit 1; }
ok "$bin: $(wc -c < $out/reference.nope) bytes"
for v in "gcc-O0:gcc:-O0" "gcc-O2:gcc:-O2" "clang-O2:clang:-O2"; do
  IFS=: read -r name cc level <<<"$v"
  build $name $cc $level || { bad "$name: build failed: $(head -3 $out/$name/log)"; continue; }
  for threads in 1 2; do
    $out/$name/nope-train "${flags[@]}" --threads $threads --out $out/$name.t$threads.nope >/dev/null 2>&1 ||
      { bad "$name: exit status $? at --threads $threads"; continue; }
    cmp -s $out/reference.nope $out/$name.t$threads.nope && ok "$name, --threads $threads: the same model bytes" ||
      bad "$name, --threads $threads: model bytes differ from $bin's"
  done
done
# Control: a build that fuses multiply-adds must write another model, or the comparison sees nothing.
if build control-fma gcc -O2 -march=x86-64-v3 -ffp-contract=fast &&
   $out/control-fma/nope-train "${flags[@]}" --out $out/control-fma.nope >/dev/null 2>&1; then
  cmp -s $out/reference.nope $out/control-fma.nope && bad "control: an FMA build wrote the same model" ||
    ok "control: an FMA build (-ffp-contract=fast) writes another model"
else
  bad "control-fma: build or run failed: $(head -3 $out/control-fma/log)"
fi
echo "train_program_bits: $((n - fails)) passed, $fails failed"
[ $fails -eq 0 ]
