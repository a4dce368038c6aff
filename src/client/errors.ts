/**
 * Errors the client throws besides the shared ones (InvalidArgumentError,
 * TimeoutError, ConnectionError from common; ResponseError from protocol,
 * which carries the broker's `responseCode` and `remark`). Every error is an
 * OrbitError with a stable `code` and `retriable`.
 */
import { OrbitError, type OrbitErrorOptions } from '../common/index.js';

/** Base class of client-side failures. */
export class ClientError extends OrbitError {}

/** The client is not started, or already shut down (code `CLIENT_STATE`). */
export class ClientStateError extends ClientError {
  constructor(message: string, options: OrbitErrorOptions = {}) {
    super('CLIENT_STATE', message, options);
  }
}

/** No name server knows a route for the topic, or a broker of the route has no address (code `NO_ROUTE`, retriable). */
export class NoRouteError extends ClientError {
  readonly topic: string;
  constructor(topic: string, message: string, options: OrbitErrorOptions = {}) {
    super('NO_ROUTE', message, { retriable: true, ...options });
    this.topic = topic;
  }
}

/** The message (or batch) body exceeds `maxMessageSize` (code `MESSAGE_TOO_LARGE`). */
export class MessageTooLargeError extends ClientError {
  readonly size: number;
  readonly maxSize: number;
  constructor(size: number, maxSize: number) {
    super('MESSAGE_TOO_LARGE', `message body of ${size} bytes exceeds maxMessageSize ${maxSize}`);
    this.size = size;
    this.maxSize = maxSize;
  }
}

/** The message is malformed (bad topic, empty body, reserved property...) (code `MESSAGE_ILLEGAL`). */
export class InvalidMessageError extends ClientError {
  constructor(message: string, options: OrbitErrorOptions = {}) {
    super('MESSAGE_ILLEGAL', message, options);
  }
}

/** The caller's AbortSignal fired (code `ABORTED`; `cause` is the signal's reason). */
export class AbortError extends ClientError {
  constructor(message = 'operation aborted', options: OrbitErrorOptions = {}) {
    super('ABORTED', message, options);
  }
}

/** True for any error produced by an aborted signal (ours or the remoting layer's). */
export function isAbortError(err: unknown): boolean {
  return err instanceof OrbitError && err.code === 'ABORTED';
}
