/**
 * The offset message id (MessageDecoder.createMessageId / decodeMessageId):
 * store-host address (4 or 16 bytes) + port (int32) + commit-log offset
 * (int64), as uppercase hex: 32 chars for IPv4, 56 for IPv6.
 */
import { InvalidArgumentError } from './errors.js';
import type { HostAddress } from './host.js';

export function createOffsetMessageId(storeHost: HostAddress, commitLogOffset: number): string {
  const buf = Buffer.alloc(storeHost.address.length + 12);
  buf.set(storeHost.address, 0);
  buf.writeInt32BE(storeHost.port, storeHost.address.length);
  buf.writeBigInt64BE(BigInt(commitLogOffset), storeHost.address.length + 4);
  return buf.toString('hex').toUpperCase();
}

const TWO_32 = 4294967296;
const HEX_CODES: readonly number[] = Array.from('0123456789ABCDEF', (c) => c.charCodeAt(0));

/** The char code of the upper-case hex digit of v's low 4 bits. */
function hex(v: number): number {
  return HEX_CODES[v & 15] ?? 48;
}

/** Builds offset message ids for one store host without per-call allocation of the prefix. */
export class OffsetMessageIdEncoder {
  private readonly prefix: string;

  constructor(storeHost: HostAddress) {
    const head = Buffer.alloc(storeHost.address.length + 4);
    head.set(storeHost.address, 0);
    head.writeInt32BE(storeHost.port, storeHost.address.length);
    this.prefix = head.toString('hex').toUpperCase();
  }

  /** `commitLogOffset` must be a non-negative safe integer. */
  encode(commitLogOffset: number): string {
    // Per stored message: one String.fromCharCode of the 16 hex digits (one
    // flat string) beats toString(16) + toUpperCase + padStart, and chains of
    // concatenated pieces.
    const hi = Math.floor(commitLogOffset / TWO_32);
    const lo = commitLogOffset >>> 0;
    return (
      this.prefix +
      String.fromCharCode(
        hex(hi >>> 28), hex(hi >>> 24), hex(hi >>> 20), hex(hi >>> 16), hex(hi >>> 12), hex(hi >>> 8), hex(hi >>> 4), hex(hi),
        hex(lo >>> 28), hex(lo >>> 24), hex(lo >>> 20), hex(lo >>> 16), hex(lo >>> 12), hex(lo >>> 8), hex(lo >>> 4), hex(lo),
      )
    );
  }
}

export interface DecodedMessageId {
  readonly storeHost: HostAddress;
  readonly commitLogOffset: number;
}

export function decodeOffsetMessageId(msgId: string): DecodedMessageId {
  if ((msgId.length !== 32 && msgId.length !== 56) || !/^[0-9a-fA-F]+$/.test(msgId)) {
    throw new InvalidArgumentError(`not an offset message id: ${msgId}`);
  }
  const buf = Buffer.from(msgId, 'hex');
  const ipLen = msgId.length === 32 ? 4 : 16;
  const offset = buf.readBigInt64BE(ipLen + 4);
  if (offset < 0n || offset > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new InvalidArgumentError(`message id offset out of range: ${msgId}`);
  }
  return {
    storeHost: { address: Uint8Array.prototype.slice.call(buf, 0, ipLen), port: buf.readInt32BE(ipLen) },
    commitLogOffset: Number(offset),
  };
}
