// The offline workbench from a plain static file server with no API,
// driven by airgap_test.go: a device code with one typo is corrected, a
// request URL is read, a license verifies against a pasted public key (and
// not against another), the license is shown as an animated QR (each frame
// of the first loop is saved as a screenshot for the Go test to decode),
// and the fake camera's animated QR of the same license is received.
//
// Input: LICET_URL (the static server's URL of site/static), LICET_FILE_URL
// (file:// URL of workbench.html), LICET_CAMERA (.y4m), LICET_LICENSE (path
// of the license file, CBOR), LICET_ROOTS (trusted keys), LICET_OTHER_KEY,
// LICET_AT (RFC 3339 instant to verify at), LICET_DEVICE_CODE (typed, one
// typo), LICET_CANONICAL, LICET_REQUEST_URL, LICET_OUT. Output: one JSON line.

import assert from 'node:assert/strict';
import path from 'node:path';
import { env, launch, failureShots } from './browser.mjs';

const base = env('LICET_URL').replace(/\/$/, '');
const out = env('LICET_OUT');
const step = (s) => process.stderr.write(`workbench.mjs: ${s}\n`);
const result = {};
const b = await launch({ camera: env('LICET_CAMERA') });

try {
  const page = await b.context.newPage();
  await page.goto(`${base}/workbench.html`);
  await page.locator('.workbench[data-ready=true]').waitFor();

  step('device code with a typo');
  const code = page.locator('#wb-devcode input[name=device_code]');
  await code.pressSequentially(env('LICET_DEVICE_CODE'), { delay: 5 });
  await page.locator('#wb-devcode [data-testid=devcode-correction]').waitFor();
  assert.equal(await page.locator('#wb-devcode [data-testid=devcode-canonical]').textContent(), env('LICET_CANONICAL'));

  step('request URL');
  await page.fill('[data-testid=wb-request-input]', env('LICET_REQUEST_URL'));
  result.requestDeviceCode = await page.locator('[data-testid=request-devcode]').textContent();
  await page.locator('[data-testid=request-qr]').waitFor();

  step('verify against the right key, a wrong key, and the wrong time');
  const at = env('LICET_AT').replace(/Z$/, '').slice(0, 19);
  await page.setInputFiles('[data-testid=wb-license-file]', env('LICET_LICENSE'));
  await page.fill('[data-testid=wb-keys]', env('LICET_ROOTS'));
  await page.fill('[data-testid=wb-at]', at);
  await page.click('[data-testid=wb-verify]');
  await page.locator('[data-testid=verify-result][data-result=valid]').waitFor();
  result.leafType = await page.locator('[data-testid=verify-result] dd').first().textContent();
  await page.fill('[data-testid=wb-keys]', env('LICET_OTHER_KEY'));
  await page.click('[data-testid=wb-verify]');
  await page.locator('[data-testid=verify-result][data-kind=untrusted-key]').waitFor();
  await page.fill('[data-testid=wb-keys]', env('LICET_ROOTS'));
  await page.fill('[data-testid=wb-at]', '2099-01-01T00:00:00');
  await page.click('[data-testid=wb-verify]');
  await page.locator('[data-testid=verify-result][data-kind=expired]').waitFor();

  step('show as animated QR: the counter moves; pause, then step through the first loop');
  await page.click('[data-testid=wb-show]');
  const aqr = page.locator('[data-testid=aqr]');
  await aqr.waitFor();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=aqr]').dataset.seq) >= 3);
  await page.selectOption('[data-testid=aqr-speed]', '12');
  assert.equal(await aqr.getAttribute('data-fps'), '12');
  await page.click('[data-testid=aqr-pause]');
  assert.equal(await aqr.getAttribute('data-playing'), 'false');
  const loop = Number(await aqr.getAttribute('data-loop'));
  // Whole pixels per module for gozxing in the Go test: 89 modules (version
  // 16 and the quiet zone) at 8 pixels.
  // Centred, so that the sticky top bar does not cover it.
  await page.locator('[data-testid=aqr-image]').evaluate((img) => { img.style.width = '712px'; img.scrollIntoView({ block: 'center' }); });
  result.loop = loop;
  result.shown = [];
  // Step on from where it paused through a loop and a few frames more:
  // every block, and some repair frames for what a reader misses.
  for (let i = 0; i < loop + 6; i++) {
    await page.click('[data-testid=aqr-step]');
    const seq = await aqr.getAttribute('data-seq');
    const file = path.join(out, `aqr-${String(i).padStart(2, '0')}.png`);
    await page.locator('[data-testid=aqr-image]').evaluate(async (img) => { img.scrollIntoView({ block: 'center' }); await img.decode(); });
    await page.locator('[data-testid=aqr-image]').screenshot({ path: file });
    result.shown.push(file);
    assert.match(await page.locator('[data-testid=aqr-counter]').textContent(), new RegExp(`Frame ${Number(seq) + 1} `));
  }

  step('receive the fake camera\'s animated QR');
  await page.click('#wb-receive [data-testid=scan-start]');
  const rx = page.locator('#wb-receive [data-testid=receiver]');
  await page.locator('[data-testid=wb-received-ok]').waitFor({ timeout: 60_000 });
  const ok = page.locator('[data-testid=wb-received-ok]');
  result.receivedHex = await ok.getAttribute('data-hex');
  for (const k of ['engine', 'frames', 'seconds', 'decodeMs', 'maxDecodeMs', 'cameraFrames', 'codes', 'resolution', 'blocks']) {
    result[k] = await rx.getAttribute(`data-${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
  }
  await page.screenshot({ path: path.join(out, 'workbench.png'), fullPage: true });

  step('Chinese');
  await page.click('#lang-toggle');
  await page.locator('h1', { hasText: '离线工作台' }).waitFor();

  result.apiRequests = b.requests.filter((u) => new URL(u).pathname.startsWith('/api/'));
  result.requestCount = b.requests.length;

  // Any console error or page error up to here fails the test.
  assert.deepEqual(b.problems, []);

  step('from file://');
  const fpage = await b.context.newPage();
  await fpage.goto(env('LICET_FILE_URL'));
  await fpage.locator('#file-note').waitFor({ state: 'visible' });
  result.fileNote = true;
  await fpage.close();
  // From file:// the module script is blocked (console errors about it),
  // which is the documented limit the note explains.
  process.stdout.write(`${JSON.stringify(result)}\n`);
} catch (e) {
  for (const p of b.context.pages()) {
    process.stderr.write(`workbench.mjs: page ${p.url()}:\n${await p.locator('main').innerText().catch(() => '')}\n`);
  }
  await failureShots(b.context, out, 'workbench');
  if (b.problems.length) process.stderr.write(`workbench.mjs: browser problems:\n${b.problems.join('\n')}\n`);
  throw e;
} finally {
  await b.close();
}
