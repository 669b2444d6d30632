// The device-code functions of the WebAssembly module, checked against the
// codec's vector file (the same file as the Go tests of codec/devcode).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadLicet, readJSON } from '../load_node.mjs';

const vectors = await readJSON('codec/devcode/testdata/vectors/devcode.json');
const licet = await loadLicet();

function group(type) {
  const g = vectors.testGroups.find((x) => x.type === type);
  assert.ok(g, `vector group ${type}`);
  return g.tests;
}

// checkAccepted compares the parts of an answer that the vector pins down.
function checkAnswer(v, got) {
  const where = `tcId ${v.tcId} (${v.comment}) ${JSON.stringify(v.input)}`;
  assert.equal(got.result, v.result, `${where}: ${JSON.stringify(got.error)}`);
  assert.equal(got.ok, v.result !== 'invalid', where);
  if (v.result === 'invalid') {
    assert.equal(got.error.kind, v.error, where);
    assert.ok(got.error.message.startsWith('devcode: '), `${where}: message ${got.error.message}`);
    if (v.errorPos !== undefined) assert.equal(got.error.position, v.errorPos, where);
    return;
  }
  if (v.result === 'incomplete') return;
  assert.equal(got.canonical, v.canonical, where);
  assert.deepEqual(got.fields, v.fields, where);
  const corr = got.corrections.map(({ position, was, became }) => ({ position, was, became }));
  assert.deepEqual(corr, v.corrections ?? [], where);
  for (const c of got.corrections) assert.equal(c.group, Math.floor((c.position - 1) / 5) + 1, where);
}

test('module identifies itself', () => {
  assert.equal(licet.apiVersion, 1);
  assert.equal(typeof licet.version, 'string');
  assert.ok(licet.version.length > 0);
});

test('parseDeviceCode matches every DeviceCodeParse vector', () => {
  const tests = group('DeviceCodeParse');
  assert.ok(tests.length >= 90);
  for (const v of tests) checkAnswer(v, licet.parseDeviceCode(v.input));
});

test('checkDeviceCode matches every DeviceCodeCheckPartial vector', () => {
  for (const v of group('DeviceCodeCheckPartial')) {
    const got = licet.checkDeviceCode(v.input);
    assert.deepEqual(got.groups.map((g) => g.status), v.groups, `tcId ${v.tcId}`);
    assert.equal(got.length, 25);
    checkAnswer(v, got);
  }
});

test('checkDeviceCode agrees with parseDeviceCode on complete codes', () => {
  for (const v of group('DeviceCodeParse')) {
    const c = licet.checkDeviceCode(v.input);
    if (!c.complete) continue;
    const p = licet.parseDeviceCode(v.input);
    assert.equal(c.result, p.result, `tcId ${v.tcId}`);
    if (p.ok) assert.equal(c.canonical, p.canonical, `tcId ${v.tcId}`);
  }
});

test('checkDeviceCode reports groups as they are typed', () => {
  const valid = group('DeviceCodeParse').find((v) => v.result === 'valid').canonical;
  const chars = valid.replaceAll('-', '');
  for (let n = 0; n < 25; n++) {
    const got = licet.checkDeviceCode(chars.slice(0, n).toLowerCase());
    assert.equal(got.result, 'incomplete', `after ${n}`);
    assert.equal(got.typed, n);
    const full = Math.floor(n / 5);
    got.groups.forEach((g, i) => {
      const want = i < full ? 'filled' : i === full && n % 5 ? 'partial' : 'empty';
      assert.equal(g.status, want, `after ${n}, group ${i + 1}`);
    });
  }
  assert.equal(licet.checkDeviceCode(chars).result, 'valid');
});

test('bad arguments answer with an error instead of throwing', () => {
  for (const bad of [[], [42], [null], [{}]]) {
    const got = licet.parseDeviceCode(...bad);
    assert.equal(got.ok, false);
    assert.equal(got.error.kind, 'argument');
    assert.equal(licet.checkDeviceCode(...bad).error.kind, 'argument');
  }
});
