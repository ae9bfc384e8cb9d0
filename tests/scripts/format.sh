#!/usr/bin/env bash
# format.sh: every C file of the project is as clang-format (the style in .clang-format) leaves it.
# Pinned to clang-format 14 (Debian's), since another version may lay out the same code differently.
# To fix: clang-format-14 -i FILE. Code that a formatter would make less readable (a hand-aligned
# table, a polynomial) sits between "// clang-format off" and "// clang-format on".
set -u
cd "$(dirname "$0")/../.."
fmt=$(command -v clang-format-14 || true)
[ -n "$fmt" ] || { echo "FAIL clang-format-14 is missing: sudo apt-get install clang-format-14"; exit 1; }
mapfile -t files < <(git ls-files -co --exclude-standard -- '*.c' '*.h' | grep -v '^core/src/gauss_table.h$')
bad=()
for f in "${files[@]}"; do
  [ -f "$f" ] || continue
  "$fmt" --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if [ ${#bad[@]} -gt 0 ]; then
  echo "FAIL not formatted (clang-format-14 -i to fix): ${bad[*]}"
  exit 1
fi
echo "ok   ${#files[@]} C files formatted as .clang-format says"
