/**
 * queryTrace: one message's whole path from the trace topic (what the Java
 * admin's queryTraceByMsgId and TraceView do): QUERY_MESSAGE on the trace
 * topic with key = msgId on every master of the trace topic's route, decode
 * the trace bodies, keep the records of this msgId, and build a timeline —
 * who sent it (group, client, broker, when, cost, result), and every listener
 * call per consumer group and client (retry count, cost, result, return type).
 * The client of a record is the trace message's born host (as TraceView), and
 * the client id when an OrbitMQ client wrote it.
 */
import { NotFoundError } from '../../common/index.js';
import { AdminClient, type AdminClientOptions } from '../admin/admin-client.js';
import type { MessageExt } from '../message-ext.js';
import {
  CONSUME_RETURN_TYPES, TRACE_TOPIC, decodeTraceData,
  type ConsumeReturnType, type SubAfterTraceRecord, type SubBeforeTraceRecord, type TraceMessageType, type TraceRecord,
} from './trace-data.js';
import { TRACE_CLIENT_PROPERTY } from './trace-dispatcher.js';

/** Where a record came from. */
export interface TraceSource {
  /** `ip:port` of the client that wrote the record (the trace message's born host). */
  readonly clientHost: string;
  /** Its client id (`ip@instance`), when an OrbitMQ client wrote it. */
  readonly clientId: string | undefined;
}

/** A send (Pub record). */
export interface TracePublish extends TraceSource {
  readonly producerGroup: string;
  readonly topic: string;
  readonly tags: string | undefined;
  readonly keys: readonly string[];
  /** The broker it was sent to. */
  readonly storeHost: string;
  readonly timestamp: number;
  readonly costMs: number;
  readonly success: boolean;
  readonly offsetMsgId: string;
  readonly bodyLength: number;
  readonly msgType: TraceMessageType;
  readonly regionId: string;
}

/** One listener call on the message (a SubBefore and, once it ended, its SubAfter). */
export interface TraceConsume extends TraceSource {
  readonly consumerGroup: string;
  readonly requestId: string;
  /** reconsumeTimes of the delivery: 0 first, 1 for the first retry, ... */
  readonly retryTimes: number;
  readonly timestamp: number;
  /** Undefined while the call has no SubAfter (still running, or the record was lost). */
  readonly endTimestamp: number | undefined;
  readonly costMs: number | undefined;
  readonly success: boolean | undefined;
  readonly contextCode: number | undefined;
  readonly returnType: ConsumeReturnType | undefined;
  readonly status: 'success' | 'failed' | 'pending';
}

/** Per consumer group: did it consume the message, after how many retries. */
export interface TraceGroupSummary {
  readonly consumerGroup: string;
  readonly attempts: number;
  /** The highest retryTimes seen. */
  readonly retries: number;
  readonly consumed: boolean;
  readonly clients: readonly string[];
}

export interface MessageTrace {
  readonly msgId: string;
  readonly traceTopic: string;
  readonly publish: readonly TracePublish[];
  /** Listener calls, oldest first. */
  readonly consumes: readonly TraceConsume[];
  readonly groups: readonly TraceGroupSummary[];
  /** Records of this msgId found (all types). */
  readonly records: number;
}

export interface QueryTraceOptions {
  /** Default RMQ_SYS_TRACE_TOPIC. */
  readonly traceTopic?: string;
  /** Trace messages per broker. Default 64 (the broker may cap it). */
  readonly maxNum?: number;
  readonly begin?: number;
  readonly end?: number;
}

/**
 * The trace of `msgId` (its UNIQ_KEY); NotFoundError when no broker has a
 * record of it. Pass an AdminClient, or its options (`{ namesrvAddr }`) for a
 * one-off client closed afterwards.
 */
export async function queryTrace(admin: AdminClient | AdminClientOptions, msgId: string, opts: QueryTraceOptions = {}): Promise<MessageTrace> {
  if (admin instanceof AdminClient) return query(admin, msgId, opts);
  const own = new AdminClient(admin);
  try {
    return await query(own, msgId, opts);
  } finally {
    await own.close();
  }
}

async function query(admin: AdminClient, msgId: string, opts: QueryTraceOptions): Promise<MessageTrace> {
  const traceTopic = opts.traceTopic ?? TRACE_TOPIC;
  const found: MessageExt[] = [];
  const seen = new Set<string>();
  for (const b of await admin.topicMasters(traceTopic)) {
    const msgs = await admin.queryMessage(b.addr, b.brokerName, traceTopic, msgId, {
      maxNum: opts.maxNum ?? 64, ...(opts.begin === undefined ? {} : { begin: opts.begin }), ...(opts.end === undefined ? {} : { end: opts.end }),
    });
    for (const m of msgs) {
      const id = `${b.brokerName}/${m.commitLogOffset}`;
      if (seen.has(id)) continue;
      seen.add(id);
      found.push(m);
    }
  }
  const trace = buildMessageTrace(msgId, traceTopic, found);
  if (trace.records === 0) throw new NotFoundError(`no trace of message ${msgId} in ${traceTopic}`);
  return trace;
}

/** The timeline of `msgId` from trace messages (exported for tests and other readers). */
export function buildMessageTrace(msgId: string, traceTopic: string, traceMessages: readonly MessageExt[]): MessageTrace {
  const publish: TracePublish[] = [];
  const befores = new Map<string, { r: SubBeforeTraceRecord; src: TraceSource }>();
  const afters = new Map<string, SubAfterTraceRecord>();
  let records = 0;
  for (const m of traceMessages) {
    const src: TraceSource = { clientHost: m.bornHost, clientId: m.properties[TRACE_CLIENT_PROPERTY] };
    const mine = decodeTraceData(m.body.toString('utf8')).filter((r: TraceRecord) => r.msgId === msgId);
    records += mine.length;
    for (const r of mine) {
      if (r.type === 'Pub') {
        publish.push({
          producerGroup: r.groupName, topic: r.topic, tags: r.tags, keys: splitKeys(r.keys), storeHost: r.storeHost, timestamp: r.timestamp,
          costMs: r.costTime, success: r.success, offsetMsgId: r.offsetMsgId, bodyLength: r.bodyLength, msgType: r.msgType, regionId: r.regionId,
          clientHost: r.clientHost ?? src.clientHost, clientId: src.clientId,
        });
      } else if (r.type === 'SubBefore') {
        befores.set(r.requestId, { r, src });
      } else if (r.type === 'SubAfter') {
        afters.set(r.requestId, r);
      }
    }
  }
  const consumes: TraceConsume[] = [];
  for (const [requestId, { r, src }] of befores) {
    const a = afters.get(requestId);
    consumes.push({
      consumerGroup: r.groupName, requestId, retryTimes: r.retryTimes, timestamp: r.timestamp, ...src,
      endTimestamp: a?.timestamp, costMs: a?.costTime, success: a?.success, contextCode: a?.contextCode,
      returnType: a === undefined ? undefined : CONSUME_RETURN_TYPES[a.contextCode],
      status: a === undefined ? 'pending' : a.success ? 'success' : 'failed',
    });
  }
  consumes.sort((x, y) => x.timestamp - y.timestamp || x.retryTimes - y.retryTimes);
  publish.sort((x, y) => x.timestamp - y.timestamp);
  return { msgId, traceTopic, publish, consumes, groups: summarize(consumes), records };
}

function splitKeys(keys: string | undefined): string[] {
  return keys === undefined ? [] : keys.split(' ').filter((k) => k.length > 0);
}

function summarize(consumes: readonly TraceConsume[]): TraceGroupSummary[] {
  const by = new Map<string, TraceConsume[]>();
  for (const c of consumes) {
    const list = by.get(c.consumerGroup);
    if (list === undefined) by.set(c.consumerGroup, [c]);
    else list.push(c);
  }
  return [...by].map(([consumerGroup, list]) => ({
    consumerGroup,
    attempts: list.length,
    retries: Math.max(...list.map((c) => c.retryTimes)),
    consumed: list.some((c) => c.success === true),
    clients: [...new Set(list.map((c) => c.clientId ?? c.clientHost))],
  }));
}
