import { createServer, type Server, type Socket } from 'node:net';
import { OrbitError, getErrorMessage } from '../common/index.js';
import type { RemotingCommand } from '../protocol/index.js';
import type { RemotingServerConfig } from './config.js';
import type { RemotingChannel } from './remoting-channel.js';
import { RemotingConnection } from './remoting-connection.js';
import { RemotingEndpoint, type RemotingEndpointDeps } from './remoting-endpoint.js';

export type RemotingServerDeps = RemotingEndpointDeps;

export interface CloseOptions {
  /** How long to wait for in-flight processors before destroying connections. */
  readonly graceMs?: number;
}

type State = 'new' | 'starting' | 'bound' | 'running' | 'closing' | 'closed';

export interface StartOptions {
  /**
   * false: bind (so the port is known) but refuse connections until `serve()`
   * — a broker binds first to learn its address and registers its processors
   * after; a client that reaches it meanwhile sees the connection closed, a
   * retriable error, not a half-started server. Default true.
   */
  readonly serve?: boolean;
}

/**
 * TCP remoting server (cf. NettyRemotingServer): frames in, processors by
 * request code, responses in the request's serialisation. Malformed input
 * closes only the offending connection.
 */
export class RemotingServer extends RemotingEndpoint {
  private readonly connections = new Set<RemotingConnection>();
  private server: Server | undefined;
  private state: State = 'new';
  private bound: { host: string; port: number } | undefined;
  private closePromise: Promise<void> | undefined;
  private nextChannelId = 1;

  constructor(private readonly config: Readonly<RemotingServerConfig>, deps: RemotingServerDeps) {
    super('remoting.server', deps);
  }

  async start(options: StartOptions = {}): Promise<void> {
    if (this.state !== 'new') throw new OrbitError('ILLEGAL_STATE', `cannot start a ${this.state} server`);
    this.state = 'starting';
    const server = createServer({ noDelay: true }, (socket) => this.onConnection(socket));
    if (this.config.maxConnections > 0) server.maxConnections = this.config.maxConnections;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => {
        this.state = 'closed';
        reject(err);
      };
      server.once('error', onError);
      server.listen({ host: this.config.host, port: this.config.port }, () => {
        server.off('error', onError);
        resolve();
      });
    });
    server.on('error', (err) => this.logger.error('server error', { error: err.message }));
    const addr = server.address();
    if (addr === null || typeof addr === 'string') throw new OrbitError('ILLEGAL_STATE', 'server has no TCP address');
    this.bound = { host: addr.address, port: addr.port };
    this.state = options.serve === false ? 'bound' : 'running';
    this.logger.info('remoting server listening', { host: addr.address, port: addr.port, serving: this.state === 'running' });
  }

  /** Starts taking connections after `start({ serve: false })`. */
  serve(): void {
    if (this.state === 'bound') this.state = 'running';
  }

  /** Bound address after `start()` (port 0 resolved). */
  address(): { host: string; port: number } {
    if (this.bound === undefined) throw new OrbitError('ILLEGAL_STATE', 'server not started');
    return this.bound;
  }

  /** Open channels. */
  channels(): RemotingChannel[] {
    return [...this.connections];
  }

  /** Server → client request/response on `channel` (e.g. GET_CONSUMER_RUNNING_INFO). */
  invoke(channel: RemotingChannel, cmd: RemotingCommand, timeoutMs: number, signal?: AbortSignal): Promise<RemotingCommand> {
    return channel.invoke(cmd, timeoutMs, signal);
  }

  /** Processors still running. */
  get inFlight(): number {
    return this.processors.inFlight;
  }

  /**
   * Stops accepting, waits up to graceMs for running processors, then
   * destroys every connection. Idempotent: later calls share the first.
   */
  close(options: CloseOptions = {}): Promise<void> {
    this.closePromise ??= this.doClose(options.graceMs ?? this.config.closeGraceMs);
    return this.closePromise;
  }

  private async doClose(graceMs: number): Promise<void> {
    const server = this.server;
    this.state = 'closing';
    if (server === undefined) {
      this.state = 'closed';
      return;
    }
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    let graceTimer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.processors.whenIdle(),
      new Promise<void>((resolve) => {
        graceTimer = setTimeout(resolve, graceMs);
        graceTimer.unref();
      }),
    ]);
    if (graceTimer !== undefined) clearTimeout(graceTimer);
    // Flush answers already written, then let the peers go (bounded).
    for (const conn of this.connections) conn.end(Math.min(graceMs, 1000));
    await closed;
    this.state = 'closed';
    this.logger.info('remoting server closed', { port: this.bound?.port });
  }

  private onConnection(socket: Socket): void {
    if (this.state !== 'running') {
      socket.destroy();
      return;
    }
    const conn = new RemotingConnection(socket, {
      id: `ch-${this.nextChannelId++}`,
      logger: this.logger,
      maxFrameBytes: this.config.maxFrameBytes,
      drainTimeoutMs: this.config.drainTimeoutMs,
      idleTimeoutMs: this.config.idleTimeoutMs,
      serializeType: this.config.serializeType,
      followPeerSerializeType: true,
      onRequest: (c, request) => this.processors.dispatch(c, request),
      onClose: (c, error) => {
        this.connections.delete(c);
        this.notify('onChannelClose', () => this.listener?.onChannelClose?.(c, error));
      },
      onIdle: (c) => this.notify('onChannelIdle', () => this.listener?.onChannelIdle?.(c)),
      onException: (c, error) => this.notify('onChannelException', () => this.listener?.onChannelException?.(c, error)),
    });
    this.connections.add(conn);
    this.logger.debug('channel connected', { channel: conn.id, remote: conn.remoteAddress });
    this.notify('onChannelConnect', () => this.listener?.onChannelConnect?.(conn));
  }

  /** A listener bug must not break the server. */
  private notify(event: string, fn: () => void): void {
    try {
      fn();
    } catch (err: unknown) {
      this.logger.error('channel listener failed', { event, error: getErrorMessage(err) });
    }
  }
}
