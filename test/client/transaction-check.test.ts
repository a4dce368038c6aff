/** The broker checks back an UNKNOWN half message; the TransactionProducer's checkListener commits it. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TransactionProducer, type MessageExt } from '../../src/index.js';
import { startCluster, waitFor } from '../support/cluster.js';
import { inspector, pullAll, unique } from './helpers.js';

test('check-back: UNKNOWN locally, COMMIT from the check listener', { timeout: 60_000 }, async (t) => {
  const cluster = await startCluster(t, { broker: { transactionTimeOut: 0, transactionCheckInterval: 200 } });
  const topic = unique('T_txcheck');
  await cluster.createTopic(topic, 1);
  const checked: MessageExt[] = [];
  const tp = new TransactionProducer({
    namesrvAddr: cluster.namesrvAddr, group: unique('txc'), instanceName: unique('txc'),
    checkListener: (m) => {
      checked.push(m);
      return 'COMMIT';
    },
  });
  cluster.track(() => tp.shutdown());
  await tp.start();
  const r = await tp.sendInTransaction({ topic, body: 'decide-later', keys: 'k' }, () => 'UNKNOWN');
  assert.equal(r.localTransactionState, 'UNKNOWN');
  const inst = inspector({ after: (fn) => cluster.track(fn) }, cluster.namesrvAddr);
  const addr = cluster.brokers[0]?.brokerAddr ?? '';
  const msgs = await waitFor(async () => {
    const all = await pullAll(inst, addr, 'broker-a', topic, 0);
    return all.length > 0 ? all : undefined;
  }, { timeoutMs: 30_000, what: 'the checked-back message' });
  assert.equal(msgs[0]?.body.toString(), 'decide-later');
  assert.ok(checked.length >= 1);
  assert.equal(checked[0]?.msgId, r.msgId);
});
