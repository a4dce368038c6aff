import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProtocolError } from '../common/index.js';
import { FastJsonMap, fastJsonEntries, parseFastJson, parsePlainJson, readFastJson, toFastJson } from './fastjson.js';

const mq = (topic: string, queueId: number): { brokerName: string; queueId: number; topic: string } => ({ brokerName: 'b', queueId, topic });

void describe('toFastJson', () => {
  void it('writes MessageQueue keys inline (remoting.md §8 golden)', () => {
    const body = { offsetTable: new FastJsonMap([[mq('T', 0), 42]]) };
    assert.equal(toFastJson(body), '{"offsetTable":{{"brokerName":"b","queueId":0,"topic":"T"}:42}}');
  });

  void it('writes numeric keys unquoted (remoting.md §8 golden)', () => {
    const body = { brokerAddrs: new FastJsonMap([[0, '10.0.0.1:10911'], [1, '10.0.0.2:10911']]) };
    assert.equal(toFastJson(body), '{"brokerAddrs":{0:"10.0.0.1:10911",1:"10.0.0.2:10911"}}');
  });

  void it('writes a Map like a FastJsonMap, string keys quoted, bigint raw', () => {
    assert.equal(toFastJson(new Map<unknown, unknown>([['a', 1], [2, 'x'], [3n, 9007199254740993n]])), '{"a":1,2:"x",3:9007199254740993}');
  });

  void it('matches JSON.stringify for ordinary values', () => {
    const v = { a: [1, 'two', null, undefined, { b: true }], c: undefined, d: 'é"\n', e: { toJSON: () => ({ z: 1 }) }, f: Number.NaN };
    assert.equal(toFastJson(v), JSON.stringify(v));
    assert.equal(toFastJson(undefined), 'null');
    assert.equal(toFastJson('s'), '"s"');
  });

  void it('writes nested maps inside map values', () => {
    const v = new FastJsonMap([[mq('T', 1), { brokerOffset: 5, consumerOffset: 3, lastTimestamp: 0 }]]);
    assert.equal(toFastJson({ consumeTps: 0, offsetTable: v }),
      '{"consumeTps":0,"offsetTable":{{"brokerName":"b","queueId":1,"topic":"T"}:{"brokerOffset":5,"consumerOffset":3,"lastTimestamp":0}}}');
  });
});

void describe('parseFastJson', () => {
  void it('reads object keys as a FastJsonMap of parsed keys', () => {
    const v = parseFastJson('{"offsetTable":{{"brokerName":"b","queueId":0,"topic":"T"}:42}}');
    assert.ok(typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof FastJsonMap));
    const table = v.offsetTable;
    assert.ok(table instanceof FastJsonMap);
    assert.deepEqual(table.entries, [[mq('T', 0), 42]]);
    assert.equal(table.get(mq('T', 0)), 42);
  });

  void it('reads unquoted numeric keys as numbers', () => {
    const v = parseFastJson('{"brokerAddrs":{0:"10.0.0.1:10911",1:"10.0.0.2:10911"}}');
    const entries = fastJsonEntries(typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof FastJsonMap) ? v.brokerAddrs : null);
    assert.deepEqual(entries, [[0, '10.0.0.1:10911'], [1, '10.0.0.2:10911']]);
  });

  void it('takes plain JSON through JSON.parse and agrees with the fastjson reader on it', () => {
    const texts = [
      '{"topicConfigTable":{"T":{"perm":6,"readQueueNums":8,"topicName":"T"}},"dataVersion":{"counter":3,"timestamp":1700000000000}}',
      '{"s":"[[{{\\"]]}}","t":"\\\\","u":[-0,1e400,0.5],"__proto__":{"x":1},"d":1,"d":2}',
      `${'['.repeat(257)}${']'.repeat(257)}`,
      `{"deep":"${'['.repeat(300)}"}`,
    ];
    for (const text of texts) {
      const plain = parsePlainJson(text);
      assert.notEqual(plain, undefined, text);
      assert.deepEqual(plain, readFastJson(text), text);
    }
    // Not plain JSON, or deeper than the reader allows: left to the reader.
    for (const text of ['{0:"a"}', '{{"q":1}:2}', '{a:1}', '{"a":1}x', `${'['.repeat(258)}${']'.repeat(258)}`]) assert.equal(parsePlainJson(text), undefined, text);
    assert.throws(() => parseFastJson(`${'['.repeat(258)}${']'.repeat(258)}`), /nesting too deep/);
  });

  void it('returns standard JSON as JSON.parse does', () => {
    const text = '{"a":[1,-2.5e3,"x\\u00e9",true,false,null],"b":{"c":{}},"__proto__":1}';
    assert.deepEqual(parseFastJson(text), JSON.parse(text));
    assert.deepEqual(fastJsonEntries(parseFastJson('{"q":1}')), [['q', 1]]);
  });

  void it('round-trips what toFastJson writes', () => {
    const v = new FastJsonMap([[mq('A', 3), { minOffset: 0, maxOffset: 7, lastUpdateTimestamp: 1700000000000 }], [mq('B', 0), { minOffset: 1, maxOffset: 1, lastUpdateTimestamp: 0 }]]);
    const back = parseFastJson(toFastJson(v));
    assert.ok(back instanceof FastJsonMap);
    assert.deepEqual(back.entries, v.entries);
  });

  void it('accepts bare identifier keys and whitespace', () => {
    assert.deepEqual(parseFastJson(' { a : 1 , "b" : [ ] } '), { a: 1, b: [] });
  });

  void it('rejects malformed text with ProtocolError', () => {
    for (const bad of ['', '{', '{"a"}', '{"a":1,}', '[1 2]', '"x', '{1:2} x', '{:1}', '-']) {
      assert.throws(() => parseFastJson(bad), ProtocolError, bad);
    }
    assert.throws(() => parseFastJson('['.repeat(300) + ']'.repeat(300)), ProtocolError);
  });
});
