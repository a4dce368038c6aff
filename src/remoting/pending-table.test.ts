import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PendingTable } from './pending-table.js';

test('pending table: sequential opaques in their slots, a colliding one in the overflow, cleared on delete', () => {
  const t = new PendingTable<string>();
  assert.equal(t.size, 0);
  assert.equal(t.get(0), undefined, 'opaque 0 (an empty slot) is never found');
  for (let o = 1; o <= 2000; o++) t.set(o, `r${o}`);
  assert.equal(t.size, 2000);
  // 1..1023 took slots 1..1023, 1024 took slot 0; 1025..2000 found their slots taken: overflow.
  assert.equal(t.get(1), 'r1');
  assert.equal(t.get(1024), 'r1024');
  assert.equal(t.get(1025), 'r1025');
  assert.equal(t.get(2001), undefined);
  assert.equal(t.has(2000), true);
  assert.equal(t.delete(1), true);
  assert.equal(t.delete(1), false, 'deleted once');
  assert.equal(t.get(1), undefined);
  assert.equal(t.delete(1025), true, 'from the overflow');
  assert.equal(t.get(1025), undefined);
  assert.equal(t.size, 1998);
  // Slot 1 is free again: 1 + 2 * 1024 takes it; the overflow's 1025 is gone, so the slot holds only the new one.
  t.set(2049, 'r2049');
  assert.equal(t.get(2049), 'r2049');
  assert.equal(t.get(1), undefined, 'same slot, different opaque');
  const keys = t.keys();
  assert.equal(keys.length, 1999);
  assert.equal(new Set(keys).size, 1999);
  for (const k of keys) t.delete(k);
  assert.equal(t.size, 0);
  assert.deepEqual(t.keys(), []);
});
