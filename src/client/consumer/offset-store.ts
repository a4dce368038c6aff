/**
 * Where a consumer keeps its progress (client/consumer/store/OffsetStore.java,
 * RemoteBrokerOffsetStore.java, LocalFileOffsetStore.java, 4.9.8): in memory,
 * persisted to the broker (clustering) or to a local file (broadcasting).
 */
import { mkdir, readFile, rename, writeFile, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { messageQueueKey as mqKey, type MessageQueue } from '../route.js';

export type ReadOffsetType = 'MEMORY_FIRST_THEN_STORE' | 'READ_FROM_MEMORY' | 'READ_FROM_STORE';

export interface OffsetStore {
  load(): Promise<void>;
  /** Records progress in memory; `increaseOnly` never moves it backwards. */
  updateOffset(mq: MessageQueue, offset: number, increaseOnly: boolean): void;
  /** The offset, or -1 when unknown (and -2 when the store could not be read). */
  readOffset(mq: MessageQueue, type: ReadOffsetType): Promise<number>;
  /** Writes the progress of these queues (all queues when omitted). */
  persistAll(mqs?: readonly MessageQueue[]): Promise<void>;
  removeOffset(mq: MessageQueue): void;
}

/** The broker side of offsets, implemented with the client's wire API. */
export interface BrokerOffsetBackend {
  /** Committed offset on the broker; -1 when the group never committed and the broker says so (QUERY_NOT_FOUND). */
  queryOffset(mq: MessageQueue): Promise<number>;
  updateOffset(mq: MessageQueue, offset: number): Promise<void>;
}

abstract class MemoryOffsets {
  protected readonly table = new Map<string, { mq: MessageQueue; offset: number }>();

  updateOffset(mq: MessageQueue, offset: number, increaseOnly: boolean): void {
    const k = mqKey(mq);
    const cur = this.table.get(k);
    if (cur === undefined) this.table.set(k, { mq, offset });
    else if (!increaseOnly || offset > cur.offset) cur.offset = offset;
  }

  removeOffset(mq: MessageQueue): void {
    this.table.delete(mqKey(mq));
  }

  protected memory(mq: MessageQueue): number | undefined {
    return this.table.get(mqKey(mq))?.offset;
  }
}

/** Clustering: offsets live on the broker. */
export class RemoteBrokerOffsetStore extends MemoryOffsets implements OffsetStore {
  private readonly backend: BrokerOffsetBackend;

  constructor(backend: BrokerOffsetBackend) {
    super();
    this.backend = backend;
  }

  load(): Promise<void> {
    return Promise.resolve();
  }

  async readOffset(mq: MessageQueue, type: ReadOffsetType): Promise<number> {
    if (type !== 'READ_FROM_STORE') {
      const m = this.memory(mq);
      if (m !== undefined || type === 'READ_FROM_MEMORY') return m ?? -1;
    }
    try {
      const off = await this.backend.queryOffset(mq);
      if (off >= 0) this.updateOffset(mq, off, false);
      return off;
    } catch {
      return -2;
    }
  }

  async persistAll(mqs?: readonly MessageQueue[]): Promise<void> {
    const wanted = mqs === undefined ? undefined : new Set(mqs.map(mqKey));
    const jobs: Promise<void>[] = [];
    for (const [k, v] of this.table) {
      if (wanted !== undefined && !wanted.has(k)) continue;
      jobs.push(this.backend.updateOffset(v.mq, v.offset).catch(() => undefined));
    }
    await Promise.all(jobs);
  }
}

/** Broadcasting: every consumer keeps its own offsets in a JSON file. */
export class LocalFileOffsetStore extends MemoryOffsets implements OffsetStore {
  private readonly path: string;

  constructor(path: string) {
    super();
    this.path = path;
  }

  async load(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch {
      return;
    }
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || !('offsetTable' in parsed) || !Array.isArray(parsed.offsetTable)) return;
    for (const row of parsed.offsetTable as unknown[]) {
      if (typeof row !== 'object' || row === null) continue;
      const r = row as Record<string, unknown>;
      if (typeof r.topic === 'string' && typeof r.brokerName === 'string' && typeof r.queueId === 'number' && typeof r.offset === 'number') {
        this.updateOffset({ topic: r.topic, brokerName: r.brokerName, queueId: r.queueId }, r.offset, false);
      }
    }
  }

  readOffset(mq: MessageQueue, _type: ReadOffsetType): Promise<number> {
    return Promise.resolve(this.memory(mq) ?? -1);
  }

  /** Atomic: temp file, fsync, rename. */
  async persistAll(): Promise<void> {
    const offsetTable = [...this.table.values()].map((v) => ({ ...v.mq, offset: v.offset }));
    await mkdir(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp`;
    await writeFile(tmp, JSON.stringify({ offsetTable }));
    const fh = await open(tmp, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, this.path);
  }
}
