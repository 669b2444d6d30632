// One order: its terms, its licenses, and the actions on it (issue the
// order license, activate a device, revoke).

import { h, replace } from '../dom.js';
import { t } from '../i18n.js';
import { api, get, hasRole } from '../api.js';
import { badge, details, kvView, listView, loadFailed, pageHeader, problemBox, toast, confirmDialog, linkButton } from '../ui.js';
import { loadRefs, seatsText, windowText } from './orders.js';
import { licenseColumns, licenseDetails, downloadLink } from '../licenses-view.js';

export const title = 'orders.order';

export async function render({ id, navigate }) {
  let order;
  let refs;
  try {
    [order, refs] = await Promise.all([get(`/orders/${encodeURIComponent(id)}`), loadRefs()]);
  } catch (e) {
    return h('section', null, pageHeader(t('orders.order')), loadFailed(e));
  }
  const canEdit = hasRole('admin', 'operator');
  const result = h('div', { class: 'result', 'aria-live': 'polite' });
  const active = order.status === 'active';

  const licenses = listView({
    load: (params) => get('/licenses', { ...params, order: order.id }),
    columns: licenseColumns({ order: false }),
    empty: t('orders.noLicenses'),
  });

  async function issue(ev) {
    const btn = ev.currentTarget;
    btn.disabled = true;
    replace(result);
    try {
      const lic = await api('POST', `/orders/${encodeURIComponent(order.id)}/license`);
      replace(result, h('div', { class: 'success', 'data-testid': 'issued' },
        h('h2', null, t('orders.issued')),
        licenseDetails(lic),
        h('div', { class: 'actions' }, downloadLink(lic, { primary: true }))));
      licenses.reload();
    } catch (e) {
      replace(result, problemBox(e));
    } finally {
      btn.disabled = false;
    }
  }

  async function revoke() {
    if (!(await confirmDialog(t('orders.revokeConfirm'), { confirmLabel: t('orders.revoke'), danger: true }))) return;
    try {
      await api('POST', `/orders/${encodeURIComponent(order.id)}/revoke`);
      toast(t('orders.revoked'));
      navigate(`/orders/${encodeURIComponent(order.id)}`, { replace: true });
    } catch (e) {
      replace(result, problemBox(e));
    }
  }

  const actions = canEdit && active ? [
    h('button', { type: 'button', class: 'primary', 'data-testid': 'issue-order-license', onclick: issue }, t('orders.issue')),
    linkButton(`/#/activate?order=${encodeURIComponent(order.id)}`, t('orders.activateDevice')),
    h('button', { type: 'button', class: 'danger', onclick: revoke }, t('orders.revoke')),
  ] : [];

  const periodic = order.mode === 'periodic' || order.mode === 'concurrent';
  return h('section', { 'data-order': order.id },
    pageHeader(`${t('orders.order')} ${order.id}`, ...actions),
    result,
    details([
      [t('common.status'), badge(order.status)],
      [t('orders.product'), refs.productName(order.product_id)],
      [t('orders.customer'), refs.customerName(order.customer_id)],
      [t('orders.mode'), h('span', null, t(`mode.${order.mode}`), h('span', { class: 'muted small block' }, t(`mode.${order.mode}.help`)))],
      [t('orders.seats'), seatsText(order)],
      [t('orders.window'), windowText(order)],
      periodic ? [order.mode === 'concurrent' ? t('orders.borrowDays') : t('orders.leaseDays'), order.lease_days ?? ''] : null,
      order.mode === 'periodic' ? [t('orders.renewDays'), order.renew_days ?? ''] : null,
      periodic ? [t('orders.graceDays'), order.grace_days ?? ''] : null,
      [t('orders.features'), kvView(order.features)],
      [t('orders.constraints'), kvView(order.constraints)],
      [t('orders.autoActivation'), order.auto_activation === false ? t('common.no') : t('common.yes')],
      [t('orders.siteKey'), order.site_key ? h('code', { class: 'wrap' }, order.site_key) : ''],
    ]),
    h('h2', null, t('nav.licenses')),
    licenses.el);
}
