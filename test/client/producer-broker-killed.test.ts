/**
 * A producer keeps sending when one of two brokers is killed with SIGKILL:
 * failed attempts are retried on the other broker and the slow/failing one is
 * avoided afterwards (latency fault tolerance).
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

test('a producer keeps sending when one of two brokers is killed with SIGKILL', async (t) => {
  const cluster = await startCluster(t, { brokers: 0 });
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
  await waitFor(async () => (await admin.topicRoute('Survive').catch(() => undefined))?.brokerDatas.length === 2, { what: 'both brokers routed' });

  const producer = new Producer({ namesrvAddr: cluster.namesrvAddr, group: 'PG_kill', instanceName: `kill-${process.pid}`, sendTimeoutMs: 3000 });
  await producer.start();
  cluster.track(() => producer.shutdown());
  const brokersUsed = new Set<string>();
  for (let i = 0; i < 20; i++) brokersUsed.add((await producer.send({ topic: 'Survive', body: `before-${i}` })).messageQueue.brokerName);
  assert.deepEqual([...brokersUsed].sort(), ['broker-a', 'broker-b']);

  const exited = once(a.child, 'exit');
  a.child.kill('SIGKILL');
  await exited;
  const after: string[] = [];
  for (let i = 0; i < 40; i++) {
    const r = await producer.send({ topic: 'Survive', body: `after-${i}` });
    assert.equal(r.status, 'SEND_OK');
    after.push(r.messageQueue.brokerName);
  }
  assert.ok(after.every((n) => n === 'broker-b'), 'every send after the kill landed on the surviving broker');
});
