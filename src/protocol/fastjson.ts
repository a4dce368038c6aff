import { ProtocolError } from '../common/index.js';

/**
 * JSON as Java RocketMQ writes bodies with fastjson (remoting.md §7, §8), for
 * maps whose keys are not strings:
 *
 * - `Map<Long|Integer, …>` keys are written unquoted: `{0:"10.0.0.1:10911"}`
 *   (BrokerData.brokerAddrs, ConsumerOffsetManager.offsetTable's inner map);
 * - `Map<MessageQueue, …>` keys are JSON objects written inline:
 *   `{{"brokerName":"b","queueId":0,"topic":"T"}:42}` (ConsumeStats,
 *   TopicStatsTable, ResetOffsetBody offsetTable).
 *
 * Such a map is a {@link FastJsonMap} on both sides. `toFastJson` writes
 * everything else as `JSON.stringify` does (including `toJSON`). It writes
 * keys in the order given; fastjson sorts bean fields alphabetically, so
 * callers build bean-like objects with sorted keys.
 *
 * `parseFastJson` is the tolerant reader: an object with at least one
 * unquoted number key or object/array key comes back as a FastJsonMap whose
 * keys keep their kind (number, parsed object, or string for quoted keys);
 * an ordinary object comes back as a plain object. Numbers are JS numbers
 * (exact up to 2^53). Plain JSON goes through JSON.parse (same result,
 * faster), the rest through the reader (`readFastJson`). `parseRocketMQJson`
 * (fast-json.ts) folds its keys into strings for callers that want plain JSON;
 * keeping the key's JSON value lets a client rebuild its MessageQueue without
 * re-parsing key text.
 */
export class FastJsonMap<K = unknown, V = unknown> {
  readonly entries: [K, V][];

  constructor(entries: Iterable<readonly [K, V]> = []) {
    this.entries = [...entries].map(([k, v]): [K, V] => [k, v]);
  }

  get size(): number {
    return this.entries.length;
  }

  /** The value under a key, comparing object keys by their JSON text. */
  get(key: K): V | undefined {
    const want = keyText(key);
    for (const [k, v] of this.entries) if (keyText(k) === want) return v;
    return undefined;
  }
}

/** What parseFastJson returns. */
export type FastJsonValue =
  | null
  | boolean
  | number
  | string
  | FastJsonValue[]
  | { [key: string]: FastJsonValue }
  | FastJsonMap<FastJsonValue, FastJsonValue>;

function keyText(k: unknown): string {
  return typeof k === 'string' ? JSON.stringify(k) : toFastJson(k);
}

/** JSON text of `value`; FastJsonMap and Map are written with fastjson keys. */
export function toFastJson(value: unknown): string {
  return write(value, '') ?? 'null';
}

function writeMap(entries: Iterable<readonly [unknown, unknown]>): string {
  const parts: string[] = [];
  for (const [k, v] of entries) {
    const text = write(v, '');
    if (text === undefined) continue;
    let key: string | undefined;
    if (typeof k === 'number') key = Number.isFinite(k) ? String(k) : undefined;
    else if (typeof k === 'bigint') key = k.toString();
    else if (typeof k === 'string') key = JSON.stringify(k);
    else key = write(k, '');
    if (key === undefined) continue;
    parts.push(`${key}:${text}`);
  }
  return `{${parts.join(',')}}`;
}

function hasToJSON(v: object): v is { toJSON(key: string): unknown } {
  return 'toJSON' in v && typeof v.toJSON === 'function';
}

function write(v: unknown, key: string): string | undefined {
  if (v instanceof FastJsonMap) return writeMap(v.entries);
  if (v instanceof Map) return writeMap(v);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'object' && v !== null && hasToJSON(v)) return write(v.toJSON(key), key);
  if (Array.isArray(v)) return `[${v.map((x, i) => write(x, String(i)) ?? 'null').join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    const parts: string[] = [];
    for (const [k, val] of Object.entries(v)) {
      const text = write(val, k);
      if (text !== undefined) parts.push(`${JSON.stringify(k)}:${text}`);
    }
    return `{${parts.join(',')}}`;
  }
  const text: unknown = JSON.stringify(v);
  return typeof text === 'string' ? text : undefined;
}

const MAX_DEPTH = 256;

/** A plain JSON value (what JSON.parse yields). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * `text` through the engine's JSON.parse when it is plain JSON (every key
 * quoted) no deeper than the reader allows; undefined otherwise (fastjson keys,
 * malformed, too deep). Most bodies are plain JSON (a broker's topic table,
 * heartbeats), and JSON.parse reads them many times faster than the reader
 * below; the result is the same (own "__proto__" keys, last duplicate wins).
 */
export function parsePlainJson(text: string): JsonValue | undefined {
  // The reader allows MAX_DEPTH levels below the outermost value.
  if (!nestedWithin(text, MAX_DEPTH + 1)) return undefined;
  try {
    // JSON.parse yields only JSON values: null, booleans, numbers, strings, arrays and plain objects.
    const v: JsonValue = JSON.parse(text);
    return v;
  } catch {
    return undefined;
  }
}

/** Whether no bracket in `text` (outside strings) opens deeper than `max`. */
function nestedWithin(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) {
      inString = true;
    } else if (c === 123 || c === 91) {
      if (++depth > max) return false;
    } else if (c === 125 || c === 93) {
      depth--;
    }
  }
  return true;
}

/** Parses fastjson output (see the module comment). Throws ProtocolError on malformed text. */
export function parseFastJson(text: string): FastJsonValue {
  return parsePlainJson(text) ?? readFastJson(text);
}

/** The fastjson reader (unquoted number keys, object keys, bare identifiers). */
export function readFastJson(text: string): FastJsonValue {
  const p = new Reader(text);
  const v = p.value(0);
  p.ws();
  if (p.i !== text.length) p.fail('trailing characters');
  return v;
}

/** Entries of a parsed map, whichever form it came in; undefined for non-objects. */
export function fastJsonEntries(v: FastJsonValue | undefined): [FastJsonValue, FastJsonValue][] | undefined {
  if (v instanceof FastJsonMap) return v.entries;
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) return Object.entries(v);
  return undefined;
}

class Reader {
  i = 0;
  constructor(private readonly s: string) {}

  fail(what: string): never {
    throw new ProtocolError(`malformed fastjson at ${this.i}: ${what}`);
  }

  ws(): void {
    const s = this.s;
    for (;;) {
      const c = s.charCodeAt(this.i);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.i++;
      else return;
    }
  }

  value(depth: number): FastJsonValue {
    if (depth > MAX_DEPTH) this.fail('nesting too deep');
    this.ws();
    const c = this.s.charAt(this.i);
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') return this.string();
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    for (const [word, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.s.startsWith(word, this.i)) {
        this.i += word.length;
        return v;
      }
    }
    return this.fail(c === '' ? 'unexpected end' : `unexpected ${JSON.stringify(c)}`);
  }

  private number(): number {
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(this.s.slice(this.i, this.i + 64));
    if (m === null) this.fail('bad number');
    this.i += m[0].length;
    return Number(m[0]);
  }

  private string(): string {
    const s = this.s;
    const start = this.i++;
    for (;;) {
      const c = s.charCodeAt(this.i);
      if (Number.isNaN(c)) this.fail('unterminated string');
      if (c === 34) break;
      this.i += c === 92 ? 2 : 1;
    }
    this.i++;
    try {
      const v: unknown = JSON.parse(this.s.slice(start, this.i));
      if (typeof v === 'string') return v;
    } catch {
      // reported below
    }
    return this.fail('bad string');
  }

  private array(depth: number): FastJsonValue[] {
    this.i++;
    const out: FastJsonValue[] = [];
    this.ws();
    if (this.s.charAt(this.i) === ']') {
      this.i++;
      return out;
    }
    for (;;) {
      out.push(this.value(depth + 1));
      this.ws();
      const c = this.s.charAt(this.i++);
      if (c === ']') return out;
      if (c !== ',') this.fail('expected , or ]');
    }
  }

  /** A key: quoted string, unquoted number, object/array, or a bare identifier (fastjson accepts those). */
  private key(depth: number): { key: FastJsonValue; plain: boolean } {
    this.ws();
    const c = this.s.charAt(this.i);
    if (c === '"') return { key: this.string(), plain: true };
    if (c === '{' || c === '[') return { key: this.value(depth + 1), plain: false };
    if (c === '-' || (c >= '0' && c <= '9')) return { key: this.number(), plain: false };
    const m = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(this.s.slice(this.i, this.i + 256));
    if (m === null) this.fail('expected key');
    this.i += m[0].length;
    return { key: m[0], plain: true };
  }

  private object(depth: number): FastJsonValue {
    this.i++;
    const entries: [FastJsonValue, FastJsonValue][] = [];
    let plain = true;
    this.ws();
    if (this.s.charAt(this.i) === '}') {
      this.i++;
      return {};
    }
    for (;;) {
      const k = this.key(depth);
      plain &&= k.plain;
      this.ws();
      if (this.s.charAt(this.i++) !== ':') this.fail('expected :');
      entries.push([k.key, this.value(depth + 1)]);
      this.ws();
      const c = this.s.charAt(this.i++);
      if (c === '}') break;
      if (c !== ',') this.fail('expected , or }');
    }
    if (!plain) return new FastJsonMap(entries);
    const out: { [key: string]: FastJsonValue } = {};
    for (const [k, v] of entries) {
      // Keys were all strings; defineProperty keeps "__proto__" an own key.
      Object.defineProperty(out, String(k), { value: v, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
}
