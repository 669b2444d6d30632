// Device codes and request URLs made from birth records, and request URLs
// read back: the fingerprint and request-URL vector files of the Go tests.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadLicet, readJSON } from '../load_node.mjs';

const licet = await loadLicet();
const records = await readJSON('fingerprint/testdata/vectors/record.json');
const urls = await readJSON('airgap/testdata/vectors/request-url.json');
const devcodes = await readJSON('codec/devcode/testdata/vectors/devcode.json');

const hex = (s) => Uint8Array.from(s.match(/../g) || [], (b) => parseInt(b, 16));
const toHex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const issuedAt = Date.UTC(2026, 2, 2, 9) / 1000;

test('makeRequest gives the device code of the record digest and a URL that reads back', () => {
  let n = 0;
  for (const v of records.tests) {
    const birth = hex(v.record);
    const got = licet.makeRequest({ product: 4242, birthRecord: birth, nonce: 0x2b1f3, issuedAt, portal: 'https://portal.example' });
    if (v.result !== 'valid') {
      assert.equal(got.ok, false, `tcId ${v.tcId}`);
      assert.equal(got.error.kind, 'birth_record', `tcId ${v.tcId}`);
      continue;
    }
    n++;
    assert.equal(got.ok, true, `tcId ${v.tcId}: ${JSON.stringify(got.error)}`);
    assert.equal(got.digest, v.digest);
    // The device code is that of devcode.New(product, digest[:8], nonce):
    // parseDeviceCode reads the same fields back.
    const p = licet.parseDeviceCode(got.device_code);
    assert.equal(p.result, 'valid');
    assert.deepEqual(p.fields, { version: 1, flags: 0, product: 4242, digest: v.digest.slice(0, 16), nonce: 0x2b1f3 });
    assert.ok(got.bundle instanceof Uint8Array);
    const u = licet.parseRequestURL(got.request_url);
    assert.equal(u.ok, true);
    assert.equal(u.portal, 'HTTPS://PORTAL.EXAMPLE');
    assert.equal(toHex(u.bundle), toHex(got.bundle));
    assert.equal(u.device_code, got.device_code);
    assert.equal(u.fields.digest, v.digest);
    assert.equal(u.fields.issued_at, '2026-03-02T09:00:00Z');
    assert.equal(u.fields.components?.length ?? 0, got.with_components ? got.components : 0);
    // Base64, as /api/birth sends the record, gives the same request.
    const b64 = Buffer.from(birth).toString('base64');
    assert.equal(licet.makeRequest({ product: 4242, birthRecord: b64, nonce: 0x2b1f3, issuedAt, portal: 'https://portal.example' }).request_url, got.request_url);
  }
  assert.ok(n >= 3);
});

test('makeRequest refuses bad input with a kind', () => {
  const birth = hex(records.tests.find((v) => v.result === 'valid').record);
  const cases = [
    [{ product: 0, birthRecord: birth, nonce: 1, issuedAt }, 'argument'],
    [{ product: 1, birthRecord: birth, issuedAt }, 'argument'],
    [{ product: 1, birthRecord: birth.slice(0, 5), nonce: 1, issuedAt }, 'birth_record'],
    [{ product: 1, birthRecord: 'not base64!', nonce: 1, issuedAt }, 'argument'],
    [{ product: 1, birthRecord: birth, nonce: 1 }, 'argument'],
  ];
  for (const [input, kind] of cases) {
    const got = licet.makeRequest(input);
    assert.equal(got.ok, false, JSON.stringify(input));
    assert.equal(got.error.kind, kind, got.error.message);
  }
  const noPortal = licet.makeRequest({ product: 1, birthRecord: birth, nonce: 1, issuedAt });
  assert.equal(noPortal.ok, true);
  assert.equal(noPortal.request_url, undefined);
  assert.equal(noPortal.url_error.kind, 'no-portal');
  // The device code needs no portal; the canonical code of a known vector parses.
  assert.equal(licet.parseDeviceCode(noPortal.device_code).ok, true);
  assert.ok(devcodes.testGroups.length > 0);
});

test('parseRequestURL and requestURL match every request-URL vector', () => {
  for (const v of urls.tests) {
    const got = licet.parseRequestURL(v.url);
    if (v.result !== 'valid') {
      assert.equal(got.ok, false, `tcId ${v.tcId} ${v.url}`);
      assert.ok(got.error.message.startsWith('airgap: '), got.error.message);
      continue;
    }
    assert.equal(got.ok, true, `tcId ${v.tcId}: ${JSON.stringify(got.error)}`);
    assert.equal(toHex(got.bundle), v.request);
    assert.equal(got.url, v.url.toUpperCase());
    const again = licet.requestURL(v.portal, hex(v.request));
    assert.equal(again.url, v.url.toUpperCase(), `tcId ${v.tcId}`);
  }
  assert.equal(licet.requestURL('https://portal.example', new Uint8Array(300)).error.kind, 'too-long');
  assert.equal(licet.requestURL('https://portal.example', 'text').error.kind, 'argument');
});
