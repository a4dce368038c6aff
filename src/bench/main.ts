/**
 * Benchmark entry point: `npm run bench -- <name> [flags]`.
 *
 * The only bench file that touches process globals (argv, env, signals, exit
 * code). Scratch data goes under $BENCH_TMPDIR, else the OS temp folder, and
 * is removed on exit, on SIGINT/SIGTERM and on failure.
 */
import { tmpdir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError, getErrorMessage } from '../common/index.js';
import type { BenchCommand, BenchContext } from './bench-context.js';
import { CONTRACT_USAGE, runContractBench } from './contract-bench.js';
import { DELAY_USAGE, runDelayBench } from './delay-bench.js';
import { FLOOR_USAGE, runFloorBench, runFloorRelayChild } from './relay-floor.js';
import { STORE_USAGE, runStoreBench } from './store-bench.js';
import { STORE_MEMORY_USAGE, runStoreMemory, runStoreMemoryChild } from './store-memory.js';
import { TempDirs } from './temp-dirs.js';

interface Entry {
  readonly run: BenchCommand;
  readonly summary: string;
  readonly usage: string;
  readonly hidden?: boolean;
}

const COMMANDS: Readonly<Record<string, Entry>> = {
  store: { run: runStoreBench, summary: 'store append/read throughput vs. the disk ceilings, with target ratios', usage: STORE_USAGE },
  'store-memory': { run: runStoreMemory, summary: 'store RSS while appending gigabytes (child process)', usage: STORE_MEMORY_USAGE },
  contract: { run: runContractBench, summary: 'the ../shared/bench CONTRACT.md scenarios (publish, e2e, drain), variants async and sync', usage: CONTRACT_USAGE },
  floor: { run: runFloorBench, summary: 'the e2e load through a do-nothing Node relay: the latency floor of a Node broker on this machine', usage: FLOOR_USAGE },
  delay: { run: runDelayBench, summary: 'send throughput with a million pending timed messages vs. none', usage: DELAY_USAGE },
  'store-memory-child': { run: runStoreMemoryChild, summary: 'internal: the store-memory child', usage: '', hidden: true },
  'floor-relay-child': { run: runFloorRelayChild, summary: 'internal: the relay of the floor benchmark', usage: '', hidden: true },
};

function usage(): string {
  const names = Object.entries(COMMANDS).filter(([, e]) => e.hidden !== true);
  const width = Math.max(...names.map(([n]) => n.length));
  return [
    'usage: npm run bench -- <benchmark> [flags]',
    '',
    'benchmarks:',
    ...names.map(([n, e]) => `  ${n.padEnd(width)}  ${e.summary}`),
    '',
    'Scratch data goes under $BENCH_TMPDIR (else the OS temp folder). `<benchmark> --help` lists its flags.',
  ].join('\n');
}

function isUsageError(err: unknown): boolean {
  if (err instanceof InvalidArgumentError) return true;
  const code = typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stderr.write(`${usage()}\n`);
    return name === undefined ? 2 : 0;
  }
  const entry = COMMANDS[name];
  if (entry === undefined) {
    process.stderr.write(`unknown benchmark "${name}"\n\n${usage()}\n`);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    process.stderr.write(`${entry.usage}\n`);
    return 0;
  }

  const envDir = process.env.BENCH_TMPDIR;
  const temp = new TempDirs(resolve(envDir !== undefined && envDir !== '' ? envDir : tmpdir()));
  const hooks = new Set<() => void>();
  const cleanup = (): void => {
    for (const h of [...hooks]) {
      hooks.delete(h);
      try {
        h();
      } catch {
        // best effort
      }
    }
    temp.removeAll();
  };
  process.once('exit', cleanup);
  for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.once(sig, () => {
      process.stderr.write(`\n[bench] ${sig}: removing scratch data\n`);
      cleanup();
      process.exit(code);
    });
  }
  const mainPath = fileURLToPath(import.meta.url);
  const ctx: BenchContext = {
    temp,
    writeStdout: (s) => process.stdout.write(s),
    writeStderr: (s) => process.stderr.write(s),
    random: Math.random,
    repoRoot: resolve(dirname(mainPath), '..', '..'),
    self: { execPath: process.execPath, execArgv: process.execArgv, mainPath },
    env: (name) => process.env[name],
    atExit: (hook) => {
      hooks.add(hook);
      return () => hooks.delete(hook);
    },
    stdinEnded: () => new Promise((resolve) => {
      process.stdin.once('end', resolve).once('close', resolve).once('error', resolve).resume();
    }),
  };
  try {
    return await entry.run(args, ctx);
  } catch (err: unknown) {
    if (isUsageError(err)) {
      process.stderr.write(`bench ${name}: ${getErrorMessage(err)}\n${entry.usage}\n`);
      return 2;
    }
    throw err;
  } finally {
    cleanup();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
