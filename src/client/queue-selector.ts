/**
 * Queue choice for sends: round-robin with broker fault avoidance (Java
 * MQFaultStrategy.selectOneMessageQueue) and the selectors of ordered sends
 * (Java SelectMessageQueueByHash / ByRandom).
 */
import { javaHashCode } from '../common/index.js';
import type { LatencyFaultTolerance } from './latency-fault-tolerance.js';
import type { Message } from './message.js';
import type { MessageQueue } from './route.js';

/** Picks the queue for a message from the topic's writable queues (never empty). */
export type MessageQueueSelector = (queues: readonly MessageQueue[], message: Message) => MessageQueue;

/** Java SelectMessageQueueByHash: `hashCode(key) % n`, made non-negative. */
export function selectByHash(key: string): MessageQueueSelector {
  const h = javaHashCode(key);
  return (queues) => {
    let i = h % queues.length;
    if (i < 0) i = -i;
    const q = queues[i];
    if (q === undefined) throw new RangeError('no queue to select from');
    return q;
  };
}

/** Java SelectMessageQueueByRandom. */
export const selectRandom: MessageQueueSelector = (queues) => {
  const q = queues[Math.floor(Math.random() * queues.length)];
  if (q === undefined) throw new RangeError('no queue to select from');
  return q;
};

/**
 * Round-robin over `queues`, preferring brokers the fault table considers
 * available and, on a retry, a broker other than `lastBrokerName`.
 */
export class RoundRobinQueuePicker {
  private index = Math.floor(Math.random() * 0x7fff);

  constructor(private readonly faults: LatencyFaultTolerance | undefined) {}

  pick(queues: readonly MessageQueue[], lastBrokerName?: string): MessageQueue {
    const n = queues.length;
    if (n === 0) throw new RangeError('no queue to select from');
    const start = this.index++;
    if (this.index > 0x3fffffff) this.index = 0;
    const at = (i: number): MessageQueue => queues[(start + i) % n] as MessageQueue;
    const ok = (mq: MessageQueue): boolean => this.faults?.isAvailable(mq.brokerName) ?? true;
    for (let i = 0; i < n; i++) {
      const mq = at(i);
      if (ok(mq) && mq.brokerName !== lastBrokerName) return mq;
    }
    for (let i = 0; i < n; i++) {
      const mq = at(i);
      if (mq.brokerName !== lastBrokerName) {
        // All other brokers are avoided: take the least bad one if it serves this topic.
        const best = this.faults?.pickOneAtLeast();
        const onBest = best === undefined ? [] : queues.filter((q) => q.brokerName === best && q.brokerName !== lastBrokerName);
        return onBest[start % Math.max(1, onBest.length)] ?? mq;
      }
    }
    for (let i = 0; i < n; i++) if (ok(at(i))) return at(i);
    return at(0);
  }
}
