/**
 * OrbitMQ — the package's main entry: the client SDK, plus the shared error
 * and logger types it uses.
 */
export * from './client/index.js';
export {
  OrbitError, InvalidArgumentError, TimeoutError, ConnectionError, ProtocolError, type Logger, type LogFields, noopLogger,
} from './common/index.js';
export { ResponseError, ResponseCode, type ResponseCodeName } from './protocol/index.js';
