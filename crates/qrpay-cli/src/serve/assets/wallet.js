'use strict';
// Wallet: balance and history, scan with the camera (frames sent to the server a few times a
// second) or from a photo, confirm, pay with a single-use authorization, receipt.
(function () {
  const $ = (id) => document.getElementById(id);
  const SCREENS = ['home', 'scan', 'confirm', 'receipt', 'notice'];
  const FRAME_INTERVAL_MS = 300;
  const FRAME_SIDE_MAX = 960;
  let stream = null;
  let scanTimer = null;
  let inFlight = false;
  let scanned = null; // { payload, quote }

  function show(id) {
    for (const s of SCREENS) $(s).hidden = s !== id;
    window.scrollTo(0, 0);
  }

  function timeText(ms) {
    return new Date(ms).toLocaleString([], { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
  }

  async function api(path, body) {
    const res = await fetch(path, body === undefined ? {} : {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    const data = await res.json().catch(() => ({ error: { code: 'bad_answer', message: 'Unexpected answer from the server.' } }));
    if (!res.ok) {
      const err = new Error((data.error && data.error.message) || 'Request failed.');
      err.code = data.error && data.error.code;
      throw err;
    }
    return data;
  }

  async function loadWallet() {
    try {
      const w = await api('/api/wallet');
      $('balance').textContent = w.balance_text;
      $('balance').dataset.minor = String(w.balance_minor);
      $('greeting').textContent = w.greeting;
      const list = $('history');
      list.replaceChildren();
      if (w.history.length === 0) {
        const li = document.createElement('li');
        li.className = 'muted small';
        li.textContent = 'No activity yet.';
        list.append(li);
      }
      for (const h of w.history) {
        const li = document.createElement('li');
        const what = document.createElement('div');
        what.className = 'what';
        const name = document.createElement('strong');
        name.textContent = h.kind === 'Top-up' ? 'Top-up' : h.counterparty;
        const sub = document.createElement('span');
        sub.className = 'muted small';
        sub.textContent = (h.kind === 'Top-up' ? 'Cash in' : h.kind) + ' · ' + timeText(h.at_ms);
        what.append(name, sub);
        const amt = document.createElement('span');
        amt.className = 'amt' + (h.incoming ? ' in' : '');
        amt.textContent = h.amount_text;
        li.append(what, amt);
        list.append(li);
      }
    } catch (e) {
      $('balance').textContent = 'unavailable';
    }
  }

  function notice(title, message, icon) {
    stopCamera();
    $('notice-title').textContent = title;
    $('notice-message').textContent = message;
    $('notice-icon').textContent = icon || '!';
    show('notice');
  }

  // Keeps "Rp 25.000" on one line inside a sentence.
  const nb = (text) => text.replace(/ /g, '\u00a0');

  function alreadyPaid(quote) {
    notice('Already paid', 'This code from ' + quote.merchant_name + ' for ' + nb(quote.total_text) +
      ' has already been paid. Nothing was charged again.', '✓');
  }

  // What the server said about a scanned image.
  function onScan(result) {
    if (result.status === 'found') {
      stopCamera();
      scanned = { payload: result.payload, quote: result.quote };
      if (result.quote.already_paid) alreadyPaid(result.quote); else showConfirm(result.quote);
      return true;
    }
    if (result.status === 'refused') {
      const expired = result.error.code === 'code_expired';
      notice(expired ? 'Code expired' : 'Cannot pay this code', result.error.message);
      return true;
    }
    return false;
  }

  async function postImage(blob) {
    const res = await fetch('/api/scan', { method: 'POST', headers: { 'content-type': blob.type || 'application/octet-stream' }, body: blob });
    const data = await res.json().catch(() => ({ error: { message: 'Unexpected answer from the server.' } }));
    if (!res.ok) {
      const err = new Error((data.error && data.error.message) || 'The image could not be scanned.');
      err.code = data.error && data.error.code;
      throw err;
    }
    return data;
  }

  async function startCamera() {
    show('scan');
    $('scan-hint').textContent = "Point the camera at the merchant's QR code";
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
    } catch (e) {
      notice('Camera not available', 'Allow the camera, or use "Pay from a photo" instead.');
      return;
    }
    const video = $('video');
    video.srcObject = stream;
    await video.play().catch(() => {});
    scanTimer = setInterval(grabFrame, FRAME_INTERVAL_MS);
  }

  function stopCamera() {
    clearInterval(scanTimer);
    scanTimer = null;
    if (stream) for (const t of stream.getTracks()) t.stop();
    stream = null;
    $('video').srcObject = null;
  }

  function grabFrame() {
    const video = $('video');
    if (inFlight || !stream || video.readyState < 2 || !video.videoWidth) return;
    const scale = Math.min(1, FRAME_SIDE_MAX / Math.max(video.videoWidth, video.videoHeight));
    const canvas = $('frame');
    canvas.width = Math.round(video.videoWidth * scale);
    canvas.height = Math.round(video.videoHeight * scale);
    canvas.getContext('2d').drawImage(video, 0, 0, canvas.width, canvas.height);
    inFlight = true;
    canvas.toBlob(async (blob) => {
      try {
        if (blob && stream) onScan(await postImage(blob));
      } catch (e) {
        $('scan-hint').textContent = e.message;
      } finally {
        inFlight = false;
      }
    }, 'image/jpeg', 0.85);
  }

  async function scanPhoto(file) {
    if (!file) return;
    try {
      const result = await postImage(file);
      if (!onScan(result)) notice('No payment code found', 'We could not find a QR code in this photo. Try a sharper photo, closer to the code.');
    } catch (e) {
      notice('Cannot read this photo', e.message);
    } finally {
      $('photo').value = '';
    }
  }

  function fillQuote(q) {
    $('confirm-merchant').textContent = q.merchant_name;
    $('confirm-avatar').textContent = (q.merchant_name || '?').trim().charAt(0).toUpperCase();
    $('confirm-city').textContent = q.merchant_city;
    $('mismatch').hidden = !q.name_mismatch;
    $('confirm-amount').textContent = q.amount_text;
    $('amount-row').hidden = !q.amount_fixed;
    $('entry-row').hidden = q.amount_fixed;
    $('tip-row').hidden = !q.tip_prompt;
    $('fee-row').hidden = !q.fee_text;
    $('confirm-fee').textContent = q.fee_text;
    $('confirm-total').textContent = q.total_text;
    $('confirm-ref').textContent = q.reference || '—';
    $('confirm-balance').textContent = q.balance_text;
    $('pay-btn').textContent = q.awaiting_amount ? 'Pay' : 'Pay ' + q.total_text;
    $('pay-btn').disabled = q.awaiting_amount || !q.sufficient_funds;
    $('confirm-error').hidden = q.sufficient_funds;
    if (!q.sufficient_funds) $('confirm-error').textContent = 'Your balance is not enough for this payment.';
  }

  function showConfirm(q) {
    $('tip').value = '';
    $('entry').value = '';
    fillQuote(q);
    show('confirm');
  }

  function entered() {
    return {
      payload: scanned.payload,
      amount: scanned.quote.amount_fixed ? null : $('entry').value.replace(/[.\s]/g, '') || null,
      tip: $('tip').value.replace(/[.\s]/g, '') || null,
    };
  }

  async function requote() {
    if (!scanned) return;
    try {
      const q = await api('/api/quote', entered());
      scanned.quote = Object.assign(q, { amount_fixed: scanned.quote.amount_fixed });
      fillQuote(scanned.quote);
    } catch (e) {
      $('confirm-error').textContent = e.message;
      $('confirm-error').hidden = false;
      $('pay-btn').disabled = true;
    }
  }

  async function pay() {
    if (!scanned) return;
    const btn = $('pay-btn');
    btn.disabled = true;
    btn.textContent = 'Paying…';
    const request = entered();
    try {
      // The authorization is issued only now, after the tap: the wallet will not debit
      // without it, and it is good for this payment only.
      const auth = await api('/api/authorize', request);
      const receipt = await api('/api/pay', Object.assign({}, request, auth));
      if (receipt.outcome === 'exists') {
        alreadyPaid(scanned.quote);
      } else {
        $('receipt-total').textContent = receipt.total_text;
        $('receipt-merchant').textContent = receipt.merchant_name;
        $('receipt-ref').textContent = receipt.reference || '—';
        $('receipt-id').textContent = receipt.payment;
        $('receipt-time').textContent = timeText(receipt.at_ms);
        $('receipt-balance').textContent = receipt.balance_text;
        show('receipt');
      }
      scanned = null;
      loadWallet();
    } catch (e) {
      if (e.code === 'already_paid' || e.code === 'code_already_paid') { alreadyPaid(scanned.quote); return; }
      if (e.code === 'code_expired') { notice('Code expired', e.message); return; }
      $('confirm-error').textContent = e.message;
      $('confirm-error').hidden = false;
      btn.disabled = false;
      btn.textContent = 'Pay ' + scanned.quote.total_text;
    }
  }

  function home() {
    stopCamera();
    scanned = null;
    show('home');
    loadWallet();
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('scan-btn').addEventListener('click', startCamera);
    $('scan-cancel').addEventListener('click', home);
    $('photo').addEventListener('change', (e) => scanPhoto(e.target.files[0]));
    $('confirm-back').addEventListener('click', home);
    $('pay-btn').addEventListener('click', pay);
    let typing = null;
    for (const id of ['tip', 'entry']) {
      $(id).addEventListener('input', () => { clearTimeout(typing); typing = setTimeout(requote, 350); });
      $(id).addEventListener('change', () => { clearTimeout(typing); requote(); });
    }
    $('receipt-done').addEventListener('click', home);
    $('notice-done').addEventListener('click', home);
    loadWallet();
  });
})();
