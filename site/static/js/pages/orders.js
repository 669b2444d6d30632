// Orders: what a customer bought, in one of the five activation modes.

import { h, replace } from '../dom.js';
import { t, formatDate } from '../i18n.js';
import { api, get, hasRole } from '../api.js';
import { form, listView, pageHeader, badge, toast, loadFailed, linkButton } from '../ui.js';

export const title = 'nav.orders';

export const modes = ['permanent', 'periodic', 'concurrent', 'unlimited', 'preactivation'];

/** Loads every product and customer (for selects and names). */
export async function loadRefs() {
  const [products, customers] = await Promise.all([getAll('/products'), getAll('/customers')]);
  return {
    products,
    customers,
    productName: (id) => (products.find((p) => p.id === id) || {}).name || id,
    customerName: (id) => (customers.find((c) => c.id === id) || {}).name || id,
  };
}

async function getAll(path) {
  const items = [];
  let cursor = '';
  for (let i = 0; i < 20; i++) {
    const page = await get(path, { limit: 200, cursor });
    items.push(...((page && page.items) || []));
    cursor = page && page.next_cursor;
    if (!cursor) break;
  }
  return items;
}

/** Drops empty values so that the server applies its defaults. */
export function compact(v) {
  const out = {};
  for (const [k, val] of Object.entries(v)) {
    if (val === '' || val === undefined) continue;
    if (val && typeof val === 'object' && !Object.keys(val).length) continue;
    out[k] = val;
  }
  return out;
}

/** Seats text: "used / total", or "used / unlimited". */
export function seatsText(o) {
  const used = o.seats_used ?? 0;
  return o.mode === 'unlimited' || !o.seats ? t('orders.seatsUnlimited', { used }) : t('orders.seatsOf', { used, seats: o.seats });
}

/** The order's window as "from – to". */
export function windowText(o) {
  if (!o.not_before && !o.not_after) return t('orders.noWindow');
  return `${o.not_before ? formatDate(o.not_before) : '…'} – ${o.not_after ? formatDate(o.not_after) : '…'}`;
}

function orderFields(refs) {
  const has = (...m) => (v) => m.includes(v.mode);
  const modeHelp = h('p', { class: 'help mode-help', 'aria-live': 'polite' });
  return {
    modeHelp,
    fields: [
      { name: 'product_id', label: t('orders.product'), type: 'select', required: true, options: [{ value: '', label: t('common.choose') }, ...refs.products.map((p) => ({ value: p.id, label: `${p.name} (${p.short_id})` }))] },
      { name: 'customer_id', label: t('orders.customer'), type: 'select', required: true, options: [{ value: '', label: t('common.choose') }, ...refs.customers.map((c) => ({ value: c.id, label: c.name }))] },
      { name: 'mode', label: t('orders.mode'), type: 'select', required: true, value: 'permanent', options: modes.map((m) => ({ value: m, label: t(`mode.${m}`) })) },
      { name: 'seats', label: t('orders.seats'), type: 'number', min: 1, required: true, value: 1, show: (v) => v.mode !== 'unlimited' },
      { name: 'not_before', label: t('orders.notBefore'), type: 'date', help: t('orders.windowHelp') },
      { name: 'not_after', label: t('orders.notAfter'), type: 'date', endOfDay: true, show: (v) => v.mode !== 'unlimited', },
      { name: 'not_after', label: t('orders.unlimitedUntil'), type: 'date', endOfDay: true, required: true, show: (v) => v.mode === 'unlimited' },
      { name: 'lease_days', label: t('orders.leaseDays'), type: 'number', min: 1, required: true, value: 30, help: t('orders.leaseHelp'), show: has('periodic') },
      { name: 'lease_days', label: t('orders.borrowDays'), type: 'number', min: 0, help: t('orders.borrowHelp'), show: has('concurrent') },
      { name: 'renew_days', label: t('orders.renewDays'), type: 'number', min: 1, value: 7, help: t('orders.renewHelp'), show: has('periodic') },
      { name: 'grace_days', label: t('orders.graceDays'), type: 'number', min: 0, value: 3, help: t('orders.graceHelp'), show: has('periodic', 'concurrent') },
      { name: 'features', label: t('orders.features'), type: 'kv', help: t('orders.featuresHelp'), placeholder: 'reports\nmax_users=50' },
      { name: 'constraints', label: t('orders.constraints'), type: 'kv', help: t('orders.constraintsHelp'), placeholder: 'arch=amd64\nmin_version=2.0' },
      { name: 'auto_activation', label: t('orders.autoActivation'), type: 'checkbox', value: true, help: t('orders.autoActivationHelp') },
      { name: 'site_key', label: t('orders.siteKey'), help: t('orders.siteKeyHelp'), attrs: { spellcheck: 'false', autocapitalize: 'none' } },
    ],
  };
}

export async function render({ navigate, query }) {
  const section = h('section');
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
    const { fields, modeHelp } = orderFields(refs);
    const f = form({
      fields,
      submitLabel: t('orders.create'),
      secondary: h('button', { type: 'button', class: 'secondary', onclick: () => { panel.hidden = true; replace(panel); } }, t('common.cancel')),
      onSubmit: async (v) => {
        const o = await api('POST', '/orders', compact(v));
        toast(t('orders.created'));
        navigate(`/orders/${encodeURIComponent(o.id)}`);
      },
    });
    // Keep the mode's explanation under the mode select.
    const modeSelect = f.input('mode');
    const showHelp = () => { modeHelp.textContent = t(`mode.${modeSelect.value}.help`); };
    modeSelect.closest('.field').append(modeHelp);
    modeSelect.addEventListener('change', showHelp);
    showHelp();
    const pre = query.get('product');
    if (pre) f.set('product_id', pre);
    replace(panel, h('h2', null, t('orders.new')), f.el);
    panel.hidden = false;
    f.input('product_id').focus();
  }

  const list = listView({
    load: (params) => get('/orders', params),
    columns: [
      { label: t('orders.order'), render: (o) => h('a', { href: `/#/orders/${encodeURIComponent(o.id)}` }, String(o.id)) },
      { label: t('orders.product'), render: (o) => refs.productName(o.product_id) },
      { label: t('orders.customer'), render: (o) => refs.customerName(o.customer_id) },
      { label: t('orders.mode'), render: (o) => t(`mode.${o.mode}`) },
      { label: t('orders.seats'), render: seatsText },
      { label: t('orders.window'), render: windowText },
      { label: t('common.status'), render: (o) => badge(o.status) },
    ],
    filters: [
      { name: 'q', label: t('common.search'), type: 'search', placeholder: t('common.searchHint') },
      { name: 'status', label: t('common.status'), type: 'select', options: [{ value: '', label: t('common.all') }, ...['active', 'revoked', 'expired'].map((s) => ({ value: s, label: t(`status.${s}`) }))] },
      { name: 'product', label: t('orders.product'), type: 'select', options: [{ value: '', label: t('common.all') }, ...refs.products.map((p) => ({ value: p.id, label: p.name }))] },
      { name: 'customer', label: t('orders.customer'), type: 'select', options: [{ value: '', label: t('common.all') }, ...refs.customers.map((c) => ({ value: c.id, label: c.name }))] },
    ],
    initial: { product: query.get('product') || '', customer: query.get('customer') || '' },
  });
  replace(section,
    pageHeader(t('nav.orders'), canEdit ? h('button', { type: 'button', class: 'primary', 'data-testid': 'new', onclick: openNew }, t('orders.new')) : null),
    panel, list.el);
  if (canEdit && query.get('new') !== null) openNew();
  return section;
}
