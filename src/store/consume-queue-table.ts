/**
 * Every consume queue of a store, by topic and queue id
 * (DefaultMessageStore.consumeQueueTable): loads `consumequeue/{topic}/{queueId}`
 * at start and creates queues on first dispatch.
 */
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConsumeQueue } from './consume-queue.js';

export class ConsumeQueueTable {
  readonly rootDir: string;
  private readonly segmentSize: number;
  private readonly byTopic = new Map<string, Map<number, ConsumeQueue>>();

  constructor(rootDir: string, segmentSize: number) {
    this.rootDir = rootDir;
    this.segmentSize = segmentSize;
  }

  /** Opens every queue directory; returns how many queues were found. */
  load(): number {
    if (!existsSync(this.rootDir)) return 0;
    let n = 0;
    for (const topic of readdirSync(this.rootDir)) {
      const topicDir = join(this.rootDir, topic);
      if (!statSync(topicDir).isDirectory()) continue;
      for (const q of readdirSync(topicDir)) {
        if (!/^\d+$/.test(q) || !statSync(join(topicDir, q)).isDirectory()) continue;
        const cq = this.getOrCreate(topic, Number(q));
        cq.load();
        n++;
      }
    }
    return n;
  }

  get(topic: string, queueId: number): ConsumeQueue | undefined {
    return this.byTopic.get(topic)?.get(queueId);
  }

  getOrCreate(topic: string, queueId: number): ConsumeQueue {
    let queues = this.byTopic.get(topic);
    if (queues === undefined) {
      queues = new Map();
      this.byTopic.set(topic, queues);
    }
    let cq = queues.get(queueId);
    if (cq === undefined) {
      cq = new ConsumeQueue(this.rootDir, topic, queueId, this.segmentSize);
      queues.set(queueId, cq);
    }
    return cq;
  }

  *all(): IterableIterator<ConsumeQueue> {
    for (const queues of this.byTopic.values()) yield* queues.values();
  }

  topics(): string[] {
    return [...this.byTopic.keys()];
  }

  queuesOf(topic: string): ConsumeQueue[] {
    return [...(this.byTopic.get(topic)?.values() ?? [])];
  }

  /** Destroys a topic's queues and their directory. */
  deleteTopic(topic: string): void {
    const queues = this.byTopic.get(topic);
    if (queues !== undefined) for (const cq of queues.values()) cq.destroy();
    this.byTopic.delete(topic);
    rmSync(join(this.rootDir, topic), { recursive: true, force: true });
  }

  close(): void {
    for (const cq of this.all()) cq.close();
  }
}
