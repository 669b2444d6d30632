// The terminal page that licetd serves on 127.0.0.1 (licetd run --web;
// site.TerminalHandler serves the files, agent/webui the API). The daemon
// hands over the birth record and the request nonce; the WebAssembly codec
// makes the device code and the request QR here, in the browser. A webcam
// reads the animated QR of the license, which goes back to the daemon.
//
// API (docs/portal.md, "Terminal page"), every request carrying the
// per-run token of the page's URL (?t=...) as ?t= and X-Licet-Token:
//   GET  /api/birth   {product, birth_record (base64), digest, nonce, portal_url, device_code, created_at, ...}
//   POST /api/license a license file (armoured text) -> 200 {status..., imported} | problem details
//   POST /api/confirm a typed confirmation code      -> 200 {status..., imported} | problem details
//   GET  /api/status  the local API's status
// (docs/localapi.md, "The activation page").

import { h, replace } from './dom.js';
import { t, has, lang, setLang, onLangChange, languages, formatTime } from './i18n.js';
import { loadCodec } from './codec.js';
import { qrImage } from './qr-view.js';
import { receiveView } from './receive-view.js';
import { details } from './ui.js';

const params = new URLSearchParams(location.search);
const token = params.get('t') || '';
// ?product=ID names the product when the daemon has no request pending.
const product = params.get('product') || '';
const main = document.getElementById('main');

/** A request to the daemon's page API; problem details become errors. */
async function call(method, path, body, query = '') {
  const res = await fetch(`${path}?t=${encodeURIComponent(token)}${query}`, {
    method,
    headers: { 'X-Licet-Token': token, Accept: 'application/json, application/problem+json', ...(body !== undefined ? { 'Content-Type': 'text/plain; charset=utf-8' } : {}) },
    body,
    cache: 'no-store',
    credentials: 'same-origin',
  });
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = text; }
  if (!res.ok) {
    const p = data && typeof data === 'object' ? data : {};
    const err = new Error(p.detail || p.title || `HTTP ${res.status}`);
    err.status = res.status;
    err.code = p.code || '';
    throw err;
  }
  return data;
}

function statusView(s) {
  if (!s) return h('p', { class: 'muted' }, t('term.noStatus'));
  const state = has(`term.state.${s.state}`) ? t(`term.state.${s.state}`) : s.state;
  return h('div', { class: s.licensed ? 'success' : 'notice', 'data-testid': 'term-status', 'data-state': s.state, 'data-licensed': String(!!s.licensed) },
    h('strong', null, s.licensed ? `✓ ${state}` : state),
    s.reason ? h('p', null, s.reason) : null,
    details([
      s.product ? [t('file.product'), `${s.product}${s.product_name ? ` · ${s.product_name}` : ''}`] : null,
      s.license_id ? [t('file.id'), h('code', { class: 'wrap' }, s.license_id)] : null,
      s.mode ? [t('file.mode'), s.mode] : null,
      s.licensed ? [t('file.notAfter'), s.expires_at ? formatTime(s.expires_at) : t('licenses.noExpiry')] : null,
      s.classical ? [t('term.classical'), t('term.classicalHelp')] : null,
    ]),
    (s.warnings || []).length ? h('ul', null, s.warnings.map((w) => h('li', null, w))) : null,
    s.hint ? h('p', { class: 'muted' }, s.hint) : null);
}

async function render() {
  document.title = `${t('term.title')} · Licet`;
  const langBtn = document.getElementById('lang-toggle');
  const other = languages.find((l) => l.code !== lang());
  langBtn.textContent = other.name;
  langBtn.setAttribute('aria-label', `${t('app.language')}: ${other.name}`);

  const statusBox = h('div', { 'aria-live': 'polite' });
  async function refresh() {
    try {
      replace(statusBox, statusView(await call('GET', '/api/status')));
    } catch (e) {
      replace(statusBox, h('p', { class: 'bad' }, t('term.statusFailed', { message: e.message })));
    }
  }

  let birth;
  let codec;
  try {
    [birth, codec] = await Promise.all([call('GET', '/api/birth', undefined, product ? `&product=${encodeURIComponent(product)}` : ''), loadCodec()]);
  } catch (e) {
    replace(main, h('section', null, h('h1', null, t('term.title')),
      h('p', { class: 'problem', 'data-testid': 'term-error' }, e.status === 401 || e.status === 403 ? t('term.badToken') : t('term.loadFailed', { message: e.message }))));
    return;
  }
  const req = codec.makeRequest({
    product: birth.product,
    birthRecord: birth.birth_record,
    nonce: birth.nonce,
    // The daemon's request time makes the same bundle as `licetd request`.
    issuedAt: Math.floor((Date.parse(birth.created_at) || Date.now()) / 1000),
    instance: birth.instance || undefined,
    portal: birth.portal_url || undefined,
  });
  let requestPart;
  if (!req.ok) {
    requestPart = h('p', { class: 'problem', 'data-testid': 'term-error' }, t('term.requestFailed', { message: req.error.message }));
  } else {
    // The daemon computes the code and the URL too: both must agree.
    const agree = (!birth.device_code || birth.device_code === req.device_code)
      && (!birth.request_url || !req.request_url || birth.request_url === req.request_url);
    requestPart = h('div', { class: 'term-request', 'data-testid': 'term-request', 'data-agree': String(agree) },
      h('p', { class: 'help' }, t('term.codeHelp')),
      h('p', { class: 'devcode-big', 'data-testid': 'term-devcode' }, req.device_code),
      agree ? null : h('p', { class: 'bad', 'data-testid': 'term-mismatch' }, t('term.mismatch', { daemon: birth.device_code })),
      req.request_url
        ? h('div', null, h('p', { class: 'help' }, t('term.qrHelp')),
          qrImage(codec, req.request_url, { alt: t('term.qrAlt'), testid: 'term-qr' }),
          h('p', { class: 'muted small wrap', 'data-testid': 'term-url' }, req.request_url))
        : h('p', { class: 'muted' }, t('term.noURL', { message: req.url_error ? req.url_error.message : '' })));
  }

  const result = h('div', { 'aria-live': 'polite', 'data-testid': 'term-result' });
  async function send(data) {
    const r = codec.readLicenseFile(data);
    if (!r.ok) {
      replace(result, h('p', { class: 'bad' }, t('term.notLicense', { message: r.error.message })));
      return;
    }
    try {
      imported(await call('POST', '/api/license', r.armour));
    } catch (e) {
      replace(result, h('p', { class: 'problem', 'data-testid': 'term-refused', 'data-code': e.code }, t('term.refused', { message: e.message })));
    }
  }
  function imported(s) {
    const kind = s && s.imported ? s.imported.kind : 'license';
    replace(result, h('p', { class: 'success', 'data-testid': 'term-imported', 'data-kind': kind }, kind === 'order' ? t('term.importedOrder') : t('term.imported')));
    if (s && typeof s === 'object' && 'state' in s) replace(statusBox, statusView(s));
    else refresh();
  }

  // A typed confirmation code (DESIGN 5.3), checked block by block.
  const codeInput = h('input', { type: 'text', class: 'devcode-input', autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false', 'data-testid': 'term-confirm-input', 'aria-label': t('term.confirm') });
  const codeState = h('p', { class: 'muted', 'aria-live': 'polite', 'data-testid': 'term-confirm-state' });
  codeInput.addEventListener('input', () => {
    const c = codec.checkConfirmationCode(codeInput.value);
    codeState.dataset.result = c.result;
    if (c.result === 'invalid') replace(codeState, h('span', { class: 'bad' }, c.error.message));
    else if (c.result === 'incomplete') replace(codeState, t('devcode.progress', { typed: c.typed, length: c.length }));
    else replace(codeState, c.result === 'corrected' ? t('term.confirmCorrected', { code: c.canonical }) : t('devcode.valid'));
  });
  const confirmForm = h('form', { class: 'form', novalidate: true },
    h('div', { class: 'field' }, h('label', null, t('term.confirm')), codeInput, codeState, h('p', { class: 'help' }, t('term.confirmHelp'))),
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'secondary', 'data-testid': 'term-confirm' }, t('term.confirmSubmit'))));
  confirmForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const c = codec.parseConfirmationCode(codeInput.value);
    if (!c.ok) { replace(codeState, h('span', { class: 'bad' }, c.error.message)); return; }
    try {
      imported(await call('POST', '/api/confirm', c.canonical));
    } catch (e) {
      replace(result, h('p', { class: 'problem', 'data-testid': 'term-refused', 'data-code': e.code }, t('term.refused', { message: e.message })));
    }
  });
  const rx = receiveView({ codec, onPayload: (bytes) => send(bytes) });
  const picker = h('input', { type: 'file', 'data-testid': 'term-file', 'aria-label': t('term.file') });
  picker.addEventListener('change', async () => {
    const f = picker.files[0];
    if (!f) return;
    const bytes = new Uint8Array(await f.arrayBuffer());
    const text = new TextDecoder().decode(bytes);
    send(text.trimStart().startsWith('-----BEGIN ') ? text : bytes);
  });

  replace(main, h('div', { class: 'terminal', 'data-ready': 'true' },
    h('div', { class: 'page-header' }, h('h1', null, t('term.title'))),
    statusBox,
    h('section', { class: 'panel' }, h('h2', null, t('term.request')), requestPart),
    h('section', { class: 'panel' }, h('h2', null, t('term.receive')), h('p', { class: 'help' }, t('term.receiveHelp')), rx.el,
      h('div', { class: 'field' }, h('label', null, t('term.file')), picker), confirmForm, result)));
  refresh();
}

document.getElementById('lang-toggle').addEventListener('click', () => setLang(languages.find((l) => l.code !== lang()).code));
onLangChange(render);
render();
