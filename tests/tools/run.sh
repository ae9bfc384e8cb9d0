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
# refuses CODE PATTERN NAME CMD...: exit CODE, and stderr is one line naming the tool that matches
# PATTERN (grep -E), so a traceback, an argparse usage dump or a generic message all fail it
refuses() {
    local want=$1 pattern=$2 name=$3; shift 3
    "$@" > "$T/out" 2> "$T/err"
    local got=$?
    if [ "$got" -ne "$want" ]; then fail "$name (exit $got, want $want: $(head -c 300 "$T/err"))"
    elif [ "$(wc -l < "$T/err")" -ne 1 ]; then fail "$name: stderr is $(wc -l < "$T/err") lines: $(head -c 300 "$T/err")"
    elif ! grep -qE "^(plot|compare|check-reference|reference|serial-capture): .*($pattern)" "$T/err"; then
        fail "$name: stderr does not say /$pattern/: $(cat "$T/err")"
    else pass "$name: $(cat "$T/err")"; fi
}
# mkreport NAME PYTHON: a copy of tiny.csv with its body lines (list L) changed by PYTHON and a valid
# checksum, so only the parser's own checks can catch what was planted
mkreport() {
    $PY - "$T/tiny.csv" "$T/$1.csv" "$2" <<'EOF_PY'
import sys; sys.dont_write_bytecode = True; sys.path.insert(0, 'tools'); import nopereport as nr
L = open(sys.argv[1]).read().rsplit('# checksum', 1)[0].split('\n')[:-1]
H = L.index(','.join(nr.REQUIRED_COLUMNS))  # the header; rows are L[H+1:]
def cells(i, col, value):  # set one column of row line i
    c = L[i].split(','); c[nr.REQUIRED_COLUMNS.index(col)] = value; L[i] = ','.join(c)
exec(sys.argv[3])
open(sys.argv[2], 'w').write(nr.with_checksum(''.join(l + '\n' for l in L)))
EOF_PY
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

# the C program's second theory (column attn_theory2, line "# theory2"), planted in the tiny
# report: drawn dashed in the figure and in the sweep's theories panel, absent without it
$PY - "$T/tiny.csv" "$T/th2.csv" <<'EOF_PY'
import sys; sys.dont_write_bytecode = True; sys.path.insert(0, 'tools'); import nopereport as nr
L = open(sys.argv[1]).read().rsplit('# checksum', 1)[0].split('\n')[:-1]
H = L.index(','.join(nr.REQUIRED_COLUMNS))
i = nr.REQUIRED_COLUMNS.index('attn_theory')
L[H] = L[H].replace('attn_theory,', 'attn_theory,attn_theory2,')
for k in range(H + 1, len(L)):
    c = L[k].split(','); c.insert(i + 1, '%.8e' % (1.1 * float(c[i])) if c[i] else ''); L[k] = ','.join(c)
L.insert(H, '# theory2 layer=1 s=1.0e-01 mean=9.0e-01 worst=8.5e-01 at=3')
open(sys.argv[2], 'w').write(nr.with_checksum(''.join(l + '\n' for l in L)))
EOF_PY
expect_exit 0 "plot a report with theory2" tools/plot "$T/th2.csv" -o "$T/th2"
grep -q 'id="theory2-layer1"' "$T/th2.svg" && ! grep -q 'id="theory2-layer1"' "$T/fig.svg" \
    && pass "plot: theory2 drawn when the report has it, not otherwise" || fail "plot: theory2 line"
expect_exit 0 "plot --sweep with theory2" tools/plot --sweep -o "$T/sweep2" "$T/th2.csv" "$T/a.csv"
grep -q 'id="theory2-sigma-0.02"' "$T/sweep2.svg" && ! grep -q 'id="theory2-sigma' "$T/sweep.svg" \
    && pass "plot --sweep: theory2 in the theories panel" || fail "plot --sweep: theory2 line"

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

# ---- issue #9: every bad input and failed write is one line naming the tool, never a traceback ----
# failed writes: exit 1
refuses 1 "cannot write /dev/null/x.png" "plot -o /dev/null/x" tools/plot "$T/tiny.csv" -o /dev/null/x
refuses 1 "cannot write to stdout" "compare --extract > /dev/full" bash -c "tools/compare --extract $T/capture.txt > /dev/full"
refuses 1 "cannot write to stdout" "compare A B > /dev/full" bash -c "tools/compare $T/capture.txt $T/tiny.csv > /dev/full"
refuses 1 "cannot write to stdout" "check-reference --reports > /dev/full" \
    bash -c "tools/check-reference --reports $T/a.csv $T/b.csv > /dev/full"
refuses 1 "cannot write to stdout" "reference > /dev/full" bash -c "tools/reference $TINY --trials 2 > /dev/full"
refuses 1 "cannot write to stdout" "plot --help > /dev/full" bash -c "tools/plot --help > /dev/full"
refuses 2 "cannot create --outdir /dev/null/x" "check-reference --outdir /dev/null/x" \
    tools/check-reference --bin /bin/true --outdir /dev/null/x
refuses 2 "cannot open --log /missing/dir/f" "serial-capture --log /missing/dir/f" \
    tools/serial-capture --log /missing/dir/f --port "$T/no-such-port"
# bad flags: exit 2, one line where argparse prints a usage dump
refuses 2 "--baud.*whole number >= 1" "serial-capture --baud -5" tools/serial-capture --baud -5
refuses 2 "--timeout.*finite number > 0" "serial-capture --timeout nan" tools/serial-capture --timeout nan
refuses 2 "unrecognized arguments: --bogus" "plot --bogus" tools/plot --bogus "$T/tiny.csv"
refuses 2 "expected one argument" "plot -o without a path" tools/plot "$T/tiny.csv" -o
refuses 2 "--plant: invalid choice" "check-reference --plant x" tools/check-reference --plant x
refuses 2 "compare CAPTURE HOST_REPORT" "compare with one file" tools/compare "$T/capture.txt"
# a threshold no |z| can exceed would make a check that cannot fail
for th in nan inf 0 -1e-3; do
    refuses 2 "--threshold.*finite number > 0" "check-reference --threshold $th" \
        tools/check-reference --threshold="$th" --reports "$T/a.csv" "$T/p.csv"
done
# reference: the C program's ranges and number syntax (the whole table in test_reference_flags.py)
for flags in "--eps 0 --sigma-in 0" "--sigma 1e300" "--d 1000000 --ffn 1000000" "--sigma 1e999999" \
             "--sigma 1e-999999999" "--seq 1" "--seed 0x10"; do
    refuses 2 "${flags%% *} .*(out of range|not a)" "reference $flags" tools/reference $flags
    [ -s "$T/out" ] && fail "reference $flags wrote to stdout"
done
expect_exit 0 "reference flags: the C program's table" $PY tests/tools/test_reference_flags.py "${BUILD:-build}/host/nope"
echo "     $(tail -n 1 "$T/out")"

# hand-made reports with a valid checksum: the parser's checks, not the checksum, must refuse them
mkreport inf-layer "L[H + 3] = 'inf' + L[H + 3][1:]"
refuses 1 "layer 'inf' is not a whole number" "plot: inf in the layer column" tools/plot "$T/inf-layer.csv" -o "$T/x"
mkreport nan-pos "cells(H + 3, 'pos', 'nan')"
refuses 1 "pos 'nan' is not a whole number" "plot: nan in pos" tools/plot "$T/nan-pos.csv" -o "$T/x"
mkreport no-layer2 "L[H + 1:] = [r for r in L[H + 1:] if not r.startswith('2,')] + ['3' + r[1:] for r in L[H + 1:] if r.startswith('2,')]"
refuses 1 "16 rows, expected layers\*seq = 24" "plot: a layer with no rows" tools/plot "$T/no-layer2.csv" -o "$T/x"
mkreport dup-row "L[-1] = '1' + L[-1][1:]"
refuses 1 "layer 1 pos 8 where layer 2 pos 8 belongs" "plot: a duplicated row" tools/plot "$T/dup-row.csv" -o "$T/x"
refuses 2 "layer 1 pos 8 where layer 2 pos 8 belongs" "check-reference: a duplicated row" \
    tools/check-reference --reports "$T/dup-row.csv" "$T/tiny.csv"
mkreport bad-cell "cells(H + 2, 'attn_var', '1_0')"
refuses 1 "cell '1_0' is not a number" "plot: 1_0 in a cell" tools/plot "$T/bad-cell.csv" -o "$T/x"
mkreport bad-slope "L = [l.replace('attn=', 'attn=x', 1) if l.startswith('# slope layer=1') else l for l in L]"
refuses 1 "malformed slope line" "plot: a slope that is not a number" tools/plot "$T/bad-slope.csv" -o "$T/x"
mkreport no-sigma "L = [l.replace(' sigma=0.02', '') if l.startswith('# config') else l for l in L]"
refuses 1 "no sigma" "plot --sweep: no sigma in the config" tools/plot --sweep -o "$T/x" "$T/a.csv" "$T/no-sigma.csv"

# nothing a log axis can show, in the format's additions: an all-zero attn_var has undefined
# (empty) slopes and ratio, and comment lines may follow the config line. Said on stderr and in
# the figure, never an empty panel without a word.
mkreport zero-attn "[cells(i, c, '0.00000000e+00') for i in range(H + 1, len(L)) for c in ('attn_var', 'attn_se')]
cells(H + 5, 'hid_se', '')
L = [l.split(' attn=')[0] + ' attn= hid=' + l.split('hid=')[1] if l.startswith('# slope') else l for l in L]
L = ['# ratio layer=1 mean=' if l.startswith('# ratio') else l for l in L]
i = next(k for k, l in enumerate(L) if l.startswith('# config'))
L[i + 1:i + 1] = ['# underflows=3', '# warning attn_var is 0 in every layer', '# later=key']"
expect_exit 0 "empty numbers and new comment lines parse" $PY -c "
import sys, math; sys.dont_write_bytecode = True; sys.path.insert(0, 'tools'); import nopereport as nr
r = nr.read('$T/zero-attn.csv')
assert math.isnan(r.slopes[1]['attn']) and r.slopes[1]['hid'] < 0 and math.isnan(r.ratios[1]), (r.slopes, r.ratios)
assert math.isnan(r.cols['hid_se'][4]) and r.cols['hid_se'][3] > 0, r.cols['hid_se']
assert '# underflows=3' in r.comments and r.config['sigma'] == '0.02'"
expect_exit 0 "check-reference: a report with empty numbers against itself" \
    tools/check-reference --reports "$T/zero-attn.csv" "$T/zero-attn.csv"
expect_exit 0 "compare --extract keeps the new lines" tools/compare --extract "$T/zero-attn.csv"
cmp -s "$T/out" "$T/zero-attn.csv" && pass "compare --extract: exact" || fail "compare --extract changed the new lines"
expect_exit 0 "plot: every attn_var 0, the other panel drawn" tools/plot "$T/zero-attn.csv" -o "$T/zero-attn"
grep -qx "plot: layers 1,2: every attn_var is 0, nothing to draw on a log axis (its panel says so)" "$T/err" \
    && pass "plot names the layers and why: $(head -n 1 "$T/err")" || fail "plot all-zero attn_var said: $(cat "$T/err")"
[ "$(wc -l < "$T/err")" -eq 2 ] && pass "plot: that line and the 'wrote' line" || fail "plot all-zero: $(cat "$T/err")"
grep -q 'id="nothing-to-draw-attn_var"' "$T/zero-attn.svg" && ! grep -q 'id="nothing-to-draw-hid_var"' "$T/zero-attn.svg" \
    && pass "the empty panel carries a note in the figure" || fail "no note in the empty attention panel"
mkreport zero-all "[cells(i, c, '0.00000000e+00') for i in range(H + 1, len(L)) for c in ('attn_var', 'hid_var')]"
expect_exit 1 "plot: nothing at all to draw is exit 1" tools/plot "$T/zero-all.csv" -o "$T/zero-all"
grep -q 'id="nothing-to-draw-hid_var"' "$T/zero-all.svg" && pass "plot still writes the figure, with its notes" \
    || fail "plot wrote no figure for an all-zero report"

# ---- serial-capture against a pseudo-terminal ----
expect_exit 0 "serial-capture against a pty" $PY tests/tools/test_serial_capture.py "$T/tiny.csv"
[ -s "$T/out" ] && echo "     $(cat "$T/out")"
expect_exit 2 "serial-capture: no such port" tools/serial-capture --port "$T/no-such-port" --timeout 1

if [ "$fails" -ne 0 ]; then echo "test-tools: $fails failure(s)"; exit 1; fi
echo "test-tools: all passed"
