#!/usr/bin/env bash
# Runs every Go fuzz target of the repository for a short while on top of
# its committed seed corpus (testdata/fuzz/<Target>/ beside the test), as
# CI does. The targets are found by their `func FuzzX(f *testing.F)`, so a
# new one is fuzzed without editing this script.
#
#   scripts/fuzz.sh                 # 5s per target
#   FUZZTIME=2m scripts/fuzz.sh     # longer, by hand
#
# The first run builds the packages with coverage instrumentation, which
# takes a few minutes; later runs reuse the build cache. When a target
# fails, Go writes the input under testdata/fuzz/<Target>/ and prints the
# command that replays it: fix the bug and commit that file with the fix,
# so the plain `go test` keeps checking it.
set -euo pipefail
cd "$(dirname "$0")/.."

fuzztime="${FUZZTIME:-5s}"
failed=()
found=0
while IFS=: read -r file name; do
  found=$((found + 1))
  pkg="./$(dirname "$file")"
  echo "== $name ($pkg, $fuzztime)"
  if ! go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "$pkg"; then
    failed+=("$name ($pkg)")
  fi
done < <(grep -rHoE --include='*_test.go' '^func Fuzz[A-Za-z0-9_]+' cmd internal | sed 's/func //' | sort)

if [ "$found" -eq 0 ]; then
  echo "fuzz: no fuzz targets found" >&2
  exit 1
fi
if [ "${#failed[@]}" -gt 0 ]; then
  printf 'fuzz: FAILED %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "fuzz: $found targets passed"
