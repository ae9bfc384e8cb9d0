#!/usr/bin/env bash
# Runs CMocka test binaries; prints each one's result and exits non-zero if any failed.
set -u
fail=0
for t in "$@"; do
  out=$("$t" 2>&1); rc=$?
  summary=$(grep -E '^\[  (PASSED|FAILED)  \]' <<<"$out" | tr '\n' ' ')
  if [ $rc -ne 0 ]; then
    echo "FAIL $t"; echo "$out" | grep -vE '^\[ (RUN|      OK) ' | tail -40; fail=1
  else
    echo "ok   $t  $summary"
  fi
done
exit $fail
