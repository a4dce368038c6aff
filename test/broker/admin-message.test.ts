import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeStoredMessage } from '../../src/common/index.js';
import { RequestCode, ResponseCode } from '../../src/protocol/index.js';
import { startBroker, waitFor } from './admin-harness.js';

function records(body: Buffer | undefined): { topic: string; body: string; commitLogOffset: number }[] {
  const out: { topic: string; body: string; commitLogOffset: number }[] = [];
  if (body === undefined) return out;
  for (let pos = 0; pos < body.length;) {
    const m = decodeStoredMessage(body, pos);
    out.push({ topic: m.topic, body: m.body.toString(), commitLogOffset: m.commitLogOffset });
    pos += m.storeSize;
  }
  return out;
}

void test('VIEW_MESSAGE_BY_ID returns the stored record; SYSTEM_ERROR with Java remark when missing', async (t) => {
  const h = await startBroker(t);
  await h.put('ViewT', 0, 'first');
  const off = await h.put('ViewT', 0, 'second');
  const r = await h.call(RequestCode.VIEW_MESSAGE_BY_ID, { offset: String(off) });
  assert.equal(r.code, ResponseCode.SUCCESS);
  assert.deepEqual(records(r.body), [{ topic: 'ViewT', body: 'second', commitLogOffset: off }]);

  const missing = await h.call(RequestCode.VIEW_MESSAGE_BY_ID, { offset: '999999999' });
  assert.equal(missing.code, ResponseCode.SYSTEM_ERROR);
  assert.equal(missing.remark, 'can not find message by the offset, 999999999');
});

void test('QUERY_MESSAGE by key: records in commit-log order, index header; QUERY_NOT_FOUND otherwise', async (t) => {
  const h = await startBroker(t);
  const a = await h.put('QueryT', 0, 'a', { KEYS: 'order-1 other', UNIQ_KEY: 'U-A' });
  await h.put('QueryT', 1, 'noise', { KEYS: 'order-2' });
  const b = await h.put('QueryT', 1, 'b', { KEYS: 'order-1', UNIQ_KEY: 'U-B' });
  await waitFor(() => h.ctx.store.getMaxOffsetInQueue('QueryT', 1) === 2);
  const range = { beginTimestamp: '0', endTimestamp: String(Date.now() + 60_000) };

  const r = await h.call(RequestCode.QUERY_MESSAGE, { topic: 'QueryT', key: 'order-1', maxNum: '32', ...range });
  assert.equal(r.code, ResponseCode.SUCCESS, r.remark);
  assert.deepEqual(records(r.body).map((m) => [m.body, m.commitLogOffset]), [['a', a], ['b', b]]);
  assert.ok(Number(r.extFields.indexLastUpdatePhyoffset) >= b);
  assert.ok(Number(r.extFields.indexLastUpdateTimestamp) > 0);

  const one = await h.call(RequestCode.QUERY_MESSAGE, { topic: 'QueryT', key: 'order-1', maxNum: '1', ...range });
  assert.equal(records(one.body).length, 1);

  // _UNIQUE_KEY_QUERY: maxNum becomes defaultQueryMaxNum (32), as QueryMessageProcessor 4.9.8.
  const uniq = await h.call(RequestCode.QUERY_MESSAGE, { topic: 'QueryT', key: 'U-B', maxNum: '0', _UNIQUE_KEY_QUERY: 'true', ...range });
  assert.equal(uniq.code, ResponseCode.SUCCESS);
  assert.deepEqual(records(uniq.body).map((m) => m.body), ['b']);

  const none = await h.call(RequestCode.QUERY_MESSAGE, { topic: 'QueryT', key: 'nope', maxNum: '32', ...range });
  assert.equal(none.code, ResponseCode.QUERY_NOT_FOUND);
  assert.equal(none.remark, 'can not find message, maybe time range not correct');
  assert.ok('indexLastUpdateTimestamp' in none.extFields);
});
