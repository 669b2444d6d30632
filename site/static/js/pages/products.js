// Products: the things a vendor licenses, each with the short id that device
// codes carry.

import { h } from '../dom.js';
import { t } from '../i18n.js';
import { resourcePage } from './resource.js';

export const title = 'nav.products';

export function render() {
  return resourcePage({
    title: t('nav.products'),
    path: '/products',
    newLabel: t('products.new'),
    createdMessage: t('products.created'),
    updatedMessage: t('products.updated'),
    immutable: ['short_id'],
    fields: (p) => [
      { name: 'name', label: t('products.name'), required: true, value: p.name },
      { name: 'short_id', label: t('products.shortId'), type: 'number', min: 1, max: 65535, value: p.short_id, help: t('products.shortIdHelp') },
      { name: 'description', label: t('products.description'), type: 'textarea', value: p.description },
    ],
    columns: [
      { label: t('products.name'), render: (p) => h('strong', null, p.name) },
      { label: t('products.shortId'), render: (p) => h('code', null, String(p.short_id ?? '')) },
      { label: t('products.description'), render: (p) => p.description || '' },
    ],
  });
}
