/**
 * A directory of contiguous fixed-size segment files named by their start
 * offset (RocketMQ's MappedFileQueue). Offsets are absolute byte offsets of
 * the logical file the segments make up.
 */
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { StoreError } from '../common/index.js';
import { SegmentFile } from './segment-file.js';

const SEGMENT_NAME = /^\d{20}$/;

export class SegmentQueue {
  readonly dir: string;
  readonly segmentSize: number;
  private readonly segments: SegmentFile[] = [];

  constructor(dir: string, segmentSize: number) {
    if (!Number.isSafeInteger(segmentSize) || segmentSize <= 0) throw new StoreError(`bad segment size ${segmentSize}`);
    this.dir = dir;
    this.segmentSize = segmentSize;
  }

  /** Opens every segment file in the directory (creating the directory). */
  load(): void {
    mkdirSync(this.dir, { recursive: true });
    const names = readdirSync(this.dir).filter((n) => SEGMENT_NAME.test(n)).sort();
    let expected: number | undefined;
    for (const name of names) {
      const start = Number(name);
      const size = statSync(join(this.dir, name)).size;
      if (size > this.segmentSize) {
        throw new StoreError(`segment ${join(this.dir, name)} is ${size} bytes, larger than the configured ${this.segmentSize}`);
      }
      if (start % this.segmentSize !== 0) {
        throw new StoreError(`segment ${join(this.dir, name)} does not start at a multiple of ${this.segmentSize}`);
      }
      if (expected !== undefined && start !== expected) {
        throw new StoreError(`segment files in ${this.dir} are not contiguous at ${name}`);
      }
      this.segments.push(SegmentFile.create(this.dir, start, this.segmentSize));
      expected = start + this.segmentSize;
    }
  }

  get all(): readonly SegmentFile[] {
    return this.segments;
  }

  get first(): SegmentFile | undefined {
    return this.segments[0];
  }

  get last(): SegmentFile | undefined {
    return this.segments[this.segments.length - 1];
  }

  /** Start offset of the first segment (0 when there is none). */
  get minOffset(): number {
    return this.segments[0]?.startOffset ?? 0;
  }

  /** The segment holding `offset`, if it exists. */
  find(offset: number): SegmentFile | undefined {
    const first = this.segments[0];
    if (first === undefined || offset < first.startOffset) return undefined;
    return this.segments[Math.floor((offset - first.startOffset) / this.segmentSize)];
  }

  /** The segment holding `offset`, creating it (and any gap before it) when missing. */
  getOrCreate(offset: number): SegmentFile {
    const found = this.find(offset);
    if (found) return found;
    const start = offset - (offset % this.segmentSize);
    const last = this.last;
    if (last !== undefined && start < last.startOffset) {
      throw new StoreError(`offset ${offset} lies before the first segment of ${this.dir}`);
    }
    mkdirSync(this.dir, { recursive: true });
    if (last === undefined) {
      const seg = SegmentFile.create(this.dir, start, this.segmentSize);
      this.segments.push(seg);
      return seg;
    }
    let next = last.endOffset;
    let seg = last;
    while (next <= start) {
      seg = SegmentFile.create(this.dir, next, this.segmentSize);
      this.segments.push(seg);
      next += this.segmentSize;
    }
    return seg;
  }

  /** Removes every byte at or past `offset`: later segments are deleted, the holder is zeroed from there. */
  truncateFrom(offset: number): void {
    while (this.segments.length > 0) {
      const last = this.segments[this.segments.length - 1];
      if (last === undefined || last.startOffset < offset) break;
      if (last.startOffset === offset && this.segments.length === 1) {
        last.zeroFrom(0);
        return;
      }
      last.destroy();
      this.segments.pop();
    }
    const holder = this.find(offset);
    holder?.zeroFrom(offset - holder.startOffset);
  }

  /** Deletes the first segment; returns it (closed) or undefined. */
  deleteFirst(): SegmentFile | undefined {
    const first = this.segments.shift();
    first?.destroy();
    return first;
  }

  /** Deletes every segment (used when a directory is reset). */
  deleteAll(): void {
    for (const s of this.segments) s.destroy();
    this.segments.length = 0;
  }

  async flush(fromOffset: number, toOffset: number): Promise<void> {
    const targets = this.segments.filter((s) => s.endOffset > fromOffset && s.startOffset < toOffset);
    await Promise.all(targets.map((s) => s.flush()));
  }

  close(): void {
    for (const s of this.segments) s.close();
  }
}
