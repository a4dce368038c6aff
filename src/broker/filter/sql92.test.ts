/**
 * SQL92 selectors against a table: valid expressions evaluated on several
 * property maps (expected match or not, following RocketMQ 4.9.8's
 * filter/expression semantics), invalid ones with their error messages.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeProperties, writeStoredMessage, encodeParts } from '../../common/index.js';
import { buildSubscriptionData } from '../subscription-data.js';
import { ConsumerFilterManager } from './consumer-filter-manager.js';
import { createMessageFilter, matchesRecord, recordProperties } from './expression-message-filter.js';
import { InvalidSelectorError, clearCompiledFilterCache, compileSql92, compiledFilterCacheSize, compiledFilterFor } from './sql92-filter.js';

/** Property maps the valid expressions run against. */
const P: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  /** A typical message. */
  m1: { a: '10', color: 'red', TAGS: 'TagA', KEYS: 'k1', price: '9.5', flag: 'true', name: "it's" },
  /** Other values. */
  m2: { a: '3', color: 'green', TAGS: 'TagB', price: '20', flag: 'false' },
  /** Non-numeric where numbers are expected. */
  m3: { a: 'abc', color: 'blue', price: 'x' },
  /** No properties. */
  none: {},
};
const MAPS = ['m1', 'm2', 'm3', 'none'] as const;

/** expression → expected match for m1, m2, m3, none. */
const VALID: readonly (readonly [string, readonly [boolean, boolean, boolean, boolean]])[] = [
  ["a > 5 AND color IN ('red','blue')", [true, false, false, false]],
  ['a > 5', [true, false, false, false]],
  ['a >= 10', [true, false, false, false]],
  ['a < 5', [false, true, false, false]],
  ['a <= 3', [false, true, false, false]],
  ['a = 10', [true, false, false, false]],
  ['a <> 10', [false, true, false, false]], // m3: Integer.valueOf('abc') fails → no match; none: unknown
  ["color = 'red'", [true, false, false, false]],
  ["color <> 'red'", [false, true, true, false]],
  ["color IN ('red', 'green')", [true, true, false, false]],
  ["color NOT IN ('red', 'green')", [false, false, true, false]],
  ['a BETWEEN 3 AND 10', [true, true, false, false]],
  ['a NOT BETWEEN 4 AND 9', [true, true, false, false]],
  ['a BETWEEN 4 AND 9', [false, false, false, false]],
  ['color IS NULL', [false, false, false, true]],
  ['price IS NOT NULL', [true, true, true, false]],
  ['KEYS IS NULL', [false, true, true, true]],
  ["TAGS = 'TagA'", [true, false, false, false]],
  ["TAGS IN ('TagA', 'TagB') AND a > 1", [true, true, false, false]],
  ['price > 9', [false, true, false, false]], // m1: Integer.valueOf('9.5') fails, so the message does not match
  ['price > 9.0', [true, true, false, false]],
  ['price < 10.0', [true, false, false, false]],
  ['flag = TRUE', [true, false, false, false]],
  ['flag = FALSE', [false, true, false, false]],
  ["name = 'it''s'", [true, false, false, false]],
  ['NOT (a > 5)', [false, true, false, false]],
  ["NOT (color = 'red') AND a IS NOT NULL", [false, true, true, false]],
  ["a > 100 OR color = 'green'", [false, true, false, false]],
  ["color = 'blue' OR a > 100", [false, false, true, false]], // OR short-circuits before a > 100 fails
  ['TRUE', [true, true, true, true]],
  ['FALSE', [false, false, false, false]],
  ['NULL', [false, false, false, false]],
  ['TRUE OR a > 5', [true, true, true, true]],
  ['FALSE AND a > 5', [false, false, false, false]],
  ['NOT (x > 1)', [false, false, false, false]], // NOT unknown is unknown
  ['x > 1 OR TRUE', [true, true, true, true]], // unknown OR TRUE is TRUE
  ['x = y', [true, true, true, true]], // Java: null = null is TRUE
  ['color', [false, false, false, false]], // a String property as a condition is FALSE
  ['a > -5 AND a < +100', [true, true, false, false]],
  ['a >= 10L', [true, false, false, false]],
  ['a < 99999999999', [true, true, false, false]], // a Long literal: Long.valueOf
  ['10 = a', [true, false, false, false]],
  ['not (A > 5) or color is null', [false, false, false, true]], // keywords in any case; names as written (A is not a)
  ['a /* comment */ > 5 -- trailing\n', [true, false, false, false]],
  ["(a > 5 AND (color = 'red' OR color = 'blue')) OR (a < 0)", [true, false, false, false]],
];

/** expression → a fragment of the error message. */
const INVALID: readonly (readonly [string, string])[] = [
  ['', 'Encountered <EOF>'],
  ['a >', 'Encountered <EOF>'],
  ['a != 5', 'Encountered: "!" (33) (use <> for "not equal")'],
  ['a == 5', 'Encountered "="'],
  ["a = 'unterminated", 'Unterminated string literal'],
  ['a = 1 b', 'Encountered "b" at line 1, column 7'],
  ['(a > 1', 'Was expecting: ")"'],
  ['a IN (1, 2)', 'Was expecting: a string literal'],
  ['a IN ()', 'Was expecting: a string literal'],
  ["5 IN ('x')", 'Expected a property for In expression, got: 5'],
  ["a > 'x'", "Value ''x'' cannot be compared."],
  ['a > TRUE', "Value 'TRUE' cannot be compared."],
  ['NOT a > 5', "Value '(NOT a)' cannot be compared."],
  ['a > 1 > 2', "Value '(a > 1)' cannot be compared."],
  ['a = NULL', "'NULL' cannot be compared."],
  ["TRUE = 'x'", "'TRUE' cannot be compared with ''x''"],
  ['a BETWEEN 10 AND 1', 'Illegal values of between, left value(10) must less than or equal to right value(1)'],
  ['a BETWEEN NULL AND 1', 'Illegal values of between, values can not be null!'],
  ["a BETWEEN 'x' AND 'y'", "Value ''x'' cannot be compared."],
  ['5', 'Expression will not result in a boolean value: 5'],
  ["'x'", "Expression will not result in a boolean value: 'x'"],
  ['a AND 5', 'Expression will not result in a boolean value: 5'],
  ['a > 99999999999999999999', 'For input string: "99999999999999999999"'],
  ['a > 1e400', '1e400 is greater than 1.7976931348623157E308'],
  ['a > 0.0', '0.0 is less than 4.9E-324'], // as Java's ConstantExpression.createFloat
  ['a > 0x10', 'Encountered "x10"'], // no hex literals in 4.9.8
  ['a > 010', 'Encountered "10"'], // no octal literals either
  ["a LIKE 'x%'", 'Encountered "LIKE"'],
  ["a CONTAINS 'x'", 'Encountered "CONTAINS"'], // 5.x only
  ['a.b = 1', 'Encountered: "."'],
  ['a = "x"', 'Encountered: """'],
  ['a IS 5', 'Was expecting: "NULL"'],
  ['/* open', 'Lexical error at line 1, column 1'],
];

function lookup(m: Readonly<Record<string, string>>): (name: string) => string | undefined {
  return (name) => (Object.hasOwn(m, name) ? m[name] : undefined);
}

void describe('SQL92 selector', () => {
  void it(`has a table of ${VALID.length + INVALID.length} expressions`, () => {
    assert.ok(VALID.length >= 40 && INVALID.length >= 30);
  });

  for (const [expr, expected] of VALID) {
    void it(`evaluates ${JSON.stringify(expr)}`, () => {
      const f = compileSql92(expr);
      const got = MAPS.map((k) => f.matches(lookup(P[k] ?? {})));
      assert.deepEqual(got, expected, `${expr}: ${MAPS.join(', ')}`);
    });
  }

  for (const [expr, fragment] of INVALID) {
    void it(`refuses ${JSON.stringify(expr)}`, () => {
      assert.throws(
        () => compileSql92(expr),
        (err: unknown) => {
          assert.ok(err instanceof InvalidSelectorError);
          assert.ok(err.message.startsWith('Invalid MessageSelector. '), err.message);
          assert.ok(err.message.includes(fragment), `${err.message} does not contain ${fragment}`);
          return true;
        },
      );
    });
  }

  void it('multi-line expressions report line and column', () => {
    assert.throws(() => compileSql92('a > 1\n  AND ?'), /line 2, column 7/);
  });

  void it('caches compiled filters and failures per group, topic, subVersion and expression', () => {
    clearCompiledFilterCache();
    const key = { group: 'G', topic: 'T', subVersion: 1, expression: 'a > 1' };
    const f1 = compiledFilterFor(key);
    assert.equal(compiledFilterFor({ ...key }), f1);
    assert.notEqual(compiledFilterFor({ ...key, subVersion: 2 }), f1);
    assert.throws(() => compiledFilterFor({ ...key, expression: 'a >' }), InvalidSelectorError);
    assert.throws(() => compiledFilterFor({ ...key, expression: 'a >' }), InvalidSelectorError);
    assert.equal(compiledFilterCacheSize(), 3);
  });
});

void describe('SQL92 on stored records', () => {
  const record = (props: Record<string, string>): Buffer => {
    const host = { address: new Uint8Array([127, 0, 0, 1]), port: 1 };
    const msg = {
      topic: 'T', queueId: 0, flag: 0, body: Buffer.from('hello'), properties: encodeProperties(props), sysFlag: 0,
      bornTimestamp: 1, bornHost: host, storeHost: host, reconsumeTimes: 0, preparedTransactionOffset: 0,
    };
    const parts = encodeParts(msg);
    const buf = Buffer.alloc(parts.length);
    writeStoredMessage(buf, 0, msg, parts, 0, 0, 2);
    return buf;
  };

  void it('reads the properties of a record and evaluates them', () => {
    const rec = record({ a: '7', color: 'blue' });
    assert.equal(recordProperties(rec), encodeProperties({ a: '7', color: 'blue' }));
    assert.equal(matchesRecord(compileSql92("a > 5 AND color IN ('red','blue')"), rec), true);
    assert.equal(matchesRecord(compileSql92('a > 7'), rec), false);
    assert.equal(matchesRecord(compileSql92('a IS NULL'), record({})), true);
  });

  void it('SQL92 filters pass the consume queue and judge the record; TAG filters use the hash code', () => {
    const sqlSub = buildSubscriptionData('T', 'a > 5', 1, 'SQL92');
    const sql = createMessageFilter(sqlSub, compileSql92('a > 5'));
    assert.equal(sql.isMatchedByConsumeQueue(12345), true);
    assert.equal(sql.isMatchedByCommitLog?.(record({ a: '6' })), true);
    assert.equal(sql.isMatchedByCommitLog?.(record({ a: '5' })), false);
    const tagSub = buildSubscriptionData('T', 'TagA', 1, 'TAG');
    const tag = createMessageFilter(tagSub, undefined);
    assert.equal(tag.isMatchedByCommitLog, undefined);
    assert.equal(tag.isMatchedByConsumeQueue(tagSub.codeSet[0] ?? 0), true);
    assert.equal(tag.isMatchedByConsumeQueue(1), false);
  });
});

void describe('ConsumerFilterManager', () => {
  void it('registers compiled filters and never an expression that does not compile', () => {
    const m = new ConsumerFilterManager();
    const sub = (subString: string, subVersion: number, topic = 'T'): ReturnType<typeof buildSubscriptionData> =>
      buildSubscriptionData(topic, subString, subVersion, 'SQL92');
    assert.equal(m.registerGroup('G', [sub('a >', 1)]).length, 1);
    assert.equal(m.get('T', 'G'), undefined);
    assert.deepEqual(m.registerGroup('G', [sub('a > 1', 2)]), []);
    assert.equal(m.get('T', 'G')?.expression, 'a > 1');
    // An older version is ignored; a newer one with the same expression moves the version.
    m.registerGroup('G', [sub('a > 9', 1)]);
    assert.equal(m.get('T', 'G')?.expression, 'a > 1');
    m.registerGroup('G', [sub('a > 1', 3)]);
    assert.equal(m.get('T', 'G')?.clientVersion, 3);
    // A newer version that does not compile removes the old filter.
    m.registerGroup('G', [sub('a > > 1', 4)]);
    assert.equal(m.get('T', 'G'), undefined);
    // TAG subscriptions are not registered; a topic left out is marked dead.
    m.registerGroup('G', [sub('b = 1', 5), buildSubscriptionData('T2', 'TagA', 5, 'TAG')]);
    assert.equal(m.get('T2', 'G'), undefined);
    m.registerGroup('G', [sub('c = 1', 6, 'T3')]);
    assert.equal(m.get('T', 'G')?.dead, true);
    m.unregister('G');
    assert.equal(m.get('T3', 'G'), undefined);
  });
});
