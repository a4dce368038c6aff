/**
 * A durable local spool for a producer: when no broker accepts a message, it
 * is appended here (fdatasync'ed before `send` resolves) and sent later, in
 * the order it was spooled, once brokers accept again.
 *
 * Files in the spool directory:
 *   spool.log    — records: u32 length, u32 CRC32 of the payload, payload
 *                  (JSON of the message, body base64); appended only.
 *   spool.offset — the byte offset up to which records were sent (written
 *                  atomically: temp file, fsync, rename).
 * A torn record at the tail (crash mid-append) is cut at open. When every
 * record is sent the log is emptied.
 */
import { closeSync, fdatasyncSync, fstatSync, ftruncateSync, mkdirSync, openSync, readSync, renameSync, writeFileSync, writeSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import type { Message } from './message.js';

const HEADER = 8;

/** What the spool keeps of a message (everything a later send needs). */
export interface SpooledMessage {
  readonly topic: string;
  readonly body: Buffer;
  readonly tags?: string;
  readonly keys?: readonly string[];
  readonly properties?: Readonly<Record<string, string>>;
  readonly flag?: number;
  readonly delayLevel?: number;
  readonly deliverAt?: number;
  readonly shardingKey?: string;
}

export function toSpooled(msg: Message): SpooledMessage {
  const keys = msg.keys === undefined ? undefined : typeof msg.keys === 'string' ? [msg.keys] : [...msg.keys];
  const deliverAt = msg.deliverAt instanceof Date ? msg.deliverAt.getTime() : msg.deliverAt ?? (msg.delayMs !== undefined ? Date.now() + msg.delayMs : undefined);
  return {
    topic: msg.topic,
    body: typeof msg.body === 'string' ? Buffer.from(msg.body) : Buffer.from(msg.body),
    ...(msg.tags !== undefined ? { tags: msg.tags } : {}),
    ...(keys !== undefined ? { keys } : {}),
    ...(msg.properties !== undefined ? { properties: { ...msg.properties } } : {}),
    ...(msg.flag !== undefined ? { flag: msg.flag } : {}),
    ...(msg.delayLevel !== undefined ? { delayLevel: msg.delayLevel } : {}),
    ...(deliverAt !== undefined ? { deliverAt } : {}),
    ...(msg.shardingKey !== undefined ? { shardingKey: msg.shardingKey } : {}),
  };
}

export function fromSpooled(s: SpooledMessage): Message {
  return {
    topic: s.topic,
    body: s.body,
    ...(s.tags !== undefined ? { tags: s.tags } : {}),
    ...(s.keys !== undefined ? { keys: [...s.keys] } : {}),
    ...(s.properties !== undefined ? { properties: s.properties } : {}),
    ...(s.flag !== undefined ? { flag: s.flag } : {}),
    ...(s.delayLevel !== undefined ? { delayLevel: s.delayLevel } : {}),
    ...(s.deliverAt !== undefined ? { deliverAt: s.deliverAt } : {}),
    ...(s.shardingKey !== undefined ? { shardingKey: s.shardingKey } : {}),
  };
}

function encode(m: SpooledMessage): Buffer {
  const payload = Buffer.from(JSON.stringify({ ...m, body: m.body.toString('base64') }), 'utf8');
  const head = Buffer.alloc(HEADER);
  head.writeUInt32BE(payload.length, 0);
  head.writeUInt32BE(crc32(payload) >>> 0, 4);
  return Buffer.concat([head, payload]);
}

function decode(payload: Buffer): SpooledMessage | undefined {
  const u: unknown = JSON.parse(payload.toString('utf8'));
  if (typeof u !== 'object' || u === null) return undefined;
  const o = u as Record<string, unknown>;
  if (typeof o.topic !== 'string' || typeof o.body !== 'string') return undefined;
  const str = (k: string): string | undefined => (typeof o[k] === 'string' ? o[k] : undefined);
  const int = (k: string): number | undefined => (typeof o[k] === 'number' ? o[k] : undefined);
  const keys = Array.isArray(o.keys) ? o.keys.filter((k): k is string => typeof k === 'string') : undefined;
  const props = typeof o.properties === 'object' && o.properties !== null
    ? Object.fromEntries(Object.entries(o.properties).filter((e): e is [string, string] => typeof e[1] === 'string'))
    : undefined;
  const tags = str('tags');
  const flag = int('flag');
  const delayLevel = int('delayLevel');
  const deliverAt = int('deliverAt');
  const shardingKey = str('shardingKey');
  return {
    topic: o.topic,
    body: Buffer.from(o.body, 'base64'),
    ...(tags !== undefined ? { tags } : {}),
    ...(keys !== undefined ? { keys } : {}),
    ...(props !== undefined ? { properties: props } : {}),
    ...(flag !== undefined ? { flag } : {}),
    ...(delayLevel !== undefined ? { delayLevel } : {}),
    ...(deliverAt !== undefined ? { deliverAt } : {}),
    ...(shardingKey !== undefined ? { shardingKey } : {}),
  };
}

export class LocalSpool {
  private readonly logPath: string;
  private readonly offsetPath: string;
  private fd: number;
  private size: number;
  private sentUpTo: number;

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true });
    this.logPath = join(dir, 'spool.log');
    this.offsetPath = join(dir, 'spool.offset');
    closeSync(openSync(this.logPath, 'a'));
    this.fd = openSync(this.logPath, 'r+');
    this.size = fstatSync(this.fd).size;
    this.sentUpTo = this.readOffset();
    this.cutTornTail();
  }

  /** Messages spooled and not yet sent. */
  get pendingBytes(): number {
    return this.size - this.sentUpTo;
  }

  get isEmpty(): boolean {
    return this.sentUpTo >= this.size;
  }

  /** Appends a message durably (fdatasync before returning). */
  append(msg: SpooledMessage): void {
    const rec = encode(msg);
    let done = 0;
    while (done < rec.length) done += writeSync(this.fd, rec, done, rec.length - done, this.size + done);
    fdatasyncSync(this.fd);
    this.size += rec.length;
  }

  /** The oldest unsent message with the offset that follows it, or undefined. */
  peek(): { message: SpooledMessage; next: number } | undefined {
    if (this.isEmpty) return undefined;
    const head = Buffer.alloc(HEADER);
    readSync(this.fd, head, 0, HEADER, this.sentUpTo);
    const len = head.readUInt32BE(0);
    const payload = Buffer.alloc(len);
    readSync(this.fd, payload, 0, len, this.sentUpTo + HEADER);
    const message = decode(payload);
    const next = this.sentUpTo + HEADER + len;
    if (message === undefined) {
      // Unreadable (should not happen after the CRC check): skip it rather than block the spool.
      this.markSent(next);
      return this.peek();
    }
    return { message, next };
  }

  /** Records that everything before `next` was sent; empties the log when all is sent. */
  markSent(next: number): void {
    this.sentUpTo = next;
    if (this.sentUpTo >= this.size) {
      ftruncateSync(this.fd, 0);
      fdatasyncSync(this.fd);
      this.size = 0;
      this.sentUpTo = 0;
    }
    const tmp = `${this.offsetPath}.tmp`;
    writeFileSync(tmp, String(this.sentUpTo));
    const fd = openSync(tmp, 'r');
    try {
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.offsetPath);
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }

  private readOffset(): number {
    try {
      const n = Number(readFileSync(this.offsetPath, 'utf8').trim());
      return Number.isSafeInteger(n) && n >= 0 && n <= this.size ? n : 0;
    } catch {
      return 0;
    }
  }

  /** Walks the unsent records and cuts the log at the first torn or corrupt one. */
  private cutTornTail(): void {
    let pos = this.sentUpTo;
    const head = Buffer.alloc(HEADER);
    while (pos + HEADER <= this.size) {
      readSync(this.fd, head, 0, HEADER, pos);
      const len = head.readUInt32BE(0);
      if (pos + HEADER + len > this.size) break;
      const payload = Buffer.alloc(len);
      readSync(this.fd, payload, 0, len, pos + HEADER);
      if ((crc32(payload) >>> 0) !== head.readUInt32BE(4)) break;
      pos += HEADER + len;
    }
    if (pos < this.size) {
      ftruncateSync(this.fd, pos);
      fdatasyncSync(this.fd);
      this.size = pos;
    }
  }
}
