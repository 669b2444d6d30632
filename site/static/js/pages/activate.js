// Activate a device: from a device code typed by a person (checked and
// corrected as it is typed), or from the request a terminal's QR carries
// (/R/<BASE32> opens this page with it filled in). The answer is a device
// license to download.

import { h, replace } from '../dom.js';
import { t } from '../i18n.js';
import { api, get } from '../api.js';
import { pageHeader, problemBox, loadFailed, linkButton } from '../ui.js';
import { deviceCodeInput } from '../devcode-input.js';
import { licenseDetails, downloadLink } from '../licenses-view.js';
import { seatsText } from './orders.js';
import { pairingPanel } from '../pairing.js';

export const title = 'nav.activate';

export async function render({ query, navigate }) {
  let request = (query.get('request') || '').trim();
  let orders;
  try {
    orders = await activeOrders();
  } catch (e) {
    return h('section', null, pageHeader(t('nav.activate')), loadFailed(e));
  }

  const result = h('div', { class: 'result', 'aria-live': 'polite', 'data-testid': 'activation-result' });
  const banner = h('div', { class: 'form-problem' });
  const preset = query.get('order') || (orders.length === 1 ? orders[0].id : '');
  const orderSelect = h('select', { id: 'activate-order', name: 'order_id', required: true, 'data-testid': 'order' },
    h('option', { value: '' }, t('common.choose')),
    orders.map((o) => h('option', { value: o.id, selected: String(o.id) === String(preset) },
      `#${o.id}${o.reference ? ` ${o.reference}` : ''} · ${o.product_name} · ${o.customer_name} · ${t(`mode.${o.mode}`)} · ${seatsText(o)}`)));
  const orderErr = h('p', { class: 'field-error', hidden: true });
  const orderField = h('div', { class: 'field', 'data-field': 'order_id' },
    h('label', { for: 'activate-order' }, t('activate.order'), h('span', { class: 'req', 'aria-hidden': 'true' }, ' *')),
    orderSelect, orderErr);

  let code = null;
  const sourceBox = h('div', { 'data-testid': 'activate-source' });
  function showSource() {
    code = null;
    if (request) {
      replace(sourceBox, h('div', { class: 'field', 'data-field': 'request' },
        h('label', { for: 'activate-request' }, t('activate.request')),
        h('textarea', { id: 'activate-request', rows: 3, readonly: true, class: 'mono', 'data-testid': 'request' }, request),
        h('p', { class: 'help' }, t('activate.requestHelp'), ' ',
          h('a', { href: '/#/activate', onclick: (e) => { e.preventDefault(); navigate('/activate'); } }, t('activate.typeInstead')))));
    } else {
      code = deviceCodeInput({ value: query.get('code') || '' });
      replace(sourceBox, code.el, h('p', { class: 'help' }, t('activate.codeHelp')));
    }
  }
  showSource();
  const source = sourceBox;

  const submit = h('button', { type: 'submit', class: 'primary', 'data-testid': 'activate' }, t('activate.submit'));
  const formEl = h('form', { class: 'form', novalidate: true }, orderField, source, banner, h('div', { class: 'form-actions' }, submit));

  formEl.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    replace(banner);
    orderErr.hidden = true;
    if (code) code.showError('');
    const orderId = orderSelect.value;
    if (!orderId) {
      orderErr.textContent = t('form.required');
      orderErr.hidden = false;
      orderSelect.focus();
      return;
    }
    const body = { order_id: Number(orderId) };
    if (request) {
      body.request = request;
    } else {
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
      body.device_code = code.value();
    }
    submit.disabled = true;
    replace(result);
    try {
      const res = await api('POST', '/activations', body);
      showResult(res);
    } catch (e) {
      const fieldErr = (e.errors || []).find((fe) => /device_code|request/.test(fe.field || ''));
      if (fieldErr && code) code.showError(fieldErr.message);
      banner.append(problemBox(e, (e.errors || []).filter((fe) => fe !== fieldErr)));
    } finally {
      submit.disabled = false;
    }
  });

  function showResult(res) {
    const lic = res.license || res;
    const corr = res.correction;
    replace(result, h('div', { class: 'success', 'data-testid': 'activated' },
      h('h2', null, t('activate.done')),
      corr ? h('p', { class: 'corrected', 'data-testid': 'server-correction' }, correctionText(corr)) : null,
      res.reused ? h('p', { class: 'notice' }, t('activate.reused')) : null,
      res.seats_used !== undefined ? h('p', null, res.seats ? t('orders.seatsOf', { used: res.seats_used, seats: res.seats }) : t('orders.seatsUnlimited', { used: res.seats_used })) : null,
      licenseDetails(lic),
      h('div', { class: 'actions' },
        downloadLink(lic, { primary: true }),
        linkButton(`/#/orders/${encodeURIComponent(lic.order_id || orderSelect.value)}`, t('activate.toOrder')))));
    result.scrollIntoView({ block: 'nearest' });
  }

  // A paired phone's request fills the form at once (docs/portal.md).
  const pairing = pairingPanel({
    onRequest(url) {
      const m = String(url).match(/\/[Rr]\/([^/?#]+)$/);
      request = m ? m[1] : url;
      history.replaceState(null, '', `/#/activate?request=${encodeURIComponent(request)}${orderSelect.value ? `&order=${encodeURIComponent(orderSelect.value)}` : ''}`);
      replace(result);
      replace(banner);
      showSource();
      sourceBox.classList.add('flash');
      sourceBox.scrollIntoView({ block: 'nearest' });
    },
  });

  return h('section', null,
    pageHeader(t('nav.activate'), h('a', { href: '/#/scan', class: 'button secondary', 'data-testid': 'to-scan' }, t('scan.open'))),
    orders.length ? null : h('p', { class: 'notice' }, t('activate.noOrders'), ' ', linkButton('/#/orders?new', t('orders.new'))),
    formEl,
    result,
    pairing.el);
}

/** The server's report of a corrected code: {input, corrected, changes}. */
function correctionText(c) {
  const first = (c.changes || [])[0];
  if (first) return t('devcode.corrected', { position: first.position, group: first.group, was: first.was, became: first.became });
  return `${t('devcode.correctedCode')} ${c.corrected || ''}`;
}

/** Every active order, for the order select. */
async function activeOrders() {
  const out = [];
  let cursor = '';
  for (let i = 0; i < 20; i++) {
    const page = await get('/orders', { status: 'active', limit: 500, cursor });
    out.push(...((page && page.items) || []));
    cursor = page && page.next_cursor;
    if (!cursor) break;
  }
  return out;
}
