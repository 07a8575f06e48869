'use strict';
// Merchant counter: make a dynamic code, show it, and flip to "Paid" when the server pushes
// the payment over Server-Sent Events. No polling, no reload.
(function () {
  const $ = (id) => document.getElementById(id);
  let current = null;
  let timer = null;
  let codeUrl = null;

  function show(id) {
    for (const s of ['new-code', 'code']) $(s).hidden = s !== id;
  }

  function timeText(ms) {
    return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  }

  async function api(path, body) {
    const res = await fetch(path, body === undefined ? {} : {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    const data = await res.json().catch(() => ({ error: { message: 'unexpected answer from the server' } }));
    if (!res.ok) throw new Error((data.error && data.error.message) || 'request failed');
    return data;
  }

  async function loadMerchant() {
    try {
      const m = await api('/api/merchant');
      $('merchant-name').textContent = m.name;
      $('merchant-city').textContent = m.city;
      $('code-merchant').textContent = m.name;
    } catch (e) { /* the page still works; the name shows once the server answers */ }
  }

  function startCountdown(seconds) {
    clearInterval(timer);
    const end = Date.now() + seconds * 1000;
    const tick = () => {
      const left = Math.max(0, Math.round((end - Date.now()) / 1000));
      $('expires').textContent = 'expires in ' + Math.floor(left / 60) + ':' + String(left % 60).padStart(2, '0');
      if (left === 0 && current && !current.paid) {
        clearInterval(timer);
        $('code-card').hidden = true;
        $('expired').hidden = false;
      }
    };
    tick();
    timer = setInterval(tick, 1000);
  }

  async function makeCode(ev) {
    ev.preventDefault();
    const amount = $('amount').value.replace(/[.\s]/g, '');
    $('amount-error').hidden = true;
    if (!/^[0-9]{1,10}$/.test(amount) || Number(amount) === 0) {
      $('amount-error').textContent = 'Enter an amount in rupiah, for example 25000.';
      $('amount-error').hidden = false;
      return;
    }
    $('make-code').disabled = true;
    try {
      const code = await api('/api/merchant/codes', { amount });
      current = { reference: code.reference, paid: false };
      if (codeUrl) URL.revokeObjectURL(codeUrl);
      codeUrl = URL.createObjectURL(new Blob([code.svg], { type: 'image/svg+xml' }));
      $('code-img').src = codeUrl;
      $('code-figure').dataset.payload = code.payload;
      $('code-figure').dataset.reference = code.reference;
      $('code-amount').textContent = code.amount_text;
      $('code-ref').textContent = code.reference;
      $('code-card').hidden = false;
      $('paid').hidden = true;
      $('expired').hidden = true;
      $('waiting').hidden = false;
      show('code');
      startCountdown(code.expires_in_s);
    } catch (e) {
      $('amount-error').textContent = e.message;
      $('amount-error').hidden = false;
    } finally {
      $('make-code').disabled = false;
    }
  }

  function onPaid(ev) {
    let paid;
    try { paid = JSON.parse(ev.data); } catch (e) { return; }
    showPaid(paid);
  }

  // After a reconnect the event may have been missed: ask once.
  async function catchUp() {
    if (!current || current.paid) return;
    try {
      const status = await api('/api/merchant/codes/' + encodeURIComponent(current.reference));
      if (status.paid) showPaid(status);
    } catch (e) { /* the stream will tell */ }
  }

  function showPaid(paid) {
    if (!current || current.paid || paid.reference !== current.reference) return;
    current.paid = true;
    clearInterval(timer);
    $('paid-amount').textContent = paid.total_text;
    $('paid-ref').textContent = paid.reference;
    $('paid-id').textContent = paid.payment;
    $('paid-time').textContent = timeText(paid.at_ms);
    $('paid-title').textContent = 'Paid';
    $('refunded').hidden = true;
    $('refund-error').hidden = true;
    $('refund-btn').hidden = false;
    $('refund-btn').disabled = false;
    $('code-card').hidden = true;
    $('paid').hidden = false;
    loadMerchant();
  }

  async function refund() {
    if (!current || !current.paid) return;
    $('refund-btn').disabled = true;
    $('refund-error').hidden = true;
    try {
      const r = await api('/api/merchant/refunds', { reference: current.reference });
      $('refunded').textContent = 'Refunded ' + r.refunded_text + ' to the customer';
      $('refunded').hidden = false;
      $('refund-btn').hidden = true;
      $('paid-title').textContent = 'Paid · refunded';
    } catch (e) {
      $('refund-error').textContent = e.message;
      $('refund-error').hidden = false;
      $('refund-btn').disabled = false;
    }
  }

  function connect() {
    const es = new EventSource('/api/merchant/events');
    es.addEventListener('open', () => { $('live').textContent = 'live'; $('live').className = 'pill pill-on'; catchUp(); });
    es.addEventListener('error', () => { $('live').textContent = 'reconnecting'; $('live').className = 'pill pill-off'; });
    es.addEventListener('paid', onPaid);
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('amount-form').addEventListener('submit', makeCode);
    $('refund-btn').addEventListener('click', refund);
    for (const chip of document.querySelectorAll('.chip')) {
      chip.addEventListener('click', () => { $('amount').value = chip.dataset.amount; });
    }
    $('new-payment').addEventListener('click', () => {
      current = null; clearInterval(timer); $('amount').value = ''; show('new-code'); $('amount').focus();
    });
    loadMerchant();
    connect();
  });
})();
