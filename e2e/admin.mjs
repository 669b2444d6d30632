// The portal's administrative pages, driven by portal_test.go (TestAdmin)
// against a running server: field errors from the server under their
// fields, all five order modes with their order licenses, reissue and
// revoke, API tokens (the token works with the API), accounts and roles,
// root key rotation (a wrong passphrase first), the audit log, Chinese, and
// a failed sign-in.
//
// Input (environment): LICET_URL, LICET_SETUP_TOKEN, LICET_PASSPHRASE (of
// the server's root key), LICET_OUT, LICET_CHROMIUM. Output: one JSON line.

import assert from 'node:assert/strict';
import path from 'node:path';
import { env, launch, failureShots } from './browser.mjs';

const base = env('LICET_URL').replace(/\/$/, '');
const out = env('LICET_OUT');
const password = 'correct horse battery staple';

// Uncaught exceptions fail the test; console errors are expected here (the
// server answers 4xx on purpose), so only page errors count.
const b = await launch({ consoleErrors: false });
const { context, problems } = b;
const step = (s) => process.stderr.write(`admin.mjs: ${s}\n`);
const result = {};

async function open(page, route, name) {
  await page.goto(`${base}/#/${route}`);
  await page.locator(`main[data-page=${name}]`).waitFor();
}

try {
  const page = context.pages()[0] || await context.newPage();

  step('setup: the server refuses a short password, shown under the field');
  await page.goto(`${base}/setup#${env('LICET_SETUP_TOKEN')}`);
  await page.fill('input[name=username]', 'admin');
  await page.fill('input[name=password]', 'short');
  await page.fill('input[name=password2]', 'short');
  await page.click('form button[type=submit]');
  const pwErr = page.locator('[data-field=password] .field-error');
  await pwErr.waitFor();
  assert.match(await pwErr.innerText(), /12/);
  assert.equal(await page.getAttribute('.form-problem .problem', 'data-code'), 'validation_failed');
  await page.fill('input[name=password]', password);
  await page.fill('input[name=password2]', password);
  await page.click('form button[type=submit]');
  await page.locator('main[data-page=products]').waitFor();

  step('products: create, duplicate short id, edit');
  await page.click('[data-testid=new]');
  await page.fill('.panel input[name=name]', 'Spindle');
  await page.fill('.panel input[name=short_id]', '7');
  await page.click('.panel button[type=submit]');
  await page.locator('.list td', { hasText: 'Spindle' }).waitFor();
  await page.click('[data-testid=new]');
  await page.fill('.panel input[name=name]', 'Spindle 2');
  await page.fill('.panel input[name=short_id]', '7');
  await page.click('.panel button[type=submit]');
  await page.locator('.panel .problem[data-code=conflict]').waitFor();
  await page.click('.panel .form-actions button.secondary');
  await page.locator('.list tr', { hasText: 'Spindle' }).getByRole('button').click();
  assert.equal(await page.getAttribute('.panel input[name=short_id]', 'readonly'), '');
  await page.fill('.panel [name=description]', 'five-axis spindle');
  await page.click('.panel button[type=submit]');
  await page.locator('.list td', { hasText: 'five-axis spindle' }).waitFor();

  step('customer');
  await open(page, 'customers', 'customers');
  await page.click('[data-testid=new]');
  await page.fill('.panel input[name=name]', 'Suzhou Plant');
  await page.click('.panel button[type=submit]');
  await page.locator('.list td', { hasText: 'Suzhou Plant' }).waitFor();

  step('orders in all five modes, each with its order license');
  const modes = {
    periodic: async () => { await page.fill('.panel input[name=lease_days]', '10'); await page.fill('.panel input[name=renew_days]', '2'); },
    concurrent: async () => { await page.fill('.panel input[name=max_borrow_days]', '5'); },
    unlimited: async () => { await page.fill('.panel [data-field=not_after]:not([hidden]) input', '2027-12-31'); },
    preactivation: async () => { await page.fill('.panel input[name=device_term_days]', '365'); },
    permanent: async () => {
      await page.fill('.panel input[name=architectures]', 'amd64, arm64');
      await page.fill('.panel input[name=version_min]', '2.0');
      await page.selectOption('.panel select[name=match_policy]', 'exact');
      await page.fill('.panel textarea[name=features]', 'reports\nmax_users=50');
    },
  };
  const expect = {
    periodic: ['Lease period (days)', '10'],
    concurrent: ['Borrowing (days)', '5'],
    unlimited: ['Seats', 'no limit'],
    preactivation: ['Validity per device (days)', '365'],
    permanent: ['Architectures', 'amd64, arm64'],
  };
  result.orders = {};
  for (const [mode, fill] of Object.entries(modes)) {
    await open(page, 'orders', 'orders');
    await page.click('[data-testid=new]');
    await page.selectOption('.panel select[name=product_id]', { label: 'Spindle (7)' });
    await page.selectOption('.panel select[name=customer_id]', { label: 'Suzhou Plant' });
    await page.selectOption('.panel select[name=mode]', mode);
    await page.locator('.panel .mode-help', { hasText: /\S/ }).waitFor();
    await fill();
    await page.click('.panel button[type=submit]');
    await page.locator('main[data-page=order]').waitFor();
    const id = decodeURIComponent(page.url().split('#/orders/')[1]);
    result.orders[mode] = id;
    const [label, value] = expect[mode];
    const dd = page.locator('dl.details dt', { hasText: new RegExp(`^${label.replace(/[()]/g, '\\$&')}$`) }).locator('xpath=following-sibling::dd[1]');
    assert.match(await dd.innerText(), new RegExp(value), `${mode}: ${label}`);
    await page.click('[data-testid=issue-order-license]');
    await page.locator('[data-testid=issued]').waitFor();
  }

  step('licenses: reissue, then revoke the new one');
  await open(page, `licenses?order=${result.orders.permanent}`, 'licenses');
  await page.locator('.list tbody tr a').first().click();
  await page.locator('main[data-page=license]').waitFor();
  const first = decodeURIComponent(page.url().split('#/licenses/')[1]);
  await page.getByRole('button', { name: 'Reissue' }).click();
  await page.click('[data-testid=confirm]');
  await page.waitForURL((u) => !u.href.endsWith(first) && u.href.includes('#/licenses/'));
  await page.locator('dl.details dt', { hasText: 'Replaces' }).waitFor();
  await page.getByRole('button', { name: 'Revoke' }).click();
  await page.click('[data-testid=confirm]');
  await page.locator('dl.details .badge-revoked').waitFor();
  await open(page, `licenses/${first}`, 'license');
  await page.locator('dl.details dt', { hasText: 'Replaced by' }).waitFor();

  step('API token: shown once, works with the API');
  await open(page, 'settings', 'settings');
  const tokens = page.locator('section.card').first();
  await tokens.locator('input[name=name]').fill('nightly export');
  await tokens.locator('button[type=submit]').click();
  const secret = (await page.locator('[data-testid=new-token] code').innerText()).trim();
  assert.match(secret, /^licet_/);
  const status = await page.evaluate(async ([u, s]) => (await fetch(u, { headers: { Authorization: `Bearer ${s}` }, credentials: 'omit' })).status,
    [`${base}/api/v1/products`, secret]);
  assert.equal(status, 200);
  await tokens.locator('td', { hasText: 'nightly export' }).waitFor();

  step('accounts: an auditor and an operator, the operator disabled');
  const accounts = page.locator('section.card', { hasText: 'Accounts' });
  for (const [user, role] of [['ada', 'auditor'], ['olga', 'operator']]) {
    await accounts.locator('input[name=username]').fill(user);
    await accounts.locator('input[name=password]').fill(`${user} has a long password`);
    await accounts.locator('select[name=role]').selectOption(role);
    await accounts.locator('button[type=submit]').click();
    await accounts.locator('tr', { hasText: user }).waitFor();
  }
  await accounts.locator('tr', { hasText: 'olga' }).getByRole('button', { name: 'Disable' }).click();
  await page.click('[data-testid=confirm]');
  await accounts.locator('tr', { hasText: 'olga' }).locator('.badge-disabled').waitFor();

  step('root key rotation: wrong passphrase, then the right one');
  await page.getByRole('button', { name: 'Rotate root key' }).click();
  await page.fill('dialog input[name=passphrase]', 'not the passphrase');
  await page.click('dialog button[type=submit]');
  await page.locator('dialog .problem[data-code=wrong_passphrase]').waitFor();
  await page.fill('dialog input[name=passphrase]', env('LICET_PASSPHRASE'));
  await page.click('dialog button[type=submit]');
  await page.locator('dialog').waitFor({ state: 'detached' });
  await page.locator('section.card', { hasText: 'Signing keys' }).locator('.badge-retired').waitFor();
  await page.locator('section.card', { hasText: 'Signing keys' }).locator('.badge-current').waitFor();

  step('audit log');
  await open(page, 'audit', 'audit');
  await page.locator('.list td code', { hasText: 'key.rotate' }).first().waitFor();
  await page.fill('input[name=action]', 'order.');
  await page.click('.filters button[type=submit]');
  await page.locator('.list tbody tr').first().waitFor();
  const actions = await page.locator('.list td[data-label=Action] code').allInnerTexts();
  assert.ok(actions.length >= 5 && actions.every((a) => a.startsWith('order.')), `filtered actions: ${actions}`);

  step('Chinese, sign out, a wrong password');
  await page.click('#lang-toggle');
  await page.locator('nav a', { hasText: '审计日志' }).waitFor();
  await page.locator('main h1', { hasText: '审计日志' }).waitFor();
  await page.click('#logout');
  await page.locator('main[data-page=login]').waitFor();
  await page.fill('input[name=username]', 'admin');
  await page.fill('input[name=password]', 'not my password at all');
  await page.click('form button[type=submit]');
  await page.locator('.problem', { hasText: '用户名或密码错误' }).waitFor();

  step('the auditor reads but does not write');
  await page.click('#lang-toggle');
  // The page is drawn again in English: fill the form only once it is.
  await page.locator('main[data-page=login] button[type=submit]', { hasText: 'Sign in' }).waitFor();
  await page.fill('input[name=username]', 'ada');
  await page.fill('input[name=password]', 'ada has a long password');
  await page.click('form button[type=submit]');
  await page.locator('main[data-page=orders] .list tbody tr').first().waitFor();
  assert.equal(await page.locator('[data-testid=new]').count(), 0);
  assert.equal(await page.locator('nav a', { hasText: 'Activate' }).count(), 0);
  await page.locator('nav a', { hasText: 'Audit log' }).waitFor();
  await open(page, `orders/${result.orders.periodic}`, 'order');
  assert.equal(await page.locator('[data-testid=issue-order-license]').count(), 0);

  assert.deepEqual(problems, []);
  process.stdout.write(`${JSON.stringify(result)}\n`);
} catch (e) {
  await failureShots(context, out, 'admin');
  for (const p of context.pages()) {
    process.stderr.write(`admin.mjs: page at ${p.url()}: ${(await p.locator('main').innerText().catch(() => '')).slice(0, 2000)}\n`);
  }
  if (problems.length) process.stderr.write(`admin.mjs: browser problems:\n${problems.join('\n')}\n`);
  throw e;
} finally {
  await b.close();
}
