/**
 * The store workloads: concurrent appenders (each an async loop awaiting one
 * putMessage at a time, like a producer with one message in flight, or with
 * `batch` > 1 one putMessageBatch of that many messages at a time, as the
 * broker stores a SEND_BATCH_MESSAGE request) and a
 * sequential reader (getMessage in batches). Both are bounded by time and by
 * count, and report what was done; they never throw for expected store
 * outcomes (a failed put stops the run and is reported).
 */
import { BATCH_LAYOUT_STRIDE, BatchLayout, type MessageBatchInput } from '../common/index.js';
import { encodeBatchBody, scanBatchBody } from '../protocol/index.js';
import type { MessageStore } from '../store/index.js';
import { GetMessageStatus, PutMessageStatus } from '../store/index.js';
import type { BenchMessageFactory } from './bench-messages.js';
import { BENCH_QUEUES, BENCH_TOPIC } from './bench-messages.js';

export interface AppendSpec {
  readonly writers: number;
  /** Body size of the next message (called once per message). */
  readonly nextSize: () => number;
  readonly maxSeconds: number;
  /** Stop once this many body bytes were handed to the store. */
  readonly maxBytes: number;
  readonly waitStoreMsgOK: boolean;
  /** Messages per store call: 1 = putMessage, more = putMessageBatch of a batch body (default 1). */
  readonly batch?: number;
  /** Updated live with acknowledged messages and body bytes (for progress reports). */
  readonly progress?: { msgs: number; bytes: number };
}

export interface AppendOutcome {
  readonly msgs: number;
  /** Payload (body) bytes acknowledged with PUT_OK. */
  readonly bytes: number;
  readonly seconds: number;
  /** Non-PUT_OK outcomes by status. */
  readonly failures: ReadonlyMap<string, number>;
  readonly firstFailure: string | undefined;
}

const nowMs = (): number => performance.now();

export async function runAppenders(store: MessageStore, factory: BenchMessageFactory, spec: AppendSpec): Promise<AppendOutcome> {
  let msgs = 0;
  let okBytes = 0;
  let handedBytes = 0;
  let stop = false;
  let firstFailure: string | undefined;
  const failures = new Map<string, number>();
  const born = Date.now();
  const t0 = nowMs();
  const deadline = t0 + spec.maxSeconds * 1000;
  const opts = { waitStoreMsgOK: spec.waitStoreMsgOK };

  const batch = spec.batch ?? 1;
  const batchWriter = async (idx: number): Promise<void> => {
    const queueId = idx % BENCH_QUEUES;
    let body: BatchBody | undefined;
    // Bounded as `writer` below.
    while (!stop && handedBytes < spec.maxBytes && nowMs() < deadline) {
      const size = spec.nextSize();
      body = nextBatchBody(body, factory, queueId, size, batch, born);
      handedBytes += size * batch;
      const r = await store.putMessageBatch(body.input, opts);
      if (r.status === PutMessageStatus.PUT_OK) {
        msgs += batch;
        okBytes += size * batch;
        if (spec.progress !== undefined) {
          spec.progress.msgs += batch;
          spec.progress.bytes += size * batch;
        }
      } else {
        failures.set(r.status, (failures.get(r.status) ?? 0) + 1);
        firstFailure ??= 'reason' in r ? `${r.status}: ${r.reason}` : r.status;
        stop = true;
      }
    }
  };

  const writer = async (idx: number): Promise<void> => {
    const queueId = idx % BENCH_QUEUES;
    // Bounded: every turn adds >= 1 byte to handedBytes, and time is checked each turn.
    while (!stop && handedBytes < spec.maxBytes && nowMs() < deadline) {
      const size = spec.nextSize();
      handedBytes += size;
      const r = await store.putMessage(factory.make(queueId, size, born), opts);
      if (r.status === PutMessageStatus.PUT_OK) {
        msgs++;
        okBytes += size;
        if (spec.progress !== undefined) {
          spec.progress.msgs++;
          spec.progress.bytes += size;
        }
      } else {
        failures.set(r.status, (failures.get(r.status) ?? 0) + 1);
        firstFailure ??= 'reason' in r ? `${r.status}: ${r.reason}` : r.status;
        stop = true;
      }
    }
  };
  await Promise.all(Array.from({ length: spec.writers }, (_, i) => (batch > 1 ? batchWriter(i) : writer(i))));
  return { msgs, bytes: okBytes, seconds: (nowMs() - t0) / 1000, failures, firstFailure };
}

/** A writer's batch body (as a producer's SEND_BATCH_MESSAGE carries it), reused with fresh UNIQ_KEYs. */
interface BatchBody {
  readonly size: number;
  readonly input: MessageBatchInput;
  /** Per message, where the last 8 hex digits of its UNIQ_KEY value are in `input.data` (-1: no UNIQ_KEY). */
  readonly keyTails: Int32Array;
}

const UNIQ_KEY_PAIR = Buffer.from('UNIQ_KEY\u0001', 'latin1');
const HEX = Buffer.from('0123456789ABCDEF', 'latin1');
/** Counter for renewed keys, apart from the factory's (which count from 0). */
let renewed = 0x8000_0000;

/**
 * The batch for the next call: a body of factory messages is built once per
 * writer and size; each later call only rewrites the last 8 hex digits of
 * every UNIQ_KEY in place (so keys stay distinct and the index does its
 * usual work), keeping the bench's own cost per message small next to the
 * store's. The store copies the bytes during putMessageBatch, so reuse after
 * it is safe.
 */
function nextBatchBody(prev: BatchBody | undefined, factory: BenchMessageFactory, queueId: number, size: number, n: number, born: number): BatchBody {
  if (prev !== undefined && prev.size === size) {
    const { data } = prev.input;
    for (const at of prev.keyTails) {
      if (at < 0) continue;
      let v = renewed++ >>> 0;
      for (let k = 7; k >= 0; k--, v >>>= 4) data[at + k] = HEX[v & 15] ?? 0x30;
    }
    return prev;
  }
  const msgs = Array.from({ length: n }, () => factory.make(queueId, size, born));
  const data = encodeBatchBody(msgs.map((m) => ({ flag: m.flag, body: Buffer.from(m.body), properties: m.properties })));
  const layout = scanBatchBody(data);
  const keyTails = new Int32Array(n);
  for (let i = 0, o = 0; i < n; i++, o += BATCH_LAYOUT_STRIDE) {
    const start = layout[o + BatchLayout.PROPERTIES_START] ?? 0;
    const end = start + (layout[o + BatchLayout.PROPERTIES_LENGTH] ?? 0);
    const pair = data.indexOf(UNIQ_KEY_PAIR, start);
    let valueEnd = pair < 0 || pair >= end ? -1 : data.indexOf(2, pair);
    if (valueEnd < 0 || valueEnd > end) valueEnd = end;
    keyTails[i] = pair < 0 || pair >= end || valueEnd - (pair + UNIQ_KEY_PAIR.length) < 8 ? -1 : valueEnd - 8;
  }
  const first = msgs[0];
  if (first === undefined) throw new Error('batch of 0 messages');
  return {
    size,
    keyTails,
    input: {
      topic: first.topic,
      queueId,
      sysFlag: first.sysFlag,
      bornTimestamp: born,
      bornHost: first.bornHost,
      storeHost: first.storeHost,
      reconsumeTimes: 0,
      data,
      layout,
      count: n,
      suffixes: [],
    },
  };
}

export interface ReadSpec {
  readonly batch: number;
  readonly maxTotalBytes: number;
  readonly maxSeconds: number;
}

export interface ReadOutcome {
  readonly msgs: number;
  /** Stored record bytes returned (headers + properties + body). */
  readonly recordBytes: number;
  readonly seconds: number;
  /** Messages that were in the queues when reading started. */
  readonly available: number;
  readonly complete: boolean;
}

/** Reads every queue of the bench topic from its first offset to its end, batch by batch. */
export function readBack(store: MessageStore, spec: ReadSpec): ReadOutcome {
  const t0 = nowMs();
  const deadline = t0 + spec.maxSeconds * 1000;
  let msgs = 0;
  let recordBytes = 0;
  let available = 0;
  let timedOut = false;
  for (let q = 0; q < BENCH_QUEUES; q++) {
    const max = store.getMaxOffsetInQueue(BENCH_TOPIC, q);
    let offset = store.getMinOffsetInQueue(BENCH_TOPIC, q);
    available += max - offset;
    // Bounded: the offset advances every turn (or the loop ends), and time is checked.
    while (offset < max) {
      if (nowMs() >= deadline) {
        timedOut = true;
        break;
      }
      const r = store.getMessage(BENCH_TOPIC, q, offset, { maxMsgNums: spec.batch, maxTotalBytes: spec.maxTotalBytes });
      if (r.status !== GetMessageStatus.FOUND || r.nextBeginOffset <= offset) break;
      msgs += r.messages.length;
      recordBytes += r.bufferTotalSize;
      offset = r.nextBeginOffset;
    }
  }
  return { msgs, recordBytes, seconds: (nowMs() - t0) / 1000, available, complete: !timedOut && msgs === available };
}
