/** Which brokers a command talks to: `-b addr`, `-c cluster`, or every master the name servers know. */
import { NotFoundError } from '../common/index.js';
import type { AdminClient } from '../client/admin/index.js';

export interface Target {
  readonly cluster: string;
  readonly brokerName: string;
  readonly addr: string;
}

export interface TargetFlags {
  readonly cluster?: string | undefined;
  readonly broker?: string | undefined;
}

/** Masters (broker id 0) selected by the flags, sorted by broker name. */
export async function masters(admin: AdminClient, flags: TargetFlags = {}): Promise<Target[]> {
  const info = await admin.clusterInfo();
  const all: Target[] = [];
  for (const g of info.brokers.values()) {
    const addr = g.addrs.get(0);
    if (addr !== undefined) all.push({ cluster: g.cluster, brokerName: g.brokerName, addr });
  }
  all.sort((a, b) => (a.brokerName < b.brokerName ? -1 : a.brokerName > b.brokerName ? 1 : 0));
  if (flags.broker !== undefined) {
    const known = all.find((t) => t.addr === flags.broker);
    return [known ?? { cluster: '', brokerName: '', addr: flags.broker }];
  }
  if (flags.cluster !== undefined) {
    const names = info.clusters.get(flags.cluster);
    if (names === undefined) throw new NotFoundError(`cluster ${flags.cluster} does not exist (known: ${[...info.clusters.keys()].join(', ') || 'none'})`);
    return all.filter((t) => names.includes(t.brokerName));
  }
  if (all.length === 0) throw new NotFoundError('no broker is registered with the name servers');
  return all;
}
