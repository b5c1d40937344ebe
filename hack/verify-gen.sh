#!/usr/bin/env bash
# Regenerates every generated file (deepcopy, CRDs, RBAC, OLM bundle) in a scratch copy of the
# tracked sources and fails when the result differs from what is committed, so a change to the API
# types or markers that was not followed by `make generate manifests bundle` cannot land.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
scratch="$work/main"
mkdir -p "$scratch"
# Copy the working tree as git sees it (tracked and untracked, not ignored), so the check is about
# the sources at hand and never touches them.
(cd "$root" && git ls-files -z --cached --others --exclude-standard \
  | tar --null --ignore-failed-read -cf - -T - 2>/dev/null) | (cd "$scratch" && tar -xf -)
# Some generators and tests read ../shared beside the checkout; keep that relative path working.
[ -e "$root/../shared" ] && ln -s "$root/../shared" "$work/shared"
cd "$scratch"
make -s generate manifests >/dev/null
if [ -f hack/gen-bundle/main.go ]; then go run ./hack/gen-bundle >/dev/null; fi
status=0
for dir in api config bundle; do
  [ -d "$root/$dir" ] || continue
  if ! diff -r -q "$root/$dir" "$scratch/$dir" >/dev/null; then
    echo "generated files under $dir/ are stale; run: make generate manifests bundle" >&2
    diff -r "$root/$dir" "$scratch/$dir" | head -40 >&2 || true
    status=1
  fi
done
exit $status
