import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError, OrbitError, noopLogger } from '../../src/common/index.js';
import {
  DEFAULT_REMOTING_SERVER_CONFIG, RemotingServer, parseAddress, resolveRemotingClientConfig, resolveRemotingServerConfig,
} from '../../src/remoting/index.js';
import { startServer } from './support.js';

void test('config defaults and validation', () => {
  const c = resolveRemotingServerConfig();
  assert.equal(c.host, '127.0.0.1');
  assert.equal(c.idleTimeoutMs, 120_000);
  assert.equal(c.maxFrameBytes, 16_777_216);
  assert.ok(Object.isFrozen(c));
  assert.equal(DEFAULT_REMOTING_SERVER_CONFIG.port, 0);
  assert.throws(() => resolveRemotingServerConfig({ port: 70000 }), InvalidArgumentError);
  assert.throws(() => resolveRemotingServerConfig({ idleTimeoutMs: -1 }), /idleTimeoutMs/);
  assert.throws(() => resolveRemotingClientConfig({ connectTimeoutMs: 0 }), /connectTimeoutMs/);
});

void test('parseAddress', () => {
  assert.deepEqual(parseAddress('127.0.0.1:9876'), { host: '127.0.0.1', port: 9876 });
  assert.deepEqual(parseAddress('[::1]:10911'), { host: '::1', port: 10911 });
  for (const bad of ['', 'host', ':1', 'h:0', 'h:x', 'h:65536']) assert.throws(() => parseAddress(bad), InvalidArgumentError, bad);
});

void test('server lifecycle: address before start, double start, close before start', async (t) => {
  const s = new RemotingServer(resolveRemotingServerConfig(), { logger: noopLogger });
  assert.throws(() => s.address(), OrbitError);
  await s.close();
  const { server } = await startServer(t);
  await assert.rejects(server.start(), /cannot start/);
  assert.ok(server.address().port > 0);
});

void test('listening on a taken port fails start', async (t) => {
  const { port } = await startServer(t);
  const s = new RemotingServer(resolveRemotingServerConfig({ port }), { logger: noopLogger });
  await assert.rejects(s.start(), /EADDRINUSE/);
  await s.close();
});
