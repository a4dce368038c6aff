import { RequestCode } from '../request-code.js';
import {
  decodeHeader, defineHeader, encodeHeader, opt, req, type HeaderOf, type HeaderType,
} from './header-schema.js';

/** SendMessageRequestHeader.java (4.9.8; `bname` 4.9.5+). remoting.md §6.1. */
const SEND_SCHEMA = {
  producerGroup: req('string'),
  topic: req('string'),
  defaultTopic: req('string'),
  defaultTopicQueueNums: req('int'),
  queueId: req('int'),
  sysFlag: req('int'),
  bornTimestamp: req('long'),
  flag: req('int'),
  properties: opt('string'),
  reconsumeTimes: opt('int'),
  unitMode: opt('bool'),
  maxReconsumeTimes: opt('int'),
  batch: opt('bool'),
  bname: opt('string'),
} as const;

export const SendMessageRequestHeader = defineHeader('SendMessageRequestHeader', SEND_SCHEMA);
export type SendMessageRequestHeader = HeaderOf<typeof SEND_SCHEMA>;

/** SendMessageRequestHeaderV2.java: v1 field name → single-letter key. */
export const SEND_MESSAGE_V2_KEYS: Readonly<Record<keyof typeof SEND_SCHEMA, string>> = {
  producerGroup: 'a',
  topic: 'b',
  defaultTopic: 'c',
  defaultTopicQueueNums: 'd',
  queueId: 'e',
  sysFlag: 'f',
  bornTimestamp: 'g',
  flag: 'h',
  properties: 'i',
  reconsumeTimes: 'j',
  unitMode: 'k',
  maxReconsumeTimes: 'l',
  batch: 'm',
  bname: 'n',
};

const v2Key = (field: string): string => (SEND_MESSAGE_V2_KEYS as Readonly<Record<string, string>>)[field] ?? field;

/** Parses the single-letter V2 header (codes 310, 320, 325) into v1 names. */
export function decodeSendMessageRequestHeaderV2(ext: Readonly<Record<string, string>>): SendMessageRequestHeader {
  return decodeHeader('SendMessageRequestHeaderV2', SEND_SCHEMA, ext, v2Key);
}

/** Writes the header with single-letter V2 keys. */
export function encodeSendMessageRequestHeaderV2(
  header: SendMessageRequestHeader,
  into: Record<string, string> = {},
): Record<string, string> {
  return encodeHeader('SendMessageRequestHeaderV2', SEND_SCHEMA, header, into, v2Key);
}

/**
 * Parses the send header of any send-family request code: v1 names for
 * SEND_MESSAGE / SEND_REPLY_MESSAGE, single letters for SEND_MESSAGE_V2,
 * SEND_BATCH_MESSAGE and SEND_REPLY_MESSAGE_V2 (SendMessageProcessor.parseRequestHeader).
 */
export function decodeSendMessageRequestHeaderFor(
  code: number,
  ext: Readonly<Record<string, string>>,
): SendMessageRequestHeader {
  switch (code) {
    case RequestCode.SEND_MESSAGE_V2:
    case RequestCode.SEND_BATCH_MESSAGE:
    case RequestCode.SEND_REPLY_MESSAGE_V2:
      return decodeSendMessageRequestHeaderV2(ext);
    default:
      return SendMessageRequestHeader.decode(ext);
  }
}

/**
 * SendMessageResponseHeader.java, plus the extFields the broker adds beside it
 * (`MSG_REGION`, `TRACE_ON`; remoting.md §6.2). `transactionId` is 5.x.
 */
export const SendMessageResponseHeader = defineHeader('SendMessageResponseHeader', {
  msgId: req('string'),
  queueId: req('int'),
  queueOffset: req('long'),
  transactionId: opt('string'),
  MSG_REGION: opt('string'),
  TRACE_ON: opt('string'),
});
export type SendMessageResponseHeader = HeaderType<typeof SendMessageResponseHeader>;
