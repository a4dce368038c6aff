/**
 * Short-string UTF-8 helpers for the binary header hot path: header keys and
 * values are mostly short ASCII, where a JS loop beats a call into C++
 * (Buffer#write / #toString). Anything else falls back to Buffer.
 */
const SHORT = 64;

/** UTF-8 byte length of `s`, identical to Buffer.byteLength(s, 'utf8'). */
export function utf8Length(s: string): number {
  const len = s.length;
  if (len > SHORT) return Buffer.byteLength(s, 'utf8');
  for (let i = 0; i < len; i++) {
    if (s.charCodeAt(i) >= 0x80) return Buffer.byteLength(s, 'utf8');
  }
  return len;
}

/** Writes `s` as UTF-8 at `offset`; returns the number of bytes written. */
export function writeUtf8(buf: Buffer, s: string, offset: number): number {
  const len = s.length;
  if (len > SHORT) return buf.write(s, offset, 'utf8');
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return buf.write(s, offset, 'utf8');
    buf[offset + i] = c;
  }
  return len;
}

/** Decodes UTF-8 bytes [start, end) of `buf`. */
export function readUtf8(buf: Buffer, start: number, end: number): string {
  if (end - start > 12) return buf.toString('utf8', start, end);
  let s = '';
  for (let i = start; i < end; i++) {
    const c = buf[i] ?? 0;
    if (c >= 0x80) return buf.toString('utf8', start, end);
    s += String.fromCharCode(c);
  }
  return s;
}

const CACHE_BITS = 10;
const CACHE_MAX_BYTES = 48;
/** Recently decoded short ASCII strings, by a hash of their bytes. */
const recent: string[] = new Array<string>(1 << CACHE_BITS).fill('');

/**
 * readUtf8 for strings that repeat from request to request (header keys, and
 * values such as topic, group or flags): a short ASCII string decoded before
 * is returned again without allocating, checked byte for byte against the
 * one remembered in its slot. Other strings decode as readUtf8 does.
 */
export function readUtf8Recent(buf: Buffer, start: number, end: number): string {
  const n = end - start;
  if (n > CACHE_MAX_BYTES) return buf.toString('utf8', start, end);
  let h = 0x811c9dc5 ^ n;
  for (let i = start; i < end; i++) {
    const c = buf[i] ?? 0;
    if (c >= 0x80) return buf.toString('utf8', start, end);
    h = Math.imul(h ^ c, 0x01000193);
  }
  const slot = h >>> (32 - CACHE_BITS);
  const known = recent[slot] ?? '';
  if (known.length === n) {
    let i = 0;
    while (i < n && known.charCodeAt(i) === buf[start + i]) i++;
    if (i === n) return known;
  }
  const fresh = readUtf8(buf, start, end);
  recent[slot] = fresh;
  return fresh;
}
