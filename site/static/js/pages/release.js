// Release a seat with a release code: a terminal that gives its license up
// offline (licetd release) shows 40 characters, which a person types here
// (checked block by block as typed, one wrong character in each half
// corrected). POST /api/v1/releases frees the seat of the license the code
// names (docs/formats.md, "Release codes"; docs/api.md, "Release codes").
//
// #/release?code=... fills the field in.

import { h, replace } from '../dom.js';
import { t } from '../i18n.js';
import { api, get } from '../api.js';
import { pageHeader, problemBox, linkButton } from '../ui.js';
import { codeInput, correctionText } from '../devcode-input.js';
import { licenseDetails, shortID } from '../licenses-view.js';
import { seatsText } from './orders.js';

export const title = 'release.title';

// Problems that need more than their title: what to do about them.
const advice = {
  license_not_found: () => t('release.why.license_not_found'),
  release_code_mismatch: () => t('release.why.release_code_mismatch'),
  conflict: () => t('release.why.conflict'),
  rate_limited: () => t('release.why.rate_limited'),
};

export function render({ query }) {
  const code = codeInput({ kind: 'release', value: query.get('code') || '' });
  const banner = h('div', { class: 'form-problem' });
  const result = h('div', { class: 'result', 'aria-live': 'polite', 'data-testid': 'release-result' });
  const submit = h('button', { type: 'submit', class: 'primary', 'data-testid': 'release' }, t('release.submit'));
  const formEl = h('form', { class: 'form', novalidate: true },
    code.el, h('p', { class: 'help' }, t('release.codeHelp')),
    banner, h('div', { class: 'form-actions' }, submit));

  formEl.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    replace(banner);
    code.showError('');
    const st = code.state();
    if (!code.value()) {
      code.showError(t('form.required'));
      code.input.focus();
      return;
    }
    if (st && st.result === 'invalid') {
      code.input.focus();
      return;
    }
    if (st && st.result === 'incomplete') {
      code.showError(t('release.err.length', { got: st.typed, want: st.length }));
      code.input.focus();
      return;
    }
    submit.disabled = true;
    replace(result);
    try {
      const res = await api('POST', '/releases', { code: code.value() });
      await showResult(res);
    } catch (e) {
      const errs = e.errors || [];
      const fieldErr = errs.find((fe) => fe.field === 'code');
      if (fieldErr) code.showError(fieldErr.message);
      banner.append(problemBox(e, errs.filter((fe) => fe !== fieldErr)));
      if (advice[e.code]) banner.append(h('p', { class: 'help', 'data-testid': 'release-advice' }, advice[e.code]()));
    } finally {
      submit.disabled = false;
    }
  });

  async function showResult(res) {
    const lic = res.license;
    // The order's seats now, to show the seat free (the release answer
    // carries the license only).
    let order = null;
    try {
      order = await get(`/orders/${encodeURIComponent(lic.order_id)}`);
    } catch { /* shown without the count */ }
    replace(result, h('div', { class: 'success', 'data-testid': 'released', 'data-already': String(!!res.already), 'data-license': lic.id },
      h('h2', null, res.already ? t('release.already') : t('release.done')),
      res.correction ? h('p', { class: 'corrected', 'data-testid': 'server-correction' }, correctionText(res.correction)) : null,
      h('p', { 'data-testid': 'release-summary' }, t('release.summary', { license: shortID(lic.id), order: lic.order_id, date: res.released_on })),
      res.already ? h('p', { class: 'notice' }, t('release.alreadyHelp')) : null,
      order ? h('p', { 'data-testid': 'release-seats' }, t('release.seats', { order: order.id, seats: seatsText(order) })) : null,
      licenseDetails(lic),
      h('p', { class: 'help' }, t('release.declaration')),
      h('div', { class: 'actions' },
        linkButton(`/#/licenses/${encodeURIComponent(lic.id)}`, t('licenses.open')),
        linkButton(`/#/orders/${encodeURIComponent(lic.order_id)}`, t('orders.open')))));
    result.scrollIntoView({ block: 'nearest' });
  }

  return h('section', null,
    pageHeader(t('release.title')),
    h('p', { class: 'help' }, t('release.intro')),
    formEl,
    result);
}
