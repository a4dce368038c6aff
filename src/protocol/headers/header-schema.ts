import { InvalidArgumentError } from '../../common/index.js';
import { isDecimal } from '../json-header.js';

/**
 * Typed custom headers over extFields (RemotingCommand.decodeCommandCustomHeader /
 * makeCustomHeaderToNet). A schema lists each Java field with its wire type:
 * `string`, `int` (Integer, int32), `long` (Long, checked with
 * Number.isSafeInteger), `bool` (Boolean). Required fields are the Java
 * `@CFNotNull` ones. Values travel as `toString()` strings; booleans parse like
 * Java `Boolean.parseBoolean` (case-insensitive "true", anything else false).
 */
export type FieldKind = 'string' | 'int' | 'long' | 'bool';

export interface FieldSpec {
  readonly kind: FieldKind;
  readonly required: boolean;
}

export type HeaderSchema = Readonly<Record<string, FieldSpec>>;

type KindType<K extends FieldKind> = K extends 'string' ? string : K extends 'bool' ? boolean : number;
type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** The typed object a schema describes: required fields mandatory, others optional. */
export type HeaderOf<S extends HeaderSchema> = Simplify<
  { -readonly [P in keyof S as S[P]['required'] extends true ? P : never]: KindType<S[P]['kind']> } & {
    -readonly [P in keyof S as S[P]['required'] extends true ? never : P]?: KindType<S[P]['kind']>;
  }
>;

export const req = <K extends FieldKind>(kind: K): { readonly kind: K; readonly required: true } => ({ kind, required: true });
export const opt = <K extends FieldKind>(kind: K): { readonly kind: K; readonly required: false } => ({ kind, required: false });

const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;

function parseValue(headerName: string, field: string, kind: FieldKind, raw: string): string | number | boolean {
  switch (kind) {
    case 'string':
      return raw;
    case 'bool':
      return raw.length === 4 && raw.toLowerCase() === 'true';
    case 'int':
    case 'long': {
      const n = isDecimal(raw) ? Number(raw) : Number.NaN;
      if (!Number.isSafeInteger(n) || (kind === 'int' && (n < INT32_MIN || n > INT32_MAX))) {
        throw new InvalidArgumentError(`${headerName}: field ${field} is not a valid ${kind === 'int' ? 'Integer' : 'Long'}: "${raw}"`);
      }
      return n;
    }
  }
}

/**
 * Parses `ext` into the typed header. Throws InvalidArgumentError naming the
 * first missing required field or the first unparsable value.
 */
export function decodeHeader<S extends HeaderSchema>(
  headerName: string,
  schema: S,
  ext: Readonly<Record<string, string>>,
  keyOf: (field: string) => string = (f) => f,
): HeaderOf<S> {
  const out: Record<string, string | number | boolean> = {};
  for (const field in schema) {
    const spec = schema[field];
    if (spec === undefined) continue;
    const key = keyOf(field);
    const raw = Object.hasOwn(ext, key) ? ext[key] : undefined;
    if (raw === undefined) {
      if (spec.required) throw new InvalidArgumentError(`${headerName}: missing required field ${key}`);
      continue;
    }
    out[field] = parseValue(headerName, key, spec.kind, raw);
  }
  // Every schema field was checked above against its kind and requiredness.
  return out as HeaderOf<S>;
}

/**
 * Writes the typed header as extFields strings (into `into` if given).
 * Throws InvalidArgumentError on a missing required field or a value of the
 * wrong type/range, so nothing unparsable reaches the wire.
 */
export function encodeHeader<S extends HeaderSchema>(
  headerName: string,
  schema: S,
  header: HeaderOf<S>,
  into: Record<string, string> = {},
  keyOf: (field: string) => string = (f) => f,
): Record<string, string> {
  const values: Readonly<Record<string, unknown>> = header;
  for (const field in schema) {
    const spec = schema[field];
    if (spec === undefined) continue;
    const v = values[field];
    if (v === undefined) {
      if (spec.required) throw new InvalidArgumentError(`${headerName}: missing required field ${field}`);
      continue;
    }
    into[keyOf(field)] = formatValue(headerName, field, spec.kind, v);
  }
  return into;
}

function formatValue(headerName: string, field: string, kind: FieldKind, v: unknown): string {
  if (kind === 'string' && typeof v === 'string') return v;
  if (kind === 'bool' && typeof v === 'boolean') return v ? 'true' : 'false';
  if ((kind === 'int' || kind === 'long') && typeof v === 'number' && Number.isSafeInteger(v)) {
    if (kind === 'int' && (v < INT32_MIN || v > INT32_MAX)) {
      throw new InvalidArgumentError(`${headerName}: field ${field} out of Integer range: ${v}`);
    }
    return String(v);
  }
  throw new InvalidArgumentError(`${headerName}: field ${field} is not a valid ${kind}: ${String(v)}`);
}

/** A named header type: `X.decode(extFields)` → typed object, `X.encode(obj)` → extFields. */
export interface HeaderCodec<S extends HeaderSchema> {
  readonly name: string;
  readonly schema: S;
  decode(ext: Readonly<Record<string, string>>): HeaderOf<S>;
  encode(header: HeaderOf<S>, into?: Record<string, string>): Record<string, string>;
}

/** The typed object of a HeaderCodec. */
export type HeaderType<C> = C extends HeaderCodec<infer S> ? HeaderOf<S> : never;

export function defineHeader<S extends HeaderSchema>(name: string, schema: S): HeaderCodec<S> {
  return {
    name,
    schema,
    decode: (ext) => decodeHeader(name, schema, ext),
    encode: (header, into) => encodeHeader(name, schema, header, into),
  };
}
