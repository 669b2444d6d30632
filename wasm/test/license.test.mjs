// License files verified against trusted roots: the chain vectors of the
// codec's Go tests.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadLicet, readJSON } from '../load_node.mjs';

const licet = await loadLicet();
const chains = await readJSON('codec/testdata/vectors/chains.json');
const hex = (s) => Uint8Array.from(s.match(/../g) || [], (b) => parseInt(b, 16));

test('verifyLicense matches every chain vector', () => {
  let n = 0;
  for (const g of chains.testGroups) {
    const roots = `# trusted roots\n${g.roots.join('\n')}\n`;
    for (const v of g.tests) {
      n++;
      const file = v.armour ?? hex(v.cbor ?? '');
      // The instant in all three forms the API takes.
      const at = [v.at, Date.parse(v.at), new Date(v.at)][n % 3];
      const got = licet.verifyLicense(file, roots, at);
      const where = `tcId ${v.tcId} (${v.comment})`;
      if (v.result === 'valid') {
        assert.equal(got.ok, true, `${where}: ${JSON.stringify(got.error)}`);
        assert.equal(got.leaf.type, v.leaf, where);
        assert.match(got.root, /^[0-9a-f]{32}$/);
        assert.ok(got.links.length === 1 || got.links.length === 2, where);
        assert.equal(got.links.at(-1).type, v.leaf, where);
        assert.equal(got.links.at(-1).id, got.leaf.id, where);
        continue;
      }
      assert.equal(got.ok, false, where);
      assert.equal(got.error.kind, v.error, `${where}: ${got.error.message}`);
    }
  }
  assert.ok(n >= 40);
});

test('readLicenseFile converts between armour and CBOR', () => {
  const g = chains.testGroups[0];
  const v = g.tests.find((x) => x.armour && x.result === 'valid');
  const a = licet.readLicenseFile(v.armour);
  assert.equal(a.ok, true);
  assert.equal(a.armoured, true);
  assert.equal(a.label, 'LICET LICENSE');
  const b = licet.readLicenseFile(a.binary);
  assert.equal(b.armoured, false);
  assert.equal(b.armour, a.armour);
  assert.deepEqual(b.leaf, a.leaf);
  // An ArrayBuffer is read as bytes, a string as text.
  assert.equal(licet.readLicenseFile(a.binary.slice().buffer).ok, true);
  assert.equal(licet.readLicenseFile('not a license').error.kind, 'malformed');
});

test('verifyLicense without trusted keys still shows what the file holds', () => {
  const v = chains.testGroups[0].tests[0];
  const got = licet.verifyLicense(hex(v.cbor), '', v.at);
  assert.equal(got.ok, false);
  assert.equal(got.error.kind, 'untrusted-key');
  assert.equal(got.leaf.type, 'order');
  assert.equal(licet.verifyLicense(hex(v.cbor), 'licet-pub1:AAAA', v.at).error.kind, 'roots');
  assert.equal(licet.verifyLicense(hex(v.cbor), '', 'yesterday').error.kind, 'argument');
  assert.equal(licet.verifyLicense(42, '', v.at).error.kind, 'argument');
});
