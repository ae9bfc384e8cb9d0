#!/usr/bin/env bash
# train_program.sh: build/host/nope-train as a user meets it (issue #10, docs/training.md). A tiny
# model trained for seconds on a generated English-like text beats the held-out text's unigram
# entropy; the same text, flags and seed give the same model bytes (twice, and at 1 and 3 threads),
# another seed other bytes; tools/nope-model reads the file with the shape asked for; bad input is
# one line on stderr, exit 2, nothing on stdout and no file; a run killed with SIGKILL leaves no
# file, or the old one untouched. Usage: train_program.sh BIN
set -euo pipefail
bin=${1:?usage: train_program.sh build/host/nope-train build/host/nope}
nope=${2:?usage: train_program.sh build/host/nope-train build/host/nope}
cd "$(dirname "$0")/../.."
out=build/test/train_program; rm -rf $out; mkdir -p $out; fails=0; n=0
ok() { echo "ok   $*"; n=$((n + 1)); }
bad() { echo "FAIL: $*"; n=$((n + 1)); fails=$((fails + 1)); }
text=$out/text.txt
entropy=$(tests/scripts/train_text.py $text 40000)
tiny=(--text $text --d 32 --heads 4 --layers 2 --ffn 64 --seq 32 --batch 16 --warmup 20 --eval-windows 64)

# 1. It learns: held-out bits per byte below the held-out part's unigram entropy.
$bin "${tiny[@]}" --steps 200 --eval-every 100 --out $out/a.nope > $out/a.out 2> $out/a.err ||
  { bad "tiny run failed (exit $?): $(tail -1 $out/a.err)"; }
bpb=$(sed -n 's/^held-out bits per byte: \([0-9.]*\) .*/\1/p' $out/a.out)
if [ -n "$bpb" ] && awk -v b="$bpb" -v h="$entropy" 'BEGIN { exit !(b < h) }'; then
  ok "200 steps: held-out $bpb bits per byte < the held-out text's unigram entropy $entropy"
else
  bad "held-out '$bpb' bits per byte is not below the unigram entropy $entropy: $(cat $out/a.out)"
fi
grep -q '^nope-train: step 100/200: held-out' $out/a.err && ok "progress on stderr names the step and held-out loss" ||
  bad "no held-out progress line on stderr"

# --held-out writes the held-out part, byte for byte the text's last N - floor(0.9 N) bytes.
$bin "${tiny[@]}" --steps 2 --warmup 0 --eval-windows 4 --out $out/h.nope --held-out $out/held.txt >/dev/null 2>&1
size=$(wc -c < $text)
if tail -c $((size - (size / 10 * 9 + size % 10 * 9 / 10))) $text | cmp -s - $out/held.txt; then
  ok "--held-out: the last $(wc -c < $out/held.txt) of $size bytes"
else
  bad "--held-out did not write the text's last 10%"
fi

# The experiment on the trained model (nope --model --text, a forward written apart from the
# trainer's) on that held-out part: its mean loss over positions agrees with the trainer's held-out
# bits per byte (other windows: 400 random ones against 64 evenly spaced, so within 0.15 bits).
$bin "${tiny[@]}" --steps 200 --eval-every 100 --out $out/a.nope --held-out $out/held.txt >/dev/null 2>&1
if exp_loss=$($nope --model $out/a.nope --text $out/held.txt --trials 400 2>/dev/null |
                awk -F, '$1 == 1 { s += $9; n++ } END { if (n) printf "%.4f", s / n }') && [ -n "$exp_loss" ] &&
   awk -v a="$exp_loss" -v b="$bpb" 'BEGIN { exit !(a - b < 0.15 && b - a < 0.15) }'; then
  ok "nope --model --text on the held-out part: mean loss $exp_loss bits per byte, the trainer's $bpb"
else
  bad "nope --model --text: mean loss '$exp_loss' bits per byte, the trainer's $bpb"
fi

# 2. tools/nope-model reads it, with the shape asked for.
if info=$(tools/nope-model info --no-stats $out/a.nope 2>&1) &&
   grep -q '^shape d=32 heads=4 layers=2 ffn=64 vocab=256 seq=32 act=gelu ' <<<"$info"; then
  ok "tools/nope-model info reads the model: $(grep '^shape' <<<"$info")"
else
  bad "tools/nope-model info: $info"
fi

# 3. Deterministic: twice, at 1 and 3 threads; another seed differs.
short=("${tiny[@]}" --steps 40 --eval-every 20)
$bin "${short[@]}" --out $out/t1.nope --threads 1 >/dev/null 2>&1
$bin "${short[@]}" --out $out/t1b.nope --threads 1 >/dev/null 2>&1
$bin "${short[@]}" --out $out/t3.nope --threads 3 >/dev/null 2>&1
$bin "${short[@]}" --out $out/s2.nope --seed 2 >/dev/null 2>&1
cmp -s $out/t1.nope $out/t1b.nope && ok "two runs, same seed: the same model bytes" || bad "two runs differ"
cmp -s $out/t1.nope $out/t3.nope && ok "--threads 1 and --threads 3: the same model bytes" || bad "1 and 3 threads differ"
cmp -s $out/t1.nope $out/s2.nope && bad "seeds 1 and 2 gave the same model" || ok "another seed, another model"

# The held-out part is never trained on: other bytes there, the same model; other bytes in the
# training part, another model (the control).
python3 - $text $out/other-held.txt $out/other-train.txt <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
cut = len(data) // 10 * 9 + len(data) % 10 * 9 // 10
open(sys.argv[2], "wb").write(data[:cut] + data[cut:].swapcase())
open(sys.argv[3], "wb").write(data[:cut].swapcase() + data[cut:])
PY
short_other=("${short[@]/$text/$out/other-held.txt}")
$bin "${short_other[@]}" --out $out/other-held.nope --threads 1 >/dev/null 2>&1
$bin "${short[@]/$text/$out/other-train.txt}" --out $out/other-train.nope --threads 1 >/dev/null 2>&1
cmp -s $out/t1.nope $out/other-held.nope && ok "other held-out bytes (the last 10%, case swapped): the same model" ||
  bad "changing only the held-out bytes changed the model: training read them"
cmp -s $out/t1.nope $out/other-train.nope && bad "changing the training bytes did not change the model" ||
  ok "other training bytes: another model"

# 4. Bad input: one line on stderr, exit 2, nothing on stdout, no file at --out.
printf 'too short for a window of 33 bytes\n' > $out/short.txt
refused() { # what-it-names args...
  local want=$1; shift
  local o=$out/bad.nope rc=0
  rm -f $o
  $bin "$@" > $out/bad.out 2> $out/bad.err || rc=$?
  local lines; lines=$(wc -l < $out/bad.err)
  if [ $rc -eq 2 ] && [ "$lines" -eq 1 ] && [ ! -s $out/bad.out ] && [ ! -e $o ] && grep -q -- "$want" $out/bad.err &&
     [ -z "$(ls -A $out | grep '\.tmp$' || true)" ]; then
    ok "refused: $* -> $(cat $out/bad.err)"
  else
    bad "$*: exit $rc, $lines line(s): $(head -2 $out/bad.err), stdout $(wc -c < $out/bad.out) bytes, file $([ -e $o ] && echo made || echo none)"
  fi
}
base=(--text $text --out $out/bad.nope --steps 2 --warmup 0)
refused "--text" --out $out/bad.nope
refused "--out" --text $text
refused "No such file" --text $out/missing.txt --out $out/bad.nope
refused "a directory" --text $out --out $out/bad.nope
refused "too short" --text $out/short.txt --out $out/bad.nope --seq 32
refused "No such file" --text $text --out $out/no-such-dir/bad.nope
refused "cannot create" --text $text --out /proc/bad.nope
refused "a directory" --text $text --out $out
refused "No such file" --text $text --out $out/bad.nope --held-out $out/no-such-dir/held.txt
refused "must divide" "${base[@]}" --d 30 --heads 4
refused "must be below" --text $text --out $out/bad.nope --steps 10 --warmup 10
refused "unknown flag" "${base[@]}" --bogus 1
refused "needs a value" "${base[@]}" --lr
refused "unknown activation" "${base[@]}" --act tanh
refused "not a seed" "${base[@]}" --seed -1
for f in "--d 1" "--heads 0" "--layers 0" "--ffn 0" "--seq 1" "--batch 0" "--batch 1025" "--steps 0" \
         "--steps 10000001" "--eval-every 0" "--eval-windows 0" "--eval-windows 100001" "--threads 0" \
         "--checkpoint-every 10000001" "--steps 99999999999999999999"; do
  # shellcheck disable=SC2086
  refused "out of range" "${base[@]}" $f
done
for f in "--d 1025" "--heads 65" "--layers 49" "--ffn 4097" "--seq 1025" "--threads 65"; do
  # shellcheck disable=SC2086
  refused "over this build's capacity NOPE_MAX_" "${base[@]}" $f
done
for f in "--d 6x4" "--steps 1e3" "--warmup -1" "--batch ''"; do
  eval "refused 'not a whole number' \"\${base[@]}\" $f"
done
for f in "--lr 0" "--lr 2" "--min-lr-frac 1.5" "--clip -1" "--clip 1001" "--weight-decay 2" "--sigma 0.00001" \
         "--sigma 3" "--eps 0" "--eps 2"; do
  # shellcheck disable=SC2086
  refused "out of range" "${base[@]}" $f
done
for f in "--lr fast" "--sigma 0.0.2" "--clip 1e" "--eps nan"; do
  # shellcheck disable=SC2086
  refused "not a decimal" "${base[@]}" $f
done

# 5. Killed with SIGKILL mid-training: no file where there was none, the old file untouched where
# there was one, and no temporary file left (the model is written only in the moment of saving).
long=("${tiny[@]}" --steps 100000 --eval-every 1000)
killed() { # out-file what
  $bin "${long[@]}" --out "$1" >/dev/null 2>&1 & local pid=$!
  sleep 1.5
  kill -KILL $pid; wait $pid 2>/dev/null || true
}
killed $out/killed.nope
[ ! -e $out/killed.nope ] && ok "killed mid-training: no file at --out" || bad "killed mid-training: $out/killed.nope exists"
cp $out/a.nope $out/old.nope
killed $out/old.nope
cmp -s $out/a.nope $out/old.nope && ok "killed mid-training: the existing model is untouched" ||
  bad "killed mid-training: the existing model changed"
# Saving at every step: wherever the kill lands, --out is the old model or a whole new one.
cp $out/a.nope $out/ck.nope
$bin "${tiny[@]}" --steps 100000 --checkpoint-every 1 --out $out/ck.nope >/dev/null 2>&1 & pid=$!
sleep 2; kill -KILL $pid; wait $pid 2>/dev/null || true
if tools/nope-model info --no-stats $out/ck.nope >/dev/null 2>&1 && ! cmp -s $out/a.nope $out/ck.nope; then
  ok "killed while saving every step: --out is a whole, newer model"
else
  bad "killed while saving every step: --out is not a whole newer model"
fi
left=$(find $out -name '*.tmp')
if [ -z "$left" ]; then
  ok "no temporary file left behind"
elif ! grep -qv '/\.ck\.nope\.[0-9]*\.tmp$' <<<"$left"; then
  ok "the kill landed in a write: its temporary file is clearly named: $left"
else
  bad "temporary files left: $left"
fi
[ -z "$(ls -A $out | grep -v '\.tmp$' | grep -v -E '^(text\.txt|short\.txt|held\.txt|other-(held|train)\.txt|[a-z0-9-]+\.(nope|out|err))$' || true)" ] ||
  bad "unexpected files in $out: $(ls -A $out)"

echo "train_program: $((n - fails)) passed, $fails failed"
[ $fails -eq 0 ]
