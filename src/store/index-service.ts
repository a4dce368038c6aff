/**
 * The message-key index over a directory of IndexFiles: RocketMQ's IndexService
 * (store/index/IndexService.java, rocketmq-all-4.9.8). Files are named
 * yyyyMMddHHmmssSSS (local time from the injected Clock) and kept in name order;
 * only the last one is written. Layout and recovery: see index-file.ts and
 * docs/rocketmq/message-format.md §9.
 *
 * Indexed keys per dispatched record: `${topic}#${uniqKey}` and `${topic}#${token}` for
 * each non-empty space-separated KEYS token; ROLLBACK records are skipped.
 *
 * Re-dispatch after an unclean stop is idempotent: a record whose commitLogOffset is
 * <= lastIndexedPhyOffset (the endPhyOffset of the newest file holding entries) is
 * skipped (Java skips only `<`, which double-indexes the last record). To keep that
 * rule exact, a record's keys never straddle two files: when the last file cannot hold
 * all of them it is rolled first (unless the record has more keys than a whole file
 * holds, where Java's key-by-key roll-over applies).
 *
 * Unlike Java, rolling does not start a flush of the previous file; `flush()` writes
 * every file with unflushed state, and a sealed (non-last) file drops its in-memory
 * slot table after its flush completes.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError, MessageSysFlag, StoreError, javaHashCode, transactionType, type Clock } from '../common/index.js';
import type { DispatchRequest } from './dispatch-request.js';
import { IndexFile, indexKeyHashOf } from './index-file.js';

/** MessageStoreConfig.maxMsgsNumBatch default: the cap on queryOffset's maxNum. */
export const MAX_MSGS_NUM_BATCH = 64;

const INDEX_FILE_NAME = /^\d{17}$/;

export interface IndexServiceOptions {
  /** MessageStoreConfig.maxHashSlotNum (default 5,000,000). */
  readonly maxHashSlotNum: number;
  /** MessageStoreConfig.maxIndexNum (default 20,000,000). */
  readonly maxIndexNum: number;
}

/** RocketMQ's QueryOffsetResult. */
export interface QueryOffsetResult {
  readonly phyOffsets: number[];
  readonly indexLastUpdateTimestamp: number;
  readonly indexLastUpdatePhyoffset: number;
}

/** IndexService.buildKey. */
export function buildIndexKey(topic: string, key: string): string {
  return `${topic}#${key}`;
}

/** String.hashCode of a string whose prefix hashes to `h`, continued over s[from, to). */
function continueHash(h: number, s: string, from: number, to: number): number {
  for (let i = from; i < to; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/** UtilAll.timeMillisToHumanString: yyyyMMddHHmmssSSS in local time. */
export function indexFileName(ms: number): string {
  const d = new Date(ms);
  const p = (v: number, n = 2): string => String(v).padStart(n, '0');
  return `${p(d.getFullYear(), 4)}${p(d.getMonth() + 1)}${p(d.getDate())}${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}${p(d.getMilliseconds(), 3)}`;
}

/** Parses a yyyyMMddHHmmssSSS name back to epoch ms (local time). */
function parseIndexFileName(name: string): number {
  const n = (from: number, to: number): number => Number(name.slice(from, to));
  return new Date(n(0, 4), n(4, 6) - 1, n(6, 8), n(8, 10), n(10, 12), n(12, 14), n(14, 17)).getTime();
}

export class IndexService {
  private readonly indexDir: string;
  private readonly opts: IndexServiceOptions;
  private readonly clock: Clock;
  private files: IndexFile[] = [];
  private lastIndexed = -1;
  /** Scratch for buildIndex: the key hashes of one record. */
  private readonly keyHashes: number[] = [];
  private prefixTopic: string | undefined;
  private prefixTopicHash = 0;

  constructor(indexDir: string, opts: IndexServiceOptions, clock: Clock) {
    if (!Number.isInteger(opts.maxHashSlotNum) || opts.maxHashSlotNum < 1 || opts.maxHashSlotNum > 0x7fff_ffff) {
      throw new InvalidArgumentError(`maxHashSlotNum must be an integer in [1, 2^31-1]: ${opts.maxHashSlotNum}`);
    }
    if (!Number.isInteger(opts.maxIndexNum) || opts.maxIndexNum < 2 || opts.maxIndexNum > 0x7fff_ffff) {
      throw new InvalidArgumentError(`maxIndexNum must be an integer in [2, 2^31-1]: ${opts.maxIndexNum}`);
    }
    this.indexDir = indexDir;
    this.opts = opts;
    this.clock = clock;
  }

  /** IndexService.load: opens existing index files in name order. */
  load(): void {
    if (this.files.length > 0) throw new StoreError('index service already loaded');
    mkdirSync(this.indexDir, { recursive: true });
    const names = readdirSync(this.indexDir).filter((n) => INDEX_FILE_NAME.test(n)).sort();
    try {
      for (const name of names) {
        const f = IndexFile.open(join(this.indexDir, name), this.opts.maxHashSlotNum, this.opts.maxIndexNum);
        const prev = this.files.at(-1);
        if (prev !== undefined) {
          prev.seal();
          f.seed(prev.endPhyOffset, prev.endTimestamp);
        }
        this.files.push(f);
      }
    } catch (err: unknown) {
      for (const f of this.files) f.close();
      this.files = [];
      throw err;
    }
    this.lastIndexed = this.computeLastIndexed();
  }

  /** The endPhyOffset of the newest file holding entries, or -1 when nothing is indexed. */
  get lastIndexedPhyOffset(): number {
    return this.lastIndexed;
  }

  /** Number of index files (for tests and metrics). */
  get fileCount(): number {
    return this.files.length;
  }

  /** The index files, oldest first (read-only view for diagnostics and tests). */
  get indexFiles(): readonly IndexFile[] {
    return this.files;
  }

  /**
   * IndexService.buildIndex (CommitLogDispatcherBuildIndex). Key hashes are
   * String.hashCode of `${topic}#${key}`, computed as the topic prefix's hash
   * (cached) continued over the key, without building the joined string.
   */
  buildIndex(req: DispatchRequest): void {
    if (transactionType(req.sysFlag) === MessageSysFlag.TRANSACTION_ROLLBACK_TYPE) return;
    if (req.commitLogOffset <= this.lastIndexed) return;
    const hashes = this.keyHashes;
    let n = 0;
    const prefix = this.prefixHash(req.topic);
    if (req.uniqKey !== undefined) hashes[n++] = continueHash(prefix, req.uniqKey, 0, req.uniqKey.length);
    const keys = req.keys;
    if (keys !== undefined && keys.length > 0) {
      // Non-empty tokens of keys.split(' ').
      for (let s = 0; s <= keys.length; ) {
        let e = keys.indexOf(' ', s);
        if (e < 0) e = keys.length;
        if (e > s) hashes[n++] = continueHash(prefix, keys, s, e);
        s = e + 1;
      }
    }
    if (n === 0) return;
    let file = this.writableFile(n);
    for (let i = 0; i < n; i++) {
      const hash = indexKeyHashOf(hashes[i] ?? 0);
      if (!file.putKeyHash(hash, req.commitLogOffset, req.storeTimestamp)) {
        file = this.roll();
        if (!file.putKeyHash(hash, req.commitLogOffset, req.storeTimestamp)) {
          throw new StoreError(`fresh index file ${file.path} rejected a key`);
        }
      }
    }
    hashes.length = Math.min(hashes.length, 64);
    this.lastIndexed = req.commitLogOffset;
  }

  /** String.hashCode of `${topic}#`, for the last topic seen. */
  private prefixHash(topic: string): number {
    if (topic !== this.prefixTopic) {
      this.prefixTopic = topic;
      this.prefixTopicHash = javaHashCode(buildIndexKey(topic, ''));
    }
    return this.prefixTopicHash;
  }

  /**
   * IndexService.queryOffset: newest file first, only files whose time range overlaps
   * [begin, end]; at most min(maxNum, 64) offsets, newest first. Offsets may belong to
   * other keys with the same hash: callers must check the message's real key.
   */
  queryOffset(topic: string, key: string, maxNum: number, begin: number, end: number): QueryOffsetResult {
    const phyOffsets: number[] = [];
    let indexLastUpdateTimestamp = 0;
    let indexLastUpdatePhyoffset = 0;
    const limit = Math.min(maxNum, MAX_MSGS_NUM_BATCH);
    const keys = [buildIndexKey(topic, key)];
    for (let i = this.files.length - 1; i >= 0; i--) {
      const f = this.files[i];
      if (f === undefined) continue;
      if (i === this.files.length - 1) {
        indexLastUpdateTimestamp = f.endTimestamp;
        indexLastUpdatePhyoffset = f.endPhyOffset;
      }
      if (f.isTimeMatched(begin, end)) f.selectPhyOffset(keys, limit, begin, end, phyOffsets);
      if (f.beginTimestamp < begin) break;
      if (phyOffsets.length >= limit) break;
    }
    return { phyOffsets, indexLastUpdateTimestamp, indexLastUpdatePhyoffset };
  }

  /** Makes every file's entries, slots and header durable. */
  async flush(): Promise<void> {
    for (const f of this.files.slice()) await f.flush();
  }

  /**
   * IndexService.deleteExpiredFile: deletes the oldest files whose endPhyOffset is below
   * minCommitLogOffset, stopping at the first one that is not, never the last file.
   * Returns the number of files deleted.
   */
  deleteExpired(minCommitLogOffset: number): number {
    let n = 0;
    while (n < this.files.length - 1 && (this.files[n]?.endPhyOffset ?? Infinity) < minCommitLogOffset) n++;
    for (const f of this.files.splice(0, n)) f.destroy();
    return n;
  }

  /** Flushes synchronously and closes every file. */
  close(): void {
    for (const f of this.files) f.close();
    this.files = [];
  }

  /** Deletes every index file. */
  destroy(): void {
    for (const f of this.files) f.destroy();
    this.files = [];
    this.lastIndexed = -1;
  }

  private computeLastIndexed(): number {
    for (let i = this.files.length - 1; i >= 0; i--) {
      const f = this.files[i];
      if (f !== undefined && f.entryCount > 0) return f.endPhyOffset;
    }
    return -1;
  }

  /** The last file if it can take `keyCount` keys of one record, else a new one. */
  private writableFile(keyCount: number): IndexFile {
    const last = this.files.at(-1);
    if (last === undefined || last.isFull()) return this.roll();
    if (last.remaining < keyCount && last.entryCount > 0 && keyCount <= this.opts.maxIndexNum - 1) return this.roll();
    return last;
  }

  /** IndexService.getAndCreateLastIndexFile: a new file seeded with the previous end. */
  private roll(): IndexFile {
    mkdirSync(this.indexDir, { recursive: true });
    const prev = this.files.at(-1);
    let ms = this.clock.now();
    if (prev !== undefined) ms = Math.max(ms, parseIndexFileName(prev.name) + 1);
    let name = indexFileName(ms);
    for (let guard = 0; (prev !== undefined && name <= prev.name) || existsSync(join(this.indexDir, name)); guard++) {
      if (guard > 100_000) throw new StoreError(`cannot find a free index file name in ${this.indexDir}`);
      name = indexFileName(++ms);
    }
    const f = IndexFile.create(this.indexDir, name, this.opts.maxHashSlotNum, this.opts.maxIndexNum);
    if (prev !== undefined) {
      prev.seal();
      f.seed(prev.endPhyOffset, prev.endTimestamp);
    }
    this.files.push(f);
    return f;
  }
}
