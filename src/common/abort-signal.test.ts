import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { onAbort, retainedAbortController } from './abort-signal.js';

void test('many waiters on one signal share one abort listener, and each is called once on abort', () => {
  const ac = new AbortController();
  const calls: number[] = [];
  const cancels = Array.from({ length: 50 }, (_, i) => onAbort(ac.signal, () => calls.push(i)));
  assert.equal(getEventListeners(ac.signal, 'abort').length, 1);
  cancels[3]?.(); // a waiter that finished before the abort
  cancels[3]?.(); // cancelling twice is harmless
  ac.abort();
  assert.deepEqual(calls, Array.from({ length: 50 }, (_, i) => i).filter((i) => i !== 3));
  assert.equal(getEventListeners(ac.signal, 'abort').length, 0);
});

void test('the same callback registered twice is two waiters; a throwing waiter does not stop the others', () => {
  const ac = new AbortController();
  let n = 0;
  const cb = (): void => {
    n++;
  };
  onAbort(ac.signal, cb);
  onAbort(ac.signal, () => {
    throw new Error('boom');
  });
  const cancel = onAbort(ac.signal, cb);
  onAbort(ac.signal, cb);
  cancel();
  ac.abort();
  assert.equal(n, 2);
});

void test('an already aborted signal calls back at once and registers nothing', () => {
  const signal = AbortSignal.abort();
  let called = 0;
  const cancel = onAbort(signal, () => called++);
  assert.equal(called, 1);
  cancel();
  assert.equal(getEventListeners(signal, 'abort').length, 0);
});

void test('waiters cancelled before the abort are not called; a new waiter after cancels still is', () => {
  const ac = new AbortController();
  let early = 0;
  let late = 0;
  for (let i = 0; i < 20; i++) onAbort(ac.signal, () => early++)();
  assert.equal(getEventListeners(ac.signal, 'abort').length, 0, 'no waiter left, no listener left');
  onAbort(ac.signal, () => late++);
  assert.equal(getEventListeners(ac.signal, 'abort').length, 1);
  ac.abort();
  assert.equal(early, 0);
  assert.equal(late, 1);
});

void test('the listener goes when the last of several waiters cancels, not before', () => {
  const ac = new AbortController();
  const cancels = Array.from({ length: 5 }, () => onAbort(ac.signal, () => undefined));
  for (const c of cancels.slice(0, 4)) c();
  assert.equal(getEventListeners(ac.signal, 'abort').length, 1);
  cancels[4]?.();
  assert.equal(getEventListeners(ac.signal, 'abort').length, 0);
  cancels[0]?.(); // a stale cancel after the listener went changes nothing
  let fired = 0;
  onAbort(ac.signal, () => fired++);
  ac.abort();
  assert.equal(fired, 1);
});

void test('a retained controller keeps its one listener between waits, and still calls only live waiters on abort', () => {
  const ac = retainedAbortController();
  let stale = 0;
  for (let i = 0; i < 20; i++) {
    onAbort(ac.signal, () => stale++)(); // one wait after another, as a queue's pulls
    assert.equal(getEventListeners(ac.signal, 'abort').length, 1, 'the listener stays while nothing waits');
  }
  let live = 0;
  onAbort(ac.signal, () => live++);
  onAbort(ac.signal, () => live++);
  assert.equal(getEventListeners(ac.signal, 'abort').length, 1);
  ac.abort();
  assert.equal(stale, 0);
  assert.equal(live, 2);
  assert.equal(getEventListeners(ac.signal, 'abort').length, 0, 'gone once fired');
  let late = 0;
  onAbort(ac.signal, () => late++);
  assert.equal(late, 1, 'an aborted signal calls back at once');
});
