import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { StoreError } from '../common/index.js';
import { ConfigFile, bakPathOf, readJson, readJsonSync, tmpPathOf, writeJsonAtomic, writeJsonAtomicSync } from './config-file.js';

interface Topics {
  version: number;
  topics: string[];
}

function parseTopics(u: unknown): Topics {
  if (typeof u !== 'object' || u === null) throw new Error('not an object');
  const version: unknown = Reflect.get(u, 'version');
  const topics: unknown = Reflect.get(u, 'topics');
  if (typeof version !== 'number' || !Array.isArray(topics) || !topics.every((x) => typeof x === 'string')) {
    throw new Error('not a topic table');
  }
  return { version, topics: topics.filter((x): x is string => typeof x === 'string') };
}

function tempFile(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'orbit-config-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'topics.json');
}

const v1: Topics = { version: 1, topics: ['a'] };
const v2: Topics = { version: 2, topics: ['a', 'b'] };

for (const mode of ['async', 'sync'] as const) {
  const write = mode === 'async' ? writeJsonAtomic : async (p: string, v: unknown) => writeJsonAtomicSync(p, v);
  const read = mode === 'async' ? readJson : async <T>(p: string, f: (u: unknown) => T) => readJsonSync(p, f);

  void test(`${mode}: missing → undefined; write, overwrite keeps previous as .bak; no .tmp left`, async (t) => {
    const path = tempFile(t);
    assert.equal(await read(path, parseTopics), undefined);
    await write(path, v1);
    assert.deepEqual(await read(path, parseTopics), { value: v1, source: 'main' });
    await write(path, v2);
    assert.deepEqual(await read(path, parseTopics), { value: v2, source: 'main' });
    assert.deepEqual(JSON.parse(readFileSync(bakPathOf(path), 'utf8')), v1);
    assert.equal(existsSync(tmpPathOf(path)), false);
  });

  for (const [what, corrupt] of [
    ['invalid JSON (torn write)', '{"version": 2, "top'],
    ['JSON the validator rejects', '{"version": "x"}'],
  ] as const) {
    void test(`${mode}: main holding ${what} → .bak is used`, async (t) => {
      const path = tempFile(t);
      await write(path, v1);
      await write(path, v2);
      writeFileSync(path, corrupt);
      const got = await read(path, parseTopics);
      assert.equal(got?.source, 'bak');
      assert.deepEqual(got?.value, v1);
      assert.ok(got?.mainError !== undefined);
    });
  }

  void test(`${mode}: main missing (crash between backup and rename) → .bak is used`, async (t) => {
    const path = tempFile(t);
    await write(path, v1);
    await write(path, v2);
    rmSync(path);
    assert.deepEqual((await read(path, parseTopics))?.value, v1);
  });

  void test(`${mode}: crash while writing (tmp left behind) → main intact, next write succeeds`, async (t) => {
    const path = tempFile(t);
    await write(path, v1);
    writeFileSync(tmpPathOf(path), '{"version": 3, "topi'); // the process died mid-write
    assert.deepEqual(await read(path, parseTopics), { value: v1, source: 'main' });
    await write(path, v2);
    assert.deepEqual((await read(path, parseTopics))?.value, v2);
    assert.equal(existsSync(tmpPathOf(path)), false);
  });

  void test(`${mode}: both main and .bak unusable → StoreError rather than an empty table`, async (t) => {
    const path = tempFile(t);
    writeFileSync(path, 'nope');
    await assert.rejects(read(path, parseTopics), StoreError);
    writeFileSync(bakPathOf(path), 'nope');
    await assert.rejects(read(path, parseTopics), StoreError);
  });
}

void test('writeJsonAtomic refuses a value JSON cannot encode, and wraps I/O errors in StoreError', async (t) => {
  const path = tempFile(t);
  await assert.rejects(writeJsonAtomic(path, undefined), /not JSON-serialisable/);
  await assert.rejects(writeJsonAtomic(join(path, 'no', 'such', 'dir.json'), v1), StoreError);
  assert.throws(() => writeJsonAtomicSync(join(path, 'no', 'dir.json'), v1), StoreError);
});

void test('ConfigFile: persist() coalesces changes, flush() writes the latest, close() refuses more', async (t) => {
  const path = tempFile(t);
  let state: Topics = { version: 0, topics: [] };
  let snapshots = 0;
  const errors: unknown[] = [];
  const file = new ConfigFile<Topics>({
    path,
    parse: parseTopics,
    snapshot: () => {
      snapshots++;
      return state;
    },
    debounceMs: 10_000,
    onError: (e) => errors.push(e),
  });
  assert.equal(file.load(), undefined);
  for (let i = 1; i <= 5; i++) {
    state = { version: i, topics: [`t${i}`] };
    file.persist();
  }
  assert.equal(snapshots, 0, 'debounced: nothing written yet');
  await file.flush();
  assert.equal(snapshots, 1);
  assert.deepEqual(file.load()?.value, { version: 5, topics: ['t5'] });
  await file.flush();
  assert.equal(snapshots, 1, 'nothing dirty: no write');
  state = { version: 6, topics: [] };
  file.persist();
  await file.close();
  assert.deepEqual(file.load()?.value, state);
  assert.throws(() => file.persist(), StoreError);
  assert.deepEqual(errors, []);
});

void test('ConfigFile: with debounce 0 persist() writes soon; flushSync() writes synchronously', async (t) => {
  const path = tempFile(t);
  let state: Topics = { version: 1, topics: [] };
  const file = new ConfigFile<Topics>({ path, parse: parseTopics, snapshot: () => state });
  file.persist();
  for (let i = 0; i < 200 && file.load()?.value.version !== 1; i++) await new Promise((r) => setTimeout(r, 5));
  assert.equal(file.load()?.value.version, 1);
  state = { version: 2, topics: [] };
  file.persist();
  file.flushSync();
  assert.equal(readJsonSync(path, parseTopics)?.value.version, 2);
  await file.close();
});

void test('ConfigFile: a failed background write is reported and retried by flush()', async (t) => {
  const dir = tempFile(t);
  const path = join(dir, 'later.json'); // parent directory does not exist yet
  const errors: unknown[] = [];
  const file = new ConfigFile<Topics>({ path, parse: parseTopics, snapshot: () => v1, onError: (e) => errors.push(e) });
  file.persist();
  for (let i = 0; i < 200 && errors.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(errors[0] instanceof StoreError);
  mkdirSync(dir);
  await file.close();
  assert.deepEqual(readJsonSync(path, parseTopics)?.value, v1);
});

void test('ConfigFile rejects a negative debounce', () => {
  assert.throws(() => new ConfigFile<Topics>({ path: 'x', parse: parseTopics, snapshot: () => v1, debounceMs: -1 }), /debounceMs/);
});
