import type { RemotingCommand, SerializeType } from '../protocol/index.js';

/**
 * One open remoting connection as processors and listeners see it (cf. Netty
 * `Channel` in NettyRemotingAbstract). Both peers may send requests on it.
 */
export interface RemotingChannel {
  /** Stable id for logs and registries, unique within the owning server/client. */
  readonly id: string;
  /** `ip:port` of the peer. */
  readonly remoteAddress: string;
  /** `ip:port` of this side. */
  readonly localAddress: string;
  readonly isOpen: boolean;
  /**
   * Serialize type for commands this side initiates. Server channels follow
   * the type of the peer's most recent request (a Java peer answers in the
   * type it was asked in; ali-ons reads only JSON), starting from the
   * configured default; client channels always use the client's setting.
   */
  readonly serializeType: SerializeType;
  /**
   * Writes a command. A request gets a fresh opaque from this connection's
   * counter (written into `cmd.opaque`); a response is written as given.
   * Returns false when the channel is closed.
   */
  send(cmd: RemotingCommand): boolean;
  /**
   * Answers `request` outside the processor's return value (long polling):
   * copies its opaque, sets the response flag and uses the request's
   * serialisation. No-op when the channel is closed.
   */
  reply(request: RemotingCommand, response: RemotingCommand): void;
  /** Request/response over this channel; rejects with TimeoutError / ConnectionError. */
  invoke(cmd: RemotingCommand, timeoutMs: number, signal?: AbortSignal): Promise<RemotingCommand>;
  /** Marks `cmd` oneway and sends it (e.g. CHECK_TRANSACTION_STATE, NOTIFY_CONSUMER_IDS_CHANGED). */
  invokeOneway(cmd: RemotingCommand): boolean;
  /** Destroys the connection; pending invokes fail with ConnectionError. */
  close(): void;
}

/** Connection lifecycle callbacks (Java `ChannelEventListener`). */
export interface ChannelEventListener {
  onChannelConnect?(channel: RemotingChannel): void;
  /** Called exactly once per channel, whatever the reason; `error` when it broke. */
  onChannelClose?(channel: RemotingChannel, error: Error | undefined): void;
  onChannelIdle?(channel: RemotingChannel): void;
  onChannelException?(channel: RemotingChannel, error: Error): void;
}

export interface RequestContext {
  readonly channel: RemotingChannel;
}

/**
 * Handles one request. Return the response (opaque, response flag and
 * serialize type are filled in), or undefined to answer later through
 * `ctx.channel.reply(request, response)` (long polling) or not at all (oneway).
 */
export type RequestProcessor = (
  request: RemotingCommand,
  ctx: RequestContext,
) => Promise<RemotingCommand | undefined> | RemotingCommand | undefined;
