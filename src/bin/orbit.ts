#!/usr/bin/env node
/**
 * `orbit`: the OrbitMQ command line. Server roles: `orbit start` (name server
 * + broker in one process, the embedded default), `orbit namesrv`,
 * `orbit broker`. Admin commands (topic, group, consumer, cluster, message,
 * offset, broker config) come from src/cli. The only place that reads argv,
 * env and config files, installs signal handlers and exits.
 */
import { Command, CommanderError, InvalidArgumentError as CommanderArgError } from 'commander';
import { join, resolve } from 'node:path';
import { getErrorMessage } from '../common/index.js';
import type { Logger } from '../common/index.js';
import { AdminClient } from '../client/admin/index.js';
import { ExitCode, describeError, exitCodeFor, makeStyle, noProgress, type CliContext, type CommandResult } from '../cli/output.js';
import { createProgressBar } from '../cli/progress.js';
import { addCommonOptions, registerAdminCommands, type Handler } from '../cli/program.js';
import type { Settings } from './broker-settings.js';
import type { LogFormat } from './pino-logger.js';
import { missingServerNodeFlags } from './server-node-flags.js';

// Server modules load lazily, so admin commands start fast.
const servers = async () => {
  const [{ BrokerController }, { NamesrvServer, resolveNamesrvConfig }, settings, { createLogger }] = await Promise.all([
    import('../broker/broker-controller.js'), import('../namesrv/index.js'), import('./broker-settings.js'), import('./pino-logger.js'),
  ]);
  return { BrokerController, NamesrvServer, resolveNamesrvConfig, settings, createLogger };
};
type Servers = Awaited<ReturnType<typeof servers>>;

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

interface LogFlags {
  logLevel: string;
  logFormat?: LogFormat;
  logFile?: string;
  logMaxSize?: number;
  logMaxFiles?: number;
}

function logger(sv: Servers, f: LogFlags): Logger {
  return sv.createLogger({
    level: f.logLevel,
    format: f.logFormat ?? (process.stderr.isTTY && f.logFile === undefined ? 'human' : 'json'),
    color: process.env.NO_COLOR === undefined,
    ...(f.logFile === undefined ? {} : { file: resolve(f.logFile) }),
    ...(f.logMaxSize === undefined ? {} : { maxBytes: f.logMaxSize * 1024 * 1024 }),
    ...(f.logMaxFiles === undefined ? {} : { maxFiles: f.logMaxFiles }),
  });
}

function logFormat(v: string): LogFormat {
  if (v === 'json' || v === 'human') return v;
  throw new CommanderArgError(`--log-format must be json or human, got ${v}`);
}

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new CommanderArgError(`not a non-negative integer: ${v}`);
  return n;
}

function withLogOptions(c: Command): Command {
  return c
    .option('--log-level <level>', 'log level: debug, info, warn, error', 'info')
    .option('--log-format <format>', 'json or human (default: human on a terminal, else json)', logFormat)
    .option('--log-file <path>', 'log to this file instead of stderr, rotated by size')
    .option('--log-max-size <MiB>', 'rotate the log file at this size (default 100)', positiveInt)
    .option('--log-max-files <n>', 'rotated log files kept (default 5)', positiveInt);
}

interface BrokerFlags {
  config?: string;
  dataDir?: string;
  brokerPort?: number;
  flush?: string;
  namesrv?: string;
}

function brokerSettings(sv: Servers, flags: BrokerFlags, extra: Settings, log: Logger): ReturnType<Servers['settings']['resolveBrokerSettings']> {
  const fromFile = flags.config !== undefined ? sv.settings.readConfigFile(flags.config) : {};
  const fromEnv = sv.settings.settingsFromEnv(process.env, sv.settings.KNOWN_KEYS);
  const fromFlags: Settings = { ...extra };
  if (flags.dataDir !== undefined) fromFlags.storePathRootDir = join(resolve(flags.dataDir), 'store');
  if (flags.brokerPort !== undefined) fromFlags.listenPort = String(flags.brokerPort);
  if (flags.flush !== undefined) fromFlags.flushDiskType = flags.flush;
  if (flags.namesrv !== undefined) fromFlags.namesrvAddr = flags.namesrv;
  // Defaults sit below the config file: only flags the user passed override it.
  const defaults: Settings = { storePathRootDir: join(resolve('data'), 'store'), listenPort: '10911' };
  const report = sv.settings.resolveBrokerSettings(defaults, fromFile, fromEnv, fromFlags);
  for (const k of report.unknownKeys) log.warn('unknown configuration key ignored', { key: k });
  return report;
}

async function runStandalone(opts: BrokerFlags & LogFlags & { namesrvPort: number }): Promise<void> {
  const sv = await servers();
  const log = logger(sv, opts);
  hintNodeFlags(log);
  const namesrv = new sv.NamesrvServer(sv.resolveNamesrvConfig({ listenPort: opts.namesrvPort }), { logger: log });
  await namesrv.start();
  const nsAddr = `127.0.0.1:${namesrv.address().port}`;
  const settings = brokerSettings(sv, { ...opts, namesrv: nsAddr }, {}, log);
  const broker = new sv.BrokerController(settings.broker, settings.store, { logger: log });
  try {
    await broker.start();
  } catch (err: unknown) {
    await namesrv.close();
    throw err;
  }
  stopOnSignals(log, [broker, namesrv]);
  announce({ event: 'ready', role: 'standalone', namesrv: nsAddr, broker: broker.brokerAddr, dataDir: settings.store.storePathRootDir, flushDiskType: settings.store.flushDiskType });
}

async function runNamesrv(opts: LogFlags & { port: number }): Promise<void> {
  const sv = await servers();
  const log = logger(sv, opts);
  hintNodeFlags(log);
  const namesrv = new sv.NamesrvServer(sv.resolveNamesrvConfig({ listenPort: opts.port }), { logger: log });
  await namesrv.start();
  stopOnSignals(log, [namesrv]);
  announce({ event: 'ready', role: 'namesrv', namesrv: `127.0.0.1:${namesrv.address().port}` });
}

async function runBroker(opts: BrokerFlags & LogFlags & { checkConfig?: string }): Promise<void> {
  if (opts.checkConfig !== undefined) {
    checkConfig(await servers(), opts.checkConfig);
    return;
  }
  const sv = await servers();
  const log = logger(sv, opts);
  hintNodeFlags(log);
  const settings = brokerSettings(sv, opts, {}, log);
  const broker = new sv.BrokerController(settings.broker, settings.store, { logger: log });
  await broker.start();
  stopOnSignals(log, [broker]);
  announce({ event: 'ready', role: 'broker', broker: broker.brokerAddr, namesrv: settings.broker.namesrvAddr, dataDir: settings.store.storePathRootDir });
}

/** Says so when a server role runs without the Node flags npm start gives it (server-node-flags.ts). */
function hintNodeFlags(log: Logger): void {
  const missing = missingServerNodeFlags(process.execArgv, process.env.NODE_OPTIONS);
  if (missing.length > 0) log.info('started without the server Node flags; see README "Running the roles"', { missing: missing.join(' ') });
}

function fail(err: unknown): never {
  process.stderr.write(`orbit: ${getErrorMessage(err)}\n`);
  process.exit(1);
}

/** `orbit broker --check-config FILE`: every problem on stderr (or --json-like lines on stdout), exit 0/1. */
function checkConfig(sv: Servers, path: string): void {
  const r = sv.settings.checkConfigFile(path);
  for (const p of r.problems) process.stderr.write(`${path}${p.line === undefined ? '' : `:${p.line}`}: ${p.message}\n`);
  for (const k of r.ignoredKeys) process.stderr.write(`${path}: note: ${k} is accepted but has no effect in OrbitMQ\n`);
  const okText = r.problems.length === 0 ? 'configuration is valid' : `${r.problems.length} problem(s) found`;
  announce({ event: 'check-config', file: path, keys: r.keys, valid: r.problems.length === 0, problems: r.problems, ignoredKeys: r.ignoredKeys, summary: okText });
  process.exitCode = r.problems.length === 0 ? 0 : 1;
}

const program = new Command('orbit').description('OrbitMQ: a RocketMQ-compatible message queue').version('0.1.0');
program.exitOverride().enablePositionalOptions();
addCommonOptions(program);
withLogOptions(program
  .command('start')
  .description('run a name server and a broker in one process (the embedded default)')
  .option('--data-dir <dir>', 'data directory (default ./data)')
  .option('--namesrv-port <port>', 'name server port', port, 9876)
  .option('--broker-port <port>', 'broker port (default 10911)', port)
  .option('--flush <mode>', 'sync or async flush', flushType)
  .option('--config <file>', 'broker.conf properties file'))
  .action((opts: BrokerFlags & LogFlags & { namesrvPort: number }) => runStandalone(opts).catch(fail));
withLogOptions(program
  .command('namesrv')
  .description('run a name server')
  .option('--port <port>', 'listen port', port, 9876))
  .action((opts: LogFlags & { port: number }) => runNamesrv(opts).catch(fail));
const brokerCommand = withLogOptions(program
  .command('broker')
  .description('run a broker (or: broker config get|set)')
  .option('-n, --namesrv <addrs>', 'name servers, host:port separated by ;')
  .option('--data-dir <dir>', 'data directory')
  .option('--broker-port <port>', 'broker port', port)
  .option('--flush <mode>', 'sync or async flush', flushType)
  .option('--config <file>', 'broker.conf properties file')
  .option('--check-config <file>', 'validate a broker.conf, name every bad key, and exit'))
  .enablePositionalOptions()
  .action((opts: BrokerFlags & LogFlags & { checkConfig?: string }) => runBroker(opts).catch(fail));

/** Runs one admin command: builds its context, prints the result, sets the exit code. */
async function runAdmin(cmd: Command, handler: Handler): Promise<void> {
  const root = program.opts<Record<string, string | boolean | undefined>>();
  const leaf = cmd.opts<Record<string, string | boolean | undefined>>();
  const pickStr = (k: string): string | undefined => {
    const v = leaf[k] ?? root[k];
    return typeof v === 'string' ? v : undefined;
  };
  const json = leaf.json === true || root.json === true;
  const verbose = leaf.verbose === true || root.verbose === true;
  const namesrvAddr = pickStr('namesrv') ?? process.env.NAMESRV_ADDR ?? '127.0.0.1:9876';
  const stdoutTTY = process.stdout.isTTY;
  const style = makeStyle(!json && stdoutTTY && process.env.NO_COLOR === undefined);
  const interrupt = new AbortController();
  const onSigint = (): void => {
    if (interrupt.signal.aborted) process.exit(130);
    interrupt.abort();
  };
  process.on('SIGINT', onSigint);
  let result: CommandResult;
  let admin: AdminClient | undefined;
  try {
    const timeoutText = pickStr('timeoutMs');
    const timeoutMs = timeoutText === undefined ? 3_000 : Number(timeoutText);
    if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1) throw new CommanderArgError(`--timeout-ms must be a positive integer, got ${timeoutText ?? ''}`);
    admin = new AdminClient({ namesrvAddr, timeoutMs });
    const ctx: CliContext = {
      namesrvAddr, timeoutMs, admin, style, signal: interrupt.signal,
      progress: (label, total) => (!json && process.stderr.isTTY ? createProgressBar(process.stderr, label, total) : noProgress),
      note: (text) => {
        if (!json) process.stderr.write(`${text}\n`);
      },
    };
    result = await handler(ctx, (line) => {
      if (!json) process.stdout.write(`${line}\n`);
    });
  } catch (err: unknown) {
    const code = err instanceof CommanderArgError ? ExitCode.USAGE : exitCodeFor(err);
    process.stderr.write(`orbit: ${describeError(err, verbose)}\n`);
    result = { code, json: { error: describeError(err, false), exitCode: code }, human: '' };
    if (!json) result = { ...result, json: undefined };
  } finally {
    process.off('SIGINT', onSigint);
    await admin?.close().catch(() => undefined);
  }
  if (json && result.json !== undefined) process.stdout.write(`${JSON.stringify(result.json, null, 2)}\n`);
  else if (!json && result.human !== '') process.stdout.write(result.human.endsWith('\n') ? result.human : `${result.human}\n`);
  process.exitCode = result.code;
}

registerAdminCommands(program, brokerCommand, runAdmin);

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof CommanderError) {
    process.exit(err.exitCode === 0 ? 0 : ExitCode.USAGE);
  }
  fail(err);
});
