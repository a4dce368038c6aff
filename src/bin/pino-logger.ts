/** Adapts pino (JSON lines on stderr) to OrbitMQ's Logger interface. */
import { destination, pino } from 'pino';
import type { Logger as PinoLogger } from 'pino';
import type { LogFields, Logger } from '../common/index.js';

function wrap(p: PinoLogger): Logger {
  return {
    debug: (msg: string, fields?: LogFields) => p.debug(fields ?? {}, msg),
    info: (msg: string, fields?: LogFields) => p.info(fields ?? {}, msg),
    warn: (msg: string, fields?: LogFields) => p.warn(fields ?? {}, msg),
    error: (msg: string, fields?: LogFields) => p.error(fields ?? {}, msg),
    child: (bindings: LogFields) => wrap(p.child(bindings)),
  };
}

export function createLogger(level: string): Logger {
  return wrap(pino({ level, base: { pid: process.pid } }, destination({ fd: 2, sync: true })));
}
