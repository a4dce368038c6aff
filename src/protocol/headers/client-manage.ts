import { defineHeader, opt, req, type HeaderType } from './header-schema.js';

/** UnregisterClientRequestHeader.java (35). */
export const UnregisterClientRequestHeader = defineHeader('UnregisterClientRequestHeader', {
  clientID: req('string'),
  producerGroup: opt('string'),
  consumerGroup: opt('string'),
});
export type UnregisterClientRequestHeader = HeaderType<typeof UnregisterClientRequestHeader>;

/** GetConsumerListByGroupRequestHeader.java (38). */
export const GetConsumerListByGroupRequestHeader = defineHeader('GetConsumerListByGroupRequestHeader', {
  consumerGroup: req('string'),
});
export type GetConsumerListByGroupRequestHeader = HeaderType<typeof GetConsumerListByGroupRequestHeader>;

/** NotifyConsumerIdsChangedRequestHeader.java (40, broker → client, oneway). */
export const NotifyConsumerIdsChangedRequestHeader = defineHeader('NotifyConsumerIdsChangedRequestHeader', {
  consumerGroup: req('string'),
});
export type NotifyConsumerIdsChangedRequestHeader = HeaderType<typeof NotifyConsumerIdsChangedRequestHeader>;

/** ConsumerSendMsgBackRequestHeader.java (36). */
export const ConsumerSendMsgBackRequestHeader = defineHeader('ConsumerSendMsgBackRequestHeader', {
  offset: req('long'),
  group: req('string'),
  delayLevel: req('int'),
  originMsgId: opt('string'),
  originTopic: opt('string'),
  unitMode: opt('bool'),
  maxReconsumeTimes: opt('int'),
  bname: opt('string'),
});
export type ConsumerSendMsgBackRequestHeader = HeaderType<typeof ConsumerSendMsgBackRequestHeader>;

/** EndTransactionRequestHeader.java (37). commitOrRollback: 0 unknown, 8 commit, 12 rollback. */
export const EndTransactionRequestHeader = defineHeader('EndTransactionRequestHeader', {
  producerGroup: req('string'),
  tranStateTableOffset: req('long'),
  commitLogOffset: req('long'),
  commitOrRollback: req('int'),
  fromTransactionCheck: opt('bool'),
  msgId: req('string'),
  transactionId: opt('string'),
  bname: opt('string'),
});
export type EndTransactionRequestHeader = HeaderType<typeof EndTransactionRequestHeader>;

/** CheckTransactionStateRequestHeader.java (39, broker → client, oneway). */
export const CheckTransactionStateRequestHeader = defineHeader('CheckTransactionStateRequestHeader', {
  tranStateTableOffset: req('long'),
  commitLogOffset: req('long'),
  msgId: opt('string'),
  transactionId: opt('string'),
  offsetMsgId: opt('string'),
  bname: opt('string'),
});
export type CheckTransactionStateRequestHeader = HeaderType<typeof CheckTransactionStateRequestHeader>;

/** GetConsumerRunningInfoRequestHeader.java (307). */
export const GetConsumerRunningInfoRequestHeader = defineHeader('GetConsumerRunningInfoRequestHeader', {
  consumerGroup: req('string'),
  clientId: req('string'),
  jstackEnable: opt('bool'),
});
export type GetConsumerRunningInfoRequestHeader = HeaderType<typeof GetConsumerRunningInfoRequestHeader>;
