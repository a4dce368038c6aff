/**
 * One fixed-size, preallocated segment file (RocketMQ's MappedFile, without
 * mmap: Node writes with positional pwrite into the page cache and reads with
 * pread). The file name is the segment's start offset as 20 digits.
 *
 * Writes are synchronous pwrites of already-batched buffers: they land in the
 * page cache in microseconds, so a process crash (kill -9) never loses an
 * acknowledged write; `flush()` (fdatasync on the libuv pool) makes them
 * durable against power loss and is what SYNC_FLUSH waits for.
 */
import { closeSync, fdatasync, fstatSync, ftruncateSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { read as readCb } from 'node:fs';
import { join } from 'node:path';
import { StoreError } from '../common/index.js';

export function segmentFileName(startOffset: number): string {
  return String(startOffset).padStart(20, '0');
}

export class SegmentFile {
  readonly path: string;
  readonly startOffset: number;
  readonly size: number;
  private fd: number;
  private closed = false;

  private constructor(path: string, startOffset: number, size: number, fd: number) {
    this.path = path;
    this.startOffset = startOffset;
    this.size = size;
    this.fd = fd;
  }

  /** Opens the segment starting at `startOffset`, creating and preallocating it if missing. */
  static create(dir: string, startOffset: number, size: number): SegmentFile {
    const path = join(dir, segmentFileName(startOffset));
    let fd: number;
    try {
      fd = openSync(path, 'wx+', 0o644);
    } catch {
      fd = openSync(path, 'r+', 0o644);
    }
    const stat = fstatSync(fd);
    if (stat.size < size) ftruncateSync(fd, size);
    return new SegmentFile(path, startOffset, size, fd);
  }

  get endOffset(): number {
    return this.startOffset + this.size;
  }

  /** Writes `buf[from, to)` at the segment-relative `position`. */
  write(position: number, buf: Uint8Array, from = 0, to = buf.length): void {
    if (position < 0 || position + (to - from) > this.size) {
      throw new StoreError(`write beyond segment ${this.path}: ${position}+${to - from} > ${this.size}`);
    }
    let done = 0;
    const len = to - from;
    while (done < len) {
      done += writeSync(this.fd, buf, from + done, len - done, position + done);
    }
  }

  /** Reads up to `length` bytes at the segment-relative `position` into a new buffer. */
  readSync(position: number, length: number, target?: Buffer): Buffer {
    const n = Math.max(0, Math.min(length, this.size - position));
    const buf = target ?? Buffer.allocUnsafe(n);
    let done = 0;
    while (done < n) {
      const r = readSync(this.fd, buf, done, n - done, position + done);
      if (r === 0) {
        buf.fill(0, done, n);
        break;
      }
      done += r;
    }
    return n === buf.length ? buf : buf.subarray(0, n);
  }

  /** Asynchronous positional read (libuv pool), for large reads off the event loop. */
  read(position: number, length: number): Promise<Buffer> {
    const n = Math.max(0, Math.min(length, this.size - position));
    const buf = Buffer.allocUnsafe(n);
    return new Promise((resolve, reject) => {
      const step = (done: number): void => {
        if (done >= n) {
          resolve(buf);
          return;
        }
        readCb(this.fd, buf, done, n - done, position + done, (err, r) => {
          if (err) reject(err);
          else if (r === 0) {
            buf.fill(0, done, n);
            resolve(buf);
          } else step(done + r);
        });
      };
      step(0);
    });
  }

  /** fdatasync on the libuv pool. */
  flush(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve, reject) => {
      fdatasync(this.fd, (err) => (err ? reject(err) : resolve()));
    });
  }

  /** Zeroes everything from `position` to the end of the segment (cuts a torn tail). */
  zeroFrom(position: number): void {
    if (position >= this.size) return;
    ftruncateSync(this.fd, position);
    ftruncateSync(this.fd, this.size);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
    this.fd = -1;
  }

  destroy(): void {
    this.close();
    try {
      unlinkSync(this.path);
    } catch {
      // already gone
    }
  }
}
