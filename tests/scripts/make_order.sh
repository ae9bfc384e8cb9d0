#!/usr/bin/env bash
# make_order.sh: every target that runs a program names that program as a prerequisite, so on a
# clean tree it is built first. (With mk/*.mk read alphabetically, `bench: $(HOST_BIN)` was read
# before HOST_BIN existed and had no prerequisite at all.) Checked with make -n on an empty BUILD.
set -u
fails=0
fresh=$(mktemp -d); trap 'rm -rf "$fresh"' EXIT
check() { # target program-path
  if make -n --no-print-directory BUILD="$fresh" "$1" 2>&1 | grep -q -- "-o $2\$"; then
    echo "ok   make $1 builds $2 first"
  else
    echo "FAIL make $1 on a clean tree does not build $2"; fails=$((fails + 1))
  fi
}
check bench "$fresh/host/nope"
check test-cli "$fresh/host/nope"
check test-fixed-vs-float "$fresh/host/nope-fixed"
check figure "$fresh/host/nope"
exit $((fails > 0))
