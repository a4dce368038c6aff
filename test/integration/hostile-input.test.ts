/**
 * Hostile input against a real name server + broker (startCluster): malformed
 * frames, random bytes, truncated frames, unknown codes and hundreds of idle
 * connections on both ports, and requests the broker must refuse with
 * RocketMQ's response codes (AbstractSendMessageProcessor.msgCheck,
 * TopicValidator, SendMessageProcessor, PullMessageProcessor, 4.9.8).
 * Meanwhile a well-behaved producer on its own connection must see no failure.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { encodeBatchBody } from '../../src/protocol/index.js';
import { noopLogger } from '../../src/common/index.js';
import {
  ResponseCode, SerializeType, createRequest, encodeFrame, type RemotingCommand,
} from '../../src/protocol/index.js';
import { RemotingClient, resolveRemotingClientConfig } from '../../src/remoting/index.js';
import { rawConnect, within, type RawPeer } from '../remoting/support.js';
import { startCluster, waitFor, type TestCluster } from '../support/cluster.js';
import {
  malformedFrames, pullRequest, randomBytes, rng, routeBrokerAddrs, routeRequest, sendBatch, sendV2,
} from '../support/raw-socket.js';

let seq = 0;
const unique = (p: string): string => `${p}_${process.pid}_${Date.now()}_${seq++}`;

interface Target {
  readonly name: 'broker' | 'namesrv';
  readonly port: number;
}

interface Harness {
  readonly cluster: TestCluster;
  readonly client: RemotingClient;
  readonly brokerAddr: string;
  readonly namesrvAddr: string;
  readonly topic: string;
  readonly targets: readonly Target[];
  /** Broker channels open before the attack (the producer's). */
  readonly baseBrokerChannels: number;
}

function newClient(cluster: TestCluster): RemotingClient {
  const client = new RemotingClient(resolveRemotingClientConfig({}), { logger: noopLogger });
  cluster.track(() => client.close());
  return client;
}

/** A producer doing back-to-back SEND_MESSAGE_V2 on its own connection until stopped. */
function startProducer(client: RemotingClient, addr: string, topic: string): { stop: () => Promise<{ ok: number; failures: string[] }> } {
  let running = true;
  let ok = 0;
  const failures: string[] = [];
  const loop = (async () => {
    for (let i = 0; running && i < 1_000_000; i++) {
      try {
        const res = await client.invoke(addr, sendV2(topic, Buffer.from(`good-${i}`), { queueId: i % 4 }), 5000);
        if (res.code === ResponseCode.SUCCESS) ok++;
        else failures.push(`send ${i}: code ${res.code} ${res.remark ?? ''}`);
      } catch (err: unknown) {
        failures.push(`send ${i}: ${String(err)}`);
      }
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { ok, failures };
    },
  };
}

/** Checks both servers still answer: a send on the broker, the topic's route on the name server. */
async function assertHealthy(h: Harness, client: RemotingClient): Promise<void> {
  const sent = await client.invoke(h.brokerAddr, sendV2(h.topic, Buffer.from('final')), 5000);
  assert.equal(sent.code, ResponseCode.SUCCESS, sent.remark);
  const route = await client.invoke(h.namesrvAddr, routeRequest(h.topic), 5000);
  assert.equal(route.code, ResponseCode.SUCCESS, route.remark);
  assert.deepEqual(routeBrokerAddrs(route), [h.brokerAddr]);
}

/**
 * Starts a one-broker cluster and a producer, runs `attack`, then asserts the
 * producer saw zero failures and both servers still work (on a new client).
 */
async function underAttack(t: TestContext, attack: (h: Harness) => Promise<void>): Promise<void> {
  const cluster = await startCluster(t, { brokers: 1 });
  const broker = cluster.brokers[0];
  assert.ok(broker !== undefined);
  const topic = unique('Hostile');
  await cluster.createTopic(topic, 4);
  const brokerAddr = broker.brokerAddr;
  const namesrvAddr = cluster.namesrvAddr;
  const client = newClient(cluster);
  const first = await client.invoke(brokerAddr, sendV2(topic, Buffer.from('warm-up')), 5000);
  assert.equal(first.code, ResponseCode.SUCCESS, first.remark);
  const nsPort = Number(namesrvAddr.split(':')[1]);
  const h: Harness = {
    cluster, client, brokerAddr, namesrvAddr, topic,
    targets: [{ name: 'broker', port: broker.address().port }, { name: 'namesrv', port: nsPort }],
    baseBrokerChannels: broker.context.server.channels().length,
  };
  const producer = startProducer(client, brokerAddr, topic);
  try {
    await attack(h);
  } finally {
    const { ok, failures } = await producer.stop();
    assert.deepEqual(failures, [], 'the well-behaved producer saw no failure');
    assert.ok(ok > 0, 'the well-behaved producer made progress');
  }
  await assertHealthy(h, newClient(cluster));
}

async function expectClosed(peer: RawPeer, what: string, timeoutMs = 3000): Promise<void> {
  await within(peer.closed, timeoutMs, `server closes the connection: ${what}`);
}

/** Sends `req` on a raw socket and waits for the one response frame. */
async function rawCall(peer: RawPeer, req: RemotingCommand, what: string): Promise<RemotingCommand> {
  const before = peer.frames.length;
  peer.socket.write(encodeFrame(req, SerializeType.JSON));
  await waitFor(() => peer.frames.length > before || peer.isClosed(), { timeoutMs: 3000, what });
  const res = peer.frames[before];
  assert.ok(res !== undefined, `${what}: a response, not a close`);
  return res;
}

void test('malformed frames close only the offending connection, on the broker and the name server', { timeout: 60_000 }, async (t) => {
  await underAttack(t, async (h) => {
    for (const target of h.targets) {
      for (const [what, bytes] of malformedFrames()) {
        const peer = await rawConnect(t, target.port);
        peer.socket.write(bytes);
        await expectClosed(peer, `${target.name}: ${what}`);
        assert.equal(peer.frames.length, 0, `${target.name}: ${what}: no reply`);
      }
    }
  });
});

void test('seeded random bytes are rejected or dropped at EOF, on both ports', { timeout: 60_000 }, async (t) => {
  await underAttack(t, async (h) => {
    const rand = rng(20240611);
    for (const target of h.targets) {
      for (let i = 0; i < 15; i++) {
        const bytes = randomBytes(rand, 1 + Math.floor(rand() * 8192));
        const peer = await rawConnect(t, target.port);
        // Rejected at once, or (a plausible length prefix) dropped when we half-close.
        peer.socket.end(bytes);
        await expectClosed(peer, `${target.name}: random ${i}`);
      }
    }
  });
});

void test('truncated frames followed by close are cleaned up, on both ports', { timeout: 60_000 }, async (t) => {
  await underAttack(t, async (h) => {
    const frame = encodeFrame(sendV2(h.topic, Buffer.alloc(2000, 7)), SerializeType.JSON);
    for (const target of h.targets) {
      for (let i = 0; i < 10; i++) {
        const peer = await rawConnect(t, target.port);
        peer.socket.end(frame.subarray(0, 3 + i * 200));
        await expectClosed(peer, `${target.name}: truncated ${i}`);
        assert.equal(peer.frames.length, 0);
      }
    }
    const broker = h.cluster.brokers[0];
    assert.ok(broker !== undefined);
    await waitFor(() => broker.context.server.channels().length === h.baseBrokerChannels, {
      timeoutMs: 3000, what: 'only the producer channel left on the broker',
    });
  });
});

void test('an unknown request code gets REQUEST_CODE_NOT_SUPPORTED and the connection stays usable', { timeout: 60_000 }, async (t) => {
  await underAttack(t, async (h) => {
    for (const target of h.targets) {
      const peer = await rawConnect(t, target.port);
      const res = await rawCall(peer, createRequest(9999, { opaque: 4242 }), `${target.name}: unknown code`);
      assert.equal(res.code, ResponseCode.REQUEST_CODE_NOT_SUPPORTED);
      assert.equal(res.opaque, 4242);
      assert.match(res.remark ?? '', /9999/);
      // The same connection still serves a real request afterwards.
      const next = target.name === 'broker' ? sendV2(h.topic, Buffer.from('after-unknown')) : routeRequest(h.topic);
      next.opaque = 4243;
      const ok = await rawCall(peer, next, `${target.name}: request after unknown code`);
      assert.equal(ok.code, ResponseCode.SUCCESS, ok.remark);
      assert.equal(ok.opaque, 4243);
      assert.equal(peer.isClosed(), false);
    }
  });
});

void test('300 idle (half-open) connections per port do not disturb other clients', { timeout: 90_000 }, async (t) => {
  await underAttack(t, async (h) => {
    const broker = h.cluster.brokers[0];
    assert.ok(broker !== undefined);
    const peers: RawPeer[] = [];
    for (const target of h.targets) {
      for (let i = 0; i < 300; i++) {
        const peer = await rawConnect(t, target.port);
        // Half of them start a frame and stall after 2 bytes of the length prefix.
        if (i % 2 === 1) peer.socket.write(Buffer.from([0, 0]));
        peers.push(peer);
      }
    }
    await waitFor(() => broker.context.server.channels().length >= h.baseBrokerChannels + 300, {
      timeoutMs: 5000, what: 'the broker accepted all idle connections',
    });
    // While they are all open, a fresh client is served by both servers.
    const fresh = newClient(h.cluster);
    await assertHealthy(h, fresh);
    assert.ok(peers.every((p) => !p.isClosed()), 'idle peers are not dropped before the idle timeout');
    for (const p of peers) p.socket.destroy();
    await within(Promise.all(peers.map((p) => p.closed)), 5000, 'idle peers closed');
    await waitFor(() => broker.context.server.channels().length <= h.baseBrokerChannels + 1, {
      timeoutMs: 5000, what: 'the broker released the idle channels',
    });
  });
});

void test('the broker refuses illegal sends and pulls with RocketMQ response codes', { timeout: 60_000 }, async (t) => {
  await underAttack(t, async (h) => {
    const bad = newClient(h.cluster);
    const call = (req: RemotingCommand): Promise<RemotingCommand> => bad.invoke(h.brokerAddr, req, 10_000);

    const illegal = await call(sendV2('bad topic!', Buffer.from('x')));
    assert.equal(illegal.code, ResponseCode.SYSTEM_ERROR);
    assert.match(illegal.remark ?? '', /topic\[bad topic!\] contains illegal characters/);

    const empty = await call(sendV2('', Buffer.from('x')));
    assert.equal(empty.code, ResponseCode.SYSTEM_ERROR);
    assert.match(empty.remark ?? '', /topic is blank/);

    const long = await call(sendV2('T'.repeat(128), Buffer.from('x')));
    assert.equal(long.code, ResponseCode.SYSTEM_ERROR);
    assert.match(long.remark ?? '', /longer than topic max length 127/);

    const huge = await call(sendV2(h.topic, Buffer.alloc(5 * 1024 * 1024, 1)));
    assert.equal(huge.code, ResponseCode.MESSAGE_ILLEGAL);
    assert.match(huge.remark ?? '', /maxMessageSize/);

    const schedule = await call(sendV2('SCHEDULE_TOPIC_XXXX', Buffer.from('x')));
    assert.equal(schedule.code, ResponseCode.NO_PERMISSION);
    assert.match(schedule.remark ?? '', /SCHEDULE_TOPIC_XXXX/);

    const missing = unique('NoSuchTopic');
    const pull = await call(pullRequest(unique('G'), missing, 0, 0));
    assert.equal(pull.code, ResponseCode.TOPIC_NOT_EXIST);
    assert.match(pull.remark ?? '', new RegExp(`topic\\[${missing}\\] not exist`));

    const garbage = await call(sendBatch(h.topic, Buffer.from('definitely not a batch body, 40 bytes..')));
    assert.equal(garbage.code, ResponseCode.MESSAGE_ILLEGAL);
    assert.match(garbage.remark ?? '', /batch/);

    // A batch whose first message claims more bytes than the body holds.
    const whole = encodeBatchBody([{ flag: 0, body: Buffer.from('abc'), properties: '' }]);
    const truncated = await call(sendBatch(h.topic, whole.subarray(0, whole.length - 1)));
    assert.equal(truncated.code, ResponseCode.MESSAGE_ILLEGAL);

    // None of these created a topic on the name server.
    for (const topic of ['bad topic!', 'T'.repeat(128), missing]) {
      const route = await bad.invoke(h.namesrvAddr, routeRequest(topic), 5000);
      assert.equal(route.code, ResponseCode.TOPIC_NOT_EXIST, topic);
    }
  });
});
