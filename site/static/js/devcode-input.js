// The device-code field of the activate page. Every keystroke goes through
// the WebAssembly codec's checkDeviceCode: each group of five is marked as
// it fills, a bad character is named with its position, and a complete code
// with one wrong character shows the corrected code and the character that
// was fixed. The codec is loaded when the field is created; until it is
// there (or if it cannot load) the server checks the code on submit.

import { h, replace, uid } from './dom.js';
import { t } from './i18n.js';
import { loadCodec } from './codec.js';

/**
 * deviceCodeInput({value}) -> {el, input, value(), state(), focus()}
 * state() is the codec's last answer (null before it loaded).
 */
export function deviceCodeInput({ value = '', label = t('devcode.label') } = {}) {
  const id = uid('devcode');
  const input = h('input', {
    id, name: 'device_code', type: 'text', class: 'devcode-input', value,
    autocomplete: 'off', autocapitalize: 'characters', autocorrect: 'off', spellcheck: 'false',
    inputmode: 'text', enterkeyhint: 'go', maxlength: 64,
    placeholder: 'XXXXX-XXXXX-XXXXX-XXXXX-XXXXX',
    'aria-describedby': `${id}-status ${id}-groups`,
    'data-testid': 'device-code',
  });
  const groups = h('ol', { class: 'devcode-groups', id: `${id}-groups`, 'aria-label': t('devcode.groups') },
    [0, 1, 2, 3, 4].map(() => h('li', { class: 'group group-empty' })));
  const status = h('div', { class: 'devcode-status', id: `${id}-status`, 'aria-live': 'polite', 'data-testid': 'devcode-status' });
  const el = h('div', { class: 'field devcode', 'data-field': 'device_code' },
    h('label', { for: id }, label),
    input, groups, status,
    h('p', { class: 'field-error', id: `${id}-err`, hidden: true }));

  let codec = null;
  let last = null;

  function update() {
    if (!codec) {
      renderGroupsPlain();
      return;
    }
    last = codec.checkDeviceCode(input.value);
    renderGroups(last);
    renderStatus(last);
    el.dataset.result = last.result;
    input.setAttribute('aria-invalid', last.result === 'invalid' ? 'true' : 'false');
  }

  function renderGroupsPlain() {
    const chars = input.value.toUpperCase().replace(/[\s-]/g, '');
    [...groups.children].forEach((li, i) => {
      const text = chars.slice(i * 5, i * 5 + 5);
      li.className = `group group-${text.length === 5 ? 'filled' : text ? 'partial' : 'empty'}`;
      li.textContent = text;
    });
  }

  function renderGroups(p) {
    const fixed = new Map((p.corrections || []).map((c) => [c.position, c]));
    p.groups.forEach((g, i) => {
      const li = groups.children[i];
      li.className = `group group-${g.status}`;
      li.title = t(`devcode.group.${g.status}`);
      li.setAttribute('aria-label', `${t('devcode.groupN', { n: i + 1 })}: ${g.text || '—'} (${t(`devcode.group.${g.status}`)})`);
      // Show the corrected characters in a corrected group.
      const text = p.canonical ? p.canonical.split('-')[i] : g.text;
      replace(li, [...text].map((ch, j) => {
        const c = fixed.get(i * 5 + j + 1);
        return c ? h('mark', { class: 'fixed', title: t('devcode.was', { was: c.was }) }, ch) : ch;
      }));
    });
  }

  function renderStatus(p) {
    const e = p.error;
    switch (p.result) {
      case 'incomplete':
        replace(status, p.typed ? h('span', { class: 'muted' }, t('devcode.progress', { typed: p.typed, length: p.length })) : h('span', { class: 'muted' }, t('devcode.hint')));
        break;
      case 'valid':
        replace(status, h('span', { class: 'ok', 'data-testid': 'devcode-valid' }, '✓ ', t('devcode.valid')));
        break;
      case 'corrected': {
        const c = p.corrections[0];
        replace(status, h('div', { class: 'corrected', 'data-testid': 'devcode-correction' },
          h('strong', null, t('devcode.corrected', { position: c.position, group: c.group, was: c.was, became: c.became })),
          h('div', null, t('devcode.correctedCode'), ' ', h('code', { class: 'canonical', 'data-testid': 'devcode-canonical' }, p.canonical)),
          h('button', { type: 'button', class: 'secondary small', onclick: () => { input.value = p.canonical; update(); } }, t('devcode.useCorrected'))));
        break;
      }
      default:
        replace(status, h('span', { class: 'bad', 'data-testid': 'devcode-error', 'data-kind': e.kind }, '✗ ', errorText(e)));
    }
  }

  input.addEventListener('input', update);
  renderGroupsPlain();
  const ready = loadCodec().then((c) => {
    codec = c;
    el.dataset.codec = 'ready';
    update();
  }, () => {
    el.dataset.codec = 'unavailable';
    replace(status, h('span', { class: 'muted' }, t('devcode.noCodec')));
  });

  return {
    el,
    input,
    ready,
    value: () => input.value.trim(),
    state: () => last,
    showError(message) {
      const err = el.querySelector('.field-error');
      err.textContent = message;
      err.hidden = !message;
    },
  };
}

/** A person's explanation of a codec error, in the current language. */
export function errorText(e) {
  switch (e.kind) {
    case 'syntax':
      return e.char === 'U' || e.char === 'u' ? t('devcode.err.u', { position: e.position }) : t('devcode.err.syntax', { position: e.position, char: e.char });
    case 'length':
      return t('devcode.err.length', { got: e.got, want: e.want });
    case 'uncorrectable':
      return t('devcode.err.uncorrectable');
    case 'version':
      return t('devcode.err.version');
    default:
      return e.message;
  }
}
