#!/usr/bin/env bash
# The experiment on a trained model (issue #10, section 3): build/host/nope and nope-fixed with
# --model FILE --text FILE. A small random model (tools/nope-model random) with its LayerNorm
# gains and biases perturbed, on a text every Debian machine has:
#   - the report is whole (the report reader checks its checksum, rows and columns) in both modes;
#   - the same bytes with --threads 1, 2 and 3;
#   - per layer and position, attn_var, hid_var and the loss agree with an independent
#     double-precision evaluation (tests/tools/trained_reference.py) of the same model and windows:
#     float32 within 1e-5 relative (each value is a few hundred float32 operations of relative
#     error 6e-8 each; 1e-7 is measured), fixed point within 1e-4 (activations step 2^-24 = 6e-8
#     absolute and weights 2^-20 ~ 1e-6 absolute on values of order 0.1 to 10; 3e-6 is measured);
#     and the comparison fails on the windows of another seed;
#   - bad input: one line naming the problem, exit 2, nothing on stdout.
# Usage: trained.sh NOPE NOPE_FIXED
set -euo pipefail
nope=$1 nope_fixed=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
ref=$root/tests/tools/trained_reference.py
text_src=/usr/share/common-licenses/GPL-3
[ -r "$text_src" ] || { echo "trained.sh: $text_src missing (Debian's base-files has it)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

"$root/tools/nope-model" random -o "$tmp/r.nope" --d 16 --heads 2 --layers 2 --ffn 40 --vocab 256 --seq 12 \
    --act gelu --sigma 0.3 --seed 3
"$ref" perturb "$tmp/r.nope" "$tmp/m.nope" --seed 4
head -c 6000 "$text_src" > "$tmp/t.txt"
run=(--model "$tmp/m.nope" --text "$tmp/t.txt" --trials 24 --seed 5)

# Whole, thread-independent reports that agree with the double-precision evaluation.
for mode in f32 fixed; do
    bin=$nope; tol=1e-5
    [ $mode = fixed ] && { bin=$nope_fixed; tol=1e-4; }
    for t in 1 2 3; do "$bin" "${run[@]}" --threads $t > "$tmp/$mode-$t.csv" 2>/dev/null; done
    if python3 -c "import sys; sys.path.insert(0, '$root/tools'); import nopereport as nr
r = nr.read('$tmp/$mode-1.csv'); assert r.trained and r.layers == 2 and r.seq == 12 and 'loss' in r.cols, r.title()
assert all(x > 0 for x in r.cols['loss']) and all(x != x for x in r.cols['attn_theory']); print('ok   $mode report:', r.title())"; then :
    else fail "$mode report not well formed"; fi
    cmp -s "$tmp/$mode-1.csv" "$tmp/$mode-2.csv" && cmp -s "$tmp/$mode-1.csv" "$tmp/$mode-3.csv" &&
        echo "ok   $mode --threads 1, 2, 3: the same bytes" || fail "$mode report depends on --threads"
    "$ref" check "$tmp/m.nope" "$tmp/t.txt" "$tmp/$mode-1.csv" --trials 24 --seed 5 --tol $tol ||
        fail "$mode report disagrees with the double-precision reference"
    if "$ref" check "$tmp/m.nope" "$tmp/t.txt" "$tmp/$mode-1.csv" --trials 24 --seed 6 --tol $tol > /dev/null; then
        fail "$mode: the reference comparison cannot tell another seed's windows"
    else echo "ok   $mode: the comparison fails on another seed's windows"; fi
done
# --seq shorter than the model's is a shorter window; the reference agrees there too.
"$nope" "${run[@]}" --seq 7 > "$tmp/s7.csv" 2>/dev/null
"$ref" check "$tmp/m.nope" "$tmp/t.txt" "$tmp/s7.csv" --trials 24 --seed 5 --seq 7 --tol 1e-5 || fail "--seq 7"
# --eps written as the decimal the model was made with names its float32: accepted.
"$nope" "${run[@]}" --eps 0.00001 --d 16 --act gelu > "$tmp/same.csv" 2>/dev/null &&
    cmp -s "$tmp/same.csv" "$tmp/f32-1.csv" && echo "ok   flags equal to the model's are accepted" ||
    fail "flags equal to the model's changed or refused the run"

# Damaged inputs, made from the good ones.
python3 - "$tmp" <<'PY'
import struct, sys, zlib
d = sys.argv[1]
good = open(d + "/m.nope", "rb").read()
open(d + "/trunc.nope", "wb").write(good[:-10])
bad = bytearray(good); bad[100] ^= 1
open(d + "/crc.nope", "wb").write(bytes(bad))
nan = bytearray(good); struct.pack_into("<I", nan, 64 + 4 * (256 * 16 + 20), 0x7FC00000)
struct.pack_into("<I", nan, len(nan) - 4, zlib.crc32(bytes(nan[:-4])))
open(d + "/nan.nope", "wb").write(bytes(nan))
PY
head -c 12 "$tmp/t.txt" > "$tmp/short.txt"
head -c 13 "$tmp/t.txt" > "$tmp/exact.txt"
"$root/tools/nope-model" random -o "$tmp/v100.nope" --d 16 --heads 2 --layers 1 --ffn 16 --vocab 100 --seq 8
check() { # expected-substring args...
    local want=$1; shift
    local out rc err
    out=$("$nope" "$@" 2> "$tmp/err") && rc=0 || rc=$?
    err=$(cat "$tmp/err")
    if [ $rc -ne 2 ] || [ -n "$out" ] || [ "$(printf '%s\n' "$err" | wc -l)" -ne 1 ] || [[ "$err" != *"$want"* ]]; then
        fail "nope ${*: -4} -> exit $rc, stdout ${#out} bytes, stderr: $err"
    else echo "ok   ${err#nope: }"; fi
}
m=(--model "$tmp/m.nope")
t=(--text "$tmp/t.txt")
check "--model $tmp/none.nope: cannot read it: No such file or directory" --model "$tmp/none.nope" "${t[@]}"
check "--text $tmp/none.txt: cannot read it: No such file or directory" "${m[@]}" --text "$tmp/none.txt"
check "--model $tmp/trunc.nope: " --model "$tmp/trunc.nope" "${t[@]}"
check "--model $tmp/crc.nope: " --model "$tmp/crc.nope" "${t[@]}"
check "NaN or an infinity (ln1_bias, layer 1, index 4)" --model "$tmp/nan.nope" "${t[@]}"
check "--model $tmp/t.txt: " --model "$tmp/t.txt" "${t[@]}"
check "12 bytes, shorter than one window of seq+1 = 13 bytes" "${m[@]}" --text "$tmp/short.txt"
check "--d 32: the model has d=16" "${m[@]}" "${t[@]}" --d 32
check "--heads 4: the model has heads=2" "${m[@]}" "${t[@]}" --heads 4
check "--layers 3: the model has layers=2" "${m[@]}" "${t[@]}" --layers 3
check "--ffn 64: the model has ffn=40" "${m[@]}" "${t[@]}" --ffn 64
check "--vocab 300: the model has vocab=256" "${m[@]}" "${t[@]}" --vocab 300
check "--act relu: the model has act=gelu" "${m[@]}" "${t[@]}" --act relu
check "--eps 0.001: the model has eps=9.99999975e-06" "${m[@]}" "${t[@]}" --eps 0.001
check "--seq 13: over the model's seq=12" "${m[@]}" "${t[@]}" --seq 13
check "--sigma: not with --model" "${m[@]}" "${t[@]}" --sigma 0.1
check "--model: needs its partner" "${m[@]}"
check "--shard: not with --model" "${m[@]}" "${t[@]}" --shard 1/2
check "is outside the model's vocab=100" --model "$tmp/v100.nope" "${t[@]}"
"$nope" "${m[@]}" --text "$tmp/exact.txt" --trials 2 > /dev/null 2>&1 && echo "ok   a text of exactly one window runs" ||
    fail "a text of exactly seq+1 bytes was refused"

[ $fails -eq 0 ] && echo "trained.sh: all passed" || { echo "trained.sh: $fails failed"; exit 1; }
