/**
 * Delay levels (store/schedule/ScheduleMessageService.java, 4.9.8): a message
 * with DELAY=n is parked in SCHEDULE_TOPIC_XXXX queue n-1 (its consume-queue
 * tag code is its delivery time); for each level a task reads the queue in
 * order and, once a message is due, stores it again in its real topic and
 * queue (REAL_TOPIC, REAL_QID) without the DELAY property. Progress per level
 * is persisted in config/delayOffset.json, so a restart neither loses nor
 * (beyond at-least-once) repeats delayed messages.
 */
import { join } from 'node:path';
import type { Clock, Logger, MessageInput } from '../common/index.js';
import { MessageConst, decodeStoredMessage, encodeProperties, getErrorMessage } from '../common/index.js';
import type { MessageStore, PutMessageResult } from '../store/index.js';
import { ConfigFile, SCHEDULE_TOPIC, isPutOk, parseDelayLevels } from '../store/index.js';
import { asRecord, isRecord } from './json-narrow.js';
import { unparkedMessage } from './parked-message.js';

/** How long an idle level waits before looking again (RocketMQ: 100 ms). */
const IDLE_CHECK_MS = 1000;
/** Messages restored per level per turn, so one level cannot starve the rest. */
const BATCH = 256;

interface DelayOffsetsFile {
  offsetTable: Record<string, number>;
}

/** Rewrites a message for its delay level (CommitLog.putMessage's delay branch). */
export function toScheduleTopic(msg: MessageInput, props: Map<string, string>, level: number, maxLevel: number): MessageInput {
  const capped = Math.min(level, maxLevel);
  props.set(MessageConst.PROPERTY_DELAY_TIME_LEVEL, String(capped));
  props.set(MessageConst.PROPERTY_REAL_TOPIC, msg.topic);
  props.set(MessageConst.PROPERTY_REAL_QUEUE_ID, String(msg.queueId));
  return { ...msg, topic: SCHEDULE_TOPIC, queueId: capped - 1, properties: encodeProperties(props) };
}

export class ScheduleMessageService {
  private readonly store: MessageStore;
  private readonly levels: number[];
  private readonly offsets = new Map<number, number>();
  private readonly file: ConfigFile<DelayOffsetsFile>;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private readonly dueAt = new Map<number, number>();
  private readonly running = new Set<number>();
  /**
   * Per level, the offsets past the level's offset that are already stored:
   * when a put in a pass fails, the pass resumes from it, and the ones after
   * it that were stored are skipped rather than stored twice.
   */
  private readonly storedAhead = new Map<number, Set<number>>();
  private stopped = false;

  constructor(store: MessageStore, configDir: string, deps: { clock: Clock; logger: Logger }) {
    this.store = store;
    this.levels = parseDelayLevels(store.config.messageDelayLevel);
    this.clock = deps.clock;
    this.log = deps.logger.child({ component: 'broker.schedule' });
    this.file = new ConfigFile<DelayOffsetsFile>({
      path: join(configDir, 'delayOffset.json'),
      parse: (u) => {
        const o = asRecord(u, 'delayOffset.json');
        const table: Record<string, number> = {};
        if (isRecord(o.offsetTable)) for (const [k, v] of Object.entries(o.offsetTable)) if (typeof v === 'number') table[k] = v;
        return { offsetTable: table };
      },
      snapshot: () => ({ offsetTable: Object.fromEntries([...this.offsets].map(([l, o]) => [String(l), o])) }),
      debounceMs: 100,
      onError: (err) => this.log.error('persisting delay offsets failed', { error: getErrorMessage(err) }),
    });
  }

  get maxLevel(): number {
    return this.levels.length;
  }

  /** Milliseconds a message waits at `level` (1-based; past the last level, the last level's). */
  levelDelayMs(level: number): number {
    return this.levels[Math.min(Math.max(level, 1), this.levels.length) - 1] ?? 0;
  }

  start(): void {
    const loaded = this.file.load();
    if (loaded !== undefined) for (const [k, v] of Object.entries(loaded.value.offsetTable)) this.offsets.set(Number(k), v);
    for (let level = 1; level <= this.levels.length; level++) this.schedule(level, 0);
  }

  /** A message was parked at `level`: make sure its level looks soon enough. */
  onParked(level: number, deliverAt: number): void {
    if (this.stopped || level < 1 || level > this.levels.length) return;
    this.schedule(level, Math.max(0, deliverAt - this.clock.now()));
  }

  /** Wakes the level's task after `delayMs` (capped), unless it is already due to wake earlier. */
  private schedule(level: number, delayMs: number): void {
    if (this.stopped) return;
    const wait = Math.min(delayMs, IDLE_CHECK_MS);
    const due = this.clock.now() + wait;
    const existing = this.timers.get(level);
    if (existing !== undefined) {
      if ((this.dueAt.get(level) ?? Infinity) <= due) return;
      clearTimeout(existing);
    }
    const t = setTimeout(() => {
      this.timers.delete(level);
      this.dueAt.delete(level);
      void this.deliver(level);
    }, wait);
    t.unref();
    this.timers.set(level, t);
    this.dueAt.set(level, due);
  }

  /** Restores every due message of a level, in queue order (DeliverDelayedMessageTimerTask). */
  private async deliver(level: number): Promise<void> {
    if (this.stopped || this.running.has(level)) return;
    this.running.add(level);
    let next = IDLE_CHECK_MS;
    try {
      const queueId = level - 1;
      let offset = Math.max(this.offsets.get(level) ?? 0, this.store.getMinOffsetInQueue(SCHEDULE_TOPIC, queueId));
      // The puts of a pass are issued together (the store writes them in one
      // turn) and awaited at its end; awaiting each alone stored one message
      // per event-loop turn.
      const puts: { offset: number; put: Promise<PutMessageResult> }[] = [];
      const ahead = this.storedAhead.get(level);
      for (let n = 0; n < BATCH && !this.stopped; n++) {
        const got = this.store.getMessage(SCHEDULE_TOPIC, queueId, offset, { maxMsgNums: 1, maxTotalBytes: 64 * 1024 * 1024 });
        const rec = got.messages[0];
        if (rec === undefined) {
          if (got.status === 'OFFSET_TOO_SMALL' || got.status === 'OFFSET_OVERFLOW_BADLY') offset = got.nextBeginOffset;
          break;
        }
        const m = decodeStoredMessage(rec);
        const deliverAt = m.storeTimestamp + this.levelDelayMs(level);
        const wait = deliverAt - this.clock.now();
        if (wait > 0) {
          next = wait;
          break;
        }
        const restored = unparkedMessage(m, [MessageConst.PROPERTY_DELAY_TIME_LEVEL]);
        // Skipped if an earlier pass that resumed before it stored it.
        if (ahead?.delete(offset) !== true) {
          if (restored !== undefined) puts.push({ offset, put: this.store.putMessage(restored, { waitStoreMsgOK: false }) });
          else this.log.warn('delayed message without REAL_TOPIC/REAL_QID dropped', { level, offset });
        }
        offset++;
        next = 0;
      }
      const results = await Promise.all(puts.map((p) => p.put));
      const failed = results.findIndex((r) => !isPutOk(r));
      const first = puts[failed];
      if (first !== undefined) {
        // Try again later from the first message not stored, so nothing is
        // skipped; the ones after it that were stored are remembered and
        // skipped then (after a restart they are stored again: at least once).
        this.log.warn('could not restore a delayed message', { level, offset: first.offset, status: results[failed]?.status });
        offset = first.offset;
        next = IDLE_CHECK_MS;
        const skip = ahead ?? new Set<number>();
        puts.forEach((p, i) => {
          const r = results[i];
          if (p.offset > first.offset && r !== undefined && isPutOk(r)) skip.add(p.offset);
        });
        if (skip.size > 0) this.storedAhead.set(level, skip);
      }
      if (ahead !== undefined && ahead.size === 0) this.storedAhead.delete(level);
      if (offset !== (this.offsets.get(level) ?? 0)) {
        this.offsets.set(level, offset);
        this.file.persist();
      }
    } catch (err: unknown) {
      this.log.error('delay level task failed', { level, error: getErrorMessage(err) });
      next = IDLE_CHECK_MS;
    } finally {
      this.running.delete(level);
    }
    this.schedule(level, next);
  }

  /** Delay offsets per level (for admin and tests). */
  offsetTable(): ReadonlyMap<number, number> {
    return this.offsets;
  }

  async close(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await this.file.close();
  }
}
