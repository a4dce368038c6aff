/**
 * What main.ts hands a benchmark: where scratch data goes, where output goes,
 * how to start a child process of the same program, and a random source. The
 * benchmarks read no process globals themselves (argv, env, exit).
 */
import { readFileSync, statfsSync } from 'node:fs';
import type { TempDirs } from './temp-dirs.js';

export interface BenchContext {
  readonly temp: TempDirs;
  readonly writeStdout: (s: string) => void;
  readonly writeStderr: (s: string) => void;
  readonly random: () => number;
  /** The repository root (for notes about ../shared/bench). */
  readonly repoRoot: string;
  /** node + flags + main.ts, to start `main.ts <args>` as a child process. */
  readonly self: { readonly execPath: string; readonly execArgv: readonly string[]; readonly mainPath: string };
  /** An environment variable (only main.ts reads process.env). */
  readonly env: (name: string) => string | undefined;
  /** Registers a hook run on exit or on SIGINT/SIGTERM (e.g. kill a child); returns its removal. */
  readonly atExit: (hook: () => void) => () => void;
  /** Resolves when standard input ends (a child's way to notice that its parent is gone). */
  readonly stdinEnded: () => Promise<void>;
}

/** A benchmark: parses its own flags, returns the exit code. */
export type BenchCommand = (args: readonly string[], ctx: BenchContext) => Promise<number>;

export function freeBytes(dir: string): number {
  const s = statfsSync(dir);
  return s.bavail * s.bsize;
}

export const GiB = 1024 ** 3;
export const MiB = 1024 ** 2;

/** CPU seconds (user + system) of a process, from /proc (Linux). */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ');
    const utime = Number(fields?.[11]);
    const stime = Number(fields?.[12]);
    return Number.isFinite(utime) && Number.isFinite(stime) ? (utime + stime) / 100 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * CPU time the hypervisor gave to other guests while this machine wanted it
 * (the `steal` column of /proc/stat, all CPUs, seconds): a run with much of it
 * was measured on a busy host. Undefined where /proc/stat has no such column.
 */
export function stealSeconds(): number | undefined {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]?.split(/\s+/);
    const steal = Number(cpu?.[8]);
    return cpu?.[0] === 'cpu' && Number.isFinite(steal) ? steal / 100 : undefined;
  } catch {
    return undefined;
  }
}
