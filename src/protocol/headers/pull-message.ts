import { defineHeader, opt, req, type HeaderType } from './header-schema.js';

/** PullMessageRequestHeader.java (4.9.8). remoting.md §6.3. */
export const PullMessageRequestHeader = defineHeader('PullMessageRequestHeader', {
  consumerGroup: req('string'),
  topic: req('string'),
  queueId: req('int'),
  queueOffset: req('long'),
  maxMsgNums: req('int'),
  sysFlag: req('int'),
  commitOffset: req('long'),
  suspendTimeoutMillis: req('long'),
  subscription: opt('string'),
  subVersion: req('long'),
  expressionType: opt('string'),
  bname: opt('string'),
});
export type PullMessageRequestHeader = HeaderType<typeof PullMessageRequestHeader>;

/** PullMessageResponseHeader.java (4.9.8). remoting.md §6.4. */
export const PullMessageResponseHeader = defineHeader('PullMessageResponseHeader', {
  suggestWhichBrokerId: req('long'),
  nextBeginOffset: req('long'),
  minOffset: req('long'),
  maxOffset: req('long'),
});
export type PullMessageResponseHeader = HeaderType<typeof PullMessageResponseHeader>;

/** PullSysFlag.java bits of PullMessageRequestHeader.sysFlag. */
export const PullSysFlag = {
  FLAG_COMMIT_OFFSET: 0x1,
  FLAG_SUSPEND: 0x2,
  FLAG_SUBSCRIPTION: 0x4,
  FLAG_CLASS_FILTER: 0x8,
  FLAG_LITE_PULL_MESSAGE: 0x10,
} as const;
