// The audit log: who did what, when and from where, newest first.

import { h } from '../dom.js';
import { t, formatTime } from '../i18n.js';
import { get } from '../api.js';
import { listView, pageHeader } from '../ui.js';

export const title = 'nav.audit';

export function render({ query }) {
  const list = listView({
    load: (params) => get('/audit', params),
    limit: 50,
    initial: { q: query.get('q') || '', action: query.get('action') || '', target: query.get('target') || '' },
    columns: [
      { label: t('audit.when'), render: (e) => formatTime(e.at) },
      { label: t('audit.actor'), render: (e) => e.actor || '—' },
      { label: t('audit.action'), render: (e) => h('code', null, e.action || '') },
      { label: t('audit.target'), render: (e) => e.target || '' },
      { label: t('audit.from'), render: (e) => h('span', { title: e.user_agent || '' }, e.ip || '') },
      { label: t('audit.detail'), render: (e) => detailText(e.detail) },
    ],
    filters: [
      { name: 'q', label: t('common.search'), type: 'search' },
      { name: 'action', label: t('audit.action'), placeholder: 'order.', help: t('audit.actionHelp') },
      { name: 'target', label: t('audit.target'), placeholder: 'order:42' },
      { name: 'since', label: t('audit.since'), type: 'date' },
    ],
  });
  return h('section', null, pageHeader(t('nav.audit')), list.el);
}

function detailText(d) {
  if (d === undefined || d === null || d === '') return '';
  if (typeof d === 'string') return d;
  return h('code', { class: 'wrap small' }, Object.entries(d).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' '));
}
