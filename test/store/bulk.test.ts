import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeStoredMessage } from '../../src/common/index.js';
import { MessageStore, isPutOk, resolveMessageStoreConfig } from '../../src/store/index.js';
import { makeMessage, STORE_HOST } from '../support/messages.js';
import { tempDir } from '../support/temp-dir.js';

const TOTAL = 1_000_000;
const QUEUES = 100;

void test('one million small messages over 100 queues are written and read back in order', async (t) => {
  const dir = tempDir(t);
  const config = resolveMessageStoreConfig({ storePathRootDir: dir, mappedFileSizeCommitLog: 64 * 1024 * 1024, maxHashSlotNum: 100_000, maxIndexNum: 400_000, messageIndexEnable: false });
  const store = new MessageStore(config, { storeHost: STORE_HOST });
  await store.open();
  // 64 writers; message i goes to queue i % 100 with body "m<i>".
  let next = 0;
  const writer = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      if (i >= TOTAL) return;
      const r = await store.putMessage(makeMessage('Bulk', i % QUEUES, `m${i}`));
      if (!isPutOk(r)) throw new Error(`append ${i} failed: ${r.status}`);
    }
  };
  await Promise.all(Array.from({ length: 64 }, writer));
  await store.close();

  const again = new MessageStore(config, { storeHost: STORE_HOST });
  await again.open();
  t.after(() => again.close());
  let read = 0;
  for (let q = 0; q < QUEUES; q++) {
    assert.equal(again.getMaxOffsetInQueue('Bulk', q), TOTAL / QUEUES);
    let expected = q;
    let offset = 0;
    while (offset < TOTAL / QUEUES) {
      const got = again.getMessage('Bulk', q, offset, { maxMsgNums: 1000, maxTotalBytes: 1 << 20 });
      assert.equal(got.status, 'FOUND');
      for (const rec of got.messages) {
        const m = decodeStoredMessage(rec);
        assert.equal(m.queueId, q);
        // Writers interleave, so ids in a queue are increasing but not consecutive multiples; check the queue rule and order.
        const id = Number(m.body.toString().slice(1));
        assert.equal(id % QUEUES, q);
        assert.ok(id >= expected, 'messages of a queue come back in append order');
        expected = id;
        read++;
      }
      offset = got.nextBeginOffset;
    }
  }
  assert.equal(read, TOTAL);
});
