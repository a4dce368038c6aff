#!/usr/bin/env node
/**
 * `orbit`: the OrbitMQ command line. Server roles: `orbit start` (name server
 * + broker in one process, the embedded default), `orbit namesrv`,
 * `orbit broker`. The only place that reads argv, env and config files,
 * installs signal handlers and exits.
 */
import { Command, InvalidArgumentError as CommanderArgError } from 'commander';
import { join, resolve } from 'node:path';
import { getErrorMessage } from '../common/index.js';
import type { Logger } from '../common/index.js';
import { BrokerController } from '../broker/broker-controller.js';
import { NamesrvServer, resolveNamesrvConfig } from '../namesrv/index.js';
import { KNOWN_KEYS, readConfigFile, resolveBrokerSettings, settingsFromEnv } from './broker-settings.js';
import type { Settings } from './broker-settings.js';
import { createLogger } from './pino-logger.js';

interface Stoppable {
  close(): Promise<void>;
}

function port(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new CommanderArgError(`not a port: ${v}`);
  return n;
}

function flushType(v: string): string {
  if (v === 'sync') return 'SYNC_FLUSH';
  if (v === 'async') return 'ASYNC_FLUSH';
  throw new CommanderArgError(`--flush must be sync or async, got ${v}`);
}

/** Prints one JSON line on stdout (bound addresses), for people and scripts. */
function announce(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

/** Stops everything on SIGINT/SIGTERM, once; a second signal forces exit. */
function stopOnSignals(log: Logger, parts: Stoppable[]): void {
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) {
      log.warn('second signal: exiting now', { signal });
      process.exit(1);
    }
    stopping = true;
    log.info('shutting down', { signal });
    (async () => {
      let code = 0;
      for (const p of parts) {
        try {
          await p.close();
        } catch (err: unknown) {
          code = 1;
          log.error('shutdown step failed', { error: getErrorMessage(err) });
        }
      }
      announce({ event: 'stopped', clean: code === 0 });
      process.exit(code);
    })().catch(() => process.exit(1));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

interface BrokerFlags {
  config?: string;
  dataDir?: string;
  brokerPort?: number;
  flush?: string;
  namesrv?: string;
}

function brokerSettings(flags: BrokerFlags, extra: Settings, log: Logger): ReturnType<typeof resolveBrokerSettings> {
  const fromFile = flags.config !== undefined ? readConfigFile(flags.config) : {};
  const fromEnv = settingsFromEnv(process.env, KNOWN_KEYS);
  const fromFlags: Settings = { ...extra };
  if (flags.dataDir !== undefined) fromFlags.storePathRootDir = join(resolve(flags.dataDir), 'store');
  if (flags.brokerPort !== undefined) fromFlags.listenPort = String(flags.brokerPort);
  if (flags.flush !== undefined) fromFlags.flushDiskType = flags.flush;
  if (flags.namesrv !== undefined) fromFlags.namesrvAddr = flags.namesrv;
  // Defaults sit below the config file: only flags the user passed override it.
  const defaults: Settings = { storePathRootDir: join(resolve('data'), 'store'), listenPort: '10911' };
  const report = resolveBrokerSettings(defaults, fromFile, fromEnv, fromFlags);
  for (const k of report.unknownKeys) log.warn('unknown configuration key ignored', { key: k });
  return report;
}

async function runStandalone(opts: BrokerFlags & { namesrvPort: number; logLevel: string }): Promise<void> {
  const log = createLogger(opts.logLevel);
  const namesrv = new NamesrvServer(resolveNamesrvConfig({ listenPort: opts.namesrvPort }), { logger: log });
  await namesrv.start();
  const nsAddr = `127.0.0.1:${namesrv.address().port}`;
  const settings = brokerSettings({ ...opts, namesrv: nsAddr }, {}, log);
  const broker = new BrokerController(settings.broker, settings.store, { logger: log });
  try {
    await broker.start();
  } catch (err: unknown) {
    await namesrv.close();
    throw err;
  }
  stopOnSignals(log, [broker, namesrv]);
  announce({ event: 'ready', role: 'standalone', namesrv: nsAddr, broker: broker.brokerAddr, dataDir: settings.store.storePathRootDir, flushDiskType: settings.store.flushDiskType });
}

async function runNamesrv(opts: { port: number; logLevel: string }): Promise<void> {
  const log = createLogger(opts.logLevel);
  const namesrv = new NamesrvServer(resolveNamesrvConfig({ listenPort: opts.port }), { logger: log });
  await namesrv.start();
  stopOnSignals(log, [namesrv]);
  announce({ event: 'ready', role: 'namesrv', namesrv: `127.0.0.1:${namesrv.address().port}` });
}

async function runBroker(opts: BrokerFlags & { logLevel: string }): Promise<void> {
  const log = createLogger(opts.logLevel);
  const settings = brokerSettings(opts, {}, log);
  const broker = new BrokerController(settings.broker, settings.store, { logger: log });
  await broker.start();
  stopOnSignals(log, [broker]);
  announce({ event: 'ready', role: 'broker', broker: broker.brokerAddr, namesrv: settings.broker.namesrvAddr, dataDir: settings.store.storePathRootDir });
}

function fail(err: unknown): never {
  process.stderr.write(`orbit: ${getErrorMessage(err)}\n`);
  process.exit(1);
}

const program = new Command('orbit').description('OrbitMQ: a RocketMQ-compatible message queue').version('0.1.0');
program
  .command('start')
  .description('run a name server and a broker in one process (the embedded default)')
  .option('--data-dir <dir>', 'data directory (default ./data)')
  .option('--namesrv-port <port>', 'name server port', port, 9876)
  .option('--broker-port <port>', 'broker port (default 10911)', port)
  .option('--flush <mode>', 'sync or async flush', flushType)
  .option('--config <file>', 'broker.conf properties file')
  .option('--log-level <level>', 'log level', 'info')
  .action((opts: BrokerFlags & { namesrvPort: number; logLevel: string }) => runStandalone(opts).catch(fail));
program
  .command('namesrv')
  .description('run a name server')
  .option('--port <port>', 'listen port', port, 9876)
  .option('--log-level <level>', 'log level', 'info')
  .action((opts: { port: number; logLevel: string }) => runNamesrv(opts).catch(fail));
program
  .command('broker')
  .description('run a broker')
  .option('-n, --namesrv <addrs>', 'name servers, host:port separated by ;')
  .option('--data-dir <dir>', 'data directory')
  .option('--broker-port <port>', 'broker port', port)
  .option('--flush <mode>', 'sync or async flush', flushType)
  .option('--config <file>', 'broker.conf properties file')
  .option('--log-level <level>', 'log level', 'info')
  .action((opts: BrokerFlags & { logLevel: string }) => runBroker(opts).catch(fail));

program.parseAsync(process.argv).catch(fail);
