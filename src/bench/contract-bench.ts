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
import { parseNumber } from './bench-args.js';
import type { BenchCommand, BenchContext } from './bench-context.js';
import type { ContractResult, Scenario } from './contract-scenarios.js';
import { runScenario } from './contract-scenarios.js';

export const CONTRACT_USAGE = `usage: bench contract --scenario publish|e2e|drain[,..]|all [--variant async,sync] [--msgs 200000]
                      [--size 1024] [--window 64] [--rate 5000] [--seconds 10] [--profile DIR]
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

/** Starts `orbit start` in a child process and waits for its ready line. */
async function startServer(ctx: BenchContext, variant: Variant, maxSeconds: number, profileDir: string | undefined): Promise<Server> {
  const dataDir = ctx.temp.create(`contract-${variant}-`);
  // The built server (what `npm start` runs) when there is one; else the sources through tsx.
  const built = join(ctx.repoRoot, 'dist', 'bin', 'orbit.js');
  const entry = existsSync(built) ? [built] : [...ctx.self.execArgv, new URL('../bin/orbit.ts', import.meta.url).pathname];
  // --profile: the server writes a V8 CPU profile (.cpuprofile) there when it stops.
  const profile = profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`];
  const child = spawn(
    ctx.self.execPath,
    [...profile, ...entry, 'start', '--data-dir', dataDir, '--namesrv-port', '0', '--broker-port', '0', '--flush', variant, '--log-level', 'warn'],
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

async function stopServer(server: Server): Promise<void> {
  if (server.child.exitCode !== null) return;
  const exited = once(server.child, 'exit');
  server.child.kill('SIGTERM');
  const force = setTimeout(() => server.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(force);
}

function errorLine(variant: Variant, scenario: Scenario, err: unknown): ContractResult {
  return {
    system: 'orbitmq', variant, scenario, msgs: null, bytes: null, seconds: null, msgs_per_s: null, mb_per_s: null,
    p50_ms: null, p99_ms: null, p999_ms: null, max_ms: null,
    notes: `error: ${err instanceof Error ? err.message : String(err)}`,
  };
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
  const maxSeconds = parseNumber('--max-seconds', values['max-seconds'] ?? ctx.env('BENCH_MAX_SECONDS') ?? '120', { min: 1 });
  const params = {
    msgs: parseNumber('--msgs', values.msgs, { min: 1, integer: true }),
    size: parseNumber('--size', values.size, { min: 16, integer: true }),
    window: parseNumber('--window', values.window, { min: 1, integer: true }),
    rate: parseNumber('--rate', values.rate, { min: 1 }),
    seconds: parseNumber('--seconds', values.seconds, { min: 0.1 }),
    maxSeconds,
  };
  for (const variant of variants) {
    for (const scenario of scenarios) {
      // A fresh server (and data folder) per result, as the contract asks.
      let server: Server | undefined;
      let line: ContractResult;
      const removeHook = ctx.atExit(() => server?.child.kill('SIGKILL'));
      try {
        server = await startServer(ctx, variant, maxSeconds, values.profile);
        ctx.writeStderr(`[bench] orbitmq/${variant} ${scenario}: server pid ${server.pid} on ${server.namesrv}\n`);
        line = await runScenario(scenario, { ...params, namesrv: server.namesrv, serverPid: server.pid, flush: VARIANTS[variant], variant, log: (m) => ctx.writeStderr(`[bench] ${m}\n`) });
      } catch (err: unknown) {
        line = errorLine(variant, scenario, err);
      } finally {
        if (server !== undefined) await stopServer(server);
        removeHook();
      }
      ctx.writeStdout(`${JSON.stringify(line)}\n`);
    }
  }
  return 0;
};
