// The offline workbench (workbench.html): everything that needs no server.
// It works from any static file server on a laptop with no network (python3
// -m http.server over site/static, or the portal itself) and never calls
// the API: check and correct device codes, read request URLs, verify a
// license file against a pasted public key, show a file as an animated QR,
// and receive one with the camera.

import { h, replace } from './dom.js';
import { t, lang, setLang, onLangChange, languages } from './i18n.js';
import { loadCodec } from './codec.js';
import { deviceCodeInput } from './devcode-input.js';
import { animatedQR, qrImage } from './qr-view.js';
import { receiveView } from './receive-view.js';
import { verifyResult, objectDetails, saveLink, fileName } from './file-view.js';

const main = document.getElementById('main');

/** The file the workbench holds: from the file field, a paste, or the camera. */
const state = { file: null, name: '' };

function section(id, title, ...body) {
  return h('section', { class: 'panel wb-section', id }, h('h2', null, title), ...body);
}

/** Text or bytes of a File, as the codec wants it: armoured text stays text. */
async function readFileInput(file) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const head = new TextDecoder().decode(bytes.slice(0, 64));
  return head.trimStart().startsWith('-----BEGIN ') ? new TextDecoder().decode(bytes) : bytes;
}

function devcodeSection() {
  const field = deviceCodeInput({});
  return section('wb-devcode', t('wb.devcode'), h('p', { class: 'help' }, t('wb.devcodeHelp')), field.el);
}

function requestSection(codec) {
  const input = h('textarea', { rows: 3, class: 'mono', spellcheck: 'false', 'data-testid': 'wb-request-input', 'aria-label': t('wb.requestURL') });
  const out = h('div', { 'aria-live': 'polite', 'data-testid': 'wb-request-result' });
  function show() {
    const s = input.value.trim();
    if (!s) { replace(out); return; }
    replace(out, requestDetails(codec, codec.parseRequestURL(s)));
  }
  input.addEventListener('input', show);
  return { el: section('wb-request', t('wb.request'), h('p', { class: 'help' }, t('wb.requestHelp')), input, out), set(u) { input.value = u; show(); } };
}

/** What a request URL holds. */
export function requestDetails(codec, u) {
  if (!u.ok) return h('p', { class: 'bad', 'data-testid': 'request-error' }, t('wb.requestBad', { message: u.error.message }));
  const f = u.fields || {};
  return h('div', { 'data-testid': 'request-details' },
    u.device_code ? h('p', null, t('devcode.label'), ': ', h('code', { 'data-testid': 'request-devcode' }, u.device_code)) : null,
    u.bundle_error ? h('p', { class: 'bad' }, u.bundle_error.message) : null,
    h('p', { class: 'muted small' }, t('wb.requestAbout', { portal: u.portal, product: f.product ?? '—', components: (f.components || []).length })),
    qrImage(codec, u.url, { alt: u.url, testid: 'request-qr' }));
}

function verifySection(codec, onFile) {
  const keys = h('textarea', { rows: 3, class: 'mono', spellcheck: 'false', placeholder: 'licet-pub1:…', 'data-testid': 'wb-keys', 'aria-label': t('wb.keys') });
  const paste = h('textarea', { rows: 4, class: 'mono', spellcheck: 'false', placeholder: '-----BEGIN LICET LICENSE-----', 'data-testid': 'wb-license-text', 'aria-label': t('wb.licenseText') });
  const picker = h('input', { type: 'file', 'data-testid': 'wb-license-file', 'aria-label': t('wb.licenseFile') });
  const keyPicker = h('input', { type: 'file', accept: '.pub,text/plain', 'data-testid': 'wb-keys-file', 'aria-label': t('wb.keysFile') });
  const at = h('input', { type: 'datetime-local', step: 1, 'data-testid': 'wb-at', 'aria-label': t('wb.at') });
  const out = h('div', { 'aria-live': 'polite', 'data-testid': 'wb-verify-out' });
  const verifyBtn = h('button', { type: 'submit', class: 'primary', 'data-testid': 'wb-verify' }, t('wb.verify'));

  function current() {
    if (paste.value.trim()) return paste.value;
    return state.file;
  }

  function verify() {
    const file = current();
    if (!file) { replace(out, h('p', { class: 'bad' }, t('wb.noFile'))); return; }
    const now = at.value ? new Date(at.value) : new Date();
    const v = codec.verifyLicense(file, keys.value, now);
    replace(out, verifyResult(v));
    if (v.leaf) onFile(file);
  }

  picker.addEventListener('change', async () => {
    const f = picker.files[0];
    if (!f) return;
    state.file = await readFileInput(f);
    state.name = f.name;
    paste.value = '';
    verify();
  });
  keyPicker.addEventListener('change', async () => {
    const f = keyPicker.files[0];
    if (f) keys.value = await f.text();
  });
  const form = h('form', { class: 'form', novalidate: true },
    h('div', { class: 'field' }, h('label', null, t('wb.keys')), keys, keyPicker, h('p', { class: 'help' }, t('wb.keysHelp'))),
    h('div', { class: 'field' }, h('label', null, t('wb.licenseFile')), picker),
    h('div', { class: 'field' }, h('label', null, t('wb.licenseText')), paste),
    h('div', { class: 'field' }, h('label', null, t('wb.at')), at, h('p', { class: 'help' }, t('wb.atHelp'))),
    h('div', { class: 'form-actions' }, verifyBtn));
  form.addEventListener('submit', (e) => { e.preventDefault(); verify(); });
  // Drop a file anywhere on the section.
  const el = section('wb-verify', t('wb.verifyTitle'), form, out);
  el.addEventListener('dragover', (e) => { e.preventDefault(); });
  el.addEventListener('drop', async (e) => {
    e.preventDefault();
    const f = e.dataTransfer.files[0];
    if (!f) return;
    state.file = await readFileInput(f);
    state.name = f.name;
    paste.value = '';
    verify();
  });
  return { el, verify, current, setFile(bytes) { state.file = bytes; paste.value = ''; verify(); } };
}

function showSection(codec, getFile) {
  const out = h('div', { 'data-testid': 'wb-show-out' });
  let shown = null;
  const btn = h('button', { type: 'button', class: 'primary', 'data-testid': 'wb-show' }, t('wb.show'));
  btn.addEventListener('click', () => {
    if (shown) shown.stop();
    const file = getFile();
    if (!file) { replace(out, h('p', { class: 'bad' }, t('wb.noFile'))); return; }
    // The binary form is a quarter smaller than the armour: fewer frames.
    const r = codec.readLicenseFile(file);
    const payload = r.ok ? r.binary : (typeof file === 'string' ? new TextEncoder().encode(file) : file);
    shown = animatedQR(codec, payload, { caption: r.ok ? t('wb.showCaption', { type: r.leaf.type, id: r.leaf.id }) : '' });
    replace(out, shown.el);
  });
  return section('wb-show', t('wb.showTitle'), h('p', { class: 'help' }, t('wb.showHelp')), h('div', { class: 'actions' }, btn), out);
}

function receiveSection(codec, verifier, request) {
  const out = h('div', { 'aria-live': 'polite', 'data-testid': 'wb-received' });
  const view = receiveView({
    codec,
    onPayload(bytes, info) {
      const r = codec.readLicenseFile(bytes);
      const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
      replace(out,
        h('p', { class: 'success', 'data-testid': 'wb-received-ok', 'data-bytes': bytes.length, 'data-hex': hex },
          t('wb.received', { bytes: bytes.length, frames: info.frames, seconds: info.seconds.toFixed(1) })),
        r.ok ? objectDetails(r.leaf) : h('p', { class: 'muted' }, t('wb.receivedRaw')),
        h('div', { class: 'actions' },
          saveLink(r.ok ? r.armour : bytes, r.ok ? fileName(r) : 'received.bin', { primary: true }),
          r.ok ? h('button', { type: 'button', class: 'secondary', onclick: () => verifier.setFile(bytes) }, t('wb.verifyReceived')) : null));
    },
    onRequestURL(u) { request.set(u.url); request.el.scrollIntoView({ block: 'nearest' }); },
    onText(text) { replace(out, h('p', { class: 'muted' }, t('wb.otherCode'), ' ', h('code', { class: 'wrap' }, text))); },
  });
  return section('wb-receive', t('wb.receiveTitle'), h('p', { class: 'help' }, t('wb.receiveHelp')), view.el, out);
}

async function render() {
  document.title = `${t('wb.title')} · Licet`;
  const langBtn = document.getElementById('lang-toggle');
  const other = languages.find((l) => l.code !== lang());
  langBtn.textContent = other.name;
  langBtn.setAttribute('aria-label', `${t('app.language')}: ${other.name}`);
  let codec;
  try {
    codec = await loadCodec();
  } catch (e) {
    replace(main, h('section', null, h('h1', null, t('wb.title')), h('p', { class: 'problem' }, t('wb.noCodec', { message: e.message }))));
    return;
  }
  const request = requestSection(codec);
  const verifier = verifySection(codec, () => {});
  replace(main, h('div', { class: 'workbench', 'data-ready': 'true' },
    h('div', { class: 'page-header' }, h('h1', null, t('wb.title'))),
    h('p', { class: 'help' }, t('wb.intro')),
    devcodeSection(),
    request.el,
    verifier.el,
    showSection(codec, verifier.current),
    receiveSection(codec, verifier, request)));
}

document.getElementById('lang-toggle').addEventListener('click', () => setLang(languages.find((l) => l.code !== lang()).code));
onLangChange(render);
render();
