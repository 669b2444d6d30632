// One license: its details, download, revoke and reissue.

import { h, replace } from '../dom.js';
import { t } from '../i18n.js';
import { api, get, hasRole, licenseFileURL } from '../api.js';
import { pageHeader, loadFailed, problemBox, confirmDialog, toast } from '../ui.js';
import { licenseDetails, downloadLink } from '../licenses-view.js';
import { loadCodec } from '../codec.js';
import { animatedQR } from '../qr-view.js';

export const title = 'licenses.license';

export async function render({ id, navigate }) {
  let lic;
  try {
    lic = await get(`/licenses/${encodeURIComponent(id)}`);
  } catch (e) {
    return h('section', null, pageHeader(t('licenses.license')), loadFailed(e));
  }
  const out = h('div', { class: 'result', 'aria-live': 'polite' });
  const canEdit = hasRole('admin', 'operator');

  async function act(what) {
    const ok = await confirmDialog(t(`licenses.${what}Confirm`), { confirmLabel: t(`licenses.${what}`), danger: what === 'revoke' });
    if (!ok) return;
    try {
      const res = await api('POST', `/licenses/${encodeURIComponent(lic.id)}/${what}`);
      toast(t(`licenses.${what}d`));
      const next = what === 'reissue' && res && res.id ? res.id : lic.id;
      navigate(`/licenses/${encodeURIComponent(next)}`, { replace: what === 'revoke' });
    } catch (e) {
      replace(out, problemBox(e));
    }
  }

  const qrBox = h('div', { 'data-testid': 'license-aqr' });
  let shown = null;
  async function showQR() {
    if (shown) { shown.stop(); shown = null; replace(qrBox); return; }
    try {
      const [codec, res] = await Promise.all([loadCodec(), fetch(licenseFileURL(lic.id), { credentials: 'same-origin' })]);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const r = codec.readLicenseFile(await res.text());
      if (!r.ok) throw new Error(r.error.message);
      shown = animatedQR(codec, r.binary, { caption: t('aqr.licenseCaption') });
      replace(qrBox, shown.el);
      qrBox.scrollIntoView({ block: 'nearest' });
    } catch (e) {
      replace(qrBox, problemBox(e));
    }
  }
  const actions = [downloadLink(lic, { primary: true }),
    h('button', { type: 'button', class: 'secondary', onclick: showQR, 'data-testid': 'show-aqr' }, t('aqr.show'))];
  // A released license freed its seat: there is nothing to revoke or reissue.
  if (canEdit && lic.status !== 'revoked' && lic.status !== 'released') {
    actions.push(h('button', { type: 'button', class: 'secondary', onclick: () => act('reissue') }, t('licenses.reissue')));
    actions.push(h('button', { type: 'button', class: 'danger', onclick: () => act('revoke') }, t('licenses.revoke')));
  }
  return h('section', null, pageHeader(`${t('licenses.license')} ${lic.id}`, ...actions), out, qrBox, licenseDetails(lic));
}
