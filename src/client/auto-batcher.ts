/**
 * Client-side batching of concurrent sends (RocketMQ 5's producer autoBatch):
 * single sends to one topic made in the same turn of the event loop travel as
 * one SEND_BATCH_MESSAGE, so a window of 64 in-flight sends costs a few
 * requests instead of 64. Each caller still gets its own SendResult: its own
 * msgId and offsetMsgId, and queueOffset = the batch's first offset + its
 * index (the broker stores a batch as consecutive records of one queue).
 * A batch waits no longer than the shortest timeout among its sends, and a
 * send whose AbortSignal fired before its batch left is not sent at all.
 */
import type { Message } from './message.js';
import type { SendResult } from './mq-client-api.js';

export interface AutoBatchOptions {
  /** Messages per batch at most. Default 16: small enough that several batches are in flight at once, so client and broker work in parallel. */
  readonly maxMessages?: number;
  /** Body bytes per batch at most. Default 1 MiB. */
  readonly maxBytes?: number;
}

/** What one batched send asks for besides its message. */
export interface BatchedSendOptions {
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

interface Waiter {
  readonly message: Message;
  readonly opts: BatchedSendOptions;
  readonly resolve: (r: SendResult) => void;
  readonly reject: (e: unknown) => void;
}

interface Pending {
  waiters: Waiter[];
  bytes: number;
}

function bodyLength(m: Message): number {
  return typeof m.body === 'string' ? Buffer.byteLength(m.body) : m.body.length;
}

export class AutoBatcher {
  private readonly sendBatch: (msgs: readonly Message[], opts: { timeoutMs?: number }) => Promise<SendResult>;
  private readonly maxMessages: number;
  private readonly maxBytes: number;
  private readonly pending = new Map<string, Pending>();
  private scheduled = false;

  constructor(sendBatch: (msgs: readonly Message[], opts: { timeoutMs?: number }) => Promise<SendResult>, opts: AutoBatchOptions = {}) {
    this.sendBatch = sendBatch;
    this.maxMessages = opts.maxMessages ?? 16;
    this.maxBytes = opts.maxBytes ?? 1024 * 1024;
  }

  /** Whether a message may travel in a batch (no delay, order, or big body). */
  static eligible(m: Message, compressThreshold: number): boolean {
    return (m.delayLevel ?? 0) === 0 && m.deliverAt === undefined && m.delayMs === undefined && m.shardingKey === undefined &&
      !m.topic.startsWith('%RETRY%') && bodyLength(m) < compressThreshold;
  }

  add(message: Message, opts: BatchedSendOptions = {}): Promise<SendResult> {
    return new Promise<SendResult>((resolve, reject) => {
      const size = bodyLength(message);
      let p = this.pending.get(message.topic);
      if (p !== undefined && (p.waiters.length >= this.maxMessages || p.bytes + size > this.maxBytes)) {
        this.flush(message.topic);
        p = undefined;
      }
      if (p === undefined) {
        p = { waiters: [], bytes: 0 };
        this.pending.set(message.topic, p);
      }
      p.waiters.push({ message, opts, resolve, reject });
      p.bytes += size;
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          for (const topic of [...this.pending.keys()]) this.flush(topic);
        });
      }
    });
  }

  private flush(topic: string): void {
    const p = this.pending.get(topic);
    if (p === undefined) return;
    this.pending.delete(topic);
    // A send aborted while it waited here was already rejected by its caller's signal: leave it out.
    let waiters = p.waiters;
    if (waiters.some((w) => w.opts.signal?.aborted === true)) waiters = waiters.filter((w) => w.opts.signal?.aborted !== true);
    const n = waiters.length;
    if (n === 0) return;
    let timeoutMs: number | undefined;
    const msgs: Message[] = new Array<Message>(n);
    for (let i = 0; i < n; i++) {
      const w = waiters[i] as Waiter;
      msgs[i] = w.message;
      if (w.opts.timeoutMs !== undefined) timeoutMs = Math.min(timeoutMs ?? Infinity, w.opts.timeoutMs);
    }
    this.sendBatch(msgs, timeoutMs === undefined ? {} : { timeoutMs }).then(
      (r) => {
        const ids = r.msgId.split(',');
        const offsetIds = r.offsetMsgId.split(',');
        for (let i = 0; i < n; i++) {
          // Every field of SendResult, as `{ ...r, msgId, offsetMsgId, queueOffset }` would give, without the spread.
          (waiters[i] as Waiter).resolve({
            status: r.status,
            msgId: ids[i] ?? '',
            offsetMsgId: offsetIds[i] ?? '',
            messageQueue: r.messageQueue,
            queueOffset: r.queueOffset < 0 ? -1 : r.queueOffset + i,
            regionId: r.regionId,
            traceOn: r.traceOn,
            transactionId: r.transactionId,
          });
        }
      },
      (err: unknown) => {
        for (const w of waiters) w.reject(err);
      },
    );
  }
}
