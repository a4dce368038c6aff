/**
 * Runs `node --import tsx src/bin/orbit.ts …` as a child process (no TTY, so
 * no colour and no progress bars) and collects its exit code and output.
 * Every run is bounded; a run that overstays is killed and fails the test.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ENTRY = join(ROOT, 'src', 'bin', 'orbit.ts');

export interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function orbit(args: readonly string[], opts: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
    delete env.NAMESRV_ADDR;
    Object.assign(env, opts.env);
    const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`orbit ${args.join(' ')} did not exit within ${opts.timeoutMs ?? 20_000} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, opts.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs with `--json`, asserts the exit code and that stdout is one JSON document; returns it. */
export async function orbitJson(args: readonly string[], code = 0): Promise<Record<string, unknown>> {
  const r = await orbit([...args, '--json']);
  assert.equal(r.code, code, `exit code of orbit ${args.join(' ')} --json\nstderr: ${r.stderr}\nstdout: ${r.stdout}`);
  const doc: unknown = JSON.parse(r.stdout);
  assert.ok(typeof doc === 'object' && doc !== null && !Array.isArray(doc), 'a JSON object on stdout');
  return doc as Record<string, unknown>;
}

/** Runs for people, asserts the exit code; returns the run. */
export async function orbitHuman(args: readonly string[], code = 0): Promise<Run> {
  const r = await orbit(args);
  assert.equal(r.code, code, `exit code of orbit ${args.join(' ')}\nstderr: ${r.stderr}\nstdout: ${r.stdout}`);
  if (code === 0) assert.ok(!r.stdout.includes('\x1b['), 'no colour when stdout is not a TTY');
  return r;
}

/** Asserts a failed run: exit code, one line on stderr matching `pattern`, no stack trace. */
export function assertError(r: Run, code: number, pattern: RegExp): void {
  assert.equal(r.code, code, `exit code\nstderr: ${r.stderr}\nstdout: ${r.stdout}`);
  assert.match(r.stderr, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace without --verbose');
}

export function arr(v: unknown): Record<string, unknown>[] {
  assert.ok(Array.isArray(v), `expected an array, got ${JSON.stringify(v)}`);
  return v as Record<string, unknown>[];
}

export function rec(v: unknown): Record<string, unknown> {
  assert.ok(typeof v === 'object' && v !== null && !Array.isArray(v), `expected an object, got ${JSON.stringify(v)}`);
  return v as Record<string, unknown>;
}
