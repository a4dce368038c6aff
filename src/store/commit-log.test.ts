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

/** Replaces the log's fdatasync (SegmentQueue.flush) with one the test ends by hand: the disk's timing is what cannot be controlled here. */
function manualSyncs(log: CommitLog): { from: number; to: number; end: (err?: Error) => void }[] {
  const calls: { from: number; to: number; end: (err?: Error) => void }[] = [];
  log.segments.flush = (from: number, to: number) => new Promise<void>((resolve, reject) => {
    calls.push({ from, to, end: (err) => (err === undefined ? resolve() : reject(err)) });
  });
  return calls;
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setImmediate(r));
  assert.ok(cond(), 'condition not reached');
}

void test('SYNC_FLUSH: bytes written while an fdatasync runs get their own at once (two at most), and only a call that started after their write acknowledges them', async (t) => {
  const dir = tempDir(t);
  const { log } = open(dir, { flushDiskType: 'SYNC_FLUSH', segmentSize: 1 << 20 });
  const syncs = manualSyncs(log);
  const status: Record<string, string> = {};
  const put = (body: string): Promise<unknown> => log.append(makeMessage('S', 0, body)).then((r) => (status[body] = r.status));
  const a = put('a');
  await until(() => syncs.length === 1);
  const b = put('b');
  await until(() => syncs.length === 2);
  assert.equal(syncs[1]?.from, 0, 'from the last durable offset');
  assert.ok((syncs[1]?.to ?? 0) > (syncs[0]?.to ?? 0));
  const c = put('c');
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
  assert.equal(syncs.length, 2, 'a third waits for a free slot');
  syncs[1]?.end(); // the later call ends first: it covers a and b
  await Promise.all([a, b]);
  assert.deepEqual(Object.entries(status), [['a', 'PUT_OK'], ['b', 'PUT_OK']], 'c is not acknowledged by a call that started before its write');
  await until(() => syncs.length === 3);
  assert.equal(syncs[2]?.from, syncs[1]?.to);
  syncs[0]?.end();
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
  assert.equal(status['c'], undefined);
  assert.equal(log.flushedOffset, syncs[1]?.to, 'an earlier call ending late moves nothing back');
  syncs[2]?.end();
  await c;
  assert.equal(status['c'], 'PUT_OK');
  assert.equal(log.flushedOffset, log.maxOffset);
  await log.close();
});

void test('SYNC_FLUSH: after a failed fdatasync nothing more is counted durable, waiting appends get FLUSH_DISK_TIMEOUT at once, and appends are refused', async (t) => {
  const dir = tempDir(t);
  const { log, dispatched } = open(dir, { flushDiskType: 'SYNC_FLUSH', segmentSize: 1 << 20 });
  const syncs = manualSyncs(log);
  const ok = await (async () => {
    const r = log.append(makeMessage('S', 0, 'ok'));
    await until(() => syncs.length === 1);
    syncs[0]?.end();
    return r;
  })();
  assert.equal(ok.status, 'PUT_OK');
  const durable = log.flushedOffset;
  const a = log.append(makeMessage('S', 0, 'a'));
  await until(() => syncs.length === 2);
  const b = log.append(makeMessage('S', 0, 'b'));
  await until(() => syncs.length === 3); // a second fdatasync, covering a and b, runs beside the first
  const flushed = log.flush();
  syncs[1]?.end(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
  await assert.rejects(flushed, /EIO/);
  // Answered now, not after syncFlushTimeout (5 s here).
  assert.equal((await a).status, 'FLUSH_DISK_TIMEOUT');
  assert.equal((await b).status, 'FLUSH_DISK_TIMEOUT');
  assert.ok(log.syncFailed);
  syncs[2]?.end(); // succeeds after the failure: Linux may have dropped the failed pages, so it proves nothing
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
  assert.equal(log.flushedOffset, durable, 'nothing past the last durable offset before the failure');
  assert.equal(dispatched.length, 1, 'a and b are never handed to the consume queue');
  const c = await log.append(makeMessage('S', 0, 'c'));
  assert.equal(c.status, 'SERVICE_NOT_AVAILABLE');
  assert.match(c.status === 'SERVICE_NOT_AVAILABLE' ? c.reason : '', /could not be synced to disk \(EIO\).*restart/);
  assert.equal(syncs.length, 3, 'no fdatasync after the failure');
  await assert.rejects(log.flush(), /EIO/);
  await assert.rejects(log.close(), /EIO/, 'close reports that the log could not be flushed');
  assert.equal((await log.append(makeMessage('S', 0, 'd'))).status, 'SERVICE_NOT_AVAILABLE');
});

void test('ASYNC_FLUSH: a failed interval fdatasync also stops appends', async (t) => {
  const dir = tempDir(t);
  const { log } = open(dir, { segmentSize: 1 << 20 });
  const syncs = manualSyncs(log);
  const written = await Promise.all(['a', 'b', 'c'].map((body) => log.append(makeMessage('A', 0, body))));
  assert.ok(written.every((r) => r.status === 'PUT_OK'), 'acknowledged once in the page cache');
  const interval = log.flush();
  await until(() => syncs.length === 1);
  syncs[0]?.end(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
  await assert.rejects(interval, /EIO/);
  assert.equal((await log.append(makeMessage('A', 0, 'd'))).status, 'SERVICE_NOT_AVAILABLE');
  await assert.rejects(log.close(), /EIO/);
});
