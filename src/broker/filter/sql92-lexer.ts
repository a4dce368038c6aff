/**
 * Tokens of RocketMQ's SQL92 selector (filter/parser/SelectorParser.jj,
 * rocketmq-all-4.9.8, itself ActiveMQ's grammar without LIKE, ESCAPE, XPATH,
 * XQUERY, arithmetic, hex and octal literals):
 *
 * - whitespace ` \t\n\r\f`; `-- comment` up to a line break; `/* comment *\/`;
 * - keywords, case-insensitive: NOT AND OR BETWEEN IN TRUE FALSE NULL IS
 *   (4.9.8 has no CONTAINS / STARTSWITH / ENDSWITH; those came in 5.x);
 * - DECIMAL_LITERAL `0 | [1-9][0-9]*[lL]?`; FLOATING_POINT_LITERAL
 *   `5.5 | 5. | .5` with an optional exponent, or `5E10`;
 * - STRING_LITERAL in single quotes, `''` for a quote;
 * - ID `[a-zA-Z_$][a-zA-Z0-9_$]*` (a property name such as TAGS or KEYS);
 * - punctuation `= <> > >= < <= ( ) , + -`. There is no `!=` in 4.9.8.
 *
 * JavaCC picks the longest match, keywords winning ties with ID.
 */

export type TokenKind = 'KEYWORD' | 'DECIMAL' | 'FLOAT' | 'STRING' | 'ID' | 'PUNCT' | 'EOF';

export interface Token {
  readonly kind: TokenKind;
  /** Keywords upper-cased; string literals decoded; everything else as written. */
  readonly text: string;
  /** The source text of the token. */
  readonly image: string;
  readonly line: number;
  readonly column: number;
}

/**
 * An invalid selector (lexical, syntax or one of the checks the Java factories
 * make), or an evaluation failure; messages read like the Java ones.
 */
export class SelectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SelectorError';
  }
}

export const KEYWORDS: ReadonlySet<string> = new Set(['NOT', 'AND', 'OR', 'BETWEEN', 'IN', 'TRUE', 'FALSE', 'NULL', 'IS']);

const WHITESPACE = new Set([' ', '\t', '\n', '\r', '\f']);
const ID_START = /[A-Za-z_$]/;
const ID_PART = /[A-Za-z0-9_$]/;
const TWO_CHAR = new Set(['<>', '>=', '<=']);
const ONE_CHAR = new Set(['=', '>', '<', '(', ')', ',', '+', '-']);
const FLOAT_AT = /^(?:[0-9]+\.[0-9]*(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?|[0-9]+[eE][+-]?[0-9]+)/;
const DECIMAL_AT = /^(?:[1-9][0-9]*[lL]?|0)/;

export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const advance = (to: number): void => {
    for (let k = i; k < to; k++) {
      if (src[k] === '\n' || (src[k] === '\r' && src[k + 1] !== '\n')) {
        line++;
        lineStart = k + 1;
      }
    }
    i = to;
  };
  const push = (kind: TokenKind, text: string, end: number): void => {
    out.push({ kind, text, image: src.slice(i, end), line, column: i - lineStart + 1 });
    advance(end);
  };
  while (i < src.length) {
    const c = src.charAt(i);
    if (WHITESPACE.has(c)) {
      advance(i + 1);
      continue;
    }
    if (src.startsWith('--', i)) {
      // LINE_COMMENT needs its line break; without one JavaCC reads two '-' tokens.
      const m = /\r\n|\n|\r/.exec(src.slice(i));
      if (m !== null) {
        advance(i + m.index + m[0].length);
        continue;
      }
    }
    if (src.startsWith('/*', i)) {
      const end = src.indexOf('*/', i + 2);
      if (end < 0) throw lexicalError(src, i, line, lineStart);
      advance(end + 2);
      continue;
    }
    if (c === "'") {
      let j = i + 1;
      let text = '';
      for (;;) {
        if (j >= src.length) throw new SelectorError(`Lexical error at line ${line}, column ${i - lineStart + 1}. Unterminated string literal`);
        const ch = src.charAt(j);
        if (ch === "'") {
          if (src.charAt(j + 1) === "'") {
            text += "'";
            j += 2;
            continue;
          }
          break;
        }
        text += ch;
        j++;
      }
      push('STRING', text, j + 1);
      continue;
    }
    const rest = src.slice(i, i + 400);
    const fl = FLOAT_AT.exec(rest);
    const dec = DECIMAL_AT.exec(rest);
    if (fl !== null && fl[0].length > (dec?.[0].length ?? 0)) {
      push('FLOAT', fl[0], i + fl[0].length);
      continue;
    }
    if (dec !== null) {
      push('DECIMAL', dec[0], i + dec[0].length);
      continue;
    }
    if (ID_START.test(c)) {
      let j = i + 1;
      while (j < src.length && ID_PART.test(src.charAt(j))) j++;
      const word = src.slice(i, j);
      const upper = word.toUpperCase();
      if (KEYWORDS.has(upper)) push('KEYWORD', upper, j);
      else push('ID', word, j);
      continue;
    }
    const two = src.slice(i, i + 2);
    if (TWO_CHAR.has(two)) {
      push('PUNCT', two, i + 2);
      continue;
    }
    if (ONE_CHAR.has(c)) {
      push('PUNCT', c, i + 1);
      continue;
    }
    throw lexicalError(src, i, line, lineStart);
  }
  out.push({ kind: 'EOF', text: '', image: '<EOF>', line, column: i - lineStart + 1 });
  return out;
}

function lexicalError(src: string, i: number, line: number, lineStart: number): SelectorError {
  const ch = src.charAt(i);
  const hint = ch === '!' && src.charAt(i + 1) === '=' ? ' (use <> for "not equal")' : '';
  return new SelectorError(`Lexical error at line ${line}, column ${i - lineStart + 1}. Encountered: "${ch}" (${ch.charCodeAt(0)})${hint}`);
}
