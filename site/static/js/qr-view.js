// QR codes on screen: a still QR code (a request URL, a pairing link) and
// the animated QR that carries a license or a usage report across the air
// gap (docs/formats.md, "Animated QR"). The codec draws each symbol as SVG;
// the page shows it as an image, so no markup from anywhere is parsed.

import { h, replace } from './dom.js';
import { t } from './i18n.js';

/** A data: URL of an SVG document. */
export function svgURL(svg) {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

/**
 * A still QR code of text as an image, or a notice when the codec cannot
 * draw it (too long). codec is the loaded WebAssembly module.
 */
export function qrImage(codec, text, { alt = '', level = 'M', testid = 'qr' } = {}) {
  const q = codec.qrSVG(text, { level });
  if (!q.ok) return h('p', { class: 'bad', 'data-testid': `${testid}-error` }, q.error.message);
  return h('img', { class: 'qr', src: svgURL(q.svg), alt: alt || text, 'data-testid': testid, 'data-version': q.version });
}

/** Frame rates offered by the speed control; 8 is the default (DESIGN 5.3). */
export const rates = [2, 4, 6, 8, 10, 12];

/**
 * animatedQR(codec, payload, {fps}) shows the frames of payload (bytes or
 * text) one after another: frame 0, 1, 2, … for as long as it is on screen
 * (after the first loop every frame is a fresh repair frame, so a camera
 * that missed some needs no second loop). Controls: speed, pause, one frame
 * on while paused, and a counter. Returns {el, sender, stop()}; it also
 * stops by itself once removed from the page.
 */
export function animatedQR(codec, payload, { fps = 8, caption = '' } = {}) {
  const tx = codec.newSender(payload);
  if (!tx.ok) throw new Error(tx.error.message);
  let seq = 0;
  let rate = fps;
  let playing = true;
  let timer = 0;
  let stopped = false;
  // The first loop is drawn once and kept; later frames are drawn as shown.
  const cache = new Map();

  const img = h('img', { class: 'qr qr-frame', alt: t('aqr.alt'), 'data-testid': 'aqr-image' });
  const counter = h('span', { class: 'aqr-counter', 'aria-live': 'off', 'data-testid': 'aqr-counter' });
  const speed = h('select', { 'aria-label': t('aqr.speed'), 'data-testid': 'aqr-speed' },
    rates.map((r) => h('option', { value: r, selected: r === rate }, t('aqr.fps', { n: r }))));
  const pause = h('button', { type: 'button', class: 'secondary small', 'data-testid': 'aqr-pause' }, t('aqr.pause'));
  const step = h('button', { type: 'button', class: 'secondary small', 'data-testid': 'aqr-step', disabled: true }, t('aqr.step'));
  const el = h('figure', {
    class: 'aqr', 'data-testid': 'aqr', 'data-transfer': tx.transfer.id, 'data-blocks': tx.transfer.blocks,
    'data-loop': tx.loop_length, 'data-length': tx.transfer.length,
  },
  img,
  h('figcaption', null,
    caption ? h('div', null, caption) : null,
    h('div', { class: 'muted small' }, t('aqr.about', { bytes: tx.transfer.length, blocks: tx.transfer.blocks, loop: tx.loop_length })),
    h('div', { class: 'aqr-controls' }, pause, step, h('label', null, t('aqr.speed'), ' ', speed), counter)));

  function frameURL(s) {
    let url = cache.get(s);
    if (!url) {
      const q = codec.qrSVG(tx.frame(s));
      if (!q.ok) throw new Error(q.error.message);
      url = svgURL(q.svg);
      if (s < tx.loop_length) cache.set(s, url);
    }
    return url;
  }

  function show() {
    img.src = frameURL(seq);
    el.dataset.seq = String(seq);
    replace(counter, t('aqr.counter', { n: seq + 1, loop: tx.loop_length, pass: Math.floor(seq / tx.loop_length) + 1 }));
  }

  function tick() {
    if (stopped) return;
    if (!el.isConnected && seq > 0) { stop(); return; }
    show();
    seq++;
    timer = setTimeout(tick, 1000 / rate);
  }

  function stop() {
    stopped = true;
    clearTimeout(timer);
    tx.release();
  }

  pause.addEventListener('click', () => {
    playing = !playing;
    el.dataset.playing = String(playing);
    replace(pause, playing ? t('aqr.pause') : t('aqr.play'));
    step.disabled = playing;
    clearTimeout(timer);
    if (playing) tick();
    else seq = Math.max(0, seq - 1);
  });
  step.addEventListener('click', () => { seq++; show(); });
  speed.addEventListener('change', () => { rate = Number(speed.value); el.dataset.fps = String(rate); });
  el.dataset.playing = 'true';
  el.dataset.fps = String(rate);
  tick();
  return { el, sender: tx, stop };
}
