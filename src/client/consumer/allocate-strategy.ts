/**
 * How a consumer group splits a topic's queues among its members
 * (client/consumer/rebalance/AllocateMessageQueueAveragely.java,
 * AllocateMessageQueueAveragelyByCircle.java, AllocateMessageQueueConsistentHash.java,
 * 4.9.8). Every member computes the same answer from the same sorted inputs.
 */
import { createHash } from 'node:crypto';
import { compareMessageQueues, type MessageQueue } from '../route.js';

export interface AllocateStrategy {
  readonly name: string;
  /** The queues `currentClientId` owns, given every queue and every member. */
  allocate(group: string, currentClientId: string, mqAll: readonly MessageQueue[], clientIdAll: readonly string[]): MessageQueue[];
}

function sortedInputs(mqAll: readonly MessageQueue[], cidAll: readonly string[]): { mqs: MessageQueue[]; cids: string[] } {
  return { mqs: [...mqAll].sort(compareMessageQueues), cids: [...cidAll].sort() };
}

/** Contiguous blocks of queues, the first `mqs % members` members taking one more. */
export const allocateAveragely: AllocateStrategy = {
  name: 'AVG',
  allocate(_group, current, mqAll, cidAll) {
    const { mqs, cids } = sortedInputs(mqAll, cidAll);
    const index = cids.indexOf(current);
    if (index < 0 || mqs.length === 0) return [];
    const mod = mqs.length % cids.length;
    const averageSize =
      mqs.length <= cids.length ? 1 : mod > 0 && index < mod ? Math.floor(mqs.length / cids.length) + 1 : Math.floor(mqs.length / cids.length);
    const startIndex = mod > 0 && index < mod ? index * averageSize : index * averageSize + mod;
    const range = Math.min(averageSize, mqs.length - startIndex);
    const out: MessageQueue[] = [];
    for (let i = 0; i < range; i++) {
      const mq = mqs[(startIndex + i) % mqs.length];
      if (mq !== undefined) out.push(mq);
    }
    return out;
  },
};

/** Queue i goes to member i mod members. */
export const allocateAveragelyByCircle: AllocateStrategy = {
  name: 'AVG_BY_CIRCLE',
  allocate(_group, current, mqAll, cidAll) {
    const { mqs, cids } = sortedInputs(mqAll, cidAll);
    const index = cids.indexOf(current);
    if (index < 0) return [];
    return mqs.filter((_, i) => i % cids.length === index);
  },
};

/** Java's MessageQueue.toString(), the hash key of a queue on the ring. */
function mqToString(mq: MessageQueue): string {
  return `MessageQueue [topic=${mq.topic}, brokerName=${mq.brokerName}, queueId=${mq.queueId}]`;
}

/** ConsistentHashRouter.MD5Hash: the first 4 bytes of the MD5 digest as an unsigned number. */
function md5Hash(key: string): number {
  return createHash('md5').update(key, 'utf8').digest().readUInt32BE(0);
}

/**
 * A hash ring of the members, each with `virtualNodeCnt` virtual nodes
 * (`clientId-i`); a queue belongs to the first node at or after its hash.
 * Members joining or leaving move few queues.
 */
export function allocateConsistentHash(virtualNodeCnt = 10): AllocateStrategy {
  if (!Number.isInteger(virtualNodeCnt) || virtualNodeCnt < 1) throw new RangeError('virtualNodeCnt must be a positive integer');
  return {
    name: 'CONSISTENT_HASH',
    allocate(_group, current, mqAll, cidAll) {
      if (!cidAll.includes(current)) return [];
      const ring: [number, string][] = [];
      for (const cid of cidAll) for (let i = 0; i < virtualNodeCnt; i++) ring.push([md5Hash(`${cid}-${i}`), cid]);
      ring.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
      const owner = (mq: MessageQueue): string | undefined => {
        const h = md5Hash(mqToString(mq));
        let lo = 0;
        let hi = ring.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if ((ring[mid]?.[0] ?? 0) < h) lo = mid + 1;
          else hi = mid;
        }
        return (ring[lo] ?? ring[0])?.[1];
      };
      return [...mqAll].sort(compareMessageQueues).filter((mq) => owner(mq) === current);
    },
  };
}
