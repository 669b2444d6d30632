// One order: its terms, its licenses, and the actions on it (issue the
// order license, activate a device, revoke).

import { h, replace } from '../dom.js';
import { t, formatTime } from '../i18n.js';
import { api, get, hasRole } from '../api.js';
import { badge, details, kvView, listView, loadFailed, pageHeader, problemBox, toast, confirmDialog, linkButton } from '../ui.js';
import { seatsText, windowText } from './orders.js';
import { licenseColumns, licenseDetails, downloadLink } from '../licenses-view.js';

export const title = 'orders.order';

export async function render({ id, navigate }) {
  let order;
  try {
    order = await get(`/orders/${encodeURIComponent(id)}`);
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
    order.confirm_codes ? h('a', { href: `/#/activate?order=${encodeURIComponent(order.id)}&issue=confirmation`, class: 'button secondary', 'data-testid': 'issue-confirmation-link' }, t('orders.issueConfirmation')) : null,
    h('button', { type: 'button', class: 'danger', onclick: revoke }, t('orders.revoke')),
  ] : [];

  const m = order.mode;
  const leased = m === 'periodic' || m === 'concurrent';
  const c = order.constraints || {};
  const v = order.versions || {};
  const list = (xs) => (Array.isArray(xs) && xs.length ? xs.join(', ') : '');
  return h('section', { 'data-order': order.id },
    pageHeader(`${t('orders.order')} #${order.id}`, ...actions),
    result,
    details([
      [t('common.status'), badge(order.status)],
      [t('orders.product'), order.product_name || String(order.product_id)],
      [t('orders.customer'), order.customer_name || String(order.customer_id)],
      order.reference ? [t('orders.reference'), order.reference] : null,
      [t('orders.mode'), h('span', null, t(`mode.${m}`), h('span', { class: 'muted small block' }, t(`mode.${m}.help`)))],
      [t('orders.seats'), seatsText(order)],
      [t('orders.window'), windowText(order)],
      leased ? [t('orders.leaseDays'), order.lease_days ?? ''] : null,
      leased ? [t('orders.renewDays'), order.renew_days || t('orders.renewDefault')] : null,
      leased ? [t('orders.graceDays'), order.grace_days ?? 0] : null,
      m === 'concurrent' ? [t('orders.borrowDays'), order.max_borrow_days || t('orders.noBorrow')] : null,
      m === 'preactivation' ? [t('orders.deviceTermDays'), order.device_term_days || t('orders.noEnd')] : null,
      [t('orders.features'), kvView(order.features)],
      [t('orders.architectures'), list(c.architectures)],
      [t('orders.osVersions'), list(c.os_versions)],
      [t('orders.serials'), list(c.serials)],
      [t('orders.versions'), v.min || v.max ? `${v.min || '…'} – ${v.max || '…'}` : ''],
      [t('orders.matchPolicy'), order.match_policy ? t(`policy.${order.match_policy}`) : ''],
      [t('orders.autoActivation'), order.auto_activation === false ? t('common.no') : t('common.yes')],
      [t('orders.reclaimReview'), order.reclaim_review ? t('common.yes') : t('common.no')],
      [t('orders.confirmCodes'), h('span', { 'data-testid': 'order-confirm-codes', 'data-on': String(!!order.confirm_codes) },
        order.confirm_codes ? t('orders.confirmCodesOn') : leased ? t('orders.confirmCodesLeased') : t('common.no'))],
      order.confirm_key ? [t('orders.confirmKey'), h('code', { class: 'wrap' }, order.confirm_key)] : null,
      [t('orders.siteKey'), order.site_key ? h('code', { class: 'wrap' }, order.site_key) : ''],
      [t('orders.notes'), order.notes || ''],
      order.uid ? [t('orders.uid'), h('code', { class: 'wrap' }, order.uid)] : null,
      [t('orders.createdBy'), `${order.created_by || ''} · ${formatTime(order.created_at)}`],
      order.revoked_at ? [t('orders.revokedAt'), formatTime(order.revoked_at)] : null,
    ]),
    h('h2', null, t('nav.licenses')),
    licenses.el);
}
