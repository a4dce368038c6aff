/**
 * Node (V8) flags the server roles are started with (`npm start`, the
 * contract benchmark's server), as RocketMQ's runbroker.sh sets JVM heap
 * options.
 *
 * `--initial-old-space-size=64`: V8 counts the Buffer (ArrayBuffer) bytes
 * allocated since the last mark-compact against the old generation's budget.
 * A broker's own JS heap is small (~10 MB: message bytes live in Buffers), so
 * with the budget V8 derives from it (live size × 1.1 when GC is fast) the
 * Buffers of a few hundred milliseconds of traffic (socket reads, pull
 * responses) start a full mark-compact: at 5,000 msg/s, one every ~0.7 s, each
 * pausing the broker and taking both cores for its parallel marking. With a
 * 64 MB floor they are rare (2 in a 25 s benchmark run instead of 19), and the
 * e2e p99 after the first second fell from 1.0–3.9 ms to 0.8–1.2 ms in
 * alternated runs. It costs no idle memory: it is a budget, not a reservation.
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--initial-old-space-size=64'];

/**
 * The flags of SERVER_NODE_FLAGS this process was not started with (neither
 * on the node command line nor in NODE_OPTIONS), compared by name: a
 * different value counts as given.
 */
export function missingServerNodeFlags(execArgv: readonly string[], nodeOptions: string | undefined): string[] {
  const given = new Set([...execArgv, ...(nodeOptions ?? '').split(/\s+/)].map((a) => a.split('=')[0] ?? a));
  return SERVER_NODE_FLAGS.filter((f) => !given.has(f.split('=')[0] ?? f));
}
