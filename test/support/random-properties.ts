/**
 * Random RocketMQ property strings (name \u0001 value pairs joined by
 * \u0002), malformed ones included, for the tests that prove a byte-level
 * fast path agrees with the string path. The mix says how often a part is
 * empty, a bare name or a bare value, and how often a stray separator ends
 * the string.
 */
export interface PropertyMix {
  readonly names: readonly string[];
  readonly values: readonly string[];
  readonly empty: number;
  readonly nameOnly: number;
  readonly valueOnly: number;
  readonly trailingSeparator: number;
}

export function randomProperties(rnd: () => number, mix: PropertyMix): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const parts: string[] = [];
  const n = Math.floor(rnd() * 6);
  for (let i = 0; i < n; i++) {
    const r = rnd();
    if (r < mix.empty) parts.push('');
    else if (r < mix.empty + mix.nameOnly) parts.push(pick(mix.names));
    else if (r < mix.empty + mix.nameOnly + mix.valueOnly) parts.push(`\u0001${pick(mix.values)}`);
    else parts.push(`${pick(mix.names)}\u0001${pick(mix.values)}`);
  }
  let s = parts.join('\u0002');
  if (rnd() < mix.trailingSeparator) s += '\u0002';
  return s;
}
