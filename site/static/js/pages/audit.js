// The audit log: who did what, when and from where.

import { h } from '../dom.js';
import { t, formatTime } from '../i18n.js';
import { get } from '../api.js';
import { listView, pageHeader } from '../ui.js';

export const title = 'nav.audit';

export function render({ query }) {
  const list = listView({
    load: (params) => get('/audit', params),
    limit: 50,
    initial: { actor: query.get('actor') || '', action: query.get('action') || '' },
    columns: [
      { label: t('audit.when'), render: (e) => formatTime(e.at || e.time || e.created_at) },
      { label: t('audit.actor'), render: (e) => e.actor || e.username || '—' },
      { label: t('audit.action'), render: (e) => h('code', null, e.action || '') },
      { label: t('audit.target'), render: (e) => e.target || e.object || '' },
      { label: t('audit.from'), render: (e) => e.remote || e.from || e.ip || '' },
      { label: t('audit.detail'), render: (e) => detailText(e.detail ?? e.details) },
    ],
    filters: [
      { name: 'actor', label: t('audit.actor') },
      { name: 'action', label: t('audit.action'), placeholder: 'order.create' },
      { name: 'since', label: t('audit.since'), type: 'date' },
    ],
  });
  return h('section', null, pageHeader(t('nav.audit')), list.el);
}

function detailText(d) {
  if (d === undefined || d === null || d === '') return '';
  if (typeof d === 'string') return d;
  return h('code', { class: 'wrap small' }, JSON.stringify(d));
}
