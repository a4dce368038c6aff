/**
 * Runs a Node child process that should end on its own (after a client's
 * shutdown) and returns its exit code and the last line it printed, parsed
 * as JSON. Killed after `timeoutMs` (exit code -1 then).
 */
import { spawn } from 'node:child_process';

export interface ChildExit {
  readonly code: number | null;
  readonly stderr: string;
  /** The last stdout line, parsed (undefined when there is none). */
  readonly report: unknown;
}

export function runChildToExit(args: readonly string[], timeoutMs = 30_000): Promise<ChildExit> {
  const child = spawn(process.execPath, [...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise<ChildExit>((resolve) => {
    const finish = (code: number | null): void => {
      const last = out.trim().split('\n').pop() ?? '';
      let report: unknown;
      try {
        report = last === '' ? undefined : JSON.parse(last);
      } catch {
        report = undefined;
      }
      resolve({ code, stderr: err, report });
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish(-1);
    }, timeoutMs);
    child.on('exit', (c) => {
      clearTimeout(timer);
      finish(c);
    });
  });
}
