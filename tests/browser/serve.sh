#!/usr/bin/env bash
# Browser test of `kbc serve` (see troubleshoot.mjs): installs Debian's
# chromium and playwright-core if missing, builds kbc, serves a temporary
# copy of the shipped rules on a free loopback port, drives the
# troubleshooter and live reload in headless Chromium, then stops the server
# with SIGTERM and checks that it exits cleanly. Called by .ci/run; not part
# of cargo test.
#
#   bash tests/browser/serve.sh     # screenshots go to $KBC_SCREENSHOTS or /tmp
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

echo "== building kbc"
cargo build -q --bin kbc
kbc="$top/target/debug/kbc"

work="$(mktemp -d)"
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
cp -R rules "$work/rules"

echo "== starting kbc serve"
"$kbc" serve "$work/rules" --port 0 >"$work/stdout" 2>"$work/stderr" &
pid=$!
url=""
for _ in $(seq 1 300); do
  url="$(sed -n 's/^listening on //p' "$work/stdout" | head -1)"
  [ -n "$url" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/stderr"; echo "kbc serve exited early"; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { cat "$work/stderr"; echo "kbc serve did not start"; exit 1; }
echo "   $url"

shots="${KBC_SCREENSHOTS:-${TMPDIR:-/tmp}}"
status=0
node "$here/troubleshoot.mjs" "$url" "$work/rules" "$shots" || status=$?

echo "== stopping kbc serve (SIGTERM)"
kill -TERM "$pid"
code=0
wait "$pid" || code=$?
pid=""
if [ "$code" -ne 0 ]; then
  echo "FAIL kbc serve exited with $code after SIGTERM"
  status=1
else
  echo "ok   kbc serve shut down cleanly"
fi
if [ "$status" -ne 0 ]; then
  echo "--- kbc serve's standard error"
  cat "$work/stderr"
fi
exit "$status"
