import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RequestCode, ResponseCode, parseRocketMQJson } from '../../src/protocol/index.js';
import { bodyText, startBroker, waitFor } from './admin-harness.js';

void test('GET_BROKER_RUNTIME_INFO: KVTable with version, offsets and puts since boot', async (t) => {
  const h = await startBroker(t);
  await h.put('RtT', 0, 'a');
  await h.put('RtT', 0, 'b');
  await waitFor(() => h.ctx.store.getMaxOffsetInQueue('RtT', 0) === 2);
  const r = await h.call(RequestCode.GET_BROKER_RUNTIME_INFO);
  assert.equal(r.code, ResponseCode.SUCCESS);
  const json = parseRocketMQJson(bodyText(r));
  assert.ok(typeof json === 'object' && json !== null && !Array.isArray(json));
  const table = json.table;
  assert.ok(typeof table === 'object' && table !== null && !Array.isArray(table));
  assert.equal(table.brokerVersionDesc, 'V4_9_8');
  assert.equal(table.brokerVersion, '409');
  assert.equal(table.msgPutTotalTodayNow, '2');
  assert.equal(table.commitLogMinOffset, '0');
  assert.equal(table.commitLogMaxOffset, String(h.ctx.store.maxPhyOffset));
  assert.match(String(table.putTps), /^\d+\.\d\d \d+\.\d\d \d+\.\d\d$/);
  assert.ok(Number(table.earliestMessageTimeStamp) > 0);
  for (const v of Object.values(table)) assert.equal(typeof v, 'string');
});

void test('GET_BROKER_CONFIG: properties text and a version header', async (t) => {
  const h = await startBroker(t);
  const r = await h.call(RequestCode.GET_BROKER_CONFIG);
  assert.equal(r.code, ResponseCode.SUCCESS);
  const lines = bodyText(r).split('\n');
  assert.ok(lines.includes('brokerName=broker-t'));
  assert.ok(lines.includes('brokerPermission=6'));
  assert.ok(lines.includes('flushDiskType=ASYNC_FLUSH'));
  assert.match(r.extFields.version ?? '', /^\{"counter":0,"timestamp":\d+\}$/);
});

void test('UPDATE_BROKER_CONFIG: black list → NO_PERMISSION; a restart-only change → SYSTEM_ERROR naming it; runtime keys apply; unchanged → SUCCESS', async (t) => {
  const h = await startBroker(t);
  const black = await h.call(RequestCode.UPDATE_BROKER_CONFIG, {}, Buffer.from('rocketmqHome=/x\n'));
  assert.equal(black.code, ResponseCode.NO_PERMISSION);
  assert.equal(black.remark, 'Can not update config in black list.');

  const change = await h.call(RequestCode.UPDATE_BROKER_CONFIG, {}, Buffer.from('brokerPermission=4\nbrokerName=broker-t\nfileReservedTime=1\n'));
  assert.equal(change.code, ResponseCode.SYSTEM_ERROR);
  assert.match(change.remark ?? '', /\[fileReservedTime\]/);
  assert.equal(h.ctx.config.brokerPermission, 6, 'nothing applied when any key is refused');

  // brokerPermission is read per request: read-only from now on, then writable again.
  const ro = await h.call(RequestCode.UPDATE_BROKER_CONFIG, {}, Buffer.from('brokerPermission=4\n'));
  assert.equal(ro.code, ResponseCode.SUCCESS, ro.remark);
  assert.equal(h.ctx.config.brokerPermission, 4);
  const bad = await h.call(RequestCode.UPDATE_BROKER_CONFIG, {}, Buffer.from('maxPullBytes=abc\n'));
  assert.equal(bad.code, ResponseCode.SYSTEM_ERROR);
  assert.equal((await h.call(RequestCode.UPDATE_BROKER_CONFIG, {}, Buffer.from('brokerPermission=6\n'))).code, ResponseCode.SUCCESS);
  assert.equal(h.ctx.config.brokerPermission, 6);

  const same = await h.call(RequestCode.UPDATE_BROKER_CONFIG, {}, Buffer.from('# comment\nbrokerPermission=6\nnoSuchKey=1\n'));
  assert.equal(same.code, ResponseCode.SUCCESS);
  assert.equal((await h.call(RequestCode.UPDATE_BROKER_CONFIG)).code, ResponseCode.SUCCESS);
});
