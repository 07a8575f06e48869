// Times pix-utils' parsePix (decode + CRC check + field extraction) and toBRCode (encode) on
// one payload; prints "name ns_per_op" lines.
const { parsePix, createStaticPix } = require("pix-utils");
// The library's own serializer (element object -> payload with CRC), which createStaticPix
// calls after its few length checks: the counterpart of qrpay's encode_objects.
const { createEmv } = require("pix-utils/dist/main/emvHandler");

const payload = process.argv[2];
const iterations = Number(process.argv[3] || 200000);

// The iterations run in ten batches after a warm-up for the JIT, and the figure is the fastest
// batch, as qrpay's emv_throughput example times its side.
function time(name, fn) {
  const batch = Math.max(1, Math.floor(iterations / 10));
  for (let i = 0; i < batch; i++) fn();
  let fastest = Infinity;
  for (let b = 0; b < 10; b++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) fn();
    fastest = Math.min(fastest, Number(process.hrtime.bigint() - start));
  }
  console.log(`${name} ${(fastest / batch).toFixed(1)}`);
}

const parsed = parsePix(payload);
if (parsed.error) throw new Error(`pix-utils refused the payload: ${parsed.message}`);
if (parsed.toBRCode() !== payload) throw new Error("pix-utils does not re-encode the payload");
time("pix-utils.parsePix", () => parsePix(payload));
// Fields → payload, as a point of sale does it. (Re-encoding the parsed object is not timed:
// pix-utils returns it in ~15 ns, which suggests work is cached, not an encode.)
const fields = {
  merchantName: parsed.merchantName,
  merchantCity: parsed.merchantCity,
  pixKey: parsed.pixKey,
  infoAdicional: parsed.infoAdicional,
  transactionAmount: parsed.transactionAmount,
  txid: parsed.txid,
};
const built = createStaticPix(fields);
if (built.error || built.toBRCode() !== payload) throw new Error("pix-utils builds a different payload");
time("pix-utils.build", () => createStaticPix(fields).toBRCode());
const elements = { ...built };
if (createEmv(elements) !== payload) throw new Error("pix-utils' createEmv gives a different payload");
time("pix-utils.encode", () => createEmv(elements));
