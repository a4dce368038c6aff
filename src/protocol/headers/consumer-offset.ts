import { defineHeader, opt, req, type HeaderType } from './header-schema.js';

/** QueryConsumerOffsetRequestHeader.java (code 14). */
export const QueryConsumerOffsetRequestHeader = defineHeader('QueryConsumerOffsetRequestHeader', {
  consumerGroup: req('string'),
  topic: req('string'),
  queueId: req('int'),
  bname: opt('string'),
});
export type QueryConsumerOffsetRequestHeader = HeaderType<typeof QueryConsumerOffsetRequestHeader>;

/** QueryConsumerOffsetResponseHeader.java. */
export const QueryConsumerOffsetResponseHeader = defineHeader('QueryConsumerOffsetResponseHeader', {
  offset: req('long'),
});
export type QueryConsumerOffsetResponseHeader = HeaderType<typeof QueryConsumerOffsetResponseHeader>;

/** UpdateConsumerOffsetRequestHeader.java (code 15; the Java client sends it oneway). */
export const UpdateConsumerOffsetRequestHeader = defineHeader('UpdateConsumerOffsetRequestHeader', {
  consumerGroup: req('string'),
  topic: req('string'),
  queueId: req('int'),
  commitOffset: req('long'),
  bname: opt('string'),
});
export type UpdateConsumerOffsetRequestHeader = HeaderType<typeof UpdateConsumerOffsetRequestHeader>;

/** GetMaxOffsetRequestHeader.java (30); GetMinOffsetRequestHeader (31) and GetEarliestMsgStoretimeRequestHeader (32) have the same fields. */
export const GetOffsetRequestHeader = defineHeader('GetMaxOffsetRequestHeader', {
  topic: req('string'),
  queueId: req('int'),
  bname: opt('string'),
});
export type GetOffsetRequestHeader = HeaderType<typeof GetOffsetRequestHeader>;

/** SearchOffsetRequestHeader.java (29). */
export const SearchOffsetRequestHeader = defineHeader('SearchOffsetRequestHeader', {
  topic: req('string'),
  queueId: req('int'),
  timestamp: req('long'),
  bname: opt('string'),
});
export type SearchOffsetRequestHeader = HeaderType<typeof SearchOffsetRequestHeader>;

/** GetMaxOffsetResponseHeader / GetMinOffsetResponseHeader / SearchOffsetResponseHeader.java. */
export const OffsetResponseHeader = defineHeader('OffsetResponseHeader', {
  offset: req('long'),
});
export type OffsetResponseHeader = HeaderType<typeof OffsetResponseHeader>;

/** GetEarliestMsgStoretimeResponseHeader.java. */
export const GetEarliestMsgStoretimeResponseHeader = defineHeader('GetEarliestMsgStoretimeResponseHeader', {
  timestamp: req('long'),
});
export type GetEarliestMsgStoretimeResponseHeader = HeaderType<typeof GetEarliestMsgStoretimeResponseHeader>;
