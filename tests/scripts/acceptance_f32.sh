#!/usr/bin/env bash
# Issue #2's acceptance, as a test: the default run's layer-1 slope, the 4000-trial agreement
# with theory at every position, same-seed identity, the paper's scale, and the capacity error.
set -u
bin=$1; out=build/test/acceptance; mkdir -p $out; fails=0; n=0
ok() { echo "ok   $*"; n=$((n + 1)); }
bad() { echo "FAIL: $*"; n=$((n + 1)); fails=$((fails + 1)); }

$bin > $out/default 2>/dev/null
slope=$(sed -n 's/^# slope layer=1 attn=\([^ ]*\) .*/\1/p' $out/default)
/usr/bin/python3 -c "import sys; sys.exit(0 if abs(float('$slope') + 1) <= 0.02 else 1)" \
  && ok "default run: layer-1 slope $slope within -1 +/- 0.02" || bad "default run: layer-1 slope $slope"

$bin --trials 4000 --seed 7 > $out/t4000 2>/dev/null
verdict=$(/usr/bin/python3 - $out/t4000 <<'PY'
import csv, sys
rows = [r for r in csv.DictReader(l for l in open(sys.argv[1]) if not l.startswith('#')) if r['layer'] == '1']
z = [(float(r['attn_var']) - float(r['attn_theory'])) / float(r['attn_se']) for r in rows]
worst = max(abs(v) for v in z)
print(f"{'ok' if worst <= 4 and len(rows) == 64 else 'bad'} {len(rows)} positions, largest |attn_var - theory| = {worst:.2f} attn_se")
PY
)
[[ $verdict == ok* ]] && ok "--trials 4000 --seed 7: ${verdict#ok }" || bad "--trials 4000 --seed 7: ${verdict#bad }"

$bin --seed 7 > $out/a 2>/dev/null; $bin --seed 7 > $out/b 2>/dev/null
cmp -s $out/a $out/b && ok "--seed 7 twice: cmp finds no difference" || bad "--seed 7 twice differs"

start=$(date +%s.%N)
$bin --d 768 --heads 12 --layers 12 --ffn 3072 --seq 512 --act gelu --trials 2 > $out/paper 2>/dev/null
rc=$?; secs=$(/usr/bin/python3 -c "print(round($(date +%s.%N) - $start))")
rows=$(grep -c '^[0-9]' $out/paper)
[ $rc -eq 0 ] && [ "$rows" -eq $((12 * 512)) ] && tail -1 $out/paper | grep -q '^# checksum' \
  && ok "paper scale, 2 trials: report with $rows rows in ${secs%.*} s" || bad "paper scale: exit $rc, $rows rows"

err=$($bin --d 100000 2>&1 >/dev/null); rc=$?
[ $rc -eq 2 ] && [ "$(wc -l <<<"$err")" -eq 1 ] && [[ $err == *NOPE_MAX_D* ]] \
  && ok "--d 100000: exit 2, '$err'" || bad "--d 100000: exit $rc, '$err'"
echo "acceptance: $((n - fails)) passed, $fails failed"
[ $fails -eq 0 ]
