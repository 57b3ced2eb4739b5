#!/usr/bin/env bash
# Repository hygiene, checked on the tracked tree: no profiles or other ignored files committed
# (except benchmark runs that docs/PERFORMANCE.md cites), no references to documents that are not
# in the repository, and every relative link in the Markdown files points at a file that exists.
# Exit 77 (skipped) outside a git checkout.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  echo "*** SKIPPED: $root is not a git checkout ***"
  exit 77
fi
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# Tracked files that .gitignore would ignore: only cited benchmark results may be among them.
while IFS= read -r file; do
  case "$file" in
    bench/results/*)
      # Runs are named <date>-<commit>; the docs cite them by either.
      stem="$(basename "$file")"; stem="${stem%%.*}"
      grep -qw -e "$stem" -e "${stem##*-}" docs/PERFORMANCE.md ||
        fail "$file is committed but docs/PERFORMANCE.md does not cite run $stem (git rm --cached it)" ;;
    *) fail "$file is tracked but ignored by .gitignore (a profile or build output?): git rm --cached it" ;;
  esac
done < <(git ls-files -ci --exclude-standard)

# The product spec and the field notes live outside the repository: cite docs/ instead.
while IFS= read -r hit; do
  fail "$hit: cites a document that is not in the repository; point to docs/ or README.md"
done < <(git grep -n -e 'SPEC[ ]§' -e 'FIELD[-]NOTES' -- . ':!tests/repo/hygiene.sh')

# Relative links in Markdown: [text](path) and [text](path#anchor) must name an existing file.
while IFS= read -r doc; do
  dir="$(dirname "$doc")"
  while IFS= read -r target; do
    target="${target%%#*}"
    [ -z "$target" ] && continue
    [ -e "$dir/$target" ] || fail "$doc: link to $target, which does not exist"
  done < <(grep -o '\](\([^)]*\))' "$doc" | sed -E 's/^\]\((.*)\)$/\1/' | grep -Ev '^(https?:|mailto:|#)')
done < <(git ls-files '*.md')

if [ "$failures" -gt 0 ]; then
  echo "$failures hygiene problem(s)"
  exit 1
fi
echo "repository hygiene: ok"
