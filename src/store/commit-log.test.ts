import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BLANK_MAGIC_CODE, decodeOffsetMessageId, decodeStoredMessage, noopLogger, systemClock } from '../common/index.js';
import { makeMessage, STORE_HOST } from '../../test/support/messages.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { CommitLog } from './commit-log.js';
import type { CommitLogConfig } from './commit-log.js';
import { scanCommitLog } from './commit-log-scanner.js';
import type { DispatchRequest } from './dispatch-request.js';
import { isPutOk } from './put-message-result.js';

function open(dir: string, over: Partial<CommitLogConfig> = {}, fresh = true): { log: CommitLog; dispatched: DispatchRequest[] } {
  const dispatched: DispatchRequest[] = [];
  const log = new CommitLog(
    { dir, segmentSize: 4096, flushDiskType: 'ASYNC_FLUSH', syncFlushTimeout: 5000, maxMessageSize: 1024, delayLevels: [1000], ...over },
    { logger: noopLogger, clock: systemClock, storeHost: STORE_HOST, dispatch: (d) => dispatched.push(d) },
  );
  log.load();
  if (fresh) log.setRecoveredEnd(0);
  return { log, dispatched };
}

void test('appends records byte-exactly, assigns queue offsets and rolls segments with a BLANK record', async (t) => {
  const dir = tempDir(t);
  const { log, dispatched } = open(dir);
  const results = await Promise.all(
    Array.from({ length: 40 }, (_, i) => log.append(makeMessage('T', i % 2, `body-${i}`.padEnd(200, '.'), { TAGS: 'TagA', KEYS: `k${i}` }))),
  );
  assert.equal(dispatched.length, 40);
  const perQueue = [0, 0];
  for (const [i, r] of results.entries()) {
    assert.ok(isPutOk(r));
    assert.equal(r.appendResult.logicsOffset, perQueue[i % 2]);
    perQueue[i % 2] = (perQueue[i % 2] ?? 0) + 1;
    const id = r.appendResult.msgIds[0] ?? '';
    assert.equal(decodeOffsetMessageId(id).commitLogOffset, r.appendResult.wroteOffset);
    const bytes = log.read(r.appendResult.wroteOffset, r.appendResult.wroteBytes);
    assert.ok(bytes);
    const m = decodeStoredMessage(bytes);
    assert.equal(m.body.toString(), `body-${i}`.padEnd(200, '.'));
    assert.equal(m.topic, 'T');
    assert.equal(m.commitLogOffset, r.appendResult.wroteOffset);
    assert.equal(m.queueOffset, r.appendResult.logicsOffset);
    assert.equal(Math.floor(m.commitLogOffset / 4096), Math.floor((m.commitLogOffset + m.storeSize - 1) / 4096), 'no record spans segments');
  }
  assert.ok(log.segments.all.length >= 3);
  const first = log.segments.all[0];
  assert.ok(first);
  const lastInFirst = results.filter((r) => isPutOk(r) && r.appendResult.wroteOffset < 4096).at(-1);
  assert.ok(lastInFirst && isPutOk(lastInFirst));
  const blankAt = lastInFirst.appendResult.wroteOffset + lastInFirst.appendResult.wroteBytes;
  const blank = first.readSync(blankAt, 8);
  assert.equal(blank.readInt32BE(0), 4096 - blankAt);
  assert.equal(blank.readInt32BE(4), BLANK_MAGIC_CODE);
  await log.close();

  const scanned: DispatchRequest[] = [];
  const reopened = open(dir, {}, false).log;
  const res = scanCommitLog(reopened.segments, 0, { verifyCrc: true, readBytes: 1000, delayLevels: [1000] }, (d) => scanned.push(d));
  assert.equal(res.corrupt, undefined);
  assert.equal(res.records, 40);
  assert.deepEqual(scanned, dispatched);
  await reopened.close();
});

void test('SYNC_FLUSH resolves after the fdatasync and group-commits concurrent writers', async (t) => {
  const dir = tempDir(t);
  const { log, dispatched } = open(dir, { flushDiskType: 'SYNC_FLUSH', segmentSize: 1 << 20 });
  const rs = await Promise.all(Array.from({ length: 64 }, (_, i) => log.append(makeMessage('S', 0, `m${i}`))));
  assert.ok(rs.every((r) => r.status === 'PUT_OK'));
  assert.equal(log.flushedOffset, log.maxOffset);
  assert.equal(dispatched.length, 64);
  assert.deepEqual(
    dispatched.map((d) => d.queueOffset),
    Array.from({ length: 64 }, (_, i) => i),
  );
  await log.close();
});

void test('a message larger than the staging area or segment is refused with MESSAGE_ILLEGAL', async (t) => {
  const dir = tempDir(t);
  const { log } = open(dir);
  const r = await log.append(makeMessage('T', 0, Buffer.alloc(5000)));
  assert.equal(r.status, 'MESSAGE_ILLEGAL');
  await log.close();
});
