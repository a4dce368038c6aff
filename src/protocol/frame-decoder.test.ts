import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ProtocolError } from '../common/index.js';
import { FrameDecoder } from './frame-decoder.js';
import { decodeFramePayload, encodeFrame, encodeFrameParts } from './frame-codec.js';
import { SerializeType, createRequest, createResponse, type RemotingCommand } from './remoting-command.js';
import { RequestCode } from './request-code.js';
import { ResponseCode } from './response-code.js';
import { seededRandom as rng } from '../common/index.js';


const fixture = (name: string): Buffer => {
  const text = readFileSync(new URL(`../../test/fixtures/remoting/${name}.hex`, import.meta.url), 'utf8');
  const hex = text.split('\n').filter((l) => !l.startsWith('#')).join('').replace(/\s+/g, '');
  return Buffer.from(hex, 'hex');
};

function sample(): RemotingCommand[] {
  return [
    createRequest(RequestCode.SEND_MESSAGE_V2, {
      opaque: 1,
      extFields: { a: 'PG', b: 'TopicTest', e: '3', i: 'KEYS\u0001k1\u0002' },
      body: Buffer.from('hello wörld'),
    }),
    createResponse(ResponseCode.SUCCESS, undefined, { opaque: 1 }),
    createResponse(ResponseCode.TOPIC_NOT_EXIST, 'no route for topic: Tä', { opaque: 99, extFields: { x: '' } }),
    createRequest(RequestCode.HEART_BEAT, { opaque: 0x7fffffff, oneway: true, body: Buffer.alloc(70_000, 7) }),
    createRequest(RequestCode.PULL_MESSAGE, { opaque: -5, version: 121, language: 'CPP', remark: 'r' }),
  ];
}

function strip(cmd: RemotingCommand): RemotingCommand {
  const { serializeType: _s, ...rest } = cmd;
  return rest;
}

for (const type of [SerializeType.JSON, SerializeType.ROCKETMQ]) {
  void test(`round trip, whole stream in one chunk (type ${type})`, () => {
    const cmds = sample();
    const stream = Buffer.concat(cmds.map((c) => encodeFrame(c, type)));
    const out = new FrameDecoder().push(stream);
    assert.deepEqual(out.map(strip), cmds);
    for (const c of out) assert.equal(c.serializeType, type);
  });

  void test(`byte-at-a-time feeding (type ${type})`, () => {
    const cmds = sample().slice(0, 3);
    const stream = Buffer.concat(cmds.map((c) => encodeFrame(c, type)));
    const dec = new FrameDecoder();
    const out: RemotingCommand[] = [];
    for (let i = 0; i < stream.length; i++) out.push(...dec.push(stream.subarray(i, i + 1)));
    assert.deepEqual(out.map(strip), cmds);
    assert.equal(dec.bufferedBytes, 0);
  });

  void test(`random splits (type ${type})`, () => {
    const cmds = sample();
    const stream = Buffer.concat(cmds.map((c) => encodeFrame(c, type)));
    const rand = rng(42 + type);
    for (let round = 0; round < 50; round++) {
      const dec = new FrameDecoder();
      const out: RemotingCommand[] = [];
      let off = 0;
      while (off < stream.length) {
        const n = 1 + Math.floor(rand() * (rand() < 0.5 ? 16 : 20_000));
        out.push(...dec.push(stream.subarray(off, off + n)));
        off += n;
      }
      assert.deepEqual(out.map(strip), cmds);
    }
  });
}

void test('encodeFrameParts does not copy the body', () => {
  const body = Buffer.alloc(1024, 1);
  const parts = encodeFrameParts(createRequest(10, { body }), SerializeType.ROCKETMQ);
  assert.equal(parts.length, 2);
  assert.equal(parts[1], body);
  assert.equal(parts[0]?.readInt32BE(0), (parts[0]?.length ?? 0) - 4 + 1024);
});

void test('a big frame in many pieces is decoded once and linearly', () => {
  const body = Buffer.alloc(4 * 1024 * 1024, 9);
  const frame = encodeFrame(createRequest(10, { body }), SerializeType.ROCKETMQ);
  const dec = new FrameDecoder();
  const start = process.hrtime.bigint();
  let out: RemotingCommand[] = [];
  for (let off = 0; off < frame.length; off += 1000) out = out.concat(dec.push(frame.subarray(off, off + 1000)));
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  assert.equal(out.length, 1);
  assert.ok(out[0]?.body?.equals(body));
  assert.ok(ms < 2000, `took ${ms} ms`);
});

void test('a frame inside one chunk is decoded without copying the body', () => {
  const frame = encodeFrame(createRequest(10, { body: Buffer.from('abc') }), SerializeType.JSON);
  const [cmd] = new FrameDecoder().push(frame);
  assert.equal(cmd?.body?.buffer, frame.buffer);
});

void test('golden: JSON success response (Java layout)', () => {
  const bytes = fixture('json-success-response');
  const [cmd] = new FrameDecoder().push(bytes);
  const expected = createResponse(ResponseCode.SUCCESS, undefined, { opaque: 7 });
  assert.deepEqual(cmd, { ...expected, serializeType: SerializeType.JSON });
  assert.ok(encodeFrame(expected, SerializeType.JSON).equals(bytes));
});

void test('golden: JSON GET_ROUTEINFO_BY_TOPIC request', () => {
  const bytes = fixture('json-get-route-request');
  const expected = createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { opaque: 1, extFields: { topic: 'TopicTest' } });
  assert.deepEqual(new FrameDecoder().push(bytes).map(strip), [expected]);
  assert.ok(encodeFrame(expected, SerializeType.JSON).equals(bytes));
});

void test('golden: ROCKETMQ QUERY_CONSUMER_OFFSET request (HashMap key order)', () => {
  const bytes = fixture('binary-query-offset-request');
  // Insertion order = Java HashMap iteration order, so encoding is byte-exact.
  const expected = createRequest(RequestCode.QUERY_CONSUMER_OFFSET, {
    opaque: 42,
    extFields: { queueId: '3', topic: 'T1', consumerGroup: 'G1' },
  });
  assert.deepEqual(new FrameDecoder().push(bytes).map(strip), [expected]);
  assert.ok(encodeFrame(expected, SerializeType.ROCKETMQ).equals(bytes));
});

void test('golden: ROCKETMQ error response with remark and body', () => {
  const bytes = fixture('binary-error-response-with-body');
  const expected = createResponse(ResponseCode.TOPIC_NOT_EXIST, 'no route: Tö', { opaque: 42, body: Buffer.from('hi') });
  assert.deepEqual(new FrameDecoder().push(bytes).map(strip), [expected]);
  assert.ok(encodeFrame(expected, SerializeType.ROCKETMQ).equals(bytes));
});

function frameOf(length: number, word: number, rest: Buffer = Buffer.alloc(0)): Buffer {
  const b = Buffer.alloc(8);
  b.writeInt32BE(length, 0);
  b.writeUInt32BE(word >>> 0, 4);
  return Buffer.concat([b, rest]);
}

void test('rejects an oversize length before buffering', () => {
  const dec = new FrameDecoder();
  const prefix = Buffer.from([0x7f, 0xff, 0xff, 0xff]);
  assert.throws(() => dec.push(prefix), ProtocolError);
  assert.equal(dec.bufferedBytes, 0);
  // Limit counts the prefix like Netty: length + 4 ≤ max.
  const small = new FrameDecoder({ maxFrameBytes: 64 });
  assert.doesNotThrow(() => small.push(Buffer.from([0, 0, 0, 60])));
  assert.throws(() => new FrameDecoder({ maxFrameBytes: 64 }).push(Buffer.from([0, 0, 0, 61])), /exceeds max 64/);
});

void test('rejects an oversize length split over chunks', () => {
  const dec = new FrameDecoder();
  assert.deepEqual(dec.push(Buffer.from([0x01, 0x00])), []);
  assert.throws(() => dec.push(Buffer.from([0x00, 0x01])), ProtocolError);
});

void test('rejects negative and too-small lengths', () => {
  assert.throws(() => new FrameDecoder().push(frameOf(-1, 0)), /bad frame length -1/);
  assert.throws(() => new FrameDecoder().push(Buffer.from([0x80, 0, 0, 0])), /bad frame length/);
  assert.throws(() => new FrameDecoder().push(frameOf(3, 0)), /bad frame length 3/);
});

void test('rejects a header length beyond the frame', () => {
  assert.throws(() => new FrameDecoder().push(frameOf(4 + 10, 100, Buffer.alloc(10))), /bad header length 100/);
});

void test('rejects broken JSON, non-object JSON and bad field types', () => {
  for (const text of ['{"code":', '[1,2]', 'null', '{"code":"x"}', '{"code":1.5}', '{"extFields":[1]}', '{"remark":5}']) {
    const h = Buffer.from(text);
    assert.throws(() => new FrameDecoder().push(frameOf(4 + h.length, h.length, h)), ProtocolError, text);
  }
});

void test('rejects an unknown serialize type', () => {
  assert.throws(() => new FrameDecoder().push(frameOf(4, 0x02000000)), /unknown serialize type 2/);
});

void test('rejects truncated binary headers', () => {
  const good = encodeFrame(createRequest(10, { remark: 'abc', extFields: { k: 'v' } }), SerializeType.ROCKETMQ);
  const headerLen = good.readUInt32BE(4) & 0xffffff;
  for (let cut = 0; cut < headerLen; cut++) {
    const header = good.subarray(8, 8 + cut);
    const frame = frameOf(4 + cut, 0x01000000 | cut, header);
    assert.throws(() => new FrameDecoder().push(frame), ProtocolError, `cut ${cut}`);
  }
});

void test('stays failed after an error: never resynchronises', () => {
  const dec = new FrameDecoder();
  assert.throws(() => dec.push(frameOf(-7, 0)), ProtocolError);
  const good = encodeFrame(createRequest(10), SerializeType.JSON);
  assert.throws(() => dec.push(good), ProtocolError);
});

void test('decodeFramePayload leaves body undefined when empty', () => {
  const frame = encodeFrame(createRequest(10), SerializeType.ROCKETMQ);
  assert.equal(decodeFramePayload(frame.subarray(4)).body, undefined);
});

void test('frames before bad bytes in the same chunk are returned, then the decoder is failed', () => {
  const dec = new FrameDecoder();
  const good = encodeFrame(createRequest(10, { opaque: 5 }), SerializeType.JSON);
  const out = dec.push(Buffer.concat([good, frameOf(-1, 0)]));
  assert.deepEqual(out.map((c) => c.opaque), [5]);
  assert.ok(dec.error instanceof ProtocolError);
  assert.throws(() => dec.push(good), ProtocolError);
});
