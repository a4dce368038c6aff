import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidArgumentError } from '../common/index.js';
import { type RetentionDecision, type RetentionInput, isDeleteTime, isExpired, retentionDecision } from './retention-schedule.js';

/** A local-time date at `hour`:30. */
const at = (hour: number): Date => new Date(2024, 4, 17, hour, 30, 0);

void test('isDeleteTime matches the local hour against deleteWhen', () => {
  const cases: [string, number, boolean][] = [
    ['04', 4, true],
    ['04', 5, false],
    ['4', 4, true],
    ['04;16', 16, true],
    ['04;16', 15, false],
    ['00', 0, true],
    ['23', 23, true],
    ['24', 0, false],
  ];
  for (const [when, hour, want] of cases) assert.equal(isDeleteTime(when, at(hour)), want, `${when} @ ${hour}`);
  for (const bad of ['', 'x', '04;', ' 4', '4:00', '123']) assert.throws(() => isDeleteTime(bad, at(4)), InvalidArgumentError, bad);
});

void test('isExpired: now >= lastModified + reserved hours', () => {
  const h = 3_600_000;
  const cases: [number, number, number, boolean][] = [
    [0, 72, 72 * h - 1, false],
    [0, 72, 72 * h, true],
    [1000, 1, 1000 + h + 5, true],
    [1000, 0, 1000, true],
  ];
  for (const [mod, hours, now, want] of cases) assert.equal(isExpired(mod, hours, now), want, `${mod}+${hours}h vs ${now}`);
});

const base: RetentionInput = {
  now: at(10),
  deleteWhen: '04',
  diskRatio: 0.5,
  diskMaxUsedSpaceRatio: 75,
  diskSpaceCleanForciblyRatio: 0.85,
  diskSpaceWarningLevelRatio: 0.9,
  manualDelete: false,
};

const none: RetentionDecision = { cleanExpired: false, cleanImmediately: false, diskFull: false };

void test('retentionDecision follows CleanCommitLogService', () => {
  const cases: [string, Partial<RetentionInput>, RetentionDecision][] = [
    ['quiet hour, low usage: nothing', {}, none],
    ['deleteWhen hour: clean expired', { now: at(4) }, { ...none, cleanExpired: true }],
    ['second deleteWhen hour', { deleteWhen: '04;10' }, { ...none, cleanExpired: true }],
    ['manual delete', { manualDelete: true }, { ...none, cleanExpired: true }],
    ['exactly at diskMaxUsedSpaceRatio: nothing', { diskRatio: 0.75 }, none],
    ['over diskMaxUsedSpaceRatio', { diskRatio: 0.76 }, { ...none, cleanExpired: true }],
    ['exactly at forcibly ratio: expired only', { diskRatio: 0.85 }, { ...none, cleanExpired: true }],
    ['over forcibly ratio: clean immediately', { diskRatio: 0.86 }, { cleanExpired: true, cleanImmediately: true, diskFull: false }],
    ['over forcibly ratio, was full: stays full', { diskRatio: 0.86, wasDiskFull: true }, { cleanExpired: true, cleanImmediately: true, diskFull: true }],
    ['exactly at warning ratio: not full', { diskRatio: 0.9 }, { cleanExpired: true, cleanImmediately: true, diskFull: false }],
    ['over warning ratio: full', { diskRatio: 0.95 }, { cleanExpired: true, cleanImmediately: true, diskFull: true }],
    ['back under forcibly ratio: full cleared', { diskRatio: 0.8, wasDiskFull: true }, { ...none, cleanExpired: true }],
    ['low usage clears full', { diskRatio: 0.1, wasDiskFull: true }, none],
    ['cleanFileForciblyEnable=false: expired only', { diskRatio: 0.95, cleanFileForciblyEnable: false }, { cleanExpired: true, cleanImmediately: false, diskFull: true }],
    ['diskMaxUsedSpaceRatio clamped to 95', { diskMaxUsedSpaceRatio: 100, diskRatio: 0.96, diskSpaceCleanForciblyRatio: 0.99, diskSpaceWarningLevelRatio: 0.99 }, { ...none, cleanExpired: true }],
    ['diskMaxUsedSpaceRatio clamped to 10', { diskMaxUsedSpaceRatio: 1, diskRatio: 0.05 }, none],
    ['diskMaxUsedSpaceRatio clamped to 10 (over)', { diskMaxUsedSpaceRatio: 1, diskRatio: 0.11 }, { ...none, cleanExpired: true }],
    ['forcibly above diskMax (5.x semantics): cleans now', { diskMaxUsedSpaceRatio: 95, diskRatio: 0.88 }, { cleanExpired: true, cleanImmediately: true, diskFull: false }],
  ];
  for (const [name, over, want] of cases) assert.deepEqual(retentionDecision({ ...base, ...over }), want, name);
});

void test('retentionDecision validates its ratios', () => {
  for (const over of [{ diskRatio: -0.1 }, { diskRatio: Number.NaN }, { diskSpaceWarningLevelRatio: 2 }, { diskSpaceCleanForciblyRatio: -1 }, { diskMaxUsedSpaceRatio: Number.NaN }, { deleteWhen: 'x' }]) {
    assert.throws(() => retentionDecision({ ...base, ...over }), InvalidArgumentError, JSON.stringify(over));
  }
});
