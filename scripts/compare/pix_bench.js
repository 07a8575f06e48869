// Times pix-utils' parsePix (decode + CRC check + field extraction) and toBRCode (encode) on
// one payload; prints "name ns_per_op" lines.
const { parsePix, createStaticPix } = require("pix-utils");
// The library's own serializer (element object -> payload with CRC), which createStaticPix
// calls after its few length checks: the counterpart of qrpay's encode_objects.
const { createEmv } = require("pix-utils/dist/main/emvHandler");

const payload = process.argv[2];
const iterations = Number(process.argv[3] || 200000);

function time(name, fn) {
  for (let i = 0; i < iterations / 10; i++) fn(); // warm-up for the JIT
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn();
  const ns = Number(process.hrtime.bigint() - start) / iterations;
  console.log(`${name} ${ns.toFixed(1)}`);
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
