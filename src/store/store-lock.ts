/**
 * One process per store: `{root}/lock` (RocketMQ locks the same file with a
 * java.nio FileLock, DefaultMessageStore.java, 4.9.8). Node has no flock, so
 * the lock is a file created exclusively, holding `{pid, hostname, startedAt}`
 * as JSON, that the owner deletes on `release()`.
 *
 * - Creation writes the owner record to a private temp file, fsyncs it and
 *   hard-links it to `lock`: the link fails with EEXIST if the lock exists, and
 *   a reader never sees a half-written record.
 * - A lock whose owner is alive refuses the second process with StoreError.
 *   Alive means: `kill(pid, 0)` succeeds or fails with EPERM (ESRCH = dead);
 *   a record naming another host counts as alive, since we cannot check it.
 *   A record naming our own pid is stale if written before this process
 *   started (pid reuse after a restart, e.g. pid 1 in a container), and a
 *   second acquire by this process otherwise.
 * - A stale lock (owner killed with SIGKILL, host crashed) is taken over under
 *   a short-lived `lock.takeover` mutex (also created exclusively): re-check
 *   that the lock still holds what we judged stale, rename our record over it,
 *   re-read to confirm. A takeover mutex older than 10 s was left by a taker
 *   that died mid-way and is removed.
 *
 * Weak spots, accepted: an unrelated live process that reused a dead owner's
 * pid blocks start-up (remove the file by hand); the lock is advisory, so a
 * process that ignores it is not stopped.
 */
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { StoreError, errnoCode, getErrorMessage } from '../common/index.js';

export const STORE_LOCK_FILE = 'lock';

/** The record in the lock file. */
export interface StoreLockOwner {
  readonly pid: number;
  readonly hostname: string;
  /** Wall-clock ms when the lock was taken. */
  readonly startedAt: number;
}

const MAX_ATTEMPTS = 50;
const RETRY_SLEEP_MS = 20;
const TAKEOVER_STALE_MS = 10_000;
/** An unparsable lock younger than this may be mid-creation by the non-link fallback. */
const YOUNG_CORRUPT_MS = 2_000;

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err: unknown) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw err;
  }
}

function unlinkQuiet(path: string): void {
  try {
    unlinkSync(path);
  } catch (err: unknown) {
    if (errnoCode(err) !== 'ENOENT') throw err;
  }
}

function writeDurable(path: string, content: string): void {
  const fd = openSync(path, 'w', 0o644);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Creates `path` holding `content` unless it exists; false if it does. */
function createExclusive(path: string, content: string): boolean {
  const tmp = `${path}.${process.pid}.tmp`;
  writeDurable(tmp, content);
  try {
    linkSync(tmp, path);
    return true;
  } catch (err: unknown) {
    const code = errnoCode(err);
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP') throw err;
  } finally {
    unlinkQuiet(tmp);
  }
  // No hard links on this file system: exclusive create, then write.
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o644);
  } catch (err: unknown) {
    if (errnoCode(err) === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** Narrows the lock file's JSON; undefined when it is not an owner record. */
export function parseStoreLockOwner(text: string): StoreLockOwner | undefined {
  let u: unknown;
  try {
    u = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof u !== 'object' || u === null) return undefined;
  const pid: unknown = Reflect.get(u, 'pid');
  const host: unknown = Reflect.get(u, 'hostname');
  const startedAt: unknown = Reflect.get(u, 'startedAt');
  if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid <= 0) return undefined;
  if (typeof host !== 'string' || typeof startedAt !== 'number' || !Number.isFinite(startedAt)) return undefined;
  return { pid, hostname: host, startedAt };
}

type OwnerState = { alive: false } | { alive: true; why: string };

function ownerState(owner: StoreLockOwner): OwnerState {
  if (owner.hostname !== hostname()) {
    return { alive: true, why: `held by pid ${owner.pid} on host ${owner.hostname}, whose liveness cannot be checked from here` };
  }
  if (owner.pid === process.pid) {
    if (owner.startedAt >= Math.floor(performance.timeOrigin)) return { alive: true, why: 'already held by this process' };
    return { alive: false }; // written by an earlier process that had our pid
  }
  try {
    process.kill(owner.pid, 0);
  } catch (err: unknown) {
    const code = errnoCode(err);
    if (code === 'ESRCH') return { alive: false };
    if (code !== 'EPERM') return { alive: true, why: `held by pid ${owner.pid} (liveness check failed: ${getErrorMessage(err)})` };
  }
  return { alive: true, why: `held by running pid ${owner.pid}` };
}

/**
 * Replaces the stale lock that read as `seen` with `content`. False when
 * another process is taking over or changed the lock meanwhile.
 */
function takeOver(path: string, seen: string, content: string): boolean {
  const mutex = `${path}.takeover`;
  if (!createExclusive(mutex, content)) {
    try {
      if (Date.now() - statSync(mutex).mtimeMs > TAKEOVER_STALE_MS) unlinkQuiet(mutex);
    } catch (err: unknown) {
      if (errnoCode(err) !== 'ENOENT') throw err;
    }
    return false;
  }
  try {
    if (readText(path) !== seen) return false;
    const tmp = `${path}.${process.pid}.takeover.tmp`;
    writeDurable(tmp, content);
    renameSync(tmp, path);
    return readText(path) === content;
  } finally {
    unlinkQuiet(mutex);
  }
}

function lockAge(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

export class StoreLock {
  /** `{root}/lock`. */
  readonly path: string;
  readonly owner: StoreLockOwner;
  private readonly content: string;
  private released = false;

  private constructor(path: string, owner: StoreLockOwner, content: string) {
    this.path = path;
    this.owner = owner;
    this.content = content;
  }

  /**
   * Takes the lock of the store at `rootDir` (created if missing). Throws
   * StoreError naming the owner's pid and the lock path when another live
   * process holds it.
   */
  static acquire(rootDir: string): StoreLock {
    const path = join(rootDir, STORE_LOCK_FILE);
    const owner: StoreLockOwner = { pid: process.pid, hostname: hostname(), startedAt: Date.now() };
    const content = `${JSON.stringify(owner)}\n`;
    try {
      mkdirSync(rootDir, { recursive: true });
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        if (attempt > 0) sleepSync(RETRY_SLEEP_MS);
        if (createExclusive(path, content)) return new StoreLock(path, owner, content);
        const seen = readText(path);
        if (seen === undefined) continue; // released meanwhile
        const holder = parseStoreLockOwner(seen);
        if (holder === undefined) {
          if (lockAge(path) < YOUNG_CORRUPT_MS) continue;
        } else {
          const state = ownerState(holder);
          if (state.alive) {
            throw new StoreError(`store ${rootDir} is locked: ${path} ${state.why}; if that process is gone, delete the file`);
          }
        }
        if (takeOver(path, seen, content)) return new StoreLock(path, owner, content);
      }
    } catch (err: unknown) {
      if (err instanceof StoreError) throw err;
      throw new StoreError(`cannot lock ${path}: ${getErrorMessage(err)}`, { cause: err });
    }
    throw new StoreError(`cannot lock ${path}: it kept changing over ${MAX_ATTEMPTS} attempts`);
  }

  /** Deletes the lock file if it still records this owner. Idempotent. */
  release(): void {
    if (this.released) return;
    this.released = true;
    try {
      if (readText(this.path) === this.content) unlinkSync(this.path);
    } catch (err: unknown) {
      if (errnoCode(err) !== 'ENOENT') throw new StoreError(`cannot release ${this.path}: ${getErrorMessage(err)}`, { cause: err });
    }
  }
}
