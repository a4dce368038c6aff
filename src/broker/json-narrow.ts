/** Small helpers to narrow JSON from disk or the wire without unchecked casts. */
import { InvalidArgumentError } from '../common/index.js';

export function isRecord(u: unknown): u is Record<string, unknown> {
  return typeof u === 'object' && u !== null && !Array.isArray(u);
}

export function asRecord(u: unknown, what: string): Record<string, unknown> {
  if (!isRecord(u)) throw new InvalidArgumentError(`${what} must be a JSON object`);
  return u;
}

export function str(o: Record<string, unknown>, key: string, fallback?: string): string {
  const v = o[key];
  if (typeof v === 'string') return v;
  if (v === undefined && fallback !== undefined) return fallback;
  throw new InvalidArgumentError(`field ${key} must be a string`);
}

export function num(o: Record<string, unknown>, key: string, fallback?: number): number {
  const v = o[key];
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return Number(v);
  if (v === undefined && fallback !== undefined) return fallback;
  throw new InvalidArgumentError(`field ${key} must be a number`);
}

export function bool(o: Record<string, unknown>, key: string, fallback?: boolean): boolean {
  const v = o[key];
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'false') return v === 'true';
  if (v === undefined && fallback !== undefined) return fallback;
  throw new InvalidArgumentError(`field ${key} must be a boolean`);
}

export function arr(o: Record<string, unknown>, key: string): unknown[] {
  const v = o[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new InvalidArgumentError(`field ${key} must be an array`);
  return v;
}
