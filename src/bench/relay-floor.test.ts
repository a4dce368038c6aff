import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { BenchContext } from './bench-context.js';
import { runFloorBench } from './relay-floor.js';
import { TempDirs } from './temp-dirs.js';

test('a relay that dies before it listens gives a CONTRACT error line and exit code 1', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'orbitmq-floor-fail-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const script = join(dir, 'dies.mjs');
  writeFileSync(script, 'process.exit(3);\n');
  let stdout = '';
  const ctx: BenchContext = {
    temp: new TempDirs(dir),
    writeStdout: (s) => {
      stdout += s;
    },
    writeStderr: () => undefined,
    random: () => 0.5,
    repoRoot: dir,
    self: { execPath: process.execPath, execArgv: [], mainPath: script },
    env: () => undefined,
    atExit: () => () => undefined,
    stdinEnded: () => new Promise(() => undefined),
  };
  const code = await runFloorBench(['--seconds', '0.2'], ctx);
  assert.equal(code, 1);
  const line = JSON.parse(stdout.trim()) as Record<string, unknown>;
  assert.equal(line.system, 'node-relay');
  assert.equal(line.p99_ms, null);
  assert.match(String(line.notes), /^error: the relay exited before it listened/);
});
