#!/usr/bin/env bash
# End-to-end test of `qrpay serve` in real headless Chromium with a fake camera.
# Installs what it needs (Debian's chromium, Node, playwright-core from package-lock.json),
# builds the server and the fake-camera writer, runs e2e/wallet.e2e.mjs.
# Screenshots: e2e/artifacts/*.png (390x844).
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
command -v npm >/dev/null 2>&1 || need_apt+=(nodejs npm)
if [ "${#need_apt[@]}" -gt 0 ]; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need_apt[@]}"
fi

cargo build -p qrpay-cli --bin qrpay
cargo build -p qrpay --example fake_camera

(cd e2e && npm ci --no-audit --no-fund)

mkdir -p e2e/artifacts
pidfile=e2e/artifacts/server.pid
rm -f "$pidfile"
# The test stops the server itself; this catches a test that died without cleaning up.
cleanup() {
  if [ -s "$pidfile" ]; then
    kill "$(cat "$pidfile")" 2>/dev/null || true
    rm -f "$pidfile"
  fi
}
trap cleanup EXIT
QRPAY_SERVER_PIDFILE="$pidfile" node e2e/wallet.e2e.mjs
