/**
 * GET_CONSUMER_LIST_BY_GROUP (38) (broker/processor/ConsumerManageProcessor.java)
 * and LOCK_BATCH_MQ (41) / UNLOCK_BATCH_MQ (42) (AdminBrokerProcessor.lockBatchMQ /
 * unlockBatchMQ), 4.9.8. QUERY_CONSUMER_OFFSET / UPDATE_CONSUMER_OFFSET are
 * registered by the offset processors, not here.
 */
import { InvalidArgumentError } from '../../common/index.js';
import type { RemotingCommand } from '../../protocol/index.js';
import { GetConsumerListByGroupRequestHeader, RequestCode, ResponseCode, createResponseFor } from '../../protocol/index.js';
import type { BrokerContext } from '../broker-context.js';
import { parseJsonBody } from '../client/heartbeat-data.js';
import type { MessageQueue } from '../client/rebalance-lock-manager.js';
import { arr, asRecord, num, str } from '../json-narrow.js';

/** The part of BrokerContext these processors use (BrokerContext satisfies it). */
export type ConsumerManageContext = Pick<BrokerContext, 'server' | 'consumers' | 'locks' | 'logger'>;

/** LockBatchRequestBody.java / UnlockBatchRequestBody.java (4.9.8; 5.x `onlyThisBroker` ignored). */
export interface LockBatchRequestBody {
  consumerGroup: string;
  clientId: string;
  mqSet: MessageQueue[];
}

export function parseMessageQueue(u: unknown): MessageQueue {
  const o = asRecord(u, 'MessageQueue');
  const queueId = num(o, 'queueId');
  if (!Number.isSafeInteger(queueId) || queueId < 0 || queueId > 0x7fffffff) {
    throw new InvalidArgumentError(`MessageQueue.queueId must be a non-negative int, got ${queueId}`);
  }
  return { brokerName: str(o, 'brokerName'), queueId, topic: str(o, 'topic') };
}

export function parseLockBatchRequestBody(u: unknown): LockBatchRequestBody {
  const o = asRecord(u, 'LockBatchRequestBody');
  return {
    consumerGroup: str(o, 'consumerGroup'),
    clientId: str(o, 'clientId'),
    mqSet: arr(o, 'mqSet').map(parseMessageQueue),
  };
}

/** MessageQueue with keys in fastjson (sorted) order. */
function mqJson(mq: MessageQueue): MessageQueue {
  return { brokerName: mq.brokerName, queueId: mq.queueId, topic: mq.topic };
}

export function registerConsumerManageProcessors(ctx: ConsumerManageContext): void {
  const log = ctx.logger.child({ component: 'broker.consumer-manage' });

  /** ConsumerManageProcessor.getConsumerListByGroup. */
  ctx.server.registerProcessor(RequestCode.GET_CONSUMER_LIST_BY_GROUP, (request, { channel }) => {
    const { consumerGroup } = GetConsumerListByGroupRequestHeader.decode(request.extFields);
    const info = ctx.consumers.getConsumerGroupInfo(consumerGroup);
    const ids = info?.allClientIds() ?? [];
    if (ids.length > 0) {
      return createResponseFor(request, ResponseCode.SUCCESS, undefined, { body: Buffer.from(JSON.stringify({ consumerIdList: ids })) });
    }
    log.warn(info === undefined ? 'getConsumerGroupInfo failed' : 'getAllClientId failed', { group: consumerGroup, addr: channel.remoteAddress });
    return createResponseFor(request, ResponseCode.SYSTEM_ERROR, `no consumer for this group, ${consumerGroup}`);
  });

  /** AdminBrokerProcessor.lockBatchMQ: body LockBatchResponseBody {lockOKMQSet}. */
  ctx.server.registerProcessor(RequestCode.LOCK_BATCH_MQ, (request: RemotingCommand) => {
    const body = parseLockBatchRequestBody(parseJsonBody(request.body, 'LockBatchRequestBody'));
    const locked = ctx.locks.tryLockBatch(body.consumerGroup, body.mqSet, body.clientId);
    const response = { lockOKMQSet: locked.map(mqJson) };
    return createResponseFor(request, ResponseCode.SUCCESS, undefined, { body: Buffer.from(JSON.stringify(response)) });
  });

  /** AdminBrokerProcessor.unlockBatchMQ. */
  ctx.server.registerProcessor(RequestCode.UNLOCK_BATCH_MQ, (request: RemotingCommand) => {
    const body = parseLockBatchRequestBody(parseJsonBody(request.body, 'UnlockBatchRequestBody'));
    ctx.locks.unlockBatch(body.consumerGroup, body.mqSet, body.clientId);
    return createResponseFor(request, ResponseCode.SUCCESS);
  });
}
