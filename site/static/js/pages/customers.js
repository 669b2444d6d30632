// Customers: who an order is for.

import { h } from '../dom.js';
import { t } from '../i18n.js';
import { resourcePage } from './resource.js';

export const title = 'nav.customers';

export function render() {
  return resourcePage({
    title: t('nav.customers'),
    path: '/customers',
    newLabel: t('customers.new'),
    createdMessage: t('customers.created'),
    updatedMessage: t('customers.updated'),
    fields: (c) => [
      { name: 'name', label: t('customers.name'), required: true, value: c.name },
      { name: 'email', label: t('customers.email'), type: 'email', value: c.email, attrs: { autocapitalize: 'none' } },
      { name: 'notes', label: t('customers.notes'), type: 'textarea', value: c.notes },
    ],
    columns: [
      { label: t('customers.name'), render: (c) => h('strong', null, c.name) },
      { label: t('customers.email'), render: (c) => c.email || '' },
      { label: t('customers.notes'), render: (c) => c.notes || '' },
    ],
  });
}
