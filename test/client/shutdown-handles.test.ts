/** After shutdown no timer or socket of the SDK keeps the process alive: a child process exits on its own. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { startCluster } from '../support/cluster.js';
import { unique } from './helpers.js';

test('a process that used a producer exits by itself after shutdown', { timeout: 60_000 }, async (t) => {
  const cluster = await startCluster(t);
  const topic = unique('T_exit');
  await cluster.createTopic(topic, 2);
  const script = fileURLToPath(new URL('./fixtures/shutdown-child.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, cluster.namesrvAddr, topic], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve(-1);
    }, 30_000);
    child.on('exit', (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  assert.equal(code, 0, `child did not exit cleanly (code ${String(code)}): ${err}`);
  const line = out.trim().split('\n').pop() ?? '';
  const report = JSON.parse(line) as { status: string; resources: string[] };
  assert.equal(report.status, 'SEND_OK');
  assert.ok(!report.resources.includes('Timeout'), `timers left: ${report.resources.join(',')}`);
  assert.ok(!report.resources.includes('TCPSocketWrap'), `sockets left: ${report.resources.join(',')}`);
});
