/** `orbit offset reset`: INVOKE_BROKER_TO_RESET_OFFSET on every master of the topic. */
import { NotFoundError } from '../common/index.js';
import { AdminRefusedError } from '../client/admin/index.js';
import { parseTime } from './message.js';
import { ok, table, formatTime, type CliContext, type CommandResult } from './output.js';

export interface ResetFlags {
  readonly group: string;
  readonly topic: string;
  readonly time: string;
  /** false = only move offsets back (Java isForce=false). */
  readonly force?: boolean;
}

export async function offsetReset(ctx: CliContext, f: ResetFlags): Promise<CommandResult> {
  const timestamp = parseTime('--time', f.time);
  const brokers = await ctx.admin.topicMasters(f.topic);
  const bar = ctx.progress(`resetting ${f.group} on ${f.topic}`, brokers.length);
  const rows: { brokerName: string; queueId: number; offset: number }[] = [];
  try {
    for (const b of brokers) {
      let reset;
      try {
        reset = await ctx.admin.resetOffset(b.addr, f.topic, f.group, timestamp, f.force ?? true);
      } catch (err: unknown) {
        if (err instanceof AdminRefusedError && /not exist/i.test(err.remark)) {
          throw new NotFoundError(`consumer group ${f.group} does not exist on broker ${b.brokerName} (create it with: orbit group create -g ${f.group})`);
        }
        throw err;
      }
      for (const r of reset) {
        rows.push({ brokerName: r.queue.brokerName || b.brokerName, queueId: r.queue.queueId, offset: r.offset });
      }
      bar.tick();
    }
  } finally {
    bar.done();
  }
  rows.sort((a, b) => a.brokerName.localeCompare(b.brokerName) || a.queueId - b.queueId);
  const when = timestamp === -1 ? 'the latest offsets' : formatTime(timestamp);
  const human = [
    `group ${ctx.style.bold(f.group)} on ${ctx.style.bold(f.topic)} reset to ${when} (${rows.length} queue${rows.length === 1 ? '' : 's'})`,
    table(ctx.style, ['BROKER', 'QUEUE', 'NEW OFFSET'], rows.map((r) => [r.brokerName, r.queueId, r.offset])),
  ].join('\n');
  return ok({ group: f.group, topic: f.topic, timestamp, force: f.force ?? true, queues: rows }, human);
}
