/**
 * The client-manage and consumer-manage processors over a real RemotingServer
 * on 127.0.0.1:0, against a hand-built context of real managers.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { noopLogger, systemClock } from '../../common/index.js';
import type { RemotingCommand } from '../../protocol/index.js';
import { RequestCode, ResponseCode, createRequest } from '../../protocol/index.js';
import { RemotingClient, RemotingServer, resolveRemotingClientConfig, resolveRemotingServerConfig } from '../../remoting/index.js';
import { DEFAULT_BROKER_CONFIG } from '../broker-config.js';
import { CHECK_CLIENT_CONFIG, registerClientManageProcessors, type ClientManageContext } from '../processors/client-manage.js';
import { registerConsumerManageProcessors, type ConsumerManageContext } from '../processors/consumer-manage.js';
import { SubscriptionGroupManager } from '../subscription-group-manager.js';
import { TopicConfigManager } from '../topic-config-manager.js';
import { ConsumerManager, createConsumerIdsChangeListener } from './consumer-manager.js';
import { ProducerManager } from './producer-manager.js';
import { RebalanceLockManager } from './rebalance-lock-manager.js';

async function waitFor(cond: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function heartbeat(clientID: string, group: string, topics: string[], producerGroup?: string): Buffer {
  return Buffer.from(JSON.stringify({
    clientID,
    consumerDataSet: [{
      consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET', consumeType: 'CONSUME_PASSIVELY', groupName: group, messageModel: 'CLUSTERING',
      subscriptionDataSet: topics.map((topic) => ({ classFilterMode: false, codeSet: [], expressionType: 'TAG', subString: '*', subVersion: 1, tagsSet: [], topic })),
      unitMode: false,
    }],
    producerDataSet: producerGroup === undefined ? [] : [{ groupName: producerGroup }],
  }));
}

void describe('client and consumer manage processors', () => {
  let dir = '';
  let server: RemotingServer;
  let ctx: ClientManageContext & ConsumerManageContext;
  const registered: string[] = [];
  const clients: RemotingClient[] = [];
  const notified: string[][] = [[], []];
  let addr = '';

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'orbit-client-mgmt-'));
    const deps = { logger: noopLogger, clock: systemClock };
    const topics = new TopicConfigManager(dir, DEFAULT_BROKER_CONFIG, deps);
    const groups = new SubscriptionGroupManager(dir, true, deps);
    topics.load();
    groups.load();
    const consumers = new ConsumerManager({
      ...deps,
      listener: createConsumerIdsChangeListener({
        groups,
        notify: (group, channels) => {
          for (const ch of channels) ch.invokeOneway(createRequest(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, { extFields: { consumerGroup: group } }));
        },
      }),
    });
    const producers = new ProducerManager(deps);
    const locks = new RebalanceLockManager({ clock: systemClock, lockMaxLiveTimeMs: 60_000 });
    server = new RemotingServer(resolveRemotingServerConfig({ host: '127.0.0.1', port: 0 }), {
      logger: noopLogger,
      channelEventListener: { onChannelClose: (ch) => { consumers.doChannelCloseEvent(ch); producers.doChannelCloseEvent(ch); } },
    });
    ctx = {
      server, topics, groups, consumers, producers, locks, logger: noopLogger,
      registerTopic: (tc) => { registered.push(tc.topicName); },
    };
    registerClientManageProcessors(ctx);
    registerConsumerManageProcessors(ctx);
    await server.start();
    addr = `127.0.0.1:${server.address().port}`;
    for (let i = 0; i < 2; i++) {
      const c = new RemotingClient(resolveRemotingClientConfig(), { logger: noopLogger });
      c.registerProcessor(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, (req) => {
        notified[i]?.push(req.extFields.consumerGroup ?? '');
        return undefined;
      });
      clients.push(c);
    }
  });

  after(async () => {
    for (const c of clients) await c.close();
    await server.close({ graceMs: 100 });
    await ctx.topics.close();
    await ctx.groups.close();
    await rm(dir, { recursive: true, force: true });
  });

  const call = (i: number, code: number, options: Parameters<typeof createRequest>[1] = {}): Promise<RemotingCommand> => {
    const c = clients[i];
    assert.ok(c);
    return c.invoke(addr, createRequest(code, options), 3_000);
  };

  void it('HEART_BEAT registers consumer and producer, creates the retry topic, answers an empty SUCCESS', async () => {
    const res = await call(0, RequestCode.HEART_BEAT, { body: heartbeat('10.0.0.1@a', 'CG', ['T1'], 'PG') });
    assert.equal(res.code, ResponseCode.SUCCESS);
    assert.equal(res.remark, undefined);
    assert.equal(res.body === undefined || res.body.length === 0, true);
    assert.deepEqual(ctx.consumers.getConsumerGroupInfo('CG')?.allClientIds(), ['10.0.0.1@a']);
    assert.equal(ctx.consumers.findSubscriptionData('CG', 'T1')?.subString, '*');
    assert.equal(ctx.producers.getConnections('PG')[0]?.clientId, '10.0.0.1@a');
    const retry = ctx.topics.get('%RETRY%CG');
    assert.deepEqual([retry?.readQueueNums, retry?.writeQueueNums, retry?.perm, retry?.topicSysFlag], [1, 1, 6, 0]);
    assert.deepEqual(registered, ['%RETRY%CG']);
    assert.ok(ctx.groups.get('CG'), 'subscription group auto-created');
    await call(0, RequestCode.HEART_BEAT, { body: heartbeat('10.0.0.1@a', 'CG', ['T1'], 'PG') });
    assert.deepEqual(registered, ['%RETRY%CG'], 'existing retry topic is not re-registered');
  });

  void it('a new member triggers NOTIFY_CONSUMER_IDS_CHANGED to the group; GET_CONSUMER_LIST_BY_GROUP lists both', async () => {
    const res = await call(1, RequestCode.HEART_BEAT, { body: heartbeat('10.0.0.2@b', 'CG', ['T1']) });
    assert.equal(res.code, ResponseCode.SUCCESS);
    await waitFor(() => notified[0]?.includes('CG') === true && notified[1]?.includes('CG') === true);
    const list = await call(0, RequestCode.GET_CONSUMER_LIST_BY_GROUP, { extFields: { consumerGroup: 'CG' } });
    assert.equal(list.code, ResponseCode.SUCCESS);
    assert.deepEqual(JSON.parse(list.body?.toString() ?? ''), { consumerIdList: ['10.0.0.1@a', '10.0.0.2@b'] });
  });

  void it('GET_CONSUMER_LIST_BY_GROUP of an unknown group: SYSTEM_ERROR with RocketMQ\'s remark', async () => {
    const res = await call(0, RequestCode.GET_CONSUMER_LIST_BY_GROUP, { extFields: { consumerGroup: 'NOPE' } });
    assert.equal(res.code, ResponseCode.SYSTEM_ERROR);
    assert.equal(res.remark, 'no consumer for this group, NOPE');
  });

  void it('LOCK_BATCH_MQ / UNLOCK_BATCH_MQ', async () => {
    const mqs = [{ brokerName: 'broker-a', queueId: 0, topic: 'T1' }, { brokerName: 'broker-a', queueId: 1, topic: 'T1' }];
    const lock = (clientId: string, mqSet: typeof mqs): Promise<RemotingCommand> =>
      call(0, RequestCode.LOCK_BATCH_MQ, { body: Buffer.from(JSON.stringify({ clientId, consumerGroup: 'CG', mqSet })) });
    const r1 = await lock('10.0.0.1@a', mqs.slice(0, 1));
    assert.equal(r1.code, ResponseCode.SUCCESS);
    assert.deepEqual(JSON.parse(r1.body?.toString() ?? ''), { lockOKMQSet: mqs.slice(0, 1) });
    const r2 = await lock('10.0.0.2@b', mqs);
    assert.deepEqual(JSON.parse(r2.body?.toString() ?? ''), { lockOKMQSet: mqs.slice(1) });
    const un = await call(0, RequestCode.UNLOCK_BATCH_MQ, { body: Buffer.from(JSON.stringify({ clientId: '10.0.0.1@a', consumerGroup: 'CG', mqSet: mqs })) });
    assert.equal(un.code, ResponseCode.SUCCESS);
    const [q0, q1] = mqs;
    assert.ok(q0 && q1);
    assert.equal(ctx.locks.lockOwner('CG', q0), undefined);
    assert.equal(ctx.locks.lockOwner('CG', q1), '10.0.0.2@b');
    const bad = await call(0, RequestCode.LOCK_BATCH_MQ, { body: Buffer.from('{"clientId":"x","consumerGroup":"CG","mqSet":[{"topic":"T"}]}') });
    assert.equal(bad.code, ResponseCode.SYSTEM_ERROR);
  });

  void it('CHECK_CLIENT_CONFIG: TAG and SQL92 succeed, other types are refused', async () => {
    const check = (expressionType: string): Promise<RemotingCommand> => call(0, CHECK_CLIENT_CONFIG, {
      body: Buffer.from(JSON.stringify({ clientId: 'c', group: 'CG', subscriptionData: { topic: 'T1', subString: 'a > 1', expressionType, subVersion: 1 } })),
    });
    assert.equal((await check('TAG')).code, ResponseCode.SUCCESS);
    assert.equal((await check('SQL92')).code, ResponseCode.SUCCESS);
    const other = await check('GROOVY');
    assert.equal(other.code, ResponseCode.SYSTEM_ERROR);
    assert.equal(other.remark, 'The broker does not support consumer to filter message by GROOVY');
  });

  void it('a malformed heartbeat is answered with SYSTEM_ERROR', async () => {
    const res = await call(0, RequestCode.HEART_BEAT, { body: Buffer.from('{"clientID":1}') });
    assert.equal(res.code, ResponseCode.SYSTEM_ERROR);
  });

  void it('UNREGISTER_CLIENT removes the consumer and producer and notifies the rest', async () => {
    notified[1]?.splice(0);
    const res = await call(0, RequestCode.UNREGISTER_CLIENT, { extFields: { clientID: '10.0.0.1@a', consumerGroup: 'CG', producerGroup: 'PG' } });
    assert.equal(res.code, ResponseCode.SUCCESS);
    assert.deepEqual(ctx.consumers.getConsumerGroupInfo('CG')?.allClientIds(), ['10.0.0.2@b']);
    assert.deepEqual(ctx.producers.allGroups(), []);
    await waitFor(() => notified[1]?.includes('CG') === true);
  });

  void it('closing a client connection drops its consumers', async () => {
    await clients[1]?.close();
    await waitFor(() => ctx.consumers.getConsumerGroupInfo('CG') === undefined);
  });
});
