import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { decodeStoredMessage } from '../common/index.js';
import { makeMessage, STORE_HOST } from '../../test/support/messages.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { MessageStore } from './message-store.js';
import { resolveMessageStoreConfig } from './store-config.js';

const HASH_Y = 121; // Java "y".hashCode()

async function openStore(t: TestContext): Promise<MessageStore> {
  const store = new MessageStore(
    resolveMessageStoreConfig({
      storePathRootDir: tempDir(t),
      mappedFileSizeCommitLog: 1024 * 1024,
      mappedFileSizeConsumeQueue: 20 * 1000,
      maxMessageSize: 8 * 1024,
      maxHashSlotNum: 1000,
      maxIndexNum: 8000,
    }),
    { storeHost: STORE_HOST },
  );
  await store.open();
  t.after(() => store.close());
  return store;
}

function bodies(msgs: readonly Buffer[]): string[] {
  return msgs.map((m) => decodeStoredMessage(m).body.toString());
}

void test('a tag filter that skips many units reads them in chunks with the same result and budget', async (t) => {
  const store = await openStore(t);
  const n = 3000;
  const wanted = (i: number): boolean => i >= 1000 && i % 7 === 0;
  // Two queues interleaved in batches: runs of back-to-back records of one queue.
  for (let b = 0; b < n / 50; b++) {
    await store.putMessages(Array.from({ length: 50 }, (_, k) => {
      const i = b * 50 + k;
      return makeMessage('T', 0, `m${i}`, { TAGS: wanted(i) ? 'y' : 'n' });
    }));
    await store.putMessage(makeMessage('T', 1, `other${b}`));
  }
  const filter = { isMatchedByConsumeQueue: (code: number) => code === HASH_Y };
  const got = store.getMessage('T', 0, 0, { maxMsgNums: 32, maxTotalBytes: 1 << 20, filter });
  const expected = Array.from({ length: n }, (_, i) => i).filter(wanted).slice(0, 32);
  assert.equal(got.status, 'FOUND');
  assert.deepEqual(got.queueOffsets, expected);
  assert.deepEqual(bodies(got.messages), expected.map((i) => `m${i}`));
  assert.equal(got.nextBeginOffset, (expected.at(-1) ?? 0) + 1);

  // The scan budget (maxMsgNums × 64 units with a filter) ends a pull that finds nothing.
  const none = store.getMessage('T', 0, 0, { maxMsgNums: 8, maxTotalBytes: 1 << 20, filter: { isMatchedByConsumeQueue: () => false } });
  assert.equal(none.status, 'NO_MATCHED_MESSAGE');
  assert.equal(none.nextBeginOffset, 8 * 64);
});

void test('without a record filter the records are back-to-back slices of one buffer', async (t) => {
  const store = await openStore(t);
  for (let b = 0; b < 10; b++) {
    await store.putMessages(Array.from({ length: 5 }, (_, k) => makeMessage('T', 0, `m${b * 5 + k}`)));
    await store.putMessage(makeMessage('T', 1, `other${b}`));
  }
  const got = store.getMessage('T', 0, 3, { maxMsgNums: 40, maxTotalBytes: 1 << 20 });
  assert.equal(got.status, 'FOUND');
  assert.deepEqual(bodies(got.messages), Array.from({ length: 40 }, (_, i) => `m${i + 3}`));
  assert.deepEqual(got.queueOffsets, Array.from({ length: 40 }, (_, i) => i + 3));
  const first = got.messages[0];
  assert.ok(first !== undefined);
  let end = first.byteOffset;
  for (const m of got.messages) {
    assert.equal(m.buffer, first.buffer);
    assert.equal(m.byteOffset, end);
    end += m.length;
  }
  assert.equal(got.bufferTotalSize, end - first.byteOffset);

  // The byte limit: the first record always fits, then stop before exceeding it.
  const size = first.length;
  const limited = store.getMessage('T', 0, 0, { maxMsgNums: 40, maxTotalBytes: size * 7 + 1 });
  assert.equal(limited.messages.length, 7);
  assert.equal(limited.nextBeginOffset, 7);
  assert.equal(store.getMessage('T', 0, 0, { maxMsgNums: 40, maxTotalBytes: 1 }).messages.length, 1);
});

void test('a record filter counts only the records it passes against the limits', async (t) => {
  const store = await openStore(t);
  for (let b = 0; b < 10; b++) {
    await store.putMessages(Array.from({ length: 5 }, (_, k) => makeMessage('T', 0, `m${b * 5 + k}`)));
    await store.putMessage(makeMessage('T', 1, `other${b}`));
  }
  const even = (rec: Buffer): boolean => Number(decodeStoredMessage(rec).body.toString().slice(1)) % 2 === 0;
  const got = store.getMessage('T', 0, 0, {
    maxMsgNums: 6,
    maxTotalBytes: 1 << 20,
    filter: { isMatchedByConsumeQueue: () => true, isMatchedByCommitLog: even },
  });
  assert.equal(got.status, 'FOUND');
  // Runs are filtered when the next one starts; records of the current run count before they are read.
  assert.deepEqual(bodies(got.messages), ['m0', 'm2', 'm4', 'm6']);
  assert.deepEqual(got.queueOffsets, [0, 2, 4, 6]);
  assert.equal(got.nextBeginOffset, 8);
});
