/**
 * The asynchronous trace writer (Java AsyncTraceDispatcher, 4.9.8). Hooks
 * `append` records into a bounded queue (full → dropped and counted, never
 * blocking); every `pollIntervalMs` the queue is drained into a segment, which
 * is sent as one trace message when it nears `maxMessageSize` or when its
 * first record has waited `flushIntervalMs`. A trace message's KEYS are the
 * traced msgIds and message keys, so the broker's index finds it by msgId.
 * Send failures are logged and dropped: tracing never fails or slows the
 * user's sends and listener calls. Sends in flight are bounded too.
 */
import { getErrorMessage, type Clock, type Logger } from '../../common/index.js';
import type { Message } from '../message.js';
import { encodeTraceRecord, traceRecordKeys, TRACE_GROUP_PREFIX, TRACE_TOPIC, type TraceRecord } from './trace-data.js';

/** User-facing trace settings (the `trace` option of producers and push consumers). */
export interface TraceOptions {
  /** Default RMQ_SYS_TRACE_TOPIC. */
  readonly traceTopic?: string;
  /** Listener calls / sends buffered before records are dropped. Default 1024 (Java traceContextQueue). */
  readonly maxQueueSize?: number;
  /** Longest wait of a record before its batch is sent. Default 500 (Java waitTimeThresholdMil). */
  readonly flushIntervalMs?: number;
}

/** What sends the trace messages: a Producer of its own group (structurally). */
export interface TraceSender {
  start(): Promise<void>;
  send(message: Message, opts: { timeoutMs: number }): Promise<unknown>;
  shutdown(): Promise<void>;
}

/** Settings of the trace producer a host creates (group `_INNER_TRACE_PRODUCER-<group>-<type>-<n>`). */
export interface TraceSenderSettings {
  readonly group: string;
  readonly sendTimeoutMs: number;
  readonly maxMessageSize: number;
  readonly retryTimesWhenSendFailed: number;
}

export interface TraceDispatcherOptions extends TraceOptions {
  readonly logger: Logger;
  readonly clock: Clock;
  /** The host's client id, written as the trace message property ORBIT_TRACE_CLIENT. */
  readonly clientId: string;
  /** Largest trace message body. Default 128000 (Java maxMsgSize). */
  readonly maxMessageSize?: number;
}

/** Property of OrbitMQ trace messages naming the writing client (Java readers ignore it). */
export const TRACE_CLIENT_PROPERTY = 'ORBIT_TRACE_CLIENT';
const POLL_MS = 100;
const MAX_IN_FLIGHT = 64;
const MAX_KEYS_BYTES = 24_000;
const SEND_TIMEOUT_MS = 5_000;
let counter = 0;

/** Settings of the trace producer of a host of `group` (`PRODUCE` or `CONSUME`). */
export function traceSenderSettings(group: string, type: 'PRODUCE' | 'CONSUME', maxMessageSize = 128_000): TraceSenderSettings {
  counter += 1;
  return { group: `${TRACE_GROUP_PREFIX}-${group}-${type}-${counter}`, sendTimeoutMs: SEND_TIMEOUT_MS, maxMessageSize, retryTimesWhenSendFailed: 2 };
}

/** `trace: true | {...}` → options, or undefined when tracing is off. */
export function resolveTraceOption(v: boolean | TraceOptions | undefined): TraceOptions | undefined {
  if (v === undefined || v === false) return undefined;
  return v === true ? {} : v;
}

interface Segment {
  data: string[];
  size: number;
  keys: Set<string>;
  keysBytes: number;
  firstAt: number;
}

export class TraceDispatcher {
  readonly traceTopic: string;
  private readonly sender: TraceSender;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly clientId: string;
  private readonly maxQueueSize: number;
  private readonly flushIntervalMs: number;
  private readonly maxMessageSize: number;
  private readonly queue: (readonly TraceRecord[])[] = [];
  private segment: Segment | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private started: Promise<void> | undefined;
  private stopped = false;
  /** Records dropped (queue full, too many sends in flight, failed sends). */
  discarded = 0;

  constructor(sender: TraceSender, opts: TraceDispatcherOptions) {
    this.sender = sender;
    this.traceTopic = opts.traceTopic ?? TRACE_TOPIC;
    this.logger = opts.logger.child({ component: 'client.trace' });
    this.clock = opts.clock;
    this.clientId = opts.clientId;
    this.maxQueueSize = Math.max(1, opts.maxQueueSize ?? 1024);
    this.flushIntervalMs = Math.max(0, opts.flushIntervalMs ?? 500);
    this.maxMessageSize = opts.maxMessageSize ?? 128_000;
  }

  /** Starts the trace producer and the drain timer. Never throws (a failure is logged; sends retry it). */
  start(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.timer === undefined) {
      this.timer = setInterval(() => this.tick(false), POLL_MS);
      this.timer.unref();
    }
    this.started ??= this.sender.start().catch((err: unknown) => {
      this.started = undefined;
      this.logger.warn('trace producer did not start', { error: getErrorMessage(err) });
    });
    return this.started;
  }

  /** Queues the records of one send or listener call; false (and counted) when the queue is full or stopped. */
  append(records: readonly TraceRecord[]): boolean {
    if (records.length === 0) return true;
    if (this.stopped || this.queue.length >= this.maxQueueSize) {
      this.discarded += records.length;
      if (!this.stopped) this.logger.debug('trace buffer full, records dropped', { discarded: this.discarded });
      return false;
    }
    this.queue.push(records);
    return true;
  }

  /** Sends everything queued and waits for the sends in flight. */
  async flush(): Promise<void> {
    this.tick(true);
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Flushes, stops and shuts the trace producer down. Idempotent. */
  async shutdown(): Promise<void> {
    if (this.stopped) return;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    if (this.started !== undefined) await this.flush();
    this.stopped = true;
    this.queue.length = 0;
    await this.sender.shutdown().catch((err: unknown) => this.logger.debug('trace producer shutdown failed', { error: getErrorMessage(err) }));
  }

  /** Drains the queue into the segment; sends it when full, old enough, or `force`. */
  private tick(force: boolean): void {
    for (const records of this.queue.splice(0)) {
      for (const r of records) this.add(r);
    }
    const s = this.segment;
    if (s !== undefined && (force || this.clock.now() - s.firstAt >= this.flushIntervalMs)) this.sendSegment();
  }

  private add(r: TraceRecord): void {
    const text = encodeTraceRecord(r);
    const keys = traceRecordKeys(r);
    const s = (this.segment ??= { data: [], size: 0, keys: new Set(), keysBytes: 0, firstAt: this.clock.now() });
    s.data.push(text);
    s.size += Buffer.byteLength(text, 'utf8');
    for (const k of keys) {
      if (s.keys.has(k)) continue;
      s.keys.add(k);
      s.keysBytes += Buffer.byteLength(k, 'utf8') + 1;
    }
    // Java: send when the data nears maxMsgSize; the KEYS property must also stay under the 32 KiB property limit.
    if (s.size >= this.maxMessageSize - 10_000 || s.keysBytes >= MAX_KEYS_BYTES) this.sendSegment();
  }

  private sendSegment(): void {
    const s = this.segment;
    this.segment = undefined;
    if (s === undefined || s.data.length === 0) return;
    if (this.inFlight.size >= MAX_IN_FLIGHT) {
      this.discarded += s.data.length;
      this.logger.debug('too many trace sends in flight, batch dropped', { records: s.data.length });
      return;
    }
    const message: Message = {
      topic: this.traceTopic,
      body: s.data.join(''),
      keys: [...s.keys],
      properties: { [TRACE_CLIENT_PROPERTY]: this.clientId },
    };
    const p = (async () => {
      await this.start();
      await this.sender.send(message, { timeoutMs: SEND_TIMEOUT_MS });
    })().catch((err: unknown) => {
      this.discarded += s.data.length;
      this.logger.warn('sending trace data failed', { topic: this.traceTopic, records: s.data.length, error: getErrorMessage(err) });
    });
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }
}
