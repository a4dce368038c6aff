/**
 * Recovery scan of the commit log (CommitLog.recoverNormally /
 * recoverAbnormally + checkMessageAndReturnSize, 4.9.8): walks records from a
 * record boundary, validates each one (magic code, sizes, physical offset,
 * body CRC), hands every valid record to a callback, and reports where valid
 * data ends — the first zero, torn or corrupt record.
 */
import { MessageSysFlag, checkRecord, readInt64BE } from '../common/index.js';
import type { DispatchRequest } from './dispatch-request.js';
import { dispatchInfo, tagsCodeFor } from './dispatch-info.js';
import type { SegmentQueue } from './segment-queue.js';

export interface ScanOptions {
  readonly verifyCrc: boolean;
  /** Bytes read per pread. */
  readonly readBytes: number;
  /** Milliseconds per delay level (for SCHEDULE_TOPIC_XXXX tag codes). */
  readonly delayLevels: readonly number[];
}

export interface ScanResult {
  /** Offset after the last valid record (or of the segment start after a BLANK). */
  readonly validEnd: number;
  readonly records: number;
  /** Set when the scan stopped at something other than clean zeros. */
  readonly corrupt: { readonly offset: number; readonly reason: string } | undefined;
}

/** Reads the fields dispatch needs from a record already checked by `checkRecord`. */
export function dispatchRequestAt(buf: Buffer, pos: number, size: number, delayLevels: readonly number[]): DispatchRequest {
  const sysFlag = buf.readInt32BE(pos + 36);
  const bornHostBytes = (sysFlag & MessageSysFlag.BORNHOST_V6_FLAG) !== 0 ? 20 : 8;
  const storeHostBytes = (sysFlag & MessageSysFlag.STOREHOSTADDRESS_V6_FLAG) !== 0 ? 20 : 8;
  const storeTsPos = pos + 48 + bornHostBytes;
  const reconsumePos = storeTsPos + 8 + storeHostBytes;
  const bodyLenPos = reconsumePos + 12;
  const topicLenPos = bodyLenPos + 4 + buf.readInt32BE(bodyLenPos);
  const topicLen = buf.readUInt8(topicLenPos);
  const propsLenPos = topicLenPos + 1 + topicLen;
  const properties = buf.toString('utf8', propsLenPos + 2, propsLenPos + 2 + buf.readInt16BE(propsLenPos));
  const info = dispatchInfo(properties, sysFlag);
  const topic = buf.toString('utf8', topicLenPos + 1, topicLenPos + 1 + topicLen);
  const storeTimestamp = readInt64BE(buf, storeTsPos);
  return {
    topic,
    queueId: buf.readInt32BE(pos + 12),
    commitLogOffset: readInt64BE(buf, pos + 28),
    msgSize: size,
    tagsCode: tagsCodeFor(topic, info, storeTimestamp, delayLevels),
    storeTimestamp,
    queueOffset: readInt64BE(buf, pos + 20),
    keys: info.keys,
    uniqKey: info.uniqKey,
    sysFlag,
    preparedTransactionOffset: readInt64BE(buf, reconsumePos + 4),
  };
}

/** Scans from `from` (a record boundary inside or at the end of the log). */
export function scanCommitLog(
  segments: SegmentQueue,
  from: number,
  opts: ScanOptions,
  onRecord: (req: DispatchRequest) => void,
): ScanResult {
  let offset = from;
  let records = 0;
  for (;;) {
    const seg = segments.find(offset);
    if (seg === undefined) return { validEnd: offset, records, corrupt: undefined };
    let chunk: Buffer = Buffer.alloc(0);
    let chunkStart = offset;
    const segEnd = seg.endOffset;
    let advancedSegment = false;
    while (offset < segEnd) {
      let pos = offset - chunkStart;
      let avail = chunk.length - pos;
      const needRefill = (n: number): boolean => avail < n && chunkStart + chunk.length < segEnd;
      if (needRefill(8)) {
        chunkStart = offset;
        chunk = seg.readSync(offset - seg.startOffset, Math.min(opts.readBytes, segEnd - offset));
        pos = 0;
        avail = chunk.length;
      }
      if (avail >= 8) {
        const size = chunk.readInt32BE(pos);
        if (size > avail && needRefill(size) && size <= segEnd - offset) {
          chunkStart = offset;
          chunk = seg.readSync(offset - seg.startOffset, Math.min(Math.max(opts.readBytes, size), segEnd - offset));
          pos = 0;
          avail = chunk.length;
        }
      }
      const check = checkRecord(chunk, pos, avail, offset, opts.verifyCrc);
      if (check.kind === 'end') return { validEnd: offset, records, corrupt: undefined };
      if (check.kind === 'corrupt') return { validEnd: offset, records, corrupt: { offset, reason: check.reason } };
      if (check.kind === 'blank') {
        offset = segEnd;
        advancedSegment = true;
        break;
      }
      onRecord(dispatchRequestAt(chunk, pos, check.size, opts.delayLevels));
      records++;
      offset += check.size;
    }
    if (!advancedSegment && offset >= segEnd) offset = segEnd;
  }
}
