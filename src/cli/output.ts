/**
 * What every admin command gets and gives back. A command receives a
 * CliContext (admin client, name servers, colour and progress sinks) and
 * returns a CommandResult: an exit code, one JSON document for `--json` and
 * the text for people. The bin layer decides which to print and exits.
 */
import { ConnectionError, InvalidArgumentError, NotFoundError, OrbitError, TimeoutError, getErrorMessage } from '../common/index.js';
import type { AdminClient } from '../client/admin/index.js';

/** sysexits-style exit codes. */
export const ExitCode = {
  OK: 0,
  /** The operation failed, or `cluster health` found a problem. */
  FAILURE: 1,
  /** The topic, group or message does not exist. */
  NOT_FOUND: 2,
  /** Bad flags or arguments (EX_USAGE). */
  USAGE: 64,
  /** A name server or broker could not be reached (EX_UNAVAILABLE). */
  UNAVAILABLE: 69,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Bad flags or arguments found by a command (exit 64). */
export class UsageError extends InvalidArgumentError {}

export interface CommandResult {
  readonly code: ExitCode;
  /** The `--json` document. */
  readonly json: unknown;
  /** Text for people (a trailing newline is added when missing). */
  readonly human: string;
}

export interface Progress {
  tick(n?: number): void;
  done(): void;
}

export interface CliContext {
  readonly namesrvAddr: string;
  readonly timeoutMs: number;
  readonly admin: AdminClient;
  readonly style: Style;
  /** A progress bar (drawn only on a TTY and without --json). */
  progress(label: string, total: number): Progress;
  /** Messages for people while a command runs (stderr); silent with --json. */
  note(text: string): void;
  /** Fires on SIGINT, for long commands (tail, send --count). */
  readonly signal: AbortSignal;
}

export const noProgress: Progress = { tick: () => undefined, done: () => undefined };

export function ok(json: unknown, human: string): CommandResult {
  return { code: ExitCode.OK, json, human };
}

export function exitCodeFor(err: unknown): ExitCode {
  if (err instanceof InvalidArgumentError) return ExitCode.USAGE;
  if (err instanceof NotFoundError) return ExitCode.NOT_FOUND;
  if (err instanceof ConnectionError || err instanceof TimeoutError) return ExitCode.UNAVAILABLE;
  if (err instanceof OrbitError && (err.code === 'TOPIC_NOT_EXIST' || err.code === 'NO_ROUTE')) return ExitCode.NOT_FOUND;
  return ExitCode.FAILURE;
}

/** One line for stderr; the stack only when verbose. */
export function describeError(err: unknown, verbose: boolean): string {
  const line = getErrorMessage(err).split('\n')[0] ?? 'unknown error';
  if (!verbose || !(err instanceof Error) || err.stack === undefined) return line;
  let text = err.stack;
  let cause: unknown = err.cause;
  while (cause instanceof Error) {
    text += `\ncaused by: ${cause.stack ?? cause.message}`;
    cause = cause.cause;
  }
  return text;
}

export interface Style {
  readonly enabled: boolean;
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
}

export function makeStyle(enabled: boolean): Style {
  const wrap = (open: number, close: number) => (s: string): string => (enabled ? `\x1b[${open}m${s}\x1b[${close}m` : s);
  return { enabled, bold: wrap(1, 22), dim: wrap(2, 22), red: wrap(31, 39), green: wrap(32, 39), yellow: wrap(33, 39) };
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;
const visibleLength = (s: string): number => s.replace(ANSI, '').length;

export type Cell = string | number | boolean | undefined;

/**
 * Aligned columns separated by two spaces; numbers right-aligned, a bold
 * header row. Undefined cells print as `-`.
 */
export function table(style: Style, headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const text = rows.map((r) => headers.map((_, i) => (r[i] === undefined ? '-' : String(r[i]))));
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number' || r[i] === undefined));
  const width = headers.map((h, i) => Math.max(h.length, ...text.map((r) => visibleLength(r[i] ?? ''))));
  const pad = (s: string, i: number): string => {
    const fill = ' '.repeat(Math.max(0, (width[i] ?? 0) - visibleLength(s)));
    return numeric[i] === true ? fill + s : s + fill;
  };
  const line = (cells: readonly string[]): string => cells.map((c, i) => pad(c, i)).join('  ').trimEnd();
  return [style.bold(line(headers.map((h, i) => pad(h, i)))), ...text.map(line)].join('\n');
}

/** `2024-05-01 12:00:00.123` in local time; `-` for 0 or negative. */
export function formatTime(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return '-';
  const d = new Date(ms);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

/** `key: value` lines with the keys padded. */
export function keyValues(style: Style, pairs: readonly (readonly [string, Cell])[]): string {
  const w = Math.max(0, ...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${style.dim(`${k}:`.padEnd(w + 1))} ${v === undefined ? '-' : String(v)}`).join('\n');
}

/** Runs `fn` over `items` with at most `limit` in flight, results in order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Parses an integer flag value; UsageError naming the flag otherwise. */
export function intFlag(name: string, v: string | undefined, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (v.trim() === '' || !Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`${name} must be an integer in [${min}, ${max}], got "${v}"`);
  return n;
}
