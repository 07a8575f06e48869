#!/usr/bin/env bash
# Measures qrpay's EMV decode and encode against pix-utils (npm), the fastest other EMV MPM
# library that runs here, on the same Pix payload in the same run.
#
#   scripts/compare_emv.sh [ITERATIONS] [ROUNDS]
#
# Both sides run ROUNDS times, alternately, and each figure is the fastest of its rounds: on a
# shared machine noise only ever adds time, and alternating gives both sides the same quiet
# and the same noisy spells. Within a round each side times its ITERATIONS in ten batches after
# a warm-up and reports the fastest batch, the same way on both sides.
set -euo pipefail
cd "$(dirname "$0")/.."
iterations=${1:-300000}
rounds=${2:-5}
# The Pix example of thalesog/pix-utils' own tests (a static code with key, info and txid).
payload='00020126510014br.gov.bcb.pix0115thalesog@me.com0210Pedido 123520400005303986540510.005802BR5914THALES OGLIARI6015SAO MIGUEL DO O62070503***63040DC6'

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp scripts/compare/package.json scripts/compare/pix_bench.js "$work/"
(cd "$work" && npm install --no-audit --no-fund --silent >/dev/null)

cargo build --release --quiet --example emv_throughput
for round in $(seq "$rounds"); do
  target/release/examples/emv_throughput "$payload" "$iterations" >>"$work/ours"
  node "$work/pix_bench.js" "$payload" "$iterations" >>"$work/theirs"
done

# The fastest figure of each name in file $1, one "name ns" line each.
fastest() {
  awk '{ if (!($1 in best) || $2 < best[$1]) best[$1] = $2 } END { for (n in best) print n, best[n] }' "$1" | sort
}
fastest "$work/ours" >"$work/ours.best"
fastest "$work/theirs" >"$work/theirs.best"
echo "fastest of $rounds rounds of $iterations iterations each, ns per operation:"
cat "$work/ours.best" "$work/theirs.best"
awk 'FNR == NR { mine[$1] = $2; next } { other[$1] = $2 } END {
  printf "decode+validate: qrpay %.0f ns, pix-utils %.0f ns: %.1fx faster\n", mine["qrpay.decode"], other["pix-utils.parsePix"], other["pix-utils.parsePix"] / mine["qrpay.decode"];
  printf "encode (object model -> payload with CRC): qrpay encode_objects %.0f ns, pix-utils createEmv %.0f ns: %.1fx faster\n", mine["qrpay.encode_objects"], other["pix-utils.encode"], other["pix-utils.encode"] / mine["qrpay.encode_objects"];
  printf "build (typed fields -> payload; qrpay checks every EMV and Pix rule, pix-utils four lengths): qrpay %.0f ns, pix-utils %.0f ns: %.1fx faster\n", mine["qrpay.build"], other["pix-utils.build"], other["pix-utils.build"] / mine["qrpay.build"];
  printf "qrpay alone: re-encode of the decoded payload %.0f ns; generic builder from the decoded objects %.0f ns\n", mine["qrpay.encode"], mine["qrpay.rebuild"];
}' "$work/ours.best" "$work/theirs.best"
