/**
 * BrokerOffsetBackend over the wire (RemoteBrokerOffsetStore.fetchConsumeOffsetFromBroker /
 * updateConsumeOffsetToBroker, 4.9.8): QUERY_CONSUMER_OFFSET and
 * UPDATE_CONSUMER_OFFSET to the master of the queue's broker. Updates wait for
 * the broker's answer so that a commit at shutdown or on rebalance is on the
 * broker before the next owner reads it.
 */
import { OrbitError } from '../../common/index.js';
import type { MQClientInstance } from '../mq-client-instance.js';
import { MASTER_ID, type MessageQueue } from '../route.js';
import type { BrokerOffsetBackend } from './offset-store.js';

export function brokerOffsetBackend(instance: MQClientInstance, group: string): BrokerOffsetBackend {
  const master = async (mq: MessageQueue): Promise<string> => {
    let found = instance.findBrokerAddressInSubscribe(mq.brokerName, MASTER_ID, true);
    if (found === undefined) {
      await instance.updateTopicRoute(mq.topic);
      found = instance.findBrokerAddressInSubscribe(mq.brokerName, MASTER_ID, true);
    }
    if (found === undefined) throw new OrbitError('NO_ROUTE', `The broker[${mq.brokerName}] not exist`, { retriable: true });
    return found.addr;
  };
  return {
    async queryOffset(mq) {
      const off = await instance.api.queryConsumerOffset(await master(mq), { consumerGroup: group, topic: mq.topic, queueId: mq.queueId });
      return off ?? -1;
    },
    async updateOffset(mq, offset) {
      await instance.api.updateConsumerOffset(await master(mq), { consumerGroup: group, topic: mq.topic, queueId: mq.queueId, commitOffset: offset });
    },
  };
}
