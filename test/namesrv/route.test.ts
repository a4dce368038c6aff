import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MQVersion, NamesrvAdminRequestCode, RequestCode, ResponseCode, type RemotingCommand,
} from '../../src/protocol/index.js';
import { encodeRegisterBrokerBody, type TopicConfig } from '../../src/namesrv/index.js';
import { at, call, getRoute, json, newClient, registerBroker, startNamesrv } from './support.js';

const MASTER = '127.0.0.1:10911';
const SLAVE = '127.0.0.1:20911';

void test('master + slave registration, route, cluster info, topic list', async (t) => {
  const { addr } = await startNamesrv(t);
  const client = newClient(t);
  const master = await registerBroker(client, addr, {
    brokerName: 'broker-a', brokerAddr: MASTER, brokerId: 0, haServerAddr: '127.0.0.1:10912',
    topics: [{ name: 'TopicA', queues: 4 }, { name: 'TopicB' }],
  });
  assert.equal(master.code, ResponseCode.SUCCESS);
  assert.equal(master.extFields.masterAddr, undefined, 'a master learns no master');
  assert.equal(master.body, undefined, 'no ORDER_TOPIC_CONFIG yet');

  const slave = await registerBroker(client, addr, {
    brokerName: 'broker-a', brokerAddr: SLAVE, brokerId: 1, topics: [{ name: 'SlaveOnly' }],
  });
  assert.equal(slave.code, ResponseCode.SUCCESS);
  assert.equal(slave.extFields.masterAddr, MASTER);
  assert.equal(slave.extFields.haServerAddr, '127.0.0.1:10912');

  const route = await getRoute(client, addr, 'TopicA');
  assert.equal(route.code, ResponseCode.SUCCESS);
  // Default client version is V4_9_8: standard JSON, parseable by JSON.parse.
  const text = route.body?.toString() ?? '';
  assert.deepEqual(JSON.parse(text), {
    brokerDatas: [{ brokerAddrs: { 0: MASTER, 1: SLAVE }, brokerName: 'broker-a', cluster: 'DefaultCluster' }],
    filterServerTable: {},
    queueDatas: [{ brokerName: 'broker-a', perm: 6, readQueueNums: 4, topicSysFlag: 0, writeQueueNums: 4 }],
  });
  assert.ok(text.startsWith('{"brokerDatas":[{"brokerAddrs":{"0":"127.0.0.1:10911","1":"127.0.0.1:20911"},'), text);

  const cluster = await call(client, addr, RequestCode.GET_BROKER_CLUSTER_INFO);
  assert.deepEqual(JSON.parse(cluster.body?.toString() ?? ''), {
    brokerAddrTable: { 'broker-a': { brokerAddrs: { 0: MASTER, 1: SLAVE }, brokerName: 'broker-a', cluster: 'DefaultCluster' } },
    clusterAddrTable: { DefaultCluster: ['broker-a'] },
  });

  const topics = await call(client, addr, RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER);
  assert.deepEqual(json(topics), { topicList: ['TopicA', 'TopicB'] }, 'slave topic configs are ignored');

  const missing = await getRoute(client, addr, 'NoSuchTopic');
  assert.equal(missing.code, ResponseCode.TOPIC_NOT_EXIST);
  assert.equal(missing.remark, 'No topic route info in name server for the topic: NoSuchTopic\nSee http://rocketmq.apache.org/docs/faq/ for further details.');
});

void test('old clients get fastjson route JSON with unquoted broker ids unless they ask for standard JSON', async (t) => {
  const { addr } = await startNamesrv(t);
  const client = newClient(t);
  await registerBroker(client, addr, { brokerName: 'b', brokerAddr: MASTER, brokerId: 0, topics: [{ name: 'Tö' }] });
  const old = await call(client, addr, RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'Tö' }, { version: MQVersion.V3_4_9 });
  assert.equal(old.code, ResponseCode.SUCCESS);
  assert.match(old.body?.toString() ?? '', /"brokerAddrs":\{0:"127\.0\.0\.1:10911"\}/);
  assert.deepEqual(at(json(old), 'brokerDatas', 0, 'brokerAddrs'), { 0: MASTER });
  const oldCluster = await call(client, addr, RequestCode.GET_BROKER_CLUSTER_INFO, {}, { version: MQVersion.V3_4_9 });
  assert.match(oldCluster.body?.toString() ?? '', /"brokerAddrs":\{0:"/);

  const asked = await call(client, addr, RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic: 'Tö', acceptStandardJsonOnly: 'true' },
    { version: MQVersion.V3_4_9 });
  assert.match(asked.body?.toString() ?? '', /"brokerAddrs":\{"0":"127\.0\.0\.1:10911"\}/);
  const route = await getRoute(client, addr, 'Tö');
  assert.ok(route.body !== undefined && route.body.every((byte) => byte < 0x80), 'standard JSON is ASCII-only');
  assert.equal(at(JSON.parse(route.body.toString()), 'queueDatas', 0, 'brokerName'), 'b');
});

void test('unregister removes the broker, its set and its topics', async (t) => {
  const { addr } = await startNamesrv(t);
  const client = newClient(t);
  await registerBroker(client, addr, { brokerName: 'a', brokerAddr: MASTER, brokerId: 0, topics: [{ name: 'T1' }] });
  await registerBroker(client, addr, { brokerName: 'a', brokerAddr: SLAVE, brokerId: 1 });
  const unregister = (brokerAddr: string, brokerId: number): Promise<unknown> => call(client, addr, RequestCode.UNREGISTER_BROKER, {
    brokerName: 'a', brokerAddr, clusterName: 'DefaultCluster', brokerId: String(brokerId),
  });
  await unregister(MASTER, 0);
  const route = await getRoute(client, addr, 'T1');
  assert.equal(route.code, ResponseCode.SUCCESS, 'queue data stays while the set has a slave');
  assert.deepEqual(at(json(route), 'brokerDatas', 0, 'brokerAddrs'), { 1: SLAVE });
  await unregister(SLAVE, 1);
  assert.equal((await getRoute(client, addr, 'T1')).code, ResponseCode.TOPIC_NOT_EXIST);
  assert.deepEqual(json(await call(client, addr, RequestCode.GET_BROKER_CLUSTER_INFO)), { brokerAddrTable: {}, clusterAddrTable: {} });
});

void test('queue data follows the master only when its data version changes', async (t) => {
  const { addr } = await startNamesrv(t);
  const client = newClient(t);
  const base = { brokerName: 'a', brokerAddr: MASTER, brokerId: 0 } as const;
  await registerBroker(client, addr, { ...base, topics: [{ name: 'T', queues: 4 }], dataVersion: { timestamp: 5, counter: 1 } });
  await registerBroker(client, addr, { ...base, topics: [{ name: 'T', queues: 16 }], dataVersion: { timestamp: 5, counter: 1 } });
  assert.equal(at(json(await getRoute(client, addr, 'T')), 'queueDatas', 0, 'writeQueueNums'), 4, 'same version: ignored');
  await registerBroker(client, addr, { ...base, topics: [{ name: 'T', queues: 16 }], dataVersion: { timestamp: 5, counter: 2 } });
  assert.equal(at(json(await getRoute(client, addr, 'T')), 'queueDatas', 0, 'writeQueueNums'), 16);

  const query = (counter: number): Promise<RemotingCommand> => call(client, addr,
    RequestCode.QUERY_DATA_VERSION, { brokerName: 'a', brokerAddr: MASTER, clusterName: 'DefaultCluster', brokerId: '0' },
    { body: Buffer.from(`{"counter":${counter},"timestamp":5}`) });
  const same = await query(2);
  assert.equal(same.extFields.changed, 'false');
  assert.deepEqual(json(same), { counter: 2, timestamp: 5 });
  assert.equal((await query(3)).extFields.changed, 'true');
});

void test('compressed registration body and CRC32 check', async (t) => {
  const { addr } = await startNamesrv(t);
  const client = newClient(t);
  const tc: TopicConfig = { topicName: 'Zipped', readQueueNums: 2, writeQueueNums: 3, perm: 6, topicFilterType: 'SINGLE_TAG', topicSysFlag: 0, order: false };
  const body = encodeRegisterBrokerBody({
    topicConfigSerializeWrapper: { topicConfigTable: new Map([['Zipped', tc]]), dataVersion: { timestamp: 9, counter: 9 } },
    filterServerList: ['127.0.0.1:30000'],
  }, true);
  const res = await registerBroker(client, addr, { brokerName: 'z', brokerAddr: MASTER, brokerId: 0, body, compressed: true });
  assert.equal(res.code, ResponseCode.SUCCESS);
  const route = json(await getRoute(client, addr, 'Zipped'));
  assert.deepEqual(at(route, 'queueDatas', 0), { brokerName: 'z', perm: 6, readQueueNums: 2, topicSysFlag: 0, writeQueueNums: 3 });
  assert.deepEqual(at(route, 'filterServerTable'), { [MASTER]: ['127.0.0.1:30000'] });

  const bad = await registerBroker(client, addr, { brokerName: 'y', brokerAddr: SLAVE, brokerId: 0, topics: [{ name: 'Y' }], bodyCrc32: 12345 });
  assert.equal(bad.code, ResponseCode.SYSTEM_ERROR);
  assert.equal(bad.remark, 'crc32 not match');
  const garbage = await registerBroker(client, addr, { brokerName: 'y', brokerAddr: SLAVE, brokerId: 0, body: Buffer.from('{"topicConfigSerializeWrapper":[') });
  assert.equal(garbage.code, ResponseCode.SYSTEM_ERROR);
  assert.equal((await getRoute(client, addr, 'Y')).code, ResponseCode.TOPIC_NOT_EXIST);
});

void test('delete topic, wipe/add write perm, topics by cluster, system and unit topic lists', async (t) => {
  const { addr } = await startNamesrv(t);
  const client = newClient(t);
  await registerBroker(client, addr, {
    cluster: 'C1', brokerName: 'a', brokerAddr: MASTER, brokerId: 0,
    topics: [{ name: 'T1' }, { name: 'Unit', topicSysFlag: 1 }, { name: 'UnitSub', topicSysFlag: 2 }, { name: 'Both', topicSysFlag: 3 }],
  });
  await registerBroker(client, addr, { cluster: 'C2', brokerName: 'b', brokerAddr: SLAVE, brokerId: 0, topics: [{ name: 'T1' }, { name: 'T2' }] });

  const list = async (code: number, ext: Record<string, string> = {}): Promise<unknown> => at(json(await call(client, addr, code, ext)), 'topicList');
  assert.deepEqual(await list(RequestCode.GET_TOPICS_BY_CLUSTER, { cluster: 'C2' }), ['T1', 'T2']);
  assert.deepEqual(await list(RequestCode.GET_TOPICS_BY_CLUSTER, { cluster: 'nope' }), []);
  assert.deepEqual(await list(NamesrvAdminRequestCode.GET_UNIT_TOPIC_LIST), ['Both', 'Unit']);
  assert.deepEqual(await list(NamesrvAdminRequestCode.GET_HAS_UNIT_SUB_TOPIC_LIST), ['Both', 'UnitSub']);
  assert.deepEqual(await list(NamesrvAdminRequestCode.GET_HAS_UNIT_SUB_UNUNIT_TOPIC_LIST), ['UnitSub']);
  const system = json(await call(client, addr, RequestCode.GET_SYSTEM_TOPIC_LIST_FROM_NS));
  assert.deepEqual(at(system, 'topicList'), ['C1', 'C2', 'a', 'b']);
  assert.ok([MASTER, SLAVE].includes(String(at(system, 'brokerAddr'))));

  const wipe = await call(client, addr, RequestCode.WIPE_WRITE_PERM_OF_BROKER, { brokerName: 'a' });
  assert.equal(wipe.extFields.wipeTopicCount, '4');
  const perms = at(json(await getRoute(client, addr, 'T1')), 'queueDatas');
  assert.deepEqual(Array.isArray(perms) ? perms.map((q) => at(q, 'perm')) : perms, [4, 6]);
  const add = await call(client, addr, RequestCode.ADD_WRITE_PERM_OF_BROKER, { brokerName: 'a' });
  assert.equal(add.extFields.addTopicCount, '4');
  assert.equal(at(json(await getRoute(client, addr, 'T1')), 'queueDatas', 0, 'perm'), 6);

  // Cluster-scoped delete keeps the other cluster's queues; a plain delete drops the topic.
  await call(client, addr, RequestCode.DELETE_TOPIC_IN_NAMESRV, { topic: 'T1', clusterName: 'C1' });
  assert.deepEqual(at(json(await getRoute(client, addr, 'T1')), 'queueDatas', 0, 'brokerName'), 'b');
  await call(client, addr, RequestCode.DELETE_TOPIC_IN_NAMESRV, { topic: 'T1' });
  assert.equal((await getRoute(client, addr, 'T1')).code, ResponseCode.TOPIC_NOT_EXIST);
  assert.deepEqual(await list(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER), ['Both', 'T2', 'Unit', 'UnitSub']);
  // A missing required header field is a SYSTEM_ERROR naming it; unknown codes are unsupported.
  const noTopic = await call(client, addr, RequestCode.DELETE_TOPIC_IN_NAMESRV);
  assert.equal(noTopic.code, ResponseCode.SYSTEM_ERROR);
  assert.match(noTopic.remark ?? '', /topic/);
  assert.equal((await call(client, addr, RequestCode.PULL_MESSAGE)).code, ResponseCode.REQUEST_CODE_NOT_SUPPORTED);
});
