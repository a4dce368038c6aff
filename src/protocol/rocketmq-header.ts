import { ProtocolError } from '../common/index.js';
import { SerializeType, type RemotingCommand } from './remoting-command.js';
import { languageFromCode, languageToCode } from './language-code.js';
import { checkIntRange } from './json-header.js';
import { readUtf8, readUtf8Recent, utf8Length, writeUtf8 } from './utf8.js';

/**
 * ROCKETMQ binary header codec (RocketMQSerializable.java, 4.9.8), big-endian:
 *
 *   code int16 | language int8 | version int16 | opaque int32 | flag int32
 *   | remarkLen int32 | remark UTF-8 | extLen int32 | ext entries
 *   entry = keyLen int16 | key UTF-8 | valueLen int32 | value UTF-8
 *
 * A zero-length remark or extFields decodes as absent / empty. Entries with
 * an empty key are dropped (Java would make them null).
 */
const FIXED_BYTES = 2 + 1 + 2 + 4 + 4 + 4 + 4;

/** Byte size of the binary header of `cmd`; validates what int16/int32 fields can carry. */
export function rocketMQHeaderSize(cmd: RemotingCommand): number {
  checkIntRange('code', cmd.code, 16);
  checkIntRange('version', cmd.version, 16);
  checkIntRange('opaque', cmd.opaque, 32);
  checkIntRange('flag', cmd.flag, 32);
  let size = FIXED_BYTES + (cmd.remark === undefined ? 0 : utf8Length(cmd.remark));
  const ext = cmd.extFields;
  for (const key in ext) {
    const value = ext[key];
    if (value === undefined || !Object.hasOwn(ext, key)) continue;
    const kl = utf8Length(key);
    if (kl > 0x7fff) throw new ProtocolError('extFields key longer than 32767 bytes');
    size += 6 + kl + utf8Length(value);
  }
  return size;
}

/**
 * Writes the header of `cmd` at `offset` (room checked by rocketMQHeaderSize);
 * returns the end offset. Lengths are back-patched after each string.
 */
export function writeRocketMQHeader(cmd: RemotingCommand, buf: Buffer, offset: number): number {
  let p = buf.writeInt16BE(cmd.code, offset);
  p = buf.writeUInt8(languageToCode(cmd.language), p);
  p = buf.writeInt16BE(cmd.version, p);
  p = buf.writeInt32BE(cmd.opaque, p);
  p = buf.writeInt32BE(cmd.flag, p);
  const remarkLen = cmd.remark === undefined ? 0 : writeUtf8(buf, cmd.remark, p + 4);
  buf.writeInt32BE(remarkLen, p);
  p += 4 + remarkLen;
  const extStart = p + 4;
  let q = extStart;
  const ext = cmd.extFields;
  for (const key in ext) {
    const value = ext[key];
    if (value === undefined || !Object.hasOwn(ext, key)) continue;
    const kl = writeUtf8(buf, key, q + 2);
    buf.writeInt16BE(kl, q);
    q += 2 + kl;
    const vl = writeUtf8(buf, value, q + 4);
    buf.writeInt32BE(vl, q);
    q += 4 + vl;
  }
  buf.writeInt32BE(q - extStart, p);
  return q;
}

/** The binary header of `cmd` on its own (tests, tools). */
export function encodeRocketMQHeader(cmd: RemotingCommand): Buffer {
  const buf = Buffer.allocUnsafe(rocketMQHeaderSize(cmd));
  writeRocketMQHeader(cmd, buf, 0);
  return buf;
}

export function decodeRocketMQHeader(h: Buffer): RemotingCommand {
  const end = h.length;
  if (end < FIXED_BYTES) throw new ProtocolError(`binary header too short: ${end} bytes`);
  const cmd: RemotingCommand = {
    code: h.readInt16BE(0),
    language: languageFromCode(h.readUInt8(2)),
    version: h.readInt16BE(3),
    opaque: h.readInt32BE(5),
    flag: h.readInt32BE(9),
    extFields: {},
    serializeType: SerializeType.ROCKETMQ,
  };
  let p = 13;
  const remarkLen = h.readInt32BE(p);
  p += 4;
  if (remarkLen < 0 || remarkLen > end - p - 4) throw new ProtocolError(`binary header: bad remark length ${remarkLen}`);
  if (remarkLen > 0) cmd.remark = readUtf8(h, p, p + remarkLen);
  p += remarkLen;
  const extLen = h.readInt32BE(p);
  p += 4;
  if (extLen < 0 || extLen > end - p) throw new ProtocolError(`binary header: bad extFields length ${extLen}`);
  const extEnd = p + extLen;
  const ext = cmd.extFields;
  while (p < extEnd) {
    if (extEnd - p < 6) throw new ProtocolError('binary header: truncated extFields entry');
    const kl = h.readInt16BE(p);
    p += 2;
    if (kl < 0 || kl > extEnd - p - 4) throw new ProtocolError(`binary header: bad extFields key length ${kl}`);
    const key = readUtf8Recent(h, p, p + kl);
    p += kl;
    const vl = h.readInt32BE(p);
    p += 4;
    if (vl < 0 || vl > extEnd - p) throw new ProtocolError(`binary header: bad extFields value length ${vl}`);
    if (kl > 0 && key !== '__proto__') ext[key] = readUtf8Recent(h, p, p + vl);
    p += vl;
  }
  return cmd;
}
