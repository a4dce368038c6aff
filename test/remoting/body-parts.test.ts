import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'node:test';
import {
  ResponseCode, SerializeType, bodyOf, createRequest, createResponseFor, encodeFrame, encodeFrameParts, type RemotingCommand,
} from '../../src/protocol/index.js';
import { joinAdjacent } from '../../src/broker/processors/pull-message.js';
import { startServer } from './support.js';

const PARTS = 1001;

function parts(): Buffer[] {
  const shared = Buffer.from(Array.from({ length: 300 }, (_, i) => i & 0xff));
  // Views of one buffer, a separate buffer and an empty part.
  return [shared.subarray(0, 100), Buffer.from('separate'), Buffer.alloc(0), shared.subarray(100, 300)];
}

void test('a body in parts encodes to the single-buffer frame, in both serialisations', () => {
  for (const type of [SerializeType.JSON, SerializeType.ROCKETMQ]) {
    const p = parts();
    const split = createResponseFor(createRequest(1, { opaque: 7 }), ResponseCode.SUCCESS, undefined, { extFields: { a: '1' }, bodyParts: p });
    const whole = createResponseFor(createRequest(1, { opaque: 7 }), ResponseCode.SUCCESS, undefined, { extFields: { a: '1' }, body: Buffer.concat(p) });
    const encoded = encodeFrameParts(split, type);
    assert.equal(encoded.length, 4, 'head plus the three non-empty parts, not copied');
    assert.equal(encoded[1], p[0]);
    assert.deepEqual(Buffer.concat(encoded), encodeFrame(whole, type));
    assert.deepEqual(encodeFrame(split, type), encodeFrame(whole, type));
    assert.deepEqual(bodyOf(split), Buffer.concat(p));
  }
  const empty = createResponseFor(createRequest(1), ResponseCode.SUCCESS, undefined, { bodyParts: [Buffer.alloc(0)] });
  assert.deepEqual(encodeFrame(empty, SerializeType.ROCKETMQ), encodeFrame(createResponseFor(createRequest(1), ResponseCode.SUCCESS), SerializeType.ROCKETMQ));
  const both: RemotingCommand = { ...empty, body: Buffer.from('x'), bodyParts: [Buffer.from('y')] };
  assert.throws(() => encodeFrameParts(both, SerializeType.JSON), /either body or bodyParts/);
});

void test('a response with body parts reaches the wire byte for byte as the single-buffer encoding', async (t) => {
  const { server, port } = await startServer(t);
  let sent: RemotingCommand | undefined;
  server.registerProcessor(PARTS, (req) => {
    sent = createResponseFor(req, ResponseCode.SUCCESS, undefined, { extFields: { n: '4' }, bodyParts: parts() });
    return sent;
  });
  for (const type of [SerializeType.JSON, SerializeType.ROCKETMQ]) {
    const socket = connect({ host: '127.0.0.1', port });
    t.after(() => socket.destroy());
    const request = createRequest(PARTS, { opaque: 42 });
    socket.write(encodeFrame(request, type));
    const chunks: Buffer[] = [];
    const wire = await new Promise<Buffer>((resolve, reject) => {
      socket.on('error', reject);
      socket.on('data', (d: Buffer) => {
        chunks.push(d);
        const all = Buffer.concat(chunks);
        if (all.length >= 4 && all.length >= 4 + all.readInt32BE(0)) resolve(all);
      });
    });
    socket.destroy();
    assert.ok(sent !== undefined);
    const whole: RemotingCommand = { ...sent, bodyParts: undefined, body: Buffer.concat(parts()) };
    assert.deepEqual(wire, encodeFrame(whole, type));
    assert.equal(wire.readInt32BE(0), wire.length - 4);
  }
});

void test('joinAdjacent merges views that lie back to back in one buffer', () => {
  const a = Buffer.from('0123456789');
  const other = Buffer.from('xyz');
  const joined = joinAdjacent([a.subarray(0, 2), a.subarray(2, 5), other, a.subarray(5, 6), a.subarray(7, 10)]);
  assert.deepEqual(joined.map((b) => b.toString()), ['01234', 'xyz', '5', '789']);
  assert.equal(joined[0]?.buffer, a.buffer);
  assert.deepEqual(joinAdjacent([]), []);
});
