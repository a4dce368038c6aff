/**
 * The producer's durable local spool: sends while the only broker is down
 * resolve SPOOLED, survive in the spool directory, and arrive in order once a
 * broker accepts again.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { Producer } from '../../src/client/index.js';
import { decodeStoredMessage } from '../../src/common/index.js';
import { startCluster, waitFor } from '../support/cluster.js';
import { tempDir } from '../support/temp-dir.js';

test('sends spool while no broker accepts and drain in order when one returns', async (t) => {
  const cluster = await startCluster(t);
  await cluster.createTopic('Spooled', 1);
  const spoolDir = tempDir(t, 'orbitmq-spool-');
  const producer = new Producer({
    namesrvAddr: cluster.namesrvAddr, group: 'PG_spool', instanceName: `spool-${process.pid}`,
    spoolDir, spoolDrainIntervalMs: 100, sendTimeoutMs: 1000, retryTimesWhenSendFailed: 0,
  });
  await producer.start();
  cluster.track(() => producer.shutdown());
  assert.equal((await producer.send({ topic: 'Spooled', body: 'before' })).status, 'SEND_OK');

  const broker = cluster.brokers[0];
  assert.ok(broker);
  const dir = broker.storeConfig.storePathRootDir;
  const port = broker.address().port;
  await broker.close();
  cluster.brokers.splice(0, 1);
  // Hold the freed port while the broker is away (a dead broker: every connection is reset), so that no
  // server of a test running in parallel can take it and answer the spooled sends with something else.
  const holder = createServer((socket) => socket.destroy());
  holder.listen(port, '127.0.0.1');
  await once(holder, 'listening');
  const statuses: string[] = [];
  for (let i = 0; i < 5; i++) statuses.push((await producer.send({ topic: 'Spooled', body: `during-${i}` })).status);
  assert.deepEqual(statuses, ['SPOOLED', 'SPOOLED', 'SPOOLED', 'SPOOLED', 'SPOOLED']);

  await new Promise((resolve) => holder.close(resolve));
  const back = await cluster.startBroker('broker-a', dir, { listenPort: port });
  const bodies = (): string[] => {
    const got = back.context.store.getMessage('Spooled', 0, 0, { maxMsgNums: 100, maxTotalBytes: 1 << 20 });
    return got.messages.map((m) => decodeStoredMessage(m).body.toString());
  };
  await waitFor(() => bodies().length === 6, { timeoutMs: 15_000, what: 'the spooled messages' });
  assert.deepEqual(bodies(), ['before', 'during-0', 'during-1', 'during-2', 'during-3', 'during-4']);
  // The store has the last spooled message before the producer has its acknowledgement and empties the
  // spool; a send in between joins the spool to keep the order. Either way it arrives, after the others.
  assert.match((await producer.send({ topic: 'Spooled', body: 'after' })).status, /^(SEND_OK|SPOOLED)$/);
  await waitFor(() => bodies().length === 7, { timeoutMs: 15_000, what: 'the message sent after the drain' });
  assert.deepEqual(bodies(), ['before', 'during-0', 'during-1', 'during-2', 'during-3', 'during-4', 'after']);
});
