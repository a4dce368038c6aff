/**
 * Message store configuration, with RocketMQ's MessageStoreConfig key names
 * (store/config/MessageStoreConfig.java, 4.9.8) so operators can map them.
 */
import { InvalidArgumentError } from '../common/index.js';
import { DEFAULT_MESSAGE_DELAY_LEVEL, parseDelayLevels } from './delay-levels.js';

export type FlushDiskType = 'ASYNC_FLUSH' | 'SYNC_FLUSH';

export interface MessageStoreConfig {
  /** Root of the store: commitlog/, consumequeue/, index/, config/, checkpoint, abort, lock. */
  readonly storePathRootDir: string;
  /** Commit-log segment size (default 1 GiB). */
  readonly mappedFileSizeCommitLog: number;
  /** Consume-queue segment size in bytes: 300,000 entries of 20 bytes. */
  readonly mappedFileSizeConsumeQueue: number;
  readonly flushDiskType: FlushDiskType;
  /** ASYNC_FLUSH: interval between commit-log fdatasyncs. */
  readonly flushIntervalCommitLog: number;
  /** SYNC_FLUSH: an append waits at most this long for its fdatasync, then reports FLUSH_DISK_TIMEOUT. */
  readonly syncFlushTimeout: number;
  /** Interval between consume-queue flushes and checkpoint writes. */
  readonly flushIntervalConsumeQueue: number;
  /**
   * Interval between index flushes (OrbitMQ's; RocketMQ leaves its mapped
   * index pages to the kernel). Each flush writes every slot page dirtied
   * since the last: with random key hashes that is most of the 20 MB table,
   * so flushing rarely writes each page once for many puts. A crash
   * re-indexes what came after the last flush.
   */
  readonly flushIntervalIndex: number;
  /** Maximum body size of one message (MESSAGE_ILLEGAL above). */
  readonly maxMessageSize: number;
  readonly messageIndexEnable: boolean;
  readonly maxHashSlotNum: number;
  readonly maxIndexNum: number;
  /** Hours a commit-log segment is kept after its last write. */
  readonly fileReservedTime: number;
  /** Hours of the day at which expired segments are deleted, e.g. "04" or "04;16". */
  readonly deleteWhen: string;
  /** Percentage of disk use above which the oldest segments are deleted early. */
  readonly diskMaxUsedSpaceRatio: number;
  /** Disk-use ratio (0..1) above which appends are refused (disk full). */
  readonly diskSpaceWarningLevelRatio: number;
  /** Disk-use ratio (0..1) above which segments are deleted even if not expired. */
  readonly diskSpaceCleanForciblyRatio: number;
  /** Interval of the retention check. */
  readonly cleanResourceInterval: number;
  /** Bytes of commit log scanned per read during recovery. */
  readonly recoverReadBytes: number;
  /** Delay levels, e.g. "1s 5s 10s 30s 1m ... 2h" (units s, m, h, d). */
  readonly messageDelayLevel: string;
}

const MiB = 1024 * 1024;

export const DEFAULT_MESSAGE_STORE_CONFIG: Readonly<MessageStoreConfig> = Object.freeze({
  storePathRootDir: './data/store',
  mappedFileSizeCommitLog: 1024 * MiB,
  mappedFileSizeConsumeQueue: 300_000 * 20,
  flushDiskType: 'ASYNC_FLUSH',
  flushIntervalCommitLog: 500,
  syncFlushTimeout: 5000,
  flushIntervalConsumeQueue: 1000,
  flushIntervalIndex: 10_000,
  maxMessageSize: 4 * MiB,
  messageIndexEnable: true,
  maxHashSlotNum: 5_000_000,
  maxIndexNum: 20_000_000,
  fileReservedTime: 72,
  deleteWhen: '04',
  diskMaxUsedSpaceRatio: 75,
  diskSpaceWarningLevelRatio: 0.9,
  diskSpaceCleanForciblyRatio: 0.85,
  cleanResourceInterval: 10_000,
  recoverReadBytes: 4 * MiB,
  messageDelayLevel: DEFAULT_MESSAGE_DELAY_LEVEL,
} satisfies MessageStoreConfig);

function positiveInt(name: string, v: number, min = 1): void {
  if (!Number.isSafeInteger(v) || v < min) throw new InvalidArgumentError(`${name} must be an integer >= ${min}, got ${v}`);
}

export function resolveMessageStoreConfig(partial: Partial<MessageStoreConfig>): Readonly<MessageStoreConfig> {
  const c: MessageStoreConfig = { ...DEFAULT_MESSAGE_STORE_CONFIG, ...partial };
  positiveInt('mappedFileSizeCommitLog', c.mappedFileSizeCommitLog, 4096);
  positiveInt('mappedFileSizeConsumeQueue', c.mappedFileSizeConsumeQueue, 20);
  if (c.mappedFileSizeConsumeQueue % 20 !== 0) {
    throw new InvalidArgumentError(`mappedFileSizeConsumeQueue must be a multiple of 20, got ${c.mappedFileSizeConsumeQueue}`);
  }
  if (c.flushDiskType !== 'ASYNC_FLUSH' && c.flushDiskType !== 'SYNC_FLUSH') {
    throw new InvalidArgumentError(`flushDiskType must be ASYNC_FLUSH or SYNC_FLUSH, got ${String(c.flushDiskType)}`);
  }
  positiveInt('flushIntervalCommitLog', c.flushIntervalCommitLog);
  positiveInt('syncFlushTimeout', c.syncFlushTimeout);
  positiveInt('flushIntervalConsumeQueue', c.flushIntervalConsumeQueue);
  positiveInt('flushIntervalIndex', c.flushIntervalIndex);
  positiveInt('maxMessageSize', c.maxMessageSize);
  if (c.maxMessageSize + 4096 > c.mappedFileSizeCommitLog) {
    throw new InvalidArgumentError('maxMessageSize must leave room in a commit-log segment');
  }
  positiveInt('maxHashSlotNum', c.maxHashSlotNum);
  positiveInt('maxIndexNum', c.maxIndexNum);
  positiveInt('fileReservedTime', c.fileReservedTime, 0);
  if (!/^\d{1,2}(;\d{1,2})*$/.test(c.deleteWhen)) {
    throw new InvalidArgumentError(`deleteWhen must be hours separated by ';', got ${c.deleteWhen}`);
  }
  if (!(c.diskMaxUsedSpaceRatio >= 10 && c.diskMaxUsedSpaceRatio <= 95)) {
    throw new InvalidArgumentError(`diskMaxUsedSpaceRatio must be within 10..95, got ${c.diskMaxUsedSpaceRatio}`);
  }
  for (const k of ['diskSpaceWarningLevelRatio', 'diskSpaceCleanForciblyRatio'] as const) {
    if (!(c[k] > 0 && c[k] <= 1)) throw new InvalidArgumentError(`${k} must be within (0, 1], got ${c[k]}`);
  }
  positiveInt('cleanResourceInterval', c.cleanResourceInterval);
  positiveInt('recoverReadBytes', c.recoverReadBytes, 64 * 1024);
  parseDelayLevels(c.messageDelayLevel);
  return Object.freeze(c);
}
