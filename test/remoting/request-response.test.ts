import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectionError, OrbitError, TimeoutError, noopLogger } from '../../src/common/index.js';
import {
  RequestCode, ResponseCode, SerializeType, createRequest, createResponse, createResponseFor, encodeFrame,
  isResponse, type RemotingCommand,
} from '../../src/protocol/index.js';
import { RemotingServer, resolveRemotingServerConfig, type RemotingChannel } from '../../src/remoting/index.js';
import { ECHO, newClient, rawConnect, startServer, waitFor, within } from './support.js';

for (const [name, type] of [['JSON', SerializeType.JSON], ['ROCKETMQ', SerializeType.ROCKETMQ]] as const) {
  void test(`request/response in ${name}`, async (t) => {
    const { server, addr } = await startServer(t);
    let seenType: number | undefined;
    server.registerProcessor(RequestCode.GET_ROUTEINFO_BY_TOPIC, (req) => {
      seenType = req.serializeType;
      return createResponse(ResponseCode.SUCCESS, undefined, {
        extFields: { topic: req.extFields.topic ?? '' },
        body: Buffer.from('{"brokerDatas":[]}'),
      });
    });
    const client = newClient(t, { serializeType: type });
    const res = await client.invoke(addr, createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { extFields: { topic: 'Tö' } }), 2000);
    assert.equal(seenType, type);
    assert.equal(res.serializeType, type, 'answered in the request serialisation');
    assert.equal(res.code, ResponseCode.SUCCESS);
    assert.ok(isResponse(res));
    assert.equal(res.extFields.topic, 'Tö');
    assert.equal(res.body?.toString(), '{"brokerDatas":[]}');
    // Many concurrent requests share one connection and get matching answers.
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        client.invoke(addr, createRequest(ECHO, { remark: `r${i}`, body: Buffer.alloc(i * 100, i) }), 2000)),
    );
    results.forEach((r, i) => {
      assert.equal(r.remark, `r${i}`);
      assert.equal(r.body?.length ?? 0, i * 100);
    });
    assert.equal(server.channels().length, 1);
  });
}

void test('a large body round-trips', async (t) => {
  const { addr } = await startServer(t);
  const client = newClient(t, { serializeType: SerializeType.ROCKETMQ });
  const body = Buffer.alloc(8 * 1024 * 1024, 0xab);
  const res = await client.invoke(addr, createRequest(ECHO, { body }), 5000);
  assert.ok(res.body?.equals(body));
});

void test('unknown request code gets REQUEST_CODE_NOT_SUPPORTED', async (t) => {
  const { addr } = await startServer(t);
  const client = newClient(t);
  const res = await client.invoke(addr, createRequest(999), 2000);
  assert.equal(res.code, ResponseCode.REQUEST_CODE_NOT_SUPPORTED);
  assert.equal(res.remark, ' request type 999 not supported');
});

void test('the default processor takes unregistered codes', async (t) => {
  const { server, addr } = await startServer(t);
  server.registerDefaultProcessor((req) => createResponse(ResponseCode.SUCCESS, `default ${req.code}`));
  const res = await newClient(t).invoke(addr, createRequest(777), 2000);
  assert.equal(res.remark, 'default 777');
});

void test('a throwing processor gets SYSTEM_ERROR and the server keeps serving', async (t) => {
  const { server, addr } = await startServer(t);
  server.registerProcessor(1, () => {
    throw new Error('sync boom');
  });
  server.registerProcessor(2, () => Promise.reject(new Error('async boom')));
  const client = newClient(t);
  const a = await client.invoke(addr, createRequest(1), 2000);
  assert.equal(a.code, ResponseCode.SYSTEM_ERROR);
  assert.equal(a.remark, 'sync boom');
  const b = await client.invoke(addr, createRequest(2), 2000);
  assert.equal(b.code, ResponseCode.SYSTEM_ERROR);
  assert.equal(b.remark, 'async boom');
  const c = await client.invoke(addr, createRequest(ECHO, { remark: 'still here' }), 2000);
  assert.equal(c.remark, 'still here');
});

void test('a response the request serialisation cannot carry becomes SYSTEM_ERROR', async (t) => {
  const { server, addr } = await startServer(t);
  server.registerProcessor(3, () => createResponse(200050));
  const res = await newClient(t, { serializeType: SerializeType.ROCKETMQ }).invoke(addr, createRequest(3), 2000);
  assert.equal(res.code, ResponseCode.SYSTEM_ERROR);
});

void test('oneway requests get no response', async (t) => {
  const { server, port, addr } = await startServer(t);
  const seen: number[] = [];
  server.registerProcessor(RequestCode.UPDATE_CONSUMER_OFFSET, (req) => {
    seen.push(req.opaque);
    return createResponse(ResponseCode.SUCCESS);
  });
  server.registerProcessor(4, () => {
    throw new Error('oneway failure is silent');
  });
  const client = newClient(t);
  await client.invokeOneway(addr, createRequest(RequestCode.UPDATE_CONSUMER_OFFSET));
  await waitFor(() => seen.length === 1, 2000, 'oneway processed');

  // On a raw socket: oneway to a processor, to a throwing one and to an unknown
  // code, then a normal request. The only frame back is the normal answer.
  const peer = await rawConnect(t, port);
  const oneway = (code: number, opaque: number): Buffer =>
    encodeFrame(createRequest(code, { oneway: true, opaque }), SerializeType.JSON);
  peer.socket.write(Buffer.concat([
    oneway(RequestCode.UPDATE_CONSUMER_OFFSET, 11),
    oneway(4, 12),
    oneway(4242, 13),
    encodeFrame(createRequest(ECHO, { opaque: 14 }), SerializeType.JSON),
  ]));
  await waitFor(() => peer.frames.length >= 1, 2000, 'echo answer');
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(peer.frames.map((f) => f.opaque), [14]);
  assert.deepEqual(seen.slice(1), [11]);
});

void test('a raw JSON peer with ali-ons style headers gets a JSON answer', async (t) => {
  const { port } = await startServer(t);
  const peer = await rawConnect(t, port);
  const header = Buffer.from(`{"code":${ECHO},"language":"JAVA","opaque":77,"flag":0,"version":121,"extFields":{"queueId":0,"unitMode":false}}`);
  const prefix = Buffer.alloc(8);
  prefix.writeInt32BE(4 + header.length, 0);
  prefix.writeInt32BE(header.length, 4);
  peer.socket.write(Buffer.concat([prefix, header]));
  await waitFor(() => peer.frames.length === 1, 2000, 'answer');
  const res = peer.frames[0];
  assert.equal(res?.opaque, 77);
  assert.equal(res?.serializeType, SerializeType.JSON);
  assert.deepEqual(res?.extFields, { queueId: '0', unitMode: 'false' });
});

void test('server-initiated invoke and oneway reach client processors', async (t) => {
  const { server, addr } = await startServer(t);
  let channel: RemotingChannel | undefined;
  server.registerProcessor(RequestCode.HEART_BEAT, (_req, ctx) => {
    channel = ctx.channel;
    return createResponse(ResponseCode.SUCCESS);
  });
  const client = newClient(t, { serializeType: SerializeType.ROCKETMQ });
  const notified: string[] = [];
  client.registerProcessor(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, (req) => {
    notified.push(req.extFields.consumerGroup ?? '');
    return undefined;
  });
  client.registerProcessor(RequestCode.GET_CONSUMER_RUNNING_INFO, async (req) =>
    createResponse(ResponseCode.SUCCESS, undefined, { body: Buffer.from(`running ${req.extFields.clientId ?? ''}`) }));
  await client.invoke(addr, createRequest(RequestCode.HEART_BEAT), 2000);
  assert.ok(channel);
  assert.equal(channel.serializeType, SerializeType.ROCKETMQ, 'speaks the client\'s serialisation');
  assert.match(channel.id, /^ch-\d+$/);
  assert.match(channel.remoteAddress, /^127\.0\.0\.1:\d+$/);

  const info = await server.invoke(channel, createRequest(RequestCode.GET_CONSUMER_RUNNING_INFO, { extFields: { clientId: 'c1' } }), 2000);
  assert.equal(info.body?.toString(), 'running c1');
  assert.ok(channel.invokeOneway(createRequest(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, { extFields: { consumerGroup: 'G' } })));
  await waitFor(() => notified.length === 1, 2000, 'notify');
  assert.deepEqual(notified, ['G']);
  const unknown = await channel.invoke(createRequest(RequestCode.CHECK_TRANSACTION_STATE), 2000);
  assert.equal(unknown.code, ResponseCode.REQUEST_CODE_NOT_SUPPORTED);
});

for (const type of [SerializeType.JSON, SerializeType.ROCKETMQ]) {
  void test(`a processor may answer later through ctx.channel.reply / send (long polling, type ${type})`, async (t) => {
    const { server, addr } = await startServer(t);
    server.registerProcessor(RequestCode.PULL_MESSAGE, (req, ctx) => {
      setTimeout(() => ctx.channel.reply(req, createResponse(ResponseCode.PULL_NOT_FOUND)), 30);
      return undefined;
    });
    server.registerProcessor(RequestCode.QUERY_MESSAGE, (req, ctx) => {
      setTimeout(() => ctx.channel.send(createResponseFor(req, ResponseCode.QUERY_NOT_FOUND)), 10);
      return undefined;
    });
    const client = newClient(t, { serializeType: type });
    const res = await client.invoke(addr, createRequest(RequestCode.PULL_MESSAGE), 2000);
    assert.equal(res.code, ResponseCode.PULL_NOT_FOUND);
    assert.equal(res.serializeType, type);
    const q = await client.invoke(addr, createRequest(RequestCode.QUERY_MESSAGE), 2000);
    assert.equal(q.code, ResponseCode.QUERY_NOT_FOUND);
  });
}

void test('timeouts reject with TimeoutError and late answers are dropped', async (t) => {
  const { server, addr } = await startServer(t);
  const late: (() => void)[] = [];
  server.registerProcessor(5, () => new Promise<RemotingCommand>((resolve) => {
    late.push(() => resolve(createResponse(ResponseCode.SUCCESS)));
  }));
  const client = newClient(t);
  const started = Date.now();
  await assert.rejects(client.invoke(addr, createRequest(5), 100), TimeoutError);
  assert.ok(Date.now() - started < 1000);
  for (const f of late) f();
  const res = await client.invoke(addr, createRequest(ECHO, { remark: 'after' }), 2000);
  assert.equal(res.remark, 'after');
});

void test('requests with different timeouts on one connection each time out at their own deadline', async (t) => {
  const { server, addr } = await startServer(t);
  server.registerProcessor(5, () => new Promise<undefined>(() => undefined));
  const client = newClient(t);
  await client.invoke(addr, createRequest(ECHO), 2000); // connected
  const started = performance.now();
  const settledAt = (p: Promise<unknown>): Promise<number> => p.then(
    () => { throw new Error('resolved instead of timing out'); },
    (err: unknown) => {
      assert.ok(err instanceof TimeoutError, String(err));
      return performance.now() - started;
    },
  );
  const long = settledAt(client.invoke(addr, createRequest(5), 600)); // the first deadline armed
  const short = settledAt(client.invoke(addr, createRequest(5), 100)); // an earlier one must move it
  const answered = client.invoke(addr, createRequest(ECHO, { remark: 'in time' }), 300);
  assert.equal((await answered).remark, 'in time');
  const shortAt = await short;
  assert.ok(shortAt >= 95 && shortAt < 500, `short timed out after ${shortAt.toFixed(0)} ms`);
  const longAt = await long;
  assert.ok(longAt >= 595 && longAt < 1500, `long timed out after ${longAt.toFixed(0)} ms`);
});

void test('abort signal cancels a pending invoke', async (t) => {
  const { server, addr } = await startServer(t);
  server.registerProcessor(6, () => new Promise<undefined>(() => undefined));
  const client = newClient(t);
  const ac = new AbortController();
  const p = client.invoke(addr, createRequest(6), 5000, ac.signal);
  setTimeout(() => ac.abort(), 20);
  await assert.rejects(p, (err: unknown) => err instanceof OrbitError && err.code === 'ABORTED');
});

void test('connection loss fails pending requests with ConnectionError', async (t) => {
  const { server, addr } = await startServer(t);
  server.registerProcessor(7, (_req, ctx) => {
    setTimeout(() => ctx.channel.close(), 10);
    return new Promise<undefined>(() => undefined);
  });
  const client = newClient(t);
  const pending = Array.from({ length: 5 }, () => client.invoke(addr, createRequest(7), 5000));
  for (const p of pending) await assert.rejects(p, ConnectionError);
  const res = await client.invoke(addr, createRequest(ECHO, { remark: 'reconnected' }), 2000);
  assert.equal(res.remark, 'reconnected');
});

void test('connect failure is a ConnectionError', async (t) => {
  const { server, addr } = await startServer(t);
  await server.close();
  await assert.rejects(newClient(t).invoke(addr, createRequest(ECHO), 2000), ConnectionError);
});

void test('client reconnects after a server restart on the same port', async (t) => {
  const first = await startServer(t);
  const client = newClient(t);
  assert.equal((await client.invoke(first.addr, createRequest(ECHO, { remark: 'a' }), 2000)).remark, 'a');
  await first.server.close();
  await assert.rejects(client.invoke(first.addr, createRequest(ECHO), 2000), ConnectionError);
  const second = await startServer(t, { port: first.port });
  assert.equal(second.addr, first.addr);
  assert.equal((await client.invoke(first.addr, createRequest(ECHO, { remark: 'b' }), 2000)).remark, 'b');
});

void test('closed client rejects further use', async (t) => {
  const { addr } = await startServer(t);
  const client = newClient(t);
  await client.invoke(addr, createRequest(ECHO), 2000);
  await client.close();
  await client.close();
  await assert.rejects(client.invoke(addr, createRequest(ECHO), 2000), ConnectionError);
});

void test('concurrent first callers share one connecting promise', async (t) => {
  const { server, addr } = await startServer(t);
  const client = newClient(t);
  await Promise.all(Array.from({ length: 20 }, () => client.invoke(addr, createRequest(ECHO), 2000)));
  assert.equal(server.channels().length, 1);
});

void test('channel events: connect and close', async (t) => {
  const events: string[] = [];
  const { addr } = await startServer(t, {}, {
    onChannelConnect: (ch) => events.push(`connect ${ch.id}`),
    onChannelClose: (ch) => events.push(`close ${ch.id}`),
  });
  const client = newClient(t);
  await client.invoke(addr, createRequest(ECHO), 2000);
  client.closeChannel(addr);
  await waitFor(() => events.length === 2, 2000, 'close event');
  assert.match(events[0] ?? '', /^connect ch-\d+$/);
  assert.equal(events[1], events[0]?.replace('connect', 'close'));
});

void test('graceful close waits for in-flight processors, then destroys; idempotent', async (t) => {
  const { server, addr } = await startServer(t);
  server.registerProcessor(8, () => new Promise<RemotingCommand>((resolve) =>
    setTimeout(() => resolve(createResponse(ResponseCode.SUCCESS, 'done')), 100)));
  server.registerProcessor(9, () => new Promise<undefined>(() => undefined));
  const client = newClient(t);
  const slow = client.invoke(addr, createRequest(8), 2000);
  await waitFor(() => server.inFlight === 1, 2000, 'in flight');
  const c1 = server.close({ graceMs: 1000 });
  const c2 = server.close();
  assert.equal(c1, c2);
  assert.equal((await slow).remark, 'done');
  await within(c1, 2000, 'close');

  const other = await startServer(t);
  other.server.registerProcessor(9, () => new Promise<undefined>(() => undefined));
  const stuck = client.invoke(other.addr, createRequest(9), 5000);
  await waitFor(() => other.server.inFlight === 1, 2000, 'stuck in flight');
  const started = Date.now();
  await within(other.server.close({ graceMs: 50 }), 2000, 'forced close');
  assert.ok(Date.now() - started < 1000);
  await assert.rejects(stuck, ConnectionError);
});

void test('a ROCKETMQ client keeps its serialisation when the server asks in JSON', async (t) => {
  let channel: RemotingChannel | undefined;
  const { addr } = await startServer(t, { serializeType: SerializeType.JSON }, {
    onChannelConnect: (ch) => {
      channel = ch;
    },
  });
  const client = newClient(t, { serializeType: SerializeType.ROCKETMQ });
  const seen: (number | undefined)[] = [];
  client.registerProcessor(RequestCode.GET_CONSUMER_RUNNING_INFO, (req) => {
    seen.push(req.serializeType);
    return createResponse(ResponseCode.SUCCESS);
  });
  await client.getChannel(addr);
  await waitFor(() => channel !== undefined, 2000, 'server channel');
  assert.ok(channel);
  // Before the client has spoken, the server asks in its default (JSON).
  const res = await channel.invoke(createRequest(RequestCode.GET_CONSUMER_RUNNING_INFO), 2000);
  assert.equal(res.serializeType, SerializeType.JSON, 'client answers in the request type');
  assert.deepEqual(seen, [SerializeType.JSON]);
  const again = await client.invoke(addr, createRequest(ECHO), 2000);
  assert.equal(again.serializeType, SerializeType.ROCKETMQ, 'client still asks in ROCKETMQ');
  assert.equal(channel.serializeType, SerializeType.ROCKETMQ, 'server channel now follows the client');
});

void test('a server bound with serve: false closes connections until serve(): a retriable ConnectionError, then answers', async (t) => {
  const server = new RemotingServer(resolveRemotingServerConfig({ host: '127.0.0.1', port: 0 }), { logger: noopLogger });
  t.after(() => server.close({ graceMs: 0 }));
  await server.start({ serve: false });
  const addr = `127.0.0.1:${server.address().port}`;
  const client = newClient(t);
  const early = await client.invoke(addr, createRequest(ECHO, { remark: 'early' }), 2000).then(
    () => undefined,
    (err: unknown) => err,
  );
  assert.ok(early instanceof ConnectionError, `got ${String(early)}`);
  assert.equal(early.retriable, true);
  server.registerProcessor(ECHO, (req) => createResponseFor(req, ResponseCode.SUCCESS, req.remark));
  server.serve();
  const res = await client.invoke(addr, createRequest(ECHO, { remark: 'ready' }), 2000);
  assert.equal(res.remark, 'ready');
});
