/**
 * The commit log (RocketMQ's store/CommitLog.java, 4.9.8): every message of
 * every topic appended in arrival order to fixed-size segments in the stored
 * record layout of common/stored-message.ts.
 *
 * Append path (group commit): appends encode their records straight into one
 * reusable staging buffer; at the end of the event-loop turn (setImmediate)
 * the staged bytes go to the segment with one positional write. Under
 * ASYNC_FLUSH the appends then resolve and are dispatched; under SYNC_FLUSH
 * they wait for the next fdatasync, which covers every append written before
 * it started, so one fdatasync serves many writers; bytes written while one
 * runs start the next at once (two may be under way). Records never span
 * segments: a record that does not fit (with 8 bytes to spare) ends the
 * segment with a BLANK record and goes to the next one.
 *
 * Offsets are plain byte offsets in the log, so a replica that appends the
 * same bytes at the same offsets holds a byte-identical log.
 */
import type { Clock, EncodedParts, HostAddress, Logger, MessageBatchInput, MessageInput } from '../common/index.js';
import {
  BATCH_LAYOUT_STRIDE,
  BatchLayout,
  OffsetMessageIdEncoder,
  StoreError,
  bodyCrc32,
  encodeParts,
  errnoCode,
  getErrorMessage,
  storedMessageLength,
  withHostFlags,
  dataViewOf,
  writeBlankRecord,
  writeRecordHead,
  writeRecordBodyTopic,
  writeStoredMessage,
} from '../common/index.js';
import type { DispatchRequest } from './dispatch-request.js';
import type { DispatchInfo } from './dispatch-info.js';
import { dispatchInfo, dispatchInfoOfBytes, isConsumable, isInertSuffix, newDispatchInfo, tagsCodeFor } from './dispatch-info.js';
import type { AppendMessageResult, PutMessageResult } from './put-message-result.js';
import { PutMessageStatus } from './put-message-result.js';
import { SegmentQueue } from './segment-queue.js';
import type { FlushDiskType } from './store-config.js';

const CLOSED: PutMessageResult = { status: PutMessageStatus.SERVICE_NOT_AVAILABLE, reason: 'the message store is closed' };

/** Bytes that must stay free at a segment's end for the BLANK record. */
const END_FILE_MIN_BLANK_LENGTH = 8;
/**
 * fdatasyncs of the commit log allowed under way at once. Two overlap in the
 * kernel (ext4 holds no lock across the wait), so appends written during one
 * need not wait for it to end before theirs starts.
 */
const MAX_CONCURRENT_FLUSHES = 2;

export interface CommitLogConfig {
  readonly dir: string;
  readonly segmentSize: number;
  readonly flushDiskType: FlushDiskType;
  readonly syncFlushTimeout: number;
  readonly maxMessageSize: number;
  /** Milliseconds per delay level (for SCHEDULE_TOPIC_XXXX tag codes). */
  readonly delayLevels: readonly number[];
}

export interface CommitLogDeps {
  readonly logger: Logger;
  readonly clock: Clock;
  readonly storeHost: HostAddress;
  /** Called in log order for every record once it may be served (written, or flushed under SYNC_FLUSH). */
  readonly dispatch: (req: DispatchRequest) => void;
  /** Called when a write fails (disk full, I/O error). */
  readonly onWriteError?: (err: unknown) => void;
}

export interface AppendOptions {
  /** SYNC_FLUSH only: wait for the fdatasync before resolving (the WAIT property). Default true. */
  readonly waitStoreMsgOK?: boolean;
}

interface FlushCaller {
  readonly upTo: number;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

interface PendingAppend {
  /** Log offset after this append's last record. */
  readonly endOffset: number;
  readonly result: AppendMessageResult;
  readonly dispatches: readonly DispatchRequest[];
  readonly wait: boolean;
  readonly enqueuedAt: number;
  settled: boolean;
  readonly resolve: (r: PutMessageResult) => void;
}

export class CommitLog {
  private readonly config: CommitLogConfig;
  private readonly deps: CommitLogDeps;
  private readonly log: Logger;
  readonly segments: SegmentQueue;
  /** Next queue offset per topic and queue id (CommitLog.topicQueueTable). */
  private readonly queueOffsets = new Map<string, number[]>();
  /** Encoded topic names, reused across appends. */
  private readonly topicBytes = new Map<string, Buffer>();
  private readonly msgIds: OffsetMessageIdEncoder;
  /** Scratch for the properties of the record being staged. */
  private readonly info = newDispatchInfo();

  private staging: Buffer;
  private stagingView: DataView;
  private stagingUsed = 0;
  /** Log offset of staging[0]. */
  private stagingStart = 0;
  /** Next append position (written + staged). */
  private cursor = 0;
  /** Bytes that reached the page cache. */
  private written = 0;
  private flushed = 0;

  private staged: PendingAppend[] = [];
  private writtenPending: PendingAppend[] = [];
  private flushWaiters: PendingAppend[] = [];
  private drainScheduled = false;
  /** fdatasyncs under way (at most MAX_CONCURRENT_FLUSHES). */
  private flushesRunning: Promise<void>[] = [];
  /** The highest log offset an fdatasync was started for. */
  private flushRequested = 0;
  /** Callers of flush(), each waiting for `flushed` to reach its `upTo`. */
  private flushCallers: FlushCaller[] = [];
  private timeoutTimer: NodeJS.Timeout | undefined;
  private closed = false;
  /**
   * The error of a failed fdatasync. Linux may drop the pages of a failed
   * writeback and report success to the next call, so from then on nothing is
   * counted durable and appends are refused; a restart recovers from what the
   * disk holds (the abort marker stays, so the records are checked).
   */
  private syncFailure: { readonly err: unknown } | undefined;

  constructor(config: CommitLogConfig, deps: CommitLogDeps) {
    this.config = config;
    this.deps = deps;
    this.log = deps.logger.child({ component: 'store.commitlog' });
    this.segments = new SegmentQueue(config.dir, config.segmentSize);
    this.msgIds = new OffsetMessageIdEncoder(deps.storeHost);
    this.staging = Buffer.allocUnsafeSlow(Math.min(config.segmentSize, Math.max(4 * 1024 * 1024, config.maxMessageSize + 64 * 1024)));
    this.stagingView = dataViewOf(this.staging);
  }

  load(): void {
    this.segments.load();
  }

  /** Sets the end of valid data after recovery; everything past it is removed. */
  setRecoveredEnd(offset: number): void {
    this.segments.truncateFrom(offset);
    this.cursor = this.written = this.flushed = this.flushRequested = this.stagingStart = offset;
  }

  setQueueOffset(topic: string, queueId: number, next: number): void {
    let queues = this.queueOffsets.get(topic);
    if (queues === undefined) {
      queues = [];
      this.queueOffsets.set(topic, queues);
    }
    while (queues.length <= queueId) queues.push(0);
    queues[queueId] = next;
  }

  private nextQueueOffset(topic: string, queueId: number): number {
    return this.queueOffsets.get(topic)?.[queueId] ?? 0;
  }

  removeQueueOffsets(topic: string): void {
    this.queueOffsets.delete(topic);
    this.topicBytes.delete(topic);
  }

  private topicBytesOf(topic: string): Buffer {
    let b = this.topicBytes.get(topic);
    if (b === undefined) {
      b = Buffer.from(topic, 'utf8');
      if (this.topicBytes.size > 10_000) this.topicBytes.clear();
      this.topicBytes.set(topic, b);
    }
    return b;
  }

  get minOffset(): number {
    return this.segments.minOffset;
  }

  /** End of the data that may be read (written to the page cache). */
  get maxOffset(): number {
    return this.written;
  }

  get flushedOffset(): number {
    return this.flushed;
  }

  /** True once an fdatasync of the log has failed: appends are refused until a restart. */
  get syncFailed(): boolean {
    return this.syncFailure !== undefined;
  }

  /** The refusal every append gets after a failed fdatasync, if one failed. */
  syncRefusal(): PutMessageResult | undefined {
    if (this.syncFailure === undefined) return undefined;
    return { status: PutMessageStatus.SERVICE_NOT_AVAILABLE, reason: `the commit log could not be synced to disk (${errnoCode(this.syncFailure.err) ?? getErrorMessage(this.syncFailure.err)}); appends refused until the broker restarts` };
  }

  /** Why an append is refused before it is staged, if it is. */
  private refusal(): PutMessageResult | undefined {
    return this.closed ? CLOSED : this.syncRefusal();
  }

  /** Appends one message. Resolves per the flush mode; never rejects for expected outcomes. */
  append(msg: MessageInput, opts: AppendOptions = {}): Promise<PutMessageResult> {
    // appendAll for one message, without its arrays, and with the properties
    // written first when there is room for their longest UTF-8 form: the write
    // returns their byte count, which spares a Buffer.byteLength pass.
    const refused = this.refusal();
    if (refused !== undefined) return Promise.resolve(refused);
    const topic = this.topicBytesOf(msg.topic);
    const sysFlag = withHostFlags(msg.sysFlag, msg.bornHost, msg.storeHost);
    const body = msg.body;
    const fixed = storedMessageLength(sysFlag, body.length, topic.length, 0);
    const props = msg.properties;
    const staging = this.staging;
    let propsLength: number;
    if (this.fitsAsIs(fixed + props.length * 3)) {
      propsLength = props.length === 0 ? 0 : staging.write(props, this.stagingUsed + fixed, 'utf8');
    } else {
      propsLength = Buffer.byteLength(props, 'utf8');
      const full = this.reserve(fixed + propsLength);
      if (full !== undefined) return Promise.resolve(full);
      if (propsLength > 0) staging.write(props, this.stagingUsed + fixed, propsLength, 'utf8');
    }
    const length = fixed + propsLength;
    const now = this.deps.clock.now();
    const start = this.cursor;
    const consumable = isConsumable(sysFlag);
    const queueOffset = consumable ? this.nextQueueOffset(msg.topic, msg.queueId) : 0;
    const view = this.stagingView;
    const p = writeRecordHead(
      view, this.stagingUsed, length, bodyCrc32(body), msg.queueId, msg.flag, queueOffset, this.cursor, sysFlag,
      msg.bornTimestamp, msg.bornHost, now, msg.storeHost, msg.reconsumeTimes, msg.preparedTransactionOffset,
    );
    writeRecordBodyTopic(view, staging, p, body, topic, propsLength); // the properties are already in place
    if (consumable) this.setQueueOffset(msg.topic, msg.queueId, queueOffset + 1);
    const msgIds: string[] = [];
    const info = dispatchInfo(props, sysFlag);
    const d = this.staged1(msg.topic, msg.queueId, length, sysFlag, info, queueOffset, now, msg.preparedTransactionOffset, msgIds);
    return this.enqueue(start, length, [d], msgIds, queueOffset, now, opts);
  }

  /**
   * Appends messages as consecutive records in one go (a batch: same topic and
   * queue, consecutive queue offsets). The result covers all of them.
   */
  appendAll(msgs: readonly MessageInput[], opts: AppendOptions = {}): Promise<PutMessageResult> {
    const refused = this.refusal();
    if (refused !== undefined) return Promise.resolve(refused);
    const parts: EncodedParts[] = [];
    let total = 0;
    for (const m of msgs) {
      const p = encodeParts(m, this.topicBytesOf(m.topic));
      parts.push(p);
      total += p.length;
    }
    const full = this.reserve(total);
    if (full !== undefined) return Promise.resolve(full);
    const now = this.deps.clock.now();
    const start = this.cursor;
    const dispatches: DispatchRequest[] = [];
    const msgIds: string[] = [];
    let firstQueueOffset = -1;
    for (let i = 0; i < msgs.length; i++) {
      const msg = msgs[i];
      const p = parts[i];
      if (msg === undefined || p === undefined) continue;
      const consumable = isConsumable(p.sysFlag);
      const queueOffset = consumable ? this.nextQueueOffset(msg.topic, msg.queueId) : 0;
      if (firstQueueOffset < 0) firstQueueOffset = queueOffset;
      writeStoredMessage(this.staging, this.stagingUsed, msg, p, queueOffset, this.cursor, now, this.stagingView);
      if (consumable) this.setQueueOffset(msg.topic, msg.queueId, queueOffset + 1);
      // The string is at hand: its scan is cheaper than the bytes' (same result but for unpaired surrogates, as before).
      const info = dispatchInfo(msg.properties, p.sysFlag);
      dispatches.push(this.staged1(msg.topic, msg.queueId, p.length, p.sysFlag, info, queueOffset, now, msg.preparedTransactionOffset, msgIds));
    }
    return this.enqueue(start, total, dispatches, msgIds, firstQueueOffset, now, opts);
  }

  /**
   * Appends a batch whose bodies and property strings stay bytes of the
   * request (SEND_BATCH_MESSAGE): consecutive records of one topic and queue,
   * consecutive queue offsets, each record's properties copied as they are
   * plus its suffix.
   */
  appendBatch(b: MessageBatchInput, opts: AppendOptions = {}): Promise<PutMessageResult> {
    const refused = this.refusal();
    if (refused !== undefined) return Promise.resolve(refused);
    const topic = this.topicBytesOf(b.topic);
    const sysFlag = withHostFlags(b.sysFlag, b.bornHost, b.storeHost);
    const fixed = storedMessageLength(sysFlag, 0, topic.length, 0);
    const layout = b.layout;
    const suffixes = b.suffixes;
    const inert = suffixes.map(isInertSuffix);
    const count = b.count;
    let total = 0;
    for (let i = 0, o = 0; i < count; i++, o += BATCH_LAYOUT_STRIDE) {
      const sx = layout[o + BatchLayout.SUFFIX] ?? -1;
      total += fixed + (layout[o + BatchLayout.BODY_LENGTH] ?? 0) + (layout[o + BatchLayout.PROPERTIES_LENGTH] ?? 0) + (sx >= 0 ? (suffixes[sx]?.length ?? 0) : 0);
    }
    const full = this.reserve(total);
    if (full !== undefined) return Promise.resolve(full);
    const now = this.deps.clock.now();
    const start = this.cursor;
    const consumable = isConsumable(sysFlag);
    const firstQueueOffset = consumable ? this.nextQueueOffset(b.topic, b.queueId) : 0;
    let queueOffset = firstQueueOffset;
    const dispatches: DispatchRequest[] = [];
    const msgIds: string[] = [];
    const data = b.data;
    const staging = this.staging;
    const view = this.stagingView;
    // Views on the request's ArrayBuffer + TypedArray.set: the cheapest copy here (Buffer.copy and byte loops cost more).
    const dataBuffer = data.buffer;
    const dataOffset = data.byteOffset;
    for (let i = 0, o = 0; i < count; i++, o += BATCH_LAYOUT_STRIDE) {
      const bodyStart = layout[o + BatchLayout.BODY_START] ?? 0;
      const bodyLength = layout[o + BatchLayout.BODY_LENGTH] ?? 0;
      const propsStart = layout[o + BatchLayout.PROPERTIES_START] ?? 0;
      const ownLength = layout[o + BatchLayout.PROPERTIES_LENGTH] ?? 0;
      const sx = layout[o + BatchLayout.SUFFIX] ?? -1;
      const suffix = sx >= 0 ? suffixes[sx] : undefined;
      const propsLength = ownLength + (suffix?.length ?? 0);
      const length = fixed + bodyLength + propsLength;
      const at = this.stagingUsed;
      const body = new Uint8Array(dataBuffer, dataOffset + bodyStart, bodyLength);
      const head = writeRecordHead(
        view, at, length, bodyCrc32(body), b.queueId, layout[o + BatchLayout.FLAG] ?? 0, queueOffset, this.cursor, sysFlag,
        b.bornTimestamp, b.bornHost, now, b.storeHost, b.reconsumeTimes, 0,
      );
      const p = writeRecordBodyTopic(view, staging, head, body, topic, propsLength);
      staging.set(new Uint8Array(dataBuffer, dataOffset + propsStart, ownLength), p);
      if (suffix !== undefined) staging.set(suffix, p + ownLength);
      // A suffix that starts a new pair and names nothing dispatch reads (the broker's CLUSTER) need not be scanned.
      const scanEnd = sx >= 0 && ownLength > 0 && inert[sx] === true ? p + ownLength : p + propsLength;
      const info = dispatchInfoOfBytes(staging, p, scanEnd, sysFlag, this.info);
      dispatches.push(this.staged1(b.topic, b.queueId, length, sysFlag, info, queueOffset, now, 0, msgIds));
      if (consumable) queueOffset++;
    }
    if (consumable) this.setQueueOffset(b.topic, b.queueId, queueOffset);
    return this.enqueue(start, total, dispatches, msgIds, firstQueueOffset, now, opts);
  }

  /** Whether `total` bytes can be staged with nothing to roll or write out first (reserve would do nothing). */
  private fitsAsIs(total: number): boolean {
    const remaining = this.config.segmentSize - (this.cursor % this.config.segmentSize);
    return total + END_FILE_MIN_BLANK_LENGTH <= remaining && this.stagingUsed + total <= this.staging.length;
  }

  /** Checks that `total` bytes of records fit and makes room for them; the refusal otherwise. */
  private reserve(total: number): PutMessageResult | undefined {
    if (total + END_FILE_MIN_BLANK_LENGTH > this.config.segmentSize || total > this.staging.length) {
      return { status: PutMessageStatus.MESSAGE_ILLEGAL, reason: `message of ${total} bytes does not fit a commit-log segment` };
    }
    try {
      this.ensureRoom(total);
    } catch (err: unknown) {
      return this.writeFailure(err);
    }
    return undefined;
  }

  /**
   * Accounts for the record of `length` bytes just written at the staging
   * position: advances the cursor, adds its message id, and returns its
   * dispatch request.
   */
  private staged1(
    topic: string,
    queueId: number,
    length: number,
    sysFlag: number,
    info: DispatchInfo,
    queueOffset: number,
    now: number,
    preparedTransactionOffset: number,
    msgIds: string[],
  ): DispatchRequest {
    const offset = this.cursor;
    this.stagingUsed += length;
    this.cursor += length;
    msgIds.push(this.msgIds.encode(offset));
    return {
      topic,
      queueId,
      commitLogOffset: offset,
      msgSize: length,
      tagsCode: tagsCodeFor(topic, info, now, this.config.delayLevels),
      storeTimestamp: now,
      queueOffset,
      keys: info.keys,
      uniqKey: info.uniqKey,
      sysFlag,
      preparedTransactionOffset,
    };
  }

  private enqueue(
    start: number,
    total: number,
    dispatches: DispatchRequest[],
    msgIds: string[],
    logicsOffset: number,
    now: number,
    opts: AppendOptions,
  ): Promise<PutMessageResult> {
    const result: AppendMessageResult = {
      wroteOffset: start,
      wroteBytes: total,
      msgIds,
      logicsOffset,
      storeTimestamp: now,
      msgNum: dispatches.length,
    };
    return new Promise<PutMessageResult>((resolve) => {
      this.staged.push({
        endOffset: this.cursor,
        result,
        dispatches,
        wait: opts.waitStoreMsgOK ?? true,
        enqueuedAt: now,
        settled: false,
        resolve,
      });
      this.scheduleDrain();
    });
  }

  /** Makes room for `total` bytes: rolls the segment and writes out the staging buffer as needed. */
  private ensureRoom(total: number): void {
    const segStart = this.cursor - (this.cursor % this.config.segmentSize);
    const remaining = segStart + this.config.segmentSize - this.cursor;
    if (total + END_FILE_MIN_BLANK_LENGTH > remaining) {
      this.writeOut();
      const seg = this.segments.getOrCreate(this.cursor);
      const header = Buffer.allocUnsafe(END_FILE_MIN_BLANK_LENGTH);
      writeBlankRecord(header, 0, remaining);
      seg.write(this.cursor - seg.startOffset, header);
      this.cursor += remaining;
      this.written = this.cursor;
      this.stagingStart = this.cursor;
      this.segments.getOrCreate(this.cursor);
    } else if (this.stagingUsed + total > this.staging.length) {
      this.writeOut();
    }
  }

  /** Writes the staged bytes to their segment(s). Throws on I/O failure after rolling the stage back. */
  private writeOut(): void {
    if (this.stagingUsed === 0) return;
    let pos = 0;
    try {
      while (pos < this.stagingUsed) {
        const offset = this.stagingStart + pos;
        const seg = this.segments.getOrCreate(offset);
        const n = Math.min(this.stagingUsed - pos, seg.endOffset - offset);
        seg.write(offset - seg.startOffset, this.staging, pos, pos + n);
        pos += n;
      }
    } catch (err: unknown) {
      this.rollbackStaged(err);
      throw err;
    }
    this.written = this.cursor;
    this.stagingStart = this.cursor;
    this.stagingUsed = 0;
    for (const p of this.staged) this.writtenPending.push(p);
    this.staged = [];
  }

  /** Undoes the staged appends after a failed write: offsets, queue offsets, partial bytes. */
  private rollbackStaged(err: unknown): void {
    const failed = this.staged;
    this.staged = [];
    for (let i = failed.length - 1; i >= 0; i--) {
      const p = failed[i];
      if (p === undefined) continue;
      for (let j = p.dispatches.length - 1; j >= 0; j--) {
        const d = p.dispatches[j];
        if (d !== undefined && isConsumable(d.sysFlag)) this.setQueueOffset(d.topic, d.queueId, d.queueOffset);
      }
    }
    this.cursor = this.stagingStart;
    this.stagingUsed = 0;
    try {
      const seg = this.segments.find(this.cursor);
      seg?.zeroFrom(this.cursor - seg.startOffset);
    } catch (zeroErr: unknown) {
      this.log.error('could not clear a failed write', { error: getErrorMessage(zeroErr) });
    }
    const result = this.writeFailure(err);
    for (const p of failed) {
      p.settled = true;
      p.resolve(result);
    }
  }

  private writeFailure(err: unknown): PutMessageResult {
    this.deps.onWriteError?.(err);
    const code = errnoCode(err);
    if (code === 'ENOSPC' || code === 'EDQUOT') {
      this.log.error('commit log write failed: disk full', { code });
      return { status: PutMessageStatus.SERVICE_NOT_AVAILABLE, reason: 'the broker disk is full' };
    }
    this.log.error('commit log write failed', { error: getErrorMessage(err), code });
    return { status: PutMessageStatus.UNKNOWN_ERROR, reason: `commit log write failed: ${getErrorMessage(err)}` };
  }

  private scheduleDrain(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    setImmediate(() => {
      this.drainScheduled = false;
      this.drain();
    });
  }

  /** End of the turn: write out, then resolve/dispatch (async) or hand to the flush (sync). */
  private drain(): void {
    try {
      this.writeOut();
    } catch {
      // rolled back and resolved in writeOut
    }
    const done = this.writtenPending;
    if (done.length === 0) return;
    this.writtenPending = [];
    if (this.config.flushDiskType === 'ASYNC_FLUSH') {
      for (const p of done) {
        for (const d of p.dispatches) this.deps.dispatch(d);
        p.settled = true;
        p.resolve({ status: PutMessageStatus.PUT_OK, appendResult: p.result });
      }
      return;
    }
    for (const p of done) {
      if (!p.wait) {
        p.settled = true;
        p.resolve({ status: PutMessageStatus.PUT_OK, appendResult: p.result });
      }
      this.flushWaiters.push(p);
    }
    if (this.syncFailure !== undefined) {
      this.failFlushWaiters();
      return;
    }
    this.armTimeout();
    void this.flush().catch((err: unknown) => this.log.error('commit log flush failed', { error: getErrorMessage(err) }));
  }

  /**
   * Resolves when everything written so far is durable (group commit: one
   * fdatasync covers every caller whose bytes were written before it started).
   * A call made while an fdatasync is under way starts another one at once
   * (up to MAX_CONCURRENT_FLUSHES) rather than waiting for it to end: the
   * kernel runs them side by side, and the later one covers all earlier bytes.
   */
  flush(): Promise<void> {
    const upTo = this.written;
    if (this.flushed >= upTo) return Promise.resolve();
    if (this.syncFailure !== undefined) return Promise.reject(this.syncFailure.err);
    return new Promise<void>((resolve, reject) => {
      this.flushCallers.push({ upTo, resolve, reject });
      this.startFlush();
    });
  }

  /** Starts an fdatasync of everything written, when there is something no running one covers and a free slot. */
  private startFlush(): void {
    if (this.flushesRunning.length >= MAX_CONCURRENT_FLUSHES || this.flushRequested >= this.written) return;
    // From `flushed`, not `flushRequested`: across a segment roll the earlier segment must be synced by this call too.
    const from = this.flushed;
    const target = this.written;
    this.flushRequested = target;
    const run: Promise<void> = this.segments.flush(from, target).then(
      () => {
        this.flushesRunning = this.flushesRunning.filter((r) => r !== run);
        // A call that ends well after another has failed proves nothing (the failed pages may be gone).
        if (this.syncFailure !== undefined) return;
        if (target > this.flushed) {
          this.flushed = target;
          this.releaseFlushed();
          this.settleFlushCallers();
        }
        this.startFlush();
      },
      (err: unknown) => {
        this.flushesRunning = this.flushesRunning.filter((r) => r !== run);
        this.failSync(err);
      },
    );
    this.flushesRunning.push(run);
  }

  /** Resolves the flush() callers now durable. */
  private settleFlushCallers(): void {
    const keep: FlushCaller[] = [];
    for (const c of this.flushCallers) {
      if (c.upTo <= this.flushed) c.resolve();
      else keep.push(c);
    }
    this.flushCallers = keep;
  }

  /**
   * After a failed fdatasync nothing past `flushed` can be called durable, not
   * even by a later call that succeeds: every flush() caller still waiting is
   * rejected, every SYNC_FLUSH append still waiting is answered
   * FLUSH_DISK_TIMEOUT (and never dispatched), and appends are refused from now on.
   */
  private failSync(err: unknown): void {
    if (this.syncFailure === undefined) {
      this.syncFailure = { err };
      this.log.error('commit log fdatasync failed: appends refused until restart', { error: getErrorMessage(err), durableUpTo: this.flushed, written: this.written });
      this.deps.onWriteError?.(err);
    }
    const callers = this.flushCallers;
    this.flushCallers = [];
    for (const c of callers) c.reject(err);
    this.failFlushWaiters();
  }

  /** Answers every SYNC_FLUSH append still waiting FLUSH_DISK_TIMEOUT; none of them will be dispatched. */
  private failFlushWaiters(): void {
    const waiters = this.flushWaiters;
    this.flushWaiters = [];
    for (const p of waiters) {
      if (p.settled) continue;
      p.settled = true;
      p.resolve({ status: PutMessageStatus.FLUSH_DISK_TIMEOUT, appendResult: p.result });
    }
  }

  /** Dispatches and resolves SYNC_FLUSH appends that are now durable, in order. */
  private releaseFlushed(): void {
    let i = 0;
    for (; i < this.flushWaiters.length; i++) {
      const p = this.flushWaiters[i];
      if (p === undefined || p.endOffset > this.flushed) break;
      for (const d of p.dispatches) this.deps.dispatch(d);
      if (!p.settled) {
        p.settled = true;
        p.resolve({ status: PutMessageStatus.PUT_OK, appendResult: p.result });
      }
    }
    if (i > 0) this.flushWaiters = this.flushWaiters.slice(i);
  }

  /** One timer for the oldest unsettled SYNC_FLUSH waiter: FLUSH_DISK_TIMEOUT after syncFlushTimeout. */
  private armTimeout(): void {
    if (this.timeoutTimer !== undefined) return;
    const oldest = this.flushWaiters.find((p) => !p.settled);
    if (oldest === undefined) return;
    const delay = Math.max(1, oldest.enqueuedAt + this.config.syncFlushTimeout - this.deps.clock.now());
    this.timeoutTimer = setTimeout(() => {
      this.timeoutTimer = undefined;
      const now = this.deps.clock.now();
      for (const p of this.flushWaiters) {
        if (p.settled) continue;
        if (p.enqueuedAt + this.config.syncFlushTimeout > now) break;
        p.settled = true;
        this.log.warn('sync flush timed out', { offset: p.result.wroteOffset });
        p.resolve({ status: PutMessageStatus.FLUSH_DISK_TIMEOUT, appendResult: p.result });
      }
      this.armTimeout();
    }, delay);
    this.timeoutTimer.unref();
  }

  /** Reads `size` bytes at `offset`; undefined when outside the readable log. */
  read(offset: number, size: number): Buffer | undefined {
    if (offset < this.minOffset || offset + size > this.written || size <= 0) return undefined;
    const seg = this.segments.find(offset);
    if (seg === undefined || offset + size > seg.endOffset) return undefined;
    return seg.readSync(offset - seg.startOffset, size);
  }

  /** Reads the record size stored at `offset` (TOTALSIZE), if readable. */
  readRecordSize(offset: number): number | undefined {
    const head = this.read(offset, 4);
    return head?.readInt32BE(0);
  }

  /** Bytes from `offset` up to `maxBytes`, not crossing its segment or the readable end (for replication). */
  readRaw(offset: number, maxBytes: number): Buffer | undefined {
    const seg = this.segments.find(offset);
    if (seg === undefined || offset >= this.written) return undefined;
    const n = Math.min(maxBytes, seg.endOffset - offset, this.written - offset);
    return seg.readSync(offset - seg.startOffset, n);
  }

  /** Waits for staged appends to be written and flushes everything. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.drain();
    try {
      await this.flush();
    } finally {
      await this.release();
    }
  }

  /** Settles what still waits and closes the segments (after the last flush, failed or not). */
  private async release(): Promise<void> {
    // fdatasyncs started before the last one may still run on the segments' descriptors.
    await Promise.allSettled(this.flushesRunning);
    if (this.timeoutTimer !== undefined) clearTimeout(this.timeoutTimer);
    this.timeoutTimer = undefined;
    this.failFlushWaiters();
    this.segments.close();
  }

  /** Deletes the oldest segment when it is not the one being written. Returns it, or undefined. */
  deleteOldestSegment(): { startOffset: number; endOffset: number } | undefined {
    const first = this.segments.first;
    if (first === undefined || first === this.segments.last || first.endOffset > this.written) return undefined;
    this.segments.deleteFirst();
    return { startOffset: first.startOffset, endOffset: first.endOffset };
  }

  assertOpen(): void {
    if (this.closed) throw new StoreError('commit log is closed');
  }
}
