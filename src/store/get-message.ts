/**
 * Reading a consume queue's messages (DefaultMessageStore.getMessage, 4.9.8):
 * the status values and next-offset rules RocketMQ's pull path relies on, tag
 * filtering by hash code, and batching of reads: consume-queue units are read
 * in growing chunks (most pulls need only maxMsgNums of them), records that lie
 * back to back in the commit log are read with one pread, and without a record
 * (SQL92) filter all runs are read into one buffer, back to back, so the
 * messages are slices of it and a pull response sends it as it is.
 */
import type { CommitLog } from './commit-log.js';
import type { ConsumeQueue } from './consume-queue.js';
import { CQ_FILL_SIZE, CQ_UNIT_SIZE, unitCommitLogOffset, unitSize, unitTagsCode } from './consume-queue.js';

/** store/GetMessageStatus.java */
export const GetMessageStatus = {
  FOUND: 'FOUND',
  NO_MATCHED_MESSAGE: 'NO_MATCHED_MESSAGE',
  MESSAGE_WAS_REMOVING: 'MESSAGE_WAS_REMOVING',
  OFFSET_FOUND_NULL: 'OFFSET_FOUND_NULL',
  OFFSET_OVERFLOW_BADLY: 'OFFSET_OVERFLOW_BADLY',
  OFFSET_OVERFLOW_ONE: 'OFFSET_OVERFLOW_ONE',
  OFFSET_TOO_SMALL: 'OFFSET_TOO_SMALL',
  NO_MATCHED_LOGIC_QUEUE: 'NO_MATCHED_LOGIC_QUEUE',
  NO_MESSAGE_IN_QUEUE: 'NO_MESSAGE_IN_QUEUE',
} as const;
export type GetMessageStatus = (typeof GetMessageStatus)[keyof typeof GetMessageStatus];

/** Broker-side filtering: by consume-queue tag hash code, then optionally by the stored record. */
export interface MessageFilter {
  isMatchedByConsumeQueue(tagsCode: number): boolean;
  isMatchedByCommitLog?(record: Buffer): boolean;
}

export interface GetMessageOptions {
  readonly maxMsgNums: number;
  /** Stop adding messages past this many bytes (the first message always fits). */
  readonly maxTotalBytes: number;
  readonly filter?: MessageFilter | undefined;
}

export interface GetMessageResult {
  readonly status: GetMessageStatus;
  readonly nextBeginOffset: number;
  readonly minOffset: number;
  readonly maxOffset: number;
  /** Stored records, byte for byte. */
  readonly messages: readonly Buffer[];
  readonly queueOffsets: readonly number[];
  readonly bufferTotalSize: number;
  /** The master is far behind the readers' position in memory terms (RocketMQ's hint to read from a slave). */
  readonly suggestPullingFromSlave: boolean;
}

/** Shared by every result without messages (an empty pull is the common case under long polling). */
const NO_MESSAGES: readonly Buffer[] = Object.freeze([]);
const NO_OFFSETS: readonly number[] = Object.freeze([]);

function empty(status: GetMessageStatus, nextBeginOffset: number, minOffset: number, maxOffset: number): GetMessageResult {
  return { status, nextBeginOffset, minOffset, maxOffset, messages: NO_MESSAGES, queueOffsets: NO_OFFSETS, bufferTotalSize: 0, suggestPullingFromSlave: false };
}

/** How far behind (bytes) a reader may be before a slave is suggested (40% of RAM in RocketMQ). */
export interface ReadHints {
  readonly memoryBytes: number;
}

interface Run {
  readonly start: number;
  end: number;
  readonly offsets: number[];
  readonly sizes: number[];
  readonly queueOffsets: number[];
}

/**
 * `size` bytes of the commit log at `offset` (CommitLog.read's bounds), into
 * `target` when given (exactly `size` bytes long), else into a new buffer;
 * undefined when not readable as a whole from one segment.
 */
function readRange(commitLog: CommitLog, offset: number, size: number, target: Buffer | undefined): Buffer | undefined {
  if (target === undefined) return commitLog.read(offset, size);
  if (offset < commitLog.minOffset || offset + size > commitLog.maxOffset || size <= 0) return undefined;
  const seg = commitLog.segments.find(offset);
  if (seg === undefined || offset + size > seg.endOffset) return undefined;
  const got = seg.readSync(offset - seg.startOffset, size, target);
  return got.length === size ? got : undefined;
}

export function getMessages(
  cq: ConsumeQueue | undefined,
  commitLog: CommitLog,
  offset: number,
  opts: GetMessageOptions,
  hints: ReadHints,
): GetMessageResult {
  if (cq === undefined) return empty(GetMessageStatus.NO_MATCHED_LOGIC_QUEUE, 0, 0, 0);
  const minOffset = cq.minOffset;
  const maxOffset = cq.maxOffset;
  if (maxOffset === 0) return empty(GetMessageStatus.NO_MESSAGE_IN_QUEUE, 0, minOffset, maxOffset);
  if (offset < minOffset) return empty(GetMessageStatus.OFFSET_TOO_SMALL, minOffset, minOffset, maxOffset);
  if (offset === maxOffset) return empty(GetMessageStatus.OFFSET_OVERFLOW_ONE, offset, minOffset, maxOffset);
  if (offset > maxOffset) {
    return empty(GetMessageStatus.OFFSET_OVERFLOW_BADLY, minOffset === 0 ? minOffset : maxOffset, minOffset, maxOffset);
  }

  const maxFilterCount = Math.max(16000, opts.maxMsgNums * CQ_UNIT_SIZE);
  // Units are read in chunks: a filter may skip many, but most pulls stop after maxMsgNums.
  const budget = Math.min(maxFilterCount, Math.max(opts.maxMsgNums, 1) * (opts.filter ? 64 : 1));
  let chunk = Math.min(budget, Math.max(opts.maxMsgNums, 1));
  let units = cq.readUnits(offset, chunk);
  let base = 0;
  let loaded = units.length / CQ_UNIT_SIZE;
  if (loaded === 0) return empty(GetMessageStatus.OFFSET_FOUND_NULL, offset, minOffset, maxOffset);

  const byRecord = opts.filter?.isMatchedByCommitLog;
  const messages: Buffer[] = [];
  const queueOffsets: number[] = [];
  let total = 0;
  let status: GetMessageStatus = GetMessageStatus.NO_MATCHED_MESSAGE;
  let consumed = 0;
  let maxPhyPulling = 0;
  const minPhy = commitLog.minOffset;
  // Runs of back-to-back records, each read with one pread.
  const runs: Run[] = [];
  let run: Run | undefined;
  /** Records taken and their bytes (with a record filter: those that passed it, plus those not yet read). */
  let taken = 0;
  let takenBytes = 0;
  /** With a record filter, reads and filters the runs so far (the filter decides what counts against the limits). */
  const filterRuns = (): void => {
    if (byRecord === undefined) return;
    for (const r of runs) {
      const bytes = readRange(commitLog, r.start, r.end - r.start, undefined);
      for (let k = 0; k < r.sizes.length; k++) {
        const at = (r.offsets[k] ?? 0) - r.start;
        const size = r.sizes[k] ?? 0;
        const rec = bytes?.subarray(at, at + size);
        if (rec === undefined || rec.length !== size || !byRecord(rec)) continue;
        messages.push(rec);
        queueOffsets.push(r.queueOffsets[k] ?? 0);
        total += size;
      }
    }
    runs.length = 0;
    taken = messages.length;
    takenBytes = total;
  };

  for (let i = 0; ; i++) {
    if (taken >= opts.maxMsgNums) break;
    if (i - base >= loaded) {
      // The last chunk was short (end of queue) or the budget is spent.
      if (loaded < chunk || base + loaded >= budget) break;
      base += loaded;
      chunk = Math.min(budget - base, chunk * 4);
      units = cq.readUnits(offset + base, chunk);
      loaded = units.length / CQ_UNIT_SIZE;
      if (loaded === 0) break;
    }
    const u = i - base;
    const phy = unitCommitLogOffset(units, u);
    const size = unitSize(units, u);
    if (taken > 0 && takenBytes + size > opts.maxTotalBytes) break;
    consumed = i + 1;
    maxPhyPulling = phy;
    if (size === CQ_FILL_SIZE && phy === 0) continue;
    if (phy < minPhy) {
      status = GetMessageStatus.MESSAGE_WAS_REMOVING;
      continue;
    }
    if (opts.filter !== undefined && !opts.filter.isMatchedByConsumeQueue(unitTagsCode(units, u))) continue;
    if (run !== undefined && phy === run.end) {
      run.end += size;
    } else {
      // A record filter decides per record: settle the runs so far before the limits count this one.
      if (byRecord !== undefined) filterRuns();
      run = { start: phy, end: phy + size, offsets: [], sizes: [], queueOffsets: [] };
      runs.push(run);
    }
    run.offsets.push(phy);
    run.sizes.push(size);
    run.queueOffsets.push(offset + i);
    taken++;
    takenBytes += size;
  }
  if (byRecord !== undefined) filterRuns();
  else if (runs.length > 0) {
    // Without a record filter every record taken is sent: all runs go into one buffer, back to back,
    // so the pull response body is that buffer as it is.
    const out = Buffer.allocUnsafe(takenBytes);
    let at = 0;
    for (const r of runs) {
      const len = r.end - r.start;
      if (readRange(commitLog, r.start, len, out.subarray(at, at + len)) === undefined) continue;
      for (let k = 0; k < r.sizes.length; k++) {
        const size = r.sizes[k] ?? 0;
        messages.push(out.subarray(at, at + size));
        queueOffsets.push(r.queueOffsets[k] ?? 0);
        at += size;
        total += size;
      }
    }
  }
  if (messages.length > 0) status = GetMessageStatus.FOUND;
  else if (status !== GetMessageStatus.MESSAGE_WAS_REMOVING && consumed > 0 && opts.filter === undefined) {
    status = GetMessageStatus.OFFSET_FOUND_NULL;
  }
  const diff = commitLog.maxOffset - maxPhyPulling;
  return {
    status,
    nextBeginOffset: offset + consumed,
    minOffset,
    maxOffset,
    messages,
    queueOffsets,
    bufferTotalSize: total,
    suggestPullingFromSlave: diff > hints.memoryBytes,
  };
}
