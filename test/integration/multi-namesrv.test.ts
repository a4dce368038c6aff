/**
 * Two name servers, two brokers (startCluster): every broker registers with
 * every name server (BrokerOuterAPI.registerBrokerAll sends to each address in
 * namesrvAddr), so each name server alone answers a complete route; a
 * gracefully closed broker unregisters from both (unregisterBrokerAll).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { noopLogger } from '../../src/common/index.js';
import { ResponseCode, RequestCode, createRequest } from '../../src/protocol/index.js';
import { RemotingClient, resolveRemotingClientConfig } from '../../src/remoting/index.js';
import { startCluster, waitFor } from '../support/cluster.js';
import { routeBrokerAddrs, routeRequest } from '../support/raw-socket.js';

let seq = 0;
const unique = (p: string): string => `${p}_${process.pid}_${Date.now()}_${seq++}`;

interface QueueData {
  brokerName: string;
  writeQueueNums: number;
}

function queueDatas(body: Buffer | undefined): QueueData[] {
  const parsed: unknown = JSON.parse(body?.toString('utf8') ?? '{}');
  if (typeof parsed !== 'object' || parsed === null || !('queueDatas' in parsed) || !Array.isArray(parsed.queueDatas)) return [];
  const out: QueueData[] = [];
  for (const q of parsed.queueDatas as unknown[]) {
    if (typeof q !== 'object' || q === null || !('brokerName' in q) || !('writeQueueNums' in q)) continue;
    if (typeof q.brokerName === 'string' && typeof q.writeQueueNums === 'number') out.push({ brokerName: q.brokerName, writeQueueNums: q.writeQueueNums });
  }
  return out.sort((a, b) => a.brokerName.localeCompare(b.brokerName));
}

void test('each of two name servers routes a topic to both brokers; a closed broker is dropped by both', { timeout: 60_000 }, async (t) => {
  const cluster = await startCluster(t, { namesrvs: 2, brokers: 2 });
  const client = new RemotingClient(resolveRemotingClientConfig({}), { logger: noopLogger });
  cluster.track(() => client.close());
  const nsAddrs = cluster.namesrvAddr.split(';');
  assert.equal(nsAddrs.length, 2);
  assert.notEqual(nsAddrs[0], nsAddrs[1]);
  const [a, b] = cluster.brokers;
  assert.ok(a !== undefined && b !== undefined);
  const both = [a.brokerAddr, b.brokerAddr].sort();

  const topic = unique('Multi');
  await cluster.createTopic(topic, 3);

  const route = async (ns: string, tp: string): Promise<{ code: number; addrs: string[]; queues: QueueData[] }> => {
    const r = await client.invoke(ns, routeRequest(tp), 5000);
    return { code: r.code, addrs: r.code === ResponseCode.SUCCESS ? routeBrokerAddrs(r) : [], queues: queueDatas(r.body) };
  };

  for (const ns of nsAddrs) {
    const r = await waitFor(async () => {
      const x = await route(ns, topic);
      return x.addrs.length === 2 ? x : undefined;
    }, { timeoutMs: 10_000, what: `route of ${topic} on ${ns}` });
    assert.equal(r.code, ResponseCode.SUCCESS);
    assert.deepEqual(r.addrs, both, `name server ${ns} lists both brokers`);
    assert.deepEqual(r.queues, [
      { brokerName: 'broker-a', writeQueueNums: 3 },
      { brokerName: 'broker-b', writeQueueNums: 3 },
    ]);
    // Cluster info agrees on both name servers.
    const info = await client.invoke(ns, createRequest(RequestCode.GET_BROKER_CLUSTER_INFO), 5000);
    assert.equal(info.code, ResponseCode.SUCCESS);
    const clusters: unknown = JSON.parse(info.body?.toString('utf8') ?? '{}');
    assert.deepEqual((clusters as { clusterAddrTable?: unknown }).clusterAddrTable, { DefaultCluster: ['broker-a', 'broker-b'] });
  }

  // Graceful close unregisters broker-b from every name server, at once (no 120 s expiry).
  await b.close();
  for (const ns of nsAddrs) {
    const r = await waitFor(async () => {
      const x = await route(ns, topic);
      return x.addrs.length === 1 ? x : undefined;
    }, { timeoutMs: 5000, what: `broker-b dropped by ${ns}` });
    assert.deepEqual(r.addrs, [a.brokerAddr]);
    assert.deepEqual(r.queues, [{ brokerName: 'broker-a', writeQueueNums: 3 }]);
    // broker-b's own topic is gone too.
    const own = await route(ns, 'broker-b');
    assert.equal(own.code, ResponseCode.TOPIC_NOT_EXIST, `broker-b topic on ${ns}`);
  }
});
