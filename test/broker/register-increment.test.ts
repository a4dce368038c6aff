/**
 * A created or changed topic reaches the name servers alone, not with the
 * whole topic table (BrokerController.registerIncrementBrokerData): a broker
 * with thousands of topics sent its full table per creation before, which
 * made creating n topics cost O(n²). The broker registers with a real name
 * server and with a recording one (a remoting server answering
 * REGISTER_BROKER) so both the bodies and their effect are checked.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { AdminClient } from '../../src/client/admin/index.js';
import { noopLogger } from '../../src/common/index.js';
import { decodeRegisterBrokerBody } from '../../src/namesrv/register-broker-body.js';
import { RequestCode, ResponseCode, createResponseFor, parseRocketMQJson, type JsonValue } from '../../src/protocol/index.js';
import { RemotingClient, RemotingServer, resolveRemotingClientConfig, resolveRemotingServerConfig } from '../../src/remoting/index.js';
import { startCluster, waitFor } from '../support/cluster.js';
import { routeRequest } from '../support/raw-socket.js';

interface Registration {
  readonly topics: string[];
  readonly counter: number;
}

async function recordingNamesrv(t: TestContext): Promise<{ addr: string; registrations: Registration[] }> {
  const registrations: Registration[] = [];
  const server = new RemotingServer(resolveRemotingServerConfig({ host: '127.0.0.1', port: 0 }), { logger: noopLogger });
  server.registerProcessor(RequestCode.REGISTER_BROKER, (req) => {
    const body = decodeRegisterBrokerBody(req.body ?? Buffer.alloc(0), false);
    const w = body.topicConfigSerializeWrapper;
    registrations.push({ topics: [...w.topicConfigTable.keys()].sort(), counter: w.dataVersion.counter });
    return createResponseFor(req, ResponseCode.SUCCESS);
  });
  server.registerProcessor(RequestCode.UNREGISTER_BROKER, (req) => createResponseFor(req, ResponseCode.SUCCESS));
  await server.start();
  t.after(() => server.close({ graceMs: 0 }));
  return { addr: `127.0.0.1:${server.address().port}`, registrations };
}

/** The perm of `topic`'s queue data on the name server, or undefined when it has no route. */
async function routedPerm(client: RemotingClient, ns: string, topic: string): Promise<number | undefined> {
  const res = await client.invoke(ns, routeRequest(topic), 5_000);
  if (res.code !== ResponseCode.SUCCESS) return undefined;
  const route: JsonValue = parseRocketMQJson(res.body?.toString('utf8') ?? '{}');
  if (typeof route !== 'object' || route === null || Array.isArray(route)) return undefined;
  const qds = route.queueDatas;
  const first = Array.isArray(qds) ? qds[0] : undefined;
  if (typeof first !== 'object' || first === null || Array.isArray(first)) return undefined;
  return typeof first.perm === 'number' ? first.perm : undefined;
}

void test('created and changed topics are registered alone; the name server keeps the rest; a full round still sends all', { timeout: 60_000 }, async (t) => {
  const rec = await recordingNamesrv(t);
  const cluster = await startCluster(t, { brokers: 0 });
  const real = cluster.namesrvAddr;
  const broker = await cluster.startBroker('broker-a', undefined, { namesrvAddr: `${real};${rec.addr}` });
  const client = new RemotingClient(resolveRemotingClientConfig({}), { logger: noopLogger });
  const admin = new AdminClient({ namesrvAddr: real });
  cluster.track(() => client.close());
  cluster.track(() => admin.close());

  // Start-up: one full registration (the system topics).
  await waitFor(() => rec.registrations.length >= 1);
  const initial = rec.registrations[0];
  assert.ok(initial !== undefined && initial.topics.includes('TBW102') && initial.topics.includes('broker-a'), JSON.stringify(initial));
  const afterStart = rec.registrations.length;

  // 40 topics created at once: each lands alone or with others created during a round, never with the table.
  const names = Array.from({ length: 40 }, (_, i) => `IncT_${i}`);
  await Promise.all(names.map((topic) => admin.createTopic(broker.brokerAddr, { topic, readQueueNums: 2, writeQueueNums: 2, perm: 6 })));
  await waitFor(() => rec.registrations.slice(afterStart).flatMap((r) => r.topics).length >= names.length, { what: 'increments' });
  const increments = rec.registrations.slice(afterStart);
  const sent = increments.flatMap((r) => r.topics);
  assert.deepEqual([...sent].sort(), [...names].sort(), 'every created topic sent exactly once, nothing else');
  for (let i = 1; i < increments.length; i++) {
    assert.ok((increments[i]?.counter ?? 0) > (increments[i - 1]?.counter ?? 0), 'each round carries a newer data version');
  }
  assert.equal(increments.at(-1)?.counter, broker.context.topics.dataVersion.counter, 'the last round carries the latest data version');

  // The real name server applied every increment and kept the topics it had.
  for (const topic of [...names, 'TBW102', 'broker-a']) {
    await waitFor(() => routedPerm(client, real, topic), { what: `route of ${topic}` });
  }

  // A changed topic (read-only now) goes alone too, and the name server takes the change.
  const before = rec.registrations.length;
  await admin.createTopic(broker.brokerAddr, { topic: 'IncT_3', readQueueNums: 2, writeQueueNums: 2, perm: 4 });
  await waitFor(async () => (await routedPerm(client, real, 'IncT_3')) === 4, { what: 'perm change routed' });
  await waitFor(() => rec.registrations.length > before);
  assert.deepEqual(rec.registrations.at(-1)?.topics, ['IncT_3']);
  assert.equal(await routedPerm(client, real, 'IncT_4'), 6);

  // The periodic round (and start-up) still sends the whole table.
  await broker.registerBrokerAll();
  const full = rec.registrations.at(-1);
  assert.ok(full !== undefined);
  for (const topic of [...names, 'TBW102', 'broker-a']) assert.ok(full.topics.includes(topic), topic);
});
