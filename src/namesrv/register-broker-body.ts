import { deflateSync, inflateSync } from 'node:zlib';
import { InvalidArgumentError, getErrorMessage } from '../common/index.js';
import { parseRocketMQJson, stringifyRocketMQJson, type JsonValue } from '../protocol/index.js';
import { dict, type DataVersion, type RegisterBrokerBody, type TopicConfig } from './route-data.js';

/**
 * Codec of the REGISTER_BROKER (103) body, protocol/body/RegisterBrokerBody.java
 * (4.9.8). Plain form: fastjson of
 * `{"filterServerList":[..],"topicConfigSerializeWrapper":{"dataVersion":{"counter":n,"timestamp":ms},"topicConfigTable":{name:TopicConfig}}}`.
 * Compressed form (header `compressed=true`): a zlib stream
 * (`DeflaterOutputStream`) of int32 len + DataVersion JSON; int32 topic count;
 * per topic int32 len + `TopicConfig.encode()` text
 * (`name read write perm filterType`); int32 len + filterServerList JSON.
 * All ints big-endian. Missing fields take the Java defaults.
 */

/** Largest inflated body accepted (a bound against zip bombs). */
export const MAX_INFLATED_BODY_BYTES = 64 * 1024 * 1024;

type JsonObject = { [key: string]: JsonValue };

function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fail(what: string): never {
  throw new InvalidArgumentError(`RegisterBrokerBody: ${what}`);
}

function intOf(o: JsonObject, key: string, dflt: number, where: string): number {
  const v = o[key];
  if (v === undefined || v === null) return dflt;
  const n = typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) fail(`${where}.${key} is not an integer`);
  return n;
}

function stringOf(o: JsonObject, key: string, dflt: string, where: string): string {
  const v = o[key];
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'string') fail(`${where}.${key} is not a string`);
  return v;
}

function boolOf(o: JsonObject, key: string, dflt: boolean, where: string): boolean {
  const v = o[key];
  if (v === undefined || v === null) return dflt;
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'false') return v === 'true';
  return fail(`${where}.${key} is not a boolean`);
}

/** DataVersion from parsed JSON; absent → {0, 0} (5.x `stateVersion` ignored). */
export function dataVersionFromJson(v: JsonValue | undefined): DataVersion {
  if (v === undefined || v === null) return { timestamp: 0, counter: 0 };
  if (!isObject(v)) fail('dataVersion is not an object');
  return { timestamp: intOf(v, 'timestamp', 0, 'dataVersion'), counter: intOf(v, 'counter', 0, 'dataVersion') };
}

/** DataVersion body (QUERY_DATA_VERSION request). */
export function decodeDataVersion(body: Buffer | undefined): DataVersion {
  if (body === undefined || body.length === 0) return { timestamp: 0, counter: 0 };
  return dataVersionFromJson(parseBody(body));
}

export function encodeDataVersion(dv: DataVersion): Buffer {
  return Buffer.from(JSON.stringify({ counter: dv.counter, timestamp: dv.timestamp }));
}

/** TopicConfig from parsed JSON; defaults as TopicConfig.java (16, 16, perm 6, SINGLE_TAG). */
export function topicConfigFromJson(name: string, v: JsonValue | undefined): TopicConfig {
  if (!isObject(v)) fail(`topicConfigTable.${name} is not an object`);
  const where = `topicConfigTable.${name}`;
  return {
    topicName: stringOf(v, 'topicName', name, where),
    readQueueNums: intOf(v, 'readQueueNums', 16, where),
    writeQueueNums: intOf(v, 'writeQueueNums', 16, where),
    perm: intOf(v, 'perm', 6, where),
    topicFilterType: stringOf(v, 'topicFilterType', 'SINGLE_TAG', where),
    topicSysFlag: intOf(v, 'topicSysFlag', 0, where),
    order: boolOf(v, 'order', false, where),
  };
}

function stringArrayOf(v: JsonValue | undefined, where: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) fail(`${where} is not an array`);
  return v.map((s) => (typeof s === 'string' ? s : fail(`${where} holds a non-string`)));
}

function parseBody(body: Buffer): JsonValue {
  try {
    return parseRocketMQJson(body.toString('utf8'));
  } catch (err: unknown) {
    throw new InvalidArgumentError(`RegisterBrokerBody: ${getErrorMessage(err)}`, { cause: err });
  }
}

export function decodeRegisterBrokerBody(body: Buffer, compressed: boolean): RegisterBrokerBody {
  if (compressed) return decodeCompressed(body);
  const root = parseBody(body);
  if (!isObject(root)) fail('not a JSON object');
  const wrapper = root.topicConfigSerializeWrapper;
  const table = new Map<string, TopicConfig>();
  let dataVersion: DataVersion = { timestamp: 0, counter: 0 };
  if (wrapper !== undefined && wrapper !== null) {
    if (!isObject(wrapper)) fail('topicConfigSerializeWrapper is not an object');
    dataVersion = dataVersionFromJson(wrapper.dataVersion);
    const tct = wrapper.topicConfigTable;
    if (tct !== undefined && tct !== null) {
      if (!isObject(tct)) fail('topicConfigTable is not an object');
      for (const [name, tc] of Object.entries(tct)) {
        const config = topicConfigFromJson(name, tc);
        table.set(config.topicName, config);
      }
    }
  }
  return {
    topicConfigSerializeWrapper: { topicConfigTable: table, dataVersion },
    filterServerList: stringArrayOf(root.filterServerList, 'filterServerList'),
  };
}

function decodeCompressed(body: Buffer): RegisterBrokerBody {
  let data: Buffer;
  try {
    data = inflateSync(body, { maxOutputLength: MAX_INFLATED_BODY_BYTES });
  } catch (err: unknown) {
    throw new InvalidArgumentError(`RegisterBrokerBody: cannot inflate: ${getErrorMessage(err)}`, { cause: err });
  }
  let pos = 0;
  const readInt = (): number => {
    if (pos + 4 > data.length) fail('compressed body truncated');
    const n = data.readInt32BE(pos);
    pos += 4;
    return n;
  };
  const readText = (): string => {
    const len = readInt();
    if (len < 0 || pos + len > data.length) fail('compressed body truncated');
    const s = data.toString('utf8', pos, pos + len);
    pos += len;
    return s;
  };
  const dataVersion = dataVersionFromJson(parseBody(Buffer.from(readText())));
  const count = readInt();
  if (count < 0) fail('negative topic count');
  const table = new Map<string, TopicConfig>();
  for (let i = 0; i < count; i++) {
    const config = decodeTopicConfigText(readText());
    if (config !== undefined) table.set(config.topicName, config);
  }
  const filterServerList = stringArrayOf(parseBody(Buffer.from(readText())), 'filterServerList');
  return { topicConfigSerializeWrapper: { topicConfigTable: table, dataVersion }, filterServerList };
}

/** TopicConfig.decode: five space-separated fields, else ignored (Java returns false). */
function decodeTopicConfigText(text: string): TopicConfig | undefined {
  const parts = text.split(' ');
  if (parts.length !== 5) return undefined;
  const [topicName = '', r = '', w = '', p = '', filter = ''] = parts;
  const num = (s: string): number => {
    const n = /^-?\d+$/.test(s) ? Number(s) : Number.NaN;
    return Number.isSafeInteger(n) ? n : fail(`bad number in topic config "${text}"`);
  };
  return {
    topicName, readQueueNums: num(r), writeQueueNums: num(w), perm: num(p),
    topicFilterType: filter, topicSysFlag: 0, order: false,
  };
}

/** The JSON object a Java broker writes (fastjson: keys sorted). */
function topicConfigJson(tc: TopicConfig): JsonObject {
  return {
    order: tc.order, perm: tc.perm, readQueueNums: tc.readQueueNums, topicFilterType: tc.topicFilterType,
    topicName: tc.topicName, topicSysFlag: tc.topicSysFlag, writeQueueNums: tc.writeQueueNums,
  };
}

/** Encodes a body as a Java broker does (BrokerOuterAPI.registerBrokerAll). */
export function encodeRegisterBrokerBody(body: RegisterBrokerBody, compressed = false): Buffer {
  const w = body.topicConfigSerializeWrapper;
  if (!compressed) {
    const table = dict<JsonValue>();
    for (const [name, tc] of w.topicConfigTable) table[name] = topicConfigJson(tc);
    return Buffer.from(stringifyRocketMQJson({
      filterServerList: [...body.filterServerList],
      topicConfigSerializeWrapper: { dataVersion: { counter: w.dataVersion.counter, timestamp: w.dataVersion.timestamp }, topicConfigTable: table },
    }));
  }
  const chunks: Buffer[] = [];
  const text = (s: string): void => {
    const b = Buffer.from(s);
    const len = Buffer.alloc(4);
    len.writeInt32BE(b.length);
    chunks.push(len, b);
  };
  text(encodeDataVersion(w.dataVersion).toString());
  const count = Buffer.alloc(4);
  count.writeInt32BE(w.topicConfigTable.size);
  chunks.push(count);
  for (const tc of w.topicConfigTable.values()) {
    text(`${tc.topicName} ${tc.readQueueNums} ${tc.writeQueueNums} ${tc.perm} ${tc.topicFilterType}`);
  }
  text(JSON.stringify(body.filterServerList));
  return deflateSync(Buffer.concat(chunks), { level: 9 });
}
