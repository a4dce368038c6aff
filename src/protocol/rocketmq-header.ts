import { ProtocolError } from '../common/index.js';
import { SerializeType, type RemotingCommand } from './remoting-command.js';
import { languageFromCode, languageToCode } from './language-code.js';
import { checkIntRange } from './json-header.js';

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

/** Precomputed sizes so encoding allocates once. */
export interface RocketMQHeaderPlan {
  readonly size: number;
  readonly remarkBytes: number;
  readonly extBytes: number;
  readonly keys: readonly string[];
  readonly keyLens: readonly number[];
  readonly valueLens: readonly number[];
}

export function planRocketMQHeader(cmd: RemotingCommand): RocketMQHeaderPlan {
  checkIntRange('code', cmd.code, 16);
  checkIntRange('version', cmd.version, 16);
  checkIntRange('opaque', cmd.opaque, 32);
  checkIntRange('flag', cmd.flag, 32);
  const remarkBytes = cmd.remark === undefined ? 0 : Buffer.byteLength(cmd.remark, 'utf8');
  const keys: string[] = [];
  const keyLens: number[] = [];
  const valueLens: number[] = [];
  let extBytes = 0;
  const ext = cmd.extFields;
  for (const key in ext) {
    if (!Object.hasOwn(ext, key)) continue;
    const value = ext[key];
    if (value === undefined) continue;
    const kl = Buffer.byteLength(key, 'utf8');
    if (kl > 0x7fff) throw new ProtocolError(`extFields key longer than 32767 bytes`);
    const vl = Buffer.byteLength(value, 'utf8');
    keys.push(key);
    keyLens.push(kl);
    valueLens.push(vl);
    extBytes += 2 + kl + 4 + vl;
  }
  return { size: FIXED_BYTES + remarkBytes + extBytes, remarkBytes, extBytes, keys, keyLens, valueLens };
}

/** Writes the header planned by `planRocketMQHeader` at `offset`; returns the end offset. */
export function writeRocketMQHeader(cmd: RemotingCommand, plan: RocketMQHeaderPlan, buf: Buffer, offset: number): number {
  let p = offset;
  p = buf.writeInt16BE(cmd.code, p);
  p = buf.writeUInt8(languageToCode(cmd.language), p);
  p = buf.writeInt16BE(cmd.version, p);
  p = buf.writeInt32BE(cmd.opaque, p);
  p = buf.writeInt32BE(cmd.flag, p);
  p = buf.writeInt32BE(plan.remarkBytes, p);
  if (plan.remarkBytes > 0 && cmd.remark !== undefined) p += buf.write(cmd.remark, p, 'utf8');
  p = buf.writeInt32BE(plan.extBytes, p);
  const ext = cmd.extFields;
  for (let i = 0; i < plan.keys.length; i++) {
    const key = plan.keys[i] ?? '';
    p = buf.writeInt16BE(plan.keyLens[i] ?? 0, p);
    p += buf.write(key, p, 'utf8');
    p = buf.writeInt32BE(plan.valueLens[i] ?? 0, p);
    p += buf.write(ext[key] ?? '', p, 'utf8');
  }
  return p;
}

/** The binary header of `cmd` on its own (tests, tools). */
export function encodeRocketMQHeader(cmd: RemotingCommand): Buffer {
  const plan = planRocketMQHeader(cmd);
  const buf = Buffer.allocUnsafe(plan.size);
  writeRocketMQHeader(cmd, plan, buf, 0);
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
  if (remarkLen > 0) cmd.remark = h.toString('utf8', p, p + remarkLen);
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
    const key = h.toString('utf8', p, p + kl);
    p += kl;
    const vl = h.readInt32BE(p);
    p += 4;
    if (vl < 0 || vl > extEnd - p) throw new ProtocolError(`binary header: bad extFields value length ${vl}`);
    if (kl > 0 && key !== '__proto__') ext[key] = h.toString('utf8', p, p + vl);
    p += vl;
  }
  return cmd;
}
