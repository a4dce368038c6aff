/**
 * Recursive-descent parser of RocketMQ's SQL92 selector
 * (filter/parser/SelectorParser.jj, rocketmq-all-4.9.8), production for
 * production, lowest precedence first:
 *
 *   selector   := or                                  (must be a boolean expression)
 *   or         := and ( OR and )*
 *   and        := equality ( AND equality )*
 *   equality   := comparison ( '=' comparison | '<>' comparison | IS NULL | IS NOT NULL )*
 *   comparison := unary ( ('>' | '>=' | '<' | '<=') unary
 *                       | [NOT] BETWEEN unary AND unary
 *                       | [NOT] IN '(' string ( ',' string )* ')' )*
 *   unary      := '+' unary | '-' unary | NOT unary | primary
 *   primary    := literal | ID | '(' or ')'
 *   literal    := string | decimal | float | TRUE | FALSE | NULL
 *
 * So NOT binds tighter than comparisons, as in Java: `NOT a > 5` is refused
 * ("cannot be compared"), `NOT (a > 5)` is the way to write it. IN lists
 * hold string literals only.
 *
 * One deliberate difference: Java 4.9.8's JmsSelector does not require the
 * end of input, so `a = 1 b` is accepted there as `a = 1`; OrbitMQ refuses
 * trailing tokens.
 */
import type { CompareOp, Expr } from './sql92-expression.js';
import {
  FALSE_CONST,
  NULL_CONST,
  TRUE_CONST,
  asBoolean,
  createAnd,
  createBetween,
  createCompare,
  createEqual,
  createIn,
  createIsNotNull,
  createIsNull,
  createNegate,
  createNot,
  createNotBetween,
  createNotEqual,
  createOr,
  decimalConstant,
  floatConstant,
} from './sql92-expression.js';
import { javaCompare } from './sql92-eval.js';
import type { Token } from './sql92-lexer.js';
import { SelectorError, tokenize } from './sql92-lexer.js';

const COMPARE_OPS: ReadonlySet<string> = new Set(['>', '>=', '<', '<=']);

class Parser {
  private pos = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  private peek(offset = 0): Token {
    const t = this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)];
    if (t === undefined) throw new SelectorError('empty token stream');
    return t;
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'EOF') this.pos++;
    return t;
  }

  private is(t: Token, kind: 'KEYWORD' | 'PUNCT', text: string): boolean {
    return t.kind === kind && t.text === text;
  }

  private accept(kind: 'KEYWORD' | 'PUNCT', text: string): boolean {
    if (!this.is(this.peek(), kind, text)) return false;
    this.pos++;
    return true;
  }

  private expect(kind: 'KEYWORD' | 'PUNCT', text: string): void {
    if (!this.accept(kind, text)) throw this.unexpected(`"${text}"`);
  }

  unexpected(expected: string): SelectorError {
    const t = this.peek();
    const what = t.kind === 'EOF' ? '<EOF>' : `"${t.image}"`;
    return new SelectorError(`Encountered ${what} at line ${t.line}, column ${t.column}. Was expecting: ${expected}`);
  }

  selector(): Expr {
    const e = asBoolean(this.or());
    if (this.peek().kind !== 'EOF') throw this.unexpected('AND, OR or the end of the expression');
    return e;
  }

  private or(): Expr {
    let left = this.and();
    while (this.accept('KEYWORD', 'OR')) left = createOr(asBoolean(left), asBoolean(this.and()));
    return left;
  }

  private and(): Expr {
    let left = this.equality();
    while (this.accept('KEYWORD', 'AND')) left = createAnd(asBoolean(left), asBoolean(this.equality()));
    return left;
  }

  private equality(): Expr {
    let left = this.comparison();
    for (;;) {
      if (this.accept('PUNCT', '=')) left = createEqual(left, this.comparison());
      else if (this.accept('PUNCT', '<>')) left = createNotEqual(left, this.comparison());
      else if (this.accept('KEYWORD', 'IS')) {
        const not = this.accept('KEYWORD', 'NOT');
        this.expect('KEYWORD', 'NULL');
        left = not ? createIsNotNull(left) : createIsNull(left);
      } else return left;
    }
  }

  private comparison(): Expr {
    let left = this.unary();
    for (;;) {
      const t = this.peek();
      if (t.kind === 'PUNCT' && COMPARE_OPS.has(t.text)) {
        this.pos++;
        left = createCompare(t.text as CompareOp, left, this.unary());
        continue;
      }
      // LOOKAHEAD(2): NOT here only when BETWEEN or IN follows.
      const not = this.is(t, 'KEYWORD', 'NOT') && (this.is(this.peek(1), 'KEYWORD', 'BETWEEN') || this.is(this.peek(1), 'KEYWORD', 'IN'));
      if (not) this.pos++;
      if (this.accept('KEYWORD', 'BETWEEN')) {
        const low = this.unary();
        this.expect('KEYWORD', 'AND');
        const high = this.unary();
        left = not ? createNotBetween(left, low, high) : createBetween(left, low, high, javaCompare);
      } else if (this.accept('KEYWORD', 'IN')) {
        left = createIn(left, this.stringList(), not);
      } else {
        return left;
      }
    }
  }

  private stringList(): string[] {
    this.expect('PUNCT', '(');
    const items = [this.string()];
    while (this.accept('PUNCT', ',')) items.push(this.string());
    this.expect('PUNCT', ')');
    return items;
  }

  private string(): string {
    const t = this.peek();
    if (t.kind !== 'STRING') throw this.unexpected('a string literal');
    this.pos++;
    return t.text;
  }

  private unary(): Expr {
    if (this.accept('PUNCT', '+')) return this.unary();
    if (this.accept('PUNCT', '-')) return createNegate(this.unary());
    if (this.accept('KEYWORD', 'NOT')) return createNot(asBoolean(this.unary()));
    return this.primary();
  }

  private primary(): Expr {
    const t = this.peek();
    switch (t.kind) {
      case 'STRING':
        this.pos++;
        return { k: 'const', v: t.text, bool: false };
      case 'DECIMAL':
        this.pos++;
        return decimalConstant(t.text);
      case 'FLOAT':
        this.pos++;
        return floatConstant(t.text);
      case 'ID':
        this.pos++;
        return { k: 'prop', name: t.text };
      case 'KEYWORD':
        if (t.text === 'TRUE' || t.text === 'FALSE' || t.text === 'NULL') {
          this.pos++;
          return t.text === 'TRUE' ? TRUE_CONST : t.text === 'FALSE' ? FALSE_CONST : NULL_CONST;
        }
        break;
      case 'PUNCT':
        if (t.text === '(') {
          this.pos++;
          const e = this.or();
          this.expect('PUNCT', ')');
          return e;
        }
        break;
      case 'EOF':
        break;
    }
    throw this.unexpected('a literal, a property name, "(", "+", "-" or NOT');
  }
}

/** SelectorParser.parse without the wrapping: throws SelectorError with the detail. */
export function parseSelector(expression: string): Expr {
  const p = new Parser(tokenize(expression));
  return p.selector();
}
