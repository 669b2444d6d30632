// QR codes as SVG: the golden sample of airgap/qr and a byte-mode URL.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { loadLicet } from '../load_node.mjs';

const licet = await loadLicet();

test('qrSVG draws animated-QR frames in alphanumeric mode, version 16 for 400-byte blocks', () => {
  const tx = licet.newSender(new Uint8Array(5120).fill(7));
  const got = licet.qrSVG(tx.frame(3));
  assert.equal(got.ok, true);
  assert.equal(got.mode, 'alphanumeric');
  assert.equal(got.version, 16);
  assert.equal(got.size, 81);
  assert.match(got.svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox="0 0 89 89"/);
  tx.release();
});

test('qrSVG gives the golden SVG of airgap/qr for the same text', async () => {
  // The text of airgap/qr's golden sample (qr_test.go, const sample).
  const sample = 'HTTPS://PORTAL.EXAMPLE/R/0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  const golden = await readFile(new URL('../../airgap/qr/testdata/sample.svg', import.meta.url), 'utf8');
  assert.equal(licet.qrSVG(sample, { maxVersion: 11 }).svg, golden);
  assert.equal(licet.qrSVG(sample, { level: 'M', quiet: 4 }).svg, golden);
  assert.notEqual(licet.qrSVG(sample, { level: 'H' }).svg, golden);
});

test('qrSVG uses byte mode for text outside the alphanumeric set, and reports errors', () => {
  const got = licet.qrSVG('https://portal.example/P/aZ09-_x', { level: 'Q', quiet: 2 });
  assert.equal(got.ok, true);
  assert.equal(got.mode, 'byte');
  assert.equal(licet.qrSVG('A'.repeat(400), { maxVersion: 11 }).error.kind, 'too-long');
  assert.equal(licet.qrSVG('').error.kind, 'empty');
  assert.equal(licet.qrSVG('A', { level: 'X' }).error.kind, 'argument');
  assert.equal(licet.qrSVG('A', { maxVersion: 41 }).error.kind, 'argument');
});
