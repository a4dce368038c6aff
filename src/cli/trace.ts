/** `orbit message trace <msgId>`: a message's path from the trace topic (send, store, every listener call). */
import { queryTrace, type MessageTrace } from '../client/index.js';
import { UsageError, formatTime, keyValues, ok, table, type CliContext, type CommandResult, type Style } from './output.js';

export async function messageTrace(ctx: CliContext, f: { msgId: string; traceTopic?: string }): Promise<CommandResult> {
  const id = f.msgId.trim();
  if (!/^[0-9A-Fa-f]{32}$|^[0-9A-Fa-f]{40}$/.test(id)) throw new UsageError(`"${id}" is not a client message id (UNIQ_KEY, 32 hex digits)`);
  const trace = await queryTrace(ctx.admin, id, f.traceTopic === undefined ? {} : { traceTopic: f.traceTopic });
  return ok({ trace }, traceText(ctx.style, trace));
}

const yesNo = (style: Style, v: boolean | undefined): string => (v === undefined ? style.yellow('pending') : v ? style.green('success') : style.red('failed'));

function traceText(style: Style, t: MessageTrace): string {
  const out: string[] = [keyValues(style, [['msgId', t.msgId], ['trace topic', t.traceTopic], ['records', t.records]])];
  for (const p of t.publish) {
    out.push('', style.bold('sent'), keyValues(style, [
      ['producer group', p.producerGroup], ['client', `${p.clientId ?? '-'} (${p.clientHost})`], ['topic', p.topic], ['tags', p.tags],
      ['keys', p.keys.join(' ') || undefined], ['time', formatTime(p.timestamp)], ['cost', `${p.costMs} ms`], ['stored on', p.storeHost],
      ['offsetMsgId', p.offsetMsgId || undefined], ['type', p.msgType], ['result', yesNo(style, p.success)],
    ]));
  }
  if (t.publish.length === 0) out.push('', style.dim('no send record (the producer did not trace)'));
  if (t.consumes.length > 0) {
    out.push('', style.bold('consumed'), table(style, ['GROUP', 'CLIENT', 'RETRY', 'TIME', 'COST MS', 'RESULT', 'RETURN'], t.consumes.map((c) => [
      c.consumerGroup, c.clientId ?? c.clientHost, c.retryTimes, formatTime(c.timestamp), c.costMs, yesNo(style, c.success), c.returnType,
    ])));
  } else {
    out.push('', style.dim('no consume record'));
  }
  return out.join('\n');
}
