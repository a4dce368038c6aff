/**
 * Push consumers in child processes: one killed with SIGKILL mid-stream and
 * replaced loses nothing (at least once, proven by LossDetector), and after
 * shutdown no timer or socket keeps a consumer process alive.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { LossDetector, SequenceStamper } from '../../src/index.js';
import { startCluster, waitFor } from '../support/cluster.js';
import { unique } from './helpers.js';
import { newProducer } from './fixtures/push-support.js';

const script = fileURLToPath(new URL('./fixtures/push-child.ts', import.meta.url));

interface Child {
  readonly proc: ChildProcess;
  readonly lines: Record<string, unknown>[];
  readonly stderr: () => string;
  readonly exited: Promise<number | null>;
}

function spawnChild(t: { after(fn: () => void): void }, args: string[]): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Record<string, unknown>[] = [];
  let buf = '';
  let err = '';
  proc.stdout?.on('data', (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop() ?? '';
    for (const l of parts) if (l.trim().length > 0) lines.push(JSON.parse(l) as Record<string, unknown>);
  });
  proc.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  t.after(() => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  });
  return { proc, lines, stderr: () => err, exited };
}

const consumed = (c: Child): { seq: string; queueId: number }[] =>
  c.lines.filter((l): l is { seq: string; queueId: number } => typeof l.seq === 'string');

test('a consumer killed with SIGKILL mid-stream and restarted loses nothing', { timeout: 120_000 }, async (t) => {
  const cluster = await startCluster(t);
  const topic = unique('T_kill');
  const group = unique('CG_kill');
  await cluster.createTopic(topic, 4);
  const p = await newProducer(cluster);
  const stamper = new SequenceStamper('killtest');
  const a = spawnChild(t, [cluster.namesrvAddr, topic, group]);
  await waitFor(() => a.lines.some((l) => l.ready === true), { what: `child A ready ${a.stderr()}`, timeoutMs: 30_000 });
  const n = 400;
  const sending = (async () => {
    for (let i = 0; i < n; i++) await p.send({ topic, body: `k-${i}`, properties: stamper.stamp() });
  })();
  await waitFor(() => consumed(a).length >= 100, { what: 'A consumed 100', timeoutMs: 30_000 });
  a.proc.kill('SIGKILL');
  await a.exited;
  const b = spawnChild(t, [cluster.namesrvAddr, topic, group]);
  await sending;
  const det = (): LossDetector => {
    const d = new LossDetector();
    for (const m of [...consumed(a), ...consumed(b)]) d.observe({ ORBIT_SEQ: m.seq }, { brokerName: 'b', queueId: m.queueId });
    return d;
  };
  await waitFor(() => det().isComplete({ killtest: stamper.sent }), { what: `all ${n} consumed by A ∪ B ${b.stderr()}`, timeoutMs: 60_000 });
  const report = det().report({ killtest: stamper.sent })[0];
  assert.equal(report?.missing, 0);
  assert.equal(report?.received, n);
  assert.ok(consumed(a).length < n, 'A was killed before the end');
  assert.ok(consumed(b).length > 0, 'B resumed');
  t.diagnostic(`A ${consumed(a).length}, B ${consumed(b).length}, duplicates ${report?.duplicates ?? 0}`);
});

test('after shutdown a consumer process exits by itself: no timers or sockets left', { timeout: 60_000 }, async (t) => {
  const cluster = await startCluster(t);
  const topic = unique('T_exitc');
  await cluster.createTopic(topic, 2);
  const p = await newProducer(cluster);
  const c = spawnChild(t, [cluster.namesrvAddr, topic, unique('CG_exit'), '10']);
  await waitFor(() => c.lines.some((l) => l.ready === true), { what: `child ready ${c.stderr()}`, timeoutMs: 30_000 });
  const stamper = new SequenceStamper('exit');
  for (let i = 0; i < 10; i++) await p.send({ topic, body: `e-${i}`, properties: stamper.stamp() });
  const code = await Promise.race([c.exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 20_000).unref())]);
  assert.equal(code, 0, `child did not exit cleanly (${String(code)}): ${c.stderr()}`);
  const report = c.lines.find((l) => Array.isArray(l.resources));
  const resources = (report?.resources ?? []) as string[];
  assert.ok(!resources.includes('Timeout'), `timers left: ${resources.join(',')}`);
  assert.ok(!resources.includes('TCPSocketWrap'), `sockets left: ${resources.join(',')}`);
  assert.equal(consumed(c).length, 10);
});
