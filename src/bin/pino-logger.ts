/**
 * Adapts pino to OrbitMQ's Logger interface. Output: JSON lines (the
 * default, for log shippers and scripts) or a compact human format
 * (`12:00:00.123 INFO  broker started brokerAddr=…`), on stderr or in a
 * size-rotated file (`orbit.log`, `orbit.log.1` … `orbit.log.N`). The human
 * formatter and the rotation are written here (no pino-pretty / pino-roll
 * dependency): both are a few lines and synchronous, so nothing is lost on exit.
 */
import { closeSync, existsSync, fstatSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { destination, pino } from 'pino';
import type { Logger as PinoLogger } from 'pino';
import type { LogFields, Logger } from '../common/index.js';

/**
 * Children are made from the root with the merged bindings, so a nested
 * component (`{ component: 'store' }` under `{ component: 'broker' }`)
 * replaces its parent's key instead of writing it twice (pino's own child()
 * appends duplicate keys).
 */
function wrap(root: PinoLogger, bindings: LogFields = {}): Logger {
  const p = Object.keys(bindings).length === 0 ? root : root.child(bindings);
  return {
    debug: (msg: string, fields?: LogFields) => p.debug(fields ?? {}, msg),
    info: (msg: string, fields?: LogFields) => p.info(fields ?? {}, msg),
    warn: (msg: string, fields?: LogFields) => p.warn(fields ?? {}, msg),
    error: (msg: string, fields?: LogFields) => p.error(fields ?? {}, msg),
    child: (more: LogFields) => wrap(root, { ...bindings, ...more }),
  };
}

export type LogFormat = 'json' | 'human';

export interface LogOptions {
  readonly level: string;
  readonly format?: LogFormat;
  /** Write here instead of stderr, rotating by size. */
  readonly file?: string;
  /** Rotate when the file reaches this size. Default 100 MiB. */
  readonly maxBytes?: number;
  /** Rotated files kept besides the live one. Default 5. */
  readonly maxFiles?: number;
  /** Colour the level in human mode. */
  readonly color?: boolean;
}

interface Sink {
  write(line: string): void;
}

/** Appends lines to `path`; when it would exceed maxBytes, shifts path → path.1 → … → path.N (dropping the oldest). */
export class RollingFile implements Sink {
  private fd: number;
  private size: number;

  constructor(private readonly path: string, private readonly maxBytes: number, private readonly maxFiles: number) {
    this.fd = openSync(path, 'a');
    this.size = fstatSync(this.fd).size;
  }

  write(line: string): void {
    const bytes = Buffer.byteLength(line);
    if (this.size > 0 && this.size + bytes > this.maxBytes) this.rotate();
    writeSync(this.fd, line);
    this.size += bytes;
  }

  private rotate(): void {
    closeSync(this.fd);
    if (this.maxFiles <= 0) rmSync(this.path, { force: true });
    for (let i = this.maxFiles; i >= 1; i--) {
      const from = i === 1 ? this.path : `${this.path}.${i - 1}`;
      if (!existsSync(from)) continue;
      if (i === this.maxFiles) rmSync(`${this.path}.${i}`, { force: true });
      renameSync(from, `${this.path}.${i}`);
    }
    this.fd = openSync(this.path, 'a');
    this.size = 0;
  }
}

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const LEVEL_COLOR: Record<number, number> = { 20: 90, 30: 32, 40: 33, 50: 31, 60: 31 };

function fieldText(v: unknown): string {
  if (typeof v === 'string') return /[\s"=]/.test(v) || v === '' ? JSON.stringify(v) : v;
  return JSON.stringify(v) ?? String(v);
}

/** One pino JSON line → `HH:MM:SS.mmm LEVEL msg k=v …`. */
export function humanLine(json: string, color = false): string {
  let o: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(json);
    if (typeof parsed !== 'object' || parsed === null) return json;
    o = parsed as Record<string, unknown>;
  } catch {
    return json;
  }
  const { level, time, msg, pid: _pid, hostname: _host, ...rest } = o;
  const n = typeof level === 'number' ? level : 30;
  const t = typeof time === 'number' ? new Date(time).toISOString().slice(11, 23) : '';
  let name = (LEVELS[n] ?? String(level)).padEnd(5);
  if (color) name = `\x1b[${LEVEL_COLOR[n] ?? 39}m${name}\x1b[39m`;
  const fields = Object.entries(rest).map(([k, v]) => `${k}=${fieldText(v)}`).join(' ');
  return `${t} ${name} ${typeof msg === 'string' ? msg : ''}${fields === '' ? '' : ` ${fields}`}\n`;
}

export function createLogger(opts: LogOptions | string): Logger {
  const o: LogOptions = typeof opts === 'string' ? { level: opts } : opts;
  const base = { level: o.level, base: { pid: process.pid } };
  if (o.file === undefined && (o.format ?? 'json') === 'json') return wrap(pino(base, destination({ fd: 2, sync: true })));
  const out: Sink = o.file !== undefined
    ? new RollingFile(o.file, o.maxBytes ?? 100 * 1024 * 1024, o.maxFiles ?? 5)
    : { write: (line: string) => void process.stderr.write(line) };
  const human = o.format === 'human';
  const color = human && o.file === undefined && o.color === true;
  const stream = { write: (chunk: string) => out.write(human ? humanLine(chunk.trimEnd(), color) : chunk) };
  return wrap(pino(base, stream));
}
