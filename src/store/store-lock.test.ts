import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { StoreError } from '../common/index.js';
import { StoreLock, parseStoreLockOwner } from './store-lock.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const moduleUrl = new URL('./store-lock.ts', import.meta.url).href;

function tempRoot(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'orbit-lock-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A child process that takes the lock, prints "locked" and waits to be killed. */
async function spawnHolder(t: TestContext, root: string): Promise<ChildProcess> {
  const code = `import { StoreLock } from ${JSON.stringify(moduleUrl)};
StoreLock.acquire(${JSON.stringify(root)});
process.stdout.write('locked\\n');
setInterval(() => {}, 60_000);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child did not lock within 20 s: ${stderr}`)), 20_000);
    child.stdout?.on('data', (b: Buffer) => {
      if (b.toString().includes('locked')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (c) => {
      clearTimeout(timer);
      reject(new Error(`child exited with ${c}: ${stderr}`));
    });
  });
  return child;
}

async function killHard(child: ChildProcess): Promise<void> {
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await exited;
}

void test('acquire writes the owner record and release removes it', (t) => {
  const root = tempRoot(t);
  const lock = StoreLock.acquire(root);
  const owner = parseStoreLockOwner(readFileSync(join(root, 'lock'), 'utf8'));
  assert.deepEqual(owner, lock.owner);
  assert.equal(owner?.pid, process.pid);
  assert.equal(owner?.hostname, hostname());
  lock.release();
  lock.release(); // idempotent
  assert.equal(existsSync(join(root, 'lock')), false);
  assert.deepEqual(readdirSync(root), [], 'no temp or mutex files left behind');
  StoreLock.acquire(root).release(); // free again
});

void test('creates a missing root directory', (t) => {
  const root = join(tempRoot(t), 'a', 'b');
  StoreLock.acquire(root).release();
});

void test('a second acquire in the same process is refused', (t) => {
  const root = tempRoot(t);
  const lock = StoreLock.acquire(root);
  t.after(() => lock.release());
  assert.throws(() => StoreLock.acquire(root), (err: unknown) => err instanceof StoreError && /this process/.test(err.message));
});

void test('a lock held by a live child process is refused, naming the pid and path; after kill -9 it is taken over', async (t) => {
  const root = tempRoot(t);
  const child = await spawnHolder(t, root);
  const lockPath = join(root, 'lock');
  assert.throws(
    () => StoreLock.acquire(root),
    (err: unknown) => err instanceof StoreError && err.message.includes(String(child.pid)) && err.message.includes(lockPath),
  );
  await killHard(child);
  assert.equal(parseStoreLockOwner(readFileSync(lockPath, 'utf8'))?.pid, child.pid, 'SIGKILL leaves the lock behind');
  const lock = StoreLock.acquire(root);
  assert.equal(parseStoreLockOwner(readFileSync(lockPath, 'utf8'))?.pid, process.pid);
  lock.release();
  assert.deepEqual(readdirSync(root), []);
});

void test('release does not delete a lock that another owner has taken over', (t) => {
  const root = tempRoot(t);
  const lock = StoreLock.acquire(root);
  const other = JSON.stringify({ pid: 999_999_999, hostname: hostname(), startedAt: 1 });
  writeFileSync(join(root, 'lock'), other);
  lock.release();
  assert.equal(readFileSync(join(root, 'lock'), 'utf8'), other);
});

const staleCases: { name: string; content: () => string; ageMs?: number }[] = [
  { name: 'our own pid from before this process started (pid reuse)', content: () => JSON.stringify({ pid: process.pid, hostname: hostname(), startedAt: 1000 }) },
  { name: 'an old unparsable record', content: () => 'garbage', ageMs: 60_000 },
  { name: 'an old empty file', content: () => '', ageMs: 60_000 },
];

for (const c of staleCases) {
  void test(`takes over a stale lock: ${c.name}`, (t) => {
    const root = tempRoot(t);
    const lockPath = join(root, 'lock');
    writeFileSync(lockPath, c.content());
    if (c.ageMs !== undefined) {
      const then = new Date(Date.now() - c.ageMs);
      utimesSync(lockPath, then, then);
    }
    const lock = StoreLock.acquire(root);
    assert.equal(parseStoreLockOwner(readFileSync(lockPath, 'utf8'))?.startedAt, lock.owner.startedAt);
    lock.release();
  });
}

void test('a lock recorded by another host is refused (liveness unknown)', (t) => {
  const root = tempRoot(t);
  writeFileSync(join(root, 'lock'), JSON.stringify({ pid: 1234, hostname: `not-${hostname()}`, startedAt: 1 }));
  assert.throws(() => StoreLock.acquire(root), (err: unknown) => err instanceof StoreError && /1234/.test(err.message) && /host/.test(err.message));
});

void test('an abandoned takeover mutex does not block forever', (t) => {
  const root = tempRoot(t);
  writeFileSync(join(root, 'lock'), JSON.stringify({ pid: process.pid, hostname: hostname(), startedAt: 1 }));
  writeFileSync(join(root, 'lock.takeover'), '{}');
  const then = new Date(Date.now() - 60_000);
  utimesSync(join(root, 'lock.takeover'), then, then);
  StoreLock.acquire(root).release();
  assert.deepEqual(readdirSync(root), []);
});

void test('parseStoreLockOwner rejects malformed records', () => {
  for (const bad of ['', 'null', '[]', '{"pid":"1","hostname":"h","startedAt":1}', '{"pid":0,"hostname":"h","startedAt":1}', '{"pid":1,"startedAt":1}']) {
    assert.equal(parseStoreLockOwner(bad), undefined, bad);
  }
});

void test('several processes racing for a stale lock: exactly one wins', async (t) => {
  const root = tempRoot(t);
  const dead = spawn(process.execPath, ['-e', '']);
  await new Promise<void>((resolve) => dead.once('exit', () => resolve()));
  writeFileSync(join(root, 'lock'), JSON.stringify({ pid: dead.pid, hostname: hostname(), startedAt: 1 }));
  const code = `import { StoreLock } from ${JSON.stringify(moduleUrl)};
let lock;
try { lock = StoreLock.acquire(${JSON.stringify(root)}); } catch (err) { process.stdout.write('refused ' + err.constructor.name + '\\n'); process.exit(0); }
process.stdout.write('locked\\n');
setTimeout(() => lock.release(), 4000);`;
  const runs = Array.from({ length: 4 }, () => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: repoRoot });
    t.after(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    return new Promise<string>((resolve) => child.once('exit', () => resolve(out.trim())));
  });
  const results = await Promise.all(runs);
  assert.equal(results.filter((r) => r === 'locked').length, 1, results.join(', '));
  assert.equal(results.filter((r) => r === 'refused StoreError').length, 3, results.join(', '));
  assert.deepEqual(readdirSync(root), []);
});
