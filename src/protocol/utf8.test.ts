import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readUtf8, readUtf8Recent } from './utf8.js';

/** Deterministic pseudo-random strings: ASCII mostly, some multi-byte, lengths 0..80. */
function strings(count: number, seed: number): string[] {
  let x = seed;
  const next = (): number => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x;
  };
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABC0123456789_%@-.'.split('');
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const n = next() % 81;
    let s = '';
    for (let j = 0; j < n; j++) s += next() % 50 === 0 ? 'é€' : alphabet[next() % alphabet.length];
    out.push(s);
  }
  return out;
}

test('readUtf8Recent decodes as Buffer#toString does, for repeated, colliding and non-ASCII strings', () => {
  const all = strings(5000, 7);
  // Same length, differing bytes: a slot hit must still compare every byte.
  all.push('topic_0001', 'topic_0002', 'topic_0001', 'queueOffset', 'queueOffsat');
  const encoded = all.map((s) => Buffer.from(`..${s}..`, 'utf8'));
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < all.length; i++) {
      const k = round === 1 ? all.length - 1 - i : i; // another order on the second round
      const b = encoded[k] ?? Buffer.alloc(0);
      const expected = b.toString('utf8', 2, b.length - 2);
      assert.equal(readUtf8Recent(b, 2, b.length - 2), expected);
      assert.equal(readUtf8(b, 2, b.length - 2), expected);
    }
  }
  assert.equal(readUtf8Recent(Buffer.alloc(0), 0, 0), '');
});
