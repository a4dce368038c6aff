/**
 * OrbitMQ client SDK: speaks RocketMQ 4.x remoting to OrbitMQ and Apache
 * RocketMQ brokers.
 *
 * ```ts
 * const producer = new Producer({ namesrvAddr: '127.0.0.1:9876', group: 'my-group' });
 * await producer.start();
 * const r = await producer.send({ topic: 'orders', body: 'hello', tags: 'A', keys: ['order-1'] });
 * await producer.shutdown();
 * ```
 *
 * Consumer implementers build on MQClientInstance (registerConsumer,
 * sendHeartbeatNow, fetchSubscribeMessageQueues, findBrokerAddressInSubscribe)
 * and MQClientAPI (pullMessage, offsets, locks, send-back).
 */
export { type ClientOptions, type ResolvedClientOptions, resolveClientOptions, defaultClientIP } from './client-options.js';
export {
  ClientError, ClientStateError, NoRouteError, MessageTooLargeError, InvalidMessageError, AbortError, isAbortError,
} from './errors.js';
export { type Message, TIMER_DELIVER_MS, START_DELIVER_TIME } from './message.js';
export { type MessageExt, decodeMessages, decodeMessage, userProperties } from './message-ext.js';
export {
  type MessageQueue, type TopicRouteData, type QueueData, type BrokerData, type TopicPublishInfo,
  messageQueueKey, compareMessageQueues, parseTopicRouteData, toPublishInfo, toSubscribeQueues,
} from './route.js';
export {
  MQClientAPI, type SendResult, type SendStatus, type PullResult, type PullStatus, type CallOptions, type LockBatchRequest,
} from './mq-client-api.js';
export { MQClientInstance, type ProducerHandle, type ConsumerHandle, type UpdateRouteOptions } from './mq-client-instance.js';
export {
  type HeartbeatData, type ConsumerData, type SubscriptionData, type ConsumeType, type MessageModel, type ConsumeFromWhere,
  buildSubscriptionData, matchesSubscription, SUB_ALL,
} from './heartbeat.js';
export { Producer, type ProducerOptions, type SendOptions, type RequestOptions } from './producer.js';
export {
  TransactionProducer, type TransactionProducerOptions, type TransactionSendResult, type LocalTransactionState,
  type LocalTransactionExecutor, type TransactionCheckListener,
} from './transaction-producer.js';
export { type MessageQueueSelector, selectByHash, selectRandom } from './queue-selector.js';
export { LatencyFaultTolerance } from './latency-fault-tolerance.js';
export type { SendHooks, SendContext, SendOutcome } from './send-hooks.js';
export { UniqIdGenerator } from './uniq-id.js';
export { PushConsumer } from './consumer/push-consumer.js';
export {
  type PushConsumerOptions, type PushConsumerEvents, type MessageListener, type OrderlyMessageListener, type ConsumeContext,
  type ConsumeConcurrentlyStatus, type ConsumeOrderlyStatus, type ConsumeHooks, type ConsumeHookContext, type ConsumeOutcome,
  type ConsumerErrorEvent, type ConsumerErrorSource,
} from './consumer/push-consumer-options.js';
export { RebalanceImpl, type RebalanceOptions, type RebalanceListener, type RebalanceChange } from './consumer/rebalance-impl.js';
export { type AllocateStrategy, allocateAveragely, allocateAveragelyByCircle, allocateConsistentHash } from './consumer/allocate-strategy.js';
export { lockQueues, unlockQueues } from './consumer/queue-lock.js';
export { brokerOffsetBackend } from './consumer/broker-offset-backend.js';
export {
  type OffsetStore, type ReadOffsetType, type BrokerOffsetBackend, RemoteBrokerOffsetStore, LocalFileOffsetStore,
} from './consumer/offset-store.js';
export { ProcessQueue } from './consumer/process-queue.js';
export { SequenceStamper, LossDetector, LOSS_DETECTOR_PROPERTY, type ProducerLossReport } from './loss-detector.js';
export { LitePullConsumer, type PollOptions, type IterateOptions } from './consumer/lite-pull-consumer.js';
export type { LitePullConsumerOptions } from './consumer/lite-pull-options.js';
export {
  TRACE_TOPIC, TraceDispatcher, TRACE_CLIENT_PROPERTY, sendTraceHooks, consumeTraceHooks, encodeTraceRecord, decodeTraceData,
  queryTrace, buildMessageTrace,
  type TraceOptions, type TraceRecord, type PubTraceRecord, type SubBeforeTraceRecord, type SubAfterTraceRecord,
  type MessageTrace, type TracePublish, type TraceConsume, type TraceGroupSummary, type QueryTraceOptions,
} from './trace/index.js';
export {
  createReplyMessage, replyTopic, REPLY_MESSAGE_FLAG, RequestFutureTable, type ReplyMessage,
} from './request-reply/index.js';
