// Confirmation and release codes: the vector files of codec/confirm and
// codec/release. Parsing alone decides syntax, length, uncorrectable,
// version and malformed; codes whose vectors fail later (a signature, a
// tag, the terms) parse.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadLicet, readJSON } from '../load_node.mjs';

const licet = await loadLicet();
const parseKinds = new Set(['syntax', 'length', 'uncorrectable', 'version', 'malformed']);

for (const [file, parse, check, groups] of [
  ['codec/confirm/testdata/vectors/confirm.json', 'parseConfirmationCode', 'checkConfirmationCode', 16],
  ['codec/release/testdata/vectors/release.json', 'parseReleaseCode', 'checkReleaseCode', 8],
]) {
  test(`${parse} and ${check} match ${file}`, async () => {
    const vectors = await readJSON(file);
    let n = 0;
    for (const g of vectors.testGroups) {
      for (const v of g.tests) {
        n++;
        const where = `tcId ${v.tcId} (${v.comment})`;
        const got = licet[parse](v.input);
        const chk = licet[check](v.input);
        assert.equal(chk.groups.length, groups);
        if (v.result === 'invalid' && parseKinds.has(v.error)) {
          assert.equal(got.ok, false, where);
          assert.equal(got.error.kind, v.error, where);
          continue;
        }
        assert.equal(got.ok, true, `${where}: ${JSON.stringify(got.error)}`);
        assert.equal(chk.result, got.result, where);
        if (v.result === 'invalid') continue;
        assert.equal(got.result, v.result, where);
        assert.equal(got.canonical, v.canonical, where);
        assert.deepEqual(got.corrections.map(({ position, was, became }) => ({ position, was, became })), v.corrections ?? [], where);
        if (v.days !== undefined) assert.equal(got.fields.days, v.days, where);
        if (v.licenseId !== undefined) assert.equal(got.fields.license_id, v.licenseId, where);
        if (v.day !== undefined) assert.equal(got.fields.day, v.day, where);
      }
    }
    assert.ok(n >= 20);
  });
}
