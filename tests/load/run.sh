#!/usr/bin/env bash
# Load test of `kbc serve` on loopback, bounded in time and count: builds
# kbc and the load client (server/examples/load.rs) in release mode, serves
# the shipped rules on a free port, measures POST /api/diagnose (requests
# per second, p50/p99 latency, zero errors), then measures it again while
# 1,000 more connections send malformed requests, 10 MB bodies and slow
# headers, checking every answer. If wrk (Debian's package) is installed,
# it measures the baseline once more as a cross-check. Not part of cargo
# test; the figures are in docs/SERVE.md.
#
#   bash tests/load/run.sh [LOAD CLIENT FLAGS]   # e.g. --seconds 5 --abusers 500
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
top="$(cd "$here/../.." && pwd)"
cd "$top"

echo "== building (release)"
cargo build -q --release --bin kbc
cargo build -q --release -p kbc-server --example load
kbc="$top/target/release/kbc"
client="$top/target/release/examples/load"

work="$(mktemp -d)"
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

"$kbc" serve rules --port 0 >"$work/stdout" 2>"$work/stderr" &
pid=$!
url=""
for _ in $(seq 1 300); do
  url="$(sed -n 's/^listening on //p' "$work/stdout" | head -1)"
  [ -n "$url" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/stderr"; echo "kbc serve exited early"; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { cat "$work/stderr"; echo "kbc serve did not start"; exit 1; }
addr="${url#http://}"; addr="${addr%/}"
echo "== kbc serve at $url ($(nproc) cores shared by server and client)"

status=0
"$client" --addr "$addr" "$@" || status=$?

if command -v wrk >/dev/null 2>&1; then
  echo "== wrk cross-check: 16 connections, 10 s, POST /api/diagnose"
  wrk -t2 -c16 -d10s --latency -s "$here/diagnose.lua" "${url}api/diagnose" | tee "$work/wrk.txt"
  if grep -q "Non-2xx" "$work/wrk.txt"; then echo "FAIL wrk saw non-2xx answers"; status=1; fi
fi

kill -TERM "$pid"
code=0
wait "$pid" || code=$?
pid=""
[ "$code" -eq 0 ] || { echo "FAIL kbc serve exited with $code after SIGTERM"; status=1; }
exit "$status"
