import { InvalidArgumentError, ProtocolError } from '../common/index.js';
import { SerializeType, type RemotingCommand } from './remoting-command.js';
import { decodeJsonHeader, encodeJsonHeader } from './json-header.js';
import { decodeRocketMQHeader, rocketMQHeaderSize, writeRocketMQHeader } from './rocketmq-header.js';

/**
 * Frame layout (RemotingCommand.encode / decode, NettyDecoder), big-endian:
 *
 *   0  int32  length = 4 + H + B (does not count itself)
 *   4  int8   serialize type (0 JSON, 1 ROCKETMQ)
 *   5  uint24 H = header length
 *   8  H      header
 *   8+H B     body
 */
export const FRAME_PREFIX_BYTES = 8;
const MAX_HEADER_BYTES = 0xffffff;

/**
 * Encodes everything except the body: `[prefix+header]`,
 * `[prefix+header, body]` or `[prefix+header, ...bodyParts]` (empty parts
 * left out). The body is never copied; the parts written back to back are
 * the single-buffer frame byte for byte.
 */
export function encodeFrameParts(cmd: RemotingCommand, serializeType: SerializeType): Buffer[] {
  const parts = cmd.bodyParts;
  if (parts !== undefined && cmd.body !== undefined && cmd.body.length > 0) {
    throw new InvalidArgumentError('a command carries either body or bodyParts, not both');
  }
  let bodyLen = 0;
  if (parts === undefined) bodyLen = cmd.body?.length ?? 0;
  else for (const p of parts) bodyLen += p.length;
  let head: Buffer;
  if (serializeType === SerializeType.ROCKETMQ) {
    const size = rocketMQHeaderSize(cmd);
    head = Buffer.allocUnsafe(FRAME_PREFIX_BYTES + size);
    writeRocketMQHeader(cmd, head, FRAME_PREFIX_BYTES);
    writePrefix(head, size, bodyLen, serializeType);
  } else if (serializeType === SerializeType.JSON) {
    const text = encodeJsonHeader(cmd);
    const size = Buffer.byteLength(text, 'utf8');
    head = Buffer.allocUnsafe(FRAME_PREFIX_BYTES + size);
    head.write(text, FRAME_PREFIX_BYTES, 'utf8');
    writePrefix(head, size, bodyLen, serializeType);
  } else {
    throw new InvalidArgumentError(`unknown serialize type ${String(serializeType)}`);
  }
  if (bodyLen === 0) return [head];
  if (parts === undefined) return cmd.body === undefined ? [head] : [head, cmd.body];
  const out = [head];
  for (const p of parts) if (p.length > 0) out.push(p);
  return out;
}

/** One contiguous frame (copies the body; use encodeFrameParts on hot paths). */
export function encodeFrame(cmd: RemotingCommand, serializeType: SerializeType): Buffer {
  const parts = encodeFrameParts(cmd, serializeType);
  return parts.length === 1 && parts[0] !== undefined ? parts[0] : Buffer.concat(parts);
}

function writePrefix(head: Buffer, headerLen: number, bodyLen: number, type: SerializeType): void {
  if (headerLen > MAX_HEADER_BYTES) throw new InvalidArgumentError(`header of ${headerLen} bytes exceeds 24-bit length`);
  const length = 4 + headerLen + bodyLen;
  if (length > 0x7fffffff) throw new InvalidArgumentError(`frame of ${length} bytes exceeds int32 length`);
  head.writeInt32BE(length, 0);
  head.writeUInt32BE(((type << 24) | headerLen) >>> 0, 4);
}

/**
 * Decodes the bytes after the length prefix (`length` bytes: type+H word,
 * header, body). The body is a view into `payload`, not a copy.
 */
export function decodeFramePayload(payload: Buffer): RemotingCommand {
  if (payload.length < 4) throw new ProtocolError(`frame of ${payload.length} bytes has no header length`);
  const word = payload.readUInt32BE(0);
  const type = word >>> 24;
  const headerLen = word & 0xffffff;
  if (headerLen > payload.length - 4) {
    throw new ProtocolError(`bad header length ${headerLen} in frame of ${payload.length} bytes`);
  }
  const header = payload.subarray(4, 4 + headerLen);
  let cmd: RemotingCommand;
  if (type === SerializeType.JSON) cmd = decodeJsonHeader(header);
  else if (type === SerializeType.ROCKETMQ) cmd = decodeRocketMQHeader(header);
  else throw new ProtocolError(`unknown serialize type ${type}`);
  if (payload.length > 4 + headerLen) cmd.body = payload.subarray(4 + headerLen);
  return cmd;
}
