import { ProtocolError } from '../common/index.js';

/**
 * JSON as Java RocketMQ (fastjson) writes bodies, remoting.md §8:
 * - numeric map keys unquoted: `{"brokerAddrs":{0:"10.0.0.1:10911"}}`
 * - object map keys for Map<MessageQueue,…>: `{{"brokerName":"b","queueId":0,"topic":"T"}:42}`
 * - otherwise standard JSON.
 *
 * `parseRocketMQJson` accepts both forms. An unquoted numeric key becomes its
 * decimal string; an object/array key becomes its canonical `JSON.stringify`
 * text (so `JSON.parse(key)` recovers the MessageQueue). Numbers are JS
 * numbers (exact up to 2^53). Nesting is limited to 256 levels.
 * `stringifyRocketMQJson` writes a `Map` with fastjson keys (numbers unquoted,
 * objects inline) and everything else as JSON.stringify does.
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

const MAX_DEPTH = 256;

export function parseRocketMQJson(text: string): JsonValue {
  const p = new Parser(text);
  const v = p.value(0);
  p.ws();
  if (p.i !== text.length) p.fail('trailing characters');
  return v;
}

class Parser {
  i = 0;
  constructor(private readonly s: string) {}

  fail(what: string): never {
    throw new ProtocolError(`malformed JSON at ${this.i}: ${what}`);
  }

  ws(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.i++;
      else break;
    }
  }

  value(depth: number): JsonValue {
    if (depth > MAX_DEPTH) this.fail('nesting too deep');
    this.ws();
    const c = this.s[this.i];
    switch (c) {
      case '{': return this.object(depth);
      case '[': return this.array(depth);
      case '"': return this.string();
      case 't': return this.word('true', true);
      case 'f': return this.word('false', false);
      case 'n': return this.word('null', null);
      default:
        if (c !== undefined && (c === '-' || (c >= '0' && c <= '9'))) return this.number();
        return this.fail(c === undefined ? 'unexpected end' : `unexpected ${JSON.stringify(c)}`);
    }
  }

  private word<T extends JsonValue>(w: string, v: T): T {
    if (!this.s.startsWith(w, this.i)) this.fail(`expected ${w}`);
    this.i += w.length;
    return v;
  }

  private number(): number {
    const start = this.i;
    const s = this.s;
    if (s[this.i] === '-') this.i++;
    while (this.i < s.length && '0123456789.eE+-'.includes(s[this.i] ?? ' ')) this.i++;
    const text = s.slice(start, this.i);
    const n = Number(text);
    if (text.length === 0 || !Number.isFinite(n)) this.fail(`bad number ${text}`);
    return n;
  }

  private string(): string {
    const s = this.s;
    const start = this.i;
    this.i++;
    for (;;) {
      const c = s.charCodeAt(this.i);
      if (Number.isNaN(c)) this.fail('unterminated string');
      if (c === 34) break;
      if (c === 92) this.i++;
      this.i++;
    }
    this.i++;
    try {
      const v: unknown = JSON.parse(s.slice(start, this.i));
      if (typeof v === 'string') return v;
    } catch {
      // reported below
    }
    return this.fail('bad string');
  }

  private array(depth: number): JsonValue[] {
    this.i++;
    const out: JsonValue[] = [];
    this.ws();
    if (this.s[this.i] === ']') {
      this.i++;
      return out;
    }
    for (;;) {
      out.push(this.value(depth + 1));
      this.ws();
      const c = this.s[this.i++];
      if (c === ']') return out;
      if (c !== ',') this.fail('expected , or ]');
    }
  }

  private key(depth: number): string {
    this.ws();
    const c = this.s[this.i];
    if (c === '"') return this.string();
    if (c === '{' || c === '[') return JSON.stringify(this.value(depth + 1));
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return String(this.number());
    // fastjson also accepts bare identifiers as keys.
    const start = this.i;
    while (this.i < this.s.length && /[A-Za-z0-9_$]/.test(this.s[this.i] ?? '')) this.i++;
    if (this.i === start) this.fail('expected key');
    return this.s.slice(start, this.i);
  }

  private object(depth: number): { [key: string]: JsonValue } {
    this.i++;
    const out: { [key: string]: JsonValue } = {};
    this.ws();
    if (this.s[this.i] === '}') {
      this.i++;
      return out;
    }
    for (;;) {
      const key = this.key(depth);
      this.ws();
      if (this.s[this.i++] !== ':') this.fail('expected :');
      const v = this.value(depth + 1);
      if (key === '__proto__') Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
      else out[key] = v;
      this.ws();
      const c = this.s[this.i++];
      if (c === '}') return out;
      if (c !== ',') this.fail('expected , or }');
    }
  }
}

/** JSON.stringify, except that a Map is written with fastjson keys. */
export function stringifyRocketMQJson(value: unknown): string {
  return write(value) ?? 'null';
}

function write(v: unknown): string | undefined {
  if (v instanceof Map) {
    const parts: string[] = [];
    for (const [k, val] of v as Map<unknown, unknown>) {
      const text = write(val);
      if (text === undefined) continue;
      const key = typeof k === 'number' ? String(k) : typeof k === 'string' ? JSON.stringify(k) : write(k);
      if (key === undefined) continue;
      parts.push(`${key}:${text}`);
    }
    return `{${parts.join(',')}}`;
  }
  if (Array.isArray(v)) return `[${v.map((x) => write(x) ?? 'null').join(',')}]`;
  if (typeof v === 'object' && v !== null && !(v instanceof Date) && !Buffer.isBuffer(v)) {
    const parts: string[] = [];
    for (const [k, val] of Object.entries(v)) {
      const text = write(val);
      if (text !== undefined) parts.push(`${JSON.stringify(k)}:${text}`);
    }
    return `{${parts.join(',')}}`;
  }
  const text: unknown = JSON.stringify(v);
  return typeof text === 'string' ? text : undefined;
}
