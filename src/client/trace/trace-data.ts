/**
 * Message-trace records and their wire text (Java TraceDataEncoder, TraceType,
 * TraceConstants, rocketmq-all-4.9.8). A trace message's body is a run of
 * records, each ended by FIELD_SPLITOR (char 2), its fields separated by
 * CONTENT_SPLITOR (char 1):
 *
 * - Pub:       Pub, timestamp, regionId, group, topic, msgId, tags, keys, storeHost, bodyLength, costTime, msgType, offsetMsgId, success
 * - SubBefore: SubBefore, timestamp, regionId, group, requestId, msgId, retryTimes, keys
 * - SubAfter:  SubAfter, requestId, msgId, costTime, success, keys, contextCode, timestamp, group
 * - EndTransaction (decoded only): EndTransaction, timestamp, regionId, group, topic, msgId, tags, keys, storeHost, msgType, transactionId, state, fromCheck
 *
 * Absent tags/keys are written `null`, as Java's StringBuilder does; decoding
 * turns `null` and empty text back into undefined.
 */

/** TopicValidator.RMQ_SYS_TRACE_TOPIC: the default trace topic (brokers create it). */
export const TRACE_TOPIC = 'RMQ_SYS_TRACE_TOPIC';
export const CONTENT_SPLITOR = '\u0001';
export const FIELD_SPLITOR = '\u0002';
/** TraceConstants.GROUP_NAME_PREFIX: producer groups of the trace senders. */
export const TRACE_GROUP_PREFIX = '_INNER_TRACE_PRODUCER';

/** org.apache.rocketmq.common.message.MessageType, by ordinal. */
export const TRACE_MESSAGE_TYPES = ['Normal_Msg', 'Trans_Msg_Half', 'Trans_msg_Commit', 'Delay_Msg'] as const;
export type TraceMessageType = (typeof TRACE_MESSAGE_TYPES)[number];

/** ConsumeReturnType, by ordinal (the SubAfter contextCode). */
export const CONSUME_RETURN_TYPES = ['SUCCESS', 'TIME_OUT', 'EXCEPTION', 'RETURNNULL', 'FAILED'] as const;
export type ConsumeReturnType = (typeof CONSUME_RETURN_TYPES)[number];

/** The message fields of the records a producer writes (Pub, EndTransaction). */
interface ProducedMessageFields {
  readonly timestamp: number;
  readonly regionId: string;
  readonly groupName: string;
  readonly topic: string;
  readonly msgId: string;
  readonly tags: string | undefined;
  /** KEYS as sent (space-separated). */
  readonly keys: string | undefined;
  /** The broker address the message was sent to. */
  readonly storeHost: string;
  readonly msgType: TraceMessageType;
}

export interface PubTraceRecord extends ProducedMessageFields {
  readonly type: 'Pub';
  readonly bodyLength: number;
  readonly costTime: number;
  readonly offsetMsgId: string;
  readonly success: boolean;
  /** Only in records of writers that append it (a 15th field, read by Java 4.9.8's decoder). */
  readonly clientHost?: string | undefined;
}

export interface SubBeforeTraceRecord {
  readonly type: 'SubBefore';
  readonly timestamp: number;
  readonly regionId: string;
  readonly groupName: string;
  /** Pairs a SubBefore with its SubAfter (one listener call). */
  readonly requestId: string;
  readonly msgId: string;
  readonly retryTimes: number;
  readonly keys: string | undefined;
}

export interface SubAfterTraceRecord {
  readonly type: 'SubAfter';
  readonly requestId: string;
  readonly msgId: string;
  readonly costTime: number;
  readonly success: boolean;
  readonly keys: string | undefined;
  readonly contextCode: number;
  /** Absent in records of old or cloud writers. */
  readonly timestamp: number | undefined;
  readonly groupName: string | undefined;
}

export interface EndTransactionTraceRecord extends ProducedMessageFields {
  readonly type: 'EndTransaction';
  readonly transactionId: string;
  readonly transactionState: string;
  readonly fromTransactionCheck: boolean;
}

export type TraceRecord = PubTraceRecord | SubBeforeTraceRecord | SubAfterTraceRecord | EndTransactionTraceRecord;

const opt = (v: string | undefined): string => (v === undefined ? 'null' : v);
const unopt = (v: string | undefined): string | undefined => (v === undefined || v === '' || v === 'null' ? undefined : v);

/** One record as TraceDataEncoder.encoderFromContextBean writes it (FIELD_SPLITOR included). */
export function encodeTraceRecord(r: TraceRecord): string {
  let fields: (string | number | boolean)[];
  switch (r.type) {
    case 'Pub':
      fields = [r.type, r.timestamp, r.regionId, r.groupName, r.topic, r.msgId, opt(r.tags), opt(r.keys), r.storeHost, r.bodyLength,
        r.costTime, TRACE_MESSAGE_TYPES.indexOf(r.msgType), r.offsetMsgId, r.success];
      if (r.clientHost !== undefined) fields.push(r.clientHost);
      break;
    case 'SubBefore':
      fields = [r.type, r.timestamp, r.regionId, r.groupName, r.requestId, r.msgId, r.retryTimes, opt(r.keys)];
      break;
    case 'SubAfter':
      fields = [r.type, r.requestId, r.msgId, r.costTime, r.success, opt(r.keys), r.contextCode];
      if (r.timestamp !== undefined) fields.push(r.timestamp, opt(r.groupName));
      break;
    case 'EndTransaction':
      fields = [r.type, r.timestamp, r.regionId, r.groupName, r.topic, r.msgId, opt(r.tags), opt(r.keys), r.storeHost,
        TRACE_MESSAGE_TYPES.indexOf(r.msgType), r.transactionId, r.transactionState, r.fromTransactionCheck];
      break;
  }
  return fields.map(String).join(CONTENT_SPLITOR) + FIELD_SPLITOR;
}

/** The index keys of a record (TraceTransferBean.transKey): its msgId and its message keys. */
export function traceRecordKeys(r: TraceRecord): string[] {
  const keys = r.keys === undefined ? [] : r.keys.split(' ').filter((k) => k.length > 0);
  return [r.msgId, ...keys];
}

function int(v: string | undefined): number {
  if (v === undefined || !/^-?\d+$/.test(v)) throw new RangeError(`not an integer: ${String(v)}`);
  return Number(v);
}

const bool = (v: string | undefined): boolean => v?.toLowerCase() === 'true';

function msgType(v: string | undefined): TraceMessageType {
  return TRACE_MESSAGE_TYPES[int(v)] ?? 'Normal_Msg';
}

function decodeLine(f: readonly string[]): TraceRecord | undefined {
  const s = (i: number): string => f[i] ?? '';
  switch (f[0]) {
    case 'Pub': {
      if (f.length < 13) return undefined;
      const withOffset = f.length >= 14;
      return {
        type: 'Pub', timestamp: int(f[1]), regionId: s(2), groupName: s(3), topic: s(4), msgId: s(5), tags: unopt(f[6]), keys: unopt(f[7]),
        storeHost: s(8), bodyLength: int(f[9]), costTime: int(f[10]), msgType: msgType(f[11]),
        offsetMsgId: withOffset ? s(12) : '', success: bool(withOffset ? f[13] : f[12]),
        ...(f.length >= 15 ? { clientHost: s(14) } : {}),
      };
    }
    case 'SubBefore':
      if (f.length < 8) return undefined;
      return {
        type: 'SubBefore', timestamp: int(f[1]), regionId: s(2), groupName: s(3), requestId: s(4), msgId: s(5), retryTimes: int(f[6]), keys: unopt(f[7]),
      };
    case 'SubAfter':
      if (f.length < 6) return undefined;
      return {
        type: 'SubAfter', requestId: s(1), msgId: s(2), costTime: int(f[3]), success: bool(f[4]), keys: unopt(f[5]),
        contextCode: f.length >= 7 ? int(f[6]) : 0,
        timestamp: f.length >= 9 ? int(f[7]) : undefined, groupName: f.length >= 9 ? s(8) : undefined,
      };
    case 'EndTransaction':
      if (f.length < 13) return undefined;
      return {
        type: 'EndTransaction', timestamp: int(f[1]), regionId: s(2), groupName: s(3), topic: s(4), msgId: s(5), tags: unopt(f[6]), keys: unopt(f[7]),
        storeHost: s(8), msgType: msgType(f[9]), transactionId: s(10), transactionState: s(11), fromTransactionCheck: bool(f[12]),
      };
    default:
      return undefined;
  }
}

/**
 * TraceDataEncoder.decoderFromTraceDataString, leniently: a malformed or
 * unknown record is skipped rather than failing the whole body.
 */
export function decodeTraceData(data: string): TraceRecord[] {
  const out: TraceRecord[] = [];
  for (const line of data.split(FIELD_SPLITOR)) {
    if (line.length === 0) continue;
    try {
      const r = decodeLine(line.split(CONTENT_SPLITOR));
      if (r !== undefined) out.push(r);
    } catch {
      // a record we cannot read
    }
  }
  return out;
}
