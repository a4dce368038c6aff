import { InvalidArgumentError, ProtocolError, getErrorMessage } from '../common/index.js';
import { DEFAULT_LANGUAGE, SerializeType, type RemotingCommand } from './remoting-command.js';
import { languageFromCode } from './language-code.js';

/**
 * JSON header codec (RemotingSerializable / fastjson in RemotingCommand.java).
 *
 * Encoding writes the keys in fastjson's alphabetical order, omits a null
 * remark and an empty extFields, and adds `"serializeTypeCurrentRPC":"JSON"`:
 * `{"code":0,"flag":1,"language":"JAVA","opaque":7,"serializeTypeCurrentRPC":"JSON","version":409}`.
 *
 * Decoding accepts what peers actually send (remoting.md §3, §8): unknown
 * keys are ignored, missing fields take RemotingCommand's defaults, int fields
 * may be JSON numbers or decimal strings, `language` a name or a number, and
 * extFields values may be raw numbers/booleans (ali-ons), coerced to strings.
 */
export function encodeJsonHeader(cmd: RemotingCommand): string {
  const hasExt = hasOwnKeys(cmd.extFields);
  // Object literal in fastjson key order; JSON.stringify drops undefined members.
  return JSON.stringify({
    code: cmd.code,
    extFields: hasExt ? cmd.extFields : undefined,
    flag: cmd.flag,
    language: cmd.language,
    opaque: cmd.opaque,
    remark: cmd.remark,
    serializeTypeCurrentRPC: 'JSON',
    version: cmd.version,
  });
}

export function decodeJsonHeader(header: Buffer): RemotingCommand {
  let parsed: unknown;
  try {
    parsed = JSON.parse(header.toString('utf8'));
  } catch (err: unknown) {
    throw new ProtocolError(`malformed JSON header: ${getErrorMessage(err)}`, { cause: err });
  }
  if (!isRecord(parsed)) throw new ProtocolError('JSON header is not an object');
  const cmd: RemotingCommand = {
    code: intField(parsed, 'code'),
    language: languageField(parsed.language),
    version: intField(parsed, 'version'),
    opaque: intField(parsed, 'opaque'),
    flag: intField(parsed, 'flag'),
    extFields: extFieldsField(parsed.extFields),
    serializeType: SerializeType.JSON,
  };
  const remark = parsed.remark;
  if (typeof remark === 'string') cmd.remark = remark;
  else if (remark !== undefined && remark !== null) throw new ProtocolError('JSON header: remark is not a string');
  return cmd;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function hasOwnKeys(obj: Record<string, string>): boolean {
  for (const key in obj) if (Object.hasOwn(obj, key)) return true;
  return false;
}

const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;

function intField(obj: Record<string, unknown>, name: string): number {
  const v = obj[name];
  if (v === undefined || v === null) return 0;
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string' && isDecimal(v)) n = Number(v);
  else throw new ProtocolError(`JSON header: ${name} is not an integer`);
  if (!Number.isInteger(n) || n < INT32_MIN || n > INT32_MAX) {
    throw new ProtocolError(`JSON header: ${name} out of int32 range`);
  }
  return n;
}

function languageField(v: unknown): string {
  if (v === undefined || v === null) return DEFAULT_LANGUAGE;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return languageFromCode(v);
  throw new ProtocolError('JSON header: language is not a string');
}

function extFieldsField(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (v === undefined || v === null) return out;
  if (!isRecord(v)) throw new ProtocolError('JSON header: extFields is not an object');
  for (const key of Object.keys(v)) {
    if (key === '__proto__') continue;
    const value = v[key];
    if (typeof value === 'string') out[key] = value;
    else if (typeof value === 'number' || typeof value === 'boolean') out[key] = String(value);
    else if (value === null || value === undefined) continue;
    else out[key] = JSON.stringify(value);
  }
  return out;
}

/** Optional sign then 1–19 ASCII digits (no regex: hot path). */
export function isDecimal(s: string): boolean {
  const len = s.length;
  let i = 0;
  if (len > 0 && (s.charCodeAt(0) === 45 || s.charCodeAt(0) === 43)) i = 1;
  if (i === len || len - i > 19) return false;
  for (; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Throws InvalidArgumentError unless `n` fits a signed integer of `bits` bits. */
export function checkIntRange(name: string, n: number, bits: 16 | 32): void {
  const max = bits === 16 ? 0x7fff : INT32_MAX;
  if (!Number.isInteger(n) || n < -max - 1 || n > max) {
    throw new InvalidArgumentError(`${name} ${n} does not fit int${bits}`);
  }
}
