/**
 * The byte-level append paths give what the string paths give:
 * dispatchInfoOfBytes = dispatchInfo on the decoded string, findPropertyValue =
 * findProperty, and putMessageBatch (properties as request bytes plus a
 * suffix) writes the same commit-log bytes, offsets, message ids and derived
 * data as putMessages with the equivalent property strings.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { MessageBatchInput, MessageInput } from '../common/index.js';
import {
  BATCH_LAYOUT_STRIDE,
  BatchLayout,
  OffsetMessageIdEncoder,
  createOffsetMessageId,
  encodeParts,
  findProperty,
  findPropertyValue,
  propertyValueEnd,
  seededRandom,
  writeStoredMessage,
} from '../common/index.js';
import { encodeBatchBody, scanBatchBody } from '../protocol/index.js';
import { STORE_HOST } from '../../test/support/messages.js';
import { randomProperties as randomPropertiesOf } from '../../test/support/random-properties.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { dispatchInfo, dispatchInfoOfBytes } from './dispatch-info.js';
import { MessageStore } from './message-store.js';
import { isPutOk } from './put-message-result.js';
import { resolveMessageStoreConfig } from './store-config.js';

const NAMES = ['TAGS', 'KEYS', 'UNIQ_KEY', 'DELAY', 'TIMER_OUT_MS', 'CLUSTER', 'WAIT', 'T', 'TAG', 'TAGSX', 'KEY', 'U', 'DELAYS', 'x'];
const VALUES = ['', 'a', 'TagA', 'k1 k2  k3', '3', '-1', '12abc', 'ünï', '标签', '\u0001', 'v\u0001w', '0123456789ABCDEF0123456789ABCDEF'];

/** Random property strings, malformed ones included (empty pairs, missing names or values, stray separators). */
const MIX = { names: NAMES, values: VALUES, empty: 0.08, nameOnly: 0.06, valueOnly: 0.06, trailingSeparator: 0.15 };
const randomProperties = (rnd: () => number): string => randomPropertiesOf(rnd, MIX);

void test('dispatchInfoOfBytes and findPropertyValue agree with the string scanners', () => {
  const rnd = seededRandom(7);
  const buf = Buffer.alloc(4096, 0x02);
  for (let i = 0; i < 5000; i++) {
    const s = randomProperties(rnd);
    const start = 1 + Math.floor(rnd() * 16);
    const end = start + buf.write(s, start, 'utf8');
    for (const sysFlag of [0, 4, 8, 12]) {
      assert.deepEqual({ ...dispatchInfoOfBytes(buf, start, end, sysFlag) }, { ...dispatchInfo(s, sysFlag) }, JSON.stringify(s));
    }
    for (const name of ['CLUSTER', 'DELAY', 'WAIT', 'TAGS', 'T']) {
      const v = findPropertyValue(buf, start, end, Buffer.from(name, 'latin1'));
      const got = v < 0 ? undefined : buf.toString('utf8', v, propertyValueEnd(buf, v, end));
      assert.equal(got, findProperty(s, name), `${name} in ${JSON.stringify(s)}`);
    }
  }
});

void test('offset message ids: the table encoder matches createOffsetMessageId', () => {
  const enc = new OffsetMessageIdEncoder(STORE_HOST);
  for (const o of [0, 1, 255, 4096, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 40 + 12345, Number.MAX_SAFE_INTEGER]) {
    assert.equal(enc.encode(o), createOffsetMessageId(STORE_HOST, o));
  }
});

function storeAt(dir: string, now: () => number): MessageStore {
  return new MessageStore(
    resolveMessageStoreConfig({ storePathRootDir: dir, mappedFileSizeCommitLog: 256 * 1024, maxMessageSize: 64 * 1024, maxHashSlotNum: 1000, maxIndexNum: 4000 }),
    { storeHost: STORE_HOST, clock: { now } },
  );
}

function commitLogBytes(dir: string): Buffer {
  const logDir = join(dir, 'commitlog');
  return Buffer.concat(readdirSync(logDir).sort().map((n) => readFileSync(join(logDir, n))));
}

void test('putMessageBatch stores the same bytes, ids and index entries as putMessages with the same property strings', async (t) => {
  const rnd = seededRandom(11);
  // The broker's CLUSTER suffix, one naming TAGS (later pairs win), one starting mid-pair.
  const SUFFIXES = ['\u0002CLUSTER\u0001DefaultCluster', '\u0002TAGS\u0001Late', 'x\u0002KEYS\u0001late-key'];
  const bornHost = { address: Uint8Array.of(10, 0, 0, 9), port: 5555 };
  const now = (): number => 1_700_000_000_000;
  const dirA = tempDir(t);
  const dirB = tempDir(t);
  const a = storeAt(dirA, now);
  const b = storeAt(dirB, now);
  await a.open();
  await b.open();
  t.after(async () => {
    await a.close();
    await b.close();
  });
  for (let round = 0; round < 40; round++) {
    const n = 1 + Math.floor(rnd() * 20);
    const items = Array.from({ length: n }, (_, i) => ({
      flag: Math.floor(rnd() * 1000) - 500,
      body: Buffer.from(`round ${round} message ${i} ${'x'.repeat(Math.floor(rnd() * 300))}`),
      properties: `UNIQ_KEY\u0001U-${round}-${i}${rnd() < 0.5 ? `\u0002KEYS\u0001k${i} shared` : ''}${rnd() < 0.5 ? '\u0002TAGS\u0001TagA' : ''}`,
    }));
    // Some messages get a suffix, as the broker adds CLUSTER only where missing.
    const suffixed = items.map(() => (rnd() < 0.3 ? -1 : Math.floor(rnd() * SUFFIXES.length)));
    const data = encodeBatchBody(items);
    const layout = scanBatchBody(data);
    suffixed.forEach((sx, i) => (layout[i * BATCH_LAYOUT_STRIDE + BatchLayout.SUFFIX] = sx));
    const common = { topic: 'BatchTopic', queueId: round % 3, sysFlag: 0, bornTimestamp: 1_699_999_999_000 + round, bornHost, storeHost: STORE_HOST, reconsumeTimes: 0 };
    const batch: MessageBatchInput = { ...common, data, layout, count: n, suffixes: SUFFIXES.map((x) => Buffer.from(x, 'utf8')) };
    const msgs: MessageInput[] = items.map((it, i) => ({
      ...common,
      flag: it.flag,
      body: it.body,
      properties: it.properties + (SUFFIXES[suffixed[i] ?? -1] ?? ''),
      preparedTransactionOffset: 0,
    }));
    const [ra, rb] = await Promise.all([a.putMessages(msgs), b.putMessageBatch(batch)]);
    assert.ok(isPutOk(ra) && isPutOk(rb));
    assert.deepEqual(rb.appendResult, ra.appendResult);
  }
  assert.equal(b.maxPhyOffset, a.maxPhyOffset);
  for (let q = 0; q < 3; q++) assert.equal(b.getMaxOffsetInQueue('BatchTopic', q), a.getMaxOffsetInQueue('BatchTopic', q));
  for (const key of ['U-3-0', 'k2', 'shared', 'late-key']) {
    const qa = a.queryMessage('BatchTopic', key, 64, 0, now() + 1);
    const qb = b.queryMessage('BatchTopic', key, 64, 0, now() + 1);
    assert.equal(qb.messages.length, qa.messages.length);
    assert.ok(qa.messages.length > 0, key);
  }
  await a.close();
  await b.close();
  assert.ok(commitLogBytes(dirA).equals(commitLogBytes(dirB)));
  // Consume-queue units carry the tag codes: the same when a suffix names TAGS.
  for (let q = 0; q < 3; q++) {
    const cq = (dir: string): Buffer => {
      const d = join(dir, 'consumequeue', 'BatchTopic', String(q));
      return Buffer.concat(readdirSync(d).sort().map((n) => readFileSync(join(d, n))));
    };
    assert.ok(cq(dirA).equals(cq(dirB)), `consume queue ${q}`);
  }
});

void test('putMessageBatch refuses layouts outside the data and oversized properties', async (t) => {
  const store = storeAt(tempDir(t), Date.now);
  await store.open();
  t.after(() => store.close());
  const data = encodeBatchBody([{ flag: 0, body: Buffer.from('b'), properties: 'A\u0001B' }]);
  const layout = scanBatchBody(data);
  const common = { topic: 'T', queueId: 0, sysFlag: 0, bornTimestamp: 1, bornHost: STORE_HOST, storeHost: STORE_HOST, reconsumeTimes: 0, data, count: 1 };
  const bad = Int32Array.from(layout);
  bad[BatchLayout.BODY_LENGTH] = data.length;
  assert.equal((await store.putMessageBatch({ ...common, layout: bad, suffixes: [] })).status, 'MESSAGE_ILLEGAL');
  const noSuffix = Int32Array.from(layout);
  noSuffix[BatchLayout.SUFFIX] = 0;
  assert.equal((await store.putMessageBatch({ ...common, layout: noSuffix, suffixes: [] })).status, 'MESSAGE_ILLEGAL');
  const big = Int32Array.from(layout);
  big[BatchLayout.SUFFIX] = 0;
  assert.equal((await store.putMessageBatch({ ...common, layout: big, suffixes: [Buffer.alloc(40_000)] })).status, 'PROPERTIES_SIZE_EXCEEDED');
  assert.equal((await store.putMessageBatch({ ...common, layout, count: 0, suffixes: [] })).status, 'MESSAGE_ILLEGAL');
  assert.ok(isPutOk(await store.putMessageBatch({ ...common, layout, suffixes: [] })));
});

void test('putMessage writes the record writeStoredMessage describes (properties written before their length is known)', async (t) => {
  const rnd = seededRandom(5);
  const now = 1_700_000_000_000;
  const store = storeAt(tempDir(t), () => now);
  await store.open();
  t.after(() => store.close());
  const v6 = { address: Uint8Array.from({ length: 16 }, (_, i) => i), port: 7 };
  for (let i = 0; i < 300; i++) {
    const msg: MessageInput = {
      topic: i % 7 === 0 ? 'tópico' : 'T',
      queueId: i % 2,
      flag: i,
      body: Buffer.alloc(Math.floor(rnd() * 3000), i),
      properties: i % 5 === 0 ? '' : `${randomProperties(rnd)}${i % 11 === 0 ? '\ud800' : ''}`,
      sysFlag: 0,
      bornTimestamp: now - i,
      bornHost: i % 3 === 0 ? v6 : STORE_HOST,
      storeHost: STORE_HOST,
      reconsumeTimes: i % 4,
      preparedTransactionOffset: 0,
    };
    const r = await store.putMessage(msg);
    assert.ok(isPutOk(r));
    const stored = store.lookMessageByOffset(r.appendResult.wroteOffset);
    assert.ok(stored !== undefined);
    const parts = encodeParts(msg);
    const expected = Buffer.alloc(parts.length);
    writeStoredMessage(expected, 0, msg, parts, r.appendResult.logicsOffset, r.appendResult.wroteOffset, now);
    assert.ok(stored.equals(expected), `record ${i}`);
  }
});
