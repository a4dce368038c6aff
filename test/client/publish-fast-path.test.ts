/**
 * The publish path's cheaper encodings agree with the plain ones: the batch
 * item property string (no Map) with `propertiesString(encodeMessage(...))`,
 * the batch body encoder with the zero-filled Buffer writer it replaced, and
 * UNIQ_KEY's cached hex with Buffer.writeInt32BE/writeUInt16BE + toString('hex').
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UniqIdGenerator } from '../../src/client/uniq-id.js';
import { checkTopic, encodeBatchItem, encodeMessage, propertiesString, type Message } from '../../src/client/message.js';
import { BufferSlab, decodeBatchBody, encodeBatchBody, type BatchItem } from '../../src/protocol/index.js';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 0x100000000;
  };
}

/** The batch body writer before the fast path (Buffer.alloc + Buffer writers). */
function referenceBatchBody(items: readonly BatchItem[]): Buffer {
  const propLengths = items.map((it) => Buffer.byteLength(it.properties, 'utf8'));
  let size = 0;
  items.forEach((it, i) => (size += 22 + it.body.length + (propLengths[i] ?? 0)));
  const out = Buffer.alloc(size);
  let p = 0;
  items.forEach((it, i) => {
    const propsLen = propLengths[i] ?? 0;
    const total = 22 + it.body.length + propsLen;
    out.writeInt32BE(total, p);
    out.writeInt32BE(it.flag, p + 12);
    out.writeInt32BE(it.body.length, p + 16);
    out.set(it.body, p + 20);
    out.writeInt16BE(propsLen, p + 20 + it.body.length);
    out.write(it.properties, p + 22 + it.body.length, propsLen, 'utf8');
    p += total;
  });
  return out;
}

const NAMES = ['a', 'traceId', 'ключ', '__proto__', 'x-y', '😀'];
const VALUES = ['', 'v', 'значение', '😀😀', 'a b c', 'x'.repeat(300)];

function randomMessage(rnd: () => number): Message {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const m: { -readonly [K in keyof Message]: Message[K] } = { topic: 'T_fast', body: Buffer.from(`body-${rnd()}`) };
  if (rnd() < 0.5) {
    const props: Record<string, string> = {};
    const n = Math.floor(rnd() * 4);
    for (let i = 0; i < n; i++) Object.defineProperty(props, pick(NAMES), { value: pick(VALUES), enumerable: true, writable: true, configurable: true });
    m.properties = props;
  }
  if (rnd() < 0.5) m.tags = pick(['', 'TagA', '标签']);
  const k = rnd();
  if (k < 0.25) m.keys = pick(['', 'k1', 'k 2']);
  else if (k < 0.5) m.keys = ['k1', '', 'k3'].slice(0, Math.floor(rnd() * 4));
  if (rnd() < 0.3) m.waitStoreMsgOK = rnd() < 0.5;
  if (rnd() < 0.3) m.flag = Math.floor(rnd() * 0xffffffff) - 0x80000000;
  if (rnd() < 0.2) m.body = `text ${pick(VALUES)}`;
  return m;
}

test('encodeBatchItem gives the property string, body and flag of encodeMessage', () => {
  const rnd = lcg(7);
  for (let i = 0; i < 2000; i++) {
    const m = randomMessage(rnd);
    const id = `ID${i}`;
    const item = encodeBatchItem(m, id, 4 * 1024 * 1024, 1_700_000_000_000);
    const enc = encodeMessage(m, id, 4 * 1024 * 1024, 1_700_000_000_000);
    assert.equal(item.properties, propertiesString(enc.properties), JSON.stringify(m));
    assert.equal(item.flag, enc.flag);
    assert.deepEqual(item.body, enc.body);
  }
});

test('encodeBatchItem refuses what encodeMessage refuses, with the same error', () => {
  const bad: unknown[] = [
    { topic: 'a b', body: 'x' }, { topic: '', body: 'x' }, { topic: 'SCHEDULE_TOPIC_XXXX', body: 'x' }, { topic: 'T', body: '' },
    { topic: 'T', body: 'x', flag: 2 ** 31 }, { topic: 'T', body: 'x', properties: { TAGS: 'a' } },
    { topic: 'T', body: 'x', properties: { a: 'b\u0001' } }, { topic: 'T', body: 'x', tags: 'a\u0002' },
    { topic: 'T', body: 'x', keys: ['k\u0001'] }, { topic: 'T', body: 'x', properties: { big: 'x'.repeat(40_000) } },
    { topic: 'T', body: 'x', properties: { big: '😀'.repeat(8_200) } }, null,
  ];
  for (const m of bad) {
    let expected: unknown;
    try {
      propertiesString(encodeMessage(m as Message, 'ID', 1024 * 1024, 0).properties);
    } catch (err: unknown) {
      expected = err;
    }
    assert.ok(expected instanceof Error, JSON.stringify(m));
    assert.throws(() => encodeBatchItem(m as Message, 'ID', 1024 * 1024, 0), (err: unknown) => {
      assert.ok(err instanceof Error);
      assert.equal(err.constructor, expected.constructor);
      assert.equal(err.message, expected.message);
      return true;
    });
  }
});

test('a topic refused once is refused again; one accepted stays accepted', () => {
  assert.equal(checkTopic('T_cached'), 'T_cached');
  assert.equal(checkTopic('T_cached'), 'T_cached');
  for (let i = 0; i < 2; i++) assert.throws(() => checkTopic('bad topic'));
  for (let i = 0; i < 3000; i++) checkTopic(`T_${i}`);
  assert.throws(() => checkTopic('OFFSET_MOVED_EVENT'));
});

test('encodeBatchBody writes the bytes of the zero-filled Buffer writer', () => {
  const rnd = lcg(11);
  for (let i = 0; i < 300; i++) {
    const items: BatchItem[] = [];
    const n = Math.floor(rnd() * 20);
    for (let j = 0; j < n; j++) {
      const m = randomMessage(rnd);
      items.push(encodeBatchItem(m, `ID${j}`, 1 << 20, 0));
    }
    if (rnd() < 0.2) items.push({ flag: 0, body: Buffer.alloc(0), properties: '' });
    const got = encodeBatchBody(items);
    assert.deepEqual(got, referenceBatchBody(items));
    assert.deepEqual(decodeBatchBody(got).map((it) => it.properties), items.map((it) => it.properties));
  }
  assert.throws(() => encodeBatchBody([{ flag: 2 ** 31, body: Buffer.from('x'), properties: '' }]), RangeError);
  assert.throws(() => encodeBatchBody([{ flag: 0, body: Buffer.from('x'), properties: 'x'.repeat(40_000) }]), RangeError);
});

test('UNIQ_KEY tail: the month offset as int32 and the counter, as the Buffer writers put them', () => {
  let now = 0;
  const gen = new UniqIdGenerator('10.1.2.3', { now: () => now }, 0x12345);
  const times = [
    new Date(2026, 0, 1).getTime(), new Date(2026, 0, 1).getTime(), new Date(2026, 0, 15, 3, 4, 5).getTime() + 7,
    new Date(2026, 0, 31, 23, 59, 59).getTime() + 999, // past 2^31 ms into the month: wraps negative
    new Date(2026, 1, 1).getTime(), new Date(2026, 0, 31, 12).getTime(), new Date(2026, 2, 29, 2, 30).getTime(),
  ];
  let counter: number | undefined;
  for (const t of times) {
    for (let k = 0; k < 3; k++) {
      now = t;
      const id = gen.next();
      assert.match(id, /^0A0102032345[0-9A-F]{20}$/);
      const d = new Date(t);
      const tail = Buffer.alloc(6);
      tail.writeInt32BE(((t - new Date(d.getFullYear(), d.getMonth(), 1).getTime()) << 0) | 0, 0);
      const c = Number.parseInt(id.slice(-4), 16);
      if (counter !== undefined) assert.equal(c, (counter + 1) & 0xffff);
      counter = c;
      tail.writeUInt16BE(c, 4);
      assert.equal(id.slice(-12), tail.toString('hex').toUpperCase());
    }
  }
  for (let i = 0; i < 70_000; i++) gen.next(); // the counter wraps
  const c = Number.parseInt(gen.next().slice(-4), 16);
  assert.equal(c, ((counter ?? 0) + 70_001) & 0xffff);
});

test('batch bodies carved from a slab: the same bytes, never overlapping, big ones on their own', () => {
  const rnd = lcg(13);
  const slab = new BufferSlab(4096);
  const made: { buf: Buffer; copy: Buffer }[] = [];
  for (let i = 0; i < 200; i++) {
    const items: BatchItem[] = [];
    const n = 1 + Math.floor(rnd() * 6);
    for (let j = 0; j < n; j++) items.push(encodeBatchItem(randomMessage(rnd), `ID${i}-${j}`, 1 << 20, 0));
    const buf = encodeBatchBody(items, slab);
    assert.deepEqual(buf, referenceBatchBody(items));
    made.push({ buf, copy: Buffer.from(buf) });
  }
  // Later bodies did not overwrite earlier ones.
  for (const { buf, copy } of made) assert.deepEqual(buf, copy);
  const big = slab.allocUnsafe(3000);
  assert.equal(big.length, 3000);
  assert.notEqual(big.buffer, made.at(-1)?.buf.buffer);
  assert.ok(made.some(({ buf }) => buf.buffer.byteLength === 4096));
});
