import { getErrorMessage, type Logger } from '../common/index.js';
import {
  ResponseCode, createResponse, isOneway, markResponse, type RemotingCommand,
} from '../protocol/index.js';
import type { RemotingChannel, RequestProcessor } from './remoting-channel.js';

/**
 * Request code → processor registry and dispatch, shared by server and
 * client (NettyRemotingAbstract.processRequestCommand):
 * unknown code → REQUEST_CODE_NOT_SUPPORTED (" request type X not supported"),
 * a throwing processor → SYSTEM_ERROR with the error message as remark,
 * oneway requests never get a response.
 */
export class ProcessorTable {
  private readonly table = new Map<number, RequestProcessor>();
  private defaultProcessor: RequestProcessor | undefined;
  private inFlightCount = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly logger: Logger) {}

  register(code: number, processor: RequestProcessor): void {
    this.table.set(code, processor);
  }

  setDefault(processor: RequestProcessor): void {
    this.defaultProcessor = processor;
  }

  get inFlight(): number {
    return this.inFlightCount;
  }

  /** Resolves when no processor is running. */
  whenIdle(): Promise<void> {
    if (this.inFlightCount === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  dispatch(channel: RemotingChannel, request: RemotingCommand): void {
    const processor = this.table.get(request.code) ?? this.defaultProcessor;
    const oneway = isOneway(request);
    if (processor === undefined) {
      this.logger.debug('request code not supported', { code: request.code, channel: channel.id });
      if (!oneway) {
        channel.reply(request, createResponse(ResponseCode.REQUEST_CODE_NOT_SUPPORTED, ` request type ${request.code} not supported`));
      }
      return;
    }
    this.inFlightCount++;
    let result: ReturnType<RequestProcessor>;
    try {
      result = processor(request, { channel });
    } catch (err: unknown) {
      this.fail(channel, request, oneway, err);
      this.done();
      return;
    }
    if (result instanceof Promise) {
      result.then(
        (response) => {
          if (response !== undefined && !oneway) channel.reply(request, response);
        },
        (err: unknown) => this.fail(channel, request, oneway, err),
      ).finally(() => this.done()).catch((err: unknown) => {
        this.logger.error('reply failed', { code: request.code, error: getErrorMessage(err) });
      });
      return;
    }
    try {
      if (result !== undefined && !oneway) channel.reply(request, result);
    } finally {
      this.done();
    }
  }

  private fail(channel: RemotingChannel, request: RemotingCommand, oneway: boolean, err: unknown): void {
    const message = getErrorMessage(err);
    this.logger.warn('processor failed', { code: request.code, opaque: request.opaque, channel: channel.id, error: message });
    if (!oneway) channel.reply(request, createResponse(ResponseCode.SYSTEM_ERROR, message));
  }

  private done(): void {
    this.inFlightCount--;
    if (this.inFlightCount === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }
}

/** Fills in the reply fields Java's processRequestCommand sets. */
export function prepareReply(request: RemotingCommand, response: RemotingCommand): RemotingCommand {
  response.opaque = request.opaque;
  markResponse(response);
  return response;
}
