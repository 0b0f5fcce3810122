#!/usr/bin/env bash
# Browser test of the generated HTML site (see check.mjs): installs Debian's
# chromium and playwright-core if missing, builds the shipped knowledge base
# and the hostile fixture into a temporary folder, and checks both sites
# from file:// in headless Chromium. Called by .ci/run; not part of cargo test.
#
#   bash tests/browser/run.sh            # screenshots go to $TMPDIR (/tmp)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
top="$(cd "$here/../.." && pwd)"
cd "$top"

if ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/bin/chromium ]; then
  echo "== installing chromium"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
fi
if [ ! -d "$here/node_modules/playwright-core" ]; then
  echo "== installing playwright-core"
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "== building sites"
kbc() { cargo run -q --bin kbc -- "$@"; }
kbc build rules --out "$work/rules" --format html
kbc build tests/fixtures/render/hostile --out "$work/hostile" --format html

shots="${KBC_SCREENSHOTS:-${TMPDIR:-/tmp}}"
echo "== shipped knowledge base"
node "$here/check.mjs" "$work/rules/html" "$shots"
echo "== hostile fixture"
mkdir -p "$work/hostile-shots"
node "$here/check.mjs" "$work/hostile/html" "$work/hostile-shots"
