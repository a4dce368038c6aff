import { InvalidArgumentError, ProtocolError } from '../common/index.js';
import type { RemotingCommand } from './remoting-command.js';
import { decodeFramePayload } from './frame-codec.js';

/** NettyDecoder's FRAME_MAX_LENGTH default (`com.rocketmq.remoting.frameMaxLength`). */
export const DEFAULT_MAX_FRAME_BYTES = 16_777_216;

export interface FrameDecoderOptions {
  /** Largest frame accepted, counting the 4-byte length prefix as Netty does. */
  readonly maxFrameBytes?: number;
}

/**
 * Pure push decoder for the remoting frame stream (NettyDecoder =
 * LengthFieldBasedFrameDecoder(maxFrameBytes, 0, 4, 0, 4) + RemotingCommand.decode).
 *
 * The length prefix is validated before anything is buffered: it must be ≥ 4
 * (room for the type/header-length word) and `length + 4 ≤ maxFrameBytes`.
 * Bytes of an incomplete frame are kept as a list of chunk views and joined
 * once, so cost is linear however the stream is split. Frames wholly inside
 * one chunk are decoded in place (body = view into the chunk).
 * After the first ProtocolError the decoder stays failed: never resynchronise.
 * Frames completed before the bad bytes of the same chunk are still returned
 * (as Netty fires them); the error is then exposed by `error` and thrown by
 * the next `push`.
 */
export class FrameDecoder {
  private readonly maxFrameBytes: number;
  private readonly prefix = Buffer.alloc(4);
  private prefixFilled = 0;
  /** Payload length of the frame being collected, or -1 while reading a prefix. */
  private frameLen = -1;
  private parts: Buffer[] = [];
  private partsBytes = 0;
  private failure: ProtocolError | undefined;

  constructor(options: FrameDecoderOptions = {}) {
    const max = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    if (!Number.isSafeInteger(max) || max < 8 || max > 0x7fffffff) {
      throw new InvalidArgumentError(`maxFrameBytes must be an integer in [8, 2^31-1], got ${max}`);
    }
    this.maxFrameBytes = max;
  }

  /** Bytes held for an incomplete frame (prefix included). */
  get bufferedBytes(): number {
    return this.frameLen < 0 ? this.prefixFilled : 4 + this.partsBytes;
  }

  /** The ProtocolError that failed this decoder, if any. */
  get error(): ProtocolError | undefined {
    return this.failure;
  }

  push(chunk: Buffer): RemotingCommand[] {
    if (this.failure !== undefined) throw this.failure;
    const out: RemotingCommand[] = [];
    try {
      this.consume(chunk, out);
    } catch (err: unknown) {
      this.failure = err instanceof ProtocolError ? err : new ProtocolError('frame decode failed', { cause: err });
      this.parts = [];
      this.partsBytes = 0;
      if (out.length === 0) throw this.failure;
    }
    return out;
  }

  private consume(chunk: Buffer, out: RemotingCommand[]): void {
    const end = chunk.length;
    let off = 0;
    while (off < end) {
      if (this.frameLen < 0) {
        if (this.prefixFilled === 0 && end - off >= 4) {
          const len = chunk.readInt32BE(off);
          this.checkLength(len);
          off += 4;
          if (end - off >= len) {
            // Fast path: the whole frame is in this chunk.
            out.push(decodeFramePayload(chunk.subarray(off, off + len)));
            off += len;
            continue;
          }
          this.frameLen = len;
        } else {
          const n = Math.min(4 - this.prefixFilled, end - off);
          chunk.copy(this.prefix, this.prefixFilled, off, off + n);
          this.prefixFilled += n;
          off += n;
          if (this.prefixFilled < 4) break;
          this.prefixFilled = 0;
          const len = this.prefix.readInt32BE(0);
          this.checkLength(len);
          this.frameLen = len;
          continue;
        }
      }
      const need = this.frameLen - this.partsBytes;
      const take = Math.min(need, end - off);
      this.parts.push(chunk.subarray(off, off + take));
      this.partsBytes += take;
      off += take;
      if (this.partsBytes === this.frameLen) {
        const payload = this.parts.length === 1 && this.parts[0] !== undefined
          ? this.parts[0]
          : Buffer.concat(this.parts, this.partsBytes);
        this.parts = [];
        this.partsBytes = 0;
        this.frameLen = -1;
        out.push(decodeFramePayload(payload));
      }
    }
  }

  private checkLength(len: number): void {
    if (len < 4) throw new ProtocolError(`bad frame length ${len}`);
    if (len + 4 > this.maxFrameBytes) {
      throw new ProtocolError(`frame length ${len} exceeds max ${this.maxFrameBytes}`);
    }
  }
}
