/**
 * Smoke tests of `npm run bench -- store` and `store-memory`: they run as
 * subprocesses (as a user runs them), exit 0, print well-formed JSON lines
 * with the expected fields and leave no scratch data behind. No timing
 * assertions: the numbers depend on the machine.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = join(ROOT, 'src', 'bench', 'main.ts');

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runBench(args: readonly string[], benchTmp: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', MAIN, ...args],
      { cwd: ROOT, env: { ...process.env, BENCH_TMPDIR: benchTmp }, timeout: 240_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

function jsonLines(stdout: string): Record<string, unknown>[] {
  const lines = stdout.split('\n').filter((l) => l.length > 0);
  assert.ok(lines.length > 0, 'no output on stdout');
  return lines.map((l) => {
    assert.ok(l.startsWith('{'), `stdout line is not JSON: ${l}`);
    const v: unknown = JSON.parse(l);
    assert.ok(typeof v === 'object' && v !== null && !Array.isArray(v));
    return v as Record<string, unknown>;
  });
}

function scratch(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'orbitmq-bench-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const isNum = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);

void test('bench store --quick prints disk, append, read and ratio lines', async (t) => {
  const dir = scratch(t);
  const r = await runBench(['store', '--quick', '--json-only', '--sizes', '128,1024', '--max-mib', '16'], dir);
  assert.equal(r.code, 0, r.stderr);
  const lines = jsonLines(r.stdout);
  for (const l of lines) assert.equal(l.bench, 'store');

  const disk = lines.filter((l) => typeof l.case === 'string' && l.case.startsWith('disk_'));
  assert.deepEqual(disk.map((l) => l.case).sort(), ['disk_buffered_write', 'disk_fdatasync_4k', 'disk_seq_write']);
  for (const l of disk) for (const k of ['bytes', 'seconds', 'mb_per_s', 'ops_per_s']) assert.ok(isNum(l[k]), `${String(l.case)}.${k}`);

  const appends = lines.filter((l) => l.case === 'append');
  assert.equal(appends.length, 2 * 2 * 2, 'sizes x flush x writers');
  const keys = ['bench', 'case', 'size', 'flush', 'writers', 'msgs', 'bytes', 'seconds', 'msgs_per_s', 'mb_per_s', 'ops_per_s', 'errors', 'notes'];
  for (const l of appends) {
    assert.deepEqual(Object.keys(l), keys);
    assert.ok([128, 1024].includes(l.size as number));
    assert.ok(l.flush === 'async' || l.flush === 'sync');
    assert.ok(l.writers === 1 || l.writers === 64);
    assert.ok(isNum(l.msgs) && (l.msgs as number) > 0, 'some messages were appended');
    assert.equal(l.bytes, (l.msgs as number) * (l.size as number));
    assert.equal(l.errors, 0);
    for (const k of ['seconds', 'msgs_per_s', 'mb_per_s']) assert.ok(isNum(l[k]), k);
  }

  const reads = lines.filter((l) => l.case === 'read');
  assert.equal(reads.length, 2, 'one read-back per size');
  for (const l of reads) {
    assert.deepEqual(Object.keys(l), keys);
    assert.ok(isNum(l.msgs) && (l.msgs as number) > 0);
    assert.ok(!String(l.notes).includes('INCOMPLETE'), String(l.notes));
  }

  const ratios = lines.filter((l) => l.case === 'ratio');
  assert.deepEqual(ratios.map((l) => l.ratio), ['async_1k_append_vs_disk_seq_write', 'sync_vs_async_msgs', 'sync_vs_async_msgs']);
  for (const l of ratios) {
    assert.ok(isNum(l.value) && isNum(l.target), JSON.stringify(l));
    assert.equal(typeof l.pass, 'boolean');
  }
  assert.deepEqual(readdirSync(dir), [], 'scratch data removed');
});

void test('bench store-memory --gb 0.05 reports RSS and removes its data', async (t) => {
  const dir = scratch(t);
  const r = await runBench(['store-memory', '--gb', '0.05', '--json-only'], dir);
  assert.equal(r.code, 0, r.stderr);
  const lines = jsonLines(r.stdout);
  assert.equal(lines.length, 1);
  const l = lines[0];
  assert.ok(l !== undefined);
  assert.equal(l.bench, 'store-memory');
  assert.equal(l.case, 'append_rss');
  assert.equal(l.flush, 'async');
  assert.equal(l.writers, 64);
  for (const k of ['msgs', 'bytes', 'seconds', 'msgs_per_s', 'mb_per_s', 'start_rss_mb', 'max_rss_mb', 'delta_rss_mb', 'limit_mb', 'samples']) {
    assert.ok(isNum(l[k]), `${k}: ${String(l[k])}`);
  }
  assert.ok((l.bytes as number) >= 0.05e9, 'all requested bytes were appended');
  assert.ok((l.max_rss_mb as number) >= (l.start_rss_mb as number));
  assert.equal(typeof l.pass, 'boolean');
  assert.ok(!String(l.notes).startsWith('error'), String(l.notes));
  assert.deepEqual(readdirSync(dir), [], 'scratch data removed');
});

void test('bench with an unknown name prints the usage and exits 2', async (t) => {
  const r = await runBench(['no-such-bench'], scratch(t));
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown benchmark "no-such-bench"/);
  assert.match(r.stderr, /store-memory/);
  assert.equal(r.stdout, '');
});

void test('bench store-memory refuses when the disk lacks 2x the requested size', async (t) => {
  const r = await runBench(['store-memory', '--gb', '1000000'], scratch(t));
  assert.equal(r.code, 2);
  assert.match(r.stderr, /refusing/);
});
