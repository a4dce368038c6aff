import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildSubscriptionData, type SubscriptionData } from '../heartbeat.js';
import type { MQClientInstance } from '../mq-client-instance.js';
import type { MessageQueue, TopicRouteData } from '../route.js';
import { allocateAveragely } from './allocate-strategy.js';
import { RebalanceImpl, type RebalanceChange } from './rebalance-impl.js';

const route = (queues: number): TopicRouteData => ({
  orderTopicConf: undefined,
  queueDatas: [{ brokerName: 'b', readQueueNums: queues, writeQueueNums: queues, perm: 6, topicSysFlag: 0 }],
  brokerDatas: [{ cluster: 'c', brokerName: 'b', brokerAddrs: new Map([[0, '127.0.0.1:1']]) }],
});

function fakeInstance(state: { cids: string[]; idCalls: number }): MQClientInstance {
  const fake = {
    clientId: 'c1',
    getRoute: (topic: string) => (topic === 'T' ? route(4) : undefined),
    fetchSubscribeMessageQueues: () => Promise.resolve([]),
    findBrokerAddrByTopic: () => '127.0.0.1:1',
    updateTopicRoute: () => Promise.resolve(undefined),
    api: {
      getConsumerIdListByGroup: () => {
        state.idCalls++;
        return Promise.resolve(state.cids);
      },
    },
  };
  return fake as unknown as MQClientInstance;
}

const ids = (mqs: readonly MessageQueue[]): number[] => mqs.map((q) => q.queueId).sort();

test('rebalance: clustering share follows membership; removals are reported before additions; partial takes retried', async () => {
  const state = { cids: ['c1', 'c2'], idCalls: 0 };
  const subs = new Map<string, SubscriptionData>([['T', buildSubscriptionData('T')]]);
  const log: string[] = [];
  const changes: RebalanceChange[] = [];
  let refuse = new Set<number>();
  const r = new RebalanceImpl({
    group: 'G', messageModel: 'CLUSTERING', allocateStrategy: allocateAveragely, instance: fakeInstance(state),
    subscriptions: () => subs, rebalanceIntervalMs: 60_000,
    listener: {
      onQueuesAdded: (mqs) => {
        log.push(`+${ids(mqs).join(',')}`);
        return mqs.filter((q) => !refuse.has(q.queueId));
      },
      onQueuesRemoved: (mqs) => void log.push(`-${ids(mqs).join(',')}`),
    },
    onChange: (c) => changes.push(c),
  });
  r.start();
  await r.rebalanceNow();
  assert.deepEqual(ids(r.assignedQueues), [0, 1]);
  state.cids = ['c1'];
  refuse = new Set([3]);
  await r.rebalanceNow();
  assert.deepEqual(ids(r.assignedQueues), [0, 1, 2], 'queue 3 refused (e.g. not locked)');
  refuse = new Set();
  await r.rebalanceNow();
  assert.deepEqual(ids(r.assignedQueues), [0, 1, 2, 3], 'retried at the next rebalance');
  state.cids = ['c0', 'c1', 'c2'];
  await r.rebalanceNow();
  assert.deepEqual(ids(r.assignedQueues), [2], 'the second of three members takes the middle queue');
  assert.deepEqual(log, ['+0,1', '+2,3', '+3', '-0,1,3']);
  assert.equal(changes.at(-1)?.assigned.length, 1);
  // Requests during a run coalesce into one more run.
  const before = state.idCalls;
  for (let i = 0; i < 10; i++) r.requestRebalance();
  await r.rebalanceNow();
  assert.ok(state.idCalls - before <= 3, `coalesced: ${state.idCalls - before} runs`);
  // An unsubscribed topic's queues are released.
  subs.clear();
  await r.rebalanceNow();
  assert.deepEqual(r.assignedQueues, []);
  assert.equal(log.at(-1), '-2');
  await r.stop();
});

test('rebalance: broadcasting takes every queue; releaseAll reports them removed', async () => {
  const state = { cids: [], idCalls: 0 };
  const removed: MessageQueue[] = [];
  const r = new RebalanceImpl({
    group: 'G', messageModel: 'BROADCASTING', allocateStrategy: allocateAveragely, instance: fakeInstance(state),
    subscriptions: () => new Map([['T', buildSubscriptionData('T')]]),
    listener: { onQueuesAdded: () => undefined, onQueuesRemoved: (mqs) => void removed.push(...mqs) },
  });
  r.start();
  await r.rebalanceNow();
  assert.deepEqual(ids(r.assignedQueues), [0, 1, 2, 3]);
  assert.equal(state.idCalls, 0, 'no membership lookup');
  await r.stop();
  await r.releaseAll();
  assert.deepEqual(ids(removed), [0, 1, 2, 3]);
  assert.deepEqual(r.assignedQueues, []);
});
