/**
 * Big-endian int64 read/write for offsets and timestamps without BigInt
 * allocation. Values must be safe integers (|v| <= 2^53 - 1); reads of values
 * outside that range are rejected by `readSafeInt64`.
 */
const TWO_32 = 4294967296;

export function writeInt64BE(buf: Buffer, value: number, pos: number): void {
  buf.writeInt32BE(Math.floor(value / TWO_32), pos);
  buf.writeUInt32BE(value >>> 0, pos + 4);
}

/** Reads an int64; exact for safe integers (the only values OrbitMQ writes). */
export function readInt64BE(buf: Buffer, pos: number): number {
  return buf.readInt32BE(pos) * TWO_32 + buf.readUInt32BE(pos + 4);
}

/** Reads an int64 that must be a safe integer (untrusted input); returns undefined otherwise. */
export function readSafeInt64(buf: Buffer, pos: number): number | undefined {
  const v = readInt64BE(buf, pos);
  return Number.isSafeInteger(v) ? v : undefined;
}
