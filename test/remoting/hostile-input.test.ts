import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectionError } from '../../src/common/index.js';
import {
  ResponseCode, SerializeType, createRequest, createResponse, encodeFrame,
} from '../../src/protocol/index.js';
import type { RemotingServer } from '../../src/remoting/index.js';
import { ECHO, newClient, rawConnect, startPinger, startServer, waitFor, within, type RawPeer } from './support.js';
import { seededRandom as rng } from '../../src/common/index.js';


function prefix(length: number, word: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeInt32BE(length | 0, 0);
  b.writeUInt32BE(word >>> 0, 4);
  return b;
}

/** Frame with a JSON header of the given text. */
function jsonFrame(text: string): Buffer {
  const h = Buffer.from(text);
  return Buffer.concat([prefix(4 + h.length, h.length), h]);
}

interface Harness {
  server: RemotingServer;
  port: number;
  closeErrors: (Error | undefined)[];
}

/**
 * Runs `attack` while a well-behaved client does request/response on its
 * own connection; asserts that client saw no failure at all.
 */
async function underAttack(t: TestContext, idleTimeoutMs: number, attack: (h: Harness) => Promise<void>): Promise<void> {
  const closeErrors: (Error | undefined)[] = [];
  const { server, addr, port } = await startServer(t, { idleTimeoutMs }, {
    onChannelClose: (_ch, err) => closeErrors.push(err),
  });
  const client = newClient(t);
  await client.invoke(addr, createRequest(ECHO), 2000);
  const pinger = startPinger(client, addr);
  try {
    await attack({ server, port, closeErrors });
  } finally {
    const { ok, failures } = await pinger.stop();
    assert.deepEqual(failures, []);
    assert.ok(ok > 0, 'well-behaved client made progress');
  }
}

async function expectClosed(peer: RawPeer, what: string, timeoutMs = 2000): Promise<void> {
  await within(peer.closed, timeoutMs, `server closes connection: ${what}`);
}

void test('hostile frames close only the offending connection', async (t) => {
  await underAttack(t, 60_000, async ({ port, closeErrors }) => {
    const cases: [string, Buffer][] = [
      ['2 GiB length prefix', prefix(0x7fffffff, 0)],
      ['length just over 16 MiB', prefix(16 * 1024 * 1024 - 3, 0)],
      ['negative length', prefix(-1, 0)],
      ['most negative length', prefix(-0x80000000, 0)],
      ['length smaller than the header-length word', Buffer.from([0, 0, 0, 2, 0, 0])],
      ['header length beyond frame', Buffer.concat([prefix(4 + 10, 1000), Buffer.alloc(10)])],
      ['binary header length beyond frame', Buffer.concat([prefix(4 + 10, 0x01000000 | 0xffffff), Buffer.alloc(10)])],
      ['broken JSON header', jsonFrame('{"code":10,"opaque":')],
      ['JSON header that is an array', jsonFrame('[1,2,3]')],
      ['JSON header with a non-numeric code', jsonFrame('{"code":"ten","opaque":1}')],
      ['unknown serialize type', Buffer.concat([prefix(4 + 2, 0x07000002), Buffer.from('{}')])],
      ['truncated binary header', Buffer.concat([prefix(4 + 5, 0x01000005), Buffer.alloc(5)])],
      ['valid frame followed by garbage', Buffer.concat([
        encodeFrame(createRequest(ECHO, { opaque: 1 }), SerializeType.JSON), prefix(-5, 0)])],
    ];
    for (const [what, bytes] of cases) {
      const peer = await rawConnect(t, port);
      peer.socket.write(bytes);
      await expectClosed(peer, what);
    }
    await waitFor(() => closeErrors.length === cases.length, 2000, 'close events');
    assert.ok(closeErrors.every((e) => e !== undefined), 'every hostile close carries its error');
  });
});

void test('random bytes close the connection (seeded)', async (t) => {
  await underAttack(t, 500, async ({ port }) => {
    const rand = rng(7);
    for (let i = 0; i < 20; i++) {
      const bytes = Buffer.alloc(1 + Math.floor(rand() * 4096));
      for (let j = 0; j < bytes.length; j++) bytes[j] = Math.floor(rand() * 256);
      const peer = await rawConnect(t, port);
      peer.socket.write(bytes);
      // Rejected at once, or (a plausible length prefix) closed when idle.
      await expectClosed(peer, `random ${i}`, 3000);
    }
  });
});

void test('truncated frame then close is cleaned up', async (t) => {
  await underAttack(t, 60_000, async ({ server, port }) => {
    const frame = encodeFrame(createRequest(ECHO, { body: Buffer.alloc(1000) }), SerializeType.ROCKETMQ);
    for (let i = 0; i < 10; i++) {
      const peer = await rawConnect(t, port);
      peer.socket.end(frame.subarray(0, 20 + i * 50));
      await expectClosed(peer, `truncated ${i}`);
    }
    await waitFor(() => server.channels().length === 1, 2000, 'only the good channel left');
  });
});

void test('300 idle half-open connections are closed by the idle timeout', async (t) => {
  await underAttack(t, 300, async ({ server, port }) => {
    const peers: RawPeer[] = [];
    for (let i = 0; i < 300; i++) {
      const peer = await rawConnect(t, port);
      // Half of them start a frame and stall: 2 bytes of a length prefix.
      if (i % 2 === 1) peer.socket.write(Buffer.from([0, 0]));
      peers.push(peer);
    }
    await within(Promise.all(peers.map((p) => p.closed)), 5000, 'all idle peers closed');
    await waitFor(() => server.channels().length === 1, 2000, 'only the busy channel left');
  });
});

void test('a peer that never reads is paused, then dropped after the drain timeout', async (t) => {
  const closeErrors: (Error | undefined)[] = [];
  const { server, port, addr } = await startServer(t, { drainTimeoutMs: 200 }, {
    onChannelClose: (_ch, err) => closeErrors.push(err),
  });
  server.registerProcessor(50, () => createResponse(ResponseCode.SUCCESS, undefined, { body: Buffer.alloc(1024 * 1024) }));
  const client = newClient(t);
  const pinger = startPinger(client, addr);
  const peer = await rawConnect(t, port);
  peer.socket.pause();
  const req = encodeFrame(createRequest(50), SerializeType.ROCKETMQ);
  for (let i = 0; i < 64; i++) peer.socket.write(req);
  await waitFor(() => closeErrors.length === 1, 5000, 'stalled peer dropped');
  assert.ok(closeErrors[0] instanceof ConnectionError);
  assert.match(closeErrors[0].message, /stalled/);
  const { ok, failures } = await pinger.stop();
  assert.deepEqual(failures, []);
  assert.ok(ok > 0);
});
