// The desktop's half of phone pairing: a pairing QR for a phone to scan and
// a websocket on which the server pushes each request URL the phone sends
// (docs/portal.md, "Phone pairing").

import { h, replace } from './dom.js';
import { t } from './i18n.js';
import { api } from './api.js';
import { problemBox } from './ui.js';
import { qrImage } from './qr-view.js';
import { loadCodec } from './codec.js';

/**
 * pairingPanel({onRequest}) -> {el, close()}: a button that starts a
 * pairing; then the QR of its phone URL and the state of the phone. Each
 * request URL that arrives is passed to onRequest(url).
 */
export function pairingPanel({ onRequest }) {
  const body = h('div', { class: 'pairing-body' });
  const btn = h('button', { type: 'button', class: 'secondary', 'data-testid': 'pair-start' }, t('pair.start'));
  const el = h('div', { class: 'pairing panel', 'data-testid': 'pairing', 'data-state': 'idle' }, h('h2', null, t('pair.desktopTitle')), h('p', { class: 'help' }, t('pair.desktopHelp')), btn, body);
  let ws = null;
  let closed = false;

  function setState(s, ...msg) {
    el.dataset.state = s;
    const line = el.querySelector('.pair-status');
    if (line) replace(line, ...msg);
  }

  btn.addEventListener('click', async () => {
    btn.disabled = true;
    replace(body);
    let p;
    let codec;
    try {
      [p, codec] = await Promise.all([api('POST', '/pairings', {}), loadCodec()]);
    } catch (e) {
      btn.disabled = false;
      replace(body, problemBox(e));
      return;
    }
    replace(body,
      qrImage(codec, p.phone_url, { alt: t('pair.qrAlt'), testid: 'pair-qr' }),
      h('p', { class: 'muted small' }, h('a', { href: p.phone_url, 'data-testid': 'pair-url', target: '_blank', rel: 'noopener' }, p.phone_url)),
      h('p', { class: 'pair-status', 'aria-live': 'polite', 'data-testid': 'pair-status' }, t('pair.waiting')));
    el.dataset.pairing = String(p.id);
    connect(p, 0);
  });

  // The server keeps the pairing's events: a socket that drops reconnects
  // with ?after= the last event seen, a few times.
  let lastID = 0;
  function connect(p, tries) {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const events = p.events_url || `/api/v1/pairings/${encodeURIComponent(p.id)}/events`;
    ws = new WebSocket(`${proto}//${location.host}${events}${lastID ? `?after=${lastID}` : ''}`);
    ws.addEventListener('open', () => { if (el.dataset.state !== 'paired') setState('open', t('pair.waiting')); });
    ws.addEventListener('message', (ev) => {
      let m;
      try { m = JSON.parse(ev.data); } catch { return; }
      if (m.id) lastID = Math.max(lastID, m.id);
      if (m.type === 'paired') setState('paired', t('pair.phoneHere'));
      else if (m.type === 'expired') { setState('expired', t('pair.expired')); btn.disabled = false; }
      else if (m.type === 'request' && m.request_url) {
        setState('paired', t('pair.received'));
        onRequest(m.request_url);
      }
    });
    ws.addEventListener('close', () => {
      if (closed || el.dataset.state === 'expired') return;
      if (tries < 5 && el.isConnected) {
        setTimeout(() => { if (!closed) connect(p, tries + 1); }, 1000 * (tries + 1));
        return;
      }
      setState('closed', t('pair.closed'));
      btn.disabled = false;
    });
  }

  // Close the socket when the panel leaves the page.
  const watch = setInterval(() => { if (!el.isConnected && ws) close(); }, 1000);
  function close() {
    closed = true;
    clearInterval(watch);
    if (ws) ws.close();
    ws = null;
  }
  return { el, close };
}
