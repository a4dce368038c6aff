/**
 * JSON as Java RocketMQ (fastjson) writes bodies, remoting.md §8, folded into
 * plain JSON values:
 * - numeric map keys unquoted: `{"brokerAddrs":{0:"10.0.0.1:10911"}}`
 * - object map keys for Map<MessageQueue,…>: `{{"brokerName":"b","queueId":0,"topic":"T"}:42}`
 * - otherwise standard JSON.
 *
 * `parseRocketMQJson` reads plain JSON with JSON.parse and the fastjson forms
 * with the fastjson reader (fastjson.ts), folding every key into a string: an unquoted numeric key
 * becomes its decimal string, an object/array key its canonical
 * `JSON.stringify` text (so `JSON.parse(key)` recovers the MessageQueue).
 * `stringifyRocketMQJson` is `toFastJson`: a `Map` is written with fastjson
 * keys (numbers unquoted, objects inline), everything else as JSON.stringify does.
 */
import { FastJsonMap, parsePlainJson, readFastJson, toFastJson, type FastJsonValue, type JsonValue } from './fastjson.js';

export type { JsonValue } from './fastjson.js';

/** Parses fastjson or JSON text; throws ProtocolError on malformed text. */
export function parseRocketMQJson(text: string): JsonValue {
  return parsePlainJson(text) ?? fold(readFastJson(text));
}

function ownKey(out: { [key: string]: JsonValue }, key: string, v: JsonValue): void {
  // defineProperty keeps "__proto__" an own key.
  Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
}

function fold(v: FastJsonValue): JsonValue {
  if (v instanceof FastJsonMap) {
    const out: { [key: string]: JsonValue } = {};
    for (const [k, val] of v.entries) ownKey(out, typeof k === 'string' ? k : typeof k === 'number' ? String(k) : JSON.stringify(fold(k)), fold(val));
    return out;
  }
  if (Array.isArray(v)) return v.map(fold);
  if (typeof v === 'object' && v !== null) {
    const out: { [key: string]: JsonValue } = {};
    for (const [k, val] of Object.entries(v)) ownKey(out, k, fold(val));
    return out;
  }
  return v;
}

/** JSON.stringify, except that a Map is written with fastjson keys. */
export function stringifyRocketMQJson(value: unknown): string {
  return toFastJson(value);
}
