/**
 * Broker-side queue locks for orderly consumption (RebalanceImpl.lock /
 * lockAll / unlock / unlockAll, 4.9.8): LOCK_BATCH_MQ and UNLOCK_BATCH_MQ to
 * the master of each queue's broker. The broker keeps a lock 60 s unless
 * renewed, so owners renew every 20 s.
 */
import { getErrorMessage, type Logger } from '../../common/index.js';
import type { MQClientInstance } from '../mq-client-instance.js';
import { MASTER_ID, messageQueueKey, type MessageQueue } from '../route.js';

function byBroker(mqs: readonly MessageQueue[]): Map<string, MessageQueue[]> {
  const out = new Map<string, MessageQueue[]>();
  for (const mq of mqs) {
    let l = out.get(mq.brokerName);
    if (l === undefined) out.set(mq.brokerName, (l = []));
    l.push(mq);
  }
  return out;
}

async function masterOf(instance: MQClientInstance, mq: MessageQueue): Promise<string | undefined> {
  let found = instance.findBrokerAddressInSubscribe(mq.brokerName, MASTER_ID, true);
  if (found === undefined) {
    await instance.updateTopicRoute(mq.topic);
    found = instance.findBrokerAddressInSubscribe(mq.brokerName, MASTER_ID, true);
  }
  return found?.addr;
}

/**
 * Locks `mqs` for this client; returns the keys (messageQueueKey) of the
 * queues the brokers granted. A broker that fails grants nothing.
 */
export async function lockQueues(instance: MQClientInstance, group: string, mqs: readonly MessageQueue[], logger?: Logger): Promise<Set<string>> {
  const granted = new Set<string>();
  await Promise.all([...byBroker(mqs)].map(async ([brokerName, list]) => {
    const first = list[0];
    if (first === undefined) return;
    try {
      const addr = await masterOf(instance, first);
      if (addr === undefined) return;
      const locked = await instance.api.lockBatchMQ(addr, { consumerGroup: group, clientId: instance.clientId, mqSet: list });
      for (const mq of locked) granted.add(messageQueueKey(mq));
    } catch (err: unknown) {
      logger?.warn('lock batch failed', { group, brokerName, error: getErrorMessage(err) });
    }
  }));
  return granted;
}

/** Unlocks `mqs` (best effort; `oneway` as the Java client does at shutdown). */
export async function unlockQueues(instance: MQClientInstance, group: string, mqs: readonly MessageQueue[], oneway = false, logger?: Logger): Promise<void> {
  await Promise.all([...byBroker(mqs)].map(async ([brokerName, list]) => {
    const first = list[0];
    if (first === undefined) return;
    try {
      const addr = await masterOf(instance, first);
      if (addr !== undefined) await instance.api.unlockBatchMQ(addr, { consumerGroup: group, clientId: instance.clientId, mqSet: list }, oneway);
    } catch (err: unknown) {
      logger?.warn('unlock batch failed', { group, brokerName, error: getErrorMessage(err) });
    }
  }));
}
