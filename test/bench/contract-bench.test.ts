/**
 * Smoke tests of `npm run bench -- contract` and `delay` with tiny sizes, so
 * the benchmark commands cannot silently rot. No timing assertions.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = join(ROOT, 'src', 'bench', 'main.ts');

function run(args: readonly string[], benchTmp: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', MAIN, ...args], {
      cwd: ROOT, env: { ...process.env, BENCH_TMPDIR: benchTmp, BENCH_MAX_SECONDS: '60' }, timeout: 240_000, maxBuffer: 16 << 20,
    }, (err, stdout, stderr) => resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : null, stdout, stderr }));
  });
}

const CONTRACT_KEYS = ['system', 'variant', 'scenario', 'msgs', 'bytes', 'seconds', 'msgs_per_s', 'mb_per_s', 'p50_ms', 'p99_ms', 'p999_ms', 'max_ms', 'notes'];

test('bench contract prints one CONTRACT.md line per variant and scenario and cleans up', async (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'orbitmq-contract-'));
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  const r = await run(['contract', '--scenario', 'all', '--variant', 'async,sync', '--msgs', '300', '--rate', '200', '--seconds', '1.5', '--window', '8', '--warmup', '1'], tmp);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l): unknown => JSON.parse(l));
  assert.equal(lines.length, 6);
  for (const line of lines) {
    assert.ok(typeof line === 'object' && line !== null);
    assert.deepEqual(Object.keys(line).sort(), [...CONTRACT_KEYS].sort());
    const l = line as Record<string, unknown>;
    assert.equal(l.system, 'orbitmq');
    assert.ok(typeof l.notes === 'string' && !l.notes.startsWith('error:'), String(l.notes));
    assert.match(l.notes, /server primed by 1 s/);
    // Linux has the steal column; each line says how much CPU the host took during its run.
    if (process.platform === 'linux') assert.match(l.notes, /cpu: client \d+\.\d\d s, broker \d+\.\d\d s, host steal \d+\.\d\d s/);
    assert.equal(typeof l.msgs_per_s, 'number');
    if (l.scenario === 'e2e') {
      assert.equal(typeof l.p99_ms, 'number');
      assert.match(String(l.notes), /p99 of the messages sent after the first second: \d+\.\d{3} ms/);
    }
  }
  assert.deepEqual(lines.map((l) => `${String((l as Record<string, unknown>).variant)}/${String((l as Record<string, unknown>).scenario)}`),
    ['async/publish', 'async/e2e', 'async/drain', 'sync/publish', 'sync/e2e', 'sync/drain']);
  assert.deepEqual(readdirSync(tmp), [], 'no scratch data left behind');
});

test('bench delay --quick reports the two ratios and delivers both bursts', async (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'orbitmq-delaybench-'));
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  const r = await run(['delay', '--quick', '--json-only'], tmp);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l): unknown => JSON.parse(l))
    .filter((l): l is Record<string, unknown> => typeof l === 'object' && l !== null);
  const ratios = lines.filter((l) => l.case === 'ratio');
  assert.equal(ratios.length, 2);
  for (const x of ratios) assert.equal(typeof x.value, 'number');
  // --quick parks 2,000 of each; every one must reach its real topic.
  for (const name of ['timer_burst_delivery', 'level1_burst_delivery']) {
    const d = lines.find((l) => l.case === name);
    assert.ok(d, `${name} line`);
    assert.equal(d.msgs, 2000, `${name}: delivered`);
    assert.equal(d.complete, true);
    assert.equal(typeof d.last_late_ms, 'number');
  }
  assert.deepEqual(readdirSync(tmp), []);
});

test('bench floor prints one CONTRACT.md line for the relay and stops the relay process', async (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'orbitmq-floor-'));
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  const r = await run(['floor', '--rate', '400', '--seconds', '1', '--size', '64'], tmp);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l): unknown => JSON.parse(l));
  assert.equal(lines.length, 1);
  const l = lines[0] as Record<string, unknown>;
  assert.deepEqual(Object.keys(l).sort(), [...CONTRACT_KEYS].sort());
  assert.deepEqual([l.system, l.variant, l.scenario, l.msgs, l.bytes], ['node-relay', 'floor', 'e2e', 400, 400 * 64]);
  assert.ok(typeof l.notes === 'string' && !l.notes.includes('INCOMPLETE'), String(l.notes));
  const p50 = Number(l.p50_ms);
  const p99 = Number(l.p99_ms);
  const max = Number(l.max_ms);
  assert.ok(p50 > 0 && p50 <= p99 && p99 <= Number(l.p999_ms) && Number(l.p999_ms) <= max, JSON.stringify(l));
  const pid = Number(/relay pid (\d+)/.exec(r.stderr)?.[1]);
  assert.ok(Number.isInteger(pid) && pid > 0, r.stderr);
  assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, 'the relay process is gone');
});
