/**
 * The fallback of CONSUMER_SEND_MSG_BACK (DefaultMQPushConsumerImpl.sendMessageBack,
 * 4.9.8): when the broker that stored a message cannot take it back, the
 * client's inner producer (group CLIENT_INNER_PRODUCER) sends a copy to the
 * group's retry topic itself — the same body, flag and properties (UNIQ_KEY
 * included, so the msgId stays), ORIGIN_MESSAGE_ID, RETRY_TOPIC = the
 * original topic, delay level 3 + reconsumeTimes, and in the request header
 * reconsumeTimes + 1 and maxReconsumeTimes (past the maximum the broker
 * stores it in the group's DLQ instead).
 */
import { MessageConst } from '../../common/index.js';
import type { MessageExt } from '../message-ext.js';
import type { MQClientInstance } from '../mq-client-instance.js';
import type { SendResult } from '../mq-client-api.js';
import { Producer } from '../producer.js';

export const CLIENT_INNER_PRODUCER_GROUP = 'CLIENT_INNER_PRODUCER';
const RETRY_GROUP_TOPIC_PREFIX = '%RETRY%';

export class RetryProducer extends Producer {
  sendRetryCopy(msg: MessageExt, group: string, maxReconsumeTimes: number): Promise<SendResult> {
    const props = new Map(Object.entries(msg.properties));
    if (!props.has(MessageConst.PROPERTY_ORIGIN_MESSAGE_ID)) props.set(MessageConst.PROPERTY_ORIGIN_MESSAGE_ID, msg.msgId);
    props.set(MessageConst.PROPERTY_RETRY_TOPIC, msg.topic);
    props.delete(MessageConst.PROPERTY_TRANSACTION_PREPARED);
    props.delete(MessageConst.PROPERTY_RECONSUME_TIME);
    props.delete(MessageConst.PROPERTY_MAX_RECONSUME_TIMES);
    props.set(MessageConst.PROPERTY_DELAY_TIME_LEVEL, String(3 + msg.reconsumeTimes));
    const counts = { reconsumeTimes: msg.reconsumeTimes + 1, maxReconsumeTimes };
    return this.dispatch(this.prepareRaw(`${RETRY_GROUP_TOPIC_PREFIX}${group}`, msg.body, msg.flag, props, counts), {});
  }
}

const perInstance = new WeakMap<MQClientInstance, Promise<RetryProducer>>();

/** The client instance's inner producer, started on first use and shared by its consumers. */
export function retryProducerOf(instance: MQClientInstance): Promise<RetryProducer> {
  let p = perInstance.get(instance);
  if (p === undefined) {
    const producer = new RetryProducer({ group: CLIENT_INNER_PRODUCER_GROUP, namesrvAddr: instance.options.namesrvAddrs, clientInstance: instance });
    p = producer.start().then(() => producer);
    // A failed start is not remembered: the next fallback tries again.
    p.catch(() => perInstance.delete(instance));
    perInstance.set(instance, p);
  }
  return p;
}
