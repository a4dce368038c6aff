/**
 * Arbitrary delivery times (the job of RocketMQ 5.x's TimerMessageStore, which
 * 4.x lacks). A message carrying TIMER_DELIVER_MS (absolute), TIMER_DELAY_SEC
 * or TIMER_DELAY_MS (relative), or Aliyun's __STARTDELIVERTIME, is parked in
 * the topic `rmq_sys_wheel_timer` with REAL_TOPIC, REAL_QID and TIMER_OUT_MS;
 * the store gives its consume-queue entry the delivery time as tag code.
 *
 * Pending timers live in a typed-array min-heap keyed by delivery time (no
 * per-timer objects; O(log n) per insert, so a million pending timers do not
 * slow sends). One timer fires at the earliest delivery time (1 s precision or
 * better); due messages are stored again in their real topic and queue.
 *
 * Persistence: the heap is derived state. A checkpoint records the smallest
 * pending queue offset of the timer queue and a watermark (every message due
 * at or before it was delivered). A restart rebuilds the heap by reading the
 * timer queue's 20-byte entries from that offset, skipping entries at or below
 * the watermark: nothing pending is lost, and only deliveries since the last
 * checkpoint (written at most 100 ms after each delivery batch) can repeat.
 * Retention keeps every commit-log segment that still holds a pending timer.
 */
import { join } from 'node:path';
import type { Clock, Logger, MessageInput } from '../../common/index.js';
import { MessageConst, decodeStoredMessage, encodeProperties, getErrorMessage } from '../../common/index.js';
import type { MessageStore } from '../../store/index.js';
import { ConfigFile, TIMER_TOPIC, isPutOk } from '../../store/index.js';
import { asRecord, num } from '../json-narrow.js';
import { unparkedMessage } from '../parked-message.js';
import { TimerHeap, type TimerEntry } from './timer-heap.js';

export const TimerProperty = {
  TIMER_DELIVER_MS: 'TIMER_DELIVER_MS',
  TIMER_DELAY_SEC: 'TIMER_DELAY_SEC',
  TIMER_DELAY_MS: 'TIMER_DELAY_MS',
  TIMER_OUT_MS: 'TIMER_OUT_MS',
  TIMER_ENQUEUE_MS: 'TIMER_ENQUEUE_MS',
  START_DELIVER_TIME: '__STARTDELIVERTIME',
} as const;

/** Due messages stored together (their puts issued at once). */
const DELIVERY_BATCH = 512;

/** Bound on how long after its write a parked message reaches the heap. */
const DISPATCH_MARGIN_MS = 1000;

interface TimerCheckpoint {
  /** Every timer-queue entry below this offset was delivered. */
  scanFrom: number;
  /** Every message due at or before this time was delivered. */
  watermark: number;
}

/** The delivery time a message asks for, or undefined when it asks for none. Throws on a malformed value. */
export function requestedDeliveryTime(props: ReadonlyMap<string, string>, now: number): number | undefined {
  const int = (k: string): number | undefined => {
    const v = props.get(k);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`property ${k} must be a non-negative integer, got "${v}"`);
    return n;
  };
  const abs = int(TimerProperty.TIMER_DELIVER_MS) ?? int(TimerProperty.START_DELIVER_TIME);
  if (abs !== undefined) return abs;
  const sec = int(TimerProperty.TIMER_DELAY_SEC);
  if (sec !== undefined) return now + sec * 1000;
  const ms = int(TimerProperty.TIMER_DELAY_MS);
  return ms === undefined ? undefined : now + ms;
}

export class TimerMessageService {
  private readonly store: MessageStore;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly heap = new TimerHeap();
  private readonly file: ConfigFile<TimerCheckpoint>;
  private watermark = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerDue = Infinity;
  private delivering = false;
  /** The smallest timer-queue offset of a batch being delivered (taken off the heap, not yet stored). */
  private inFlightMinQueueOffset: number | undefined;
  private stopped = false;
  readonly maxDelayMs: number;

  constructor(store: MessageStore, configDir: string, deps: { clock: Clock; logger: Logger; maxDelayMs: number }) {
    this.store = store;
    this.clock = deps.clock;
    this.log = deps.logger.child({ component: 'broker.timer' });
    this.maxDelayMs = deps.maxDelayMs;
    this.file = new ConfigFile<TimerCheckpoint>({
      path: join(configDir, 'timerCheckpoint.json'),
      parse: (u) => {
        const o = asRecord(u, 'timerCheckpoint.json');
        return { scanFrom: num(o, 'scanFrom', 0), watermark: num(o, 'watermark', 0) };
      },
      snapshot: () => this.checkpoint(),
      debounceMs: 100,
      onError: (err) => this.log.error('persisting the timer checkpoint failed', { error: getErrorMessage(err) }),
    });
  }

  get pending(): number {
    return this.heap.size;
  }

  /** Rebuilds the pending set from the timer queue and starts delivering. */
  start(): void {
    const cp = this.file.load()?.value;
    this.watermark = cp?.watermark ?? 0;
    let offset = Math.max(cp?.scanFrom ?? 0, this.store.getMinOffsetInQueue(TIMER_TOPIC, 0));
    const max = this.store.getMaxOffsetInQueue(TIMER_TOPIC, 0);
    const cq = this.store.consumeQueues.get(TIMER_TOPIC, 0);
    while (cq !== undefined && offset < max) {
      const units = cq.readUnits(offset, 4096);
      const count = units.length / 20;
      if (count === 0) break;
      for (let i = 0; i < count; i++) {
        const p = i * 20;
        const phy = units.readInt32BE(p) * 4294967296 + units.readUInt32BE(p + 4);
        const size = units.readInt32BE(p + 8);
        const deliverMs = units.readInt32BE(p + 12) * 4294967296 + units.readUInt32BE(p + 16);
        if (deliverMs > this.watermark) this.heap.push({ deliverMs, commitLogOffset: phy, size, queueOffset: offset + i });
      }
      offset += count;
    }
    this.store.setRetentionFloor(() => this.heap.minCommitLogOffset());
    if (this.heap.size > 0) this.log.info('timers restored', { pending: this.heap.size });
    this.arm();
  }

  /** The message to store for a send that asks for a delivery time. */
  park(msg: MessageInput, props: Map<string, string>, deliverMs: number): MessageInput {
    props.set(MessageConst.PROPERTY_REAL_TOPIC, msg.topic);
    props.set(MessageConst.PROPERTY_REAL_QUEUE_ID, String(msg.queueId));
    props.set(TimerProperty.TIMER_OUT_MS, String(deliverMs));
    props.set(TimerProperty.TIMER_ENQUEUE_MS, String(this.clock.now()));
    return { ...msg, topic: TIMER_TOPIC, queueId: 0, properties: encodeProperties(props) };
  }

  /** The store dispatched a parked message (its tag code is the delivery time). */
  onParked(deliverMs: number, commitLogOffset: number, size: number, queueOffset: number): void {
    this.heap.push({ deliverMs, commitLogOffset, size, queueOffset });
    if (deliverMs < this.timerDue) this.arm();
  }

  private arm(): void {
    if (this.stopped) return;
    const next = this.heap.peekDeliverMs();
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDue = Infinity;
    if (next === undefined) return;
    // Wake at most every 60 s anyway, so a clock jump cannot leave timers asleep.
    const wait = Math.max(0, Math.min(next - this.clock.now(), 60_000));
    this.timerDue = next;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerDue = Infinity;
      void this.deliverDue();
    }, wait);
    this.timer.unref();
  }

  /**
   * Stores every due message in its real topic, in delivery-time order, up to
   * DELIVERY_BATCH at a time: the puts of a batch are issued together, so the
   * store writes them in one turn (awaiting each put alone delivered one
   * message per event-loop turn, which fell seconds behind under load).
   */
  private async deliverDue(): Promise<void> {
    if (this.delivering || this.stopped) return;
    this.delivering = true;
    let delivered = 0;
    let failed = false;
    try {
      for (;;) {
        const now = this.clock.now();
        const batch: TimerEntry[] = [];
        for (let top = this.heap.peek(); top !== undefined && top.deliverMs <= now && batch.length < DELIVERY_BATCH && !this.stopped; top = this.heap.peek()) {
          this.heap.pop();
          batch.push(top);
        }
        if (batch.length === 0) {
          // Lag the watermark by the dispatch margin: a message parked just
          // before this run may reach the heap after it.
          this.watermark = Math.max(this.watermark, Math.min(now - DISPATCH_MARGIN_MS, (this.heap.peekDeliverMs() ?? now + 1) - 1));
          break;
        }
        // Off the heap but not delivered yet: the checkpoint must still cover them.
        this.inFlightMinQueueOffset = Math.min(...batch.map((e) => e.queueOffset));
        const results = await Promise.allSettled(batch.map((e) => this.deliver(e.commitLogOffset, e.size)));
        let refused = 0;
        let firstProblem: string | undefined;
        for (let i = 0; i < batch.length; i++) {
          const r = results[i];
          const e = batch[i];
          if (r === undefined || e === undefined) continue;
          if (r.status === 'fulfilled' && r.value === undefined) {
            delivered++;
            continue;
          }
          // Back on the heap, retried after a pause.
          firstProblem ??= r.status === 'rejected' ? getErrorMessage(r.reason) : r.value;
          refused++;
          this.heap.push(e);
        }
        this.inFlightMinQueueOffset = undefined;
        if (refused > 0) {
          // One line per batch: a full disk refuses every put of it.
          this.log.warn('could not deliver timed messages; retrying', { count: refused, of: batch.length, first: firstProblem });
          failed = true;
          break;
        }
      }
    } catch (err: unknown) {
      failed = true;
      this.log.error('timer delivery failed', { error: getErrorMessage(err) });
    } finally {
      this.delivering = false;
    }
    if (this.stopped) return;
    if (delivered > 0) this.file.persist();
    if (failed) this.retryLater();
    else this.arm();
  }

  private retryLater(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerDue = this.clock.now() + 1000;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerDue = Infinity;
      void this.deliverDue();
    }, 1000);
    this.timer.unref();
  }

  /** Stores one due message in its real topic; undefined when done (or nothing to store), else why the store refused it. */
  private async deliver(commitLogOffset: number, size: number): Promise<string | undefined> {
    const rec = this.store.commitLog.read(commitLogOffset, size);
    if (rec === undefined) {
      this.log.warn('a pending timed message is gone from the commit log', { commitLogOffset });
      return undefined;
    }
    const m = decodeStoredMessage(rec);
    const restored = unparkedMessage(m, [TimerProperty.TIMER_DELIVER_MS, TimerProperty.TIMER_DELAY_SEC, TimerProperty.TIMER_DELAY_MS, TimerProperty.START_DELIVER_TIME]);
    if (restored === undefined) return undefined;
    const r = await this.store.putMessage(restored, { waitStoreMsgOK: false });
    return isPutOk(r) ? undefined : `${r.status}: ${r.reason}`;
  }

  private checkpoint(): TimerCheckpoint {
    const pending = this.heap.minQueueOffset();
    const inFlight = this.inFlightMinQueueOffset;
    return {
      scanFrom: inFlight === undefined ? (pending ?? this.store.getMaxOffsetInQueue(TIMER_TOPIC, 0)) : Math.min(inFlight, pending ?? Infinity),
      watermark: this.watermark,
    };
  }

  async close(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.file.persist();
    await this.file.close();
  }
}
