import { connect, type Socket } from 'node:net';
import {
  ConnectionError, InvalidArgumentError, OrbitError, TimeoutError, getErrorMessage, onAbort,
} from '../common/index.js';
import type { RemotingCommand } from '../protocol/index.js';
import type { RemotingClientConfig } from './config.js';
import type { RemotingChannel } from './remoting-channel.js';
import { RemotingConnection } from './remoting-connection.js';
import { RemotingEndpoint, type RemotingEndpointDeps } from './remoting-endpoint.js';

export type RemotingClientDeps = RemotingEndpointDeps;

interface Entry {
  conn: RemotingConnection | undefined;
  connecting: Promise<RemotingConnection> | undefined;
}

/**
 * Remoting client (cf. NettyRemotingClient): one lazily created connection per
 * `host:port`, shared by concurrent callers; a closed connection is replaced
 * on next use. Requests the server initiates on a connection
 * (CHECK_TRANSACTION_STATE, NOTIFY_CONSUMER_IDS_CHANGED, ...) go to the
 * registered processors.
 */
export class RemotingClient extends RemotingEndpoint {
  private readonly entries = new Map<string, Entry>();
  private readonly sockets = new Set<RemotingConnection>();
  private readonly connecting = new Set<Socket>();
  private closed = false;
  private nextId = 1;

  constructor(private readonly config: Readonly<RemotingClientConfig>, deps: RemotingClientDeps) {
    super('remoting.client', deps);
  }

  /**
   * Sends `cmd` to `addr` and resolves with the response (any response code;
   * map failures with `responseToError`). Rejects with TimeoutError when no
   * response arrives within timeoutMs (connect time included), ConnectionError
   * when the connection cannot be made or is lost.
   */
  invoke(addr: string, cmd: RemotingCommand, timeoutMs: number, signal?: AbortSignal): Promise<RemotingCommand> {
    // Connected (the usual case): straight to the connection, without an async frame and an await per request.
    const conn = this.openConnection(addr);
    if (conn !== undefined) {
      try {
        return conn.invoke(cmd, timeoutMs, signal);
      } catch (err: unknown) {
        return Promise.reject(err instanceof Error ? err : new ConnectionError(getErrorMessage(err)));
      }
    }
    return this.connectAndInvoke(addr, cmd, timeoutMs, signal);
  }

  private async connectAndInvoke(addr: string, cmd: RemotingCommand, timeoutMs: number, signal: AbortSignal | undefined): Promise<RemotingCommand> {
    const deadline = Date.now() + timeoutMs;
    const conn = await this.getConnection(addr, timeoutMs, signal);
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new TimeoutError(`request code ${cmd.code} to ${addr} timed out after ${timeoutMs} ms (connecting)`);
    return conn.invoke(cmd, remaining, signal);
  }

  /** Sends `cmd` as a oneway request once connected (within timeoutMs). */
  async invokeOneway(addr: string, cmd: RemotingCommand, timeoutMs: number = this.config.connectTimeoutMs): Promise<void> {
    const conn = await this.getConnection(addr, timeoutMs, undefined);
    if (!conn.invokeOneway(cmd)) throw new ConnectionError(`connection to ${addr} closed`);
  }

  /** The connection to `addr`, connecting if needed. */
  async getChannel(addr: string, timeoutMs: number = this.config.connectTimeoutMs): Promise<RemotingChannel> {
    return this.getConnection(addr, timeoutMs, undefined);
  }

  /** Closes the connection to `addr` if any; the next use reconnects. */
  closeChannel(addr: string): void {
    this.entries.get(addr)?.conn?.close();
  }

  /** Closes every connection and fails pending requests; further use throws ConnectionError. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const socket of this.connecting) socket.destroy(new ConnectionError('remoting client closed'));
    const waits: Promise<void>[] = [];
    for (const conn of this.sockets) {
      if (!conn.isOpen) continue;
      waits.push(new Promise<void>((resolve) => conn.whenClosed(resolve)));
      conn.close();
    }
    await Promise.all(waits);
    this.entries.clear();
  }

  /** The open connection to `addr`, if there is one (none once this client is closed). */
  private openConnection(addr: string): RemotingConnection | undefined {
    if (this.closed) return undefined;
    const conn = this.entries.get(addr)?.conn;
    return conn?.isOpen === true ? conn : undefined;
  }

  private getConnection(addr: string, timeoutMs: number, signal: AbortSignal | undefined): Promise<RemotingConnection> {
    if (this.closed) return Promise.reject(new ConnectionError('remoting client closed'));
    const open = this.openConnection(addr);
    if (open !== undefined) return Promise.resolve(open);
    let entry = this.entries.get(addr);
    if (entry === undefined) {
      entry = { conn: undefined, connecting: undefined };
      this.entries.set(addr, entry);
    }
    entry.connecting ??= this.connect(addr, entry);
    return withTimeout(entry.connecting, timeoutMs, signal, addr);
  }

  private connect(addr: string, entry: Entry): Promise<RemotingConnection> {
    const { host, port } = parseAddress(addr);
    return new Promise<RemotingConnection>((resolve, reject) => {
      const socket = connect({ host, port, noDelay: true });
      this.connecting.add(socket);
      const timer = setTimeout(() => {
        socket.destroy(new ConnectionError(`connect to ${addr} timed out after ${this.config.connectTimeoutMs} ms`));
      }, this.config.connectTimeoutMs);
      timer.unref();
      const onError = (err: Error): void => {
        clearTimeout(timer);
        this.connecting.delete(socket);
        entry.connecting = undefined;
        reject(err instanceof ConnectionError ? err : new ConnectionError(`connect to ${addr} failed: ${err.message}`, { cause: err }));
      };
      socket.once('error', onError);
      socket.once('connect', () => {
        clearTimeout(timer);
        this.connecting.delete(socket);
        socket.off('error', onError);
        entry.connecting = undefined;
        if (this.closed) {
          socket.destroy();
          reject(new ConnectionError('remoting client closed'));
          return;
        }
        const conn = this.wrap(socket, addr, entry);
        entry.conn = conn;
        resolve(conn);
      });
    });
  }

  private wrap(socket: Socket, addr: string, entry: Entry): RemotingConnection {
    const conn = new RemotingConnection(socket, {
      id: `${addr}#${this.nextId++}`,
      logger: this.logger,
      maxFrameBytes: this.config.maxFrameBytes,
      drainTimeoutMs: this.config.drainTimeoutMs,
      idleTimeoutMs: this.config.idleTimeoutMs,
      serializeType: this.config.serializeType,
      followPeerSerializeType: false,
      onRequest: (c, request) => this.processors.dispatch(c, request),
      onClose: (c, error) => {
        this.sockets.delete(c);
        if (entry.conn === c) entry.conn = undefined;
        this.logger.debug('connection closed', { addr, error: error?.message });
        this.notify(() => this.listener?.onChannelClose?.(c, error));
      },
      onIdle: (c) => this.notify(() => this.listener?.onChannelIdle?.(c)),
      onException: (c, error) => this.notify(() => this.listener?.onChannelException?.(c, error)),
    });
    this.sockets.add(conn);
    this.notify(() => this.listener?.onChannelConnect?.(conn));
    return conn;
  }

  private notify(fn: () => void): void {
    try {
      fn();
    } catch (err: unknown) {
      this.logger.error('channel listener failed', { error: getErrorMessage(err) });
    }
  }
}

/** `host:port` or `[v6]:port`. */
export function parseAddress(addr: string): { host: string; port: number } {
  const i = addr.lastIndexOf(':');
  const rawHost = i > 0 ? addr.slice(0, i) : '';
  const host = rawHost.startsWith('[') && rawHost.endsWith(']') ? rawHost.slice(1, -1) : rawHost;
  const port = Number(addr.slice(i + 1));
  if (host.length === 0 || !Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new InvalidArgumentError(`bad address "${addr}", expected host:port`);
  }
  return { host, port };
}

function withTimeout<T>(p: Promise<T>, timeoutMs: number, signal: AbortSignal | undefined, addr: string): Promise<T> {
  if (signal?.aborted === true) return Promise.reject(new OrbitError('ABORTED', 'request aborted', { cause: signal.reason }));
  return new Promise<T>((resolve, reject) => {
    const cleanup = (): void => {
      clearTimeout(timer);
      unregister?.();
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new TimeoutError(`connect to ${addr} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    timer.unref();
    const unregister = signal === undefined ? undefined : onAbort(signal, () => {
      cleanup();
      reject(new OrbitError('ABORTED', 'request aborted', { cause: signal.reason }));
    });
    p.then(
      (v) => {
        cleanup();
        resolve(v);
      },
      (err: unknown) => {
        cleanup();
        reject(err instanceof Error ? err : new ConnectionError(getErrorMessage(err)));
      },
    );
  });
}
