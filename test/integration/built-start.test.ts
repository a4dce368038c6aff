/**
 * What `npm start` runs — the built `dist/bin/orbit.js start` (npm ci builds
 * it) — becomes ready with the README's flags and stops cleanly on SIGTERM.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SERVER_NODE_FLAGS } from '../../src/bin/server-node-flags.js';
import { waitFor } from '../support/cluster.js';
import { tempDir } from '../support/temp-dir.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BUILT = join(ROOT, 'dist', 'bin', 'orbit.js');

test('the built standalone (npm start) starts with the README flags and the server Node flags, and stops cleanly', { skip: existsSync(BUILT) ? false : 'dist/ is not built (npm ci builds it)' }, async (t) => {
  const pkg: unknown = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  assert.ok(typeof pkg === 'object' && pkg !== null && 'scripts' in pkg);
  // npm start runs the server with its Node flags (server-node-flags.ts), and so does this test.
  assert.ok(typeof pkg.scripts === 'object' && pkg.scripts !== null && 'start' in pkg.scripts);
  assert.equal(pkg.scripts.start, `node ${SERVER_NODE_FLAGS.join(' ')} dist/bin/orbit.js start`);
  const dir = tempDir(t, 'orbitmq-built-');
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, BUILT, 'start', '--data-dir', dir, '--namesrv-port', '0', '--broker-port', '0', '--flush', 'sync', '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => {
    child.kill('SIGKILL');
  });
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d: string) => (out += d));
  const ready = await waitFor(() => out.split('\n').find((l) => l.includes('"event":"ready"')), { timeoutMs: 20_000, what: 'the ready line' });
  const r: unknown = JSON.parse(ready);
  assert.ok(typeof r === 'object' && r !== null && 'namesrv' in r && 'broker' in r && 'flushDiskType' in r);
  assert.match(String(r.namesrv), /^127\.0\.0\.1:\d+$/);
  assert.match(String(r.broker), /^127\.0\.0\.1:\d+$/);
  assert.equal(r.flushDiskType, 'SYNC_FLUSH');
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const [code] = await exited;
  assert.equal(code, 0);
  assert.match(out, /"event":"stopped","clean":true/);
  assert.ok(existsSync(join(dir, 'store', 'commitlog')), 'the store lives under the data directory');
});
