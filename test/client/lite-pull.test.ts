/**
 * The lite pull consumer against a real in-process OrbitMQ (one name server,
 * one broker for the file; unique topics and groups per test).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import {
  AbortError, ClientStateError, InvalidArgumentError, LitePullConsumer, Producer,
  type LitePullConsumerOptions, type MessageExt, type MessageQueue,
} from '../../src/index.js';
import { runChildToExit } from '../support/child-exit.js';
import { startCluster, waitFor, type TestCluster } from '../support/cluster.js';
import { unique } from './helpers.js';

let cluster: TestCluster;
let producer: Producer;

const teardown: (() => void | Promise<void>)[] = [];
after(async () => {
  for (const fn of teardown) await fn();
});
before(async () => {
  cluster = await startCluster({ after: (fn) => void teardown.push(fn) });
  producer = new Producer({ namesrvAddr: cluster.namesrvAddr, group: unique('pg'), instanceName: unique('p') });
  cluster.track(() => producer.shutdown());
  await producer.start();
});

function consumer(opts: Partial<LitePullConsumerOptions> & { group: string }): LitePullConsumer {
  const c = new LitePullConsumer({
    namesrvAddr: cluster.namesrvAddr, instanceName: unique('c'), consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET', rebalanceIntervalMs: 1000, ...opts,
  });
  cluster.track(() => c.shutdown());
  return c;
}

async function send(topic: string, n: number, from = 0, queue?: MessageQueue, tags?: string): Promise<void> {
  for (let i = from; i < from + n; i++) {
    await producer.send({ topic, body: `m${i}`, ...(tags === undefined ? {} : { tags }) }, queue === undefined ? {} : { queue });
  }
}

/** Polls until `n` messages arrived (bounded), failing on more. */
async function pollN(c: LitePullConsumer, n: number, timeoutMs = 10_000): Promise<MessageExt[]> {
  const out: MessageExt[] = [];
  const deadline = Date.now() + timeoutMs;
  while (out.length < n && Date.now() < deadline) out.push(...(await c.poll({ timeoutMs: 500 })));
  assert.equal(out.length, n, `expected ${n} messages, got ${out.length}`);
  return out;
}

const bodies = (ms: readonly MessageExt[]): string[] => ms.map((m) => m.body.toString());
const keyOf = (mq: MessageQueue): string => `${mq.brokerName}:${mq.queueId}`;

describe('LitePullConsumer', () => {
  test('assign + poll reads every queue in per-queue order', async () => {
    const topic = unique('T_assign');
    await cluster.createTopic(topic, 4);
    await send(topic, 20);
    const c = consumer({ group: unique('g_assign') });
    const mqs = await c.fetchMessageQueues(topic);
    assert.equal(mqs.length, 4);
    c.assign(mqs);
    await c.start();
    assert.deepEqual(c.assignment().map(keyOf), mqs.map(keyOf));
    const got = await pollN(c, 20);
    assert.deepEqual(bodies(got).sort(), Array.from({ length: 20 }, (_, i) => `m${i}`).sort());
    assert.equal(new Set(got.map((m) => m.queueId)).size, 4);
    for (const q of [0, 1, 2, 3]) {
      const offs = got.filter((m) => m.queueId === q).map((m) => m.queueOffset);
      assert.deepEqual(offs, [...offs].sort((a, b) => a - b));
    }
    assert.deepEqual(await c.poll({ timeoutMs: 100 }), []);
    await assert.rejects(c.fetchMessageQueues(unique('T_missing')), /no queues|route|not/i);
  });

  test('subscribe: two consumers of a group split the queues and the messages; tags filter', async () => {
    const topic = unique('T_sub');
    const group = unique('g_sub');
    await cluster.createTopic(topic, 4);
    const c1 = consumer({ group });
    c1.subscribe(topic, 'A');
    await c1.start();
    await waitFor(() => c1.assignment().length === 4, { what: 'c1 owns all queues' });
    const c2 = consumer({ group });
    c2.subscribe(topic, 'A');
    await c2.start();
    await waitFor(() => c1.assignment().length === 2 && c2.assignment().length === 2, { what: 'split 2/2' });
    const mine1 = new Set(c1.assignment().map(keyOf));
    const mine2 = new Set(c2.assignment().map(keyOf));
    assert.equal(new Set([...mine1, ...mine2]).size, 4);
    await send(topic, 20, 0, undefined, 'A');
    await send(topic, 8, 100, undefined, 'B');
    const got1: MessageExt[] = [];
    const got2: MessageExt[] = [];
    await waitFor(async () => {
      got1.push(...(await c1.poll({ timeoutMs: 100 })));
      got2.push(...(await c2.poll({ timeoutMs: 100 })));
      return got1.length + got2.length >= 20;
    }, { what: '20 tagged messages' });
    assert.ok(got1.length > 0 && got2.length > 0);
    assert.ok(got1.every((m) => mine1.has(`${m.brokerName}:${m.queueId}`)));
    assert.ok(got2.every((m) => mine2.has(`${m.brokerName}:${m.queueId}`)));
    assert.deepEqual(bodies([...got1, ...got2]).sort(), Array.from({ length: 20 }, (_, i) => `m${i}`).sort());
    assert.ok([...got1, ...got2].every((m) => m.tags === 'A'));
    assert.throws(() => c1.assign(c1.assignment()), ClientStateError);
    await c2.shutdown();
    await waitFor(() => c1.assignment().length === 4, { what: 'c1 takes the queues back' });
    // c2 committed at shutdown, so c1 resumes after c2's messages instead of re-reading them.
    assert.deepEqual(await c1.poll({ timeoutMs: 300 }), []);
    await send(topic, 4, 200, undefined, 'A');
    assert.deepEqual(bodies(await pollN(c1, 4)).sort(), ['m200', 'm201', 'm202', 'm203']);
  });

  test('seek, seekToBegin, seekToEnd and offsetForTimestamp', async () => {
    const topic = unique('T_seek');
    await cluster.createTopic(topic, 1);
    const mq: MessageQueue = { topic, brokerName: 'broker-a', queueId: 0 };
    await send(topic, 5, 0, mq);
    await delay(20);
    const t = Date.now();
    await send(topic, 5, 5, mq);
    const c = consumer({ group: unique('g_seek') });
    await assert.rejects(c.seek(mq, 0), ClientStateError);
    c.assign([mq]);
    await c.start();
    assert.deepEqual(bodies(await pollN(c, 10)), Array.from({ length: 10 }, (_, i) => `m${i}`));
    await c.seek(mq, 5);
    assert.deepEqual((await pollN(c, 5)).map((m) => m.queueOffset), [5, 6, 7, 8, 9]);
    await c.seekToBegin(mq);
    assert.equal((await c.poll())[0]?.queueOffset, 0);
    await c.seekToEnd(mq);
    assert.deepEqual(await c.poll({ timeoutMs: 200 }), []);
    await send(topic, 1, 10, mq);
    assert.deepEqual(bodies(await pollN(c, 1)), ['m10']);
    assert.equal(await c.offsetForTimestamp(mq, t), 5);
    assert.equal(await c.offsetForTimestamp(mq, 0), 0);
    await assert.rejects(c.seek(mq, 12), InvalidArgumentError);
    await assert.rejects(c.seek({ ...mq, queueId: 3 }, 0), InvalidArgumentError);
    await c.seek(mq, await c.offsetForTimestamp(mq, t));
    assert.equal((await c.poll())[0]?.body.toString(), 'm5');
  });

  test('commitSync, then a new consumer of the group resumes where the first stopped; shutdown commits', async () => {
    const topic = unique('T_commit');
    const group = unique('g_commit');
    await cluster.createTopic(topic, 1);
    const mq: MessageQueue = { topic, brokerName: 'broker-a', queueId: 0 };
    await send(topic, 10, 0, mq);
    const c1 = consumer({ group, autoCommit: false, pullBatchSize: 3 });
    c1.assign([mq]);
    await c1.start();
    assert.deepEqual(bodies(await c1.poll()), ['m0', 'm1', 'm2']);
    await c1.commitSync();
    assert.equal(await c1.committed(mq), 3);
    assert.deepEqual(bodies(await c1.poll()), ['m3', 'm4', 'm5']);
    await c1.shutdown(); // autoCommit off: 6 is not committed
    await assert.rejects(c1.poll(), ClientStateError);

    const c2 = consumer({ group });
    c2.assign([mq]);
    await c2.start();
    const rest = await pollN(c2, 7);
    assert.equal(rest[0]?.queueOffset, 3);
    assert.equal(rest.at(-1)?.queueOffset, 9);
    await c2.commit(new Map([[mq, 8]]));
    assert.equal(await c2.committed(mq), 8);
    await c2.shutdown(); // autoCommit: the consumed offset 10

    const c3 = consumer({ group, consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET' });
    c3.assign([mq]);
    await c3.start();
    assert.equal(await c3.committed(mq), 10);
    await send(topic, 1, 10, mq);
    assert.deepEqual(bodies(await pollN(c3, 1)), ['m10']);
  });

  test('for await yields one by one; break commits up to (not including) the current message', async () => {
    const topic = unique('T_iter');
    await cluster.createTopic(topic, 1);
    const mq: MessageQueue = { topic, brokerName: 'broker-a', queueId: 0 };
    await send(topic, 10, 0, mq);
    const c = consumer({ group: unique('g_iter'), autoCommitIntervalMs: 60_000 });
    c.assign([mq]);
    await c.start();
    const seen: number[] = [];
    for await (const m of c) {
      seen.push(m.queueOffset);
      if (seen.length === 4) break;
    }
    assert.deepEqual(seen, [0, 1, 2, 3]);
    assert.equal(await c.committed(mq), 3);
    const again: number[] = [];
    for await (const m of c.messages()) {
      again.push(m.queueOffset);
      if (m.queueOffset === 9) break;
    }
    assert.deepEqual(again, [3, 4, 5, 6, 7, 8, 9]);
    assert.equal(await c.committed(mq), 9);
    // The message in hand at `break` comes back first.
    assert.deepEqual((await c.poll()).map((m) => m.queueOffset), [9]);
  });

  test('AbortSignal rejects a waiting poll and ends a for-await loop', async () => {
    const topic = unique('T_abort');
    await cluster.createTopic(topic, 2);
    const c = consumer({ group: unique('g_abort') });
    c.assign(await c.fetchMessageQueues(topic));
    await c.start();
    const ac = new AbortController();
    const started = Date.now();
    setTimeout(() => ac.abort(new Error('stop')), 50).unref();
    await assert.rejects(c.poll({ timeoutMs: 10_000, signal: ac.signal }), AbortError);
    assert.ok(Date.now() - started < 5_000);
    await assert.rejects(c.poll({ signal: AbortSignal.abort() }), AbortError);

    await send(topic, 3);
    const ac2 = new AbortController();
    const seen: string[] = [];
    for await (const m of c.messages({ signal: ac2.signal })) {
      seen.push(m.body.toString());
      if (seen.length === 3) setTimeout(() => ac2.abort(), 30).unref();
    }
    assert.equal(seen.length, 3);
  });

  test('pause withholds a queue until resume', async () => {
    const topic = unique('T_pause');
    await cluster.createTopic(topic, 2);
    const q0: MessageQueue = { topic, brokerName: 'broker-a', queueId: 0 };
    const q1: MessageQueue = { topic, brokerName: 'broker-a', queueId: 1 };
    const c = consumer({ group: unique('g_pause') });
    c.assign([q0, q1]);
    await c.start();
    c.pause([q0]);
    await send(topic, 3, 0, q0);
    await send(topic, 2, 10, q1);
    assert.deepEqual(bodies(await pollN(c, 2)), ['m10', 'm11']);
    assert.deepEqual(await c.poll({ timeoutMs: 200 }), []);
    c.resume([q0]);
    assert.deepEqual(bodies(await pollN(c, 3)), ['m0', 'm1', 'm2']);
  });

  test('BROADCASTING: every member reads every queue; offsets go to a local file', async () => {
    const topic = unique('T_bcast');
    const group = unique('g_bcast');
    const dir = mkdtempSync(join(tmpdir(), 'orbitmq-lite-offsets-'));
    teardown.push(() => rmSync(dir, { recursive: true, force: true }));
    await cluster.createTopic(topic, 2);
    const members = [0, 1].map(() => consumer({ group, messageModel: 'BROADCASTING', localOffsetStoreDir: dir }));
    for (const c of members) {
      c.subscribe(topic);
      await c.start();
    }
    for (const c of members) await waitFor(() => c.assignment().length === 2, { what: 'all queues' });
    await send(topic, 6);
    for (const c of members) assert.deepEqual(bodies(await pollN(c, 6)).sort(), ['m0', 'm1', 'm2', 'm3', 'm4', 'm5']);
    const [c0] = members;
    assert.ok(c0);
    await c0.commitSync();
    const mqs = c0.assignment();
    const committed = await Promise.all(mqs.map((mq) => c0.committed(mq)));
    assert.equal(committed.reduce((a, b) => (a ?? 0) + (b ?? 0), 0), 6);
    const files = readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith('offsets.json'));
    assert.ok(files.length >= 1);
    const written = files.map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as { offsetTable: { offset: number }[] });
    assert.ok(written.some((w) => w.offsetTable.reduce((a, r) => a + r.offset, 0) === 6));
  });

  test('a process that used a lite pull consumer exits by itself after shutdown', { timeout: 60_000 }, async () => {
    const topic = unique('T_exit');
    await cluster.createTopic(topic, 2);
    await send(topic, 4);
    const entry = fileURLToPath(new URL('../../src/index.ts', import.meta.url));
    const code = `
      const { LitePullConsumer } = await import(${JSON.stringify(entry)});
      const [namesrvAddr, topic] = process.argv.slice(1);
      const c = new LitePullConsumer({ namesrvAddr, group: 'lite_exit_g', consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
        heartbeatBrokerIntervalMs: 50, pollNameServerIntervalMs: 50, autoCommitIntervalMs: 50, rebalanceIntervalMs: 50 });
      c.subscribe(topic);
      await c.start();
      let n = 0;
      for (let i = 0; i < 100 && n < 4; i++) n += (await c.poll({ timeoutMs: 200 })).length;
      await c.shutdown();
      process.stdout.write(JSON.stringify({ n, resources: process.getActiveResourcesInfo() }) + '\\n');
    `;
    const { code: exit, stderr, report: raw } = await runChildToExit(['--import', 'tsx', '--input-type=module', '-e', code, cluster.namesrvAddr, topic]);
    assert.equal(exit, 0, `child did not exit cleanly (code ${String(exit)}): ${stderr}`);
    const report = raw as { n: number; resources: string[] };
    assert.equal(report.n, 4);
    assert.ok(!report.resources.includes('Timeout'), `timers left: ${report.resources.join(',')}`);
    assert.ok(!report.resources.includes('TCPSocketWrap'), `sockets left: ${report.resources.join(',')}`);
  });
});
