// The portal's browser test, driven by portal_test.go against a running
// server: sign in through the one-time setup link, create a product, a
// customer and an order, issue the order license, activate a device from a
// device code typed with one wrong character (the page must show the
// correction as it is typed), and download the device license.
//
// Input (environment): LICET_URL (server base URL), LICET_SETUP_TOKEN,
// LICET_PRODUCT_SHORT_ID, LICET_DEVICE_CODE (as typed, with one typo),
// LICET_CANONICAL (the corrected code), LICET_TYPO_POSITION (1-based),
// LICET_REQUEST_URL (a terminal's request URL, upper case), LICET_OUT (directory for the
// downloaded files and screenshots). Output: one JSON line on stdout with
// the order id, the correction shown, and the paths of the downloaded order
// license, device licenses (typed code, request URL) and trust file.
//
// Chromium is Debian's /usr/bin/chromium (LICET_CHROMIUM overrides); no
// browser is ever downloaded.

import assert from 'node:assert/strict';
import path from 'node:path';
import { env, launch, failureShots } from './browser.mjs';

const base = env('LICET_URL').replace(/\/$/, '');
const out = env('LICET_OUT');
const typed = env('LICET_DEVICE_CODE');
const canonical = env('LICET_CANONICAL');
const typoPos = Number(env('LICET_TYPO_POSITION'));
const shortId = env('LICET_PRODUCT_SHORT_ID');
const requestURL = env('LICET_REQUEST_URL');
const request = requestURL.slice(requestURL.lastIndexOf('/R/') + 3);

// Any console error, uncaught exception or CSP violation fails the test.
const b = await launch();
const { context, problems } = b;

const step = (s) => process.stderr.write(`portal.mjs: ${s}\n`);
const result = {};

try {
  const page = context.pages()[0] || await context.newPage();

  step('setup link');
  await page.goto(`${base}/setup#${env('LICET_SETUP_TOKEN')}`);
  await page.fill('input[name=username]', 'admin');
  await page.fill('input[name=password]', 'correct horse battery staple');
  await page.fill('input[name=password2]', 'correct horse battery staple');
  await page.click('form button[type=submit]');
  await page.waitForURL(/#\/products$/);
  await page.locator('main[data-page=products]').waitFor();
  await page.locator('#who').filter({ hasText: 'admin' }).waitFor();

  step('product');
  await page.click('[data-testid=new]');
  await page.fill('.panel input[name=name]', 'Lathe controller');
  await page.fill('.panel input[name=short_id]', shortId);
  await page.click('.panel button[type=submit]');
  await page.locator('.list td', { hasText: 'Lathe controller' }).waitFor();

  step('customer');
  await page.goto(`${base}/#/customers`);
  await page.locator('main[data-page=customers]').waitFor();
  await page.click('[data-testid=new]');
  await page.fill('.panel input[name=name]', 'Hangzhou Works');
  await page.fill('.panel input[name=email]', 'ops@hangzhou.example');
  await page.click('.panel button[type=submit]');
  await page.locator('.list td', { hasText: 'Hangzhou Works' }).waitFor();

  step('order');
  await page.goto(`${base}/#/orders`);
  await page.locator('main[data-page=orders]').waitFor();
  await page.click('[data-testid=new]');
  await page.selectOption('.panel select[name=product_id]', { label: `Lathe controller (${shortId})` });
  await page.selectOption('.panel select[name=customer_id]', { label: 'Hangzhou Works' });
  // The periodic mode shows its lease fields; permanent hides them again.
  await page.selectOption('.panel select[name=mode]', 'periodic');
  await page.locator('.panel [data-field=renew_days]').waitFor({ state: 'visible' });
  await page.selectOption('.panel select[name=mode]', 'permanent');
  await page.locator('.panel [data-field=renew_days]').waitFor({ state: 'hidden' });
  await page.fill('.panel input[name=seats]', '5');
  await page.fill('.panel textarea[name=features]', 'reports\nmax_users=50');
  await page.click('.panel button[type=submit]');
  await page.waitForURL(/#\/orders\/[^/?]+$/);
  result.order = decodeURIComponent(page.url().split('#/orders/')[1]);

  step('order license');
  await page.click('[data-testid=issue-order-license]');
  await page.locator('[data-testid=issued]').waitFor();
  const [orderDl] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=issued] [data-testid=download]')]);
  result.orderLicense = path.join(out, 'order.license');
  await orderDl.saveAs(result.orderLicense);

  step('activate: type the device code with one wrong character');
  await page.click(`a[href="/#/activate?order=${encodeURIComponent(result.order)}"]`);
  const field = page.locator('.devcode');
  await field.and(page.locator('[data-codec=ready]')).waitFor();
  assert.equal(await page.inputValue('[data-testid=order]'), result.order);
  const input = page.locator('[data-testid=device-code]');
  // The first group, typed in lower case: marked filled, not yet checked.
  await input.pressSequentially(typed.slice(0, 5).toLowerCase());
  await page.locator('.devcode-groups li').nth(0).and(page.locator('.group-filled')).waitFor();
  assert.equal(await field.getAttribute('data-result'), 'incomplete');
  await input.pressSequentially(typed.slice(5));
  const correction = page.locator('[data-testid=devcode-correction]');
  await correction.waitFor();
  result.correction = (await correction.innerText()).trim();
  assert.equal(await page.locator('[data-testid=devcode-canonical]').innerText(), canonical);
  assert.match(result.correction, new RegExp(`Character ${typoPos} \\(group ${Math.floor((typoPos - 1) / 5) + 1}\\) was corrected`));
  const group = Math.floor((typoPos - 1) / 5);
  await page.locator('.devcode-groups li').nth(group).and(page.locator('.group-corrected')).waitFor();
  assert.equal(await page.locator('.devcode-groups mark.fixed').count(), 1);
  await page.screenshot({ path: path.join(out, 'activate-corrected.png'), fullPage: true });

  step('language switch');
  await page.click('#lang-toggle');
  await page.locator('[data-testid=devcode-correction]').waitFor({ state: 'detached' });
  await page.locator('nav a', { hasText: '激活' }).waitFor();
  await page.locator('[data-testid=device-code]').pressSequentially(typed);
  const zh = (await page.locator('[data-testid=devcode-correction]').innerText()).trim();
  assert.match(zh, new RegExp(`第 ${typoPos} 个字符`));
  await page.click('#lang-toggle');
  await page.locator('nav a', { hasText: 'Activate' }).waitFor();
  await page.locator('.devcode[data-codec=ready]').waitFor();
  await page.locator('[data-testid=device-code]').pressSequentially(typed);
  await correction.waitFor();

  step('activate: submit and download');
  await page.click('[data-testid=activate]');
  await page.locator('[data-testid=activated]').waitFor();
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=activated] [data-testid=download]')]);
  result.deviceLicense = path.join(out, 'device.license');
  await dl.saveAs(result.deviceLicense);
  result.suggestedName = dl.suggestedFilename();

  step('licenses list');
  await page.goto(`${base}/#/licenses`);
  await page.locator('main[data-page=licenses]').waitFor();
  await page.locator('.list tbody tr').first().waitFor();
  result.licensesListed = await page.locator('.list tbody tr').count();

  step('a license shown as an animated QR code');
  await page.locator('.list tbody tr a[href*="#/licenses/"]').first().click();
  await page.locator('main[data-page=license]').waitFor();
  await page.click('[data-testid=show-aqr]');
  const aqr = page.locator('[data-testid=aqr]');
  await aqr.waitFor();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=aqr]').dataset.seq) >= 2);
  assert.ok(Number(await aqr.getAttribute('data-blocks')) >= 1);
  result.aqrLength = Number(await aqr.getAttribute('data-length'));

  step('trust file from the settings page');
  await page.goto(`${base}/#/settings`);
  await page.locator('main[data-page=settings]').waitFor();
  await page.locator('.card td code', { hasText: /^[0-9a-f]{32}$/ }).first().waitFor();
  const [trustDl] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=trust-file]')]);
  result.trustFile = path.join(out, 'licet.pub');
  await trustDl.saveAs(result.trustFile);

  step('request URL on a phone');
  const phone = await context.newPage();
  await phone.setViewportSize({ width: 390, height: 844 });
  await phone.goto(requestURL);
  await phone.waitForURL(/#\/activate\?request=/);
  await phone.locator('main[data-page=activate]').waitFor();
  assert.equal(await phone.inputValue('[data-testid=request]'), request);
  assert.equal(await phone.inputValue('[data-testid=order]'), result.order);
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the activate page is ${overflow}px wider than a phone screen`);
  assert.ok(await phone.locator('#menu-toggle').isVisible(), 'the menu button shows on a phone');
  assert.ok(!(await phone.locator('#nav').isVisible()), 'the menu is folded on a phone');
  const tap = await phone.locator('[data-testid=activate]').boundingBox();
  assert.ok(tap.height >= 44, `the activate button is ${tap.height}px high`);
  await phone.tap('[data-testid=activate]');
  await phone.locator('[data-testid=activated]').waitFor();
  await phone.screenshot({ path: path.join(out, 'phone-request.png'), fullPage: true });
  const [reqDl] = await Promise.all([phone.waitForEvent('download'), phone.tap('[data-testid=activated] [data-testid=download]')]);
  result.requestLicense = path.join(out, 'request.license');
  await reqDl.saveAs(result.requestLicense);

  assert.deepEqual(problems, []);
  process.stdout.write(`${JSON.stringify(result)}\n`);
} catch (e) {
  // Leave what the pages showed for whoever reads the failure.
  await failureShots(context, out, 'portal');
  for (const p of context.pages()) {
    process.stderr.write(`portal.mjs: page at ${p.url()}: ${(await p.locator('main').innerText().catch(() => '')).slice(0, 2000)}\n`);
  }
  if (problems.length) process.stderr.write(`portal.mjs: browser problems:\n${problems.join('\n')}\n`);
  throw e;
} finally {
  await b.close();
}
