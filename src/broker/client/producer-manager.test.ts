import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { noopLogger } from '../../common/index.js';
import type { RemotingCommand } from '../../protocol/index.js';
import { SerializeType } from '../../protocol/index.js';
import type { RemotingChannel } from '../../remoting/index.js';
import { ProducerManager } from './producer-manager.js';

class FakeChannel implements RemotingChannel {
  readonly localAddress = '127.0.0.1:10911';
  readonly serializeType = SerializeType.JSON;
  isOpen = true;
  constructor(readonly id: string, readonly remoteAddress = '10.0.0.2:5000') {}
  send(): boolean { return this.isOpen; }
  reply(): void {}
  invoke(): Promise<RemotingCommand> { return Promise.reject(new Error('not supported')); }
  invokeOneway(): boolean { return this.isOpen; }
  close(): void { this.isOpen = false; }
}

function setup(): { mgr: ProducerManager; clock: { t: number; now(): number } } {
  const clock = { t: 0, now(): number { return this.t; } };
  return { mgr: new ProducerManager({ clock, logger: noopLogger }), clock };
}

const client = (channel: RemotingChannel, clientId: string): { channel: RemotingChannel; clientId: string; language: string; version: number } =>
  ({ channel, clientId, language: 'JAVA', version: 409 });

void describe('ProducerManager', () => {
  void it('registers, refreshes and unregisters producers', () => {
    const { mgr, clock } = setup();
    const a = new FakeChannel('a', '10.9.9.9:1234');
    assert.equal(mgr.registerProducer('PG', client(a, 'p1')), true);
    clock.t = 30_000;
    assert.equal(mgr.registerProducer('PG', client(a, 'p1')), false);
    assert.equal(mgr.getGroupClients('PG')?.get('p1')?.lastUpdateTimestamp, 30_000);
    assert.deepEqual(mgr.getConnections('PG'), [{ clientAddr: '10.9.9.9:1234', clientId: 'p1', language: 'JAVA', version: 409 }]);
    assert.deepEqual(mgr.getConnections('none'), []);
    assert.equal(mgr.findChannel('p1'), a);
    assert.deepEqual(mgr.groupsOfClient('p1'), ['PG']);
    assert.equal(mgr.unregisterProducer('PG', 'p1'), true);
    assert.equal(mgr.unregisterProducer('PG', 'p1'), false);
    assert.deepEqual(mgr.allGroups(), []);
    assert.equal(mgr.findChannel('p1'), undefined);
  });

  void it('channel close removes the channel from every group', () => {
    const { mgr } = setup();
    const a = new FakeChannel('a');
    const b = new FakeChannel('b');
    mgr.registerProducer('PG1', client(a, 'p1'));
    mgr.registerProducer('PG2', client(a, 'p1'));
    mgr.registerProducer('PG2', client(b, 'p2'));
    assert.deepEqual(mgr.doChannelCloseEvent(a), ['PG1', 'PG2']);
    assert.deepEqual(mgr.allGroups(), ['PG2']);
    assert.deepEqual([...(mgr.getGroupClients('PG2')?.keys() ?? [])], ['p2']);
  });

  void it('a reconnect moves the client; the old channel closing does not drop it', () => {
    const { mgr } = setup();
    const old = new FakeChannel('old');
    const neu = new FakeChannel('new');
    mgr.registerProducer('PG', client(old, 'p1'));
    assert.equal(mgr.registerProducer('PG', client(neu, 'p1')), true);
    assert.deepEqual(mgr.doChannelCloseEvent(old), []);
    assert.equal(mgr.findChannel('p1'), neu);
  });

  void it('scanNotActiveChannel closes producers silent for more than the timeout', () => {
    const { mgr, clock } = setup();
    const a = new FakeChannel('a');
    const b = new FakeChannel('b');
    mgr.registerProducer('PG', client(a, 'p1'));
    clock.t = 100_000;
    mgr.registerProducer('PG', client(b, 'p2'));
    assert.equal(mgr.scanNotActiveChannel(120_000), 0);
    assert.equal(mgr.scanNotActiveChannel(120_001), 1);
    assert.equal(a.isOpen, false);
    assert.equal(b.isOpen, true);
    assert.equal(mgr.scanNotActiveChannel(100_000 + 1_001, 1_000), 1);
    assert.deepEqual(mgr.allGroups(), []);
  });

  void it('getAvailableChannel round-robins over open channels and skips closed ones', () => {
    const { mgr } = setup();
    assert.equal(mgr.getAvailableChannel('PG'), undefined);
    const chans = ['a', 'b', 'c'].map((id) => new FakeChannel(id));
    chans.forEach((ch, i) => mgr.registerProducer('PG', client(ch, `p${i}`)));
    const picks = Array.from({ length: 6 }, () => mgr.getAvailableChannel('PG')?.id);
    assert.deepEqual(picks, ['a', 'b', 'c', 'a', 'b', 'c']);
    chans[1]?.close();
    const open = new Set(Array.from({ length: 6 }, () => mgr.getAvailableChannel('PG')?.id));
    assert.deepEqual([...open].sort(), ['a', 'c']);
    for (const ch of chans) ch.close();
    assert.equal(mgr.getAvailableChannel('PG'), undefined);
  });
});
