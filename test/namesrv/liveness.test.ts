import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RequestCode, ResponseCode } from '../../src/protocol/index.js';
import { ManualClock, at, call, getRoute, json, newClient, registerBroker, startNamesrv, waitFor } from './support.js';

const MASTER = '127.0.0.1:10911';

void test('a broker silent for brokerChannelExpiredTime is evicted and its channel closed', async (t) => {
  const clock = new ManualClock();
  const { server, addr } = await startNamesrv(t, { brokerChannelExpiredTime: 1_000, scanIntervalMs: 10 }, clock);
  const broker = newClient(t);
  await registerBroker(broker, addr, { brokerName: 'a', brokerAddr: MASTER, brokerId: 0, topics: [{ name: 'T' }] });
  const channel = await broker.getChannel(addr);
  clock.time += 1_000;
  assert.equal(server.scanNotActiveBroker(), 0, 'exactly at the limit it is still alive');
  // Re-registering (the 30 s heartbeat) or an unchanged QUERY_DATA_VERSION keeps it alive.
  clock.time += 900;
  await call(broker, addr, RequestCode.QUERY_DATA_VERSION,
    { brokerName: 'a', brokerAddr: MASTER, clusterName: 'DefaultCluster', brokerId: '0' },
    { body: Buffer.from('{"counter":1,"timestamp":1}') });
  clock.time += 900;
  assert.equal(server.scanNotActiveBroker(), 0);
  assert.equal((await getRoute(broker, addr, 'T')).code, ResponseCode.SUCCESS);

  clock.time += 200;
  // The periodic scan (every 10 ms) does the eviction.
  await waitFor(() => server.routeInfoManager.liveBrokerAddrs().length === 0, 2000, 'eviction');
  await waitFor(() => !channel.isOpen, 2000, 'namesrv closes the expired channel');
  const client = newClient(t);
  assert.equal((await getRoute(client, addr, 'T')).code, ResponseCode.TOPIC_NOT_EXIST);
  assert.deepEqual(json(await call(client, addr, RequestCode.GET_BROKER_CLUSTER_INFO)), { brokerAddrTable: {}, clusterAddrTable: {} });
});

void test('closing the broker channel removes the broker registered on it', async (t) => {
  const { server, addr } = await startNamesrv(t);
  const master = newClient(t);
  const slave = newClient(t);
  await registerBroker(master, addr, { brokerName: 'a', brokerAddr: MASTER, brokerId: 0, topics: [{ name: 'T' }] });
  await registerBroker(slave, addr, { brokerName: 'a', brokerAddr: '127.0.0.1:20911', brokerId: 1 });
  master.closeChannel(addr);
  await waitFor(() => server.routeInfoManager.liveBrokerAddrs().length === 1, 2000, 'master removed');
  const reader = newClient(t);
  const route = await getRoute(reader, addr, 'T');
  assert.equal(route.code, ResponseCode.SUCCESS, 'the set still has its slave');
  assert.deepEqual(at(json(route), 'brokerDatas', 0, 'brokerAddrs'), { 1: '127.0.0.1:20911' });
  slave.closeChannel(addr);
  await waitFor(() => server.routeInfoManager.liveBrokerAddrs().length === 0, 2000, 'slave removed');
  assert.equal((await getRoute(reader, addr, 'T')).code, ResponseCode.TOPIC_NOT_EXIST);
  // A client that never registered closing its channel changes nothing.
  await registerBroker(slave, addr, { brokerName: 'b', brokerAddr: MASTER, brokerId: 0, topics: [{ name: 'U' }] });
  reader.closeChannel(addr);
  await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(server.routeInfoManager.liveBrokerAddrs(), [MASTER]);
});

void test('two name servers each hold the registrations sent to them', async (t) => {
  const ns1 = await startNamesrv(t);
  const ns2 = await startNamesrv(t);
  const broker = newClient(t);
  // Brokers register with every name server; name servers never talk to each other.
  for (const { addr } of [ns1, ns2]) {
    await registerBroker(broker, addr, { brokerName: 'a', brokerAddr: MASTER, brokerId: 0, topics: [{ name: 'Shared' }] });
  }
  await registerBroker(broker, ns2.addr, { brokerName: 'b', brokerAddr: '127.0.0.1:30911', brokerId: 0, topics: [{ name: 'OnlyTwo' }] });
  const client = newClient(t);
  assert.equal((await getRoute(client, ns1.addr, 'OnlyTwo')).code, ResponseCode.TOPIC_NOT_EXIST);
  assert.equal((await getRoute(client, ns2.addr, 'OnlyTwo')).code, ResponseCode.SUCCESS);
  await call(broker, ns1.addr, RequestCode.UNREGISTER_BROKER,
    { brokerName: 'a', brokerAddr: MASTER, clusterName: 'DefaultCluster', brokerId: '0' });
  assert.equal((await getRoute(client, ns1.addr, 'Shared')).code, ResponseCode.TOPIC_NOT_EXIST);
  assert.equal((await getRoute(client, ns2.addr, 'Shared')).code, ResponseCode.SUCCESS);
  // Stopping one leaves the other serving.
  await ns1.server.close({ graceMs: 0 });
  await ns1.server.close();
  assert.deepEqual(at(json(await call(client, ns2.addr, RequestCode.GET_BROKER_CLUSTER_INFO)), 'clusterAddrTable'), { DefaultCluster: ['a', 'b'] });
});
