/**
 * The message store facade (RocketMQ's DefaultMessageStore, 4.9.8, trimmed to
 * what a broker needs): commit log + consume queues + index, with recovery,
 * dispatch, periodic flush and checkpoint, retention and the disk-full guard.
 *
 * Layout under `storePathRootDir`: commitlog/, consumequeue/, index/,
 * checkpoint, abort (present while running), lock.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import type { Clock, HostAddress, Logger, MessageBatchInput, MessageInput } from '../common/index.js';
import {
  BATCH_LAYOUT_STRIDE,
  BatchLayout,
  MAX_PROPERTIES_LENGTH,
  MAX_TOPIC_LENGTH,
  errnoCode,
  getErrorMessage,
  noopLogger,
  systemClock,
  utf8LongerThan,
} from '../common/index.js';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import type { AppendOptions } from './commit-log.js';
import { CommitLog } from './commit-log.js';
import { scanCommitLog } from './commit-log-scanner.js';
import { ConsumeQueueTable } from './consume-queue-table.js';
import type { DiskUsageProbe } from './disk-usage.js';
import { statfsDiskUsage } from './disk-usage.js';
import type { DispatchRequest } from './dispatch-request.js';
import { isConsumable } from './dispatch-info.js';
import type { GetMessageOptions, GetMessageResult } from './get-message.js';
import { getMessages } from './get-message.js';
import { IndexService } from './index-service.js';
import { queryMessagesByKey } from './query-message.js';
import type { QueryMessageResult } from './query-message.js';
import type { PutMessageResult } from './put-message-result.js';
import { PutMessageStatus } from './put-message-result.js';
import { parseDelayLevels } from './delay-levels.js';
import { runRetention } from './retention.js';
import type { MessageStoreConfig } from './store-config.js';
import { StoreLock } from './store-lock.js';

export interface MessageStoreDeps {
  readonly logger?: Logger;
  readonly clock?: Clock;
  /** The broker's address, stored in every record and in offset message ids. */
  readonly storeHost: HostAddress;
  readonly diskUsage?: DiskUsageProbe;
  /** Called after each record is dispatched (long-polling wake-up: MessageArrivingListener). */
  readonly onDispatched?: (req: DispatchRequest) => void;
}

/** accessMessageInMemoryMaxRatio (40 %) of physical memory, read once as RocketMQ's StoreUtil does (os.totalmem reads /proc/meminfo). */
const HOT_DATA_BYTES = Math.floor(totalmem() * 0.4);
const EMPTY_BATCH: PutMessageResult = { status: PutMessageStatus.MESSAGE_ILLEGAL, reason: 'empty batch' };
const MIXED_BATCH: PutMessageResult = { status: PutMessageStatus.MESSAGE_ILLEGAL, reason: 'a batch must have one topic and queue' };

function topicTooLong(): PutMessageResult {
  return { status: PutMessageStatus.MESSAGE_ILLEGAL, reason: `topic longer than ${MAX_TOPIC_LENGTH} bytes` };
}

function propertiesTooLong(): PutMessageResult {
  return { status: PutMessageStatus.PROPERTIES_SIZE_EXCEEDED, reason: `properties longer than ${MAX_PROPERTIES_LENGTH} bytes` };
}

function bodyTooLarge(total: number, max: number): PutMessageResult {
  return { status: PutMessageStatus.MESSAGE_ILLEGAL, reason: `message body of ${total} bytes exceeds maxMessageSize ${max}` };
}

/** Topic and property byte lengths (DefaultMessageStore.checkMessage). */
function refuseFields(m: MessageInput): PutMessageResult | undefined {
  if (utf8LongerThan(m.topic, MAX_TOPIC_LENGTH)) return topicTooLong();
  if (utf8LongerThan(m.properties, MAX_PROPERTIES_LENGTH)) return propertiesTooLong();
  return undefined;
}

function badLayout(why: string): PutMessageResult {
  return { status: PutMessageStatus.MESSAGE_ILLEGAL, reason: `malformed batch: ${why}` };
}

/** Something that needs commit-log records kept past retention (e.g. pending timed messages). */
export type RetentionFloor = () => number | undefined;

export interface RecoveryReport {
  readonly cleanShutdown: boolean;
  readonly scannedFrom: number;
  readonly recordsScanned: number;
  readonly validEnd: number;
  readonly truncated: { readonly offset: number; readonly reason: string } | undefined;
  readonly consumeQueuesLoaded: number;
  readonly checkpointSource: string;
}

export class MessageStore {
  readonly config: Readonly<MessageStoreConfig>;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly deps: MessageStoreDeps;
  private readonly root: string;
  readonly commitLog: CommitLog;
  readonly consumeQueues: ConsumeQueueTable;
  readonly index: IndexService;
  private lock: StoreLock | undefined;
  private timers: NodeJS.Timeout[] = [];
  private dispatchedOffset = 0;
  private lastDispatchTimestamp = 0;
  /** When the index was last flushed (undefined: not since start, so the first flush includes it). */
  private indexFlushedAt: number | undefined;
  /** How far the index files are durable (for the checkpoint). */
  private indexDurable = { offset: 0, timestamp: 0 };
  private diskFull = false;
  private dispatchFailedAt: number | undefined;
  /** A consume queue or index fdatasync failed: the checkpoint stays put and the next start recovers. */
  private derivedSyncFailed = false;
  private retentionFloor: RetentionFloor | undefined;
  private opened = false;
  private closing: Promise<void> | undefined;
  private periodic: Promise<void> = Promise.resolve();
  recovery: RecoveryReport | undefined;

  constructor(config: Readonly<MessageStoreConfig>, deps: MessageStoreDeps) {
    this.config = config;
    this.deps = deps;
    this.log = (deps.logger ?? noopLogger).child({ component: 'store' });
    this.clock = deps.clock ?? systemClock;
    this.root = config.storePathRootDir;
    this.commitLog = new CommitLog(
      {
        dir: join(this.root, 'commitlog'),
        segmentSize: config.mappedFileSizeCommitLog,
        flushDiskType: config.flushDiskType,
        syncFlushTimeout: config.syncFlushTimeout,
        maxMessageSize: config.maxMessageSize,
        delayLevels: parseDelayLevels(config.messageDelayLevel),
      },
      {
        logger: this.log,
        clock: this.clock,
        storeHost: deps.storeHost,
        dispatch: (req) => this.dispatch(req),
      },
    );
    this.consumeQueues = new ConsumeQueueTable(join(this.root, 'consumequeue'), config.mappedFileSizeConsumeQueue);
    this.index = new IndexService(
      join(this.root, 'index'),
      { maxHashSlotNum: config.maxHashSlotNum, maxIndexNum: config.maxIndexNum },
      this.clock,
    );
  }

  private get abortPath(): string {
    return join(this.root, 'abort');
  }

  private get checkpointPath(): string {
    return join(this.root, 'checkpoint');
  }

  /** Locks the store, recovers it and starts the background services. */
  async open(): Promise<RecoveryReport> {
    mkdirSync(this.root, { recursive: true });
    this.lock = StoreLock.acquire(this.root);
    try {
      const report = this.recover();
      this.recovery = report;
      writeFileSync(this.abortPath, '');
      await this.flushDerived();
      this.opened = true;
      this.startServices();
      this.log.info('message store opened', { ...report });
      return report;
    } catch (err: unknown) {
      this.commitLog.segments.close();
      this.consumeQueues.close();
      this.index.close();
      this.lock.release();
      this.lock = undefined;
      throw err;
    }
  }

  private recover(): RecoveryReport {
    const cleanShutdown = !existsSync(this.abortPath);
    const cp = loadCheckpoint(this.checkpointPath);
    if (cp.corrupt) this.log.warn('checkpoint unreadable, recovering from the start of the commit log', { problems: cp.problems });
    this.commitLog.load();
    const consumeQueuesLoaded = this.consumeQueues.load();
    for (const cq of this.consumeQueues.all()) cq.recover(Number.MAX_SAFE_INTEGER);
    this.index.load();

    const hasData = this.commitLog.segments.all.length > 0;
    let dispatchFrom = Math.min(cp.data.consumeQueueOffset, this.config.messageIndexEnable ? cp.data.indexOffset : Infinity);
    if (cp.corrupt) dispatchFrom = 0;
    // Derived data deleted while stopped is rebuilt from the whole commit log.
    if (hasData && consumeQueuesLoaded === 0) dispatchFrom = 0;
    if (hasData && this.config.messageIndexEnable && this.index.fileCount === 0) dispatchFrom = 0;
    dispatchFrom = Math.max(dispatchFrom, this.commitLog.minOffset);
    // After a crash, validate from the start of the segment holding the dispatch point.
    const segSize = this.config.mappedFileSizeCommitLog;
    const scanFrom = cleanShutdown ? dispatchFrom : Math.max(this.commitLog.minOffset, dispatchFrom - (dispatchFrom % segSize));

    this.dispatchedOffset = dispatchFrom;
    // Until the first index flush, the index is durable only as far as recovery found it.
    this.indexDurable = { offset: dispatchFrom, timestamp: cp.data.indexMsgTimestamp };
    const result = scanCommitLog(
      this.commitLog.segments,
      scanFrom,
      {
        verifyCrc: true,
        readBytes: Math.max(this.config.recoverReadBytes, this.config.maxMessageSize + 64 * 1024),
        delayLevels: parseDelayLevels(this.config.messageDelayLevel),
      },
      (req) => {
        if (req.commitLogOffset >= dispatchFrom) this.dispatchRecovered(req);
      },
    );
    if (result.corrupt !== undefined) {
      this.log.warn('commit log tail is torn or corrupt; truncating', { offset: result.corrupt.offset, reason: result.corrupt.reason });
    }
    this.commitLog.setRecoveredEnd(result.validEnd);
    this.dispatchedOffset = Math.max(this.dispatchedOffset, result.validEnd);
    for (const cq of this.consumeQueues.all()) {
      cq.truncateDirty(result.validEnd);
      cq.correctMinOffset(this.commitLog.minOffset);
      this.commitLog.setQueueOffset(cq.topic, cq.queueId, cq.maxOffset);
    }
    return {
      cleanShutdown,
      scannedFrom: scanFrom,
      recordsScanned: result.records,
      validEnd: result.validEnd,
      truncated: result.corrupt,
      consumeQueuesLoaded,
      checkpointSource: cp.source,
    };
  }

  private dispatchRecovered(req: DispatchRequest): void {
    if (isConsumable(req.sysFlag)) this.consumeQueues.getOrCreate(req.topic, req.queueId).dispatch(req);
    if (this.config.messageIndexEnable) this.index.buildIndex(req);
  }

  private dispatch(req: DispatchRequest): void {
    if (this.dispatchFailedAt !== undefined) return;
    try {
      this.dispatchRecovered(req);
    } catch (err: unknown) {
      // The record is safe in the commit log; the derived files are not. Stop
      // taking writes and leave the checkpoint before this record, so the next
      // start rebuilds from here.
      this.dispatchFailedAt = req.commitLogOffset;
      if (errnoCode(err) === 'ENOSPC') this.diskFull = true;
      this.log.error('dispatch to consume queue / index failed; appends refused until restart', {
        offset: req.commitLogOffset,
        error: getErrorMessage(err),
      });
      return;
    }
    this.dispatchedOffset = req.commitLogOffset + req.msgSize;
    this.lastDispatchTimestamp = req.storeTimestamp;
    this.deps.onDispatched?.(req);
  }

  private startServices(): void {
    const every = (ms: number, name: string, fn: () => Promise<void> | void): void => {
      const t = setInterval(() => {
        this.periodic = this.periodic
          .then(fn)
          .catch((err: unknown) => this.log.error(`${name} failed`, { error: getErrorMessage(err) }));
      }, ms);
      t.unref();
      this.timers.push(t);
    };
    if (this.config.flushDiskType === 'ASYNC_FLUSH') {
      const t = setInterval(() => {
        if (this.commitLog.syncFailed) return; // logged once when it failed; nothing more will be counted durable
        this.commitLog.flush().catch((err: unknown) => this.log.error('commit log flush failed', { error: getErrorMessage(err) }));
      }, this.config.flushIntervalCommitLog);
      t.unref();
      this.timers.push(t);
    }
    every(this.config.flushIntervalConsumeQueue, 'consume queue flush', () => this.flushDerived());
    every(this.config.cleanResourceInterval, 'retention', async () => {
      await this.runRetention();
    });
  }

  /**
   * Flushes the consume queues (and the index when `withIndex` or when
   * flushIntervalIndex has passed), then records how far each is durable.
   */
  private async flushDerived(withIndex = false): Promise<void> {
    const upTo = this.dispatchedOffset;
    const ts = this.lastDispatchTimestamp;
    try {
      await Promise.all([...this.consumeQueues.all()].map((cq) => cq.flush()));
      const last = this.indexFlushedAt;
      if (this.config.messageIndexEnable && (withIndex || last === undefined || this.clock.now() - last >= this.config.flushIntervalIndex)) {
        await this.index.flush();
        this.indexFlushedAt = this.clock.now();
        this.indexDurable = { offset: upTo, timestamp: ts };
      }
    } catch (err: unknown) {
      this.derivedSyncFailed = true;
      throw err;
    }
    // After a failed fdatasync a later successful one proves nothing (the failed
    // pages may be gone): the checkpoint stays where the last good flush left it,
    // and the next start rebuilds the consume queues and index from there.
    if (this.derivedSyncFailed) return;
    const index = this.config.messageIndexEnable ? this.indexDurable : { offset: upTo, timestamp: ts };
    await saveCheckpoint(this.checkpointPath, {
      physicMsgTimestamp: ts,
      logicsMsgTimestamp: ts,
      indexMsgTimestamp: index.timestamp,
      commitLogFlushedOffset: this.commitLog.flushedOffset,
      consumeQueueOffset: upTo,
      indexOffset: index.offset,
    });
  }

  /** One retention round; also refreshes the disk-full flag. Returns segments deleted. */
  async runRetention(manualDelete = false): Promise<number> {
    const r = runRetention({
      config: this.config,
      commitLog: this.commitLog,
      consumeQueues: this.consumeQueues,
      index: this.index,
      diskUsage: this.deps.diskUsage ?? statfsDiskUsage,
      now: this.clock.now(),
      wasDiskFull: this.diskFull,
      manualDelete,
      logger: this.log,
      keepFrom: this.retentionFloor?.(),
    });
    if (r.diskFull !== this.diskFull) {
      this.log[r.diskFull ? 'error' : 'info'](r.diskFull ? 'disk full: appends refused' : 'disk space recovered: appends accepted');
    }
    this.diskFull = r.diskFull;
    return Promise.resolve(r.deleted);
  }

  /** Registers the lowest commit-log offset that retention must keep. */
  setRetentionFloor(floor: RetentionFloor): void {
    this.retentionFloor = floor;
  }

  get isDiskFull(): boolean {
    return this.diskFull;
  }

  /** Store-level checks (DefaultMessageStore.checkStoreStatus). */
  private refuseState(): PutMessageResult | undefined {
    if (!this.opened || this.closing !== undefined) {
      return { status: PutMessageStatus.SERVICE_NOT_AVAILABLE, reason: 'the message store is not running' };
    }
    if (this.diskFull) return { status: PutMessageStatus.SERVICE_NOT_AVAILABLE, reason: 'the broker disk is full' };
    if (this.dispatchFailedAt !== undefined) {
      return { status: PutMessageStatus.SERVICE_NOT_AVAILABLE, reason: 'consume queue or index writes failed; the store needs a restart' };
    }
    return this.commitLog.syncRefusal();
  }

  /** Store-level checks (DefaultMessageStore.checkStoreStatus / checkMessage). */
  private refuse(msgs: readonly MessageInput[]): PutMessageResult | undefined {
    const state = this.refuseState();
    if (state !== undefined) return state;
    let total = 0;
    for (const m of msgs) {
      const bad = refuseFields(m);
      if (bad !== undefined) return bad;
      total += m.body.length;
    }
    return this.refuseBodyBytes(total);
  }

  /** The refusal of messages whose bodies total `total` bytes, when that exceeds maxMessageSize. */
  private refuseBodyBytes(total: number): PutMessageResult | undefined {
    return total > this.config.maxMessageSize ? bodyTooLarge(total, this.config.maxMessageSize) : undefined;
  }

  putMessage(msg: MessageInput, opts: AppendOptions = {}): Promise<PutMessageResult> {
    const refused = this.refuseState() ?? refuseFields(msg) ?? this.refuseBodyBytes(msg.body.length);
    return refused ? Promise.resolve(refused) : this.commitLog.append(msg, opts);
  }

  /** A batch: stored as consecutive records of one topic and queue. */
  putMessages(msgs: readonly MessageInput[], opts: AppendOptions = {}): Promise<PutMessageResult> {
    const first = msgs[0];
    if (first === undefined) return Promise.resolve(EMPTY_BATCH);
    for (const m of msgs) if (m.topic !== first.topic || m.queueId !== first.queueId) return Promise.resolve(MIXED_BATCH);
    const refused = this.refuse(msgs);
    return refused ? Promise.resolve(refused) : this.commitLog.appendAll(msgs, opts);
  }

  /**
   * A batch whose bodies and properties are byte ranges of one buffer
   * (SEND_BATCH_MESSAGE): stored as consecutive records of its topic and queue
   * without decoding the property strings.
   */
  putMessageBatch(batch: MessageBatchInput, opts: AppendOptions = {}): Promise<PutMessageResult> {
    if (batch.count <= 0) return Promise.resolve(EMPTY_BATCH);
    const state = this.refuseState();
    if (state !== undefined) return Promise.resolve(state);
    if (utf8LongerThan(batch.topic, MAX_TOPIC_LENGTH)) return Promise.resolve(topicTooLong());
    const { layout, suffixes, data } = batch;
    if (layout.length < batch.count * BATCH_LAYOUT_STRIDE) return Promise.resolve(badLayout('layout shorter than count'));
    let total = 0;
    for (let i = 0, o = 0; i < batch.count; i++, o += BATCH_LAYOUT_STRIDE) {
      const bodyStart = layout[o + BatchLayout.BODY_START] ?? 0;
      const bodyLength = layout[o + BatchLayout.BODY_LENGTH] ?? 0;
      const propsStart = layout[o + BatchLayout.PROPERTIES_START] ?? 0;
      const propsLength = layout[o + BatchLayout.PROPERTIES_LENGTH] ?? 0;
      const sx = layout[o + BatchLayout.SUFFIX] ?? -1;
      if (bodyStart < 0 || bodyLength < 0 || bodyStart + bodyLength > data.length || propsStart < 0 || propsLength < 0 || propsStart + propsLength > data.length) {
        return Promise.resolve(badLayout(`message ${i} lies outside the batch data`));
      }
      if (sx >= suffixes.length) return Promise.resolve(badLayout(`message ${i} has no suffix ${sx}`));
      const suffix = sx >= 0 ? suffixes[sx] : undefined;
      if (propsLength + (suffix?.length ?? 0) > MAX_PROPERTIES_LENGTH) return Promise.resolve(propertiesTooLong());
      total += bodyLength;
    }
    const tooLarge = this.refuseBodyBytes(total);
    return tooLarge !== undefined ? Promise.resolve(tooLarge) : this.commitLog.appendBatch(batch, opts);
  }

  getMessage(topic: string, queueId: number, offset: number, opts: GetMessageOptions): GetMessageResult {
    return getMessages(this.consumeQueues.get(topic, queueId), this.commitLog, offset, opts, {
      memoryBytes: HOT_DATA_BYTES,
    });
  }

  getMinOffsetInQueue(topic: string, queueId: number): number {
    return this.consumeQueues.get(topic, queueId)?.minOffset ?? 0;
  }

  getMaxOffsetInQueue(topic: string, queueId: number): number {
    return this.consumeQueues.get(topic, queueId)?.maxOffset ?? 0;
  }

  /**
   * Whether the record at a queue offset is so far behind the log's end that
   * it is likely no longer in the page cache (checkInDiskByConsumeOffset:
   * more than 40% of RAM behind). False when there is no such entry.
   */
  checkInDiskByConsumeOffset(topic: string, queueId: number, queueOffset: number): boolean {
    const unit = this.consumeQueues.get(topic, queueId)?.getUnit(queueOffset);
    if (unit === undefined) return false;
    return this.commitLog.maxOffset - unit.commitLogOffset > HOT_DATA_BYTES;
  }

  /** Store time of the record at a queue offset, if it is still held. */
  getMessageStoreTimestamp(topic: string, queueId: number, queueOffset: number): number | undefined {
    const unit = this.consumeQueues.get(topic, queueId)?.getUnit(queueOffset);
    return unit === undefined ? undefined : this.storeTimeOf(unit.commitLogOffset, unit.size);
  }

  getEarliestMessageTime(topic: string, queueId: number): number | undefined {
    return this.getMessageStoreTimestamp(topic, queueId, this.getMinOffsetInQueue(topic, queueId));
  }

  /** First queue offset whose message was stored at or after `timestampMs` (SEARCH_OFFSET_BY_TIMESTAMP). */
  getOffsetInQueueByTime(topic: string, queueId: number, timestampMs: number): number {
    const cq = this.consumeQueues.get(topic, queueId);
    if (cq === undefined) return 0;
    return cq.searchOffsetByTimestamp(timestampMs, (o, s) => this.storeTimeOf(o, s));
  }

  private storeTimeOf(commitLogOffset: number, size: number): number | undefined {
    const rec = this.commitLog.read(commitLogOffset, size);
    if (rec === undefined || rec.length < 64) return undefined;
    const bornHostBytes = (rec.readInt32BE(36) & 0x10) !== 0 ? 20 : 8;
    return rec.readInt32BE(48 + bornHostBytes) * 4294967296 + rec.readUInt32BE(52 + bornHostBytes);
  }

  /** The stored record at a commit-log offset (VIEW_MESSAGE_BY_ID). */
  lookMessageByOffset(commitLogOffset: number): Buffer | undefined {
    const size = this.commitLog.readRecordSize(commitLogOffset);
    if (size === undefined || size <= 0 || size > this.config.maxMessageSize + 64 * 1024) return undefined;
    const rec = this.commitLog.read(commitLogOffset, size);
    return rec !== undefined && rec.length === size && rec.readInt32BE(4) === -626843481 ? rec : undefined;
  }

  /** Messages of `topic` whose KEYS or UNIQ_KEY is `key`, stored within [begin, end] (QUERY_MESSAGE). */
  queryMessage(topic: string, key: string, maxNum: number, begin: number, end: number): QueryMessageResult {
    return queryMessagesByKey(this.index, (o) => this.lookMessageByOffset(o), topic, key, maxNum, begin, end);
  }

  get minPhyOffset(): number {
    return this.commitLog.minOffset;
  }

  get maxPhyOffset(): number {
    return this.commitLog.maxOffset;
  }

  /** Topics with consume queues in this store. */
  topics(): string[] {
    return this.consumeQueues.topics();
  }

  queueIds(topic: string): number[] {
    return this.consumeQueues.queuesOf(topic).map((q) => q.queueId);
  }

  /** Deletes a topic's consume queues (its records age out of the commit log). */
  deleteTopic(topic: string): void {
    this.consumeQueues.deleteTopic(topic);
    this.commitLog.removeQueueOffsets(topic);
  }

  /** Flushes everything and makes the next start a clean one. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    if (!this.opened) return;
    await this.periodic;
    let clean = this.dispatchFailedAt === undefined && !this.derivedSyncFailed;
    try {
      await this.commitLog.close();
      await this.flushDerived(true);
    } catch (err: unknown) {
      clean = false;
      this.log.error('store shutdown could not flush everything; the next start recovers', { error: getErrorMessage(err) });
    }
    for (const close of [() => this.consumeQueues.close(), () => this.index.close()]) {
      try {
        close();
      } catch (err: unknown) {
        clean = false;
        this.log.error('closing store files failed', { error: getErrorMessage(err) });
      }
    }
    // Without the abort marker the next start trusts the checkpoint.
    if (clean) rmSync(this.abortPath, { force: true });
    this.lock?.release();
    this.lock = undefined;
    this.opened = false;
  }

  /** Sizes of the store's parts in bytes (for stats). */
  diskFootprint(): { commitLogBytes: number; segments: number } {
    const dir = join(this.root, 'commitlog');
    let bytes = 0;
    let segments = 0;
    if (existsSync(dir)) {
      for (const n of readdirSync(dir)) {
        bytes += statSync(join(dir, n)).size;
        segments++;
      }
    }
    return { commitLogBytes: bytes, segments };
  }
}
