import { OrbitError, getErrorMessage, noopLogger, systemClock, type Clock, type Logger } from '../common/index.js';
import {
  RemotingServer, resolveRemotingServerConfig, type ChannelEventListener, type RemotingChannel,
} from '../remoting/index.js';
import { KVConfigManager } from './kv-config-manager.js';
import { configProcessors, kvProcessors } from './kv-processors.js';
import { formatNamesrvConfig, resolveNamesrvConfig, type NamesrvConfig } from './namesrv-config.js';
import { RouteInfoManager } from './route-info-manager.js';
import { routeProcessors } from './route-processors.js';

export interface NamesrvServerDeps {
  readonly logger?: Logger;
  readonly clock?: Clock;
}

export interface NamesrvCloseOptions {
  /** How long in-flight requests may run before connections are destroyed. */
  readonly graceMs?: number;
}

/** Keys UPDATE_NAMESRV_CONFIG may change at run time. */
const UPDATABLE_KEYS = new Set(['orderMessageEnable', 'brokerChannelExpiredTime']);

/**
 * The name server: namesrv/…/NamesrvController.java (4.9.8) — a remoting
 * server with the DefaultRequestProcessor codes, the route table, the KV
 * config, a periodic scanNotActiveBroker, and BrokerHousekeepingService
 * (a closed, idle or failed channel drops the broker registered on it).
 */
export class NamesrvServer {
  readonly routeInfoManager: RouteInfoManager;
  readonly kvConfigManager: KVConfigManager;
  private config: Readonly<NamesrvConfig>;
  private readonly logger: Logger;
  private readonly remoting: RemotingServer;
  private scanTimer: NodeJS.Timeout | undefined;
  private started = false;
  private closePromise: Promise<void> | undefined;

  constructor(config: Readonly<NamesrvConfig>, deps: NamesrvServerDeps = {}) {
    this.config = resolveNamesrvConfig(config);
    this.logger = (deps.logger ?? noopLogger).child({ component: 'namesrv' });
    const clock = deps.clock ?? systemClock;
    this.routeInfoManager = new RouteInfoManager({
      clock, logger: this.logger, brokerChannelExpiredTimeMs: this.config.brokerChannelExpiredTime,
    });
    this.kvConfigManager = new KVConfigManager({ path: this.config.kvConfigPath, logger: this.logger });
    const routes = this.routeInfoManager;
    const housekeeping = (channel: RemotingChannel): void => routes.onChannelDestroy(channel.remoteAddress, channel);
    const listener: ChannelEventListener = {
      onChannelClose: housekeeping,
      onChannelIdle: housekeeping,
      onChannelException: housekeeping,
    };
    this.remoting = new RemotingServer(
      resolveRemotingServerConfig({ host: this.config.host, port: this.config.listenPort, idleTimeoutMs: this.config.idleTimeoutMs }),
      { logger: deps.logger ?? noopLogger, channelEventListener: listener },
    );
    const tables = [
      routeProcessors({ routes, kv: this.kvConfigManager, logger: this.logger, orderMessageEnable: () => this.config.orderMessageEnable }),
      kvProcessors(this.kvConfigManager),
      configProcessors({ format: () => formatNamesrvConfig(this.config), update: (props) => this.updateConfig(props) }),
    ];
    for (const table of tables) for (const [code, p] of table) this.remoting.registerProcessor(code, p);
  }

  /** Loads the KV config, binds, and starts the eviction scan. */
  async start(): Promise<void> {
    if (this.started) throw new OrbitError('ILLEGAL_STATE', 'name server already started');
    this.started = true;
    this.kvConfigManager.load();
    await this.remoting.start();
    this.scanTimer = setInterval(() => this.scan(), this.config.scanIntervalMs);
    this.scanTimer.unref();
    const { host, port } = this.remoting.address();
    this.logger.info('name server started', { host, port, brokerChannelExpiredTime: this.config.brokerChannelExpiredTime });
  }

  /** Bound address after `start()`. */
  address(): { host: string; port: number } {
    return this.remoting.address();
  }

  /** Current (resolved) configuration. */
  get currentConfig(): Readonly<NamesrvConfig> {
    return this.config;
  }

  /** Runs one scanNotActiveBroker pass now; returns how many brokers were evicted. */
  scanNotActiveBroker(): number {
    return this.routeInfoManager.scanNotActiveBroker();
  }

  /** Stops the scan and the remoting server. Idempotent. */
  close(options: NamesrvCloseOptions = {}): Promise<void> {
    this.closePromise ??= this.doClose(options.graceMs);
    return this.closePromise;
  }

  private async doClose(graceMs: number | undefined): Promise<void> {
    if (this.scanTimer !== undefined) clearInterval(this.scanTimer);
    this.scanTimer = undefined;
    await this.remoting.close(graceMs === undefined ? {} : { graceMs });
    this.logger.info('name server closed');
  }

  private scan(): void {
    try {
      this.routeInfoManager.scanNotActiveBroker();
    } catch (err: unknown) {
      this.logger.error('scanNotActiveBroker failed', { error: getErrorMessage(err) });
    }
  }

  private updateConfig(props: Map<string, string>): string | undefined {
    const next: { -readonly [K in keyof NamesrvConfig]: NamesrvConfig[K] } = { ...this.config };
    for (const [key, value] of props) {
      if (!UPDATABLE_KEYS.has(key)) {
        this.logger.warn('UPDATE_NAMESRV_CONFIG ignores key', { key });
        continue;
      }
      if (key === 'orderMessageEnable') next.orderMessageEnable = value.toLowerCase() === 'true';
      else if (key === 'brokerChannelExpiredTime') next.brokerChannelExpiredTime = Number(value);
    }
    try {
      this.config = resolveNamesrvConfig(next);
    } catch (err: unknown) {
      return getErrorMessage(err);
    }
    this.routeInfoManager.brokerChannelExpiredTimeMs = this.config.brokerChannelExpiredTime;
    this.logger.info('name server config updated', { keys: [...props.keys()] });
    return undefined;
  }
}
