import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../../test/support/temp-dir.js';
import { LocalSpool, fromSpooled, toSpooled } from './local-spool.js';

test('spooled messages come back in order, survive a reopen, and a torn tail is cut', (t) => {
  const dir = tempDir(t);
  const s1 = new LocalSpool(dir);
  for (let i = 0; i < 5; i++) s1.append(toSpooled({ topic: 'T', body: `m${i}`, tags: 'A', keys: [`k${i}`], properties: { p: String(i) } }));
  const first = s1.peek();
  assert.equal(first?.message.body.toString(), 'm0');
  s1.markSent(first?.next ?? 0);
  s1.close();
  // A crash mid-append leaves half a record.
  appendFileSync(join(dir, 'spool.log'), Buffer.from([0, 0, 1, 0, 9, 9]));
  const s2 = new LocalSpool(dir);
  const bodies: string[] = [];
  for (let e = s2.peek(); e !== undefined; e = s2.peek()) {
    const m = fromSpooled(e.message);
    bodies.push(String(m.body));
    assert.deepEqual(m.keys, [`k${bodies.length}`]);
    assert.equal(m.properties?.p, String(bodies.length));
    s2.markSent(e.next);
  }
  assert.deepEqual(bodies, ['m1', 'm2', 'm3', 'm4']);
  assert.equal(s2.isEmpty, true);
  assert.equal(s2.pendingBytes, 0);
  s2.close();
});
