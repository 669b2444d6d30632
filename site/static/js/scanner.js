// Reading QR codes from a camera (DESIGN 5.5). The browser's own
// BarcodeDetector is used where it exists and reads QR codes (Android
// Chrome, macOS and iOS Safari); elsewhere (desktop Linux and Windows
// Chromium, Firefox) zxing-wasm, vendored under vendor/zxing-wasm by
// `make wasm`, reads the frames. Both run in the page: no frame leaves it.

const zxingModule = '../vendor/zxing-wasm/es/reader/index.js';
let zxingPending = null;

/** Loads zxing-wasm once, with its WebAssembly from this site. */
function loadZXing() {
  if (!zxingPending) {
    zxingPending = import(new URL(zxingModule, import.meta.url).href).then((z) => {
      z.prepareZXingModule({
        overrides: { locateFile: (file) => new URL(`../vendor/zxing-wasm/reader/${file}`, import.meta.url).href },
      });
      return z;
    }).catch((e) => {
      zxingPending = null;
      throw e;
    });
  }
  return zxingPending;
}

/**
 * The detector for this browser: {engine: 'barcode-detector'|'zxing',
 * detect(imageSource) -> Promise<string[]>}. engine 'zxing' may be forced
 * (tests measure it on purpose).
 */
export async function createDetector({ engine = '' } = {}) {
  if (engine !== 'zxing' && 'BarcodeDetector' in globalThis) {
    try {
      const formats = await globalThis.BarcodeDetector.getSupportedFormats();
      if (formats.includes('qr_code')) {
        const d = new globalThis.BarcodeDetector({ formats: ['qr_code'] });
        return { engine: 'barcode-detector', detect: async (src) => (await d.detect(src)).map((b) => b.rawValue) };
      }
    } catch { /* fall through to zxing-wasm */ }
  }
  const z = await loadZXing();
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  const options = { formats: ['QRCode'], tryHarder: true, tryInvert: true, maxNumberOfSymbols: 1 };
  return {
    engine: 'zxing',
    async detect(src) {
      const w = src.videoWidth || src.naturalWidth || src.width;
      const hgt = src.videoHeight || src.naturalHeight || src.height;
      if (!w || !hgt) return [];
      if (canvas.width !== w || canvas.height !== hgt) { canvas.width = w; canvas.height = hgt; }
      ctx.drawImage(src, 0, 0, w, hgt);
      const found = await z.readBarcodes(ctx.getImageData(0, 0, w, hgt), options);
      return found.filter((r) => r.isValid).map((r) => r.text);
    },
  };
}

/**
 * startScanner({video, onText, engine}) opens the camera (the back camera
 * on a phone) into video and reads every new frame, calling onText(text)
 * for each code read (the same text again only after a different one).
 * Returns {stop(), stats, engine}; stats counts frames read, codes found
 * and the time spent decoding. Rejects when there is no camera or the
 * person refuses it.
 */
export async function startScanner({ video, onText, engine = '' }) {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    throw Object.assign(new Error('no camera API (the page must be served over https or from localhost)'), { code: 'no_camera' });
  }
  const detector = await createDetector({ engine });
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: false,
    video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 }, height: { ideal: 720 } },
  });
  video.muted = true;
  video.setAttribute('playsinline', '');
  video.srcObject = stream;
  await video.play();

  const stats = { engine: detector.engine, frames: 0, found: 0, decodeMs: 0, maxDecodeMs: 0, width: 0, height: 0 };
  let running = true;
  let last = '';
  const useVFC = 'requestVideoFrameCallback' in HTMLVideoElement.prototype;

  async function step() {
    if (!running) return;
    if (video.readyState >= 2) {
      const t0 = performance.now();
      let texts = [];
      try {
        texts = await detector.detect(video);
      } catch { /* a frame that cannot be read is skipped */ }
      const ms = performance.now() - t0;
      stats.frames++;
      stats.decodeMs += ms;
      stats.maxDecodeMs = Math.max(stats.maxDecodeMs, ms);
      stats.width = video.videoWidth;
      stats.height = video.videoHeight;
      for (const text of texts) {
        stats.found++;
        if (text !== last) {
          last = text;
          try { onText(text); } catch (e) { console.warn(e); }
        }
      }
    }
    if (!running) return;
    if (useVFC) video.requestVideoFrameCallback(() => step());
    else requestAnimationFrame(() => step());
  }
  step();

  return {
    engine: detector.engine,
    stats,
    stop() {
      running = false;
      for (const track of stream.getTracks()) track.stop();
      video.srcObject = null;
    },
  };
}

/** Reads the QR code of an image file (a photo or a screenshot). */
export async function scanImageFile(file) {
  const detector = await createDetector();
  const url = URL.createObjectURL(file);
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    return await detector.detect(img);
  } finally {
    URL.revokeObjectURL(url);
  }
}
