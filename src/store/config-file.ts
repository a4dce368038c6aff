/**
 * Atomic persistence of small files: the broker's topic, subscription-group and
 * consumer-offset tables (JSON), and the store checkpoint (binary).
 *
 * Mirrors RocketMQ's ConfigManager.persist / MixAll.string2File (common/MixAll.java,
 * 4.9.8): write `{path}.tmp`, keep the previous version as `{path}.bak`, move
 * the temp file over `{path}`. We add the fsyncs Java leaves out:
 *
 * 1. write `{path}.tmp`, fdatasync it, close it;
 * 2. `{path}.bak` ← the current `{path}` (a hard link, so `{path}` never goes
 *    missing; a copy where the file system has no hard links);
 * 3. rename `{path}.tmp` over `{path}` (atomic on POSIX);
 * 4. fsync the directory so the renames survive a power cut.
 *
 * A crash at any step leaves `{path}` holding either the old or the new
 * version in full; a stray `{path}.tmp` is ignored and overwritten next time.
 * Readers fall back to `{path}.bak` when `{path}` is missing or unreadable.
 *
 * Two writers of one path must not run at the same time (they share the temp
 * file): serialise them, as {@link ConfigFile} does.
 */
import {
  closeSync,
  copyFileSync,
  fdatasyncSync,
  fsyncSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { copyFile, link, open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { InvalidArgumentError, StoreError, errnoCode, getErrorMessage } from '../common/index.js';

export interface AtomicWriteOptions {
  /** Keep the replaced version as `{path}.bak` (default true). */
  readonly backup?: boolean;
}

/** Where {@link readJson} found a usable value. */
export type ConfigSource = 'main' | 'bak';

export interface ReadJsonResult<T> {
  readonly value: T;
  readonly source: ConfigSource;
  /** Why the main file was not used, when `source` is `'bak'`. */
  readonly mainError?: unknown;
}

export const tmpPathOf = (path: string): string => `${path}.tmp`;
export const bakPathOf = (path: string): string => `${path}.bak`;

// Directory fsync is unsupported on some platforms/file systems; those codes mean "cannot", not "failed".
const DIR_FSYNC_UNSUPPORTED = new Set(['EISDIR', 'EINVAL', 'EPERM', 'EACCES', 'ENOTSUP', 'EBADF']);

function fsyncDirSync(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch (err: unknown) {
    if (!DIR_FSYNC_UNSUPPORTED.has(errnoCode(err) ?? '')) throw err;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

async function fsyncDir(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (err: unknown) {
    if (!DIR_FSYNC_UNSUPPORTED.has(errnoCode(err) ?? '')) throw err;
  } finally {
    await handle?.close();
  }
}

function backupSync(path: string): void {
  const bak = bakPathOf(path);
  try {
    unlinkSync(bak);
  } catch (err: unknown) {
    if (errnoCode(err) !== 'ENOENT') throw err;
  }
  try {
    linkSync(path, bak);
  } catch (err: unknown) {
    const code = errnoCode(err);
    if (code === 'ENOENT') return; // first write: nothing to keep
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EXDEV' || code === 'EMLINK') copyFileSync(path, bak);
    else throw err;
  }
}

async function backup(path: string): Promise<void> {
  const bak = bakPathOf(path);
  try {
    await unlink(bak);
  } catch (err: unknown) {
    if (errnoCode(err) !== 'ENOENT') throw err;
  }
  try {
    await link(path, bak);
  } catch (err: unknown) {
    const code = errnoCode(err);
    if (code === 'ENOENT') return;
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EXDEV' || code === 'EMLINK') await copyFile(path, bak);
    else throw err;
  }
}

/** Atomically replaces `path` with `data` (steps in the module comment), synchronously. */
export function writeFileAtomicSync(path: string, data: Uint8Array | string, options: AtomicWriteOptions = {}): void {
  const tmp = tmpPathOf(path);
  try {
    const fd = openSync(tmp, 'w', 0o644);
    try {
      writeFileSync(fd, data);
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (options.backup ?? true) backupSync(path);
    renameSync(tmp, path);
    fsyncDirSync(dirname(path));
  } catch (err: unknown) {
    throw new StoreError(`cannot write ${path}: ${getErrorMessage(err)}`, { cause: err });
  }
}

/** Atomically replaces `path` with `data` (steps in the module comment). */
export async function writeFileAtomic(path: string, data: Uint8Array | string, options: AtomicWriteOptions = {}): Promise<void> {
  const tmp = tmpPathOf(path);
  try {
    const handle = await open(tmp, 'w', 0o644);
    try {
      await handle.writeFile(data);
      await handle.datasync();
    } finally {
      await handle.close();
    }
    if (options.backup ?? true) await backup(path);
    await rename(tmp, path);
    await fsyncDir(dirname(path));
  } catch (err: unknown) {
    throw new StoreError(`cannot write ${path}: ${getErrorMessage(err)}`, { cause: err });
  }
}

function toJson(path: string, value: unknown): string {
  const text = JSON.stringify(value, null, 2);
  if (typeof text !== 'string') throw new InvalidArgumentError(`value for ${path} is not JSON-serialisable`);
  return `${text}\n`;
}

/** JSON-encodes `value` (2-space indent) and writes it with {@link writeFileAtomic}. */
export async function writeJsonAtomic(path: string, value: unknown, options: AtomicWriteOptions = {}): Promise<void> {
  await writeFileAtomic(path, toJson(path, value), options);
}

/** Synchronous {@link writeJsonAtomic}, for shutdown paths. */
export function writeJsonAtomicSync(path: string, value: unknown, options: AtomicWriteOptions = {}): void {
  writeFileAtomicSync(path, toJson(path, value), options);
}

type Attempt<T> = { ok: true; value: T } | { ok: false; missing: boolean; error: unknown };

function attempt<T>(text: () => string, parse: (u: unknown) => T): Attempt<T> {
  let raw: string;
  try {
    raw = text();
  } catch (err: unknown) {
    return { ok: false, missing: errnoCode(err) === 'ENOENT', error: err };
  }
  try {
    return { ok: true, value: parse(JSON.parse(raw) as unknown) };
  } catch (err: unknown) {
    return { ok: false, missing: false, error: err };
  }
}

function choose<T>(path: string, main: Attempt<T>, bak: () => Attempt<T>): ReadJsonResult<T> | undefined {
  if (main.ok) return { value: main.value, source: 'main' };
  const b = bak();
  if (b.ok) return { value: b.value, source: 'bak', mainError: main.error };
  if (main.missing && b.missing) return undefined;
  // Something was there but nothing is usable: starting empty would silently drop
  // topics or consumer offsets, so the operator must decide.
  const which = main.missing ? bakPathOf(path) : path;
  const cause = main.missing ? b.error : main.error;
  throw new StoreError(`${which} is unreadable and no usable ${main.missing ? path : bakPathOf(path)}: ${getErrorMessage(cause)}`, {
    cause,
  });
}

/**
 * Reads and validates `path` synchronously, falling back to `{path}.bak` when the
 * main file is missing, is not JSON or fails `parse`. Returns `undefined` when
 * neither file exists; throws {@link StoreError} when a file exists but neither
 * is usable.
 */
export function readJsonSync<T>(path: string, parse: (u: unknown) => T): ReadJsonResult<T> | undefined {
  const main = attempt(() => readFileSync(path, 'utf8'), parse);
  return choose(path, main, () => attempt(() => readFileSync(bakPathOf(path), 'utf8'), parse));
}

async function readText(path: string): Promise<Attempt<string>> {
  try {
    return { ok: true, value: await readFile(path, 'utf8') };
  } catch (err: unknown) {
    return { ok: false, missing: errnoCode(err) === 'ENOENT', error: err };
  }
}

function fromText<T>(text: Attempt<string>, parse: (u: unknown) => T): Attempt<T> {
  if (!text.ok) return text;
  return attempt(() => text.value, parse);
}

/** Asynchronous {@link readJsonSync}. */
export async function readJson<T>(path: string, parse: (u: unknown) => T): Promise<ReadJsonResult<T> | undefined> {
  const main = fromText(await readText(path), parse);
  if (main.ok) return { value: main.value, source: 'main' };
  const bak = fromText(await readText(bakPathOf(path)), parse);
  return choose(path, main, () => bak);
}

export interface ConfigFileOptions<T> {
  readonly path: string;
  /** Validates decoded JSON; throws when it is not a valid T. */
  readonly parse: (u: unknown) => T;
  /** The current state to write, taken when a write starts (so the latest state wins). */
  readonly snapshot: () => T;
  /** `persist()` waits this long for more changes before writing (default 0: next tick). */
  readonly debounceMs?: number;
  /** Receives failures of writes started by `persist()` (default: ignored). */
  readonly onError?: (err: unknown) => void;
}

/**
 * One JSON config file (RocketMQ's ConfigManager): `load()` at start,
 * `persist()` after each change (debounced, writes serialised and coalesced),
 * `close()` (or `flushSync()` in an exit path) at shutdown.
 */
export class ConfigFile<T> {
  readonly path: string;
  private readonly options: ConfigFileOptions<T>;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private dirty = false;
  private closed = false;

  constructor(options: ConfigFileOptions<T>) {
    const debounceMs = options.debounceMs ?? 0;
    if (!Number.isSafeInteger(debounceMs) || debounceMs < 0) {
      throw new InvalidArgumentError(`debounceMs must be a non-negative integer, got ${debounceMs}`);
    }
    this.path = options.path;
    this.options = options;
  }

  /** Reads the file (or its `.bak`); `undefined` when neither exists. */
  load(): ReadJsonResult<T> | undefined {
    return readJsonSync(this.path, this.options.parse);
  }

  /** Marks the state changed and schedules a write. Failures go to `onError`. */
  persist(): void {
    if (this.closed) throw new StoreError(`${this.path}: persist() after close()`);
    this.dirty = true;
    if (this.timer !== undefined || this.writing !== undefined) return; // picked up by the pending write
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.startWrite();
    }, this.options.debounceMs ?? 0);
    this.timer.unref();
  }

  /** Writes now if there are unwritten changes, and resolves when the file is durable. */
  async flush(): Promise<void> {
    this.cancelTimer();
    while (this.writing !== undefined) await this.writing.catch(() => undefined);
    if (!this.dirty) return;
    this.dirty = false;
    await writeJsonAtomic(this.path, this.options.snapshot());
  }

  /**
   * Synchronous write of unwritten changes, for exit paths that cannot await.
   * Prefer `close()`: a write `persist()` already handed to the libuv pool could
   * still land after this one.
   */
  flushSync(): void {
    this.cancelTimer();
    if (!this.dirty && this.writing === undefined) return;
    this.dirty = false;
    writeJsonAtomicSync(this.path, this.options.snapshot());
  }

  /** Writes pending changes and refuses further `persist()` calls. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private startWrite(): void {
    if (!this.dirty) return;
    this.dirty = false;
    let failed = false;
    this.writing = writeJsonAtomic(this.path, this.options.snapshot())
      .catch((err: unknown) => {
        failed = true;
        this.dirty = true; // retried by the next persist() or flush(), not in a tight loop
        this.options.onError?.(err);
      })
      .finally(() => {
        this.writing = undefined;
        if (this.dirty && !failed && !this.closed) this.startWrite();
      });
  }
}
