/**
 * The batch send body (MessageDecoder.encodeMessages / decodeMessages,
 * message-format.md §6): per message TOTALSIZE, MAGICCODE (0), BODYCRC (0),
 * FLAG, BODY (int32 + bytes), PROPERTIES (int16 + bytes).
 */
import { BATCH_LAYOUT_STRIDE, BatchLayout, InvalidArgumentError } from '../common/index.js';

export interface BatchItem {
  readonly flag: number;
  readonly body: Buffer;
  readonly properties: string;
}

export function decodeBatchBody(buf: Buffer, maxItems = 100_000): BatchItem[] {
  const items: BatchItem[] = [];
  let p = 0;
  while (p < buf.length) {
    if (items.length >= maxItems) throw new InvalidArgumentError('too many messages in one batch');
    if (p + 20 > buf.length) throw new InvalidArgumentError('truncated batch message header');
    const total = buf.readInt32BE(p);
    if (total < 22 || p + total > buf.length) throw new InvalidArgumentError(`bad batch message size ${total}`);
    const flag = buf.readInt32BE(p + 12);
    const bodyLen = buf.readInt32BE(p + 16);
    if (bodyLen < 0 || 20 + bodyLen + 2 > total) throw new InvalidArgumentError('bad batch message body length');
    const body = buf.subarray(p + 20, p + 20 + bodyLen);
    const propsLen = buf.readInt16BE(p + 20 + bodyLen);
    if (propsLen < 0 || 22 + bodyLen + propsLen !== total) throw new InvalidArgumentError('bad batch message properties length');
    const properties = buf.toString('utf8', p + 22 + bodyLen, p + 22 + bodyLen + propsLen);
    items.push({ flag, body, properties });
    p += total;
  }
  return items;
}

/**
 * The batch body as a store layout (MessageBatchInput.layout): per message
 * flag, body and property byte ranges of `buf`, suffix -1; nothing is copied
 * or decoded. Throws InvalidArgumentError as decodeBatchBody does. With
 * `scratch`, the layout is a view of it when it is long enough (a new
 * Int32Array per batch costs more than the scan), so it is only valid until
 * the caller's next use of that scratch.
 */
export function scanBatchBody(buf: Buffer, maxItems = 100_000, scratch?: Int32Array): Int32Array {
  // DataView reads: a fraction of Buffer.readInt32BE's cost, per message of every batch.
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const n = buf.length;
  let count = 0;
  for (let p = 0; p < n; count++) {
    if (count >= maxItems) throw new InvalidArgumentError('too many messages in one batch');
    if (p + 20 > n) throw new InvalidArgumentError('truncated batch message header');
    const total = view.getInt32(p);
    if (total < 22 || p + total > n) throw new InvalidArgumentError(`bad batch message size ${total}`);
    p += total;
  }
  const size = count * BATCH_LAYOUT_STRIDE;
  const layout = scratch !== undefined && scratch.length >= size ? scratch.subarray(0, size) : new Int32Array(size);
  for (let i = 0, p = 0, o = 0; i < count; i++, o += BATCH_LAYOUT_STRIDE) {
    const total = view.getInt32(p);
    const bodyLen = view.getInt32(p + 16);
    if (bodyLen < 0 || 20 + bodyLen + 2 > total) throw new InvalidArgumentError('bad batch message body length');
    const propsLen = view.getInt16(p + 20 + bodyLen);
    if (propsLen < 0 || 22 + bodyLen + propsLen !== total) throw new InvalidArgumentError('bad batch message properties length');
    layout[o + BatchLayout.FLAG] = view.getInt32(p + 12);
    layout[o + BatchLayout.BODY_START] = p + 20;
    layout[o + BatchLayout.BODY_LENGTH] = bodyLen;
    layout[o + BatchLayout.PROPERTIES_START] = p + 22 + bodyLen;
    layout[o + BatchLayout.PROPERTIES_LENGTH] = propsLen;
    layout[o + BatchLayout.SUFFIX] = -1;
    p += total;
  }
  return layout;
}

/**
 * Carves buffers out of larger uninitialised slabs, as Buffer's own pool does
 * for small sizes: a batch body of a few KiB costs a view instead of a new
 * ArrayBuffer. A buffer still referenced keeps its whole slab alive, so the
 * slab is small, and sizes over half a slab get their own buffer.
 */
export class BufferSlab {
  private slab: Buffer | undefined;
  private offset = 0;

  constructor(private readonly slabSize = 256 * 1024) {}

  /** `size` uninitialised bytes; the caller writes them all. */
  allocUnsafe(size: number): Buffer {
    if (size > this.slabSize >>> 1) return Buffer.allocUnsafe(size);
    let slab = this.slab;
    if (slab === undefined || this.offset + size > slab.length) {
      slab = this.slab = Buffer.allocUnsafeSlow(this.slabSize);
      this.offset = 0;
    }
    const out = slab.subarray(this.offset, this.offset + size);
    this.offset = (this.offset + size + 7) & ~7;
    return out;
  }
}

/**
 * Encodes a batch body into one buffer (the producer's SEND_BATCH_MESSAGE),
 * from `slab` when given (else a buffer of its own).
 */
export function encodeBatchBody(items: readonly BatchItem[], slab?: BufferSlab): Buffer {
  const n = items.length;
  const propLengths = new Int32Array(n);
  let size = 0;
  for (let i = 0; i < n; i++) {
    const it = items[i] as BatchItem;
    const propsLen = Buffer.byteLength(it.properties, 'utf8');
    propLengths[i] = propsLen;
    size += 22 + it.body.length + propsLen;
  }
  // Every byte is written below (MAGICCODE and BODYCRC as explicit zeros), so no zero-fill.
  const out = slab === undefined ? Buffer.allocUnsafe(size) : slab.allocUnsafe(size);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  let p = 0;
  for (let i = 0; i < n; i++) {
    const it = items[i] as BatchItem;
    const bodyLen = it.body.length;
    const propsLen = propLengths[i] as number;
    const total = 22 + bodyLen + propsLen;
    view.setInt32(p, total);
    view.setInt32(p + 4, 0);
    view.setInt32(p + 8, 0);
    // Out of range: Buffer's writers throw their RangeError, as before.
    if ((it.flag | 0) === it.flag) view.setInt32(p + 12, it.flag);
    else out.writeInt32BE(it.flag, p + 12);
    view.setInt32(p + 16, bodyLen);
    out.set(it.body, p + 20);
    if (propsLen <= 0x7fff) view.setInt16(p + 20 + bodyLen, propsLen);
    else out.writeInt16BE(propsLen, p + 20 + bodyLen);
    if (propsLen > 0) out.write(it.properties, p + 22 + bodyLen, propsLen, 'utf8');
    p += total;
  }
  return out;
}
