/**
 * Reading a consume queue's messages (DefaultMessageStore.getMessage, 4.9.8):
 * the status values and next-offset rules RocketMQ's pull path relies on, tag
 * filtering by hash code, and batching of reads: records that lie back to back
 * in the commit log are read with one pread and returned as slices of it, so a
 * pull response can send the stored bytes as they are.
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

function empty(status: GetMessageStatus, nextBeginOffset: number, minOffset: number, maxOffset: number): GetMessageResult {
  return { status, nextBeginOffset, minOffset, maxOffset, messages: [], queueOffsets: [], bufferTotalSize: 0, suggestPullingFromSlave: false };
}

/** How far behind (bytes) a reader may be before a slave is suggested (40% of RAM in RocketMQ). */
export interface ReadHints {
  readonly memoryBytes: number;
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
  const units = cq.readUnits(offset, Math.min(maxFilterCount, Math.max(opts.maxMsgNums, 1) * (opts.filter ? 64 : 1)));
  const count = units.length / CQ_UNIT_SIZE;
  if (count === 0) return empty(GetMessageStatus.OFFSET_FOUND_NULL, offset, minOffset, maxOffset);

  const messages: Buffer[] = [];
  const queueOffsets: number[] = [];
  let total = 0;
  let status: GetMessageStatus = GetMessageStatus.NO_MATCHED_MESSAGE;
  let consumed = 0;
  let maxPhyPulling = 0;
  const minPhy = commitLog.minOffset;
  // A run of back-to-back records read with one pread.
  let runStart = -1;
  let runEnd = -1;
  let runMembers: { offset: number; size: number; queueOffset: number }[] = [];
  const flushRun = (): void => {
    if (runMembers.length === 0) return;
    const bytes = commitLog.read(runStart, runEnd - runStart);
    for (const m of runMembers) {
      const rec = bytes?.subarray(m.offset - runStart, m.offset - runStart + m.size);
      if (rec === undefined || rec.length !== m.size) continue;
      if (opts.filter?.isMatchedByCommitLog !== undefined && !opts.filter.isMatchedByCommitLog(rec)) continue;
      messages.push(rec);
      queueOffsets.push(m.queueOffset);
      total += m.size;
    }
    runMembers = [];
  };

  for (let i = 0; i < count; i++) {
    const phy = unitCommitLogOffset(units, i);
    const size = unitSize(units, i);
    if (messages.length + runMembers.length >= opts.maxMsgNums) break;
    const pendingBytes = total + (runEnd - runStart > 0 && runMembers.length > 0 ? runEnd - runStart : 0);
    if (messages.length + runMembers.length > 0 && pendingBytes + size > opts.maxTotalBytes) break;
    consumed = i + 1;
    maxPhyPulling = phy;
    if (size === CQ_FILL_SIZE && phy === 0) continue;
    if (phy < minPhy) {
      status = GetMessageStatus.MESSAGE_WAS_REMOVING;
      continue;
    }
    if (opts.filter !== undefined && !opts.filter.isMatchedByConsumeQueue(unitTagsCode(units, i))) continue;
    if (runMembers.length > 0 && phy === runEnd) {
      runEnd += size;
    } else {
      flushRun();
      runStart = phy;
      runEnd = phy + size;
    }
    runMembers.push({ offset: phy, size, queueOffset: offset + i });
  }
  flushRun();
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
