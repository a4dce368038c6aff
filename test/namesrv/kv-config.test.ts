import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { NamesrvAdminRequestCode, RequestCode, ResponseCode } from '../../src/protocol/index.js';
import { tempDir } from '../support/temp-dir.js';
import { at, call, getRoute, json, newClient, registerBroker, startNamesrv } from './support.js';

void test('KV config round trip', async (t) => {
  const { addr } = await startNamesrv(t);
  const client = newClient(t);
  const put = await call(client, addr, RequestCode.PUT_KV_CONFIG, { namespace: 'ns', key: 'k1', value: 'v1' });
  assert.equal(put.code, ResponseCode.SUCCESS);
  await call(client, addr, RequestCode.PUT_KV_CONFIG, { namespace: 'ns', key: 'k2', value: 'v2' });
  const got = await call(client, addr, RequestCode.GET_KV_CONFIG, { namespace: 'ns', key: 'k1' });
  assert.equal(got.code, ResponseCode.SUCCESS);
  assert.equal(got.extFields.value, 'v1');
  const missing = await call(client, addr, RequestCode.GET_KV_CONFIG, { namespace: 'ns', key: 'nope' });
  assert.equal(missing.code, ResponseCode.QUERY_NOT_FOUND);
  assert.equal(missing.remark, 'No config item, Namespace: ns Key: nope');
  assert.deepEqual(json(await call(client, addr, RequestCode.GET_KVLIST_BY_NAMESPACE, { namespace: 'ns' })),
    { table: { k1: 'v1', k2: 'v2' } });
  await call(client, addr, RequestCode.DELETE_KV_CONFIG, { namespace: 'ns', key: 'k1' });
  assert.equal((await call(client, addr, RequestCode.GET_KV_CONFIG, { namespace: 'ns', key: 'k1' })).code, ResponseCode.QUERY_NOT_FOUND);
  const noNs = await call(client, addr, RequestCode.GET_KVLIST_BY_NAMESPACE, { namespace: 'other' });
  assert.equal(noNs.code, ResponseCode.QUERY_NOT_FOUND);
  assert.equal(noNs.remark, 'No config item, Namespace: other');
  assert.equal((await call(client, addr, RequestCode.PUT_KV_CONFIG, { namespace: 'ns', key: 'k' })).code, ResponseCode.SYSTEM_ERROR);
});

void test('ORDER_TOPIC_CONFIG reaches brokers and, when enabled, routes', async (t) => {
  const { addr } = await startNamesrv(t, { orderMessageEnable: true });
  const client = newClient(t);
  await call(client, addr, RequestCode.PUT_KV_CONFIG, { namespace: 'ORDER_TOPIC_CONFIG', key: 'Ordered', value: 'a:4' });
  const reg = await registerBroker(client, addr, { brokerName: 'a', brokerAddr: '127.0.0.1:10911', brokerId: 0, topics: [{ name: 'Ordered' }] });
  assert.deepEqual(json(reg), { table: { Ordered: 'a:4' } });
  assert.equal(at(json(await getRoute(client, addr, 'Ordered')), 'orderTopicConf'), 'a:4');
  // Turning it off at run time (UPDATE_NAMESRV_CONFIG) drops orderTopicConf.
  const upd = await call(client, addr, NamesrvAdminRequestCode.UPDATE_NAMESRV_CONFIG, {}, { body: Buffer.from('orderMessageEnable=false\n') });
  assert.equal(upd.code, ResponseCode.SUCCESS);
  assert.equal(at(json(await getRoute(client, addr, 'Ordered')), 'orderTopicConf'), undefined);
  const cfg = (await call(client, addr, NamesrvAdminRequestCode.GET_NAMESRV_CONFIG)).body?.toString() ?? '';
  assert.match(cfg, /^orderMessageEnable=false$/m);
  assert.match(cfg, /^brokerChannelExpiredTime=120000$/m);
  const bad = await call(client, addr, NamesrvAdminRequestCode.UPDATE_NAMESRV_CONFIG, {}, { body: Buffer.from('brokerChannelExpiredTime=x') });
  assert.equal(bad.code, ResponseCode.SYSTEM_ERROR);
});

void test('KV config persists to kvConfigPath across restarts', async (t) => {
  const path = join(tempDir(t, 'orbitmq-namesrv-'), 'kvConfig.json');
  const first = await startNamesrv(t, { kvConfigPath: path });
  const client = newClient(t);
  await call(client, first.addr, RequestCode.PUT_KV_CONFIG, { namespace: 'ns', key: 'k', value: 'v' });
  await call(client, first.addr, RequestCode.PUT_KV_CONFIG, { namespace: 'ns', key: 'gone', value: 'x' });
  await call(client, first.addr, RequestCode.DELETE_KV_CONFIG, { namespace: 'ns', key: 'gone' });
  assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')), { configTable: { ns: { k: 'v' } } });
  await first.server.close({ graceMs: 0 });
  const second = await startNamesrv(t, { kvConfigPath: path });
  const got = await call(client, second.addr, RequestCode.GET_KV_CONFIG, { namespace: 'ns', key: 'k' });
  assert.equal(got.extFields.value, 'v');
});
