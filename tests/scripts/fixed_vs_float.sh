#!/usr/bin/env bash
# fixed_vs_float.sh FLOAT_BIN FIXED_BIN [TRIALS]: the fixed-point report against the float32
# report for the same seed (so the very same weights and inputs): every attn_var and hid_var
# within 1% (relative), every slope within 0.005, and the fixed run saturated nowhere.
# Both modes run the same model on the same draws, so they differ only by rounding (about 1e-7
# relative in practice); the tolerances are the acceptance bounds, far above that.
set -u
float_bin=$1; fixed_bin=$2; trials=${3:-2000}
out=build/test/fixed_vs_float; mkdir -p $out; fails=0
configs=(
  "--trials $trials --seed 3"
  "--trials $trials --seed 3 --act gelu --input tokens --vocab 512"
)
for k in "${!configs[@]}"; do
  cfg=${configs[$k]}
  $float_bin $cfg > $out/float$k 2>/dev/null || { echo "FAIL: float run failed: $cfg"; fails=$((fails + 1)); continue; }
  $fixed_bin $cfg > $out/fixed$k 2>/dev/null || { echo "FAIL: fixed run failed: $cfg"; fails=$((fails + 1)); continue; }
  if awk -v cfg="$cfg" '
    function abs(x) { return x < 0 ? -x : x }
    function rel(a, b) { return b == 0 ? abs(a) : abs(a - b) / abs(b) }
    FNR == 1 { file++ }
    /^# saturations=/ && file == 2 { sat = substr($2, 13) }
    /^# slope / { for (i = 3; i <= 4; i++) { split($i, kv, "="); s[file, $3 "." kv[1]] = kv[2] + 0; keys[$3 "." kv[1]] = 1 } }
    /^[0-9]/ { split($0, f, ","); r = f[1] "," f[2]; av[file, r] = f[3] + 0; hv[file, r] = f[6] + 0; rows[r] = 1 }
    END {
      bad = 0; n = 0; worst_var = 0; worst_slope = 0
      for (r in rows) {
        n++
        e = rel(av[2, r], av[1, r]); if (e > worst_var) worst_var = e
        if (e > 0.01) { printf "  attn_var %s: fixed %g float %g\n", r, av[2, r], av[1, r]; bad++ }
        e = rel(hv[2, r], hv[1, r]); if (e > worst_var) worst_var = e
        if (e > 0.01) { printf "  hid_var %s: fixed %g float %g\n", r, hv[2, r], hv[1, r]; bad++ }
      }
      for (key in keys) {
        e = abs(s[2, key] - s[1, key]); if (e > worst_slope) worst_slope = e
        if (e > 0.005) { printf "  slope %s: fixed %g float %g\n", key, s[2, key], s[1, key]; bad++ }
      }
      if (n == 0) { print "  no rows compared"; bad++ }
      if (sat != "0") { printf "  saturations=%s (expected 0)\n", sat; bad++ }
      printf "%s: %d rows, max relative variance difference %.3g, max slope difference %.3g, saturations=%s\n", cfg, n, worst_var, worst_slope, sat
      exit bad > 0
    }' $out/float$k $out/fixed$k; then
    echo "ok   fixed matches float: $cfg"
  else
    echo "FAIL: fixed differs from float: $cfg"; fails=$((fails + 1))
  fi
done
exit $((fails > 0))
