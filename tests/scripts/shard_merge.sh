#!/usr/bin/env bash
# Shards merge into the very bytes of one run (issue #12): 1, 2, 3 and 7 shards, merged in
# several orders, equal one run, in both numeric modes and for several configurations; a lost
# shard is named, rerun alone, and the merge then succeeds; and every kind of bad part is refused
# with one line naming the part and the problem, exit 2 and nothing on stdout.
set -u
dir=${BUILD:-build}/host; out=${BUILD:-build}/test/shard; rm -rf $out; mkdir -p $out; fails=0; n=0
ok() { echo "ok   $*"; n=$((n + 1)); }
bad() { echo "FAIL: $*"; n=$((n + 1)); fails=$((fails + 1)); }

# shards BIN TAG K ORDER FLAGS...: the K parts of a run, merged in ORDER (fwd|rev|odd-even).
shards() {
  local bin=$1 tag=$2 k=$3 order=$4; shift 4
  local parts=()
  for i in $(seq 1 $k); do
    $bin "$@" --shard $i/$k > $out/$tag-$k-$i.part 2>/dev/null || return 1
  done
  case $order in
    fwd) parts=($(seq -f "$out/$tag-$k-%g.part" 1 $k)) ;;
    rev) parts=($(seq -f "$out/$tag-$k-%g.part" $k -1 1)) ;;
    odd-even) parts=($(seq -f "$out/$tag-$k-%g.part" 2 2 $k) $(seq -f "$out/$tag-$k-%g.part" 1 2 $k)) ;;
  esac
  $bin merge "${parts[@]}" > $out/$tag-$k-$order.csv 2>/dev/null
}

configs=("--trials 60 --seed 5"
         "--d 24 --heads 3 --layers 3 --ffn 40 --seq 12 --act gelu --input tokens --vocab 7 --sigma 0.3 --trials 29 --seed 18446744073709551615"
         "--d 2 --heads 1 --layers 1 --ffn 3 --seq 4 --sigma 0.0001 --sigma-in 2 --eps 1 --trials 50 --seed 0")
for bin in $dir/nope $dir/nope-fixed; do
  name=$(basename $bin)
  for c in "${!configs[@]}"; do
    tag=$name-c$c
    $bin ${configs[$c]} > $out/$tag-one.csv 2>/dev/null
    for k in 1 2 3 7; do
      for order in fwd rev odd-even; do
        [ $k -lt 3 ] && [ $order = odd-even ] && continue
        if shards $bin $tag $k $order ${configs[$c]} && cmp -s $out/$tag-one.csv $out/$tag-$k-$order.csv; then
          ok "$name: $k shards merged ($order) = one run: ${configs[$c]}"
        else
          bad "$name: $k shards merged ($order) differ from one run: ${configs[$c]}"
        fi
      done
    done
  done
done

# refuse NAME BIN EXPECTED-TEXT PART...: exit 2, one line naming the part and the problem, no stdout.
refuse() {
  local name=$1 bin=$2 want=$3; shift 3
  $bin merge "$@" > $out/refuse.out 2> $out/refuse.err; local rc=$?
  if [ $rc -eq 2 ] && [ ! -s $out/refuse.out ] && [ "$(wc -l < $out/refuse.err)" -eq 1 ] \
     && grep -q -- "$want" $out/refuse.err; then
    ok "refused, $name: $(cat $out/refuse.err)"
  else
    bad "$name: exit $rc, stdout $(wc -c < $out/refuse.out) bytes, stderr: $(head -c 300 $out/refuse.err)"
  fi
}
f=$dir/nope; p=$out/nope-c0-3
refuse "a part missing" $f "trials 20 to 39 (0-based) are in no part" $p-1.part $p-3.part
refuse "the same part twice" $f "$p-2.part: its trials overlap" $p-1.part $p-2.part $p-2.part $p-3.part
refuse "overlapping shards of two splits" $f "$out/nope-c0-2-1.part: its trials overlap" $p-1.part $out/nope-c0-2-1.part
$f --trials 60 --seed 6 --shard 2/3 > $out/seed6.part 2>/dev/null
refuse "another seed" $f "$out/seed6.part: its configuration or seed differs" $p-1.part $out/seed6.part $p-3.part
$f --trials 60 --seed 5 --sigma 0.03 --shard 2/3 > $out/sigma.part 2>/dev/null
refuse "another configuration" $f "its configuration or seed differs" $p-1.part $out/sigma.part $p-3.part
head -c 3000 $p-2.part > $out/truncated.part
refuse "a truncated part" $f "$out/truncated.part: truncated" $p-1.part $out/truncated.part $p-3.part
# one digit of one sum changed, the rest (checksum line too) as written
awk 'NR == 8 { c = substr($0, length($0)); $0 = substr($0, 1, length($0) - 1) (c == "0" ? "1" : "0") } { print }' \
  $p-2.part > $out/edited.part
cmp -s $p-2.part $out/edited.part && bad "the edit did not change the part"
refuse "an edited part" $f "$out/edited.part: checksum mismatch" $p-1.part $out/edited.part $p-3.part
refuse "a fixed-point part given to the float32 merge" $f "another numeric mode" $p-1.part $out/nope-fixed-c0-3-2.part $p-3.part
refuse "a float32 part given to the fixed-point merge" $dir/nope-fixed "another numeric mode" $out/nope-fixed-c0-3-1.part $p-2.part
sed '1s/v1$/v2/' $p-2.part > $out/v2.part
refuse "another format version" $f "$out/v2.part: a partial of another format version" $p-1.part $out/v2.part $p-3.part
refuse "a report instead of a part" $f "a report, not a partial" $p-1.part $out/nope-c0-one.csv
refuse "a missing file" $f "$out/nope-such.part: cannot read it: No such file" $p-1.part $out/nope-such.part
refuse "no parts" $f "no parts given" 
: > $out/empty.part
refuse "an empty file" $f "$out/empty.part: not a nope partial" $out/empty.part

# A lost shard: the merge names its trials; that shard alone is run again; then all is well.
rm -f $p-2.part
refuse "after losing shard 2" $f "trials 20 to 39 (0-based) are in no part" $p-3.part $p-1.part
$f --trials 60 --seed 5 --shard 2/3 > $p-2.part 2>/dev/null
$f merge $p-3.part $p-1.part $p-2.part > $out/rerun.csv 2>/dev/null && cmp -s $out/rerun.csv $out/nope-c0-one.csv \
  && ok "shard 2 rerun alone: the merge equals one run" || bad "the merge after rerunning shard 2 differs"

# Bad --shard flags: one line, exit 2, nothing on stdout.
for s in 0/3 4/3 3 /3 1/ a/b 1/0 2/1000001 1/61; do
  $f --trials 60 --shard $s > $out/flag.out 2> $out/flag.err; rc=$?
  [ $rc -eq 2 ] && [ ! -s $out/flag.out ] && [ "$(wc -l < $out/flag.err)" -eq 1 ] \
    && ok "--shard $s refused: $(cat $out/flag.err)" || bad "--shard $s: exit $rc"
done

$f --seed random --shard 1/2 > $out/flag.out 2> $out/flag.err; rc=$?
[ $rc -eq 2 ] && [ ! -s $out/flag.out ] && grep -q "not with --shard" $out/flag.err \
  && ok "--seed random with --shard refused: $(cat $out/flag.err)" || bad "--seed random --shard 1/2: exit $rc"

echo "shard-merge: $((n - fails)) passed, $fails failed"
[ $fails -eq 0 ]
