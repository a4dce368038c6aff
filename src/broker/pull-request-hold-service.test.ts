import assert from 'node:assert/strict';
import { test } from 'node:test';
import { systemClock, noopLogger } from '../common/index.js';
import { createRequest, RequestCode, SerializeType } from '../protocol/index.js';
import type { RemotingChannel } from '../remoting/index.js';
import { PullRequestHoldService, type HeldPull } from './pull-request-hold-service.js';

function held(queueId: number, from: number, deadline: number, channel: RemotingChannel): HeldPull {
  return { request: createRequest(RequestCode.PULL_MESSAGE), channel, topic: 'T', queueId, pullFromThisOffset: from, subscription: undefined, deadline };
}

test('hold service: a message wakes only the pulls it satisfies, after the dispatch; expired pulls run at the sweep', async (t) => {
  const svc = new PullRequestHoldService({ clock: systemClock, logger: noopLogger, checkIntervalMs: 20 });
  t.after(() => svc.close());
  const ran: number[] = [];
  const channel: RemotingChannel = {
    id: 'c1', remoteAddress: '127.0.0.1:1', localAddress: '127.0.0.1:2', isOpen: true, serializeType: SerializeType.ROCKETMQ,
    send: () => true, reply: () => undefined, invoke: () => Promise.reject(new Error('not used')), invokeOneway: () => true, close: () => undefined,
  };
  svc.setExecutor((p) => {
    ran.push(p.pullFromThisOffset);
    return undefined;
  });
  const far = Date.now() + 60_000;
  svc.suspend(held(0, 5, far, channel));
  svc.suspend(held(0, 10, far, channel));
  svc.suspend(held(1, 5, far, channel));
  assert.equal(svc.size, 3);
  svc.notifyMessageArriving('T', 0, 5, 0);
  assert.deepEqual(ran, [], 'not on the dispatch call stack');
  assert.equal(svc.size, 2);
  await Promise.resolve();
  assert.deepEqual(ran, [5], 'the pull from offset 5 of queue 0 only');
  svc.notifyMessageArriving('T', 0, 6, 0);
  svc.notifyMessageArriving('T', 2, 99, 0);
  await Promise.resolve();
  assert.deepEqual(ran, [5], 'offset 6 does not reach the pull from 10; queue 2 holds nothing');
  svc.notifyMessageArriving('T', 0, 10, 0);
  await Promise.resolve();
  assert.deepEqual(ran, [5, 10]);
  // The queue's emptied list is reused: a new pull parks and wakes as before.
  svc.suspend(held(0, 11, far, channel));
  svc.notifyMessageArriving('T', 0, 11, 0);
  await Promise.resolve();
  assert.deepEqual(ran, [5, 10, 11]);
  // Queue 1's pull expires: the sweep runs it (the executor answers PULL_NOT_FOUND in the broker).
  svc.suspend(held(1, 7, Date.now() - 1, channel));
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(ran, [5, 10, 11, 7]);
  assert.equal(svc.size, 1, 'queue 1 from offset 5 still waits');
});
