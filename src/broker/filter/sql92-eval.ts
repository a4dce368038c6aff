/**
 * Evaluation of a SQL92 expression tree with RocketMQ's semantics
 * (filter/expression/*Expression.java, rocketmq-all-4.9.8, evaluated by
 * broker/filter/ExpressionMessageFilter.isMatchedByCommitLog):
 *
 * - a property is the message property's String value, or null when absent
 *   (MessageEvaluationContext.get);
 * - three-valued logic: a comparison with a null side is null ("unknown"),
 *   except `=` whose left side is present and right side null (FALSE) and
 *   `null = null` (TRUE, which is what IS NULL relies on); NOT null is null;
 *   AND / OR short-circuit on FALSE / TRUE and are otherwise null when a side
 *   is null (LogicExpression);
 * - mixed types convert as ComparisonExpression.__compare does with
 *   CONVERT_STRING_EXPRESSIONS on (SelectorParser.parse always sets it): a
 *   String against an Integer / Long / Double literal is parsed with
 *   Integer.valueOf / Long.valueOf / Double.valueOf, against a Boolean with
 *   Boolean.valueOf; numbers widen Integer → Long → Double; other mixes
 *   compare as -1 (so `=` is false);
 * - `>`, `>=`, `<`, `<=` between two Strings parse both as Double;
 * - a conversion that fails throws, and the whole evaluation fails: the
 *   message does not match (ExpressionMessageFilter catches and returns false).
 *   So `a > 5` with a = 'abc', or a = '5.5' (Integer.valueOf), does not match
 *   whatever the rest of the expression says;
 * - a message matches only when the result is Boolean TRUE.
 */
import type { Expr, JavaNumber, Value } from './sql92-expression.js';
import { isNumber } from './sql92-expression.js';
import { SelectorError } from './sql92-lexer.js';

/** Property lookup of one message: undefined when absent. */
export type PropertyLookup = (name: string) => string | undefined;

const INT_MIN = -(2n ** 31n);
const INT_MAX = 2n ** 31n - 1n;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;
const JAVA_DOUBLE = /^[+-]?(?:NaN|Infinity|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[fFdD]?)$/;

function numberFormat(s: string): SelectorError {
  return new SelectorError(`For input string: "${s}"`);
}

/** Integer.valueOf / Long.valueOf (radix 10, optional sign, range-checked). */
function parseJavaInteger(s: string, kind: 'int' | 'long'): JavaNumber {
  if (!/^[+-]?[0-9]+$/.test(s)) throw numberFormat(s);
  const v = BigInt(s);
  const [min, max] = kind === 'int' ? [INT_MIN, INT_MAX] : [LONG_MIN, LONG_MAX];
  if (v < min || v > max) throw numberFormat(s);
  return { kind, v };
}

/** Double.valueOf: surrounding whitespace trimmed, an f/d suffix allowed (no hex floats). */
export function parseJavaDouble(s: string): JavaNumber {
  // eslint-disable-next-line no-control-regex -- Java's String.trim strips every char <= ' '.
  const t = s.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '');
  if (!JAVA_DOUBLE.test(t)) throw numberFormat(s);
  const body = t.replace(/[fFdD]$/, '');
  const v = body.endsWith('NaN') ? Number.NaN : Number(body);
  return { kind: 'double', v };
}

function toDouble(n: JavaNumber): JavaNumber {
  return n.kind === 'double' ? n : { kind: 'double', v: Number(n.v) };
}

/** Double.compare: NaN above everything, -0.0 below 0.0. */
function compareDoubles(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
  if (Number.isNaN(b)) return -1;
  const na = Object.is(a, -0);
  const nb = Object.is(b, -0);
  return na === nb ? 0 : na ? -1 : 1;
}

/** compareTo of two values of the same Java class. */
function compareSame(a: Value, b: Value): number {
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  if (isNumber(a) && isNumber(b)) {
    if (a.kind === 'double' || b.kind === 'double') return compareDoubles(Number(a.v), Number(b.v));
    return a.v < b.v ? -1 : a.v > b.v ? 1 : 0;
  }
  throw new SelectorError(`ClassCastException: cannot compare ${String(a)} with ${String(b)}`);
}

type JavaClass = 'string' | 'boolean' | 'int' | 'long' | 'double';

function classOf(v: Value): JavaClass {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'boolean';
  if (v === null) throw new SelectorError('NullPointerException');
  return v.kind;
}

/** ComparisonExpression.__compare(lv, rv, convertStringExpressions = true). */
export function javaCompare(lv: Value, rv: Value): number {
  const lc = classOf(lv);
  const rc = classOf(rv);
  if (lc === rc) return compareSame(lv, rv);
  switch (lc) {
    case 'boolean':
      // Java casts the Boolean to String here: a ClassCastException.
      if (rc === 'string') throw new SelectorError('ClassCastException: java.lang.Boolean cannot be cast to java.lang.String');
      return -1;
    case 'int':
    case 'long': {
      const l = lv as JavaNumber;
      if (rc === 'int' || rc === 'long') return compareSame(l, rv);
      if (rc === 'double') return compareSame(toDouble(l), rv);
      if (rc === 'string') return compareSame(l, parseJavaInteger(rv as string, lc));
      return -1;
    }
    case 'double':
      if (rc === 'int' || rc === 'long') return compareSame(lv, toDouble(rv as JavaNumber));
      if (rc === 'string') return compareSame(lv, parseJavaDouble(rv as string));
      return -1;
    case 'string': {
      const s = lv as string;
      if (rc === 'boolean') return compareSame(s.toLowerCase() === 'true', rv);
      if (rc === 'int' || rc === 'long') return compareSame(parseJavaInteger(s, rc), rv);
      return compareSame(parseJavaDouble(s), rv);
    }
  }
}

/** Value.equals in Java: same class and value (Double by bits: NaN equals NaN, 0.0 not -0.0). */
function javaEquals(a: Value, b: Value): boolean {
  if (isNumber(a) && isNumber(b)) return a.kind === b.kind && Object.is(a.v, b.v);
  return a === b;
}

function asBoolean(op: string, v: Value): boolean | null {
  if (v === null || typeof v === 'boolean') return v;
  throw new SelectorError(`ClassCastException: ${op} of a non-boolean value`);
}

function negate(n: JavaNumber): JavaNumber {
  if (n.kind === 'double') return { kind: 'double', v: -n.v };
  return { kind: n.kind, v: BigInt.asIntN(n.kind === 'int' ? 32 : 64, -n.v) };
}

function holds(op: string, c: number): boolean {
  switch (op) {
    case '>':
      return c > 0;
    case '>=':
      return c >= 0;
    case '<':
      return c < 0;
    default:
      return c <= 0;
  }
}

/** Expression.evaluate. Throws SelectorError where Java throws. */
export function evaluate(e: Expr, get: PropertyLookup): Value {
  switch (e.k) {
    case 'const':
      return e.v;
    case 'prop':
      return get(e.name) ?? null;
    case 'neg': {
      const v = evaluate(e.e, get);
      return isNumber(v) ? negate(v) : null;
    }
    case 'not': {
      const v = asBoolean('NOT', evaluate(e.e, get));
      return v === null ? null : !v;
    }
    case 'cast': {
      const v = evaluate(e.e, get);
      return v === null ? null : typeof v === 'boolean' ? v : false;
    }
    case 'and': {
      const l = asBoolean('AND', evaluate(e.l, get));
      if (l === false) return false;
      const r = asBoolean('AND', evaluate(e.r, get));
      if (r === false) return false;
      return l === null || r === null ? null : true;
    }
    case 'or': {
      const l = asBoolean('OR', evaluate(e.l, get));
      if (l === true) return true;
      const r = asBoolean('OR', evaluate(e.r, get));
      if (r === true) return true;
      return l === null || r === null ? null : false;
    }
    case 'eq': {
      const lv = evaluate(e.l, get);
      const rv = evaluate(e.r, get);
      if ((lv === null) !== (rv === null)) return lv === null ? null : false;
      if (lv === null || javaEquals(lv, rv)) return true;
      return javaCompare(lv, rv) === 0;
    }
    case 'cmp': {
      const lv = evaluate(e.l, get);
      if (lv === null) return null;
      const rv = evaluate(e.r, get);
      if (rv === null) return null;
      if (typeof lv === 'string' && typeof rv === 'string') {
        let c: number;
        try {
          c = compareSame(parseJavaDouble(lv), parseJavaDouble(rv));
        } catch {
          throw new SelectorError(`It's illegal to compare string by '>=', '>', '<', '<='. lv=${lv}, rv=${rv}`);
        }
        return holds(e.op, c);
      }
      return holds(e.op, javaCompare(lv, rv));
    }
    case 'in': {
      const v = get(e.name);
      if (v === undefined) return null;
      return e.set.has(v) !== e.not;
    }
  }
}

/** BooleanExpression.matches as ExpressionMessageFilter uses it: TRUE matches; null, FALSE or a failure do not. */
export function matches(e: Expr, get: PropertyLookup): boolean {
  try {
    return evaluate(e, get) === true;
  } catch {
    return false;
  }
}
