/**
 * `bench contract`: the scenarios of ../shared/bench/CONTRACT.md (publish,
 * e2e, drain) against an OrbitMQ started as its own process (standalone, fresh
 * data folder under $BENCH_TMPDIR), once per variant: `async` (ASYNC_FLUSH:
 * acknowledged after the write) and `sync` (SYNC_FLUSH: acknowledged after
 * fdatasync, group commit). One result line per (variant, scenario) on stdout.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SERVER_NODE_FLAGS } from '../bin/server-node-flags.js';
import { parseNumber } from './bench-args.js';
import type { BenchCommand, BenchContext } from './bench-context.js';
import type { ContractResult, Scenario } from './contract-scenarios.js';
import { contractErrorLine, createBenchTopic, runScenario } from './contract-scenarios.js';

export const CONTRACT_USAGE = `usage: bench contract --scenario publish|e2e|drain[,..]|all [--variant async,sync] [--msgs 200000]
                      [--size 1024] [--window 64] [--rate 5000] [--seconds 10] [--warmup 3] [--profile DIR]
  --warmup S: before each measured run, S seconds of untimed load on another topic from separate
  processes, so the fresh server is as warm as the long-running peers (0: measure it cold).
  --profile DIR: the server runs with --cpu-prof and leaves its .cpuprofile in DIR
  (profile the client with: node --cpu-prof dist/bench/main.js contract ...).
  BENCH_MAX_SECONDS limits each phase (default 120).`;

const SCENARIOS: readonly Scenario[] = ['publish', 'e2e', 'drain'];
const VARIANTS = { async: 'ASYNC_FLUSH', sync: 'SYNC_FLUSH' } as const;
type Variant = keyof typeof VARIANTS;

interface Server {
  readonly child: ChildProcess;
  readonly namesrv: string;
  readonly pid: number;
}

/** node arguments that run the `orbit` binary: the built one (what `npm start` runs) when there is one, else the sources through tsx. */
function orbitEntry(ctx: BenchContext): string[] {
  const built = join(ctx.repoRoot, 'dist', 'bin', 'orbit.js');
  return existsSync(built) ? [built] : [...ctx.self.execArgv, new URL('../bin/orbit.ts', import.meta.url).pathname];
}

/** Starts `orbit start` in a child process and waits for its ready line. */
async function startServer(ctx: BenchContext, variant: Variant, maxSeconds: number, profileDir: string | undefined): Promise<Server> {
  const dataDir = ctx.temp.create(`contract-${variant}-`);
  const entry = orbitEntry(ctx);
  // --profile: the server writes a V8 CPU profile (.cpuprofile) there when it stops.
  const profile = profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`];
  const child = spawn(
    ctx.self.execPath,
    [...SERVER_NODE_FLAGS, ...profile, ...entry, 'start', '--data-dir', dataDir, '--namesrv-port', '0', '--broker-port', '0', '--flush', variant, '--log-level', 'warn'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const pid = child.pid ?? -1;
  let buf = '';
  child.stdout?.setEncoding('utf8');
  const ready = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('OrbitMQ did not become ready in time')), maxSeconds * 1000);
    child.stdout?.on('data', (d: string) => {
      buf += d;
      const line = buf.split('\n').find((l) => l.includes('"event":"ready"'));
      if (line === undefined) return;
      clearTimeout(timer);
      const parsed: unknown = JSON.parse(line);
      const ns = typeof parsed === 'object' && parsed !== null && 'namesrv' in parsed ? parsed.namesrv : undefined;
      if (typeof ns === 'string') resolve(ns);
      else reject(new Error(`bad ready line: ${line}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`OrbitMQ exited early (code ${String(code)})`));
    });
  });
  return { child, namesrv: await ready, pid };
}

/**
 * Puts a fresh server in the state of one that has been serving for a while
 * (the peers in compare.sh are long-running brokers started once for all
 * runs): `seconds` of untimed load on a topic of its own, from separate
 * `orbit bench` processes (single sends, batched sends, a push consumer), so
 * the measuring client stays as cold as the peers' clients. Best effort and
 * bounded: a child still running after `seconds` + 10 s is killed.
 */
async function primeServer(ctx: BenchContext, server: Server, seconds: number): Promise<void> {
  const topic = `bench_warmup_${process.pid}`;
  await createBenchTopic(server.namesrv, topic);
  const common = ['-n', server.namesrv, '-t', topic, '--duration', String(seconds), '--json'];
  const runs = [
    ['bench', 'consumer', ...common, '-g', `${topic}_c`],
    ['bench', 'producer', ...common, '--threads', '8'],
    ['bench', 'producer', ...common, '--threads', '64', '--auto-batch'],
  ].map(async (args) => {
    const child = spawn(ctx.self.execPath, [...orbitEntry(ctx), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      stderr = `${stderr}${d}`.slice(-2000);
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    const force = setTimeout(() => child.kill('SIGKILL'), (seconds + 10) * 1000);
    const { code, signal } = await exited;
    clearTimeout(force);
    if (code !== 0) throw new Error(`priming \`orbit ${args.slice(0, 2).join(' ')}\` failed (${signal ?? `exit ${String(code)}`}): ${stderr.trim()}`);
  });
  await Promise.all(runs);
}

async function stopServer(server: Server): Promise<void> {
  if (server.child.exitCode !== null) return;
  const exited = once(server.child, 'exit');
  server.child.kill('SIGTERM');
  const force = setTimeout(() => server.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(force);
}

export const runContractBench: BenchCommand = async (args, ctx) => {
  const { values } = parseArgs({
    args: [...args],
    options: {
      scenario: { type: 'string', default: 'all' },
      variant: { type: 'string', default: 'async,sync' },
      msgs: { type: 'string', default: '200000' },
      size: { type: 'string', default: '1024' },
      window: { type: 'string', default: '64' },
      rate: { type: 'string', default: '5000' },
      seconds: { type: 'string', default: '10' },
      'max-seconds': { type: 'string' },
      profile: { type: 'string' },
      warmup: { type: 'string', default: '3' },
    },
    strict: true,
  });
  const scenarios = values.scenario === 'all' ? SCENARIOS : values.scenario.split(',').map((s) => {
    if (!SCENARIOS.includes(s as Scenario)) throw new RangeError(`unknown scenario ${s}`);
    return s as Scenario;
  });
  const variants = values.variant.split(',').map((v) => {
    if (v !== 'async' && v !== 'sync') throw new RangeError(`unknown variant ${v} (async or sync)`);
    return v;
  });
  const maxSeconds = parseNumber('max-seconds', values['max-seconds'] ?? ctx.env('BENCH_MAX_SECONDS') ?? '120', { min: 1 });
  const params = {
    msgs: parseNumber('msgs', values.msgs, { min: 1, integer: true }),
    size: parseNumber('size', values.size, { min: 16, integer: true }),
    window: parseNumber('window', values.window, { min: 1, integer: true }),
    rate: parseNumber('rate', values.rate, { min: 1 }),
    seconds: parseNumber('seconds', values.seconds, { min: 0.1 }),
    maxSeconds,
  };
  const warmup = parseNumber('warmup', values.warmup, { min: 0, integer: true });
  for (const variant of variants) {
    for (const scenario of scenarios) {
      // A fresh server (and data folder) per result, as the contract asks.
      let server: Server | undefined;
      let line: ContractResult;
      const removeHook = ctx.atExit(() => server?.child.kill('SIGKILL'));
      try {
        server = await startServer(ctx, variant, maxSeconds, values.profile);
        ctx.writeStderr(`[bench] orbitmq/${variant} ${scenario}: server pid ${server.pid} on ${server.namesrv}\n`);
        if (warmup > 0) {
          ctx.writeStderr(`[bench] priming the server: ${warmup} s of untimed load on another topic\n`);
          await primeServer(ctx, server, warmup);
        }
        line = await runScenario(scenario, { ...params, namesrv: server.namesrv, serverPid: server.pid, flush: VARIANTS[variant], variant, log: (m) => ctx.writeStderr(`[bench] ${m}\n`) });
        if (warmup > 0 && line.notes !== null) line.notes += `; server primed by ${warmup} s of untimed load on another topic (separate processes)`;
        if (line.notes !== null) line.notes += `; server node flags (as npm start): ${SERVER_NODE_FLAGS.join(' ')}`;
      } catch (err: unknown) {
        line = contractErrorLine('orbitmq', variant, scenario, err);
      } finally {
        if (server !== undefined) await stopServer(server);
        removeHook();
      }
      ctx.writeStdout(`${JSON.stringify(line)}\n`);
    }
  }
  return 0;
};
