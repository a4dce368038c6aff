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
  /**
   * Messages per batch at most. Default 32: a window of 64 concurrent sends
   * travels as two batches, so client and broker work in parallel; measured
   * with the contract's publish (1 KiB, window 64), 32 beat 16 in 5 of 5
   * alternated runs (median +6 %) and 64, one batch in lockstep, was ~30 % slower.
   */
  readonly maxMessages?: number;
  /** Body bytes per batch at most. Default 1 MiB. */
  readonly maxBytes?: number;
}

/** What one batched send asks for besides its message. */
export interface BatchedSendOptions {
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** The sends waiting for one topic's next batch, as parallel arrays (no object per send). */
interface Pending {
  messages: Message[];
  opts: BatchedSendOptions[];
  resolves: ((r: SendResult) => void)[];
  rejects: ((e: unknown) => void)[];
  bytes: number;
}

const NO_OPTIONS: BatchedSendOptions = Object.freeze({});
/** Topics whose (empty) batch entries are kept between batches at most. */
const MAX_IDLE_TOPICS = 1024;

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
    this.maxMessages = opts.maxMessages ?? 32;
    this.maxBytes = opts.maxBytes ?? 1024 * 1024;
  }

  /** Whether a message may travel in a batch (no delay, order, or big body). */
  static eligible(m: Message, compressThreshold: number): boolean {
    return (m.delayLevel ?? 0) === 0 && m.deliverAt === undefined && m.delayMs === undefined && m.shardingKey === undefined &&
      !m.topic.startsWith('%RETRY%') && bodyLength(m) < compressThreshold;
  }

  add(message: Message, opts: BatchedSendOptions = NO_OPTIONS): Promise<SendResult> {
    return new Promise<SendResult>((resolve, reject) => {
      const size = bodyLength(message);
      let p = this.pending.get(message.topic);
      if (p === undefined) {
        // One entry per topic for good: a Map entry added and removed per batch would reallocate the
        // Map's table every few batches, and V8 keeps replaced tables alive until a full collection.
        p = { messages: [], opts: [], resolves: [], rejects: [], bytes: 0 };
        this.pending.set(message.topic, p);
      } else if (p.messages.length >= this.maxMessages || (p.messages.length > 0 && p.bytes + size > this.maxBytes)) {
        this.flush(p);
      }
      p.messages.push(message);
      p.opts.push(opts);
      p.resolves.push(resolve);
      p.rejects.push(reject);
      p.bytes += size;
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          for (const waiting of this.pending.values()) this.flush(waiting);
          if (this.pending.size > MAX_IDLE_TOPICS) this.pending.clear(); // all empty now: a producer of many topics keeps no entry per topic
        });
      }
    });
  }

  /** Sends what `p` holds as one batch and empties it. */
  private flush(p: Pending): void {
    if (p.messages.length === 0) return;
    let { messages, resolves, rejects } = p;
    const opts = p.opts;
    p.messages = [];
    p.opts = [];
    p.resolves = [];
    p.rejects = [];
    p.bytes = 0;
    // A send aborted while it waited here was already rejected by its caller's signal: leave it out.
    if (opts.some((o) => o.signal?.aborted === true)) {
      const live = opts.map((o) => o.signal?.aborted !== true);
      messages = messages.filter((_, i) => live[i]);
      resolves = resolves.filter((_, i) => live[i]);
      rejects = rejects.filter((_, i) => live[i]);
    }
    const n = messages.length;
    if (n === 0) return;
    let timeoutMs: number | undefined;
    for (const o of opts) {
      if (o.timeoutMs !== undefined && o.signal?.aborted !== true) timeoutMs = Math.min(timeoutMs ?? Infinity, o.timeoutMs);
    }
    this.sendBatch(messages, timeoutMs === undefined ? {} : { timeoutMs }).then(
      (r) => {
        const ids = r.msgId.split(',');
        const offsetIds = r.offsetMsgId.split(',');
        for (let i = 0; i < n; i++) {
          // Every field of SendResult, as `{ ...r, msgId, offsetMsgId, queueOffset }` would give, without the spread.
          (resolves[i] as (r: SendResult) => void)({
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
        for (const reject of rejects) reject(err);
      },
    );
  }
}
