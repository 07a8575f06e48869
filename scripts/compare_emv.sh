#!/usr/bin/env bash
# Measures qrpay's EMV decode and encode against pix-utils (npm), the fastest other EMV MPM
# library that runs here, on the same Pix payload in the same run.
#
#   scripts/compare_emv.sh [ITERATIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
iterations=${1:-500000}
# The Pix example of thalesog/pix-utils' own tests (a static code with key, info and txid).
payload='00020126510014br.gov.bcb.pix0115thalesog@me.com0210Pedido 123520400005303986540510.005802BR5914THALES OGLIARI6015SAO MIGUEL DO O62070503***63040DC6'

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp scripts/compare/package.json scripts/compare/pix_bench.js "$work/"
(cd "$work" && npm install --no-audit --no-fund --silent >/dev/null)

cargo build --release --quiet --example emv_throughput
ours=$(target/release/examples/emv_throughput "$payload" "$iterations")
theirs=$(node "$work/pix_bench.js" "$payload" "$iterations")

echo "$ours"
echo "$theirs"
awk -v ours="$ours" -v theirs="$theirs" 'BEGIN {
  split(ours, o, "\n"); split(theirs, t, "\n");
  for (i in o) { split(o[i], f, " "); mine[f[1]] = f[2] }
  for (i in t) { split(t[i], f, " "); other[f[1]] = f[2] }
  printf "decode+validate: qrpay %.0f ns, pix-utils %.0f ns: %.1fx faster\n", mine["qrpay.decode"], other["pix-utils.parsePix"], other["pix-utils.parsePix"] / mine["qrpay.decode"];
  printf "encode (object model -> payload with CRC): qrpay encode_objects %.0f ns, pix-utils createEmv %.0f ns: %.1fx faster\n", mine["qrpay.encode_objects"], other["pix-utils.encode"], other["pix-utils.encode"] / mine["qrpay.encode_objects"];
  printf "build (typed fields -> payload; qrpay checks every EMV and Pix rule, pix-utils four lengths): qrpay %.0f ns, pix-utils %.0f ns: %.1fx faster\n", mine["qrpay.build"], other["pix-utils.build"], other["pix-utils.build"] / mine["qrpay.build"];
  printf "qrpay alone: re-encode of the decoded payload %.0f ns; generic builder from the decoded objects %.0f ns\n", mine["qrpay.encode"], mine["qrpay.rebuild"];
}'
