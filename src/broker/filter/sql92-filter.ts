/**
 * Compiling SQL92 selectors (filter/SqlFilter.java and
 * filter/parser/SelectorParser.parse, rocketmq-all-4.9.8) with a bounded cache
 * of compiled filters, keyed by consumer group + topic + subVersion +
 * expression (failures are cached too, as SelectorParser's PARSE_CACHE does).
 */
import type { Expr } from './sql92-expression.js';
import type { PropertyLookup } from './sql92-eval.js';
import { matches } from './sql92-eval.js';
import { SelectorError } from './sql92-lexer.js';
import { parseSelector } from './sql92-parser.js';

/** common/filter/ExpressionType.java. */
export const ExpressionType = { SQL92: 'SQL92', TAG: 'TAG' } as const;

/** ExpressionType.isTagType: no type, empty or TAG. */
export function isTagType(type: string | undefined): boolean {
  return type === undefined || type === '' || type === ExpressionType.TAG;
}

/** A compiled selector. */
export interface Sql92Filter {
  readonly expression: string;
  readonly tree: Expr;
  /** True only when the expression evaluates to Boolean TRUE for these properties. */
  matches(get: PropertyLookup): boolean;
}

/**
 * An expression that does not compile. The message starts with Java's
 * "Invalid MessageSelector. " (MQFilterException) followed by the reason.
 */
export class InvalidSelectorError extends Error {
  constructor(
    readonly expression: string,
    readonly reason: string,
  ) {
    super(`Invalid MessageSelector. ${reason}`);
    this.name = 'InvalidSelectorError';
  }
}

/** Compiles `expression`; throws InvalidSelectorError. Uncached. */
export function compileSql92(expression: string): Sql92Filter {
  let tree: Expr;
  try {
    tree = parseSelector(expression);
  } catch (err: unknown) {
    if (err instanceof SelectorError) throw new InvalidSelectorError(expression, err.message);
    throw err;
  }
  return { expression, tree, matches: (get) => matches(tree, get) };
}

type CacheEntry = Sql92Filter | InvalidSelectorError;

/** A small LRU (Map keeps insertion order; a hit moves to the end). */
class LruCache {
  private readonly map = new Map<string, CacheEntry>();
  constructor(private readonly max: number) {}

  get(key: string): CacheEntry | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  set(key: string, v: CacheEntry): void {
    this.map.delete(key);
    this.map.set(key, v);
    if (this.map.size > this.max) {
      const oldest = this.map.keys().next();
      if (oldest.done !== true) this.map.delete(oldest.value);
    }
  }

  get size(): number {
    return this.map.size;
  }

  clear(): void {
    this.map.clear();
  }
}

const MAX_CACHED = 4096;
const cache = new LruCache(MAX_CACHED);

export interface FilterKey {
  readonly group: string;
  readonly topic: string;
  readonly subVersion: number;
  readonly expression: string;
}

/**
 * The compiled filter for one subscription, from the cache when the same
 * group, topic, subVersion and expression were compiled before. Throws
 * InvalidSelectorError (also from the cache).
 */
export function compiledFilterFor(key: FilterKey): Sql92Filter {
  const k = `${key.group}\u0001${key.topic}\u0001${key.subVersion}\u0001${key.expression}`;
  let entry = cache.get(k);
  if (entry === undefined) {
    try {
      entry = compileSql92(key.expression);
    } catch (err: unknown) {
      if (!(err instanceof InvalidSelectorError)) throw err;
      entry = err;
    }
    cache.set(k, entry);
  }
  if (entry instanceof InvalidSelectorError) throw entry;
  return entry;
}

/** For tests: how many compiled filters (and failures) are cached. */
export function compiledFilterCacheSize(): number {
  return cache.size;
}

/** For tests. */
export function clearCompiledFilterCache(): void {
  cache.clear();
}
