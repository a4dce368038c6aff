import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { noopLogger } from '../../common/index.js';
import type { RemotingCommand } from '../../protocol/index.js';
import { SerializeType } from '../../protocol/index.js';
import type { RemotingChannel } from '../../remoting/index.js';
import { buildSubscriptionData, type SubscriptionData } from '../subscription-data.js';
import {
  CHANNEL_EXPIRED_TIMEOUT_MS, ConsumerManager, createConsumerIdsChangeListener, type ConsumerGroupEvent, type ConsumerRegistration,
} from './consumer-manager.js';

class FakeChannel implements RemotingChannel {
  readonly localAddress = '127.0.0.1:10911';
  readonly serializeType = SerializeType.JSON;
  isOpen = true;
  readonly oneway: RemotingCommand[] = [];
  constructor(readonly id: string, readonly remoteAddress = `10.0.0.1:${id.length + 40000}`) {}
  send(): boolean { return this.isOpen; }
  reply(): void {}
  invoke(): Promise<RemotingCommand> { return Promise.reject(new Error('not supported')); }
  invokeOneway(cmd: RemotingCommand): boolean { this.oneway.push(cmd); return this.isOpen; }
  close(): void { this.isOpen = false; }
}

interface Event { event: ConsumerGroupEvent; group: string; channels: string[] }

function setup(start = 1_000): { mgr: ConsumerManager; events: Event[]; clock: { t: number; now(): number } } {
  const clock = { t: start, now(): number { return this.t; } };
  const events: Event[] = [];
  const mgr = new ConsumerManager({
    clock,
    logger: noopLogger,
    listener: (event, group, channels) => events.push({ event, group, channels: channels.map((c) => c.id) }),
  });
  return { mgr, events, clock };
}

const sub = (topic: string, subString = '*', subVersion = 1): SubscriptionData => buildSubscriptionData(topic, subString, subVersion);
const reg = (...subs: SubscriptionData[]): ConsumerRegistration => ({
  consumeType: 'CONSUME_PASSIVELY', messageModel: 'CLUSTERING', consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET', subscriptionDataSet: subs,
});
const client = (channel: RemotingChannel, clientId: string): { channel: RemotingChannel; clientId: string; language: string; version: number } =>
  ({ channel, clientId, language: 'JAVA', version: 409 });

void describe('ConsumerManager', () => {
  void it('registers a new client: changed, CHANGE + REGISTER with the group channels', () => {
    const { mgr, events } = setup();
    const ch = new FakeChannel('a');
    assert.equal(mgr.registerConsumer('G', client(ch, 'c1'), reg(sub('T', 'TagA'))), true);
    assert.deepEqual(events, [
      { event: 'CHANGE', group: 'G', channels: ['a'] },
      { event: 'REGISTER', group: 'G', channels: ['a'] },
    ]);
    assert.equal(mgr.findSubscriptionData('G', 'T')?.subString, 'TagA');
    assert.equal(mgr.findSubscriptionData('G', 'other'), undefined);
    assert.equal(mgr.findSubscriptionData('nope', 'T'), undefined);
    assert.deepEqual(mgr.allGroups(), ['G']);
    assert.equal(mgr.findChannel('G', 'c1')?.channel, ch);
  });

  void it('a repeated heartbeat only refreshes the timestamp', () => {
    const { mgr, events, clock } = setup();
    const ch = new FakeChannel('a');
    mgr.registerConsumer('G', client(ch, 'c1'), reg(sub('T')));
    events.length = 0;
    clock.t += 30_000;
    assert.equal(mgr.registerConsumer('G', client(ch, 'c1'), reg(sub('T'))), false);
    assert.equal(events.length, 0);
    assert.equal(mgr.getConsumerGroupInfo('G')?.channels.get('c1')?.lastUpdateTimestamp, clock.t);
  });

  void it('a second client notifies every channel of the group', () => {
    const { mgr, events } = setup();
    mgr.registerConsumer('G', client(new FakeChannel('a'), 'c1'), reg(sub('T')));
    events.length = 0;
    assert.equal(mgr.registerConsumer('G', client(new FakeChannel('b'), 'c2'), reg(sub('T'))), true);
    assert.deepEqual(events[0], { event: 'CHANGE', group: 'G', channels: ['a', 'b'] });
    assert.deepEqual(mgr.getConsumerGroupInfo('G')?.allClientIds(), ['c1', 'c2']);
  });

  void it('updates subscriptions: newer subVersion replaces quietly, older is ignored, added/removed topics change', () => {
    const { mgr, events } = setup();
    const ch = new FakeChannel('a');
    mgr.registerConsumer('G', client(ch, 'c1'), reg(sub('T', 'A', 10)));
    events.length = 0;
    assert.equal(mgr.registerConsumer('G', client(ch, 'c1'), reg(sub('T', 'B', 11))), false);
    assert.equal(mgr.findSubscriptionData('G', 'T')?.subString, 'B');
    assert.equal(mgr.registerConsumer('G', client(ch, 'c1'), reg(sub('T', 'C', 5))), false);
    assert.equal(mgr.findSubscriptionData('G', 'T')?.subString, 'B');
    assert.equal(events.length, 0);
    assert.equal(mgr.registerConsumer('G', client(ch, 'c1'), reg(sub('T', 'B', 11), sub('U'))), true);
    assert.deepEqual(mgr.groupsOfTopic('U'), ['G']);
    assert.equal(mgr.registerConsumer('G', client(ch, 'c1'), reg(sub('U'))), true);
    assert.equal(mgr.findSubscriptionData('G', 'T'), undefined);
    assert.deepEqual(mgr.groupsOfTopic('T'), []);
    assert.deepEqual(events.map((e) => e.event), ['CHANGE', 'REGISTER', 'CHANGE', 'REGISTER']);
  });

  void it('notifyConsumerIdsChangedEnable=false suppresses CHANGE but still registers', () => {
    const { mgr, events } = setup();
    assert.equal(mgr.registerConsumer('G', client(new FakeChannel('a'), 'c1'), reg(sub('T')), false), true);
    assert.deepEqual(events.map((e) => e.event), ['REGISTER']);
  });

  void it('unregister notifies the rest; the last client drops the group with UNREGISTER', () => {
    const { mgr, events } = setup();
    mgr.registerConsumer('G', client(new FakeChannel('a'), 'c1'), reg(sub('T')));
    mgr.registerConsumer('G', client(new FakeChannel('b'), 'c2'), reg(sub('T')));
    events.length = 0;
    assert.equal(mgr.unregisterConsumer('G', 'c1'), true);
    assert.deepEqual(events, [{ event: 'CHANGE', group: 'G', channels: ['b'] }]);
    assert.equal(mgr.unregisterConsumer('G', 'c1'), false);
    assert.equal(mgr.unregisterConsumer('other', 'c2'), false);
    events.length = 0;
    assert.equal(mgr.unregisterConsumer('G', 'c2'), true);
    assert.deepEqual(events, [{ event: 'UNREGISTER', group: 'G', channels: [] }, { event: 'CHANGE', group: 'G', channels: [] }]);
    assert.equal(mgr.getConsumerGroupInfo('G'), undefined);
    assert.equal(mgr.findSubscriptionData('G', 'T'), undefined);
  });

  void it('channel close removes its clients from every group', () => {
    const { mgr, events } = setup();
    const a = new FakeChannel('a');
    const b = new FakeChannel('b');
    mgr.registerConsumer('G1', client(a, 'c1'), reg(sub('T')));
    mgr.registerConsumer('G2', client(a, 'c1'), reg(sub('T')));
    mgr.registerConsumer('G2', client(b, 'c2'), reg(sub('T')));
    events.length = 0;
    assert.deepEqual(mgr.doChannelCloseEvent(a), ['G1', 'G2']);
    assert.equal(mgr.getConsumerGroupInfo('G1'), undefined);
    assert.deepEqual(mgr.getConsumerGroupInfo('G2')?.allClientIds(), ['c2']);
    assert.deepEqual(events, [
      { event: 'UNREGISTER', group: 'G1', channels: [] },
      { event: 'CHANGE', group: 'G1', channels: [] },
      { event: 'CHANGE', group: 'G2', channels: ['b'] },
    ]);
    assert.deepEqual(mgr.doChannelCloseEvent(a), []);
  });

  void it('a reconnect under the same clientId moves the client; the old channel closing later does not drop it', () => {
    const { mgr } = setup();
    const old = new FakeChannel('old');
    const neu = new FakeChannel('new');
    mgr.registerConsumer('G', client(old, 'c1'), reg(sub('T')));
    assert.equal(mgr.registerConsumer('G', client(neu, 'c1'), reg(sub('T'))), true);
    assert.deepEqual(mgr.doChannelCloseEvent(old), []);
    assert.equal(mgr.findChannel('G', 'c1')?.channel, neu);
  });

  void it('scanNotActiveChannel closes clients silent for more than 120 s and notifies the rest', () => {
    const { mgr, events, clock } = setup(0);
    const a = new FakeChannel('a');
    const b = new FakeChannel('b');
    mgr.registerConsumer('G', client(a, 'c1'), reg(sub('T')));
    clock.t = 60_000;
    mgr.registerConsumer('G', client(b, 'c2'), reg(sub('T')));
    events.length = 0;
    assert.equal(mgr.scanNotActiveChannel(CHANNEL_EXPIRED_TIMEOUT_MS, CHANNEL_EXPIRED_TIMEOUT_MS), 0, 'exactly 120 s is not expired');
    clock.t = CHANNEL_EXPIRED_TIMEOUT_MS + 1;
    assert.equal(mgr.scanNotActiveChannel(), 1);
    assert.equal(a.isOpen, false);
    assert.equal(b.isOpen, true);
    assert.deepEqual(events, [{ event: 'CHANGE', group: 'G', channels: ['b'] }]);
    events.length = 0;
    assert.equal(mgr.scanNotActiveChannel(60_000 + 5_001, 5_000), 1);
    assert.equal(mgr.getConsumerGroupInfo('G'), undefined);
    assert.deepEqual(events.map((e) => e.event), ['UNREGISTER', 'CHANGE']);
  });

  void it('exposes the ConsumerConnection admin body', () => {
    const { mgr } = setup();
    mgr.registerConsumer('G', client(new FakeChannel('a', '10.1.2.3:5555'), 'c1'), {
      consumeType: 'CONSUME_ACTIVELY', messageModel: 'BROADCASTING', consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET', subscriptionDataSet: [sub('T', 'X')],
    });
    assert.deepEqual(mgr.getConsumerConnection('G'), {
      connectionSet: [{ clientAddr: '10.1.2.3:5555', clientId: 'c1', language: 'JAVA', version: 409 }],
      subscriptionTable: { T: sub('T', 'X') },
      consumeType: 'CONSUME_ACTIVELY',
      messageModel: 'BROADCASTING',
      consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
    });
    assert.equal(mgr.getConsumerConnection('none'), undefined);
  });

  void it('survives a throwing listener', () => {
    const mgr = new ConsumerManager({ clock: { now: () => 0 }, logger: noopLogger, listener: () => { throw new Error('boom'); } });
    assert.equal(mgr.registerConsumer('G', client(new FakeChannel('a'), 'c1'), reg()), true);
    assert.equal(mgr.unregisterConsumer('G', 'c1'), true);
  });
});

void describe('createConsumerIdsChangeListener', () => {
  void it('notifies on CHANGE with channels unless the group config disables it', () => {
    const sent: [string, string[]][] = [];
    const flags = new Map([['OFF', { notifyConsumerIdsChangedEnable: false }], ['ON', { notifyConsumerIdsChangedEnable: true }]]);
    const listener = createConsumerIdsChangeListener({ groups: flags, notify: (g, chs) => sent.push([g, chs.map((c) => c.id)]) });
    const a = new FakeChannel('a');
    listener('CHANGE', 'ON', [a]);
    listener('CHANGE', 'UNKNOWN', [a]);
    listener('CHANGE', 'OFF', [a]);
    listener('CHANGE', 'ON', []);
    listener('REGISTER', 'ON', [a]);
    listener('UNREGISTER', 'ON', []);
    assert.deepEqual(sent, [['ON', ['a']], ['UNKNOWN', ['a']]]);
  });
});
