// Confirmation codes and release codes in the portal, driven by
// confirm_test.go against a running server, in two steps (LICET_STEP):
//
// issue: sign in, create a product, a customer and an order that accepts
//   confirmation codes (the option shows only in the modes that allow it),
//   issue its order license, then issue a confirmation code for a device
//   code typed with one wrong character; read the code as the page shows
//   it, download the full license, and show the code again on a phone.
//   Input: LICET_URL, LICET_USER, LICET_PASSWORD, LICET_PRODUCT_SHORT_ID,
//   LICET_DEVICE_CODE (as typed, one typo), LICET_CANONICAL, LICET_OUT.
// release: on a phone in Chinese, type a release code that names the
//   license but does not match it (the page explains), then the terminal's
//   release code with one wrong character: the seat is freed; again: it was
//   released before.
//   Input: LICET_URL, LICET_USER, LICET_PASSWORD, LICET_RELEASE_CODE (as
//   typed, one typo), LICET_RELEASE_CANONICAL, LICET_MISMATCH_CODE,
//   LICET_LICENSE_PREFIX, LICET_OUT.
//
// Output: one JSON line on stdout.

import assert from 'node:assert/strict';
import path from 'node:path';
import { env, launch, failureShots } from './browser.mjs';

const base = env('LICET_URL').replace(/\/$/, '');
const out = env('LICET_OUT');
const stepName = env('LICET_STEP');
const t0 = Date.now();
const step = (s) => process.stderr.write(`confirm.mjs ${stepName}: ${((Date.now() - t0) / 1000).toFixed(1)} s: ${s}\n`);
const result = {};
const phoneView = { width: 390, height: 844 };
const b = stepName === 'release'
  ? await launch({ viewport: phoneView, isMobile: true, locale: 'zh-CN' })
  : await launch({});

/** Signs in through the sign-in page. */
async function signIn(page) {
  await page.goto(`${base}/#/login`);
  await page.locator('main[data-page=login]').waitFor();
  await page.fill('input[name=username]', env('LICET_USER'));
  await page.fill('input[name=password]', env('LICET_PASSWORD'));
  await page.click('form button[type=submit]');
  // On a phone the account's name is in the folded menu: attached, not shown.
  await page.locator('#who').filter({ hasText: env('LICET_USER') }).waitFor({ state: 'attached' });
}

/** How much wider than the screen the page is (0 when it fits). */
const overflow = (page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

/** The innermost elements that reach past the right edge of the screen, for the failure message. */
const wide = (page) => page.evaluate(() => [...document.querySelectorAll('main *')]
  .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1 && ![...el.children].some((c) => c.getBoundingClientRect().right > window.innerWidth + 1))
  .slice(0, 5).map((el) => `${el.tagName.toLowerCase()}.${el.className} (${Math.round(el.getBoundingClientRect().width)}px)`).join(', '));

/** The characters of a code, without separators or white space. */
const chars = (s) => s.replace(/[^0-9A-Z]/gi, '').toUpperCase();

async function issue(page) {
  const shortId = env('LICET_PRODUCT_SHORT_ID');
  const typed = env('LICET_DEVICE_CODE');
  const canonical = env('LICET_CANONICAL');

  step('product and customer');
  await page.goto(`${base}/#/products`);
  await page.locator('main[data-page=products]').waitFor();
  await page.click('[data-testid=new]');
  await page.fill('.panel input[name=name]', 'Kiln controller');
  await page.fill('.panel input[name=short_id]', shortId);
  await page.click('.panel button[type=submit]');
  await page.locator('.list td', { hasText: 'Kiln controller' }).waitFor();
  await page.goto(`${base}/#/customers`);
  await page.locator('main[data-page=customers]').waitFor();
  await page.click('[data-testid=new]');
  await page.fill('.panel input[name=name]', 'Jingdezhen Ceramics');
  await page.click('.panel button[type=submit]');
  await page.locator('.list td', { hasText: 'Jingdezhen Ceramics' }).waitFor();

  step('order with confirmation codes');
  await page.goto(`${base}/#/orders`);
  await page.locator('main[data-page=orders]').waitFor();
  await page.click('[data-testid=new]');
  await page.selectOption('.panel select[name=product_id]', { label: `Kiln controller (${shortId})` });
  await page.selectOption('.panel select[name=customer_id]', { label: 'Jingdezhen Ceramics' });
  const option = page.locator('.panel [data-field=confirm_codes]');
  // Leases come from a site server: no confirmation codes in those modes.
  for (const mode of ['periodic', 'concurrent']) {
    await page.selectOption('.panel select[name=mode]', mode);
    await option.waitFor({ state: 'hidden' });
  }
  for (const mode of ['unlimited', 'preactivation', 'permanent']) {
    await page.selectOption('.panel select[name=mode]', mode);
    await option.waitFor({ state: 'visible' });
  }
  await page.fill('.panel input[name=seats]', '3');
  await page.fill('.panel input[name=not_after]:visible', '2027-03-01');
  await page.check('.panel input[name=confirm_codes]');
  await page.click('.panel button[type=submit]');
  await page.waitForURL(/#\/orders\/[^/?]+$/);
  result.order = decodeURIComponent(page.url().split('#/orders/')[1]);
  await page.locator('[data-testid=order-confirm-codes][data-on=true]').waitFor();

  step('order license, for the terminal to import');
  await page.click('[data-testid=issue-order-license]');
  await page.locator('[data-testid=issued]').waitFor();
  const [orderDl] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=issued] [data-testid=download]')]);
  result.orderLicense = path.join(out, 'order.license');
  await orderDl.saveAs(result.orderLicense);

  step('issue a confirmation code: the device code typed with one wrong character');
  await page.click('[data-testid=issue-confirmation-link]');
  await page.locator('main[data-page=activate]').waitFor();
  assert.equal(await page.inputValue('[data-testid=order]'), result.order);
  assert.ok(await page.locator('[data-testid=issue-confirmation]').isChecked(), 'the order page\'s link chooses a confirmation code');
  await page.locator('[data-field=days]').waitFor({ state: 'visible' });
  assert.equal((await page.locator('[data-testid=activate]').innerText()).trim(), 'Issue confirmation code');
  // A license file instead hides the days; back to the code.
  await page.check('[data-testid=issue-license]');
  await page.locator('[data-field=days]').waitFor({ state: 'hidden' });
  assert.equal((await page.locator('[data-testid=activate]').innerText()).trim(), 'Activate');
  await page.check('[data-testid=issue-confirmation]');
  await page.locator('.devcode[data-codec=ready]').waitFor();
  await page.locator('[data-testid=device-code]').pressSequentially(typed);
  await page.locator('[data-testid=devcode-correction]').waitFor();
  assert.equal(await page.locator('[data-testid=devcode-canonical]').innerText(), canonical);
  result.typedCorrection = (await page.locator('[data-testid=devcode-correction] strong').innerText()).trim();
  await page.fill('[data-testid=confirm-days]', '30');
  await page.click('[data-testid=activate]');
  const done = page.locator('[data-testid=confirmed]');
  await done.waitFor();
  const shown = page.locator('[data-testid=confirm-code]');
  result.code = await shown.getAttribute('data-code');
  result.codeText = chars(await shown.innerText());
  assert.equal(await shown.locator('.code-group').count(), 16);
  const font = await shown.evaluate((el) => ({ size: parseFloat(getComputedStyle(el).fontSize), family: getComputedStyle(el).fontFamily }));
  assert.ok(font.size >= 19, `the code is set in ${font.size}px`);
  assert.match(font.family, /mono/i);
  result.serverCorrection = (await done.locator('[data-testid=server-correction]').innerText()).trim();
  result.until = (await done.locator('[data-testid=confirm-until]').innerText()).trim();
  await done.locator('[data-testid=confirm-full-license]').waitFor();
  await page.screenshot({ path: path.join(out, 'confirmation.png'), fullPage: true });
  const [fullDl] = await Promise.all([page.waitForEvent('download'), done.locator('[data-testid=download]').click()]);
  result.fullLicense = path.join(out, 'full.license');
  await fullDl.saveAs(result.fullLicense);
  result.license = decodeURIComponent((await done.locator('a[href^="/#/licenses/"]').first().getAttribute('href')).split('#/licenses/')[1]);

  step('the same code again: no second seat');
  await page.click('[data-testid=activate]');
  await page.locator('[data-testid=confirm-reused]').waitFor();
  assert.equal(await page.locator('[data-testid=confirm-code]').getAttribute('data-code'), result.code);

  step('the license page on a phone shows the code');
  const phone = await b.context.newPage();
  await phone.setViewportSize(phoneView);
  await phone.goto(`${base}/#/licenses/${encodeURIComponent(result.license)}`);
  await phone.locator('main[data-page=license]').waitFor();
  assert.equal(await phone.locator('[data-testid=license-confirm-code]').getAttribute('data-code'), result.code);
  const over = await overflow(phone);
  assert.ok(over <= 0, `the license page is ${over}px wider than a phone screen: ${await wide(phone)}`);
  await phone.screenshot({ path: path.join(out, 'phone-license.png'), fullPage: true });
  await phone.close();
}

async function release(page) {
  const typed = env('LICET_RELEASE_CODE');
  const canonical = env('LICET_RELEASE_CANONICAL');
  const prefix = env('LICET_LICENSE_PREFIX');

  step('the release page from the phone\'s menu');
  await page.tap('#menu-toggle');
  await page.locator('#nav a', { hasText: '释放' }).tap();
  await page.locator('main[data-page=release]').waitFor();
  const field = page.locator('.devcode[data-kind=release]');
  await field.and(page.locator('[data-codec=ready]')).waitFor();
  const input = page.locator('[data-testid=release-code]');

  step('a code that names the license but does not match it');
  await input.pressSequentially(env('LICET_MISMATCH_CODE'));
  await page.locator('[data-testid=devcode-valid]').waitFor();
  await page.tap('[data-testid=release]');
  await page.locator('.problem[data-code=release_code_mismatch]').waitFor();
  result.mismatchAdvice = (await page.locator('[data-testid=release-advice]').innerText()).trim();
  assert.equal(await page.locator('[data-testid=released]').count(), 0);

  step('the terminal\'s code, typed with one wrong character');
  await input.fill('');
  // The first half is checked as soon as it is typed.
  await input.pressSequentially(typed.slice(0, 23));
  await page.locator('.devcode-groups li').nth(3).and(page.locator('.group-ok, .group-corrected')).waitFor();
  assert.equal(await field.getAttribute('data-result'), 'incomplete');
  await input.pressSequentially(typed.slice(23));
  await page.locator('[data-testid=devcode-correction]').waitFor();
  assert.equal(await page.locator('[data-testid=devcode-canonical]').innerText(), canonical);
  result.typedCorrection = (await page.locator('[data-testid=devcode-correction] strong').innerText()).trim();
  result.names = (await page.locator('[data-testid=release-names]').innerText()).trim();
  assert.ok(result.names.includes(prefix), `the field says ${result.names}, not license ${prefix}`);
  await page.tap('[data-testid=release]');
  const done = page.locator('[data-testid=released]');
  await done.waitFor();
  assert.equal(await done.getAttribute('data-already'), 'false');
  result.license = await done.getAttribute('data-license');
  result.heading = (await done.locator('h2').innerText()).trim();
  result.summary = (await done.locator('[data-testid=release-summary]').innerText()).trim();
  result.seats = (await done.locator('[data-testid=release-seats]').innerText()).trim();
  result.serverCorrection = (await done.locator('[data-testid=server-correction]').innerText()).trim();
  result.status = (await done.locator('.badge').first().innerText()).trim();
  const over = await overflow(page);
  assert.ok(over <= 0, `the release page is ${over}px wider than a phone screen: ${await wide(page)}`);
  const tap = await page.locator('[data-testid=release]').boundingBox();
  assert.ok(tap.height >= 44, `the release button is ${tap.height}px high`);
  await page.screenshot({ path: path.join(out, 'phone-release.png'), fullPage: true });

  step('the same code again');
  await page.tap('[data-testid=release]');
  await page.locator('[data-testid=released][data-already=true]').waitFor();
  result.againHeading = (await page.locator('[data-testid=released] h2').innerText()).trim();
}

try {
  const page = await b.context.newPage();
  step('sign in');
  await signIn(page);
  // The session check of the sign-in page is answered 401, which Chromium
  // logs; nothing else may be.
  b.problems.splice(0, b.problems.length, ...b.problems.filter((p) => !/responded with a status of 401/.test(p)));
  if (stepName === 'issue') await issue(page);
  else if (stepName === 'release') await release(page);
  else throw new Error(`LICET_STEP ${stepName}: want issue or release`);
  // The mismatching release code is answered 422 on purpose, which
  // Chromium logs; anything else is a fault.
  assert.deepEqual(b.problems.filter((p) => !(stepName === 'release' && /responded with a status of 422/.test(p))), []);
  process.stdout.write(`${JSON.stringify(result)}\n`);
} catch (e) {
  await failureShots(b.context, out, stepName);
  for (const p of b.context.pages()) {
    process.stderr.write(`confirm.mjs: page at ${p.url()}: ${(await p.locator('main').innerText().catch(() => '')).slice(0, 2000)}\n`);
  }
  if (b.problems.length) process.stderr.write(`confirm.mjs: browser problems:\n${b.problems.join('\n')}\n`);
  throw e;
} finally {
  await b.close();
}
