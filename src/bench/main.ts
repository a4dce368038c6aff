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
import { TempDirs } from './temp-dirs.js';

interface Loaded {
  readonly run: BenchCommand;
  readonly usage: string;
}

interface Entry {
  readonly summary: string;
  readonly hidden?: boolean;
  /**
   * Imports the benchmark's module only when it runs: the contract benchmark's
   * process is the measured client, and the store and relay code it does not use
   * would only add to its heap (and to the early mark-compacts of a new process).
   */
  readonly load: () => Promise<Loaded>;
}

const COMMANDS: Readonly<Record<string, Entry>> = {
  store: {
    summary: 'store append/read throughput vs. the disk ceilings, with target ratios',
    load: () => import('./store-bench.js').then((m) => ({ run: m.runStoreBench, usage: m.STORE_USAGE })),
  },
  'store-memory': {
    summary: 'store RSS while appending gigabytes (child process)',
    load: () => import('./store-memory.js').then((m) => ({ run: m.runStoreMemory, usage: m.STORE_MEMORY_USAGE })),
  },
  contract: {
    summary: 'the ../shared/bench CONTRACT.md scenarios (publish, e2e, drain), variants async and sync',
    load: () => import('./contract-bench.js').then((m) => ({ run: m.runContractBench, usage: m.CONTRACT_USAGE })),
  },
  floor: {
    summary: 'the e2e load through a do-nothing Node relay: the latency floor of a Node broker on this machine',
    load: () => import('./relay-floor.js').then((m) => ({ run: m.runFloorBench, usage: m.FLOOR_USAGE })),
  },
  delay: {
    summary: 'send throughput with a million pending timed messages vs. none',
    load: () => import('./delay-bench.js').then((m) => ({ run: m.runDelayBench, usage: m.DELAY_USAGE })),
  },
  'store-memory-child': {
    summary: 'internal: the store-memory child',
    hidden: true,
    load: () => import('./store-memory.js').then((m) => ({ run: m.runStoreMemoryChild, usage: '' })),
  },
  'floor-relay-child': {
    summary: 'internal: the relay of the floor benchmark',
    hidden: true,
    load: () => import('./relay-floor.js').then((m) => ({ run: m.runFloorRelayChild, usage: '' })),
  },
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
  const found = COMMANDS[name];
  if (found === undefined) {
    process.stderr.write(`unknown benchmark "${name}"\n\n${usage()}\n`);
    return 2;
  }
  const entry = await found.load();
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
