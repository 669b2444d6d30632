// What a license file, usage report or request holds, as the codec reads
// it, and saving bytes as a file. Shared by the workbench, the scan page
// and the terminal page.

import { h } from './dom.js';
import { t, formatTime, has } from './i18n.js';
import { details } from './ui.js';

/** The armour label's file name suffix. */
export function fileName(answer) {
  const leaf = answer.leaf || {};
  const id = String(leaf.id || 'file').slice(0, 12);
  switch (leaf.type) {
    case 'usage-report': return `usage-report-${id}.licet`;
    case 'release-receipt': return `release-receipt-${id}.licet`;
    default: return `${id}.license`;
  }
}

/** A link that saves bytes or text as a file. */
export function saveLink(data, name, { primary = false, label = t('file.save') } = {}) {
  const blob = new Blob([data], { type: typeof data === 'string' ? 'text/plain' : 'application/octet-stream' });
  return h('a', { href: URL.createObjectURL(blob), download: name, class: `button ${primary ? 'primary' : 'secondary'}`, 'data-testid': 'save' }, label);
}

function when(s) {
  return s ? formatTime(s) : '';
}

/**
 * The fields of a signed object (the codec's leaf answer) as a
 * definition list: what it is, for whom, and how long it lasts.
 */
export function objectDetails(leaf) {
  const type = has(`object.type.${leaf.type}`) ? t(`object.type.${leaf.type}`) : leaf.type;
  const binding = leaf.binding || {};
  const features = leaf.features ? Object.entries(leaf.features).map(([k, v]) => (v ? `${k}=${v}` : k)).join(', ') : '';
  return details([
    [t('file.type'), type],
    [t('file.id'), h('code', { class: 'wrap' }, leaf.id)],
    leaf.product !== undefined ? [t('file.product'), `${leaf.product}${leaf.product_name ? ` · ${leaf.product_name}` : ''}`] : null,
    leaf.customer ? [t('file.customer'), leaf.customer] : null,
    leaf.mode ? [t('file.mode'), has(`mode.${leaf.mode}`) ? t(`mode.${leaf.mode}`) : leaf.mode] : null,
    leaf.seats ? [t('file.seats'), String(leaf.seats)] : null,
    leaf.order ? [t('file.order'), h('code', { class: 'wrap' }, leaf.order)] : null,
    binding.digest ? [t('file.binding'), h('code', { class: 'wrap' }, `${binding.digest} · ${binding.nonce ?? 0}`)] : null,
    features ? [t('file.features'), features] : null,
    [t('file.issued'), when(leaf.issued_at)],
    leaf.not_before ? [t('file.notBefore'), when(leaf.not_before)] : null,
    [t('file.notAfter'), leaf.not_after ? when(leaf.not_after) : t('licenses.noExpiry')],
    leaf.entries ? [t('file.entries'), String(leaf.entries.length)] : null,
  ]);
}

/**
 * The outcome of licet.verifyLicense: verified (with the keys that
 * anchor it) or why not, then what the file holds.
 */
export function verifyResult(v) {
  const ok = v.ok === true;
  const reason = v.error ? (has(`verify.${v.error.kind}`) ? t(`verify.${v.error.kind}`) : v.error.message) : '';
  return h('div', { class: ok ? 'success' : 'problem', 'data-testid': 'verify-result', 'data-result': ok ? 'valid' : 'invalid', 'data-kind': v.error ? v.error.kind : '' },
    h('strong', null, ok ? `✓ ${t('verify.ok')}` : `✗ ${t('verify.failed')}`),
    reason ? h('p', null, reason) : null,
    v.error && v.error.message && reason !== v.error.message ? h('p', { class: 'muted small' }, v.error.message) : null,
    ok ? h('p', { class: 'muted small' }, t('verify.root', { key: v.root })) : null,
    v.leaf ? objectDetails(v.leaf) : null);
}
