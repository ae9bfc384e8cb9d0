#!/bin/bash
# Quick tests of tools/ (make test-tools): no C program needed, well under 60 s.
# Every fixture is made here, from tools/reference, under $BUILD/test-tools.
set -u
cd "$(dirname "$0")/../.."
T=${BUILD:-build}/test-tools
rm -rf "$T" && mkdir -p "$T"
PY=/usr/bin/python3
fails=0
pass() { echo "ok   $1"; }
fail() { echo "FAIL $1"; fails=$((fails + 1)); }

# expect_exit CODE NAME CMD...: CMD's exit status must be CODE; its stderr is kept in $T/err
expect_exit() {
    local want=$1 name=$2; shift 2
    "$@" > "$T/out" 2> "$T/err"
    local got=$?
    if [ "$got" -eq "$want" ]; then pass "$name"; else fail "$name (exit $got, want $want: $(head -c 300 "$T/err"))"; fi
}
# the refusal must be exactly one line on stderr
one_line_err() {
    if [ "$(wc -l < "$T/err")" -eq 1 ]; then pass "$1: one line: $(cat "$T/err")"; else fail "$1: stderr is not one line"; fi
}

# ---- reference: a tiny configuration, both inputs and activations, and the hidden plants ----
TINY="--d 8 --heads 2 --layers 2 --ffn 16 --seq 8"
expect_exit 0 "reference runs a tiny config" tools/reference $TINY --trials 200 --seed 3
cp "$T/out" "$T/tiny.csv"
expect_exit 0 "reference gelu tokens" tools/reference $TINY --trials 50 --act gelu --input tokens --vocab 5
expect_exit 0 "reference's tiny report parses" $PY -c "
import sys; sys.dont_write_bytecode = True; sys.path.insert(0, 'tools'); import nopereport as nr
r = nr.read('$T/tiny.csv'); assert (r.layers, r.seq, r.mode) == (2, 8, 'reference'), (r.layers, r.seq, r.mode)
assert r.config['trials'] == '200' and r.config['seed'] == '3' and set(r.slopes) == {1, 2}
assert r.cols['attn_theory'][8] != r.cols['attn_theory'][8]  # empty (nan) for layer 2"
expect_exit 0 "reference is reproducible for a seed" bash -c \
    "cmp <(tools/reference $TINY --trials 200 --seed 3) $T/tiny.csv"
expect_exit 2 "reference refuses heads not dividing d" tools/reference --d 10 --heads 4

# ---- check-reference --reports: agreement, and a planted defect ----
tools/reference $TINY --trials 2000 --seed 4 > "$T/a.csv"
tools/reference $TINY --trials 2000 --seed 5 > "$T/b.csv"
tools/reference $TINY --trials 2000 --seed 5 --plant peek-next > "$T/p.csv"
expect_exit 0 "check-reference: two seeds agree" tools/check-reference --reports "$T/a.csv" "$T/b.csv"
expect_exit 1 "check-reference: plant peek-next disagrees" tools/check-reference --reports "$T/a.csv" "$T/p.csv"
expect_exit 2 "check-reference: different configs refused" tools/check-reference --reports "$T/a.csv" "$T/tiny.csv"

# ---- plot: refusals, then a figure ----
expect_exit 1 "plot < /dev/null" tools/plot < /dev/null; one_line_err "plot < /dev/null"
if [ -f README.md ]; then
    expect_exit 1 "plot README.md" tools/plot README.md; one_line_err "plot README.md"
fi
printf '# Title\n\nSome prose, not a report.\n' > "$T/prose.md"
expect_exit 1 "plot prose.md" tools/plot "$T/prose.md"; one_line_err "plot prose.md"
head -n 12 "$T/tiny.csv" > "$T/truncated.csv"
expect_exit 1 "plot truncated report" tools/plot "$T/truncated.csv"; one_line_err "plot truncated report"
# a report without the hid_se column, but with a valid checksum: the column check must catch it
$PY -c "
import sys; sys.dont_write_bytecode = True; sys.path.insert(0, 'tools'); import nopereport as nr
body = open('$T/tiny.csv').read().rsplit('# checksum', 1)[0]
body = '\n'.join(l.rsplit(',', 1)[0] if not l.startswith('#') else l for l in body.split('\n'))
sys.stdout.write(nr.with_checksum(body))" > "$T/nocol.csv"
expect_exit 1 "plot report missing a column" tools/plot "$T/nocol.csv"; one_line_err "plot report missing a column"
sed 's/^1,3,/1,4,/' "$T/tiny.csv" > "$T/corrupt.csv"
expect_exit 1 "plot report with bad checksum" tools/plot "$T/corrupt.csv"; one_line_err "plot bad checksum"
expect_exit 0 "plot makes a figure" tools/plot "$T/tiny.csv" -o "$T/fig"
if [ "$(head -c 8 "$T/fig.png" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ] && grep -q '<svg' "$T/fig.svg"; then
    pass "plot wrote a PNG and an SVG"
else
    fail "plot output is not PNG + SVG"
fi
expect_exit 0 "plot reads stdin" tools/plot -o "$T/fig-stdin" < "$T/tiny.csv"
expect_exit 0 "plot --sweep" tools/plot --sweep -o "$T/sweep" "$T/a.csv" "$T/tiny.csv"

# ---- compare: noisy captures ----
$PY - "$T/tiny.csv" "$T/capture.txt" <<'EOF'
import sys
rep = open(sys.argv[1], "rb").read().split(b"\n")[:-1]
noisy = (b"qemu-system-arm: warning: banner\r\nnope: mode f32 ... starting\r\n"
         + b"\r\n".join(rep[:7]) + b"\r\nnope: trial 100/200, 1 s, about 1 s left\r\n"
         + b"\r\n".join(rep[7:]) + b"\r\nnope: done\r\nQEMU: Terminated\r\n")
open(sys.argv[2], "wb").write(noisy)
EOF
expect_exit 0 "compare: noisy CRLF capture is identical to the host report" tools/compare "$T/capture.txt" "$T/tiny.csv"
expect_exit 0 "compare: capture on stdin" bash -c "tools/compare - $T/tiny.csv < $T/capture.txt"
expect_exit 0 "compare --extract" tools/compare --extract "$T/capture.txt"
cmp -s "$T/out" "$T/tiny.csv" && pass "compare --extract gives the exact report" || fail "compare --extract differs"
# one byte changed in the host file (a digit on line 14)
sed '14s/e-0/e-1/' "$T/tiny.csv" > "$T/host-1byte.csv"
expect_exit 1 "compare: one-byte difference" tools/compare "$T/capture.txt" "$T/host-1byte.csv"
grep -q 'line 14' "$T/err" && pass "compare names line 14: $(cat "$T/err")" || fail "compare reason: $(cat "$T/err")"
one_line_err "compare one-byte difference"
# one byte changed inside the capture: its checksum no longer verifies
sed 's/^1,3,\(.\)/1,3,9/' "$T/capture.txt" > "$T/capture-bad.txt"
expect_exit 1 "compare: corrupted capture" tools/compare "$T/capture-bad.txt" "$T/tiny.csv"
grep -q checksum "$T/err" && pass "compare says checksum: $(cat "$T/err")" || fail "compare corrupted reason: $(cat "$T/err")"
head -c 600 "$T/capture.txt" > "$T/capture-cut.txt"
expect_exit 1 "compare: truncated capture" tools/compare "$T/capture-cut.txt" "$T/tiny.csv"
expect_exit 1 "compare: capture without report" tools/compare "$T/prose.md" "$T/tiny.csv"
expect_exit 2 "compare: usage error" tools/compare "$T/capture.txt"
expect_exit 2 "compare: missing file" tools/compare "$T/no-such-file" "$T/tiny.csv"

# ---- serial-capture against a pseudo-terminal ----
expect_exit 0 "serial-capture against a pty" $PY tests/tools/test_serial_capture.py "$T/tiny.csv"
[ -s "$T/out" ] && echo "     $(cat "$T/out")"
expect_exit 2 "serial-capture: no such port" tools/serial-capture --port "$T/no-such-port" --timeout 1

if [ "$fails" -ne 0 ]; then echo "test-tools: $fails failure(s)"; exit 1; fi
echo "test-tools: all passed"
