import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgumentError } from '../../common/index.js';
import { REBALANCE_LOCK_MAX_LIVE_TIME_MS, RebalanceLockManager, type MessageQueue } from './rebalance-lock-manager.js';

const mq = (queueId: number, topic = 'T', brokerName = 'broker-a'): MessageQueue => ({ brokerName, queueId, topic });

function setup(lockMaxLiveTimeMs?: number): { locks: RebalanceLockManager; clock: { t: number; now(): number } } {
  const clock = { t: 1_000, now(): number { return this.t; } };
  const locks = lockMaxLiveTimeMs === undefined ? new RebalanceLockManager({ clock }) : new RebalanceLockManager({ clock, lockMaxLiveTimeMs });
  return { locks, clock };
}

void describe('RebalanceLockManager', () => {
  void it('locks free queues and refuses queues held by another live client', () => {
    const { locks } = setup();
    assert.deepEqual(locks.tryLockBatch('G', [mq(0), mq(1)], 'c1'), [mq(0), mq(1)]);
    assert.deepEqual(locks.tryLockBatch('G', [mq(1), mq(2)], 'c2'), [mq(2)]);
    assert.equal(locks.lockOwner('G', mq(1)), 'c1');
    assert.equal(locks.isLocked('G', mq(2), 'c2'), true);
    assert.equal(locks.isLocked('G', mq(2), 'c1'), false);
  });

  void it('keys queues by topic, brokerName and queueId, and groups independently', () => {
    const { locks } = setup();
    locks.tryLockBatch('G', [mq(0, 'T', 'b1')], 'c1');
    assert.equal(locks.tryLock('G', mq(0, 'T', 'b2'), 'c2'), true);
    assert.equal(locks.tryLock('G', mq(0, 'U', 'b1'), 'c2'), true);
    assert.equal(locks.tryLock('G2', mq(0, 'T', 'b1'), 'c2'), true);
    assert.equal(locks.tryLock('G', mq(0, 'T', 'b1'), 'c2'), false);
  });

  void it('returns each queue once when the request repeats it', () => {
    const { locks } = setup();
    assert.deepEqual(locks.tryLockBatch('G', [mq(3), mq(3), { topic: 'T', queueId: 3, brokerName: 'broker-a' }], 'c1'), [mq(3)]);
  });

  void it('renewal keeps a lock alive; an unrenewed lock expires after lockMaxLiveTime (60 s default)', () => {
    const { locks, clock } = setup();
    locks.tryLockBatch('G', [mq(0)], 'c1');
    clock.t += 50_000;
    assert.deepEqual(locks.tryLockBatch('G', [mq(0)], 'c1'), [mq(0)], 'renew');
    clock.t += REBALANCE_LOCK_MAX_LIVE_TIME_MS;
    assert.deepEqual(locks.tryLockBatch('G', [mq(0)], 'c2'), [], 'exactly 60 s after renewal is still held');
    clock.t += 1;
    assert.equal(locks.lockOwner('G', mq(0)), undefined);
    assert.equal(locks.isLocked('G', mq(0), 'c1'), false);
    assert.deepEqual(locks.tryLockBatch('G', [mq(0)], 'c2'), [mq(0)], 'expired lock taken over');
    assert.equal(locks.lockOwner('G', mq(0)), 'c2');
    assert.deepEqual(locks.tryLockBatch('G', [mq(0)], 'c1'), []);
  });

  void it('an owner whose lock expired gets it back if no one took it', () => {
    const { locks, clock } = setup(1_000);
    locks.tryLock('G', mq(0), 'c1');
    clock.t += 5_000;
    assert.equal(locks.tryLock('G', mq(0), 'c1'), true);
    assert.equal(locks.lockOwner('G', mq(0)), 'c1');
  });

  void it('honours a custom lockMaxLiveTimeMs and an explicit now', () => {
    const { locks } = setup(10);
    locks.tryLockBatch('G', [mq(0)], 'c1', 100);
    assert.deepEqual(locks.tryLockBatch('G', [mq(0)], 'c2', 110), []);
    assert.deepEqual(locks.tryLockBatch('G', [mq(0)], 'c2', 111), [mq(0)]);
  });

  void it('unlock releases only the caller\'s locks', () => {
    const { locks } = setup();
    locks.tryLockBatch('G', [mq(0), mq(1)], 'c1');
    locks.unlockBatch('G', [mq(0), mq(1), mq(9)], 'c2');
    assert.equal(locks.lockOwner('G', mq(0)), 'c1');
    locks.unlockBatch('G', [mq(0)], 'c1');
    assert.equal(locks.lockOwner('G', mq(0)), undefined);
    assert.deepEqual(locks.tryLockBatch('G', [mq(0), mq(1)], 'c2'), [mq(0)]);
    locks.unlockBatch('unknown', [mq(0)], 'c1');
    assert.deepEqual(locks.lockedQueues('G').map((l) => [l.mq.queueId, l.clientId]), [[1, 'c1'], [0, 'c2']]);
  });

  void it('removeExpired drops stale entries', () => {
    const { locks, clock } = setup();
    locks.tryLockBatch('G', [mq(0)], 'c1');
    clock.t += 30_000;
    locks.tryLockBatch('G2', [mq(0)], 'c1');
    assert.equal(locks.removeExpired(clock.t + 30_001), 1);
    assert.deepEqual(locks.lockedQueues('G', 0), []);
    assert.equal(locks.lockedQueues('G2').length, 1);
  });

  void it('keeps locks when a channel closes (they expire instead)', () => {
    const { locks } = setup();
    locks.tryLock('G', mq(0), 'c1');
    locks.doChannelCloseEvent({ id: 'x', remoteAddress: '', localAddress: '', isOpen: false, serializeType: 0,
      send: () => false, reply: () => undefined, invoke: () => Promise.reject(new Error('x')), invokeOneway: () => false, close: () => undefined });
    assert.equal(locks.lockOwner('G', mq(0)), 'c1');
  });

  void it('rejects a non-positive lockMaxLiveTimeMs', () => {
    assert.throws(() => new RebalanceLockManager({ clock: { now: () => 0 }, lockMaxLiveTimeMs: 0 }), InvalidArgumentError);
  });
});
