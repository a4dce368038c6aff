/** `orbit cluster list|health` and `orbit broker config get|set`. */
import { ConnectionError, getErrorMessage } from '../common/index.js';
import type { ClusterInfo } from '../client/admin/index.js';
import { ExitCode, UsageError, mapLimit, ok, table, type CliContext, type CommandResult } from './output.js';

interface BrokerRow {
  cluster: string;
  brokerName: string;
  brokerId: number;
  addr: string;
  reachable: boolean;
  version?: string | undefined;
  putTps?: number;
  putsToday?: number;
  diskRatio?: number;
  bootTimestamp?: number;
  error?: string;
}

function brokersOf(info: ClusterInfo): BrokerRow[] {
  const rows: BrokerRow[] = [];
  for (const g of info.brokers.values()) {
    for (const [id, addr] of g.addrs) rows.push({ cluster: g.cluster, brokerName: g.brokerName, brokerId: id, addr, reachable: false });
  }
  return rows.sort((a, b) => a.cluster.localeCompare(b.cluster) || a.brokerName.localeCompare(b.brokerName) || a.brokerId - b.brokerId);
}

async function withRuntime(ctx: CliContext, rows: BrokerRow[]): Promise<BrokerRow[]> {
  return mapLimit(rows, 8, async (r) => {
    try {
      const kv = await ctx.admin.runtimeInfo(r.addr);
      const disk = Number(kv.commitLogDiskRatio ?? NaN);
      return {
        ...r, reachable: true, version: kv.brokerVersionDesc,
        putTps: Number((kv.putTps ?? '0').split(' ')[0]), putsToday: Number(kv.msgPutTotalTodayNow ?? 0),
        ...(Number.isFinite(disk) && disk >= 0 ? { diskRatio: disk } : {}),
        ...(kv.bootTimestamp === undefined ? {} : { bootTimestamp: Number(kv.bootTimestamp) }),
      };
    } catch (err: unknown) {
      return { ...r, reachable: false, error: getErrorMessage(err) };
    }
  });
}

const pct = (r: number | undefined): string | undefined => (r === undefined ? undefined : `${(r * 100).toFixed(1)}%`);

export async function clusterList(ctx: CliContext): Promise<CommandResult> {
  const rows = await withRuntime(ctx, brokersOf(await ctx.admin.clusterInfo()));
  const human = rows.length === 0 ? ctx.style.dim('(no brokers registered)') : table(ctx.style,
    ['CLUSTER', 'BROKER', 'ID', 'ADDRESS', 'VERSION', 'PUT TPS', 'PUTS TODAY', 'DISK', 'STATUS'],
    rows.map((r) => [r.cluster, r.brokerName, r.brokerId, r.addr, r.version, r.putTps, r.putsToday, pct(r.diskRatio), r.reachable ? ctx.style.green('up') : ctx.style.red('unreachable')]));
  return ok({ brokers: rows }, human);
}

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

/**
 * Every name server answers; every broker any of them knows is reachable and
 * registered with every name server; its disk ratio is below `diskWarning`.
 * Exit 1 when a check fails; 69 when no name server answers at all.
 */
export async function clusterHealth(ctx: CliContext, f: { diskWarning?: string }): Promise<CommandResult> {
  const warn = f.diskWarning === undefined ? 0.85 : Number(f.diskWarning);
  if (!Number.isFinite(warn) || warn <= 0 || warn > 1) throw new UsageError(`--disk-warning must be a ratio in (0, 1], got "${f.diskWarning ?? ''}"`);
  const checks: Check[] = [];
  const views = new Map<string, ClusterInfo>();
  for (const ns of ctx.admin.namesrvAddrs) {
    try {
      views.set(ns, await ctx.admin.clusterInfo(ns));
      checks.push({ name: `namesrv ${ns}`, ok: true, detail: 'answers' });
    } catch (err: unknown) {
      checks.push({ name: `namesrv ${ns}`, ok: false, detail: getErrorMessage(err) });
    }
  }
  if (views.size === 0) throw new ConnectionError(`no name server is reachable (${ctx.admin.namesrvAddrs.join(';')})`);
  const byAddr = new Map<string, BrokerRow>();
  for (const v of views.values()) for (const r of brokersOf(v)) byAddr.set(r.addr, r);
  if (byAddr.size === 0) checks.push({ name: 'brokers', ok: false, detail: 'no broker is registered' });
  const rows = await withRuntime(ctx, [...byAddr.values()]);
  for (const r of rows) {
    const who = `broker ${r.brokerName}/${r.brokerId} ${r.addr}`;
    checks.push({ name: `${who} reachable`, ok: r.reachable, detail: r.reachable ? `${r.version ?? '?'}` : r.error ?? 'unreachable' });
    const missing = [...views].filter(([, v]) => ![...v.brokers.values()].some((g) => [...g.addrs.values()].includes(r.addr))).map(([ns]) => ns);
    checks.push({ name: `${who} registered`, ok: missing.length === 0, detail: missing.length === 0 ? `with ${views.size} name server(s)` : `missing on ${missing.join(', ')}` });
    if (r.diskRatio !== undefined) {
      checks.push({ name: `${who} disk`, ok: r.diskRatio < warn, detail: `${pct(r.diskRatio) ?? '?'} used (warning at ${pct(warn) ?? '?'})` });
    }
  }
  const healthy = checks.every((c) => c.ok);
  const human = [
    table(ctx.style, ['CHECK', 'RESULT', 'DETAIL'], checks.map((c) => [c.name, c.ok ? ctx.style.green('ok') : ctx.style.red('FAIL'), c.detail])),
    '',
    healthy ? ctx.style.green('cluster healthy') : ctx.style.red(`cluster unhealthy: ${checks.filter((c) => !c.ok).length} check(s) failed`),
  ].join('\n');
  return { code: healthy ? ExitCode.OK : ExitCode.FAILURE, json: { healthy, checks, brokers: rows }, human };
}

export async function brokerConfigGet(ctx: CliContext, f: { broker: string; keys: readonly string[] }): Promise<CommandResult> {
  const all = await ctx.admin.brokerConfig(f.broker);
  const unknown = f.keys.filter((k) => !(k in all));
  if (unknown.length > 0) throw new UsageError(`unknown config key${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`);
  const keys = f.keys.length > 0 ? [...f.keys] : Object.keys(all).sort();
  const config = Object.fromEntries(keys.map((k) => [k, all[k] ?? '']));
  const human = table(ctx.style, ['KEY', 'VALUE'], keys.map((k) => [k, config[k]]));
  return ok({ broker: f.broker, config }, human);
}

export async function brokerConfigSet(ctx: CliContext, f: { broker: string; pairs: readonly string[] }): Promise<CommandResult> {
  if (f.pairs.length === 0) throw new UsageError('give at least one key=value');
  const props: Record<string, string> = {};
  for (const p of f.pairs) {
    const i = p.indexOf('=');
    if (i <= 0) throw new UsageError(`expected key=value, got "${p}"`);
    props[p.slice(0, i).trim()] = p.slice(i + 1).trim();
  }
  await ctx.admin.updateBrokerConfig(f.broker, props);
  return ok({ broker: f.broker, updated: props }, `broker ${f.broker} accepted ${Object.keys(props).join(', ')}`);
}
