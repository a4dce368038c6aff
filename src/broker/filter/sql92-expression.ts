/**
 * The SQL92 expression tree and the checks RocketMQ makes while building it
 * (filter/expression/ComparisonExpression.java, LogicExpression.java,
 * UnaryExpression.java, ConstantExpression.java, BooleanConstantExpression.java,
 * rocketmq-all-4.9.8). Messages of the checks and `toString` of the nodes
 * follow the Java classes, so a refused expression reads the same.
 *
 * Values are Java's: String, Boolean, null, and the numbers the parser makes
 * (Integer, Long, Double). Integers are bigint so a Long compares exactly.
 */
import { SelectorError } from './sql92-lexer.js';

/** Integer / Long (bigint) or Double. */
export type JavaNumber = { readonly kind: 'int' | 'long'; readonly v: bigint } | { readonly kind: 'double'; readonly v: number };
export type Value = string | boolean | null | JavaNumber;

export type CompareOp = '>' | '>=' | '<' | '<=';

export type Expr =
  /** `bool`: a BooleanConstantExpression (TRUE, FALSE, NULL). */
  | { readonly k: 'const'; readonly v: Value; readonly bool: boolean }
  | { readonly k: 'prop'; readonly name: string }
  | { readonly k: 'neg'; readonly e: Expr }
  | { readonly k: 'not'; readonly e: Expr }
  /** UnaryExpression.createBooleanCast: a property used as a condition. */
  | { readonly k: 'cast'; readonly e: Expr }
  | { readonly k: 'and' | 'or'; readonly l: Expr; readonly r: Expr }
  /** doCreateEqual; IS NULL is `eq` against the NULL constant. */
  | { readonly k: 'eq'; readonly l: Expr; readonly r: Expr }
  | { readonly k: 'cmp'; readonly op: CompareOp; readonly l: Expr; readonly r: Expr }
  | { readonly k: 'in'; readonly name: string; readonly items: readonly string[]; readonly set: ReadonlySet<string>; readonly not: boolean };

export const NULL_CONST: Expr = { k: 'const', v: null, bool: true };
export const TRUE_CONST: Expr = { k: 'const', v: true, bool: true };
export const FALSE_CONST: Expr = { k: 'const', v: false, bool: true };

export function isNumber(v: Value): v is JavaNumber {
  return typeof v === 'object' && v !== null;
}

/** Implements BooleanExpression in Java. */
export function isBooleanExpr(e: Expr): boolean {
  return e.k === 'const' ? e.bool : e.k !== 'prop' && e.k !== 'neg';
}

/** Java's Double.toString (shortest digits; plain in [1e-3, 1e7), else d.dddE±n). */
export function javaDouble(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(v);
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(v);
    return s.includes('.') ? s : `${s}.0`;
  }
  const [mant = '', exp = '0'] = v.toExponential().split('e');
  return `${mant.includes('.') ? mant : `${mant}.0`}E${exp.startsWith('+') ? exp.slice(1) : exp}`;
}

/** A value as Java's String.valueOf prints it (the between-check messages). */
export function javaValueString(v: Value): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean' || typeof v === 'string') return String(v);
  return v.kind === 'double' ? javaDouble(v.v) : v.v.toString();
}

/** ConstantExpression.encodeString. */
function quote(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/** `toString` of the Java nodes (BinaryExpression: `(l op r)`; `==` for equality, `&&` / `||`). */
export function exprToString(e: Expr): string {
  switch (e.k) {
    case 'const':
      if (e.v === null) return 'NULL';
      if (typeof e.v === 'boolean') return e.v ? 'TRUE' : 'FALSE';
      if (typeof e.v === 'string') return quote(e.v);
      return javaValueString(e.v);
    case 'prop':
      return e.name;
    case 'neg':
      return `(- ${exprToString(e.e)})`;
    case 'not':
      return `(NOT ${exprToString(e.e)})`;
    case 'cast':
      return exprToString(e.e);
    case 'and':
      return `(${exprToString(e.l)} && ${exprToString(e.r)})`;
    case 'or':
      return `(${exprToString(e.l)} || ${exprToString(e.r)})`;
    case 'eq':
      return `(${exprToString(e.l)} == ${exprToString(e.r)})`;
    case 'cmp':
      return `(${exprToString(e.l)} ${e.op} ${exprToString(e.r)})`;
    case 'in':
      return `${e.name} ${e.not ? 'NOT IN' : 'IN'} ( ${e.items.join(', ')} )`;
  }
}

/** ConstantExpression.createFromDecimal: Long range, Integer when it fits. */
export function decimalConstant(text: string): Expr {
  const digits = /[lL]$/.test(text) ? text.slice(0, -1) : text;
  const v = BigInt(digits);
  if (v > 0x7fffffffffffffffn) throw new SelectorError(`For input string: "${digits}"`);
  const kind = v <= 0x7fffffffn ? 'int' : 'long';
  return { k: 'const', v: { kind, v }, bool: false };
}

/** ConstantExpression.createFloat, with its range checks (so `0.0` is refused, as in Java). */
export function floatConstant(text: string): Expr {
  const v = Number(text);
  if (v > Number.MAX_VALUE) throw new SelectorError(`${text} is greater than ${javaDouble(Number.MAX_VALUE)}`);
  // Java prints Double.MIN_VALUE as 4.9E-324.
  if (v < Number.MIN_VALUE) throw new SelectorError(`${text} is less than 4.9E-324`);
  return { k: 'const', v: { kind: 'double', v }, bool: false };
}

/** SelectorParser.asBooleanExpression. */
export function asBoolean(e: Expr): Expr {
  if (isBooleanExpr(e)) return e;
  if (e.k === 'prop') return { k: 'cast', e };
  throw new SelectorError(`Expression will not result in a boolean value: ${exprToString(e)}`);
}

export function createAnd(l: Expr, r: Expr): Expr {
  return { k: 'and', l, r };
}

export function createOr(l: Expr, r: Expr): Expr {
  return { k: 'or', l, r };
}

export function createNot(e: Expr): Expr {
  return { k: 'not', e };
}

export function createNegate(e: Expr): Expr {
  return { k: 'neg', e };
}

/** ComparisonExpression.checkEqualOperand: the NULL literal cannot be compared with `=`. */
function checkEqualOperand(e: Expr): void {
  if (e.k === 'const' && e.v === null) throw new SelectorError(`'${exprToString(e)}' cannot be compared.`);
}

/** ComparisonExpression.checkLessThanOperand: only numbers (or non-boolean expressions) with > >= < <=. */
function checkLessThanOperand(e: Expr): void {
  if (e.k === 'const') {
    if (isNumber(e.v)) return;
    throw new SelectorError(`Value '${exprToString(e)}' cannot be compared.`);
  }
  if (isBooleanExpr(e)) throw new SelectorError(`Value '${exprToString(e)}' cannot be compared.`);
}

export function createEqual(l: Expr, r: Expr): Expr {
  checkEqualOperand(l);
  checkEqualOperand(r);
  // checkEqualOperandCompatability: TRUE = 'x' is refused, 'x' = TRUE is not.
  if (l.k === 'const' && r.k === 'const' && l.bool && !r.bool) {
    throw new SelectorError(`'${exprToString(l)}' cannot be compared with '${exprToString(r)}'`);
  }
  return { k: 'eq', l, r };
}

export function createNotEqual(l: Expr, r: Expr): Expr {
  return createNot(createEqual(l, r));
}

export function createIsNull(l: Expr): Expr {
  return { k: 'eq', l, r: NULL_CONST };
}

export function createIsNotNull(l: Expr): Expr {
  return createNot(createIsNull(l));
}

export function createCompare(op: CompareOp, l: Expr, r: Expr): Expr {
  checkLessThanOperand(l);
  checkLessThanOperand(r);
  return { k: 'cmp', op, l, r };
}

/**
 * ComparisonExpression.createBetween: constant bounds must not be NULL and
 * must be ordered; then `v >= low AND v <= high`.
 */
export function createBetween(v: Expr, low: Expr, high: Expr, compare: (a: Value, b: Value) => number): Expr {
  if (low.k === 'const' && high.k === 'const') {
    if (low.v === null || high.v === null) throw new SelectorError('Illegal values of between, values can not be null!');
    if (compare(high.v, low.v) < 0) {
      throw new SelectorError(
        `Illegal values of between, left value(${javaValueString(low.v)}) must less than or equal to right value(${javaValueString(high.v)})`,
      );
    }
  }
  return createAnd(createCompare('>=', v, low), createCompare('<=', v, high));
}

/** ComparisonExpression.createNotBetween: `v < low OR v > high`, no order check. */
export function createNotBetween(v: Expr, low: Expr, high: Expr): Expr {
  return createOr(createCompare('<', v, low), createCompare('>', v, high));
}

/** ComparisonExpression.createInFilter / createNotInFilter: the left side must be a property. */
export function createIn(l: Expr, items: readonly string[], not: boolean): Expr {
  if (l.k !== 'prop') throw new SelectorError(`Expected a property for In expression, got: ${exprToString(l)}`);
  return { k: 'in', name: l.name, items, set: new Set(items), not };
}
