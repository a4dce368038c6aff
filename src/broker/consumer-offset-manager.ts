/**
 * Committed consumer offsets (broker/offset/ConsumerOffsetManager.java, 4.9.8):
 * `topic@group` → queueId → offset, persisted as config/consumerOffset.json
 * ({"offsetTable": {"T@G": {"0": 12}}}) every flushConsumerOffsetInterval and
 * at shutdown.
 */
import { join } from 'node:path';
import type { Logger } from '../common/index.js';
import { getErrorMessage } from '../common/index.js';
import { ConfigFile } from '../store/index.js';
import { asRecord, isRecord } from './json-narrow.js';

const TOPIC_GROUP_SEPARATOR = '@';

type OffsetTable = Map<string, Map<number, number>>;

interface OffsetsFile {
  offsetTable: Record<string, Record<string, number>>;
}

function parseOffsets(u: unknown): OffsetsFile {
  const o = asRecord(u, 'consumerOffset.json');
  const out: Record<string, Record<string, number>> = {};
  if (isRecord(o.offsetTable)) {
    for (const [key, queues] of Object.entries(o.offsetTable)) {
      if (!isRecord(queues)) continue;
      const q: Record<string, number> = {};
      for (const [qid, off] of Object.entries(queues)) if (typeof off === 'number' && Number.isSafeInteger(off)) q[qid] = off;
      out[key] = q;
    }
  }
  return { offsetTable: out };
}

export class ConsumerOffsetManager {
  private readonly table: OffsetTable = new Map();
  private readonly file: ConfigFile<OffsetsFile>;
  private dirty = false;

  constructor(configDir: string, deps: { logger: Logger }) {
    const log = deps.logger.child({ component: 'broker.offsets' });
    this.file = new ConfigFile<OffsetsFile>({
      path: join(configDir, 'consumerOffset.json'),
      parse: parseOffsets,
      snapshot: () => {
        const offsetTable: Record<string, Record<string, number>> = {};
        for (const [k, m] of this.table) offsetTable[k] = Object.fromEntries([...m].map(([q, o]) => [String(q), o]));
        return { offsetTable };
      },
      onError: (err) => log.error('persisting consumer offsets failed', { error: getErrorMessage(err) }),
    });
  }

  load(): void {
    const loaded = this.file.load();
    if (loaded === undefined) return;
    for (const [key, queues] of Object.entries(loaded.value.offsetTable)) {
      this.table.set(key, new Map(Object.entries(queues).map(([q, o]) => [Number(q), o])));
    }
  }

  commitOffset(group: string, topic: string, queueId: number, offset: number): void {
    const key = topic + TOPIC_GROUP_SEPARATOR + group;
    let m = this.table.get(key);
    if (m === undefined) {
      m = new Map();
      this.table.set(key, m);
    }
    m.set(queueId, offset);
    this.dirty = true;
  }

  /** The committed offset, or -1 when none (queryOffset). */
  queryOffset(group: string, topic: string, queueId: number): number {
    return this.table.get(topic + TOPIC_GROUP_SEPARATOR + group)?.get(queueId) ?? -1;
  }

  /** All offsets of a group on a topic. */
  queryOffsets(group: string, topic: string): ReadonlyMap<number, number> {
    return this.table.get(topic + TOPIC_GROUP_SEPARATOR + group) ?? new Map();
  }

  /** Groups that have committed offsets for `topic` (whichGroupByTopic). */
  groupsOfTopic(topic: string): string[] {
    const out: string[] = [];
    for (const key of this.table.keys()) {
      const at = key.lastIndexOf(TOPIC_GROUP_SEPARATOR);
      if (key.slice(0, at) === topic) out.push(key.slice(at + 1));
    }
    return out;
  }

  /** Topics a group has committed offsets for (whichTopicByConsumer). */
  topicsOfGroup(group: string): string[] {
    const out: string[] = [];
    for (const key of this.table.keys()) {
      const at = key.lastIndexOf(TOPIC_GROUP_SEPARATOR);
      if (key.slice(at + 1) === group) out.push(key.slice(0, at));
    }
    return out;
  }

  removeTopic(topic: string): void {
    for (const key of [...this.table.keys()]) if (key.slice(0, key.lastIndexOf(TOPIC_GROUP_SEPARATOR)) === topic) this.table.delete(key);
    this.dirty = true;
  }

  /** Writes the table if anything changed since the last write. */
  async persist(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    this.file.persist();
    await this.file.flush();
  }

  async close(): Promise<void> {
    if (this.dirty) this.file.persist();
    this.dirty = false;
    await this.file.close();
  }
}
