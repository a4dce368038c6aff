import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeStoredMessage } from '../common/index.js';
import { makeMessage, STORE_HOST } from '../../test/support/messages.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { MessageStore } from './message-store.js';
import { isPutOk } from './put-message-result.js';
import { existsSync } from 'node:fs';
import { loadCheckpoint } from './checkpoint.js';
import { join } from 'node:path';
import { resolveMessageStoreConfig } from './store-config.js';
import type { MessageStoreConfig } from './store-config.js';

function storeAt(dir: string, over: Partial<MessageStoreConfig> = {}): MessageStore {
  return new MessageStore(
    resolveMessageStoreConfig({
      storePathRootDir: dir,
      mappedFileSizeCommitLog: 64 * 1024,
      mappedFileSizeConsumeQueue: 20 * 100,
      maxMessageSize: 8 * 1024,
      maxHashSlotNum: 1000,
      maxIndexNum: 4000,
      ...over,
    }),
    { storeHost: STORE_HOST },
  );
}

void test('put, get, reopen: messages, offsets and queries survive a clean restart', async (t) => {
  const dir = tempDir(t);
  const store = storeAt(dir);
  await store.open();
  const n = 500;
  const results = await Promise.all(
    Array.from({ length: n }, (_, i) => store.putMessage(makeMessage('Orders', i % 4, `order-${i}`, { TAGS: i % 2 ? 'odd' : 'even', KEYS: `key-${i} shared` }))),
  );
  assert.ok(results.every(isPutOk));
  const got = store.getMessage('Orders', 1, 0, { maxMsgNums: 1000, maxTotalBytes: 1 << 20 });
  assert.equal(got.status, 'FOUND');
  assert.equal(got.messages.length, n / 4);
  assert.deepEqual(got.messages.map((m) => decodeStoredMessage(m).body.toString()), Array.from({ length: n / 4 }, (_, i) => `order-${i * 4 + 1}`));
  await store.close();

  const again = storeAt(dir);
  const report = await again.open();
  assert.equal(report.cleanShutdown, true);
  assert.equal(again.getMaxOffsetInQueue('Orders', 3), n / 4);
  const q = again.queryMessage('Orders', 'key-42', 32, 0, Date.now() + 1000);
  assert.equal(q.messages.length, 1);
  assert.equal(decodeStoredMessage(q.messages[0] ?? Buffer.alloc(0)).body.toString(), 'order-42');
  const shared = again.queryMessage('Orders', 'shared', 32, 0, Date.now() + 1000);
  assert.equal(shared.messages.length, 32);
  const r = await again.putMessage(makeMessage('Orders', 3, 'after-restart'));
  assert.ok(isPutOk(r));
  assert.equal(r.appendResult.logicsOffset, n / 4);
  await again.close();
});

void test('get-message statuses and tag filtering follow RocketMQ', async (t) => {
  const dir = tempDir(t);
  const store = storeAt(dir);
  await store.open();
  t.after(() => store.close());
  assert.equal(store.getMessage('None', 0, 0, { maxMsgNums: 32, maxTotalBytes: 1 << 20 }).status, 'NO_MATCHED_LOGIC_QUEUE');
  for (let i = 0; i < 10; i++) await store.putMessage(makeMessage('T', 0, `m${i}`, { TAGS: i < 5 ? 'A' : 'B' }));
  assert.equal(store.getMessage('T', 0, 10, { maxMsgNums: 32, maxTotalBytes: 1 << 20 }).status, 'OFFSET_OVERFLOW_ONE');
  const bad = store.getMessage('T', 0, 99, { maxMsgNums: 32, maxTotalBytes: 1 << 20 });
  assert.equal(bad.status, 'OFFSET_OVERFLOW_BADLY');
  assert.equal(bad.nextBeginOffset, 0);
  const hashB = 66; // Java "B".hashCode()
  const filtered = store.getMessage('T', 0, 0, {
    maxMsgNums: 32,
    maxTotalBytes: 1 << 20,
    filter: { isMatchedByConsumeQueue: (code) => code === hashB },
  });
  assert.equal(filtered.status, 'FOUND');
  assert.deepEqual(filtered.queueOffsets, [5, 6, 7, 8, 9]);
  assert.equal(filtered.nextBeginOffset, 10);
  const none = store.getMessage('T', 0, 0, { maxMsgNums: 3, maxTotalBytes: 1 << 20, filter: { isMatchedByConsumeQueue: () => false } });
  assert.equal(none.status, 'NO_MATCHED_MESSAGE');
  assert.equal(none.nextBeginOffset, 10);
  const limited = store.getMessage('T', 0, 0, { maxMsgNums: 4, maxTotalBytes: 1 << 20 });
  assert.equal(limited.messages.length, 4);
  assert.equal(limited.nextBeginOffset, 4);
});

void test('oversize body, long topic and huge properties are refused with clear statuses', async (t) => {
  const dir = tempDir(t);
  const store = storeAt(dir);
  await store.open();
  t.after(() => store.close());
  const big = await store.putMessage(makeMessage('T', 0, Buffer.alloc(9000)));
  assert.equal(big.status, 'MESSAGE_ILLEGAL');
  const longTopic = await store.putMessage(makeMessage('x'.repeat(128), 0, 'b'));
  assert.equal(longTopic.status, 'MESSAGE_ILLEGAL');
  const props = await store.putMessage(makeMessage('T', 0, 'b', { BIG: 'v'.repeat(40000) }));
  assert.equal(props.status, 'PROPERTIES_SIZE_EXCEEDED');
  assert.ok(isPutOk(await store.putMessage(makeMessage('T', 0, 'fine'))));
});

void test('a failed commit-log fdatasync: appends refused with a reason, the shutdown is unclean, and the restart recovers what the disk holds', async (t) => {
  const dir = tempDir(t);
  const store = storeAt(dir, { flushDiskType: 'SYNC_FLUSH' });
  await store.open();
  assert.ok(isPutOk(await store.putMessage(makeMessage('T', 0, 'durable'))));
  const realFlush = store.commitLog.segments.flush.bind(store.commitLog.segments);
  store.commitLog.segments.flush = async (from: number, to: number) => {
    await realFlush(from, to); // the bytes do reach the disk here; the call reports an error all the same
    throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
  };
  const lost = await store.putMessage(makeMessage('T', 0, 'unconfirmed'));
  assert.equal(lost.status, 'FLUSH_DISK_TIMEOUT');
  const refused = await store.putMessage(makeMessage('T', 0, 'refused'));
  assert.equal(refused.status, 'SERVICE_NOT_AVAILABLE');
  assert.match(refused.status === 'SERVICE_NOT_AVAILABLE' ? refused.reason : '', /could not be synced to disk/);
  assert.equal(store.getMaxOffsetInQueue('T', 0), 1, 'the unconfirmed message is not consumable');
  await store.close();
  assert.ok(existsSync(join(dir, 'abort')), 'the next start checks the log instead of trusting the checkpoint');

  const again = storeAt(dir, { flushDiskType: 'SYNC_FLUSH' });
  const report = await again.open();
  assert.equal(report.cleanShutdown, false);
  const got = again.getMessage('T', 0, 0, { maxMsgNums: 10, maxTotalBytes: 1 << 20 });
  assert.deepEqual(got.messages.map((m) => decodeStoredMessage(m).body.toString()), ['durable', 'unconfirmed'], 'recovery keeps every intact record on disk');
  const r = await again.putMessage(makeMessage('T', 0, 'after-restart'));
  assert.ok(isPutOk(r));
  assert.equal(r.appendResult.logicsOffset, 2);
  await again.close();
});

void test('a failed consume-queue fdatasync freezes the checkpoint, so the next start rebuilds past it', async (t) => {
  const dir = tempDir(t);
  const store = storeAt(dir, { flushIntervalConsumeQueue: 20 });
  await store.open();
  const cpOffset = (): number => loadCheckpoint(join(dir, 'checkpoint')).data.consumeQueueOffset;
  const waitFor = async (cond: () => boolean): Promise<void> => {
    for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(cond(), 'condition not reached');
  };
  assert.ok(isPutOk(await store.putMessage(makeMessage('T', 0, 'a'))));
  const afterA = store.commitLog.maxOffset;
  await waitFor(() => cpOffset() === afterA);
  const cq = [...store.consumeQueues.all()][0];
  assert.ok(cq !== undefined);
  const realFlush = cq.flush.bind(cq);
  let failures = 0;
  cq.flush = async () => {
    if (failures++ === 0) throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
    await realFlush();
  };
  assert.ok(isPutOk(await store.putMessage(makeMessage('T', 0, 'b'))));
  assert.ok(isPutOk(await store.putMessage(makeMessage('T', 0, 'c'))));
  await waitFor(() => failures >= 3); // the failure and later flushes that succeed
  assert.equal(cpOffset(), afterA, 'a later successful flush does not move the checkpoint');
  await store.close();
  assert.ok(existsSync(join(dir, 'abort')));
  const again = storeAt(dir);
  assert.equal((await again.open()).cleanShutdown, false);
  const got = again.getMessage('T', 0, 0, { maxMsgNums: 10, maxTotalBytes: 1 << 20 });
  assert.deepEqual(got.messages.map((m) => decodeStoredMessage(m).body.toString()), ['a', 'b', 'c']);
  await again.close();
});
