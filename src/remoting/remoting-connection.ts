import type { Socket } from 'node:net';
import {
  ConnectionError, OrbitError, TimeoutError, getErrorMessage, onAbort, type Logger,
} from '../common/index.js';
import {
  FrameDecoder, RemotingCommandFlag, ResponseCode, createResponse, encodeFrameParts, isResponse, markOneway,
  type RemotingCommand, type SerializeType,
} from '../protocol/index.js';
import { prepareReply } from './processor-table.js';
import { PendingTable } from './pending-table.js';
import type { RemotingChannel } from './remoting-channel.js';

export interface ConnectionOptions {
  readonly id: string;
  readonly logger: Logger;
  readonly maxFrameBytes: number;
  /** Close the peer when its write buffer stays full this long. */
  readonly drainTimeoutMs: number;
  /** All-idle timeout (no bytes either way); 0 disables. */
  readonly idleTimeoutMs: number;
  readonly serializeType: SerializeType;
  /** Switch to the serialisation of the peer's latest request (server side). */
  readonly followPeerSerializeType: boolean;
  readonly onRequest: (conn: RemotingConnection, request: RemotingCommand) => void;
  readonly onClose: (conn: RemotingConnection, error: Error | undefined) => void;
  readonly onIdle?: (conn: RemotingConnection) => void;
  readonly onException?: (conn: RemotingConnection, error: Error) => void;
}

interface Pending {
  readonly resolve: (cmd: RemotingCommand) => void;
  readonly reject: (err: Error) => void;
  /** performance.now() after which the request times out. */
  readonly deadline: number;
  readonly code: number;
  readonly timeoutMs: number;
  /** Cancels the abort registration (the request's signal, if any). */
  readonly unregister: (() => void) | undefined;
}

const MAX_OPAQUE = 0x7fffffff;

/**
 * A socket speaking remoting frames: decoder, per-connection opaque counter
 * and pending-response table, backpressure (pause reading while our writes are
 * buffered; drop the peer if they stay buffered past drainTimeoutMs) and idle
 * detection. Used by both RemotingServer and RemotingClient.
 */
export class RemotingConnection implements RemotingChannel {
  readonly id: string;
  readonly remoteAddress: string;
  readonly localAddress: string;
  private currentType: SerializeType;
  private readonly decoder: FrameDecoder;
  private readonly pending = new PendingTable<Pending>();
  private nextOpaque = 1;
  private open = true;
  private paused = false;
  private drainTimer: NodeJS.Timeout | undefined;
  private closeError: Error | undefined;
  private closeWaiters: (() => void)[] = [];
  /**
   * One timer for every pending request's timeout, armed for the earliest
   * deadline (not a timer per request: requests mostly share one timeout, so
   * a new one rarely moves the earliest, and most settle long before it).
   */
  private sweepTimer: NodeJS.Timeout | undefined;
  private sweepAt = Infinity;
  private corked = false;
  private readonly uncork = (): void => {
    if (!this.corked) return;
    this.corked = false;
    this.socket.uncork();
  };

  constructor(private readonly socket: Socket, private readonly opts: ConnectionOptions) {
    this.id = opts.id;
    this.remoteAddress = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`;
    this.localAddress = `${socket.localAddress ?? '?'}:${socket.localPort ?? 0}`;
    this.currentType = opts.serializeType;
    this.decoder = new FrameDecoder({ maxFrameBytes: opts.maxFrameBytes });
    socket.setNoDelay(true);
    if (opts.idleTimeoutMs > 0) {
      socket.setTimeout(opts.idleTimeoutMs);
      socket.on('timeout', () => {
        this.opts.logger.info('closing idle channel', { channel: this.id, remote: this.remoteAddress });
        this.opts.onIdle?.(this);
        this.destroy(undefined);
      });
    }
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.onDrain());
    socket.on('error', (err: Error) => {
      this.closeError ??= err;
      this.opts.logger.debug('channel error', { channel: this.id, error: err.message });
    });
    socket.on('close', () => this.onSocketClose());
  }

  get isOpen(): boolean {
    return this.open;
  }

  get serializeType(): SerializeType {
    return this.currentType;
  }

  /** Number of responses still awaited. */
  get pendingCount(): number {
    return this.pending.size;
  }

  send(cmd: RemotingCommand): boolean {
    if (!isResponse(cmd)) cmd.opaque = this.allocOpaque();
    return this.write(cmd, this.currentType);
  }

  invokeOneway(cmd: RemotingCommand): boolean {
    markOneway(cmd);
    return this.send(cmd);
  }

  invoke(cmd: RemotingCommand, timeoutMs: number, signal?: AbortSignal): Promise<RemotingCommand> {
    if (!this.open) return Promise.reject(this.closedError());
    if (signal?.aborted === true) return Promise.reject(abortError(signal));
    const opaque = this.allocOpaque();
    cmd.opaque = opaque;
    cmd.flag &= ~(RemotingCommandFlag.RPC_TYPE | RemotingCommandFlag.RPC_ONEWAY);
    return new Promise<RemotingCommand>((resolve, reject) => {
      const deadline = performance.now() + timeoutMs;
      const unregister = signal === undefined ? undefined : onAbort(signal, () => this.settle(opaque)?.reject(abortError(signal)));
      this.pending.set(opaque, { resolve, reject, deadline, code: cmd.code, timeoutMs, unregister });
      if (deadline < this.sweepAt) this.armSweep(deadline);
      try {
        this.write(cmd, this.currentType);
      } catch (err: unknown) {
        this.settle(opaque)?.reject(err instanceof Error ? err : new OrbitError('ENCODE', getErrorMessage(err)));
      }
    });
  }

  reply(request: RemotingCommand, response: RemotingCommand): void {
    const type = request.serializeType ?? this.currentType;
    try {
      this.write(prepareReply(request, response), type);
    } catch (err: unknown) {
      // e.g. a code or header that the request's serialisation cannot carry
      this.opts.logger.warn('cannot encode response', { channel: this.id, code: response.code, error: getErrorMessage(err) });
      this.write(prepareReply(request, createResponse(ResponseCode.SYSTEM_ERROR, getErrorMessage(err))), type);
    }
  }

  close(): void {
    this.destroy(undefined);
  }

  /** Calls `fn` once the socket has closed (at once if it already has). */
  whenClosed(fn: () => void): void {
    if (this.open) this.closeWaiters.push(fn);
    else fn();
  }

  /**
   * Flushes queued frames, half-closes, and destroys once the peer has the
   * data or after `timeoutMs` (graceful server shutdown).
   */
  end(timeoutMs: number): void {
    if (!this.open) return;
    this.flush();
    const timer = setTimeout(() => this.socket.destroy(), timeoutMs);
    timer.unref();
    this.whenClosed(() => clearTimeout(timer));
    this.socket.end(() => this.socket.destroy());
  }

  /** Destroys the socket; `error` (if any) becomes the close reason. */
  destroy(error: Error | undefined): void {
    if (error !== undefined) this.closeError ??= error;
    // Hand frames corked in this tick to the kernel before tearing down.
    if (error === undefined) this.flush();
    this.socket.destroy();
  }

  private flush(): void {
    if (this.corked) this.uncork();
  }

  private write(cmd: RemotingCommand, type: SerializeType): boolean {
    if (!this.open || this.socket.destroyed) return false;
    const parts = encodeFrameParts(cmd, type);
    // Frames written in the same tick leave in one writev, each body part as it is.
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(this.uncork);
    }
    let ok = true;
    for (const part of parts) ok = this.socket.write(part);
    if (!ok) this.onBackpressure();
    return true;
  }

  private onBackpressure(): void {
    if (!this.paused) {
      this.paused = true;
      this.socket.pause();
    }
    if (this.drainTimer === undefined && this.open) {
      this.drainTimer = setTimeout(() => {
        this.drainTimer = undefined;
        this.opts.logger.warn('dropping stalled channel', { channel: this.id, remote: this.remoteAddress });
        this.destroy(new ConnectionError(`peer ${this.remoteAddress} stalled: write buffer not drained in ${this.opts.drainTimeoutMs} ms`));
      }, this.opts.drainTimeoutMs);
      this.drainTimer.unref();
    }
  }

  private onDrain(): void {
    if (this.drainTimer !== undefined) {
      clearTimeout(this.drainTimer);
      this.drainTimer = undefined;
    }
    if (this.paused) {
      this.paused = false;
      this.socket.resume();
    }
  }

  private onData(chunk: Buffer): void {
    if (!this.open) return;
    let cmds: RemotingCommand[];
    try {
      cmds = this.decoder.push(chunk);
    } catch (err: unknown) {
      this.onMalformed(err instanceof Error ? err : new Error(getErrorMessage(err)));
      return;
    }
    for (const cmd of cmds) {
      if (!this.open) return;
      if (isResponse(cmd)) {
        const p = this.settle(cmd.opaque);
        if (p === undefined) this.opts.logger.debug('response without pending request', { channel: this.id, opaque: cmd.opaque });
        else p.resolve(cmd);
      } else {
        if (this.opts.followPeerSerializeType && cmd.serializeType !== undefined) this.currentType = cmd.serializeType;
        this.opts.onRequest(this, cmd);
      }
    }
    const error = this.decoder.error;
    if (error !== undefined && this.open) this.onMalformed(error);
  }

  /** Malformed input: log once, report, close. Never resynchronise. */
  private onMalformed(error: Error): void {
    this.opts.logger.warn('malformed input, closing channel', { channel: this.id, remote: this.remoteAddress, error: error.message });
    this.opts.onException?.(this, error);
    this.destroy(error);
  }

  private settle(opaque: number): Pending | undefined {
    const p = this.pending.get(opaque);
    if (p === undefined) return undefined;
    this.pending.delete(opaque);
    p.unregister?.();
    return p;
  }

  private armSweep(at: number): void {
    if (this.sweepTimer !== undefined) clearTimeout(this.sweepTimer);
    this.sweepAt = at;
    this.sweepTimer = setTimeout(this.sweep, Math.max(1, Math.ceil(at - performance.now())));
    this.sweepTimer.unref();
  }

  /** Times out the requests past their deadline and re-arms for the earliest left. */
  private readonly sweep = (): void => {
    this.sweepTimer = undefined;
    this.sweepAt = Infinity;
    const now = performance.now();
    let next = Infinity;
    for (const opaque of this.pending.keys()) {
      const p = this.pending.get(opaque);
      if (p === undefined) continue;
      if (p.deadline <= now) {
        this.settle(opaque);
        p.reject(new TimeoutError(`request code ${p.code} to ${this.remoteAddress} timed out after ${p.timeoutMs} ms`));
      } else if (p.deadline < next) {
        next = p.deadline;
      }
    }
    if (next !== Infinity && this.open) this.armSweep(next);
  };

  private allocOpaque(): number {
    for (;;) {
      const opaque = this.nextOpaque;
      this.nextOpaque = opaque >= MAX_OPAQUE ? 1 : opaque + 1;
      if (!this.pending.has(opaque)) return opaque;
    }
  }

  private closedError(): ConnectionError {
    return new ConnectionError(`connection to ${this.remoteAddress} closed`, { cause: this.closeError });
  }

  private onSocketClose(): void {
    if (!this.open) return;
    this.open = false;
    if (this.drainTimer !== undefined) clearTimeout(this.drainTimer);
    this.drainTimer = undefined;
    if (this.sweepTimer !== undefined) clearTimeout(this.sweepTimer);
    this.sweepTimer = undefined;
    this.sweepAt = Infinity;
    this.socket.setTimeout(0);
    const err = this.closedError();
    for (const opaque of this.pending.keys()) this.settle(opaque)?.reject(err);
    this.opts.onClose(this, this.closeError);
    const waiters = this.closeWaiters;
    this.closeWaiters = [];
    for (const w of waiters) w();
  }
}

function abortError(signal: AbortSignal): OrbitError {
  return new OrbitError('ABORTED', 'request aborted', { cause: signal.reason });
}
