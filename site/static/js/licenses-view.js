// How license records look in lists and details, shared by the order,
// activate and license pages.

import { h } from './dom.js';
import { t, formatTime, has } from './i18n.js';
import { licenseFileURL } from './api.js';
import { badge, details } from './ui.js';
import { codeBlock } from './code-view.js';

/** When it expires, or "never". */
export function expires(l) {
  return l.expires_at ? formatTime(l.expires_at) : t('licenses.noExpiry');
}

/** What a device license is bound to: its device code, else the birth-record digest. */
export function subject(l) {
  if (l.device_code) return h('code', { class: 'wrap' }, l.device_code);
  if (l.binding) return h('code', { class: 'wrap', title: t('licenses.binding') }, l.binding);
  return '—';
}

/** The kind, and the signed object when it differs (a lease). */
export function kindText(l) {
  const object = l.object && l.object !== l.kind && has(`object.${l.object}`) ? ` (${t(`object.${l.object}`)})` : '';
  return `${t(`kind.${l.kind}`)}${object}`;
}

/** A download link for the .license file. */
export function downloadLink(l, { primary = false } = {}) {
  return h('a', {
    href: licenseFileURL(l.id), download: l.file_name || `${l.id}.license`,
    class: `button ${primary ? 'primary' : 'secondary small'}`, 'data-testid': 'download',
  }, t('licenses.download'));
}

/** A short form of a 32-hex-digit license id. */
export function shortID(id) {
  const s = String(id);
  return s.length > 12 ? `${s.slice(0, 8)}…` : s;
}

/** The columns of a license table. */
export function licenseColumns({ order = true } = {}) {
  return [
    { label: t('licenses.license'), render: (l) => h('a', { href: `/#/licenses/${encodeURIComponent(l.id)}`, title: l.id }, h('code', null, shortID(l.id))) },
    { label: t('licenses.kind'), render: kindText },
    order ? { label: t('orders.order'), render: (l) => (l.order_id ? h('a', { href: `/#/orders/${encodeURIComponent(l.order_id)}` }, `#${l.order_id}`) : '—') } : null,
    { label: t('licenses.subject'), render: subject },
    { label: t('licenses.issued'), render: (l) => formatTime(l.issued_at) },
    { label: t('licenses.expires'), render: expires },
    { label: t('common.status'), render: (l) => badge(l.status) },
    { label: '', class: 'row-actions', render: (l) => downloadLink(l) },
  ].filter(Boolean);
}

/** All known fields of a license record as a definition list. */
export function licenseDetails(l) {
  const link = (id) => h('a', { href: `/#/licenses/${encodeURIComponent(id)}` }, h('code', { class: 'wrap' }, id));
  return details([
    [t('licenses.license'), h('code', { class: 'wrap' }, String(l.id))],
    [t('licenses.kind'), kindText(l)],
    [t('common.status'), badge(l.status)],
    l.order_id ? [t('orders.order'), h('a', { href: `/#/orders/${encodeURIComponent(l.order_id)}` }, `#${l.order_id}`)] : null,
    l.device_code ? [t('devcode.label'), h('code', { class: 'wrap', 'data-testid': 'license-device-code' }, l.device_code)] : null,
    l.binding ? [t('licenses.binding'), h('code', { class: 'wrap' }, l.binding)] : null,
    [t('licenses.issued'), `${formatTime(l.issued_at)}${l.issued_by ? ` · ${l.issued_by}` : ''}`],
    [t('licenses.expires'), expires(l)],
    l.key_id ? [t('licenses.kid'), h('code', { class: 'wrap' }, l.key_id)] : null,
    l.replaces ? [t('licenses.replaces'), link(l.replaces)] : null,
    l.replaced_by ? [t('licenses.replacedBy'), link(l.replaced_by)] : null,
    l.released_at ? [t('licenses.releasedAt'), h('span', { 'data-testid': 'license-released-at' }, formatTime(l.released_at))]
      : l.revoked_at ? [t('licenses.revokedAt'), formatTime(l.revoked_at)] : null,
    l.code ? [t('licenses.confirmCode'), codeBlock(l.code, { testid: 'license-confirm-code', label: t('licenses.confirmCode') })] : null,
  ]);
}
