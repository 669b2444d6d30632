// Orders: what a customer bought, in one of the five activation modes.

import { h, replace } from '../dom.js';
import { t, formatDate } from '../i18n.js';
import { api, get, hasRole } from '../api.js';
import { form, listView, pageHeader, badge, toast, loadFailed, linkButton } from '../ui.js';
import { compact } from './resource.js';

export const title = 'nav.orders';

export const modes = ['permanent', 'periodic', 'concurrent', 'unlimited', 'preactivation'];
export const policies = ['fuzzy', 'exact', 'loose'];

/** Loads every product and customer (for the selects of the order form). */
export async function loadRefs() {
  const [products, customers] = await Promise.all([getAll('/products'), getAll('/customers')]);
  return { products, customers };
}

async function getAll(path) {
  const items = [];
  let cursor = '';
  for (let i = 0; i < 20; i++) {
    const page = await get(path, { limit: 500, cursor });
    items.push(...((page && page.items) || []));
    cursor = page && page.next_cursor;
    if (!cursor) break;
  }
  return items;
}

/** Seats text: "used of total", or "used, no limit". */
export function seatsText(o) {
  const used = o.seats_used ?? 0;
  return o.mode === 'unlimited' || !o.seats ? t('orders.seatsUnlimited', { used }) : t('orders.seatsOf', { used, seats: o.seats });
}

/** The order's window as "from – to". */
export function windowText(o) {
  if (!o.not_before && !o.not_after) return t('orders.noWindow');
  return `${o.not_before ? formatDate(o.not_before) : '…'} – ${o.not_after ? formatDate(o.not_after) : t('orders.noEnd')}`;
}

/** The fields of the order form; each shows only in the modes it applies to. */
function orderFields(refs) {
  const only = (...m) => (v) => m.includes(v.mode);
  const not = (...m) => (v) => !m.includes(v.mode);
  return [
    { name: 'product_id', label: t('orders.product'), type: 'select', numeric: true, required: true, options: [{ value: '', label: t('common.choose') }, ...refs.products.map((p) => ({ value: p.id, label: `${p.name} (${p.short_id})` }))] },
    { name: 'customer_id', label: t('orders.customer'), type: 'select', numeric: true, required: true, options: [{ value: '', label: t('common.choose') }, ...refs.customers.map((c) => ({ value: c.id, label: c.name }))] },
    { name: 'mode', label: t('orders.mode'), type: 'select', required: true, value: 'permanent', options: modes.map((m) => ({ value: m, label: t(`mode.${m}`) })) },
    { name: 'seats', label: t('orders.seats'), type: 'number', min: 1, required: true, value: 1, show: not('unlimited') },
    { name: 'not_before', label: t('orders.notBefore'), type: 'date', help: t('orders.notBeforeHelp') },
    { name: 'not_after', label: t('orders.notAfter'), type: 'date', endOfDay: true, help: t('orders.notAfterHelp'), show: not('unlimited') },
    { name: 'not_after', label: t('orders.unlimitedUntil'), type: 'date', endOfDay: true, required: true, help: t('orders.unlimitedHelp'), show: only('unlimited') },
    { name: 'lease_days', label: t('orders.leaseDays'), type: 'number', min: 1, max: 36500, required: true, value: 30, help: t('orders.leaseHelp'), show: only('periodic', 'concurrent') },
    { name: 'renew_days', label: t('orders.renewDays'), type: 'number', min: 0, max: 36500, help: t('orders.renewHelp'), show: only('periodic', 'concurrent') },
    { name: 'grace_days', label: t('orders.graceDays'), type: 'number', min: 0, max: 36500, value: 3, help: t('orders.graceHelp'), show: only('periodic', 'concurrent') },
    { name: 'max_borrow_days', label: t('orders.borrowDays'), type: 'number', min: 0, max: 36500, help: t('orders.borrowHelp'), show: only('concurrent') },
    { name: 'device_term_days', label: t('orders.deviceTermDays'), type: 'number', min: 0, max: 36500, help: t('orders.deviceTermHelp'), show: only('preactivation') },
    { name: 'features', label: t('orders.features'), type: 'kv', strings: true, help: t('orders.featuresHelp'), placeholder: 'reports\nmax_users=50' },
    { name: 'architectures', label: t('orders.architectures'), type: 'list', help: t('orders.architecturesHelp'), placeholder: 'amd64, arm64', show: not('preactivation') },
    { name: 'os_versions', label: t('orders.osVersions'), type: 'list', help: t('orders.listHelp'), show: not('preactivation') },
    { name: 'serials', label: t('orders.serials'), type: 'list', help: t('orders.listHelp'), show: not('preactivation') },
    { name: 'version_min', label: t('orders.versionMin'), placeholder: '2.0', help: t('orders.versionHelp') },
    { name: 'version_max', label: t('orders.versionMax'), placeholder: '3.0' },
    { name: 'match_policy', label: t('orders.matchPolicy'), type: 'select', value: 'fuzzy', options: policies.map((p) => ({ value: p, label: t(`policy.${p}`) })) },
    { name: 'auto_activation', label: t('orders.autoActivation'), type: 'checkbox', value: true, help: t('orders.autoActivationHelp') },
    { name: 'reclaim_review', label: t('orders.reclaimReview'), type: 'checkbox', value: false, help: t('orders.reclaimReviewHelp') },
    // Periodic and concurrent terminals get leases from a site server;
    // a confirmation code grants what a device license does.
    { name: 'confirm_codes', label: t('orders.confirmCodes'), type: 'checkbox', value: false, help: t('orders.confirmCodesHelp'), show: not('periodic', 'concurrent') },
    { name: 'reference', label: t('orders.reference'), help: t('orders.referenceHelp') },
    { name: 'site_key', label: t('orders.siteKey'), type: 'textarea', rows: 2, help: t('orders.siteKeyHelp'), placeholder: 'licet-pub1:…', attrs: { autocapitalize: 'none' } },
    { name: 'notes', label: t('orders.notes'), type: 'textarea', rows: 2 },
  ];
}

/** The request body of POST /orders from the form's values. */
export function orderBody(v) {
  const b = { ...v };
  const constraints = { architectures: b.architectures, os_versions: b.os_versions, serials: b.serials };
  delete b.architectures; delete b.os_versions; delete b.serials;
  b.constraints = compact(constraints);
  b.versions = compact({ min: b.version_min, max: b.version_max });
  delete b.version_min; delete b.version_max;
  if (b.match_policy === 'fuzzy') delete b.match_policy;
  if (b.auto_activation) delete b.auto_activation;
  if (!b.reclaim_review) delete b.reclaim_review;
  if (!b.confirm_codes) delete b.confirm_codes;
  return compact(b);
}

export async function render({ navigate, query }) {
  let refs;
  try {
    refs = await loadRefs();
  } catch (e) {
    return h('section', null, pageHeader(t('nav.orders')), loadFailed(e));
  }
  const canEdit = hasRole('admin', 'operator');
  const panel = h('div', { class: 'panel', hidden: true });

  function openNew() {
    if (!refs.products.length || !refs.customers.length) {
      replace(panel, h('p', { class: 'notice' }, t('orders.needRefs'), ' ',
        linkButton('/#/products', t('nav.products')), ' ', linkButton('/#/customers', t('nav.customers'))));
      panel.hidden = false;
      return;
    }
    const modeHelp = h('p', { class: 'help mode-help', 'aria-live': 'polite' });
    const f = form({
      fields: orderFields(refs),
      submitLabel: t('orders.create'),
      secondary: h('button', { type: 'button', class: 'secondary', onclick: () => { panel.hidden = true; replace(panel); } }, t('common.cancel')),
      onSubmit: async (v) => {
        const o = await api('POST', '/orders', orderBody(v));
        toast(t('orders.created'));
        navigate(`/orders/${encodeURIComponent(o.id)}`);
      },
    });
    // The mode's explanation sits under the mode select.
    const modeSelect = f.input('mode');
    const showHelp = () => { modeHelp.textContent = t(`mode.${modeSelect.value}.help`); };
    modeSelect.closest('.field').append(modeHelp);
    modeSelect.addEventListener('change', showHelp);
    showHelp();
    if (query.get('product')) f.set('product_id', query.get('product'));
    if (query.get('customer')) f.set('customer_id', query.get('customer'));
    replace(panel, h('h2', null, t('orders.new')), f.el);
    panel.hidden = false;
    f.input('product_id').focus();
  }

  const list = listView({
    load: (params) => get('/orders', params),
    columns: [
      { label: t('orders.order'), render: (o) => h('a', { href: `/#/orders/${encodeURIComponent(o.id)}` }, `#${o.id}`, o.reference ? ` · ${o.reference}` : '') },
      { label: t('orders.product'), render: (o) => o.product_name || String(o.product_id) },
      { label: t('orders.customer'), render: (o) => o.customer_name || String(o.customer_id) },
      { label: t('orders.mode'), render: (o) => t(`mode.${o.mode}`) },
      { label: t('orders.seats'), render: seatsText },
      { label: t('orders.window'), render: windowText },
      { label: t('common.status'), render: (o) => badge(o.status) },
    ],
    filters: [
      { name: 'q', label: t('common.search'), type: 'search', placeholder: t('orders.searchHint') },
      { name: 'status', label: t('common.status'), type: 'select', options: [{ value: '', label: t('common.all') }, ...['active', 'revoked'].map((s) => ({ value: s, label: t(`status.${s}`) }))] },
      { name: 'mode', label: t('orders.mode'), type: 'select', options: [{ value: '', label: t('common.all') }, ...modes.map((m) => ({ value: m, label: t(`mode.${m}`) }))] },
      { name: 'product', label: t('orders.product'), type: 'select', options: [{ value: '', label: t('common.all') }, ...refs.products.map((p) => ({ value: p.id, label: p.name }))] },
      { name: 'customer', label: t('orders.customer'), type: 'select', options: [{ value: '', label: t('common.all') }, ...refs.customers.map((c) => ({ value: c.id, label: c.name }))] },
    ],
    initial: { product: query.get('product') || '', customer: query.get('customer') || '' },
  });
  const section = h('section', null,
    pageHeader(t('nav.orders'), canEdit ? h('button', { type: 'button', class: 'primary', 'data-testid': 'new', onclick: openNew }, t('orders.new')) : null),
    panel, list.el);
  if (canEdit && query.get('new') !== null) openNew();
  return section;
}
