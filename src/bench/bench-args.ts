/** Flag parsing helpers shared by the benchmarks (node:util parseArgs underneath). */
import { InvalidArgumentError } from '../common/index.js';

export function parseNumber(name: string, raw: string, opts: { min?: number; integer?: boolean } = {}): number {
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v) || (opts.integer === true && !Number.isSafeInteger(v))) {
    throw new InvalidArgumentError(`--${name} must be a${opts.integer === true ? 'n integer' : ' number'}, got "${raw}"`);
  }
  if (opts.min !== undefined && v < opts.min) throw new InvalidArgumentError(`--${name} must be >= ${opts.min}, got ${v}`);
  return v;
}

/** "128,1024,16384" → [128, 1024, 16384] (integers >= min, duplicates dropped, order kept). */
export function parseIntList(name: string, raw: string, min: number): number[] {
  const out: number[] = [];
  for (const part of raw.split(',')) {
    const v = parseNumber(name, part, { min, integer: true });
    if (!out.includes(v)) out.push(v);
  }
  if (out.length === 0) throw new InvalidArgumentError(`--${name} needs at least one value`);
  return out;
}

/** "async,sync" → values from `allowed` (case-insensitive). */
export function parseChoiceList<T extends string>(name: string, raw: string, allowed: readonly T[]): T[] {
  const out: T[] = [];
  for (const part of raw.split(',')) {
    const v = allowed.find((a) => a.toLowerCase() === part.trim().toLowerCase());
    if (v === undefined) throw new InvalidArgumentError(`--${name}: "${part}" is not one of ${allowed.join(', ')}`);
    if (!out.includes(v)) out.push(v);
  }
  return out;
}
