// A camera view that reads what a screen across the air gap shows: the
// frames of an animated QR, put together by the codec's receiver with a
// progress bar, and single QR codes such as a terminal's request URL.

import { h, replace } from './dom.js';
import { t } from './i18n.js';
import { startScanner } from './scanner.js';

/**
 * receiveView({codec, onPayload, onRequestURL, onText, autoStart, engine})
 *
 * onPayload(bytes, {transfer, frames, seconds}) once an animated QR is
 * complete; onRequestURL(parsed) for a request URL (parsed by
 * codec.parseRequestURL); onText(text) for anything else. Returns {el,
 * start(), stop(), reset()}. The element's data attributes report what
 * happened (engine, camera frames read, codes found, mean decode time,
 * frames received, seconds from the first frame to the last), for the
 * person curious and for tests.
 */
export function receiveView({ codec, onPayload, onRequestURL, onText, autoStart = false, engine = '' }) {
  const video = h('video', { class: 'scan-video', muted: true, playsinline: true, 'aria-label': t('scan.video') });
  const progress = h('progress', { max: 1, value: 0, 'data-testid': 'rx-progress' });
  const status = h('p', { class: 'muted', 'aria-live': 'polite', 'data-testid': 'rx-status' }, t('scan.idle'));
  const startBtn = h('button', { type: 'button', class: 'primary', 'data-testid': 'scan-start' }, t('scan.start'));
  const stopBtn = h('button', { type: 'button', class: 'secondary', hidden: true, 'data-testid': 'scan-stop' }, t('scan.stop'));
  const el = h('div', { class: 'receive', 'data-testid': 'receiver', 'data-state': 'idle' },
    h('div', { class: 'scan-frame' }, video),
    h('div', { class: 'actions' }, startBtn, stopBtn),
    progress, status);

  let rx = codec.newReceiver();
  let scanner = null;
  let first = 0;
  let done = false;
  let statsTimer = 0;

  function publishStats() {
    if (!scanner) return;
    const s = scanner.stats;
    el.dataset.engine = s.engine;
    el.dataset.cameraFrames = String(s.frames);
    el.dataset.codes = String(s.found);
    el.dataset.decodeMs = s.frames ? (s.decodeMs / s.frames).toFixed(1) : '';
    el.dataset.maxDecodeMs = s.maxDecodeMs.toFixed(1);
    el.dataset.resolution = `${s.width}x${s.height}`;
  }

  function handle(text) {
    if (text.startsWith('LQ1:') || /^LQ\d+:/.test(text)) {
      if (done) return;
      const a = rx.add(text);
      if (!first && a.ok) first = performance.now();
      const p = a.progress;
      if (a.result === 'malformed') {
        replace(status, t('scan.badFrame'));
        return;
      }
      if (a.result === 'switched') first = performance.now();
      progress.max = p.blocks || 1;
      progress.value = p.rank;
      el.dataset.frames = String(p.frames);
      el.dataset.rank = String(p.rank);
      el.dataset.blocks = String(p.blocks);
      replace(status, a.result === 'foreign' ? t('scan.foreign') : t('scan.progress', { rank: p.rank, blocks: p.blocks, frames: p.frames }));
      if (a.result === 'done') finish(p);
      return;
    }
    const u = codec.parseRequestURL(text);
    if (u.ok && onRequestURL) {
      onRequestURL(u);
      return;
    }
    if (onText) onText(text);
  }

  function finish(p) {
    const out = rx.payload();
    if (!out.ok) {
      replace(status, t('scan.checksum'));
      rx.reset();
      return;
    }
    done = true;
    const seconds = (performance.now() - first) / 1000;
    el.dataset.state = 'done';
    el.dataset.seconds = seconds.toFixed(2);
    publishStats();
    replace(status, t('scan.done', { bytes: out.payload.length, frames: p.frames, seconds: seconds.toFixed(1) }));
    stop();
    if (onPayload) onPayload(out.payload, { transfer: out.transfer, frames: p.frames, seconds });
  }

  async function start() {
    if (scanner) return;
    el.dataset.state = 'starting';
    replace(status, t('scan.starting'));
    startBtn.disabled = true;
    try {
      scanner = await startScanner({ video, onText: handle, engine });
    } catch (e) {
      el.dataset.state = 'failed';
      startBtn.disabled = false;
      const denied = e && (e.name === 'NotAllowedError' || e.name === 'SecurityError');
      const none = e && (e.name === 'NotFoundError' || e.code === 'no_camera');
      replace(status, h('span', { class: 'bad' }, denied ? t('scan.denied') : none ? t('scan.noCamera') : t('scan.failed', { message: e && e.message ? e.message : String(e) })));
      return;
    }
    el.dataset.state = 'scanning';
    startBtn.hidden = true;
    stopBtn.hidden = false;
    replace(status, t('scan.scanning'));
    statsTimer = setInterval(publishStats, 500);
  }

  function stop() {
    clearInterval(statsTimer);
    publishStats();
    if (scanner) scanner.stop();
    scanner = null;
    startBtn.hidden = false;
    startBtn.disabled = false;
    stopBtn.hidden = true;
    if (el.dataset.state === 'scanning') el.dataset.state = 'stopped';
  }

  function reset() {
    rx.release();
    rx = codec.newReceiver();
    done = false;
    first = 0;
    progress.value = 0;
    el.dataset.state = scanner ? 'scanning' : 'idle';
    replace(status, t('scan.idle'));
  }

  startBtn.addEventListener('click', () => { if (done) reset(); start(); });
  stopBtn.addEventListener('click', stop);
  // Stop the camera when the view leaves the page.
  let attached = false;
  const watch = setInterval(() => {
    if (el.isConnected) attached = true;
    else if (attached) { stop(); clearInterval(watch); }
  }, 1000);
  if (autoStart) start();
  return { el, start, stop, reset, handle };
}
