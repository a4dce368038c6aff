/**
 * What dispatch needs from a record's properties and sys flag: the tag hash
 * code for the consume queue, KEYS and UNIQ_KEY for the index, and whether the
 * record gets a consume-queue entry at all (CommitLog.checkMessageAndReturnSize
 * and DefaultMessageStore.CommitLogDispatcherBuildConsumeQueue, 4.9.8).
 */
import { MessageSysFlag, javaHashCode, transactionType } from '../common/index.js';
import { SCHEDULE_TOPIC, TIMER_TOPIC, deliverTimestamp } from './delay-levels.js';

export interface DispatchInfo {
  readonly tagsCode: number;
  readonly keys: string | undefined;
  readonly uniqKey: string | undefined;
  /** PREPARED and ROLLBACK transaction records get no consume-queue entry and no queue offset. */
  readonly consumable: boolean;
  /** The DELAY property (0 when absent). */
  readonly delayLevel: number;
  /** The TIMER_OUT_MS property: delivery time of a message in the timer topic (0 when absent). */
  readonly timerOutMs: number;
}

export function isConsumable(sysFlag: number): boolean {
  const t = transactionType(sysFlag);
  return t === MessageSysFlag.TRANSACTION_NOT_TYPE || t === MessageSysFlag.TRANSACTION_COMMIT_TYPE;
}

/** One pass over the property string (name 0x01 value, pairs joined by 0x02) for TAGS, KEYS and UNIQ_KEY. */
export function dispatchInfo(properties: string, sysFlag: number): DispatchInfo {
  let tags: string | undefined;
  let keys: string | undefined;
  let uniqKey: string | undefined;
  let delay: string | undefined;
  let timerOut: string | undefined;
  let start = 0;
  const n = properties.length;
  while (start < n) {
    let end = properties.indexOf('\u0002', start);
    if (end < 0) end = n;
    const sep = properties.indexOf('\u0001', start);
    if (sep > start && sep < end - 1) {
      const nameLen = sep - start;
      // Only the three names dispatch cares about: TAGS, KEYS (4 chars) and UNIQ_KEY (8).
      if (nameLen === 4 && properties.startsWith('TAGS', start)) tags = properties.slice(sep + 1, end);
      else if (nameLen === 4 && properties.startsWith('KEYS', start)) keys = properties.slice(sep + 1, end);
      else if (nameLen === 8 && properties.startsWith('UNIQ_KEY', start)) uniqKey = properties.slice(sep + 1, end);
      else if (nameLen === 5 && properties.startsWith('DELAY', start)) delay = properties.slice(sep + 1, end);
      else if (nameLen === 12 && properties.startsWith('TIMER_OUT_MS', start)) timerOut = properties.slice(sep + 1, end);
    }
    start = end + 1;
  }
  return {
    tagsCode: tags === undefined || tags.length === 0 ? 0 : javaHashCode(tags),
    keys,
    uniqKey,
    consumable: isConsumable(sysFlag),
    delayLevel: delay === undefined ? 0 : Number.parseInt(delay, 10) || 0,
    timerOutMs: timerOut === undefined ? 0 : Number.parseInt(timerOut, 10) || 0,
  };
}

/**
 * The consume-queue tag code of a record: the Java hash of TAGS, or, for a
 * message parked in SCHEDULE_TOPIC_XXXX or the timer topic, its delivery time.
 */
export function tagsCodeFor(topic: string, info: DispatchInfo, storeTimestamp: number, delayLevels: readonly number[]): number {
  if (topic === SCHEDULE_TOPIC && info.delayLevel > 0) return deliverTimestamp(delayLevels, info.delayLevel, storeTimestamp);
  if (topic === TIMER_TOPIC && info.timerOutMs > 0) return info.timerOutMs;
  return info.tagsCode;
}
