/**
 * One index file: RocketMQ's IndexFile + IndexHeader (store/index/IndexFile.java,
 * IndexHeader.java, rocketmq-all-4.9.8), byte-compatible, without mmap.
 * See docs/rocketmq/message-format.md §9. All integers are big-endian:
 *
 *   header  @0   beginTimestamp int64, endTimestamp int64 @8, beginPhyOffset int64 @16,
 *                endPhyOffset int64 @24, hashSlotCount int32 @32, indexCount int32 @36
 *   slots   @40  hashSlotNum x int32: number of the newest entry of the bucket (0 = empty)
 *   entries @40 + hashSlotNum*4, entry n at + n*20 (n >= 1; entry 0 is never used):
 *                keyHash int32, phyOffset int64, timeDiff int32 (s since beginTimestamp),
 *                prevIndex int32 (older entry of the same bucket, 0 = end of chain)
 *
 * As in Java, `indexCount` is the number of the NEXT entry (a fresh header has 1), so
 * a file holds indexNum - 1 entries and is full when indexCount >= indexNum.
 *
 * I/O model: the slot table lives in memory as an Int32Array read once at open; puts
 * mark 4 KiB pages of it dirty and append entries to an in-memory chunk that is
 * pwritten when it fills (no syscall per put). `flush()` writes pending entries,
 * takes the header as it is then, writes the dirty slot pages in runs of at most
 * 128 KiB on the libuv pool (a second's worth of random slots is megabytes: written
 * in one go it held the event loop for 5-11 ms), fdatasyncs, then writes the header
 * and fdatasyncs again, so a durable header never counts entries that are not
 * durable. Puts made while the slots go out dirty their pages again for the next
 * flush; a slot written meanwhile may name an entry past the durable header, which
 * recovery treats as below.
 *
 * Recovery: only the header is trusted. Entries numbered >= indexCount are garbage and
 * get overwritten. If any slot holds a value outside [0, indexCount) (slots flushed, header
 * not), the whole slot table is rebuilt from entries 1..indexCount-1 (the newest entry
 * per bucket wins, which is exactly the chain head the puts had produced) and every
 * page is marked dirty. Older entries' prevIndex links are untouched by later puts, so
 * their chains stay valid.
 *
 * Deliberate differences from Java: the first entry of a file has timeDiff 0 (Java
 * computes it against the previous file's end timestamp, then resets beginTimestamp);
 * chain walks stop when prevIndex >= the current entry (Java: prevIndex > indexCount or
 * == current), which also guarantees termination on corrupt data.
 */
import { closeSync, fdatasync, fdatasyncSync, fstatSync, ftruncateSync, openSync, readSync, unlinkSync, write, writeSync } from 'node:fs';
import { endianness } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { StoreError, javaHashCode } from '../common/index.js';

export const INDEX_HEADER_SIZE = 40;
export const INDEX_SLOT_SIZE = 4;
export const INDEX_ENTRY_SIZE = 20;
const SLOTS_PER_PAGE = 1024; // 4 KiB of slot table
const CHUNK_ENTRIES = 4096; // 80 KiB of entries per sequential write
const FLUSH_RUN_PAGES = 32; // 128 KiB of slot table per write of a flush
const RUN_GAP_PAGES = 8; // clean pages a run may span between dirty ones
const LITTLE_ENDIAN_HOST = endianness() === 'LE';
const fdatasyncAsync = promisify(fdatasync);
const writeAsync = promisify(write);
const TWO_32 = 0x1_0000_0000;

/** IndexFile.indexKeyHashMethod: |String.hashCode()|, Integer.MIN_VALUE -> 0. */
export function indexKeyHash(key: string): number {
  return indexKeyHashOf(javaHashCode(key));
}

/** indexKeyHash from the key's String.hashCode. */
export function indexKeyHashOf(javaHash: number): number {
  return javaHash === -0x8000_0000 ? 0 : Math.abs(javaHash);
}

/** Total file size: 40 + slots*4 + indexNum*20. */
export function indexFileSize(hashSlotNum: number, indexNum: number): number {
  return INDEX_HEADER_SIZE + hashSlotNum * INDEX_SLOT_SIZE + indexNum * INDEX_ENTRY_SIZE;
}

export interface IndexHeader {
  beginTimestamp: number;
  endTimestamp: number;
  beginPhyOffset: number;
  endPhyOffset: number;
  hashSlotCount: number;
  /** Number of the next entry; entries 1..indexCount-1 exist. */
  indexCount: number;
}

export interface IndexEntry {
  readonly keyHash: number;
  readonly phyOffset: number;
  readonly timeDiff: number;
  readonly prevIndex: number;
}

function writeInt64(buf: Buffer, v: number, at: number): void {
  const hi = Math.floor(v / TWO_32);
  buf.writeInt32BE(hi, at);
  buf.writeUInt32BE(v - hi * TWO_32, at + 4);
}

function readInt64(buf: Buffer, at: number): number {
  return buf.readInt32BE(at) * TWO_32 + buf.readUInt32BE(at + 4);
}

/** IndexHeader.updateByteBuffer. */
export function encodeIndexHeader(h: IndexHeader): Buffer {
  const b = Buffer.alloc(INDEX_HEADER_SIZE);
  [h.beginTimestamp, h.endTimestamp, h.beginPhyOffset, h.endPhyOffset].forEach((v, i) => writeInt64(b, v, i * 8));
  b.writeInt32BE(h.hashSlotCount, 32);
  b.writeInt32BE(h.indexCount, 36);
  return b;
}

/** IndexHeader.load (an indexCount <= 0 reads as 1). */
export function decodeIndexHeader(b: Buffer): IndexHeader {
  const [beginTimestamp, endTimestamp, beginPhyOffset, endPhyOffset] = [0, 8, 16, 24].map((at) => readInt64(b, at)) as [number, number, number, number];
  const indexCount = b.readInt32BE(36);
  return { beginTimestamp, endTimestamp, beginPhyOffset, endPhyOffset, hashSlotCount: b.readInt32BE(32), indexCount: Math.max(1, indexCount) };
}

export class IndexFile {
  readonly name: string;
  private readonly dirtyPages: Uint8Array;
  private dirtyPageCount = 0;
  private headerDirty = false;
  private readonly pending = Buffer.alloc(CHUNK_ENTRIES * INDEX_ENTRY_SIZE);
  private readonly pendingView = new DataView(this.pending.buffer, this.pending.byteOffset, this.pending.byteLength);
  private pendingFirst: number; // entry number of pending[0]
  private pendingCount = 0;
  private readonly scratch = Buffer.alloc(INDEX_ENTRY_SIZE);
  /**
   * The background flush's run buffer, reused run after run (one run is written at a
   * time): a fresh copy per run made every flush allocate the whole dirty slot table
   * (20 MB with the default 5 M slots) in external memory, which pulled V8's next
   * mark-compact forward (a ~10 ms pause of the broker every flushIntervalIndex).
   */
  private runBuffer: Buffer | undefined;
  private sealed = false;
  private closed = false;
  private flushChain: Promise<void> = Promise.resolve();

  private constructor(
    readonly path: string,
    readonly hashSlotNum: number,
    readonly indexNum: number,
    private fd: number,
    private readonly header: IndexHeader,
    /** In-memory slot table (native endianness); dropped once sealed and durable. */
    private slots: Int32Array | undefined,
  ) {
    this.name = basename(path);
    this.dirtyPages = new Uint8Array(Math.ceil(hashSlotNum / SLOTS_PER_PAGE));
    this.pendingFirst = header.indexCount;
  }

  /** Creates a new, preallocated (sparse) index file; fails if it exists. */
  static create(dir: string, name: string, hashSlotNum: number, indexNum: number): IndexFile {
    const path = join(dir, name);
    const fd = openSync(path, 'wx+', 0o644);
    ftruncateSync(fd, indexFileSize(hashSlotNum, indexNum));
    const header: IndexHeader = { beginTimestamp: 0, endTimestamp: 0, beginPhyOffset: 0, endPhyOffset: 0, hashSlotCount: 0, indexCount: 1 };
    const f = new IndexFile(path, hashSlotNum, indexNum, fd, header, new Int32Array(hashSlotNum));
    f.headerDirty = true;
    return f;
  }

  /** Opens an existing index file, trusting only its header (see the recovery note above). */
  static open(path: string, hashSlotNum: number, indexNum: number): IndexFile {
    const fd = openSync(path, 'r+');
    try {
      const size = fstatSync(fd).size;
      if (size !== indexFileSize(hashSlotNum, indexNum)) {
        throw new StoreError(`index file ${path} has size ${size}, expected ${indexFileSize(hashSlotNum, indexNum)}`);
      }
      const header = decodeIndexHeader(preadFully(fd, Buffer.alloc(INDEX_HEADER_SIZE), 0));
      if (header.indexCount > indexNum) {
        throw new StoreError(`index file ${path} header indexCount ${header.indexCount} > ${indexNum}`);
      }
      const slots = new Int32Array(hashSlotNum);
      const bytes = Buffer.from(slots.buffer, slots.byteOffset, slots.byteLength);
      preadFully(fd, bytes, INDEX_HEADER_SIZE);
      if (LITTLE_ENDIAN_HOST) bytes.swap32();
      const f = new IndexFile(path, hashSlotNum, indexNum, fd, header, slots);
      if (slots.some((v) => v < 0 || v >= header.indexCount)) f.rebuildSlots();
      return f;
    } catch (err: unknown) {
      closeSync(fd);
      throw err;
    }
  }

  /** Java's constructor arguments endPhyOffset/endTimestamp: seeds begin/end of an empty file. */
  seed(endPhyOffset: number, endTimestamp: number): void {
    if (this.header.indexCount > 1) return;
    if (endPhyOffset > 0) this.header.beginPhyOffset = this.header.endPhyOffset = endPhyOffset;
    if (endTimestamp > 0) this.header.beginTimestamp = this.header.endTimestamp = endTimestamp;
    this.headerDirty = true;
  }

  get beginTimestamp(): number { return this.header.beginTimestamp; }
  get endTimestamp(): number { return this.header.endTimestamp; }
  get beginPhyOffset(): number { return this.header.beginPhyOffset; }
  get endPhyOffset(): number { return this.header.endPhyOffset; }
  get hashSlotCount(): number { return this.header.hashSlotCount; }
  /** Header indexCount: the number of the next entry (1 when empty). */
  get indexCount(): number { return this.header.indexCount; }
  get entryCount(): number { return this.header.indexCount - 1; }
  /** Entries that still fit. */
  get remaining(): number { return Math.max(0, this.indexNum - this.header.indexCount); }

  /** IndexFile.isWriteFull. */
  isFull(): boolean {
    return this.header.indexCount >= this.indexNum;
  }

  /** IndexFile.isTimeMatched: does [begin, end] overlap the file's time range? */
  isTimeMatched(begin: number, end: number): boolean {
    const b = this.header.beginTimestamp;
    const e = this.header.endTimestamp;
    return (begin < b && end > e) || (begin >= b && begin <= e) || (end >= b && end <= e);
  }

  /** No more puts will come: the slot table is dropped once everything is durable. */
  seal(): void {
    this.sealed = true;
    this.releaseSlotsIfDurable();
  }

  /** IndexFile.putKey. Returns false when the file is full. */
  putKey(key: string, phyOffset: number, storeTimestamp: number): boolean {
    return this.putKeyHash(indexKeyHash(key), phyOffset, storeTimestamp);
  }

  /** putKey for a key whose indexKeyHash the caller computed. */
  putKeyHash(keyHash: number, phyOffset: number, storeTimestamp: number): boolean {
    const h = this.header;
    if (h.indexCount >= this.indexNum) return false;
    const slots = this.slots;
    if (slots === undefined || this.closed) throw new StoreError(`index file ${this.path} is not writable`);
    const slot = keyHash % this.hashSlotNum;
    let slotValue = slots[slot] ?? 0;
    if (slotValue <= 0 || slotValue >= h.indexCount) slotValue = 0;
    const n = h.indexCount;
    let timeDiff = 0;
    if (n > 1 && h.beginTimestamp > 0) {
      timeDiff = Math.min(0x7fff_ffff, Math.max(0, Math.trunc((storeTimestamp - h.beginTimestamp) / 1000)));
    }
    const at = this.pendingCount * INDEX_ENTRY_SIZE;
    const v = this.pendingView;
    v.setInt32(at, keyHash);
    v.setInt32(at + 4, Math.floor(phyOffset / TWO_32));
    v.setUint32(at + 8, phyOffset >>> 0);
    v.setInt32(at + 12, timeDiff);
    v.setInt32(at + 16, slotValue);
    this.pendingCount++;
    slots[slot] = n;
    const page = Math.floor(slot / SLOTS_PER_PAGE);
    this.markPagesDirty(page, page + 1);
    if (n <= 1) {
      h.beginPhyOffset = phyOffset;
      h.beginTimestamp = storeTimestamp;
    }
    if (slotValue === 0) h.hashSlotCount++;
    h.indexCount++;
    h.endPhyOffset = phyOffset;
    h.endTimestamp = storeTimestamp;
    this.headerDirty = true;
    if (this.pendingCount === CHUNK_ENTRIES) this.writePending();
    return true;
  }

  /**
   * IndexFile.selectPhyOffset for each key: walks the bucket chain newest first and
   * appends phyOffsets whose keyHash matches and whose time is in [begin, end] to `out`
   * (at most maxNum in `out`). Callers must check the real key (hash collisions).
   */
  selectPhyOffset(keys: readonly string[], maxNum: number, begin: number, end: number, out: number[] = []): number[] {
    const count = this.header.indexCount;
    if (this.closed || count <= 1) return out;
    for (const key of keys) {
      if (out.length >= maxNum) break;
      const keyHash = indexKeyHash(key);
      const slotValue = this.readSlot(keyHash % this.hashSlotNum);
      if (slotValue <= 0 || slotValue >= count) continue;
      for (let next = slotValue; out.length < maxNum; ) {
        const e = this.readEntry(next);
        if (e.timeDiff < 0) break;
        const timeRead = this.header.beginTimestamp + e.timeDiff * 1000;
        if (e.keyHash === keyHash && timeRead >= begin && timeRead <= end) out.push(e.phyOffset);
        if (e.prevIndex <= 0 || e.prevIndex >= next || timeRead < begin) break;
        next = e.prevIndex;
      }
    }
    return out;
  }

  /** Reads entry `n` (1 <= n < indexCount), from the pending chunk or the file. */
  readEntry(n: number): IndexEntry {
    let buf: Buffer;
    let at: number;
    if (n >= this.pendingFirst && n < this.pendingFirst + this.pendingCount) {
      buf = this.pending;
      at = (n - this.pendingFirst) * INDEX_ENTRY_SIZE;
    } else {
      buf = preadFully(this.fd, this.scratch, this.entryPos(n));
      at = 0;
    }
    return {
      keyHash: buf.readInt32BE(at),
      phyOffset: readInt64(buf, at + 4),
      timeDiff: buf.readInt32BE(at + 12),
      prevIndex: buf.readInt32BE(at + 16),
    };
  }

  /** Writes pending entries, dirty slot pages and the header; durable when it resolves. */
  flush(): Promise<void> {
    const run = this.flushChain.then(() => this.doFlush());
    this.flushChain = run.catch(() => undefined);
    return run;
  }

  /** Flushes synchronously (fdatasync included) and closes. Idempotent. */
  close(): void {
    if (this.closed) return;
    if (this.headerDirty) {
      const header = this.takeHeader();
      this.writeDirtySlots();
      fdatasyncSync(this.fd);
      writeFully(this.fd, header, 0);
      fdatasyncSync(this.fd);
    }
    this.release();
  }

  /** Closes without flushing and deletes the file. */
  destroy(): void {
    this.release();
    try {
      unlinkSync(this.path);
    } catch {
      // already gone
    }
  }

  private release(): void {
    if (this.closed) return;
    this.closed = true;
    this.slots = undefined;
    this.runBuffer = undefined;
    closeSync(this.fd);
    this.fd = -1;
  }

  private async doFlush(): Promise<void> {
    if (this.closed || !this.headerDirty) return;
    const header = this.takeHeader();
    if (!(await this.writeDirtySlotsInRuns())) return;
    if (!(await this.sync())) return;
    writeFully(this.fd, header, 0);
    if (!(await this.sync())) return;
    this.releaseSlotsIfDurable();
  }

  /** fdatasync on the libuv pool; false when the file was closed meanwhile (close() synced). */
  private async sync(): Promise<boolean> {
    try {
      await fdatasyncAsync(this.fd);
    } catch (err: unknown) {
      if (this.closed) return false;
      throw err;
    }
    return !this.closed;
  }

  /** A sealed file whose state is all durable reads slots from the file instead. */
  private releaseSlotsIfDurable(): void {
    if (this.sealed && !this.headerDirty && this.dirtyPageCount === 0 && this.pendingCount === 0) {
      this.slots = undefined;
      this.runBuffer = undefined;
    }
  }

  /** Writes the pending entries and returns the header bytes that count exactly them (puts after this dirty it again). */
  private takeHeader(): Buffer {
    this.writePending();
    this.headerDirty = false;
    return encodeIndexHeader(this.header);
  }

  private writePending(): void {
    if (this.pendingCount === 0) return;
    writeFully(this.fd, this.pending.subarray(0, this.pendingCount * INDEX_ENTRY_SIZE), this.entryPos(this.pendingFirst));
    this.pendingFirst += this.pendingCount;
    this.pendingCount = 0;
  }

  /** Synchronously writes every dirty slot page (close). */
  private writeDirtySlots(): void {
    for (let run = this.takeDirtyRun(0, Infinity); run !== undefined; run = this.takeDirtyRun(run.next, Infinity)) {
      writeFully(this.fd, run.bytes, run.position);
    }
  }

  /**
   * Writes the dirty slot pages in runs of at most FLUSH_RUN_PAGES on the libuv
   * pool, one at a time (the event loop only copies each run). False when the
   * file was closed meanwhile (close() wrote everything itself).
   */
  private async writeDirtySlotsInRuns(): Promise<boolean> {
    const into = (this.runBuffer ??= Buffer.allocUnsafeSlow(FLUSH_RUN_PAGES * SLOTS_PER_PAGE * INDEX_SLOT_SIZE));
    for (let run = this.takeDirtyRun(0, FLUSH_RUN_PAGES, into); run !== undefined; run = this.takeDirtyRun(run.next, FLUSH_RUN_PAGES, into)) {
      if (this.closed) return false;
      try {
        await writeFullyAsync(this.fd, run.bytes, run.position);
      } catch (err: unknown) {
        if (this.closed) return false;
        // Not written: those pages and the header are dirty again for the next flush.
        this.markPagesDirty(run.firstPage, run.next);
        this.headerDirty = true;
        throw err;
      }
    }
    return !this.closed;
  }

  /**
   * The next run of dirty slot pages at or after page `from` (at most `maxPages`),
   * marked clean, as big-endian bytes ready to write (in `into` when given and big
   * enough, else in a new buffer); undefined when none is left.
   */
  private takeDirtyRun(from: number, maxPages: number, into?: Buffer): { bytes: Buffer; position: number; firstPage: number; next: number } | undefined {
    const slots = this.slots;
    if (slots === undefined || this.dirtyPageCount === 0) return undefined;
    const pages = this.dirtyPages;
    let p = from;
    while (p < pages.length && pages[p] === 0) p++;
    if (p >= pages.length) return undefined;
    // Clean pages between dirty ones go along (rewritten as they are) when the gap is short: with
    // random key hashes the dirty pages are scattered, and one write per few pages costs more.
    let q = p;
    let end = p; // one past the last dirty page taken
    while (q < pages.length && q - p < maxPages && q - end <= RUN_GAP_PAGES) {
      if (pages[q] === 1) {
        pages[q] = 0;
        this.dirtyPageCount--;
        end = q + 1;
      }
      q++;
    }
    q = end;
    const first = p * SLOTS_PER_PAGE;
    const length = (Math.min(q * SLOTS_PER_PAGE, this.hashSlotNum) - first) * INDEX_SLOT_SIZE;
    const source = new Uint8Array(slots.buffer, slots.byteOffset + first * INDEX_SLOT_SIZE, length);
    // A copy either way: it is swapped in place.
    const bytes = into !== undefined && length <= into.length ? into.subarray(0, length) : Buffer.allocUnsafe(length);
    bytes.set(source);
    if (LITTLE_ENDIAN_HOST) bytes.swap32();
    return { bytes, position: INDEX_HEADER_SIZE + first * INDEX_SLOT_SIZE, firstPage: p, next: q };
  }

  /** Marks slot pages [from, to) dirty for the next flush. */
  private markPagesDirty(from: number, to: number): void {
    for (let p = from; p < to; p++) {
      if (this.dirtyPages[p] === 0) {
        this.dirtyPages[p] = 1;
        this.dirtyPageCount++;
      }
    }
  }

  private readSlot(slot: number): number {
    if (this.slots !== undefined) return this.slots[slot] ?? 0;
    return preadFully(this.fd, this.scratch.subarray(0, INDEX_SLOT_SIZE), INDEX_HEADER_SIZE + slot * INDEX_SLOT_SIZE).readInt32BE(0);
  }

  private entryPos(n: number): number {
    return INDEX_HEADER_SIZE + this.hashSlotNum * INDEX_SLOT_SIZE + n * INDEX_ENTRY_SIZE;
  }

  /** Rebuilds the slot table (and hashSlotCount) from entries 1..indexCount-1. */
  private rebuildSlots(): void {
    const slots = this.slots;
    if (slots === undefined) return;
    slots.fill(0);
    let used = 0;
    const chunk = Buffer.alloc(CHUNK_ENTRIES * INDEX_ENTRY_SIZE);
    const last = this.header.indexCount - 1;
    for (let first = 1; first <= last; first += CHUNK_ENTRIES) {
      const n = Math.min(CHUNK_ENTRIES, last - first + 1);
      preadFully(this.fd, chunk.subarray(0, n * INDEX_ENTRY_SIZE), this.entryPos(first));
      for (let i = 0; i < n; i++) {
        const keyHash = chunk.readInt32BE(i * INDEX_ENTRY_SIZE);
        if (keyHash < 0) continue; // corrupt entry: unreachable from any slot
        const slot = keyHash % this.hashSlotNum;
        if (slots[slot] === 0) used++;
        slots[slot] = first + i;
      }
    }
    this.header.hashSlotCount = used;
    this.dirtyPages.fill(1);
    this.dirtyPageCount = this.dirtyPages.length;
    this.headerDirty = true;
  }
}

function preadFully(fd: number, buf: Buffer, position: number): Buffer {
  let done = 0;
  while (done < buf.length) {
    const r = readSync(fd, buf, done, buf.length - done, position + done);
    if (r === 0) {
      buf.fill(0, done);
      break;
    }
    done += r;
  }
  return buf;
}

function writeFully(fd: number, buf: Buffer, position: number): void {
  let done = 0;
  while (done < buf.length) done += writeSync(fd, buf, done, buf.length - done, position + done);
}

async function writeFullyAsync(fd: number, buf: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < buf.length) done += (await writeAsync(fd, buf, done, buf.length - done, position + done)).bytesWritten;
}
