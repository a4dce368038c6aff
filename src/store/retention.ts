/**
 * One retention round (DefaultMessageStore.CleanCommitLogService and
 * CleanConsumeQueueService, 4.9.8): decide from the clock and disk use
 * (retention-schedule.ts), delete expired commit-log segments oldest first
 * (or any but the newest when the disk is nearly full), then trim the consume
 * queues and index files that only pointed into deleted segments.
 */
import { statSync } from 'node:fs';
import type { Logger } from '../common/index.js';
import { getErrorMessage } from '../common/index.js';
import type { CommitLog } from './commit-log.js';
import type { ConsumeQueueTable } from './consume-queue-table.js';
import type { DiskUsageProbe } from './disk-usage.js';
import type { IndexService } from './index-service.js';
import { isExpired, retentionDecision } from './retention-schedule.js';
import type { MessageStoreConfig } from './store-config.js';

/** Segments deleted per round at most (RocketMQ: deleteFileBatchMax 10). */
const DELETE_BATCH_MAX = 10;

export interface RetentionContext {
  readonly config: Readonly<MessageStoreConfig>;
  readonly commitLog: CommitLog;
  readonly consumeQueues: ConsumeQueueTable;
  readonly index: IndexService;
  readonly diskUsage: DiskUsageProbe;
  readonly now: number;
  readonly wasDiskFull: boolean;
  readonly manualDelete: boolean;
  readonly logger: Logger;
  /** Commit-log offset below which nothing may be deleted (pending timers), if any. */
  readonly keepFrom?: number | undefined;
}

export interface RetentionOutcome {
  readonly deleted: number;
  readonly diskFull: boolean;
}

export function runRetention(ctx: RetentionContext): RetentionOutcome {
  let ratio: number;
  try {
    ratio = ctx.diskUsage.usageRatio(ctx.config.storePathRootDir);
  } catch (err: unknown) {
    ctx.logger.warn('cannot read disk usage', { error: getErrorMessage(err) });
    ratio = 0;
  }
  const decision = retentionDecision({
    now: new Date(ctx.now),
    deleteWhen: ctx.config.deleteWhen,
    diskRatio: Math.min(1, Math.max(0, ratio)),
    diskMaxUsedSpaceRatio: ctx.config.diskMaxUsedSpaceRatio,
    diskSpaceCleanForciblyRatio: ctx.config.diskSpaceCleanForciblyRatio,
    diskSpaceWarningLevelRatio: ctx.config.diskSpaceWarningLevelRatio,
    manualDelete: ctx.manualDelete,
    wasDiskFull: ctx.wasDiskFull,
  });
  let deleted = 0;
  if (decision.cleanExpired) {
    while (deleted < DELETE_BATCH_MAX) {
      const first = ctx.commitLog.segments.first;
      if (first === undefined || first === ctx.commitLog.segments.last) break;
      let mtime: number;
      try {
        mtime = statSync(first.path).mtimeMs;
      } catch {
        mtime = 0;
      }
      if (!decision.cleanImmediately && !isExpired(mtime, ctx.config.fileReservedTime, ctx.now)) break;
      if (ctx.keepFrom !== undefined && first.endOffset > ctx.keepFrom) {
        ctx.logger.info('retention held back: the oldest segment still holds pending timed messages', { startOffset: first.startOffset });
        break;
      }
      const gone = ctx.commitLog.deleteOldestSegment();
      if (gone === undefined) break;
      deleted++;
      ctx.logger.info('deleted commit log segment', { startOffset: gone.startOffset, immediately: decision.cleanImmediately });
    }
  }
  if (deleted > 0) {
    const min = ctx.commitLog.minOffset;
    for (const cq of ctx.consumeQueues.all()) cq.deleteExpiredSegments(min);
    ctx.index.deleteExpired(min);
  }
  return { deleted, diskFull: decision.diskFull };
}
