// The fields for codes that people type: the device code of the activate
// page and the release code of the release page (docs/formats.md, "Device
// codes", "Release codes"). Every keystroke goes through the WebAssembly
// codec (checkDeviceCode, checkReleaseCode): each group of five is marked
// as it fills, a bad character is named with its position, each check
// block is checked as soon as it is typed, and a complete code with one
// wrong character per block shows the corrected code and the characters
// that were fixed. The codec is loaded when the field is created; until it
// is there (or if it cannot load) the server checks the code on submit.

import { h, replace, uid } from './dom.js';
import { t } from './i18n.js';
import { loadCodec } from './codec.js';

const dashes = (n) => Array.from({ length: n }, () => 'XXXXX').join('-');

// What differs between the kinds of code: the codec's check, the number of
// groups, the form field's name, and the sentences that name the code.
const kinds = {
  device: {
    check: (codec, s) => codec.checkDeviceCode(s),
    groups: 5,
    name: 'device_code',
    testid: 'device-code',
    label: () => t('devcode.label'),
    groupsLabel: () => t('devcode.groups'),
    hint: () => t('devcode.hint'),
    valid: () => t('devcode.valid'),
    correctedCode: () => t('devcode.correctedCode'),
    useCorrected: () => t('devcode.useCorrected'),
    noCodec: () => t('devcode.noCodec'),
    about: () => null,
    err: {
      u: (e) => t('devcode.err.u', { position: e.position }),
      syntax: (e) => t('devcode.err.syntax', { position: e.position, char: e.char }),
      length: (e) => t('devcode.err.length', { got: e.got, want: e.want }),
      uncorrectable: () => t('devcode.err.uncorrectable'),
      version: () => t('devcode.err.version'),
    },
  },
  release: {
    check: (codec, s) => codec.checkReleaseCode(s),
    groups: 8,
    name: 'code',
    testid: 'release-code',
    label: () => t('release.code'),
    groupsLabel: () => t('release.groups'),
    hint: () => t('release.hint'),
    valid: () => t('release.valid'),
    correctedCode: () => t('release.correctedCode'),
    useCorrected: () => t('release.useCorrected'),
    noCodec: () => t('release.noCodec'),
    // What a readable code names: the license and the terminal's day.
    about: (p) => (p.fields ? h('p', { class: 'muted small', 'data-testid': 'release-names' },
      t('release.names', { prefix: p.fields.license_prefix, date: p.fields.date })) : null),
    err: {
      u: (e) => t('release.err.u', { position: e.position }),
      syntax: (e) => t('release.err.syntax', { position: e.position, char: e.char }),
      length: (e) => t('release.err.length', { got: e.got, want: e.want }),
      uncorrectable: (e) => (e.first ? t('release.err.block', { first: e.first, last: e.last }) : t('release.err.uncorrectable')),
      version: () => t('release.err.version'),
      malformed: () => t('release.err.malformed'),
    },
  },
};

/**
 * codeInput({kind, value, label}) -> {el, input, ready, value(), state(), showError(message)}
 * kind is "device" (25 characters) or "release" (40 characters); state()
 * is the codec's last answer (null before it loaded).
 */
export function codeInput({ kind = 'device', value = '', label } = {}) {
  const k = kinds[kind];
  const id = uid(kind === 'device' ? 'devcode' : `${kind}code`);
  const input = h('input', {
    id, name: k.name, type: 'text', class: 'devcode-input', value,
    autocomplete: 'off', autocapitalize: 'characters', autocorrect: 'off', spellcheck: 'false',
    inputmode: 'text', enterkeyhint: 'go', maxlength: 12 * k.groups + 4,
    placeholder: dashes(k.groups),
    'aria-describedby': `${id}-status ${id}-groups`,
    'data-testid': k.testid,
  });
  const groups = h('ol', { class: `devcode-groups groups-${k.groups}`, id: `${id}-groups`, 'aria-label': k.groupsLabel() },
    Array.from({ length: k.groups }, () => h('li', { class: 'group group-empty' })));
  const status = h('div', { class: 'devcode-status', id: `${id}-status`, 'aria-live': 'polite', 'data-testid': 'devcode-status' });
  const el = h('div', { class: 'field devcode', 'data-field': k.name, 'data-kind': kind },
    h('label', { for: id }, label || k.label()),
    input, groups, status,
    h('p', { class: 'field-error', id: `${id}-err`, hidden: true }));

  let codec = null;
  let last = null;

  function update() {
    if (!codec) {
      renderGroupsPlain();
      return;
    }
    last = k.check(codec, input.value);
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
      if (!li) return;
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
        replace(status, p.typed ? h('span', { class: 'muted' }, t('devcode.progress', { typed: p.typed, length: p.length })) : h('span', { class: 'muted' }, k.hint()));
        break;
      case 'valid':
        replace(status, h('span', { class: 'ok', 'data-testid': 'devcode-valid' }, '✓ ', k.valid()), k.about(p));
        break;
      case 'corrected':
        replace(status, h('div', { class: 'corrected', 'data-testid': 'devcode-correction' },
          p.corrections.map((c) => h('strong', { class: 'block' }, t('devcode.corrected', { position: c.position, group: c.group, was: c.was, became: c.became }))),
          h('div', null, k.correctedCode(), ' ', h('code', { class: 'canonical wrap', 'data-testid': 'devcode-canonical' }, p.canonical)),
          h('button', { type: 'button', class: 'secondary small', onclick: () => { input.value = p.canonical; update(); } }, k.useCorrected())),
        k.about(p));
        break;
      default:
        replace(status, h('span', { class: 'bad', 'data-testid': 'devcode-error', 'data-kind': e.kind }, '✗ ', errorText(e, kind)));
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
    replace(status, h('span', { class: 'muted' }, k.noCodec()));
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

/** The device-code field: codeInput of kind "device". */
export function deviceCodeInput(opts = {}) {
  return codeInput({ ...opts, kind: 'device' });
}

/** A person's explanation of a codec error about a code of kind, in the current language. */
export function errorText(e, kind = 'device') {
  const err = kinds[kind].err;
  if (e.kind === 'syntax' && (e.char === 'U' || e.char === 'u')) return err.u(e);
  return err[e.kind] ? err[e.kind](e) : e.message;
}

/**
 * The server's report of a corrected code ({input, corrected, changes:
 * [{position, group, was, became}]}) as sentences.
 */
export function correctionText(c) {
  const changes = c.changes || [];
  if (changes.length) return changes.map((x) => t('devcode.corrected', { position: x.position, group: x.group, was: x.was, became: x.became })).join(' ');
  return `${t('devcode.correctedCode')} ${c.corrected || ''}`;
}
