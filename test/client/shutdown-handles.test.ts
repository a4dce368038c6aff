/** After shutdown no timer or socket of the SDK keeps the process alive: a child process exits on its own. */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { runChildToExit } from '../support/child-exit.js';
import { startCluster } from '../support/cluster.js';
import { unique } from './helpers.js';

test('a process that used a producer exits by itself after shutdown', { timeout: 60_000 }, async (t) => {
  const cluster = await startCluster(t);
  const topic = unique('T_exit');
  await cluster.createTopic(topic, 2);
  const script = fileURLToPath(new URL('./fixtures/shutdown-child.ts', import.meta.url));
  const { code, stderr, report: raw } = await runChildToExit(['--import', 'tsx', script, cluster.namesrvAddr, topic]);
  assert.equal(code, 0, `child did not exit cleanly (code ${String(code)}): ${stderr}`);
  const report = raw as { status: string; resources: string[] };
  assert.equal(report.status, 'SEND_OK');
  assert.ok(!report.resources.includes('Timeout'), `timers left: ${report.resources.join(',')}`);
  assert.ok(!report.resources.includes('TCPSocketWrap'), `sockets left: ${report.resources.join(',')}`);
});
