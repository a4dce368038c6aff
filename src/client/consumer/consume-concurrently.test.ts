import assert from 'node:assert/strict';
import { test } from 'node:test';
import { noopLogger, systemClock } from '../../common/index.js';
import type { MessageExt } from '../message-ext.js';
import type { MQClientInstance } from '../mq-client-instance.js';
import type { MessageQueue } from '../route.js';
import { ConsumeConcurrentlyService } from './consume-concurrently.js';
import type { ConsumerCore, QueueState } from './consume-service.js';
import type { OffsetStore } from './offset-store.js';
import { ProcessQueue } from './process-queue.js';
import { resolvePushConsumerOptions, type MessageListener, type PushConsumerOptions } from './push-consumer-options.js';

const mq: MessageQueue = { topic: 'T', brokerName: 'b', queueId: 0 };

function message(queueOffset: number): MessageExt {
  return {
    msgId: `id${queueOffset}`, offsetMsgId: '', topic: 'T', brokerName: 'b', queueId: 0, queueOffset, commitLogOffset: 0,
    body: Buffer.alloc(1), tags: undefined, keys: [], properties: {}, flag: 0, reconsumeTimes: 0, bornTimestamp: 0, storeTimestamp: 0,
    bornHost: '127.0.0.1:1', storeHost: '127.0.0.1:2', sysFlag: 0, bodyCrc: 0, storeSize: 0, preparedTransactionOffset: 0,
  };
}

/** The service over an in-memory offset store; `offsets` records every updateOffset. */
function setup(options: Partial<PushConsumerOptions>): { core: ConsumerCore; qs: QueueState; offsets: number[] } {
  const offsets: number[] = [];
  const offsetStore: OffsetStore = {
    load: () => Promise.resolve(),
    updateOffset: (_mq, offset) => void offsets.push(offset),
    readOffset: () => Promise.resolve(-1),
    persistAll: () => Promise.resolve(),
    removeOffset: () => undefined,
  };
  const core: ConsumerCore = {
    opts: resolvePushConsumerOptions({ namesrvAddr: '127.0.0.1:1', group: 'G', ...options }, Date.now()),
    // Never reached here: only RECONSUME_LATER in clustering sends back through the instance.
    instance: {} as unknown as MQClientInstance,
    offsetStore, logger: noopLogger, clock: systemClock,
    isConsuming: () => true,
    subscription: () => undefined,
    report: (_source, err) => {
      throw err;
    },
  };
  const qs: QueueState = {
    mq, pq: new ProcessQueue<MessageExt>(), abort: new AbortController(), nextOffset: 0, brokerId: 0, stopping: false,
    consuming: undefined, reconsumeTimes: new Map(), pulling: undefined, contexts: {},
  };
  return { core, qs, offsets };
}

function submit(service: ConsumeConcurrentlyService, qs: QueueState, offsets: number[]): void {
  const msgs = offsets.map(message);
  qs.pq.putMessages(msgs);
  service.submit(qs, msgs);
}

test('concurrent consumption: a listener that answers synchronously is settled before submit returns', async () => {
  const { core, qs, offsets } = setup({ consumeBatchMaxSize: 2 });
  const seen: number[][] = [];
  const listener: MessageListener = (msgs) => {
    seen.push(msgs.map((m) => m.queueOffset));
    return 'SUCCESS';
  };
  const service = new ConsumeConcurrentlyService(core, listener);
  submit(service, qs, [0, 1, 2, 3, 4]);
  assert.deepEqual(seen, [[0, 1], [2, 3], [4]]);
  assert.deepEqual(offsets, [2, 4, 5], 'offsets moved in the same turn');
  assert.equal(qs.pq.msgCount, 0);
  await service.shutdown();
});

test('concurrent consumption: at most consumeConcurrency listener calls at once, sync and async listeners alike', async () => {
  const { core, qs, offsets } = setup({ consumeConcurrency: 1 });
  const release: (() => void)[] = [];
  let running = 0;
  let maxRunning = 0;
  const calls: number[] = [];
  const listener: MessageListener = (msgs) => {
    const offset = msgs[0]?.queueOffset ?? -1;
    calls.push(offset);
    if (offset % 2 === 1) return 'SUCCESS'; // odd offsets answer synchronously
    running++;
    maxRunning = Math.max(maxRunning, running);
    return new Promise((resolve) => release.push(() => {
      running--;
      resolve('SUCCESS');
    }));
  };
  const service = new ConsumeConcurrentlyService(core, listener);
  submit(service, qs, [0, 1, 2, 3]);
  assert.deepEqual(calls, [0], 'the others wait for the slot held by the pending call');
  assert.deepEqual(offsets, []);
  for (let i = 0; i < 10 && calls.length < 4; i++) {
    release.shift()?.();
    await new Promise((r) => setImmediate(r));
  }
  assert.deepEqual(calls, [0, 1, 2, 3]);
  assert.equal(maxRunning, 1);
  assert.equal(offsets.at(-1), 4);
  await service.shutdown();
});

test('concurrent consumption: a synchronous throw and a rejected promise are RECONSUME_LATER (broadcasting drops them, the offset still moves)', async () => {
  const { core, qs, offsets } = setup({ messageModel: 'BROADCASTING' });
  const listener: MessageListener = (msgs) => {
    if (msgs[0]?.queueOffset === 0) throw new Error('sync failure');
    return Promise.reject(new Error('async failure'));
  };
  const service = new ConsumeConcurrentlyService(core, listener);
  submit(service, qs, [0, 1]);
  await service.shutdown();
  assert.equal(qs.pq.msgCount, 0);
  assert.equal(offsets.at(-1), 2);
});

test('concurrent consumption: shutdown waits for the asynchronous listener calls in flight', async () => {
  const { core, qs, offsets } = setup({ consumeConcurrency: 4 });
  const release: (() => void)[] = [];
  const listener: MessageListener = () => new Promise((resolve) => release.push(() => resolve('SUCCESS')));
  const service = new ConsumeConcurrentlyService(core, listener);
  submit(service, qs, [0, 1, 2]);
  assert.equal(release.length, 3);
  let stopped = false;
  const stopping = service.shutdown().then(() => {
    stopped = true;
  });
  release.shift()?.();
  release.shift()?.();
  await new Promise((r) => setImmediate(r));
  assert.equal(stopped, false, 'one call still runs');
  release.shift()?.();
  await stopping;
  assert.equal(stopped, true);
  assert.equal(offsets.at(-1), 3);
  await service.shutdown(); // nothing in flight: returns at once
});
