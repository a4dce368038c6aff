/**
 * OrbitMQ's error hierarchy. Every error carries a stable string `code`, a
 * `retriable` flag and an optional ES2022 `cause`. Subclasses group errors by
 * what the caller can do about them.
 */
export interface OrbitErrorOptions {
  readonly cause?: unknown;
  readonly retriable?: boolean;
}

export class OrbitError extends Error {
  readonly code: string;
  readonly retriable: boolean;

  constructor(code: string, message: string, options: OrbitErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = options.retriable ?? false;
  }
}

export class InvalidArgumentError extends OrbitError {
  constructor(message: string, options: OrbitErrorOptions = {}) {
    super('INVALID_ARGUMENT', message, options);
  }
}

export class NotFoundError extends OrbitError {
  constructor(message: string, options: OrbitErrorOptions = {}) {
    super('NOT_FOUND', message, options);
  }
}

export class TimeoutError extends OrbitError {
  constructor(message: string, options: OrbitErrorOptions = {}) {
    super('TIMEOUT', message, { retriable: true, ...options });
  }
}

export class ConnectionError extends OrbitError {
  constructor(message: string, options: OrbitErrorOptions = {}) {
    super('CONNECTION', message, { retriable: true, ...options });
  }
}

export class ProtocolError extends OrbitError {
  constructor(message: string, options: OrbitErrorOptions = {}) {
    super('PROTOCOL', message, options);
  }
}

export class StoreError extends OrbitError {
  constructor(message: string, options: OrbitErrorOptions = {}) {
    super('STORE', message, options);
  }
}

/** A human-readable message for anything that was thrown. */
export function getErrorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** The errno code (`ENOSPC`, `ENOENT`, ...) of a Node system error, if any. */
export function errnoCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code: unknown = err.code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}
