// A page for a simple resource (products, customers): a searchable list and
// a form that creates an item or edits the one chosen in the list.

import { h, replace } from '../dom.js';
import { t } from '../i18n.js';
import { api, get, hasRole } from '../api.js';
import { form, listView, pageHeader, toast } from '../ui.js';

/** Drops empty values so that the server applies its defaults. */
export function compact(v) {
  const out = {};
  for (const [k, val] of Object.entries(v)) {
    if (val === '' || val === undefined || val === null) continue;
    if (Array.isArray(val) && !val.length) continue;
    if (typeof val === 'object' && !Array.isArray(val) && !Object.keys(val).length) continue;
    out[k] = val;
  }
  return out;
}

/**
 * resourcePage({title, path, fields(item), columns, newLabel, createdMessage,
 * updatedMessage, immutable}). path is the API collection ("/products");
 * fields(item) returns the form fields, filled from item when editing;
 * fields named in immutable are shown read-only when editing and not sent.
 */
export function resourcePage({ title, path, fields, columns, newLabel, createdMessage, updatedMessage, immutable = [] }) {
  const canEdit = hasRole('admin', 'operator');
  const panel = h('div', { class: 'panel', hidden: true });
  let list;

  function open(item) {
    const editing = !!item;
    const specs = fields(item || {}).map((f) => (editing && immutable.includes(f.name) ? { ...f, required: false, attrs: { ...(f.attrs || {}), readonly: true } } : f));
    const f = form({
      fields: specs,
      submitLabel: editing ? t('common.save') : t('common.create'),
      secondary: h('button', { type: 'button', class: 'secondary', onclick: close }, t('common.cancel')),
      onSubmit: async (v) => {
        if (editing) {
          for (const k of immutable) delete v[k];
          await api('PATCH', `${path}/${encodeURIComponent(item.id)}`, v);
          toast(updatedMessage);
        } else {
          await api('POST', path, compact(v));
          toast(createdMessage);
        }
        close();
        list.reload();
      },
    });
    replace(panel, h('h2', null, editing ? t('common.editing', { name: item.name || item.id }) : newLabel), f.el);
    panel.hidden = false;
    const first = panel.querySelector('input:not([readonly]), select, textarea');
    if (first) first.focus();
  }
  function close() {
    panel.hidden = true;
    replace(panel);
  }

  const cols = canEdit
    ? [...columns, { label: '', class: 'row-actions', render: (item) => h('button', { type: 'button', class: 'secondary small', onclick: () => open(item) }, t('common.edit')) }]
    : columns;
  list = listView({
    load: (params) => get(path, params),
    columns: cols,
    filters: [{ name: 'q', label: t('common.search'), type: 'search', placeholder: t('common.searchHint') }],
  });
  return h('section', null,
    pageHeader(title, canEdit ? h('button', { type: 'button', class: 'primary', 'data-testid': 'new', onclick: () => open(null) }, newLabel) : null),
    panel,
    list.el);
}
