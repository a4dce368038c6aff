/**
 * The store checkpoint, `{root}/checkpoint` (RocketMQ's StoreCheckpoint,
 * store/StoreCheckpoint.java, 4.9.8). RocketMQ keeps three timestamps in an
 * mmapped 4 KiB page; we also keep the offsets recovery starts from, and guard
 * the record with a CRC32 so a torn write is detected rather than trusted.
 *
 * Byte layout (big-endian, 60 bytes):
 *
 * | offset | size | field                                                   |
 * |-------:|-----:|---------------------------------------------------------|
 * |      0 |    4 | magic `0x4F434B50` ("OCKP")                             |
 * |      4 |    2 | version (1)                                             |
 * |      6 |    2 | reserved (0)                                            |
 * |      8 |    8 | physicMsgTimestamp (store time of last flushed message) |
 * |     16 |    8 | logicsMsgTimestamp (same, for the consume queues)       |
 * |     24 |    8 | indexMsgTimestamp (same, for the index files)           |
 * |     32 |    8 | commitLogFlushedOffset                                  |
 * |     40 |    8 | consumeQueueOffset (commit-log offset all CQs cover)    |
 * |     48 |    8 | indexOffset (commit-log offset the index covers)        |
 * |     56 |    4 | CRC32 (zlib) of bytes 0..55                             |
 *
 * Writes go through {@link writeFileAtomic} (temp file, fdatasync, previous
 * version kept as `.bak`, rename). An older checkpoint is always safe to fall
 * back to: recovery just re-scans more of the commit log.
 */
import { readFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { InvalidArgumentError, errnoCode, getErrorMessage } from '../common/index.js';
import { bakPathOf, writeFileAtomic, writeFileAtomicSync } from './config-file.js';

export const CHECKPOINT_MAGIC = 0x4f434b50;
export const CHECKPOINT_VERSION = 1;
export const CHECKPOINT_SIZE = 60;

export interface CheckpointData {
  readonly physicMsgTimestamp: number;
  readonly logicsMsgTimestamp: number;
  readonly indexMsgTimestamp: number;
  readonly commitLogFlushedOffset: number;
  readonly consumeQueueOffset: number;
  readonly indexOffset: number;
}

/** Field order of the record body (offsets 8, 16, ... 48). */
const FIELDS = [
  'physicMsgTimestamp',
  'logicsMsgTimestamp',
  'indexMsgTimestamp',
  'commitLogFlushedOffset',
  'consumeQueueOffset',
  'indexOffset',
] as const satisfies readonly (keyof CheckpointData)[];

export const EMPTY_CHECKPOINT: Readonly<CheckpointData> = Object.freeze({
  physicMsgTimestamp: 0,
  logicsMsgTimestamp: 0,
  indexMsgTimestamp: 0,
  commitLogFlushedOffset: 0,
  consumeQueueOffset: 0,
  indexOffset: 0,
});

export interface CheckpointLoadResult {
  readonly data: CheckpointData;
  /** `main`: the checkpoint file; `bak`: its previous version; `empty`: zeros. */
  readonly source: 'main' | 'bak' | 'empty';
  /** True when a checkpoint file existed but failed validation (torn write, bit rot). */
  readonly corrupt: boolean;
  /** What was wrong with the file(s) that were skipped. */
  readonly problems: readonly string[];
}

/** Encodes `data` as the 60-byte record. Throws InvalidArgumentError on a negative or unsafe field. */
export function encodeCheckpoint(data: CheckpointData): Buffer {
  const buf = Buffer.alloc(CHECKPOINT_SIZE);
  buf.writeUInt32BE(CHECKPOINT_MAGIC, 0);
  buf.writeUInt16BE(CHECKPOINT_VERSION, 4);
  FIELDS.forEach((name, i) => {
    const v = data[name];
    if (!Number.isSafeInteger(v) || v < 0) throw new InvalidArgumentError(`checkpoint ${name} must be a safe integer >= 0, got ${v}`);
    buf.writeBigInt64BE(BigInt(v), 8 + i * 8);
  });
  buf.writeUInt32BE(crc32(buf.subarray(0, CHECKPOINT_SIZE - 4)), CHECKPOINT_SIZE - 4);
  return buf;
}

/** Decodes a record, or returns the reason it is invalid. */
export function decodeCheckpoint(buf: Uint8Array): CheckpointData | string {
  if (buf.length !== CHECKPOINT_SIZE) return `size ${buf.length}, expected ${CHECKPOINT_SIZE}`;
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const crc = crc32(b.subarray(0, CHECKPOINT_SIZE - 4));
  if (crc !== b.readUInt32BE(CHECKPOINT_SIZE - 4)) return 'CRC mismatch';
  if (b.readUInt32BE(0) !== CHECKPOINT_MAGIC) return 'bad magic';
  const version = b.readUInt16BE(4);
  if (version !== CHECKPOINT_VERSION) return `unsupported version ${version}`;
  for (const [i, name] of FIELDS.entries()) {
    const v = b.readBigInt64BE(8 + i * 8);
    if (v < 0n || v > BigInt(Number.MAX_SAFE_INTEGER)) return `${name} out of range: ${v}`;
  }
  const at = (i: number): number => Number(b.readBigInt64BE(8 + i * 8));
  return {
    physicMsgTimestamp: at(0),
    logicsMsgTimestamp: at(1),
    indexMsgTimestamp: at(2),
    commitLogFlushedOffset: at(3),
    consumeQueueOffset: at(4),
    indexOffset: at(5),
  };
}

type FileOutcome = { kind: 'ok'; data: CheckpointData } | { kind: 'missing' } | { kind: 'bad'; problem: string };

function readOne(path: string): FileOutcome {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (err: unknown) {
    if (errnoCode(err) === 'ENOENT') return { kind: 'missing' };
    return { kind: 'bad', problem: `${path}: ${getErrorMessage(err)}` };
  }
  const decoded = decodeCheckpoint(buf);
  return typeof decoded === 'string' ? { kind: 'bad', problem: `${path}: ${decoded}` } : { kind: 'ok', data: decoded };
}

/**
 * Loads the checkpoint at `path`. Missing (first start) → zeros. Invalid →
 * `{path}.bak` if that is valid, else zeros, with `corrupt: true` so the
 * caller logs it and recovers from the start of the commit log.
 */
export function loadCheckpoint(path: string): CheckpointLoadResult {
  const main = readOne(path);
  if (main.kind === 'ok') return { data: main.data, source: 'main', corrupt: false, problems: [] };
  const problems: string[] = main.kind === 'bad' ? [main.problem] : [];
  const bak = readOne(bakPathOf(path));
  if (bak.kind === 'bad') problems.push(bak.problem);
  // A missing main with a valid .bak is a crash between the backup link and the rename.
  if (bak.kind === 'ok') return { data: bak.data, source: 'bak', corrupt: main.kind === 'bad', problems };
  return { data: { ...EMPTY_CHECKPOINT }, source: 'empty', corrupt: problems.length > 0, problems };
}

/** Durably and atomically replaces the checkpoint (the previous one becomes `.bak`). */
export async function saveCheckpoint(path: string, data: CheckpointData): Promise<void> {
  await writeFileAtomic(path, encodeCheckpoint(data));
}

/** Synchronous {@link saveCheckpoint}, for shutdown. */
export function saveCheckpointSync(path: string, data: CheckpointData): void {
  writeFileAtomicSync(path, encodeCheckpoint(data));
}
