// licetd's activation page in Chromium, driven by terminal_test.go against
// agent/webui on a fake machine: the device code and request QR code the
// page makes, then the license read from the fake camera's animated QR.
//
// Input: LICET_URL (the page's URL with its token), LICET_CAMERA (.y4m),
// LICET_OUT. Output: one JSON line.

import assert from 'node:assert/strict';
import path from 'node:path';
import { env, launch, failureShots } from './browser.mjs';

const out = env('LICET_OUT');
const step = (s) => process.stderr.write(`terminal.mjs: ${s}\n`);
const result = {};
const b = await launch({ camera: env('LICET_CAMERA'), viewport: { width: 1280, height: 1000 } });

try {
  const page = await b.context.newPage();
  await page.goto(env('LICET_URL'));
  await page.locator('.terminal[data-ready=true]').waitFor();

  step('device code and request QR code');
  const reqBox = page.locator('[data-testid=term-request]');
  result.agree = await reqBox.getAttribute('data-agree');
  result.deviceCode = (await page.locator('[data-testid=term-devcode]').textContent()).trim();
  result.url = (await page.locator('[data-testid=term-url]').textContent()).trim();
  const qr = page.locator('[data-testid=term-qr]');
  await qr.evaluate(async (img) => { img.style.width = `${(Number(img.dataset.version) * 4 + 25) * 6}px`; img.scrollIntoView({ block: 'center' }); await img.decode(); });
  result.qr = path.join(out, 'request-qr.png');
  await qr.screenshot({ path: result.qr });

  step('the license from the camera');
  await page.click('[data-testid=scan-start]');
  await page.locator('[data-testid=term-imported]').waitFor({ timeout: 60_000 });
  await page.locator('[data-testid=term-status][data-licensed=true]').waitFor();
  result.status = await page.locator('[data-testid=term-status]').getAttribute('data-state');
  const rx = page.locator('[data-testid=receiver]');
  for (const k of ['engine', 'frames', 'seconds', 'decodeMs', 'maxDecodeMs', 'cameraFrames', 'codes', 'resolution', 'blocks']) {
    result[k] = await rx.getAttribute(`data-${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
  }
  await page.screenshot({ path: path.join(out, 'terminal.png'), fullPage: true });

  step('Chinese');
  await page.click('#lang-toggle');
  await page.locator('h1', { hasText: '激活' }).waitFor();
  assert.deepEqual(b.problems, []);
  process.stdout.write(`${JSON.stringify(result)}\n`);
} catch (e) {
  for (const p of b.context.pages()) process.stderr.write(`terminal.mjs: page ${p.url()}:\n${await p.locator('main').innerText().catch(() => '')}\n`);
  await failureShots(b.context, out, 'terminal');
  if (b.problems.length) process.stderr.write(`terminal.mjs: browser problems:\n${b.problems.join('\n')}\n`);
  throw e;
} finally {
  await b.close();
}
