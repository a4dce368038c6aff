/**
 * The single-send fast path: plainStoredProperties gives exactly what the
 * map path (decode, set CLUSTER, encode) gives whenever it answers, and
 * declines the inputs the full path must see.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MessageConst, decodeProperties, encodeProperties, findProperty, seededRandom } from '../../common/index.js';
import { randomProperties as randomPropertiesOf } from '../../../test/support/random-properties.js';
import { HAS_CLUSTER, clusterAndDelay, plainStoredProperties } from './send-message.js';

const NAMES = ['UNIQ_KEY', 'WAIT', 'TAGS', 'KEYS', 'a', 'CLUSTER', 'DELAY', 'TRAN_MSG', 'TIMER_DELAY_SEC', '__STARTDELIVERTIME', 'x'];
const VALUES = ['', 'true', 'false', 'v', 'ünï', '\u0001', '1 2'];

const MIX = { names: NAMES, values: VALUES, empty: 0.05, nameOnly: 0.05, valueOnly: 0, trailingSeparator: 0.2 };
const randomProperties = (rnd: () => number): string => randomPropertiesOf(rnd, MIX);

void test('plainStoredProperties matches decode + CLUSTER + encode, or declines', () => {
  const rnd = seededRandom(3);
  let answered = 0;
  for (let i = 0; i < 20_000; i++) {
    const raw = randomProperties(rnd);
    const got = plainStoredProperties(raw, 'DefaultCluster');
    if (got === undefined) continue;
    answered++;
    const props = decodeProperties(raw);
    for (const special of ['CLUSTER', 'DELAY', 'TRAN_MSG', 'TIMER_DELAY_SEC', '__STARTDELIVERTIME']) assert.ok(!props.has(special), raw);
    props.set(MessageConst.PROPERTY_CLUSTER, 'DefaultCluster');
    assert.equal(got.text, encodeProperties(props), JSON.stringify(raw));
    assert.equal(got.wait, props.get(MessageConst.PROPERTY_WAIT_STORE_MSG_OK) !== 'false', JSON.stringify(raw));
  }
  assert.ok(answered > 1000, `fast path taken ${answered} times`);
  assert.deepEqual(plainStoredProperties('', 'C'), { text: 'CLUSTER\u0001C', wait: true });
  assert.deepEqual(plainStoredProperties('UNIQ_KEY\u0001A\u0002WAIT\u0001false\u0002', 'C'), { text: 'UNIQ_KEY\u0001A\u0002WAIT\u0001false\u0002CLUSTER\u0001C', wait: false });
  assert.equal(plainStoredProperties('A\u0001x\u0002A\u0001y', 'C'), undefined, 'duplicate names take the map path');
  assert.equal(plainStoredProperties('DELAY\u00013', 'C'), undefined);
});

void test('clusterAndDelay: CLUSTER as findProperty finds it; every non-empty first DELAY flagged', () => {
  const rnd = seededRandom(9);
  const buf = Buffer.alloc(1024, 2);
  for (let i = 0; i < 20_000; i++) {
    const raw = randomProperties(rnd) + (rnd() < 0.3 ? `\u0002${randomProperties(rnd)}` : '');
    const start = 3;
    const end = start + buf.write(raw, start, 'utf8');
    const found = clusterAndDelay(buf, start, end);
    assert.equal((found & HAS_CLUSTER) !== 0, findProperty(raw, 'CLUSTER') !== undefined, JSON.stringify(raw));
    if (findProperty(raw, 'DELAY') !== undefined) assert.notEqual(found & 2, 0, JSON.stringify(raw));
  }
});
