// Licenses: every order and device license issued, searchable.

import { h } from '../dom.js';
import { t } from '../i18n.js';
import { get } from '../api.js';
import { listView, pageHeader } from '../ui.js';
import { licenseColumns } from '../licenses-view.js';

export const title = 'nav.licenses';

export function render({ query }) {
  const list = listView({
    load: (params) => get('/licenses', params),
    columns: licenseColumns(),
    initial: { q: query.get('q') || '', kind: query.get('kind') || '', status: query.get('status') || '', order: query.get('order') || '' },
    filters: [
      { name: 'q', label: t('common.search'), type: 'search', placeholder: t('licenses.searchHint') },
      { name: 'kind', label: t('licenses.kind'), type: 'select', options: [{ value: '', label: t('common.all') }, { value: 'order', label: t('kind.order') }, { value: 'device', label: t('kind.device') }] },
      { name: 'status', label: t('common.status'), type: 'select', options: [{ value: '', label: t('common.all') }, ...['active', 'revoked'].map((s) => ({ value: s, label: t(`status.${s}`) }))] },
      { name: 'order', label: t('orders.order'), type: 'number', min: 1, placeholder: t('licenses.orderHint') },
    ],
  });
  return h('section', null, pageHeader(t('nav.licenses')), list.el);
}
