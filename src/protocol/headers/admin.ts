import { defineHeader, opt, req, type HeaderType } from './header-schema.js';

/** CreateTopicRequestHeader.java (17). */
export const CreateTopicRequestHeader = defineHeader('CreateTopicRequestHeader', {
  topic: req('string'),
  defaultTopic: req('string'),
  readQueueNums: req('int'),
  writeQueueNums: req('int'),
  perm: req('int'),
  topicFilterType: req('string'),
  topicSysFlag: opt('int'),
  order: req('bool'),
});
export type CreateTopicRequestHeader = HeaderType<typeof CreateTopicRequestHeader>;

/** DeleteTopicRequestHeader.java (215). */
export const DeleteTopicRequestHeader = defineHeader('DeleteTopicRequestHeader', {
  topic: req('string'),
});
export type DeleteTopicRequestHeader = HeaderType<typeof DeleteTopicRequestHeader>;

/** QueryMessageRequestHeader.java (12). */
export const QueryMessageRequestHeader = defineHeader('QueryMessageRequestHeader', {
  topic: req('string'),
  key: req('string'),
  maxNum: req('int'),
  beginTimestamp: req('long'),
  endTimestamp: req('long'),
});
export type QueryMessageRequestHeader = HeaderType<typeof QueryMessageRequestHeader>;

/** QueryMessageResponseHeader.java. */
export const QueryMessageResponseHeader = defineHeader('QueryMessageResponseHeader', {
  indexLastUpdateTimestamp: req('long'),
  indexLastUpdatePhyoffset: req('long'),
});
export type QueryMessageResponseHeader = HeaderType<typeof QueryMessageResponseHeader>;

/** ViewMessageRequestHeader.java (33): commit-log offset from the offset msgId. */
export const ViewMessageRequestHeader = defineHeader('ViewMessageRequestHeader', {
  offset: req('long'),
});
export type ViewMessageRequestHeader = HeaderType<typeof ViewMessageRequestHeader>;

/** ResetOffsetRequestHeader.java (220, 222). */
export const ResetOffsetRequestHeader = defineHeader('ResetOffsetRequestHeader', {
  topic: req('string'),
  group: req('string'),
  timestamp: req('long'),
  isForce: req('bool'),
});
export type ResetOffsetRequestHeader = HeaderType<typeof ResetOffsetRequestHeader>;

/** GetConsumeStatsRequestHeader.java (208). */
export const GetConsumeStatsRequestHeader = defineHeader('GetConsumeStatsRequestHeader', {
  consumerGroup: req('string'),
  topic: opt('string'),
});
export type GetConsumeStatsRequestHeader = HeaderType<typeof GetConsumeStatsRequestHeader>;
