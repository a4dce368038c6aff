/**
 * SQL92 filtering over the wire (PullMessageProcessor's SQL92 branch,
 * ClientManageProcessor.checkClientConfig and ConsumerFilterManager.register,
 * rocketmq-all-4.9.8): only matching messages come back, an invalid
 * expression is refused at pull, at CHECK_CLIENT_CONFIG and at heartbeat
 * registration, tag filtering still works, and enablePropertyFilter=false
 * refuses SQL92.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CHECK_CLIENT_CONFIG } from '../../src/broker/processors/client-manage.js';
import { decodeStoredMessage, encodeProperties } from '../../src/common/index.js';
import type { RemotingCommand } from '../../src/protocol/index.js';
import { PullSysFlag, RequestCode, ResponseCode, encodeSendMessageRequestHeaderV2 } from '../../src/protocol/index.js';
import { startBroker } from './admin-harness.js';

type Call = (code: number, extFields?: Record<string, string>, body?: Buffer) => Promise<RemotingCommand>;

function send(call: Call, topic: string, body: string, props: Record<string, string>): Promise<RemotingCommand> {
  const ext = encodeSendMessageRequestHeaderV2({
    producerGroup: 'PG', topic, defaultTopic: 'TBW102', defaultTopicQueueNums: 1, queueId: 0, sysFlag: 0,
    bornTimestamp: Date.now(), flag: 0, properties: encodeProperties(props),
  });
  return call(RequestCode.SEND_MESSAGE_V2, ext, Buffer.from(body));
}

/** A pull of queue 0 from offset 0; `sub` undefined: no FLAG_SUBSCRIPTION (the heartbeat's subscription is used). */
function pull(call: Call, topic: string, sub: { expr: string; type: string } | undefined, group = 'CG'): Promise<RemotingCommand> {
  return call(RequestCode.PULL_MESSAGE, {
    consumerGroup: group, topic, queueId: '0', queueOffset: '0', maxMsgNums: '32',
    sysFlag: String(sub === undefined ? 0 : PullSysFlag.FLAG_SUBSCRIPTION), commitOffset: '0', suspendTimeoutMillis: '0',
    subscription: sub?.expr ?? '', subVersion: '1', ...(sub === undefined ? {} : { expressionType: sub.type }),
  });
}

function bodies(res: RemotingCommand): string[] {
  const out: string[] = [];
  const buf = res.body ?? Buffer.alloc(0);
  for (let p = 0; p < buf.length; ) {
    const m = decodeStoredMessage(buf, p);
    out.push(m.body.toString());
    p += m.storeSize;
  }
  return out;
}

function heartbeat(group: string, topic: string, subString: string, expressionType: string): Buffer {
  return Buffer.from(JSON.stringify({
    clientID: '127.0.0.1@sql92',
    producerDataSet: [],
    consumerDataSet: [{
      groupName: group, consumeType: 'CONSUME_PASSIVELY', messageModel: 'CLUSTERING', consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET', unitMode: false,
      subscriptionDataSet: [{ topic, subString, tagsSet: [], codeSet: [], subVersion: 1, expressionType, classFilterMode: false }],
    }],
  }));
}

function checkBody(subString: string, expressionType = 'SQL92'): Buffer {
  return Buffer.from(JSON.stringify({ clientId: 'c1', group: 'CG', subscriptionData: { topic: 'T', subString, expressionType, subVersion: 1 } }));
}

const MESSAGES: readonly [string, Record<string, string>][] = [
  ['m0', { a: '10', color: 'red', TAGS: 'TagA' }],
  ['m1', { a: '3', color: 'red', TAGS: 'TagB' }],
  ['m2', { a: '7', color: 'blue', TAGS: 'TagA' }],
  ['m3', { a: '8', color: 'green', TAGS: 'TagB' }],
  ['m4', { a: 'many', color: 'red', TAGS: 'TagA' }],
  ['m5', { color: 'blue', TAGS: 'TagB' }],
  ['m6', { a: '6', color: 'blue', TAGS: 'TagB' }],
];

void test('SQL92 pulls return only matching messages; tag pulls still filter by tag', async (t) => {
  const h = await startBroker(t);
  for (const [body, props] of MESSAGES) assert.equal((await send(h.call, 'Sq', body, props)).code, ResponseCode.SUCCESS);

  const sql = await pull(h.call, 'Sq', { expr: "a > 5 AND color IN ('red','blue')", type: 'SQL92' });
  assert.equal(sql.code, ResponseCode.SUCCESS, sql.remark);
  assert.deepEqual(bodies(sql), ['m0', 'm2', 'm6']);
  assert.equal(sql.extFields.nextBeginOffset, '7');

  const tagged = await pull(h.call, 'Sq', { expr: 'TAGS = \'TagB\' AND a IS NOT NULL', type: 'SQL92' });
  assert.deepEqual(bodies(tagged), ['m1', 'm3', 'm6']);

  const none = await pull(h.call, 'Sq', { expr: 'a > 100', type: 'SQL92' });
  assert.equal(none.code, ResponseCode.PULL_RETRY_IMMEDIATELY, 'nothing matched: NO_MATCHED_MESSAGE');
  assert.equal(none.extFields.nextBeginOffset, '7');

  const tag = await pull(h.call, 'Sq', { expr: 'TagA', type: 'TAG' });
  assert.equal(tag.code, ResponseCode.SUCCESS, tag.remark);
  assert.deepEqual(bodies(tag), ['m0', 'm2', 'm4']);
  const all = await pull(h.call, 'Sq', { expr: '*', type: 'TAG' });
  assert.equal(bodies(all).length, MESSAGES.length);
});

void test('an invalid expression is refused at pull and at CHECK_CLIENT_CONFIG', async (t) => {
  const h = await startBroker(t);
  await send(h.call, 'Bad', 'x', { a: '1' });
  const bad = await pull(h.call, 'Bad', { expr: 'a > ', type: 'SQL92' });
  assert.equal(bad.code, ResponseCode.SUBSCRIPTION_PARSE_FAILED);
  assert.match(bad.remark ?? '', /^parse the consumer's subscription failed: Invalid MessageSelector\. Encountered <EOF>/);
  const ne = await pull(h.call, 'Bad', { expr: 'a != 1', type: 'SQL92' });
  assert.equal(ne.code, ResponseCode.SUBSCRIPTION_PARSE_FAILED);
  assert.match(ne.remark ?? '', /use <> for "not equal"/);

  const ok = await h.call(CHECK_CLIENT_CONFIG, {}, checkBody("a BETWEEN 1 AND 3 OR color = 'red'"));
  assert.equal(ok.code, ResponseCode.SUCCESS, ok.remark);
  const refused = await h.call(CHECK_CLIENT_CONFIG, {}, checkBody('a BETWEEN 3 AND 1'));
  assert.equal(refused.code, ResponseCode.SUBSCRIPTION_PARSE_FAILED);
  assert.equal(refused.remark, 'Invalid MessageSelector. Illegal values of between, left value(3) must less than or equal to right value(1)');
  assert.equal((await h.call(CHECK_CLIENT_CONFIG, {}, checkBody('TagA || TagB', 'TAG'))).code, ResponseCode.SUCCESS);
  const other = await h.call(CHECK_CLIENT_CONFIG, {}, checkBody('x', 'GROOVY'));
  assert.equal(other.code, ResponseCode.SYSTEM_ERROR);
});

void test('heartbeat subscriptions: a valid SQL92 filter is used by plain pulls, an invalid one is not registered', async (t) => {
  const h = await startBroker(t);
  for (const [body, props] of MESSAGES) await send(h.call, 'Hb', body, props);

  assert.equal((await h.call(RequestCode.HEART_BEAT, {}, heartbeat('GoodG', 'Hb', "color = 'blue'", 'SQL92'))).code, ResponseCode.SUCCESS);
  const good = await pull(h.call, 'Hb', undefined, 'GoodG');
  assert.equal(good.code, ResponseCode.SUCCESS, good.remark);
  assert.deepEqual(bodies(good), ['m2', 'm5', 'm6']);

  // Registered as a consumer, but with no filter data: never "everything".
  assert.equal((await h.call(RequestCode.HEART_BEAT, {}, heartbeat('BadG', 'Hb', 'color = ', 'SQL92'))).code, ResponseCode.SUCCESS);
  const bad = await pull(h.call, 'Hb', undefined, 'BadG');
  assert.equal(bad.code, ResponseCode.FILTER_DATA_NOT_EXIST);
  assert.equal(bad.remark, "The broker's consumer filter data is not exist!Your expression may be wrong!");

  // A newer heartbeat with a valid expression fixes it.
  const fixed = JSON.parse(heartbeat('BadG', 'Hb', 'a < 5', 'SQL92').toString()) as { consumerDataSet: { subscriptionDataSet: { subVersion: number }[] }[] };
  const s = fixed.consumerDataSet[0]?.subscriptionDataSet[0];
  assert.ok(s !== undefined);
  s.subVersion = 2;
  await h.call(RequestCode.HEART_BEAT, {}, Buffer.from(JSON.stringify(fixed)));
  assert.deepEqual(bodies(await pull(h.call, 'Hb', undefined, 'BadG')), ['m1']);
});

void test('enablePropertyFilter=false refuses SQL92 at pull and CHECK_CLIENT_CONFIG; TAG still works', async (t) => {
  const { call } = await startBroker(t, {}, undefined, { brokerName: 'broker-nf', enablePropertyFilter: false });
  await send(call, 'Nf', 'x', { a: '9', TAGS: 'TagA' });
  const refusal = 'The broker does not support consumer to filter message by SQL92';
  const sql = await pull(call, 'Nf', { expr: 'a > 5', type: 'SQL92' });
  assert.equal(sql.code, ResponseCode.SYSTEM_ERROR);
  assert.equal(sql.remark, refusal);
  const check = await call(CHECK_CLIENT_CONFIG, {}, checkBody('a > 5'));
  assert.equal(check.code, ResponseCode.SYSTEM_ERROR);
  assert.equal(check.remark, refusal);
  assert.deepEqual(bodies(await pull(call, 'Nf', { expr: 'TagA', type: 'TAG' })), ['x']);
});
