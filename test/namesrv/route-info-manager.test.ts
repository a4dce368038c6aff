import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RouteInfoManager, type TopicConfig, type TopicConfigSerializeWrapper } from '../../src/namesrv/index.js';
import { ManualClock } from './support.js';

function wrapper(counter: number, ...names: string[]): TopicConfigSerializeWrapper {
  const table = new Map<string, TopicConfig>(names.map((n) => [n, {
    topicName: n, readQueueNums: 4, writeQueueNums: 4, perm: 6, topicFilterType: 'SINGLE_TAG', topicSysFlag: 0, order: false,
  }]));
  return { topicConfigTable: table, dataVersion: { timestamp: 1, counter } };
}

const base = { clusterName: 'C', brokerName: 'a', haServerAddr: 'h:1' } as const;

void test('a slave promoted to master keeps one record per address', () => {
  const routes = new RouteInfoManager();
  routes.registerBroker({ ...base, brokerAddr: 'm:1', brokerId: 0, topicConfigWrapper: wrapper(1, 'T') });
  routes.registerBroker({ ...base, brokerAddr: 's:1', brokerId: 1 });
  routes.unregisterBroker('C', 'm:1', 'a', 0);
  routes.registerBroker({ ...base, brokerAddr: 's:1', brokerId: 0, topicConfigWrapper: wrapper(1, 'T') });
  const bd = routes.getAllClusterInfo().brokerAddrTable.get('a');
  assert.deepEqual([...(bd?.brokerAddrs ?? [])], [[0, 's:1']]);
});

void test('a slave learns the master only while the master is live; getters return copies', () => {
  const routes = new RouteInfoManager();
  assert.deepEqual(routes.registerBroker({ ...base, brokerAddr: 's:1', brokerId: 1 }), {});
  routes.registerBroker({ ...base, brokerAddr: 'm:1', brokerId: 0, haServerAddr: 'm:2', topicConfigWrapper: wrapper(1, 'T') });
  assert.deepEqual(routes.registerBroker({ ...base, brokerAddr: 's:1', brokerId: 1 }), { haServerAddr: 'm:2', masterAddr: 'm:1' });
  const route = routes.pickupTopicRouteData('T');
  assert.ok(route !== undefined);
  route.brokerDatas[0]?.brokerAddrs.clear();
  const q = route.queueDatas[0];
  if (q !== undefined) q.perm = 0;
  assert.equal(routes.pickupTopicRouteData('T')?.brokerDatas[0]?.brokerAddrs.size, 2);
  assert.equal(routes.pickupTopicRouteData('T')?.queueDatas[0]?.perm, 6);
});

void test('onChannelDestroy matches by channel, else by address; scan uses the injected clock', () => {
  const clock = new ManualClock(1000);
  const routes = new RouteInfoManager({ clock, brokerChannelExpiredTimeMs: 50 });
  let closed = 0;
  const channel = { id: 'ch-1', remoteAddress: '10.0.0.9:5555', close: () => void closed++ };
  routes.registerBroker({ ...base, brokerAddr: 'm:1', brokerId: 0, topicConfigWrapper: wrapper(1, 'T'), channel });
  routes.registerBroker({ ...base, brokerName: 'b', brokerAddr: 'b:1', brokerId: 0, topicConfigWrapper: wrapper(1, 'U') });
  routes.onChannelDestroy('10.0.0.8:1', { id: 'ch-other' });
  assert.deepEqual(routes.liveBrokerAddrs().sort(), ['b:1', 'm:1']);
  routes.onChannelDestroy('10.0.0.9:5555', channel);
  assert.deepEqual(routes.liveBrokerAddrs(), ['b:1']);
  assert.equal(routes.pickupTopicRouteData('T'), undefined);
  routes.onChannelDestroy('b:1');
  assert.equal(routes.pickupTopicRouteData('U'), undefined);
  assert.deepEqual(routes.getAllClusterInfo().clusterAddrTable.size, 0);

  routes.registerBroker({ ...base, brokerAddr: 'm:1', brokerId: 0, topicConfigWrapper: wrapper(2, 'T'), channel });
  assert.equal(routes.getBrokerLiveInfo('m:1')?.lastUpdateTimestamp, 1000);
  clock.time = 1050;
  assert.equal(routes.scanNotActiveBroker(), 0);
  clock.time = 1051;
  assert.equal(routes.scanNotActiveBroker(), 1);
  assert.equal(closed, 1, 'the expired channel is closed');
  assert.equal(routes.pickupTopicRouteData('T'), undefined);
});
