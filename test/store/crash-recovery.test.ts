import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { checkRecord, decodeStoredMessage, seededRandom } from '../../src/common/index.js';
import { MessageStore } from '../../src/store/index.js';
import { crashStoreConfig } from './fixtures/crash-store.js';
import { STORE_HOST } from '../support/messages.js';
import { tempDir } from '../support/temp-dir.js';

const CHILD = new URL('./fixtures/append-child.ts', import.meta.url).pathname;
const TRIALS = Number(process.env.ORBIT_CRASH_TRIALS ?? '24');

interface Ack {
  queueId: number;
  queueOffset: number;
  commitLogOffset: number;
  id: string;
  size: number;
}

/** Runs the child until `killAfterMs` after it is ready, kills it with SIGKILL, returns what it acknowledged. */
async function runAndKill(dir: string, seed: number, killAfterMs: number): Promise<Ack[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, String(seed)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const acks: Ack[] = [];
  let buffered = '';
  let ready: () => void = () => undefined;
  const readyP = new Promise<void>((r) => (ready = r));
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      if (line === 'ready') ready();
      const m = /^ack (\d+) (\d+) (\d+) (\S+) (\d+)$/.exec(line);
      if (m) acks.push({ queueId: Number(m[1]), queueOffset: Number(m[2]), commitLogOffset: Number(m[3]), id: m[4] ?? '', size: Number(m[5]) });
    }
  });
  const exited = once(child, 'exit');
  const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await Promise.race([readyP, exited]);
  await new Promise((r) => setTimeout(r, killAfterMs));
  child.kill('SIGKILL');
  await exited;
  clearTimeout(guard);
  return acks; // lines after the kill never arrive: every ack counted was printed before death
}

void test(`SIGKILL under SYNC_FLUSH load loses no acknowledged append, serves no corrupt record and re-indexes every key (${TRIALS} trials)`, async (t) => {
  const dir = tempDir(t);
  const rand = seededRandom(12345);
  const all = new Map<string, Ack>();
  let truncations = 0;
  for (let trial = 0; trial < TRIALS; trial++) {
    const acks = await runAndKill(dir, trial + 1, 20 + Math.floor(rand() * 250));
    for (const a of acks) all.set(a.id, a);

    const store = new MessageStore(crashStoreConfig(dir), { storeHost: STORE_HOST });
    const report = await store.open();
    assert.equal(report.cleanShutdown, false, 'a killed store starts unclean');
    if (report.truncated !== undefined) truncations++;
    // Every acknowledged message of every trial so far is there, byte-exact.
    for (const a of all.values()) {
      const rec = store.lookMessageByOffset(a.commitLogOffset);
      assert.ok(rec, `acknowledged message ${a.id} at ${a.commitLogOffset} is missing after trial ${trial}`);
      const m = decodeStoredMessage(rec);
      assert.equal(m.body.length, a.size);
      assert.equal(m.body.toString('utf8', 0, Math.min(a.id.length, a.size)), a.id.slice(0, a.size));
      assert.equal(m.queueId, a.queueId);
      assert.equal(m.queueOffset, a.queueOffset);
    }
    // Every record any queue serves is whole and valid.
    let served = 0;
    for (let q = 0; q < 4; q++) {
      const max = store.getMaxOffsetInQueue('Crash', q);
      for (let off = store.getMinOffsetInQueue('Crash', q); off < max; ) {
        const got = store.getMessage('Crash', q, off, { maxMsgNums: 256, maxTotalBytes: 8 << 20 });
        assert.equal(got.status, 'FOUND', `queue ${q} offset ${off} of ${max}`);
        for (const [i, rec] of got.messages.entries()) {
          const m = decodeStoredMessage(rec);
          assert.equal(checkRecord(rec, 0, rec.length, m.commitLogOffset).kind, 'message');
          assert.equal(m.queueOffset, got.queueOffsets[i]);
          served++;
        }
        off = got.nextBeginOffset;
      }
    }
    assert.ok(served >= all.size);
    // The index (flushed every flushIntervalIndex, 10 s: never during a child's life) is rebuilt: every key is found.
    for (const a of acks) {
      const found = store.queryMessage('Crash', a.id, 4, 0, Date.now() + 60_000).messages.map((rec) => decodeStoredMessage(rec).commitLogOffset);
      assert.deepEqual(found, [a.commitLogOffset], `key ${a.id} after trial ${trial}`);
    }
    await store.close();
  }
  t.diagnostic(`${all.size} acknowledged appends across ${TRIALS} kills, ${truncations} torn tails cut`);
  assert.ok(all.size > TRIALS, 'the children made progress before being killed');
});
