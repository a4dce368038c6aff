/**
 * Pure rules for when commit-log segments are deleted and when the disk counts
 * as full, after RocketMQ's DefaultMessageStore.CleanCommitLogService
 * (store/DefaultMessageStore.java, 4.9.8) and MappedFileQueue.deleteExpiredFileByTime.
 * The store's cleaning loop measures the disk, calls {@link retentionDecision}
 * and acts on it; nothing here touches files.
 */
import { InvalidArgumentError } from '../common/index.js';

/**
 * True when the current local hour is one of `deleteWhen`'s hours ("04",
 * "04;16"), as UtilAll.isItTimeToDo. Hours above 23 never match. Throws
 * InvalidArgumentError on an entry that is not one or two digits.
 */
export function isDeleteTime(deleteWhen: string, now: Date): boolean {
  const hour = now.getHours();
  let due = false;
  for (const entry of deleteWhen.split(';')) {
    if (!/^\d{1,2}$/.test(entry)) throw new InvalidArgumentError(`deleteWhen must be hours separated by ';', got ${deleteWhen}`);
    if (Number(entry) === hour) due = true;
  }
  return due;
}

/**
 * True when a segment last written at `lastModifiedMs` has outlived
 * `fileReservedTimeHours` (MappedFileQueue: `now >= lastModified + reserved`).
 */
export function isExpired(lastModifiedMs: number, fileReservedTimeHours: number, nowMs: number): boolean {
  return nowMs >= lastModifiedMs + fileReservedTimeHours * 3_600_000;
}

export interface RetentionInput {
  readonly now: Date;
  /** MessageStoreConfig.deleteWhen, e.g. "04;16". */
  readonly deleteWhen: string;
  /** Used fraction (0..1) of the disk holding the store (see disk-usage.ts). */
  readonly diskRatio: number;
  /** Percentage (clamped to 10..95 as MessageStoreConfig.getDiskMaxUsedSpaceRatio) above which expired files go early. */
  readonly diskMaxUsedSpaceRatio: number;
  /** Fraction (0..1) above which files go even if not expired (default 0.85 in RocketMQ). */
  readonly diskSpaceCleanForciblyRatio: number;
  /** Fraction (0..1) above which the disk is marked full and writes refused (default 0.90). */
  readonly diskSpaceWarningLevelRatio: number;
  /** An operator asked for deletion (RocketMQ's executeDeleteFilesManually; the caller counts the 20 rounds). */
  readonly manualDelete: boolean;
  /** The previous decision's `diskFull` (default false): between the two ratios the flag is kept. */
  readonly wasDiskFull?: boolean;
  /** MessageStoreConfig.cleanFileForciblyEnable (default true). */
  readonly cleanFileForciblyEnable?: boolean;
}

export interface RetentionDecision {
  /** Delete segments that are expired (all but the newest one), oldest first. */
  readonly cleanExpired: boolean;
  /** Delete segments even when not expired, oldest first (implies cleanExpired). */
  readonly cleanImmediately: boolean;
  /** Refuse appends until a later decision clears it. */
  readonly diskFull: boolean;
}

function ratioIn01(name: string, v: number): void {
  if (!(v >= 0 && v <= 1)) throw new InvalidArgumentError(`${name} must be within 0..1, got ${v}`);
}

/**
 * One round of CleanCommitLogService:
 * - usage above `diskSpaceWarningLevelRatio` → disk full (appends refused) and clean immediately;
 * - above `diskSpaceCleanForciblyRatio` → clean immediately; the disk-full flag keeps its previous value;
 * - otherwise → disk not full;
 * - clean expired files when it is a `deleteWhen` hour, usage is above
 *   `diskMaxUsedSpaceRatio`%, an operator asked, or cleaning is immediate.
 *
 * One deliberate difference from 4.9.8: there, usage above the forcible ratio
 * but below `diskMaxUsedSpaceRatio` (possible only with that set above 85)
 * deletes nothing until the next `deleteWhen` hour; here it cleans at once, as
 * RocketMQ 5.x does.
 */
export function retentionDecision(input: RetentionInput): RetentionDecision {
  ratioIn01('diskRatio', input.diskRatio);
  ratioIn01('diskSpaceCleanForciblyRatio', input.diskSpaceCleanForciblyRatio);
  ratioIn01('diskSpaceWarningLevelRatio', input.diskSpaceWarningLevelRatio);
  if (!Number.isFinite(input.diskMaxUsedSpaceRatio)) {
    throw new InvalidArgumentError(`diskMaxUsedSpaceRatio must be a percentage, got ${input.diskMaxUsedSpaceRatio}`);
  }
  const maxUsed = Math.min(95, Math.max(10, input.diskMaxUsedSpaceRatio)) / 100;
  const ratio = input.diskRatio;

  let diskFull: boolean;
  let overForcibly = false;
  if (ratio > input.diskSpaceWarningLevelRatio) {
    diskFull = true;
    overForcibly = true;
  } else if (ratio > input.diskSpaceCleanForciblyRatio) {
    diskFull = input.wasDiskFull ?? false;
    overForcibly = true;
  } else {
    diskFull = false;
  }
  const cleanImmediately = overForcibly && (input.cleanFileForciblyEnable ?? true);
  const cleanExpired =
    isDeleteTime(input.deleteWhen, input.now) || ratio > maxUsed || input.manualDelete || overForcibly;
  return { cleanExpired, cleanImmediately, diskFull };
}
