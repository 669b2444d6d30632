// One license: its details, download, revoke and reissue.

import { h, replace } from '../dom.js';
import { t } from '../i18n.js';
import { api, get, hasRole } from '../api.js';
import { pageHeader, loadFailed, problemBox, confirmDialog, toast } from '../ui.js';
import { licenseDetails, downloadLink } from '../licenses-view.js';

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

  const actions = [downloadLink(lic, { primary: true })];
  if (canEdit && lic.status !== 'revoked') {
    actions.push(h('button', { type: 'button', class: 'secondary', onclick: () => act('reissue') }, t('licenses.reissue')));
    actions.push(h('button', { type: 'button', class: 'danger', onclick: () => act('revoke') }, t('licenses.revoke')));
  }
  return h('section', null, pageHeader(`${t('licenses.license')} ${lic.id}`, ...actions), out, licenseDetails(lic));
}
