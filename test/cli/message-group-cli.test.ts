/**
 * `orbit message …`, `group …`, `consumer connections` and `offset reset`,
 * each run as a subprocess against one in-process broker. A consumer client
 * in this process (a registered MQClientInstance) provides the online
 * connection and receives RESET_CONSUMER_CLIENT_OFFSET.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MQClientInstance, buildSubscriptionData, type ConsumerHandle, type MessageQueue } from '../../src/client/index.js';
import { startCluster, waitFor } from '../support/cluster.js';
import { arr, assertError, orbit, orbitHuman, orbitJson, rec } from './support.js';

test('orbit message, group, consumer and offset commands', async (t) => {
  const c = await startCluster(t);
  const ns = ['-n', c.namesrvAddr];
  const topic = `CliMsg_${process.pid}`;
  const group = `CliGroup_${process.pid}`;
  await c.createTopic(topic, 4);
  const brokerAddr = c.brokers[0]?.brokerAddr ?? '';

  const single = rec(rec(await orbitJson(['message', 'send', '-t', topic, '--body', 'hello cli', '--tags', 'TagA', '--keys', 'order-1', ...ns])));
  const first = rec(arr(single.results)[0]);

  await t.test('message send: one, many, human and --json', async () => {
    assert.equal(single.sent, 1);
    assert.equal(first.status, 'SEND_OK');
    const [h, many] = await Promise.all([
      orbitHuman(['message', 'send', '-t', topic, '--body', 'second', ...ns]),
      orbitJson(['message', 'send', '-t', topic, '--size', '64', '--count', '20', '--keys', 'load-{i}', ...ns]),
    ]);
    assert.match(h.stdout, /status:\s+SEND_OK\nmsgId:\s+[0-9A-F]{32}/);
    assert.equal(many.sent, 20);
    assert.equal(many.failed, 0);
    assert.equal(arr(many.results).length, 20);
    assert.ok(typeof many.messagesPerSecond === 'number');
    const sum = await orbitHuman(['message', 'send', '-t', topic, '--body', 'x', '--count', '3', ...ns]);
    assert.match(sum.stdout, /sent:\s+3 of 3\nfailed:\s+0\nelapsed:.*\nthroughput:\s+[\d.]+ msg\/s/);
  });

  await t.test('message get by offset id and by client id', async () => {
    const [byOffset, byOffsetJson, byUniq, unknownId, notHex] = await Promise.all([
      orbitHuman(['message', 'get', String(first.offsetMsgId), ...ns]),
      orbitJson(['message', 'get', String(first.offsetMsgId), ...ns]),
      orbitJson(['message', 'get', String(first.msgId), '-t', topic, ...ns]),
      orbit(['message', 'get', String(first.msgId).replace(/.$/, (d) => (d === '0' ? '1' : '0')), '-t', topic, ...ns]),
      orbit(['message', 'get', 'xyz', ...ns]),
    ]);
    assert.match(byOffset.stdout, /tags:\s+TagA/);
    assert.match(byOffset.stdout, /keys:\s+order-1/);
    assert.match(byOffset.stdout, /body \(utf8\):\nhello cli/);
    const m = rec(byOffsetJson.message);
    assert.equal(m.body, 'hello cli');
    assert.equal(m.topic, topic);
    assert.equal(rec(byUniq.message).offsetMsgId, first.offsetMsgId);
    assertError(unknownId, 2, /not found/);
    assertError(notHex, 64, /is not a message id/);
  });

  await t.test('message query by key', async () => {
    const [h, j, none] = await Promise.all([
      orbitHuman(['message', 'query', '-t', topic, '-k', 'order-1', ...ns]),
      orbitJson(['message', 'query', '-t', topic, '-k', 'load-7', ...ns]),
      orbit(['message', 'query', '-t', topic, '-k', 'no-such-key', ...ns]),
    ]);
    assert.match(h.stdout, /hello cli/);
    assert.equal(arr(j.messages).length, 1);
    assert.deepEqual(rec(arr(j.messages)[0]).keys, ['load-7']);
    assertError(none, 2, /no message with key no-such-key/);
  });

  await t.test('message tail', async () => {
    const [h, j, short] = await Promise.all([
      orbitHuman(['message', 'tail', '-t', topic, '--from-beginning', '--count', '3', '--timeout', '15', ...ns]),
      orbitJson(['message', 'tail', '-t', topic, '--from-beginning', '--count', '25', '--timeout', '15', ...ns]),
      orbit(['message', 'tail', '-t', topic, '--count', '1', '--timeout', '1', ...ns]),
    ]);
    assert.equal(h.stdout.trim().split('\n').length, 3);
    assert.match(h.stdout, /^\d{4}-\d\d-\d\dT\S+ broker-a#\d@\d+ [0-9A-F]{32} /m);
    assert.match(h.stderr, /3 message\(s\)/);
    assert.equal(j.count, 25);
    assert.equal(arr(j.messages).length, 25);
    assert.equal(short.code, 1, 'fewer than --count before --timeout');
    assert.match(short.stderr, /0 message\(s\) of 1 before the timeout/);
  });

  await t.test('group create and list', async () => {
    const h = await orbitHuman(['group', 'create', '-g', group, '--retry-max-times', '3', ...ns]);
    assert.match(h.stdout, new RegExp(`group ${group} created or updated on broker-a`));
    const [l, lj] = await Promise.all([orbitHuman(['group', 'list', ...ns]), orbitJson(['group', 'list', ...ns])]);
    assert.match(l.stdout, new RegExp(`${group}\\s+broker-a\\s+true\\s+true\\s+1\\s+3`));
    const g = arr(lj.groups).find((x) => x.groupName === group);
    assert.equal(g?.retryMaxTimes, 3);
    assertError(await orbit(['group', 'create', '-g', 'bad group', ...ns]), 64, /bad group name/);
  });

  // An online consumer of the group that commits offsets and records resets.
  const resets: ReadonlyMap<MessageQueue, number>[] = [];
  const client = new MQClientInstance({ namesrvAddr: c.namesrvAddr, instanceName: 'cli-test-consumer' });
  c.track(() => client.shutdown());
  const handle: ConsumerHandle = {
    heartbeatData: () => ({
      groupName: group, consumeType: 'CONSUME_PASSIVELY', messageModel: 'CLUSTERING', consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET',
      subscriptionDataSet: [buildSubscriptionData(topic, 'TagA || TagB')], unitMode: false,
    }),
    onConsumerIdsChanged: () => undefined,
    resetOffset: (tp, offsets) => void (tp === topic && resets.push(offsets)),
  };
  client.registerConsumer(group, handle);
  client.start();
  await client.updateTopicRoute(topic);
  await client.sendHeartbeatNow();
  for (let q = 0; q < 4; q++) {
    const max = await client.api.getMaxOffset(brokerAddr, topic, q);
    await client.api.updateConsumerOffset(brokerAddr, { consumerGroup: group, topic, queueId: q, commitOffset: Math.max(0, max - 1) });
  }

  await t.test('consumer connections', async () => {
    const [h, j, none] = await Promise.all([
      orbitHuman(['consumer', 'connections', '-g', group, ...ns]),
      orbitJson(['consumer', 'connections', '-g', group, ...ns]),
      orbit(['consumer', 'connections', '-g', 'NobodyHere', ...ns]),
    ]);
    assert.match(h.stdout, /CLIENT ID\s+ADDRESS\s+LANGUAGE\s+VERSION/);
    assert.match(h.stdout, new RegExp(`${client.clientId.replace(/[.#]/g, '\\$&')}`));
    assert.match(h.stdout, new RegExp(`${topic}\\s+TagA \\|\\| TagB`));
    assert.equal(arr(j.connections).length, 1);
    assert.equal(j.messageModel, 'CLUSTERING');
    assertError(none, 2, /consumer group NobodyHere is not online on any broker/);
  });

  await t.test('group progress', async () => {
    const [h, j, none] = await Promise.all([
      orbitHuman(['group', 'progress', '-g', group, ...ns]),
      orbitJson(['group', 'progress', '-g', group, '-t', topic, ...ns]),
      orbit(['group', 'progress', '-g', 'NoProgressGroup', ...ns]),
    ]);
    assert.match(h.stdout, /TOPIC\s+BROKER\s+QUEUE\s+BROKER OFFSET\s+CONSUMER OFFSET\s+LAG\s+LAST CONSUMED/);
    assert.match(h.stdout, /total lag:\s+4/);
    const queues = arr(j.queues);
    assert.equal(queues.length, 4);
    for (const q of queues) assert.equal(q.lag, 1);
    assert.equal(rec(j.totals).lag, 4);
    assertError(none, 2, /consumer group NoProgressGroup has no consume progress/);
  });

  await t.test('offset reset', async () => {
    const j = await orbitJson(['offset', 'reset', '-g', group, '-t', topic, '--time', 'earliest', ...ns]);
    const queues = arr(j.queues);
    assert.equal(queues.length, 4);
    for (const q of queues) assert.equal(q.offset, 0);
    await waitFor(() => resets.length > 0, { what: 'RESET_CONSUMER_CLIENT_OFFSET at the client' });
    assert.deepEqual([...(resets[0]?.values() ?? [])], [0, 0, 0, 0]);
    const p = await orbitJson(['group', 'progress', '-g', group, '-t', topic, ...ns]);
    for (const q of arr(p.queues)) assert.equal(q.consumerOffset, 0);
    const h = await orbitHuman(['offset', 'reset', '-g', group, '-t', topic, '--time', new Date(Date.now() + 60_000).toISOString(), ...ns]);
    assert.match(h.stdout, new RegExp(`group ${group} on ${topic} reset to .* \\(4 queues\\)`));
    const [badTime, noTopic, noGroup] = await Promise.all([
      orbit(['offset', 'reset', '-g', group, '-t', topic, '--time', 'yesterday-ish', ...ns]),
      orbit(['offset', 'reset', '-g', group, '-t', 'NoSuchTopic', '--time', 'now', ...ns]),
      orbit(['offset', 'reset', '-g', 'NeverSeen', '-t', topic, '--time', 'now', ...ns]),
    ]);
    assertError(badTime, 64, /--time must be epoch milliseconds, an ISO-8601 date/);
    assertError(noTopic, 2, /topic NoSuchTopic does not exist on any broker/);
    assertError(noGroup, 2, /consumer group NeverSeen does not exist/);
  });

  await t.test('message send to an unknown topic', async () => {
    assertError(await orbit(['message', 'send', '-t', 'NoSuchTopic', '--body', 'x', ...ns]), 2, /topic NoSuchTopic does not exist on any broker/);
    assertError(await orbit(['message', 'send', '-t', topic, ...ns]), 64, /give --body TEXT or --size BYTES/);
  });
});
