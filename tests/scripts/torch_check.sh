#!/usr/bin/env bash
# make check-torch (issue #10, section 4): the C program's report of a model file against PyTorch
# (tools/torch-check), and the bridge from a PyTorch state_dict to a model file.
#   - a small random model (tools/nope-model random) with perturbed LayerNorm gains and biases, on a
#     text every Debian machine has: build/host/nope's report agrees with torch-check's float32
#     model within 1e-5 relative in every column (means, standard errors, slopes; a few 1e-7
#     measured) and with its float64 model within 1e-5; nope-fixed's within 1e-4 (weights on
#     the 2^-20 grid and activations on 2^-24: a few 1e-6 measured);
#   - the comparison fails on the windows of another seed (the report's config rewritten);
#   - a state_dict made here in PyTorch, exported (torch-check export), runs in build/host/nope and
#     agrees with PyTorch the same way; imported back and exported again, the same bytes;
#   - bad input to export: one line, exit 2.
# Usage: torch_check.sh NOPE NOPE_FIXED
set -euo pipefail
nope=$(realpath "$1") nope_fixed=$(realpath "$2") # absolute: the script works in a temporary directory
root=$(cd "$(dirname "$0")/../.." && pwd)
tc=$root/tools/torch-check
text_src=/usr/share/common-licenses/GPL-3
[ -r "$text_src" ] || { echo "torch_check.sh: $text_src missing (Debian's base-files has it)"; exit 1; }
py=/usr/bin/python3 # Debian's, where python3-torch is installed (tools/torch-check's too)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" # short names in torch-check's lines
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
# compare MODEL REPORT FLAGS...: torch-check's lines indented; a failure is counted, not fatal
compare() {
    local model=$1 report=$2; shift 2
    if "$tc" compare "$model" "t.txt" "$report" "$@" | sed 's/^/    /'; then :
    else fail "torch-check compare $(basename "$model") $(basename "$report") $*"; fi
}

head -c 20000 "$text_src" > "t.txt"
"$root/tools/nope-model" random -o "r.nope" --d 32 --heads 4 --layers 2 --ffn 64 --vocab 256 --seq 16 \
    --act gelu --sigma 0.1 --seed 7
"$root/tests/tools/trained_reference.py" perturb "r.nope" "m.nope" --seed 8
run=(--text "t.txt" --trials 200 --seed 3 --threads 2)
"$nope" --model "m.nope" "${run[@]}" > "f32.csv" 2>/dev/null
"$nope_fixed" --model "m.nope" "${run[@]}" > "fixed.csv" 2>/dev/null

echo "f32 report vs PyTorch float32, then float64:"
compare "m.nope" "f32.csv" --tol 1e-5
compare "m.nope" "f32.csv" --tol 1e-5 --double
echo "fixed-point report vs PyTorch float64:"
compare "m.nope" "fixed.csv" --tol 1e-4 --double

# The same report claiming another seed: torch-check reads other windows and must disagree.
"$py" - "f32.csv" "seed4.csv" <<PY
import sys; sys.path.insert(0, "$root/tools"); import nopereport as nr
import re
text = open(sys.argv[1]).read()
body, n = re.subn(r"^(# config .* seed=)3( |$)", r"\g<1>4\2", text[: text.rindex("# checksum")], flags=re.M)
assert n == 1, "no seed=3 in the config line"
open(sys.argv[2], "w").write(nr.with_checksum(body))
PY
if "$tc" compare "m.nope" "t.txt" "seed4.csv" --tol 1e-3 > "seed4.out"; then
    fail "torch-check agrees with a report of other windows"
else echo "ok   another seed's windows: $(tail -1 "seed4.out")"; fi

# A state_dict made in PyTorch, in the documented names, exported and run by the C program.
"$py" - "sd.pt" <<'PY'
import sys, torch
g = torch.Generator().manual_seed(11)
d, ffn, vocab, layers = 24, 48, 256, 2
n = lambda *s, std=0.15: torch.randn(*s, generator=g) * std
sd = {"embed.weight": n(vocab, d, std=0.5)}
for l in range(layers):
    p = "layers.%d." % l
    sd.update({p + "ln1.weight": 1 + n(d, std=0.3), p + "ln1.bias": n(d, std=0.3)})
    sd.update({p + w + ".weight": n(d, d) for w in ("wq", "wk", "wv", "wo")})
    sd.update({p + "ln2.weight": 1 + n(d, std=0.3), p + "ln2.bias": n(d, std=0.3)})
    sd.update({p + "ff1.weight": n(ffn, d), p + "ff2.weight": n(d, ffn)})
sd.update({"lnf.weight": 1 + n(d, std=0.3), "lnf.bias": n(d, std=0.3)})
torch.save(sd, sys.argv[1])
PY
"$tc" export "sd.pt" "x.nope" --heads 3 --act relu --seq 20 --eps 1e-4
"$nope" --model "x.nope" "${run[@]}" > "x.csv" 2>/dev/null || fail "nope refuses the exported model"
echo "exported state_dict: f32 report vs PyTorch float32:"
compare "x.nope" "x.csv" --tol 1e-5
flags=$("$tc" import "x.nope" "back.pt")
# shellcheck disable=SC2086 # the flags are words
"$tc" export "back.pt" "again.nope" $flags > /dev/null
cmp -s "x.nope" "again.nope" && echo "ok   import then export ($flags): the same bytes" ||
    fail "import then export changed the model's bytes"

# Bad input to export: one line on stderr, exit 2, no file written.
"$py" - "$tmp" <<'PY'
import sys, torch
sd = torch.load(sys.argv[1] + "/sd.pt")
missing = dict(sd); del missing["layers.1.wo.weight"]; torch.save(missing, sys.argv[1] + "/missing.pt")
extra = dict(sd); extra["layers.0.wq.bias"] = torch.zeros(24); torch.save(extra, sys.argv[1] + "/extra.pt")
shape = dict(sd); shape["layers.0.ff2.weight"] = sd["layers.0.ff1.weight"]; torch.save(shape, sys.argv[1] + "/shape.pt")
nan = dict(sd); nan["lnf.bias"] = sd["lnf.bias"].clone(); nan["lnf.bias"][3] = float("nan"); torch.save(nan, sys.argv[1] + "/nan.pt")
PY
printf 'not a pickle' > "text.pt"
for case in missing:layers.1.wo.weight extra:layers.0.wq.bias shape:layers.0.ff2.weight nan:lnf.bias \
            text:"cannot load" heads:"does not divide"; do
    name=${case%%:*} want=${case#*:} heads=3
    [ "$name" = heads ] && { name=sd; heads=5; }
    rc=0
    "$tc" export "$name.pt" "bad.nope" --heads $heads > "out" 2> "err" || rc=$?
    if [ $rc -ne 2 ] || [ -s "out" ] || [ -e "bad.nope" ] || [ "$(wc -l < "err")" -ne 1 ] ||
        ! grep -q "$want" "err"; then
        fail "export $name: exit $rc, stderr: $(cat "err")"
    else echo "ok   export refuses: $(cat "err")"; fi
done

[ $fails -eq 0 ] || { echo "check-torch: $fails failure(s)"; exit 1; }
echo "check-torch: all passed"
