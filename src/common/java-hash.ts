/**
 * Java's `String.hashCode()`: h = 31*h + c over UTF-16 code units, wrapping to
 * signed 32 bits. RocketMQ uses it for tag hash codes (consume-queue tagsCode)
 * and index keys. Example: "TagA" -> 2598919.
 */
export function javaHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) {
    h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  }
  return h;
}
