// Scan with the camera (a phone, or a laptop's webcam): a terminal's
// request QR opens the activate page with the request filled in; an
// animated QR (a usage report or a release receipt leaving a closed
// network, or a license) is received, checked against the portal's trusted
// roots and offered as a file.

import { h, replace } from '../dom.js';
import { t } from '../i18n.js';
import { get } from '../api.js';
import { pageHeader, loadFailed } from '../ui.js';
import { loadCodec } from '../codec.js';
import { receiveView } from '../receive-view.js';
import { verifyResult, saveLink, fileName } from '../file-view.js';

export const title = 'nav.scan';

export async function render({ navigate }) {
  let codec;
  try {
    codec = await loadCodec();
  } catch (e) {
    return h('section', null, pageHeader(t('nav.scan')), loadFailed(e));
  }
  const out = h('div', { 'aria-live': 'polite', 'data-testid': 'scan-result' });
  const view = receiveView({
    codec,
    autoStart: true,
    onRequestURL(u) {
      view.stop();
      navigate(`/activate?request=${encodeURIComponent(u.request)}`);
    },
    async onPayload(bytes) {
      let roots = '';
      try { roots = await get('/keys/trust'); } catch { /* shown as untrusted */ }
      const v = codec.verifyLicense(bytes, typeof roots === 'string' ? roots : '', new Date());
      const r = codec.readLicenseFile(bytes);
      replace(out, verifyResult(v), h('div', { class: 'actions' },
        r.ok ? saveLink(r.armour, fileName(r), { primary: true }) : saveLink(bytes, 'received.bin', { primary: true })));
    },
    onText(text) { replace(out, h('p', { class: 'muted' }, t('wb.otherCode'), ' ', h('code', { class: 'wrap' }, text))); },
  });
  return h('section', null, pageHeader(t('nav.scan')), h('p', { class: 'help' }, t('scan.help')), view.el, out);
}
