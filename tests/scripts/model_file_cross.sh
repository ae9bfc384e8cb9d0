#!/usr/bin/env bash
# model_file_cross.sh BRIDGE: the core's model file reader and writer (through BRIDGE,
# tests/tools/model_file_bridge.c) against tools/nope-model, written apart from the document:
#   1. Python writes (tools/nope-model random), C reads: the same lines from both readers
#      (shape, CRC-32, each tensor's count and CRC-32, fixed-point counts);
#   2. C writes (nope_model_file_encode), Python reads: the same;
#   3. values that saturate or flush in fixed point: the same counts at Q20, Q24 and Q26;
#   4. damaged files (a flipped bit, truncated, extended, a NaN or an infinity behind a right
#      CRC, version 2): both refuse, with one line and exit 2.
set -euo pipefail
cd "$(dirname "$0")/../.."
bridge=${1:?usage: model_file_cross.sh BRIDGE}
command -v python3 >/dev/null || { echo "FAIL python3 is missing: sudo apt-get install python3"; exit 1; }
T=${BUILD:-build}/test/model-file-cross
rm -rf "$T" && mkdir -p "$T"
fails=0
pass() { echo "ok   $1"; }
fail() { echo "FAIL $1"; fails=$((fails + 1)); }

# same NAME FILE [Q_FRAC]: both readers print the same lines for FILE
same() {
  local name=$1 file=$2 q=${3:-24}
  if ! "$bridge" info "$file" "$q" >"$T/c.txt" 2>"$T/c.err"; then fail "$name: C refuses: $(cat "$T/c.err")"; return; fi
  if ! tools/nope-model info --no-stats --q-frac "$q" "$file" >"$T/py.txt" 2>"$T/py.err"; then
    fail "$name: Python refuses: $(cat "$T/py.err")"; return
  fi
  if cmp -s "$T/c.txt" "$T/py.txt"; then
    pass "$name: $(wc -l <"$T/c.txt") lines agree ($(sed -n 3p "$T/c.txt"))"
  else
    fail "$name: C and Python differ: $(diff "$T/c.txt" "$T/py.txt" | head -4 | tr '\n' ' ')"
  fi
}

# refused NAME FILE: both exit 2 with one line on stderr and nothing on stdout
refused() {
  local name=$1 file=$2 rc_c=0 rc_py=0
  "$bridge" info "$file" >"$T/c.txt" 2>"$T/c.err" || rc_c=$?
  tools/nope-model info "$file" >"$T/py.txt" 2>"$T/py.err" || rc_py=$?
  if [ $rc_c -eq 2 ] && [ $rc_py -eq 2 ] && [ "$(wc -l <"$T/c.err")" -eq 1 ] && [ "$(wc -l <"$T/py.err")" -eq 1 ] &&
     [ ! -s "$T/c.txt" ] && [ ! -s "$T/py.txt" ]; then
    pass "$name refused: C: $(cut -d: -f3- "$T/c.err") | Python:$(cut -d: -f3- "$T/py.err")"
  else
    fail "$name: C exit $rc_c ($(head -c 200 "$T/c.err")), Python exit $rc_py ($(head -c 200 "$T/py.err"))"
  fi
}

# 1. Python writes, C reads: the default shape, the micro:bit shape, a tiny GELU one.
tools/nope-model random -o "$T/default.nope"
tools/nope-model random --d 32 --heads 4 --layers 2 --ffn 128 --seq 32 --seed 7 -o "$T/microbit.nope"
tools/nope-model random --d 4 --heads 2 --layers 3 --ffn 5 --vocab 7 --seq 2 --act gelu --eps 1e-12 --sigma 0.5 \
  -o "$T/tiny.nope"
same "Python default shape -> C" "$T/default.nope"
same "Python micro:bit shape -> C" "$T/microbit.nope"
same "Python tiny gelu -> C" "$T/tiny.nope"
tools/nope-model random -o "$T/default-again.nope"
cmp -s "$T/default.nope" "$T/default-again.nope" && pass "tools/nope-model random: same seed, same bytes" ||
  fail "tools/nope-model random is not reproducible"

# 2. C writes, Python reads.
"$bridge" write "$T/c-small.nope" 8 2 2 24 11 16 gelu
"$bridge" write "$T/c-wide.nope" 64 8 1 256 256 64 relu
same "C small -> Python" "$T/c-small.nope"
same "C wide -> Python" "$T/c-wide.nope"

# edit IN OUT PYTHON: OUT = IN with bytes b (a bytearray) changed by PYTHON; fix=1 rewrites the CRC
edit() {
  python3 - "$1" "$2" "$3" "${4:-1}" <<'EOF'
import struct, sys, zlib
b = bytearray(open(sys.argv[1], "rb").read())
def put(value, at):  # a float32 value at byte `at`
    struct.pack_into("<f", b, at, value)
exec(sys.argv[3])
if sys.argv[4] == "1":
    struct.pack_into("<I", b, len(b) - 4, zlib.crc32(bytes(b[:-4])))
open(sys.argv[2], "wb").write(b)
EOF
}

# 3. Saturation and flushing: matrices are Q20 (|w| < 16), the embedding and LayerNorm Q(q_frac),
#    ties towards +infinity. tiny.nope (d=4, vocab=7, ffn=5): the embedding at byte 64, layer 1's
#    LN1 gain at 176, Wq at 208, W1 at 496. Its sigma=0.5 weights neither saturate nor flush.
edit "$T/tiny.nope" "$T/fixed.nope" "put(200.0, 64); put(1e-9, 68); put(-2**-25, 72); put(40.0, 176)
put(16.0, 208); put(-(16 - 2**-20), 212); put(1e-9, 216); put(-2**-21, 496); put(2**-21, 500)"
# q_frac: what saturates, what flushes
#   20: 16 | 1e-9 twice, -2^-25, -2^-21        24: 200 and 16 | the same four
#   26: 200, 40 and 16 | 1e-9 twice, -2^-21 (-2^-25 is 2 steps of 2^-26)
for want in "20 1 4" "24 2 4" "26 3 3"; do
  read -r q sat flush <<<"$want"
  same "fixed-point counts at Q$q" "$T/fixed.nope" "$q"
  grep -q "^fixed q_frac=$q values=[0-9]* saturated=$sat flushed=$flush\$" "$T/c.txt" &&
    pass "Q$q: $sat saturated, $flush flushed, as the document's rule gives" ||
    fail "Q$q: wanted saturated=$sat flushed=$flush: $(sed -n 3p "$T/c.txt")"
done

# 4. Damaged files.
edit "$T/tiny.nope" "$T/flip.nope" "b[300] ^= 4" 0
refused "a flipped bit" "$T/flip.nope"
head -c 700 "$T/tiny.nope" >"$T/short.nope"
refused "truncated" "$T/short.nope"
head -c 40 "$T/tiny.nope" >"$T/header.nope"
refused "cut inside the header" "$T/header.nope"
edit "$T/tiny.nope" "$T/long.nope" "b[-4:-4] = bytes(4)"
refused "4 bytes too many" "$T/long.nope"
edit "$T/tiny.nope" "$T/nan.nope" "put(float('nan'), 400)"
refused "a NaN behind a right CRC" "$T/nan.nope"
edit "$T/tiny.nope" "$T/inf.nope" "put(float('-inf'), len(b) - 8)"
refused "-inf in the last value" "$T/inf.nope"
edit "$T/tiny.nope" "$T/v2.nope" "b[8] = 2"
refused "version 2" "$T/v2.nope"
edit "$T/tiny.nope" "$T/heads.nope" "b[20] = 3"
refused "heads=3 with d=4" "$T/heads.nope"
refused "not a model file" README.md

[ $fails -eq 0 ] && echo "model_file_cross: all passed" || { echo "model_file_cross: $fails failed"; exit 1; }
