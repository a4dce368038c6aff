/**
 * A cluster: two name servers and two broker processes (two broker sets), one
 * topic spread over both. Both name servers route it to both brokers; a
 * broker killed with SIGKILL drops out of both name servers' routes (its
 * connections close), and a producer keeps sending: failed attempts are
 * retried on the other broker and the failing one is avoided afterwards.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AdminClient } from '../../src/client/admin/admin-client.js';
import { Producer } from '../../src/client/index.js';
import { startCluster, waitFor } from '../support/cluster.js';
import { tempDir } from '../support/temp-dir.js';

const ORBIT = fileURLToPath(new URL('../../src/bin/orbit.ts', import.meta.url));

async function startBrokerProcess(namesrv: string, name: string, dir: string): Promise<{ child: ChildProcess; addr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', ORBIT, 'broker', '-n', namesrv, '--data-dir', dir, '--broker-port', '0', '--log-level', 'warn'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ORBIT_BROKER_NAME: name, ORBIT_MAPPED_FILE_SIZE_COMMIT_LOG: String(64 * 1024 * 1024), ORBIT_MAX_HASH_SLOT_NUM: '10000', ORBIT_MAX_INDEX_NUM: '40000' },
  });
  let out = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (d: string) => (out += d));
  const line = await waitFor(() => out.split('\n').find((l) => l.includes('"event":"ready"')), { timeoutMs: 30_000, what: `${name} ready` });
  const parsed: unknown = JSON.parse(line);
  const addr = typeof parsed === 'object' && parsed !== null && 'broker' in parsed && typeof parsed.broker === 'string' ? parsed.broker : '';
  return { child, addr };
}

test('two name servers, two broker processes: a SIGKILLed broker leaves the routes and producers move on', async (t) => {
  const cluster = await startCluster(t, { brokers: 0, namesrvs: 2 });
  const children: ChildProcess[] = [];
  t.after(() => {
    for (const c of children) c.kill('SIGKILL');
  });
  const a = await startBrokerProcess(cluster.namesrvAddr, 'broker-a', tempDir(t));
  const b = await startBrokerProcess(cluster.namesrvAddr, 'broker-b', tempDir(t));
  children.push(a.child, b.child);
  const admin = new AdminClient({ namesrvAddr: cluster.namesrvAddr });
  cluster.track(() => admin.close());
  for (const addr of [a.addr, b.addr]) await admin.createTopic(addr, { topic: 'Survive', readQueueNums: 2, writeQueueNums: 2, perm: 6 });
  const perNamesrv = cluster.namesrvAddr.split(';').map((addr) => new AdminClient({ namesrvAddr: addr }));
  for (const a2 of perNamesrv) cluster.track(() => a2.close());
  const routedBrokers = async (c: AdminClient): Promise<string[]> =>
    ((await c.topicRoute('Survive').catch(() => undefined))?.brokerDatas ?? []).map((bd) => bd.brokerName).sort();
  for (const c of perNamesrv) {
    await waitFor(async () => (await routedBrokers(c)).length === 2, { what: 'both brokers routed by each name server' });
    const route = await c.topicRoute('Survive');
    assert.deepEqual(route.brokerDatas.map((bd) => bd.brokerAddrs.get(0)).sort(), [a.addr, b.addr].sort());
    assert.ok(route.queueDatas.every((q) => q.writeQueueNums === 2 && q.readQueueNums === 2));
  }

  const producer = new Producer({ namesrvAddr: cluster.namesrvAddr, group: 'PG_kill', instanceName: `kill-${process.pid}`, sendTimeoutMs: 3000 });
  await producer.start();
  cluster.track(() => producer.shutdown());
  const brokersUsed = new Set<string>();
  for (let i = 0; i < 20; i++) brokersUsed.add((await producer.send({ topic: 'Survive', body: `before-${i}` })).messageQueue.brokerName);
  assert.deepEqual([...brokersUsed].sort(), ['broker-a', 'broker-b']);

  const exited = once(a.child, 'exit');
  a.child.kill('SIGKILL');
  await exited;
  for (const c of perNamesrv) {
    await waitFor(async () => (await routedBrokers(c)).join() === 'broker-b', { timeoutMs: 15_000, what: 'the killed broker to leave the routes' });
  }
  const after: string[] = [];
  for (let i = 0; i < 40; i++) {
    const r = await producer.send({ topic: 'Survive', body: `after-${i}` });
    assert.equal(r.status, 'SEND_OK');
    after.push(r.messageQueue.brokerName);
  }
  assert.ok(after.every((n) => n === 'broker-b'), 'every send after the kill landed on the surviving broker');
});
