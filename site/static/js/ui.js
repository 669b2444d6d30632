// Shared pieces of the pages: forms with per-field errors, problem banners,
// responsive tables, cursor pagination, dialogs and toasts.

import { h, replace, uid } from './dom.js';
import { t, has } from './i18n.js';
import { ApiError } from './api.js';

/** The page heading with optional actions on the right. */
export function pageHeader(title, ...actions) {
  return h('div', { class: 'page-header' }, h('h1', null, title), actions.length ? h('div', { class: 'actions' }, actions) : null);
}

/** The translated title of an error: by its stable code when known. */
export function errorTitle(err) {
  if (err instanceof ApiError) {
    if (err.code && has(`error.${err.code}`)) return t(`error.${err.code}`);
    if (err.title) return err.title;
    return t('error.http', { status: err.status });
  }
  return t('error.unexpected');
}

/**
 * A banner for an error: the title (translated by code), the server's
 * detail, and field errors that no form field showed.
 */
export function problemBox(err, unplaced = [], { showDetail = true } = {}) {
  const detail = !showDetail ? '' : err instanceof ApiError ? err.detail : String(err && err.message ? err.message : err);
  return h('div', { class: 'problem', role: 'alert', 'data-code': err instanceof ApiError ? err.code : 'client' },
    h('strong', { class: 'problem-title' }, errorTitle(err)),
    detail && detail !== errorTitle(err) ? h('p', { class: 'problem-detail' }, detail) : null,
    unplaced.length ? h('ul', { class: 'problem-fields' }, unplaced.map((fe) => h('li', null, fe.field ? `${fe.field}: ` : '', fe.message))) : null);
}

/** A placeholder that shows an error in place of content that failed to load. */
export function loadFailed(err) {
  return h('div', { class: 'load-failed' }, problemBox(err));
}

/** A "loading" line. */
export function loading() {
  return h('p', { class: 'muted loading', 'aria-busy': 'true' }, t('common.loading'));
}

let toastTimer = 0;
/** Shows a short message at the bottom of the screen. */
export function toast(message) {
  const el = document.getElementById('toast');
  if (!el) return;
  el.textContent = message;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { el.hidden = true; }, 4000);
}

/**
 * Asks for confirmation in a modal dialog; resolves to true or false.
 */
export function confirmDialog(message, { confirmLabel = t('common.confirm'), danger = false } = {}) {
  return new Promise((resolve) => {
    const dlg = h('dialog', { class: 'dialog', 'aria-label': message });
    const done = (v) => { dlg.close(); dlg.remove(); resolve(v); };
    dlg.append(
      h('p', null, message),
      h('div', { class: 'dialog-actions' },
        h('button', { type: 'button', class: 'secondary', onclick: () => done(false) }, t('common.cancel')),
        h('button', { type: 'button', class: danger ? 'danger' : 'primary', 'data-testid': 'confirm', onclick: () => done(true) }, confirmLabel)));
    dlg.addEventListener('cancel', (e) => { e.preventDefault(); done(false); });
    document.body.append(dlg);
    dlg.showModal();
  });
}

/** A definition list of [label, value] pairs; empty values show a dash. */
export function details(pairs) {
  return h('dl', { class: 'details' }, pairs.filter(Boolean).map(([k, v]) => [
    h('dt', null, k),
    h('dd', null, v === '' || v === null || v === undefined ? '—' : v),
  ]));
}

/** A button that copies text to the clipboard. */
export function copyButton(text) {
  return h('button', {
    type: 'button', class: 'secondary small',
    onclick: async () => {
      try { await navigator.clipboard.writeText(text); toast(t('common.copied')); } catch { toast(t('common.copyFailed')); }
    },
  }, t('common.copy'));
}

/** A status pill. */
export function badge(status) {
  const key = `status.${status}`;
  return h('span', { class: `badge badge-${status}` }, has(key) ? t(key) : status);
}

/**
 * A table that becomes a list of cards on narrow screens. columns:
 * [{label, render(item) -> node|string, class}].
 */
export function table(columns, items, { empty = t('common.empty'), rowAttrs } = {}) {
  if (!items.length) return h('p', { class: 'empty muted' }, empty);
  return h('div', { class: 'table-wrap' }, h('table', { class: 'table' },
    h('thead', null, h('tr', null, columns.map((c) => h('th', { scope: 'col', class: c.class }, c.label)))),
    h('tbody', null, items.map((item) => h('tr', rowAttrs ? rowAttrs(item) : null,
      columns.map((c) => h('td', { 'data-label': c.label, class: c.class }, c.render(item))))))));
}

/**
 * A filtered, paginated list. load(params) returns {items, next_cursor};
 * filters are form fields (see form) whose values become query params.
 * Pages go forward by cursor and back through the cursors seen.
 */
export function listView({ load, columns, filters = [], empty, limit = 25, initial = {}, rowAttrs }) {
  const out = h('div', { class: 'list-body' });
  const nav = h('div', { class: 'pager' });
  let cursors = [''];
  let query = { ...initial };

  async function show() {
    replace(out, loading());
    replace(nav);
    let data;
    try {
      data = await load({ ...query, limit, cursor: cursors[cursors.length - 1] });
    } catch (e) {
      replace(out, loadFailed(e));
      return;
    }
    const items = (data && data.items) || [];
    replace(out, table(columns, items, { empty, rowAttrs }));
    const page = cursors.length;
    replace(nav,
      h('button', { type: 'button', class: 'secondary', disabled: page === 1, onclick: () => { cursors.pop(); show(); } }, t('common.prev')),
      h('span', { class: 'muted' }, t('common.page', { n: page })),
      h('button', { type: 'button', class: 'secondary', disabled: !(data && data.next_cursor), onclick: () => { cursors.push(data.next_cursor); show(); } }, t('common.next')));
  }

  let filterForm = null;
  if (filters.length) {
    filterForm = form({
      fields: filters.map((f) => ({ ...f, value: initial[f.name] ?? f.value })),
      submitLabel: t('common.search'),
      className: 'filters',
      onSubmit: async (v) => { query = v; cursors = ['']; await show(); },
    });
  }
  show();
  return { el: h('div', { class: 'list' }, filterForm ? filterForm.el : null, out, nav), reload: show };
}

/**
 * A form built from field specs:
 *   {name, label, type: text|password|number|date|select|textarea|checkbox|kv,
 *    required, options: [{value, label}], help, value, placeholder, attrs,
 *    show(values) -> bool}
 * onSubmit(values) may throw an ApiError: its field errors appear under the
 * fields they name and the rest in a banner above the buttons. A field of
 * type "kv" edits an object as "name=value" lines.
 */
export function form({ fields, submitLabel, onSubmit, className = '', extra = null, secondary = null }) {
  const el = h('form', { class: `form ${className}`, novalidate: true });
  // Several specs may share a name when only one of them shows at a time
  // (a field labelled differently per mode); values come from visible rows.
  const rows = [];
  const banner = h('div', { class: 'form-problem' });

  for (const f of fields) {
    const id = uid(f.name);
    const input = control(f, id);
    const err = h('p', { class: 'field-error', id: `${id}-err`, hidden: true });
    const help = f.help ? h('p', { class: 'help', id: `${id}-help` }, f.help) : null;
    input.setAttribute('aria-describedby', [help ? `${id}-help` : '', `${id}-err`].filter(Boolean).join(' '));
    const row = f.type === 'checkbox'
      ? h('div', { class: 'field field-check', 'data-field': f.name }, h('label', { for: id }, input, ' ', f.label), help, err)
      : h('div', { class: 'field', 'data-field': f.name }, h('label', { for: id }, f.label, f.required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null), input, help, err);
    rows.push({ f, input, err, row });
    el.append(row);
  }
  if (extra) el.append(extra);
  const submit = h('button', { type: 'submit', class: 'primary' }, submitLabel);
  el.append(banner, h('div', { class: 'form-actions' }, submit, secondary));
  el.addEventListener('change', updateVisibility);

  /** The visible row of a name, else the first row of that name. */
  function row(name) {
    const all = rows.filter((r) => r.f.name === name);
    return all.find((r) => !r.row.hidden) || all[0];
  }

  function updateVisibility() {
    const raw = {};
    for (const { f, input } of rows) {
      if (!f.show) raw[f.name] = f.type === 'checkbox' ? input.checked : input.value;
    }
    for (const { f, row: r } of rows) {
      if (f.show) r.hidden = !f.show(raw);
    }
  }

  function values() {
    const v = {};
    for (const { f, input, row: r } of rows) {
      if (r.hidden) continue;
      v[f.name] = readValue(f, input);
    }
    return v;
  }

  function clearErrors() {
    replace(banner);
    for (const { input, err } of rows) {
      err.hidden = true;
      err.textContent = '';
      input.removeAttribute('aria-invalid');
    }
  }

  function fieldError(r, message) {
    r.err.textContent = message;
    r.err.hidden = false;
    r.input.setAttribute('aria-invalid', 'true');
  }

  /** Shows err: field errors next to their fields, the rest in the banner. */
  function showError(e) {
    clearErrors();
    const unplaced = [];
    if (e instanceof ApiError) {
      for (const fe of e.errors) {
        const r = row(String(fe.field || '').split(/[.[/]/).filter(Boolean)[0] || '');
        if (r && !r.row.hidden) fieldError(r, fe.message);
        else unplaced.push(fe);
      }
    }
    // When every field error sits under its field, the detail (which lists
    // them again) is left out.
    const allPlaced = e instanceof ApiError && e.errors.length > 0 && unplaced.length === 0;
    banner.append(problemBox(e, unplaced, { showDetail: !allPlaced }));
    const first = rows.find((r) => !r.err.hidden);
    (first ? first.input : banner).scrollIntoView({ block: 'nearest' });
  }

  el.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors();
    let v;
    try {
      v = values();
    } catch (e) {
      if (!(e instanceof FieldError)) throw e;
      const r = row(e.field);
      fieldError(r, e.message);
      r.input.focus();
      return;
    }
    for (const r of rows) {
      if (!r.row.hidden && r.f.required && (v[r.f.name] === '' || v[r.f.name] === undefined)) {
        fieldError(r, t('form.required'));
        r.input.focus();
        return;
      }
    }
    submit.disabled = true;
    el.setAttribute('aria-busy', 'true');
    try {
      await onSubmit(v);
    } catch (e) {
      showError(e);
    } finally {
      submit.disabled = false;
      el.removeAttribute('aria-busy');
    }
  });

  updateVisibility();
  return {
    el, values, showError, clearErrors,
    input: (name) => row(name).input,
    set(name, value) { const r = row(name); setValue(r.f, r.input, value); updateVisibility(); },
  };
}

/** A client-side field error (bad number, bad name=value line). */
class FieldError extends Error {
  constructor(field, message) { super(message); this.field = field; }
}

function control(f, id) {
  const common = { id, name: f.name, required: !!f.required, placeholder: f.placeholder, ...(f.attrs || {}) };
  let input;
  switch (f.type) {
    case 'select':
      input = h('select', common, (f.options || []).map((o) => h('option', { value: o.value }, o.label)));
      break;
    case 'textarea':
    case 'kv':
      input = h('textarea', { rows: f.rows || 3, spellcheck: 'false', ...common });
      break;
    case 'checkbox':
      input = h('input', { type: 'checkbox', ...common });
      break;
    case 'number':
      input = h('input', { type: 'number', inputmode: 'numeric', min: f.min ?? 0, max: f.max, step: 1, ...common });
      break;
    default:
      input = h('input', { type: f.type === 'list' ? 'text' : f.type || 'text', autocomplete: f.autocomplete || 'off', ...common });
  }
  if (f.value !== undefined) setValue(f, input, f.value);
  return input;
}

function setValue(f, input, value) {
  setCurrent(f, input, value);
  // Also the default, so that form.reset() returns to it.
  if (f.type === 'checkbox') input.defaultChecked = input.checked;
  else if (f.type === 'select') { for (const o of input.options) o.defaultSelected = o.selected; }
  else input.defaultValue = input.value;
}

function setCurrent(f, input, value) {
  if (f.type === 'checkbox') input.checked = !!value;
  else if (f.type === 'kv') input.value = kvText(value);
  else if (f.type === 'list') input.value = Array.isArray(value) ? value.join(', ') : (value ?? '');
  else if (f.type === 'date') input.value = value ? String(value).slice(0, 10) : '';
  else input.value = value ?? '';
}

function readValue(f, input) {
  switch (f.type) {
    case 'checkbox':
      return input.checked;
    case 'number': {
      const s = input.value.trim();
      if (s === '') return '';
      const n = Number(s);
      if (!Number.isInteger(n)) throw new FieldError(f.name, t('form.integer'));
      if ((f.min !== undefined && n < f.min) || (f.max !== undefined && n > f.max)) {
        throw new FieldError(f.name, t('form.range', { min: f.min ?? '', max: f.max ?? '' }));
      }
      return n;
    }
    case 'date':
      return input.value ? `${input.value}T${f.endOfDay ? '23:59:59' : '00:00:00'}Z` : '';
    case 'kv':
      return parseKV(f.name, input.value, { strings: !!f.strings });
    case 'list':
      return input.value.split(/[\s,，]+/).map((x) => x.trim()).filter(Boolean);
    case 'select':
      return f.numeric && input.value !== '' ? Number(input.value) : input.value;
    default:
      return input.value.trim();
  }
}

/** Formats an object as "name=value" lines. */
export function kvText(obj) {
  if (!obj || typeof obj !== 'object') return '';
  return Object.entries(obj).map(([k, v]) => (v === true || v === '' ? k : `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)).join('\n');
}

/**
 * Parses "name=value" lines into an object: a bare name is true (with
 * strings: ""); unless strings is set, values that read as numbers,
 * booleans or JSON become those, others stay strings.
 */
export function parseKV(field, text, { strings = false } = {}) {
  const out = {};
  const lines = String(text).split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    const k = (eq < 0 ? line : line.slice(0, eq)).trim();
    if (!k) throw new FieldError(field, t('form.kvLine', { n: i + 1 }));
    if (eq < 0) { out[k] = strings ? '' : true; continue; }
    const raw = line.slice(eq + 1).trim();
    let v = raw;
    if (!strings && /^(true|false|null|-?\d+(\.\d+)?|[[{"].*)$/.test(raw)) {
      try { v = JSON.parse(raw); } catch { v = raw; }
    }
    out[k] = v;
  }
  return out;
}

/** Shows the key/value pairs of an object, or a dash. */
export function kvView(obj) {
  const entries = obj && typeof obj === 'object' ? Object.entries(obj) : [];
  if (!entries.length) return '—';
  return h('ul', { class: 'kv' }, entries.map(([k, v]) => h('li', null, h('code', null, k), v === true || v === '' ? '' : ` = ${typeof v === 'string' ? v : Array.isArray(v) ? v.join(', ') : JSON.stringify(v)}`)));
}

/** A link styled as a button. */
export function linkButton(href, label, cls = 'secondary') {
  return h('a', { href, class: `button ${cls}` }, label);
}
