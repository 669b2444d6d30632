// How license records look in lists and details, shared by the order,
// activate and license pages.

import { h } from './dom.js';
import { t, formatTime } from './i18n.js';
import { licenseFileURL } from './api.js';
import { badge, details, kvView } from './ui.js';

/** When the license was issued (issued_at, else created_at). */
export function issued(l) {
  return formatTime(l.issued_at || l.created_at);
}

/** When it expires, or "never". */
export function expires(l) {
  const v = l.not_after || l.expires_at;
  return v ? formatTime(v) : t('licenses.noExpiry');
}

/** What the license is bound to: the device code or fingerprint, else the site key. */
export function subject(l) {
  const s = l.device_code || l.fingerprint || l.site_key || l.subject || '';
  return s ? h('code', { class: 'wrap' }, s) : '—';
}

/** A download link for the .license file. */
export function downloadLink(l, { primary = false } = {}) {
  return h('a', {
    href: licenseFileURL(l.id), download: `${l.id}.license`,
    class: `button ${primary ? 'primary' : 'secondary small'}`, 'data-testid': 'download',
  }, t('licenses.download'));
}

/** The columns of a license table. */
export function licenseColumns({ order = true } = {}) {
  return [
    { label: t('licenses.license'), render: (l) => h('a', { href: `/#/licenses/${encodeURIComponent(l.id)}` }, String(l.id)) },
    { label: t('licenses.kind'), render: (l) => t(`kind.${l.kind}`) },
    order ? { label: t('orders.order'), render: (l) => (l.order_id ? h('a', { href: `/#/orders/${encodeURIComponent(l.order_id)}` }, String(l.order_id)) : '—') } : null,
    { label: t('licenses.subject'), render: subject },
    { label: t('licenses.issued'), render: issued },
    { label: t('licenses.expires'), render: expires },
    { label: t('common.status'), render: (l) => badge(l.status) },
    { label: '', class: 'row-actions', render: (l) => downloadLink(l) },
  ].filter(Boolean);
}

/** All known fields of a license record as a definition list. */
export function licenseDetails(l) {
  return details([
    [t('licenses.license'), h('code', null, String(l.id))],
    [t('licenses.kind'), t(`kind.${l.kind}`)],
    [t('common.status'), badge(l.status)],
    l.order_id ? [t('orders.order'), h('a', { href: `/#/orders/${encodeURIComponent(l.order_id)}` }, String(l.order_id))] : null,
    [t('licenses.subject'), subject(l)],
    [t('licenses.issued'), issued(l)],
    [t('licenses.expires'), expires(l)],
    l.kid ? [t('licenses.kid'), h('code', { class: 'wrap' }, l.kid)] : null,
    l.features ? [t('orders.features'), kvView(l.features)] : null,
    l.replaces ? [t('licenses.replaces'), h('a', { href: `/#/licenses/${encodeURIComponent(l.replaces)}` }, String(l.replaces))] : null,
    l.replaced_by ? [t('licenses.replacedBy'), h('a', { href: `/#/licenses/${encodeURIComponent(l.replaced_by)}` }, String(l.replaced_by))] : null,
    l.revoked_at ? [t('licenses.revokedAt'), formatTime(l.revoked_at)] : null,
  ]);
}
