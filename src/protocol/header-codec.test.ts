import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError, ProtocolError } from '../common/index.js';
import { decodeJsonHeader, encodeJsonHeader } from './json-header.js';
import { decodeRocketMQHeader, encodeRocketMQHeader } from './rocketmq-header.js';
import { SerializeType, createRequest, createResponse, isOneway, isResponse, markOneway } from './remoting-command.js';
import { languageFromCode, languageToCode } from './language-code.js';
import { readUtf8, utf8Length, writeUtf8 } from './utf8.js';

void test('JSON header: fastjson key order, nulls and empty extFields omitted', () => {
  const text = encodeJsonHeader(createRequest(34, { opaque: 3 }));
  assert.equal(text, '{"code":34,"flag":0,"language":"JAVA","opaque":3,"serializeTypeCurrentRPC":"JSON","version":409}');
  const withAll = encodeJsonHeader(createResponse(1, 'boom', { opaque: 4, extFields: { k: 'v' } }));
  assert.equal(
    withAll,
    '{"code":1,"extFields":{"k":"v"},"flag":1,"language":"JAVA","opaque":4,"remark":"boom","serializeTypeCurrentRPC":"JSON","version":409}',
  );
});

void test('JSON header: ali-ons quirks (scalar extFields, no serializeTypeCurrentRPC)', () => {
  const cmd = decodeJsonHeader(Buffer.from(
    '{"code":310,"language":"JAVA","opaque":5,"flag":0,"version":121,"remark":null,' +
      '"extFields":{"a":"G","e":0,"k":false,"g":1700000000000,"x":null,"o":{"n":1},"__proto__":"p"}}',
  ));
  assert.deepEqual(cmd, {
    code: 310, language: 'JAVA', version: 121, opaque: 5, flag: 0, serializeType: SerializeType.JSON,
    extFields: { a: 'G', e: '0', k: 'false', g: '1700000000000', o: '{"n":1}' },
  });
  assert.equal(Object.getPrototypeOf(cmd.extFields), Object.prototype);
});

void test('JSON header: defaults, numeric strings and numeric language', () => {
  const cmd = decodeJsonHeader(Buffer.from('{"code":"17","language":9,"serializeTypeCurrentRPC":"JSON","unknown":[1]}'));
  assert.equal(cmd.code, 17);
  assert.equal(cmd.language, 'GO');
  assert.equal(cmd.opaque, 0);
  assert.equal(cmd.flag, 0);
  assert.deepEqual(cmd.extFields, {});
});

void test('JSON header: out-of-range ints are protocol errors', () => {
  assert.throws(() => decodeJsonHeader(Buffer.from('{"opaque":2147483648}')), ProtocolError);
  assert.throws(() => decodeJsonHeader(Buffer.from('{"code":"0x10"}')), ProtocolError);
  assert.throws(() => decodeJsonHeader(Buffer.from('{"language":{}}')), ProtocolError);
});

void test('binary header: exact layout of a minimal request', () => {
  const h = encodeRocketMQHeader(createRequest(10, { opaque: 1 }));
  // code 000a, lang 00, version 0199 (409), opaque 00000001, flag 0, remark len 0, ext len 0
  assert.equal(h.toString('hex'), '000a000199' + '00000001' + '00000000' + '00000000' + '00000000');
});

void test('binary header: round trip with UTF-8 and negative values', () => {
  const cmd = createResponse(-1006, 'tïmeout ✓', { opaque: -2, version: 479, language: 'GO', extFields: { 'ключ': 'значение', e: '' } });
  const back = decodeRocketMQHeader(encodeRocketMQHeader(cmd));
  assert.deepEqual(back, { ...cmd, serializeType: SerializeType.ROCKETMQ });
});

void test('binary header: zero-length remark decodes as absent; unknown language → OTHER', () => {
  const h = encodeRocketMQHeader(createRequest(10, { remark: '', language: 'NOPE' }));
  const back = decodeRocketMQHeader(h);
  assert.equal(back.remark, undefined);
  assert.equal(back.language, 'OTHER');
});

void test('binary header: codes outside int16 cannot be encoded (5.x pop codes)', () => {
  assert.throws(() => encodeRocketMQHeader(createRequest(200050)), InvalidArgumentError);
});

void test('binary header: bad inner lengths are protocol errors', () => {
  const h = encodeRocketMQHeader(createRequest(10, { extFields: { key: 'value' } }));
  const badRemark = Buffer.from(h);
  badRemark.writeInt32BE(1000, 13);
  assert.throws(() => decodeRocketMQHeader(badRemark), /bad remark length/);
  const negExt = Buffer.from(h);
  negExt.writeInt32BE(-1, 17);
  assert.throws(() => decodeRocketMQHeader(negExt), /bad extFields length/);
  const badKey = Buffer.from(h);
  badKey.writeInt16BE(300, 21);
  assert.throws(() => decodeRocketMQHeader(badKey), /bad extFields key length/);
  const badVal = Buffer.from(h);
  badVal.writeInt32BE(-3, 26);
  assert.throws(() => decodeRocketMQHeader(badVal), /bad extFields value length/);
});

void test('flag helpers', () => {
  const req = createRequest(10);
  assert.equal(isResponse(req), false);
  assert.equal(isOneway(req), false);
  markOneway(req);
  assert.equal(isOneway(req), true);
  assert.equal(req.flag, 2);
  assert.equal(isResponse(createResponse(0)), true);
});

void test('language codes', () => {
  assert.equal(languageFromCode(0), 'JAVA');
  assert.equal(languageFromCode(13), 'NODE_JS');
  assert.equal(languageFromCode(200), 'OTHER');
  assert.equal(languageToCode('RUST'), 12);
  assert.equal(languageToCode('toString'), 7);
});

void test('utf8 helpers agree with Buffer for ASCII, non-ASCII and lone surrogates', () => {
  for (const s of ['', 'a', 'TopicTest', 'x'.repeat(65), 'é', 'ab✓', '\ud800', 'a\udc00b', '😀', 'é'.repeat(70)]) {
    assert.equal(utf8Length(s), Buffer.byteLength(s), s);
    const buf = Buffer.alloc(300);
    const n = writeUtf8(buf, s, 3);
    assert.ok(buf.subarray(3, 3 + n).equals(Buffer.from(s)), s);
    assert.equal(readUtf8(buf, 3, 3 + n), Buffer.from(s).toString('utf8'), s);
  }
});
