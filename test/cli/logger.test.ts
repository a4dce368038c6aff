/** The server log sinks of src/bin/pino-logger.ts: human lines and size-based rotation. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { RollingFile, createLogger, humanLine } from '../../src/bin/pino-logger.js';
import { tempDir } from '../support/temp-dir.js';

test('humanLine formats a pino JSON line', () => {
  const line = humanLine(JSON.stringify({ level: 40, time: Date.UTC(2024, 0, 1, 12, 0, 0, 5), pid: 1, msg: 'disk nearly full', ratio: 0.91, dir: '/var/x y' }));
  assert.equal(line, '12:00:00.005 WARN  disk nearly full ratio=0.91 dir="/var/x y"\n');
  assert.equal(humanLine('not json'), 'not json');
});

test('RollingFile rotates by size and keeps maxFiles', (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'orbit.log');
  const f = new RollingFile(path, 100, 2);
  for (let i = 0; i < 10; i++) f.write(`${String(i).repeat(59)}\n`);
  assert.ok(existsSync(`${path}.1`) && existsSync(`${path}.2`));
  assert.ok(!existsSync(`${path}.3`));
  assert.equal(readFileSync(path, 'utf8'), `${'9'.repeat(59)}\n`);
  assert.equal(readFileSync(`${path}.1`, 'utf8'), `${'8'.repeat(59)}\n`);
});

test('createLogger writes human or JSON lines to a file', (t) => {
  const dir = tempDir(t);
  const human = join(dir, 'h.log');
  createLogger({ level: 'info', format: 'human', file: human }).child({ component: 'x' }).info('hello', { n: 1 });
  assert.match(readFileSync(human, 'utf8'), /^\d\d:\d\d:\d\d\.\d{3} INFO {2}hello component=x n=1\n$/);
  const json = join(dir, 'j.log');
  createLogger({ level: 'warn', format: 'json', file: json }).info('dropped');
  createLogger({ level: 'warn', format: 'json', file: json }).warn('kept');
  const lines = readFileSync(json, 'utf8').trim().split('\n');
  assert.equal(lines.length, 1);
  assert.equal((JSON.parse(lines[0] ?? '{}') as { msg: string }).msg, 'kept');
});

test('a nested component replaces its parent\'s instead of repeating the key', (t) => {
  const file = join(tempDir(t), 'c.log');
  createLogger({ level: 'info', format: 'json', file }).child({ component: 'broker', broker: 'a' }).child({ component: 'store' }).info('opened');
  const line = readFileSync(file, 'utf8').trim();
  assert.equal(line.match(/"component"/g)?.length, 1, line);
  const o: unknown = JSON.parse(line);
  assert.ok(typeof o === 'object' && o !== null && 'component' in o && 'broker' in o);
  assert.equal(o.component, 'store');
  assert.equal(o.broker, 'a');
});
