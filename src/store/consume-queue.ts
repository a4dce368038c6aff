/**
 * The consume queue of one topic + queueId: RocketMQ's store/ConsumeQueue.java
 * (4.9), a dense index from logical queue offset to commit-log record.
 *
 * Files: `{rootDir}/{topic}/{queueId}/{20-digit start byte offset}`, each
 * `segmentSizeBytes` long (a multiple of 20; 6,000,000 = 300,000 units by
 * default). Logical offset n lives at byte n * 20. Unit, 20 bytes big-endian:
 *
 *   0 commitLogOffset int64 | 8 size int32 (record TOTALSIZE) | 12 tagsCode int64
 *
 * A queue whose first offset is not 0 starts with fill units
 * (0, 2147483647, 0) from its first segment's start (ConsumeQueue.fillPreBlank).
 *
 * Writes are batched: `putUnit` encodes into a small pending buffer (at most
 * 4 KiB, allocated lazily and released by `commit()`), written with one
 * positional write when full or on `commit()`. Reads see pending units.
 */
import { rmSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError, StoreError } from '../common/index.js';
import type { DispatchRequest } from './dispatch-request.js';
import { SegmentQueue } from './segment-queue.js';

/** Bytes per consume-queue unit (ConsumeQueue.CQ_STORE_UNIT_SIZE). */
export const CQ_UNIT_SIZE = 20;
/** The size field of a fill unit (Integer.MAX_VALUE). */
export const CQ_FILL_SIZE = 0x7fffffff;
/** Default segment size: 300,000 units (MessageStoreConfig.mappedFileSizeConsumeQueue). */
export const DEFAULT_CQ_SEGMENT_SIZE_BYTES = 300_000 * CQ_UNIT_SIZE;

const PENDING_UNITS = 204; // 4,080 bytes
const RECOVER_CHUNK_UNITS = 3276; // 65,520 bytes per read while recovering
const TWO_32 = 4294967296;
const EMPTY = Buffer.alloc(0);

export interface ConsumeQueueUnit {
  readonly commitLogOffset: number;
  readonly size: number;
  readonly tagsCode: number;
}

function readInt64(buf: Buffer, pos: number): number {
  return buf.readInt32BE(pos) * TWO_32 + buf.readUInt32BE(pos + 4);
}

/** hi/lo split: no BigInt; DataView setters are several times faster than Buffer's checked writers. */
function writeInt64(view: DataView, value: number, pos: number): void {
  const hi = Math.floor(value / TWO_32);
  view.setInt32(pos, hi);
  view.setUint32(pos + 4, value - hi * TWO_32);
}

/** commitLogOffset of unit `i` of a raw unit buffer (as returned by `readUnits`). */
export function unitCommitLogOffset(buf: Buffer, i: number): number {
  return readInt64(buf, i * CQ_UNIT_SIZE);
}

/** size of unit `i` of a raw unit buffer. */
export function unitSize(buf: Buffer, i: number): number {
  return buf.readInt32BE(i * CQ_UNIT_SIZE + 8);
}

/** tagsCode of unit `i` of a raw unit buffer (sign-extended). */
export function unitTagsCode(buf: Buffer, i: number): number {
  return readInt64(buf, i * CQ_UNIT_SIZE + 12);
}

/** Decodes unit `i` of a raw unit buffer into an object (for cold paths and tests). */
export function unitAt(buf: Buffer, i: number): ConsumeQueueUnit {
  return { commitLogOffset: unitCommitLogOffset(buf, i), size: unitSize(buf, i), tagsCode: unitTagsCode(buf, i) };
}

function isFill(commitLogOffset: number, size: number): boolean {
  return commitLogOffset === 0 && size === CQ_FILL_SIZE;
}

export class ConsumeQueue {
  readonly topic: string;
  readonly queueId: number;
  readonly dir: string;
  private readonly topicDir: string;
  private readonly segments: SegmentQueue;
  /** Logical offset of the first segment's first unit. */
  private base = 0;
  private min = 0;
  /** Next logical offset, pending units included. */
  private max = 0;
  private maxPhysic = 0;
  private flushedBytes = 0;
  private pending: Buffer | undefined;
  private pendingView: DataView | undefined;
  private pendingCount = 0;
  private scratch: Buffer | undefined;

  constructor(rootDir: string, topic: string, queueId: number, segmentSizeBytes: number = DEFAULT_CQ_SEGMENT_SIZE_BYTES) {
    if (topic === '' || topic === '.' || topic === '..' || /[/\\]/.test(topic)) {
      throw new InvalidArgumentError(`bad topic name for a consume queue directory: ${JSON.stringify(topic)}`);
    }
    if (!Number.isSafeInteger(queueId) || queueId < 0) throw new InvalidArgumentError(`bad queueId ${queueId}`);
    if (!Number.isSafeInteger(segmentSizeBytes) || segmentSizeBytes <= 0 || segmentSizeBytes % CQ_UNIT_SIZE !== 0) {
      throw new InvalidArgumentError(`consume queue segment size ${segmentSizeBytes} is not a positive multiple of ${CQ_UNIT_SIZE}`);
    }
    this.topic = topic;
    this.queueId = queueId;
    this.topicDir = join(rootDir, topic);
    this.dir = join(this.topicDir, String(queueId));
    this.segments = new SegmentQueue(this.dir, segmentSizeBytes);
  }

  /** First readable logical offset (fill units and retained-away units lie below it). */
  get minOffset(): number { return this.min; }

  /** Next logical offset to be written. */
  get maxOffset(): number { return this.max; }

  /** commitLogOffset + size of the last unit (fill units excluded); 0 when none. */
  get maxPhysicOffset(): number { return this.maxPhysic; }

  /** Opens the existing segment files. Call `recover` next. */
  load(): void {
    this.segments.load();
  }

  /**
   * Finds the last valid unit (ConsumeQueue.recover, scanning from the third
   * last segment) and cuts everything after it, then drops units whose record
   * ends past `maxCommitLogOffset` (ConsumeQueue.truncateDirtyLogicFiles).
   * Valid: size in (0, 2^31-1), commitLogOffset at or after the end of the
   * previous unit, offset + size <= maxCommitLogOffset; fill units only at the
   * head of the first segment. Afterwards call `correctMinOffset` with the
   * commit log's min offset.
   */
  recover(maxCommitLogOffset: number): void {
    this.dropPending();
    const all = this.segments.all;
    this.base = this.segments.minOffset / CQ_UNIT_SIZE;
    const startIdx = Math.max(0, all.length - 3);
    let processBytes = all[startIdx]?.startOffset ?? 0;
    let prevEnd = 0;
    let sawReal = false;
    const chunk = all.length > 0 ? Buffer.allocUnsafe(RECOVER_CHUNK_UNITS * CQ_UNIT_SIZE) : EMPTY;
    scan: for (let s = startIdx; s < all.length; s++) {
      const seg = all[s];
      if (seg === undefined) break;
      for (let pos = 0; pos < seg.size; pos += chunk.length) {
        const got = seg.readSync(pos, chunk.length, chunk);
        const units = got.length / CQ_UNIT_SIZE;
        for (let i = 0; i < units; i++) {
          const off = unitCommitLogOffset(got, i);
          const size = unitSize(got, i);
          if (s === 0 && !sawReal && isFill(off, size) && unitTagsCode(got, i) === 0) {
            processBytes += CQ_UNIT_SIZE;
            continue;
          }
          if (off < prevEnd || size <= 0 || size >= CQ_FILL_SIZE || off + size > maxCommitLogOffset) break scan;
          prevEnd = off + size;
          sawReal = true;
          processBytes += CQ_UNIT_SIZE;
        }
      }
    }
    if (all.length > 0) this.segments.truncateFrom(processBytes);
    this.max = processBytes / CQ_UNIT_SIZE;
    this.flushedBytes = processBytes;
    // Fill units occupy at most the head of the first segment (fillPreBlank).
    const firstSegEnd = this.base + this.segments.segmentSize / CQ_UNIT_SIZE;
    this.min = this.lowerBound(this.base, Math.min(this.max, firstSegEnd), (o, sz) => !isFill(o, sz));
    this.truncateDirty(maxCommitLogOffset);
  }

  /** `putUnit` for a dispatch request. */
  dispatch(req: DispatchRequest): boolean {
    return this.putUnit(req.queueOffset, req.commitLogOffset, req.msgSize, req.tagsCode);
  }

  /**
   * Appends the unit for `queueOffset` (ConsumeQueue.putMessagePositionInfo).
   * Returns false, writing nothing, when the record is already indexed
   * (commitLogOffset < maxPhysicOffset: re-dispatch after recovery). An empty
   * queue accepts any start offset and is pre-filled from its segment start;
   * a gap or overlap in a non-empty queue throws StoreError.
   */
  putUnit(queueOffset: number, commitLogOffset: number, size: number, tagsCode: number): boolean {
    if (
      !Number.isSafeInteger(queueOffset) || queueOffset < 0 ||
      !Number.isSafeInteger(commitLogOffset) || commitLogOffset < 0 ||
      !Number.isSafeInteger(size) || size <= 0 || size >= CQ_FILL_SIZE ||
      !Number.isSafeInteger(tagsCode)
    ) {
      throw new InvalidArgumentError(`bad consume queue unit ${queueOffset}: (${commitLogOffset}, ${size}, ${tagsCode})`);
    }
    if (commitLogOffset < this.maxPhysic) return false;
    if (queueOffset !== this.max) {
      if (this.max !== this.base) {
        throw new StoreError(
          `consume queue ${this.topic}/${this.queueId}: unit for offset ${queueOffset} (commit log ${commitLogOffset}) ` +
            `but the next offset is ${this.max} (max physic offset ${this.maxPhysic})`,
        );
      }
      this.restartAt(queueOffset);
    }
    this.append(commitLogOffset, size, tagsCode);
    this.maxPhysic = commitLogOffset + size;
    return true;
  }

  /** Writes pending units to their segments (one positional write per segment touched). Cheap when none. */
  commit(): void {
    this.writePending();
    this.dropPending();
  }

  /** Commits, then fdatasyncs the segments written since the last flush. */
  async flush(): Promise<void> {
    this.commit();
    const to = this.max * CQ_UNIT_SIZE;
    if (to <= this.flushedBytes) return;
    await this.segments.flush(this.flushedBytes, to);
    this.flushedBytes = Math.max(this.flushedBytes, Math.min(to, this.max * CQ_UNIT_SIZE));
  }

  /** The unit at `queueOffset`, or undefined outside [minOffset, maxOffset). */
  getUnit(queueOffset: number): ConsumeQueueUnit | undefined {
    if (!Number.isSafeInteger(queueOffset) || queueOffset < this.min || queueOffset >= this.max) return undefined;
    return unitAt(this.readOne(queueOffset), 0);
  }

  /**
   * Raw units [from, min(from + maxCount, maxOffset)) in a new buffer; empty
   * when `fromQueueOffset` is outside [minOffset, maxOffset). Decode with
   * `unitCommitLogOffset` / `unitSize` / `unitTagsCode` / `unitAt`.
   */
  readUnits(fromQueueOffset: number, maxCount: number): Buffer {
    if (!Number.isSafeInteger(fromQueueOffset) || fromQueueOffset < this.min || !(maxCount > 0)) return EMPTY;
    const count = Math.min(this.max - fromQueueOffset, Math.floor(maxCount));
    if (count <= 0) return EMPTY;
    const buf = Buffer.allocUnsafe(count * CQ_UNIT_SIZE);
    this.copyUnits(fromQueueOffset, count, buf);
    return buf;
  }

  /**
   * The first offset in [minOffset, maxOffset) whose message was stored at or
   * after `timestampMs`; minOffset when all are, maxOffset when none is
   * (ConsumeQueue.getOffsetInQueueByTime). `storeTimeOf` returns undefined for
   * records the commit log no longer holds; they count as older.
   */
  searchOffsetByTimestamp(
    timestampMs: number,
    storeTimeOf: (commitLogOffset: number, size: number) => number | undefined,
  ): number {
    return this.lowerBound(this.min, this.max, (o, sz) => {
      const t = storeTimeOf(o, sz);
      return t !== undefined && t >= timestampMs;
    });
  }

  /** Moves minOffset to the first unit whose record starts at or after `minCommitLogOffset` (never backwards). */
  correctMinOffset(minCommitLogOffset: number): void {
    this.min = this.lowerBound(this.min, this.max, (o, sz) => !isFill(o, sz) && o >= minCommitLogOffset);
  }

  /**
   * Retention (ConsumeQueue.deleteExpiredFile): deletes leading segments whose
   * last unit points below `minCommitLogOffset`, never the last segment, then
   * corrects minOffset. Returns the number of segments deleted.
   */
  deleteExpiredSegments(minCommitLogOffset: number): number {
    this.commit();
    let deleted = 0;
    for (;;) {
      const first = this.segments.first;
      if (first === undefined || this.segments.all.length < 2) break;
      const s = this.readOne((first.endOffset - CQ_UNIT_SIZE) / CQ_UNIT_SIZE);
      if (unitCommitLogOffset(s, 0) >= minCommitLogOffset) break;
      this.segments.deleteFirst();
      deleted++;
    }
    if (deleted > 0) {
      this.base = this.segments.minOffset / CQ_UNIT_SIZE;
      this.min = Math.max(this.min, this.base);
    }
    this.correctMinOffset(minCommitLogOffset);
    return deleted;
  }

  /**
   * Drops every unit whose record ends past `maxCommitLogOffset` (so every
   * unit at or past it), for when the commit log tail is cut
   * (ConsumeQueue.truncateDirtyLogicFiles). Fill units stay.
   */
  truncateDirty(maxCommitLogOffset: number): void {
    const keep = this.lowerBound(this.base, this.max, (o, sz) => !isFill(o, sz) && o + sz > maxCommitLogOffset);
    if (keep < this.max) this.cutTo(keep);
    this.maxPhysic = 0;
    if (this.max > this.base) {
      const s = this.readOne(this.max - 1);
      const o = unitCommitLogOffset(s, 0);
      const sz = unitSize(s, 0);
      if (!isFill(o, sz)) this.maxPhysic = o + sz;
    }
  }

  /** Commits pending units and closes the files. */
  close(): void {
    this.commit();
    this.segments.close();
  }

  /** Deletes every file, the queue directory and the topic directory if that is now empty. */
  destroy(): void {
    this.dropPending();
    this.segments.deleteAll();
    rmSync(this.dir, { recursive: true, force: true });
    try {
      rmdirSync(this.topicDir);
    } catch {
      /* other queues of the topic remain */
    }
    this.base = this.min = this.max = this.maxPhysic = this.flushedBytes = 0;
  }

  private append(commitLogOffset: number, size: number, tagsCode: number): void {
    if (this.pendingCount === PENDING_UNITS) this.writePending();
    let view = this.pendingView;
    if (this.pending === undefined || view === undefined) {
      const buf = Buffer.allocUnsafeSlow(PENDING_UNITS * CQ_UNIT_SIZE);
      view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
      this.pending = buf;
      this.pendingView = view;
    }
    const p = this.pendingCount * CQ_UNIT_SIZE;
    writeInt64(view, commitLogOffset, p);
    view.setInt32(p + 8, size);
    writeInt64(view, tagsCode, p + 12);
    this.pendingCount++;
    this.max++;
  }

  /** Forgets the pending units and releases their buffer. */
  private dropPending(): void {
    this.pending = undefined;
    this.pendingCount = 0;
    this.pendingView = undefined;
  }

  /** Writes the pending units, split at segment boundaries. Keeps them pending if a write throws. */
  private writePending(): void {
    const buf = this.pending;
    if (buf === undefined || this.pendingCount === 0) return;
    const end = this.pendingCount * CQ_UNIT_SIZE;
    let pos = (this.max - this.pendingCount) * CQ_UNIT_SIZE;
    for (let from = 0; from < end; ) {
      const seg = this.segments.getOrCreate(pos);
      const n = Math.min(end - from, seg.endOffset - pos);
      seg.write(pos - seg.startOffset, buf, from, from + n);
      from += n;
      pos += n;
    }
    this.pendingCount = 0;
  }

  /** Empties an empty queue and restarts it at `queueOffset`, pre-filled from its segment start. */
  private restartAt(queueOffset: number): void {
    this.dropPending();
    this.segments.deleteAll();
    const unitsPerSegment = this.segments.segmentSize / CQ_UNIT_SIZE;
    this.base = queueOffset - (queueOffset % unitsPerSegment);
    this.max = this.base;
    this.min = queueOffset;
    this.flushedBytes = this.base * CQ_UNIT_SIZE;
    this.maxPhysic = 0;
    while (this.max < queueOffset) this.append(0, CQ_FILL_SIZE, 0);
  }

  /** Keeps units [.., n) and removes the rest from the pending buffer and the files. */
  private cutTo(n: number): void {
    const committed = this.max - this.pendingCount;
    if (n >= committed) {
      this.pendingCount = n - committed;
    } else {
      this.dropPending();
      this.segments.truncateFrom(n * CQ_UNIT_SIZE);
    }
    this.max = n;
    this.min = Math.min(this.min, n);
    this.flushedBytes = Math.min(this.flushedBytes, n * CQ_UNIT_SIZE);
  }

  /** Reads unit `queueOffset` (which must exist) into the scratch buffer. */
  private readOne(queueOffset: number): Buffer {
    const s = (this.scratch ??= Buffer.allocUnsafeSlow(CQ_UNIT_SIZE));
    this.copyUnits(queueOffset, 1, s);
    return s;
  }

  /** Copies units [from, from + count) (all below maxOffset) into `target`: files first, then pending. */
  private copyUnits(from: number, count: number, target: Buffer): void {
    const committed = this.max - this.pendingCount;
    let i = 0;
    while (i < count && from + i < committed) {
      const pos = (from + i) * CQ_UNIT_SIZE;
      const seg = this.segments.find(pos);
      if (seg === undefined) throw new StoreError(`no segment holds consume queue offset ${from + i} in ${this.dir}`);
      const n = Math.min(count - i, committed - from - i, (seg.endOffset - pos) / CQ_UNIT_SIZE);
      seg.readSync(pos - seg.startOffset, n * CQ_UNIT_SIZE, i === 0 ? target : target.subarray(i * CQ_UNIT_SIZE));
      i += n;
    }
    if (i < count) {
      const buf = this.pending;
      if (buf === undefined) throw new StoreError(`consume queue ${this.dir} lost its pending units`);
      const p = (from + i - committed) * CQ_UNIT_SIZE;
      buf.copy(target, i * CQ_UNIT_SIZE, p, p + (count - i) * CQ_UNIT_SIZE);
    }
  }

  /** The first offset in [lo, hi) whose unit satisfies `pred` (false...false true...true), else hi. */
  private lowerBound(lo: number, hi: number, pred: (commitLogOffset: number, size: number) => boolean): number {
    while (lo < hi) {
      const mid = lo + Math.floor((hi - lo) / 2);
      const s = this.readOne(mid);
      if (pred(unitCommitLogOffset(s, 0), unitSize(s, 0))) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
