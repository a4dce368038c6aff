/**
 * What dispatch needs from a record's properties and sys flag: the tag hash
 * code for the consume queue, KEYS and UNIQ_KEY for the index, and whether the
 * record gets a consume-queue entry at all (CommitLog.checkMessageAndReturnSize
 * and DefaultMessageStore.CommitLogDispatcherBuildConsumeQueue, 4.9.8).
 */
import { MessageSysFlag, bytesAt, javaHashCode, transactionType } from '../common/index.js';
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

const T = 0x54, A = 0x41, G = 0x47, S = 0x53, K = 0x4b, E = 0x45, Y = 0x59, U = 0x55, D = 0x44, L = 0x4c;
const UNIQ_KEY = Buffer.from('UNIQ_KEY', 'latin1');
const TIMER_OUT_MS = Buffer.from('TIMER_OUT_MS', 'latin1');

/** Property names the dispatch scanners read, each with its 0x01. */
const DISPATCH_NAMES = ['TAGS', 'KEYS', 'UNIQ_KEY', 'DELAY', 'TIMER_OUT_MS'].map((n) => Buffer.from(`${n}\u0001`, 'latin1'));
const inertSuffixes = new WeakMap<Uint8Array, boolean>();

/**
 * Whether appending `suffix` to properties that do not end in a separator
 * leaves their dispatch info as it is: it starts with a separator (so no pair
 * spans the join) and holds none of the names dispatch reads. Remembered per
 * suffix instance.
 */
export function isInertSuffix(suffix: Uint8Array): boolean {
  let inert = inertSuffixes.get(suffix);
  if (inert === undefined) {
    const b = Buffer.from(suffix.buffer, suffix.byteOffset, suffix.byteLength);
    inert = b[0] === 2 && DISPATCH_NAMES.every((n) => b.indexOf(n) < 0);
    inertSuffixes.set(suffix, inert);
  }
  return inert;
}

/** Java's String.hashCode of the UTF-8 bytes buf[start, end) decoded. */
function hashOfBytes(buf: Buffer, start: number, end: number): number {
  let h = 0;
  for (let i = start; i < end; i++) {
    const c = buf[i] ?? 0;
    if (c >= 0x80) return javaHashCode(buf.toString('utf8', start, end));
    h = (Math.imul(31, h) + c) | 0;
  }
  return h;
}

/**
 * dispatchInfo over the UTF-8 bytes buf[start, end) of a property string
 * (a stored record's PROPERTIES), without decoding the rest of it. Same
 * results as dispatchInfo on the decoded string: the separators are ASCII, so
 * pairs split at the same places.
 */
export function dispatchInfoOfBytes(buf: Buffer, start: number, end: number, sysFlag: number, out: MutableDispatchInfo = newDispatchInfo()): DispatchInfo {
  let tagsCode = 0;
  let keys: string | undefined;
  let uniqKey: string | undefined;
  let delayLevel = 0;
  let timerOutMs = 0;
  for (let s = start; s < end; ) {
    // One pair from s to the next separator e. Only names of interest are
    // checked, by their first letter and the 0x01 right after them: their
    // letters are not 0x01, so that is the pair's first 0x01, and the value
    // [s + name length + 1, e) must be non-empty, as in dispatchInfo.
    let e = s;
    while (e < end && buf[e] !== 2) e++;
    const c0 = buf[s];
    if (c0 === T) {
      if (e > s + 5 && buf[s + 4] === 1 && buf[s + 1] === A && buf[s + 2] === G && buf[s + 3] === S) tagsCode = hashOfBytes(buf, s + 5, e);
      else if (e > s + 13 && buf[s + 12] === 1 && bytesAt(buf, s, TIMER_OUT_MS)) timerOutMs = Number.parseInt(buf.toString('utf8', s + 13, e), 10) || 0;
    } else if (c0 === K) {
      if (e > s + 5 && buf[s + 4] === 1 && buf[s + 1] === E && buf[s + 2] === Y && buf[s + 3] === S) keys = buf.toString('utf8', s + 5, e);
    } else if (c0 === U) {
      if (e > s + 9 && buf[s + 8] === 1 && bytesAt(buf, s, UNIQ_KEY)) uniqKey = buf.toString('utf8', s + 9, e);
    } else if (c0 === D) {
      if (e > s + 6 && buf[s + 5] === 1 && buf[s + 1] === E && buf[s + 2] === L && buf[s + 3] === A && buf[s + 4] === Y) {
        delayLevel = Number.parseInt(buf.toString('utf8', s + 6, e), 10) || 0;
      }
    }
    s = e + 1;
  }
  out.tagsCode = tagsCode;
  out.keys = keys;
  out.uniqKey = uniqKey;
  out.consumable = isConsumable(sysFlag);
  out.delayLevel = delayLevel;
  out.timerOutMs = timerOutMs;
  return out;
}

/** A DispatchInfo that dispatchInfoOfBytes may fill in place (a per-caller scratch on hot paths). */
export type MutableDispatchInfo = { -readonly [K in keyof DispatchInfo]: DispatchInfo[K] };

export function newDispatchInfo(): MutableDispatchInfo {
  return { tagsCode: 0, keys: undefined, uniqKey: undefined, consumable: true, delayLevel: 0, timerOutMs: 0 };
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
