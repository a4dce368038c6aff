/**
 * Messages pulled from one queue and not yet consumed
 * (client/impl/consumer/ProcessQueue.java, 4.9.8): ordered by queue offset,
 * with counts and bytes for flow control, and the offset that is safe to
 * commit — the smallest offset still in flight, or one past the largest
 * taken when nothing is.
 */
export interface QueuedMessage {
  readonly queueOffset: number;
  readonly body: { readonly length: number };
}

export class ProcessQueue<M extends QueuedMessage = QueuedMessage> {
  /**
   * Messages in flight in offset order: parallel arrays from `head` on, a
   * consumed message's slot set to undefined. Arrays rather than a Map: a
   * long-lived Map with an insert and a delete per message reallocates its
   * table every few messages, and V8 keeps an old table linked to its
   * successor, so tables and the messages they held survive young-generation
   * collections until a full one.
   */
  private offsets: number[] = [];
  private msgs: (M | undefined)[] = [];
  private head = 0;
  private count = 0;
  private maxSeenOffset = -1;
  private bytes = 0;
  /** Everything below this offset was consumed. */
  private committedUpTo = 0;
  /** Orderly consumption: the broker lock is held. */
  locked = false;
  lastLockTimestamp = 0;
  lastPullTimestamp = 0;
  /** Set when the queue is no longer ours (rebalance) or the consumer shuts down. */
  dropped = false;

  get msgCount(): number {
    return this.count;
  }

  get msgSize(): number {
    return this.bytes;
  }

  /**
   * How far the pulled messages run ahead of the oldest one still in flight
   * (ProcessQueue.getMaxSpan, measured to the largest offset pulled); 0 when
   * nothing is in flight.
   */
  get maxSpan(): number {
    this.skipConsumed();
    return this.count === 0 ? 0 : this.maxSeenOffset - (this.offsets[this.head] ?? 0);
  }

  /** Adds pulled messages; returns how many were new. */
  putMessages(msgs: readonly M[]): number {
    let added = 0;
    for (const m of msgs) {
      const o = m.queueOffset;
      if (o <= this.committedUpTo - 1) continue;
      if (o > this.maxSeenOffset) {
        this.offsets.push(o);
        this.msgs.push(m);
        this.maxSeenOffset = o;
      } else {
        // Out of order (a re-pull after an offset correction): insert in place unless already there.
        const i = this.indexOf(o);
        if (i >= 0 && this.msgs[i] !== undefined) continue;
        if (i >= 0) this.msgs[i] = m;
        else {
          const at = this.insertionPoint(o);
          this.offsets.splice(at, 0, o);
          this.msgs.splice(at, 0, m);
        }
      }
      this.count++;
      this.bytes += m.body.length;
      added++;
    }
    return added;
  }

  /**
   * Removes consumed messages and returns the offset to commit
   * (ProcessQueue.removeMessage): the first message still in flight, or
   * max offset + 1 when none is; -1 when nothing was ever added.
   */
  removeMessages(msgs: readonly M[]): number {
    for (const m of msgs) {
      const i = this.indexOf(m.queueOffset);
      if (i < 0) continue;
      const had = this.msgs[i];
      if (had === undefined) continue;
      this.msgs[i] = undefined;
      this.count--;
      this.bytes -= had.body.length;
    }
    return this.commitOffset();
  }

  /** The offset that is safe to commit now. */
  commitOffset(): number {
    if (this.maxSeenOffset < 0) return -1;
    this.skipConsumed();
    const next = this.count === 0 ? this.maxSeenOffset + 1 : (this.offsets[this.head] ?? this.maxSeenOffset + 1);
    this.committedUpTo = next;
    return next;
  }

  /** Orderly consumption: takes up to `n` of the lowest offsets still queued, in order. */
  takeMessages(n: number): M[] {
    const out: M[] = [];
    for (let i = this.head; i < this.msgs.length && out.length < n; i++) {
      const m = this.msgs[i];
      if (m !== undefined) out.push(m);
    }
    return out;
  }

  /** Forgets everything (after a rebalance moves the queue away, or an offset reset). */
  clear(): void {
    this.offsets = [];
    this.msgs = [];
    this.head = 0;
    this.count = 0;
    this.bytes = 0;
    this.maxSeenOffset = -1;
    this.committedUpTo = 0;
  }

  /** Moves `head` past consumed slots; drops the consumed prefix once it is most of the arrays. */
  private skipConsumed(): void {
    while (this.head < this.msgs.length && this.msgs[this.head] === undefined) this.head++;
    if (this.head === this.msgs.length) {
      if (this.head > 0) {
        this.offsets.length = 0;
        this.msgs.length = 0;
        this.head = 0;
      }
    } else if (this.head >= 1024 && this.head * 2 >= this.msgs.length) {
      this.offsets.splice(0, this.head);
      this.msgs.splice(0, this.head);
      this.head = 0;
    }
  }

  /** The slot of offset `o` from `head` on (binary search), or -1. */
  private indexOf(o: number): number {
    const i = this.insertionPoint(o);
    return i < this.offsets.length && this.offsets[i] === o ? i : -1;
  }

  /** The first slot from `head` on whose offset is ≥ `o`. */
  private insertionPoint(o: number): number {
    let lo = this.head;
    let hi = this.offsets.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.offsets[mid] ?? 0) < o) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
