/**
 * Transactional messages end to end, SDK TransactionProducer against the
 * broker: commit, rollback, an UNKNOWN outcome resolved by the check-back,
 * and a producer killed before it commits resolved through another live
 * producer of its group.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, test } from 'node:test';
import { TransactionProducer } from '../../src/client/index.js';
import type { LocalTransactionState } from '../../src/client/index.js';
import { decodeStoredMessage } from '../../src/common/index.js';
import { startCluster, waitFor } from '../support/cluster.js';
import type { TestCluster } from '../support/cluster.js';

const CHILD = new URL('./fixtures/tx-child.ts', import.meta.url).pathname;
let instance = 0;

/** Bodies stored in `topic` on the first broker, over all its queues. */
function bodies(cluster: TestCluster, topic: string): string[] {
  const store = cluster.brokers[0]?.context.store;
  if (store === undefined) return [];
  const out: string[] = [];
  for (const q of store.queueIds(topic)) {
    const got = store.getMessage(topic, q, store.getMinOffsetInQueue(topic, q), { maxMsgNums: 1000, maxTotalBytes: 1 << 24 });
    for (const rec of got.messages) out.push(decodeStoredMessage(rec).body.toString());
  }
  return out.sort();
}

async function txProducer(cluster: TestCluster, group: string, check: (body: string) => LocalTransactionState): Promise<TransactionProducer> {
  const p = new TransactionProducer({
    namesrvAddr: cluster.namesrvAddr,
    heartbeatBrokerIntervalMs: 300,
    group,
    instanceName: `tx-${process.pid}-${instance++}`,
    checkListener: (m) => check(m.body.toString()),
  });
  await p.start();
  cluster.track(() => p.shutdown());
  return p;
}

describe('transactions', { timeout: 120_000 }, () => {
  test('commit makes the message visible once; rollback never', async (t) => {
    const cluster = await startCluster(t, { broker: { transactionTimeOut: 300, transactionCheckInterval: 100 } });
    await cluster.createTopic('Tx', 2);
    const p = await txProducer(cluster, 'PG_tx', () => 'UNKNOWN');
    const c = await p.sendInTransaction({ topic: 'Tx', body: 'committed' }, () => 'COMMIT');
    assert.equal(c.localTransactionState, 'COMMIT');
    const r = await p.sendInTransaction({ topic: 'Tx', body: 'rolled-back' }, () => 'ROLLBACK');
    assert.equal(r.localTransactionState, 'ROLLBACK');
    await waitFor(() => bodies(cluster, 'Tx').length === 1, { what: 'the committed message' });
    // Give the check task several rounds: nothing else may appear.
    await new Promise((res) => setTimeout(res, 1000));
    assert.deepEqual(bodies(cluster, 'Tx'), ['committed']);
  });

  test('an UNKNOWN outcome is resolved by the broker checking back with the producer', async (t) => {
    const cluster = await startCluster(t, { broker: { transactionTimeOut: 300, transactionCheckInterval: 100 } });
    await cluster.createTopic('TxCheck', 2);
    const checked: string[] = [];
    const p = await txProducer(cluster, 'PG_check', (body) => {
      checked.push(body);
      return body === 'commit-me' ? 'COMMIT' : 'ROLLBACK';
    });
    await p.sendInTransaction({ topic: 'TxCheck', body: 'commit-me' }, () => 'UNKNOWN');
    await p.sendInTransaction({ topic: 'TxCheck', body: 'drop-me' }, () => 'UNKNOWN');
    await waitFor(() => bodies(cluster, 'TxCheck').length === 1 && checked.length >= 2, { timeoutMs: 15_000, what: 'the check-back' });
    await new Promise((res) => setTimeout(res, 800));
    assert.deepEqual(bodies(cluster, 'TxCheck'), ['commit-me']);
    assert.deepEqual([...new Set(checked)].sort(), ['commit-me', 'drop-me']);
  });

  test('a producer killed before it commits: another producer of the group resolves the half', async (t) => {
    const cluster = await startCluster(t, { broker: { transactionTimeOut: 500, transactionCheckInterval: 100 } });
    await cluster.createTopic('TxDead', 2);
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, cluster.namesrvAddr, 'TxDead', 'PG_dead'], { stdio: ['ignore', 'pipe', 'inherit'] });
    t.after(() => {
      child.kill('SIGKILL');
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => (out += d));
    await waitFor(() => out.includes('half '), { timeoutMs: 30_000, what: 'the half message' });
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
    assert.deepEqual(bodies(cluster, 'TxDead'), [], 'nothing visible before the transaction is resolved');
    const survivor = await txProducer(cluster, 'PG_dead', (body) => (body === 'from-the-dead-producer' ? 'COMMIT' : 'ROLLBACK'));
    void survivor;
    await waitFor(() => bodies(cluster, 'TxDead').length === 1, { timeoutMs: 15_000, what: 'the check-back through the survivor' });
    assert.deepEqual(bodies(cluster, 'TxDead'), ['from-the-dead-producer']);
  });

  test('a half message survives a broker restart and is resolved by the check-back afterwards', async (t) => {
    const cluster = await startCluster(t, { broker: { transactionTimeOut: 500, transactionCheckInterval: 100 } });
    await cluster.createTopic('TxRestart', 2);
    const decided: string[] = [];
    const p = await txProducer(cluster, 'PG_restart', (body) => {
      decided.push(body);
      return 'COMMIT';
    });
    await p.sendInTransaction({ topic: 'TxRestart', body: 'survives' }, () => 'UNKNOWN');
    const old = cluster.brokers[0];
    assert.ok(old);
    const dir = old.storeConfig.storePathRootDir;
    const name = old.config.brokerName;
    const port = old.address().port;
    await old.close();
    cluster.brokers.splice(0, 1);
    // Same address, as a restarted broker has: the producer reconnects with its next heartbeat.
    await cluster.startBroker(name, dir, { listenPort: port });
    await waitFor(() => bodies(cluster, 'TxRestart').length === 1, { timeoutMs: 20_000, what: 'the check-back after the restart' });
    assert.deepEqual(bodies(cluster, 'TxRestart'), ['survives']);
    assert.ok(decided.includes('survives'));
  });
});
