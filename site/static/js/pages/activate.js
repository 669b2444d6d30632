// Activate a device: from a device code typed by a person (checked and
// corrected as it is typed), or from the request a terminal's QR carries
// (/R/<BASE32> opens this page with it filled in). The answer is a device
// license to download, or, for an order that accepts confirmation codes
// and a typed device code, a confirmation code to read out to the
// terminal's operator (docs/formats.md, "Confirmation codes").
//
// #/activate?order=ID preselects an order; &issue=confirmation chooses the
// confirmation code.

import { h, replace } from '../dom.js';
import { t, formatTime } from '../i18n.js';
import { api, get } from '../api.js';
import { pageHeader, problemBox, loadFailed, linkButton, details } from '../ui.js';
import { deviceCodeInput, correctionText } from '../devcode-input.js';
import { licenseDetails, downloadLink } from '../licenses-view.js';
import { codeBlock } from '../code-view.js';
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

  // What to issue: a license file, or a confirmation code when the order
  // names a confirmation key and the device code is typed.
  const byId = new Map(orders.map((o) => [String(o.id), o]));
  const radio = (value) => h('input', {
    type: 'radio', name: 'issue', value, checked: (query.get('issue') === 'confirmation') === (value === 'confirmation'),
    'data-testid': `issue-${value}`, onchange: updateIssue,
  });
  const issueLicense = radio('license');
  const issueConfirmation = radio('confirmation');
  const daysInput = h('input', {
    id: 'activate-days', name: 'days', type: 'number', inputmode: 'numeric', min: 1, max: 32767, step: 1,
    'aria-describedby': 'activate-days-help activate-days-err', 'data-testid': 'confirm-days',
  });
  const daysErr = h('p', { class: 'field-error', id: 'activate-days-err', hidden: true });
  const daysField = h('div', { class: 'field', 'data-field': 'days' },
    h('label', { for: 'activate-days' }, t('confirm.days')), daysInput,
    h('p', { class: 'help', id: 'activate-days-help' }, t('confirm.daysHelp')), daysErr);
  const issueField = h('fieldset', { class: 'field choices', 'data-field': 'issue', 'data-testid': 'issue-choice' },
    h('legend', null, t('activate.issue')),
    h('label', { class: 'choice' }, issueLicense,
      h('span', null, t('activate.issueLicense'), h('span', { class: 'help block' }, t('activate.issueLicenseHelp')))),
    h('label', { class: 'choice' }, issueConfirmation,
      h('span', null, t('activate.issueConfirmation'), h('span', { class: 'help block' }, t('activate.issueConfirmationHelp')))),
    daysField);
  let confirming = false;
  function updateIssue() {
    const o = byId.get(orderSelect.value);
    const can = !request && !!o && !!o.confirm_codes;
    confirming = can && issueConfirmation.checked;
    issueField.hidden = !can;
    daysField.hidden = !confirming;
    submit.textContent = confirming ? t('confirm.submit') : t('activate.submit');
  }
  orderSelect.addEventListener('change', updateIssue);

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
  const submit = h('button', { type: 'submit', class: 'primary', 'data-testid': 'activate' }, t('activate.submit'));
  showSource();
  updateIssue();
  const formEl = h('form', { class: 'form', novalidate: true }, orderField, sourceBox, issueField, banner, h('div', { class: 'form-actions' }, submit));

  formEl.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    replace(banner);
    orderErr.hidden = true;
    daysErr.hidden = true;
    daysInput.removeAttribute('aria-invalid');
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
    const confirmation = confirming;
    let days;
    if (confirmation && daysInput.value.trim() !== '') {
      days = Number(daysInput.value.trim());
      if (!Number.isInteger(days) || days < 1 || days > 32767) {
        daysErr.textContent = t('form.range', { min: 1, max: 32767 });
        daysErr.hidden = false;
        daysInput.setAttribute('aria-invalid', 'true');
        daysInput.focus();
        return;
      }
    }
    submit.disabled = true;
    replace(result);
    try {
      if (confirmation) {
        const res = await api('POST', `/orders/${encodeURIComponent(orderId)}/confirmations`, { device_code: body.device_code, days });
        showConfirmation(res);
      } else {
        showResult(await api('POST', '/activations', body));
      }
    } catch (e) {
      const errs = e.errors || [];
      const fieldErr = errs.find((fe) => /device_code|request/.test(fe.field || ''));
      if (fieldErr && code) code.showError(fieldErr.message);
      const dayErr = confirmation ? errs.find((fe) => fe.field === 'days') : null;
      if (dayErr) {
        daysErr.textContent = dayErr.message;
        daysErr.hidden = false;
        daysInput.setAttribute('aria-invalid', 'true');
      }
      banner.append(problemBox(e, errs.filter((fe) => fe !== fieldErr && fe !== dayErr)));
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

  // A confirmation code: large, grouped, with its terms and the full
  // license of the same activation, which can replace it later.
  function showConfirmation(res) {
    const lic = res.license;
    const orderId = lic.order_id || orderSelect.value;
    const corr = res.correction;
    replace(result, h('div', { class: 'success', 'data-testid': 'confirmed' },
      h('h2', null, t('confirm.done')),
      corr ? h('p', { class: 'corrected', 'data-testid': 'server-correction' }, correctionText(corr)) : null,
      res.reused ? h('p', { class: 'notice', 'data-testid': 'confirm-reused' }, t('confirm.reused')) : null,
      h('p', null, t('confirm.readOut')),
      codeBlock(res.code, { testid: 'confirm-code', label: t('licenses.confirmCode') }),
      details([
        [t('confirm.validUntil'), h('span', { 'data-testid': 'confirm-until' }, res.not_after ? formatTime(res.not_after) : t('orders.noEnd'))],
        [t('devcode.label'), h('code', { class: 'wrap' }, lic.device_code || '')],
        [t('orders.order'), h('a', { href: `/#/orders/${encodeURIComponent(orderId)}` }, `#${orderId}`)],
        [t('orders.seats'), res.seats ? t('orders.seatsOf', { used: res.seats_used ?? '?', seats: res.seats }) : t('orders.noSeatLimit')],
        [t('licenses.license'), h('a', { href: `/#/licenses/${encodeURIComponent(lic.id)}` }, h('code', { class: 'wrap' }, lic.id))],
      ]),
      h('p', { class: 'help' }, t('confirm.needsOrder')),
      h('p', { class: 'notice', 'data-testid': 'confirm-full-license' }, t('confirm.fullLicense')),
      h('div', { class: 'actions' },
        downloadLink(lic),
        linkButton(`/#/licenses/${encodeURIComponent(lic.id)}`, t('licenses.open')),
        linkButton(`/#/orders/${encodeURIComponent(orderId)}`, t('activate.toOrder')))));
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
      updateIssue();
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
