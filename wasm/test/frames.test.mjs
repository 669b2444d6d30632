// Animated QR: the sender makes the frames of the Go vector file, and the
// receiver puts a payload together from frames lost, repeated and out of
// order, and from a stray frame of another transfer.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadLicet, readJSON } from '../load_node.mjs';

const licet = await loadLicet();
const vectors = await readJSON('airgap/fountain/testdata/vectors/frames.json');
const hex = (s) => Uint8Array.from(s.match(/../g) || [], (b) => parseInt(b, 16));

test('newSender makes every valid frame of the vectors; the receiver rejects every invalid one', () => {
  for (const v of vectors.tests) {
    if (v.result !== 'valid') {
      const rx = licet.newReceiver();
      const got = rx.add(v.text);
      assert.equal(got.ok, false, `tcId ${v.tcId}`);
      assert.equal(got.result, 'malformed');
      assert.equal(got.progress.frames, 0);
      rx.release();
      continue;
    }
    const tx = licet.newSender(hex(v.payload), { blockSize: v.blockSize, transferId: v.transferId });
    assert.equal(tx.ok, true, JSON.stringify(tx.error));
    assert.equal(tx.frame(v.seq), v.text, `tcId ${v.tcId}`);
    tx.release();
  }
});

test('a 5 KB payload arrives with 30% of frames lost, shuffled and repeated', () => {
  let seed = 7;
  const rand = () => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed / 2 ** 31; };
  const payload = Uint8Array.from({ length: 5120 }, () => Math.floor(rand() * 256));
  const tx = licet.newSender(payload);
  assert.equal(tx.block_size, 394);
  assert.equal(tx.loop_length, 18);
  assert.equal(tx.transfer.blocks, 13);
  const stray = licet.newSender('an earlier transfer');
  const rx = licet.newReceiver({ switchAfter: 3 });
  assert.equal(rx.add(stray.frame(0)).result, 'done');
  const frames = [];
  for (let seq = 0; seq < 60; seq++) if (rand() >= 0.3) frames.push(tx.frame(seq), tx.frame(seq));
  for (let i = frames.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [frames[i], frames[j]] = [frames[j], frames[i]];
  }
  const seen = {};
  let last;
  for (const f of frames) {
    last = rx.add(f);
    seen[last.result] = (seen[last.result] || 0) + 1;
    if (last.result === 'done') break;
  }
  assert.equal(seen.foreign, 2);
  assert.equal(seen.switched, 1);
  assert.equal(last.result, 'done');
  assert.equal(last.progress.rank, 13);
  assert.equal(last.progress.transfer.id, tx.transfer.id);
  const out = rx.payload();
  assert.equal(out.ok, true);
  assert.deepEqual(out.payload, payload);
  assert.equal(rx.reset().frames, 0);
  assert.equal(rx.payload().error.kind, 'incomplete');
  for (const x of [tx, stray, rx]) x.release();
});

test('bad arguments answer with an error', () => {
  assert.equal(licet.newSender(new Uint8Array(0)).error.kind, 'payload');
  assert.equal(licet.newSender(42).error.kind, 'argument');
  assert.equal(licet.newSender('x', { blockSize: 5000 }).error.kind, 'argument');
  const tx = licet.newSender('x');
  assert.equal(tx.frame(-1).error.kind, 'argument');
  tx.release();
});
