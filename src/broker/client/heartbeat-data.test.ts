import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgumentError } from '../../common/index.js';
import { decodeHeartbeatBody, parseHeartbeatData, parseJsonBody } from './heartbeat-data.js';

/** As a Java 4.9.8 DefaultMQPushConsumer + producer write it: fastjson, keys sorted, nulls omitted. */
const JAVA_HEARTBEAT =
  '{"clientID":"192.168.1.5@12345#8712345678901","consumerDataSet":[{"consumeFromWhere":"CONSUME_FROM_FIRST_OFFSET",' +
  '"consumeType":"CONSUME_PASSIVELY","groupName":"CG_ORDER","messageModel":"CLUSTERING","subscriptionDataSet":[' +
  '{"classFilterMode":false,"codeSet":[2598919,2598920],"expressionType":"TAG","subString":"TagA || TagB",' +
  '"subVersion":1700000000123,"tagsSet":["TagA","TagB"],"topic":"OrderTopic"},' +
  '{"classFilterMode":false,"codeSet":[],"expressionType":"TAG","subString":"*","subVersion":1700000000124,' +
  '"tagsSet":[],"topic":"%RETRY%CG_ORDER"}],"unitMode":false}],' +
  '"producerDataSet":[{"groupName":"CLIENT_INNER_PRODUCER"},{"groupName":"PG_ORDER"}]}';

/** As ali-ons 3.12 (lib/mq_client.js) writes it: insertion order, no expressionType. */
const ALI_ONS_HEARTBEAT = JSON.stringify({
  clientID: '10.0.0.7@54321',
  producerDataSet: [{ groupName: 'CLIENT_INNER_PRODUCER' }],
  consumerDataSet: [{
    groupName: 'GID_NODE',
    consumeType: 'CONSUME_PASSIVELY',
    messageModel: 'CLUSTERING',
    consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET',
    subscriptionDataSet: [{ topic: 'TP_NODE', subString: 'order', classFilterMode: false, tagsSet: ['order'], codeSet: [106006350], subVersion: 1700000000999 }],
    unitMode: false,
  }],
});

void describe('HeartbeatData', () => {
  void it('parses a Java-shaped heartbeat', () => {
    const hb = decodeHeartbeatBody(Buffer.from(JAVA_HEARTBEAT));
    assert.equal(hb.clientID, '192.168.1.5@12345#8712345678901');
    assert.deepEqual(hb.producerDataSet, [{ groupName: 'CLIENT_INNER_PRODUCER' }, { groupName: 'PG_ORDER' }]);
    assert.equal(hb.consumerDataSet.length, 1);
    const c = hb.consumerDataSet[0];
    assert.ok(c);
    assert.equal(c.groupName, 'CG_ORDER');
    assert.equal(c.consumeType, 'CONSUME_PASSIVELY');
    assert.equal(c.messageModel, 'CLUSTERING');
    assert.equal(c.consumeFromWhere, 'CONSUME_FROM_FIRST_OFFSET');
    assert.equal(c.unitMode, false);
    assert.deepEqual(c.subscriptionDataSet.map((s) => s.topic), ['OrderTopic', '%RETRY%CG_ORDER']);
    assert.deepEqual(c.subscriptionDataSet[0], {
      topic: 'OrderTopic', subString: 'TagA || TagB', tagsSet: ['TagA', 'TagB'], codeSet: [2598919, 2598920],
      subVersion: 1700000000123, expressionType: 'TAG', classFilterMode: false,
    });
  });

  void it('parses an ali-ons-shaped heartbeat (no expressionType)', () => {
    const hb = decodeHeartbeatBody(Buffer.from(ALI_ONS_HEARTBEAT));
    assert.equal(hb.clientID, '10.0.0.7@54321');
    const sub = hb.consumerDataSet[0]?.subscriptionDataSet[0];
    assert.equal(sub?.expressionType, 'TAG');
    assert.deepEqual(sub?.codeSet, [106006350]);
    assert.equal(sub?.subVersion, 1700000000999);
  });

  void it('accepts a producer-only heartbeat, absent sets and 5.x extra keys', () => {
    const hb = parseHeartbeatData({ clientID: 'c1', producerDataSet: [{ groupName: 'P' }], heartbeatFingerprint: 7, withoutSub: false });
    assert.deepEqual(hb, { clientID: 'c1', producerDataSet: [{ groupName: 'P' }], consumerDataSet: [] });
    assert.deepEqual(parseHeartbeatData({ clientID: 'c1', producerDataSet: null }).producerDataSet, []);
  });

  void it('defaults missing or null consumer enums like a Java push consumer', () => {
    const hb = parseHeartbeatData({ clientID: 'c', consumerDataSet: [{ groupName: 'G', consumeFromWhere: null }] });
    const c = hb.consumerDataSet[0];
    assert.equal(c?.consumeType, 'CONSUME_PASSIVELY');
    assert.equal(c?.messageModel, 'CLUSTERING');
    assert.equal(c?.consumeFromWhere, 'CONSUME_FROM_LAST_OFFSET');
    assert.deepEqual(c?.subscriptionDataSet, []);
    assert.equal(c?.unitMode, false);
  });

  void it('accepts pull (CONSUME_ACTIVELY), broadcasting and 5.x CONSUME_POP', () => {
    const hb = parseHeartbeatData({
      clientID: 'c',
      consumerDataSet: [
        { groupName: 'A', consumeType: 'CONSUME_ACTIVELY', messageModel: 'BROADCASTING', consumeFromWhere: 'CONSUME_FROM_TIMESTAMP' },
        { groupName: 'B', consumeType: 'CONSUME_POP' },
      ],
    });
    assert.deepEqual(hb.consumerDataSet.map((c) => c.consumeType), ['CONSUME_ACTIVELY', 'CONSUME_POP']);
    assert.equal(hb.consumerDataSet[0]?.messageModel, 'BROADCASTING');
  });

  const invalid: [string, unknown][] = [
    ['not an object', [1, 2]],
    ['missing clientID', { producerDataSet: [] }],
    ['empty clientID', { clientID: '' }],
    ['numeric clientID', { clientID: 5 }],
    ['producerDataSet not an array', { clientID: 'c', producerDataSet: {} }],
    ['producer without group', { clientID: 'c', producerDataSet: [{}] }],
    ['consumer data not an object', { clientID: 'c', consumerDataSet: ['G'] }],
    ['unknown consumeType', { clientID: 'c', consumerDataSet: [{ groupName: 'G', consumeType: 'PUSH' }] }],
    ['numeric messageModel', { clientID: 'c', consumerDataSet: [{ groupName: 'G', messageModel: 1 }] }],
    ['unitMode not boolean', { clientID: 'c', consumerDataSet: [{ groupName: 'G', unitMode: 'yes' }] }],
    ['subscriptionDataSet not an array', { clientID: 'c', consumerDataSet: [{ groupName: 'G', subscriptionDataSet: 'T' }] }],
    ['subscription without topic', { clientID: 'c', consumerDataSet: [{ groupName: 'G', subscriptionDataSet: [{ subString: '*' }] }] }],
    ['subVersion not a number', { clientID: 'c', consumerDataSet: [{ groupName: 'G', subscriptionDataSet: [{ topic: 'T', subVersion: 'x' }] }] }],
  ];
  for (const [name, value] of invalid) {
    void it(`rejects ${name} with InvalidArgumentError`, () => {
      assert.throws(() => parseHeartbeatData(value), InvalidArgumentError);
    });
  }

  void it('rejects an empty or malformed body with InvalidArgumentError', () => {
    assert.throws(() => decodeHeartbeatBody(undefined), InvalidArgumentError);
    assert.throws(() => decodeHeartbeatBody(Buffer.alloc(0)), InvalidArgumentError);
    assert.throws(() => decodeHeartbeatBody(Buffer.from('{"clientID":')), InvalidArgumentError);
  });

  void it('tolerates fastjson unquoted numeric keys in bodies', () => {
    assert.deepEqual(parseJsonBody(Buffer.from('{"a":{0:"x"}}'), 'X'), { a: { '0': 'x' } });
  });
});
