// Phone pairing against the real server, driven by airgap_test.go: the
// desktop signs in, opens the activate page and shows a pairing QR code; a
// phone (a second browser, phone-sized, whose fake camera shows a
// terminal's request QR code) opens the pairing link, announces itself and
// sends the request it reads; the desktop's form fills in at once.
//
// Input: LICET_URL, LICET_SETUP_TOKEN, LICET_CAMERA (.y4m of the request
// QR code), LICET_REQUEST (its base32 part), LICET_OUT. Output: one JSON line.

import assert from 'node:assert/strict';
import path from 'node:path';
import { env, launch, failureShots } from './browser.mjs';

const base = env('LICET_URL').replace(/\/$/, '');
const out = env('LICET_OUT');
const t0 = Date.now();
const step = (s) => process.stderr.write(`pairing.mjs: ${((Date.now() - t0) / 1000).toFixed(1)} s: ${s}\n`);
const result = {};
const desktop = await launch({});
const phone = await launch({ camera: env('LICET_CAMERA'), viewport: { width: 390, height: 844 }, isMobile: true, locale: 'zh-CN' });

try {
  const page = await desktop.context.newPage();
  step('sign in through the setup link');
  await page.goto(`${base}/setup#${env('LICET_SETUP_TOKEN')}`);
  await page.fill('input[name=username]', 'admin');
  await page.fill('input[name=password]', 'correct horse battery staple');
  await page.fill('input[name=password2]', 'correct horse battery staple');
  await page.click('form button[type=submit]');
  await page.locator('#who').filter({ hasText: 'admin' }).waitFor();

  step('desktop: pairing QR code');
  await page.goto(`${base}/#/activate`);
  await page.locator('main[data-page=activate]').waitFor();
  await page.click('[data-testid=pair-start]');
  await page.locator('[data-testid=pair-qr]').waitFor();
  const phoneURL = await page.locator('[data-testid=pair-url]').getAttribute('href');
  result.phoneURL = phoneURL;
  await page.locator('[data-testid=pairing][data-state=open]').waitFor();
  const qr = page.locator('[data-testid=pair-qr]');
  await qr.evaluate(async (img) => { img.style.width = `${(Number(img.dataset.version) * 4 + 25) * 6}px`; img.scrollIntoView({ block: 'center' }); await img.decode(); });
  result.pairQR = path.join(out, 'pair-qr.png');
  await qr.screenshot({ path: result.pairQR });

  step('phone: the pairing link, then the terminal');
  const ph = await phone.context.newPage();
  await ph.goto(phoneURL);
  await ph.locator('[data-testid=pair-state][data-state=connected]').waitFor();
  assert.match(ph.url(), /#\/pair\//);
  await page.locator('[data-testid=pairing][data-state=paired]').waitFor();
  await ph.locator('[data-testid=pair-sent-item]').waitFor({ timeout: 60_000 });
  result.phoneSent = (await ph.locator('[data-testid=pair-sent-item]').textContent()).trim();
  await ph.screenshot({ path: path.join(out, 'phone.png'), fullPage: true });

  step('desktop: the request arrived');
  await page.locator('[data-testid=request]').waitFor();
  result.request = await page.locator('[data-testid=request]').inputValue();
  assert.equal(result.request, env('LICET_REQUEST'));
  assert.match(page.url(), /#\/activate\?request=/);
  await page.screenshot({ path: path.join(out, 'desktop.png'), fullPage: true });
  assert.deepEqual(desktop.problems, []);
  assert.deepEqual(phone.problems, []);
  process.stdout.write(`${JSON.stringify(result)}\n`);
} catch (e) {
  for (const b of [desktop, phone]) {
    for (const p of b.context.pages()) process.stderr.write(`pairing.mjs: page ${p.url()}:\n${await p.locator('main').innerText().catch(() => '')}\n`);
    await failureShots(b.context, out, b === desktop ? 'desktop' : 'phone');
    if (b.problems.length) process.stderr.write(`pairing.mjs: browser problems:\n${b.problems.join('\n')}\n`);
  }
  throw e;
} finally {
  await desktop.close();
  await phone.close();
}
