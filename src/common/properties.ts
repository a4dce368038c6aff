import { NAME_VALUE_SEPARATOR, PROPERTY_SEPARATOR } from './message-const.js';

/**
 * The message property string (MessageDecoder.messageProperties2String /
 * string2messageProperties): `name 0x01 value` pairs joined by 0x02. Writers
 * omit the trailing 0x02 and skip null values; the parser ignores segments
 * that lack a name or a value, as the Java parser does.
 */
export function encodeProperties(props: ReadonlyMap<string, string> | Readonly<Record<string, string>>): string {
  const entries = props instanceof Map ? [...props.entries()] : Object.entries(props);
  let out = '';
  for (const [name, value] of entries) {
    if (out.length > 0) out += PROPERTY_SEPARATOR;
    out += name + NAME_VALUE_SEPARATOR + value;
  }
  return out;
}

export function decodeProperties(s: string): Map<string, string> {
  const map = new Map<string, string>();
  if (s.length === 0) return map;
  for (const item of s.split(PROPERTY_SEPARATOR)) {
    const idx = item.indexOf(NAME_VALUE_SEPARATOR);
    // Java: length >= 3, separator neither first nor last.
    if (item.length < 3 || idx <= 0 || idx === item.length - 1) continue;
    map.set(item.slice(0, idx), item.slice(idx + 1));
  }
  return map;
}

/**
 * Property names seen so far, each as one string instance: keys V8 has
 * already internalised store into an object faster than fresh slices.
 * Bounded, so arbitrary user names cannot grow it without limit.
 */
const NAMES = new Map<string, string>();
const MAX_NAMES = 1024;

function canonicalName(name: string): string {
  const known = NAMES.get(name);
  if (known !== undefined) return known;
  if (NAMES.size < MAX_NAMES) NAMES.set(name, name);
  return name;
}

/**
 * `decodeProperties` as a plain object (own data properties, later
 * duplicates win), without the intermediate Map: the received-message path.
 */
export function decodePropertyRecord(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  const n = s.length;
  let start = 0;
  while (start < n) {
    let end = s.indexOf(PROPERTY_SEPARATOR, start);
    if (end < 0) end = n;
    const idx = s.indexOf(NAME_VALUE_SEPARATOR, start);
    // Java: length >= 3, separator neither first nor last.
    if (end - start >= 3 && idx > start && idx < end - 1) {
      const name = canonicalName(s.slice(start, idx));
      const value = s.slice(idx + 1, end);
      if (name === '__proto__') Object.defineProperty(out, name, { value, writable: true, enumerable: true, configurable: true });
      else out[name] = value;
    }
    start = end + 1;
  }
  return out;
}

/** The value of one property without building the whole map. */
export function findProperty(s: string, name: string): string | undefined {
  const needle = name + NAME_VALUE_SEPARATOR;
  let from = 0;
  while (from <= s.length) {
    const at = s.indexOf(needle, from);
    if (at < 0) return undefined;
    if (at === 0 || s.charCodeAt(at - 1) === 2) {
      const start = at + needle.length;
      let end = s.indexOf(PROPERTY_SEPARATOR, start);
      if (end < 0) end = s.length;
      return end > start ? s.slice(start, end) : undefined;
    }
    from = at + 1;
  }
  return undefined;
}
