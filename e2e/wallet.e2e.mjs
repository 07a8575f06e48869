// End-to-end: `qrpay serve` in real headless Chromium with a fake camera that films the code
// the merchant page just made.
//
//   e2e/run.sh   (installs Chromium and playwright-core, builds, runs this file)
//
// Asserts: the merchant page flips to Paid by itself (Server-Sent Events), the wallet balance
// moves by exactly the amount, and scanning the same code again says "Already paid".
// Screenshots (390×844) go to e2e/artifacts/.
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const QRPAY = process.env.QRPAY_BIN || join(root, 'target/debug/qrpay');
const FAKE_CAMERA = process.env.FAKE_CAMERA_BIN || join(root, 'target/debug/examples/fake_camera');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ARTIFACTS = join(here, 'artifacts');
const AMOUNT = '25000';
const AMOUNT_MINOR = 25000 * 100;
const VIEWPORT = { width: 390, height: 844 };

const work = mkdtempSync(join(tmpdir(), 'qrpay-e2e-'));
const camera = join(work, 'camera.y4m');
let server = null;
let serverOutput = '';
let browser = null;

function cleanup() {
  if (server && server.exitCode === null) server.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
}
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { cleanup(); process.exit(130); });

function check(cond, what) {
  if (!cond) throw new Error('assertion failed: ' + what);
  console.log('  ok  ' + what);
}

function startServer() {
  return new Promise((resolveUrl, reject) => {
    server = spawn(QRPAY, ['serve', '--port', '0', '--db', join(work, 'wallet.sqlite')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server.stderr.on('data', (chunk) => { serverOutput += chunk; process.stderr.write(chunk); });
    if (process.env.QRPAY_SERVER_PIDFILE) writeFileSync(process.env.QRPAY_SERVER_PIDFILE, String(server.pid));
    let out = '';
    const timer = setTimeout(() => reject(new Error('server did not start in 20 s')), 20000);
    server.stdout.on('data', (chunk) => {
      out += chunk;
      serverOutput += chunk;
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) { clearTimeout(timer); resolveUrl(m[1]); }
    });
    server.on('exit', (code) => { clearTimeout(timer); reject(new Error('server exited with ' + code)); });
  });
}

async function shot(page, name) {
  await page.screenshot({ path: join(ARTIFACTS, name + '.png') });
  console.log('  screenshot ' + join('e2e/artifacts', name + '.png'));
}

async function main() {
  mkdirSync(ARTIFACTS, { recursive: true });
  // Chromium reads the camera file's header when it lists devices: start with a blank frame of
  // the same size, replaced by the real code before the wallet opens the camera.
  execFileSync(FAKE_CAMERA, ['--blank', camera]);
  const base = await startServer();
  console.log('server at ' + base);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
      '--use-file-for-fake-video-capture=' + camera,
    ],
  });
  const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1, locale: 'en-GB', timezoneId: 'Asia/Jakarta' });
  await context.grantPermissions(['camera'], { origin: base });

  // Merchant: make a dynamic code for Rp 25.000.
  const merchant = await context.newPage();
  await merchant.goto(base + '/merchant');
  await merchant.locator('#live', { hasText: 'live' }).waitFor({ timeout: 10000 });
  await merchant.locator('#merchant-name', { hasText: 'Kopi Senja' }).waitFor();
  await shot(merchant, '1-merchant-amount');
  await merchant.fill('#amount', AMOUNT);
  await merchant.click('#make-code');
  await merchant.locator('#code-img[src^="blob:"]').waitFor();
  const payload = await merchant.getAttribute('#code-figure', 'data-payload');
  const reference = await merchant.getAttribute('#code-figure', 'data-reference');
  check(payload && payload.startsWith('000201'), 'merchant page shows an EMV code');
  check((await merchant.textContent('#code-amount')) === 'Rp 25.000', 'merchant page shows Rp 25.000');
  await shot(merchant, '2-merchant-code');

  // The camera films THAT code.
  execFileSync(FAKE_CAMERA, [payload, camera]);

  // Wallet: balance, scan with the camera, confirm, pay.
  const wallet = await context.newPage();
  await wallet.goto(base + '/wallet');
  await wallet.locator('#balance[data-minor]').waitFor();
  const before = Number(await wallet.getAttribute('#balance', 'data-minor'));
  check(before > AMOUNT_MINOR, 'wallet has a balance: ' + (await wallet.textContent('#balance')));
  await shot(wallet, '3-wallet-home');
  await wallet.click('#scan-btn');
  await wallet.locator('#scan').waitFor({ state: 'visible' });
  await wallet.waitForTimeout(400);
  await shot(wallet, '4-wallet-scanning');
  await wallet.locator('#confirm').waitFor({ state: 'visible', timeout: 30000 });
  check((await wallet.textContent('#confirm-merchant')) === 'Kopi Senja', 'confirmation names the registered merchant');
  check((await wallet.textContent('#confirm-city')) === 'Jakarta', 'confirmation shows the city');
  check((await wallet.textContent('#confirm-total')) === 'Rp 25.000', 'confirmation shows Rp 25.000');
  check((await wallet.textContent('#confirm-ref')) === reference, 'confirmation shows the code reference');
  await shot(wallet, '5-wallet-confirm');
  await wallet.click('#pay-btn');
  await wallet.locator('#receipt').waitFor({ state: 'visible', timeout: 10000 });
  check((await wallet.textContent('#receipt-total')) === 'Rp 25.000', 'receipt shows Rp 25.000');
  await shot(wallet, '6-wallet-receipt');

  // Merchant page flipped by itself.
  await merchant.locator('#paid').waitFor({ state: 'visible', timeout: 5000 });
  check((await merchant.textContent('#paid-amount')) === 'Rp 25.000', 'merchant page flipped to Paid Rp 25.000 without reload');
  check((await merchant.textContent('#paid-ref')) === reference, 'merchant page: paid reference matches');
  await shot(merchant, '7-merchant-paid');

  // Balance moved by exactly the amount; history shows the payment.
  await wallet.click('#receipt-done');
  await wallet.waitForFunction((want) => Number(document.getElementById('balance').dataset.minor) === want,
    before - AMOUNT_MINOR, { timeout: 5000 });
  check(true, 'balance moved by exactly Rp 25.000');
  const first = await wallet.textContent('#history li:first-child');
  check(first.includes('Kopi Senja') && first.includes('Rp 25.000'), 'history lists the payment');
  await shot(wallet, '8-wallet-history');

  // Scan the same code again: already paid, nothing charged.
  await wallet.click('#scan-btn');
  await wallet.locator('#notice').waitFor({ state: 'visible', timeout: 30000 });
  check((await wallet.textContent('#notice-title')) === 'Already paid', 'second scan says Already paid');
  await shot(wallet, '9-wallet-already-paid');
  await wallet.click('#notice-done');
  await wallet.locator('#balance[data-minor]').waitFor();
  await wallet.waitForTimeout(300);
  check(Number(await wallet.getAttribute('#balance', 'data-minor')) === before - AMOUNT_MINOR, 'nothing charged twice');

  // Pay from a photo: a second code, rendered to PNG by `qrpay render`, picked as a file.
  await merchant.click('#new-payment');
  await merchant.fill('#amount', '18000');
  await merchant.click('#make-code');
  await merchant.locator('#code-figure[data-reference]:not([data-reference="' + reference + '"])').waitFor();
  const payload2 = await merchant.getAttribute('#code-figure', 'data-payload');
  const photo = join(work, 'code.png');
  execFileSync(QRPAY, ['render', payload2, '--output', photo, '--module-px', '6']);
  await wallet.setInputFiles('#photo', photo);
  await wallet.locator('#confirm').waitFor({ state: 'visible', timeout: 10000 });
  check((await wallet.textContent('#confirm-total')) === 'Rp 18.000', 'a photo of the second code is read: Rp 18.000');
  await wallet.click('#pay-btn');
  await wallet.locator('#receipt').waitFor({ state: 'visible', timeout: 10000 });
  await merchant.locator('#paid').waitFor({ state: 'visible', timeout: 5000 });
  check((await merchant.textContent('#paid-amount')) === 'Rp 18.000', 'merchant page flipped for the photo payment');
  await wallet.click('#receipt-done');
  await wallet.waitForFunction((want) => Number(document.getElementById('balance').dataset.minor) === want,
    before - AMOUNT_MINOR - 1800000, { timeout: 5000 });
  check(true, 'balance moved by exactly Rp 18.000 more');

  // The merchant refunds the photo payment; the wallet gets it back.
  await merchant.click('#refund-btn');
  await merchant.locator('#refunded').waitFor({ state: 'visible', timeout: 5000 });
  check((await merchant.textContent('#refunded')).includes('Rp 18.000'), 'merchant page: refunded Rp 18.000');
  await shot(merchant, '10-merchant-refunded');
  await wallet.reload();
  await wallet.waitForFunction((want) => Number(document.getElementById('balance').dataset.minor) === want,
    before - AMOUNT_MINOR, { timeout: 5000 });
  const refundLine = await wallet.textContent('#history li:first-child');
  check(refundLine.includes('Refund') && refundLine.includes('+ Rp 18.000'), 'wallet history shows the refund');
  await shot(wallet, '11-wallet-refunded');

  // The server printed its address and nothing about the payments.
  for (const secret of [payload, payload2, reference, 'Kopi Senja', '25000', '18000']) {
    check(!serverOutput.includes(secret), 'server output does not contain ' + JSON.stringify(secret.slice(0, 24)));
  }

  // A photo that is not an image gets a clear message.
  await wallet.setInputFiles('#photo', { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
  await wallet.locator('#notice').waitFor({ state: 'visible', timeout: 5000 });
  check((await wallet.textContent('#notice-title')) === 'Cannot read this photo', 'a non-image photo is refused clearly');
}

main()
  .then(async () => { await browser?.close(); console.log('e2e: passed'); process.exit(0); })
  .catch(async (e) => { console.error('e2e: FAILED: ' + (e && e.stack || e)); await browser?.close().catch(() => {}); process.exit(1); });
